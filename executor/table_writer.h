// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "common/column.h"
#include "common/error.h"
#include "planner/plan/batch_plan.h"
#include "storage/state_store.h"

namespace freshet::executor {

/// Stages the rows of one DML statement against a stored table and writes them in one atomic batch.
/// Checks NOT NULL (23502) and primary-key uniqueness (23505) against the store and the statement's
/// own rows; rows without a primary key get the next hidden row id, persisted in the same batch.
/// The caller must hold the table's write lock from the first Insert until Commit returns.
class TableWriter {
 public:
  TableWriter(storage::StateStore& store, const plan::TableDescriptor& table);

  /// Validates and stages every row of `chunk` (columns in table order).
  void Insert(const Chunk& chunk);
  /// Stages new versions of existing rows: `rows` holds the table's columns followed by a BYTEA
  /// column with each row's current storage key (a scan's row key). A changed primary key moves the
  /// row.
  void Update(const Chunk& rows);
  /// Stages the removal of the rows stored under `keys` (storage keys from a scan).
  void Delete(const Column& keys);
  /// Writes the staged rows; returns how many rows were inserted, updated or deleted. Throws 23505
  /// when a moved row's new key is taken.
  uint64_t Commit();

  /// A statement's staged writes, ready to commit with an epoch.
  struct StagedWrite {
    storage::WriteBatch rows;
    /// The changelog the writes make, in the table's stream layout: its columns, then `_row_id`
    /// for a table without a primary key.
    std::vector<Chunk> changes;
    uint64_t count = 0;
  };
  /// Checks what Commit checks and returns the staged writes instead of writing them.
  StagedWrite Finish();

 private:
  void CheckNotNull(const Chunk& chunk, size_t row) const;
  Error DuplicateKey(const Chunk& chunk, size_t row) const;
  /// Sets key_ to the storage key of row `row`'s primary key.
  void EncodePrimaryKey(const Chunk& chunk, size_t row);
  /// Stages row `row` under key_.
  void PutRow(const Chunk& chunk, size_t row);
  /// Appends row `row` of `chunk` (table columns) with op `op` and the row id of a table without a
  /// primary key to the changelog.
  void AddChange(const Chunk& chunk, size_t row, Op op, uint64_t row_id);
  /// Appends the stored row under `key`, as it is before this statement, with op `op`.
  void AddStoredChange(std::string_view key, Op op);
  /// Checks the keys of moved rows and stages the next row id.
  void Prepare();

  storage::StateStore& store_;
  const plan::TableDescriptor& table_;
  storage::WriteBatch batch_;
  std::unordered_set<std::string> staged_keys_;
  std::unordered_set<std::string> deleted_keys_;
  /// New keys of rows whose primary key changed, with the error to raise if the key is taken.
  std::vector<std::pair<std::string, Error>> moved_keys_;
  std::vector<size_t> table_columns_;
  uint64_t next_row_id_ = 0;
  bool row_id_loaded_ = false;
  uint64_t rows_ = 0;
  std::vector<Chunk> changes_;
  std::vector<DataType> change_types_;
  std::string key_;
  std::string value_;
};

}  // namespace freshet::executor
