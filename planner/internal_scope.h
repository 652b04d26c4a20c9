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
};

/// The columns visible in a query block, in input-chunk order.
struct Scope {
  std::vector<ScopeColumn> columns;
};

}  // namespace freshet::planner::internal
