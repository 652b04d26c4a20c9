// SPDX-License-Identifier: Apache-2.0
#include "connectors/internal/kafka_client.h"

#include <fmt/format.h>

#include "common/error.h"
#include "common/logging.h"
#include "connectors/internal/option_reader.h"

namespace freshet::connectors {

rd_kafka_conf_t* NewKafkaConf(const std::string& bootstrap_servers) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  // librdkafka's own messages (a broker going away, retries) into the server's log, not stderr.
  rd_kafka_conf_set_log_cb(
      conf, [](const rd_kafka_t*, int level, const char* facility, const char* message) {
        if (level <= 4) {
          FRESHET_LOG_WARNING("kafka", "{}: {}", facility, message);
        } else {
          FRESHET_LOG_INFO("kafka", "{}: {}", facility, message);
        }
      });
  SetKafkaProperty(conf, "bootstrap.servers", bootstrap_servers, false);
  return conf;
}

void SetKafkaProperty(rd_kafka_conf_t* conf,
                      const std::string& key,
                      const std::string& value,
                      bool from_user) {
  char error[512];
  if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), error, sizeof(error)) !=
      RD_KAFKA_CONF_OK) {
    rd_kafka_conf_destroy(conf);
    throw OptionReader::InvalidValue(from_user ? "properties." + key : key, value, error);
  }
}

KafkaHandle ConnectKafkaProducer(rd_kafka_conf_t* conf, const std::string& bootstrap_servers) {
  char error[512];
  KafkaHandle handle(rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof(error)));
  if (!handle) {
    throw Error(SqlState::kSqlclientUnableToEstablishSqlconnection,
                fmt::format("could not connect to Kafka broker {}: {}", bootstrap_servers, error));
  }
  const rd_kafka_metadata_t* metadata = nullptr;
  const rd_kafka_resp_err_t result =
      rd_kafka_metadata(handle.get(), 0, nullptr, &metadata, kKafkaValidateTimeoutMs);
  if (metadata != nullptr) {
    rd_kafka_metadata_destroy(metadata);
  }
  if (result != RD_KAFKA_RESP_ERR_NO_ERROR) {
    throw Error(SqlState::kSqlclientUnableToEstablishSqlconnection,
                fmt::format("could not connect to Kafka broker {}", bootstrap_servers))
        .WithDetail(fmt::format("No broker answered a metadata request within {} seconds: {}.",
                                kKafkaValidateTimeoutMs / 1000, rd_kafka_err2str(result)));
  }
  return handle;
}

}  // namespace freshet::connectors
