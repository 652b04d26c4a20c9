// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/column.h"
#include "common/data_type.h"
#include "connectors/source_reader.h"

namespace freshet::connectors {

/// What a sink writer needs to know of its sink (CREATE SINK ... FROM view | AS query WITH (...)
/// FORMAT ... ENCODE ... (...)): the connector options, the message format and the columns of
/// the changelog it receives.
struct SinkSpec {
  std::string sink_name;
  /// The WITH options, keys in lower case, in written order.
  ConnectorOptions options;
  /// `FORMAT <format> ENCODE <encode> (<encode_options>)`: format PLAIN, UPSERT or DEBEZIUM and
  /// encode JSON, any case. An empty format takes the legacy `type` option ('append-only',
  /// 'upsert', 'debezium'); an empty encode means JSON. Keys of encode_options in lower case.
  std::string format;
  std::string encode;
  ConnectorOptions encode_options;
  /// Every column of the chunks Write receives, in order.
  std::vector<std::string> column_names;
  std::vector<DataType> column_types;
  /// The first `visible_columns` columns are the sink's own and make up the message value; the
  /// rest are hidden columns (such as `_row_id`) that may only appear in the key. nullopt: all.
  std::optional<size_t> visible_columns;
  /// The stream key of the input: indexes into the columns, which may include hidden ones. The
  /// key of UPSERT and DEBEZIUM messages unless the `primary_key` option names other columns.
  std::vector<size_t> key_columns;
  /// True when the input only ever inserts (no deletes or updates).
  bool append_only = false;
  /// The shard of the sink's fragment this writer serves: shards write at once, so what must be
  /// unique per writer (a Kafka transactional.id) carries it.
  uint32_t shard = 0;
  /// Identifies this sink instance (one shard of one incarnation of the sink) in what it writes,
  /// across restarts, so that Recover can tell its own epochs from everyone else's; empty when
  /// the writer is used on its own (tests), which makes Recover find nothing.
  std::string instance_id;
};

/// What Recover learned of the earlier writers of a sink instance.
struct SinkRecovery {
  /// The last epoch an earlier writer of this instance committed in the external system; nullopt
  /// when none did or the writer cannot tell (at-least-once writers).
  std::optional<uint64_t> committed_epoch;
};

/// What the system relations show of one sink instance's delivery (executor/stream's sink
/// operator fills it in).
struct SinkHealth {
  std::string sink_name;
  uint32_t shard = 0;
  /// Epochs logged in the state store whose changes wait for delivery (committed or not yet).
  uint64_t pending_epochs = 0;
  /// The last epoch whose changes the external system holds; 0 before the first.
  uint64_t delivered_epoch = 0;
  /// "running", or the last delivery error while the sink retries.
  std::string state = "running";
  /// Failed delivery attempts since the last success.
  uint64_t failures = 0;
};

/// A SinkHealth shared between the thread that delivers a sink's epochs and the readers of the
/// system relations. Thread-safe.
class SinkHealthReport {
 public:
  SinkHealth Get() const {
    std::lock_guard lock(mutex_);
    return health_;
  }
  void Set(SinkHealth health) {
    std::lock_guard lock(mutex_);
    health_ = std::move(health);
  }

 private:
  mutable std::mutex mutex_;
  SinkHealth health_;
};

/// Writes the changelog of a sink to an external system, one epoch at a time. The sink operator
/// (executor/stream/sink_operator.cc) logs each epoch's changes in the state store and hands an
/// epoch to a writer only after the store committed it, from a delivery thread of its own: per
/// writer, Recover once, then per epoch BeginEpoch, Write for each chunk and CommitEpoch. A writer
/// in exactly-once mode makes an epoch's messages visible all at once at CommitEpoch (or never,
/// after AbortEpoch) and records in the external system, with them, which epoch they carry, so that
/// the next writer's Recover can tell which epochs are there already; otherwise messages are
/// delivered at least once and CommitEpoch only waits until every one is acknowledged. Errors are
/// thrown as Error; a writer that threw from Recover, CommitEpoch or Flush must be recreated (and
/// a new writer recovered) before the epoch is written again. Not thread-safe: one thread at a
/// time, except Cancel.
class SinkWriter {
 public:
  SinkWriter() = default;
  virtual ~SinkWriter() = default;
  SinkWriter(const SinkWriter&) = delete;
  SinkWriter& operator=(const SinkWriter&) = delete;

  /// Takes over from the earlier writers of the spec's instance_id: in exactly-once mode registers
  /// with the external system (which fences the earlier writers off and ends their open
  /// transactions) and finds the last epoch they committed after `checkpoint`, the last
  /// Checkpoint() of an earlier writer that the caller kept (with the last epoch it knows was
  /// delivered); "" to search everything, nullopt when no writer of this instance has written
  /// anything yet (a new sink), so there is nothing to look for. At-least-once writers find
  /// nothing.
  virtual SinkRecovery Recover(std::optional<std::string_view> checkpoint) { return {}; }
  /// Where this writer's recovery can start looking after the epochs it committed so far (opaque;
  /// "" when the writer needs none). Valid after Recover and after each CommitEpoch; the caller
  /// stores it with the last delivered epoch and passes it to the next writer's Recover.
  virtual std::string Checkpoint() const { return {}; }
  /// Starts epoch `epoch`. Write starts one by itself when none is open, so calling this is only
  /// needed to pay the start-up cost (a transactional producer's registration) up front and to
  /// label the epoch's messages in exactly-once mode.
  virtual void BeginEpoch(uint64_t epoch) = 0;
  /// Encodes every change of `chunk` (whose columns are the spec's) as messages and hands them to
  /// the client library; blocks while its send queue is full (backpressure).
  virtual void Write(const Chunk& chunk) = 0;
  /// Waits until every message written so far is acknowledged by the external system; throws
  /// Error (08006) naming the first delivery error, or when `timeout` passes first.
  virtual void Flush(std::chrono::milliseconds timeout) = 0;
  /// Ends epoch `epoch`: exactly-once mode commits its transaction (aborting it, and throwing,
  /// when the commit fails); at-least-once mode flushes.
  virtual void CommitEpoch(uint64_t epoch) = 0;
  /// Drops the open epoch: exactly-once mode aborts its transaction, so none of its messages
  /// become visible to read_committed consumers; at-least-once mode cannot take messages back
  /// and does nothing.
  virtual void AbortEpoch() = 0;
  /// Messages acknowledged by the external system since the writer was created.
  virtual uint64_t DeliveredCount() const = 0;
  /// Makes the call blocked in this writer, and every later one, throw Error (57014) within a
  /// fraction of a second instead of waiting for the external system, and the destructor skip
  /// long waits: for stopping a sink whose system does not answer. The one method another thread
  /// may call, at any time.
  virtual void Cancel() {}
};

/// Checks a sink's connector options, format and columns, throwing Error with a Postgres-style
/// message and SQLSTATE: 22023 for a bad or unknown option, 0A000 for an unknown connector,
/// format or encode and for FORMAT PLAIN over an input that deletes or updates without
/// `force_append_only = 'true'`, 42703 for a `primary_key` column that does not exist, 08001
/// when no broker answers within a few seconds. The options are documented in docs/kafka.md.
void ValidateSink(const SinkSpec& spec);

/// Creates the writer of a validated sink. Does not wait for the external system: connections
/// are made in the background, and the first Write, Flush or CommitEpoch waits for them.
std::unique_ptr<SinkWriter> CreateSinkWriter(const SinkSpec& spec);

}  // namespace freshet::connectors
