// SPDX-License-Identifier: Apache-2.0
#include <chrono>
#include <cstdio>
#include <ctime>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "common/error.h"
#include "common/numeric.h"
#include "executor/batch/batch_operator.h"
#include "executor/stream/stream_operator.h"
#include "executor/tests/stream_test_util.h"
#include "function/aggregate_function.h"
#include "storage/key_codec.h"

namespace freshet::executor::stream {
namespace {

using testing::CaptureOperator;
using testing::MakeChunk;
using testing::TestStateStore;
using Rows = std::vector<std::pair<Op, std::vector<Value>>>;
using Lines = std::vector<std::string>;

constexpr int64_t kSecond = 1'000'000;
constexpr uint16_t kOperatorId = 3;

const function::AggregateFunction* FindAggregate(std::string_view name,
                                                 const std::vector<TypeId>& arguments) {
  for (const function::AggregateFunction* function :
       function::AggregateOverloads(name, arguments.size())) {
    if (function->arguments == arguments) {
      return function;
    }
  }
  throw Error::Internal(fmt::format("no aggregate {} with these arguments", name));
}

/// A call of aggregate `name` over input columns `arguments` of types `types`.
plan::AggregateCall Call(std::string_view name,
                         std::vector<TypeId> types = {},
                         std::vector<uint32_t> arguments = {}) {
  plan::AggregateCall call;
  call.function = FindAggregate(name, types);
  call.arguments = std::move(arguments);
  call.result = call.function->result;
  return call;
}

plan::AggregateCall Distinct(plan::AggregateCall call) {
  call.distinct = true;
  return call;
}

plan::AggregateCall Filtered(plan::AggregateCall call, uint32_t filter) {
  call.filter = filter;
  return call;
}

/// An aggregate node grouping by the first `group_types.size()` input columns.
std::unique_ptr<plan::StreamAggregateNode> MakeNode(const std::vector<DataType>& group_types,
                                                    std::vector<plan::AggregateCall> calls,
                                                    bool append_only = false) {
  auto node = std::make_unique<plan::StreamAggregateNode>();
  node->operator_id = kOperatorId;
  node->group_count = static_cast<uint32_t>(group_types.size());
  for (size_t i = 0; i < group_types.size(); ++i) {
    node->outputs.push_back({fmt::format("g{}", i), group_types[i]});
    node->stream_key.push_back(static_cast<uint32_t>(i));
  }
  for (const plan::AggregateCall& call : calls) {
    node->outputs.push_back({std::string(call.function->name), call.result});
  }
  node->aggregates = std::move(calls);
  node->input_append_only = append_only;
  return node;
}

std::string OpName(Op op) {
  switch (op) {
    case Op::kInsert:
      return "+I";
    case Op::kDelete:
      return "-D";
    case Op::kUpdateDelete:
      return "-U";
    case Op::kUpdateInsert:
      return "+U";
  }
  return "?";
}

std::string RowText(const std::vector<Value>& values) {
  std::string line;
  for (size_t i = 0; i < values.size(); ++i) {
    line += i > 0 ? "|" : "";
    line += values[i].ToText();
  }
  return line;
}

/// Every row `capture` received as "op values", in order.
Lines Emitted(const CaptureOperator& capture) {
  Lines lines;
  for (const auto& [op, values] : capture.Rows()) {
    lines.push_back(OpName(op) + " " + RowText(values));
  }
  return lines;
}

/// An aggregate operator over its own store with a recording downstream; Restart() replaces the
/// operator by a new instance over the committed state, as a recovery does.
class Harness {
 public:
  explicit Harness(const plan::StreamAggregateNode& node) : node_(node) { Restart(); }

  void Restart() {
    op_ = MakeAggregateOperator(node_, store_.Context());
    op_->SetDownstream(&capture_, 0);
  }
  /// Feeds one chunk of `types`; returns what the operator emitted meanwhile.
  Lines Feed(const std::vector<DataType>& types, const Rows& rows) {
    capture_.Clear();
    op_->OnChunk(0, MakeChunk(types, rows));
    return Record();
  }
  /// Runs and commits a barrier; returns what the operator emitted.
  Lines Barrier() {
    capture_.Clear();
    store_.Barrier(*op_);
    return Record();
  }
  /// Sends a watermark; returns what the operator emitted.
  Lines Watermark(uint32_t column, int64_t value) {
    capture_.Clear();
    op_->OnWatermark(0, column, value);
    return Record();
  }
  /// The committed state entries of the operator.
  size_t StateEntries() {
    const std::string prefix = store_.Context().StatePrefix(kOperatorId);
    std::unique_ptr<storage::Iterator> it =
        store_.Store().Scan(prefix, storage::PrefixUpperBound(prefix));
    size_t count = 0;
    for (; it->Valid(); it->Next()) {
      ++count;
    }
    return count;
  }
  StreamOperator& Operator() { return *op_; }
  /// What the last call emitted.
  CaptureOperator& Capture() { return capture_; }
  /// Every row emitted since the start, across restarts.
  const Rows& History() const { return history_; }

 private:
  Lines Record() {
    for (auto& row : capture_.Rows()) {
      history_.push_back(std::move(row));
    }
    return Emitted(capture_);
  }

