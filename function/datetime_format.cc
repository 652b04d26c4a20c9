// SPDX-License-Identifier: Apache-2.0
#include <array>
#include <cctype>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "common/calendar.h"
#include "common/error.h"
#include "common/time_zone.h"
#include "function/datetime_functions.h"
#include "function/scalar_function.h"

// to_char, to_timestamp and to_date with Postgres's template patterns (formatting.c): the common
// date/time fields, FM and TH modifiers, quoted literals and the lenient separator matching of
// Postgres 12 and later. Templates are parsed again only when they change from row to row.
namespace freshet::function {
namespace {

using calendar::FloorDiv;
using calendar::kMicrosPerDay;
using calendar::kMicrosPerSecond;

enum class Field : uint8_t {
  kYearComma,  // Y,YYY
  kYear4,
  kYear3,
  kYear2,
  kYear1,
  kIsoYear4,
  kIsoYear3,
  kIsoYear2,
  kIsoYear1,
  kMonth,         // MM
  kMonthName,     // MONTH / Month / month
  kMonthAbbrev,   // MON / Mon / mon
  kRomanMonth,    // RM / rm
  kDay,           // DD
  kDayOfYear,     // DDD
  kIsoDayOfYear,  // IDDD
  kDayOfWeek,     // D (Sunday = 1)
  kIsoDayOfWeek,  // ID (Monday = 1)
  kDayName,       // DAY / Day / day
  kDayAbbrev,     // DY / Dy / dy
  kHour12,        // HH / HH12
  kHour24,
  kMinute,
  kSecond,
  kSecondsOfDay,  // SSSS / SSSSS
  kMillisecond,
  kMicrosecond,
  kFraction,  // FF1..FF6
  kMeridiem,  // AM / PM / A.M. / P.M. (either spelling parses both)
  kEra,       // AD / BC / A.D. / B.C.
  kWeekOfMonth,
  kWeekOfYear,
  kIsoWeek,
  kQuarter,
  kCentury,
  kJulian,
  kZoneName,     // TZ / tz
  kZoneHours,    // TZH
  kZoneMinutes,  // TZM
  kZoneOffset,   // OF
  kFixedMode,    // FX
};

// How a name or meridiem is capitalized in the output, from the case of the pattern.
enum class Case : uint8_t { kUpper, kCapitalized, kLower };

struct Keyword {
  std::string_view text;
  Field field;
  Case letter_case = Case::kUpper;
  int digits = 0;       // width of a number; digits of FFn
  bool dotted = false;  // A.M., B.C.
};

// Longest spellings first, so that "HH24" wins over "HH" and "MONTH" over "MON".
constexpr Keyword kKeywords[] = {
    {"Y,YYY", Field::kYearComma},
    {"y,yyy", Field::kYearComma},
    {"YYYY", Field::kYear4, Case::kUpper, 4},
    {"yyyy", Field::kYear4, Case::kLower, 4},
    {"YYY", Field::kYear3, Case::kUpper, 3},
    {"yyy", Field::kYear3, Case::kLower, 3},
    {"YY", Field::kYear2, Case::kUpper, 2},
    {"yy", Field::kYear2, Case::kLower, 2},
    {"Y", Field::kYear1, Case::kUpper, 1},
    {"y", Field::kYear1, Case::kLower, 1},
    {"IYYY", Field::kIsoYear4, Case::kUpper, 4},
    {"iyyy", Field::kIsoYear4, Case::kLower, 4},
    {"IYY", Field::kIsoYear3, Case::kUpper, 3},
    {"iyy", Field::kIsoYear3, Case::kLower, 3},
    {"IY", Field::kIsoYear2, Case::kUpper, 2},
    {"iy", Field::kIsoYear2, Case::kLower, 2},
    {"IDDD", Field::kIsoDayOfYear, Case::kUpper, 3},
    {"iddd", Field::kIsoDayOfYear, Case::kLower, 3},
    {"ID", Field::kIsoDayOfWeek, Case::kUpper, 1},
    {"id", Field::kIsoDayOfWeek, Case::kLower, 1},
    {"IW", Field::kIsoWeek, Case::kUpper, 2},
    {"iw", Field::kIsoWeek, Case::kLower, 2},
    {"I", Field::kIsoYear1, Case::kUpper, 1},
    {"i", Field::kIsoYear1, Case::kLower, 1},
    {"MONTH", Field::kMonthName, Case::kUpper},
    {"Month", Field::kMonthName, Case::kCapitalized},
    {"month", Field::kMonthName, Case::kLower},
    {"MON", Field::kMonthAbbrev, Case::kUpper},
    {"Mon", Field::kMonthAbbrev, Case::kCapitalized},
    {"mon", Field::kMonthAbbrev, Case::kLower},
    {"MM", Field::kMonth, Case::kUpper, 2},
    {"mm", Field::kMonth, Case::kLower, 2},
    {"MI", Field::kMinute, Case::kUpper, 2},
    {"mi", Field::kMinute, Case::kLower, 2},
    {"MS", Field::kMillisecond, Case::kUpper, 3},
    {"ms", Field::kMillisecond, Case::kLower, 3},
    {"RM", Field::kRomanMonth, Case::kUpper},
    {"rm", Field::kRomanMonth, Case::kLower},
    {"DDD", Field::kDayOfYear, Case::kUpper, 3},
    {"ddd", Field::kDayOfYear, Case::kLower, 3},
    {"DD", Field::kDay, Case::kUpper, 2},
    {"dd", Field::kDay, Case::kLower, 2},
    {"DAY", Field::kDayName, Case::kUpper},
    {"Day", Field::kDayName, Case::kCapitalized},
    {"day", Field::kDayName, Case::kLower},
    {"DY", Field::kDayAbbrev, Case::kUpper},
    {"Dy", Field::kDayAbbrev, Case::kCapitalized},
    {"dy", Field::kDayAbbrev, Case::kLower},
    {"D", Field::kDayOfWeek, Case::kUpper, 1},
    {"d", Field::kDayOfWeek, Case::kLower, 1},
    {"HH24", Field::kHour24, Case::kUpper, 2},
    {"hh24", Field::kHour24, Case::kLower, 2},
    {"HH12", Field::kHour12, Case::kUpper, 2},
    {"hh12", Field::kHour12, Case::kLower, 2},
    {"HH", Field::kHour12, Case::kUpper, 2},
    {"hh", Field::kHour12, Case::kLower, 2},
    {"SSSSS", Field::kSecondsOfDay, Case::kUpper, 5},
    {"sssss", Field::kSecondsOfDay, Case::kLower, 5},
    {"SSSS", Field::kSecondsOfDay, Case::kUpper, 5},
    {"ssss", Field::kSecondsOfDay, Case::kLower, 5},
    {"SS", Field::kSecond, Case::kUpper, 2},
    {"ss", Field::kSecond, Case::kLower, 2},
    {"US", Field::kMicrosecond, Case::kUpper, 6},
    {"us", Field::kMicrosecond, Case::kLower, 6},
    {"FF1", Field::kFraction, Case::kUpper, 1},
    {"FF2", Field::kFraction, Case::kUpper, 2},
    {"FF3", Field::kFraction, Case::kUpper, 3},
    {"FF4", Field::kFraction, Case::kUpper, 4},
    {"FF5", Field::kFraction, Case::kUpper, 5},
    {"FF6", Field::kFraction, Case::kUpper, 6},
    {"ff1", Field::kFraction, Case::kLower, 1},
    {"ff2", Field::kFraction, Case::kLower, 2},
    {"ff3", Field::kFraction, Case::kLower, 3},
    {"ff4", Field::kFraction, Case::kLower, 4},
    {"ff5", Field::kFraction, Case::kLower, 5},
    {"ff6", Field::kFraction, Case::kLower, 6},
    {"A.M.", Field::kMeridiem, Case::kUpper, 0, true},
    {"a.m.", Field::kMeridiem, Case::kLower, 0, true},
    {"P.M.", Field::kMeridiem, Case::kUpper, 0, true},
    {"p.m.", Field::kMeridiem, Case::kLower, 0, true},
    {"AM", Field::kMeridiem, Case::kUpper},
    {"am", Field::kMeridiem, Case::kLower},
    {"PM", Field::kMeridiem, Case::kUpper},
    {"pm", Field::kMeridiem, Case::kLower},
    {"A.D.", Field::kEra, Case::kUpper, 0, true},
    {"a.d.", Field::kEra, Case::kLower, 0, true},
    {"B.C.", Field::kEra, Case::kUpper, 0, true},
    {"b.c.", Field::kEra, Case::kLower, 0, true},
    {"AD", Field::kEra, Case::kUpper},
    {"ad", Field::kEra, Case::kLower},
    {"BC", Field::kEra, Case::kUpper},
    {"bc", Field::kEra, Case::kLower},
    {"WW", Field::kWeekOfYear, Case::kUpper, 2},
    {"ww", Field::kWeekOfYear, Case::kLower, 2},
    {"W", Field::kWeekOfMonth, Case::kUpper, 1},
    {"w", Field::kWeekOfMonth, Case::kLower, 1},
    {"Q", Field::kQuarter, Case::kUpper, 1},
    {"q", Field::kQuarter, Case::kLower, 1},
    {"CC", Field::kCentury, Case::kUpper, 2},
    {"cc", Field::kCentury, Case::kLower, 2},
    {"J", Field::kJulian, Case::kUpper, 0},
    {"j", Field::kJulian, Case::kLower, 0},
    {"TZH", Field::kZoneHours, Case::kUpper},
    {"tzh", Field::kZoneHours, Case::kLower},
    {"TZM", Field::kZoneMinutes, Case::kUpper},
    {"tzm", Field::kZoneMinutes, Case::kLower},
    {"TZ", Field::kZoneName, Case::kUpper},
    {"tz", Field::kZoneName, Case::kLower},
    {"OF", Field::kZoneOffset, Case::kUpper},
    {"of", Field::kZoneOffset, Case::kLower},
    {"FX", Field::kFixedMode, Case::kUpper},
    {"fx", Field::kFixedMode, Case::kLower},
};

constexpr std::array<std::string_view, 12> kMonthNames = {
    "January", "February", "March",     "April",   "May",      "June",
    "July",    "August",   "September", "October", "November", "December"};
constexpr std::array<std::string_view, 7> kDayNames = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                                       "Thursday", "Friday", "Saturday"};
constexpr std::array<std::string_view, 12> kRomanMonths = {"I",   "II",   "III", "IV", "V",  "VI",
                                                           "VII", "VIII", "IX",  "X",  "XI", "XII"};

// One piece of a parsed template: a keyword with its modifiers, or literal text.
struct Node {
  const Keyword* keyword = nullptr;
  std::string literal;
  bool fill_mode = false;      // FM: no padding
  bool ordinal = false;        // TH / th suffix
  bool ordinal_upper = false;  // TH rather than th
};

bool StartsWith(std::string_view text, size_t at, std::string_view prefix) {
  return text.substr(at, prefix.size()) == prefix;
}

// Splits a template into nodes as Postgres's parse_format does for DCH templates.
std::vector<Node> ParseTemplate(std::string_view format) {
  std::vector<Node> nodes;
  size_t i = 0;
  while (i < format.size()) {
    bool fill_mode = false;
    if (StartsWith(format, i, "FM") || StartsWith(format, i, "fm")) {
      fill_mode = true;
      i += 2;
    }
    const Keyword* match = nullptr;
    for (const Keyword& keyword : kKeywords) {
      if (StartsWith(format, i, keyword.text) &&
          (match == nullptr || keyword.text.size() > match->text.size())) {
        match = &keyword;
      }
    }
    if (match != nullptr) {
      Node node;
      node.keyword = match;
      node.fill_mode = fill_mode;
      i += match->text.size();
      if (StartsWith(format, i, "TH") || StartsWith(format, i, "th")) {
        node.ordinal = true;
        node.ordinal_upper = format[i] == 'T';
        i += 2;
      }
      nodes.push_back(std::move(node));
      continue;
    }
    if (fill_mode) {
      // A lone FM modifies nothing.
      continue;
    }
    Node node;
    if (format[i] == '"') {
      // Quoted literal text; a backslash escapes the next character.
      ++i;
      while (i < format.size() && format[i] != '"') {
        if (format[i] == '\\' && i + 1 < format.size()) {
          ++i;
        }
        node.literal += format[i++];
      }
      ++i;
    } else if (format[i] == '\\' && i + 1 < format.size() && format[i + 1] == '"') {
      node.literal = "\"";
      i += 2;
    } else {
      node.literal = format.substr(i, 1);
      ++i;
    }
    if (!nodes.empty() && nodes.back().keyword == nullptr) {
      nodes.back().literal += node.literal;
    } else {
      nodes.push_back(std::move(node));
    }
  }
  return nodes;
}

std::string_view OrdinalSuffix(int64_t number, bool upper) {
  const int64_t last_two = (number < 0 ? -number : number) % 100;
  const int64_t last = last_two % 10;
  std::string_view suffix = "th";
  if (last_two < 11 || last_two > 13) {
    suffix = last == 1 ? "st" : last == 2 ? "nd" : last == 3 ? "rd" : "th";
  }
  if (!upper) {
    return suffix;
  }
  return suffix == "st" ? "ST" : suffix == "nd" ? "ND" : suffix == "rd" ? "RD" : "TH";
}

void AppendCased(std::string& out, std::string_view name, Case letter_case, size_t pad_to) {
  const size_t start = out.size();
  out.append(name);
  for (size_t i = start; i < out.size(); ++i) {
    const auto c = static_cast<unsigned char>(out[i]);
    if (letter_case == Case::kUpper || (letter_case == Case::kCapitalized && i == start)) {
      out[i] = static_cast<char>(std::toupper(c));
    } else {
      out[i] = static_cast<char>(std::tolower(c));
    }
  }
  if (name.size() < pad_to) {
    out.append(pad_to - name.size(), ' ');
  }
}

void AppendNumber(std::string& out, const Node& node, int64_t value, int width) {
  if (node.fill_mode || width <= 0) {
    fmt::format_to(std::back_inserter(out), "{}", value);
  } else if (value < 0) {
    fmt::format_to(std::back_inserter(out), "-{:0{}}", -value, width);
  } else {
    fmt::format_to(std::back_inserter(out), "{:0{}}", value, width);
  }
  if (node.ordinal) {
    out.append(OrdinalSuffix(value, node.ordinal_upper));
  }
}

// The ISO 8601 year and week of a date, and the ISO day of the year.
struct IsoDate {
  int64_t year;
  int week;
  int day_of_year;
};

IsoDate IsoOf(int64_t days) {
  const int weekday = (calendar::DayOfWeek(days) + 6) % 7;  // Monday = 0
  const int64_t thursday = days - weekday + 3;
  const int64_t year = calendar::CivilFromDays(thursday).year;
  // Monday of week 1: the week with January 4th.
  const int64_t january_fourth = calendar::DaysFromCivil(year, 1, 4);
  const int64_t week_one = january_fourth - (calendar::DayOfWeek(january_fourth) + 6) % 7;
  const int64_t day_of_year = days - week_one + 1;
  return {year, static_cast<int>((day_of_year - 1) / 7 + 1), static_cast<int>(day_of_year)};
}

// Formats local time `local` of a value whose zone is `zone` (nullptr for a TIMESTAMP, which has
// none: TZ prints nothing and the offset is zero).
void FormatTimestamp(const std::vector<Node>& nodes,
                     int64_t local,
                     int32_t offset,
                     std::string_view zone_abbreviation,
                     std::string& out) {
  const DateTimeFields fields = SplitTimestamp(local);
  const int64_t days = FloorDiv(local, kMicrosPerDay);
  // Years are shown as written: 44 BC is 0044 with BC.
  const int64_t year = fields.year > 0 ? fields.year : 1 - fields.year;
  for (const Node& node : nodes) {
    if (node.keyword == nullptr) {
      out.append(node.literal);
      continue;
    }
    const Keyword& keyword = *node.keyword;
    const bool lower = keyword.letter_case == Case::kLower;
    switch (keyword.field) {
      case Field::kYearComma:
        fmt::format_to(std::back_inserter(out), "{},{:03}", year / 1000, year % 1000);
        break;
      case Field::kYear4:
        AppendNumber(out, node, year, 4);
        break;
      case Field::kYear3:
        AppendNumber(out, node, year % 1000, 3);
        break;
      case Field::kYear2:
        AppendNumber(out, node, year % 100, 2);
        break;
      case Field::kYear1:
        AppendNumber(out, node, year % 10, 1);
        break;
      case Field::kIsoYear4:
      case Field::kIsoYear3:
      case Field::kIsoYear2:
      case Field::kIsoYear1: {
        const int64_t iso = IsoOf(days).year;
        const int64_t shown = iso > 0 ? iso : 1 - iso;
        const int64_t modulus = keyword.digits == 4   ? 0
                                : keyword.digits == 3 ? 1000
                                : keyword.digits == 2 ? 100
                                                      : 10;
        AppendNumber(out, node, modulus == 0 ? shown : shown % modulus, keyword.digits);
        break;
      }
      case Field::kMonth:
        AppendNumber(out, node, fields.month, 2);
        break;
      case Field::kMonthName:
        AppendCased(out, kMonthNames[fields.month - 1], keyword.letter_case,
                    node.fill_mode ? 0 : 9);
        break;
      case Field::kMonthAbbrev:
        AppendCased(out, kMonthNames[fields.month - 1].substr(0, 3), keyword.letter_case, 0);
        break;
      case Field::kRomanMonth:
        AppendCased(out, kRomanMonths[fields.month - 1], keyword.letter_case,
                    node.fill_mode ? 0 : 4);
        break;
      case Field::kDay:
        AppendNumber(out, node, fields.day, 2);
        break;
      case Field::kDayOfYear:
        AppendNumber(out, node, days - calendar::DaysFromCivil(fields.year, 1, 1) + 1, 3);
        break;
      case Field::kIsoDayOfYear:
        AppendNumber(out, node, IsoOf(days).day_of_year, 3);
        break;
      case Field::kDayOfWeek:
        AppendNumber(out, node, calendar::DayOfWeek(days) + 1, 1);
        break;
      case Field::kIsoDayOfWeek: {
        const int weekday = calendar::DayOfWeek(days);
        AppendNumber(out, node, weekday == 0 ? 7 : weekday, 1);
        break;
      }
      case Field::kDayName:
        AppendCased(out, kDayNames[static_cast<size_t>(calendar::DayOfWeek(days))],
                    keyword.letter_case, node.fill_mode ? 0 : 9);
        break;
      case Field::kDayAbbrev:
        AppendCased(out, kDayNames[static_cast<size_t>(calendar::DayOfWeek(days))].substr(0, 3),
                    keyword.letter_case, 0);
        break;
      case Field::kHour12:
        AppendNumber(out, node, fields.hour % 12 == 0 ? 12 : fields.hour % 12, 2);
        break;
      case Field::kHour24:
        AppendNumber(out, node, fields.hour, 2);
        break;
      case Field::kMinute:
        AppendNumber(out, node, fields.minute, 2);
        break;
      case Field::kSecond:
        AppendNumber(out, node, fields.second, 2);
        break;
      case Field::kSecondsOfDay:
        AppendNumber(out, node, (fields.hour * 60 + fields.minute) * 60 + fields.second, 0);
        break;
      case Field::kMillisecond:
        AppendNumber(out, node, fields.fraction / 1000, 3);
        break;
      case Field::kMicrosecond:
        AppendNumber(out, node, fields.fraction, 6);
        break;
      case Field::kFraction: {
        int64_t divisor = 1;
        for (int i = keyword.digits; i < 6; ++i) {
          divisor *= 10;
        }
        AppendNumber(out, node, fields.fraction / divisor, keyword.digits);
        break;
      }
      case Field::kMeridiem: {
        const bool pm = fields.hour >= 12;
        std::string_view text = keyword.dotted ? (pm ? "P.M." : "A.M.") : (pm ? "PM" : "AM");
        AppendCased(out, text, keyword.letter_case, 0);
        break;
      }
      case Field::kEra: {
        const bool bc = fields.year <= 0;
        std::string_view text = keyword.dotted ? (bc ? "B.C." : "A.D.") : (bc ? "BC" : "AD");
        AppendCased(out, text, keyword.letter_case, 0);
        break;
      }
      case Field::kWeekOfMonth:
        AppendNumber(out, node, (fields.day - 1) / 7 + 1, 1);
        break;
      case Field::kWeekOfYear:
        AppendNumber(out, node, (days - calendar::DaysFromCivil(fields.year, 1, 1)) / 7 + 1, 2);
        break;
      case Field::kIsoWeek:
        AppendNumber(out, node, IsoOf(days).week, 2);
        break;
      case Field::kQuarter:
        AppendNumber(out, node, (fields.month - 1) / 3 + 1, 1);
        break;
      case Field::kCentury: {
        const int64_t century =
            fields.year > 0 ? (fields.year + 99) / 100 : -((99 - (fields.year - 1)) / 100);
        AppendNumber(out, node, century, 2);
        break;
      }
      case Field::kJulian:
        AppendNumber(out, node, days + 2440588, 0);
        break;
      case Field::kZoneName:
        AppendCased(out, zone_abbreviation, lower ? Case::kLower : Case::kUpper, 0);
        break;
      case Field::kZoneHours: {
        const int32_t hours = offset / 3600;
        fmt::format_to(std::back_inserter(out), "{}{:02}", offset >= 0 ? '+' : '-',
                       hours < 0 ? -hours : hours);
        break;
      }
      case Field::kZoneMinutes: {
        const int32_t minutes = (offset < 0 ? -offset : offset) / 60 % 60;
        fmt::format_to(std::back_inserter(out), "{:02}", minutes);
        break;
      }
      case Field::kZoneOffset: {
        const int32_t absolute = offset < 0 ? -offset : offset;
        fmt::format_to(std::back_inserter(out), "{}{:02}", offset >= 0 ? '+' : '-',
                       absolute / 3600);
        if (absolute / 60 % 60 != 0) {
          fmt::format_to(std::back_inserter(out), ":{:02}", absolute / 60 % 60);
        }
        break;
      }
      case Field::kFixedMode:
        break;
    }
  }
}

// A template parsed once and reused while rows bring the same text.
class TemplateCache {
 public:
  const std::vector<Node>& Get(std::string_view format) {
    if (!valid_ || format != text_) {
      text_.assign(format);
      nodes_ = ParseTemplate(format);
      valid_ = true;
    }
    return nodes_;
  }

