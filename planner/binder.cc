// SPDX-License-Identifier: Apache-2.0
#include "planner/binder.h"

#include <fmt/format.h>

#include "common/error.h"
#include "planner/expression_binder.h"
#include "planner/query_binder.h"

namespace freshet::planner {
namespace {

using function::CastContext;
using internal::Coerce;
using internal::ExpressionBinder;
using internal::Scope;
using plan::Expression;
using plan::ExpressionPtr;

}  // namespace

Binder::Binder(std::shared_ptr<const catalog::CatalogSnapshot> catalog,
               const function::EvaluationContext& context,
               SystemTableProvider* system_tables)
    : catalog_(std::move(catalog)), context_(context), system_tables_(system_tables) {}

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
      // Plain NUMERIC is unconstrained: values keep their own scale (common/numeric.h).
      if (type.modifiers.empty()) {
        return DataType::Numeric();
      }
      // Postgres's numerictypmodin limits; values are further limited to 35 digits.
      if (type.modifiers.size() > 2) {
        throw Error(SqlState::kInvalidParameterValue, "invalid NUMERIC type modifier")
            .WithPosition(type.position);
      }
      const int32_t precision = type.modifiers[0];
      const int32_t scale = type.modifiers.size() > 1 ? type.modifiers[1] : 0;
      if (precision < 1 || precision > 1000) {
        throw Error(SqlState::kInvalidParameterValue,
                    fmt::format("NUMERIC precision {} must be between 1 and 1000", precision))
            .WithPosition(type.position);
      }
      if (scale < -1000 || scale > 1000) {
        throw Error(SqlState::kInvalidParameterValue,
                    fmt::format("NUMERIC scale {} must be between -1000 and 1000", scale))
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
  internal::QueryBinder binder(*catalog_, system_tables_, context_);
  return binder.Bind(select);
}

InsertPlan Binder::BindInsert(const ast::Insert& insert) {
  auto relation = TargetTable(insert.schema, insert.table, insert.table_position, "insert into");
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

std::shared_ptr<const catalog::Relation> Binder::TargetTable(const std::string& schema,
                                                             const std::string& name,
                                                             int32_t position,
                                                             std::string_view verb) const {
  auto relation = catalog_->FindRelation(name);
  if (relation == nullptr || (!schema.empty() && schema != relation->schema)) {
    throw Error::UndefinedTable(schema.empty() ? name : schema + "." + name).WithPosition(position);
  }
  if (relation->kind != catalog::RelationKind::kTable) {
    throw Error(SqlState::kWrongObjectType,
                fmt::format("cannot {} \"{}\": it is not a table", verb, name))
        .WithPosition(position);
  }
  return relation;
}

plan::BatchNodePtr Binder::ScanForModify(const catalog::Relation& relation,
                                         const ast::Expression* where,
                                         Scope& scope) {
  auto scan = std::make_unique<plan::TableScanNode>();
  scan->table = DescribeTable(relation);
  scan->with_row_key = true;
  for (size_t i = 0; i < relation.columns.size(); ++i) {
    const catalog::ColumnSchema& column = relation.columns[i];
    scan->outputs.push_back({column.name, column.type, relation.id, static_cast<int16_t>(i + 1)});
    scope.columns.push_back(
        {column.name, relation.name, column.type, relation.id, static_cast<int16_t>(i + 1)});
  }
  scan->outputs.push_back({"?key?", DataType(TypeId::kBytea), 0, 0});
  // The key column is not visible to expressions.
  scope.columns.push_back({"?key?", "", DataType(TypeId::kBytea), 0, 0, true});
  plan::BatchNodePtr root = std::move(scan);
  if (where != nullptr) {
    internal::QueryBinder subqueries(*catalog_, system_tables_, context_);
    internal::BindingOptions options;
    options.subqueries = &subqueries;
    ExpressionBinder binder(scope, context_, options);
    auto filter = std::make_unique<plan::FilterNode>();
    filter->predicate = binder.BindCondition(*where, "WHERE");
    filter->outputs = root->outputs;
    filter->input = std::move(root);
    root = std::move(filter);
  }
  return root;
}

ModifyPlan Binder::BindUpdate(const ast::Update& update) {
  auto relation = TargetTable(update.schema, update.table, update.table_position, "update");
  Scope scope;
  plan::BatchNodePtr input =
      ScanForModify(*relation, update.where ? update.where.get() : nullptr, scope);
  const auto key_column = static_cast<uint32_t>(relation->columns.size());
  std::vector<ExpressionPtr> values(relation->columns.size());
  internal::QueryBinder subqueries(*catalog_, system_tables_, context_);
  internal::BindingOptions options;
  options.subqueries = &subqueries;
  options.clause = "UPDATE";
  ExpressionBinder binder(scope, context_, options);
  for (const auto& [name, expression] : update.assignments) {
    auto index = relation->FindColumn(name);
    if (!index) {
      throw Error(
          SqlState::kUndefinedColumn,
          fmt::format("column \"{}\" of relation \"{}\" does not exist", name, relation->name))
          .WithPosition(update.table_position);
    }
    if (values[*index]) {
      throw Error(SqlState::kSyntaxError,
                  fmt::format("multiple assignments to same column \"{}\"", name))
          .WithPosition(expression->position);
    }
    const catalog::ColumnSchema& target = relation->columns[*index];
    ExpressionPtr value = binder.Bind(*expression);
    if (value->type.id != TypeId::kUnknown &&
        !function::CanCast(value->type.id, target.type.id, CastContext::kAssignment)) {
      throw Error(SqlState::kDatatypeMismatch,
                  fmt::format("column \"{}\" is of type {} but expression is of type {}",
                              target.name, target.type.Name(), value->type.Name()))
          .WithHint("You will need to rewrite or cast the expression.")
          .WithPosition(expression->position);
    }
    values[*index] = Coerce(std::move(value), target.type, CastContext::kAssignment,
                            expression->position, context_);
  }
  auto project = std::make_unique<plan::ProjectNode>();
  for (uint32_t i = 0; i < relation->columns.size(); ++i) {
    project->expressions.push_back(values[i] ? std::move(values[i])
                                             : Expression::Column(i, relation->columns[i].type));
    project->outputs.push_back({relation->columns[i].name, relation->columns[i].type, 0, 0});
  }
  project->expressions.push_back(Expression::Column(key_column, DataType(TypeId::kBytea)));
  project->outputs.push_back({"?key?", DataType(TypeId::kBytea), 0, 0});
  project->input = std::move(input);
  return {DescribeTable(*relation), std::move(project)};
}

ModifyPlan Binder::BindDelete(const ast::Delete& deletion) {
  auto relation =
      TargetTable(deletion.schema, deletion.table, deletion.table_position, "delete from");
  Scope scope;
  plan::BatchNodePtr input =
      ScanForModify(*relation, deletion.where ? deletion.where.get() : nullptr, scope);
  auto project = std::make_unique<plan::ProjectNode>();
  const auto key_column = static_cast<uint32_t>(relation->columns.size());
  project->expressions.push_back(Expression::Column(key_column, DataType(TypeId::kBytea)));
  project->outputs.push_back({"?key?", DataType(TypeId::kBytea), 0, 0});
  project->input = std::move(input);
  return {DescribeTable(*relation), std::move(project)};
}

}  // namespace freshet::planner
