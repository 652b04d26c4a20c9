// SPDX-License-Identifier: Apache-2.0
#include "executor/internal/aggregate_state.h"

#include <limits>

#include "common/error.h"

namespace freshet::executor::internal {

using function::AggregateKind;

__int128 NumericAt(const Column& values, size_t row) {
  switch (values.Type().Physical()) {
    case PhysicalType::kInt16:
      return numeric::FromInteger(values.Data<int16_t>()[row]);
    case PhysicalType::kInt32:
      return numeric::FromInteger(values.Data<int32_t>()[row]);
    case PhysicalType::kInt64:
      return numeric::FromInteger(values.Data<int64_t>()[row]);
    default:
      return values.Data<__int128>()[row];
  }
}

void ThrowBigintOutOfRange() {
  throw Error(SqlState::kNumericValueOutOfRange, "bigint out of range");
}

void ThrowFloatOverflow() {
  throw Error(SqlState::kNumericValueOutOfRange, "value out of range: overflow");
}

void FloatMoments::Add(double value) {
  const double previous_n = n;
  const double previous_sx = sx;
  n += 1.0;
  sx += value;
  if (previous_n > 0.0) {
    const double tmp = value * n - sx;
    sxx += tmp * tmp / (n * previous_n);
    if (std::isinf(sx) || std::isinf(sxx)) {
      // As float8_accum: only finite inputs leading to an infinite Sx or Sxx are an overflow;
      // Sxx of an infinite input is NaN, never infinite.
      if (!std::isinf(previous_sx) && !std::isinf(value)) {
        ThrowFloatOverflow();
      }
      sxx = std::numeric_limits<double>::quiet_NaN();
    }
  } else if (std::isnan(value) || std::isinf(value)) {
    sxx = std::numeric_limits<double>::quiet_NaN();
  }
}

std::optional<double> FloatMoments::Result(AggregateKind kind) const {
  const bool sample = kind == AggregateKind::kVarSamp || kind == AggregateKind::kStddevSamp;
  if (n == 0.0 || (sample && n <= 1.0)) {
    return std::nullopt;
  }
  switch (kind) {
    case AggregateKind::kAvg:
      return sx / n;
    case AggregateKind::kVarSamp:
      return sxx / (n - 1.0);
    case AggregateKind::kVarPop:
      return sxx / n;
    case AggregateKind::kStddevSamp:
      return std::sqrt(sxx / (n - 1.0));
    case AggregateKind::kStddevPop:
      return std::sqrt(sxx / n);
    default:
      throw Error::Internal("unexpected aggregate kind for float moments");
  }
}

std::optional<__int128> NumericVariance(AggregateKind kind,
                                        int64_t count,
                                        __int128 sum_x,
                                        __int128 sum_xx) {
  const bool sample = kind == AggregateKind::kVarSamp || kind == AggregateKind::kStddevSamp;
  const bool root = kind == AggregateKind::kStddevSamp || kind == AggregateKind::kStddevPop;
  if (count <= 0 || (sample && count <= 1)) {
    return std::nullopt;
  }
  const __int128 n = numeric::FromInteger(count);
  const __int128 numerator =
      numeric::Subtract(numeric::Multiply(n, sum_xx), numeric::Multiply(sum_x, sum_x));
  if (numeric::Sign(numerator) <= 0) {
    // Postgres guards against round-off producing a negative numerator the same way.
    return numeric::FromInteger(0);
  }
  const __int128 denominator = numeric::FromInteger(
      sample ? static_cast<__int128>(count) * (count - 1) : static_cast<__int128>(count) * count);
  const __int128 variance = numeric::Divide(numerator, denominator);
  return root ? numeric::SqrtAtScale(variance, numeric::Scale(variance)) : variance;
}

}  // namespace freshet::executor::internal
