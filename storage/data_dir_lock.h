// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>

#include "common/error.h"

namespace freshet::storage {

/// An exclusive flock on <data_dir>/freshet.lock, which holds the owner's pid for the error message
/// of the next process. The kernel releases a flock when its file is closed, including when the
/// process is killed, so a lock file left behind never blocks a later start. The lock is per open
/// file, so a second Acquire in the same process fails as well. Movable, not copyable; releases on
/// destruction.
class DataDirLock {
 public:
  /// The name of the lock file inside the data directory.
  static constexpr const char* kFileName = "freshet.lock";

  /// Locks `data_dir`, which must exist. Fails with kLockNotAvailable when another holder has it,
  /// naming the holder's pid, and with kIoError when the file cannot be opened.
  static Result<DataDirLock> Acquire(const std::string& data_dir);

  DataDirLock(DataDirLock&& other) noexcept;
  DataDirLock& operator=(DataDirLock&& other) noexcept;
  DataDirLock(const DataDirLock&) = delete;
  DataDirLock& operator=(const DataDirLock&) = delete;
  ~DataDirLock();

  /// Releases the lock now; idempotent.
  void Release();

 private:
  explicit DataDirLock(int fd) : fd_(fd) {}

  int fd_ = -1;
};

}  // namespace freshet::storage
