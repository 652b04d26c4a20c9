// SPDX-License-Identifier: Apache-2.0
#include "sql_tests/runner/slt_runner.h"

#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <thread>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <pqxx/pqxx>
#include <sys/socket.h>

#include "sql_tests/runner/result_comparison.h"
#include "sql_tests/runner/server_process.h"
#include "sql_tests/runner/slt_parser.h"

namespace freshet::sql_tests {
namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kLogTailLines = 20;
constexpr auto kCrashGrace = std::chrono::milliseconds(2000);
constexpr auto kConnectRetryWindow = std::chrono::milliseconds(5000);

/// Ends the playing of a file early: the connection or the server is gone.
class FileAborted : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Shuts down the connection's socket when a statement runs longer than the timeout, so a hung
/// server fails the file instead of hanging the runner. Arm/Disarm are called by the runner thread;
/// the watchdog has its own thread.
class StatementWatchdog {
 public:
  explicit StatementWatchdog(std::chrono::milliseconds timeout)
      : timeout_(timeout), thread_([this] { Loop(); }) {}

  ~StatementWatchdog() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }

  StatementWatchdog(const StatementWatchdog&) = delete;
  StatementWatchdog& operator=(const StatementWatchdog&) = delete;

  /// Starts timing a statement running on socket `fd`.
  void Arm(int fd) {
    {
      std::lock_guard lock(mutex_);
      fd_ = fd;
      deadline_ = Clock::now() + timeout_;
      fired_ = false;
    }
    wake_.notify_all();
  }

  /// Stops timing; returns whether the timeout fired meanwhile.
  bool Disarm() {
    std::lock_guard lock(mutex_);
    deadline_.reset();
    return fired_;
  }

 private:
  void Loop() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      if (!deadline_) {
        wake_.wait(lock);
        continue;
      }
      wake_.wait_until(lock, *deadline_);
      if (deadline_ && Clock::now() >= *deadline_) {
        shutdown(fd_, SHUT_RDWR);
        fired_ = true;
        deadline_.reset();
      }
    }
  }

  const std::chrono::milliseconds timeout_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::optional<Clock::time_point> deadline_;
  int fd_ = -1;
  bool fired_ = false;
  bool stopping_ = false;
  std::thread thread_;
};

std::string Indent(std::string_view text, std::string_view prefix = "    ") {
  std::string indented;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) {
      end = text.size();
    }
    indented += prefix;
    indented += text.substr(start, end - start);
    indented += '\n';
    start = end + 1;
  }
  return indented;
}

std::string QuoteConnectionValue(std::string_view value) {
  std::string quoted = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\') {
      quoted += '\\';
    }
    quoted += c;
  }
  quoted += '\'';
  return quoted;
}

std::string Describe(const ErrorExpectation& expectation) {
  if (expectation.pattern.empty()) {
    return "an error";
  }
  return fmt::format("an error matching {}", expectation.pattern);
}

/// Plays one file; owns the file's server (if any) and its connection.
class FileRunner {
 public:
  FileRunner(std::string path, const RunnerOptions& options, std::ostream& out)
      : path_(std::move(path)),
        options_(options),
        out_(out),
        watchdog_(options.statement_timeout) {}

  ~FileRunner() {
    Disconnect();
    server_.reset();
    if (!work_dir_.empty() && !options_.keep_data) {
      std::error_code ignored;
      std::filesystem::remove_all(work_dir_, ignored);
    }
  }

  FileRunner(const FileRunner&) = delete;
  FileRunner& operator=(const FileRunner&) = delete;

  FileReport Run() {
    auto started = Clock::now();
    try {
      Play();
    } catch (const FileAborted& aborted) {
      FailFile(aborted.what());
    }
    Shutdown();
    report_.passed = !file_failed_ && report_.records_failed == 0;
    auto elapsed =
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count();
    // Worded unlike the final "N passed, N failed" line, so that line stays the only one of its
    // shape.
    int ran = report_.records_passed + report_.records_failed;
    if (report_.passed) {
      out_ << fmt::format("PASS {} ({} records ok, {} skipped; {} ms)\n", path_, ran,
                          report_.records_skipped, elapsed);
    } else {
      out_ << fmt::format("FAIL {} ({} of {} records failed, {} skipped; {} ms)\n", path_,
                          report_.records_failed, ran, report_.records_skipped, elapsed);
    }
    if (options_.keep_data && !work_dir_.empty()) {
      out_ << fmt::format("  kept {}\n", work_dir_);
    }
    out_.flush();
    return report_;
  }

