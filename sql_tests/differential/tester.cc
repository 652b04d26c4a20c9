// SPDX-License-Identifier: Apache-2.0
#include "sql_tests/differential/tester.h"

#include <cstdlib>
#include <filesystem>
#include <iostream>

#include <fmt/format.h>

#include "sql_tests/differential/fixture.h"

namespace freshet::sql_tests::differential {

std::atomic<int> g_stop_signal{0};

std::string Indent(const std::string& text, std::string_view prefix) {
  std::string result;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) {
      end = text.size();
    }
    result += std::string(prefix) + text.substr(start, end - start) + "\n";
    start = end + 1;
  }
  return result;
}

FreshetServer::~FreshetServer() {
  StopAndClean();
}

std::optional<std::string> FreshetServer::Start() {
  StopAndClean();
  if (options_.freshet_binary) {
    std::string pattern = "/tmp/freshet-difftest-XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) {
      return "mkdtemp under /tmp failed";
    }
    directory_ = pattern;
    std::filesystem::create_directory(directory_ + "/data");
    server_ = std::make_unique<ServerProcess>(*options_.freshet_binary, directory_ + "/data",
                                              directory_ + "/freshet.log");
    if (std::optional<std::string> error = server_->Start(kServerReadyTimeout)) {
      return "cannot start freshet: " + *error;
    }
  }
  int port = server_ ? server_->Port() : options_.freshet_port;
  if (std::optional<std::string> error =
          client_.Connect("127.0.0.1", port, "freshet", "dev", kConnectRetryWindow)) {
    return *error + LogTail();
  }
  if (!server_) {
    DropFixtureTables(client_);
  }
  for (const std::string& statement : fixture_) {
    Answer answer = client_.Run(statement, kSetupTimeout);
    if (answer.kind != Answer::Kind::kRows && !fixture_reported_) {
      std::cout << fmt::format("WARNING: the fixture did not load into Freshet:\n{}{}",
                               Indent(statement.substr(0, 300)), FormatAnswer(answer, 0));
    }
    if (answer.kind == Answer::Kind::kConnectionLost || answer.kind == Answer::Kind::kTimeout) {
      fixture_reported_ = true;
      return "freshet stopped answering while the fixture loaded" + LogTail();
    }
  }
  fixture_reported_ = true;
  return std::nullopt;
}

Answer FreshetServer::Run(const std::string& sql, std::chrono::milliseconds timeout) {
  if (!client_.Connected()) {
    if (std::optional<std::string> error = Start()) {
      Answer answer;
      answer.kind = Answer::Kind::kConnectionLost;
      answer.message = "could not restart freshet: " + *error;
      return answer;
    }
  }
  Answer answer = client_.Run(sql, timeout);
  if (answer.kind == Answer::Kind::kConnectionLost || answer.kind == Answer::Kind::kTimeout) {
    if (server_) {
      if (std::optional<ExitReport> exit = server_->WaitForExit(std::chrono::seconds(1))) {
        answer.message += fmt::format("; freshet {}", exit->description);
      }
      answer.message += LogTail();
    }
    ++restarts_;
    if (g_stop_signal.load() == 0) {
      if (std::optional<std::string> error = Start()) {
        std::cout << "WARNING: " << *error << "\n";
      }
    }
  }
  return answer;
}

std::string FreshetServer::LogTail() const {
  if (!server_) {
    return "";
  }
  return fmt::format("\n--- last lines of {} ---\n{}", server_->LogPath(), server_->LogTail(10));
}

void FreshetServer::StopAndClean() {
  client_.Disconnect();
  if (server_) {
    server_->Stop(kStopGrace);
    server_.reset();
  }
  if (!directory_.empty() && !options_.keep_data) {
    std::error_code ignored;
    std::filesystem::remove_all(directory_, ignored);
  } else if (!directory_.empty()) {
    std::cout << fmt::format("kept Freshet's directory {}\n", directory_);
  }
  directory_.clear();
}

Answer FreshetServer::Run(const std::string& sql) {
  return Run(sql, options_.timeout);
}

void FreshetServer::DropFixtureTables(SqlClient& client) {
  for (const TableSpec& table : FixtureTables()) {
    // CASCADE: the streaming mode's views on the tables go with them.
    Answer answer = client.Run("DROP TABLE IF EXISTS " + table.name + " CASCADE", kSetupTimeout);
    if (answer.kind == Answer::Kind::kError) {
      client.Run("DROP TABLE IF EXISTS " + table.name, kSetupTimeout);
    }
  }
}

std::optional<std::string> LoadIntoPostgres(SqlClient& client,
                                            const std::vector<std::string>& statements) {
  for (const std::string& statement : statements) {
    Answer answer = client.Run(statement, kSetupTimeout);
    if (answer.kind != Answer::Kind::kRows) {
      return fmt::format("PostgreSQL rejected a setup statement:\n{}{}",
                         Indent(statement.substr(0, 300)), FormatAnswer(answer, 0));
    }
  }
  return std::nullopt;
}

std::optional<std::string> ConnectToPostgres(SqlClient& client,
                                             int port,
                                             const Options& options,
                                             const std::vector<std::string>& settings) {
  if (std::optional<std::string> error =
          client.Connect("127.0.0.1", port, "freshet", "postgres", kConnectRetryWindow)) {
    return error;
  }
  std::vector<std::string> all = {
      fmt::format("SET statement_timeout = {}", options.timeout.count()),
      "SET TimeZone = 'UTC'",
      "SET DateStyle = 'ISO, MDY'",
      "SET extra_float_digits = 1",
  };
  all.insert(all.end(), settings.begin(), settings.end());
  return LoadIntoPostgres(client, all);
}

}  // namespace freshet::sql_tests::differential
