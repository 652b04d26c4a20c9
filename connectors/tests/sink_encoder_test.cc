// SPDX-License-Identifier: Apache-2.0
#include "connectors/sink_encoder.h"

#include <limits>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "common/column.h"
#include "common/data_type.h"
#include "common/error.h"
#include "common/jsonb.h"
#include "common/numeric.h"
#include "common/text_format.h"
#include "common/value.h"
#include "connectors/sink_writer.h"

namespace freshet::connectors {
namespace {

constexpr int64_t kTs = 1700000000123;

/// A sink over (id BIGINT, name TEXT) keyed by id.
SinkSpec MakeSpec(std::string format,
                  ConnectorOptions options = {},
                  ConnectorOptions encode_options = {},
                  bool append_only = false) {
  SinkSpec spec;
  spec.sink_name = "out";
  spec.options = std::move(options);
  spec.options.insert(spec.options.begin(), {"connector", "kafka"});
  spec.format = std::move(format);
  spec.encode = "JSON";
  spec.encode_options = std::move(encode_options);
  spec.column_names = {"id", "name"};
  spec.column_types = {DataType::Bigint(), DataType::Text()};
  spec.key_columns = {0};
  spec.append_only = append_only;
  return spec;
}

/// Encodes `chunk` (and what Finish adds) as "key => value" lines, "-" for a missing part.
std::vector<std::string> Encode(const SinkSpec& spec, const std::vector<Chunk>& chunks) {
  SinkMessageEncoder encoder(spec, ParseSinkEncoding(spec));
  SinkMessageBatch batch;
  for (const Chunk& chunk : chunks) {
    encoder.EncodeChunk(chunk, kTs, batch);
  }
  encoder.Finish(kTs, batch);
  std::vector<std::string> lines;
  for (size_t i = 0; i < batch.Size(); ++i) {
    const SinkMessage& message = batch[i];
    lines.push_back((message.has_key ? message.key : "-") + " => " +
                    (message.has_value ? message.value : "-"));
  }
  return lines;
}

Chunk Rows(const std::vector<std::pair<Op, std::vector<Value>>>& rows,
           std::vector<DataType> types = {DataType::Bigint(), DataType::Text()}) {
  Chunk chunk(types);
  for (const auto& [op, values] : rows) {
    chunk.AppendRow(values, op);
  }
  return chunk;
}

std::vector<Value> Row(int64_t id, std::string name) {
  return {Value::Bigint(id), Value::Text(std::move(name))};
}

SqlState StateOf(const SinkSpec& spec) {
  try {
    ParseSinkEncoding(spec);
  } catch (const Error& error) {
    return error.State();
  }
  return SqlState::kSuccessfulCompletion;
}

TEST(SinkEncoderTest, PlainWritesInsertsWithoutKey) {
  const Chunk chunk = Rows({{Op::kInsert, Row(1, "a")}, {Op::kInsert, Row(2, "b\"\n")}});
  EXPECT_EQ(
      Encode(MakeSpec("plain", {}, {}, /*append_only=*/true), {chunk}),
      (std::vector<std::string>{R"(- => {"id":1,"name":"a"})", R"(- => {"id":2,"name":"b\"\n"})"}));
}

TEST(SinkEncoderTest, PlainForceAppendOnlyDropsDeletesAndOldRows) {
  const Chunk chunk = Rows({{Op::kInsert, Row(1, "a")},
                            {Op::kUpdateDelete, Row(1, "a")},
                            {Op::kUpdateInsert, Row(1, "b")},
                            {Op::kDelete, Row(1, "b")}});
  const std::vector<std::string> expected = {R"(- => {"id":1,"name":"a"})",
                                             R"(- => {"id":1,"name":"b"})"};
  // force_append_only may come in the WITH options or the ENCODE JSON options.
  EXPECT_EQ(Encode(MakeSpec("PLAIN", {{"force_append_only", "true"}}), {chunk}), expected);
  EXPECT_EQ(Encode(MakeSpec("plain", {}, {{"force_append_only", "TRUE"}}), {chunk}), expected);
}

TEST(SinkEncoderTest, PlainKeyFromPrimaryKeyOption) {
  const Chunk chunk = Rows({{Op::kInsert, Row(7, "x")}});
  EXPECT_EQ(Encode(MakeSpec("plain", {{"primary_key", "name, id"}}, {}, true), {chunk}),
            (std::vector<std::string>{R"({"name":"x","id":7} => {"id":7,"name":"x"})"}));
}

TEST(SinkEncoderTest, PlainOverRetractingInputNeedsForceAppendOnly) {
  try {
    ParseSinkEncoding(MakeSpec("plain"));
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_EQ(error.State(), SqlState::kFeatureNotSupported);
    EXPECT_EQ(error.Message(),
              "sink \"out\" cannot be FORMAT PLAIN: its input deletes or updates rows");
    EXPECT_NE(error.Hint().find("force_append_only = 'true'"), std::string::npos);
  }
  EXPECT_EQ(StateOf(MakeSpec("plain", {{"force_append_only", "false"}})),
            SqlState::kFeatureNotSupported);
  EXPECT_EQ(StateOf(MakeSpec("plain", {}, {}, /*append_only=*/true)),
            SqlState::kSuccessfulCompletion);
}

TEST(SinkEncoderTest, UpsertWritesRowsAndTombstones) {
  const Chunk chunk = Rows({{Op::kInsert, Row(1, "a")},
                            {Op::kInsert, Row(2, "b")},
                            {Op::kUpdateDelete, Row(1, "a")},
                            {Op::kUpdateInsert, Row(1, "c")},
                            {Op::kDelete, Row(2, "b")}});
  EXPECT_EQ(Encode(MakeSpec("upsert"), {chunk}),
            (std::vector<std::string>{R"({"id":1} => {"id":1,"name":"a"})",
                                      R"({"id":2} => {"id":2,"name":"b"})",
                                      R"({"id":1} => {"id":1,"name":"c"})", R"({"id":2} => -)"}));
}

TEST(SinkEncoderTest, UpsertUpdateThatChangesTheKeyDeletesTheOldKey) {
  // With primary_key = name, an update of name moves the row to another key.
  const Chunk chunk = Rows({{Op::kUpdateDelete, Row(1, "a")}, {Op::kUpdateInsert, Row(1, "b")}});
  EXPECT_EQ(
      Encode(MakeSpec("upsert", {{"primary_key", "name"}}), {chunk}),
      (std::vector<std::string>{R"({"name":"a"} => -)", R"({"name":"b"} => {"id":1,"name":"b"})"}));
}

TEST(SinkEncoderTest, UpdatePairSpansChunks) {
  const Chunk first = Rows({{Op::kInsert, Row(1, "a")}, {Op::kUpdateDelete, Row(1, "a")}});
  const Chunk second = Rows({{Op::kUpdateInsert, Row(1, "b")}});
  EXPECT_EQ(
      Encode(MakeSpec("debezium"), {first, second}),
      (std::vector<std::string>{
          R"({"id":1} => {"before":null,"after":{"id":1,"name":"a"},"op":"c","ts_ms":1700000000123})",
          R"({"id":1} => {"before":{"id":1,"name":"a"},"after":{"id":1,"name":"b"},"op":"u","ts_ms":1700000000123})"}));
}

TEST(SinkEncoderTest, LoneUpdateDeleteIsADeleteAtFinish) {
  const Chunk chunk = Rows({{Op::kUpdateDelete, Row(1, "a")}});
  EXPECT_EQ(Encode(MakeSpec("upsert"), {chunk}), (std::vector<std::string>{R"({"id":1} => -)"}));
}

TEST(SinkEncoderTest, DebeziumEventsAndTombstones) {
  const Chunk chunk = Rows({{Op::kInsert, Row(1, "a")},
                            {Op::kUpdateDelete, Row(1, "a")},
                            {Op::kUpdateInsert, Row(1, "b")},
                            {Op::kDelete, Row(1, "b")}});
  EXPECT_EQ(
      Encode(MakeSpec("debezium"), {chunk}),
      (std::vector<std::string>{
          R"({"id":1} => {"before":null,"after":{"id":1,"name":"a"},"op":"c","ts_ms":1700000000123})",
          R"({"id":1} => {"before":{"id":1,"name":"a"},"after":{"id":1,"name":"b"},"op":"u","ts_ms":1700000000123})",
          R"({"id":1} => {"before":{"id":1,"name":"b"},"after":null,"op":"d","ts_ms":1700000000123})",
          R"({"id":1} => -)"}));
}

TEST(SinkEncoderTest, HiddenKeyColumnsAreInTheKeyOnly) {
  SinkSpec spec = MakeSpec("upsert");
  spec.column_names = {"name", "_row_id"};
  spec.column_types = {DataType::Text(), DataType::Bigint()};
  spec.visible_columns = 1;
  spec.key_columns = {1};
  Chunk chunk({DataType::Text(), DataType::Bigint()});
  chunk.AppendRow({Value::Text("a"), Value::Bigint(42)}, Op::kInsert);
  chunk.AppendRow({Value::Text("a"), Value::Bigint(42)}, Op::kDelete);
  EXPECT_EQ(Encode(spec, {chunk}), (std::vector<std::string>{R"({"_row_id":42} => {"name":"a"})",
                                                             R"({"_row_id":42} => -)"}));
}

TEST(SinkEncoderTest, EveryTypeAndNull) {
  SinkSpec spec = MakeSpec("plain", {}, {}, /*append_only=*/true);
  const std::vector<std::pair<std::string, DataType>> columns = {
      {"b", DataType::Boolean()},
      {"s", DataType(TypeId::kSmallint)},
      {"i", DataType::Integer()},
      {"big", DataType::Bigint()},
      {"r", DataType(TypeId::kReal)},
      {"d", DataType::Double()},
      {"n", DataType::Numeric(38, 10)},
      {"v", DataType::Varchar(10)},
      {"bytes", DataType(TypeId::kBytea)},
      {"day", DataType(TypeId::kDate)},
      {"t", DataType(TypeId::kTime)},
      {"ts", DataType::Timestamp()},
      {"tz", DataType(TypeId::kTimestamptz)},
      {"iv", DataType(TypeId::kInterval)},
      {"j", DataType(TypeId::kJsonb)},
  };
  spec.column_names.clear();
  spec.column_types.clear();
  for (const auto& [name, type] : columns) {
    spec.column_names.push_back(name);
    spec.column_types.push_back(type);
  }
  spec.key_columns = {};
  Chunk chunk(spec.column_types);
  const int64_t ts = ParseTimestamp("2024-01-31 13:05:00.25", false);
  chunk.AppendRow(
      {Value::Boolean(true), Value::Int(DataType(TypeId::kSmallint), -3),
       Value::Integer(2147483647), Value::Bigint(9007199254740993),
       Value::Float(DataType(TypeId::kReal), 1.5), Value::Double(0.1),
       Value::Numeric(DataType::Numeric(38, 10),
                      numeric::Parse("12345678901234567890.0123456789", 38, 10)),
       Value::String(DataType::Varchar(10), "h\xC3\xA9\t"),
       Value::String(DataType(TypeId::kBytea), std::string("\x00\xff\x10", 3)),
       Value::Int(DataType(TypeId::kDate), ParseDate("2024-02-29")),
       Value::Int(DataType(TypeId::kTime), ParseTime("13:05:00.25")),
       Value::Int(DataType::Timestamp(), ts), Value::Int(DataType(TypeId::kTimestamptz), ts),
       Value::FromInterval(ParseInterval("1 day 02:00:00")),
       Value::String(DataType(TypeId::kJsonb), ParseJsonb(R"({"b": [1, null], "a": "x"})"))},
      Op::kInsert);
  std::vector<Value> nulls;
  for (const DataType& type : spec.column_types) {
    nulls.push_back(Value::Null(type));
  }
  chunk.AppendRow(nulls, Op::kInsert);
  EXPECT_EQ(Encode(spec, {chunk}),
            (std::vector<std::string>{
                R"(- => {"b":true,"s":-3,"i":2147483647,"big":9007199254740993,"r":1.5,"d":0.1,)"
                R"("n":12345678901234567890.0123456789,"v":"hé\t","bytes":"AP8Q",)"
                R"("day":"2024-02-29","t":"13:05:00.25","ts":"2024-01-31 13:05:00.250000",)"
                R"("tz":"2024-01-31 13:05:00.250000Z","iv":"1 day 02:00:00",)"
                R"("j":{"a": "x", "b": [1, null]}})",
                R"(- => {"b":null,"s":null,"i":null,"big":null,"r":null,"d":null,"n":null,)"
                R"("v":null,"bytes":null,"day":null,"t":null,"ts":null,"tz":null,"iv":null,)"
                R"("j":null})"}));

  // The handling modes of ENCODE JSON (...).
  spec.encode_options = {{"timestamptz.handling.mode", "milli"},
                         {"jsonb.handling.mode", "string"},
                         {"numeric.handling.mode", "string"}};
  const std::vector<std::string> lines = Encode(spec, {chunk});
  EXPECT_NE(lines[0].find(R"("n":"12345678901234567890.0123456789")"), std::string::npos);
  EXPECT_NE(lines[0].find(R"("tz":1706706300250,)"), std::string::npos);
  EXPECT_NE(lines[0].find(R"("j":"{\"a\": \"x\", \"b\": [1, null]}")"), std::string::npos);
  spec.encode_options = {{"timestamptz.handling.mode", "micro"}};
  EXPECT_NE(Encode(spec, {chunk})[0].find(R"("tz":1706706300250000,)"), std::string::npos);
  spec.encode_options = {{"timestamptz.handling.mode", "utc_without_suffix"}};
  EXPECT_NE(Encode(spec, {chunk})[0].find(R"("tz":"2024-01-31 13:05:00.250000",)"),
            std::string::npos);
}

TEST(SinkEncoderTest, SpecialNumbersAreStrings) {
  SinkSpec spec = MakeSpec("plain", {}, {}, true);
  spec.column_names = {"d", "n"};
  spec.column_types = {DataType::Double(), DataType::Numeric()};
  spec.key_columns = {};
  Chunk chunk(spec.column_types);
  chunk.AppendRow({Value::Double(std::numeric_limits<double>::infinity()),
                   Value::Numeric(DataType::Numeric(), numeric::kNaN)});
  chunk.AppendRow(
      {Value::Double(-0.0), Value::Numeric(DataType::Numeric(), numeric::Parse("-0.50"))});
  EXPECT_EQ(Encode(spec, {chunk}), (std::vector<std::string>{R"(- => {"d":"Infinity","n":"NaN"})",
                                                             R"(- => {"d":-0,"n":-0.50})"}));
}

TEST(SinkEncoderTest, Base64Padding) {
  SinkSpec spec = MakeSpec("plain", {}, {}, true);
  spec.column_names = {"b"};
  spec.column_types = {DataType(TypeId::kBytea)};
  spec.key_columns = {};
  Chunk chunk(spec.column_types);
  for (const char* text : {"", "f", "fo", "foo", "foob"}) {
    chunk.AppendRow({Value::String(DataType(TypeId::kBytea), text)});
  }
  EXPECT_EQ(
      Encode(spec, {chunk}),
      (std::vector<std::string>{R"(- => {"b":""})", R"(- => {"b":"Zg=="})", R"(- => {"b":"Zm8="})",
                                R"(- => {"b":"Zm9v"})", R"(- => {"b":"Zm9vYg=="})"}));
}

TEST(SinkEncoderTest, FormatErrors) {
  EXPECT_EQ(StateOf(MakeSpec("canal")), SqlState::kFeatureNotSupported);
  SinkSpec avro = MakeSpec("upsert");
  avro.encode = "AVRO";
  EXPECT_EQ(StateOf(avro), SqlState::kFeatureNotSupported);
  EXPECT_EQ(StateOf(MakeSpec("")), SqlState::kInvalidParameterValue);
  EXPECT_EQ(StateOf(MakeSpec("", {{"type", "upsert"}})), SqlState::kSuccessfulCompletion);
  EXPECT_EQ(StateOf(MakeSpec("upsert", {{"type", "upsert"}})), SqlState::kInvalidParameterValue);
  EXPECT_EQ(StateOf(MakeSpec("upsert", {}, {{"nonsense", "1"}})), SqlState::kInvalidParameterValue);
  EXPECT_EQ(StateOf(MakeSpec("upsert", {}, {{"jsonb.handling.mode", "xml"}})),
            SqlState::kInvalidParameterValue);
  EXPECT_EQ(StateOf(MakeSpec("upsert", {{"force_append_only", "true"}})),
            SqlState::kInvalidParameterValue);
  EXPECT_EQ(StateOf(MakeSpec("plain", {{"force_append_only", "yes"}})),
            SqlState::kInvalidParameterValue);
  EXPECT_EQ(StateOf(MakeSpec("upsert", {{"primary_key", "nope"}})), SqlState::kUndefinedColumn);
  EXPECT_EQ(StateOf(MakeSpec("upsert", {{"primary_key", "id,id"}})), SqlState::kDuplicateColumn);
  SinkSpec keyless = MakeSpec("upsert");
  keyless.key_columns = {};
  EXPECT_EQ(StateOf(keyless), SqlState::kInvalidParameterValue);
  keyless.options.push_back({"primary_key", "ID"});
  EXPECT_EQ(StateOf(keyless), SqlState::kSuccessfulCompletion);
  SinkSpec duplicate = MakeSpec("upsert");
  duplicate.column_names = {"id", "id"};
  EXPECT_EQ(StateOf(duplicate), SqlState::kDuplicateColumn);
}

TEST(SinkEncoderTest, BatchReusesBuffers) {
  SinkSpec spec = MakeSpec("upsert");
  SinkMessageEncoder encoder(spec, ParseSinkEncoding(spec));
  SinkMessageBatch batch;
  Chunk chunk = Rows({{Op::kInsert, Row(1, std::string(200, 'x'))}});
  encoder.EncodeChunk(chunk, kTs, batch);
  const char* data = batch[0].value.data();
  batch.Clear();
  encoder.EncodeChunk(chunk, kTs, batch);
  ASSERT_EQ(batch.Size(), 1u);
  EXPECT_EQ(batch[0].value.data(), data);
}

}  // namespace
}  // namespace freshet::connectors
