// SPDX-License-Identifier: Apache-2.0
// The streaming hash aggregation: per-group retractable state in memory, the changes of the touched
// groups emitted once per epoch (or, with EMIT ON WINDOW CLOSE, when the watermark closes their
// window), and every dirty group's state written to the epoch's batch at the barrier.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <deque>
#include <limits>
#include <map>
#include <memory_resource>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "common/error.h"
#include "common/numeric.h"
#include "common/serializer.h"
#include "executor/internal/aggregate_state.h"
#include "executor/stream/stream_operator.h"
#include "storage/key_codec.h"

namespace freshet::executor::stream {
namespace {

using function::AggregateKind;
using internal::FloatMoments;
using internal::PostgresLess;
using internal::PostgresOrder;

/// Bumped whenever the layout of a stored group changes.
constexpr uint8_t kStateVersion = 1;
/// The state key (after the prefix) of the operator's own metadata: no group key starts with 0x00
/// (every encoded value starts with a NULL or not-NULL marker), and a global aggregation, whose
/// group key is empty, keeps no metadata.
constexpr std::string_view kMetadataKey("\0", 1);
/// The group of a row that changes nothing (a late row of a window whose state is gone).
constexpr uint32_t kNoGroup = std::numeric_limits<uint32_t>::max();

// --- Cells: values stored exactly (NaN payloads, -0 and NUMERIC scales included) --------------

/// Appends row `row` of `column` to `out` as a cell: a NULL flag, then the raw value (strings
/// length-prefixed). Groups keep their group values and last emitted results as cells.
void AppendCell(const Column& column, size_t row, std::string& out) {
  if (column.IsNull(row)) {
    out.push_back(0);
    return;
  }
  out.push_back(1);
  const PhysicalType physical = column.Type().Physical();
  if (physical == PhysicalType::kString) {
    const std::string_view value = column.GetString(row);
    const auto size = static_cast<uint32_t>(value.size());
    out.append(reinterpret_cast<const char*>(&size), sizeof(size));
    out.append(value);
    return;
  }
  const size_t width = PhysicalWidth(physical);
  out.append(column.Data<char>() + row * width, width);
}

/// Reads `size` bytes from the front of `in`.
std::string_view TakeBytes(std::string_view& in, size_t size) {
  if (in.size() < size) {
    throw Error(SqlState::kDataCorrupted, "truncated aggregation state");
  }
  const std::string_view bytes = in.substr(0, size);
  in.remove_prefix(size);
  return bytes;
}

template <typename T>
void AppendFixed(std::string_view bytes, Column& out) {
  T value;
  std::memcpy(&value, bytes.data(), sizeof(T));
  out.Append<T>(value);
}

/// Reads one cell written by AppendCell from the front of `in` and appends it to `out`.
void ReadCell(std::string_view& in, Column& out) {
  if (TakeBytes(in, 1)[0] == 0) {
    out.AppendNull();
    return;
  }
  const PhysicalType physical = out.Type().Physical();
  if (physical == PhysicalType::kString) {
    uint32_t size = 0;
    std::memcpy(&size, TakeBytes(in, sizeof(size)).data(), sizeof(size));
    out.AppendString(TakeBytes(in, size));
    return;
  }
  const std::string_view bytes = TakeBytes(in, PhysicalWidth(physical));
  switch (physical) {
    case PhysicalType::kBool:
      return AppendFixed<uint8_t>(bytes, out);
    case PhysicalType::kInt16:
      return AppendFixed<int16_t>(bytes, out);
    case PhysicalType::kInt32:
      return AppendFixed<int32_t>(bytes, out);
    case PhysicalType::kInt64:
      return AppendFixed<int64_t>(bytes, out);
    case PhysicalType::kFloat32:
      return AppendFixed<float>(bytes, out);
    case PhysicalType::kFloat64:
      return AppendFixed<double>(bytes, out);
    case PhysicalType::kInt128:
      return AppendFixed<__int128>(bytes, out);
    case PhysicalType::kInterval:
      return AppendFixed<Interval>(bytes, out);
    case PhysicalType::kString:
      break;
  }
}

template <typename T>
void WriteFixed(Serializer& out, const T& value) {
  unsigned char bytes[sizeof(T)];
  std::memcpy(bytes, &value, sizeof(T));
  for (unsigned char byte : bytes) {
    out.WriteU8(byte);
  }
}

template <typename T>
T ReadFixed(Deserializer& in) {
  unsigned char bytes[sizeof(T)];
  for (unsigned char& byte : bytes) {
    byte = in.ReadU8();
  }
  T value;
  std::memcpy(&value, bytes, sizeof(T));
  return value;
}

/// Appends the group-key encoding of row `row` of `column`: memcomparable, with equal NUMERICs of
/// different scales (1.0, 1.00) encoded alike so they group together, as the batch aggregate does.
void EncodeGroupValue(const Column& column, size_t row, std::string& key) {
  if (column.Type().Physical() == PhysicalType::kInt128 && !column.IsNull(row)) {
    const __int128 normalized = numeric::Normalize(column.Data<__int128>()[row]);
    storage::EncodeKeyValue(Value::Numeric(column.Type(), normalized), false, key);
    return;
  }
  storage::EncodeKeyValue(column, row, false, key);
}

/// Writes the cells of rows [0, rows) of a fixed-width column of `Width` bytes, each at its row's
/// cursor in `buffer`, and advances the cursors.
template <size_t Width>
void WriteFixedCells(const Column& column, size_t rows, char* buffer, uint32_t* cursors) {
  const char* data = column.Data<char>();
  const uint8_t* nulls = column.Nulls();
  for (size_t row = 0; row < rows; ++row) {
    char* out = buffer + cursors[row];
    if (nulls[row] != 0) {
      out[0] = 0;
      cursors[row] += 1;
    } else {
      out[0] = 1;
      std::memcpy(out + 1, data + row * Width, Width);
      cursors[row] += 1 + Width;
    }
  }
}

/// Hashes a short byte string eight bytes at a time (group keys are mostly under 32 bytes).
uint64_t HashKey(std::string_view key) {
  constexpr uint64_t kMultiplier = 0x9E3779B97F4A7C15ULL;
  uint64_t hash = (key.size() + 1) * kMultiplier;
  size_t offset = 0;
  for (; offset + 8 <= key.size(); offset += 8) {
    uint64_t word;
    std::memcpy(&word, key.data() + offset, 8);
    hash = (hash ^ word) * kMultiplier;
    hash ^= hash >> 29;
  }
  if (const size_t rest = key.size() - offset; rest > 0) {
    // The last 1 to 7 bytes as one word, from fixed-size loads only (no memcpy call).
    const char* tail = key.data() + offset;
    uint64_t word = 0;
    if (rest >= 4) {
      uint32_t first;
      uint32_t last;
      std::memcpy(&first, tail, 4);
      std::memcpy(&last, tail + rest - 4, 4);
      word = (static_cast<uint64_t>(first) << 32) | last;
    } else {
      word = (static_cast<uint64_t>(static_cast<uint8_t>(tail[0])) << 16) |
             (static_cast<uint64_t>(static_cast<uint8_t>(tail[rest / 2])) << 8) |
             static_cast<uint8_t>(tail[rest - 1]);
    }
    hash = (hash ^ word) * kMultiplier;
  }
  // The splitmix64 finalizer, so the low bits that pick the bucket depend on every input bit.
  hash ^= hash >> 30;
  hash *= 0xBF58476D1CE4E5B9ULL;
  hash ^= hash >> 27;
  hash *= 0x94D049BB133111EBULL;
  return hash ^ (hash >> 31);
}

/// True when `a` and `b` hold the same bytes; short keys compare without a library call.
inline bool SameBytes(std::string_view a, std::string_view b) {
  const size_t size = a.size();
  if (size != b.size()) {
    return false;
  }
  if (size > 32) {
    return std::memcmp(a.data(), b.data(), size) == 0;
  }
  // Two overlapping loads, from the front and from the back, cover every byte.
  const auto same_ends = [&](auto word) {
    decltype(word) a_first, a_last, b_first, b_last;
    constexpr size_t kWidth = sizeof(word);
    std::memcpy(&a_first, a.data(), kWidth);
    std::memcpy(&b_first, b.data(), kWidth);
    std::memcpy(&a_last, a.data() + size - kWidth, kWidth);
    std::memcpy(&b_last, b.data() + size - kWidth, kWidth);
    return a_first == b_first && a_last == b_last;
  };
  if (size > 16) {
    // Two group columns of 8 bytes (18 bytes of cells): the first and the last 16 bytes.
    uint64_t a_words[4];
    uint64_t b_words[4];
    std::memcpy(a_words, a.data(), 16);
    std::memcpy(a_words + 2, a.data() + size - 16, 16);
    std::memcpy(b_words, b.data(), 16);
    std::memcpy(b_words + 2, b.data() + size - 16, 16);
    return ((a_words[0] ^ b_words[0]) | (a_words[1] ^ b_words[1]) | (a_words[2] ^ b_words[2]) |
            (a_words[3] ^ b_words[3])) == 0;
  }
  if (size >= 8) {
    return same_ends(uint64_t{0});
  }
  if (size >= 4) {
    return same_ends(uint32_t{0});
  }
  for (size_t i = 0; i < size; ++i) {
    if (a[i] != b[i]) {
      return false;
    }
  }
  return true;
}

/// An open-addressing hash table from group keys to slots: linear probing over (hash, slot)
/// pairs, at most half full. The keys live with the groups; a probe compares bytes only when the
/// full 64-bit hashes match, so a lookup is usually one cache line and one key comparison.
class GroupTable {
 public:
  static constexpr uint32_t kEmpty = std::numeric_limits<uint32_t>::max();

