// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "generated/FreshetBaseVisitor.h"
#include "generated/FreshetParser.h"
#include "parser/ast.h"
#include "parser/stack_depth_checker.h"

// Internal to the parser module: the only header outside the generated code that names ANTLR types.
namespace freshet::parser {

using generated::FreshetParser;

/// Builds the owned AST of ast.h from one ANTLR parse tree. Labeled alternatives (expressions, FROM
/// items, set operations) are dispatched through the generated visitor, whose visit methods Emit()
/// their node for the Transform* caller to take at once; all other rules are plain calls. Every
/// recursive step checks the stack, so no tree can overflow it. One per Parse() call; not
/// thread-safe. The parse tree and the character stream are borrowed and must outlive it.
class Transformer : public generated::FreshetBaseVisitor {
 public:
  Transformer(antlr4::CharStream& input, const StackDepthChecker& stack);

  std::vector<ast::StatementPtr> TransformScript(FreshetParser::ScriptContext* ctx);

  // ---- visitor dispatch (the generated visitor's names, hence not PascalCase) ----
  // transform_select.cc
  antlrcpp::Any visitPrimaryQuery(FreshetParser::PrimaryQueryContext* ctx) override;
  antlrcpp::Any visitIntersectQuery(FreshetParser::IntersectQueryContext* ctx) override;
  antlrcpp::Any visitUnionQuery(FreshetParser::UnionQueryContext* ctx) override;
  antlrcpp::Any visitPrimaryTableRef(FreshetParser::PrimaryTableRefContext* ctx) override;
  antlrcpp::Any visitCrossJoin(FreshetParser::CrossJoinContext* ctx) override;
  antlrcpp::Any visitNaturalJoin(FreshetParser::NaturalJoinContext* ctx) override;
  antlrcpp::Any visitQualifiedJoin(FreshetParser::QualifiedJoinContext* ctx) override;
  antlrcpp::Any visitBaseTable(FreshetParser::BaseTableContext* ctx) override;
  antlrcpp::Any visitTableFunction(FreshetParser::TableFunctionContext* ctx) override;
  antlrcpp::Any visitSubqueryTable(FreshetParser::SubqueryTableContext* ctx) override;
  antlrcpp::Any visitParenthesizedTable(FreshetParser::ParenthesizedTableContext* ctx) override;

  // transform_expression.cc
  antlrcpp::Any visitPrimaryExpression(FreshetParser::PrimaryExpressionContext* ctx) override;
  antlrcpp::Any visitTypecastExpression(FreshetParser::TypecastExpressionContext* ctx) override;
  antlrcpp::Any visitSubscriptExpression(FreshetParser::SubscriptExpressionContext* ctx) override;
  antlrcpp::Any visitUnaryExpression(FreshetParser::UnaryExpressionContext* ctx) override;
  antlrcpp::Any visitCollateExpression(FreshetParser::CollateExpressionContext* ctx) override;
  antlrcpp::Any visitAtTimeZoneExpression(FreshetParser::AtTimeZoneExpressionContext* ctx) override;
  antlrcpp::Any visitPowerExpression(FreshetParser::PowerExpressionContext* ctx) override;
  antlrcpp::Any visitMultiplicativeExpression(
      FreshetParser::MultiplicativeExpressionContext* ctx) override;
  antlrcpp::Any visitAdditiveExpression(FreshetParser::AdditiveExpressionContext* ctx) override;
  antlrcpp::Any visitOperatorExpression(FreshetParser::OperatorExpressionContext* ctx) override;
  antlrcpp::Any visitPrefixOperatorExpression(
      FreshetParser::PrefixOperatorExpressionContext* ctx) override;
  antlrcpp::Any visitEscapeExpression(FreshetParser::EscapeExpressionContext* ctx) override;
  antlrcpp::Any visitLikeExpression(FreshetParser::LikeExpressionContext* ctx) override;
  antlrcpp::Any visitSimilarExpression(FreshetParser::SimilarExpressionContext* ctx) override;
  antlrcpp::Any visitBetweenExpression(FreshetParser::BetweenExpressionContext* ctx) override;
  antlrcpp::Any visitInExpression(FreshetParser::InExpressionContext* ctx) override;
  antlrcpp::Any visitQuantifiedComparison(FreshetParser::QuantifiedComparisonContext* ctx) override;
  antlrcpp::Any visitComparisonExpression(FreshetParser::ComparisonExpressionContext* ctx) override;
  antlrcpp::Any visitIsNullExpression(FreshetParser::IsNullExpressionContext* ctx) override;
  antlrcpp::Any visitNullTestExpression(FreshetParser::NullTestExpressionContext* ctx) override;
  antlrcpp::Any visitIsBooleanExpression(FreshetParser::IsBooleanExpressionContext* ctx) override;
  antlrcpp::Any visitIsDistinctExpression(FreshetParser::IsDistinctExpressionContext* ctx) override;
  antlrcpp::Any visitNotExpression(FreshetParser::NotExpressionContext* ctx) override;
  antlrcpp::Any visitAndExpression(FreshetParser::AndExpressionContext* ctx) override;
  antlrcpp::Any visitOrExpression(FreshetParser::OrExpressionContext* ctx) override;

