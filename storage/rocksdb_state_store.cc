// SPDX-License-Identifier: Apache-2.0
// StateStore over RocksDB. Every RocksDB type stays in this file (and
// internal/rocksdb_state_store.h).
#include "storage/internal/rocksdb_state_store.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <optional>
#include <system_error>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <rocksdb/cache.h>
#include <rocksdb/convenience.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/sst_file_writer.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include "storage/data_dir_lock.h"
#include "storage/key_codec.h"
#include "storage/state_store.h"

namespace freshet::storage {
namespace internal {

Error ErrorFromRocksDb(const rocksdb::Status& status, std::string_view action) {
  std::string message = fmt::format("could not {}: {}", action, status.ToString());
  if (status.IsNoSpace()) {
    return Error(SqlState::kDiskFull, std::move(message))
        .WithHint("Free disk space in the data directory; writes fail until there is room.");
  }
  if (status.IsCorruption()) {
    return Error(SqlState::kDataCorrupted, std::move(message));
  }
  if (status.IsMemoryLimit()) {
    return Error(SqlState::kOutOfMemory, std::move(message));
  }
  if (status.IsNotSupported()) {
    return Error(SqlState::kFeatureNotSupported, std::move(message));
  }
  if (status.IsInvalidArgument()) {
    return Error(SqlState::kInvalidParameterValue, std::move(message));
  }
  if (status.IsShutdownInProgress()) {
    return Error(SqlState::kObjectNotInPrerequisiteState, std::move(message));
  }
  // IOError, Busy, TimedOut, Aborted and the rest: failures of the storage below us.
  return Error(SqlState::kIoError, std::move(message));
}

}  // namespace internal

namespace {

using internal::ErrorFromRocksDb;

/// The open database and everything that must live exactly as long as it. Shared by the store, its
/// iterators and its snapshots, so whichever is destroyed last closes RocksDB and then releases the
/// directory lock.
struct OpenDatabase {
  explicit OpenDatabase(DataDirLock data_dir_lock) : lock(std::move(data_dir_lock)) {}
  OpenDatabase(const OpenDatabase&) = delete;
  OpenDatabase& operator=(const OpenDatabase&) = delete;

  // Destroyed in reverse order: the database first, then the Env it used, then the lock.
  DataDirLock lock;
  std::shared_ptr<rocksdb::Env> env;
  /// The options the database was opened with; table files written for ingestion use them too.
  rocksdb::Options options;
  /// Where prepared table files are written before WriteAll moves them into the database.
  std::string ingest_dir;
  std::atomic<uint64_t> next_table_file{0};
  std::unique_ptr<rocksdb::DB> db;

  ~OpenDatabase() {
    if (db != nullptr) {
      // The store's Close() reports errors; here nobody is left to tell.
      db->Close().PermitUncheckedError();
    }
  }
};

Error ClosedError() {
  return Error(SqlState::kObjectNotInPrerequisiteState, "state store is closed");
}

/// A RocksDB snapshot, released when the last holder lets go.
class RocksDbSnapshot final : public Snapshot,
                              public std::enable_shared_from_this<RocksDbSnapshot> {
 public:
  explicit RocksDbSnapshot(std::shared_ptr<OpenDatabase> database)
      : database_(std::move(database)), snapshot_(database_->db->GetSnapshot()) {}
  ~RocksDbSnapshot() override { database_->db->ReleaseSnapshot(snapshot_); }

  const rocksdb::Snapshot* Get() const { return snapshot_; }
  const OpenDatabase* Owner() const { return database_.get(); }

 private:
  std::shared_ptr<OpenDatabase> database_;
  const rocksdb::Snapshot* snapshot_;
};

/// An iterator that failed before it started: never valid, reports its error.
class FailedIterator final : public Iterator {
 public:
  explicit FailedIterator(Error error) : error_(std::move(error)) {}

