// SPDX-License-Identifier: Apache-2.0
#include "engine/session.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>

#include <fmt/format.h>

#include "common/logging.h"
#include "common/time_zone.h"
#include "engine/catalog_query_shim.h"
#include "executor/batch/batch_operator.h"
#include "executor/table_writer.h"
#include "parser/parser.h"
#include "planner/binder.h"
#include "planner/ddl_binder.h"
#include "planner/stream_planner.h"

namespace freshet::engine {
std::string_view ObjectKindName(ast::ObjectKind kind) {
  switch (kind) {
    case ast::ObjectKind::kTable:
      return "table";
    case ast::ObjectKind::kSource:
      return "source";
    case ast::ObjectKind::kMaterializedView:
      return "materialized view";
    case ast::ObjectKind::kView:
      return "view";
    case ast::ObjectKind::kSink:
      return "sink";
    case ast::ObjectKind::kIndex:
      return "index";
    case ast::ObjectKind::kSchema:
      return "schema";
  }
  return "object";
}

namespace {

// Resolves a value of the TimeZone setting as Postgres's check_timezone does: a number is hours
// east of Greenwich (SQL's sign convention), anything else a zone name or a POSIX specification.
const TimeZone* ResolveTimeZone(const std::string& value) {
  Error invalid(SqlState::kInvalidParameterValue,
                fmt::format("invalid value for parameter \"TimeZone\": \"{}\"", value));
  char* end = nullptr;
  const double hours = std::strtod(value.c_str(), &end);
  if (end != value.c_str() && *end == '\0') {
    const TimeZone* zone = nullptr;
    if (std::isfinite(hours) && std::fabs(hours) < 1000) {
      zone = TimeZone::FromOffset(-static_cast<int64_t>(-hours * 3600));
    }
    if (zone == nullptr) {
      throw std::move(invalid).WithDetail("UTC timezone offset is out of range.");
    }
    return zone;
  }
  const TimeZone* zone = TimeZone::Find(value);
  if (zone == nullptr) {
    throw invalid;
  }
  return zone;
}

}  // namespace

void ThrowNotSupported(std::string_view what, int32_t position) {
  throw Error(SqlState::kFeatureNotSupported, fmt::format("{} is not supported yet", what))
      .WithPosition(position);
}

namespace {

/// Passes everything on to `sink` except the notices client_min_messages holds back.
class NoticeFilter final : public ResultSink {
 public:
  NoticeFilter(ResultSink& sink, const SessionSettings& settings)
      : sink_(sink), settings_(settings) {}

  void OnColumns(const std::vector<plan::OutputColumn>& columns) override {
    sink_.OnColumns(columns);
  }
  void OnChunk(const Chunk& chunk, const function::EvaluationContext& context) override {
    sink_.OnChunk(chunk, context);
  }
  void OnCommandComplete(std::string_view tag) override { sink_.OnCommandComplete(tag); }
  void OnEmptyQuery() override { sink_.OnEmptyQuery(); }
  void OnNotice(const Error& notice) override {
    if (settings_.SendsToClient(notice.GetSeverity())) {
      sink_.OnNotice(notice);
    }
  }
  void OnParameterStatus(std::string_view name, std::string_view value) override {
    sink_.OnParameterStatus(name, value);
  }

