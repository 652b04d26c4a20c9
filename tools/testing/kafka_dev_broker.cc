// SPDX-License-Identifier: Apache-2.0
#include "tools/testing/kafka_dev_broker.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/error.h"

namespace freshet::tools::testing {
namespace {

constexpr std::string_view kBootstrapPrefix = "bootstrap.servers=";
constexpr auto kStartTimeout = std::chrono::seconds(10);
constexpr auto kStopTimeout = std::chrono::seconds(5);

/// Waits for `pid` up to `timeout`; true once it was reaped.
bool WaitFor(pid_t pid, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    int status = 0;
    const pid_t reaped = waitpid(pid, &status, WNOHANG);
    if (reaped == pid || (reaped < 0 && errno == ECHILD)) {
      return true;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

void Stop(pid_t pid) {
  kill(pid, SIGTERM);
  if (!WaitFor(pid, kStopTimeout)) {
    kill(pid, SIGKILL);
    WaitFor(pid, std::chrono::milliseconds(kStopTimeout));
  }
}

std::vector<char*> ArgvPointers(const std::vector<std::string>& argv) {
  std::vector<char*> pointers;
  for (const std::string& arg : argv) {
    pointers.push_back(const_cast<char*>(arg.c_str()));
  }
  pointers.push_back(nullptr);
  return pointers;
}

}  // namespace

const char* KafkaDevPath() {
  return FRESHET_KAFKA_DEV_PATH;
}

KafkaDevBroker::KafkaDevBroker(int partitions, int brokers)
    : KafkaDevBroker([&] {
        KafkaDevBrokerOptions options;
        options.partitions = partitions;
        options.brokers = brokers;
        return options;
      }()) {}

KafkaDevBroker::KafkaDevBroker(const KafkaDevBrokerOptions& options) {
  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) {
    throw Error::Internal(std::string("pipe failed: ") + std::strerror(errno));
  }
  int log_fd = -1;
  if (!options.log_path.empty()) {
    log_fd = open(options.log_path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (log_fd < 0) {
      const std::string reason = std::strerror(errno);
      close(out[0]);
      close(out[1]);
      throw Error::Internal("cannot open " + options.log_path + ": " + reason);
    }
  }
  const std::vector<std::string> argv = {options.binary,
                                         "--port",
                                         "0",
                                         "--partitions",
                                         std::to_string(options.partitions),
                                         "--brokers",
                                         std::to_string(options.brokers)};
  std::vector<char*> pointers = ArgvPointers(argv);
  const std::string exec_failed = "cannot execute " + options.binary + "\n";
  const pid_t parent = getpid();
  pid_ = fork();
  if (pid_ < 0) {
    const std::string reason = std::strerror(errno);
    close(out[0]);
    close(out[1]);
    if (log_fd >= 0) {
      close(log_fd);
    }
    throw Error::Internal("fork failed: " + reason);
  }
  if (pid_ == 0) {
    // Only async-signal-safe calls from here on.
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent) {
      _exit(127);
    }
    dup2(out[1], STDOUT_FILENO);
    if (log_fd >= 0) {
      dup2(log_fd, STDERR_FILENO);
    }
    execv(pointers[0], pointers.data());
    const ssize_t ignored = write(STDERR_FILENO, exec_failed.data(), exec_failed.size());
    (void)ignored;
    _exit(127);
  }
  close(out[1]);
  if (log_fd >= 0) {
    close(log_fd);
  }
  std::string line;
  const auto deadline = std::chrono::steady_clock::now() + kStartTimeout;
  while (line.find('\n') == std::string::npos) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd poll_fd = {out[0], POLLIN, 0};
    if (left.count() <= 0 || poll(&poll_fd, 1, static_cast<int>(left.count())) <= 0) {
      break;
    }
    char buffer[256];
    const ssize_t read_bytes = read(out[0], buffer, sizeof(buffer));
    if (read_bytes <= 0) {
      break;
    }
    line.append(buffer, static_cast<size_t>(read_bytes));
  }
  close(out[0]);
  const size_t newline = line.find('\n');
  if (newline == std::string::npos || !line.starts_with(kBootstrapPrefix)) {
    Stop(pid_);
    throw Error::Internal("freshet-kafka-dev did not start: \"" + line + "\"");
  }
  bootstrap_servers_ = line.substr(kBootstrapPrefix.size(), newline - kBootstrapPrefix.size());
}

KafkaDevBroker::~KafkaDevBroker() {
  if (pid_ > 0) {
    Stop(pid_);
  }
}

CommandResult RunCommand(const std::vector<std::string>& argv,
                         const std::string& input,
                         std::optional<std::chrono::milliseconds> timeout) {
  int in[2];
  int out[2];
  int err[2];
  if (pipe2(in, O_CLOEXEC) != 0) {
    throw Error::Internal(std::string("pipe failed: ") + std::strerror(errno));
  }
  if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) {
    // A leak of a few descriptors on an error that ends the test anyway.
    throw Error::Internal(std::string("pipe failed: ") + std::strerror(errno));
  }
  std::vector<char*> pointers = ArgvPointers(argv);
  const std::string exec_failed =
      "cannot execute " + (argv.empty() ? std::string() : argv[0]) + "\n";
  const pid_t pid = fork();
  if (pid < 0) {
    throw Error::Internal(std::string("fork failed: ") + std::strerror(errno));
  }
  if (pid == 0) {
    dup2(in[0], STDIN_FILENO);
    dup2(out[1], STDOUT_FILENO);
    dup2(err[1], STDERR_FILENO);
    execvp(pointers[0], pointers.data());
    const ssize_t ignored = write(STDERR_FILENO, exec_failed.data(), exec_failed.size());
    (void)ignored;
    _exit(127);
  }
  close(in[0]);
  close(out[1]);
  close(err[1]);
  // A child that exits before reading all its input must not kill the test with SIGPIPE.
  signal(SIGPIPE, SIG_IGN);
  // Feed stdin from a thread so a child that writes a lot before reading cannot deadlock us.
  std::thread writer([fd = in[1], &input] {
    size_t written = 0;
    while (written < input.size()) {
      const ssize_t step = write(fd, input.data() + written, input.size() - written);
      if (step <= 0) {
        break;
      }
      written += static_cast<size_t>(step);
    }
    close(fd);
  });
  CommandResult result;
  std::optional<std::chrono::steady_clock::time_point> deadline;
  if (timeout) {
    deadline = std::chrono::steady_clock::now() + *timeout;
  }
  pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
  std::string* sinks[2] = {&result.output, &result.error_output};
  int open_fds = 2;
  char buffer[65536];
  while (open_fds > 0) {
    int wait_ms = -1;
    if (deadline) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          *deadline - std::chrono::steady_clock::now());
      wait_ms = static_cast<int>(std::max<int64_t>(left.count(), 0));
    }
    const int ready = poll(fds, 2, wait_ms);
    if (ready < 0 && errno == EINTR) {
      continue;
    }
    if (ready <= 0) {
      // Timed out (or poll failed): kill the child, which closes its ends of the pipes.
      result.timed_out = ready == 0;
      kill(pid, SIGKILL);
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) {
        continue;
      }
      const ssize_t step = read(fds[i].fd, buffer, sizeof(buffer));
      if (step > 0) {
        sinks[i]->append(buffer, static_cast<size_t>(step));
      } else if (step == 0 || errno != EINTR) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
  for (const pollfd& fd : fds) {
    if (fd.fd >= 0) {
      close(fd.fd);
    }
  }
  writer.join();
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

std::vector<std::string> CommandResult::Lines() const {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < output.size()) {
    const size_t end = output.find('\n', start);
    lines.push_back(output.substr(start, end - start));
    start = end == std::string::npos ? output.size() : end + 1;
  }
  return lines;
}

}  // namespace freshet::tools::testing
