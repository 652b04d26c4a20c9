// SPDX-License-Identifier: Apache-2.0
#include <cmath>
#include <string_view>

#include "common/numeric.h"
#include "function/scalar_function.h"

// GREATEST and LEAST: the binder converts every argument to their common type, so one kernel
// serves every type by comparing values of the column's physical type.
namespace freshet::function {
namespace {

template <typename T>
int CompareValues(const T& a, const T& b) {
  if constexpr (std::is_floating_point_v<T>) {
    // NaN is above every other value, as Postgres orders floats.
    if (std::isnan(a)) {
      return std::isnan(b) ? 0 : 1;
    }
    if (std::isnan(b)) {
      return -1;
    }
  }
  return a < b ? -1 : (b < a ? 1 : 0);
}

// NUMERIC values are packed with their scale (common/numeric.h): compare values, not bits.
template <>
int CompareValues<__int128>(const __int128& a, const __int128& b) {
  return numeric::Compare(a, b);
}

__int128 IntervalLength(const Interval& value) {
  constexpr __int128 kMicrosPerDay = 86'400'000'000LL;
  return (static_cast<__int128>(value.months) * 30 + value.days) * kMicrosPerDay + value.micros;
}

// Index of the argument that wins row `row`: the greatest (or least) non-NULL value, or -1 when
// every argument is NULL.
template <typename T, bool Greatest>
int PickFixed(std::span<const Column* const> arguments, size_t row) {
  int best = -1;
  for (size_t i = 0; i < arguments.size(); ++i) {
    if (arguments[i]->IsNull(row)) {
      continue;
    }
    if (best < 0) {
      best = static_cast<int>(i);
      continue;
    }
    const T& candidate = arguments[i]->Data<T>()[row];
    const T& current = arguments[static_cast<size_t>(best)]->Data<T>()[row];
    int order = 0;
    if constexpr (std::is_same_v<T, Interval>) {
      order = CompareValues(IntervalLength(candidate), IntervalLength(current));
    } else {
      order = CompareValues(candidate, current);
    }
    if (Greatest ? order > 0 : order < 0) {
      best = static_cast<int>(i);
    }
  }
  return best;
}

template <bool Greatest>
int PickString(std::span<const Column* const> arguments, size_t row) {
  int best = -1;
  for (size_t i = 0; i < arguments.size(); ++i) {
    if (arguments[i]->IsNull(row)) {
      continue;
    }
    if (best < 0) {
      best = static_cast<int>(i);
      continue;
    }
    // Byte order is the C collation's order.
    const int order =
        arguments[i]->GetString(row).compare(arguments[static_cast<size_t>(best)]->GetString(row));
    if (Greatest ? order > 0 : order < 0) {
      best = static_cast<int>(i);
    }
  }
  return best;
}

template <bool Greatest>
int Pick(std::span<const Column* const> arguments, size_t row) {
  switch (arguments[0]->Type().Physical()) {
    case PhysicalType::kBool:
      return PickFixed<uint8_t, Greatest>(arguments, row);
    case PhysicalType::kInt16:
      return PickFixed<int16_t, Greatest>(arguments, row);
    case PhysicalType::kInt32:
      return PickFixed<int32_t, Greatest>(arguments, row);
    case PhysicalType::kInt64:
      return PickFixed<int64_t, Greatest>(arguments, row);
    case PhysicalType::kFloat32:
      return PickFixed<float, Greatest>(arguments, row);
    case PhysicalType::kFloat64:
      return PickFixed<double, Greatest>(arguments, row);
    case PhysicalType::kInt128:
      return PickFixed<__int128, Greatest>(arguments, row);
    case PhysicalType::kInterval:
      return PickFixed<Interval, Greatest>(arguments, row);
    case PhysicalType::kString:
      return PickString<Greatest>(arguments, row);
  }
  return -1;
}

template <bool Greatest>
void GreatestLeast(const EvaluationContext& context,
                   std::span<const Column* const> arguments,
                   size_t rows,
                   Column& out) {
  out.Reserve(rows);
  for (size_t row = 0; row < rows; ++row) {
    const int best = Pick<Greatest>(arguments, row);
    if (best < 0) {
      out.AppendNull();
    } else {
      out.AppendFrom(*arguments[static_cast<size_t>(best)], row);
    }
  }
}

}  // namespace

void RegisterConditionalFunctions(std::vector<ScalarFunction>& functions) {
  // The binder gives each call the common type of its arguments as the result type.
  const DataType any(TypeId::kUnknown);
  functions.push_back(
      {"greatest", {TypeId::kUnknown}, any, GreatestLeast<true>, Volatility::kImmutable, true});
  functions.push_back(
      {"least", {TypeId::kUnknown}, any, GreatestLeast<false>, Volatility::kImmutable, true});
}

}  // namespace freshet::function
