// SPDX-License-Identifier: Apache-2.0
#include "storage/key_codec.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

#include <gtest/gtest.h>

#include "common/numeric.h"

namespace freshet {

// Names parameterized tests' types readably in failure messages.
void PrintTo(const DataType& type, std::ostream* out) {
  *out << type.Name();
}

namespace storage {
namespace {

using namespace std::string_literals;
using namespace std::string_view_literals;

// -1, 0 or 1: the order of two values as SQL (ascending, NULLS LAST) orders them, with the
// documented tie-break of intervals of equal span.
int CompareSql(const Value& a, const Value& b) {
  if (a.IsNull() || b.IsNull()) {
    return a.IsNull() == b.IsNull() ? 0 : (a.IsNull() ? 1 : -1);
  }
  auto three_way = [](auto x, auto y) { return x < y ? -1 : (y < x ? 1 : 0); };
  switch (a.Type().Physical()) {
    case PhysicalType::kBool:
      return three_way(a.GetBool(), b.GetBool());
    case PhysicalType::kInt16:
    case PhysicalType::kInt32:
    case PhysicalType::kInt64:
      return three_way(a.GetInt(), b.GetInt());
    case PhysicalType::kFloat32:
    case PhysicalType::kFloat64: {
      const double x = a.GetDouble();
      const double y = b.GetDouble();
      if (std::isnan(x) || std::isnan(y)) {
        return std::isnan(x) == std::isnan(y) ? 0 : (std::isnan(x) ? 1 : -1);
      }
      return three_way(x, y);  // -0.0 == 0.0 here, as in SQL.
    }
    case PhysicalType::kInt128:
      // By value; equal values (1.0, 1.00) by display scale, the documented tie-break.
      if (int c = numeric::Compare(a.GetInt128(), b.GetInt128()); c != 0) {
        return c;
      }
      return three_way(numeric::Scale(a.GetInt128()), numeric::Scale(b.GetInt128()));
    case PhysicalType::kInterval: {
      auto span = [](const Interval& i) {
        return static_cast<__int128>(i.months) * 30 * 86400000000LL +
               static_cast<__int128>(i.days) * 86400000000LL + i.micros;
      };
      const Interval& x = a.GetInterval();
      const Interval& y = b.GetInterval();
      if (int c = three_way(span(x), span(y)); c != 0) {
        return c;
      }
      if (int c = three_way(x.months, y.months); c != 0) {
        return c;
      }
      return three_way(x.days, y.days);
    }
    case PhysicalType::kString: {
      const int c =
          a.GetString().compare(b.GetString());  // char_traits<char> compares as unsigned char
      return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
  }
  return 0;
}

int CompareBytes(const std::string& a, const std::string& b) {
  const int c = a.compare(b);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

std::string Encode(const Value& value, bool descending) {
  std::string out;
  EncodeKeyValue(value, descending, out);
  return out;
}

// Values equal as keys must compare equal after a round trip: NaN and -0 are normalized by the
// encoding.
bool SameKeyValue(const Value& a, const Value& b) {
  return a.IsNull() == b.IsNull() && (a.IsNull() || CompareSql(a, b) == 0) &&
         (a.IsNull() || a.Type().Physical() != PhysicalType::kInterval ||
          a.GetInterval() == b.GetInterval());
}

class RandomValues {
 public:
  explicit RandomValues(uint32_t seed) : random_(seed) {}

  std::vector<Value> Generate(DataType type, size_t count) {
    std::vector<Value> values = Specials(type);
    while (values.size() < count) {
      values.push_back(One(type));
    }
    return values;
  }

 private:
  int64_t Int(int64_t min, int64_t max) {
    // Mostly small values near zero and the edges, where sign handling goes wrong.
    switch (random_() % 4) {
      case 0:
        return std::uniform_int_distribution<int64_t>(-3, 3)(random_);
      case 1:
        return std::uniform_int_distribution<int64_t>(min, min + 3)(random_);
      case 2:
        return std::uniform_int_distribution<int64_t>(max - 3, max)(random_);
      default:
        return std::uniform_int_distribution<int64_t>(min, max)(random_);
    }
  }

  std::string Bytes() {
    // A small alphabet with 0x00 and 0xFF so that escapes and prefixes collide often.
    static constexpr char kAlphabet[] = {'\0', '\x01', 'a', 'b', '\xFE', '\xFF'};
    std::string bytes(random_() % 6, '\0');
    for (char& c : bytes) {
      c = kAlphabet[random_() % sizeof(kAlphabet)];
    }
    return bytes;
  }

  Value One(DataType type) {
    if (random_() % 10 == 0) {
      return Value::Null(type);
    }
    switch (type.Physical()) {
      case PhysicalType::kBool:
        return Value::Boolean(random_() % 2 == 0);
      case PhysicalType::kInt16:
        return Value::Int(type, Int(INT16_MIN, INT16_MAX));
      case PhysicalType::kInt32:
        return Value::Int(type, Int(INT32_MIN, INT32_MAX));
      case PhysicalType::kInt64:
        return Value::Int(type, Int(INT64_MIN, INT64_MAX));
      case PhysicalType::kFloat32:
      case PhysicalType::kFloat64: {
        double value = std::uniform_real_distribution<double>(-1000, 1000)(random_);
        if (random_() % 3 == 0) {
          value = std::ldexp(value, static_cast<int>(random_() % 200) - 100);
        }
        if (type.Physical() == PhysicalType::kFloat32) {
          value = static_cast<float>(value);
        }
        return Value::Float(type, value);
      }
      case PhysicalType::kInt128: {
        // Up to 35 digits at scales 0..255, many of them equal values at different scales.
        __int128 unscaled = static_cast<__int128>(Int(-999, 999));
        if (random_() % 2 == 0) {
          unscaled = static_cast<__int128>(Int(INT64_MIN, INT64_MAX)) * Int(-99999999, 99999999);
        }
        auto scale = static_cast<int32_t>(random_() % 7);
        if (random_() % 4 == 0) {
          scale = static_cast<int32_t>(random_() % (numeric::kMaxScale + 1));
        }
        if (random_() % 3 == 0 && unscaled < 1000 && unscaled > -1000 && scale < 200) {
          unscaled *= 1000;
          scale += 3;
        }
        return Value::Numeric(type, numeric::Pack(unscaled, scale));
      }
      case PhysicalType::kInterval: {
        Interval interval;
        interval.months = static_cast<int32_t>(Int(-24, 24));
        interval.days = static_cast<int32_t>(Int(-60, 60));
        interval.micros = Int(-3, 3) * 86400000000LL + Int(-5, 5);
        return Value::FromInterval(interval);
      }
      case PhysicalType::kString:
        return Value::String(type, Bytes());
    }
    return Value::Null(type);
  }

  std::vector<Value> Specials(DataType type) {
    std::vector<Value> values = {Value::Null(type)};
    switch (type.Physical()) {
      case PhysicalType::kBool:
        values.push_back(Value::Boolean(false));
        values.push_back(Value::Boolean(true));
        break;
      case PhysicalType::kInt16:
      case PhysicalType::kInt32:
      case PhysicalType::kInt64: {
        const int64_t max = type.Physical() == PhysicalType::kInt16   ? INT16_MAX
                            : type.Physical() == PhysicalType::kInt32 ? INT32_MAX
                                                                      : INT64_MAX;
        for (int64_t v : {-max - 1, -max, int64_t{-1}, int64_t{0}, int64_t{1}, max}) {
          values.push_back(Value::Int(type, v));
        }
        break;
      }
      case PhysicalType::kFloat32:
      case PhysicalType::kFloat64: {
        const double inf = std::numeric_limits<double>::infinity();
        const double nan = std::numeric_limits<double>::quiet_NaN();
        const double tiny = type.Physical() == PhysicalType::kFloat32
                                ? std::numeric_limits<float>::denorm_min()
                                : std::numeric_limits<double>::denorm_min();
        for (double v : {-inf, -1.5, -tiny, -0.0, 0.0, tiny, 1.5, inf, nan, -nan}) {
          values.push_back(Value::Float(type, v));
        }
        break;
      }
      case PhysicalType::kInt128: {
        for (const char* text :
             {"-Infinity", "-99999999999999999999999999999999999", "-1.00", "-1.0", "-1", "-0.5",
              "0", "0.00", "1e-255", "0.5", "1", "1.0", "1.00", "10",
              "99999999999999999999999999999999999", "Infinity", "NaN"}) {
          values.push_back(Value::Numeric(type, numeric::Parse(text)));
        }
        break;
      }
      case PhysicalType::kInterval:
        values.push_back(Value::FromInterval(Interval{1, 0, 0}));
        values.push_back(Value::FromInterval(Interval{0, 30, 0}));
        values.push_back(Value::FromInterval(Interval{0, 0, 30 * 86400000000LL}));
        values.push_back(Value::FromInterval(Interval{-1, 0, 0}));
        values.push_back(Value::FromInterval(Interval{INT32_MIN, INT32_MIN, INT64_MIN}));
        values.push_back(Value::FromInterval(Interval{INT32_MAX, INT32_MAX, INT64_MAX}));
        break;
      case PhysicalType::kString:
        for (std::string v : {std::string(), std::string("a"), std::string("a\0", 2),
                              std::string("a\0\0", 3), std::string("a\x01", 2), std::string("ab"),
                              std::string("\xFF"), std::string("\0", 1)}) {
          values.push_back(Value::String(type, v));
        }
        break;
    }
    return values;
  }

  std::mt19937 random_;
};

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
          DataType(TypeId::kJsonb)};
}

class KeyCodecTypeTest : public ::testing::TestWithParam<DataType> {};

TEST_P(KeyCodecTypeTest, ByteOrderEqualsSqlOrder) {
  const DataType type = GetParam();
  RandomValues generator(static_cast<uint32_t>(type.id) * 7919 + 1);
  const std::vector<Value> values = generator.Generate(type, 250);
  for (bool descending : {false, true}) {
    std::vector<std::string> keys;
    for (const Value& value : values) {
      keys.push_back(Encode(value, descending));
    }
    for (size_t i = 0; i < values.size(); ++i) {
      for (size_t j = 0; j < values.size(); ++j) {
        const int expected = CompareSql(values[i], values[j]) * (descending ? -1 : 1);
        ASSERT_EQ(CompareBytes(keys[i], keys[j]), expected)
            << type.Name() << (descending ? " DESC: " : ": ") << values[i].ToText() << " vs "
            << values[j].ToText();
      }
    }
  }
}

TEST_P(KeyCodecTypeTest, DecodeRoundTrips) {
  const DataType type = GetParam();
  RandomValues generator(static_cast<uint32_t>(type.id) * 104729 + 3);
  for (bool descending : {false, true}) {
    std::string key;
    const std::vector<Value> values = generator.Generate(type, 200);
    for (const Value& value : values) {
      EncodeKeyValue(value, descending, key);
    }
    // All values decode back from one concatenated key, into Values and into a Column.
    std::string_view in = key;
    Column column(type);
    std::string_view column_in = key;
    for (const Value& value : values) {
      Result<Value> decoded = DecodeKeyValue(in, type, descending);
      ASSERT_TRUE(decoded.ok()) << decoded.error().Message();
      EXPECT_TRUE(SameKeyValue(decoded.value(), value))
          << decoded.value().ToText() << " != " << value.ToText();
      EXPECT_EQ(decoded.value().Type(), type);
      Status status = DecodeKeyValueInto(column_in, descending, column);
      ASSERT_TRUE(status.ok()) << status.error().Message();
    }
    EXPECT_TRUE(in.empty());
    EXPECT_TRUE(column_in.empty());
    ASSERT_EQ(column.Size(), values.size());
    for (size_t row = 0; row < values.size(); ++row) {
      EXPECT_TRUE(SameKeyValue(column.GetValue(row), values[row]));
      // Encoding from a column gives the same bytes as from a Value.
      std::string from_column;
      EncodeKeyValue(column, row, descending, from_column);
      EXPECT_EQ(from_column, Encode(values[row], descending));
    }
  }
}

TEST_P(KeyCodecTypeTest, TruncatedKeysAreCorruptNotCrashes) {
  const DataType type = GetParam();
  RandomValues generator(99);
  for (const Value& value : generator.Generate(type, 30)) {
    for (bool descending : {false, true}) {
      const std::string key = Encode(value, descending);
      for (size_t length = 0; length < key.size(); ++length) {
        std::string_view in(key.data(), length);
        Result<Value> decoded = DecodeKeyValue(in, type, descending);
        ASSERT_FALSE(decoded.ok()) << value.ToText() << " truncated to " << length;
        EXPECT_EQ(decoded.error().State(), SqlState::kDataCorrupted);
        Column column(type);
        std::string_view column_in(key.data(), length);
        EXPECT_FALSE(DecodeKeyValueInto(column_in, descending, column).ok());
        EXPECT_EQ(column.Size(), 0u);
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(AllTypes,
                         KeyCodecTypeTest,
                         ::testing::ValuesIn(AllTypes()),
                         [](const ::testing::TestParamInfo<DataType>& info) {
                           std::string name = info.param.Name();
                           std::replace_if(
                               name.begin(), name.end(),
                               [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); },
                               '_');
                           return name;
                         });

TEST(KeyCodecTest, NullsSortLastAscendingAndFirstDescending) {
  const Value null = Value::Null(DataType::Bigint());
  const Value max = Value::Bigint(INT64_MAX);
  const Value min = Value::Bigint(INT64_MIN);
  EXPECT_LT(Encode(max, false), Encode(null, false));
  EXPECT_LT(Encode(null, true), Encode(min, true));
  EXPECT_LT(Encode(max, true), Encode(min, true));
}

TEST(KeyCodecTest, NanIsAboveInfinityAndNegativeZeroEqualsZero) {
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_LT(Encode(Value::Double(inf), false),
            Encode(Value::Double(std::numeric_limits<double>::quiet_NaN()), false));
  EXPECT_EQ(Encode(Value::Double(-0.0), false), Encode(Value::Double(0.0), false));
  EXPECT_EQ(Encode(Value::Double(std::numeric_limits<double>::quiet_NaN()), false),
            Encode(Value::Double(-std::numeric_limits<double>::quiet_NaN()), false));
  EXPECT_LT(Encode(Value::Double(-inf), false), Encode(Value::Double(-1e308), false));
}

TEST(KeyCodecTest, StringPrefixSortsFirstAndZeroBytesAreEscaped) {
  const DataType text = DataType::Text();
  EXPECT_LT(Encode(Value::String(text, "a"), false), Encode(Value::String(text, "a\0"s), false));
  EXPECT_LT(Encode(Value::String(text, "a\0"s), false),
            Encode(Value::String(text, "a\x01"), false));
  EXPECT_LT(Encode(Value::String(text, ""), false), Encode(Value::String(text, "\0"s), false));
  EXPECT_EQ(Encode(Value::String(text, "a\0b"s), false),
            "\x01"
            "a\x00\xFF"
            "b\x00\x01"s);
}

// Composite keys: tuples compare column by column, even when a string is a prefix of another.
TEST(KeyCodecTest, CompositeKeysOrderAsTuples) {
  const std::vector<DataType> types = {DataType::Text(), DataType::Integer(), DataType::Double()};
  const std::vector<bool> descending = {false, true, false};
  RandomValues generator(7);
  std::vector<std::vector<Value>> rows;
  std::vector<std::vector<Value>> columns;
  for (const DataType& type : types) {
    columns.push_back(generator.Generate(type, 120));
  }
  Chunk chunk(types);
  for (size_t i = 0; i < 120; ++i) {
    std::vector<Value> row;
    for (size_t c = 0; c < types.size(); ++c) {
      // Few distinct leading values, so later columns decide often.
      row.push_back(columns[c][c == 0 ? i % 9 : (i * 31 + c) % 120]);
    }
    chunk.AppendRow(row);
    rows.push_back(std::move(row));
  }
  const std::vector<KeyColumn> key_columns = {{0, false}, {1, true}, {2, false}};
  std::vector<std::string> keys(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    EncodeKey(chunk, i, key_columns, keys[i]);
  }
  // EncodeKeyColumn builds the same keys a column at a time.
  std::vector<std::string> column_keys(rows.size());
  for (const KeyColumn& key_column : key_columns) {
    EncodeKeyColumn(chunk.GetColumn(key_column.column_index), key_column.descending, column_keys);
  }
  EXPECT_EQ(keys, column_keys);
  for (size_t i = 0; i < rows.size(); ++i) {
    for (size_t j = 0; j < rows.size(); ++j) {
      int expected = 0;
      for (size_t c = 0; c < types.size() && expected == 0; ++c) {
        expected = CompareSql(rows[i][c], rows[j][c]) * (descending[c] ? -1 : 1);
      }
      ASSERT_EQ(CompareBytes(keys[i], keys[j]), expected) << i << " vs " << j;
    }
    std::string_view in = keys[i];
    for (size_t c = 0; c < types.size(); ++c) {
      Result<Value> decoded = DecodeKeyValue(in, types[c], descending[c]);
      ASSERT_TRUE(decoded.ok());
      EXPECT_TRUE(SameKeyValue(decoded.value(), rows[i][c]));
    }
    EXPECT_TRUE(in.empty());
  }
}

TEST(KeyCodecTest, CorruptBytesAreReported) {
  std::string_view bad_marker = "\x07";
  EXPECT_EQ(DecodeKeyValue(bad_marker, DataType::Integer(), false).error().State(),
            SqlState::kDataCorrupted);
  std::string_view bad_escape =
      "\x01"
      "a\x00\x05"sv;
  EXPECT_FALSE(DecodeKeyValue(bad_escape, DataType::Text(), false).ok());
  std::string_view bad_bool = "\x01\x02";
  EXPECT_FALSE(DecodeKeyValue(bad_bool, DataType::Boolean(), false).ok());
}

TEST(KeyCodecTest, TablePrefixesOrderByIdAndBoundPrefixScans) {
  EXPECT_EQ(TablePrefix(1).size(), kTablePrefixSize);
  EXPECT_LT(TablePrefix(1), TablePrefix(2));
  EXPECT_LT(TablePrefix(255), TablePrefix(256));
  EXPECT_LT(TablePrefix(0xFFFFFFFE), TablePrefix(0xFFFFFFFF));
  EXPECT_LT(SystemKey("epoch"), TablePrefix(0));
  EXPECT_EQ(PrefixUpperBound(TablePrefix(7)), TablePrefix(8));
  EXPECT_EQ(PrefixUpperBound("a\xFF\xFF"s), "b");
  EXPECT_EQ(PrefixUpperBound("\xFF\xFF"s), "");
  EXPECT_EQ(PrefixUpperBound(""), "");
}

TEST(KeyCodecTest, Uint64RowIdsAreBigEndian) {
  std::string out;
  AppendUint64(0x0102030405060708ULL, out);
  EXPECT_EQ(out, "\x01\x02\x03\x04\x05\x06\x07\x08"s);
  std::string low;
  std::string high;
  AppendUint64(255, low);
  AppendUint64(256, high);
  EXPECT_LT(low, high);
  std::string_view in = out;
  Result<uint64_t> value = ReadUint64(in);
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(value.value(), 0x0102030405060708ULL);
  EXPECT_TRUE(in.empty());
  std::string_view short_input = "\x01\x02";
  EXPECT_FALSE(ReadUint64(short_input).ok());
  std::string four;
  AppendUint32(0xDEADBEEF, four);
  std::string_view four_in = four;
  EXPECT_EQ(ReadUint32(four_in).value(), 0xDEADBEEF);
}

TEST(KeyCodecTest, NumericKeysOrderByValueThenScaleAndDecodeExactly) {
  // Ascending by value; values equal across scales sit together, the smaller scale first.
  const std::vector<std::string> ordered = {
      "-Infinity",
      "-12345678901234567890123456789012345",
      "-100",
      "-2.5",
      "-2.50",
      "-1",
      "-1.0",
      "-0.001",
      "-1e-200",
      "0",
      "0.0",
      "0.000",
      "1e-255",
      "1e-200",
      "0.0001",
      "0.001",
      "0.0010",
      "0.5",
      "1",
      "1.0",
      "1.00",
      "1.5",
      "2",
      "10",
      "10.0",
      "99.99",
      "100",
      "1e30",
      "99999999999999999999999999999999999",
      "Infinity",
      "NaN",
  };
  const DataType type = DataType::Numeric();
  std::vector<std::string> keys;
  for (const std::string& text : ordered) {
    const Value value = Value::Numeric(type, numeric::Parse(text));
    keys.push_back(Encode(value, false));
    std::string_view in = keys.back();
    Result<Value> decoded = DecodeKeyValue(in, type, false);
    ASSERT_TRUE(decoded.ok()) << text;
    EXPECT_EQ(decoded.value().ToText(), value.ToText()) << text;
    EXPECT_TRUE(in.empty());
  }
  for (size_t i = 1; i < keys.size(); ++i) {
    EXPECT_LT(keys[i - 1], keys[i]) << ordered[i - 1] << " vs " << ordered[i];
  }
  // Descending keys invert the order.
  EXPECT_GT(Encode(Value::Numeric(type, numeric::Parse("1.5")), true),
            Encode(Value::Numeric(type, numeric::Parse("2")), true));
}

}  // namespace
}  // namespace storage
}  // namespace freshet
