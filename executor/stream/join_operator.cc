// SPDX-License-Identifier: Apache-2.0
// The streaming hash join: both inputs are changelogs, both sides keep their rows in state, and
// every change of one side is probed against the other side's state.
#include <algorithm>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/error.h"
#include "executor/expression_evaluator.h"
#include "executor/internal/gather.h"
#include "executor/internal/operators.h"
#include "executor/stream/stream_operator.h"
#include "storage/key_codec.h"
#include "storage/row_codec.h"

namespace freshet::executor::stream {
namespace {

using plan::JoinType;

/// Rows of a side's state live in pages of 2^kPageShift rows, so a row id is (page, slot) packed
/// into 32 bits and growing the state never moves a stored row.
constexpr size_t kPageShift = 10;
constexpr size_t kPageRows = size_t{1} << kPageShift;
/// A side rebuilds its pages at a barrier once it holds more dead rows than live ones, and at
/// least this many: the copy is amortized over the deletions that made it necessary.
constexpr size_t kMinDeadRowsToCompact = 4 * kPageRows;
/// No stored row.
constexpr uint32_t kNoRow = std::numeric_limits<uint32_t>::max();

bool IsInsert(Op op) {
  return op == Op::kInsert || op == Op::kUpdateInsert;
}

bool IsIntegerLike(PhysicalType type) {
  return type == PhysicalType::kInt16 || type == PhysicalType::kInt32 ||
         type == PhysicalType::kInt64;
}

/// Reads a non-NULL value of an integer-like column (integers, DATE, TIMESTAMP[TZ]) as int64.
int64_t ReadInteger(const Column& column, size_t row) {
  switch (column.Type().Physical()) {
    case PhysicalType::kInt16:
      return column.Data<int16_t>()[row];
    case PhysicalType::kInt32:
      return column.Data<int32_t>()[row];
    default:
      return column.Data<int64_t>()[row];
  }
}

int64_t SaturatingSubtract(int64_t value, int64_t delta) {
  if (delta > 0 && value < std::numeric_limits<int64_t>::min() + delta) {
    return std::numeric_limits<int64_t>::min();
  }
  if (delta < 0 && value > std::numeric_limits<int64_t>::max() + delta) {
    return std::numeric_limits<int64_t>::max();
  }
  return value - delta;
}

/// Empties a chunk and keeps its buffers for the next use.
void ResetChunk(Chunk& chunk) {
  for (Column& column : chunk.Columns()) {
    column.Clear();
  }
  chunk.MutableOps().clear();
}

/// Join key -> the chain of rows with that key (linked through JoinSide::RowInfo::next). An
/// open-addressing table (linear probing, at most half full) of 8-byte slots over entries that keep
/// the key bytes: a lookup touches one slot and one entry, and adding a key allocates nothing but
/// the table's amortized growth (join keys of fixed-width types fit the string's inline buffer).
class KeyIndex {
 public:
  struct Entry {
    std::string key;
    /// The first row of the chain; kNoRow while the entry is free.
    uint32_t head = kNoRow;
    /// Bumped whenever the entry is freed, so a reference to an erased key can tell it is stale.
    uint32_t generation = 0;
  };

  static uint64_t Hash(std::string_view key) { return std::hash<std::string_view>()(key); }

  /// Returns the index of the entry of `key` (whose Hash() is `hash`), or kNoRow.
  uint32_t Find(std::string_view key, uint64_t hash) const {
    if (slots_.empty()) {
      return kNoRow;
    }
    const auto fragment = static_cast<uint32_t>(hash);
    for (size_t slot = fragment & mask_;; slot = (slot + 1) & mask_) {
      const Slot& candidate = slots_[slot];
      if (candidate.entry == kNoRow) {
        return kNoRow;
      }
      if (candidate.hash == fragment && entries_[candidate.entry].key == key) {
        return candidate.entry;
      }
    }
  }

  /// Returns the index of the entry of `key`, adding one with an empty chain when missing.
  uint32_t FindOrAdd(std::string_view key, uint64_t hash) {
    if ((size_ + 1) * 2 > slots_.size()) {
      Grow();
    }
    const auto fragment = static_cast<uint32_t>(hash);
    size_t slot = fragment & mask_;
    for (;; slot = (slot + 1) & mask_) {
      const Slot& candidate = slots_[slot];
      if (candidate.entry == kNoRow) {
        break;
      }
      if (candidate.hash == fragment && entries_[candidate.entry].key == key) {
        return candidate.entry;
      }
    }
    uint32_t entry = 0;
    if (free_entries_.empty()) {
      entry = static_cast<uint32_t>(entries_.size());
      entries_.emplace_back();
    } else {
      entry = free_entries_.back();
      free_entries_.pop_back();
    }
    entries_[entry].key.assign(key);
    slots_[slot] = {entry, fragment};
    ++size_;
    return entry;
  }

  /// Removes entry `entry`, whose chain must be empty, and closes the gap in its probe sequence
  /// (backward-shift deletion, so lookups never meet tombstones).
  void Erase(uint32_t entry) {
    const auto fragment = static_cast<uint32_t>(Hash(entries_[entry].key));
    size_t hole = fragment & mask_;
    while (slots_[hole].entry != entry) {
      hole = (hole + 1) & mask_;
    }
    slots_[hole].entry = kNoRow;
    for (size_t next = (hole + 1) & mask_; slots_[next].entry != kNoRow;
         next = (next + 1) & mask_) {
      const size_t ideal = slots_[next].hash & mask_;
      // Move the slot into the hole unless its ideal position lies cyclically in (hole, next].
      if (((next - ideal) & mask_) >= ((next - hole) & mask_)) {
        slots_[hole] = slots_[next];
        slots_[next].entry = kNoRow;
        hole = next;
      }
    }
    entries_[entry].key.clear();
    entries_[entry].head = kNoRow;
    ++entries_[entry].generation;
    free_entries_.push_back(entry);
    --size_;
  }

