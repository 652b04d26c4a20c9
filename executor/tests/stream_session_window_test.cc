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

// The input: (user BIGINT, ts TIMESTAMP, id BIGINT), keyed by id; sessions per user on ts.
const std::vector<DataType> kTypes = {DataType::Bigint(), DataType::Timestamp(),
                                      DataType::Bigint()};
constexpr uint16_t kOperatorId = 3;

std::unique_ptr<plan::StreamSessionWindowNode> MakeNode(int64_t gap, int64_t lateness) {
  auto input = std::make_unique<plan::StreamNode>(plan::StreamNodeKind::kSource);
  input->outputs = {
      {"user", DataType::Bigint()}, {"ts", DataType::Timestamp()}, {"id", DataType::Bigint()}};
  input->stream_key = {2};
  input->watermarks = {{1, lateness}};
  auto node = std::make_unique<plan::StreamSessionWindowNode>();
  node->outputs = input->outputs;
  node->outputs.push_back({"window_start", DataType::Timestamp()});
  node->outputs.push_back({"window_end", DataType::Timestamp()});
  node->stream_key = {2};
  node->watermarks = {{1, lateness}, {3, lateness}, {4, lateness}};
  node->operator_id = kOperatorId;
  node->time_column = 1;
  node->gap_micros = gap;
  node->key_columns = {0};
  node->inputs.push_back(std::move(input));
  return node;
}

/// One input row; a NULL user or time is nullopt.
struct Row {
  std::optional<int64_t> user;
  std::optional<int64_t> time;
  int64_t id = 0;
};

Chunk Changes(const std::vector<std::pair<Op, Row>>& rows) {
  std::vector<std::pair<Op, std::vector<Value>>> values;
  for (const auto& [op, row] : rows) {
    values.emplace_back(
        op,
        std::vector<Value>{row.user ? Value::Bigint(*row.user) : Value::Null(DataType::Bigint()),
                           row.time ? Value::Int(DataType::Timestamp(), *row.time)
                                    : Value::Null(DataType::Timestamp()),
                           Value::Bigint(row.id)});
  }
  return MakeChunk(kTypes, values);
}

/// A row as "user|time|id|start|end" with times as micros, so expectations stay readable.
std::string Text(const std::vector<Value>& row) {
  std::string text;
  for (size_t i = 0; i < row.size(); ++i) {
    text += i == 0 ? "" : "|";
    text += row[i].IsNull() ? "NULL" : std::to_string(row[i].GetInt());
  }
  return text;
}

std::string OpPrefix(Op op) {
  switch (op) {
    case Op::kInsert:
      return "+";
    case Op::kDelete:
      return "-";
    case Op::kUpdateDelete:
      return "U-";
    case Op::kUpdateInsert:
      return "U+";
  }
  return "?";
}

using Lines = std::vector<std::string>;

/// A session operator wired to a capture, rebuilt from the committed state on Restart().
class Harness {
 public:
  Harness(int64_t gap, int64_t lateness) : node_(MakeNode(gap, lateness)) { Restart(); }
  void Restart() {
    op_ = MakeSessionWindowOperator(*node_, store_.Context());
    op_->SetDownstream(&capture, 0);
  }
  void Push(const std::vector<std::pair<Op, Row>>& rows) { op_->OnChunk(0, Changes(rows)); }
  void Watermark(int64_t value) { op_->OnWatermark(0, 1, value); }
  void Barrier() { store_.Barrier(*op_); }
  /// Returns the rows emitted since the last call, as OpPrefix + Text.
  Lines Take() {
    Lines lines;
    for (const auto& [op, values] : capture.Rows()) {
      lines.push_back(OpPrefix(op) + Text(values));
    }
    capture.chunks.clear();
    return lines;
  }
  /// The number of stored state entries (rows and the progress entry).
  size_t StoredEntries() {
    size_t entries = 0;
    store_.Context().LoadState(kOperatorId, [&](std::string_view, std::string_view) { ++entries; });
    return entries;
  }

  CaptureOperator capture;

 private:
  std::unique_ptr<plan::StreamSessionWindowNode> node_;
  TestStateStore store_;
  std::unique_ptr<StreamOperator> op_;
};

TEST(StreamSessionWindowTest, RowsCloserThanTheGapShareASession) {
  Harness session(10, 0);
  session.Push({{Op::kInsert, {1, 0, 100}}});
  EXPECT_EQ(session.Take(), (Lines{"+1|0|100|0|10"}));
  session.Push({{Op::kInsert, {1, 5, 101}}});
  EXPECT_EQ(session.Take(), (Lines{"U-1|0|100|0|10", "U+1|0|100|0|15", "+1|5|101|0|15"}));
  // Inside the session, bounds do not move: only the new row is emitted.
  session.Push({{Op::kInsert, {1, 3, 102}}});
  EXPECT_EQ(session.Take(), (Lines{"+1|3|102|0|15"}));
}