  bool Valid() const override { return false; }
  std::string_view Key() const override { return {}; }
  std::string_view Value() const override { return {}; }
  void Next() override {}
  void Seek(std::string_view) override {}
  Status GetStatus() const override { return error_; }

 private:
  Error error_;
};

std::string_view ToView(const rocksdb::Slice& slice) {
  return std::string_view(slice.data(), slice.size());
}

rocksdb::Slice ToSlice(std::string_view view) {
  return rocksdb::Slice(view.data(), view.size());
}

/// A bounded forward RocksDB iterator. Owns the bounds (RocksDB keeps pointers to them) and holds
/// the database and the snapshot so neither goes away under it.
class RocksDbIterator final : public Iterator {
 public:
  RocksDbIterator(std::shared_ptr<OpenDatabase> database,
                  std::shared_ptr<const RocksDbSnapshot> snapshot,
                  std::string_view lower,
                  std::string_view upper)
      : database_(std::move(database)),
        snapshot_(std::move(snapshot)),
        lower_(lower),
        upper_(upper),
        upper_slice_(upper_) {
    rocksdb::ReadOptions read_options;
    read_options.snapshot = snapshot_ != nullptr ? snapshot_->Get() : nullptr;
    if (!upper_.empty()) {
      read_options.iterate_upper_bound = &upper_slice_;
    }
    // Prefix seek (and with it the prefix bloom filters) gives the same result as a total-order
    // seek exactly when both bounds lie in one table prefix; otherwise ask for total order
    // explicitly. We decide ourselves rather than use auto_prefix_mode, whose documented corner
    // cases we would rather not reason about.
    const bool one_prefix = lower_.size() >= kTablePrefixSize &&
                            upper_.size() >= kTablePrefixSize &&
                            std::memcmp(lower_.data(), upper_.data(), kTablePrefixSize) == 0;
    read_options.total_order_seek = !one_prefix;
    read_options.prefix_same_as_start = one_prefix;
    iterator_.reset(database_->db->NewIterator(read_options));
    iterator_->Seek(ToSlice(lower_));
  }

  bool Valid() const override { return iterator_->Valid(); }
  std::string_view Key() const override { return ToView(iterator_->key()); }
  std::string_view Value() const override { return ToView(iterator_->value()); }
  void Next() override { iterator_->Next(); }
  void Seek(std::string_view target) override {
    if (target < lower_) {
      target = lower_;
    }
    if (!upper_.empty() && target > upper_) {
      // Past the range: seeking to the (excluded) upper bound ends the iteration and keeps the seek
      // key in the bounds' prefix, as prefix mode requires.
      target = upper_;
    }
    iterator_->Seek(ToSlice(target));
  }
  Status GetStatus() const override {
    const rocksdb::Status status = iterator_->status();
    if (status.ok()) {
      return Status::Ok();
    }
    return ErrorFromRocksDb(status, "read from state store");
  }

 private:
  std::shared_ptr<OpenDatabase> database_;
  std::shared_ptr<const RocksDbSnapshot> snapshot_;
  std::string lower_;
  std::string upper_;
  rocksdb::Slice upper_slice_;
  // Declared last so it is destroyed before the bounds, the snapshot and the database it reads.
  std::unique_ptr<rocksdb::Iterator> iterator_;
};

/// The table files Prepare wrote of a batch's large tables, waiting for WriteAll to ingest them,
/// and which tables they hold: the batch's operations on other tables are not in them. The files
/// are removed with the object; after a successful ingestion RocksDB has already moved them away.
class RocksDbPreparedTable final : public PreparedTable {
 public:
  explicit RocksDbPreparedTable(const OpenDatabase* owner) : owner_(owner) {}
  ~RocksDbPreparedTable() override {
    for (const std::string& path : paths_) {
      std::error_code ignored;
      std::filesystem::remove(path, ignored);
    }
  }

