// SPDX-License-Identifier: Apache-2.0
#include "common/numeric.h"

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/error.h"

// Every expected string below was printed by PostgreSQL 15 for the same expression.
namespace freshet::numeric {
namespace {

struct UnaryCase {
  const char* input;
  const char* expected;
};

struct BinaryCase {
  const char* left;
  const char* right;
  const char* expected;
};

std::string Text(__int128 value) {
  return ToString(value);
}

__int128 N(const char* text) {
  return Parse(text);
}

// The SQLSTATE and message of the Error `body` throws.
template <typename Body>
std::string ErrorOf(Body body) {
  try {
    body();
  } catch (const Error& error) {
    return std::string(error.Code()) + " " + error.Message();
  }
  return "no error";
}

TEST(NumericTest, PackKeepsValueAndScale) {
  const __int128 value = Pack(-150, 2);
  EXPECT_EQ(Unscaled(value), -150);
  EXPECT_EQ(Scale(value), 2);
  EXPECT_EQ(Text(value), "-1.50");
  EXPECT_EQ(Text(Pack(0, 3)), "0.000");
  EXPECT_EQ(Text(Pack(5, 0)), "5");
  EXPECT_EQ(ErrorOf([] { Pack(1, 256); }), "22003 value overflows numeric format");
  EXPECT_EQ(ErrorOf([] { Pack(Unscaled(N("99999999999999999999999999999999999")) + 1, 0); }),
            "22003 value overflows numeric format");
}

TEST(NumericTest, ParsesLikeNumericIn) {
  const std::vector<UnaryCase> cases = {
      {"1.50", "1.50"},  {"  12.5  ", "12.5"},        {"+.5", "0.5"},
      {"5.", "5"},       {"-0.00", "0.00"},           {"0e10", "0"},
      {"1e5", "100000"}, {"1.5e3", "1500"},           {"1.5e-3", "0.0015"},
      {"1E+2", "100"},   {"000123.4500", "123.4500"}, {"-1.25e1", "-12.5"},
      {"1e-3", "0.001"},
  };
  for (const UnaryCase& test : cases) {
    EXPECT_EQ(Text(Parse(test.input)), test.expected) << test.input;
  }
  for (const char* bad : {"", " ", "abc", "1.2.3", ".", "-", "1e", "1e+", "1 2", "1x", "e5"}) {
    EXPECT_EQ(ErrorOf([&] { Parse(bad); }),
              std::string("22P02 invalid input syntax for type numeric: \"") + bad + "\"")
        << bad;
  }
  EXPECT_EQ(ErrorOf([] { Parse("1e1001"); }), "22003 value overflows numeric format");
  EXPECT_EQ(Text(Parse(" NaN ")), "NaN");
  EXPECT_EQ(Text(Parse("-Infinity")), "-Infinity");
  EXPECT_EQ(Text(Parse("+inf")), "Infinity");
  EXPECT_EQ(ErrorOf([] { Parse("nanx"); }),
            "22P02 invalid input syntax for type numeric: \"nanx\"");
}

TEST(NumericTest, NaNAndInfinitiesFollowPostgres) {
  const __int128 nan = kNaN;
  const __int128 inf = kPositiveInfinity;
  const __int128 minus_inf = kNegativeInfinity;
  EXPECT_EQ(Text(Add(nan, N("1"))), "NaN");
  EXPECT_EQ(Text(Add(inf, minus_inf)), "NaN");
  EXPECT_EQ(Text(Subtract(inf, inf)), "NaN");
  EXPECT_EQ(Text(Subtract(N("1"), inf)), "-Infinity");
  EXPECT_EQ(Text(Multiply(inf, N("0"))), "NaN");
  EXPECT_EQ(Text(Multiply(inf, N("-2"))), "-Infinity");
  EXPECT_EQ(Text(Divide(N("1"), inf)), "0");
  EXPECT_EQ(Text(Divide(inf, N("-3"))), "-Infinity");
  EXPECT_EQ(Text(Divide(nan, N("0"))), "NaN");
  EXPECT_EQ(ErrorOf([&] { Divide(inf, N("0")); }), "22012 division by zero");
  EXPECT_EQ(Text(Modulo(N("-5.50"), minus_inf)), "-5.50");
  EXPECT_EQ(Text(Modulo(inf, N("2"))), "NaN");
  EXPECT_EQ(Text(DivideTruncate(inf, N("2"))), "Infinity");
  EXPECT_EQ(Text(Abs(minus_inf)), "Infinity");
  EXPECT_EQ(Text(Negate(inf)), "-Infinity");
  EXPECT_EQ(Text(Round(inf, 2)), "Infinity");
  EXPECT_EQ(Text(Sqrt(inf)), "Infinity");
  EXPECT_EQ(Text(Exp(minus_inf)), "0");
  EXPECT_EQ(Text(Ln(inf)), "Infinity");
  EXPECT_EQ(Text(Log(inf, N("10"))), "0");
  EXPECT_EQ(Text(Log(inf, inf)), "NaN");
  EXPECT_EQ(ErrorOf([&] { Ln(minus_inf); }), "2201E cannot take logarithm of a negative number");
  EXPECT_EQ(Text(Power(nan, N("0"))), "1");
  EXPECT_EQ(Text(Power(N("1.0"), nan)), "1");
  EXPECT_EQ(Text(Power(N("0.5"), inf)), "0");
  EXPECT_EQ(Text(Power(N("0.5"), minus_inf)), "Infinity");
  EXPECT_EQ(Text(Power(minus_inf, N("3"))), "-Infinity");
  EXPECT_EQ(Text(Power(minus_inf, N("-3"))), "0");
  EXPECT_EQ(ErrorOf([&] { Power(N("0"), minus_inf); }),
            "2201F zero raised to a negative power is undefined");
  EXPECT_EQ(ErrorOf([&] { Power(minus_inf, N("2.5")); }),
            "2201F a negative number raised to a non-integer power yields a complex result");
  // NaN equals NaN and sorts above Infinity.
  EXPECT_EQ(Compare(nan, nan), 0);
  EXPECT_EQ(Compare(nan, inf), 1);
  EXPECT_EQ(Compare(inf, N("99999999999999999999999999999999999")), 1);
  EXPECT_EQ(Compare(minus_inf, N("-99999999999999999999999999999999999")), -1);
  EXPECT_EQ(Text(ApplyTypmod(nan, 5, 2)), "NaN");
  try {
    ApplyTypmod(inf, 5, 2);
    FAIL() << "no error";
  } catch (const Error& error) {
    EXPECT_EQ(error.Detail(), "A field with precision 5, scale 2 cannot hold an infinite value.");
  }
  EXPECT_TRUE(std::isnan(ToDouble(nan)));
  EXPECT_EQ(ToDouble(minus_inf), -std::numeric_limits<double>::infinity());
  EXPECT_EQ(FromDouble(std::numeric_limits<double>::infinity()), inf);
  EXPECT_TRUE(IsNaN(FromDouble(std::nan(""))));
}

TEST(NumericTest, TypmodRoundsAndChecksPrecision) {
  EXPECT_EQ(Text(Parse("123.456", 5, 2)), "123.46");
  EXPECT_EQ(Text(Parse("-0.005", 10, 2)), "-0.01");
  EXPECT_EQ(Text(Parse("7", 10, 2)), "7.00");
  EXPECT_EQ(Text(Parse("0.001", 3, 5)), "0.00100");
  EXPECT_EQ(Text(Parse("123.5", 3, -1)), "120");
  EXPECT_EQ(Text(Parse("12345", 3, -2)), "12300");
  EXPECT_EQ(Text(ApplyTypmod(N("99.995"), 5, 2)), "100.00");
  try {
    Parse("12345.678", 5, 2);
    FAIL() << "no error";
  } catch (const Error& error) {
    EXPECT_EQ(error.Code(), "22003");
    EXPECT_EQ(error.Message(), "numeric field overflow");
    EXPECT_EQ(error.Detail(),
              "A field with precision 5, scale 2 must round to an absolute value less than 10^3.");
  }
  try {
    ApplyTypmod(N("1"), 2, 2);
    FAIL() << "no error";
  } catch (const Error& error) {
    EXPECT_EQ(error.Detail(),
              "A field with precision 2, scale 2 must round to an absolute value less than 1.");
  }
  try {
    ApplyTypmod(N("0.01"), 3, 5);
    FAIL() << "no error";
  } catch (const Error& error) {
    EXPECT_EQ(error.Detail(),
              "A field with precision 3, scale 5 must round to an absolute value less than 10^-2.");
  }
  EXPECT_EQ(Text(ApplyTypmod(N("1.5"), -1, 0)), "1.5");
}

TEST(NumericTest, AddSubtractMultiplyKeepPostgresScales) {
  EXPECT_EQ(Text(Add(N("1.50"), N("2.5"))), "4.00");
  EXPECT_EQ(Text(Subtract(N("1.5"), N("1.50"))), "0.00");
  EXPECT_EQ(Text(Multiply(N("1.50"), N("2.500"))), "3.75000");
  EXPECT_EQ(Text(Add(N("-0.001"), N("1000"))), "999.999");
  EXPECT_EQ(Text(Multiply(N("-3"), N("0.5"))), "-1.5");
  EXPECT_EQ(ErrorOf([] { Multiply(N("12345678901234567890"), N("12345678901234567890")); }),
            "22003 value overflows numeric format");
  EXPECT_EQ(ErrorOf([] { Add(N("99999999999999999999999999999999999"), N("1")); }),
            "22003 value overflows numeric format");
}

TEST(NumericTest, DivisionFollowsSelectDivScale) {
  const std::vector<BinaryCase> cases = {
      {"1", "3", "0.33333333333333333333"},
      {"10", "3", "3.3333333333333333"},
      {"2", "3", "0.66666666666666666667"},
      {"1", "7", "0.14285714285714285714"},
      {"100000", "3", "33333.333333333333"},
      {"1", "30000", "0.000033333333333333333333"},
      {"1.0", "3.00", "0.33333333333333333333"},
      {"12345678901234567890", "7", "1763668414462081127"},
      {"0.0001", "3", "0.000033333333333333333333"},
      {"2", "2", "1.00000000000000000000"},
      {"0", "5", "0.00000000000000000000"},
      {"5.5", "0.1", "55.0000000000000000"},
      {"9999", "10000", "0.99990000000000000000"},
      {"10000", "9999", "1.0001000100010001"},
      {"1", "1e20", "0.0000000000000000000100000000000000000000"},
      {"-7", "2", "-3.5000000000000000"},
      {"7", "-2", "-3.5000000000000000"},
      {"-1", "3", "-0.33333333333333333333"},
      {"1", "9999", "0.00010001000100010001"},
      {"1", "10000", "0.000100000000000000000000"},
      {"1", "10001", "0.000099990000999900009999"},
      {"123.456", "7.8", "15.8276923076923077"},
      {"0.000001", "0.003", "0.00033333333333333333"},
      {"1e-20", "3", "0.0000000000000000000033333333333333333333"},
      {"22", "7", "3.1428571428571429"},
      {"355", "113", "3.1415929203539823"},
      {"1", "0.3333333333333333", "3.0000000000000003"},
      {"99999999999999999999999999999999", "3", "33333333333333333333333333333333"},
      {"5", "2", "2.5000000000000000"},
      {"-5", "2", "-2.5000000000000000"},
      {"0.5", "2", "0.25000000000000000000"},
      {"1.5", "3", "0.50000000000000000000"},
      {"2.5", "0.5", "5.0000000000000000"},
      {"1", "4", "0.25000000000000000000"},
      {"1", "8", "0.12500000000000000000"},
      {"1", "16", "0.06250000000000000000"},
      {"3.14159", "2.71828", "1.1557271509925394"},
      {"1000000", "0.001", "1000000000.00000000"},
      {"0.1", "0.7", "0.14285714285714285714"},
      {"123456789.123456789", "0.000123", "1003713732711.030804878"},
      {"7", "7.000", "1.00000000000000000000"},
      {"1", "1.00000000000000000000", "1.00000000000000000000"},
      {"10", "4", "2.5000000000000000"},
      {"1.23456789012345678901", "3", "0.41152263004115226300"},
      {"4", "0.25", "16.0000000000000000"},
      {"-0.000001", "7", "-0.000000142857142857142857"},
      {"50", "0.00002", "2500000.000000000000"},
      {"99", "100", "0.99000000000000000000"},
      {"101", "100", "1.0100000000000000"},
      {"1", "99999999", "0.000000010000000100000001"},
  };
  for (const BinaryCase& test : cases) {
    EXPECT_EQ(Text(Divide(N(test.left), N(test.right))), test.expected)
        << test.left << " / " << test.right;
  }
  EXPECT_EQ(ErrorOf([] { Divide(N("1"), N("0.00")); }), "22012 division by zero");
  EXPECT_EQ(ErrorOf([] { Divide(N("1e30"), N("1e-10")); }), "22003 value overflows numeric format");
}

TEST(NumericTest, ModuloAndDivTruncate) {
  EXPECT_EQ(Text(Modulo(N("1.5"), N("0.4"))), "0.3");
  EXPECT_EQ(Text(Modulo(N("-7.5"), N("2"))), "-1.5");
  EXPECT_EQ(Text(Modulo(N("7"), N("-3.0"))), "1.0");
  EXPECT_EQ(Text(Modulo(N("10.25"), N("3"))), "1.25");
  EXPECT_EQ(Text(Modulo(N("1"), N("0.0000000000000000000000000000003"))),
            "0.0000000000000000000000000000001");
  EXPECT_EQ(Text(DivideTruncate(N("7.5"), N("2"))), "3");
  EXPECT_EQ(Text(DivideTruncate(N("-7.5"), N("2"))), "-3");
  EXPECT_EQ(Text(DivideTruncate(N("1"), N("0.003"))), "333");
  EXPECT_EQ(ErrorOf([] { Modulo(N("1.5"), N("0")); }), "22012 division by zero");
  EXPECT_EQ(ErrorOf([] { DivideTruncate(N("1.5"), N("0")); }), "22012 division by zero");
}

TEST(NumericTest, RoundsHalfAwayFromZero) {
  EXPECT_EQ(Text(Round(N("2.5"), 0)), "3");
  EXPECT_EQ(Text(Round(N("-2.5"), 0)), "-3");
  EXPECT_EQ(Text(Round(N("1.5"), 3)), "1.500");
  EXPECT_EQ(Text(Round(N("1234.5678"), 2)), "1234.57");
  EXPECT_EQ(Text(Round(N("1234.5678"), -2)), "1200");
  EXPECT_EQ(Text(Round(N("-1250"), -2)), "-1300");
  EXPECT_EQ(Text(Round(N("0.0049"), 2)), "0.00");
  EXPECT_EQ(Text(Round(N("49"), -2)), "0");
  EXPECT_EQ(Text(Truncate(N("-2.99"), 1)), "-2.9");
  EXPECT_EQ(Text(Truncate(N("1299"), -2)), "1200");
  EXPECT_EQ(Text(Ceil(N("1.1"))), "2");
  EXPECT_EQ(Text(Ceil(N("-1.9"))), "-1");
  EXPECT_EQ(Text(Floor(N("-1.1"))), "-2");
  EXPECT_EQ(Text(Floor(N("1.9"))), "1");
  EXPECT_EQ(Text(Floor(N("5.000"))), "5");
}

TEST(NumericTest, ComparesAcrossScales) {
  EXPECT_EQ(Compare(N("1.0"), N("1.00")), 0);
  EXPECT_EQ(Compare(N("2"), N("0.5")), 1);
  EXPECT_EQ(Compare(N("-2"), N("-0.5")), -1);
  EXPECT_EQ(Compare(N("0"), N("0.000")), 0);
  EXPECT_EQ(Compare(N("1e-255"), N("0")), 1);
  EXPECT_EQ(Compare(N("99999999999999999999999999999999999"), N("1e-200")), 1);
  EXPECT_EQ(Compare(N("-99999999999999999999999999999999999"), N("-1e-200")), -1);
  EXPECT_EQ(Text(Normalize(N("1.500"))), "1.5");
  EXPECT_EQ(Normalize(N("1.500")), Normalize(N("1.5")));
  EXPECT_EQ(Normalize(N("0.00")), Normalize(N("0")));
  EXPECT_EQ(Text(Normalize(N("100"))), "100");
}

TEST(NumericTest, ConvertsIntegersAndDoublesLikePostgres) {
  int64_t value = 0;
  EXPECT_TRUE(ToInteger(N("2.5"), INT32_MIN, INT32_MAX, value));
  EXPECT_EQ(value, 3);
  EXPECT_TRUE(ToInteger(N("-0.5"), INT32_MIN, INT32_MAX, value));
  EXPECT_EQ(value, -1);
  EXPECT_FALSE(ToInteger(N("99999999999"), INT32_MIN, INT32_MAX, value));
  EXPECT_EQ(Text(FromInteger(INT64_MIN)), "-9223372036854775808");
  // float8_numeric prints 15 significant digits, float4_numeric 6.
  EXPECT_EQ(Text(FromDouble(0.1 + 0.2)), "0.3");
  EXPECT_EQ(Text(FromDouble(1e-7)), "0.0000001");
  EXPECT_EQ(Text(FromDouble(123456789.123456789)), "123456789.123457");
  EXPECT_EQ(Text(FromDouble(1e20)), "100000000000000000000");
  EXPECT_EQ(Text(FromDouble(0.1f, true)), "0.1");
  EXPECT_EQ(ErrorOf([] { FromDouble(1.5e300); }), "22003 value overflows numeric format");
  EXPECT_EQ(ToDouble(N("1.5")), 1.5);
  EXPECT_EQ(ToDouble(N("0.1")), 0.1);
  EXPECT_EQ(ToDouble(N("12345678901234567890.123")), 1.2345678901234567e19);
  EXPECT_EQ(ToFloat(N("0.1")), 0.1f);
}

TEST(NumericTest, SqrtHasSixteenSignificantDigits) {
  const std::vector<UnaryCase> cases = {
      {"2", "1.414213562373095"},
      {"0", "0.000000000000000"},
      {"0.0001", "0.01000000000000000"},
      {"1e-30", "0.0000000000000010000000000000000"},
      {"100", "10.000000000000000"},
      {"1.21", "1.100000000000000"},
      {"12345678901234567890", "3513641828.8201443"},
      {"0.5", "0.70710678118654752"},
      {"5", "2.236067977499790"},
      {"1000000.000000", "1000.0000000000000"},
  };
  for (const UnaryCase& test : cases) {
    EXPECT_EQ(Text(Sqrt(N(test.input))), test.expected) << test.input;
  }
  EXPECT_EQ(ErrorOf([] { Sqrt(N("-1")); }), "2201F cannot take square root of a negative number");
}

TEST(NumericTest, ExpAndLn) {
  const std::vector<UnaryCase> exp_cases = {
      {"0", "1.0000000000000000"},
      {"1", "2.7182818284590452"},
      {"-1", "0.3678794411714423"},
      {"10", "22026.465794806717"},
      {"0.5", "1.6487212707001281"},
      {"-10", "0.00004539992976248485"},
      {"2.302585092994046", "10.000000000000003"},
      {"50", "5184705528587072464087"},
      {"1.000000000000000000000", "2.718281828459045235360"},
      {"-30", "0.00000000000009357622968840175"},
  };
  for (const UnaryCase& test : exp_cases) {
    EXPECT_EQ(Text(Exp(N(test.input))), test.expected) << test.input;
  }
  EXPECT_EQ(ErrorOf([] { Exp(N("100")); }), "22003 value overflows numeric format");
  const std::vector<UnaryCase> ln_cases = {
      {"2", "0.6931471805599453"},
      {"10", "2.3025850929940457"},
      {"0.5", "-0.6931471805599453"},
      {"1", "0.0000000000000000"},
      {"1.0001", "0.00009999500033330834"},
      {"0.9999", "-0.00010000500033335834"},
      {"1e-20", "-46.05170185988091368036"},
      {"12345678901234567890", "43.959837789202521"},
      {"2.718281828459045", "0.9999999999999999"},
      {"100", "4.6051701859880914"},
  };
  for (const UnaryCase& test : ln_cases) {
    EXPECT_EQ(Text(Ln(N(test.input))), test.expected) << test.input;
  }
  EXPECT_EQ(ErrorOf([] { Ln(N("0")); }), "2201E cannot take logarithm of zero");
  EXPECT_EQ(ErrorOf([] { Ln(N("-1")); }), "2201E cannot take logarithm of a negative number");
}

TEST(NumericTest, PowerAndLog) {
  const std::vector<BinaryCase> power_cases = {
      {"2", "10", "1024.0000000000000000"},
      {"2", "-2", "0.2500000000000000"},
      {"2", "0.5", "1.4142135623730950"},
      {"0", "0", "1.0000000000000000"},
      {"1.5", "2", "2.2500000000000000"},
      {"-2", "3", "-8.0000000000000000"},
      {"10", "18", "1000000000000000000.0000000000000000"},
      {"0.5", "20", "0.0000009536743164"},
      {"4", "0.5", "2.0000000000000000"},
      {"2.5", "3.75", "31.065262842462917"},
      {"100", "1.5", "1000.0000000000000"},
      {"9", "-0.5", "0.3333333333333333"},
      {"1.0001", "10000", "2.7181459268252249"},
      {"-8", "-3", "-0.0019531250000000"},
  };
  for (const BinaryCase& test : power_cases) {
    EXPECT_EQ(Text(Power(N(test.left), N(test.right))), test.expected)
        << test.left << " ^ " << test.right;
  }
  EXPECT_EQ(ErrorOf([] { Power(N("0"), N("-1")); }),
            "2201F zero raised to a negative power is undefined");
  EXPECT_EQ(ErrorOf([] { Power(N("-2"), N("0.5")); }),
            "2201F a negative number raised to a non-integer power yields a complex result");
  EXPECT_EQ(ErrorOf([] { Power(N("10"), N("40")); }), "22003 value overflows numeric format");
  const std::vector<BinaryCase> log_cases = {
      {"2", "8", "3.0000000000000000"},       {"10", "100", "2.0000000000000000"},
      {"10", "1000.0", "3.0000000000000000"}, {"3", "10", "2.0959032742893846"},
      {"0.5", "8", "-3.0000000000000000"},    {"100", "10", "0.5000000000000000"},
  };
  for (const BinaryCase& test : log_cases) {
    EXPECT_EQ(Text(Log(N(test.left), N(test.right))), test.expected)
        << "log(" << test.left << ", " << test.right << ")";
  }
  EXPECT_EQ(ErrorOf([] { Log(N("1"), N("10")); }), "22012 division by zero");
  EXPECT_EQ(ErrorOf([] { Log(N("0"), N("10")); }), "2201E cannot take logarithm of zero");
  EXPECT_EQ(ErrorOf([] { Log(N("2"), N("-1")); }),
            "2201E cannot take logarithm of a negative number");
}

}  // namespace
}  // namespace freshet::numeric
