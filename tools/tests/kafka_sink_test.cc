// SPDX-License-Identifier: Apache-2.0
// The kafka sink writer against the dev broker (read back with kcat and a librdkafka consumer)
// and against an in-process mock cluster with injected errors.
#include <algorithm>
#include <chrono>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "common/column.h"
#include "common/data_type.h"
#include "common/error.h"
#include "common/value.h"
#include "connectors/sink_writer.h"
#include "tools/testing/kafka_dev_broker.h"

namespace freshet::tools::testing {
namespace {

using connectors::ConnectorOptions;
using connectors::SinkSpec;
using connectors::SinkWriter;

/// A sink over (id BIGINT, name TEXT) keyed by id.
SinkSpec MakeSpec(const std::string& bootstrap,
                  const std::string& topic,
                  const std::string& format,
                  ConnectorOptions extra = {}) {
  SinkSpec spec;
  spec.sink_name = "out_" + topic;
  spec.options = {
      {"connector", "kafka"}, {"topic", topic}, {"properties.bootstrap.server", bootstrap}};
  spec.options.insert(spec.options.end(), extra.begin(), extra.end());
  spec.format = format;
  spec.encode = "json";
  spec.column_names = {"id", "name"};
  spec.column_types = {DataType::Bigint(), DataType::Text()};
  spec.key_columns = {0};
  return spec;
}

Chunk Changes(const std::vector<std::pair<Op, std::pair<int64_t, std::string>>>& rows) {
  Chunk chunk({DataType::Bigint(), DataType::Text()});
  for (const auto& [op, row] : rows) {
    chunk.AppendRow({Value::Bigint(row.first), Value::Text(row.second)}, op);
  }
  return chunk;
}

/// The messages of `topic` as "key|value" lines (NULL for a missing part), read with kcat.
std::vector<std::string> ReadWithKcat(const std::string& bootstrap,
                                      const std::string& topic,
                                      bool read_committed = false) {
  std::vector<std::string> argv = {"kcat",      "-C", "-b", bootstrap, "-t", topic,    "-o",
                                   "beginning", "-e", "-q", "-Z",      "-f", "%k|%s\n"};
  if (read_committed) {
    argv.insert(argv.end(), {"-X", "isolation.level=read_committed"});
  }
  const CommandResult result = RunCommand(argv, "");
  EXPECT_EQ(result.exit_status, 0);
  return result.Lines();
}

/// The messages of partition 0 of `topic` as "key|value" lines, read with a librdkafka consumer.
std::vector<std::string> ReadWithConsumer(const std::string& bootstrap,
                                          const std::string& topic,
                                          size_t expected) {
  char error[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.c_str(), error, sizeof(error));
  rd_kafka_conf_set(conf, "group.id", "sink-test", error, sizeof(error));
  rd_kafka_t* consumer = rd_kafka_new(RD_KAFKA_CONSUMER, conf, error, sizeof(error));
  EXPECT_NE(consumer, nullptr) << error;
  rd_kafka_topic_partition_list_t* partitions = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(partitions, topic.c_str(), 0)->offset =
      RD_KAFKA_OFFSET_BEGINNING;
  rd_kafka_assign(consumer, partitions);
  rd_kafka_topic_partition_list_destroy(partitions);
  std::vector<std::string> lines;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (lines.size() < expected && std::chrono::steady_clock::now() < deadline) {
    rd_kafka_message_t* message = rd_kafka_consumer_poll(consumer, 100);
    if (message == nullptr) {
      continue;
    }
    if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      const std::string key =
          message->key == nullptr
              ? "NULL"
              : std::string(static_cast<const char*>(message->key), message->key_len);
      const std::string value =
          message->payload == nullptr
              ? "NULL"
              : std::string(static_cast<const char*>(message->payload), message->len);
      lines.push_back(key + "|" + value);
    }
    rd_kafka_message_destroy(message);
  }
  rd_kafka_consumer_close(consumer);
  rd_kafka_destroy(consumer);
  return lines;
}

/// One broker for the tests of this file.
class KafkaSinkTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { broker_ = new KafkaDevBroker(/*partitions=*/1); }
  static void TearDownTestSuite() {
    delete broker_;
    broker_ = nullptr;
  }
  const std::string& Bootstrap() const { return broker_->BootstrapServers(); }

