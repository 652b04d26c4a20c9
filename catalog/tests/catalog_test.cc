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

TEST(CatalogTest, KafkaSourceFormatRoundTripsAndVersion2StillReads) {
  Relation relation = MakeTable();
  relation.kind = RelationKind::kSource;
  relation.options = {{"connector", "kafka"}, {"topic", "bids"}};
  relation.format = "plain";
  relation.encode = "csv";
  relation.encode_options = {{"delimiter", "|"}};
  relation.included_columns = {{"offset", 0}};
  std::string bytes = SerializeRelation(relation);
  Relation decoded = DeserializeRelation(bytes);
  EXPECT_EQ(decoded.options, relation.options);
  EXPECT_EQ(decoded.format, "plain");
  EXPECT_EQ(decoded.encode, "csv");
  EXPECT_EQ(decoded.encode_options, relation.encode_options);
  EXPECT_EQ(decoded.included_columns, relation.included_columns);

  // A version 2 entry (written before sources had a format) is the same bytes up to the
  // dependencies, without what follows.
  Relation old = MakeTable();
  std::string old_bytes = SerializeRelation(old);
  old_bytes[0] = 2;
  old_bytes.resize(old_bytes.size() - 4 - 4 - 4 - 4);
  Relation read = DeserializeRelation(old_bytes);
  EXPECT_EQ(read.name, "t");
  EXPECT_TRUE(read.format.empty());
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