 private:
  bool valid_ = false;
  std::string text_;
  std::vector<Node> nodes_;
};

// to_char(timestamp | timestamptz | date, text). A TIMESTAMPTZ is formatted in the session's zone.
template <TypeId Input>
void ToChar(const EvaluationContext& context,
            std::span<const Column* const> arguments,
            size_t rows,
            Column& out) {
  const TimeZone& zone = context.time_zone != nullptr ? *context.time_zone : TimeZone::Utc();
  TemplateCache cache;
  out.Reserve(rows);
  std::string buffer;
  for (size_t row = 0; row < rows; ++row) {
    if (arguments[0]->IsNull(row) || arguments[1]->IsNull(row)) {
      out.AppendNull();
      continue;
    }
    const std::string_view format = arguments[1]->GetString(row);
    // An empty template gives NULL, as in Postgres.
    if (format.empty()) {
      out.AppendNull();
      continue;
    }
    // 'infinity' has no fields to format: NULL, as in Postgres.
    const bool finite = Input == TypeId::kDate
                            ? calendar::IsFiniteDate(arguments[0]->Data<int32_t>()[row])
                            : calendar::IsFiniteTimestamp(arguments[0]->Data<int64_t>()[row]);
    if (!finite) {
      out.AppendNull();
      continue;
    }
    const std::vector<Node>& nodes = cache.Get(format);
    buffer.clear();
    if constexpr (Input == TypeId::kTimestamp) {
      FormatTimestamp(nodes, arguments[0]->Data<int64_t>()[row], 0, "", buffer);
    } else {
      int64_t utc = 0;
      if constexpr (Input == TypeId::kDate) {
        utc = zone.LocalToUtc(static_cast<int64_t>(arguments[0]->Data<int32_t>()[row]) *
                              kMicrosPerDay);
      } else {
        utc = arguments[0]->Data<int64_t>()[row];
      }
      const int32_t offset = zone.OffsetAt(utc);
      FormatTimestamp(nodes, utc + static_cast<int64_t>(offset) * kMicrosPerSecond, offset,
                      zone.AbbreviationAt(utc), buffer);
    }
    out.AppendString(buffer);
  }
}

// ------------------------------------------------------------------------------------------------
// to_timestamp / to_date

// The fields read from the input; absent ones keep Postgres's defaults (year 0 is 1 BC, as Postgres
// uses when a template has no year).
struct ParsedFields {
  int64_t year = 0;
  bool has_year = false;
  int year_digits = 0;
  bool bc = false;
  int64_t month = 1;
  int64_t day = 1;
  std::optional<int64_t> day_of_year;
  int64_t hour = 0;
  bool twelve_hour = false;
  std::optional<bool> pm;
  int64_t minute = 0;
  int64_t second = 0;
  int64_t fraction = 0;  // microseconds
  std::optional<int64_t> seconds_of_day;
  std::optional<int64_t> julian;
  std::optional<int64_t> zone_seconds;  // east of Greenwich
};

bool IsSeparator(char c) {
  return !std::isalnum(static_cast<unsigned char>(c)) && (static_cast<unsigned char>(c) < 0x80);
}

class InputParser {
 public:
  explicit InputParser(std::string_view input) : input_(input) {}

