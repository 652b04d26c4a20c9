// SPDX-License-Identifier: Apache-2.0
#include "connectors/sink_encoder.h"

#include <array>
#include <charconv>
#include <cmath>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <fmt/format.h>

#include "common/calendar.h"
#include "common/error.h"
#include "common/jsonb.h"
#include "common/numeric.h"
#include "common/text_format.h"
#include "connectors/internal/option_reader.h"

namespace freshet::connectors {

enum class SinkMessageEncoder::ValueKind : uint8_t {
  kNull,  // a column of unknown type: only NULLs
  kBoolean,
  kInt16,
  kInt32,
  kInt64,  // BIGINT and the object identifiers
  kReal,
  kDouble,
  kNumeric,
  kString,
  kBytea,
  kDate,
  kTime,
  kTimestamp,
  kTimestamptz,
  kInterval,
  kJsonb,
};

namespace {

constexpr std::string_view kEncodingOptionKeys[] = {"force_append_only", "primary_key", "type"};

bool ParseBooleanOption(OptionReader& options, std::string_view key) {
  const std::optional<std::string_view> text = options.Find(key);
  if (!text) {
    return false;
  }
  const std::string lower = AsciiLower(*text);
  if (lower == "true") {
    return true;
  }
  if (lower == "false") {
    return false;
  }
  throw OptionReader::InvalidValue(key, *text, "The value must be 'true' or 'false'.");
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && text.front() == ' ') {
    text.remove_prefix(1);
  }
  while (!text.empty() && text.back() == ' ') {
    text.remove_suffix(1);
  }
  return text;
}

/// The index of the column named `name`: an exact match first, then one ignoring ASCII case.
std::optional<size_t> FindColumn(const std::vector<std::string>& names, std::string_view name) {
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == name) {
      return i;
    }
  }
  const std::string lower = AsciiLower(name);
  for (size_t i = 0; i < names.size(); ++i) {
    if (AsciiLower(names[i]) == lower) {
      return i;
    }
  }
  return std::nullopt;
}

std::vector<size_t> ParsePrimaryKey(std::string_view text, const SinkSpec& spec) {
  std::vector<size_t> columns;
  while (true) {
    const size_t comma = text.find(',');
    const std::string_view name = Trim(text.substr(0, comma));
    if (name.empty()) {
      throw OptionReader::InvalidValue("primary_key", text,
                                       "The value must list column names separated by commas.");
    }
    const std::optional<size_t> column = FindColumn(spec.column_names, name);
    if (!column) {
      throw Error::UndefinedColumn(name).WithHint(
          "primary_key names the columns of the sink that make up the message key.");
    }
    for (const size_t seen : columns) {
      if (seen == *column) {
        throw Error(SqlState::kDuplicateColumn,
                    fmt::format("column \"{}\" appears twice in primary_key", name));
      }
    }
    columns.push_back(*column);
    if (comma == std::string_view::npos) {
      return columns;
    }
    text = text.substr(comma + 1);
  }
}

SinkFormat ParseFormat(const SinkSpec& spec, OptionReader& options) {
  const std::optional<std::string_view> type = options.Find("type");
  if (spec.format.empty()) {
    if (!type) {
      throw Error(SqlState::kInvalidParameterValue,
                  fmt::format("sink \"{}\" needs a FORMAT clause", spec.sink_name))
          .WithHint("Add FORMAT PLAIN, FORMAT UPSERT or FORMAT DEBEZIUM, then ENCODE JSON.");
    }
    // The spelling before FORMAT ... ENCODE existed.
    const std::string lower = AsciiLower(*type);
    if (lower == "append-only") {
      return SinkFormat::kPlain;
    }
    if (lower == "upsert") {
      return SinkFormat::kUpsert;
    }
    if (lower == "debezium") {
      return SinkFormat::kDebezium;
    }
    throw OptionReader::InvalidValue("type", *type,
                                     "The type must be 'append-only', 'upsert' or 'debezium'.");
  }
  if (type) {
    throw Error(SqlState::kInvalidParameterValue,
                "option \"type\" cannot be combined with a FORMAT clause")
        .WithHint("Remove the type option; FORMAT says the same.");
  }
  const std::string lower = AsciiLower(spec.format);
  if (lower == "plain") {
    return SinkFormat::kPlain;
  }
  if (lower == "upsert") {
    return SinkFormat::kUpsert;
  }
  if (lower == "debezium") {
    return SinkFormat::kDebezium;
  }
  throw Error(SqlState::kFeatureNotSupported,
              fmt::format("sink format \"{}\" is not supported", spec.format))
      .WithHint("The supported formats are PLAIN, UPSERT and DEBEZIUM.");
}

