// SPDX-License-Identifier: Apache-2.0
#include "server/pg_adapter.h"

#include <optional>
#include <string_view>

#include "engine/session.h"

namespace freshet::server {
namespace {

engine::SessionInfo MakeSessionInfo(const pgwire::StartupInfo& startup) {
  engine::SessionInfo info;
  if (!startup.user.empty()) {
    info.user = startup.user;
  }
  info.database = startup.database.empty() ? info.user : startup.database;
  info.application_name = startup.application_name;
  return info;
}

/// Forwards engine results to the wire, formatting each value as Postgres's text output.
class WireResultSink final : public engine::ResultSink {
 public:
  explicit WireResultSink(pgwire::ResultWriter& writer) : writer_(writer) {}

  void OnColumns(const std::vector<plan::OutputColumn>& columns) override {
    std::vector<pgwire::FieldDescription> fields;
    fields.reserve(columns.size());
    for (const plan::OutputColumn& column : columns) {
      fields.push_back({column.name, column.table_oid, column.column_attnum, column.type.Oid(),
                        column.type.WireSize(), column.type.PgTypmod()});
    }
    writer_.WriteRowDescription(fields);
  }

  void OnChunk(const Chunk& chunk, const function::EvaluationContext& context) override {
    const size_t width = chunk.NumColumns();
    std::vector<std::optional<std::string_view>> values(width);
    std::vector<size_t> ends(width);
    for (size_t row = 0; row < chunk.NumRows(); ++row) {
      // Format the whole row into one buffer, then point the views into it.
      text_.clear();
      for (size_t column = 0; column < width; ++column) {
        const Column& data = chunk.GetColumn(column);
        if (!data.IsNull(row)) {
          data.AppendText(row, text_, context.time_zone, context.extra_float_digits);
        }
        ends[column] = text_.size();
      }
      size_t start = 0;
      for (size_t column = 0; column < width; ++column) {
        if (chunk.GetColumn(column).IsNull(row)) {
          values[column] = std::nullopt;
        } else {
          values[column] = std::string_view(text_).substr(start, ends[column] - start);
        }
        start = ends[column];
      }
      writer_.WriteDataRow(values);
    }
  }

  void OnCommandComplete(std::string_view tag) override { writer_.WriteCommandComplete(tag); }
  void OnEmptyQuery() override { writer_.WriteEmptyQuery(); }
  void OnNotice(const Error& notice) override { writer_.WriteNotice(notice); }
  void OnParameterStatus(std::string_view name, std::string_view value) override {
    writer_.WriteParameterStatus(name, value);
  }

 private:
  pgwire::ResultWriter& writer_;
  std::string text_;
};

/// A pgwire QueryHandler over one engine Session.
class SessionHandler final : public pgwire::QueryHandler {
 public:
  SessionHandler(engine::Database& database, engine::SessionInfo info)
      : session_(database, std::move(info)) {}

  void ExecuteSimpleQuery(std::string_view sql, pgwire::ResultWriter& writer) override {
    WireResultSink sink(writer);
    session_.Execute(sql, sink);
  }

  pgwire::TransactionStatus GetTransactionStatus() const override {
    switch (session_.GetTransactionState()) {
      case engine::TransactionState::kIdle:
        return pgwire::TransactionStatus::kIdle;
      case engine::TransactionState::kInBlock:
        return pgwire::TransactionStatus::kInTransaction;
      case engine::TransactionState::kFailed:
        return pgwire::TransactionStatus::kFailed;
    }
    return pgwire::TransactionStatus::kIdle;
  }

  void Cancel() override { session_.Cancel(); }

 private:
  engine::Session session_;
};

}  // namespace

std::unique_ptr<pgwire::QueryHandler> SessionHandlerFactory::Create(
    const pgwire::StartupInfo& startup) {
  return std::make_unique<SessionHandler>(database_, MakeSessionInfo(startup));
}

std::vector<std::pair<std::string, std::string>> SessionHandlerFactory::InitialParameters(
    const pgwire::StartupInfo& startup) {
  engine::Session session(database_, MakeSessionInfo(startup));
  return session.ReportedParameters();
}

}  // namespace freshet::server
