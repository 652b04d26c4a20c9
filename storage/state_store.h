// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "common/error.h"

namespace freshet::storage {

/// How to open a StateStore; the defaults suit a server.
struct StoreOptions {
  /// The data directory (`--data-dir`); holds freshet.lock and the RocksDB files under state/.
  std::string data_dir;
  /// Creates the directory and an empty store when missing; otherwise a missing store is an error.
  bool create_if_missing = true;
  /// fsyncs the write-ahead log on every Write. Off, a Write that returned OK survives a crash of
  /// the process (the OS still holds the written log) but not of the machine; SyncWal() makes a
  /// chosen point durable.
  bool sync_writes = false;
  /// Bytes of the shared block cache for uncompressed data, index and filter blocks.
  size_t block_cache_bytes = size_t{256} << 20;
  /// Bytes of one memtable before it is flushed to a table file.
  size_t write_buffer_bytes = size_t{64} << 20;
  /// StateStore::Prepare writes the operations a batch has on one table to a table file of their
  /// own from this many bytes on; smaller ones are inserted into the memtable by the commit.
  size_t table_file_bytes = size_t{256} << 10;
};

/// A batch's operations already sorted and written to a table file by StateStore::Prepare, so that
/// the commit can add the file to the store whole instead of inserting the operations one by one.
/// Destroying it removes the file unless a commit took it. Opaque outside the store that made it.
class PreparedTable {
 public:
  PreparedTable() = default;
  PreparedTable(const PreparedTable&) = delete;
  PreparedTable& operator=(const PreparedTable&) = delete;
  virtual ~PreparedTable() = default;
};

/// An ordered set of Put / Delete / DeleteRange operations applied atomically by StateStore::Write.
/// Stores all operations in one byte buffer, so building a batch allocates only when the buffer
/// grows; Clear() keeps the buffer for the next epoch. Not thread-safe.
class WriteBatch {
 public:
  /// The kind of one operation of a batch.
  enum class Kind : uint8_t { kPut, kDelete, kDeleteRange };

  /// One operation as read back from the batch; the views point into the batch.
  struct Entry {
    Kind kind = Kind::kPut;
    std::string_view key;
    /// The value of a kPut, the exclusive end of a kDeleteRange, empty for a kDelete.
    std::string_view value;
  };

  WriteBatch() = default;
  WriteBatch(WriteBatch&&) noexcept = default;
  WriteBatch& operator=(WriteBatch&&) noexcept = default;
  ~WriteBatch();

  /// Sets `key` to `value`.
  void Put(std::string_view key, std::string_view value);
  /// Removes `key`, present or not.
  void Delete(std::string_view key);
  /// Removes every key in [begin, end).
  void DeleteRange(std::string_view begin, std::string_view end);

  /// The number of operations.
  size_t Count() const { return count_; }
  bool Empty() const { return count_ == 0; }
  /// The bytes held by the batch, for sizing flushes.
  size_t ByteSize() const { return buffer_.size(); }
  /// Removes all operations (and the prepared table) and keeps the buffer's capacity.
  void Clear();
  /// Appends every operation of `other`, after this batch's own; drops a prepared table.
  void Append(const WriteBatch& other) {
    buffer_ += other.buffer_;
    count_ += other.count_;
    prepared_.reset();
  }

  /// The table file StateStore::Prepare wrote of these operations, or null. The operations stay in
  /// the batch too, so a store may still insert them instead.
  PreparedTable* Prepared() const { return prepared_.get(); }
  /// Attaches the table file of these operations; for StateStore implementations.
  void SetPrepared(std::unique_ptr<PreparedTable> prepared) { prepared_ = std::move(prepared); }

  /// Calls `visit(const Entry&)` for each operation in the order they were added.
  template <typename Visit>
  void ForEach(Visit&& visit) const {
    Entry entry;
    for (size_t offset = 0; offset < buffer_.size();) {
      offset = ReadEntry(offset, entry);
      visit(entry);
    }
  }

 private:
  void Append(Kind kind, std::string_view key, std::string_view value);
  /// Decodes the entry at `offset` into `entry` and returns the offset of the next one.
  size_t ReadEntry(size_t offset, Entry& entry) const;

  std::string buffer_;
  size_t count_ = 0;
  std::unique_ptr<PreparedTable> prepared_;
};

/// A consistent read-only view of a StateStore as of the moment it was taken. Reads through it see
/// neither later writes nor writes in progress. Keeps the store's state alive while held; valid
/// only with the store that made it. Thread-safe.
class Snapshot {
 public:
  Snapshot() = default;
  Snapshot(const Snapshot&) = delete;
  Snapshot& operator=(const Snapshot&) = delete;
  virtual ~Snapshot() = default;
};

/// A forward cursor over a key range in key order (bytewise). Key() and Value() are valid until the
/// next Next(), Seek() or destruction. A read error ends the iteration (Valid() false) and is
/// reported by GetStatus(), so check it after the loop. Not thread-safe; one iterator per thread.
class Iterator {
 public:
  Iterator() = default;
  Iterator(const Iterator&) = delete;
  Iterator& operator=(const Iterator&) = delete;
  virtual ~Iterator() = default;

