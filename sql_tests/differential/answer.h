// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

// The answers of both engines to one query and how they are compared.
namespace freshet::sql_tests::differential {

/// One value as the server sent it in text format; std::nullopt is NULL (distinct from "").
using Value = std::optional<std::string>;
/// One result row.
using Row = std::vector<Value>;

/// What a server answered to one query.
struct Answer {
  /// Rows (possibly none), an error from the server, or no answer at all.
  enum class Kind { kRows, kError, kConnectionLost, kTimeout };
  Kind kind = Kind::kRows;
  /// The error's SQLSTATE and primary message (kError), or what went wrong (otherwise).
  std::string sqlstate;
  std::string message;
  std::vector<std::string> column_names;
  /// Type OIDs of the columns, shown in reports (and compared with --compare-types).
  std::vector<uint32_t> column_types;
  std::vector<Row> rows;
  /// The row count of the command tag (INSERT 0 3, UPDATE 2, DELETE 1, SELECT 5).
  int64_t affected_rows = 0;
};

/// How Freshet's answer differs from PostgreSQL's; kNone when they agree.
enum class DifferenceKind {
  kNone,
  /// PostgreSQL answered, Freshet raised an error (often: not supported yet).
  kFreshetError,
  /// PostgreSQL raised an error, Freshet answered.
  kMissingError,
  /// Both raised errors, with different SQLSTATEs.
  kWrongSqlstate,
  /// Different number, names or types of columns.
  kWrongColumns,
  /// Different rows.
  kWrongRows,
  /// The same rows in an order the query's ORDER BY does not allow.
  kWrongOrder,
  /// Freshet closed the connection (crashed) or did not answer in time.
  kNoAnswer,
  /// PostgreSQL itself did not answer: the query is unusable as a test.
  kOracleFailure,
};

/// The outcome of comparing two answers.
struct Comparison {
  DifferenceKind kind = DifferenceKind::kNone;
  /// A short explanation of the first difference; empty when they agree.
  std::string explanation;
};

/// Compares Freshet's answer (`actual`) with PostgreSQL's (`expected`). Errors must have the
/// same SQLSTATE. Rows are compared as text, in order when `ordered` (the query has a top-level
/// ORDER BY) and as multisets otherwise. In ordered mode, rows may still trade places when their
/// values are equal and only spelled differently (0 and -0, 1.5 and 1.50), since ORDER BY
/// cannot tell them apart.
Comparison CompareAnswers(const Answer& expected,
                          const Answer& actual,
                          bool ordered,
                          bool compare_types);

/// Returns the name of a difference kind for reports ("freshet error", "wrong rows").
std::string DifferenceKindName(DifferenceKind kind);

/// Returns the answer as indented lines for a report: the columns with their types, then at
/// most `max_rows` rows, or the error.
std::string FormatAnswer(const Answer& answer, size_t max_rows);

/// Returns the name of a PostgreSQL type OID ("int4", "numeric"), or "oid N".
std::string TypeName(uint32_t oid);

}  // namespace freshet::sql_tests::differential
