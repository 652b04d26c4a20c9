// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <memory>

#include "connectors/source_reader.h"

// The `datagen` connector: rows of sequences and random values, each row a pure function of the
// options, the seed and its global row index. The options are documented in
// docs/sql_reference_sources.md.
namespace freshet::connectors {

/// Checks the options and column types of a `connector = 'datagen'` source; throws Error 22023,
/// 42703 or 42804.
void ValidateDatagenSource(const SourceSpec& spec);

/// Creates the reader of shard `shard` of `shard_count` of a datagen source: it produces the rows
/// whose global index is shard, shard + shard_count, shard + 2 * shard_count, ...
std::unique_ptr<SourceReader> CreateDatagenReader(const SourceSpec& spec,
                                                  uint32_t shard,
                                                  uint32_t shard_count);

}  // namespace freshet::connectors
