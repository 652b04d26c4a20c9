// SPDX-License-Identifier: Apache-2.0
// NUMERIC operators and functions. The value arithmetic lives in common/numeric.h; these kernels
// only walk the columns. Every value carries its own scale, so an argument of type NUMERIC(p,s)
// needs no conversion and results are unconstrained NUMERIC, as in Postgres.
#include <limits>

#include "common/error.h"
#include "common/numeric.h"
#include "function/internal/kernel_loops.h"
#include "function/scalar_function.h"

namespace freshet::function {
namespace {

using internal::BinaryFixed;
using internal::UnaryFixed;

template <__int128 (*Op)(__int128, __int128)>
void Binary(const EvaluationContext& context,
            std::span<const Column* const> arguments,
            size_t rows,
            Column& out) {
  BinaryFixed<__int128, __int128>(arguments, rows, out, Op);
}

template <__int128 (*Op)(__int128)>
void Unary(const EvaluationContext& context,
           std::span<const Column* const> arguments,
           size_t rows,
           Column& out) {
  UnaryFixed<__int128, __int128>(arguments, rows, out, Op);
}

__int128 Identity(__int128 value) {
  return value;
}

__int128 SignOf(__int128 value) {
  return numeric::IsNaN(value) ? value : numeric::FromInteger(numeric::Sign(value));
}

__int128 RoundToInteger(__int128 value) {
  return numeric::Round(value, 0);
}

__int128 TruncateToInteger(__int128 value) {
  return numeric::Truncate(value, 0);
}

__int128 Log10(__int128 value) {
  return numeric::Log(numeric::FromInteger(10), value);
}

// round(numeric, integer) and trunc(numeric, integer).
template <__int128 (*Op)(__int128, int32_t)>
void WithScale(const EvaluationContext& context,
               std::span<const Column* const> arguments,
               size_t rows,
               Column& out) {
  const Column& values = *arguments[0];
  const Column& scales = *arguments[1];
  out.ResizeFixed(rows);
  const __int128* value = values.Data<__int128>();
  const int32_t* scale = scales.Data<int32_t>();
  __int128* result = out.MutableData<__int128>();
  uint8_t* result_nulls = out.MutableNulls();
  for (size_t i = 0; i < rows; ++i) {
    const bool is_null = values.IsNull(i) || scales.IsNull(i);
    result_nulls[i] = is_null ? 1 : 0;
    if (!is_null) {
      result[i] = Op(value[i], scale[i]);
    }
  }
}

// scale(numeric) and min_scale(numeric): integer results, NULL for NaN and the infinities.
template <int32_t (*Op)(__int128)>
void ToInteger(const EvaluationContext& context,
               std::span<const Column* const> arguments,
               size_t rows,
               Column& out) {
  const Column& values = *arguments[0];
  out.ResizeFixed(rows);
  const __int128* value = values.Data<__int128>();
  int32_t* result = out.MutableData<int32_t>();
  uint8_t* result_nulls = out.MutableNulls();
  for (size_t i = 0; i < rows; ++i) {
    const bool is_null = values.IsNull(i) || numeric::IsSpecial(value[i]);
    result_nulls[i] = is_null ? 1 : 0;
    if (!is_null) {
      result[i] = Op(value[i]);
    }
  }
}

int32_t DisplayScale(__int128 value) {
  return numeric::Scale(value);
}

int32_t MinimumScale(__int128 value) {
  return numeric::Scale(numeric::Normalize(value));
}

__int128 TrimScale(__int128 value) {
  return numeric::Normalize(value);
}

// gcd and lcm of the values aligned to the larger scale (Postgres: result dscale is the larger).
__int128 Aligned(__int128 value, int32_t scale) {
  return numeric::Unscaled(numeric::Round(value, scale));
}

__int128 GreatestCommonDivisor(__int128 a, __int128 b) {
  if (numeric::IsSpecial(a) || numeric::IsSpecial(b)) {
    return numeric::kNaN;
  }
  const int32_t scale = std::max(numeric::Scale(a), numeric::Scale(b));
  __int128 x = Aligned(a, scale);
  __int128 y = Aligned(b, scale);
  x = x < 0 ? -x : x;
  y = y < 0 ? -y : y;
  while (y != 0) {
    const __int128 rest = x % y;
    x = y;
    y = rest;
  }
  return numeric::Pack(x, scale);
}

__int128 LeastCommonMultiple(__int128 a, __int128 b) {
  if (numeric::IsSpecial(a) || numeric::IsSpecial(b)) {
    return numeric::kNaN;
  }
  const int32_t scale = std::max(numeric::Scale(a), numeric::Scale(b));
  if (numeric::Sign(a) == 0 || numeric::Sign(b) == 0) {
    return numeric::Pack(0, scale);
  }
  // lcm(x, y) = |x / gcd(x, y) * y|, computed on the aligned integers.
  const __int128 gcd = numeric::Unscaled(GreatestCommonDivisor(a, b));
  __int128 x = Aligned(a, scale) / gcd;
  __int128 y = Aligned(b, scale);
  __int128 product = 0;
  if (__builtin_mul_overflow(x, y, &product)) {
    throw Error(SqlState::kNumericValueOutOfRange, "value overflows numeric format");
  }
  // x y / gcd(x, y) = (X / G) Y 10^-scale for the aligned integers X, Y and their gcd G.
  product = product < 0 ? -product : product;
  return numeric::Pack(product, scale);
}

[[noreturn]] void ThrowWidthBucket(const char* message) {
  throw Error(SqlState::kInvalidArgumentForWidthBucketFunction, message);
}

// width_bucket(operand, low, high, count) as width_bucket_numeric computes it.
int32_t WidthBucket(__int128 operand, __int128 low, __int128 high, int32_t count) {
  if (count <= 0) {
    ThrowWidthBucket("count must be greater than zero");
  }
  if (numeric::IsNaN(operand) || numeric::IsNaN(low) || numeric::IsNaN(high)) {
    ThrowWidthBucket("operand, lower bound, and upper bound cannot be NaN");
  }
  // An infinite operand simply falls outside the bounds.
  if (numeric::IsInfinite(low) || numeric::IsInfinite(high)) {
    ThrowWidthBucket("lower and upper bounds must be finite");
  }
  const int order = numeric::Compare(low, high);
  if (order == 0) {
    ThrowWidthBucket("lower bound cannot equal upper bound");
  }
  const bool reversed = order > 0;
  const int below = numeric::Compare(operand, low);
  const int above = numeric::Compare(operand, high);
  if (reversed ? below > 0 : below < 0) {
    return 0;
  }
  if (reversed ? above <= 0 : above >= 0) {
    if (count == std::numeric_limits<int32_t>::max()) {
      throw Error(SqlState::kNumericValueOutOfRange, "integer out of range");
    }
    return count + 1;
  }
  const __int128 offset =
      reversed ? numeric::Subtract(low, operand) : numeric::Subtract(operand, low);
  const __int128 width = reversed ? numeric::Subtract(low, high) : numeric::Subtract(high, low);
  const __int128 bucket =
      numeric::DivideTruncate(numeric::Multiply(offset, numeric::FromInteger(count)), width);
  return static_cast<int32_t>(numeric::Unscaled(bucket)) + 1;
}

void WidthBucketKernel(const EvaluationContext& context,
                       std::span<const Column* const> arguments,
                       size_t rows,
                       Column& out) {
  out.ResizeFixed(rows);
  const __int128* operand = arguments[0]->Data<__int128>();
  const __int128* low = arguments[1]->Data<__int128>();
  const __int128* high = arguments[2]->Data<__int128>();
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

}  // namespace

void RegisterNumericFunctions(std::vector<ScalarFunction>& functions) {
  const TypeId n = TypeId::kNumeric;
  const DataType numeric = DataType::Numeric();
  functions.push_back({"+", {n, n}, numeric, Binary<numeric::Add>});
  functions.push_back({"-", {n, n}, numeric, Binary<numeric::Subtract>});
  functions.push_back({"*", {n, n}, numeric, Binary<numeric::Multiply>});
  functions.push_back({"/", {n, n}, numeric, Binary<numeric::Divide>});
  functions.push_back({"%", {n, n}, numeric, Binary<numeric::Modulo>});
  functions.push_back({"mod", {n, n}, numeric, Binary<numeric::Modulo>});
  functions.push_back({"div", {n, n}, numeric, Binary<numeric::DivideTruncate>});
  functions.push_back({"^", {n, n}, numeric, Binary<numeric::Power>});
  functions.push_back({"power", {n, n}, numeric, Binary<numeric::Power>});
  functions.push_back({"pow", {n, n}, numeric, Binary<numeric::Power>});
  functions.push_back({"log", {n, n}, numeric, Binary<numeric::Log>});
  functions.push_back({"gcd", {n, n}, numeric, Binary<GreatestCommonDivisor>});
  functions.push_back({"lcm", {n, n}, numeric, Binary<LeastCommonMultiple>});
  functions.push_back({"-", {n}, numeric, Unary<numeric::Negate>});
  functions.push_back({"+", {n}, numeric, Unary<Identity>});
  functions.push_back({"@", {n}, numeric, Unary<numeric::Abs>});
  functions.push_back({"abs", {n}, numeric, Unary<numeric::Abs>});
  functions.push_back({"sign", {n}, numeric, Unary<SignOf>});
  functions.push_back({"round", {n}, numeric, Unary<RoundToInteger>});
  functions.push_back({"trunc", {n}, numeric, Unary<TruncateToInteger>});
  functions.push_back({"ceil", {n}, numeric, Unary<numeric::Ceil>});
  functions.push_back({"ceiling", {n}, numeric, Unary<numeric::Ceil>});
  functions.push_back({"floor", {n}, numeric, Unary<numeric::Floor>});
  functions.push_back({"sqrt", {n}, numeric, Unary<numeric::Sqrt>});
  functions.push_back({"exp", {n}, numeric, Unary<numeric::Exp>});
  functions.push_back({"ln", {n}, numeric, Unary<numeric::Ln>});
  functions.push_back({"log", {n}, numeric, Unary<Log10>});
  functions.push_back({"log10", {n}, numeric, Unary<Log10>});
  functions.push_back({"trim_scale", {n}, numeric, Unary<TrimScale>});
  functions.push_back({"round", {n, TypeId::kInteger}, numeric, WithScale<numeric::Round>});
  functions.push_back({"trunc", {n, TypeId::kInteger}, numeric, WithScale<numeric::Truncate>});
  functions.push_back({"scale", {n}, DataType::Integer(), ToInteger<DisplayScale>});
  functions.push_back({"min_scale", {n}, DataType::Integer(), ToInteger<MinimumScale>});
  functions.push_back(
      {"width_bucket", {n, n, n, TypeId::kInteger}, DataType::Integer(), WidthBucketKernel});
}

}  // namespace freshet::function
