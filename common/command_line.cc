// SPDX-License-Identifier: Apache-2.0
#include "common/command_line.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <string>

namespace freshet {

bool FlagReader::Next() {
  if (next_ >= argc_) {
    return false;
  }
  flag_ = argv_[next_++];
  if (flag_ == "--help" || flag_ == "-h") {
    usage_("");
    std::exit(0);
  }
  has_inline_value_ = false;
  const size_t equals = flag_.find('=');
  if (flag_.starts_with("--") && equals != std::string_view::npos) {
    inline_value_ = flag_.substr(equals + 1);
    has_inline_value_ = true;
    flag_ = flag_.substr(0, equals);
  }
  return true;
}

std::string_view FlagReader::Value() {
  if (has_inline_value_) {
    return inline_value_;
  }
  if (next_ >= argc_) {
    Fail("missing value for " + std::string(flag_));
  }
  inline_value_ = argv_[next_++];
  has_inline_value_ = true;
  return inline_value_;
}

uint64_t FlagReader::Unsigned(uint64_t min, uint64_t max) {
  const std::string_view text = Value();
  uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < min || value > max) {
    InvalidValue(text);
  }
  return value;
}

double FlagReader::NonNegative() {
  const std::string text(Value());
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || !(value >= 0) || !std::isfinite(value)) {
    InvalidValue(text);
  }
  return value;
}

void FlagReader::Unknown() const {
  Fail("unknown option " + std::string(flag_));
}

void FlagReader::Fail(std::string_view problem) const {
  usage_(problem);
  std::exit(2);
}

void FlagReader::InvalidValue(std::string_view value) const {
  Fail("invalid value \"" + std::string(value) + "\" for " + std::string(flag_));
}

}  // namespace freshet
