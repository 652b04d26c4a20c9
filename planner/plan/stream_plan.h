// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/data_type.h"
#include "planner/plan/batch_plan.h"
#include "planner/plan/expression.h"

namespace freshet::plan {

/// What a stream plan node does. Every node consumes and produces changelogs (chunks whose rows
/// carry an Op), watermarks and barriers.
enum class StreamNodeKind : uint8_t {
  kSource,
  kTableScan,
  kFilter,
  kProject,
  kHopWindow,
  kSessionWindow,
  kAggregate,
  kJoin,
  kTopN,
  kUnion,
  kExchange,
  kMaterialize,
  kSink,
};

/// How the rows of a node's output are spread over the parallel instances of its fragment.
enum class DistributionKind : uint8_t {
  /// Anywhere: each instance holds some rows.
  kAny,
  /// Rows with equal `columns` are in the same instance (chosen by a stable hash).
  kHash,
  /// All rows in one instance.
  kSingle,
};

/// A distribution: its kind and, for kHash, the columns hashed.
struct Distribution {
  DistributionKind kind = DistributionKind::kAny;
  std::vector<uint32_t> columns;
};

/// The watermark a source or table declares, carried by the columns derived from its time column:
/// every future row has `column >= watermark` except late ones, and rows within `lateness_micros`
/// behind it still change results.
struct WatermarkColumn {
  uint32_t column = 0;
  int64_t lateness_micros = 0;
};

/// A node of a stream plan: plain data, owned as a tree (joins and unions have several inputs).
struct StreamNode {
  explicit StreamNode(StreamNodeKind node_kind) : kind(node_kind) {}
  virtual ~StreamNode() = default;
  StreamNode(const StreamNode&) = delete;
  StreamNode& operator=(const StreamNode&) = delete;

  StreamNodeKind kind;
  /// All output columns, including hidden key columns that the user's query did not select.
  std::vector<OutputColumn> outputs;
  std::vector<std::unique_ptr<StreamNode>> inputs;
  /// Output columns whose values identify a row: a row is inserted at most once under a key
  /// before it is deleted again.
  std::vector<uint32_t> stream_key;
  /// True when the node only ever emits inserts.
  bool append_only = false;
  /// Output columns that carry a watermark.
  std::vector<WatermarkColumn> watermarks;
  Distribution distribution;
  /// Numbers the stateful nodes of one view, so each finds its state tables again on restart.
  uint16_t operator_id = 0;

