// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include <sys/types.h>

// Starting and stopping a `freshet` server as a child process for one .slt file.
namespace freshet::sql_tests {

/// Returns a TCP port on 127.0.0.1 that was free a moment ago (bound to port 0, then closed).
int FindFreePort();

/// Returns true when something accepts TCP connections on host:port.
bool AcceptsConnections(const std::string& host, int port);

/// Returns the last `count` lines of the file at `path` (fewer if it is shorter, empty if
/// unreadable).
std::string TailOfFile(const std::string& path, size_t count);

/// How a server process ended.
struct ExitReport {
  /// Exited with status 0 or by the SIGTERM/SIGKILL the runner sent.
  bool clean = false;
  /// "exited with status 1", "killed by signal 11 (Segmentation fault)", ...
  std::string description;
};

/// One `freshet` child process: `BINARY --listen 127.0.0.1 --port N --data-dir DIR`, stdout and
/// stderr appended to a log file. The child dies with the runner (PR_SET_PDEATHSIG). Not
/// thread-safe.
class ServerProcess {
 public:
  ServerProcess(std::string binary, std::string data_dir, std::string log_path);
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  /// Starts the server on a free port and waits up to `ready_timeout` until it accepts connections.
  /// Returns an error description (with the tail of the log) if it exits or does not get ready in
  /// time.
  std::optional<std::string> Start(std::chrono::milliseconds ready_timeout);

  /// Sends SIGTERM, waits up to `grace`, then SIGKILL; reaps the process. No-op report if not
  /// running.
  ExitReport Stop(std::chrono::milliseconds grace);

  /// Sends SIGKILL and reaps the process.
  ExitReport Kill();

  /// Returns how the process ended if it has exited on its own; std::nullopt while it runs. Reaps
  /// it.
  std::optional<ExitReport> PollExit();

  /// Waits up to `timeout` for the process to exit on its own; returns how it ended, or
  /// std::nullopt.
  std::optional<ExitReport> WaitForExit(std::chrono::milliseconds timeout);

  bool Running() const { return pid_ > 0; }
  int Port() const { return port_; }
  const std::string& LogPath() const { return log_path_; }
  /// The last `count` lines of the server's log.
  std::string LogTail(size_t count = 20) const { return TailOfFile(log_path_, count); }

 private:
  std::optional<std::string> StartOnce(int port, std::chrono::milliseconds ready_timeout);
  ExitReport Describe(int status) const;

  std::string binary_;
  std::string data_dir_;
  std::string log_path_;
  pid_t pid_ = -1;
  int port_ = 0;
  /// The signal the runner sent last, so dying of it counts as a clean end.
  int sent_signal_ = 0;
};

}  // namespace freshet::sql_tests