TEST(StreamSessionWindowTest, ARowExactlyOneGapLaterOpensANewSession) {
  Harness session(10, 0);
  session.Push({{Op::kInsert, {1, 0, 100}}, {Op::kInsert, {1, 10, 101}}});
  EXPECT_EQ(session.Take(), (Lines{"+1|0|100|0|10", "+1|10|101|10|20"}));
}

TEST(StreamSessionWindowTest, KeysHaveSeparateSessionsAndNullKeysGroupTogether) {
  Harness session(10, 0);
  session.Push({{Op::kInsert, {1, 0, 100}},
                {Op::kInsert, {2, 5, 101}},
                {Op::kInsert, {std::nullopt, 1, 102}},
                {Op::kInsert, {std::nullopt, 4, 103}}});
  Lines lines = session.Take();
  std::sort(lines.begin(), lines.end());
  EXPECT_EQ(lines,
            (Lines{"+1|0|100|0|10", "+2|5|101|5|15", "+NULL|1|102|1|14", "+NULL|4|103|1|14"}));
}

TEST(StreamSessionWindowTest, RowsWithANullTimeAreDropped) {
  Harness session(10, 0);
  session.Push({{Op::kInsert, {1, std::nullopt, 100}}, {Op::kDelete, {1, std::nullopt, 100}}});
  EXPECT_EQ(session.Take(), Lines{});
}

TEST(StreamSessionWindowTest, ABridgingRowMergesTwoSessions) {
  Harness session(10, 0);
  session.Push({{Op::kInsert, {1, 0, 100}}, {Op::kInsert, {1, 18, 101}}});
  EXPECT_EQ(session.Take(), (Lines{"+1|0|100|0|10", "+1|18|101|18|28"}));
  session.Push({{Op::kInsert, {1, 9, 102}}});
  EXPECT_EQ(session.Take(), (Lines{"U-1|0|100|0|10", "U+1|0|100|0|28", "+1|9|102|0|28",
                                   "U-1|18|101|18|28", "U+1|18|101|0|28"}));
  // Retracting the bridge splits the session again.
  session.Push({{Op::kDelete, {1, 9, 102}}});
  EXPECT_EQ(session.Take(), (Lines{"-1|9|102|0|28", "U-1|0|100|0|28", "U+1|0|100|0|10",
                                   "U-1|18|101|0|28", "U+1|18|101|18|28"}));
  // Retracting the last row of a session shrinks it; retracting a lone row removes it.
  session.Push({{Op::kInsert, {1, 20, 103}}});
  session.Take();
  session.Push({{Op::kDelete, {1, 20, 103}}, {Op::kDelete, {1, 0, 100}}});
  EXPECT_EQ(session.Take(),
            (Lines{"-1|20|103|18|30", "-1|0|100|0|10", "U-1|18|101|18|30", "U+1|18|101|18|28"}));
}

TEST(StreamSessionWindowTest, AnUpdateRetractsTheOldRowAndReemitsItsSession) {
  Harness session(10, 0);
  session.Push({{Op::kInsert, {1, 0, 100}}, {Op::kInsert, {1, 4, 101}}});
  session.Take();
  // Moving row 101 from 4 to 2 shrinks the session: the old 101 goes at once, and the session is
  // re-emitted with its new bounds once the chunk is applied.
  session.Push({{Op::kUpdateDelete, {1, 4, 101}}, {Op::kUpdateInsert, {1, 2, 101}}});
  EXPECT_EQ(session.Take(),
            (Lines{"-1|4|101|0|14", "U-1|0|100|0|14", "U+1|0|100|0|12", "+1|2|101|0|12"}));
}

