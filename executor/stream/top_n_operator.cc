// SPDX-License-Identifier: Apache-2.0
// ORDER BY ... LIMIT n OFFSET m in a view: the changelog of the rows ranked in [m, m + n).
#include <algorithm>
#include <cstdint>
#include <functional>
#include <iterator>
#include <limits>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/error.h"
#include "executor/stream/stream_operator.h"
#include "storage/key_codec.h"
#include "storage/row_codec.h"

namespace freshet::executor::stream {
namespace {

/// Maintains the rows ranked in [offset, offset + limit) of its input ordered by the ORDER BY keys,
/// ties broken by the input stream key, and emits every change to that range as it happens: a
/// kDelete for a row leaving it, a kInsert for a row entering it.
///
/// Every input row is kept, in memory, in one ordered map keyed by the memcomparable encoding of
/// (order key, stream key), because a row below the range enters it when a row of the range goes.
/// Two iterators mark the range, so a change costs O(log rows) and touches at most three rows.
/// The rows changed in an epoch are written at its barrier (key: StatePrefix + the map key, value:
/// the encoded row) and read back when the operator is built. Not thread-safe (one actor).
class TopNOperator final : public StreamOperator {
 public:
  TopNOperator(const plan::StreamTopNNode& node, const OperatorContext& context)
      : order_by_(node.order_by), prefix_(context.StatePrefix(node.operator_id)) {
    const plan::StreamNode& input =
        node.inputs.empty() ? static_cast<const plan::StreamNode&>(node) : *node.inputs[0];
    types_ = input.OutputTypes();
    stream_key_ = input.stream_key;
    const auto offset = static_cast<uint64_t>(std::max<int64_t>(node.offset, 0));
    const auto limit = static_cast<uint64_t>(std::max<int64_t>(node.limit, 0));
    disabled_ = limit == 0;
    begin_rank_ = offset;
    end_rank_ = limit > std::numeric_limits<uint64_t>::max() - offset
                    ? std::numeric_limits<uint64_t>::max()
                    : offset + limit;
    out_ = Chunk(types_);
    if (disabled_) {
      return;
    }
    context.LoadState(node.operator_id, [this](std::string_view key, std::string_view row) {
      rows_.emplace_hint(rows_.end(), std::string(key), Entry{std::string(row), kClean});
    });
    range_begin_ = RowAtRank(begin_rank_);
    range_end_ = RowAtRank(end_rank_);
  }

  void OnChunk(size_t input, const Chunk& chunk) override {
    if (disabled_) {
      return;
    }
    for (size_t row = 0; row < chunk.NumRows(); ++row) {
      EncodeSortKey(chunk, row);
      const Op op = chunk.Ops()[row];
      if (op == Op::kInsert || op == Op::kUpdateInsert) {
        Insert(chunk, row);
      } else {
        Delete();
      }
    }
    Flush();
  }

  /// Drops watermarks: a row below the range enters it when a top row leaves, so an output row can
  /// be older than any input watermark.
  void OnWatermark(size_t input, uint32_t column, int64_t value) override {}

  void OnBarrier(const EpochContext& epoch) override {
    // Deletes first: a key deleted and inserted again in the epoch ends with its Put.
    std::string store_key = prefix_;
    for (const std::string& key : deleted_keys_) {
      store_key.resize(prefix_.size());
      epoch.batch->Delete(store_key += key);
    }
    deleted_keys_.clear();
    for (const Rows::iterator it : dirty_rows_) {
      if (it != rows_.end()) {
        store_key.resize(prefix_.size());
        epoch.batch->Put(store_key += it->first, it->second.row);
        it->second.dirty_slot = kClean;
      }
    }
    dirty_rows_.clear();
  }

 private:
  static constexpr size_t kClean = std::numeric_limits<size_t>::max();
  struct Entry {
    /// The row, as storage::EncodeRow writes it.
    std::string row;
    /// The row's index in dirty_rows_ when inserted since the last barrier, else kClean.
    size_t dirty_slot = kClean;
  };
  using Rows = std::map<std::string, Entry, std::less<>>;

  /// The row at rank `rank` (0-based), or end() when there are not that many rows.
  Rows::iterator RowAtRank(uint64_t rank) {
    auto it = rows_.begin();
    for (uint64_t i = 0; i < rank && it != rows_.end(); ++i) {
      ++it;
    }
    return it;
  }

