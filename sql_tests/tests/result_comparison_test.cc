// SPDX-License-Identifier: Apache-2.0
#include "sql_tests/runner/result_comparison.h"

#include <gtest/gtest.h>

namespace freshet::sql_tests {
namespace {

Record QueryRecord(std::string types, SortMode sort_mode, std::vector<std::string> expected) {
  Record record;
  record.kind = RecordKind::kQuery;
  record.column_types = std::move(types);
  record.sort_mode = sort_mode;
  record.expected_lines = std::move(expected);
  return record;
}

TEST(ResultComparisonTest, NullAndEmptyStringHaveTheirOwnSpelling) {
  EXPECT_EQ(FormatValue(std::nullopt), "NULL");
  EXPECT_EQ(FormatValue(std::string()), "(empty)");
  EXPECT_EQ(FormatValue(std::string("2024-01-02 03:04:05")), "2024-01-02 03:04:05");
}

TEST(ResultComparisonTest, RowsJoinValuesWithSingleSpaces) {
  std::vector<ResultRow> rows = {{std::string("1"), std::nullopt, std::string("")},
                                 {std::string("10"), std::string("a b"), std::string("t")}};
  EXPECT_EQ(ActualLines(rows, SortMode::kNoSort),
            (std::vector<std::string>{"1 NULL (empty)", "10 a b t"}));
}

TEST(ResultComparisonTest, RowSortSortsWholeRowsAsStrings) {
  std::vector<ResultRow> rows = {{std::string("2"), std::string("b")},
                                 {std::string("10"), std::string("a")},
                                 {std::string("1"), std::string("z")}};
  EXPECT_EQ(ActualLines(rows, SortMode::kRowSort),
            (std::vector<std::string>{"1 z", "10 a", "2 b"}));
  EXPECT_EQ(ExpectedLines({"2 b", "1 z", "10 a"}, SortMode::kRowSort),
            (std::vector<std::string>{"1 z", "10 a", "2 b"}));
}

TEST(ResultComparisonTest, ValueSortSortsEveryValue) {
  std::vector<ResultRow> rows = {{std::string("3"), std::string("1")},
                                 {std::string("2"), std::nullopt}};
  EXPECT_EQ(ActualLines(rows, SortMode::kValueSort),
            (std::vector<std::string>{"1", "2", "3", "NULL"}));
  EXPECT_EQ(ExpectedLines({"3 1", "2", "NULL"}, SortMode::kValueSort),
            (std::vector<std::string>{"1", "2", "3", "NULL"}));
}

TEST(ResultComparisonTest, MatchingResult) {
  Record record = QueryRecord("IT", SortMode::kRowSort, {"2 y", "1 x"});
  std::vector<ResultRow> rows = {{std::string("1"), std::string("x")},
                                 {std::string("2"), std::string("y")}};
  EXPECT_EQ(CompareQueryResult(record, 2, rows), std::nullopt);
}

TEST(ResultComparisonTest, OrderMattersWithoutSortMode) {
  Record record = QueryRecord("I", SortMode::kNoSort, {"2", "1"});
  std::vector<ResultRow> rows = {{std::string("1")}, {std::string("2")}};
  std::optional<std::string> difference = CompareQueryResult(record, 1, rows);
  ASSERT_TRUE(difference.has_value());
  EXPECT_NE(difference->find("first difference at result line 1"), std::string::npos)
      << *difference;
}

TEST(ResultComparisonTest, ColumnCountMustMatchTheTypes) {
  Record record = QueryRecord("II", SortMode::kNoSort, {"1"});
  std::optional<std::string> difference = CompareQueryResult(record, 1, {{std::string("1")}});
  ASSERT_TRUE(difference.has_value());
  EXPECT_NE(difference->find("expected 2 column(s)"), std::string::npos) << *difference;
}

TEST(ResultComparisonTest, MissingRowsAreReported) {
  Record record = QueryRecord("I", SortMode::kNoSort, {"1", "2"});
  std::optional<std::string> difference = CompareQueryResult(record, 1, {{std::string("1")}});
  ASSERT_TRUE(difference.has_value());
  EXPECT_NE(difference->find("expected 2 line(s), got 1"), std::string::npos) << *difference;
  EXPECT_EQ(CompareQueryResult(QueryRecord("I", SortMode::kNoSort, {}), 1, {}), std::nullopt);
}

TEST(ResultComparisonTest, PrimaryMessageDropsSeverityAndContext) {
  EXPECT_EQ(PrimaryMessage("ERROR:  relation \"t\" does not exist\nLINE 1: SELECT * FROM t\n"),
            "relation \"t\" does not exist");
  EXPECT_EQ(PrimaryMessage("FATAL:  database \"x\" does not exist\n"),
            "database \"x\" does not exist");
  EXPECT_EQ(PrimaryMessage("plain text"), "plain text");
}

TEST(ResultComparisonTest, SqlStateMustMatchExactly) {
  ErrorExpectation expectation;
  expectation.pattern = "(ZZ001)";
  expectation.sqlstate = "ZZ001";
  EXPECT_EQ(CheckError(expectation, {"ZZ001", "ERROR:  whatever\n"}), std::nullopt);
  std::optional<std::string> mismatch = CheckError(expectation, {"ZZ002", "ERROR:  whatever\n"});
  ASSERT_TRUE(mismatch.has_value());
  EXPECT_NE(mismatch->find("expected SQLSTATE ZZ001, got ZZ002"), std::string::npos) << *mismatch;
}

TEST(ResultComparisonTest, RegexIsSearchedInTheMessage) {
  ErrorExpectation expectation;
  expectation.pattern = "out of range";
  EXPECT_EQ(CheckError(expectation, {"ZZ003", "ERROR:  integer out of range\n"}), std::nullopt);
  expectation.pattern = "^division";
  EXPECT_TRUE(CheckError(expectation, {"ZZ012", "ERROR:  integer out of range\n"}).has_value());
  expectation.pattern = "";
  EXPECT_EQ(CheckError(expectation, {"ZZ012", "ERROR:  anything\n"}), std::nullopt);
}

TEST(ResultComparisonTest, ExactMessageComparesThePrimaryMessage) {
  ErrorExpectation expectation;
  expectation.message = "division by zero";
  EXPECT_EQ(CheckError(expectation, {"ZZ012", "ERROR:  division by zero\n"}), std::nullopt);
  EXPECT_TRUE(CheckError(expectation, {"ZZ012", "ERROR:  division by zero!\n"}).has_value());
}

}  // namespace
}  // namespace freshet::sql_tests
