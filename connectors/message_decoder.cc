// SPDX-License-Identifier: Apache-2.0
#include "connectors/message_decoder.h"

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <simdjson.h>

#include "common/calendar.h"
#include "common/error.h"
#include "common/jsonb.h"
#include "common/numeric.h"
#include "common/text_format.h"
#include "connectors/internal/option_reader.h"

namespace freshet::connectors {
namespace {

namespace ondemand = simdjson::ondemand;

/// Longest value quoted in an error message.
constexpr size_t kQuotedValueLimit = 64;

/// What a column's values are converted into.
enum class Target : uint8_t {
  kBoolean,
  kSmallint,
  kInteger,
  kBigint,
  kReal,
  kDouble,
  kNumeric,
  kString,
  kJsonb,
  kDate,
  kTime,
  kTimestamp,
  kTimestamptz,
  kInterval,
  kUnsupported,
};

Target TargetOf(const DataType& type) {
  switch (type.id) {
    case TypeId::kBoolean:
      return Target::kBoolean;
    case TypeId::kSmallint:
      return Target::kSmallint;
    case TypeId::kInteger:
      return Target::kInteger;
    case TypeId::kBigint:
      return Target::kBigint;
    case TypeId::kReal:
      return Target::kReal;
    case TypeId::kDouble:
      return Target::kDouble;
    case TypeId::kNumeric:
      return Target::kNumeric;
    case TypeId::kVarchar:
    case TypeId::kText:
      return Target::kString;
    case TypeId::kJsonb:
      return Target::kJsonb;
    case TypeId::kDate:
      return Target::kDate;
    case TypeId::kTime:
      return Target::kTime;
    case TypeId::kTimestamp:
      return Target::kTimestamp;
    case TypeId::kTimestamptz:
      return Target::kTimestamptz;
    case TypeId::kInterval:
      return Target::kInterval;
    default:
      return Target::kUnsupported;
  }
}

std::string_view TargetName(Target target) {
  switch (target) {
    case Target::kBoolean:
      return "boolean";
    case Target::kSmallint:
      return "smallint";
    case Target::kInteger:
      return "integer";
    case Target::kBigint:
      return "bigint";
    case Target::kReal:
      return "real";
    case Target::kDouble:
      return "double precision";
    case Target::kNumeric:
      return "numeric";
    case Target::kString:
      return "character varying";
    case Target::kJsonb:
      return "jsonb";
    case Target::kDate:
      return "date";
    case Target::kTime:
      return "time";
    case Target::kTimestamp:
      return "timestamp";
    case Target::kTimestamptz:
      return "timestamp with time zone";
    case Target::kInterval:
      return "interval";
    case Target::kUnsupported:
      break;
  }
  return "unsupported";
}

char AsciiLowerChar(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool EqualsIgnoringCase(std::string_view key, std::string_view lower_name) {
  if (key.size() != lower_name.size()) {
    return false;
  }
  for (size_t i = 0; i < key.size(); ++i) {
    if (AsciiLowerChar(key[i]) != lower_name[i]) {
      return false;
    }
  }
  return true;
}

bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}

/// Reads `count` digits at `text[position]`; false when they are not all digits.
bool ReadDigits(std::string_view text, size_t position, size_t count, int64_t& value) {
  if (position + count > text.size()) {
    return false;
  }
  value = 0;
  for (size_t i = position; i < position + count; ++i) {
    if (!IsDigit(text[i])) {
      return false;
    }
    value = value * 10 + (text[i] - '0');
  }
  return true;
}

/// Parses `YYYY-MM-DD` at the start of `text` into days since 1970-01-01.
bool ParseFastDate(std::string_view text, int64_t& days) {
  int64_t year;
  int64_t month;
  int64_t day;
  if (text.size() < 10 || !ReadDigits(text, 0, 4, year) || text[4] != '-' ||
      !ReadDigits(text, 5, 2, month) || text[7] != '-' || !ReadDigits(text, 8, 2, day)) {
    return false;
  }
  if (month < 1 || month > 12 || day < 1 ||
      day > calendar::DaysInMonth(year, static_cast<int>(month))) {
    return false;
  }
  days = calendar::DaysFromCivil(year, static_cast<int>(month), static_cast<int>(day));
  return true;
}

/// Parses the ISO-8601 shapes producers write (`2026-11-26T00:00:00.123Z`, `2026-11-26
/// 00:00:00+02:00`, `2026-11-26`) without throwing. A TIMESTAMP ignores a zone, as Postgres's
/// timestamp input does; a TIMESTAMPTZ without one is UTC. False for anything else.
bool ParseFastTimestamp(std::string_view text, bool with_zone, int64_t& micros) {
  int64_t days;
  if (!ParseFastDate(text, days)) {
    return false;
  }
  int64_t hour = 0;
  int64_t minute = 0;
  int64_t second = 0;
  int64_t fraction = 0;
  int64_t offset_seconds = 0;
  size_t position = 10;
  if (position < text.size()) {
    const char separator = text[position];
    if (separator != 'T' && separator != 't' && separator != ' ') {
      return false;
    }
    if (!ReadDigits(text, position + 1, 2, hour) || position + 3 >= text.size() ||
        text[position + 3] != ':' || !ReadDigits(text, position + 4, 2, minute)) {
      return false;
    }
    position += 6;
    if (position < text.size() && text[position] == ':') {
      if (!ReadDigits(text, position + 1, 2, second)) {
        return false;
      }
      position += 3;
      if (position < text.size() && (text[position] == '.' || text[position] == ',')) {
        ++position;
        int64_t scale = 100'000;
        const size_t first = position;
        bool round_up = false;
        while (position < text.size() && IsDigit(text[position])) {
          const int64_t digit = text[position] - '0';
          if (scale > 0) {
            fraction += digit * scale;
            scale /= 10;
          } else if (position == first + 6) {
            round_up = digit >= 5;
          }
          ++position;
        }
        if (position == first) {
          return false;
        }
        fraction += round_up ? 1 : 0;
      }
    }
    if (position < text.size() && text[position] == ' ') {
      ++position;
    }
    if (position < text.size()) {
      const char zone = text[position];
      if (zone == 'Z' || zone == 'z') {
        ++position;
      } else if (zone == '+' || zone == '-') {
        int64_t zone_hour;
        int64_t zone_minute = 0;
        if (!ReadDigits(text, position + 1, 2, zone_hour)) {
          return false;
        }
        position += 3;
        if (position < text.size() && text[position] == ':') {
          ++position;
        }
        if (position < text.size()) {
          if (!ReadDigits(text, position, 2, zone_minute)) {
            return false;
          }
          position += 2;
        }
        if (zone_hour > 15 || zone_minute > 59) {
          return false;
        }
        offset_seconds = (zone_hour * 3600 + zone_minute * 60) * (zone == '-' ? -1 : 1);
      } else {
        return false;
      }
    }
    if (position != text.size()) {
      return false;
    }
    const bool end_of_day = hour == 24 && minute == 0 && second == 0 && fraction == 0;
    if ((hour > 23 && !end_of_day) || minute > 59 || second > 60) {
      return false;
    }
  }
  micros = (days * calendar::kSecondsPerDay + hour * 3600 + minute * 60 + second) *
               calendar::kMicrosPerSecond +
           fraction;
  if (with_zone) {
    micros -= offset_seconds * calendar::kMicrosPerSecond;
  }
  return true;
}

/// True when text the fast parsers refused may still be a value Postgres reads ("infinity",
/// "BC", zone names, other date orders): then the slow, throwing parser gets a try.
bool WorthSlowParse(std::string_view text) {
  for (const char c : text) {
    const char lower = AsciiLowerChar(c);
    if (lower >= 'a' && lower <= 'z' && lower != 't' && lower != 'z') {
      return true;
    }
  }
  return text.find('/') != std::string_view::npos;
}

/// The number of characters of UTF-8 `text`.
size_t Utf8Length(std::string_view text) {
  size_t length = 0;
  for (const char c : text) {
    length += (static_cast<uint8_t>(c) & 0xc0) != 0x80 ? 1 : 0;
  }
  return length;
}

std::string Quote(std::string_view value) {
  if (value.size() > kQuotedValueLimit) {
    return fmt::format("\"{}...\"", value.substr(0, kQuotedValueLimit));
  }
  return fmt::format("\"{}\"", value);
}

}  // namespace

/// A source column as the decoder sees it.
struct DecodedColumn {
  std::string lower_name;
  DataType type;
  Target target;
  size_t output;
};

/// A converted value waiting for the rest of its row: rows are appended only once every field
/// converted, so a bad message leaves the chunk as it was.
struct Slot {
  bool is_null = true;
  int64_t integer = 0;
  double real = 0;
  __int128 numeric = 0;
  Interval interval;
  /// A string value: a view of the payload or the parser's buffers, or (`in_scratch`) a range of
  /// the decoder's scratch buffer, which may move while the row is decoded.
  std::string_view text;
  bool in_scratch = false;
  uint32_t scratch_offset = 0;
  uint32_t scratch_length = 0;
};

struct MessageDecoder::Impl {
  MessageFormat format;
  std::vector<DecodedColumn> columns;
  std::vector<Slot> slots;
  std::string scratch;
  JsonbParser jsonb_parser;
  ondemand::parser json_parser;
  /// The payload with simdjson's padding after it.
  std::vector<char> padded;
  /// CSV: quoted fields after unescaping; reserved to the payload size first, so views into it
  /// stay valid while a record is split.
  std::string csv_unescaped;
  std::vector<std::string_view> csv_fields;
  std::vector<uint8_t> csv_quoted;
  /// CSV with a header: the column of each field, -1 for none; empty until the header arrived.
  std::vector<int32_t> csv_field_columns;
  bool csv_header_seen = false;