  const plan::StreamAggregateNode& node_;
  TestStateStore store_;
  CaptureOperator capture_;
  std::unique_ptr<StreamOperator> op_;
  Rows history_;
};

Value Int(int32_t value) {
  return Value::Integer(value);
}
Value Double(double value) {
  return Value::Double(value);
}
Value Numeric(std::string_view text) {
  return Value::Numeric(DataType::Numeric(), numeric::Parse(text));
}
Value Time(int64_t micros) {
  return Value::Int(DataType::Timestamp(), micros);
}
Value Null(DataType type) {
  return Value::Null(type);
}

const DataType kInt = DataType::Integer();
const DataType kBigint = DataType::Bigint();
const DataType kDouble = DataType::Double();
const DataType kText = DataType::Text();
const DataType kBool = DataType::Boolean();
const DataType kNumeric = DataType::Numeric();
const DataType kTimestamp = DataType::Timestamp();

TEST(StreamAggregateTest, InsertsAndRetractionsEmitInsertsUpdatesAndDeletes) {
  const std::vector<DataType> types = {kInt, kInt};
  auto node =
      MakeNode({kInt}, {Call("count"), Call("count", {TypeId::kInteger}, {1}),
                        Call("sum", {TypeId::kInteger}, {1}), Call("min", {TypeId::kInteger}, {1}),
                        Call("max", {TypeId::kInteger}, {1})});
  Harness harness(*node);
  EXPECT_EQ(harness.Feed(types, {{Op::kInsert, {Int(1), Int(10)}},
                                 {Op::kInsert, {Int(1), Int(20)}},
                                 {Op::kInsert, {Int(2), Int(5)}},
                                 {Op::kInsert, {Int(1), Null(kInt)}}}),
            Lines{});
  EXPECT_EQ(harness.Barrier(), (Lines{"+I 1|3|2|30|10|20", "+I 2|1|1|5|5|5"}));

  harness.Feed(types, {{Op::kDelete, {Int(1), Int(20)}}});
  EXPECT_EQ(harness.Barrier(), (Lines{"-U 1|3|2|30|10|20", "+U 1|2|1|10|10|10"}));

  harness.Feed(types, {{Op::kDelete, {Int(2), Int(5)}}});
  EXPECT_EQ(harness.Barrier(), (Lines{"-D 2|1|1|5|5|5"}));

  harness.Feed(types, {{Op::kUpdateDelete, {Int(1), Int(10)}},
                       {Op::kUpdateInsert, {Int(1), Int(15)}},
                       {Op::kInsert, {Int(2), Int(7)}}});
  EXPECT_EQ(harness.Barrier(), (Lines{"-U 1|2|1|10|10|10", "+U 1|2|1|15|15|15", "+I 2|1|1|7|7|7"}));

  // A change undone within the epoch emits nothing.
  harness.Feed(types, {{Op::kInsert, {Int(1), Int(99)}}, {Op::kDelete, {Int(1), Int(99)}}});
  EXPECT_EQ(harness.Barrier(), Lines{});
  // A group's last NULL value leaves sum, min and max NULL.
  harness.Feed(types, {{Op::kDelete, {Int(1), Int(15)}}});
  EXPECT_EQ(harness.Barrier(), (Lines{"-U 1|2|1|15|15|15", "+U 1|1|0|NULL|NULL|NULL"}));
}

TEST(StreamAggregateTest, GroupsFollowSqlEqualityAndKeepTheirFirstValues) {
  const std::vector<DataType> types = {kDouble, kNumeric, kText, kInt};
  auto node = MakeNode({kDouble, kNumeric, kText}, {Call("count")});
  Harness harness(*node);
  harness.Feed(types,
               {{Op::kInsert, {Double(-0.0), Numeric("1.0"), Value::Text("a"), Int(1)}},
                {Op::kInsert, {Double(0.0), Numeric("1.00"), Value::Text("a"), Int(2)}},
                {Op::kInsert, {Double(std::nan("")), Null(kNumeric), Null(kText), Int(3)}},
                {Op::kInsert, {Double(-std::nan("")), Null(kNumeric), Null(kText), Int(4)}}});
  EXPECT_EQ(harness.Barrier(), (Lines{"+I -0|1.0|a|2", "+I NaN|NULL|NULL|2"}));
  harness.Restart();
  harness.Feed(types, {{Op::kDelete, {Double(0.0), Numeric("1"), Value::Text("a"), Int(2)}}});
  EXPECT_EQ(harness.Barrier(), (Lines{"-U -0|1.0|a|2", "+U -0|1.0|a|1"}));

  // Fixed-width and string group keys, NULLs included, are looked up by their exact bytes.
  const std::vector<DataType> int_types = {kInt, kText, kInt};
  auto int_node = MakeNode({kInt, kText}, {Call("sum", {TypeId::kInteger}, {2})});
  Harness int_harness(*int_node);
  int_harness.Feed(int_types, {{Op::kInsert, {Null(kInt), Value::Text(""), Int(1)}},
                               {Op::kInsert, {Null(kInt), Null(kText), Int(2)}},
                               {Op::kInsert, {Int(0), Value::Text(""), Int(4)}},
                               {Op::kInsert, {Null(kInt), Value::Text(""), Int(8)}}});
  EXPECT_EQ(int_harness.Barrier(), (Lines{"+I NULL||9", "+I NULL|NULL|2", "+I 0||4"}));
}

TEST(StreamAggregateTest, MinAndMaxFindTheNextValueWhenTheCurrentOneIsRetracted) {
  const std::vector<DataType> types = {kInt, kInt, kText};
  auto node =
      MakeNode({kInt}, {Call("min", {TypeId::kInteger}, {1}), Call("max", {TypeId::kInteger}, {1}),
                        Call("min", {TypeId::kText}, {2}), Call("max", {TypeId::kText}, {2})});
  Harness harness(*node);
  harness.Feed(types, {{Op::kInsert, {Int(1), Int(3), Value::Text("b")}},
                       {Op::kInsert, {Int(1), Int(1), Value::Text("a")}},
                       {Op::kInsert, {Int(1), Int(1), Value::Text("a")}},
                       {Op::kInsert, {Int(1), Int(2), Value::Text("c")}}});
  EXPECT_EQ(harness.Barrier(), (Lines{"+I 1|1|3|a|c"}));
  // One of two copies of the minimum goes: the minimum stays.
  harness.Feed(types, {{Op::kDelete, {Int(1), Int(1), Value::Text("a")}}});
  EXPECT_EQ(harness.Barrier(), Lines{});
  harness.Feed(types, {{Op::kDelete, {Int(1), Int(1), Value::Text("a")}}});
  EXPECT_EQ(harness.Barrier(), (Lines{"-U 1|1|3|a|c", "+U 1|2|3|b|c"}));
  harness.Feed(types, {{Op::kDelete, {Int(1), Int(3), Value::Text("b")}},
                       {Op::kDelete, {Int(1), Int(2), Value::Text("c")}},
                       {Op::kInsert, {Int(1), Null(kInt), Null(kText)}}});
  EXPECT_EQ(harness.Barrier(), (Lines{"-U 1|2|3|b|c", "+U 1|NULL|NULL|NULL|NULL"}));
}

TEST(StreamAggregateTest, AppendOnlyInputKeepsRunningMinAndMaxAndRejectsRetractions) {
  const std::vector<DataType> types = {kInt, kDouble, kText};
  auto node = MakeNode({kInt},
                       {Call("min", {TypeId::kDouble}, {1}), Call("max", {TypeId::kDouble}, {1}),
                        Call("max", {TypeId::kText}, {2})},
                       /*append_only=*/true);
  Harness harness(*node);
  harness.Feed(types, {{Op::kInsert, {Int(1), Double(2.5), Value::Text("x")}},
                       {Op::kInsert, {Int(1), Double(-1), Value::Text("y")}}});
  EXPECT_EQ(harness.Barrier(), (Lines{"+I 1|-1|2.5|y"}));
  harness.Feed(types, {{Op::kInsert, {Int(1), Double(std::nan("")), Value::Text("a")}}});
  EXPECT_EQ(harness.Barrier(), (Lines{"-U 1|-1|2.5|y", "+U 1|-1|NaN|y"}));
  try {
    harness.Feed(types, {{Op::kDelete, {Int(1), Double(2.5), Value::Text("x")}}});
    FAIL() << "a retraction on an append-only input must fail";
  } catch (const Error& error) {
    EXPECT_EQ(error.State(), SqlState::kInternalError);
  }
}

TEST(StreamAggregateTest, DistinctAggregatesCountEachValueOnce) {
  const std::vector<DataType> types = {kInt, kInt};
  auto node = MakeNode({kInt}, {Distinct(Call("count", {TypeId::kInteger}, {1})),
                                Distinct(Call("sum", {TypeId::kInteger}, {1})), Call("count")});
  Harness harness(*node);
  harness.Feed(types, {{Op::kInsert, {Int(1), Int(5)}},
                       {Op::kInsert, {Int(1), Int(5)}},
                       {Op::kInsert, {Int(1), Int(6)}},
                       {Op::kInsert, {Int(1), Null(kInt)}}});
  EXPECT_EQ(harness.Barrier(), (Lines{"+I 1|2|11|4"}));
  harness.Feed(types, {{Op::kDelete, {Int(1), Int(5)}}});
  EXPECT_EQ(harness.Barrier(), (Lines{"-U 1|2|11|4", "+U 1|2|11|3"}));
  harness.Feed(types, {{Op::kDelete, {Int(1), Int(5)}}});
  EXPECT_EQ(harness.Barrier(), (Lines{"-U 1|2|11|3", "+U 1|1|6|2"}));
  // The distinct values survive a restart.
  harness.Restart();
  harness.Feed(types, {{Op::kInsert, {Int(1), Int(6)}}, {Op::kInsert, {Int(1), Int(7)}}});
  EXPECT_EQ(harness.Barrier(), (Lines{"-U 1|1|6|2", "+U 1|2|13|4"}));
}

TEST(StreamAggregateTest, FilterLimitsTheRowsAnAggregateSees) {
  const std::vector<DataType> types = {kInt, kInt, kBool};
  auto node = MakeNode({kInt}, {Filtered(Call("count"), 2),
                                Filtered(Call("sum", {TypeId::kInteger}, {1}), 2), Call("count")});
  Harness harness(*node);
  harness.Feed(types, {{Op::kInsert, {Int(1), Int(1), Value::Boolean(true)}},
                       {Op::kInsert, {Int(1), Int(2), Value::Boolean(false)}},
                       {Op::kInsert, {Int(1), Int(4), Null(kBool)}}});
  EXPECT_EQ(harness.Barrier(), (Lines{"+I 1|1|1|3"}));
  harness.Feed(types, {{Op::kDelete, {Int(1), Int(1), Value::Boolean(true)}}});
  EXPECT_EQ(harness.Barrier(), (Lines{"-U 1|1|1|3", "+U 1|0|NULL|2"}));
}

TEST(StreamAggregateTest, GlobalAggregateHasOneRowFromTheFirstBarrier) {
  const std::vector<DataType> types = {kInt};
  auto node = MakeNode({}, {Call("count"), Call("sum", {TypeId::kInteger}, {0})});
  Harness harness(*node);
  EXPECT_EQ(harness.Barrier(), (Lines{"+I 0|NULL"}));
  EXPECT_EQ(harness.Barrier(), Lines{});
  harness.Feed(types, {{Op::kInsert, {Int(10)}}, {Op::kInsert, {Int(20)}}});
  EXPECT_EQ(harness.Barrier(), (Lines{"-U 0|NULL", "+U 2|30"}));
  // A restarted instance already has its row downstream: no second insert.
  harness.Restart();
  EXPECT_EQ(harness.Barrier(), Lines{});
  harness.Feed(types, {{Op::kDelete, {Int(10)}}, {Op::kDelete, {Int(20)}}});
  EXPECT_EQ(harness.Barrier(), (Lines{"-U 2|30", "+U 0|NULL"}));
  EXPECT_EQ(harness.StateEntries(), 1u);
}

TEST(StreamAggregateTest, FloatSumsCountNonFiniteValuesApart) {
  const std::vector<DataType> types = {kInt, kDouble};
  auto node =
      MakeNode({kInt}, {Call("sum", {TypeId::kDouble}, {1}), Call("avg", {TypeId::kDouble}, {1})});
  Harness harness(*node);
  const double infinity = std::numeric_limits<double>::infinity();
  harness.Feed(types,
               {{Op::kInsert, {Int(1), Double(1.5)}}, {Op::kInsert, {Int(1), Double(infinity)}}});
  EXPECT_EQ(harness.Barrier(), (Lines{"+I 1|Infinity|Infinity"}));
  harness.Feed(types, {{Op::kInsert, {Int(1), Double(-infinity)}}});
  EXPECT_EQ(harness.Barrier(), (Lines{"-U 1|Infinity|Infinity", "+U 1|NaN|NaN"}));
  harness.Feed(types, {{Op::kDelete, {Int(1), Double(infinity)}},
                       {Op::kDelete, {Int(1), Double(-infinity)}},
                       {Op::kInsert, {Int(1), Double(2.25)}}});
  EXPECT_EQ(harness.Barrier(), (Lines{"-U 1|NaN|NaN", "+U 1|3.75|1.875"}));
  harness.Feed(types, {{Op::kDelete, {Int(1), Double(1.5)}},
                       {Op::kDelete, {Int(1), Double(2.25)}},
                       {Op::kInsert, {Int(1), Null(kDouble)}}});
  EXPECT_EQ(harness.Barrier(), (Lines{"-U 1|3.75|1.875", "+U 1|NULL|NULL"}));
  // Starting over from no values, a lone -0 sums to -0 as in Postgres.
  harness.Feed(types, {{Op::kInsert, {Int(1), Double(-0.0)}}});
  EXPECT_EQ(harness.Barrier(), (Lines{"-U 1|NULL|NULL", "+U 1|-0|-0"}));
}

TEST(StreamAggregateTest, NumericSumShowsTheLargestScalePresent) {
  const std::vector<DataType> types = {kInt, kNumeric};
  auto node = MakeNode({kInt}, {Call("sum", {TypeId::kNumeric}, {1})});
  Harness harness(*node);
  harness.Feed(types,
               {{Op::kInsert, {Int(1), Numeric("1.50")}}, {Op::kInsert, {Int(1), Numeric("2")}}});
  EXPECT_EQ(harness.Barrier(), (Lines{"+I 1|3.50"}));
  harness.Feed(types, {{Op::kDelete, {Int(1), Numeric("1.50")}}});
  EXPECT_EQ(harness.Barrier(), (Lines{"-U 1|3.50", "+U 1|2"}));
  harness.Feed(types, {{Op::kInsert, {Int(1), Numeric("NaN")}}});
  EXPECT_EQ(harness.Barrier(), (Lines{"-U 1|2", "+U 1|NaN"}));
  harness.Feed(types, {{Op::kDelete, {Int(1), Numeric("NaN")}}});
  EXPECT_EQ(harness.Barrier(), (Lines{"-U 1|NaN", "+U 1|2"}));
}

TEST(StreamAggregateTest, SumOverflowFailsAsOutOfRange) {
  const std::vector<DataType> types = {kInt, kNumeric, kDouble};
  auto node =
      MakeNode({kInt}, {Call("sum", {TypeId::kNumeric}, {1}), Call("sum", {TypeId::kDouble}, {2})});
  Harness harness(*node);
  const auto expect_overflow = [&](const Rows& rows) {
    try {
      harness.Feed(types, rows);
      ADD_FAILURE() << "expected numeric_value_out_of_range";
    } catch (const Error& error) {
      EXPECT_EQ(error.State(), SqlState::kNumericValueOutOfRange) << error.Message();
    }
  };
  expect_overflow(
      {{Op::kInsert, {Int(1), Numeric("90000000000000000000000000000000000"), Double(1)}},
       {Op::kInsert, {Int(1), Numeric("90000000000000000000000000000000000"), Double(1)}}});
  expect_overflow({{Op::kInsert, {Int(2), Numeric("1"), Double(1e308)}},
                   {Op::kInsert, {Int(2), Numeric("1"), Double(1e308)}}});
}

TEST(StreamAggregateTest, BoolAndOrAndStringAggRetract) {
  const std::vector<DataType> types = {kInt, kBool, kText, kText, kInt};
  plan::AggregateCall ordered = Call("string_agg", {TypeId::kText, TypeId::kText}, {2, 3});
  ordered.order_by = {plan::SortKey{4, true, false}};
  auto node = MakeNode({kInt}, {Call("bool_and", {TypeId::kBoolean}, {1}),
                                Call("bool_or", {TypeId::kBoolean}, {1}), ordered});
  Harness harness(*node);
  const Value comma = Value::Text(",");
  harness.Feed(types,
               {{Op::kInsert, {Int(1), Value::Boolean(true), Value::Text("a"), comma, Int(1)}},
                {Op::kInsert, {Int(1), Value::Boolean(false), Value::Text("b"), comma, Int(2)}},
                {Op::kInsert, {Int(1), Null(kBool), Value::Text("c"), Value::Text("-"), Int(3)}}});
  EXPECT_EQ(harness.Barrier(), (Lines{"+I 1|f|t|c,b,a"}));
  harness.Feed(types,
               {{Op::kDelete, {Int(1), Value::Boolean(false), Value::Text("b"), comma, Int(2)}}});
  EXPECT_EQ(harness.Barrier(), (Lines{"-U 1|f|t|c,b,a", "+U 1|t|t|c,a"}));
  harness.Restart();
  harness.Feed(types,
               {{Op::kDelete, {Int(1), Value::Boolean(true), Value::Text("a"), comma, Int(1)}}});
  EXPECT_EQ(harness.Barrier(), (Lines{"-U 1|t|t|c,a", "+U 1|NULL|NULL|c"}));
}

// --- Agreement with the batch aggregate ----------------------------------------------------------

/// The rows of the batch aggregate over `rows`, as "values" lines, sorted.
Lines RunBatch(const std::vector<DataType>& types,
               const Rows& rows,
               uint32_t group_count,
               const std::vector<plan::AggregateCall>& calls) {
  plan::AggregateNode aggregate;
  aggregate.group_count = group_count;
  aggregate.aggregates = calls;
  auto scan = std::make_unique<plan::ChunkScanNode>();
  for (size_t i = 0; i < types.size(); ++i) {
    scan->outputs.push_back({fmt::format("c{}", i), types[i]});
  }
  for (uint32_t i = 0; i < group_count; ++i) {
    aggregate.outputs.push_back({fmt::format("g{}", i), types[i]});
  }
  for (const plan::AggregateCall& call : calls) {
    aggregate.outputs.push_back({std::string(call.function->name), call.result});
  }
  scan->rows = std::make_shared<const Chunk>(MakeChunk(types, rows));
  aggregate.input = std::move(scan);
  BatchContext context;
  auto query = BuildBatchOperator(aggregate, context);
  Lines lines;
  Chunk chunk;
  while (query->Next(chunk)) {
    for (size_t row = 0; row < chunk.NumRows(); ++row) {
      std::vector<Value> values;
      for (size_t column = 0; column < chunk.NumColumns(); ++column) {
        values.push_back(chunk.GetColumn(column).GetValue(row));
      }
      lines.push_back(RowText(values));
    }
  }
  std::sort(lines.begin(), lines.end());
  return lines;
}

/// The rows a downstream view holds after applying the changes `emitted`, keyed by the first
/// `group_count` columns, as sorted "values" lines.
Lines Materialize(const Rows& emitted, size_t group_count) {
  std::map<std::string, std::string> view;
  for (const auto& [op, values] : emitted) {
    const std::string key =
        RowText(std::vector<Value>(values.begin(), values.begin() + group_count));
    if (op == Op::kInsert || op == Op::kUpdateInsert) {
      EXPECT_TRUE(view.emplace(key, RowText(values)).second) << "duplicate insert of " << key;
    } else {
      EXPECT_EQ(view.erase(key), 1u) << "delete of a missing row " << key;
    }
  }
  Lines lines;
  for (const auto& [key, row] : view) {
    lines.push_back(row);
  }
  std::sort(lines.begin(), lines.end());
  return lines;
}

std::vector<plan::AggregateCall> StatisticCalls() {
  std::vector<plan::AggregateCall> calls;
  for (std::string_view name : {"avg", "var_samp", "var_pop", "stddev_samp", "stddev_pop"}) {
    calls.push_back(Call(name, {TypeId::kInteger}, {1}));
    calls.push_back(Call(name, {TypeId::kNumeric}, {2}));
    calls.push_back(Call(name, {TypeId::kDouble}, {3}));
  }
  calls.push_back(Call("sum", {TypeId::kNumeric}, {2}));
  calls.push_back(Call("sum", {TypeId::kDouble}, {3}));
  return calls;
}

Rows StatisticRows(const std::vector<double>& doubles, int32_t group) {
  Rows rows;
  for (size_t i = 0; i < doubles.size(); ++i) {
    const auto integer = static_cast<int32_t>(i * i * 7 % 23) - 5;
    rows.push_back({Op::kInsert,
                    {Int(group), Int(integer), Numeric(fmt::format("{}.{}", integer, i % 3 * 25)),
                     Double(doubles[i])}});
  }
  return rows;
}

TEST(StreamAggregateTest, StatisticsUnderRetractionEqualTheBatchAggregate) {
  const std::vector<DataType> types = {kInt, kInt, kNumeric, kDouble};
  // Multiples of 1/8 (sums stay exact, so avg and sum cannot drift under retraction) in one group,
  // arbitrary decimals in the other (var and stddev replay the multiset, exact under any
  // retraction).
  const Rows eighths = StatisticRows({0.125, 7.5, -3.25, 100.875, 2.5, 2.5, 9}, 1);
  const Rows decimals = StatisticRows({0.1, 0.7, 1.3, 2.9, 10.25, 3.3333, 1e10, -4.1}, 2);
  Rows kept = eighths;
  for (const auto& row : decimals) {
    kept.push_back(row);
  }
  std::vector<plan::AggregateCall> calls = StatisticCalls();
  auto node = MakeNode({kInt}, calls);
  Harness harness(*node);
  // Extra rows arrive first and go again, so the kept ones are what remains.
  Rows extra = StatisticRows({1e6, -42.5, 0.375}, 1);
  for (const auto& row : StatisticRows({55.5, 0.2}, 2)) {
    extra.push_back(row);
  }
  harness.Feed(types, extra);
  harness.Feed(types, eighths);
  harness.Barrier();
  Rows retractions = extra;
  for (auto& [op, values] : retractions) {
    op = Op::kDelete;
  }
  harness.Feed(types, retractions);
  harness.Barrier();
  harness.Feed(types, decimals);
  harness.Barrier();

  // The batch aggregate sees the values in ascending order, the order the float var / stddev
  // replay uses; avg and sum of doubles are order-independent for the group of eighths only, so
  // compare the group of decimals for the integer and numeric results and for var / stddev.
  Rows sorted = kept;
  std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
    return a.second[3].GetDouble() < b.second[3].GetDouble();
  });
  Lines batch = RunBatch(types, sorted, 1, calls);
  Lines stream = Materialize(harness.History(), 1);
  ASSERT_EQ(batch.size(), 2u);
  ASSERT_EQ(stream.size(), 2u);
  EXPECT_EQ(stream[0], batch[0]);
  // Group 2: every column but avg(double) and sum(double).
  const auto drop = [&](const std::string& line) {
    std::vector<std::string> fields;
    size_t start = 0;
    for (size_t end; (end = line.find('|', start)) != std::string::npos; start = end + 1) {
      fields.push_back(line.substr(start, end - start));
    }
    fields.push_back(line.substr(start));
    fields.erase(fields.begin() + 1 + calls.size() - 1);  // sum(double)
    fields.erase(fields.begin() + 1 + 2);                 // avg(double)
    return fields;
  };
  EXPECT_EQ(drop(stream[1]), drop(batch[1]));
}

