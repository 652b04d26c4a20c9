// SPDX-License-Identifier: Apache-2.0
#include "connectors/kafka_sink_writer.h"

#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <librdkafka/rdkafka.h>

#include "common/error.h"
#include "connectors/internal/kafka_client.h"
#include "connectors/internal/option_reader.h"
#include "connectors/sink_encoder.h"

namespace freshet::connectors {
namespace {

/// How long ValidateKafkaSink waits for a broker to answer.
/// How long the transactional calls (init, commit, abort) may take.
constexpr int kTransactionTimeoutMs = 30000;
/// How often CommitEpoch tries a commit that failed with a retriable error (a timeout).
constexpr int kCommitAttempts = 3;
/// How long CommitEpoch waits for the epoch's messages in at-least-once mode.
constexpr auto kCommitFlushTimeout = std::chrono::milliseconds(60000);
/// How long Write waits for room in a full send queue before it gives up.
constexpr auto kQueueFullTimeout = std::chrono::milliseconds(60000);
/// How long the destructor gives an open transaction to abort.
constexpr int kDestroyAbortTimeoutMs = 5000;

/// Producer settings that differ from librdkafka's defaults; `properties.*` options override them,
/// except enable.idempotence, which the writer needs.
constexpr std::pair<const char*, const char*> kProducerDefaults[] = {
    {"log_level", "3"},
    // Batches fill for up to 5 ms (librdkafka's default, stated because the latency of an epoch
    // commit depends on it).
    {"linger.ms", "5"},
};

/// A validated kafka sink.
struct KafkaSinkConfig {
  std::string sink_name;
  std::string topic;
  std::string bootstrap_servers;
  bool transactional = false;
  std::string transactional_id;
  /// librdkafka properties from `properties.*` options, prefix removed.
  std::vector<std::pair<std::string, std::string>> properties;
  SinkEncoding encoding;
};

struct TopicHandleDeleter {
  void operator()(rd_kafka_topic_t* topic) const { rd_kafka_topic_destroy(topic); }
};
using TopicHandle = std::unique_ptr<rd_kafka_topic_t, TopicHandleDeleter>;

/// Owns an rd_kafka_error_t.
struct KafkaErrorDeleter {
  void operator()(rd_kafka_error_t* error) const { rd_kafka_error_destroy(error); }
};
using KafkaError = std::unique_ptr<rd_kafka_error_t, KafkaErrorDeleter>;

bool ParseBoolean(OptionReader& options, std::string_view key) {
  const std::optional<std::string_view> text = options.Find(key);
  if (!text) {
    return false;
  }
  const std::string lower = AsciiLower(*text);
  if (lower != "true" && lower != "false") {
    throw OptionReader::InvalidValue(key, *text, "The value must be 'true' or 'false'.");
  }
  return lower == "true";
}

/// Builds a producer configuration; throws 22023 naming the option librdkafka refused.
/// `transactional_id` overrides the configured one (ValidateKafkaSink probes with its own).
rd_kafka_conf_t* MakeProducerConf(const KafkaSinkConfig& config,
                                  const std::string& transactional_id) {
  rd_kafka_conf_t* conf = NewKafkaConf(config.bootstrap_servers);
  const auto set = [&](const std::string& key, const std::string& value, bool from_user) {
    SetKafkaProperty(conf, key, value, from_user);
  };
  for (const auto& [key, value] : kProducerDefaults) {
    set(key, value, false);
  }
  for (const auto& [key, value] : config.properties) {
    if (key != "transactional.id") {
      set(key, value, true);
    }
  }
  set("enable.idempotence", "true", false);
  if (!transactional_id.empty()) {
    set("transactional.id", transactional_id, false);
  }
  return conf;
}

KafkaSinkConfig ParseKafkaSinkSpec(const SinkSpec& spec) {
  KafkaSinkConfig config;
  config.sink_name = spec.sink_name;
  config.encoding = ParseSinkEncoding(spec);

  OptionReader options(spec.options, "kafka sink");
  options.Ignore("connector");
  for (const std::string_view key : SinkEncodingOptionKeys()) {
    options.Ignore(key);
  }
  ReadKafkaTarget(options, config.topic, config.bootstrap_servers);
  config.transactional = ParseBoolean(options, "sink.transactional");
  std::optional<std::string> transactional_id;
  options.ForEachWithPrefix("properties.", [&](std::string_view key, std::string_view value) {
    const std::string_view property = key.substr(std::string_view("properties.").size());
    if (property == "bootstrap.server" || property == "bootstrap.servers") {
      return;
    }
    if (property == "enable.idempotence" && AsciiLower(value) != "true") {
      throw OptionReader::InvalidValue(
          key, value,
          "Sinks always use the idempotent producer, so that retries add no duplicates.");
    }
    if (property == "transactional.id") {
      transactional_id = std::string(value);
    }
    config.properties.emplace_back(std::string(property), std::string(value));
  });
  options.RejectUnread();
  if (transactional_id && !config.transactional) {
    throw Error(SqlState::kInvalidParameterValue,
                "option \"properties.transactional.id\" requires sink.transactional = 'true'");
  }
  if (config.transactional) {
    config.transactional_id = transactional_id && !transactional_id->empty()
                                  ? *transactional_id
                                  : "freshet-sink-" + config.sink_name;
  }
  // librdkafka checks the names and values of the passed-on properties.
  rd_kafka_conf_destroy(MakeProducerConf(config, config.transactional_id));
  return config;
}

/// The error of a failed transactional call, with the action taken in the hint.
Error TransactionError(std::string_view what,
                       const KafkaSinkConfig& config,
                       const rd_kafka_error_t& error) {
  Error result(SqlState::kConnectionFailure,
               fmt::format("could not {} for Kafka sink \"{}\": {}", what, config.sink_name,
                           rd_kafka_error_string(&error)));
  if (rd_kafka_error_is_fatal(&error)) {
    result.WithDetail("The producer failed for good (another producer with transactional.id \"" +
                      config.transactional_id + "\" may have fenced it off).");
  }
  return result;
}

/// Writes a sink's changes to a Kafka topic; see kafka_sink_writer.h. librdkafka's background
/// threads talk to the brokers; the delivery callbacks run inside this writer's poll and flush
/// calls, on the calling thread.
class KafkaSinkWriter final : public SinkWriter {
 public:
  /// `spec` gives the encoder the columns; `config` is the parsed spec.
  KafkaSinkWriter(const SinkSpec& spec, KafkaSinkConfig config)
      : config_(std::move(config)), encoder_(spec, config_.encoding) {
    char error[512];
    rd_kafka_conf_t* conf = MakeProducerConf(config_, config_.transactional_id);
    rd_kafka_conf_set_dr_msg_cb(conf, &KafkaSinkWriter::OnDelivery);
    rd_kafka_conf_set_opaque(conf, this);
    producer_.reset(rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof(error)));
    if (!producer_) {
      throw Error(SqlState::kSqlclientUnableToEstablishSqlconnection,
                  fmt::format("could not create Kafka producer: {}", error));
    }
    topic_.reset(rd_kafka_topic_new(producer_.get(), config_.topic.c_str(), nullptr));
  }

