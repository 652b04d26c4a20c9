// SPDX-License-Identifier: Apache-2.0
#include "common/time_zone.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>

#include <fmt/format.h>

#include "common/calendar.h"

namespace freshet {
namespace {

constexpr int64_t kSecondsPerDay = 86'400;
constexpr int64_t kMicrosPerSecond = 1'000'000;
// Postgres's TZ_STRLEN_MAX: longer names are never zones.
constexpr size_t kMaxNameLength = 255;
// The largest TZif file we read; real ones are a few kilobytes.
constexpr size_t kMaxTzifBytes = 1 << 20;
// tzcode's limit on the hours of a POSIX offset (a week minus an hour).
constexpr int64_t kMaxPosixHours = 24 * 7 - 1;
// A zone with DST but no rule follows the United States' current rule, as Postgres's tzparse.
constexpr std::string_view kDefaultRule = ",M3.2.0,M11.1.0";

using calendar::DaysFromCivil;
using calendar::DaysInMonth;
using calendar::FloorDiv;
using calendar::IsLeapYear;

// The fixed-offset abbreviations of Postgres's "Default" timezone_abbreviations set (seconds east),
// sorted for binary search. Abbreviations whose meaning changed over time are left out.
struct Abbreviation {
  std::string_view name;
  int32_t offset;
};
constexpr Abbreviation kAbbreviations[] = {
    {"acdt", 37800},  {"acsst", 37800}, {"acst", 34200},  {"act", -18000},  {"acwst", 31500},
    {"adt", -10800},  {"aedt", 39600},  {"aesst", 39600}, {"aest", 36000},  {"aft", 16200},
    {"akdt", -28800}, {"akst", -32400}, {"almst", 25200}, {"almt", 21600},  {"amt", -14400},
    {"ast", -14400},  {"awsst", 32400}, {"awst", 28800},  {"azost", 0},     {"azot", -3600},
    {"bdst", 7200},   {"bdt", 21600},   {"bnt", 28800},   {"bort", 28800},  {"bot", -14400},
    {"bra", -10800},  {"brst", -7200},  {"brt", -10800},  {"bst", 3600},    {"btt", 21600},
    {"cadt", 37800},  {"cast", 34200},  {"cct", 28800},   {"cdt", -18000},  {"cest", 7200},
    {"cet", 3600},    {"cetdst", 7200}, {"chadt", 49500}, {"chast", 45900}, {"chut", 36000},
    {"clst", -10800}, {"cot", -18000},  {"cst", -21600},  {"cxt", 25200},   {"ddut", 36000},
    {"eat", 10800},   {"edt", -14400},  {"eest", 10800},  {"eet", 7200},    {"eetdst", 10800},
    {"egst", 0},      {"egt", -3600},   {"est", -18000},  {"fet", 10800},   {"fjst", 46800},
    {"fjt", 43200},   {"fnst", -3600},  {"fnt", -7200},   {"galt", -21600}, {"gamt", -32400},
    {"gft", -10800},  {"gilt", 43200},  {"gmt", 0},       {"hkt", 28800},   {"hst", -36000},
    {"ict", 25200},   {"idt", 10800},   {"irt", 12600},   {"ist", 7200},    {"jayt", 32400},
    {"jst", 32400},   {"kdt", 36000},   {"kgst", 21600},  {"kst", 32400},   {"lhst", 37800},
    {"ligt", 36000},  {"mart", -34200}, {"mdt", -21600},  {"mest", 7200},   {"mesz", 7200},
    {"met", 3600},    {"metdst", 7200}, {"mez", 3600},    {"mht", 43200},   {"mmt", 23400},
    {"mpt", 36000},   {"msd", 14400},   {"mst", -25200},  {"must", 18000},  {"mut", 14400},
    {"mvt", 18000},   {"myt", 28800},   {"ndt", -9000},   {"nft", -12600},  {"npt", 20700},
    {"nst", -12600},  {"nzdt", 46800},  {"nzst", 43200},  {"nzt", 43200},   {"pdt", -25200},
    {"pet", -18000},  {"pgt", 36000},   {"pht", 28800},   {"pkst", 21600},  {"pkt", 18000},
    {"pmdt", -7200},  {"pmst", -10800}, {"pont", 39600},  {"pst", -28800},  {"pwt", 32400},
    {"pyst", -10800}, {"ret", 14400},   {"sadt", 37800},  {"sast", 7200},   {"sct", 14400},
    {"taht", -36000}, {"tft", 18000},   {"tjt", 18000},   {"tot", 46800},   {"trut", 36000},
    {"tvt", 43200},   {"uct", 0},       {"ulast", 32400}, {"ut", 0},        {"utc", 0},
    {"uyst", -7200},  {"uyt", -10800},  {"uzst", 21600},  {"uzt", 18000},   {"vut", 39600},
    {"wadt", 28800},  {"wakt", 43200},  {"wast", 25200},  {"wat", 3600},    {"wdt", 32400},
    {"wet", 0},       {"wetdst", 3600}, {"wft", 43200},   {"wgst", -7200},  {"wgt", -10800},
    {"xjt", 21600},   {"yapt", 36000},  {"yekst", 21600}, {"z", 0},         {"zulu", 0}};

// Seconds after the start of `year` (UTC) at which `rule` fires, for a zone `west_offset` seconds
// west of Greenwich at that moment: tzcode's transtime.
int64_t RuleTime(int64_t year, const TimeZone::DayRule& rule, int64_t west_offset) {
  int64_t value = 0;
  switch (rule.kind) {
    case TimeZone::DayRule::Kind::kJulianNoLeap:
      value = (rule.day - 1) * kSecondsPerDay;
      if (IsLeapYear(year) && rule.day >= 60) {
        value += kSecondsPerDay;
      }
      break;
    case TimeZone::DayRule::Kind::kJulian:
      value = rule.day * kSecondsPerDay;
      break;
    case TimeZone::DayRule::Kind::kMonthWeekDay: {
      const int64_t first = DaysFromCivil(year, rule.month, 1);
      // 1970-01-01 was a Thursday.
      const int64_t first_weekday = ((first + 4) % 7 + 7) % 7;
      int64_t day = rule.day - first_weekday;
      if (day < 0) {
        day += 7;
      }
      for (int i = 1; i < rule.week; ++i) {
        if (day + 7 >= DaysInMonth(year, rule.month)) {
          break;
        }
        day += 7;
      }
      value = (first - DaysFromCivil(year, 1, 1) + day) * kSecondsPerDay;
      break;
    }
  }
  return value + rule.seconds + west_offset;
}

// A cursor over a POSIX TZ specification, following tzcode's tzparse as Postgres has it.
class PosixParser {
 public:
  explicit PosixParser(std::string_view text) : text_(text) {}