 private:
  ResultSink& sink_;
  const SessionSettings& settings_;
};

// Replaces the reg* columns of `chunk` by the names of the objects, as regclassout and the other
// output functions print them; Column::AppendText alone can only print the numbers.
bool NameObjectIds(const std::vector<plan::OutputColumn>& columns,
                   const Chunk& chunk,
                   const function::EvaluationContext& context,
                   Chunk& named) {
  bool any = false;
  for (const plan::OutputColumn& column : columns) {
    any = any || (column.type.IsObjectId() && column.type.id != TypeId::kOid);
  }
  if (!any || context.catalog == nullptr) {
    return false;
  }
  named = Chunk();
  for (size_t i = 0; i < chunk.NumColumns(); ++i) {
    const Column& column = chunk.GetColumn(i);
    if (!column.Type().IsObjectId() || column.Type().id == TypeId::kOid) {
      named.AddColumn(column);
      continue;
    }
    Column names(DataType::Text());
    function::CastColumn(column, DataType::Text(), function::CastContext::kExplicit, names,
                         context);
    named.AddColumn(std::move(names));
  }
  named.SetNumRows(chunk.NumRows());
  return true;
}

}  // namespace

Session::Session(Database& database, SessionInfo info)
    : database_(database), info_(std::move(info)), settings_(info_.user, info_.application_name) {
  evaluation_.user = info_.user;
  evaluation_.database = info_.database;
  evaluation_.settings = &settings_;
  evaluation_.cancel_requested = &cancel_requested_;
  settings_.SetCheck("timezone", [this](const std::string& value) {
    const TimeZone* zone = ResolveTimeZone(value);
    // SHOW and ParameterStatus give the zone's own name: "america/new_york" is shown as
    // "America/New_York", and -8 as "<-08>+08".
    std::string name(zone->Name());
    time_zones_[name] = zone;
    return name;
  });
  reported_ = settings_.Reported();
  applied_settings_version_ = settings_.Version();
}

void Session::Cancel() {
  cancel_requested_.store(true);
}

std::vector<std::pair<std::string, std::string>> Session::ReportedParameters() const {
  return settings_.Reported();
}

void Session::ApplySettings(ResultSink& sink) {
  if (settings_.Version() == applied_settings_version_) {
    return;
  }
  applied_settings_version_ = settings_.Version();
  evaluation_.extra_float_digits = settings_.ExtraFloatDigits();
  const std::string zone = settings_.Show("timezone");
  auto it = time_zones_.find(zone);
  evaluation_.time_zone = it != time_zones_.end() ? it->second : ResolveTimeZone(zone);
  std::vector<std::pair<std::string, std::string>> reported = settings_.Reported();
  for (size_t i = 0; i < reported.size(); ++i) {
    if (i >= reported_.size() || reported_[i] != reported[i]) {
      sink.OnParameterStatus(reported[i].first, reported[i].second);
    }
  }
  reported_ = std::move(reported);
}

void Session::Execute(std::string_view sql, ResultSink& client) {
  NoticeFilter sink(client, settings_);
  if (transaction_state_ != TransactionState::kFailed) {
    if (std::optional<std::vector<plan::OutputColumn>> columns = MatchEmptyCatalogQuery(sql)) {
      sink.OnColumns(*columns);
      sink.OnCommandComplete("SELECT 0");
      return;
    }
  }
  // psql's other catalog queries with array expressions run once those are rewritten.
  const std::optional<std::string> rewritten = RewriteCatalogQuery(sql);
  if (rewritten) {
    sql = *rewritten;
  }
  std::vector<ast::StatementPtr> statements = parser::Parse(sql);
  if (statements.empty()) {
    sink.OnEmptyQuery();
    return;
  }
  for (const ast::StatementPtr& statement : statements) {
    cancel_requested_.store(false);
    evaluation_.statement_timestamp = std::chrono::duration_cast<std::chrono::microseconds>(
                                          std::chrono::system_clock::now().time_since_epoch())
                                          .count();
    if (transaction_state_ == TransactionState::kFailed &&
        !(statement->kind == ast::StatementKind::kTransaction &&
          static_cast<const ast::Transaction&>(*statement).type !=
              ast::Transaction::Type::kBegin)) {
      throw Error(
          SqlState::kInFailedSqlTransaction,
          "current transaction is aborted, commands ignored until end of transaction block");
    }
    const int64_t timeout_ms = settings_.StatementTimeoutMs();
    evaluation_.statement_deadline = timeout_ms == 0
                                         ? 0
                                         : std::chrono::duration_cast<std::chrono::microseconds>(
                                               std::chrono::steady_clock::now().time_since_epoch())
                                                   .count() +
                                               timeout_ms * 1000;
    // One catalog snapshot per statement, for the binder and the system relations alike.
    catalog_snapshot_ = database_.Catalog().Snapshot();
    system_tables_ = std::make_unique<SystemCatalog>(catalog_snapshot_, info_.database, info_.user,
                                                     &settings_, &database_);
    evaluation_.catalog = system_tables_.get();
    try {
      ExecuteStatement(*statement, sink);
    } catch (const Error&) {
      if (transaction_state_ == TransactionState::kInBlock) {
        transaction_state_ = TransactionState::kFailed;
      }
      if (transaction_state_ == TransactionState::kIdle) {
        settings_.EndStatement();
      }
      ApplySettings(sink);
      throw;
    }
    if (transaction_state_ == TransactionState::kIdle) {
      settings_.EndStatement();
    }
    ApplySettings(sink);
  }
}

void Session::ExecuteStatement(const ast::Statement& statement, ResultSink& sink) {
  switch (statement.kind) {
    case ast::StatementKind::kSelect:
      ExecuteSelect(static_cast<const ast::SelectStatement&>(statement), sink);
      return;
    case ast::StatementKind::kInsert:
      ExecuteInsert(static_cast<const ast::Insert&>(statement), sink);
      return;
    case ast::StatementKind::kCreateTable:
      ExecuteCreateTable(static_cast<const ast::CreateTable&>(statement), sink);
      return;
    case ast::StatementKind::kDrop:
      ExecuteDrop(static_cast<const ast::Drop&>(statement), sink);
      return;
    case ast::StatementKind::kShow:
      ExecuteShow(static_cast<const ast::Show&>(statement), sink);
      return;
    case ast::StatementKind::kSet:
      ExecuteSet(static_cast<const ast::Set&>(statement), sink);
      return;
    case ast::StatementKind::kTransaction:
      ExecuteTransaction(static_cast<const ast::Transaction&>(statement), sink);
      return;
    case ast::StatementKind::kUpdate:
      ExecuteUpdate(static_cast<const ast::Update&>(statement), sink);
      return;
    case ast::StatementKind::kDelete:
      ExecuteDelete(static_cast<const ast::Delete&>(statement), sink);
      return;
    case ast::StatementKind::kCreateSource:
      ExecuteCreateSource(static_cast<const ast::CreateSource&>(statement), sink);
      return;
    case ast::StatementKind::kCreateMaterializedView:
      ExecuteCreateMaterializedView(static_cast<const ast::CreateMaterializedView&>(statement),
                                    sink);
      return;
    case ast::StatementKind::kCreateSink:
      ExecuteCreateSink(static_cast<const ast::CreateSink&>(statement), sink);
      return;
    case ast::StatementKind::kFlush:
      ExecuteFlush(sink);
      return;
    case ast::StatementKind::kExplain:
      ExecuteExplain(static_cast<const ast::Explain&>(statement), sink);
      return;
    case ast::StatementKind::kDescribe:
      ExecuteDescribe(static_cast<const ast::Describe&>(statement), sink);
      return;
  }
  throw Error::Internal("unknown statement kind");
}

planner::Binder Session::MakeBinder() {
  return planner::Binder(catalog_snapshot_, evaluation_, system_tables_.get());
}

executor::BatchContext Session::MakeBatchContext() {
  executor::BatchContext context;
  context.store = &database_.Store();
  context.snapshot = database_.Store().GetSnapshot();
  context.cancel_requested = &cancel_requested_;
  context.memory_limit_bytes = database_.Options().query_memory_limit_bytes;
  context.evaluation = evaluation_;
  return context;
}

void Session::RejectSourceScans(const plan::BatchNode& node) const {
  if (node.kind == plan::BatchNodeKind::kTableScan) {
    const auto& scan = static_cast<const plan::TableScanNode&>(node);
    auto relation = catalog_snapshot_->FindRelation(scan.table.table_id);
    if (relation != nullptr && relation->kind == catalog::RelationKind::kSource) {
      throw Error(SqlState::kFeatureNotSupported,
                  fmt::format("cannot read source \"{}\" in a query", relation->name))
          .WithHint("A source is a stream: create a materialized view over it and query the view.");
    }
  }
  if (node.input) {
    RejectSourceScans(*node.input);
  }
  if (node.kind == plan::BatchNodeKind::kJoin) {
    RejectSourceScans(*static_cast<const plan::JoinNode&>(node).right);
  } else if (node.kind == plan::BatchNodeKind::kSetOperation) {
    RejectSourceScans(*static_cast<const plan::SetOperationNode&>(node).right);
  }
}

uint64_t Session::RunQuery(const plan::BatchNode& root, ResultSink& sink) {
  RejectSourceScans(root);
  const executor::BatchContext context = MakeBatchContext();
  auto query = executor::BuildBatchOperator(root, context);
  sink.OnColumns(root.outputs);
  uint64_t rows = 0;
  Chunk chunk;
  Chunk named;
  while (query->Next(chunk)) {
    rows += chunk.NumRows();
    sink.OnChunk(NameObjectIds(root.outputs, chunk, evaluation_, named) ? named : chunk,
                 evaluation_);
  }
  return rows;
}

void Session::ExecuteSelect(const ast::SelectStatement& statement, ResultSink& sink) {
  planner::Binder binder = MakeBinder();
  plan::BatchNodePtr root = binder.BindQuery(*statement.select);
  const uint64_t rows = RunQuery(*root, sink);
  sink.OnCommandComplete(fmt::format("SELECT {}", rows));
}

uint64_t Session::RunWrite(const plan::TableDescriptor& table,
                           const plan::BatchNode& source,
                           const std::function<void(executor::TableWriter&, const Chunk&)>& stage) {
  if (auto relation = catalog_snapshot_->FindRelation(table.table_id);
      relation != nullptr && relation->FedByConnector()) {
    throw Error(
        SqlState::kWrongObjectType,
        fmt::format("cannot change table \"{}\": its rows come from a connector", table.name))
        .WithHint("Write to the table's Kafka topic instead.");
  }
  const executor::BatchContext context = MakeBatchContext();
  // Compute every row first from one snapshot: a statement never sees its own writes.
  auto rows = executor::BuildBatchOperator(source, context);
  std::vector<Chunk> chunks;
  size_t bytes = 0;
  Chunk chunk;
  while (rows->Next(chunk)) {
    bytes += chunk.MemoryUsage();
    context.CheckMemory(bytes);
    chunks.push_back(std::move(chunk));
  }
  std::lock_guard lock(database_.TableWriteMutex(table.table_id));
  // The table may have been dropped while the rows were computed.
  if (database_.Catalog().Snapshot()->FindRelation(table.table_id) == nullptr) {
    throw Error::UndefinedTable(table.name);
  }
  executor::TableWriter writer(database_.Store(), table);
  for (const Chunk& staged : chunks) {
    stage(writer, staged);
    context.CheckCancelled();
  }
  executor::TableWriter::StagedWrite staged = writer.Finish();
  database_.Streams().CommitTableWrite(table.table_id, std::move(staged.rows),
                                       std::move(staged.changes));
  const uint64_t count = staged.count;
  if (transaction_state_ == TransactionState::kInBlock) {
    wrote_in_block_ = true;
  }
  return count;
}

void Session::RejectAppendOnly(const plan::TableDescriptor& table, std::string_view verb) const {
  auto relation = catalog_snapshot_->FindRelation(table.table_id);
  if (relation != nullptr && relation->append_only) {
    throw Error(SqlState::kFeatureNotSupported,
                fmt::format("cannot {} append-only table \"{}\"", verb, table.name))
        .WithHint("An APPEND ONLY table only accepts INSERT.");
  }
}

void Session::ExecuteInsert(const ast::Insert& statement, ResultSink& sink) {
  planner::Binder binder = MakeBinder();
  planner::InsertPlan plan = binder.BindInsert(statement);
  const uint64_t count =
      RunWrite(plan.table, *plan.source,
               [](executor::TableWriter& writer, const Chunk& rows) { writer.Insert(rows); });
  sink.OnCommandComplete(fmt::format("INSERT 0 {}", count));
}

void Session::ExecuteUpdate(const ast::Update& statement, ResultSink& sink) {
  planner::Binder binder = MakeBinder();
  planner::ModifyPlan plan = binder.BindUpdate(statement);
  RejectAppendOnly(plan.table, "update");
  const uint64_t count =
      RunWrite(plan.table, *plan.source,
               [](executor::TableWriter& writer, const Chunk& rows) { writer.Update(rows); });
  sink.OnCommandComplete(fmt::format("UPDATE {}", count));
}

void Session::ExecuteDelete(const ast::Delete& statement, ResultSink& sink) {
  planner::Binder binder = MakeBinder();
  planner::ModifyPlan plan = binder.BindDelete(statement);
  RejectAppendOnly(plan.table, "delete from");
  const uint64_t count = RunWrite(
      plan.table, *plan.source,
      [](executor::TableWriter& writer, const Chunk& keys) { writer.Delete(keys.GetColumn(0)); });
  sink.OnCommandComplete(fmt::format("DELETE {}", count));
}

void Session::ExecuteExplain(const ast::Explain& statement, ResultSink& sink) {
  planner::Binder binder = MakeBinder();
  const ast::Statement& inner = *statement.statement;
  std::string text;
  switch (inner.kind) {
    case ast::StatementKind::kSelect:
      text = binder.BindQuery(*static_cast<const ast::SelectStatement&>(inner).select)->ToString();
      break;
    case ast::StatementKind::kInsert: {
      planner::InsertPlan plan = binder.BindInsert(static_cast<const ast::Insert&>(inner));
      text = fmt::format("Insert into {}\n{}", plan.table.name, plan.source->ToString(1));
      break;
    }
    case ast::StatementKind::kUpdate: {
      planner::ModifyPlan plan = binder.BindUpdate(static_cast<const ast::Update&>(inner));
      text = fmt::format("Update {}\n{}", plan.table.name, plan.source->ToString(1));
      break;
    }
    case ast::StatementKind::kDelete: {
      planner::ModifyPlan plan = binder.BindDelete(static_cast<const ast::Delete&>(inner));
      text = fmt::format("Delete from {}\n{}", plan.table.name, plan.source->ToString(1));
      break;
    }
    case ast::StatementKind::kCreateMaterializedView:
      text = ExplainMaterializedView(static_cast<const ast::CreateMaterializedView&>(inner));
      break;
    default:
      ThrowNotSupported("EXPLAIN of this statement", inner.position);
  }
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    const size_t end = text.find('\n', start);
    lines.push_back(text.substr(start, end == std::string::npos ? std::string::npos : end - start));
    start = end == std::string::npos ? text.size() : end + 1;
  }
  SendTextRows("QUERY PLAN", lines, sink);
  sink.OnCommandComplete("EXPLAIN");
}

