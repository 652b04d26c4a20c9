// SPDX-License-Identifier: Apache-2.0
#include "connectors/datagen_reader.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "common/calendar.h"
#include "common/column.h"
#include "common/error.h"
#include "common/numeric.h"
#include "common/serializer.h"
#include "common/text_format.h"
#include "connectors/internal/counter_random.h"
#include "connectors/internal/emission_pacer.h"
#include "connectors/internal/option_reader.h"

namespace freshet::connectors {
namespace {

constexpr double kDefaultRowsPerSecond = 10;
constexpr uint64_t kUnlimited = std::numeric_limits<uint64_t>::max();
constexpr int64_t kDefaultStringLength = 10;
constexpr int64_t kMaxStringLength = 1 << 20;
constexpr int64_t kDefaultMaxPastMicros = calendar::kMicrosPerDay;
constexpr int64_t kDefaultTimestampStart =
    calendar::DaysFromCivil(2024, 1, 1) * calendar::kMicrosPerDay;
constexpr int64_t kMaxTimestamp = std::numeric_limits<int64_t>::max() - 1;
constexpr std::string_view kAlphabet =
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
constexpr std::string_view kAttributes[] = {"kind", "start",  "end",  "step",    "min",
                                            "max",  "length", "seed", "max_past"};
constexpr uint8_t kPositionTag = 'D';
constexpr uint8_t kPositionVersion = 1;

/// How a column's values are made; chosen once per column so that a chunk switches once per column.
enum class Generator : uint8_t {
  kIntegerSequence,  // integers and timestamps: start + i * step
  kIntegerRandom,    // integers: uniform in [min, max]
  kTimestampRandom,  // start + i * step - uniform in [0, max_past]
  kFloatSequence,    // REAL, DOUBLE PRECISION: start + i * step
  kFloatRandom,      // uniform in [min, max)
  kNumericSequence,  // NUMERIC: unscaled start + i * step at `scale`
  kNumericRandom,    // NUMERIC: unscaled uniform in [min, max] at `scale`
  kBooleanRandom,
  kStringRandom,  // `length` characters of [a-zA-Z0-9]
};

/// The families of types datagen knows; the kinds and options depend only on the family.
enum class TypeFamily : uint8_t { kInteger, kFloat, kNumeric, kTimestamp, kBoolean, kString };

/// A column's generator with its parameters, resolved from the options at validation.
struct DatagenColumn {
  DataType type;
  Generator generator = Generator::kIntegerSequence;
  uint64_t random_key = 0;
  // Integers and timestamps (microseconds). For kTimestampRandom `max` holds max_past.
  int64_t start = 0;
  int64_t step = 1;
  int64_t min = 0;
  int64_t max = 0;
  double float_start = 0;
  double float_step = 1;
  double float_min = 0;
  double float_max = 1;
  // NUMERIC as unscaled integers at `scale` decimals.
  __int128 unscaled_start = 0;
  __int128 unscaled_step = 1;
  __int128 unscaled_min = 0;
  __int128 unscaled_max = 0;
  int32_t scale = 0;
  uint32_t length = 0;
};

/// A validated datagen source.
struct DatagenConfig {
  double rows_per_second = kDefaultRowsPerSecond;
  /// Rows of the whole stream (all shards): datagen.max.rows and the end of every sequence.
  uint64_t row_limit = kUnlimited;
  std::vector<DatagenColumn> columns;
};

std::optional<TypeFamily> FamilyOf(const DataType& type) {
  switch (type.id) {
    case TypeId::kSmallint:
    case TypeId::kInteger:
    case TypeId::kBigint:
      return TypeFamily::kInteger;
    case TypeId::kReal:
    case TypeId::kDouble:
      return TypeFamily::kFloat;
    case TypeId::kNumeric:
      return TypeFamily::kNumeric;
    case TypeId::kTimestamp:
    case TypeId::kTimestamptz:
      return TypeFamily::kTimestamp;
    case TypeId::kBoolean:
      return TypeFamily::kBoolean;
    case TypeId::kVarchar:
    case TypeId::kText:
      return TypeFamily::kString;
    default:
      return std::nullopt;
  }
}

std::pair<int64_t, int64_t> IntegerRange(TypeId id) {
  switch (id) {
    case TypeId::kSmallint:
      return {std::numeric_limits<int16_t>::min(), std::numeric_limits<int16_t>::max()};
    case TypeId::kInteger:
      return {std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max()};
    default:
      return {std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()};
  }
}

/// The number of terms start, start + step, ... that do not pass `bound` (inclusive), saturated.
uint64_t SequenceLength(__int128 start, __int128 step, __int128 bound) {
  __int128 count = 0;
  if (step > 0) {
    count = bound < start ? 0 : (bound - start) / step + 1;
  } else {
    count = bound > start ? 0 : (start - bound) / -step + 1;
  }
  return count > static_cast<__int128>(kUnlimited) ? kUnlimited : static_cast<uint64_t>(count);
}

__int128 PowerOfTen(int32_t exponent) {
  __int128 value = 1;
  for (int32_t i = 0; i < exponent; ++i) {
    value *= 10;
  }
  return value;
}

/// Resolves the options `fields.<column>.*` of one column.
class ColumnOptionParser {
 public:
  ColumnOptionParser(OptionReader& options,
                     std::string_view column_name,
                     DataType type,
                     uint64_t seed,
                     double rows_per_second)
      : options_(options),
        column_name_(column_name),
        prefix_("fields." + AsciiLower(column_name) + "."),
        type_(type),
        seed_(seed),
        rows_per_second_(rows_per_second) {}

