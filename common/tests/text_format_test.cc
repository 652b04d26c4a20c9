// SPDX-License-Identifier: Apache-2.0
#include "common/text_format.h"

#include <cmath>
#include <limits>

#include <gtest/gtest.h>

#include "common/column.h"
#include "common/error.h"
#include "common/value.h"

namespace freshet {
namespace {

std::string Float8(double value) {
  std::string out;
  AppendFloat(out, value, false);
  return out;
}

std::string Float4(float value) {
  std::string out;
  AppendFloat(out, value, true);
  return out;
}

TEST(TextFormatTest, DoublesPrintLikeFloat8Out) {
  EXPECT_EQ(Float8(0.1), "0.1");
  EXPECT_EQ(Float8(1.5), "1.5");
  EXPECT_EQ(Float8(-2), "-2");
  EXPECT_EQ(Float8(0), "0");
  EXPECT_EQ(Float8(-0.0), "-0");
  EXPECT_EQ(Float8(100), "100");
  EXPECT_EQ(Float8(123456789012345.0), "123456789012345");
  EXPECT_EQ(Float8(1e15), "1e+15");
  EXPECT_EQ(Float8(1.5e20), "1.5e+20");
  EXPECT_EQ(Float8(0.0001), "0.0001");
  EXPECT_EQ(Float8(0.00001), "1e-05");
  EXPECT_EQ(Float8(1.0 / 3), "0.3333333333333333");
  EXPECT_EQ(Float8(std::numeric_limits<double>::infinity()), "Infinity");
  EXPECT_EQ(Float8(-std::numeric_limits<double>::infinity()), "-Infinity");
  EXPECT_EQ(Float8(std::nan("")), "NaN");
}

TEST(TextFormatTest, RealsPrintLikeFloat4Out) {
  EXPECT_EQ(Float4(0.1f), "0.1");
  EXPECT_EQ(Float4(100000.0f), "100000");
  EXPECT_EQ(Float4(1000000.0f), "1e+06");
}

TEST(TextFormatTest, TimestampsPrintLikeTimestampOut) {
  std::string out;
  AppendTimestamp(out, 0);
  EXPECT_EQ(out, "1970-01-01 00:00:00");
  out.clear();
  AppendTimestamp(out, ParseTimestamp("2024-02-29 13:05:07.25", false));
  EXPECT_EQ(out, "2024-02-29 13:05:07.25");
  out.clear();
  AppendTimestamp(out, ParseTimestamp("1969-12-31T23:59:59.000001", false));
  EXPECT_EQ(out, "1969-12-31 23:59:59.000001");
  out.clear();
  AppendTimestamptz(out, ParseTimestamp("2024-01-01 02:00:00+02", true));
  EXPECT_EQ(out, "2024-01-01 00:00:00+00");
  out.clear();
  AppendDate(out, ParseDate("0044-03-15 BC"));
  EXPECT_EQ(out, "0044-03-15 BC");
}

TEST(TextFormatTest, BadDatesAreRejectedWithPostgresCodes) {
  try {
    ParseTimestamp("2024-13-01", false);
    FAIL();
  } catch (const Error& error) {
    EXPECT_EQ(error.Code(), "22008");
  }
  try {
    ParseTimestamp("yesterday-ish", false);
    FAIL();
  } catch (const Error& error) {
    EXPECT_EQ(error.Code(), "22007");
    EXPECT_EQ(error.Message(), "invalid input syntax for type timestamp: \"yesterday-ish\"");
  }
}

TEST(TextFormatTest, IntervalsPrintInPostgresStyle) {
  auto text = [](std::string_view input) {
    std::string out;
    AppendInterval(out, ParseInterval(input));
    return out;
  };
  EXPECT_EQ(text("1 day 2 hours"), "1 day 02:00:00");
  EXPECT_EQ(text("1 year 2 months 3 days 04:05:06"), "1 year 2 mons 3 days 04:05:06");
  EXPECT_EQ(text("5"), "00:00:05");
  EXPECT_EQ(text("0 seconds"), "00:00:00");
  EXPECT_EQ(text("-1 days"), "-1 days");
  EXPECT_EQ(text("1.5 days"), "1 day 12:00:00");
  EXPECT_EQ(text("90 minutes ago"), "-01:30:00");
}

TEST(TextFormatTest, IntegersParseWithPostgresErrors) {
  EXPECT_EQ(ParseInteger(" 42 ", TypeId::kInteger), 42);
  EXPECT_EQ(ParseInteger("-9223372036854775808", TypeId::kBigint),
            std::numeric_limits<int64_t>::min());
  try {
    ParseInteger("2147483648", TypeId::kInteger);
    FAIL();
  } catch (const Error& error) {
    EXPECT_EQ(error.Code(), "22003");
    EXPECT_EQ(error.Message(), "value \"2147483648\" is out of range for type integer");
  }
  try {
    ParseInteger("12a", TypeId::kInteger);
    FAIL();
  } catch (const Error& error) {
    EXPECT_EQ(error.Code(), "22P02");
    EXPECT_EQ(error.Message(), "invalid input syntax for type integer: \"12a\"");
  }
}

TEST(TextFormatTest, NumericsRoundToScale) {
  std::string out;
  AppendNumeric(out, ParseNumeric("3.14159", 10, 2));
  EXPECT_EQ(out, "3.14");
  out.clear();
  AppendNumeric(out, ParseNumeric("-0.005", 10, 2));
  EXPECT_EQ(out, "-0.01");
  EXPECT_THROW(ParseNumeric("1000", 4, 2), Error);
}

TEST(TextFormatTest, BooleansAcceptPostgresSpellings) {
  bool value = false;
  EXPECT_TRUE(ParseBoolean("yes", value));
  EXPECT_TRUE(value);
  EXPECT_TRUE(ParseBoolean(" OFF ", value));
  EXPECT_FALSE(value);
  EXPECT_FALSE(ParseBoolean("o", value));
  EXPECT_FALSE(ParseBoolean("maybe", value));
}

TEST(ColumnTest, AppendsAndFormatsRows) {
  Column column(DataType::Text());
  column.AppendString("a");
  column.AppendNull();
  column.AppendString("hello");
  ASSERT_EQ(column.Size(), 3u);
  EXPECT_EQ(column.GetString(0), "a");
  EXPECT_TRUE(column.IsNull(1));
  EXPECT_EQ(column.GetString(2), "hello");
  Column numbers(DataType::Bigint());
  numbers.AppendValue(Value::Bigint(7));
  std::string out;
  numbers.AppendText(0, out);
  EXPECT_EQ(out, "7");
}

TEST(ValueTest, VarcharLengthIsChecked) {
  EXPECT_EQ(Value::FromText("héllo", DataType::Varchar(5)).GetString(), "héllo");
  try {
    Value::FromText("too long", DataType::Varchar(3));
    FAIL();
  } catch (const Error& error) {
    EXPECT_EQ(error.Code(), "22001");
    EXPECT_EQ(error.Message(), "value too long for type character varying(3)");
  }
}

TEST(TextFormatTest, ExtraFloatDigitsZeroAndLessUsePrintfDigits) {
  const auto format = [](double value, bool is_float4, int32_t extra_float_digits) {
    std::string out;
    AppendFloat(out, value, is_float4, extra_float_digits);
    return out;
  };
  EXPECT_EQ(format(1.0 / 3, false, 0), "0.333333333333333");
  EXPECT_EQ(format(1.0 / 3, false, 1), "0.3333333333333333");
  EXPECT_EQ(format(1e20, false, 0), "1e+20");
  EXPECT_EQ(format(123456789012345678.0, false, 0), "1.23456789012346e+17");
  EXPECT_EQ(format(1.0 / 3, false, -15), "0.3");
  EXPECT_EQ(format(0.1f, true, 0), "0.1");
  EXPECT_EQ(format(1.0 / 3, true, 0), "0.333333");
  EXPECT_EQ(format(1e-5, false, 0), "1e-05");
  EXPECT_EQ(format(std::nan(""), false, 0), "NaN");
}

TEST(TextFormatTest, OidsReadAsOidinReadsThem) {
  EXPECT_EQ(ParseOid("4294967295"), 4294967295u);
  EXPECT_EQ(ParseOid(" -1 "), 4294967295u);
  EXPECT_EQ(ParseOid("-2147483648"), 2147483648u);
  EXPECT_THROW(ParseOid("-2147483649"), Error);
  EXPECT_THROW(ParseOid("4294967296"), Error);
  try {
    ParseOid("abc", "regclass");
    FAIL();
  } catch (const Error& error) {
    EXPECT_EQ(error.Message(), "invalid input syntax for type regclass: \"abc\"");
  }
  Column oids(DataType(TypeId::kOid));
  oids.AppendValue(Value::FromText("4294967295", DataType(TypeId::kOid)));
  std::string out;
  oids.AppendText(0, out);
  EXPECT_EQ(out, "4294967295");
}

}  // namespace
}  // namespace freshet
