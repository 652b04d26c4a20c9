// SPDX-License-Identifier: Apache-2.0
#include "executor/stream/runtime.h"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <queue>
#include <set>
#include <thread>

#include "common/error.h"
#include "common/logging.h"
#include "common/serializer.h"
#include "executor/stream/basic_operators.h"
#include "storage/key_codec.h"

namespace freshet::executor::stream {

class Actor;
class Channel;

/// A change to the dataflow graph that takes effect at a barrier, so that every actor switches at
/// the same point of the stream: outputs added for a new view, removed and actors stopped for a
/// dropped one.
struct Mutation {
  std::map<uint64_t, std::vector<std::shared_ptr<Channel>>> add_outputs;
  std::map<uint64_t, std::vector<std::shared_ptr<Channel>>> remove_outputs;
  std::set<uint64_t> stop;
};

/// What flows between actors.
struct Message {
  enum class Kind : uint8_t { kChunk, kWatermark, kBarrier };
  Kind kind = Kind::kChunk;
  Chunk chunk;
  uint32_t column = 0;
  int64_t value = 0;
  uint64_t epoch = 0;
  std::shared_ptr<const Mutation> mutation;

  static Message Barrier(uint64_t epoch, std::shared_ptr<const Mutation> mutation) {
    Message message;
    message.kind = Kind::kBarrier;
    message.epoch = epoch;
    message.mutation = std::move(mutation);
    return message;
  }
};

// ---------------------------------------------------------------------------------------------
// Scheduler

/// Runs actors on a fixed pool of worker threads. An actor is queued when a message reaches it (or
/// its outputs drain, or a source's rate limit expires), runs a bounded number of steps, and is
/// queued again while it has work. An actor never runs on two threads at once.
class Scheduler {
 public:
  explicit Scheduler(uint32_t workers) : worker_count_(workers == 0 ? 1 : workers) {}
  ~Scheduler() { Stop(); }

  void Start();
  void Stop();
  void Schedule(const std::shared_ptr<Actor>& actor);
  /// Schedules `actor` after `micros`.
  void ScheduleAfter(const std::shared_ptr<Actor>& actor, int64_t micros);

 private:
  void WorkerLoop();
  void TimerLoop();

  uint32_t worker_count_;
  std::mutex mutex_;
  std::condition_variable ready_cv_;
  std::deque<std::shared_ptr<Actor>> ready_;
  std::vector<std::thread> workers_;
  std::condition_variable timer_cv_;
  std::multimap<std::chrono::steady_clock::time_point, std::weak_ptr<Actor>> timers_;
  std::thread timer_;
  bool stopping_ = false;
  bool started_ = false;
};

// ---------------------------------------------------------------------------------------------
// Channel

/// A queue of messages from one actor to another. Bounded for data (a producer whose output is
/// full waits until the consumer drains it); control channels, fed by DML and the coordinator, are
/// unbounded.
class Channel {
 public:
  Channel(Scheduler& scheduler, size_t capacity) : scheduler_(scheduler), capacity_(capacity) {}

  void SetConsumer(const std::shared_ptr<Actor>& consumer) { consumer_ = consumer; }
  void Push(Message message);
  bool TryPop(Message& out);
  bool Full();
  /// Registers `producer` to run again when this channel has room; false when it has room now.
  bool WaitForRoom(const std::shared_ptr<Actor>& producer);

 private:
  Scheduler& scheduler_;
  size_t capacity_;
  std::mutex mutex_;
  std::deque<Message> queue_;
  std::weak_ptr<Actor> consumer_;
  std::vector<std::weak_ptr<Actor>> waiting_producers_;
};

/// Messages a data channel holds before its producer waits.
constexpr size_t kChannelCapacity = 16;

// ---------------------------------------------------------------------------------------------
// Dispatcher

/// The last operator of every actor: sends its output to the channels of downstream actors, split
/// by a hash of the distribution columns when there are several.
class Dispatcher final : public StreamOperator {
 public:
  void OnChunk(size_t input, const Chunk& chunk) override;
  void OnWatermark(size_t input, uint32_t column, int64_t value) override;

  void AddOutput(std::vector<uint32_t> hash_columns,
                 std::vector<std::shared_ptr<Channel>> channels);
  void RemoveChannel(const Channel* channel);
  void SendBarrier(uint64_t epoch, const std::shared_ptr<const Mutation>& mutation);
  /// A full output channel, if any.
  Channel* FullChannel();

 private:
  struct Output {
    std::vector<uint32_t> hash_columns;
    std::vector<std::shared_ptr<Channel>> channels;
  };
  std::vector<Output> outputs_;
  std::vector<uint64_t> hashes_;
  std::vector<std::vector<uint8_t>> selections_;
};

// ---------------------------------------------------------------------------------------------
// Actor

class Runtime;

/// One instance of one fragment of a view's dataflow: a chain (or tree, for joins and unions) of
/// operators fed by input channels or a source, ending in a Dispatcher. Aligns barriers across its
/// inputs, takes the minimum watermark across the channels of each input, and reports each
/// epoch's state changes to the coordinator.
class Actor : public std::enable_shared_from_this<Actor> {
 public:
  /// One input channel and the operator input it feeds.
  struct Input {
    std::shared_ptr<Channel> channel;
    StreamOperator* target = nullptr;
    size_t side = 0;
    size_t edge = 0;
    bool barrier_received = false;
    std::vector<std::optional<int64_t>> watermarks;
  };

  Actor(Runtime& runtime, uint64_t id, uint32_t view_id)
      : runtime_(runtime), id_(id), view_id_(view_id) {}

  uint64_t Id() const { return id_; }
  uint32_t ViewId() const { return view_id_; }
  /// Runs one step; returns false when the actor has nothing to do now.
  bool Step();

  // Set up by the builder before the actor starts.
  std::vector<std::unique_ptr<StreamOperator>> operators;
  Dispatcher* dispatcher = nullptr;
  SourceProducer* producer = nullptr;
  StreamOperator* control_target = nullptr;
  std::shared_ptr<Channel> control;
  std::vector<Input> inputs;
  size_t edge_count = 0;
  TableScanOperator* backfill_scan = nullptr;
  std::shared_ptr<const storage::Snapshot> backfill_snapshot;
  storage::WriteBatch batch;
  std::atomic<bool> started{false};
  std::atomic<bool> stopped{false};