  std::string* error = nullptr;

  bool Fail(std::string message) {
    *error = std::move(message);
    return false;
  }
  bool FailField(const DecodedColumn& column, std::string message) {
    *error = fmt::format("field \"{}\": {}", column.lower_name, message);
    return false;
  }

  int32_t ColumnOf(std::string_view key, int32_t hint) const {
    const int32_t count = static_cast<int32_t>(columns.size());
    // Fields usually arrive in column order: try the one after the last match first.
    for (int32_t i = 0; i < count; ++i) {
      const int32_t candidate = (hint + i) % count;
      if (EqualsIgnoringCase(key, columns[candidate].lower_name)) {
        return candidate;
      }
    }
    return -1;
  }

  void SetScratchText(Slot& slot, size_t offset) {
    slot.in_scratch = true;
    slot.scratch_offset = static_cast<uint32_t>(offset);
    slot.scratch_length = static_cast<uint32_t>(scratch.size() - offset);
    slot.is_null = false;
  }

  bool ConvertJsonbText(const DecodedColumn& column, std::string_view json, Slot& slot) {
    const size_t offset = scratch.size();
    try {
      jsonb_parser.Parse(json, scratch);
    } catch (const Error& error) {
      scratch.resize(offset);
      return FailField(column, error.Message());
    }
    SetScratchText(slot, offset);
    return true;
  }

