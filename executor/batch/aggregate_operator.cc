// SPDX-License-Identifier: Apache-2.0
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <fmt/format.h>

#include "common/error.h"
#include "common/numeric.h"
#include "executor/internal/aggregate_state.h"
#include "executor/internal/operators.h"
#include "storage/key_codec.h"

namespace freshet::executor::internal {
namespace {

using function::AggregateKind;

/// The running state of one aggregate call over all groups. Update takes a whole chunk with the
/// group of every row; `mask`, when not null, marks the rows that count (FILTER and DISTINCT). One
/// virtual call per chunk.
class Accumulator {
 public:
  Accumulator() = default;
  virtual ~Accumulator() = default;
  Accumulator(const Accumulator&) = delete;
  Accumulator& operator=(const Accumulator&) = delete;

  virtual void Update(const Chunk& input,
                      const std::vector<uint32_t>& groups,
                      size_t num_groups,
                      const uint8_t* mask) = 0;
  /// Appends one result per group to `out`.
  virtual void Finalize(size_t num_groups, Column& out) = 0;
  /// Bytes of state, for the memory budget.
  virtual size_t MemoryUsage() const = 0;
};

bool Counts(const uint8_t* mask, size_t row) {
  return mask == nullptr || mask[row] != 0;
}

/// count(*) and count(x).
class CountAccumulator final : public Accumulator {
 public:
  explicit CountAccumulator(std::optional<uint32_t> argument) : argument_(argument) {}

  void Update(const Chunk& input,
              const std::vector<uint32_t>& groups,
              size_t num_groups,
              const uint8_t* mask) override {
    counts_.resize(num_groups, 0);
    const Column* values = argument_ ? &input.GetColumn(*argument_) : nullptr;
    for (size_t row = 0; row < input.NumRows(); ++row) {
      if (Counts(mask, row) && (values == nullptr || !values->IsNull(row))) {
        ++counts_[groups[row]];
      }
    }
  }
  void Finalize(size_t num_groups, Column& out) override {
    counts_.resize(num_groups, 0);
    for (int64_t count : counts_) {
      out.Append<int64_t>(count);
    }
  }
  size_t MemoryUsage() const override { return counts_.capacity() * sizeof(int64_t); }

 private:
  std::optional<uint32_t> argument_;
  std::vector<int64_t> counts_;
};

/// An aggregate that folds each group's non-NULL values into one fixed-width state, starting from
/// the first value as Postgres's strict transition functions with a NULL initial state do (so a
/// lone -0 sums to -0); NULL for a group without values. `combine(state, value)` returns the new
/// state. Serves sum of integers and floats and min / max of fixed-width types.
template <typename In, typename State, typename Combine>
class FoldAccumulator final : public Accumulator {
 public:
  FoldAccumulator(uint32_t argument, Combine combine)
      : argument_(argument), combine_(std::move(combine)) {}

  void Update(const Chunk& input,
              const std::vector<uint32_t>& groups,
              size_t num_groups,
              const uint8_t* mask) override {
    states_.resize(num_groups);
    seen_.resize(num_groups, 0);
    const Column& values = input.GetColumn(argument_);
    const In* data = values.Data<In>();
    for (size_t row = 0; row < input.NumRows(); ++row) {
      if (!Counts(mask, row) || values.IsNull(row)) {
        continue;
      }
      const uint32_t group = groups[row];
      states_[group] =
          seen_[group] ? combine_(states_[group], data[row]) : static_cast<State>(data[row]);
      seen_[group] = 1;
    }
  }
  void Finalize(size_t num_groups, Column& out) override {
    states_.resize(num_groups);
    seen_.resize(num_groups, 0);
    for (size_t group = 0; group < num_groups; ++group) {
      if (seen_[group]) {
        out.Append<State>(states_[group]);
      } else {
        out.AppendNull();
      }
    }
  }
  size_t MemoryUsage() const override { return states_.capacity() * (sizeof(State) + 1); }

