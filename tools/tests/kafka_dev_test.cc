// SPDX-License-Identifier: Apache-2.0
#include <algorithm>
#include <chrono>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>
#include <signal.h>

#include "tools/testing/kafka_dev_broker.h"

namespace freshet::tools::testing {
namespace {

std::vector<std::string> SortedLines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    lines.push_back(line);
  }
  std::sort(lines.begin(), lines.end());
  return lines;
}

TEST(KafkaDevBroker, KcatAndLibrdkafkaRoundTrip) {
  KafkaDevBroker broker(/*partitions=*/4);
  ASSERT_TRUE(broker.BootstrapServers().starts_with("127.0.0.1:"));
  std::string input;
  std::vector<std::string> expected;
  for (int i = 0; i < 1000; ++i) {
    expected.push_back("{\"id\":" + std::to_string(i) + "}");
    input += expected.back() + "\n";
  }
  std::sort(expected.begin(), expected.end());
  ASSERT_EQ(RunCommand({"kcat", "-P", "-b", broker.BootstrapServers(), "-t", "events"}, input)
                .exit_status,
            0);

  const CommandResult consumed = RunCommand({"kcat", "-C", "-b", broker.BootstrapServers(), "-t",
                                             "events", "-o", "beginning", "-e", "-q", "-f", "%s\n"},
                                            "");
  ASSERT_EQ(consumed.exit_status, 0);
  EXPECT_EQ(SortedLines(consumed.output), expected);

  char error[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", broker.BootstrapServers().c_str(), error,
                    sizeof(error));
  rd_kafka_conf_set(conf, "group.id", "test", error, sizeof(error));
  rd_kafka_t* consumer = rd_kafka_new(RD_KAFKA_CONSUMER, conf, error, sizeof(error));
  ASSERT_NE(consumer, nullptr) << error;
  const rd_kafka_metadata_t* metadata = nullptr;
  rd_kafka_topic_t* topic = rd_kafka_topic_new(consumer, "events", nullptr);
  ASSERT_EQ(rd_kafka_metadata(consumer, 0, topic, &metadata, 5000), RD_KAFKA_RESP_ERR_NO_ERROR);
  ASSERT_EQ(metadata->topic_cnt, 1);
  EXPECT_EQ(metadata->topics[0].partition_cnt, 4);  // --partitions applies to new topics
  rd_kafka_metadata_destroy(metadata);
  rd_kafka_topic_destroy(topic);

  rd_kafka_topic_partition_list_t* partitions = rd_kafka_topic_partition_list_new(4);
  for (int32_t partition = 0; partition < 4; ++partition) {
    rd_kafka_topic_partition_list_add(partitions, "events", partition)->offset =
        RD_KAFKA_OFFSET_BEGINNING;
  }
  ASSERT_EQ(rd_kafka_assign(consumer, partitions), RD_KAFKA_RESP_ERR_NO_ERROR);
  rd_kafka_topic_partition_list_destroy(partitions);
  std::vector<std::string> received;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (received.size() < 1000 && std::chrono::steady_clock::now() < deadline) {
    rd_kafka_message_t* message = rd_kafka_consumer_poll(consumer, 100);
    if (message == nullptr) {
      continue;
    }
    if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      received.emplace_back(static_cast<const char*>(message->payload), message->len);
    }
    rd_kafka_message_destroy(message);
  }
  rd_kafka_consumer_close(consumer);
  rd_kafka_destroy(consumer);
  std::sort(received.begin(), received.end());
  EXPECT_EQ(received, expected);
}

TEST(KafkaDevBroker, StopsOnSigterm) {
  pid_t pid;
  {
    KafkaDevBroker broker;
    pid = broker.Pid();
    EXPECT_GT(pid, 0);
  }
  // The destructor reaped it: the pid is no child of ours any more.
  EXPECT_NE(kill(pid, 0), 0);
}

}  // namespace
}  // namespace freshet::tools::testing
