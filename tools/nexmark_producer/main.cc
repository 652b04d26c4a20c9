// SPDX-License-Identifier: Apache-2.0
// freshet-nexmark-producer: writes the Nexmark event stream to Kafka as JSON, one topic per table,
// with the rows of the built-in `nexmark` connector (so a topic holds what a `connector =
// 'nexmark'` source with the same seed and event count yields). With --consume it reads the
// topics back instead and counts the messages: the raw librdkafka ceiling of the Kafka benchmark
// (bench/kafka/run.sh). Usage: kUsage below.
#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <librdkafka/rdkafka.h>
#include <sys/resource.h>

#include "common/command_line.h"
#include "common/error.h"
#include "connectors/kafka_reader.h"
#include "connectors/message_decoder.h"
#include "connectors/source_reader.h"
#include "tools/nexmark_producer/nexmark_json.h"

namespace freshet::tools {
namespace {

constexpr std::string_view kUsage =
    R"(usage: freshet-nexmark-producer --bootstrap HOST:PORT [options]
Writes the Nexmark event stream of the built-in `nexmark` connector to Kafka, one JSON object per
message, one topic per table; the fields are the connector's column names, date_time and expires
ISO-8601 UTC strings with milliseconds.
  --bootstrap HOST:PORT  Kafka bootstrap servers (required)
  --topics LIST          comma-separated tables, each TABLE or TABLE=TOPIC, tables bid, person,
                         auction (default: bid, into topic bid)
  --events N             events of the whole stream, all tables, as nexmark.event.num: the bid
                         topic gets 46 of every 50 (default 0: unbounded)
  --rate R               events of the whole stream per second of wall-clock time, as
                         nexmark.event.rate (default 0: as fast as possible)
  --seed N               nexmark.seed (default 0)
  --base-time MS|now     event time of event 0 in milliseconds since 1970, as nexmark.base.time
                         (default 1436918400000: 2015-07-15); `now`: the current time
  --event-gap-ns N       event time between events, as nexmark.min.event.gap.in.ns (default
                         100000, or 1e9 / rate with --rate)
  --keys                 key each message by its first column (bid: auction; person, auction: id)
                         and let librdkafka's murmur2 partitioner choose; without it messages have
                         no key and each read of --chunk-rows rows goes to the next partition
  --chunk-rows N         rows per read of a table (nexmark.max.chunk.size), all sent to one
                         partition (default 256: the first rows of the partitions then span
                         partitions x 256 bids of event time, 1.8 s for 64 partitions, less than
                         the bench's 4 s watermark delay)
  --linger-ms N          librdkafka linger.ms (default 10); batch.num.messages is 10000
  -X KEY=VALUE           any librdkafka property (repeatable)
  --progress-seconds S   seconds between progress lines on stderr (default 1; 0: none)
  --consume              instead of producing, read every partition of the topics from the
                         beginning and count the messages (no consumer group, no commits)
  --messages N           with --consume: stop after N messages (default: the messages the
                         partitions held when it started)
  --decode               with --consume: also decode each message into the table's columns with
                         Freshet's JSON decoder (connectors/message_decoder.h)
  --timeout-seconds S    with --consume: give up when no message arrived for S seconds (default 60)
  --help                 show this text
Progress goes to stderr and a one-line JSON summary to stdout. Exits 0 when done or stopped by
SIGINT/SIGTERM (after delivering what it produced), 1 on a Kafka error, 2 on bad flags.
)";

/// One table and the topic it goes to.
struct TopicFlag {
  NexmarkTopicTable table = NexmarkTopicTable::kBid;
  std::string topic;
};

struct Flags {
  std::string bootstrap;
  std::vector<TopicFlag> topics;
  NexmarkStreamOptions stream;
  bool keys = false;
  int linger_ms = 10;
  std::vector<std::pair<std::string, std::string>> properties;
  double progress_seconds = 1;
  bool consume = false;
  uint64_t messages = 0;
  bool decode = false;
  double timeout_seconds = 60;
};

std::atomic<bool> stop_requested{false};

void OnSignal(int) {
  stop_requested.store(true);
}

[[noreturn]] void Usage(std::string_view problem) {
  if (!problem.empty()) {
    std::cerr << "freshet-nexmark-producer: " << problem << "\n";
  }
  std::cerr << kUsage;
  std::exit(problem.empty() ? 0 : 2);
}

std::vector<TopicFlag> ParseTopics(std::string_view text) {
  std::vector<TopicFlag> topics;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t comma = std::min(text.find(',', start), text.size());
    const std::string_view item = text.substr(start, comma - start);
    start = comma + 1;
    if (item.empty()) {
      continue;
    }
    const size_t equals = item.find('=');
    const std::string_view table_name = item.substr(0, equals);
    const std::optional<NexmarkTopicTable> table = ParseNexmarkTable(table_name);
    if (!table) {
      Usage(fmt::format("unknown Nexmark table \"{}\" in --topics (bid, person or auction)",
                        table_name));
    }
    TopicFlag topic{*table,
                    std::string(equals == std::string_view::npos ? NexmarkTableName(*table)
                                                                 : item.substr(equals + 1))};
    if (topic.topic.empty()) {
      Usage(fmt::format("empty topic name in --topics \"{}\"", text));
    }
    for (const TopicFlag& other : topics) {
      if (other.table == topic.table) {
        Usage(fmt::format("table \"{}\" is given twice in --topics", table_name));
      }
    }
    topics.push_back(std::move(topic));
  }
  if (topics.empty()) {
    Usage("--topics names no table");
  }
  return topics;
}

Flags ParseFlags(int argc, char** argv) {
  Flags flags;
  flags.stream.max_chunk_size = 256;
  FlagReader reader(argc, argv, Usage);
  while (reader.Next()) {
    const std::string_view arg = reader.Flag();
    if (arg == "--keys" || arg == "--consume" || arg == "--decode") {
      (arg == "--keys" ? flags.keys : arg == "--consume" ? flags.consume : flags.decode) = true;
      continue;
    }
    if (arg == "--bootstrap" || arg == "--bootstrap-servers") {
      flags.bootstrap = std::string(reader.Value());
    } else if (arg == "--topics" || arg == "--topic") {
      flags.topics = ParseTopics(reader.Value());
    } else if (arg == "--events") {
      flags.stream.events = reader.Unsigned();
    } else if (arg == "--rate") {
      flags.stream.rate = reader.NonNegative();
    } else if (arg == "--seed") {
      flags.stream.seed = reader.Unsigned();
    } else if (arg == "--base-time") {
      flags.stream.base_time_millis = reader.Value() == "now"
                                          ? std::chrono::duration_cast<std::chrono::milliseconds>(
                                                std::chrono::system_clock::now().time_since_epoch())
                                                .count()
                                          : static_cast<int64_t>(reader.Unsigned());
    } else if (arg == "--event-gap-ns") {
      flags.stream.event_gap_nanos = static_cast<int64_t>(reader.Unsigned());
    } else if (arg == "--chunk-rows") {
      flags.stream.max_chunk_size = static_cast<size_t>(reader.Unsigned(1, 1 << 20));
    } else if (arg == "--linger-ms") {
      flags.linger_ms = static_cast<int>(reader.Unsigned(0, 900'000));
    } else if (arg == "-X") {
      const std::string_view value = reader.Value();
      const size_t split = value.find('=');
      if (split == std::string_view::npos || split == 0) {
        Usage(fmt::format("-X takes KEY=VALUE, not \"{}\"", value));
      }
      flags.properties.emplace_back(std::string(value.substr(0, split)),
                                    std::string(value.substr(split + 1)));
    } else if (arg == "--progress-seconds") {
      flags.progress_seconds = reader.NonNegative();
    } else if (arg == "--messages") {
      flags.messages = reader.Unsigned();
    } else if (arg == "--timeout-seconds") {
      flags.timeout_seconds = reader.NonNegative();
    } else {
      reader.Unknown();
    }
  }
  if (flags.bootstrap.empty()) {
    Usage("--bootstrap is required");
  }
  if (flags.topics.empty()) {
    flags.topics = ParseTopics("bid");
  }
  return flags;
}

double CpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

/// Seconds this process's threads spent runnable but waiting for a CPU (the second field of
/// /proc/self/task/*/schedstat): on a shared machine, what other processes took from it.
double RunqueueWaitSeconds() {
  double total = 0;
  std::error_code error;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task", error)) {
    std::ifstream in(task.path() / "schedstat");
    uint64_t running = 0;
    uint64_t waiting = 0;
    if (in >> running >> waiting) {
      total += static_cast<double>(waiting) / 1e9;
    }
  }
  return total;
}

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

struct KafkaDeleter {
  void operator()(rd_kafka_t* kafka) const { rd_kafka_destroy(kafka); }
};
using KafkaHandle = std::unique_ptr<rd_kafka_t, KafkaDeleter>;

/// Delivery reports, counted by the producer's callback (which runs in rd_kafka_poll, on the
/// producing thread).
struct DeliveryCounts {
  uint64_t delivered = 0;
  uint64_t failed = 0;
  std::string first_error;
};

/// Creates a producer or consumer with the common settings and the user's -X properties; exits 1
/// with librdkafka's message when it refuses one.
KafkaHandle MakeKafka(const Flags& flags,
                      rd_kafka_type_t type,
                      const std::vector<std::pair<std::string, std::string>>& defaults,
                      void* opaque) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char error[512];
  const auto set = [&](const std::string& key, const std::string& value) {
    if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), error, sizeof(error)) !=
        RD_KAFKA_CONF_OK) {
      std::cerr << "freshet-nexmark-producer: " << key << "=" << value << ": " << error << "\n";
      std::exit(2);
    }
  };
  set("bootstrap.servers", flags.bootstrap);
  set("log_level", "3");
  for (const auto& [key, value] : defaults) {
    set(key, value);
  }
  for (const auto& [key, value] : flags.properties) {
    set(key, value);
  }
  rd_kafka_conf_set_error_cb(conf, [](rd_kafka_t*, int code, const char* reason, void*) {
    std::cerr << "freshet-nexmark-producer: kafka: "
              << rd_kafka_err2str(static_cast<rd_kafka_resp_err_t>(code)) << ": " << reason << "\n";
  });
  if (type == RD_KAFKA_PRODUCER) {
    rd_kafka_conf_set_opaque(conf, opaque);
    rd_kafka_conf_set_dr_msg_cb(
        conf, [](rd_kafka_t*, const rd_kafka_message_t* message, void* opaque_counts) {
          auto* counts = static_cast<DeliveryCounts*>(opaque_counts);
          if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
            ++counts->delivered;
          } else if (counts->failed++ == 0) {
            counts->first_error = rd_kafka_message_errstr(message);
          }
        });
  }
  rd_kafka_t* kafka = rd_kafka_new(type, conf, error, sizeof(error));
  if (kafka == nullptr) {
    std::cerr << "freshet-nexmark-producer: " << error << "\n";
    std::exit(1);
  }
  return KafkaHandle(kafka);
}

