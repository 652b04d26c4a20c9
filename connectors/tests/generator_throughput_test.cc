// SPDX-License-Identifier: Apache-2.0
// Measures the generators' Read throughput on one core. Disabled by default; run with
//   connectors_tests --gtest_also_run_disabled_tests --gtest_filter='GeneratorThroughput*'
#include <algorithm>
#include <cstdio>
#include <ctime>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "common/column.h"
#include "common/data_type.h"
#include "connectors/source_reader.h"
#include "connectors/tests/read_rows.h"

namespace freshet::connectors {
namespace {

using testing::MakeSpec;

/// The CPU time of this thread: the machine may be shared, so wall-clock time would undercount.
double ThreadCpuSeconds() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

/// Reads `rows` rows in chunks of 1024 into one reused chunk and returns rows per CPU second.
double MeasureRowsPerSecond(const SourceSpec& spec, size_t rows) {
  std::unique_ptr<SourceReader> reader = CreateSourceReader(spec, 0, 1);
  Chunk chunk(spec.column_types);
  size_t total = 0;
  const double start = ThreadCpuSeconds();
  while (total < rows) {
    for (Column& column : chunk.Columns()) {
      column.Clear();
    }
    chunk.SetNumRows(0);
    const size_t read = reader->Read(chunk, std::min(Chunk::kChunkSize, rows - total));
    if (read == 0) {
      break;
    }
    total += read;
  }
  const double seconds = ThreadCpuSeconds() - start;
  EXPECT_EQ(total, rows);
  return static_cast<double>(total) / seconds;
}

TEST(GeneratorThroughputTest, DISABLED_NexmarkBids) {
  const SourceSpec spec = MakeSpec({{"connector", "nexmark"}, {"nexmark.table.type", "Bid"}},
                                   {{"auction", DataType::Bigint()},
                                    {"bidder", DataType::Bigint()},
                                    {"price", DataType::Bigint()},
                                    {"channel", DataType::Text()},
                                    {"url", DataType::Text()},
                                    {"date_time", DataType::Timestamp()},
                                    {"extra", DataType::Text()}});
  MeasureRowsPerSecond(spec, 1'000'000);  // warm-up
  std::printf("nexmark bid (7 columns): %.2f M rows/s\n",
              MeasureRowsPerSecond(spec, 20'000'000) / 1e6);
}

TEST(GeneratorThroughputTest, DISABLED_NexmarkBidsWithoutStrings) {
  const SourceSpec spec = MakeSpec({{"connector", "nexmark"}, {"nexmark.table.type", "Bid"}},
                                   {{"auction", DataType::Bigint()},
                                    {"bidder", DataType::Bigint()},
                                    {"price", DataType::Bigint()},
                                    {"date_time", DataType::Timestamp()}});
  MeasureRowsPerSecond(spec, 1'000'000);
  std::printf("nexmark bid (4 numeric columns): %.2f M rows/s\n",
              MeasureRowsPerSecond(spec, 20'000'000) / 1e6);
}

TEST(GeneratorThroughputTest, DISABLED_NexmarkPersonsAndAuctions) {
  const SourceSpec persons = MakeSpec({{"connector", "nexmark"}, {"nexmark.table.type", "Person"}},
                                      {{"id", DataType::Bigint()},
                                       {"name", DataType::Text()},
                                       {"email_address", DataType::Text()},
                                       {"credit_card", DataType::Text()},
                                       {"city", DataType::Text()},
                                       {"state", DataType::Text()},
                                       {"date_time", DataType::Timestamp()},
                                       {"extra", DataType::Text()}});
  std::printf("nexmark person: %.2f M rows/s\n", MeasureRowsPerSecond(persons, 2'000'000) / 1e6);
  const SourceSpec auctions =
      MakeSpec({{"connector", "nexmark"}, {"nexmark.table.type", "Auction"}},
               {{"id", DataType::Bigint()},
                {"item_name", DataType::Text()},
                {"description", DataType::Text()},
                {"initial_bid", DataType::Bigint()},
                {"reserve", DataType::Bigint()},
                {"date_time", DataType::Timestamp()},
                {"expires", DataType::Timestamp()},
                {"seller", DataType::Bigint()},
                {"category", DataType::Bigint()},
                {"extra", DataType::Text()}});
  std::printf("nexmark auction: %.2f M rows/s\n", MeasureRowsPerSecond(auctions, 2'000'000) / 1e6);
}

TEST(GeneratorThroughputTest, DISABLED_DatagenThreeColumns) {
  const SourceSpec spec = MakeSpec(
      {{"connector", "datagen"}, {"datagen.rows.per.second", "0"}},
      {{"id", DataType::Bigint()}, {"value", DataType::Double()}, {"at", DataType::Timestamp()}});
  MeasureRowsPerSecond(spec, 1'000'000);
  std::printf("datagen (bigint sequence, random double, timestamp): %.2f M rows/s\n",
              MeasureRowsPerSecond(spec, 50'000'000) / 1e6);
  const SourceSpec with_string = MakeSpec(
      {{"connector", "datagen"}, {"datagen.rows.per.second", "0"}},
      {{"id", DataType::Bigint()}, {"name", DataType::Varchar(16)}, {"at", DataType::Timestamp()}});
  std::printf("datagen (bigint sequence, random varchar(10), timestamp): %.2f M rows/s\n",
              MeasureRowsPerSecond(with_string, 20'000'000) / 1e6);
}

}  // namespace
}  // namespace freshet::connectors
