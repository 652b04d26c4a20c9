// SPDX-License-Identifier: Apache-2.0
// Durability, locking and failure handling of the RocksDB StateStore.
#include "storage/internal/rocksdb_state_store.h"

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <rocksdb/file_system.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "storage/data_dir_lock.h"
#include "storage/key_codec.h"
#include "storage/state_store.h"

namespace freshet::storage {
namespace {

// The child half of KilledProcessKeepsItsWrites runs as this test in a fresh process (fork + exec
// of this binary), so no RocksDB thread of the parent is duplicated into it.
constexpr const char* kChildDirVariable = "FRESHET_STORAGE_TEST_CHILD_DIR";
constexpr const char* kChildFdVariable = "FRESHET_STORAGE_TEST_CHILD_FD";
constexpr int kChildBatches = 1000;

std::string ChildKey(int i) {
  std::string key = TablePrefix(9);
  AppendUint64(static_cast<uint64_t>(i), key);
  return key;
}

class RocksDbStateStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/freshet-storage-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    directory_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(directory_); }

  StoreOptions Options() const {
    StoreOptions options;
    options.data_dir = directory_;
    return options;
  }

  std::unique_ptr<StateStore> OpenOrFail() {
    Result<std::unique_ptr<StateStore>> store = StateStore::Open(Options());
    EXPECT_TRUE(store.ok()) << store.error().Message();
    return store.ok() ? std::move(store).value() : nullptr;
  }

  std::string directory_;
};

TEST_F(RocksDbStateStoreTest, WritesSurviveCloseAndReopen) {
  {
    std::unique_ptr<StateStore> store = OpenOrFail();
    ASSERT_NE(store, nullptr);
    WriteBatch batch;
    batch.Put("key", "value");
    batch.Put(SystemKey("epoch"), "12");
    ASSERT_TRUE(store->Write(batch).ok());
    ASSERT_TRUE(store->Close().ok());
  }
  EXPECT_TRUE(std::filesystem::exists(directory_ + "/freshet.lock"));
  EXPECT_TRUE(std::filesystem::exists(directory_ + "/state/CURRENT"));
  std::unique_ptr<StateStore> store = OpenOrFail();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->Get("key").value(), "value");
  EXPECT_EQ(store->Get(SystemKey("epoch")).value(), "12");
  EXPECT_TRUE(store->Close().ok());
}

TEST_F(RocksDbStateStoreTest, DestructorClosesWithoutCloseCall) {
  {
    std::unique_ptr<StateStore> store = OpenOrFail();
    WriteBatch batch;
    batch.Put("key", "value");
    ASSERT_TRUE(store->Write(batch).ok());
  }
  std::unique_ptr<StateStore> store = OpenOrFail();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->Get("key").value(), "value");
}

TEST_F(RocksDbStateStoreTest, SecondOpenOfTheSameDirectoryFails) {
  std::unique_ptr<StateStore> store = OpenOrFail();
  ASSERT_NE(store, nullptr);
  Result<std::unique_ptr<StateStore>> second = StateStore::Open(Options());
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().State(), SqlState::kLockNotAvailable);
  EXPECT_EQ(second.error().Message(), "data directory \"" + directory_ +
                                          "\" is in use by another freshet process (pid " +
                                          std::to_string(getpid()) + ")");
  // The failed attempt must not have disturbed the holder.
  WriteBatch batch;
  batch.Put("still", "works");
  EXPECT_TRUE(store->Write(batch).ok());
  ASSERT_TRUE(store->Close().ok());
  // Closing releases the lock.
  std::unique_ptr<StateStore> third = OpenOrFail();
  ASSERT_NE(third, nullptr);
  EXPECT_EQ(third->Get("still").value(), "works");
}

TEST_F(RocksDbStateStoreTest, LeftoverLockFileDoesNotBlock) {
  std::ofstream(directory_ + "/freshet.lock") << "999999\n";
  std::unique_ptr<StateStore> store = OpenOrFail();
  ASSERT_NE(store, nullptr);
  std::ifstream lock_file(directory_ + "/freshet.lock");
  std::string pid;
  lock_file >> pid;
  EXPECT_EQ(pid, std::to_string(getpid()));
}

