// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/data_type.h"

namespace freshet {

class TimeZone;

// Text output and input of single values, byte-identical to PostgreSQL's type output functions.
// Vectorized kernels call these per value; they allocate only into the caller's buffer.

/// Appends `value` as float8out (or float4out when `is_float4`) prints it: with
/// `extra_float_digits` 1 to 3 the shortest text that reads back exactly, with 0 or less
/// `%.*g` of DBL_DIG (FLT_DIG) + extra_float_digits significant digits.
void AppendFloat(std::string& out, double value, bool is_float4, int32_t extra_float_digits = 1);
/// Appends a packed NUMERIC (common/numeric.h) with all the decimals of its display scale.
void AppendNumeric(std::string& out, __int128 value);
/// Appends a DATE stored as days since 1970-01-01 ("2024-01-31", "0044-03-15 BC").
void AppendDate(std::string& out, int32_t days);
/// Appends a TIME stored as microseconds since midnight ("13:05:00.25").
void AppendTime(std::string& out, int64_t micros);
/// Appends a TIMESTAMP stored as microseconds since 1970-01-01 00:00:00.
void AppendTimestamp(std::string& out, int64_t micros);
/// Appends a TIMESTAMPTZ as local time of `zone` (nullptr: UTC) with its offset, as Postgres's
/// ISO DateStyle prints it ("2024-01-01 05:00:00-05", "... 17:30:00+05:30", "... -04:56:02").
void AppendTimestamptz(std::string& out, int64_t micros, const TimeZone* zone = nullptr);
/// Appends a UTC offset of `seconds_east` as a TIMESTAMPTZ shows it ("+00", "-05", "+05:30").
void AppendUtcOffset(std::string& out, int32_t seconds_east);
/// Appends an INTERVAL in IntervalStyle postgres ("1 year 2 mons 3 days 04:05:06").
void AppendInterval(std::string& out, const Interval& value);
/// Appends BYTEA in hex output ("\x0aff").
void AppendBytea(std::string& out, std::string_view bytes);

/// Days since 1970-01-01 of a proleptic Gregorian date.
int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day);
/// Parses a boolean as boolin does; false if `text` is not one.
bool ParseBoolean(std::string_view text, bool& value);
/// Parses an integer of `type`; throws 22P02 on bad syntax and 22003 when out of range.
int64_t ParseInteger(std::string_view text, TypeId type);
/// Parses an OID as oidin does (a number up to 4294967295; a negative one wraps around); throws
/// 22P02 / 22003 naming `type_name`.
uint32_t ParseOid(std::string_view text, std::string_view type_name = "oid");
/// Parses a double as float8in does ("1e5", "Infinity", "NaN"); throws 22P02 / 22003.
double ParseDouble(std::string_view text, TypeId type);
/// Parses a NUMERIC into a packed value (common/numeric.h) coerced to NUMERIC(precision, scale),
/// or kept as written when `precision` is -1; throws 22P02 / 22003.
__int128 ParseNumeric(std::string_view text, int32_t precision, int32_t scale);
/// Parses a DATE ("2024-01-31"); throws 22007 / 22008.
int32_t ParseDate(std::string_view text);
/// Parses a TIME ("13:05:00.25"); throws 22007.
int64_t ParseTime(std::string_view text);
/// Parses a TIMESTAMP or TIMESTAMPTZ ("2024-01-31 13:05:00.25", 'T' accepted, a zone
/// "+hh[:mm[:ss]]", an abbreviation such as "EST" or a zone name such as "America/New_York"); a
/// TIMESTAMP ignores the zone, a TIMESTAMPTZ without one is local time of `zone` (nullptr: UTC).
/// Throws 22007 / 22008, and 22023 for an unknown zone.
int64_t ParseTimestamp(std::string_view text, bool with_zone, const TimeZone* zone = nullptr);
/// Parses an INTERVAL ("1 day 02:00:00", "5 seconds", "2 hours 30 minutes", "1-2"); throws 22007.
Interval ParseInterval(std::string_view text);

}  // namespace freshet