  antlrcpp::Any visitBPrimary(FreshetParser::BPrimaryContext* ctx) override;
  antlrcpp::Any visitBTypecast(FreshetParser::BTypecastContext* ctx) override;
  antlrcpp::Any visitBSubscript(FreshetParser::BSubscriptContext* ctx) override;
  antlrcpp::Any visitBUnary(FreshetParser::BUnaryContext* ctx) override;
  antlrcpp::Any visitBPower(FreshetParser::BPowerContext* ctx) override;
  antlrcpp::Any visitBMultiplicative(FreshetParser::BMultiplicativeContext* ctx) override;
  antlrcpp::Any visitBAdditive(FreshetParser::BAdditiveContext* ctx) override;
  antlrcpp::Any visitBOperator(FreshetParser::BOperatorContext* ctx) override;
  antlrcpp::Any visitBPrefixOperator(FreshetParser::BPrefixOperatorContext* ctx) override;

  antlrcpp::Any visitConstantExpression(FreshetParser::ConstantExpressionContext* ctx) override;
  antlrcpp::Any visitParameterExpression(FreshetParser::ParameterExpressionContext* ctx) override;
  antlrcpp::Any visitScalarSubquery(FreshetParser::ScalarSubqueryContext* ctx) override;
  antlrcpp::Any visitParenthesizedExpression(
      FreshetParser::ParenthesizedExpressionContext* ctx) override;
  antlrcpp::Any visitExistsExpression(FreshetParser::ExistsExpressionContext* ctx) override;
  antlrcpp::Any visitArrayExpression(FreshetParser::ArrayExpressionContext* ctx) override;
  antlrcpp::Any visitArraySubquery(FreshetParser::ArraySubqueryContext* ctx) override;
  antlrcpp::Any visitCaseExpression(FreshetParser::CaseExpressionContext* ctx) override;
  antlrcpp::Any visitCastExpression(FreshetParser::CastExpressionContext* ctx) override;
  antlrcpp::Any visitSpecialFunctionExpression(
      FreshetParser::SpecialFunctionExpressionContext* ctx) override;
  antlrcpp::Any visitFunctionExpression(FreshetParser::FunctionExpressionContext* ctx) override;
  antlrcpp::Any visitTypedLiteralExpression(
      FreshetParser::TypedLiteralExpressionContext* ctx) override;
  antlrcpp::Any visitColumnExpression(FreshetParser::ColumnExpressionContext* ctx) override;

  antlrcpp::Any visitValueFunction(FreshetParser::ValueFunctionContext* ctx) override;
  antlrcpp::Any visitTimeValueFunction(FreshetParser::TimeValueFunctionContext* ctx) override;
  antlrcpp::Any visitExtractFunction(FreshetParser::ExtractFunctionContext* ctx) override;
  antlrcpp::Any visitSubstringFunction(FreshetParser::SubstringFunctionContext* ctx) override;
  antlrcpp::Any visitSubstringListFunction(
      FreshetParser::SubstringListFunctionContext* ctx) override;
  antlrcpp::Any visitPositionFunction(FreshetParser::PositionFunctionContext* ctx) override;
  antlrcpp::Any visitTrimFunction(FreshetParser::TrimFunctionContext* ctx) override;
  antlrcpp::Any visitListFunction(FreshetParser::ListFunctionContext* ctx) override;
  antlrcpp::Any visitNullifFunction(FreshetParser::NullifFunctionContext* ctx) override;

  antlrcpp::Any visitIntervalLiteral(FreshetParser::IntervalLiteralContext* ctx) override;
  antlrcpp::Any visitIntervalPrecisionLiteral(
      FreshetParser::IntervalPrecisionLiteralContext* ctx) override;
  antlrcpp::Any visitConstTypeLiteral(FreshetParser::ConstTypeLiteralContext* ctx) override;
  antlrcpp::Any visitGenericTypeLiteral(FreshetParser::GenericTypeLiteralContext* ctx) override;

