// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <memory>

#include "executor/batch/batch_operator.h"

// Factories of the batch operators that live in their own files; BuildBatchOperator dispatches to
// them.
namespace freshet::executor::internal {

/// A hash join (a nested-loop join when there are no key columns) of all join types.
std::unique_ptr<BatchOperator> MakeJoinOperator(const plan::JoinNode& node,
                                                std::unique_ptr<BatchOperator> left,
                                                std::unique_ptr<BatchOperator> right,
                                                const BatchContext& context);
/// A hash aggregation; also DISTINCT (group columns only).
std::unique_ptr<BatchOperator> MakeAggregateOperator(const plan::AggregateNode& node,
                                                     std::unique_ptr<BatchOperator> input,
                                                     const BatchContext& context);
/// UNION / INTERSECT / EXCEPT [ALL].
std::unique_ptr<BatchOperator> MakeSetOperationOperator(const plan::SetOperationNode& node,
                                                        std::unique_ptr<BatchOperator> left,
                                                        std::unique_ptr<BatchOperator> right,
                                                        const BatchContext& context);
/// TUMBLE and HOP: each row once per window that contains its time (window_operators.cc).
std::unique_ptr<BatchOperator> MakeHopWindowOperator(const plan::HopWindowNode& node,
                                                     std::unique_ptr<BatchOperator> input,
                                                     const BatchContext& context);
/// SESSION: gathers the input, then emits each row with its session's bounds
/// (window_operators.cc).
std::unique_ptr<BatchOperator> MakeSessionWindowOperator(const plan::SessionWindowNode& node,
                                                         std::unique_ptr<BatchOperator> input,
                                                         const BatchContext& context);

/// Appends the memcomparable encoding of columns `columns` of row `row` to `key`; false (and `key`
/// unspecified) when one of them is NULL and `nulls_match` is false.
bool EncodeRowKey(const Chunk& chunk,
                  size_t row,
                  const std::vector<uint32_t>& columns,
                  bool nulls_match,
                  std::string& key);

}  // namespace freshet::executor::internal
