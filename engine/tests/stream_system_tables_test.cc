// SPDX-License-Identifier: Apache-2.0
#include "engine/stream_system_tables.h"

#include <chrono>
#include <filesystem>
#include <thread>

#include <gtest/gtest.h>
#include <stdlib.h>

#include "engine/session.h"
#include "engine/system_catalog.h"

namespace freshet::engine {
namespace {

/// Collects the rows of a result as text, one vector of column texts per row.
class RowSink final : public ResultSink {
 public:
  void OnColumns(const std::vector<plan::OutputColumn>& columns) override {
    for (const auto& column : columns) {
      column_names.push_back(column.name + ":" + column.type.Name());
    }
  }
  void OnChunk(const Chunk& chunk, const function::EvaluationContext& context) override {
    for (size_t row = 0; row < chunk.NumRows(); ++row) {
      std::vector<std::string> values;
      for (size_t column = 0; column < chunk.NumColumns(); ++column) {
        values.push_back(chunk.GetColumn(column).GetValue(row).ToText());
      }
      rows.push_back(std::move(values));
    }
  }
  void OnCommandComplete(std::string_view tag) override {}
  void OnEmptyQuery() override {}
  void OnNotice(const Error& notice) override {}
  void OnParameterStatus(std::string_view name, std::string_view value) override {}

  std::vector<std::string> column_names;
  std::vector<std::vector<std::string>> rows;
};

class StreamSystemTablesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char directory[] = "/tmp/freshet-stream-system-tables-test-XXXXXX";
    ASSERT_NE(mkdtemp(directory), nullptr);
    data_dir_ = directory;
    DatabaseOptions options;
    options.data_dir = data_dir_;
    options.workers = 2;
    database_ = Database::Open(options);
  }
  void TearDown() override {
    database_.reset();
    std::filesystem::remove_all(data_dir_);
  }
  RowSink Run(std::string_view sql) {
    Session session(*database_, SessionInfo{});
    RowSink sink;
    session.Execute(sql, sink);
    return sink;
  }
  /// The only value of a one-row, one-column query.
  std::string Scalar(std::string_view sql) {
    RowSink sink = Run(sql);
    EXPECT_EQ(sink.rows.size(), 1u) << sql;
    return sink.rows.empty() ? "" : sink.rows[0].at(0);
  }
  /// Flushes until `sql` returns `expected` (a bounded source has read everything), for at most
  /// 30 seconds.
  void FlushUntil(std::string_view sql, std::string_view expected) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
      Run("FLUSH");
      if (Scalar(sql) == expected) {
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ADD_FAILURE() << sql << " never returned " << expected;
  }

  std::string data_dir_;
  std::unique_ptr<Database> database_;
};

TEST_F(StreamSystemTablesTest, ListsViewsAndTheirSourcesWithCounts) {
  Run("CREATE TABLE t (id INT PRIMARY KEY, v INT)");
  Run("INSERT INTO t VALUES (1, 10), (2, 20), (3, 30)");
  Run("CREATE MATERIALIZED VIEW big AS SELECT id, v FROM t WHERE v > 10");
  Run("CREATE SOURCE gen (id BIGINT, ts TIMESTAMP, WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) "
      "WITH (connector = 'datagen', datagen.rows.per.second = '0', datagen.max.rows = '100')");
  Run("CREATE MATERIALIZED VIEW gen_ids AS SELECT id FROM gen");
  Run("INSERT INTO t VALUES (4, 40)");
  FlushUntil("SELECT count(*) FROM gen_ids", "100");

  RowSink views = Run(
      "SELECT name, id, rows, state_bytes >= 0, last_committed_epoch > 0, last_commit IS NOT NULL, "
      "lag >= INTERVAL '0' SECOND, parallelism, append_only, errors, last_error, definition "
      "FROM freshet_catalog.materialized_views ORDER BY id");
  ASSERT_EQ(views.rows.size(), 2u);
  const std::string big_id = Scalar("SELECT 'big'::regclass::oid");
  EXPECT_EQ(views.rows[0],
            (std::vector<std::string>{"big", big_id, Scalar("SELECT count(*) FROM big"), "t", "t",
                                      "t", "t", "2", "f", "0", "NULL",
                                      "CREATE MATERIALIZED VIEW big AS SELECT id, v FROM t WHERE "
                                      "v > 10"}));
  EXPECT_EQ(views.rows[0][2], "3");
  EXPECT_EQ(views.rows[1][0], "gen_ids");
  EXPECT_EQ(views.rows[1][2], "100");
  EXPECT_EQ(views.rows[1][8], "t");
  EXPECT_EQ(Scalar("SELECT count(*) FROM freshet_catalog.materialized_views WHERE last_commit = "
                   "(SELECT max(last_commit) FROM freshet_catalog.materialized_views)"),
            "2");

  RowSink sources = Run(
      "SELECT name, connector, watermark IS NOT NULL, rows, late_rows FROM freshet_catalog.sources "
      "ORDER BY id");
  EXPECT_EQ(sources.rows, (std::vector<std::vector<std::string>>{
                              {"t", "table", "f", "4", "0"},
                              {"gen", "datagen", "t", "100", "0"},
                          }));
  // Row i of the source has ts 2024-01-01 + i ms (unthrottled). The source's watermark is the least
  // of its two readers': one read the even rows, up to row 98, the other the odd ones, up to 99;
  // minus the delay.
  EXPECT_EQ(Scalar("SELECT watermark FROM freshet_catalog.sources WHERE name = 'gen'"),
            "2023-12-31 23:59:59.098");
}