void AppendInteger(std::string& out, int64_t value) {
  char buffer[24];
  const auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);
  out.append(buffer, static_cast<size_t>(result.ptr - buffer));
}

/// Appends `value` (0 <= value < 10^digits) with leading zeros to `digits` digits.
void AppendPadded(std::string& out, int64_t value, int digits) {
  char buffer[20];
  for (int i = digits - 1; i >= 0; --i) {
    buffer[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  out.append(buffer, static_cast<size_t>(digits));
}

/// Appends "YYYY-MM-DD HH:MM:SS.ffffff", always six decimals, for years 1 to 9999; other
/// timestamps (BC, beyond 9999, infinity) as their Postgres text.
void AppendFixedTimestamp(std::string& out, int64_t micros) {
  if (!calendar::IsFiniteTimestamp(micros)) {
    AppendTimestamp(out, micros);
    return;
  }
  const int64_t days = calendar::FloorDiv(micros, calendar::kMicrosPerDay);
  const calendar::CivilDate date = calendar::CivilFromDays(days);
  if (date.year < 1 || date.year > 9999) {
    AppendTimestamp(out, micros);
    return;
  }
  int64_t clock = micros - days * calendar::kMicrosPerDay;
  AppendPadded(out, date.year, 4);
  out += '-';
  AppendPadded(out, date.month, 2);
  out += '-';
  AppendPadded(out, date.day, 2);
  out += ' ';
  AppendPadded(out, clock / calendar::kMicrosPerHour, 2);
  clock %= calendar::kMicrosPerHour;
  out += ':';
  AppendPadded(out, clock / calendar::kMicrosPerMinute, 2);
  clock %= calendar::kMicrosPerMinute;
  out += ':';
  AppendPadded(out, clock / calendar::kMicrosPerSecond, 2);
  out += '.';
  AppendPadded(out, clock % calendar::kMicrosPerSecond, 6);
}

void AppendBase64(std::string& out, std::string_view bytes) {
  constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const auto byte = [&](size_t i) { return static_cast<uint32_t>(static_cast<uint8_t>(bytes[i])); };
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const uint32_t group = byte(i) << 16 | byte(i + 1) << 8 | byte(i + 2);
    out += kAlphabet[group >> 18];
    out += kAlphabet[(group >> 12) & 63];
    out += kAlphabet[(group >> 6) & 63];
    out += kAlphabet[group & 63];
  }
  const size_t left = bytes.size() - i;
  if (left > 0) {
    const uint32_t group = byte(i) << 16 | (left == 2 ? byte(i + 1) << 8 : 0);
    out += kAlphabet[group >> 18];
    out += kAlphabet[(group >> 12) & 63];
    out += left == 2 ? kAlphabet[(group >> 6) & 63] : '=';
    out += '=';
  }
}

}  // namespace

std::span<const std::string_view> SinkEncodingOptionKeys() {
  return kEncodingOptionKeys;
}

