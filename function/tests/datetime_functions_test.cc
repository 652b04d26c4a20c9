// SPDX-License-Identifier: Apache-2.0
#include "function/datetime_functions.h"

#include <gtest/gtest.h>

#include "common/calendar.h"
#include "common/error.h"
#include "common/text_format.h"
#include "common/time_zone.h"

namespace freshet::function {
namespace {

int64_t Timestamp(std::string_view text) {
  return ParseTimestamp(text, false);
}

std::string Show(int64_t micros) {
  std::string out;
  AppendTimestamp(out, micros);
  return out;
}

TEST(DatetimeFunctionsTest, MonthArithmeticClampsTheDayOfMonth) {
  EXPECT_EQ(Show(AddMonths(Timestamp("2024-01-31 10:00"), 1)), "2024-02-29 10:00:00");
  EXPECT_EQ(Show(AddMonths(Timestamp("2023-01-31"), 1)), "2023-02-28 00:00:00");
  EXPECT_EQ(Show(AddMonths(Timestamp("2024-03-31"), -1)), "2024-02-29 00:00:00");
  EXPECT_EQ(Show(AddMonths(Timestamp("2024-12-15"), 1)), "2025-01-15 00:00:00");
  EXPECT_EQ(Show(AddMonths(Timestamp("2024-01-15"), -13)), "2022-12-15 00:00:00");
}

TEST(DatetimeFunctionsTest, AddsIntervalsMonthsThenDaysThenTime) {
  const Interval span{1, 1, calendar::kMicrosPerHour};
  EXPECT_EQ(Show(AddInterval(Timestamp("2024-01-31"), span)), "2024-03-01 01:00:00");
}

TEST(DatetimeFunctionsTest, DayArithmeticInAZoneKeepsTheWallClock) {
  const TimeZone* new_york = TimeZone::Find("America/New_York");
  ASSERT_NE(new_york, nullptr);
  // 2024-03-09 12:00 EST plus one day is 2024-03-10 12:00 EDT, 23 hours later.
  const int64_t before = ParseTimestamp("2024-03-09 17:00:00+00", true);
  const int64_t after = AddIntervalInZone(before, Interval{0, 1, 0}, *new_york);
  EXPECT_EQ(after - before, 23 * calendar::kMicrosPerHour);
  const int64_t hours =
      AddIntervalInZone(before, Interval{0, 0, 24 * calendar::kMicrosPerHour}, *new_york);
  EXPECT_EQ(hours - before, 24 * calendar::kMicrosPerHour);
}

TEST(DatetimeFunctionsTest, OutOfRangeResultsAre22008) {
  try {
    AddInterval(Timestamp("2024-01-01"), Interval{-12 * 7000, 0, 0});
    FAIL();
  } catch (const Error& error) {
    EXPECT_EQ(error.State(), SqlState::kDatetimeFieldOverflow);
    EXPECT_EQ(error.Message(), "timestamp out of range");
  }
}

TEST(DatetimeFunctionsTest, JustifiesLikePostgres) {
  const Interval hours = JustifyHours(Interval{0, 0, 27 * calendar::kMicrosPerHour});
  EXPECT_EQ(hours, (Interval{0, 1, 3 * calendar::kMicrosPerHour}));
  EXPECT_EQ(JustifyDays(Interval{0, 35, 0}), (Interval{1, 5, 0}));
  EXPECT_EQ(JustifyInterval(Interval{1, 0, -calendar::kMicrosPerHour}),
            (Interval{0, 29, 23 * calendar::kMicrosPerHour}));
}

TEST(DatetimeFunctionsTest, UnknownZonesAre22023) {
  try {
    FindZoneOrThrow("Mars/Base");
    FAIL();
  } catch (const Error& error) {
    EXPECT_EQ(error.State(), SqlState::kInvalidParameterValue);
    EXPECT_EQ(error.Message(), "time zone \"Mars/Base\" not recognized");
  }
}

}  // namespace
}  // namespace freshet::function
