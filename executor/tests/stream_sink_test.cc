// SPDX-License-Identifier: Apache-2.0
// The sink operator's delivery protocol without Kafka: an in-test SinkWriter stands for the
// external system (transactions, a committed-epoch record, injected failures and hangs), the test
// plays the runtime (barriers, commits to a RocksDB store, the committed epoch), and a crash is the
// operator destroyed and the store closed at a chosen step, then both reopened from the same
// directory. Whatever the crash point, an exactly-once sink delivers every row once; an
// at-least-once sink loses nothing.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "executor/stream/stream_operator.h"
#include "storage/key_codec.h"
#include "storage/state_store.h"

namespace freshet::executor::stream {
namespace {

using namespace std::chrono_literals;

constexpr uint32_t kViewId = 7;
constexpr uint16_t kOperatorId = 3;

/// The external system: what committed transactions (or, at least once, plain writes) made
/// visible, per instance the last epoch committed, and the faults to inject. Outlives writers and
/// operators, as a broker outlives a crashed server.
struct FakeSystem {
  std::mutex mutex;
  std::condition_variable cv;
  bool transactional = true;
  /// Visible messages ("<epoch>:<name>"), in order.
  std::vector<std::string> visible;
  /// Per instance id, the last committed epoch (what Kafka records with a transaction).
  std::map<std::string, uint64_t> committed_epoch;
  /// The checkpoint each Recover call was given ("<none>" for nullopt), in order.
  std::vector<std::string> recover_arguments;
  uint64_t writers_created = 0;
  /// Faults: the next N commits throw; Recover blocks until cancelled; a commit blocks before or
  /// after committing until cancelled.
  int failing_commits = 0;
  bool hang_in_recover = false;
  /// Recover waits while this is set (the test clears it and notifies cv).
  bool hold_recover = false;
  bool hang_before_commit = false;
  bool hang_after_commit = false;
  /// Calls blocked in a hang right now.
  int hanging = 0;

  size_t Count(const std::string& message) {
    std::lock_guard lock(mutex);
    return std::count(visible.begin(), visible.end(), message);
  }
  size_t VisibleCount() {
    std::lock_guard lock(mutex);
    return visible.size();
  }
};

/// A writer of FakeSystem. Transactional: an epoch's rows become visible at CommitEpoch together
/// with the instance's committed epoch; at least once: each Write is visible at once.
class FakeWriter final : public connectors::SinkWriter {
 public:
  FakeWriter(std::shared_ptr<FakeSystem> system, connectors::SinkSpec spec)
      : system_(std::move(system)), spec_(std::move(spec)) {
    std::lock_guard lock(system_->mutex);
    ++system_->writers_created;
  }

  connectors::SinkRecovery Recover(std::optional<std::string_view> checkpoint) override {
    std::unique_lock lock(system_->mutex);
    system_->cv.wait(lock, [&] { return !system_->hold_recover || cancelled_; });
    system_->recover_arguments.push_back(checkpoint ? std::string(*checkpoint) : "<none>");
    Hang(lock, system_->hang_in_recover);
    connectors::SinkRecovery recovery;
    if (system_->transactional) {
      checkpoint_ = "cp" + std::to_string(system_->visible.size());
      if (auto it = system_->committed_epoch.find(spec_.instance_id);
          it != system_->committed_epoch.end()) {
        recovery.committed_epoch = it->second;
      }
    }
    return recovery;
  }
  std::string Checkpoint() const override { return checkpoint_; }
  void BeginEpoch(uint64_t epoch) override { open_.clear(); }
  void Write(const Chunk& chunk) override {
    ThrowIfCancelled();
    std::lock_guard lock(system_->mutex);
    for (size_t row = 0; row < chunk.NumRows(); ++row) {
      const std::string name(chunk.GetColumn(1).GetValue(row).GetString());
      (system_->transactional ? open_ : system_->visible).push_back(name);
    }
  }
  void Flush(std::chrono::milliseconds timeout) override {}
  void CommitEpoch(uint64_t epoch) override {
    std::unique_lock lock(system_->mutex);
    Hang(lock, system_->hang_before_commit);
    if (system_->failing_commits > 0) {
      --system_->failing_commits;
      open_.clear();  // the failed transaction is aborted
      throw Error(SqlState::kConnectionFailure, "injected delivery failure");
    }
    if (system_->transactional) {
      for (const std::string& name : open_) {
        system_->visible.push_back(name);
      }
      open_.clear();
      system_->committed_epoch[spec_.instance_id] = epoch;
      checkpoint_ = "cp" + std::to_string(system_->visible.size());
    }
    // A crash right after the external commit, before the sink learns of it.
    Hang(lock, system_->hang_after_commit);
  }
  void AbortEpoch() override { open_.clear(); }
  uint64_t DeliveredCount() const override { return 0; }
  void Cancel() override {
    std::lock_guard lock(system_->mutex);
    cancelled_ = true;
    system_->cv.notify_all();
  }

