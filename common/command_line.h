// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <limits>
#include <string_view>

namespace freshet {

/// Reads the flags of a program's command line one at a time, as `--name value` or `--name=value`.
/// Every problem goes to the program's `usage` function, which prints it and exits.
class FlagReader {
 public:
  using UsageFunction = void (*)(std::string_view problem);

  FlagReader(int argc, char** argv, UsageFunction usage)
      : argc_(argc), argv_(argv), usage_(usage) {}

  /// Moves to the next flag; false once there is none. `--help` and `-h` call usage("").
  bool Next();
  /// The current flag, without an `=value` part.
  std::string_view Flag() const { return flag_; }
  /// The current flag's value: after its `=`, else the next argument.
  std::string_view Value();
  /// Value() as a whole number in [min, max].
  uint64_t Unsigned(uint64_t min = 0, uint64_t max = std::numeric_limits<uint64_t>::max());
  /// Value() as a finite number of at least 0.
  double NonNegative();
  /// Reports the current flag as unknown.
  [[noreturn]] void Unknown() const;

 private:
  [[noreturn]] void Fail(std::string_view problem) const;
  [[noreturn]] void InvalidValue(std::string_view value) const;

  int argc_;
  char** argv_;
  UsageFunction usage_;
  int next_ = 1;
  std::string_view flag_;
  std::string_view inline_value_;
  bool has_inline_value_ = false;
};

}  // namespace freshet
