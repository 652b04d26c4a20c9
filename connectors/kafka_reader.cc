// SPDX-License-Identifier: Apache-2.0
#include "connectors/kafka_reader.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <librdkafka/rdkafka.h>

#include "common/calendar.h"
#include "common/error.h"
#include "common/logging.h"
#include "common/serializer.h"
#include "connectors/internal/kafka_client.h"
#include "connectors/internal/option_reader.h"
#include "connectors/message_decoder.h"

namespace freshet::connectors {
namespace {

constexpr uint8_t kPositionTag = 'K';
constexpr uint8_t kPositionVersion = 1;
/// How long ValidateKafkaSource waits for a broker to answer.
/// Timeout of the background thread's metadata and offset requests.
constexpr int kRequestTimeoutMs = 5000;
/// How often the background thread looks for partitions added to the topic.
constexpr auto kMetadataRefreshInterval = std::chrono::seconds(2);
/// After a failed metadata request, the next try comes sooner.
constexpr auto kMetadataRetryInterval = std::chrono::milliseconds(200);
/// What MicrosUntilReady asks for when no message was waiting.
constexpr int64_t kIdleBackoffMicros = 2000;
/// Decode errors kept for TakeErrors; older ones are dropped (they stay counted).
constexpr size_t kMaxQueuedErrors = 1000;

}  // namespace

const std::vector<std::pair<std::string, std::string>>& KafkaConsumerDefaults() {
  // See docs/kafka.md for the measurements behind them.
  static const std::vector<std::pair<std::string, std::string>> defaults = {
      // Offsets live in Freshet's checkpoints, not in the broker.
      {"enable.auto.commit", "false"},
      {"enable.auto.offset.store", "false"},
      // An empty fetch waits at most this long at the broker; 500 ms would delay fresh messages
      // as much on a broker (like librdkafka's mock) that does not answer early when data arrives.
      {"fetch.wait.max.ms", "20"},
      {"fetch.error.backoff.ms", "100"},
      // Prefetch, enough to keep a worker busy. librdkafka 2.0 compares this with the one
      // consumer queue all partitions share, not per partition: 20,000 kept a 64-partition reader
      // waiting 3-4x longer. Memory stays bounded by queued.max.messages.kbytes.
      {"queued.min.messages", "1000000"},
      {"queued.max.messages.kbytes", "65536"},
      {"fetch.message.max.bytes", "4194304"},
      {"enable.partition.eof", "false"},
      {"log_level", "3"},
  };
  return defaults;
}

namespace {

/// Where to start reading a partition that has no restored offset.
enum class StartupMode : uint8_t { kEarliest, kLatest, kTimestamp };

/// A validated kafka source.
struct KafkaConfig {
  std::string source_name;
  std::string topic;
  std::string bootstrap_servers;
  StartupMode startup_mode = StartupMode::kEarliest;
  int64_t startup_timestamp_millis = 0;
  /// After this long without a message a partition stops holding the source's watermark back.
  int64_t idle_timeout_micros = 5'000'000;

