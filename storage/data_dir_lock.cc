// SPDX-License-Identifier: Apache-2.0
#include "storage/data_dir_lock.h"

#include <cerrno>
#include <cstring>
#include <string_view>
#include <utility>

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

namespace freshet::storage {
namespace {

std::string ErrnoText(int error) {
  return std::strerror(error);
}

// Returns the pid written by the holder, or 0 when the file is empty or unreadable (the holder may
// be between taking the lock and writing its pid).
long ReadHolderPid(int fd) {
  char buffer[32] = {};
  const ssize_t length = pread(fd, buffer, sizeof(buffer) - 1, 0);
  if (length <= 0) {
    return 0;
  }
  long pid = 0;
  for (ssize_t i = 0; i < length && buffer[i] >= '0' && buffer[i] <= '9'; ++i) {
    pid = pid * 10 + (buffer[i] - '0');
  }
  return pid;
}

}  // namespace

Result<DataDirLock> DataDirLock::Acquire(const std::string& data_dir) {
  const std::string path = data_dir + "/" + kFileName;
  // O_CLOEXEC: a program exec'd by the server must not inherit, and so keep holding, the lock.
  const int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    const int error = errno;
    return Error::Io(fmt::format("could not open lock file \"{}\": {}", path, ErrnoText(error)));
  }
  int result = 0;
  do {
    result = flock(fd, LOCK_EX | LOCK_NB);
  } while (result != 0 && errno == EINTR);
  if (result != 0) {
    const int error = errno;
    // Closed without Release(): the pid in the file is the holder's, not ours to erase.
    const long pid = error == EWOULDBLOCK ? ReadHolderPid(fd) : 0;
    close(fd);
    if (error == EWOULDBLOCK) {
      std::string message =
          pid > 0
              ? fmt::format("data directory \"{}\" is in use by another freshet process (pid {})",
                            data_dir, pid)
              : fmt::format("data directory \"{}\" is in use by another freshet process", data_dir);
      return Error(SqlState::kLockNotAvailable, std::move(message))
          .WithHint("Stop the other process or choose another data directory.");
    }
    return Error::Io(fmt::format("could not lock file \"{}\": {}", path, ErrnoText(error)));
  }
  DataDirLock lock(fd);
  // The pid is only for the message of whoever comes next; the lock itself is the flock.
  const std::string pid = fmt::format("{}\n", static_cast<long>(getpid()));
  if (ftruncate(fd, 0) != 0 ||
      pwrite(fd, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
    const int error = errno;
    return Error::Io(fmt::format("could not write lock file \"{}\": {}", path, ErrnoText(error)));
  }
  return lock;
}

DataDirLock::DataDirLock(DataDirLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

DataDirLock& DataDirLock::operator=(DataDirLock&& other) noexcept {
  if (this != &other) {
    Release();
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

DataDirLock::~DataDirLock() {
  Release();
}

void DataDirLock::Release() {
  if (fd_ < 0) {
    return;
  }
  // Emptied rather than removed: unlinking a lock file lets two processes lock two different inodes
  // of the same name.
  if (ftruncate(fd_, 0) != 0) {
    // Only the pid hint is stale; closing still releases the lock.
  }
  close(fd_);
  fd_ = -1;
}

}  // namespace freshet::storage