  // Scheduling state, guarded by the scheduler's mutex.
  enum class RunState : uint8_t { kIdle, kQueued, kRunning };
  RunState run_state = RunState::kIdle;
  bool notified = false;

 private:
  void HandleInput(size_t index, Message& message);
  void ProcessBarrier(uint64_t epoch, const std::shared_ptr<const Mutation>& mutation);

  Runtime& runtime_;
  uint64_t id_;
  uint32_t view_id_;
  size_t barriers_received_ = 0;
  size_t next_input_ = 0;
  std::vector<std::vector<std::optional<int64_t>>> delivered_;
};

// ---------------------------------------------------------------------------------------------
// Runtime

/// The state of the streaming engine behind StreamRuntime: views, actors, epochs.
class Runtime {
 public:
  Runtime(storage::StateStore& store, RuntimeOptions options, uint64_t committed_epoch)
      : store_(store),
        options_(options),
        scheduler_(options.workers),
        injected_epoch_(committed_epoch),
        committed_epoch_(committed_epoch),
        published_epoch_(std::make_shared<std::atomic<uint64_t>>(committed_epoch)) {}
  ~Runtime() { Stop(); }

  void Start();
  void Stop();
  void Deploy(uint32_t view_id,
              std::shared_ptr<const plan::StreamPlan> plan,
              bool backfill,
              storage::WriteBatch catalog_changes);
  void Drop(uint32_t view_id, storage::WriteBatch changes);
  void CommitTableWrite(uint32_t table_id, storage::WriteBatch rows, std::vector<Chunk> changes);
  void Flush();
  uint64_t CommittedEpoch() const {
    std::lock_guard lock(mutex_);
    return committed_epoch_;
  }
  int64_t LastCommitMicros() const {
    std::lock_guard lock(mutex_);
    return last_commit_micros_;
  }
  std::vector<ViewProgress> Views() const;
  std::vector<SourceProgress> Sources() const;
  std::vector<connectors::SinkHealth> Sinks() const;
  /// The last committed epoch, for operators (OperatorContext::committed_epoch).
  std::shared_ptr<const std::atomic<uint64_t>> PublishedEpoch() const { return published_epoch_; }

  // Called by actors.
  void Collect(uint64_t epoch, storage::WriteBatch batch);
  /// An empty batch, with the capacity of one an earlier epoch used when one is spare: an epoch's
  /// batches are large, and allocating them anew each time costs page faults.
  storage::WriteBatch SpareBatch();
  void ReportError(uint32_t view_id, const std::string& message);
  Scheduler& GetScheduler() { return scheduler_; }
  storage::StateStore& Store() { return store_; }
  const RuntimeOptions& Options() const { return options_; }
  uint64_t NextActorId() { return next_actor_id_.fetch_add(1); }
  /// The counters of relation `relation_id`'s readers; call with the runtime's mutex held (views
  /// are built under it).
  std::shared_ptr<ScanCounters> CountersLocked(uint32_t relation_id, uint32_t view_id);
  std::shared_ptr<Channel> MakeChannel(size_t capacity) {
    return std::make_shared<Channel>(scheduler_, capacity);
  }

 private:
  /// The actors of one view and what connects them to the rest.
  struct View {
    std::shared_ptr<const plan::StreamPlan> plan;
    std::vector<std::shared_ptr<Actor>> actors;
    std::vector<std::shared_ptr<Actor>> roots;
    std::vector<std::shared_ptr<Actor>> materializers;
    /// (table id, the root actor reading it).
    std::vector<std::pair<uint32_t, std::shared_ptr<Actor>>> table_readers;
    /// (upstream view id, the channel from one of its materializers).
    std::vector<std::pair<uint32_t, std::shared_ptr<Channel>>> upstream_channels;
    std::shared_ptr<std::atomic<int64_t>> rows = std::make_shared<std::atomic<int64_t>>(0);
    uint64_t errors = 0;
    std::string last_error;
    /// The delivery state of the view's sink instances, if it is a sink.
    std::vector<std::shared_ptr<connectors::SinkHealthReport>> sinks;
  };
  struct Epoch {
    size_t expected = 0;
    size_t received = 0;
    /// What the actors reported.
    std::vector<storage::WriteBatch> batches;
    /// What the statement that asked for the barrier commits with it (DML rows, catalog changes,
    /// a dropped view's deletions); written after the actors' batches, so a dropped view's
    /// deletions also remove what its actors wrote in their last epoch.
    std::vector<storage::WriteBatch> attached;
  };

  View Build(uint32_t view_id, std::shared_ptr<const plan::StreamPlan> plan, bool backfill);
  /// Injects the next barrier into every root; `attached` commits with it. Returns its epoch.
  uint64_t InjectLocked(std::shared_ptr<const Mutation> mutation,
                        std::optional<storage::WriteBatch> attached = std::nullopt);
  void WaitCommitted(uint64_t epoch);
  void CoordinatorLoop();

  storage::StateStore& store_;
  RuntimeOptions options_;
  Scheduler scheduler_;
  std::atomic<uint64_t> next_actor_id_{1};

  mutable std::mutex mutex_;
  std::condition_variable cv_;
  uint64_t injected_epoch_;
  uint64_t committed_epoch_;
  /// committed_epoch_ for operators, which read it without the mutex.
  std::shared_ptr<std::atomic<uint64_t>> published_epoch_;
  int64_t last_commit_micros_ = 0;
  std::map<uint64_t, Epoch> epochs_;
  std::vector<storage::WriteBatch> attach_next_;
  std::vector<storage::WriteBatch> spare_batches_;
  size_t live_actors_ = 0;
  std::map<uint32_t, View> views_;
  /// Per relation, the counters of each view reading it (shared by that view's shards).
  std::map<uint32_t, std::vector<std::pair<uint32_t, std::weak_ptr<ScanCounters>>>> counters_;
  bool barrier_requested_ = false;
  bool stopping_ = false;
  bool started_ = false;
  std::optional<Error> commit_error_;
  std::thread coordinator_;
};

// ---------------------------------------------------------------------------------------------
// Scheduler implementation

void Scheduler::Start() {
  std::lock_guard lock(mutex_);
  if (started_) {
    return;
  }
  started_ = true;
  for (uint32_t i = 0; i < worker_count_; ++i) {
    workers_.emplace_back([this] { WorkerLoop(); });
  }
  timer_ = std::thread([this] { TimerLoop(); });
}

void Scheduler::Stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) {
      return;
    }
    stopping_ = true;
  }
  ready_cv_.notify_all();
  timer_cv_.notify_all();
  for (std::thread& worker : workers_) {
    worker.join();
  }
  if (timer_.joinable()) {
    timer_.join();
  }
  ready_.clear();
  timers_.clear();
}

