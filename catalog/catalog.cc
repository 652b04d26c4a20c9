// SPDX-License-Identifier: Apache-2.0
#include "catalog/catalog.h"

#include "common/error.h"
#include "common/serializer.h"

namespace freshet::catalog {
namespace {

// Version 3 added the message format and the included columns; version 2 entries still read.
constexpr uint8_t kRelationFormatVersion = 3;

}  // namespace

std::optional<size_t> Relation::FindColumn(std::string_view column_name) const {
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].name == column_name) {
      return i;
    }
  }
  return std::nullopt;
}

std::vector<DataType> Relation::ColumnTypes() const {
  std::vector<DataType> types;
  types.reserve(columns.size());
  for (const ColumnSchema& column : columns) {
    types.push_back(column.type);
  }
  return types;
}

std::string SerializeRelation(const Relation& relation) {
  Serializer out;
  out.WriteU8(kRelationFormatVersion);
  out.WriteU32(relation.id);
  out.WriteU8(static_cast<uint8_t>(relation.kind));
  out.WriteString(relation.schema);
  out.WriteString(relation.name);
  out.WriteU32(static_cast<uint32_t>(relation.columns.size()));
  for (const ColumnSchema& column : relation.columns) {
    out.WriteString(column.name);
    out.WriteType(column.type);
    out.WriteBool(column.not_null);
  }
  out.WriteU32(static_cast<uint32_t>(relation.primary_key.size()));
  for (uint32_t index : relation.primary_key) {
    out.WriteU32(index);
  }
  out.WriteBool(relation.append_only);
  out.WriteString(relation.definition);
  out.WriteBool(relation.watermark.has_value());
  if (relation.watermark) {
    out.WriteU32(relation.watermark->column);
    out.WriteI64(relation.watermark->delay_micros);
    out.WriteI64(relation.watermark->lateness_micros);
  }
  out.WriteU32(static_cast<uint32_t>(relation.options.size()));
  for (const auto& [key, value] : relation.options) {
    out.WriteString(key);
    out.WriteString(value);
  }
  out.WriteU32(static_cast<uint32_t>(relation.hidden_columns.size()));
  for (const ColumnSchema& column : relation.hidden_columns) {
    out.WriteString(column.name);
    out.WriteType(column.type);
  }
  out.WriteU32(static_cast<uint32_t>(relation.stream_key.size()));
  for (uint32_t index : relation.stream_key) {
    out.WriteU32(index);
  }
  out.WriteU32(relation.parallelism);
  out.WriteU32(static_cast<uint32_t>(relation.depends_on.size()));
  for (ObjectId id : relation.depends_on) {
    out.WriteU32(id);
  }
  out.WriteString(relation.format);
  out.WriteString(relation.encode);
  out.WriteU32(static_cast<uint32_t>(relation.encode_options.size()));
  for (const auto& [key, value] : relation.encode_options) {
    out.WriteString(key);
    out.WriteString(value);
  }
  out.WriteU32(static_cast<uint32_t>(relation.included_columns.size()));
  for (const auto& [what, column] : relation.included_columns) {
    out.WriteString(what);
    out.WriteU32(column);
  }
  return std::move(out).Finish();
}