TEST_F(RocksDbStateStoreTest, MissingDirectoryIsCreatedOrRefused) {
  StoreOptions options = Options();
  options.data_dir = directory_ + "/a/b";
  options.create_if_missing = false;
  Result<std::unique_ptr<StateStore>> refused = StateStore::Open(options);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().State(), SqlState::kIoError);
  EXPECT_NE(refused.error().Message().find("does not exist"), std::string::npos);

  options.create_if_missing = true;
  options.sync_writes = true;
  Result<std::unique_ptr<StateStore>> created = StateStore::Open(options);
  ASSERT_TRUE(created.ok()) << created.error().Message();
  WriteBatch batch;
  batch.Put("k", "v");
  EXPECT_TRUE(created.value()->Write(batch).ok());
}

TEST_F(RocksDbStateStoreTest, SnapshotsAndIteratorsMayOutliveTheStore) {
  std::unique_ptr<StateStore> store = OpenOrFail();
  ASSERT_NE(store, nullptr);
  WriteBatch batch;
  batch.Put("a", "1");
  batch.Put("b", "2");
  ASSERT_TRUE(store->Write(batch).ok());
  std::shared_ptr<const Snapshot> snapshot = store->GetSnapshot();
  std::unique_ptr<Iterator> iterator = store->Scan("", "", snapshot.get());
  EXPECT_TRUE(store->Close().ok());
  store.reset();
  // Still readable; the database closes when these go.
  ASSERT_TRUE(iterator->Valid());
  EXPECT_EQ(iterator->Key(), "a");
  iterator->Next();
  EXPECT_EQ(iterator->Value(), "2");
  // ...and until then the directory stays locked.
  EXPECT_FALSE(StateStore::Open(Options()).ok());
  iterator.reset();
  snapshot.reset();
  EXPECT_NE(OpenOrFail(), nullptr);
}

TEST_F(RocksDbStateStoreTest, ManyWritesAcrossFlushesReadBack) {
  std::unique_ptr<StateStore> store = OpenOrFail();
  ASSERT_NE(store, nullptr);
  for (int round = 0; round < 3; ++round) {
    WriteBatch batch;
    for (int i = 0; i < 3000; ++i) {
      std::string key = TablePrefix(round);
      AppendUint64(i, key);
      batch.Put(key, std::to_string(round * 10000 + i));
    }
    ASSERT_TRUE(store->Write(batch).ok());
    ASSERT_TRUE(store->Flush().ok());
  }
  // Scans inside one table use prefix seek, across tables total order; both must see everything.
  for (uint32_t table = 0; table < 3; ++table) {
    std::unique_ptr<Iterator> iterator =
        store->Scan(TablePrefix(table), PrefixUpperBound(TablePrefix(table)));
    int count = 0;
    for (; iterator->Valid(); iterator->Next()) {
      ++count;
    }
    EXPECT_EQ(count, 3000);
  }
  std::unique_ptr<Iterator> all = store->Scan(TablePrefix(0), TablePrefix(3));
  int count = 0;
  for (; all->Valid(); all->Next()) {
    ++count;
  }
  EXPECT_EQ(count, 9000);
  std::string key = TablePrefix(1);
  AppendUint64(1234, key);
  EXPECT_EQ(store->Get(key).value(), "11234");
}

// Not a test by itself: the body of the child process of KilledProcessKeepsItsWrites. Skipped
// unless started by it.
TEST(StateStoreCrashChild, WritesThenWaitsToBeKilled) {
  const char* directory = std::getenv(kChildDirVariable);
  const char* fd_text = std::getenv(kChildFdVariable);
  if (directory == nullptr || fd_text == nullptr) {
    GTEST_SKIP() << "runs only as the child of KilledProcessKeepsItsWrites";
  }
  StoreOptions options;
  options.data_dir = directory;
  options.sync_writes = false;  // a process kill must not need fsync: the OS keeps the written log
  Result<std::unique_ptr<StateStore>> opened = StateStore::Open(options);
  if (!opened.ok()) {
    _exit(2);
  }
  std::unique_ptr<StateStore> store = std::move(opened).value();
  for (int i = 0; i < kChildBatches; ++i) {
    WriteBatch batch;
    batch.Put(ChildKey(i), std::to_string(i));
    if (!store->Write(batch).ok()) {
      _exit(3);
    }
  }
  WriteBatch drop;
  drop.DeleteRange(ChildKey(0), ChildKey(10));
  if (!store->Write(drop).ok()) {
    _exit(4);
  }
  const int fd = std::atoi(fd_text);
  if (write(fd, "ready", 5) != 5) {
    _exit(5);
  }
  for (;;) {
    pause();
  }
}

