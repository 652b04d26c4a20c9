// SPDX-License-Identifier: Apache-2.0
// freshet-nexmark-producer against the dev broker: what it writes, read back with librdkafka and
// decoded with Freshet's JSON decoder, is exactly what the `nexmark` connector generates.
#include <algorithm>
#include <chrono>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>

#include "common/column.h"
#include "connectors/message_decoder.h"
#include "connectors/source_reader.h"
#include "tools/nexmark_producer/nexmark_json.h"
#include "tools/testing/kafka_dev_broker.h"

namespace freshet::tools {
namespace {

using testing::CommandResult;
using testing::KafkaDevBroker;
using testing::RunCommand;

constexpr uint64_t kEvents = 10'000;
constexpr uint64_t kSeed = 7;

/// Row `row` of `chunk` as text, columns separated by '|'.
std::string RowText(const Chunk& chunk, size_t row) {
  std::string text;
  for (size_t c = 0; c < chunk.NumColumns(); ++c) {
    const Column& column = chunk.GetColumn(c);
    text += c > 0 ? "|" : "";
    if (column.IsNull(row)) {
      text += "NULL";
    } else if (column.Type().IsString()) {
      text += column.GetString(row);
    } else {
      text += std::to_string(column.Data<int64_t>()[row]);
    }
  }
  return text;
}

/// The rows the `nexmark` connector generates for `table`, as RowText, sorted.
std::vector<std::string> GeneratedRows(NexmarkTopicTable table) {
  NexmarkStreamOptions options;
  options.events = kEvents;
  options.seed = kSeed;
  const connectors::SourceSpec spec = NexmarkSourceSpec(table, options);
  connectors::ValidateSource(spec);
  std::unique_ptr<connectors::SourceReader> reader = connectors::CreateSourceReader(spec, 0, 1);
  std::vector<std::string> rows;
  while (!reader->Exhausted()) {
    Chunk chunk(spec.column_types);
    const size_t read = reader->Read(chunk, 1024);
    for (size_t row = 0; row < read; ++row) {
      rows.push_back(RowText(chunk, row));
    }
  }
  std::sort(rows.begin(), rows.end());
  return rows;
}

/// What a topic holds: every payload, and the number of messages per partition.
struct TopicContents {
  std::vector<std::string> payloads;
  std::map<int32_t, size_t> per_partition;
};

/// Reads `expected` messages from every one of `partitions` partitions of `topic`.
TopicContents ReadTopic(const std::string& bootstrap,
                        const std::string& topic,
                        int32_t partitions,
                        size_t expected) {
  char error[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.c_str(), error, sizeof(error));
  rd_kafka_conf_set(conf, "group.id", "nexmark-producer-test", error, sizeof(error));
  rd_kafka_t* consumer = rd_kafka_new(RD_KAFKA_CONSUMER, conf, error, sizeof(error));
  EXPECT_NE(consumer, nullptr) << error;
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(partitions);
  for (int32_t p = 0; p < partitions; ++p) {
    rd_kafka_topic_partition_list_add(list, topic.c_str(), p)->offset = RD_KAFKA_OFFSET_BEGINNING;
  }
  rd_kafka_assign(consumer, list);
  rd_kafka_topic_partition_list_destroy(list);
  TopicContents contents;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (contents.payloads.size() < expected && std::chrono::steady_clock::now() < deadline) {
    rd_kafka_message_t* message = rd_kafka_consumer_poll(consumer, 100);
    if (message == nullptr) {
      continue;
    }
    if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      EXPECT_EQ(message->key, nullptr);
      contents.payloads.emplace_back(static_cast<const char*>(message->payload), message->len);
      ++contents.per_partition[message->partition];
    }
    rd_kafka_message_destroy(message);
  }
  // Nothing beyond the expected messages.
  rd_kafka_message_t* extra = rd_kafka_consumer_poll(consumer, 500);
  if (extra != nullptr) {
    EXPECT_NE(extra->err, RD_KAFKA_RESP_ERR_NO_ERROR) << "more messages than expected";
    rd_kafka_message_destroy(extra);
  }
  rd_kafka_consumer_close(consumer);
  rd_kafka_destroy(consumer);
  return contents;
}

/// The payloads decoded by the Kafka source's JSON decoder, as RowText, sorted.
std::vector<std::string> DecodedRows(NexmarkTopicTable table,
                                     const std::vector<std::string>& payloads) {
  const std::vector<DataType> types = NexmarkColumnTypes(table);
  std::vector<size_t> outputs;
  for (size_t i = 0; i < types.size(); ++i) {
    outputs.push_back(i);
  }
  connectors::MessageDecoder decoder(NexmarkColumnNames(table), types, outputs, {});
  std::vector<std::string> rows;
  for (const std::string& payload : payloads) {
    Chunk chunk(types);
    EXPECT_EQ(decoder.Decode(payload, chunk), connectors::DecodeStatus::kRow)
        << decoder.LastError() << ": " << payload;
    chunk.SetNumRows(1);
    rows.push_back(RowText(chunk, 0));
  }
  std::sort(rows.begin(), rows.end());
  return rows;
}

TEST(NexmarkJson, Timestamps) {
  std::string text;
  AppendIsoTimestampMillis(0, text);
  EXPECT_EQ(text, "1970-01-01T00:00:00.000Z");
  text.clear();
  AppendIsoTimestampMillis(1'436'918'400'123'999, text);  // the connector's default base time
  EXPECT_EQ(text, "2015-07-15T00:00:00.123Z");
  text.clear();
  AppendIsoTimestampMillis(-1, text);  // rounded down
  EXPECT_EQ(text, "1969-12-31T23:59:59.999Z");
  text.clear();
  AppendJsonString("a\"b\\c\n", text);
  EXPECT_EQ(text, R"("a\"b\\c\u000a")");
}

TEST(NexmarkProducer, ProducesTheConnectorsRows) {
  KafkaDevBroker broker(/*partitions=*/4);
  const CommandResult produced =
      RunCommand({FRESHET_NEXMARK_PRODUCER_PATH, "--bootstrap", broker.BootstrapServers(),
                  "--events", std::to_string(kEvents), "--topics", "bid,person,auction=auctions",
                  "--seed", std::to_string(kSeed), "--progress-seconds", "0"},
                 "", std::chrono::seconds(120));
  ASSERT_EQ(produced.exit_status, 0) << produced.error_output;
  EXPECT_NE(produced.output.find("\"messages\":10000,\"delivered\":10000,\"failed\":0"),
            std::string::npos)
      << produced.output;

  // Of 10,000 events, 1 in 50 is a person, 3 in 50 are auctions, the rest bids.
  const struct {
    NexmarkTopicTable table;
    std::string topic;
    size_t expected;
  } cases[] = {{NexmarkTopicTable::kBid, "bid", 9'200},
               {NexmarkTopicTable::kPerson, "person", 200},
               {NexmarkTopicTable::kAuction, "auctions", 600}};
  for (const auto& c : cases) {
    SCOPED_TRACE(c.topic);
    const TopicContents contents = ReadTopic(broker.BootstrapServers(), c.topic, 4, c.expected);
    ASSERT_EQ(contents.payloads.size(), c.expected);
    const std::vector<std::string> generated = GeneratedRows(c.table);
    ASSERT_EQ(generated.size(), c.expected);
    EXPECT_EQ(DecodedRows(c.table, contents.payloads), generated);
    if (c.table == NexmarkTopicTable::kBid) {
      // Chunks of 256 bids go to the partitions in turn: 36 chunks over 4 partitions.
      EXPECT_EQ(contents.per_partition.size(), 4u);
      const std::string& first =
          *std::min_element(contents.payloads.begin(), contents.payloads.end(),
                            [](const std::string& a, const std::string& b) {
                              return a.substr(a.find("date_time")) < b.substr(b.find("date_time"));
                            });
      EXPECT_TRUE(first.starts_with("{\"auction\":")) << first;
      EXPECT_NE(first.find("\"date_time\":\"2015-07-15T00:00:00.000Z\""), std::string::npos)
          << first;
      EXPECT_NE(first.find("\"channel\":\""), std::string::npos) << first;
    }
  }

  // --consume reads the same topic back and counts it.
  const CommandResult consumed =
      RunCommand({FRESHET_NEXMARK_PRODUCER_PATH, "--bootstrap", broker.BootstrapServers(),
                  "--topics", "bid", "--consume", "--decode", "--progress-seconds", "0"},
                 "", std::chrono::seconds(60));
  ASSERT_EQ(consumed.exit_status, 0) << consumed.error_output;
  EXPECT_NE(consumed.output.find("\"messages\":9200,"), std::string::npos) << consumed.output;
  EXPECT_NE(consumed.output.find("\"decode_errors\":0"), std::string::npos) << consumed.output;
}

TEST(NexmarkProducer, RateAndKeys) {
  KafkaDevBroker broker(/*partitions=*/2);
  const auto start = std::chrono::steady_clock::now();
  const CommandResult produced =
      RunCommand({FRESHET_NEXMARK_PRODUCER_PATH, "--bootstrap", broker.BootstrapServers(),
                  "--events", "1000", "--rate", "2000", "--keys", "--progress-seconds", "0"},
                 "", std::chrono::seconds(60));
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_EQ(produced.exit_status, 0) << produced.error_output;
  EXPECT_NE(produced.output.find("\"messages\":920,"), std::string::npos) << produced.output;
  EXPECT_GE(seconds, 0.4);  // 1,000 events at 2,000 per second

  const CommandResult keys = RunCommand({"kcat", "-C", "-b", broker.BootstrapServers(), "-t", "bid",
                                         "-o", "beginning", "-e", "-q", "-f", "%k %s\n"},
                                        "", std::chrono::seconds(30));
  ASSERT_EQ(keys.exit_status, 0) << keys.error_output;
  size_t lines = 0;
  for (size_t start_of_line = 0; start_of_line < keys.output.size();) {
    const size_t end = keys.output.find('\n', start_of_line);
    const std::string line = keys.output.substr(start_of_line, end - start_of_line);
    const std::string key = line.substr(0, line.find(' '));
    EXPECT_TRUE(line.find("{\"auction\":" + key + ",") != std::string::npos) << line;
    ++lines;
    start_of_line = end == std::string::npos ? keys.output.size() : end + 1;
  }
  EXPECT_EQ(lines, 920u);
}

TEST(NexmarkProducer, RejectsBadFlags) {
  const CommandResult result =
      RunCommand({FRESHET_NEXMARK_PRODUCER_PATH, "--bootstrap", "127.0.0.1:1", "--topics", "bids"},
                 "", std::chrono::seconds(10));
  EXPECT_EQ(result.exit_status, 2);
  EXPECT_NE(result.error_output.find("unknown Nexmark table \"bids\""), std::string::npos)
      << result.error_output;
}

}  // namespace
}  // namespace freshet::tools
