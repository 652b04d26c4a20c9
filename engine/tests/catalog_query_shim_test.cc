// SPDX-License-Identifier: Apache-2.0
#include "engine/catalog_query_shim.h"

#include <gtest/gtest.h>

namespace freshet::engine {
namespace {

TEST(CatalogQueryShimTest, MatchesPsqlPolicyQueryWhateverTheWhitespaceAndOid) {
  const auto columns = MatchEmptyCatalogQuery(
      "SELECT pol.polname, pol.polpermissive,\n  CASE WHEN pol.polroles = '{0}' THEN NULL ELSE "
      "pg_catalog.array_to_string(array(select rolname from pg_catalog.pg_roles where oid = any "
      "(pol.polroles) order by 1),',') END,\n  pg_catalog.pg_get_expr(pol.polqual, "
      "pol.polrelid),\n  pg_catalog.pg_get_expr(pol.polwithcheck, pol.polrelid),\n  CASE "
      "pol.polcmd\n    WHEN 'r' THEN 'SELECT'\n    WHEN 'a' THEN 'INSERT'\n    WHEN 'w' THEN "
      "'UPDATE'\n    WHEN 'd' THEN 'DELETE'\n    END AS cmd\nFROM pg_catalog.pg_policy pol\nWHERE "
      "pol.polrelid = '16999' ORDER BY 1;");
  ASSERT_TRUE(columns.has_value());
  EXPECT_EQ(columns->size(), 6u);
  EXPECT_EQ((*columns)[5].name, "cmd");
  EXPECT_FALSE(MatchEmptyCatalogQuery("SELECT * FROM pg_policy").has_value());
}

TEST(CatalogQueryShimTest, RewritesArrayExpressionsToTheirValue) {
  const auto rewritten = RewriteCatalogQuery(
      "SELECT r.rolname,\n  ARRAY(SELECT b.rolname\n        FROM pg_catalog.pg_auth_members m\n  "
      "      JOIN pg_catalog.pg_roles b ON (m.roleid = b.oid)\n        WHERE m.member = r.oid) as "
      "memberof\nFROM pg_catalog.pg_roles r");
  ASSERT_TRUE(rewritten.has_value());
  EXPECT_EQ(*rewritten, "SELECT r.rolname,\n  '{}' as memberof\nFROM pg_catalog.pg_roles r");
  EXPECT_FALSE(RewriteCatalogQuery("SELECT ARRAY(SELECT 1) FROM pg_catalog.pg_class").has_value());
}

}  // namespace
}  // namespace freshet::engine
