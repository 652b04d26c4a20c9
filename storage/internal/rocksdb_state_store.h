// SPDX-License-Identifier: Apache-2.0
// Private to storage/: the RocksDB seams of StateStore, for its implementation and its tests.
// Nothing outside storage/ may include this header, since it exposes RocksDB types.
#pragma once

#include <memory>
#include <string_view>

#include <rocksdb/env.h>
#include <rocksdb/status.h>

#include "common/error.h"
#include "storage/state_store.h"

namespace freshet::storage::internal {

/// Translates a failed RocksDB status into an Error: no space → kDiskFull, other I/O → kIoError,
/// corruption → kDataCorrupted, ...; the message is "could not <action>: <RocksDB's message>".
Error ErrorFromRocksDb(const rocksdb::Status& status, std::string_view action);

/// Opens the RocksDB store as StateStore::Open does, running its file I/O through `env` (the
/// default Env when null); tests pass an Env that injects faults such as a full disk.
Result<std::unique_ptr<StateStore>> OpenRocksDbStateStore(const StoreOptions& options,
                                                          std::shared_ptr<rocksdb::Env> env);

}  // namespace freshet::storage::internal
