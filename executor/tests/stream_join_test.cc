// SPDX-License-Identifier: Apache-2.0
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "common/error.h"
#include "executor/stream/stream_operator.h"
#include "executor/tests/stream_test_util.h"
#include "function/scalar_function.h"
#include "storage/key_codec.h"

namespace freshet::executor::stream {
namespace {

using plan::JoinType;
using testing::CaptureOperator;
using testing::MakeChunk;
using testing::TestStateStore;

using Row = std::vector<Value>;
using ChangeRows = std::vector<std::pair<Op, Row>>;

constexpr uint16_t kOperatorId = 7;

// Left: (id, k, a, name); right: (id, k, b). The join is on k; the optional condition is a <= b.
const std::vector<DataType> kLeftTypes = {DataType::Bigint(), DataType::Bigint(),
                                          DataType::Bigint(), DataType::Text()};
const std::vector<DataType> kRightTypes = {DataType::Bigint(), DataType::Bigint(),
                                           DataType::Bigint()};

Value Big(std::optional<int64_t> value) {
  return value ? Value::Bigint(*value) : Value::Null(DataType::Bigint());
}

Row L(int64_t id, std::optional<int64_t> k, std::optional<int64_t> a = 0, const char* name = "x") {
  return {Value::Bigint(id), Big(k), Big(a), Value::Text(name)};
}

Row R(int64_t id, std::optional<int64_t> k, std::optional<int64_t> b = 0) {
  return {Value::Bigint(id), Big(k), Big(b)};
}

const function::ScalarFunction& BigintComparison(std::string_view name) {
  for (const auto* function : function::FunctionRegistry::Builtins().Overloads(name, 2)) {
    if (function->arguments[0] == TypeId::kBigint && function->arguments[1] == TypeId::kBigint) {
      return *function;
    }
  }
  throw Error::Internal("missing overload");
}

// The join reads only the outputs and the stream key of its inputs, so any node kind stands in.
plan::StreamNodePtr MakeInput(const std::vector<DataType>& types) {
  auto input = std::make_unique<plan::StreamUnionNode>();
  for (size_t i = 0; i < types.size(); ++i) {
    input->outputs.push_back({"c" + std::to_string(i), types[i]});
  }
  input->stream_key = {0};
  return input;
}

struct JoinOptions {
  JoinType type = JoinType::kInner;
  bool condition = false;
  std::optional<plan::StreamJoinNode::Cleaning> left_cleaning;
  std::optional<plan::StreamJoinNode::Cleaning> right_cleaning;
  std::vector<DataType> left_types = kLeftTypes;
  std::vector<DataType> right_types = kRightTypes;
};

JoinOptions Join(JoinType type, bool condition = false) {
  JoinOptions options;
  options.type = type;
  options.condition = condition;
  return options;
}

JoinOptions Cleaned(JoinOptions options,
                    std::optional<plan::StreamJoinNode::Cleaning> left,
                    std::optional<plan::StreamJoinNode::Cleaning> right) {
  options.left_cleaning = left;
  options.right_cleaning = right;
  return options;
}

std::unique_ptr<plan::StreamJoinNode> MakeJoin(const JoinOptions& options) {
  auto node = std::make_unique<plan::StreamJoinNode>();
  node->type = options.type;
  node->inputs.push_back(MakeInput(options.left_types));
  node->inputs.push_back(MakeInput(options.right_types));
  for (const auto& input : node->inputs) {
    node->outputs.insert(node->outputs.end(), input->outputs.begin(), input->outputs.end());
  }
  const auto left_width = static_cast<uint32_t>(options.left_types.size());
  node->left_keys = {1};
  node->right_keys = {1};
  node->stream_key = {0, left_width};
  node->operator_id = kOperatorId;
  if (options.condition) {
    std::vector<plan::ExpressionPtr> arguments;
    arguments.push_back(plan::Expression::Column(2, DataType::Bigint()));
    arguments.push_back(plan::Expression::Column(left_width + 2, DataType::Bigint()));
    node->condition = plan::Expression::Call(BigintComparison("<="), std::move(arguments));
  }
  node->left_cleaning = options.left_cleaning;
  node->right_cleaning = options.right_cleaning;
  return node;
}

std::string RowText(const Row& row) {
  std::string text;
  for (size_t i = 0; i < row.size(); ++i) {
    text += i > 0 ? "|" : "";
    text += row[i].ToText();
  }
  return text;
}

std::string OpText(Op op) {
  switch (op) {
    case Op::kInsert:
      return "+ ";
    case Op::kDelete:
      return "- ";
    case Op::kUpdateDelete:
      return "U- ";
    case Op::kUpdateInsert:
      return "U+ ";
  }
  return "? ";
}

/// Runs a join operator over a TestStateStore and returns what each call emits as text lines
/// ("+ 1|5|0|x|2|5|0").
class JoinHarness {
 public:
  explicit JoinHarness(const JoinOptions& options) : node_(MakeJoin(options)) { Restart(); }

