// SPDX-License-Identifier: Apache-2.0
#include "sql_tests/differential/postgres_oracle.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <thread>

#include <fcntl.h>
#include <fmt/format.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sql_tests/runner/server_process.h"

namespace freshet::sql_tests::differential {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int kStartAttempts = 3;
constexpr size_t kLogTailLines = 20;

/// Waits for `pid` without blocking; returns its wait status once it has exited.
std::optional<int> PollChild(pid_t pid) {
  int status = 0;
  pid_t result = waitpid(pid, &status, WNOHANG);
  if (result == pid || (result < 0 && errno == ECHILD)) {
    return status;
  }
  return std::nullopt;
}

/// Describes a wait status for error messages.
std::string DescribeStatus(int status) {
  if (WIFEXITED(status)) {
    return fmt::format("exited with status {}", WEXITSTATUS(status));
  }
  if (WIFSIGNALED(status)) {
    return fmt::format("killed by signal {}", WTERMSIG(status));
  }
  return fmt::format("ended with wait status {}", status);
}

}  // namespace

PostgresOracle::PostgresOracle(std::string bin_dir, bool keep_directory)
    : bin_dir_(std::move(bin_dir)), keep_directory_(keep_directory) {}

PostgresOracle::~PostgresOracle() {
  Stop(std::chrono::seconds(10));
}

std::string PostgresOracle::LogTail() const {
  return TailOfFile(directory_ + "/postgres.log", kLogTailLines);
}

pid_t PostgresOracle::Spawn(const std::vector<std::string>& arguments,
                            const std::string& log_path) {
  // Everything the child needs is prepared before fork: after it, only async-signal-safe calls.
  std::vector<std::string> owned = arguments;
  std::vector<char*> argv;
  for (std::string& argument : owned) {
    argv.push_back(argument.data());
  }
  argv.push_back(nullptr);
  int log_fd = open(log_path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (log_fd < 0) {
    return -1;
  }
  if (switch_user_ && fchown(log_fd, uid_, gid_) != 0) {
    close(log_fd);
    return -1;
  }
  int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid == 0) {
    if (switch_user_ && (setgroups(1, &gid_) != 0 || setgid(gid_) != 0 || setuid(uid_) != 0)) {
      _exit(126);
    }
    // Set after the user change, which clears it; the server must not outlive the test.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) {
      _exit(127);
    }
    if (chdir(directory_.c_str()) != 0) {
      _exit(126);
    }
    if (null_fd >= 0) {
      dup2(null_fd, STDIN_FILENO);
    }
    dup2(log_fd, STDOUT_FILENO);
    dup2(log_fd, STDERR_FILENO);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(log_fd);
  if (null_fd >= 0) {
    close(null_fd);
  }
  return pid;
}

std::optional<std::string> PostgresOracle::RunToCompletion(
    const std::vector<std::string>& arguments, const std::string& log_path) {
  pid_t pid = Spawn(arguments, log_path);
  if (pid < 0) {
    return fmt::format("cannot start {}: {}", arguments[0], std::strerror(errno));
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
    return std::nullopt;
  }
  return fmt::format("{} {}\n--- last lines of {} ---\n{}", arguments[0], DescribeStatus(status),
                     log_path, TailOfFile(log_path, kLogTailLines));
}

std::optional<std::string> PostgresOracle::Start(std::chrono::milliseconds ready_timeout) {
  for (const char* program : {"initdb", "postgres"}) {
    std::string path = fmt::format("{}/{}", bin_dir_, program);
    if (access(path.c_str(), X_OK) != 0) {
      return fmt::format("no PostgreSQL at {} ({} is missing)", bin_dir_, path);
    }
  }
  if (geteuid() == 0) {
    // PostgreSQL refuses to run as root.
    passwd* user = getpwnam("postgres");
    if (user == nullptr) {
      return "running as root, but there is no `postgres` user to run PostgreSQL as";
    }
    switch_user_ = true;
    uid_ = user->pw_uid;
    gid_ = user->pw_gid;
  }
  std::string pattern = "/tmp/freshet-difftest-pg-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) {
    return fmt::format("mkdtemp under /tmp failed: {}", std::strerror(errno));
  }
  directory_ = pattern;
  if (switch_user_ && chown(directory_.c_str(), uid_, gid_) != 0) {
    return fmt::format("cannot give {} to the postgres user: {}", directory_, std::strerror(errno));
  }
  chmod(directory_.c_str(), 0700);

  if (std::optional<std::string> error =
          RunToCompletion({bin_dir_ + "/initdb", "-D", directory_ + "/data", "-U", "freshet", "-A",
                           "trust", "--no-locale", "-E", "UTF8", "--no-sync", "--no-instructions"},
                          directory_ + "/initdb.log")) {
    return "initdb failed: " + *error;
  }
  std::optional<std::string> error;
  for (int attempt = 1; attempt <= kStartAttempts; ++attempt) {
    error = StartOnce(ready_timeout);
    // Another process may take the port between FindFreePort and the bind; try another one.
    if (!error || LogTail().find("could not bind") == std::string::npos) {
      return error;
    }
  }
  return error;
}

std::optional<std::string> PostgresOracle::StartOnce(std::chrono::milliseconds ready_timeout) {
  port_ = FindFreePort();
  if (port_ == 0) {
    return "could not find a free port on 127.0.0.1";
  }
  std::vector<std::string> arguments = {bin_dir_ + "/postgres",
                                        "-D",
                                        directory_ + "/data",
                                        "-p",
                                        std::to_string(port_),
                                        "-k",
                                        directory_};
  for (const char* setting : {"listen_addresses=127.0.0.1", "fsync=off", "synchronous_commit=off",
                              "full_page_writes=off", "TimeZone=UTC", "DateStyle=ISO, MDY",
                              "lc_messages=C", "max_connections=20", "log_min_messages=warning"}) {
    arguments.emplace_back("-c");
    arguments.emplace_back(setting);
  }
  pid_ = Spawn(arguments, directory_ + "/postgres.log");
  if (pid_ < 0) {
    return fmt::format("cannot start postgres: {}", std::strerror(errno));
  }
  auto deadline = Clock::now() + ready_timeout;
  while (true) {
    if (std::optional<int> status = PollChild(pid_)) {
      pid_ = -1;
      return fmt::format("postgres {} before accepting connections\n--- last lines of {} ---\n{}",
                         DescribeStatus(*status), directory_ + "/postgres.log", LogTail());
    }
    if (AcceptsConnections("127.0.0.1", port_)) {
      return std::nullopt;
    }
    if (Clock::now() >= deadline) {
      StopServer(std::chrono::seconds(5));
      return fmt::format("postgres did not accept connections within {} ms", ready_timeout.count());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

void PostgresOracle::Stop(std::chrono::milliseconds grace) {
  StopServer(grace);
  if (!directory_.empty() && !keep_directory_) {
    std::error_code ignored;
    std::filesystem::remove_all(directory_, ignored);
    directory_.clear();
  }
}

void PostgresOracle::StopServer(std::chrono::milliseconds grace) {
  if (pid_ > 0) {
    kill(pid_, SIGINT);  // fast shutdown: roll back sessions, exit without waiting for clients
    auto deadline = Clock::now() + grace;
    while (!PollChild(pid_)) {
      if (Clock::now() >= deadline) {
        kill(pid_, SIGKILL);
        int status = 0;
        while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
        }
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    pid_ = -1;
  }
}

}  // namespace freshet::sql_tests::differential