void Scheduler::Schedule(const std::shared_ptr<Actor>& actor) {
  std::lock_guard lock(mutex_);
  if (stopping_ || actor->stopped.load(std::memory_order_relaxed)) {
    return;
  }
  switch (actor->run_state) {
    case Actor::RunState::kIdle:
      actor->run_state = Actor::RunState::kQueued;
      ready_.push_back(actor);
      ready_cv_.notify_one();
      break;
    case Actor::RunState::kQueued:
      break;
    case Actor::RunState::kRunning:
      actor->notified = true;
      break;
  }
}

void Scheduler::ScheduleAfter(const std::shared_ptr<Actor>& actor, int64_t micros) {
  std::lock_guard lock(mutex_);
  timers_.emplace(std::chrono::steady_clock::now() + std::chrono::microseconds(micros), actor);
  timer_cv_.notify_one();
}

void Scheduler::WorkerLoop() {
  constexpr int kStepsPerTurn = 32;
  std::unique_lock lock(mutex_);
  while (true) {
    ready_cv_.wait(lock, [&] { return stopping_ || !ready_.empty(); });
    if (stopping_) {
      return;
    }
    std::shared_ptr<Actor> actor = std::move(ready_.front());
    ready_.pop_front();
    actor->run_state = Actor::RunState::kRunning;
    actor->notified = false;
    lock.unlock();
    bool more = false;
    if (actor->started.load(std::memory_order_acquire)) {
      for (int step = 0; step < kStepsPerTurn; ++step) {
        more = actor->Step();
        if (!more) {
          break;
        }
      }
    }
    lock.lock();
    if (!actor->stopped.load(std::memory_order_relaxed) && (more || actor->notified)) {
      actor->run_state = Actor::RunState::kQueued;
      actor->notified = false;
      ready_.push_back(std::move(actor));
    } else {
      actor->run_state = Actor::RunState::kIdle;
    }
  }
}

void Scheduler::TimerLoop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    if (timers_.empty()) {
      timer_cv_.wait(lock);
      continue;
    }
    const auto due = timers_.begin()->first;
    if (std::chrono::steady_clock::now() < due) {
      timer_cv_.wait_until(lock, due);
      continue;
    }
    std::shared_ptr<Actor> actor = timers_.begin()->second.lock();
    timers_.erase(timers_.begin());
    if (actor) {
      lock.unlock();
      Schedule(actor);
      lock.lock();
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Channel implementation

void Channel::Push(Message message) {
  std::shared_ptr<Actor> consumer;
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(std::move(message));
    consumer = consumer_.lock();
  }
  if (consumer) {
    scheduler_.Schedule(consumer);
  }
}

bool Channel::TryPop(Message& out) {
  std::vector<std::weak_ptr<Actor>> waiting;
  {
    std::lock_guard lock(mutex_);
    if (queue_.empty()) {
      return false;
    }
    out = std::move(queue_.front());
    queue_.pop_front();
    if (queue_.size() < capacity_ && !waiting_producers_.empty()) {
      waiting.swap(waiting_producers_);
    }
  }
  for (const std::weak_ptr<Actor>& weak : waiting) {
    if (std::shared_ptr<Actor> producer = weak.lock()) {
      scheduler_.Schedule(producer);
    }
  }
  return true;
}

bool Channel::Full() {
  std::lock_guard lock(mutex_);
  return queue_.size() >= capacity_;
}

bool Channel::WaitForRoom(const std::shared_ptr<Actor>& producer) {
  std::lock_guard lock(mutex_);
  if (queue_.size() < capacity_) {
    return false;
  }
  waiting_producers_.push_back(producer);
  return true;
}

// ---------------------------------------------------------------------------------------------
// Dispatcher implementation

void Dispatcher::OnChunk(size_t input, const Chunk& chunk) {
  if (chunk.NumRows() == 0) {
    return;
  }
  for (Output& output : outputs_) {
    const size_t targets = output.channels.size();
    if (targets == 1) {
      Message message;
      message.chunk = chunk;
      output.channels[0]->Push(std::move(message));
      continue;
    }
    HashRows(chunk, output.hash_columns, hashes_);
    selections_.resize(targets);
    for (auto& selection : selections_) {
      selection.assign(chunk.NumRows(), 0);
    }
    for (size_t row = 0; row < chunk.NumRows(); ++row) {
      selections_[hashes_[row] % targets][row] = 1;
    }
    for (size_t target = 0; target < targets; ++target) {
      Message message;
      message.chunk = chunk.Select(selections_[target]);
      if (message.chunk.NumRows() > 0) {
        output.channels[target]->Push(std::move(message));
      }
    }
  }
}

void Dispatcher::OnWatermark(size_t input, uint32_t column, int64_t value) {
  for (Output& output : outputs_) {
    for (const std::shared_ptr<Channel>& channel : output.channels) {
      Message message;
      message.kind = Message::Kind::kWatermark;
      message.column = column;
      message.value = value;
      channel->Push(std::move(message));
    }
  }
}

void Dispatcher::AddOutput(std::vector<uint32_t> hash_columns,
                           std::vector<std::shared_ptr<Channel>> channels) {
  outputs_.push_back(Output{std::move(hash_columns), std::move(channels)});
}

void Dispatcher::RemoveChannel(const Channel* channel) {
  for (auto it = outputs_.begin(); it != outputs_.end();) {
    if (it->channels.size() == 1 && it->channels[0].get() == channel) {
      it = outputs_.erase(it);
    } else {
      ++it;
    }
  }
}

void Dispatcher::SendBarrier(uint64_t epoch, const std::shared_ptr<const Mutation>& mutation) {
  for (Output& output : outputs_) {
    for (const std::shared_ptr<Channel>& channel : output.channels) {
      channel->Push(Message::Barrier(epoch, mutation));
    }
  }
}

Channel* Dispatcher::FullChannel() {
  for (Output& output : outputs_) {
    for (const std::shared_ptr<Channel>& channel : output.channels) {
      if (channel->Full()) {
        return channel.get();
      }
    }
  }
  return nullptr;
}