void Session::ExecuteCreateTable(const ast::CreateTable& statement, ResultSink& sink) {
  if (statement.as_select) {
    ThrowNotSupported("CREATE TABLE AS", statement.position);
  }
  const bool fed_by_connector = !statement.with.empty() || statement.format;
  if (!fed_by_connector && !statement.include.empty()) {
    throw Error(SqlState::kFeatureNotSupported, "INCLUDE needs a table fed by a connector")
        .WithHint("Add WITH (connector = 'kafka', ...) and a FORMAT clause.")
        .WithPosition(statement.position);
  }
  if (fed_by_connector && (statement.append_only || statement.watermark)) {
    throw Error(SqlState::kFeatureNotSupported,
                "a table fed by a connector cannot be APPEND ONLY or have a WATERMARK")
        .WithHint("Use CREATE SOURCE for an append-only stream with a watermark.")
        .WithPosition(statement.position);
  }
  if (statement.watermark && !statement.append_only) {
    throw Error(SqlState::kFeatureNotSupported, "a table with a WATERMARK must be APPEND ONLY")
        .WithHint(
            "Add APPEND ONLY after the column list: late rows can only be dropped from a "
            "table that is never updated.")
        .WithPosition(statement.watermark->position);
  }
  if (!statement.schema.empty() && statement.schema != "public") {
    throw Error(SqlState::kInvalidSchemaName,
                fmt::format("schema \"{}\" does not exist", statement.schema))
        .WithPosition(statement.name_position);
  }
  catalog::Relation relation;
  relation.kind = catalog::RelationKind::kTable;
  relation.name = statement.name;
  relation.append_only = statement.append_only;
  relation.definition = statement.text;
  std::vector<std::string> primary_key = statement.primary_key;
  bool column_primary_key = false;
  for (const ast::ColumnDefinition& definition : statement.columns) {
    if (relation.FindColumn(definition.name)) {
      throw Error(SqlState::kDuplicateColumn,
                  fmt::format("column \"{}\" specified more than once", definition.name))
          .WithPosition(definition.position);
    }
    if (definition.default_value) {
      ThrowNotSupported("DEFAULT", definition.default_value->position);
    }
    relation.columns.push_back(
        {definition.name, planner::ResolveType(definition.type), definition.not_null});
    if (definition.primary_key) {
      if (column_primary_key || !statement.primary_key.empty()) {
        throw Error(
            SqlState::kInvalidTableDefinition,
            fmt::format("multiple primary keys for table \"{}\" are not allowed", statement.name))
            .WithPosition(definition.position);
      }
      column_primary_key = true;
      primary_key.push_back(definition.name);
    }
  }
  if (fed_by_connector) {
    ReadConnectorTable(statement, relation);
  }
  for (const std::string& name : primary_key) {
    auto index = relation.FindColumn(name);
    if (!index) {
      throw Error(SqlState::kUndefinedColumn,
                  fmt::format("column \"{}\" named in key does not exist", name))
          .WithPosition(statement.position);
    }
    if (std::find(relation.primary_key.begin(), relation.primary_key.end(), *index) !=
        relation.primary_key.end()) {
      throw Error(SqlState::kDuplicateColumn,
                  fmt::format("column \"{}\" appears twice in primary key constraint", name))
          .WithPosition(statement.position);
    }
    relation.primary_key.push_back(static_cast<uint32_t>(*index));
    relation.columns[*index].not_null = true;
  }
  if (statement.watermark) {
    relation.watermark =
        planner::BindWatermark(*statement.watermark, relation.columns, evaluation_);
  }
  if (fed_by_connector) {
    ValidateConnectorTable(statement, relation);
  }

  std::lock_guard lock(database_.DdlMutex());
  if (database_.Catalog().Snapshot()->FindRelation(statement.name) != nullptr) {
    Error exists(SqlState::kDuplicateTable,
                 fmt::format("relation \"{}\" already exists", statement.name));
    if (statement.if_not_exists) {
      sink.OnNotice(
          std::move(exists).WithSeverity(Severity::kNotice).WithDetail("").WithPosition(0));
      sink.OnCommandComplete("CREATE TABLE");
      return;
    }
    throw std::move(exists).WithPosition(statement.name_position);
  }
  storage::WriteBatch batch;
  relation.id = database_.AllocateObjectId(batch);
  if (fed_by_connector) {
    // The connector's dataflow fills the table; the catalog entry commits with its first epoch.
    planner::MaterializedViewPlan plan = planner::PlanConnectorTable(relation, database_.Workers());
    relation.parallelism = plan.plan->parallelism;
    Database::PutRelation(relation, batch);
    database_.Streams().Deploy(relation.id, std::move(plan.plan), /*backfill=*/true,
                               std::move(batch));
  } else {
    Database::PutRelation(relation, batch);
    database_.Store().Write(batch).ThrowIfError();
  }
  database_.Catalog().Put(std::make_shared<const catalog::Relation>(std::move(relation)));
  sink.OnCommandComplete("CREATE TABLE");
}

