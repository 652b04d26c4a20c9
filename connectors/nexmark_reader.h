// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <memory>

#include "connectors/source_reader.h"

// The `nexmark` connector: the person, auction or bid events of the Nexmark event stream, generated
// by the rules of the reference generators (shared/research/nexmark_and_performance.md section 1),
// each event a pure function of the options, the seed and its event index. The options are
// documented in docs/sql_reference_sources.md.
namespace freshet::connectors {

/// Checks the options and columns of a `connector = 'nexmark'` source: the table type, and that
/// every declared column is a column of that table with a compatible type. Throws Error 22023,
/// 42703 or 42804.
void ValidateNexmarkSource(const SourceSpec& spec);

/// Creates the reader of shard `shard` of `shard_count` of a nexmark source: it produces the
/// events of the source's table type whose event index is congruent to `shard` modulo
/// `shard_count`.
std::unique_ptr<SourceReader> CreateNexmarkReader(const SourceSpec& spec,
                                                  uint32_t shard,
                                                  uint32_t shard_count);

}  // namespace freshet::connectors