  void Add(std::string path, std::string_view table_prefix) {
    paths_.push_back(std::move(path));
    table_prefixes_.emplace_back(table_prefix);
  }
  const std::vector<std::string>& Paths() const { return paths_; }
  void AppendPrefixes(std::vector<std::string_view>& out) const {
    out.insert(out.end(), table_prefixes_.begin(), table_prefixes_.end());
  }
  /// True when `key`'s operations are in the files.
  bool Holds(std::string_view key) const {
    const std::string_view prefix = key.substr(0, kTablePrefixSize);
    return std::find(table_prefixes_.begin(), table_prefixes_.end(), prefix) !=
           table_prefixes_.end();
  }
  const OpenDatabase* Owner() const { return owner_; }

 private:
  std::vector<std::string> paths_;
  std::vector<std::string> table_prefixes_;
  const OpenDatabase* owner_;
};

/// One operation of the batches a table file is written from, with its place in their order.
struct OrderedOperation {
  WriteBatch::Kind kind;
  uint32_t order;
  std::string_view key;
  std::string_view value;
};

/// Operations of one or more batches in their order: point operations (puts and deletes) and
/// range deletions apart.
struct OrderedOperations {
  std::vector<OrderedOperation> points;
  std::vector<OrderedOperation> ranges;

  /// Appends `batch`'s operations except those `prepared` holds in its files.
  void Collect(const WriteBatch& batch, const RocksDbPreparedTable* prepared) {
    batch.ForEach([&](const WriteBatch::Entry& entry) {
      const OrderedOperation operation{entry.kind, next_order++, entry.key, entry.value};
      if (entry.kind == WriteBatch::Kind::kDeleteRange) {
        ranges.push_back(operation);
      } else if (prepared == nullptr || !prepared->Holds(entry.key)) {
        points.push_back(operation);
      }
    });
  }
  /// Sorts the point operations by key, the operations on one key in their order.
  void SortPoints() {
    // Epoch batches usually arrive in key order (rows keyed by an increasing row id): check that
    // before paying for a sort.
    const bool strictly_ascending =
        std::adjacent_find(points.begin(), points.end(), [](const auto& a, const auto& b) {
          return !(a.key < b.key);
        }) == points.end();
    if (!strictly_ascending) {
      std::stable_sort(points.begin(), points.end(),
                       [](const auto& a, const auto& b) { return a.key < b.key; });
    }
  }

