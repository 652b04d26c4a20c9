// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/ascii.h"
#include "common/error.h"
#include "connectors/source_reader.h"

namespace freshet::connectors {

/// Looks up a source's WITH options by key and converts their values, naming the option in every
/// error (22023). Remembers which options were looked up, so that RejectUnread() can report the
/// first unknown one. Borrows the options; not thread-safe.
class OptionReader {
 public:
  /// `connector` names the connector in messages ("datagen").
  OptionReader(const ConnectorOptions& options, std::string_view connector);

  /// Returns the value of `key` (the last one when written twice), or nullopt.
  std::optional<std::string_view> Find(std::string_view key);
  /// Returns the integer value of `key`, which must lie in [min, max].
  std::optional<int64_t> FindInteger(std::string_view key, int64_t min, int64_t max);
  /// Returns the value of `key` as a 64-bit seed: any integer, negative ones taken modulo 2^64.
  std::optional<uint64_t> FindSeed(std::string_view key);
  /// Returns the value of `key`, a finite number not below `min`.
  std::optional<double> FindNumber(std::string_view key, double min);
  /// Returns the value of `key` as microseconds: a plain number counts milliseconds, anything else
  /// is read as an interval without months ('1 second', '00:00:05', '2 days').
  std::optional<int64_t> FindDurationMicros(std::string_view key);
  /// Marks `key` as known without using it (accepted for compatibility, ignored).
  void Ignore(std::string_view key);
  /// Calls `visit(key, value)` for every option whose key starts with `prefix`, marking it read.
  template <typename Visit>
  void ForEachWithPrefix(std::string_view prefix, Visit visit) {
    for (size_t i = 0; i < options_.size(); ++i) {
      if (options_[i].first.starts_with(prefix)) {
        read_[i] = true;
        visit(std::string_view(options_[i].first), std::string_view(options_[i].second));
      }
    }
  }
  /// Throws 22023 `unrecognized <connector> option "key"` for the first option no lookup read.
  void RejectUnread() const;

  /// The error for a value that cannot be used: invalid value for option "key": "value".
  static Error InvalidValue(std::string_view key, std::string_view value, std::string detail = "");

 private:
  const ConnectorOptions& options_;
  std::string connector_;
  std::vector<bool> read_;
};

/// Parses a whole decimal integer (optional sign, surrounding spaces); false on anything else.
bool ParseOptionInteger(std::string_view text, int64_t& value);
/// Parses a finite decimal number; false on anything else.
bool ParseOptionNumber(std::string_view text, double& value);

}  // namespace freshet::connectors
