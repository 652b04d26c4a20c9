// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <string>
#include <unordered_set>

#include "common/column.h"
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
  /// Writes the staged rows; returns how many were written.
  uint64_t Commit();

 private:
  storage::StateStore& store_;
  const plan::TableDescriptor& table_;
  storage::WriteBatch batch_;
  std::unordered_set<std::string> staged_keys_;
  uint64_t next_row_id_ = 0;
  bool row_id_loaded_ = false;
  uint64_t rows_ = 0;
  std::string key_;
  std::string value_;
};

}  // namespace freshet::executor
