// SPDX-License-Identifier: Apache-2.0
#include "sql_tests/runner/slt_runner.h"

#include <algorithm>
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
#include <unistd.h>

#include "sql_tests/runner/kafka_messages.h"
#include "sql_tests/runner/result_comparison.h"
#include "sql_tests/runner/server_process.h"
#include "sql_tests/runner/slt_parser.h"
#include "tools/testing/kafka_dev_broker.h"

namespace freshet::sql_tests {
namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kLogTailLines = 20;
constexpr auto kCrashGrace = std::chrono::milliseconds(2000);
constexpr auto kConnectRetryWindow = std::chrono::milliseconds(5000);
/// Pause between two reads of a topic by `kafka consume`.
constexpr auto kConsumeBackoff = std::chrono::milliseconds(200);
/// The least time one read of a topic (a kcat run) gets before it is killed.
constexpr auto kMinConsumeAttempt = std::chrono::milliseconds(5000);
constexpr std::string_view kKafkaDevName = "freshet-kafka-dev";

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
    kafka_.reset();
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
      case RecordKind::kKafkaStart:
        return fmt::format("kafka start partitions {}", record.kafka.partitions);
      case RecordKind::kKafkaProduce:
        return fmt::format("kafka produce {}", record.kafka.topic);
      case RecordKind::kKafkaConsume:
        return fmt::format("kafka consume {}", record.kafka.topic);
      default:
        return record.sql.substr(0, record.sql.find('\n'));
    }
  }

  /// Runs one record; returns a description of the failure, or std::nullopt. Throws FileAborted.
  std::optional<std::string> RunRecord(const Record& written) {
    // Once a broker runs, its address replaces ${KAFKA_BOOTSTRAP}; before, records run as written.
    std::optional<Record> substituted;
    if (kafka_) {
      substituted = written;
      SubstitutePlaceholder(*substituted, kKafkaBootstrapPlaceholder, kafka_->BootstrapServers());
    }
    const Record& record = substituted ? *substituted : written;
    switch (record.kind) {
      case RecordKind::kKafkaStart:
        return StartKafka(record);
      case RecordKind::kKafkaProduce:
        return ProduceToKafka(record);
      case RecordKind::kKafkaConsume:
        return ConsumeFromKafka(record);
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
      if (!timed_out && connection_->is_open()) {
        error = ServerError{"08", lost.what(), /*class_only=*/true};
        return;
      }
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

  /// Starts the file's broker: freshet-kafka-dev from the directory of the server binary, its
  /// stderr in kafka.log beside freshet.log. It runs until the end of the file, across restarts.
  std::optional<std::string> StartKafka(const Record& record) {
    if (kafka_) {
      return fmt::format("a Kafka broker is already running at {}", kafka_->BootstrapServers());
    }
    if (!options_.binary || work_dir_.empty()) {
      return "'kafka start' needs a server started by the runner (--binary): freshet-kafka-dev is "
             "taken from the directory of the server binary";
    }
    tools::testing::KafkaDevBrokerOptions broker;
    broker.partitions = record.kafka.partitions;
    broker.binary =
        (std::filesystem::path(*options_.binary).parent_path() / kKafkaDevName).string();
    broker.log_path = KafkaLogPath();
    if (access(broker.binary.c_str(), X_OK) != 0) {
      throw FileAborted(
          fmt::format("cannot start the Kafka broker: {} is missing or not "
                      "executable (build the freshet-kafka-dev target)",
                      broker.binary));
    }
    try {
      kafka_ = std::make_unique<tools::testing::KafkaDevBroker>(broker);
    } catch (const std::exception& failed) {
      throw FileAborted(fmt::format("cannot start the Kafka broker: {}\n--- {} ---\n{}",
                                    failed.what(), KafkaLogPath(),
                                    TailOfFile(KafkaLogPath(), kLogTailLines)));
    }
    return std::nullopt;
  }

  std::string KafkaLogPath() const { return work_dir_ + "/kafka.log"; }

  static std::string CommandLine(const std::vector<std::string>& arguments) {
    std::string line;
    for (const std::string& argument : arguments) {
      if (!line.empty()) {
        line += ' ';
      }
      bool plain = !argument.empty() && argument.find_first_of(" \t\\'\"%$") == std::string::npos;
      line += plain ? argument : fmt::format("'{}'", argument);
    }
    return line;
  }

  /// Describes a kcat run that failed: a non-zero exit status, or killed after `timeout`.
  static std::string KcatFailure(const std::vector<std::string>& arguments,
                                 const tools::testing::CommandResult& result,
                                 std::chrono::milliseconds timeout) {
    std::string what =
        result.timed_out
            ? fmt::format("kcat did not finish within {} ms and was killed", timeout.count())
            : fmt::format("kcat failed with exit status {}", result.exit_status);
    what += fmt::format("\n  command: {}", CommandLine(arguments));
    if (!result.error_output.empty()) {
      what += fmt::format("\n  stderr:\n{}", Indent(Trimmed(result.error_output)));
    }
    return what;
  }

  static constexpr std::string_view kNoBroker = "no Kafka broker is running: 'kafka start' first";

  /// `kafka produce`: one kcat run that must exit successfully.
  std::optional<std::string> ProduceToKafka(const Record& record) {
    if (!kafka_) {
      return std::string(kNoBroker);
    }
    std::vector<std::string> arguments =
        KcatProduceArguments(kafka_->BootstrapServers(), record.kafka);
    tools::testing::CommandResult result;
    try {
      result = tools::testing::RunCommand(arguments, KcatProduceInput(record.kafka),
                                          options_.statement_timeout);
    } catch (const std::exception& failed) {
      return fmt::format("cannot run kcat: {}", failed.what());
    }
    if (result.timed_out || result.exit_status != 0) {
      return fmt::format("producing to topic {} failed: {}", record.kafka.topic,
                         KcatFailure(arguments, result, options_.statement_timeout));
    }
    return std::nullopt;
  }

  /// `kafka consume`: reads the topic again and again until the messages match or the record's
  /// timeout has passed; reports the last attempt's difference.
  std::optional<std::string> ConsumeFromKafka(const Record& record) {
    if (!kafka_) {
      return std::string(kNoBroker);
    }
    const KafkaDirective& kafka = record.kafka;
    std::vector<std::string> arguments =
        KcatConsumeArguments(kafka_->BootstrapServers(), kafka.topic);
    auto deadline = Clock::now() + kafka.timeout;
    int attempts = 0;
    std::string failure;
    while (true) {
      ++attempts;
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      auto attempt_timeout = std::max(left, std::chrono::milliseconds(kMinConsumeAttempt));
      tools::testing::CommandResult result;
      try {
        result = tools::testing::RunCommand(arguments, "", attempt_timeout);
      } catch (const std::exception& failed) {
        return fmt::format("cannot run kcat: {}", failed.what());
      }
      std::optional<std::vector<KafkaMessage>> messages;
      if (result.timed_out || result.exit_status != 0) {
        failure = KcatFailure(arguments, result, attempt_timeout);
      } else if (!(messages = ParseKcatOutput(result.output))) {
        failure =
            fmt::format("cannot read kcat's output:\n{}", Indent(result.output.substr(0, 2000)));
      } else if (kafka.min_count && messages->size() < static_cast<size_t>(*kafka.min_count)) {
        std::string lines;
        for (const KafkaMessage& message : *messages) {
          lines += FormatKafkaMessage(message) + '\n';
        }
        failure = fmt::format("got {} message(s), fewer than count {}\n  actual:\n{}",
                              messages->size(), *kafka.min_count, Indent(lines));
      } else if (std::optional<std::string> mismatch = CompareKafkaMessages(record, *messages)) {
        failure = *mismatch;
      } else {
        return std::nullopt;
      }
      if (Clock::now() + kConsumeBackoff >= deadline) {
        break;
      }
      std::this_thread::sleep_for(kConsumeBackoff);
    }
    return fmt::format("topic {}: still failing after {} ms ({} read(s)): {}", kafka.topic,
                       kafka.timeout.count(), attempts, failure);
  }

  /// Disconnects and stops the server at the end of the file; an unclean end fails the file. Then
  /// stops the Kafka broker, if one runs (after the server, which may still be its client).
  void Shutdown() {
    Disconnect();
    StopServer();
    kafka_.reset();
  }

  void StopServer() {
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
  /// The broker of `kafka start`; lives until the end of the file.
  std::unique_ptr<tools::testing::KafkaDevBroker> kafka_;
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
