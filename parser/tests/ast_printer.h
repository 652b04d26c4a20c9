// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>

#include "parser/ast.h"

namespace freshet::parser::testing {

/// Renders an expression as a compact S-expression, e.g. `(+ 1 (* 2 3))`, so tests can state a tree
/// in one line.
std::string Print(const ast::Expression& expression);
/// Renders a query the same way: `(select (items ...) (from ...) (where ...) ...)`.
std::string Print(const ast::Select& select);
std::string Print(const ast::TableRef& table_ref);
std::string Print(const ast::TypeName& type);

}  // namespace freshet::parser::testing