  /// librdkafka properties from `properties.*` options, prefix removed.
  std::vector<std::pair<std::string, std::string>> properties;
  MessageFormat format;
  /// Source columns decoded from the payload, and where they go in the chunk.
  std::vector<std::string> decoded_names;
  std::vector<DataType> decoded_types;
  std::vector<size_t> decoded_outputs;
  /// FORMAT UPSERT: the primary-key columns, decoded from the message key.
  std::vector<std::string> key_names;
  std::vector<DataType> key_types;
  std::vector<size_t> key_outputs;
  std::vector<IncludedColumn> included;
  std::vector<DataType> column_types;
};

struct PartitionListDeleter {
  void operator()(rd_kafka_topic_partition_list_t* list) const {
    rd_kafka_topic_partition_list_destroy(list);
  }
};
using PartitionList = std::unique_ptr<rd_kafka_topic_partition_list_t, PartitionListDeleter>;

bool IncludedTypeFits(MessageMetadata metadata, const DataType& type) {
  switch (metadata) {
    case MessageMetadata::kPartition:
      return type.id == TypeId::kInteger || type.id == TypeId::kBigint || type.IsString();
    case MessageMetadata::kOffset:
      return type.id == TypeId::kBigint || type.IsString();
    case MessageMetadata::kTimestamp:
      return type.id == TypeId::kTimestamp || type.id == TypeId::kTimestamptz;
    case MessageMetadata::kKey:
      return type.id == TypeId::kBytea || type.IsString();
  }
  return false;
}

/// Builds a librdkafka configuration; throws 22023 naming the option librdkafka refused.
rd_kafka_conf_t* MakeConf(const KafkaConfig& config, bool consumer) {
  rd_kafka_conf_t* conf = NewKafkaConf(config.bootstrap_servers);
  const auto set = [&](const std::string& key, const std::string& value, bool from_user) {
    SetKafkaProperty(conf, key, value, from_user);
  };
  if (consumer) {
    set("group.id", "freshet-" + config.source_name, false);
    for (const auto& [key, value] : KafkaConsumerDefaults()) {
      set(key, value, false);
    }
  }
  for (const auto& [key, value] : config.properties) {
    set(key, value, true);
  }
  return conf;
}

KafkaConfig ParseKafkaSpec(const SourceSpec& spec) {
  OptionReader options(spec.options, "kafka");
  options.Ignore("connector");
  KafkaConfig config;
  config.source_name = spec.source_name;
  ReadKafkaTarget(options, config.topic, config.bootstrap_servers);
  if (const std::optional<int64_t> idle = options.FindDurationMicros("watermark.idle_timeout")) {
    config.idle_timeout_micros = *idle;
  }
  size_t max_message_bytes = 0;
  if (const std::optional<int64_t> limit =
          options.FindInteger("source.max.message.bytes", 1, std::numeric_limits<int32_t>::max())) {
    max_message_bytes = static_cast<size_t>(*limit);
  }
  if (const std::optional<std::string_view> mode = options.Find("scan.startup.mode")) {
    const std::string lower = AsciiLower(*mode);
    if (lower == "earliest") {
      config.startup_mode = StartupMode::kEarliest;
    } else if (lower == "latest") {
      config.startup_mode = StartupMode::kLatest;
    } else {
      throw OptionReader::InvalidValue("scan.startup.mode", *mode,
                                       "The mode must be 'earliest' or 'latest'.");
    }
  }
  std::optional<int64_t> timestamp = options.FindInteger(
      "scan.startup.timestamp.millis", 0, std::numeric_limits<int64_t>::max() / 1000);
  if (const std::optional<int64_t> alias = options.FindInteger(
          "scan.startup.timestamp_millis", 0, std::numeric_limits<int64_t>::max() / 1000)) {
    timestamp = alias;
  }
  if (timestamp) {
    config.startup_mode = StartupMode::kTimestamp;
    config.startup_timestamp_millis = *timestamp;
  }
  options.ForEachWithPrefix("properties.", [&](std::string_view key, std::string_view value) {
    const std::string_view property = key.substr(std::string_view("properties.").size());
    if (property != "bootstrap.server" && property != "bootstrap.servers") {
      config.properties.emplace_back(std::string(property), std::string(value));
    }
  });
  options.RejectUnread();
  // librdkafka checks the names and values of the passed-on properties.
  rd_kafka_conf_destroy(MakeConf(config, true));

  config.format = ParseMessageFormat(spec.format, spec.encode, spec.encode_options);
  config.format.max_message_bytes = max_message_bytes;
  config.column_types = spec.column_types;
  std::vector<bool> is_included(spec.column_names.size(), false);
  for (const IncludedColumn& included : spec.included_columns) {
    if (included.column >= spec.column_names.size()) {
      throw Error::Internal("INCLUDE column index out of range");
    }
    const DataType& type = spec.column_types[included.column];
    if (!IncludedTypeFits(included.metadata, type)) {
      throw Error(SqlState::kDatatypeMismatch,
                  fmt::format("column \"{}\" of type {} cannot hold the message {}",
                              spec.column_names[included.column], type.Name(),
                              MessageMetadataName(included.metadata)));
    }
    is_included[included.column] = true;
    config.included.push_back(included);
  }
  std::vector<bool> is_key(spec.column_names.size(), false);
  if (config.format.upsert) {
    if (spec.key_columns.empty()) {
      throw Error(SqlState::kInvalidParameterValue, "FORMAT UPSERT needs a primary key")
          .WithHint(
              "Use CREATE TABLE with a PRIMARY KEY: each message's key holds the primary key.");
    }
    for (size_t column : spec.key_columns) {
      if (column >= spec.column_names.size()) {
        throw Error::Internal("primary-key column index out of range");
      }
      if (is_included[column]) {
        // `INCLUDE key AS k ... PRIMARY KEY (k)`: the raw key is the primary key.
        const bool raw_key = spec.key_columns.size() == 1 &&
                             std::any_of(spec.included_columns.begin(), spec.included_columns.end(),
                                         [&](const IncludedColumn& included) {
                                           return included.column == column &&
                                                  included.metadata == MessageMetadata::kKey;
                                         });
        if (!raw_key) {
          throw Error(SqlState::kInvalidParameterValue,
                      "the primary key of a FORMAT UPSERT table is the message key: declared "
                      "columns, or one INCLUDE key column");
        }
        continue;
      }
      is_key[column] = true;
      config.key_names.push_back(spec.column_names[column]);
      config.key_types.push_back(spec.column_types[column]);
      config.key_outputs.push_back(column);
    }
    ValidateDecodedColumns(config.key_names, config.key_types);
  }
  for (size_t i = 0; i < spec.column_names.size(); ++i) {
    if (!is_included[i] && !is_key[i]) {
      config.decoded_names.push_back(spec.column_names[i]);
      config.decoded_types.push_back(spec.column_types[i]);
      config.decoded_outputs.push_back(i);
    }
  }
  ValidateDecodedColumns(config.decoded_names, config.decoded_types);
  return config;
}

/// Reads one shard of a kafka source. The reading thread calls Read, SavePosition and
/// RestorePosition; a background thread looks up the topic's partitions, resolves their start
/// offsets (which may block on the broker) and assigns them, so Read never waits for the network.
class KafkaReader final : public SourceReader {
 public:
  KafkaReader(KafkaConfig config, uint32_t shard, uint32_t shard_count)
      : config_(std::move(config)),
        shard_(shard),
        shard_count_(shard_count),
        decoder_(
            config_.decoded_names, config_.decoded_types, config_.decoded_outputs, config_.format) {
    if (!config_.key_names.empty()) {
      MessageFormat key_format = config_.format;
      key_format.scalar_payload = true;
      key_format.values_required = true;
      key_decoder_ = std::make_unique<MessageDecoder>(config_.key_names, config_.key_types,
                                                      config_.key_outputs, key_format);
    }
    char error[512];
    rd_kafka_conf_t* conf = MakeConf(config_, true);
    consumer_.reset(rd_kafka_new(RD_KAFKA_CONSUMER, conf, error, sizeof(error)));
    if (!consumer_) {
      throw Error(SqlState::kSqlclientUnableToEstablishSqlconnection,
                  fmt::format("could not create Kafka consumer: {}", error));
    }
    rd_kafka_poll_set_consumer(consumer_.get());
    queue_ = rd_kafka_queue_get_consumer(consumer_.get());
    messages_.resize(Chunk::kChunkSize);
    assigner_ = std::thread([this] { AssignLoop(); });
  }

