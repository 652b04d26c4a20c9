// SPDX-License-Identifier: Apache-2.0
#include "engine/session_settings.h"

#include <algorithm>
#include <cctype>
#include <climits>
#include <cmath>
#include <cstdlib>

#include <fmt/format.h>

#include "common/ascii.h"

namespace freshet::engine {
namespace {

constexpr std::string_view kServerVersion = "15.0 (Freshet 0.1.0)";

/// How a parameter's values are read and shown.
enum class Kind : uint8_t {
  kString,
  kBoolean,
  kInteger,
  /// An integer number of milliseconds, written with an optional unit ("5s", "1min").
  kMilliseconds,
  kEnum,
  kDateStyle,
  kSearchPath,
  kApplicationName,
  kClientEncoding,
  kSessionAuthorization,
};

}  // namespace

/// One parameter: PostgreSQL's name (as SHOW ALL prints it), default, description (pg_settings
/// short_desc) and how its values are checked.
struct SessionSettings::Definition {
  std::string_view name;
  std::string_view default_value;
  std::string_view description;
  Kind kind = Kind::kString;
  int64_t min = 0;
  int64_t max = 0;
  /// kEnum: the values SET accepts, comma-separated; hidden ones (accepted, not listed) after '|'.
  std::string_view values;
  /// Sent as ParameterStatus when it changes.
  bool reported = false;
  /// Shown by SHOW but not changed by SET (55P02).
  bool read_only = false;
  /// Left out of SHOW ALL, as PostgreSQL leaves it out.
  bool hidden = false;
  /// A transaction property: a SET lasts only until the end of the transaction.
  bool transaction_scoped = false;
};

namespace {

using Definition = SessionSettings::Definition;

constexpr int64_t kIntMax = INT_MAX;

// Sorted by lower-case name, the order of SHOW ALL.
const Definition kDefinitions[] = {
    {"application_name", "", "Sets the application name to be reported in statistics and logs.",
     Kind::kApplicationName, 0, 0, "", true},
    {"client_encoding", "UTF8", "Sets the client's character set encoding.", Kind::kClientEncoding,
     0, 0, "", true},
    {"client_min_messages", "notice", "Sets the message levels that are sent to the client.",
     Kind::kEnum, 0, 0, "debug5,debug4,debug3,debug2,debug1,log,notice,warning,error|info"},
    {"DateStyle", "ISO, MDY", "Sets the display format for date and time values.", Kind::kDateStyle,
     0, 0, "", true},
    {"default_transaction_isolation", "read committed",
     "Sets the transaction isolation level of each new transaction.", Kind::kEnum, 0, 0,
     "serializable,repeatable read,read committed,read uncommitted"},
    {"default_transaction_read_only", "off",
     "Sets the default read-only status of new transactions.", Kind::kBoolean, 0, 0, "", true},
    {"extra_float_digits", "1", "Sets the number of digits displayed for floating-point values.",
     Kind::kInteger, -15, 3},
    {"in_hot_standby", "off", "Shows whether hot standby is currently active.", Kind::kBoolean, 0,
     0, "", true, true},
    {"integer_datetimes", "on", "Shows whether datetimes are integer based.", Kind::kBoolean, 0, 0,
     "", true, true},
    {"IntervalStyle", "postgres", "Sets the display format for interval values.", Kind::kEnum, 0, 0,
     "postgres,postgres_verbose,sql_standard,iso_8601", true},
    {"is_superuser", "on", "Shows whether the current user is a superuser.", Kind::kBoolean, 0, 0,
     "", true, true, true},
    {"lc_collate", "C", "Shows the collation order locale.", Kind::kString, 0, 0, "", false, true},
    {"lc_ctype", "C", "Shows the character classification and case conversion locale.",
     Kind::kString, 0, 0, "", false, true},
    {"lock_timeout", "0", "Sets the maximum allowed duration of any wait for a lock.",
     Kind::kMilliseconds, 0, kIntMax},
    {"max_identifier_length", "63", "Shows the maximum identifier length.", Kind::kInteger, 63, 63,
     "", false, true},
    {"search_path", "\"$user\", public",
     "Sets the schema search order for names that are not schema-qualified.", Kind::kSearchPath},
    {"server_encoding", "UTF8", "Shows the server (database) character set encoding.",
     Kind::kString, 0, 0, "", true, true},
    {"server_version", kServerVersion, "Shows the server version.", Kind::kString, 0, 0, "", true,
     true},
    {"server_version_num", "150000", "Shows the server version as an integer.", Kind::kInteger,
     150000, 150000, "", false, true},
    {"session_authorization", "", "Sets the session user name.", Kind::kSessionAuthorization, 0, 0,
     "", true, false, true},
    {"standard_conforming_strings", "on", "Causes '...' strings to treat backslashes literally.",
     Kind::kBoolean, 0, 0, "", true},
    {"statement_timeout", "0", "Sets the maximum allowed duration of any statement.",
     Kind::kMilliseconds, 0, kIntMax},
    {"TimeZone", "UTC", "Sets the time zone for displaying and interpreting time stamps.",
     Kind::kString, 0, 0, "", true},
    {"transaction_isolation", "read committed", "Sets the current transaction's isolation level.",
     Kind::kEnum, 0, 0, "serializable,repeatable read,read committed,read uncommitted", false,
     false, false, true},
    {"transaction_read_only", "off", "Sets the current transaction's read-only status.",
     Kind::kBoolean, 0, 0, "", false, false, false, true},
};

std::string_view Trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return text;
}

Error InvalidValue(std::string_view name, std::string_view value) {
  return Error(SqlState::kInvalidParameterValue,
               fmt::format("invalid value for parameter \"{}\": \"{}\"", name, value));
}

// parse_bool: any prefix of true/false/yes/no, on/off (at least two letters), 1, 0.
std::optional<bool> ParseBool(std::string_view text) {
  const std::string value = AsciiLower(Trim(text));
  if (value.empty()) {
    return std::nullopt;
  }
  const auto prefix_of = [&](std::string_view word, size_t min_length) {
    return value.size() >= min_length && word.substr(0, value.size()) == value;
  };
  if (prefix_of("true", 1) || prefix_of("yes", 1) || prefix_of("on", 2) || value == "1") {
    return true;
  }
  if (prefix_of("false", 1) || prefix_of("no", 1) || prefix_of("off", 2) || value == "0") {
    return false;
  }
  return std::nullopt;
}

// parse_int: a C integer (decimal, 0x hex, 0 octal) or a decimal fraction rounded to nearest, then
// for kMilliseconds an optional unit. Returns nothing on bad syntax; sets `out_of_range` when the
// number does not fit in an int.
std::optional<int64_t> ParseInteger(std::string_view text,
                                    bool with_unit,
                                    bool& bad_unit,
                                    bool& out_of_range) {
  const std::string value(Trim(text));
  const char* begin = value.c_str();
  char* end = nullptr;
  errno = 0;
  long long integer = std::strtoll(begin, &end, 0);
  double number = static_cast<double>(integer);
  if (end == begin || errno == ERANGE || *end == '.' || *end == 'e' || *end == 'E') {
    // A fractional value, rounded as PostgreSQL rounds it.
    errno = 0;
    number = std::strtod(begin, &end);
    if (end == begin || errno == ERANGE) {
      if (end != begin) {
        out_of_range = true;
      }
      return std::nullopt;
    }
  }
  std::string_view rest = Trim(std::string_view(end));
  if (with_unit && !rest.empty()) {
    static constexpr std::pair<std::string_view, double> kUnits[] = {
        {"us", 0.001}, {"ms", 1}, {"s", 1000}, {"min", 60000}, {"h", 3600000}, {"d", 86400000}};
    bool found = false;
    for (const auto& [unit, factor] : kUnits) {
      if (rest == unit) {
        number *= factor;
        found = true;
      }
    }
    if (!found) {
      bad_unit = true;
      return std::nullopt;
    }
    rest = {};
  }
  if (!rest.empty()) {
    return std::nullopt;
  }
  number = std::rint(number);
  if (number > INT_MAX || number < INT_MIN) {
    out_of_range = true;
    return std::nullopt;
  }
  return static_cast<int64_t>(number);
}

// The shortest spelling of a number of milliseconds in the largest unit that divides it, as SHOW
// prints time parameters.
std::string FormatMilliseconds(int64_t ms) {
  if (ms == 0) {
    return "0";
  }
  static constexpr std::pair<std::string_view, int64_t> kUnits[] = {
      {"d", 86400000}, {"h", 3600000}, {"min", 60000}, {"s", 1000}};
  for (const auto& [unit, factor] : kUnits) {
    if (ms % factor == 0) {
      return fmt::format("{}{}", ms / factor, unit);
    }
  }
  return fmt::format("{}ms", ms);
}

// quote_identifier: a name stays bare only if it is lower case letters, digits and underscores
// and does not start with a digit.
std::string QuoteIdentifier(std::string_view name) {
  bool bare = !name.empty() && !std::isdigit(static_cast<unsigned char>(name.front()));
  for (char c : name) {
    bare = bare && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_');
  }
  if (bare) {
    return std::string(name);
  }
  std::string quoted = "\"";
  for (char c : name) {
    quoted += c;
    if (c == '"') {
      quoted += '"';
    }
  }
  quoted += '"';
  return quoted;
}

// check_datestyle: an output style (ISO, SQL, Postgres, German) and a field order (YMD, DMY,
// MDY), either kept from `current` when not given.
std::string NormalizeDateStyle(const std::vector<std::string>& values, std::string_view current) {
  const std::string joined = [&] {
    std::string text;
    for (const std::string& value : values) {
      text += (text.empty() ? "" : ",") + value;
    }
    return text;
  }();
  std::string style(current.substr(0, current.find(',')));
  std::string order(Trim(current.substr(current.find(',') + 1)));
  std::optional<std::string> new_style;
  std::optional<std::string> new_order;
  bool conflict = false;
  size_t pos = 0;
  while (pos <= joined.size()) {
    const size_t comma = std::min(joined.find(',', pos), joined.size());
    const std::string word = AsciiLower(Trim(std::string_view(joined).substr(pos, comma - pos)));
    pos = comma + 1;
    std::optional<std::string> word_style;
    std::optional<std::string> word_order;
    if (word == "iso") {
      word_style = "ISO";
    } else if (word == "sql") {
      word_style = "SQL";
    } else if (word.rfind("postgres", 0) == 0) {
      word_style = "Postgres";
    } else if (word == "german") {
      word_style = "German";
      if (!new_order) {
        order = "DMY";
      }
    } else if (word == "ymd") {
      word_order = "YMD";
    } else if (word == "dmy" || word.rfind("euro", 0) == 0) {
      word_order = "DMY";
    } else if (word == "mdy" || word == "us" || word.rfind("noneuro", 0) == 0) {
      word_order = "MDY";
    } else if (word == "default") {
      word_style = "ISO";
      word_order = "MDY";
    } else {
      throw InvalidValue("DateStyle", joined)
          .WithDetail(fmt::format("Unrecognized key word: \"{}\".", word));
    }
    if (word_style) {
      conflict = conflict || (new_style && *new_style != *word_style);
      new_style = word_style;
    }
    if (word_order) {
      conflict = conflict || (new_order && *new_order != *word_order);
      new_order = word_order;
    }
  }
  if (conflict) {
    throw InvalidValue("DateStyle", joined).WithDetail("Conflicting \"datestyle\" specifications.");
  }
  style = new_style.value_or(style);
  order = new_order.value_or(order);
  if (style != "ISO") {
    // Freshet prints dates and times in the ISO style only.
    throw Error(SqlState::kFeatureNotSupported,
                fmt::format("DateStyle \"{}\" is not supported", style))
        .WithHint("Use the ISO output style, e.g. SET datestyle = 'ISO, MDY'.");
  }
  return style + ", " + order;
}

}  // namespace

