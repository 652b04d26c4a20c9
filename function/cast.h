// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/column.h"
#include "common/data_type.h"
#include "function/scalar_function.h"

namespace freshet::function {

/// The contexts in which Postgres allows a cast (pg_cast.castcontext): implicitly in expressions,
/// on assignment to a column, or only when written explicitly.
enum class CastContext : uint8_t { kImplicit, kAssignment, kExplicit };

/// True if a value of type `from` may be converted to `to` in `context`, following Postgres's
/// pg_cast.
bool CanCast(TypeId from, TypeId to, CastContext context);

/// Converts every row of `in` to `target` into `out` (an empty column of type `target`), throwing
/// the error the type's input function or range check raises (22P02, 22003, 22001, 22007, ...). A
/// VARCHAR(n) target checks the length as an assignment does: an error in kAssignment, a silent
/// truncation in kExplicit. Conversions between TIMESTAMPTZ and local date/time types, and
/// TIMESTAMPTZ text, use the time zone of `evaluation` (UTC by default).
void CastColumn(const Column& in,
                const DataType& target,
                CastContext context,
                Column& out,
                const EvaluationContext& evaluation = EvaluationContext{});

/// The position of a numeric type in the implicit promotion order smallint < integer < bigint <
/// numeric < real < double precision, or -1 for other types.
int NumericRank(TypeId type);

}  // namespace freshet::function