  static KafkaDevBroker* broker_;
};
KafkaDevBroker* KafkaSinkTest::broker_ = nullptr;

const Chunk& History() {
  static const Chunk chunk = Changes({{Op::kInsert, {1, "a"}},
                                      {Op::kInsert, {2, "b"}},
                                      {Op::kUpdateDelete, {1, "a"}},
                                      {Op::kUpdateInsert, {1, "c"}},
                                      {Op::kDelete, {2, "b"}}});
  return chunk;
}

TEST_F(KafkaSinkTest, PlainForceAppendOnly) {
  const SinkSpec spec =
      MakeSpec(Bootstrap(), "plain_out", "plain", {{"force_append_only", "true"}});
  connectors::ValidateSink(spec);
  std::unique_ptr<SinkWriter> writer = connectors::CreateSinkWriter(spec);
  writer->BeginEpoch(1);
  writer->Write(History());
  writer->CommitEpoch(1);
  EXPECT_EQ(writer->DeliveredCount(), 3u);
  // The delete and the old row of the update are dropped; the new row is kept.
  const std::vector<std::string> expected = {
      R"(NULL|{"id":1,"name":"a"})", R"(NULL|{"id":2,"name":"b"})", R"(NULL|{"id":1,"name":"c"})"};
  EXPECT_EQ(ReadWithKcat(Bootstrap(), "plain_out"), expected);
  EXPECT_EQ(ReadWithConsumer(Bootstrap(), "plain_out", expected.size()), expected);
}

TEST_F(KafkaSinkTest, Upsert) {
  const SinkSpec spec = MakeSpec(Bootstrap(), "upsert_out", "upsert");
  connectors::ValidateSink(spec);
  std::unique_ptr<SinkWriter> writer = connectors::CreateSinkWriter(spec);
  writer->Write(History());
  writer->CommitEpoch(1);
  const std::vector<std::string> expected = {R"({"id":1}|{"id":1,"name":"a"})",
                                             R"({"id":2}|{"id":2,"name":"b"})",
                                             R"({"id":1}|{"id":1,"name":"c"})", R"({"id":2}|NULL)"};
  EXPECT_EQ(ReadWithKcat(Bootstrap(), "upsert_out"), expected);
  EXPECT_EQ(ReadWithConsumer(Bootstrap(), "upsert_out", expected.size()), expected);
}

TEST_F(KafkaSinkTest, Debezium) {
  const SinkSpec spec = MakeSpec(Bootstrap(), "debezium_out", "debezium");
  connectors::ValidateSink(spec);
  std::unique_ptr<SinkWriter> writer = connectors::CreateSinkWriter(spec);
  writer->Write(History());
  writer->Flush(std::chrono::seconds(10));
  std::vector<std::string> lines = ReadWithKcat(Bootstrap(), "debezium_out");
  ASSERT_EQ(lines.size(), 5u);
  // ts_ms is the wall clock: blank it out.
  for (std::string& line : lines) {
    const size_t ts = line.find("\"ts_ms\":");
    if (ts != std::string::npos) {
      line.replace(ts, line.find('}', ts) - ts, "\"ts_ms\":T");
    }
  }
  EXPECT_EQ(
      lines,
      (std::vector<std::string>{
          R"({"id":1}|{"before":null,"after":{"id":1,"name":"a"},"op":"c","ts_ms":T})",
          R"({"id":2}|{"before":null,"after":{"id":2,"name":"b"},"op":"c","ts_ms":T})",
          R"({"id":1}|{"before":{"id":1,"name":"a"},"after":{"id":1,"name":"c"},"op":"u","ts_ms":T})",
          R"({"id":2}|{"before":{"id":2,"name":"b"},"after":null,"op":"d","ts_ms":T})",
          R"({"id":2}|NULL)"}));
  EXPECT_EQ(ReadWithConsumer(Bootstrap(), "debezium_out", 5).size(), 5u);
}

