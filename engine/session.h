// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/column.h"
#include "common/error.h"
#include "engine/database.h"
#include "engine/session_settings.h"
#include "engine/system_catalog.h"
#include "executor/batch/batch_operator.h"
#include "executor/table_writer.h"
#include "function/scalar_function.h"
#include "parser/ast.h"
#include "planner/binder.h"
#include "planner/plan/batch_plan.h"
#include "planner/system_table.h"

namespace freshet::engine {

/// `statement kind is not supported yet` (0A000) at `position`.
[[noreturn]] void ThrowNotSupported(std::string_view what, int32_t position);
/// The SQL name of an object kind ("materialized view").
std::string_view ObjectKindName(ast::ObjectKind kind);

/// Receives the results of the statements a Session runs, in protocol order per statement:
/// OnColumns, OnChunk calls, OnCommandComplete. Implemented by the server's pgwire adapter and by
/// tests.
class ResultSink {
 public:
  virtual ~ResultSink() = default;
  /// The columns of a statement that returns rows.
  virtual void OnColumns(const std::vector<plan::OutputColumn>& columns) = 0;
  /// Rows of the current statement; `context` holds the session settings that shape their text
  /// output (the time zone of TIMESTAMPTZ values).
  virtual void OnChunk(const Chunk& chunk, const function::EvaluationContext& context) = 0;
  /// The statement finished with command tag `tag` ("SELECT 3", "INSERT 0 3", "CREATE TABLE").
  virtual void OnCommandComplete(std::string_view tag) = 0;
  /// The query string held no statement.
  virtual void OnEmptyQuery() = 0;
  /// A NOTICE or WARNING for the client.
  virtual void OnNotice(const Error& notice) = 0;
  /// A reported run-time parameter changed (e.g. by SET application_name).
  virtual void OnParameterStatus(std::string_view name, std::string_view value) = 0;
};

/// The transaction state of a session, as ReadyForQuery reports it.
enum class TransactionState : uint8_t { kIdle, kInBlock, kFailed };

/// Who is connecting, from the startup message.
struct SessionInfo {
  std::string user = "freshet";
  std::string database = "dev";
  std::string application_name;
};

/// One client's session: parses, binds, plans and runs its statements against the Database. Used by
/// one thread at a time, except Cancel(), which any thread may call.
class Session {
 public:
  Session(Database& database, SessionInfo info);

  /// Runs every statement in `sql`, sending results to `sink`. Throws Error for the first statement
  /// that fails; earlier statements keep their effects.
  void Execute(std::string_view sql, ResultSink& sink);
  /// Makes the running statement, if any, fail with 57014 at its next check.
  void Cancel();
  TransactionState GetTransactionState() const { return transaction_state_; }
  /// The ParameterStatus values sent to the client after authentication.
  std::vector<std::pair<std::string, std::string>> ReportedParameters() const;

 private:
  void ExecuteStatement(const ast::Statement& statement, ResultSink& sink);
  void ExecuteSelect(const ast::SelectStatement& statement, ResultSink& sink);
  void ExecuteInsert(const ast::Insert& statement, ResultSink& sink);
  void ExecuteUpdate(const ast::Update& statement, ResultSink& sink);
  void ExecuteExplain(const ast::Explain& statement, ResultSink& sink);
  void ExecuteDelete(const ast::Delete& statement, ResultSink& sink);
  /// Throws 0A000 when `table` is APPEND ONLY: UPDATE and DELETE would retract rows that views
  /// treat as never changing.
  void RejectAppendOnly(const plan::TableDescriptor& table, std::string_view verb) const;
  /// Computes the rows of `source`, then, holding the table's write lock, stages each chunk with
  /// `stage` and commits them in one batch; returns the count of rows written.
  uint64_t RunWrite(const plan::TableDescriptor& table,
                    const plan::BatchNode& source,
                    const std::function<void(executor::TableWriter&, const Chunk&)>& stage);
  void ExecuteCreateTable(const ast::CreateTable& statement, ResultSink& sink);
  /// Reads the connector clauses of CREATE TABLE ... (cols) INCLUDE ... WITH (connector = ...)
  /// FORMAT ... into `table`, whose declared columns are set: the options, the format and the
  /// INCLUDE columns after the declared ones (which the primary key may name).
  static void ReadConnectorTable(const ast::CreateTable& statement, catalog::Relation& table);
  /// Checks a table fed by a connector, its primary key set: it needs one (42P16), and the
  /// connector checks the rest (ValidateSource).
  static void ValidateConnectorTable(const ast::CreateTable& statement,
                                     const catalog::Relation& table);
  void ExecuteDrop(const ast::Drop& statement, ResultSink& sink);
  void ExecuteCreateSource(const ast::CreateSource& statement, ResultSink& sink);
  void ExecuteCreateMaterializedView(const ast::CreateMaterializedView& statement,
                                     ResultSink& sink);
  void ExecuteCreateSink(const ast::CreateSink& statement, ResultSink& sink);
  void ExecuteFlush(ResultSink& sink);
  void ExecuteDescribe(const ast::Describe& statement, ResultSink& sink);
  /// SHOW TABLES | SOURCES | MATERIALIZED VIEWS | SINKS.
  void ShowRelations(ast::ObjectKind object, ResultSink& sink);
  /// The stream plan of a CREATE MATERIALIZED VIEW, for EXPLAIN.
  std::string ExplainMaterializedView(const ast::CreateMaterializedView& statement);
  void ExecuteShow(const ast::Show& statement, ResultSink& sink);
  void ExecuteSet(const ast::Set& statement, ResultSink& sink);
  void ExecuteTransaction(const ast::Transaction& statement, ResultSink& sink);
  /// A binder over the current statement's catalog snapshot and system relations.
  planner::Binder MakeBinder();
  /// The context of a batch query of the current statement.
  executor::BatchContext MakeBatchContext();
  /// Throws 0A000 when `node` reads a source: a batch query cannot read an unbounded stream.
  void RejectSourceScans(const plan::BatchNode& node) const;
  /// Runs a batch plan and streams its rows to `sink`; returns the row count.
  uint64_t RunQuery(const plan::BatchNode& root, ResultSink& sink);
  /// Re-reads the settings a statement depends on (time zone, extra_float_digits) after SET or
  /// set_config() and sends ParameterStatus for reported parameters that changed.
  void ApplySettings(ResultSink& sink);
  /// Sends a one-column text result.
  void SendTextRows(std::string_view column,
                    const std::vector<std::string>& rows,
                    ResultSink& sink);

  Database& database_;
  SessionInfo info_;
  std::atomic<bool> cancel_requested_{false};
  /// The current statement's clock and the session's settings, for the binder and the executor.
  function::EvaluationContext evaluation_;
  TransactionState transaction_state_ = TransactionState::kIdle;
  bool wrote_in_block_ = false;
  /// The system relations (pg_catalog, information_schema) of the current statement's catalog.
  std::unique_ptr<SystemCatalog> system_tables_;
  /// The catalog as of the current statement's start, shared by the binder and system_tables_.
  std::shared_ptr<const catalog::CatalogSnapshot> catalog_snapshot_;
  /// The run-time parameters (SET, SHOW, current_setting()).
  SessionSettings settings_;
  /// settings_.Version() when the derived state below was last computed.
  uint64_t applied_settings_version_ = 0;
  /// The ParameterStatus values the client has last been sent.
  std::vector<std::pair<std::string, std::string>> reported_;
  /// The zones TimeZone values named, by the name SHOW gives them.
  std::map<std::string, const TimeZone*> time_zones_;
};

}  // namespace freshet::engine