TEST(StreamAggregateTest, AppendOnlyStatisticsEqualTheBatchAggregateBitForBit) {
  const std::vector<DataType> types = {kInt, kInt, kNumeric, kDouble};
  Rows rows = StatisticRows({0.1, 0.7, 1.3, 2.9, 10.25, 3.3333, 1e10, -4.1, 1e-7}, 1);
  for (const auto& row : StatisticRows({3.7, -0.3, 8.1}, 2)) {
    rows.push_back(row);
  }
  const std::vector<plan::AggregateCall> calls = StatisticCalls();
  auto node = MakeNode({kInt}, calls, /*append_only=*/true);
  Harness harness(*node);
  harness.Feed(types, Rows(rows.begin(), rows.begin() + 4));
  harness.Barrier();
  harness.Restart();
  harness.Feed(types, Rows(rows.begin() + 4, rows.end()));
  harness.Barrier();
  EXPECT_EQ(Materialize(harness.History(), 1), RunBatch(types, rows, 1, calls));
}

// --- EMIT ON WINDOW CLOSE, state cleaning, restarts ------------------------------------------

/// Records the order of the chunks and watermarks an operator emits.
class EventRecorder final : public StreamOperator {
 public:
  void OnChunk(size_t input, const Chunk& chunk) override {
    events.push_back(fmt::format("chunk of {}", chunk.NumRows()));
  }
  void OnWatermark(size_t input, uint32_t column, int64_t value) override {
    events.push_back(fmt::format("watermark {} {}", column, value));
  }
  std::vector<std::string> events;
};

