// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/data_type.h"

namespace freshet::planner::internal {

/// One column visible to expressions of a query block: its name, the relation (or alias) it belongs
/// to, and its position in the input chunk.
struct ScopeColumn {
  std::string name;
  std::string relation;
  DataType type;
  uint32_t table_oid = 0;
  int16_t column_attnum = 0;
  /// Reachable only qualified and not part of `*`: a join's USING column as seen from one side.
  bool hidden = false;
};

/// The columns visible in a query block, in input-chunk order.
struct Scope {
  std::vector<ScopeColumn> columns;
};

/// What the expressions of an aggregating query block may refer to after grouping: the group keys
/// (by their bound form over the FROM scope) and the aggregate calls (by AST node). Output columns
/// of the aggregation are the keys, then the aggregates.
struct GroupingContext {
  const Scope* input = nullptr;
  std::vector<std::string> keys;
  std::vector<DataType> key_types;
  std::vector<const void*> aggregates;
  std::vector<DataType> aggregate_types;
};

}  // namespace freshet::planner::internal
