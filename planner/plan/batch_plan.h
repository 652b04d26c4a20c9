// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/column.h"
#include "common/data_type.h"
#include "function/aggregate_function.h"
#include "planner/plan/expression.h"

namespace freshet::plan {

/// One output column of a plan node, with where it came from (for RowDescription's table OID and
/// attnum).
struct OutputColumn {
  std::string name;
  DataType type;
  uint32_t table_oid = 0;
  int16_t column_attnum = 0;
};

/// Where a stored relation's rows live and how they are keyed.
struct TableDescriptor {
  uint32_t table_id = 0;
  std::string name;
  std::vector<std::string> column_names;
  std::vector<DataType> column_types;
  std::vector<bool> not_null;
  /// Column indexes of the primary key; empty means a hidden row id.
  std::vector<uint32_t> primary_key;
};

/// What a batch plan node does.
enum class BatchNodeKind : uint8_t {
  kValues,
  kTableScan,
  kChunkScan,
  kFilter,
  kProject,
  kSort,
  kLimit,
  kJoin,
  kAggregate,
  kSetOperation,
  kHopWindow,
  kSessionWindow,
};

/// A node of a batch (ad-hoc query) plan: plain data, owned as a tree.
struct BatchNode {
  explicit BatchNode(BatchNodeKind node_kind) : kind(node_kind) {}
  virtual ~BatchNode() = default;
  BatchNode(const BatchNode&) = delete;
  BatchNode& operator=(const BatchNode&) = delete;

  BatchNodeKind kind;
  std::vector<OutputColumn> outputs;
  std::unique_ptr<BatchNode> input;

  std::vector<DataType> OutputTypes() const;
  /// Renders the subtree for EXPLAIN, one node per line, indented by depth.
  std::string ToString(int depth = 0) const;
};
using BatchNodePtr = std::unique_ptr<BatchNode>;

/// Literal rows, each expression evaluated over an empty input (SELECT without FROM, INSERT ...
/// VALUES).
struct ValuesNode final : BatchNode {
  ValuesNode() : BatchNode(BatchNodeKind::kValues) {}
  std::vector<std::vector<ExpressionPtr>> rows;
};

/// All rows of a stored relation, read from one consistent snapshot.
struct TableScanNode final : BatchNode {
  TableScanNode() : BatchNode(BatchNodeKind::kTableScan) {}
  TableDescriptor table;
  /// Appends a BYTEA column with each row's storage key, for UPDATE and DELETE.
  bool with_row_key = false;
  /// `LATE_EVENTS(relation)`: the rows of the relation that arrived behind its watermark, followed
  /// by a `_watermark` column; only a stream plan can produce them.
  bool late_events = false;
};

/// Rows computed before execution (system relations), shared with the plan that produced them.
struct ChunkScanNode final : BatchNode {
  ChunkScanNode() : BatchNode(BatchNodeKind::kChunkScan) {}
  std::string name;
  std::shared_ptr<const Chunk> rows;
};

/// The input rows for which `predicate` is true.
struct FilterNode final : BatchNode {
  FilterNode() : BatchNode(BatchNodeKind::kFilter) {}
  ExpressionPtr predicate;
};

/// One output column per expression over the input.
struct ProjectNode final : BatchNode {
  ProjectNode() : BatchNode(BatchNodeKind::kProject) {}
  std::vector<ExpressionPtr> expressions;
};

/// One key of a sort: an input column, its direction and where NULLs go.
struct SortKey {
  uint32_t column_index = 0;
  bool descending = false;
  bool nulls_first = false;
};

/// The input ordered by `keys`; stable, so ties keep input order.
struct SortNode final : BatchNode {
  SortNode() : BatchNode(BatchNodeKind::kSort) {}
  std::vector<SortKey> keys;
};

/// At most `limit` rows after skipping `offset`.
struct LimitNode final : BatchNode {
  LimitNode() : BatchNode(BatchNodeKind::kLimit) {}
  std::optional<int64_t> limit;
  int64_t offset = 0;
};

/// How a join pairs rows: the SQL join types plus the semi and anti joins of EXISTS / IN subqueries
/// (which output only the left columns).
enum class JoinType : uint8_t { kInner, kLeft, kRight, kFull, kSemi, kAnti };

/// Joins `input` (left) with `right`: rows pair when their key columns are equal (NULL keys never
/// match) and `condition` (over the left columns followed by the right ones) is true. No keys pairs
/// every row with every row. Outputs left then right columns (only the left ones for semi and anti
/// joins).
struct JoinNode final : BatchNode {
  JoinNode() : BatchNode(BatchNodeKind::kJoin) {}
  JoinType type = JoinType::kInner;
  std::unique_ptr<BatchNode> right;
  std::vector<uint32_t> left_keys;
  std::vector<uint32_t> right_keys;
  /// Evaluated on the paired row; nullptr means true.
  ExpressionPtr condition;
};

/// One aggregate call of an AggregateNode: the function, its argument columns of the input, an
/// optional boolean FILTER column and DISTINCT.
struct AggregateCall {
  const function::AggregateFunction* function = nullptr;
  std::vector<uint32_t> arguments;
  std::optional<uint32_t> filter;
  bool distinct = false;
  /// Input columns ordering the values of order-sensitive aggregates (string_agg(x, ',' ORDER BY
  /// y)).
  std::vector<SortKey> order_by;
  DataType result;
};

/// Groups the input by its first `group_count` columns and computes the aggregates per group;
/// outputs the group columns then one column per aggregate. With no group columns there is exactly
/// one output row, even for an empty input.
struct AggregateNode final : BatchNode {
  AggregateNode() : BatchNode(BatchNodeKind::kAggregate) {}
  uint32_t group_count = 0;
  std::vector<AggregateCall> aggregates;
};

/// UNION, INTERSECT or EXCEPT of `input` (left) and `right`, which have the same column types;
/// without `all` duplicates are removed.
struct SetOperationNode final : BatchNode {
  enum class Operation : uint8_t { kUnion, kIntersect, kExcept };
  SetOperationNode() : BatchNode(BatchNodeKind::kSetOperation) {}
  Operation operation = Operation::kUnion;
  bool all = false;
  std::unique_ptr<BatchNode> right;
};

/// `TUMBLE(t, ts, size [, offset])` and `HOP(t, ts, slide, size [, offset])`: the input columns
/// followed by `window_start` and `window_end` (of the time column's type), one output row per
/// window [start, start + size) containing the row's time, starts aligned to `offset` modulo
/// `slide`. TUMBLE has slide == size. Rows with a NULL time belong to no window.
struct HopWindowNode final : BatchNode {
  HopWindowNode() : BatchNode(BatchNodeKind::kHopWindow) {}
  uint32_t time_column = 0;
  int64_t size_micros = 0;
  int64_t slide_micros = 0;
  int64_t offset_micros = 0;
};

/// `SESSION(t, ts, gap, key...)`: the input columns followed by `window_start` and `window_end`.
/// Rows with equal key columns whose times are less than `gap` apart form one session: start is
/// the first time, end the last time plus the gap. Rows with a NULL time belong to no session.
struct SessionWindowNode final : BatchNode {
  SessionWindowNode() : BatchNode(BatchNodeKind::kSessionWindow) {}
  uint32_t time_column = 0;
  int64_t gap_micros = 0;
  std::vector<uint32_t> key_columns;
};

}  // namespace freshet::plan