std::unique_ptr<plan::StreamAggregateNode> MakeWindowNode(bool emit_on_window_close,
                                                          int64_t lateness) {
  auto node = MakeNode({kTimestamp, kInt}, {Call("count"), Call("sum", {TypeId::kInteger}, {2})});
  node->emit_on_window_close = emit_on_window_close;
  node->window_column = 0;
  node->watermarks = {plan::WatermarkColumn{0, lateness}};
  return node;
}

const std::vector<DataType> kWindowTypes = {kTimestamp, kInt, kInt};

Rows WindowRows(std::initializer_list<std::tuple<int64_t, int32_t, int32_t>> rows,
                Op op = Op::kInsert) {
  Rows result;
  for (const auto& [window, key, value] : rows) {
    result.push_back({op, {Time(window * kSecond), Int(key), Int(value)}});
  }
  return result;
}

TEST(StreamAggregateTest, EmitOnWindowCloseEmitsClosedWindowsInOrderThenCorrections) {
  auto node = MakeWindowNode(true, 10 * kSecond);
  Harness harness(*node);
  harness.Feed(kWindowTypes,
               WindowRows({{20, 1, 1}, {0, 1, 2}, {10, 2, 3}, {0, 2, 4}, {10, 1, 5}}));
  EXPECT_EQ(harness.Barrier(), Lines{});
  EXPECT_EQ(harness.Watermark(0, 15 * kSecond),
            (Lines{"+I 1970-01-01 00:00:00|1|1|2", "+I 1970-01-01 00:00:00|2|1|4",
                   "+I 1970-01-01 00:00:10|1|1|5", "+I 1970-01-01 00:00:10|2|1|3"}));
  EXPECT_EQ(harness.Capture().watermarks,
            (std::vector<std::pair<uint32_t, int64_t>>{{0, 15 * kSecond}}));
  // A late row within the lateness corrects its emitted window at the barrier; a new group of a
  // closed window is inserted then; a row of a window older than the lateness is ignored.
  harness.Feed(kWindowTypes, WindowRows({{10, 1, 6}, {10, 3, 7}, {20, 1, 8}}));
  EXPECT_EQ(harness.Feed(kWindowTypes, WindowRows({{0, 3, 9}})), Lines{});
  EXPECT_EQ(harness.Barrier(),
            (Lines{"-U 1970-01-01 00:00:10|1|1|5", "+U 1970-01-01 00:00:10|1|2|11",
                   "+I 1970-01-01 00:00:10|3|1|7"}));
  // Retracting a closed group's last row deletes it.
  harness.Feed(kWindowTypes, WindowRows({{10, 3, 7}}, Op::kDelete));
  EXPECT_EQ(harness.Barrier(), (Lines{"-D 1970-01-01 00:00:10|3|1|7"}));
  EXPECT_EQ(harness.Watermark(0, 25 * kSecond), (Lines{"+I 1970-01-01 00:00:20|1|2|9"}));
  // Watermarks of other group columns pass; those of aggregate inputs do not.
  harness.Watermark(1, 7);
  EXPECT_EQ(harness.Capture().watermarks, (std::vector<std::pair<uint32_t, int64_t>>{{1, 7}}));
  harness.Watermark(2, 7);
  EXPECT_TRUE(harness.Capture().watermarks.empty());

  EventRecorder recorder;
  harness.Operator().SetDownstream(&recorder, 0);
  harness.Feed(kWindowTypes, WindowRows({{30, 1, 1}}));
  harness.Operator().OnWatermark(0, 0, 35 * kSecond);
  EXPECT_EQ(recorder.events,
            (std::vector<std::string>{"chunk of 1", fmt::format("watermark 0 {}", 35 * kSecond)}));
}