 private:
  void Play() {
    std::ifstream file(path_);
    if (!file) {
      throw FileAborted(fmt::format("cannot read {}", path_));
    }
    std::stringstream text;
    text << file.rdbuf();
    std::vector<Record> records;
    try {
      records = ParseSlt(text.str());
    } catch (const SltParseError& error) {
      out_ << fmt::format("{}: malformed file: {}\n\n", path_, error.what());
      file_failed_ = true;
      return;
    }

    if (options_.binary) {
      StartServer();
    }
    Connect();

    for (const Record& record : records) {
      if (!ShouldRun(record, options_.engine)) {
        ++report_.records_skipped;
        continue;
      }
      if (options_.verbose) {
        out_ << fmt::format("{}:{}: {}\n", path_, record.line, FirstLine(record));
        out_.flush();
      }
      if (record.kind == RecordKind::kHalt) {
        break;
      }
      current_line_ = record.line;
      std::optional<std::string> failure = RunRecord(record);
      if (failure) {
        ++report_.records_failed;
        out_ << fmt::format("{}:{}: {}\n\n", path_, record.line, Trimmed(*failure));
        out_.flush();
      } else {
        ++report_.records_passed;
      }
    }
    current_line_ = 0;
  }

  static std::string FirstLine(const Record& record) {
    switch (record.kind) {
      case RecordKind::kRestart:
        return record.kill ? "restart kill" : "restart";
      case RecordKind::kSleep:
        return fmt::format("sleep {}ms", record.duration.count());
      case RecordKind::kHalt:
        return "halt";
      default:
        return record.sql.substr(0, record.sql.find('\n'));
    }
  }

  /// Runs one record; returns a description of the failure, or std::nullopt. Throws FileAborted.
  std::optional<std::string> RunRecord(const Record& record) {
    switch (record.kind) {
      case RecordKind::kSleep:
        std::this_thread::sleep_for(record.duration);
        return std::nullopt;
      case RecordKind::kRestart:
        return Restart(record.kill);
      case RecordKind::kHalt:
        return std::nullopt;
      case RecordKind::kStatement:
      case RecordKind::kQuery: {
        std::optional<std::string> failure = RunSql(record);
        for (int attempt = 0; failure && attempt < record.retry_attempts; ++attempt) {
          std::this_thread::sleep_for(record.retry_backoff);
          failure = RunSql(record);
        }
        if (failure && record.retry_attempts > 0) {
          return fmt::format("after {} retries: {}", record.retry_attempts, *failure);
        }
        return failure;
      }
    }
    return std::nullopt;
  }

  /// Puts the record's SQL under the first line of a failure description.
  static std::string WithSql(const Record& record, const std::string& failure) {
    size_t newline = failure.find('\n');
    std::string headline = failure.substr(0, newline);
    std::string details = newline == std::string::npos ? "" : failure.substr(newline + 1);
    return fmt::format("{}\n  sql:\n{}{}", headline, Indent(record.sql), details);
  }