  void Parse(const std::vector<Node>& nodes, ParsedFields& fields) {
    for (size_t n = 0; n < nodes.size(); ++n) {
      const Node& node = nodes[n];
      if (node.keyword == nullptr) {
        MatchLiteral(node.literal);
        continue;
      }
      if (node.keyword->field == Field::kFixedMode) {
        continue;
      }
      SkipSpaces();
      const bool separator_follows = n + 1 >= nodes.size() || nodes[n + 1].keyword == nullptr;
      ReadField(node, separator_follows, fields);
      if (node.ordinal) {
        for (int i = 0; i < 2 && pos_ < input_.size() && std::isalpha(Peek()); ++i) {
          ++pos_;
        }
      }
    }
  }

 private:
  unsigned char Peek() const { return static_cast<unsigned char>(input_[pos_]); }

  void SkipSpaces() {
    while (pos_ < input_.size() && std::isspace(Peek())) {
      ++pos_;
    }
  }

  // Outside FX mode a separator of the template matches one separator (or none) of the input,
  // and other literal characters are skipped one for one.
  void MatchLiteral(std::string_view literal) {
    for (char c : literal) {
      if (pos_ >= input_.size()) {
        return;
      }
      if (IsSeparator(c) || std::isspace(static_cast<unsigned char>(c))) {
        if (std::isspace(static_cast<unsigned char>(c))) {
          SkipSpaces();
        } else if (IsSeparator(input_[pos_]) || std::isspace(Peek())) {
          ++pos_;
        }
      } else {
        ++pos_;
      }
    }
  }

