// SPDX-License-Identifier: Apache-2.0
#include "storage/row_codec.h"

#include <cmath>
#include <limits>
#include <random>

#include <gtest/gtest.h>

namespace freshet::storage {
namespace {

using namespace std::string_literals;

std::vector<DataType> AllTypes() {
  return {DataType::Boolean(),
          DataType(TypeId::kSmallint),
          DataType::Integer(),
          DataType::Bigint(),
          DataType(TypeId::kReal),
          DataType::Double(),
          DataType::Numeric(38, 4),
          DataType::Text(),
          DataType(TypeId::kBytea),
          DataType(TypeId::kDate),
          DataType(TypeId::kTime),
          DataType::Timestamp(),
          DataType(TypeId::kTimestamptz),
          DataType(TypeId::kInterval),
          DataType(TypeId::kJsonb),
          DataType::Varchar(10)};
}

// Rows that exercise the edges of each type; row `variant` picks which edge, and some values are
// NULL.
std::vector<Value> SampleRow(const std::vector<DataType>& types, int variant) {
  std::vector<Value> row;
  for (size_t i = 0; i < types.size(); ++i) {
    const DataType& type = types[i];
    if ((variant + i) % 5 == 0) {
      row.push_back(Value::Null(type));
      continue;
    }
    const bool low = variant % 2 == 0;
    switch (type.Physical()) {
      case PhysicalType::kBool:
        row.push_back(Value::Boolean(low));
        break;
      case PhysicalType::kInt16:
        row.push_back(Value::Int(type, low ? INT16_MIN : INT16_MAX));
        break;
      case PhysicalType::kInt32:
        row.push_back(Value::Int(type, low ? INT32_MIN : variant));
        break;
      case PhysicalType::kInt64:
        row.push_back(Value::Int(type, low ? INT64_MIN : INT64_MAX - variant));
        break;
      case PhysicalType::kFloat32:
        row.push_back(Value::Float(type, low ? -0.5 : std::numeric_limits<float>::infinity()));
        break;
      case PhysicalType::kFloat64:
        row.push_back(Value::Float(type, low ? -1e300 : 3.25 * variant));
        break;
      case PhysicalType::kInt128: {
        const __int128 max = ~(static_cast<unsigned __int128>(1) << 127);
        row.push_back(Value::Numeric(type, low ? -max - 1 : max - variant));
        break;
      }
      case PhysicalType::kInterval:
        row.push_back(Value::FromInterval(low ? Interval{INT32_MIN, -3, INT64_MIN}
                                              : Interval{14, 3, 4000000 + variant}));
        break;
      case PhysicalType::kString:
        row.push_back(Value::String(type, low ? ""s : std::string(200 + variant, '\0') + "x"));
        break;
    }
  }
  return row;
}

TEST(RowCodecTest, ValuesRoundTripThroughChunkAndValues) {
  const std::vector<DataType> types = AllTypes();
  Chunk chunk(types);
  std::vector<std::vector<Value>> rows;
  for (int variant = 0; variant < 8; ++variant) {
    rows.push_back(SampleRow(types, variant));
    chunk.AppendRow(rows.back());
  }
  Chunk decoded(types);
  for (size_t row = 0; row < rows.size(); ++row) {
    std::string from_chunk;
    EncodeRow(chunk, row, from_chunk);
    std::string from_values;
    EncodeRow(rows[row], from_values);
    EXPECT_EQ(from_chunk, from_values);
    EXPECT_EQ(static_cast<uint8_t>(from_chunk[0]), kRowFormatV1);

    Status status = DecodeRowInto(from_chunk, types, decoded, Op::kUpdateInsert);
    ASSERT_TRUE(status.ok()) << status.error().Message();
    Result<std::vector<Value>> values = DecodeRow(from_chunk, types);
    ASSERT_TRUE(values.ok()) << values.error().Message();
    EXPECT_EQ(values.value(), rows[row]);
  }
  ASSERT_EQ(decoded.NumRows(), rows.size());
  for (size_t row = 0; row < rows.size(); ++row) {
    EXPECT_EQ(decoded.Ops()[row], Op::kUpdateInsert);
    for (size_t column = 0; column < types.size(); ++column) {
      EXPECT_EQ(decoded.GetColumn(column).GetValue(row), rows[row][column])
          << "row " << row << " column " << column;
    }
  }
}

TEST(RowCodecTest, SmallValuesAreCompact) {
  std::string out;
  EncodeRow(
      {Value::Bigint(1), Value::Bigint(-1), Value::Null(DataType::Bigint()), Value::Text("ab")},
      out);
  // format, count, bitmap, 1, 1, (null), length + 2 bytes
  EXPECT_EQ(out,
            "\x01\x04\x04\x02\x01\x02"
            "ab"s);
}

TEST(RowCodecTest, SubsetOfColumnsDecodesIntoColumnsFromAnOffset) {
  const std::vector<DataType> types = {DataType::Bigint(), DataType::Text(), DataType::Double()};
  Chunk chunk(types);
  chunk.AppendRow({Value::Bigint(42), Value::Text("hello"), Value::Double(2.5)});
  // The value part of a row keyed by column 0: columns 1 and 2.
  std::string value;
  EncodeRow(chunk, 0, {1, 2}, value);
  std::vector<Column> columns;
  columns.emplace_back(DataType::Bigint());
  columns.emplace_back(DataType::Text());
  columns.emplace_back(DataType::Double());
  columns[0].Append<int64_t>(42);
  Status status = DecodeRowIntoColumns(value, {DataType::Text(), DataType::Double()}, columns, 1);
  ASSERT_TRUE(status.ok()) << status.error().Message();
  EXPECT_EQ(columns[1].GetString(0), "hello");
  EXPECT_EQ(columns[2].Data<double>()[0], 2.5);
}

TEST(RowCodecTest, MismatchedColumnTypesAreAnInternalError) {
  std::string value;
  EncodeRow({Value::Bigint(1)}, value);
  Chunk chunk({DataType::Text()});
  Status status = DecodeRowInto(value, {DataType::Bigint()}, chunk);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().State(), SqlState::kInternalError);
  EXPECT_EQ(chunk.NumRows(), 0u);
}

void ExpectCorrupt(std::string_view bytes, const std::vector<DataType>& types) {
  Chunk chunk(types);
  Status status = DecodeRowInto(bytes, types, chunk);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().State(), SqlState::kDataCorrupted) << status.error().Message();
  EXPECT_EQ(chunk.NumRows(), 0u);
  for (size_t i = 0; i < types.size(); ++i) {
    EXPECT_EQ(chunk.GetColumn(i).Size(), 0u) << "column " << i << " was appended to";
  }
  EXPECT_FALSE(DecodeRow(bytes, types).ok());
}