  /// Returns the slot whose key (`key_of(slot)`) equals `key`, or kEmpty.
  template <typename KeyOf>
  uint32_t Find(std::string_view key, uint64_t hash, const KeyOf& key_of) const {
    if (entries_.empty()) {
      return kEmpty;
    }
    for (size_t i = hash & mask_;; i = (i + 1) & mask_) {
      const Entry& entry = entries_[i];
      if (entry.slot == kEmpty) {
        return kEmpty;
      }
      if (entry.hash == hash && SameBytes(key_of(entry.slot), key)) {
        return entry.slot;
      }
    }
  }
  /// Starts loading the bucket of `hash` into the cache, ahead of a Find.
  void Prefetch(uint64_t hash) const {
    if (!entries_.empty()) {
      __builtin_prefetch(&entries_[hash & mask_]);
    }
  }
  /// Adds `slot` under `hash`; the caller checked that its key is absent.
  void Insert(uint64_t hash, uint32_t slot) {
    if (2 * (size_ + 1) > entries_.size()) {
      Grow();
    }
    Place(Entry{hash, slot});
    ++size_;
  }
  /// Removes `slot`, stored under `hash`.
  void Erase(uint64_t hash, uint32_t slot) {
    size_t hole = hash & mask_;
    while (entries_[hole].slot != slot) {
      hole = (hole + 1) & mask_;
    }
    // Backward-shift deletion: move later entries of the probe run into the hole when their home
    // bucket does not lie cyclically in (hole, next].
    for (size_t next = (hole + 1) & mask_; entries_[next].slot != kEmpty;
         next = (next + 1) & mask_) {
      const size_t home = entries_[next].hash & mask_;
      const bool stays =
          hole <= next ? (hole < home && home <= next) : (hole < home || home <= next);
      if (!stays) {
        entries_[hole] = entries_[next];
        hole = next;
      }
    }
    entries_[hole].slot = kEmpty;
    --size_;
  }

 private:
  struct Entry {
    uint64_t hash = 0;
    uint32_t slot = kEmpty;
  };

  void Place(Entry entry) {
    size_t i = entry.hash & mask_;
    while (entries_[i].slot != kEmpty) {
      i = (i + 1) & mask_;
    }
    entries_[i] = entry;
  }
  void Grow() {
    std::vector<Entry> old = std::move(entries_);
    entries_.assign(std::max<size_t>(64, old.size() * 2), Entry{});
    mask_ = entries_.size() - 1;
    for (const Entry& entry : old) {
      if (entry.slot != kEmpty) {
        Place(entry);
      }
    }
  }

  std::vector<Entry> entries_;
  size_t mask_ = 0;
  size_t size_ = 0;
};

// --- Accumulators ------------------------------------------------------------------------------

/// The state of one aggregate call for every group, kept in slots indexed by the group's number.
/// Update takes a whole chunk with each row's group and sign (+1 adds, -1 retracts, 0 skips): one
/// virtual call per chunk and aggregate.
class StreamAccumulator {
 public:
  StreamAccumulator() = default;
  virtual ~StreamAccumulator() = default;
  StreamAccumulator(const StreamAccumulator&) = delete;
  StreamAccumulator& operator=(const StreamAccumulator&) = delete;

  /// Makes room for slots [0, slots); new slots are empty.
  virtual void Resize(size_t slots) = 0;
  /// Adds or retracts the value of every row whose sign is not 0.
  virtual void Update(const Chunk& input, const uint32_t* groups, const int8_t* signs) = 0;
  /// Appends the current result of group `slot` to `out`.
  virtual void Finalize(uint32_t slot, Column& out) = 0;
  /// Empties slot `slot` for reuse by another group.
  virtual void Reset(uint32_t slot) = 0;
  virtual void Save(uint32_t slot, Serializer& out) const = 0;
  virtual void Load(uint32_t slot, Deserializer& in) = 0;
};

/// count(*) and count(x): the net number of rows (of non-NULL values).
class CountAccumulator final : public StreamAccumulator {
 public:
  explicit CountAccumulator(std::optional<uint32_t> argument) : argument_(argument) {}

  void Resize(size_t slots) override { counts_.resize(slots, 0); }
  void Update(const Chunk& input, const uint32_t* groups, const int8_t* signs) override {
    const size_t rows = input.NumRows();
    int64_t* counts = counts_.data();
    if (!argument_) {
      for (size_t row = 0; row < rows; ++row) {
        if (signs[row] != 0) {
          counts[groups[row]] += signs[row];
        }
      }
      return;
    }
    const uint8_t* nulls = input.GetColumn(*argument_).Nulls();
    for (size_t row = 0; row < rows; ++row) {
      if (signs[row] != 0 && nulls[row] == 0) {
        counts[groups[row]] += signs[row];
      }
    }
  }
  void Finalize(uint32_t slot, Column& out) override { out.Append<int64_t>(counts_[slot]); }
  void Reset(uint32_t slot) override { counts_[slot] = 0; }
  void Save(uint32_t slot, Serializer& out) const override { out.WriteI64(counts_[slot]); }
  void Load(uint32_t slot, Deserializer& in) override { counts_[slot] = in.ReadI64(); }

 private:
  std::optional<uint32_t> argument_;
  std::vector<int64_t> counts_;
};

/// What an integer sum produces.
enum class IntegerResult : uint8_t {
  /// sum(smallint | integer): bigint, 22003 when the sum leaves it.
  kBigint,
  /// sum(bigint): numeric.
  kNumeric,
  /// avg of any integer type: numeric, the sum divided at Postgres's division scale.
  kAverage,
};

/// sum and avg of integers: an exact 128-bit sum and the count of non-NULL values, so retraction
/// is exact and a transient overflow never fails; the bigint range is checked on the result.
template <typename In>
class IntegerSumAccumulator final : public StreamAccumulator {
 public:
  IntegerSumAccumulator(uint32_t argument, IntegerResult result)
      : argument_(argument), result_(result) {}

  void Resize(size_t slots) override { states_.resize(slots); }
  void Update(const Chunk& input, const uint32_t* groups, const int8_t* signs) override {
    const Column& values = input.GetColumn(argument_);
    const In* data = values.Data<In>();
    const uint8_t* nulls = values.Nulls();
    State* states = states_.data();
    for (size_t row = 0, rows = input.NumRows(); row < rows; ++row) {
      if (signs[row] == 0 || nulls[row] != 0) {
        continue;
      }
      State& state = states[groups[row]];
      state.sum += signs[row] * static_cast<__int128>(data[row]);
      state.count += signs[row];
    }
  }
  void Finalize(uint32_t slot, Column& out) override {
    const State& state = states_[slot];
    if (state.count <= 0) {
      out.AppendNull();
      return;
    }
    switch (result_) {
      case IntegerResult::kBigint:
        if (state.sum < std::numeric_limits<int64_t>::min() ||
            state.sum > std::numeric_limits<int64_t>::max()) {
          internal::ThrowBigintOutOfRange();
        }
        out.Append<int64_t>(static_cast<int64_t>(state.sum));
        return;
      case IntegerResult::kNumeric:
        out.Append<__int128>(numeric::FromInteger(state.sum));
        return;
      case IntegerResult::kAverage:
        out.Append<__int128>(
            numeric::Divide(numeric::FromInteger(state.sum), numeric::FromInteger(state.count)));
        return;
    }
  }
  void Reset(uint32_t slot) override { states_[slot] = State{}; }
  void Save(uint32_t slot, Serializer& out) const override {
    WriteFixed(out, states_[slot].sum);
    out.WriteI64(states_[slot].count);
  }
  void Load(uint32_t slot, Deserializer& in) override {
    states_[slot].sum = ReadFixed<__int128>(in);
    states_[slot].count = in.ReadI64();
  }

 private:
  struct State {
    __int128 sum = 0;
    int64_t count = 0;
  };
  uint32_t argument_;
  IntegerResult result_;
  std::vector<State> states_;
};

/// Counts of the non-finite values of a float or numeric group, kept apart from the finite sum so
/// that retracting them restores it (Inf - Inf would be NaN forever).
struct SpecialCounts {
  int64_t nan = 0;
  int64_t positive_infinity = 0;
  int64_t negative_infinity = 0;

  bool Any() const { return nan > 0 || positive_infinity > 0 || negative_infinity > 0; }
  /// NaN when a NaN or both infinities are present, as Postgres's sums give.
  bool IsNaN() const { return nan > 0 || (positive_infinity > 0 && negative_infinity > 0); }
  void Save(Serializer& out) const {
    out.WriteI64(nan);
    out.WriteI64(positive_infinity);
    out.WriteI64(negative_infinity);
  }
  void Load(Deserializer& in) {
    nan = in.ReadI64();
    positive_infinity = in.ReadI64();
    negative_infinity = in.ReadI64();
  }
};

/// sum(real), sum(double precision), and avg of both over a retractable input: the sum of the
/// finite values plus the count of each non-finite value. The sum restarts from the first value
/// whenever the group has none (so a lone -0 sums to -0 and rounding drift from retractions is
/// dropped), and adds in input order as float4pl / float8pl do, so an append-only input gives
/// Postgres's bits. After retractions the last bits may differ from a recomputation.
template <typename In, typename Sum>
class FloatSumAccumulator final : public StreamAccumulator {
 public:
  FloatSumAccumulator(uint32_t argument, bool average) : argument_(argument), average_(average) {}

  void Resize(size_t slots) override { states_.resize(slots); }
  void Update(const Chunk& input, const uint32_t* groups, const int8_t* signs) override {
    const Column& values = input.GetColumn(argument_);
    const In* data = values.Data<In>();
    const uint8_t* nulls = values.Nulls();
    for (size_t row = 0, rows = input.NumRows(); row < rows; ++row) {
      if (signs[row] == 0 || nulls[row] != 0) {
        continue;
      }
      State& state = states_[groups[row]];
      const Sum value = static_cast<Sum>(data[row]);
      if (std::isfinite(value)) {
        AddFinite(state, value, signs[row]);
      } else {
        int64_t& count = std::isnan(value) ? state.specials.nan
                         : value > 0       ? state.specials.positive_infinity
                                           : state.specials.negative_infinity;
        count += signs[row];
      }
    }
  }
  void Finalize(uint32_t slot, Column& out) override {
    const State& state = states_[slot];
    const int64_t total = state.finite + state.specials.nan + state.specials.positive_infinity +
                          state.specials.negative_infinity;
    if (total <= 0) {
      out.AppendNull();
      return;
    }
    Sum result = state.sum;
    if (state.specials.IsNaN()) {
      result = std::numeric_limits<Sum>::quiet_NaN();
    } else if (state.specials.positive_infinity > 0) {
      result = std::numeric_limits<Sum>::infinity();
    } else if (state.specials.negative_infinity > 0) {
      result = -std::numeric_limits<Sum>::infinity();
    }
    if (average_) {
      out.Append<double>(static_cast<double>(result) / static_cast<double>(total));
    } else {
      out.Append<Sum>(result);
    }
  }
  void Reset(uint32_t slot) override { states_[slot] = State{}; }
  void Save(uint32_t slot, Serializer& out) const override {
    const State& state = states_[slot];
    WriteFixed(out, state.sum);
    out.WriteI64(state.finite);
    state.specials.Save(out);
  }
  void Load(uint32_t slot, Deserializer& in) override {
    State& state = states_[slot];
    state.sum = ReadFixed<Sum>(in);
    state.finite = in.ReadI64();
    state.specials.Load(in);
  }