  /// Returns the column's generator and the number of rows after which its sequence ends.
  std::pair<DatagenColumn, uint64_t> Parse() {
    const std::optional<TypeFamily> family = FamilyOf(type_);
    if (!family) {
      throw Error(SqlState::kDatatypeMismatch,
                  fmt::format("datagen cannot generate values of type {} for column \"{}\"",
                              type_.Name(), column_name_));
    }
    family_ = *family;
    // Without a kind, integers and timestamps are sequences unless an option only a random column
    // takes is given; other types are random.
    bool sequence = family_ == TypeFamily::kInteger || family_ == TypeFamily::kTimestamp;
    for (const std::string_view attribute : {"min", "max", "length", "seed", "max_past"}) {
      if (options_.Find(Key(attribute))) {
        sequence = false;
      }
    }
    const std::string kind_key = Key("kind");
    if (const std::optional<std::string_view> kind = options_.Find(kind_key)) {
      const std::string lower = AsciiLower(*kind);
      if (lower != "sequence" && lower != "random") {
        throw OptionReader::InvalidValue(kind_key, *kind,
                                         "The kind must be 'sequence' or 'random'.");
      }
      sequence = lower == "sequence";
    }
    if (sequence && (family_ == TypeFamily::kBoolean || family_ == TypeFamily::kString)) {
      throw Error(SqlState::kDatatypeMismatch,
                  fmt::format("datagen cannot generate a sequence of type {} for column \"{}\"",
                              type_.Name(), column_name_))
          .WithHint("Use kind 'random' for this column.");
    }
    RejectInapplicable(sequence);
    column_.type = type_;
    const std::optional<uint64_t> column_seed = options_.FindSeed(Key("seed"));
    column_.random_key = column_seed ? LabelKey(seed_, fmt::format("seed:{}", *column_seed))
                                     : LabelKey(seed_, AsciiLower(column_name_));
    switch (family_) {
      case TypeFamily::kInteger:
        sequence ? ParseIntegerSequence() : ParseIntegerRandom();
        break;
      case TypeFamily::kFloat:
        sequence ? ParseFloatSequence() : ParseFloatRandom();
        break;
      case TypeFamily::kNumeric:
        sequence ? ParseNumericSequence() : ParseNumericRandom();
        break;
      case TypeFamily::kTimestamp:
        ParseTimestampColumn(sequence);
        break;
      case TypeFamily::kBoolean:
        column_.generator = Generator::kBooleanRandom;
        break;
      case TypeFamily::kString:
        ParseString();
        break;
    }
    return {column_, rows_};
  }

