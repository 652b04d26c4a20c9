// SPDX-License-Identifier: Apache-2.0
#include "connectors/kafka_sink_writer.h"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <map>
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

/// How long the transactional calls (init, commit, abort) may take in all.
constexpr int kTransactionTimeoutMs = 30000;
/// The longest a blocking librdkafka call runs before the writer checks whether it was cancelled;
/// the transactional calls resume where they were when called again after a timeout.
constexpr int kSliceMs = 100;
/// How long Recover may take to read the tail of the topic.
constexpr auto kRecoverTimeout = std::chrono::milliseconds(30000);
/// How long the destructor of a cancelled writer gives an open transaction to abort.
constexpr int kCancelledAbortTimeoutMs = 500;
/// The headers of each message of a transactional sink: the epoch that carries it, and the sink
/// instance (SinkSpec::instance_id) that wrote it. Recover reads them back.
constexpr std::string_view kEpochHeader = "freshet-epoch";
constexpr std::string_view kInstanceHeader = "freshet-sink";
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

Error CancelledError(const KafkaSinkConfig& config) {
  return Error(SqlState::kQueryCanceled,
               fmt::format("Kafka sink \"{}\" was stopped", config.sink_name));
}

/// Parses Checkpoint()'s text, "partition:offset,...", into `out`; false when malformed.
bool ParsePositions(std::string_view text, std::map<int32_t, int64_t>& out) {
  while (!text.empty()) {
    const size_t comma = text.find(',');
    const std::string_view item = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    const size_t colon = item.find(':');
    if (colon == std::string_view::npos) {
      return false;
    }
    int32_t partition = 0;
    int64_t offset = 0;
    const std::string_view p = item.substr(0, colon);
    const std::string_view o = item.substr(colon + 1);
    if (std::from_chars(p.data(), p.data() + p.size(), partition).ec != std::errc() ||
        std::from_chars(o.data(), o.data() + o.size(), offset).ec != std::errc()) {
      return false;
    }
    out[partition] = offset;
  }
  return true;
}

