// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "parser/ast.h"
#include "planner/internal_scope.h"
#include "planner/plan/batch_plan.h"
#include "planner/system_table.h"

namespace freshet::planner {

/// An INSERT ready to run: the target table and a plan producing its rows in table column order,
/// already converted to the column types.
struct InsertPlan {
  plan::TableDescriptor table;
  plan::BatchNodePtr source;
};

/// An UPDATE or DELETE ready to run: the table and a plan producing one row per affected table row:
/// the new column values in table order (UPDATE only), then the row's storage key.
struct ModifyPlan {
  plan::TableDescriptor table;
  plan::BatchNodePtr source;
};

/// Turns ASTs into bound, typed plans against one catalog snapshot: resolves names (42P01, 42703,
/// 42702), types and functions (42883, 42804), following Postgres's coercion rules. Throws Error
/// with the position of the offending token. Not thread-safe; make one per statement.
class Binder {
 public:
  /// `context` (the statement's clock and session settings) must outlive the binder.
  /// `system_tables`, when not null, serves pg_catalog and the other system relations.
  Binder(std::shared_ptr<const catalog::CatalogSnapshot> catalog,
         const function::EvaluationContext& context,
         SystemTableProvider* system_tables = nullptr);

  /// Binds a query (SELECT, VALUES) into a batch plan.
  plan::BatchNodePtr BindQuery(const ast::Select& select);
  /// Binds INSERT ... VALUES | SELECT.
  InsertPlan BindInsert(const ast::Insert& insert);
  /// Binds UPDATE t SET ... [WHERE ...].
  ModifyPlan BindUpdate(const ast::Update& update);
  /// Binds DELETE FROM t [WHERE ...].
  ModifyPlan BindDelete(const ast::Delete& deletion);

 private:
  /// Resolves the target of INSERT, UPDATE or DELETE, which must be a table.
  std::shared_ptr<const catalog::Relation> TargetTable(const std::string& schema,
                                                       const std::string& name,
                                                       int32_t position,
                                                       std::string_view verb) const;
  /// Scans `relation` with row keys, filtered by `where`; `scope` receives its columns.
  plan::BatchNodePtr ScanForModify(const catalog::Relation& relation,
                                   const ast::Expression* where,
                                   internal::Scope& scope);

  std::shared_ptr<const catalog::CatalogSnapshot> catalog_;
  const function::EvaluationContext& context_;
  SystemTableProvider* system_tables_;
};

/// Resolves a written type (`varchar(10)`, `int4`, `numeric(10,2)`) to a DataType; 42704 if
/// unknown.
DataType ResolveType(const ast::TypeName& type);

/// Describes where a stored relation's rows live, for scans and writes.
plan::TableDescriptor DescribeTable(const catalog::Relation& relation);

}  // namespace freshet::planner