  Entry& At(uint32_t entry) { return entries_[entry]; }
  const Entry& At(uint32_t entry) const { return entries_[entry]; }

  /// Calls `visit(Entry&)` for every key.
  template <typename Visit>
  void ForEach(Visit&& visit) {
    for (Entry& entry : entries_) {
      if (entry.head != kNoRow) {
        visit(entry);
      }
    }
  }

 private:
  struct Slot {
    /// The entry index, kNoRow when empty.
    uint32_t entry = kNoRow;
    /// The low 32 bits of the key's hash: the ideal position, and a filter before comparing keys.
    uint32_t hash = 0;
  };

  void Grow() {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(std::max<size_t>(16, old.size() * 2), Slot{});
    mask_ = slots_.size() - 1;
    for (const Slot& slot : old) {
      if (slot.entry == kNoRow) {
        continue;
      }
      size_t position = slot.hash & mask_;
      while (slots_[position].entry != kNoRow) {
        position = (position + 1) & mask_;
      }
      slots_[position] = slot;
    }
  }

  std::vector<Slot> slots_;
  size_t mask_ = 0;
  size_t size_ = 0;
  std::vector<Entry> entries_;
  std::vector<uint32_t> free_entries_;
};

/// Stream-key hash -> row ids, so a retraction finds its stored row without walking its join key's
/// chain (a window join's chain holds every row of the window). An open-addressing multimap
/// (linear probing, at most half full) of 16-byte slots; equal hashes may repeat, and the caller
/// tells the matching row from the others by comparing stream keys.
class RowHashIndex {
 public:
  void Insert(uint64_t hash, uint32_t id) {
    if ((size_ + 1) * 2 > slots_.size()) {
      Grow();
    }
    size_t slot = hash & mask_;
    while (slots_[slot].id != kNoRow) {
      slot = (slot + 1) & mask_;
    }
    slots_[slot] = {hash, id};
    ++size_;
  }

  /// Calls `match(id)` for each row id stored under `hash` until it returns true; returns whether
  /// one did.
  template <typename Match>
  bool Find(uint64_t hash, Match&& match) const {
    if (slots_.empty()) {
      return false;
    }
    for (size_t slot = hash & mask_; slots_[slot].id != kNoRow; slot = (slot + 1) & mask_) {
      if (slots_[slot].hash == hash && match(slots_[slot].id)) {
        return true;
      }
    }
    return false;
  }

  /// Removes the pair (hash, id), which must be present (backward-shift deletion).
  void Erase(uint64_t hash, uint32_t id) {
    size_t hole = hash & mask_;
    while (slots_[hole].id != id) {
      FRESHET_CHECK(slots_[hole].id != kNoRow, "a stored join row is missing from its index");
      hole = (hole + 1) & mask_;
    }
    slots_[hole].id = kNoRow;
    for (size_t next = (hole + 1) & mask_; slots_[next].id != kNoRow; next = (next + 1) & mask_) {
      const size_t ideal = slots_[next].hash & mask_;
      if (((next - ideal) & mask_) >= ((next - hole) & mask_)) {
        slots_[hole] = slots_[next];
        slots_[next].id = kNoRow;
        hole = next;
      }
    }
    --size_;
  }

  void Clear() {
    slots_.clear();
    mask_ = 0;
    size_ = 0;
  }

 private:
  struct Slot {
    uint64_t hash = 0;
    /// The row id, kNoRow when empty.
    uint32_t id = kNoRow;
  };

  void Grow() {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(std::max<size_t>(16, old.size() * 2), Slot{});
    mask_ = slots_.size() - 1;
    for (const Slot& slot : old) {
      if (slot.id == kNoRow) {
        continue;
      }
      size_t position = slot.hash & mask_;
      while (slots_[position].id != kNoRow) {
        position = (position + 1) & mask_;
      }
      slots_[position] = slot;
    }
  }

  std::vector<Slot> slots_;
  size_t mask_ = 0;
  size_t size_ = 0;
};

/// The state of one input of the join: its rows keyed by join key, each with its match degree.
/// NULL-keyed rows are not stored: they match nothing, so an outer join emits and retracts their
/// NULL-extended rows straight from the input.
struct JoinSide {
  /// What the operator knows about one stored row, indexed by row id.
  struct RowInfo {
    /// Hash of the encoded stream key, to find the row of a retraction without decoding others.
    uint64_t stream_key_hash = 0;
    /// Rows of the other side that match (equal key, condition true); kept for outer sides only.
    int64_t degree = 0;
    /// False once deleted or cleaned; the slot stays until the next compaction.
    bool live = false;
    /// Changed since the last barrier (and listed in `dirty`).
    bool dirty = false;
    /// Present in the store as of the last barrier, so dropping it must delete the key.
    bool stored = false;
    /// The next and previous rows with the same join key, or kNoRow.
    uint32_t next = kNoRow;
    uint32_t previous = kNoRow;
    /// The KeyIndex entry of the row's join key, while it is live.
    uint32_t entry = kNoRow;
  };
  /// A join key whose rows all share a clean column value (the column is part of the key).
  struct CleanEntry {
    int64_t value = 0;
    uint32_t entry = 0;
    /// The entry's generation when pushed: a different one means the key was erased since.
    uint32_t generation = 0;
    bool operator>(const CleanEntry& other) const { return value > other.value; }
  };

  const Column& GetColumn(uint32_t id, size_t column) const {
    return pages[id >> kPageShift].GetColumn(column);
  }
  const Chunk& Page(uint32_t id) const { return pages[id >> kPageShift]; }
  static size_t Slot(uint32_t id) { return id & (kPageRows - 1); }

