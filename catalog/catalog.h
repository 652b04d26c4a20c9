// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/data_type.h"

namespace freshet::catalog {

/// Identifies a catalog object; also its Postgres OID (user objects start at 16384, like Postgres).
using ObjectId = uint32_t;
constexpr ObjectId kFirstUserObjectId = 16384;

/// What a relation is.
enum class RelationKind : uint8_t { kTable, kSource, kMaterializedView, kSink };

/// One column of a relation.
struct ColumnSchema {
  std::string name;
  DataType type;
  bool not_null = false;
};

/// `WATERMARK FOR column AS column - delay [WITH LATENESS lateness]` of a source or append-only
/// table: the watermark is the largest time seen minus `delay`; rows older than the watermark minus
/// `lateness` are late.
struct WatermarkSpec {
  uint32_t column = 0;
  int64_t delay_micros = 0;
  int64_t lateness_micros = 0;
};

/// A table, source, materialized view or sink: its name, columns, key and where its rows are
/// stored.
struct Relation {
  ObjectId id = 0;
  RelationKind kind = RelationKind::kTable;
  std::string schema = "public";
  std::string name;
  std::vector<ColumnSchema> columns;
  /// Indexes into `columns` of the primary key; empty means rows are keyed by a hidden row id.
  std::vector<uint32_t> primary_key;
  bool append_only = false;
  /// The statement that created the object, for views to be replanned on restart and for DESCRIBE.
  std::string definition;
  std::optional<WatermarkSpec> watermark;
  /// The `WITH (key = value, ...)` options of a source, table or sink, keys in lower case.
  std::vector<std::pair<std::string, std::string>> options;
  /// A materialized view's key columns that its query does not output, stored after the visible
  /// ones in the key only.
  std::vector<ColumnSchema> hidden_columns;
  /// A materialized view's stream key: indexes into `columns` followed by `hidden_columns`.
  std::vector<uint32_t> stream_key;
  /// The number of parallel instances of a view's hash-distributed operators, fixed at creation
  /// because their state is split by it.
  uint32_t parallelism = 1;
  /// The relations a view or sink reads, so DROP can refuse (2BP01) or cascade.
  std::vector<ObjectId> depends_on;
  /// `FORMAT <format> ENCODE <encode> (<encode_options>)` of a Kafka source, table or sink, in
  /// lower case; empty when the statement had none.
  std::string format;
  std::string encode;
  std::vector<std::pair<std::string, std::string>> encode_options;
  /// The columns a Kafka source fills from message metadata (`INCLUDE partition | offset |
  /// timestamp | key [AS name]`): what, and the index into `columns`.
  std::vector<std::pair<std::string, uint32_t>> included_columns;

  /// True for a table whose rows come from a connector (CREATE TABLE ... WITH (connector = ...))
  /// rather than DML.
  bool FedByConnector() const { return kind == RelationKind::kTable && !options.empty(); }
  /// True when a dataflow of the streaming runtime maintains the relation: a materialized view, a
  /// sink or a table fed by a connector.
  bool HasDataflow() const {
    return kind == RelationKind::kMaterializedView || kind == RelationKind::kSink ||
           FedByConnector();
  }
  /// Returns the index of the column named `name`, if any.
  std::optional<size_t> FindColumn(std::string_view column_name) const;
  /// The name of the primary-key constraint, as Postgres names it ("t_pkey").
  std::string PrimaryKeyName() const { return name + "_pkey"; }
  std::vector<DataType> ColumnTypes() const;
};

/// Encodes a relation as bytes for storage (versioned).
std::string SerializeRelation(const Relation& relation);
/// Decodes what SerializeRelation wrote; throws Error kDataCorrupted on bad bytes.
Relation DeserializeRelation(std::string_view bytes);

/// An immutable view of the catalog at one version. Readers hold it through a shared_ptr and never
/// lock.
class CatalogSnapshot {
 public:
  CatalogSnapshot() = default;
  CatalogSnapshot(uint64_t version, std::map<ObjectId, std::shared_ptr<const Relation>> relations);

  uint64_t Version() const { return version_; }
  /// Finds a relation by (lower-case) name in schema "public".
  std::shared_ptr<const Relation> FindRelation(std::string_view name) const;
  std::shared_ptr<const Relation> FindRelation(ObjectId id) const;
  /// All relations ordered by id.
  std::vector<std::shared_ptr<const Relation>> Relations() const;
  const std::map<ObjectId, std::shared_ptr<const Relation>>& RelationsById() const {
    return relations_;
  }

 private:
  uint64_t version_ = 0;
  std::map<ObjectId, std::shared_ptr<const Relation>> relations_;
};

/// The current catalog: a copy-on-write pointer to the latest snapshot. Thread-safe; DDL is
/// serialized by the engine, which persists each change before publishing it here.
class Catalog {
 public:
  Catalog() : current_(std::make_shared<const CatalogSnapshot>()) {}

  std::shared_ptr<const CatalogSnapshot> Snapshot() const;
  /// Publishes a snapshot with `relation` added or replaced.
  void Put(std::shared_ptr<const Relation> relation);
  /// Publishes a snapshot without relation `id`.
  void Remove(ObjectId id);

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const CatalogSnapshot> current_;
};

}  // namespace freshet::catalog