TEST(StreamSessionWindowTest, WatermarkDropsClosedSessionsAndLateRows) {
  Harness session(10, 0);
  session.Push({{Op::kInsert, {1, 0, 100}},
                {Op::kInsert, {1, 5, 101}},
                {Op::kInsert, {1, 30, 102}},
                {Op::kInsert, {2, 12, 103}}});
  session.Take();
  session.Barrier();
  EXPECT_EQ(session.StoredEntries(), 4u);
  // Session [0, 15) of user 1 closes; [12, 22) of user 2 and [30, 40) of user 1 stay open.
  session.Watermark(16);
  EXPECT_EQ(session.Take(), Lines{});
  EXPECT_EQ(session.capture.watermarks,
            (std::vector<std::pair<uint32_t, int64_t>>{{1, 12}, {3, 12}, {4, 22}}));
  session.Barrier();
  // Rows 102 and 103, and the progress entry.
  EXPECT_EQ(session.StoredEntries(), 3u);
  // A row behind the watermark is late and dropped; a retraction of a closed row is ignored.
  session.Push({{Op::kInsert, {1, 14, 104}}, {Op::kDelete, {1, 5, 101}}});
  EXPECT_EQ(session.Take(), Lines{});
  // A row after the watermark still extends an open session.
  session.Push({{Op::kInsert, {2, 17, 105}}});
  EXPECT_EQ(session.Take(), (Lines{"U-2|12|103|12|22", "U+2|12|103|12|27", "+2|17|105|12|27"}));
}

TEST(StreamSessionWindowTest, WatermarksFollowTheOpenSessionsAndNeverGoBack) {
  using Watermarks = std::vector<std::pair<uint32_t, int64_t>>;
  Harness session(10, 5);
  session.Push({{Op::kInsert, {1, 100, 100}}});
  // No open session starts before 50: the time column, window_start and window_end (+ gap).
  session.Watermark(50);
  EXPECT_EQ(session.capture.watermarks, (Watermarks{{1, 50}, {3, 50}, {4, 60}}));
  session.capture.watermarks.clear();
  // The open session [100, 110) may still be re-emitted: held at its start.
  session.Watermark(105);
  EXPECT_EQ(session.capture.watermarks, (Watermarks{{1, 100}, {3, 100}, {4, 110}}));
  session.capture.watermarks.clear();
  // It closes once the watermark passes its end, 110 (EMIT ON WINDOW CLOSE shows it then); it is
  // kept for the lateness of 5 so a late row can still correct it.
  session.Watermark(114);
  EXPECT_EQ(session.capture.watermarks, (Watermarks{{1, 114}, {3, 114}, {4, 124}}));
  session.capture.watermarks.clear();
  // A new open session before the watermark holds it back, and it never goes backwards.
  session.Push({{Op::kInsert, {2, 109, 101}}});
  session.Watermark(116);
  EXPECT_EQ(session.capture.watermarks, Watermarks{});
  // Everything closed: the watermark itself.
  session.Watermark(130);
  EXPECT_EQ(session.capture.watermarks, (Watermarks{{1, 130}, {3, 130}, {4, 140}}));
  session.capture.watermarks.clear();
  session.Watermark(120);
  EXPECT_EQ(session.capture.watermarks, Watermarks{});
  // Within the lateness, a row behind the watermark is still accepted.
  session.Push({{Op::kInsert, {3, 126, 102}}});
  EXPECT_EQ(session.Take(),
            (Lines{"+1|100|100|100|110", "+2|109|101|109|119", "+3|126|102|126|136"}));
}

TEST(StreamSessionWindowTest, RestartedOperatorContinuesLikeAnUninterruptedOne) {
  Harness steady(10, 2);
  Harness restarted(10, 2);
  const std::vector<std::pair<Op, Row>> first = {
      {Op::kInsert, {1, 0, 100}}, {Op::kInsert, {1, 18, 101}}, {Op::kInsert, {2, 3, 102}}};
  steady.Push(first);
  restarted.Push(first);
  steady.Watermark(14);
  restarted.Watermark(14);
  steady.Barrier();
  restarted.Barrier();
  EXPECT_EQ(steady.Take(), restarted.Take());
  // Uncommitted input after the barrier dies with the old instance, as in a crash.
  restarted.Push({{Op::kInsert, {1, 25, 199}}});
  restarted.Restart();
  restarted.Take();
  restarted.capture.watermarks.clear();
  steady.capture.watermarks.clear();
  const std::vector<std::vector<std::pair<Op, Row>>> after = {
      {{Op::kInsert, {1, 9, 103}}},
      {{Op::kInsert, {1, 11, 104}}, {Op::kInsert, {2, 12, 105}}},
      {{Op::kDelete, {1, 18, 101}}},
  };
  for (const auto& chunk : after) {
    steady.Push(chunk);
    restarted.Push(chunk);
    EXPECT_EQ(steady.Take(), restarted.Take());
  }
  steady.Watermark(30);
  restarted.Watermark(30);
  EXPECT_EQ(steady.capture.watermarks, restarted.capture.watermarks);
}