  bool ConvertInteger(const DecodedColumn& column, int64_t value, Slot& slot) {
    int64_t min = std::numeric_limits<int64_t>::min();
    int64_t max = std::numeric_limits<int64_t>::max();
    if (column.target == Target::kSmallint) {
      min = std::numeric_limits<int16_t>::min();
      max = std::numeric_limits<int16_t>::max();
    } else if (column.target == Target::kInteger) {
      min = std::numeric_limits<int32_t>::min();
      max = std::numeric_limits<int32_t>::max();
    }
    if (value < min || value > max) {
      return FailField(column, fmt::format("value {} is out of range for type {}", value,
                                           TargetName(column.target)));
    }
    slot.integer = value;
    slot.is_null = false;
    return true;
  }

  bool ConvertEpochMillis(const DecodedColumn& column, int64_t millis, Slot& slot) {
    constexpr int64_t kLimit =
        std::numeric_limits<int64_t>::max() / calendar::kMicrosPerMillisecond;
    if (millis > kLimit || millis < -kLimit ||
        !calendar::IsValidTimestamp(millis * calendar::kMicrosPerMillisecond)) {
      return FailField(column, "timestamp out of range");
    }
    slot.integer = millis * calendar::kMicrosPerMillisecond;
    slot.is_null = false;
    return true;
  }