  /// Replaces the operator by a new instance over the committed state.
  void Restart() {
    op_ = MakeJoinOperator(*node_, store_.Context());
    op_->SetDownstream(&capture_, 0);
  }
  std::vector<std::string> Left(const ChangeRows& rows) {
    return Run([&] { op_->OnChunk(0, MakeChunk(node_->inputs[0]->OutputTypes(), rows)); });
  }
  std::vector<std::string> Right(const ChangeRows& rows) {
    return Run([&] { op_->OnChunk(1, MakeChunk(node_->inputs[1]->OutputTypes(), rows)); });
  }
  std::vector<std::string> Watermark(size_t input, uint32_t column, int64_t value) {
    return Run([&] { op_->OnWatermark(input, column, value); });
  }
  void Barrier() { store_.Barrier(*op_); }
  /// Runs a barrier and returns the kinds of the operations it staged, in order, without
  /// committing them.
  std::vector<std::string> BarrierOperations() {
    storage::WriteBatch batch;
    op_->OnBarrier(EpochContext{1000, &batch});
    std::vector<std::string> kinds;
    batch.ForEach([&](const storage::WriteBatch::Entry& entry) {
      kinds.push_back(entry.kind == storage::WriteBatch::Kind::kPut      ? "put"
                      : entry.kind == storage::WriteBatch::Kind::kDelete ? "delete"
                                                                         : "delete range");
    });
    return kinds;
  }
  /// The committed state entries of the operator.
  size_t StateEntries() {
    const std::string prefix = store_.Context().StatePrefix(kOperatorId);
    auto it = store_.Store().Scan(prefix, storage::PrefixUpperBound(prefix));
    size_t count = 0;
    for (; it->Valid(); it->Next()) {
      ++count;
    }
    it->GetStatus().ThrowIfError();
    return count;
  }
  std::vector<std::pair<std::string, std::string>> StateContents() {
    const std::string prefix = store_.Context().StatePrefix(kOperatorId);
    auto it = store_.Store().Scan(prefix, storage::PrefixUpperBound(prefix));
    std::vector<std::pair<std::string, std::string>> contents;
    for (; it->Valid(); it->Next()) {
      contents.emplace_back(std::string(it->Key()), std::string(it->Value()));
    }
    it->GetStatus().ThrowIfError();
    return contents;
  }
  const std::vector<std::pair<uint32_t, int64_t>>& Watermarks() const {
    return capture_.watermarks;
  }
  const CaptureOperator& Capture() const { return capture_; }

 private:
  template <typename Call>
  std::vector<std::string> Run(Call call) {
    capture_.chunks.clear();
    call();
    std::vector<std::string> lines;
    for (const auto& [op, values] : capture_.Rows()) {
      lines.push_back(OpText(op) + RowText(values));
    }
    return lines;
  }

