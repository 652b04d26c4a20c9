// SPDX-License-Identifier: Apache-2.0
// Shared by the streaming operator tests: a downstream that records what an operator emits, and
// an operator context over an in-memory store whose committed state survives a simulated restart.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/column.h"
#include "executor/stream/stream_operator.h"
#include "storage/state_store.h"

namespace freshet::executor::stream::testing {

/// Records the chunks and watermarks an operator emits.
class CaptureOperator final : public StreamOperator {
 public:
  void OnChunk(size_t input, const Chunk& chunk) override { chunks.push_back(Copy(chunk)); }
  void OnWatermark(size_t input, uint32_t column, int64_t value) override {
    watermarks.emplace_back(column, value);
  }

  /// Every emitted row as (op, values), in emission order.
  std::vector<std::pair<Op, std::vector<Value>>> Rows() const {
    std::vector<std::pair<Op, std::vector<Value>>> rows;
    for (const Chunk& chunk : chunks) {
      for (size_t row = 0; row < chunk.NumRows(); ++row) {
        std::vector<Value> values;
        for (size_t column = 0; column < chunk.NumColumns(); ++column) {
          values.push_back(chunk.GetColumn(column).GetValue(row));
        }
        rows.emplace_back(chunk.Ops()[row], std::move(values));
      }
    }
    return rows;
  }
  void Clear() {
    chunks.clear();
    watermarks.clear();
  }

  std::vector<Chunk> chunks;
  std::vector<std::pair<uint32_t, int64_t>> watermarks;

 private:
  static Chunk Copy(const Chunk& chunk) {
    Chunk copy;
    for (size_t column = 0; column < chunk.NumColumns(); ++column) {
      Column out(chunk.GetColumn(column).Type());
      for (size_t row = 0; row < chunk.NumRows(); ++row) {
        out.AppendFrom(chunk.GetColumn(column), row);
      }
      copy.AddColumn(std::move(out));
    }
    copy.MutableOps() = chunk.Ops();
    return copy;
  }
};

/// An in-memory store plus the epochs committed to it: Commit() writes what the operators staged
/// at a barrier, and Context() gives a context that loads the committed state (a restart).
class TestStateStore {
 public:
  TestStateStore() : store_(storage::StateStore::OpenInMemory()) {}

  /// A context for instance `shard` of `shard_count` of view 1, reading the committed state.
  OperatorContext Context(uint32_t shard = 0, uint32_t shard_count = 1) {
    OperatorContext context;
    context.store = store_.get();
    context.snapshot = store_->GetSnapshot();
    context.view_id = 1;
    context.shard = shard;
    context.shard_count = shard_count;
    context.batch.store = store_.get();
    context.batch.snapshot = context.snapshot;
    return context;
  }
  /// Runs a barrier through `op` and commits what it staged.
  void Barrier(StreamOperator& op) {
    storage::WriteBatch batch;
    EpochContext epoch{++epoch_, &batch};
    op.OnBarrier(epoch);
    store_->Write(batch).ThrowIfError();
  }
  storage::StateStore& Store() { return *store_; }

 private:
  std::unique_ptr<storage::StateStore> store_;
  uint64_t epoch_ = 0;
};

/// Builds a chunk from rows of values (each row's op given), with the column `types`.
inline Chunk MakeChunk(const std::vector<DataType>& types,
                       const std::vector<std::pair<Op, std::vector<Value>>>& rows) {
  Chunk chunk(types);
  for (const auto& [op, values] : rows) {
    chunk.AppendRow(values, op);
  }
  return chunk;
}

}  // namespace freshet::executor::stream::testing
