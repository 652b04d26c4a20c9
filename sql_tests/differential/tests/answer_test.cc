// SPDX-License-Identifier: Apache-2.0
#include "sql_tests/differential/answer.h"

#include <gtest/gtest.h>

namespace freshet::sql_tests::differential {
namespace {

constexpr uint32_t kInt4 = 23;
constexpr uint32_t kFloat8 = 701;
constexpr uint32_t kNumeric = 1700;

Answer Rows(std::vector<Row> rows, std::vector<uint32_t> types = {kInt4}) {
  Answer answer;
  for (size_t i = 0; i < types.size(); ++i) {
    answer.column_names.push_back("c" + std::to_string(i + 1));
  }
  answer.column_types = std::move(types);
  answer.rows = std::move(rows);
  return answer;
}

Answer Error(std::string sqlstate) {
  Answer answer;
  answer.kind = Answer::Kind::kError;
  answer.sqlstate = std::move(sqlstate);
  answer.message = "boom";
  return answer;
}

TEST(CompareAnswersTest, UnorderedAnswersCompareAsMultisets) {
  Answer expected = Rows({{"1"}, {"2"}, {"2"}});
  EXPECT_EQ(CompareAnswers(expected, Rows({{"2"}, {"1"}, {"2"}}), false, false).kind,
            DifferenceKind::kNone);
  EXPECT_EQ(CompareAnswers(expected, Rows({{"2"}, {"1"}, {"1"}}), false, false).kind,
            DifferenceKind::kWrongRows);
}

TEST(CompareAnswersTest, NullDiffersFromEmptyString) {
  EXPECT_EQ(CompareAnswers(Rows({{std::nullopt}}), Rows({{""}}), false, false).kind,
            DifferenceKind::kWrongRows);
}

TEST(CompareAnswersTest, OrderedAnswersMustKeepTheOrder) {
  Answer expected = Rows({{"1"}, {"2"}});
  EXPECT_EQ(CompareAnswers(expected, Rows({{"1"}, {"2"}}), true, false).kind,
            DifferenceKind::kNone);
  EXPECT_EQ(CompareAnswers(expected, Rows({{"2"}, {"1"}}), true, false).kind,
            DifferenceKind::kWrongOrder);
}

TEST(CompareAnswersTest, EqualValuesSpelledDifferentlyMayTradePlaces) {
  // ORDER BY cannot tell 0 from -0 or 1.5 from 1.50; either order is right.
  Answer expected = Rows({{"0"}, {"-0"}}, {kFloat8});
  EXPECT_EQ(CompareAnswers(expected, Rows({{"-0"}, {"0"}}, {kFloat8}), true, false).kind,
            DifferenceKind::kNone);
  Answer numeric = Rows({{"1.5"}, {"1.50"}, {"2"}}, {kNumeric});
  EXPECT_EQ(CompareAnswers(numeric, Rows({{"1.50"}, {"1.5"}, {"2"}}, {kNumeric}), true, false).kind,
            DifferenceKind::kNone);
  EXPECT_EQ(CompareAnswers(numeric, Rows({{"2"}, {"1.5"}, {"1.50"}}, {kNumeric}), true, false).kind,
            DifferenceKind::kWrongOrder);
}

TEST(CompareAnswersTest, ColumnsMustMatchInNumberAndName) {
  Answer expected = Rows({{"1"}});
  Answer renamed = expected;
  renamed.column_names[0] = "other";
  EXPECT_EQ(CompareAnswers(expected, renamed, false, false).kind, DifferenceKind::kWrongColumns);
  Answer typed = expected;
  typed.column_types[0] = 20;
  EXPECT_EQ(CompareAnswers(expected, typed, false, false).kind, DifferenceKind::kNone);
  EXPECT_EQ(CompareAnswers(expected, typed, false, true).kind, DifferenceKind::kWrongColumns);
}

TEST(CompareAnswersTest, ErrorsMustCarryTheSameSqlstate) {
  EXPECT_EQ(CompareAnswers(Error("22012"), Error("22012"), false, false).kind,
            DifferenceKind::kNone);
  EXPECT_EQ(CompareAnswers(Error("22012"), Error("22003"), false, false).kind,
            DifferenceKind::kWrongSqlstate);
  EXPECT_EQ(CompareAnswers(Error("22012"), Rows({}), false, false).kind,
            DifferenceKind::kMissingError);
  EXPECT_EQ(CompareAnswers(Rows({}), Error("0A000"), false, false).kind,
            DifferenceKind::kFreshetError);
}

TEST(CompareAnswersTest, NoAnswerIsAFailureOfItsOwn) {
  Answer lost;
  lost.kind = Answer::Kind::kConnectionLost;
  EXPECT_EQ(CompareAnswers(Rows({}), lost, false, false).kind, DifferenceKind::kNoAnswer);
  EXPECT_EQ(CompareAnswers(lost, Rows({}), false, false).kind, DifferenceKind::kOracleFailure);
}

}  // namespace
}  // namespace freshet::sql_tests::differential
