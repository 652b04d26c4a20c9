// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "parser/ast.h"
#include "planner/plan/batch_plan.h"

namespace freshet::planner {

/// An INSERT ready to run: the target table and a plan producing its rows in table column order,
/// already converted to the column types.
struct InsertPlan {
  plan::TableDescriptor table;
  plan::BatchNodePtr source;
};

/// Turns ASTs into bound, typed plans against one catalog snapshot: resolves names (42P01, 42703,
/// 42702), types and functions (42883, 42804), following Postgres's coercion rules. Throws Error
/// with the position of the offending token. Not thread-safe; make one per statement.
class Binder {
 public:
  /// `context` (the statement's clock and session settings) must outlive the binder.
  Binder(std::shared_ptr<const catalog::CatalogSnapshot> catalog,
         const function::EvaluationContext& context);

  /// Binds a query (SELECT, VALUES) into a batch plan.
  plan::BatchNodePtr BindQuery(const ast::Select& select);
  /// Binds INSERT ... VALUES | SELECT.
  InsertPlan BindInsert(const ast::Insert& insert);

 private:
  std::shared_ptr<const catalog::CatalogSnapshot> catalog_;
  const function::EvaluationContext& context_;
};

/// Resolves a written type (`varchar(10)`, `int4`, `numeric(10,2)`) to a DataType; 42704 if
/// unknown.
DataType ResolveType(const ast::TypeName& type);

/// Describes where a stored relation's rows live, for scans and writes.
plan::TableDescriptor DescribeTable(const catalog::Relation& relation);

}  // namespace freshet::planner
