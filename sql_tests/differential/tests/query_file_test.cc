// SPDX-License-Identifier: Apache-2.0
#include "sql_tests/differential/query_file.h"

#include <gtest/gtest.h>

namespace freshet::sql_tests::differential {
namespace {

TEST(SplitStatementsTest, SplitsAtSemicolonsOutsideLiteralsAndComments) {
  std::vector<QueryText> statements = SplitStatements(
      "-- header; comment\n"
      "SELECT 'a;b', \"x;y\" FROM t;\n"
      "/* block; /* nested; */ still; */ SELECT 2;\n"
      "SELECT $$dollar;quoted$$, $tag$;$tag$;\n"
      "SELECT E'it\\'s;';\n"
      "SELECT 'it''s;'");
  ASSERT_EQ(statements.size(), 5u);
  EXPECT_EQ(statements[0].sql, "SELECT 'a;b', \"x;y\" FROM t");
  EXPECT_EQ(statements[0].line, 2);
  EXPECT_EQ(statements[1].sql, "SELECT 2");
  EXPECT_EQ(statements[1].line, 3);
  EXPECT_EQ(statements[2].sql, "SELECT $$dollar;quoted$$, $tag$;$tag$");
  EXPECT_EQ(statements[3].sql, "SELECT E'it\\'s;'");
  EXPECT_EQ(statements[4].sql, "SELECT 'it''s;'");
  EXPECT_EQ(statements[4].line, 6);
}

TEST(SplitStatementsTest, DropsStatementsThatAreOnlyComments) {
  EXPECT_EQ(SplitStatements("-- nothing here;\n  ;\n/* nor here */;").size(), 0u);
  EXPECT_EQ(SplitStatements("-- only a comment\n").size(), 0u);
}

TEST(HasTopLevelOrderByTest, CountsOnlyOrderByOutsideParentheses) {
  EXPECT_TRUE(HasTopLevelOrderBy("SELECT a FROM t ORDER BY a"));
  EXPECT_TRUE(HasTopLevelOrderBy("select a from t order\n  by 1 limit 3"));
  EXPECT_TRUE(HasTopLevelOrderBy("SELECT 1 UNION SELECT 2 ORDER BY 1"));
  EXPECT_FALSE(HasTopLevelOrderBy("SELECT string_agg(a, ',' ORDER BY a) FROM t"));
  EXPECT_FALSE(HasTopLevelOrderBy("SELECT * FROM (SELECT a FROM t ORDER BY a) s"));
  EXPECT_FALSE(HasTopLevelOrderBy("SELECT 'ORDER BY' FROM t"));
  EXPECT_FALSE(HasTopLevelOrderBy("SELECT a AS \"order\" FROM t -- ORDER BY a"));
  EXPECT_FALSE(HasTopLevelOrderBy("SELECT border, by FROM t"));
}

}  // namespace
}  // namespace freshet::sql_tests::differential