  /// Returns the page the next row goes to, starting a new one when the last is full.
  Chunk& PageForNextRow() {
    if ((rows.size() & (kPageRows - 1)) == 0) {
      pages.emplace_back(types);
    }
    return pages.back();
  }

  /// 0 for the left input, 1 for the right: the first byte of the side's state keys.
  uint8_t tag = 0;
  /// Where the side's columns start in the output row.
  size_t output_offset = 0;
  std::vector<DataType> types;
  std::vector<uint32_t> keys;
  std::vector<uint32_t> stream_key;
  /// True when unmatched rows of this side are output NULL-extended (LEFT for the left side...).
  bool outer = false;
  /// The side only ever receives inserts, so a stored row is never retracted later.
  bool append_only = false;
  std::optional<plan::StreamJoinNode::Cleaning> cleaning;

  /// The rows, column-wise, 2^kPageShift per page; the ops of the page chunks are unused.
  std::vector<Chunk> pages;
  std::vector<RowInfo> rows;
  /// Join key (memcomparable, NUMERICs normalized) -> the live rows with that key.
  KeyIndex index;
  size_t live_rows = 0;
  size_t dead_rows = 0;
  /// Ids of the rows changed since the last barrier; may repeat and name rows dropped since.
  std::vector<uint32_t> dirty;
  /// Deletions of stored rows, staged until the barrier.
  storage::WriteBatch deletes;
  /// The state key of the last stored row dropped, not yet in `deletes`: when the next insert
  /// has the same key (the second half of an update), it overwrites the row and no delete is
  /// needed.
  std::string pending_delete;
  bool has_pending_delete = false;
  /// Min-heap of (clean column value, row id) for watermark cleaning; dropped rows are skipped
  /// when popped and purged by compaction. Unused when `clean_by_key`.
  std::vector<std::pair<int64_t, uint32_t>> clean_heap;
  /// The clean column is one of the join key columns, so every row of a key has the same clean
  /// value and cleaning drops whole keys: `clean_entries` is a min-heap of them by that value.
  bool clean_by_key = false;
  std::vector<CleanEntry> clean_entries;
  /// For a side that retracts: its live rows by the hash of their stream key.
  RowHashIndex by_stream_key;
  /// The latest watermark of this input per column.
  std::unordered_map<uint32_t, int64_t> watermarks;
};

/// A changelog hash join (inner, left, right and full outer) with state for both inputs: each input
/// row is probed against the other side's state, emitted joined rows are inserts or deletes, and
/// outer sides keep per row the number of matches so NULL-extended rows appear and disappear as
/// the first match arrives and the last one leaves.
///
/// State: per side, column-wise pages of rows chained per join key by a KeyIndex, loaded at
/// construction and written back at barriers under StatePrefix + side byte + join key + stream key,
/// with the match degree and the row as value. Chains are doubly linked and a retracting side also
/// indexes its rows by stream key, so retracting or cleaning a row costs the same whatever the
/// length of its key's chain; a side cleaned by one of its join key columns (a window join) drops
/// whole keys, with one range deletion of their stored rows. The plan node must outlive the
/// operator (the condition's evaluator refers to it). Single-threaded, like every operator.
class JoinOperator final : public StreamOperator {
 public:
  JoinOperator(const plan::StreamJoinNode& node, const OperatorContext& context)
      : node_(node), context_(context), prefix_(context_.StatePrefix(node.operator_id)) {
    if (node.type != JoinType::kInner && node.type != JoinType::kLeft &&
        node.type != JoinType::kRight && node.type != JoinType::kFull) {
      throw Error(SqlState::kFeatureNotSupported,
                  "semi and anti joins are not supported in materialized views");
    }
    FRESHET_CHECK(node.inputs.size() == 2, "a join has two inputs");
    FRESHET_CHECK(node.left_keys.size() == node.right_keys.size(),
                  "join key lists differ in length");
    const bool outer_left = node.type == JoinType::kLeft || node.type == JoinType::kFull;
    const bool outer_right = node.type == JoinType::kRight || node.type == JoinType::kFull;
    SetUpSide(sides_[0], 0, *node.inputs[0], node.left_keys, outer_left, node.left_cleaning);
    SetUpSide(sides_[1], 1, *node.inputs[1], node.right_keys, outer_right, node.right_cleaning);
    sides_[1].output_offset = sides_[0].types.size();

    output_types_ = sides_[0].types;
    output_types_.insert(output_types_.end(), sides_[1].types.begin(), sides_[1].types.end());
    FRESHET_CHECK(node.outputs.empty() || node.outputs.size() == output_types_.size(),
                  "join outputs are not the left columns followed by the right ones");
    pairs_ = Chunk(output_types_);
    out_ = Chunk(output_types_);
    emitted_watermarks_.resize(output_types_.size());
    if (node.condition) {
      condition_.emplace(*node.condition, context_.batch);
    }
    LoadState();
  }

  void OnChunk(size_t input, const Chunk& chunk) override {
    FRESHET_CHECK(input < 2, "a join has two inputs");
    Probe(sides_[input], sides_[1 - input], chunk);
  }

  void OnWatermark(size_t input, uint32_t column, int64_t value) override {
    FRESHET_CHECK(input < 2, "a join has two inputs");
    JoinSide& side = sides_[input];
    auto [it, inserted] = side.watermarks.try_emplace(column, value);
    if (!inserted) {
      if (value <= it->second) {
        return;  // watermarks never go backwards
      }
      it->second = value;
    }
    for (JoinSide& cleaned : sides_) {
      if (cleaned.cleaning) {
        CleanByWatermarks(cleaned, &cleaned == &side ? sides_[1 - input] : side);
      }
    }
    ForwardWatermarks(side, column, value);
  }