 private:
  struct State {
    Sum sum = 0;
    int64_t finite = 0;
    SpecialCounts specials;
  };

  static void AddFinite(State& state, Sum value, int8_t sign) {
    if (sign > 0 && state.finite <= 0) {
      state.sum = value;
      state.finite = 1;
      return;
    }
    state.finite += sign;
    if (state.finite <= 0) {
      state.sum = 0;
      return;
    }
    const Sum result = sign > 0 ? state.sum + value : state.sum - value;
    // Postgres fails when finite operands give an infinite sum; its running sum is finite only
    // while no non-finite value came first.
    if (std::isinf(result) && !state.specials.Any()) {
      internal::ThrowFloatOverflow();
    }
    state.sum = result;
  }

  uint32_t argument_;
  bool average_;
  std::vector<State> states_;
};

/// The display scales of a group's NUMERIC values with their counts, so a sum shows the largest
/// scale among the values present, as a recomputation would, even after the value that had it is
/// retracted. Usually one entry: a NUMERIC(p,s) column has one scale.
class ScaleCounts {
 public:
  void Add(int32_t scale, int64_t delta) {
    for (auto& [entry_scale, count] : counts_) {
      if (entry_scale == scale) {
        count += delta;
        return;
      }
    }
    if (delta > 0) {
      counts_.emplace_back(scale, delta);
    }
  }
  int32_t Max() const {
    int32_t max = 0;
    for (const auto& [scale, count] : counts_) {
      if (count > 0) {
        max = std::max(max, scale);
      }
    }
    return max;
  }
  void Clear() { counts_.clear(); }
  void Save(Serializer& out) const {
    out.WriteU32(static_cast<uint32_t>(counts_.size()));
    for (const auto& [scale, count] : counts_) {
      out.WriteI32(scale);
      out.WriteI64(count);
    }
  }
  void Load(Deserializer& in) {
    counts_.clear();
    for (uint32_t i = 0, size = in.ReadU32(); i < size; ++i) {
      const int32_t scale = in.ReadI32();
      counts_.emplace_back(scale, in.ReadI64());
    }
  }

 private:
  std::vector<std::pair<int32_t, int64_t>> counts_;
};

/// Adds (sign > 0) or retracts a packed numeric to/from `sum`, exactly.
__int128 AddSigned(__int128 sum, __int128 value, int8_t sign) {
  return sign > 0 ? numeric::Add(sum, value) : numeric::Subtract(sum, value);
}

/// The special NUMERIC `specials` stand for, or nullopt when the result is finite.
std::optional<__int128> SpecialNumeric(const SpecialCounts& specials) {
  if (specials.IsNaN()) {
    return numeric::kNaN;
  }
  if (specials.positive_infinity > 0) {
    return numeric::kPositiveInfinity;
  }
  if (specials.negative_infinity > 0) {
    return numeric::kNegativeInfinity;
  }
  return std::nullopt;
}

/// Counts a special NUMERIC in `specials`.
void CountSpecial(SpecialCounts& specials, __int128 value, int8_t sign) {
  if (numeric::IsNaN(value)) {
    specials.nan += sign;
  } else if (value == numeric::kPositiveInfinity) {
    specials.positive_infinity += sign;
  } else {
    specials.negative_infinity += sign;
  }
}

/// sum(numeric) and avg(numeric) as Postgres's numeric accumulation: the exact sum of the finite
/// values shown at the largest scale present, NaN / Infinity counted apart.
class NumericSumAccumulator final : public StreamAccumulator {
 public:
  NumericSumAccumulator(uint32_t argument, bool average) : argument_(argument), average_(average) {}

  void Resize(size_t slots) override { states_.resize(slots); }
  void Update(const Chunk& input, const uint32_t* groups, const int8_t* signs) override {
    const Column& values = input.GetColumn(argument_);
    const __int128* data = values.Data<__int128>();
    for (size_t row = 0, rows = input.NumRows(); row < rows; ++row) {
      if (signs[row] == 0 || values.IsNull(row)) {
        continue;
      }
      State& state = states_[groups[row]];
      const __int128 value = data[row];
      if (numeric::IsSpecial(value)) {
        CountSpecial(state.specials, value, signs[row]);
        continue;
      }
      state.finite += signs[row];
      state.scales.Add(numeric::Scale(value), signs[row]);
      if (state.finite <= 0) {
        state.sum = numeric::FromInteger(0);
      } else {
        state.sum = AddSigned(state.sum, value, signs[row]);
      }
    }
  }
  void Finalize(uint32_t slot, Column& out) override {
    const State& state = states_[slot];
    if (state.finite <= 0 && !state.specials.Any()) {
      out.AppendNull();
      return;
    }
    if (const std::optional<__int128> special = SpecialNumeric(state.specials)) {
      out.Append<__int128>(*special);
      return;
    }
    const __int128 sum = numeric::Round(state.sum, state.scales.Max());
    out.Append<__int128>(average_ ? numeric::Divide(sum, numeric::FromInteger(state.finite)) : sum);
  }
  void Reset(uint32_t slot) override { states_[slot] = State{}; }
  void Save(uint32_t slot, Serializer& out) const override {
    const State& state = states_[slot];
    WriteFixed(out, state.sum);
    out.WriteI64(state.finite);
    state.specials.Save(out);
    state.scales.Save(out);
  }
  void Load(uint32_t slot, Deserializer& in) override {
    State& state = states_[slot];
    state.sum = ReadFixed<__int128>(in);
    state.finite = in.ReadI64();
    state.specials.Load(in);
    state.scales.Load(in);
  }

 private:
  struct State {
    __int128 sum = numeric::FromInteger(0);
    int64_t finite = 0;
    SpecialCounts specials;
    ScaleCounts scales;
  };
  uint32_t argument_;
  bool average_;
  std::vector<State> states_;
};

/// var_* and stddev_* of integers and numerics: the count and the exact sums of x and x*x, which
/// retract exactly, finalized as the batch aggregate (Postgres's numeric_stddev_internal) does.
class NumericMomentsAccumulator final : public StreamAccumulator {
 public:
  NumericMomentsAccumulator(uint32_t argument, AggregateKind kind)
      : argument_(argument), kind_(kind) {}

  void Resize(size_t slots) override { states_.resize(slots); }
  void Update(const Chunk& input, const uint32_t* groups, const int8_t* signs) override {
    const Column& values = input.GetColumn(argument_);
    for (size_t row = 0, rows = input.NumRows(); row < rows; ++row) {
      if (signs[row] == 0 || values.IsNull(row)) {
        continue;
      }
      State& state = states_[groups[row]];
      const __int128 value = internal::NumericAt(values, row);
      if (numeric::IsSpecial(value)) {
        CountSpecial(state.specials, value, signs[row]);
        continue;
      }
      state.count += signs[row];
      state.scales.Add(numeric::Scale(value), signs[row]);
      if (state.count <= 0) {
        state.sum_x = numeric::FromInteger(0);
        state.sum_xx = numeric::FromInteger(0);
      } else {
        state.sum_x = AddSigned(state.sum_x, value, signs[row]);
        state.sum_xx = AddSigned(state.sum_xx, numeric::Multiply(value, value), signs[row]);
      }
    }
  }
  void Finalize(uint32_t slot, Column& out) override {
    const State& state = states_[slot];
    if (state.count <= 0 && !state.specials.Any()) {
      out.AppendNull();
      return;
    }
    if (state.specials.Any()) {
      // Postgres: a NaN or infinite input makes every variance NaN.
      out.Append<__int128>(numeric::kNaN);
      return;
    }
    // Sums keep the largest scale ever added; show the largest present, as a recomputation would.
    const int32_t scale = state.scales.Max();
    const std::optional<__int128> result =
        internal::NumericVariance(kind_, state.count, numeric::Round(state.sum_x, scale),
                                  numeric::Round(state.sum_xx, 2 * scale));
    if (result) {
      out.Append<__int128>(*result);
    } else {
      out.AppendNull();
    }
  }
  void Reset(uint32_t slot) override { states_[slot] = State{}; }
  void Save(uint32_t slot, Serializer& out) const override {
    const State& state = states_[slot];
    WriteFixed(out, state.sum_x);
    WriteFixed(out, state.sum_xx);
    out.WriteI64(state.count);
    state.specials.Save(out);
    state.scales.Save(out);
  }
  void Load(uint32_t slot, Deserializer& in) override {
    State& state = states_[slot];
    state.sum_x = ReadFixed<__int128>(in);
    state.sum_xx = ReadFixed<__int128>(in);
    state.count = in.ReadI64();
    state.specials.Load(in);
    state.scales.Load(in);
  }

 private:
  struct State {
    __int128 sum_x = numeric::FromInteger(0);
    __int128 sum_xx = numeric::FromInteger(0);
    int64_t count = 0;
    SpecialCounts specials;
    ScaleCounts scales;
  };
  uint32_t argument_;
  AggregateKind kind_;
  std::vector<State> states_;
};

/// Reads row `row` of a REAL or DOUBLE PRECISION column as a double.
double FloatAt(const Column& values, size_t row) {
  return values.Type().Physical() == PhysicalType::kFloat32 ? values.Data<float>()[row]
                                                            : values.Data<double>()[row];
}

/// Appends a FloatMoments result (or NULL) to `out`.
void AppendMoments(const FloatMoments& moments, AggregateKind kind, Column& out) {
  const std::optional<double> result = moments.Result(kind);
  if (result) {
    out.Append<double>(*result);
  } else {
    out.AppendNull();
  }
}

/// avg, var_* and stddev_* of floats over an append-only input: Postgres's float8_accum state,
/// updated in arrival order, so results equal Postgres's (and the batch aggregate's) bit for bit.
class AppendOnlyFloatMomentsAccumulator final : public StreamAccumulator {
 public:
  AppendOnlyFloatMomentsAccumulator(uint32_t argument, AggregateKind kind)
      : argument_(argument), kind_(kind) {}

