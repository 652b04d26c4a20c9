// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include "common/error.h"
#include "executor/batch/batch_operator.h"
#include "executor/table_writer.h"

namespace freshet::executor {
namespace {

plan::TableDescriptor MakeTable(bool with_primary_key) {
  plan::TableDescriptor table;
  table.table_id = 16384;
  table.name = "t";
  table.column_names = {"id", "name"};
  table.column_types = {DataType::Bigint(), DataType::Text()};
  table.not_null = {true, false};
  if (with_primary_key) {
    table.primary_key = {0};
  }
  return table;
}

Chunk Rows(std::initializer_list<std::pair<int64_t, const char*>> rows) {
  Chunk chunk({DataType::Bigint(), DataType::Text()});
  for (const auto& [id, name] : rows) {
    chunk.AppendRow({Value::Bigint(id), name ? Value::Text(name) : Value::Null(DataType::Text())});
  }
  return chunk;
}

std::vector<std::string> RunPlan(const plan::BatchNode& root, storage::StateStore& store) {
  BatchContext context;
  context.store = &store;
  context.snapshot = store.GetSnapshot();
  auto query = BuildBatchOperator(root, context);
  std::vector<std::string> lines;
  Chunk chunk;
  while (query->Next(chunk)) {
    for (size_t row = 0; row < chunk.NumRows(); ++row) {
      std::string line;
      for (size_t column = 0; column < chunk.NumColumns(); ++column) {
        line += column > 0 ? "|" : "";
        line += chunk.GetColumn(column).GetValue(row).ToText();
      }
      lines.push_back(line);
    }
  }
  return lines;
}

TEST(BatchOperatorsTest, ScanReturnsRowsInPrimaryKeyOrder) {
  auto store = storage::StateStore::OpenInMemory();
  const plan::TableDescriptor table = MakeTable(true);
  TableWriter writer(*store, table);
  writer.Insert(Rows({{3, "c"}, {-1, "a"}, {2, nullptr}}));
  EXPECT_EQ(writer.Commit(), 3u);
  plan::TableScanNode scan;
  scan.table = table;
  EXPECT_EQ(RunPlan(scan, *store), (std::vector<std::string>{"-1|a", "2|NULL", "3|c"}));
}

TEST(BatchOperatorsTest, DuplicateKeysAndNullsAreRejected) {
  auto store = storage::StateStore::OpenInMemory();
  const plan::TableDescriptor table = MakeTable(true);
  {
    TableWriter writer(*store, table);
    writer.Insert(Rows({{1, "a"}}));
    writer.Commit();
  }
  try {
    TableWriter writer(*store, table);
    writer.Insert(Rows({{1, "again"}}));
    FAIL();
  } catch (const Error& error) {
    EXPECT_EQ(error.State(), SqlState::kUniqueViolation);
    EXPECT_EQ(error.Detail(), "Key (id)=(1) already exists.");
  }
  TableWriter writer(*store, table);
  Chunk with_null({DataType::Bigint(), DataType::Text()});
  with_null.AppendRow({Value::Null(DataType::Bigint()), Value::Text("x")});
  try {
    writer.Insert(with_null);
    FAIL();
  } catch (const Error& error) {
    EXPECT_EQ(error.State(), SqlState::kNotNullViolation);
    EXPECT_EQ(error.Detail(), "Failing row contains (null, x).");
  }
}

TEST(BatchOperatorsTest, HiddenRowIdsKeepInsertionOrderAcrossStatements) {
  auto store = storage::StateStore::OpenInMemory();
  const plan::TableDescriptor table = MakeTable(false);
  for (int64_t id : {5, 1, 3}) {
    TableWriter writer(*store, table);
    writer.Insert(Rows({{id, "x"}}));
    writer.Commit();
  }
  plan::TableScanNode scan;
  scan.table = table;
  EXPECT_EQ(RunPlan(scan, *store), (std::vector<std::string>{"5|x", "1|x", "3|x"}));
}

TEST(BatchOperatorsTest, SortLimitAndOffset) {
  auto store = storage::StateStore::OpenInMemory();
  const plan::TableDescriptor table = MakeTable(false);
  TableWriter writer(*store, table);
  writer.Insert(Rows({{2, "b"}, {1, nullptr}, {3, "a"}, {4, "c"}}));
  writer.Commit();
  auto limit = std::make_unique<plan::LimitNode>();
  limit->limit = 2;
  limit->offset = 1;
  auto sort = std::make_unique<plan::SortNode>();
  sort->keys = {{1, true, true}};  // name DESC NULLS FIRST
  auto scan = std::make_unique<plan::TableScanNode>();
  scan->table = table;
  scan->outputs = {{"id", DataType::Bigint()}, {"name", DataType::Text()}};
  sort->outputs = scan->outputs;
  limit->outputs = scan->outputs;
  sort->input = std::move(scan);
  limit->input = std::move(sort);
  EXPECT_EQ(RunPlan(*limit, *store), (std::vector<std::string>{"4|c", "2|b"}));
}

TEST(BatchOperatorsTest, SortBeyondTheMemoryBudgetFailsWith53200) {
  auto store = storage::StateStore::OpenInMemory();
  const plan::TableDescriptor table = MakeTable(false);
  TableWriter writer(*store, table);
  for (int i = 0; i < 10; ++i) {
    writer.Insert(Rows({{i, "some text"}}));
  }
  writer.Commit();
  plan::SortNode sort;
  sort.keys = {{0, false, false}};
  auto scan = std::make_unique<plan::TableScanNode>();
  scan->table = table;
  scan->outputs = {{"id", DataType::Bigint()}, {"name", DataType::Text()}};
  sort.outputs = scan->outputs;
  sort.input = std::move(scan);
  BatchContext context;
  context.store = store.get();
  context.snapshot = store->GetSnapshot();
  context.memory_limit_bytes = 16;
  auto query = BuildBatchOperator(sort, context);
  Chunk chunk;
  try {
    query->Next(chunk);
    FAIL();
  } catch (const Error& error) {
    EXPECT_EQ(error.State(), SqlState::kOutOfMemory);
  }
}

}  // namespace
}  // namespace freshet::executor
