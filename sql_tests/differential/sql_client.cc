// SPDX-License-Identifier: Apache-2.0
#include "sql_tests/differential/sql_client.h"

#include <atomic>
#include <iterator>

#include <fmt/format.h>
#include <sys/socket.h>

namespace freshet::sql_tests::differential {
namespace {

using Clock = std::chrono::steady_clock;

/// Sockets of open connections plus one, for ShutdownAllConnections; 0 marks a free slot (a
/// zero-initialized static needs no constructor to run before a signal can arrive).
std::atomic<int> g_sockets[8];

/// Puts a socket into a free slot of g_sockets; returns the slot, or -1 when full.
int RegisterSocket(int socket) {
  for (size_t i = 0; i < std::size(g_sockets); ++i) {
    int free_slot = 0;
    if (g_sockets[i].compare_exchange_strong(free_slot, socket + 1)) {
      return static_cast<int>(i);
    }
  }
  return -1;
}

/// Frees a slot of g_sockets.
void UnregisterSocket(int slot) {
  if (slot >= 0) {
    g_sockets[slot].store(0);
  }
}

/// Drops trailing newlines and spaces.
std::string Trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) {
    text.pop_back();
  }
  return text;
}

/// The first line of a libpq error text, without the "ERROR:  " prefix.
std::string PrimaryMessage(const std::string& text) {
  std::string line = text.substr(0, text.find('\n'));
  for (const char* prefix : {"ERROR:  ", "FATAL:  "}) {
    if (line.rfind(prefix, 0) == 0) {
      line = line.substr(std::char_traits<char>::length(prefix));
    }
  }
  return Trimmed(line);
}

/// Quotes a value for a libpq connection string.
std::string QuoteConnectionValue(const std::string& value) {
  std::string quoted = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\') {
      quoted += '\\';
    }
    quoted += c;
  }
  return quoted + "'";
}

}  // namespace

void ShutdownAllConnections() {
  for (std::atomic<int>& socket : g_sockets) {
    int fd = socket.load() - 1;
    if (fd >= 0) {
      shutdown(fd, SHUT_RDWR);
    }
  }
}

Watchdog::Watchdog() : thread_([this] { Loop(); }) {}

Watchdog::~Watchdog() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void Watchdog::Arm(int socket, std::chrono::milliseconds timeout) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    armed_ = true;
    fired_ = false;
    socket_ = socket;
    deadline_ = Clock::now() + timeout;
  }
  wake_.notify_all();
}

bool Watchdog::Disarm() {
  std::lock_guard<std::mutex> lock(mutex_);
  armed_ = false;
  return fired_;
}

void Watchdog::Loop() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stopping_) {
    if (!armed_) {
      wake_.wait(lock);
      continue;
    }
    if (Clock::now() >= deadline_) {
      shutdown(socket_, SHUT_RDWR);
      fired_ = true;
      armed_ = false;
      continue;
    }
    wake_.wait_until(lock, deadline_);
  }
}

SqlClient::SqlClient() = default;

SqlClient::~SqlClient() {
  Disconnect();
}

std::optional<std::string> SqlClient::Connect(const std::string& host,
                                              int port,
                                              const std::string& user,
                                              const std::string& dbname,
                                              std::chrono::milliseconds retry_window) {
  Disconnect();
  std::string connection_string = fmt::format(
      "host={} port={} user={} dbname={} sslmode=disable connect_timeout=10 "
      "application_name=freshet_difftest",
      QuoteConnectionValue(host), port, QuoteConnectionValue(user), QuoteConnectionValue(dbname));
  auto deadline = Clock::now() + retry_window;
  while (true) {
    try {
      connection_ = std::make_unique<pqxx::connection>(connection_string);
      // Notices are no part of an answer; keep them off stderr.
      quiet_ = std::make_unique<pqxx::quiet_errorhandler>(*connection_);
      slot_ = RegisterSocket(connection_->sock());
      return std::nullopt;
    } catch (const std::exception& failed) {
      Disconnect();
      if (Clock::now() >= deadline) {
        return fmt::format("cannot connect to {}:{}: {}", host, port, Trimmed(failed.what()));
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

void SqlClient::Disconnect() {
  UnregisterSocket(slot_);
  slot_ = -1;
  quiet_.reset();
  connection_.reset();
}

Answer SqlClient::Run(const std::string& sql, std::chrono::milliseconds timeout) {
  Answer answer;
  if (!connection_) {
    answer.kind = Answer::Kind::kConnectionLost;
    answer.message = "not connected";
    return answer;
  }
  auto lost = [&](const std::string& what) {
    bool timed_out = watchdog_.Disarm();
    answer.kind = timed_out ? Answer::Kind::kTimeout : Answer::Kind::kConnectionLost;
    answer.message =
        timed_out ? fmt::format("no answer within {} ms", timeout.count()) : Trimmed(what);
    Disconnect();
  };
  watchdog_.Arm(connection_->sock(), timeout);
  try {
    pqxx::nontransaction transaction(*connection_);
    pqxx::result result = transaction.exec(sql);
    if (watchdog_.Disarm()) {
      answer.kind = Answer::Kind::kTimeout;
      answer.message = "the answer came as the connection was shut down";
      Disconnect();
      return answer;
    }
    for (pqxx::row_size_type column = 0; column < result.columns(); ++column) {
      answer.column_names.emplace_back(result.column_name(column));
      answer.column_types.push_back(static_cast<uint32_t>(result.column_type(column)));
    }
    answer.affected_rows = static_cast<int64_t>(result.affected_rows());
    answer.rows.reserve(result.size());
    for (const auto& row : result) {
      Row values;
      values.reserve(row.size());
      for (const auto& field : row) {
        if (field.is_null()) {
          values.emplace_back(std::nullopt);
        } else {
          values.emplace_back(std::string(field.c_str(), field.size()));
        }
      }
      answer.rows.push_back(std::move(values));
    }
  } catch (const pqxx::broken_connection& failed) {
    lost(failed.what());
  } catch (const pqxx::sql_error& failed) {
    if (!connection_->is_open() || failed.sqlstate().empty()) {
      lost(failed.what());
      return answer;
    }
    watchdog_.Disarm();
    answer.kind = Answer::Kind::kError;
    answer.sqlstate = failed.sqlstate();
    answer.message = PrimaryMessage(failed.what());
  } catch (const std::exception& failed) {
    lost(failed.what());
  }
  return answer;
}

}  // namespace freshet::sql_tests::differential
