// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
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
};

/// Writes the changelog of a sink to an external system, one epoch at a time. The driving
/// operator calls, per epoch: BeginEpoch (optional), Write for each chunk, then CommitEpoch when
/// the epoch's barrier arrives. A writer in exactly-once mode makes an epoch's messages visible
/// all at once at CommitEpoch (or never, after AbortEpoch); otherwise messages are delivered at
/// least once and CommitEpoch only waits until every one is acknowledged. Errors are thrown as
/// Error; a writer that threw from CommitEpoch or Flush must be recreated, and the sink resumed
/// from the last committed epoch. Not thread-safe: one thread at a time.
class SinkWriter {
 public:
  SinkWriter() = default;
  virtual ~SinkWriter() = default;
  SinkWriter(const SinkWriter&) = delete;
  SinkWriter& operator=(const SinkWriter&) = delete;

  /// Starts epoch `epoch`. Write starts one by itself when none is open, so calling this is only
  /// needed to pay the start-up cost (a transactional producer's registration) up front.
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
