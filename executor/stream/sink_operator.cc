// SPDX-License-Identifier: Apache-2.0
// The sink operator: a durable log of the sink's input in the operator's state, and a delivery
// thread that hands each epoch to the connector's writer once the store committed it (the design
// of Flink's two-phase commit sinks, RisingWave's log store and Kafka Streams' exactly-once).
//
// At each barrier the operator adds the epoch's input chunks to the epoch's write batch, so they
// commit atomically with the source positions that produced them; the barrier never waits for the
// external system. The delivery thread writes the logged epochs in order, each only once the
// runtime has committed it (OperatorContext::committed_epoch), and commits it there (one Kafka
// transaction per epoch, or a flush). A later barrier deletes the delivered epochs' entries and
// records the last delivered epoch, so after a restart an at-least-once sink writes again at most
// the epochs delivered after that record. An exactly-once writer also finds, on recovery, the last
// epoch its predecessors committed in the external system (SinkWriter::Recover) and skips the
// logged epochs up to it, which closes the gap between the external commit and the store's record
// of it. When delivery fails, the thread recreates the writer and retries with a growing pause
// while the dataflow goes on committing epochs into the log.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "common/logging.h"
#include "connectors/sink_writer.h"
#include "executor/stream/stream_operator.h"
#include "storage/key_codec.h"
#include "storage/row_codec.h"

