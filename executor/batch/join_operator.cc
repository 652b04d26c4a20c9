// SPDX-License-Identifier: Apache-2.0
#include <deque>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/numeric.h"
#include "executor/expression_evaluator.h"
#include "executor/internal/operators.h"
#include "storage/key_codec.h"

namespace freshet::executor::internal {

bool EncodeRowKey(const Chunk& chunk,
                  size_t row,
                  const std::vector<uint32_t>& columns,
                  bool nulls_match,
                  std::string& key) {
  key.clear();
  for (uint32_t column : columns) {
    const Column& values = chunk.GetColumn(column);
    if (values.IsNull(row) && !nulls_match) {
      return false;
    }
    if (values.Type().Physical() == PhysicalType::kInt128 && !values.IsNull(row)) {
      // Equal NUMERICs of different scales (1.0, 1.00) must group and join together.
      const __int128 normalized = numeric::Normalize(values.Data<__int128>()[row]);
      storage::EncodeKeyValue(Value::Numeric(values.Type(), normalized), false, key);
      continue;
    }
    storage::EncodeKeyValue(values, row, false, key);
  }
  return true;
}

namespace {

using plan::JoinType;

/// Builds a hash table over the right input, then streams the left input through it. Candidate
/// pairs are gathered into chunks so the residual condition is evaluated a chunk at a time. Tracks
/// which rows found a partner to emit the NULL-extended rows of outer joins and to decide semi and
/// anti joins.
class JoinOperator final : public BatchOperator {
 public:
  JoinOperator(const plan::JoinNode& node,
               std::unique_ptr<BatchOperator> left,
               std::unique_ptr<BatchOperator> right,
               const BatchContext& context)
      : node_(node),
        left_(std::move(left)),
        right_(std::move(right)),
        context_(context),
        left_types_(node.input->OutputTypes()),
        right_types_(node.right->OutputTypes()) {
    if (node.condition) {
      condition_.emplace(*node.condition, context);
    }
    pair_types_ = left_types_;
    pair_types_.insert(pair_types_.end(), right_types_.begin(), right_types_.end());
  }

  bool Next(Chunk& out) override {
    if (!built_) {
      Build();
    }
    while (true) {
      if (!pending_.empty()) {
        out = std::move(pending_.front());
        pending_.pop_front();
        return true;
      }
      if (left_done_) {
        if (emitted_unmatched_right_ || !EmitsUnmatchedRight()) {
          return false;
        }
        EmitUnmatchedRight();
        emitted_unmatched_right_ = true;
        continue;
      }
      Chunk left_chunk;
      if (!left_->Next(left_chunk)) {
        left_done_ = true;
        continue;
      }
      Probe(left_chunk);
    }
  }

 private:
  struct RowRef {
    uint32_t chunk;
    uint32_t row;
  };

  bool EmitsUnmatchedRight() const {
    return node_.type == JoinType::kRight || node_.type == JoinType::kFull;
  }
  bool EmitsUnmatchedLeft() const {
    return node_.type == JoinType::kLeft || node_.type == JoinType::kFull;
  }

  void Build() {
    built_ = true;
    size_t bytes = 0;
    Chunk chunk;
    std::string key;
    while (right_->Next(chunk)) {
      bytes += chunk.MemoryUsage();
      context_.CheckMemory(bytes);
      const auto chunk_index = static_cast<uint32_t>(right_chunks_.size());
      for (size_t row = 0; row < chunk.NumRows(); ++row) {
        if (!EncodeRowKey(chunk, row, node_.right_keys, false, key)) {
          // A NULL key never matches; the row stays unmatched, so RIGHT and FULL joins still emit
          // it.
          continue;
        }
        table_[key].push_back({chunk_index, static_cast<uint32_t>(row)});
      }
      right_matched_.emplace_back(chunk.NumRows(), 0);
      right_chunks_.push_back(std::move(chunk));
      context_.CheckCancelled();
    }
  }