TEST_F(KafkaSinkTest, ManyMessagesAcrossEpochs) {
  const SinkSpec spec = MakeSpec(Bootstrap(), "many_out", "upsert");
  std::unique_ptr<SinkWriter> writer = connectors::CreateSinkWriter(spec);
  for (uint64_t epoch = 1; epoch <= 5; ++epoch) {
    writer->BeginEpoch(epoch);
    for (int c = 0; c < 10; ++c) {
      Chunk chunk({DataType::Bigint(), DataType::Text()});
      for (int64_t i = 0; i < 1000; ++i) {
        chunk.AppendRow({Value::Bigint(i), Value::Text("v" + std::to_string(epoch))});
      }
      writer->Write(chunk);
    }
    writer->CommitEpoch(epoch);
    EXPECT_EQ(writer->DeliveredCount(), epoch * 10000);
  }
  EXPECT_EQ(ReadWithKcat(Bootstrap(), "many_out").size(), 50000u);
}

TEST_F(KafkaSinkTest, TransactionalEpochs) {
  const SinkSpec spec =
      MakeSpec(Bootstrap(), "txn_out", "upsert", {{"sink.transactional", "true"}});
  connectors::ValidateSink(spec);  // registers a transactional producer on the broker
  std::unique_ptr<SinkWriter> writer = connectors::CreateSinkWriter(spec);
  writer->BeginEpoch(1);
  writer->Write(Changes({{Op::kInsert, {1, "committed-1"}}}));
  writer->CommitEpoch(1);
  writer->BeginEpoch(2);
  writer->Write(Changes({{Op::kInsert, {2, "aborted-2"}}}));
  writer->Flush(std::chrono::seconds(10));
  writer->AbortEpoch();
  writer->Write(Changes({{Op::kInsert, {3, "committed-3"}}}));  // begins epoch 3 by itself
  writer->CommitEpoch(3);
  writer->CommitEpoch(4);  // an epoch without writes commits nothing
  const std::vector<std::string> lines = ReadWithKcat(Bootstrap(), "txn_out", true);
  const auto seen = [&](const std::string& name) {
    return std::any_of(lines.begin(), lines.end(), [&](const std::string& line) {
      return line.find(name) != std::string::npos;
    });
  };
  EXPECT_TRUE(seen("committed-1"));
  EXPECT_TRUE(seen("committed-3"));
  // librdkafka 2.0.2's mock cluster accepts InitProducerId, AddPartitionsToTxn and EndTxn but
  // writes no transaction markers and no aborted-transaction list, so read_committed consumers
  // see aborted messages too (docs/kafka.md). A real broker hides them; when this starts to fail,
  // the broker learned isolation: turn it into EXPECT_FALSE.
  EXPECT_TRUE(seen("aborted-2")) << "the dev broker now hides aborted transactions";
}

TEST_F(KafkaSinkTest, RestartedTransactionalWriterTakesOver) {
  const SinkSpec spec =
      MakeSpec(Bootstrap(), "restart_out", "upsert", {{"sink.transactional", "true"}});
  std::unique_ptr<SinkWriter> first = connectors::CreateSinkWriter(spec);
  first->Write(Changes({{Op::kInsert, {1, "epoch-1"}}}));
  first->CommitEpoch(1);
  first->Write(Changes({{Op::kInsert, {2, "lost-epoch-2"}}}));
  first->Flush(std::chrono::seconds(10));
  first.reset();  // a crash in epoch 2: the destructor aborts the open transaction
  // The restarted sink registers the same transactional.id and writes epoch 2 again. (A real
  // broker would also fence off a still-running old producer; the 2.0.2 mock does not.)
  std::unique_ptr<SinkWriter> second = connectors::CreateSinkWriter(spec);
  second->BeginEpoch(2);
  second->Write(Changes({{Op::kInsert, {2, "epoch-2"}}}));
  second->CommitEpoch(2);
  const std::vector<std::string> lines = ReadWithKcat(Bootstrap(), "restart_out", true);
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines.front(), R"({"id":1}|{"id":1,"name":"epoch-1"})");
  EXPECT_EQ(lines.back(), R"({"id":2}|{"id":2,"name":"epoch-2"})");
}

