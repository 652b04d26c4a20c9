// SPDX-License-Identifier: Apache-2.0
// The statements of the streaming engine: CREATE SOURCE, CREATE MATERIALIZED VIEW, DROP of any
// relation with its dependents, FLUSH, SHOW and DESCRIBE of relations.
#include <algorithm>
#include <cctype>
#include <set>

#include <fmt/format.h>

#include "common/ascii.h"
#include "common/error.h"
#include "connectors/sink_writer.h"
#include "connectors/source_reader.h"
#include "engine/materialized_view.h"
#include "engine/session.h"
#include "executor/stream/stream_operator.h"
#include "planner/ddl_binder.h"

namespace freshet::engine {
namespace {

/// The DROP / SHOW object kind of a relation kind.
ast::ObjectKind ObjectKindOf(catalog::RelationKind kind) {
  switch (kind) {
    case catalog::RelationKind::kTable:
      return ast::ObjectKind::kTable;
    case catalog::RelationKind::kSource:
      return ast::ObjectKind::kSource;
    case catalog::RelationKind::kMaterializedView:
      return ast::ObjectKind::kMaterializedView;
    case catalog::RelationKind::kSink:
      return ast::ObjectKind::kSink;
  }
  return ast::ObjectKind::kTable;
}

/// The relation kind an object kind names, if it names one.
std::optional<catalog::RelationKind> RelationKindOf(ast::ObjectKind kind) {
  for (catalog::RelationKind relation :
       {catalog::RelationKind::kTable, catalog::RelationKind::kSource,
        catalog::RelationKind::kMaterializedView, catalog::RelationKind::kSink}) {
    if (ObjectKindOf(relation) == kind) {
      return relation;
    }
  }
  return std::nullopt;
}

std::string_view RelationKindName(catalog::RelationKind kind) {
  return ObjectKindName(ObjectKindOf(kind));
}

/// "DROP MATERIALIZED VIEW": the statement, and its command tag, that drops a relation of `kind`.
std::string DropVerb(catalog::RelationKind kind) {
  std::string verb = "DROP ";
  for (char c : RelationKindName(kind)) {
    verb.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  return verb;
}

/// Every relation that depends on `id`, directly or not, newest first (so each is dropped before
/// what it reads).
std::vector<std::shared_ptr<const catalog::Relation>> Dependents(
    const catalog::CatalogSnapshot& snapshot, catalog::ObjectId id) {
  std::set<catalog::ObjectId> found{id};
  bool grew = true;
  while (grew) {
    grew = false;
    for (const auto& relation : snapshot.Relations()) {
      if (found.count(relation->id) > 0) {
        continue;
      }
      for (catalog::ObjectId input : relation->depends_on) {
        if (found.count(input) > 0) {
          found.insert(relation->id);
          grew = true;
          break;
        }
      }
    }
  }
  found.erase(id);
  std::vector<std::shared_ptr<const catalog::Relation>> result;
  for (auto it = found.rbegin(); it != found.rend(); ++it) {
    result.push_back(snapshot.FindRelation(*it));
  }
  return result;
}

/// Reads the WITH options (which must name a connector) and the FORMAT ... ENCODE ... clause of
/// CREATE SOURCE or CREATE TABLE into `relation`; returns the connector's name.
std::string ReadConnectorClauses(const std::vector<ast::Option>& with,
                                 const std::optional<ast::FormatSpec>& format,
                                 int32_t position,
                                 catalog::Relation& relation) {
  relation.options = LowerCaseOptions(with);
  const std::optional<std::string_view> connector =
      connectors::FindOption(relation.options, "connector");
  if (!connector) {
    throw Error(
        SqlState::kInvalidParameterValue,
        fmt::format("a {} needs a connector option", relation.kind == catalog::RelationKind::kTable
                                                         ? "table with WITH options"
                                                         : "source"))
        .WithHint(
            "For example WITH (connector = 'datagen') or WITH (connector = 'kafka', topic = "
            "'bids', properties.bootstrap.server = 'localhost:9092').")
        .WithPosition(position);
  }
  if (format) {
    relation.format = AsciiLower(format->format);
    relation.encode = AsciiLower(format->encode);
    relation.encode_options = LowerCaseOptions(format->options);
  }
  return std::string(*connector);
}

/// Adds a column after the declared ones for each piece of message metadata INCLUDE names.
void AddIncludedColumns(const std::vector<ast::IncludeColumn>& includes,
                        std::string_view connector,
                        int32_t position,
                        catalog::Relation& relation) {
  for (const ast::IncludeColumn& include : includes) {
    if (AsciiLower(connector) != "kafka") {
      throw Error(SqlState::kFeatureNotSupported,
                  fmt::format("INCLUDE is not supported by connector \"{}\"", connector))
          .WithPosition(position);
    }
    const std::optional<connectors::MessageMetadata> metadata =
        connectors::ParseMessageMetadata(include.what);
    if (!metadata) {
      throw Error(SqlState::kFeatureNotSupported,
                  fmt::format("INCLUDE {} is not supported", include.what))
          .WithHint("Kafka sources and tables can include partition, offset, timestamp and key.")
          .WithPosition(position);
    }
    const std::string name = include.alias.empty()
                                 ? "_" + std::string(connectors::MessageMetadataName(*metadata))
                                 : include.alias;
    if (relation.FindColumn(name)) {
      throw Error(SqlState::kDuplicateColumn,
                  fmt::format("column \"{}\" specified more than once", name))
          .WithPosition(position);
    }
    relation.included_columns.emplace_back(connectors::MessageMetadataName(*metadata),
                                           static_cast<uint32_t>(relation.columns.size()));
    relation.columns.push_back({name, connectors::MessageMetadataType(*metadata), false});
  }
}

/// The columns of CREATE TABLE / CREATE SOURCE, checked for duplicates.
std::vector<catalog::ColumnSchema> DefineColumns(
    const std::vector<ast::ColumnDefinition>& definitions) {
  std::vector<catalog::ColumnSchema> columns;
  for (const ast::ColumnDefinition& definition : definitions) {
    for (const catalog::ColumnSchema& column : columns) {
      if (column.name == definition.name) {
        throw Error(SqlState::kDuplicateColumn,
                    fmt::format("column \"{}\" specified more than once", definition.name))
            .WithPosition(definition.position);
      }
    }
    if (definition.default_value) {
      throw Error(SqlState::kFeatureNotSupported, "DEFAULT is not supported yet")
          .WithPosition(definition.default_value->position);
    }
    columns.push_back(
        {definition.name, planner::ResolveType(definition.type), definition.not_null});
  }
  return columns;
}

}  // namespace

void Session::ExecuteCreateSource(const ast::CreateSource& statement, ResultSink& sink) {
  catalog::Relation relation;
  relation.kind = catalog::RelationKind::kSource;
  relation.name = statement.name;
  relation.append_only = true;
  relation.definition = statement.text;
  relation.columns = DefineColumns(statement.columns);
  for (const ast::ColumnDefinition& definition : statement.columns) {
    if (definition.primary_key) {
      throw Error(SqlState::kFeatureNotSupported,
                  "a source has no primary key; use CREATE TABLE ... WITH (connector = ...) for "
                  "upserts")
          .WithPosition(definition.position);
    }
  }
  if (statement.watermark) {
    relation.watermark =
        planner::BindWatermark(*statement.watermark, relation.columns, evaluation_);
  }
  const std::string connector =
      ReadConnectorClauses(statement.with, statement.format, statement.position, relation);
  AddIncludedColumns(statement.include, connector, statement.position, relation);
  connectors::ValidateSource(executor::stream::MakeSourceSpec(*planner::MakeSourceNode(relation)));

  std::lock_guard lock(database_.DdlMutex());
  if (database_.Catalog().Snapshot()->FindRelation(statement.name) != nullptr) {
    Error exists(SqlState::kDuplicateTable,
                 fmt::format("relation \"{}\" already exists", statement.name));
    if (statement.if_not_exists) {
      sink.OnNotice(std::move(exists).WithSeverity(Severity::kNotice).WithPosition(0));
      sink.OnCommandComplete("CREATE SOURCE");
      return;
    }
    throw std::move(exists).WithPosition(statement.name_position);
  }
  storage::WriteBatch batch;
  relation.id = database_.AllocateObjectId(batch);
  Database::PutRelation(relation, batch);
  database_.Store().Write(batch).ThrowIfError();
  database_.Catalog().Put(std::make_shared<const catalog::Relation>(std::move(relation)));
  sink.OnCommandComplete("CREATE SOURCE");
}

void Session::ReadConnectorTable(const ast::CreateTable& statement, catalog::Relation& table) {
  const std::string connector =
      ReadConnectorClauses(statement.with, statement.format, statement.position, table);
  AddIncludedColumns(statement.include, connector, statement.position, table);
}

void Session::ValidateConnectorTable(const ast::CreateTable& statement,
                                     const catalog::Relation& table) {
  if (table.primary_key.empty()) {
    throw Error(SqlState::kInvalidTableDefinition, "a table fed by a connector needs a PRIMARY KEY")
        .WithHint(
            "Its rows are kept by primary key (FORMAT UPSERT: the message key). Use CREATE SOURCE "
            "for an append-only stream.")
        .WithPosition(statement.position);
  }
  connectors::ValidateSource(executor::stream::MakeSourceSpec(*planner::MakeSourceNode(table)));
}

void Session::ExecuteCreateMaterializedView(const ast::CreateMaterializedView& statement,
                                            ResultSink& sink) {
  if (!statement.materialized) {
    throw Error(SqlState::kFeatureNotSupported, "CREATE VIEW is not supported yet")
        .WithHint("Use CREATE MATERIALIZED VIEW: it is kept up to date incrementally.")
        .WithPosition(statement.position);
  }
  if (!statement.with.empty()) {
    throw Error(SqlState::kInvalidParameterValue,
                fmt::format("unrecognized materialized view option \"{}\"", statement.with[0].key))
        .WithPosition(statement.with[0].position);
  }
  std::lock_guard lock(database_.DdlMutex());
  std::shared_ptr<const catalog::CatalogSnapshot> snapshot = database_.Catalog().Snapshot();
  catalog_snapshot_ = snapshot;
  if (snapshot->FindRelation(statement.name) != nullptr) {
    Error exists(SqlState::kDuplicateTable,
                 fmt::format("relation \"{}\" already exists", statement.name));
    if (statement.if_not_exists) {
      sink.OnNotice(std::move(exists).WithSeverity(Severity::kNotice).WithPosition(0));
      sink.OnCommandComplete("CREATE MATERIALIZED VIEW");
      return;
    }
    throw std::move(exists).WithPosition(statement.name_position);
  }
  storage::WriteBatch batch;
  const catalog::ObjectId id = database_.AllocateObjectId(batch);
  planner::MaterializedViewPlan plan =
      PlanMaterializedView(statement, snapshot, evaluation_, id, database_.Workers());
  catalog::Relation relation;
  relation.id = id;
  relation.kind = catalog::RelationKind::kMaterializedView;
  relation.name = statement.name;
  relation.definition = statement.text;
  relation.columns = std::move(plan.columns);
  if (statement.column_aliases.size() > relation.columns.size()) {
    throw Error(SqlState::kSyntaxError, "too many column names were specified")
        .WithPosition(statement.name_position);
  }
  for (size_t i = 0; i < statement.column_aliases.size(); ++i) {
    relation.columns[i].name = statement.column_aliases[i];
  }
  for (size_t i = 0; i < relation.columns.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (relation.columns[i].name == relation.columns[j].name) {
        throw Error(SqlState::kDuplicateColumn,
                    fmt::format("column \"{}\" specified more than once", relation.columns[i].name))
            .WithPosition(statement.name_position);
      }
    }
  }
  relation.hidden_columns = std::move(plan.hidden_columns);
  relation.stream_key = std::move(plan.stream_key);
  relation.depends_on = std::move(plan.depends_on);
  relation.parallelism = plan.plan->parallelism;
  relation.append_only = plan.plan->root->append_only;
  Database::PutRelation(relation, batch);
  database_.Streams().Deploy(id, std::move(plan.plan), /*backfill=*/true, std::move(batch));
  database_.Catalog().Put(std::make_shared<const catalog::Relation>(std::move(relation)));
  sink.OnCommandComplete("CREATE MATERIALIZED VIEW");
}

void Session::ExecuteCreateSink(const ast::CreateSink& statement, ResultSink& sink) {
  std::lock_guard lock(database_.DdlMutex());
  std::shared_ptr<const catalog::CatalogSnapshot> snapshot = database_.Catalog().Snapshot();
  catalog_snapshot_ = snapshot;
  if (snapshot->FindRelation(statement.name) != nullptr) {
    Error exists(SqlState::kDuplicateObject,
                 fmt::format("sink \"{}\" already exists", statement.name));
    if (statement.if_not_exists) {
      sink.OnNotice(std::move(exists).WithSeverity(Severity::kNotice).WithPosition(0));
      sink.OnCommandComplete("CREATE SINK");
      return;
    }
    throw std::move(exists).WithPosition(statement.name_position);
  }
  storage::WriteBatch batch;
  const catalog::ObjectId id = database_.AllocateObjectId(batch);
  planner::MaterializedViewPlan plan =
      PlanSink(statement, snapshot, evaluation_, id, database_.Workers());
  const auto& root = static_cast<const plan::StreamSinkNode&>(*plan.plan->root);
  catalog::Relation relation;
  relation.id = id;
  relation.kind = catalog::RelationKind::kSink;
  relation.name = statement.name;
  relation.definition = statement.text;
  relation.columns = std::move(plan.columns);
  relation.hidden_columns = std::move(plan.hidden_columns);
  relation.stream_key = std::move(plan.stream_key);
  relation.depends_on = std::move(plan.depends_on);
  relation.parallelism = plan.plan->parallelism;
  relation.append_only = root.append_only;
  relation.options = root.options;
  relation.format = root.format;
  relation.encode = root.encode;
  relation.encode_options = root.encode_options;
  // The writer's checks (options, format over this input, a broker that answers) before anything
  // is created.
  connectors::ValidateSink(executor::stream::MakeSinkSpec(root));
  Database::PutRelation(relation, batch);
  database_.Streams().Deploy(id, std::move(plan.plan), /*backfill=*/true, std::move(batch));
  database_.Catalog().Put(std::make_shared<const catalog::Relation>(std::move(relation)));
  sink.OnCommandComplete("CREATE SINK");
}

std::string Session::ExplainMaterializedView(const ast::CreateMaterializedView& statement) {
  planner::MaterializedViewPlan plan =
      PlanMaterializedView(statement, catalog_snapshot_, evaluation_, 0, database_.Workers());
  return plan.plan->ToString();
}

void Session::ExecuteDrop(const ast::Drop& statement, ResultSink& sink) {
  const std::optional<catalog::RelationKind> kind = RelationKindOf(statement.object);
  if (!kind) {
    ThrowNotSupported(fmt::format("DROP {}", ObjectKindName(statement.object)), statement.position);
  }
  const std::string_view noun = RelationKindName(*kind);
  std::lock_guard lock(database_.DdlMutex());
  auto snapshot = database_.Catalog().Snapshot();
  // Check every name first, so that a failing DROP of several relations drops none.
  std::vector<std::shared_ptr<const catalog::Relation>> targets;
  for (size_t i = 0; i < statement.names.size(); ++i) {
    const int32_t position =
        i < statement.name_positions.size() ? statement.name_positions[i] : statement.position;
    auto relation = snapshot->FindRelation(statement.names[i]);
    if (relation != nullptr && relation->kind != *kind) {
      throw Error(SqlState::kWrongObjectType,
                  fmt::format("\"{}\" is not a {}", statement.names[i], noun))
          .WithHint(fmt::format("Use {} to remove a {}.", DropVerb(relation->kind),
                                RelationKindName(relation->kind)))
          .WithPosition(position);
    }
    if (relation == nullptr) {
      if (statement.if_exists) {
        sink.OnNotice(
            Error(SqlState::kSuccessfulCompletion,
                  fmt::format("{} \"{}\" does not exist, skipping", noun, statement.names[i]))
                .WithSeverity(Severity::kNotice));
        continue;
      }
      throw Error(SqlState::kUndefinedTable,
                  fmt::format("{} \"{}\" does not exist", noun, statement.names[i]))
          .WithPosition(position);
    }
    targets.push_back(std::move(relation));
  }
  // Dependents go first, newest first; without CASCADE they are an error.
  std::vector<std::shared_ptr<const catalog::Relation>> drops;
  std::set<catalog::ObjectId> dropping;
  for (const auto& target : targets) {
    const auto dependents = Dependents(*snapshot, target->id);
    if (!dependents.empty() && !statement.cascade) {
      // As Postgres does: one line per dependent, oldest first, naming what it reads.
      std::string detail;
      for (auto it = dependents.rbegin(); it != dependents.rend(); ++it) {
        for (catalog::ObjectId input : (*it)->depends_on) {
          auto read = snapshot->FindRelation(input);
          if (read != nullptr && (read->id == target->id ||
                                  std::any_of(dependents.begin(), dependents.end(),
                                              [&](const auto& d) { return d->id == input; }))) {
            detail += fmt::format("{}{} {} depends on {} {}", detail.empty() ? "" : "\n",
                                  RelationKindName((*it)->kind), (*it)->name,
                                  RelationKindName(read->kind), read->name);
          }
        }
      }
      throw Error(
          SqlState::kDependentObjectsStillExist,
          fmt::format("cannot drop {} {} because other objects depend on it", noun, target->name))
          .WithDetail(std::move(detail))
          .WithHint("Use DROP ... CASCADE to drop the dependent objects too.");
    }
    for (const auto& dependent : dependents) {
      if (dropping.insert(dependent->id).second) {
        sink.OnNotice(Error(SqlState::kSuccessfulCompletion,
                            fmt::format("drop cascades to {} {}", RelationKindName(dependent->kind),
                                        dependent->name))
                          .WithSeverity(Severity::kNotice));
        drops.push_back(dependent);
      }
    }
  }
  for (const auto& target : targets) {
    if (dropping.insert(target->id).second) {
      drops.push_back(target);
    }
  }
  std::sort(drops.begin(), drops.end(), [](const auto& a, const auto& b) { return a->id > b->id; });
  for (const auto& relation : drops) {
    storage::WriteBatch batch;
    Database::DropRelation(*relation, batch);
    if (relation->HasDataflow()) {
      database_.Streams().Drop(relation->id, std::move(batch));
    } else {
      // Wait for writers of a table to finish before its rows go.
      std::lock_guard writer(database_.TableWriteMutex(relation->id));
      database_.Store().Write(batch).ThrowIfError();
    }
    database_.Catalog().Remove(relation->id);
  }
  sink.OnCommandComplete(DropVerb(*kind));
}

void Session::ExecuteFlush(ResultSink& sink) {
  database_.Streams().Flush();
  sink.OnCommandComplete("FLUSH");
}

void Session::ShowRelations(ast::ObjectKind object, ResultSink& sink) {
  const std::optional<catalog::RelationKind> kind = RelationKindOf(object);
  std::vector<std::string> names;
  for (const auto& relation : database_.Catalog().Snapshot()->Relations()) {
    if (kind && relation->kind == *kind) {
      names.push_back(relation->name);
    }
  }
  std::sort(names.begin(), names.end());
  SendTextRows("Name", names, sink);
  sink.OnCommandComplete("SHOW");
}

void Session::ExecuteDescribe(const ast::Describe& statement, ResultSink& sink) {
  auto relation = database_.Catalog().Snapshot()->FindRelation(statement.name);
  if (relation == nullptr) {
    throw Error::UndefinedTable(statement.name).WithPosition(statement.name_position);
  }
  sink.OnColumns({{"Name", DataType::Text(), 0, 0},
                  {"Type", DataType::Text(), 0, 0},
                  {"Is Hidden", DataType::Boolean(), 0, 0}});
  Chunk chunk({DataType::Text(), DataType::Text(), DataType::Boolean()});
  auto add = [&](const catalog::ColumnSchema& column, bool hidden) {
    chunk.AppendRow({Value::String(DataType::Text(), column.name),
                     Value::String(DataType::Text(), column.type.Name()), Value::Boolean(hidden)});
  };
  for (const catalog::ColumnSchema& column : relation->columns) {
    add(column, false);
  }
  for (const catalog::ColumnSchema& column : relation->hidden_columns) {
    add(column, true);
  }
  sink.OnChunk(chunk, evaluation_);
  sink.OnCommandComplete(fmt::format("DESCRIBE"));
}

}  // namespace freshet::engine
