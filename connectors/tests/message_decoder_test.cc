// SPDX-License-Identifier: Apache-2.0
#include "connectors/message_decoder.h"

#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "common/column.h"
#include "common/data_type.h"
#include "common/error.h"
#include "connectors/tests/read_rows.h"

namespace freshet::connectors {
namespace {

/// Decodes payloads into a chunk of the given columns and shows rows as text.
class DecoderHarness {
 public:
  explicit DecoderHarness(std::vector<std::pair<std::string, DataType>> columns,
                          MessageFormat format = MessageFormat{}) {
    std::vector<std::string> names;
    std::vector<size_t> outputs;
    for (size_t i = 0; i < columns.size(); ++i) {
      names.push_back(columns[i].first);
      types_.push_back(columns[i].second);
      outputs.push_back(i);
    }
    chunk_ = Chunk(types_);
    decoder_ = std::make_unique<MessageDecoder>(names, types_, outputs, format);
  }

  /// Decodes one payload and returns the row as text, or "ERROR: message".
  std::string Decode(std::string_view payload) {
    Chunk chunk(types_);
    const DecodeStatus status = decoder_->Decode(payload, chunk);
    if (status == DecodeStatus::kError) {
      EXPECT_EQ(chunk.GetColumn(0).Size(), 0u) << "a failed message must append nothing";
      return "ERROR: " + decoder_->LastError();
    }
    if (status == DecodeStatus::kSkipped) {
      return "SKIPPED";
    }
    chunk.SetNumRows(chunk.GetColumn(0).Size());
    std::vector<std::string> rows;
    testing::AppendRowsAsText(chunk, rows);
    EXPECT_EQ(rows.size(), 1u);
    return rows.empty() ? "" : rows[0];
  }