  ~KafkaReader() override {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    assigner_.join();
    rd_kafka_queue_destroy(queue_);
    rd_kafka_consumer_close(consumer_.get());
  }

  size_t Read(Chunk& out, size_t max_rows) override {
    const size_t first_row = out.NumRows();
    row_splits_.clear();
    deleted_rows_.clear();
    size_t rows = 0;
    bool consumed_any = false;
    while (rows < max_rows) {
      const size_t want = std::min(max_rows - rows, messages_.size());
      const ssize_t count = rd_kafka_consume_batch_queue(queue_, 0, messages_.data(), want);
      if (count <= 0) {
        break;
      }
      consumed_any = true;
      std::lock_guard lock(mutex_);
      for (ssize_t i = 0; i < count; ++i) {
        rd_kafka_message_t* message = messages_[static_cast<size_t>(i)];
        rows += HandleMessage(*message, out);
        rd_kafka_message_destroy(message);
      }
    }
    idle_ = !consumed_any;
    if (rows > 0) {
      out.SetNumRows(first_row + rows);
      for (size_t row : deleted_rows_) {
        out.MutableOps()[first_row + row] = Op::kDelete;
      }
    }
    return rows;
  }

  bool Exhausted() const override { return false; }

  const std::vector<int32_t>* RowSplits() const override { return &row_splits_; }
  std::vector<int32_t> AssignedSplits() const override {
    std::lock_guard lock(mutex_);
    return std::vector<int32_t>(assigned_.begin(), assigned_.end());
  }
  SourceHealth Health() const override {
    std::lock_guard lock(mutex_);
    return health_;
  }
  int64_t SplitIdleTimeoutMicros() const override { return config_.idle_timeout_micros; }