  [[noreturn]] void ThrowInvalidValue(const Node& node, std::string_view value) {
    throw Error(SqlState::kInvalidDatetimeFormat,
                fmt::format("invalid value \"{}\" for \"{}\"", value, node.keyword->text))
        .WithDetail("Value must be an integer.");
  }

  // Reads an integer of at most `width` digits, or as many as there are when a separator follows
  // in the template; returns the value and the count of digits read.
  int64_t ReadNumber(const Node& node, int width, bool separator_follows, int* digits = nullptr) {
    const size_t start = pos_;
    bool negative = false;
    if (pos_ < input_.size() && (input_[pos_] == '-' || input_[pos_] == '+')) {
      negative = input_[pos_] == '-';
      ++pos_;
    }
    const size_t digits_start = pos_;
    const size_t limit = separator_follows || width <= 0 ? input_.size() : digits_start + width;
    int64_t value = 0;
    while (pos_ < input_.size() && pos_ < limit && std::isdigit(Peek())) {
      if (value > (std::numeric_limits<int64_t>::max() - 9) / 10) {
        throw Error(
            SqlState::kDatetimeFieldOverflow,
            fmt::format("value for \"{}\" in source string is out of range", node.keyword->text));
      }
      value = value * 10 + (input_[pos_] - '0');
      ++pos_;
    }
    if (pos_ == digits_start) {
      const std::string_view rest = input_.substr(start);
      ThrowInvalidValue(node, rest.substr(0, std::max<size_t>(width, 1)));
    }
    if (digits != nullptr) {
      *digits = static_cast<int>(pos_ - digits_start);
    }
    return negative ? -value : value;
  }

