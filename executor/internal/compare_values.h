// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cmath>

#include "common/column.h"
#include "common/numeric.h"

namespace freshet::executor::internal {

/// Compares row a of column x with row b of column y of the same type, NULLs aside; Postgres order.
inline int CompareValues(const Column& x, size_t a, const Column& y, size_t b) {
  auto three_way = [](auto left, auto right) { return left < right ? -1 : (right < left ? 1 : 0); };
  switch (x.Type().Physical()) {
    case PhysicalType::kBool:
      return three_way(x.Data<uint8_t>()[a], y.Data<uint8_t>()[b]);
    case PhysicalType::kInt16:
      return three_way(x.Data<int16_t>()[a], y.Data<int16_t>()[b]);
    case PhysicalType::kInt32:
      return three_way(x.Data<int32_t>()[a], y.Data<int32_t>()[b]);
    case PhysicalType::kInt64:
      return three_way(x.Data<int64_t>()[a], y.Data<int64_t>()[b]);
    case PhysicalType::kInt128:
      // Packed NUMERICs carry their scale: compare values, not bits (1.0 = 1.00 < 2).
      return numeric::Compare(x.Data<__int128>()[a], y.Data<__int128>()[b]);
    case PhysicalType::kFloat32:
    case PhysicalType::kFloat64: {
      const double left =
          x.Type().Physical() == PhysicalType::kFloat32 ? x.Data<float>()[a] : x.Data<double>()[a];
      const double right =
          y.Type().Physical() == PhysicalType::kFloat32 ? y.Data<float>()[b] : y.Data<double>()[b];
      // NaN sorts above everything and equals itself, as in Postgres.
      if (std::isnan(left) || std::isnan(right)) {
        return std::isnan(left) == std::isnan(right) ? 0 : (std::isnan(left) ? 1 : -1);
      }
      return three_way(left, right);
    }
    case PhysicalType::kInterval: {
      auto length = [](const Interval& value) {
        return (static_cast<__int128>(value.months) * 30 + value.days) * 86'400'000'000LL +
               value.micros;
      };
      return three_way(length(x.Data<Interval>()[a]), length(y.Data<Interval>()[b]));
    }
    case PhysicalType::kString:
      return x.GetString(a).compare(y.GetString(b)) < 0
                 ? -1
                 : (x.GetString(a) == y.GetString(b) ? 0 : 1);
  }
  return 0;
}

}  // namespace freshet::executor::internal