 private:
  uint32_t argument_;
  Combine combine_;
  std::vector<State> states_;
  std::vector<uint8_t> seen_;
};

template <typename In, typename State, typename Combine>
std::unique_ptr<Accumulator> MakeFold(uint32_t argument, Combine combine) {
  return std::make_unique<FoldAccumulator<In, State, Combine>>(argument, std::move(combine));
}

/// sum of smallint / integer into bigint, with Postgres's overflow error.
template <typename T>
std::unique_ptr<Accumulator> MakeIntegerSum(uint32_t argument) {
  return MakeFold<T, int64_t>(argument, [](int64_t sum, T value) {
    if (__builtin_add_overflow(sum, static_cast<int64_t>(value), &sum)) {
      ThrowBigintOutOfRange();
    }
    return sum;
  });
}

/// sum of real / double precision, added in input order as Postgres's float4pl / float8pl do.
template <typename T>
std::unique_ptr<Accumulator> MakeFloatSum(uint32_t argument) {
  return MakeFold<T, T>(argument, [](T sum, T value) {
    const T result = sum + value;
    if (std::isinf(result) && std::isfinite(sum) && std::isfinite(value)) {
      ThrowFloatOverflow();
    }
    return result;
  });
}

/// sum and avg with NUMERIC results (Postgres's numeric accumulation): integers add exactly in 128
/// bits, numerics with numeric::Add; avg divides by the count with Postgres's division scale.
class NumericSumAccumulator final : public Accumulator {
 public:
  NumericSumAccumulator(uint32_t argument, bool average) : argument_(argument), average_(average) {}

  void Update(const Chunk& input,
              const std::vector<uint32_t>& groups,
              size_t num_groups,
              const uint8_t* mask) override {
    sums_.resize(num_groups, numeric::FromInteger(0));
    counts_.resize(num_groups, 0);
    const Column& values = input.GetColumn(argument_);
    for (size_t row = 0; row < input.NumRows(); ++row) {
      if (!Counts(mask, row) || values.IsNull(row)) {
        continue;
      }
      const uint32_t group = groups[row];
      const __int128 value = NumericAt(values, row);
      sums_[group] = numeric::Add(sums_[group], value);
      ++counts_[group];
    }
  }
  void Finalize(size_t num_groups, Column& out) override {
    sums_.resize(num_groups, numeric::FromInteger(0));
    counts_.resize(num_groups, 0);
    for (size_t group = 0; group < num_groups; ++group) {
      if (counts_[group] == 0) {
        out.AppendNull();
      } else if (average_) {
        out.Append<__int128>(numeric::Divide(sums_[group], numeric::FromInteger(counts_[group])));
      } else {
        out.Append<__int128>(sums_[group]);
      }
    }
  }
  size_t MemoryUsage() const override { return sums_.capacity() * (sizeof(__int128) + 8); }

 private:
  uint32_t argument_;
  bool average_;
  std::vector<__int128> sums_;
  std::vector<int64_t> counts_;
};

/// Variance and standard deviation of integers and numerics, computed as Postgres's
/// numeric_stddev_internal does: exact sums of x and x*x, then (N*Sxx - Sx*Sx) / (N*(N-1)) at the
/// division scale, and the square root at that same scale.
class NumericMomentsAccumulator final : public Accumulator {
 public:
  NumericMomentsAccumulator(uint32_t argument, AggregateKind kind)
      : argument_(argument), kind_(kind) {}

  void Update(const Chunk& input,
              const std::vector<uint32_t>& groups,
              size_t num_groups,
              const uint8_t* mask) override {
    sum_x_.resize(num_groups, numeric::FromInteger(0));
    sum_xx_.resize(num_groups, numeric::FromInteger(0));
    counts_.resize(num_groups, 0);
    const Column& values = input.GetColumn(argument_);
    for (size_t row = 0; row < input.NumRows(); ++row) {
      if (!Counts(mask, row) || values.IsNull(row)) {
        continue;
      }
      const __int128 value = NumericAt(values, row);
      const uint32_t group = groups[row];
      sum_x_[group] = numeric::Add(sum_x_[group], value);
      sum_xx_[group] = numeric::Add(sum_xx_[group], numeric::Multiply(value, value));
      ++counts_[group];
    }
  }
  void Finalize(size_t num_groups, Column& out) override {
    sum_x_.resize(num_groups, numeric::FromInteger(0));
    sum_xx_.resize(num_groups, numeric::FromInteger(0));
    counts_.resize(num_groups, 0);
    for (size_t group = 0; group < num_groups; ++group) {
      const std::optional<__int128> result =
          NumericVariance(kind_, counts_[group], sum_x_[group], sum_xx_[group]);
      if (result) {
        out.Append<__int128>(*result);
      } else {
        out.AppendNull();
      }
    }
  }
  size_t MemoryUsage() const override { return sum_x_.capacity() * (2 * sizeof(__int128) + 8); }

