// SPDX-License-Identifier: Apache-2.0
#include "common/time_zone.h"

#include <gtest/gtest.h>

#include "common/calendar.h"

namespace freshet {
namespace {

using calendar::kMicrosPerHour;
using calendar::kMicrosPerMinute;
using calendar::kMicrosPerSecond;

// Microseconds since the epoch of a wall-clock time, read as UTC.
int64_t At(int64_t year, int month, int day, int hour = 0, int minute = 0, int second = 0) {
  return calendar::DaysFromCivil(year, month, day) * calendar::kMicrosPerDay +
         hour * kMicrosPerHour + minute * kMicrosPerMinute + second * kMicrosPerSecond;
}

const TimeZone& NewYork() {
  const TimeZone* zone = TimeZone::Find("America/New_York");
  EXPECT_NE(zone, nullptr);
  return *zone;
}

TEST(TimeZoneTest, FindsZonesWithoutRegardToCaseAndKeepsTheFileSpelling) {
  const TimeZone* zone = TimeZone::Find("america/new_york");
  ASSERT_NE(zone, nullptr);
  EXPECT_EQ(zone->Name(), "America/New_York");
  EXPECT_EQ(TimeZone::Find("AMERICA/NEW_YORK"), zone);
  ASSERT_NE(TimeZone::Find("utc"), nullptr);
  EXPECT_EQ(TimeZone::Find("utc")->Name(), "UTC");
  EXPECT_EQ(TimeZone::Find("Etc/UTC")->Name(), "Etc/UTC");
  EXPECT_EQ(TimeZone::Find("gmt")->Name(), "GMT");
}

TEST(TimeZoneTest, RejectsUnknownNamesAndPathsOutOfTheZoneDirectory) {
  EXPECT_EQ(TimeZone::Find("Mars/Base"), nullptr);
  EXPECT_EQ(TimeZone::Find(""), nullptr);
  EXPECT_EQ(TimeZone::Find("../etc"), nullptr);
  EXPECT_EQ(TimeZone::Find("/etc/passwd"), nullptr);
  EXPECT_EQ(TimeZone::Find("America"), nullptr);
  EXPECT_EQ(TimeZone::Find("XYZ"), nullptr);
  EXPECT_EQ(TimeZone::Find("UTC+168"), nullptr);
}

TEST(TimeZoneTest, NewYorkSpringsForwardAtTwoInTheMorning) {
  const TimeZone& zone = NewYork();
  // 2024-03-10 07:00 UTC is 02:00 EST, which becomes 03:00 EDT.
  EXPECT_EQ(zone.OffsetAt(At(2024, 3, 10, 6, 59, 59)), -5 * 3600);
  EXPECT_EQ(zone.AbbreviationAt(At(2024, 3, 10, 6, 59, 59)), "EST");
  EXPECT_EQ(zone.OffsetAt(At(2024, 3, 10, 7)), -4 * 3600);
  EXPECT_EQ(zone.AbbreviationAt(At(2024, 3, 10, 7)), "EDT");
  EXPECT_TRUE(zone.IsDstAt(At(2024, 7, 1)));
  EXPECT_FALSE(zone.IsDstAt(At(2024, 1, 1)));
}

TEST(TimeZoneTest, NewYorkFallsBackAtTwoInTheMorning) {
  const TimeZone& zone = NewYork();
  EXPECT_EQ(zone.OffsetAt(At(2024, 11, 3, 5, 59, 59)), -4 * 3600);
  EXPECT_EQ(zone.OffsetAt(At(2024, 11, 3, 6)), -5 * 3600);
}

TEST(TimeZoneTest, SkippedLocalTimesTakeTheOffsetBeforeTheGap) {
  // Postgres reads 2024-03-10 02:30 in New York as 03:30 EDT.
  const TimeZone& zone = NewYork();
  EXPECT_EQ(zone.OffsetForLocal(At(2024, 3, 10, 2, 30)), -5 * 3600);
  EXPECT_EQ(zone.LocalToUtc(At(2024, 3, 10, 2, 30)), At(2024, 3, 10, 7, 30));
  EXPECT_EQ(zone.LocalToUtc(At(2024, 3, 10, 1, 59)), At(2024, 3, 10, 6, 59));
  EXPECT_EQ(zone.LocalToUtc(At(2024, 3, 10, 3, 0)), At(2024, 3, 10, 7, 0));
}

TEST(TimeZoneTest, AmbiguousLocalTimesTakeTheOffsetAfterTheOverlap) {
  // Postgres reads 2024-11-03 01:30 in New York as 01:30 EST.
  const TimeZone& zone = NewYork();
  EXPECT_EQ(zone.LocalToUtc(At(2024, 11, 3, 1, 30)), At(2024, 11, 3, 6, 30));
  EXPECT_EQ(zone.LocalToUtc(At(2024, 11, 3, 0, 59)), At(2024, 11, 3, 4, 59));
  EXPECT_EQ(zone.LocalToUtc(At(2024, 11, 3, 2, 0)), At(2024, 11, 3, 7, 0));
}

TEST(TimeZoneTest, YearsAfterTheListedTransitionsFollowTheFootersRule) {
  const TimeZone& zone = NewYork();
  // In 2100 DST starts on the second Sunday of March, the 14th.
  EXPECT_EQ(zone.OffsetAt(At(2100, 3, 14, 6, 59)), -5 * 3600);
  EXPECT_EQ(zone.OffsetAt(At(2100, 3, 14, 7, 0)), -4 * 3600);
  EXPECT_EQ(zone.OffsetAt(At(2100, 12, 25)), -5 * 3600);
  EXPECT_EQ(zone.LocalToUtc(At(2100, 3, 14, 2, 30)), At(2100, 3, 14, 7, 30));
  EXPECT_EQ(zone.LocalToUtc(At(2100, 11, 7, 1, 30)), At(2100, 11, 7, 6, 30));
}

TEST(TimeZoneTest, TimesBeforeStandardTimeUseLocalMeanTime) {
  // New York's local mean time was -4:56:02.
  EXPECT_EQ(NewYork().OffsetAt(At(1800, 1, 1)), -(4 * 3600 + 56 * 60 + 2));
}

TEST(TimeZoneTest, SouthernHemisphereHasDaylightTimeInJanuary) {
  const TimeZone* sydney = TimeZone::Find("Australia/Sydney");
  ASSERT_NE(sydney, nullptr);
  EXPECT_EQ(sydney->OffsetAt(At(2024, 1, 15)), 11 * 3600);
  EXPECT_EQ(sydney->OffsetAt(At(2024, 7, 15)), 10 * 3600);
  EXPECT_EQ(sydney->OffsetAt(At(2150, 1, 15)), 11 * 3600);
  EXPECT_EQ(sydney->OffsetAt(At(2150, 7, 15)), 10 * 3600);
}

TEST(TimeZoneTest, PosixSpecificationsCountHoursWestOfGreenwich) {
  const TimeZone* plus = TimeZone::Find("+05:30");
  ASSERT_NE(plus, nullptr);
  EXPECT_EQ(plus->Name(), "+05:30");
  EXPECT_EQ(plus->OffsetAt(0), -(5 * 3600 + 30 * 60));
  const TimeZone* utc_plus_three = TimeZone::Find("utc+3");
  ASSERT_NE(utc_plus_three, nullptr);
  EXPECT_EQ(utc_plus_three->Name(), "UTC+3");
  EXPECT_EQ(utc_plus_three->OffsetAt(0), -3 * 3600);
  EXPECT_EQ(utc_plus_three->AbbreviationAt(0), "UTC");
}

TEST(TimeZoneTest, PosixSpecificationWithDaylightTimeDefaultsToTheUnitedStatesRule) {
  const TimeZone* zone = TimeZone::Find("ABC+5DEF");
  ASSERT_NE(zone, nullptr);
  EXPECT_EQ(zone->OffsetAt(At(2024, 7, 1, 12)), -4 * 3600);
  EXPECT_EQ(zone->AbbreviationAt(At(2024, 7, 1, 12)), "DEF");
  EXPECT_EQ(zone->OffsetAt(At(2024, 1, 1, 12)), -5 * 3600);
  EXPECT_EQ(zone->LocalToUtc(At(2024, 3, 10, 2, 30)), At(2024, 3, 10, 7, 30));
}

TEST(TimeZoneTest, NumericOffsetsAreNamedAsPostgresNamesThem) {
  const TimeZone* east = TimeZone::FromOffset(5 * 3600);
  ASSERT_NE(east, nullptr);
  EXPECT_EQ(east->Name(), "<+05>-05");
  EXPECT_EQ(east->OffsetAt(0), 5 * 3600);
  const TimeZone* west = TimeZone::FromOffset(-8 * 3600);
  ASSERT_NE(west, nullptr);
  EXPECT_EQ(west->Name(), "<-08>+08");
  EXPECT_EQ(west->OffsetAt(0), -8 * 3600);
  EXPECT_EQ(TimeZone::FromOffset(-(3 * 3600 + 45 * 60))->Name(), "<-03:45>+03:45");
  EXPECT_EQ(TimeZone::FromOffset(0)->Name(), "<+00>-00");
  EXPECT_EQ(TimeZone::FromOffset(200 * 3600), nullptr);
}

TEST(TimeZoneTest, KnowsFixedAbbreviations) {
  EXPECT_EQ(TimeZone::FindAbbreviation("EST"), -5 * 3600);
  EXPECT_EQ(TimeZone::FindAbbreviation("cest"), 2 * 3600);
  EXPECT_EQ(TimeZone::FindAbbreviation("z"), 0);
  EXPECT_EQ(TimeZone::FindAbbreviation("America/New_York"), std::nullopt);
}

TEST(TimeZoneTest, UtcNeedsNoFile) {
  EXPECT_EQ(TimeZone::Utc().Name(), "UTC");
  EXPECT_EQ(TimeZone::Utc().OffsetAt(At(2024, 7, 1)), 0);
  EXPECT_EQ(TimeZone::Utc().LocalToUtc(At(2024, 7, 1)), At(2024, 7, 1));
}

TEST(TimeZoneTest, RejectsMalformedTzifData) {
  EXPECT_FALSE(TimeZone::FromTzif("x", "").has_value());
  EXPECT_FALSE(TimeZone::FromTzif("x", "TZif2 garbage").has_value());
}

}  // namespace
}  // namespace freshet
