// SPDX-License-Identifier: Apache-2.0
#include <algorithm>
#include <cmath>
#include <numeric>

#include <fmt/format.h>

#include "common/error.h"
#include "executor/batch/batch_operator.h"
#include "executor/expression_evaluator.h"
#include "executor/internal/compare_values.h"
#include "executor/internal/operators.h"
#include "executor/table_codec.h"
#include "function/system_functions.h"
#include "storage/key_codec.h"

namespace freshet::executor {

void BatchContext::CheckCancelled() const {
  if (cancel_requested != nullptr && cancel_requested->load(std::memory_order_relaxed)) {
    throw Error(SqlState::kQueryCanceled, "canceling statement due to user request");
  }
  // statement_timeout.
  function::CheckInterrupts(evaluation);
}

void BatchContext::CheckMemory(size_t bytes) const {
  if (bytes > memory_limit_bytes) {
    throw Error(SqlState::kOutOfMemory, "out of memory")
        .WithDetail(
            fmt::format("The query needs more than its budget of {} bytes.", memory_limit_bytes));
  }
}

namespace {

/// Emits literal rows, each expression evaluated over one empty row.
class ValuesOperator final : public BatchOperator {
 public:
  ValuesOperator(const plan::ValuesNode& node, const BatchContext& context)
      : node_(node), context_(context) {
    one_row_.SetNumRows(1);
  }

  bool Next(Chunk& out) override {
    if (next_row_ >= node_.rows.size()) {
      return false;
    }
    context_.CheckCancelled();
    out = Chunk(node_.OutputTypes());
    while (next_row_ < node_.rows.size() && out.NumRows() < Chunk::kChunkSize) {
      const auto& row = node_.rows[next_row_++];
      for (size_t column = 0; column < row.size(); ++column) {
        const plan::Expression& value = *row[column];
        if (value.kind == plan::ExpressionKind::kConstant) {
          // Literal rows (bulk INSERT ... VALUES) need no evaluator.
          out.MutableColumn(column).AppendValue(value.constant);
          continue;
        }
        ExpressionEvaluator evaluator(value, context_);
        out.MutableColumn(column).AppendFrom(evaluator.Evaluate(one_row_), 0);
      }
      out.MutableOps().push_back(Op::kInsert);
    }
    return true;
  }

 private:
  const plan::ValuesNode& node_;
  const BatchContext& context_;
  Chunk one_row_;
  size_t next_row_ = 0;
};

/// Reads every row of a stored table from the context's snapshot, in key order.
class TableScanOperator final : public BatchOperator {
 public:
  TableScanOperator(const plan::TableScanNode& node, const BatchContext& context)
      : node_(node), context_(context), prefix_(TableKeyPrefix(node.table)) {
    iterator_ =
        context.store->Scan(prefix_, storage::PrefixUpperBound(prefix_), context.snapshot.get());
  }

  bool Next(Chunk& out) override {
    context_.CheckCancelled();
    std::vector<DataType> types = node_.table.column_types;
    if (node_.with_row_key) {
      types.emplace_back(TypeId::kBytea);
    }
    out = Chunk(types);
    const size_t key_column = node_.table.column_types.size();
    while (iterator_->Valid() && out.NumRows() < Chunk::kChunkSize) {
      DecodeTableRow(node_.table, iterator_->Value(), out);
      if (node_.with_row_key) {
        out.MutableColumn(key_column).AppendString(iterator_->Key());
      }
      iterator_->Next();
    }
    iterator_->GetStatus().ThrowIfError();
    return out.NumRows() > 0;
  }

 private:
  const plan::TableScanNode& node_;
  const BatchContext& context_;
  std::string prefix_;
  std::unique_ptr<storage::Iterator> iterator_;
};

/// Emits rows computed before execution, in chunks of at most Chunk::kChunkSize rows.
class ChunkScanOperator final : public BatchOperator {
 public:
  explicit ChunkScanOperator(const plan::ChunkScanNode& node) : node_(node) {}

  bool Next(Chunk& out) override {
    const Chunk& rows = *node_.rows;
    if (next_row_ >= rows.NumRows()) {
      return false;
    }
    if (next_row_ == 0 && rows.NumRows() <= Chunk::kChunkSize) {
      out = rows;
      next_row_ = rows.NumRows();
      return true;
    }
    out = Chunk(node_.OutputTypes());
    while (next_row_ < rows.NumRows() && out.NumRows() < Chunk::kChunkSize) {
      out.AppendRowFrom(rows, next_row_++);
    }
    return true;
  }