  void Resize(size_t slots) override { moments_.resize(slots); }
  void Update(const Chunk& input, const uint32_t* groups, const int8_t* signs) override {
    const Column& values = input.GetColumn(argument_);
    for (size_t row = 0, rows = input.NumRows(); row < rows; ++row) {
      if (signs[row] > 0 && !values.IsNull(row)) {
        moments_[groups[row]].Add(FloatAt(values, row));
      }
    }
  }
  void Finalize(uint32_t slot, Column& out) override { AppendMoments(moments_[slot], kind_, out); }
  void Reset(uint32_t slot) override { moments_[slot] = FloatMoments{}; }
  void Save(uint32_t slot, Serializer& out) const override {
    WriteFixed(out, moments_[slot].n);
    WriteFixed(out, moments_[slot].sx);
    WriteFixed(out, moments_[slot].sxx);
  }
  void Load(uint32_t slot, Deserializer& in) override {
    moments_[slot].n = ReadFixed<double>(in);
    moments_[slot].sx = ReadFixed<double>(in);
    moments_[slot].sxx = ReadFixed<double>(in);
  }

 private:
  uint32_t argument_;
  AggregateKind kind_;
  std::vector<FloatMoments> moments_;
};

/// A multiset of fixed-width values in Postgres order, its nodes from an operator-wide pool so
/// that a steady stream of inserts and retractions reuses memory instead of allocating.
template <typename T>
using Multiset = std::pmr::map<T, int64_t, PostgresOrder<T>>;

/// Grows `sets` to `slots` empty multisets drawing on `pool`.
template <typename T>
void ResizeMultisets(std::vector<Multiset<T>>& sets,
                     size_t slots,
                     std::pmr::memory_resource* pool) {
  static_assert(std::is_nothrow_move_constructible_v<Multiset<T>>,
                "growing the vector must move, not copy, the multisets (copies lose the pool)");
  sets.reserve(slots);
  while (sets.size() < slots) {
    sets.emplace_back(pool);
  }
}

/// Adds `count` copies of `value` to (negative: removes them from) `set`; a retraction of a value
/// that is not there is ignored.
template <typename T>
void ChangeMultiset(Multiset<T>& set, const T& value, int64_t count) {
  if (count > 0) {
    set[value] += count;
    return;
  }
  auto it = set.find(value);
  if (it != set.end() && (it->second += count) <= 0) {
    set.erase(it);
  }
}

template <typename T>
void SaveMultiset(const Multiset<T>& set, Serializer& out) {
  out.WriteU64(set.size());
  for (const auto& [value, count] : set) {
    WriteFixed(out, value);
    out.WriteI64(count);
  }
}

template <typename T>
void LoadMultiset(Multiset<T>& set, Deserializer& in) {
  set.clear();
  for (uint64_t i = 0, size = in.ReadU64(); i < size; ++i) {
    const T value = ReadFixed<T>(in);
    set.emplace_hint(set.end(), value, in.ReadI64());
  }
}

/// var_* and stddev_* of floats over a retractable input: the multiset of the values, replayed
/// through float8_accum in ascending order at each result. Exact under any retraction, equal to
/// Postgres's over the same values sorted; Postgres's own order (the heap's) can change the last
/// digit when intermediate roundings depend on it. Costs O(distinct values) per emitted result.
class RetractableFloatMomentsAccumulator final : public StreamAccumulator {
 public:
  RetractableFloatMomentsAccumulator(uint32_t argument, AggregateKind kind)
      : argument_(argument), kind_(kind) {}

  void Resize(size_t slots) override { ResizeMultisets(values_, slots, &pool_); }
  void Update(const Chunk& input, const uint32_t* groups, const int8_t* signs) override {
    const Column& values = input.GetColumn(argument_);
    for (size_t row = 0, rows = input.NumRows(); row < rows; ++row) {
      if (signs[row] != 0 && !values.IsNull(row)) {
        ChangeMultiset(values_[groups[row]], FloatAt(values, row), signs[row]);
      }
    }
  }
  void Finalize(uint32_t slot, Column& out) override {
    FloatMoments moments;
    for (const auto& [value, count] : values_[slot]) {
      for (int64_t i = 0; i < count; ++i) {
        moments.Add(value);
      }
    }
    AppendMoments(moments, kind_, out);
  }
  void Reset(uint32_t slot) override { values_[slot].clear(); }
  void Save(uint32_t slot, Serializer& out) const override { SaveMultiset(values_[slot], out); }
  void Load(uint32_t slot, Deserializer& in) override { LoadMultiset(values_[slot], in); }

 private:
  uint32_t argument_;
  AggregateKind kind_;
  std::pmr::unsynchronized_pool_resource pool_;
  std::vector<Multiset<double>> values_;
};

/// min / max of a fixed-width type over an append-only input: the best value so far.
template <typename T>
class AppendOnlyMinMaxAccumulator final : public StreamAccumulator {
 public:
  AppendOnlyMinMaxAccumulator(uint32_t argument, bool is_max)
      : argument_(argument), is_max_(is_max) {}

  void Resize(size_t slots) override { states_.resize(slots); }
  void Update(const Chunk& input, const uint32_t* groups, const int8_t* signs) override {
    const Column& values = input.GetColumn(argument_);
    const T* data = values.Data<T>();
    const uint8_t* nulls = values.Nulls();
    State* states = states_.data();
    for (size_t row = 0, rows = input.NumRows(); row < rows; ++row) {
      if (signs[row] <= 0 || nulls[row] != 0) {
        continue;
      }
      State& state = states[groups[row]];
      const T& value = data[row];
      if (!state.seen ||
          (is_max_ ? PostgresLess(state.best, value) : PostgresLess(value, state.best))) {
        state.best = value;
        state.seen = true;
      }
    }
  }
  void Finalize(uint32_t slot, Column& out) override {
    if (states_[slot].seen) {
      out.Append<T>(states_[slot].best);
    } else {
      out.AppendNull();
    }
  }
  void Reset(uint32_t slot) override { states_[slot] = State{}; }
  void Save(uint32_t slot, Serializer& out) const override {
    out.WriteBool(states_[slot].seen);
    WriteFixed(out, states_[slot].best);
  }
  void Load(uint32_t slot, Deserializer& in) override {
    states_[slot].seen = in.ReadBool();
    states_[slot].best = ReadFixed<T>(in);
  }

 private:
  struct State {
    T best{};
    bool seen = false;
  };
  uint32_t argument_;
  bool is_max_;
  std::vector<State> states_;
};

/// min / max of a fixed-width type over a retractable input: the multiset of the values, whose
/// first (min) or last (max) entry is the result, so retracting the current best finds the next.
template <typename T>
class RetractableMinMaxAccumulator final : public StreamAccumulator {
 public:
  RetractableMinMaxAccumulator(uint32_t argument, bool is_max)
      : argument_(argument), is_max_(is_max) {}

  void Resize(size_t slots) override { ResizeMultisets(values_, slots, &pool_); }
  void Update(const Chunk& input, const uint32_t* groups, const int8_t* signs) override {
    const Column& values = input.GetColumn(argument_);
    const T* data = values.Data<T>();
    const uint8_t* nulls = values.Nulls();
    for (size_t row = 0, rows = input.NumRows(); row < rows; ++row) {
      if (signs[row] != 0 && nulls[row] == 0) {
        ChangeMultiset(values_[groups[row]], data[row], signs[row]);
      }
    }
  }
  void Finalize(uint32_t slot, Column& out) override {
    const Multiset<T>& values = values_[slot];
    if (values.empty()) {
      out.AppendNull();
    } else {
      out.Append<T>(is_max_ ? values.rbegin()->first : values.begin()->first);
    }
  }
  void Reset(uint32_t slot) override { values_[slot].clear(); }
  void Save(uint32_t slot, Serializer& out) const override { SaveMultiset(values_[slot], out); }
  void Load(uint32_t slot, Deserializer& in) override { LoadMultiset(values_[slot], in); }

 private:
  uint32_t argument_;
  bool is_max_;
  std::pmr::unsynchronized_pool_resource pool_;
  std::vector<Multiset<T>> values_;
};

/// min / max of strings (byte order, the C collation) over an append-only input.
class AppendOnlyStringMinMaxAccumulator final : public StreamAccumulator {
 public:
  AppendOnlyStringMinMaxAccumulator(uint32_t argument, bool is_max)
      : argument_(argument), is_max_(is_max) {}

  void Resize(size_t slots) override {
    best_.resize(slots);
    seen_.resize(slots, 0);
  }
  void Update(const Chunk& input, const uint32_t* groups, const int8_t* signs) override {
    const Column& values = input.GetColumn(argument_);
    for (size_t row = 0, rows = input.NumRows(); row < rows; ++row) {
      if (signs[row] <= 0 || values.IsNull(row)) {
        continue;
      }
      const uint32_t slot = groups[row];
      const std::string_view value = values.GetString(row);
      if (!seen_[slot] || (is_max_ ? best_[slot] < value : value < best_[slot])) {
        best_[slot].assign(value);
        seen_[slot] = 1;
      }
    }
  }
  void Finalize(uint32_t slot, Column& out) override {
    if (seen_[slot]) {
      out.AppendString(best_[slot]);
    } else {
      out.AppendNull();
    }
  }
  void Reset(uint32_t slot) override {
    best_[slot].clear();
    seen_[slot] = 0;
  }
  void Save(uint32_t slot, Serializer& out) const override {
    out.WriteBool(seen_[slot] != 0);
    out.WriteString(best_[slot]);
  }
  void Load(uint32_t slot, Deserializer& in) override {
    seen_[slot] = in.ReadBool() ? 1 : 0;
    best_[slot] = in.ReadString();
  }

 private:
  uint32_t argument_;
  bool is_max_;
  std::vector<std::string> best_;
  std::vector<uint8_t> seen_;
};

/// Byte strings with their counts, looked up by string_view without building a string.
using StringMultiset = std::map<std::string, int64_t, std::less<>>;

/// Adds (count > 0) or removes copies of `value` in `set`; returns the new count of `value`.
int64_t ChangeStringMultiset(StringMultiset& set, std::string_view value, int64_t count) {
  auto it = set.find(value);
  if (it == set.end()) {
    if (count <= 0) {
      return 0;
    }
    set.emplace(std::string(value), count);
    return count;
  }
  const int64_t result = it->second += count;
  if (result <= 0) {
    set.erase(it);
  }
  return result;
}

void SaveStringMultiset(const StringMultiset& set, Serializer& out) {
  out.WriteU64(set.size());
  for (const auto& [value, count] : set) {
    out.WriteString(value);
    out.WriteI64(count);
  }
}

void LoadStringMultiset(StringMultiset& set, Deserializer& in) {
  set.clear();
  for (uint64_t i = 0, size = in.ReadU64(); i < size; ++i) {
    std::string value = in.ReadString();
    set.emplace_hint(set.end(), std::move(value), in.ReadI64());
  }
}

/// min / max of strings over a retractable input: the multiset of the values.
class RetractableStringMinMaxAccumulator final : public StreamAccumulator {
 public:
  RetractableStringMinMaxAccumulator(uint32_t argument, bool is_max)
      : argument_(argument), is_max_(is_max) {}

