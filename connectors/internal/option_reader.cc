// SPDX-License-Identifier: Apache-2.0
#include "connectors/internal/option_reader.h"

#include <charconv>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "common/calendar.h"
#include "common/text_format.h"

namespace freshet::connectors {

namespace {

std::string_view TrimSpaces(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
    text.remove_prefix(1);
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) {
    text.remove_suffix(1);
  }
  return text;
}

}  // namespace

bool ParseOptionInteger(std::string_view text, int64_t& value) {
  text = TrimSpaces(text);
  if (!text.empty() && text.front() == '+') {
    text.remove_prefix(1);
  }
  if (text.empty()) {
    return false;
  }
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return error == std::errc() && end == text.data() + text.size();
}

bool ParseOptionNumber(std::string_view text, double& value) {
  text = TrimSpaces(text);
  if (!text.empty() && text.front() == '+') {
    text.remove_prefix(1);
  }
  if (text.empty()) {
    return false;
  }
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return error == std::errc() && end == text.data() + text.size() && std::isfinite(value);
}

OptionReader::OptionReader(const ConnectorOptions& options, std::string_view connector)
    : options_(options), connector_(connector), read_(options.size(), false) {}

std::optional<std::string_view> OptionReader::Find(std::string_view key) {
  std::optional<std::string_view> value;
  for (size_t i = 0; i < options_.size(); ++i) {
    if (options_[i].first == key) {
      read_[i] = true;
      value = options_[i].second;
    }
  }
  return value;
}

std::optional<int64_t> OptionReader::FindInteger(std::string_view key, int64_t min, int64_t max) {
  const std::optional<std::string_view> text = Find(key);
  if (!text) {
    return std::nullopt;
  }
  int64_t value = 0;
  if (!ParseOptionInteger(*text, value)) {
    throw InvalidValue(key, *text, "The value must be an integer.");
  }
  if (value < min || value > max) {
    throw InvalidValue(key, *text, fmt::format("The value must be between {} and {}.", min, max));
  }
  return value;
}

std::optional<uint64_t> OptionReader::FindSeed(std::string_view key) {
  const std::optional<std::string_view> text = Find(key);
  if (!text) {
    return std::nullopt;
  }
  int64_t signed_value = 0;
  if (ParseOptionInteger(*text, signed_value)) {
    return static_cast<uint64_t>(signed_value);
  }
  // Seeds above 2^63 - 1 are accepted as unsigned.
  const std::string_view trimmed = TrimSpaces(*text);
  uint64_t value = 0;
  const auto [end, error] = std::from_chars(trimmed.data(), trimmed.data() + trimmed.size(), value);
  if (trimmed.empty() || error != std::errc() || end != trimmed.data() + trimmed.size()) {
    throw InvalidValue(key, *text, "The value must be an integer.");
  }
  return value;
}

std::optional<double> OptionReader::FindNumber(std::string_view key, double min) {
  const std::optional<std::string_view> text = Find(key);
  if (!text) {
    return std::nullopt;
  }
  double value = 0;
  if (!ParseOptionNumber(*text, value)) {
    throw InvalidValue(key, *text, "The value must be a number.");
  }
  if (value < min) {
    throw InvalidValue(key, *text, fmt::format("The value must not be less than {}.", min));
  }
  return value;
}

std::optional<int64_t> OptionReader::FindDurationMicros(std::string_view key) {
  const std::optional<std::string_view> text = Find(key);
  if (!text) {
    return std::nullopt;
  }
  double millis = 0;
  if (ParseOptionNumber(*text, millis)) {
    const double micros = std::round(millis * calendar::kMicrosPerMillisecond);
    if (std::fabs(micros) >= 9.2e18) {
      throw InvalidValue(key, *text, "The duration is out of range.");
    }
    return static_cast<int64_t>(micros);
  }
  Interval interval;
  try {
    interval = ParseInterval(*text);
  } catch (const Error& error) {
    throw InvalidValue(key, *text,
                       "The value must be a number of milliseconds or an interval such as "
                       "'1 second'.");
  }
  if (interval.months != 0) {
    throw InvalidValue(key, *text, "An interval of months or years has no fixed length.");
  }
  const __int128 micros =
      static_cast<__int128>(interval.days) * calendar::kMicrosPerDay + interval.micros;
  if (micros > std::numeric_limits<int64_t>::max() ||
      micros < -std::numeric_limits<int64_t>::max()) {
    throw InvalidValue(key, *text, "The duration is out of range.");
  }
  return static_cast<int64_t>(micros);
}

void OptionReader::Ignore(std::string_view key) {
  Find(key);
}

void OptionReader::RejectUnread() const {
  for (size_t i = 0; i < options_.size(); ++i) {
    if (!read_[i]) {
      throw Error(SqlState::kInvalidParameterValue,
                  fmt::format("unrecognized {} option \"{}\"", connector_, options_[i].first));
    }
  }
}

Error OptionReader::InvalidValue(std::string_view key, std::string_view value, std::string detail) {
  Error error(SqlState::kInvalidParameterValue,
              fmt::format("invalid value for option \"{}\": \"{}\"", key, value));
  if (!detail.empty()) {
    error.WithDetail(std::move(detail));
  }
  return error;
}

}  // namespace freshet::connectors