SinkEncoding ParseSinkEncoding(const SinkSpec& spec) {
  if (spec.column_names.size() != spec.column_types.size()) {
    throw Error::Internal("sink spec has column names and types of different counts");
  }
  SinkEncoding encoding;
  encoding.visible_columns = spec.visible_columns.value_or(spec.column_names.size());
  if (encoding.visible_columns > spec.column_names.size()) {
    throw Error::Internal("sink spec has more visible columns than columns");
  }
  for (const size_t column : spec.key_columns) {
    if (column >= spec.column_names.size()) {
      throw Error::Internal("sink key column index out of range");
    }
  }
  for (size_t i = 0; i < encoding.visible_columns; ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (spec.column_names[i] == spec.column_names[j]) {
        throw Error(SqlState::kDuplicateColumn,
                    fmt::format("column \"{}\" specified more than once", spec.column_names[i]))
            .WithDetail("A sink writes its columns as JSON fields, which need distinct names.");
      }
    }
  }

  // The WITH options of the format; the connector reads the rest.
  OptionReader options(spec.options, "sink");
  encoding.format = ParseFormat(spec, options);
  const std::string encode = AsciiLower(spec.encode);
  if (!encode.empty() && encode != "json") {
    throw Error(SqlState::kFeatureNotSupported,
                fmt::format("sink encode \"{}\" is not supported", spec.encode))
        .WithHint("Freshet sinks write ENCODE JSON.");
  }
  bool force_append_only = ParseBooleanOption(options, "force_append_only");
  std::optional<std::vector<size_t>> primary_key;
  if (const std::optional<std::string_view> text = options.Find("primary_key")) {
    primary_key = ParsePrimaryKey(*text, spec);
  }

  OptionReader encode_options(spec.encode_options, "ENCODE JSON");
  force_append_only = ParseBooleanOption(encode_options, "force_append_only") || force_append_only;
  if (const std::optional<std::string_view> mode =
          encode_options.Find("timestamptz.handling.mode")) {
    const std::string lower = AsciiLower(*mode);
    if (lower == "utc_string") {
      encoding.timestamptz_mode = TimestamptzMode::kUtcString;
    } else if (lower == "utc_without_suffix") {
      encoding.timestamptz_mode = TimestamptzMode::kUtcWithoutSuffix;
    } else if (lower == "micro") {
      encoding.timestamptz_mode = TimestamptzMode::kMicro;
    } else if (lower == "milli") {
      encoding.timestamptz_mode = TimestamptzMode::kMilli;
    } else {
      throw OptionReader::InvalidValue(
          "timestamptz.handling.mode", *mode,
          "The mode must be 'utc_string', 'utc_without_suffix', 'micro' or 'milli'.");
    }
  }
  if (const std::optional<std::string_view> mode = encode_options.Find("jsonb.handling.mode")) {
    const std::string lower = AsciiLower(*mode);
    if (lower == "dynamic") {
      encoding.jsonb_mode = JsonbMode::kDynamic;
    } else if (lower == "string") {
      encoding.jsonb_mode = JsonbMode::kString;
    } else {
      throw OptionReader::InvalidValue("jsonb.handling.mode", *mode,
                                       "The mode must be 'dynamic' or 'string'.");
    }
  }
  if (const std::optional<std::string_view> mode = encode_options.Find("numeric.handling.mode")) {
    const std::string lower = AsciiLower(*mode);
    if (lower == "number") {
      encoding.numeric_mode = NumericMode::kNumber;
    } else if (lower == "string") {
      encoding.numeric_mode = NumericMode::kString;
    } else {
      throw OptionReader::InvalidValue("numeric.handling.mode", *mode,
                                       "The mode must be 'number' or 'string'.");
    }
  }
  encode_options.RejectUnread();

  if (encoding.format == SinkFormat::kPlain) {
    if (!spec.append_only && !force_append_only) {
      throw Error(
          SqlState::kFeatureNotSupported,
          fmt::format("sink \"{}\" cannot be FORMAT PLAIN: its input deletes or updates rows",
                      spec.sink_name))
          .WithDetail("FORMAT PLAIN writes inserted rows only.")
          .WithHint(
              "Use FORMAT UPSERT or FORMAT DEBEZIUM, or set force_append_only = 'true' to drop "
              "deletes and the old rows of updates.");
    }
    encoding.force_append_only = force_append_only;
    if (primary_key) {
      encoding.key_columns = std::move(*primary_key);
    }
    return encoding;
  }
  if (force_append_only) {
    throw Error(SqlState::kInvalidParameterValue,
                "option \"force_append_only\" applies to FORMAT PLAIN only");
  }
  encoding.key_columns = primary_key ? std::move(*primary_key) : spec.key_columns;
  if (encoding.key_columns.empty()) {
    throw Error(
        SqlState::kInvalidParameterValue,
        fmt::format("FORMAT {} needs a message key, and the input of sink \"{}\" has none",
                    encoding.format == SinkFormat::kUpsert ? "UPSERT" : "DEBEZIUM", spec.sink_name))
        .WithHint("Set primary_key = 'column[, ...]' to the columns that identify a row.");
  }
  return encoding;
}