TEST_F(KafkaSinkTest, RecoverFindsTheLastEpochOfItsInstance) {
  SinkSpec spec = MakeSpec(Bootstrap(), "recover_out", "upsert", {{"sink.transactional", "true"}});
  spec.instance_id = "instance-a";
  std::unique_ptr<SinkWriter> first = connectors::CreateSinkWriter(spec);
  // A new instance has nothing to look for.
  EXPECT_EQ(first->Recover(std::nullopt).committed_epoch, std::nullopt);
  const std::string start = first->Checkpoint();
  EXPECT_FALSE(start.empty());
  first->BeginEpoch(5);
  first->Write(Changes({{Op::kInsert, {1, "epoch-5"}}}));
  first->CommitEpoch(5);
  const std::string after_5 = first->Checkpoint();
  EXPECT_NE(after_5, start);
  first->BeginEpoch(7);
  first->Write(Changes({{Op::kInsert, {2, "epoch-7"}}, {Op::kInsert, {3, "epoch-7"}}}));
  first->CommitEpoch(7);
  const std::string after_7 = first->Checkpoint();
  first.reset();
  // Another instance (another shard, or a sink of the same name created again) writes later
  // epochs to the same topic: they are not this instance's.
  SinkSpec other_spec = spec;
  other_spec.instance_id = "instance-b";
  other_spec.shard = 1;
  std::unique_ptr<SinkWriter> other = connectors::CreateSinkWriter(other_spec);
  EXPECT_EQ(other->Recover(std::nullopt).committed_epoch, std::nullopt);
  other->BeginEpoch(9);
  other->Write(Changes({{Op::kInsert, {4, "epoch-9"}}}));
  other->CommitEpoch(9);
  other.reset();

  const auto recovered = [&](std::optional<std::string_view> checkpoint) {
    std::unique_ptr<SinkWriter> writer = connectors::CreateSinkWriter(spec);
    return writer->Recover(checkpoint).committed_epoch;
  };
  EXPECT_EQ(recovered(""), 7u);  // the whole topic
  EXPECT_EQ(recovered(start), 7u);
  EXPECT_EQ(recovered(after_5), 7u);
  EXPECT_EQ(recovered(after_7), std::nullopt);  // nothing committed after the checkpoint
  EXPECT_EQ(recovered("garbage"), 7u);          // an unreadable checkpoint: the whole topic
  // Each message says which epoch and instance wrote it.
  const CommandResult headers = RunCommand({"kcat", "-C", "-b", Bootstrap(), "-t", "recover_out",
                                            "-o", "beginning", "-e", "-q", "-f", "%h\n"},
                                           "");
  EXPECT_NE(headers.output.find("freshet-epoch=7,freshet-sink=instance-a"), std::string::npos)
      << headers.output;
  EXPECT_NE(headers.output.find("freshet-epoch=9,freshet-sink=instance-b"), std::string::npos)
      << headers.output;
}

TEST_F(KafkaSinkTest, RecoverSkipsAbortedTransactionsOnlyOnARealBroker) {
  SinkSpec spec =
      MakeSpec(Bootstrap(), "recover_abort_out", "upsert", {{"sink.transactional", "true"}});
  spec.instance_id = "instance-c";
  std::unique_ptr<SinkWriter> writer = connectors::CreateSinkWriter(spec);
  writer->Recover(std::nullopt);
  writer->BeginEpoch(3);
  writer->Write(Changes({{Op::kInsert, {1, "epoch-3"}}}));
  writer->CommitEpoch(3);
  writer->BeginEpoch(4);
  writer->Write(Changes({{Op::kInsert, {2, "aborted-4"}}}));
  writer->Flush(std::chrono::seconds(10));
  writer->AbortEpoch();
  writer.reset();
  std::unique_ptr<SinkWriter> next = connectors::CreateSinkWriter(spec);
  // A real broker hides the aborted epoch 4 from the read_committed recovery, which finds 3; the
  // 2.0.2 mock shows aborted messages (docs/kafka.md), so there it finds 4. When this starts to
  // fail, the dev broker learned isolation: expect 3.
  EXPECT_EQ(next->Recover("").committed_epoch, 4u) << "the dev broker now hides aborted messages";
}

