// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include <pqxx/pqxx>

#include "sql_tests/differential/answer.h"

namespace freshet::sql_tests::differential {

/// Shuts down a socket when a statement runs past its deadline, which makes the blocked libpq
/// call return. One thread per watchdog; Arm and Disarm come from a single caller.
class Watchdog {
 public:
  Watchdog();
  ~Watchdog();
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

  /// Starts watching `socket` for `timeout`.
  void Arm(int socket, std::chrono::milliseconds timeout);
  /// Stops watching; returns true if the deadline passed and the socket was shut down.
  bool Disarm();

 private:
  /// The thread's body: waits for a deadline and shuts the socket when it passes.
  void Loop();

  std::mutex mutex_;
  std::condition_variable wake_;
  bool armed_ = false;
  bool fired_ = false;
  bool stopping_ = false;
  int socket_ = -1;
  std::chrono::steady_clock::time_point deadline_;
  std::thread thread_;
};

/// One connection to a server (Freshet or PostgreSQL) over which queries run one at a time as
/// simple Query messages, each under a timeout. Not thread-safe.
class SqlClient {
 public:
  SqlClient();
  ~SqlClient();
  SqlClient(const SqlClient&) = delete;
  SqlClient& operator=(const SqlClient&) = delete;

  /// Connects, retrying for up to `retry_window`, since a server that accepts TCP connections
  /// may still refuse sessions while it starts. Returns the last error if it never succeeds.
  std::optional<std::string> Connect(const std::string& host,
                                     int port,
                                     const std::string& user,
                                     const std::string& dbname,
                                     std::chrono::milliseconds retry_window);

  /// Closes the connection.
  void Disconnect();

  /// True while a connection is open.
  bool Connected() const { return connection_ != nullptr; }

  /// Runs one statement and collects its answer. A lost connection or a timeout closes the
  /// connection; the caller reconnects (or restarts the server).
  Answer Run(const std::string& sql, std::chrono::milliseconds timeout);

 private:
  std::unique_ptr<pqxx::connection> connection_;
  std::unique_ptr<pqxx::quiet_errorhandler> quiet_;
  Watchdog watchdog_;
  /// The slot of this connection's socket in the table ShutdownAllConnections reads.
  int slot_ = -1;
};

/// Shuts down the sockets of every open SqlClient connection. Async-signal-safe: a signal
/// handler calls it so that blocked queries return and the program can stop its servers.
void ShutdownAllConnections();

}  // namespace freshet::sql_tests::differential
