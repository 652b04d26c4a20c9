// SPDX-License-Identifier: Apache-2.0
#include "engine/stream_system_tables.h"

#include <algorithm>
#include <climits>
#include <map>
#include <set>
#include <string>
#include <tuple>

#include "connectors/source_reader.h"
#include "engine/database.h"
#include "storage/key_codec.h"

namespace freshet::engine {
namespace {

constexpr int64_t kMicrosPerDay = int64_t{86'400'000'000};

Value Oid(uint32_t oid) {
  return Value::Int(DataType(TypeId::kOid), oid);
}

Value Bigint(uint64_t value) {
  return Value::Bigint(static_cast<int64_t>(std::min<uint64_t>(value, INT64_MAX)));
}

// The approximate bytes the store holds under `prefix`; 0 when the store cannot tell (closed).
uint64_t ApproximatePrefixSize(storage::StateStore& store, const std::string& prefix) {
  Result<uint64_t> size = store.ApproximateSize(prefix, storage::PrefixUpperBound(prefix));
  return size.ok() ? size.value() : 0;
}

// now() - last commit as PostgreSQL subtracts timestamps: whole days, then the rest.
Value Lag(int64_t micros) {
  Interval lag;
  lag.days = static_cast<int32_t>(micros / kMicrosPerDay);
  lag.micros = micros % kMicrosPerDay;
  return Value::FromInterval(lag);
}

// `bytes` as text: valid UTF-8 sequences as they are, every other byte as \xNN.
std::string PrintableText(std::string_view bytes) {
  std::string text;
  text.reserve(bytes.size());
  for (size_t i = 0; i < bytes.size();) {
    const auto lead = static_cast<unsigned char>(bytes[i]);
    size_t length = lead < 0x80                   ? 1
                    : lead >= 0xC2 && lead < 0xE0 ? 2
                    : lead >= 0xE0 && lead < 0xF0 ? 3
                    : lead >= 0xF0 && lead < 0xF5 ? 4
                                                  : 0;
    bool valid = length > 0 && i + length <= bytes.size() && (lead >= 0x20 || lead == '\t');
    for (size_t k = 1; valid && k < length; ++k) {
      valid = (static_cast<unsigned char>(bytes[i + k]) & 0xC0) == 0x80;
    }
    if (valid) {
      text.append(bytes.substr(i, length));
      i += length;
    } else {
      static constexpr char kHex[] = "0123456789abcdef";
      text += "\\x";
      text += kHex[lead >> 4];
      text += kHex[lead & 0xF];
      ++i;
    }
  }
  return text;
}

std::string_view ConnectorOf(const catalog::Relation& relation) {
  if (const std::optional<std::string_view> connector =
          connectors::FindOption(relation.options, "connector")) {
    return *connector;
  }
  return relation.kind == catalog::RelationKind::kTable ? "table" : "";
}

}  // namespace

std::vector<std::vector<Value>> MaterializedViewRows(const catalog::CatalogSnapshot& snapshot,
                                                     Database& database,
                                                     int64_t now_micros) {
  executor::stream::StreamRuntime& streams = database.Streams();
  std::map<uint32_t, executor::stream::ViewProgress> progress;
  for (executor::stream::ViewProgress& view : streams.Views()) {
    const uint32_t id = view.view_id;
    progress.emplace(id, std::move(view));
  }
  const auto committed_epoch = static_cast<int64_t>(streams.CommittedEpoch());
  const int64_t last_commit = streams.LastCommitMicros();
  const Value last_commit_value =
      last_commit == 0 ? Value() : Value::Int(DataType(TypeId::kTimestamptz), last_commit);
  const Value lag = last_commit == 0 ? Value() : Lag(now_micros - last_commit);

  std::vector<std::vector<Value>> rows;
  for (const auto& [id, relation] : snapshot.RelationsById()) {
    if (relation->kind != catalog::RelationKind::kMaterializedView) {
      continue;
    }
    const uint64_t state_bytes =
        ApproximatePrefixSize(database.Store(), storage::TablePrefix(id)) +
        ApproximatePrefixSize(database.Store(), storage::ViewStatePrefix(id));
    const auto it = progress.find(id);
    const bool running = it != progress.end();
    Value view_rows;
    Value errors;
    Value last_error;
    if (running) {
      view_rows = Value::Bigint(it->second.rows);
      errors = Bigint(it->second.errors);
      if (!it->second.last_error.empty()) {
        last_error = Value::Text(it->second.last_error);
      }
    }
    rows.push_back({
        Value::Text(relation->name),
        Oid(id),
        view_rows,
        Bigint(state_bytes),
        Value::Bigint(committed_epoch),
        last_commit_value,
        lag,
        Value::Integer(static_cast<int32_t>(relation->parallelism)),
        Value::Boolean(relation->append_only),
        errors,
        last_error,
        Value::Text(relation->definition),
    });
  }
  return rows;
}

std::vector<std::vector<Value>> SourceRows(const catalog::CatalogSnapshot& snapshot,
                                           Database& database) {
  std::map<uint32_t, executor::stream::SourceProgress> progress;
  for (const executor::stream::SourceProgress& source : database.Streams().Sources()) {
    progress.emplace(source.relation_id, source);
  }
  // A table fed by a connector also skips rows its dataflow cannot store (a NULL key).
  std::map<uint32_t, uint64_t> dataflow_errors;
  for (const executor::stream::ViewProgress& view : database.Streams().Views()) {
    dataflow_errors[view.view_id] = view.errors;
  }
  std::set<catalog::ObjectId> read_by_views;
  for (const auto& [id, relation] : snapshot.RelationsById()) {
    if (relation->kind == catalog::RelationKind::kMaterializedView) {
      read_by_views.insert(relation->depends_on.begin(), relation->depends_on.end());
    }
  }

  std::vector<std::vector<Value>> rows;
  for (const auto& [id, relation] : snapshot.RelationsById()) {
    const bool listed =
        relation->kind == catalog::RelationKind::kSource || relation->FedByConnector() ||
        (relation->kind == catalog::RelationKind::kTable && read_by_views.count(id) > 0);
    if (!listed) {
      continue;
    }
    executor::stream::SourceProgress counts;
    if (const auto it = progress.find(id); it != progress.end()) {
      counts = it->second;
    }
    if (relation->FedByConnector()) {
      counts.errors += dataflow_errors[id];
    }
    const std::string_view connector = ConnectorOf(*relation);
    rows.push_back({
        Value::Text(relation->name),
        Oid(id),
        connector.empty() ? Value() : Value::Text(std::string(connector)),
        counts.watermark == INT64_MIN ? Value()
                                      : Value::Int(DataType::Timestamp(), counts.watermark),
        Bigint(counts.rows),
        Bigint(counts.late_rows),
        Bigint(counts.errors),
        progress.count(id) > 0 ? Value::Text(counts.state) : Value(),
        counts.lag < 0 ? Value() : Value::Bigint(counts.lag),
    });
  }
  return rows;
}

std::vector<std::vector<Value>> SourceErrorRows(const catalog::CatalogSnapshot& snapshot,
                                                Database& database) {
  std::vector<std::vector<Value>> rows;
  for (const executor::stream::SourceProgress& source : database.Streams().Sources()) {
    const std::shared_ptr<const catalog::Relation> relation =
        snapshot.FindRelation(source.relation_id);
    if (relation == nullptr) {
      continue;
    }
    for (const connectors::SourceError& error : source.recent_errors) {
      rows.push_back({
          Value::Text(relation->name),
          error.partition < 0 ? Value() : Value::Integer(error.partition),
          error.offset < 0 ? Value() : Value::Bigint(error.offset),
          Value::Text(error.message),
          Value::Text(PrintableText(error.payload_prefix)),
      });
    }
  }
  return rows;
}

std::vector<std::vector<Value>> SinkRows(Database& database) {
  std::vector<connectors::SinkHealth> sinks = database.Streams().Sinks();
  std::sort(sinks.begin(), sinks.end(), [](const auto& a, const auto& b) {
    return std::tie(a.sink_name, a.shard) < std::tie(b.sink_name, b.shard);
  });
  std::vector<std::vector<Value>> rows;
  for (const connectors::SinkHealth& sink : sinks) {
    rows.push_back({
        Value::Text(sink.sink_name),
        Value::Integer(static_cast<int32_t>(sink.shard)),
        Value::Text(sink.state),
        Bigint(sink.pending_epochs),
        sink.delivered_epoch == 0 ? Value() : Bigint(sink.delivered_epoch),
        Bigint(sink.failures),
    });
  }
  return rows;
}

}  // namespace freshet::engine
