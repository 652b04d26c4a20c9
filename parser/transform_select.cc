// SPDX-License-Identifier: Apache-2.0
// Queries: SELECT blocks, VALUES, set operations, WITH, ORDER BY / LIMIT, and the FROM clause.
#include <fmt/format.h>

#include "common/error.h"
#include "parser/transformer.h"

namespace freshet::parser {
namespace {

ast::Join::Type JoinTypeOf(FreshetParser::JoinTypeContext* ctx) {
  if (ctx == nullptr || ctx->kind == nullptr) {
    return ast::Join::Type::kInner;  // JOIN and INNER JOIN
  }
  switch (ctx->kind->getType()) {
    case FreshetParser::LEFT:
      return ast::Join::Type::kLeft;
    case FreshetParser::RIGHT:
      return ast::Join::Type::kRight;
    default:
      return ast::Join::Type::kFull;
  }
}

std::unique_ptr<ast::Join> MakeJoin(ast::Join::Type type,
                                    ast::TableRefPtr left,
                                    ast::TableRefPtr right,
                                    int32_t position) {
  auto join = std::make_unique<ast::Join>();
  join->position = position;
  join->type = type;
  join->left = std::move(left);
  join->right = std::move(right);
  return join;
}

// A parenthesized query that is nothing but VALUES becomes a ValuesRef in FROM, so the planner need
// not unwrap a subquery around it.
bool IsBareValues(const ast::Select& select) {
  return !select.values.empty() && select.set_operation == ast::Select::SetOperation::kNone &&
         select.with.empty() && select.order_by.empty() && select.limit == nullptr &&
         select.offset == nullptr;
}

[[noreturn]] void ThrowMultiple(std::string_view clause, antlr4::ParserRuleContext* ctx) {
  throw Error(SqlState::kSyntaxError, fmt::format("multiple {} clauses not allowed", clause))
      .WithPosition(PositionOf(ctx));
}

}  // namespace

void SplitRelationName(FreshetParser::QualifiedNameContext* ctx,
                       std::string* schema,
                       std::string* name) {
  std::vector<std::string> names = NamesOf(ctx);
  if (names.size() == 3) {
    throw Error(SqlState::kFeatureNotSupported,
                fmt::format("cross-database references are not implemented: {}", JoinNames(names)))
        .WithPosition(PositionOf(ctx));
  }
  if (names.size() > 3) {
    throw Error(
        SqlState::kSyntaxError,
        fmt::format("improper qualified name (too many dotted names): {}", JoinNames(names)))
        .WithPosition(PositionOf(ctx));
  }
  *name = names.back();
  if (names.size() == 2) {
    *schema = names.front();
  }
}

// ------------------------------------------------------------------------------------------------
// Queries

// The clauses of `query` apply to whatever its body is. When the body is a parenthesized query that
// has its own ORDER BY, LIMIT, OFFSET or WITH, a second one is an error, as in PostgreSQL.
std::unique_ptr<ast::Select> Transformer::TransformQuery(FreshetParser::QueryContext* ctx) {
  CheckStack();
  std::unique_ptr<ast::Select> select = TransformQueryBody(ctx->queryBody());
  select->position = PositionOf(ctx);
  if (ctx->withClause() != nullptr) {
    if (!select->with.empty()) {
      ThrowMultiple("WITH", ctx->withClause());
    }
    TransformWith(ctx->withClause(), *select);
  }
  if (ctx->orderByClause() != nullptr) {
    if (!select->order_by.empty()) {
      ThrowMultiple("ORDER BY", ctx->orderByClause());
    }
    select->order_by = TransformOrderBy(ctx->orderByClause());
  }
  if (ctx->limitClause() != nullptr) {
    TransformLimit(ctx->limitClause(), *select);
  }
  return select;
}

std::unique_ptr<ast::Select> Transformer::TransformQueryBody(FreshetParser::QueryBodyContext* ctx) {
  CheckStack();
  ctx->accept(this);
  return TakeSelect();
}

antlrcpp::Any Transformer::visitPrimaryQuery(FreshetParser::PrimaryQueryContext* ctx) {
  return Emit(TransformQueryPrimary(ctx->queryPrimary()));
}

antlrcpp::Any Transformer::visitIntersectQuery(FreshetParser::IntersectQueryContext* ctx) {
  return Emit(TransformSetOperation(ctx, ast::Select::SetOperation::kIntersect,
                                    ctx->setQuantifier(), ctx->queryBody(0), ctx->queryBody(1)));
}

antlrcpp::Any Transformer::visitUnionQuery(FreshetParser::UnionQueryContext* ctx) {
  auto operation = ctx->operation->getType() == FreshetParser::UNION
                       ? ast::Select::SetOperation::kUnion
                       : ast::Select::SetOperation::kExcept;
  return Emit(TransformSetOperation(ctx, operation, ctx->setQuantifier(), ctx->queryBody(0),
                                    ctx->queryBody(1)));
}

std::unique_ptr<ast::Select> Transformer::TransformSetOperation(
    antlr4::ParserRuleContext* ctx,
    ast::Select::SetOperation operation,
    FreshetParser::SetQuantifierContext* quantifier,
    FreshetParser::QueryBodyContext* left,
    FreshetParser::QueryBodyContext* right) {
  auto select = std::make_unique<ast::Select>();
  select->position = PositionOf(ctx);
  select->set_operation = operation;
  select->set_all = quantifier != nullptr && quantifier->ALL() != nullptr;
  select->left = TransformQueryBody(left);
  select->right = TransformQueryBody(right);
  return select;
}

std::unique_ptr<ast::Select> Transformer::TransformQueryPrimary(
    FreshetParser::QueryPrimaryContext* ctx) {
  if (ctx->simpleSelect() != nullptr) {
    return TransformSimpleSelect(ctx->simpleSelect());
  }
  if (ctx->query() != nullptr) {
    return TransformQuery(ctx->query());
  }
  auto select = std::make_unique<ast::Select>();
  select->position = PositionOf(ctx);
  if (ctx->valuesClause() != nullptr) {
    select->values = TransformValues(ctx->valuesClause());
    return select;
  }
  // TABLE t is SELECT * FROM t.
  auto star = std::make_unique<ast::Star>();
  star->position = select->position;
  select->items.push_back(ast::SelectItem{std::move(star), ""});
  auto table = std::make_unique<ast::BaseTable>();
  table->position = PositionOf(ctx->qualifiedName());
  SplitRelationName(ctx->qualifiedName(), &table->schema, &table->name);
  select->from.push_back(std::move(table));
  return select;
}

std::unique_ptr<ast::Select> Transformer::TransformSimpleSelect(
    FreshetParser::SimpleSelectContext* ctx) {
  auto select = std::make_unique<ast::Select>();
  select->position = PositionOf(ctx);
  if (FreshetParser::DistinctClauseContext* distinct = ctx->distinctClause()) {
    select->distinct = true;
    select->distinct_on = TransformExpressions(distinct->expr());
  }
  if (ctx->selectList() != nullptr) {
    for (auto* item : ctx->selectList()->selectItem()) {
      select->items.push_back(TransformSelectItem(item));
    }
  }
  if (ctx->fromClause() != nullptr) {
    for (auto* table_ref : ctx->fromClause()->tableRef()) {
      select->from.push_back(TransformTableRef(table_ref));
    }
  }
  if (ctx->whereClause() != nullptr) {
    select->where = TransformExpression(ctx->whereClause()->expr());
  }
  if (ctx->groupByClause() != nullptr) {
    select->group_by = TransformExpressions(ctx->groupByClause()->expr());
  }
  if (ctx->havingClause() != nullptr) {
    select->having = TransformExpression(ctx->havingClause()->expr());
  }
  return select;
}

ast::SelectItem Transformer::TransformSelectItem(FreshetParser::SelectItemContext* ctx) {
  if (auto* qualified = dynamic_cast<FreshetParser::QualifiedStarItemContext*>(ctx)) {
    auto star = std::make_unique<ast::Star>();
    star->position = PositionOf(ctx);
    star->qualifier = JoinNames(NamesOf(qualified->qualifiedName()));
    return ast::SelectItem{std::move(star), ""};
  }
  if (dynamic_cast<FreshetParser::StarItemContext*>(ctx) != nullptr) {
    auto star = std::make_unique<ast::Star>();
    star->position = PositionOf(ctx);
    return ast::SelectItem{std::move(star), ""};
  }
  auto* item = static_cast<FreshetParser::ExpressionItemContext*>(ctx);
  ast::SelectItem result{TransformExpression(item->expr()), ""};
  if (item->colLabel() != nullptr) {
    result.alias = NameOf(item->colLabel());
  } else if (item->bareColLabel() != nullptr) {
    result.alias = NameOf(item->bareColLabel());
  }
  return result;
}

std::vector<std::vector<ast::ExpressionPtr>> Transformer::TransformValues(
    FreshetParser::ValuesClauseContext* ctx) {
  std::vector<FreshetParser::ValuesRowContext*> rows = ctx->valuesRow();
  std::vector<std::vector<ast::ExpressionPtr>> result;
  result.reserve(rows.size());
  for (auto* row : rows) {
    result.push_back(TransformExpressions(row->expr()));
  }
  return result;
}

void Transformer::TransformWith(FreshetParser::WithClauseContext* ctx, ast::Select& select) {
  if (ctx->RECURSIVE() != nullptr) {
    ThrowNotSupported("WITH RECURSIVE", ctx);
  }
  for (auto* cte : ctx->commonTableExpression()) {
    ast::CommonTableExpression common;
    common.name = NameOf(cte->colId());
    common.column_aliases = NamesOf(cte->columnList());
    // [NOT] MATERIALIZED is a planner hint in PostgreSQL; Freshet plans every CTE inline.
    common.select = TransformQuery(cte->query());
    select.with.push_back(std::move(common));
  }
}

std::vector<ast::OrderItem> Transformer::TransformOrderBy(
    FreshetParser::OrderByClauseContext* ctx) {
  std::vector<ast::OrderItem> items;
  for (auto* sort : ctx->sortItem()) {
    ast::OrderItem item;
    item.expression = TransformExpression(sort->expr());
    item.descending =
        sort->direction != nullptr && sort->direction->getType() == FreshetParser::DESC;
    if (sort->nulls != nullptr) {
      item.nulls_first = sort->nulls->getType() == FreshetParser::FIRST;
    }
    items.push_back(std::move(item));
  }
  return items;
}

void Transformer::TransformLimit(FreshetParser::LimitClauseContext* ctx, ast::Select& select) {
  if (FreshetParser::LimitPartContext* limit = ctx->limitPart()) {
    if (select.limit != nullptr) {
      ThrowMultiple("LIMIT", limit);
    }
    if (limit->LIMIT() != nullptr) {
      if (limit->expr() != nullptr) {  // LIMIT ALL is no limit at all
        select.limit = TransformExpression(limit->expr());
      }
    } else if (limit->TIES() != nullptr) {
      ThrowNotSupported("FETCH ... WITH TIES", limit);
    } else if (FreshetParser::FetchCountContext* count = limit->fetchCount()) {
      if (count->primaryExpr() != nullptr) {
        select.limit = TransformPrimary(count->primaryExpr());
      } else {
        auto literal = std::make_unique<ast::Literal>();
        literal->position = PositionOf(count);
        literal->text = SignedNumberText(count->signedNumber());
        literal->type = count->signedNumber()->INTEGER_LITERAL() != nullptr
                            ? ast::Literal::Type::kInteger
                            : ast::Literal::Type::kDecimal;
        select.limit = std::move(literal);
      }
    } else {
      select.limit =
          IntegerLiteral("1", PositionOf(limit));  // FETCH FIRST ROW ONLY fetches one row
    }
  }
  if (FreshetParser::OffsetPartContext* offset = ctx->offsetPart()) {
    if (select.offset != nullptr) {
      ThrowMultiple("OFFSET", offset);
    }
    select.offset = TransformExpression(offset->expr());
  }
}

// ------------------------------------------------------------------------------------------------
// FROM

ast::TableRefPtr Transformer::TransformTableRef(FreshetParser::TableRefContext* ctx) {
  CheckStack();
  ctx->accept(this);
  return TakeTableRef();
}

ast::TableRefPtr Transformer::TransformTablePrimary(FreshetParser::TablePrimaryContext* ctx) {
  CheckStack();
  ctx->accept(this);
  return TakeTableRef();
}

void Transformer::TransformAlias(FreshetParser::AliasClauseContext* ctx, ast::TableRef& table_ref) {
  if (ctx == nullptr) {
    return;
  }
  table_ref.alias = NameOf(ctx->colId());
  table_ref.column_aliases = NamesOf(ctx->columnList());
}

antlrcpp::Any Transformer::visitPrimaryTableRef(FreshetParser::PrimaryTableRefContext* ctx) {
  return Emit(TransformTablePrimary(ctx->tablePrimary()));
}

antlrcpp::Any Transformer::visitCrossJoin(FreshetParser::CrossJoinContext* ctx) {
  return Emit(MakeJoin(ast::Join::Type::kCross, TransformTableRef(ctx->tableRef()),
                       TransformTablePrimary(ctx->tablePrimary()), PositionOf(ctx)));
}

antlrcpp::Any Transformer::visitNaturalJoin(FreshetParser::NaturalJoinContext* ctx) {
  auto join = MakeJoin(JoinTypeOf(ctx->joinType()), TransformTableRef(ctx->tableRef()),
                       TransformTablePrimary(ctx->tablePrimary()), PositionOf(ctx));
  join->natural = true;
  return Emit(std::move(join));
}

antlrcpp::Any Transformer::visitQualifiedJoin(FreshetParser::QualifiedJoinContext* ctx) {
  auto join = MakeJoin(JoinTypeOf(ctx->joinType()), TransformTableRef(ctx->tableRef(0)),
                       TransformTableRef(ctx->tableRef(1)), PositionOf(ctx));
  FreshetParser::JoinQualifierContext* qualifier = ctx->joinQualifier();
  if (qualifier->expr() != nullptr) {
    join->condition = TransformExpression(qualifier->expr());
  } else {
    join->using_columns = NamesOf(qualifier->columnList());
  }
  return Emit(std::move(join));
}

antlrcpp::Any Transformer::visitBaseTable(FreshetParser::BaseTableContext* ctx) {
  auto table = std::make_unique<ast::BaseTable>();
  table->position = PositionOf(ctx);
  SplitRelationName(ctx->qualifiedName(), &table->schema, &table->name);
  TransformAlias(ctx->aliasClause(), *table);
  return Emit(std::move(table));
}

antlrcpp::Any Transformer::visitTableFunction(FreshetParser::TableFunctionContext* ctx) {
  auto function = std::make_unique<ast::TableFunction>();
  function->position = PositionOf(ctx);
  FreshetParser::FunctionNameContext* name = ctx->functionName();
  if (name->typeFunctionName() != nullptr) {
    function->name = NameOf(name->typeFunctionName());
  } else {
    std::vector<std::string> names{NameOf(name->colId())};
    for (auto* label : name->colLabel()) {
      names.push_back(NameOf(label));
    }
    function->name = JoinNames(names);
  }
  for (auto* argument : ctx->tableFunctionArgument()) {
    if (argument->TABLE() != nullptr) {
      // Flink's TABLE bids: the table, as a column reference the binder resolves to a relation.
      auto table = std::make_unique<ast::ColumnRef>();
      table->position = PositionOf(argument->qualifiedName());
      table->names = NamesOf(argument->qualifiedName());
      function->arguments.push_back(std::move(table));
      function->flink_spelling = true;
    } else if (argument->DESCRIPTOR() != nullptr) {
      // Flink's DESCRIPTOR(date_time): the time column.
      for (auto* column_ctx : argument->columnList()->colId()) {
        auto column = std::make_unique<ast::ColumnRef>();
        column->position = PositionOf(column_ctx);
        column->names.push_back(NameOf(column_ctx));
        function->arguments.push_back(std::move(column));
      }
      function->flink_spelling = true;
    } else {
      function->arguments.push_back(TransformExpression(argument->expr()));
    }
  }
  TransformAlias(ctx->aliasClause(), *function);
  return Emit(std::move(function));
}

antlrcpp::Any Transformer::visitSubqueryTable(FreshetParser::SubqueryTableContext* ctx) {
  if (ctx->LATERAL() != nullptr) {
    ThrowNotSupported("LATERAL", ctx);
  }
  std::unique_ptr<ast::Select> select = TransformQuery(ctx->query());
  ast::TableRefPtr result;
  if (IsBareValues(*select)) {
    auto values = std::make_unique<ast::ValuesRef>();
    values->rows = std::move(select->values);
    result = std::move(values);
  } else {
    auto subquery = std::make_unique<ast::SubqueryRef>();
    subquery->select = std::move(select);
    result = std::move(subquery);
  }
  result->position = PositionOf(ctx);
  TransformAlias(ctx->aliasClause(), *result);
  return Emit(std::move(result));
}

antlrcpp::Any Transformer::visitParenthesizedTable(FreshetParser::ParenthesizedTableContext* ctx) {
  ast::TableRefPtr inner = TransformTableRef(ctx->tableRef());
  TransformAlias(ctx->aliasClause(), *inner);
  return Emit(std::move(inner));
}

}  // namespace freshet::parser