  uint32_t next_order = 0;
};

/// Writes the net effect of `points` (sorted by SortPoints) and `ranges` to a new table file at
/// `path`: the last operation on each key, minus those a later range deletion covers, then the
/// range deletions unless `skip_ranges` (they go to another file). Sets `written` to false, and
/// writes nothing, when no operation remains.
rocksdb::Status WriteTableFile(const rocksdb::Options& options,
                               std::span<const OrderedOperation> points,
                               std::span<const OrderedOperation> ranges,
                               bool skip_ranges,
                               const std::string& path,
                               bool& written) {
  written = false;
  // In one table file a range deletion does not cover the file's own points, so a point that a
  // later range deletion removes is left out here.
  const auto survives = [&](size_t index) {
    const OrderedOperation& point = points[index];
    if (index + 1 < points.size() && points[index + 1].key == point.key) {
      return false;
    }
    for (const OrderedOperation& range : ranges) {
      if (range.order > point.order && range.key <= point.key && point.key < range.value) {
        return false;
      }
    }
    return true;
  };
  rocksdb::SstFileWriter writer(rocksdb::EnvOptions(options), options);
  bool opened = false;
  rocksdb::Status status;
  const auto open = [&] {
    if (!opened) {
      status = writer.Open(path);
      opened = true;
    }
    return status.ok();
  };
  for (size_t index = 0; index < points.size(); ++index) {
    if (!survives(index)) {
      continue;
    }
    if (!open()) {
      return status;
    }
    const OrderedOperation& point = points[index];
    status = point.kind == WriteBatch::Kind::kPut
                 ? writer.Put(ToSlice(point.key), ToSlice(point.value))
                 : writer.Delete(ToSlice(point.key));
    if (!status.ok()) {
      return status;
    }
  }
  for (const OrderedOperation& range : ranges) {
    if (skip_ranges || range.key >= range.value) {
      continue;  // elsewhere, or empty: deletes nothing, and the writer refuses it
    }
    if (!open()) {
      return status;
    }
    status = writer.DeleteRange(ToSlice(range.key), ToSlice(range.value));
    if (!status.ok()) {
      return status;
    }
  }
  if (!opened) {
    return rocksdb::Status::OK();
  }
  status = writer.Finish();
  written = status.ok();
  return status;
}

rocksdb::Options MakeRocksDbOptions(const StoreOptions& options) {
  rocksdb::Options db_options;
  db_options.create_if_missing = options.create_if_missing;
  // Flushes and compactions in the background in parallel, so a burst of writes does not stall on
  // one thread.
  db_options.max_background_jobs = 4;
  // Leveled compaction with dynamic level sizes keeps space amplification near 1.1 whatever the
  // data size.
  db_options.level_compaction_dynamic_level_bytes = true;
  // Writes table files out to the OS incrementally instead of in one burst at the end of a flush.
  db_options.bytes_per_sync = 1 << 20;
  // After a crash, replay the log up to the last intact record (a torn tail is dropped, not an
  // error): every Write that returned OK was fully appended, so nothing acknowledged is lost.
  db_options.wal_recovery_mode = rocksdb::WALRecoveryMode::kPointInTimeRecovery;
  // RocksDB's own LOG files: keep a few bounded ones rather than one per start forever.
  db_options.keep_log_file_num = 5;
  db_options.max_log_file_size = 16 << 20;
  db_options.write_buffer_size = options.write_buffer_bytes;
  // Operators look up many keys that do not exist yet (a new group, a new join key); a memtable
  // bloom filter over whole keys answers those without searching the skiplist.
  db_options.memtable_prefix_bloom_size_ratio = 0.02;
  db_options.memtable_whole_key_filtering = true;
  // Keys start with a keyspace byte and a table id: the prefix bloom filters let a scan within one
  // table skip table files that hold none of its rows.
  db_options.prefix_extractor.reset(rocksdb::NewFixedPrefixTransform(kTablePrefixSize));

  // LZ4 costs little CPU for a good ratio on state rows, when this RocksDB build has it. Not ZSTD
  // for the bottommost level, though it is denser: the rows a view appends are written straight
  // to that level (see Prepare), and ZSTD there took half the CPU of an append-only view.
  const std::vector<rocksdb::CompressionType> supported = rocksdb::GetSupportedCompressions();
  const bool has_lz4 =
      std::find(supported.begin(), supported.end(), rocksdb::kLZ4Compression) != supported.end();
  db_options.compression = has_lz4 ? rocksdb::kLZ4Compression : rocksdb::kNoCompression;

  rocksdb::BlockBasedTableOptions table_options;
  // One LRU cache bounds the memory of data, index and filter blocks together.
  table_options.block_cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  table_options.cache_index_and_filter_blocks = true;
  // ...but the level-0 filters and indexes, touched by every read, stay pinned so they are never
  // evicted.
  table_options.pin_l0_filter_and_index_blocks_in_cache = true;
  // 16 KiB blocks compress better than the 4 KiB default and suit the range scans of state tables.
  table_options.block_size = 16 << 10;
  // 10 bits per key: about 1% false positives for point lookups of absent keys, on whole keys and
  // prefixes.
  table_options.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  table_options.whole_key_filtering = true;
  db_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table_options));
  return db_options;
}

/// StateStore over one RocksDB database in <data_dir>/state.
class RocksDbStateStore final : public StateStore {
 public:
  RocksDbStateStore(std::shared_ptr<OpenDatabase> database, const StoreOptions& options)
      : database_(std::move(database)),
        sync_writes_(options.sync_writes),
        table_file_bytes_(options.table_file_bytes) {}

  ~RocksDbStateStore() override { Close().IgnoreError(); }

