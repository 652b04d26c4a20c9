// SPDX-License-Identifier: Apache-2.0
#include "planner/stream_planner.h"

#include <algorithm>
#include <functional>
#include <limits>
#include <set>
#include <string>

#include <fmt/format.h>

#include "common/error.h"

namespace freshet::planner {
namespace {

using plan::BatchNode;
using plan::BatchNodeKind;
using plan::Distribution;
using plan::DistributionKind;
using plan::ExpressionPtr;
using plan::StreamNode;
using plan::StreamNodeKind;
using plan::StreamNodePtr;

/// A batch output column a projection below a window dropped (see ConvertHop).
constexpr uint32_t kPruned = std::numeric_limits<uint32_t>::max();

Error NotSupported(std::string message) {
  return Error(SqlState::kFeatureNotSupported, std::move(message));
}

/// Rewrites every column reference of `expression` through `map`; rejects subqueries, which a
/// view cannot maintain.
void RemapColumns(plan::Expression& expression, const std::function<uint32_t(uint32_t)>& map) {
  switch (expression.kind) {
    case plan::ExpressionKind::kColumn:
      expression.column_index = map(expression.column_index);
      break;
    case plan::ExpressionKind::kOuterColumn:
    case plan::ExpressionKind::kScalarSubquery:
    case plan::ExpressionKind::kExists:
    case plan::ExpressionKind::kQuantifiedSubquery:
      throw NotSupported("subqueries in a materialized view are not supported");
    default:
      break;
  }
  for (ExpressionPtr& child : expression.children) {
    RemapColumns(*child, map);
  }
}

ExpressionPtr CloneChecked(const plan::Expression& expression) {
  ExpressionPtr copy = expression.Clone();
  RemapColumns(*copy, [](uint32_t index) { return index; });
  return copy;
}

/// A clone of `expression` whose column references go through `column_map` (see ConvertPruned);
/// an empty map keeps them.
ExpressionPtr CloneMapped(const plan::Expression& expression,
                          const std::vector<uint32_t>& column_map) {
  if (column_map.empty()) {
    return CloneChecked(expression);
  }
  ExpressionPtr copy = expression.Clone();
  RemapColumns(*copy, [&](uint32_t index) { return column_map.at(index); });
  return copy;
}

/// Sets `used[c]` for every column `c` that `expression` reads.
void MarkUsedColumns(const plan::Expression& expression, std::vector<bool>& used) {
  if (expression.kind == plan::ExpressionKind::kColumn && expression.column_index < used.size()) {
    used[expression.column_index] = true;
  }
  for (const ExpressionPtr& child : expression.children) {
    MarkUsedColumns(*child, used);
  }
}

/// True when rows distributed by `have` are already grouped as hashing by `needed` would group
/// them: all in one instance, or hashed on a subset of `needed`.
bool Satisfies(const Distribution& have, const std::vector<uint32_t>& needed) {
  if (have.kind == DistributionKind::kSingle) {
    return true;
  }
  if (have.kind != DistributionKind::kHash || have.columns.empty()) {
    return false;
  }
  return std::all_of(have.columns.begin(), have.columns.end(), [&](uint32_t column) {
    return std::find(needed.begin(), needed.end(), column) != needed.end();
  });
}

StreamNodePtr Exchange(StreamNodePtr input, Distribution distribution) {
  auto exchange = std::make_unique<plan::StreamExchangeNode>();
  exchange->outputs = input->outputs;
  exchange->stream_key = input->stream_key;
  exchange->append_only = input->append_only;
  exchange->watermarks = input->watermarks;
  exchange->distribution = std::move(distribution);
  exchange->inputs.push_back(std::move(input));
  return exchange;
}

/// Distributes `input` by a hash of `columns` (all to one instance when empty), unless it already
/// is.
StreamNodePtr DistributeBy(StreamNodePtr input, const std::vector<uint32_t>& columns) {
  if (columns.empty()) {
    if (input->distribution.kind == DistributionKind::kSingle) {
      return input;
    }
    return Exchange(std::move(input), Distribution{DistributionKind::kSingle, {}});
  }
  if (Satisfies(input->distribution, columns)) {
    return input;
  }
  return Exchange(std::move(input), Distribution{DistributionKind::kHash, columns});
}

/// A projection of `input` onto its columns `columns`, in that order. Key, watermark and
/// distribution columns follow; the caller makes sure the key columns are among them.
StreamNodePtr SelectColumns(StreamNodePtr input, const std::vector<uint32_t>& columns) {
  auto project = std::make_unique<plan::StreamProjectNode>();
  auto position_of = [&](uint32_t column) -> std::optional<uint32_t> {
    for (uint32_t i = 0; i < columns.size(); ++i) {
      if (columns[i] == column) {
        return i;
      }
    }
    return std::nullopt;
  };
  for (uint32_t column : columns) {
    project->expressions.push_back(plan::Expression::Column(column, input->outputs[column].type));
    project->outputs.push_back(input->outputs[column]);
    project->passthrough.push_back(column);
  }
  for (uint32_t key : input->stream_key) {
    std::optional<uint32_t> position = position_of(key);
    if (!position) {
      throw Error::Internal("a projection dropped a stream key column");
    }
    project->stream_key.push_back(*position);
  }
  for (const plan::WatermarkColumn& watermark : input->watermarks) {
    if (std::optional<uint32_t> position = position_of(watermark.column)) {
      project->watermarks.push_back({*position, watermark.lateness_micros});
    }
  }
  project->distribution = input->distribution;
  if (input->distribution.kind == DistributionKind::kHash) {
    for (uint32_t& column : project->distribution.columns) {
      std::optional<uint32_t> position = position_of(column);
      if (!position) {
        project->distribution = Distribution{};
        break;
      }
      column = *position;
    }
  }
  project->append_only = input->append_only;
  project->inputs.push_back(std::move(input));
  return project;
}

/// Moves the columns [first_hidden, first_hidden + count) of `node` to its end, so the columns
/// the batch plan knows come first again.
StreamNodePtr MoveToEnd(StreamNodePtr node, uint32_t first_hidden, uint32_t count) {
  if (count == 0) {
    return node;
  }
  std::vector<uint32_t> order;
  const uint32_t width = static_cast<uint32_t>(node->outputs.size());
  for (uint32_t i = 0; i < width; ++i) {
    if (i < first_hidden || i >= first_hidden + count) {
      order.push_back(i);
    }
  }
  for (uint32_t i = first_hidden; i < first_hidden + count; ++i) {
    order.push_back(i);
  }
  return SelectColumns(std::move(node), order);
}

plan::OutputColumn Hidden(std::string name, DataType type) {
  plan::OutputColumn column;
  column.name = std::move(name);
  column.type = type;
  return column;
}

/// A column plus a constant offset: `ts`, `ts + INTERVAL '5' SECOND`, `ts - INTERVAL '1' MINUTE`.
struct ShiftedColumn {
  uint32_t column = 0;
  int64_t offset_micros = 0;
};

std::optional<ShiftedColumn> AsShiftedColumn(const plan::Expression& expression) {
  if (expression.kind == plan::ExpressionKind::kColumn) {
    return ShiftedColumn{expression.column_index, 0};
  }
  if (expression.kind != plan::ExpressionKind::kCall || expression.children.size() != 2 ||
      (expression.function->name != "+" && expression.function->name != "-")) {
    return std::nullopt;
  }
  const plan::Expression& column = *expression.children[0];
  const plan::Expression& constant = *expression.children[1];
  if (column.kind != plan::ExpressionKind::kColumn ||
      constant.kind != plan::ExpressionKind::kConstant || constant.constant.IsNull() ||
      constant.type.id != TypeId::kInterval) {
    return std::nullopt;
  }
  const Interval span = constant.constant.GetInterval();
  if (span.months != 0) {
    return std::nullopt;
  }
  const int64_t micros = int64_t{span.days} * 86'400'000'000 + span.micros;
  return ShiftedColumn{column.column_index, expression.function->name == "+" ? micros : -micros};
}

/// Adds `expression`'s conjuncts to `out`.
void Conjuncts(const plan::Expression& expression, std::vector<const plan::Expression*>& out) {
  if (expression.kind == plan::ExpressionKind::kAnd) {
    for (const ExpressionPtr& child : expression.children) {
      Conjuncts(*child, out);
    }
    return;
  }
  out.push_back(&expression);
}

/// Interval joins: from conditions such as `l.ts BETWEEN r.ts - X AND r.ts + Y` over watermarked
/// time columns, the rows of a side that no future row of the other side can match.
void AddIntervalCleaning(plan::StreamJoinNode& join,
                         const StreamNode& left,
                         const StreamNode& right,
                         uint32_t left_width) {
  if (!join.condition) {
    return;
  }
  std::vector<const plan::Expression*> conjuncts;
  Conjuncts(*join.condition, conjuncts);
  for (const plan::Expression* conjunct : conjuncts) {
    if (conjunct->kind != plan::ExpressionKind::kCall || conjunct->children.size() != 2) {
      continue;
    }
    std::string_view op = conjunct->function->name;
    std::optional<ShiftedColumn> a = AsShiftedColumn(*conjunct->children[0]);
    std::optional<ShiftedColumn> b = AsShiftedColumn(*conjunct->children[1]);
    if (!a || !b || (a->column < left_width) == (b->column < left_width)) {
      continue;
    }
    if (a->column >= left_width) {
      // Puts the left column first: `r op l` is `l op' r`.
      std::swap(a, b);
      if (op == "<" || op == "<=") {
        op = ">=";
      } else if (op == ">" || op == ">=") {
        op = "<=";
      } else {
        continue;
      }
    }
    const uint32_t l = a->column;
    const uint32_t r = b->column - left_width;
    if (op == ">=" || op == ">") {
      // l + a >= r + b: a left row matches right rows up to l + a - b; it is dead once the right
      // watermark (minus its lateness) passes that.
      const plan::WatermarkColumn* watermark = right.FindWatermark(r);
      if (watermark && !join.left_cleaning) {
        join.left_cleaning = plan::StreamJoinNode::Cleaning{
            l, r, watermark->lateness_micros + a->offset_micros - b->offset_micros, true};
      }
    } else if (op == "<=" || op == "<") {
      // l + a <= r + b: a right row matches left rows up to r + b - a.
      const plan::WatermarkColumn* watermark = left.FindWatermark(l);
      if (watermark && !join.right_cleaning) {
        join.right_cleaning = plan::StreamJoinNode::Cleaning{
            r, l, watermark->lateness_micros + b->offset_micros - a->offset_micros, true};
      }
    }
  }
}

/// Converts bound batch plans into stream plans, keeping the invariant that the first outputs of
/// each stream node are exactly the outputs of its batch node, so bound column indexes stay valid;
/// hidden key columns follow them.
class StreamPlanner {
 public:
  StreamPlanner(const catalog::CatalogSnapshot& catalog, bool emit_on_window_close)
      : catalog_(catalog), emit_on_window_close_(emit_on_window_close) {}