 private:
  std::string Key(std::string_view attribute) const { return prefix_ + std::string(attribute); }

  void RejectInapplicable(bool sequence) {
    std::vector<std::string_view> applicable = {"kind"};
    if (sequence) {
      applicable.insert(applicable.end(), {"start", "end", "step"});
    } else {
      applicable.push_back("seed");
      if (family_ == TypeFamily::kTimestamp) {
        applicable.insert(applicable.end(), {"start", "step", "max_past"});
      } else if (family_ == TypeFamily::kString) {
        applicable.push_back("length");
      } else if (family_ != TypeFamily::kBoolean) {
        applicable.insert(applicable.end(), {"min", "max"});
      }
    }
    for (const std::string_view attribute : kAttributes) {
      if (std::find(applicable.begin(), applicable.end(), attribute) != applicable.end()) {
        continue;
      }
      const std::string key = Key(attribute);
      if (options_.Find(key)) {
        throw Error(SqlState::kInvalidParameterValue,
                    fmt::format("option \"{}\" does not apply to a {} column of type {}", key,
                                sequence ? "sequence" : "random", type_.Name()));
      }
    }
  }

  std::optional<int64_t> FindTypedInteger(std::string_view attribute) {
    const auto [lowest, highest] = IntegerRange(type_.id);
    return options_.FindInteger(Key(attribute), lowest, highest);
  }

  int64_t FindStep() {
    const std::string key = Key("step");
    const std::optional<int64_t> step = options_.FindInteger(
        key, std::numeric_limits<int64_t>::min() + 1, std::numeric_limits<int64_t>::max());
    if (step && *step == 0) {
      throw OptionReader::InvalidValue(key, *options_.Find(key), "The step must not be zero.");
    }
    return step.value_or(1);
  }

  /// Sets rows_ from the sequence's end, or from the last value the type holds.
  void LimitSequence(__int128 start,
                     __int128 step,
                     std::optional<__int128> end,
                     __int128 lowest,
                     __int128 highest) {
    if (end) {
      rows_ = SequenceLength(start, step, *end);
      if (rows_ == 0) {
        const std::string key = Key("end");
        throw OptionReader::InvalidValue(
            key, *options_.Find(key),
            "The sequence moves away from its end: the end must lie in the direction of the step.");
      }
    } else {
      rows_ = SequenceLength(start, step, step > 0 ? highest : lowest);
    }
  }

  void ParseIntegerSequence() {
    const auto [lowest, highest] = IntegerRange(type_.id);
    column_.generator = Generator::kIntegerSequence;
    column_.start = FindTypedInteger("start").value_or(1);
    column_.step = FindStep();
    const std::optional<int64_t> end = FindTypedInteger("end");
    LimitSequence(column_.start, column_.step, end ? std::optional<__int128>(*end) : std::nullopt,
                  lowest, highest);
  }

  void ParseIntegerRandom() {
    column_.generator = Generator::kIntegerRandom;
    column_.min = FindTypedInteger("min").value_or(0);
    column_.max = FindTypedInteger("max").value_or(IntegerRange(type_.id).second);
    if (column_.min > column_.max) {
      throw MinAboveMax();
    }
  }

  double FindFloat(std::string_view attribute, double fallback) {
    const std::string key = Key(attribute);
    const std::optional<double> value = options_.FindNumber(key, -DBL_MAX);
    if (value && type_.id == TypeId::kReal && std::fabs(*value) > FLT_MAX) {
      throw OptionReader::InvalidValue(key, *options_.Find(key),
                                       "The value is out of range for type real.");
    }
    return value.value_or(fallback);
  }

