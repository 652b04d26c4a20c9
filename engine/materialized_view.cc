// SPDX-License-Identifier: Apache-2.0
#include "engine/materialized_view.h"

#include <cctype>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "common/ascii.h"
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

std::vector<std::pair<std::string, std::string>> LowerCaseOptions(
    const std::vector<ast::Option>& options) {
  std::vector<std::pair<std::string, std::string>> lowered;
  for (const ast::Option& option : options) {
    lowered.emplace_back(AsciiLower(option.key), option.value);
  }
  return lowered;
}

planner::MaterializedViewPlan PlanSink(const ast::CreateSink& statement,
                                       std::shared_ptr<const catalog::CatalogSnapshot> catalog,
                                       const function::EvaluationContext& context,
                                       catalog::ObjectId sink_id,
                                       uint32_t parallelism) {
  std::vector<ast::StatementPtr> from;
  const ast::Select* query = statement.query.get();
  if (query == nullptr) {
    // The name as written (already folded by the parser), quoted so that it parses back as itself.
    std::string quoted = "\"";
    for (char c : statement.from) {
      quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
    }
    from = parser::Parse("SELECT * FROM " + quoted + "\"");
    query = static_cast<const ast::SelectStatement&>(*from.at(0)).select.get();
  }
  planner::Binder binder(catalog, context, nullptr);
  plan::BatchNodePtr bound = binder.BindQuery(*query);
  auto sink = std::make_unique<plan::StreamSinkNode>();
  sink->sink_name = statement.name;
  sink->options = LowerCaseOptions(statement.with);
  if (statement.format) {
    sink->format = AsciiLower(statement.format->format);
    sink->encode = AsciiLower(statement.format->encode);
    sink->encode_options = LowerCaseOptions(statement.format->options);
  }
  return planner::PlanSink(*bound, *catalog, sink_id, parallelism, std::move(sink));
}

void RecoverViews(Database& database) {
  std::shared_ptr<const catalog::CatalogSnapshot> snapshot = database.Catalog().Snapshot();
  function::EvaluationContext context;
  for (const auto& relation : snapshot->Relations()) {
    if (!relation->HasDataflow()) {
      continue;
    }
    const bool is_sink = relation->kind == catalog::RelationKind::kSink;
    try {
      if (relation->FedByConnector()) {
        database.Streams().Deploy(
            relation->id, planner::PlanConnectorTable(*relation, relation->parallelism).plan,
            /*backfill=*/false, storage::WriteBatch());
        continue;
      }
      std::vector<ast::StatementPtr> statements = parser::Parse(relation->definition);
      const ast::StatementKind expected =
          is_sink ? ast::StatementKind::kCreateSink : ast::StatementKind::kCreateMaterializedView;
      if (statements.size() != 1 || statements[0]->kind != expected) {
        throw Error(SqlState::kDataCorrupted, "the stored definition does not create it");
      }
      planner::MaterializedViewPlan plan =
          is_sink ? PlanSink(static_cast<const ast::CreateSink&>(*statements[0]), snapshot, context,
                             relation->id, relation->parallelism)
                  : PlanMaterializedView(
                        static_cast<const ast::CreateMaterializedView&>(*statements[0]), snapshot,
                        context, relation->id, relation->parallelism);
      database.Streams().Deploy(relation->id, std::move(plan.plan), /*backfill=*/false,
                                storage::WriteBatch());
    } catch (const Error& error) {
      FRESHET_LOG_ERROR("engine", "the dataflow of \"{}\" cannot be restored: {}", relation->name,
                        error.Message());
    }
  }
}

}  // namespace freshet::engine