 private:
  uint32_t argument_;
  AggregateKind kind_;
  std::vector<__int128> sum_x_;
  std::vector<__int128> sum_xx_;
  std::vector<int64_t> counts_;
};

/// avg, variance and standard deviation of real / double precision with Postgres's float8_accum
/// (Youngs-Cramer): N, Sx and Sxx per group, so the results match Postgres bit for bit.
class FloatMomentsAccumulator final : public Accumulator {
 public:
  FloatMomentsAccumulator(uint32_t argument, AggregateKind kind)
      : argument_(argument), kind_(kind) {}

  void Update(const Chunk& input,
              const std::vector<uint32_t>& groups,
              size_t num_groups,
              const uint8_t* mask) override {
    moments_.resize(num_groups);
    const Column& values = input.GetColumn(argument_);
    const bool is_float4 = values.Type().Physical() == PhysicalType::kFloat32;
    for (size_t row = 0; row < input.NumRows(); ++row) {
      if (!Counts(mask, row) || values.IsNull(row)) {
        continue;
      }
      moments_[groups[row]].Add(is_float4 ? values.Data<float>()[row] : values.Data<double>()[row]);
    }
  }
  void Finalize(size_t num_groups, Column& out) override {
    moments_.resize(num_groups);
    for (const FloatMoments& state : moments_) {
      const std::optional<double> result = state.Result(kind_);
      if (result) {
        out.Append<double>(*result);
      } else {
        out.AppendNull();
      }
    }
  }
  size_t MemoryUsage() const override { return moments_.capacity() * sizeof(FloatMoments); }

 private:
  uint32_t argument_;
  AggregateKind kind_;
  std::vector<FloatMoments> moments_;
};

/// min and max of a fixed-width type.
template <typename T>
std::unique_ptr<Accumulator> MakeFixedMinMax(uint32_t argument, bool is_max) {
  return MakeFold<T, T>(argument, [is_max](T best, T value) {
    return (is_max ? PostgresLess(best, value) : PostgresLess(value, best)) ? value : best;
  });
}

/// min and max of strings (byte order, the C collation).
class StringMinMaxAccumulator final : public Accumulator {
 public:
  StringMinMaxAccumulator(uint32_t argument, bool is_max) : argument_(argument), is_max_(is_max) {}

  void Update(const Chunk& input,
              const std::vector<uint32_t>& groups,
              size_t num_groups,
              const uint8_t* mask) override {
    best_.resize(num_groups);
    seen_.resize(num_groups, 0);
    const Column& values = input.GetColumn(argument_);
    for (size_t row = 0; row < input.NumRows(); ++row) {
      if (!Counts(mask, row) || values.IsNull(row)) {
        continue;
      }
      const uint32_t group = groups[row];
      const std::string_view value = values.GetString(row);
      if (!seen_[group] || (is_max_ ? best_[group] < value : value < best_[group])) {
        bytes_ += value.size();
        best_[group].assign(value);
        seen_[group] = 1;
      }
    }
  }
  void Finalize(size_t num_groups, Column& out) override {
    best_.resize(num_groups);
    seen_.resize(num_groups, 0);
    for (size_t group = 0; group < num_groups; ++group) {
      if (seen_[group]) {
        out.AppendString(best_[group]);
      } else {
        out.AppendNull();
      }
    }
  }
  size_t MemoryUsage() const override { return best_.capacity() * 33 + bytes_; }

