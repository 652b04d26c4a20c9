// SPDX-License-Identifier: Apache-2.0
#include "common/data_type.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>

#include <fmt/format.h>

namespace freshet {

DataType DataType::Numeric(int32_t precision, int32_t scale) {
  // Postgres 15 packs NUMERIC(p, s) as ((p << 16) | (s & 0x7ff)) + VARHDRSZ, s in 11-bit two's
  // complement.
  return DataType(TypeId::kNumeric, ((precision << 16) | (scale & 0x7ff)) + 4);
}

PhysicalType DataType::Physical() const {
  switch (id) {
    case TypeId::kBoolean:
      return PhysicalType::kBool;
    case TypeId::kSmallint:
      return PhysicalType::kInt16;
    case TypeId::kInteger:
    case TypeId::kDate:
      return PhysicalType::kInt32;
    case TypeId::kBigint:
    case TypeId::kTime:
    case TypeId::kTimestamp:
    case TypeId::kTimestamptz:
    case TypeId::kOid:
    case TypeId::kRegclass:
    case TypeId::kRegtype:
    case TypeId::kRegproc:
    case TypeId::kRegnamespace:
      return PhysicalType::kInt64;
    case TypeId::kReal:
      return PhysicalType::kFloat32;
    case TypeId::kDouble:
      return PhysicalType::kFloat64;
    case TypeId::kNumeric:
      return PhysicalType::kInt128;
    case TypeId::kInterval:
      return PhysicalType::kInterval;
    case TypeId::kUnknown:
    case TypeId::kVarchar:
    case TypeId::kText:
    case TypeId::kBytea:
    case TypeId::kJsonb:
      return PhysicalType::kString;
  }
  return PhysicalType::kString;
}

uint32_t DataType::Oid() const {
  switch (id) {
    case TypeId::kUnknown:
      return 705;
    case TypeId::kBoolean:
      return 16;
    case TypeId::kSmallint:
      return 21;
    case TypeId::kInteger:
      return 23;
    case TypeId::kBigint:
      return 20;
    case TypeId::kReal:
      return 700;
    case TypeId::kDouble:
      return 701;
    case TypeId::kNumeric:
      return 1700;
    case TypeId::kVarchar:
      return 1043;
    case TypeId::kText:
      return 25;
    case TypeId::kBytea:
      return 17;
    case TypeId::kDate:
      return 1082;
    case TypeId::kTime:
      return 1083;
    case TypeId::kTimestamp:
      return 1114;
    case TypeId::kTimestamptz:
      return 1184;
    case TypeId::kInterval:
      return 1186;
    case TypeId::kJsonb:
      return 3802;
    case TypeId::kOid:
      return 26;
    case TypeId::kRegclass:
      return 2205;
    case TypeId::kRegtype:
      return 2206;
    case TypeId::kRegproc:
      return 24;
    case TypeId::kRegnamespace:
      return 4089;
  }
  return 705;
}

int16_t DataType::WireSize() const {
  switch (id) {
    case TypeId::kBoolean:
      return 1;
    case TypeId::kSmallint:
      return 2;
    case TypeId::kInteger:
    case TypeId::kReal:
    case TypeId::kDate:
    case TypeId::kOid:
    case TypeId::kRegclass:
    case TypeId::kRegtype:
    case TypeId::kRegproc:
    case TypeId::kRegnamespace:
      return 4;
    case TypeId::kBigint:
    case TypeId::kDouble:
    case TypeId::kTime:
    case TypeId::kTimestamp:
    case TypeId::kTimestamptz:
      return 8;
    case TypeId::kInterval:
      return 16;
    case TypeId::kUnknown:
      return -2;
    default:
      return -1;
  }
}

int32_t DataType::PgTypmod() const {
  if (id == TypeId::kVarchar && modifier >= 0) {
    return modifier + 4;
  }
  return modifier;
}

std::optional<int32_t> DataType::MaxLength() const {
  if (id == TypeId::kVarchar && modifier >= 0) {
    return modifier;
  }
  return std::nullopt;
}

int32_t DataType::NumericPrecision() const {
  return modifier < 4 ? -1 : ((modifier - 4) >> 16) & 0xffff;
}

int32_t DataType::NumericScale() const {
  return modifier < 4 ? 0 : (((modifier - 4) & 0x7ff) ^ 1024) - 1024;
}

std::string DataType::Name() const {
  switch (id) {
    case TypeId::kUnknown:
      return "unknown";
    case TypeId::kBoolean:
      return "boolean";
    case TypeId::kSmallint:
      return "smallint";
    case TypeId::kInteger:
      return "integer";
    case TypeId::kBigint:
      return "bigint";
    case TypeId::kReal:
      return "real";
    case TypeId::kDouble:
      return "double precision";
    case TypeId::kNumeric:
      return modifier < 4 ? "numeric"
                          : fmt::format("numeric({},{})", NumericPrecision(), NumericScale());
    case TypeId::kVarchar:
      return modifier < 0 ? "character varying" : fmt::format("character varying({})", modifier);
    case TypeId::kText:
      return "text";
    case TypeId::kBytea:
      return "bytea";
    case TypeId::kDate:
      return "date";
    case TypeId::kTime:
      return "time without time zone";
    case TypeId::kTimestamp:
      return "timestamp without time zone";
    case TypeId::kTimestamptz:
      return "timestamp with time zone";
    case TypeId::kInterval:
      return "interval";
    case TypeId::kJsonb:
      return "jsonb";
    case TypeId::kOid:
      return "oid";
    case TypeId::kRegclass:
      return "regclass";
    case TypeId::kRegtype:
      return "regtype";
    case TypeId::kRegproc:
      return "regproc";
    case TypeId::kRegnamespace:
      return "regnamespace";
  }
  return "unknown";
}

std::optional<TypeId> TypeIdFromName(std::string_view name) {
  static constexpr std::array<std::pair<std::string_view, TypeId>, 36> kNames = {{
      {"boolean", TypeId::kBoolean},
      {"bool", TypeId::kBoolean},
      {"smallint", TypeId::kSmallint},
      {"int2", TypeId::kSmallint},
      {"integer", TypeId::kInteger},
      {"int", TypeId::kInteger},
      {"int4", TypeId::kInteger},
      {"bigint", TypeId::kBigint},
      {"int8", TypeId::kBigint},
      {"real", TypeId::kReal},
      {"float4", TypeId::kReal},
      {"double precision", TypeId::kDouble},
      {"float8", TypeId::kDouble},
      {"float", TypeId::kDouble},
      {"numeric", TypeId::kNumeric},
      {"decimal", TypeId::kNumeric},
      {"varchar", TypeId::kVarchar},
      {"character varying", TypeId::kVarchar},
      {"text", TypeId::kText},
      {"string", TypeId::kText},
      {"bytea", TypeId::kBytea},
      {"date", TypeId::kDate},
      {"time", TypeId::kTime},
      {"time without time zone", TypeId::kTime},
      {"timestamp", TypeId::kTimestamp},
      {"timestamp without time zone", TypeId::kTimestamp},
      {"timestamptz", TypeId::kTimestamptz},
      {"timestamp with time zone", TypeId::kTimestamptz},
      {"interval", TypeId::kInterval},
      {"jsonb", TypeId::kJsonb},
      {"oid", TypeId::kOid},
      {"regclass", TypeId::kRegclass},
      {"regtype", TypeId::kRegtype},
      {"regproc", TypeId::kRegproc},
      {"regnamespace", TypeId::kRegnamespace},
      {"unknown", TypeId::kUnknown},
  }};
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (const auto& [spelling, type_id] : kNames) {
    if (spelling == lower) {
      return type_id;
    }
  }
  return std::nullopt;
}

size_t PhysicalWidth(PhysicalType physical) {
  switch (physical) {
    case PhysicalType::kBool:
      return 1;
    case PhysicalType::kInt16:
      return 2;
    case PhysicalType::kInt32:
    case PhysicalType::kFloat32:
      return 4;
    case PhysicalType::kInt64:
    case PhysicalType::kFloat64:
      return 8;
    case PhysicalType::kInt128:
      return 16;
    case PhysicalType::kInterval:
      return sizeof(Interval);
    case PhysicalType::kString:
      return 0;
  }
  return 0;
}

}  // namespace freshet
