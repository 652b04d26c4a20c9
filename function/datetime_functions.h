// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <string_view>

#include "common/data_type.h"

namespace freshet {
class TimeZone;
}  // namespace freshet

// Date/time arithmetic with Postgres's semantics, shared by the kernels of datetime_functions.cc
// (registered by RegisterDatetimeFunctions) and by operators that bin or shift timestamps. All
// timestamps are microseconds since 1970-01-01 00:00:00; errors are 22008 ("timestamp out of
// range", "interval out of range").
namespace freshet::function {

/// A timestamp broken into calendar fields; year 0 is 1 BC.
struct DateTimeFields {
  int64_t year = 1970;
  int month = 1;
  int day = 1;
  int hour = 0;
  int minute = 0;
  int second = 0;
  int32_t fraction = 0;  // microseconds
};

/// Splits a timestamp into its fields.
DateTimeFields SplitTimestamp(int64_t micros);
/// Joins fields into a timestamp; throws 22008 outside Postgres's range.
int64_t JoinTimestamp(const DateTimeFields& fields);
/// Adds `months` to a local timestamp, clamping the day to the end of the month ('2024-01-31' + 1
/// month is '2024-02-29').
int64_t AddMonths(int64_t micros, int32_t months);
/// timestamp + interval: months, then days, then microseconds, as Postgres's timestamp_pl_interval.
int64_t AddInterval(int64_t micros, const Interval& span);
/// timestamptz + interval: months and days move the wall clock of `zone`, and the offset is found
/// again afterwards, so adding a day across a DST change keeps the local time of day.
int64_t AddIntervalInZone(int64_t utc, const Interval& span, const TimeZone& zone);
/// justify_hours: whole days of microseconds move to days, signs made consistent.
Interval JustifyHours(Interval span);
/// justify_days: whole 30-day months of days move to months, signs made consistent.
Interval JustifyDays(Interval span);
/// justify_interval: both, with signs made consistent across all three fields.
Interval JustifyInterval(Interval span);

/// The zone named `name` (a zone or POSIX specification, see TimeZone::Find); throws 22023 'time
/// zone "x" not recognized'.
const TimeZone& FindZoneOrThrow(std::string_view name);
/// Like FindZoneOrThrow, but a fixed abbreviation ("EST") is first read as its offset.
const TimeZone& FindZoneOrAbbreviation(std::string_view name);
/// The instant at which the clocks of zone `zone_name` (an abbreviation such as "EST" first, then a
/// zone name) show `local`: `timestamp AT TIME ZONE zone`.
int64_t ZoneLocalToUtc(int64_t local, std::string_view zone_name);
/// What the clocks of zone `zone_name` show at instant `utc`: `timestamptz AT TIME ZONE zone`.
int64_t ZoneUtcToLocal(int64_t utc, std::string_view zone_name);

}  // namespace freshet::function
