// SPDX-License-Identifier: Apache-2.0
#include "planner/plan/stream_plan.h"

#include <fmt/format.h>

namespace freshet::plan {
namespace {

std::string ColumnList(const std::vector<uint32_t>& columns) {
  std::string text = "[";
  for (size_t i = 0; i < columns.size(); ++i) {
    text += fmt::format("{}${}", i == 0 ? "" : ", ", columns[i]);
  }
  return text + "]";
}

std::string Micros(int64_t micros) {
  if (micros % 1'000'000 == 0) {
    return fmt::format("{}s", micros / 1'000'000);
  }
  if (micros % 1'000 == 0) {
    return fmt::format("{}ms", micros / 1'000);
  }
  return fmt::format("{}us", micros);
}

/// The node's own description, without its properties.
std::string Describe(const StreamNode& node) {
  switch (node.kind) {
    case StreamNodeKind::kSource: {
      const auto& source = static_cast<const StreamSourceNode&>(node);
      std::string text = fmt::format("StreamSource {}", source.relation_name);
      if (source.late_events) {
        text += " late events";
      }
      if (source.watermark_column) {
        text += fmt::format(" watermark ${} - {}", *source.watermark_column,
                            Micros(source.watermark_delay_micros));
      }
      return text;
    }
    case StreamNodeKind::kTableScan: {
      const auto& scan = static_cast<const StreamTableScanNode&>(node);
      std::string text = fmt::format("StreamTableScan {}", scan.relation_name);
      if (scan.late_events) {
        text += " late events";
      }
      if (scan.watermark_column) {
        text += fmt::format(" watermark ${} - {}", *scan.watermark_column,
                            Micros(scan.watermark_delay_micros));
      }
      return text;
    }
    case StreamNodeKind::kFilter:
      return "StreamFilter " + static_cast<const StreamFilterNode&>(node).predicate->ToString();
    case StreamNodeKind::kProject: {
      std::string text = "StreamProject";
      const auto& expressions = static_cast<const StreamProjectNode&>(node).expressions;
      for (size_t i = 0; i < expressions.size(); ++i) {
        text += (i == 0 ? " " : ", ") + expressions[i]->ToString();
      }
      return text;
    }
    case StreamNodeKind::kHopWindow: {
      const auto& hop = static_cast<const StreamHopWindowNode&>(node);
      if (hop.size_micros == hop.slide_micros) {
        return fmt::format("StreamTumble time=${} size={}", hop.time_column,
                           Micros(hop.size_micros));
      }
      return fmt::format("StreamHop time=${} slide={} size={}", hop.time_column,
                         Micros(hop.slide_micros), Micros(hop.size_micros));
    }
    case StreamNodeKind::kSessionWindow: {
      const auto& session = static_cast<const StreamSessionWindowNode&>(node);
      return fmt::format("StreamSession time=${} gap={} key={}", session.time_column,
                         Micros(session.gap_micros), ColumnList(session.key_columns));
    }
    case StreamNodeKind::kAggregate: {
      const auto& aggregate = static_cast<const StreamAggregateNode&>(node);
      std::vector<uint32_t> groups;
      for (uint32_t i = 0; i < aggregate.group_count; ++i) {
        groups.push_back(i);
      }
      std::string text = "StreamHashAggregate group=" + ColumnList(groups);
      text += " aggs=[";
      for (size_t a = 0; a < aggregate.aggregates.size(); ++a) {
        const AggregateCall& call = aggregate.aggregates[a];
        text += fmt::format("{}{}{}(", a == 0 ? "" : ", ", call.function->name,
                            call.distinct ? " distinct" : "");
        for (size_t i = 0; i < call.arguments.size(); ++i) {
          text += fmt::format("{}${}", i == 0 ? "" : ", ", call.arguments[i]);
        }
        text += ")";
      }
      text += "]";
      if (aggregate.emit_on_window_close) {
        text += " emit on window close";
      }
      if (aggregate.window_column) {
        text += fmt::format(" window=${}", *aggregate.window_column);
      }
      return text;
    }
    case StreamNodeKind::kJoin: {
      static constexpr std::string_view kTypes[] = {"Inner", "Left", "Right",
                                                    "Full",  "Semi", "Anti"};
      const auto& join = static_cast<const StreamJoinNode&>(node);
      std::string text = fmt::format("Stream{}Join", kTypes[static_cast<size_t>(join.type)]);
      for (size_t i = 0; i < join.left_keys.size(); ++i) {
        text +=
            fmt::format("{}${} = ${}", i == 0 ? " " : ", ", join.left_keys[i], join.right_keys[i]);
      }
      if (join.condition) {
        text += " on " + join.condition->ToString();
      }
      for (const auto* cleaning : {&join.left_cleaning, &join.right_cleaning}) {
        if (*cleaning) {
          text += fmt::format(" clean {} ${} by {} watermark ${}",
                              cleaning == &join.left_cleaning ? "left" : "right",
                              (*cleaning)->clean_column,
                              (*cleaning)->by_other_side ? "the other side's" : "its",
                              (*cleaning)->watermark_column);
        }
      }
      return text;
    }
    case StreamNodeKind::kTopN: {
      const auto& top = static_cast<const StreamTopNNode&>(node);
      std::string text = fmt::format("StreamTopN limit={} offset={} order=", top.limit, top.offset);
      for (size_t i = 0; i < top.order_by.size(); ++i) {
        text += fmt::format("{}${}{}", i == 0 ? "" : ", ", top.order_by[i].column_index,
                            top.order_by[i].descending ? " DESC" : "");
      }
      return text;
    }
    case StreamNodeKind::kUnion:
      return "StreamUnion all";
    case StreamNodeKind::kExchange:
      switch (node.distribution.kind) {
        case DistributionKind::kHash:
          return "StreamExchange hash" + ColumnList(node.distribution.columns);
        case DistributionKind::kSingle:
          return "StreamExchange single";
        case DistributionKind::kAny:
          return "StreamExchange any";
      }
      return "StreamExchange";
    case StreamNodeKind::kMaterialize: {
      const auto& materialize = static_cast<const StreamMaterializeNode&>(node);
      return fmt::format("StreamMaterialize{} visible columns={}",
                         materialize.upsert ? " upsert" : "", materialize.visible_count);
    }
    case StreamNodeKind::kSink: {
      const auto& sink = static_cast<const StreamSinkNode&>(node);
      return fmt::format("StreamSink {} format={} visible columns={}", sink.sink_name,
                         sink.format.empty() ? "plain" : sink.format, sink.visible_count);
    }
  }
  return "?";
}

bool IsStateful(StreamNodeKind kind) {
  switch (kind) {
    case StreamNodeKind::kSource:
    case StreamNodeKind::kSessionWindow:
    case StreamNodeKind::kAggregate:
    case StreamNodeKind::kJoin:
    case StreamNodeKind::kTopN:
    case StreamNodeKind::kMaterialize:
      return true;
    default:
      return false;
  }
}

}  // namespace

std::vector<DataType> StreamNode::OutputTypes() const {
  std::vector<DataType> types;
  types.reserve(outputs.size());
  for (const OutputColumn& output : outputs) {
    types.push_back(output.type);
  }
  return types;
}

const WatermarkColumn* StreamNode::FindWatermark(uint32_t column) const {
  for (const WatermarkColumn& watermark : watermarks) {
    if (watermark.column == column) {
      return &watermark;
    }
  }
  return nullptr;
}

std::string StreamNode::ToString(int depth) const {
  std::string line(static_cast<size_t>(depth) * 2, ' ');
  line += Describe(*this);
  line += fmt::format(" {{ key: {}, {}", ColumnList(stream_key),
                      append_only ? "append-only" : "retracting");
  if (!watermarks.empty()) {
    line += ", watermark:";
    for (const WatermarkColumn& watermark : watermarks) {
      line += fmt::format(" ${}", watermark.column);
    }
  }
  if (IsStateful(kind)) {
    line += fmt::format(", state table: {}", operator_id);
  }
  line += " }\n";
  for (const StreamNodePtr& child : inputs) {
    line += child->ToString(depth + 1);
  }
  return line;
}

}  // namespace freshet::plan
