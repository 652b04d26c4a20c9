// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <sys/types.h>

namespace freshet::tools::testing {

/// The path of the freshet-kafka-dev binary this build produced.
const char* KafkaDevPath();

/// How to start a freshet-kafka-dev broker.
struct KafkaDevBrokerOptions {
  /// Partitions of a topic created on first use.
  int partitions = 1;
  int brokers = 1;
  /// The broker binary; the one this build produced by default.
  std::string binary = KafkaDevPath();
  /// When set, the broker's stderr is appended to this file instead of going to ours.
  std::string log_path;
};

/// Runs freshet-kafka-dev as a child process on a free port for the lifetime of the object: the
/// constructor waits for its `bootstrap.servers=` line, the destructor stops it (SIGTERM, then
/// SIGKILL after a few seconds) and reaps it. The broker dies with the thread that started it
/// (PR_SET_PDEATHSIG), so a crashed test leaves none behind. Throws Error (XX000) when the broker
/// does not start. Not thread-safe.
class KafkaDevBroker {
 public:
  /// Starts a broker whose topics are created on first use with `partitions` partitions.
  explicit KafkaDevBroker(int partitions = 1, int brokers = 1);
  explicit KafkaDevBroker(const KafkaDevBrokerOptions& options);
  ~KafkaDevBroker();
  KafkaDevBroker(const KafkaDevBroker&) = delete;
  KafkaDevBroker& operator=(const KafkaDevBroker&) = delete;

  /// The bootstrap.servers list, e.g. "127.0.0.1:40123".
  const std::string& BootstrapServers() const { return bootstrap_servers_; }
  pid_t Pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  std::string bootstrap_servers_;
};

/// What a command run by RunCommand did.
struct CommandResult {
  /// The exit status; -1 when it was killed by a signal (also after a timeout).
  int exit_status = -1;
  std::string output;
  /// What it wrote to stderr.
  std::string error_output;
  /// It was still running after the timeout and was killed.
  bool timed_out = false;

  /// `output` split at line breaks, without them.
  std::vector<std::string> Lines() const;
};

/// Runs `argv` (argv[0] looked up in PATH) with `input` on its stdin and returns its exit status,
/// stdout and stderr; for driving kcat from tests. With a `timeout`, a command still running then
/// is killed with SIGKILL. Throws Error (XX000) when it cannot be started.
CommandResult RunCommand(const std::vector<std::string>& argv,
                         const std::string& input,
                         std::optional<std::chrono::milliseconds> timeout = std::nullopt);

}  // namespace freshet::tools::testing