TEST_F(RocksDbStateStoreTest, KilledProcessKeepsItsWrites) {
  int pipe_fds[2];
  ASSERT_EQ(pipe(pipe_fds), 0);
  // Everything the child needs is built before fork: between fork and exec only async-signal-safe
  // calls.
  std::vector<std::string> environment;
  for (char** variable = environ; *variable != nullptr; ++variable) {
    environment.emplace_back(*variable);
  }
  environment.push_back(std::string(kChildDirVariable) + "=" + directory_);
  environment.push_back(std::string(kChildFdVariable) + "=" + std::to_string(pipe_fds[1]));
  std::vector<char*> envp;
  for (std::string& variable : environment) {
    envp.push_back(variable.data());
  }
  envp.push_back(nullptr);
  std::string program = "storage_tests";
  std::string filter = "--gtest_filter=StateStoreCrashChild.WritesThenWaitsToBeKilled";
  char* argv[] = {program.data(), filter.data(), nullptr};

  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(pipe_fds[0]);
    execve("/proc/self/exe", argv, envp.data());
    _exit(127);
  }
  close(pipe_fds[1]);
  pollfd ready{pipe_fds[0], POLLIN, 0};
  ASSERT_EQ(poll(&ready, 1, 60000), 1) << "child did not report within 60 s";
  char buffer[8] = {};
  ASSERT_EQ(read(pipe_fds[0], buffer, sizeof(buffer)), 5) << "child failed before writing";
  close(pipe_fds[0]);

  // While the child lives, its directory is refused, naming its pid.
  Result<std::unique_ptr<StateStore>> refused = StateStore::Open(Options());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().State(), SqlState::kLockNotAvailable);
  EXPECT_NE(refused.error().Message().find("(pid " + std::to_string(child) + ")"),
            std::string::npos)
      << refused.error().Message();

  ASSERT_EQ(kill(child, SIGKILL), 0);
  int wait_status = 0;
  ASSERT_EQ(waitpid(child, &wait_status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(wait_status));
  EXPECT_EQ(WTERMSIG(wait_status), SIGKILL);

  // The lock died with the child and every acknowledged write is there.
  std::unique_ptr<StateStore> store = OpenOrFail();
  ASSERT_NE(store, nullptr);
  std::unique_ptr<Iterator> iterator =
      store->Scan(TablePrefix(9), PrefixUpperBound(TablePrefix(9)));
  int expected = 10;
  for (; iterator->Valid(); iterator->Next(), ++expected) {
    ASSERT_EQ(iterator->Key(), ChildKey(expected));
    ASSERT_EQ(iterator->Value(), std::to_string(expected));
  }
  EXPECT_TRUE(iterator->GetStatus().ok());
  EXPECT_EQ(expected, kChildBatches);
}

/// A file system whose log files fail every append with "no space" while `full` is set.
class FullDiskFileSystem : public rocksdb::FileSystemWrapper {
 public:
  explicit FullDiskFileSystem(std::shared_ptr<std::atomic<bool>> full)
      : FileSystemWrapper(rocksdb::FileSystem::Default()), full_(std::move(full)) {}

  const char* Name() const override { return "FullDiskFileSystem"; }

  rocksdb::IOStatus NewWritableFile(const std::string& name,
                                    const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* result,
                                    rocksdb::IODebugContext* debug) override {
    rocksdb::IOStatus status = target()->NewWritableFile(name, options, result, debug);
    if (status.ok() && name.size() > 4 && name.substr(name.size() - 4) == ".log") {
      *result = std::make_unique<FullDiskFile>(std::move(*result), full_);
    }
    return status;
  }