 private:
  uint32_t argument_;
  bool is_max_;
  std::vector<std::string> best_;
  std::vector<uint8_t> seen_;
  size_t bytes_ = 0;
};

std::unique_ptr<Accumulator> MakeMinMax(uint32_t argument, const DataType& type, bool is_max) {
  switch (type.Physical()) {
    case PhysicalType::kBool:
      return MakeFixedMinMax<uint8_t>(argument, is_max);
    case PhysicalType::kInt16:
      return MakeFixedMinMax<int16_t>(argument, is_max);
    case PhysicalType::kInt32:
      return MakeFixedMinMax<int32_t>(argument, is_max);
    case PhysicalType::kInt64:
      return MakeFixedMinMax<int64_t>(argument, is_max);
    case PhysicalType::kFloat32:
      return MakeFixedMinMax<float>(argument, is_max);
    case PhysicalType::kFloat64:
      return MakeFixedMinMax<double>(argument, is_max);
    case PhysicalType::kInterval:
      return MakeFixedMinMax<Interval>(argument, is_max);
    case PhysicalType::kString:
      return std::make_unique<StringMinMaxAccumulator>(argument, is_max);
    case PhysicalType::kInt128:
      return MakeFixedMinMax<__int128>(argument, is_max);
  }
  throw Error(SqlState::kFeatureNotSupported,
              fmt::format("{}({}) is not supported yet", is_max ? "max" : "min", type.Name()));
}

/// bool_and / every and bool_or.
class BooleanAccumulator final : public Accumulator {
 public:
  BooleanAccumulator(uint32_t argument, bool is_and) : argument_(argument), is_and_(is_and) {}

  void Update(const Chunk& input,
              const std::vector<uint32_t>& groups,
              size_t num_groups,
              const uint8_t* mask) override {
    state_.resize(num_groups, 2);
    const Column& values = input.GetColumn(argument_);
    for (size_t row = 0; row < input.NumRows(); ++row) {
      if (!Counts(mask, row) || values.IsNull(row)) {
        continue;
      }
      const uint8_t value = values.Data<uint8_t>()[row];
      uint8_t& state = state_[groups[row]];
      state = state == 2 ? value : (is_and_ ? (state & value) : (state | value));
    }
  }
  void Finalize(size_t num_groups, Column& out) override {
    state_.resize(num_groups, 2);
    for (uint8_t state : state_) {
      if (state == 2) {
        out.AppendNull();
      } else {
        out.Append<uint8_t>(state);
      }
    }
  }
  size_t MemoryUsage() const override { return state_.capacity(); }

 private:
  uint32_t argument_;
  bool is_and_;
  std::vector<uint8_t> state_;  // 2 = no input yet
};

/// string_agg(value, delimiter [ORDER BY ...]): each value after the first is preceded by its own
/// row's delimiter, as in Postgres; NULL values are skipped.
class StringAggAccumulator final : public Accumulator {
 public:
  StringAggAccumulator(const plan::AggregateCall& call) : call_(call) {}

  void Update(const Chunk& input,
              const std::vector<uint32_t>& groups,
              size_t num_groups,
              const uint8_t* mask) override {
    parts_.resize(num_groups);
    const Column& values = input.GetColumn(call_.arguments[0]);
    const Column& delimiters = input.GetColumn(call_.arguments[1]);
    std::string sort_key;
    for (size_t row = 0; row < input.NumRows(); ++row) {
      if (!Counts(mask, row) || values.IsNull(row)) {
        continue;
      }
      sort_key.clear();
      for (const plan::SortKey& key : call_.order_by) {
        storage::EncodeKeyValue(input.GetColumn(key.column_index), row, key.descending, sort_key);
      }
      parts_[groups[row]].push_back(
          {sort_key, std::string(values.GetString(row)),
           delimiters.IsNull(row) ? std::string() : std::string(delimiters.GetString(row)),
           sequence_++});
      bytes_ += sort_key.size() + values.GetString(row).size() + 64;
    }
  }
  void Finalize(size_t num_groups, Column& out) override {
    parts_.resize(num_groups);
    std::string result;
    for (auto& parts : parts_) {
      if (parts.empty()) {
        out.AppendNull();
        continue;
      }
      std::stable_sort(parts.begin(), parts.end(), [](const Part& a, const Part& b) {
        return a.sort_key != b.sort_key ? a.sort_key < b.sort_key : a.sequence < b.sequence;
      });
      result.clear();
      for (size_t i = 0; i < parts.size(); ++i) {
        if (i > 0) {
          result += parts[i].delimiter;
        }
        result += parts[i].value;
      }
      out.AppendString(result);
    }
  }
  size_t MemoryUsage() const override { return bytes_; }