  int64_t MicrosUntilReady() const override { return idle_ ? kIdleBackoffMicros : 0; }

  std::string SavePosition() const override {
    Serializer out;
    out.WriteU8(kPositionTag);
    out.WriteU8(kPositionVersion);
    out.WriteU32(shard_);
    out.WriteU32(shard_count_);
    std::lock_guard lock(mutex_);
    out.WriteU32(static_cast<uint32_t>(next_offsets_.size()));
    for (const auto& [partition, offset] : next_offsets_) {
      out.WriteI32(partition);
      out.WriteI64(offset);
    }
    return std::move(out).Finish();
  }

  void RestorePosition(std::string_view position) override {
    Deserializer in(position);
    if (in.ReadU8() != kPositionTag || in.ReadU8() != kPositionVersion) {
      throw Error(SqlState::kDataCorrupted, "corrupt kafka source position");
    }
    const uint32_t shard = in.ReadU32();
    const uint32_t shard_count = in.ReadU32();
    if (shard != shard_ || shard_count != shard_count_) {
      throw Error(SqlState::kDataCorrupted,
                  fmt::format("kafka source position of shard {} of {} given to shard {} of {}",
                              shard, shard_count, shard_, shard_count_));
    }
    std::map<int32_t, int64_t> offsets;
    const uint32_t count = in.ReadU32();
    for (uint32_t i = 0; i < count; ++i) {
      const int32_t partition = in.ReadI32();
      offsets[partition] = in.ReadI64();
    }
    if (!in.AtEnd()) {
      throw Error(SqlState::kDataCorrupted, "corrupt kafka source position");
    }
    // Start over: drop the assignment (and with it every prefetched message) and let the
    // assigner assign again, restored offsets first.
    std::lock_guard lock(mutex_);
    rd_kafka_assign(consumer_.get(), nullptr);
    restored_offsets_ = offsets;
    next_offsets_ = std::move(offsets);
    assigned_.clear();
    refresh_now_ = true;
    wake_.notify_all();
  }

  uint64_t ErrorCount() const override { return error_count_.load(std::memory_order_relaxed); }

  void TakeErrors(std::vector<SourceError>& out) override {
    std::lock_guard lock(mutex_);
    for (SourceError& error : errors_) {
      out.push_back(std::move(error));
    }
    errors_.clear();
  }