  ~KafkaSinkWriter() override {
    // Messages not yet acknowledged belong to an epoch that was not committed, which the sink
    // writes again when it resumes: drop them instead of waiting.
    rd_kafka_purge(producer_.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    rd_kafka_poll(producer_.get(), 0);
    if (transaction_open_) {
      // An open transaction would hold back read_committed consumers until it times out.
      KafkaError ignored(rd_kafka_abort_transaction(producer_.get(), kDestroyAbortTimeoutMs));
    }
    topic_.reset();
    producer_.reset();
  }

  void BeginEpoch(uint64_t epoch) override {
    ThrowIfLost();
    epoch_ = epoch;
    if (config_.transactional) {
      EnsureTransaction();
    }
  }

  void Write(const Chunk& chunk) override {
    ThrowIfLost();
    ThrowIfDeliveryFailed();
    if (config_.transactional) {
      EnsureTransaction();
    }
    const int64_t now = NowMillis();
    for (size_t row = 0; row < chunk.NumRows(); ++row) {
      encoder_.EncodeRow(chunk, row, now, batch_);
      ProduceBatch();
    }
    rd_kafka_poll(producer_.get(), 0);
  }

  void Flush(std::chrono::milliseconds timeout) override {
    ThrowIfLost();
    encoder_.Finish(NowMillis(), batch_);
    ProduceBatch();
    const rd_kafka_resp_err_t result =
        rd_kafka_flush(producer_.get(), static_cast<int>(timeout.count()));
    ThrowIfDeliveryFailed();
    if (result != RD_KAFKA_RESP_ERR_NO_ERROR) {
      throw Error(SqlState::kConnectionFailure,
                  fmt::format("timed out after {} ms waiting for {} messages to be delivered to "
                              "Kafka topic \"{}\"",
                              timeout.count(), rd_kafka_outq_len(producer_.get()), config_.topic))
          .WithHint("Check that the brokers " + config_.bootstrap_servers + " are reachable.");
    }
  }

  void CommitEpoch(uint64_t epoch) override {
    ThrowIfLost();
    epoch_ = epoch;
    if (!config_.transactional) {
      Flush(kCommitFlushTimeout);
      return;
    }
    encoder_.Finish(NowMillis(), batch_);
    ProduceBatch();
    if (!transaction_open_) {
      return;  // the epoch wrote nothing
    }
    for (int attempt = 1;; ++attempt) {
      KafkaError error(rd_kafka_commit_transaction(producer_.get(), kTransactionTimeoutMs));
      if (!error) {
        break;
      }
      if (rd_kafka_error_is_retriable(error.get()) && attempt < kCommitAttempts) {
        continue;
      }
      Error failure = TransactionError(fmt::format("commit the transaction of epoch {}", epoch),
                                       config_, *error);
      if (rd_kafka_error_txn_requires_abort(error.get()) || rd_kafka_error_is_fatal(error.get())) {
        // The epoch's messages are gone: a retried CommitEpoch must not report success.
        lost_epoch_ = epoch;
      }
      if (rd_kafka_error_txn_requires_abort(error.get())) {
        KafkaError ignored(rd_kafka_abort_transaction(producer_.get(), kTransactionTimeoutMs));
        transaction_open_ = false;
        failure.WithHint(
            "The epoch's messages were aborted; the sink writes them again when it resumes from "
            "the last checkpoint.");
      }
      throw failure;
    }
    transaction_open_ = false;
    ThrowIfDeliveryFailed();
  }

  void AbortEpoch() override {
    encoder_.Reset();
    batch_.Clear();
    if (!config_.transactional || !transaction_open_) {
      return;
    }
    KafkaError error(rd_kafka_abort_transaction(producer_.get(), kTransactionTimeoutMs));
    if (error) {
      throw TransactionError(fmt::format("abort the transaction of epoch {}", epoch_), config_,
                             *error);
    }
    transaction_open_ = false;
    // Aborted messages report delivery errors (purged); they are not failures of the sink.
    delivery_failed_ = false;
    failed_count_ = 0;
  }

  uint64_t DeliveredCount() const override {
    return delivered_count_.load(std::memory_order_relaxed);
  }

 private:
  static int64_t NowMillis() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }

