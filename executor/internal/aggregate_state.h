// SPDX-License-Identifier: Apache-2.0
// Aggregate arithmetic shared by the batch and the streaming aggregation, so both compute every
// result exactly as Postgres does: value order, float moments, numeric variance.
#pragma once

#include <cmath>
#include <cstdint>
#include <optional>
#include <type_traits>

#include "common/column.h"
#include "common/numeric.h"
#include "function/aggregate_function.h"

namespace freshet::executor::internal {

/// Orders two non-NULL values of one physical type as Postgres does: NaN above all floats,
/// intervals by length, NUMERICs by value across scales.
template <typename T>
bool PostgresLess(const T& a, const T& b) {
  if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(a) || std::isnan(b)) {
      return !std::isnan(a) && std::isnan(b);
    }
  }
  if constexpr (std::is_same_v<T, Interval>) {
    auto length = [](const Interval& value) {
      return (static_cast<__int128>(value.months) * 30 + value.days) * 86'400'000'000LL +
             value.micros;
    };
    return length(a) < length(b);
  } else if constexpr (std::is_same_v<T, __int128>) {
    // Packed NUMERICs carry their scale: compare values, not bits.
    return numeric::Compare(a, b) < 0;
  } else {
    return a < b;
  }
}

/// PostgresLess as a comparator for ordered containers.
template <typename T>
struct PostgresOrder {
  bool operator()(const T& a, const T& b) const { return PostgresLess(a, b); }
};

/// Returns row `row` of an integer or NUMERIC column as a packed numeric.
__int128 NumericAt(const Column& values, size_t row);

/// Throws 22003 "bigint out of range", the error of sum(smallint | integer) leaving bigint.
[[noreturn]] void ThrowBigintOutOfRange();
/// Throws 22003 "value out of range: overflow", the error of a float sum leaving the finite range.
[[noreturn]] void ThrowFloatOverflow();

/// The state of avg / var / stddev of real and double precision as Postgres's float8_accum keeps
/// it (Youngs-Cramer): N, Sx and Sxx, so results match Postgres bit for bit in the same input
/// order.
struct FloatMoments {
  double n = 0;
  double sx = 0;
  double sxx = 0;

  /// Adds one value; throws 22003 when the sum overflows.
  void Add(double value);
  /// The result of `kind` (kAvg, kVarSamp, kVarPop, kStddevSamp, kStddevPop); nullopt for NULL.
  std::optional<double> Result(function::AggregateKind kind) const;
};

/// Computes var_* / stddev_* of integers and numerics from the count and the exact sums of x and
/// x*x as Postgres's numeric_stddev_internal does; nullopt for NULL (no rows, or one row of a
/// sample statistic).
std::optional<__int128> NumericVariance(function::AggregateKind kind,
                                        int64_t count,
                                        __int128 sum_x,
                                        __int128 sum_xx);

}  // namespace freshet::executor::internal
