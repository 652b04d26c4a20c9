// SPDX-License-Identifier: Apache-2.0
// The streaming runtime end to end over an in-memory store: table changes flow through a view's
// dataflow and commit with their epoch; a new runtime over the same store resumes from it.
#include <filesystem>
#include <map>

#include <gtest/gtest.h>

#include "executor/stream/runtime.h"
#include "storage/key_codec.h"
#include "storage/row_codec.h"

namespace freshet::executor::stream {
namespace {

constexpr uint32_t kTable = 100;
constexpr uint32_t kView = 200;

/// A view `SELECT k, v FROM t` where t has primary key k.
std::shared_ptr<plan::StreamPlan> CopyPlan() {
  auto scan = std::make_unique<plan::StreamTableScanNode>();
  scan->relation_id = kTable;
  scan->relation_name = "t";
  scan->column_types = {DataType::Integer(), DataType::Integer()};
  scan->outputs = {{"k", DataType::Integer()}, {"v", DataType::Integer()}};
  scan->storage_key = {0};
  scan->stream_key = {0};
  scan->distribution = {plan::DistributionKind::kSingle, {}};
  auto materialize = std::make_unique<plan::StreamMaterializeNode>();
  materialize->relation_id = kView;
  materialize->visible_count = 2;
  materialize->outputs = scan->outputs;
  materialize->stream_key = {0};
  materialize->inputs.push_back(std::move(scan));
  auto result = std::make_shared<plan::StreamPlan>();
  result->root = std::move(materialize);
  result->parallelism = 2;
  uint16_t id = 1;
  result->root->operator_id = id++;
  result->root->inputs[0]->operator_id = id++;
  return result;
}

/// The rows stored under `relation`, as k -> v.
std::map<int32_t, int32_t> StoredRows(storage::StateStore& store, uint32_t relation) {
  std::map<int32_t, int32_t> rows;
  const std::string prefix = storage::TablePrefix(relation);
  auto it = store.Scan(prefix, storage::PrefixUpperBound(prefix));
  for (; it->Valid(); it->Next()) {
    auto values = storage::DecodeRow(it->Value(), {DataType::Integer(), DataType::Integer()});
    EXPECT_TRUE(values.ok());
    rows[static_cast<int32_t>(values.value()[0].GetInt())] =
        static_cast<int32_t>(values.value()[1].GetInt());
  }
  return rows;
}

/// A DML statement's writes to t: its stored rows and its changelog.
void Write(StreamRuntime& runtime, std::vector<std::tuple<Op, int32_t, int32_t>> changes) {
  storage::WriteBatch rows;
  Chunk chunk({DataType::Integer(), DataType::Integer()});
  for (const auto& [op, k, v] : changes) {
    std::string key = storage::TablePrefix(kTable);
    storage::EncodeKeyValue(Value::Integer(k), false, key);
    if (op == Op::kDelete) {
      rows.Delete(key);
    } else {
      std::string value;
      storage::EncodeRow({Value::Integer(k), Value::Integer(v)}, value);
      rows.Put(key, value);
    }
    chunk.AppendRow({Value::Integer(k), Value::Integer(v)}, op);
  }
  runtime.CommitTableWrite(kTable, std::move(rows), {std::move(chunk)});
}

/// Writes to a table a view reads, restarts the runtime over the same store, writes more and
/// drops the view, checking the view's stored rows after each step.
void CheckViewFollowsTableAndResumesAfterRestart(storage::StateStore* store,
                                                 RuntimeOptions options) {
  options.workers = 2;
  options.checkpoint_interval_micros = 50'000;
  {
    StreamRuntime runtime(*store, options, 0);
    runtime.Start();
    // Rows written before the view exists reach it by backfill.
    Write(runtime, {{Op::kInsert, 1, 10}, {Op::kInsert, 2, 20}});
    runtime.Deploy(kView, CopyPlan(), /*backfill=*/true, storage::WriteBatch());
    EXPECT_EQ(StoredRows(*store, kView), (std::map<int32_t, int32_t>{{1, 10}, {2, 20}}));
    Write(runtime, {{Op::kInsert, 3, 30}, {Op::kDelete, 1, 10}});
    EXPECT_EQ(StoredRows(*store, kView), (std::map<int32_t, int32_t>{{2, 20}, {3, 30}}));
    EXPECT_GT(runtime.CommittedEpoch(), 0u);
  }
  // A second runtime over the same store: the view resumes without backfill.
  std::string epoch_bytes = store->Get(StreamRuntime::EpochKey()).value().value();
  std::string_view view = epoch_bytes;
  const uint64_t committed = storage::ReadUint64(view).value();
  StreamRuntime runtime(*store, options, committed);
  runtime.Deploy(kView, CopyPlan(), /*backfill=*/false, storage::WriteBatch());
  runtime.Start();
  Write(runtime, {{Op::kUpdateDelete, 2, 20}, {Op::kUpdateInsert, 2, 21}});
  EXPECT_EQ(StoredRows(*store, kView), (std::map<int32_t, int32_t>{{2, 21}, {3, 30}}));
  EXPECT_EQ(runtime.Views().size(), 1u);
  EXPECT_EQ(runtime.Views()[0].rows, 2);

  // Dropping stops the dataflow; later writes to the table go straight to the store.
  storage::WriteBatch drop;
  const std::string prefix = storage::TablePrefix(kView);
  drop.DeleteRange(prefix, storage::PrefixUpperBound(prefix));
  runtime.Drop(kView, std::move(drop));
  EXPECT_TRUE(StoredRows(*store, kView).empty());
  Write(runtime, {{Op::kInsert, 4, 40}});
  EXPECT_EQ(StoredRows(*store, kTable).size(), 3u);
  EXPECT_TRUE(runtime.Views().empty());
}

TEST(StreamRuntimeTest, ViewFollowsTableAndResumesAfterRestart) {
  auto store = storage::StateStore::OpenInMemory();
  CheckViewFollowsTableAndResumesAfterRestart(store.get(), RuntimeOptions{});
}

// The same over RocksDB with every actor's epoch written to table files (StateStore::Prepare) and
// ingested, however small.
TEST(StreamRuntimeTest, PreparedEpochsCommitLikeInsertedOnes) {
  char pattern[] = "/tmp/freshet-runtime-XXXXXX";
  ASSERT_NE(mkdtemp(pattern), nullptr);
  storage::StoreOptions store_options;
  store_options.data_dir = pattern;
  store_options.table_file_bytes = 1;
  {
    auto store = storage::StateStore::Open(store_options);
    ASSERT_TRUE(store.ok()) << store.error().Message();
    RuntimeOptions options;
    options.prepare_batch_bytes = 0;
    CheckViewFollowsTableAndResumesAfterRestart(store.value().get(), options);
  }
  std::filesystem::remove_all(pattern);
}

TEST(StreamRuntimeTest, FlushWithoutViewsCommitsAnEpoch) {
  auto store = storage::StateStore::OpenInMemory();
  StreamRuntime runtime(*store, RuntimeOptions{}, 7);
  runtime.Start();
  runtime.Flush();
  EXPECT_EQ(runtime.CommittedEpoch(), 8u);
}

}  // namespace
}  // namespace freshet::executor::stream
