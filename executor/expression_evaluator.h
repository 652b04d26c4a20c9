// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <memory>
#include <vector>

#include "common/column.h"
#include "executor/batch/batch_operator.h"
#include "planner/plan/expression.h"

namespace freshet::executor {

/// Evaluates one bound expression a chunk at a time. Each node keeps a scratch column that is
/// reused from chunk to chunk, so steady-state evaluation allocates nothing. AND, OR, CASE and
/// COALESCE evaluate a branch only on the rows that need it, so `x <> 0 AND 10 / x > 1` never
/// divides by zero, as in Postgres. Not thread-safe: one evaluator per operator instance.
class ExpressionEvaluator {
 public:
  /// `context` must outlive the evaluator; subqueries run against it.
  ExpressionEvaluator(const plan::Expression& expression, const BatchContext& context);
  ~ExpressionEvaluator();
  ExpressionEvaluator(const ExpressionEvaluator&) = delete;
  ExpressionEvaluator& operator=(const ExpressionEvaluator&) = delete;
  ExpressionEvaluator(ExpressionEvaluator&&) noexcept;
  ExpressionEvaluator& operator=(ExpressionEvaluator&&) noexcept;

  /// Returns the expression's value for every row of `input`. The column is valid until the next
  /// call or until `input` changes (a column reference returns the input's own column).
  const Column& Evaluate(const Chunk& input);

  /// Evaluates a predicate and returns, per row of `input`, 1 where it is true (not false, not
  /// NULL).
  std::vector<uint8_t> EvaluatePredicate(const Chunk& input);

 private:
  struct Node;
  std::unique_ptr<Node> root_;
};

}  // namespace freshet::executor