TEST(RowCodecTest, EveryTruncationIsCorrupt) {
  const std::vector<DataType> types = AllTypes();
  for (int variant = 0; variant < 4; ++variant) {
    std::string bytes;
    EncodeRow(SampleRow(types, variant), bytes);
    for (size_t length = 0; length < bytes.size(); ++length) {
      ExpectCorrupt(std::string_view(bytes.data(), length), types);
    }
  }
}

TEST(RowCodecTest, MalformedRowsAreCorrupt) {
  const std::vector<DataType> one_bigint = {DataType::Bigint()};
  ExpectCorrupt("\x02\x01\x00\x02"s, one_bigint);      // unknown format
  ExpectCorrupt("\x01\x02\x00\x02\x02"s, one_bigint);  // two columns, one type
  ExpectCorrupt("\x01\x01\x00\x02\x00"s, one_bigint);  // trailing byte
  ExpectCorrupt("\x01\x01\x02"s, one_bigint);          // bitmap bit past the last column
  ExpectCorrupt("\x01\x01\x00\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\x7F"s,
                one_bigint);                                                  // varint > 64 bits
  ExpectCorrupt("\x01\x01\x00\x80\x80\x04"s, {DataType(TypeId::kSmallint)});  // out of int16 range
  ExpectCorrupt("\x01\x01\x00\x02"s, {DataType::Boolean()});                  // boolean 2
  ExpectCorrupt(
      "\x01\x01\x00\x05"
      "ab"s,
      {DataType::Text()});  // string longer than the row
  ExpectCorrupt("\x01\x01\x00\xFF\xFF\xFF\xFF\x7F"s, {DataType::Text()});  // absurd length
}

// Random damage to valid rows must either decode to something or be reported; never crash or
// over-read (run under FRESHET_SANITIZE to check the latter).
TEST(RowCodecTest, RandomDamageNeverCrashes) {
  const std::vector<DataType> types = AllTypes();
  std::mt19937 random(12345);
  size_t corrupt = 0;
  for (int trial = 0; trial < 4000; ++trial) {
    std::string bytes;
    EncodeRow(SampleRow(types, trial % 8), bytes);
    const int flips = 1 + static_cast<int>(random() % 3);
    for (int f = 0; f < flips; ++f) {
      bytes[random() % bytes.size()] = static_cast<char>(random());
    }
    Chunk chunk(types);
    Status status = DecodeRowInto(bytes, types, chunk);
    if (status.ok()) {
      EXPECT_EQ(chunk.NumRows(), 1u);
    } else {
      ++corrupt;
      EXPECT_EQ(status.error().State(), SqlState::kDataCorrupted);
      EXPECT_EQ(chunk.NumRows(), 0u);
      EXPECT_EQ(chunk.GetColumn(0).Size(), 0u);
    }
  }
  EXPECT_GT(corrupt, 0u);
}

}  // namespace
}  // namespace freshet::storage