SinkMessage& SinkMessageBatch::Add() {
  if (size_ == messages_.size()) {
    messages_.emplace_back();
  }
  SinkMessage& message = messages_[size_++];
  message.has_key = false;
  message.has_value = false;
  message.key.clear();
  message.value.clear();
  return message;
}

SinkMessageEncoder::SinkMessageEncoder(const SinkSpec& spec, SinkEncoding encoding)
    : encoding_(std::move(encoding)) {
  const auto field = [&](size_t column) {
    Field result;
    result.column = column;
    AppendJsonString(result.prefix, spec.column_names[column]);
    result.prefix += ':';
    switch (spec.column_types[column].id) {
      case TypeId::kUnknown:
        result.kind = ValueKind::kNull;
        break;
      case TypeId::kBoolean:
        result.kind = ValueKind::kBoolean;
        break;
      case TypeId::kSmallint:
        result.kind = ValueKind::kInt16;
        break;
      case TypeId::kInteger:
        result.kind = ValueKind::kInt32;
        break;
      case TypeId::kBigint:
      case TypeId::kOid:
      case TypeId::kRegclass:
      case TypeId::kRegtype:
      case TypeId::kRegproc:
      case TypeId::kRegnamespace:
        result.kind = ValueKind::kInt64;
        break;
      case TypeId::kReal:
        result.kind = ValueKind::kReal;
        break;
      case TypeId::kDouble:
        result.kind = ValueKind::kDouble;
        break;
      case TypeId::kNumeric:
        result.kind = ValueKind::kNumeric;
        break;
      case TypeId::kVarchar:
      case TypeId::kText:
        result.kind = ValueKind::kString;
        break;
      case TypeId::kBytea:
        result.kind = ValueKind::kBytea;
        break;
      case TypeId::kDate:
        result.kind = ValueKind::kDate;
        break;
      case TypeId::kTime:
        result.kind = ValueKind::kTime;
        break;
      case TypeId::kTimestamp:
        result.kind = ValueKind::kTimestamp;
        break;
      case TypeId::kTimestamptz:
        result.kind = ValueKind::kTimestamptz;
        break;
      case TypeId::kInterval:
        result.kind = ValueKind::kInterval;
        break;
      case TypeId::kJsonb:
        result.kind = ValueKind::kJsonb;
        break;
    }
    return result;
  };
  for (size_t column = 0; column < encoding_.visible_columns; ++column) {
    value_fields_.push_back(field(column));
  }
  for (const size_t column : encoding_.key_columns) {
    key_fields_.push_back(field(column));
  }
}