 private:
  void Hang(std::unique_lock<std::mutex>& lock, bool hang) {
    if (hang) {
      ++system_->hanging;
      system_->cv.notify_all();
      system_->cv.wait(lock, [&] { return cancelled_; });
      --system_->hanging;
    }
    if (cancelled_) {
      throw Error(SqlState::kQueryCanceled, "cancelled");
    }
  }
  void ThrowIfCancelled() {
    std::lock_guard lock(system_->mutex);
    if (cancelled_) {
      throw Error(SqlState::kQueryCanceled, "cancelled");
    }
  }

  std::shared_ptr<FakeSystem> system_;
  connectors::SinkSpec spec_;
  std::vector<std::string> open_;
  std::string checkpoint_;
  bool cancelled_ = false;  // guarded by system_->mutex
};

/// A sink over (id BIGINT, name TEXT).
std::unique_ptr<plan::StreamSinkNode> SinkNode() {
  auto owned = std::make_unique<plan::StreamSinkNode>();
  plan::StreamSinkNode& node = *owned;
  node.sink_name = "out";
  node.operator_id = kOperatorId;
  node.options = {{"connector", "test"}};
  node.outputs = {{"id", DataType::Bigint()}, {"name", DataType::Text()}};
  node.visible_count = 2;
  node.stream_key = {0};
  return owned;
}

template <typename Predicate>
bool WaitFor(Predicate predicate, std::chrono::milliseconds timeout = 10s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!predicate()) {
    if (std::chrono::steady_clock::now() > deadline) {
      return false;
    }
    std::this_thread::sleep_for(2ms);
  }
  return true;
}

/// Plays the runtime around one sink operator over a RocksDB store in a directory of its own:
/// barriers, commits (with the epoch record), the committed epoch the operator reads, crashes and
/// restarts.
class SinkHarness {
 public:
  explicit SinkHarness(std::shared_ptr<FakeSystem> system)
      : system_(std::move(system)),
        directory_((std::filesystem::temp_directory_path() /
                    fmt::format("freshet-sink-test-{}-{}", getpid(), next_directory_++))
                       .string()) {
    std::filesystem::remove_all(directory_);
    Start();
  }
  ~SinkHarness() {
    Crash();
    std::filesystem::remove_all(directory_);
  }

  /// Opens the store and builds the operator from its committed state.
  void Start() {
    storage::StoreOptions options;
    options.data_dir = directory_;
    store_ = storage::StateStore::Open(options).ValueOrThrow();
    const std::optional<std::string> epoch = store_->Get(EpochKey()).ValueOrThrow();
    epoch_ = epoch ? std::stoull(*epoch) : 0;
    committed_ = std::make_shared<std::atomic<uint64_t>>(epoch_);
    OperatorContext context;
    context.store = store_.get();
    context.snapshot = store_->GetSnapshot();
    context.view_id = kViewId;
    context.committed_epoch = committed_;
    health_ = std::make_shared<connectors::SinkHealthReport>();
    sink_ = MakeSinkOperator(*SinkNode(), context, health_,
                             [system = system_](const connectors::SinkSpec& spec) {
                               return std::make_unique<FakeWriter>(system, spec);
                             });
  }
  /// Stops everything without committing anything more: the operator (and its thread) is gone,
  /// the store closed; what was committed stays.
  void Crash() {
    sink_.reset();
    if (store_) {
      store_->Close().ThrowIfError();
      store_.reset();
    }
  }
  void Restart() {
    Crash();
    Start();
  }