// ---------------------------------------------------------------------------------------------
// Actor implementation

bool Actor::Step() {
  if (stopped.load(std::memory_order_relaxed)) {
    return false;
  }
  try {
    if (Channel* full = dispatcher->FullChannel()) {
      if (full->WaitForRoom(shared_from_this())) {
        return false;
      }
    }
    if (backfill_scan != nullptr) {
      // A new view first emits the rows its scan's relation holds, one chunk per step.
      if (backfill_snapshot) {
        backfill_scan->StartBackfill(runtime_.Store(), std::move(backfill_snapshot));
        backfill_snapshot.reset();
      }
      if (!backfill_scan->BackfillStep()) {
        backfill_scan = nullptr;
      }
      return true;
    }
    Message message;
    if (control && control->TryPop(message)) {
      if (message.kind == Message::Kind::kBarrier) {
        ProcessBarrier(message.epoch, message.mutation);
      } else if (message.kind == Message::Kind::kChunk) {
        control_target->OnChunk(0, message.chunk);
      }
      return true;
    }
    const size_t count = inputs.size();
    for (size_t k = 0; k < count; ++k) {
      const size_t index = (next_input_ + k) % count;
      if (inputs[index].barrier_received || !inputs[index].channel->TryPop(message)) {
        continue;
      }
      next_input_ = index + 1;
      HandleInput(index, message);
      return true;
    }
    if (producer != nullptr) {
      if (producer->Produce()) {
        return true;
      }
      const int64_t wait = producer->MicrosUntilReady();
      if (wait > 0) {
        runtime_.GetScheduler().ScheduleAfter(shared_from_this(), wait);
      }
    }
    return false;
  } catch (const Error& error) {
    runtime_.ReportError(view_id_, error.Message());
    return true;
  } catch (const std::exception& error) {
    runtime_.ReportError(view_id_, error.what());
    return true;
  }
}

void Actor::HandleInput(size_t index, Message& message) {
  Input& input = inputs[index];
  switch (message.kind) {
    case Message::Kind::kChunk:
      input.target->OnChunk(input.side, message.chunk);
      return;
    case Message::Kind::kWatermark: {
      if (input.watermarks.size() <= message.column) {
        input.watermarks.resize(message.column + 1);
      }
      input.watermarks[message.column] = message.value;
      // The watermark of an input is the minimum over all channels feeding it.
      std::optional<int64_t> minimum;
      for (const Input& other : inputs) {
        if (other.edge != input.edge) {
          continue;
        }
        if (other.watermarks.size() <= message.column || !other.watermarks[message.column]) {
          return;
        }
        const int64_t value = *other.watermarks[message.column];
        minimum = minimum ? std::min(*minimum, value) : value;
      }
      if (delivered_.size() < edge_count) {
        delivered_.resize(edge_count);
      }
      auto& delivered = delivered_[input.edge];
      if (delivered.size() <= message.column) {
        delivered.resize(message.column + 1);
      }
      if (!delivered[message.column] || *minimum > *delivered[message.column]) {
        delivered[message.column] = minimum;
        input.target->OnWatermark(input.side, message.column, *minimum);
      }
      return;
    }
    case Message::Kind::kBarrier:
      input.barrier_received = true;
      if (++barriers_received_ == inputs.size()) {
        barriers_received_ = 0;
        for (Input& each : inputs) {
          each.barrier_received = false;
        }
        ProcessBarrier(message.epoch, message.mutation);
      }
      return;
  }
}

void Actor::ProcessBarrier(uint64_t epoch, const std::shared_ptr<const Mutation>& mutation) {
  EpochContext context{epoch, &batch};
  for (const std::unique_ptr<StreamOperator>& op : operators) {
    try {
      op->OnBarrier(context);
    } catch (const Error& error) {
      runtime_.ReportError(view_id_, error.Message());
    }
  }
  dispatcher->SendBarrier(epoch, mutation);
  bool stop = false;
  if (mutation) {
    if (auto it = mutation->add_outputs.find(id_); it != mutation->add_outputs.end()) {
      for (const std::shared_ptr<Channel>& channel : it->second) {
        dispatcher->AddOutput({}, {channel});
      }
    }
    if (auto it = mutation->remove_outputs.find(id_); it != mutation->remove_outputs.end()) {
      for (const std::shared_ptr<Channel>& channel : it->second) {
        dispatcher->RemoveChannel(channel.get());
      }
    }
    stop = mutation->stop.count(id_) > 0;
  }
  storage::WriteBatch done = std::move(batch);
  batch = runtime_.SpareBatch();
  if (done.ByteSize() >= runtime_.Options().prepare_batch_bytes) {
    // Failing here costs only speed: the commit inserts the operations instead.
    if (const Status status = runtime_.Store().Prepare(done); !status.ok()) {
      FRESHET_LOG_WARNING("stream", "actor {}: {}", id_, status.error().Message());
    }
  }
  FRESHET_LOG_DEBUG("stream", "actor {} of view {} reports epoch {}", id_, view_id_, epoch);
  runtime_.Collect(epoch, std::move(done));
  if (stop) {
    stopped.store(true);
  }
}

// ---------------------------------------------------------------------------------------------
// Building a view's actors

namespace {

/// Builds the actors of one view: one per instance of each fragment (a maximal part of the plan
/// between exchanges), connected by channels.
class DataflowBuilder {
 public:
  DataflowBuilder(Runtime& runtime,
                  uint32_t view_id,
                  const plan::StreamPlan& plan,
                  std::shared_ptr<const storage::Snapshot> snapshot)
      : runtime_(runtime), view_id_(view_id), plan_(plan), snapshot_(std::move(snapshot)) {}

  /// Builds the fragment whose top is `top`; returns its actors, their dispatchers unconnected.
  std::vector<std::shared_ptr<Actor>> BuildFragment(const plan::StreamNode& top);