  /// Drops the rows of `cleaned` that can change no output any more: no future row of the side
  /// the cleaning watches can match them and, when `cleaned` retracts rows (an aggregate's
  /// updates), no future retraction of its own can reach them either.
  void CleanByWatermarks(JoinSide& cleaned, const JoinSide& other) {
    const plan::StreamJoinNode::Cleaning& cleaning = *cleaned.cleaning;
    const JoinSide& watched = cleaning.by_other_side ? other : cleaned;
    auto watermark = watched.watermarks.find(cleaning.watermark_column);
    if (watermark == watched.watermarks.end()) {
      return;
    }
    int64_t threshold = SaturatingSubtract(watermark->second, cleaning.clean_delay_micros);
    if (!cleaned.append_only && cleaning.by_other_side) {
      auto own = cleaned.watermarks.find(cleaning.clean_column);
      if (own == cleaned.watermarks.end()) {
        return;
      }
      threshold = std::min(threshold, SaturatingSubtract(own->second, cleaning.clean_delay_micros));
    }
    Clean(cleaned, threshold);
  }

  void OnBarrier(const EpochContext& epoch) override {
    for (JoinSide& side : sides_) {
      WriteState(side, *epoch.batch);
      if (side.dead_rows >= kMinDeadRowsToCompact && side.dead_rows > side.live_rows) {
        Compact(side);
      }
    }
  }

 private:
  /// Which rows an output row is made of (see OutputRow).
  enum class OutputKind : uint8_t {
    /// Row `index` of pairs_.
    kPair,
    /// Row `index` of the input chunk, NULL-extended.
    kInputExtended,
    /// Stored row `index` of the other side, NULL-extended.
    kStoredExtended,
  };
  /// One row of the output being assembled, materialized column by column in EmitOutput().
  struct OutputRow {
    OutputKind kind;
    Op op;
    uint32_t index;
  };
  /// A row of the input chunk whose candidate pairs are being evaluated: its pairs are those from
  /// `first_pair` to the next pending row's.
  struct PendingRow {
    uint32_t row = 0;
    bool insert = true;
    /// The row id an insert got in state (outer sides keep its degree there), or kNoRow.
    uint32_t self_id = kNoRow;
    uint32_t first_pair = 0;
    /// Candidate pairs that satisfied the condition so far.
    int64_t passing = 0;
  };

  void SetUpSide(JoinSide& side,
                 uint8_t tag,
                 const plan::StreamNode& input,
                 const std::vector<uint32_t>& keys,
                 bool outer,
                 const std::optional<plan::StreamJoinNode::Cleaning>& cleaning) {
    side.tag = tag;
    side.types = input.OutputTypes();
    side.keys = keys;
    side.stream_key = input.stream_key;
    if (side.stream_key.empty()) {
      // Without a declared key the whole row is the key; identical rows then share a state key.
      for (uint32_t column = 0; column < side.types.size(); ++column) {
        side.stream_key.push_back(column);
      }
    }
    side.outer = outer;
    side.append_only = input.append_only;
    side.cleaning = cleaning;
    for (uint32_t key : keys) {
      FRESHET_CHECK(key < side.types.size(), "join key column out of range");
    }
    side.clean_by_key =
        cleaning && std::find(keys.begin(), keys.end(), cleaning->clean_column) != keys.end();
    if (cleaning) {
      FRESHET_CHECK(cleaning->clean_column < side.types.size() &&
                        IsIntegerLike(side.types[cleaning->clean_column].Physical()),
                    "join cleaning column must be an integer or time column");
    }
  }

  // ---- Probing ------------------------------------------------------------------------------

  /// Applies `chunk` of input `self` to its state and emits the changes it makes to the join.
  /// Candidate pairs are gathered up to a chunk's worth, evaluated by the condition together, and
  /// then applied in input order, so the degree transitions follow the order of the changes.
  void Probe(JoinSide& self, JoinSide& other, const Chunk& chunk) {
    input_ = &chunk;
    pending_.clear();
    pair_input_row_.clear();
    pair_stored_row_.clear();
    const std::vector<Op>& ops = chunk.Ops();
    for (size_t row = 0; row < chunk.NumRows(); ++row) {
      PendingRow pending;
      pending.row = static_cast<uint32_t>(row);
      pending.insert = IsInsert(ops[row]);
      pending.first_pair = static_cast<uint32_t>(pair_input_row_.size());
      if (!internal::EncodeRowKey(chunk, row, self.keys, false, key_)) {
        // A NULL key matches nothing: only an outer side has something to emit.
        if (self.outer) {
          pending_.push_back(pending);
        }
        continue;
      }
      const uint64_t hash = KeyIndex::Hash(key_);
      if (pending.insert) {
        pending.self_id = InsertRow(self, chunk, row, hash);
      } else if (!RemoveRow(self, chunk, row, hash)) {
        continue;  // not in state (never inserted, or cleaned): nothing to retract
      }
      pending_.push_back(pending);
      const uint32_t entry = other.index.Find(key_, hash);
      if (entry == kNoRow) {
        continue;
      }
      for (uint32_t id = other.index.At(entry).head; id != kNoRow; id = other.rows[id].next) {
        pair_input_row_.push_back(static_cast<uint32_t>(row));
        pair_stored_row_.push_back(id);
        if (pair_input_row_.size() == Chunk::kChunkSize) {
          ApplyPairs(self, other, /*last_row_complete=*/false);
        }
      }
    }
    ApplyPairs(self, other, /*last_row_complete=*/true);
    input_ = nullptr;
  }

