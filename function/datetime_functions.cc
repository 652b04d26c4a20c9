// SPDX-License-Identifier: Apache-2.0
#include "function/datetime_functions.h"

#include <array>
#include <chrono>
#include <cmath>
#include <limits>
#include <optional>
#include <string>

#include <fmt/format.h>

#include "common/ascii.h"
#include "common/calendar.h"
#include "common/error.h"
#include "common/numeric.h"
#include "common/text_format.h"
#include "common/time_zone.h"
#include "function/internal/kernel_loops.h"
#include "function/scalar_function.h"

// Date and time functions and operators with Postgres's semantics: month arithmetic clamps the day
// of the month, TIMESTAMPTZ fields and arithmetic use the session's time zone, and results outside
// Postgres's ranges raise 22008.
namespace freshet::function {

using calendar::CivilDate;
using calendar::CivilFromDays;
using calendar::DaysFromCivil;
using calendar::DaysInMonth;
using calendar::FloorDiv;
using calendar::IsLeapYear;
using calendar::kMicrosPerDay;
using calendar::kMicrosPerHour;
using calendar::kMicrosPerMinute;
using calendar::kMicrosPerSecond;

namespace {

using internal::BinaryFixed;
using internal::UnaryFixed;

[[noreturn]] void ThrowTimestampOutOfRange() {
  throw Error(SqlState::kDatetimeFieldOverflow, "timestamp out of range");
}

[[noreturn]] void ThrowIntervalOutOfRange() {
  throw Error(SqlState::kDatetimeFieldOverflow, "interval out of range");
}

[[noreturn]] void ThrowDateOutOfRange() {
  throw Error(SqlState::kDatetimeFieldOverflow, "date out of range");
}

int64_t CheckTimestamp(int64_t micros) {
  if (!calendar::IsValidTimestamp(micros)) {
    ThrowTimestampOutOfRange();
  }
  return micros;
}

const TimeZone& SessionZone(const EvaluationContext& context) {
  return context.time_zone != nullptr ? *context.time_zone : TimeZone::Utc();
}

int32_t CheckedAdd32(int32_t a, int32_t b) {
  int32_t result = 0;
  if (__builtin_add_overflow(a, b, &result)) {
    ThrowIntervalOutOfRange();
  }
  return result;
}

int64_t CheckedAdd64(int64_t a, int64_t b) {
  int64_t result = 0;
  if (__builtin_add_overflow(a, b, &result)) {
    ThrowIntervalOutOfRange();
  }
  return result;
}

Interval Negate(const Interval& value) {
  if (value.months == std::numeric_limits<int32_t>::min() ||
      value.days == std::numeric_limits<int32_t>::min() ||
      value.micros == std::numeric_limits<int64_t>::min()) {
    ThrowIntervalOutOfRange();
  }
  return {-value.months, -value.days, -value.micros};
}

}  // namespace

// ------------------------------------------------------------------------------------------------
// Broken-down times

DateTimeFields SplitTimestamp(int64_t micros) {
  const int64_t days = FloorDiv(micros, kMicrosPerDay);
  const int64_t time = micros - days * kMicrosPerDay;
  const CivilDate date = CivilFromDays(days);
  DateTimeFields fields;
  fields.year = date.year;
  fields.month = date.month;
  fields.day = date.day;
  fields.hour = static_cast<int>(time / kMicrosPerHour);
  fields.minute = static_cast<int>(time / kMicrosPerMinute % 60);
  fields.second = static_cast<int>(time / kMicrosPerSecond % 60);
  fields.fraction = static_cast<int32_t>(time % kMicrosPerSecond);
  return fields;
}

int64_t JoinTimestamp(const DateTimeFields& fields) {
  const int64_t days = DaysFromCivil(fields.year, fields.month, fields.day);
  constexpr int64_t kMaxDays = std::numeric_limits<int64_t>::max() / kMicrosPerDay - 1;
  if (days < calendar::kMinDate || days > kMaxDays) {
    ThrowTimestampOutOfRange();
  }
  return CheckTimestamp(days * kMicrosPerDay + fields.hour * kMicrosPerHour +
                        fields.minute * kMicrosPerMinute + fields.second * kMicrosPerSecond +
                        fields.fraction);
}

int64_t AddMonths(int64_t micros, int32_t months) {
  if (months == 0) {
    return micros;
  }
  DateTimeFields fields = SplitTimestamp(micros);
  const int64_t month_index = fields.year * 12 + (fields.month - 1) + months;
  fields.year = FloorDiv(month_index, 12);
  fields.month = static_cast<int>(month_index - fields.year * 12) + 1;
  // The 31st plus a month is the last day of the next month, as in Postgres.
  fields.day = std::min(fields.day, DaysInMonth(fields.year, fields.month));
  return JoinTimestamp(fields);
}

int64_t AddInterval(int64_t micros, const Interval& span) {
  if (!calendar::IsFiniteTimestamp(micros)) {
    return micros;
  }
  int64_t result = AddMonths(micros, span.months);
  if (span.days != 0) {
    int64_t shifted = 0;
    if (__builtin_add_overflow(result, static_cast<int64_t>(span.days) * kMicrosPerDay, &shifted)) {
      ThrowTimestampOutOfRange();
    }
    result = CheckTimestamp(shifted);
  }
  if (__builtin_add_overflow(result, span.micros, &result)) {
    ThrowTimestampOutOfRange();
  }
  return CheckTimestamp(result);
}

int64_t AddIntervalInZone(int64_t utc, const Interval& span, const TimeZone& zone) {
  // Months and days move the wall clock of the zone; the zone's offset is found again afterwards,
  // so '2024-03-09 12:00 EST' + 1 day is '2024-03-10 12:00 EDT'.
  if (!calendar::IsFiniteTimestamp(utc)) {
    return utc;
  }
  int64_t result = utc;
  if (span.months != 0) {
    result = zone.LocalToUtc(AddMonths(zone.UtcToLocal(result), span.months));
  }
  if (span.days != 0) {
    int64_t local = zone.UtcToLocal(result);
    if (__builtin_add_overflow(local, static_cast<int64_t>(span.days) * kMicrosPerDay, &local)) {
      ThrowTimestampOutOfRange();
    }
    result = zone.LocalToUtc(CheckTimestamp(local));
  }
  if (__builtin_add_overflow(result, span.micros, &result)) {
    ThrowTimestampOutOfRange();
  }
  return CheckTimestamp(result);
}

Interval JustifyHours(Interval span) {
  const int64_t whole_days = span.micros / kMicrosPerDay;
  span.micros -= whole_days * kMicrosPerDay;
  int64_t days = span.days + whole_days;
  if (days > 0 && span.micros < 0) {
    span.micros += kMicrosPerDay;
    --days;
  } else if (days < 0 && span.micros > 0) {
    span.micros -= kMicrosPerDay;
    ++days;
  }
  if (days > std::numeric_limits<int32_t>::max() || days < std::numeric_limits<int32_t>::min()) {
    ThrowIntervalOutOfRange();
  }
  span.days = static_cast<int32_t>(days);
  return span;
}

Interval JustifyDays(Interval span) {
  const int32_t whole_months = span.days / calendar::kDaysPerMonth;
  span.days -= whole_months * calendar::kDaysPerMonth;
  span.months = CheckedAdd32(span.months, whole_months);
  if (span.months > 0 && span.days < 0) {
    span.days += calendar::kDaysPerMonth;
    --span.months;
  } else if (span.months < 0 && span.days > 0) {
    span.days -= calendar::kDaysPerMonth;
    ++span.months;
  }
  return span;
}

Interval JustifyInterval(Interval span) {
  if ((span.days > 0 && span.micros > 0) || (span.days < 0 && span.micros < 0)) {
    const int32_t whole_months = span.days / calendar::kDaysPerMonth;
    span.days -= whole_months * calendar::kDaysPerMonth;
    span.months = CheckedAdd32(span.months, whole_months);
  }
  const int64_t whole_days = span.micros / kMicrosPerDay;
  span.micros -= whole_days * kMicrosPerDay;
  span.days = CheckedAdd32(span.days, static_cast<int32_t>(whole_days));
  const int32_t whole_months = span.days / calendar::kDaysPerMonth;
  span.days -= whole_months * calendar::kDaysPerMonth;
  span.months = CheckedAdd32(span.months, whole_months);
  if (span.months > 0 && (span.days < 0 || (span.days == 0 && span.micros < 0))) {
    span.days += calendar::kDaysPerMonth;
    --span.months;
  } else if (span.months < 0 && (span.days > 0 || (span.days == 0 && span.micros > 0))) {
    span.days -= calendar::kDaysPerMonth;
    ++span.months;
  }
  if (span.days > 0 && span.micros < 0) {
    span.micros += kMicrosPerDay;
    --span.days;
  } else if (span.days < 0 && span.micros > 0) {
    span.micros -= kMicrosPerDay;
    ++span.days;
  }
  return span;
}

// ------------------------------------------------------------------------------------------------
// Units of date_trunc and date_part

namespace {

enum class Unit : uint8_t {
  kMicrosecond,
  kMillisecond,
  kSecond,
  kMinute,
  kHour,
  kDay,
  kWeek,
  kMonth,
  kQuarter,
  kYear,
  kDecade,
  kCentury,
  kMillennium,
  kTimezone,
  kTimezoneHour,
  kTimezoneMinute,
  kDayOfWeek,
  kDayOfYear,
  kIsoDayOfWeek,
  kIsoYear,
  kJulian,
  kEpoch,
};

struct UnitName {
  std::string_view name;
  Unit unit;
  // Postgres's deltatktbl (accepted by date_trunc too) rather than datetktbl.
  bool is_delta;
};

// Postgres compares at most TOKMAXLEN (10) characters, so "microseconds" is "microsecon".
constexpr UnitName kUnitNames[] = {
    {"c", Unit::kCentury, true},
    {"cent", Unit::kCentury, true},
    {"centuries", Unit::kCentury, true},
    {"century", Unit::kCentury, true},
    {"d", Unit::kDay, true},
    {"day", Unit::kDay, true},
    {"days", Unit::kDay, true},
    {"dec", Unit::kDecade, true},
    {"decade", Unit::kDecade, true},
    {"decades", Unit::kDecade, true},
    {"decs", Unit::kDecade, true},
    {"h", Unit::kHour, true},
    {"hour", Unit::kHour, true},
    {"hours", Unit::kHour, true},
    {"hr", Unit::kHour, true},
    {"hrs", Unit::kHour, true},
    {"m", Unit::kMinute, true},
    {"microsecon", Unit::kMicrosecond, true},
    {"mil", Unit::kMillennium, true},
    {"millennia", Unit::kMillennium, true},
    {"millennium", Unit::kMillennium, true},
    {"millisecon", Unit::kMillisecond, true},
    {"mils", Unit::kMillennium, true},
    {"min", Unit::kMinute, true},
    {"mins", Unit::kMinute, true},
    {"minute", Unit::kMinute, true},
    {"minutes", Unit::kMinute, true},
    {"mon", Unit::kMonth, true},
    {"mons", Unit::kMonth, true},
    {"month", Unit::kMonth, true},
    {"months", Unit::kMonth, true},
    {"ms", Unit::kMillisecond, true},
    {"msec", Unit::kMillisecond, true},
    {"msecond", Unit::kMillisecond, true},
    {"mseconds", Unit::kMillisecond, true},
    {"msecs", Unit::kMillisecond, true},
    {"qtr", Unit::kQuarter, true},
    {"quarter", Unit::kQuarter, true},
    {"s", Unit::kSecond, true},
    {"sec", Unit::kSecond, true},
    {"second", Unit::kSecond, true},
    {"seconds", Unit::kSecond, true},
    {"secs", Unit::kSecond, true},
    {"timezone", Unit::kTimezone, true},
    {"timezone_h", Unit::kTimezoneHour, true},
    {"timezone_m", Unit::kTimezoneMinute, true},
    {"us", Unit::kMicrosecond, true},
    {"usec", Unit::kMicrosecond, true},
    {"usecond", Unit::kMicrosecond, true},
    {"useconds", Unit::kMicrosecond, true},
    {"usecs", Unit::kMicrosecond, true},
    {"w", Unit::kWeek, true},
    {"week", Unit::kWeek, true},
    {"weeks", Unit::kWeek, true},
    {"y", Unit::kYear, true},
    {"year", Unit::kYear, true},
    {"years", Unit::kYear, true},
    {"yr", Unit::kYear, true},
    {"yrs", Unit::kYear, true},
    {"dow", Unit::kDayOfWeek, false},
    {"doy", Unit::kDayOfYear, false},
    {"isodow", Unit::kIsoDayOfWeek, false},
    {"isoyear", Unit::kIsoYear, false},
    {"j", Unit::kJulian, false},
    {"jd", Unit::kJulian, false},
    {"julian", Unit::kJulian, false},
    {"epoch", Unit::kEpoch, false},
};

const UnitName* FindUnit(std::string_view lower) {
  const std::string_view key = lower.substr(0, 10);
  for (const UnitName& entry : kUnitNames) {
    if (entry.name == key) {
      return &entry;
    }
  }
  return nullptr;
}

[[noreturn]] void ThrowUnitNotRecognized(std::string_view unit, std::string_view type) {
  throw Error(SqlState::kInvalidParameterValue,
              fmt::format("unit \"{}\" not recognized for type {}", unit, type));
}

[[noreturn]] void ThrowUnitNotSupported(std::string_view unit, std::string_view type) {
  throw Error(SqlState::kFeatureNotSupported,
              fmt::format("unit \"{}\" not supported for type {}", unit, type));
}

constexpr std::string_view kTimestampName = "timestamp without time zone";
constexpr std::string_view kTimestamptzName = "timestamp with time zone";
constexpr std::string_view kTimeName = "time without time zone";
constexpr std::string_view kIntervalName = "interval";

// The unit named `text`, lower-cased for messages. The field is nearly always a constant, so the
// last lookup of the thread is remembered and rows after the first cost one comparison.
const UnitName* LookupUnit(std::string_view text, std::string_view& lower) {
  thread_local std::string last_text;
  thread_local std::string last_lower;
  thread_local const UnitName* last_entry = nullptr;
  thread_local bool valid = false;
  if (!valid || text != last_text) {
    last_text.assign(text);
    last_lower = AsciiLower(text);
    last_entry = FindUnit(last_lower);
    valid = true;
  }
  lower = last_lower;
  return last_entry;
}

// The unit of date_trunc: only Postgres's deltatktbl names are recognized.
Unit TruncUnit(std::string_view text, std::string_view type) {
  std::string_view lower;
  const UnitName* entry = LookupUnit(text, lower);
  if (entry == nullptr || !entry->is_delta) {
    ThrowUnitNotRecognized(lower, type);
  }
  if (entry->unit >= Unit::kTimezone) {
    ThrowUnitNotSupported(lower, type);
  }
  return entry->unit;
}

// The unit of date_part / extract; `lower` views the lower-cased name until the next lookup.
Unit PartUnit(std::string_view text, std::string_view type, std::string_view& lower) {
  const UnitName* entry = LookupUnit(text, lower);
  if (entry == nullptr) {
    ThrowUnitNotRecognized(lower, type);
  }
  return entry->unit;
}

// The ISO 8601 week-numbering year and week of a date.
void IsoWeek(int64_t days, int64_t& iso_year, int& week) {
  const int weekday = (calendar::DayOfWeek(days) + 6) % 7;  // Monday = 0
  // The Thursday of the same ISO week decides the year.
  const int64_t thursday = days - weekday + 3;
  iso_year = CivilFromDays(thursday).year;
  const int64_t first_thursday_base = DaysFromCivil(iso_year, 1, 1);
  week = static_cast<int>((thursday - first_thursday_base) / 7 + 1);
}

int64_t TruncateLocal(int64_t micros, Unit unit) {
  DateTimeFields fields = SplitTimestamp(micros);
  switch (unit) {
    case Unit::kWeek: {
      const int64_t days = FloorDiv(micros, kMicrosPerDay);
      const int64_t monday = days - (calendar::DayOfWeek(days) + 6) % 7;
      return CheckTimestamp(monday * kMicrosPerDay);
    }
    case Unit::kMillennium:
      fields.year = fields.year > 0 ? ((fields.year + 999) / 1000) * 1000 - 999
                                    : -((999 - (fields.year - 1)) / 1000) * 1000 + 1;
      fields.month = 1;
      fields.day = 1;
      break;
    case Unit::kCentury:
      fields.year = fields.year > 0 ? ((fields.year + 99) / 100) * 100 - 99
                                    : -((99 - (fields.year - 1)) / 100) * 100 + 1;
      fields.month = 1;
      fields.day = 1;
      break;
    case Unit::kDecade:
      fields.year =
          fields.year > 0 ? (fields.year / 10) * 10 : -((8 - (fields.year - 1)) / 10) * 10;
      fields.month = 1;
      fields.day = 1;
      break;
    case Unit::kYear:
      fields.month = 1;
      fields.day = 1;
      break;
    case Unit::kQuarter:
      fields.month = 3 * ((fields.month - 1) / 3) + 1;
      fields.day = 1;
      break;
    case Unit::kMonth:
      fields.day = 1;
      break;
    default:
      break;
  }
  switch (unit) {
    case Unit::kMillennium:
    case Unit::kCentury:
    case Unit::kDecade:
    case Unit::kYear:
    case Unit::kQuarter:
    case Unit::kMonth:
    case Unit::kDay:
      fields.hour = 0;
      [[fallthrough]];
    case Unit::kHour:
      fields.minute = 0;
      [[fallthrough]];
    case Unit::kMinute:
      fields.second = 0;
      [[fallthrough]];
    case Unit::kSecond:
      fields.fraction = 0;
      break;
    case Unit::kMillisecond:
      fields.fraction = (fields.fraction / 1000) * 1000;
      break;
    default:
      break;
  }
  return JoinTimestamp(fields);
}

bool IsDayOrLarger(Unit unit) {
  return unit >= Unit::kDay && unit <= Unit::kMillennium;
}

// date_trunc of a TIMESTAMPTZ in `zone`: units of a day or more find the zone's offset again, the
// smaller ones keep the original offset (as Postgres does, so truncating inside a repeated hour
// stays in it).
int64_t TruncateInZone(int64_t utc, Unit unit, const TimeZone& zone) {
  const int32_t offset = zone.OffsetAt(utc);
  const int64_t local = utc + static_cast<int64_t>(offset) * kMicrosPerSecond;
  const int64_t truncated = TruncateLocal(local, unit);
  if (IsDayOrLarger(unit) || unit == Unit::kWeek) {
    return CheckTimestamp(zone.LocalToUtc(truncated));
  }
  return CheckTimestamp(truncated - static_cast<int64_t>(offset) * kMicrosPerSecond);
}

// date_part of a local timestamp; `utc` and `offset` serve epoch and the timezone units of a
// TIMESTAMPTZ (`with_zone`).
double PartOfTimestamp(
    Unit unit, std::string_view lower, int64_t local, int64_t utc, int32_t offset, bool with_zone) {
  const std::string_view type = with_zone ? kTimestamptzName : kTimestampName;
  const DateTimeFields fields = SplitTimestamp(local);
  const int64_t days = FloorDiv(local, kMicrosPerDay);
  switch (unit) {
    case Unit::kMicrosecond:
      return fields.second * 1'000'000.0 + fields.fraction;
    case Unit::kMillisecond:
      return fields.second * 1000.0 + fields.fraction / 1000.0;
    case Unit::kSecond:
      return fields.second + fields.fraction / 1'000'000.0;
    case Unit::kMinute:
      return fields.minute;
    case Unit::kHour:
      return fields.hour;
    case Unit::kDay:
      return fields.day;
    case Unit::kMonth:
      return fields.month;
    case Unit::kQuarter:
      return (fields.month - 1) / 3 + 1;
    case Unit::kWeek: {
      int64_t iso_year = 0;
      int week = 0;
      IsoWeek(days, iso_year, week);
      return week;
    }
    case Unit::kYear:
      // There is no year 0: 1 BC is -1.
      return static_cast<double>(fields.year > 0 ? fields.year : fields.year - 1);
    case Unit::kDecade:
      return static_cast<double>(fields.year >= 0 ? fields.year / 10
                                                  : -((8 - (fields.year - 1)) / 10));
    case Unit::kCentury:
      return static_cast<double>(fields.year > 0 ? (fields.year + 99) / 100
                                                 : -((99 - (fields.year - 1)) / 100));
    case Unit::kMillennium:
      return static_cast<double>(fields.year > 0 ? (fields.year + 999) / 1000
                                                 : -((999 - (fields.year - 1)) / 1000));
    case Unit::kJulian:
      return static_cast<double>(days + 2440588) +
             static_cast<double>(local - days * kMicrosPerDay) / static_cast<double>(kMicrosPerDay);
    case Unit::kIsoYear: {
      int64_t iso_year = 0;
      int week = 0;
      IsoWeek(days, iso_year, week);
      return static_cast<double>(iso_year > 0 ? iso_year : iso_year - 1);
    }
    case Unit::kDayOfWeek:
      return calendar::DayOfWeek(days);
    case Unit::kIsoDayOfWeek: {
      const int weekday = calendar::DayOfWeek(days);
      return weekday == 0 ? 7 : weekday;
    }
    case Unit::kDayOfYear:
      return static_cast<double>(days - DaysFromCivil(fields.year, 1, 1) + 1);
    case Unit::kEpoch:
      return static_cast<double>(with_zone ? utc : local) / 1'000'000.0;
    case Unit::kTimezone:
    case Unit::kTimezoneHour:
    case Unit::kTimezoneMinute:
      if (!with_zone) {
        ThrowUnitNotSupported(lower, type);
      }
      if (unit == Unit::kTimezone) {
        return offset;
      }
      return unit == Unit::kTimezoneHour ? offset / 3600 : offset % 3600 / 60;
  }
  ThrowUnitNotSupported(lower, type);
}

double PartOfInterval(Unit unit, std::string_view lower, const Interval& span) {
  const int64_t years = span.months / 12;
  const int64_t months = span.months % 12;
  const int64_t hours = span.micros / kMicrosPerHour;
  const int64_t minutes = span.micros / kMicrosPerMinute % 60;
  const int64_t seconds_micros = span.micros % kMicrosPerMinute;
  switch (unit) {
    case Unit::kMicrosecond:
      return static_cast<double>(seconds_micros);
    case Unit::kMillisecond:
      return static_cast<double>(seconds_micros) / 1000.0;
    case Unit::kSecond:
      return static_cast<double>(seconds_micros) / 1'000'000.0;
    case Unit::kMinute:
      return static_cast<double>(minutes);
    case Unit::kHour:
      return static_cast<double>(hours);
    case Unit::kDay:
      return span.days;
    case Unit::kMonth:
      return static_cast<double>(months);
    case Unit::kQuarter:
      return static_cast<double>(months / 3 + 1);
    case Unit::kYear:
      return static_cast<double>(years);
    case Unit::kDecade:
      return static_cast<double>(years / 10);
    case Unit::kCentury:
      return static_cast<double>(years / 100);
    case Unit::kMillennium:
      return static_cast<double>(years / 1000);
    case Unit::kEpoch:
      return static_cast<double>(span.micros) / 1'000'000.0 +
             365.25 * 86400.0 * static_cast<double>(span.months / 12) +
             30.0 * 86400.0 * static_cast<double>(span.months % 12) + 86400.0 * span.days;
    default:
      ThrowUnitNotSupported(lower, kIntervalName);
  }
}

double PartOfTime(Unit unit, std::string_view lower, int64_t micros) {
  switch (unit) {
    case Unit::kMicrosecond:
      return static_cast<double>(micros % kMicrosPerMinute);
    case Unit::kMillisecond:
      return static_cast<double>(micros % kMicrosPerMinute) / 1000.0;
    case Unit::kSecond:
      return static_cast<double>(micros % kMicrosPerMinute) / 1'000'000.0;
    case Unit::kMinute:
      return static_cast<double>(micros / kMicrosPerMinute % 60);
    case Unit::kHour:
      return static_cast<double>(micros / kMicrosPerHour);
    case Unit::kEpoch:
      return static_cast<double>(micros) / 1'000'000.0;
    default:
      ThrowUnitNotSupported(lower, kTimeName);
  }
}

// ------------------------------------------------------------------------------------------------
// Kernels

using Arguments = std::span<const Column* const>;

bool AnyNull(Arguments arguments, size_t row) {
  for (const Column* argument : arguments) {
    if (argument->IsNull(row)) {
      return true;
    }
  }
  return false;
}

// Builds a fixed-width column of `T` from `op(row)`; a row with a NULL argument is NULL.
template <typename T, typename Op>
void FixedResult(Arguments arguments, size_t rows, Column& out, Op op) {
  out.ResizeFixed(rows);
  T* result = out.MutableData<T>();
  uint8_t* nulls = out.MutableNulls();
  for (size_t row = 0; row < rows; ++row) {
    const bool is_null = AnyNull(arguments, row);
    nulls[row] = is_null ? 1 : 0;
    if (!is_null) {
      result[row] = op(row);
    }
  }
}

// Like FixedResult, for functions that may also return NULL: `op(row)` gives an optional.
template <typename T, typename Op>
void NullableResult(Arguments arguments, size_t rows, Column& out, Op op) {
  out.ResizeFixed(rows);
  T* result = out.MutableData<T>();
  uint8_t* nulls = out.MutableNulls();
  for (size_t row = 0; row < rows; ++row) {
    std::optional<T> value;
    if (!AnyNull(arguments, row)) {
      value = op(row);
    }
    nulls[row] = value.has_value() ? 0 : 1;
    if (value) {
      result[row] = *value;
    }
  }
}

template <typename T>
T At(Arguments arguments, size_t index, size_t row) {
  return arguments[index]->Data<T>()[row];
}

std::string_view TextAt(Arguments arguments, size_t index, size_t row) {
  return arguments[index]->GetString(row);
}

int64_t DateToTimestamp(int32_t days);

// Rounds microseconds to `precision` fractional digits, as Postgres's AdjustTimestampForTypmod.
int64_t RoundToPrecision(int64_t micros, int32_t precision) {
  if (precision >= 6) {
    return micros;
  }
  int64_t scale = 1;
  for (int32_t i = precision; i < 6; ++i) {
    scale *= 10;
  }
  const int64_t offset = scale / 2;
  return micros >= 0 ? (micros + offset) / scale * scale : -((-micros + offset) / scale * scale);
}

int32_t CheckPrecision(int32_t precision, std::string_view type) {
  if (precision < 0) {
    throw Error(SqlState::kInvalidParameterValue,
                fmt::format("{}({}) precision must not be negative", type, precision));
  }
  return std::min(precision, 6);
}

// now(), current_timestamp, transaction_timestamp(), statement_timestamp(): the statement's start.
void StatementTimestamp(const EvaluationContext& context,
                        Arguments arguments,
                        size_t rows,
                        Column& out) {
  const int32_t precision =
      arguments.empty() ? 6 : CheckPrecision(At<int32_t>(arguments, 0, 0), "TIMESTAMP");
  const int64_t now = RoundToPrecision(context.statement_timestamp, precision);
  FixedResult<int64_t>(arguments, rows, out, [&](size_t) { return now; });
}

void ClockTimestamp(const EvaluationContext& context,
                    Arguments arguments,
                    size_t rows,
                    Column& out) {
  FixedResult<int64_t>(arguments, rows, out, [&](size_t) {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  });
}

void CurrentDate(const EvaluationContext& context, Arguments arguments, size_t rows, Column& out) {
  const int64_t local = SessionZone(context).UtcToLocal(context.statement_timestamp);
  const auto today = static_cast<int32_t>(FloorDiv(local, kMicrosPerDay));
  FixedResult<int32_t>(arguments, rows, out, [&](size_t) { return today; });
}

void LocalTimestamp(const EvaluationContext& context,
                    Arguments arguments,
                    size_t rows,
                    Column& out) {
  const int32_t precision =
      arguments.empty() ? 6 : CheckPrecision(At<int32_t>(arguments, 0, 0), "TIMESTAMP");
  const int64_t local =
      RoundToPrecision(SessionZone(context).UtcToLocal(context.statement_timestamp), precision);
  FixedResult<int64_t>(arguments, rows, out, [&](size_t) { return local; });
}

void LocalTime(const EvaluationContext& context, Arguments arguments, size_t rows, Column& out) {
  const int32_t precision =
      arguments.empty() ? 6 : CheckPrecision(At<int32_t>(arguments, 0, 0), "TIME");
  const int64_t local = SessionZone(context).UtcToLocal(context.statement_timestamp);
  int64_t time =
      RoundToPrecision(local - FloorDiv(local, kMicrosPerDay) * kMicrosPerDay, precision);
  if (time >= kMicrosPerDay) {
    time -= kMicrosPerDay;
  }
  FixedResult<int64_t>(arguments, rows, out, [&](size_t) { return time; });
}

void DateTruncTimestamp(const EvaluationContext& context,
                        Arguments arguments,
                        size_t rows,
                        Column& out) {
  FixedResult<int64_t>(arguments, rows, out, [&](size_t row) {
    const Unit unit = TruncUnit(TextAt(arguments, 0, row), kTimestampName);
    const int64_t value = At<int64_t>(arguments, 1, row);
    return calendar::IsFiniteTimestamp(value) ? TruncateLocal(value, unit) : value;
  });
}

void DateTruncTimestamptz(const EvaluationContext& context,
                          Arguments arguments,
                          size_t rows,
                          Column& out) {
  const TimeZone& session = SessionZone(context);
  FixedResult<int64_t>(arguments, rows, out, [&](size_t row) {
    const Unit unit = TruncUnit(TextAt(arguments, 0, row), kTimestamptzName);
    const TimeZone& zone =
        arguments.size() > 2 ? FindZoneOrAbbreviation(TextAt(arguments, 2, row)) : session;
    const int64_t value = At<int64_t>(arguments, 1, row);
    return calendar::IsFiniteTimestamp(value) ? TruncateInZone(value, unit, zone) : value;
  });
}

void DateTruncInterval(const EvaluationContext& context,
                       Arguments arguments,
                       size_t rows,
                       Column& out) {
  FixedResult<Interval>(arguments, rows, out, [&](size_t row) {
    const Unit unit = TruncUnit(TextAt(arguments, 0, row), kIntervalName);
    const Interval span = At<Interval>(arguments, 1, row);
    int64_t years = span.months / 12;
    int64_t months = span.months % 12;
    int64_t days = span.days;
    int64_t hours = span.micros / kMicrosPerHour;
    int64_t minutes = span.micros / kMicrosPerMinute % 60;
    int64_t seconds = span.micros / kMicrosPerSecond % 60;
    int64_t fraction = span.micros % kMicrosPerSecond;
    switch (unit) {
      case Unit::kMillennium:
        years = years / 1000 * 1000;
        months = 0;
        break;
      case Unit::kCentury:
        years = years / 100 * 100;
        months = 0;
        break;
      case Unit::kDecade:
        years = years / 10 * 10;
        months = 0;
        break;
      case Unit::kYear:
        months = 0;
        break;
      case Unit::kQuarter:
        months = 3 * (months / 3);
        break;
      case Unit::kWeek:
        ThrowUnitNotSupported(AsciiLower(TextAt(arguments, 0, row)), kIntervalName);
      default:
        break;
    }
    switch (unit) {
      case Unit::kMillennium:
      case Unit::kCentury:
      case Unit::kDecade:
      case Unit::kYear:
      case Unit::kQuarter:
      case Unit::kMonth:
        days = 0;
        [[fallthrough]];
      case Unit::kDay:
        hours = 0;
        [[fallthrough]];
      case Unit::kHour:
        minutes = 0;
        [[fallthrough]];
      case Unit::kMinute:
        seconds = 0;
        [[fallthrough]];
      case Unit::kSecond:
        fraction = 0;
        break;
      case Unit::kMillisecond:
        fraction = fraction / 1000 * 1000;
        break;
      default:
        break;
    }
    return Interval{static_cast<int32_t>(years * 12 + months), static_cast<int32_t>(days),
                    ((hours * 60 + minutes) * 60 + seconds) * kMicrosPerSecond + fraction};
  });
}

// date_part of 'infinity' or '-infinity': infinite for the fields that only grow (year, epoch,
// ...), NULL for the others, as Postgres's NonFiniteTimestampTzPart.
bool IsMonotonicUnit(Unit unit) {
  switch (unit) {
    case Unit::kYear:
    case Unit::kDecade:
    case Unit::kCentury:
    case Unit::kMillennium:
    case Unit::kJulian:
    case Unit::kIsoYear:
    case Unit::kEpoch:
      return true;
    default:
      return false;
  }
}

std::optional<double> InfinitePart(Unit unit, int64_t value) {
  if (!IsMonotonicUnit(unit)) {
    return std::nullopt;
  }
  return value > 0 ? std::numeric_limits<double>::infinity()
                   : -std::numeric_limits<double>::infinity();
}

void DatePartTimestamp(const EvaluationContext& context,
                       Arguments arguments,
                       size_t rows,
                       Column& out) {
  std::string_view lower;
  NullableResult<double>(arguments, rows, out, [&](size_t row) -> std::optional<double> {
    const Unit unit = PartUnit(TextAt(arguments, 0, row), kTimestampName, lower);
    const int64_t local = At<int64_t>(arguments, 1, row);
    if (!calendar::IsFiniteTimestamp(local)) {
      return InfinitePart(unit, local);
    }
    return PartOfTimestamp(unit, lower, local, local, 0, false);
  });
}

void DatePartTimestamptz(const EvaluationContext& context,
                         Arguments arguments,
                         size_t rows,
                         Column& out) {
  const TimeZone& zone = SessionZone(context);
  std::string_view lower;
  NullableResult<double>(arguments, rows, out, [&](size_t row) -> std::optional<double> {
    const Unit unit = PartUnit(TextAt(arguments, 0, row), kTimestamptzName, lower);
    const int64_t utc = At<int64_t>(arguments, 1, row);
    if (!calendar::IsFiniteTimestamp(utc)) {
      return InfinitePart(unit, utc);
    }
    const int32_t offset = zone.OffsetAt(utc);
    return PartOfTimestamp(unit, lower, utc + static_cast<int64_t>(offset) * kMicrosPerSecond, utc,
                           offset, true);
  });
}

void DatePartDate(const EvaluationContext& context, Arguments arguments, size_t rows, Column& out) {
  // Postgres's date_part(text, date) is date_part(text, date::timestamp).
  std::string_view lower;
  NullableResult<double>(arguments, rows, out, [&](size_t row) -> std::optional<double> {
    const Unit unit = PartUnit(TextAt(arguments, 0, row), kTimestampName, lower);
    const int64_t local = DateToTimestamp(At<int32_t>(arguments, 1, row));
    if (!calendar::IsFiniteTimestamp(local)) {
      return InfinitePart(unit, local);
    }
    return PartOfTimestamp(unit, lower, local, local, 0, false);
  });
}

void DatePartTime(const EvaluationContext& context, Arguments arguments, size_t rows, Column& out) {
  std::string_view lower;
  FixedResult<double>(arguments, rows, out, [&](size_t row) {
    const Unit unit = PartUnit(TextAt(arguments, 0, row), kTimeName, lower);
    return PartOfTime(unit, lower, At<int64_t>(arguments, 1, row));
  });
}

void DatePartInterval(const EvaluationContext& context,
                      Arguments arguments,
                      size_t rows,
                      Column& out) {
  std::string_view lower;
  FixedResult<double>(arguments, rows, out, [&](size_t row) {
    const Unit unit = PartUnit(TextAt(arguments, 0, row), kIntervalName, lower);
    return PartOfInterval(unit, lower, At<Interval>(arguments, 1, row));
  });
}

// EXTRACT returns NUMERIC (Postgres 14 and later): seconds, milliseconds and epoch keep exactly
// 6, 3 and 6 decimals, julian is an exact quotient, everything else an integer.
constexpr std::string_view kDateName = "date";

__int128 IntegerNumeric(double value) {
  return numeric::Pack(static_cast<int64_t>(value), 0);
}

__int128 ExtractOfTimestamp(
    Unit unit, std::string_view lower, int64_t local, int64_t utc, int32_t offset, bool with_zone) {
  const int64_t days = FloorDiv(local, kMicrosPerDay);
  const int64_t time = local - days * kMicrosPerDay;
  const int64_t second_micros = time % kMicrosPerMinute;
  switch (unit) {
    case Unit::kMicrosecond:
      return numeric::Pack(second_micros, 0);
    case Unit::kMillisecond:
      return numeric::Pack(second_micros, 3);
    case Unit::kSecond:
      return numeric::Pack(second_micros, 6);
    case Unit::kEpoch:
      return numeric::Pack(with_zone ? utc : local, 6);
    case Unit::kJulian:
      return numeric::Add(numeric::Pack(days + 2440588, 0),
                          numeric::Divide(numeric::Pack(time, 0), numeric::Pack(kMicrosPerDay, 0)));
    default:
      return IntegerNumeric(PartOfTimestamp(unit, lower, local, utc, offset, with_zone));
  }
}

// EXTRACT of an infinite value: NULL for the fields that oscillate; the others would be a NUMERIC
// infinity, which Freshet's NUMERIC cannot hold.
std::optional<__int128> InfiniteExtract(Unit unit) {
  if (!IsMonotonicUnit(unit)) {
    return std::nullopt;
  }
  throw Error(SqlState::kFeatureNotSupported, "numeric infinity is not supported");
}

void ExtractTimestamp(const EvaluationContext& context,
                      Arguments arguments,
                      size_t rows,
                      Column& out) {
  std::string_view lower;
  NullableResult<__int128>(arguments, rows, out, [&](size_t row) -> std::optional<__int128> {
    const Unit unit = PartUnit(TextAt(arguments, 0, row), kTimestampName, lower);
    const int64_t local = At<int64_t>(arguments, 1, row);
    if (!calendar::IsFiniteTimestamp(local)) {
      return InfiniteExtract(unit);
    }
    return ExtractOfTimestamp(unit, lower, local, local, 0, false);
  });
}

void ExtractTimestamptz(const EvaluationContext& context,
                        Arguments arguments,
                        size_t rows,
                        Column& out) {
  const TimeZone& zone = SessionZone(context);
  std::string_view lower;
  NullableResult<__int128>(arguments, rows, out, [&](size_t row) -> std::optional<__int128> {
    const Unit unit = PartUnit(TextAt(arguments, 0, row), kTimestamptzName, lower);
    const int64_t utc = At<int64_t>(arguments, 1, row);
    if (!calendar::IsFiniteTimestamp(utc)) {
      return InfiniteExtract(unit);
    }
    const int32_t offset = zone.OffsetAt(utc);
    return ExtractOfTimestamp(unit, lower, utc + static_cast<int64_t>(offset) * kMicrosPerSecond,
                              utc, offset, true);
  });
}

// EXTRACT from a DATE has its own list of fields: no time of day.
void ExtractDate(const EvaluationContext& context, Arguments arguments, size_t rows, Column& out) {
  std::string_view lower;
  NullableResult<__int128>(arguments, rows, out, [&](size_t row) -> std::optional<__int128> {
    const Unit unit = PartUnit(TextAt(arguments, 0, row), kDateName, lower);
    const int64_t days = At<int32_t>(arguments, 1, row);
    if (!calendar::IsFiniteDate(static_cast<int32_t>(days))) {
      return InfiniteExtract(unit);
    }
    switch (unit) {
      case Unit::kDay:
      case Unit::kMonth:
      case Unit::kQuarter:
      case Unit::kYear:
      case Unit::kDecade:
      case Unit::kCentury:
      case Unit::kMillennium:
      case Unit::kIsoYear:
      case Unit::kDayOfWeek:
      case Unit::kIsoDayOfWeek:
      case Unit::kDayOfYear:
      case Unit::kWeek:
      case Unit::kJulian:
        return IntegerNumeric(
            PartOfTimestamp(unit, lower, days * kMicrosPerDay, days * kMicrosPerDay, 0, false));
      case Unit::kEpoch:
        return numeric::Pack(days * calendar::kSecondsPerDay, 0);
      default:
        ThrowUnitNotSupported(lower, kDateName);
    }
  });
}

void ExtractTime(const EvaluationContext& context, Arguments arguments, size_t rows, Column& out) {
  std::string_view lower;
  FixedResult<__int128>(arguments, rows, out, [&](size_t row) {
    const Unit unit = PartUnit(TextAt(arguments, 0, row), kTimeName, lower);
    const int64_t time = At<int64_t>(arguments, 1, row);
    switch (unit) {
      case Unit::kMicrosecond:
        return numeric::Pack(time % kMicrosPerMinute, 0);
      case Unit::kMillisecond:
        return numeric::Pack(time % kMicrosPerMinute, 3);
      case Unit::kSecond:
        return numeric::Pack(time % kMicrosPerMinute, 6);
      case Unit::kEpoch:
        return numeric::Pack(time, 6);
      default:
        return IntegerNumeric(PartOfTime(unit, lower, time));
    }
  });
}

void ExtractInterval(const EvaluationContext& context,
                     Arguments arguments,
                     size_t rows,
                     Column& out) {
  std::string_view lower;
  FixedResult<__int128>(arguments, rows, out, [&](size_t row) {
    const Unit unit = PartUnit(TextAt(arguments, 0, row), kIntervalName, lower);
    const Interval span = At<Interval>(arguments, 1, row);
    const int64_t second_micros = span.micros % kMicrosPerMinute;
    switch (unit) {
      case Unit::kMicrosecond:
        return numeric::Pack(second_micros, 0);
      case Unit::kMillisecond:
        return numeric::Pack(second_micros, 3);
      case Unit::kSecond:
        return numeric::Pack(second_micros, 6);
      case Unit::kEpoch: {
        // A year is 365.25 days and a month 30: exact in microseconds.
        const __int128 seconds = static_cast<__int128>(span.months / 12) * 31'557'600 +
                                 static_cast<__int128>(span.months % 12) * 30 * 86'400 +
                                 static_cast<__int128>(span.days) * 86'400;
        return numeric::Pack(seconds * kMicrosPerSecond + span.micros, 6);
      }
      default:
        return IntegerNumeric(PartOfInterval(unit, lower, span));
    }
  });
}

// date_bin(stride, source, origin): the start of the stride-long bin, counted from origin, that
// holds source.
void DateBin(const EvaluationContext& context, Arguments arguments, size_t rows, Column& out) {
  FixedResult<int64_t>(arguments, rows, out, [&](size_t row) {
    const Interval stride = At<Interval>(arguments, 0, row);
    const int64_t source = At<int64_t>(arguments, 1, row);
    const int64_t origin = At<int64_t>(arguments, 2, row);
    if (!calendar::IsFiniteTimestamp(source)) {
      return source;
    }
    if (!calendar::IsFiniteTimestamp(origin)) {
      throw Error(SqlState::kDatetimeFieldOverflow, "origin out of range");
    }
    if (stride.months != 0) {
      throw Error(SqlState::kFeatureNotSupported,
                  "timestamps cannot be binned into intervals containing months or years");
    }
    int64_t stride_micros = 0;
    if (__builtin_mul_overflow(static_cast<int64_t>(stride.days), kMicrosPerDay, &stride_micros) ||
        __builtin_add_overflow(stride_micros, stride.micros, &stride_micros)) {
      ThrowIntervalOutOfRange();
    }
    if (stride_micros <= 0) {
      throw Error(SqlState::kDatetimeFieldOverflow, "stride must be greater than zero");
    }
    int64_t difference = 0;
    if (__builtin_sub_overflow(source, origin, &difference)) {
      ThrowIntervalOutOfRange();
    }
    const int64_t delta = FloorDiv(difference, stride_micros) * stride_micros;
    int64_t result = 0;
    if (__builtin_add_overflow(origin, delta, &result)) {
      ThrowTimestampOutOfRange();
    }
    return CheckTimestamp(result);
  });
}

// to_timestamp(seconds since the epoch).
void ToTimestampSeconds(const EvaluationContext& context,
                        Arguments arguments,
                        size_t rows,
                        Column& out) {
  FixedResult<int64_t>(arguments, rows, out, [&](size_t row) {
    const double seconds = At<double>(arguments, 0, row);
    if (std::isnan(seconds)) {
      throw Error(SqlState::kDatetimeFieldOverflow, "timestamp cannot be NaN");
    }
    if (std::isinf(seconds)) {
      return seconds > 0 ? calendar::kTimestampInfinity : calendar::kTimestampMinusInfinity;
    }
    const double micros = std::rint(seconds * 1'000'000.0);
    if (micros < static_cast<double>(calendar::kMinTimestamp) || micros >= 9.2233720368547758e18) {
      throw Error(SqlState::kDatetimeFieldOverflow,
                  fmt::format("timestamp out of range: \"{:g}\"", seconds));
    }
    return static_cast<int64_t>(micros);
  });
}

[[noreturn]] void ThrowDateFieldOutOfRange(int64_t year, int month, int day) {
  throw Error(SqlState::kDatetimeFieldOverflow,
              fmt::format("date field value out of range: {}-{:02}-{:02}", year, month, day));
}

// The days of a make_date / make_timestamp date; a negative year is BC where `allow_bc`
// (Postgres 15 allows it for both).
int64_t MakeDays(int64_t year, int64_t month, int64_t day, bool allow_bc) {
  const bool bc = allow_bc && year < 0;
  const int64_t written = bc ? -year : year;
  if (written <= 0 || month < 1 || month > 12 || day < 1) {
    ThrowDateFieldOutOfRange(year, static_cast<int>(month), static_cast<int>(day));
  }
  // Internally 1 BC is year 0.
  const int64_t astronomical = bc ? 1 - written : written;
  if (day > DaysInMonth(astronomical, static_cast<int>(month))) {
    ThrowDateFieldOutOfRange(year, static_cast<int>(month), static_cast<int>(day));
  }
  const int64_t days = DaysFromCivil(astronomical, static_cast<int>(month), static_cast<int>(day));
  if (days < calendar::kMinDate || days >= calendar::kEndDate) {
    throw Error(SqlState::kDatetimeFieldOverflow,
                fmt::format("date out of range: {}-{:02}-{:02}", year, month, day));
  }
  return days;
}

// The microseconds of make_time's fields, checked as Postgres's float_time_overflows: 24:00:00 and
// a 60th second are allowed, nothing past midnight.
int64_t MakeTimeOfDay(int32_t hour, int32_t minute, double second) {
  const double micros = std::rint(second * 1'000'000.0);
  const bool valid =
      hour >= 0 && hour <= 24 && minute >= 0 && minute < 60 && !std::isnan(micros) && micros >= 0 &&
      micros <= 60'000'000.0 &&
      (hour * 60 + minute) * 60 * kMicrosPerSecond + static_cast<int64_t>(micros) <= kMicrosPerDay;
  if (!valid) {
    throw Error(
        SqlState::kDatetimeFieldOverflow,
        fmt::format("time field value out of range: {}:{:02}:{:02g}", hour, minute, second));
  }
  return (hour * 60 + minute) * 60 * kMicrosPerSecond + static_cast<int64_t>(micros);
}

void MakeDate(const EvaluationContext& context, Arguments arguments, size_t rows, Column& out) {
  FixedResult<int32_t>(arguments, rows, out, [&](size_t row) {
    return static_cast<int32_t>(MakeDays(At<int32_t>(arguments, 0, row),
                                         At<int32_t>(arguments, 1, row),
                                         At<int32_t>(arguments, 2, row), true));
  });
}

void MakeTime(const EvaluationContext& context, Arguments arguments, size_t rows, Column& out) {
  FixedResult<int64_t>(arguments, rows, out, [&](size_t row) {
    return MakeTimeOfDay(At<int32_t>(arguments, 0, row), At<int32_t>(arguments, 1, row),
                         At<double>(arguments, 2, row));
  });
}

// make_timestamp and make_timestamptz (with an optional zone; the session's by default).
template <bool WithZone>
void MakeTimestamp(const EvaluationContext& context,
                   Arguments arguments,
                   size_t rows,
                   Column& out) {
  const TimeZone& session = SessionZone(context);
  FixedResult<int64_t>(arguments, rows, out, [&](size_t row) {
    const int64_t days = MakeDays(At<int32_t>(arguments, 0, row), At<int32_t>(arguments, 1, row),
                                  At<int32_t>(arguments, 2, row), true);
    const int64_t time =
        MakeTimeOfDay(At<int32_t>(arguments, 3, row), At<int32_t>(arguments, 4, row),
                      At<double>(arguments, 5, row));
    constexpr int64_t kMaxDays = std::numeric_limits<int64_t>::max() / kMicrosPerDay - 1;
    if (days > kMaxDays) {
      ThrowTimestampOutOfRange();
    }
    const int64_t local = CheckTimestamp(days * kMicrosPerDay + time);
    if (!WithZone) {
      return local;
    }
    if (arguments.size() > 6) {
      return ZoneLocalToUtc(local, TextAt(arguments, 6, row));
    }
    return CheckTimestamp(session.LocalToUtc(local));
  });
}

// make_interval(years, months, weeks, days, hours, mins, secs), each argument optional from the
// right.
void MakeInterval(const EvaluationContext& context, Arguments arguments, size_t rows, Column& out) {
  FixedResult<Interval>(arguments, rows, out, [&](size_t row) {
    auto integer = [&](size_t index) -> int64_t {
      return index < arguments.size() ? At<int32_t>(arguments, index, row) : 0;
    };
    const double seconds = arguments.size() > 6 ? At<double>(arguments, 6, row) : 0.0;
    int64_t months = 0;
    int64_t days = 0;
    if (__builtin_mul_overflow(integer(0), int64_t{12}, &months) ||
        __builtin_add_overflow(months, integer(1), &months) ||
        months > std::numeric_limits<int32_t>::max() ||
        months < std::numeric_limits<int32_t>::min() ||
        __builtin_mul_overflow(integer(2), int64_t{7}, &days) ||
        __builtin_add_overflow(days, integer(3), &days) ||
        days > std::numeric_limits<int32_t>::max() || days < std::numeric_limits<int32_t>::min()) {
      ThrowIntervalOutOfRange();
    }
    const double micros = std::rint(seconds * 1'000'000.0);
    if (std::isnan(micros) || std::fabs(micros) >= 9.2233720368547758e18) {
      ThrowIntervalOutOfRange();
    }
    int64_t time = 0;
    if (__builtin_mul_overflow(integer(4), kMicrosPerHour, &time)) {
      ThrowIntervalOutOfRange();
    }
    time = CheckedAdd64(time, integer(5) * kMicrosPerMinute);
    time = CheckedAdd64(time, static_cast<int64_t>(micros));
    return Interval{static_cast<int32_t>(months), static_cast<int32_t>(days), time};
  });
}

template <Interval (*Justify)(Interval)>
void JustifyKernel(const EvaluationContext& context,
                   Arguments arguments,
                   size_t rows,
                   Column& out) {
  UnaryFixed<Interval, Interval>(arguments, rows, out, Justify);
}

// age(a, b): the difference in years, months and days, borrowing from the months of the earlier
// value as Postgres's timestamp_age does.
Interval Age(int64_t first, int64_t second) {
  const DateTimeFields a = SplitTimestamp(first);
  const DateTimeFields b = SplitTimestamp(second);
  int64_t fraction = a.fraction - b.fraction;
  int64_t seconds = a.second - b.second;
  int64_t minutes = a.minute - b.minute;
  int64_t hours = a.hour - b.hour;
  int64_t days = a.day - b.day;
  int64_t months = a.month - b.month;
  int64_t years = a.year - b.year;
  const bool flip = first < second;
  if (flip) {
    fraction = -fraction;
    seconds = -seconds;
    minutes = -minutes;
    hours = -hours;
    days = -days;
    months = -months;
    years = -years;
  }
  while (fraction < 0) {
    fraction += kMicrosPerSecond;
    --seconds;
  }
  while (seconds < 0) {
    seconds += 60;
    --minutes;
  }
  while (minutes < 0) {
    minutes += 60;
    --hours;
  }
  while (hours < 0) {
    hours += 24;
    --days;
  }
  while (days < 0) {
    const DateTimeFields& base = flip ? a : b;
    days += DaysInMonth(base.year, base.month);
    --months;
  }
  while (months < 0) {
    months += 12;
    --years;
  }
  if (flip) {
    fraction = -fraction;
    seconds = -seconds;
    minutes = -minutes;
    hours = -hours;
    days = -days;
    months = -months;
    years = -years;
  }
  const int64_t total_months = years * 12 + months;
  if (total_months > std::numeric_limits<int32_t>::max() ||
      total_months < std::numeric_limits<int32_t>::min()) {
    ThrowIntervalOutOfRange();
  }
  return Interval{static_cast<int32_t>(total_months), static_cast<int32_t>(days),
                  ((hours * 60 + minutes) * 60 + seconds) * kMicrosPerSecond + fraction};
}

void AgeTimestamp(const EvaluationContext& context, Arguments arguments, size_t rows, Column& out) {
  BinaryFixed<int64_t, Interval>(arguments, rows, out, Age);
}

void AgeTimestamptz(const EvaluationContext& context,
                    Arguments arguments,
                    size_t rows,
                    Column& out) {
  const TimeZone& zone = SessionZone(context);
  BinaryFixed<int64_t, Interval>(arguments, rows, out, [&](int64_t a, int64_t b) {
    return Age(zone.UtcToLocal(a), zone.UtcToLocal(b));
  });
}

// age(timestamp): from midnight of the current date.
template <bool WithZone>
void AgeFromToday(const EvaluationContext& context, Arguments arguments, size_t rows, Column& out) {
  const TimeZone& zone = SessionZone(context);
  const int64_t local_now = zone.UtcToLocal(context.statement_timestamp);
  const int64_t midnight = FloorDiv(local_now, kMicrosPerDay) * kMicrosPerDay;
  UnaryFixed<int64_t, Interval>(arguments, rows, out, [&](int64_t value) {
    return Age(midnight, WithZone ? zone.UtcToLocal(value) : value);
  });
}

// ------------------------------------------------------------------------------------------------
// Operators

void TimestampPlusInterval(const EvaluationContext& context,
                           Arguments arguments,
                           size_t rows,
                           Column& out) {
  FixedResult<int64_t>(arguments, rows, out, [&](size_t row) {
    return AddInterval(At<int64_t>(arguments, 0, row), At<Interval>(arguments, 1, row));
  });
}

void IntervalPlusTimestamp(const EvaluationContext& context,
                           Arguments arguments,
                           size_t rows,
                           Column& out) {
  FixedResult<int64_t>(arguments, rows, out, [&](size_t row) {
    return AddInterval(At<int64_t>(arguments, 1, row), At<Interval>(arguments, 0, row));
  });
}

void TimestampMinusInterval(const EvaluationContext& context,
                            Arguments arguments,
                            size_t rows,
                            Column& out) {
  FixedResult<int64_t>(arguments, rows, out, [&](size_t row) {
    return AddInterval(At<int64_t>(arguments, 0, row), Negate(At<Interval>(arguments, 1, row)));
  });
}

void TimestamptzPlusInterval(const EvaluationContext& context,
                             Arguments arguments,
                             size_t rows,
                             Column& out) {
  const TimeZone& zone = SessionZone(context);
  FixedResult<int64_t>(arguments, rows, out, [&](size_t row) {
    return AddIntervalInZone(At<int64_t>(arguments, 0, row), At<Interval>(arguments, 1, row), zone);
  });
}

void IntervalPlusTimestamptz(const EvaluationContext& context,
                             Arguments arguments,
                             size_t rows,
                             Column& out) {
  const TimeZone& zone = SessionZone(context);
  FixedResult<int64_t>(arguments, rows, out, [&](size_t row) {
    return AddIntervalInZone(At<int64_t>(arguments, 1, row), At<Interval>(arguments, 0, row), zone);
  });
}

void TimestamptzMinusInterval(const EvaluationContext& context,
                              Arguments arguments,
                              size_t rows,
                              Column& out) {
  const TimeZone& zone = SessionZone(context);
  FixedResult<int64_t>(arguments, rows, out, [&](size_t row) {
    return AddIntervalInZone(At<int64_t>(arguments, 0, row),
                             Negate(At<Interval>(arguments, 1, row)), zone);
  });
}

// timestamp - timestamp: the difference in microseconds, with whole days split off as Postgres's
// timestamp_mi does (justify_hours).
void TimestampMinusTimestamp(const EvaluationContext& context,
                             Arguments arguments,
                             size_t rows,
                             Column& out) {
  BinaryFixed<int64_t, Interval>(arguments, rows, out, [](int64_t a, int64_t b) {
    if (!calendar::IsFiniteTimestamp(a) || !calendar::IsFiniteTimestamp(b)) {
      throw Error(SqlState::kDatetimeFieldOverflow, "cannot subtract infinite timestamps");
    }
    int64_t difference = 0;
    if (__builtin_sub_overflow(a, b, &difference)) {
      ThrowIntervalOutOfRange();
    }
    return JustifyHours(Interval{0, 0, difference});
  });
}

int32_t CheckDate(int64_t days) {
  if (days < calendar::kMinDate || days >= calendar::kEndDate) {
    ThrowDateOutOfRange();
  }
  return static_cast<int32_t>(days);
}

// date ± days; an infinite date stays infinite.
int32_t AddDays(int32_t date, int64_t days) {
  return calendar::IsFiniteDate(date) ? CheckDate(date + days) : date;
}

void DatePlusInteger(const EvaluationContext& context,
                     Arguments arguments,
                     size_t rows,
                     Column& out) {
  BinaryFixed<int32_t, int32_t>(arguments, rows, out,
                                [](int32_t date, int32_t days) { return AddDays(date, days); });
}

void IntegerPlusDate(const EvaluationContext& context,
                     Arguments arguments,
                     size_t rows,
                     Column& out) {
  BinaryFixed<int32_t, int32_t>(arguments, rows, out,
                                [](int32_t days, int32_t date) { return AddDays(date, days); });
}

void DateMinusInteger(const EvaluationContext& context,
                      Arguments arguments,
                      size_t rows,
                      Column& out) {
  BinaryFixed<int32_t, int32_t>(arguments, rows, out, [](int32_t date, int32_t days) {
    return AddDays(date, -static_cast<int64_t>(days));
  });
}

void DateMinusDate(const EvaluationContext& context,
                   Arguments arguments,
                   size_t rows,
                   Column& out) {
  BinaryFixed<int32_t, int32_t>(arguments, rows, out, [](int32_t a, int32_t b) {
    if (!calendar::IsFiniteDate(a) || !calendar::IsFiniteDate(b)) {
      throw Error(SqlState::kDatetimeFieldOverflow, "cannot subtract infinite dates");
    }
    return a - b;
  });
}

int64_t DateToTimestamp(int32_t days) {
  if (!calendar::IsFiniteDate(days)) {
    return days > 0 ? calendar::kTimestampInfinity : calendar::kTimestampMinusInfinity;
  }
  constexpr int64_t kMaxDays = std::numeric_limits<int64_t>::max() / kMicrosPerDay - 1;
  if (days > kMaxDays) {
    throw Error(SqlState::kDatetimeFieldOverflow, "date out of range for timestamp");
  }
  return static_cast<int64_t>(days) * kMicrosPerDay;
}

void DatePlusInterval(const EvaluationContext& context,
                      Arguments arguments,
                      size_t rows,
                      Column& out) {
  FixedResult<int64_t>(arguments, rows, out, [&](size_t row) {
    return AddInterval(DateToTimestamp(At<int32_t>(arguments, 0, row)),
                       At<Interval>(arguments, 1, row));
  });
}

void IntervalPlusDate(const EvaluationContext& context,
                      Arguments arguments,
                      size_t rows,
                      Column& out) {
  FixedResult<int64_t>(arguments, rows, out, [&](size_t row) {
    return AddInterval(DateToTimestamp(At<int32_t>(arguments, 1, row)),
                       At<Interval>(arguments, 0, row));
  });
}

void DateMinusInterval(const EvaluationContext& context,
                       Arguments arguments,
                       size_t rows,
                       Column& out) {
  FixedResult<int64_t>(arguments, rows, out, [&](size_t row) {
    return AddInterval(DateToTimestamp(At<int32_t>(arguments, 0, row)),
                       Negate(At<Interval>(arguments, 1, row)));
  });
}

void DatePlusTime(const EvaluationContext& context, Arguments arguments, size_t rows, Column& out) {
  FixedResult<int64_t>(arguments, rows, out, [&](size_t row) {
    const int64_t midnight = DateToTimestamp(At<int32_t>(arguments, 0, row));
    return calendar::IsFiniteTimestamp(midnight)
               ? CheckTimestamp(midnight + At<int64_t>(arguments, 1, row))
               : midnight;
  });
}

void TimePlusDate(const EvaluationContext& context, Arguments arguments, size_t rows, Column& out) {
  FixedResult<int64_t>(arguments, rows, out, [&](size_t row) {
    const int64_t midnight = DateToTimestamp(At<int32_t>(arguments, 1, row));
    return calendar::IsFiniteTimestamp(midnight)
               ? CheckTimestamp(midnight + At<int64_t>(arguments, 0, row))
               : midnight;
  });
}

// time ± interval wraps around midnight; only the interval's microseconds count.
template <bool Add>
void TimeWithInterval(const EvaluationContext& context,
                      Arguments arguments,
                      size_t rows,
                      Column& out) {
  FixedResult<int64_t>(arguments, rows, out, [&](size_t row) {
    const int64_t time = At<int64_t>(arguments, 0, row);
    const int64_t shift = At<Interval>(arguments, 1, row).micros % kMicrosPerDay;
    return calendar::FloorMod(Add ? time + shift : time - shift, kMicrosPerDay);
  });
}

void IntervalPlusTime(const EvaluationContext& context,
                      Arguments arguments,
                      size_t rows,
                      Column& out) {
  FixedResult<int64_t>(arguments, rows, out, [&](size_t row) {
    const int64_t shift = At<Interval>(arguments, 0, row).micros % kMicrosPerDay;
    return calendar::FloorMod(At<int64_t>(arguments, 1, row) + shift, kMicrosPerDay);
  });
}

void TimeMinusTime(const EvaluationContext& context,
                   Arguments arguments,
                   size_t rows,
                   Column& out) {
  BinaryFixed<int64_t, Interval>(arguments, rows, out, [](int64_t a, int64_t b) {
    return Interval{0, 0, a - b};
  });
}

void IntervalPlusInterval(const EvaluationContext& context,
                          Arguments arguments,
                          size_t rows,
                          Column& out) {
  BinaryFixed<Interval, Interval>(arguments, rows, out, [](Interval a, Interval b) {
    return Interval{CheckedAdd32(a.months, b.months), CheckedAdd32(a.days, b.days),
                    CheckedAdd64(a.micros, b.micros)};
  });
}

void IntervalMinusInterval(const EvaluationContext& context,
                           Arguments arguments,
                           size_t rows,
                           Column& out) {
  BinaryFixed<Interval, Interval>(arguments, rows, out, [](Interval a, Interval b) {
    int32_t months = 0;
    int32_t days = 0;
    int64_t micros = 0;
    if (__builtin_sub_overflow(a.months, b.months, &months) ||
        __builtin_sub_overflow(a.days, b.days, &days) ||
        __builtin_sub_overflow(a.micros, b.micros, &micros)) {
      ThrowIntervalOutOfRange();
    }
    return Interval{months, days, micros};
  });
}

void NegateInterval(const EvaluationContext& context,
                    Arguments arguments,
                    size_t rows,
                    Column& out) {
  UnaryFixed<Interval, Interval>(arguments, rows, out, Negate);
}

void IdentityInterval(const EvaluationContext& context,
                      Arguments arguments,
                      size_t rows,
                      Column& out) {
  UnaryFixed<Interval, Interval>(arguments, rows, out, [](Interval a) { return a; });
}

bool FitsInt32(double value) {
  return value >= -2147483648.0 && value < 2147483648.0;
}

// Rounds to microseconds of a second, Postgres's TSROUND.
double RoundToMicros(double seconds) {
  return std::rint(seconds * 1'000'000.0) / 1'000'000.0;
}

// interval * factor (or / divisor): fractional months cascade into days and fractional days into
// seconds, as Postgres's interval_mul.
Interval ScaleInterval(const Interval& span, double factor, bool divide) {
  auto scale = [&](double value) { return divide ? value / factor : value * factor; };
  const double months_double = scale(span.months);
  const double days_double = scale(span.days);
  if (std::isnan(months_double) || !FitsInt32(months_double) || std::isnan(days_double) ||
      !FitsInt32(days_double)) {
    ThrowIntervalOutOfRange();
  }
  Interval result;
  result.months = static_cast<int32_t>(months_double);
  result.days = static_cast<int32_t>(days_double);
  const double month_remainder_days =
      RoundToMicros((months_double - result.months) * calendar::kDaysPerMonth);
  double second_remainder = RoundToMicros(
      (days_double - result.days + month_remainder_days - static_cast<int>(month_remainder_days)) *
      86400.0);
  if (std::fabs(second_remainder) >= 86400.0) {
    result.days = CheckedAdd32(result.days, static_cast<int>(second_remainder / 86400.0));
    second_remainder -= static_cast<int>(second_remainder / 86400.0) * 86400.0;
  }
  result.days = CheckedAdd32(result.days, static_cast<int32_t>(month_remainder_days));
  const double micros =
      std::rint(scale(static_cast<double>(span.micros)) + second_remainder * 1'000'000.0);
  if (std::isnan(micros) || micros < -9.2233720368547758e18 || micros >= 9.2233720368547758e18) {
    ThrowIntervalOutOfRange();
  }
  result.micros = static_cast<int64_t>(micros);
  return result;
}

void IntervalTimesDouble(const EvaluationContext& context,
                         Arguments arguments,
                         size_t rows,
                         Column& out) {
  FixedResult<Interval>(arguments, rows, out, [&](size_t row) {
    return ScaleInterval(At<Interval>(arguments, 0, row), At<double>(arguments, 1, row), false);
  });
}

void DoubleTimesInterval(const EvaluationContext& context,
                         Arguments arguments,
                         size_t rows,
                         Column& out) {
  FixedResult<Interval>(arguments, rows, out, [&](size_t row) {
    return ScaleInterval(At<Interval>(arguments, 1, row), At<double>(arguments, 0, row), false);
  });
}

void IntervalDividedByDouble(const EvaluationContext& context,
                             Arguments arguments,
                             size_t rows,
                             Column& out) {
  FixedResult<Interval>(arguments, rows, out, [&](size_t row) {
    const double divisor = At<double>(arguments, 1, row);
    if (divisor == 0.0) {
      throw Error(SqlState::kDivisionByZero, "division by zero");
    }
    return ScaleInterval(At<Interval>(arguments, 0, row), divisor, true);
  });
}

template <typename T>
void IsFinite(const EvaluationContext& context, Arguments arguments, size_t rows, Column& out) {
  UnaryFixed<T, uint8_t>(arguments, rows, out, [](T value) -> uint8_t {
    if constexpr (std::is_same_v<T, int32_t>) {
      return calendar::IsFiniteDate(value) ? 1 : 0;
    } else if constexpr (std::is_same_v<T, int64_t>) {
      return calendar::IsFiniteTimestamp(value) ? 1 : 0;
    } else {
      return 1;
    }
  });
}

// ------------------------------------------------------------------------------------------------
// AT TIME ZONE

// timestamp AT TIME ZONE zone: the instant when the zone's clocks show the timestamp.
void TimestampAtZone(const EvaluationContext& context,
                     Arguments arguments,
                     size_t rows,
                     Column& out) {
  FixedResult<int64_t>(arguments, rows, out, [&](size_t row) {
    return ZoneLocalToUtc(At<int64_t>(arguments, 0, row), TextAt(arguments, 1, row));
  });
}

// timestamptz AT TIME ZONE zone: what the zone's clocks show at the instant.
void TimestamptzAtZone(const EvaluationContext& context,
                       Arguments arguments,
                       size_t rows,
                       Column& out) {
  FixedResult<int64_t>(arguments, rows, out, [&](size_t row) {
    return ZoneUtcToLocal(At<int64_t>(arguments, 0, row), TextAt(arguments, 1, row));
  });
}

int64_t IntervalZoneSeconds(const Interval& zone) {
  if (zone.months != 0 || zone.days != 0) {
    std::string shown;
    AppendInterval(shown, zone);
    throw Error(SqlState::kInvalidParameterValue,
                fmt::format("interval time zone \"{}\" must not include months or days", shown));
  }
  return zone.micros / kMicrosPerSecond;
}

void TimestampAtIntervalZone(const EvaluationContext& context,
                             Arguments arguments,
                             size_t rows,
                             Column& out) {
  FixedResult<int64_t>(arguments, rows, out, [&](size_t row) {
    const int64_t seconds = IntervalZoneSeconds(At<Interval>(arguments, 1, row));
    const int64_t value = At<int64_t>(arguments, 0, row);
    return calendar::IsFiniteTimestamp(value) ? CheckTimestamp(value - seconds * kMicrosPerSecond)
                                              : value;
  });
}

void TimestamptzAtIntervalZone(const EvaluationContext& context,
                               Arguments arguments,
                               size_t rows,
                               Column& out) {
  FixedResult<int64_t>(arguments, rows, out, [&](size_t row) {
    const int64_t seconds = IntervalZoneSeconds(At<Interval>(arguments, 1, row));
    const int64_t value = At<int64_t>(arguments, 0, row);
    return calendar::IsFiniteTimestamp(value) ? CheckTimestamp(value + seconds * kMicrosPerSecond)
                                              : value;
  });
}

// timezone(zone, value) runs the kernels above, which take the value first.
template <ScalarKernel Kernel>
void Swapped(const EvaluationContext& context, Arguments arguments, size_t rows, Column& out) {
  const Column* swapped[] = {arguments[1], arguments[0]};
  Kernel(context, std::span<const Column* const>(swapped, 2), rows, out);
}

}  // namespace

namespace {

// A zone argument resolved as AT TIME ZONE resolves it: a fixed abbreviation first, then a zone.
// Per-row zone names are usually one constant, so the thread's last resolution is remembered
// (zones live for the whole process).
struct ResolvedZone {
  std::optional<int32_t> fixed_offset;
  const TimeZone* zone = nullptr;
};

const ResolvedZone& ResolveZone(std::string_view name) {
  thread_local std::string last_name;
  thread_local ResolvedZone last;
  thread_local bool valid = false;
  if (!valid || name != last_name) {
    ResolvedZone resolved;
    resolved.fixed_offset = TimeZone::FindAbbreviation(name);
    if (!resolved.fixed_offset) {
      resolved.zone = &FindZoneOrThrow(name);
    }
    last_name.assign(name);
    last = resolved;
    valid = true;
  }
  return last;
}

}  // namespace

const TimeZone& FindZoneOrAbbreviation(std::string_view name) {
  const ResolvedZone& resolved = ResolveZone(name);
  if (resolved.fixed_offset) {
    if (const TimeZone* zone = TimeZone::FromOffset(*resolved.fixed_offset)) {
      return *zone;
    }
  }
  return FindZoneOrThrow(name);
}

const TimeZone& FindZoneOrThrow(std::string_view name) {
  const TimeZone* zone = TimeZone::Find(name);
  if (zone == nullptr) {
    throw Error(SqlState::kInvalidParameterValue,
                fmt::format("time zone \"{}\" not recognized", name));
  }
  return *zone;
}

int64_t ZoneLocalToUtc(int64_t local, std::string_view zone_name) {
  const ResolvedZone& resolved = ResolveZone(zone_name);
  if (!calendar::IsFiniteTimestamp(local)) {
    return local;
  }
  if (resolved.fixed_offset) {
    return CheckTimestamp(local - static_cast<int64_t>(*resolved.fixed_offset) * kMicrosPerSecond);
  }
  return CheckTimestamp(resolved.zone->LocalToUtc(local));
}

int64_t ZoneUtcToLocal(int64_t utc, std::string_view zone_name) {
  const ResolvedZone& resolved = ResolveZone(zone_name);
  if (!calendar::IsFiniteTimestamp(utc)) {
    return utc;
  }
  if (resolved.fixed_offset) {
    return CheckTimestamp(utc + static_cast<int64_t>(*resolved.fixed_offset) * kMicrosPerSecond);
  }
  return CheckTimestamp(resolved.zone->UtcToLocal(utc));
}

void RegisterDatetimeFunctions(std::vector<ScalarFunction>& functions) {
  constexpr TypeId kText = TypeId::kText;
  constexpr TypeId kInt = TypeId::kInteger;
  constexpr TypeId kDouble = TypeId::kDouble;
  constexpr TypeId kDate = TypeId::kDate;
  constexpr TypeId kTime = TypeId::kTime;
  constexpr TypeId kTimestamp = TypeId::kTimestamp;
  constexpr TypeId kTimestamptz = TypeId::kTimestamptz;
  constexpr TypeId kInterval = TypeId::kInterval;
  const DataType date(kDate);
  const DataType time(kTime);
  const DataType timestamp(kTimestamp);
  const DataType timestamptz(kTimestamptz);
  const DataType interval(kInterval);
  const DataType integer = DataType::Integer();
  const DataType double_precision = DataType::Double();
  constexpr Volatility kStable = Volatility::kStable;

  // The statement's clock: stable, so every row and every call in a statement agree.
  for (std::string_view name :
       {"now", "current_timestamp", "transaction_timestamp", "statement_timestamp"}) {
    functions.push_back({name, {}, timestamptz, StatementTimestamp, kStable});
  }
  functions.push_back({"current_timestamp", {kInt}, timestamptz, StatementTimestamp, kStable});
  functions.push_back({"clock_timestamp", {}, timestamptz, ClockTimestamp, Volatility::kVolatile});
  functions.push_back({"current_date", {}, date, CurrentDate, kStable});
  functions.push_back({"localtimestamp", {}, timestamp, LocalTimestamp, kStable});
  functions.push_back({"localtimestamp", {kInt}, timestamp, LocalTimestamp, kStable});
  functions.push_back({"localtime", {}, time, LocalTime, kStable});
  functions.push_back({"localtime", {kInt}, time, LocalTime, kStable});

  functions.push_back({"date_trunc", {kText, kTimestamp}, timestamp, DateTruncTimestamp});
  functions.push_back(
      {"date_trunc", {kText, kTimestamptz}, timestamptz, DateTruncTimestamptz, kStable});
  functions.push_back(
      {"date_trunc", {kText, kTimestamptz, kText}, timestamptz, DateTruncTimestamptz, kStable});
  functions.push_back({"date_trunc", {kText, kInterval}, interval, DateTruncInterval});
  // EXTRACT(field FROM x) arrives as extract(field, x): NUMERIC where date_part is double.
  functions.push_back({"date_part", {kText, kTimestamp}, double_precision, DatePartTimestamp});
  functions.push_back(
      {"date_part", {kText, kTimestamptz}, double_precision, DatePartTimestamptz, kStable});
  functions.push_back({"date_part", {kText, kDate}, double_precision, DatePartDate});
  functions.push_back({"date_part", {kText, kTime}, double_precision, DatePartTime});
  functions.push_back({"date_part", {kText, kInterval}, double_precision, DatePartInterval});
  const DataType numeric_type(TypeId::kNumeric);
  functions.push_back({"extract", {kText, kTimestamp}, numeric_type, ExtractTimestamp});
  functions.push_back(
      {"extract", {kText, kTimestamptz}, numeric_type, ExtractTimestamptz, kStable});
  functions.push_back({"extract", {kText, kDate}, numeric_type, ExtractDate});
  functions.push_back({"extract", {kText, kTime}, numeric_type, ExtractTime});
  functions.push_back({"extract", {kText, kInterval}, numeric_type, ExtractInterval});
  functions.push_back({"date_bin", {kInterval, kTimestamp, kTimestamp}, timestamp, DateBin});
  functions.push_back({"date_bin", {kInterval, kTimestamptz, kTimestamptz}, timestamptz, DateBin});
  functions.push_back({"to_timestamp", {kDouble}, timestamptz, ToTimestampSeconds});
  functions.push_back({"make_date", {kInt, kInt, kInt}, date, MakeDate});
  functions.push_back({"make_time", {kInt, kInt, kDouble}, time, MakeTime});
  functions.push_back(
      {"make_timestamp", {kInt, kInt, kInt, kInt, kInt, kDouble}, timestamp, MakeTimestamp<false>});
  functions.push_back({"make_timestamptz",
                       {kInt, kInt, kInt, kInt, kInt, kDouble},
                       timestamptz,
                       MakeTimestamp<true>,
                       kStable});
  functions.push_back({"make_timestamptz",
                       {kInt, kInt, kInt, kInt, kInt, kDouble, kText},
                       timestamptz,
                       MakeTimestamp<true>,
                       kStable});
  // make_interval(years, months, weeks, days, hours, mins, secs): named arguments are not parsed,
  // so each prefix of the positional list is an overload.
  const std::vector<TypeId> make_interval_arguments = {kInt, kInt, kInt, kInt, kInt, kInt, kDouble};
  for (size_t count = 0; count <= make_interval_arguments.size(); ++count) {
    functions.push_back(
        {"make_interval",
         std::vector<TypeId>(make_interval_arguments.begin(),
                             make_interval_arguments.begin() + static_cast<std::ptrdiff_t>(count)),
         interval, MakeInterval});
  }
  functions.push_back({"justify_days", {kInterval}, interval, JustifyKernel<JustifyDays>});
  functions.push_back({"justify_hours", {kInterval}, interval, JustifyKernel<JustifyHours>});
  functions.push_back({"justify_interval", {kInterval}, interval, JustifyKernel<JustifyInterval>});
  functions.push_back({"age", {kTimestamp, kTimestamp}, interval, AgeTimestamp});
  functions.push_back({"age", {kTimestamptz, kTimestamptz}, interval, AgeTimestamptz, kStable});
  functions.push_back({"age", {kTimestamp}, interval, AgeFromToday<false>, kStable});
  functions.push_back({"age", {kTimestamptz}, interval, AgeFromToday<true>, kStable});

  functions.push_back({"+", {kTimestamp, kInterval}, timestamp, TimestampPlusInterval});
  functions.push_back({"+", {kInterval, kTimestamp}, timestamp, IntervalPlusTimestamp});
  functions.push_back({"-", {kTimestamp, kInterval}, timestamp, TimestampMinusInterval});
  functions.push_back(
      {"+", {kTimestamptz, kInterval}, timestamptz, TimestamptzPlusInterval, kStable});
  functions.push_back(
      {"+", {kInterval, kTimestamptz}, timestamptz, IntervalPlusTimestamptz, kStable});
  functions.push_back(
      {"-", {kTimestamptz, kInterval}, timestamptz, TimestamptzMinusInterval, kStable});
  functions.push_back({"-", {kTimestamp, kTimestamp}, interval, TimestampMinusTimestamp});
  functions.push_back({"-", {kTimestamptz, kTimestamptz}, interval, TimestampMinusTimestamp});
  functions.push_back({"+", {kDate, kInt}, date, DatePlusInteger});
  functions.push_back({"+", {kInt, kDate}, date, IntegerPlusDate});
  functions.push_back({"-", {kDate, kInt}, date, DateMinusInteger});
  functions.push_back({"-", {kDate, kDate}, integer, DateMinusDate});
  functions.push_back({"+", {kDate, kInterval}, timestamp, DatePlusInterval});
  functions.push_back({"+", {kInterval, kDate}, timestamp, IntervalPlusDate});
  functions.push_back({"-", {kDate, kInterval}, timestamp, DateMinusInterval});
  functions.push_back({"+", {kDate, kTime}, timestamp, DatePlusTime});
  functions.push_back({"+", {kTime, kDate}, timestamp, TimePlusDate});
  functions.push_back({"+", {kTime, kInterval}, time, TimeWithInterval<true>});
  functions.push_back({"+", {kInterval, kTime}, time, IntervalPlusTime});
  functions.push_back({"-", {kTime, kInterval}, time, TimeWithInterval<false>});
  functions.push_back({"-", {kTime, kTime}, interval, TimeMinusTime});
  functions.push_back({"+", {kInterval, kInterval}, interval, IntervalPlusInterval});
  functions.push_back({"-", {kInterval, kInterval}, interval, IntervalMinusInterval});
  functions.push_back({"-", {kInterval}, interval, NegateInterval});
  functions.push_back({"+", {kInterval}, interval, IdentityInterval});
  functions.push_back({"*", {kInterval, kDouble}, interval, IntervalTimesDouble});
  functions.push_back({"*", {kDouble, kInterval}, interval, DoubleTimesInterval});
  functions.push_back({"/", {kInterval, kDouble}, interval, IntervalDividedByDouble});

  functions.push_back({"isfinite", {kDate}, DataType::Boolean(), IsFinite<int32_t>});
  functions.push_back({"isfinite", {kTimestamp}, DataType::Boolean(), IsFinite<int64_t>});
  functions.push_back({"isfinite", {kTimestamptz}, DataType::Boolean(), IsFinite<int64_t>});
  functions.push_back({"isfinite", {kInterval}, DataType::Boolean(), IsFinite<Interval>});
  // `x AT TIME ZONE z` arrives from the parser as timezone(z, x), as in Postgres.
  functions.push_back({"timezone", {kText, kTimestamp}, timestamptz, Swapped<TimestampAtZone>});
  functions.push_back({"timezone", {kText, kTimestamptz}, timestamp, Swapped<TimestamptzAtZone>});
  functions.push_back(
      {"timezone", {kInterval, kTimestamp}, timestamptz, Swapped<TimestampAtIntervalZone>});
  functions.push_back(
      {"timezone", {kInterval, kTimestamptz}, timestamp, Swapped<TimestamptzAtIntervalZone>});
}

}  // namespace freshet::function
