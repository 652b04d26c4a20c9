// SPDX-License-Identifier: Apache-2.0
#include "connectors/kafka_reader.h"

#include <algorithm>
#include <chrono>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "common/column.h"
#include "connectors/source_reader.h"
#include "connectors/tests/read_rows.h"

namespace freshet::connectors {
namespace {

using testing::AppendRowsAsText;
using testing::ErrorOf;

/// An in-process librdkafka mock cluster with a producer for it.
class MockKafka {
 public:
  MockKafka() {
    char error[512];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "log_level", "3", error, sizeof(error));
    host_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof(error));
    cluster_ = rd_kafka_mock_cluster_new(host_, 1);
    bootstrap_ = rd_kafka_mock_cluster_bootstraps(cluster_);
    conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap_.c_str(), error, sizeof(error));
    rd_kafka_conf_set(conf, "linger.ms", "1", error, sizeof(error));
    producer_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof(error));
  }
  ~MockKafka() {
    rd_kafka_destroy(producer_);
    rd_kafka_mock_cluster_destroy(cluster_);
    rd_kafka_destroy(host_);
  }

  const std::string& Bootstrap() const { return bootstrap_; }
  void CreateTopic(const std::string& topic, int partitions) {
    ASSERT_EQ(rd_kafka_mock_topic_create(cluster_, topic.c_str(), partitions, 1),
              RD_KAFKA_RESP_ERR_NO_ERROR);
  }
  void Produce(const std::string& topic,
               int32_t partition,
               const std::string& payload,
               const std::string& key = "",
               int64_t timestamp_millis = 0) {
    const rd_kafka_resp_err_t result = rd_kafka_producev(
        producer_, RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_PARTITION(partition),
        RD_KAFKA_V_VALUE(const_cast<char*>(payload.data()), payload.size()),
        RD_KAFKA_V_KEY(key.empty() ? nullptr : const_cast<char*>(key.data()), key.size()),
        RD_KAFKA_V_TIMESTAMP(timestamp_millis), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
        RD_KAFKA_V_END);
    ASSERT_EQ(result, RD_KAFKA_RESP_ERR_NO_ERROR);
  }
  void SetTopicError(const std::string& topic, rd_kafka_resp_err_t error) {
    rd_kafka_mock_topic_set_error(cluster_, topic.c_str(), error);
  }
  void Flush() { ASSERT_EQ(rd_kafka_flush(producer_, 10000), RD_KAFKA_RESP_ERR_NO_ERROR); }
  /// Takes the (only) broker down or brings it back.
  void SetBrokerUp(bool up) {
    if (up) {
      rd_kafka_mock_broker_set_up(cluster_, 1);
    } else {
      rd_kafka_mock_broker_set_down(cluster_, 1);
    }
  }

 private:
  rd_kafka_t* host_ = nullptr;
  rd_kafka_mock_cluster_t* cluster_ = nullptr;
  rd_kafka_t* producer_ = nullptr;
  std::string bootstrap_;
};

SourceSpec KafkaSpec(const MockKafka& kafka,
                     const std::string& topic,
                     ConnectorOptions extra = {},
                     bool with_metadata = false) {
  ConnectorOptions options = {
      {"connector", "kafka"}, {"topic", topic}, {"properties.bootstrap.server", kafka.Bootstrap()}};
  options.insert(options.end(), extra.begin(), extra.end());
  std::vector<std::pair<std::string, DataType>> columns = {{"id", DataType::Bigint()},
                                                           {"name", DataType::Text()}};
  if (with_metadata) {
    columns.push_back({"_partition", DataType::Integer()});
    columns.push_back({"_offset", DataType::Bigint()});
    columns.push_back({"_ts", DataType(TypeId::kTimestamptz)});
    columns.push_back({"_key", DataType::Text()});
  }
  SourceSpec spec = testing::MakeSpec(options, columns);
  spec.format = "plain";
  spec.encode = "json";
  if (with_metadata) {
    spec.included_columns = {{MessageMetadata::kPartition, 2},
                             {MessageMetadata::kOffset, 3},
                             {MessageMetadata::kTimestamp, 4},
                             {MessageMetadata::kKey, 5}};
  }
  return spec;
}