  std::vector<std::shared_ptr<Actor>> actors;
  std::vector<std::shared_ptr<Actor>> roots;
  std::vector<std::shared_ptr<Actor>> materializers;
  std::vector<std::pair<uint32_t, std::shared_ptr<Actor>>> table_readers;
  /// (upstream view id, the scan actor, the scan operator) for scans of views.
  struct ViewScan {
    uint32_t upstream = 0;
    std::shared_ptr<Actor> actor;
    StreamOperator* scan = nullptr;
    size_t edge = 0;
  };
  std::vector<ViewScan> view_scans;
  std::vector<std::pair<std::shared_ptr<Actor>, TableScanOperator*>> backfills;
  std::shared_ptr<std::atomic<int64_t>> rows = std::make_shared<std::atomic<int64_t>>(0);
  std::vector<std::shared_ptr<connectors::SinkHealthReport>> sinks;

 private:
  /// The number of instances of the fragment under `node`, decided by its leaves.
  uint32_t Parallelism(const plan::StreamNode& node) const;
  /// Builds the operators of `node` and the nodes below it up to exchanges into `actor`, with
  /// output to (`downstream`, `downstream_input`).
  void BuildOperators(const plan::StreamNode& node,
                      Actor& actor,
                      const std::shared_ptr<Actor>& self,
                      const OperatorContext& context,
                      StreamOperator* downstream,
                      size_t downstream_input);

  Runtime& runtime_;
  uint32_t view_id_;
  const plan::StreamPlan& plan_;
  std::shared_ptr<const storage::Snapshot> snapshot_;
  /// The actors of the fragment below each exchange node of the fragment being built.
  std::map<const plan::StreamNode*, std::vector<std::shared_ptr<Actor>>> below_;
  /// For each exchange: the channels [upstream instance][downstream instance].
  std::map<const plan::StreamNode*, std::vector<std::vector<std::shared_ptr<Channel>>>> channels_;
};

void CollectExchanges(const plan::StreamNode& node, std::vector<const plan::StreamNode*>& out) {
  if (node.kind == plan::StreamNodeKind::kExchange) {
    out.push_back(&node);
    return;
  }
  for (const plan::StreamNodePtr& input : node.inputs) {
    CollectExchanges(*input, out);
  }
}

uint32_t DataflowBuilder::Parallelism(const plan::StreamNode& node) const {
  switch (node.kind) {
    case plan::StreamNodeKind::kExchange:
      return node.distribution.kind == plan::DistributionKind::kSingle ? 1 : plan_.parallelism;
    case plan::StreamNodeKind::kSource:
      return plan_.parallelism;
    case plan::StreamNodeKind::kTableScan:
      return 1;
    default:
      return Parallelism(*node.inputs[0]);
  }
}

std::vector<std::shared_ptr<Actor>> DataflowBuilder::BuildFragment(const plan::StreamNode& top) {
  std::vector<const plan::StreamNode*> exchanges;
  CollectExchanges(top, exchanges);
  const uint32_t parallelism = Parallelism(top);
  for (const plan::StreamNode* exchange : exchanges) {
    below_[exchange] = BuildFragment(*exchange->inputs[0]);
  }
  std::vector<std::shared_ptr<Actor>> fragment;
  for (uint32_t shard = 0; shard < parallelism; ++shard) {
    fragment.push_back(std::make_shared<Actor>(runtime_, runtime_.NextActorId(), view_id_));
  }
  for (const plan::StreamNode* exchange : exchanges) {
    const auto& upstream = below_[exchange];
    auto& channels = channels_[exchange];
    channels.assign(upstream.size(), {});
    for (size_t from = 0; from < upstream.size(); ++from) {
      for (uint32_t to = 0; to < parallelism; ++to) {
        auto channel = runtime_.MakeChannel(kChannelCapacity);
        channel->SetConsumer(fragment[to]);
        channels[from].push_back(channel);
      }
      upstream[from]->dispatcher->AddOutput(exchange->distribution.columns, channels[from]);
    }
  }
  for (uint32_t shard = 0; shard < parallelism; ++shard) {
    const std::shared_ptr<Actor>& actor = fragment[shard];
    auto dispatcher = std::make_unique<Dispatcher>();
    actor->dispatcher = dispatcher.get();
    OperatorContext context;
    context.store = &runtime_.Store();
    context.snapshot = snapshot_;
    context.view_id = view_id_;
    context.shard = shard;
    context.shard_count = parallelism;
    context.batch.store = &runtime_.Store();
    context.batch.snapshot = snapshot_;
    context.report_row_error = [runtime = &runtime_, view = view_id_](const Error& error) {
      runtime->ReportError(view, error.Message());
    };
    context.committed_epoch = runtime_.PublishedEpoch();
    BuildOperators(top, *actor, actor, context, dispatcher.get(), 0);
    actor->operators.push_back(std::move(dispatcher));
    actors.push_back(actor);
  }
  return fragment;
}

void DataflowBuilder::BuildOperators(const plan::StreamNode& node,
                                     Actor& actor,
                                     const std::shared_ptr<Actor>& self,
                                     const OperatorContext& context,
                                     StreamOperator* downstream,
                                     size_t downstream_input) {
  std::unique_ptr<StreamOperator> op;
  switch (node.kind) {
    case plan::StreamNodeKind::kExchange: {
      const size_t edge = actor.edge_count++;
      for (const auto& from : channels_[&node]) {
        Actor::Input input;
        input.channel = from[context.shard];
        input.target = downstream;
        input.side = downstream_input;
        input.edge = edge;
        actor.inputs.push_back(std::move(input));
      }
      return;
    }
    case plan::StreamNodeKind::kSource: {
      const auto& source = static_cast<const plan::StreamSourceNode&>(node);
      auto reader = std::make_unique<SourceOperator>(
          source, context, runtime_.CountersLocked(source.relation_id, view_id_));
      actor.producer = reader.get();
      actor.control = runtime_.MakeChannel(SIZE_MAX);
      actor.control->SetConsumer(self);
      roots.push_back(self);
      op = std::move(reader);
      break;
    }
    case plan::StreamNodeKind::kTableScan: {
      const auto& scan = static_cast<const plan::StreamTableScanNode&>(node);
      auto reader = std::make_unique<TableScanOperator>(
          scan, context, runtime_.CountersLocked(scan.relation_id, view_id_));
      backfills.emplace_back(self, reader.get());
      if (scan.from_dataflow) {
        view_scans.push_back(ViewScan{scan.relation_id, self, reader.get(), actor.edge_count++});
      } else {
        actor.control = runtime_.MakeChannel(SIZE_MAX);
        actor.control->SetConsumer(self);
        actor.control_target = reader.get();
        roots.push_back(self);
        table_readers.emplace_back(scan.relation_id, self);
      }
      op = std::move(reader);
      break;
    }
    case plan::StreamNodeKind::kFilter:
      op = std::make_unique<FilterOperator>(static_cast<const plan::StreamFilterNode&>(node),
                                            context);
      break;
    case plan::StreamNodeKind::kProject:
      op = std::make_unique<ProjectOperator>(static_cast<const plan::StreamProjectNode&>(node),
                                             context);
      break;
    case plan::StreamNodeKind::kHopWindow:
      op = std::make_unique<HopWindowOperator>(static_cast<const plan::StreamHopWindowNode&>(node));
      break;
    case plan::StreamNodeKind::kSessionWindow:
      op = MakeSessionWindowOperator(static_cast<const plan::StreamSessionWindowNode&>(node),
                                     context);
      break;
    case plan::StreamNodeKind::kAggregate:
      op = MakeAggregateOperator(static_cast<const plan::StreamAggregateNode&>(node), context);
      break;
    case plan::StreamNodeKind::kJoin:
      op = MakeJoinOperator(static_cast<const plan::StreamJoinNode&>(node), context);
      break;
    case plan::StreamNodeKind::kTopN:
      op = MakeTopNOperator(static_cast<const plan::StreamTopNNode&>(node), context);
      break;
    case plan::StreamNodeKind::kUnion:
      op = std::make_unique<UnionOperator>(node.inputs.size());
      break;
    case plan::StreamNodeKind::kMaterialize:
      op = std::make_unique<MaterializeOperator>(
          static_cast<const plan::StreamMaterializeNode&>(node), context, &actor.batch, rows);
      materializers.push_back(self);
      break;
    case plan::StreamNodeKind::kSink: {
      auto health = std::make_shared<connectors::SinkHealthReport>();
      op = MakeSinkOperator(static_cast<const plan::StreamSinkNode&>(node), context, health);
      sinks.push_back(std::move(health));
      break;
    }
  }
  op->SetDownstream(downstream, downstream_input);
  StreamOperator* raw = op.get();
  for (size_t i = 0; i < node.inputs.size(); ++i) {
    BuildOperators(*node.inputs[i], actor, self, context, raw, i);
  }
  actor.operators.push_back(std::move(op));
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Runtime implementation

std::shared_ptr<ScanCounters> Runtime::CountersLocked(uint32_t relation_id, uint32_t view_id) {
  auto& readers = counters_[relation_id];
  for (auto it = readers.begin(); it != readers.end();) {
    std::shared_ptr<ScanCounters> counters = it->second.lock();
    if (!counters) {
      it = readers.erase(it);
    } else if (it->first == view_id) {
      return counters;
    } else {
      ++it;
    }
  }
  auto counters = std::make_shared<ScanCounters>();
  readers.emplace_back(view_id, counters);
  return counters;
}

Runtime::View Runtime::Build(uint32_t view_id,
                             std::shared_ptr<const plan::StreamPlan> plan,
                             bool backfill) {
  DataflowBuilder builder(*this, view_id, *plan, store_.GetSnapshot());
  builder.BuildFragment(*plan->root);
  View view;
  view.plan = std::move(plan);
  view.actors = std::move(builder.actors);
  view.roots = std::move(builder.roots);
  view.materializers = std::move(builder.materializers);
  view.table_readers = std::move(builder.table_readers);
  view.rows = builder.rows;
  view.sinks = std::move(builder.sinks);
  for (const auto& scan : builder.view_scans) {
    auto upstream = views_.find(scan.upstream);
    if (upstream == views_.end()) {
      throw Error::Internal(
          fmt::format("view {} reads view {}, which has no dataflow", view_id, scan.upstream));
    }
    for (size_t i = 0; i < upstream->second.materializers.size(); ++i) {
      auto channel = MakeChannel(kChannelCapacity);
      channel->SetConsumer(scan.actor);
      Actor::Input input;
      input.channel = channel;
      input.target = scan.scan;
      input.side = 0;
      input.edge = scan.edge;
      scan.actor->inputs.push_back(std::move(input));
      view.upstream_channels.emplace_back(scan.upstream, channel);
    }
  }
  if (backfill) {
    for (const auto& [actor, scan] : builder.backfills) {
      actor->backfill_scan = scan;
    }
  }
  return view;
}

void Runtime::Start() {
  {
    std::lock_guard lock(mutex_);
    if (started_) {
      return;
    }
    started_ = true;
  }
  scheduler_.Start();
  coordinator_ = std::thread([this] { CoordinatorLoop(); });
}

void Runtime::Stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) {
      return;
    }
    stopping_ = true;
  }
  cv_.notify_all();
  if (coordinator_.joinable()) {
    coordinator_.join();
  }
  scheduler_.Stop();
  views_.clear();
}

