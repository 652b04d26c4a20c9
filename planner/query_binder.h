// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string_view>
#include <vector>

#include "catalog/catalog.h"
#include "parser/ast.h"
#include "planner/expression_binder.h"
#include "planner/internal_scope.h"
#include "planner/plan/batch_plan.h"
#include "planner/system_table.h"

namespace freshet::planner::internal {

/// A bound FROM item: its plan and the columns it makes visible.
struct BoundRelation {
  plan::BatchNodePtr node;
  Scope scope;
};

/// Binds one query (a SELECT block, VALUES or a set operation, with its WITH, ORDER BY and LIMIT)
/// into a batch plan: FROM items and joins, WHERE, grouping and aggregates, HAVING, DISTINCT, set
/// operations and subqueries (correlated ones see the enclosing query's scope). Not thread-safe;
/// one per query.
class QueryBinder final : public SubqueryBinder {
 public:
  QueryBinder(const catalog::CatalogSnapshot& catalog,
              SystemTableProvider* system_tables,
              const function::EvaluationContext& context,
              std::vector<const ast::CommonTableExpression*> ctes = {},
              const Scope* outer = nullptr,
              bool* correlated = nullptr);

  plan::BatchNodePtr Bind(const ast::Select& select);

  plan::BatchNodePtr BindSubquery(const ast::Select& select,
                                  const Scope& outer,
                                  bool& correlated) override;

 private:
  plan::BatchNodePtr BindBlock(const ast::Select& select);
  plan::BatchNodePtr BindValues(const ast::Select& select);
  plan::BatchNodePtr BindValuesRows(const std::vector<std::vector<ast::ExpressionPtr>>& rows,
                                    int32_t position);
  plan::BatchNodePtr BindSetOperation(const ast::Select& select);
  /// ORDER BY (by output name or position only) and LIMIT / OFFSET over a finished query.
  plan::BatchNodePtr OrderAndLimitOutputs(plan::BatchNodePtr root,
                                          const ast::Select& select,
                                          std::string_view what);
  plan::BatchNodePtr ApplyLimit(plan::BatchNodePtr root, const ast::Select& select);

  BoundRelation BindFromList(const std::vector<ast::TableRefPtr>& from);
  BoundRelation BindTableRef(const ast::TableRef& table_ref);
  BoundRelation BindBaseTable(const ast::BaseTable& table);
  BoundRelation BindJoin(const ast::Join& join);
  BoundRelation BindNamedQuery(plan::BatchNodePtr plan,
                               const std::string& relation,
                               const std::vector<std::string>& column_aliases,
                               int32_t position);
  BindingOptions Options(std::string_view clause);

  const catalog::CatalogSnapshot& catalog_;
  SystemTableProvider* system_tables_;
  const function::EvaluationContext& context_;
  std::vector<const ast::CommonTableExpression*> ctes_;
  const Scope* outer_;
  bool* correlated_;
  /// Set while binding the operands of a set operation, whose untyped outputs are resolved
  /// together.
  bool keep_unknown_outputs_ = false;
};

/// Evaluates a constant expression (LIMIT, OFFSET) to a non-negative count; -1 for NULL (no limit).
int64_t EvaluateCount(const ast::Expression& expression,
                      std::string_view clause,
                      const function::EvaluationContext& context);

}  // namespace freshet::planner::internal