  // Pairs every row of `left_chunk` with its candidates, filters the pairs by the condition and
  // queues the output chunks.
  void Probe(const Chunk& left_chunk) {
    context_.CheckCancelled();
    const size_t rows = left_chunk.NumRows();
    std::vector<uint8_t> left_matched(rows, 0);
    Chunk pairs(pair_types_);
    std::vector<uint32_t> pair_left_row;
    std::vector<RowRef> pair_right_row;
    std::string key;
    auto flush_pairs = [&] {
      if (pairs.NumRows() == 0) {
        return;
      }
      std::vector<uint8_t> keep(pairs.NumRows(), 1);
      if (condition_) {
        keep = condition_->EvaluatePredicate(pairs);
      }
      for (size_t i = 0; i < keep.size(); ++i) {
        if (keep[i]) {
          left_matched[pair_left_row[i]] = 1;
          right_matched_[pair_right_row[i].chunk][pair_right_row[i].row] = 1;
        }
      }
      if (node_.type != JoinType::kSemi && node_.type != JoinType::kAnti) {
        Chunk kept = pairs.Select(keep);
        if (kept.NumRows() > 0) {
          pending_.push_back(std::move(kept));
        }
      }
      pairs = Chunk(pair_types_);
      pair_left_row.clear();
      pair_right_row.clear();
    };
    for (size_t row = 0; row < rows; ++row) {
      if (!EncodeRowKey(left_chunk, row, node_.left_keys, false, key)) {
        continue;
      }
      auto it = table_.find(key);
      if (it == table_.end()) {
        continue;
      }
      for (const RowRef& match : it->second) {
        if ((node_.type == JoinType::kSemi || node_.type == JoinType::kAnti) && !condition_) {
          left_matched[row] = 1;
          break;
        }
        AppendPair(pairs, &left_chunk, row, &right_chunks_[match.chunk], match.row);
        pair_left_row.push_back(static_cast<uint32_t>(row));
        pair_right_row.push_back(match);
        if (pairs.NumRows() >= Chunk::kChunkSize) {
          flush_pairs();
        }
      }
    }
    flush_pairs();
    if (node_.type == JoinType::kSemi || node_.type == JoinType::kAnti) {
      std::vector<uint8_t> keep(rows);
      for (size_t row = 0; row < rows; ++row) {
        keep[row] = (left_matched[row] != 0) == (node_.type == JoinType::kSemi) ? 1 : 0;
      }
      Chunk kept = left_chunk.Select(keep);
      if (kept.NumRows() > 0) {
        pending_.push_back(std::move(kept));
      }
      return;
    }
    if (EmitsUnmatchedLeft()) {
      Chunk extended(pair_types_);
      for (size_t row = 0; row < rows; ++row) {
        if (left_matched[row]) {
          continue;
        }
        AppendPair(extended, &left_chunk, row, nullptr, 0);
      }
      if (extended.NumRows() > 0) {
        pending_.push_back(std::move(extended));
      }
    }
  }

  // Appends the left row then the right row to `out`; a null side contributes NULLs (outer joins).
  void AppendPair(
      Chunk& out, const Chunk* left, size_t left_row, const Chunk* right, size_t right_row) const {
    for (size_t column = 0; column < left_types_.size(); ++column) {
      if (left != nullptr) {
        out.MutableColumn(column).AppendFrom(left->GetColumn(column), left_row);
      } else {
        out.MutableColumn(column).AppendNull();
      }
    }
    for (size_t column = 0; column < right_types_.size(); ++column) {
      Column& target = out.MutableColumn(left_types_.size() + column);
      if (right != nullptr) {
        target.AppendFrom(right->GetColumn(column), right_row);
      } else {
        target.AppendNull();
      }
    }
    out.MutableOps().push_back(Op::kInsert);
  }

  void EmitUnmatchedRight() {
    Chunk extended(pair_types_);
    auto flush = [&] {
      if (extended.NumRows() > 0) {
        pending_.push_back(std::move(extended));
        extended = Chunk(pair_types_);
      }
    };
    for (size_t chunk = 0; chunk < right_chunks_.size(); ++chunk) {
      for (size_t row = 0; row < right_chunks_[chunk].NumRows(); ++row) {
        if (right_matched_[chunk][row]) {
          continue;
        }
        AppendPair(extended, nullptr, 0, &right_chunks_[chunk], row);
        if (extended.NumRows() >= Chunk::kChunkSize) {
          flush();
        }
      }
    }
    flush();
  }

  const plan::JoinNode& node_;
  std::unique_ptr<BatchOperator> left_;
  std::unique_ptr<BatchOperator> right_;
  const BatchContext& context_;
  std::vector<DataType> left_types_;
  std::vector<DataType> right_types_;
  std::vector<DataType> pair_types_;
  std::optional<ExpressionEvaluator> condition_;
  std::vector<Chunk> right_chunks_;
  std::vector<std::vector<uint8_t>> right_matched_;
  std::unordered_map<std::string, std::vector<RowRef>> table_;
  /// Output chunks waiting to be returned, oldest first.
  std::deque<Chunk> pending_;
  bool built_ = false;
  bool left_done_ = false;
  bool emitted_unmatched_right_ = false;
};

}  // namespace

std::unique_ptr<BatchOperator> MakeJoinOperator(const plan::JoinNode& node,
                                                std::unique_ptr<BatchOperator> left,
                                                std::unique_ptr<BatchOperator> right,
                                                const BatchContext& context) {
  return std::make_unique<JoinOperator>(node, std::move(left), std::move(right), context);
}

}  // namespace freshet::executor::internal