  // Matches one of `names` (case-insensitively, prefix of the input); returns its index.
  template <size_t N>
  size_t ReadName(const Node& node,
                  const std::array<std::string_view, N>& names,
                  size_t length_limit) {
    for (size_t i = 0; i < N; ++i) {
      const std::string_view name = length_limit > 0 ? names[i].substr(0, length_limit) : names[i];
      if (input_.size() - pos_ >= name.size()) {
        bool equal = true;
        for (size_t k = 0; k < name.size() && equal; ++k) {
          equal = std::tolower(static_cast<unsigned char>(input_[pos_ + k])) ==
                  std::tolower(static_cast<unsigned char>(name[k]));
        }
        if (equal) {
          pos_ += name.size();
          return i;
        }
      }
    }
    throw Error(
        SqlState::kInvalidDatetimeFormat,
        fmt::format("invalid value \"{}\" for \"{}\"", input_.substr(pos_, 3), node.keyword->text))
        .WithDetail("The given value did not match any of the allowed values for this field.");
  }

  bool ReadWord(std::string_view word) {
    if (input_.size() - pos_ < word.size()) {
      return false;
    }
    for (size_t k = 0; k < word.size(); ++k) {
      if (std::tolower(static_cast<unsigned char>(input_[pos_ + k])) !=
          std::tolower(static_cast<unsigned char>(word[k]))) {
        return false;
      }
    }
    pos_ += word.size();
    return true;
  }

