// SPDX-License-Identifier: Apache-2.0
// SESSION windows in views (DESIGN.md section 6): every input row with its session's bounds, kept
// up to date as rows extend, merge, shrink and split sessions.
#include <algorithm>
#include <cstdint>
#include <functional>
#include <iterator>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/calendar.h"
#include "common/error.h"
#include "executor/internal/operators.h"
#include "executor/stream/stream_operator.h"
#include "storage/key_codec.h"
#include "storage/row_codec.h"

namespace freshet::executor::stream {
namespace {

constexpr int64_t kMinTime = std::numeric_limits<int64_t>::min();
constexpr int64_t kMaxTime = std::numeric_limits<int64_t>::max();

/// The first byte after StatePrefix() of the entry holding the cleaning threshold and the last
/// emitted watermark, and of every stored row.
constexpr char kProgressTag = '\x00';
constexpr char kRowTag = '\x01';

int64_t ClampTime(__int128 micros) {
  return static_cast<int64_t>(std::clamp<__int128>(micros, kMinTime, kMaxTime));
}

/// Appends every input row with the bounds of its session: rows with equal key columns (NULLs
/// equal, as in GROUP BY) whose consecutive times are less than `gap` apart form one session
/// [first time, last time + gap), as the batch SESSION operator computes it; rows with a NULL time
/// are dropped. When a change alters a session, each of its rows is retracted with its old bounds
/// (kUpdateDelete) and re-emitted with the new ones (kUpdateInsert); a new row is a kInsert and a
/// retracted input row a kDelete with the bounds it was emitted with.
///
/// State: per group (key columns), its rows ordered by (time, stream key) with the bounds each was
/// last emitted with, in memory; the rows changed in an epoch are written at its barrier (key:
/// StatePrefix, kRowTag, group key, time, stream key; value: the encoded row) and read back when
/// the operator is built. A chunk's changes are applied first and the sessions around them
/// re-evaluated once at its end, so a chunk appending many rows to one session re-emits it once.
///
/// Watermarks on the time column close sessions: with w - lateness = c, every future row has a
/// time >= c, so a session ending at or before c can no longer change and its rows leave the
/// state (inserts below c are late and dropped, DESIGN.md section 6). Out goes one watermark value
/// v = min(w, earliest window_start of the open sessions) on the time column and on window_start,
/// and v + gap on window_end: an open session's rows may be re-emitted with their old times, so
/// forwarding w itself on the time column would be wrong. Watermarks on other columns are dropped
/// for the same reason. Not thread-safe (one actor).
class SessionWindowOperator final : public StreamOperator {
 public:
  SessionWindowOperator(const plan::StreamSessionWindowNode& node, const OperatorContext& context)
      : time_column_(node.time_column),
        gap_(node.gap_micros),
        key_columns_(node.key_columns),
        prefix_(context.StatePrefix(node.operator_id)) {
    FRESHET_CHECK(gap_ > 0, "the session gap must be positive");
    if (!node.inputs.empty()) {
      input_types_ = node.inputs[0]->OutputTypes();
      stream_key_ = node.inputs[0]->stream_key;
    } else {
      input_types_ = node.OutputTypes();
      input_types_.resize(input_types_.size() - 2);
      stream_key_ = node.stream_key;
    }
    time_type_ = input_types_.at(time_column_);
    FRESHET_CHECK(time_type_.Physical() == PhysicalType::kInt64,
                  "the session time column must be a timestamp");
    const plan::WatermarkColumn* watermark = node.FindWatermark(time_column_);
    if (watermark == nullptr && !node.inputs.empty()) {
      watermark = node.inputs[0]->FindWatermark(time_column_);
    }
    lateness_ = watermark != nullptr ? std::max<int64_t>(watermark->lateness_micros, 0) : 0;
    std::vector<DataType> output_types = input_types_;
    output_types.push_back(time_type_);
    output_types.push_back(time_type_);
    out_ = Chunk(output_types);
    Load(context, node.operator_id);
  }

