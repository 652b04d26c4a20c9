// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sql_tests/runner/slt_parser.h"

// Turning what the server answered into the text an .slt file expects, and checking errors against
// a record's pattern. No I/O: the runner feeds it values it read through libpq.
namespace freshet::sql_tests {

/// One row of a query result: each value as the server sent it in text format, std::nullopt for
/// NULL.
using ResultRow = std::vector<std::optional<std::string>>;

/// Renders one value as .slt files write it: `NULL` for SQL NULL, `(empty)` for the empty string.
std::string FormatValue(const std::optional<std::string>& value);

/// Returns the lines to compare for a query's rows: one line per row with values separated by
/// single spaces (rows sorted as strings for rowsort), or one value per line, sorted, for
/// valuesort.
std::vector<std::string> ActualLines(const std::vector<ResultRow>& rows, SortMode sort_mode);

/// Returns the expected lines of a record brought to the same shape as ActualLines: sorted for
/// rowsort; split on whitespace into single values and sorted for valuesort.
std::vector<std::string> ExpectedLines(const std::vector<std::string>& lines, SortMode sort_mode);

/// Where two different line lists first differ, for a mismatch message: " (first difference at
/// <position_noun> N)", or " (expected N <count_noun>(s), got M)" when one is a prefix of the
/// other.
std::string FirstDifference(const std::vector<std::string>& expected,
                            const std::vector<std::string>& actual,
                            std::string_view position_noun,
                            std::string_view count_noun);

/// Compares a query result with a record's expectation; returns a description of the difference, or
/// std::nullopt when they match. `num_columns` is the number of columns in the result.
std::optional<std::string> CompareQueryResult(const Record& record,
                                              size_t num_columns,
                                              const std::vector<ResultRow>& rows);

/// The parts of an error response the runner checks.
struct ServerError {
  /// The SQLSTATE, or just its class when `class_only`.
  std::string sqlstate;
  /// The whole text libpq reports, e.g. "ERROR:  relation \"t\" does not exist\nLINE 1: ...".
  std::string text;
  /// libpqxx turns a class 08 (connection exception) error into broken_connection without its
  /// SQLSTATE, even when the connection stays open (a CREATE SOURCE that cannot reach Kafka): then
  /// only the class "08" is known, and an expected SQLSTATE matches on its class.
  bool class_only = false;
};

/// Returns the primary message of an error text: its first line without the "ERROR:  " severity
/// prefix.
std::string PrimaryMessage(std::string_view text);

/// Checks an error against a record's expectation; returns why it does not match, or std::nullopt.
std::optional<std::string> CheckError(const ErrorExpectation& expectation,
                                      const ServerError& error);

}  // namespace freshet::sql_tests