void Session::SendTextRows(std::string_view column,
                           const std::vector<std::string>& rows,
                           ResultSink& sink) {
  sink.OnColumns({{std::string(column), DataType::Text(), 0, 0}});
  Chunk chunk({DataType::Text()});
  for (const std::string& row : rows) {
    chunk.MutableColumn(0).AppendString(row);
  }
  chunk.SetNumRows(rows.size());
  if (chunk.NumRows() > 0) {
    sink.OnChunk(chunk, evaluation_);
  }
}

void Session::ExecuteShow(const ast::Show& statement, ResultSink& sink) {
  if (statement.object) {
    ShowRelations(*statement.object, sink);
    return;
  }
  std::string name = statement.variable;
  if (name == "time zone") {
    name = "timezone";
  }
  if (name == "transaction isolation level") {
    name = "transaction_isolation";
  }
  if (name == "all") {
    sink.OnColumns({{"name", DataType::Text(), 0, 0},
                    {"setting", DataType::Text(), 0, 0},
                    {"description", DataType::Text(), 0, 0}});
    Chunk chunk({DataType::Text(), DataType::Text(), DataType::Text()});
    for (const SettingRow& row : settings_.ShowAll()) {
      chunk.AppendRow(
          {Value::Text(row.name), Value::Text(row.setting), Value::Text(row.description)});
    }
    sink.OnChunk(chunk, evaluation_);
    sink.OnCommandComplete("SHOW");
    return;
  }
  std::string value;
  try {
    value = settings_.Show(name);
  } catch (Error& error) {
    throw std::move(error).WithPosition(statement.position);
  }
  SendTextRows(settings_.DisplayName(name), {value}, sink);
  sink.OnCommandComplete("SHOW");
}