  void ParseFloatSequence() {
    column_.generator = Generator::kFloatSequence;
    column_.float_start = FindFloat("start", 1);
    column_.float_step = FindFloat("step", 1);
    if (column_.float_step == 0) {
      const std::string key = Key("step");
      throw OptionReader::InvalidValue(key, *options_.Find(key), "The step must not be zero.");
    }
    const std::string end_key = Key("end");
    if (options_.Find(end_key)) {
      const double end = FindFloat("end", 0);
      const double terms = std::floor((end - column_.float_start) / column_.float_step) + 1;
      if (!(terms >= 1)) {
        throw OptionReader::InvalidValue(
            end_key, *options_.Find(end_key),
            "The sequence moves away from its end: the end must lie in the direction of the step.");
      }
      rows_ = terms >= 1.8e19 ? kUnlimited : static_cast<uint64_t>(terms);
    }
  }

  void ParseFloatRandom() {
    column_.generator = Generator::kFloatRandom;
    column_.float_min = FindFloat("min", 0);
    column_.float_max = FindFloat("max", 1);
    if (column_.float_min > column_.float_max) {
      throw MinAboveMax();
    }
    if (!std::isfinite(column_.float_max - column_.float_min)) {
      const std::string key = Key("max");
      throw OptionReader::InvalidValue(key, *options_.Find(key), "The range is too wide.");
    }
  }

  /// Reads a NUMERIC option as written (packed), or `fallback`.
  __int128 FindPackedNumeric(std::string_view attribute, std::string_view fallback) {
    const std::string key = Key(attribute);
    const std::optional<std::string_view> text = options_.Find(key);
    __int128 packed = 0;
    try {
      packed = numeric::Parse(text.value_or(fallback));
    } catch (const Error& error) {
      throw OptionReader::InvalidValue(key, *text, "The value must be a number.");
    }
    if (numeric::IsSpecial(packed)) {
      throw OptionReader::InvalidValue(key, *text, "The value must be finite.");
    }
    return packed;
  }

  /// Fixes the working scale of a NUMERIC column from its typmod, or from the written values.
  void ResolveNumericScale(std::initializer_list<__int128> written) {
    if (type_.NumericPrecision() >= 0) {
      if (type_.NumericScale() < 0) {
        throw Error(SqlState::kDatatypeMismatch,
                    fmt::format("datagen cannot generate values of type {} for column \"{}\"",
                                type_.Name(), column_name_))
            .WithDetail("A negative numeric scale is not supported.");
      }
      column_.scale = type_.NumericScale();
      numeric_bound_ = PowerOfTen(type_.NumericPrecision()) - 1;
    } else {
      column_.scale = 0;
      for (const __int128 value : written) {
        column_.scale = std::max(column_.scale, numeric::Scale(value));
      }
      numeric_bound_ = numeric::kUnscaledLimit - 1;
    }
  }

  /// The unscaled integer of `packed` at the working scale, which must fit the type.
  __int128 AtScale(__int128 packed, std::string_view attribute) {
    const __int128 unscaled = numeric::Unscaled(numeric::Round(packed, column_.scale));
    if (unscaled > numeric_bound_ || unscaled < -numeric_bound_) {
      const std::string key = Key(attribute);
      throw OptionReader::InvalidValue(
          key, options_.Find(key).value_or(""),
          fmt::format("The value is out of range for type {}.", type_.Name()));
    }
    return unscaled;
  }

  void ParseNumericSequence() {
    column_.generator = Generator::kNumericSequence;
    const __int128 start = FindPackedNumeric("start", "1");
    const __int128 step = FindPackedNumeric("step", "1");
    const bool has_end = options_.Find(Key("end")).has_value();
    const __int128 end = has_end ? FindPackedNumeric("end", "0") : start;
    ResolveNumericScale({start, step, end});
    column_.unscaled_start = AtScale(start, "start");
    column_.unscaled_step = AtScale(step, "step");
    if (column_.unscaled_step == 0) {
      const std::string key = Key("step");
      throw OptionReader::InvalidValue(key, options_.Find(key).value_or("0"),
                                       "The step must not be zero at the column's scale.");
    }
    LimitSequence(column_.unscaled_start, column_.unscaled_step,
                  has_end ? std::optional<__int128>(AtScale(end, "end")) : std::nullopt,
                  -numeric_bound_, numeric_bound_);
  }