void SinkMessageEncoder::AppendValue(const Column& column,
                                     size_t row,
                                     ValueKind kind,
                                     std::string& out) const {
  if (kind == ValueKind::kNull || column.IsNull(row)) {
    out += "null";
    return;
  }
  switch (kind) {
    case ValueKind::kNull:
      return;
    case ValueKind::kBoolean:
      out += column.Data<uint8_t>()[row] != 0 ? "true" : "false";
      return;
    case ValueKind::kInt16:
      AppendInteger(out, column.Data<int16_t>()[row]);
      return;
    case ValueKind::kInt32:
      AppendInteger(out, column.Data<int32_t>()[row]);
      return;
    case ValueKind::kInt64:
      AppendInteger(out, column.Data<int64_t>()[row]);
      return;
    case ValueKind::kReal:
    case ValueKind::kDouble: {
      const double value =
          kind == ValueKind::kReal ? column.Data<float>()[row] : column.Data<double>()[row];
      // JSON has no NaN or infinities: those become strings, as Postgres spells them.
      const bool finite = std::isfinite(value);
      if (!finite) {
        out += '"';
      }
      AppendFloat(out, value, kind == ValueKind::kReal);
      if (!finite) {
        out += '"';
      }
      return;
    }
    case ValueKind::kNumeric: {
      const __int128 value = column.Data<__int128>()[row];
      const bool quoted =
          encoding_.numeric_mode == NumericMode::kString || numeric::IsSpecial(value);
      if (quoted) {
        out += '"';
      }
      numeric::Format(value, out);
      if (quoted) {
        out += '"';
      }
      return;
    }
    case ValueKind::kString:
      AppendJsonString(out, column.GetString(row));
      return;
    case ValueKind::kBytea:
      out += '"';
      AppendBase64(out, column.GetString(row));
      out += '"';
      return;
    case ValueKind::kDate:
      out += '"';
      AppendDate(out, column.Data<int32_t>()[row]);
      out += '"';
      return;
    case ValueKind::kTime:
      out += '"';
      AppendTime(out, column.Data<int64_t>()[row]);
      out += '"';
      return;
    case ValueKind::kTimestamp:
      out += '"';
      AppendFixedTimestamp(out, column.Data<int64_t>()[row]);
      out += '"';
      return;
    case ValueKind::kTimestamptz: {
      const int64_t micros = column.Data<int64_t>()[row];
      switch (encoding_.timestamptz_mode) {
        case TimestamptzMode::kMicro:
          AppendInteger(out, micros);
          return;
        case TimestamptzMode::kMilli:
          AppendInteger(out, calendar::FloorDiv(micros, calendar::kMicrosPerMillisecond));
          return;
        case TimestamptzMode::kUtcString:
        case TimestamptzMode::kUtcWithoutSuffix:
          out += '"';
          AppendFixedTimestamp(out, micros);
          if (encoding_.timestamptz_mode == TimestamptzMode::kUtcString &&
              calendar::IsFiniteTimestamp(micros)) {
            out += 'Z';
          }
          out += '"';
          return;
      }
      return;
    }
    case ValueKind::kInterval:
      out += '"';
      AppendInterval(out, column.Data<Interval>()[row]);
      out += '"';
      return;
    case ValueKind::kJsonb:
      if (encoding_.jsonb_mode == JsonbMode::kDynamic) {
        out += column.GetString(row);
      } else {
        AppendJsonString(out, column.GetString(row));
      }
      return;
  }
}

void SinkMessageEncoder::AppendObject(const Chunk& chunk,
                                      size_t row,
                                      const std::vector<Field>& fields,
                                      std::string& out) const {
  out += '{';
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) {
      out += ',';
    }
    const Field& field = fields[i];
    out += field.prefix;
    AppendValue(chunk.GetColumn(field.column), row, field.kind, out);
  }
  out += '}';
}

void SinkMessageEncoder::AppendDebezium(std::string_view before,
                                        std::string_view after,
                                        char op,
                                        int64_t ts_millis,
                                        std::string& out) const {
  out += "{\"before\":";
  out += before.empty() ? std::string_view("null") : before;
  out += ",\"after\":";
  out += after.empty() ? std::string_view("null") : after;
  out += ",\"op\":\"";
  out += op;
  out += "\",\"ts_ms\":";
  AppendInteger(out, ts_millis);
  out += '}';
}

