// SPDX-License-Identifier: Apache-2.0
#include "sql_tests/runner/server_process.h"

#include <cctype>
#include <cerrno>
#include <cstring>
#include <deque>
#include <fstream>
#include <thread>
#include <utility>
#include <vector>

#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

namespace freshet::sql_tests {
namespace {

using Clock = std::chrono::steady_clock;

constexpr auto kPollInterval = std::chrono::milliseconds(50);
constexpr int kStartAttempts = 3;
constexpr size_t kLogTailLines = 20;

void AppendToLog(const std::string& path, const std::string& line) {
  std::ofstream log(path, std::ios::app);
  log << line << '\n';
}

bool LooksLikePortInUse(const std::string& log_tail) {
  std::string lower = log_tail;
  for (char& c : lower) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return lower.find("address already in use") != std::string::npos ||
         lower.find("eaddrinuse") != std::string::npos;
}

}  // namespace

int FindFreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) {
    return 0;
  }
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  int port = 0;
  socklen_t length = sizeof(address);
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    port = ntohs(address.sin_port);
  }
  close(fd);
  return port;
}

bool AcceptsConnections(const std::string& host, int port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* addresses = nullptr;
  std::string service = std::to_string(port);
  if (getaddrinfo(host.c_str(), service.c_str(), &hints, &addresses) != 0) {
    return false;
  }
  bool accepted = false;
  for (addrinfo* address = addresses; address != nullptr && !accepted; address = address->ai_next) {
    int fd = socket(address->ai_family, address->ai_socktype | SOCK_CLOEXEC, address->ai_protocol);
    if (fd < 0) {
      continue;
    }
    accepted = connect(fd, address->ai_addr, address->ai_addrlen) == 0;
    close(fd);
  }
  freeaddrinfo(addresses);
  return accepted;
}

std::string TailOfFile(const std::string& path, size_t count) {
  std::ifstream file(path);
  std::deque<std::string> lines;
  std::string line;
  while (std::getline(file, line)) {
    lines.push_back(std::move(line));
    if (lines.size() > count) {
      lines.pop_front();
    }
  }
  std::string tail;
  for (const std::string& kept : lines) {
    tail += kept;
    tail += '\n';
  }
  return tail;
}

ServerProcess::ServerProcess(std::string binary, std::string data_dir, std::string log_path)
    : binary_(std::move(binary)), data_dir_(std::move(data_dir)), log_path_(std::move(log_path)) {}

ServerProcess::~ServerProcess() {
  if (Running()) {
    Kill();
  }
}

std::optional<std::string> ServerProcess::Start(std::chrono::milliseconds ready_timeout) {
  std::optional<std::string> error;
  for (int attempt = 1; attempt <= kStartAttempts; ++attempt) {
    int port = FindFreePort();
    if (port == 0) {
      return "could not find a free port on 127.0.0.1";
    }
    error = StartOnce(port, ready_timeout);
    // Another process may take the port between FindFreePort and the server's bind; try another
    // one.
    if (!error || Running() || !LooksLikePortInUse(LogTail(kLogTailLines))) {
      return error;
    }
  }
  return error;
}

