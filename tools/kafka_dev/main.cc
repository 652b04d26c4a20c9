// SPDX-License-Identifier: Apache-2.0
// freshet-kafka-dev: a local Kafka-protocol broker on librdkafka's mock cluster, for tests and
// development. Prints one line `bootstrap.servers=127.0.0.1:PORT[,...]` once it accepts
// connections, then serves until SIGINT or SIGTERM. Topics are created on first use (the first
// Metadata request that names them) with --partitions partitions. See docs/kafka.md for what the
// mock cluster does and does not do.
#include <algorithm>
#include <charconv>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <signal.h>

#include "common/command_line.h"
#include "tools/kafka_dev/interposer.h"

namespace freshet::tools {
namespace {

struct Flags {
  int port = 0;
  int partitions = 1;
  int brokers = 1;
};

constexpr std::string_view kUsage = R"(usage: freshet-kafka-dev [options]
  --port N         port of the first broker on 127.0.0.1; broker i listens on N + i - 1
                   (default 0: free ports chosen by the kernel)
  --partitions N   partitions of a topic created on first use (default 1)
  --brokers N      number of brokers (default 1)
  --help           show this text
Prints `bootstrap.servers=127.0.0.1:PORT` when ready; stops on SIGINT or SIGTERM.
)";

volatile std::sig_atomic_t stop_requested = 0;

void OnSignal(int) {
  stop_requested = 1;
}

[[noreturn]] void Usage(std::string_view problem) {
  if (!problem.empty()) {
    std::cerr << "freshet-kafka-dev: " << problem << "\n";
  }
  std::cerr << kUsage;
  std::exit(problem.empty() ? 0 : 2);
}

Flags ParseFlags(int argc, char** argv) {
  Flags flags;
  FlagReader reader(argc, argv, Usage);
  while (reader.Next()) {
    const std::string_view arg = reader.Flag();
    if (arg == "--port") {
      flags.port = static_cast<int>(reader.Unsigned(0, 65535));
    } else if (arg == "--partitions") {
      flags.partitions = static_cast<int>(reader.Unsigned(1, 100000));
    } else if (arg == "--brokers") {
      flags.brokers = static_cast<int>(reader.Unsigned(1, 100));
    } else {
      reader.Unknown();
    }
  }
  if (flags.port != 0 && flags.port + flags.brokers - 1 > 65535) {
    Usage("--port plus --brokers runs past port 65535");
  }
  return flags;
}

int Run(const Flags& flags) {
  struct sigaction action = {};
  action.sa_handler = OnSignal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);

  char error[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  // The handle only hosts the mock cluster; it never connects anywhere.
  rd_kafka_conf_set(conf, "log_level", "3", error, sizeof(error));
  rd_kafka_t* handle = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof(error));
  if (handle == nullptr) {
    std::cerr << "freshet-kafka-dev: could not create the librdkafka handle: " << error << "\n";
    return 1;
  }
  if (flags.port != 0) {
    RequestListenerPorts(static_cast<uint16_t>(flags.port), flags.brokers);
  }
  rd_kafka_mock_cluster_t* cluster = rd_kafka_mock_cluster_new(handle, flags.brokers);
  if (cluster == nullptr) {
    std::cerr << "freshet-kafka-dev: could not start the mock cluster"
              << (flags.port != 0 ? " (is the port in use?)" : "") << "\n";
    rd_kafka_destroy(handle);
    return 1;
  }
  EnableTopicInterception();
  std::printf("bootstrap.servers=%s\n", rd_kafka_mock_cluster_bootstraps(cluster));
  std::fflush(stdout);

  const int replication_factor = std::min(flags.brokers, 3);
  while (stop_requested == 0) {
    for (const std::string& topic : TakeWantedTopics(100)) {
      const rd_kafka_resp_err_t result =
          rd_kafka_mock_topic_create(cluster, topic.c_str(), flags.partitions, replication_factor);
      if (result != RD_KAFKA_RESP_ERR_NO_ERROR &&
          result != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
        std::cerr << "freshet-kafka-dev: could not create topic " << topic << ": "
                  << rd_kafka_err2str(result) << "\n";
      }
      MarkTopicCreated(topic);
    }
  }
  rd_kafka_mock_cluster_destroy(cluster);
  rd_kafka_destroy(handle);
  return 0;
}

}  // namespace
}  // namespace freshet::tools

int main(int argc, char** argv) {
  return freshet::tools::Run(freshet::tools::ParseFlags(argc, argv));
}