 private:
  struct Part {
    std::string sort_key;
    std::string value;
    std::string delimiter;
    uint64_t sequence;
  };
  const plan::AggregateCall& call_;
  std::vector<std::vector<Part>> parts_;
  uint64_t sequence_ = 0;
  size_t bytes_ = 0;
};

std::unique_ptr<Accumulator> MakeAccumulator(const plan::AggregateCall& call,
                                             const std::vector<DataType>& input_types) {
  const AggregateKind kind = call.function->kind;
  const auto argument_type = [&](size_t i) { return input_types[call.arguments[i]]; };
  switch (kind) {
    case AggregateKind::kCountStar:
      return std::make_unique<CountAccumulator>(std::nullopt);
    case AggregateKind::kCount:
      return std::make_unique<CountAccumulator>(call.arguments[0]);
    case AggregateKind::kMin:
    case AggregateKind::kMax:
      return MakeMinMax(call.arguments[0], argument_type(0), kind == AggregateKind::kMax);
    case AggregateKind::kBoolAnd:
    case AggregateKind::kBoolOr:
      return std::make_unique<BooleanAccumulator>(call.arguments[0],
                                                  kind == AggregateKind::kBoolAnd);
    case AggregateKind::kStringAgg:
      return std::make_unique<StringAggAccumulator>(call);
    case AggregateKind::kSum:
      switch (argument_type(0).id) {
        case TypeId::kSmallint:
          return MakeIntegerSum<int16_t>(call.arguments[0]);
        case TypeId::kInteger:
          return MakeIntegerSum<int32_t>(call.arguments[0]);
        case TypeId::kReal:
          return MakeFloatSum<float>(call.arguments[0]);
        case TypeId::kDouble:
          return MakeFloatSum<double>(call.arguments[0]);
        case TypeId::kBigint:
        case TypeId::kNumeric:
          return std::make_unique<NumericSumAccumulator>(call.arguments[0], false);
        default:
          break;
      }
      break;
    case AggregateKind::kAvg:
    case AggregateKind::kVarSamp:
    case AggregateKind::kVarPop:
    case AggregateKind::kStddevSamp:
    case AggregateKind::kStddevPop:
      if (argument_type(0).id == TypeId::kReal || argument_type(0).id == TypeId::kDouble) {
        return std::make_unique<FloatMomentsAccumulator>(call.arguments[0], kind);
      }
      if (kind == AggregateKind::kAvg && argument_type(0).id != TypeId::kInterval) {
        return std::make_unique<NumericSumAccumulator>(call.arguments[0], true);
      }
      if (kind != AggregateKind::kAvg) {
        return std::make_unique<NumericMomentsAccumulator>(call.arguments[0], kind);
      }
      break;
  }
  throw Error(
      SqlState::kFeatureNotSupported,
      fmt::format("{}({}) is not supported yet", call.function->name, argument_type(0).Name()));
}

/// Hash aggregation: one pass over the input assigns every row a group through a hash table of the
/// encoded group columns, then the accumulators update a chunk at a time. Emits the groups when the
/// input ends.
class AggregateOperator final : public BatchOperator {
 public:
  AggregateOperator(const plan::AggregateNode& node,
                    std::unique_ptr<BatchOperator> input,
                    const BatchContext& context)
      : node_(node), input_(std::move(input)), context_(context) {
    const std::vector<DataType> input_types = node.input->OutputTypes();
    for (uint32_t i = 0; i < node.group_count; ++i) {
      group_columns_.push_back(i);
      keys_.emplace_back(input_types[i]);
    }
    for (const plan::AggregateCall& call : node.aggregates) {
      accumulators_.push_back(MakeAccumulator(call, input_types));
    }
    distinct_seen_.resize(node.aggregates.size());
  }

