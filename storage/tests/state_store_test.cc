// SPDX-License-Identifier: Apache-2.0
// Behaviour every StateStore shares, run against both the RocksDB and the in-memory implementation.
#include "storage/state_store.h"

#include <atomic>
#include <filesystem>
#include <map>
#include <random>
#include <thread>

#include <gtest/gtest.h>
#include <stdlib.h>

#include "storage/key_codec.h"

namespace freshet::storage {
namespace {

using namespace std::string_literals;

/// Scans [lower, upper) and returns the key/value pairs; fails the test on an iterator error.
std::vector<std::pair<std::string, std::string>> ScanAll(StateStore& store,
                                                         std::string_view lower,
                                                         std::string_view upper,
                                                         const Snapshot* snapshot = nullptr) {
  std::vector<std::pair<std::string, std::string>> rows;
  std::unique_ptr<Iterator> iterator = store.Scan(lower, upper, snapshot);
  for (; iterator->Valid(); iterator->Next()) {
    rows.emplace_back(std::string(iterator->Key()), std::string(iterator->Value()));
  }
  Status status = iterator->GetStatus();
  EXPECT_TRUE(status.ok()) << status.error().Message();
  return rows;
}

std::optional<std::string> GetValue(StateStore& store,
                                    std::string_view key,
                                    const Snapshot* snapshot = nullptr) {
  Result<std::optional<std::string>> result = store.Get(key, snapshot);
  EXPECT_TRUE(result.ok()) << result.error().Message();
  return result.ok() ? result.value() : std::nullopt;
}

std::string TableKey(uint32_t table, int64_t id) {
  std::string key = TablePrefix(table);
  EncodeKeyValue(Value::Bigint(id), false, key);
  return key;
}

enum class Backend { kRocksDb, kMemory };

class StateStoreTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == Backend::kRocksDb) {
      char pattern[] = "/tmp/freshet-storage-XXXXXX";
      ASSERT_NE(mkdtemp(pattern), nullptr);
      directory_ = pattern;
      StoreOptions options;
      options.data_dir = directory_;
      // Every table a prepared batch writes gets a table file, however small.
      options.table_file_bytes = 1;
      Result<std::unique_ptr<StateStore>> store = StateStore::Open(options);
      ASSERT_TRUE(store.ok()) << store.error().Message();
      store_ = std::move(store).value();
    } else {
      store_ = StateStore::OpenInMemory();
    }
  }

  void TearDown() override {
    if (store_ != nullptr) {
      EXPECT_TRUE(store_->Close().ok());
      store_.reset();
    }
    if (!directory_.empty()) {
      std::filesystem::remove_all(directory_);
    }
  }

  void Put(std::string_view key, std::string_view value) {
    WriteBatch batch;
    batch.Put(key, value);
    Status status = store_->Write(batch);
    ASSERT_TRUE(status.ok()) << status.error().Message();
  }

  std::string directory_;
  std::unique_ptr<StateStore> store_;
};

TEST_P(StateStoreTest, PutGetDelete) {
  EXPECT_EQ(GetValue(*store_, "missing"), std::nullopt);
  Put("a", "1");
  Put("b", "\0two"s);
  EXPECT_EQ(GetValue(*store_, "a"), "1");
  EXPECT_EQ(GetValue(*store_, "b"), "\0two"s);
  Put("a", "one");
  EXPECT_EQ(GetValue(*store_, "a"), "one");
  WriteBatch batch;
  batch.Delete("a");
  batch.Delete("never-there");
  EXPECT_EQ(batch.Count(), 2u);
  ASSERT_TRUE(store_->Write(batch).ok());
  EXPECT_EQ(GetValue(*store_, "a"), std::nullopt);
  EXPECT_EQ(GetValue(*store_, "b"), "\0two"s);
  EXPECT_TRUE(store_->Write(WriteBatch()).ok());
}

TEST_P(StateStoreTest, BatchAppliesInOrder) {
  WriteBatch batch;
  batch.Put("k", "first");
  batch.Delete("k");
  batch.Put("k", "last");
  batch.Put("x", "1");
  batch.DeleteRange("w", "y");
  batch.Put("x", "2");
  EXPECT_EQ(batch.Count(), 6u);
  ASSERT_TRUE(store_->Write(batch).ok());
  EXPECT_EQ(GetValue(*store_, "k"), "last");
  EXPECT_EQ(GetValue(*store_, "x"), "2");
  batch.Clear();
  EXPECT_TRUE(batch.Empty());
  EXPECT_EQ(batch.ByteSize(), 0u);
}