  void OnChunk(size_t input, const Chunk& chunk) override {
    const Column& times = chunk.GetColumn(time_column_);
    for (size_t row = 0; row < chunk.NumRows(); ++row) {
      if (times.IsNull(row)) {
        continue;
      }
      const int64_t time = times.Data<int64_t>()[row];
      EncodeKeys(chunk, row);
      const Op op = chunk.Ops()[row];
      if (op == Op::kInsert || op == Op::kUpdateInsert) {
        if (time < closed_) {
          continue;
        }
        const auto group = groups_.try_emplace(group_key_).first;
        const auto [it, inserted] = group->second.rows.try_emplace(row_key_);
        FRESHET_CHECK(inserted, "a row was inserted twice under one stream key");
        RowState& state = it->second;
        storage::EncodeRow(chunk, row, state.row);
        state.time = time;
        state.dirty_slot = dirty_rows_.size();
        dirty_rows_.push_back({group, it});
        Touch(group, time);
        continue;
      }
      const auto group = groups_.find(group_key_);
      if (group == groups_.end()) {
        // Never inserted, or its session closed and left the state.
        continue;
      }
      const auto it = group->second.rows.find(row_key_);
      if (it == group->second.rows.end()) {
        continue;
      }
      const RowState& state = it->second;
      if (state.emitted) {
        ReserveOutput(1);
        Output(state, Op::kDelete, state.window_start, state.window_end);
      }
      EraseRow(group, it);
      Touch(group, time);
    }
    ReevaluateChanges();
    Flush();
  }

  void OnWatermark(size_t input, uint32_t column, int64_t value) override {
    if (column != time_column_) {
      return;
    }
    const int64_t closed = ClampTime(static_cast<__int128>(value) - lateness_);
    if (closed > closed_) {
      closed_ = closed;
      progress_dirty_ = true;
      CleanClosedSessions();
    }
    // A session closes when the watermark passes its end; only sessions still open can be
    // re-emitted with an earlier window_start by an on-time row (sessions kept for the lateness
    // re-emit their rows as corrections, which EMIT ON WINDOW CLOSE allows).
    const int64_t watermark = std::min(value, EarliestOpenStart(value));
    if (watermark > watermark_) {
      watermark_ = watermark;
      progress_dirty_ = true;
      const auto width = static_cast<uint32_t>(input_types_.size());
      EmitWatermark(time_column_, watermark);
      EmitWatermark(width, watermark);
      EmitWatermark(width + 1, SessionEnd(watermark));
    }
  }

  void OnBarrier(const EpochContext& epoch) override {
    // Deletes first: a key deleted and inserted again in the epoch ends with its Put.
    std::string store_key = prefix_;
    store_key.push_back(kRowTag);
    const size_t rows_prefix = store_key.size();
    for (const std::string& key : deleted_keys_) {
      store_key.resize(rows_prefix);
      epoch.batch->Delete(store_key += key);
    }
    deleted_keys_.clear();
    for (const DirtyRow& dirty : dirty_rows_) {
      if (dirty.group != groups_.end()) {
        store_key.resize(rows_prefix);
        store_key += dirty.group->first;
        epoch.batch->Put(store_key += dirty.row->first, dirty.row->second.row);
        dirty.row->second.dirty_slot = kClean;
      }
    }
    dirty_rows_.clear();
    if (progress_dirty_) {
      store_key.assign(prefix_);
      store_key.push_back(kProgressTag);
      std::string value;
      storage::AppendUint64(static_cast<uint64_t>(closed_), value);
      storage::AppendUint64(static_cast<uint64_t>(watermark_), value);
      epoch.batch->Put(store_key, value);
      progress_dirty_ = false;
    }
  }

 private:
  static constexpr size_t kClean = std::numeric_limits<size_t>::max();
  /// One input row of a group.
  struct RowState {
    /// The row, as storage::EncodeRow writes it.
    std::string row;
    int64_t time = 0;
    /// The bounds the row was last emitted with, when `emitted`.
    int64_t window_start = 0;
    int64_t window_end = 0;
    bool emitted = false;
    /// The row's index in dirty_rows_ when inserted since the last barrier, else kClean.
    size_t dirty_slot = kClean;
  };
  /// A group's rows by (time, stream key), memcomparable.
  using Rows = std::map<std::string, RowState, std::less<>>;
  struct Group;
  /// The groups by their key columns, memcomparable.
  using Groups = std::map<std::string, Group, std::less<>>;
  /// An entry of an index over the groups, ordered by time then group key.
  struct IndexEntry {
    int64_t time = 0;
    Groups::iterator group;
    bool operator<(const IndexEntry& other) const {
      if (time != other.time) {
        return time < other.time;
      }
      return group != other.group && group->first < other.group->first;
    }
  };
  struct Group {
    Rows rows;
    /// The group's entries in starts_ and cleanup_, once indexed.
    int64_t indexed_start = 0;
    int64_t indexed_check = 0;
    bool indexed = false;
    /// Changed by the chunk being processed; `first_change` is the earliest time it changed at.
    bool touched = false;
    int64_t first_change = 0;
  };
  /// A change of the chunk being processed: a row of `group` at `time` came or went.
  struct Change {
    Groups::iterator group;
    int64_t time = 0;
  };
  /// A row inserted since the last barrier; `group` is end() once it is deleted again.
  struct DirtyRow {
    Groups::iterator group;
    Rows::iterator row;
  };