/// Reads from `reader` until `count` rows arrived or `timeout` passed; `chunk_rows` per Read.
std::vector<std::string> ReadUntil(SourceReader& reader,
                                   const SourceSpec& spec,
                                   size_t count,
                                   std::chrono::milliseconds timeout = std::chrono::seconds(20),
                                   size_t chunk_rows = 64) {
  std::vector<std::string> rows;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (rows.size() < count && std::chrono::steady_clock::now() < deadline) {
    Chunk chunk(spec.column_types);
    const size_t read = reader.Read(chunk, std::min(chunk_rows, count - rows.size()));
    EXPECT_EQ(chunk.NumRows(), read);
    if (read == 0) {
      std::this_thread::sleep_for(std::chrono::microseconds(reader.MicrosUntilReady() + 100));
      continue;
    }
    AppendRowsAsText(chunk, rows);
  }
  return rows;
}

std::string Message(int id) {
  return fmt::format(R"({{"id": {}, "name": "n{}"}})", id, id);
}

TEST(KafkaReader, ShardsReadEveryMessageOnce) {
  MockKafka kafka;
  kafka.CreateTopic("bids", 5);
  std::vector<std::string> expected;
  for (int id = 0; id < 1000; ++id) {
    kafka.Produce("bids", id % 5, Message(id), "k" + std::to_string(id), 1'700'000'000'000 + id);
  }
  kafka.Flush();
  const SourceSpec spec = KafkaSpec(kafka, "bids", {}, /*with_metadata=*/true);
  std::vector<std::string> all;
  std::set<std::string> partition_offsets;
  for (uint32_t shard = 0; shard < 3; ++shard) {
    std::unique_ptr<SourceReader> reader = CreateSourceReader(spec, shard, 3);
    // Shard s owns partitions p with p % 3 == s: 2, 2 and 1 of the 5, 200 messages each.
    const size_t owned = shard == 2 ? 200 : 400;
    std::vector<std::string> rows = ReadUntil(*reader, spec, owned);
    ASSERT_EQ(rows.size(), owned);
    EXPECT_TRUE(ReadUntil(*reader, spec, 1, std::chrono::milliseconds(300)).empty());
    for (const std::string& row : rows) {
      // id|name|partition|offset|timestamp|key
      std::vector<std::string> fields;
      size_t start = 0;
      while (true) {
        const size_t bar = row.find('|', start);
        fields.push_back(row.substr(start, bar - start));
        if (bar == std::string::npos) {
          break;
        }
        start = bar + 1;
      }
      ASSERT_EQ(fields.size(), 6u);
      const int id = std::stoi(fields[0]);
      EXPECT_EQ(std::stoi(fields[2]) % 3, static_cast<int>(shard));
      EXPECT_EQ(std::stoi(fields[2]), id % 5);
      EXPECT_EQ(std::stoi(fields[3]), id / 5);
      EXPECT_EQ(fields[5], "k" + fields[0]);
      EXPECT_TRUE(fields[4].starts_with("2023-11-14 22:13:2")) << fields[4];
      all.push_back(fields[0] + "|" + fields[1]);
      partition_offsets.insert(fields[2] + "/" + fields[3]);
    }
  }
  std::vector<std::string> wanted;
  for (int id = 0; id < 1000; ++id) {
    wanted.push_back(fmt::format("{}|n{}", id, id));
  }
  std::sort(all.begin(), all.end());
  std::sort(wanted.begin(), wanted.end());
  EXPECT_EQ(all, wanted);
  EXPECT_EQ(partition_offsets.size(), 1000u);
}

TEST(KafkaReader, ALostBrokerIsShownAndReadingResumesWithoutLoss) {
  MockKafka kafka;
  kafka.CreateTopic("flaky", 2);
  for (int id = 0; id < 300; ++id) {
    kafka.Produce("flaky", id % 2, Message(id));
  }
  kafka.Flush();
  const SourceSpec spec = KafkaSpec(kafka, "flaky");
  std::unique_ptr<SourceReader> reader = CreateSourceReader(spec, 0, 1);
  std::vector<std::string> rows = ReadUntil(*reader, spec, 100, std::chrono::seconds(20), 10);
  ASSERT_EQ(rows.size(), 100u);
  kafka.SetBrokerUp(false);
  // The background thread's next metadata lookup fails and says so.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (reader->Health().state == "running" && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(reader->Health().state.starts_with("broker unreachable")) << reader->Health().state;
  kafka.SetBrokerUp(true);
  std::vector<std::string> rest = ReadUntil(*reader, spec, 200, std::chrono::seconds(30));
  rows.insert(rows.end(), rest.begin(), rest.end());
  EXPECT_EQ(std::set<std::string>(rows.begin(), rows.end()).size(), 300u);
  EXPECT_EQ(rows.size(), 300u);
  const auto recovered = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (reader->Health().state != "running" && std::chrono::steady_clock::now() < recovered) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(reader->Health().state, "running");
  EXPECT_EQ(reader->Health().lag, 0);
}