/// Writes a sink's changes to a Kafka topic; see kafka_sink_writer.h. librdkafka's background
/// threads talk to the brokers; the delivery callbacks run inside this writer's poll and flush
/// calls, on the calling thread.
class KafkaSinkWriter final : public SinkWriter {
 public:
  /// `spec` gives the encoder the columns; `config` is the parsed spec.
  KafkaSinkWriter(const SinkSpec& spec, KafkaSinkConfig config)
      : config_(std::move(config)),
        encoder_(spec, config_.encoding),
        instance_id_(spec.instance_id),
        // Every shard writes at once, each with a producer of its own: one transactional.id
        // per shard, or they would fence each other off.
        transactional_id_(config_.transactional
                              ? config_.transactional_id + "-" + std::to_string(spec.shard)
                              : std::string()) {
    char error[512];
    rd_kafka_conf_t* conf = MakeProducerConf(config_, transactional_id_);
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
      // An open transaction would hold back read_committed consumers until it times out (or the
      // next writer of the same transactional.id registers). A cancelled writer's broker may not
      // answer: it tries only briefly.
      KafkaError ignored(rd_kafka_abort_transaction(
          producer_.get(), cancelled_.load() ? kCancelledAbortTimeoutMs : kDestroyAbortTimeoutMs));
    }
    topic_.reset();
    producer_.reset();
  }

  SinkRecovery Recover(std::optional<std::string_view> checkpoint) override {
    ThrowIfCancelled();
    if (!config_.transactional) {
      return {};
    }
    // Registering fences off the earlier producers of this transactional.id and ends their
    // transactions (a commit in flight completes, an open one is aborted), so what the topic holds
    // afterwards is final.
    InitTransactions();
    return ReadTail(checkpoint);
  }

  std::string Checkpoint() const override {
    std::string text;
    for (const auto& [partition, offset] : positions_) {
      if (!text.empty()) {
        text += ',';
      }
      text += fmt::format("{}:{}", partition, offset);
    }
    return text;
  }

  void Cancel() override { cancelled_.store(true); }

  void BeginEpoch(uint64_t epoch) override {
    ThrowIfCancelled();
    ThrowIfLost();
    epoch_ = epoch;
    epoch_text_ = std::to_string(epoch);
    if (config_.transactional) {
      EnsureTransaction();
    }
  }

  void Write(const Chunk& chunk) override {
    ThrowIfCancelled();
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
    ThrowIfCancelled();
    ThrowIfLost();
    encoder_.Finish(NowMillis(), batch_);
    ProduceBatch();
    // In slices, so that Cancel is noticed while the broker does not answer.
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    rd_kafka_resp_err_t result = RD_KAFKA_RESP_ERR__TIMED_OUT;
    while (true) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      result = rd_kafka_flush(producer_.get(),
                              static_cast<int>(std::clamp<int64_t>(left.count(), 0, kSliceMs)));
      if (result == RD_KAFKA_RESP_ERR_NO_ERROR || left.count() <= kSliceMs) {
        break;
      }
      ThrowIfCancelled();
    }
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
    ThrowIfCancelled();
    ThrowIfLost();
    if (epoch != epoch_) {
      epoch_ = epoch;
      epoch_text_ = std::to_string(epoch);
    }
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
      KafkaError error = Resumable(
          [&](int timeout_ms) { return rd_kafka_commit_transaction(producer_.get(), timeout_ms); });
      if (!error) {
        break;
      }
      if (rd_kafka_error_is_retriable(error.get()) && attempt < kCommitAttempts) {
        ThrowIfCancelled();
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
    // The epoch's messages are in the topic: recovery need not look before them.
    for (const auto& [partition, offset] : epoch_positions_) {
      int64_t& position = positions_[partition];
      position = std::max(position, offset + 1);
    }
    epoch_positions_.clear();
  }

  void AbortEpoch() override {
    encoder_.Reset();
    batch_.Clear();
    epoch_positions_.clear();
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

  /// Calls a resumable transactional call (`call(timeout_ms)`: init, commit, abort) in slices of
  /// kSliceMs until it is done, fails otherwise, kTransactionTimeoutMs pass or Cancel is called
  /// (then throws).
  template <typename Call>
  KafkaError Resumable(Call call) {
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(kTransactionTimeoutMs);
    while (true) {
      KafkaError error(call(kSliceMs));
      if (!error || rd_kafka_error_code(error.get()) != RD_KAFKA_RESP_ERR__TIMED_OUT ||
          !rd_kafka_error_is_retriable(error.get()) ||
          std::chrono::steady_clock::now() >= deadline) {
        return error;
      }
      ThrowIfCancelled();
    }
  }

  /// Registers the transactional producer, once.
  void InitTransactions() {
    if (transactions_initialized_) {
      return;
    }
    KafkaError error = Resumable(
        [&](int timeout_ms) { return rd_kafka_init_transactions(producer_.get(), timeout_ms); });
    if (error) {
      throw TransactionError("initialize Kafka transactions", config_, *error)
          .WithHint(
              "The broker must support transactions (Kafka 0.11 or later, with "
              "transaction.state.log.replication.factor no larger than the number of "
              "brokers).");
    }
    transactions_initialized_ = true;
  }

  /// Registers the transactional producer (once) and begins a transaction if none is open.
  void EnsureTransaction() {
    InitTransactions();
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
        const rd_kafka_resp_err_t error = Produce(message);
        if (error == RD_KAFKA_RESP_ERR_NO_ERROR) {
          break;
        }
        if (error == RD_KAFKA_RESP_ERR__QUEUE_FULL && std::chrono::steady_clock::now() < deadline &&
            !cancelled_.load(std::memory_order_relaxed)) {
          // Backpressure: serve delivery reports until the queue has room.
          rd_kafka_poll(producer_.get(), 10);
          continue;
        }
        batch_.Clear();
        ThrowIfCancelled();
        throw ProduceError(error);
      }
    }
    batch_.Clear();
  }

  /// Hands one message to librdkafka, which copies the bytes (so the batch's buffers are reused).
  /// A transactional sink's messages carry the epoch and the sink instance in headers.
  rd_kafka_resp_err_t Produce(const SinkMessage& message) {
    void* value = message.has_value ? const_cast<char*>(message.value.data()) : nullptr;
    const size_t value_size = message.has_value ? message.value.size() : 0;
    const void* key = message.has_key ? message.key.data() : nullptr;
    const size_t key_size = message.has_key ? message.key.size() : 0;
    if (!config_.transactional) {
      return rd_kafka_producev(
          producer_.get(), RD_KAFKA_V_RKT(topic_.get()), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
          RD_KAFKA_V_VALUE(value, value_size), RD_KAFKA_V_KEY(key, key_size), RD_KAFKA_V_END);
    }
    return rd_kafka_producev(producer_.get(), RD_KAFKA_V_RKT(topic_.get()),
                             RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                             RD_KAFKA_V_VALUE(value, value_size), RD_KAFKA_V_KEY(key, key_size),
                             RD_KAFKA_V_HEADER(kEpochHeader.data(), epoch_text_.data(),
                                               static_cast<ssize_t>(epoch_text_.size())),
                             RD_KAFKA_V_HEADER(kInstanceHeader.data(), instance_id_.data(),
                                               static_cast<ssize_t>(instance_id_.size())),
                             RD_KAFKA_V_END);
  }

  /// Owns a consumer handle and destroys it without leaving a group (it joins none).
  struct ConsumerDeleter {
    void operator()(rd_kafka_t* consumer) const {
      rd_kafka_destroy_flags(consumer, RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
    }
  };
  using Consumer = std::unique_ptr<rd_kafka_t, ConsumerDeleter>;

  /// A consumer of the sink's brokers (with the user's properties, which may carry security
  /// settings) that belongs to no group.
  Consumer MakeConsumer(const char* isolation_level) const {
    rd_kafka_conf_t* conf = NewKafkaConf(config_.bootstrap_servers);
    SetKafkaProperty(conf, "log_level", "3", false);
    for (const auto& [key, value] : config_.properties) {
      if (key != "transactional.id" && key != "enable.idempotence") {
        SetKafkaProperty(conf, key, value, true);
      }
    }
    // assign() needs a group.id; the consumer never joins the group nor commits to it.
    SetKafkaProperty(conf, "group.id", "freshet-sink-" + config_.sink_name + "-recovery", false);
    SetKafkaProperty(conf, "enable.auto.commit", "false", false);
    SetKafkaProperty(conf, "enable.partition.eof", "true", false);
    SetKafkaProperty(conf, "fetch.wait.max.ms", "20", false);
    SetKafkaProperty(conf, "isolation.level", isolation_level, false);
    char error[512];
    Consumer consumer(rd_kafka_new(RD_KAFKA_CONSUMER, conf, error, sizeof(error)));
    if (!consumer) {
      throw Error(SqlState::kSqlclientUnableToEstablishSqlconnection,
                  fmt::format("could not create Kafka consumer: {}", error));
    }
    return consumer;
  }

  Error RecoverError(std::string_view what) const {
    return Error(SqlState::kConnectionFailure,
                 fmt::format("could not recover Kafka sink \"{}\": {}", config_.sink_name, what))
        .WithHint("Check that the brokers " + config_.bootstrap_servers + " are reachable.");
  }

  /// Finds the last epoch this sink instance committed by reading the topic (read_committed) from
  /// the positions in `checkpoint` to its current end, and records that end as where the next
  /// recovery starts. A transaction commits its messages with their headers atomically, so the
  /// newest message of this instance names the last committed epoch; epochs that wrote nothing
  /// leave no trace, but writing them again writes nothing either.
  ///
  /// (The exactly-once design of Kafka Streams and Flink records the epoch as a consumer group
  /// offset sent with send_offsets_to_transaction; librdkafka 2.0.2's mock cluster, the tests'
  /// broker, accepts TxnOffsetCommit but stores nothing, so that cannot be tested here.)
  SinkRecovery ReadTail(std::optional<std::string_view> checkpoint) {
    const auto deadline = std::chrono::steady_clock::now() + kRecoverTimeout;
    const auto left_ms = [&] {
      return static_cast<int>(std::clamp<int64_t>(
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline -
                                                                std::chrono::steady_clock::now())
              .count(),
          1, kSliceMs * 2));
    };
    // The end of each partition, counting messages of open transactions (read_uncommitted): an
    // earlier transaction of another producer that is still open holds back what a read_committed
    // consumer sees, and this instance's last commit may lie behind it.
    Consumer probe = MakeConsumer("read_uncommitted");
    TopicHandle probe_topic(rd_kafka_topic_new(probe.get(), config_.topic.c_str(), nullptr));
    const rd_kafka_metadata_t* metadata = nullptr;
    rd_kafka_resp_err_t result = RD_KAFKA_RESP_ERR__TIMED_OUT;
    while (std::chrono::steady_clock::now() < deadline) {
      result = rd_kafka_metadata(probe.get(), 0, probe_topic.get(), &metadata, left_ms());
      if (result != RD_KAFKA_RESP_ERR__TIMED_OUT && result != RD_KAFKA_RESP_ERR__TRANSPORT) {
        break;
      }
      ThrowIfCancelled();
    }
    std::vector<int32_t> partitions;
    if (result == RD_KAFKA_RESP_ERR_NO_ERROR && metadata->topic_cnt == 1) {
      result = metadata->topics[0].err;
      for (int i = 0; i < metadata->topics[0].partition_cnt; ++i) {
        partitions.push_back(metadata->topics[0].partitions[i].id);
      }
    }
    if (metadata != nullptr) {
      rd_kafka_metadata_destroy(metadata);
    }
    if (result != RD_KAFKA_RESP_ERR_NO_ERROR || partitions.empty()) {
      throw RecoverError(
          fmt::format("no metadata for topic \"{}\": {}", config_.topic, rd_kafka_err2str(result)));
    }
    std::map<int32_t, int64_t> known;
    if (checkpoint && !ParsePositions(*checkpoint, known)) {
      known.clear();  // unreadable: read each partition from its start
    }
    std::map<int32_t, std::pair<int64_t, int64_t>> ranges;  // partition -> [start, end)
    for (const int32_t partition : partitions) {
      int64_t low = 0;
      int64_t high = 0;
      while (true) {
        result = rd_kafka_query_watermark_offsets(probe.get(), config_.topic.c_str(), partition,
                                                  &low, &high, left_ms());
        if (result == RD_KAFKA_RESP_ERR_NO_ERROR || std::chrono::steady_clock::now() >= deadline) {
          break;
        }
        ThrowIfCancelled();
      }
      if (result != RD_KAFKA_RESP_ERR_NO_ERROR) {
        throw RecoverError(fmt::format("no offsets for partition {} of topic \"{}\": {}", partition,
                                       config_.topic, rd_kafka_err2str(result)));
      }
      const auto it = known.find(partition);
      const int64_t start = it != known.end() ? std::max(it->second, low) : low;
      if (checkpoint && start < high) {
        ranges[partition] = {start, high};
      }
      // Whatever this writer commits lies after the current end.
      positions_[partition] = std::max(positions_[partition], high);
    }
    SinkRecovery recovery;
    if (ranges.empty() || instance_id_.empty()) {
      return recovery;
    }
    Consumer consumer = MakeConsumer("read_committed");
    rd_kafka_topic_partition_list_t* assignment =
        rd_kafka_topic_partition_list_new(static_cast<int>(ranges.size()));
    for (const auto& [partition, range] : ranges) {
      rd_kafka_topic_partition_list_add(assignment, config_.topic.c_str(), partition)->offset =
          range.first;
    }
    result = rd_kafka_assign(consumer.get(), assignment);
    rd_kafka_topic_partition_list_destroy(assignment);
    if (result != RD_KAFKA_RESP_ERR_NO_ERROR) {
      throw RecoverError(rd_kafka_err2str(result));
    }
    std::optional<uint64_t> last;
    while (!ranges.empty()) {
      if (std::chrono::steady_clock::now() >= deadline) {
        throw RecoverError(fmt::format(
            "timed out reading partition {} of topic \"{}\" up to offset {} (a transaction of "
            "another producer may hold it back)",
            ranges.begin()->first, config_.topic, ranges.begin()->second.second));
      }
      ThrowIfCancelled();
      rd_kafka_message_t* message = rd_kafka_consumer_poll(consumer.get(), kSliceMs);
      if (message == nullptr) {
        continue;
      }
      const int32_t partition = message->partition;
      const int64_t offset = message->offset;
      const rd_kafka_resp_err_t error = message->err;
      if (error == RD_KAFKA_RESP_ERR_NO_ERROR) {
        if (const std::optional<uint64_t> epoch = OwnEpoch(*message)) {
          last = std::max(last.value_or(0), *epoch);
        }
      }
      rd_kafka_message_destroy(message);
      if (error != RD_KAFKA_RESP_ERR_NO_ERROR && error != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        throw RecoverError(fmt::format("reading partition {} of topic \"{}\": {}", partition,
                                       config_.topic, rd_kafka_err2str(error)));
      }
      // Done with a partition once its end is reached (past aborted messages and transaction
      // markers, which read_committed skips).
      const auto it = ranges.find(partition);
      if (it != ranges.end() &&
          offset + (error == RD_KAFKA_RESP_ERR__PARTITION_EOF ? 0 : 1) >= it->second.second) {
        ranges.erase(it);
      }
    }
    recovery.committed_epoch = last;
    return recovery;
  }

  /// The epoch in the headers of `message` if this sink instance wrote it.
  std::optional<uint64_t> OwnEpoch(const rd_kafka_message_t& message) const {
    rd_kafka_headers_t* headers = nullptr;
    if (rd_kafka_message_headers(&message, &headers) != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return std::nullopt;
    }
    const void* value = nullptr;
    size_t size = 0;
    if (rd_kafka_header_get_last(headers, kInstanceHeader.data(), &value, &size) !=
            RD_KAFKA_RESP_ERR_NO_ERROR ||
        std::string_view(static_cast<const char*>(value), size) != instance_id_ ||
        rd_kafka_header_get_last(headers, kEpochHeader.data(), &value, &size) !=
            RD_KAFKA_RESP_ERR_NO_ERROR) {
      return std::nullopt;
    }
    uint64_t epoch = 0;
    const char* text = static_cast<const char*>(value);
    if (std::from_chars(text, text + size, epoch).ec != std::errc()) {
      return std::nullopt;
    }
    return epoch;
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

  void ThrowIfCancelled() const {
    if (cancelled_.load(std::memory_order_relaxed)) {
      throw CancelledError(config_);
    }
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
      if (writer->config_.transactional) {
        int64_t& last = writer->epoch_positions_[message->partition];
        last = std::max(last, message->offset);
      }
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
  const std::string instance_id_;
  /// The configured transactional.id and the shard; empty in at-least-once mode.
  const std::string transactional_id_;
  SinkMessageBatch batch_;
  KafkaHandle producer_;
  TopicHandle topic_;
  uint64_t epoch_ = 0;
  /// epoch_ as the text of the epoch header.
  std::string epoch_text_ = "0";
  std::atomic<bool> cancelled_{false};
  /// Per partition, the offset from which a recovery must read to see every epoch committed after
  /// the ones this writer knows of (Checkpoint()); and the last offset of a message of the open
  /// transaction (from the delivery reports), which moves positions_ when it commits.
  std::map<int32_t, int64_t> positions_;
  std::map<int32_t, int64_t> epoch_positions_;
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