  Status WriteAll(std::span<const WriteBatch* const> batches) override {
    if (database_ == nullptr) {
      return ClosedError();
    }
    const bool any_prepared = std::any_of(batches.begin(), batches.end(), [&](const WriteBatch* b) {
      return OwnPrepared(*b) != nullptr;
    });
    if (any_prepared && !Level0Crowded()) {
      return Ingest(batches);
    }
    size_t bytes = 64;
    size_t count = 0;
    for (const WriteBatch* batch : batches) {
      bytes += batch->ByteSize() + batch->Count() * 8;
      count += batch->Count();
    }
    if (count == 0) {
      return Status::Ok();
    }
    // Large writes (an epoch's commit) reuse one RocksDB batch, so its buffer is not allocated
    // and faulted in again on every commit; small ones build their own.
    constexpr size_t kReuseBytes = size_t{1} << 20;
    std::unique_lock<std::mutex> reuse_lock(reusable_mutex_, std::defer_lock);
    std::optional<rocksdb::WriteBatch> own;
    rocksdb::WriteBatch* target = nullptr;
    if (bytes >= kReuseBytes) {
      reuse_lock.lock();
      reusable_batch_.Clear();
      target = &reusable_batch_;
    } else {
      target = &own.emplace(bytes);
    }
    rocksdb::WriteBatch& rocksdb_batch = *target;
    rocksdb::Status status;
    for (const WriteBatch* batch : batches) {
      batch->ForEach([&](const WriteBatch::Entry& entry) {
        if (!status.ok()) {
          return;
        }
        switch (entry.kind) {
          case WriteBatch::Kind::kPut:
            status = rocksdb_batch.Put(ToSlice(entry.key), ToSlice(entry.value));
            break;
          case WriteBatch::Kind::kDelete:
            status = rocksdb_batch.Delete(ToSlice(entry.key));
            break;
          case WriteBatch::Kind::kDeleteRange:
            status = rocksdb_batch.DeleteRange(ToSlice(entry.key), ToSlice(entry.value));
            break;
        }
      });
    }
    if (!status.ok()) {
      return ErrorFromRocksDb(status, "build write batch");
    }
    rocksdb::WriteOptions write_options;
    write_options.sync = sync_writes_;
    status = database_->db->Write(write_options, &rocksdb_batch);
    if (!status.ok()) {
      return ErrorFromRocksDb(status, "write to state store");
    }
    return Status::Ok();
  }

  Status Prepare(WriteBatch& batch) override {
    if (database_ == nullptr) {
      return ClosedError();
    }
    if (batch.Empty() || OwnPrepared(batch) != nullptr) {
      return Status::Ok();
    }
    OrderedOperations operations;
    operations.Collect(batch, nullptr);
    if (!operations.ranges.empty()) {
      return Status::Ok();  // rare (dropping state); not worth splitting around
    }
    operations.SortPoints();
    // Each table with enough operations gets a file of its own; the rest stay for the commit. So
    // the rows a view appends go to files no other file overlaps, which RocksDB can place at the
    // bottom level, and small state tables do not turn into many small files.
    auto prepared = std::make_unique<RocksDbPreparedTable>(database_.get());
    const std::span<const OrderedOperation> points(operations.points);
    for (size_t begin = 0; begin < points.size();) {
      const std::string_view prefix = points[begin].key.substr(0, kTablePrefixSize);
      size_t end = begin;
      size_t bytes = 0;
      while (end < points.size() && points[end].key.substr(0, kTablePrefixSize) == prefix) {
        bytes += points[end].key.size() + points[end].value.size();
        ++end;
      }
      if (bytes >= table_file_bytes_) {
        Result<std::optional<std::string>> path =
            WriteTable(points.subspan(begin, end - begin), {});
        if (!path.ok()) {
          return path.error();
        }
        if (path.value()) {
          prepared->Add(std::move(*path.value()), prefix);
        }
      }
      begin = end;
    }
    if (!prepared->Paths().empty()) {
      batch.SetPrepared(std::move(prepared));
    }
    return Status::Ok();
  }