TEST(KafkaReader, RestoreContinuesExactly) {
  MockKafka kafka;
  kafka.CreateTopic("t", 3);
  for (int id = 0; id < 600; ++id) {
    kafka.Produce("t", id % 3, Message(id));
  }
  kafka.Flush();
  const SourceSpec spec = KafkaSpec(kafka, "t");
  std::vector<std::string> rows;
  std::string position;
  {
    std::unique_ptr<SourceReader> reader = CreateSourceReader(spec, 0, 1);
    rows = ReadUntil(*reader, spec, 250, std::chrono::seconds(20), 50);
    ASSERT_EQ(rows.size(), 250u);
    position = reader->SavePosition();
  }
  // More messages arrive while no reader runs.
  for (int id = 600; id < 700; ++id) {
    kafka.Produce("t", id % 3, Message(id));
  }
  kafka.Flush();
  std::unique_ptr<SourceReader> reader = CreateSourceReader(spec, 0, 1);
  reader->RestorePosition(position);
  std::vector<std::string> rest = ReadUntil(*reader, spec, 450);
  EXPECT_EQ(rest.size(), 450u);
  EXPECT_TRUE(ReadUntil(*reader, spec, 1, std::chrono::milliseconds(300)).empty());
  rows.insert(rows.end(), rest.begin(), rest.end());
  std::set<std::string> distinct(rows.begin(), rows.end());
  EXPECT_EQ(distinct.size(), 700u);

  // Positions are checked.
  EXPECT_TRUE(ErrorOf([&] { reader->RestorePosition("junk"); }).starts_with("XX001"));
  std::unique_ptr<SourceReader> other_shard = CreateSourceReader(spec, 1, 2);
  EXPECT_TRUE(ErrorOf([&] { other_shard->RestorePosition(position); }).starts_with("XX001"));
}

TEST(KafkaReader, MalformedMessagesAreCountedAndSkipped) {
  MockKafka kafka;
  kafka.CreateTopic("bad", 2);
  const std::string long_garbage = "{" + std::string(1000, 'x');
  for (int id = 0; id < 100; ++id) {
    kafka.Produce("bad", id % 2, Message(id));
    if (id % 10 == 0) {
      kafka.Produce("bad", id % 2, id % 20 == 0 ? long_garbage : R"({"id": "not a number"})");
    }
  }
  kafka.Flush();
  const SourceSpec spec = KafkaSpec(kafka, "bad");
  std::unique_ptr<SourceReader> reader = CreateSourceReader(spec, 0, 1);
  std::vector<std::string> rows = ReadUntil(*reader, spec, 100);
  EXPECT_EQ(rows.size(), 100u);
  EXPECT_TRUE(ReadUntil(*reader, spec, 1, std::chrono::milliseconds(300)).empty());
  EXPECT_EQ(reader->ErrorCount(), 10u);
  std::vector<SourceError> errors;
  reader->TakeErrors(errors);
  ASSERT_EQ(errors.size(), 10u);
  size_t truncated = 0;
  for (const SourceError& error : errors) {
    EXPECT_EQ(error.source_name, "src");
    EXPECT_GE(error.partition, 0);
    EXPECT_GE(error.offset, 0);
    EXPECT_FALSE(error.message.empty());
    EXPECT_LE(error.payload_prefix.size(), kSourceErrorPayloadPrefix);
    truncated += error.payload_prefix.size() == kSourceErrorPayloadPrefix ? 1 : 0;
  }
  EXPECT_EQ(truncated, 5u);
  errors.clear();
  reader->TakeErrors(errors);
  EXPECT_TRUE(errors.empty());
}

