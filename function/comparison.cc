// SPDX-License-Identifier: Apache-2.0
#include <cmath>
#include <string_view>

#include "common/numeric.h"
#include "function/internal/kernel_loops.h"
#include "function/scalar_function.h"

namespace freshet::function {
namespace {

using internal::BinaryFixed;
using internal::BinaryStringToFixed;

// Three-way comparisons with Postgres semantics: NaN equals NaN and sorts above every other float;
// intervals compare by their length with a month of 30 days.
template <typename T>
int Compare(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(a)) {
      return std::isnan(b) ? 0 : 1;
    }
    if (std::isnan(b)) {
      return -1;
    }
  }
  return a < b ? -1 : (b < a ? 1 : 0);
}

__int128 IntervalLength(const Interval& value) {
  constexpr __int128 kMicrosPerDay = 86'400'000'000LL;
  return (static_cast<__int128>(value.months) * 30 + value.days) * kMicrosPerDay + value.micros;
}

// NUMERIC values are packed with their scale, so 1.0 and 1.00 differ as integers: compare values.
template <>
int Compare<__int128>(__int128 a, __int128 b) {
  return numeric::Compare(a, b);
}

template <>
int Compare<Interval>(Interval a, Interval b) {
  // Plain integers: Compare<__int128> is NUMERIC's packed comparison.
  const __int128 left = IntervalLength(a);
  const __int128 right = IntervalLength(b);
  return left < right ? -1 : (right < left ? 1 : 0);
}

int CompareStrings(std::string_view a, std::string_view b) {
  const int result = a.compare(b);
  return result < 0 ? -1 : (result > 0 ? 1 : 0);
}

enum class Comparison : uint8_t { kEqual, kNotEqual, kLess, kLessEqual, kGreater, kGreaterEqual };

template <Comparison C>
constexpr uint8_t Holds(int order) {
  switch (C) {
    case Comparison::kEqual:
      return order == 0;
    case Comparison::kNotEqual:
      return order != 0;
    case Comparison::kLess:
      return order < 0;
    case Comparison::kLessEqual:
      return order <= 0;
    case Comparison::kGreater:
      return order > 0;
    case Comparison::kGreaterEqual:
      return order >= 0;
  }
  return 0;
}

template <typename T, Comparison C>
void CompareFixed(const EvaluationContext& context,
                  std::span<const Column* const> arguments,
                  size_t rows,
                  Column& out) {
  BinaryFixed<T, uint8_t>(arguments, rows, out, [](T a, T b) { return Holds<C>(Compare(a, b)); });
}

template <Comparison C>
void CompareString(const EvaluationContext& context,
                   std::span<const Column* const> arguments,
                   size_t rows,
                   Column& out) {
  BinaryStringToFixed<uint8_t>(arguments, rows, out, [](std::string_view a, std::string_view b) {
    return Holds<C>(CompareStrings(a, b));
  });
}

template <typename T>
void RegisterFixed(std::vector<ScalarFunction>& functions, TypeId type) {
  const DataType boolean = DataType::Boolean();
  functions.push_back({"=", {type, type}, boolean, CompareFixed<T, Comparison::kEqual>});
  functions.push_back({"<>", {type, type}, boolean, CompareFixed<T, Comparison::kNotEqual>});
  functions.push_back({"<", {type, type}, boolean, CompareFixed<T, Comparison::kLess>});
  functions.push_back({"<=", {type, type}, boolean, CompareFixed<T, Comparison::kLessEqual>});
  functions.push_back({">", {type, type}, boolean, CompareFixed<T, Comparison::kGreater>});
  functions.push_back({">=", {type, type}, boolean, CompareFixed<T, Comparison::kGreaterEqual>});
}

void RegisterString(std::vector<ScalarFunction>& functions, TypeId type) {
  const DataType boolean = DataType::Boolean();
  functions.push_back({"=", {type, type}, boolean, CompareString<Comparison::kEqual>});
  functions.push_back({"<>", {type, type}, boolean, CompareString<Comparison::kNotEqual>});
  functions.push_back({"<", {type, type}, boolean, CompareString<Comparison::kLess>});
  functions.push_back({"<=", {type, type}, boolean, CompareString<Comparison::kLessEqual>});
  functions.push_back({">", {type, type}, boolean, CompareString<Comparison::kGreater>});
  functions.push_back({">=", {type, type}, boolean, CompareString<Comparison::kGreaterEqual>});
}

}  // namespace

