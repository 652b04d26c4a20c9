// SPDX-License-Identifier: Apache-2.0
#include <optional>

#include <gtest/gtest.h>

#include "common/calendar.h"
#include "common/error.h"
#include "executor/batch/batch_operator.h"

namespace freshet::executor {
namespace {

constexpr int64_t kSecond = calendar::kMicrosPerSecond;

/// A row of the test input: a text key and a time in microseconds since 1970 (nullopt is NULL).
struct TimedRow {
  std::optional<std::string> key;
  std::optional<int64_t> time;
};

/// A ChunkScanNode over rows (k TEXT, ts TIMESTAMP).
std::unique_ptr<plan::ChunkScanNode> Scan(const std::vector<TimedRow>& rows) {
  auto chunk =
      std::make_shared<Chunk>(std::vector<DataType>{DataType::Text(), DataType::Timestamp()});
  for (const TimedRow& row : rows) {
    chunk->AppendRow({row.key ? Value::Text(*row.key) : Value::Null(DataType::Text()),
                      row.time ? Value::Int(DataType::Timestamp(), *row.time)
                               : Value::Null(DataType::Timestamp())});
  }
  auto scan = std::make_unique<plan::ChunkScanNode>();
  scan->name = "input";
  scan->rows = std::move(chunk);
  scan->outputs = {{"k", DataType::Text()}, {"ts", DataType::Timestamp()}};
  return scan;
}

std::vector<plan::OutputColumn> WindowOutputs() {
  return {{"k", DataType::Text()},
          {"ts", DataType::Timestamp()},
          {"window_start", DataType::Timestamp()},
          {"window_end", DataType::Timestamp()}};
}

std::unique_ptr<plan::HopWindowNode> Hop(const std::vector<TimedRow>& rows,
                                         int64_t slide,
                                         int64_t size,
                                         int64_t offset = 0) {
  auto hop = std::make_unique<plan::HopWindowNode>();
  hop->time_column = 1;
  hop->slide_micros = slide;
  hop->size_micros = size;
  hop->offset_micros = offset;
  hop->outputs = WindowOutputs();
  hop->input = Scan(rows);
  return hop;
}

std::unique_ptr<plan::SessionWindowNode> Session(const std::vector<TimedRow>& rows,
                                                 int64_t gap,
                                                 bool keyed = true) {
  auto session = std::make_unique<plan::SessionWindowNode>();
  session->time_column = 1;
  session->gap_micros = gap;
  if (keyed) {
    session->key_columns = {0};
  }
  session->outputs = WindowOutputs();
  session->input = Scan(rows);
  return session;
}

/// Runs a plan; returns every output chunk.
std::vector<Chunk> RunChunks(const plan::BatchNode& root, size_t memory_limit = size_t{1} << 30) {
  BatchContext context;
  context.memory_limit_bytes = memory_limit;
  auto query = BuildBatchOperator(root, context);
  std::vector<Chunk> chunks;
  Chunk chunk;
  while (query->Next(chunk)) {
    chunks.push_back(std::move(chunk));
  }
  return chunks;
}

/// Runs a plan; returns each row as "key|time|window_start|window_end", times in microseconds.
std::vector<std::string> RunLines(const plan::BatchNode& root) {
  std::vector<std::string> lines;
  for (const Chunk& chunk : RunChunks(root)) {
    for (size_t row = 0; row < chunk.NumRows(); ++row) {
      std::string line =
          chunk.GetColumn(0).IsNull(row) ? "NULL" : std::string(chunk.GetColumn(0).GetString(row));
      for (size_t column = 1; column < chunk.NumColumns(); ++column) {
        line += "|" + (chunk.GetColumn(column).IsNull(row)
                           ? std::string("NULL")
                           : std::to_string(chunk.GetColumn(column).Data<int64_t>()[row]));
      }
      lines.push_back(line);
    }
  }
  return lines;
}

TEST(HopWindowOperatorTest, TumbleRoundsTimesBefore1970Down) {
  const auto tumble = Hop({{"a", -1}, {"b", -10 * kSecond}, {"c", 0}, {"d", 9'999'999}},
                          10 * kSecond, 10 * kSecond);
  EXPECT_EQ(RunLines(*tumble),
            (std::vector<std::string>{"a|-1|-10000000|0", "b|-10000000|-10000000|0",
                                      "c|0|0|10000000", "d|9999999|0|10000000"}));
}

TEST(HopWindowOperatorTest, TumbleOffsetShiftsTheGrid) {
  const std::vector<TimedRow> rows = {{"a", 2 * kSecond}, {"b", 3 * kSecond}, {"c", -4 * kSecond}};
  const std::vector<std::string> expected = {
      "a|2000000|-7000000|3000000", "b|3000000|3000000|13000000", "c|-4000000|-7000000|3000000"};
  EXPECT_EQ(RunLines(*Hop(rows, 10 * kSecond, 10 * kSecond, 3 * kSecond)), expected);
  // An offset counts modulo the size: -7 s aligns the same as 3 s, and 13 s too.
  EXPECT_EQ(RunLines(*Hop(rows, 10 * kSecond, 10 * kSecond, -7 * kSecond)), expected);
  EXPECT_EQ(RunLines(*Hop(rows, 10 * kSecond, 10 * kSecond, 13 * kSecond)), expected);
}

TEST(HopWindowOperatorTest, HopEmitsSizeOverSlideWindowsPerRowInStartOrder) {
  const auto hop = Hop({{"a", 5 * kSecond}, {"b", -1}}, 2 * kSecond, 6 * kSecond);
  EXPECT_EQ(RunLines(*hop),
            (std::vector<std::string>{"a|5000000|0|6000000", "a|5000000|2000000|8000000",
                                      "a|5000000|4000000|10000000", "b|-1|-6000000|0",
                                      "b|-1|-4000000|2000000", "b|-1|-2000000|4000000"}));
}

TEST(HopWindowOperatorTest, HopOffsetAlignsStartsAndStillCoversTheTime) {
  // Starts are 1 s plus a multiple of 2 s; the windows holding t = 0 start at -5, -3 and -1 s.
  const auto hop = Hop({{"a", 0}}, 2 * kSecond, 6 * kSecond, kSecond);
  EXPECT_EQ(RunLines(*hop),
            (std::vector<std::string>{"a|0|-5000000|1000000", "a|0|-3000000|3000000",
                                      "a|0|-1000000|5000000"}));
}

TEST(HopWindowOperatorTest, NullTimesHaveNoWindowAndInfinityKeepsItsBounds) {
  const int64_t infinity = calendar::kTimestampInfinity;
  const int64_t minus_infinity = calendar::kTimestampMinusInfinity;
  const std::vector<TimedRow> rows = {
      {"a", std::nullopt}, {"b", infinity}, {"c", 1}, {"d", minus_infinity}};
  const std::string inf = std::to_string(infinity);
  const std::string minus_inf = std::to_string(minus_infinity);
  EXPECT_EQ(RunLines(*Hop(rows, kSecond, kSecond)),
            (std::vector<std::string>{"b|" + inf + "|" + inf + "|" + inf, "c|1|0|1000000",
                                      "d|" + minus_inf + "|" + minus_inf + "|" + minus_inf}));
  EXPECT_EQ(RunLines(*Hop(rows, kSecond, 2 * kSecond)),
            (std::vector<std::string>{"b|" + inf + "|" + inf + "|" + inf, "c|1|-1000000|1000000",
                                      "c|1|0|2000000",
                                      "d|" + minus_inf + "|" + minus_inf + "|" + minus_inf}));
}

TEST(HopWindowOperatorTest, ManyWindowsPerRowSpanSeveralOutputChunks) {
  // 3000 windows of 3000 us sliding by 1 us for each of two rows.
  const auto hop = Hop({{"a", 0}, {"b", std::nullopt}, {"c", 100}}, 1, 3000);
  size_t rows = 0;
  std::vector<Chunk> chunks = RunChunks(*hop);
  for (const Chunk& chunk : chunks) {
    EXPECT_LE(chunk.NumRows(), Chunk::kChunkSize);
    EXPECT_EQ(chunk.NumColumns(), 4u);
    rows += chunk.NumRows();
  }
  EXPECT_EQ(rows, 6000u);
  const Chunk& first = chunks.front();
  EXPECT_EQ(first.GetColumn(2).Data<int64_t>()[0], -2999);
  const Chunk& last = chunks.back();
  EXPECT_EQ(last.GetColumn(0).GetString(last.NumRows() - 1), "c");
  EXPECT_EQ(last.GetColumn(2).Data<int64_t>()[last.NumRows() - 1], 100);
  EXPECT_EQ(last.GetColumn(3).Data<int64_t>()[last.NumRows() - 1], 3100);
}

TEST(HopWindowOperatorTest, TumbleKeepsEveryRowOfLargeInputs) {
  std::vector<TimedRow> input;
  for (int64_t i = 0; i < 2500; ++i) {
    input.push_back({"k", i % 7 == 0 ? std::nullopt : std::optional<int64_t>(i * kSecond)});
  }
  const auto tumble = Hop(input, 60 * kSecond, 60 * kSecond);
  size_t rows = 0;
  for (const Chunk& chunk : RunChunks(*tumble)) {
    for (size_t row = 0; row < chunk.NumRows(); ++row) {
      const int64_t time = chunk.GetColumn(1).Data<int64_t>()[row];
      const int64_t start = chunk.GetColumn(2).Data<int64_t>()[row];
      EXPECT_EQ(start, time / (60 * kSecond) * 60 * kSecond);
      EXPECT_EQ(chunk.GetColumn(3).Data<int64_t>()[row], start + 60 * kSecond);
    }
    rows += chunk.NumRows();
  }
  EXPECT_EQ(rows, 2500u - 358u);  // every 7th of 0..2499 is NULL
}

TEST(HopWindowOperatorTest, WindowsBeyondTheTimestampRangeFailWith22008) {
  const auto tumble = Hop({{"a", calendar::kMinTimestamp}}, 7 * kSecond, 7 * kSecond);
  try {
    RunChunks(*tumble);
    FAIL();
  } catch (const Error& error) {
    EXPECT_EQ(error.State(), SqlState::kDatetimeFieldOverflow);
    EXPECT_EQ(error.Message(), "timestamp out of range");
  }
}

TEST(SessionWindowOperatorTest, RowsLessThanAGapApartShareASession) {
  const auto session = Session({{"a", 15 * kSecond},
                                {"b", 3 * kSecond},
                                {"a", 0},
                                {std::nullopt, 2 * kSecond},
                                {"a", 24 * kSecond},
                                {"a", std::nullopt},
                                {std::nullopt, 1 * kSecond},
                                {"a", 5 * kSecond}},
                               10 * kSecond);
  // 15 s is exactly one gap after 5 s: a new session.
  EXPECT_EQ(RunLines(*session),
            (std::vector<std::string>{
                "a|0|0|15000000", "a|5000000|0|15000000", "a|15000000|15000000|34000000",
                "a|24000000|15000000|34000000", "b|3000000|3000000|13000000",
                "NULL|1000000|1000000|12000000", "NULL|2000000|1000000|12000000"}));
}

TEST(SessionWindowOperatorTest, WithoutKeysAllRowsFormOneSequence) {
  const auto session =
      Session({{"z", 4'999'999}, {"x", -3 * kSecond}, {"y", -1}}, 5 * kSecond, false);
  // z is exactly one gap after y: a new session.
  EXPECT_EQ(RunLines(*session),
            (std::vector<std::string>{"x|-3000000|-3000000|4999999", "y|-1|-3000000|4999999",
                                      "z|4999999|4999999|9999999"}));
}

TEST(SessionWindowOperatorTest, LongSessionsSpanOutputChunks) {
  std::vector<TimedRow> input;
  for (int64_t i = 0; i < 3000; ++i) {
    input.push_back({i % 2 == 0 ? "even" : "odd", i * kSecond});
  }
  const auto session = Session(input, 3 * kSecond);
  size_t rows = 0;
  for (const Chunk& chunk : RunChunks(*session)) {
    for (size_t row = 0; row < chunk.NumRows(); ++row) {
      const bool even = chunk.GetColumn(0).GetString(row) == "even";
      EXPECT_EQ(chunk.GetColumn(2).Data<int64_t>()[row], even ? 0 : kSecond);
      EXPECT_EQ(chunk.GetColumn(3).Data<int64_t>()[row],
                even ? 2998 * kSecond + 3 * kSecond : 2999 * kSecond + 3 * kSecond);
    }
    rows += chunk.NumRows();
  }
  EXPECT_EQ(rows, 3000u);
}

TEST(SessionWindowOperatorTest, InputBeyondTheMemoryBudgetFailsWith53200) {
  std::vector<TimedRow> input;
  for (int64_t i = 0; i < 5000; ++i) {
    input.push_back({"some key text", i});
  }
  const auto session = Session(input, kSecond);
  try {
    RunChunks(*session, 16 * 1024);
    FAIL();
  } catch (const Error& error) {
    EXPECT_EQ(error.State(), SqlState::kOutOfMemory);
  }
}

TEST(LateEventsTest, BatchScanOfLateEventsIsRefused) {
  plan::TableScanNode scan;
  scan.table.name = "bids";
  scan.late_events = true;
  BatchContext context;
  try {
    BuildBatchOperator(scan, context);
    FAIL();
  } catch (const Error& error) {
    EXPECT_EQ(error.State(), SqlState::kFeatureNotSupported);
    EXPECT_EQ(error.Message(), "LATE_EVENTS can only be read by a materialized view");
  }
}

}  // namespace
}  // namespace freshet::executor
