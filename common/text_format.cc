// SPDX-License-Identifier: Apache-2.0
#include "common/text_format.h"

#include <algorithm>
#include <cctype>
#include <cfloat>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <optional>

#include <fmt/format.h>

#include "common/calendar.h"
#include "common/error.h"
#include "common/numeric.h"
#include "common/time_zone.h"

namespace freshet {
namespace {

constexpr int64_t kMicrosPerSecond = 1'000'000;
constexpr int64_t kMicrosPerMinute = 60 * kMicrosPerSecond;
constexpr int64_t kMicrosPerHour = 60 * kMicrosPerMinute;
constexpr int64_t kMicrosPerDay = 24 * kMicrosPerHour;

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

struct CivilDate {
  int64_t year;
  unsigned month;
  unsigned day;
};

// Howard Hinnant's civil-from-days for the proleptic Gregorian calendar.
CivilDate CivilFromDays(int64_t days) {
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const auto doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t year = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned day = doy - (153 * mp + 2) / 5 + 1;
  const unsigned month = mp < 10 ? mp + 3 : mp - 9;
  return {month <= 2 ? year + 1 : year, month, day};
}

bool IsLeapYear(int64_t year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

unsigned DaysInMonth(int64_t year, unsigned month) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeapYear(year) ? 29 : kDays[month - 1];
}

void AppendYearMonthDay(std::string& out, const CivilDate& date) {
  // Postgres counts 1 BC as year 0 internally and prints it as "0001 ... BC".
  int64_t year = date.year > 0 ? date.year : 1 - date.year;
  fmt::format_to(std::back_inserter(out), "{:04}-{:02}-{:02}", year, date.month, date.day);
}

void AppendClock(std::string& out, int64_t micros_of_day) {
  const int64_t hour = micros_of_day / kMicrosPerHour;
  const int64_t minute = micros_of_day / kMicrosPerMinute % 60;
  const int64_t second = micros_of_day / kMicrosPerSecond % 60;
  const int64_t fraction = micros_of_day % kMicrosPerSecond;
  fmt::format_to(std::back_inserter(out), "{:02}:{:02}:{:02}", hour, minute, second);
  if (fraction != 0) {
    std::string digits = fmt::format("{:06}", fraction);
    while (digits.back() == '0') {
      digits.pop_back();
    }
    out += '.';
    out += digits;
  }
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return text;
}

[[noreturn]] void ThrowInvalidSyntax(std::string_view type_name, std::string_view text) {
  throw Error(SqlState::kInvalidTextRepresentation,
              fmt::format("invalid input syntax for type {}: \"{}\"", type_name, text));
}

[[noreturn]] void ThrowInvalidDatetime(std::string_view type_name, std::string_view text) {
  throw Error(SqlState::kInvalidDatetimeFormat,
              fmt::format("invalid input syntax for type {}: \"{}\"", type_name, text));
}

[[noreturn]] void ThrowDatetimeOverflow(std::string_view text) {
  throw Error(SqlState::kDatetimeFieldOverflow,
              fmt::format("date/time field value out of range: \"{}\"", text));
}

// The special inputs Postgres accepts for dates and timestamps that need no clock: 'epoch' (0),
// 'infinity' (1) and '-infinity' (-1), in any case.
std::optional<int> SpecialDatetime(std::string_view text) {
  if (text.size() > 9) {
    return std::nullopt;
  }
  std::string lower(text);
  for (char& c : lower) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (lower == "epoch") {
    return 0;
  }
  if (lower == "infinity") {
    return 1;
  }
  if (lower == "-infinity") {
    return -1;
  }
  return std::nullopt;
}

// A cursor over date/time text.
class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}
  bool AtEnd() const { return pos_ >= text_.size(); }
  char Peek() const { return AtEnd() ? '\0' : text_[pos_]; }
  bool Consume(char c) {
    if (Peek() == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  void SkipSpaces() {
    while (!AtEnd() && std::isspace(static_cast<unsigned char>(text_[pos_]))) {
      ++pos_;
    }
  }
  /// Reads 1..max_digits decimal digits; false when there are none.
  bool Digits(int64_t& value, int* count = nullptr, int max_digits = 18) {
    int n = 0;
    value = 0;
    while (!AtEnd() && n < max_digits && std::isdigit(static_cast<unsigned char>(text_[pos_]))) {
      value = value * 10 + (text_[pos_] - '0');
      ++pos_;
      ++n;
    }
    if (count != nullptr) {
      *count = n;
    }
    return n > 0;
  }
  std::string_view Rest() const { return text_.substr(pos_); }
  size_t pos() const { return pos_; }

 private:
  std::string_view text_;
  size_t pos_ = 0;
};

// Reads "HH:MM[:SS[.ffffff]]" into microseconds; false on bad syntax. Hours may exceed 23 only for
// intervals.
bool ScanClock(Scanner& scanner, int64_t& micros, bool& field_overflow) {
  int64_t hour = 0;
  int64_t minute = 0;
  int64_t second = 0;
  int64_t fraction = 0;
  if (!scanner.Digits(hour) || !scanner.Consume(':') || !scanner.Digits(minute, nullptr, 2)) {
    return false;
  }
  if (scanner.Consume(':')) {
    if (!scanner.Digits(second, nullptr, 2)) {
      return false;
    }
    if (scanner.Consume('.')) {
      int digits = 0;
      int64_t raw = 0;
      if (!scanner.Digits(raw, &digits, 18)) {
        return false;
      }
      // Round to microseconds as Postgres does.
      while (digits > 7) {
        raw /= 10;
        --digits;
      }
      if (digits == 7) {
        raw = (raw + 5) / 10;
        digits = 6;
      }
      while (digits < 6) {
        raw *= 10;
        ++digits;
      }
      fraction = raw;
    }
  }
  field_overflow = minute > 59 || second > 60;
  micros = hour * kMicrosPerHour + minute * kMicrosPerMinute + second * kMicrosPerSecond + fraction;
  return true;
}

// Reads "YYYY-MM-DD" into days since the Unix epoch; false on bad syntax, throws 22008 on a bad
// field.
bool ScanDate(Scanner& scanner, std::string_view text, int64_t& days) {
  int64_t year = 0;
  int64_t month = 0;
  int64_t day = 0;
  if (!scanner.Digits(year, nullptr, 9) || !scanner.Consume('-') ||
      !scanner.Digits(month, nullptr, 2) || !scanner.Consume('-') ||
      !scanner.Digits(day, nullptr, 2)) {
    return false;
  }
  if (month < 1 || month > 12 || day < 1 ||
      day > static_cast<int64_t>(DaysInMonth(year, static_cast<unsigned>(month))) || year == 0) {
    ThrowDatetimeOverflow(text);
  }
  days = DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  return true;
}

// Applies a trailing " BC" to a date scanned as year Y, i.e. makes it year 1 - Y.
bool ScanEra(Scanner& scanner, int64_t& days) {
  scanner.SkipSpaces();
  std::string_view rest = scanner.Rest();
  if (rest.size() >= 2 && std::toupper(static_cast<unsigned char>(rest[0])) == 'B' &&
      std::toupper(static_cast<unsigned char>(rest[1])) == 'C') {
    CivilDate date = CivilFromDays(days);
    days = DaysFromCivil(1 - date.year, date.month, date.day);
    for (int i = 0; i < 2; ++i) {
      scanner.Consume(rest[i]);
    }
    return true;
  }
  return false;
}

}  // namespace

int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day) {
  year -= month <= 2 ? 1 : 0;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const auto yoe = static_cast<unsigned>(year - era * 400);
  const unsigned doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void AppendFloat(std::string& out, double value, bool is_float4, int32_t extra_float_digits) {
  if (std::isnan(value)) {
    out += "NaN";
    return;
  }
  if (std::isinf(value)) {
    out += value < 0 ? "-Infinity" : "Infinity";
    return;
  }
  if (extra_float_digits <= 0) {
    // Postgres's pre-12 output, still chosen by clients that set extra_float_digits = 0.
    const int digits = std::max((is_float4 ? FLT_DIG : DBL_DIG) + extra_float_digits, 1);
    char buffer[64];
    const int length = is_float4 ? std::snprintf(buffer, sizeof(buffer), "%.*g", digits,
                                                 static_cast<double>(static_cast<float>(value)))
                                 : std::snprintf(buffer, sizeof(buffer), "%.*g", digits, value);
    out.append(buffer, static_cast<size_t>(length));
    return;
  }
  // The shortest digits that round-trip, then Postgres's choice between fixed and exponent
  // notation.
  char buffer[64];
  auto result = is_float4 ? std::to_chars(buffer, buffer + sizeof(buffer),
                                          static_cast<float>(value), std::chars_format::scientific)
                          : std::to_chars(buffer, buffer + sizeof(buffer), value,
                                          std::chars_format::scientific);
  std::string_view text(buffer, static_cast<size_t>(result.ptr - buffer));
  bool negative = false;
  if (text.front() == '-') {
    negative = true;
    text.remove_prefix(1);
  }
  const size_t e_pos = text.find('e');
  std::string digits;
  for (char c : text.substr(0, e_pos)) {
    if (c != '.') {
      digits += c;
    }
  }
  int exponent = std::atoi(std::string(text.substr(e_pos + 1)).c_str());
  if (negative) {
    out += '-';
  }
  const int max_fixed = is_float4 ? 6 : 15;
  if (digits == "0") {
    out += '0';
    return;
  }
  if (exponent < -4 || exponent >= max_fixed) {
    out += digits[0];
    if (digits.size() > 1) {
      out += '.';
      out.append(digits, 1);
    }
    fmt::format_to(std::back_inserter(out), "e{}{:02}", exponent < 0 ? '-' : '+',
                   std::abs(exponent));
    return;
  }
  if (exponent < 0) {
    out += "0.";
    out.append(static_cast<size_t>(-exponent - 1), '0');
    out += digits;
    return;
  }
  const auto integer_digits = static_cast<size_t>(exponent + 1);
  if (digits.size() <= integer_digits) {
    out += digits;
    out.append(integer_digits - digits.size(), '0');
  } else {
    out.append(digits, 0, integer_digits);
    out += '.';
    out.append(digits, integer_digits);
  }
}

void AppendNumeric(std::string& out, __int128 value) {
  numeric::Format(value, out);
}

void AppendDate(std::string& out, int32_t days) {
  if (!calendar::IsFiniteDate(days)) {
    out += days > 0 ? "infinity" : "-infinity";
    return;
  }
  CivilDate date = CivilFromDays(days);
  AppendYearMonthDay(out, date);
  if (date.year <= 0) {
    out += " BC";
  }
}

void AppendTime(std::string& out, int64_t micros) {
  AppendClock(out, micros);
}

void AppendTimestamp(std::string& out, int64_t micros) {
  if (!calendar::IsFiniteTimestamp(micros)) {
    out += micros > 0 ? "infinity" : "-infinity";
    return;
  }
  const int64_t days = FloorDiv(micros, kMicrosPerDay);
  CivilDate date = CivilFromDays(days);
  AppendYearMonthDay(out, date);
  out += ' ';
  AppendClock(out, micros - days * kMicrosPerDay);
  if (date.year <= 0) {
    out += " BC";
  }
}

void AppendTimestamptz(std::string& out, int64_t micros, const TimeZone* zone) {
  if (!calendar::IsFiniteTimestamp(micros)) {
    out += micros > 0 ? "infinity" : "-infinity";
    return;
  }
  const int32_t offset = zone != nullptr ? zone->OffsetAt(micros) : 0;
  int64_t local = micros;
  if (__builtin_add_overflow(micros, static_cast<int64_t>(offset) * kMicrosPerSecond, &local)) {
    local = micros;
  }
  const int64_t days = FloorDiv(local, kMicrosPerDay);
  CivilDate date = CivilFromDays(days);
  AppendYearMonthDay(out, date);
  out += ' ';
  AppendClock(out, local - days * kMicrosPerDay);
  AppendUtcOffset(out, offset);
  if (date.year <= 0) {
    out += " BC";
  }
}

void AppendUtcOffset(std::string& out, int32_t seconds_east) {
  // Postgres's EncodeTimezone: minutes and seconds only when they are not zero.
  out += seconds_east >= 0 ? '+' : '-';
  const int32_t absolute = seconds_east >= 0 ? seconds_east : -seconds_east;
  const int32_t hours = absolute / 3600;
  const int32_t minutes = absolute / 60 % 60;
  const int32_t seconds = absolute % 60;
  if (seconds != 0) {
    fmt::format_to(std::back_inserter(out), "{:02}:{:02}:{:02}", hours, minutes, seconds);
  } else if (minutes != 0) {
    fmt::format_to(std::back_inserter(out), "{:02}:{:02}", hours, minutes);
  } else {
    fmt::format_to(std::back_inserter(out), "{:02}", hours);
  }
}

void AppendInterval(std::string& out, const Interval& value) {
  bool is_zero = true;
  bool is_before = false;
  auto add_part = [&](int64_t part, std::string_view unit) {
    if (part == 0) {
      return;
    }
    fmt::format_to(std::back_inserter(out), "{}{}{} {}{}", is_zero ? "" : " ",
                   is_before && part > 0 ? "+" : "", part, unit, part != 1 ? "s" : "");
    is_before = part < 0;
    is_zero = false;
  };
  add_part(value.months / 12, "year");
  add_part(value.months % 12, "mon");
  add_part(value.days, "day");
  const int64_t hours = value.micros / kMicrosPerHour;
  const int64_t minutes = value.micros / kMicrosPerMinute % 60;
  const int64_t seconds = value.micros / kMicrosPerSecond % 60;
  const int64_t fraction = value.micros % kMicrosPerSecond;
  if (is_zero || value.micros != 0) {
    const bool minus = value.micros < 0;
    fmt::format_to(std::back_inserter(out), "{}{}{:02}:{:02}:{:02}", is_zero ? "" : " ",
                   minus ? "-" : (is_before ? "+" : ""), std::abs(hours), std::abs(minutes),
                   std::abs(seconds));
    if (fraction != 0) {
      std::string digits = fmt::format("{:06}", std::abs(fraction));
      while (digits.back() == '0') {
        digits.pop_back();
      }
      out += '.';
      out += digits;
    }
  }
}

void AppendBytea(std::string& out, std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += "\\x";
  for (unsigned char byte : bytes) {
    out += kHex[byte >> 4];
    out += kHex[byte & 0xf];
  }
}

bool ParseBoolean(std::string_view text, bool& value) {
  text = Trim(text);
  if (text.empty()) {
    return false;
  }
  std::string lower;
  for (char c : text) {
    lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  auto is_prefix_of = [&](std::string_view word, size_t min_length) {
    return lower.size() >= min_length && lower.size() <= word.size() &&
           word.substr(0, lower.size()) == lower;
  };
  if (is_prefix_of("true", 1) || is_prefix_of("yes", 1) || lower == "on" || lower == "1") {
    value = true;
    return true;
  }
  if (is_prefix_of("false", 1) || is_prefix_of("no", 1) || is_prefix_of("off", 2) || lower == "0") {
    value = false;
    return true;
  }
  return false;
}

uint32_t ParseOid(std::string_view text, std::string_view type_name) {
  std::string_view digits = Trim(text);
  bool negative = false;
  if (!digits.empty() && (digits.front() == '+' || digits.front() == '-')) {
    negative = digits.front() == '-';
    digits.remove_prefix(1);
  }
  if (digits.empty()) {
    ThrowInvalidSyntax(type_name, text);
  }
  uint64_t value = 0;
  bool overflow = false;
  for (char c : digits) {
    if (!std::isdigit(static_cast<unsigned char>(c))) {
      ThrowInvalidSyntax(type_name, text);
    }
    value = value * 10 + static_cast<uint64_t>(c - '0');
    overflow = overflow || value > (uint64_t{1} << 32);
  }
  // Like oidin, accept what fits after either signed or unsigned extension: -1 is 4294967295.
  if (overflow || (!negative && value > std::numeric_limits<uint32_t>::max()) ||
      (negative && value > (uint64_t{1} << 31))) {
    throw Error(SqlState::kNumericValueOutOfRange,
                fmt::format("value \"{}\" is out of range for type {}", text, type_name));
  }
  return negative ? static_cast<uint32_t>(-static_cast<int64_t>(value))
                  : static_cast<uint32_t>(value);
}

int64_t ParseInteger(std::string_view text, TypeId type) {
  const std::string_view type_name = type == TypeId::kSmallint  ? "smallint"
                                     : type == TypeId::kInteger ? "integer"
                                                                : "bigint";
  std::string_view trimmed = Trim(text);
  std::string_view digits = trimmed;
  bool negative = false;
  if (!digits.empty() && (digits.front() == '+' || digits.front() == '-')) {
    negative = digits.front() == '-';
    digits.remove_prefix(1);
  }
  if (digits.empty()) {
    ThrowInvalidSyntax(type_name, text);
  }
  // Accumulate negatively so that the minimum value parses.
  __int128 value = 0;
  bool overflow = false;
  for (char c : digits) {
    if (!std::isdigit(static_cast<unsigned char>(c))) {
      ThrowInvalidSyntax(type_name, text);
    }
    value = value * 10 + (c - '0');
    if (value > (static_cast<__int128>(1) << 64)) {
      overflow = true;
      value = static_cast<__int128>(1) << 64;
    }
  }
  if (negative) {
    value = -value;
  }
  const int64_t min = type == TypeId::kSmallint  ? std::numeric_limits<int16_t>::min()
                      : type == TypeId::kInteger ? std::numeric_limits<int32_t>::min()
                                                 : std::numeric_limits<int64_t>::min();
  const int64_t max = type == TypeId::kSmallint  ? std::numeric_limits<int16_t>::max()
                      : type == TypeId::kInteger ? std::numeric_limits<int32_t>::max()
                                                 : std::numeric_limits<int64_t>::max();
  if (overflow || value < min || value > max) {
    throw Error(SqlState::kNumericValueOutOfRange,
                fmt::format("value \"{}\" is out of range for type {}", text, type_name));
  }
  return static_cast<int64_t>(value);
}

double ParseDouble(std::string_view text, TypeId type) {
  const std::string_view type_name = type == TypeId::kReal ? "real" : "double precision";
  std::string trimmed(Trim(text));
  std::string lower;
  for (char c : trimmed) {
    lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (lower == "nan") {
    return std::numeric_limits<double>::quiet_NaN();
  }
  if (lower == "infinity" || lower == "+infinity" || lower == "inf" || lower == "+inf") {
    return std::numeric_limits<double>::infinity();
  }
  if (lower == "-infinity" || lower == "-inf") {
    return -std::numeric_limits<double>::infinity();
  }
  if (trimmed.empty()) {
    ThrowInvalidSyntax(type_name, text);
  }
  for (char c : lower) {
    if (!std::isdigit(static_cast<unsigned char>(c)) && c != '.' && c != 'e' && c != '+' &&
        c != '-') {
      ThrowInvalidSyntax(type_name, text);
    }
  }
  errno = 0;
  char* end = nullptr;
  double value = std::strtod(trimmed.c_str(), &end);
  if (end != trimmed.c_str() + trimmed.size()) {
    ThrowInvalidSyntax(type_name, text);
  }
  bool out_of_range = errno == ERANGE && (std::isinf(value) || value == 0.0);
  if (type == TypeId::kReal && !std::isinf(value) &&
      (std::abs(value) > std::numeric_limits<float>::max() ||
       (value != 0.0 && std::abs(value) < std::numeric_limits<float>::denorm_min()))) {
    out_of_range = true;
  }
  if (out_of_range) {
    throw Error(SqlState::kNumericValueOutOfRange,
                fmt::format("\"{}\" is out of range for type {}", text, type_name));
  }
  return value;
}

__int128 ParseNumeric(std::string_view text, int32_t precision, int32_t scale) {
  return numeric::Parse(text, precision, scale);
}

int32_t ParseDate(std::string_view text) {
  if (const std::optional<int> special = SpecialDatetime(Trim(text))) {
    return *special == 0  ? 0
           : *special > 0 ? calendar::kDateInfinity
                          : calendar::kDateMinusInfinity;
  }
  Scanner scanner(Trim(text));
  int64_t days = 0;
  if (!ScanDate(scanner, text, days)) {
    ThrowInvalidDatetime("date", text);
  }
  ScanEra(scanner, days);
  scanner.SkipSpaces();
  if (!scanner.AtEnd()) {
    ThrowInvalidDatetime("date", text);
  }
  return static_cast<int32_t>(days);
}

int64_t ParseTime(std::string_view text) {
  Scanner scanner(Trim(text));
  int64_t micros = 0;
  bool field_overflow = false;
  if (!ScanClock(scanner, micros, field_overflow)) {
    ThrowInvalidDatetime("time", text);
  }
  scanner.SkipSpaces();
  if (!scanner.AtEnd()) {
    ThrowInvalidDatetime("time", text);
  }
  if (field_overflow || micros > kMicrosPerDay) {
    ThrowDatetimeOverflow(text);
  }
  return micros;
}

int64_t ParseTimestamp(std::string_view text, bool with_zone, const TimeZone* zone) {
  if (const std::optional<int> special = SpecialDatetime(Trim(text))) {
    // 'epoch' is the instant 1970-01-01 00:00:00 UTC whatever the session's zone.
    return *special == 0  ? 0
           : *special > 0 ? calendar::kTimestampInfinity
                          : calendar::kTimestampMinusInfinity;
  }
  const std::string_view type_name = with_zone ? "timestamp with time zone" : "timestamp";
  Scanner scanner(Trim(text));
  int64_t days = 0;
  if (!ScanDate(scanner, text, days)) {
    ThrowInvalidDatetime(type_name, text);
  }
  int64_t micros_of_day = 0;
  if (scanner.Consume('T') || scanner.Consume(' ')) {
    scanner.SkipSpaces();
    bool field_overflow = false;
    if (!scanner.AtEnd() && std::isdigit(static_cast<unsigned char>(scanner.Peek()))) {
      if (!ScanClock(scanner, micros_of_day, field_overflow)) {
        ThrowInvalidDatetime(type_name, text);
      }
      if (field_overflow || micros_of_day > kMicrosPerDay) {
        ThrowDatetimeOverflow(text);
      }
    }
  }
  scanner.SkipSpaces();
  // An explicit zone: a numeric offset (east of Greenwich), an abbreviation or a zone name.
  std::optional<int64_t> offset_seconds;
  const TimeZone* named_zone = nullptr;
  if (scanner.Peek() == '+' || scanner.Peek() == '-') {
    const bool negative = scanner.Peek() == '-';
    scanner.Consume(scanner.Peek());
    int64_t hours = 0;
    int64_t minutes = 0;
    int64_t seconds = 0;
    if (!scanner.Digits(hours, nullptr, 2)) {
      ThrowInvalidDatetime(type_name, text);
    }
    if (scanner.Consume(':') || std::isdigit(static_cast<unsigned char>(scanner.Peek()))) {
      if (!scanner.Digits(minutes, nullptr, 2)) {
        ThrowInvalidDatetime(type_name, text);
      }
      if (scanner.Consume(':') && !scanner.Digits(seconds, nullptr, 2)) {
        ThrowInvalidDatetime(type_name, text);
      }
    }
    offset_seconds = (hours * 3600 + minutes * 60 + seconds) * (negative ? -1 : 1);
  } else if (std::isalpha(static_cast<unsigned char>(scanner.Peek()))) {
    std::string_view rest = scanner.Rest();
    size_t length = 0;
    while (length < rest.size() &&
           (std::isalnum(static_cast<unsigned char>(rest[length])) || rest[length] == '/' ||
            rest[length] == '_' || rest[length] == '+' || rest[length] == '-')) {
      ++length;
    }
    const std::string_view word = rest.substr(0, length);
    const bool is_era = word.size() == 2 &&
                        std::toupper(static_cast<unsigned char>(word[0])) == 'B' &&
                        std::toupper(static_cast<unsigned char>(word[1])) == 'C';
    if (!is_era) {
      if (auto abbreviation = TimeZone::FindAbbreviation(word)) {
        offset_seconds = *abbreviation;
      } else if ((named_zone = TimeZone::Find(word)) == nullptr) {
        // Postgres reads an all-letter word as a keyword, which is bad syntax when unknown, and
        // only a word with punctuation ("Mars/Base") as a zone name it could not find.
        if (word.find_first_of("/+-_0123456789") == std::string_view::npos) {
          ThrowInvalidDatetime(type_name, text);
        }
        std::string lower(word);
        for (char& c : lower) {
          c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
        throw Error(SqlState::kInvalidParameterValue,
                    fmt::format("time zone \"{}\" not recognized", lower));
      }
      for (size_t i = 0; i < length; ++i) {
        scanner.Consume(rest[i]);
      }
    }
  }
  ScanEra(scanner, days);
  scanner.SkipSpaces();
  if (!scanner.AtEnd()) {
    ThrowInvalidDatetime(type_name, text);
  }
  // Postgres's range ends in 294276 AD; a 64-bit count of microseconds since 1970 ends in 294247.
  constexpr int64_t kMaxDays = std::numeric_limits<int64_t>::max() / kMicrosPerDay - 1;
  if (days < calendar::kMinDate || days > kMaxDays) {
    throw Error(SqlState::kDatetimeFieldOverflow,
                fmt::format("timestamp out of range: \"{}\"", text));
  }
  const int64_t local = days * kMicrosPerDay + micros_of_day;
  // A plain TIMESTAMP ignores a zone, as Postgres does.
  if (!with_zone) {
    return local;
  }
  if (offset_seconds) {
    return local - *offset_seconds * kMicrosPerSecond;
  }
  const TimeZone* effective = named_zone != nullptr ? named_zone : zone;
  return effective != nullptr ? effective->LocalToUtc(local) : local;
}

Interval ParseInterval(std::string_view text) {
  Interval result;
  Scanner scanner(Trim(text));
  bool any = false;
  bool ago = false;
  scanner.Consume('@');
  while (true) {
    scanner.SkipSpaces();
    if (scanner.AtEnd()) {
      break;
    }
    std::string_view rest = scanner.Rest();
    // A clock part "[-]HH:MM[:SS[.f]]".
    size_t sign_length = (rest.front() == '-' || rest.front() == '+') ? 1 : 0;
    size_t digits_end = sign_length;
    while (digits_end < rest.size() && std::isdigit(static_cast<unsigned char>(rest[digits_end]))) {
      ++digits_end;
    }
    if (digits_end > sign_length && digits_end < rest.size() && rest[digits_end] == ':') {
      const bool negative = rest.front() == '-';
      if (sign_length > 0) {
        scanner.Consume(rest.front());
      }
      int64_t micros = 0;
      bool field_overflow = false;
      if (!ScanClock(scanner, micros, field_overflow)) {
        ThrowInvalidDatetime("interval", text);
      }
      if (field_overflow) {
        throw Error(SqlState::kIntervalFieldOverflow,
                    fmt::format("interval field value out of range: \"{}\"", text));
      }
      result.micros += negative ? -micros : micros;
      any = true;
      continue;
    }
    // A year-month part "Y-M".
    if (digits_end > sign_length && digits_end < rest.size() && rest[digits_end] == '-' &&
        digits_end + 1 < rest.size() &&
        std::isdigit(static_cast<unsigned char>(rest[digits_end + 1]))) {
      const bool negative = rest.front() == '-';
      if (sign_length > 0) {
        scanner.Consume(rest.front());
      }
      int64_t years = 0;
      int64_t months = 0;
      scanner.Digits(years);
      scanner.Consume('-');
      scanner.Digits(months);
      const int64_t total = years * 12 + months;
      result.months += static_cast<int32_t>(negative ? -total : total);
      any = true;
      continue;
    }
    // A number followed by an optional unit.
    size_t number_end = sign_length;
    while (
        number_end < rest.size() &&
        (std::isdigit(static_cast<unsigned char>(rest[number_end])) || rest[number_end] == '.')) {
      ++number_end;
    }
    if (number_end == sign_length) {
      std::string word;
      while (!scanner.AtEnd() && std::isalpha(static_cast<unsigned char>(scanner.Peek()))) {
        word += static_cast<char>(std::tolower(static_cast<unsigned char>(scanner.Peek())));
        scanner.Consume(scanner.Peek());
      }
      if (word == "ago") {
        ago = true;
        continue;
      }
      ThrowInvalidDatetime("interval", text);
    }
    const double number = std::strtod(std::string(rest.substr(0, number_end)).c_str(), nullptr);
    for (size_t k = 0; k < number_end; ++k) {
      scanner.Consume(rest[k]);
    }
    scanner.SkipSpaces();
    std::string unit;
    while (!scanner.AtEnd() && std::isalpha(static_cast<unsigned char>(scanner.Peek()))) {
      unit += static_cast<char>(std::tolower(static_cast<unsigned char>(scanner.Peek())));
      scanner.Consume(scanner.Peek());
    }
    if (unit.size() > 1 && unit.back() == 's' && unit != "s" && unit != "ms" && unit != "us") {
      unit.pop_back();
    }
    double months = 0;
    double days = 0;
    double micros = 0;
    if (unit.empty() || unit == "second" || unit == "sec" || unit == "s") {
      micros = number * kMicrosPerSecond;
    } else if (unit == "microsecond" || unit == "us" || unit == "usec") {
      micros = number;
    } else if (unit == "millisecond" || unit == "ms" || unit == "msec") {
      micros = number * 1000;
    } else if (unit == "minute" || unit == "min" || unit == "m") {
      micros = number * kMicrosPerMinute;
    } else if (unit == "hour" || unit == "hr" || unit == "h") {
      micros = number * kMicrosPerHour;
    } else if (unit == "day" || unit == "d") {
      days = number;
    } else if (unit == "week" || unit == "w") {
      days = number * 7;
    } else if (unit == "month" || unit == "mon") {
      months = number;
    } else if (unit == "year" || unit == "yr" || unit == "y") {
      months = number * 12;
    } else if (unit == "decade") {
      months = number * 120;
    } else if (unit == "century") {
      months = number * 1200;
    } else if (unit == "millennium") {
      months = number * 12000;
    } else {
      ThrowInvalidDatetime("interval", text);
    }
    // Fractions cascade down: 1.5 months = 1 month 15 days, 1.5 days = 1 day 12 hours.
    const double whole_months = std::trunc(months);
    days += (months - whole_months) * 30;
    const double whole_days = std::trunc(days);
    micros += (days - whole_days) * static_cast<double>(kMicrosPerDay);
    result.months += static_cast<int32_t>(whole_months);
    result.days += static_cast<int32_t>(whole_days);
    result.micros += static_cast<int64_t>(std::llround(micros));
    any = true;
  }
  if (!any) {
    ThrowInvalidDatetime("interval", text);
  }
  if (ago) {
    result = Interval{-result.months, -result.days, -result.micros};
  }
  return result;
}

}  // namespace freshet