  void ReadField(const Node& node, bool separator_follows, ParsedFields& fields) {
    const Keyword& keyword = *node.keyword;
    if (pos_ >= input_.size()) {
      return;
    }
    switch (keyword.field) {
      case Field::kYearComma: {
        const int64_t thousands = ReadNumber(node, 0, true);
        if (pos_ < input_.size() && input_[pos_] == ',') {
          ++pos_;
        }
        fields.year = thousands * 1000 + ReadNumber(node, 3, separator_follows);
        fields.has_year = true;
        fields.year_digits = 4;
        break;
      }
      case Field::kYear4:
      case Field::kYear3:
      case Field::kYear2:
      case Field::kYear1:
      case Field::kIsoYear4:
      case Field::kIsoYear3:
      case Field::kIsoYear2:
      case Field::kIsoYear1: {
        int digits = 0;
        fields.year = ReadNumber(node, keyword.digits, separator_follows, &digits);
        fields.has_year = true;
        fields.year_digits = keyword.digits == 4 ? 4 : digits;
        break;
      }
      case Field::kMonth:
        fields.month = ReadNumber(node, 2, separator_follows);
        break;
      case Field::kMonthName:
        fields.month = static_cast<int64_t>(ReadName(node, kMonthNames, 0)) + 1;
        break;
      case Field::kMonthAbbrev:
        fields.month = static_cast<int64_t>(ReadName(node, kMonthNames, 3)) + 1;
        break;
      case Field::kRomanMonth: {
        // Longest numerals first so that "VIII" is not read as "V".
        static constexpr std::array<std::string_view, 12> kByLength = {
            "VIII", "III", "VII", "XII", "II", "IV", "VI", "IX", "XI", "I", "V", "X"};
        static constexpr int kMonths[] = {8, 3, 7, 12, 2, 4, 6, 9, 11, 1, 5, 10};
        fields.month = kMonths[ReadName(node, kByLength, 0)];
        break;
      }
      case Field::kDay:
        fields.day = ReadNumber(node, 2, separator_follows);
        break;
      case Field::kDayOfYear:
      case Field::kIsoDayOfYear:
        fields.day_of_year = ReadNumber(node, 3, separator_follows);
        break;
      case Field::kDayName:
        ReadName(node, kDayNames, 0);
        break;
      case Field::kDayAbbrev:
        ReadName(node, kDayNames, 3);
        break;
      case Field::kDayOfWeek:
      case Field::kIsoDayOfWeek:
      case Field::kWeekOfMonth:
      case Field::kWeekOfYear:
      case Field::kIsoWeek:
      case Field::kQuarter:
      case Field::kCentury:
        // Read but, without a year-and-week calendar, not applied.
        ReadNumber(node, keyword.digits, separator_follows);
        break;
      case Field::kHour12:
        fields.hour = ReadNumber(node, 2, separator_follows);
        fields.twelve_hour = true;
        break;
      case Field::kHour24:
        fields.hour = ReadNumber(node, 2, separator_follows);
        break;
      case Field::kMinute:
        fields.minute = ReadNumber(node, 2, separator_follows);
        break;
      case Field::kSecond:
        fields.second = ReadNumber(node, 2, separator_follows);
        break;
      case Field::kSecondsOfDay:
        fields.seconds_of_day = ReadNumber(node, 5, separator_follows);
        break;
      case Field::kMillisecond:
      case Field::kMicrosecond:
      case Field::kFraction: {
        // Digits after the decimal point: "12.3" with SS.MS is 300 milliseconds.
        const int width = keyword.field == Field::kMillisecond   ? 3
                          : keyword.field == Field::kMicrosecond ? 6
                                                                 : keyword.digits;
        int digits = 0;
        int64_t value = ReadNumber(node, width, separator_follows, &digits);
        for (int i = digits; i < width; ++i) {
          value *= 10;
        }
        fields.fraction += keyword.field == Field::kMillisecond ? value * 1000 : value;
        if (keyword.field == Field::kFraction) {
          for (int i = width; i < 6; ++i) {
            fields.fraction *= 10;
          }
        }
        break;
      }
      case Field::kMeridiem:
        if (ReadWord("a.m.") || ReadWord("am")) {
          fields.pm = false;
        } else if (ReadWord("p.m.") || ReadWord("pm")) {
          fields.pm = true;
        } else {
          throw Error(
              SqlState::kInvalidDatetimeFormat,
              fmt::format("invalid value \"{}\" for \"{}\"", input_.substr(pos_, 2), keyword.text))
              .WithDetail(
                  "The given value did not match any of the allowed values for this field.");
        }
        break;
      case Field::kEra:
        if (ReadWord("b.c.") || ReadWord("bc")) {
          fields.bc = true;
        } else if (ReadWord("a.d.") || ReadWord("ad")) {
          fields.bc = false;
        }
        break;
      case Field::kJulian:
        fields.julian = ReadNumber(node, 0, true);
        break;
      case Field::kZoneHours: {
        const bool negative = pos_ < input_.size() && input_[pos_] == '-';
        const int64_t hours = ReadNumber(node, 2, separator_follows);
        fields.zone_seconds = hours * 3600;
        negative_zone_ = negative;
        break;
      }
      case Field::kZoneMinutes: {
        const int64_t minutes = ReadNumber(node, 2, separator_follows);
        const int64_t hours = fields.zone_seconds.value_or(0);
        fields.zone_seconds = hours + (negative_zone_ ? -minutes : minutes) * 60;
        break;
      }
      case Field::kZoneName:
      case Field::kZoneOffset:
        throw Error(
            SqlState::kFeatureNotSupported,
            fmt::format("formatting field \"{}\" is only supported in to_char", keyword.text));
      case Field::kFixedMode:
        break;
    }
  }