void SinkMessageEncoder::EmitPendingDelete(int64_t ts_millis, SinkMessageBatch& out) {
  has_pending_ = false;
  SinkMessage& message = out.Add();
  message.has_key = true;
  message.key = pending_key_;
  if (encoding_.format == SinkFormat::kUpsert) {
    return;  // a tombstone
  }
  message.has_value = true;
  AppendDebezium(pending_row_, {}, 'd', ts_millis, message.value);
  // Debezium follows a delete with a tombstone, so log compaction can drop the key.
  SinkMessage& tombstone = out.Add();
  tombstone.has_key = true;
  tombstone.key = pending_key_;
}

void SinkMessageEncoder::EmitUpsert(const Chunk& chunk,
                                    size_t row,
                                    const std::string* before,
                                    int64_t ts_millis,
                                    SinkMessageBatch& out) {
  SinkMessage& message = out.Add();
  message.has_key = true;
  message.key = key_scratch_;
  message.has_value = true;
  if (encoding_.format == SinkFormat::kUpsert) {
    AppendObject(chunk, row, value_fields_, message.value);
    return;
  }
  row_scratch_.clear();
  AppendObject(chunk, row, value_fields_, row_scratch_);
  if (before != nullptr) {
    AppendDebezium(*before, row_scratch_, 'u', ts_millis, message.value);
  } else {
    AppendDebezium({}, row_scratch_, 'c', ts_millis, message.value);
  }
}

void SinkMessageEncoder::EncodeRow(const Chunk& chunk,
                                   size_t row,
                                   int64_t ts_millis,
                                   SinkMessageBatch& out) {
  const Op op = chunk.Ops()[row];
  if (encoding_.format == SinkFormat::kPlain) {
    // Validation allowed deletes and updates only with force_append_only, which drops them.
    if (op == Op::kInsert || op == Op::kUpdateInsert) {
      SinkMessage& message = out.Add();
      if (!key_fields_.empty()) {
        message.has_key = true;
        AppendObject(chunk, row, key_fields_, message.key);
      }
      message.has_value = true;
      AppendObject(chunk, row, value_fields_, message.value);
    }
    return;
  }
  key_scratch_.clear();
  AppendObject(chunk, row, key_fields_, key_scratch_);
  if (op == Op::kUpdateInsert && has_pending_ && pending_key_ == key_scratch_) {
    has_pending_ = false;
    EmitUpsert(chunk, row, &pending_row_, ts_millis, out);
    return;
  }
  // An update that changed the key deletes the old key; a lone UpdateDelete is a delete.
  if (has_pending_) {
    EmitPendingDelete(ts_millis, out);
  }
  switch (op) {
    case Op::kInsert:
    case Op::kUpdateInsert:
      EmitUpsert(chunk, row, nullptr, ts_millis, out);
      return;
    case Op::kDelete:
    case Op::kUpdateDelete:
      has_pending_ = true;
      pending_key_.swap(key_scratch_);
      pending_row_.clear();
      if (encoding_.format == SinkFormat::kDebezium) {
        AppendObject(chunk, row, value_fields_, pending_row_);
      }
      if (op == Op::kDelete) {
        EmitPendingDelete(ts_millis, out);
      }
      return;
  }
}

void SinkMessageEncoder::EncodeChunk(const Chunk& chunk, int64_t ts_millis, SinkMessageBatch& out) {
  for (size_t row = 0; row < chunk.NumRows(); ++row) {
    EncodeRow(chunk, row, ts_millis, out);
  }
}

void SinkMessageEncoder::Finish(int64_t ts_millis, SinkMessageBatch& out) {
  if (has_pending_) {
    EmitPendingDelete(ts_millis, out);
  }
}

}  // namespace freshet::connectors