/// The session bounds of every row of `contents`, by id, recomputed from scratch.
std::map<int64_t, std::pair<int64_t, int64_t>> Sessions(const std::map<int64_t, Row>& contents,
                                                        int64_t gap) {
  std::map<std::optional<int64_t>, std::vector<Row>> groups;
  for (const auto& [id, row] : contents) {
    groups[row.user].push_back(row);
  }
  std::map<int64_t, std::pair<int64_t, int64_t>> bounds;
  for (auto& [user, rows] : groups) {
    std::sort(rows.begin(), rows.end(),
              [](const Row& x, const Row& y) { return *x.time < *y.time; });
    for (size_t first = 0; first < rows.size();) {
      size_t last = first;
      while (last + 1 < rows.size() && *rows[last + 1].time - *rows[last].time < gap) {
        ++last;
      }
      for (size_t i = first; i <= last; ++i) {
        bounds[rows[i].id] = {*rows[first].time, *rows[last].time + gap};
      }
      first = last + 1;
    }
  }
  return bounds;
}

std::string Text(const Row& row, std::pair<int64_t, int64_t> bounds) {
  return (row.user ? std::to_string(*row.user) : "NULL") + "|" + std::to_string(*row.time) + "|" +
         std::to_string(row.id) + "|" + std::to_string(bounds.first) + "|" +
         std::to_string(bounds.second);
}

/// Applies the captured changes to `view`; fails on a delete of a row that is not there. (Rows may
/// lie behind a forwarded watermark: a late row within the lateness re-emits a kept session.)
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
  capture.chunks.clear();
}

TEST(StreamSessionWindowTest, RandomChangesMatchARecomputation) {
  std::mt19937_64 random(77);
  for (int trial = 0; trial < 40; ++trial) {
    const int64_t gap = 3 + static_cast<int64_t>(random() % 10);
    const int64_t lateness = trial % 2 == 0 ? 0 : static_cast<int64_t>(random() % 8);
    const bool with_watermarks = trial % 4 != 3;
    Harness session(gap, lateness);
    // The accepted rows of open sessions; the view keeps the rows of closed ones as they were.
    std::map<int64_t, Row> open;
    std::map<std::string, int> closed;
    std::map<std::string, int> view;
    std::map<uint32_t, int64_t> watermarks;
    std::optional<int64_t> watermark;
    int64_t next_id = 0;
    for (int step = 0; step < 150; ++step) {
      std::vector<std::pair<Op, Row>> chunk;
      const int changes = 1 + static_cast<int>(random() % 6);
      for (int i = 0; i < changes; ++i) {
        if (!open.empty() && random() % 3 == 0) {
          auto it = open.begin();
          std::advance(it, random() % open.size());
          chunk.emplace_back(Op::kDelete, it->second);
          open.erase(it);
          continue;
        }
        Row row;
        row.id = next_id++;
        row.user = random() % 7 == 0 ? std::nullopt : std::optional<int64_t>(random() % 3);
        const int64_t low = watermark ? *watermark - lateness : 0;
        if (random() % 15 == 0) {
          row.time = std::nullopt;
        } else if (watermark && random() % 10 == 0) {
          row.time = low - 1 - static_cast<int64_t>(random() % gap);  // late: dropped
        } else {
          row.time = low + static_cast<int64_t>(random() % (4 * gap));
          open[row.id] = row;
        }
        chunk.emplace_back(Op::kInsert, row);
      }
      session.Push(chunk);
      Apply(session.capture, view);
      std::map<std::string, int> expected = closed;
      for (const auto& [id, bounds] : Sessions(open, gap)) {
        ++expected[Text(open.at(id), bounds)];
      }
      ASSERT_EQ(view, expected) << "trial " << trial << " step " << step;

      if (with_watermarks && random() % 4 == 0) {
        watermark = watermark.value_or(0) + static_cast<int64_t>(random() % (2 * gap));
        session.Watermark(*watermark);
        for (const auto& [column, value] : session.capture.watermarks) {
          if (watermarks.count(column) > 0) {
            EXPECT_GT(value, watermarks[column]) << "watermark went back on column " << column;
          }
          watermarks[column] = value;
        }
        session.capture.watermarks.clear();
        // Rows of sessions that can no longer change leave `open`: the source sends no
        // retractions of them any more.
        for (const auto& [id, bounds] : Sessions(open, gap)) {
          if (bounds.second <= *watermark - lateness) {
            ++closed[Text(open.at(id), bounds)];
            open.erase(id);
          }
        }
      }
      if (random() % 8 == 0) {
        session.Barrier();
        if (random() % 2 == 0) {
          session.Restart();
        }
      }
    }
  }
}

}  // namespace
}  // namespace freshet::executor::stream