  /// Converts text (a CSV field or a JSON string) to the column's type.
  bool ConvertText(const DecodedColumn& column, std::string_view text, Slot& slot) {
    switch (column.target) {
      case Target::kBoolean: {
        bool value;
        if (!ParseBoolean(text, value)) {
          return FailField(column, "invalid input syntax for type boolean: " + Quote(text));
        }
        slot.integer = value ? 1 : 0;
        slot.is_null = false;
        return true;
      }
      case Target::kSmallint:
      case Target::kInteger:
      case Target::kBigint: {
        int64_t value;
        if (!ParseOptionInteger(text, value)) {
          return FailField(column, fmt::format("invalid input syntax for type {}: {}",
                                               TargetName(column.target), Quote(text)));
        }
        return ConvertInteger(column, value, slot);
      }
      case Target::kReal:
      case Target::kDouble: {
        double value;
        if (!ParseOptionNumber(text, value)) {
          const std::string lower = AsciiLower(text);
          if (lower == "nan") {
            value = std::numeric_limits<double>::quiet_NaN();
          } else if (lower == "infinity" || lower == "inf") {
            value = std::numeric_limits<double>::infinity();
          } else if (lower == "-infinity" || lower == "-inf") {
            value = -std::numeric_limits<double>::infinity();
          } else {
            return FailField(column, fmt::format("invalid input syntax for type {}: {}",
                                                 TargetName(column.target), Quote(text)));
          }
        }
        if (column.target == Target::kReal && std::isfinite(value) &&
            std::fabs(value) > std::numeric_limits<float>::max()) {
          return FailField(column, "value out of range for type real");
        }
        slot.real = value;
        slot.is_null = false;
        return true;
      }
      case Target::kNumeric:
        try {
          slot.numeric =
              numeric::Parse(text, column.type.NumericPrecision(), column.type.NumericScale());
        } catch (const Error& error) {
          return FailField(column, error.Message());
        }
        slot.is_null = false;
        return true;
      case Target::kString:
        if (const std::optional<int32_t> limit = column.type.MaxLength();
            limit && text.size() > static_cast<size_t>(*limit) &&
            Utf8Length(text) > static_cast<size_t>(*limit)) {
          return FailField(column,
                           fmt::format("value too long for type character varying({})", *limit));
        }
        slot.text = text;
        slot.in_scratch = false;
        slot.is_null = false;
        return true;
      case Target::kJsonb:
        return ConvertJsonbText(column, text, slot);
      case Target::kDate: {
        int64_t days;
        if (text.size() == 10 && ParseFastDate(text, days)) {
          slot.integer = days;
          slot.is_null = false;
          return true;
        }
        return SlowParse(column, text, slot);
      }
      case Target::kTimestamp:
      case Target::kTimestamptz: {
        int64_t micros;
        if (ParseFastTimestamp(text, column.target == Target::kTimestamptz, micros)) {
          slot.integer = micros;
          slot.is_null = false;
          return true;
        }
        return SlowParse(column, text, slot);
      }
      case Target::kTime:
      case Target::kInterval:
        return SlowParse(column, text, slot);
      case Target::kUnsupported:
        break;
    }
    return FailField(column, "unsupported column type");
  }

  /// Postgres's own input functions, which throw: only for the rarer shapes.
  bool SlowParse(const DecodedColumn& column, std::string_view text, Slot& slot) {
    const bool date_time = column.target == Target::kDate || column.target == Target::kTimestamp ||
                           column.target == Target::kTimestamptz;
    if (date_time && !WorthSlowParse(text)) {
      return FailField(column, fmt::format("invalid input syntax for type {}: {}",
                                           TargetName(column.target), Quote(text)));
    }
    try {
      switch (column.target) {
        case Target::kDate:
          slot.integer = ParseDate(text);
          break;
        case Target::kTimestamp:
          slot.integer = ParseTimestamp(text, false);
          break;
        case Target::kTimestamptz:
          slot.integer = ParseTimestamp(text, true);
          break;
        case Target::kTime:
          slot.integer = ParseTime(text);
          break;
        case Target::kInterval:
          slot.interval = ParseInterval(text);
          break;
        default:
          return FailField(column, "unsupported column type");
      }
    } catch (const Error& error) {
      return FailField(column, error.Message());
    }
    slot.is_null = false;
    return true;
  }

  bool FailJsonType(const DecodedColumn& column, std::string_view found) {
    return FailField(column,
                     fmt::format("expected {}, found {}", TargetName(column.target), found));
  }