  Result<std::optional<std::string>> Get(std::string_view key, const Snapshot* snapshot) override {
    if (database_ == nullptr) {
      return ClosedError();
    }
    rocksdb::ReadOptions read_options;
    if (snapshot != nullptr) {
      Result<std::shared_ptr<const RocksDbSnapshot>> own = OwnSnapshot(snapshot);
      if (!own.ok()) {
        return own.error();
      }
      read_options.snapshot = own.value()->Get();
    }
    std::string value;
    const rocksdb::Status status = database_->db->Get(read_options, ToSlice(key), &value);
    if (status.IsNotFound()) {
      return std::optional<std::string>();
    }
    if (!status.ok()) {
      return ErrorFromRocksDb(status, "read from state store");
    }
    return std::optional<std::string>(std::move(value));
  }

  std::unique_ptr<Iterator> Scan(std::string_view lower_inclusive,
                                 std::string_view upper_exclusive,
                                 const Snapshot* snapshot) override {
    if (database_ == nullptr) {
      return std::make_unique<FailedIterator>(ClosedError());
    }
    std::shared_ptr<const RocksDbSnapshot> own;
    if (snapshot != nullptr) {
      Result<std::shared_ptr<const RocksDbSnapshot>> result = OwnSnapshot(snapshot);
      if (!result.ok()) {
        return std::make_unique<FailedIterator>(result.error());
      }
      own = std::move(result).value();
    }
    return std::make_unique<RocksDbIterator>(database_, std::move(own), lower_inclusive,
                                             upper_exclusive);
  }

  std::shared_ptr<const Snapshot> GetSnapshot() override {
    if (database_ == nullptr) {
      return nullptr;
    }
    return std::make_shared<RocksDbSnapshot>(database_);
  }

  Status SyncWal() override {
    if (database_ == nullptr) {
      return ClosedError();
    }
    const rocksdb::Status status = database_->db->SyncWAL();
    if (!status.ok()) {
      return ErrorFromRocksDb(status, "sync state store log");
    }
    return Status::Ok();
  }

  Status Flush() override {
    if (database_ == nullptr) {
      return ClosedError();
    }
    const rocksdb::Status status = database_->db->Flush(rocksdb::FlushOptions());
    if (!status.ok()) {
      return ErrorFromRocksDb(status, "flush state store");
    }
    return Status::Ok();
  }

  Result<uint64_t> ApproximateSize(std::string_view lower, std::string_view upper) override {
    if (database_ == nullptr) {
      return ClosedError();
    }
    // No key of ours starts with 0xFF (see Keyspace), so this stands in for "no upper bound".
    const std::string end = upper.empty() ? std::string(16, '\xFF') : std::string(upper);
    const rocksdb::Range range(ToSlice(lower), rocksdb::Slice(end));
    rocksdb::SizeApproximationOptions size_options;
    size_options.include_memtables = true;
    size_options.include_files = true;
    uint64_t size = 0;
    const rocksdb::Status status = database_->db->GetApproximateSizes(
        size_options, database_->db->DefaultColumnFamily(), &range, 1, &size);
    if (!status.ok()) {
      return ErrorFromRocksDb(status, "estimate state size");
    }
    return size;
  }

  Status Close() override {
    if (database_ == nullptr) {
      return Status::Ok();
    }
    std::shared_ptr<OpenDatabase> database = std::move(database_);
    if (database.use_count() > 1) {
      // Iterators or snapshots still read it; the last of them closes it (see OpenDatabase).
      return Status::Ok();
    }
    const rocksdb::Status status = database->db->Close();
    database->db.reset();
    database->lock.Release();
    if (!status.ok()) {
      return ErrorFromRocksDb(status, "close state store");
    }
    return Status::Ok();
  }

