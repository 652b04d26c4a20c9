// SPDX-License-Identifier: Apache-2.0
// Exactly-once from Kafka across kill -9: a server consumes a topic the test keeps producing to and
// is SIGKILLed at seeded random moments, twenty times; after every restart its view must catch up
// to exactly the messages produced so far: every message counted once, none lost, none twice. A
// FORMAT UPSERT table over a second topic, whose keys are rewritten and deleted every round, must
// likewise end up with exactly the latest row per key, and a view over it with their count and sum.
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>
#include <pqxx/pqxx>

#include "sql_tests/crash/sql_client.h"
#include "sql_tests/runner/server_process.h"
#include "tools/testing/kafka_dev_broker.h"

#ifndef FRESHET_BINARY
#error "FRESHET_BINARY must name the freshet executable"
#endif

namespace freshet::sql_tests {
namespace {

using namespace std::chrono_literals;

constexpr int kKills = 20;
constexpr int64_t kMessagesPerRound = 5'000;

/// A librdkafka producer of JSON messages {"id": n, "v": n % 1000} keyed by id.
class Producer {
 public:
  explicit Producer(const std::string& bootstrap) {
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    char error[512];
    EXPECT_EQ(rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.c_str(), error, sizeof(error)),
              RD_KAFKA_CONF_OK);
    EXPECT_EQ(rd_kafka_conf_set(conf, "enable.idempotence", "true", error, sizeof(error)),
              RD_KAFKA_CONF_OK);
    producer_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof(error));
    EXPECT_NE(producer_, nullptr) << error;
  }
  ~Producer() { rd_kafka_destroy(producer_); }

  /// Produces ids [first, last] and waits until the broker acknowledged them all.
  void Produce(const std::string& topic, int64_t first, int64_t last) {
    for (int64_t id = first; id <= last; ++id) {
      Send(topic, std::to_string(id), fmt::format(R"({{"id": {}, "v": {}}})", id, id % 1000));
    }
    Flush();
  }

  /// Queues one message; an empty value is sent as a tombstone (no value).
  void Send(const std::string& topic, const std::string& key, const std::string& value) {
    rd_kafka_resp_err_t error;
    while ((error = rd_kafka_producev(
                producer_, RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_KEY(key.data(), key.size()),
                RD_KAFKA_V_VALUE(value.empty() ? nullptr : const_cast<char*>(value.data()),
                                 value.size()),
                RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END)) ==
           RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      rd_kafka_poll(producer_, 10);
    }
    ASSERT_EQ(error, RD_KAFKA_RESP_ERR_NO_ERROR) << rd_kafka_err2str(error);
  }

