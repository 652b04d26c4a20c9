// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <vector>

#include "parser/ast.h"
#include "planner/internal_scope.h"
#include "planner/plan/expression.h"

namespace freshet::planner::internal {

/// Binds AST expressions against a scope into typed plan expressions, inserting the implicit casts
/// Postgres would insert. Throws Error carrying the position of the offending node.
class ExpressionBinder {
 public:
  ExpressionBinder(const Scope& scope, const function::EvaluationContext& context)
      : scope_(scope), context_(context) {}

  plan::ExpressionPtr Bind(const ast::Expression& expression);
  /// Binds and requires a boolean, as WHERE and HAVING do (`clause` names the clause in the error).
  plan::ExpressionPtr BindCondition(const ast::Expression& expression, std::string_view clause);

 private:
  plan::ExpressionPtr BindLiteral(const ast::Literal& literal);
  plan::ExpressionPtr BindColumnRef(const ast::ColumnRef& column);
  plan::ExpressionPtr BindUnary(const ast::Unary& unary);
  plan::ExpressionPtr BindBinary(const ast::Binary& binary);
  plan::ExpressionPtr BindFunctionCall(const ast::FunctionCall& call);
  plan::ExpressionPtr BindCase(const ast::Case& case_expression);
  plan::ExpressionPtr BindInList(const ast::InList& in_list);
  plan::ExpressionPtr BindBetween(const ast::Between& between);
  plan::ExpressionPtr BindBoolean(const ast::Expression& expression, std::string_view context);

  const Scope& scope_;
  const function::EvaluationContext& context_;
};

/// Converts `expression` to `target` in `context`, folding untyped literals at once so that bad
/// input is reported at `position`; throws 42804 / 42846 when no such cast exists.
plan::ExpressionPtr Coerce(plan::ExpressionPtr expression,
                           const DataType& target,
                           function::CastContext context,
                           int32_t position,
                           const function::EvaluationContext& evaluation);

/// Calls the overload of operator or function `name` that best fits the argument types, coercing
/// the arguments; throws 42883 when none fits.
plan::ExpressionPtr ResolveCall(std::string_view name,
                                std::vector<plan::ExpressionPtr> arguments,
                                bool is_operator,
                                int32_t position,
                                const function::EvaluationContext& evaluation);

/// The type that values of `types` are all converted to (CASE, COALESCE, VALUES columns); 42804 if
/// none.
DataType CommonType(const std::vector<DataType>& types, std::string_view context, int32_t position);

}  // namespace freshet::planner::internal