  /// Registers the transactional producer (once) and begins a transaction if none is open.
  void EnsureTransaction() {
    if (!transactions_initialized_) {
      KafkaError error(rd_kafka_init_transactions(producer_.get(), kTransactionTimeoutMs));
      if (error) {
        throw TransactionError("initialize Kafka transactions", config_, *error)
            .WithHint(
                "The broker must support transactions (Kafka 0.11 or later, with "
                "transaction.state.log.replication.factor no larger than the number of "
                "brokers).");
      }
      transactions_initialized_ = true;
    }
    if (!transaction_open_) {
      KafkaError error(rd_kafka_begin_transaction(producer_.get()));
      if (error) {
        throw TransactionError(fmt::format("begin the transaction of epoch {}", epoch_), config_,
                               *error);
      }
      transaction_open_ = true;
    }
  }

  /// Hands the encoded messages to librdkafka, waiting while its queue is full.
  void ProduceBatch() {
    for (size_t i = 0; i < batch_.Size(); ++i) {
      const SinkMessage& message = batch_[i];
      const auto deadline = std::chrono::steady_clock::now() + kQueueFullTimeout;
      while (true) {
        // RD_KAFKA_MSG_F_COPY: librdkafka copies the bytes, so the batch's buffers are reused.
        const int result =
            rd_kafka_produce(topic_.get(), RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY,
                             message.has_value ? const_cast<char*>(message.value.data()) : nullptr,
                             message.has_value ? message.value.size() : 0,
                             message.has_key ? message.key.data() : nullptr,
                             message.has_key ? message.key.size() : 0, nullptr);
        if (result == 0) {
          break;
        }
        const rd_kafka_resp_err_t error = rd_kafka_last_error();
        if (error == RD_KAFKA_RESP_ERR__QUEUE_FULL && std::chrono::steady_clock::now() < deadline) {
          // Backpressure: serve delivery reports until the queue has room.
          rd_kafka_poll(producer_.get(), 10);
          continue;
        }
        batch_.Clear();
        throw ProduceError(error);
      }
    }
    batch_.Clear();
  }

