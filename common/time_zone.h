// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace freshet {

/// A time zone as PostgreSQL's TimeZone setting knows it: a zone of the IANA database read from
/// the system's TZif files (/usr/share/zoneinfo), or a POSIX TZ specification such as "UTC+3" or
/// "EST5EDT,M3.2.0,M11.1.0". Immutable, so any thread may use it; the zones Find returns are cached
/// for the life of the process, which is why callers may keep plain pointers to them.
class TimeZone {
 public:
  /// Finds a zone by name as Postgres's pg_tzset does: a TZif file, its name matched without
  /// regard to case ("america/new_york" is "America/New_York"), else a POSIX TZ specification
  /// ("UTC+3" is three hours *west* of Greenwich, "<+0530>-05:30" is India). nullptr if neither.
  static const TimeZone* Find(std::string_view name);
  /// The zone SET TIME ZONE <number> makes: `seconds_east` east of Greenwich, named "<+05>-05" as
  /// Postgres names it; nullptr when the offset is out of range.
  static const TimeZone* FromOffset(int64_t seconds_east);
  /// The offset, in seconds east, of a time zone abbreviation that Postgres's default
  /// timezone_abbreviations knows with a fixed meaning ("EST", "cest", "Z"); nullopt otherwise.
  static std::optional<int32_t> FindAbbreviation(std::string_view name);
  /// Coordinated Universal Time, named "UTC".
  static const TimeZone& Utc();

  /// The name SHOW TimeZone prints: the file's own spelling, or the POSIX specification in upper
  /// case.
  const std::string& Name() const { return name_; }
  /// The offset from UTC, in seconds east of Greenwich, at instant `utc_micros` (microseconds since
  /// 1970-01-01 00:00:00 UTC).
  int32_t OffsetAt(int64_t utc_micros) const;
  /// The abbreviation in use at `utc_micros` ("EST", "CEST", "+0530").
  std::string_view AbbreviationAt(int64_t utc_micros) const;
  /// Whether daylight-saving time is in effect at `utc_micros`.
  bool IsDstAt(int64_t utc_micros) const;
  /// The offset in seconds east that local wall-clock time `local_micros` has, resolving gaps and
  /// overlaps as Postgres's DetermineTimeZoneOffset does: a time skipped by a spring-forward
  /// transition takes the offset before it, an ambiguous one in a fall-back transition the offset
  /// after it.
  int32_t OffsetForLocal(int64_t local_micros) const;
  /// The UTC instant of local wall-clock time `local_micros` (see OffsetForLocal).
  int64_t LocalToUtc(int64_t local_micros) const;
  /// The local wall-clock time of instant `utc_micros`.
  int64_t UtcToLocal(int64_t utc_micros) const;

  /// One kind of local time (tzfile's ttinfo).
  struct LocalTimeType {
    int32_t utc_offset = 0;  // seconds east of Greenwich
    bool is_dst = false;
    std::string abbreviation;
  };

  /// The rule of a POSIX TZ string's daylight-saving part: a day and a time of day of each year.
  struct DayRule {
    enum class Kind : uint8_t { kJulianNoLeap, kJulian, kMonthWeekDay };
    Kind kind = Kind::kMonthWeekDay;
    int day = 0;   // Jn: 1..365; n: 0..365; Mm.w.d: d (0 = Sunday)
    int week = 0;  // Mm.w.d: w, 1..5 (5 = last)
    int month = 0;
    int64_t seconds = 7200;  // local time of day of the change; may be negative or beyond a day
  };

  /// A POSIX TZ string: the zone after its last listed transition, or all of a POSIX zone.
  struct PosixRule {
    LocalTimeType standard;
    std::optional<LocalTimeType> daylight;
    DayRule start;  // when daylight time begins, in local standard time
    DayRule end;    // when it ends, in local daylight time
  };

  /// Builds a zone from the contents of a TZif file (version 1 to 4); nullopt when malformed.
  /// Public for tests; Find is the way to get a zone.
  static std::optional<TimeZone> FromTzif(std::string name, std::string_view bytes);
  /// Builds a zone from a POSIX TZ specification; nullopt when malformed.
  static std::optional<TimeZone> FromPosix(std::string name, std::string_view specification);

 private:
  TimeZone() = default;

  /// The local time type in effect at `seconds` since the epoch.
  const LocalTimeType& TypeAt(int64_t seconds) const;
  /// Finds the first transition after `seconds`, as Postgres's pg_next_dst_boundary: the type
  /// before it, and, if there is one, its instant and the type after it.
  bool NextBoundary(int64_t seconds,
                    const LocalTimeType*& before,
                    int64_t& boundary,
                    const LocalTimeType*& after) const;
  /// Up to two transitions of each of three years: a fixed buffer, so lookups never allocate.
  struct RuleWindow {
    std::array<std::pair<int64_t, bool>, 6> transitions;
    size_t size = 0;
    const std::pair<int64_t, bool>* begin() const { return transitions.data(); }
    const std::pair<int64_t, bool>* end() const { return transitions.data() + size; }
  };
  /// The rule's transitions of the years around `seconds` that come after the listed ones, in
  /// order: (instant, is daylight time).
  void RuleTransitions(int64_t seconds, RuleWindow& out) const;
  const LocalTimeType& RuleType(bool is_dst) const;

  std::string name_;
  std::vector<int64_t> transition_times_;  // seconds since the epoch, ascending
  std::vector<uint8_t> transition_types_;  // index into types_ of each transition
  std::vector<LocalTimeType> types_;
  size_t default_type_ = 0;        // before the first transition
  std::optional<PosixRule> rule_;  // after the last transition
};

}  // namespace freshet