TEST(StreamAggregateTest, WindowStateBelowWatermarkMinusLatenessIsDropped) {
  for (const bool emit_on_window_close : {false, true}) {
    SCOPED_TRACE(emit_on_window_close ? "EMIT ON WINDOW CLOSE" : "emit on update");
    auto node = MakeWindowNode(emit_on_window_close, 10 * kSecond);
    Harness harness(*node);
    harness.Feed(kWindowTypes, WindowRows({{0, 1, 1}, {0, 2, 2}, {10, 1, 3}, {20, 1, 4}}));
    harness.Barrier();
    EXPECT_EQ(harness.StateEntries(), 4u);
    harness.Watermark(0, 15 * kSecond);
    Lines emitted = harness.Barrier();
    // Windows before 5 s are gone; the others and the watermark (metadata) remain.
    EXPECT_EQ(harness.StateEntries(), 3u);
    // The dropped windows' rows stay downstream: nothing retracts them.
    for (const std::string& line : emitted) {
      EXPECT_NE(line.substr(0, 2), "-D") << line;
      EXPECT_NE(line.substr(0, 2), "-U") << line;
    }
    harness.Watermark(0, 100 * kSecond);
    harness.Barrier();
    EXPECT_EQ(harness.StateEntries(), 1u);
    // Rows of dropped windows change nothing; a new window starts fresh.
    harness.Feed(kWindowTypes, WindowRows({{10, 1, 5}, {100, 1, 6}}));
    harness.Barrier();
    EXPECT_EQ(harness.StateEntries(), 2u);
  }
}

