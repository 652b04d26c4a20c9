// SPDX-License-Identifier: Apache-2.0
#include "engine/system_catalog.h"

#include <gtest/gtest.h>

#include "engine/session_settings.h"

namespace freshet::engine {
namespace {

std::shared_ptr<const catalog::CatalogSnapshot> SnapshotWithTable() {
  auto relation = std::make_shared<catalog::Relation>();
  relation->id = 16384;
  relation->name = "orders";
  relation->columns = {{"id", DataType::Bigint(), true}, {"note", DataType::Varchar(20), false}};
  relation->primary_key = {0};
  std::map<catalog::ObjectId, std::shared_ptr<const catalog::Relation>> relations;
  relations[relation->id] = relation;
  return std::make_shared<const catalog::CatalogSnapshot>(1, std::move(relations));
}

// Row `row` of system table `table` as "a|b|c".
std::string RowText(const planner::SystemTable& table, size_t row) {
  std::string text;
  for (size_t column = 0; column < table.rows->NumColumns(); ++column) {
    text += (column > 0 ? "|" : "") + table.rows->GetColumn(column).GetValue(row).ToText();
  }
  return text;
}

TEST(SystemCatalogTest, ServesPgCatalogRelationsWithTheirOids) {
  SessionSettings settings("alice", "");
  SystemCatalog catalog(SnapshotWithTable(), "dev", "alice", &settings);
  auto pg_class = catalog.Find("", "pg_class");
  ASSERT_NE(pg_class, nullptr);
  EXPECT_EQ(pg_class->oid, 1259u);
  EXPECT_EQ(pg_class->schema, "pg_catalog");
  EXPECT_EQ(pg_class->columns[1].name, "relname");
  EXPECT_EQ(pg_class->columns[1].table_oid, 1259u);
  EXPECT_EQ(pg_class->columns[1].column_attnum, 2);
  EXPECT_EQ(catalog.Find("pg_catalog", "pg_class"), pg_class);
  EXPECT_EQ(catalog.Find("public", "pg_class"), nullptr);
  EXPECT_EQ(catalog.Find("", "tables"), nullptr);
  EXPECT_NE(catalog.Find("information_schema", "tables"), nullptr);
  auto namespaces = catalog.Find("pg_catalog", "pg_namespace");
  ASSERT_EQ(namespaces->rows->NumRows(), 4u);
  EXPECT_EQ(RowText(*namespaces, 1),
            "2200|public|6171|{pg_database_owner=UC/pg_database_owner,=U/pg_database_owner}");
}

TEST(SystemCatalogTest, ListsTheTableAndItsPrimaryKeyIndex) {
  SystemCatalog catalog(SnapshotWithTable(), "dev", "alice", nullptr);
  auto index = catalog.Find("", "pg_index");
  ASSERT_EQ(index->rows->NumRows(), 1u);
  EXPECT_EQ(index->rows->GetColumn(1).GetValue(0).ToText(), "16384");
  EXPECT_EQ(index->rows->GetColumn(15).GetValue(0).ToText(), "1");
  auto attributes = catalog.Find("", "pg_attribute");
  bool found_note = false;
  for (size_t row = 0; row < attributes->rows->NumRows(); ++row) {
    if (attributes->rows->GetColumn(1).GetValue(row).ToText() == "note") {
      found_note = true;
      // atttypid varchar, atttypmod 20 + 4 as Postgres stores it.
      EXPECT_EQ(attributes->rows->GetColumn(2).GetValue(row).ToText(), "1043");
      EXPECT_EQ(attributes->rows->GetColumn(8).GetValue(row).ToText(), "24");
    }
  }
  EXPECT_TRUE(found_note);
}

TEST(SystemCatalogTest, ResolvesAndPrintsRegTypes) {
  SessionSettings settings("alice", "");
  SystemCatalog catalog(SnapshotWithTable(), "dev", "alice", &settings);
  EXPECT_EQ(catalog.ParseObjectName(TypeId::kRegclass, "orders"), 16384u);
  EXPECT_EQ(catalog.ParseObjectName(TypeId::kRegclass, "public.\"orders\""), 16384u);
  EXPECT_EQ(catalog.ParseObjectName(TypeId::kRegclass, "pg_class"), 1259u);
  EXPECT_EQ(catalog.ParseObjectName(TypeId::kRegclass, " 42 "), 42u);
  EXPECT_THROW(catalog.ParseObjectName(TypeId::kRegclass, "Orders2"), Error);
  EXPECT_EQ(catalog.ParseObjectName(TypeId::kRegtype, "character varying(10)"), 1043u);
  EXPECT_EQ(catalog.ParseObjectName(TypeId::kRegtype, "int8[]"), 1016u);
  EXPECT_EQ(catalog.ParseObjectName(TypeId::kRegnamespace, "public"), 2200u);
  EXPECT_EQ(catalog.ParseObjectName(TypeId::kRegproc, "pg_catalog.array_in"), 750u);
  std::string out;
  catalog.AppendObjectName(TypeId::kRegclass, 16384, out);
  out += ' ';
  catalog.AppendObjectName(TypeId::kRegclass, 13425, out);
  out += ' ';
  catalog.AppendObjectName(TypeId::kRegtype, 1700, out);
  out += ' ';
  catalog.AppendObjectName(TypeId::kRegclass, 0, out);
  out += ' ';
  catalog.AppendObjectName(TypeId::kRegclass, 99999, out);
  EXPECT_EQ(out, "orders information_schema.tables numeric - 99999");
  // Off the search path a table is neither visible nor found unqualified.
  settings.Set("search_path", {"nowhere"}, false, false);
  SystemCatalog narrowed(SnapshotWithTable(), "dev", "alice", &settings);
  EXPECT_FALSE(narrowed.IsRelationVisible(16384));
  EXPECT_TRUE(narrowed.IsRelationVisible(1259));
  EXPECT_THROW(narrowed.ParseObjectName(TypeId::kRegclass, "orders"), Error);
  out.clear();
  narrowed.AppendObjectName(TypeId::kRegclass, 16384, out);
  EXPECT_EQ(out, "public.orders");
}

TEST(SystemCatalogTest, DescribesIndexesAndConstraints) {
  SystemCatalog catalog(SnapshotWithTable(), "dev", "alice", nullptr);
  const uint32_t index = system_oid::kIndexBase + 16384;
  EXPECT_EQ(catalog.IndexDefinition(index, 0, false),
            "CREATE UNIQUE INDEX orders_pkey ON public.orders USING btree (id)");
  EXPECT_EQ(catalog.IndexDefinition(index, 0, true),
            "CREATE UNIQUE INDEX orders_pkey ON orders USING btree (id)");
  EXPECT_EQ(catalog.IndexDefinition(index, 1, true), "id");
  EXPECT_EQ(catalog.IndexDefinition(16384, 0, true), std::nullopt);
  EXPECT_EQ(catalog.ConstraintDefinition(system_oid::kConstraintBase + 16384), "PRIMARY KEY (id)");
  EXPECT_EQ(catalog.RoleName(10), "alice");
  EXPECT_EQ(catalog.RoleName(7), "unknown (OID=7)");
}

}  // namespace
}  // namespace freshet::engine