  /// Sets key_ to the map key of row `row` of `chunk`: the order key, then the stream key.
  void EncodeSortKey(const Chunk& chunk, size_t row) {
    key_.clear();
    for (const plan::SortKey& sort : order_by_) {
      const Column& column = chunk.GetColumn(sort.column_index);
      // The codec puts NULLs last ascending and first descending, Postgres's defaults; the other
      // two orders get a NULL marker below (0x00) or above (0xFF) every encoded value.
      if (sort.nulls_first != sort.descending && column.IsNull(row)) {
        key_.push_back(sort.nulls_first ? '\x00' : '\xff');
        continue;
      }
      storage::EncodeKeyValue(column, row, sort.descending, key_);
    }
    for (uint32_t column : stream_key_) {
      storage::EncodeKeyValue(chunk.GetColumn(column), row, false, key_);
    }
  }

  // In both Insert and Delete, "before X" compares with the row at a range boundary, end()
  // standing for a row after all others. The boundaries are the rows at ranks begin_rank_ and
  // end_rank_; a change before a boundary moves it by one row.

  void Insert(const Chunk& chunk, size_t row) {
    auto [it, inserted] = rows_.try_emplace(key_);
    FRESHET_CHECK(inserted, "a row was inserted twice under one stream key");
    storage::EncodeRow(chunk, row, it->second.row);
    it->second.dirty_slot = dirty_rows_.size();
    dirty_rows_.push_back(it);

    const bool before_begin = range_begin_ == rows_.end() || key_ < range_begin_->first;
    const bool before_end = range_end_ == rows_.end() || key_ < range_end_->first;
    if (before_end && rows_.size() > end_rank_) {
      // The row now at rank end_rank_ was the last of the range, or is the new row itself.
      range_end_ = std::prev(range_end_);
      if (range_end_ != it) {
        Output(range_end_->second, Op::kDelete);
      }
    }
    if (before_begin) {
      if (rows_.size() > begin_rank_) {
        // The row now at rank begin_rank_ was just before the range, or is the new row itself.
        range_begin_ = std::prev(range_begin_);
        Output(range_begin_->second, Op::kInsert);
      }
    } else if (before_end && range_end_ != it) {
      Output(it->second, Op::kInsert);
    }
  }

  void Delete() {
    auto it = rows_.find(key_);
    if (it == rows_.end()) {
      // Never inserted: the input broke its stream-key contract; there is nothing to retract.
      return;
    }
    if (range_begin_ != rows_.end()) {
      const bool at_or_before_begin = key_ <= range_begin_->first;
      const bool before_end = range_end_ == rows_.end() || key_ < range_end_->first;
      if (at_or_before_begin) {
        // The first row of the range leaves it (deleted, or shifted to rank begin_rank_ - 1) and
        // the row after the range enters.
        Output(range_begin_->second, Op::kDelete);
        range_begin_ = std::next(range_begin_);
      } else if (before_end) {
        Output(it->second, Op::kDelete);
      }
      if (before_end || it == range_end_) {
        if (range_end_ != rows_.end()) {
          if (it != range_end_) {
            Output(range_end_->second, Op::kInsert);
          }
          range_end_ = std::next(range_end_);
        }
      }
    }
    if (it->second.dirty_slot != kClean) {
      dirty_rows_[it->second.dirty_slot] = rows_.end();
    }
    // The key may be stored from an earlier epoch; moving it out of the node saves a copy.
    deleted_keys_.push_back(std::move(rows_.extract(it).key()));
  }

  void Output(const Entry& entry, Op op) {
    storage::DecodeRowInto(entry.row, types_, out_, op).ThrowIfError();
    if (out_.NumRows() >= Chunk::kChunkSize) {
      Flush();
    }
  }

  void Flush() {
    if (out_.NumRows() == 0) {
      return;
    }
    Emit(out_);
    for (Column& column : out_.Columns()) {
      column.Clear();
    }
    out_.MutableOps().clear();
  }

  std::vector<plan::SortKey> order_by_;
  std::vector<uint32_t> stream_key_;
  std::vector<DataType> types_;
  std::string prefix_;
  /// LIMIT 0: no row is ever in the range, so nothing is kept or emitted.
  bool disabled_ = false;
  /// The range is the ranks [begin_rank_, end_rank_) (OFFSET, OFFSET + LIMIT, saturated).
  uint64_t begin_rank_ = 0;
  uint64_t end_rank_ = 0;
  Rows rows_;
  /// The row at rank begin_rank_ and the one at rank end_rank_, or end() when absent.
  Rows::iterator range_begin_;
  Rows::iterator range_end_;
  /// The rows inserted since the last barrier (end() once deleted again), and the keys deleted.
  std::vector<Rows::iterator> dirty_rows_;
  std::vector<std::string> deleted_keys_;
  /// The output being built, and the key of the row being processed (buffers reused across rows).
  Chunk out_;
  std::string key_;
};

}  // namespace

std::unique_ptr<StreamOperator> MakeTopNOperator(const plan::StreamTopNNode& node,
                                                 const OperatorContext& context) {
  return std::make_unique<TopNOperator>(node, context);
}

}  // namespace freshet::executor::stream
