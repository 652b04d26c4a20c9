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
    : store_(store), table_(table) {}

void TableWriter::Insert(const Chunk& chunk) {
  std::vector<storage::KeyColumn> key_columns;
  for (uint32_t index : table_.primary_key) {
    key_columns.push_back({index, false});
  }
  for (size_t row = 0; row < chunk.NumRows(); ++row) {
    for (size_t column = 0; column < chunk.NumColumns(); ++column) {
      if (table_.not_null[column] && chunk.GetColumn(column).IsNull(row)) {
        throw Error(SqlState::kNotNullViolation,
                    fmt::format("null value in column \"{}\" of relation \"{}\" violates not-null "
                                "constraint",
                                table_.column_names[column], table_.name))
            .WithDetail(fmt::format("Failing row contains {}.", DescribeRow(chunk, row)));
      }
    }
    key_ = TableKeyPrefix(table_);
    if (table_.primary_key.empty()) {
      if (!row_id_loaded_) {
        auto stored = store_.Get(TableRowIdKey(table_.table_id)).ValueOrThrow();
        if (stored) {
          std::string_view bytes = *stored;
          next_row_id_ = storage::ReadUint64(bytes).ValueOrThrow();
        }
        row_id_loaded_ = true;
      }
      storage::AppendUint64(next_row_id_++, key_);
    } else {
      storage::EncodeKey(chunk, row, key_columns, key_);
      const bool duplicate_in_statement = !staged_keys_.insert(key_).second;
      if (duplicate_in_statement || store_.Get(key_).ValueOrThrow().has_value()) {
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
        throw Error(
            SqlState::kUniqueViolation,
            fmt::format("duplicate key value violates unique constraint \"{}_pkey\"", table_.name))
            .WithDetail(fmt::format("Key ({})=({}) already exists.", names, values));
      }
    }
    value_.clear();
    storage::EncodeRow(chunk, row, value_);
    batch_.Put(key_, value_);
    ++rows_;
  }
}

uint64_t TableWriter::Commit() {
  if (row_id_loaded_) {
    std::string bytes;
    storage::AppendUint64(next_row_id_, bytes);
    batch_.Put(TableRowIdKey(table_.table_id), bytes);
  }
  if (!batch_.Empty()) {
    store_.Write(batch_).ThrowIfError();
  }
  return rows_;
}

}  // namespace freshet::executor
