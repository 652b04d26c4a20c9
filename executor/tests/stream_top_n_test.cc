// SPDX-License-Identifier: Apache-2.0
#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "executor/stream/stream_operator.h"
#include "executor/tests/stream_test_util.h"

namespace freshet::executor::stream {
namespace {

using testing::CaptureOperator;
using testing::MakeChunk;
using testing::TestStateStore;

// The input: (id BIGINT, score BIGINT, tag TEXT), keyed by id.
const std::vector<DataType> kTypes = {DataType::Bigint(), DataType::Bigint(), DataType::Text()};

std::unique_ptr<plan::StreamTopNNode> MakeNode(std::vector<plan::SortKey> order_by,
                                               int64_t limit,
                                               int64_t offset) {
  auto input = std::make_unique<plan::StreamNode>(plan::StreamNodeKind::kTableScan);
  input->outputs = {
      {"id", DataType::Bigint()}, {"score", DataType::Bigint()}, {"tag", DataType::Text()}};
  input->stream_key = {0};
  auto node = std::make_unique<plan::StreamTopNNode>();
  node->outputs = input->outputs;
  node->stream_key = {0};
  node->operator_id = 7;
  node->order_by = std::move(order_by);
  node->limit = limit;
  node->offset = offset;
  node->inputs.push_back(std::move(input));
  return node;
}

/// One input row; a NULL score or tag is nullopt.
struct Row {
  int64_t id = 0;
  std::optional<int64_t> score;
  std::optional<std::string> tag;
};

std::vector<Value> Values(const Row& row) {
  return {Value::Bigint(row.id),
          row.score ? Value::Bigint(*row.score) : Value::Null(DataType::Bigint()),
          row.tag ? Value::Text(*row.tag) : Value::Null(DataType::Text())};
}

Chunk Changes(const std::vector<std::pair<Op, Row>>& rows) {
  std::vector<std::pair<Op, std::vector<Value>>> values;
  for (const auto& [op, row] : rows) {
    values.emplace_back(op, Values(row));
  }
  return MakeChunk(kTypes, values);
}

std::string Text(const std::vector<Value>& row) {
  std::string text;
  for (size_t i = 0; i < row.size(); ++i) {
    text += (i == 0 ? "" : "|") + row[i].ToText();
  }
  return text;
}

/// The emitted rows as "+id|score|tag" (insert) or "-id|score|tag" (delete).
std::vector<std::string> Emitted(const CaptureOperator& capture) {
  std::vector<std::string> lines;
  for (const auto& [op, values] : capture.Rows()) {
    const bool insert = op == Op::kInsert || op == Op::kUpdateInsert;
    lines.push_back((insert ? "+" : "-") + Text(values));
  }
  return lines;
}

/// A TopN operator wired to a capture, rebuilt from the committed state on Restart().
class Harness {
 public:
  explicit Harness(std::unique_ptr<plan::StreamTopNNode> node) : node_(std::move(node)) {
    Restart();
  }
  void Restart() {
    op_ = MakeTopNOperator(*node_, store_.Context());
    op_->SetDownstream(&capture, 0);
  }
  void Push(const std::vector<std::pair<Op, Row>>& rows) { op_->OnChunk(0, Changes(rows)); }
  void Barrier() { store_.Barrier(*op_); }
  /// Returns what was emitted since the last call.
  std::vector<std::string> Take() {
    std::vector<std::string> lines = Emitted(capture);
    capture.Clear();
    return lines;
  }
  TestStateStore& Store() { return store_; }

  CaptureOperator capture;