  bool AtEnd() const { return pos_ >= text_.size(); }
  char Peek() const { return AtEnd() ? '\0' : text_[pos_]; }

  // An abbreviation, bare ("EST": anything up to a digit, sign or comma) or quoted ("<+0530>").
  bool Name(std::string& name) {
    if (Peek() == '<') {
      const size_t close = text_.find('>', pos_);
      if (close == std::string_view::npos) {
        return false;
      }
      name = std::string(text_.substr(pos_ + 1, close - pos_ - 1));
      pos_ = close + 1;
      return true;
    }
    const size_t start = pos_;
    while (!AtEnd() && !std::isdigit(static_cast<unsigned char>(Peek())) && Peek() != ',' &&
           Peek() != '-' && Peek() != '+') {
      ++pos_;
    }
    name = std::string(text_.substr(start, pos_ - start));
    return true;
  }

  bool Number(int64_t& value, int64_t min, int64_t max) {
    if (!std::isdigit(static_cast<unsigned char>(Peek()))) {
      return false;
    }
    value = 0;
    while (std::isdigit(static_cast<unsigned char>(Peek()))) {
      value = value * 10 + (Peek() - '0');
      if (value > max) {
        return false;
      }
      ++pos_;
    }
    return value >= min;
  }

  // [+|-]hh[:mm[:ss]], in seconds.
  bool Offset(int64_t& seconds) {
    bool negative = false;
    if (Peek() == '-' || Peek() == '+') {
      negative = Peek() == '-';
      ++pos_;
    }
    int64_t hours = 0;
    int64_t minutes = 0;
    int64_t secs = 0;
    if (!Number(hours, 0, kMaxPosixHours)) {
      return false;
    }
    if (Peek() == ':') {
      ++pos_;
      if (!Number(minutes, 0, 59)) {
        return false;
      }
      if (Peek() == ':') {
        ++pos_;
        if (!Number(secs, 0, 60)) {
          return false;
        }
      }
    }
    seconds = hours * 3600 + minutes * 60 + secs;
    if (negative) {
      seconds = -seconds;
    }
    return true;
  }

