// SPDX-License-Identifier: Apache-2.0
// The window table functions of batch queries: TUMBLE and HOP (one operator, a tumbling window is a
// hop whose slide is its size) and SESSION.
#include <algorithm>
#include <memory>
#include <vector>

#include "common/calendar.h"
#include "common/error.h"
#include "executor/internal/compare_values.h"
#include "executor/internal/operators.h"

namespace freshet::executor::internal {
namespace {

[[noreturn]] void ThrowTimestampOutOfRange() {
  throw Error(SqlState::kDatetimeFieldOverflow, "timestamp out of range");
}

// A window bound computed in 128 bits, checked to be a valid finite timestamp as Postgres checks
// the result of date_bin and of timestamp + interval.
int64_t CheckedBound(__int128 micros) {
  if (micros < calendar::kMinTimestamp || micros >= calendar::kTimestampInfinity) {
    ThrowTimestampOutOfRange();
  }
  return static_cast<int64_t>(micros);
}

// Appends rows `rows` of `input` (repeats allowed) to `out`, column by column.
void GatherColumn(const Column& input, const std::vector<uint32_t>& rows, Column& out) {
  out.Reserve(rows.size());
  for (uint32_t row : rows) {
    out.AppendFrom(input, row);
  }
}

/// Assigns each row to every hopping window [start, start + size) that contains its time, where the
/// starts are `offset` plus a multiple of `slide`; a tumbling window has slide == size, so each row
/// falls into exactly one window and the start is Postgres's `date_bin(size, ts, TIMESTAMP
/// '1970-01-01' + offset)`. A row with a NULL time is dropped; a row at +/-infinity gets one
/// window whose bounds are that infinity, as date_bin and timestamp + interval return it. Streams:
/// an input chunk is expanded into as many output chunks of at most Chunk::kChunkSize rows as its
/// windows need.
class HopWindowOperator final : public BatchOperator {
 public:
  HopWindowOperator(const plan::HopWindowNode& node,
                    std::unique_ptr<BatchOperator> input,
                    const BatchContext& context)
      : node_(node),
        input_(std::move(input)),
        context_(context),
        windows_per_row_(WindowsPerRow(node)),
        phase_(Phase(node.offset_micros, node.slide_micros)) {}

  bool Next(Chunk& out) override {
    for (;;) {
      context_.CheckCancelled();
      if (next_row_ >= chunk_.NumRows()) {
        if (!input_->Next(chunk_)) {
          return false;
        }
        next_row_ = 0;
        next_window_ = 0;
        ComputeLastStarts();
        if (windows_per_row_ == 1) {
          // Consumes chunk_, leaving it empty.
          EmitTumbling(out);
          if (out.NumRows() > 0) {
            return true;
          }
          continue;
        }
      }
      EmitHopping(out);
      if (out.NumRows() > 0) {
        return true;
      }
    }
  }

 private:
  static int64_t WindowsPerRow(const plan::HopWindowNode& node) {
    FRESHET_CHECK(
        node.slide_micros > 0 && node.size_micros > 0 && node.size_micros % node.slide_micros == 0,
        "a hop window's size is a positive multiple of its slide");
    return node.size_micros / node.slide_micros;
  }

  // `offset` reduced to [0, slide).
  static int64_t Phase(int64_t offset, int64_t slide) {
    const int64_t remainder = offset % slide;
    return remainder < 0 ? remainder + slide : remainder;
  }

  // The start of the last window holding each row's time: the largest start <= ts, found with a
  // floor modulo so that times before 1970 (or before the offset) round down, not toward zero.
  void ComputeLastStarts() {
    const Column& time = chunk_.GetColumn(node_.time_column);
    const int64_t* times = time.Data<int64_t>();
    const size_t rows = chunk_.NumRows();
    last_starts_.resize(rows);
    for (size_t row = 0; row < rows; ++row) {
      if (time.IsNull(row)) {
        last_starts_[row] = 0;
        continue;
      }
      const __int128 since_phase = static_cast<__int128>(times[row]) - phase_;
      __int128 remainder = since_phase % node_.slide_micros;
      if (remainder < 0) {
        remainder += node_.slide_micros;
      }
      last_starts_[row] = static_cast<__int128>(times[row]) - remainder;
    }
  }