  /// Evaluates the gathered pairs and applies them and the pending rows in order. When
  /// `last_row_complete` is false the last pending row has more pairs to come: it is carried over
  /// to the next call.
  void ApplyPairs(JoinSide& self, JoinSide& other, bool last_row_complete) {
    const size_t pair_count = pair_input_row_.size();
    MaterializePairs(self, other);
    const bool plain_inner = !condition_ && !self.outer && !other.outer;
    if (plain_inner) {
      // Every pair is an output row and nothing else is: emit the pairs as they are.
      Emit(pairs_);
    } else {
      std::vector<uint8_t> passes;
      if (condition_ && pair_count > 0) {
        passes = condition_->EvaluatePredicate(pairs_);
      }
      output_.clear();
      for (size_t p = 0; p < pending_.size(); ++p) {
        PendingRow& pending = pending_[p];
        const size_t end = p + 1 < pending_.size() ? pending_[p + 1].first_pair : pair_count;
        for (size_t pair = pending.first_pair; pair < end; ++pair) {
          if (!passes.empty() && passes[pair] == 0) {
            continue;
          }
          ++pending.passing;
          ApplyPair(other, pending.insert, static_cast<uint32_t>(pair));
        }
        if (p + 1 == pending_.size() && !last_row_complete) {
          break;
        }
        if (self.outer) {
          if (pending.self_id != kNoRow) {
            self.rows[pending.self_id].degree = pending.passing;
          }
          if (pending.passing == 0) {
            output_.push_back({OutputKind::kInputExtended,
                               pending.insert ? Op::kInsert : Op::kDelete, pending.row});
          }
        }
      }
      EmitOutput(self, other);
    }
    ResetChunk(pairs_);
    pair_input_row_.clear();
    pair_stored_row_.clear();
    if (last_row_complete || pending_.empty()) {
      pending_.clear();
    } else {
      PendingRow carried = pending_.back();
      carried.first_pair = 0;
      pending_.clear();
      pending_.push_back(carried);
    }
  }

  /// Adds the output of one pair that satisfies the condition and updates the stored row's
  /// degree; an outer stored row's NULL-extended row goes when its first match comes and comes
  /// back when its last match goes.
  void ApplyPair(JoinSide& other, bool insert, uint32_t pair) {
    const uint32_t stored = pair_stored_row_[pair];
    if (insert) {
      if (other.outer) {
        JoinSide::RowInfo& info = other.rows[stored];
        if (info.degree++ == 0) {
          output_.push_back({OutputKind::kStoredExtended, Op::kDelete, stored});
        }
        MarkDirty(other, stored);
      }
      output_.push_back({OutputKind::kPair, Op::kInsert, pair});
      return;
    }
    output_.push_back({OutputKind::kPair, Op::kDelete, pair});
    if (other.outer) {
      JoinSide::RowInfo& info = other.rows[stored];
      if (--info.degree == 0) {
        output_.push_back({OutputKind::kStoredExtended, Op::kInsert, stored});
      }
      MarkDirty(other, stored);
    }
  }

  /// Builds pairs_ (left columns then right ones) from the gathered pairs, a column at a time.
  void MaterializePairs(const JoinSide& self, const JoinSide& other) {
    const size_t pair_count = pair_input_row_.size();
    for (size_t column = 0; column < self.types.size(); ++column) {
      internal::GatherColumn(input_->GetColumn(column), pair_input_row_.data(), pair_count,
                             pairs_.MutableColumn(self.output_offset + column));
    }
    for (size_t column = 0; column < other.types.size(); ++column) {
      Column& target = pairs_.MutableColumn(other.output_offset + column);
      target.Reserve(pair_count);
      for (size_t pair = 0; pair < pair_count; ++pair) {
        const uint32_t id = pair_stored_row_[pair];
        target.AppendFrom(other.GetColumn(id, column), JoinSide::Slot(id));
      }
    }
    std::vector<Op>& ops = pairs_.MutableOps();
    ops.resize(pair_count);
    const std::vector<Op>& input_ops = input_->Ops();
    for (size_t pair = 0; pair < pair_count; ++pair) {
      ops[pair] = IsInsert(input_ops[pair_input_row_[pair]]) ? Op::kInsert : Op::kDelete;
    }
  }

  /// Emits output_ in chunks, built a column at a time.
  void EmitOutput(const JoinSide& self, const JoinSide& other) {
    for (size_t begin = 0; begin < output_.size(); begin += Chunk::kChunkSize) {
      const size_t end = std::min(output_.size(), begin + Chunk::kChunkSize);
      if (!self.outer && !other.outer) {
        // Only pairs: gather them from pairs_ a column at a time.
        output_pairs_.clear();
        for (size_t i = begin; i < end; ++i) {
          output_pairs_.push_back(output_[i].index);
        }
        for (size_t column = 0; column < output_types_.size(); ++column) {
          internal::GatherColumn(pairs_.GetColumn(column), output_pairs_.data(),
                                 output_pairs_.size(), out_.MutableColumn(column));
        }
      } else {
        AppendOutputColumns(self, begin, end, /*from_input=*/true);
        AppendOutputColumns(other, begin, end, /*from_input=*/false);
      }
      std::vector<Op>& ops = out_.MutableOps();
      for (size_t i = begin; i < end; ++i) {
        ops.push_back(output_[i].op);
      }
      Emit(out_);
      ResetChunk(out_);
    }
  }

