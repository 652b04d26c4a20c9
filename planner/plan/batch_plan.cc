// SPDX-License-Identifier: Apache-2.0
#include "planner/plan/batch_plan.h"

#include <fmt/format.h>

#include "common/calendar.h"
#include "common/value.h"

namespace freshet::plan {
namespace {

// A span of microseconds as Postgres prints an interval of whole days and a time ("1 day
// 02:00:00").
std::string IntervalText(int64_t micros) {
  Interval span;
  span.days = static_cast<int32_t>(micros / calendar::kMicrosPerDay);
  span.micros = micros % calendar::kMicrosPerDay;
  return Value::FromInterval(span).ToText();
}

}  // namespace

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
    case BatchNodeKind::kTableScan: {
      const auto* scan = static_cast<const TableScanNode*>(this);
      line += scan->late_events ? fmt::format("TableScan LATE_EVENTS({})", scan->table.name)
                                : fmt::format("TableScan {}", scan->table.name);
      break;
    }
    case BatchNodeKind::kChunkScan:
      line += fmt::format("ChunkScan {}", static_cast<const ChunkScanNode*>(this)->name);
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
    case BatchNodeKind::kJoin: {
      static constexpr std::string_view kTypes[] = {"Inner", "Left", "Right",
                                                    "Full",  "Semi", "Anti"};
      const auto* join = static_cast<const JoinNode*>(this);
      line += fmt::format("{}Join", kTypes[static_cast<size_t>(join->type)]);
      for (size_t i = 0; i < join->left_keys.size(); ++i) {
        line += fmt::format("{}${} = ${}", i == 0 ? " " : ", ", join->left_keys[i],
                            join->right_keys[i]);
      }
      if (join->condition) {
        line += " on " + join->condition->ToString();
      }
      break;
    }
    case BatchNodeKind::kAggregate: {
      const auto* aggregate = static_cast<const AggregateNode*>(this);
      line += fmt::format("Aggregate group by {} column(s):", aggregate->group_count);
      for (const AggregateCall& call : aggregate->aggregates) {
        line += fmt::format(" {}{}(", call.function->name, call.distinct ? " distinct" : "");
        for (size_t i = 0; i < call.arguments.size(); ++i) {
          line += fmt::format("{}${}", i == 0 ? "" : ", ", call.arguments[i]);
        }
        line += ")";
      }
      break;
    }
    case BatchNodeKind::kSetOperation: {
      static constexpr std::string_view kOperations[] = {"Union", "Intersect", "Except"};
      const auto* set = static_cast<const SetOperationNode*>(this);
      line += fmt::format("{}{}", kOperations[static_cast<size_t>(set->operation)],
                          set->all ? " all" : "");
      break;
    }
    case BatchNodeKind::kHopWindow: {
      const auto* hop = static_cast<const HopWindowNode*>(this);
      if (hop->slide_micros == hop->size_micros) {
        line += fmt::format("Tumble ${} size {}", hop->time_column, IntervalText(hop->size_micros));
      } else {
        line += fmt::format("HopWindow ${} slide {} size {}", hop->time_column,
                            IntervalText(hop->slide_micros), IntervalText(hop->size_micros));
      }
      if (hop->offset_micros != 0) {
        line += fmt::format(" offset {}", IntervalText(hop->offset_micros));
      }
      break;
    }
    case BatchNodeKind::kSessionWindow: {
      const auto* session = static_cast<const SessionWindowNode*>(this);
      line += fmt::format("Session ${} gap {}", session->time_column,
                          IntervalText(session->gap_micros));
      for (size_t i = 0; i < session->key_columns.size(); ++i) {
        line += fmt::format("{}${}", i == 0 ? " by " : ", ", session->key_columns[i]);
      }
      break;
    }
  }
  line += '\n';
  if (input) {
    line += input->ToString(depth + 1);
  }
  if (kind == BatchNodeKind::kJoin) {
    line += static_cast<const JoinNode*>(this)->right->ToString(depth + 1);
  } else if (kind == BatchNodeKind::kSetOperation) {
    line += static_cast<const SetOperationNode*>(this)->right->ToString(depth + 1);
  }
  return line;
}

}  // namespace freshet::plan