  std::vector<DataType> OutputTypes() const;
  /// The watermark of output column `column`, if it carries one.
  const WatermarkColumn* FindWatermark(uint32_t column) const;
  /// Renders the subtree for EXPLAIN, one node per line, indented by depth.
  std::string ToString(int depth = 0) const;
};
using StreamNodePtr = std::unique_ptr<StreamNode>;

/// The rows of a source, read by generator or Kafka readers, followed by a hidden `_row_id`
/// BIGINT key. With `late_events`, only the rows that arrived behind the watermark, followed by
/// `_watermark` (the watermark they missed) and `_row_id`.
struct StreamSourceNode final : StreamNode {
  StreamSourceNode() : StreamNode(StreamNodeKind::kSource) {}
  uint32_t relation_id = 0;
  std::string relation_name;
  std::vector<std::pair<std::string, std::string>> options;
  std::vector<std::string> column_names;
  std::vector<DataType> column_types;
  /// Index of the watermarked time column, its delay and its allowed lateness.
  std::optional<uint32_t> watermark_column;
  int64_t watermark_delay_micros = 0;
  int64_t lateness_micros = 0;
  bool late_events = false;
  /// The message format of a Kafka source (catalog::Relation's fields of the same names).
  std::string format;
  std::string encode;
  std::vector<std::pair<std::string, std::string>> encode_options;
  std::vector<std::pair<std::string, uint32_t>> included_columns;
  /// FORMAT UPSERT: the primary key of the table the source feeds, decoded from message keys; the
  /// rows are then upserts (inserts replacing the key's row) and deletes of a key.
  std::vector<uint32_t> key_columns;
};

/// The rows of a table or materialized view: first those stored when the view is created
/// (backfill), then every change committed after. Outputs the stored columns, then the hidden key
/// columns (a table without a primary key: `_row_id`; a view: its hidden key columns).
struct StreamTableScanNode final : StreamNode {
  StreamTableScanNode() : StreamNode(StreamNodeKind::kTableScan) {}
  uint32_t relation_id = 0;
  std::string relation_name;
  /// The stored (value) columns.
  std::vector<DataType> column_types;
  /// The columns of the storage key, as output column indexes, in key order.
  std::vector<uint32_t> storage_key;
  /// True when the storage key is a hidden row id (a table without a primary key).
  bool row_id_key = false;
  /// True when the relation's changes come from its own dataflow (a materialized view, a table fed
  /// by a connector: catalog::Relation::HasDataflow); false for a table changed by DML.
  bool from_dataflow = false;
  std::optional<uint32_t> watermark_column;
  int64_t watermark_delay_micros = 0;
  int64_t lateness_micros = 0;
  bool late_events = false;
};

/// The input rows for which `predicate` is true.
struct StreamFilterNode final : StreamNode {
  StreamFilterNode() : StreamNode(StreamNodeKind::kFilter) {}
  ExpressionPtr predicate;
};

/// One output column per expression over the input.
struct StreamProjectNode final : StreamNode {
  StreamProjectNode() : StreamNode(StreamNodeKind::kProject) {}
  std::vector<ExpressionPtr> expressions;
  /// For each output, the input column it copies unchanged, if any: watermarks follow them.
  std::vector<std::optional<uint32_t>> passthrough;
};

/// TUMBLE / HOP: the input columns then window_start and window_end, one row per window.
struct StreamHopWindowNode final : StreamNode {
  StreamHopWindowNode() : StreamNode(StreamNodeKind::kHopWindow) {}
  uint32_t time_column = 0;
  int64_t size_micros = 0;
  int64_t slide_micros = 0;
  int64_t offset_micros = 0;
};

/// SESSION: the input columns then window_start and window_end; merging sessions retracts and
/// re-emits the rows of the merged ones.
struct StreamSessionWindowNode final : StreamNode {
  StreamSessionWindowNode() : StreamNode(StreamNodeKind::kSessionWindow) {}
  uint32_t time_column = 0;
  int64_t gap_micros = 0;
  std::vector<uint32_t> key_columns;
};

/// Groups by the first `group_count` input columns and maintains the aggregates under inserts and
/// retractions; emits the changes of each group's row.
struct StreamAggregateNode final : StreamNode {
  StreamAggregateNode() : StreamNode(StreamNodeKind::kAggregate) {}
  uint32_t group_count = 0;
  std::vector<AggregateCall> aggregates;
  /// The input is append-only, so min/max need no retractable state.
  bool input_append_only = false;
  /// EMIT ON WINDOW CLOSE: a group's row is emitted once the watermark on `window_column` (a group
  /// column) passes it, then only corrections within the allowed lateness.
  bool emit_on_window_close = false;
  /// The group column carrying a watermark, whose closed groups are emitted and cleaned.
  std::optional<uint32_t> window_column;
};

/// A hash join of inputs[0] (left) and inputs[1] (right) with state for both sides. Outputs the
/// left columns then the right ones.
struct StreamJoinNode final : StreamNode {
  StreamJoinNode() : StreamNode(StreamNodeKind::kJoin) {}
  JoinType type = JoinType::kInner;
  std::vector<uint32_t> left_keys;
  std::vector<uint32_t> right_keys;
  /// Evaluated on the joined row (left columns then right ones); nullptr means true.
  ExpressionPtr condition;
  /// State cleaning: rows of a side whose `clean_column` is below that side's watermark on
  /// `watermark_column` minus `clean_delay_micros` can no longer join and are dropped. Window joins
  /// clean by window_start; interval joins by the time column and the interval bound.
  struct Cleaning {
    uint32_t clean_column = 0;
    uint32_t watermark_column = 0;
    int64_t clean_delay_micros = 0;
    /// `watermark_column` is a column of the other input (interval joins: a row is dead once the
    /// other side's watermark passes the last time it could match).
    bool by_other_side = false;
  };
  std::optional<Cleaning> left_cleaning;
  std::optional<Cleaning> right_cleaning;
};

/// ORDER BY ... LIMIT in a view: keeps the first `offset + limit` rows by `order_by` (ties broken
/// by the stream key) and emits changes to the rows ranked within the limit.
struct StreamTopNNode final : StreamNode {
  StreamTopNNode() : StreamNode(StreamNodeKind::kTopN) {}
  std::vector<SortKey> order_by;
  int64_t limit = 0;
  int64_t offset = 0;
};

/// UNION ALL of the inputs, which have the same output columns.
struct StreamUnionNode final : StreamNode {
  StreamUnionNode() : StreamNode(StreamNodeKind::kUnion) {}
};

/// Redistributes the input to the instances of the next fragment by `distribution`.
struct StreamExchangeNode final : StreamNode {
  StreamExchangeNode() : StreamNode(StreamNodeKind::kExchange) {}
};

/// Upserts the input into the view's stored rows keyed by `stream_key`; stores the first
/// `visible_count` columns as the row and forwards the changes to views built on this one.
struct StreamMaterializeNode final : StreamNode {
  StreamMaterializeNode() : StreamNode(StreamNodeKind::kMaterialize) {}
  uint32_t relation_id = 0;
  uint32_t visible_count = 0;
  /// The input is an upsert stream (a table fed by FORMAT UPSERT messages): an insert replaces the
  /// row stored under its key, a delete names only the key. The operator keeps the stored rows to
  /// turn it into the changelog it stores and forwards.
  bool upsert = false;
};

/// Sends every change of its input to an external system (CREATE SINK): the root of a sink's plan,
/// where a view's has its materialize node. The sink's own columns are the first `visible_count`
/// outputs; hidden key columns follow.
struct StreamSinkNode final : StreamNode {
  StreamSinkNode() : StreamNode(StreamNodeKind::kSink) {}
  uint32_t relation_id = 0;
  std::string sink_name;
  /// The WITH options and the FORMAT ... ENCODE ... clause (catalog::Relation's fields).
  std::vector<std::pair<std::string, std::string>> options;
  std::string format;
  std::string encode;
  std::vector<std::pair<std::string, std::string>> encode_options;
  uint32_t visible_count = 0;
};

/// A view's or sink's stream plan: the root (a materialize or sink node) and the number of parallel
/// instances of its hash-distributed fragments.
struct StreamPlan {
  StreamNodePtr root;
  uint32_t parallelism = 1;
  std::string ToString() const { return root->ToString(); }
};

}  // namespace freshet::plan