  /// Feeds rows (id, name) as one chunk of the current epoch.
  void Feed(const std::vector<std::pair<int64_t, std::string>>& rows) {
    Chunk chunk({DataType::Bigint(), DataType::Text()});
    for (const auto& [id, name] : rows) {
      chunk.AppendRow({Value::Bigint(id), Value::Text(name)});
    }
    sink_->OnChunk(0, chunk);
  }
  /// What a barrier staged for its epoch's commit.
  struct Staged {
    uint64_t epoch = 0;
    storage::WriteBatch batch;
  };
  /// The barrier of the next epoch: the operator stages its changes.
  Staged Barrier() {
    Staged staged;
    staged.epoch = ++epoch_;
    const auto start = std::chrono::steady_clock::now();
    sink_->OnBarrier(EpochContext{staged.epoch, &staged.batch});
    barrier_micros_ =
        std::max<int64_t>(barrier_micros_, std::chrono::duration_cast<std::chrono::microseconds>(
                                               std::chrono::steady_clock::now() - start)
                                               .count());
    return staged;
  }
  /// Commits a barrier's batch with the epoch record, then tells the operator.
  void Commit(Staged staged) {
    staged.batch.Put(EpochKey(), std::to_string(staged.epoch));
    store_->Write(staged.batch).ThrowIfError();
    committed_->store(staged.epoch);
  }
  void BarrierAndCommit() { Commit(Barrier()); }

  connectors::SinkHealth Health() const { return health_->Get(); }
  uint64_t Epoch() const { return epoch_; }
  /// The longest OnBarrier call so far.
  int64_t BarrierMicros() const { return barrier_micros_; }
  /// Log entries the store holds for the sink.
  size_t LoggedChunks() {
    std::string prefix = storage::OperatorStatePrefix(kViewId, kOperatorId, 0);
    prefix.push_back(0x01);
    size_t count = 0;
    for (auto it = store_->Scan(prefix, storage::PrefixUpperBound(prefix)); it->Valid();
         it->Next()) {
      ++count;
    }
    return count;
  }
  /// Runs barriers until the operator's delivery record is committed and the log is empty.
  void Settle() {
    for (int i = 0; i < 5000 && (Health().pending_epochs > 0 || LoggedChunks() > 0); ++i) {
      BarrierAndCommit();
      std::this_thread::sleep_for(2ms);
    }
    BarrierAndCommit();
  }

 private:
  static std::string EpochKey() { return storage::SystemKey("test_epoch"); }