  bool ConvertJson(const DecodedColumn& column, ondemand::value value, Slot& slot) {
    ondemand::json_type type;
    if (value.type().get(type) != simdjson::SUCCESS) {
      return FailField(column, "invalid JSON value");
    }
    if (type == ondemand::json_type::null) {
      // A JSON null needs to be consumed; is_null checks the token.
      bool is_null = false;
      if (value.is_null().get(is_null) != simdjson::SUCCESS || !is_null) {
        return FailField(column, "invalid JSON value");
      }
      slot.is_null = true;
      return true;
    }
    if (column.target == Target::kJsonb) {
      std::string_view raw;
      simdjson::error_code code = simdjson::SUCCESS;
      if (type == ondemand::json_type::object) {
        ondemand::object object;
        code = value.get_object().get(object);
        if (code == simdjson::SUCCESS) {
          code = object.raw_json().get(raw);
        }
      } else if (type == ondemand::json_type::array) {
        ondemand::array array;
        code = value.get_array().get(array);
        if (code == simdjson::SUCCESS) {
          code = array.raw_json().get(raw);
        }
      } else {
        raw = value.raw_json_token();
      }
      if (code != simdjson::SUCCESS) {
        return FailField(column, std::string("invalid JSON: ") + simdjson::error_message(code));
      }
      return ConvertJsonbText(column, raw, slot);
    }
    switch (type) {
      case ondemand::json_type::string: {
        std::string_view text;
        if (value.get_string().get(text) != simdjson::SUCCESS) {
          return FailField(column, "invalid JSON string");
        }
        return ConvertText(column, text, slot);
      }
      case ondemand::json_type::number:
        return ConvertJsonNumber(column, value, slot);
      case ondemand::json_type::boolean: {
        bool flag;
        if (value.get_bool().get(flag) != simdjson::SUCCESS) {
          return FailField(column, "invalid JSON boolean");
        }
        if (column.target != Target::kBoolean) {
          return FailJsonType(column, "a boolean");
        }
        slot.integer = flag ? 1 : 0;
        slot.is_null = false;
        return true;
      }
      case ondemand::json_type::object:
        return FailJsonType(column, "an object");
      case ondemand::json_type::array:
        return FailJsonType(column, "an array");
      case ondemand::json_type::null:
        break;
    }
    return FailField(column, "invalid JSON value");
  }

  bool ConvertJsonNumber(const DecodedColumn& column, ondemand::value value, Slot& slot) {
    switch (column.target) {
      case Target::kSmallint:
      case Target::kInteger:
      case Target::kBigint:
      case Target::kTimestamp:
      case Target::kTimestamptz: {
        int64_t number;
        const simdjson::error_code code = value.get_int64().get(number);
        if (code == simdjson::NUMBER_OUT_OF_RANGE) {
          return FailField(
              column, fmt::format("value out of range for type {}", TargetName(column.target)));
        }
        if (code == simdjson::INCORRECT_TYPE) {
          // simdjson reads an integer beyond 64 bits as a double.
          std::string_view raw = value.raw_json_token();
          while (!raw.empty() && (raw.back() == ' ' || raw.back() == '\n' || raw.back() == '\r' ||
                                  raw.back() == '\t')) {
            raw.remove_suffix(1);
          }
          const bool integral =
              !raw.empty() && raw.find_first_not_of("-0123456789") == std::string_view::npos;
          return FailField(column, integral ? fmt::format("value out of range for type {}",
                                                          TargetName(column.target))
                                            : std::string("expected an integer"));
        }
        if (code != simdjson::SUCCESS) {
          return FailField(column, "invalid JSON number");
        }
        if (column.target == Target::kTimestamp || column.target == Target::kTimestamptz) {
          return ConvertEpochMillis(column, number, slot);
        }
        return ConvertInteger(column, number, slot);
      }
      case Target::kReal:
      case Target::kDouble: {
        double number;
        if (value.get_double().get(number) != simdjson::SUCCESS) {
          return FailField(column, "invalid JSON number");
        }
        if (column.target == Target::kReal &&
            std::fabs(number) > std::numeric_limits<float>::max()) {
          return FailField(column, "value out of range for type real");
        }
        slot.real = number;
        slot.is_null = false;
        return true;
      }
      case Target::kNumeric: {
        std::string_view raw;
        raw = value.raw_json_token();
        while (!raw.empty() && (raw.back() == ' ' || raw.back() == '\t' || raw.back() == '\n' ||
                                raw.back() == '\r')) {
          raw.remove_suffix(1);
        }
        return ConvertText(column, raw, slot);
      }
      default:
        return FailJsonType(column, "a number");
    }
  }

