// SPDX-License-Identifier: Apache-2.0
// CREATE TABLE, SOURCE, [MATERIALIZED] VIEW and SINK, with their columns, watermarks and connector
// options.
#include <fmt/format.h>

#include "common/error.h"
#include "parser/transformer.h"

namespace freshet::parser {
namespace {

// RisingWave allows one watermark per relation; so does Freshet, since a source has one event-time
// column.
void SetWatermark(std::optional<ast::WatermarkDefinition>& slot,
                  ast::WatermarkDefinition watermark) {
  if (slot.has_value()) {
    throw Error(SqlState::kSyntaxError, "multiple WATERMARK clauses are not allowed")
        .WithPosition(watermark.position);
  }
  slot = std::move(watermark);
}

}  // namespace

ast::ColumnDefinition Transformer::TransformColumnDefinition(
    FreshetParser::ColumnDefinitionContext* ctx) {
  ast::ColumnDefinition column;
  column.name = NameOf(ctx->colId());
  column.position = PositionOf(ctx);
  column.type = TransformTypeName(ctx->typeName());
  for (auto* constraint : ctx->columnConstraint()) {
    if (constraint->DEFAULT() != nullptr) {
      column.default_value = TransformBExpression(constraint->bExpr());
    } else if (constraint->PRIMARY() != nullptr) {
      column.primary_key = true;
    } else {
      // NOT NULL, or a bare NULL that says the default out loud.
      column.not_null = constraint->NOT() != nullptr;
    }
  }
  return column;
}

ast::WatermarkDefinition Transformer::TransformWatermark(
    FreshetParser::WatermarkDefinitionContext* ctx) {
  ast::WatermarkDefinition watermark;
  watermark.position = PositionOf(ctx);
  watermark.column = NameOf(ctx->colId());
  watermark.expression = TransformExpression(ctx->expr(0));
  if (ctx->LATENESS() != nullptr) {
    watermark.lateness = TransformExpression(ctx->expr(1));
  }
  return watermark;
}

std::vector<ast::Option> Transformer::TransformOptions(
    const std::vector<FreshetParser::OptionContext*>& options) {
  std::vector<ast::Option> result;
  result.reserve(options.size());
  for (auto* option_ctx : options) {
    ast::Option option;
    option.position = PositionOf(option_ctx);
    std::vector<std::string> key;
    for (auto* part : option_ctx->optionKey()->colLabel()) {
      key.push_back(NameOf(part));
    }
    option.key = JoinNames(key);
    FreshetParser::OptionValueContext* value = option_ctx->optionValue();
    if (value->stringLiteral() != nullptr) {
      option.value = StringValue(value->stringLiteral());
    } else if (value->signedNumber() != nullptr) {
      option.value = SignedNumberText(value->signedNumber());
    } else {
      // A bare word such as `earliest` or `true`: lower-cased unless quoted, like any identifier.
      std::vector<std::string> words;
      for (auto* part : value->colLabel()) {
        words.push_back(NameOf(part));
      }
      option.value = JoinNames(words);
    }
    result.push_back(std::move(option));
  }
  return result;
}

std::vector<ast::IncludeColumn> Transformer::TransformIncludes(
    const std::vector<FreshetParser::IncludeClauseContext*>& clauses) {
  std::vector<ast::IncludeColumn> columns;
  for (auto* include : clauses) {
    ast::IncludeColumn column;
    column.what = NameOf(include->colLabel());
    if (include->colId() != nullptr) {
      column.alias = NameOf(include->colId());
    }
    columns.push_back(std::move(column));
  }
  return columns;
}

ast::FormatSpec Transformer::TransformFormat(FreshetParser::FormatClauseContext* ctx) {
  ast::FormatSpec format;
  format.format = NameOf(ctx->colLabel(0));
  format.encode = NameOf(ctx->colLabel(1));
  format.options = TransformOptions(ctx->option());
  return format;
}

ast::StatementPtr Transformer::TransformCreateTable(
    FreshetParser::CreateTableStatementContext* ctx) {
  auto create = std::make_unique<ast::CreateTable>();
  create->name_position = PositionOf(ctx->qualifiedName());
  SplitRelationName(ctx->qualifiedName(), &create->schema, &create->name);
  create->if_not_exists = ctx->ifNotExists() != nullptr;
  if (ctx->query() != nullptr) {
    create->as_select = TransformQuery(ctx->query());
    return create;
  }
  for (auto* element : ctx->tableElement()) {
    if (element->columnDefinition() != nullptr) {
      create->columns.push_back(TransformColumnDefinition(element->columnDefinition()));
    } else if (element->watermarkDefinition() != nullptr) {
      SetWatermark(create->watermark, TransformWatermark(element->watermarkDefinition()));
    } else {
      FreshetParser::TableConstraintContext* constraint = element->tableConstraint();
      if (!create->primary_key.empty()) {
        throw Error(
            SqlState::kInvalidTableDefinition,
            fmt::format("multiple primary keys for table \"{}\" are not allowed", create->name))
            .WithPosition(PositionOf(constraint));
      }
      create->primary_key = NamesOf(constraint->columnList());
    }
  }
  create->include = TransformIncludes(ctx->includeClause());
  create->append_only = ctx->APPEND() != nullptr;
  if (ctx->withOptions() != nullptr) {
    create->with = TransformOptions(ctx->withOptions()->option());
  }
  if (ctx->formatClause() != nullptr) {
    create->format = TransformFormat(ctx->formatClause());
  }
  return create;
}

ast::StatementPtr Transformer::TransformCreateSource(
    FreshetParser::CreateSourceStatementContext* ctx) {
  auto create = std::make_unique<ast::CreateSource>();
  create->name = JoinNames(NamesOf(ctx->qualifiedName()));
  create->name_position = PositionOf(ctx->qualifiedName());
  create->if_not_exists = ctx->ifNotExists() != nullptr;
  for (auto* element : ctx->sourceElement()) {
    if (element->columnDefinition() != nullptr) {
      create->columns.push_back(TransformColumnDefinition(element->columnDefinition()));
    } else {
      SetWatermark(create->watermark, TransformWatermark(element->watermarkDefinition()));
    }
  }
  create->include = TransformIncludes(ctx->includeClause());
  if (ctx->withOptions() != nullptr) {
    create->with = TransformOptions(ctx->withOptions()->option());
  }
  if (ctx->formatClause() != nullptr) {
    create->format = TransformFormat(ctx->formatClause());
  }
  return create;
}

ast::StatementPtr Transformer::TransformCreateView(FreshetParser::CreateViewStatementContext* ctx) {
  auto create = std::make_unique<ast::CreateMaterializedView>();
  create->name = JoinNames(NamesOf(ctx->qualifiedName()));
  create->name_position = PositionOf(ctx->qualifiedName());
  create->if_not_exists = ctx->ifNotExists() != nullptr;
  create->materialized = ctx->MATERIALIZED() != nullptr;
  create->column_aliases = NamesOf(ctx->columnList());
  if (ctx->withOptions() != nullptr) {
    create->with = TransformOptions(ctx->withOptions()->option());
  }
  create->query = TransformQuery(ctx->query());
  create->query->emit_on_window_close = ctx->emitClause() != nullptr;
  return create;
}

ast::StatementPtr Transformer::TransformCreateSink(FreshetParser::CreateSinkStatementContext* ctx) {
  auto create = std::make_unique<ast::CreateSink>();
  std::vector<FreshetParser::QualifiedNameContext*> names = ctx->qualifiedName();
  create->name = JoinNames(NamesOf(names[0]));
  create->name_position = PositionOf(names[0]);
  create->if_not_exists = ctx->ifNotExists() != nullptr;
  if (ctx->FROM() != nullptr) {
    create->from = JoinNames(NamesOf(names[1]));
  } else {
    create->query = TransformQuery(ctx->query());
    create->query->emit_on_window_close = ctx->emitClause() != nullptr;
  }
  if (ctx->withOptions() != nullptr) {
    create->with = TransformOptions(ctx->withOptions()->option());
  }
  if (ctx->formatClause() != nullptr) {
    create->format = TransformFormat(ctx->formatClause());
  }
  return create;
}

}  // namespace freshet::parser