  bool Rule(TimeZone::DayRule& rule) {
    int64_t value = 0;
    if (Peek() == 'J') {
      ++pos_;
      if (!Number(value, 1, 365)) {
        return false;
      }
      rule.kind = TimeZone::DayRule::Kind::kJulianNoLeap;
      rule.day = static_cast<int>(value);
    } else if (Peek() == 'M') {
      ++pos_;
      int64_t month = 0;
      int64_t week = 0;
      int64_t day = 0;
      if (!Number(month, 1, 12) || Peek() != '.') {
        return false;
      }
      ++pos_;
      if (!Number(week, 1, 5) || Peek() != '.') {
        return false;
      }
      ++pos_;
      if (!Number(day, 0, 6)) {
        return false;
      }
      rule.kind = TimeZone::DayRule::Kind::kMonthWeekDay;
      rule.month = static_cast<int>(month);
      rule.week = static_cast<int>(week);
      rule.day = static_cast<int>(day);
    } else if (std::isdigit(static_cast<unsigned char>(Peek()))) {
      if (!Number(value, 0, 365)) {
        return false;
      }
      rule.kind = TimeZone::DayRule::Kind::kJulian;
      rule.day = static_cast<int>(value);
    } else {
      return false;
    }
    rule.seconds = 2 * 3600;
    if (Peek() == '/') {
      ++pos_;
      return Offset(rule.seconds);
    }
    return true;
  }

  void Skip() { ++pos_; }

 private:
  std::string_view text_;
  size_t pos_ = 0;
};

// Parses a POSIX TZ specification into a rule; false when malformed.
bool ParsePosix(std::string_view specification, TimeZone::PosixRule& rule) {
  PosixParser parser(specification);
  std::string standard_name;
  if (!parser.Name(standard_name) || parser.AtEnd()) {
    return false;  // an empty abbreviation is allowed (Postgres differs from IANA), no offset is
                   // not
  }
  int64_t standard_west = 0;
  if (!parser.Offset(standard_west)) {
    return false;
  }
  rule.standard = {static_cast<int32_t>(-standard_west), false, standard_name};
  if (parser.AtEnd()) {
    return true;
  }
  std::string daylight_name;
  if (!parser.Name(daylight_name) || daylight_name.empty()) {
    return false;
  }
  int64_t daylight_west = standard_west - 3600;
  if (!parser.AtEnd() && parser.Peek() != ',' && parser.Peek() != ';') {
    if (!parser.Offset(daylight_west)) {
      return false;
    }
  }
  rule.daylight =
      TimeZone::LocalTimeType{static_cast<int32_t>(-daylight_west), true, std::move(daylight_name)};
  if (parser.AtEnd()) {
    PosixParser defaults(kDefaultRule);
    defaults.Skip();
    return defaults.Rule(rule.start) && defaults.Peek() == ',' &&
           (defaults.Skip(), defaults.Rule(rule.end));
  }
  if (parser.Peek() != ',' && parser.Peek() != ';') {
    return false;
  }
  parser.Skip();
  if (!parser.Rule(rule.start) || parser.Peek() != ',') {
    return false;
  }
  parser.Skip();
  return parser.Rule(rule.end) && parser.AtEnd();
}

// Big-endian readers over TZif bytes.
class ByteReader {
 public:
  explicit ByteReader(std::string_view bytes) : bytes_(bytes) {}
  bool Has(size_t count) const { return bytes_.size() - pos_ >= count; }
  uint8_t U8() { return static_cast<uint8_t>(bytes_[pos_++]); }
  int64_t Signed(int width) {
    uint64_t value = 0;
    for (int i = 0; i < width; ++i) {
      value = (value << 8) | static_cast<uint8_t>(bytes_[pos_++]);
    }
    if (width == 4) {
      return static_cast<int32_t>(static_cast<uint32_t>(value));
    }
    return static_cast<int64_t>(value);
  }
  std::string_view Take(size_t count) {
    std::string_view taken = bytes_.substr(pos_, count);
    pos_ += count;
    return taken;
  }
  void Skip(size_t count) { pos_ += count; }
  std::string_view Rest() const { return bytes_.substr(pos_); }

