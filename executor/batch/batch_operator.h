// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>

#include "common/column.h"
#include "function/scalar_function.h"
#include "planner/plan/batch_plan.h"
#include "storage/state_store.h"

namespace freshet::executor {

/// What a batch query runs against: the store, the snapshot every scan reads, a cancel flag and a
/// memory budget.
struct BatchContext {
  storage::StateStore* store = nullptr;
  std::shared_ptr<const storage::Snapshot> snapshot;
  /// Set by another thread to cancel the statement; checked once per chunk.
  const std::atomic<bool>* cancel_requested = nullptr;
  /// Bytes a blocking operator (sort) may hold before the query fails with 53200.
  size_t memory_limit_bytes = size_t{1} << 30;
  /// The statement's clock and session settings, for expressions.
  function::EvaluationContext evaluation;
  /// The current row of the enclosing query while a correlated subquery runs; nullptr otherwise.
  const Chunk* outer_chunk = nullptr;
  size_t outer_row = 0;

  /// Throws 57014 when the statement was cancelled.
  void CheckCancelled() const;
  /// Throws 53200 when `bytes` exceeds the memory budget.
  void CheckMemory(size_t bytes) const;
};

/// A pull-based batch operator: each Next() call produces the next chunk of at most
/// Chunk::kChunkSize rows. Single-threaded.
class BatchOperator {
 public:
  BatchOperator() = default;
  virtual ~BatchOperator() = default;
  BatchOperator(const BatchOperator&) = delete;
  BatchOperator& operator=(const BatchOperator&) = delete;

  /// Fills `out` with the next non-empty chunk; returns false when the input is exhausted.
  virtual bool Next(Chunk& out) = 0;
};

/// Builds the operator tree of a batch plan. The plan must outlive the operators.
std::unique_ptr<BatchOperator> BuildBatchOperator(const plan::BatchNode& node,
                                                  const BatchContext& context);

}  // namespace freshet::executor
