// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "catalog/catalog.h"
#include "function/scalar_function.h"
#include "parser/ast.h"

namespace freshet::planner {

/// Evaluates `expression`, which must be a constant interval without months, to microseconds
/// (untyped literals read as intervals, as date_bin reads them). `what` names it in errors: 42804
/// for another type, 0A000 for a non-constant or one with months, 22004 for NULL; `clause` names
/// where it stands for errors such as "aggregate functions are not allowed in <clause>".
int64_t BindConstantInterval(const ast::Expression& expression,
                             const function::EvaluationContext& context,
                             std::string_view what,
                             std::string_view clause);

/// Binds `WATERMARK FOR col AS col [- INTERVAL ...] [WITH LATENESS INTERVAL ...]` over `columns`:
/// the column must be a TIMESTAMP or TIMESTAMPTZ (42804) and the expression the column minus a
/// constant non-negative interval (0A000 otherwise).
catalog::WatermarkSpec BindWatermark(const ast::WatermarkDefinition& watermark,
                                     const std::vector<catalog::ColumnSchema>& columns,
                                     const function::EvaluationContext& context);

}  // namespace freshet::planner
