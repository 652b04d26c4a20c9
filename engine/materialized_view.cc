// SPDX-License-Identifier: Apache-2.0
#include "engine/materialized_view.h"

#include <fmt/format.h>

#include "common/error.h"
#include "common/logging.h"
#include "engine/database.h"
#include "parser/parser.h"
#include "planner/binder.h"

namespace freshet::engine {

planner::MaterializedViewPlan PlanMaterializedView(
    const ast::CreateMaterializedView& statement,
    std::shared_ptr<const catalog::CatalogSnapshot> catalog,
    const function::EvaluationContext& context,
    catalog::ObjectId view_id,
    uint32_t parallelism) {
  planner::Binder binder(catalog, context, nullptr);
  plan::BatchNodePtr query = binder.BindQuery(*statement.query);
  return planner::PlanMaterializedView(*query, *catalog, view_id,
                                       statement.query->emit_on_window_close, parallelism);
}

void RecoverViews(Database& database) {
  std::shared_ptr<const catalog::CatalogSnapshot> snapshot = database.Catalog().Snapshot();
  function::EvaluationContext context;
  for (const auto& relation : snapshot->Relations()) {
    if (relation->kind != catalog::RelationKind::kMaterializedView) {
      continue;
    }
    try {
      std::vector<ast::StatementPtr> statements = parser::Parse(relation->definition);
      if (statements.size() != 1 ||
          statements[0]->kind != ast::StatementKind::kCreateMaterializedView) {
        throw Error(SqlState::kDataCorrupted,
                    "the stored definition is not CREATE MATERIALIZED VIEW");
      }
      planner::MaterializedViewPlan plan =
          PlanMaterializedView(static_cast<const ast::CreateMaterializedView&>(*statements[0]),
                               snapshot, context, relation->id, relation->parallelism);
      database.Streams().Deploy(relation->id, std::move(plan.plan), /*backfill=*/false,
                                storage::WriteBatch());
    } catch (const Error& error) {
      FRESHET_LOG_ERROR("engine", "materialized view \"{}\" cannot be restored: {}", relation->name,
                        error.Message());
    }
  }
}

}  // namespace freshet::engine
