// SPDX-License-Identifier: Apache-2.0
#include "planner/plan/batch_plan.h"

#include <fmt/format.h>

namespace freshet::plan {

std::vector<DataType> BatchNode::OutputTypes() const {
  std::vector<DataType> types;
  types.reserve(outputs.size());
  for (const OutputColumn& output : outputs) {
    types.push_back(output.type);
  }
  return types;
}

std::string BatchNode::ToString(int depth) const {
  std::string line(static_cast<size_t>(depth) * 2, ' ');
  switch (kind) {
    case BatchNodeKind::kValues:
      line += fmt::format("Values (rows: {})", static_cast<const ValuesNode*>(this)->rows.size());
      break;
    case BatchNodeKind::kTableScan:
      line += fmt::format("TableScan {}", static_cast<const TableScanNode*>(this)->table.name);
      break;
    case BatchNodeKind::kFilter:
      line += fmt::format("Filter {}", static_cast<const FilterNode*>(this)->predicate->ToString());
      break;
    case BatchNodeKind::kProject: {
      line += "Project";
      const auto& expressions = static_cast<const ProjectNode*>(this)->expressions;
      for (size_t i = 0; i < expressions.size(); ++i) {
        line += (i == 0 ? " " : ", ") + expressions[i]->ToString();
      }
      break;
    }
    case BatchNodeKind::kSort: {
      line += "Sort";
      const auto& keys = static_cast<const SortNode*>(this)->keys;
      for (size_t i = 0; i < keys.size(); ++i) {
        line += fmt::format("{}${}{}{}", i == 0 ? " " : ", ", keys[i].column_index,
                            keys[i].descending ? " DESC" : "",
                            keys[i].nulls_first ? " NULLS FIRST" : " NULLS LAST");
      }
      break;
    }
    case BatchNodeKind::kLimit: {
      const auto* limit = static_cast<const LimitNode*>(this);
      line += fmt::format("Limit {} offset {}",
                          limit->limit ? fmt::format("{}", *limit->limit) : "all", limit->offset);
      break;
    }
  }
  line += '\n';
  if (input) {
    line += input->ToString(depth + 1);
  }
  return line;
}

}  // namespace freshet::plan