TEST_P(StateStoreTest, ScanReturnsTheRangeInKeyOrder) {
  WriteBatch batch;
  for (int64_t id : {5, -3, 0, 100, -100}) {
    batch.Put(TableKey(1, id), std::to_string(id));
  }
  batch.Put(TableKey(2, 0), "other table");
  batch.Put(SystemKey("epoch"), "7");
  ASSERT_TRUE(store_->Write(batch).ok());

  auto rows = ScanAll(*store_, TablePrefix(1), PrefixUpperBound(TablePrefix(1)));
  ASSERT_EQ(rows.size(), 5u);
  std::vector<std::string> values;
  for (auto& [key, value] : rows) {
    values.push_back(value);
  }
  EXPECT_EQ(values, (std::vector<std::string>{"-100", "-3", "0", "5", "100"}));

  // Bounds: lower inclusive, upper exclusive, within one table prefix.
  rows = ScanAll(*store_, TableKey(1, -3), TableKey(1, 5));
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].second, "-3");
  EXPECT_EQ(rows[1].second, "0");

  // An empty upper bound means to the end.
  rows = ScanAll(*store_, TablePrefix(2), "");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].second, "other table");
  EXPECT_EQ(ScanAll(*store_, "", "").size(), 7u);
  EXPECT_TRUE(ScanAll(*store_, TablePrefix(3), PrefixUpperBound(TablePrefix(3))).empty());
}

TEST_P(StateStoreTest, SeekStaysWithinTheRange) {
  WriteBatch batch;
  for (int64_t id = 0; id < 10; ++id) {
    batch.Put(TableKey(1, id), std::to_string(id));
  }
  ASSERT_TRUE(store_->Write(batch).ok());
  std::unique_ptr<Iterator> iterator = store_->Scan(TableKey(1, 2), TableKey(1, 8));
  iterator->Seek(TableKey(1, 6));
  ASSERT_TRUE(iterator->Valid());
  EXPECT_EQ(iterator->Value(), "6");
  iterator->Seek(TableKey(1, 0));  // below the lower bound: clamps to it
  ASSERT_TRUE(iterator->Valid());
  EXPECT_EQ(iterator->Value(), "2");
  iterator->Seek(TableKey(1, 9));  // past the upper bound
  EXPECT_FALSE(iterator->Valid());
  EXPECT_TRUE(iterator->GetStatus().ok());
}

TEST_P(StateStoreTest, DeleteRangeRemovesOnlyTheRange) {
  WriteBatch batch;
  for (uint32_t table = 1; table <= 3; ++table) {
    for (int64_t id = 0; id < 50; ++id) {
      batch.Put(TableKey(table, id), "v");
    }
  }
  ASSERT_TRUE(store_->Write(batch).ok());
  WriteBatch drop;
  drop.DeleteRange(TablePrefix(2), PrefixUpperBound(TablePrefix(2)));
  drop.DeleteRange(TableKey(3, 10), TableKey(3, 20));
  ASSERT_TRUE(store_->Write(drop).ok());
  EXPECT_EQ(ScanAll(*store_, TablePrefix(1), TablePrefix(2)).size(), 50u);
  EXPECT_EQ(ScanAll(*store_, TablePrefix(2), TablePrefix(3)).size(), 0u);
  EXPECT_EQ(ScanAll(*store_, TablePrefix(3), TablePrefix(4)).size(), 40u);
  EXPECT_EQ(GetValue(*store_, TableKey(3, 10)), std::nullopt);
  EXPECT_EQ(GetValue(*store_, TableKey(3, 20)), "v");
  // Writes after a range delete are visible again.
  Put(TableKey(2, 1), "back");
  EXPECT_EQ(GetValue(*store_, TableKey(2, 1)), "back");
}

TEST_P(StateStoreTest, SnapshotsDoNotSeeLaterWrites) {
  Put("a", "old");
  Put("b", "old");
  std::shared_ptr<const Snapshot> snapshot = store_->GetSnapshot();
  ASSERT_NE(snapshot, nullptr);
  WriteBatch batch;
  batch.Put("a", "new");
  batch.Delete("b");
  batch.Put("c", "new");
  ASSERT_TRUE(store_->Write(batch).ok());

  EXPECT_EQ(GetValue(*store_, "a", snapshot.get()), "old");
  EXPECT_EQ(GetValue(*store_, "b", snapshot.get()), "old");
  EXPECT_EQ(GetValue(*store_, "c", snapshot.get()), std::nullopt);
  auto rows = ScanAll(*store_, "", "", snapshot.get());
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0], std::make_pair("a"s, "old"s));

  EXPECT_EQ(GetValue(*store_, "a"), "new");
  EXPECT_EQ(ScanAll(*store_, "", "").size(), 2u);
}

