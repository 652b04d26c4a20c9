// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/column.h"
#include "common/data_type.h"

namespace freshet::connectors {

/// The `WITH (key = value, ...)` options of a source, keys in lower case, in written order.
using ConnectorOptions = std::vector<std::pair<std::string, std::string>>;

/// The value of option `key`: the last one when it is given more than once, as the connectors
/// read it; nullopt when it is absent.
std::optional<std::string_view> FindOption(const ConnectorOptions& options, std::string_view key);

/// Per-message metadata a Kafka source can add as columns (`INCLUDE partition | offset |
/// timestamp | key [AS name]`).
enum class MessageMetadata : uint8_t { kPartition, kOffset, kTimestamp, kKey };

/// The name INCLUDE spells `metadata` with: partition, offset, timestamp or key.
std::string_view MessageMetadataName(MessageMetadata metadata);
/// The metadata INCLUDE names `name` (case-insensitive), if any.
std::optional<MessageMetadata> ParseMessageMetadata(std::string_view name);
/// The type of the column INCLUDE adds for `metadata`: INTEGER partition, BIGINT offset,
/// TIMESTAMPTZ timestamp, BYTEA key.
DataType MessageMetadataType(MessageMetadata metadata);

/// A column filled from message metadata instead of the payload.
struct IncludedColumn {
  MessageMetadata metadata = MessageMetadata::kOffset;
  /// The index of the column in SourceSpec::column_names.
  size_t column = 0;
};

/// What a source reader needs to know of its source: the connector options and the columns it
/// must produce, in order.
struct SourceSpec {
  std::string source_name;
  ConnectorOptions options;
  std::vector<std::string> column_names;
  std::vector<DataType> column_types;
  /// `FORMAT <format> ENCODE <encode> (<encode_options>)` of a message source (Kafka); empty for
  /// the generators, which take none. Keys of encode_options in lower case.
  std::string format;
  std::string encode;
  ConnectorOptions encode_options;
  /// The columns filled from message metadata (INCLUDE ... AS name); every other column is
  /// decoded from the payload. Partition: integer, bigint or varchar; offset: bigint or varchar;
  /// timestamp: timestamp or timestamptz; key: bytea, varchar or text.
  std::vector<IncludedColumn> included_columns;
  /// FORMAT UPSERT: the primary-key columns (indexes into column_names), decoded from each
  /// message's key; the payload supplies the other columns.
  std::vector<size_t> key_columns;

  /// Sets included_columns from (metadata name, column index) pairs, as the catalog keeps them;
  /// throws Error (XX001) for an unknown name.
  void SetIncludedColumns(const std::vector<std::pair<std::string, uint32_t>>& included);
};

/// A message a source skipped because it could not be decoded, for
/// `freshet_catalog.source_errors`.
struct SourceError {
  std::string source_name;
  int32_t partition = -1;
  int64_t offset = -1;
  std::string message;
  /// The first bytes of the payload (at most kSourceErrorPayloadPrefix).
  std::string payload_prefix;
};
inline constexpr size_t kSourceErrorPayloadPrefix = 256;

/// How a reader's connection to its source is doing, for freshet_catalog.sources.
struct SourceHealth {
  /// "running", or what keeps the reader from reading ("broker unreachable: ...").
  std::string state = "running";
  /// Messages the source holds that the reader has not read yet; -1 when unknown.
  int64_t lag = -1;
};

/// Reads one shard of a source into chunks. A source with `shard_count` shards is read by that many
/// readers at once, each producing a disjoint part of the stream; together they produce every row
/// once. Positions are saved with each committed epoch and restored on restart, so a reader resumes
/// exactly where the committed epoch left it. Not thread-safe: one thread at a time.
class SourceReader {
 public:
  virtual ~SourceReader() = default;

  /// Appends at most `max_rows` rows to `out` (whose columns are the spec's) and returns how many
  /// it appended. Returns 0 when no row is ready now (rate limit) or the source is exhausted.
  virtual size_t Read(Chunk& out, size_t max_rows) = 0;
  /// True once the reader will never produce another row.
  virtual bool Exhausted() const = 0;
  /// Microseconds until Read may return rows again when it returned 0 for a rate limit.
  virtual int64_t MicrosUntilReady() const = 0;
  /// The position after the last row returned by Read, as opaque bytes.
  virtual std::string SavePosition() const = 0;
  /// Continues after the position SavePosition returned; throws Error (XX001) on bad bytes.
  virtual void RestorePosition(std::string_view position) = 0;
  /// The split (Kafka partition) each row the last Read appended came from, in order, so that
  /// watermarks can be kept per split; null for a reader that reads one ordered split.
  virtual const std::vector<int32_t>* RowSplits() const { return nullptr; }
  /// The splits assigned to this reader so far, including those that have not delivered a row
  /// yet (they hold the watermark back until they do or go idle). Empty for one-split readers.
  virtual std::vector<int32_t> AssignedSplits() const { return {}; }
  /// The reader's connection state and lag. Thread-safe.
  virtual SourceHealth Health() const { return {}; }
  /// How long a split may go without rows before it stops holding the watermark back.
  virtual int64_t SplitIdleTimeoutMicros() const { return 0; }
  /// Messages skipped because they could not be decoded, since the reader was created.
  virtual uint64_t ErrorCount() const { return 0; }
  /// Moves the recorded decode errors not taken yet (the most recent ones, a bounded number) to
  /// the end of `out`.
  virtual void TakeErrors(std::vector<SourceError>& out) {}
};

/// Checks a source's connector options and column types (CREATE SOURCE), throwing Error with a
/// Postgres-style message and SQLSTATE (22023 for a bad or unknown option, 42703 for a column the
/// connector does not have, 42804 for a column type the connector cannot produce, 0A000 for an
/// unknown connector). The options are documented in docs/sql_reference_sources.md.
void ValidateSource(const SourceSpec& spec);

/// Creates the reader of shard `shard` of `shard_count` of a validated source.
std::unique_ptr<SourceReader> CreateSourceReader(const SourceSpec& spec,
                                                 uint32_t shard,
                                                 uint32_t shard_count);

}  // namespace freshet::connectors
