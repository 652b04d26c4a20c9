// SPDX-License-Identifier: Apache-2.0
// StateStore in memory, for tests of the operators and tables above storage.
#include <map>
#include <mutex>
#include <shared_mutex>

#include "storage/state_store.h"

namespace freshet::storage {
namespace {

using Map = std::map<std::string, std::string, std::less<>>;

Error ClosedError() {
  return Error(SqlState::kObjectNotInPrerequisiteState, "state store is closed");
}

std::optional<std::string> Lookup(const Map& map, std::string_view key) {
  auto found = map.find(key);
  if (found == map.end()) {
    return std::nullopt;
  }
  return found->second;
}

/// A frozen map: writes after it was taken copy the map instead of changing this one.
class MemorySnapshot final : public Snapshot {
 public:
  MemorySnapshot(std::shared_ptr<const Map> map, const void* owner)
      : map_(std::move(map)), owner_(owner) {}

  const std::shared_ptr<const Map>& GetMap() const { return map_; }
  const void* Owner() const { return owner_; }

 private:
  std::shared_ptr<const Map> map_;
  const void* owner_;
};

/// Iterates a frozen map between two bounds.
class MemoryIterator final : public Iterator {
 public:
  MemoryIterator(std::shared_ptr<const Map> map, std::string_view lower, std::string_view upper)
      : map_(std::move(map)), lower_(lower), upper_(upper) {
    Seek(lower_);
  }

  bool Valid() const override {
    return position_ != map_->end() && (upper_.empty() || position_->first < upper_);
  }
  std::string_view Key() const override { return position_->first; }
  std::string_view Value() const override { return position_->second; }
  void Next() override { ++position_; }
  void Seek(std::string_view target) override {
    position_ = map_->lower_bound(target < lower_ ? std::string_view(lower_) : target);
  }
  Status GetStatus() const override { return Status::Ok(); }

 private:
  std::shared_ptr<const Map> map_;
  std::string lower_;
  std::string upper_;
  Map::const_iterator position_;
};

/// An iterator over a closed store or with a foreign snapshot.
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

/// StateStore over a copy-on-write std::map. A read that pins the map (a snapshot or a running
/// scan) makes the next write copy it, so this is for tests only. Thread-safe like StateStore.
class MemoryStateStore final : public StateStore {
 public:
  MemoryStateStore() : map_(std::make_shared<Map>()) {}

  Status WriteAll(std::span<const WriteBatch* const> batches) override {
    std::unique_lock lock(mutex_);
    if (closed_) {
      return ClosedError();
    }
    if (map_.use_count() > 1) {
      map_ = std::make_shared<Map>(*map_);
    }
    for (const WriteBatch* batch : batches) {
      Apply(*batch);
    }
    return Status::Ok();
  }

  /// Nothing to prepare: the map takes the operations as they are.
  Status Prepare(WriteBatch&) override { return Status::Ok(); }

  /// Applies one batch to map_; the caller holds mutex_.
  void Apply(const WriteBatch& batch) {
    batch.ForEach([this](const WriteBatch::Entry& entry) {
      switch (entry.kind) {
        case WriteBatch::Kind::kPut:
          map_->insert_or_assign(std::string(entry.key), std::string(entry.value));
          break;
        case WriteBatch::Kind::kDelete: {
          auto found = map_->find(entry.key);
          if (found != map_->end()) {
            map_->erase(found);
          }
          break;
        }
        case WriteBatch::Kind::kDeleteRange:
          if (entry.key < entry.value) {
            map_->erase(map_->lower_bound(entry.key), map_->lower_bound(entry.value));
          }
          break;
      }
    });
  }

  Result<std::optional<std::string>> Get(std::string_view key, const Snapshot* snapshot) override {
    if (snapshot != nullptr) {
      const auto* own = dynamic_cast<const MemorySnapshot*>(snapshot);
      if (own == nullptr || own->Owner() != this) {
        return Error::Internal("snapshot belongs to another state store");
      }
      return Lookup(*own->GetMap(), key);
    }
    // Looked up under the lock rather than by pinning the map, which would make a concurrent write
    // copy it.
    std::shared_lock lock(mutex_);
    if (closed_) {
      return ClosedError();
    }
    return Lookup(*map_, key);
  }

  std::unique_ptr<Iterator> Scan(std::string_view lower_inclusive,
                                 std::string_view upper_exclusive,
                                 const Snapshot* snapshot) override {
    std::shared_ptr<const Map> map;
    if (snapshot != nullptr) {
      const auto* own = dynamic_cast<const MemorySnapshot*>(snapshot);
      if (own == nullptr || own->Owner() != this) {
        return std::make_unique<FailedIterator>(
            Error::Internal("snapshot belongs to another state store"));
      }
      map = own->GetMap();
    } else {
      std::shared_lock lock(mutex_);
      if (closed_) {
        return std::make_unique<FailedIterator>(ClosedError());
      }
      map = map_;
    }
    return std::make_unique<MemoryIterator>(std::move(map), lower_inclusive, upper_exclusive);
  }

  std::shared_ptr<const Snapshot> GetSnapshot() override {
    std::shared_lock lock(mutex_);
    if (closed_) {
      return nullptr;
    }
    return std::make_shared<MemorySnapshot>(map_, this);
  }

  Status SyncWal() override { return CheckOpen(); }
  Status Flush() override { return CheckOpen(); }

  Result<uint64_t> ApproximateSize(std::string_view lower, std::string_view upper) override {
    std::shared_lock lock(mutex_);
    if (closed_) {
      return ClosedError();
    }
    uint64_t size = 0;
    for (auto it = map_->lower_bound(lower);
         it != map_->end() && (upper.empty() || it->first < upper); ++it) {
      size += it->first.size() + it->second.size();
    }
    return size;
  }

  Status Close() override {
    std::unique_lock lock(mutex_);
    closed_ = true;
    return Status::Ok();
  }

 private:
  Status CheckOpen() {
    std::shared_lock lock(mutex_);
    if (closed_) {
      return ClosedError();
    }
    return Status::Ok();
  }

  std::shared_mutex mutex_;
  std::shared_ptr<Map> map_;
  bool closed_ = false;
};

}  // namespace

std::unique_ptr<StateStore> StateStore::OpenInMemory() {
  return std::make_unique<MemoryStateStore>();
}

}  // namespace freshet::storage