Relation DeserializeRelation(std::string_view bytes) {
  Deserializer in(bytes);
  const uint8_t version = in.ReadU8();
  if (version != kRelationFormatVersion && version != 2) {
    throw Error(SqlState::kDataCorrupted, "unknown catalog entry format");
  }
  Relation relation;
  relation.id = in.ReadU32();
  const uint8_t kind = in.ReadU8();
  if (kind > static_cast<uint8_t>(RelationKind::kSink)) {
    throw Error(SqlState::kDataCorrupted, "corrupt relation kind in catalog entry");
  }
  relation.kind = static_cast<RelationKind>(kind);
  relation.schema = in.ReadString();
  relation.name = in.ReadString();
  const uint32_t num_columns = in.ReadU32();
  for (uint32_t i = 0; i < num_columns; ++i) {
    ColumnSchema column;
    column.name = in.ReadString();
    column.type = in.ReadType();
    column.not_null = in.ReadBool();
    relation.columns.push_back(std::move(column));
  }
  const uint32_t num_keys = in.ReadU32();
  for (uint32_t i = 0; i < num_keys; ++i) {
    const uint32_t index = in.ReadU32();
    if (index >= relation.columns.size()) {
      throw Error(SqlState::kDataCorrupted, "corrupt primary key in catalog entry");
    }
    relation.primary_key.push_back(index);
  }
  relation.append_only = in.ReadBool();
  relation.definition = in.ReadString();
  if (in.ReadBool()) {
    WatermarkSpec watermark;
    watermark.column = in.ReadU32();
    watermark.delay_micros = in.ReadI64();
    watermark.lateness_micros = in.ReadI64();
    if (watermark.column >= relation.columns.size()) {
      throw Error(SqlState::kDataCorrupted, "corrupt watermark in catalog entry");
    }
    relation.watermark = watermark;
  }
  const uint32_t num_options = in.ReadU32();
  for (uint32_t i = 0; i < num_options; ++i) {
    std::string key = in.ReadString();
    relation.options.emplace_back(std::move(key), in.ReadString());
  }
  const uint32_t num_hidden = in.ReadU32();
  for (uint32_t i = 0; i < num_hidden; ++i) {
    ColumnSchema column;
    column.name = in.ReadString();
    column.type = in.ReadType();
    relation.hidden_columns.push_back(std::move(column));
  }
  const uint32_t num_stream_key = in.ReadU32();
  for (uint32_t i = 0; i < num_stream_key; ++i) {
    const uint32_t index = in.ReadU32();
    if (index >= relation.columns.size() + relation.hidden_columns.size()) {
      throw Error(SqlState::kDataCorrupted, "corrupt stream key in catalog entry");
    }
    relation.stream_key.push_back(index);
  }
  relation.parallelism = in.ReadU32();
  const uint32_t num_dependencies = in.ReadU32();
  for (uint32_t i = 0; i < num_dependencies; ++i) {
    relation.depends_on.push_back(in.ReadU32());
  }
  if (version >= 3) {
    relation.format = in.ReadString();
    relation.encode = in.ReadString();
    const uint32_t num_encode_options = in.ReadU32();
    for (uint32_t i = 0; i < num_encode_options; ++i) {
      std::string key = in.ReadString();
      relation.encode_options.emplace_back(std::move(key), in.ReadString());
    }
    const uint32_t num_included = in.ReadU32();
    for (uint32_t i = 0; i < num_included; ++i) {
      std::string what = in.ReadString();
      const uint32_t column = in.ReadU32();
      if (column >= relation.columns.size()) {
        throw Error(SqlState::kDataCorrupted, "corrupt included column in catalog entry");
      }
      relation.included_columns.emplace_back(std::move(what), column);
    }
  }
  return relation;
}

CatalogSnapshot::CatalogSnapshot(uint64_t version,
                                 std::map<ObjectId, std::shared_ptr<const Relation>> relations)
    : version_(version), relations_(std::move(relations)) {}

std::shared_ptr<const Relation> CatalogSnapshot::FindRelation(std::string_view name) const {
  for (const auto& [id, relation] : relations_) {
    if (relation->name == name) {
      return relation;
    }
  }
  return nullptr;
}

std::shared_ptr<const Relation> CatalogSnapshot::FindRelation(ObjectId id) const {
  auto it = relations_.find(id);
  return it == relations_.end() ? nullptr : it->second;
}

std::vector<std::shared_ptr<const Relation>> CatalogSnapshot::Relations() const {
  std::vector<std::shared_ptr<const Relation>> result;
  result.reserve(relations_.size());
  for (const auto& [id, relation] : relations_) {
    result.push_back(relation);
  }
  return result;
}

std::shared_ptr<const CatalogSnapshot> Catalog::Snapshot() const {
  std::lock_guard lock(mutex_);
  return current_;
}

void Catalog::Put(std::shared_ptr<const Relation> relation) {
  std::lock_guard lock(mutex_);
  auto relations = current_->RelationsById();
  relations[relation->id] = std::move(relation);
  current_ = std::make_shared<const CatalogSnapshot>(current_->Version() + 1, std::move(relations));
}

void Catalog::Remove(ObjectId id) {
  std::lock_guard lock(mutex_);
  auto relations = current_->RelationsById();
  relations.erase(id);
  current_ = std::make_shared<const CatalogSnapshot>(current_->Version() + 1, std::move(relations));
}

}  // namespace freshet::catalog
