// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "catalog/catalog.h"
#include "executor/stream/runtime.h"
#include "storage/state_store.h"

namespace freshet::engine {

/// How to open a Database.
struct DatabaseOptions {
  /// The data directory (`--data-dir`).
  std::string data_dir = "./freshet-data";
  /// Bytes one query's blocking operators may hold before it fails with 53200.
  size_t query_memory_limit_bytes = size_t{2} << 30;
  /// Worker threads of the streaming engine, and the parallelism of new views (`--workers`); 0
  /// means one per core.
  uint32_t workers = 0;
  /// Time between periodic checkpoints of the streaming engine.
  int64_t checkpoint_interval_micros = 1'000'000;
};

/// One Freshet database: the state store, the catalog loaded from it, and the locks that serialize
/// DDL and the writes to each table. Thread-safe; shared by all sessions.
class Database {
 public:
  /// Opens the data directory (creating it if missing) and loads the catalog; throws Error, e.g.
  /// 55P03 when another freshet process holds the directory.
  static std::unique_ptr<Database> Open(const DatabaseOptions& options);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  const DatabaseOptions& Options() const { return options_; }
  storage::StateStore& Store() { return *store_; }
  catalog::Catalog& Catalog() { return catalog_; }
  /// The streaming engine running every materialized view.
  executor::stream::StreamRuntime& Streams() { return *streams_; }
  /// The parallelism of new views.
  uint32_t Workers() const { return workers_; }

  /// Held by every DDL statement: catalog changes are applied one at a time.
  std::mutex& DdlMutex() { return ddl_mutex_; }
  /// Held while a statement writes to table `table_id`, so that key checks and row ids are
  /// race-free.
  std::mutex& TableWriteMutex(catalog::ObjectId table_id);

  /// Returns a fresh object id; persisted in `batch` so it is never reused. Call with DdlMutex()
  /// held.
  catalog::ObjectId AllocateObjectId(storage::WriteBatch& batch);
  /// Adds the catalog entry of `relation` to `batch`.
  static void PutRelation(const catalog::Relation& relation, storage::WriteBatch& batch);
  /// Adds the removal of `relation`, all its rows and its operators' state to `batch`.
  static void DropRelation(const catalog::Relation& relation, storage::WriteBatch& batch);

  /// Closes the store; further use is an error. Called by the destructor if not before.
  void Close();

 private:
  explicit Database(DatabaseOptions options);
  void LoadCatalog();
  /// Starts the streaming engine at the last committed epoch and redeploys every view.
  void StartStreams();

  DatabaseOptions options_;
  std::unique_ptr<storage::StateStore> store_;
  catalog::Catalog catalog_;
  uint32_t workers_ = 1;
  std::unique_ptr<executor::stream::StreamRuntime> streams_;
  std::mutex ddl_mutex_;
  std::mutex table_mutexes_mutex_;
  std::map<catalog::ObjectId, std::unique_ptr<std::mutex>> table_mutexes_;
  catalog::ObjectId next_object_id_ = catalog::kFirstUserObjectId;
};

}  // namespace freshet::engine
