// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/data_type.h"
#include "function/cast.h"
#include "function/scalar_function.h"

// The session and catalog information functions of PostgreSQL (functions-info.html,
// functions-admin.html) that clients call: version(), current_setting(), set_config(),
// pg_table_is_visible(), format_type(), pg_get_indexdef(), ... They reach the session and the
// catalog through the two interfaces below, which the engine implements, so that this module stays
// below the engine.
namespace freshet::function {

/// The session's run-time parameters as current_setting() and set_config() see them. Implemented
/// by the engine's session; used on the session's thread only.
class SettingsAccess {
 public:
  SettingsAccess() = default;
  virtual ~SettingsAccess() = default;
  SettingsAccess(const SettingsAccess&) = delete;
  SettingsAccess& operator=(const SettingsAccess&) = delete;

  /// The value SHOW prints for `name`; throws 42704 for an unknown parameter unless `missing_ok`,
  /// which gives nothing instead.
  virtual std::optional<std::string> CurrentSetting(std::string_view name,
                                                    bool missing_ok) const = 0;
  /// Sets `name` to `value` (nothing: the default) as SET, or SET LOCAL when `is_local`, would and
  /// returns the new value; throws 42704, 22023 or 55P02 as SET does.
  virtual std::string SetConfig(std::string_view name,
                                std::optional<std::string_view> value,
                                bool is_local) = 0;
};

/// The catalog as one statement sees it, for the reg* types and the pg_catalog functions.
/// Implemented by the engine over the statement's catalog snapshot; used on the statement's thread.
class CatalogAccess {
 public:
  CatalogAccess() = default;
  virtual ~CatalogAccess() = default;
  CatalogAccess(const CatalogAccess&) = delete;
  CatalogAccess& operator=(const CatalogAccess&) = delete;

  /// The OID of the object `text` names, as regclassin, regtypein, regnamespacein and regprocin
  /// read it (a number is taken as the OID itself); throws 42P01, 42704, 3F000 or 42883 when
  /// nothing has that name.
  virtual uint32_t ParseObjectName(TypeId reg_type, std::string_view text) const = 0;
  /// Appends what regclassout, regtypeout, ... print for `oid`: the name, qualified when the
  /// search path does not find it; the number when no object has that OID.
  virtual void AppendObjectName(TypeId reg_type, uint32_t oid, std::string& out) const = 0;
  /// pg_table_is_visible(oid): the relation exists and the search path finds it by its name.
  virtual bool IsRelationVisible(uint32_t oid) const = 0;
  /// pg_get_userbyid(oid): the role's name, or "unknown (OID=n)".
  virtual std::string RoleName(uint32_t oid) const = 0;
  /// pg_get_indexdef(oid, column, pretty): the CREATE INDEX statement of an index (`column` 0),
  /// its table schema-qualified unless `pretty` and visible, or the name of its key column number
  /// `column`; nothing when `oid` is not an index.
  virtual std::optional<std::string> IndexDefinition(uint32_t oid,
                                                     int32_t column,
                                                     bool pretty) const = 0;
  /// pg_get_constraintdef(oid): "PRIMARY KEY (id)"; nothing when `oid` is not a constraint.
  virtual std::optional<std::string> ConstraintDefinition(uint32_t oid) const = 0;
};

/// Whether Postgres's pg_cast allows a cast between oid, the reg* types, the integer types and text
/// in `context`: integers to oid or reg* implicitly and back on assignment, oid and reg* to each
/// other implicitly, text to regclass implicitly; nothing when neither side is oid or a reg* type.
std::optional<bool> CanCastObjectId(TypeId from, TypeId to, CastContext context);
/// Converts `in` to `target` when either is oid or a reg* type: reg* names are read and printed
/// through `evaluation.catalog`; an integer out of the range of oid fails with 22003. Returns
/// false, doing nothing, when neither type is oid or a reg* type.
bool CastObjectIdColumn(const Column& in,
                        const DataType& target,
                        Column& out,
                        const EvaluationContext& evaluation);

/// The schemas of a search_path value (`"$user", public`), unquoted, with "$user" replaced by
/// `user`.
std::vector<std::string> ParseSearchPath(std::string_view value, std::string_view user);

/// Throws 57014 when the statement of `context` was cancelled or ran past its statement_timeout.
void CheckInterrupts(const EvaluationContext& context);

/// A function named by a regproc column of pg_type (typinput, ...): its OID and name.
struct PgProcedure {
  uint32_t oid;
  std::string_view name;
};

/// A row of PostgreSQL 15's pg_type, with its real OIDs, for the types Freshet has, their array
/// types and the few other types the system catalogs show (name, "char", int2vector, ...).
struct PgType {
  uint32_t oid;
  std::string_view name;
  int16_t length;
  bool by_value;
  char type;
  char category;
  bool preferred;
  uint32_t element;
  uint32_t array;
  PgProcedure input;
  PgProcedure output;
  PgProcedure receive;
  PgProcedure send;
  char align;
  char storage;
  uint32_t collation;
  PgProcedure subscript;
};

/// The pg_type rows, by OID.
std::span<const PgType> PgTypes();
/// The pg_type row of `oid`, or nullptr.
const PgType* FindPgType(uint32_t oid);
/// The OID of a function pg_type names (regprocin of "int4in"), or nothing.
std::optional<uint32_t> FindPgProcedure(std::string_view name);
/// The name of a function pg_type names, by OID, or nothing.
std::optional<std::string_view> PgProcedureName(uint32_t oid);

/// The OID Postgres gives a Freshet type, and back: 23 is integer. Nothing for an OID Freshet has
/// no type for.
std::optional<TypeId> TypeIdFromOid(uint32_t oid);

/// format_type(type_oid, typmod) as Postgres prints it ("character varying(20)", "numeric(10,2)",
/// "timestamp without time zone"); typmod is Postgres's (VARCHAR(n) is n + 4), -1 for none.
std::string FormatType(uint32_t type_oid, int32_t typmod);

/// The version() string: a PostgreSQL 15 banner that names Freshet, so that clients parsing it see
/// PostgreSQL 15.
std::string_view VersionString();

/// Registers version(), current_setting(), set_config(), pg_table_is_visible() and the other
/// information functions.
void RegisterSystemFunctions(std::vector<ScalarFunction>& functions);

}  // namespace freshet::function
