// SPDX-License-Identifier: Apache-2.0
#include "planner/query_binder.h"

#include <algorithm>

#include <fmt/format.h>

#include "common/error.h"
#include "function/aggregate_function.h"
#include "planner/binder.h"
#include "planner/window_binder.h"

namespace freshet::planner::internal {
namespace {

using function::CastContext;
using plan::Expression;
using plan::ExpressionPtr;

// The name a type cast gives a column when its operand has no better one: the last word of the type
// as Postgres's grammar records it (INTEGER is "int4", TIMESTAMP WITH TIME ZONE "timestamptz").
std::string CastColumnName(const ast::TypeName& type_name) {
  const DataType type = ResolveType(type_name);
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
    case TypeId::kTimestamp:
      return "timestamp";
    case TypeId::kTime:
      return "time";
    case TypeId::kNumeric:
      return "numeric";
    default:
      return type_name.name;
  }
}

// The name Postgres gives an unaliased select-list item (FigureColnameInternal), with its strength:
// 2 for a real name (a column or function), 1 for a type's name, 0 for "?column?".
std::pair<std::string, int> FigureColumnName(const ast::Expression& expression) {
  switch (expression.kind) {
    case ast::ExpressionKind::kColumnRef:
      return {static_cast<const ast::ColumnRef&>(expression).names.back(), 2};
    case ast::ExpressionKind::kFunctionCall:
      return {static_cast<const ast::FunctionCall&>(expression).name, 2};
    case ast::ExpressionKind::kCast: {
      const auto& cast = static_cast<const ast::Cast&>(expression);
      auto inner = FigureColumnName(*cast.operand);
      if (inner.second <= 1) {
        return {CastColumnName(cast.type), 1};
      }
      return inner;
    }
    case ast::ExpressionKind::kLiteral: {
      const auto& literal = static_cast<const ast::Literal&>(expression);
      // DATE '...', TIME '...' and INTERVAL '...' are casts of a string in Postgres's grammar.
      if (literal.type == ast::Literal::Type::kTyped) {
        return {CastColumnName(literal.typed), 1};
      }
      if (literal.type == ast::Literal::Type::kInterval) {
        return {"interval", 1};
      }
      return {"?column?", 0};
    }
    case ast::ExpressionKind::kCase: {
      const auto& case_expression = static_cast<const ast::Case&>(expression);
      if (case_expression.else_result) {
        auto name = FigureColumnName(*case_expression.else_result);
        if (name.second > 1) {
          return name;
        }
      }
      return {"case", 1};
    }
    case ast::ExpressionKind::kSubquery: {
      const auto& subquery = static_cast<const ast::Subquery&>(expression);
      if (subquery.type == ast::Subquery::Type::kExists) {
        return {"exists", 2};
      }
      if (subquery.type == ast::Subquery::Type::kScalar && !subquery.select->items.empty() &&
          subquery.select->set_operation == ast::Select::SetOperation::kNone) {
        const ast::SelectItem& item = subquery.select->items[0];
        if (!item.alias.empty()) {
          return {item.alias, 2};
        }
        // The subquery's output name, "?column?" included, counts as a real name.
        return {FigureColumnName(*item.expression).first, 2};
      }
      return {"?column?", 0};
    }
    case ast::ExpressionKind::kArray:
      return {"array", 2};
    default:
      return {"?column?", 0};
  }
}

std::vector<plan::OutputColumn> ColumnsOf(const Scope& scope) {
  std::vector<plan::OutputColumn> outputs;
  for (const ScopeColumn& column : scope.columns) {
    outputs.push_back({column.name, column.type, column.table_oid, column.column_attnum});
  }
  return outputs;
}

plan::BatchNodePtr Project(plan::BatchNodePtr input,
                           std::vector<ExpressionPtr> expressions,
                           std::vector<plan::OutputColumn> outputs) {
  auto project = std::make_unique<plan::ProjectNode>();
  project->expressions = std::move(expressions);
  project->outputs = std::move(outputs);
  project->input = std::move(input);
  return project;
}

// A single row with no columns: the input of SELECT without FROM.
BoundRelation OneRow() {
  auto values = std::make_unique<plan::ValuesNode>();
  values->rows.emplace_back();
  return {std::move(values), Scope{}};
}

// Splits a condition into its top-level AND terms.
void SplitConjuncts(ExpressionPtr condition, std::vector<ExpressionPtr>& terms) {
  if (condition->kind == plan::ExpressionKind::kAnd) {
    for (ExpressionPtr& child : condition->children) {
      SplitConjuncts(std::move(child), terms);
    }
    return;
  }
  terms.push_back(std::move(condition));
}

ExpressionPtr CombineConjuncts(std::vector<ExpressionPtr> terms) {
  if (terms.empty()) {
    return nullptr;
  }
  if (terms.size() == 1) {
    return std::move(terms[0]);
  }
  return Expression::Make(plan::ExpressionKind::kAnd, DataType::Boolean(), std::move(terms));
}

plan::JoinType JoinTypeOf(ast::Join::Type type) {
  switch (type) {
    case ast::Join::Type::kLeft:
      return plan::JoinType::kLeft;
    case ast::Join::Type::kRight:
      return plan::JoinType::kRight;
    case ast::Join::Type::kFull:
      return plan::JoinType::kFull;
    case ast::Join::Type::kInner:
    case ast::Join::Type::kCross:
      return plan::JoinType::kInner;
  }
  return plan::JoinType::kInner;
}

// The index of the only non-hidden column named `name` in `scope`, for USING; throws as Postgres
// does.
uint32_t UsingColumn(const Scope& scope,
                     const std::string& name,
                     std::string_view side,
                     int32_t position) {
  std::optional<uint32_t> found;
  for (uint32_t i = 0; i < scope.columns.size(); ++i) {
    if (scope.columns[i].hidden || scope.columns[i].name != name) {
      continue;
    }
    if (found) {
      throw Error(
          SqlState::kAmbiguousColumn,
          fmt::format("common column name \"{}\" appears more than once in {} table", name, side))
          .WithPosition(position);
    }
    found = i;
  }
  if (!found) {
    throw Error(SqlState::kUndefinedColumn,
                fmt::format("column \"{}\" specified in USING clause does not exist in {} table",
                            name, side))
        .WithPosition(position);
  }
  return *found;
}

// When `expression` is an integer literal, the 0-based select-list position it names in `clause`
// (ORDER BY 2, GROUP BY 1); throws 42P10 when no item has that position. nullopt for any other
// expression.
std::optional<uint32_t> SelectListPosition(const ast::Expression& expression,
                                           size_t count,
                                           std::string_view clause) {
  if (expression.kind != ast::ExpressionKind::kLiteral ||
      static_cast<const ast::Literal&>(expression).type != ast::Literal::Type::kInteger) {
    return std::nullopt;
  }
  const std::string& digits = static_cast<const ast::Literal&>(expression).text;
  const int64_t position = digits.size() > 9 ? 0 : std::stoll(digits);
  if (position < 1 || position > static_cast<int64_t>(count)) {
    throw Error(SqlState::kInvalidColumnReference,
                fmt::format("{} position {} is not in select list", clause, digits))
        .WithPosition(expression.position);
  }
  return static_cast<uint32_t>(position - 1);
}

// Throws 42712 when a relation name is visible on both sides of a join or comma list.
void CheckDistinctRelationNames(const Scope& left, const Scope& right, int32_t position) {
  for (const ScopeColumn& column : right.columns) {
    if (column.relation.empty()) {
      continue;
    }
    for (const ScopeColumn& other : left.columns) {
      if (other.relation == column.relation) {
        throw Error(SqlState::kDuplicateAlias,
                    fmt::format("table name \"{}\" specified more than once", column.relation))
            .WithPosition(position);
      }
    }
  }
}

}  // namespace