  void Resize(size_t slots) override { values_.resize(slots); }
  void Update(const Chunk& input, const uint32_t* groups, const int8_t* signs) override {
    const Column& values = input.GetColumn(argument_);
    for (size_t row = 0, rows = input.NumRows(); row < rows; ++row) {
      if (signs[row] != 0 && !values.IsNull(row)) {
        ChangeStringMultiset(values_[groups[row]], values.GetString(row), signs[row]);
      }
    }
  }
  void Finalize(uint32_t slot, Column& out) override {
    const StringMultiset& values = values_[slot];
    if (values.empty()) {
      out.AppendNull();
    } else {
      out.AppendString(is_max_ ? values.rbegin()->first : values.begin()->first);
    }
  }
  void Reset(uint32_t slot) override { values_[slot].clear(); }
  void Save(uint32_t slot, Serializer& out) const override {
    SaveStringMultiset(values_[slot], out);
  }
  void Load(uint32_t slot, Deserializer& in) override { LoadStringMultiset(values_[slot], in); }

 private:
  uint32_t argument_;
  bool is_max_;
  std::vector<StringMultiset> values_;
};

/// bool_and / every and bool_or: the counts of true and false values.
class BooleanAccumulator final : public StreamAccumulator {
 public:
  BooleanAccumulator(uint32_t argument, bool is_and) : argument_(argument), is_and_(is_and) {}

  void Resize(size_t slots) override { states_.resize(slots); }
  void Update(const Chunk& input, const uint32_t* groups, const int8_t* signs) override {
    const Column& values = input.GetColumn(argument_);
    const uint8_t* data = values.Data<uint8_t>();
    for (size_t row = 0, rows = input.NumRows(); row < rows; ++row) {
      if (signs[row] == 0 || values.IsNull(row)) {
        continue;
      }
      State& state = states_[groups[row]];
      (data[row] != 0 ? state.trues : state.falses) += signs[row];
    }
  }
  void Finalize(uint32_t slot, Column& out) override {
    const State& state = states_[slot];
    if (state.trues <= 0 && state.falses <= 0) {
      out.AppendNull();
    } else {
      out.Append<uint8_t>(is_and_ ? state.falses <= 0 : state.trues > 0);
    }
  }
  void Reset(uint32_t slot) override { states_[slot] = State{}; }
  void Save(uint32_t slot, Serializer& out) const override {
    out.WriteI64(states_[slot].trues);
    out.WriteI64(states_[slot].falses);
  }
  void Load(uint32_t slot, Deserializer& in) override {
    states_[slot].trues = in.ReadI64();
    states_[slot].falses = in.ReadI64();
  }

 private:
  struct State {
    int64_t trues = 0;
    int64_t falses = 0;
  };
  uint32_t argument_;
  bool is_and_;
  std::vector<State> states_;
};

/// string_agg(value, delimiter [ORDER BY ...]): the multiset of (sort key, value, delimiter)
/// entries, kept as one memcomparable string each, concatenated in that order; each value after
/// the first is preceded by its own row's delimiter, as in Postgres. Without ORDER BY the values
/// come in byte order, and ties of the ORDER BY keys are broken by value: Postgres leaves both
/// orders unspecified.
class StringAggAccumulator final : public StreamAccumulator {
 public:
  StringAggAccumulator(const plan::AggregateCall& call, DataType value_type)
      : call_(call), value_type_(value_type) {}

  void Resize(size_t slots) override { entries_.resize(slots); }
  void Update(const Chunk& input, const uint32_t* groups, const int8_t* signs) override {
    const Column& values = input.GetColumn(call_.arguments[0]);
    const Column& delimiters = input.GetColumn(call_.arguments[1]);
    for (size_t row = 0, rows = input.NumRows(); row < rows; ++row) {
      if (signs[row] == 0 || values.IsNull(row)) {
        continue;
      }
      entry_.clear();
      for (const plan::SortKey& key : call_.order_by) {
        storage::EncodeKeyValue(input.GetColumn(key.column_index), row, key.descending, entry_);
      }
      const auto sort_key_size = static_cast<uint32_t>(entry_.size());
      storage::EncodeKeyValue(values, row, false, entry_);
      storage::EncodeKeyValue(delimiters, row, false, entry_);
      Entries& entries = entries_[groups[row]];
      auto it = entries.find(std::string_view(entry_));
      if (it == entries.end()) {
        if (signs[row] > 0) {
          entries.emplace(entry_, Entry{1, sort_key_size});
        }
      } else if ((it->second.count += signs[row]) <= 0) {
        entries.erase(it);
      }
    }
  }
  void Finalize(uint32_t slot, Column& out) override {
    const Entries& entries = entries_[slot];
    if (entries.empty()) {
      out.AppendNull();
      return;
    }
    result_.clear();
    bool first = true;
    for (const auto& [key, entry] : entries) {
      std::string_view rest = std::string_view(key).substr(entry.sort_key_size);
      const Value value = storage::DecodeKeyValue(rest, value_type_, false).ValueOrThrow();
      const Value delimiter = storage::DecodeKeyValue(rest, value_type_, false).ValueOrThrow();
      for (int64_t i = 0; i < entry.count; ++i) {
        if (!first && !delimiter.IsNull()) {
          result_ += delimiter.GetString();
        }
        result_ += value.GetString();
        first = false;
      }
    }
    out.AppendString(result_);
  }
  void Reset(uint32_t slot) override { entries_[slot].clear(); }
  void Save(uint32_t slot, Serializer& out) const override {
    out.WriteU64(entries_[slot].size());
    for (const auto& [key, entry] : entries_[slot]) {
      out.WriteString(key);
      out.WriteU32(entry.sort_key_size);
      out.WriteI64(entry.count);
    }
  }
  void Load(uint32_t slot, Deserializer& in) override {
    Entries& entries = entries_[slot];
    entries.clear();
    for (uint64_t i = 0, size = in.ReadU64(); i < size; ++i) {
      std::string key = in.ReadString();
      const uint32_t sort_key_size = in.ReadU32();
      entries.emplace_hint(entries.end(), std::move(key), Entry{in.ReadI64(), sort_key_size});
    }
  }

 private:
  struct Entry {
    int64_t count = 0;
    /// Bytes of the ORDER BY keys at the front of the entry's string.
    uint32_t sort_key_size = 0;
  };
  using Entries = std::map<std::string, Entry, std::less<>>;