 private:
  std::string_view bytes_;
  size_t pos_ = 0;
};

struct TzifCounts {
  uint32_t isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt;
};

bool ReadHeader(ByteReader& reader, char& version, TzifCounts& counts) {
  if (!reader.Has(44) || reader.Take(4) != "TZif") {
    return false;
  }
  version = static_cast<char>(reader.U8());
  reader.Skip(15);
  uint32_t* fields[] = {&counts.isutcnt, &counts.isstdcnt, &counts.leapcnt,
                        &counts.timecnt, &counts.typecnt,  &counts.charcnt};
  for (uint32_t* field : fields) {
    const int64_t value = reader.Signed(4);
    if (value < 0 || value > 100'000) {
      return false;
    }
    *field = static_cast<uint32_t>(value);
  }
  return counts.typecnt > 0;
}

size_t BlockSize(const TzifCounts& counts, int time_width) {
  return counts.timecnt * static_cast<size_t>(time_width) + counts.timecnt +
         counts.typecnt * size_t{6} + counts.charcnt +
         counts.leapcnt * static_cast<size_t>(time_width + 4) + counts.isstdcnt + counts.isutcnt;
}

std::string Upper(std::string_view text) {
  std::string upper(text);
  for (char& c : upper) {
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return upper;
}

std::string ZoneDirectory() {
  const char* directory = std::getenv("TZDIR");
  return directory != nullptr && *directory != '\0' ? directory : "/usr/share/zoneinfo";
}

// Finds `name` under the zone directory with each path component matched without regard to case,
// as Postgres's pg_open_tzfile does; fills the path and the canonical spelling.
bool FindZoneFile(std::string_view name, std::filesystem::path& path, std::string& canonical) {
  namespace fs = std::filesystem;
  path = ZoneDirectory();
  canonical.clear();
  size_t start = 0;
  while (true) {
    const size_t slash = name.find('/', start);
    const std::string_view component = name.substr(
        start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    // Hidden entries ("..", ".") never match, so a name cannot climb out of the directory.
    if (component.empty() || component.front() == '.') {
      return false;
    }
    std::error_code error;
    std::string match;
    if (fs::exists(path / std::string(component), error)) {
      match = std::string(component);
    } else {
      const std::string wanted = Upper(component);
      for (const fs::directory_entry& entry : fs::directory_iterator(path, error)) {
        const std::string entry_name = entry.path().filename().string();
        if (!entry_name.empty() && entry_name.front() != '.' && Upper(entry_name) == wanted) {
          match = entry_name;
          break;
        }
      }
      if (match.empty()) {
        return false;
      }
    }
    path /= match;
    canonical += (canonical.empty() ? "" : "/") + match;
    if (slash == std::string_view::npos) {
      break;
    }
    start = slash + 1;
  }
  std::error_code error;
  return fs::is_regular_file(path, error);
}

std::optional<TimeZone> LoadZoneFile(std::string_view name) {
  std::filesystem::path path;
  std::string canonical;
  if (!FindZoneFile(name, path, canonical)) {
    return std::nullopt;
  }
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    return std::nullopt;
  }
  std::string bytes;
  bytes.resize(kMaxTzifBytes + 1);
  file.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  bytes.resize(static_cast<size_t>(file.gcount()));
  if (bytes.size() > kMaxTzifBytes) {
    return std::nullopt;
  }
  return TimeZone::FromTzif(std::move(canonical), bytes);
}

// Zones found so far, by upper-case name as Postgres keys its cache; never evicted, so pointers
// handed out stay valid.
struct ZoneCache {
  std::mutex mutex;
  std::map<std::string, std::unique_ptr<const TimeZone>, std::less<>> zones;
};

ZoneCache& Cache() {
  static ZoneCache cache;
  return cache;
}

}  // namespace

std::optional<TimeZone> TimeZone::FromTzif(std::string name, std::string_view bytes) {
  ByteReader reader(bytes);
  char version = 0;
  TzifCounts counts{};
  if (!ReadHeader(reader, version, counts)) {
    return std::nullopt;
  }
  int time_width = 4;
  if (version >= '2') {
    // Skip the 32-bit block; the 64-bit one after it covers all of time.
    if (!reader.Has(BlockSize(counts, 4))) {
      return std::nullopt;
    }
    reader.Skip(BlockSize(counts, 4));
    if (!ReadHeader(reader, version, counts)) {
      return std::nullopt;
    }
    time_width = 8;
  }
  if (!reader.Has(BlockSize(counts, time_width))) {
    return std::nullopt;
  }
  TimeZone zone;
  zone.name_ = std::move(name);
  zone.transition_times_.reserve(counts.timecnt);
  for (uint32_t i = 0; i < counts.timecnt; ++i) {
    zone.transition_times_.push_back(reader.Signed(time_width));
    if (i > 0 && zone.transition_times_[i] <= zone.transition_times_[i - 1]) {
      return std::nullopt;
    }
  }
  for (uint32_t i = 0; i < counts.timecnt; ++i) {
    const uint8_t type = reader.U8();
    if (type >= counts.typecnt) {
      return std::nullopt;
    }
    zone.transition_types_.push_back(type);
  }
  std::vector<uint8_t> abbreviation_indexes;
  for (uint32_t i = 0; i < counts.typecnt; ++i) {
    LocalTimeType type;
    type.utc_offset = static_cast<int32_t>(reader.Signed(4));
    type.is_dst = reader.U8() != 0;
    abbreviation_indexes.push_back(reader.U8());
    zone.types_.push_back(std::move(type));
  }
  const std::string_view characters = reader.Take(counts.charcnt);
  for (uint32_t i = 0; i < counts.typecnt; ++i) {
    if (abbreviation_indexes[i] >= characters.size()) {
      return std::nullopt;
    }
    const std::string_view rest = characters.substr(abbreviation_indexes[i]);
    zone.types_[i].abbreviation = std::string(rest.substr(0, rest.find('\0')));
  }
  reader.Skip(counts.leapcnt * static_cast<size_t>(time_width + 4) + counts.isstdcnt +
              counts.isutcnt);
  if (time_width == 8) {
    // The footer: "\n" POSIX-TZ "\n", the rule for instants after the last transition.
    std::string_view footer = reader.Rest();
    if (footer.size() >= 2 && footer.front() == '\n') {
      footer.remove_prefix(1);
      footer = footer.substr(0, footer.find('\n'));
      PosixRule rule;
      if (!footer.empty() && ParsePosix(footer, rule)) {
        zone.rule_ = std::move(rule);
      }
    }
  }
  return zone;
}

std::optional<TimeZone> TimeZone::FromPosix(std::string name, std::string_view specification) {
  PosixRule rule;
  if (!ParsePosix(specification, rule)) {
    return std::nullopt;
  }
  TimeZone zone;
  zone.name_ = std::move(name);
  zone.types_.push_back(rule.standard);
  zone.rule_ = std::move(rule);
  return zone;
}

const TimeZone* TimeZone::Find(std::string_view name) {
  if (name.empty() || name.size() > kMaxNameLength) {
    return nullptr;
  }
  std::string key = Upper(name);
  ZoneCache& cache = Cache();
  std::lock_guard lock(cache.mutex);
  if (auto it = cache.zones.find(key); it != cache.zones.end()) {
    return it->second.get();
  }
  std::optional<TimeZone> zone;
  if (key == "GMT") {
    // Postgres never reads a file for GMT.
    zone = FromPosix("GMT", "GMT0");
  } else {
    zone = LoadZoneFile(name);
    if (!zone && name.front() != ':') {
      zone = FromPosix(key, key);
    }
  }
  if (!zone) {
    return nullptr;
  }
  auto owned = std::make_unique<const TimeZone>(std::move(*zone));
  const TimeZone* found = owned.get();
  cache.zones.emplace(std::move(key), std::move(owned));
  return found;
}

const TimeZone* TimeZone::FromOffset(int64_t seconds_east) {
  // pg_tzset_offset: "<+05:30>-05:30", the POSIX offset west of Greenwich after the name.
  const int64_t west = -seconds_east;
  int64_t absolute = west < 0 ? -west : west;
  std::string digits = fmt::format("{:02}", absolute / 3600);
  absolute %= 3600;
  if (absolute != 0) {
    digits += fmt::format(":{:02}", absolute / 60);
    absolute %= 60;
    if (absolute != 0) {
      digits += fmt::format(":{:02}", absolute);
    }
  }
  const std::string name =
      west > 0 ? fmt::format("<-{}>+{}", digits, digits) : fmt::format("<+{}>-{}", digits, digits);
  return Find(name);
}

std::optional<int32_t> TimeZone::FindAbbreviation(std::string_view name) {
  std::string lower(name);
  for (char& c : lower) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  const auto* it = std::lower_bound(
      std::begin(kAbbreviations), std::end(kAbbreviations), lower,
      [](const Abbreviation& entry, const std::string& key) { return entry.name < key; });
  if (it == std::end(kAbbreviations) || it->name != lower) {
    return std::nullopt;
  }
  return it->offset;
}

const TimeZone& TimeZone::Utc() {
  static const TimeZone utc = *FromPosix("UTC", "UTC0");
  return utc;
}

const TimeZone::LocalTimeType& TimeZone::RuleType(bool is_dst) const {
  return is_dst && rule_->daylight ? *rule_->daylight : rule_->standard;
}

void TimeZone::RuleTransitions(int64_t seconds, RuleWindow& out) const {
  out.size = 0;
  if (!rule_ || !rule_->daylight) {
    return;
  }
  const int64_t standard_west = -rule_->standard.utc_offset;
  const int64_t daylight_west = -rule_->daylight->utc_offset;
  const int64_t year = calendar::CivilFromDays(FloorDiv(seconds, kSecondsPerDay)).year;
  for (int64_t y = year - 1; y <= year + 1; ++y) {
    const int64_t january_first = DaysFromCivil(y, 1, 1) * kSecondsPerDay;
    const int64_t year_seconds = (IsLeapYear(y) ? 366 : 365) * kSecondsPerDay;
    int64_t start = RuleTime(y, rule_->start, standard_west);
    int64_t end = RuleTime(y, rule_->end, daylight_west);
    const bool reversed = end < start;
    if (reversed) {
      std::swap(start, end);
    }
    // tzparse adds no transitions for a year that is daylight time throughout.
    if (reversed || (start < end && end - start < year_seconds + (standard_west - daylight_west))) {
      // Only the transitions after the listed ones come from the rule.
      for (const auto& transition : {std::pair{january_first + start, !reversed},
                                     std::pair{january_first + end, reversed}}) {
        if (transition_times_.empty() || transition.first > transition_times_.back()) {
          out.transitions[out.size++] = transition;
        }
      }
    }
  }
}

const TimeZone::LocalTimeType& TimeZone::TypeAt(int64_t seconds) const {
  const bool after_listed = transition_times_.empty() || seconds >= transition_times_.back();
  if (after_listed && rule_ && rule_->daylight) {
    RuleWindow transitions;
    RuleTransitions(seconds, transitions);
    const std::pair<int64_t, bool>* current = nullptr;
    for (const auto& transition : transitions) {
      if (transition.first <= seconds) {
        current = &transition;
      }
    }
    if (current != nullptr) {
      return RuleType(current->second);
    }
    if (transition_times_.empty()) {
      // Before the first rule transition of the window; a year without any is daylight time all
      // year.
      return RuleType(transitions.size == 0);
    }
  }
  if (transition_times_.empty() || seconds < transition_times_.front()) {
    return types_[default_type_];
  }
  const auto it = std::upper_bound(transition_times_.begin(), transition_times_.end(), seconds) - 1;
  return types_[transition_types_[static_cast<size_t>(it - transition_times_.begin())]];
}

bool TimeZone::NextBoundary(int64_t seconds,
                            const LocalTimeType*& before,
                            int64_t& boundary,
                            const LocalTimeType*& after) const {
  if (!transition_times_.empty() && seconds < transition_times_.back()) {
    const auto it = std::upper_bound(transition_times_.begin(), transition_times_.end(), seconds);
    const auto index = static_cast<size_t>(it - transition_times_.begin());
    if (index == 0) {
      // Before the first transition Postgres takes the lowest-numbered standard-time type.
      before = &types_[0];
      for (const LocalTimeType& type : types_) {
        if (!type.is_dst) {
          before = &type;
          break;
        }
      }
    } else {
      before = &types_[transition_types_[index - 1]];
    }
    boundary = *it;
    after = &types_[transition_types_[index]];
    return true;
  }
  before = &TypeAt(seconds);
  RuleWindow transitions;
  RuleTransitions(seconds, transitions);
  if (transitions.size == 0 || transitions.transitions[transitions.size - 1].first <= seconds) {
    // The window of years may end before the next transition: look one year further.
    RuleTransitions(seconds + 366 * kSecondsPerDay, transitions);
  }
  for (const auto& transition : transitions) {
    if (transition.first > seconds) {
      boundary = transition.first;
      after = &RuleType(transition.second);
      return true;
    }
  }
  return false;
}

int32_t TimeZone::OffsetAt(int64_t utc_micros) const {
  return TypeAt(FloorDiv(utc_micros, kMicrosPerSecond)).utc_offset;
}

std::string_view TimeZone::AbbreviationAt(int64_t utc_micros) const {
  return TypeAt(FloorDiv(utc_micros, kMicrosPerSecond)).abbreviation;
}

bool TimeZone::IsDstAt(int64_t utc_micros) const {
  return TypeAt(FloorDiv(utc_micros, kMicrosPerSecond)).is_dst;
}

int32_t TimeZone::OffsetForLocal(int64_t local_micros) const {
  // Postgres's DetermineTimeZoneOffsetInternal, in seconds east rather than west.
  const int64_t local = FloorDiv(local_micros, kMicrosPerSecond);
  const LocalTimeType* before = nullptr;
  const LocalTimeType* after = nullptr;
  int64_t boundary = 0;
  if (!NextBoundary(local - kSecondsPerDay, before, boundary, after)) {
    return before->utc_offset;
  }
  const int64_t before_time = local - before->utc_offset;
  const int64_t after_time = local - after->utc_offset;
  if (before_time < boundary && after_time < boundary) {
    return before->utc_offset;
  }
  if (before_time > boundary && after_time >= boundary) {
    return after->utc_offset;
  }
  // A gap (spring forward) takes the earlier offset, an overlap (fall back) the later one.
  return before_time > after_time ? before->utc_offset : after->utc_offset;
}

int64_t TimeZone::LocalToUtc(int64_t local_micros) const {
  return local_micros - static_cast<int64_t>(OffsetForLocal(local_micros)) * kMicrosPerSecond;
}

int64_t TimeZone::UtcToLocal(int64_t utc_micros) const {
  return utc_micros + static_cast<int64_t>(OffsetAt(utc_micros)) * kMicrosPerSecond;
}

}  // namespace freshet