TEST(KafkaReader, StartupModes) {
  MockKafka kafka;
  kafka.CreateTopic("modes", 2);
  for (int id = 0; id < 10; ++id) {
    kafka.Produce("modes", id % 2, Message(id));
  }
  kafka.Flush();
  const SourceSpec earliest = KafkaSpec(kafka, "modes", {{"scan.startup.mode", "earliest"}});
  std::unique_ptr<SourceReader> from_start = CreateSourceReader(earliest, 0, 1);
  EXPECT_EQ(ReadUntil(*from_start, earliest, 10).size(), 10u);

  const SourceSpec latest = KafkaSpec(kafka, "modes", {{"scan.startup.mode", "LATEST"}});
  std::unique_ptr<SourceReader> from_end = CreateSourceReader(latest, 0, 1);
  // Let it resolve the end offsets before more messages arrive.
  EXPECT_TRUE(ReadUntil(*from_end, latest, 1, std::chrono::milliseconds(1000)).empty());
  const std::string position = from_end->SavePosition();
  for (int id = 10; id < 15; ++id) {
    kafka.Produce("modes", id % 2, Message(id));
  }
  kafka.Flush();
  std::vector<std::string> rows = ReadUntil(*from_end, latest, 5);
  std::sort(rows.begin(), rows.end());
  EXPECT_EQ(rows, (std::vector<std::string>{"10|n10", "11|n11", "12|n12", "13|n13", "14|n14"}));
  // The position saved before any message names the resolved end, so a restore reads the same.
  std::unique_ptr<SourceReader> restored = CreateSourceReader(latest, 0, 1);
  restored->RestorePosition(position);
  EXPECT_EQ(ReadUntil(*restored, latest, 5).size(), 5u);

  // librdkafka's mock answers no offset for a timestamp, so the reader starts at the end.
  const SourceSpec by_time = KafkaSpec(kafka, "modes", {{"scan.startup.timestamp.millis", "1"}});
  std::unique_ptr<SourceReader> from_time = CreateSourceReader(by_time, 0, 1);
  EXPECT_TRUE(ReadUntil(*from_time, by_time, 1, std::chrono::milliseconds(1000)).empty());
  kafka.Produce("modes", 0, Message(99));
  kafka.Flush();
  EXPECT_EQ(ReadUntil(*from_time, by_time, 1), std::vector<std::string>{"99|n99"});
}

TEST(KafkaReader, PicksUpPartitionsThatAppearLater) {
  MockKafka kafka;
  kafka.CreateTopic("later", 3);
  for (int id = 0; id < 30; ++id) {
    kafka.Produce("later", id % 3, Message(id));
  }
  kafka.Flush();
  // librdkafka 2.0.2's mock can neither add partitions to a topic nor keep a consumer's metadata
  // request from creating one, so the topic is hidden behind an error until the reader runs: to
  // the reader its partitions appear later, the same path as partitions added later.
  kafka.SetTopicError("later", RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART);
  const SourceSpec spec = KafkaSpec(kafka, "later");
  std::unique_ptr<SourceReader> reader = CreateSourceReader(spec, 0, 1);
  EXPECT_TRUE(ReadUntil(*reader, spec, 1, std::chrono::milliseconds(500)).empty());
  EXPECT_GT(reader->MicrosUntilReady(), 0);
  kafka.SetTopicError("later", RD_KAFKA_RESP_ERR_NO_ERROR);
  EXPECT_EQ(ReadUntil(*reader, spec, 30).size(), 30u);
}

TEST(KafkaReader, Validation) {
  MockKafka kafka;
  kafka.CreateTopic("v", 1);
  EXPECT_EQ(ErrorOf([&] { ValidateSource(KafkaSpec(kafka, "v")); }), "no error");
  SourceSpec no_topic = KafkaSpec(kafka, "v");
  no_topic.options.erase(no_topic.options.begin() + 1);
  EXPECT_EQ(ErrorOf([&] { ValidateSource(no_topic); }), "22023: option \"topic\" is required");
  EXPECT_TRUE(ErrorOf([&] {
                ValidateSource(KafkaSpec(kafka, "v", {{"scan.startup.mode", "middle"}}));
              }).starts_with("22023:"));
  EXPECT_TRUE(ErrorOf([&] {
                ValidateSource(KafkaSpec(kafka, "v", {{"properties.no.such.thing", "1"}}));
              }).starts_with("22023:"));
  EXPECT_TRUE(ErrorOf([&] {
                ValidateSource(KafkaSpec(kafka, "v", {{"unknown.option", "1"}}));
              }).starts_with("22023:"));
  SourceSpec bad_include = KafkaSpec(kafka, "v", {}, true);
  bad_include.column_types[4] = DataType::Boolean();
  EXPECT_TRUE(ErrorOf([&] { ValidateSource(bad_include); }).starts_with("42804:"));
  SourceSpec bad_encode = KafkaSpec(kafka, "v");
  bad_encode.encode = "avro";
  EXPECT_TRUE(ErrorOf([&] { ValidateSource(bad_encode); }).starts_with("22023:"));
  SourceSpec unreachable = KafkaSpec(kafka, "v");
  unreachable.options[2].second = "127.0.0.1:1";
  EXPECT_EQ(ErrorOf([&] { ValidateSource(unreachable); }),
            "08001: could not connect to Kafka broker 127.0.0.1:1");
}

}  // namespace
}  // namespace freshet::connectors