  // windows_per_row_ == 1: the whole chunk at once, its columns reused.
  void EmitTumbling(Chunk& out) {
    const Column& time = chunk_.GetColumn(node_.time_column);
    const size_t rows = chunk_.NumRows();
    std::vector<uint32_t> kept;
    kept.reserve(rows);
    Column starts(time.Type());
    Column ends(time.Type());
    starts.Reserve(rows);
    ends.Reserve(rows);
    for (size_t row = 0; row < rows; ++row) {
      if (time.IsNull(row)) {
        continue;
      }
      kept.push_back(static_cast<uint32_t>(row));
      const int64_t value = time.Data<int64_t>()[row];
      if (!calendar::IsFiniteTimestamp(value)) {
        starts.Append<int64_t>(value);
        ends.Append<int64_t>(value);
        continue;
      }
      starts.Append<int64_t>(CheckedBound(last_starts_[row]));
      ends.Append<int64_t>(CheckedBound(last_starts_[row] + node_.size_micros));
    }
    if (kept.size() == rows) {
      out = std::move(chunk_);
    } else {
      std::vector<uint8_t> selected(rows, 0);
      for (uint32_t row : kept) {
        selected[row] = 1;
      }
      out = chunk_.Select(selected);
    }
    out.AddColumn(std::move(starts));
    out.AddColumn(std::move(ends));
    out.SetNumRows(kept.size());
    chunk_ = Chunk();
  }

  // Several windows per row: (row, window) pairs in row order, each row's windows by ascending
  // start, resuming where the previous output chunk stopped.
  void EmitHopping(Chunk& out) {
    const Column& time = chunk_.GetColumn(node_.time_column);
    const DataType time_type = time.Type();
    rows_.clear();
    Column starts(time_type);
    Column ends(time_type);
    while (next_row_ < chunk_.NumRows() && rows_.size() < Chunk::kChunkSize) {
      if (time.IsNull(next_row_)) {
        ++next_row_;
        continue;
      }
      const int64_t value = time.Data<int64_t>()[next_row_];
      if (!calendar::IsFiniteTimestamp(value)) {
        rows_.push_back(static_cast<uint32_t>(next_row_));
        starts.Append<int64_t>(value);
        ends.Append<int64_t>(value);
        ++next_row_;
        continue;
      }
      // Window k (0-based, ascending) starts (windows - 1 - k) slides before the last start.
      const __int128 first_start = last_starts_[next_row_] -
                                   static_cast<__int128>(windows_per_row_ - 1) * node_.slide_micros;
      while (next_window_ < windows_per_row_ && rows_.size() < Chunk::kChunkSize) {
        const __int128 start =
            first_start + static_cast<__int128>(next_window_) * node_.slide_micros;
        rows_.push_back(static_cast<uint32_t>(next_row_));
        starts.Append<int64_t>(CheckedBound(start));
        ends.Append<int64_t>(CheckedBound(start + node_.size_micros));
        ++next_window_;
      }
      if (next_window_ == windows_per_row_) {
        next_window_ = 0;
        ++next_row_;
      }
    }
    Chunk result;
    for (size_t column = 0; column < chunk_.NumColumns(); ++column) {
      Column gathered(chunk_.GetColumn(column).Type());
      GatherColumn(chunk_.GetColumn(column), rows_, gathered);
      result.AddColumn(std::move(gathered));
    }
    result.AddColumn(std::move(starts));
    result.AddColumn(std::move(ends));
    result.SetNumRows(rows_.size());
    out = std::move(result);
  }

  const plan::HopWindowNode& node_;
  std::unique_ptr<BatchOperator> input_;
  const BatchContext& context_;
  const int64_t windows_per_row_;
  /// The offset reduced to [0, slide): starts are phase_ plus a multiple of the slide.
  const int64_t phase_;
  Chunk chunk_;
  std::vector<__int128> last_starts_;
  size_t next_row_ = 0;
  int64_t next_window_ = 0;
  /// The input row of each output row of the chunk being built.
  std::vector<uint32_t> rows_;
};

/// Groups rows into sessions: rows with equal key columns (NULLs equal, as in GROUP BY) whose
/// consecutive times are less than `gap` apart; a session is [first time, last time + gap), so a
/// row exactly `gap` after the previous one opens a new session, the half-open bounds of TUMBLE
/// and HOP. Rows with a NULL time belong to no session and are dropped. Blocking: materializes the
/// input within the memory budget, sorts it by key then time, and emits every row with its
/// session's bounds in that order.
class SessionWindowOperator final : public BatchOperator {
 public:
  SessionWindowOperator(const plan::SessionWindowNode& node,
                        std::unique_ptr<BatchOperator> input,
                        const BatchContext& context)
      : node_(node), input_(std::move(input)), context_(context) {}