void Session::ExecuteSet(const ast::Set& statement, ResultSink& sink) {
  std::string name = statement.variable;
  if (name == "time zone") {
    name = "timezone";
  }
  const bool in_block = transaction_state_ != TransactionState::kIdle;
  if (name == "session characteristics" || name == "transaction") {
    // The modes of SET SESSION CHARACTERISTICS AS TRANSACTION set the defaults of new
    // transactions; those of SET TRANSACTION the current one.
    const std::string prefix = name == "transaction" ? "" : "default_";
    for (const std::string& mode : statement.values) {
      if (mode.starts_with("isolation level ")) {
        settings_.Set(prefix + "transaction_isolation",
                      {mode.substr(std::string_view("isolation level ").size())}, false, in_block);
      } else if (mode == "read only" || mode == "read write") {
        settings_.Set(prefix + "transaction_read_only", {mode == "read only" ? "on" : "off"}, false,
                      in_block);
      }
    }
    sink.OnCommandComplete("SET");
    return;
  }
  if (name == "all" && statement.reset) {
    settings_.ResetAll();
    sink.OnCommandComplete("RESET");
    return;
  }
  std::optional<Error> warning;
  try {
    warning = settings_.Set(name, statement.reset ? std::vector<std::string>{} : statement.values,
                            statement.local, in_block);
  } catch (Error& error) {
    if (error.State() == SqlState::kUndefinedObject) {
      throw std::move(error).WithPosition(statement.position);
    }
    throw;
  }
  if (warning) {
    sink.OnNotice(*warning);
  }
  sink.OnCommandComplete(statement.reset ? "RESET" : "SET");
}