  bool DecodeJson(std::string_view payload) {
    if (format.scalar_payload && columns.size() == 1) {
      const size_t first = payload.find_first_not_of(" \t\r\n");
      if (first == std::string_view::npos || payload[first] != '{') {
        return DecodeScalar(payload);
      }
    }
    padded.resize(payload.size() + simdjson::SIMDJSON_PADDING);
    std::memcpy(padded.data(), payload.data(), payload.size());
    ondemand::document document;
    simdjson::error_code code =
        json_parser.iterate(padded.data(), payload.size(), padded.size()).get(document);
    if (code != simdjson::SUCCESS) {
      return Fail(std::string("invalid JSON: ") + simdjson::error_message(code));
    }
    // simdjson 3.0's on-demand API does not report content after the document; an object must
    // end with its closing brace.
    size_t last = payload.size();
    while (last > 0 && (payload[last - 1] == ' ' || payload[last - 1] == '\n' ||
                        payload[last - 1] == '\r' || payload[last - 1] == '\t')) {
      --last;
    }
    ondemand::object object;
    code = document.get_object().get(object);
    if (code == simdjson::SUCCESS && (last == 0 || payload[last - 1] != '}')) {
      return Fail("invalid JSON: content after the top-level object");
    }
    if (code == simdjson::INCORRECT_TYPE) {
      return Fail("expected a JSON object");
    }
    if (code != simdjson::SUCCESS) {
      return Fail(std::string("invalid JSON: ") + simdjson::error_message(code));
    }
    int32_t hint = 0;
    for (auto field_result : object) {
      ondemand::field field;
      code = std::move(field_result).get(field);
      if (code != simdjson::SUCCESS) {
        return Fail(std::string("invalid JSON: ") + simdjson::error_message(code));
      }
      std::string_view key;
      code = field.unescaped_key().get(key);
      if (code != simdjson::SUCCESS) {
        return Fail(std::string("invalid JSON: ") + simdjson::error_message(code));
      }
      const int32_t index = ColumnOf(key, hint);
      if (index < 0) {
        continue;
      }
      hint = index + 1;
      if (!ConvertJson(columns[index], field.value(), slots[index])) {
        return false;
      }
    }
    return true;
  }

  /// A payload that is one value rather than an object: a JSON string, unescaped, or bare text
  /// (a number, a boolean, a word) read as the single column's type.
  bool DecodeScalar(std::string_view payload) {
    const size_t first = payload.find_first_not_of(" \t\r\n");
    const size_t last = payload.find_last_not_of(" \t\r\n");
    std::string_view text = first == std::string_view::npos
                                ? std::string_view()
                                : payload.substr(first, last + 1 - first);
    if (text.empty() || text == "null") {
      return Fail("no value");
    }
    if (text.front() == '"') {
      padded.resize(text.size() + simdjson::SIMDJSON_PADDING);
      std::memcpy(padded.data(), text.data(), text.size());
      ondemand::document document;
      simdjson::error_code code =
          json_parser.iterate(padded.data(), text.size(), padded.size()).get(document);
      if (code == simdjson::SUCCESS) {
        code = document.get_string().get(text);
      }
      if (code != simdjson::SUCCESS) {
        return Fail(std::string("invalid JSON: ") + simdjson::error_message(code));
      }
    }
    return ConvertText(columns[0], text, slots[0]);
  }

  /// Splits a CSV record into csv_fields; false on bad quoting.
  bool SplitCsv(std::string_view record) {
    csv_fields.clear();
    csv_quoted.clear();
    csv_unescaped.clear();
    csv_unescaped.reserve(record.size());
    const char delimiter = format.csv_delimiter;
    size_t position = 0;
    while (true) {
      if (position < record.size() && record[position] == '"') {
        const size_t begin = csv_unescaped.size();
        size_t cursor = position + 1;
        while (true) {
          const size_t quote = record.find('"', cursor);
          if (quote == std::string_view::npos) {
            return Fail("unterminated quoted CSV field");
          }
          csv_unescaped.append(record.substr(cursor, quote - cursor));
          if (quote + 1 < record.size() && record[quote + 1] == '"') {
            csv_unescaped.push_back('"');
            cursor = quote + 2;
            continue;
          }
          position = quote + 1;
          break;
        }
        if (position < record.size() && record[position] != delimiter) {
          return Fail("unexpected character after a closing quote in CSV field " +
                      std::to_string(csv_fields.size() + 1));
        }
        csv_fields.push_back(std::string_view(csv_unescaped).substr(begin));
        csv_quoted.push_back(1);
      } else {
        size_t end = record.find(delimiter, position);
        if (end == std::string_view::npos) {
          end = record.size();
        }
        const std::string_view field = record.substr(position, end - position);
        if (field.find('"') != std::string_view::npos) {
          return Fail("quote inside unquoted CSV field " + std::to_string(csv_fields.size() + 1));
        }
        csv_fields.push_back(field);
        csv_quoted.push_back(0);
        position = end;
      }
      if (position >= record.size()) {
        return true;
      }
      ++position;  // the delimiter
    }
  }

