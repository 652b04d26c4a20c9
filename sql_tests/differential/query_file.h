// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

// Reading the hand-written query files: `;`-terminated statements with `--` and `/* */` comments.
namespace freshet::sql_tests::differential {

/// One statement of a query file.
struct QueryText {
  std::string sql;
  /// The line of the statement's first token, counted from 1.
  int line = 0;
};

/// Splits `text` at the semicolons that are outside string literals, quoted identifiers, dollar
/// quotes and comments. Statements are trimmed; empty ones (only comments) are dropped. A last
/// statement without a semicolon is kept.
std::vector<QueryText> SplitStatements(std::string_view text);

/// Returns true when `sql` has ORDER BY outside every parenthesis, so the order of its rows is
/// part of the answer (an ORDER BY inside an aggregate, a window or a subquery does not count).
bool HasTopLevelOrderBy(std::string_view sql);

/// Reads the whole file; std::nullopt if it cannot be read.
std::optional<std::string> ReadFile(const std::string& path);

/// Expands files and directories (searched recursively for *.sql, sorted) into a list of files.
/// Returns an error message for a path that does not exist.
std::optional<std::string> CollectQueryFiles(const std::vector<std::string>& paths,
                                             std::vector<std::string>& files);

}  // namespace freshet::sql_tests::differential