 private:
  // Checks that `snapshot` was taken from this store and returns it as ours.
  Result<std::shared_ptr<const RocksDbSnapshot>> OwnSnapshot(const Snapshot* snapshot) const {
    const auto* own = dynamic_cast<const RocksDbSnapshot*>(snapshot);
    if (own == nullptr || own->Owner() != database_.get()) {
      return Error::Internal("snapshot belongs to another state store");
    }
    return own->shared_from_this();
  }

  /// The prepared table of `batch` when this store made it, else null.
  const RocksDbPreparedTable* OwnPrepared(const WriteBatch& batch) const {
    const auto* table = dynamic_cast<const RocksDbPreparedTable*>(batch.Prepared());
    return table != nullptr && table->Owner() == database_.get() ? table : nullptr;
  }

  /// Writes the net effect of `points` and `ranges` to a new table file and returns its path;
  /// nullopt when nothing remains to write.
  Result<std::optional<std::string>> WriteTable(std::span<const OrderedOperation> points,
                                                std::span<const OrderedOperation> ranges,
                                                bool skip_ranges = false) {
    std::string path =
        fmt::format("{}/{}.sst", database_->ingest_dir, database_->next_table_file.fetch_add(1));
    bool written = false;
    const rocksdb::Status status =
        WriteTableFile(database_->options, points, ranges, skip_ranges, path, written);
    if (!status.ok()) {
      std::error_code ignored;
      std::filesystem::remove(path, ignored);
      return ErrorFromRocksDb(status, "write table file");
    }
    return written ? std::optional<std::string>(std::move(path)) : std::nullopt;
  }

  /// Too many level-0 files make every read look in each of them; then a commit inserts its
  /// operations into the memtable instead of adding more files, and compaction catches up.
  bool Level0Crowded() const {
    uint64_t files = 0;
    return database_->db->GetIntProperty("rocksdb.num-files-at-level0", &files) &&
           files >= kCrowdedLevel0Files;
  }

  /// Applies `batches` by ingesting table files in one atomic step: the prepared files, and files
  /// of the remaining operations of each run of batches between them, in the batches' order (a
  /// later file wins over an earlier one on the same key).
  Status Ingest(std::span<const WriteBatch* const> batches) {
    // A run's file stops short of every prepared table, so that it does not overlap their files:
    // RocksDB places a file that overlaps no other below all of them, where it is never compacted
    // again (the rows an append-only view adds each epoch).
    std::vector<std::string_view> prepared_tables;
    for (const WriteBatch* batch : batches) {
      if (const RocksDbPreparedTable* prepared = OwnPrepared(*batch)) {
        prepared->AppendPrefixes(prepared_tables);
      }
    }
    std::sort(prepared_tables.begin(), prepared_tables.end());
    std::vector<std::string> paths;
    // The files of runs, removed on every return: after a successful ingestion they were moved.
    std::vector<std::string> run_paths;
    struct RemoveFiles {
      std::vector<std::string>& paths;
      ~RemoveFiles() {
        for (const std::string& path : paths) {
          std::error_code ignored;
          std::filesystem::remove(path, ignored);
        }
      }
    } remove_run_files{run_paths};
    OrderedOperations run;
    const auto write = [&](std::span<const OrderedOperation> points, bool skip_ranges) -> Status {
      Result<std::optional<std::string>> path = WriteTable(points, run.ranges, skip_ranges);
      if (!path.ok()) {
        return path.error();
      }
      if (path.value()) {
        paths.push_back(*path.value());
        run_paths.push_back(std::move(*path.value()));
      }
      return Status::Ok();
    };
    const auto end_run = [&]() -> Status {
      run.SortPoints();
      const std::span<const OrderedOperation> points(run.points);
      size_t begin = 0;
      // Not with range deletions: in the run's last file they would cover the points of its
      // earlier files that came after them.
      for (size_t index = 1; run.ranges.empty() && index < points.size(); ++index) {
        auto next_table =
            std::upper_bound(prepared_tables.begin(), prepared_tables.end(), points[index - 1].key);
        if (next_table != prepared_tables.end() && *next_table <= points[index].key) {
          if (Status status = write(points.subspan(begin, index - begin), true); !status.ok()) {
            return status;
          }
          begin = index;
        }
      }
      if (Status status = write(points.subspan(begin), false); !status.ok()) {
        return status;
      }
      run = OrderedOperations();
      return Status::Ok();
    };
    for (const WriteBatch* batch : batches) {
      const RocksDbPreparedTable* prepared = OwnPrepared(*batch);
      if (prepared != nullptr) {
        if (Status status = end_run(); !status.ok()) {
          return status;
        }
        paths.insert(paths.end(), prepared->Paths().begin(), prepared->Paths().end());
      }
      run.Collect(*batch, prepared);
    }
    if (Status status = end_run(); !status.ok()) {
      return status;
    }
    if (paths.empty()) {
      return Status::Ok();
    }
    rocksdb::IngestExternalFileOptions ingest_options;
    // Hard-links the files into the database (same file system) instead of copying them.
    ingest_options.move_files = true;
    const rocksdb::Status status = database_->db->IngestExternalFile(paths, ingest_options);
    if (!status.ok()) {
      return ErrorFromRocksDb(status, "add table files to state store");
    }
    return Status::Ok();
  }

