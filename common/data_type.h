// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace freshet {

/// The SQL types of Freshet (DESIGN.md section 4); kUnknown is the type of an untyped literal or
/// NULL.
enum class TypeId : uint8_t {
  kUnknown,
  kBoolean,
  kSmallint,
  kInteger,
  kBigint,
  kReal,
  kDouble,
  kNumeric,
  kVarchar,
  kText,
  kBytea,
  kDate,
  kTime,
  kTimestamp,
  kTimestamptz,
  kInterval,
  kJsonb,
  // Object identifiers (an unsigned 32-bit number, stored in 64 bits) and the reg* aliases of oid
  // that print, and are read as, the name of a catalog object.
  kOid,
  kRegclass,
  kRegtype,
  kRegproc,
  kRegnamespace,
};

/// How values of a type are laid out in a column: one fixed-width C++ type per value or
/// variable-length bytes.
enum class PhysicalType : uint8_t {
  kBool,      // uint8_t 0/1
  kInt16,     // int16_t
  kInt32,     // int32_t: INTEGER, DATE (days since 1970-01-01)
  kInt64,     // int64_t: BIGINT, TIME, TIMESTAMP[TZ] (microseconds)
  kFloat32,   // float
  kFloat64,   // double
  kInt128,    // __int128: NUMERIC, packed as unscaled * 256 + display scale (common/numeric.h)
  kInterval,  // Interval
  kString,    // bytes: VARCHAR, TEXT, BYTEA, JSONB
};

/// Bytes of one value of `physical` in a column's fixed-width buffer; 0 for strings, whose bytes
/// live apart.
size_t PhysicalWidth(PhysicalType physical);

/// A Postgres interval: months, days and microseconds are kept apart because their lengths vary.
struct Interval {
  int32_t months = 0;
  int32_t days = 0;
  int64_t micros = 0;
  friend bool operator==(const Interval&, const Interval&) = default;
};

/// A SQL type with its modifier (VARCHAR length, NUMERIC precision and scale, or -1 for none).
struct DataType {
  TypeId id = TypeId::kUnknown;
  int32_t modifier = -1;

  constexpr DataType() = default;
  constexpr explicit DataType(TypeId type_id, int32_t type_modifier = -1)
      : id(type_id), modifier(type_modifier) {}

  static constexpr DataType Boolean() { return DataType(TypeId::kBoolean); }
  static constexpr DataType Integer() { return DataType(TypeId::kInteger); }
  static constexpr DataType Bigint() { return DataType(TypeId::kBigint); }
  static constexpr DataType Double() { return DataType(TypeId::kDouble); }
  static constexpr DataType Text() { return DataType(TypeId::kText); }
  static constexpr DataType Timestamp() { return DataType(TypeId::kTimestamp); }
  static DataType Varchar(int32_t length) { return DataType(TypeId::kVarchar, length); }
  /// NUMERIC(precision, scale), stored as Postgres stores the typmod; the scale may be negative.
  static DataType Numeric(int32_t precision, int32_t scale);
  /// Unconstrained NUMERIC (typmod -1): every value keeps its own display scale.
  static constexpr DataType Numeric() { return DataType(TypeId::kNumeric); }

  PhysicalType Physical() const;
  /// The Postgres type OID (23 for INTEGER, ...), as sent in RowDescription.
  uint32_t Oid() const;
  /// The Postgres typlen: bytes of a fixed-width value, or -1 for variable length.
  int16_t WireSize() const;
  /// The Postgres name with modifiers, as format_type prints it ("character varying(10)").
  std::string Name() const;
  /// The length of VARCHAR(n), if any.
  std::optional<int32_t> MaxLength() const;
  /// The precision of NUMERIC(p,s), or -1 when unconstrained.
  int32_t NumericPrecision() const;
  /// The scale of NUMERIC(p,s) (-1000..1000), or 0 when unconstrained.
  int32_t NumericScale() const;

  bool IsInteger() const {
    return id == TypeId::kSmallint || id == TypeId::kInteger || id == TypeId::kBigint;
  }
  bool IsNumeric() const {
    return IsInteger() || id == TypeId::kReal || id == TypeId::kDouble || id == TypeId::kNumeric;
  }
  bool IsString() const { return id == TypeId::kVarchar || id == TypeId::kText; }
  /// True for oid and the reg* types.
  bool IsObjectId() const { return id >= TypeId::kOid && id <= TypeId::kRegnamespace; }
  /// The modifier as Postgres stores it in pg_attribute.atttypmod and RowDescription: VARCHAR(n)
  /// counts its 4-byte header (n + 4); -1 for none.
  int32_t PgTypmod() const;

  friend bool operator==(const DataType&, const DataType&) = default;
};

/// Returns the type named `name` as written in SQL (`int`, `int4`, `varchar`, `double precision`,
/// ...), ignoring case; modifiers are applied by the caller.
std::optional<TypeId> TypeIdFromName(std::string_view name);

}  // namespace freshet