int64_t EvaluateCount(const ast::Expression& expression,
                      std::string_view clause,
                      const function::EvaluationContext& context) {
  Scope empty;
  BindingOptions options;
  options.clause = clause;
  ExpressionBinder binder(empty, context, options);
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

QueryBinder::QueryBinder(const catalog::CatalogSnapshot& catalog,
                         SystemTableProvider* system_tables,
                         const function::EvaluationContext& context,
                         std::vector<const ast::CommonTableExpression*> ctes,
                         const Scope* outer,
                         bool* correlated)
    : catalog_(catalog),
      system_tables_(system_tables),
      context_(context),
      ctes_(std::move(ctes)),
      outer_(outer),
      correlated_(correlated) {}

BindingOptions QueryBinder::Options(std::string_view clause) {
  BindingOptions options;
  options.outer = outer_;
  options.correlated = correlated_;
  options.subqueries = this;
  options.clause = clause;
  return options;
}

plan::BatchNodePtr QueryBinder::BindSubquery(const ast::Select& select,
                                             const Scope& outer,
                                             bool& correlated) {
  QueryBinder inner(catalog_, system_tables_, context_, ctes_, &outer, &correlated);
  return inner.Bind(select);
}

plan::BatchNodePtr QueryBinder::Bind(const ast::Select& select) {
  const size_t visible_ctes = ctes_.size();
  for (size_t i = 0; i < select.with.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (select.with[j].name == select.with[i].name) {
        throw Error(
            SqlState::kDuplicateAlias,
            fmt::format("WITH query name \"{}\" specified more than once", select.with[i].name))
            .WithPosition(select.position);
      }
    }
    ctes_.push_back(&select.with[i]);
  }
  plan::BatchNodePtr result;
  if (select.set_operation != ast::Select::SetOperation::kNone) {
    result = BindSetOperation(select);
  } else if (!select.values.empty()) {
    result = BindValues(select);
  } else {
    result = BindBlock(select);
  }
  ctes_.resize(visible_ctes);
  return result;
}

plan::BatchNodePtr QueryBinder::ApplyLimit(plan::BatchNodePtr root, const ast::Select& select) {
  if (!select.limit && !select.offset) {
    return root;
  }
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
  return limit;
}