  std::unique_ptr<plan::StreamJoinNode> node_;
  TestStateStore store_;
  CaptureOperator capture_;
  std::unique_ptr<StreamOperator> op_;
};

std::vector<std::string> Sorted(std::vector<std::string> lines) {
  std::sort(lines.begin(), lines.end());
  return lines;
}

using Lines = std::vector<std::string>;

TEST(StreamJoinTest, InnerJoinEmitsChangesOfBothSides) {
  JoinHarness join(Join(JoinType::kInner));
  EXPECT_EQ(join.Left({{Op::kInsert, L(1, 10)}}), Lines{});
  EXPECT_EQ(join.Right({{Op::kInsert, R(2, 10, 7)}}), Lines{"+ 1|10|0|x|2|10|7"});
  EXPECT_EQ(join.Right({{Op::kInsert, R(3, 20)}}), Lines{});
  EXPECT_EQ(join.Left({{Op::kInsert, L(4, 20, 1, "y")}}), Lines{"+ 4|20|1|y|3|20|0"});
  EXPECT_EQ(join.Left({{Op::kDelete, L(1, 10)}}), Lines{"- 1|10|0|x|2|10|7"});
  EXPECT_EQ(join.Right({{Op::kDelete, R(3, 20)}}), Lines{"- 4|20|1|y|3|20|0"});
  // An update that moves a row to another key retracts nothing (its old partner is gone) and
  // joins it under the new key; update ops come out as plain deletes and inserts.
  EXPECT_EQ(join.Right({{Op::kUpdateDelete, R(2, 10, 7)}, {Op::kUpdateInsert, R(2, 20, 8)}}),
            Lines{"+ 4|20|1|y|2|20|8"});
  EXPECT_EQ(
      join.Left({{Op::kUpdateDelete, L(4, 20, 1, "y")}, {Op::kUpdateInsert, L(4, 20, 2, "z")}}),
      (Lines{"- 4|20|1|y|2|20|8", "+ 4|20|2|z|2|20|8"}));
  // Deleting a row that was never inserted retracts nothing.
  EXPECT_EQ(join.Left({{Op::kDelete, L(9, 20)}}), Lines{});
}

TEST(StreamJoinTest, DuplicateKeysJoinManyToMany) {
  JoinHarness join(Join(JoinType::kInner));
  join.Left({{Op::kInsert, L(1, 5)}, {Op::kInsert, L(2, 5)}});
  EXPECT_EQ(
      Sorted(join.Right({{Op::kInsert, R(11, 5)}, {Op::kInsert, R(12, 5)}})),
      (Lines{"+ 1|5|0|x|11|5|0", "+ 1|5|0|x|12|5|0", "+ 2|5|0|x|11|5|0", "+ 2|5|0|x|12|5|0"}));
  EXPECT_EQ(Sorted(join.Left({{Op::kInsert, L(3, 5)}})),
            (Lines{"+ 3|5|0|x|11|5|0", "+ 3|5|0|x|12|5|0"}));
  EXPECT_EQ(Sorted(join.Right({{Op::kDelete, R(11, 5)}})),
            (Lines{"- 1|5|0|x|11|5|0", "- 2|5|0|x|11|5|0", "- 3|5|0|x|11|5|0"}));
  // An insert and a delete of one row in the same chunk: both take effect, in order.
  EXPECT_EQ(join.Left({{Op::kInsert, L(4, 5)}, {Op::kDelete, L(4, 5)}}),
            (Lines{"+ 4|5|0|x|12|5|0", "- 4|5|0|x|12|5|0"}));
  EXPECT_EQ(Sorted(join.Right({{Op::kInsert, R(13, 5)}})),
            (Lines{"+ 1|5|0|x|13|5|0", "+ 2|5|0|x|13|5|0", "+ 3|5|0|x|13|5|0"}));
}

TEST(StreamJoinTest, ManyMatchesSpanSeveralOutputChunks) {
  JoinHarness join(Join(JoinType::kInner));
  ChangeRows lefts;
  for (int64_t id = 0; id < 3000; ++id) {
    lefts.push_back({Op::kInsert, L(id, 1)});
  }
  join.Left(lefts);
  EXPECT_EQ(
      join.Right({{Op::kInsert, R(1, 1)}, {Op::kInsert, R(2, 2)}, {Op::kInsert, R(3, 1)}}).size(),
      6000u);
  EXPECT_EQ(join.Right({{Op::kDelete, R(1, 1)}}).size(), 3000u);
}

TEST(StreamJoinTest, DegreesStayExactWhenCandidatesSpanSeveralBatches) {
  // 3000 candidates per key are evaluated 1024 at a time; a row's NULL-extended output must depend
  // on all of them.
  JoinHarness join(Join(JoinType::kFull, true));
  ChangeRows lefts;
  for (int64_t id = 0; id < 3000; ++id) {
    lefts.push_back({Op::kInsert, L(id, 1, id % 2)});
  }
  EXPECT_EQ(join.Left(lefts).size(), 3000u);
  // b = 0 matches the 1500 rows with a = 0: each loses its NULL-extended row and gains a joined
  // one.
  const Lines first = join.Right({{Op::kInsert, R(1, 1, 0)}});
  EXPECT_EQ(first.size(), 3000u);
  EXPECT_EQ(std::count(first.begin(), first.end(), "- 0|1|0|x|NULL|NULL|NULL"), 1);
  EXPECT_EQ(std::count(first.begin(), first.end(), "+ 2998|1|0|x|1|1|0"), 1);
  EXPECT_EQ(std::count(first.begin(), first.end(), "+ 2999|1|1|x|1|1|0"), 0);
  // b = -1 matches none of the 3000 candidates: one NULL-extended row, emitted once.
  EXPECT_EQ(join.Right({{Op::kInsert, R(2, 1, -1)}, {Op::kInsert, R(3, 2, 5)}}),
            (Lines{"+ NULL|NULL|NULL|NULL|2|1|-1", "+ NULL|NULL|NULL|NULL|3|2|5"}));
  // b = 1 matches all of them: the a = 1 rows lose their NULL-extended rows.
  const Lines third = join.Right({{Op::kInsert, R(4, 1, 1)}});
  EXPECT_EQ(third.size(), 4500u);
  EXPECT_EQ(std::count(third.begin(), third.end(), "- 1|1|1|x|NULL|NULL|NULL"), 1);
  EXPECT_EQ(std::count(third.begin(), third.end(), "- 0|1|0|x|NULL|NULL|NULL"), 0);
  const Lines gone = join.Right({{Op::kDelete, R(1, 1, 0)}, {Op::kDelete, R(4, 1, 1)}});
  EXPECT_EQ(gone.size(), 1500u + 3000u + 3000u);
  EXPECT_EQ(std::count(gone.begin(), gone.end(), "+ 2999|1|1|x|NULL|NULL|NULL"), 1);
  EXPECT_EQ(std::count(gone.begin(), gone.end(), "+ 2998|1|0|x|NULL|NULL|NULL"), 1);
  join.Barrier();
  EXPECT_EQ(join.StateEntries(), 3002u);
}

TEST(StreamJoinTest, ManyKeysSurviveDeletesInRandomOrder) {
  JoinHarness join(Join(JoinType::kInner));
  constexpr int64_t kKeys = 5000;
  ChangeRows lefts;
  ChangeRows rights;
  for (int64_t key = 0; key < kKeys; ++key) {
    lefts.push_back({Op::kInsert, L(key, key * 7919)});
    rights.push_back({Op::kInsert, R(key, key * 7919)});
  }
  join.Left(lefts);
  EXPECT_EQ(join.Right(rights).size(), static_cast<size_t>(kKeys));
  std::vector<int64_t> order(kKeys);
  for (int64_t key = 0; key < kKeys; ++key) {
    order[key] = key;
  }
  std::shuffle(order.begin(), order.end(), std::mt19937(3));
  // Delete two thirds of the left rows one by one: each retracts exactly its own joined row.
  for (size_t i = 0; i < order.size() * 2 / 3; ++i) {
    const int64_t key = order[i];
    ASSERT_EQ(join.Left({{Op::kDelete, L(key, key * 7919)}}),
              Lines{"- " + std::to_string(key) + "|" + std::to_string(key * 7919) + "|0|x|" +
                    std::to_string(key) + "|" + std::to_string(key * 7919) + "|0"});
  }
  // Every key is probed again: exactly the remaining third still matches.
  ChangeRows probes;
  for (int64_t key = 0; key < kKeys; ++key) {
    probes.push_back({Op::kInsert, R(kKeys + key, key * 7919)});
  }
  EXPECT_EQ(join.Right(probes).size(), order.size() - order.size() * 2 / 3);
  join.Barrier();
  join.Restart();
  EXPECT_EQ(join.Left({{Op::kInsert, L(kKeys, order.back() * 7919)}}).size(), 2u);
  EXPECT_EQ(join.Left({{Op::kInsert, L(kKeys + 1, order.front() * 7919)}}).size(), 2u);
}

TEST(StreamJoinTest, NullKeysNeverMatch) {
  JoinHarness inner(Join(JoinType::kInner));
  EXPECT_EQ(inner.Left({{Op::kInsert, L(1, std::nullopt)}}), Lines{});
  EXPECT_EQ(inner.Right({{Op::kInsert, R(2, std::nullopt)}}), Lines{});
  EXPECT_EQ(inner.Left({{Op::kDelete, L(1, std::nullopt)}}), Lines{});

  JoinHarness full(Join(JoinType::kFull));
  EXPECT_EQ(full.Left({{Op::kInsert, L(1, std::nullopt)}}), Lines{"+ 1|NULL|0|x|NULL|NULL|NULL"});
  EXPECT_EQ(full.Right({{Op::kInsert, R(2, std::nullopt)}}),
            Lines{"+ NULL|NULL|NULL|NULL|2|NULL|0"});
  EXPECT_EQ(full.Left({{Op::kDelete, L(1, std::nullopt)}}), Lines{"- 1|NULL|0|x|NULL|NULL|NULL"});
  EXPECT_EQ(full.Right({{Op::kDelete, R(2, std::nullopt)}}),
            Lines{"- NULL|NULL|NULL|NULL|2|NULL|0"});
  full.Barrier();
  EXPECT_EQ(full.StateEntries(), 0u);
}

TEST(StreamJoinTest, ConditionFiltersPairs) {
  JoinHarness join(Join(JoinType::kInner, true));
  join.Left({{Op::kInsert, L(1, 5, 10)}});
  EXPECT_EQ(join.Right({{Op::kInsert, R(2, 5, 5)}}), Lines{});
  EXPECT_EQ(join.Right({{Op::kInsert, R(3, 5, 20)}}), Lines{"+ 1|5|10|x|3|5|20"});
  // A NULL operand makes the condition NULL: no match.
  EXPECT_EQ(join.Right({{Op::kInsert, R(4, 5, std::nullopt)}}), Lines{});
  EXPECT_EQ(Sorted(join.Left({{Op::kInsert, L(5, 5, 0)}})),
            (Lines{"+ 5|5|0|x|2|5|5", "+ 5|5|0|x|3|5|20"}));
  EXPECT_EQ(join.Right({{Op::kDelete, R(2, 5, 5)}}), Lines{"- 5|5|0|x|2|5|5"});
}

TEST(StreamJoinTest, LeftJoinFollowsMatchDegree) {
  JoinHarness join(Join(JoinType::kLeft));
  EXPECT_EQ(join.Left({{Op::kInsert, L(1, 5)}}), Lines{"+ 1|5|0|x|NULL|NULL|NULL"});
  // First match: the NULL-extended row goes, then the joined row comes.
  EXPECT_EQ(join.Right({{Op::kInsert, R(2, 5)}}),
            (Lines{"- 1|5|0|x|NULL|NULL|NULL", "+ 1|5|0|x|2|5|0"}));
  EXPECT_EQ(join.Right({{Op::kInsert, R(3, 5)}}), Lines{"+ 1|5|0|x|3|5|0"});
  EXPECT_EQ(join.Right({{Op::kDelete, R(2, 5)}}), Lines{"- 1|5|0|x|2|5|0"});
  // Last match gone: the NULL-extended row comes back.
  EXPECT_EQ(join.Right({{Op::kDelete, R(3, 5)}}),
            (Lines{"- 1|5|0|x|3|5|0", "+ 1|5|0|x|NULL|NULL|NULL"}));
  // Unmatched right rows are not output in a LEFT join.
  EXPECT_EQ(join.Right({{Op::kInsert, R(4, 7)}}), Lines{});
  // A left row that finds a match at once is never NULL-extended.
  EXPECT_EQ(join.Left({{Op::kInsert, L(5, 7)}}), Lines{"+ 5|7|0|x|4|7|0"});
  // An update moving the left row to the other key.
  EXPECT_EQ(join.Left({{Op::kUpdateDelete, L(1, 5)}, {Op::kUpdateInsert, L(1, 7)}}),
            (Lines{"- 1|5|0|x|NULL|NULL|NULL", "+ 1|7|0|x|4|7|0"}));
  // An update of the right row away from both: both left rows become unmatched.
  EXPECT_EQ(Sorted(join.Right({{Op::kUpdateDelete, R(4, 7)}, {Op::kUpdateInsert, R(4, 8)}})),
            (Lines{"+ 1|7|0|x|NULL|NULL|NULL", "+ 5|7|0|x|NULL|NULL|NULL", "- 1|7|0|x|4|7|0",
                   "- 5|7|0|x|4|7|0"}));
  EXPECT_EQ(join.Left({{Op::kDelete, L(1, 7)}}), Lines{"- 1|7|0|x|NULL|NULL|NULL"});
  // Degrees survive a restart.
  join.Right({{Op::kInsert, R(6, 7)}});
  join.Barrier();
  join.Restart();
  EXPECT_EQ(join.Right({{Op::kInsert, R(7, 7)}}), Lines{"+ 5|7|0|x|7|7|0"});
  EXPECT_EQ(join.Right({{Op::kDelete, R(6, 7)}}), Lines{"- 5|7|0|x|6|7|0"});
  EXPECT_EQ(join.Right({{Op::kDelete, R(7, 7)}}),
            (Lines{"- 5|7|0|x|7|7|0", "+ 5|7|0|x|NULL|NULL|NULL"}));
}

TEST(StreamJoinTest, LeftJoinDegreeCountsOnlyConditionMatches) {
  JoinHarness join(Join(JoinType::kLeft, true));
  EXPECT_EQ(join.Left({{Op::kInsert, L(1, 5, 10)}}), Lines{"+ 1|5|10|x|NULL|NULL|NULL"});
  EXPECT_EQ(join.Right({{Op::kInsert, R(2, 5, 3)}}), Lines{});
  EXPECT_EQ(join.Right({{Op::kInsert, R(3, 5, 30)}}),
            (Lines{"- 1|5|10|x|NULL|NULL|NULL", "+ 1|5|10|x|3|5|30"}));
  EXPECT_EQ(join.Right({{Op::kDelete, R(2, 5, 3)}}), Lines{});
  EXPECT_EQ(join.Right({{Op::kDelete, R(3, 5, 30)}}),
            (Lines{"- 1|5|10|x|3|5|30", "+ 1|5|10|x|NULL|NULL|NULL"}));
  // A left row whose only candidates fail the condition is NULL-extended at once.
  join.Right({{Op::kInsert, R(4, 6, 0)}});
  EXPECT_EQ(join.Left({{Op::kInsert, L(5, 6, 1)}}), Lines{"+ 5|6|1|x|NULL|NULL|NULL"});
  EXPECT_EQ(join.Left({{Op::kDelete, L(5, 6, 1)}}), Lines{"- 5|6|1|x|NULL|NULL|NULL"});
}

TEST(StreamJoinTest, RightJoinFollowsMatchDegree) {
  JoinHarness join(Join(JoinType::kRight));
  EXPECT_EQ(join.Right({{Op::kInsert, R(2, 5)}}), Lines{"+ NULL|NULL|NULL|NULL|2|5|0"});
  EXPECT_EQ(join.Left({{Op::kInsert, L(1, 5)}}),
            (Lines{"- NULL|NULL|NULL|NULL|2|5|0", "+ 1|5|0|x|2|5|0"}));
  EXPECT_EQ(join.Left({{Op::kInsert, L(3, 6)}}), Lines{});
  EXPECT_EQ(join.Left({{Op::kDelete, L(1, 5)}}),
            (Lines{"- 1|5|0|x|2|5|0", "+ NULL|NULL|NULL|NULL|2|5|0"}));
  EXPECT_EQ(join.Right({{Op::kDelete, R(2, 5)}}), Lines{"- NULL|NULL|NULL|NULL|2|5|0"});
}

TEST(StreamJoinTest, FullJoinFollowsBothDegrees) {
  JoinHarness join(Join(JoinType::kFull));
  EXPECT_EQ(join.Left({{Op::kInsert, L(1, 5)}}), Lines{"+ 1|5|0|x|NULL|NULL|NULL"});
  EXPECT_EQ(join.Right({{Op::kInsert, R(2, 5)}}),
            (Lines{"- 1|5|0|x|NULL|NULL|NULL", "+ 1|5|0|x|2|5|0"}));
  EXPECT_EQ(join.Left({{Op::kInsert, L(3, 5)}}), Lines{"+ 3|5|0|x|2|5|0"});
  EXPECT_EQ(join.Left({{Op::kDelete, L(1, 5)}}), Lines{"- 1|5|0|x|2|5|0"});
  EXPECT_EQ(join.Left({{Op::kDelete, L(3, 5)}}),
            (Lines{"- 3|5|0|x|2|5|0", "+ NULL|NULL|NULL|NULL|2|5|0"}));
  EXPECT_EQ(join.Left({{Op::kInsert, L(4, 5)}}),
            (Lines{"- NULL|NULL|NULL|NULL|2|5|0", "+ 4|5|0|x|2|5|0"}));
  EXPECT_EQ(join.Right({{Op::kDelete, R(2, 5)}}),
            (Lines{"- 4|5|0|x|2|5|0", "+ 4|5|0|x|NULL|NULL|NULL"}));
}

TEST(StreamJoinTest, RejectsSemiJoins) {
  auto node = MakeJoin(Join(JoinType::kSemi));
  TestStateStore store;
  try {
    MakeJoinOperator(*node, store.Context());
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_EQ(error.Code(), "0A000");
  }
}

TEST(StreamJoinTest, WatermarkCleansStateWithoutEmitting) {
  // Column 2 (a / b) plays the event time; rows below watermark - 10 are dropped.
  const plan::StreamJoinNode::Cleaning cleaning{2, 2, 10};
  JoinHarness join(Cleaned(Join(JoinType::kLeft), cleaning, cleaning));
  join.Left(
      {{Op::kInsert, L(1, 5, 100)}, {Op::kInsert, L(2, 6, 200)}, {Op::kInsert, L(3, 7, 300)}});
  join.Right({{Op::kInsert, R(11, 5, 100)}, {Op::kInsert, R(12, 6, 250)}});
  join.Barrier();
  EXPECT_EQ(join.StateEntries(), 5u);

  // Left rows with a < 250 - 10 go; nothing is emitted.
  EXPECT_EQ(join.Watermark(0, 2, 250), Lines{});
  join.Barrier();
  EXPECT_EQ(join.StateEntries(), 3u);
  // The cleaned left rows match nothing new; the one left (a = 300) still does.
  EXPECT_EQ(join.Right({{Op::kInsert, R(13, 5, 400)}, {Op::kInsert, R(14, 7, 400)}}),
            (Lines{"- 3|7|300|x|NULL|NULL|NULL", "+ 3|7|300|x|14|7|400"}));
  // A watermark on another column cleans nothing.
  join.Watermark(0, 0, 1000);
  join.Watermark(1, 2, 300);
  join.Barrier();
  // Right rows 11 (100) and 12 (250) are below 290; 13 and 14 stay, with left row 3.
  EXPECT_EQ(join.StateEntries(), 3u);
  // Retracting a cleaned row emits nothing: its state is gone.
  EXPECT_EQ(join.Right({{Op::kDelete, R(11, 5, 100)}}), Lines{});

  // Cleaning is state-only, so it survives a restart; a new instance cleans further.
  join.Restart();
  EXPECT_EQ(join.Watermark(0, 2, 1000), Lines{});
  join.Barrier();
  EXPECT_EQ(join.StateEntries(), 2u);
  EXPECT_EQ(join.Right({{Op::kInsert, R(15, 7, 1000)}}), Lines{});
}

TEST(StreamJoinTest, ManyCleanedRowsAreCompacted) {
  const plan::StreamJoinNode::Cleaning cleaning{2, 2, 0};
  JoinHarness join(Cleaned(Join(JoinType::kInner), cleaning, cleaning));
  for (int64_t step = 0; step < 40; ++step) {
    ChangeRows lefts;
    ChangeRows rights;
    for (int64_t i = 0; i < 1000; ++i) {
      const int64_t id = step * 1000 + i;
      lefts.push_back({Op::kInsert, L(id, id, step)});
      rights.push_back({Op::kInsert, R(id, id, step)});
    }
    join.Left(lefts);
    EXPECT_EQ(join.Right(rights).size(), 1000u);
    join.Watermark(0, 2, step - 2);
    join.Watermark(1, 2, step - 2);
    join.Barrier();
  }
  // Steps 37..39 remain on both sides.
  EXPECT_EQ(join.StateEntries(), 6000u);
  EXPECT_EQ(join.Left({{Op::kInsert, L(1, 39000, 50)}}), Lines{"+ 1|39000|50|x|39000|39000|39"});
  EXPECT_EQ(join.Left({{Op::kInsert, L(2, 1000, 50)}}), Lines{});
}

/// A window join (q5's shape): the join key (column 1) is the window, and each side is cleaned by
/// it once both watermarks pass, so whole keys go at once. Random inserts, deletes and updates of
/// open windows, barriers and restarts: the output must be the same as without cleaning, and the
/// state the same as with row-wise cleaning by an equal column that is not part of the key.
void RunWindowJoinCleaning(JoinType type, uint32_t seed) {
  SCOPED_TRACE(::testing::Message() << "type " << static_cast<int>(type) << " seed " << seed);
  std::mt19937 random(seed);
  auto uniform = [&](int64_t low, int64_t high) {
    return std::uniform_int_distribution<int64_t>(low, high)(random);
  };
  const plan::StreamJoinNode::Cleaning by_key{1, 1, 0, true};
  const plan::StreamJoinNode::Cleaning by_row{2, 2, 0, true};
  JoinHarness keyed(Cleaned(Join(type), by_key, by_key));
  JoinHarness rowwise(Cleaned(Join(type), by_row, by_row));
  JoinHarness uncleaned(Join(type));
  std::map<int64_t, Row> rows[2];
  int64_t next_id = 0;
  int64_t window = 0;
  for (int step = 0; step < 600; ++step) {
    const int64_t action = uniform(0, 19);
    if (action == 0) {
      // The watermark passes a window: its rows leave the cleaned joins' state.
      ++window;
      for (JoinHarness* join : {&keyed, &rowwise, &uncleaned}) {
        for (size_t input : {0, 1}) {
          for (uint32_t column : {1, 2}) {
            ASSERT_EQ(join->Watermark(input, column, window), Lines{});
          }
        }
      }
      for (auto& side : rows) {
        std::erase_if(side, [&](const auto& entry) { return entry.second[1].GetInt() < window; });
      }
      continue;
    }
    if (action <= 2) {
      keyed.Barrier();
      rowwise.Barrier();
      uncleaned.Barrier();
      ASSERT_EQ(keyed.StateEntries(), rowwise.StateEntries()) << "after step " << step;
      if (action == 1) {
        keyed.Restart();
        rowwise.Restart();
      }
      continue;
    }
    const size_t input = static_cast<size_t>(uniform(0, 1));
    std::map<int64_t, Row>& side = rows[input];
    auto make_row = [&](int64_t id) {
      // A window at or after the watermark; the second key column equals it.
      const int64_t k = window + uniform(0, 3);
      return input == 0 ? L(id, k, k) : R(id, k, k);
    };
    ChangeRows changes;
    for (int64_t i = uniform(1, 40); i > 0; --i) {
      const int64_t kind = uniform(0, 5);
      if (side.empty() || kind <= 2) {
        const int64_t id = next_id++;
        side[id] = make_row(id);
        changes.push_back({Op::kInsert, side[id]});
        continue;
      }
      auto it = side.begin();
      std::advance(it, uniform(0, static_cast<int64_t>(side.size()) - 1));
      if (kind <= 4) {
        changes.push_back({Op::kDelete, it->second});
        side.erase(it);
      } else {
        changes.push_back({Op::kUpdateDelete, it->second});
        it->second = make_row(it->first);
        changes.push_back({Op::kUpdateInsert, it->second});
      }
    }
    const auto run = [&](JoinHarness& join) {
      return Sorted(input == 0 ? join.Left(changes) : join.Right(changes));
    };
    const Lines expected = run(uncleaned);
    ASSERT_EQ(run(keyed), expected) << "after step " << step;
    ASSERT_EQ(run(rowwise), expected) << "after step " << step;
  }
  keyed.Barrier();
  uncleaned.Barrier();
  EXPECT_LT(keyed.StateEntries(), uncleaned.StateEntries());
}

TEST(StreamJoinTest, CleaningByJoinKeyDropsWholeKeysAndChangesNoOutput) {
  for (JoinType type : {JoinType::kInner, JoinType::kLeft, JoinType::kFull}) {
    for (uint32_t seed = 1; seed <= 3; ++seed) {
      RunWindowJoinCleaning(type, seed);
      if (HasFatalFailure()) {
        return;
      }
    }
  }
}

TEST(StreamJoinTest, StateWritesOnlyWhatTheStoreNeeds) {
  const plan::StreamJoinNode::Cleaning by_key{1, 1, 0, true};
  JoinHarness join(Cleaned(Join(JoinType::kInner), by_key, by_key));
  join.Left({{Op::kInsert, L(1, 5, 1)}, {Op::kInsert, L(2, 5, 2)}, {Op::kInsert, L(3, 6, 3)}});
  join.Barrier();
  // An update of a stored row that keeps its key overwrites it: one put, no delete.
  EXPECT_EQ(join.Left({{Op::kUpdateDelete, L(1, 5, 1)}, {Op::kUpdateInsert, L(1, 5, 7)}}), Lines{});
  EXPECT_EQ(join.BarrierOperations(), (std::vector<std::string>{"put"}));
  // One that moves it to another key deletes the old entry.
  join.Left({{Op::kUpdateDelete, L(2, 5, 2)}, {Op::kUpdateInsert, L(2, 6, 2)}});
  EXPECT_EQ(join.BarrierOperations(), (std::vector<std::string>{"delete", "put"}));
  // Rows inserted and dropped within an epoch never reach the store; a cleaned key with stored
  // rows goes with one range deletion each.
  join.Left({{Op::kInsert, L(4, 7, 4)}, {Op::kInsert, L(5, 5, 5)}});
  join.Watermark(0, 1, 7);
  join.Watermark(1, 1, 7);
  EXPECT_EQ(join.BarrierOperations(),
            (std::vector<std::string>{"delete range", "delete range", "put"}));
}

TEST(StreamJoinTest, ForwardsWatermarksItCanGuarantee) {
  const plan::StreamJoinNode::Cleaning cleaning{2, 2, 10};
  JoinHarness join(Cleaned(Join(JoinType::kInner), cleaning, std::nullopt));
  // The join key column gets the minimum of both sides, on both output positions.
  join.Watermark(0, 1, 100);
  EXPECT_TRUE(join.Watermarks().empty());
  join.Watermark(1, 1, 80);
  EXPECT_EQ(join.Watermarks(), (std::vector<std::pair<uint32_t, int64_t>>{{1, 80}, {5, 80}}));
  join.Watermark(1, 1, 150);
  EXPECT_EQ(join.Watermarks().back(), (std::pair<uint32_t, int64_t>{5, 100}));
  // The left cleaning column: rows still in state are at least watermark - delay.
  join.Watermark(0, 2, 500);
  EXPECT_EQ(join.Watermarks().back(), (std::pair<uint32_t, int64_t>{2, 490}));
  // Other columns get nothing; watermarks never go backwards.
  const size_t count = join.Watermarks().size();
  join.Watermark(1, 2, 700);
  join.Watermark(0, 2, 400);
  EXPECT_EQ(join.Watermarks().size(), count);
}

// ---- Randomized differential test ---------------------------------------------------------------

/// The current contents of the two inputs and a recomputed join of them.
struct JoinOracle {
  JoinType type = JoinType::kInner;
  bool condition = false;
  std::map<int64_t, Row> left;
  std::map<int64_t, Row> right;