TEST_F(StreamSystemTablesTest, StateBytesCoverTheViewsRowsAndOperatorState) {
  Run("CREATE TABLE t (k INT, v INT)");
  std::string insert = "INSERT INTO t VALUES ";
  for (int i = 1; i <= 1000; ++i) {
    insert += (i > 1 ? ", (" : "(") + std::to_string(i % 10) + ", " + std::to_string(i) + ")";
  }
  Run(insert);
  Run("CREATE MATERIALIZED VIEW sums AS SELECT k, sum(v) AS total FROM t GROUP BY k");
  Run("FLUSH");
  database_->Store().Flush().ThrowIfError();
  EXPECT_EQ(Scalar("SELECT rows FROM freshet_catalog.materialized_views WHERE name = 'sums'"),
            "10");
  EXPECT_EQ(
      Scalar("SELECT state_bytes > 0 FROM freshet_catalog.materialized_views WHERE name = 'sums'"),
      "t");
}

TEST_F(StreamSystemTablesTest, CountsLateRowsOfAWatermarkedTable) {
  Run("CREATE TABLE events (ts TIMESTAMP, v INT, "
      "WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) APPEND ONLY");
  Run("CREATE TABLE unread (x INT)");
  Run("CREATE MATERIALIZED VIEW event_count AS SELECT count(*) AS n FROM events");
  const std::string query =
      "SELECT connector, watermark, rows, late_rows FROM freshet_catalog.sources";
  RowSink before = Run(query);
  EXPECT_EQ(before.rows, (std::vector<std::vector<std::string>>{{"table", "NULL", "0", "0"}}));

  Run("INSERT INTO events VALUES ('2024-01-01 00:01:00', 1)");
  Run("FLUSH");
  Run("INSERT INTO events VALUES ('2024-01-01 00:00:00', 2)");
  Run("FLUSH");
  EXPECT_EQ(Run(query).rows,
            (std::vector<std::vector<std::string>>{{"table", "2024-01-01 00:00:59", "2", "1"}}));
  EXPECT_EQ(Scalar("SELECT n FROM event_count"), "1");
}

TEST_F(StreamSystemTablesTest, CountsExpressionErrorsOfAView) {
  Run("CREATE TABLE t (a INT)");
  Run("CREATE MATERIALIZED VIEW inverse AS SELECT 100 / a AS q FROM t");
  Run("INSERT INTO t VALUES (0)");
  Run("FLUSH");
  RowSink errors = Run(
      "SELECT errors, last_error FROM freshet_catalog.materialized_views WHERE name = 'inverse'");
  ASSERT_EQ(errors.rows.size(), 1u);
  EXPECT_EQ(errors.rows[0][0], "1");
  EXPECT_NE(errors.rows[0][1].find("division by zero"), std::string::npos) << errors.rows[0][1];
}

TEST_F(StreamSystemTablesTest, RelationsLiveInTheFreshetCatalogSchema) {
  RowSink columns = Run("SELECT * FROM freshet_catalog.materialized_views");
  EXPECT_EQ(
      columns.column_names,
      (std::vector<std::string>{
          "name:text", "id:oid", "rows:bigint", "state_bytes:bigint", "last_committed_epoch:bigint",
          "last_commit:timestamp with time zone", "lag:interval", "parallelism:integer",
          "append_only:boolean", "errors:bigint", "last_error:text", "definition:text"}));
  EXPECT_TRUE(columns.rows.empty());
  EXPECT_EQ(Run("SELECT * FROM freshet_catalog.sources").column_names,
            (std::vector<std::string>{
                "name:text", "id:oid", "connector:text", "watermark:timestamp without time zone",
                "rows:bigint", "late_rows:bigint", "errors:bigint", "state:text", "lag:bigint"}));
  EXPECT_EQ(Run("SELECT * FROM freshet_catalog.source_errors").column_names,
            (std::vector<std::string>{"source:text", "partition:integer", "offset:bigint",
                                      "error:text", "payload:text"}));
  EXPECT_EQ(
      Run("SELECT * FROM freshet_catalog.sinks").column_names,
      (std::vector<std::string>{"name:text", "shard:integer", "state:text", "pending_epochs:bigint",
                                "delivered_epoch:bigint", "failures:bigint"}));
  EXPECT_EQ(Scalar("SELECT count(*) FROM pg_class c JOIN pg_namespace n ON c.relnamespace = n.oid "
                   "WHERE n.nspname = 'freshet_catalog'"),
            "4");
  EXPECT_EQ(Scalar("SELECT 'freshet_catalog.sources'::regclass::oid"), "16002");
  // Not on the search path: an unqualified name finds nothing.
  EXPECT_THROW(Run("SELECT * FROM sources"), Error);
}

TEST(StreamSystemTablesWithoutDatabaseTest, RelationsAreEmptyWithoutARunningDatabase) {
  auto view = std::make_shared<catalog::Relation>();
  view->id = 16384;
  view->kind = catalog::RelationKind::kMaterializedView;
  view->name = "v";
  std::map<catalog::ObjectId, std::shared_ptr<const catalog::Relation>> relations;
  relations[view->id] = view;
  SystemCatalog catalog(std::make_shared<const catalog::CatalogSnapshot>(1, std::move(relations)),
                        "dev", "alice", nullptr);
  auto views = catalog.Find("freshet_catalog", "materialized_views");
  ASSERT_NE(views, nullptr);
  EXPECT_EQ(views->oid, 16001u);
  EXPECT_EQ(views->schema, "freshet_catalog");
  EXPECT_EQ(views->rows->NumRows(), 0u);
  EXPECT_EQ(catalog.Find("", "materialized_views"), nullptr);
  EXPECT_EQ(catalog.Find("pg_catalog", "sources"), nullptr);
}

}  // namespace
}  // namespace freshet::engine
