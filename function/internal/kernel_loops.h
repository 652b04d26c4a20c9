// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <span>

#include "common/column.h"

// Loops shared by the kernels of this module: they walk whole columns and leave per-value work to
// an inlined functor, so no kernel pays a virtual call or an allocation per row.
namespace freshet::function::internal {

/// out[i] = op(a[i], b[i]) for fixed-width inputs `In` and output `Out`; NULL when either input is
/// NULL.
template <typename In, typename Out, typename Op>
void BinaryFixed(std::span<const Column* const> arguments, size_t rows, Column& out, Op op) {
  const Column& left = *arguments[0];
  const Column& right = *arguments[1];
  out.ResizeFixed(rows);
  const In* a = left.Data<In>();
  const In* b = right.Data<In>();
  const uint8_t* a_nulls = left.Nulls();
  const uint8_t* b_nulls = right.Nulls();
  Out* result = out.MutableData<Out>();
  uint8_t* result_nulls = out.MutableNulls();
  for (size_t i = 0; i < rows; ++i) {
    const uint8_t is_null = a_nulls[i] | b_nulls[i];
    result_nulls[i] = is_null;
    if (!is_null) {
      result[i] = op(a[i], b[i]);
    }
  }
}

/// out[i] = op(a[i]) for a fixed-width input; NULL in, NULL out.
template <typename In, typename Out, typename Op>
void UnaryFixed(std::span<const Column* const> arguments, size_t rows, Column& out, Op op) {
  const Column& input = *arguments[0];
  out.ResizeFixed(rows);
  const In* a = input.Data<In>();
  const uint8_t* a_nulls = input.Nulls();
  Out* result = out.MutableData<Out>();
  uint8_t* result_nulls = out.MutableNulls();
  for (size_t i = 0; i < rows; ++i) {
    result_nulls[i] = a_nulls[i];
    if (!a_nulls[i]) {
      result[i] = op(a[i]);
    }
  }
}

/// out[i] = op(a[i], b[i]) over two string columns with a fixed-width result.
template <typename Out, typename Op>
void BinaryStringToFixed(std::span<const Column* const> arguments,
                         size_t rows,
                         Column& out,
                         Op op) {
  const Column& left = *arguments[0];
  const Column& right = *arguments[1];
  out.ResizeFixed(rows);
  Out* result = out.MutableData<Out>();
  uint8_t* result_nulls = out.MutableNulls();
  for (size_t i = 0; i < rows; ++i) {
    const bool is_null = left.IsNull(i) || right.IsNull(i);
    result_nulls[i] = is_null ? 1 : 0;
    if (!is_null) {
      result[i] = op(left.GetString(i), right.GetString(i));
    }
  }
}

}  // namespace freshet::function::internal
