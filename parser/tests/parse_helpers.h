// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "common/error.h"
#include "parser/ast.h"
#include "parser/parser.h"
#include "parser/tests/ast_printer.h"

namespace freshet::parser::testing {

/// Parses exactly one statement and returns it as a `T`, failing the test otherwise.
template <typename T>
std::unique_ptr<T> ParseOne(std::string_view sql) {
  std::vector<ast::StatementPtr> statements = Parse(sql);
  EXPECT_EQ(statements.size(), 1u) << sql;
  if (statements.size() != 1) {
    return nullptr;
  }
  auto* typed = dynamic_cast<T*>(statements[0].get());
  EXPECT_NE(typed, nullptr) << sql;
  if (typed == nullptr) {
    return nullptr;
  }
  statements[0].release();
  return std::unique_ptr<T>(typed);
}

/// The printed form of a query statement.
inline std::string PrintQuery(std::string_view sql) {
  auto statement = ParseOne<ast::SelectStatement>(sql);
  return statement == nullptr ? "<none>" : Print(*statement->select);
}

/// The printed form of the only select item of `SELECT <expression>`.
inline std::string PrintExpression(std::string_view expression) {
  std::string sql = "SELECT " + std::string(expression);
  auto statement = ParseOne<ast::SelectStatement>(sql);
  if (statement == nullptr || statement->select->items.size() != 1) {
    ADD_FAILURE() << "not one select item: " << sql;
    return "<none>";
  }
  return Print(*statement->select->items[0].expression);
}

/// The error that parsing `sql` throws; fails the test if none is thrown.
inline Error ParseError(std::string_view sql) {
  try {
    Parse(sql);
  } catch (const Error& error) {
    return error;
  }
  ADD_FAILURE() << "no error for: " << sql;
  return Error(SqlState::kSuccessfulCompletion, "");
}

}  // namespace freshet::parser::testing