 private:
  /// Decodes one message into `out` and advances its partition; returns the rows appended (0 or
  /// 1). Called with mutex_ held.
  size_t HandleMessage(const rd_kafka_message_t& message, Chunk& out) {
    if (message.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      // Fetch errors (a broker going away, offsets out of range) are retried or reset by
      // librdkafka itself; the reader keeps polling.
      return 0;
    }
    // A message of a partition no longer assigned (a restore happened) is stale.
    if (!assigned_.contains(message.partition)) {
      return 0;
    }
    next_offsets_[message.partition] = message.offset + 1;
    const std::string_view payload(static_cast<const char*>(message.payload),
                                   message.payload == nullptr ? 0 : message.len);
    if (config_.format.upsert) {
      if (!DecodeUpsert(message, payload, out)) {
        return 0;
      }
    } else {
      const DecodeStatus status = decoder_.Decode(payload, out);
      if (status == DecodeStatus::kSkipped) {
        return 0;
      }
      if (status == DecodeStatus::kError) {
        RecordError(message, payload, decoder_.LastError());
        return 0;
      }
    }
    for (const IncludedColumn& included : config_.included) {
      AppendMetadata(included, message, out.MutableColumn(included.column));
    }
    row_splits_.push_back(message.partition);
    return 1;
  }

  /// FORMAT UPSERT: the key gives the primary-key columns (decoded, or raw as an INCLUDE key
  /// column). A message with a value inserts the row (replacing the key's row, if any); one without
  /// (a tombstone; an empty value counts as one) deletes the key's row, with NULL in the other
  /// columns. False when the message is skipped.
  bool DecodeUpsert(const rd_kafka_message_t& message, std::string_view payload, Chunk& out) {
    if (message.key == nullptr) {
      RecordError(message, payload, "message has no key");
      return false;
    }
    const std::string_view key(static_cast<const char*>(message.key), message.key_len);
    if (key_decoder_ && key_decoder_->Parse(key) != DecodeStatus::kRow) {
      RecordError(message, key, "message key: " + key_decoder_->LastError());
      return false;
    }
    if (payload.empty()) {
      decoder_.AppendNulls(out);
      deleted_rows_.push_back(row_splits_.size());
    } else if (decoder_.Parse(payload) == DecodeStatus::kRow) {
      decoder_.Append(out);
    } else {
      RecordError(message, payload, decoder_.LastError());
      return false;
    }
    if (key_decoder_) {
      key_decoder_->Append(out);
    }
    return true;
  }

  void AppendMetadata(const IncludedColumn& included,
                      const rd_kafka_message_t& message,
                      Column& column) {
    const DataType& type = config_.column_types[included.column];
    switch (included.metadata) {
      case MessageMetadata::kPartition:
        if (type.id == TypeId::kInteger) {
          column.Append<int32_t>(message.partition);
        } else if (type.id == TypeId::kBigint) {
          column.Append<int64_t>(message.partition);
        } else {
          column.AppendString(std::to_string(message.partition));
        }
        return;
      case MessageMetadata::kOffset:
        if (type.id == TypeId::kBigint) {
          column.Append<int64_t>(message.offset);
        } else {
          column.AppendString(std::to_string(message.offset));
        }
        return;
      case MessageMetadata::kTimestamp: {
        rd_kafka_timestamp_type_t timestamp_type;
        const int64_t millis = rd_kafka_message_timestamp(&message, &timestamp_type);
        if (millis < 0) {
          column.AppendNull();
        } else {
          column.Append<int64_t>(millis * calendar::kMicrosPerMillisecond);
        }
        return;
      }
      case MessageMetadata::kKey:
        if (message.key == nullptr) {
          column.AppendNull();
        } else {
          column.AppendString(
              std::string_view(static_cast<const char*>(message.key), message.key_len));
        }
        return;
    }
  }

  void RecordError(const rd_kafka_message_t& message,
                   std::string_view payload,
                   const std::string& error) {
    error_count_.fetch_add(1, std::memory_order_relaxed);
    if (errors_.size() >= kMaxQueuedErrors) {
      errors_.erase(errors_.begin());
    }
    errors_.push_back(SourceError{config_.source_name, message.partition, message.offset, error,
                                  std::string(payload.substr(0, kSourceErrorPayloadPrefix))});
  }