  void ParseNumericRandom() {
    column_.generator = Generator::kNumericRandom;
    const __int128 min = FindPackedNumeric("min", "0.00");
    const __int128 max = FindPackedNumeric("max", "100.00");
    ResolveNumericScale({min, max});
    column_.unscaled_min = AtScale(min, "min");
    column_.unscaled_max = AtScale(max, "max");
    if (column_.unscaled_min > column_.unscaled_max) {
      throw MinAboveMax();
    }
  }

  int64_t FindTimestamp(std::string_view attribute, int64_t fallback) {
    const std::string key = Key(attribute);
    const std::optional<std::string_view> text = options_.Find(key);
    if (!text) {
      return fallback;
    }
    int64_t micros = 0;
    try {
      micros = ParseTimestamp(*text, type_.id == TypeId::kTimestamptz);
    } catch (const Error& error) {
      throw OptionReader::InvalidValue(key, *text, error.Message());
    }
    if (!calendar::IsFiniteTimestamp(micros)) {
      throw OptionReader::InvalidValue(key, *text, "The timestamp must be finite.");
    }
    return micros;
  }

  void ParseTimestampColumn(bool sequence) {
    column_.generator = sequence ? Generator::kIntegerSequence : Generator::kTimestampRandom;
    column_.start = FindTimestamp("start", kDefaultTimestampStart);
    const std::string step_key = Key("step");
    const std::optional<int64_t> step = options_.FindDurationMicros(step_key);
    if (step) {
      if (*step == 0) {
        throw OptionReader::InvalidValue(step_key, *options_.Find(step_key),
                                         "The step must not be zero.");
      }
      column_.step = *step;
    } else if (rows_per_second_ > 0) {
      // Timestamps at the rate of the rows: one second of event time per second of reading.
      column_.step = std::max<int64_t>(
          1, std::llround(static_cast<double>(calendar::kMicrosPerSecond) / rows_per_second_));
    } else {
      column_.step = calendar::kMicrosPerMillisecond;
    }
    std::optional<__int128> end;
    if (sequence && options_.Find(Key("end"))) {
      end = FindTimestamp("end", 0);
    }
    LimitSequence(column_.start, column_.step, end, calendar::kMinTimestamp, kMaxTimestamp);
    if (!sequence) {
      const std::string key = Key("max_past");
      column_.max = options_.FindDurationMicros(key).value_or(kDefaultMaxPastMicros);
      if (column_.max < 0) {
        throw OptionReader::InvalidValue(key, *options_.Find(key),
                                         "The duration must not be negative.");
      }
    }
  }

  void ParseString() {
    column_.generator = Generator::kStringRandom;
    const std::optional<int32_t> max_length = type_.MaxLength();
    const std::string key = Key("length");
    int64_t length = std::min<int64_t>(kDefaultStringLength, max_length.value_or(kMaxStringLength));
    if (const std::optional<int64_t> written = options_.FindInteger(key, 0, kMaxStringLength)) {
      if (max_length && *written > *max_length) {
        throw OptionReader::InvalidValue(
            key, *options_.Find(key),
            fmt::format("Column \"{}\" is of type {}.", column_name_, type_.Name()));
      }
      length = *written;
    }
    column_.length = static_cast<uint32_t>(length);
  }

  Error MinAboveMax() const {
    return Error(SqlState::kInvalidParameterValue,
                 fmt::format("option \"{}\" must not be greater than option \"{}\"", Key("min"),
                             Key("max")));
  }

