// SPDX-License-Identifier: Apache-2.0
#include "sql_tests/differential/fixture.h"

#include <gtest/gtest.h>

namespace freshet::sql_tests::differential {
namespace {

TEST(FixtureTest, FormatsValuesAsPostgresPrintsThem) {
  EXPECT_EQ(FormatDate(0), "1970-01-01");
  EXPECT_EQ(FormatDate(DaysFromCivil(2024, 2, 29)), "2024-02-29");
  EXPECT_EQ(FormatDate(DaysFromCivil(1940, 12, 31)), "1940-12-31");
  EXPECT_EQ(FormatTimestamp(DaysFromCivil(2024, 1, 2) * 86400 + 3723, 0), "2024-01-02 01:02:03");
  EXPECT_EQ(FormatTimestamp(-1, 500000), "1969-12-31 23:59:59.5");
  EXPECT_EQ(FormatEighths(-13), "-1.625");
  EXPECT_EQ(FormatEighths(16), "2");
  EXPECT_EQ(FormatCents(-5), "-0.05");
  EXPECT_EQ(FormatCents(123456), "1234.56");
  EXPECT_EQ(QuoteLiteral("O'Brien"), "'O''Brien'");
}

TEST(FixtureTest, SameSeedGivesSameStatements) {
  EXPECT_EQ(FixtureStatements(7, false), FixtureStatements(7, false));
  EXPECT_NE(FixtureStatements(7, false), FixtureStatements(8, false));
  EXPECT_EQ(FixtureStatements(7, false).size(), FixtureStatements(7, true).size());
}

TEST(FixtureTest, HasAnEmptyTableAndKeyedAndUnkeyedOnes) {
  bool keyed = false;
  bool unkeyed = false;
  bool empty = false;
  for (const TableSpec& table : FixtureTables()) {
    bool has_key = false;
    for (const ColumnSpec& column : table.columns) {
      has_key = has_key || column.primary_key;
    }
    keyed = keyed || has_key;
    unkeyed = unkeyed || !has_key;
    empty = empty || (table.row_count == 0 && table.fixed_rows.empty());
  }
  EXPECT_TRUE(keyed);
  EXPECT_TRUE(unkeyed);
  EXPECT_TRUE(empty);
}

}  // namespace
}  // namespace freshet::sql_tests::differential