  /// Appends the columns of `side` of output_[begin, end) to out_; `from_input` tells whether
  /// `side` is the side of the input chunk (else the stored side).
  void AppendOutputColumns(const JoinSide& side, size_t begin, size_t end, bool from_input) {
    for (size_t column = 0; column < side.types.size(); ++column) {
      const size_t output_column = side.output_offset + column;
      const Column& pair_source = pairs_.GetColumn(output_column);
      Column& target = out_.MutableColumn(output_column);
      target.Reserve(end - begin);
      for (size_t i = begin; i < end; ++i) {
        const OutputRow& row = output_[i];
        switch (row.kind) {
          case OutputKind::kPair:
            target.AppendFrom(pair_source, row.index);
            break;
          case OutputKind::kInputExtended:
            if (from_input) {
              target.AppendFrom(input_->GetColumn(column), row.index);
            } else {
              target.AppendNull();
            }
            break;
          case OutputKind::kStoredExtended:
            if (from_input) {
              target.AppendNull();
            } else {
              target.AppendFrom(side.GetColumn(row.index, column), JoinSide::Slot(row.index));
            }
            break;
        }
      }
    }
  }

  // ---- State ---------------------------------------------------------------------------------

  /// Adds row `row` of `chunk` (whose join key is in key_, hashed to `hash`) to the state of
  /// `side`; returns its id.
  uint32_t InsertRow(JoinSide& side, const Chunk& chunk, size_t row, uint64_t hash) {
    FRESHET_CHECK(side.rows.size() < kNoRow, "too many rows in one side of a join");
    Chunk& page = side.PageForNextRow();
    for (size_t column = 0; column < side.types.size(); ++column) {
      page.MutableColumn(column).AppendFrom(chunk.GetColumn(column), row);
    }
    const auto id = static_cast<uint32_t>(side.rows.size());
    EncodeStreamKey(side, chunk, row, stream_key_);
    JoinSide::RowInfo& info = side.rows.emplace_back();
    info.stream_key_hash = std::hash<std::string_view>()(stream_key_);
    info.live = true;
    if (side.has_pending_delete) {
      BuildStateKey(side, key_, stream_key_);
      if (state_key_ == side.pending_delete) {
        // Replaces the stored row just dropped: its Put at the barrier overwrites that one.
        side.has_pending_delete = false;
        info.stored = true;
      } else {
        FlushPendingDelete(side);
      }
    }
    LinkRow(side, id, hash);
    MarkDirty(side, id);
    return id;
  }

  /// Stages the deletion pending_delete stands for.
  static void FlushPendingDelete(JoinSide& side) {
    if (side.has_pending_delete) {
      side.deletes.Delete(side.pending_delete);
      side.has_pending_delete = false;
    }
  }

  /// Links the new live row `id` (whose join key is in key_, hashed to `hash`) into its key's
  /// chain, the stream-key index and the cleaning order.
  void LinkRow(JoinSide& side, uint32_t id, uint64_t hash) {
    const uint32_t entry_index = side.index.FindOrAdd(key_, hash);
    KeyIndex::Entry& entry = side.index.At(entry_index);
    JoinSide::RowInfo& info = side.rows[id];
    // Keys with no rows are erased, so an empty chain means the key is new.
    const bool new_key = entry.head == kNoRow;
    info.next = entry.head;
    info.previous = kNoRow;
    info.entry = entry_index;
    if (entry.head != kNoRow) {
      side.rows[entry.head].previous = id;
    }
    entry.head = id;
    if (!side.append_only) {
      side.by_stream_key.Insert(info.stream_key_hash, id);
    }
    ++side.live_rows;
    if (!side.clean_by_key) {
      PushCleaning(side, id);
    } else if (new_key) {
      PushCleanEntry(side, id, entry_index);
    }
  }

  /// Drops the stored row of `side` that row `row` of `chunk` (whose join key is in key_, hashed
  /// to `hash`) retracts; false when there is none.
  bool RemoveRow(JoinSide& side, const Chunk& chunk, size_t row, uint64_t hash) {
    const uint32_t entry = side.index.Find(key_, hash);
    if (entry == kNoRow) {
      return false;
    }
    EncodeStreamKey(side, chunk, row, stream_key_);
    const uint64_t stream_key_hash = std::hash<std::string_view>()(stream_key_);
    const auto matches = [&](uint32_t id) {
      if (side.rows[id].entry != entry) {
        return false;  // the same stream key under another join key
      }
      EncodeStreamKey(side, side.Page(id), JoinSide::Slot(id), candidate_key_);
      return candidate_key_ == stream_key_;
    };
    uint32_t found = kNoRow;
    if (!side.append_only) {
      side.by_stream_key.Find(stream_key_hash, [&](uint32_t id) {
        if (!matches(id)) {
          return false;
        }
        found = id;
        return true;
      });
    } else {
      // An append-only side keeps no stream-key index; a retraction there is unexpected.
      for (uint32_t id = side.index.At(entry).head; id != kNoRow; id = side.rows[id].next) {
        if (side.rows[id].stream_key_hash == stream_key_hash && matches(id)) {
          found = id;
          break;
        }
      }
    }
    if (found == kNoRow) {
      return false;
    }
    DropRow(side, found);
    return true;
  }

  /// Unlinks live row `id` from the state of `side` and stages the deletion of its stored entry;
  /// when the row is stored, key_ and stream_key_ must hold its join and stream keys.
  void DropRow(JoinSide& side, uint32_t id) {
    JoinSide::RowInfo& info = side.rows[id];
    KeyIndex::Entry& key_entry = side.index.At(info.entry);
    if (info.previous == kNoRow) {
      key_entry.head = info.next;
    } else {
      side.rows[info.previous].next = info.next;
    }
    if (info.next != kNoRow) {
      side.rows[info.next].previous = info.previous;
    }
    if (key_entry.head == kNoRow) {
      side.index.Erase(info.entry);
    }
    if (!side.append_only) {
      side.by_stream_key.Erase(info.stream_key_hash, id);
    }
    info.next = kNoRow;
    info.previous = kNoRow;
    info.entry = kNoRow;
    info.live = false;
    if (info.stored) {
      FlushPendingDelete(side);
      BuildStateKey(side, key_, stream_key_);
      side.pending_delete.assign(state_key_);
      side.has_pending_delete = true;
    }
    --side.live_rows;
    ++side.dead_rows;
  }