  std::optional<std::string> RunSql(const Record& record) {
    std::optional<pqxx::result> result;
    std::optional<ServerError> error;
    Execute(record.sql, result, error);

    if (record.expect_error) {
      if (!error) {
        return WithSql(record,
                       fmt::format("expected {}, but it succeeded", Describe(record.error)));
      }
      if (std::optional<std::string> mismatch = CheckError(record.error, *error)) {
        return WithSql(record, *mismatch);
      }
      return std::nullopt;
    }
    if (error) {
      return WithSql(record, fmt::format("unexpected error [{}] {}\n{}", error->sqlstate,
                                         PrimaryMessage(error->text), ErrorDetails(error->text)));
    }
    if (record.kind == RecordKind::kStatement) {
      auto affected = static_cast<int64_t>(result->affected_rows());
      if (record.expected_count && affected != *record.expected_count) {
        return WithSql(record, fmt::format("expected {} affected row(s), got {}",
                                           *record.expected_count, affected));
      }
      return std::nullopt;
    }
    std::vector<ResultRow> rows;
    rows.reserve(result->size());
    for (const auto& row : *result) {
      ResultRow values;
      values.reserve(row.size());
      for (const auto& field : row) {
        if (field.is_null()) {
          values.emplace_back(std::nullopt);
        } else {
          values.emplace_back(std::string(field.c_str(), field.size()));
        }
      }
      rows.push_back(std::move(values));
    }
    if (std::optional<std::string> mismatch =
            CompareQueryResult(record, static_cast<size_t>(result->columns()), rows)) {
      return WithSql(record, *mismatch);
    }
    return std::nullopt;
  }

  /// The lines of an error text after the first (LINE, DETAIL, HINT), indented, for failure
  /// reports.
  static std::string ErrorDetails(const std::string& text) {
    size_t newline = text.find('\n');
    if (newline == std::string::npos || newline + 1 >= text.size()) {
      return "";
    }
    return Indent(text.substr(newline + 1), "  | ");
  }

  /// Sends `sql` as one simple Query; fills `result` or `error`. Throws FileAborted when the
  /// connection is lost or the statement times out.
  void Execute(const std::string& sql,
               std::optional<pqxx::result>& result,
               std::optional<ServerError>& error) {
    if (!connection_) {
      throw FileAborted("not connected");
    }
    watchdog_.Arm(connection_->sock());
    try {
      pqxx::nontransaction transaction(*connection_);
      result = transaction.exec(sql);
    } catch (const pqxx::broken_connection& lost) {
      bool timed_out = watchdog_.Disarm();
      ConnectionLost(timed_out, lost.what());
    } catch (const pqxx::sql_error& failed) {
      bool timed_out = watchdog_.Disarm();
      if (timed_out || !connection_->is_open()) {
        ConnectionLost(timed_out, failed.what());
      }
      error = ServerError{failed.sqlstate(), failed.what()};
      return;
    } catch (const std::exception& failed) {
      bool timed_out = watchdog_.Disarm();
      if (timed_out || !connection_->is_open()) {
        ConnectionLost(timed_out, failed.what());
      }
      throw FileAborted(fmt::format("client error: {}", failed.what()));
    }
    if (watchdog_.Disarm()) {
      ConnectionLost(true, "statement finished as its connection was shut down");
    }
  }

  [[noreturn]] void ConnectionLost(bool timed_out, const std::string& what) {
    Disconnect();
    std::string message;
    if (timed_out) {
      message = fmt::format("statement timed out after {} ms; connection shut down",
                            options_.statement_timeout.count());
    } else {
      message = fmt::format("connection lost: {}", Trimmed(what));
    }
    if (server_) {
      if (std::optional<ExitReport> exit = server_->WaitForExit(kCrashGrace)) {
        message += fmt::format("\nserver process {}", exit->description);
      } else {
        message += "\nserver process is still running";
      }
      message += ServerLogTail();
    }
    throw FileAborted(message);
  }

  std::string ServerLogTail() const {
    if (!server_) {
      return "";
    }
    return fmt::format("\n--- last {} lines of {} ---\n{}", kLogTailLines, server_->LogPath(),
                       server_->LogTail(kLogTailLines));
  }