void Runtime::Deploy(uint32_t view_id,
                     std::shared_ptr<const plan::StreamPlan> plan,
                     bool backfill,
                     storage::WriteBatch catalog_changes) {
  std::unique_lock lock(mutex_);
  View view = Build(view_id, std::move(plan), backfill);
  const std::vector<std::shared_ptr<Actor>> actors = view.actors;
  // Connects the view's scans of other views to their materializers.
  auto mutation = std::make_shared<Mutation>();
  size_t channel_index = 0;
  for (const auto& [upstream_id, channel] : view.upstream_channels) {
    const View& upstream = views_.at(upstream_id);
    const auto& materializer =
        upstream.materializers[channel_index++ % upstream.materializers.size()];
    mutation->add_outputs[materializer->Id()].push_back(channel);
  }
  if (!backfill) {
    // Recovery: nothing runs yet, so connect directly.
    for (const auto& [actor_id, channels] : mutation->add_outputs) {
      for (const auto& [id, other] : views_) {
        for (const auto& materializer : other.materializers) {
          if (materializer->Id() == actor_id) {
            for (const auto& channel : channels) {
              materializer->dispatcher->AddOutput({}, {channel});
            }
          }
        }
      }
    }
    live_actors_ += actors.size();
    views_.emplace(view_id, std::move(view));
    if (!catalog_changes.Empty()) {
      attach_next_.push_back(std::move(catalog_changes));
    }
    for (const auto& actor : actors) {
      actor->started.store(true, std::memory_order_release);
      scheduler_.Schedule(actor);
    }
    return;
  }
  // The new view joins at the barrier of epoch `joined`: its readers of other views receive what
  // their upstream emits after it, and its backfill reads the state committed by it.
  const uint64_t joined = InjectLocked(mutation);
  live_actors_ += actors.size();
  views_.emplace(view_id, std::move(view));
  attach_next_.push_back(std::move(catalog_changes));
  lock.unlock();
  try {
    WaitCommitted(joined);
  } catch (...) {
    Drop(view_id, storage::WriteBatch());
    throw;
  }
  std::shared_ptr<const storage::Snapshot> snapshot = store_.GetSnapshot();
  for (const auto& actor : actors) {
    if (actor->backfill_scan != nullptr) {
      actor->backfill_snapshot = snapshot;
    }
    actor->started.store(true, std::memory_order_release);
    scheduler_.Schedule(actor);
  }
  lock.lock();
  const uint64_t populated = InjectLocked(nullptr);
  lock.unlock();
  WaitCommitted(populated);
}

