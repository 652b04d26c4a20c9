// SPDX-License-Identifier: Apache-2.0
#include "connectors/source_reader.h"

#include <optional>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "common/error.h"
#include "connectors/datagen_reader.h"
#include "connectors/internal/option_reader.h"
#include "connectors/nexmark_reader.h"

namespace freshet::connectors {

namespace {

/// The connectors Freshet can read.
enum class ConnectorKind { kDatagen, kNexmark };

ConnectorKind ConnectorOf(const SourceSpec& spec) {
  std::optional<std::string_view> connector;
  for (const auto& [key, value] : spec.options) {
    if (key == "connector") {
      connector = value;
    }
  }
  if (!connector) {
    throw Error(SqlState::kInvalidParameterValue, "option \"connector\" is required")
        .WithHint("Set it to 'datagen' or 'nexmark'.");
  }
  const std::string name = AsciiLower(*connector);
  if (name == "datagen") {
    return ConnectorKind::kDatagen;
  }
  if (name == "nexmark") {
    return ConnectorKind::kNexmark;
  }
  // 'kafka' is reported the same way until its reader exists.
  throw Error(SqlState::kFeatureNotSupported,
              fmt::format("connector \"{}\" is not supported", *connector))
      .WithHint("The supported connectors are 'datagen' and 'nexmark'.");
}

}  // namespace

void ValidateSource(const SourceSpec& spec) {
  if (spec.column_names.size() != spec.column_types.size()) {
    throw Error::Internal("source spec has a different number of column names and types");
  }
  switch (ConnectorOf(spec)) {
    case ConnectorKind::kDatagen:
      return ValidateDatagenSource(spec);
    case ConnectorKind::kNexmark:
      return ValidateNexmarkSource(spec);
  }
}

std::unique_ptr<SourceReader> CreateSourceReader(const SourceSpec& spec,
                                                 uint32_t shard,
                                                 uint32_t shard_count) {
  if (shard_count == 0 || shard >= shard_count) {
    throw Error::Internal(fmt::format("source shard {} of {} does not exist", shard, shard_count));
  }
  if (spec.column_names.size() != spec.column_types.size()) {
    throw Error::Internal("source spec has a different number of column names and types");
  }
  switch (ConnectorOf(spec)) {
    case ConnectorKind::kDatagen:
      return CreateDatagenReader(spec, shard, shard_count);
    case ConnectorKind::kNexmark:
      return CreateNexmarkReader(spec, shard, shard_count);
  }
  throw Error::Internal("unknown connector kind");
}

}  // namespace freshet::connectors