  virtual bool Valid() const = 0;
  virtual std::string_view Key() const = 0;
  virtual std::string_view Value() const = 0;
  virtual void Next() = 0;
  /// Moves to the first key >= max(target, lower bound) of the scanned range.
  virtual void Seek(std::string_view target) = 0;
  /// OK, or the error that ended the iteration.
  virtual Status GetStatus() const = 0;
};

/// The persistent key-value store under all state tables, the catalog and the committed epoch: a
/// sorted map of byte strings with atomic batches and snapshots.
///
/// Thread-safety: Get, Scan, Write, GetSnapshot, SyncWal, Flush and ApproximateSize may be called
/// from many threads at once. Close must not race with any other call. Iterators and snapshots may
/// outlive Close and the store object; they keep the underlying database open until they are
/// destroyed.
///
/// Errors are returned, never thrown: a full disk is kDiskFull, other I/O failures kIoError,
/// damaged files kDataCorrupted, each with the message of the underlying library.
class StateStore {
 public:
  /// Opens (and with create_if_missing creates) the RocksDB store in options.data_dir. Takes an
  /// exclusive lock on <data_dir>/freshet.lock first: a directory held by another live process (or
  /// another open store in this process) fails with kLockNotAvailable. The kernel drops the lock
  /// when its holder exits, however it exits.
  static Result<std::unique_ptr<StateStore>> Open(const StoreOptions& options);
  /// Returns an empty store held in memory, for tests: no directory, no lock, no durability, and
  /// snapshots that copy the map on the next write.
  static std::unique_ptr<StateStore> OpenInMemory();

  StateStore() = default;
  StateStore(const StateStore&) = delete;
  StateStore& operator=(const StateStore&) = delete;
  /// Closes the store if Close was not called, dropping any error; call Close to see it.
  virtual ~StateStore() = default;

  /// Applies all operations of `batch` atomically: after a crash either all of them are visible or
  /// none.
  Status Write(const WriteBatch& batch) {
    const WriteBatch* one = &batch;
    return WriteAll(std::span<const WriteBatch* const>(&one, 1));
  }
  /// Applies the operations of all `batches`, in order, atomically: an epoch's commit writes every
  /// actor's batch without first copying them into one. Batches with a prepared table are added as
  /// table files where the store sees fit (then the other batches become table files too, so the
  /// whole write stays one atomic step); their files are gone after a successful call.
  virtual Status WriteAll(std::span<const WriteBatch* const> batches) = 0;
  /// Sorts `batch`'s operations and writes them to a table file attached to the batch, which a
  /// later WriteAll may add to the store in one step: for large batches, far cheaper to commit than
  /// inserting each operation. Runs in the caller's thread, so many batches can be prepared at
  /// once. A store without table files leaves the batch as it is. Thread-safe.
  virtual Status Prepare(WriteBatch& batch) = 0;
  /// Returns the value of `key`, or nullopt when absent; reads as of `snapshot` when given.
  virtual Result<std::optional<std::string>> Get(std::string_view key,
                                                 const Snapshot* snapshot = nullptr) = 0;
  /// Returns an iterator over the keys in [lower_inclusive, upper_exclusive), positioned at the
  /// first one; an empty upper bound means no upper bound. Reads as of `snapshot` when given, else
  /// as of the call.
  virtual std::unique_ptr<Iterator> Scan(std::string_view lower_inclusive,
                                         std::string_view upper_exclusive,
                                         const Snapshot* snapshot = nullptr) = 0;
  /// Returns a snapshot of the current state, or null when the store is closed.
  virtual std::shared_ptr<const Snapshot> GetSnapshot() = 0;
  /// Makes every Write that returned so far durable against a machine crash (fsync of the log).
  virtual Status SyncWal() = 0;
  /// Writes the memtables to table files; for tests and before a checkpoint.
  virtual Status Flush() = 0;
  /// Returns the approximate bytes on disk and in memtables of the keys in [lower, upper); empty
  /// upper means no bound. For system relations that show state sizes.
  virtual Result<uint64_t> ApproximateSize(std::string_view lower, std::string_view upper) = 0;
  /// Closes the store and releases the data directory lock once no iterator or snapshot remains.
  /// Further calls return kObjectNotInPrerequisiteState. Idempotent.
  virtual Status Close() = 0;
};

}  // namespace freshet::storage