  StreamNodePtr Convert(const BatchNode& node);

  std::set<catalog::ObjectId> depends_on;
  bool emitted_on_window_close = false;

 private:
  StreamNodePtr ConvertScan(const plan::TableScanNode& scan);
  StreamNodePtr ConvertProject(const plan::ProjectNode& project);
  StreamNodePtr ConvertAggregate(const plan::AggregateNode& aggregate);
  /// `filter`, when given, is a WHERE predicate over an inner join's output, folded into its
  /// condition so that interval bounds in WHERE clean the join's state too.
  StreamNodePtr ConvertJoin(const plan::JoinNode& join, const plan::Expression* filter = nullptr);
  StreamNodePtr ConvertLimit(const plan::LimitNode& limit);
  StreamNodePtr ConvertUnion(const plan::SetOperationNode& set);
  /// `used`, when given, flags the batch outputs of `hop` read above it: the other input columns
  /// (unless the stream key needs them) are projected away below the window, so it copies only
  /// what is read. The window columns then follow the kept input columns, and `column_map` gets
  /// the stream position of each batch output (kPruned for the dropped ones); it stays empty
  /// when nothing was pruned and the usual layout holds.
  StreamNodePtr ConvertHop(const plan::HopWindowNode& hop,
                           const std::vector<bool>* used = nullptr,
                           std::vector<uint32_t>* column_map = nullptr);
  /// Converts `node`, a window or a filter over one, pruning the batch outputs not flagged in
  /// `used` where a window allows it (see ConvertHop); other nodes convert as usual, with an
  /// empty `column_map`.
  StreamNodePtr ConvertPruned(const BatchNode& node,
                              std::vector<bool> used,
                              std::vector<uint32_t>& column_map);
  StreamNodePtr ConvertFilter(const plan::FilterNode& filter,
                              StreamNodePtr input,
                              const std::vector<uint32_t>& column_map);
  StreamNodePtr ConvertSession(const plan::SessionWindowNode& session);