  static constexpr uint64_t kCrowdedLevel0Files = 12;

  /// The batch large writes reuse, and the lock that lets one writer use it at a time.
  std::mutex reusable_mutex_;
  rocksdb::WriteBatch reusable_batch_;
  std::shared_ptr<OpenDatabase> database_;
  const bool sync_writes_;
  const size_t table_file_bytes_;
};

}  // namespace

namespace internal {

Result<std::unique_ptr<StateStore>> OpenRocksDbStateStore(const StoreOptions& options,
                                                          std::shared_ptr<rocksdb::Env> env) {
  if (options.data_dir.empty()) {
    return Error(SqlState::kInvalidParameterValue, "data directory must not be empty");
  }
  std::error_code error;
  if (!std::filesystem::is_directory(options.data_dir, error)) {
    if (!options.create_if_missing) {
      return Error::Io(fmt::format("data directory \"{}\" does not exist", options.data_dir));
    }
    std::filesystem::create_directories(options.data_dir, error);
    if (error) {
      return Error::Io(fmt::format("could not create data directory \"{}\": {}", options.data_dir,
                                   error.message()));
    }
  }
  // Our own lock before RocksDB's: it names the pid of the holder, and it is the one the docs
  // promise.
  Result<DataDirLock> lock = DataDirLock::Acquire(options.data_dir);
  if (!lock.ok()) {
    return lock.error();
  }

  auto database = std::make_shared<OpenDatabase>(std::move(lock).value());
  database->env = std::move(env);
  rocksdb::Options db_options = MakeRocksDbOptions(options);
  if (database->env != nullptr) {
    db_options.env = database->env.get();
  }
  // Table files prepared but not ingested before a crash are of no use: start with none.
  database->ingest_dir = options.data_dir + "/ingest";
  std::filesystem::remove_all(database->ingest_dir, error);
  std::filesystem::create_directories(database->ingest_dir, error);
  if (error) {
    return Error::Io(fmt::format("could not create directory \"{}\": {}", database->ingest_dir,
                                 error.message()));
  }
  database->options = db_options;
  const std::string path = options.data_dir + "/state";
  rocksdb::DB* db = nullptr;
  const rocksdb::Status status = rocksdb::DB::Open(db_options, path, &db);
  if (!status.ok()) {
    return ErrorFromRocksDb(status, fmt::format("open state store \"{}\"", path));
  }
  database->db.reset(db);
  return std::unique_ptr<StateStore>(
      std::make_unique<RocksDbStateStore>(std::move(database), options));
}

}  // namespace internal

Result<std::unique_ptr<StateStore>> StateStore::Open(const StoreOptions& options) {
  return internal::OpenRocksDbStateStore(options, nullptr);
}

}  // namespace freshet::storage
