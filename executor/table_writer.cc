// SPDX-License-Identifier: Apache-2.0
#include "executor/table_writer.h"

#include <fmt/format.h>

#include "common/error.h"
#include "executor/table_codec.h"
#include "storage/key_codec.h"
#include "storage/row_codec.h"

namespace freshet::executor {
namespace {

// "(1, abc, null)" as Postgres prints a failing row.
std::string DescribeRow(const Chunk& chunk, size_t row) {
  std::string text = "(";
  for (size_t column = 0; column < chunk.NumColumns(); ++column) {
    if (column > 0) {
      text += ", ";
    }
    const Column& values = chunk.GetColumn(column);
    if (values.IsNull(row)) {
      text += "null";
    } else {
      values.AppendText(row, text);
    }
  }
  return text + ")";
}

}  // namespace

TableWriter::TableWriter(storage::StateStore& store, const plan::TableDescriptor& table)
    : store_(store), table_(table) {
  for (size_t column = 0; column < table.column_types.size(); ++column) {
    table_columns_.push_back(column);
  }
  change_types_ = table.column_types;
  if (table.primary_key.empty()) {
    change_types_.push_back(DataType::Bigint());
  }
}

void TableWriter::AddChange(const Chunk& chunk, size_t row, Op op, uint64_t row_id) {
  if (changes_.empty() || changes_.back().NumRows() >= Chunk::kChunkSize) {
    changes_.emplace_back(change_types_);
  }
  Chunk& out = changes_.back();
  for (size_t column = 0; column < table_.column_types.size(); ++column) {
    out.MutableColumn(column).AppendFrom(chunk.GetColumn(column), row);
  }
  if (table_.primary_key.empty()) {
    out.MutableColumn(table_.column_types.size()).Append<int64_t>(static_cast<int64_t>(row_id));
  }
  out.MutableOps().push_back(op);
}

void TableWriter::AddStoredChange(std::string_view key, Op op) {
  std::optional<std::string> stored = store_.Get(key).ValueOrThrow();
  if (!stored) {
    return;
  }
  Chunk old(table_.column_types);
  DecodeTableRow(table_, *stored, old);
  uint64_t row_id = 0;
  if (table_.primary_key.empty()) {
    std::string_view id_bytes = key.substr(TableKeyPrefix(table_).size());
    row_id = storage::ReadUint64(id_bytes).ValueOrThrow();
  }
  AddChange(old, 0, op, row_id);
}

void TableWriter::CheckNotNull(const Chunk& chunk, size_t row) const {
  for (size_t column = 0; column < table_.column_types.size(); ++column) {
    if (table_.not_null[column] && chunk.GetColumn(column).IsNull(row)) {
      throw Error(SqlState::kNotNullViolation,
                  fmt::format("null value in column \"{}\" of relation \"{}\" violates not-null "
                              "constraint",
                              table_.column_names[column], table_.name))
          .WithDetail(fmt::format("Failing row contains {}.", DescribeRow(chunk, row)));
    }
  }
}

Error TableWriter::DuplicateKey(const Chunk& chunk, size_t row) const {
  std::string names;
  std::string values;
  for (size_t i = 0; i < table_.primary_key.size(); ++i) {
    const uint32_t column = table_.primary_key[i];
    names += (i > 0 ? ", " : "") + table_.column_names[column];
    if (i > 0) {
      values += ", ";
    }
    chunk.GetColumn(column).AppendText(row, values);
  }
  return Error(
             SqlState::kUniqueViolation,
             fmt::format("duplicate key value violates unique constraint \"{}_pkey\"", table_.name))
      .WithDetail(fmt::format("Key ({})=({}) already exists.", names, values));
}

void TableWriter::EncodePrimaryKey(const Chunk& chunk, size_t row) {
  std::vector<storage::KeyColumn> key_columns;
  key_columns.reserve(table_.primary_key.size());
  for (uint32_t index : table_.primary_key) {
    key_columns.push_back({index, false});
  }
  key_ = TableKeyPrefix(table_);
  storage::EncodeKey(chunk, row, key_columns, key_);
}

void TableWriter::PutRow(const Chunk& chunk, size_t row) {
  value_.clear();
  storage::EncodeRow(chunk, row, table_columns_, value_);
  batch_.Put(key_, value_);
  ++rows_;
}

void TableWriter::Insert(const Chunk& chunk) {
  for (size_t row = 0; row < chunk.NumRows(); ++row) {
    CheckNotNull(chunk, row);
    if (table_.primary_key.empty()) {
      if (!row_id_loaded_) {
        auto stored = store_.Get(TableRowIdKey(table_.table_id)).ValueOrThrow();
        if (stored) {
          std::string_view bytes = *stored;
          next_row_id_ = storage::ReadUint64(bytes).ValueOrThrow();
        }
        row_id_loaded_ = true;
      }
      key_ = TableKeyPrefix(table_);
      AddChange(chunk, row, Op::kInsert, next_row_id_);
      storage::AppendUint64(next_row_id_++, key_);
    } else {
      EncodePrimaryKey(chunk, row);
      const bool duplicate_in_statement = !staged_keys_.insert(key_).second;
      if (duplicate_in_statement || store_.Get(key_).ValueOrThrow().has_value()) {
        throw DuplicateKey(chunk, row);
      }
      AddChange(chunk, row, Op::kInsert, 0);
    }
    PutRow(chunk, row);
  }
}

void TableWriter::Update(const Chunk& rows) {
  const Column& old_keys = rows.GetColumn(table_.column_types.size());
  for (size_t row = 0; row < rows.NumRows(); ++row) {
    CheckNotNull(rows, row);
    const std::string_view old_key = old_keys.GetString(row);
    if (table_.primary_key.empty()) {
      key_.assign(old_key);
      AddStoredChange(old_key, Op::kUpdateDelete);
      std::string_view id_bytes = old_key.substr(TableKeyPrefix(table_).size());
      AddChange(rows, row, Op::kUpdateInsert, storage::ReadUint64(id_bytes).ValueOrThrow());
    } else {
      EncodePrimaryKey(rows, row);
      if (key_ != old_key) {
        // The row moves to a new key: the old one goes, and the new one must be free once the
        // statement's own moves are done, which Commit checks.
        batch_.Delete(old_key);
        deleted_keys_.emplace(old_key);
        if (!staged_keys_.insert(key_).second) {
          throw DuplicateKey(rows, row);
        }
        moved_keys_.push_back({key_, DuplicateKey(rows, row)});
        AddStoredChange(old_key, Op::kDelete);
        AddChange(rows, row, Op::kInsert, 0);
      } else {
        AddStoredChange(old_key, Op::kUpdateDelete);
        AddChange(rows, row, Op::kUpdateInsert, 0);
      }
    }
    PutRow(rows, row);
  }
}

void TableWriter::Delete(const Column& keys) {
  for (size_t row = 0; row < keys.Size(); ++row) {
    AddStoredChange(keys.GetString(row), Op::kDelete);
    batch_.Delete(keys.GetString(row));
    ++rows_;
  }
}

uint64_t TableWriter::Commit() {
  Prepare();
  if (!batch_.Empty()) {
    store_.Write(batch_).ThrowIfError();
  }
  return rows_;
}

TableWriter::StagedWrite TableWriter::Finish() {
  Prepare();
  StagedWrite staged;
  staged.rows = std::move(batch_);
  staged.changes = std::move(changes_);
  staged.count = rows_;
  return staged;
}

void TableWriter::Prepare() {
  for (const auto& [key, error] : moved_keys_) {
    if (deleted_keys_.count(key) == 0 && store_.Get(key).ValueOrThrow().has_value()) {
      throw error;
    }
  }
  if (row_id_loaded_) {
    std::string bytes;
    storage::AppendUint64(next_row_id_, bytes);
    batch_.Put(TableRowIdKey(table_.table_id), bytes);
  }
}

}  // namespace freshet::executor
