// SPDX-License-Identifier: Apache-2.0
// Kafka sinks in the real server against freshet-kafka-dev: a transactional sink restarted (SIGKILL
// and SIGTERM) right after Kafka received an epoch, before the server's store recorded that,
// writes nothing twice; and a sink whose broker went away neither stops a materialized view of the
// same server from updating nor its clean shutdown.
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <pqxx/pqxx>
#include <sys/stat.h>
#include <unistd.h>

#include "sql_tests/crash/sql_client.h"
#include "sql_tests/runner/server_process.h"
#include "tools/testing/kafka_dev_broker.h"

#ifndef FRESHET_BINARY
#error "FRESHET_BINARY must name the freshet executable"
#endif

namespace freshet::sql_tests {
namespace {

using namespace std::chrono_literals;

int64_t QueryInt(int port, const std::string& sql) {
  const std::vector<int64_t> row = QueryRow(port, sql);
  return row.empty() ? 0 : row[0];
}

/// The values of `topic` (every partition, read_committed), one per message.
std::vector<std::string> ReadTopic(const std::string& bootstrap, const std::string& topic) {
  const tools::testing::CommandResult result = tools::testing::RunCommand(
      {"kcat", "-C", "-b", bootstrap, "-t", topic, "-o", "beginning", "-e", "-q", "-f", "%s\\n",
       "-X", "isolation.level=read_committed"},
      "", 30s);
  EXPECT_EQ(result.exit_status, 0) << result.error_output;
  return result.Lines();
}

/// A directory for one test's server, removed afterwards.
class TestDirectory {
 public:
  explicit TestDirectory(const std::string& name)
      : path_(
            (std::filesystem::temp_directory_path() / fmt::format("freshet-{}-{}", name, getpid()))
                .string()) {
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TestDirectory() { std::filesystem::remove_all(path_); }
  const std::string& Path() const { return path_; }

 private:
  std::string path_;
};

/// A script that runs the server with extra flags (ServerProcess passes only its own).
std::string ServerWithFlags(const std::string& directory, const std::string& flags) {
  const std::string path = directory + "/freshet-with-flags.sh";
  std::ofstream(path) << "#!/bin/sh\nexec " << FRESHET_BINARY << " " << flags << " \"$@\"\n";
  chmod(path.c_str(), 0755);
  return path;
}

TEST(KafkaSinkCrashTest, TransactionalSinkWritesNothingTwiceAcrossRestarts) {
  tools::testing::KafkaDevBroker broker(/*partitions=*/2);
  TestDirectory directory("sink-restart");
  // Barriers every 5 s: the epoch after a delivery, which records it in the store, comes late, so
  // each restart below falls between Kafka's commit of an epoch and the store's record of it.
  ServerProcess server(ServerWithFlags(directory.Path(), "--checkpoint-interval-ms 5000"),
                       directory.Path() + "/data", directory.Path() + "/freshet.log");
  ASSERT_EQ(server.Start(30s), std::nullopt);
  Execute(server.Port(), "CREATE TABLE t (id INT PRIMARY KEY, v INT)");
  Execute(server.Port(),
          fmt::format("CREATE SINK out AS SELECT id, v FROM t WITH (connector = 'kafka', "
                      "topic = 'out', properties.bootstrap.server = '{}', "
                      "sink.transactional = 'true') FORMAT PLAIN ENCODE JSON "
                      "(force_append_only = 'true')",
                      broker.BootstrapServers()));
  constexpr int kRounds = 6;
  constexpr int kRowsPerRound = 50;
  int rows = 0;
  for (int round = 0; round < kRounds; ++round) {
    SCOPED_TRACE(fmt::format("round {}", round + 1));
    std::string values;
    for (int i = 0; i < kRowsPerRound; ++i) {
      values += fmt::format("{}({}, {})", i == 0 ? "" : ", ", rows + i, round);
    }
    Execute(server.Port(), "INSERT INTO t VALUES " + values);
    rows += kRowsPerRound;
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    while (ReadTopic(broker.BootstrapServers(), "out").size() < static_cast<size_t>(rows) &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(100ms);
    }
    // Kafka has the epoch; the server is stopped before a barrier records that.
    if (round % 2 == 0) {
      server.Kill();
    } else {
      EXPECT_TRUE(server.Stop(20s).clean);
    }
    ASSERT_EQ(server.Start(30s), std::nullopt) << server.LogTail();
  }
  // Anything written twice after the last restart would show up within a few barriers.
  std::this_thread::sleep_for(7s);
  const std::vector<std::string> messages = ReadTopic(broker.BootstrapServers(), "out");
  std::map<int, int> seen;
  for (const std::string& message : messages) {
    const size_t id = message.find("\"id\":");
    ASSERT_NE(id, std::string::npos) << message;
    ++seen[std::stoi(message.substr(id + 5))];
  }
  EXPECT_EQ(messages.size(), static_cast<size_t>(rows));
  for (int id = 0; id < rows; ++id) {
    EXPECT_EQ(seen[id], 1) << "id " << id;
  }
  // The recoveries found the epochs in Kafka that the store did not know were delivered.
  std::ifstream log(server.LogPath());
  const std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("not writing them again"), std::string::npos) << server.LogTail(40);
  EXPECT_TRUE(server.Stop(20s).clean);
}

TEST(KafkaSinkCrashTest, UnreachableSinkBrokerStopsNeitherViewsNorShutdown) {
  auto broker = std::make_unique<tools::testing::KafkaDevBroker>(/*partitions=*/1);
  TestDirectory directory("sink-unreachable");
  ServerProcess server(FRESHET_BINARY, directory.Path() + "/data",
                       directory.Path() + "/freshet.log");
  ASSERT_EQ(server.Start(30s), std::nullopt);
  Execute(server.Port(), "CREATE TABLE t (id INT PRIMARY KEY, v INT)");
  Execute(server.Port(), "CREATE MATERIALIZED VIEW totals AS SELECT count(*) AS n FROM t");
  Execute(server.Port(),
          fmt::format("CREATE SINK out AS SELECT id, v FROM t WITH ("
                      "connector = 'kafka', topic = 'out', "
                      "properties.bootstrap.server = '{}', sink.transactional = "
                      "'true') FORMAT PLAIN ENCODE JSON (force_append_only = 'true')",
                      broker->BootstrapServers()));
  Execute(server.Port(), "INSERT INTO t VALUES (1, 1)");
  broker.reset();  // the sink's broker goes away
  // Every INSERT commits an epoch (and logs it for the sink); the view follows.
  for (int i = 2; i <= 6; ++i) {
    const auto start = std::chrono::steady_clock::now();
    Execute(server.Port(), fmt::format("INSERT INTO t VALUES ({}, {})", i, i));
    Execute(server.Port(), "FLUSH");
    EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
    EXPECT_EQ(QueryInt(server.Port(), "SELECT n FROM totals"), i);
    std::this_thread::sleep_for(300ms);
  }
  const auto stopping = std::chrono::steady_clock::now();
  const ExitReport stopped = server.Stop(20s);
  EXPECT_TRUE(stopped.clean) << stopped.description;
  EXPECT_LT(std::chrono::steady_clock::now() - stopping, 5s);
  // It comes back (the sink still without its broker) and goes on.
  ASSERT_EQ(server.Start(30s), std::nullopt) << server.LogTail();
  Execute(server.Port(), "INSERT INTO t VALUES (7, 7)");
  Execute(server.Port(), "FLUSH");
  EXPECT_EQ(QueryInt(server.Port(), "SELECT n FROM totals"), 7);
  std::ifstream log(server.LogPath());
  const std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  // The epochs the sink could not deliver survived in its log, and it keeps trying.
  EXPECT_NE(text.find("logged epochs to deliver"), std::string::npos) << server.LogTail(40);
  EXPECT_NE(text.find("Connection refused"), std::string::npos) << server.LogTail(40);
  const auto stopping_again = std::chrono::steady_clock::now();
  EXPECT_TRUE(server.Stop(20s).clean);
  EXPECT_LT(std::chrono::steady_clock::now() - stopping_again, 5s);
}

}  // namespace
}  // namespace freshet::sql_tests