 private:
  const plan::ChunkScanNode& node_;
  size_t next_row_ = 0;
};

/// Passes on the rows for which the predicate is true.
class FilterOperator final : public BatchOperator {
 public:
  FilterOperator(const plan::FilterNode& node,
                 std::unique_ptr<BatchOperator> input,
                 const BatchContext& context)
      : input_(std::move(input)), predicate_(*node.predicate, context) {}

  bool Next(Chunk& out) override {
    Chunk chunk;
    while (input_->Next(chunk)) {
      std::vector<uint8_t> selected = predicate_.EvaluatePredicate(chunk);
      const size_t count = static_cast<size_t>(std::count(selected.begin(), selected.end(), 1));
      if (count == 0) {
        continue;
      }
      out = count == chunk.NumRows() ? std::move(chunk) : chunk.Select(selected);
      return true;
    }
    return false;
  }

 private:
  std::unique_ptr<BatchOperator> input_;
  ExpressionEvaluator predicate_;
};

/// Computes one output column per expression.
class ProjectOperator final : public BatchOperator {
 public:
  ProjectOperator(const plan::ProjectNode& node,
                  std::unique_ptr<BatchOperator> input,
                  const BatchContext& context)
      : input_(std::move(input)) {
    for (const plan::ExpressionPtr& expression : node.expressions) {
      evaluators_.emplace_back(*expression, context);
    }
  }

  bool Next(Chunk& out) override {
    Chunk chunk;
    if (!input_->Next(chunk)) {
      return false;
    }
    Chunk result;
    for (ExpressionEvaluator& evaluator : evaluators_) {
      result.AddColumn(evaluator.Evaluate(chunk));
    }
    result.SetNumRows(chunk.NumRows());
    out = std::move(result);
    return true;
  }

 private:
  std::unique_ptr<BatchOperator> input_;
  std::vector<ExpressionEvaluator> evaluators_;
};

/// Materializes its input, sorts it stably by the keys and emits it.
class SortOperator final : public BatchOperator {
 public:
  SortOperator(const plan::SortNode& node,
               std::unique_ptr<BatchOperator> input,
               const BatchContext& context)
      : node_(node), input_(std::move(input)), context_(context) {}

  bool Next(Chunk& out) override {
    if (!sorted_) {
      Sort();
    }
    if (next_ >= order_.size()) {
      return false;
    }
    out = Chunk(node_.OutputTypes());
    while (next_ < order_.size() && out.NumRows() < Chunk::kChunkSize) {
      const RowRef& row = order_[next_++];
      out.AppendRowFrom(chunks_[row.chunk], row.row);
    }
    return true;
  }

 private:
  struct RowRef {
    uint32_t chunk;
    uint32_t row;
  };

  void Sort() {
    sorted_ = true;
    size_t bytes = 0;
    Chunk chunk;
    while (input_->Next(chunk)) {
      bytes += chunk.MemoryUsage();
      context_.CheckMemory(bytes);
      for (size_t row = 0; row < chunk.NumRows(); ++row) {
        order_.push_back({static_cast<uint32_t>(chunks_.size()), static_cast<uint32_t>(row)});
      }
      chunks_.push_back(std::move(chunk));
      context_.CheckCancelled();
    }
    std::stable_sort(order_.begin(), order_.end(), [this](const RowRef& x, const RowRef& y) {
      for (const plan::SortKey& key : node_.keys) {
        const Column& a = chunks_[x.chunk].GetColumn(key.column_index);
        const Column& b = chunks_[y.chunk].GetColumn(key.column_index);
        const bool a_null = a.IsNull(x.row);
        const bool b_null = b.IsNull(y.row);
        if (a_null || b_null) {
          if (a_null == b_null) {
            continue;
          }
          return a_null == key.nulls_first;
        }
        const int order = internal::CompareValues(a, x.row, b, y.row);
        if (order != 0) {
          return key.descending ? order > 0 : order < 0;
        }
      }
      return false;
    });
  }