  OptionReader& options_;
  std::string_view column_name_;
  std::string prefix_;
  DataType type_;
  uint64_t seed_;
  double rows_per_second_;
  TypeFamily family_ = TypeFamily::kInteger;
  DatagenColumn column_;
  uint64_t rows_ = kUnlimited;
  __int128 numeric_bound_ = 0;
};

DatagenConfig ParseDatagenSpec(const SourceSpec& spec) {
  OptionReader options(spec.options, "datagen");
  options.Ignore("connector");
  options.Ignore("datagen.split.num");
  DatagenConfig config;
  config.rows_per_second =
      options.FindNumber("datagen.rows.per.second", 0).value_or(kDefaultRowsPerSecond);
  if (const std::optional<int64_t> max_rows =
          options.FindInteger("datagen.max.rows", 0, std::numeric_limits<int64_t>::max())) {
    config.row_limit = static_cast<uint64_t>(*max_rows);
  }
  const uint64_t seed = options.FindSeed("datagen.seed").value_or(0);

  // Every fields.<column>.<attribute> must name a declared column and a known attribute.
  options.ForEachWithPrefix("fields.", [&](std::string_view key, std::string_view) {
    const std::string_view rest = key.substr(std::string_view("fields.").size());
    const size_t dot = rest.rfind('.');
    if (dot == std::string_view::npos || dot == 0) {
      throw Error(SqlState::kInvalidParameterValue,
                  fmt::format("unrecognized datagen option \"{}\"", key))
          .WithHint("Column options are written fields.<column>.<option>.");
    }
    const std::string column = AsciiLower(rest.substr(0, dot));
    const bool declared =
        std::any_of(spec.column_names.begin(), spec.column_names.end(),
                    [&](const std::string& name) { return AsciiLower(name) == column; });
    if (!declared) {
      throw Error(SqlState::kUndefinedColumn, fmt::format("column \"{}\" does not exist", column))
          .WithDetail(
              fmt::format("Option \"{}\" names a column that source \"{}\" does not declare.", key,
                          spec.source_name));
    }
    const std::string_view attribute = rest.substr(dot + 1);
    if (std::find(std::begin(kAttributes), std::end(kAttributes), attribute) ==
        std::end(kAttributes)) {
      throw Error(SqlState::kInvalidParameterValue,
                  fmt::format("unrecognized datagen option \"{}\"", key))
          .WithHint(
              "The column options are kind, start, end, step, min, max, length, seed and "
              "max_past.");
    }
  });

  for (size_t i = 0; i < spec.column_names.size(); ++i) {
    auto [column, rows] = ColumnOptionParser(options, spec.column_names[i], spec.column_types[i],
                                             seed, config.rows_per_second)
                              .Parse();
    config.columns.push_back(column);
    config.row_limit = std::min(config.row_limit, rows);
  }
  options.RejectUnread();
  return config;
}

/// Makes room for `rows` more fixed-width values and returns where they go.
template <typename T>
T* AppendUninitialized(Column& column, size_t rows) {
  const size_t old_size = column.Size();
  column.ResizeFixed(old_size + rows);
  return column.MutableData<T>() + old_size;
}

/// Reads one shard of a datagen source. Not thread-safe.
class DatagenReader final : public SourceReader {
 public:
  DatagenReader(DatagenConfig config, uint32_t shard, uint32_t shard_count)
      : config_(std::move(config)),
        shard_(shard),
        shard_count_(shard_count),
        next_index_(shard),
        pacer_(config_.rows_per_second, shard) {
    uint32_t longest = 0;
    for (const DatagenColumn& column : config_.columns) {
      longest = std::max(longest, column.length);
    }
    scratch_.resize(longest);
  }

  size_t Read(Chunk& out, size_t max_rows) override {
    const uint64_t end = std::min(config_.row_limit, pacer_.DueEnd());
    if (next_index_ >= end || max_rows == 0) {
      return 0;
    }
    const uint64_t available = (end - next_index_ - 1) / shard_count_ + 1;
    const size_t rows = static_cast<size_t>(std::min<uint64_t>(available, max_rows));
    const size_t old_rows = out.NumRows();
    for (size_t c = 0; c < config_.columns.size(); ++c) {
      Fill(out.MutableColumn(c), config_.columns[c], rows);
    }
    out.SetNumRows(old_rows + rows);
    const uint64_t advance = static_cast<uint64_t>(rows) * shard_count_;
    next_index_ = advance > kUnlimited - next_index_ ? kUnlimited : next_index_ + advance;
    return rows;
  }

  bool Exhausted() const override { return next_index_ >= config_.row_limit; }

  int64_t MicrosUntilReady() const override {
    return Exhausted() ? 0 : pacer_.MicrosUntilDue(next_index_);
  }