  /// Sets group_key_ and row_key_ for row `row` of `chunk`.
  void EncodeKeys(const Chunk& chunk, size_t row) {
    internal::EncodeRowKey(chunk, row, key_columns_, /*nulls_match=*/true, group_key_);
    row_key_.clear();
    storage::EncodeKeyValue(chunk.GetColumn(time_column_), row, false, row_key_);
    for (uint32_t column : stream_key_) {
      storage::EncodeKeyValue(chunk.GetColumn(column), row, false, row_key_);
    }
  }

  /// True when a row at `later` (>= `earlier`) is in the session of a row at `earlier`.
  bool Within(int64_t earlier, int64_t later) const {
    return static_cast<uint64_t>(later) - static_cast<uint64_t>(earlier) <
           static_cast<uint64_t>(gap_);
  }

  /// The end of a session whose last row is at `last`: an infinite time stays as it is, as
  /// timestamp + interval does; a finite end past the last timestamp saturates to 'infinity'
  /// (batch SESSION reports it out of range, which a view cannot do without stopping).
  /// The earliest start of a session that ends after `watermark`, or `watermark` when none does.
  /// Groups are visited by their first row time, a lower bound of their sessions' starts, so the
  /// walk stops at the first group that cannot hold an earlier one.
  int64_t EarliestOpenStart(int64_t watermark) const {
    int64_t best = watermark;
    for (const IndexEntry& entry : starts_) {
      if (entry.time >= best) {
        break;
      }
      const Rows& rows = entry.group->second.rows;
      auto it = rows.begin();
      int64_t start = it->second.time;
      int64_t last = start;
      for (++it;; ++it) {
        const bool session_ends = it == rows.end() || it->second.time - last >= gap_;
        if (session_ends) {
          if (SessionEnd(last) > watermark) {
            best = std::min(best, start);
            break;
          }
          if (it == rows.end()) {
            break;
          }
          start = it->second.time;
        }
        last = it->second.time;
      }
    }
    return best;
  }

  int64_t SessionEnd(int64_t last) const {
    if (!calendar::IsFiniteTimestamp(last)) {
      return last;
    }
    return ClampTime(static_cast<__int128>(last) + gap_);
  }

  /// The last row of the session that starts at `first`, and the row after it (or end()).
  std::pair<Rows::iterator, Rows::iterator> SessionOf(const Rows& rows, Rows::iterator first) {
    auto last = first;
    auto next = std::next(first);
    while (next != rows.end() && Within(last->second.time, next->second.time)) {
      last = next;
      ++next;
    }
    return {last, next};
  }

  void Touch(Groups::iterator group, int64_t time) {
    changes_.push_back({group, time});
    Group& state = group->second;
    if (!state.touched) {
      state.touched = true;
      state.first_change = time;
      touched_.push_back(group);
    } else {
      state.first_change = std::min(state.first_change, time);
    }
  }

  /// Removes row `it` from `group` and returns the row after it.
  Rows::iterator EraseRow(Groups::iterator group, Rows::iterator it) {
    const auto next = std::next(it);
    if (it->second.dirty_slot != kClean) {
      // Reset before the row's iterator becomes singular, so the entry stays copyable.
      dirty_rows_[it->second.dirty_slot] = {groups_.end(), Rows::iterator()};
    }
    // The row may be stored from an earlier epoch.
    std::string key = std::move(group->second.rows.extract(it).key());
    key.insert(0, group->first);
    deleted_keys_.push_back(std::move(key));
    return next;
  }