/// The operations `op` stages at a barrier, as "put", "delete" and "delete range" (not committed).
std::vector<std::string> BarrierOperations(StreamOperator& op) {
  storage::WriteBatch batch;
  op.OnBarrier(EpochContext{1000, &batch});
  std::vector<std::string> kinds;
  batch.ForEach([&](const storage::WriteBatch::Entry& entry) {
    kinds.push_back(entry.kind == storage::WriteBatch::Kind::kPut      ? "put"
                    : entry.kind == storage::WriteBatch::Kind::kDelete ? "delete"
                                                                       : "delete range");
  });
  return kinds;
}

TEST(StreamAggregateTest, WindowsDropTheirStoredGroupsWithOneRangeDeletion) {
  auto node = MakeWindowNode(false, 0);
  Harness harness(*node);
  // Groups that come and go within one epoch never reach the store: only the watermark does.
  harness.Feed(kWindowTypes, WindowRows({{0, 1, 1}, {0, 2, 2}, {10, 1, 3}}));
  harness.Watermark(0, 20 * kSecond);
  EXPECT_EQ(BarrierOperations(harness.Operator()), (std::vector<std::string>{"put"}));
  // Stored groups of a window (the first group column) go with one range deletion per window.
  harness.Feed(kWindowTypes, WindowRows({{30, 1, 1}, {30, 2, 2}, {30, 3, 3}, {40, 1, 4}}));
  harness.Barrier();
  // Four groups (the watermark's put above was not committed).
  EXPECT_EQ(harness.StateEntries(), 4u);
  harness.Watermark(0, 35 * kSecond);
  harness.Barrier();
  EXPECT_EQ(harness.StateEntries(), 2u);
  harness.Watermark(0, 45 * kSecond);
  EXPECT_EQ(BarrierOperations(harness.Operator()),
            (std::vector<std::string>{"delete range", "put"}));
}