void Runtime::Drop(uint32_t view_id, storage::WriteBatch changes) {
  std::unique_lock lock(mutex_);
  auto it = views_.find(view_id);
  if (it == views_.end()) {
    const uint64_t epoch = InjectLocked(nullptr, std::move(changes));
    lock.unlock();
    WaitCommitted(epoch);
    return;
  }
  const View& view = it->second;
  auto mutation = std::make_shared<Mutation>();
  for (const auto& actor : view.actors) {
    mutation->stop.insert(actor->Id());
  }
  for (const auto& [upstream_id, channel] : view.upstream_channels) {
    auto upstream = views_.find(upstream_id);
    if (upstream == views_.end()) {
      continue;
    }
    for (const auto& materializer : upstream->second.materializers) {
      mutation->remove_outputs[materializer->Id()].push_back(channel);
    }
  }
  // Started actors stop at the barrier; ones never started (a failed CREATE) stop now.
  const uint64_t epoch = InjectLocked(mutation, std::move(changes));
  size_t started = 0;
  for (const auto& actor : view.actors) {
    if (actor->started.load()) {
      ++started;
    } else {
      actor->stopped.store(true);
    }
  }
  epochs_[epoch].expected -= view.actors.size() - started;
  live_actors_ -= view.actors.size();
  // Channels hold their consumers weakly, so the dropped view's actors are kept alive here until
  // the epoch that stops them has committed: by then each has processed its last barrier.
  View dropped = std::move(it->second);
  views_.erase(it);
  cv_.notify_all();
  lock.unlock();
  WaitCommitted(epoch);
}

void Runtime::CommitTableWrite(uint32_t table_id,
                               storage::WriteBatch rows,
                               std::vector<Chunk> changes) {
  std::unique_lock lock(mutex_);
  std::vector<std::shared_ptr<Actor>> readers;
  for (const auto& [id, view] : views_) {
    for (const auto& [table, actor] : view.table_readers) {
      if (table == table_id) {
        readers.push_back(actor);
      }
    }
  }
  if (readers.empty()) {
    // No view reads the table: its rows need no epoch. Written under the lock so that a view
    // created meanwhile either sees them in its backfill or receives them as changes.
    store_.Write(rows).ThrowIfError();
    return;
  }
  for (const auto& actor : readers) {
    for (const Chunk& chunk : changes) {
      Message message;
      message.chunk = chunk;
      actor->control->Push(std::move(message));
    }
  }
  const uint64_t epoch = InjectLocked(nullptr, std::move(rows));
  lock.unlock();
  WaitCommitted(epoch);
}

void Runtime::Flush() {
  std::unique_lock lock(mutex_);
  const uint64_t epoch = InjectLocked(nullptr);
  lock.unlock();
  WaitCommitted(epoch);
}

uint64_t Runtime::InjectLocked(std::shared_ptr<const Mutation> mutation,
                               std::optional<storage::WriteBatch> attached) {
  const uint64_t epoch = ++injected_epoch_;
  Epoch& state = epochs_[epoch];
  state.expected = live_actors_;
  for (storage::WriteBatch& batch : attach_next_) {
    state.attached.push_back(std::move(batch));
  }
  attach_next_.clear();
  if (attached) {
    state.attached.push_back(std::move(*attached));
  }
  for (const auto& [id, view] : views_) {
    for (const auto& root : view.roots) {
      root->control->Push(Message::Barrier(epoch, mutation));
    }
  }
  cv_.notify_all();
  return epoch;
}

void Runtime::WaitCommitted(uint64_t epoch) {
  std::unique_lock lock(mutex_);
  cv_.wait(lock, [&] { return committed_epoch_ >= epoch || commit_error_ || stopping_; });
  if (committed_epoch_ >= epoch) {
    return;
  }
  if (commit_error_) {
    throw *commit_error_;
  }
  throw Error(SqlState::kAdminShutdown, "terminating connection due to administrator command");
}

void Runtime::Collect(uint64_t epoch, storage::WriteBatch batch) {
  std::lock_guard lock(mutex_);
  Epoch& state = epochs_[epoch];
  FRESHET_LOG_DEBUG("stream", "epoch {}: {} of {} actors reported", epoch, state.received + 1,
                    state.expected);
  if (!batch.Empty()) {
    state.batches.push_back(std::move(batch));
  }
  if (++state.received >= state.expected) {
    cv_.notify_all();
  }
}

storage::WriteBatch Runtime::SpareBatch() {
  std::lock_guard lock(mutex_);
  if (spare_batches_.empty()) {
    return storage::WriteBatch();
  }
  storage::WriteBatch batch = std::move(spare_batches_.back());
  spare_batches_.pop_back();
  return batch;
}

void Runtime::ReportError(uint32_t view_id, const std::string& message) {
  FRESHET_LOG_WARNING("stream", "view {}: {}", view_id, message);
  std::lock_guard lock(mutex_);
  auto it = views_.find(view_id);
  if (it != views_.end()) {
    ++it->second.errors;
    it->second.last_error = message;
  }
}