  std::string_view input_;
  size_t pos_ = 0;
  bool negative_zone_ = false;
};

// Local microseconds of the parsed fields, checked as Postgres checks them.
int64_t FieldsToLocal(ParsedFields fields, std::string_view input) {
  if (fields.twelve_hour) {
    if (fields.hour < 1 || fields.hour > 12) {
      throw Error(SqlState::kInvalidDatetimeFormat,
                  fmt::format("hour \"{}\" is invalid for the 12-hour clock", fields.hour))
          .WithHint("Use the 24-hour clock, or give an hour between 1 and 12.");
    }
    if (fields.pm.has_value()) {
      fields.hour = fields.hour % 12 + (*fields.pm ? 12 : 0);
    }
  } else if (fields.pm.has_value() && *fields.pm && fields.hour < 12) {
    fields.hour += 12;
  }
  if (fields.has_year && fields.year_digits < 4 && fields.year_digits > 0 && !fields.bc) {
    // Two- and three-digit years are the nearest to 2020 (Postgres's adjust_partial_year_to_2020).
    if (fields.year_digits <= 2 && fields.year < 100) {
      fields.year += fields.year < 70 ? 2000 : 1900;
    } else if (fields.year_digits == 3 && fields.year < 1000) {
      fields.year += fields.year < 100 ? 2000 : 1000;
    }
  }
  int64_t year = fields.year;
  if (fields.has_year && fields.bc) {
    year = 1 - year;
  }
  int64_t days = 0;
  if (fields.julian) {
    days = *fields.julian - 2440588;
  } else if (fields.day_of_year) {
    days = calendar::DaysFromCivil(year, 1, 1) + *fields.day_of_year - 1;
  } else {
    const bool valid_date =
        fields.month >= 1 && fields.month <= 12 && fields.day >= 1 &&
        fields.day <= calendar::DaysInMonth(year, static_cast<int>(fields.month));
    if (!valid_date) {
      throw Error(SqlState::kDatetimeFieldOverflow,
                  fmt::format("date/time field value out of range: \"{}\"", input));
    }
    days =
        calendar::DaysFromCivil(year, static_cast<int>(fields.month), static_cast<int>(fields.day));
  }
  int64_t time = 0;
  if (fields.seconds_of_day) {
    time = *fields.seconds_of_day * kMicrosPerSecond;
  } else {
    if (fields.hour < 0 || fields.hour > 24 || fields.minute < 0 || fields.minute > 59 ||
        fields.second < 0 || fields.second > 60) {
      throw Error(SqlState::kDatetimeFieldOverflow,
                  fmt::format("date/time field value out of range: \"{}\"", input));
    }
    time = (fields.hour * 3600 + fields.minute * 60 + fields.second) * kMicrosPerSecond;
  }
  if (days < calendar::kMinDate || days > std::numeric_limits<int64_t>::max() / kMicrosPerDay - 2) {
    throw Error(SqlState::kDatetimeFieldOverflow, "timestamp out of range");
  }
  return days * kMicrosPerDay + time + fields.fraction;
}

void ToTimestampText(const EvaluationContext& context,
                     std::span<const Column* const> arguments,
                     size_t rows,
                     Column& out) {
  const TimeZone& zone = context.time_zone != nullptr ? *context.time_zone : TimeZone::Utc();
  TemplateCache cache;
  out.ResizeFixed(rows);
  int64_t* result = out.MutableData<int64_t>();
  uint8_t* nulls = out.MutableNulls();
  for (size_t row = 0; row < rows; ++row) {
    nulls[row] = arguments[0]->IsNull(row) || arguments[1]->IsNull(row) ? 1 : 0;
    if (nulls[row] != 0) {
      continue;
    }
    const std::string_view input = arguments[0]->GetString(row);
    ParsedFields fields;
    InputParser(input).Parse(cache.Get(arguments[1]->GetString(row)), fields);
    const int64_t local = FieldsToLocal(fields, input);
    result[row] = fields.zone_seconds ? local - *fields.zone_seconds * kMicrosPerSecond
                                      : zone.LocalToUtc(local);
  }
}

void ToDate(const EvaluationContext& context,
            std::span<const Column* const> arguments,
            size_t rows,
            Column& out) {
  TemplateCache cache;
  out.ResizeFixed(rows);
  int32_t* result = out.MutableData<int32_t>();
  uint8_t* nulls = out.MutableNulls();
  for (size_t row = 0; row < rows; ++row) {
    nulls[row] = arguments[0]->IsNull(row) || arguments[1]->IsNull(row) ? 1 : 0;
    if (nulls[row] != 0) {
      continue;
    }
    const std::string_view input = arguments[0]->GetString(row);
    ParsedFields fields;
    InputParser(input).Parse(cache.Get(arguments[1]->GetString(row)), fields);
    result[row] = static_cast<int32_t>(FloorDiv(FieldsToLocal(fields, input), kMicrosPerDay));
  }
}

}  // namespace

void RegisterDatetimeFormatting(std::vector<ScalarFunction>& functions) {
  const DataType text = DataType::Text();
  constexpr TypeId kText = TypeId::kText;
  functions.push_back({"to_char", {TypeId::kTimestamp, kText}, text, ToChar<TypeId::kTimestamp>});
  functions.push_back({"to_char",
                       {TypeId::kTimestamptz, kText},
                       text,
                       ToChar<TypeId::kTimestamptz>,
                       Volatility::kStable});
  functions.push_back(
      {"to_char", {TypeId::kDate, kText}, text, ToChar<TypeId::kDate>, Volatility::kStable});
  functions.push_back({"to_timestamp",
                       {kText, kText},
                       DataType(TypeId::kTimestamptz),
                       ToTimestampText,
                       Volatility::kStable});
  functions.push_back(
      {"to_date", {kText, kText}, DataType(TypeId::kDate), ToDate, Volatility::kStable});
}

}  // namespace freshet::function