  Error ProduceError(rd_kafka_resp_err_t error) const {
    if (error == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE) {
      return Error(SqlState::kProgramLimitExceeded,
                   fmt::format("a message of sink \"{}\" is larger than the Kafka producer allows",
                               config_.sink_name))
          .WithHint("Raise properties.message.max.bytes (and the topic's max.message.bytes).");
    }
    if (error == RD_KAFKA_RESP_ERR__FATAL) {
      char reason[512];
      rd_kafka_fatal_error(producer_.get(), reason, sizeof(reason));
      return Error(
          SqlState::kConnectionFailure,
          fmt::format("Kafka producer of sink \"{}\" failed: {}", config_.sink_name, reason));
    }
    return Error(SqlState::kConnectionFailure,
                 fmt::format("could not send a message of sink \"{}\" to Kafka topic \"{}\": {}",
                             config_.sink_name, config_.topic, rd_kafka_err2str(error)));
  }

  void ThrowIfLost() const {
    if (lost_epoch_) {
      throw Error(SqlState::kConnectionFailure,
                  fmt::format("Kafka sink \"{}\" lost the transaction of epoch {}",
                              config_.sink_name, *lost_epoch_))
          .WithHint("Recreate the writer and resume the sink from the last committed epoch.");
    }
  }

  void ThrowIfDeliveryFailed() {
    if (!delivery_failed_) {
      return;
    }
    throw Error(SqlState::kConnectionFailure,
                fmt::format("could not deliver {} messages of sink \"{}\" to Kafka topic \"{}\": "
                            "{}",
                            failed_count_, config_.sink_name, config_.topic, first_failure_))
        .WithHint("The sink writes them again when it resumes from the last checkpoint.");
  }

  static void OnDelivery(rd_kafka_t* producer, const rd_kafka_message_t* message, void* opaque) {
    auto* writer = static_cast<KafkaSinkWriter*>(opaque);
    if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      writer->delivered_count_.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    if (message->err == RD_KAFKA_RESP_ERR__PURGE_QUEUE ||
        message->err == RD_KAFKA_RESP_ERR__PURGE_INFLIGHT) {
      return;  // dropped on purpose (abort, destruction)
    }
    if (!writer->delivery_failed_) {
      writer->delivery_failed_ = true;
      writer->first_failure_ = rd_kafka_err2str(message->err);
    }
    ++writer->failed_count_;
  }

  const KafkaSinkConfig config_;
  SinkMessageEncoder encoder_;
  SinkMessageBatch batch_;
  KafkaHandle producer_;
  TopicHandle topic_;
  uint64_t epoch_ = 0;
  bool transactions_initialized_ = false;
  bool transaction_open_ = false;
  std::atomic<uint64_t> delivered_count_{0};
  bool delivery_failed_ = false;
  uint64_t failed_count_ = 0;
  std::string first_failure_;
  /// The epoch whose transaction failed to commit; the writer refuses to go on after it.
  std::optional<uint64_t> lost_epoch_;
};

}  // namespace

void ValidateKafkaSink(const SinkSpec& spec) {
  const KafkaSinkConfig config = ParseKafkaSinkSpec(spec);
  ConnectKafkaProducer(MakeProducerConf(config, ""), config.bootstrap_servers);
  if (!config.transactional) {
    return;
  }
  // Registering a transactional producer fails on brokers without transactions. The probe uses
  // an id of its own: registering the sink's id would fence off a running writer of that id.
  char error[512];
  KafkaHandle probe(rd_kafka_new(RD_KAFKA_PRODUCER,
                                 MakeProducerConf(config, config.transactional_id + "-validate"),
                                 error, sizeof(error)));
  if (!probe) {
    throw Error(SqlState::kSqlclientUnableToEstablishSqlconnection,
                fmt::format("could not create Kafka producer: {}", error));
  }
  KafkaError init(rd_kafka_init_transactions(probe.get(), kKafkaValidateTimeoutMs));
  if (init) {
    throw Error(SqlState::kSqlclientUnableToEstablishSqlconnection,
                fmt::format("Kafka broker {} did not register a transactional producer",
                            config.bootstrap_servers))
        .WithDetail(fmt::format("{}.", rd_kafka_error_string(init.get())))
        .WithHint(
            "sink.transactional needs a broker with transactions (Kafka 0.11 or later, with "
            "transaction.state.log.replication.factor no larger than the number of brokers).");
  }
}

std::unique_ptr<SinkWriter> CreateKafkaSinkWriter(const SinkSpec& spec) {
  return std::make_unique<KafkaSinkWriter>(spec, ParseKafkaSinkSpec(spec));
}

}  // namespace freshet::connectors
