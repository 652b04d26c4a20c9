// SPDX-License-Identifier: Apache-2.0
// Math functions of DOUBLE PRECISION and the integer types, with the checks and messages of
// Postgres 15's float.c and int.c. NUMERIC overloads live in numeric_functions.cc.
#include <cerrno>
#include <cmath>
#include <limits>
#include <random>
#include <utility>

#include "common/error.h"
#include "function/internal/kernel_loops.h"
#include "function/scalar_function.h"

namespace freshet::function {
namespace {

using internal::BinaryFixed;
using internal::UnaryFixed;

constexpr double kRadiansPerDegree = 0.0174532925199432957692;

[[noreturn]] void ThrowFloatOverflow() {
  throw Error(SqlState::kNumericValueOutOfRange, "value out of range: overflow");
}

[[noreturn]] void ThrowFloatUnderflow() {
  throw Error(SqlState::kNumericValueOutOfRange, "value out of range: underflow");
}

[[noreturn]] void ThrowInputOutOfRange() {
  throw Error(SqlState::kNumericValueOutOfRange, "input is out of range");
}

// check_float8_val: an infinite or zero result is an error unless the inputs explain it.
double CheckFloat(double value, bool infinity_allowed, bool zero_allowed) {
  if (std::isinf(value) && !infinity_allowed) {
    ThrowFloatOverflow();
  }
  if (value == 0.0 && !zero_allowed) {
    ThrowFloatUnderflow();
  }
  return value;
}

void CheckLogArgument(double value) {
  if (value == 0.0) {
    throw Error(SqlState::kInvalidArgumentForLogarithm, "cannot take logarithm of zero");
  }
  if (value < 0) {
    throw Error(SqlState::kInvalidArgumentForLogarithm,
                "cannot take logarithm of a negative number");
  }
}

double Sqrt(double value) {
  if (value < 0) {
    throw Error(SqlState::kInvalidArgumentForPowerFunction,
                "cannot take square root of a negative number");
  }
  return CheckFloat(std::sqrt(value), std::isinf(value), value == 0);
}

double Cbrt(double value) {
  return CheckFloat(std::cbrt(value), std::isinf(value), value == 0);
}

double Exp(double value) {
  if (std::isnan(value)) {
    return value;
  }
  if (std::isinf(value)) {
    return value > 0 ? value : 0;
  }
  errno = 0;
  const double result = std::exp(value);
  if (errno == ERANGE) {
    result != 0.0 ? ThrowFloatOverflow() : ThrowFloatUnderflow();
  }
  if (std::isinf(result)) {
    ThrowFloatOverflow();
  }
  if (result == 0.0) {
    ThrowFloatUnderflow();
  }
  return result;
}

double Ln(double value) {
  CheckLogArgument(value);
  return CheckFloat(std::log(value), std::isinf(value), value == 1);
}

double Log10(double value) {
  CheckLogArgument(value);
  return CheckFloat(std::log10(value), std::isinf(value), value == 1);
}

// dpow: POSIX's NaN and infinity rules spelled out, Postgres's error codes for the domain errors.
double Power(double x, double y) {
  if (std::isnan(x)) {
    return std::isnan(y) || y != 0.0 ? std::numeric_limits<double>::quiet_NaN() : 1.0;
  }
  if (std::isnan(y)) {
    return x != 1.0 ? std::numeric_limits<double>::quiet_NaN() : 1.0;
  }
  if (x == 0 && y < 0) {
    throw Error(SqlState::kInvalidArgumentForPowerFunction,
                "zero raised to a negative power is undefined");
  }
  if (x < 0 && std::floor(y) != y) {
    throw Error(SqlState::kInvalidArgumentForPowerFunction,
                "a negative number raised to a non-integer power yields a complex result");
  }
  if (std::isinf(y)) {
    const double absolute = std::fabs(x);
    if (absolute == 1.0) {
      return 1.0;
    }
    if (y > 0) {
      return absolute > 1.0 ? y : 0.0;
    }
    return absolute > 1.0 ? 0.0 : -y;
  }
  if (std::isinf(x)) {
    if (y == 0.0) {
      return 1.0;
    }
    if (x > 0) {
      return y > 0 ? x : 0.0;
    }
    const double half = y / 2;
    const bool odd_integer = std::floor(half) != half;
    if (y > 0) {
      return odd_integer ? x : -x;
    }
    return odd_integer ? -0.0 : 0.0;
  }
  errno = 0;
  const double result = std::pow(x, y);
  if (errno == EDOM || std::isnan(result)) {
    if (x == 0.0) {
      return 0.0;
    }
    const double absolute = std::fabs(x);
    if (absolute == 1.0) {
      return 1.0;
    }
    (y >= 0.0 ? absolute > 1.0 : absolute < 1.0) ? ThrowFloatOverflow() : ThrowFloatUnderflow();
  }
  if (errno == ERANGE) {
    result != 0.0 ? ThrowFloatOverflow() : ThrowFloatUnderflow();
  }
  if (std::isinf(result)) {
    ThrowFloatOverflow();
  }
  if (result == 0.0 && x != 0.0) {
    ThrowFloatUnderflow();
  }
  return result;
}

double Round(double value) {
  return std::rint(value);
}

double Truncate(double value) {
  return value >= 0 ? std::floor(value) : -std::floor(-value);
}

double Ceil(double value) {
  return std::ceil(value);
}

double Floor(double value) {
  return std::floor(value);
}

double Sign(double value) {
  return value > 0 ? 1.0 : (value < 0 ? -1.0 : 0.0);
}

double Degrees(double value) {
  const double result = value / kRadiansPerDegree;
  if (std::isinf(result) && !std::isinf(value)) {
    ThrowFloatOverflow();
  }
  if (result == 0.0 && value != 0.0) {
    ThrowFloatUnderflow();
  }
  return result;
}

double Radians(double value) {
  const double result = value * kRadiansPerDegree;
  if (std::isinf(result) && !std::isinf(value)) {
    ThrowFloatOverflow();
  }
  if (result == 0.0 && value != 0.0) {
    ThrowFloatUnderflow();
  }
  return result;
}

// sin, cos and tan fail for infinite input; the result is never infinite.
template <double (*Op)(double)>
double Periodic(double value) {
  if (std::isnan(value)) {
    return value;
  }
  errno = 0;
  const double result = Op(value);
  if (errno != 0 || std::isinf(value)) {
    ThrowInputOutOfRange();
  }
  if (std::isinf(result)) {
    ThrowFloatOverflow();
  }
  return result;
}

double Sin(double value) {
  return Periodic<static_cast<double (*)(double)>(std::sin)>(value);
}

double Cos(double value) {
  return Periodic<static_cast<double (*)(double)>(std::cos)>(value);
}

double Tan(double value) {
  return Periodic<static_cast<double (*)(double)>(std::tan)>(value);
}

double Cot(double value) {
  // cot(0) is Infinity, not an overflow.
  return 1.0 / Periodic<static_cast<double (*)(double)>(std::tan)>(value);
}

template <double (*Op)(double)>
double Inverse(double value) {
  if (std::isnan(value)) {
    return value;
  }
  if (value < -1.0 || value > 1.0) {
    ThrowInputOutOfRange();
  }
  const double result = Op(value);
  if (std::isinf(result)) {
    ThrowFloatOverflow();
  }
  return result;
}

double Asin(double value) {
  return Inverse<static_cast<double (*)(double)>(std::asin)>(value);
}

double Acos(double value) {
  return Inverse<static_cast<double (*)(double)>(std::acos)>(value);
}

double Atan(double value) {
  if (std::isnan(value)) {
    return value;
  }
  return CheckFloat(std::atan(value), false, true);
}

double Atan2(double y, double x) {
  if (std::isnan(y) || std::isnan(x)) {
    return std::numeric_limits<double>::quiet_NaN();
  }
  return CheckFloat(std::atan2(y, x), false, true);
}

double Sinh(double value) {
  errno = 0;
  double result = std::sinh(value);
  if (errno == ERANGE) {
    result = value < 0 ? -std::numeric_limits<double>::infinity()
                       : std::numeric_limits<double>::infinity();
  }
  return result;
}

double Cosh(double value) {
  errno = 0;
  double result = std::cosh(value);
  if (errno == ERANGE) {
    result = std::numeric_limits<double>::infinity();
  }
  return CheckFloat(result, true, false);
}

double Tanh(double value) {
  return CheckFloat(std::tanh(value), false, true);
}

double Asinh(double value) {
  return std::asinh(value);
}

double Acosh(double value) {
  if (value < 1.0) {
    ThrowInputOutOfRange();
  }
  return std::acosh(value);
}

double Atanh(double value) {
  if (value < -1.0 || value > 1.0) {
    ThrowInputOutOfRange();
  }
  if (value == -1.0) {
    return -std::numeric_limits<double>::infinity();
  }
  if (value == 1.0) {
    return std::numeric_limits<double>::infinity();
  }
  return std::atanh(value);
}

template <double (*Op)(double)>
void UnaryDouble(const EvaluationContext& context,
                 std::span<const Column* const> arguments,
                 size_t rows,
                 Column& out) {
  UnaryFixed<double, double>(arguments, rows, out, Op);
}

template <double (*Op)(double, double)>
void BinaryDouble(const EvaluationContext& context,
                  std::span<const Column* const> arguments,
                  size_t rows,
                  Column& out) {
  BinaryFixed<double, double>(arguments, rows, out, Op);
}

void Pi(const EvaluationContext& context,
        std::span<const Column* const> arguments,
        size_t rows,
        Column& out) {
  out.ResizeFixed(rows);
  double* result = out.MutableData<double>();
  for (size_t i = 0; i < rows; ++i) {
    result[i] = 3.14159265358979323846;
  }
}

// One generator per thread: random() needs no lock and never repeats across connections.
std::mt19937_64& Generator() {
  thread_local std::mt19937_64 generator{std::random_device{}()};
  return generator;
}

void Random(const EvaluationContext& context,
            std::span<const Column* const> arguments,
            size_t rows,
            Column& out) {
  out.ResizeFixed(rows);
  double* result = out.MutableData<double>();
  std::mt19937_64& generator = Generator();
  for (size_t i = 0; i < rows; ++i) {
    // 52 random bits give every double of [0, 1) on the 2^-52 grid, as pg_prng_double does.
    result[i] = static_cast<double>(generator() >> 12) * 0x1.0p-52;
  }
}

[[noreturn]] void ThrowWidthBucket(const char* message) {
  throw Error(SqlState::kInvalidArgumentForWidthBucketFunction, message);
}

// width_bucket_float8 of Postgres 15.
int32_t WidthBucket(double operand, double low, double high, int32_t count) {
  if (count <= 0) {
    ThrowWidthBucket("count must be greater than zero");
  }
  if (std::isnan(operand) || std::isnan(low) || std::isnan(high)) {
    ThrowWidthBucket("operand, lower bound, and upper bound cannot be NaN");
  }
  if (std::isinf(low) || std::isinf(high)) {
    ThrowWidthBucket("lower and upper bounds must be finite");
  }
  auto after_last = [count]() {
    if (count == std::numeric_limits<int32_t>::max()) {
      throw Error(SqlState::kNumericValueOutOfRange, "integer out of range");
    }
    return count + 1;
  };
  if (low < high) {
    if (operand < low) {
      return 0;
    }
    if (operand >= high) {
      return after_last();
    }
    return static_cast<int32_t>(static_cast<double>(count) * (operand - low) / (high - low)) + 1;
  }
  if (low > high) {
    if (operand > low) {
      return 0;
    }
    if (operand <= high) {
      return after_last();
    }
    return static_cast<int32_t>(static_cast<double>(count) * (low - operand) / (low - high)) + 1;
  }
  ThrowWidthBucket("lower bound cannot equal upper bound");
}

void WidthBucketKernel(const EvaluationContext& context,
                       std::span<const Column* const> arguments,
                       size_t rows,
                       Column& out) {
  out.ResizeFixed(rows);
  const double* operand = arguments[0]->Data<double>();
  const double* low = arguments[1]->Data<double>();
  const double* high = arguments[2]->Data<double>();
  const int32_t* count = arguments[3]->Data<int32_t>();
  int32_t* result = out.MutableData<int32_t>();
  uint8_t* result_nulls = out.MutableNulls();
  for (size_t i = 0; i < rows; ++i) {
    bool is_null = false;
    for (const Column* argument : arguments) {
      is_null = is_null || argument->IsNull(i);
    }
    result_nulls[i] = is_null ? 1 : 0;
    if (!is_null) {
      result[i] = WidthBucket(operand[i], low[i], high[i], count[i]);
    }
  }
}

template <typename T>
constexpr const char* OutOfRangeMessage() {
  return sizeof(T) == 4 ? "integer out of range" : "bigint out of range";
}

// int4gcd_internal / int8gcd_internal: Euclid in negative space, so the minimum value works.
template <typename T>
T GreatestCommonDivisor(T a, T b) {
  constexpr T kMin = std::numeric_limits<T>::min();
  // Put the greater absolute value first.
  if ((a < 0 ? a : static_cast<T>(-a)) > (b < 0 ? b : static_cast<T>(-b))) {
    std::swap(a, b);
  }
  if (a == kMin) {
    if (b == 0 || b == kMin) {
      throw Error(SqlState::kNumericValueOutOfRange, OutOfRangeMessage<T>());
    }
    // kMin % -1 traps on some machines; gcd(kMin, -1) is 1.
    if (b == -1) {
      return 1;
    }
  }
  while (b != 0) {
    const T rest = static_cast<T>(a % b);
    a = b;
    b = rest;
  }
  return a < 0 ? static_cast<T>(-a) : a;
}

template <typename T>
T LeastCommonMultiple(T a, T b) {
  if (a == 0 || b == 0) {
    return 0;
  }
  const T gcd = GreatestCommonDivisor(a, b);
  T result = 0;
  if (__builtin_mul_overflow(static_cast<T>(a / gcd), b, &result) ||
      result == std::numeric_limits<T>::min()) {
    throw Error(SqlState::kNumericValueOutOfRange, OutOfRangeMessage<T>());
  }
  return result < 0 ? static_cast<T>(-result) : result;
}

template <typename T, T (*Op)(T, T)>
void BinaryInteger(const EvaluationContext& context,
                   std::span<const Column* const> arguments,
                   size_t rows,
                   Column& out) {
  BinaryFixed<T, T>(arguments, rows, out, Op);
}

}  // namespace

void RegisterMathFunctions(std::vector<ScalarFunction>& functions) {
  const TypeId d = TypeId::kDouble;
  const DataType result = DataType::Double();
  struct Unary {
    std::string_view name;
    ScalarKernel kernel;
  };
  for (const Unary& unary : {
           Unary{"sqrt", UnaryDouble<Sqrt>},       Unary{"|/", UnaryDouble<Sqrt>},
           Unary{"cbrt", UnaryDouble<Cbrt>},       Unary{"||/", UnaryDouble<Cbrt>},
           Unary{"exp", UnaryDouble<Exp>},         Unary{"ln", UnaryDouble<Ln>},
           Unary{"log", UnaryDouble<Log10>},       Unary{"log10", UnaryDouble<Log10>},
           Unary{"round", UnaryDouble<Round>},     Unary{"trunc", UnaryDouble<Truncate>},
           Unary{"ceil", UnaryDouble<Ceil>},       Unary{"ceiling", UnaryDouble<Ceil>},
           Unary{"floor", UnaryDouble<Floor>},     Unary{"sign", UnaryDouble<Sign>},
           Unary{"degrees", UnaryDouble<Degrees>}, Unary{"radians", UnaryDouble<Radians>},
           Unary{"sin", UnaryDouble<Sin>},         Unary{"cos", UnaryDouble<Cos>},
           Unary{"tan", UnaryDouble<Tan>},         Unary{"cot", UnaryDouble<Cot>},
           Unary{"asin", UnaryDouble<Asin>},       Unary{"acos", UnaryDouble<Acos>},
           Unary{"atan", UnaryDouble<Atan>},       Unary{"sinh", UnaryDouble<Sinh>},
           Unary{"cosh", UnaryDouble<Cosh>},       Unary{"tanh", UnaryDouble<Tanh>},
           Unary{"asinh", UnaryDouble<Asinh>},     Unary{"acosh", UnaryDouble<Acosh>},
           Unary{"atanh", UnaryDouble<Atanh>},
       }) {
    functions.push_back({unary.name, {d}, result, unary.kernel});
  }
  functions.push_back({"power", {d, d}, result, BinaryDouble<Power>});
  functions.push_back({"pow", {d, d}, result, BinaryDouble<Power>});
  functions.push_back({"^", {d, d}, result, BinaryDouble<Power>});
  functions.push_back({"atan2", {d, d}, result, BinaryDouble<Atan2>});
  functions.push_back({"pi", {}, result, Pi});
  functions.push_back({"random", {}, result, Random, Volatility::kVolatile});
  functions.push_back(
      {"width_bucket", {d, d, d, TypeId::kInteger}, DataType::Integer(), WidthBucketKernel});
  functions.push_back({"gcd",
                       {TypeId::kInteger, TypeId::kInteger},
                       DataType::Integer(),
                       BinaryInteger<int32_t, GreatestCommonDivisor<int32_t>>});
  functions.push_back({"gcd",
                       {TypeId::kBigint, TypeId::kBigint},
                       DataType::Bigint(),
                       BinaryInteger<int64_t, GreatestCommonDivisor<int64_t>>});
  functions.push_back({"lcm",
                       {TypeId::kInteger, TypeId::kInteger},
                       DataType::Integer(),
                       BinaryInteger<int32_t, LeastCommonMultiple<int32_t>>});
  functions.push_back({"lcm",
                       {TypeId::kBigint, TypeId::kBigint},
                       DataType::Bigint(),
                       BinaryInteger<int64_t, LeastCommonMultiple<int64_t>>});
}

}  // namespace freshet::function
