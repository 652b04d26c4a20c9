// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sql_tests/differential/answer.h"
#include "sql_tests/differential/sql_client.h"
#include "sql_tests/runner/server_process.h"

// What the modes of freshet_difftest share: the options, the Freshet server under test and the
// session with the oracle.
namespace freshet::sql_tests::differential {

inline constexpr int kExitDifferences = 1;
inline constexpr int kExitSetup = 2;
inline constexpr int kExitSkipped = 77;  // CTest's SKIP_RETURN_CODE: PostgreSQL is not installed
inline constexpr auto kServerReadyTimeout = std::chrono::seconds(60);
inline constexpr auto kConnectRetryWindow = std::chrono::seconds(15);
inline constexpr auto kStopGrace = std::chrono::seconds(10);
inline constexpr auto kSetupTimeout = std::chrono::seconds(120);

/// Everything the command line says.
struct Options {
  std::optional<std::string> freshet_binary;
  int freshet_port = 0;
  std::string postgres_bin;
  int postgres_port = 0;
  std::vector<std::string> query_paths;
  int generate = 0;
  /// --stream-views N: the streaming mode with N generated materialized views.
  int stream_views = 0;
  /// --rounds R: rounds of DML in the streaming mode.
  int rounds = 8;
  uint64_t seed = 42;
  std::optional<uint64_t> data_seed;
  std::chrono::milliseconds timeout = std::chrono::seconds(20);
  std::optional<std::chrono::seconds> deadline;
  bool only_freshet_errors = false;
  bool ignore_freshet_errors = false;
  bool compare_types = false;
  bool check_oracle = false;
  bool print_queries = false;
  bool quiet = false;
  size_t max_rows = 20;
  bool keep_data = false;
  bool verbose = false;
};

/// The signal that asked the program to stop, or 0.
extern std::atomic<int> g_stop_signal;

/// Prefixes every line of `text`.
std::string Indent(const std::string& text, std::string_view prefix = "    ");

/// A `freshet` server for the run: started on a free port with a fresh data directory and the
/// fixture loaded, and started afresh whenever it crashes or stops answering.
class FreshetServer {
 public:
  FreshetServer(const Options& options, std::vector<std::string> fixture)
      : options_(options), fixture_(std::move(fixture)) {}
  ~FreshetServer();
  FreshetServer(const FreshetServer&) = delete;
  FreshetServer& operator=(const FreshetServer&) = delete;

  /// Starts (or restarts) the server, connects and loads the fixture. Statements of the fixture
  /// that fail are reported once; queries on those tables then fail on their own.
  std::optional<std::string> Start();

  /// Runs one query; restarts the server afterwards if it did not answer.
  Answer Run(const std::string& sql);

  /// Runs one statement with its own timeout; restarts the server likewise.
  Answer Run(const std::string& sql, std::chrono::milliseconds timeout);

  /// How often the server had to be started afresh.
  int Restarts() const { return restarts_; }

  /// Drops the fixture's tables, for a server that was already running.
  static void DropFixtureTables(SqlClient& client);

 private:
  /// The last lines of the server's log, for reports.
  std::string LogTail() const;

  /// Stops the server and removes its directory (unless --keep-data).
  void StopAndClean();

  const Options& options_;
  std::vector<std::string> fixture_;
  std::unique_ptr<ServerProcess> server_;
  std::string directory_;
  SqlClient client_;
  bool fixture_reported_ = false;
  int restarts_ = 0;
};

/// Loads statements into PostgreSQL; any failure is fatal, since the oracle defines the truth.
std::optional<std::string> LoadIntoPostgres(SqlClient& client,
                                            const std::vector<std::string>& statements);

/// Connects to the oracle with the session settings both engines share.
std::optional<std::string> ConnectToPostgres(SqlClient& client,
                                             int port,
                                             const Options& options,
                                             const std::vector<std::string>& settings);

}  // namespace freshet::sql_tests::differential
