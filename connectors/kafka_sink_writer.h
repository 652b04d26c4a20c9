// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <memory>

#include "connectors/sink_writer.h"

// The `kafka` sink connector: writes a sink's changelog to a topic with librdkafka, encoded by
// SinkMessageEncoder (FORMAT PLAIN | UPSERT | DEBEZIUM ENCODE JSON). Options (RisingWave's
// spelling, documented in docs/kafka.md, "Sinks"):
//   topic                          the topic (required)
//   properties.bootstrap.server    the brokers, host:port[,...] (required; `...servers` also read)
//   sink.transactional             'true': exactly-once, one Kafka transaction per epoch, with
//                                  transactional.id `freshet-sink-<sink name>-<shard>` (the
//                                  prefix overridable with properties.transactional.id); each
//                                  message carries headers `freshet-epoch` (its epoch) and
//                                  `freshet-sink` (SinkSpec::instance_id), which Recover reads
//                                  back from the topic; default 'false'
//   force_append_only, primary_key, type    the format options (connectors/sink_encoder.h)
//   properties.<key>               any other librdkafka producer property, passed on as <key>
// The producer is always idempotent (enable.idempotence=true), so retries never duplicate or
// reorder a partition's messages; keyed messages go to the partition of their key.
namespace freshet::connectors {

/// Checks a kafka sink's options and format (22023, 0A000, 42703) and that a broker answers a
/// metadata request within a few seconds (08001); with sink.transactional, also that the broker
/// registers a transactional producer (08001 when it does not within a few seconds).
void ValidateKafkaSink(const SinkSpec& spec);

/// Creates the writer of a validated kafka sink. Does not wait for the broker.
std::unique_ptr<SinkWriter> CreateKafkaSinkWriter(const SinkSpec& spec);

}  // namespace freshet::connectors