  void MarkDirty(JoinSide& side, uint32_t id) {
    JoinSide::RowInfo& info = side.rows[id];
    if (!info.dirty) {
      info.dirty = true;
      side.dirty.push_back(id);
    }
  }

  /// Adds the new key `entry`, whose first row is `id`, to the cleaning order of a side cleaned
  /// by key.
  void PushCleanEntry(JoinSide& side, uint32_t id, uint32_t entry) {
    const Column& column = side.GetColumn(id, side.cleaning->clean_column);
    // A key column of a stored row is never NULL.
    side.clean_entries.push_back(
        {ReadInteger(column, JoinSide::Slot(id)), entry, side.index.At(entry).generation});
    std::push_heap(side.clean_entries.begin(), side.clean_entries.end(), std::greater<>());
  }

  void PushCleaning(JoinSide& side, uint32_t id) {
    if (!side.cleaning) {
      return;
    }
    const Column& column = side.GetColumn(id, side.cleaning->clean_column);
    const size_t slot = JoinSide::Slot(id);
    if (column.IsNull(slot)) {
      return;  // a NULL time never compares below a watermark
    }
    side.clean_heap.emplace_back(ReadInteger(column, slot), id);
    std::push_heap(side.clean_heap.begin(), side.clean_heap.end(), std::greater<>());
  }

  /// Drops the rows of `side` whose clean column is below `threshold`: they can match nothing new.
  /// Emits nothing; the other side's degrees keep counting them, as their joined rows stay.
  /// Cost: proportional to the rows dropped (times log of the heap for row-wise cleaning).
  void Clean(JoinSide& side, int64_t threshold) {
    if (side.clean_by_key) {
      std::vector<JoinSide::CleanEntry>& heap = side.clean_entries;
      while (!heap.empty() && heap.front().value < threshold) {
        const JoinSide::CleanEntry top = heap.front();
        std::pop_heap(heap.begin(), heap.end(), std::greater<>());
        heap.pop_back();
        const KeyIndex::Entry& entry = side.index.At(top.entry);
        if (entry.generation != top.generation || entry.head == kNoRow) {
          continue;  // the key lost its rows since; it was pushed again if it came back
        }
        // Every row of the key goes; the last one erases the entry, so copy its key first. The
        // stored rows of the key are the store keys under prefix, side and join key: one range
        // deletion removes them all.
        key_.assign(entry.key);
        bool any_stored = false;
        while (side.index.At(top.entry).generation == top.generation) {
          const uint32_t id = side.index.At(top.entry).head;
          any_stored = any_stored || side.rows[id].stored;
          side.rows[id].stored = false;
          DropRow(side, id);
        }
        if (any_stored) {
          BuildStateKey(side, key_, {});
          side.deletes.DeleteRange(state_key_, storage::PrefixUpperBound(state_key_));
        }
      }
      return;
    }
    std::vector<std::pair<int64_t, uint32_t>>& heap = side.clean_heap;
    while (!heap.empty() && heap.front().first < threshold) {
      const uint32_t id = heap.front().second;
      std::pop_heap(heap.begin(), heap.end(), std::greater<>());
      heap.pop_back();
      const JoinSide::RowInfo& info = side.rows[id];
      if (!info.live) {
        continue;
      }
      if (info.stored) {
        key_.assign(side.index.At(info.entry).key);
        EncodeStreamKey(side, side.Page(id), JoinSide::Slot(id), stream_key_);
      }
      DropRow(side, id);
    }
  }

  void EncodeStreamKey(const JoinSide& side, const Chunk& chunk, size_t row, std::string& out) {
    out.clear();
    for (uint32_t column : side.stream_key) {
      storage::EncodeKeyValue(chunk.GetColumn(column), row, false, out);
    }
  }

  /// Sets state_key_ to the store key of a row: prefix, side byte, join key, stream key.
  void BuildStateKey(const JoinSide& side, std::string_view join_key, std::string_view stream_key) {
    state_key_.assign(prefix_);
    state_key_.push_back(static_cast<char>(side.tag));
    state_key_.append(join_key);
    state_key_.append(stream_key);
  }

  /// Stages the epoch's changes of `side`: deletions first, so a key dropped and inserted again in
  /// one epoch ends up present.
  void WriteState(JoinSide& side, storage::WriteBatch& batch) {
    FlushPendingDelete(side);
    side.deletes.ForEach([&](const storage::WriteBatch::Entry& entry) {
      if (entry.kind == storage::WriteBatch::Kind::kDeleteRange) {
        batch.DeleteRange(entry.key, entry.value);
      } else {
        batch.Delete(entry.key);
      }
    });
    side.deletes.Clear();
    for (uint32_t id : side.dirty) {
      JoinSide::RowInfo& info = side.rows[id];
      if (!info.live || !info.dirty) {
        continue;
      }
      const Chunk& page = side.Page(id);
      const size_t slot = JoinSide::Slot(id);
      internal::EncodeRowKey(page, slot, side.keys, false, key_);
      EncodeStreamKey(side, page, slot, stream_key_);
      BuildStateKey(side, key_, stream_key_);
      value_.clear();
      storage::AppendUint64(static_cast<uint64_t>(info.degree), value_);
      storage::EncodeRow(page, slot, value_);
      batch.Put(state_key_, value_);
      info.dirty = false;
      info.stored = true;
    }
    side.dirty.clear();
  }