 private:
  // transform_statement.cc
  ast::StatementPtr TransformStatement(FreshetParser::StatementContext* ctx);
  ast::StatementPtr TransformStatementBody(FreshetParser::StatementContext* ctx);
  ast::StatementPtr TransformInsert(FreshetParser::InsertStatementContext* ctx);
  ast::StatementPtr TransformUpdate(FreshetParser::UpdateStatementContext* ctx);
  ast::StatementPtr TransformDelete(FreshetParser::DeleteStatementContext* ctx);
  ast::StatementPtr TransformDrop(FreshetParser::DropStatementContext* ctx);
  ast::StatementPtr TransformShow(FreshetParser::ShowStatementContext* ctx);
  ast::StatementPtr TransformSet(FreshetParser::SetStatementContext* ctx);
  ast::StatementPtr TransformReset(FreshetParser::ResetStatementContext* ctx);
  ast::StatementPtr TransformTransaction(FreshetParser::TransactionStatementContext* ctx);
  ast::StatementPtr TransformExplain(FreshetParser::ExplainStatementContext* ctx);
  ast::StatementPtr TransformDescribe(FreshetParser::DescribeStatementContext* ctx);

  // transform_ddl.cc
  ast::StatementPtr TransformCreateTable(FreshetParser::CreateTableStatementContext* ctx);
  ast::StatementPtr TransformCreateSource(FreshetParser::CreateSourceStatementContext* ctx);
  ast::StatementPtr TransformCreateView(FreshetParser::CreateViewStatementContext* ctx);
  ast::StatementPtr TransformCreateSink(FreshetParser::CreateSinkStatementContext* ctx);
  ast::ColumnDefinition TransformColumnDefinition(FreshetParser::ColumnDefinitionContext* ctx);
  ast::WatermarkDefinition TransformWatermark(FreshetParser::WatermarkDefinitionContext* ctx);
  std::vector<ast::Option> TransformOptions(
      const std::vector<FreshetParser::OptionContext*>& options);
  ast::FormatSpec TransformFormat(FreshetParser::FormatClauseContext* ctx);
  std::vector<ast::IncludeColumn> TransformIncludes(
      const std::vector<FreshetParser::IncludeClauseContext*>& clauses);

  // transform_select.cc
  std::unique_ptr<ast::Select> TransformQuery(FreshetParser::QueryContext* ctx);
  std::unique_ptr<ast::Select> TransformQueryBody(FreshetParser::QueryBodyContext* ctx);
  std::unique_ptr<ast::Select> TransformQueryPrimary(FreshetParser::QueryPrimaryContext* ctx);
  std::unique_ptr<ast::Select> TransformSimpleSelect(FreshetParser::SimpleSelectContext* ctx);
  std::unique_ptr<ast::Select> TransformSetOperation(
      antlr4::ParserRuleContext* ctx,
      ast::Select::SetOperation operation,
      FreshetParser::SetQuantifierContext* quantifier,
      FreshetParser::QueryBodyContext* left,
      FreshetParser::QueryBodyContext* right);
  void TransformWith(FreshetParser::WithClauseContext* ctx, ast::Select& select);
  void TransformLimit(FreshetParser::LimitClauseContext* ctx, ast::Select& select);
  ast::SelectItem TransformSelectItem(FreshetParser::SelectItemContext* ctx);
  std::vector<std::vector<ast::ExpressionPtr>> TransformValues(
      FreshetParser::ValuesClauseContext* ctx);
  std::vector<ast::OrderItem> TransformOrderBy(FreshetParser::OrderByClauseContext* ctx);
  ast::TableRefPtr TransformTableRef(FreshetParser::TableRefContext* ctx);
  ast::TableRefPtr TransformTablePrimary(FreshetParser::TablePrimaryContext* ctx);
  static void TransformAlias(FreshetParser::AliasClauseContext* ctx, ast::TableRef& table_ref);

  // transform_expression.cc
  ast::ExpressionPtr TransformExpression(FreshetParser::ExprContext* ctx);
  ast::ExpressionPtr TransformBExpression(FreshetParser::BExprContext* ctx);
  ast::ExpressionPtr TransformPrimary(FreshetParser::PrimaryExprContext* ctx);
  std::vector<ast::ExpressionPtr> TransformExpressions(
      const std::vector<FreshetParser::ExprContext*>& expressions);
  ast::ExpressionPtr TransformFunctionCall(FreshetParser::FunctionCallContext* ctx);
  std::unique_ptr<ast::WindowSpec> TransformOver(FreshetParser::OverClauseContext* ctx);
  ast::ExpressionPtr TransformArray(FreshetParser::ArrayBodyContext* ctx, int32_t position);
  ast::ExpressionPtr MakeUnary(antlr4::Token* op, ast::ExpressionPtr operand);
  ast::ExpressionPtr TransformPattern(FreshetParser::ExprContext* pattern,
                                      ast::ExpressionPtr* escape);