  bool Matches(const Row& l, const Row& r) const {
    if (l[1].IsNull() || r[1].IsNull() || l[1].GetInt() != r[1].GetInt()) {
      return false;
    }
    if (!condition) {
      return true;
    }
    return !l[2].IsNull() && !r[2].IsNull() && l[2].GetInt() <= r[2].GetInt();
  }

  std::map<std::string, int64_t> Expected() const {
    const bool outer_left = type == JoinType::kLeft || type == JoinType::kFull;
    const bool outer_right = type == JoinType::kRight || type == JoinType::kFull;
    const Row null_left(kLeftTypes.size(), Value::Null(DataType::Bigint()));
    const Row null_right(kRightTypes.size(), Value::Null(DataType::Bigint()));
    std::map<std::string, int64_t> rows;
    std::map<int64_t, bool> right_matched;
    for (const auto& [left_id, l] : left) {
      bool matched = false;
      for (const auto& [right_id, r] : right) {
        if (Matches(l, r)) {
          Row joined = l;
          joined.insert(joined.end(), r.begin(), r.end());
          ++rows[RowText(joined)];
          matched = true;
          right_matched[right_id] = true;
        }
      }
      if (!matched && outer_left) {
        Row joined = l;
        joined.insert(joined.end(), null_right.begin(), null_right.end());
        ++rows[RowText(joined)];
      }
    }
    if (outer_right) {
      for (const auto& [right_id, r] : right) {
        if (!right_matched[right_id]) {
          Row joined = null_left;
          joined.insert(joined.end(), r.begin(), r.end());
          ++rows[RowText(joined)];
        }
      }
    }
    return rows;
  }
};

/// Random changes on both sides; after every chunk the emitted changelog, applied to a multiset,
/// must equal the recomputed join. Barriers and restarts come at random too.
void RunRandomized(JoinType type, bool condition, uint32_t seed) {
  SCOPED_TRACE(::testing::Message() << "type " << static_cast<int>(type) << " condition "
                                    << condition << " seed " << seed);
  std::mt19937 random(seed);
  auto uniform = [&](int64_t low, int64_t high) {
    return std::uniform_int_distribution<int64_t>(low, high)(random);
  };
  auto maybe_null = [&](int64_t low, int64_t high) -> std::optional<int64_t> {
    if (uniform(0, 9) == 0) {
      return std::nullopt;
    }
    return uniform(low, high);
  };
  JoinHarness join(Join(type, condition));
  JoinOracle oracle{type, condition, {}, {}};
  std::map<std::string, int64_t> output;
  int64_t next_id = 0;
  for (int step = 0; step < 400; ++step) {
    const bool is_left = uniform(0, 1) == 0;
    std::map<int64_t, Row>& rows = is_left ? oracle.left : oracle.right;
    auto make_row = [&](int64_t id) {
      return is_left ? L(id, maybe_null(0, 4), maybe_null(0, 9), uniform(0, 1) ? "p" : "q")
                     : R(id, maybe_null(0, 4), maybe_null(0, 9));
    };
    ChangeRows changes;
    const int64_t count = uniform(1, 12);
    for (int64_t i = 0; i < count; ++i) {
      // Inserts, deletes and updates, keeping each side small enough to recompute the join.
      const int64_t action = uniform(0, 5);
      if (rows.empty() || (action <= 2 && rows.size() < 30)) {
        const int64_t id = next_id++;
        Row row = make_row(id);
        changes.push_back({Op::kInsert, row});
        rows[id] = row;
        continue;
      }
      auto it = rows.begin();
      std::advance(it, uniform(0, static_cast<int64_t>(rows.size()) - 1));
      if (action <= 4) {
        changes.push_back({Op::kDelete, it->second});
        rows.erase(it);
      } else {
        Row updated = make_row(it->first);
        changes.push_back({Op::kUpdateDelete, it->second});
        changes.push_back({Op::kUpdateInsert, updated});
        it->second = updated;
      }
    }
    const Lines emitted = is_left ? join.Left(changes) : join.Right(changes);
    for (const std::string& line : emitted) {
      const bool insert = line[0] == '+';
      const std::string row = line.substr(2);
      output[row] += insert ? 1 : -1;
      ASSERT_GE(output[row], 0) << "retracted a row not in the output: " << row;
      if (output[row] == 0) {
        output.erase(row);
      }
    }
    ASSERT_EQ(output, oracle.Expected()) << "after step " << step;
    const int64_t control = uniform(0, 9);
    if (control == 0) {
      join.Barrier();
    } else if (control == 1) {
      join.Barrier();
      join.Restart();
    }
  }
}

TEST(StreamJoinTest, RandomizedMatchesRecomputedJoin) {
  for (JoinType type : {JoinType::kInner, JoinType::kLeft, JoinType::kRight, JoinType::kFull}) {
    for (bool condition : {false, true}) {
      for (uint32_t seed = 1; seed <= 3; ++seed) {
        RunRandomized(type, condition, seed);
        if (HasFatalFailure()) {
          return;
        }
      }
    }
  }
}

// ---- Restart equivalence ----------------------------------------------------------------------

TEST(StreamJoinTest, RestartedOperatorContinuesLikeUninterruptedOne) {
  std::mt19937 random(42);
  auto uniform = [&](int64_t low, int64_t high) {
    return std::uniform_int_distribution<int64_t>(low, high)(random);
  };
  const plan::StreamJoinNode::Cleaning cleaning{2, 2, 3};
  const JoinOptions options = Cleaned(Join(JoinType::kFull, true), cleaning, cleaning);
  JoinHarness steady(options);
  JoinHarness restarted(options);
  std::map<int64_t, Row> left;
  std::map<int64_t, Row> right;
  int64_t next_id = 0;
  int64_t time = 0;
  for (int step = 0; step < 300; ++step) {
    const int64_t action = uniform(0, 9);
    if (action == 0) {
      steady.Barrier();
      restarted.Barrier();
      restarted.Restart();
      ASSERT_EQ(steady.StateContents(), restarted.StateContents()) << "after step " << step;
      continue;
    }
    if (action == 1) {
      ++time;
      const size_t input = static_cast<size_t>(uniform(0, 1));
      ASSERT_EQ(steady.Watermark(input, 2, time), restarted.Watermark(input, 2, time));
      continue;
    }
    const bool is_left = uniform(0, 1) == 0;
    std::map<int64_t, Row>& rows = is_left ? left : right;
    ChangeRows changes;
    for (int64_t i = uniform(1, 6); i > 0; --i) {
      if (rows.empty() || uniform(0, 2) > 0) {
        const int64_t id = next_id++;
        const int64_t at = time + uniform(0, 5);
        rows[id] = is_left ? L(id, uniform(0, 3), at) : R(id, uniform(0, 3), at + uniform(0, 2));
        changes.push_back({Op::kInsert, rows[id]});
      } else {
        auto it = rows.begin();
        std::advance(it, uniform(0, static_cast<int64_t>(rows.size()) - 1));
        changes.push_back({Op::kDelete, it->second});
        rows.erase(it);
      }
    }
    // Within one call the order of rows of equal key may differ after a restart (buckets are
    // rebuilt in key order), so compare each call's changes as multisets.
    if (is_left) {
      ASSERT_EQ(Sorted(steady.Left(changes)), Sorted(restarted.Left(changes))) << step;
    } else {
      ASSERT_EQ(Sorted(steady.Right(changes)), Sorted(restarted.Right(changes))) << step;
    }
  }
}

// ---- Throughput -------------------------------------------------------------------------------

/// Counts what it receives and keeps nothing.
class CountingOperator final : public StreamOperator {
 public:
  void OnChunk(size_t input, const Chunk& chunk) override { rows += chunk.NumRows(); }
  void OnWatermark(size_t input, uint32_t column, int64_t value) override {}
  size_t rows = 0;
};

// Run with --gtest_also_run_disabled_tests; prints input rows per second.
TEST(StreamJoinTest, DISABLED_ThroughputAppendOnlyInnerJoin) {
  const std::vector<DataType> types = {DataType::Bigint(), DataType::Bigint(), DataType::Bigint()};
  for (bool barriers : {false, true}) {
    JoinOptions options = Join(JoinType::kInner);
    options.left_types = types;
    options.right_types = types;
    auto node = MakeJoin(options);
    TestStateStore store;
    auto op = MakeJoinOperator(*node, store.Context());
    CountingOperator sink;
    op->SetDownstream(&sink, 0);
    constexpr size_t kChunksPerSide = 512;
    std::vector<Chunk> chunks;
    std::mt19937_64 random(7);
    for (size_t chunk = 0; chunk < 2 * kChunksPerSide; ++chunk) {
      // Chunk 2i is left, 2i + 1 right, with the same keys in a shuffled order: every right row
      // finds exactly one left row.
      std::vector<int64_t> keys(Chunk::kChunkSize);
      for (size_t row = 0; row < keys.size(); ++row) {
        keys[row] = static_cast<int64_t>((chunk / 2) * Chunk::kChunkSize + row);
      }
      std::shuffle(keys.begin(), keys.end(), random);
      Chunk input(types);
      for (size_t row = 0; row < keys.size(); ++row) {
        input.MutableColumn(0).Append<int64_t>(
            static_cast<int64_t>(chunk * Chunk::kChunkSize + row));
        input.MutableColumn(1).Append<int64_t>(keys[row]);
        input.MutableColumn(2).Append<int64_t>(keys[row] * 3);
      }
      input.SetNumRows(keys.size());
      chunks.push_back(std::move(input));
    }
    const auto start = std::chrono::steady_clock::now();
    for (size_t chunk = 0; chunk < chunks.size(); ++chunk) {
      op->OnChunk(chunk % 2, chunks[chunk]);
      if (barriers && chunk % 64 == 63) {
        store.Barrier(*op);
      }
    }
    if (barriers) {
      store.Barrier(*op);
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const size_t input_rows = chunks.size() * Chunk::kChunkSize;
    EXPECT_EQ(sink.rows, kChunksPerSide * Chunk::kChunkSize);
    std::printf("inner join, %zu input rows, %zu output rows, barriers %s: %.3f s, %.0f rows/s\n",
                input_rows, sink.rows, barriers ? "every 64 chunks" : "none", seconds,
                static_cast<double>(input_rows) / seconds);
  }
}

}  // namespace
}  // namespace freshet::executor::stream
