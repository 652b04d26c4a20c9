// SPDX-License-Identifier: Apache-2.0
#include "connectors/internal/kafka_client.h"

#include <fmt/format.h>

#include "common/error.h"
#include "common/logging.h"
#include "connectors/internal/option_reader.h"

namespace freshet::connectors {

void ReadKafkaTarget(OptionReader& options, std::string& topic, std::string& bootstrap_servers) {
  const std::optional<std::string_view> topic_option = options.Find("topic");
  if (!topic_option || topic_option->empty()) {
    throw Error(SqlState::kInvalidParameterValue, "option \"topic\" is required");
  }
  topic = std::string(*topic_option);
  std::optional<std::string_view> servers = options.Find("properties.bootstrap.server");
  if (const std::optional<std::string_view> plural = options.Find("properties.bootstrap.servers")) {
    servers = plural;
  }
  if (!servers || servers->empty()) {
    throw Error(SqlState::kInvalidParameterValue,
                "option \"properties.bootstrap.server\" is required")
        .WithHint("Set it to the brokers' host:port list, e.g. '127.0.0.1:9092'.");
  }
  bootstrap_servers = std::string(*servers);
}

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