void Runtime::CoordinatorLoop() {
  using Clock = std::chrono::steady_clock;
  const auto interval = std::chrono::microseconds(options_.checkpoint_interval_micros);
  auto next_barrier = Clock::now() + interval;
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    if (Clock::now() >= next_barrier) {
      if (live_actors_ > 0) {
        InjectLocked(nullptr);
      }
      next_barrier = Clock::now() + interval;
    }
    auto front = epochs_.begin();
    if (front != epochs_.end() && front->first == committed_epoch_ + 1 &&
        front->second.received >= front->second.expected) {
      const uint64_t epoch = front->first;
      // The batches are written as they are, without copying them into one.
      std::vector<storage::WriteBatch> batches = std::move(front->second.batches);
      std::vector<storage::WriteBatch> attached = std::move(front->second.attached);
      storage::WriteBatch epoch_record;
      std::string epoch_value;
      storage::AppendUint64(epoch, epoch_value);
      epoch_record.Put(StreamRuntime::EpochKey(), epoch_value);
      std::vector<const storage::WriteBatch*> parts;
      for (const std::vector<storage::WriteBatch>* group : {&batches, &attached}) {
        for (const storage::WriteBatch& batch : *group) {
          parts.push_back(&batch);
        }
      }
      parts.push_back(&epoch_record);
      lock.unlock();
      const Status status = store_.WriteAll(parts);
      lock.lock();
      if (status.ok()) {
        for (storage::WriteBatch& batch : batches) {
          if (spare_batches_.size() < live_actors_ && batch.ByteSize() >= 4096) {
            batch.Clear();
            spare_batches_.push_back(std::move(batch));
          }
        }
        committed_epoch_ = epoch;
        published_epoch_->store(epoch, std::memory_order_release);
        last_commit_micros_ = std::chrono::duration_cast<std::chrono::microseconds>(
                                  std::chrono::system_clock::now().time_since_epoch())
                                  .count();
        epochs_.erase(epoch);
        commit_error_.reset();
        cv_.notify_all();
        continue;
      }
      FRESHET_LOG_ERROR("stream", "committing epoch {} failed: {}", epoch,
                        status.error().Message());
      front = epochs_.find(epoch);
      front->second.batches = std::move(batches);
      front->second.attached = std::move(attached);
      commit_error_ = status.error();
      cv_.notify_all();
      // Retries the same epoch: its state is still in memory, and nothing later may commit first.
      cv_.wait_for(lock, std::chrono::seconds(1), [&] { return stopping_; });
      commit_error_.reset();
      continue;
    }
    cv_.wait_until(lock, next_barrier);
  }
}

std::vector<ViewProgress> Runtime::Views() const {
  std::lock_guard lock(mutex_);
  std::vector<ViewProgress> result;
  for (const auto& [id, view] : views_) {
    ViewProgress progress;
    progress.view_id = id;
    progress.rows = view.rows->load(std::memory_order_relaxed);
    progress.errors = view.errors;
    progress.last_error = view.last_error;
    result.push_back(std::move(progress));
  }
  return result;
}

std::vector<connectors::SinkHealth> Runtime::Sinks() const {
  std::lock_guard lock(mutex_);
  std::vector<connectors::SinkHealth> result;
  for (const auto& [id, view] : views_) {
    for (const auto& sink : view.sinks) {
      result.push_back(sink->Get());
    }
  }
  return result;
}

std::vector<SourceProgress> Runtime::Sources() const {
  std::lock_guard lock(mutex_);
  std::vector<SourceProgress> result;
  for (const auto& [id, readers] : counters_) {
    // Every view reads the whole relation, so the furthest reader tells how far it has been read.
    SourceProgress progress;
    progress.relation_id = id;
    bool any = false;
    for (const auto& [view, weak] : readers) {
      if (std::shared_ptr<ScanCounters> counters = weak.lock()) {
        any = true;
        progress.rows = std::max(progress.rows, counters->rows.load(std::memory_order_relaxed));
        progress.late_rows =
            std::max(progress.late_rows, counters->late_rows.load(std::memory_order_relaxed));
        // A source's readers report their own watermarks: the source's is the least of the active
        // ones, what flows downstream. Table scans report only the largest.
        const std::optional<int64_t> active = counters->ActiveShardsWatermark();
        progress.watermark =
            std::max(progress.watermark,
                     active ? *active : counters->watermark.load(std::memory_order_relaxed));
        const connectors::SourceHealth health = counters->Health();
        if (health.state != "running") {
          progress.state = health.state;
        }
        progress.lag = std::max(progress.lag, health.lag);
        // Every view's readers meet the same bad messages: show those of the one that met most.
        const uint64_t errors = counters->errors.load(std::memory_order_relaxed);
        if (errors > progress.errors || progress.recent_errors.empty()) {
          progress.errors = std::max(progress.errors, errors);
          progress.recent_errors = counters->RecentErrors();
        }
      }
    }
    if (any) {
      result.push_back(progress);
    }
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// StreamRuntime

StreamRuntime::StreamRuntime(storage::StateStore& store,
                             RuntimeOptions options,
                             uint64_t committed_epoch)
    : runtime_(std::make_unique<Runtime>(store, options, committed_epoch)) {}

StreamRuntime::~StreamRuntime() = default;

std::string StreamRuntime::EpochKey() {
  return storage::SystemKey("committed_epoch");
}

void StreamRuntime::Start() {
  runtime_->Start();
}
void StreamRuntime::Stop() {
  runtime_->Stop();
}

void StreamRuntime::Deploy(uint32_t view_id,
                           std::shared_ptr<const plan::StreamPlan> plan,
                           bool backfill,
                           storage::WriteBatch catalog_changes) {
  runtime_->Deploy(view_id, std::move(plan), backfill, std::move(catalog_changes));
}

void StreamRuntime::Drop(uint32_t view_id, storage::WriteBatch changes) {
  runtime_->Drop(view_id, std::move(changes));
}

void StreamRuntime::CommitTableWrite(uint32_t table_id,
                                     storage::WriteBatch rows,
                                     std::vector<Chunk> changes) {
  runtime_->CommitTableWrite(table_id, std::move(rows), std::move(changes));
}

void StreamRuntime::Flush() {
  runtime_->Flush();
}
uint64_t StreamRuntime::CommittedEpoch() const {
  return runtime_->CommittedEpoch();
}
int64_t StreamRuntime::LastCommitMicros() const {
  return runtime_->LastCommitMicros();
}
std::vector<ViewProgress> StreamRuntime::Views() const {
  return runtime_->Views();
}
std::vector<SourceProgress> StreamRuntime::Sources() const {
  return runtime_->Sources();
}

std::vector<connectors::SinkHealth> StreamRuntime::Sinks() const {
  return runtime_->Sinks();
}

}  // namespace freshet::executor::stream