SessionSettings::SessionSettings(std::string user, std::string application_name)
    : user_(std::move(user)) {
  if (!application_name.empty()) {
    std::vector<std::string> values{std::move(application_name)};
    bool is_default = false;
    values_["application_name"] = Normalize(*Find("application_name"), values, is_default);
  }
}

void SessionSettings::SetCheck(std::string_view name, Check check) {
  checks_[std::string(name)] = std::move(check);
}

const SessionSettings::Definition* SessionSettings::Find(std::string_view name) const {
  const std::string lower = AsciiLower(name);
  for (const Definition& definition : kDefinitions) {
    if (AsciiLower(definition.name) == lower) {
      return &definition;
    }
  }
  return nullptr;
}

std::string SessionSettings::KeyOf(std::string_view name) const {
  return AsciiLower(name);
}

std::string SessionSettings::Normalize(const Definition& definition,
                                       const std::vector<std::string>& values,
                                       bool& is_default) const {
  is_default = values.empty();
  if (is_default) {
    return std::string(definition.kind == Kind::kSessionAuthorization ? std::string_view(user_)
                                                                      : definition.default_value);
  }
  const std::string key = KeyOf(definition.name);
  if (values.size() > 1 && definition.kind != Kind::kSearchPath &&
      definition.kind != Kind::kDateStyle) {
    throw Error(SqlState::kInvalidParameterValue,
                fmt::format("SET {} takes only one argument", key));
  }
  if (auto check = checks_.find(key); check != checks_.end()) {
    return check->second(values[0]);
  }
  const std::string& value = values[0];
  switch (definition.kind) {
    case Kind::kString:
      return value;
    case Kind::kApplicationName: {
      // Like PostgreSQL: at most 63 bytes, and only printable ASCII (anything else becomes '?').
      std::string clean = value.substr(0, 63);
      for (char& c : clean) {
        if (static_cast<unsigned char>(c) < 32 || static_cast<unsigned char>(c) > 126) {
          c = '?';
        }
      }
      return clean;
    }
    case Kind::kClientEncoding: {
      const std::string upper = [&] {
        std::string text(Trim(value));
        std::transform(text.begin(), text.end(), text.begin(),
                       [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
        return text;
      }();
      if (upper != "UTF8" && upper != "UTF-8" && upper != "UNICODE") {
        throw Error(SqlState::kFeatureNotSupported,
                    fmt::format("conversion between {} and UTF8 is not supported", value));
      }
      return "UTF8";
    }
    case Kind::kSessionAuthorization:
      if (value != user_) {
        throw Error(SqlState::kInvalidParameterValue,
                    fmt::format("role \"{}\" does not exist", value));
      }
      return value;
    case Kind::kBoolean: {
      const std::optional<bool> parsed = ParseBool(value);
      if (!parsed) {
        throw Error(SqlState::kInvalidParameterValue,
                    fmt::format("parameter \"{}\" requires a Boolean value", definition.name));
      }
      if (key == "standard_conforming_strings" && !*parsed) {
        throw Error(SqlState::kFeatureNotSupported,
                    "standard_conforming_strings = off is not supported");
      }
      return *parsed ? "on" : "off";
    }
    case Kind::kInteger:
    case Kind::kMilliseconds: {
      const bool milliseconds = definition.kind == Kind::kMilliseconds;
      bool bad_unit = false;
      bool out_of_range = false;
      const std::optional<int64_t> parsed =
          ParseInteger(value, milliseconds, bad_unit, out_of_range);
      if (!parsed) {
        Error error = InvalidValue(definition.name, value);
        if (bad_unit) {
          error.WithHint(
              "Valid units for this parameter are \"us\", \"ms\", \"s\", \"min\", \"h\", and "
              "\"d\".");
        } else if (out_of_range) {
          error.WithHint("Value exceeds integer range.");
        }
        throw error;
      }
      if (*parsed < definition.min || *parsed > definition.max) {
        throw Error(SqlState::kInvalidParameterValue,
                    fmt::format("{}{} is outside the valid range for parameter \"{}\" ({} .. {})",
                                *parsed, milliseconds ? " ms" : "", definition.name, definition.min,
                                definition.max));
      }
      return milliseconds ? FormatMilliseconds(*parsed) : std::to_string(*parsed);
    }
    case Kind::kEnum: {
      const std::string lower = AsciiLower(Trim(value));
      const std::string_view all = definition.values;
      const std::string_view listed = all.substr(0, all.find('|'));
      size_t pos = 0;
      while (pos <= all.size()) {
        const size_t end = std::min(all.find_first_of(",|", pos), all.size());
        if (all.substr(pos, end - pos) == lower) {
          if (key == "intervalstyle" && lower != "postgres") {
            // Freshet prints intervals in the postgres style only.
            throw Error(SqlState::kFeatureNotSupported,
                        fmt::format("IntervalStyle \"{}\" is not supported", lower));
          }
          return lower;
        }
        pos = end + 1;
      }
      std::string available;
      pos = 0;
      while (pos <= listed.size()) {
        const size_t end = std::min(listed.find(',', pos), listed.size());
        available += (available.empty() ? "" : ", ") + std::string(listed.substr(pos, end - pos));
        pos = end + 1;
      }
      throw InvalidValue(definition.name, value)
          .WithHint(fmt::format("Available values: {}.", available));
    }
    case Kind::kDateStyle:
      return NormalizeDateStyle(values, Show("datestyle"));
    case Kind::kSearchPath: {
      std::string path;
      for (const std::string& schema : values) {
        path += (path.empty() ? "" : ", ") + QuoteIdentifier(schema);
      }
      return path;
    }
  }
  return value;
}

std::optional<Error> SessionSettings::Set(std::string_view name,
                                          const std::vector<std::string>& values,
                                          bool local,
                                          bool in_transaction_block) {
  const std::string key = KeyOf(name);
  const Definition* definition = Find(name);
  if (definition == nullptr) {
    // A name with a dot is a custom parameter, which anything may set (as for extensions).
    if (key.find('.') == std::string::npos) {
      throw Error(SqlState::kUndefinedObject,
                  fmt::format("unrecognized configuration parameter \"{}\"", name));
    }
    std::string value;
    for (const std::string& part : values) {
      value += (value.empty() ? "" : ", ") + part;
    }
    (local ? local_values_ : values_)[key] = value;
    ++version_;
    return std::nullopt;
  }
  if (definition->read_only) {
    throw Error(SqlState::kCantChangeRuntimeParam,
                fmt::format("parameter \"{}\" cannot be changed", key));
  }
  bool is_default = false;
  std::string value = Normalize(*definition, values, is_default);
  if (local && !in_transaction_block) {
    return Error(SqlState::kNoActiveSqlTransaction,
                 "SET LOCAL can only be used in transaction blocks")
        .WithSeverity(Severity::kWarning);
  }
  if (local || definition->transaction_scoped) {
    local_values_[key] = std::move(value);
  } else {
    local_values_.erase(key);
    if (is_default) {
      values_.erase(key);
    } else {
      values_[key] = std::move(value);
    }
  }
  ++version_;
  return std::nullopt;
}

void SessionSettings::ResetAll() {
  std::map<std::string, std::string> kept;
  // RESET ALL leaves what was given at connection time, as PostgreSQL keeps its session defaults.
  if (auto it = values_.find("application_name"); it != values_.end()) {
    kept.insert(*it);
  }
  values_ = std::move(kept);
  local_values_.clear();
  ++version_;
}

std::optional<std::string> SessionSettings::Lookup(const std::string& key) const {
  if (auto it = local_values_.find(key); it != local_values_.end()) {
    return it->second;
  }
  if (auto it = values_.find(key); it != values_.end()) {
    return it->second;
  }
  // The current transaction's properties start as the session's defaults for new transactions.
  if (key == "transaction_isolation") {
    return Lookup("default_transaction_isolation");
  }
  if (key == "transaction_read_only") {
    return Lookup("default_transaction_read_only");
  }
  if (const Definition* definition = Find(key)) {
    if (definition->kind == Kind::kSessionAuthorization) {
      return user_;
    }
    return std::string(definition->default_value);
  }
  return std::nullopt;
}

std::string SessionSettings::Show(std::string_view name) const {
  std::optional<std::string> value = Lookup(KeyOf(name));
  if (!value) {
    throw Error(SqlState::kUndefinedObject,
                fmt::format("unrecognized configuration parameter \"{}\"", name));
  }
  return *value;
}

std::string_view SessionSettings::DisplayName(std::string_view name) const {
  const Definition* definition = Find(name);
  return definition != nullptr ? definition->name : name;
}

std::vector<SettingRow> SessionSettings::ShowAll() const {
  std::vector<SettingRow> rows;
  for (const Definition& definition : kDefinitions) {
    if (!definition.hidden) {
      rows.push_back({std::string(definition.name), Show(definition.name),
                      std::string(definition.description)});
    }
  }
  return rows;
}

std::vector<std::pair<std::string, std::string>> SessionSettings::Reported() const {
  std::vector<std::pair<std::string, std::string>> reported;
  for (const Definition& definition : kDefinitions) {
    if (definition.reported) {
      reported.emplace_back(std::string(definition.name), Show(definition.name));
    }
  }
  return reported;
}

void SessionSettings::BeginTransaction() {
  saved_values_ = values_;
  local_values_.clear();
}

void SessionSettings::EndTransaction(bool commit) {
  if (!commit && saved_values_) {
    values_ = std::move(*saved_values_);
  }
  saved_values_.reset();
  local_values_.clear();
  ++version_;
}

void SessionSettings::EndStatement() {
  if (!saved_values_ && !local_values_.empty()) {
    local_values_.clear();
    ++version_;
  }
}

int32_t SessionSettings::ExtraFloatDigits() const {
  return static_cast<int32_t>(std::stol(Show("extra_float_digits")));
}

int64_t SessionSettings::StatementTimeoutMs() const {
  bool bad_unit = false;
  bool out_of_range = false;
  return ParseInteger(Show("statement_timeout"), true, bad_unit, out_of_range).value_or(0);
}

bool SessionSettings::SendsToClient(Severity severity) const {
  static constexpr std::string_view kLevels[] = {"debug5", "debug4", "debug3",  "debug2", "debug1",
                                                 "log",    "notice", "warning", "error"};
  const auto level_of = [](std::string_view name) {
    for (size_t i = 0; i < std::size(kLevels); ++i) {
      if (kLevels[i] == name) {
        return static_cast<int>(i);
      }
    }
    return 6;  // notice
  };
  std::string_view message_level;
  switch (severity) {
    case Severity::kDebug:
      message_level = "debug1";
      break;
    case Severity::kLog:
      message_level = "log";
      break;
    case Severity::kNotice:
      message_level = "notice";
      break;
    case Severity::kWarning:
      message_level = "warning";
      break;
    case Severity::kInfo:
      // INFO always reaches the client.
      return true;
    default:
      message_level = "error";
      break;
  }
  std::string minimum = Show("client_min_messages");
  if (minimum == "info") {
    minimum = "notice";
  }
  return level_of(message_level) >= level_of(minimum);
}

std::optional<std::string> SessionSettings::CurrentSetting(std::string_view name,
                                                           bool missing_ok) const {
  std::optional<std::string> value = Lookup(KeyOf(name));
  if (!value && !missing_ok) {
    throw Error(SqlState::kUndefinedObject,
                fmt::format("unrecognized configuration parameter \"{}\"", name));
  }
  return value;
}

std::string SessionSettings::SetConfig(std::string_view name,
                                       std::optional<std::string_view> value,
                                       bool is_local) {
  std::vector<std::string> values;
  if (value) {
    values.emplace_back(*value);
  }
  // set_config(..., true) outside a block lasts for the statement, like its implicit transaction.
  Set(name, values, is_local, true);
  return Show(name);
}

}  // namespace freshet::engine
