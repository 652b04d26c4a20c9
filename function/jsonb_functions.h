// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/column.h"
#include "common/data_type.h"

namespace freshet::function {

/// True if Postgres has an explicit cast from jsonb to `target` (boolean and the number types).
bool CanCastJsonbTo(TypeId target);

/// Converts every row of jsonb column `in` to `target` (boolean, smallint, integer, bigint,
/// numeric, real, double precision) as Postgres's jsonb casts do: a number is rounded to an integer
/// type like numeric, and any other kind fails with 22023 `cannot cast jsonb string to type
/// integer`.
void CastJsonbColumn(const Column& in, const DataType& target, Column& out);

}  // namespace freshet::function