 private:
  std::unique_ptr<plan::StreamTopNNode> node_;
  TestStateStore store_;
  std::unique_ptr<StreamOperator> op_;
};

plan::SortKey Desc(uint32_t column) {
  return {column, /*descending=*/true, /*nulls_first=*/true};
}
plan::SortKey Asc(uint32_t column) {
  return {column, /*descending=*/false, /*nulls_first=*/false};
}

using Lines = std::vector<std::string>;

TEST(StreamTopNTest, InsertsEnterTheTopAndPushTheLastRowOut) {
  Harness top(MakeNode({Desc(1)}, 2, 0));
  top.Push({{Op::kInsert, {1, 10, "a"}}});
  EXPECT_EQ(top.Take(), (Lines{"+1|10|a"}));
  top.Push({{Op::kInsert, {2, 30, "b"}}});
  EXPECT_EQ(top.Take(), (Lines{"+2|30|b"}));
  top.Push({{Op::kInsert, {3, 20, "c"}}});
  EXPECT_EQ(top.Take(), (Lines{"-1|10|a", "+3|20|c"}));
  top.Push({{Op::kInsert, {4, 5, "d"}}});
  EXPECT_EQ(top.Take(), Lines{});
}

TEST(StreamTopNTest, DeletingATopRowPromotesTheNextOne) {
  Harness top(MakeNode({Desc(1)}, 2, 0));
  top.Push({{Op::kInsert, {1, 10, "a"}},
            {Op::kInsert, {2, 30, "b"}},
            {Op::kInsert, {3, 20, "c"}},
            {Op::kInsert, {4, 5, "d"}}});
  top.Take();
  top.Push({{Op::kDelete, {2, 30, "b"}}});
  EXPECT_EQ(top.Take(), (Lines{"-2|30|b", "+1|10|a"}));
  // Deleting a row below the top changes nothing.
  top.Push({{Op::kDelete, {4, 5, "d"}}});
  EXPECT_EQ(top.Take(), Lines{});
  top.Push({{Op::kDelete, {3, 20, "c"}}});
  EXPECT_EQ(top.Take(), (Lines{"-3|20|c"}));
}

TEST(StreamTopNTest, UpdateMovesARowAcrossTheLimit) {
  Harness top(MakeNode({Asc(1)}, 1, 0));
  top.Push({{Op::kInsert, {1, 1, "a"}}, {Op::kInsert, {2, 2, "b"}}});
  EXPECT_EQ(top.Take(), (Lines{"+1|1|a"}));
  top.Push({{Op::kUpdateDelete, {1, 1, "a"}}, {Op::kUpdateInsert, {1, 3, "a"}}});
  EXPECT_EQ(top.Take(), (Lines{"-1|1|a", "+2|2|b"}));
}

TEST(StreamTopNTest, OffsetSkipsTheFirstRows) {
  Harness top(MakeNode({Asc(1)}, 2, 1));
  top.Push({{Op::kInsert, {1, 10, "a"}}});
  EXPECT_EQ(top.Take(), Lines{});
  top.Push({{Op::kInsert, {2, 20, "b"}}});
  EXPECT_EQ(top.Take(), (Lines{"+2|20|b"}));
  // A new first row pushes the old first row into the range.
  top.Push({{Op::kInsert, {3, 5, "c"}}});
  EXPECT_EQ(top.Take(), (Lines{"+1|10|a"}));
  top.Push({{Op::kInsert, {4, 1, "d"}}});
  EXPECT_EQ(top.Take(), (Lines{"-2|20|b", "+3|5|c"}));
  top.Push({{Op::kDelete, {4, 1, "d"}}});
  EXPECT_EQ(top.Take(), (Lines{"-3|5|c", "+2|20|b"}));
}

TEST(StreamTopNTest, TiesAreBrokenByTheStreamKey) {
  Harness top(MakeNode({Asc(1)}, 1, 0));
  top.Push({{Op::kInsert, {5, 1, "a"}}});
  top.Push({{Op::kInsert, {3, 1, "b"}}});
  top.Push({{Op::kInsert, {9, 1, "c"}}});
  EXPECT_EQ(top.Take(), (Lines{"+5|1|a", "-5|1|a", "+3|1|b"}));
}

TEST(StreamTopNTest, NullsFollowTheRequestedOrder) {
  // Postgres defaults: ASC NULLS LAST, DESC NULLS FIRST; and the two explicit opposites.
  const std::vector<std::pair<plan::SortKey, std::string>> cases = {
      {{1, false, false}, "+2|1|b"},
      {{1, true, true}, "+1|NULL|a"},
      {{1, false, true}, "+1|NULL|a"},
      {{1, true, false}, "+3|7|c"},
  };
  for (const auto& [key, expected] : cases) {
    Harness top(MakeNode({key}, 1, 0));
    top.Push({{Op::kInsert, {1, std::nullopt, "a"}},
              {Op::kInsert, {2, 1, "b"}},
              {Op::kInsert, {3, 7, "c"}}});
    const Lines lines = top.Take();
    ASSERT_FALSE(lines.empty());
    EXPECT_EQ(lines.back(), expected) << key.descending << key.nulls_first;
  }
}

TEST(StreamTopNTest, LimitZeroEmitsNothing) {
  Harness top(MakeNode({Asc(1)}, 0, 0));
  top.Push({{Op::kInsert, {1, 1, "a"}}, {Op::kDelete, {1, 1, "a"}}});
  EXPECT_EQ(top.Take(), Lines{});
}

size_t StoredEntries(TestStateStore& store) {
  size_t entries = 0;
  store.Context().LoadState(7, [&](std::string_view, std::string_view) { ++entries; });
  return entries;
}

TEST(StreamTopNTest, BarrierPersistsChangedRowsAndDeletesRemovedOnes) {
  Harness top(MakeNode({Asc(1)}, 1, 0));
  top.Push({{Op::kInsert, {1, 1, "a"}}, {Op::kInsert, {2, 2, "b"}}});
  EXPECT_EQ(StoredEntries(top.Store()), 0u);
  top.Barrier();
  EXPECT_EQ(StoredEntries(top.Store()), 2u);
  // A row inserted and deleted within an epoch leaves nothing behind.
  top.Push({{Op::kDelete, {1, 1, "a"}}, {Op::kInsert, {3, 3, "c"}}, {Op::kDelete, {3, 3, "c"}}});
  top.Barrier();
  EXPECT_EQ(StoredEntries(top.Store()), 1u);
}

TEST(StreamTopNTest, RestartedOperatorContinuesLikeAnUninterruptedOne) {
  Harness steady(MakeNode({Desc(1), Asc(2)}, 2, 1));
  Harness restarted(MakeNode({Desc(1), Asc(2)}, 2, 1));
  const std::vector<std::vector<std::pair<Op, Row>>> before = {
      {{Op::kInsert, {1, 10, "a"}}, {Op::kInsert, {2, 20, "b"}}, {Op::kInsert, {3, 30, "c"}}},
      {{Op::kInsert, {4, 25, "d"}}, {Op::kDelete, {2, 20, "b"}}},
  };
  const std::vector<std::vector<std::pair<Op, Row>>> after = {
      {{Op::kDelete, {3, 30, "c"}}},
      {{Op::kInsert, {5, 40, "e"}}, {Op::kInsert, {6, std::nullopt, "f"}}},
      {{Op::kDelete, {4, 25, "d"}}, {Op::kDelete, {6, std::nullopt, "f"}}},
  };
  for (const auto& chunk : before) {
    steady.Push(chunk);
    restarted.Push(chunk);
  }
  steady.Barrier();
  restarted.Barrier();
  EXPECT_EQ(steady.Take(), restarted.Take());
  // Uncommitted changes after the barrier are lost with the old instance, as in a crash.
  restarted.Push({{Op::kInsert, {99, 1000, "z"}}});
  restarted.Restart();
  restarted.Take();
  for (const auto& chunk : after) {
    steady.Push(chunk);
    restarted.Push(chunk);
    EXPECT_EQ(steady.Take(), restarted.Take());
  }
}

/// The expected output, recomputed from the input contents: rows ranked in [offset,
/// offset + limit) by the order keys, ties broken by id.
std::map<std::string, int> Recompute(const std::map<int64_t, Row>& contents,
                                     const std::vector<plan::SortKey>& order_by,
                                     int64_t limit,
                                     int64_t offset) {
  std::vector<Row> rows;
  for (const auto& [id, row] : contents) {
    rows.push_back(row);
  }
  auto compare = [&](const Row& x, const Row& y) {
    for (const plan::SortKey& key : order_by) {
      int order = 0;
      bool x_null = false;
      bool y_null = false;
      if (key.column_index == 1) {
        x_null = !x.score;
        y_null = !y.score;
        if (!x_null && !y_null) {
          order = *x.score < *y.score ? -1 : (*x.score > *y.score ? 1 : 0);
        }
      } else {
        x_null = !x.tag;
        y_null = !y.tag;
        if (!x_null && !y_null) {
          order = x.tag->compare(*y.tag) < 0 ? -1 : (*x.tag == *y.tag ? 0 : 1);
        }
      }
      if (x_null || y_null) {
        if (x_null == y_null) {
          continue;
        }
        return x_null == key.nulls_first;
      }
      if (order != 0) {
        return key.descending ? order > 0 : order < 0;
      }
    }
    return x.id < y.id;
  };
  std::sort(rows.begin(), rows.end(), compare);
  std::map<std::string, int> expected;
  for (int64_t rank = offset; rank < offset + limit && rank < static_cast<int64_t>(rows.size());
       ++rank) {
    ++expected[Text(Values(rows[rank]))];
  }
  return expected;
}

/// Applies the captured changes to `view`; fails on a delete of a row that is not there.
void Apply(CaptureOperator& capture, std::map<std::string, int>& view) {
  for (const auto& [op, values] : capture.Rows()) {
    const std::string text = Text(values);
    if (op == Op::kInsert || op == Op::kUpdateInsert) {
      ++view[text];
      continue;
    }
    auto it = view.find(text);
    ASSERT_TRUE(it != view.end()) << "delete of a row not in the view: " << text;
    if (--it->second == 0) {
      view.erase(it);
    }
  }
  capture.Clear();
}

TEST(StreamTopNTest, RandomChangesMatchARecomputation) {
  std::mt19937_64 random(20240611);
  const std::vector<std::vector<plan::SortKey>> orders = {
      {Asc(1)},
      {Desc(1)},
      {{1, false, true}, {2, true, false}},
      {{2, false, false}, {1, true, true}},
      {},
  };
  for (int trial = 0; trial < 60; ++trial) {
    const std::vector<plan::SortKey>& order_by = orders[trial % orders.size()];
    const int64_t limit = 1 + static_cast<int64_t>(random() % 6);
    const int64_t offset = static_cast<int64_t>(random() % 4);
    Harness top(MakeNode(order_by, limit, offset));
    std::map<int64_t, Row> contents;
    std::map<std::string, int> view;
    int64_t next_id = 0;
    for (int step = 0; step < 120; ++step) {
      std::vector<std::pair<Op, Row>> chunk;
      const int changes = 1 + static_cast<int>(random() % 5);
      for (int i = 0; i < changes; ++i) {
        if (!contents.empty() && random() % 5 < 2) {
          auto it = contents.begin();
          std::advance(it, random() % contents.size());
          const bool update = random() % 2 == 0;
          chunk.emplace_back(update ? Op::kUpdateDelete : Op::kDelete, it->second);
          if (update) {
            Row row = it->second;
            row.score = random() % 6 == 0 ? std::nullopt : std::optional<int64_t>(random() % 8);
            chunk.emplace_back(Op::kUpdateInsert, row);
            it->second = row;
          } else {
            contents.erase(it);
          }
          continue;
        }
        Row row;
        row.id = next_id++;
        row.score = random() % 6 == 0 ? std::nullopt : std::optional<int64_t>(random() % 8);
        row.tag = random() % 5 == 0
                      ? std::nullopt
                      : std::optional<std::string>(std::string(1, 'a' + random() % 3));
        contents[row.id] = row;
        chunk.emplace_back(Op::kInsert, row);
      }
      top.Push(chunk);
      Apply(top.capture, view);
      ASSERT_EQ(view, Recompute(contents, order_by, limit, offset))
          << "trial " << trial << " step " << step;
      if (random() % 10 == 0) {
        top.Barrier();
        if (random() % 2 == 0) {
          top.Restart();
        }
      }
    }
  }
}

}  // namespace
}  // namespace freshet::executor::stream