void Session::ExecuteTransaction(const ast::Transaction& statement, ResultSink& sink) {
  switch (statement.type) {
    case ast::Transaction::Type::kBegin:
      if (transaction_state_ != TransactionState::kIdle) {
        sink.OnNotice(
            Error(SqlState::kActiveSqlTransaction, "there is already a transaction in progress")
                .WithSeverity(Severity::kWarning));
      }
      if (transaction_state_ == TransactionState::kIdle) {
        settings_.BeginTransaction();
      }
      transaction_state_ = TransactionState::kInBlock;
      wrote_in_block_ = false;
      sink.OnCommandComplete("BEGIN");
      return;
    case ast::Transaction::Type::kCommit:
    case ast::Transaction::Type::kRollback: {
      const bool commit = statement.type == ast::Transaction::Type::kCommit;
      if (transaction_state_ == TransactionState::kIdle) {
        sink.OnNotice(
            Error(SqlState::kNoActiveSqlTransaction, "there is no transaction in progress")
                .WithSeverity(Severity::kWarning));
      } else if (!commit && wrote_in_block_) {
        // Statements commit one by one; say so rather than pretend the writes were undone.
        sink.OnNotice(Error(SqlState::kWarning,
                            "writes made in this transaction block were already committed")
                          .WithSeverity(Severity::kWarning));
      }
      const bool failed = transaction_state_ == TransactionState::kFailed;
      if (transaction_state_ != TransactionState::kIdle) {
        // Like PostgreSQL, a rolled-back block also undoes its SETs.
        settings_.EndTransaction(commit && !failed);
      }
      transaction_state_ = TransactionState::kIdle;
      sink.OnCommandComplete(commit && !failed ? "COMMIT" : "ROLLBACK");
      return;
    }
  }
}

}  // namespace freshet::engine