plan::BatchNodePtr QueryBinder::OrderAndLimitOutputs(plan::BatchNodePtr root,
                                                     const ast::Select& select,
                                                     std::string_view what) {
  if (!select.order_by.empty()) {
    auto sort = std::make_unique<plan::SortNode>();
    for (const ast::OrderItem& item : select.order_by) {
      const ast::Expression& expression = *item.expression;
      std::optional<uint32_t> target =
          SelectListPosition(expression, root->outputs.size(), "ORDER BY");
      if (!target && expression.kind == ast::ExpressionKind::kColumnRef &&
          static_cast<const ast::ColumnRef&>(expression).names.size() == 1) {
        const std::string& name = static_cast<const ast::ColumnRef&>(expression).names[0];
        for (uint32_t i = 0; i < root->outputs.size() && !target; ++i) {
          if (root->outputs[i].name == name) {
            target = i;
          }
        }
        if (!target) {
          throw Error::UndefinedColumn(name).WithPosition(expression.position);
        }
      }
      if (!target) {
        throw Error(SqlState::kFeatureNotSupported, fmt::format("invalid {} ORDER BY clause", what))
            .WithDetail("Only result column names can be used, not expressions or functions.")
            .WithPosition(expression.position);
      }
      sort->keys.push_back({*target, item.descending, item.nulls_first.value_or(item.descending)});
    }
    sort->outputs = root->outputs;
    sort->input = std::move(root);
    root = std::move(sort);
  }
  return ApplyLimit(std::move(root), select);
}

plan::BatchNodePtr QueryBinder::BindValues(const ast::Select& select) {
  return OrderAndLimitOutputs(BindValuesRows(select.values, select.position), select, "VALUES");
}