std::optional<std::string> ServerProcess::StartOnce(int port,
                                                    std::chrono::milliseconds ready_timeout) {
  port_ = port;
  sent_signal_ = 0;
  std::vector<std::string> arguments = {
      binary_, "--listen", "127.0.0.1", "--port", std::to_string(port), "--data-dir", data_dir_};
  std::string command;
  for (const std::string& argument : arguments) {
    command += command.empty() ? "" : " ";
    command += argument;
  }
  AppendToLog(log_path_, fmt::format("=== freshet_slt: starting {}", command));

  // Everything the child needs is prepared before fork: after it, only async-signal-safe calls.
  std::vector<char*> argv;
  argv.reserve(arguments.size() + 1);
  for (std::string& argument : arguments) {
    argv.push_back(argument.data());
  }
  argv.push_back(nullptr);
  int log_fd = open(log_path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (log_fd < 0) {
    return fmt::format("cannot open server log {}: {}", log_path_, std::strerror(errno));
  }
  int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  pid_t parent = getpid();

  pid_t pid = fork();
  if (pid < 0) {
    close(log_fd);
    close(null_fd);
    return fmt::format("fork failed: {}", std::strerror(errno));
  }
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) {
      _exit(127);
    }
    if (null_fd >= 0) {
      dup2(null_fd, STDIN_FILENO);
    }
    dup2(log_fd, STDOUT_FILENO);
    dup2(log_fd, STDERR_FILENO);
    execv(argv[0], argv.data());
    const char message[] = "freshet_slt: exec of the server binary failed\n";
    ssize_t ignored = write(STDERR_FILENO, message, sizeof(message) - 1);
    (void)ignored;
    _exit(127);
  }
  close(log_fd);
  if (null_fd >= 0) {
    close(null_fd);
  }
  pid_ = pid;

  auto deadline = Clock::now() + ready_timeout;
  while (true) {
    if (std::optional<ExitReport> exit = PollExit()) {
      return fmt::format(
          "server exited before accepting connections ({})\n--- last lines of {} ---\n{}",
          exit->description, log_path_, LogTail(kLogTailLines));
    }
    if (AcceptsConnections("127.0.0.1", port)) {
      return std::nullopt;
    }
    if (Clock::now() >= deadline) {
      Kill();
      return fmt::format(
          "server did not accept connections on port {} within {} ms\n--- last lines of {} ---\n{}",
          port, ready_timeout.count(), log_path_, LogTail(kLogTailLines));
    }
    std::this_thread::sleep_for(kPollInterval);
  }
}

ExitReport ServerProcess::Describe(int status) const {
  ExitReport report;
  if (WIFEXITED(status)) {
    report.clean = WEXITSTATUS(status) == 0;
    report.description = fmt::format("exited with status {}", WEXITSTATUS(status));
  } else if (WIFSIGNALED(status)) {
    int signal_number = WTERMSIG(status);
    report.clean =
        signal_number == sent_signal_ && (signal_number == SIGTERM || signal_number == SIGKILL);
    report.description =
        fmt::format("killed by signal {} ({})", signal_number, strsignal(signal_number));
  } else {
    report.description = fmt::format("ended with wait status {}", status);
  }
  return report;
}

std::optional<ExitReport> ServerProcess::PollExit() {
  if (!Running()) {
    return std::nullopt;
  }
  int status = 0;
  pid_t result = waitpid(pid_, &status, WNOHANG);
  if (result == 0) {
    return std::nullopt;
  }
  pid_ = -1;
  if (result < 0) {
    return ExitReport{false, fmt::format("lost track of the process: {}", std::strerror(errno))};
  }
  return Describe(status);
}

std::optional<ExitReport> ServerProcess::WaitForExit(std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  while (Running()) {
    if (std::optional<ExitReport> exit = PollExit()) {
      return exit;
    }
    if (Clock::now() >= deadline) {
      return std::nullopt;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return std::nullopt;
}

ExitReport ServerProcess::Stop(std::chrono::milliseconds grace) {
  if (!Running()) {
    return ExitReport{true, "not running"};
  }
  sent_signal_ = SIGTERM;
  kill(pid_, SIGTERM);
  if (std::optional<ExitReport> exit = WaitForExit(grace)) {
    return *exit;
  }
  ExitReport report = Kill();
  report.clean = false;
  report.description =
      fmt::format("did not stop within {} ms of SIGTERM; killed with SIGKILL", grace.count());
  return report;
}

ExitReport ServerProcess::Kill() {
  if (!Running()) {
    return ExitReport{true, "not running"};
  }
  sent_signal_ = SIGKILL;
  kill(pid_, SIGKILL);
  int status = 0;
  pid_t result;
  do {
    result = waitpid(pid_, &status, 0);
  } while (result < 0 && errno == EINTR);
  pid_ = -1;
  if (result < 0) {
    return ExitReport{false, fmt::format("lost track of the process: {}", std::strerror(errno))};
  }
  return Describe(status);
}

}  // namespace freshet::sql_tests
