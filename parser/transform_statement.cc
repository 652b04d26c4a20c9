// SPDX-License-Identifier: Apache-2.0
// Statements other than CREATE: DML, DROP, SHOW, SET / RESET, transactions, FLUSH, EXPLAIN and
// DESCRIBE.
#include <fmt/format.h>

#include "common/error.h"
#include "parser/transformer.h"

namespace freshet::parser {
namespace {

// The keywords of a transaction mode as lower-case text separated by spaces: "isolation level read
// committed".
std::string WordsOf(FreshetParser::TransactionModeContext* ctx) {
  std::string words;
  for (antlr4::tree::ParseTree* child : ctx->children) {
    if (!words.empty()) {
      words += ' ';
    }
    for (char c : child->getText()) {
      words += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    }
  }
  return words;
}

std::string VariableNameOf(FreshetParser::VariableNameContext* ctx) {
  std::vector<std::string> names;
  for (auto* part : ctx->colId()) {
    names.push_back(NameOf(part));
  }
  return JoinNames(names);
}

// One value of SET as text; DEFAULT returns nullopt.
std::optional<std::string> SetValueOf(FreshetParser::SetValueContext* ctx) {
  if (ctx->DEFAULT() != nullptr) {
    return std::nullopt;
  }
  if (ctx->stringLiteral() != nullptr) {
    return StringValue(ctx->stringLiteral());
  }
  if (ctx->signedNumber() != nullptr) {
    return SignedNumberText(ctx->signedNumber());
  }
  // ON, TRUE, FALSE and plain words: lower-cased unless quoted.
  return NameOf(ctx);
}

}  // namespace

Transformer::Transformer(antlr4::CharStream& input, const StackDepthChecker& stack)
    : input_(input), stack_(stack) {}

antlrcpp::Any Transformer::Emit(ast::ExpressionPtr node) {
  expression_slot_ = std::move(node);
  return {};
}

antlrcpp::Any Transformer::Emit(ast::TableRefPtr node) {
  table_ref_slot_ = std::move(node);
  return {};
}

antlrcpp::Any Transformer::Emit(std::unique_ptr<ast::Select> node) {
  select_slot_ = std::move(node);
  return {};
}

// An empty slot means a parse tree alternative without a visit override: a bug here, not bad input.
ast::ExpressionPtr Transformer::TakeExpression() {
  FRESHET_CHECK(expression_slot_ != nullptr, "expression alternative without a transform");
  return std::move(expression_slot_);
}

ast::TableRefPtr Transformer::TakeTableRef() {
  FRESHET_CHECK(table_ref_slot_ != nullptr, "FROM item alternative without a transform");
  return std::move(table_ref_slot_);
}

std::unique_ptr<ast::Select> Transformer::TakeSelect() {
  FRESHET_CHECK(select_slot_ != nullptr, "query alternative without a transform");
  return std::move(select_slot_);
}

std::string Transformer::SourceText(antlr4::ParserRuleContext* ctx) const {
  size_t start = ctx->getStart()->getStartIndex();
  size_t stop = ctx->getStop()->getStopIndex();
  return input_.getText(antlr4::misc::Interval(start, stop));
}

std::vector<ast::StatementPtr> Transformer::TransformScript(FreshetParser::ScriptContext* ctx) {
  std::vector<ast::StatementPtr> statements;
  for (auto* statement : ctx->statement()) {
    statements.push_back(TransformStatement(statement));
  }
  return statements;
}

ast::StatementPtr Transformer::TransformStatement(FreshetParser::StatementContext* ctx) {
  CheckStack();
  ast::StatementPtr statement = TransformStatementBody(ctx);
  statement->position = PositionOf(ctx);
  statement->text = SourceText(ctx);
  return statement;
}

ast::StatementPtr Transformer::TransformStatementBody(FreshetParser::StatementContext* ctx) {
  if (ctx->query() != nullptr) {
    auto select = std::make_unique<ast::SelectStatement>();
    select->select = TransformQuery(ctx->query());
    return select;
  }
  if (ctx->insertStatement() != nullptr) {
    return TransformInsert(ctx->insertStatement());
  }
  if (ctx->updateStatement() != nullptr) {
    return TransformUpdate(ctx->updateStatement());
  }
  if (ctx->deleteStatement() != nullptr) {
    return TransformDelete(ctx->deleteStatement());
  }
  if (ctx->createTableStatement() != nullptr) {
    return TransformCreateTable(ctx->createTableStatement());
  }
  if (ctx->createSourceStatement() != nullptr) {
    return TransformCreateSource(ctx->createSourceStatement());
  }
  if (ctx->createViewStatement() != nullptr) {
    return TransformCreateView(ctx->createViewStatement());
  }
  if (ctx->createSinkStatement() != nullptr) {
    return TransformCreateSink(ctx->createSinkStatement());
  }
  if (ctx->dropStatement() != nullptr) {
    return TransformDrop(ctx->dropStatement());
  }
  if (ctx->showStatement() != nullptr) {
    return TransformShow(ctx->showStatement());
  }
  if (ctx->setStatement() != nullptr) {
    return TransformSet(ctx->setStatement());
  }
  if (ctx->resetStatement() != nullptr) {
    return TransformReset(ctx->resetStatement());
  }
  if (ctx->transactionStatement() != nullptr) {
    return TransformTransaction(ctx->transactionStatement());
  }
  if (ctx->flushStatement() != nullptr) {
    return std::make_unique<ast::Flush>();
  }
  if (ctx->explainStatement() != nullptr) {
    return TransformExplain(ctx->explainStatement());
  }
  return TransformDescribe(ctx->describeStatement());
}

// ------------------------------------------------------------------------------------------------
// DML

ast::StatementPtr Transformer::TransformInsert(FreshetParser::InsertStatementContext* ctx) {
  auto insert = std::make_unique<ast::Insert>();
  insert->table_position = PositionOf(ctx->qualifiedName());
  SplitRelationName(ctx->qualifiedName(), &insert->schema, &insert->table);
  // `INSERT INTO t AS x` names the target for ON CONFLICT, which Freshet does not have; the alias
  // is unused.
  insert->columns = NamesOf(ctx->columnList());
  insert->source = TransformQuery(ctx->query());
  return insert;
}

ast::StatementPtr Transformer::TransformUpdate(FreshetParser::UpdateStatementContext* ctx) {
  auto update = std::make_unique<ast::Update>();
  update->table_position = PositionOf(ctx->qualifiedName());
  SplitRelationName(ctx->qualifiedName(), &update->schema, &update->table);
  for (auto* assignment : ctx->assignment()) {
    update->assignments.emplace_back(NameOf(assignment->colId()),
                                     TransformExpression(assignment->expr()));
  }
  if (ctx->whereClause() != nullptr) {
    update->where = TransformExpression(ctx->whereClause()->expr());
  }
  return update;
}

ast::StatementPtr Transformer::TransformDelete(FreshetParser::DeleteStatementContext* ctx) {
  auto delete_statement = std::make_unique<ast::Delete>();
  delete_statement->table_position = PositionOf(ctx->qualifiedName());
  SplitRelationName(ctx->qualifiedName(), &delete_statement->schema, &delete_statement->table);
  if (ctx->whereClause() != nullptr) {
    delete_statement->where = TransformExpression(ctx->whereClause()->expr());
  }
  return delete_statement;
}

// ------------------------------------------------------------------------------------------------
// Catalog and session statements

ast::StatementPtr Transformer::TransformDrop(FreshetParser::DropStatementContext* ctx) {
  auto drop = std::make_unique<ast::Drop>();
  FreshetParser::ObjectTypeContext* object = ctx->objectType();
  if (object->TABLE() != nullptr) {
    drop->object = ast::ObjectKind::kTable;
  } else if (object->SOURCE() != nullptr) {
    drop->object = ast::ObjectKind::kSource;
  } else if (object->MATERIALIZED() != nullptr) {
    drop->object = ast::ObjectKind::kMaterializedView;
  } else if (object->VIEW() != nullptr) {
    drop->object = ast::ObjectKind::kView;
  } else if (object->SINK() != nullptr) {
    drop->object = ast::ObjectKind::kSink;
  } else if (object->INDEX() != nullptr) {
    drop->object = ast::ObjectKind::kIndex;
  } else {
    drop->object = ast::ObjectKind::kSchema;
  }
  for (auto* name : ctx->qualifiedName()) {
    drop->names.push_back(JoinNames(NamesOf(name)));
    drop->name_positions.push_back(PositionOf(name));
  }
  drop->if_exists = ctx->IF() != nullptr;
  drop->cascade = ctx->CASCADE() != nullptr;
  return drop;
}

ast::StatementPtr Transformer::TransformShow(FreshetParser::ShowStatementContext* ctx) {
  auto show = std::make_unique<ast::Show>();
  if (FreshetParser::ShowObjectsContext* objects = ctx->showObjects()) {
    if (objects->TABLES() != nullptr) {
      show->object = ast::ObjectKind::kTable;
    } else if (objects->SOURCES() != nullptr) {
      show->object = ast::ObjectKind::kSource;
    } else if (objects->MATERIALIZED() != nullptr) {
      show->object = ast::ObjectKind::kMaterializedView;
    } else if (objects->VIEWS() != nullptr) {
      show->object = ast::ObjectKind::kView;
    } else {
      show->object = ast::ObjectKind::kSink;
    }
  } else if (ctx->ALL() != nullptr) {
    show->variable = "all";
  } else if (ctx->ISOLATION() != nullptr) {
    show->variable = "transaction isolation level";
  } else if (ctx->ZONE() != nullptr) {
    show->variable = "timezone";  // SHOW TIME ZONE is SHOW timezone
  } else {
    show->variable = VariableNameOf(ctx->variableName());
  }
  return show;
}

ast::StatementPtr Transformer::TransformSet(FreshetParser::SetStatementContext* ctx) {
  auto set = std::make_unique<ast::Set>();
  set->local = ctx->scope != nullptr && ctx->scope->getType() == FreshetParser::LOCAL;
  std::vector<FreshetParser::SetValueContext*> values = ctx->setValue();
  if (ctx->CHARACTERISTICS() != nullptr || ctx->TRANSACTION() != nullptr) {
    set->variable = ctx->CHARACTERISTICS() != nullptr ? "session characteristics" : "transaction";
    for (auto* mode : ctx->transactionMode()) {
      set->values.push_back(WordsOf(mode));
    }
    return set;
  }
  if (ctx->variableName() != nullptr) {
    set->variable = VariableNameOf(ctx->variableName());
  } else if (ctx->ZONE() != nullptr) {
    set->variable = "timezone";
  } else if (ctx->NAMES() != nullptr) {
    set->variable = "client_encoding";  // SET NAMES 'x' is SET client_encoding TO 'x'
  } else {
    set->variable = "search_path";  // SET SCHEMA 'x' is SET search_path TO 'x'
    set->values.push_back(StringValue(ctx->stringLiteral()));
    return set;
  }
  // SET TIME ZONE LOCAL means the default, like SET ... TO DEFAULT.
  bool time_zone_local = ctx->ZONE() != nullptr && values.size() == 1 &&
                         values[0]->getStart()->getType() == FreshetParser::LOCAL;
  for (auto* value : values) {
    std::optional<std::string> text = SetValueOf(value);
    if (!text.has_value()) {
      if (values.size() > 1) {
        throw Error::Syntax(value->getText(), PositionOf(value));
      }
      set->reset = true;
      continue;
    }
    set->values.push_back(std::move(*text));
  }
  if (time_zone_local) {
    set->reset = true;
    set->values.clear();
  }
  return set;
}

ast::StatementPtr Transformer::TransformReset(FreshetParser::ResetStatementContext* ctx) {
  auto set = std::make_unique<ast::Set>();
  set->reset = true;
  if (ctx->ALL() != nullptr) {
    set->variable = "all";
  } else if (ctx->ZONE() != nullptr) {
    set->variable = "timezone";
  } else {
    set->variable = VariableNameOf(ctx->variableName());
  }
  return set;
}

ast::StatementPtr Transformer::TransformTransaction(
    FreshetParser::TransactionStatementContext* ctx) {
  auto transaction = std::make_unique<ast::Transaction>();
  if (ctx->BEGIN() != nullptr || ctx->START() != nullptr) {
    transaction->type = ast::Transaction::Type::kBegin;
  } else if (ctx->COMMIT() != nullptr || ctx->END() != nullptr) {
    transaction->type = ast::Transaction::Type::kCommit;
  } else {
    transaction->type = ast::Transaction::Type::kRollback;
  }
  return transaction;
}

ast::StatementPtr Transformer::TransformExplain(FreshetParser::ExplainStatementContext* ctx) {
  auto explain = std::make_unique<ast::Explain>();
  explain->statement = TransformStatement(ctx->statement());
  return explain;
}

ast::StatementPtr Transformer::TransformDescribe(FreshetParser::DescribeStatementContext* ctx) {
  auto describe = std::make_unique<ast::Describe>();
  describe->name = JoinNames(NamesOf(ctx->qualifiedName()));
  describe->name_position = PositionOf(ctx->qualifiedName());
  return describe;
}

}  // namespace freshet::parser