  std::string SavePosition() const override {
    Serializer out;
    out.WriteU8(kPositionTag);
    out.WriteU8(kPositionVersion);
    out.WriteU32(shard_);
    out.WriteU32(shard_count_);
    out.WriteU64(next_index_);
    return std::move(out).Finish();
  }

  void RestorePosition(std::string_view position) override {
    Deserializer in(position);
    const uint8_t tag = in.ReadU8();
    const uint8_t version = in.ReadU8();
    const uint32_t shard = in.ReadU32();
    const uint32_t shard_count = in.ReadU32();
    const uint64_t next_index = in.ReadU64();
    if (tag != kPositionTag || version != kPositionVersion || !in.AtEnd()) {
      throw Error(SqlState::kDataCorrupted, "invalid datagen source position");
    }
    if (shard != shard_ || shard_count != shard_count_ ||
        (next_index != kUnlimited && next_index % shard_count_ != shard_)) {
      throw Error(SqlState::kDataCorrupted, "invalid datagen source position")
          .WithDetail(fmt::format("The position belongs to shard {} of {}, not shard {} of {}.",
                                  shard, shard_count, shard_, shard_count_));
    }
    next_index_ = next_index;
    pacer_.Restart(next_index_);
  }

 private:
  /// Appends `rows` values of `column` for the global indexes next_index_, + shard_count_, ...
  void Fill(Column& out, const DatagenColumn& column, size_t rows) {
    switch (out.Type().Physical()) {
      case PhysicalType::kInt16:
        return FillFixed<int16_t>(out, column, rows);
      case PhysicalType::kInt32:
        return FillFixed<int32_t>(out, column, rows);
      case PhysicalType::kInt64:
        return FillFixed<int64_t>(out, column, rows);
      case PhysicalType::kFloat32:
        return FillFixed<float>(out, column, rows);
      case PhysicalType::kFloat64:
        return FillFixed<double>(out, column, rows);
      case PhysicalType::kInt128:
        return FillFixed<__int128>(out, column, rows);
      case PhysicalType::kBool:
        return FillFixed<uint8_t>(out, column, rows);
      case PhysicalType::kString:
        return FillStrings(out, column, rows);
      case PhysicalType::kInterval:
        break;
    }
    throw Error::Internal("datagen column of an unsupported physical type");
  }

