// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string_view>
#include <vector>

#include "parser/ast.h"

namespace freshet::parser {

/// Parses `sql`, which may hold several statements separated by semicolons, into owned ASTs. An
/// empty string (or only semicolons and comments) yields no statements. Throws Error 42601 with the
/// 1-based character position on a syntax error, worded as PostgreSQL words it: `syntax error at or
/// near "FROM"` or `syntax error at end of input`.
std::vector<ast::StatementPtr> Parse(std::string_view sql);

}  // namespace freshet::parser