  /// The background thread: looks up the topic's partitions now and then and assigns the new
  /// ones of this shard.
  void AssignLoop() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      lock.unlock();
      const std::optional<int32_t> partitions = PartitionCount();
      lock.lock();
      if (stopping_) {
        break;
      }
      UpdateHealthLocked(partitions.has_value());
      if (partitions) {
        std::vector<int32_t> fresh;
        for (int32_t partition = 0; partition < *partitions; ++partition) {
          if (static_cast<uint32_t>(partition) % shard_count_ == shard_ &&
              !assigned_.contains(partition)) {
            fresh.push_back(partition);
          }
        }
        if (!fresh.empty()) {
          AssignLocked(fresh, lock);
        }
        first_lookup_done_ = true;
      }
      const auto interval = partitions ? kMetadataRefreshInterval : kMetadataRetryInterval;
      wake_.wait_for(lock, interval, [this] { return stopping_ || refresh_now_; });
      refresh_now_ = false;
    }
  }

  /// Resolves the start offsets of `partitions` and assigns them. Called with `lock` held; lets
  /// go of it while asking the broker.
  void AssignLocked(const std::vector<int32_t>& partitions, std::unique_lock<std::mutex>& lock) {
    const std::map<int32_t, int64_t> restored = restored_offsets_;
    // Partitions there when the reader started follow the startup mode; partitions added later
    // are read from their beginning, since every message in them is new.
    const bool initial = !first_lookup_done_;
    lock.unlock();
    PartitionList list(rd_kafka_topic_partition_list_new(static_cast<int>(partitions.size())));
    for (const int32_t partition : partitions) {
      rd_kafka_topic_partition_t* entry =
          rd_kafka_topic_partition_list_add(list.get(), config_.topic.c_str(), partition);
      if (const auto found = restored.find(partition); found != restored.end()) {
        entry->offset = found->second;
      } else if (!initial || config_.startup_mode == StartupMode::kEarliest) {
        entry->offset = RD_KAFKA_OFFSET_BEGINNING;
      } else {
        entry->offset = config_.startup_mode == StartupMode::kLatest
                            ? RD_KAFKA_OFFSET_END
                            : config_.startup_timestamp_millis;
      }
    }
    ResolveOffsets(*list, restored, initial);
    lock.lock();
    if (stopping_ || restored != restored_offsets_) {
      return;  // a restore came in meanwhile; the next round assigns again
    }
    if (rd_kafka_error_t* error = rd_kafka_incremental_assign(consumer_.get(), list.get())) {
      rd_kafka_error_destroy(error);
      return;  // retried at the next refresh
    }
    for (int i = 0; i < list->cnt; ++i) {
      const rd_kafka_topic_partition_t& entry = list->elems[i];
      assigned_.insert(entry.partition);
      if (entry.offset >= 0 && !next_offsets_.contains(entry.partition)) {
        next_offsets_[entry.partition] = entry.offset;
      }
    }
  }

  /// Turns `latest` and timestamps into concrete offsets, so that a position saved before the
  /// first message of a partition still says where reading started.
  void ResolveOffsets(rd_kafka_topic_partition_list_t& list,
                      const std::map<int32_t, int64_t>& restored,
                      bool initial) {
    if (!initial || config_.startup_mode == StartupMode::kEarliest) {
      return;
    }
    if (config_.startup_mode == StartupMode::kTimestamp) {
      PartitionList query(rd_kafka_topic_partition_list_copy(&list));
      const bool answered =
          rd_kafka_offsets_for_times(consumer_.get(), query.get(), kRequestTimeoutMs) ==
          RD_KAFKA_RESP_ERR_NO_ERROR;
      for (int i = 0; i < list.cnt; ++i) {
        if (!restored.contains(list.elems[i].partition)) {
          // -1: no message at or after the time (or a broker that cannot tell, like librdkafka's
          // mock): start at the end.
          list.elems[i].offset = answered && query->elems[i].offset >= 0 ? query->elems[i].offset
                                                                         : RD_KAFKA_OFFSET_END;
        }
      }
    }
    for (int i = 0; i < list.cnt; ++i) {
      rd_kafka_topic_partition_t& entry = list.elems[i];
      if (entry.offset != RD_KAFKA_OFFSET_END || restored.contains(entry.partition)) {
        continue;
      }
      int64_t low = 0;
      int64_t high = 0;
      if (rd_kafka_query_watermark_offsets(consumer_.get(), config_.topic.c_str(), entry.partition,
                                           &low, &high,
                                           kRequestTimeoutMs) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        entry.offset = high;
      }
    }
  }