  const plan::AggregateCall& call_;
  DataType value_type_;
  std::vector<Entries> entries_;
  std::string entry_;
  std::string result_;
};

template <template <typename> class Accumulator>
std::unique_ptr<StreamAccumulator> MakeFixedMinMax(uint32_t argument,
                                                   PhysicalType physical,
                                                   bool is_max) {
  switch (physical) {
    case PhysicalType::kBool:
      return std::make_unique<Accumulator<uint8_t>>(argument, is_max);
    case PhysicalType::kInt16:
      return std::make_unique<Accumulator<int16_t>>(argument, is_max);
    case PhysicalType::kInt32:
      return std::make_unique<Accumulator<int32_t>>(argument, is_max);
    case PhysicalType::kInt64:
      return std::make_unique<Accumulator<int64_t>>(argument, is_max);
    case PhysicalType::kFloat32:
      return std::make_unique<Accumulator<float>>(argument, is_max);
    case PhysicalType::kFloat64:
      return std::make_unique<Accumulator<double>>(argument, is_max);
    case PhysicalType::kInt128:
      return std::make_unique<Accumulator<__int128>>(argument, is_max);
    case PhysicalType::kInterval:
      return std::make_unique<Accumulator<Interval>>(argument, is_max);
    case PhysicalType::kString:
      break;
  }
  return nullptr;
}

/// Builds the accumulator of `call`; `argument_types` are the types of its arguments.
std::unique_ptr<StreamAccumulator> MakeAccumulator(const plan::AggregateCall& call,
                                                   const std::vector<DataType>& argument_types,
                                                   bool append_only) {
  const AggregateKind kind = call.function->kind;
  const auto unsupported = [&] {
    return Error(SqlState::kFeatureNotSupported,
                 fmt::format("{}({}) is not supported yet", call.function->name,
                             argument_types.empty() ? "*" : argument_types[0].Name()));
  };
  if (kind == AggregateKind::kCountStar) {
    return std::make_unique<CountAccumulator>(std::nullopt);
  }
  const uint32_t argument = call.arguments[0];
  const TypeId type = argument_types[0].id;
  const bool is_float = type == TypeId::kReal || type == TypeId::kDouble;
  switch (kind) {
    case AggregateKind::kCountStar:
    case AggregateKind::kCount:
      return std::make_unique<CountAccumulator>(argument);
    case AggregateKind::kSum:
      switch (type) {
        case TypeId::kSmallint:
          return std::make_unique<IntegerSumAccumulator<int16_t>>(argument, IntegerResult::kBigint);
        case TypeId::kInteger:
          return std::make_unique<IntegerSumAccumulator<int32_t>>(argument, IntegerResult::kBigint);
        case TypeId::kBigint:
          return std::make_unique<IntegerSumAccumulator<int64_t>>(argument,
                                                                  IntegerResult::kNumeric);
        case TypeId::kReal:
          return std::make_unique<FloatSumAccumulator<float, float>>(argument, false);
        case TypeId::kDouble:
          return std::make_unique<FloatSumAccumulator<double, double>>(argument, false);
        case TypeId::kNumeric:
          return std::make_unique<NumericSumAccumulator>(argument, false);
        default:
          throw unsupported();
      }
    case AggregateKind::kAvg:
      switch (type) {
        case TypeId::kSmallint:
          return std::make_unique<IntegerSumAccumulator<int16_t>>(argument,
                                                                  IntegerResult::kAverage);
        case TypeId::kInteger:
          return std::make_unique<IntegerSumAccumulator<int32_t>>(argument,
                                                                  IntegerResult::kAverage);
        case TypeId::kBigint:
          return std::make_unique<IntegerSumAccumulator<int64_t>>(argument,
                                                                  IntegerResult::kAverage);
        case TypeId::kNumeric:
          return std::make_unique<NumericSumAccumulator>(argument, true);
        case TypeId::kReal:
        case TypeId::kDouble:
          if (append_only) {
            return std::make_unique<AppendOnlyFloatMomentsAccumulator>(argument, kind);
          }
          if (type == TypeId::kReal) {
            return std::make_unique<FloatSumAccumulator<float, double>>(argument, true);
          }
          return std::make_unique<FloatSumAccumulator<double, double>>(argument, true);
        default:
          throw unsupported();
      }
    case AggregateKind::kVarSamp:
    case AggregateKind::kVarPop:
    case AggregateKind::kStddevSamp:
    case AggregateKind::kStddevPop:
      if (is_float) {
        if (append_only) {
          return std::make_unique<AppendOnlyFloatMomentsAccumulator>(argument, kind);
        }
        return std::make_unique<RetractableFloatMomentsAccumulator>(argument, kind);
      }
      if (argument_types[0].IsInteger() || type == TypeId::kNumeric) {
        return std::make_unique<NumericMomentsAccumulator>(argument, kind);
      }
      throw unsupported();
    case AggregateKind::kMin:
    case AggregateKind::kMax: {
      const bool is_max = kind == AggregateKind::kMax;
      const PhysicalType physical = argument_types[0].Physical();
      if (physical == PhysicalType::kString) {
        if (append_only) {
          return std::make_unique<AppendOnlyStringMinMaxAccumulator>(argument, is_max);
        }
        return std::make_unique<RetractableStringMinMaxAccumulator>(argument, is_max);
      }
      if (append_only) {
        return MakeFixedMinMax<AppendOnlyMinMaxAccumulator>(argument, physical, is_max);
      }
      return MakeFixedMinMax<RetractableMinMaxAccumulator>(argument, physical, is_max);
    }
    case AggregateKind::kBoolAnd:
    case AggregateKind::kBoolOr:
      return std::make_unique<BooleanAccumulator>(argument, kind == AggregateKind::kBoolAnd);
    case AggregateKind::kStringAgg:
      return std::make_unique<StringAggAccumulator>(call, argument_types[0]);
  }
  throw unsupported();
}

// --- The operator --------------------------------------------------------------------------------

/// Streaming hash aggregation (see the file comment). Groups live in slots: a hash map from the
/// encoded group key to the slot, per-slot bookkeeping here and per-slot aggregate state in the
/// accumulators. Single-threaded, as every operator.
class AggregateOperator final : public StreamOperator {
 public:
  AggregateOperator(const plan::StreamAggregateNode& node, const OperatorContext& context)
      : node_(node),
        state_prefix_(context.StatePrefix(node.operator_id)),
        global_(node.group_count == 0),
        emit_on_window_close_(node.emit_on_window_close && node.window_column.has_value()) {
    const std::vector<DataType> input_types =
        node.inputs.empty() ? std::vector<DataType>() : node.inputs[0]->OutputTypes();
    output_types_ = node.OutputTypes();
    if (output_types_.empty() && input_types.size() >= node.group_count) {
      output_types_.assign(input_types.begin(), input_types.begin() + node.group_count);
      for (const plan::AggregateCall& call : node.aggregates) {
        output_types_.push_back(call.result);
      }
    }
    if (output_types_.size() != node.group_count + node.aggregates.size()) {
      throw Error::Internal("aggregate outputs do not match its group columns and aggregates");
    }
    for (const plan::AggregateCall& call : node.aggregates) {
      std::vector<DataType> argument_types;
      for (size_t i = 0; i < call.arguments.size(); ++i) {
        argument_types.push_back(input_types.empty() ? DataType(call.function->arguments[i])
                                                     : input_types[call.arguments[i]]);
      }
      accumulators_.push_back(MakeAccumulator(call, argument_types, node.input_append_only));
      results_.emplace_back(call.result);
    }
    distinct_values_.resize(node.aggregates.size());
    output_ = Chunk(output_types_);
    if (node.window_column) {
      const PhysicalType physical = output_types_[*node.window_column].Physical();
      if (*node.window_column >= node.group_count ||
          (physical != PhysicalType::kInt64 && physical != PhysicalType::kInt32)) {
        throw Error::Internal("the window column of an aggregate must be a time group column");
      }
      const plan::WatermarkColumn* watermark = node.FindWatermark(*node.window_column);
      lateness_ = watermark != nullptr ? watermark->lateness_micros : 0;
    }
    for (uint32_t column = 0; column < node.group_count; ++column) {
      const PhysicalType physical = output_types_[column].Physical();
      if (physical == PhysicalType::kFloat32 || physical == PhysicalType::kFloat64 ||
          physical == PhysicalType::kInt128) {
        lookup_by_cells_ = false;
      }
    }
    Load(context);
    if (global_ && infos_.empty()) {
      // A fresh plain aggregate: its one row exists from the start and is emitted at the first
      // barrier, even over no input.
      const uint32_t slot = AddGroup({}, {}, std::nullopt);
      MarkChanged(slot);
    }
  }

  void OnChunk(size_t input, const Chunk& chunk) override {
    const size_t rows = chunk.NumRows();
    if (rows == 0) {
      return;
    }
    ComputeSigns(chunk);
    AssignGroups(chunk);
    const uint32_t* groups = row_groups_.data();
    const int8_t* signs = signs_.data();
    for (size_t row = 0; row < rows; ++row) {
      if (signs[row] != 0) {
        row_counts_[groups[row]] += signs[row];
        MarkChanged(groups[row]);
      }
    }
    for (size_t i = 0; i < accumulators_.size(); ++i) {
      accumulators_[i]->Update(chunk, groups, CallSigns(i, chunk));
    }
  }

  void OnWatermark(size_t input, uint32_t column, int64_t value) override {
    if (column >= node_.group_count) {
      // Only group columns reach the output (at the same index).
      return;
    }
    if (!node_.window_column || column != *node_.window_column) {
      EmitWatermark(column, value);
      return;
    }
    if (watermark_ && value <= *watermark_) {
      return;
    }
    const std::optional<int64_t> previous = watermark_;
    watermark_ = value;
    metadata_dirty_ = true;
    if (emit_on_window_close_) {
      // Groups whose window closed since the last watermark, in window order; closed groups
      // created later (late rows within the lateness) are emitted as corrections at the barrier.
      auto it = previous ? windows_.lower_bound(*previous) : windows_.begin();
      for (; it != windows_.end() && it->first < value; ++it) {
        // In group key order, so the output does not depend on the order groups were created.
        closing_.assign(it->second.begin(), it->second.end());
        std::sort(closing_.begin(), closing_.end(),
                  [this](uint32_t a, uint32_t b) { return infos_[a].key < infos_[b].key; });
        for (uint32_t slot : closing_) {
          if (EmitChange(slot)) {
            MarkDirty(slot);
          }
        }
      }
      FlushOutput();
    } else {
      // Pending changes go out before the watermark that passes their windows: operators below
      // may drop state by it (a join cleaning its rows), so nothing older may follow it.
      EmitPending();
      FlushOutput();
    }
    EmitWatermark(column, value);
  }

  void OnBarrier(const EpochContext& epoch) override {
    storage::WriteBatch& batch = *epoch.batch;
    if (emit_on_window_close_) {
      for (uint32_t slot : dirty_slots_) {
        if (IsClosed(infos_[slot])) {
          EmitChange(slot);
        }
      }
    } else {
      EmitPending();
    }
    FlushOutput();
    if (const std::optional<int64_t> clean_below = CleanBelow()) {
      // These windows can change no more: their rows stay downstream, their state goes.
      // When the window is the first group column, a window's stored groups are the keys under
      // the prefix and the window's encoding: one range deletion drops them.
      const bool by_range = *node_.window_column == 0;
      while (!windows_.empty() && windows_.begin()->first < *clean_below) {
        auto window = windows_.begin();
        bool any_stored = false;
        for (uint32_t slot : window->second) {
          GroupInfo& info = infos_[slot];
          any_stored = any_stored || info.stored;
          info.stored = info.stored && !by_range;
          info.window.reset();  // the whole list goes below
          RemoveGroup(slot, batch);
        }
        if (by_range && any_stored) {
          Column bound(output_types_[0]);
          if (bound.Type().Physical() == PhysicalType::kInt64) {
            bound.Append<int64_t>(window->first);
          } else {
            bound.Append<int32_t>(static_cast<int32_t>(window->first));
          }
          state_key_.assign(state_prefix_);
          EncodeGroupValue(bound, 0, state_key_);
          batch.DeleteRange(state_key_, storage::PrefixUpperBound(state_key_));
        }
        window->second.clear();
        spare_window_lists_.push_back(std::move(window->second));
        windows_.erase(window);
      }
    }
    for (uint32_t slot : dirty_slots_) {
      dirty_[slot] = 0;
      GroupInfo& info = infos_[slot];
      if (!info.live) {
        continue;
      }
      if (!global_ && row_counts_[slot] <= 0 && !info.emitted) {
        RemoveGroup(slot, batch);
      } else {
        SaveGroup(slot, batch);
      }
    }
    dirty_slots_.clear();
    if (metadata_dirty_) {
      Serializer out;
      out.WriteU8(kStateVersion);
      out.WriteBool(watermark_.has_value());
      out.WriteI64(watermark_.value_or(0));
      state_key_.assign(state_prefix_).append(kMetadataKey);
      batch.Put(state_key_, std::move(out).Finish());
      metadata_dirty_ = false;
    }
  }

 private:
  /// The bookkeeping of one group slot.
  struct GroupInfo {
    /// The memcomparable group key: the group's state key after the prefix, and its order within
    /// a window.
    std::string key;
    /// The group columns as cells, as the group's first row had them.
    std::string values;
    /// The aggregate results last emitted, as cells; meaningful when `emitted`.
    std::string emitted_row;
    /// The window column's value, when the aggregate has one and it is not NULL.
    std::optional<int64_t> window;
    /// The group's position in its window's list of windows_.
    uint32_t window_position = 0;
    /// True while the downstream holds a row of this group.
    bool emitted = false;
    /// True once the group's state was written to the store: dropping it must delete it there.
    /// A window's groups often come and go within one epoch and then never reach the store.
    bool stored = false;
    /// False for a free slot.
    bool live = false;
  };
  /// The bytes a group is looked up by: its cells when they identify it, else its key.
  std::string_view LookupKey(uint32_t slot) const { return lookup_keys_[slot]; }
  /// Points lookup_keys_[slot] at the group's cells or key, after they were set.
  void SetLookupKey(uint32_t slot) {
    const GroupInfo& info = infos_[slot];
    lookup_keys_[slot] =
        lookup_by_cells_ ? std::string_view(info.values) : std::string_view(info.key);
  }