  const catalog::CatalogSnapshot& catalog_;
  bool emit_on_window_close_;
};

StreamNodePtr StreamPlanner::Convert(const BatchNode& node) {
  switch (node.kind) {
    case BatchNodeKind::kTableScan:
      return ConvertScan(static_cast<const plan::TableScanNode&>(node));
    case BatchNodeKind::kFilter: {
      const auto& predicate = *static_cast<const plan::FilterNode&>(node).predicate;
      if (node.input->kind == BatchNodeKind::kJoin &&
          static_cast<const plan::JoinNode&>(*node.input).type == plan::JoinType::kInner) {
        return ConvertJoin(static_cast<const plan::JoinNode&>(*node.input), &predicate);
      }
      return ConvertFilter(static_cast<const plan::FilterNode&>(node), Convert(*node.input), {});
    }
    case BatchNodeKind::kProject:
      return ConvertProject(static_cast<const plan::ProjectNode&>(node));
    case BatchNodeKind::kAggregate:
      return ConvertAggregate(static_cast<const plan::AggregateNode&>(node));
    case BatchNodeKind::kJoin:
      return ConvertJoin(static_cast<const plan::JoinNode&>(node));
    case BatchNodeKind::kSort:
      // A view is a set: ORDER BY without LIMIT does not change it.
      return Convert(*node.input);
    case BatchNodeKind::kLimit:
      return ConvertLimit(static_cast<const plan::LimitNode&>(node));
    case BatchNodeKind::kSetOperation:
      return ConvertUnion(static_cast<const plan::SetOperationNode&>(node));
    case BatchNodeKind::kHopWindow:
      return ConvertHop(static_cast<const plan::HopWindowNode&>(node));
    case BatchNodeKind::kSessionWindow:
      return ConvertSession(static_cast<const plan::SessionWindowNode&>(node));
    case BatchNodeKind::kValues:
      throw NotSupported("a materialized view must read from a table, source or view");
    case BatchNodeKind::kChunkScan:
      throw NotSupported(fmt::format("a materialized view cannot read system relation {}",
                                     static_cast<const plan::ChunkScanNode&>(node).name));
  }
  throw Error::Internal("unknown batch node");
}

StreamNodePtr StreamPlanner::ConvertFilter(const plan::FilterNode& node,
                                           StreamNodePtr input,
                                           const std::vector<uint32_t>& column_map) {
  auto filter = std::make_unique<plan::StreamFilterNode>();
  filter->predicate = CloneMapped(*node.predicate, column_map);
  filter->outputs = input->outputs;
  filter->stream_key = input->stream_key;
  filter->append_only = input->append_only;
  filter->watermarks = input->watermarks;
  filter->distribution = input->distribution;
  filter->inputs.push_back(std::move(input));
  return filter;
}

StreamNodePtr StreamPlanner::ConvertPruned(const BatchNode& node,
                                           std::vector<bool> used,
                                           std::vector<uint32_t>& column_map) {
  column_map.clear();
  if (node.kind == BatchNodeKind::kHopWindow) {
    return ConvertHop(static_cast<const plan::HopWindowNode&>(node), &used, &column_map);
  }
  if (node.kind == BatchNodeKind::kFilter && node.input->kind == BatchNodeKind::kHopWindow) {
    const auto& filter = static_cast<const plan::FilterNode&>(node);
    MarkUsedColumns(*filter.predicate, used);
    StreamNodePtr input = ConvertPruned(*node.input, std::move(used), column_map);
    return ConvertFilter(filter, std::move(input), column_map);
  }
  return Convert(node);
}

StreamNodePtr StreamPlanner::ConvertScan(const plan::TableScanNode& scan) {
  std::shared_ptr<const catalog::Relation> relation =
      catalog_.FindRelation(static_cast<catalog::ObjectId>(scan.table.table_id));
  if (!relation) {
    throw Error::UndefinedTable(scan.table.name);
  }
  depends_on.insert(relation->id);
  const uint32_t width = static_cast<uint32_t>(relation->columns.size());
  std::optional<uint32_t> watermark_column;
  int64_t delay = 0;
  int64_t lateness = 0;
  if (relation->watermark) {
    watermark_column = relation->watermark->column;
    delay = relation->watermark->delay_micros;
    lateness = relation->watermark->lateness_micros;
  }
  if (scan.late_events && !watermark_column) {
    throw NotSupported(fmt::format("relation \"{}\" has no watermark", relation->name));
  }
  // The batch outputs, then (late events) _watermark, then hidden key columns.
  std::vector<plan::OutputColumn> outputs = scan.outputs;
  const uint32_t visible = static_cast<uint32_t>(outputs.size());
  switch (relation->kind) {
    case catalog::RelationKind::kSource: {
      std::unique_ptr<plan::StreamSourceNode> source = MakeSourceNode(*relation);
      source->late_events = scan.late_events;
      source->outputs = std::move(outputs);
      source->outputs.push_back(Hidden("_row_id", DataType::Bigint()));
      source->stream_key = {visible};
      source->append_only = true;
      if (watermark_column && !scan.late_events) {
        source->watermarks.push_back({*watermark_column, lateness});
      }
      return source;
    }
    case catalog::RelationKind::kTable:
    case catalog::RelationKind::kMaterializedView: {
      auto table = std::make_unique<plan::StreamTableScanNode>();
      const bool is_view = relation->kind == catalog::RelationKind::kMaterializedView;
      table->relation_id = relation->id;
      table->relation_name = relation->name;
      table->from_dataflow = relation->HasDataflow();
      table->column_types = relation->ColumnTypes();
      table->watermark_column = watermark_column;
      table->watermark_delay_micros = delay;
      table->lateness_micros = lateness;
      table->late_events = scan.late_events;
      table->outputs = std::move(outputs);
      if (is_view) {
        for (const catalog::ColumnSchema& column : relation->hidden_columns) {
          table->outputs.push_back(Hidden(column.name, column.type));
        }
        for (uint32_t key : relation->stream_key) {
          table->storage_key.push_back(key < width ? key : visible + (key - width));
        }
      } else if (relation->primary_key.empty()) {
        table->row_id_key = true;
        table->outputs.push_back(Hidden("_row_id", DataType::Bigint()));
        table->storage_key = {visible};
      } else {
        for (uint32_t key : relation->primary_key) {
          table->storage_key.push_back(key);
        }
      }
      table->stream_key = table->storage_key;
      table->append_only = relation->append_only || scan.late_events;
      table->distribution = Distribution{DistributionKind::kSingle, {}};
      if (watermark_column && !scan.late_events) {
        table->watermarks.push_back({*watermark_column, lateness});
      }
      return table;
    }
    case catalog::RelationKind::kSink:
      break;
  }
  throw NotSupported(fmt::format("cannot read from sink \"{}\"", relation->name));
}

StreamNodePtr StreamPlanner::ConvertProject(const plan::ProjectNode& project) {
  // Below a window, only the columns read here need to reach it.
  std::vector<bool> used(project.input->outputs.size());
  for (const ExpressionPtr& expression : project.expressions) {
    MarkUsedColumns(*expression, used);
  }
  std::vector<uint32_t> column_map;
  StreamNodePtr input = ConvertPruned(*project.input, std::move(used), column_map);
  // `SELECT *` and other projections that keep every column in place need no operator.
  bool identity = column_map.empty() && project.expressions.size() <= input->outputs.size();
  for (uint32_t i = 0; identity && i < project.expressions.size(); ++i) {
    identity = project.expressions[i]->kind == plan::ExpressionKind::kColumn &&
               project.expressions[i]->column_index == i;
  }
  if (identity) {
    // Columns after the selected ones stay as trailing columns, which every node allows.
    for (uint32_t i = 0; i < project.expressions.size(); ++i) {
      input->outputs[i] = project.outputs[i];
    }
    return input;
  }
  auto node = std::make_unique<plan::StreamProjectNode>();
  node->outputs = project.outputs;
  for (const ExpressionPtr& expression : project.expressions) {
    node->expressions.push_back(CloneMapped(*expression, column_map));
    if (expression->kind == plan::ExpressionKind::kColumn) {
      node->passthrough.push_back(node->expressions.back()->column_index);
    } else {
      node->passthrough.push_back(std::nullopt);
    }
  }
  auto output_of = [&](uint32_t column) -> std::optional<uint32_t> {
    for (uint32_t i = 0; i < node->passthrough.size(); ++i) {
      if (node->passthrough[i] == column) {
        return i;
      }
    }
    return std::nullopt;
  };
  // Key columns the query does not select stay as hidden outputs.
  for (uint32_t key : input->stream_key) {
    std::optional<uint32_t> position = output_of(key);
    if (!position) {
      position = static_cast<uint32_t>(node->expressions.size());
      node->expressions.push_back(plan::Expression::Column(key, input->outputs[key].type));
      node->passthrough.push_back(key);
      node->outputs.push_back(input->outputs[key]);
    }
    node->stream_key.push_back(*position);
  }
  for (const plan::WatermarkColumn& watermark : input->watermarks) {
    for (uint32_t i = 0; i < node->passthrough.size(); ++i) {
      if (node->passthrough[i] == watermark.column) {
        node->watermarks.push_back({i, watermark.lateness_micros});
      }
    }
  }
  node->distribution = input->distribution;
  if (node->distribution.kind == DistributionKind::kHash) {
    for (uint32_t& column : node->distribution.columns) {
      std::optional<uint32_t> position = output_of(column);
      if (!position) {
        node->distribution = Distribution{};
        break;
      }
      column = *position;
    }
  }
  node->append_only = input->append_only;
  node->inputs.push_back(std::move(input));
  return node;
}

StreamNodePtr StreamPlanner::ConvertAggregate(const plan::AggregateNode& aggregate) {
  StreamNodePtr input = Convert(*aggregate.input);
  std::vector<uint32_t> groups;
  for (uint32_t i = 0; i < aggregate.group_count; ++i) {
    groups.push_back(i);
  }
  const bool append_only = input->append_only;
  std::vector<plan::WatermarkColumn> group_watermarks;
  for (const plan::WatermarkColumn& watermark : input->watermarks) {
    if (watermark.column < aggregate.group_count) {
      group_watermarks.push_back(watermark);
    }
  }
  input = DistributeBy(std::move(input), groups);
  auto node = std::make_unique<plan::StreamAggregateNode>();
  node->group_count = aggregate.group_count;
  for (const plan::AggregateCall& call : aggregate.aggregates) {
    plan::AggregateCall copy;
    copy.function = call.function;
    copy.arguments = call.arguments;
    copy.filter = call.filter;
    copy.distinct = call.distinct;
    copy.order_by = call.order_by;
    copy.result = call.result;
    node->aggregates.push_back(std::move(copy));
  }
  node->outputs = aggregate.outputs;
  node->stream_key = groups;
  node->input_append_only = append_only;
  node->watermarks = group_watermarks;
  if (!group_watermarks.empty()) {
    node->window_column = group_watermarks.front().column;
  }
  if (emit_on_window_close_ && !emitted_on_window_close) {
    if (!node->window_column) {
      throw Error(SqlState::kFeatureNotSupported,
                  "EMIT ON WINDOW CLOSE requires a GROUP BY column with a watermark")
          .WithHint(
              "Group by window_start or window_end of a TUMBLE, HOP or SESSION over a "
              "relation with a WATERMARK.");
    }
    node->emit_on_window_close = true;
    emitted_on_window_close = true;
  }
  node->distribution = groups.empty() ? Distribution{DistributionKind::kSingle, {}}
                                      : Distribution{DistributionKind::kHash, groups};
  node->inputs.push_back(std::move(input));
  return node;
}

StreamNodePtr StreamPlanner::ConvertJoin(const plan::JoinNode& join,
                                         const plan::Expression* filter) {
  if (join.type == plan::JoinType::kSemi || join.type == plan::JoinType::kAnti) {
    throw NotSupported("IN / EXISTS subqueries in a materialized view are not supported");
  }
  StreamNodePtr left = Convert(*join.input);
  StreamNodePtr right = Convert(*join.right);
  const uint32_t left_batch = static_cast<uint32_t>(join.input->outputs.size());
  const uint32_t right_batch = static_cast<uint32_t>(join.right->outputs.size());
  const uint32_t left_width = static_cast<uint32_t>(left->outputs.size());
  const uint32_t right_width = static_cast<uint32_t>(right->outputs.size());

  auto node = std::make_unique<plan::StreamJoinNode>();
  node->type = join.type;
  node->left_keys = join.left_keys;
  node->right_keys = join.right_keys;
  std::vector<ExpressionPtr> conditions;
  for (const plan::Expression* condition :
       {static_cast<const plan::Expression*>(join.condition.get()), filter}) {
    if (condition != nullptr) {
      conditions.push_back(CloneChecked(*condition));
      RemapColumns(*conditions.back(), [&](uint32_t index) {
        return index < left_batch ? index : index - left_batch + left_width;
      });
    }
  }
  if (conditions.size() == 1) {
    node->condition = std::move(conditions[0]);
  } else if (conditions.size() == 2) {
    node->condition = plan::Expression::Make(plan::ExpressionKind::kAnd, DataType::Boolean(),
                                             std::move(conditions));
  }
  // Window joins: equal keys that carry watermarks on both sides bound how long rows can match. A
  // row is dead once the other side's watermark (minus its lateness) passes its key: no later row
  // of the other side can equal it.
  for (size_t i = 0; i < join.left_keys.size(); ++i) {
    const plan::WatermarkColumn* left_watermark = left->FindWatermark(join.left_keys[i]);
    const plan::WatermarkColumn* right_watermark = right->FindWatermark(join.right_keys[i]);
    if (left_watermark && right_watermark && !node->left_cleaning) {
      node->left_cleaning = plan::StreamJoinNode::Cleaning{join.left_keys[i], join.right_keys[i],
                                                           right_watermark->lateness_micros, true};
      node->right_cleaning = plan::StreamJoinNode::Cleaning{join.right_keys[i], join.left_keys[i],
                                                            left_watermark->lateness_micros, true};
    }
  }
  if (!node->left_cleaning && !node->right_cleaning) {
    AddIntervalCleaning(*node, *left, *right, left_width);
  }
  node->append_only =
      join.type == plan::JoinType::kInner && left->append_only && right->append_only;
  for (const plan::OutputColumn& column : left->outputs) {
    node->outputs.push_back(column);
  }
  for (const plan::OutputColumn& column : right->outputs) {
    node->outputs.push_back(column);
  }
  node->stream_key = left->stream_key;
  for (uint32_t key : right->stream_key) {
    node->stream_key.push_back(left_width + key);
  }
  // Outer joins can emit NULL-extended rows whose key columns are NULL; the other side's key
  // still identifies them. Only an inner join's equal keys that carry watermarks on both sides
  // (window joins) keep one: an old row of one side can still join a new row of the other, so
  // other columns may go backwards.
  if (join.type == plan::JoinType::kInner) {
    for (size_t i = 0; i < join.left_keys.size(); ++i) {
      const plan::WatermarkColumn* left_watermark = left->FindWatermark(join.left_keys[i]);
      const plan::WatermarkColumn* right_watermark = right->FindWatermark(join.right_keys[i]);
      if (left_watermark && right_watermark) {
        const int64_t lateness =
            std::max(left_watermark->lateness_micros, right_watermark->lateness_micros);
        node->watermarks.push_back({join.left_keys[i], lateness});
        node->watermarks.push_back({left_width + join.right_keys[i], lateness});
      }
    }
  }
  node->distribution = join.left_keys.empty()
                           ? Distribution{DistributionKind::kSingle, {}}
                           : Distribution{DistributionKind::kHash, join.left_keys};
  // Both sides are always exchanged so that they run in the join's fragment, hashed alike.
  if (join.left_keys.empty()) {
    left = Exchange(std::move(left), Distribution{DistributionKind::kSingle, {}});
    right = Exchange(std::move(right), Distribution{DistributionKind::kSingle, {}});
  } else {
    left = Exchange(std::move(left), Distribution{DistributionKind::kHash, join.left_keys});
    right = Exchange(std::move(right), Distribution{DistributionKind::kHash, join.right_keys});
  }
  node->inputs.push_back(std::move(left));
  node->inputs.push_back(std::move(right));
  // The batch layout is left batch columns then right batch columns; hidden ones go last.
  std::vector<uint32_t> order;
  for (uint32_t i = 0; i < left_batch; ++i) {
    order.push_back(i);
  }
  for (uint32_t i = 0; i < right_batch; ++i) {
    order.push_back(left_width + i);
  }
  for (uint32_t i = left_batch; i < left_width; ++i) {
    order.push_back(i);
  }
  for (uint32_t i = right_batch; i < right_width; ++i) {
    order.push_back(left_width + i);
  }
  return SelectColumns(std::move(node), order);
}

StreamNodePtr StreamPlanner::ConvertLimit(const plan::LimitNode& limit) {
  std::vector<plan::SortKey> order;
  const BatchNode* below = limit.input.get();
  if (below->kind == BatchNodeKind::kSort) {
    order = static_cast<const plan::SortNode*>(below)->keys;
    below = below->input.get();
  }
  StreamNodePtr input = Convert(*below);
  input = DistributeBy(std::move(input), {});
  auto node = std::make_unique<plan::StreamTopNNode>();
  node->order_by = std::move(order);
  node->limit = limit.limit.value_or(INT64_MAX);
  node->offset = limit.offset;
  node->outputs = input->outputs;
  node->stream_key = input->stream_key;
  node->distribution = Distribution{DistributionKind::kSingle, {}};
  node->inputs.push_back(std::move(input));
  return node;
}

StreamNodePtr StreamPlanner::ConvertUnion(const plan::SetOperationNode& set) {
  if (set.operation != plan::SetOperationNode::Operation::kUnion) {
    throw NotSupported("INTERSECT and EXCEPT in a materialized view are not supported");
  }
  // Flattens nested UNION ALLs into one union of branches.
  std::vector<const BatchNode*> branches;
  std::function<void(const BatchNode&)> collect = [&](const BatchNode& node) {
    if (node.kind == BatchNodeKind::kSetOperation) {
      const auto& inner = static_cast<const plan::SetOperationNode&>(node);
      if (inner.operation == plan::SetOperationNode::Operation::kUnion && inner.all) {
        collect(*inner.input);
        collect(*inner.right);
        return;
      }
    }
    branches.push_back(&node);
  };
  collect(*set.input);
  collect(*set.right);

  std::vector<StreamNodePtr> inputs;
  for (const BatchNode* branch : branches) {
    inputs.push_back(Convert(*branch));
  }
  const uint32_t width = static_cast<uint32_t>(set.outputs.size());
  // Each branch outputs the union's columns, its branch number, then a slot for every branch's
  // hidden key columns (NULL in the other branches): together a key unique across branches.
  std::vector<plan::OutputColumn> slots;
  std::vector<uint32_t> slot_start;
  for (const StreamNodePtr& input : inputs) {
    slot_start.push_back(static_cast<uint32_t>(slots.size()));
    for (uint32_t key : input->stream_key) {
      slots.push_back(input->outputs[key]);
    }
  }
  auto node = std::make_unique<plan::StreamUnionNode>();
  bool append_only = true;
  for (size_t b = 0; b < inputs.size(); ++b) {
    StreamNodePtr input = std::move(inputs[b]);
    append_only = append_only && input->append_only;
    auto project = std::make_unique<plan::StreamProjectNode>();
    for (uint32_t i = 0; i < width; ++i) {
      // A branch's column types may differ from the union's (the binder casts in a project
      // above); columns are taken as they are here, so the types must already agree.
      project->expressions.push_back(plan::Expression::Column(i, input->outputs[i].type));
      project->passthrough.push_back(i);
      project->outputs.push_back(set.outputs[i]);
    }
    project->expressions.push_back(
        plan::Expression::Constant(Value::Integer(static_cast<int32_t>(b))));
    project->passthrough.push_back(std::nullopt);
    project->outputs.push_back(Hidden("_branch", DataType::Integer()));
    uint32_t slot = 0;
    for (size_t owner = 0; owner < branches.size(); ++owner) {
      const uint32_t end = owner + 1 < slot_start.size() ? slot_start[owner + 1]
                                                         : static_cast<uint32_t>(slots.size());
      for (; slot < end; ++slot) {
        if (owner == b) {
          const uint32_t key = input->stream_key[slot - slot_start[owner]];
          project->expressions.push_back(plan::Expression::Column(key, slots[slot].type));
          project->passthrough.push_back(key);
        } else {
          project->expressions.push_back(plan::Expression::Constant(Value::Null(slots[slot].type)));
          project->passthrough.push_back(std::nullopt);
        }
        project->outputs.push_back(slots[slot]);
      }
    }
    for (uint32_t i = width; i < project->outputs.size(); ++i) {
      project->stream_key.push_back(i);
    }
    project->append_only = input->append_only;
    project->inputs.push_back(std::move(input));
    if (b == 0) {
      node->outputs = project->outputs;
      node->stream_key = project->stream_key;
    }
    node->inputs.push_back(
        Exchange(std::move(project), Distribution{DistributionKind::kHash, node->stream_key}));
  }
  node->append_only = append_only;
  node->distribution = Distribution{DistributionKind::kHash, node->stream_key};
  StreamNodePtr result = std::move(node);
  if (!set.all) {
    // UNION without ALL: one row per distinct value.
    auto distinct = std::make_unique<plan::StreamAggregateNode>();
    std::vector<uint32_t> groups;
    for (uint32_t i = 0; i < width; ++i) {
      groups.push_back(i);
    }
    result = DistributeBy(std::move(result), groups);
    distinct->group_count = width;
    distinct->outputs = set.outputs;
    distinct->stream_key = groups;
    distinct->distribution = Distribution{DistributionKind::kHash, groups};
    distinct->input_append_only = append_only;
    distinct->inputs.push_back(std::move(result));
    result = std::move(distinct);
  }
  return result;
}

StreamNodePtr StreamPlanner::ConvertHop(const plan::HopWindowNode& hop,
                                        const std::vector<bool>* used,
                                        std::vector<uint32_t>* column_map) {
  StreamNodePtr input = Convert(*hop.input);
  uint32_t batch_width = static_cast<uint32_t>(hop.input->outputs.size());
  uint32_t stream_width = static_cast<uint32_t>(input->outputs.size());
  uint32_t time_column = hop.time_column;
  if (used != nullptr) {
    // The input columns to keep: those read above, the time, and the stream key.
    std::vector<uint32_t> kept;
    for (uint32_t column = 0; column < stream_width; ++column) {
      const bool is_key = std::find(input->stream_key.begin(), input->stream_key.end(), column) !=
                          input->stream_key.end();
      if (is_key || column == hop.time_column || (column < batch_width && (*used)[column])) {
        kept.push_back(column);
      }
    }
    if (kept.size() < stream_width) {
      column_map->assign(batch_width + 2, kPruned);
      for (uint32_t i = 0; i < kept.size(); ++i) {
        if (kept[i] < batch_width) {
          (*column_map)[kept[i]] = i;
        }
      }
      const auto kept_width = static_cast<uint32_t>(kept.size());
      (*column_map)[batch_width] = kept_width;
      (*column_map)[batch_width + 1] = kept_width + 1;
      time_column = (*column_map)[hop.time_column];
      input = SelectColumns(std::move(input), kept);
      // The window columns go right after the kept columns: no reordering after the window.
      batch_width = kept_width;
      stream_width = kept_width;
    }
  }
  auto node = std::make_unique<plan::StreamHopWindowNode>();
  node->time_column = time_column;
  node->size_micros = hop.size_micros;
  node->slide_micros = hop.slide_micros;
  node->offset_micros = hop.offset_micros;
  node->outputs = input->outputs;
  const size_t window_start = hop.input->outputs.size();
  node->outputs.push_back(hop.outputs[window_start]);
  node->outputs.push_back(hop.outputs[window_start + 1]);
  node->stream_key = input->stream_key;
  if (hop.slide_micros != hop.size_micros) {
    node->stream_key.push_back(stream_width);
  }
  node->append_only = input->append_only;
  node->watermarks = input->watermarks;
  if (const plan::WatermarkColumn* time = input->FindWatermark(time_column)) {
    // A window's state may be dropped once no row within the lateness can reach it: round the
    // lateness up to whole slides.
    const int64_t slides = (time->lateness_micros + hop.slide_micros - 1) / hop.slide_micros;
    const int64_t lateness = slides * hop.slide_micros;
    node->watermarks.push_back({stream_width, lateness});
    node->watermarks.push_back({stream_width + 1, lateness});
  }
  node->distribution = input->distribution;
  node->inputs.push_back(std::move(input));
  return MoveToEnd(std::move(node), batch_width, stream_width - batch_width);
}

StreamNodePtr StreamPlanner::ConvertSession(const plan::SessionWindowNode& session) {
  StreamNodePtr input = Convert(*session.input);
  const uint32_t batch_width = static_cast<uint32_t>(session.input->outputs.size());
  const uint32_t stream_width = static_cast<uint32_t>(input->outputs.size());
  input = DistributeBy(std::move(input), session.key_columns);
  auto node = std::make_unique<plan::StreamSessionWindowNode>();
  node->time_column = session.time_column;
  node->gap_micros = session.gap_micros;
  node->key_columns = session.key_columns;
  node->outputs = input->outputs;
  node->outputs.push_back(session.outputs[batch_width]);
  node->outputs.push_back(session.outputs[batch_width + 1]);
  node->stream_key = input->stream_key;
  node->append_only = false;
  for (const plan::WatermarkColumn& watermark : input->watermarks) {
    node->watermarks.push_back(watermark);
    if (watermark.column == session.time_column) {
      node->watermarks.push_back({stream_width, watermark.lateness_micros});
    }
  }
  node->distribution = input->distribution;
  node->inputs.push_back(std::move(input));
  return MoveToEnd(std::move(node), batch_width, stream_width - batch_width);
}

/// Numbers the nodes depth-first so each stateful one finds its state again after a restart.
void NumberOperators(StreamNode& node, uint16_t& next) {
  node.operator_id = next++;
  for (StreamNodePtr& input : node.inputs) {
    NumberOperators(*input, next);
  }
}

}  // namespace

std::unique_ptr<plan::StreamSourceNode> MakeSourceNode(const catalog::Relation& relation) {
  auto source = std::make_unique<plan::StreamSourceNode>();
  source->relation_id = relation.id;
  source->relation_name = relation.name;
  source->options = relation.options;
  for (const catalog::ColumnSchema& column : relation.columns) {
    source->column_names.push_back(column.name);
    source->column_types.push_back(column.type);
  }
  if (relation.watermark) {
    source->watermark_column = relation.watermark->column;
    source->watermark_delay_micros = relation.watermark->delay_micros;
    source->lateness_micros = relation.watermark->lateness_micros;
  }
  source->format = relation.format;
  source->encode = relation.encode;
  source->encode_options = relation.encode_options;
  source->included_columns = relation.included_columns;
  if (relation.format == "upsert") {
    source->key_columns = relation.primary_key;
  }
  return source;
}

MaterializedViewPlan PlanConnectorTable(const catalog::Relation& table, uint32_t parallelism) {
  if (table.primary_key.empty() || table.watermark) {
    throw Error::Internal("a table fed by a connector needs a primary key and no watermark");
  }
  std::unique_ptr<plan::StreamSourceNode> source = MakeSourceNode(table);
  std::vector<uint32_t> visible;
  for (const catalog::ColumnSchema& column : table.columns) {
    visible.push_back(static_cast<uint32_t>(source->outputs.size()));
    source->outputs.push_back(plan::OutputColumn{column.name, column.type, table.id,
                                                 static_cast<int16_t>(visible.size())});
  }
  source->outputs.push_back(Hidden("_row_id", DataType::Bigint()));
  // Rows arrive as upserts by primary key; the materialize node keeps the stored rows to turn
  // them into a changelog, so the primary key stands in for the stream key until then.
  source->stream_key = table.primary_key;
  // The rows are split among the instances by primary key. A key's upserts come in order from one
  // partition, so from one reader, and an exchange keeps the order between one sender and one
  // receiver: they reach their instance in order.
  StreamNodePtr root = DistributeBy(SelectColumns(std::move(source), visible), table.primary_key);
  auto materialize = std::make_unique<plan::StreamMaterializeNode>();
  materialize->relation_id = table.id;
  materialize->visible_count = static_cast<uint32_t>(visible.size());
  materialize->upsert = true;
  materialize->outputs = root->outputs;
  materialize->stream_key = root->stream_key;
  materialize->distribution = root->distribution;
  materialize->inputs.push_back(std::move(root));

  MaterializedViewPlan result;
  result.columns = table.columns;
  result.stream_key = table.primary_key;
  result.plan = std::make_shared<plan::StreamPlan>();
  result.plan->root = std::move(materialize);
  result.plan->parallelism = std::max<uint32_t>(parallelism, 1);
  uint16_t next = 1;
  NumberOperators(*result.plan->root, next);
  return result;
}

MaterializedViewPlan PlanMaterializedView(const plan::BatchNode& query,
                                          const catalog::CatalogSnapshot& catalog,
                                          catalog::ObjectId view_id,
                                          bool emit_on_window_close,
                                          uint32_t parallelism) {
  StreamPlanner planner(catalog, emit_on_window_close);
  StreamNodePtr root = planner.Convert(query);
  if (emit_on_window_close && !planner.emitted_on_window_close) {
    throw Error(SqlState::kFeatureNotSupported,
                "EMIT ON WINDOW CLOSE requires an aggregation over a window");
  }
  const uint32_t visible = static_cast<uint32_t>(query.outputs.size());
  // Keep the visible columns and the hidden key columns, nothing else.
  std::vector<uint32_t> columns;
  for (uint32_t i = 0; i < visible; ++i) {
    columns.push_back(i);
  }
  for (uint32_t key : root->stream_key) {
    if (key >= visible && std::find(columns.begin(), columns.end(), key) == columns.end()) {
      columns.push_back(key);
    }
  }
  if (columns.size() != root->outputs.size()) {
    root = SelectColumns(std::move(root), columns);
  }
  if (!root->append_only && !Satisfies(root->distribution, root->stream_key)) {
    root = DistributeBy(std::move(root), root->stream_key);
  }
  auto materialize = std::make_unique<plan::StreamMaterializeNode>();
  materialize->relation_id = view_id;
  materialize->visible_count = visible;
  materialize->outputs = root->outputs;
  materialize->stream_key = root->stream_key;
  materialize->append_only = root->append_only;
  materialize->watermarks = root->watermarks;
  materialize->distribution = root->distribution;

  MaterializedViewPlan result;
  for (uint32_t i = 0; i < root->outputs.size(); ++i) {
    catalog::ColumnSchema column;
    column.name = root->outputs[i].name;
    column.type = root->outputs[i].type;
    (i < visible ? result.columns : result.hidden_columns).push_back(std::move(column));
  }
  result.stream_key = root->stream_key;
  materialize->inputs.push_back(std::move(root));
  result.plan = std::make_shared<plan::StreamPlan>();
  result.plan->root = std::move(materialize);
  result.plan->parallelism = std::max<uint32_t>(parallelism, 1);
  uint16_t next = 1;
  NumberOperators(*result.plan->root, next);
  result.depends_on.assign(planner.depends_on.begin(), planner.depends_on.end());
  return result;
}

MaterializedViewPlan PlanSink(const plan::BatchNode& query,
                              const catalog::CatalogSnapshot& catalog,
                              catalog::ObjectId sink_id,
                              uint32_t parallelism,
                              std::unique_ptr<plan::StreamSinkNode> sink) {
  MaterializedViewPlan result =
      PlanMaterializedView(query, catalog, sink_id, /*emit_on_window_close=*/false, parallelism);
  auto& materialize = static_cast<plan::StreamMaterializeNode&>(*result.plan->root);
  sink->relation_id = sink_id;
  sink->visible_count = materialize.visible_count;
  sink->outputs = std::move(materialize.outputs);
  sink->inputs = std::move(materialize.inputs);
  sink->stream_key = std::move(materialize.stream_key);
  sink->append_only = materialize.append_only;
  sink->watermarks = std::move(materialize.watermarks);
  sink->distribution = materialize.distribution;
  sink->operator_id = materialize.operator_id;
  result.plan->root = std::move(sink);
  return result;
}

}  // namespace freshet::planner
