// SPDX-License-Identifier: Apache-2.0
#include "connectors/nexmark_reader.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/column.h"
#include "common/data_type.h"
#include "common/text_format.h"
#include "connectors/source_reader.h"
#include "connectors/tests/read_rows.h"

namespace freshet::connectors {
namespace {

using testing::ErrorOf;
using testing::MakeSpec;
using testing::ReadAllShardsSorted;
using testing::ReadRows;

constexpr size_t kNoLimit = 10'000'000;
// 2015-07-15 00:00:00 UTC in microseconds, the default base time.
constexpr int64_t kBaseTimeMicros = 1'436'918'400'000'000;

using Columns = std::vector<std::pair<std::string, DataType>>;

const Columns& PersonColumns() {
  static const Columns columns = {
      {"id", DataType::Bigint()},           {"name", DataType::Varchar(64)},
      {"email_address", DataType::Text()},  {"credit_card", DataType::Text()},
      {"city", DataType::Text()},           {"state", DataType::Text()},
      {"date_time", DataType::Timestamp()}, {"extra", DataType::Text()}};
  return columns;
}

const Columns& AuctionColumns() {
  static const Columns columns = {
      {"id", DataType::Bigint()},         {"item_name", DataType::Text()},
      {"description", DataType::Text()},  {"initial_bid", DataType::Bigint()},
      {"reserve", DataType::Bigint()},    {"date_time", DataType::Timestamp()},
      {"expires", DataType::Timestamp()}, {"seller", DataType::Bigint()},
      {"category", DataType::Bigint()},   {"extra", DataType::Text()}};
  return columns;
}

const Columns& BidColumns() {
  static const Columns columns = {
      {"auction", DataType::Bigint()}, {"bidder", DataType::Bigint()},
      {"price", DataType::Bigint()},   {"channel", DataType::Varchar(12)},
      {"url", DataType::Text()},       {"date_time", DataType::Timestamp()},
      {"extra", DataType::Text()}};
  return columns;
}

SourceSpec NexmarkSource(const std::string& table,
                         const Columns& columns,
                         const std::string& event_num,
                         ConnectorOptions extra = {}) {
  ConnectorOptions options = {
      {"connector", "nexmark"}, {"nexmark.table.type", table}, {"nexmark.event.num", event_num}};
  options.insert(options.end(), extra.begin(), extra.end());
  return MakeSpec(std::move(options), columns);
}

/// Reads a whole shard into one chunk per Read, concatenated.
Chunk ReadChunk(const SourceSpec& spec, uint32_t shard = 0, uint32_t shard_count = 1) {
  std::unique_ptr<SourceReader> reader = CreateSourceReader(spec, shard, shard_count);
  Chunk all(spec.column_types);
  while (reader->Read(all, 1000) > 0) {
  }
  EXPECT_TRUE(reader->Exhausted());
  return all;
}

std::string Text(const Chunk& chunk, size_t column, size_t row) {
  std::string text;
  chunk.GetColumn(column).AppendText(row, text);
  return text;
}

int64_t Int(const Chunk& chunk, size_t column, size_t row) {
  return chunk.GetColumn(column).Data<int64_t>()[row];
}

TEST(NexmarkReaderTest, EventKindsComeInProportion1To3To46) {
  for (uint32_t shards : {1u, 3u}) {
    size_t persons = 0;
    size_t auctions = 0;
    size_t bids = 0;
    for (uint32_t shard = 0; shard < shards; ++shard) {
      persons +=
          ReadChunk(NexmarkSource("Person", PersonColumns(), "5000"), shard, shards).NumRows();
      auctions +=
          ReadChunk(NexmarkSource("Auction", AuctionColumns(), "5000"), shard, shards).NumRows();
      bids += ReadChunk(NexmarkSource("Bid", BidColumns(), "5000"), shard, shards).NumRows();
    }
    EXPECT_EQ(persons, 100u);
    EXPECT_EQ(auctions, 300u);
    EXPECT_EQ(bids, 4600u);
  }
}

TEST(NexmarkReaderTest, EventNumIsHonouredExactly) {
  // Events 0..1233: 24 full blocks of 50 plus events 1200..1233 (1 person, 3 auctions, 30 bids).
  EXPECT_EQ(ReadChunk(NexmarkSource("bid", BidColumns(), "1234")).NumRows(), 24u * 46 + 30);
  EXPECT_EQ(ReadChunk(NexmarkSource("PERSON", PersonColumns(), "1234")).NumRows(), 25u);
  EXPECT_EQ(ReadChunk(NexmarkSource("Auction", AuctionColumns(), "1234")).NumRows(), 75u);
  EXPECT_EQ(ReadChunk(NexmarkSource("Bid", BidColumns(), "0")).NumRows(), 0u);
}

TEST(NexmarkReaderTest, SameOptionsGiveSameRows) {
  for (const auto& [table, columns] :
       {std::pair{"Person", PersonColumns()}, std::pair{"Auction", AuctionColumns()},
        std::pair{"Bid", BidColumns()}}) {
    const SourceSpec spec = NexmarkSource(table, columns, "3000");
    std::unique_ptr<SourceReader> first = CreateSourceReader(spec, 0, 1);
    std::unique_ptr<SourceReader> second = CreateSourceReader(spec, 0, 1);
    EXPECT_EQ(ReadRows(*first, spec, kNoLimit, 100), ReadRows(*second, spec, kNoLimit, 1024))
        << table;
  }
}

TEST(NexmarkReaderTest, SeedChangesTheRandomFields) {
  const std::vector<std::string> zero =
      ReadAllShardsSorted(NexmarkSource("Bid", BidColumns(), "500"), 1, kNoLimit);
  const std::vector<std::string> one = ReadAllShardsSorted(
      NexmarkSource("Bid", BidColumns(), "500", {{"nexmark.seed", "1"}}), 1, kNoLimit);
  EXPECT_EQ(zero.size(), one.size());
  EXPECT_NE(zero, one);
}

TEST(NexmarkReaderTest, ShardsTogetherProduceTheSingleShardStream) {
  for (const auto& [table, columns] :
       {std::pair{"Person", PersonColumns()}, std::pair{"Auction", AuctionColumns()},
        std::pair{"Bid", BidColumns()}}) {
    const SourceSpec spec = NexmarkSource(table, columns, "2600");
    const std::vector<std::string> single = ReadAllShardsSorted(spec, 1, kNoLimit);
    for (uint32_t shards : {2u, 3u, 50u}) {
      EXPECT_EQ(ReadAllShardsSorted(spec, shards, kNoLimit), single) << table << " " << shards;
    }
  }
}

TEST(NexmarkReaderTest, ShardWithoutEventsOfItsTableIsExhaustedAtOnce) {
  // With 50 shards, shard 0 gets only events 0, 50, 100, ...: all persons.
  const SourceSpec spec = NexmarkSource("Bid", BidColumns(), "1000000");
  std::unique_ptr<SourceReader> reader = CreateSourceReader(spec, 0, 50);
  Chunk chunk(spec.column_types);
  EXPECT_EQ(reader->Read(chunk, 100), 0u);
  EXPECT_TRUE(reader->Exhausted());
}

TEST(NexmarkReaderTest, RestoredReaderContinuesExactly) {
  for (const auto& [table, columns] :
       {std::pair{"Person", PersonColumns()}, std::pair{"Bid", BidColumns()}}) {
    const SourceSpec spec = NexmarkSource(table, columns, "4000");
    for (uint32_t shards : {1u, 3u}) {
      std::unique_ptr<SourceReader> original = CreateSourceReader(spec, shards - 1, shards);
      const std::vector<std::string> head = ReadRows(*original, spec, 23, 10);
      ASSERT_EQ(head.size(), 23u);
      const std::string position = original->SavePosition();
      const std::vector<std::string> rest = ReadRows(*original, spec, kNoLimit);
      ASSERT_FALSE(rest.empty());

      std::unique_ptr<SourceReader> restored = CreateSourceReader(spec, shards - 1, shards);
      restored->RestorePosition(position);
      EXPECT_EQ(ReadRows(*restored, spec, kNoLimit, 33), rest) << table << " " << shards;
      EXPECT_TRUE(restored->Exhausted());
    }
  }
}

TEST(NexmarkReaderTest, RestoreRejectsForeignPositions) {
  const SourceSpec bids = NexmarkSource("Bid", BidColumns(), "100");
  const SourceSpec persons = NexmarkSource("Person", PersonColumns(), "100");
  std::unique_ptr<SourceReader> reader = CreateSourceReader(bids, 0, 1);
  EXPECT_EQ(ErrorOf([&] { reader->RestorePosition("x"); }).substr(0, 5), "XX001");
  EXPECT_EQ(
      ErrorOf([&] { reader->RestorePosition(CreateSourceReader(persons, 0, 1)->SavePosition()); }),
      "XX001: invalid nexmark source position");
  EXPECT_EQ(
      ErrorOf([&] { reader->RestorePosition(CreateSourceReader(bids, 1, 2)->SavePosition()); }),
      "XX001: invalid nexmark source position");
}

TEST(NexmarkReaderTest, BidFieldsLieInTheirDocumentedRanges) {
  const Chunk bids = ReadChunk(NexmarkSource("Bid", BidColumns(), "100000"));
  ASSERT_EQ(bids.NumRows(), 92000u);
  const std::set<std::string> hot_channels = {"Google", "Facebook", "Baidu", "Apple"};
  size_t hot_auctions = 0;
  size_t hot_bidders = 0;
  size_t hot_channel_bids = 0;
  int64_t previous_time = 0;
  for (size_t row = 0; row < bids.NumRows(); ++row) {
    // Bid `row` is event 50 * (row / 46) + 4 + row % 46.
    const int64_t event = 50 * static_cast<int64_t>(row / 46) + 4 + static_cast<int64_t>(row % 46);
    const int64_t last_auction = (event / 50) * 3 + 2;
    const int64_t last_person = event / 50;
    const int64_t auction = Int(bids, 0, row);
    EXPECT_GE(auction, 1000 + std::max<int64_t>(last_auction - 100, 0));
    EXPECT_LE(auction, 1000 + last_auction + 10);
    hot_auctions += auction % 100 == 0 ? 1 : 0;
    const int64_t bidder = Int(bids, 1, row);
    EXPECT_GE(bidder, 1000 + std::max<int64_t>(last_person + 1 - 1000, 0));
    EXPECT_LE(bidder, 1000 + last_person + 10);
    hot_bidders += bidder % 100 == 1 ? 1 : 0;
    const int64_t price = Int(bids, 2, row);
    EXPECT_GE(price, 100);
    EXPECT_LE(price, 100'000'000);
    const std::string channel = Text(bids, 3, row);
    const std::string url = Text(bids, 4, row);
    if (hot_channels.count(channel) > 0) {
      ++hot_channel_bids;
    } else {
      EXPECT_EQ(channel.rfind("channel-", 0), 0u) << channel;
      EXPECT_LT(std::stoi(channel.substr(8)), 10000);
    }
    EXPECT_EQ(url.rfind("https://www.nexmark.com/", 0), 0u) << url;
    EXPECT_NE(url.find("/item.htm?query=1"), std::string::npos) << url;
    // Event time: base + event * 100 us, truncated to milliseconds.
    const int64_t time = Int(bids, 5, row);
    EXPECT_EQ(time, kBaseTimeMicros + event * 100 / 1000 * 1000);
    EXPECT_GE(time, previous_time);
    previous_time = time;
    const size_t extra = bids.GetColumn(6).GetString(row).size();
    EXPECT_GE(extra, 54u);
    EXPECT_LE(extra, 81u);
  }
  const double rows = static_cast<double>(bids.NumRows());
  EXPECT_NEAR(hot_auctions / rows, 0.5, 0.03);
  EXPECT_NEAR(hot_bidders / rows, 0.75, 0.03);
  EXPECT_NEAR(hot_channel_bids / rows, 0.5, 0.03);
}

TEST(NexmarkReaderTest, SameChannelHasTheSameUrl) {
  const Chunk bids = ReadChunk(NexmarkSource("Bid", BidColumns(), "20000"));
  std::map<std::string, std::string> url_of;
  for (size_t row = 0; row < bids.NumRows(); ++row) {
    const auto [it, inserted] = url_of.emplace(Text(bids, 3, row), Text(bids, 4, row));
    EXPECT_EQ(it->second, Text(bids, 4, row));
  }
}

TEST(NexmarkReaderTest, PersonFieldsFollowTheRules) {
  const Chunk persons = ReadChunk(NexmarkSource("Person", PersonColumns(), "50000"));
  ASSERT_EQ(persons.NumRows(), 1000u);
  const std::set<std::string> states = {"AZ", "CA", "ID", "OR", "WA", "WY"};
  for (size_t row = 0; row < persons.NumRows(); ++row) {
    const int64_t k = static_cast<int64_t>(row);
    EXPECT_EQ(Int(persons, 0, row), 1000 + k);
    const std::string name = Text(persons, 1, row);
    EXPECT_NE(name.find(' '), std::string::npos);
    const std::string email = Text(persons, 2, row);
    EXPECT_NE(email.find('@'), std::string::npos);
    EXPECT_EQ(email.substr(email.size() - 4), ".com");
    const std::string card = Text(persons, 3, row);
    ASSERT_EQ(card.size(), 19u);
    EXPECT_EQ(card[4], ' ');
    EXPECT_EQ(card[14], ' ');
    EXPECT_EQ(states.count(Text(persons, 5, row)), 1u);
    EXPECT_EQ(Int(persons, 6, row), kBaseTimeMicros + 50 * k * 100 / 1000 * 1000);
    EXPECT_LE(persons.GetColumn(7).GetString(row).size(), 200u);
    EXPECT_GE(persons.GetColumn(7).GetString(row).size(), 100u);
  }
}

TEST(NexmarkReaderTest, AuctionFieldsFollowTheRules) {
  const Chunk auctions = ReadChunk(NexmarkSource("Auction", AuctionColumns(), "50000"));
  ASSERT_EQ(auctions.NumRows(), 3000u);
  size_t hot_sellers = 0;
  for (size_t row = 0; row < auctions.NumRows(); ++row) {
    EXPECT_EQ(Int(auctions, 0, row), 1000 + static_cast<int64_t>(row));  // ids 1000, 1001, ...
    const size_t item_name = auctions.GetColumn(1).GetString(row).size();
    EXPECT_LE(item_name, 19u);
    EXPECT_LE(auctions.GetColumn(2).GetString(row).size(), 99u);
    const int64_t initial_bid = Int(auctions, 3, row);
    EXPECT_GE(initial_bid, 100);
    EXPECT_GT(Int(auctions, 4, row), initial_bid);  // reserve = initial bid + another price
    const int64_t date_time = Int(auctions, 5, row);
    const int64_t expires = Int(auctions, 6, row);
    EXPECT_GT(expires, date_time);
    // At 10,000 events/s the 100th in-flight auction is ~166 ms ahead: auctions last <= ~334 ms.
    EXPECT_LE(expires - date_time, 334'000);
    const int64_t seller = Int(auctions, 7, row);
    const int64_t event = 50 * static_cast<int64_t>(row / 3) + 1 + static_cast<int64_t>(row % 3);
    EXPECT_GE(seller, 1000);
    EXPECT_LE(seller, 1000 + event / 50 + 10);
    hot_sellers += seller % 100 == 0 ? 1 : 0;
    const int64_t category = Int(auctions, 8, row);
    EXPECT_GE(category, 10);
    EXPECT_LE(category, 14);
    EXPECT_LE(auctions.GetColumn(9).GetString(row).size(), 550u);
  }
  EXPECT_NEAR(hot_sellers / 3000.0, 0.75, 0.05);
}

TEST(NexmarkReaderTest, DeclaredColumnsMayBeASubsetInAnyOrder) {
  const Chunk full = ReadChunk(NexmarkSource("Bid", BidColumns(), "2000"));
  const Chunk subset = ReadChunk(NexmarkSource("Bid",
                                               {{"price", DataType::Bigint()},
                                                {"date_time", DataType(TypeId::kTimestamptz)},
                                                {"auction", DataType::Bigint()}},
                                               "2000"));
  ASSERT_EQ(subset.NumRows(), full.NumRows());
  for (size_t row = 0; row < full.NumRows(); ++row) {
    EXPECT_EQ(Int(subset, 0, row), Int(full, 2, row));
    EXPECT_EQ(Int(subset, 1, row), Int(full, 5, row));
    EXPECT_EQ(Int(subset, 2, row), Int(full, 0, row));
  }
}

TEST(NexmarkReaderTest, EventGapAndBaseTimeSetTheEventTime) {
  const Chunk bids = ReadChunk(
      NexmarkSource("Bid", {{"date_time", DataType::Timestamp()}}, "10",
                    {{"nexmark.min.event.gap.in.ns", "1000000000"}, {"nexmark.base.time", "0"}}));
  ASSERT_EQ(bids.NumRows(), 6u);
  EXPECT_EQ(Text(bids, 0, 0), "1970-01-01 00:00:04");
  EXPECT_EQ(Text(bids, 0, 5), "1970-01-01 00:00:09");
}

TEST(NexmarkReaderTest, RisingwaveDictionaryIsLowerCase) {
  const Chunk persons =
      ReadChunk(NexmarkSource("Person", {{"state", DataType::Text()}, {"name", DataType::Text()}},
                              "5000", {{"nexmark.dictionary", "risingwave"}}));
  const std::set<std::string> states = {"az", "ca", "id", "or", "wa", "wy"};
  for (size_t row = 0; row < persons.NumRows(); ++row) {
    EXPECT_EQ(states.count(Text(persons, 0, row)), 1u);
    const std::string name = Text(persons, 1, row);
    EXPECT_TRUE(name[0] >= 'a' && name[0] <= 'z') << name;
  }
}

TEST(NexmarkReaderTest, MaxChunkSizeCapsEachRead) {
  const SourceSpec spec =
      NexmarkSource("Bid", BidColumns(), "1000", {{"nexmark.max.chunk.size", "7"}});
  std::unique_ptr<SourceReader> reader = CreateSourceReader(spec, 0, 1);
  Chunk chunk(spec.column_types);
  EXPECT_EQ(reader->Read(chunk, 1000), 7u);
}

TEST(NexmarkReaderTest, ThrottledReaderWaitsForTheNextEventOfItsTable) {
  // One event per second: event 0 is a person, so the first bid (event 4) is due after 4 s.
  const SourceSpec spec = NexmarkSource("Bid", BidColumns(), "1000", {{"nexmark.event.rate", "1"}});
  std::unique_ptr<SourceReader> reader = CreateSourceReader(spec, 0, 1);
  Chunk chunk(spec.column_types);
  EXPECT_EQ(reader->Read(chunk, 100), 0u);
  EXPECT_GT(reader->MicrosUntilReady(), 3'000'000);
  EXPECT_FALSE(reader->Exhausted());

  const SourceSpec persons =
      NexmarkSource("Person", PersonColumns(), "1000", {{"nexmark.rate.per.second", "10"}});
  std::unique_ptr<SourceReader> person_reader = CreateSourceReader(persons, 0, 1);
  Chunk person_chunk(persons.column_types);
  EXPECT_EQ(person_reader->Read(person_chunk, 100), 1u);  // event 0 is due at once
  EXPECT_EQ(person_reader->Read(person_chunk, 100), 0u);  // event 50 after 5 s
  EXPECT_GT(person_reader->MicrosUntilReady(), 0);
}

TEST(NexmarkReaderTest, ValidationReportsSqlStates) {
  auto error = [](ConnectorOptions options, const Columns& columns) {
    const SourceSpec spec = MakeSpec(std::move(options), columns);
    return ErrorOf([&] { ValidateSource(spec); });
  };
  EXPECT_EQ(error({{"connector", "nexmark"}}, BidColumns()),
            "22023: option \"nexmark.table.type\" is required");
  EXPECT_EQ(error({{"connector", "nexmark"}, {"nexmark.table.type", "Bids"}}, BidColumns()),
            "22023: invalid value for option \"nexmark.table.type\": \"Bids\"");
  EXPECT_EQ(error({{"connector", "nexmark"}, {"nexmark.table.type", "Bid"}},
                  {{"bidder", DataType::Bigint()}, {"seller", DataType::Bigint()}}),
            "42703: column \"seller\" does not exist");
  EXPECT_EQ(error({{"connector", "nexmark"}, {"nexmark.table.type", "Bid"}},
                  {{"price", DataType::Text()}}),
            "42804: column \"price\" is of type text but nexmark table Bid produces bigint");
  EXPECT_EQ(error({{"connector", "nexmark"}, {"nexmark.table.type", "Bid"}},
                  {{"price", DataType::Integer()}}),
            "42804: column \"price\" is of type integer but nexmark table Bid produces bigint");
  EXPECT_EQ(error({{"connector", "nexmark"}, {"nexmark.table.type", "Bid"}},
                  {{"url", DataType::Varchar(20)}}),
            "42804: column \"url\" is of type character varying(20) but nexmark table Bid "
            "produces character varying");
  EXPECT_EQ(error({{"connector", "nexmark"}, {"nexmark.table.type", "Person"}},
                  {{"date_time", DataType(TypeId::kDate)}}),
            "42804: column \"date_time\" is of type date but nexmark table Person produces "
            "timestamp without time zone");
  EXPECT_EQ(
      error({{"connector", "nexmark"}, {"nexmark.table.type", "Bid"}, {"nexmark.event.num", "-1"}},
            BidColumns()),
      "22023: invalid value for option \"nexmark.event.num\": \"-1\"");
  EXPECT_EQ(error({{"connector", "nexmark"},
                   {"nexmark.table.type", "Bid"},
                   {"nexmark.max.chunk.size", "0"}},
                  BidColumns()),
            "22023: invalid value for option \"nexmark.max.chunk.size\": \"0\"");
  EXPECT_EQ(
      error({{"connector", "nexmark"}, {"nexmark.table.type", "Bid"}, {"nexmark.hot.ratio", "3"}},
            BidColumns()),
      "22023: unrecognized nexmark option \"nexmark.hot.ratio\"");
  EXPECT_EQ(error({{"connector", "nexmark"},
                   {"nexmark.table.type", "Bid"},
                   {"nexmark.event.rate", "5"},
                   {"nexmark.rate.per.second", "6"}},
                  BidColumns()),
            "22023: options \"nexmark.rate.per.second\" and \"nexmark.event.rate\" conflict");
  EXPECT_EQ(error({{"connector", "nexmark"},
                   {"nexmark.table.type", "bId"},
                   {"nexmark.split.num", "8"},
                   {"nexmark.seed", "-3"}},
                  BidColumns()),
            "no error");
}

}  // namespace
}  // namespace freshet::connectors