  void ComputeSigns(const Chunk& chunk) {
    const size_t rows = chunk.NumRows();
    signs_.resize(rows);
    const Op* ops = chunk.Ops().data();
    bool retracts = false;
    for (size_t row = 0; row < rows; ++row) {
      const bool adds = ops[row] == Op::kInsert || ops[row] == Op::kUpdateInsert;
      signs_[row] = adds ? 1 : -1;
      retracts |= !adds;
    }
    if (retracts && node_.input_append_only) {
      throw Error::Internal("an append-only aggregate input retracted a row");
    }
    if (const std::optional<int64_t> clean_below = CleanBelow()) {
      // Rows of windows whose state is gone are late; the source diverts them, so this only
      // guards the state against an input that did not.
      const Column& windows = chunk.GetColumn(*node_.window_column);
      for (size_t row = 0; row < rows; ++row) {
        if (!windows.IsNull(row) && WindowAt(windows, row) < *clean_below) {
          signs_[row] = 0;
        }
      }
    }
  }

  void AssignGroups(const Chunk& chunk) {
    const size_t rows = chunk.NumRows();
    row_groups_.resize(rows);
    if (global_) {
      std::fill(row_groups_.begin(), row_groups_.end(), 0);
      return;
    }
    row_key_views_.resize(rows);
    if (lookup_by_cells_) {
      BuildCellKeys(chunk);
    } else {
      // Column at a time: each group column appends its key encoding to every row's key.
      if (row_keys_.size() < rows) {
        row_keys_.resize(rows);
      }
      for (size_t row = 0; row < rows; ++row) {
        row_keys_[row].clear();
      }
      for (uint32_t column = 0; column < node_.group_count; ++column) {
        const Column& values = chunk.GetColumn(column);
        if (values.Type().Physical() == PhysicalType::kInt128) {
          for (size_t row = 0; row < rows; ++row) {
            EncodeGroupValue(values, row, row_keys_[row]);
          }
        } else {
          storage::EncodeKeyColumn(values, false, row_keys_);
        }
      }
      for (size_t row = 0; row < rows; ++row) {
        row_key_views_[row] = row_keys_[row];
      }
    }
    const auto key_of = [this](uint32_t slot) { return LookupKey(slot); };
    // Hashes first, then the probes with the buckets of later rows being loaded meanwhile: the
    // probes are cache misses on a large table, and this overlaps them.
    row_hashes_.resize(rows);
    for (size_t row = 0; row < rows; ++row) {
      row_hashes_[row] = HashKey(row_key_views_[row]);
    }
    constexpr size_t kPrefetchDistance = 16;
    for (size_t row = 0; row < std::min(rows, kPrefetchDistance); ++row) {
      groups_.Prefetch(row_hashes_[row]);
    }
    for (size_t row = 0; row < rows; ++row) {
      if (row + kPrefetchDistance < rows) {
        groups_.Prefetch(row_hashes_[row + kPrefetchDistance]);
      }
      if (signs_[row] == 0) {
        row_groups_[row] = kNoGroup;
        continue;
      }
      const std::string_view key = row_key_views_[row];
      const uint64_t hash = row_hashes_[row];
      const uint32_t slot = groups_.Find(key, hash, key_of);
      row_groups_[row] = slot != GroupTable::kEmpty ? slot : CreateGroup(chunk, row, key, hash);
    }
  }

  /// Builds every row's lookup key, the cells of its group columns, in key_buffer_: first each
  /// row's size, then the cells one column at a time, each written at its row's cursor.
  void BuildCellKeys(const Chunk& chunk) {
    const size_t rows = chunk.NumRows();
    key_offsets_.assign(rows + 1, 0);
    for (uint32_t column = 0; column < node_.group_count; ++column) {
      const Column& values = chunk.GetColumn(column);
      const uint8_t* nulls = values.Nulls();
      const bool is_string = values.Type().Physical() == PhysicalType::kString;
      const auto width = static_cast<uint32_t>(PhysicalWidth(values.Type().Physical()));
      for (size_t row = 0; row < rows; ++row) {
        const uint32_t size = is_string ? sizeof(uint32_t) + values.GetString(row).size() : width;
        key_offsets_[row + 1] += 1 + (nulls[row] != 0 ? 0 : size);
      }
    }
    for (size_t row = 0; row < rows; ++row) {
      key_offsets_[row + 1] += key_offsets_[row];
    }
    key_buffer_.resize(key_offsets_[rows]);
    key_cursors_.assign(key_offsets_.begin(), key_offsets_.end() - 1);
    char* buffer = key_buffer_.data();
    uint32_t* cursors = key_cursors_.data();
    for (uint32_t column = 0; column < node_.group_count; ++column) {
      const Column& values = chunk.GetColumn(column);
      switch (PhysicalWidth(values.Type().Physical())) {
        case 1:
          WriteFixedCells<1>(values, rows, buffer, cursors);
          break;
        case 2:
          WriteFixedCells<2>(values, rows, buffer, cursors);
          break;
        case 4:
          WriteFixedCells<4>(values, rows, buffer, cursors);
          break;
        case 8:
          WriteFixedCells<8>(values, rows, buffer, cursors);
          break;
        case 16:
          WriteFixedCells<16>(values, rows, buffer, cursors);
          break;
        default:
          for (size_t row = 0; row < rows; ++row) {
            cell_.clear();
            AppendCell(values, row, cell_);
            std::memcpy(buffer + cursors[row], cell_.data(), cell_.size());
            cursors[row] += static_cast<uint32_t>(cell_.size());
          }
          break;
      }
    }
    for (size_t row = 0; row < rows; ++row) {
      row_key_views_[row] =
          std::string_view(buffer + key_offsets_[row], key_offsets_[row + 1] - key_offsets_[row]);
    }
  }

  /// The per-row signs of aggregate `index`: the row signs, zeroed by its FILTER and, for
  /// DISTINCT, kept only where a value's count goes from 0 to 1 (+1) or from 1 to 0 (-1).
  const int8_t* CallSigns(size_t index, const Chunk& chunk) {
    const plan::AggregateCall& call = node_.aggregates[index];
    if (!call.filter && !call.distinct) {
      return signs_.data();
    }
    const size_t rows = chunk.NumRows();
    call_signs_.assign(signs_.begin(), signs_.begin() + rows);
    if (call.filter) {
      const Column& filter = chunk.GetColumn(*call.filter);
      const uint8_t* data = filter.Data<uint8_t>();
      for (size_t row = 0; row < rows; ++row) {
        if (filter.IsNull(row) || data[row] == 0) {
          call_signs_[row] = 0;
        }
      }
    }
    if (call.distinct) {
      const Column& first = chunk.GetColumn(call.arguments[0]);
      for (size_t row = 0; row < rows; ++row) {
        if (call_signs_[row] == 0) {
          continue;
        }
        if (first.IsNull(row)) {
          // Aggregates skip NULL values, so a NULL is never one of the distinct values.
          call_signs_[row] = 0;
          continue;
        }
        distinct_key_.clear();
        for (uint32_t argument : call.arguments) {
          EncodeGroupValue(chunk.GetColumn(argument), row, distinct_key_);
        }
        const int64_t count = ChangeStringMultiset(distinct_values_[index][row_groups_[row]],
                                                   distinct_key_, call_signs_[row]);
        const bool first_copy = call_signs_[row] > 0 && count == 1;
        const bool last_copy = call_signs_[row] < 0 && count == 0;
        call_signs_[row] = first_copy ? 1 : (last_copy ? -1 : 0);
      }
    }
    return call_signs_.data();
  }

  /// Takes a free slot or grows every per-slot structure by one.
  uint32_t NewSlot() {
    if (!free_slots_.empty()) {
      const uint32_t slot = free_slots_.back();
      free_slots_.pop_back();
      return slot;
    }
    const auto slot = static_cast<uint32_t>(infos_.size());
    infos_.emplace_back();
    lookup_keys_.emplace_back();
    row_counts_.push_back(0);
    dirty_.push_back(0);
    if (infos_.size() > slot_capacity_) {
      slot_capacity_ = std::max<size_t>(64, slot_capacity_ * 2);
      for (auto& accumulator : accumulators_) {
        accumulator->Resize(slot_capacity_);
      }
      for (size_t i = 0; i < distinct_values_.size(); ++i) {
        if (node_.aggregates[i].distinct) {
          distinct_values_[i].resize(slot_capacity_);
        }
      }
    }
    return slot;
  }

  /// Registers a group with key `key` and group values `values` (cells); returns its slot.
  uint32_t AddGroup(std::string_view key, std::string_view values, std::optional<int64_t> window) {
    const uint32_t slot = NewSlot();
    GroupInfo& info = infos_[slot];
    info.key.assign(key);
    info.values.assign(values);
    info.window = window;
    info.live = true;
    SetLookupKey(slot);
    const std::string_view lookup_key = LookupKey(slot);
    const uint64_t hash = HashKey(lookup_key);
    if (groups_.Find(lookup_key, hash, [this](uint32_t other) { return LookupKey(other); }) !=
        GroupTable::kEmpty) {
      throw Error(SqlState::kDataCorrupted, "duplicate group in aggregation state");
    }
    groups_.Insert(hash, slot);
    if (window) {
      AddToWindow(slot);
    }
    return slot;
  }

  /// Creates the group of row `row`, whose lookup key is `lookup_key` with hash `hash`.
  uint32_t CreateGroup(const Chunk& chunk, size_t row, std::string_view lookup_key, uint64_t hash) {
    const uint32_t slot = NewSlot();
    GroupInfo& info = infos_[slot];
    info.live = true;
    for (uint32_t column = 0; column < node_.group_count; ++column) {
      if (!lookup_by_cells_) {
        AppendCell(chunk.GetColumn(column), row, info.values);
      }
      EncodeGroupValue(chunk.GetColumn(column), row, info.key);
    }
    if (lookup_by_cells_) {
      info.values.assign(lookup_key);
    }
    SetLookupKey(slot);
    groups_.Insert(hash, slot);
    if (node_.window_column && !chunk.GetColumn(*node_.window_column).IsNull(row)) {
      info.window = WindowAt(chunk.GetColumn(*node_.window_column), row);
      AddToWindow(slot);
    }
    return slot;
  }

  /// Adds group `slot`, whose window is set, to its window's list.
  void AddToWindow(uint32_t slot) {
    GroupInfo& info = infos_[slot];
    auto [window, inserted] = windows_.try_emplace(*info.window);
    if (inserted && !spare_window_lists_.empty()) {
      window->second = std::move(spare_window_lists_.back());
      spare_window_lists_.pop_back();
    }
    info.window_position = static_cast<uint32_t>(window->second.size());
    window->second.push_back(slot);
  }