/// Deterministic pseudo-random numbers.
class Random {
 public:
  explicit Random(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    state_ = state_ * 6364136223846793005ULL + 1442695040888963407ULL;
    return state_ >> 33;
  }

 private:
  uint64_t state_;
};

/// A script of epochs: chunks of inserts and retractions of earlier inserts, with watermarks.
struct Epoch {
  std::vector<Rows> chunks;
  std::optional<int64_t> watermark;
};

std::vector<Epoch> MakeScript(size_t epochs, bool windowed) {
  Random random(42);
  std::vector<std::vector<Value>> live;
  std::vector<Epoch> script;
  int64_t time = 0;
  for (size_t e = 0; e < epochs; ++e) {
    Epoch epoch;
    for (int c = 0; c < 3; ++c) {
      Rows chunk;
      for (int r = 0; r < 40; ++r) {
        if (!live.empty() && random.Next() % 3 == 0) {
          const size_t victim = random.Next() % live.size();
          const bool update = random.Next() % 2 == 0;
          chunk.push_back({update ? Op::kUpdateDelete : Op::kDelete, live[victim]});
          if (update) {
            live[victim][2] = Int(static_cast<int32_t>(random.Next() % 50));
            chunk.push_back({Op::kUpdateInsert, live[victim]});
          } else {
            live.erase(live.begin() + static_cast<std::ptrdiff_t>(victim));
          }
          continue;
        }
        time += static_cast<int64_t>(random.Next() % 3) * kSecond;
        const int64_t window = windowed ? (time / (10 * kSecond)) * 10 * kSecond
                                        : static_cast<int64_t>(random.Next() % 4) * kSecond;
        std::vector<Value> row = {
            Time(window),
            Int(static_cast<int32_t>(random.Next() % 5)),
            Int(static_cast<int32_t>(random.Next() % 50)),
            random.Next() % 7 == 0 ? Null(kText)
                                   : Value::Text(fmt::format("s{}", random.Next() % 9)),
            Double(static_cast<double>(random.Next() % 1000) / 7.0),
            Numeric(fmt::format("{}.{}", random.Next() % 100, random.Next() % 10))};
        chunk.push_back({Op::kInsert, row});
        live.push_back(row);
      }
      epoch.chunks.push_back(std::move(chunk));
    }
    if (windowed) {
      epoch.watermark = time - 15 * kSecond;
      // Rows behind the watermark minus the lateness are diverted by the source.
      std::erase_if(live, [&](const std::vector<Value>& row) {
        return row[0].GetInt() < *epoch.watermark - 20 * kSecond;
      });
    }
    script.push_back(std::move(epoch));
  }
  return script;
}

std::unique_ptr<plan::StreamAggregateNode> MakeRestartNode(bool windowed) {
  plan::AggregateCall ordered = Call("string_agg", {TypeId::kText, TypeId::kText}, {3, 3});
  ordered.order_by = {plan::SortKey{2, false, false}};
  auto node = MakeNode(
      {kTimestamp, kInt},
      {Call("count"), Call("sum", {TypeId::kInteger}, {2}), Call("min", {TypeId::kInteger}, {2}),
       Call("max", {TypeId::kText}, {3}), Distinct(Call("count", {TypeId::kText}, {3})), ordered,
       Call("var_samp", {TypeId::kDouble}, {4}), Call("avg", {TypeId::kNumeric}, {5}),
       Call("stddev_pop", {TypeId::kInteger}, {2}), Call("sum", {TypeId::kDouble}, {4})});
  if (windowed) {
    node->emit_on_window_close = true;
    node->window_column = 0;
    node->watermarks = {plan::WatermarkColumn{0, 20 * kSecond}};
  }
  return node;
}

/// Runs `script` through `harness`, restarting it after epoch `restart_after` (if any); returns
/// what was emitted in each epoch.
std::vector<Lines> RunScript(Harness& harness,
                             const std::vector<Epoch>& script,
                             std::optional<size_t> restart_after) {
  const std::vector<DataType> types = {kTimestamp, kInt, kInt, kText, kDouble, kNumeric};
  std::vector<Lines> emitted;
  for (size_t e = 0; e < script.size(); ++e) {
    Lines lines;
    for (const Rows& rows : script[e].chunks) {
      for (std::string& line : harness.Feed(types, rows)) {
        lines.push_back(std::move(line));
      }
    }
    if (script[e].watermark) {
      for (std::string& line : harness.Watermark(0, *script[e].watermark)) {
        lines.push_back(std::move(line));
      }
    }
    for (std::string& line : harness.Barrier()) {
      lines.push_back(std::move(line));
    }
    emitted.push_back(std::move(lines));
    if (restart_after && e == *restart_after) {
      harness.Restart();
    }
  }
  return emitted;
}

