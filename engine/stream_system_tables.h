// SPDX-License-Identifier: Apache-2.0
// The rows of the freshet_catalog relations that show the streaming engine at work; SystemCatalog
// declares the relations and serves them.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "catalog/catalog.h"
#include "common/value.h"

namespace freshet::engine {

class Database;

/// The columns of freshet_catalog.materialized_views, as SystemCatalog declares them
/// ("name:type, ...").
inline constexpr std::string_view kMaterializedViewsColumns =
    "name:name, id:oid, rows:bigint, state_bytes:bigint, last_committed_epoch:bigint, "
    "last_commit:timestamp with time zone, lag:interval, parallelism:integer, "
    "append_only:boolean, errors:bigint, last_error:text, definition:text";

/// The columns of freshet_catalog.sources.
inline constexpr std::string_view kSourcesColumns =
    "name:name, id:oid, connector:text, watermark:timestamp without time zone, rows:bigint, "
    "late_rows:bigint, errors:bigint, state:text, lag:bigint";

/// The columns of freshet_catalog.source_errors.
inline constexpr std::string_view kSourceErrorsColumns =
    "source:name, partition:integer, offset:bigint, error:text, payload:text";

/// The columns of freshet_catalog.sinks.
inline constexpr std::string_view kSinksColumns =
    "name:name, shard:integer, state:text, pending_epochs:bigint, delivered_epoch:bigint, "
    "failures:bigint";

/// Returns one row per materialized view of `snapshot`: its catalog entry with the progress of its
/// dataflow in `database`'s streaming engine and the approximate size of its rows and operator
/// state in the store. The progress columns are NULL for a view without a dataflow (one that
/// failed to replan on restart); `last_commit` and `lag` are NULL before the first commit. `lag` is
/// `now_micros` (microseconds since 1970) minus the time of the last commit.
std::vector<std::vector<Value>> MaterializedViewRows(const catalog::CatalogSnapshot& snapshot,
                                                     Database& database,
                                                     int64_t now_micros);

/// Returns one row per source of `snapshot` and per table a materialized view reads (connector
/// 'table'), ordered by id, with what their readers in `database`'s streaming engine counted:
/// rows read, late rows, skipped messages, connection state and lag, and the watermark (NULL before
/// any): of a source, the least of its active readers' (what flows downstream); of a table, the
/// largest reached.
std::vector<std::vector<Value>> SourceRows(const catalog::CatalogSnapshot& snapshot,
                                           Database& database);

/// Returns the most recent messages (at most 1,000 per source) the sources of `snapshot` skipped
/// as undecodable, oldest first per source: source, partition, offset, the decoder's message and
/// the payload's first bytes (bytes that are not UTF-8 shown as \xNN).
std::vector<std::vector<Value>> SourceErrorRows(const catalog::CatalogSnapshot& snapshot,
                                                Database& database);

/// Returns one row per running sink instance (a shard of a sink) of `database`'s streaming engine:
/// "running" or the last delivery error while it retries, the epochs logged and not yet delivered,
/// the last epoch the external system holds (NULL before the first) and the failed attempts since
/// the last success; ordered by name and shard.
std::vector<std::vector<Value>> SinkRows(Database& database);

}  // namespace freshet::engine