  static std::string Trimmed(std::string text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) {
      text.pop_back();
    }
    return text;
  }

  void StartServer() {
    if (work_dir_.empty()) {
      std::string pattern = "/tmp/freshet-slt-XXXXXX";
      if (mkdtemp(pattern.data()) == nullptr) {
        throw FileAborted("mkdtemp under /tmp failed");
      }
      work_dir_ = pattern;
      std::filesystem::create_directory(work_dir_ + "/data");
      server_ = std::make_unique<ServerProcess>(*options_.binary, work_dir_ + "/data",
                                                work_dir_ + "/freshet.log");
    }
    if (std::optional<std::string> error = server_->Start(options_.ready_timeout)) {
      throw FileAborted(fmt::format("cannot start the server: {}", *error));
    }
  }

  /// Connects to the server. A server started here may accept TCP connections before it accepts
  /// sessions (PostgreSQL answers "the database system is starting up"), so failures are retried
  /// while it runs, for a few seconds.
  void Connect() {
    int port = server_ ? server_->Port() : options_.port;
    std::string host = server_ ? "127.0.0.1" : options_.host;
    std::string connection_string = fmt::format(
        "host={} port={} user={} dbname={} sslmode=disable connect_timeout=10 "
        "application_name=freshet_slt",
        QuoteConnectionValue(host), port, QuoteConnectionValue(options_.user),
        QuoteConnectionValue(options_.dbname));
    auto deadline = Clock::now() + kConnectRetryWindow;
    while (true) {
      try {
        connection_ = std::make_unique<pqxx::connection>(connection_string);
        // Notices (e.g. from DROP TABLE IF EXISTS) are no part of any expectation; keep them off
        // stderr.
        quiet_ = std::make_unique<pqxx::quiet_errorhandler>(*connection_);
        return;
      } catch (const std::exception& failed) {
        Disconnect();
        std::string message =
            fmt::format("cannot connect to {}:{}: {}", host, port, Trimmed(failed.what()));
        if (!server_) {
          throw FileAborted(message);
        }
        std::optional<ExitReport> exit = server_->PollExit();
        if (exit || Clock::now() >= deadline) {
          if (exit) {
            message += fmt::format("\nserver process {}", exit->description);
          }
          throw FileAborted(message + ServerLogTail());
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }

  void Disconnect() {
    quiet_.reset();
    connection_.reset();
  }

  std::optional<std::string> Restart(bool kill) {
    if (!server_) {
      return "restart needs a server started by the runner (--binary), not --host";
    }
    Disconnect();
    std::optional<std::string> failure;
    if (std::optional<ExitReport> exit = server_->PollExit()) {
      failure = fmt::format("server had already ended before the restart: {}{}", exit->description,
                            ServerLogTail());
    } else {
      ExitReport stop = kill ? server_->Kill() : server_->Stop(options_.stop_grace);
      if (!stop.clean) {
        failure = fmt::format("server did not stop cleanly on SIGTERM: {}{}", stop.description,
                              ServerLogTail());
      }
    }
    StartServer();
    Connect();
    return failure;
  }

  /// Disconnects and stops the server at the end of the file; an unclean end fails the file.
  void Shutdown() {
    Disconnect();
    if (!server_) {
      return;
    }
    if (std::optional<ExitReport> exit = server_->PollExit()) {
      if (!file_failed_) {
        FailFile(fmt::format("server ended on its own during the file: {}{}", exit->description,
                             ServerLogTail()));
      }
      return;
    }
    if (!server_->Running()) {
      return;
    }
    ExitReport stop = server_->Stop(options_.stop_grace);
    if (!stop.clean) {
      FailFile(fmt::format("server did not stop cleanly on SIGTERM: {}{}", stop.description,
                           ServerLogTail()));
    }
  }

  void FailFile(const std::string& message) {
    file_failed_ = true;
    if (current_line_ > 0) {
      ++report_.records_failed;
      out_ << fmt::format("{}:{}: {}\n\n", path_, current_line_, Trimmed(message));
    } else {
      out_ << fmt::format("{}: {}\n\n", path_, Trimmed(message));
    }
    current_line_ = 0;
    out_.flush();
  }

  std::string path_;
  const RunnerOptions& options_;
  std::ostream& out_;
  FileReport report_;
  bool file_failed_ = false;
  /// The line of the record running now; a FileAborted is charged to it.
  int current_line_ = 0;
  std::string work_dir_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<pqxx::connection> connection_;
  std::unique_ptr<pqxx::quiet_errorhandler> quiet_;
  StatementWatchdog watchdog_;
};

}  // namespace

FileReport RunSltFile(const std::string& path, const RunnerOptions& options, std::ostream& out) {
  FileRunner runner(path, options, out);
  return runner.Run();
}

}  // namespace freshet::sql_tests
