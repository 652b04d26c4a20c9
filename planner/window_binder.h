// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "catalog/catalog.h"
#include "function/scalar_function.h"
#include "parser/ast.h"
#include "planner/plan/batch_plan.h"
#include "planner/query_binder.h"

namespace freshet::planner::internal {

/// True if `name` (as the parser spells it, unquoted names in lower case) is one of the table
/// functions of DESIGN.md section 5 that WindowTableFunctionBinder binds: tumble, hop, session and
/// late_events.
bool IsWindowTableFunction(std::string_view name);

/// A window table function bound into a plan, before its alias is applied.
struct BoundTableFunction {
  /// Outputs the relation's columns (named as its scope names them) followed by `window_start` and
  /// `window_end`, or by `_watermark` for LATE_EVENTS.
  plan::BatchNodePtr node;
  /// The name the FROM item goes by without an alias: the relation's, so `bids.price` works in
  /// `FROM TUMBLE(bids, ...)`, as in RisingWave.
  std::string relation_name;
};

/// Binds `TUMBLE(t, ts, size [, offset])`, `HOP(t, ts, slide, size [, offset])`, `SESSION(t, ts,
/// gap, key...)`, their Flink spelling (`TABLE t`, `DESCRIPTOR(ts)`) and `LATE_EVENTS(t)`. The time
/// column must be a TIMESTAMP or TIMESTAMPTZ (42804); sizes, slides and gaps are constant positive
/// intervals without months (22023, 0A000). Throws Error with the position of the offending
/// argument. Not thread-safe; one per FROM item.
class WindowTableFunctionBinder {
 public:
  /// Binds the relation a table function's first argument names, as a FROM item without alias.
  using RelationBinder = std::function<BoundRelation(const ast::BaseTable&)>;

  WindowTableFunctionBinder(const catalog::CatalogSnapshot& catalog,
                            const function::EvaluationContext& context,
                            RelationBinder bind_relation);

  /// Binds `function`, whose name satisfies IsWindowTableFunction.
  BoundTableFunction Bind(const ast::TableFunction& function);

 private:
  BoundTableFunction BindHop(const ast::TableFunction& function, bool tumble);
  BoundTableFunction BindSession(const ast::TableFunction& function);
  BoundTableFunction BindLateEvents(const ast::TableFunction& function);

  /// Binds the relation named by the first argument; `relation_name` receives its visible name.
  BoundRelation BindRelationArgument(const ast::TableFunction& function,
                                     std::string& relation_name);
  /// Resolves argument `index`, which must name a column of `relation`; returns its index.
  uint32_t ColumnArgument(const ast::TableFunction& function,
                          size_t index,
                          const BoundRelation& relation,
                          std::string_view what);
  /// Evaluates argument `index`, a constant interval without months, to microseconds.
  int64_t IntervalArgument(const ast::TableFunction& function, size_t index, std::string_view what);

  const catalog::CatalogSnapshot& catalog_;
  const function::EvaluationContext& context_;
  RelationBinder bind_relation_;
};

}  // namespace freshet::planner::internal
