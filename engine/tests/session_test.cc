// SPDX-License-Identifier: Apache-2.0
#include "engine/session.h"

#include <filesystem>

#include <gtest/gtest.h>
#include <stdlib.h>

namespace freshet::engine {
namespace {

/// Collects results as text lines: "cols: a,b", "row: 1|x", "tag: SELECT 1", "notice: ...".
class CollectingSink final : public ResultSink {
 public:
  void OnColumns(const std::vector<plan::OutputColumn>& columns) override {
    std::string line = "cols:";
    for (const auto& column : columns) {
      line += " " + column.name + ":" + column.type.Name();
    }
    lines.push_back(line);
  }
  void OnChunk(const Chunk& chunk, const function::EvaluationContext& context) override {
    for (size_t row = 0; row < chunk.NumRows(); ++row) {
      std::string line = "row:";
      for (size_t column = 0; column < chunk.NumColumns(); ++column) {
        line += (column > 0 ? "|" : " ") + chunk.GetColumn(column).GetValue(row).ToText();
      }
      lines.push_back(line);
    }
  }
  void OnCommandComplete(std::string_view tag) override {
    lines.push_back("tag: " + std::string(tag));
  }
  void OnEmptyQuery() override { lines.push_back("empty"); }
  void OnNotice(const Error& notice) override { lines.push_back("notice: " + notice.Message()); }
  void OnParameterStatus(std::string_view name, std::string_view value) override {
    lines.push_back("param: " + std::string(name) + "=" + std::string(value));
  }

  std::vector<std::string> lines;
};

class SessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char directory[] = "/tmp/freshet-session-test-XXXXXX";
    ASSERT_NE(mkdtemp(directory), nullptr);
    data_dir_ = directory;
    Reopen();
  }
  void TearDown() override {
    database_.reset();
    std::filesystem::remove_all(data_dir_);
  }
  void Reopen() {
    database_.reset();
    DatabaseOptions options;
    options.data_dir = data_dir_;
    database_ = Database::Open(options);
  }
  std::vector<std::string> Run(std::string_view sql) {
    Session session(*database_, SessionInfo{});
    CollectingSink sink;
    session.Execute(sql, sink);
    return sink.lines;
  }
  Error RunError(std::string_view sql) {
    try {
      Run(sql);
    } catch (const Error& error) {
      return error;
    }
    ADD_FAILURE() << "no error for " << sql;
    return Error::Internal("no error");
  }

  std::string data_dir_;
  std::unique_ptr<Database> database_;
};

TEST_F(SessionTest, CreateInsertSelectWithFilterAndOrder) {
  Run("CREATE TABLE t (id INT PRIMARY KEY, name VARCHAR(10), score DOUBLE PRECISION)");
  EXPECT_EQ(Run("INSERT INTO t VALUES (2, 'b', 1.5), (1, 'a', NULL), (3, 'c', 0.1)").back(),
            "tag: INSERT 0 3");
  EXPECT_EQ(Run("SELECT id, name || '!' AS shout FROM t WHERE id > 1 ORDER BY id DESC"),
            (std::vector<std::string>{"cols: id:integer shout:text", "row: 3|c!", "row: 2|b!",
                                      "tag: SELECT 2"}));
}

TEST_F(SessionTest, RowsSurviveReopen) {
  Run("CREATE TABLE kept (a BIGINT, b TEXT); INSERT INTO kept VALUES (1, 'x'), (2, NULL)");
  Reopen();
  EXPECT_EQ(Run("SELECT * FROM kept"),
            (std::vector<std::string>{"cols: a:bigint b:text", "row: 1|x", "row: 2|NULL",
                                      "tag: SELECT 2"}));
  Run("INSERT INTO kept VALUES (3, 'y')");
  EXPECT_EQ(Run("SELECT a FROM kept").size(), 5u);
}

TEST_F(SessionTest, ErrorsCarryPostgresCodes) {
  Run("CREATE TABLE t (id INT PRIMARY KEY, v INT NOT NULL)");
  EXPECT_EQ(RunError("SELEC 1").Code(), "42601");
  EXPECT_EQ(RunError("SELECT * FROM nope").Code(), "42P01");
  EXPECT_EQ(RunError("SELECT nope FROM t").Code(), "42703");
  EXPECT_EQ(RunError("CREATE TABLE t (x INT)").Code(), "42P07");
  EXPECT_EQ(RunError("INSERT INTO t VALUES (1, NULL)").Code(), "23502");
  Run("INSERT INTO t VALUES (1, 1)");
  EXPECT_EQ(RunError("INSERT INTO t VALUES (1, 2)").Code(), "23505");
  EXPECT_EQ(RunError("INSERT INTO t VALUES ('x', 2)").Code(), "22P02");
  EXPECT_EQ(RunError("SELECT 2147483647 + 1").Code(), "22003");
  EXPECT_EQ(RunError("SELECT 1 / 0").Code(), "22012");
  EXPECT_EQ(RunError("INSERT INTO t VALUES (true, 2)").Code(), "42804");
  EXPECT_EQ(RunError("SELECT * FROM t WHERE id").Code(), "42804");
}

TEST_F(SessionTest, EmptyQueryAndMultipleStatements) {
  EXPECT_EQ(Run(""), std::vector<std::string>{"empty"});
  EXPECT_EQ(Run("SELECT 1; SELECT 'a' AS x"),
            (std::vector<std::string>{"cols: ?column?:integer", "row: 1", "tag: SELECT 1",
                                      "cols: x:text", "row: a", "tag: SELECT 1"}));
}

TEST_F(SessionTest, DropTableRemovesRowsAndName) {
  Run("CREATE TABLE d (a INT); INSERT INTO d VALUES (1)");
  Run("DROP TABLE d");
  EXPECT_EQ(RunError("SELECT * FROM d").Code(), "42P01");
  Run("CREATE TABLE d (a INT)");
  EXPECT_EQ(Run("SELECT * FROM d").back(), "tag: SELECT 0");
  EXPECT_EQ(Run("DROP TABLE IF EXISTS missing").front(),
            "notice: table \"missing\" does not exist, skipping");
}

TEST_F(SessionTest, ShowTablesListsNames) {
  Run("CREATE TABLE b (x INT); CREATE TABLE a (x INT)");
  EXPECT_EQ(Run("SHOW TABLES"),
            (std::vector<std::string>{"cols: Name:text", "row: a", "row: b", "tag: SHOW"}));
}

}  // namespace
}  // namespace freshet::engine