namespace freshet::executor::stream {
namespace {

// The operator's state, under OperatorContext::StatePrefix(operator id):
//   kMetaTag "instance"           the instance id (SinkSpec::instance_id), written once
//   kMetaTag "delivered"          8-byte big-endian last delivered epoch, then the writer's
//                                 checkpoint (SinkWriter::Checkpoint) taken with it
//   kLogTag epoch(8) sequence(4)  one input chunk of a logged, undelivered epoch (EncodeChunk);
//                                 big-endian, so the log reads in epoch order
constexpr char kMetaTag = 0x00;
constexpr char kLogTag = 0x01;
constexpr std::string_view kInstanceName = "instance";
constexpr std::string_view kDeliveredName = "delivered";

/// The first byte of an encoded chunk.
constexpr uint8_t kChunkFormatV1 = 1;

/// Bytes of logged chunks a sink keeps in memory for its delivery thread; epochs logged beyond
/// that (a long outage of the external system) are read back from the store when their turn comes.
constexpr size_t kMemoryBudgetBytes = size_t{64} << 20;
/// How often the delivery thread looks at the committed epoch while an epoch waits for its commit.
constexpr auto kCommitPollInterval = std::chrono::milliseconds(5);
/// The pause after the first failed delivery; it doubles with every further failure up to the
/// maximum.
constexpr auto kFirstRetryPause = std::chrono::milliseconds(100);
constexpr auto kMaxRetryPause = std::chrono::milliseconds(10000);
/// How long a stopping sink lets a healthy delivery in flight finish before cancelling it.
constexpr auto kStopGrace = std::chrono::milliseconds(1000);

void AppendVarint(uint64_t value, std::string& out) {
  while (value >= 0x80) {
    out.push_back(static_cast<char>((value & 0x7F) | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
}

bool ReadVarint(std::string_view& in, uint64_t& value) {
  value = 0;
  for (int shift = 0; shift < 64 && !in.empty(); shift += 7) {
    const auto byte = static_cast<uint8_t>(in.front());
    in.remove_prefix(1);
    value |= static_cast<uint64_t>(byte & 0x7F) << shift;
    if ((byte & 0x80) == 0) {
      return true;
    }
  }
  return false;
}

/// Appends `chunk` as: format byte, varint row count, then per row the op byte, the varint length
/// of the row and the row in the row codec (storage/row_codec.h).
void EncodeChunk(const Chunk& chunk, std::string& row, std::string& out) {
  out.push_back(static_cast<char>(kChunkFormatV1));
  AppendVarint(chunk.NumRows(), out);
  for (size_t i = 0; i < chunk.NumRows(); ++i) {
    row.clear();
    storage::EncodeRow(chunk, i, row);
    out.push_back(static_cast<char>(chunk.Ops()[i]));
    AppendVarint(row.size(), out);
    out += row;
  }
}

Error CorruptLog(std::string_view what) {
  return Error(SqlState::kDataCorrupted, fmt::format("corrupt sink log entry: {}", what));
}

Chunk DecodeChunk(std::string_view in, const std::vector<DataType>& types) {
  uint64_t rows = 0;
  if (in.empty() || static_cast<uint8_t>(in.front()) != kChunkFormatV1) {
    throw CorruptLog("unknown format");
  }
  in.remove_prefix(1);
  if (!ReadVarint(in, rows)) {
    throw CorruptLog("truncated row count");
  }
  Chunk chunk(types);
  for (uint64_t i = 0; i < rows; ++i) {
    uint64_t size = 0;
    if (in.empty()) {
      throw CorruptLog("truncated row");
    }
    const auto op = static_cast<uint8_t>(in.front());
    in.remove_prefix(1);
    if (op > static_cast<uint8_t>(Op::kUpdateInsert) || !ReadVarint(in, size) || size > in.size()) {
      throw CorruptLog("bad row header");
    }
    storage::DecodeRowInto(in.substr(0, size), types, chunk, static_cast<Op>(op)).ThrowIfError();
    in.remove_prefix(size);
  }
  if (!in.empty()) {
    throw CorruptLog("trailing bytes");
  }
  return chunk;
}

/// A new instance id: random, so that a sink created again under the same name (or a data
/// directory started afresh) never takes another incarnation's epochs in Kafka for its own.
std::string NewInstanceId(uint32_t shard) {
  std::random_device device;
  const uint64_t random = (static_cast<uint64_t>(device()) << 32) ^ device();
  return fmt::format("{:016x}-{}", random, shard);
}

/// One epoch in the sink's log, waiting for delivery.
struct LoggedEpoch {
  uint64_t epoch = 0;
  uint32_t chunk_count = 0;
  /// The chunks, when kept in memory; otherwise the delivery thread reads them from the store.
  bool in_memory = false;
  std::vector<Chunk> chunks;
  size_t bytes = 0;
};

/// One sink instance (a shard of the sink's fragment): the log in the operator's state, and the
/// delivery thread with its writer.
class SinkOperator final : public StreamOperator {
 public:
  SinkOperator(const plan::StreamSinkNode& node,
               const OperatorContext& context,
               std::shared_ptr<connectors::SinkHealthReport> health,
               SinkWriterFactory make_writer)
      : spec_(MakeSinkSpec(node)),
        store_(context.store),
        prefix_(context.StatePrefix(node.operator_id)),
        committed_(context.committed_epoch),
        health_(health ? std::move(health) : std::make_shared<connectors::SinkHealthReport>()),
        make_writer_(make_writer ? std::move(make_writer)
                                 : SinkWriterFactory(connectors::CreateSinkWriter)) {
    if (!committed_) {
      throw Error::Internal("a sink operator needs the runtime's committed epoch");
    }
    spec_.shard = context.shard;
    Load(context);
    // Created here, so that a connector that refuses the sink fails the deployment.
    writer_ = make_writer_(spec_);
    PublishHealthLocked();
    thread_ = std::thread([this] { Run(); });
  }

  ~SinkOperator() override {
    std::shared_ptr<connectors::SinkWriter> writer;
    {
      std::unique_lock lock(mutex_);
      stopping_ = true;
      if (delivering_ && failures_ == 0) {
        // A healthy delivery in flight is likely to finish: let it, rather than abort an epoch
        // the next start would write again.
        cv_.wait_for(lock, kStopGrace, [&] { return !delivering_; });
      }
      writer = writer_;
    }
    if (writer) {
      writer->Cancel();
    }
    cv_.notify_all();
    thread_.join();
  }

  void OnChunk(size_t input, const Chunk& chunk) override {
    if (chunk.NumRows() > 0) {
      epoch_chunks_.push_back(chunk);
    }
  }

  void OnBarrier(const EpochContext& epoch) override {
    storage::WriteBatch& batch = *epoch.batch;
    if (!instance_written_) {
      batch.Put(MetaKey(kInstanceName), spec_.instance_id);
      instance_written_ = true;
    }
    uint64_t delivered = 0;
    std::string checkpoint;
    {
      std::lock_guard lock(mutex_);
      delivered = delivered_;
      checkpoint = checkpoint_;
    }
    // The delivered epochs leave the log, and the record of how far delivery got moves with them
    // (in the same batch, so a restart never finds the one without the other).
    for (auto it = unpruned_.begin(); it != unpruned_.end() && it->first <= delivered;
         it = unpruned_.erase(it)) {
      for (uint32_t sequence = 0; sequence < it->second; ++sequence) {
        batch.Delete(LogKey(it->first, sequence));
      }
    }
    if (delivered != written_delivered_ || checkpoint != written_checkpoint_) {
      std::string value;
      storage::AppendUint64(delivered, value);
      value += checkpoint;
      batch.Put(MetaKey(kDeliveredName), value);
      written_delivered_ = delivered;
      written_checkpoint_ = checkpoint;
      std::lock_guard lock(mutex_);
      checkpoint_written_epoch_ = epoch.epoch;
    }
    if (epoch_chunks_.empty()) {
      return;
    }
    auto logged = std::make_shared<LoggedEpoch>();
    logged->epoch = epoch.epoch;
    logged->chunk_count = static_cast<uint32_t>(epoch_chunks_.size());
    std::string value;
    for (uint32_t sequence = 0; sequence < logged->chunk_count; ++sequence) {
      value.clear();
      EncodeChunk(epoch_chunks_[sequence], row_, value);
      batch.Put(LogKey(epoch.epoch, sequence), value);
      logged->bytes += epoch_chunks_[sequence].MemoryUsage();
    }
    unpruned_[epoch.epoch] = logged->chunk_count;
    {
      std::lock_guard lock(mutex_);
      if (memory_bytes_ + logged->bytes <= kMemoryBudgetBytes) {
        logged->in_memory = true;
        logged->chunks = std::move(epoch_chunks_);
        memory_bytes_ += logged->bytes;
      }
      pending_.push_back(std::move(logged));
      PublishHealthLocked();
    }
    epoch_chunks_.clear();
    cv_.notify_all();
  }

 private:
  std::string MetaKey(std::string_view name) const {
    std::string key = prefix_;
    key.push_back(kMetaTag);
    key += name;
    return key;
  }
  std::string LogKey(uint64_t epoch, uint32_t sequence) const {
    std::string key = prefix_;
    key.push_back(kLogTag);
    storage::AppendUint64(epoch, key);
    storage::AppendUint32(sequence, key);
    return key;
  }

  /// Reads the committed log and delivery record.
  void Load(const OperatorContext& context) {
    std::map<uint64_t, uint32_t> logged;
    std::unique_ptr<storage::Iterator> it =
        store_->Scan(prefix_, storage::PrefixUpperBound(prefix_), context.snapshot.get());
    for (; it->Valid(); it->Next()) {
      std::string_view key = it->Key().substr(prefix_.size());
      if (key.empty()) {
        continue;
      }
      const char tag = key.front();
      key.remove_prefix(1);
      if (tag == kMetaTag && key == kInstanceName) {
        spec_.instance_id = std::string(it->Value());
        instance_written_ = true;
      } else if (tag == kMetaTag && key == kDeliveredName) {
        std::string_view value = it->Value();
        delivered_ = written_delivered_ = storage::ReadUint64(value).ValueOrThrow();
        checkpoint_ = written_checkpoint_ = std::string(value);
        checkpoint_known_ = true;
        checkpoint_durable_ = true;
      } else if (tag == kLogTag) {
        ++logged[storage::ReadUint64(key).ValueOrThrow()];
      }
    }
    it->GetStatus().ThrowIfError();
    if (!instance_written_) {
      spec_.instance_id = NewInstanceId(context.shard);
    }
    unpruned_ = logged;
    for (const auto& [epoch, count] : logged) {
      if (epoch > delivered_) {
        auto entry = std::make_shared<LoggedEpoch>();
        entry->epoch = epoch;
        entry->chunk_count = count;
        pending_.push_back(std::move(entry));
      }
    }
    if (!pending_.empty()) {
      FRESHET_LOG_INFO("sink", "sink \"{}\" shard {}: {} logged epochs to deliver, from epoch {}",
                       spec_.sink_name, spec_.shard, pending_.size(), pending_.front()->epoch);
    }
  }

  /// The chunks of a logged epoch the store holds (committed, not yet pruned).
  std::vector<Chunk> ReadLogged(const LoggedEpoch& logged) const {
    const std::string begin = LogKey(logged.epoch, 0);
    const std::string end = LogKey(logged.epoch + 1, 0);
    std::vector<Chunk> chunks;
    std::unique_ptr<storage::Iterator> it = store_->Scan(begin, end);
    for (; it->Valid(); it->Next()) {
      chunks.push_back(DecodeChunk(it->Value(), spec_.column_types));
    }
    it->GetStatus().ThrowIfError();
    if (chunks.size() != logged.chunk_count) {
      throw Error(SqlState::kDataCorrupted,
                  fmt::format("sink \"{}\" found {} of the {} logged chunks of epoch {}",
                              spec_.sink_name, chunks.size(), logged.chunk_count, logged.epoch));
    }
    return chunks;
  }

  /// The delivery thread.
  void Run() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      if (!recovered_) {
        lock.unlock();
        Attempt([&] { Recover(); }, /*delivery=*/false);
        lock.lock();
        continue;
      }
      // Epochs that recovery found in the external system already.
      while (!pending_.empty() && pending_.front()->epoch <= delivered_) {
        memory_bytes_ -= pending_.front()->in_memory ? pending_.front()->bytes : 0;
        pending_.pop_front();
        PublishHealthLocked();
      }
      if (!checkpoint_durable_ && checkpoint_written_epoch_ != 0 &&
          committed_->load() >= checkpoint_written_epoch_) {
        checkpoint_durable_ = true;
      }
      const bool committed = !pending_.empty() &&
                             pending_.front()->epoch <= committed_->load(std::memory_order_acquire);
      if (!committed || !checkpoint_durable_) {
        // An epoch waits for the runtime's commit (or a new writer's checkpoint for the store's):
        // look again shortly. Nothing logged: OnBarrier wakes the thread.
        if (pending_.empty()) {
          cv_.wait(lock);
        } else {
          cv_.wait_for(lock, kCommitPollInterval);
        }
        continue;
      }
      std::shared_ptr<LoggedEpoch> next = pending_.front();
      std::shared_ptr<connectors::SinkWriter> writer = writer_;
      delivering_ = true;
      lock.unlock();
      const bool delivered = Attempt(
          [&] {
            const std::vector<Chunk> read =
                next->in_memory ? std::vector<Chunk>() : ReadLogged(*next);
            const std::vector<Chunk>& chunks = next->in_memory ? next->chunks : read;
            writer->BeginEpoch(next->epoch);
            for (const Chunk& chunk : chunks) {
              writer->Write(chunk);
            }
            writer->CommitEpoch(next->epoch);
          },
          /*delivery=*/true);
      lock.lock();
      delivering_ = false;
      if (delivered) {
        FRESHET_LOG_DEBUG("sink", "sink \"{}\" shard {}: delivered epoch {}", spec_.sink_name,
                          spec_.shard, next->epoch);
        delivered_ = next->epoch;
        checkpoint_ = writer->Checkpoint();
        if (!pending_.empty() && pending_.front() == next) {
          memory_bytes_ -= next->in_memory ? next->bytes : 0;
          pending_.pop_front();
        }
        PublishHealthLocked();
      }
      cv_.notify_all();
    }
    std::shared_ptr<connectors::SinkWriter> writer = std::move(writer_);
    lock.unlock();
    writer.reset();  // cancelled by the destructor when it had anything to wait for
  }

  /// Creates a writer when there is none and lets it take over from its predecessors.
  void Recover() {
    std::shared_ptr<connectors::SinkWriter> writer;
    std::optional<std::string> checkpoint;
    {
      std::lock_guard lock(mutex_);
      if (!writer_) {
        writer_ = std::shared_ptr<connectors::SinkWriter>(make_writer_(spec_));
        if (stopping_) {
          writer_->Cancel();
        }
      }
      writer = writer_;
      // Without a checkpoint in the store (a new sink, or one stopped before its first was
      // committed) no writer of this instance has delivered anything: deliveries wait for one.
      if (checkpoint_known_) {
        checkpoint = checkpoint_;
      }
    }
    const connectors::SinkRecovery recovery =
        checkpoint ? writer->Recover(std::string_view(*checkpoint)) : writer->Recover(std::nullopt);
    std::lock_guard lock(mutex_);
    if (recovery.committed_epoch && *recovery.committed_epoch > delivered_) {
      FRESHET_LOG_INFO("sink",
                       "sink \"{}\" shard {}: the external system holds epochs up to {} already "
                       "(delivered up to {} as far as the store knew); not writing them again",
                       spec_.sink_name, spec_.shard, *recovery.committed_epoch, delivered_);
      delivered_ = *recovery.committed_epoch;
    }
    checkpoint_ = writer->Checkpoint();
    checkpoint_known_ = true;
    if (checkpoint_.empty()) {
      checkpoint_durable_ = true;  // the writer needs none
    }
    recovered_ = true;
  }

  /// Runs `step` (a recovery or a delivery); on failure logs it, drops the writer and waits before
  /// the next attempt, longer after each failure. A delivery that succeeds (or a recovery with
  /// nothing left to deliver) ends the run of failures. Returns whether `step` succeeded.
  template <typename Step>
  bool Attempt(Step step, bool delivery) {
    std::string message;
    try {
      step();
      std::lock_guard lock(mutex_);
      if (delivery || pending_.empty()) {
        failures_ = 0;
        state_ = "running";
      }
      return true;
    } catch (const Error& error) {
      message = error.Message();
    } catch (const std::exception& error) {
      message = error.what();
    }
    std::shared_ptr<connectors::SinkWriter> failed;
    std::unique_lock lock(mutex_);
    ++failures_;
    state_ = message;
    recovered_ = false;
    failed = std::move(writer_);
    const auto pause = std::min<std::chrono::milliseconds>(
        kMaxRetryPause, kFirstRetryPause * (int64_t{1} << std::min<uint64_t>(failures_ - 1, 16)));
    if (!stopping_) {
      FRESHET_LOG_WARNING("sink",
                          "sink \"{}\" shard {}: delivery failed (attempt {}), retrying in "
                          "{} ms: {}",
                          spec_.sink_name, spec_.shard, failures_, pause.count(), message);
    }
    PublishHealthLocked();
    lock.unlock();
    if (failed) {
      failed->Cancel();  // its broker may not answer: no long waits in its destructor
      failed.reset();
    }
    lock.lock();
    cv_.wait_for(lock, pause, [&] { return stopping_; });
    return false;
  }

  void PublishHealthLocked() {
    connectors::SinkHealth health;
    health.sink_name = spec_.sink_name;
    health.shard = spec_.shard;
    health.pending_epochs = pending_.size();
    health.delivered_epoch = delivered_;
    health.state = state_;
    health.failures = failures_;
    health_->Set(std::move(health));
  }

  connectors::SinkSpec spec_;
  storage::StateStore* store_;
  const std::string prefix_;
  const std::shared_ptr<const std::atomic<uint64_t>> committed_;
  const std::shared_ptr<connectors::SinkHealthReport> health_;
  const SinkWriterFactory make_writer_;

  // The actor's: this epoch's input, the logged epochs whose entries the state still holds, and
  // what the state holds of the delivery record.
  std::vector<Chunk> epoch_chunks_;
  std::map<uint64_t, uint32_t> unpruned_;
  bool instance_written_ = false;
  uint64_t written_delivered_ = 0;
  std::string written_checkpoint_;
  std::string row_;

  // Shared with the delivery thread.
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stopping_ = false;
  /// Logged epochs not delivered yet, oldest first.
  std::deque<std::shared_ptr<LoggedEpoch>> pending_;
  size_t memory_bytes_ = 0;
  /// The last epoch the external system holds, and the writer's checkpoint taken with it.
  uint64_t delivered_ = 0;
  std::string checkpoint_;
  /// checkpoint_ came from the store or from a writer's Recover (else nothing is known of where
  /// earlier writers wrote).
  bool checkpoint_known_ = false;
  /// The store holds a checkpoint of this instance, so a restart never has to search the whole
  /// external system; until then (a new sink), nothing is delivered. checkpoint_written_epoch_ is
  /// the epoch whose batch wrote the first one.
  bool checkpoint_durable_ = false;
  uint64_t checkpoint_written_epoch_ = 0;
  std::shared_ptr<connectors::SinkWriter> writer_;
  bool recovered_ = false;
  bool delivering_ = false;
  uint64_t failures_ = 0;
  std::string state_ = "running";
  std::thread thread_;
};

}  // namespace

connectors::SinkSpec MakeSinkSpec(const plan::StreamSinkNode& node) {
  connectors::SinkSpec spec;
  spec.sink_name = node.sink_name;
  spec.options = node.options;
  spec.format = node.format;
  spec.encode = node.encode;
  spec.encode_options = node.encode_options;
  for (const plan::OutputColumn& output : node.outputs) {
    spec.column_names.push_back(output.name);
    spec.column_types.push_back(output.type);
  }
  if (node.visible_count > 0) {
    spec.visible_columns = node.visible_count;
  }
  spec.key_columns.assign(node.stream_key.begin(), node.stream_key.end());
  spec.append_only = node.append_only;
  return spec;
}

std::unique_ptr<StreamOperator> MakeSinkOperator(
    const plan::StreamSinkNode& node,
    const OperatorContext& context,
    std::shared_ptr<connectors::SinkHealthReport> health,
    SinkWriterFactory make_writer) {
  return std::make_unique<SinkOperator>(node, context, std::move(health), std::move(make_writer));
}

}  // namespace freshet::executor::stream
