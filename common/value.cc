// SPDX-License-Identifier: Apache-2.0
#include "common/value.h"

#include <fmt/format.h>

#include "common/error.h"
#include "common/jsonb.h"
#include "common/text_format.h"

namespace freshet {

Value Value::Null(DataType type) {
  Value value;
  value.type_ = type;
  return value;
}

Value Value::Boolean(bool value) {
  Value result;
  result.type_ = DataType::Boolean();
  result.data_ = value;
  return result;
}

Value Value::Int(DataType type, int64_t value) {
  Value result;
  result.type_ = type;
  result.data_ = value;
  return result;
}

Value Value::Float(DataType type, double value) {
  Value result;
  result.type_ = type;
  result.data_ = value;
  return result;
}

Value Value::Numeric(DataType type, __int128 packed) {
  Value result;
  result.type_ = type;
  result.data_ = packed;
  return result;
}

Value Value::FromInterval(Interval value) {
  Value result;
  result.type_ = DataType(TypeId::kInterval);
  result.data_ = value;
  return result;
}

Value Value::String(DataType type, std::string value) {
  Value result;
  result.type_ = type;
  result.data_ = std::move(value);
  return result;
}

std::string Value::ToText() const {
  if (IsNull()) {
    return "NULL";
  }
  std::string out;
  switch (type_.id) {
    case TypeId::kBoolean:
      return GetBool() ? "t" : "f";
    case TypeId::kSmallint:
    case TypeId::kInteger:
    case TypeId::kBigint:
      return fmt::format("{}", GetInt());
    case TypeId::kReal:
      AppendFloat(out, GetDouble(), true);
      return out;
    case TypeId::kDouble:
      AppendFloat(out, GetDouble(), false);
      return out;
    case TypeId::kNumeric:
      AppendNumeric(out, GetInt128());
      return out;
    case TypeId::kDate:
      AppendDate(out, static_cast<int32_t>(GetInt()));
      return out;
    case TypeId::kTime:
      AppendTime(out, GetInt());
      return out;
    case TypeId::kTimestamp:
      AppendTimestamp(out, GetInt());
      return out;
    case TypeId::kTimestamptz:
      AppendTimestamptz(out, GetInt());
      return out;
    case TypeId::kInterval:
      AppendInterval(out, GetInterval());
      return out;
    case TypeId::kBytea:
      AppendBytea(out, GetString());
      return out;
    case TypeId::kUnknown:
    case TypeId::kVarchar:
    case TypeId::kText:
    case TypeId::kJsonb:
      return std::string(GetString());
    case TypeId::kOid:
    case TypeId::kRegclass:
    case TypeId::kRegtype:
    case TypeId::kRegproc:
    case TypeId::kRegnamespace:
      return fmt::format("{}", static_cast<uint32_t>(GetInt()));
  }
  return out;
}

Value Value::FromText(std::string_view text, DataType type, const TimeZone* zone) {
  switch (type.id) {
    case TypeId::kBoolean: {
      bool value = false;
      if (!ParseBoolean(text, value)) {
        throw Error(SqlState::kInvalidTextRepresentation,
                    fmt::format("invalid input syntax for type boolean: \"{}\"", text));
      }
      return Boolean(value);
    }
    case TypeId::kSmallint:
    case TypeId::kInteger:
    case TypeId::kBigint:
      return Int(type, ParseInteger(text, type.id));
    case TypeId::kReal:
    case TypeId::kDouble:
      return Float(type, ParseDouble(text, type.id));
    case TypeId::kNumeric:
      return Numeric(type, ParseNumeric(text, type.NumericPrecision(), type.NumericScale()));
    case TypeId::kDate:
      return Int(type, ParseDate(text));
    case TypeId::kTime:
      return Int(type, ParseTime(text));
    case TypeId::kTimestamp:
      return Int(type, ParseTimestamp(text, false));
    case TypeId::kTimestamptz:
      return Int(type, ParseTimestamp(text, true, zone));
    case TypeId::kInterval:
      return FromInterval(ParseInterval(text));
    case TypeId::kVarchar: {
      auto max_length = type.MaxLength();
      if (max_length) {
        // Count characters, not bytes: continuation bytes of UTF-8 do not start a character.
        size_t characters = 0;
        for (unsigned char c : text) {
          characters += (c & 0xC0) != 0x80 ? 1 : 0;
        }
        if (characters > static_cast<size_t>(*max_length)) {
          throw Error(SqlState::kStringDataRightTruncation,
                      fmt::format("value too long for type character varying({})", *max_length));
        }
      }
      return String(type, std::string(text));
    }
    case TypeId::kJsonb:
      // A jsonb column holds the canonical text jsonb_out prints (common/jsonb.h).
      return String(type, ParseJsonb(text));
    case TypeId::kOid:
    case TypeId::kRegclass:
    case TypeId::kRegtype:
    case TypeId::kRegproc:
    case TypeId::kRegnamespace:
      // Names of the reg* types are resolved against the catalog by function::CastColumn.
      return Int(type, ParseOid(text, type.Name()));
    case TypeId::kUnknown:
    case TypeId::kText:
    case TypeId::kBytea:
      return String(type, std::string(text));
  }
  return String(type, std::string(text));
}

}  // namespace freshet