  /// Takes group `slot` out of its window's list.
  void RemoveFromWindow(uint32_t slot) {
    const GroupInfo& info = infos_[slot];
    auto window = windows_.find(*info.window);
    FRESHET_CHECK(window != windows_.end(), "an aggregation group is missing from its window");
    std::vector<uint32_t>& slots = window->second;
    const uint32_t last = slots.back();
    slots[info.window_position] = last;
    infos_[last].window_position = info.window_position;
    slots.pop_back();
    if (slots.empty()) {
      spare_window_lists_.push_back(std::move(slots));
      windows_.erase(window);
    }
  }

  /// Drops group `slot` from memory and its state from the store.
  void RemoveGroup(uint32_t slot, storage::WriteBatch& batch) {
    GroupInfo& info = infos_[slot];
    if (info.window) {
      RemoveFromWindow(slot);
    }
    groups_.Erase(HashKey(LookupKey(slot)), slot);
    if (info.stored) {
      state_key_.assign(state_prefix_).append(info.key);
      batch.Delete(state_key_);
    }
    for (auto& accumulator : accumulators_) {
      accumulator->Reset(slot);
    }
    for (auto& values : distinct_values_) {
      if (!values.empty()) {
        values[slot].clear();
      }
    }
    info.key.clear();
    info.values.clear();
    lookup_keys_[slot] = {};
    info.emitted_row.clear();
    info.window.reset();
    info.emitted = false;
    info.stored = false;
    info.live = false;
    row_counts_[slot] = 0;
    free_slots_.push_back(slot);
  }

  /// Group `slot` has changes to write at the next barrier.
  void MarkDirty(uint32_t slot) {
    if ((dirty_[slot] & kDirty) == 0) {
      dirty_[slot] |= kDirty;
      dirty_slots_.push_back(slot);
    }
  }

  /// Group `slot` changed: its state is dirty and, unless results wait for the window to close,
  /// its result is to be emitted at the next watermark or barrier.
  void MarkChanged(uint32_t slot) {
    MarkDirty(slot);
    if (!emit_on_window_close_ && (dirty_[slot] & kPending) == 0) {
      dirty_[slot] |= kPending;
      pending_slots_.push_back(slot);
    }
  }

  /// Emits the changes of the groups changed since the last emission (not flushed).
  void EmitPending() {
    for (uint32_t slot : pending_slots_) {
      dirty_[slot] &= static_cast<uint8_t>(~kPending);
      EmitChange(slot);
    }
    pending_slots_.clear();
  }

  bool IsClosed(const GroupInfo& info) const {
    return info.window && watermark_ && *info.window < *watermark_;
  }

  /// Groups whose window is below this can no longer change (watermark minus allowed lateness).
  std::optional<int64_t> CleanBelow() const {
    if (!watermark_) {
      return std::nullopt;
    }
    int64_t bound = 0;
    if (__builtin_sub_overflow(*watermark_, lateness_, &bound)) {
      bound = std::numeric_limits<int64_t>::min();
    }
    return bound;
  }

  static int64_t WindowAt(const Column& windows, size_t row) {
    return windows.Type().Physical() == PhysicalType::kInt64 ? windows.Data<int64_t>()[row]
                                                             : windows.Data<int32_t>()[row];
  }

  /// Emits the change of group `slot` since its last emitted row: an insert, an update pair, a
  /// delete, or nothing when its row is unchanged. Returns true when something was emitted.
  bool EmitChange(uint32_t slot) {
    GroupInfo& info = infos_[slot];
    if (!global_ && row_counts_[slot] <= 0) {
      if (!info.emitted) {
        return false;
      }
      AppendOutputRow(info, info.emitted_row, Op::kDelete);
      info.emitted = false;
      info.emitted_row.clear();
      return true;
    }
    current_row_.clear();
    for (size_t i = 0; i < accumulators_.size(); ++i) {
      results_[i].Clear();
      accumulators_[i]->Finalize(slot, results_[i]);
      AppendCell(results_[i], 0, current_row_);
    }
    if (info.emitted) {
      if (current_row_ == info.emitted_row) {
        return false;
      }
      AppendOutputRow(info, info.emitted_row, Op::kUpdateDelete);
      AppendOutputRow(info, current_row_, Op::kUpdateInsert);
    } else {
      AppendOutputRow(info, current_row_, Op::kInsert);
    }
    info.emitted = true;
    info.emitted_row.swap(current_row_);
    return true;
  }

  void AppendOutputRow(const GroupInfo& info, std::string_view results, Op op) {
    // An update pair stays in one chunk.
    if (output_.NumRows() + 2 > Chunk::kChunkSize) {
      FlushOutput();
    }
    std::string_view values = info.values;
    for (uint32_t column = 0; column < node_.group_count; ++column) {
      ReadCell(values, output_.MutableColumn(column));
    }
    for (size_t i = 0; i < accumulators_.size(); ++i) {
      ReadCell(results, output_.MutableColumn(node_.group_count + i));
    }
    output_.MutableOps().push_back(op);
  }

  void FlushOutput() {
    if (output_.NumRows() == 0) {
      return;
    }
    Emit(output_);
    for (Column& column : output_.Columns()) {
      column.Clear();
    }
    output_.MutableOps().clear();
  }

  void SaveGroup(uint32_t slot, storage::WriteBatch& batch) {
    GroupInfo& info = infos_[slot];
    info.stored = true;
    Serializer out;
    out.WriteU8(kStateVersion);
    out.WriteI64(row_counts_[slot]);
    out.WriteString(info.values);
    out.WriteBool(info.window.has_value());
    out.WriteI64(info.window.value_or(0));
    out.WriteBool(info.emitted);
    out.WriteString(info.emitted_row);
    for (size_t i = 0; i < accumulators_.size(); ++i) {
      if (node_.aggregates[i].distinct) {
        SaveStringMultiset(distinct_values_[i][slot], out);
      }
      accumulators_[i]->Save(slot, out);
    }
    state_key_.assign(state_prefix_).append(info.key);
    batch.Put(state_key_, std::move(out).Finish());
  }

  void Load(const OperatorContext& context) {
    if (context.store == nullptr) {
      return;
    }
    context.LoadState(node_.operator_id, [&](std::string_view key, std::string_view value) {
      if (!global_ && key == kMetadataKey) {
        Deserializer in(value);
        CheckVersion(in.ReadU8());
        const bool has_watermark = in.ReadBool();
        const int64_t watermark = in.ReadI64();
        if (has_watermark) {
          watermark_ = watermark;
        }
        return;
      }
      Deserializer in(value);
      CheckVersion(in.ReadU8());
      const int64_t row_count = in.ReadI64();
      const std::string values = in.ReadString();
      const bool has_window = in.ReadBool();
      const int64_t window = in.ReadI64();
      const uint32_t slot =
          AddGroup(key, values, has_window ? std::optional<int64_t>(window) : std::nullopt);
      GroupInfo& info = infos_[slot];
      row_counts_[slot] = row_count;
      info.stored = true;
      info.emitted = in.ReadBool();
      info.emitted_row = in.ReadString();
      for (size_t i = 0; i < accumulators_.size(); ++i) {
        if (node_.aggregates[i].distinct) {
          LoadStringMultiset(distinct_values_[i][slot], in);
        }
        accumulators_[i]->Load(slot, in);
      }
    });
  }

  static void CheckVersion(uint8_t version) {
    if (version != kStateVersion) {
      throw Error(SqlState::kDataCorrupted,
                  fmt::format("unknown aggregation state version {}", version));
    }
  }

  const plan::StreamAggregateNode& node_;
  const std::string state_prefix_;
  const bool global_;
  const bool emit_on_window_close_;
  std::vector<DataType> output_types_;
  /// The allowed lateness of the window column: state is kept that long past the watermark.
  int64_t lateness_ = 0;

  std::vector<std::unique_ptr<StreamAccumulator>> accumulators_;
  /// Per DISTINCT aggregate, per slot: the distinct argument values with their counts.
  std::vector<std::vector<StringMultiset>> distinct_values_;

  /// Looks groups up by LookupKey().
  GroupTable groups_;
  /// True when the cells of the group columns identify a group (no float or NUMERIC column, whose
  /// equal values can differ in bytes): they are cheaper to build than key encodings.
  bool lookup_by_cells_ = true;
  /// Per slot; a deque so that growing it never moves a group's strings.
  std::deque<GroupInfo> infos_;
  /// Per slot, LookupKey(): a view of the group's cells or key, in one array for the probes.
  std::vector<std::string_view> lookup_keys_;
  std::vector<int64_t> row_counts_;
  /// Per slot, kDirty and kPending flags.
  static constexpr uint8_t kDirty = 1;
  static constexpr uint8_t kPending = 2;
  std::vector<uint8_t> dirty_;
  /// The slots changed since the last barrier, in the order they were first touched.
  std::vector<uint32_t> dirty_slots_;
  /// The slots changed since their result was last emitted (not with EMIT ON WINDOW CLOSE), in the
  /// order they were first touched; a watermark emits only these, not every dirty slot again.
  std::vector<uint32_t> pending_slots_;
  std::vector<uint32_t> free_slots_;
  /// The slot count the accumulators have room for.
  size_t slot_capacity_ = 0;
  /// The groups of each window, for closing (EMIT ON WINDOW CLOSE) and cleaning windows in order;
  /// unordered within a window. Emptied lists are kept for reuse, so that new groups of a new
  /// window allocate nothing once the lists have grown.
  std::map<int64_t, std::vector<uint32_t>> windows_;
  std::vector<std::vector<uint32_t>> spare_window_lists_;
  std::vector<uint32_t> closing_;
  std::optional<int64_t> watermark_;
  bool metadata_dirty_ = false;

  // Buffers reused from chunk to chunk, so the steady state does not allocate.
  std::vector<int8_t> signs_;
  std::vector<int8_t> call_signs_;
  std::vector<uint32_t> row_groups_;
  std::vector<uint64_t> row_hashes_;
  std::vector<std::string> row_keys_;
  std::vector<std::string_view> row_key_views_;
  std::string key_buffer_;
  std::vector<uint32_t> key_offsets_;
  std::vector<uint32_t> key_cursors_;
  std::string cell_;
  std::string distinct_key_;
  std::string current_row_;
  std::string state_key_;
  std::vector<Column> results_;
  Chunk output_;
};

}  // namespace

std::unique_ptr<StreamOperator> MakeAggregateOperator(const plan::StreamAggregateNode& node,
                                                      const OperatorContext& context) {
  return std::make_unique<AggregateOperator>(node, context);
}

}  // namespace freshet::executor::stream