  bool Next(Chunk& out) override {
    if (!sorted_) {
      GatherAndSort();
    }
    if (next_ >= order_.size()) {
      return false;
    }
    context_.CheckCancelled();
    out = Chunk(node_.OutputTypes());
    const size_t width = node_.outputs.size() - 2;
    while (next_ < order_.size() && out.NumRows() < Chunk::kChunkSize) {
      if (next_ >= session_end_) {
        FindSession(next_);
      }
      const RowRef& row = order_[next_++];
      const Chunk& chunk = chunks_[row.chunk];
      for (size_t column = 0; column < width; ++column) {
        out.MutableColumn(column).AppendFrom(chunk.GetColumn(column), row.row);
      }
      out.MutableColumn(width).Append<int64_t>(session_start_time_);
      out.MutableColumn(width + 1).Append<int64_t>(session_end_time_);
      out.MutableOps().push_back(Op::kInsert);
    }
    return true;
  }

 private:
  struct RowRef {
    uint32_t chunk;
    uint32_t row;
  };

  int64_t TimeOf(const RowRef& row) const {
    return chunks_[row.chunk].GetColumn(node_.time_column).Data<int64_t>()[row.row];
  }

  // Compares the key columns of two rows; NULLs are equal to each other and sort last.
  int CompareKeys(const RowRef& x, const RowRef& y) const {
    for (uint32_t key : node_.key_columns) {
      const Column& a = chunks_[x.chunk].GetColumn(key);
      const Column& b = chunks_[y.chunk].GetColumn(key);
      const bool a_null = a.IsNull(x.row);
      const bool b_null = b.IsNull(y.row);
      if (a_null || b_null) {
        if (a_null != b_null) {
          return a_null ? 1 : -1;
        }
        continue;
      }
      const int order = CompareValues(a, x.row, b, y.row);
      if (order != 0) {
        return order;
      }
    }
    return 0;
  }

  void GatherAndSort() {
    sorted_ = true;
    size_t bytes = 0;
    Chunk chunk;
    while (input_->Next(chunk)) {
      const Column& time = chunk.GetColumn(node_.time_column);
      size_t kept = 0;
      for (size_t row = 0; row < chunk.NumRows(); ++row) {
        if (!time.IsNull(row)) {
          order_.push_back({static_cast<uint32_t>(chunks_.size()), static_cast<uint32_t>(row)});
          ++kept;
        }
      }
      bytes += chunk.MemoryUsage() + kept * sizeof(RowRef);
      context_.CheckMemory(bytes);
      chunks_.push_back(std::move(chunk));
      context_.CheckCancelled();
    }
    std::stable_sort(order_.begin(), order_.end(), [this](const RowRef& x, const RowRef& y) {
      const int order = CompareKeys(x, y);
      return order != 0 ? order < 0 : TimeOf(x) < TimeOf(y);
    });
  }

  // Finds the session that begins at sorted position `first` and records its bounds.
  void FindSession(size_t first) {
    size_t last = first;
    while (last + 1 < order_.size() && CompareKeys(order_[last], order_[last + 1]) == 0 &&
           static_cast<__int128>(TimeOf(order_[last + 1])) - TimeOf(order_[last]) <
               node_.gap_micros) {
      ++last;
    }
    session_end_ = last + 1;
    session_start_time_ = TimeOf(order_[first]);
    const int64_t last_time = TimeOf(order_[last]);
    // timestamp + interval leaves an infinity as it is.
    session_end_time_ = calendar::IsFiniteTimestamp(last_time)
                            ? CheckedBound(static_cast<__int128>(last_time) + node_.gap_micros)
                            : last_time;
  }

  const plan::SessionWindowNode& node_;
  std::unique_ptr<BatchOperator> input_;
  const BatchContext& context_;
  std::vector<Chunk> chunks_;
  /// The rows with a time, sorted by key then time once the input is gathered.
  std::vector<RowRef> order_;
  size_t next_ = 0;
  /// One past the sorted position of the last row of the current session.
  size_t session_end_ = 0;
  int64_t session_start_time_ = 0;
  int64_t session_end_time_ = 0;
  bool sorted_ = false;
};

}  // namespace

std::unique_ptr<BatchOperator> MakeHopWindowOperator(const plan::HopWindowNode& node,
                                                     std::unique_ptr<BatchOperator> input,
                                                     const BatchContext& context) {
  return std::make_unique<HopWindowOperator>(node, std::move(input), context);
}

std::unique_ptr<BatchOperator> MakeSessionWindowOperator(const plan::SessionWindowNode& node,
                                                         std::unique_ptr<BatchOperator> input,
                                                         const BatchContext& context) {
  return std::make_unique<SessionWindowOperator>(node, std::move(input), context);
}

}  // namespace freshet::executor::internal