TEST_P(StateStoreTest, AnIteratorReadsAsOfItsCreation) {
  Put("a", "1");
  std::unique_ptr<Iterator> iterator = store_->Scan("", "");
  Put("b", "2");
  WriteBatch batch;
  batch.Delete("a");
  ASSERT_TRUE(store_->Write(batch).ok());
  ASSERT_TRUE(iterator->Valid());
  EXPECT_EQ(iterator->Key(), "a");
  iterator->Next();
  EXPECT_FALSE(iterator->Valid());
}

TEST_P(StateStoreTest, ASnapshotOfAnotherStoreIsRejected) {
  std::unique_ptr<StateStore> other = StateStore::OpenInMemory();
  std::shared_ptr<const Snapshot> foreign = other->GetSnapshot();
  EXPECT_FALSE(store_->Get("a", foreign.get()).ok());
  std::unique_ptr<Iterator> iterator = store_->Scan("", "", foreign.get());
  EXPECT_FALSE(iterator->Valid());
  EXPECT_FALSE(iterator->GetStatus().ok());
}

TEST_P(StateStoreTest, ClosedStoreRefusesCalls) {
  Put("a", "1");
  ASSERT_TRUE(store_->Close().ok());
  EXPECT_TRUE(store_->Close().ok());
  Result<std::optional<std::string>> get = store_->Get("a");
  ASSERT_FALSE(get.ok());
  EXPECT_EQ(get.error().State(), SqlState::kObjectNotInPrerequisiteState);
  EXPECT_FALSE(store_->Write(WriteBatch()).ok());
  EXPECT_FALSE(store_->Scan("", "")->GetStatus().ok());
  EXPECT_EQ(store_->GetSnapshot(), nullptr);
}

TEST_P(StateStoreTest, ConcurrentWritersAndReaders) {
  constexpr int kThreads = 4;
  constexpr int kBatches = 200;
  std::atomic<bool> failed = false;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kBatches; ++i) {
        WriteBatch batch;
        // Two keys per batch: a reader must never see one without the other.
        batch.Put(TableKey(t, i * 2), "x");
        batch.Put(TableKey(t, i * 2 + 1), "x");
        if (!store_->Write(batch).ok()) {
          failed = true;
        }
        std::unique_ptr<Iterator> iterator = store_->Scan(TablePrefix(t), TablePrefix(t + 1));
        size_t count = 0;
        for (; iterator->Valid(); iterator->Next()) {
          ++count;
        }
        if (count % 2 != 0 || !iterator->GetStatus().ok()) {
          failed = true;
        }
        Result<std::optional<std::string>> got = store_->Get(TableKey(t, i * 2 + 1));
        if (!got.ok() || !got.value().has_value()) {
          failed = true;
        }
      }
    });
  }
  for (std::thread& thread : threads) {
    thread.join();
  }
  EXPECT_FALSE(failed);
  EXPECT_EQ(ScanAll(*store_, "", "").size(), size_t{kThreads} * kBatches * 2);
}

TEST_P(StateStoreTest, ApproximateSizeGrowsWithData) {
  Result<uint64_t> empty = store_->ApproximateSize(TablePrefix(1), TablePrefix(2));
  ASSERT_TRUE(empty.ok());
  WriteBatch batch;
  for (int64_t id = 0; id < 2000; ++id) {
    batch.Put(TableKey(1, id), std::string(100, 'v'));
  }
  ASSERT_TRUE(store_->Write(batch).ok());
  ASSERT_TRUE(store_->Flush().ok());
  Result<uint64_t> full = store_->ApproximateSize(TablePrefix(1), TablePrefix(2));
  ASSERT_TRUE(full.ok());
  EXPECT_GT(full.value(), empty.value());
  EXPECT_TRUE(store_->SyncWal().ok());
}