// Comparisons between two different integer types, as Postgres's int24eq, int48lt, ... do: neither
// side is converted, so NULLIF(int4, int8) stays int4 and int4 = int8 needs no cast.
template <typename A, typename B, Comparison C>
void CompareMixedIntegers(const EvaluationContext& context,
                          std::span<const Column* const> arguments,
                          size_t rows,
                          Column& out) {
  const Column& left = *arguments[0];
  const Column& right = *arguments[1];
  out.ResizeFixed(rows);
  const A* a = left.Data<A>();
  const B* b = right.Data<B>();
  uint8_t* result = out.MutableData<uint8_t>();
  uint8_t* nulls = out.MutableNulls();
  for (size_t i = 0; i < rows; ++i) {
    nulls[i] = left.IsNull(i) || right.IsNull(i) ? 1 : 0;
    if (!nulls[i]) {
      result[i] = Holds<C>(Compare<int64_t>(a[i], b[i]));
    }
  }
}

template <typename A, typename B>
void RegisterMixedIntegers(std::vector<ScalarFunction>& functions, TypeId a, TypeId b) {
  const DataType boolean = DataType::Boolean();
  functions.push_back({"=", {a, b}, boolean, CompareMixedIntegers<A, B, Comparison::kEqual>});
  functions.push_back({"<>", {a, b}, boolean, CompareMixedIntegers<A, B, Comparison::kNotEqual>});
  functions.push_back({"<", {a, b}, boolean, CompareMixedIntegers<A, B, Comparison::kLess>});
  functions.push_back({"<=", {a, b}, boolean, CompareMixedIntegers<A, B, Comparison::kLessEqual>});
  functions.push_back({">", {a, b}, boolean, CompareMixedIntegers<A, B, Comparison::kGreater>});
  functions.push_back(
      {">=", {a, b}, boolean, CompareMixedIntegers<A, B, Comparison::kGreaterEqual>});
}

void RegisterComparison(std::vector<ScalarFunction>& functions) {
  RegisterMixedIntegers<int16_t, int32_t>(functions, TypeId::kSmallint, TypeId::kInteger);
  RegisterMixedIntegers<int16_t, int64_t>(functions, TypeId::kSmallint, TypeId::kBigint);
  RegisterMixedIntegers<int32_t, int16_t>(functions, TypeId::kInteger, TypeId::kSmallint);
  RegisterMixedIntegers<int32_t, int64_t>(functions, TypeId::kInteger, TypeId::kBigint);
  RegisterMixedIntegers<int64_t, int16_t>(functions, TypeId::kBigint, TypeId::kSmallint);
  RegisterMixedIntegers<int64_t, int32_t>(functions, TypeId::kBigint, TypeId::kInteger);
  RegisterFixed<uint8_t>(functions, TypeId::kBoolean);
  RegisterFixed<int16_t>(functions, TypeId::kSmallint);
  RegisterFixed<int32_t>(functions, TypeId::kInteger);
  RegisterFixed<int64_t>(functions, TypeId::kBigint);
  RegisterFixed<float>(functions, TypeId::kReal);
  RegisterFixed<double>(functions, TypeId::kDouble);
  RegisterFixed<__int128>(functions, TypeId::kNumeric);
  RegisterFixed<int32_t>(functions, TypeId::kDate);
  RegisterFixed<int64_t>(functions, TypeId::kTime);
  RegisterFixed<int64_t>(functions, TypeId::kTimestamp);
  RegisterFixed<int64_t>(functions, TypeId::kTimestamptz);
  RegisterFixed<Interval>(functions, TypeId::kInterval);
  RegisterString(functions, TypeId::kText);
  RegisterString(functions, TypeId::kBytea);
}

}  // namespace freshet::function
