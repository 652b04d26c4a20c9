// SPDX-License-Identifier: Apache-2.0
#include "planner/window_binder.h"

#include <fmt/format.h>

#include "common/calendar.h"
#include "common/error.h"
#include "common/value.h"
#include "planner/ddl_binder.h"
#include "planner/expression_binder.h"

namespace freshet::planner::internal {
namespace {

using plan::ExpressionPtr;

// Postgres's name for the context of table function arguments ("aggregate functions are not
// allowed in functions in FROM").
constexpr std::string_view kArgumentClause = "functions in FROM";

std::string UpperName(std::string_view name) {
  std::string upper(name);
  for (char& c : upper) {
    if (c >= 'a' && c <= 'z') {
      c = static_cast<char>(c - 'a' + 'A');
    }
  }
  return upper;
}

// A span of microseconds as Postgres prints an interval of whole days and a time ("1 day
// 02:00:00").
std::string IntervalText(int64_t micros) {
  Interval span;
  span.days = static_cast<int32_t>(micros / calendar::kMicrosPerDay);
  span.micros = micros % calendar::kMicrosPerDay;
  return Value::FromInterval(span).ToText();
}

// Throws 42883, as Postgres does for a known function name with the wrong number of arguments.
void CheckArgumentCount(const ast::TableFunction& function,
                        size_t min_count,
                        size_t max_count,
                        std::string_view usage) {
  const size_t count = function.arguments.size();
  if (count >= min_count && count <= max_count) {
    return;
  }
  throw Error(SqlState::kUndefinedFunction,
              fmt::format("function {} with {} argument{} does not exist", function.name, count,
                          count == 1 ? "" : "s"))
      .WithHint(fmt::format("{} takes {}.", UpperName(function.name), usage))
      .WithPosition(function.position);
}

void ThrowUnlessPositive(int64_t micros, std::string_view what, const ast::Expression& argument) {
  if (micros <= 0) {
    throw Error(SqlState::kInvalidParameterValue, fmt::format("{} must be positive", what))
        .WithPosition(argument.position);
  }
}

std::vector<plan::OutputColumn> ColumnsOfScope(const Scope& scope) {
  std::vector<plan::OutputColumn> outputs;
  for (const ScopeColumn& column : scope.columns) {
    outputs.push_back({column.name, column.type, column.table_oid, column.column_attnum});
  }
  return outputs;
}

// The relation's columns followed by window_start and window_end of the time column's type.
std::vector<plan::OutputColumn> WindowOutputs(const Scope& scope, uint32_t time_column) {
  std::vector<plan::OutputColumn> outputs = ColumnsOfScope(scope);
  const DataType time_type = scope.columns[time_column].type;
  outputs.push_back({"window_start", time_type, 0, 0});
  outputs.push_back({"window_end", time_type, 0, 0});
  return outputs;
}

}  // namespace

bool IsWindowTableFunction(std::string_view name) {
  return name == "tumble" || name == "hop" || name == "session" || name == "late_events";
}

WindowTableFunctionBinder::WindowTableFunctionBinder(const catalog::CatalogSnapshot& catalog,
                                                     const function::EvaluationContext& context,
                                                     RelationBinder bind_relation)
    : catalog_(catalog), context_(context), bind_relation_(std::move(bind_relation)) {}

BoundTableFunction WindowTableFunctionBinder::Bind(const ast::TableFunction& function) {
  if (function.name == "tumble") {
    CheckArgumentCount(function, 3, 4, "(relation, time column, size [, offset])");
    return BindHop(function, true);
  }
  if (function.name == "hop") {
    CheckArgumentCount(function, 4, 5, "(relation, time column, slide, size [, offset])");
    return BindHop(function, false);
  }
  if (function.name == "session") {
    CheckArgumentCount(function, 3, SIZE_MAX, "(relation, time column, gap [, key column ...])");
    return BindSession(function);
  }
  FRESHET_CHECK(function.name == "late_events", "not a window table function");
  CheckArgumentCount(function, 1, 1, "(relation)");
  return BindLateEvents(function);
}

BoundRelation WindowTableFunctionBinder::BindRelationArgument(const ast::TableFunction& function,
                                                              std::string& relation_name) {
  const ast::Expression& argument = *function.arguments[0];
  const auto* reference = argument.kind == ast::ExpressionKind::kColumnRef
                              ? static_cast<const ast::ColumnRef*>(&argument)
                              : nullptr;
  if (reference == nullptr || reference->names.size() > 2) {
    throw Error(SqlState::kFeatureNotSupported,
                fmt::format("first argument of {} must be the name of a relation",
                            UpperName(function.name)))
        .WithHint(
            "Name a table, source, materialized view or WITH query; a subquery can be "
            "written as a WITH query.")
        .WithPosition(argument.position);
  }
  ast::BaseTable table;
  table.position = argument.position;
  if (reference->names.size() == 2) {
    table.schema = reference->names[0];
  }
  table.name = reference->names.back();
  relation_name = table.name;
  return bind_relation_(table);
}

uint32_t WindowTableFunctionBinder::ColumnArgument(const ast::TableFunction& function,
                                                   size_t index,
                                                   const BoundRelation& relation,
                                                   std::string_view what) {
  const ast::Expression& argument = *function.arguments[index];
  if (argument.kind != ast::ExpressionKind::kColumnRef) {
    throw Error(SqlState::kFeatureNotSupported,
                fmt::format("{} of {} must be a column name, not an expression", what,
                            UpperName(function.name)))
        .WithPosition(argument.position);
  }
  BindingOptions options;
  options.clause = kArgumentClause;
  ExpressionBinder binder(relation.scope, context_, options);
  ExpressionPtr bound = binder.Bind(argument);
  FRESHET_CHECK(bound->kind == plan::ExpressionKind::kColumn,
                "a column reference binds to a column");
  return bound->column_index;
}

int64_t WindowTableFunctionBinder::IntervalArgument(const ast::TableFunction& function,
                                                    size_t index,
                                                    std::string_view what) {
  return BindConstantInterval(*function.arguments[index], context_,
                              fmt::format("{} of {}", what, UpperName(function.name)),
                              kArgumentClause);
}

BoundTableFunction WindowTableFunctionBinder::BindHop(const ast::TableFunction& function,
                                                      bool tumble) {
  BoundTableFunction result;
  BoundRelation relation = BindRelationArgument(function, result.relation_name);
  const uint32_t time_column = ColumnArgument(function, 1, relation, "time column");
  const ScopeColumn& time = relation.scope.columns[time_column];
  if (time.type.id != TypeId::kTimestamp && time.type.id != TypeId::kTimestamptz) {
    throw Error(SqlState::kDatatypeMismatch,
                fmt::format("time column \"{}\" of {} must be type timestamp or timestamp with "
                            "time zone, not type {}",
                            time.name, UpperName(function.name), time.type.Name()))
        .WithPosition(function.arguments[1]->position);
  }
  const size_t size_index = tumble ? 2 : 3;
  const size_t offset_index = size_index + 1;
  int64_t slide = 0;
  if (!tumble) {
    slide = IntervalArgument(function, 2, "window slide");
    ThrowUnlessPositive(slide, "window slide", *function.arguments[2]);
  }
  const int64_t size = IntervalArgument(function, size_index, "window size");
  ThrowUnlessPositive(size, "window size", *function.arguments[size_index]);
  if (tumble) {
    slide = size;
  } else if (size % slide != 0) {
    // Every row then falls into exactly size / slide windows.
    throw Error(SqlState::kInvalidParameterValue,
                fmt::format("window size {} must be a multiple of the window slide {}",
                            IntervalText(size), IntervalText(slide)))
        .WithPosition(function.arguments[size_index]->position);
  }
  auto node = std::make_unique<plan::HopWindowNode>();
  node->time_column = time_column;
  node->size_micros = size;
  node->slide_micros = slide;
  if (function.arguments.size() > offset_index) {
    node->offset_micros = IntervalArgument(function, offset_index, "window offset");
  }
  node->outputs = WindowOutputs(relation.scope, time_column);
  node->input = std::move(relation.node);
  result.node = std::move(node);
  return result;
}

BoundTableFunction WindowTableFunctionBinder::BindSession(const ast::TableFunction& function) {
  BoundTableFunction result;
  BoundRelation relation = BindRelationArgument(function, result.relation_name);
  const uint32_t time_column = ColumnArgument(function, 1, relation, "time column");
  const ScopeColumn& time = relation.scope.columns[time_column];
  if (time.type.id != TypeId::kTimestamp && time.type.id != TypeId::kTimestamptz) {
    throw Error(SqlState::kDatatypeMismatch,
                fmt::format("time column \"{}\" of {} must be type timestamp or timestamp with "
                            "time zone, not type {}",
                            time.name, UpperName(function.name), time.type.Name()))
        .WithPosition(function.arguments[1]->position);
  }
  auto node = std::make_unique<plan::SessionWindowNode>();
  node->time_column = time_column;
  node->gap_micros = IntervalArgument(function, 2, "session gap");
  ThrowUnlessPositive(node->gap_micros, "session gap", *function.arguments[2]);
  for (size_t i = 3; i < function.arguments.size(); ++i) {
    node->key_columns.push_back(ColumnArgument(function, i, relation, "session key"));
  }
  node->outputs = WindowOutputs(relation.scope, time_column);
  node->input = std::move(relation.node);
  result.node = std::move(node);
  return result;
}

BoundTableFunction WindowTableFunctionBinder::BindLateEvents(const ast::TableFunction& function) {
  BoundTableFunction result;
  BoundRelation relation = BindRelationArgument(function, result.relation_name);
  std::shared_ptr<const catalog::Relation> stored;
  if (relation.node->kind == plan::BatchNodeKind::kTableScan) {
    stored =
        catalog_.FindRelation(static_cast<plan::TableScanNode&>(*relation.node).table.table_id);
  }
  if (stored == nullptr || !stored->watermark) {
    throw Error(SqlState::kFeatureNotSupported,
                fmt::format("relation \"{}\" has no watermark", result.relation_name))
        .WithHint("Only a source or table declared with a WATERMARK has late events.")
        .WithPosition(function.arguments[0]->position);
  }
  auto& scan = static_cast<plan::TableScanNode&>(*relation.node);
  scan.late_events = true;
  scan.outputs = ColumnsOfScope(relation.scope);
  scan.outputs.push_back({"_watermark", stored->columns[stored->watermark->column].type, 0, 0});
  result.node = std::move(relation.node);
  return result;
}

}  // namespace freshet::planner::internal