TEST(KafkaSinkCancelTest, CancelStopsCallsWaitingForAnUnreachableBroker) {
  for (const bool transactional : {true, false}) {
    SCOPED_TRACE(transactional ? "transactional" : "at least once");
    SinkSpec spec = MakeSpec(
        "127.0.0.1:1", "t", "upsert",
        {{"properties.log_level", "0"}, {"sink.transactional", transactional ? "true" : "false"}});
    spec.instance_id = "instance-d";
    std::unique_ptr<SinkWriter> writer = connectors::CreateSinkWriter(spec);
    std::optional<Error> failure;
    std::thread caller([&] {
      try {
        writer->Recover("");
        writer->BeginEpoch(1);
        writer->Write(Changes({{Op::kInsert, {1, "x"}}}));
        writer->CommitEpoch(1);
      } catch (const Error& error) {
        failure = error;
      }
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    const auto cancelled = std::chrono::steady_clock::now();
    writer->Cancel();
    caller.join();
    EXPECT_LT(std::chrono::steady_clock::now() - cancelled, std::chrono::milliseconds(1000));
    ASSERT_TRUE(failure.has_value());
    EXPECT_EQ(failure->State(), SqlState::kQueryCanceled) << failure->Message();
    const auto destroyed = std::chrono::steady_clock::now();
    writer.reset();
    EXPECT_LT(std::chrono::steady_clock::now() - destroyed, std::chrono::milliseconds(2000));
  }
}

TEST_F(KafkaSinkTest, ValidateErrors) {
  try {
    connectors::ValidateSink(MakeSpec("127.0.0.1:1", "t", "upsert"));
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_EQ(error.State(), SqlState::kSqlclientUnableToEstablishSqlconnection);
    EXPECT_EQ(error.Message(), "could not connect to Kafka broker 127.0.0.1:1");
  }
  const auto state_of = [&](SinkSpec spec) {
    try {
      connectors::ValidateSink(spec);
    } catch (const Error& error) {
      return error.State();
    }
    return SqlState::kSuccessfulCompletion;
  };
  EXPECT_EQ(state_of(MakeSpec(Bootstrap(), "t", "upsert", {{"properties.linger.ms", "x"}})),
            SqlState::kInvalidParameterValue);
  EXPECT_EQ(state_of(MakeSpec(Bootstrap(), "t", "upsert", {{"bogus", "1"}})),
            SqlState::kInvalidParameterValue);
  EXPECT_EQ(
      state_of(MakeSpec(Bootstrap(), "t", "upsert", {{"properties.enable.idempotence", "false"}})),
      SqlState::kInvalidParameterValue);
  EXPECT_EQ(
      state_of(MakeSpec(Bootstrap(), "t", "upsert", {{"properties.transactional.id", "mine"}})),
      SqlState::kInvalidParameterValue);
  EXPECT_EQ(state_of(MakeSpec(Bootstrap(), "t", "upsert", {{"sink.transactional", "maybe"}})),
            SqlState::kInvalidParameterValue);
  EXPECT_EQ(state_of(MakeSpec(Bootstrap(), "t", "plain")), SqlState::kFeatureNotSupported);
  SinkSpec no_topic = MakeSpec(Bootstrap(), "t", "upsert");
  no_topic.options.erase(no_topic.options.begin() + 1);
  EXPECT_EQ(state_of(no_topic), SqlState::kInvalidParameterValue);
  SinkSpec other = MakeSpec(Bootstrap(), "t", "upsert");
  other.options[0].second = "jdbc";
  EXPECT_EQ(state_of(other), SqlState::kFeatureNotSupported);
  EXPECT_EQ(state_of(MakeSpec(Bootstrap(), "t", "upsert",
                              {{"properties.linger.ms", "1"}, {"sink.transactional", "false"}})),
            SqlState::kSuccessfulCompletion);
}

TEST_F(KafkaSinkTest, MessageTooLarge) {
  const SinkSpec spec =
      MakeSpec(Bootstrap(), "large_out", "upsert", {{"properties.message.max.bytes", "1000"}});
  std::unique_ptr<SinkWriter> writer = connectors::CreateSinkWriter(spec);
  try {
    writer->Write(Changes({{Op::kInsert, {1, std::string(5000, 'x')}}}));
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_EQ(error.State(), SqlState::kProgramLimitExceeded);
  }
}

/// An in-process mock cluster, for injecting broker errors.
class MockCluster {
 public:
  MockCluster() {
    char error[512];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "log_level", "0", error, sizeof(error));
    host_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof(error));
    cluster_ = rd_kafka_mock_cluster_new(host_, 1);
    bootstrap_ = rd_kafka_mock_cluster_bootstraps(cluster_);
    rd_kafka_mock_topic_create(cluster_, "t", 1, 1);
  }
  ~MockCluster() {
    rd_kafka_mock_cluster_destroy(cluster_);
    rd_kafka_destroy(host_);
  }
  const std::string& Bootstrap() const { return bootstrap_; }
  rd_kafka_mock_cluster_t* Get() { return cluster_; }

 private:
  rd_kafka_t* host_ = nullptr;
  rd_kafka_mock_cluster_t* cluster_ = nullptr;
  std::string bootstrap_;
};