 private:
  std::vector<DataType> types_;
  Chunk chunk_;
  std::unique_ptr<MessageDecoder> decoder_;
};

MessageFormat Json() {
  return MessageFormat{};
}

MessageFormat Csv(char delimiter = ',', bool header = false) {
  MessageFormat format;
  format.encoding = MessageEncoding::kCsv;
  format.csv_delimiter = delimiter;
  format.csv_header = header;
  return format;
}

TEST(MessageDecoderJson, EveryType) {
  DecoderHarness decoder({{"b", DataType::Boolean()},
                          {"s", DataType(TypeId::kSmallint)},
                          {"i", DataType::Integer()},
                          {"l", DataType::Bigint()},
                          {"r", DataType(TypeId::kReal)},
                          {"d", DataType::Double()},
                          {"n", DataType::Numeric(10, 2)},
                          {"v", DataType::Varchar(10)},
                          {"t", DataType::Text()},
                          {"j", DataType(TypeId::kJsonb)},
                          {"dt", DataType(TypeId::kDate)},
                          {"tm", DataType(TypeId::kTime)},
                          {"ts", DataType::Timestamp()},
                          {"tz", DataType(TypeId::kTimestamptz)},
                          {"iv", DataType(TypeId::kInterval)}});
  EXPECT_EQ(decoder.Decode(R"({"b":true,"s":-3,"i":2147483647,"l":-9223372036854775808,)"
                           R"("r":1.5,"d":2.25e3,"n":12.345,"v":"h\u00e9llo","t":"a\"b",)"
                           R"("j":{"z":[1,2,{"x":null}],"a":"s"},"dt":"2024-02-29",)"
                           R"("tm":"13:05:00.25","ts":"2026-11-26T00:00:00.123Z",)"
                           R"("tz":"2026-11-26T02:00:00+02:00","iv":"1 day 02:00:00"})"),
            "t|-3|2147483647|-9223372036854775808|1.5|2250|12.35|héllo|a\"b|"
            "{\"a\": \"s\", \"z\": [1, 2, {\"x\": null}]}|2024-02-29|13:05:00.25|"
            "2026-11-26 00:00:00.123|2026-11-26 00:00:00+00|1 day 02:00:00");
}

TEST(MessageDecoderJson, NamesIgnoreCaseMissingIsNullUnknownIgnored) {
  DecoderHarness decoder({{"Auction", DataType::Bigint()},
                          {"price", DataType::Bigint()},
                          {"extra", DataType::Text()}});
  EXPECT_EQ(decoder.Decode(R"({"PRICE": 5, "other": [1, {"deep": 2}], "AUCTION": 7})"), "7|5|NULL");
  EXPECT_EQ(decoder.Decode(R"({"price": null, "extra": "x", "extra": "y"})"), "NULL|NULL|y");
  EXPECT_EQ(decoder.Decode("{}"), "NULL|NULL|NULL");
}

TEST(MessageDecoderJson, TimestampsFromEpochMillisAndVariants) {
  DecoderHarness decoder({{"ts", DataType::Timestamp()}, {"tz", DataType(TypeId::kTimestamptz)}});
  EXPECT_EQ(decoder.Decode(R"({"ts": 1700000000123, "tz": 0})"),
            "2023-11-14 22:13:20.123|1970-01-01 00:00:00+00");
  EXPECT_EQ(decoder.Decode(R"({"ts": "2026-11-26 10:11:12", "tz": "2026-11-26"})"),
            "2026-11-26 10:11:12|2026-11-26 00:00:00+00");
  EXPECT_EQ(
      decoder.Decode(R"({"ts": "2026-11-26T10:11:12.1234567", "tz": "2026-11-26T10:00-0130"})"),
      "2026-11-26 10:11:12.123457|2026-11-26 11:30:00+00");
  EXPECT_EQ(decoder.Decode(R"({"ts": "infinity"})"), "infinity|NULL");
}

TEST(MessageDecoderJson, Malformed) {
  DecoderHarness decoder({{"a", DataType::Integer()},
                          {"ts", DataType::Timestamp()},
                          {"s", DataType(TypeId::kSmallint)},
                          {"v", DataType::Varchar(3)},
                          {"j", DataType(TypeId::kJsonb)},
                          {"d", DataType(TypeId::kDate)}});
  EXPECT_TRUE(decoder.Decode(R"({"a": 1, "ts": "2026-11-2)").starts_with("ERROR: "));
  EXPECT_TRUE(decoder.Decode(R"({"a": 1,)").starts_with("ERROR: "));
  EXPECT_TRUE(decoder.Decode("").starts_with("ERROR: "));
  EXPECT_EQ(decoder.Decode("[1, 2]"), "ERROR: expected a JSON object");
  EXPECT_EQ(decoder.Decode("42"), "ERROR: expected a JSON object");
  EXPECT_EQ(decoder.Decode(R"({"a": "x"})"),
            "ERROR: field \"a\": invalid input syntax for type integer: \"x\"");
  EXPECT_EQ(decoder.Decode(R"({"a": 1.5})"), "ERROR: field \"a\": expected an integer");
  EXPECT_EQ(decoder.Decode(R"({"a": true})"),
            "ERROR: field \"a\": expected integer, found a boolean");
  EXPECT_EQ(decoder.Decode(R"({"a": {"x": 1}})"),
            "ERROR: field \"a\": expected integer, found an object");
  EXPECT_EQ(decoder.Decode(R"({"a": 2147483648})"),
            "ERROR: field \"a\": value 2147483648 is out of range for type integer");
  EXPECT_EQ(decoder.Decode(R"({"a": 99999999999999999999})"),
            "ERROR: field \"a\": value out of range for type integer");
  EXPECT_EQ(decoder.Decode(R"({"s": 40000})"),
            "ERROR: field \"s\": value 40000 is out of range for type smallint");
  EXPECT_EQ(
      decoder.Decode(R"({"ts": "2026-13-01T00:00:00"})"),
      "ERROR: field \"ts\": invalid input syntax for type timestamp: \"2026-13-01T00:00:00\"");
  EXPECT_TRUE(decoder.Decode(R"({"ts": "yesterday-ish"})").starts_with("ERROR: field \"ts\": "));
  EXPECT_EQ(decoder.Decode(R"({"d": "2023-02-29"})"),
            "ERROR: field \"d\": invalid input syntax for type date: \"2023-02-29\"");
  EXPECT_EQ(decoder.Decode(R"({"v": "abcd"})"),
            "ERROR: field \"v\": value too long for type character varying(3)");
  EXPECT_TRUE(decoder.Decode(R"({"a": 1} x)").starts_with("ERROR: invalid JSON"));
  EXPECT_TRUE(decoder.Decode(R"({"a": 1} [])").starts_with("ERROR: invalid JSON"));
  // The decoder recovers after errors.
  EXPECT_EQ(decoder.Decode(R"({"a": 1, "v": "abc", "j": [true, "x"]})"),
            "1|NULL|NULL|abc|[true, \"x\"]|NULL");
}

TEST(MessageDecoderJson, MaxMessageBytes) {
  MessageFormat format = Json();
  format.max_message_bytes = 10;
  DecoderHarness decoder({{"a", DataType::Integer()}}, format);
  EXPECT_EQ(decoder.Decode(R"({"a": 1})"), "1");
  EXPECT_EQ(decoder.Decode(R"({"a": 1000000})"),
            "ERROR: message of 14 bytes exceeds the limit of 10 bytes");
}

TEST(MessageDecoderJson, OutputColumnsLeaveOthersToTheCaller) {
  const std::vector<DataType> types = {DataType::Integer(), DataType::Bigint(), DataType::Text()};
  MessageDecoder decoder({"b", "a"}, {DataType::Text(), DataType::Integer()}, {2, 0}, Json());
  Chunk chunk(types);
  ASSERT_EQ(decoder.Decode(R"({"a": 4, "b": "x"})", chunk), DecodeStatus::kRow);
  chunk.MutableColumn(1).Append<int64_t>(99);
  chunk.SetNumRows(1);
  std::vector<std::string> rows;
  testing::AppendRowsAsText(chunk, rows);
  EXPECT_EQ(rows, std::vector<std::string>{"4|99|x"});
}

// A Kafka message key: an object with the key columns, or (one column) a bare or quoted value;
// every key column must be present.
TEST(MessageDecoderJson, ScalarPayloadsAndRequiredValues) {
  MessageFormat key = Json();
  key.scalar_payload = true;
  key.values_required = true;
  DecoderHarness integer_key({{"id", DataType::Integer()}}, key);
  EXPECT_EQ(integer_key.Decode(R"({"id": 7})"), "7");
  EXPECT_EQ(integer_key.Decode(" 42 "), "42");
  EXPECT_EQ(integer_key.Decode(R"("43")"), "43");
  EXPECT_EQ(integer_key.Decode("abc"),
            "ERROR: field \"id\": invalid input syntax for type integer: \"abc\"");
  EXPECT_EQ(integer_key.Decode(R"({"other": 1})"), "ERROR: field \"id\": missing or null");
  EXPECT_EQ(integer_key.Decode(R"({"id": null})"), "ERROR: field \"id\": missing or null");
  EXPECT_EQ(integer_key.Decode("null"), "ERROR: no value");
  EXPECT_EQ(integer_key.Decode(""), "ERROR: no value");
  DecoderHarness text_key({{"name", DataType::Text()}}, key);
  EXPECT_EQ(text_key.Decode(R"("a \"quoted\" name")"), "a \"quoted\" name");
  EXPECT_EQ(text_key.Decode("bare words"), "bare words");
  EXPECT_EQ(text_key.Decode(R"("unterminated)"),
            "ERROR: invalid JSON: A string is opened, but never closed.");
  // Several key columns need an object.
  DecoderHarness pair_key({{"a", DataType::Integer()}, {"b", DataType::Text()}}, key);
  EXPECT_EQ(pair_key.Decode(R"({"b": "x", "a": 1})"), "1|x");
  EXPECT_EQ(pair_key.Decode("1"), "ERROR: expected a JSON object");
  // Without scalar_payload a bare value is not a message.
  DecoderHarness plain({{"id", DataType::Integer()}}, Json());
  EXPECT_EQ(plain.Decode("42"), "ERROR: expected a JSON object");
}

// Parse keeps the row until Append, so a row made of two payloads is all or nothing.
TEST(MessageDecoderJson, ParseThenAppendAndNulls) {
  const std::vector<DataType> types = {DataType::Integer(), DataType::Text()};
  MessageFormat key_format = Json();
  key_format.scalar_payload = true;
  MessageDecoder key({"id"}, {DataType::Integer()}, {0}, key_format);
  MessageDecoder value({"name"}, {DataType::Text()}, {1}, Json());
  Chunk chunk(types);
  ASSERT_EQ(key.Parse("5"), DecodeStatus::kRow);
  ASSERT_EQ(value.Parse(R"({"name": "five"})"), DecodeStatus::kRow);
  key.Append(chunk);
  value.Append(chunk);
  ASSERT_EQ(key.Parse("6"), DecodeStatus::kRow);
  ASSERT_EQ(value.Parse("not json"), DecodeStatus::kError);
  EXPECT_EQ(chunk.GetColumn(0).Size(), 1u) << "Parse must not append";
  ASSERT_EQ(key.Parse("7"), DecodeStatus::kRow);
  key.Append(chunk);
  value.AppendNulls(chunk);
  chunk.SetNumRows(2);
  std::vector<std::string> rows;
  testing::AppendRowsAsText(chunk, rows);
  EXPECT_EQ(rows, (std::vector<std::string>{"5|five", "7|NULL"}));
}

TEST(MessageDecoderCsv, FieldsByPosition) {
  DecoderHarness decoder({{"a", DataType::Integer()},
                          {"s", DataType::Text()},
                          {"ts", DataType::Timestamp()},
                          {"n", DataType::Numeric()},
                          {"b", DataType::Boolean()},
                          {"j", DataType(TypeId::kJsonb)}},
                         Csv());
  EXPECT_EQ(decoder.Decode("1,hello,2026-11-26 00:00:00.5,1.50,true,\"{\"\"k\"\": 1}\"\n"),
            "1|hello|2026-11-26 00:00:00.5|1.50|t|{\"k\": 1}");
  EXPECT_EQ(decoder.Decode(",,,,,"), "NULL|NULL|NULL|NULL|NULL|NULL");
  EXPECT_EQ(decoder.Decode("2,\"\",,,f,\r\n"), "2||NULL|NULL|f|NULL");
  EXPECT_EQ(decoder.Decode("3,\"a,\"\"b\"\"\",,,,"), "3|a,\"b\"|NULL|NULL|NULL|NULL");
}

TEST(MessageDecoderCsv, DelimiterAndHeader) {
  DecoderHarness decoder({{"a", DataType::Integer()}, {"b", DataType::Text()}},
                         Csv('|', /*header=*/true));
  EXPECT_EQ(decoder.Decode("B|unused|A"), "SKIPPED");
  EXPECT_EQ(decoder.Decode("x|y|5"), "5|x");
  EXPECT_EQ(decoder.Decode("x|y"), "ERROR: expected 3 CSV fields, found 2");
}

TEST(MessageDecoderCsv, Malformed) {
  DecoderHarness decoder({{"a", DataType::Integer()}, {"s", DataType::Text()}}, Csv());
  EXPECT_EQ(decoder.Decode("1,\"abc"), "ERROR: unterminated quoted CSV field");
  EXPECT_EQ(decoder.Decode("1,\"abc\"x"),
            "ERROR: unexpected character after a closing quote in CSV field 2");
  EXPECT_EQ(decoder.Decode("1,ab\"c"), "ERROR: quote inside unquoted CSV field 2");
  EXPECT_EQ(decoder.Decode("1,a,b"), "ERROR: expected 2 CSV fields, found 3");
  EXPECT_EQ(decoder.Decode("1"), "ERROR: expected 2 CSV fields, found 1");
  EXPECT_EQ(decoder.Decode("x,a"),
            "ERROR: field \"a\": invalid input syntax for type integer: \"x\"");
  EXPECT_EQ(decoder.Decode("99999999999,a"),
            "ERROR: field \"a\": value 99999999999 is out of range for type integer");
  EXPECT_EQ(decoder.Decode("7,ok"), "7|ok");
}

TEST(MessageFormatOptions, ParsesAndRejects) {
  EXPECT_EQ(ParseMessageFormat("PLAIN", "JSON", {}).encoding, MessageEncoding::kJson);
  const MessageFormat csv =
      ParseMessageFormat("plain", "csv", {{"delimiter", ";"}, {"without_header", "false"}});
  EXPECT_EQ(csv.encoding, MessageEncoding::kCsv);
  EXPECT_EQ(csv.csv_delimiter, ';');
  EXPECT_TRUE(csv.csv_header);
  EXPECT_FALSE(ParseMessageFormat("plain", "csv", {}).csv_header);
  EXPECT_TRUE(ParseMessageFormat("UPSERT", "json", {}).upsert);
  EXPECT_FALSE(ParseMessageFormat("plain", "json", {}).upsert);
  EXPECT_TRUE(
      testing::ErrorOf([] { ParseMessageFormat("upsert", "csv", {}); }).starts_with("22023:"));
  EXPECT_TRUE(
      testing::ErrorOf([] { ParseMessageFormat("debezium", "json", {}); }).starts_with("22023:"));
  EXPECT_TRUE(
      testing::ErrorOf([] { ParseMessageFormat("plain", "avro", {}); }).starts_with("22023:"));
  EXPECT_TRUE(testing::ErrorOf([] {
                ParseMessageFormat("plain", "csv", {{"delimiter", ",,"}});
              }).starts_with("22023:"));
  EXPECT_TRUE(testing::ErrorOf([] {
                ParseMessageFormat("plain", "json", {{"bogus", "1"}});
              }).starts_with("22023:"));
  EXPECT_TRUE(testing::ErrorOf([] {
                ValidateDecodedColumns({"x"}, {DataType(TypeId::kBytea)});
              }).starts_with("42804:"));
}

}  // namespace
}  // namespace freshet::connectors
