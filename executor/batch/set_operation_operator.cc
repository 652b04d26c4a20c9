// SPDX-License-Identifier: Apache-2.0
#include <numeric>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "executor/internal/operators.h"

namespace freshet::executor::internal {
namespace {

using Operation = plan::SetOperationNode::Operation;

/// UNION [ALL], INTERSECT [ALL] and EXCEPT [ALL] over whole rows, comparing rows by their
/// memcomparable encoding (so NULLs are equal to each other, as set operations require).
class SetOperationOperator final : public BatchOperator {
 public:
  SetOperationOperator(const plan::SetOperationNode& node,
                       std::unique_ptr<BatchOperator> left,
                       std::unique_ptr<BatchOperator> right,
                       const BatchContext& context)
      : node_(node), left_(std::move(left)), right_(std::move(right)), context_(context) {
    all_columns_.resize(node.outputs.size());
    std::iota(all_columns_.begin(), all_columns_.end(), 0);
  }

  bool Next(Chunk& out) override {
    if (node_.operation != Operation::kUnion && !right_counted_) {
      CountRight();
    }
    Chunk chunk;
    while (true) {
      BatchOperator* source = left_done_ ? right_.get() : left_.get();
      if (node_.operation != Operation::kUnion && left_done_) {
        return false;
      }
      if (!source->Next(chunk)) {
        if (left_done_) {
          return false;
        }
        left_done_ = true;
        continue;
      }
      context_.CheckCancelled();
      if (node_.operation == Operation::kUnion && node_.all) {
        out = std::move(chunk);
        return true;
      }
      std::vector<uint8_t> keep(chunk.NumRows(), 0);
      for (size_t row = 0; row < chunk.NumRows(); ++row) {
        EncodeRowKey(chunk, row, all_columns_, true, key_);
        keep[row] = Keep() ? 1 : 0;
      }
      context_.CheckMemory(bytes_);
      Chunk kept = chunk.Select(keep);
      if (kept.NumRows() > 0) {
        out = std::move(kept);
        return true;
      }
    }
  }

 private:
  void CountRight() {
    right_counted_ = true;
    Chunk chunk;
    while (right_->Next(chunk)) {
      for (size_t row = 0; row < chunk.NumRows(); ++row) {
        EncodeRowKey(chunk, row, all_columns_, true, key_);
        auto [it, inserted] = right_counts_.try_emplace(key_, 0);
        ++it->second;
        bytes_ += inserted ? key_.size() + 48 : 0;
      }
      context_.CheckMemory(bytes_);
      context_.CheckCancelled();
    }
  }

  // Decides whether the row whose encoding is in key_ is output.
  bool Keep() {
    switch (node_.operation) {
      case Operation::kUnion:
        return InsertSeen();
      case Operation::kIntersect: {
        auto it = right_counts_.find(key_);
        if (it == right_counts_.end() || it->second == 0) {
          return false;
        }
        if (node_.all) {
          --it->second;
          return true;
        }
        return InsertSeen();
      }
      case Operation::kExcept: {
        auto it = right_counts_.find(key_);
        if (node_.all) {
          if (it != right_counts_.end() && it->second > 0) {
            --it->second;
            return false;
          }
          return true;
        }
        return it == right_counts_.end() && InsertSeen();
      }
    }
    return false;
  }

  bool InsertSeen() {
    const bool inserted = seen_.insert(key_).second;
    bytes_ += inserted ? key_.size() + 48 : 0;
    return inserted;
  }

  const plan::SetOperationNode& node_;
  std::unique_ptr<BatchOperator> left_;
  std::unique_ptr<BatchOperator> right_;
  const BatchContext& context_;
  std::vector<uint32_t> all_columns_;
  std::unordered_set<std::string> seen_;
  std::unordered_map<std::string, int64_t> right_counts_;
  std::string key_;
  size_t bytes_ = 0;
  bool left_done_ = false;
  bool right_counted_ = false;
};

}  // namespace

std::unique_ptr<BatchOperator> MakeSetOperationOperator(const plan::SetOperationNode& node,
                                                        std::unique_ptr<BatchOperator> left,
                                                        std::unique_ptr<BatchOperator> right,
                                                        const BatchContext& context) {
  return std::make_unique<SetOperationOperator>(node, std::move(left), std::move(right), context);
}

}  // namespace freshet::executor::internal