TEST(StreamAggregateTest, RestartedOperatorContinuesAsIfUninterrupted) {
  for (const bool windowed : {false, true}) {
    SCOPED_TRACE(windowed ? "EMIT ON WINDOW CLOSE" : "emit on update");
    auto node = MakeRestartNode(windowed);
    const std::vector<Epoch> script = MakeScript(12, windowed);
    Harness uninterrupted(*node);
    const std::vector<Lines> expected = RunScript(uninterrupted, script, std::nullopt);
    for (size_t restart_after : {0, 4, 9}) {
      Harness restarted(*node);
      EXPECT_EQ(RunScript(restarted, script, restart_after), expected)
          << "restart after epoch " << restart_after;
      EXPECT_EQ(restarted.StateEntries(), uninterrupted.StateEntries());
    }
    size_t rows = 0;
    for (const Lines& lines : expected) {
      rows += lines.size();
    }
    EXPECT_GT(rows, 50u);
  }
}

TEST(StreamAggregateTest, ManyGroupsComingAndGoingMatchAModel) {
  const std::vector<DataType> types = {kInt, kText, kInt};
  auto node = MakeNode({kInt, kText}, {Call("count"), Call("sum", {TypeId::kInteger}, {2})});
  Harness harness(*node);
  Random random(99);
  std::map<std::pair<int32_t, std::string>, std::vector<int32_t>> model;
  for (int epoch = 0; epoch < 40; ++epoch) {
    Rows rows;
    for (int r = 0; r < 500; ++r) {
      const auto key = static_cast<int32_t>(random.Next() % 3000);
      // Short and long strings: lookup keys of every length, up to and past 16 bytes.
      const std::string text(random.Next() % 24, static_cast<char>('a' + key % 26));
      std::vector<int32_t>& values = model[{key, text}];
      if (!values.empty() && random.Next() % 2 == 0) {
        rows.push_back({Op::kDelete, {Int(key), Value::Text(text), Int(values.back())}});
        values.pop_back();
      } else {
        values.push_back(static_cast<int32_t>(random.Next() % 100));
        rows.push_back({Op::kInsert, {Int(key), Value::Text(text), Int(values.back())}});
      }
    }
    harness.Feed(types, rows);
    harness.Barrier();
    if (epoch % 10 == 9) {
      harness.Restart();
    }
  }
  Lines expected;
  for (const auto& [key, values] : model) {
    if (!values.empty()) {
      int64_t sum = 0;
      for (int32_t value : values) {
        sum += value;
      }
      expected.push_back(fmt::format("{}|{}|{}|{}", key.first, key.second, values.size(), sum));
    }
  }
  std::sort(expected.begin(), expected.end());
  EXPECT_GT(expected.size(), 1000u);
  EXPECT_EQ(Materialize(harness.History(), 2), expected);
  EXPECT_EQ(harness.StateEntries(), expected.size());
}

// --- Throughput ----------------------------------------------------------------------------------

/// Times 10M rows of `count(*), sum(x), max(x) GROUP BY k` over 1,000 groups, a barrier every
/// 1,000 chunks. Run with --gtest_also_run_disabled_tests in a release build.
void MeasureThroughput(bool append_only) {
  constexpr size_t kRows = 10'000'000;
  constexpr size_t kGroups = 1000;
  const std::vector<DataType> types = {kInt, kBigint};
  auto node = MakeNode(
      {kInt},
      {Call("count"), Call("sum", {TypeId::kBigint}, {1}), Call("max", {TypeId::kBigint}, {1})},
      append_only);
  TestStateStore store;
  std::unique_ptr<StreamOperator> op = MakeAggregateOperator(*node, store.Context());
  CaptureOperator capture;
  op->SetDownstream(&capture, 0);
  // A few distinct chunks, reused, so generating input costs nothing inside the timing.
  std::vector<Chunk> chunks;
  Random random(7);
  for (int c = 0; c < 64; ++c) {
    Chunk chunk(types);
    for (size_t row = 0; row < Chunk::kChunkSize; ++row) {
      chunk.MutableColumn(0).Append<int32_t>(static_cast<int32_t>(random.Next() % kGroups));
      chunk.MutableColumn(1).Append<int64_t>(static_cast<int64_t>(random.Next() % 1'000'000));
    }
    chunk.SetNumRows(Chunk::kChunkSize);
    chunks.push_back(std::move(chunk));
  }
  const auto start = std::chrono::steady_clock::now();
  timespec cpu_start;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu_start);
  size_t rows = 0;
  for (size_t c = 0; rows < kRows; ++c) {
    op->OnChunk(0, chunks[c % chunks.size()]);
    rows += Chunk::kChunkSize;
    if (c % 1000 == 999) {
      store.Barrier(*op);
      capture.Clear();
    }
  }
  store.Barrier(*op);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  timespec cpu_end;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu_end);
  const double cpu_seconds = static_cast<double>(cpu_end.tv_sec - cpu_start.tv_sec) +
                             static_cast<double>(cpu_end.tv_nsec - cpu_start.tv_nsec) / 1e9;
  // CPU time is the figure to compare: on a shared machine the wall clock includes waiting.
  std::printf("%s input: %zu rows in %.3f s wall (%.1f M rows/s), %.3f s CPU (%.1f M rows/s)\n",
              append_only ? "append-only" : "retractable", rows, seconds, rows / seconds / 1e6,
              cpu_seconds, rows / cpu_seconds / 1e6);
}

TEST(StreamAggregateTest, DISABLED_ThroughputAppendOnlyCountSumMaxOf1000Groups) {
  MeasureThroughput(true);
}

TEST(StreamAggregateTest, DISABLED_ThroughputRetractableCountSumMaxOf1000Groups) {
  MeasureThroughput(false);
}

}  // namespace
}  // namespace freshet::executor::stream
