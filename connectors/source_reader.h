// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/column.h"
#include "common/data_type.h"

namespace freshet::connectors {

/// The `WITH (key = value, ...)` options of a source, keys in lower case, in written order.
using ConnectorOptions = std::vector<std::pair<std::string, std::string>>;

/// What a source reader needs to know of its source: the connector options and the columns it
/// must produce, in order.
struct SourceSpec {
  std::string source_name;
  ConnectorOptions options;
  std::vector<std::string> column_names;
  std::vector<DataType> column_types;
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
