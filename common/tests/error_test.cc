// SPDX-License-Identifier: Apache-2.0
#include "common/error.h"

#include <gtest/gtest.h>

namespace freshet {
namespace {

TEST(ErrorTest, CodesComeFromTheTable) {
  EXPECT_EQ(SqlStateCode(SqlState::kSyntaxError), "42601");
  EXPECT_EQ(SqlStateCode(SqlState::kUndefinedTable), "42P01");
  EXPECT_EQ(SqlStateCode(SqlState::kInternalError), "XX000");
  EXPECT_EQ(SqlStateName(SqlState::kUndefinedColumn), "undefined_column");
}

TEST(ErrorTest, SyntaxErrorIsWordedAsPostgres) {
  Error error = Error::Syntax("FROM", 8);
  EXPECT_EQ(error.Message(), "syntax error at or near \"FROM\"");
  EXPECT_EQ(error.Position(), 8);
  EXPECT_EQ(error.Code(), "42601");
  EXPECT_EQ(Error::Syntax("", 3).Message(), "syntax error at end of input");
}

TEST(ErrorTest, ResultCarriesValueOrError) {
  Result<int> good(5);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(good.value(), 5);
  Result<int> bad(Error::UndefinedTable("nope"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().Message(), "relation \"nope\" does not exist");
  EXPECT_THROW(std::move(bad).ValueOrThrow(), Error);
}

}  // namespace
}  // namespace freshet
