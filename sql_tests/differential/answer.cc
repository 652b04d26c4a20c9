// SPDX-License-Identifier: Apache-2.0
#include "sql_tests/differential/answer.h"

#include <algorithm>
#include <string_view>

#include <fmt/format.h>

namespace freshet::sql_tests::differential {
namespace {

constexpr uint32_t kFloat4Oid = 700;
constexpr uint32_t kFloat8Oid = 701;
constexpr uint32_t kNumericOid = 1700;
constexpr size_t kMaxListedRows = 10;
/// PostgreSQL's query_canceled, which its statement_timeout raises: the oracle gave up.
constexpr std::string_view kOracleCanceled = "57014";

/// Orders NULL before every string, so rows sort into a canonical multiset order.
bool RowLess(const Row& left, const Row& right) {
  return std::lexicographical_compare(
      left.begin(), left.end(), right.begin(), right.end(),
      [](const Value& a, const Value& b) { return a < b; });  // nullopt sorts first
}

/// Returns the rows in the canonical multiset order.
std::vector<Row> Sorted(std::vector<Row> rows) {
  std::sort(rows.begin(), rows.end(), RowLess);
  return rows;
}

/// Shows a value for a report, quoting it when it could be mistaken for NULL or padding.
std::string ShowValue(const Value& value) {
  if (!value) {
    return "NULL";
  }
  const std::string& text = *value;
  bool plain = !text.empty() && text != "NULL" && text.front() != ' ' && text.back() != ' ' &&
               text.find_first_of("|\n\t'") == std::string::npos;
  if (plain) {
    return text;
  }
  std::string quoted = "'";
  for (char c : text) {
    quoted += c == '\n' ? std::string("\\n") : c == '\'' ? std::string("''") : std::string(1, c);
  }
  return quoted + "'";
}

/// Shows a row for a report, values separated by ` | `.
std::string ShowRow(const Row& row) {
  std::string line;
  for (size_t i = 0; i < row.size(); ++i) {
    line += (i == 0 ? "" : " | ") + ShowValue(row[i]);
  }
  return line.empty() ? "(no columns)" : line;
}

/// Spells a numeric value canonically: no trailing fraction zeros, no negative zero.
std::string CanonicalNumber(const std::string& text) {
  std::string result = text;
  if (result.find('.') != std::string::npos && result.find_first_of("eE") == std::string::npos) {
    while (result.back() == '0') {
      result.pop_back();
    }
    if (result.back() == '.') {
      result.pop_back();
    }
  }
  if (result == "-0") {
    result = "0";
  }
  return result;
}

/// Rows with float and numeric values spelled canonically, so that values that are equal for
/// ORDER BY compare equal here too.
std::vector<Row> Canonical(const std::vector<Row>& rows, const std::vector<uint32_t>& types) {
  std::vector<Row> result = rows;
  for (Row& row : result) {
    for (size_t i = 0; i < row.size() && i < types.size(); ++i) {
      bool numeric = types[i] == kFloat4Oid || types[i] == kFloat8Oid || types[i] == kNumericOid;
      if (numeric && row[i]) {
        *row[i] = CanonicalNumber(*row[i]);
      }
    }
  }
  return result;
}

/// Lists the rows one sorted multiset has and the other lacks (at most kMaxListedRows each).
std::string MultisetDifference(const std::vector<Row>& expected, const std::vector<Row>& actual) {
  std::vector<Row> missing;
  std::vector<Row> extra;
  std::set_difference(expected.begin(), expected.end(), actual.begin(), actual.end(),
                      std::back_inserter(missing), RowLess);
  std::set_difference(actual.begin(), actual.end(), expected.begin(), expected.end(),
                      std::back_inserter(extra), RowLess);
  std::string text;
  auto list = [&](const char* title, const std::vector<Row>& rows) {
    if (rows.empty()) {
      return;
    }
    text += fmt::format("\n    {} ({}):", title, rows.size());
    for (size_t i = 0; i < rows.size() && i < kMaxListedRows; ++i) {
      text += "\n      " + ShowRow(rows[i]);
    }
    if (rows.size() > kMaxListedRows) {
      text += "\n      ...";
    }
  };
  list("rows missing from Freshet's answer", missing);
  list("rows only in Freshet's answer", extra);
  return text;
}

}  // namespace

Comparison CompareAnswers(const Answer& expected,
                          const Answer& actual,
                          bool ordered,
                          bool compare_types) {
  using Kind = Answer::Kind;
  if (expected.kind == Kind::kConnectionLost || expected.kind == Kind::kTimeout) {
    return {DifferenceKind::kOracleFailure,
            fmt::format("PostgreSQL gave no answer: {}", expected.message)};
  }
  if (actual.kind == Kind::kConnectionLost || actual.kind == Kind::kTimeout) {
    return {DifferenceKind::kNoAnswer, fmt::format("Freshet gave no answer: {}", actual.message)};
  }
  if (expected.kind == Kind::kError) {
    if (expected.sqlstate == kOracleCanceled) {
      return {DifferenceKind::kOracleFailure, "PostgreSQL timed out on the query"};
    }
    if (actual.kind != Kind::kError) {
      return {DifferenceKind::kMissingError,
              fmt::format("PostgreSQL raised {} but Freshet answered", expected.sqlstate)};
    }
    if (actual.sqlstate != expected.sqlstate) {
      return {DifferenceKind::kWrongSqlstate, fmt::format("SQLSTATE {} expected, Freshet raised {}",
                                                          expected.sqlstate, actual.sqlstate)};
    }
    return {};
  }
  if (actual.kind == Kind::kError) {
    return {DifferenceKind::kFreshetError,
            fmt::format("Freshet raised {}: {}", actual.sqlstate, actual.message)};
  }
  if (expected.column_names.size() != actual.column_names.size()) {
    return {DifferenceKind::kWrongColumns,
            fmt::format("{} column(s) expected, Freshet sent {}", expected.column_names.size(),
                        actual.column_names.size())};
  }
  for (size_t i = 0; i < expected.column_names.size(); ++i) {
    if (expected.column_names[i] != actual.column_names[i]) {
      return {DifferenceKind::kWrongColumns,
              fmt::format("column {} is named \"{}\", Freshet named it \"{}\"", i + 1,
                          expected.column_names[i], actual.column_names[i])};
    }
    if (compare_types && i < expected.column_types.size() && i < actual.column_types.size() &&
        expected.column_types[i] != actual.column_types[i]) {
      return {DifferenceKind::kWrongColumns,
              fmt::format("column {} has type {}, Freshet sent {}", i + 1,
                          TypeName(expected.column_types[i]), TypeName(actual.column_types[i]))};
    }
  }
  if (ordered && expected.rows == actual.rows) {
    return {};
  }
  std::vector<Row> expected_sorted = Sorted(expected.rows);
  std::vector<Row> actual_sorted = Sorted(actual.rows);
  if (expected_sorted != actual_sorted) {
    std::string summary =
        expected.rows.size() == actual.rows.size()
            ? fmt::format("{} row(s) on both sides, with different values", expected.rows.size())
            : fmt::format("{} row(s) expected, Freshet sent {}", expected.rows.size(),
                          actual.rows.size());
    return {DifferenceKind::kWrongRows,
            summary + MultisetDifference(expected_sorted, actual_sorted)};
  }
  if (!ordered) {
    return {};
  }
  if (Canonical(expected.rows, expected.column_types) ==
      Canonical(actual.rows, expected.column_types)) {
    return {};  // only equal values spelled differently traded places
  }
  for (size_t i = 0; i < expected.rows.size(); ++i) {
    if (expected.rows[i] != actual.rows[i]) {
      return {DifferenceKind::kWrongOrder,
              fmt::format("the same rows in another order; row {} differs first", i + 1)};
    }
  }
  return {DifferenceKind::kWrongOrder, "the same rows in another order"};
}

std::string DifferenceKindName(DifferenceKind kind) {
  switch (kind) {
    case DifferenceKind::kNone:
      return "none";
    case DifferenceKind::kFreshetError:
      return "freshet error";
    case DifferenceKind::kMissingError:
      return "missing error";
    case DifferenceKind::kWrongSqlstate:
      return "wrong sqlstate";
    case DifferenceKind::kWrongColumns:
      return "wrong columns";
    case DifferenceKind::kWrongRows:
      return "wrong rows";
    case DifferenceKind::kWrongOrder:
      return "wrong order";
    case DifferenceKind::kNoAnswer:
      return "no answer";
    case DifferenceKind::kOracleFailure:
      return "oracle failure";
  }
  return "unknown";
}

std::string FormatAnswer(const Answer& answer, size_t max_rows) {
  switch (answer.kind) {
    case Answer::Kind::kError:
      return fmt::format("    ERROR [{}] {}\n", answer.sqlstate, answer.message);
    case Answer::Kind::kConnectionLost:
      return fmt::format("    connection lost: {}\n", answer.message);
    case Answer::Kind::kTimeout:
      return fmt::format("    timed out: {}\n", answer.message);
    case Answer::Kind::kRows:
      break;
  }
  std::string text = "    columns: ";
  for (size_t i = 0; i < answer.column_names.size(); ++i) {
    std::string type = i < answer.column_types.size() ? TypeName(answer.column_types[i]) : "?";
    text += fmt::format("{}{} {}", i == 0 ? "" : ", ", answer.column_names[i], type);
  }
  text += fmt::format("  ({} row(s))\n", answer.rows.size());
  for (size_t i = 0; i < answer.rows.size() && i < max_rows; ++i) {
    text += "      " + ShowRow(answer.rows[i]) + "\n";
  }
  if (answer.rows.size() > max_rows) {
    text += fmt::format("      ... {} more\n", answer.rows.size() - max_rows);
  }
  return text;
}

std::string TypeName(uint32_t oid) {
  switch (oid) {
    case 16:
      return "bool";
    case 17:
      return "bytea";
    case 18:
      return "char";
    case 19:
      return "name";
    case 20:
      return "int8";
    case 21:
      return "int2";
    case 23:
      return "int4";
    case 25:
      return "text";
    case 26:
      return "oid";
    case 114:
      return "json";
    case 700:
      return "float4";
    case 701:
      return "float8";
    case 705:
      return "unknown";
    case 1042:
      return "bpchar";
    case 1043:
      return "varchar";
    case 1082:
      return "date";
    case 1083:
      return "time";
    case 1114:
      return "timestamp";
    case 1184:
      return "timestamptz";
    case 1186:
      return "interval";
    case 1700:
      return "numeric";
    case 2950:
      return "uuid";
    case 3802:
      return "jsonb";
    default:
      return fmt::format("oid {}", oid);
  }
}

}  // namespace freshet::sql_tests::differential
