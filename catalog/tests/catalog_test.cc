// SPDX-License-Identifier: Apache-2.0
#include "catalog/catalog.h"

#include <gtest/gtest.h>

#include "common/error.h"

namespace freshet::catalog {
namespace {

Relation MakeTable() {
  Relation relation;
  relation.id = kFirstUserObjectId;
  relation.name = "t";
  relation.columns = {{"id", DataType::Bigint(), true}, {"name", DataType::Varchar(20), false}};
  relation.primary_key = {0};
  relation.definition = "CREATE TABLE t (id BIGINT PRIMARY KEY, name VARCHAR(20))";
  return relation;
}

TEST(CatalogTest, RelationRoundTripsThroughBytes) {
  Relation relation = MakeTable();
  Relation decoded = DeserializeRelation(SerializeRelation(relation));
  EXPECT_EQ(decoded.id, relation.id);
  EXPECT_EQ(decoded.name, "t");
  ASSERT_EQ(decoded.columns.size(), 2u);
  EXPECT_EQ(decoded.columns[1].type, DataType::Varchar(20));
  EXPECT_TRUE(decoded.columns[0].not_null);
  EXPECT_EQ(decoded.primary_key, std::vector<uint32_t>{0});
  EXPECT_EQ(decoded.definition, relation.definition);
}

TEST(CatalogTest, TruncatedBytesAreReportedAsCorruption) {
  std::string bytes = SerializeRelation(MakeTable());
  bytes.resize(bytes.size() / 2);
  try {
    DeserializeRelation(bytes);
    FAIL();
  } catch (const Error& error) {
    EXPECT_EQ(error.State(), SqlState::kDataCorrupted);
  }
}

TEST(CatalogTest, SnapshotsAreImmutable) {
  Catalog catalog;
  auto before = catalog.Snapshot();
  catalog.Put(std::make_shared<const Relation>(MakeTable()));
  auto after = catalog.Snapshot();
  EXPECT_EQ(before->FindRelation("t"), nullptr);
  ASSERT_NE(after->FindRelation("t"), nullptr);
  EXPECT_EQ(after->FindRelation(kFirstUserObjectId)->name, "t");
  catalog.Remove(kFirstUserObjectId);
  EXPECT_NE(after->FindRelation("t"), nullptr);
  EXPECT_EQ(catalog.Snapshot()->FindRelation("t"), nullptr);
}

}  // namespace
}  // namespace freshet::catalog
