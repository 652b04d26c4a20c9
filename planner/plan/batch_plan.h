// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/data_type.h"
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
enum class BatchNodeKind : uint8_t { kValues, kTableScan, kFilter, kProject, kSort, kLimit };

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

}  // namespace freshet::plan