  // transform_literal.cc
  static ast::ExpressionPtr TransformConstant(FreshetParser::ConstantContext* ctx);
  static ast::ExpressionPtr TransformTypedLiteral(ast::TypeName type,
                                                  FreshetParser::StringLiteralContext* value,
                                                  int32_t position);

  // A visit method hands its node to the Transform* call that dispatched it through these slots
  // rather than through the antlrcpp::Any it returns, which would cost an allocation and two
  // dynamic_casts per node of a 10,000-row INSERT. Emit() is always a visit method's last step and
  // the dispatcher takes the node right after accept() returns, so a slot never holds two nodes.
  antlrcpp::Any Emit(ast::ExpressionPtr node);
  antlrcpp::Any Emit(ast::TableRefPtr node);
  antlrcpp::Any Emit(std::unique_ptr<ast::Select> node);
  ast::ExpressionPtr TakeExpression();
  ast::TableRefPtr TakeTableRef();
  std::unique_ptr<ast::Select> TakeSelect();

  std::string SourceText(antlr4::ParserRuleContext* ctx) const;
  void CheckStack() const { stack_.Check(); }

  antlr4::CharStream& input_;
  const StackDepthChecker& stack_;
  ast::ExpressionPtr expression_slot_;
  ast::TableRefPtr table_ref_slot_;
  std::unique_ptr<ast::Select> select_slot_;
};

// ---- Helpers shared by the transform_*.cc files ----

/// 1-based character position of a token, or of the first token of a rule.
int32_t PositionOf(antlr4::Token* token);
int32_t PositionOf(antlr4::ParserRuleContext* ctx);

/// The name a one-token name rule (colId, colLabel, typeFunctionName, ...) stands for: lower-cased
/// unless quoted, quotes and doubled quotes removed.
std::string NameOf(antlr4::ParserRuleContext* ctx);
/// The parts of a dotted name, each as NameOf.
std::vector<std::string> NamesOf(FreshetParser::QualifiedNameContext* ctx);
std::vector<std::string> NamesOf(FreshetParser::ColumnListContext* ctx);
/// Splits `[schema.]name` of a relation; more parts are errors, as in PostgreSQL.
void SplitRelationName(FreshetParser::QualifiedNameContext* ctx,
                       std::string* schema,
                       std::string* name);
/// Parts joined with '.', for the statements that keep a qualified name in one string.
std::string JoinNames(const std::vector<std::string>& names);

/// Throws Error 22021 unless `text` is valid UTF-8 without NUL bytes, in PostgreSQL's words.
void ValidateUtf8(std::string_view text, int32_t position);

/// The value of a string constant with its quotes removed and escapes resolved.
std::string StringValue(FreshetParser::StringLiteralContext* ctx);
/// A small non-negative integer constant (type modifiers, precisions), or a syntax error at the
/// token.
int32_t SmallInteger(antlr4::tree::TerminalNode* node);
/// An integer constant the statement implies rather than spells: the 1 of `FETCH FIRST ROW ONLY`.
ast::ExpressionPtr IntegerLiteral(std::string_view digits, int32_t position);
/// The text of an optionally signed number: "-1.5".
std::string SignedNumberText(FreshetParser::SignedNumberContext* ctx);

/// The canonical lower-case type name of a type name as written.
ast::TypeName TransformTypeName(FreshetParser::TypeNameContext* ctx);
ast::TypeName TransformConstTypeName(FreshetParser::ConstTypeNameContext* ctx);
/// A type named by an identifier (`timestamptz`, `pg_catalog.int4`, `regclass`), canonicalized.
ast::TypeName GenericTypeName(const std::vector<std::string>& names, int32_t position);
/// "second", "day to second", ...: the unit of an interval literal or type.
std::string IntervalUnit(FreshetParser::IntervalQualifierContext* ctx);

/// Throws Error 0A000 `<what> is not supported` at the token.
[[noreturn]] void ThrowNotSupported(std::string_view what, antlr4::ParserRuleContext* ctx);

}  // namespace freshet::parser
