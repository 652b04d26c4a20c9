// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string_view>
#include <vector>

#include "planner/plan/expression.h"

// Calls whose typing is not a plain overload lookup: LIKE (through like_escape), functions with
// "any" arguments (concat, concat_ws), and the special forms NULLIF, GREATEST and LEAST. The
// expression binder hands their already-bound arguments here.
namespace freshet::planner::internal {

/// Binds `operand [NOT] [I]LIKE pattern [ESCAPE escape]` as Postgres does: the operator ~~ (~~*,
/// !~~, !~~*) applied to the pattern, rewritten by like_escape when there is an ESCAPE clause.
/// `escape` may be null.
plan::ExpressionPtr BindLike(plan::ExpressionPtr operand,
                             plan::ExpressionPtr pattern,
                             plan::ExpressionPtr escape,
                             bool case_insensitive,
                             bool negated,
                             int32_t position,
                             const function::EvaluationContext& evaluation);

/// True if `name` is one of the calls BindSpecialCall binds.
bool IsSpecialCall(std::string_view name);

/// Binds concat / concat_ws / format (arguments of any type, printed with their output
/// functions), NULLIF
/// (CASE WHEN a = b THEN NULL ELSE a END, typed as the first argument of that `=`) and GREATEST /
/// LEAST (arguments converted to their common type, NULLs ignored).
plan::ExpressionPtr BindSpecialCall(std::string_view name,
                                    std::vector<plan::ExpressionPtr> arguments,
                                    int32_t position,
                                    const function::EvaluationContext& evaluation);

}  // namespace freshet::planner::internal