  DecodeStatus DecodeCsv(std::string_view payload) {
    if (payload.ends_with('\n')) {
      payload.remove_suffix(1);
      if (payload.ends_with('\r')) {
        payload.remove_suffix(1);
      }
    }
    if (!SplitCsv(payload)) {
      return DecodeStatus::kError;
    }
    if (format.csv_header && !csv_header_seen) {
      csv_field_columns.clear();
      for (const std::string_view name : csv_fields) {
        csv_field_columns.push_back(ColumnOf(name, 0));
      }
      csv_header_seen = true;
      return DecodeStatus::kSkipped;
    }
    const size_t expected = format.csv_header ? csv_field_columns.size() : columns.size();
    if (csv_fields.size() != expected) {
      Fail(fmt::format("expected {} CSV fields, found {}", expected, csv_fields.size()));
      return DecodeStatus::kError;
    }
    for (size_t i = 0; i < csv_fields.size(); ++i) {
      const int32_t index = format.csv_header ? csv_field_columns[i] : static_cast<int32_t>(i);
      if (index < 0) {
        continue;
      }
      if (csv_fields[i].empty() && csv_quoted[i] == 0) {
        slots[index].is_null = true;
        continue;
      }
      if (!ConvertText(columns[index], csv_fields[i], slots[index])) {
        return DecodeStatus::kError;
      }
    }
    return DecodeStatus::kRow;
  }