  void Flush() { ASSERT_EQ(rd_kafka_flush(producer_, 30'000), RD_KAFKA_RESP_ERR_NO_ERROR); }

 private:
  rd_kafka_t* producer_ = nullptr;
};

/// The view's totals: count, distinct ids, sum of ids, sum of v.
struct Totals {
  int64_t rows = 0;
  int64_t ids = 0;
  int64_t id_sum = 0;
  int64_t v_sum = 0;
};

Totals ReadTotals(int port) {
  const std::vector<int64_t> row = QueryRow(
      port,
      "SELECT coalesce(n, 0), coalesce(ids, 0), coalesce(id_sum, 0), coalesce(v_sum, 0) FROM "
      "totals");
  return row.empty() ? Totals{} : Totals{row[0], row[1], row[2], row[3]};
}

constexpr int64_t kAccounts = 500;

/// Round `round` of the accounts topic: every account is rewritten, and those with
/// (account + round) % 5 == 0 are deleted (a tombstone).
void ProduceAccounts(Producer& producer, int64_t round) {
  for (int64_t account = 0; account < kAccounts; ++account) {
    const bool deleted = (account + round) % 5 == 0;
    producer.Send("accounts", std::to_string(account),
                  deleted ? "" : fmt::format(R"({{"balance": {}}})", round * 1000 + account));
  }
  producer.Flush();
}

/// (count, sum of balances) of the accounts after round `round`.
std::pair<int64_t, int64_t> ExpectedAccounts(int64_t round) {
  std::pair<int64_t, int64_t> expected{0, 0};
  for (int64_t account = 0; account < kAccounts; ++account) {
    if ((account + round) % 5 != 0) {
      ++expected.first;
      expected.second += round * 1000 + account;
    }
  }
  return expected;
}

/// The same two figures from `query`, which returns one row of two bigints.
std::pair<int64_t, int64_t> ReadPair(int port, const std::string& query) {
  const std::vector<int64_t> row = QueryRow(port, query);
  return row.empty() ? std::pair<int64_t, int64_t>{0, 0} : std::pair{row[0], row[1]};
}

/// What the view must hold once it has read ids 1..n.
Totals Expected(int64_t n) {
  Totals totals{n, n, n * (n + 1) / 2, 0};
  for (int64_t id = 1; id <= n; ++id) {
    totals.v_sum += id % 1000;
  }
  return totals;
}

TEST(KafkaCrashTest, KilledWhileConsumingLosesAndDuplicatesNothing) {
  const char* seed_text = std::getenv("FRESHET_CRASH_SEED");
  const unsigned seed =
      seed_text != nullptr ? static_cast<unsigned>(std::atoi(seed_text)) : 20261126;
  std::mt19937 random(seed);
  SCOPED_TRACE(fmt::format("FRESHET_CRASH_SEED={}", seed));

  tools::testing::KafkaDevBroker broker(/*partitions=*/4);
  Producer producer(broker.BootstrapServers());
  const std::string directory =
      (std::filesystem::temp_directory_path() / fmt::format("freshet-crash-{}", getpid())).string();
  std::filesystem::remove_all(directory);
  std::filesystem::create_directories(directory);
  ServerProcess server(FRESHET_BINARY, directory + "/data", directory + "/freshet.log");
  ASSERT_EQ(server.Start(30s), std::nullopt);
  Execute(server.Port(),
          fmt::format("CREATE SOURCE events (id BIGINT, v BIGINT) WITH (connector = 'kafka', "
                      "topic = 'events', properties.bootstrap.server = '{}') "
                      "FORMAT PLAIN ENCODE JSON",
                      broker.BootstrapServers()));
  Execute(server.Port(),
          "CREATE MATERIALIZED VIEW totals AS SELECT count(*) AS n, count(DISTINCT id) AS ids, "
          "sum(id) AS id_sum, sum(v) AS v_sum FROM events");
  Execute(server.Port(),
          fmt::format("CREATE TABLE accounts (account BIGINT PRIMARY KEY, balance BIGINT) WITH "
                      "(connector = 'kafka', topic = 'accounts', properties.bootstrap.server = "
                      "'{}') FORMAT UPSERT ENCODE JSON",
                      broker.BootstrapServers()));
  Execute(server.Port(),
          "CREATE MATERIALIZED VIEW account_totals AS SELECT count(*) AS n, sum(balance) AS total "
          "FROM accounts");

  int64_t produced = 0;
  int64_t last_rows = 0;
  for (int kill = 0; kill < kKills; ++kill) {
    SCOPED_TRACE(fmt::format("kill {}", kill + 1));
    producer.Produce("events", produced + 1, produced + kMessagesPerRound);
    produced += kMessagesPerRound;
    ProduceAccounts(producer, kill + 1);
    // Somewhere between before the first of the new messages is read and after their epoch commits
    // (epochs are 1 s).
    std::this_thread::sleep_for(std::chrono::milliseconds(random() % 1500));
    server.Kill();
    ASSERT_EQ(server.Start(30s), std::nullopt) << server.LogTail();
    // What survived the kill is a committed prefix of each partition: never more than produced,
    // never a message twice, never less than before.
    Totals totals = ReadTotals(server.Port());
    EXPECT_EQ(totals.rows, totals.ids);
    EXPECT_LE(totals.rows, produced);
    EXPECT_GE(totals.rows, last_rows);
    // Then it catches up to exactly what was produced.
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (totals.rows < produced && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(100ms);
      totals = ReadTotals(server.Port());
    }
    const Totals expected = Expected(produced);
    EXPECT_EQ(totals.rows, expected.rows);
    EXPECT_EQ(totals.ids, expected.ids);
    EXPECT_EQ(totals.id_sum, expected.id_sum);
    EXPECT_EQ(totals.v_sum, expected.v_sum);
    last_rows = totals.rows;
    // The upsert table and the view over it reach the latest row of every account, once each.
    const std::pair<int64_t, int64_t> accounts = ExpectedAccounts(kill + 1);
    std::pair<int64_t, int64_t> view;
    std::pair<int64_t, int64_t> table;
    const auto accounts_deadline = std::chrono::steady_clock::now() + 60s;
    do {
      view = ReadPair(server.Port(), "SELECT n, total FROM account_totals");
      table = ReadPair(server.Port(), "SELECT count(*), sum(balance) FROM accounts");
      if (view == accounts && table == accounts) {
        break;
      }
      std::this_thread::sleep_for(100ms);
    } while (std::chrono::steady_clock::now() < accounts_deadline);
    EXPECT_EQ(view, accounts);
    EXPECT_EQ(table, accounts);
    if (HasFailure()) {
      ADD_FAILURE() << server.LogTail(40);
      break;
    }
  }
  server.Stop(10s);
  std::filesystem::remove_all(directory);
}

}  // namespace
}  // namespace freshet::sql_tests
