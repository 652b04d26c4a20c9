// SPDX-License-Identifier: Apache-2.0
#include "pgwire/tests/fake_query_handler.h"

#include <stdexcept>
#include <thread>

#include <fmt/format.h>

namespace freshet::pgwire::testing {
namespace {

constexpr uint32_t kInt4Oid = 23;
constexpr uint32_t kTextOid = 25;

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\n' || text.front() == '\t')) {
    text.remove_prefix(1);
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == '\n' || text.back() == '\t')) {
    text.remove_suffix(1);
  }
  return text;
}

FieldDescription Field(std::string name, uint32_t type_oid, int16_t type_size) {
  FieldDescription field;
  field.name = std::move(name);
  field.type_oid = type_oid;
  field.type_size = type_size;
  return field;
}

}  // namespace

bool FakeState::WaitForSleepers(int count, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return sleepers_ >= count; });
}

int FakeState::CancelCalls() const {
  std::lock_guard lock(mutex_);
  return cancel_calls_;
}

void FakeQueryHandler::ExecuteSimpleQuery(std::string_view sql, ResultWriter& writer) {
  bool any = false;
  size_t start = 0;
  while (start <= sql.size()) {
    size_t end = sql.find(';', start);
    if (end == std::string_view::npos) {
      end = sql.size();
    }
    const std::string_view statement = Trim(sql.substr(start, end - start));
    if (!statement.empty()) {
      any = true;
      ExecuteStatement(statement, writer);
    }
    start = end + 1;
  }
  if (!any) {
    writer.WriteEmptyQuery();
  }
}

void FakeQueryHandler::ExecuteStatement(std::string_view statement, ResultWriter& writer) {
  if (statement == "select 1") {
    writer.WriteRowDescription({Field("?column?", kInt4Oid, 4)});
    writer.WriteDataRow({std::string_view("1")});
    writer.WriteCommandComplete("SELECT 1");
  } else if (statement == "select null") {
    writer.WriteRowDescription({Field("n", kTextOid, -1)});
    writer.WriteDataRow({std::nullopt});
    writer.WriteCommandComplete("SELECT 1");
  } else if (statement.starts_with("rows ")) {
    const int count = std::stoi(std::string(statement.substr(5)));
    writer.WriteRowDescription({Field("i", kInt4Oid, 4), Field("label", kTextOid, -1)});
    for (int i = 0; i < count; ++i) {
      const std::string number = std::to_string(i);
      const std::string label = "row " + number;
      writer.WriteDataRow({std::string_view(number), std::string_view(label)});
    }
    writer.WriteCommandComplete(fmt::format("SELECT {}", count));
  } else if (statement == "notice") {
    writer.WriteNotice(Error(SqlState::kSuccessfulCompletion, "this is a notice")
                           .WithSeverity(Severity::kNotice)
                           .WithDetail("Notice detail."));
    writer.WriteCommandComplete("NOTICE");
  } else if (statement == "begin") {
    in_transaction_ = true;
    writer.WriteCommandComplete("BEGIN");
  } else if (statement == "commit") {
    in_transaction_ = false;
    writer.WriteCommandComplete("COMMIT");
  } else if (statement == "set timezone") {
    writer.WriteParameterStatus("TimeZone", "Europe/Paris");
    writer.WriteCommandComplete("SET");
  } else if (statement.starts_with("fail at ")) {
    const int position = std::stoi(std::string(statement.substr(8)));
    throw Error::UndefinedTable("nope")
        .WithDetail("The table was never created.")
        .WithHint("Create it first.")
        .WithPosition(position);
  } else if (statement == "fatal") {
    throw Error(SqlState::kAdminShutdown, "fatal for testing").WithSeverity(Severity::kFatal);
  } else if (statement == "crash") {
    throw std::runtime_error("boom");
  } else if (statement == "sleep") {
    std::unique_lock lock(state_->mutex_);
    ++state_->sleepers_;
    state_->changed_.notify_all();
    state_->changed_.wait(lock, [&] { return cancelled_; });
    cancelled_ = false;
    --state_->sleepers_;
    throw Error(SqlState::kQueryCanceled, "canceling statement due to user request");
  } else if (statement.starts_with("sleep_ms ")) {
    const int millis = std::stoi(std::string(statement.substr(9)));
    {
      std::lock_guard lock(state_->mutex_);
      ++state_->sleepers_;
      state_->changed_.notify_all();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(millis));
    {
      std::lock_guard lock(state_->mutex_);
      --state_->sleepers_;
    }
    writer.WriteCommandComplete("SLEEP");
  } else if (statement == "bad datarow") {
    writer.WriteDataRow({std::string_view("orphan")});
  } else {
    throw Error::Syntax(statement.substr(0, statement.find(' ')), 1);
  }
}

TransactionStatus FakeQueryHandler::GetTransactionStatus() const {
  return in_transaction_ ? TransactionStatus::kInTransaction : TransactionStatus::kIdle;
}

void FakeQueryHandler::Cancel() {
  std::lock_guard lock(state_->mutex_);
  cancelled_ = true;
  ++state_->cancel_calls_;
  state_->changed_.notify_all();
}

std::unique_ptr<QueryHandler> FakeQueryHandlerFactory::Create(const StartupInfo& startup) {
  if (startup.database == "nodb") {
    throw Error(SqlState::kInvalidCatalogName, "database \"nodb\" does not exist");
  }
  {
    std::lock_guard lock(mutex_);
    last_startup_ = startup;
  }
  return std::make_unique<FakeQueryHandler>(state_);
}

std::vector<std::pair<std::string, std::string>> FakeQueryHandlerFactory::InitialParameters(
    const StartupInfo& startup) {
  return {{"application_name", startup.application_name},
          {"client_encoding", "UTF8"},
          {"DateStyle", "ISO, MDY"},
          {"integer_datetimes", "on"},
          {"IntervalStyle", "postgres"},
          {"is_superuser", "on"},
          {"server_encoding", "UTF8"},
          {"server_version", "15.0"},
          {"session_authorization", startup.user},
          {"standard_conforming_strings", "on"},
          {"TimeZone", "UTC"}};
}

StartupInfo FakeQueryHandlerFactory::LastStartup() const {
  std::lock_guard lock(mutex_);
  return last_startup_;
}

}  // namespace freshet::pgwire::testing