plan::BatchNodePtr QueryBinder::BindValuesRows(
    const std::vector<std::vector<ast::ExpressionPtr>>& ast_rows, int32_t position) {
  auto values = std::make_unique<plan::ValuesNode>();
  Scope empty;
  ExpressionBinder binder(empty, context_, Options("VALUES"));
  const size_t width = ast_rows[0].size();
  std::vector<std::vector<ExpressionPtr>> rows;
  for (const auto& row : ast_rows) {
    if (row.size() != width) {
      throw Error(SqlState::kSyntaxError, "VALUES lists must all be the same length")
          .WithPosition(row.empty() ? position : row[0]->position);
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
    DataType common = CommonType(types, "VALUES", position);
    if (common.id == TypeId::kUnknown) {
      common = DataType::Text();
    }
    for (auto& row : rows) {
      row[column] =
          Coerce(std::move(row[column]), common, CastContext::kImplicit, position, context_);
    }
    values->outputs.push_back({fmt::format("column{}", column + 1), common, 0, 0});
  }
  values->rows = std::move(rows);
  return values;
}

plan::BatchNodePtr QueryBinder::BindSetOperation(const ast::Select& select) {
  static constexpr std::string_view kNames[] = {"", "UNION", "INTERSECT", "EXCEPT"};
  const std::string_view name = kNames[static_cast<size_t>(select.set_operation)];
  // Untyped literals of the operands stay untyped until the columns' common type is known, so that
  // `SELECT 1 UNION SELECT '2'` reads '2' as an integer, as Postgres does.
  const bool keep_unknown = keep_unknown_outputs_;
  keep_unknown_outputs_ = true;
  plan::BatchNodePtr left = Bind(*select.left);
  plan::BatchNodePtr right = Bind(*select.right);
  keep_unknown_outputs_ = keep_unknown;
  if (left->outputs.size() != right->outputs.size()) {
    throw Error(SqlState::kSyntaxError,
                fmt::format("each {} query must have the same number of columns", name))
        .WithPosition(select.right->position);
  }
  // Convert both sides to the common type of each column.
  std::vector<ExpressionPtr> left_columns;
  std::vector<ExpressionPtr> right_columns;
  std::vector<plan::OutputColumn> outputs;
  bool convert = false;
  for (uint32_t i = 0; i < left->outputs.size(); ++i) {
    DataType common =
        CommonType({left->outputs[i].type, right->outputs[i].type}, name, select.position);
    if (common.id == TypeId::kUnknown) {
      common = DataType::Text();
    }
    convert = convert || common != left->outputs[i].type || common != right->outputs[i].type;
    left_columns.push_back(Coerce(Expression::Column(i, left->outputs[i].type), common,
                                  CastContext::kImplicit, select.position, context_));
    right_columns.push_back(Coerce(Expression::Column(i, right->outputs[i].type), common,
                                   CastContext::kImplicit, select.position, context_));
    outputs.push_back({left->outputs[i].name, common, 0, 0});
  }
  if (convert) {
    left = Project(std::move(left), std::move(left_columns), outputs);
    right = Project(std::move(right), std::move(right_columns), outputs);
  }
  auto set = std::make_unique<plan::SetOperationNode>();
  set->operation = select.set_operation == ast::Select::SetOperation::kUnion
                       ? plan::SetOperationNode::Operation::kUnion
                   : select.set_operation == ast::Select::SetOperation::kIntersect
                       ? plan::SetOperationNode::Operation::kIntersect
                       : plan::SetOperationNode::Operation::kExcept;
  set->all = select.set_all;
  set->outputs = outputs;
  set->input = std::move(left);
  set->right = std::move(right);
  return OrderAndLimitOutputs(std::move(set), select, "UNION/INTERSECT/EXCEPT");
}

BoundRelation QueryBinder::BindNamedQuery(plan::BatchNodePtr plan,
                                          const std::string& relation,
                                          const std::vector<std::string>& column_aliases,
                                          int32_t position) {
  if (column_aliases.size() > plan->outputs.size()) {
    throw Error(SqlState::kInvalidColumnReference,
                fmt::format("table \"{}\" has {} columns available but {} columns specified",
                            relation, plan->outputs.size(), column_aliases.size()))
        .WithPosition(position);
  }
  BoundRelation bound;
  for (size_t i = 0; i < plan->outputs.size(); ++i) {
    const plan::OutputColumn& output = plan->outputs[i];
    bound.scope.columns.push_back({i < column_aliases.size() ? column_aliases[i] : output.name,
                                   relation, output.type, output.table_oid, output.column_attnum});
  }
  bound.node = std::move(plan);
  return bound;
}

BoundRelation QueryBinder::BindBaseTable(const ast::BaseTable& table) {
  const std::string& visible = table.alias.empty() ? table.name : table.alias;
  if (table.schema.empty()) {
    for (auto it = ctes_.rbegin(); it != ctes_.rend(); ++it) {
      const ast::CommonTableExpression& cte = **it;
      if (cte.name != table.name) {
        continue;
      }
      // A CTE sees only the CTEs before it.
      std::vector<const ast::CommonTableExpression*> earlier(ctes_.begin(), (it + 1).base());
      QueryBinder inner(catalog_, system_tables_, context_, earlier, outer_, correlated_);
      plan::BatchNodePtr plan = inner.Bind(*cte.select);
      std::vector<std::string> aliases =
          table.column_aliases.empty() ? cte.column_aliases : table.column_aliases;
      return BindNamedQuery(std::move(plan), visible, aliases, table.position);
    }
  }
  if (system_tables_ != nullptr) {
    if (auto system = system_tables_->Find(table.schema, table.name)) {
      auto scan = std::make_unique<plan::ChunkScanNode>();
      scan->name = std::string(system->schema) + "." + table.name;
      scan->rows = system->rows;
      scan->outputs = system->columns;
      return BindNamedQuery(std::move(scan), visible, table.column_aliases, table.position);
    }
  }
  auto relation = catalog_.FindRelation(table.name);
  if (relation == nullptr || (!table.schema.empty() && table.schema != relation->schema)) {
    const std::string shown = table.schema.empty() ? table.name : table.schema + "." + table.name;
    throw Error::UndefinedTable(shown).WithPosition(table.position);
  }
  auto scan = std::make_unique<plan::TableScanNode>();
  scan->table = DescribeTable(*relation);
  for (size_t i = 0; i < relation->columns.size(); ++i) {
    const catalog::ColumnSchema& column = relation->columns[i];
    scan->outputs.push_back({column.name, column.type, relation->id, static_cast<int16_t>(i + 1)});
  }
  return BindNamedQuery(std::move(scan), visible, table.column_aliases, table.position);
}

BoundRelation QueryBinder::BindTableRef(const ast::TableRef& table_ref) {
  switch (table_ref.kind) {
    case ast::TableRefKind::kBaseTable:
      return BindBaseTable(static_cast<const ast::BaseTable&>(table_ref));
    case ast::TableRefKind::kJoin:
      return BindJoin(static_cast<const ast::Join&>(table_ref));
    case ast::TableRefKind::kSubquery: {
      const auto& subquery = static_cast<const ast::SubqueryRef&>(table_ref);
      if (subquery.alias.empty()) {
        throw Error(SqlState::kSyntaxError, "subquery in FROM must have an alias")
            .WithHint("For example, FROM (SELECT ...) [AS] foo.")
            .WithPosition(table_ref.position);
      }
      QueryBinder inner(catalog_, system_tables_, context_, ctes_, outer_, correlated_);
      return BindNamedQuery(inner.Bind(*subquery.select), subquery.alias, subquery.column_aliases,
                            table_ref.position);
    }
    case ast::TableRefKind::kValues: {
      const auto& values = static_cast<const ast::ValuesRef&>(table_ref);
      return BindNamedQuery(BindValuesRows(values.rows, table_ref.position),
                            values.alias.empty() ? "*VALUES*" : values.alias, values.column_aliases,
                            table_ref.position);
    }
    case ast::TableRefKind::kTableFunction: {
      const auto& function = static_cast<const ast::TableFunction&>(table_ref);
      if (!IsWindowTableFunction(function.name)) {
        throw Error(SqlState::kFeatureNotSupported,
                    fmt::format("table function {} is not supported yet", function.name))
            .WithPosition(table_ref.position);
      }
      WindowTableFunctionBinder binder(
          catalog_, context_, [this](const ast::BaseTable& table) { return BindBaseTable(table); });
      BoundTableFunction bound = binder.Bind(function);
      return BindNamedQuery(std::move(bound.node),
                            function.alias.empty() ? bound.relation_name : function.alias,
                            function.column_aliases, table_ref.position);
    }
  }
  throw Error::Internal("unknown FROM item");
}

BoundRelation QueryBinder::BindFromList(const std::vector<ast::TableRefPtr>& from) {
  BoundRelation result = BindTableRef(*from[0]);
  for (size_t i = 1; i < from.size(); ++i) {
    BoundRelation right = BindTableRef(*from[i]);
    CheckDistinctRelationNames(result.scope, right.scope, from[i]->position);
    auto join = std::make_unique<plan::JoinNode>();
    join->type = plan::JoinType::kInner;
    join->outputs = result.node->outputs;
    join->outputs.insert(join->outputs.end(), right.node->outputs.begin(),
                         right.node->outputs.end());
    join->input = std::move(result.node);
    join->right = std::move(right.node);
    result.node = std::move(join);
    result.scope.columns.insert(result.scope.columns.end(), right.scope.columns.begin(),
                                right.scope.columns.end());
  }
  return result;
}

BoundRelation QueryBinder::BindJoin(const ast::Join& join) {
  BoundRelation left = BindTableRef(*join.left);
  BoundRelation right = BindTableRef(*join.right);
  CheckDistinctRelationNames(left.scope, right.scope, join.right->position);
  const auto left_width = static_cast<uint32_t>(left.scope.columns.size());
  Scope combined = left.scope;
  combined.columns.insert(combined.columns.end(), right.scope.columns.begin(),
                          right.scope.columns.end());
  auto node = std::make_unique<plan::JoinNode>();
  node->type = JoinTypeOf(join.type);
  node->outputs = left.node->outputs;
  node->outputs.insert(node->outputs.end(), right.node->outputs.begin(), right.node->outputs.end());

  std::vector<ExpressionPtr> residual;
  std::vector<std::string> using_columns = join.using_columns;
  if (join.natural) {
    for (const ScopeColumn& column : left.scope.columns) {
      if (column.hidden) {
        continue;
      }
      for (const ScopeColumn& other : right.scope.columns) {
        if (!other.hidden && other.name == column.name) {
          using_columns.push_back(column.name);
          break;
        }
      }
    }
  }
  std::vector<std::pair<uint32_t, uint32_t>> using_pairs;
  for (const std::string& name : using_columns) {
    const uint32_t left_index = UsingColumn(left.scope, name, "left", join.position);
    const uint32_t right_index = UsingColumn(right.scope, name, "right", join.position);
    using_pairs.emplace_back(left_index, right_index);
    const DataType& left_type = left.scope.columns[left_index].type;
    const DataType& right_type = right.scope.columns[right_index].type;
    if (left_type == right_type) {
      node->left_keys.push_back(left_index);
      node->right_keys.push_back(right_index);
    } else {
      std::vector<ExpressionPtr> arguments;
      arguments.push_back(Expression::Column(left_index, left_type));
      arguments.push_back(Expression::Column(left_width + right_index, right_type));
      residual.push_back(ResolveCall("=", std::move(arguments), true, join.position, context_));
    }
  }
  if (join.condition) {
    ExpressionBinder binder(combined, context_, Options("JOIN conditions"));
    std::vector<ExpressionPtr> terms;
    SplitConjuncts(binder.BindCondition(*join.condition, "JOIN/ON"), terms);
    for (ExpressionPtr& term : terms) {
      // `left column = right column` of one type becomes a hash key.
      if (term->kind == plan::ExpressionKind::kCall && term->function->name == "=" &&
          term->children.size() == 2 && term->children[0]->kind == plan::ExpressionKind::kColumn &&
          term->children[1]->kind == plan::ExpressionKind::kColumn &&
          term->children[0]->type == term->children[1]->type) {
        uint32_t a = term->children[0]->column_index;
        uint32_t b = term->children[1]->column_index;
        if (a >= left_width && b < left_width) {
          std::swap(a, b);
        }
        if (a < left_width && b >= left_width) {
          node->left_keys.push_back(a);
          node->right_keys.push_back(b - left_width);
          continue;
        }
      }
      residual.push_back(std::move(term));
    }
  }
  node->condition = CombineConjuncts(std::move(residual));
  node->input = std::move(left.node);
  node->right = std::move(right.node);

  BoundRelation result;
  if (using_pairs.empty()) {
    result.node = std::move(node);
    result.scope = std::move(combined);
  } else {
    // USING columns appear once, first; the sides' own copies stay reachable when qualified.
    std::vector<ExpressionPtr> expressions;
    std::vector<plan::OutputColumn> outputs;
    for (const auto& [left_index, right_index] : using_pairs) {
      const ScopeColumn& left_column = left.scope.columns[left_index];
      const ScopeColumn& right_column = right.scope.columns[right_index];
      const DataType type =
          CommonType({left_column.type, right_column.type}, "JOIN/USING", join.position);
      ExpressionPtr left_value = Coerce(Expression::Column(left_index, left_column.type), type,
                                        CastContext::kImplicit, join.position, context_);
      ExpressionPtr right_value =
          Coerce(Expression::Column(left_width + right_index, right_column.type), type,
                 CastContext::kImplicit, join.position, context_);
      ExpressionPtr merged;
      if (join.type == ast::Join::Type::kFull) {
        std::vector<ExpressionPtr> both;
        both.push_back(std::move(left_value));
        both.push_back(std::move(right_value));
        merged = Expression::Make(plan::ExpressionKind::kCoalesce, type, std::move(both));
      } else {
        merged =
            join.type == ast::Join::Type::kRight ? std::move(right_value) : std::move(left_value);
      }
      expressions.push_back(std::move(merged));
      outputs.push_back({left_column.name, type, 0, 0});
      result.scope.columns.push_back({left_column.name, "", type, 0, 0});
    }
    for (uint32_t i = 0; i < combined.columns.size(); ++i) {
      expressions.push_back(Expression::Column(i, combined.columns[i].type));
      outputs.push_back({combined.columns[i].name, combined.columns[i].type,
                         combined.columns[i].table_oid, combined.columns[i].column_attnum});
      ScopeColumn column = combined.columns[i];
      for (const auto& [left_index, right_index] : using_pairs) {
        if (i == left_index || i == left_width + right_index) {
          column.hidden = true;
        }
      }
      result.scope.columns.push_back(std::move(column));
    }
    result.node = Project(std::move(node), std::move(expressions), std::move(outputs));
  }
  if (!join.alias.empty()) {
    // An aliased join hides the names of the relations inside it; its column aliases rename the
    // columns in the order * lists them.
    size_t next_alias = 0;
    for (ScopeColumn& column : result.scope.columns) {
      column.relation = join.alias;
      if (!column.hidden && next_alias < join.column_aliases.size()) {
        column.name = join.column_aliases[next_alias++];
      }
    }
  }
  return result;
}

plan::BatchNodePtr QueryBinder::BindBlock(const ast::Select& select) {
  if (!select.distinct_on.empty()) {
    throw Error(SqlState::kFeatureNotSupported, "SELECT DISTINCT ON is not supported yet")
        .WithPosition(select.position);
  }
  BoundRelation from = select.from.empty() ? OneRow() : BindFromList(select.from);
  const Scope& scope = from.scope;
  plan::BatchNodePtr input = std::move(from.node);
  if (input->outputs.empty()) {
    input->outputs = ColumnsOf(scope);
  }

  if (select.where) {
    ExpressionBinder binder(scope, context_, Options("WHERE"));
    auto filter = std::make_unique<plan::FilterNode>();
    filter->predicate = binder.BindCondition(*select.where, "WHERE");
    filter->outputs = input->outputs;
    filter->input = std::move(input);
    input = std::move(filter);
  }

  // Aggregate calls of the select list, HAVING and ORDER BY.
  std::vector<const ast::FunctionCall*> aggregate_calls;
  auto collect = [&](const ast::Expression& expression) {
    ForEachAggregateCall(expression,
                         [&](const ast::FunctionCall& call) { aggregate_calls.push_back(&call); });
  };
  for (const ast::SelectItem& item : select.items) {
    collect(*item.expression);
  }
  if (select.having) {
    collect(*select.having);
  }
  for (const ast::OrderItem& item : select.order_by) {
    collect(*item.expression);
  }
  const bool aggregating = !select.group_by.empty() || select.having || !aggregate_calls.empty();

  GroupingContext grouping;
  Scope grouped_scope;
  if (aggregating) {
    grouping.input = &scope;
    std::vector<ExpressionPtr> pre;
    std::vector<plan::OutputColumn> pre_outputs;
    auto add_input = [&](ExpressionPtr expression) {
      pre_outputs.push_back({"?input?", expression->type, 0, 0});
      pre.push_back(std::move(expression));
      return static_cast<uint32_t>(pre.size() - 1);
    };
    ExpressionBinder group_binder(scope, context_, Options("GROUP BY"));
    for (const ast::ExpressionPtr& group : select.group_by) {
      const ast::Expression* target = group.get();
      if (auto position = SelectListPosition(*group, select.items.size(), "GROUP BY")) {
        target = select.items[*position].expression.get();
        if (target->kind == ast::ExpressionKind::kStar) {
          throw Error(SqlState::kInvalidColumnReference,
                      fmt::format("GROUP BY position {} is not in select list", *position + 1))
              .WithPosition(group->position);
        }
      } else if (group->kind == ast::ExpressionKind::kColumnRef &&
                 static_cast<const ast::ColumnRef&>(*group).names.size() == 1) {
        // A bare name that is not an input column may name an output column.
        const std::string& name = static_cast<const ast::ColumnRef&>(*group).names[0];
        const bool is_input = std::any_of(
            scope.columns.begin(), scope.columns.end(),
            [&](const ScopeColumn& column) { return !column.hidden && column.name == name; });
        if (!is_input) {
          for (const ast::SelectItem& item : select.items) {
            if (item.alias == name) {
              target = item.expression.get();
              break;
            }
          }
        }
      }
      if (IsAggregateCall(*target)) {
        throw Error(SqlState::kGroupingError, "aggregate functions are not allowed in GROUP BY")
            .WithPosition(target->position);
      }
      ExpressionPtr key = group_binder.Bind(*target);
      grouping.keys.push_back(key->ToString());
      grouping.key_types.push_back(key->type);
      add_input(std::move(key));
    }
    // A table's primary key determines its other columns (Postgres's functional dependency): when
    // all key columns are grouped, the other columns of that table may be used as if grouped too.
    const size_t written_keys = pre.size();
    for (uint32_t i = 0; i < scope.columns.size(); ++i) {
      const ScopeColumn& column = scope.columns[i];
      if (column.table_oid == 0 || column.hidden) {
        continue;
      }
      const std::string signature = Expression::Column(i, column.type)->ToString();
      if (std::find(grouping.keys.begin(), grouping.keys.begin() + written_keys, signature) !=
          grouping.keys.begin() + written_keys) {
        continue;
      }
      auto relation = catalog_.FindRelation(column.table_oid);
      if (relation == nullptr || relation->primary_key.empty()) {
        continue;
      }
      bool key_grouped = true;
      for (uint32_t key : relation->primary_key) {
        bool found = false;
        for (uint32_t j = 0; j < scope.columns.size() && !found; ++j) {
          const ScopeColumn& candidate = scope.columns[j];
          found = candidate.table_oid == column.table_oid &&
                  candidate.relation == column.relation &&
                  candidate.column_attnum == static_cast<int16_t>(key + 1) &&
                  std::find(grouping.keys.begin(), grouping.keys.begin() + written_keys,
                            Expression::Column(j, candidate.type)->ToString()) !=
                      grouping.keys.begin() + written_keys;
        }
        key_grouped = key_grouped && found;
      }
      if (key_grouped) {
        grouping.keys.push_back(signature);
        grouping.key_types.push_back(column.type);
        add_input(Expression::Column(i, column.type));
      }
    }
    auto aggregate = std::make_unique<plan::AggregateNode>();
    aggregate->group_count = static_cast<uint32_t>(pre.size());
    for (uint32_t i = 0; i < aggregate->group_count; ++i) {
      aggregate->outputs.push_back({"?group?", pre_outputs[i].type, 0, 0});
      grouped_scope.columns.push_back({"?group?", "", pre_outputs[i].type, 0, 0});
    }
    ExpressionBinder argument_binder(scope, context_, Options(""));
    ExpressionBinder filter_binder(scope, context_, Options("FILTER"));
    for (const ast::FunctionCall* call : aggregate_calls) {
      plan::AggregateCall bound;
      bound.distinct = call->distinct;
      std::vector<ExpressionPtr> arguments;
      for (const ast::ExpressionPtr& argument : call->arguments) {
        arguments.push_back(argument_binder.Bind(*argument));
      }
      const auto overloads = function::AggregateOverloads(call->name, arguments.size());
      std::vector<const std::vector<TypeId>*> signatures;
      std::vector<const function::AggregateFunction*> candidates;
      for (const function::AggregateFunction* overload : overloads) {
        if ((overload->kind == function::AggregateKind::kCountStar) == call->star) {
          signatures.push_back(&overload->arguments);
          candidates.push_back(overload);
        }
      }
      bool ambiguous = false;
      std::optional<size_t> chosen = ChooseOverload(arguments, signatures, ambiguous);
      if (!chosen) {
        std::string types;
        for (size_t i = 0; i < arguments.size(); ++i) {
          types += (i > 0 ? ", " : "") + arguments[i]->type.Name();
        }
        throw Error(ambiguous ? SqlState::kAmbiguousFunction : SqlState::kUndefinedFunction,
                    fmt::format("function {}({}) {}", call->name, call->star ? "*" : types,
                                ambiguous ? "is not unique" : "does not exist"))
            .WithHint(
                "No function matches the given name and argument types. You might need to "
                "add explicit type casts.")
            .WithPosition(call->position);
      }
      bound.function = candidates[*chosen];
      bound.result = bound.function->result;
      for (size_t i = 0; i < arguments.size(); ++i) {
        ExpressionPtr argument =
            Coerce(std::move(arguments[i]), DataType(bound.function->arguments[i]),
                   CastContext::kImplicit, call->position, context_);
        bound.arguments.push_back(add_input(std::move(argument)));
      }
      if (call->filter) {
        bound.filter = add_input(filter_binder.BindCondition(*call->filter, "FILTER"));
      }
      for (const ast::OrderItem& item : call->order_by) {
        plan::SortKey key;
        key.column_index = add_input(argument_binder.Bind(*item.expression));
        key.descending = item.descending;
        key.nulls_first = item.nulls_first.value_or(item.descending);
        bound.order_by.push_back(key);
      }
      grouping.aggregates.push_back(call);
      grouping.aggregate_types.push_back(bound.result);
      aggregate->outputs.push_back({std::string(call->name), bound.result, 0, 0});
      grouped_scope.columns.push_back({std::string(call->name), "", bound.result, 0, 0});
      aggregate->aggregates.push_back(std::move(bound));
    }
    aggregate->input = Project(std::move(input), std::move(pre), std::move(pre_outputs));
    input = std::move(aggregate);
    if (select.having) {
      BindingOptions options = Options("HAVING");
      options.grouping = &grouping;
      ExpressionBinder having_binder(grouped_scope, context_, options);
      auto filter = std::make_unique<plan::FilterNode>();
      filter->predicate = having_binder.BindCondition(*select.having, "HAVING");
      filter->outputs = input->outputs;
      filter->input = std::move(input);
      input = std::move(filter);
    }
  }

  const Scope& item_scope = aggregating ? grouped_scope : scope;
  BindingOptions item_options = Options("");
  item_options.clause = aggregating ? "" : "WHERE";
  if (aggregating) {
    item_options.grouping = &grouping;
  }
  ExpressionBinder binder(item_scope, context_, item_options);

  // The select list.
  std::vector<ExpressionPtr> expressions;
  std::vector<plan::OutputColumn> visible;
  for (const ast::SelectItem& item : select.items) {
    if (item.expression->kind == ast::ExpressionKind::kStar) {
      const auto& star = static_cast<const ast::Star&>(*item.expression);
      if (!star.qualifier && scope.columns.empty() && select.from.empty()) {
        throw Error(SqlState::kSyntaxError, "SELECT * with no tables specified is not valid")
            .WithPosition(star.position);
      }
      bool matched = false;
      for (const ScopeColumn& column : scope.columns) {
        if (star.qualifier ? column.relation != *star.qualifier : column.hidden) {
          continue;
        }
        matched = true;
        if (aggregating) {
          // Under GROUP BY every column of * must be grouped; bind it as a reference to check.
          ast::ColumnRef reference;
          reference.position = star.position;
          if (!column.relation.empty()) {
            reference.names.push_back(column.relation);
          }
          reference.names.push_back(column.name);
          expressions.push_back(binder.Bind(reference));
        } else {
          const auto index = static_cast<uint32_t>(&column - scope.columns.data());
          expressions.push_back(Expression::Column(index, column.type));
        }
        visible.push_back({column.name, column.type, column.table_oid, column.column_attnum});
      }
      if (star.qualifier && !matched) {
        throw Error(SqlState::kUndefinedTable,
                    fmt::format("missing FROM-clause entry for table \"{}\"", *star.qualifier))
            .WithPosition(star.position);
      }
      continue;
    }
    ExpressionPtr bound = binder.Bind(*item.expression);
    if (bound->type.id == TypeId::kUnknown && !keep_unknown_outputs_) {
      // An untyped literal in the output is text, as in Postgres 10 and later.
      bound = Coerce(std::move(bound), DataType::Text(), CastContext::kImplicit,
                     item.expression->position, context_);
    }
    plan::OutputColumn output{
        item.alias.empty() ? FigureColumnName(*item.expression).first : item.alias, bound->type, 0,
        0};
    if (bound->kind == plan::ExpressionKind::kColumn && !aggregating) {
      output.table_oid = scope.columns[bound->column_index].table_oid;
      output.column_attnum = scope.columns[bound->column_index].column_attnum;
    }
    expressions.push_back(std::move(bound));
    visible.push_back(std::move(output));
  }
  const size_t num_visible = visible.size();

  // ORDER BY: an output position, an output name, or an expression (a hidden output column).
  std::vector<plan::SortKey> sort_keys;
  for (const ast::OrderItem& item : select.order_by) {
    plan::SortKey key;
    key.descending = item.descending;
    key.nulls_first = item.nulls_first.value_or(item.descending);
    const ast::Expression& expression = *item.expression;
    std::optional<uint32_t> target = SelectListPosition(expression, num_visible, "ORDER BY");
    if (!target && expression.kind == ast::ExpressionKind::kColumnRef &&
        static_cast<const ast::ColumnRef&>(expression).names.size() == 1) {
      const std::string& name = static_cast<const ast::ColumnRef&>(expression).names[0];
      for (uint32_t i = 0; i < num_visible; ++i) {
        if (visible[i].name == name) {
          // Two outputs of the same name are ambiguous only if they compute different things.
          if (target && expressions[*target]->ToString() != expressions[i]->ToString()) {
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
      const std::string signature = bound->ToString();
      for (uint32_t i = 0; i < num_visible && !target; ++i) {
        if (expressions[i]->ToString() == signature) {
          target = i;
        }
      }
      if (!target) {
        if (select.distinct) {
          throw Error(SqlState::kInvalidColumnReference,
                      "for SELECT DISTINCT, ORDER BY expressions must appear in select list")
              .WithPosition(expression.position);
        }
        target = static_cast<uint32_t>(expressions.size());
        visible.push_back({"?sort?", bound->type, 0, 0});
        expressions.push_back(std::move(bound));
      }
    }
    key.column_index = *target;
    sort_keys.push_back(key);
  }

  plan::BatchNodePtr root = Project(std::move(input), std::move(expressions), visible);
  if (select.distinct) {
    auto distinct = std::make_unique<plan::AggregateNode>();
    distinct->group_count = static_cast<uint32_t>(root->outputs.size());
    distinct->outputs = root->outputs;
    distinct->input = std::move(root);
    root = std::move(distinct);
  }
  if (!sort_keys.empty()) {
    auto sort = std::make_unique<plan::SortNode>();
    sort->keys = std::move(sort_keys);
    sort->outputs = root->outputs;
    sort->input = std::move(root);
    root = std::move(sort);
  }
  root = ApplyLimit(std::move(root), select);
  if (root->outputs.size() > num_visible) {
    // Drop the hidden sort columns.
    std::vector<ExpressionPtr> trimmed;
    std::vector<plan::OutputColumn> outputs;
    for (uint32_t i = 0; i < num_visible; ++i) {
      trimmed.push_back(Expression::Column(i, root->outputs[i].type));
      outputs.push_back(root->outputs[i]);
    }
    root = Project(std::move(root), std::move(trimmed), std::move(outputs));
  }
  return root;
}

}  // namespace freshet::planner::internal
