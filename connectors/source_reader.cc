// SPDX-License-Identifier: Apache-2.0
#include "connectors/source_reader.h"

#include <optional>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "common/error.h"
#include "connectors/datagen_reader.h"
#include "connectors/internal/option_reader.h"
#include "connectors/kafka_reader.h"
#include "connectors/nexmark_reader.h"

namespace freshet::connectors {

std::optional<std::string_view> FindOption(const ConnectorOptions& options, std::string_view key) {
  std::optional<std::string_view> found;
  for (const auto& [name, value] : options) {
    if (name == key) {
      found = value;
    }
  }
  return found;
}

namespace {

/// The connectors Freshet can read.
enum class ConnectorKind { kDatagen, kNexmark, kKafka };

ConnectorKind ConnectorOf(const SourceSpec& spec) {
  const std::optional<std::string_view> connector = FindOption(spec.options, "connector");
  if (!connector) {
    throw Error(SqlState::kInvalidParameterValue, "option \"connector\" is required")
        .WithHint("Set it to 'kafka', 'datagen' or 'nexmark'.");
  }
  const std::string name = AsciiLower(*connector);
  if (name == "datagen") {
    return ConnectorKind::kDatagen;
  }
  if (name == "nexmark") {
    return ConnectorKind::kNexmark;
  }
  if (name == "kafka") {
    return ConnectorKind::kKafka;
  }
  throw Error(SqlState::kFeatureNotSupported,
              fmt::format("connector \"{}\" is not supported", *connector))
      .WithHint("The supported connectors are 'kafka', 'datagen' and 'nexmark'.");
}

}  // namespace

std::string_view MessageMetadataName(MessageMetadata metadata) {
  switch (metadata) {
    case MessageMetadata::kPartition:
      return "partition";
    case MessageMetadata::kOffset:
      return "offset";
    case MessageMetadata::kTimestamp:
      return "timestamp";
    case MessageMetadata::kKey:
      return "key";
  }
  return "";
}

std::optional<MessageMetadata> ParseMessageMetadata(std::string_view name) {
  const std::string lower = AsciiLower(name);
  for (MessageMetadata metadata : {MessageMetadata::kPartition, MessageMetadata::kOffset,
                                   MessageMetadata::kTimestamp, MessageMetadata::kKey}) {
    if (lower == MessageMetadataName(metadata)) {
      return metadata;
    }
  }
  return std::nullopt;
}

DataType MessageMetadataType(MessageMetadata metadata) {
  switch (metadata) {
    case MessageMetadata::kPartition:
      return DataType::Integer();
    case MessageMetadata::kOffset:
      return DataType::Bigint();
    case MessageMetadata::kTimestamp:
      return DataType(TypeId::kTimestamptz);
    case MessageMetadata::kKey:
      return DataType(TypeId::kBytea);
  }
  return DataType(TypeId::kBytea);
}

void SourceSpec::SetIncludedColumns(const std::vector<std::pair<std::string, uint32_t>>& included) {
  included_columns.clear();
  for (const auto& [name, column] : included) {
    const std::optional<MessageMetadata> metadata = ParseMessageMetadata(name);
    if (!metadata) {
      throw Error(SqlState::kDataCorrupted, fmt::format("unknown message metadata \"{}\"", name));
    }
    included_columns.push_back({*metadata, column});
  }
}

void ValidateSource(const SourceSpec& spec) {
  if (spec.column_names.size() != spec.column_types.size()) {
    throw Error::Internal("source spec has a different number of column names and types");
  }
  switch (ConnectorOf(spec)) {
    case ConnectorKind::kDatagen:
      return ValidateDatagenSource(spec);
    case ConnectorKind::kNexmark:
      return ValidateNexmarkSource(spec);
    case ConnectorKind::kKafka:
      return ValidateKafkaSource(spec);
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
    case ConnectorKind::kKafka:
      return CreateKafkaReader(spec, shard, shard_count);
  }
  throw Error::Internal("unknown connector kind");
}

}  // namespace freshet::connectors
