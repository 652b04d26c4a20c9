// SPDX-License-Identifier: Apache-2.0
#include "sql_tests/differential/stream_mode.h"

#include <set>

#include <gtest/gtest.h>

#include "sql_tests/differential/query_file.h"
#include "sql_tests/differential/stream_workload.h"

namespace freshet::sql_tests::differential {
namespace {

TEST(StreamModeTest, SameSeedGivesSameViewsAndWorkload) {
  std::vector<StreamView> first = PlanStreamViews(40, 42);
  std::vector<StreamView> second = PlanStreamViews(40, 42);
  std::vector<StreamView> other = PlanStreamViews(40, 43);
  ASSERT_EQ(first.size(), second.size());
  bool differs = false;
  for (size_t i = 0; i < first.size(); ++i) {
    EXPECT_EQ(first[i].freshet_sql, second[i].freshet_sql);
    EXPECT_EQ(first[i].postgres_sql, second[i].postgres_sql);
    differs = differs || i >= other.size() || first[i].freshet_sql != other[i].freshet_sql;
  }
  EXPECT_TRUE(differs);
  WorkloadGenerator a(42);
  WorkloadGenerator b(42);
  for (int round = 0; round < 10; ++round) {
    std::vector<DmlStatement> left = a.NextRound();
    std::vector<DmlStatement> right = b.NextRound();
    ASSERT_EQ(left.size(), right.size());
    for (size_t i = 0; i < left.size(); ++i) {
      EXPECT_EQ(left[i].sql, right[i].sql);
    }
  }
}

TEST(StreamModeTest, ViewsAreMaintainableShapes) {
  std::vector<StreamView> views = PlanStreamViews(500, 5);
  EXPECT_EQ(views.size(), 600u);
  std::set<std::string> categories;
  for (const StreamView& view : views) {
    categories.insert(view.generated.category);
    const std::string& sql = view.freshet_sql;
    // No subqueries (a view on a view reads the view by name), no string_agg.
    EXPECT_EQ(sql.find("(SELECT"), std::string::npos) << sql;
    EXPECT_EQ(sql.find("EXISTS"), std::string::npos) << sql;
    EXPECT_EQ(sql.find("string_agg"), std::string::npos) << sql;
    EXPECT_EQ(sql.find(kBaseViewPlaceholder), std::string::npos) << sql;
    EXPECT_EQ(view.postgres_sql.find(kBaseViewPlaceholder), std::string::npos);
    // ORDER BY only with LIMIT, and then the view is a top-N.
    EXPECT_EQ(HasTopLevelOrderBy(sql), view.generated.top_n) << sql;
    EXPECT_EQ(sql.find(" LIMIT ") != std::string::npos, view.generated.top_n) << sql;
    if (view.base >= 0) {
      const StreamView& base = views[static_cast<size_t>(view.base)];
      EXPECT_TRUE(base.generated.rows_determined);
      EXPECT_NE(sql.find(" " + base.name + " "), std::string::npos) << sql;
      EXPECT_NE(view.postgres_sql.find("(" + base.postgres_sql + ")"), std::string::npos);
    } else {
      EXPECT_EQ(view.freshet_sql, view.postgres_sql);
    }
  }
  for (const char* category :
       {"view:projection", "view:where", "view:aggregate", "view:group_by", "view:join",
        "view:join_aggregate", "view:union_all", "view:union", "view:distinct", "view:top_n",
        "view_on_view:where", "view_on_view:group_by", "view_on_view:aggregate"}) {
    EXPECT_EQ(categories.count(category), 1u) << category;
  }
}

TEST(StreamModeTest, WorkloadCoversEveryKindOfStatement) {
  WorkloadGenerator workload(7);
  std::set<std::string> seen;
  for (int round = 0; round < 50; ++round) {
    for (const DmlStatement& statement : workload.NextRound()) {
      const std::string& sql = statement.sql;
      seen.insert(sql.substr(0, sql.find(' ')) + " " + statement.table);
      if (sql.find("SET id = -id") != std::string::npos) {
        seen.insert("negated keys");
      }
      EXPECT_EQ(sql.find(";"), std::string::npos) << sql;
    }
  }
  for (const char* kind : {"INSERT people", "UPDATE people", "DELETE people", "INSERT orders",
                           "UPDATE orders", "DELETE orders", "INSERT events", "UPDATE events",
                           "DELETE events", "INSERT tiny", "negated keys"}) {
    EXPECT_EQ(seen.count(kind), 1u) << kind;
  }
}

TEST(StreamModeTest, CopiesATableAsLiterals) {
  const TableSpec* tiny = nullptr;
  for (const TableSpec& table : FixtureTables()) {
    if (table.name == "tiny") {
      tiny = &table;
    }
  }
  ASSERT_NE(tiny, nullptr);
  std::vector<Row> rows = {{std::string("1"), std::string("O'Brien")},
                           {std::nullopt, std::string("")}};
  std::vector<std::string> statements = CopyTableStatements(*tiny, rows);
  ASSERT_EQ(statements.size(), 2u);
  EXPECT_EQ(statements[0], "DELETE FROM tiny");
  EXPECT_EQ(statements[1], "INSERT INTO tiny VALUES (1, 'O''Brien'), (NULL, '')");
  EXPECT_EQ(CopyTableStatements(*tiny, {}).size(), 1u);
}

}  // namespace
}  // namespace freshet::sql_tests::differential
