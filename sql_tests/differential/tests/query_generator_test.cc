// SPDX-License-Identifier: Apache-2.0
#include "sql_tests/differential/query_generator.h"

#include <set>

#include <gtest/gtest.h>

#include "sql_tests/differential/query_file.h"

namespace freshet::sql_tests::differential {
namespace {

TEST(QueryGeneratorTest, SameSeedGivesSameQueries) {
  QueryGenerator first(FixtureTables(), 42);
  QueryGenerator second(FixtureTables(), 42);
  QueryGenerator other(FixtureTables(), 43);
  bool differs = false;
  for (int i = 0; i < 200; ++i) {
    GeneratedQuery query = first.Next();
    EXPECT_EQ(query.sql, second.Next().sql);
    differs = differs || query.sql != other.Next().sql;
  }
  EXPECT_TRUE(differs);
}

TEST(QueryGeneratorTest, CoversEveryShape) {
  QueryGenerator generator(FixtureTables(), 1);
  std::set<std::string> categories;
  for (int i = 0; i < 1000; ++i) {
    categories.insert(generator.Next().category);
  }
  EXPECT_EQ(categories,
            (std::set<std::string>{"random:aggregate", "random:derived", "random:distinct",
                                   "random:group_by", "random:join", "random:join_aggregate",
                                   "random:scalar", "random:set_operation", "random:subquery",
                                   "random:where"}));
}

TEST(QueryGeneratorTest, EveryLimitFollowsAnOrderBy) {
  QueryGenerator generator(FixtureTables(), 5);
  for (int i = 0; i < 2000; ++i) {
    GeneratedQuery query = generator.Next();
    if (query.sql.find(" LIMIT ") != std::string::npos) {
      EXPECT_TRUE(HasTopLevelOrderBy(query.sql)) << query.sql;
    }
  }
}

}  // namespace
}  // namespace freshet::sql_tests::differential
