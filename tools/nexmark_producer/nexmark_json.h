// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/column.h"
#include "common/data_type.h"
#include "connectors/source_reader.h"

// The Nexmark event stream as JSON messages, for freshet-nexmark-producer: the rows come from the
// built-in `nexmark` connector's reader, so a topic holds exactly the rows a `connector =
// 'nexmark'` source with the same options yields.
namespace freshet::tools {

/// The three tables of the Nexmark event stream, one topic each.
enum class NexmarkTopicTable : uint8_t { kPerson, kAuction, kBid };

/// The table named `name` ("person", "auction" or "bid", any case), if any.
std::optional<NexmarkTopicTable> ParseNexmarkTable(std::string_view name);
/// "person", "auction" or "bid".
std::string_view NexmarkTableName(NexmarkTopicTable table);

/// Every column of `table`, named as the `nexmark` connector's columns
/// (docs/sql_reference_sources.md), in that order.
const std::vector<std::string>& NexmarkColumnNames(NexmarkTopicTable table);
/// The types of NexmarkColumnNames: BIGINT, TEXT or TIMESTAMP.
std::vector<DataType> NexmarkColumnTypes(NexmarkTopicTable table);

/// The options of the generated stream, as the `nexmark` connector's options name them.
struct NexmarkStreamOptions {
  /// nexmark.event.num: events of the whole stream (all tables); 0: unbounded.
  uint64_t events = 0;
  /// nexmark.seed.
  uint64_t seed = 0;
  /// nexmark.event.rate: events of the whole stream per second of wall-clock time; 0: unthrottled.
  double rate = 0;
  /// nexmark.base.time in milliseconds since 1970; the connector's default when unset.
  std::optional<int64_t> base_time_millis;
  /// nexmark.min.event.gap.in.ns; the connector's default (which follows the rate) when unset.
  std::optional<int64_t> event_gap_nanos;
  /// nexmark.max.chunk.size.
  size_t max_chunk_size = 1024;
};

/// The spec of a `connector = 'nexmark'` source over every column of `table` with `options`.
connectors::SourceSpec NexmarkSourceSpec(NexmarkTopicTable table,
                                         const NexmarkStreamOptions& options);

/// Appends `micros` since 1970-01-01 as an ISO-8601 UTC timestamp with milliseconds,
/// `2015-07-15T00:00:00.123Z` (the milliseconds rounded down).
void AppendIsoTimestampMillis(int64_t micros, std::string& out);

/// Appends `text` as a JSON string, quoted and escaped.
void AppendJsonString(std::string_view text, std::string& out);

/// Encodes the rows of a chunk whose columns are NexmarkColumnNames(table) as JSON objects:
/// `{"auction":1000,...,"date_time":"2015-07-15T00:00:00.001Z","extra":"..."}`. BIGINT columns are
/// numbers, strings JSON strings, timestamps ISO-8601 strings; a NULL is `null`. Reusable, not
/// thread-safe.
class NexmarkJsonEncoder {
 public:
  explicit NexmarkJsonEncoder(NexmarkTopicTable table);

  /// Replaces `out` with row `row` of `chunk` as one JSON object.
  void Encode(const Chunk& chunk, size_t row, std::string& out) const;

 private:
  /// `"name":` of each column, and its type.
  std::vector<std::string> prefixes_;
  std::vector<DataType> types_;
};

}  // namespace freshet::tools