TEST_P(StateStoreTest, PreparedBatchesApplyInOrderWithTheOthers) {
  Put(TableKey(2, 1), "old");
  WriteBatch first;
  for (int64_t id = 0; id < 100; ++id) {
    first.Put(TableKey(1, id), "a");
  }
  first.Delete(TableKey(1, 5));
  first.Put(TableKey(1, 6), "replaced");
  first.Put(TableKey(1, 6), "b");
  first.Put(TableKey(3, 1), "c");
  ASSERT_TRUE(store_->Prepare(first).ok());
  EXPECT_EQ(first.Count(), 104u);
  // Later batches win over the prepared one, whether or not they are prepared themselves.
  WriteBatch second;
  second.Put(TableKey(1, 7), "later");
  second.DeleteRange(TableKey(3, 0), TableKey(3, 10));
  second.Delete(TableKey(2, 1));
  WriteBatch third;
  third.Delete(TableKey(1, 8));
  third.Put(TableKey(3, 2), "after the range deletion");
  ASSERT_TRUE(store_->Prepare(third).ok());
  const WriteBatch* batches[] = {&first, &second, &third};
  ASSERT_TRUE(store_->WriteAll(batches).ok());
  EXPECT_EQ(GetValue(*store_, TableKey(1, 0)), "a");
  EXPECT_EQ(GetValue(*store_, TableKey(1, 5)), std::nullopt);
  EXPECT_EQ(GetValue(*store_, TableKey(1, 6)), "b");
  EXPECT_EQ(GetValue(*store_, TableKey(1, 7)), "later");
  EXPECT_EQ(GetValue(*store_, TableKey(1, 8)), std::nullopt);
  EXPECT_EQ(GetValue(*store_, TableKey(2, 1)), std::nullopt);
  EXPECT_EQ(GetValue(*store_, TableKey(3, 1)), std::nullopt);
  EXPECT_EQ(GetValue(*store_, TableKey(3, 2)), "after the range deletion");
  EXPECT_EQ(ScanAll(*store_, TablePrefix(1), TablePrefix(2)).size(), 98u);
}

// Random batches, some prepared, against a map that applies the same operations in order; a
// reopened store holds the same.
TEST_P(StateStoreTest, PreparedAndPlainBatchesMatchAReference) {
  std::mt19937 random(20261126);
  std::map<std::string, std::string> expected;
  const auto key = [&](uint32_t table, int64_t id) { return TableKey(table, id); };
  for (int round = 0; round < 40; ++round) {
    std::vector<WriteBatch> batches(1 + random() % 4);
    for (WriteBatch& batch : batches) {
      const int operations = 1 + static_cast<int>(random() % 60);
      for (int i = 0; i < operations; ++i) {
        const uint32_t table = 1 + random() % 3;
        const int64_t id = random() % 40;
        const std::string k = key(table, id);
        const unsigned choice = random() % 20;
        if (choice == 0) {
          const std::string end = key(table, id + random() % 10);
          batch.DeleteRange(k, end);
          expected.erase(expected.lower_bound(k), expected.lower_bound(end));
        } else if (choice < 5) {
          batch.Delete(k);
          expected.erase(k);
        } else {
          const std::string value = std::to_string(round) + "." + std::to_string(i);
          batch.Put(k, value);
          expected[k] = value;
        }
      }
      if (random() % 2 == 0) {
        ASSERT_TRUE(store_->Prepare(batch).ok());
      }
    }
    std::vector<const WriteBatch*> parts;
    for (const WriteBatch& batch : batches) {
      parts.push_back(&batch);
    }
    const Status status = store_->WriteAll(parts);
    ASSERT_TRUE(status.ok()) << status.error().Message();
    const auto rows = ScanAll(*store_, "", "");
    const std::map<std::string, std::string> actual(rows.begin(), rows.end());
    ASSERT_EQ(actual, expected) << "round " << round;
  }
  if (GetParam() == Backend::kRocksDb) {
    // A table file left behind by a crash between Prepare and the commit is not ingested later.
    WriteBatch abandoned;
    abandoned.Put(key(1, 1), "never committed");
    ASSERT_TRUE(store_->Prepare(abandoned).ok());
    ASSERT_TRUE(store_->Close().ok());
    StoreOptions options;
    options.data_dir = directory_;
    Result<std::unique_ptr<StateStore>> reopened = StateStore::Open(options);
    ASSERT_TRUE(reopened.ok()) << reopened.error().Message();
    store_ = std::move(reopened).value();
    EXPECT_TRUE(std::filesystem::is_empty(directory_ + "/ingest"));
  }
  const auto rows = ScanAll(*store_, "", "");
  const std::map<std::string, std::string> actual(rows.begin(), rows.end());
  EXPECT_EQ(actual, expected);
}

INSTANTIATE_TEST_SUITE_P(Backends,
                         StateStoreTest,
                         ::testing::Values(Backend::kRocksDb, Backend::kMemory),
                         [](const ::testing::TestParamInfo<Backend>& info) {
                           return info.param == Backend::kRocksDb ? "RocksDb" : "Memory";
                         });

}  // namespace
}  // namespace freshet::storage
