// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <sys/types.h>

namespace freshet::sql_tests::differential {

/// A throwaway PostgreSQL server, the oracle: initdb into a fresh temporary directory, then
/// `postgres` as a child process listening only on 127.0.0.1 on a free port, with fsync off, C
/// locale and collation, UTF8 and TimeZone UTC. When run as root, both run as the `postgres` OS
/// user, who owns the directory. The server dies with this process (PR_SET_PDEATHSIG), so a
/// killed test leaves no server behind. Not thread-safe.
class PostgresOracle {
 public:
  /// `bin_dir` holds initdb and postgres (/usr/lib/postgresql/15/bin).
  explicit PostgresOracle(std::string bin_dir, bool keep_directory);
  ~PostgresOracle();
  PostgresOracle(const PostgresOracle&) = delete;
  PostgresOracle& operator=(const PostgresOracle&) = delete;

  /// Creates the cluster and starts the server; waits up to `ready_timeout` for it to accept
  /// TCP connections. Returns an error description, with the tail of the logs, on failure.
  std::optional<std::string> Start(std::chrono::milliseconds ready_timeout);

  /// Stops the server (fast shutdown, SIGKILL after `grace`) and removes the directory unless
  /// asked to keep it.
  void Stop(std::chrono::milliseconds grace);

  /// The port the server listens on (127.0.0.1).
  int Port() const { return port_; }
  /// The server's process id, or -1; the signal handler stops it with this.
  pid_t Pid() const { return pid_; }
  /// The temporary directory with data/, postgres.log and initdb.log.
  const std::string& Directory() const { return directory_; }
  /// The last lines of the server log.
  std::string LogTail() const;

 private:
  /// Runs a program as the server's user, waits for it, and returns an error on failure.
  std::optional<std::string> RunToCompletion(const std::vector<std::string>& arguments,
                                             const std::string& log_path);
  /// Forks and execs `arguments` as the server's user with output appended to `log_path`.
  pid_t Spawn(const std::vector<std::string>& arguments, const std::string& log_path);
  /// Starts postgres on a fresh free port and waits until it accepts connections.
  std::optional<std::string> StartOnce(std::chrono::milliseconds ready_timeout);
  /// Stops the server process: SIGINT (fast shutdown), then SIGKILL after `grace`.
  void StopServer(std::chrono::milliseconds grace);

  std::string bin_dir_;
  bool keep_directory_;
  std::string directory_;
  pid_t pid_ = -1;
  int port_ = 0;
  /// Set when running as root: the uid and gid of the `postgres` user.
  bool switch_user_ = false;
  uid_t uid_ = 0;
  gid_t gid_ = 0;
};

}  // namespace freshet::sql_tests::differential
