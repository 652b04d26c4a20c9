// SPDX-License-Identifier: Apache-2.0
#include "connectors/datagen_reader.h"

#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/column.h"
#include "common/data_type.h"
#include "common/error.h"
#include "common/text_format.h"
#include "connectors/source_reader.h"
#include "connectors/tests/read_rows.h"

namespace freshet::connectors {
namespace {

using testing::ErrorOf;
using testing::MakeSpec;
using testing::ReadAllShardsSorted;
using testing::ReadRows;

constexpr size_t kNoLimit = 1'000'000;

/// A source with one column of every supported family, unthrottled, of `rows` rows.
SourceSpec MixedSource(std::string rows = "500", std::string seed = "7") {
  return MakeSpec({{"connector", "datagen"},
                   {"datagen.rows.per.second", "0"},
                   {"datagen.max.rows", rows},
                   {"datagen.seed", seed},
                   {"fields.v.min", "-5"},
                   {"fields.v.max", "5"},
                   {"fields.price.min", "1.50"},
                   {"fields.price.max", "99.99"},
                   {"fields.name.length", "12"},
                   {"fields.at.start", "2024-03-01 12:00:00"},
                   {"fields.at.step", "250"},
                   {"fields.seen.kind", "random"},
                   {"fields.seen.max_past", "10 seconds"}},
                  {{"id", DataType::Bigint()},
                   {"small", DataType(TypeId::kSmallint)},
                   {"v", DataType::Integer()},
                   {"ratio", DataType::Double()},
                   {"f", DataType(TypeId::kReal)},
                   {"price", DataType::Numeric(10, 2)},
                   {"name", DataType::Varchar(20)},
                   {"note", DataType::Text()},
                   {"flag", DataType::Boolean()},
                   {"at", DataType::Timestamp()},
                   {"seen", DataType(TypeId::kTimestamptz)}});
}

std::vector<std::string> ReadSingleShard(const SourceSpec& spec, size_t chunk_rows = 97) {
  std::unique_ptr<SourceReader> reader = CreateSourceReader(spec, 0, 1);
  return ReadRows(*reader, spec, kNoLimit, chunk_rows);
}

/// The values of column `column` of every row.
std::vector<std::string> ColumnOf(const std::vector<std::string>& rows, size_t column) {
  std::vector<std::string> values;
  for (const std::string& row : rows) {
    size_t begin = 0;
    for (size_t c = 0; c < column; ++c) {
      begin = row.find('|', begin) + 1;
    }
    values.push_back(row.substr(begin, row.find('|', begin) - begin));
  }
  return values;
}

TEST(DatagenReaderTest, SameOptionsGiveSameRows) {
  const SourceSpec spec = MixedSource();
  const std::vector<std::string> first = ReadSingleShard(spec, 97);
  const std::vector<std::string> second = ReadSingleShard(spec, 1024);
  ASSERT_EQ(first.size(), 500u);
  EXPECT_EQ(first, second);
}

TEST(DatagenReaderTest, SeedChangesRandomColumnsOnly) {
  const std::vector<std::string> seven = ReadSingleShard(MixedSource("100", "7"));
  const std::vector<std::string> eight = ReadSingleShard(MixedSource("100", "8"));
  EXPECT_EQ(ColumnOf(seven, 0), ColumnOf(eight, 0));  // id: a sequence
  EXPECT_EQ(ColumnOf(seven, 9), ColumnOf(eight, 9));  // at: a sequence
  EXPECT_NE(ColumnOf(seven, 6), ColumnOf(eight, 6));  // name: random
  EXPECT_NE(ColumnOf(seven, 3), ColumnOf(eight, 3));  // ratio: random
}

TEST(DatagenReaderTest, ShardsTogetherProduceTheSingleShardStream) {
  const SourceSpec spec = MixedSource("1000");
  const std::vector<std::string> single = ReadAllShardsSorted(spec, 1, kNoLimit);
  ASSERT_EQ(single.size(), 1000u);
  for (uint32_t shards : {2u, 3u, 7u}) {
    EXPECT_EQ(ReadAllShardsSorted(spec, shards, kNoLimit), single) << shards << " shards";
  }
  // Rows are distinct (the id sequence), so the multiset equality above also means each row once.
  EXPECT_EQ(std::set<std::string>(single.begin(), single.end()).size(), single.size());
}

TEST(DatagenReaderTest, ShardProducesEveryNthRow) {
  const SourceSpec spec = MakeSpec(
      {{"connector", "datagen"}, {"datagen.rows.per.second", "0"}, {"datagen.max.rows", "10"}},
      {{"id", DataType::Bigint()}});
  std::unique_ptr<SourceReader> reader = CreateSourceReader(spec, 1, 3);
  EXPECT_EQ(ReadRows(*reader, spec, kNoLimit), (std::vector<std::string>{"2", "5", "8"}));
  EXPECT_TRUE(reader->Exhausted());
}

TEST(DatagenReaderTest, RestoredReaderContinuesExactly) {
  const SourceSpec spec = MixedSource("600");
  for (uint32_t shards : {1u, 2u}) {
    for (uint32_t shard = 0; shard < shards; ++shard) {
      std::unique_ptr<SourceReader> original = CreateSourceReader(spec, shard, shards);
      const std::vector<std::string> head = ReadRows(*original, spec, 137, 50);
      ASSERT_EQ(head.size(), 137u);
      const std::string position = original->SavePosition();
      const std::vector<std::string> rest = ReadRows(*original, spec, kNoLimit);

      std::unique_ptr<SourceReader> restored = CreateSourceReader(spec, shard, shards);
      restored->RestorePosition(position);
      EXPECT_EQ(ReadRows(*restored, spec, kNoLimit, 64), rest);
      EXPECT_TRUE(restored->Exhausted());
      EXPECT_EQ(head.size() + rest.size(), 600u / shards);
    }
  }
}

TEST(DatagenReaderTest, RestoreRejectsForeignPositions) {
  const SourceSpec spec = MixedSource();
  std::unique_ptr<SourceReader> reader = CreateSourceReader(spec, 0, 2);
  EXPECT_EQ(ErrorOf([&] { reader->RestorePosition("garbage"); }).substr(0, 5), "XX001");
  EXPECT_EQ(ErrorOf([&] { reader->RestorePosition(""); }).substr(0, 5), "XX001");
  const std::string other_shard = CreateSourceReader(spec, 1, 2)->SavePosition();
  EXPECT_EQ(ErrorOf([&] { reader->RestorePosition(other_shard); }),
            "XX001: invalid datagen source position");
}

TEST(DatagenReaderTest, MaxRowsIsHonouredExactlyOverAllShards) {
  const SourceSpec spec = MixedSource("1001");
  for (uint32_t shards : {1u, 2u, 3u, 4u}) {
    size_t total = 0;
    for (uint32_t shard = 0; shard < shards; ++shard) {
      std::unique_ptr<SourceReader> reader = CreateSourceReader(spec, shard, shards);
      total += ReadRows(*reader, spec, kNoLimit, 1024).size();
      EXPECT_TRUE(reader->Exhausted());
      Chunk chunk(spec.column_types);
      EXPECT_EQ(reader->Read(chunk, 10), 0u);
    }
    EXPECT_EQ(total, 1001u) << shards << " shards";
  }
}

TEST(DatagenReaderTest, SequenceStartsAtStartAndEndsAtEnd) {
  const SourceSpec spec = MakeSpec({{"connector", "datagen"},
                                    {"datagen.rows.per.second", "0"},
                                    {"fields.id.start", "5"},
                                    {"fields.id.end", "14"},
                                    {"fields.down.kind", "sequence"},
                                    {"fields.down.start", "100"},
                                    {"fields.down.step", "-10"}},
                                   {{"id", DataType::Integer()}, {"down", DataType::Bigint()}});
  const std::vector<std::string> rows = ReadSingleShard(spec);
  ASSERT_EQ(rows.size(), 10u);
  EXPECT_EQ(rows.front(), "5|100");
  EXPECT_EQ(rows.back(), "14|10");
}

TEST(DatagenReaderTest, SequenceOfSmallintStopsAtItsMaximum) {
  const SourceSpec spec = MakeSpec(
      {{"connector", "datagen"}, {"datagen.rows.per.second", "0"}, {"fields.s.start", "32760"}},
      {{"s", DataType(TypeId::kSmallint)}});
  EXPECT_EQ(ReadSingleShard(spec), (std::vector<std::string>{"32760", "32761", "32762", "32763",
                                                             "32764", "32765", "32766", "32767"}));
}

TEST(DatagenReaderTest, TimestampsAdvanceByTheStep) {
  const SourceSpec spec =
      MakeSpec({{"connector", "datagen"},
                {"datagen.rows.per.second", "0"},
                {"datagen.max.rows", "3"},
                {"fields.at.start", "2024-05-01 10:00:00"},
                {"fields.at.step", "1 second"}},
               {{"at", DataType::Timestamp()}, {"plain", DataType::Timestamp()}});
  EXPECT_EQ(ReadSingleShard(spec),
            (std::vector<std::string>{"2024-05-01 10:00:00|2024-01-01 00:00:00",
                                      "2024-05-01 10:00:01|2024-01-01 00:00:00.001",
                                      "2024-05-01 10:00:02|2024-01-01 00:00:00.002"}));
}

TEST(DatagenReaderTest, TimestampStepFollowsTheRate) {
  // 4 rows per second: a row every 250 ms of event time. Shard 1 of 2 starts at global row 1.
  const SourceSpec spec = MakeSpec({{"connector", "datagen"}, {"datagen.rows.per.second", "4"}},
                                   {{"at", DataType(TypeId::kTimestamptz)}});
  std::unique_ptr<SourceReader> reader = CreateSourceReader(spec, 1, 2);
  EXPECT_EQ(ReadRows(*reader, spec, 1), (std::vector<std::string>{"2024-01-01 00:00:00.25+00"}));
}

TEST(DatagenReaderTest, RandomValuesStayInTheirRanges) {
  const std::vector<std::string> rows = ReadSingleShard(MixedSource("2000"));
  std::set<int64_t> v_seen;
  for (const std::string& v : ColumnOf(rows, 2)) {
    const int64_t value = std::stoll(v);
    EXPECT_GE(value, -5);
    EXPECT_LE(value, 5);
    v_seen.insert(value);
  }
  EXPECT_EQ(v_seen.size(), 11u);  // both ends are reachable
  for (const std::string& ratio : ColumnOf(rows, 3)) {
    EXPECT_GE(std::stod(ratio), 0.0);
    EXPECT_LT(std::stod(ratio), 1.0);
  }
  for (const std::string& price : ColumnOf(rows, 5)) {
    ASSERT_EQ(price.size() - price.find('.'), 3u) << price;  // scale 2 of NUMERIC(10,2)
    EXPECT_GE(std::stod(price), 1.5);
    EXPECT_LE(std::stod(price), 99.99);
  }
  for (const std::string& name : ColumnOf(rows, 6)) {
    EXPECT_EQ(name.size(), 12u);
  }
  for (const std::string& note : ColumnOf(rows, 7)) {
    EXPECT_EQ(note.size(), 10u);
  }
  std::set<std::string> flags;
  for (const std::string& flag : ColumnOf(rows, 8)) {
    flags.insert(flag);
  }
  EXPECT_EQ(flags, (std::set<std::string>{"f", "t"}));
  // seen: within 10 s before its row's base time 2024-01-01 + i ms.
  const std::vector<std::string> seen = ColumnOf(rows, 10);
  const int64_t base = ParseTimestamp("2024-01-01 00:00:00", true);
  bool some_late = false;
  for (size_t i = 0; i < seen.size(); ++i) {
    const int64_t micros = ParseTimestamp(seen[i], true);
    const int64_t row_base = base + static_cast<int64_t>(i) * 1000;
    EXPECT_LE(micros, row_base);
    EXPECT_GE(micros, row_base - 10'000'000);
    some_late = some_late || micros < row_base - 1'000'000;
  }
  EXPECT_TRUE(some_late);
}

TEST(DatagenReaderTest, UnconstrainedNumericTakesTheScaleOfItsOptions) {
  const SourceSpec spec = MakeSpec({{"connector", "datagen"},
                                    {"datagen.rows.per.second", "0"},
                                    {"datagen.max.rows", "3"},
                                    {"fields.n.kind", "sequence"},
                                    {"fields.n.start", "1.5"},
                                    {"fields.n.step", "0.25"}},
                                   {{"n", DataType::Numeric()}});
  EXPECT_EQ(ReadSingleShard(spec), (std::vector<std::string>{"1.50", "1.75", "2.00"}));
}

TEST(DatagenReaderTest, ThrottledReaderWaits) {
  const SourceSpec spec = MakeSpec({{"connector", "datagen"}, {"datagen.rows.per.second", "1"}},
                                   {{"id", DataType::Bigint()}});
  std::unique_ptr<SourceReader> reader = CreateSourceReader(spec, 0, 1);
  EXPECT_EQ(reader->MicrosUntilReady(), 0);
  Chunk chunk(spec.column_types);
  EXPECT_EQ(reader->Read(chunk, 100), 1u);  // row 0 is due at once
  EXPECT_EQ(reader->Read(chunk, 100), 0u);  // row 1 is due after a second
  EXPECT_GT(reader->MicrosUntilReady(), 0);
  EXPECT_LE(reader->MicrosUntilReady(), 1'000'000);
  EXPECT_FALSE(reader->Exhausted());
}

TEST(DatagenReaderTest, DefaultRateIsTenRowsPerSecond) {
  const SourceSpec spec = MakeSpec({{"connector", "datagen"}}, {{"id", DataType::Bigint()}});
  std::unique_ptr<SourceReader> reader = CreateSourceReader(spec, 0, 1);
  Chunk chunk(spec.column_types);
  EXPECT_EQ(reader->Read(chunk, 100), 1u);
  // Row 1 is due 100 ms later; a very slow machine may already have reached it.
  if (reader->Read(chunk, 100) == 0) {
    EXPECT_GT(reader->MicrosUntilReady(), 0);
    EXPECT_LE(reader->MicrosUntilReady(), 100'000);
  }
}

TEST(DatagenReaderTest, ReadAppendsToRowsAlreadyInTheChunk) {
  const SourceSpec spec = MakeSpec({{"connector", "datagen"}, {"datagen.rows.per.second", "0"}},
                                   {{"id", DataType::Bigint()}});
  std::unique_ptr<SourceReader> reader = CreateSourceReader(spec, 0, 1);
  Chunk chunk(spec.column_types);
  EXPECT_EQ(reader->Read(chunk, 3), 3u);
  EXPECT_EQ(reader->Read(chunk, 2), 2u);
  ASSERT_EQ(chunk.NumRows(), 5u);
  EXPECT_EQ(chunk.GetColumn(0).Size(), 5u);
  EXPECT_EQ(chunk.GetColumn(0).Data<int64_t>()[4], 5);
}

void ExpectError(const ConnectorOptions& options,
                 const std::vector<std::pair<std::string, DataType>>& columns,
                 const std::string& expected) {
  const SourceSpec spec = MakeSpec(options, columns);
  EXPECT_EQ(ErrorOf([&] { ValidateSource(spec); }), expected);
}

TEST(DatagenReaderTest, ValidationNamesTheOffendingOption) {
  const std::vector<std::pair<std::string, DataType>> columns = {
      {"id", DataType::Bigint()}, {"name", DataType::Varchar(5)}, {"day", DataType(TypeId::kDate)}};
  const std::vector<std::pair<std::string, DataType>> simple = {{"id", DataType::Bigint()},
                                                                {"name", DataType::Varchar(5)}};
  ExpectError({{"connector", "datagen"}, {"fields.nope.kind", "random"}}, simple,
              "42703: column \"nope\" does not exist");
  ExpectError({{"connector", "datagen"}, {"fields.id.start", "abc"}}, simple,
              "22023: invalid value for option \"fields.id.start\": \"abc\"");
  ExpectError({{"connector", "datagen"}, {"datagen.rows.per.second", "-1"}}, simple,
              "22023: invalid value for option \"datagen.rows.per.second\": \"-1\"");
  ExpectError({{"connector", "datagen"}, {"datagen.max.rows", "ten"}}, simple,
              "22023: invalid value for option \"datagen.max.rows\": \"ten\"");
  ExpectError({{"connector", "datagen"}, {"fields.id.kind", "bogus"}}, simple,
              "22023: invalid value for option \"fields.id.kind\": \"bogus\"");
  ExpectError({{"connector", "datagen"},
               {"fields.id.kind", "random"},
               {"fields.id.min", "9"},
               {"fields.id.max", "1"}},
              simple,
              "22023: option \"fields.id.min\" must not be greater than option \"fields.id.max\"");
  ExpectError({{"connector", "datagen"}, {"fields.id.length", "3"}}, simple,
              "22023: option \"fields.id.length\" does not apply to a random column of type "
              "bigint");
  ExpectError({{"connector", "datagen"}, {"fields.id.kind", "sequence"}, {"fields.id.max", "3"}},
              simple,
              "22023: option \"fields.id.max\" does not apply to a sequence column of type "
              "bigint");
  ExpectError({{"connector", "datagen"}, {"fields.name.length", "10"}}, simple,
              "22023: invalid value for option \"fields.name.length\": \"10\"");
  ExpectError({{"connector", "datagen"}, {"fields.id.step", "0"}}, simple,
              "22023: invalid value for option \"fields.id.step\": \"0\"");
  ExpectError({{"connector", "datagen"}, {"fields.id.start", "10"}, {"fields.id.end", "5"}}, simple,
              "22023: invalid value for option \"fields.id.end\": \"5\"");
  ExpectError({{"connector", "datagen"}, {"fields.id.colour", "red"}}, simple,
              "22023: unrecognized datagen option \"fields.id.colour\"");
  ExpectError({{"connector", "datagen"}, {"topic", "t"}}, simple,
              "22023: unrecognized datagen option \"topic\"");
  ExpectError({{"connector", "datagen"}, {"fields.name.kind", "sequence"}}, simple,
              "42804: datagen cannot generate a sequence of type character varying(5) for column "
              "\"name\"");
  ExpectError({{"connector", "datagen"}}, columns,
              "42804: datagen cannot generate values of type date for column \"day\"");
  ExpectError({{"connector", "datagen"}, {"fields.id.start", "99999999999999999999"}}, simple,
              "22023: invalid value for option \"fields.id.start\": \"99999999999999999999\"");
  ExpectError({{"connector", "datagen"}, {"fields.small.start", "40000"}},
              {{"small", DataType(TypeId::kSmallint)}},
              "22023: invalid value for option \"fields.small.start\": \"40000\"");
  ExpectError({{"connector", "datagen"}, {"fields.at.start", "yesterday-ish"}},
              {{"at", DataType::Timestamp()}},
              "22023: invalid value for option \"fields.at.start\": \"yesterday-ish\"");
  ExpectError({{"connector", "datagen"}, {"fields.at.step", "1 month"}},
              {{"at", DataType::Timestamp()}},
              "22023: invalid value for option \"fields.at.step\": \"1 month\"");
  ExpectError({{"connector", "datagen"}, {"fields.p.max", "1000.00"}},
              {{"p", DataType::Numeric(5, 2)}},
              "22023: invalid value for option \"fields.p.max\": \"1000.00\"");
}

TEST(DatagenReaderTest, ValidOptionsPass) {
  const SourceSpec spec = MixedSource();
  EXPECT_NO_THROW(ValidateSource(spec));
  // Keys are matched case-insensitively to the column names; split.num is accepted and ignored.
  EXPECT_NO_THROW(ValidateSource(MakeSpec(
      {{"connector", "DataGen"}, {"datagen.split.num", "4"}, {"fields.userid.kind", "Random"}},
      {{"UserId", DataType::Bigint()}})));
}

}  // namespace
}  // namespace freshet::connectors