  const plan::SortNode& node_;
  std::unique_ptr<BatchOperator> input_;
  const BatchContext& context_;
  std::vector<Chunk> chunks_;
  std::vector<RowRef> order_;
  size_t next_ = 0;
  bool sorted_ = false;
};

/// Skips `offset` rows, then passes at most `limit`.
class LimitOperator final : public BatchOperator {
 public:
  LimitOperator(const plan::LimitNode& node, std::unique_ptr<BatchOperator> input)
      : input_(std::move(input)), to_skip_(node.offset), remaining_(node.limit) {}

  bool Next(Chunk& out) override {
    Chunk chunk;
    while ((!remaining_ || *remaining_ > 0) && input_->Next(chunk)) {
      const int64_t rows = static_cast<int64_t>(chunk.NumRows());
      const int64_t skip = std::min(to_skip_, rows);
      to_skip_ -= skip;
      int64_t take = rows - skip;
      if (remaining_) {
        take = std::min(take, *remaining_);
        *remaining_ -= take;
      }
      if (take == 0) {
        continue;
      }
      if (skip == 0 && take == rows) {
        out = std::move(chunk);
      } else {
        std::vector<uint8_t> selected(chunk.NumRows(), 0);
        std::fill(selected.begin() + skip, selected.begin() + skip + take, 1);
        out = chunk.Select(selected);
      }
      return true;
    }
    return false;
  }

 private:
  std::unique_ptr<BatchOperator> input_;
  int64_t to_skip_;
  std::optional<int64_t> remaining_;
};

}  // namespace

std::unique_ptr<BatchOperator> BuildBatchOperator(const plan::BatchNode& node,
                                                  const BatchContext& context) {
  switch (node.kind) {
    case plan::BatchNodeKind::kValues:
      return std::make_unique<ValuesOperator>(static_cast<const plan::ValuesNode&>(node), context);
    case plan::BatchNodeKind::kTableScan: {
      const auto& scan = static_cast<const plan::TableScanNode&>(node);
      if (scan.late_events) {
        // Late rows exist only in a stream: they are dropped by a running view, never stored.
        throw Error(SqlState::kFeatureNotSupported,
                    "LATE_EVENTS can only be read by a materialized view");
      }
      return std::make_unique<TableScanOperator>(scan, context);
    }
    case plan::BatchNodeKind::kChunkScan:
      return std::make_unique<ChunkScanOperator>(static_cast<const plan::ChunkScanNode&>(node));
    case plan::BatchNodeKind::kFilter:
      return std::make_unique<FilterOperator>(static_cast<const plan::FilterNode&>(node),
                                              BuildBatchOperator(*node.input, context), context);
    case plan::BatchNodeKind::kProject:
      return std::make_unique<ProjectOperator>(static_cast<const plan::ProjectNode&>(node),
                                               BuildBatchOperator(*node.input, context), context);
    case plan::BatchNodeKind::kSort:
      return std::make_unique<SortOperator>(static_cast<const plan::SortNode&>(node),
                                            BuildBatchOperator(*node.input, context), context);
    case plan::BatchNodeKind::kLimit:
      return std::make_unique<LimitOperator>(static_cast<const plan::LimitNode&>(node),
                                             BuildBatchOperator(*node.input, context));
    case plan::BatchNodeKind::kJoin: {
      const auto& join = static_cast<const plan::JoinNode&>(node);
      return internal::MakeJoinOperator(join, BuildBatchOperator(*join.input, context),
                                        BuildBatchOperator(*join.right, context), context);
    }
    case plan::BatchNodeKind::kAggregate:
      return internal::MakeAggregateOperator(static_cast<const plan::AggregateNode&>(node),
                                             BuildBatchOperator(*node.input, context), context);
    case plan::BatchNodeKind::kSetOperation: {
      const auto& set = static_cast<const plan::SetOperationNode&>(node);
      return internal::MakeSetOperationOperator(set, BuildBatchOperator(*set.input, context),
                                                BuildBatchOperator(*set.right, context), context);
    }
    case plan::BatchNodeKind::kHopWindow:
      return internal::MakeHopWindowOperator(static_cast<const plan::HopWindowNode&>(node),
                                             BuildBatchOperator(*node.input, context), context);
    case plan::BatchNodeKind::kSessionWindow:
      return internal::MakeSessionWindowOperator(static_cast<const plan::SessionWindowNode&>(node),
                                                 BuildBatchOperator(*node.input, context), context);
  }
  throw Error::Internal("unknown batch plan node");
}

}  // namespace freshet::executor