/// The number of partitions of `topic` (asking for its metadata creates it on the dev broker);
/// retries for up to 15 s while the topic is being created. Exits 1 when it gets none.
int32_t PartitionCount(rd_kafka_t* kafka, const std::string& topic) {
  rd_kafka_topic_t* handle = rd_kafka_topic_new(kafka, topic.c_str(), nullptr);
  const auto start = std::chrono::steady_clock::now();
  std::string problem;
  while (SecondsSince(start) < 15 && !stop_requested.load()) {
    const rd_kafka_metadata_t* metadata = nullptr;
    const rd_kafka_resp_err_t error = rd_kafka_metadata(kafka, 0, handle, &metadata, 5000);
    if (error != RD_KAFKA_RESP_ERR_NO_ERROR) {
      problem = rd_kafka_err2str(error);
    } else {
      int32_t count = 0;
      if (metadata->topic_cnt == 1 && metadata->topics[0].err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        count = metadata->topics[0].partition_cnt;
      } else if (metadata->topic_cnt == 1) {
        problem = rd_kafka_err2str(metadata->topics[0].err);
      }
      rd_kafka_metadata_destroy(metadata);
      if (count > 0) {
        rd_kafka_topic_destroy(handle);
        return count;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  rd_kafka_topic_destroy(handle);
  std::cerr << "freshet-nexmark-producer: no partitions for topic \"" << topic << "\" at "
            << "the bootstrap servers" << (problem.empty() ? "" : ": " + problem) << "\n";
  std::exit(1);
}

/// What the producer keeps per topic.
struct ProducerTopic {
  TopicFlag flag;
  rd_kafka_topic_t* handle = nullptr;
  int32_t partitions = 1;
  int32_t next_partition = 0;
  std::unique_ptr<connectors::SourceReader> reader;
  std::unique_ptr<NexmarkJsonEncoder> encoder;
  std::vector<DataType> types;
  uint64_t produced = 0;
};

int Produce(const Flags& flags) {
  DeliveryCounts counts;
  KafkaHandle kafka = MakeKafka(flags, RD_KAFKA_PRODUCER,
                                {{"linger.ms", std::to_string(flags.linger_ms)},
                                 {"batch.num.messages", "10000"},
                                 {"compression.codec", "none"},
                                 {"queue.buffering.max.messages", "500000"},
                                 {"partitioner", "murmur2_random"}},
                                &counts);
  std::vector<ProducerTopic> topics;
  for (const TopicFlag& flag : flags.topics) {
    ProducerTopic topic;
    topic.flag = flag;
    topic.partitions = PartitionCount(kafka.get(), flag.topic);
    topic.handle = rd_kafka_topic_new(kafka.get(), flag.topic.c_str(), nullptr);
    const connectors::SourceSpec spec = NexmarkSourceSpec(flag.table, flags.stream);
    try {
      connectors::ValidateSource(spec);
      topic.reader = connectors::CreateSourceReader(spec, 0, 1);
    } catch (const Error& error) {
      std::cerr << "freshet-nexmark-producer: " << error.what() << "\n";
      return 2;
    }
    topic.encoder = std::make_unique<NexmarkJsonEncoder>(flag.table);
    topic.types = spec.column_types;
    std::cerr << fmt::format("freshet-nexmark-producer: table {} into topic {} ({} partitions)\n",
                             NexmarkTableName(flag.table), flag.topic, topic.partitions);
    topics.push_back(std::move(topic));
  }

  const auto start = std::chrono::steady_clock::now();
  const double cpu_start = CpuSeconds();
  const double wait_start = RunqueueWaitSeconds();
  auto next_progress = start;
  uint64_t produced = 0;
  uint64_t bytes = 0;
  std::string payload;
  std::string key;
  bool kafka_error = false;
  // With a rate, read at most every linger.ms so that each partition's message set holds a few
  // events instead of one (the mock broker serves one set per partition and fetch).
  const auto min_wait =
      std::chrono::microseconds(flags.stream.rate > 0 ? flags.linger_ms * 1000 : 0);
  while (!stop_requested.load() && !kafka_error) {
    bool active = false;
    bool full_chunk = false;
    size_t rows = 0;
    int64_t wait_micros = 100'000;
    for (ProducerTopic& topic : topics) {
      if (topic.reader->Exhausted()) {
        continue;
      }
      active = true;
      Chunk chunk(topic.types);
      const size_t read = topic.reader->Read(chunk, flags.stream.max_chunk_size);
      if (read == 0) {
        wait_micros = std::min(wait_micros, std::max<int64_t>(1, topic.reader->MicrosUntilReady()));
        continue;
      }
      rows += read;
      full_chunk = full_chunk || read == flags.stream.max_chunk_size;
      const int32_t partition =
          flags.keys ? RD_KAFKA_PARTITION_UA : topic.next_partition++ % topic.partitions;
      for (size_t row = 0; row < read && !kafka_error; ++row) {
        topic.encoder->Encode(chunk, row, payload);
        if (flags.keys) {
          key = std::to_string(chunk.GetColumn(0).Data<int64_t>()[row]);
        }
        while (true) {
          const int status = rd_kafka_produce(
              topic.handle, partition, RD_KAFKA_MSG_F_COPY, payload.data(), payload.size(),
              flags.keys ? key.data() : nullptr, flags.keys ? key.size() : 0, nullptr);
          if (status == 0) {
            break;
          }
          const rd_kafka_resp_err_t error = rd_kafka_last_error();
          if (error != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
            std::cerr << "freshet-nexmark-producer: produce to " << topic.flag.topic << ": "
                      << rd_kafka_err2str(error) << "\n";
            kafka_error = true;
            break;
          }
          rd_kafka_poll(kafka.get(), 10);  // serves delivery reports, which frees the queue
        }
        bytes += payload.size();
      }
      topic.produced += read;
      produced += read;
      rd_kafka_poll(kafka.get(), 0);
    }
    if (!active) {
      break;
    }
    if (rows == 0) {
      std::this_thread::sleep_for(
          std::max<std::chrono::microseconds>(min_wait, std::chrono::microseconds(wait_micros)));
      rd_kafka_poll(kafka.get(), 0);
    } else if (!full_chunk && min_wait.count() > 0) {
      std::this_thread::sleep_for(min_wait);
      rd_kafka_poll(kafka.get(), 0);
    }
    if (counts.failed > 0) {
      kafka_error = true;
    }
    if (flags.progress_seconds > 0 && std::chrono::steady_clock::now() >= next_progress) {
      const double seconds = SecondsSince(start);
      if (seconds > 0.1) {
        std::cerr << fmt::format(
            "freshet-nexmark-producer: {} messages in {:.1f} s ({:.0f}/s), {} delivered\n",
            produced, seconds, static_cast<double>(produced) / seconds, counts.delivered);
      }
      next_progress +=
          std::chrono::microseconds(static_cast<int64_t>(flags.progress_seconds * 1e6));
    }
  }
  // Deliver what was produced; a stop request shortens the wait.
  const int flush_ms = stop_requested.load() ? 5000 : 120'000;
  const rd_kafka_resp_err_t flushed = rd_kafka_flush(kafka.get(), flush_ms);
  const double seconds = SecondsSince(start);
  const double cpu_seconds = CpuSeconds() - cpu_start;
  const double wait_seconds = RunqueueWaitSeconds() - wait_start;
  for (ProducerTopic& topic : topics) {
    rd_kafka_topic_destroy(topic.handle);
  }
  std::string per_topic;
  for (const ProducerTopic& topic : topics) {
    per_topic +=
        fmt::format("{}\"{}\":{}", per_topic.empty() ? "" : ",", topic.flag.topic, topic.produced);
  }
  std::cout << fmt::format(
                   "{{\"mode\":\"produce\",\"messages\":{},\"delivered\":{},\"failed\":{},"
                   "\"bytes\":{},\"seconds\":{:.3f},\"messages_per_second\":{:.0f},"
                   "\"cpu_seconds\":{:.2f},\"runqueue_wait_seconds\":{:.2f},\"topics\":{{{}}}}}",
                   produced, counts.delivered, counts.failed, bytes, seconds,
                   seconds > 0 ? static_cast<double>(produced) / seconds : 0.0, cpu_seconds,
                   wait_seconds, per_topic)
            << std::endl;
  std::cerr << fmt::format(
      "freshet-nexmark-producer: produced {} messages ({} bytes) in {:.2f} s, {} delivered\n",
      produced, bytes, seconds, counts.delivered);
  if (counts.failed > 0) {
    std::cerr << "freshet-nexmark-producer: " << counts.failed
              << " messages were not delivered: " << counts.first_error << "\n";
    return 1;
  }
  if (flushed != RD_KAFKA_RESP_ERR_NO_ERROR && !stop_requested.load()) {
    std::cerr << "freshet-nexmark-producer: not every message was delivered: "
              << rd_kafka_err2str(flushed) << "\n";
    return 1;
  }
  return kafka_error ? 1 : 0;
}

/// What --consume keeps per topic.
struct ConsumerTopic {
  TopicFlag flag;
  std::unique_ptr<connectors::MessageDecoder> decoder;
  std::vector<DataType> types;
  std::unique_ptr<Chunk> chunk;
  uint64_t messages = 0;
};

int Consume(const Flags& flags) {
  // The Kafka source's own consumer settings, so that this is the source's ceiling.
  std::vector<std::pair<std::string, std::string>> settings = connectors::KafkaConsumerDefaults();
  settings.emplace_back("group.id", "freshet-nexmark-producer");
  KafkaHandle kafka = MakeKafka(flags, RD_KAFKA_CONSUMER, settings, nullptr);
  std::vector<ConsumerTopic> topics;
  rd_kafka_topic_partition_list_t* assignment = rd_kafka_topic_partition_list_new(64);
  uint64_t target = 0;
  for (const TopicFlag& flag : flags.topics) {
    ConsumerTopic topic;
    topic.flag = flag;
    if (flags.decode) {
      topic.types = NexmarkColumnTypes(flag.table);
      std::vector<size_t> outputs(topic.types.size());
      for (size_t i = 0; i < outputs.size(); ++i) {
        outputs[i] = i;
      }
      topic.decoder = std::make_unique<connectors::MessageDecoder>(
          NexmarkColumnNames(flag.table), topic.types, outputs, connectors::MessageFormat{});
      topic.chunk = std::make_unique<Chunk>(topic.types);
    }
    const int32_t partitions = PartitionCount(kafka.get(), flag.topic);
    for (int32_t p = 0; p < partitions; ++p) {
      int64_t low = 0;
      int64_t high = 0;
      const rd_kafka_resp_err_t error =
          rd_kafka_query_watermark_offsets(kafka.get(), flag.topic.c_str(), p, &low, &high, 10000);
      if (error != RD_KAFKA_RESP_ERR_NO_ERROR) {
        std::cerr << fmt::format("freshet-nexmark-producer: offsets of {} [{}]: {}\n", flag.topic,
                                 p, rd_kafka_err2str(error));
        return 1;
      }
      target += static_cast<uint64_t>(high - low);
      rd_kafka_topic_partition_list_add(assignment, flag.topic.c_str(), p)->offset =
          RD_KAFKA_OFFSET_BEGINNING;
    }
    topics.push_back(std::move(topic));
  }
  if (flags.messages > 0) {
    target = flags.messages;
  }
  std::cerr << fmt::format("freshet-nexmark-producer: consuming {} messages from {} partitions\n",
                           target, assignment->cnt);

  const auto start = std::chrono::steady_clock::now();
  const double cpu_start = CpuSeconds();
  const double wait_start = RunqueueWaitSeconds();
  rd_kafka_assign(kafka.get(), assignment);
  rd_kafka_topic_partition_list_destroy(assignment);
  rd_kafka_queue_t* queue = rd_kafka_queue_get_consumer(kafka.get());
  std::vector<rd_kafka_message_t*> batch(10000);
  uint64_t messages = 0;
  uint64_t bytes = 0;
  uint64_t errors = 0;
  uint64_t decode_errors = 0;
  auto last_message = start;
  auto next_progress = start;
  bool timed_out = false;
  while (messages < target && !stop_requested.load()) {
    const ssize_t count = rd_kafka_consume_batch_queue(queue, 100, batch.data(), batch.size());
    for (ssize_t i = 0; i < count; ++i) {
      rd_kafka_message_t* message = batch[i];
      if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        if (errors++ == 0) {
          std::cerr << "freshet-nexmark-producer: " << rd_kafka_message_errstr(message) << "\n";
        }
      } else {
        ++messages;
        bytes += message->len;
        if (flags.decode) {
          const std::string_view name = rd_kafka_topic_name(message->rkt);
          for (ConsumerTopic& topic : topics) {
            if (topic.flag.topic != name) {
              continue;
            }
            ++topic.messages;
            const std::string_view payload(static_cast<const char*>(message->payload),
                                           message->len);
            if (topic.decoder->Decode(payload, *topic.chunk) != connectors::DecodeStatus::kRow) {
              ++decode_errors;
            } else if (topic.chunk->GetColumn(0).Size() == Chunk::kChunkSize) {
              topic.chunk = std::make_unique<Chunk>(topic.types);
            }
            break;
          }
        }
      }
      rd_kafka_message_destroy(message);
    }
    const auto now = std::chrono::steady_clock::now();
    if (count > 0) {
      last_message = now;
    } else if (std::chrono::duration<double>(now - last_message).count() > flags.timeout_seconds) {
      timed_out = true;
      break;
    }
    if (flags.progress_seconds > 0 && now >= next_progress) {
      const double seconds = SecondsSince(start);
      if (seconds > 0.1) {
        std::cerr << fmt::format("freshet-nexmark-producer: {} of {} messages in {:.1f} s\n",
                                 messages, target, seconds);
      }
      next_progress +=
          std::chrono::microseconds(static_cast<int64_t>(flags.progress_seconds * 1e6));
    }
  }
  const double seconds = SecondsSince(start);
  const double cpu_seconds = CpuSeconds() - cpu_start;
  const double wait_seconds = RunqueueWaitSeconds() - wait_start;
  rd_kafka_queue_destroy(queue);
  rd_kafka_consumer_close(kafka.get());
  std::cout << fmt::format(
                   "{{\"mode\":\"consume\",\"decode\":{},\"messages\":{},\"bytes\":{},"
                   "\"seconds\":{:.3f},\"messages_per_second\":{:.0f},\"cpu_seconds\":{:.2f},"
                   "\"messages_per_cpu_second\":{:.0f},\"runqueue_wait_seconds\":{:.2f},"
                   "\"errors\":{},\"decode_errors\":{}}}",
                   flags.decode, messages, bytes, seconds,
                   seconds > 0 ? static_cast<double>(messages) / seconds : 0.0, cpu_seconds,
                   cpu_seconds > 0 ? static_cast<double>(messages) / cpu_seconds : 0.0,
                   wait_seconds, errors, decode_errors)
            << std::endl;
  std::cerr << fmt::format("freshet-nexmark-producer: consumed {} messages in {:.2f} s\n", messages,
                           seconds);
  if (timed_out) {
    std::cerr << fmt::format(
        "freshet-nexmark-producer: no message for {} s; stopped at {} of {} messages\n",
        flags.timeout_seconds, messages, target);
    return 1;
  }
  return decode_errors > 0 ? 1 : 0;
}

}  // namespace
}  // namespace freshet::tools

int main(int argc, char** argv) {
  using namespace freshet::tools;
  const Flags flags = ParseFlags(argc, argv);
  struct sigaction action {};
  action.sa_handler = OnSignal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  try {
    return flags.consume ? Consume(flags) : Produce(flags);
  } catch (const std::exception& error) {
    std::cerr << "freshet-nexmark-producer: " << error.what() << "\n";
    return 1;
  }
}
