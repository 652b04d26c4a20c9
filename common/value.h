// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "common/data_type.h"

namespace freshet {

class TimeZone;

/// One SQL value of a known type, or NULL. Used at the edges (literals, catalog defaults, row
/// codecs, tests); the data path works on whole columns instead.
class Value {
 public:
  /// A NULL of unknown type.
  Value() = default;

  static Value Null(DataType type);
  static Value Boolean(bool value);
  /// An integer of one of the integer types (or DATE / TIME / TIMESTAMP[TZ] by their stored
  /// number).
  static Value Int(DataType type, int64_t value);
  static Value Integer(int32_t value) { return Int(DataType::Integer(), value); }
  static Value Bigint(int64_t value) { return Int(DataType::Bigint(), value); }
  static Value Float(DataType type, double value);
  static Value Double(double value) { return Float(DataType::Double(), value); }
  /// A NUMERIC of `type` from its packed form (common/numeric.h), which carries its own scale.
  static Value Numeric(DataType type, __int128 packed);
  static Value FromInterval(Interval value);
  static Value String(DataType type, std::string value);
  static Value Text(std::string value) { return String(DataType::Text(), std::move(value)); }

  const DataType& Type() const { return type_; }
  bool IsNull() const { return data_.index() == 0; }

  bool GetBool() const { return std::get<bool>(data_); }
  int64_t GetInt() const { return std::get<int64_t>(data_); }
  double GetDouble() const { return std::get<double>(data_); }
  __int128 GetInt128() const { return std::get<__int128>(data_); }
  const Interval& GetInterval() const { return std::get<Interval>(data_); }
  std::string_view GetString() const { return std::get<std::string>(data_); }

  /// Formats the value as Postgres's text output does; NULL prints as "NULL" (callers on the wire
  /// send -1).
  std::string ToText() const;

  /// Parses `text` as the input function of `type` does; throws 22P02 / 22003 / 22007 / 22001 on
  /// bad input. A TIMESTAMPTZ without an explicit zone is local time of `zone` (nullptr: UTC).
  static Value FromText(std::string_view text, DataType type, const TimeZone* zone = nullptr);

  friend bool operator==(const Value&, const Value&) = default;

 private:
  DataType type_;
  std::variant<std::monostate, bool, int64_t, double, __int128, Interval, std::string> data_;
};

}  // namespace freshet
