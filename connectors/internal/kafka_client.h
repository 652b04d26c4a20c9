// SPDX-License-Identifier: Apache-2.0
// What the Kafka source reader and sink writer share: librdkafka handles, configuration with the
// user's `properties.*`, and the broker check of CREATE SOURCE / CREATE SINK.
#pragma once

#include <memory>
#include <string>

#include <librdkafka/rdkafka.h>

#include "connectors/internal/option_reader.h"

namespace freshet::connectors {

/// Owns an rd_kafka_t (consumer or producer).
struct KafkaHandleDeleter {
  void operator()(rd_kafka_t* handle) const { rd_kafka_destroy(handle); }
};
using KafkaHandle = std::unique_ptr<rd_kafka_t, KafkaHandleDeleter>;

/// How long CREATE waits for a broker to answer.
inline constexpr int kKafkaValidateTimeoutMs = 5000;

/// Reads the `topic` and `properties.bootstrap.server` (or `...servers`) options of a Kafka source
/// or sink; throws 22023 when either is missing or empty.
void ReadKafkaTarget(OptionReader& options, std::string& topic, std::string& bootstrap_servers);

/// A new configuration for `bootstrap_servers` whose librdkafka log messages go to the server's
/// log (warnings and errors as warnings) instead of stderr.
rd_kafka_conf_t* NewKafkaConf(const std::string& bootstrap_servers);

/// Sets `key` in `conf`; when librdkafka refuses it, destroys `conf` and throws 22023 naming the
/// option as the user wrote it (`properties.<key>` when `from_user`).
void SetKafkaProperty(rd_kafka_conf_t* conf,
                      const std::string& key,
                      const std::string& value,
                      bool from_user);

/// Throws 08001 "could not connect to Kafka broker ..." unless a broker answers a metadata request
/// within kKafkaValidateTimeoutMs; takes ownership of `conf`. Returns the producer handle it used.
KafkaHandle ConnectKafkaProducer(rd_kafka_conf_t* conf, const std::string& bootstrap_servers);

}  // namespace freshet::connectors