TEST(KafkaSinkDeliveryTest, DeliveryErrorIsReportedByFlush) {
  MockCluster cluster;
  const SinkSpec spec =
      MakeSpec(cluster.Bootstrap(), "t", "upsert", {{"properties.log_level", "0"}});
  std::unique_ptr<SinkWriter> writer = connectors::CreateSinkWriter(spec);
  writer->Write(Changes({{Op::kInsert, {1, "ok"}}}));
  writer->Flush(std::chrono::seconds(10));
  EXPECT_EQ(writer->DeliveredCount(), 1u);
  // A non-retriable Produce error fails the message.
  constexpr int16_t kProduceApiKey = 0;  // the Kafka protocol's Produce request
  rd_kafka_mock_push_request_errors(cluster.Get(), kProduceApiKey, 1,
                                    RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED);
  writer->Write(Changes({{Op::kInsert, {2, "fails"}}}));
  try {
    writer->CommitEpoch(1);
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_EQ(error.State(), SqlState::kConnectionFailure);
    EXPECT_NE(error.Message().find("could not deliver 1 messages of sink \"out_t\""),
              std::string::npos)
        << error.Message();
  }
}

TEST(KafkaSinkDeliveryTest, FailedTransactionIsAbortedAndNotRetried) {
  MockCluster cluster;
  const SinkSpec spec = MakeSpec(cluster.Bootstrap(), "t", "upsert",
                                 {{"properties.log_level", "0"}, {"sink.transactional", "true"}});
  std::unique_ptr<SinkWriter> writer = connectors::CreateSinkWriter(spec);
  writer->Write(Changes({{Op::kInsert, {1, "ok"}}}));
  writer->CommitEpoch(1);
  constexpr int16_t kProduceApiKey = 0;
  rd_kafka_mock_push_request_errors(cluster.Get(), kProduceApiKey, 1,
                                    RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED);
  writer->Write(Changes({{Op::kInsert, {2, "fails"}}}));
  try {
    writer->CommitEpoch(2);
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_EQ(error.State(), SqlState::kConnectionFailure);
    EXPECT_NE(error.Message().find("could not commit the transaction of epoch 2"),
              std::string::npos)
        << error.Message();
  }
  // A retry must not report the lost epoch as committed.
  try {
    writer->CommitEpoch(2);
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_EQ(error.Message(), "Kafka sink \"out_t\" lost the transaction of epoch 2");
  }
}

TEST(KafkaSinkDeliveryTest, FlushTimesOutWithoutBroker) {
  const SinkSpec spec = MakeSpec("127.0.0.1:1", "t", "upsert", {{"properties.log_level", "0"}});
  std::unique_ptr<SinkWriter> writer = connectors::CreateSinkWriter(spec);
  writer->Write(Changes({{Op::kInsert, {1, "x"}}}));
  try {
    writer->Flush(std::chrono::milliseconds(300));
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_EQ(error.State(), SqlState::kConnectionFailure);
    EXPECT_NE(error.Message().find("timed out after 300 ms"), std::string::npos);
  }
}

}  // namespace
}  // namespace freshet::tools::testing
