// SPDX-License-Identifier: Apache-2.0
// Expressions: operators, function calls and the special syntaxes PostgreSQL turns into function
// calls.
#include <charconv>

#include <fmt/format.h>

#include "common/ascii.h"
#include "common/error.h"
#include "parser/transformer.h"

namespace freshet::parser {
namespace {

ast::ExpressionPtr MakeBinary(std::string op,
                              int32_t position,
                              ast::ExpressionPtr left,
                              ast::ExpressionPtr right) {
  auto binary = std::make_unique<ast::Binary>();
  binary->position = position;
  binary->op = std::move(op);
  binary->left = std::move(left);
  binary->right = std::move(right);
  return binary;
}

std::unique_ptr<ast::FunctionCall> MakeFunction(std::string name,
                                                int32_t position,
                                                std::vector<ast::ExpressionPtr> arguments) {
  auto call = std::make_unique<ast::FunctionCall>();
  call->position = position;
  call->name = std::move(name);
  call->arguments = std::move(arguments);
  return call;
}

// PostgreSQL's lexer turns != into <> before the grammar sees it.
std::string ComparisonText(FreshetParser::ComparisonOperatorContext* ctx) {
  std::string text = ctx->getText();
  return text == "!=" ? "<>" : text;
}

// The operator of `a || b` or `a OPERATOR(pg_catalog.~) b`; the schema of OPERATOR() is dropped,
// since every operator lives in pg_catalog.
std::string OperatorText(FreshetParser::QualifiedOperatorContext* ctx) {
  if (ctx->otherOperator() != nullptr) {
    return ctx->otherOperator()->getText();
  }
  FreshetParser::AnyOperatorContext* op = ctx->anyOperator();
  if (op->comparisonOperator() != nullptr) {
    return ComparisonText(op->comparisonOperator());
  }
  return op->getText();
}

std::string ArithmeticText(antlr4::Token* token) {
  return token->getText();
}

// The position PostgreSQL reports for `a [NOT] LIKE b` and friends: the NOT, or else the keyword.
int32_t KeywordPosition(antlr4::tree::TerminalNode* not_node, antlr4::tree::TerminalNode* keyword) {
  return PositionOf(not_node != nullptr ? not_node->getSymbol() : keyword->getSymbol());
}

ast::ExpressionPtr MakeCast(ast::ExpressionPtr operand, ast::TypeName type, int32_t position) {
  auto cast = std::make_unique<ast::Cast>();
  cast->position = position;
  cast->operand = std::move(operand);
  cast->type = std::move(type);
  return cast;
}

ast::ExpressionPtr MakeSubscript(ast::ExpressionPtr operand,
                                 ast::ExpressionPtr index,
                                 int32_t position) {
  auto subscript = std::make_unique<ast::Subscript>();
  subscript->position = position;
  subscript->operand = std::move(operand);
  subscript->index = std::move(index);
  return subscript;
}

ast::ExpressionPtr MakeUnaryOperator(std::string op, int32_t position, ast::ExpressionPtr operand) {
  auto unary = std::make_unique<ast::Unary>();
  unary->position = position;
  unary->op = std::move(op);
  unary->operand = std::move(operand);
  return unary;
}

}  // namespace

// ------------------------------------------------------------------------------------------------
// Entry points

ast::ExpressionPtr Transformer::TransformExpression(FreshetParser::ExprContext* ctx) {
  CheckStack();
  ctx->accept(this);
  return TakeExpression();
}

ast::ExpressionPtr Transformer::TransformBExpression(FreshetParser::BExprContext* ctx) {
  CheckStack();
  ctx->accept(this);
  return TakeExpression();
}

ast::ExpressionPtr Transformer::TransformPrimary(FreshetParser::PrimaryExprContext* ctx) {
  CheckStack();
  ctx->accept(this);
  return TakeExpression();
}

std::vector<ast::ExpressionPtr> Transformer::TransformExpressions(
    const std::vector<FreshetParser::ExprContext*>& expressions) {
  std::vector<ast::ExpressionPtr> result;
  result.reserve(expressions.size());
  for (auto* expression : expressions) {
    result.push_back(TransformExpression(expression));
  }
  return result;
}

// PostgreSQL folds the minus of a numeric constant into the constant, so -2147483648 is an integer
// and -9223372036854775808 a bigint; a minus before anything else stays an operator.
ast::ExpressionPtr Transformer::MakeUnary(antlr4::Token* op, ast::ExpressionPtr operand) {
  if (op->getType() == FreshetParser::MINUS && operand->kind == ast::ExpressionKind::kLiteral) {
    auto& literal = static_cast<ast::Literal&>(*operand);
    if (literal.type == ast::Literal::Type::kInteger ||
        literal.type == ast::Literal::Type::kDecimal) {
      literal.text = literal.text.starts_with('-') ? literal.text.substr(1) : "-" + literal.text;
      literal.position = PositionOf(op);
      return operand;
    }
  }
  return MakeUnaryOperator(op->getText(), PositionOf(op), std::move(operand));
}

// ESCAPE binds tighter than LIKE, so `a LIKE b ESCAPE c` arrives as LIKE(a, ESCAPE(b, c)); take it
// apart here.
ast::ExpressionPtr Transformer::TransformPattern(FreshetParser::ExprContext* pattern,
                                                 ast::ExpressionPtr* escape) {
  if (auto* with_escape = dynamic_cast<FreshetParser::EscapeExpressionContext*>(pattern)) {
    *escape = TransformExpression(with_escape->expr(1));
    return TransformExpression(with_escape->expr(0));
  }
  return TransformExpression(pattern);
}

// ------------------------------------------------------------------------------------------------
// expr alternatives

antlrcpp::Any Transformer::visitPrimaryExpression(FreshetParser::PrimaryExpressionContext* ctx) {
  return Emit(TransformPrimary(ctx->primaryExpr()));
}

antlrcpp::Any Transformer::visitTypecastExpression(FreshetParser::TypecastExpressionContext* ctx) {
  return Emit(MakeCast(TransformExpression(ctx->expr()), TransformTypeName(ctx->typeName()),
                       PositionOf(ctx->TYPECAST()->getSymbol())));
}

antlrcpp::Any Transformer::visitSubscriptExpression(
    FreshetParser::SubscriptExpressionContext* ctx) {
  return Emit(MakeSubscript(TransformExpression(ctx->expr(0)), TransformExpression(ctx->expr(1)),
                            PositionOf(ctx->LBRACKET()->getSymbol())));
}

antlrcpp::Any Transformer::visitUnaryExpression(FreshetParser::UnaryExpressionContext* ctx) {
  return Emit(MakeUnary(ctx->sign, TransformExpression(ctx->expr())));
}

antlrcpp::Any Transformer::visitCollateExpression(FreshetParser::CollateExpressionContext* ctx) {
  // Freshet compares text bytewise (the C collation) whatever is asked; psql's catalog queries say
  // COLLATE pg_catalog.default, so the clause is accepted and has no effect.
  return Emit(TransformExpression(ctx->expr()));
}

// PostgreSQL's grammar makes `x AT TIME ZONE z` the call timezone(z, x), so the column is named
// "timezone".
antlrcpp::Any Transformer::visitAtTimeZoneExpression(
    FreshetParser::AtTimeZoneExpressionContext* ctx) {
  ast::ExpressionPtr value = TransformExpression(ctx->expr(0));
  std::vector<ast::ExpressionPtr> arguments;
  arguments.push_back(TransformExpression(ctx->expr(1)));
  arguments.push_back(std::move(value));
  return Emit(MakeFunction("timezone", PositionOf(ctx->AT()->getSymbol()), std::move(arguments)));
}

antlrcpp::Any Transformer::visitPowerExpression(FreshetParser::PowerExpressionContext* ctx) {
  return Emit(MakeBinary("^", PositionOf(ctx->CARET()->getSymbol()),
                         TransformExpression(ctx->expr(0)), TransformExpression(ctx->expr(1))));
}

antlrcpp::Any Transformer::visitMultiplicativeExpression(
    FreshetParser::MultiplicativeExpressionContext* ctx) {
  return Emit(MakeBinary(ArithmeticText(ctx->operation), PositionOf(ctx->operation),
                         TransformExpression(ctx->expr(0)), TransformExpression(ctx->expr(1))));
}

antlrcpp::Any Transformer::visitAdditiveExpression(FreshetParser::AdditiveExpressionContext* ctx) {
  return Emit(MakeBinary(ArithmeticText(ctx->operation), PositionOf(ctx->operation),
                         TransformExpression(ctx->expr(0)), TransformExpression(ctx->expr(1))));
}

antlrcpp::Any Transformer::visitOperatorExpression(FreshetParser::OperatorExpressionContext* ctx) {
  return Emit(MakeBinary(OperatorText(ctx->qualifiedOperator()),
                         PositionOf(ctx->qualifiedOperator()), TransformExpression(ctx->expr(0)),
                         TransformExpression(ctx->expr(1))));
}

antlrcpp::Any Transformer::visitPrefixOperatorExpression(
    FreshetParser::PrefixOperatorExpressionContext* ctx) {
  return Emit(MakeUnaryOperator(OperatorText(ctx->qualifiedOperator()),
                                PositionOf(ctx->qualifiedOperator()),
                                TransformExpression(ctx->expr())));
}

antlrcpp::Any Transformer::visitEscapeExpression(FreshetParser::EscapeExpressionContext* ctx) {
  // Only the pattern of LIKE or SIMILAR TO may carry an ESCAPE (see TransformPattern).
  antlr4::Token* escape = ctx->ESCAPE()->getSymbol();
  throw Error::Syntax(escape->getText(), PositionOf(escape));
}

antlrcpp::Any Transformer::visitLikeExpression(FreshetParser::LikeExpressionContext* ctx) {
  auto like = std::make_unique<ast::Like>();
  like->position = KeywordPosition(
      ctx->NOT(), ctx->operation->getType() == FreshetParser::LIKE ? ctx->LIKE() : ctx->ILIKE());
  like->negated = ctx->NOT() != nullptr;
  like->case_insensitive = ctx->operation->getType() == FreshetParser::ILIKE;
  like->operand = TransformExpression(ctx->expr(0));
  like->pattern = TransformPattern(ctx->expr(1), &like->escape);
  return Emit(std::move(like));
}

// PostgreSQL rewrites `a SIMILAR TO p [ESCAPE e]` to `a ~ similar_to_escape(p [, e])`; so does
// Freshet, so that the executor needs no third pattern language.
antlrcpp::Any Transformer::visitSimilarExpression(FreshetParser::SimilarExpressionContext* ctx) {
  int32_t position = KeywordPosition(ctx->NOT(), ctx->SIMILAR());
  ast::ExpressionPtr operand = TransformExpression(ctx->expr(0));
  ast::ExpressionPtr escape;
  std::vector<ast::ExpressionPtr> arguments;
  arguments.push_back(TransformPattern(ctx->expr(1), &escape));
  if (escape != nullptr) {
    arguments.push_back(std::move(escape));
  }
  auto regex = MakeFunction("similar_to_escape", PositionOf(ctx->expr(1)), std::move(arguments));
  return Emit(MakeBinary(ctx->NOT() != nullptr ? "!~" : "~", position, std::move(operand),
                         std::move(regex)));
}

antlrcpp::Any Transformer::visitBetweenExpression(FreshetParser::BetweenExpressionContext* ctx) {
  auto between = std::make_unique<ast::Between>();
  between->position = KeywordPosition(ctx->NOT(), ctx->BETWEEN());
  between->negated = ctx->NOT() != nullptr;
  between->symmetric = ctx->SYMMETRIC() != nullptr;
  between->operand = TransformExpression(ctx->expr(0));
  between->low = TransformBExpression(ctx->bExpr());
  between->high = TransformExpression(ctx->expr(1));
  return Emit(std::move(between));
}

antlrcpp::Any Transformer::visitInExpression(FreshetParser::InExpressionContext* ctx) {
  int32_t position = KeywordPosition(ctx->NOT(), ctx->IN_P());
  std::vector<FreshetParser::ExprContext*> expressions = ctx->expr();
  if (ctx->query() != nullptr) {
    auto subquery = std::make_unique<ast::Subquery>();
    subquery->position = position;
    subquery->type = ast::Subquery::Type::kIn;
    subquery->negated = ctx->NOT() != nullptr;
    subquery->operand = TransformExpression(expressions[0]);
    subquery->select = TransformQuery(ctx->query());
    return Emit(std::move(subquery));
  }
  auto in_list = std::make_unique<ast::InList>();
  in_list->position = position;
  in_list->negated = ctx->NOT() != nullptr;
  in_list->operand = TransformExpression(expressions[0]);
  for (size_t i = 1; i < expressions.size(); ++i) {
    in_list->list.push_back(TransformExpression(expressions[i]));
  }
  return Emit(std::move(in_list));
}

antlrcpp::Any Transformer::visitQuantifiedComparison(
    FreshetParser::QuantifiedComparisonContext* ctx) {
  std::string op = ComparisonText(ctx->comparisonOperator());
  int32_t position = PositionOf(ctx->comparisonOperator());
  bool all = ctx->quantifier->getType() == FreshetParser::ALL;
  std::vector<FreshetParser::ExprContext*> expressions = ctx->expr();
  if (ctx->query() != nullptr) {
    auto subquery = std::make_unique<ast::Subquery>();
    subquery->position = position;
    subquery->type = all ? ast::Subquery::Type::kAll : ast::Subquery::Type::kAny;
    subquery->op = std::move(op);
    subquery->operand = TransformExpression(expressions[0]);
    subquery->select = TransformQuery(ctx->query());
    return Emit(std::move(subquery));
  }
  // `x = ANY (array)`: an array comparison, spelled as its own binary operator.
  return Emit(MakeBinary(op + (all ? " all" : " any"), position,
                         TransformExpression(expressions[0]), TransformExpression(expressions[1])));
}

antlrcpp::Any Transformer::visitComparisonExpression(
    FreshetParser::ComparisonExpressionContext* ctx) {
  return Emit(MakeBinary(ComparisonText(ctx->comparisonOperator()),
                         PositionOf(ctx->comparisonOperator()), TransformExpression(ctx->expr(0)),
                         TransformExpression(ctx->expr(1))));
}

antlrcpp::Any Transformer::visitIsNullExpression(FreshetParser::IsNullExpressionContext* ctx) {
  auto is_null = std::make_unique<ast::IsNull>();
  is_null->position = PositionOf(ctx->IS()->getSymbol());
  is_null->negated = ctx->NOT() != nullptr;
  is_null->operand = TransformExpression(ctx->expr());
  return Emit(std::move(is_null));
}

antlrcpp::Any Transformer::visitNullTestExpression(FreshetParser::NullTestExpressionContext* ctx) {
  auto is_null = std::make_unique<ast::IsNull>();
  is_null->position = PositionOf(ctx->test);
  is_null->negated = ctx->test->getType() == FreshetParser::NOTNULL;
  is_null->operand = TransformExpression(ctx->expr());
  return Emit(std::move(is_null));
}

antlrcpp::Any Transformer::visitIsBooleanExpression(
    FreshetParser::IsBooleanExpressionContext* ctx) {
  auto is_boolean = std::make_unique<ast::IsBoolean>();
  is_boolean->position = PositionOf(ctx->IS()->getSymbol());
  is_boolean->negated = ctx->NOT() != nullptr;
  switch (ctx->truth->getType()) {
    case FreshetParser::TRUE_P:
      is_boolean->test = ast::IsBoolean::Test::kTrue;
      break;
    case FreshetParser::FALSE_P:
      is_boolean->test = ast::IsBoolean::Test::kFalse;
      break;
    default:
      is_boolean->test = ast::IsBoolean::Test::kUnknown;
      break;
  }
  is_boolean->operand = TransformExpression(ctx->expr());
  return Emit(std::move(is_boolean));
}

antlrcpp::Any Transformer::visitIsDistinctExpression(
    FreshetParser::IsDistinctExpressionContext* ctx) {
  return Emit(MakeBinary(ctx->NOT() != nullptr ? "is not distinct from" : "is distinct from",
                         PositionOf(ctx->IS()->getSymbol()), TransformExpression(ctx->expr(0)),
                         TransformExpression(ctx->expr(1))));
}

antlrcpp::Any Transformer::visitNotExpression(FreshetParser::NotExpressionContext* ctx) {
  return Emit(MakeUnaryOperator("not", PositionOf(ctx), TransformExpression(ctx->expr())));
}

antlrcpp::Any Transformer::visitAndExpression(FreshetParser::AndExpressionContext* ctx) {
  return Emit(MakeBinary("and", PositionOf(ctx->AND()->getSymbol()),
                         TransformExpression(ctx->expr(0)), TransformExpression(ctx->expr(1))));
}

antlrcpp::Any Transformer::visitOrExpression(FreshetParser::OrExpressionContext* ctx) {
  return Emit(MakeBinary("or", PositionOf(ctx->OR()->getSymbol()),
                         TransformExpression(ctx->expr(0)), TransformExpression(ctx->expr(1))));
}

// ------------------------------------------------------------------------------------------------
// bExpr alternatives: the same nodes as their expr counterparts

antlrcpp::Any Transformer::visitBPrimary(FreshetParser::BPrimaryContext* ctx) {
  return Emit(TransformPrimary(ctx->primaryExpr()));
}

antlrcpp::Any Transformer::visitBTypecast(FreshetParser::BTypecastContext* ctx) {
  return Emit(MakeCast(TransformBExpression(ctx->bExpr()), TransformTypeName(ctx->typeName()),
                       PositionOf(ctx->TYPECAST()->getSymbol())));
}

antlrcpp::Any Transformer::visitBSubscript(FreshetParser::BSubscriptContext* ctx) {
  return Emit(MakeSubscript(TransformBExpression(ctx->bExpr()), TransformExpression(ctx->expr()),
                            PositionOf(ctx->LBRACKET()->getSymbol())));
}

antlrcpp::Any Transformer::visitBUnary(FreshetParser::BUnaryContext* ctx) {
  return Emit(MakeUnary(ctx->sign, TransformBExpression(ctx->bExpr())));
}

antlrcpp::Any Transformer::visitBPower(FreshetParser::BPowerContext* ctx) {
  return Emit(MakeBinary("^", PositionOf(ctx->CARET()->getSymbol()),
                         TransformBExpression(ctx->bExpr(0)), TransformBExpression(ctx->bExpr(1))));
}

antlrcpp::Any Transformer::visitBMultiplicative(FreshetParser::BMultiplicativeContext* ctx) {
  return Emit(MakeBinary(ArithmeticText(ctx->operation), PositionOf(ctx->operation),
                         TransformBExpression(ctx->bExpr(0)), TransformBExpression(ctx->bExpr(1))));
}

antlrcpp::Any Transformer::visitBAdditive(FreshetParser::BAdditiveContext* ctx) {
  return Emit(MakeBinary(ArithmeticText(ctx->operation), PositionOf(ctx->operation),
                         TransformBExpression(ctx->bExpr(0)), TransformBExpression(ctx->bExpr(1))));
}

antlrcpp::Any Transformer::visitBOperator(FreshetParser::BOperatorContext* ctx) {
  return Emit(MakeBinary(OperatorText(ctx->qualifiedOperator()),
                         PositionOf(ctx->qualifiedOperator()), TransformBExpression(ctx->bExpr(0)),
                         TransformBExpression(ctx->bExpr(1))));
}

antlrcpp::Any Transformer::visitBPrefixOperator(FreshetParser::BPrefixOperatorContext* ctx) {
  return Emit(MakeUnaryOperator(OperatorText(ctx->qualifiedOperator()),
                                PositionOf(ctx->qualifiedOperator()),
                                TransformBExpression(ctx->bExpr())));
}

// ------------------------------------------------------------------------------------------------
// primaryExpr alternatives

antlrcpp::Any Transformer::visitConstantExpression(FreshetParser::ConstantExpressionContext* ctx) {
  return Emit(TransformConstant(ctx->constant()));
}

antlrcpp::Any Transformer::visitParameterExpression(
    FreshetParser::ParameterExpressionContext* ctx) {
  antlr4::Token* token = ctx->PARAMETER()->getSymbol();
  std::string text = token->getText();
  auto parameter = std::make_unique<ast::Parameter>();
  parameter->position = PositionOf(token);
  auto [end, error] = std::from_chars(text.data() + 1, text.data() + text.size(), parameter->index);
  if (error != std::errc() || end != text.data() + text.size()) {
    throw Error(SqlState::kSyntaxError, "parameter number too large")
        .WithPosition(PositionOf(token));
  }
  return Emit(std::move(parameter));
}

antlrcpp::Any Transformer::visitScalarSubquery(FreshetParser::ScalarSubqueryContext* ctx) {
  auto subquery = std::make_unique<ast::Subquery>();
  subquery->position = PositionOf(ctx);
  subquery->type = ast::Subquery::Type::kScalar;
  subquery->select = TransformQuery(ctx->query());
  return Emit(std::move(subquery));
}

antlrcpp::Any Transformer::visitParenthesizedExpression(
    FreshetParser::ParenthesizedExpressionContext* ctx) {
  return Emit(TransformExpression(ctx->expr()));
}

antlrcpp::Any Transformer::visitExistsExpression(FreshetParser::ExistsExpressionContext* ctx) {
  auto subquery = std::make_unique<ast::Subquery>();
  subquery->position = PositionOf(ctx);
  subquery->type = ast::Subquery::Type::kExists;
  subquery->select = TransformQuery(ctx->query());
  return Emit(std::move(subquery));
}

ast::ExpressionPtr Transformer::TransformArray(FreshetParser::ArrayBodyContext* ctx,
                                               int32_t position) {
  CheckStack();
  auto array = std::make_unique<ast::Array>();
  array->position = position;
  for (auto* nested : ctx->arrayBody()) {
    array->elements.push_back(TransformArray(nested, PositionOf(nested)));
  }
  for (auto* element : ctx->expr()) {
    array->elements.push_back(TransformExpression(element));
  }
  return array;
}

antlrcpp::Any Transformer::visitArrayExpression(FreshetParser::ArrayExpressionContext* ctx) {
  return Emit(TransformArray(ctx->arrayBody(), PositionOf(ctx)));
}

antlrcpp::Any Transformer::visitArraySubquery(FreshetParser::ArraySubqueryContext* ctx) {
  ThrowNotSupported("ARRAY(subquery)", ctx);
}

antlrcpp::Any Transformer::visitCaseExpression(FreshetParser::CaseExpressionContext* ctx) {
  auto case_node = std::make_unique<ast::Case>();
  case_node->position = PositionOf(ctx);
  std::vector<FreshetParser::ExprContext*> expressions = ctx->expr();
  // expr() holds the optional operand (before the first WHEN) and the optional ELSE result (last).
  size_t first_when = ctx->whenClause(0)->getStart()->getTokenIndex();
  if (!expressions.empty() && expressions.front()->getStart()->getTokenIndex() < first_when) {
    case_node->operand = TransformExpression(expressions.front());
  }
  for (auto* when : ctx->whenClause()) {
    case_node->when_then.emplace_back(TransformExpression(when->expr(0)),
                                      TransformExpression(when->expr(1)));
  }
  if (ctx->ELSE() != nullptr) {
    case_node->else_result = TransformExpression(expressions.back());
  }
  return Emit(std::move(case_node));
}

antlrcpp::Any Transformer::visitCastExpression(FreshetParser::CastExpressionContext* ctx) {
  return Emit(MakeCast(TransformExpression(ctx->expr()), TransformTypeName(ctx->typeName()),
                       PositionOf(ctx)));
}

antlrcpp::Any Transformer::visitSpecialFunctionExpression(
    FreshetParser::SpecialFunctionExpressionContext* ctx) {
  return ctx->specialFunction()->accept(this);
}

antlrcpp::Any Transformer::visitFunctionExpression(FreshetParser::FunctionExpressionContext* ctx) {
  return Emit(TransformFunctionCall(ctx->functionCall()));
}

antlrcpp::Any Transformer::visitTypedLiteralExpression(
    FreshetParser::TypedLiteralExpressionContext* ctx) {
  return ctx->typedLiteral()->accept(this);
}

antlrcpp::Any Transformer::visitColumnExpression(FreshetParser::ColumnExpressionContext* ctx) {
  auto column = std::make_unique<ast::ColumnRef>();
  column->position = PositionOf(ctx);
  column->names.push_back(NameOf(ctx->colId()));
  for (auto* label : ctx->colLabel()) {
    column->names.push_back(NameOf(label));
  }
  return Emit(std::move(column));
}

// ------------------------------------------------------------------------------------------------
// Function calls

ast::ExpressionPtr Transformer::TransformFunctionCall(FreshetParser::FunctionCallContext* ctx) {
  FreshetParser::FunctionNameContext* name = ctx->functionName();
  auto call = std::make_unique<ast::FunctionCall>();
  call->position = PositionOf(name);
  if (name->typeFunctionName() != nullptr) {
    call->name = NameOf(name->typeFunctionName());
  } else {
    std::vector<std::string> names{NameOf(name->colId())};
    for (auto* label : name->colLabel()) {
      names.push_back(NameOf(label));
    }
    call->name = names.back();
    names.pop_back();
    call->schema = JoinNames(names);
  }
  call->star = ctx->STAR() != nullptr;
  call->distinct =
      ctx->quantifier != nullptr && ctx->quantifier->getType() == FreshetParser::DISTINCT;
  call->arguments = TransformExpressions(ctx->expr());
  if (ctx->orderByClause() != nullptr) {
    call->order_by = TransformOrderBy(ctx->orderByClause());
  }
  if (ctx->withinGroupClause() != nullptr) {
    ThrowNotSupported("WITHIN GROUP", ctx->withinGroupClause());
  }
  if (ctx->filterClause() != nullptr) {
    call->filter = TransformExpression(ctx->filterClause()->expr());
  }
  if (ctx->overClause() != nullptr) {
    call->over = TransformOver(ctx->overClause());
  }
  return call;
}

std::unique_ptr<ast::WindowSpec> Transformer::TransformOver(FreshetParser::OverClauseContext* ctx) {
  FreshetParser::WindowSpecificationContext* specification = ctx->windowSpecification();
  if (specification == nullptr) {
    ThrowNotSupported("a named window", ctx->colId());
  }
  if (specification->frameClause() != nullptr) {
    ThrowNotSupported("a window frame clause", specification->frameClause());
  }
  auto window = std::make_unique<ast::WindowSpec>();
  window->partition_by = TransformExpressions(specification->expr());
  if (specification->orderByClause() != nullptr) {
    window->order_by = TransformOrderBy(specification->orderByClause());
  }
  return window;
}

antlrcpp::Any Transformer::visitValueFunction(FreshetParser::ValueFunctionContext* ctx) {
  std::string name = AsciiLower(ctx->name->getText());
  if (name == "user") {
    name = "current_user";  // the SQL-standard spelling of the same function
  }
  return Emit(MakeFunction(std::move(name), PositionOf(ctx), {}));
}

antlrcpp::Any Transformer::visitTimeValueFunction(FreshetParser::TimeValueFunctionContext* ctx) {
  std::vector<ast::ExpressionPtr> arguments;
  if (antlr4::tree::TerminalNode* precision = ctx->INTEGER_LITERAL()) {
    arguments.push_back(IntegerLiteral(precision->getText(), PositionOf(precision->getSymbol())));
  }
  return Emit(
      MakeFunction(AsciiLower(ctx->name->getText()), PositionOf(ctx), std::move(arguments)));
}

antlrcpp::Any Transformer::visitExtractFunction(FreshetParser::ExtractFunctionContext* ctx) {
  FreshetParser::ExtractFieldContext* field_ctx = ctx->extractField();
  auto field = std::make_unique<ast::Literal>();
  field->position = PositionOf(field_ctx);
  field->type = ast::Literal::Type::kString;
  field->text = field_ctx->colLabel() != nullptr ? NameOf(field_ctx->colLabel())
                                                 : StringValue(field_ctx->stringLiteral());
  std::vector<ast::ExpressionPtr> arguments;
  arguments.push_back(std::move(field));
  arguments.push_back(TransformExpression(ctx->expr()));
  return Emit(MakeFunction("extract", PositionOf(ctx), std::move(arguments)));
}

antlrcpp::Any Transformer::visitSubstringFunction(FreshetParser::SubstringFunctionContext* ctx) {
  std::vector<FreshetParser::ExprContext*> expressions = ctx->expr();
  std::vector<ast::ExpressionPtr> arguments;
  arguments.push_back(TransformExpression(expressions[0]));
  if (ctx->FROM() != nullptr) {
    arguments.push_back(TransformExpression(expressions[1]));
  } else if (ctx->FOR() != nullptr) {
    // SUBSTRING(x FOR n) starts at the first character.
    arguments.push_back(IntegerLiteral("1", PositionOf(ctx->FOR()->getSymbol())));
  }
  if (ctx->FOR() != nullptr) {
    arguments.push_back(TransformExpression(expressions.back()));
  }
  return Emit(MakeFunction("substring", PositionOf(ctx), std::move(arguments)));
}

antlrcpp::Any Transformer::visitSubstringListFunction(
    FreshetParser::SubstringListFunctionContext* ctx) {
  return Emit(MakeFunction("substring", PositionOf(ctx), TransformExpressions(ctx->expr())));
}

antlrcpp::Any Transformer::visitPositionFunction(FreshetParser::PositionFunctionContext* ctx) {
  std::vector<ast::ExpressionPtr> arguments;
  arguments.push_back(TransformBExpression(ctx->bExpr(0)));
  arguments.push_back(TransformBExpression(ctx->bExpr(1)));
  return Emit(MakeFunction("position", PositionOf(ctx), std::move(arguments)));
}

// TRIM([BOTH | LEADING | TRAILING] [characters] FROM source) is btrim | ltrim | rtrim(source,
// characters).
antlrcpp::Any Transformer::visitTrimFunction(FreshetParser::TrimFunctionContext* ctx) {
  std::string name = "btrim";
  if (ctx->side != nullptr && ctx->side->getType() == FreshetParser::LEADING) {
    name = "ltrim";
  } else if (ctx->side != nullptr && ctx->side->getType() == FreshetParser::TRAILING) {
    name = "rtrim";
  }
  FreshetParser::TrimArgumentsContext* trim = ctx->trimArguments();
  std::vector<FreshetParser::ExprContext*> expressions = trim->expr();
  std::vector<ast::ExpressionPtr> arguments;
  if (trim->FROM() == nullptr) {
    arguments = TransformExpressions(expressions);
  } else {
    size_t from = trim->FROM()->getSymbol()->getTokenIndex();
    ast::ExpressionPtr characters;
    for (auto* expression : expressions) {
      if (expression->getStart()->getTokenIndex() < from) {
        characters = TransformExpression(expression);
      } else {
        arguments.push_back(TransformExpression(expression));
      }
    }
    if (characters != nullptr) {
      arguments.push_back(std::move(characters));
    }
  }
  return Emit(MakeFunction(std::move(name), PositionOf(ctx), std::move(arguments)));
}

antlrcpp::Any Transformer::visitListFunction(FreshetParser::ListFunctionContext* ctx) {
  return Emit(MakeFunction(AsciiLower(ctx->name->getText()), PositionOf(ctx),
                           TransformExpressions(ctx->expr())));
}

antlrcpp::Any Transformer::visitNullifFunction(FreshetParser::NullifFunctionContext* ctx) {
  return Emit(MakeFunction("nullif", PositionOf(ctx), TransformExpressions(ctx->expr())));
}

// ------------------------------------------------------------------------------------------------
// Typed literals

antlrcpp::Any Transformer::visitIntervalLiteral(FreshetParser::IntervalLiteralContext* ctx) {
  auto literal = std::make_unique<ast::Literal>();
  literal->position = PositionOf(ctx);
  literal->type = ast::Literal::Type::kInterval;
  literal->text = StringValue(ctx->stringLiteral());
  literal->typed.name = "interval";
  literal->typed.position = literal->position;
  if (ctx->intervalQualifier() != nullptr) {
    literal->interval_unit = IntervalUnit(ctx->intervalQualifier());
  }
  return Emit(std::move(literal));
}

antlrcpp::Any Transformer::visitIntervalPrecisionLiteral(
    FreshetParser::IntervalPrecisionLiteralContext* ctx) {
  auto literal = std::make_unique<ast::Literal>();
  literal->position = PositionOf(ctx);
  literal->type = ast::Literal::Type::kInterval;
  literal->text = StringValue(ctx->stringLiteral());
  literal->typed.name = "interval";
  literal->typed.position = literal->position;
  literal->typed.modifiers.push_back(SmallInteger(ctx->INTEGER_LITERAL()));
  return Emit(std::move(literal));
}

antlrcpp::Any Transformer::visitConstTypeLiteral(FreshetParser::ConstTypeLiteralContext* ctx) {
  return Emit(TransformTypedLiteral(TransformConstTypeName(ctx->constTypeName()),
                                    ctx->stringLiteral(), PositionOf(ctx)));
}

antlrcpp::Any Transformer::visitGenericTypeLiteral(FreshetParser::GenericTypeLiteralContext* ctx) {
  FreshetParser::FunctionNameContext* name = ctx->functionName();
  std::vector<std::string> names;
  if (name->typeFunctionName() != nullptr) {
    names.push_back(NameOf(name->typeFunctionName()));
  } else {
    names.push_back(NameOf(name->colId()));
    for (auto* label : name->colLabel()) {
      names.push_back(NameOf(label));
    }
  }
  return Emit(TransformTypedLiteral(GenericTypeName(names, PositionOf(name)), ctx->stringLiteral(),
                                    PositionOf(ctx)));
}

}  // namespace freshet::parser
