// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "catalog/catalog.h"
#include "planner/plan/batch_plan.h"
#include "planner/plan/stream_plan.h"

namespace freshet::planner {

/// A materialized view's dataflow and the shape of its stored rows.
struct MaterializedViewPlan {
  std::shared_ptr<plan::StreamPlan> plan;
  /// The columns the query outputs.
  std::vector<catalog::ColumnSchema> columns;
  /// Key columns the query does not output.
  std::vector<catalog::ColumnSchema> hidden_columns;
  /// Indexes into `columns` then `hidden_columns`.
  std::vector<uint32_t> stream_key;
  /// The relations the view reads.
  std::vector<catalog::ObjectId> depends_on;
};

/// Turns the bound query of a materialized view (a batch plan, as the binder makes for SELECT)
/// into a stream plan: changelog operators with stream keys, exchanges where a stateful operator
/// needs its input distributed by key, watermarks derived from the sources' declarations, and a
/// materialize node writing into view `view_id`. Throws Error 0A000 for what a view cannot
/// maintain incrementally.
MaterializedViewPlan PlanMaterializedView(const plan::BatchNode& query,
                                          const catalog::CatalogSnapshot& catalog,
                                          catalog::ObjectId view_id,
                                          bool emit_on_window_close,
                                          uint32_t parallelism);

/// The source node reading `relation`'s connector (a source, or a table fed by one): its options,
/// format and columns; the caller sets its outputs, stream key and watermarks.
std::unique_ptr<plan::StreamSourceNode> MakeSourceNode(const catalog::Relation& relation);

/// Plans the dataflow of `table`, a table fed by a connector (CREATE TABLE ... WITH (connector =
/// ...)): the connector's readers, then one upsert materialize node keeping the table's rows by
/// primary key and forwarding their changes to the views that read the table.
MaterializedViewPlan PlanConnectorTable(const catalog::Relation& table, uint32_t parallelism);

/// Plans sink `sink_id` over `query` as PlanMaterializedView plans a view, with `sink` (its
/// connector fields filled in) at the root in place of the materialize node.
MaterializedViewPlan PlanSink(const plan::BatchNode& query,
                              const catalog::CatalogSnapshot& catalog,
                              catalog::ObjectId sink_id,
                              uint32_t parallelism,
                              std::unique_ptr<plan::StreamSinkNode> sink);

}  // namespace freshet::planner