  /// Rebuilds the pages of `side` with its live rows only and renumbers them; called at a barrier,
  /// when no row is dirty.
  void Compact(JoinSide& side) {
    std::vector<Chunk> pages;
    std::vector<JoinSide::RowInfo> rows;
    rows.reserve(side.live_rows);
    side.index.ForEach([&](KeyIndex::Entry& entry) {
      uint32_t previous = kNoRow;
      const uint32_t entry_index = side.rows[entry.head].entry;
      for (uint32_t id = entry.head; id != kNoRow; id = side.rows[id].next) {
        if ((rows.size() & (kPageRows - 1)) == 0) {
          pages.emplace_back(side.types);
        }
        const Chunk& page = side.Page(id);
        for (size_t column = 0; column < side.types.size(); ++column) {
          pages.back().MutableColumn(column).AppendFrom(page.GetColumn(column), JoinSide::Slot(id));
        }
        const auto new_id = static_cast<uint32_t>(rows.size());
        rows.push_back(side.rows[id]);
        rows.back().next = kNoRow;
        rows.back().previous = previous;
        rows.back().entry = entry_index;
        if (previous == kNoRow) {
          entry.head = new_id;
        } else {
          rows[previous].next = new_id;
        }
        previous = new_id;
      }
    });
    side.pages = std::move(pages);
    side.rows = std::move(rows);
    side.dead_rows = 0;
    // Key entries keep their indexes, so clean_entries stays valid; row ids changed.
    side.clean_heap.clear();
    side.by_stream_key.Clear();
    for (uint32_t id = 0; id < side.rows.size(); ++id) {
      if (!side.clean_by_key) {
        PushCleaning(side, id);
      }
      if (!side.append_only) {
        side.by_stream_key.Insert(side.rows[id].stream_key_hash, id);
      }
    }
  }

  /// Rebuilds both sides from the committed state of this instance.
  void LoadState() {
    context_.LoadState(node_.operator_id, [&](std::string_view suffix, std::string_view value) {
      FRESHET_CHECK(!suffix.empty() && static_cast<uint8_t>(suffix[0]) < 2,
                    "join state key without a side");
      JoinSide& side = sides_[static_cast<uint8_t>(suffix[0])];
      const int64_t degree = static_cast<int64_t>(storage::ReadUint64(value).ValueOrThrow());
      Chunk& page = side.PageForNextRow();
      storage::DecodeRowIntoColumns(value, side.types, page.Columns()).ThrowIfError();
      const auto id = static_cast<uint32_t>(side.rows.size());
      const size_t slot = JoinSide::Slot(id);
      const bool has_key = internal::EncodeRowKey(page, slot, side.keys, false, key_);
      FRESHET_CHECK(has_key, "a stored join row has a NULL key");
      EncodeStreamKey(side, page, slot, stream_key_);
      JoinSide::RowInfo& info = side.rows.emplace_back();
      info.stream_key_hash = std::hash<std::string_view>()(stream_key_);
      info.degree = degree;
      info.live = true;
      info.stored = true;
      LinkRow(side, id, KeyIndex::Hash(key_));
    });
  }

  // ---- Watermarks ----------------------------------------------------------------------------

  /// Forwards what the watermark of `side` on `column` guarantees about the output:
  /// - on an equi-key column, every future output row has the key of a future row of either side,
  ///   so both output positions of the key get the minimum of the two sides' watermarks;
  /// - on a column the side is cleaned by (with a watermark on that same column), the rows still
  ///   in state are at least watermark - delay, and so is every future output row's value there.
  /// Other columns get no watermark: a stored row joined later can carry any older value.
  void ForwardWatermarks(const JoinSide& side, uint32_t column, int64_t value) {
    const JoinSide& other = sides_[1 - side.tag];
    for (size_t i = 0; i < side.keys.size(); ++i) {
      if (side.keys[i] != column) {
        continue;
      }
      auto other_watermark = other.watermarks.find(other.keys[i]);
      if (other_watermark == other.watermarks.end()) {
        continue;
      }
      const int64_t both = std::min(value, other_watermark->second);
      ForwardWatermark(node_.left_keys[i], both);
      ForwardWatermark(static_cast<uint32_t>(sides_[1].output_offset + node_.right_keys[i]), both);
    }
    if (side.cleaning && !side.cleaning->by_other_side && side.cleaning->clean_column == column &&
        side.cleaning->watermark_column == column && side.cleaning->clean_delay_micros >= 0) {
      ForwardWatermark(static_cast<uint32_t>(side.output_offset + column),
                       SaturatingSubtract(value, side.cleaning->clean_delay_micros));
    }
  }

  void ForwardWatermark(uint32_t output_column, int64_t value) {
    std::optional<int64_t>& emitted = emitted_watermarks_[output_column];
    if (emitted && *emitted >= value) {
      return;
    }
    emitted = value;
    EmitWatermark(output_column, value);
  }

  const plan::StreamJoinNode& node_;
  /// A copy, so the condition's BatchContext lives as long as the operator.
  const OperatorContext context_;
  const std::string prefix_;
  JoinSide sides_[2];
  std::vector<DataType> output_types_;
  std::optional<ExpressionEvaluator> condition_;
  std::vector<std::optional<int64_t>> emitted_watermarks_;

  // Scratch of Probe(), reused from chunk to chunk.
  const Chunk* input_ = nullptr;
  std::vector<PendingRow> pending_;
  std::vector<uint32_t> pair_input_row_;
  std::vector<uint32_t> pair_stored_row_;
  Chunk pairs_;
  std::vector<OutputRow> output_;
  std::vector<uint32_t> output_pairs_;
  Chunk out_;
  std::string key_;
  std::string stream_key_;
  std::string candidate_key_;
  std::string state_key_;
  std::string value_;
};

}  // namespace

std::unique_ptr<StreamOperator> MakeJoinOperator(const plan::StreamJoinNode& node,
                                                 const OperatorContext& context) {
  return std::make_unique<JoinOperator>(node, context);
}

}  // namespace freshet::executor::stream
