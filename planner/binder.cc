// SPDX-License-Identifier: Apache-2.0
#include "planner/binder.h"

#include <fmt/format.h>

#include "common/error.h"
#include "planner/expression_binder.h"

namespace freshet::planner {
namespace {

using function::CastContext;
using internal::Coerce;
using internal::ExpressionBinder;
using internal::Scope;
using internal::ScopeColumn;
using plan::Expression;
using plan::ExpressionPtr;

// The name Postgres gives an unaliased select-list item (FigureColname).
std::string FigureColumnName(const ast::Expression& expression) {
  switch (expression.kind) {
    case ast::ExpressionKind::kColumnRef:
      return static_cast<const ast::ColumnRef&>(expression).names.back();
    case ast::ExpressionKind::kFunctionCall:
      return static_cast<const ast::FunctionCall&>(expression).name;
    case ast::ExpressionKind::kCast: {
      const auto& cast = static_cast<const ast::Cast&>(expression);
      std::string inner = FigureColumnName(*cast.operand);
      if (inner != "?column?") {
        return inner;
      }
      // Postgres names a bare cast after the type's internal name.
      const DataType type = ResolveType(cast.type);
      switch (type.id) {
        case TypeId::kBoolean:
          return "bool";
        case TypeId::kSmallint:
          return "int2";
        case TypeId::kInteger:
          return "int4";
        case TypeId::kBigint:
          return "int8";
        case TypeId::kReal:
          return "float4";
        case TypeId::kDouble:
          return "float8";
        case TypeId::kVarchar:
          return "varchar";
        case TypeId::kTimestamptz:
          return "timestamptz";
        default:
          return type.Name();
      }
    }
    case ast::ExpressionKind::kLiteral: {
      const auto& literal = static_cast<const ast::Literal&>(expression);
      if (literal.type == ast::Literal::Type::kBoolean) {
        return "bool";
      }
      if (literal.type == ast::Literal::Type::kTyped) {
        const DataType type = ResolveType(literal.typed);
        return type.id == TypeId::kTimestamptz ? "timestamptz" : type.Name();
      }
      if (literal.type == ast::Literal::Type::kInterval) {
        return "interval";
      }
      return "?column?";
    }
    case ast::ExpressionKind::kCase:
      return "case";
    default:
      return "?column?";
  }
}

int64_t EvaluateCount(const ast::Expression& expression,
                      std::string_view clause,
                      const function::EvaluationContext& context) {
  Scope empty;
  ExpressionBinder binder(empty, context);
  ExpressionPtr bound = Coerce(binder.Bind(expression), DataType::Bigint(),
                               CastContext::kAssignment, expression.position, context);
  if (bound->kind != plan::ExpressionKind::kConstant) {
    throw Error(SqlState::kFeatureNotSupported,
                fmt::format("argument of {} must be a constant", clause))
        .WithPosition(expression.position);
  }
  if (bound->constant.IsNull()) {
    return -1;
  }
  const int64_t value = bound->constant.GetInt();
  if (value < 0) {
    throw Error(clause == "LIMIT" ? SqlState::kInvalidRowCountInLimitClause
                                  : SqlState::kInvalidRowCountInResultOffsetClause,
                fmt::format("{} must not be negative", clause));
  }
  return value;
}

void SetOutputs(plan::BatchNode& node, std::vector<plan::OutputColumn> outputs) {
  node.outputs = std::move(outputs);
}

}  // namespace

Binder::Binder(std::shared_ptr<const catalog::CatalogSnapshot> catalog,
               const function::EvaluationContext& context)
    : catalog_(std::move(catalog)), context_(context) {}

DataType ResolveType(const ast::TypeName& type) {
  if (type.is_array) {
    throw Error(SqlState::kFeatureNotSupported, "array types are not supported yet")
        .WithPosition(type.position);
  }
  const auto id = TypeIdFromName(type.name);
  if (!id) {
    throw Error(SqlState::kUndefinedObject, fmt::format("type \"{}\" does not exist", type.name))
        .WithPosition(type.position);
  }
  switch (*id) {
    case TypeId::kVarchar:
      if (!type.modifiers.empty()) {
        if (type.modifiers[0] < 1) {
          throw Error(SqlState::kInvalidParameterValue,
                      "length for type varchar must be at least 1")
              .WithPosition(type.position);
        }
        return DataType::Varchar(type.modifiers[0]);
      }
      return DataType(TypeId::kVarchar);
    case TypeId::kNumeric: {
      const int32_t precision = type.modifiers.empty() ? 38 : type.modifiers[0];
      const int32_t scale = type.modifiers.size() > 1 ? type.modifiers[1] : 0;
      if (precision < 1 || precision > 38 || scale < 0 || scale > precision) {
        throw Error(SqlState::kInvalidParameterValue,
                    fmt::format("NUMERIC precision {} must be between 1 and 38", precision))
            .WithPosition(type.position);
      }
      return DataType::Numeric(precision, scale);
    }
    default:
      return DataType(*id);
  }
}

plan::TableDescriptor DescribeTable(const catalog::Relation& relation) {
  plan::TableDescriptor table;
  table.table_id = relation.id;
  table.name = relation.name;
  for (const catalog::ColumnSchema& column : relation.columns) {
    table.column_names.push_back(column.name);
    table.column_types.push_back(column.type);
    table.not_null.push_back(column.not_null);
  }
  table.primary_key = relation.primary_key;
  return table;
}

plan::BatchNodePtr Binder::BindQuery(const ast::Select& select) {
  if (select.set_operation != ast::Select::SetOperation::kNone || !select.with.empty()) {
    throw Error(SqlState::kFeatureNotSupported, "set operations and WITH are not supported yet")
        .WithPosition(select.position);
  }
  if (!select.group_by.empty() || select.having || select.distinct || !select.distinct_on.empty()) {
    throw Error(SqlState::kFeatureNotSupported,
                "GROUP BY, HAVING and DISTINCT are not supported yet")
        .WithPosition(select.position);
  }

  // FROM: one stored relation, or no FROM at all (a single empty row).
  Scope scope;
  plan::BatchNodePtr input;
  if (!select.values.empty()) {
    auto values = std::make_unique<plan::ValuesNode>();
    Scope empty;
    ExpressionBinder binder(empty, context_);
    const size_t width = select.values[0].size();
    std::vector<std::vector<ExpressionPtr>> rows;
    for (const auto& row : select.values) {
      if (row.size() != width) {
        throw Error(SqlState::kSyntaxError, "VALUES lists must all be the same length")
            .WithPosition(row.empty() ? select.position : row[0]->position);
      }
      std::vector<ExpressionPtr> bound;
      for (const ast::ExpressionPtr& item : row) {
        bound.push_back(binder.Bind(*item));
      }
      rows.push_back(std::move(bound));
    }
    for (size_t column = 0; column < width; ++column) {
      std::vector<DataType> types;
      for (const auto& row : rows) {
        types.push_back(row[column]->type);
      }
      const DataType common = internal::CommonType(types, "VALUES", select.position);
      for (auto& row : rows) {
        row[column] = Coerce(std::move(row[column]), common, CastContext::kImplicit,
                             select.position, context_);
      }
      values->outputs.push_back({fmt::format("column{}", column + 1), common, 0, 0});
    }
    values->rows = std::move(rows);
    for (const plan::OutputColumn& output : values->outputs) {
      scope.columns.push_back({output.name, "*VALUES*", output.type, 0, 0});
    }
    if (select.order_by.empty() && !select.limit && !select.offset) {
      return values;
    }
    input = std::move(values);
  } else if (select.from.empty()) {
    auto values = std::make_unique<plan::ValuesNode>();
    values->rows.emplace_back();
    input = std::move(values);
  } else {
    if (select.from.size() > 1 || select.from[0]->kind != ast::TableRefKind::kBaseTable) {
      throw Error(SqlState::kFeatureNotSupported,
                  "joins, subqueries and table functions in FROM are not supported yet")
          .WithPosition(select.from[0]->position);
    }
    const auto& table_ref = static_cast<const ast::BaseTable&>(*select.from[0]);
    auto relation = catalog_->FindRelation(table_ref.name);
    if (relation == nullptr ||
        (!table_ref.schema.empty() && table_ref.schema != relation->schema)) {
      const std::string shown =
          table_ref.schema.empty() ? table_ref.name : table_ref.schema + "." + table_ref.name;
      throw Error::UndefinedTable(shown).WithPosition(table_ref.position);
    }
    auto scan = std::make_unique<plan::TableScanNode>();
    scan->table = DescribeTable(*relation);
    const std::string& visible_name = table_ref.alias.empty() ? relation->name : table_ref.alias;
    for (size_t i = 0; i < relation->columns.size(); ++i) {
      const catalog::ColumnSchema& column = relation->columns[i];
      std::string name =
          i < table_ref.column_aliases.size() ? table_ref.column_aliases[i] : column.name;
      scan->outputs.push_back({name, column.type, relation->id, static_cast<int16_t>(i + 1)});
      scope.columns.push_back(
          {name, visible_name, column.type, relation->id, static_cast<int16_t>(i + 1)});
    }
    input = std::move(scan);
  }

  ExpressionBinder binder(scope, context_);
  if (select.where) {
    auto filter = std::make_unique<plan::FilterNode>();
    filter->predicate = binder.BindCondition(*select.where, "WHERE");
    filter->outputs = input->outputs;
    filter->input = std::move(input);
    input = std::move(filter);
  }

  // The select list; for a VALUES query it is every column.
  auto project = std::make_unique<plan::ProjectNode>();
  std::vector<plan::OutputColumn> visible;
  if (!select.values.empty()) {
    for (uint32_t i = 0; i < scope.columns.size(); ++i) {
      project->expressions.push_back(Expression::Column(i, scope.columns[i].type));
      visible.push_back(input->outputs[i]);
    }
  }
  for (const ast::SelectItem& item : select.items) {
    if (item.expression->kind == ast::ExpressionKind::kStar) {
      const auto& star = static_cast<const ast::Star&>(*item.expression);
      bool matched = false;
      for (uint32_t i = 0; i < scope.columns.size(); ++i) {
        if (star.qualifier && scope.columns[i].relation != *star.qualifier) {
          continue;
        }
        matched = true;
        project->expressions.push_back(Expression::Column(i, scope.columns[i].type));
        visible.push_back({scope.columns[i].name, scope.columns[i].type, scope.columns[i].table_oid,
                           scope.columns[i].column_attnum});
      }
      if (star.qualifier && !matched) {
        throw Error(SqlState::kUndefinedTable,
                    fmt::format("missing FROM-clause entry for table \"{}\"", *star.qualifier))
            .WithPosition(star.position);
      }
      if (!star.qualifier && scope.columns.empty() && select.from.empty()) {
        throw Error(SqlState::kSyntaxError, "SELECT * with no tables specified is not valid")
            .WithPosition(star.position);
      }
      continue;
    }
    ExpressionPtr bound = binder.Bind(*item.expression);
    if (bound->type.id == TypeId::kUnknown) {
      // An untyped literal in the output is text, as in Postgres 10 and later.
      bound = Coerce(std::move(bound), DataType::Text(), CastContext::kImplicit,
                     item.expression->position, context_);
    }
    plan::OutputColumn output{item.alias.empty() ? FigureColumnName(*item.expression) : item.alias,
                              bound->type, 0, 0};
    if (bound->kind == plan::ExpressionKind::kColumn) {
      output.table_oid = scope.columns[bound->column_index].table_oid;
      output.column_attnum = scope.columns[bound->column_index].column_attnum;
    }
    project->expressions.push_back(std::move(bound));
    visible.push_back(std::move(output));
  }
  const size_t num_visible = visible.size();

  // ORDER BY: an output position, an output name, or any expression over the input (added as a
  // hidden column).
  std::vector<plan::SortKey> sort_keys;
  for (const ast::OrderItem& item : select.order_by) {
    plan::SortKey key;
    key.descending = item.descending;
    key.nulls_first = item.nulls_first.value_or(item.descending);
    const ast::Expression& expression = *item.expression;
    std::optional<uint32_t> target;
    if (expression.kind == ast::ExpressionKind::kLiteral &&
        static_cast<const ast::Literal&>(expression).type == ast::Literal::Type::kInteger) {
      const std::string& digits = static_cast<const ast::Literal&>(expression).text;
      const int64_t position = digits.size() > 9 ? 0 : std::stoll(digits);
      if (position < 1 || position > static_cast<int64_t>(num_visible)) {
        throw Error(SqlState::kInvalidColumnReference,
                    fmt::format("ORDER BY position {} is not in select list", digits))
            .WithPosition(expression.position);
      }
      target = static_cast<uint32_t>(position - 1);
    } else if (expression.kind == ast::ExpressionKind::kColumnRef &&
               static_cast<const ast::ColumnRef&>(expression).names.size() == 1) {
      const std::string& name = static_cast<const ast::ColumnRef&>(expression).names[0];
      for (uint32_t i = 0; i < num_visible; ++i) {
        if (visible[i].name == name) {
          // Two outputs of the same name are ambiguous only if they compute different things.
          if (target &&
              project->expressions[*target]->ToString() != project->expressions[i]->ToString()) {
            throw Error(SqlState::kAmbiguousColumn,
                        fmt::format("ORDER BY \"{}\" is ambiguous", name))
                .WithPosition(expression.position);
          }
          if (!target) {
            target = i;
          }
        }
      }
    }
    if (!target) {
      ExpressionPtr bound = binder.Bind(expression);
      target = static_cast<uint32_t>(project->expressions.size());
      visible.push_back({"?sort?", bound->type, 0, 0});
      project->expressions.push_back(std::move(bound));
    }
    key.column_index = *target;
    sort_keys.push_back(key);
  }

  SetOutputs(*project, visible);
  project->input = std::move(input);
  plan::BatchNodePtr root = std::move(project);
  if (!sort_keys.empty()) {
    auto sort = std::make_unique<plan::SortNode>();
    sort->keys = std::move(sort_keys);
    sort->outputs = root->outputs;
    sort->input = std::move(root);
    root = std::move(sort);
  }
  if (select.limit || select.offset) {
    auto limit = std::make_unique<plan::LimitNode>();
    if (select.limit) {
      const int64_t count = EvaluateCount(*select.limit, "LIMIT", context_);
      if (count >= 0) {
        limit->limit = count;
      }
    }
    if (select.offset) {
      limit->offset = std::max<int64_t>(0, EvaluateCount(*select.offset, "OFFSET", context_));
    }
    limit->outputs = root->outputs;
    limit->input = std::move(root);
    root = std::move(limit);
  }
  if (root->outputs.size() > num_visible) {
    // Drop the hidden sort columns.
    auto trim = std::make_unique<plan::ProjectNode>();
    for (uint32_t i = 0; i < num_visible; ++i) {
      trim->expressions.push_back(Expression::Column(i, root->outputs[i].type));
      trim->outputs.push_back(root->outputs[i]);
    }
    trim->input = std::move(root);
    root = std::move(trim);
  }
  return root;
}

InsertPlan Binder::BindInsert(const ast::Insert& insert) {
  auto relation = catalog_->FindRelation(insert.table);
  if (relation == nullptr) {
    throw Error::UndefinedTable(insert.table).WithPosition(insert.table_position);
  }
  if (relation->kind != catalog::RelationKind::kTable) {
    throw Error(SqlState::kWrongObjectType,
                fmt::format("cannot insert into \"{}\": it is not a table", insert.table))
        .WithPosition(insert.table_position);
  }
  // Which table column each inserted value goes to.
  std::vector<uint32_t> targets;
  if (insert.columns.empty()) {
    for (uint32_t i = 0; i < relation->columns.size(); ++i) {
      targets.push_back(i);
    }
  } else {
    for (const std::string& name : insert.columns) {
      auto index = relation->FindColumn(name);
      if (!index) {
        throw Error(
            SqlState::kUndefinedColumn,
            fmt::format("column \"{}\" of relation \"{}\" does not exist", name, relation->name))
            .WithPosition(insert.table_position);
      }
      for (uint32_t existing : targets) {
        if (existing == *index) {
          throw Error(SqlState::kDuplicateColumn,
                      fmt::format("column \"{}\" specified more than once", name))
              .WithPosition(insert.table_position);
        }
      }
      targets.push_back(static_cast<uint32_t>(*index));
    }
  }

  InsertPlan result;
  result.table = DescribeTable(*relation);
  const ast::Select& source = *insert.source;
  auto check_width = [&](size_t width, int32_t position) {
    if (width > targets.size()) {
      throw Error(SqlState::kSyntaxError, "INSERT has more expressions than target columns")
          .WithPosition(position);
    }
    if (width < targets.size() && !insert.columns.empty()) {
      throw Error(SqlState::kSyntaxError, "INSERT has more target columns than expressions")
          .WithPosition(position);
    }
  };
  auto assign = [&](ExpressionPtr value, uint32_t column, int32_t position) {
    const catalog::ColumnSchema& target = relation->columns[column];
    if (value->type.id != TypeId::kUnknown &&
        !function::CanCast(value->type.id, target.type.id, CastContext::kAssignment)) {
      throw Error(SqlState::kDatatypeMismatch,
                  fmt::format("column \"{}\" is of type {} but expression is of type {}",
                              target.name, target.type.Name(), value->type.Name()))
          .WithHint("You will need to rewrite or cast the expression.")
          .WithPosition(position);
    }
    return Coerce(std::move(value), target.type, CastContext::kAssignment, position, context_);
  };
  // Builds the full table row: values where targeted, NULL elsewhere.
  auto full_row = [&](std::vector<ExpressionPtr> values) {
    std::vector<ExpressionPtr> row(relation->columns.size());
    for (size_t i = 0; i < values.size(); ++i) {
      row[targets[i]] = std::move(values[i]);
    }
    for (size_t i = 0; i < row.size(); ++i) {
      if (!row[i]) {
        row[i] = Expression::Constant(Value::Null(relation->columns[i].type));
      }
    }
    return row;
  };

  if (!source.values.empty() && source.order_by.empty() && !source.limit && !source.offset) {
    // INSERT ... VALUES: each value is assigned to its column directly, so untyped literals are
    // parsed by the column type's input function.
    auto values = std::make_unique<plan::ValuesNode>();
    Scope empty;
    ExpressionBinder binder(empty, context_);
    for (const auto& row : source.values) {
      if (row.size() != source.values.front().size()) {
        throw Error(SqlState::kSyntaxError, "VALUES lists must all be the same length")
            .WithPosition(row.empty() ? insert.position : row.front()->position);
      }
    }
    for (const auto& row : source.values) {
      check_width(row.size(), row.empty() ? insert.position : row.front()->position);
      std::vector<ExpressionPtr> bound;
      for (size_t i = 0; i < row.size(); ++i) {
        bound.push_back(assign(binder.Bind(*row[i]), targets[i], row[i]->position));
      }
      values->rows.push_back(full_row(std::move(bound)));
    }
    for (const catalog::ColumnSchema& column : relation->columns) {
      values->outputs.push_back({column.name, column.type, 0, 0});
    }
    result.source = std::move(values);
    return result;
  }

  plan::BatchNodePtr query = BindQuery(source);
  check_width(query->outputs.size(), source.position);
  std::vector<ExpressionPtr> converted;
  for (uint32_t i = 0; i < query->outputs.size(); ++i) {
    converted.push_back(
        assign(Expression::Column(i, query->outputs[i].type), targets[i], source.position));
  }
  auto project = std::make_unique<plan::ProjectNode>();
  project->expressions = full_row(std::move(converted));
  for (const catalog::ColumnSchema& column : relation->columns) {
    project->outputs.push_back({column.name, column.type, 0, 0});
  }
  project->input = std::move(query);
  result.source = std::move(project);
  return result;
}

}  // namespace freshet::planner