  void Commit(Chunk& out) {
    for (size_t i = 0; i < columns.size(); ++i) {
      const DecodedColumn& column = columns[i];
      const Slot& slot = slots[i];
      Column& target = out.MutableColumn(column.output);
      if (slot.is_null) {
        target.AppendNull();
        continue;
      }
      switch (column.target) {
        case Target::kBoolean:
          target.Append<uint8_t>(static_cast<uint8_t>(slot.integer));
          break;
        case Target::kSmallint:
          target.Append<int16_t>(static_cast<int16_t>(slot.integer));
          break;
        case Target::kInteger:
        case Target::kDate:
          target.Append<int32_t>(static_cast<int32_t>(slot.integer));
          break;
        case Target::kBigint:
        case Target::kTime:
        case Target::kTimestamp:
        case Target::kTimestamptz:
          target.Append<int64_t>(slot.integer);
          break;
        case Target::kReal:
          target.Append<float>(static_cast<float>(slot.real));
          break;
        case Target::kDouble:
          target.Append<double>(slot.real);
          break;
        case Target::kNumeric:
          target.Append<__int128>(slot.numeric);
          break;
        case Target::kInterval:
          target.Append<Interval>(slot.interval);
          break;
        case Target::kString:
        case Target::kJsonb:
          target.AppendString(slot.in_scratch ? std::string_view(scratch).substr(
                                                    slot.scratch_offset, slot.scratch_length)
                                              : slot.text);
          break;
        case Target::kUnsupported:
          target.AppendNull();
          break;
      }
    }
  }
};

MessageFormat ParseMessageFormat(std::string_view format,
                                 std::string_view encode,
                                 const ConnectorOptions& encode_options) {
  const std::string format_lower = AsciiLower(format);
  if (!format_lower.empty() && format_lower != "plain" && format_lower != "upsert") {
    throw Error(SqlState::kInvalidParameterValue,
                fmt::format("format \"{}\" is not supported", format))
        .WithHint("Use FORMAT PLAIN, or FORMAT UPSERT for a table.");
  }
  MessageFormat result;
  result.upsert = format_lower == "upsert";
  const std::string encode_lower = AsciiLower(encode);
  if (result.upsert && encode_lower != "json") {
    throw Error(SqlState::kInvalidParameterValue,
                fmt::format("FORMAT UPSERT does not support encode \"{}\"", encode))
        .WithHint("Use FORMAT UPSERT ENCODE JSON.");
  }
  OptionReader options(encode_options, "encode");
  if (encode_lower == "json" || encode_lower.empty()) {
    result.encoding = MessageEncoding::kJson;
  } else if (encode_lower == "csv") {
    result.encoding = MessageEncoding::kCsv;
    if (const std::optional<std::string_view> delimiter = options.Find("delimiter")) {
      std::string_view value = *delimiter;
      if (value == "\\t") {
        value = "\t";
      }
      if (value.size() != 1 || value[0] == '"' || value[0] == '\n' || value[0] == '\r') {
        throw OptionReader::InvalidValue("delimiter", *delimiter,
                                         "The delimiter must be one character other than a "
                                         "quote or a line break.");
      }
      result.csv_delimiter = value[0];
    }
    const auto read_flag = [&](std::string_view key) -> std::optional<bool> {
      const std::optional<std::string_view> text = options.Find(key);
      if (!text) {
        return std::nullopt;
      }
      bool value;
      if (!ParseBoolean(*text, value)) {
        throw OptionReader::InvalidValue(key, *text, "The value must be true or false.");
      }
      return value;
    };
    const std::optional<bool> without_header = read_flag("without_header");
    const std::optional<bool> header = read_flag("header");
    if (without_header && header && *without_header == *header) {
      throw Error(SqlState::kInvalidParameterValue,
                  "options \"without_header\" and \"header\" conflict");
    }
    result.csv_header = header.value_or(without_header ? !*without_header : false);
  } else {
    throw Error(SqlState::kInvalidParameterValue,
                fmt::format("encode \"{}\" is not supported", encode))
        .WithHint("Use ENCODE JSON or ENCODE CSV.");
  }
  options.RejectUnread();
  return result;
}

void ValidateDecodedColumns(const std::vector<std::string>& column_names,
                            const std::vector<DataType>& column_types) {
  for (size_t i = 0; i < column_types.size(); ++i) {
    if (TargetOf(column_types[i]) == Target::kUnsupported) {
      throw Error(SqlState::kDatatypeMismatch,
                  fmt::format("column \"{}\" has type {}, which messages cannot be decoded into",
                              column_names[i], column_types[i].Name()));
    }
  }
}

MessageDecoder::MessageDecoder(std::vector<std::string> column_names,
                               std::vector<DataType> column_types,
                               std::vector<size_t> output_columns,
                               MessageFormat format)
    : impl_(std::make_unique<Impl>()) {
  FRESHET_CHECK(
      column_names.size() == column_types.size() && column_names.size() == output_columns.size(),
      "decoder columns, types and outputs differ in number");
  ValidateDecodedColumns(column_names, column_types);
  impl_->format = format;
  impl_->error = &error_;
  for (size_t i = 0; i < column_names.size(); ++i) {
    impl_->columns.push_back(DecodedColumn{AsciiLower(column_names[i]), column_types[i],
                                           TargetOf(column_types[i]), output_columns[i]});
  }
  impl_->slots.resize(column_names.size());
}

MessageDecoder::~MessageDecoder() = default;

DecodeStatus MessageDecoder::Decode(std::string_view payload, Chunk& out) {
  const DecodeStatus status = Parse(payload);
  if (status == DecodeStatus::kRow) {
    impl_->Commit(out);
  }
  return status;
}

DecodeStatus MessageDecoder::Parse(std::string_view payload) {
  Impl& impl = *impl_;
  if (impl.format.max_message_bytes != 0 && payload.size() > impl.format.max_message_bytes) {
    error_ = fmt::format("message of {} bytes exceeds the limit of {} bytes", payload.size(),
                         impl.format.max_message_bytes);
    return DecodeStatus::kError;
  }
  for (Slot& slot : impl.slots) {
    slot.is_null = true;
  }
  impl.scratch.clear();
  DecodeStatus status = DecodeStatus::kError;
  if (impl.format.encoding == MessageEncoding::kJson) {
    status = impl.DecodeJson(payload) ? DecodeStatus::kRow : DecodeStatus::kError;
  } else {
    status = impl.DecodeCsv(payload);
  }
  if (status == DecodeStatus::kRow && impl.format.values_required) {
    for (size_t i = 0; i < impl.columns.size(); ++i) {
      if (impl.slots[i].is_null) {
        impl.FailField(impl.columns[i], "missing or null");
        return DecodeStatus::kError;
      }
    }
  }
  return status;
}

void MessageDecoder::Append(Chunk& out) {
  impl_->Commit(out);
}

void MessageDecoder::AppendNulls(Chunk& out) {
  for (const DecodedColumn& column : impl_->columns) {
    out.MutableColumn(column.output).AppendNull();
  }
}

}  // namespace freshet::connectors
