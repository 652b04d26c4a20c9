// SPDX-License-Identifier: Apache-2.0
#include "sql_tests/runner/result_comparison.h"

#include <algorithm>
#include <cctype>
#include <regex>

#include <fmt/format.h>

namespace freshet::sql_tests {
namespace {

std::string TrimRight(std::string text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.pop_back();
  }
  return text;
}

std::string Indented(const std::vector<std::string>& lines) {
  if (lines.empty()) {
    return "    (no rows)\n";
  }
  std::string text;
  for (const std::string& line : lines) {
    text += "    ";
    text += line;
    text += '\n';
  }
  return text;
}

}  // namespace

std::string FormatValue(const std::optional<std::string>& value) {
  if (!value) {
    return "NULL";
  }
  if (value->empty()) {
    return "(empty)";
  }
  return *value;
}

std::vector<std::string> ActualLines(const std::vector<ResultRow>& rows, SortMode sort_mode) {
  std::vector<std::string> lines;
  if (sort_mode == SortMode::kValueSort) {
    for (const ResultRow& row : rows) {
      for (const std::optional<std::string>& value : row) {
        lines.push_back(TrimRight(FormatValue(value)));
      }
    }
    std::sort(lines.begin(), lines.end());
    return lines;
  }
  lines.reserve(rows.size());
  for (const ResultRow& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      if (i > 0) {
        line += ' ';
      }
      line += FormatValue(row[i]);
    }
    lines.push_back(TrimRight(std::move(line)));
  }
  if (sort_mode == SortMode::kRowSort) {
    std::sort(lines.begin(), lines.end());
  }
  return lines;
}

std::vector<std::string> ExpectedLines(const std::vector<std::string>& lines, SortMode sort_mode) {
  std::vector<std::string> result;
  if (sort_mode == SortMode::kValueSort) {
    for (const std::string& line : lines) {
      size_t i = 0;
      while (i < line.size()) {
        while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) {
          ++i;
        }
        size_t start = i;
        while (i < line.size() && !std::isspace(static_cast<unsigned char>(line[i]))) {
          ++i;
        }
        if (i > start) {
          result.push_back(line.substr(start, i - start));
        }
      }
    }
    std::sort(result.begin(), result.end());
    return result;
  }
  result.reserve(lines.size());
  for (const std::string& line : lines) {
    result.push_back(TrimRight(line));
  }
  if (sort_mode == SortMode::kRowSort) {
    std::sort(result.begin(), result.end());
  }
  return result;
}

std::optional<std::string> CompareQueryResult(const Record& record,
                                              size_t num_columns,
                                              const std::vector<ResultRow>& rows) {
  std::vector<std::string> actual = ActualLines(rows, record.sort_mode);
  if (num_columns != record.column_types.size()) {
    return fmt::format("expected {} column(s) (types '{}'), got {}\n  actual:\n{}",
                       record.column_types.size(), record.column_types, num_columns,
                       Indented(actual));
  }
  std::vector<std::string> expected = ExpectedLines(record.expected_lines, record.sort_mode);
  if (actual == expected) {
    return std::nullopt;
  }
  return fmt::format("query result mismatch{}\n  expected:\n{}  actual:\n{}",
                     FirstDifference(expected, actual, "result line", "line"), Indented(expected),
                     Indented(actual));
}

std::string FirstDifference(const std::vector<std::string>& expected,
                            const std::vector<std::string>& actual,
                            std::string_view position_noun,
                            std::string_view count_noun) {
  const size_t common = std::min(actual.size(), expected.size());
  for (size_t i = 0; i < common; ++i) {
    if (actual[i] != expected[i]) {
      return fmt::format(" (first difference at {} {})", position_noun, i + 1);
    }
  }
  return fmt::format(" (expected {} {}(s), got {})", expected.size(), count_noun, actual.size());
}

std::string PrimaryMessage(std::string_view text) {
  std::string_view first = text.substr(0, text.find('\n'));
  for (std::string_view severity : {"ERROR:", "FATAL:", "PANIC:"}) {
    if (first.substr(0, severity.size()) == severity) {
      first.remove_prefix(severity.size());
      while (!first.empty() && first.front() == ' ') {
        first.remove_prefix(1);
      }
      break;
    }
  }
  return TrimRight(std::string(first));
}

std::optional<std::string> CheckError(const ErrorExpectation& expectation,
                                      const ServerError& error) {
  std::string message = PrimaryMessage(error.text);
  const bool same_state =
      expectation.sqlstate && (error.class_only ? expectation.sqlstate->starts_with(error.sqlstate)
                                                : *expectation.sqlstate == error.sqlstate);
  if (expectation.sqlstate && !same_state) {
    return fmt::format("expected SQLSTATE {}, got {}: {}", *expectation.sqlstate, error.sqlstate,
                       message);
  }
  if (!expectation.sqlstate && !expectation.pattern.empty()) {
    std::regex pattern(expectation.pattern);
    if (!std::regex_search(error.text, pattern)) {
      return fmt::format("error does not match /{}/: [{}] {}", expectation.pattern, error.sqlstate,
                         message);
    }
  }
  if (expectation.message && *expectation.message != message) {
    return fmt::format("error message differs\n  expected:\n    {}\n  actual:\n    [{}] {}\n",
                       *expectation.message, error.sqlstate, message);
  }
  return std::nullopt;
}

}  // namespace freshet::sql_tests
