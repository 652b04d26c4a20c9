// SPDX-License-Identifier: Apache-2.0
#include "engine/database.h"

#include <thread>

#include <fmt/format.h>

#include "common/error.h"
#include "common/logging.h"
#include "engine/materialized_view.h"
#include "executor/table_codec.h"
#include "storage/key_codec.h"

namespace freshet::engine {
namespace {

constexpr std::string_view kCatalogKeyPrefix = "catalog/";

std::string CatalogKey(catalog::ObjectId id) {
  std::string key = storage::SystemKey(kCatalogKeyPrefix);
  storage::AppendUint32(id, key);
  return key;
}

std::string NextObjectIdKey() {
  return storage::SystemKey("next_object_id");
}

}  // namespace

Database::Database(DatabaseOptions options) : options_(std::move(options)) {}

Database::~Database() {
  Close();
}

std::unique_ptr<Database> Database::Open(const DatabaseOptions& options) {
  std::unique_ptr<Database> database(new Database(options));
  storage::StoreOptions store_options;
  store_options.data_dir = options.data_dir;
  database->store_ = storage::StateStore::Open(store_options).ValueOrThrow();
  database->LoadCatalog();
  database->StartStreams();
  FRESHET_LOG_INFO("engine", "opened data directory {} with {} relations", options.data_dir,
                   database->catalog_.Snapshot()->RelationsById().size());
  return database;
}

void Database::LoadCatalog() {
  const std::string prefix = storage::SystemKey(kCatalogKeyPrefix);
  auto iterator = store_->Scan(prefix, storage::PrefixUpperBound(prefix));
  for (; iterator->Valid(); iterator->Next()) {
    catalog_.Put(
        std::make_shared<const catalog::Relation>(catalog::DeserializeRelation(iterator->Value())));
  }
  iterator->GetStatus().ThrowIfError();
  auto next_id = store_->Get(NextObjectIdKey()).ValueOrThrow();
  if (next_id) {
    std::string_view bytes = *next_id;
    next_object_id_ = storage::ReadUint32(bytes).ValueOrThrow();
  }
}

void Database::StartStreams() {
  workers_ =
      options_.workers != 0 ? options_.workers : std::max(1u, std::thread::hardware_concurrency());
  uint64_t committed_epoch = 0;
  if (auto stored = store_->Get(executor::stream::StreamRuntime::EpochKey()).ValueOrThrow()) {
    std::string_view bytes = *stored;
    committed_epoch = storage::ReadUint64(bytes).ValueOrThrow();
  }
  executor::stream::RuntimeOptions runtime_options;
  runtime_options.workers = workers_;
  runtime_options.checkpoint_interval_micros = options_.checkpoint_interval_micros;
  streams_ =
      std::make_unique<executor::stream::StreamRuntime>(*store_, runtime_options, committed_epoch);
  RecoverViews(*this);
  streams_->Start();
}

std::mutex& Database::TableWriteMutex(catalog::ObjectId table_id) {
  std::lock_guard lock(table_mutexes_mutex_);
  auto& mutex = table_mutexes_[table_id];
  if (!mutex) {
    mutex = std::make_unique<std::mutex>();
  }
  return *mutex;
}

catalog::ObjectId Database::AllocateObjectId(storage::WriteBatch& batch) {
  const catalog::ObjectId id = next_object_id_++;
  std::string bytes;
  storage::AppendUint32(next_object_id_, bytes);
  batch.Put(NextObjectIdKey(), bytes);
  return id;
}

void Database::PutRelation(const catalog::Relation& relation, storage::WriteBatch& batch) {
  batch.Put(CatalogKey(relation.id), catalog::SerializeRelation(relation));
}

void Database::DropRelation(const catalog::Relation& relation, storage::WriteBatch& batch) {
  batch.Delete(CatalogKey(relation.id));
  const std::string rows = storage::TablePrefix(relation.id);
  batch.DeleteRange(rows, storage::PrefixUpperBound(rows));
  batch.Delete(executor::TableRowIdKey(relation.id));
  const std::string state = storage::ViewStatePrefix(relation.id);
  batch.DeleteRange(state, storage::PrefixUpperBound(state));
}

void Database::Close() {
  if (streams_) {
    streams_->Stop();
    streams_.reset();
  }
  if (store_) {
    Status status = store_->Close();
    if (!status.ok()) {
      FRESHET_LOG_ERROR("engine", "closing the store failed: {}", status.error().Message());
    }
    store_.reset();
  }
}

}  // namespace freshet::engine