  /// Re-emits the sessions around the chunk's changes whose bounds changed, then re-indexes the
  /// groups the chunk touched.
  void ReevaluateChanges() {
    std::sort(changes_.begin(), changes_.end(), [](const Change& x, const Change& y) {
      if (x.group != y.group) {
        return x.group->first < y.group->first;
      }
      return x.time < y.time;
    });
    for (size_t i = 0; i < changes_.size();) {
      const Groups::iterator group = changes_[i].group;
      const int64_t low = changes_[i].time;
      int64_t high = low;
      // Changes whose neighbourhoods (time - gap, time + gap) overlap are handled together.
      for (++i; i < changes_.size() && changes_[i].group == group &&
                static_cast<__int128>(changes_[i].time) - high < static_cast<__int128>(gap_) * 2;
           ++i) {
        high = changes_[i].time;
      }
      Reevaluate(group->second.rows, low, high);
    }
    changes_.clear();
    for (const Groups::iterator group : touched_) {
      Group& state = group->second;
      state.touched = false;
      if (state.rows.empty()) {
        Unindex(group);
        groups_.erase(group);
        continue;
      }
      // The first session ends after every change below it: deleting a row of it leaves its end
      // above that row, inserting one leaves it at least the row's time + gap. So the earlier of
      // the old bound and the first change still bounds it from below.
      const int64_t first = state.rows.begin()->second.time;
      int64_t check = std::min(state.indexed ? state.indexed_check : kMaxTime, state.first_change);
      check = std::max(check, SessionEnd(first));
      Index(group, first, check);
    }
    touched_.clear();
  }

  /// Emits the rows whose bounds differ from those they were emitted with, in every session that
  /// holds a row with a time in (low - gap, high + gap): a change at a time in [low, high] can
  /// alter no other session.
  void Reevaluate(Rows& rows, int64_t low, int64_t high) {
    const __int128 stop = static_cast<__int128>(high) + gap_;
    key_.clear();
    storage::EncodeKeyValue(Value::Int(time_type_, ClampTime(static_cast<__int128>(low) - gap_)),
                            false, key_);
    auto it = rows.lower_bound(key_);
    if (it == rows.end() || it->second.time >= stop) {
      return;
    }
    while (it != rows.begin()) {
      const auto previous = std::prev(it);
      if (!Within(previous->second.time, it->second.time)) {
        break;
      }
      it = previous;
    }
    while (it != rows.end() && it->second.time < stop) {
      const auto [last, next] = SessionOf(rows, it);
      const int64_t start = it->second.time;
      const int64_t end = SessionEnd(last->second.time);
      for (; it != next; ++it) {
        RowState& state = it->second;
        if (!state.emitted) {
          ReserveOutput(1);
          Output(state, Op::kInsert, start, end);
        } else if (state.window_start != start || state.window_end != end) {
          ReserveOutput(2);
          Output(state, Op::kUpdateDelete, state.window_start, state.window_end);
          Output(state, Op::kUpdateInsert, start, end);
        }
        state.window_start = start;
        state.window_end = end;
        state.emitted = true;
      }
    }
  }

  /// Removes the sessions that end at or before closed_ from the state, without emitting: their
  /// rows are final.
  void CleanClosedSessions() {
    while (!cleanup_.empty() && cleanup_.begin()->time <= closed_) {
      const Groups::iterator group = cleanup_.begin()->group;
      Rows& rows = group->second.rows;
      int64_t first_end = kMaxTime;
      while (!rows.empty()) {
        const auto [last, next] = SessionOf(rows, rows.begin());
        first_end = SessionEnd(last->second.time);
        if (first_end > closed_) {
          break;
        }
        for (auto it = rows.begin(); it != next;) {
          it = EraseRow(group, it);
        }
      }
      if (rows.empty()) {
        Unindex(group);
        groups_.erase(group);
        continue;
      }
      Index(group, rows.begin()->second.time, first_end);
    }
  }

  /// Records in starts_ the group's first row time and in cleanup_ `check`, a lower bound of the
  /// end of its first session: the group need not be looked at before the watermark passes it.
  void Index(Groups::iterator group, int64_t first, int64_t check) {
    Group& state = group->second;
    if (state.indexed && state.indexed_start == first && state.indexed_check == check) {
      return;
    }
    Unindex(group);
    starts_.insert({first, group});
    cleanup_.insert({check, group});
    state.indexed_start = first;
    state.indexed_check = check;
    state.indexed = true;
  }