  /// The topic's partition count, or nothing when the broker did not answer or the topic does
  /// not exist (yet).
  /// Records whether the broker answered and how many messages of the assigned partitions are
  /// not read yet (from the high watermarks librdkafka's fetches cached). Called with mutex_ held.
  void UpdateHealthLocked(bool broker_answered) {
    int64_t lag = 0;
    for (const int32_t partition : assigned_) {
      int64_t low = 0;
      int64_t high = 0;
      if (rd_kafka_get_watermark_offsets(consumer_.get(), config_.topic.c_str(), partition, &low,
                                         &high) != RD_KAFKA_RESP_ERR_NO_ERROR ||
          high < 0) {
        continue;
      }
      const auto next = next_offsets_.find(partition);
      const int64_t read_to = next != next_offsets_.end() ? next->second : low;
      lag += std::max<int64_t>(0, high - std::max(read_to, low));
    }
    health_.lag = lag;
    health_.state = broker_answered
                        ? "running"
                        : fmt::format("broker unreachable: no answer from {} (retrying)",
                                      config_.bootstrap_servers);
  }

  std::optional<int32_t> PartitionCount() {
    rd_kafka_topic_t* topic = rd_kafka_topic_new(consumer_.get(), config_.topic.c_str(), nullptr);
    const rd_kafka_metadata_t* metadata = nullptr;
    const rd_kafka_resp_err_t result =
        rd_kafka_metadata(consumer_.get(), 0, topic, &metadata, kRequestTimeoutMs);
    std::optional<int32_t> count;
    if (result == RD_KAFKA_RESP_ERR_NO_ERROR && metadata->topic_cnt == 1 &&
        metadata->topics[0].err == RD_KAFKA_RESP_ERR_NO_ERROR &&
        metadata->topics[0].partition_cnt > 0) {
      count = metadata->topics[0].partition_cnt;
    }
    if (metadata != nullptr) {
      rd_kafka_metadata_destroy(metadata);
    }
    rd_kafka_topic_destroy(topic);
    return count;
  }

  const KafkaConfig config_;
  const uint32_t shard_;
  const uint32_t shard_count_;
  MessageDecoder decoder_;
  /// FORMAT UPSERT: decodes the primary key from each message's key (null when the key is an
  /// INCLUDE key column, taken raw).
  std::unique_ptr<MessageDecoder> key_decoder_;
  KafkaHandle consumer_;
  rd_kafka_queue_t* queue_ = nullptr;
  std::vector<rd_kafka_message_t*> messages_;
  bool idle_ = false;
  /// The partition of each row the last Read appended, and (FORMAT UPSERT) which of those rows
  /// delete their key, counted from the first row Read appended.
  std::vector<int32_t> row_splits_;
  std::vector<size_t> deleted_rows_;
  std::atomic<uint64_t> error_count_{0};

  /// Guards everything below; shared with the assigner thread.
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool refresh_now_ = false;
  bool first_lookup_done_ = false;
  std::set<int32_t> assigned_;
  /// The next offset to read of each partition read or assigned at a concrete offset.
  std::map<int32_t, int64_t> next_offsets_;
  std::map<int32_t, int64_t> restored_offsets_;
  std::vector<SourceError> errors_;
  SourceHealth health_;
  std::thread assigner_;
};

}  // namespace

void ValidateKafkaSource(const SourceSpec& spec) {
  const KafkaConfig config = ParseKafkaSpec(spec);
  ConnectKafkaProducer(MakeConf(config, false), config.bootstrap_servers);
}

std::unique_ptr<SourceReader> CreateKafkaReader(const SourceSpec& spec,
                                                uint32_t shard,
                                                uint32_t shard_count) {
  return std::make_unique<KafkaReader>(ParseKafkaSpec(spec), shard, shard_count);
}

}  // namespace freshet::connectors