 private:
  /// Fails appends while the disk is "full".
  class FullDiskFile : public rocksdb::FSWritableFileOwnerWrapper {
   public:
    FullDiskFile(std::unique_ptr<rocksdb::FSWritableFile> file,
                 std::shared_ptr<std::atomic<bool>> full)
        : FSWritableFileOwnerWrapper(std::move(file)), full_(std::move(full)) {}

    rocksdb::IOStatus Append(const rocksdb::Slice& data,
                             const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* debug) override {
      if (*full_) {
        return rocksdb::IOStatus::NoSpace("injected", "No space left on device");
      }
      return FSWritableFileOwnerWrapper::Append(data, options, debug);
    }
    rocksdb::IOStatus Append(const rocksdb::Slice& data,
                             const rocksdb::IOOptions& options,
                             const rocksdb::DataVerificationInfo& info,
                             rocksdb::IODebugContext* debug) override {
      if (*full_) {
        return rocksdb::IOStatus::NoSpace("injected", "No space left on device");
      }
      return FSWritableFileOwnerWrapper::Append(data, options, info, debug);
    }

   private:
    std::shared_ptr<std::atomic<bool>> full_;
  };

  std::shared_ptr<std::atomic<bool>> full_;
};

TEST_F(RocksDbStateStoreTest, FullDiskIsAnErrorNotACrash) {
  auto full = std::make_shared<std::atomic<bool>>(false);
  std::shared_ptr<rocksdb::Env> env =
      rocksdb::NewCompositeEnv(std::make_shared<FullDiskFileSystem>(full));
  Result<std::unique_ptr<StateStore>> opened = internal::OpenRocksDbStateStore(Options(), env);
  ASSERT_TRUE(opened.ok()) << opened.error().Message();
  std::unique_ptr<StateStore> store = std::move(opened).value();
  WriteBatch before;
  before.Put("before", "1");
  ASSERT_TRUE(store->Write(before).ok());

  *full = true;
  WriteBatch during;
  during.Put("during", "2");
  Status status = store->Write(during);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().State(), SqlState::kDiskFull);
  EXPECT_NE(status.error().Message().find("No space left on device"), std::string::npos)
      << status.error().Message();
  // Reads still work.
  EXPECT_EQ(store->Get("before").value(), "1");

  *full = false;
  store->Close().IgnoreError();
  store.reset();
  std::unique_ptr<StateStore> reopened = OpenOrFail();
  ASSERT_NE(reopened, nullptr);
  EXPECT_EQ(reopened->Get("before").value(), "1");
}

TEST(RocksDbErrorTest, StatusesMapToSqlStates) {
  using internal::ErrorFromRocksDb;
  EXPECT_EQ(ErrorFromRocksDb(rocksdb::Status::NoSpace("disk"), "write").State(),
            SqlState::kDiskFull);
  EXPECT_EQ(ErrorFromRocksDb(rocksdb::Status::IOError("eio"), "write").State(), SqlState::kIoError);
  EXPECT_EQ(ErrorFromRocksDb(rocksdb::Status::Corruption("bad block"), "read").State(),
            SqlState::kDataCorrupted);
  EXPECT_EQ(ErrorFromRocksDb(rocksdb::Status::Busy(), "write").State(), SqlState::kIoError);
  const Error error = ErrorFromRocksDb(rocksdb::Status::IOError("eio"), "write to state store");
  EXPECT_EQ(error.Message(), "could not write to state store: IO error: eio");
}

TEST(DataDirLockTest, SecondAcquireFailsUntilRelease) {
  char pattern[] = "/tmp/freshet-storage-XXXXXX";
  ASSERT_NE(mkdtemp(pattern), nullptr);
  const std::string directory = pattern;
  {
    Result<DataDirLock> first = DataDirLock::Acquire(directory);
    ASSERT_TRUE(first.ok());
    Result<DataDirLock> second = DataDirLock::Acquire(directory);
    ASSERT_FALSE(second.ok());
    EXPECT_EQ(second.error().State(), SqlState::kLockNotAvailable);
    first.value().Release();
    EXPECT_TRUE(DataDirLock::Acquire(directory).ok());
  }
  Result<DataDirLock> missing = DataDirLock::Acquire(directory + "/nope");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().State(), SqlState::kIoError);
  std::filesystem::remove_all(directory);
}

}  // namespace
}  // namespace freshet::storage