  void Unindex(Groups::iterator group) {
    Group& state = group->second;
    if (state.indexed) {
      starts_.erase({state.indexed_start, group});
      cleanup_.erase({state.indexed_check, group});
      state.indexed = false;
    }
  }

  /// Makes room for `rows` more output rows, so an update's two rows share a chunk.
  void ReserveOutput(size_t rows) {
    if (out_.NumRows() + rows > Chunk::kChunkSize) {
      Flush();
    }
  }

  void Output(const RowState& state, Op op, int64_t window_start, int64_t window_end) {
    std::vector<Column>& columns = out_.Columns();
    storage::DecodeRowIntoColumns(state.row, input_types_, columns).ThrowIfError();
    columns[input_types_.size()].Append<int64_t>(window_start);
    columns[input_types_.size() + 1].Append<int64_t>(window_end);
    out_.MutableOps().push_back(op);
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

  /// Reads the committed rows and progress; every row was emitted with its session's bounds.
  void Load(const OperatorContext& context, uint16_t operator_id) {
    Chunk row_chunk(input_types_);
    context.LoadState(operator_id, [&](std::string_view key, std::string_view value) {
      if (!key.empty() && key[0] == kProgressTag) {
        closed_ = static_cast<int64_t>(storage::ReadUint64(value).ValueOrThrow());
        watermark_ = static_cast<int64_t>(storage::ReadUint64(value).ValueOrThrow());
        return;
      }
      storage::DecodeRowInto(value, input_types_, row_chunk).ThrowIfError();
      EncodeKeys(row_chunk, 0);
      const auto group = groups_.try_emplace(groups_.end(), group_key_);
      RowState state;
      state.row = value;
      state.time = row_chunk.GetColumn(time_column_).Data<int64_t>()[0];
      group->second.rows.emplace_hint(group->second.rows.end(), row_key_, std::move(state));
      for (Column& column : row_chunk.Columns()) {
        column.Clear();
      }
      row_chunk.MutableOps().clear();
    });
    for (auto group = groups_.begin(); group != groups_.end(); ++group) {
      Rows& rows = group->second.rows;
      int64_t first_end = kMaxTime;
      for (auto it = rows.begin(); it != rows.end();) {
        const auto [last, next] = SessionOf(rows, it);
        const int64_t start = it->second.time;
        const int64_t end = SessionEnd(last->second.time);
        if (it == rows.begin()) {
          first_end = end;
        }
        for (; it != next; ++it) {
          it->second.window_start = start;
          it->second.window_end = end;
          it->second.emitted = true;
        }
      }
      Index(group, rows.begin()->second.time, first_end);
    }
  }

  const uint32_t time_column_;
  const int64_t gap_;
  const std::vector<uint32_t> key_columns_;
  const std::string prefix_;
  std::vector<DataType> input_types_;
  DataType time_type_;
  std::vector<uint32_t> stream_key_;
  int64_t lateness_ = 0;

  Groups groups_;
  /// Every group by the time of its first row, the start of its first session: the earliest
  /// window_start still open is starts_.begin().
  std::set<IndexEntry> starts_;
  /// Every group by a lower bound of its first session's end, so cleaning visits only the groups
  /// that may have a closed session.
  std::set<IndexEntry> cleanup_;
  /// Rows at times below closed_ are late; sessions ending at or before it are gone. Persisted.
  int64_t closed_ = kMinTime;
  /// The last watermark emitted (kMinTime: none). Persisted.
  int64_t watermark_ = kMinTime;
  bool progress_dirty_ = false;
  /// The rows inserted since the last barrier, and the keys (group key, row key) deleted.
  std::vector<DirtyRow> dirty_rows_;
  std::vector<std::string> deleted_keys_;

  /// Per-chunk buffers, reused.
  std::vector<Change> changes_;
  std::vector<Groups::iterator> touched_;
  Chunk out_;
  std::string group_key_;
  std::string row_key_;
  std::string key_;
};

}  // namespace

std::unique_ptr<StreamOperator> MakeSessionWindowOperator(const plan::StreamSessionWindowNode& node,
                                                          const OperatorContext& context) {
  return std::make_unique<SessionWindowOperator>(node, context);
}

}  // namespace freshet::executor::stream