  std::shared_ptr<FakeSystem> system_;
  std::string directory_;
  std::unique_ptr<storage::StateStore> store_;
  std::shared_ptr<std::atomic<uint64_t>> committed_;
  std::shared_ptr<connectors::SinkHealthReport> health_;
  std::unique_ptr<StreamOperator> sink_;
  uint64_t epoch_ = 0;
  int64_t barrier_micros_ = 0;
  static inline int next_directory_ = 0;
};

/// A transactional sink's first delivery: the writer recovered, and its checkpoint committed.
/// (The writer recovers when the sink starts; with hold_recover set at the start, it recovers only
/// after epoch 1 committed, so epoch 1 waits for the next commit, which holds the checkpoint.)
void FirstEpochDelivered(SinkHarness& sink, FakeSystem& system) {
  sink.Feed({{1, "a"}, {2, "b"}});
  sink.BarrierAndCommit();
  {
    std::lock_guard lock(system.mutex);
    system.hold_recover = false;
    system.cv.notify_all();
  }
  ASSERT_TRUE(WaitFor([&] {
    std::lock_guard lock(system.mutex);
    return !system.recover_arguments.empty();
  }));
  // A new sink has nothing in the system to look for, and delivers nothing until the store holds
  // the writer's checkpoint (so a restart never searches the whole system).
  EXPECT_EQ(system.recover_arguments.front(), "<none>");
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(system.VisibleCount(), 0u);
  sink.BarrierAndCommit();  // commits the checkpoint
  ASSERT_TRUE(WaitFor([&] { return system.VisibleCount() == 2; }));
}

TEST(StreamSinkTest, DeliversOnlyCommittedEpochsInOrder) {
  auto system = std::make_shared<FakeSystem>();
  system->transactional = false;
  SinkHarness sink(system);
  sink.Feed({{1, "a"}});
  SinkHarness::Staged first = sink.Barrier();
  sink.Feed({{2, "b"}});
  SinkHarness::Staged second = sink.Barrier();
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(system->VisibleCount(), 0u) << "delivered before the store committed the epoch";
  EXPECT_EQ(sink.Health().pending_epochs, 2u);
  sink.Commit(std::move(first));
  ASSERT_TRUE(WaitFor([&] { return system->VisibleCount() == 1; }));
  std::this_thread::sleep_for(20ms);
  EXPECT_EQ(system->VisibleCount(), 1u) << "delivered an uncommitted epoch";
  sink.Commit(std::move(second));
  ASSERT_TRUE(WaitFor([&] { return system->VisibleCount() == 2; }));
  EXPECT_EQ(system->visible, (std::vector<std::string>{"a", "b"}));
  // The delivered epochs leave the log at later barriers.
  sink.Settle();
  EXPECT_EQ(sink.LoggedChunks(), 0u);
  EXPECT_EQ(sink.Health().delivered_epoch, 2u);
  EXPECT_EQ(sink.Health().state, "running");
}

TEST(StreamSinkTest, ExternalCommitWithoutStoreRecordIsNotDeliveredTwice) {
  auto system = std::make_shared<FakeSystem>();
  system->hold_recover = true;
  SinkHarness sink(system);
  FirstEpochDelivered(sink, *system);
  // Crash: the system committed epoch 1, but no barrier recorded that in the store, which still
  // logs epoch 1 as undelivered.
  sink.Restart();
  EXPECT_GT(sink.LoggedChunks(), 0u);
  sink.Feed({{3, "c"}});
  sink.BarrierAndCommit();
  ASSERT_TRUE(WaitFor([&] { return system->Count("c") == 1; }));
  sink.Settle();
  EXPECT_EQ(system->visible, (std::vector<std::string>{"a", "b", "c"}));
  {
    std::lock_guard lock(system->mutex);
    ASSERT_EQ(system->recover_arguments.size(), 2u);
    EXPECT_EQ(system->recover_arguments[1], "cp0") << "the checkpoint committed in the store";
  }
  EXPECT_EQ(sink.LoggedChunks(), 0u);
  // And a restart after the record committed delivers nothing again.
  sink.Restart();
  sink.Feed({{4, "d"}});
  sink.BarrierAndCommit();
  ASSERT_TRUE(WaitFor([&] { return system->Count("d") == 1; }));
  EXPECT_EQ(system->visible, (std::vector<std::string>{"a", "b", "c", "d"}));
}

TEST(StreamSinkTest, AtLeastOnceRedeliversOnlyEpochsAfterTheRecord) {
  auto system = std::make_shared<FakeSystem>();
  system->transactional = false;
  SinkHarness sink(system);
  sink.Feed({{1, "a"}});
  sink.BarrierAndCommit();
  ASSERT_TRUE(WaitFor([&] { return system->VisibleCount() == 1; }));
  sink.Settle();  // epoch 1's delivery is recorded
  sink.Feed({{2, "b"}});
  sink.BarrierAndCommit();
  ASSERT_TRUE(WaitFor([&] { return system->VisibleCount() == 2; }));
  // Crash before epoch 2's delivery is recorded: at least once writes it again, nothing else.
  sink.Restart();
  ASSERT_TRUE(WaitFor([&] { return system->VisibleCount() == 3; }));
  sink.Settle();
  EXPECT_EQ(system->visible, (std::vector<std::string>{"a", "b", "b"}));
}

TEST(StreamSinkTest, CrashBeforeTheStoreCommitsTheEpoch) {
  auto system = std::make_shared<FakeSystem>();
  system->hold_recover = true;
  SinkHarness sink(system);
  FirstEpochDelivered(sink, *system);
  sink.Settle();
  // Epoch N is logged at its barrier but the store never commits it: nothing may be delivered,
  // and the restarted dataflow reads the same input again (its sources rewind) in a new epoch.
  sink.Feed({{3, "c"}});
  SinkHarness::Staged lost = sink.Barrier();
  std::this_thread::sleep_for(30ms);
  sink.Restart();
  EXPECT_EQ(system->Count("c"), 0u);
  sink.Feed({{3, "c"}});
  sink.BarrierAndCommit();
  ASSERT_TRUE(WaitFor([&] { return system->Count("c") == 1; }));
  sink.Settle();
  EXPECT_EQ(system->visible, (std::vector<std::string>{"a", "b", "c"}));
}

TEST(StreamSinkTest, CrashAfterTheStoreCommitBeforeDelivery) {
  auto system = std::make_shared<FakeSystem>();
  system->hold_recover = true;
  SinkHarness sink(system);
  FirstEpochDelivered(sink, *system);
  sink.Settle();
  // The writer is held in recovery, so the committed epoch cannot be delivered before the crash.
  {
    std::lock_guard lock(system->mutex);
    system->hang_in_recover = true;
  }
  sink.Restart();
  ASSERT_TRUE(WaitFor([&] {
    std::lock_guard lock(system->mutex);
    return system->hanging == 1;
  }));
  sink.Feed({{3, "c"}});
  sink.BarrierAndCommit();
  sink.Restart();  // the destructor cancels the hanging writer
  EXPECT_EQ(system->Count("c"), 0u);
  {
    std::lock_guard lock(system->mutex);
    system->hang_in_recover = false;
  }
  sink.Restart();
  ASSERT_TRUE(WaitFor([&] { return system->Count("c") == 1; }));
  sink.Settle();
  EXPECT_EQ(system->visible, (std::vector<std::string>{"a", "b", "c"}));
}

TEST(StreamSinkTest, CrashInsideTheExternalCommit) {
  for (const bool after_commit : {false, true}) {
    SCOPED_TRACE(after_commit ? "after the external commit" : "before the external commit");
    auto system = std::make_shared<FakeSystem>();
    system->hold_recover = true;
    SinkHarness sink(system);
    FirstEpochDelivered(sink, *system);
    sink.Settle();
    {
      std::lock_guard lock(system->mutex);
      (after_commit ? system->hang_after_commit : system->hang_before_commit) = true;
    }
    sink.Feed({{3, "c"}, {4, "d"}});
    sink.BarrierAndCommit();
    ASSERT_TRUE(WaitFor([&] {
      std::lock_guard lock(system->mutex);
      return system->hanging == 1;
    }));
    sink.Feed({{5, "e"}});
    sink.BarrierAndCommit();  // the dataflow goes on while the delivery hangs
    {
      std::lock_guard lock(system->mutex);
      system->hang_before_commit = system->hang_after_commit = false;
    }
    sink.Restart();  // cancels the hanging commit: the sink never learns its outcome
    ASSERT_TRUE(WaitFor([&] { return system->Count("e") == 1; }));
    sink.Settle();
    EXPECT_EQ(system->visible, (std::vector<std::string>{"a", "b", "c", "d", "e"}));
  }
}

TEST(StreamSinkTest, FailingWriterDeliversOnceItRecoversWhileEpochsCommit) {
  auto system = std::make_shared<FakeSystem>();
  system->hold_recover = true;
  SinkHarness sink(system);
  FirstEpochDelivered(sink, *system);
  {
    std::lock_guard lock(system->mutex);
    system->failing_commits = 3;
  }
  std::vector<std::string> expected = {"a", "b"};
  bool saw_failure = false;
  uint64_t last_data_epoch = 0;
  // Epochs keep committing while the writer fails three times and is recreated; OnBarrier never
  // waits for it.
  for (int i = 0; i < 20; ++i) {
    const std::string name = fmt::format("row{}", i);
    sink.Feed({{100 + i, name}});
    sink.BarrierAndCommit();
    last_data_epoch = sink.Epoch();
    expected.push_back(name);
    const connectors::SinkHealth health = sink.Health();
    if (health.failures > 0) {
      saw_failure = true;
      EXPECT_EQ(health.state, "injected delivery failure");
    }
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_TRUE(saw_failure);
  ASSERT_TRUE(WaitFor([&] { return system->VisibleCount() == expected.size(); }, 20s));
  sink.Settle();
  EXPECT_EQ(system->visible, expected);
  EXPECT_LT(sink.BarrierMicros(), 100'000);
  const connectors::SinkHealth health = sink.Health();
  EXPECT_EQ(health.state, "running");
  EXPECT_EQ(health.failures, 0u);
  EXPECT_EQ(health.pending_epochs, 0u);
  EXPECT_EQ(health.delivered_epoch, last_data_epoch);
  std::lock_guard lock(system->mutex);
  EXPECT_EQ(system->writers_created, 4u) << "one writer, then a new one after each failure";
}

TEST(StreamSinkTest, StopsPromptlyWhileTheWriterHangs) {
  auto system = std::make_shared<FakeSystem>();
  system->hold_recover = true;
  SinkHarness sink(system);
  FirstEpochDelivered(sink, *system);
  {
    std::lock_guard lock(system->mutex);
    system->hang_before_commit = true;
  }
  sink.Feed({{3, "c"}});
  sink.BarrierAndCommit();
  ASSERT_TRUE(WaitFor([&] {
    std::lock_guard lock(system->mutex);
    return system->hanging == 1;
  }));
  const auto start = std::chrono::steady_clock::now();
  sink.Crash();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  EXPECT_EQ(system->Count("c"), 0u);
}

}  // namespace
}  // namespace freshet::executor::stream
