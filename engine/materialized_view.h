// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "catalog/catalog.h"
#include "function/scalar_function.h"
#include "parser/ast.h"
#include "planner/stream_planner.h"
#include "planner/system_table.h"

namespace freshet::engine {

class Database;

/// Binds and plans the query of `statement` as the dataflow of view `view_id` with `parallelism`
/// instances of its distributed operators.
planner::MaterializedViewPlan PlanMaterializedView(
    const ast::CreateMaterializedView& statement,
    std::shared_ptr<const catalog::CatalogSnapshot> catalog,
    const function::EvaluationContext& context,
    catalog::ObjectId view_id,
    uint32_t parallelism);

/// `options` with their keys in lower case, as the catalog keeps WITH and ENCODE options.
std::vector<std::pair<std::string, std::string>> LowerCaseOptions(
    const std::vector<ast::Option>& options);

/// Binds and plans the query of sink `statement` (`FROM v` reads as `SELECT * FROM v`) as the
/// dataflow of sink `sink_id`: a view's plan with the sink's connector at the root.
planner::MaterializedViewPlan PlanSink(const ast::CreateSink& statement,
                                       std::shared_ptr<const catalog::CatalogSnapshot> catalog,
                                       const function::EvaluationContext& context,
                                       catalog::ObjectId sink_id,
                                       uint32_t parallelism);

/// Re-plans every materialized view and sink of the catalog from its definition and deploys it from
/// its committed state, oldest first (a view is newer than what it reads). One that fails to plan
/// is logged and left without a dataflow, so one bad view cannot keep the server down.
void RecoverViews(Database& database);

}  // namespace freshet::engine
