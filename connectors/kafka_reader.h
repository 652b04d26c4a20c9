// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "connectors/source_reader.h"

// The `kafka` connector: reads a topic's messages with librdkafka and decodes them with
// MessageDecoder (ENCODE JSON or CSV). Options (RisingWave's spelling):
//   topic                          the topic (required)
//   properties.bootstrap.server    the brokers, host:port[,...] (required; `...servers` also read)
//   scan.startup.mode              earliest (default) or latest
//   scan.startup.timestamp.millis  start at the first message at or after this time; overrides
//                                  the mode (also spelled scan.startup.timestamp_millis)
//   watermark.idle_timeout         a partition without messages this long stops holding the
//                                  watermark back (default 5 s; RowSplits gives each row's
//                                  partition)
//   source.max.message.bytes       larger messages are decode errors (default: no limit)
//   properties.<key>               any other librdkafka consumer property, passed on as <key>
// Shard i of n reads the partitions p with p % n == i, assigned by hand (no consumer group), and
// picks up partitions added later. A position is the next offset of each partition the shard read.
namespace freshet::connectors {

/// The librdkafka consumer settings a kafka source uses where librdkafka's defaults do not suit
/// it; its `properties.*` options override them.
const std::vector<std::pair<std::string, std::string>>& KafkaConsumerDefaults();

/// Checks a kafka source's options, format and columns (22023, 42804) and that a broker answers a
/// metadata request within a few seconds (08001 "could not connect to Kafka broker ...").
void ValidateKafkaSource(const SourceSpec& spec);

/// Creates the reader of shard `shard` of `shard_count` of a validated kafka source. Does not
/// wait for the broker: partitions are looked up and assigned by a background thread, and Read
/// returns nothing until they are.
std::unique_ptr<SourceReader> CreateKafkaReader(const SourceSpec& spec,
                                                uint32_t shard,
                                                uint32_t shard_count);

}  // namespace freshet::connectors
