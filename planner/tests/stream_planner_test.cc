// SPDX-License-Identifier: Apache-2.0
#include "planner/stream_planner.h"

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "parser/parser.h"
#include "planner/binder.h"

namespace freshet::planner {
namespace {

// bids (auction, bidder, price, date_time, extra), a source with a watermark on date_time; its
// stream plan adds a hidden _row_id ($5) as the stream key.
std::shared_ptr<const catalog::CatalogSnapshot> MakeCatalog() {
  auto bids = std::make_shared<catalog::Relation>();
  bids->id = catalog::kFirstUserObjectId;
  bids->kind = catalog::RelationKind::kSource;
  bids->name = "bids";
  bids->columns = {{"auction", DataType::Bigint(), false},
                   {"bidder", DataType::Text(), false},
                   {"price", DataType::Bigint(), false},
                   {"date_time", DataType::Timestamp(), false},
                   {"extra", DataType::Text(), false}};
  bids->watermark = catalog::WatermarkSpec{3, 4'000'000, 0};
  std::map<catalog::ObjectId, std::shared_ptr<const catalog::Relation>> relations;
  relations[bids->id] = bids;
  return std::make_shared<const catalog::CatalogSnapshot>(1, std::move(relations));
}

class StreamPlannerTest : public ::testing::Test {
 protected:
  /// The EXPLAIN text of the view `sql` (a SELECT) would get.
  std::string Explain(std::string_view sql) {
    std::vector<ast::StatementPtr> statements = parser::Parse(sql);
    EXPECT_EQ(statements.size(), 1u);
    const auto& select = static_cast<const ast::SelectStatement&>(*statements[0]);
    Binder binder(catalog_, context_);
    plan::BatchNodePtr query = binder.BindQuery(*select.select);
    MaterializedViewPlan plan =
        PlanMaterializedView(*query, *catalog_, catalog::kFirstUserObjectId + 1, false, 2);
    return plan.plan->ToString();
  }

  /// The lines of `text` from the first one containing `from`, without their indentation.
  static std::vector<std::string> LinesFrom(const std::string& text, std::string_view from) {
    std::vector<std::string> lines;
    size_t begin = 0;
    bool found = false;
    while (begin < text.size()) {
      size_t end = text.find('\n', begin);
      if (end == std::string::npos) {
        end = text.size();
      }
      std::string line = text.substr(begin, end - begin);
      line.erase(0, line.find_first_not_of(' '));
      found = found || line.find(from) != std::string::npos;
      if (found) {
        lines.push_back(line);
      }
      begin = end + 1;
    }
    return lines;
  }

  std::shared_ptr<const catalog::CatalogSnapshot> catalog_ = MakeCatalog();
  function::EvaluationContext context_;
};

TEST_F(StreamPlannerTest, HopReceivesOnlyTheColumnsReadAboveIt) {
  const std::string plan = Explain(
      "SELECT auction, count(*) AS n, window_start FROM HOP(bids, date_time, INTERVAL '2' SECOND, "
      "INTERVAL '10' SECOND) GROUP BY window_start, auction");
  // auction, date_time (the time) and _row_id (the key) reach the window; the window columns
  // follow them ($3, $4), and the projection above reads them there.
  EXPECT_EQ(LinesFrom(plan, "StreamHop"),
            (std::vector<std::string>{
                "StreamHop time=$1 slide=2s size=10s { key: [$2, $3], append-only, watermark: $1 "
                "$3 $4 }",
                "StreamProject $0, $3, $5 { key: [$2], append-only, watermark: $1 }",
                "StreamSource bids watermark $3 - 4s { key: [$5], append-only, watermark: $3, "
                "state table: 8 }"}))
      << plan;
  EXPECT_NE(plan.find("StreamProject $3, $0, $2 {"), std::string::npos) << plan;
}

TEST_F(StreamPlannerTest, TumbleUnderAFilterKeepsTheFilteredColumns) {
  const std::string plan = Explain(
      "SELECT window_end, max(price) AS m FROM TUMBLE(bids, date_time, INTERVAL '10' SECOND) "
      "WHERE bidder <> 'x' GROUP BY window_end");
  const std::vector<std::string> lines = LinesFrom(plan, "StreamFilter");
  ASSERT_EQ(lines.size(), 4u) << plan;
  EXPECT_EQ(lines[2], "StreamProject $1, $2, $3, $5 { key: [$3], append-only, watermark: $2 }")
      << plan;
}

TEST_F(StreamPlannerTest, WindowReadingEveryColumnIsNotPruned) {
  const std::string plan =
      Explain("SELECT * FROM HOP(bids, date_time, INTERVAL '2' SECOND, INTERVAL '10' SECOND)");
  const std::vector<std::string> lines = LinesFrom(plan, "StreamHop");
  ASSERT_EQ(lines.size(), 2u) << plan;
  EXPECT_EQ(lines[1].rfind("StreamSource", 0), 0u) << plan;
}

// A table fed by FORMAT UPSERT messages: the source decodes the primary key from message keys, the
// hidden _row_id is dropped, and one upsert materialize node keeps the rows by primary key.
TEST(PlanConnectorTableTest, SourceThenOneUpsertMaterialize) {
  catalog::Relation table;
  table.id = catalog::kFirstUserObjectId + 5;
  table.kind = catalog::RelationKind::kTable;
  table.name = "users";
  table.columns = {{"name", DataType::Text(), false}, {"id", DataType::Integer(), true}};
  table.primary_key = {1};
  table.options = {{"connector", "kafka"}, {"topic", "users"}};
  table.format = "upsert";
  table.encode = "json";
  ASSERT_TRUE(table.FedByConnector());
  const MaterializedViewPlan plan = PlanConnectorTable(table, 2);
  const auto& materialize = static_cast<const plan::StreamMaterializeNode&>(*plan.plan->root);
  EXPECT_TRUE(materialize.upsert);
  EXPECT_EQ(materialize.relation_id, table.id);
  EXPECT_EQ(materialize.visible_count, 2u);
  EXPECT_EQ(materialize.stream_key, std::vector<uint32_t>{1});
  EXPECT_EQ(materialize.distribution.kind, plan::DistributionKind::kHash);
  EXPECT_EQ(materialize.distribution.columns, std::vector<uint32_t>{1});
  EXPECT_FALSE(materialize.append_only);
  ASSERT_EQ(materialize.outputs.size(), 2u) << "the hidden _row_id is not stored";
  // Below it: the exchange by primary key, the projection dropping _row_id, the source.
  const plan::StreamNode* node = &materialize;
  while (!node->inputs.empty()) {
    node = node->inputs[0].get();
  }
  ASSERT_EQ(node->kind, plan::StreamNodeKind::kSource);
  const auto& source = static_cast<const plan::StreamSourceNode&>(*node);
  EXPECT_EQ(source.key_columns, std::vector<uint32_t>{1});
  EXPECT_EQ(source.format, "upsert");
  EXPECT_NE(plan.plan->ToString().find("StreamMaterialize upsert"), std::string::npos);

  // FORMAT PLAIN: the whole row comes from the payload, so the source decodes no key.
  table.format = "plain";
  const MaterializedViewPlan plain = PlanConnectorTable(table, 2);
  node = plain.plan->root.get();
  while (!node->inputs.empty()) {
    node = node->inputs[0].get();
  }
  EXPECT_TRUE(static_cast<const plan::StreamSourceNode&>(*node).key_columns.empty());
}

}  // namespace
}  // namespace freshet::planner
