// SPDX-License-Identifier: Apache-2.0
// Gathering rows of a column by an index vector, a column at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "common/column.h"

namespace freshet::executor::internal {

namespace gather_detail {

template <size_t kWidth>
void GatherFixed(const uint8_t* input, const uint32_t* rows, size_t count, uint8_t* out) {
  for (size_t i = 0; i < count; ++i) {
    std::memcpy(out + i * kWidth, input + size_t{rows[i]} * kWidth, kWidth);
  }
}

}  // namespace gather_detail

/// Appends rows `rows[0..count)` of `input` (repeats allowed) to `out`, which has the same
/// physical type: fixed-width values and null flags in one pass each, no per-row call.
inline void GatherColumn(const Column& input, const uint32_t* rows, size_t count, Column& out) {
  const PhysicalType physical = input.Type().Physical();
  if (physical == PhysicalType::kString) {
    out.Reserve(count);
    for (size_t i = 0; i < count; ++i) {
      if (input.IsNull(rows[i])) {
        out.AppendNull();
      } else {
        out.AppendString(input.GetString(rows[i]));
      }
    }
    return;
  }
  const size_t base = out.Size();
  out.ResizeFixed(base + count);
  const uint8_t* in_nulls = input.Nulls();
  uint8_t* out_nulls = out.MutableNulls() + base;
  for (size_t i = 0; i < count; ++i) {
    out_nulls[i] = in_nulls[rows[i]];
  }
  const auto* in_data = input.Data<uint8_t>();
  const size_t width = PhysicalWidth(physical);
  uint8_t* out_data = out.MutableData<uint8_t>() + base * width;
  switch (width) {
    case 1:
      gather_detail::GatherFixed<1>(in_data, rows, count, out_data);
      break;
    case 2:
      gather_detail::GatherFixed<2>(in_data, rows, count, out_data);
      break;
    case 4:
      gather_detail::GatherFixed<4>(in_data, rows, count, out_data);
      break;
    case 8:
      gather_detail::GatherFixed<8>(in_data, rows, count, out_data);
      break;
    case 16:
      gather_detail::GatherFixed<16>(in_data, rows, count, out_data);
      break;
    default:
      for (size_t i = 0; i < count; ++i) {
        std::memcpy(out_data + i * width, in_data + size_t{rows[i]} * width, width);
      }
      break;
  }
}

}  // namespace freshet::executor::internal
