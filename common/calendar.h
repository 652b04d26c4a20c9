// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <limits>

// Proleptic Gregorian calendar arithmetic shared by the date/time code: days are counted from
// 1970-01-01, timestamps are microseconds from 1970-01-01 00:00:00, and year 0 is 1 BC as in
// Postgres's internal representation.
namespace freshet::calendar {

constexpr int64_t kMicrosPerMillisecond = 1'000;
constexpr int64_t kMicrosPerSecond = 1'000'000;
constexpr int64_t kMicrosPerMinute = 60 * kMicrosPerSecond;
constexpr int64_t kMicrosPerHour = 60 * kMicrosPerMinute;
constexpr int64_t kMicrosPerDay = 24 * kMicrosPerHour;
constexpr int64_t kSecondsPerDay = 86'400;
constexpr int32_t kDaysPerMonth = 30;  // Postgres's DAYS_PER_MONTH for interval arithmetic
constexpr int32_t kMonthsPerYear = 12;

/// The first valid timestamp, 4714-11-24 00:00:00 BC (Postgres's MIN_TIMESTAMP).
constexpr int64_t kMinTimestamp = -210'866'803'200'000'000;
/// The first valid date, 4714-11-24 BC, in days.
constexpr int64_t kMinDate = -2'440'588;
/// One past the last valid date, 5874898-01-01 (Postgres's DATE_END_JULIAN), in days.
constexpr int64_t kEndDate = 2'145'042'906;

/// floor(a / b) for b > 0.
constexpr int64_t FloorDiv(int64_t a, int64_t b) {
  const int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

/// a - b * floor(a / b): the non-negative remainder.
constexpr int64_t FloorMod(int64_t a, int64_t b) {
  return a - FloorDiv(a, b) * b;
}

constexpr bool IsLeapYear(int64_t year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

constexpr int DaysInMonth(int64_t year, int month) {
  constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeapYear(year) ? 29 : kDays[month - 1];
}

/// A calendar date; year 0 is 1 BC.
struct CivilDate {
  int64_t year = 1970;
  int month = 1;
  int day = 1;
};

/// Days since 1970-01-01 of a date (Howard Hinnant's days_from_civil).
constexpr int64_t DaysFromCivil(int64_t year, int month, int day) {
  year -= month <= 2 ? 1 : 0;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const int64_t yoe = year - era * 400;
  const int64_t doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

/// The date `days` after 1970-01-01 (Howard Hinnant's civil_from_days).
constexpr CivilDate CivilFromDays(int64_t days) {
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const int64_t doe = days - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return {yoe + era * 400 + (month <= 2 ? 1 : 0), month, day};
}

/// 0 = Sunday ... 6 = Saturday.
constexpr int DayOfWeek(int64_t days) {
  return static_cast<int>(FloorMod(days + 4, 7));
}

/// 'infinity' and '-infinity' of TIMESTAMP[TZ], as Postgres stores them (DT_NOEND, DT_NOBEGIN).
constexpr int64_t kTimestampInfinity = std::numeric_limits<int64_t>::max();
constexpr int64_t kTimestampMinusInfinity = std::numeric_limits<int64_t>::min();
/// 'infinity' and '-infinity' of DATE (DATEVAL_NOEND, DATEVAL_NOBEGIN).
constexpr int32_t kDateInfinity = std::numeric_limits<int32_t>::max();
constexpr int32_t kDateMinusInfinity = std::numeric_limits<int32_t>::min();

constexpr bool IsFiniteTimestamp(int64_t micros) {
  return micros != kTimestampInfinity && micros != kTimestampMinusInfinity;
}

constexpr bool IsFiniteDate(int32_t days) {
  return days != kDateInfinity && days != kDateMinusInfinity;
}

/// True if `micros` is a valid finite timestamp (Postgres's IS_VALID_TIMESTAMP; a 64-bit count of
/// microseconds since 1970 ends in 294247, before Postgres's end in 294276).
constexpr bool IsValidTimestamp(int64_t micros) {
  return micros >= kMinTimestamp && micros != kTimestampInfinity;
}

}  // namespace freshet::calendar
