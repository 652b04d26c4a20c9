// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <functional>
#include <vector>

#include "parser/ast.h"
#include "planner/internal_scope.h"
#include "planner/plan/batch_plan.h"
#include "planner/plan/expression.h"

namespace freshet::planner::internal {

/// Binds the query of a subquery expression; implemented by the query binder, which the expression
/// binder cannot include.
class SubqueryBinder {
 public:
  SubqueryBinder() = default;
  virtual ~SubqueryBinder() = default;
  SubqueryBinder(const SubqueryBinder&) = delete;
  SubqueryBinder& operator=(const SubqueryBinder&) = delete;

  /// Binds `select` with `outer` as the scope of the enclosing query; sets `correlated` when the
  /// subquery refers to it.
  virtual plan::BatchNodePtr BindSubquery(const ast::Select& select,
                                          const Scope& outer,
                                          bool& correlated) = 0;
};

/// Where an expression is being bound, beyond its scope.
struct BindingOptions {
  /// The enclosing query's scope, for correlated column references (bound as outer columns).
  const Scope* outer = nullptr;
  /// Set to true when an outer column is referenced.
  bool* correlated = nullptr;
  /// Set in the select list, HAVING and ORDER BY of an aggregating block.
  const GroupingContext* grouping = nullptr;
  SubqueryBinder* subqueries = nullptr;
  /// The clause being bound ("WHERE", "JOIN conditions", ...), for "aggregate functions are not
  /// allowed in X"; empty inside aggregate arguments, where nesting is the error.
  std::string_view clause = "WHERE";
};

/// Binds AST expressions against a scope into typed plan expressions, inserting the implicit casts
/// Postgres would insert. Throws Error carrying the position of the offending node.
class ExpressionBinder {
 public:
  ExpressionBinder(const Scope& scope,
                   const function::EvaluationContext& context,
                   BindingOptions options = {})
      : scope_(scope), context_(context), options_(options) {}

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
  plan::ExpressionPtr BindSubquery(const ast::Subquery& subquery);
  /// In an aggregating block: the grouped column or aggregate result that `expression` denotes, or
  /// nullptr when it must be bound from its parts.
  plan::ExpressionPtr MatchGrouped(const ast::Expression& expression);

  const Scope& scope_;
  const function::EvaluationContext& context_;
  BindingOptions options_;
};

/// True if `expression` is a call of an aggregate function (not a window function).
bool IsAggregateCall(const ast::Expression& expression);
/// Calls `visit` for every aggregate call in `expression`, outermost first, not descending into
/// subqueries or into the arguments of the aggregates found.
void ForEachAggregateCall(const ast::Expression& expression,
                          const std::function<void(const ast::FunctionCall&)>& visit);

/// Converts `expression` to `target` in `context`, folding untyped literals at once so that bad
/// input is reported at `position`; throws 42804 / 42846 when no such cast exists.
plan::ExpressionPtr Coerce(plan::ExpressionPtr expression,
                           const DataType& target,
                           function::CastContext context,
                           int32_t position,
                           const function::EvaluationContext& evaluation);

/// Picks the signature that best fits the argument types by Postgres's rules (exact matches, then
/// the nearest implicit promotion; untyped literals take a neighbour's type); nullopt when none
/// fits or the best is ambiguous (`ambiguous` tells which).
std::optional<size_t> ChooseOverload(const std::vector<plan::ExpressionPtr>& arguments,
                                     const std::vector<const std::vector<TypeId>*>& signatures,
                                     bool& ambiguous);

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