  bool Next(Chunk& out) override {
    if (!done_) {
      Consume();
    }
    if (next_group_ >= num_groups_) {
      return false;
    }
    const size_t end = std::min(num_groups_, next_group_ + Chunk::kChunkSize);
    Chunk result;
    for (uint32_t column = 0; column < node_.group_count; ++column) {
      Column slice(keys_[column].Type());
      for (size_t group = next_group_; group < end; ++group) {
        slice.AppendFrom(keys_[column], group);
      }
      result.AddColumn(std::move(slice));
    }
    for (size_t i = 0; i < finals_.size(); ++i) {
      Column slice(finals_[i].Type());
      for (size_t group = next_group_; group < end; ++group) {
        slice.AppendFrom(finals_[i], group);
      }
      result.AddColumn(std::move(slice));
    }
    result.SetNumRows(end - next_group_);
    next_group_ = end;
    out = std::move(result);
    return true;
  }

 private:
  void Consume() {
    done_ = true;
    Chunk chunk;
    std::string key;
    std::string argument_key;
    std::vector<uint32_t> groups;
    std::vector<uint8_t> mask;
    while (input_->Next(chunk)) {
      context_.CheckCancelled();
      const size_t rows = chunk.NumRows();
      groups.resize(rows);
      if (node_.group_count == 0) {
        // A plain aggregate: every row is in the one group, no hashing needed.
        std::fill(groups.begin(), groups.end(), 0);
        num_groups_ = 1;
      }
      for (size_t row = 0; row < rows && node_.group_count > 0; ++row) {
        EncodeRowKey(chunk, row, group_columns_, true, key);
        auto [it, inserted] = groups_.try_emplace(key, static_cast<uint32_t>(num_groups_));
        if (inserted) {
          for (uint32_t column = 0; column < node_.group_count; ++column) {
            keys_[column].AppendFrom(chunk.GetColumn(column), row);
          }
          ++num_groups_;
          key_bytes_ += key.size() + 48;
        }
        groups[row] = it->second;
      }
      for (size_t i = 0; i < accumulators_.size(); ++i) {
        const plan::AggregateCall& call = node_.aggregates[i];
        const uint8_t* row_mask = nullptr;
        if (call.filter || call.distinct) {
          mask.assign(rows, 1);
          if (call.filter) {
            const Column& filter = chunk.GetColumn(*call.filter);
            for (size_t row = 0; row < rows; ++row) {
              mask[row] = !filter.IsNull(row) && filter.Data<uint8_t>()[row] != 0 ? 1 : 0;
            }
          }
          if (call.distinct) {
            for (size_t row = 0; row < rows; ++row) {
              if (!mask[row]) {
                continue;
              }
              EncodeRowKey(chunk, row, call.arguments, true, argument_key);
              key.assign(reinterpret_cast<const char*>(&groups[row]), sizeof(uint32_t));
              key += argument_key;
              mask[row] = distinct_seen_[i].insert(key).second ? 1 : 0;
            }
          }
          row_mask = mask.data();
        }
        accumulators_[i]->Update(chunk, groups, num_groups_, row_mask);
      }
      size_t bytes = key_bytes_;
      for (const Column& column : keys_) {
        bytes += column.MemoryUsage();
      }
      for (const auto& accumulator : accumulators_) {
        bytes += accumulator->MemoryUsage();
      }
      context_.CheckMemory(bytes);
    }
    if (node_.group_count == 0 && num_groups_ == 0) {
      // A plain aggregate has one row even over no input: count 0, others NULL.
      num_groups_ = 1;
    }
    for (size_t i = 0; i < accumulators_.size(); ++i) {
      finals_.emplace_back(node_.aggregates[i].result);
      accumulators_[i]->Finalize(num_groups_, finals_.back());
    }
  }

  const plan::AggregateNode& node_;
  std::unique_ptr<BatchOperator> input_;
  const BatchContext& context_;
  std::vector<uint32_t> group_columns_;
  std::vector<Column> keys_;
  std::vector<std::unique_ptr<Accumulator>> accumulators_;
  std::vector<std::unordered_set<std::string>> distinct_seen_;
  std::unordered_map<std::string, uint32_t> groups_;
  std::vector<Column> finals_;
  size_t num_groups_ = 0;
  size_t next_group_ = 0;
  size_t key_bytes_ = 0;
  bool done_ = false;
};

}  // namespace

std::unique_ptr<BatchOperator> MakeAggregateOperator(const plan::AggregateNode& node,
                                                     std::unique_ptr<BatchOperator> input,
                                                     const BatchContext& context) {
  return std::make_unique<AggregateOperator>(node, std::move(input), context);
}

}  // namespace freshet::executor::internal