  template <typename T>
  void FillFixed(Column& out, const DatagenColumn& column, size_t rows) {
    T* data = AppendUninitialized<T>(out, rows);
    const uint64_t stride = shard_count_;
    uint64_t index = next_index_;
    switch (column.generator) {
      case Generator::kIntegerSequence:
        if constexpr (std::is_integral_v<T>) {
          // Unsigned arithmetic wraps instead of overflowing; row_limit keeps values in range.
          const uint64_t start = static_cast<uint64_t>(column.start);
          const uint64_t step = static_cast<uint64_t>(column.step);
          for (size_t k = 0; k < rows; ++k, index += stride) {
            data[k] = static_cast<T>(static_cast<int64_t>(start + index * step));
          }
          return;
        }
        break;
      case Generator::kIntegerRandom:
        if constexpr (std::is_integral_v<T>) {
          const uint64_t min = static_cast<uint64_t>(column.min);
          const uint64_t range = static_cast<uint64_t>(column.max) - min + 1;  // 0: all 2^64
          for (size_t k = 0; k < rows; ++k, index += stride) {
            CounterRandom random(column.random_key, index);
            const uint64_t offset = range == 0 ? random.Next() : random.Below(range);
            data[k] = static_cast<T>(static_cast<int64_t>(min + offset));
          }
          return;
        }
        break;
      case Generator::kTimestampRandom:
        if constexpr (std::is_same_v<T, int64_t>) {
          const uint64_t past_range = static_cast<uint64_t>(column.max) + 1;
          for (size_t k = 0; k < rows; ++k, index += stride) {
            CounterRandom random(column.random_key, index);
            const uint64_t base =
                static_cast<uint64_t>(column.start) + index * static_cast<uint64_t>(column.step);
            data[k] = static_cast<int64_t>(base - random.Below(past_range));
          }
          return;
        }
        break;
      case Generator::kFloatSequence:
        if constexpr (std::is_floating_point_v<T>) {
          for (size_t k = 0; k < rows; ++k, index += stride) {
            data[k] =
                static_cast<T>(column.float_start + static_cast<double>(index) * column.float_step);
          }
          return;
        }
        break;
      case Generator::kFloatRandom:
        if constexpr (std::is_floating_point_v<T>) {
          const double width = column.float_max - column.float_min;
          for (size_t k = 0; k < rows; ++k, index += stride) {
            CounterRandom random(column.random_key, index);
            data[k] = static_cast<T>(column.float_min + random.NextDouble() * width);
          }
          return;
        }
        break;
      case Generator::kNumericSequence:
        if constexpr (std::is_same_v<T, __int128>) {
          for (size_t k = 0; k < rows; ++k, index += stride) {
            const __int128 unscaled =
                column.unscaled_start + static_cast<__int128>(index) * column.unscaled_step;
            data[k] = unscaled * 256 + column.scale;
          }
          return;
        }
        break;
      case Generator::kNumericRandom:
        if constexpr (std::is_same_v<T, __int128>) {
          const unsigned __int128 range =
              static_cast<unsigned __int128>(column.unscaled_max - column.unscaled_min) + 1;
          for (size_t k = 0; k < rows; ++k, index += stride) {
            CounterRandom random(column.random_key, index);
            unsigned __int128 offset = 0;
            if (range <= std::numeric_limits<uint64_t>::max()) {
              offset = random.Below(static_cast<uint64_t>(range));
            } else {
              const unsigned __int128 bits =
                  (static_cast<unsigned __int128>(random.Next()) << 64) | random.Next();
              offset = bits % range;
            }
            data[k] = (column.unscaled_min + static_cast<__int128>(offset)) * 256 + column.scale;
          }
          return;
        }
        break;
      case Generator::kBooleanRandom:
        if constexpr (std::is_same_v<T, uint8_t>) {
          for (size_t k = 0; k < rows; ++k, index += stride) {
            data[k] = static_cast<uint8_t>(CounterRandom(column.random_key, index).Next() >> 63);
          }
          return;
        }
        break;
      case Generator::kStringRandom:
        break;
    }
    throw Error::Internal("datagen generator does not match the column's physical type");
  }

  void FillStrings(Column& out, const DatagenColumn& column, size_t rows) {
    if (column.generator != Generator::kStringRandom) {
      throw Error::Internal("datagen generator does not match the column's physical type");
    }
    out.Reserve(rows);
    const uint64_t stride = shard_count_;
    uint64_t index = next_index_;
    char* buffer = scratch_.data();
    for (size_t k = 0; k < rows; ++k, index += stride) {
      CounterRandom random(column.random_key, index);
      // Four characters per 64 random bits, 16 bits each (a bias of 1 in 1000 at most).
      size_t written = 0;
      while (written < column.length) {
        uint64_t bits = random.Next();
        for (int part = 0; part < 4 && written < column.length; ++part, bits >>= 16) {
          buffer[written++] = kAlphabet[((bits & 0xffff) * kAlphabet.size()) >> 16];
        }
      }
      out.AppendString(std::string_view(buffer, column.length));
    }
  }

  DatagenConfig config_;
  uint32_t shard_;
  uint32_t shard_count_;
  /// The global index of the next row this shard produces.
  uint64_t next_index_;
  EmissionPacer pacer_;
  std::string scratch_;
};

}  // namespace

void ValidateDatagenSource(const SourceSpec& spec) {
  ParseDatagenSpec(spec);
}

std::unique_ptr<SourceReader> CreateDatagenReader(const SourceSpec& spec,
                                                  uint32_t shard,
                                                  uint32_t shard_count) {
  return std::make_unique<DatagenReader>(ParseDatagenSpec(spec), shard, shard_count);
}

}  // namespace freshet::connectors
