// SPDX-License-Identifier: Apache-2.0
// Session and catalog information functions (functions-info.html) and the oid and reg* types.
#include "function/system_functions.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include <fmt/format.h>

#include "common/error.h"
#include "common/text_format.h"
#include "function/internal/kernel_loops.h"
#include "function/text_array.h"

namespace freshet::function {
namespace {

using internal::BinaryFixed;

// pg_type of PostgreSQL 15 for the types Freshet knows about; generated from a PostgreSQL 15.18
// catalog (SELECT ... FROM pg_type), so the OIDs are the real ones clients hard-code.
// clang-format off
constexpr PgType kPgTypes[] = {
    {16, "bool", 1, true, 'b', 'B', true, 0, 1000, {1242, "boolin"}, {1243, "boolout"}, {2436, "boolrecv"}, {2437, "boolsend"}, 'c', 'p', 0, {0, ""}},
    {17, "bytea", -1, false, 'b', 'U', false, 0, 1001, {1244, "byteain"}, {31, "byteaout"}, {2412, "bytearecv"}, {2413, "byteasend"}, 'i', 'x', 0, {0, ""}},
    {18, "char", 1, true, 'b', 'Z', false, 0, 1002, {1245, "charin"}, {33, "charout"}, {2434, "charrecv"}, {2435, "charsend"}, 'c', 'p', 0, {0, ""}},
    {19, "name", 64, false, 'b', 'S', false, 18, 1003, {34, "namein"}, {35, "nameout"}, {2422, "namerecv"}, {2423, "namesend"}, 'c', 'p', 950, {6180, "raw_array_subscript_handler"}},
    {20, "int8", 8, true, 'b', 'N', false, 0, 1016, {460, "int8in"}, {461, "int8out"}, {2408, "int8recv"}, {2409, "int8send"}, 'd', 'p', 0, {0, ""}},
    {21, "int2", 2, true, 'b', 'N', false, 0, 1005, {38, "int2in"}, {39, "int2out"}, {2404, "int2recv"}, {2405, "int2send"}, 's', 'p', 0, {0, ""}},
    {22, "int2vector", -1, false, 'b', 'A', false, 21, 1006, {40, "int2vectorin"}, {41, "int2vectorout"}, {2410, "int2vectorrecv"}, {2411, "int2vectorsend"}, 'i', 'p', 0, {6179, "array_subscript_handler"}},
    {23, "int4", 4, true, 'b', 'N', false, 0, 1007, {42, "int4in"}, {43, "int4out"}, {2406, "int4recv"}, {2407, "int4send"}, 'i', 'p', 0, {0, ""}},
    {24, "regproc", 4, true, 'b', 'N', false, 0, 1008, {44, "regprocin"}, {45, "regprocout"}, {2444, "regprocrecv"}, {2445, "regprocsend"}, 'i', 'p', 0, {0, ""}},
    {25, "text", -1, false, 'b', 'S', true, 0, 1009, {46, "textin"}, {47, "textout"}, {2414, "textrecv"}, {2415, "textsend"}, 'i', 'x', 100, {0, ""}},
    {26, "oid", 4, true, 'b', 'N', true, 0, 1028, {1798, "oidin"}, {1799, "oidout"}, {2418, "oidrecv"}, {2419, "oidsend"}, 'i', 'p', 0, {0, ""}},
    {28, "xid", 4, true, 'b', 'U', false, 0, 1011, {50, "xidin"}, {51, "xidout"}, {2440, "xidrecv"}, {2441, "xidsend"}, 'i', 'p', 0, {0, ""}},
    {30, "oidvector", -1, false, 'b', 'A', false, 26, 1013, {54, "oidvectorin"}, {55, "oidvectorout"}, {2420, "oidvectorrecv"}, {2421, "oidvectorsend"}, 'i', 'p', 0, {6179, "array_subscript_handler"}},
    {114, "json", -1, false, 'b', 'U', false, 0, 199, {321, "json_in"}, {322, "json_out"}, {323, "json_recv"}, {324, "json_send"}, 'i', 'x', 0, {0, ""}},
    {194, "pg_node_tree", -1, false, 'b', 'Z', false, 0, 0, {195, "pg_node_tree_in"}, {196, "pg_node_tree_out"}, {197, "pg_node_tree_recv"}, {198, "pg_node_tree_send"}, 'i', 'x', 100, {0, ""}},
    {199, "_json", -1, false, 'b', 'A', false, 114, 0, {750, "array_in"}, {751, "array_out"}, {2400, "array_recv"}, {2401, "array_send"}, 'i', 'x', 0, {6179, "array_subscript_handler"}},
    {700, "float4", 4, true, 'b', 'N', false, 0, 1021, {200, "float4in"}, {201, "float4out"}, {2424, "float4recv"}, {2425, "float4send"}, 'i', 'p', 0, {0, ""}},
    {701, "float8", 8, true, 'b', 'N', true, 0, 1022, {214, "float8in"}, {215, "float8out"}, {2426, "float8recv"}, {2427, "float8send"}, 'd', 'p', 0, {0, ""}},
    {705, "unknown", -2, false, 'p', 'X', false, 0, 0, {109, "unknownin"}, {110, "unknownout"}, {2416, "unknownrecv"}, {2417, "unknownsend"}, 'c', 'p', 0, {0, ""}},
    {1000, "_bool", -1, false, 'b', 'A', false, 16, 0, {750, "array_in"}, {751, "array_out"}, {2400, "array_recv"}, {2401, "array_send"}, 'i', 'x', 0, {6179, "array_subscript_handler"}},
    {1001, "_bytea", -1, false, 'b', 'A', false, 17, 0, {750, "array_in"}, {751, "array_out"}, {2400, "array_recv"}, {2401, "array_send"}, 'i', 'x', 0, {6179, "array_subscript_handler"}},
    {1002, "_char", -1, false, 'b', 'A', false, 18, 0, {750, "array_in"}, {751, "array_out"}, {2400, "array_recv"}, {2401, "array_send"}, 'i', 'x', 0, {6179, "array_subscript_handler"}},
    {1003, "_name", -1, false, 'b', 'A', false, 19, 0, {750, "array_in"}, {751, "array_out"}, {2400, "array_recv"}, {2401, "array_send"}, 'i', 'x', 950, {6179, "array_subscript_handler"}},
    {1005, "_int2", -1, false, 'b', 'A', false, 21, 0, {750, "array_in"}, {751, "array_out"}, {2400, "array_recv"}, {2401, "array_send"}, 'i', 'x', 0, {6179, "array_subscript_handler"}},
    {1006, "_int2vector", -1, false, 'b', 'A', false, 22, 0, {750, "array_in"}, {751, "array_out"}, {2400, "array_recv"}, {2401, "array_send"}, 'i', 'x', 0, {6179, "array_subscript_handler"}},
    {1007, "_int4", -1, false, 'b', 'A', false, 23, 0, {750, "array_in"}, {751, "array_out"}, {2400, "array_recv"}, {2401, "array_send"}, 'i', 'x', 0, {6179, "array_subscript_handler"}},
    {1008, "_regproc", -1, false, 'b', 'A', false, 24, 0, {750, "array_in"}, {751, "array_out"}, {2400, "array_recv"}, {2401, "array_send"}, 'i', 'x', 0, {6179, "array_subscript_handler"}},
    {1009, "_text", -1, false, 'b', 'A', false, 25, 0, {750, "array_in"}, {751, "array_out"}, {2400, "array_recv"}, {2401, "array_send"}, 'i', 'x', 100, {6179, "array_subscript_handler"}},
    {1011, "_xid", -1, false, 'b', 'A', false, 28, 0, {750, "array_in"}, {751, "array_out"}, {2400, "array_recv"}, {2401, "array_send"}, 'i', 'x', 0, {6179, "array_subscript_handler"}},
    {1013, "_oidvector", -1, false, 'b', 'A', false, 30, 0, {750, "array_in"}, {751, "array_out"}, {2400, "array_recv"}, {2401, "array_send"}, 'i', 'x', 0, {6179, "array_subscript_handler"}},
    {1014, "_bpchar", -1, false, 'b', 'A', false, 1042, 0, {750, "array_in"}, {751, "array_out"}, {2400, "array_recv"}, {2401, "array_send"}, 'i', 'x', 100, {6179, "array_subscript_handler"}},
    {1015, "_varchar", -1, false, 'b', 'A', false, 1043, 0, {750, "array_in"}, {751, "array_out"}, {2400, "array_recv"}, {2401, "array_send"}, 'i', 'x', 100, {6179, "array_subscript_handler"}},
    {1016, "_int8", -1, false, 'b', 'A', false, 20, 0, {750, "array_in"}, {751, "array_out"}, {2400, "array_recv"}, {2401, "array_send"}, 'd', 'x', 0, {6179, "array_subscript_handler"}},
    {1021, "_float4", -1, false, 'b', 'A', false, 700, 0, {750, "array_in"}, {751, "array_out"}, {2400, "array_recv"}, {2401, "array_send"}, 'i', 'x', 0, {6179, "array_subscript_handler"}},
    {1022, "_float8", -1, false, 'b', 'A', false, 701, 0, {750, "array_in"}, {751, "array_out"}, {2400, "array_recv"}, {2401, "array_send"}, 'd', 'x', 0, {6179, "array_subscript_handler"}},
    {1028, "_oid", -1, false, 'b', 'A', false, 26, 0, {750, "array_in"}, {751, "array_out"}, {2400, "array_recv"}, {2401, "array_send"}, 'i', 'x', 0, {6179, "array_subscript_handler"}},
    {1033, "aclitem", 12, false, 'b', 'U', false, 0, 1034, {1031, "aclitemin"}, {1032, "aclitemout"}, {0, ""}, {0, ""}, 'i', 'p', 0, {0, ""}},
    {1034, "_aclitem", -1, false, 'b', 'A', false, 1033, 0, {750, "array_in"}, {751, "array_out"}, {2400, "array_recv"}, {2401, "array_send"}, 'i', 'x', 0, {6179, "array_subscript_handler"}},
    {1042, "bpchar", -1, false, 'b', 'S', false, 0, 1014, {1044, "bpcharin"}, {1045, "bpcharout"}, {2430, "bpcharrecv"}, {2431, "bpcharsend"}, 'i', 'x', 100, {0, ""}},
    {1043, "varchar", -1, false, 'b', 'S', false, 0, 1015, {1046, "varcharin"}, {1047, "varcharout"}, {2432, "varcharrecv"}, {2433, "varcharsend"}, 'i', 'x', 100, {0, ""}},
    {1082, "date", 4, true, 'b', 'D', false, 0, 1182, {1084, "date_in"}, {1085, "date_out"}, {2468, "date_recv"}, {2469, "date_send"}, 'i', 'p', 0, {0, ""}},
    {1083, "time", 8, true, 'b', 'D', false, 0, 1183, {1143, "time_in"}, {1144, "time_out"}, {2470, "time_recv"}, {2471, "time_send"}, 'd', 'p', 0, {0, ""}},
    {1114, "timestamp", 8, true, 'b', 'D', false, 0, 1115, {1312, "timestamp_in"}, {1313, "timestamp_out"}, {2474, "timestamp_recv"}, {2475, "timestamp_send"}, 'd', 'p', 0, {0, ""}},
    {1115, "_timestamp", -1, false, 'b', 'A', false, 1114, 0, {750, "array_in"}, {751, "array_out"}, {2400, "array_recv"}, {2401, "array_send"}, 'd', 'x', 0, {6179, "array_subscript_handler"}},
    {1182, "_date", -1, false, 'b', 'A', false, 1082, 0, {750, "array_in"}, {751, "array_out"}, {2400, "array_recv"}, {2401, "array_send"}, 'i', 'x', 0, {6179, "array_subscript_handler"}},
    {1183, "_time", -1, false, 'b', 'A', false, 1083, 0, {750, "array_in"}, {751, "array_out"}, {2400, "array_recv"}, {2401, "array_send"}, 'd', 'x', 0, {6179, "array_subscript_handler"}},
    {1184, "timestamptz", 8, true, 'b', 'D', true, 0, 1185, {1150, "timestamptz_in"}, {1151, "timestamptz_out"}, {2476, "timestamptz_recv"}, {2477, "timestamptz_send"}, 'd', 'p', 0, {0, ""}},
    {1185, "_timestamptz", -1, false, 'b', 'A', false, 1184, 0, {750, "array_in"}, {751, "array_out"}, {2400, "array_recv"}, {2401, "array_send"}, 'd', 'x', 0, {6179, "array_subscript_handler"}},
    {1186, "interval", 16, false, 'b', 'T', true, 0, 1187, {1160, "interval_in"}, {1161, "interval_out"}, {2478, "interval_recv"}, {2479, "interval_send"}, 'd', 'p', 0, {0, ""}},
    {1187, "_interval", -1, false, 'b', 'A', false, 1186, 0, {750, "array_in"}, {751, "array_out"}, {2400, "array_recv"}, {2401, "array_send"}, 'd', 'x', 0, {6179, "array_subscript_handler"}},
    {1231, "_numeric", -1, false, 'b', 'A', false, 1700, 0, {750, "array_in"}, {751, "array_out"}, {2400, "array_recv"}, {2401, "array_send"}, 'i', 'x', 0, {6179, "array_subscript_handler"}},
    {1700, "numeric", -1, false, 'b', 'N', false, 0, 1231, {1701, "numeric_in"}, {1702, "numeric_out"}, {2460, "numeric_recv"}, {2461, "numeric_send"}, 'i', 'm', 0, {0, ""}},
    {2205, "regclass", 4, true, 'b', 'N', false, 0, 2210, {2218, "regclassin"}, {2219, "regclassout"}, {2452, "regclassrecv"}, {2453, "regclasssend"}, 'i', 'p', 0, {0, ""}},
    {2206, "regtype", 4, true, 'b', 'N', false, 0, 2211, {2220, "regtypein"}, {2221, "regtypeout"}, {2454, "regtyperecv"}, {2455, "regtypesend"}, 'i', 'p', 0, {0, ""}},
    {2210, "_regclass", -1, false, 'b', 'A', false, 2205, 0, {750, "array_in"}, {751, "array_out"}, {2400, "array_recv"}, {2401, "array_send"}, 'i', 'x', 0, {6179, "array_subscript_handler"}},
    {2211, "_regtype", -1, false, 'b', 'A', false, 2206, 0, {750, "array_in"}, {751, "array_out"}, {2400, "array_recv"}, {2401, "array_send"}, 'i', 'x', 0, {6179, "array_subscript_handler"}},
    {2249, "record", -1, false, 'p', 'P', false, 0, 2287, {2290, "record_in"}, {2291, "record_out"}, {2402, "record_recv"}, {2403, "record_send"}, 'd', 'x', 0, {0, ""}},
    {2277, "anyarray", -1, false, 'p', 'P', false, 0, 0, {2296, "anyarray_in"}, {2297, "anyarray_out"}, {2502, "anyarray_recv"}, {2503, "anyarray_send"}, 'd', 'x', 0, {0, ""}},
    {2278, "void", 4, true, 'p', 'P', false, 0, 0, {2298, "void_in"}, {2299, "void_out"}, {3120, "void_recv"}, {3121, "void_send"}, 'i', 'p', 0, {0, ""}},
    {3802, "jsonb", -1, false, 'b', 'U', false, 0, 3807, {3806, "jsonb_in"}, {3804, "jsonb_out"}, {3805, "jsonb_recv"}, {3803, "jsonb_send"}, 'i', 'x', 0, {6098, "jsonb_subscript_handler"}},
    {3807, "_jsonb", -1, false, 'b', 'A', false, 3802, 0, {750, "array_in"}, {751, "array_out"}, {2400, "array_recv"}, {2401, "array_send"}, 'i', 'x', 0, {6179, "array_subscript_handler"}},
    {4089, "regnamespace", 4, true, 'b', 'N', false, 0, 4090, {4084, "regnamespacein"}, {4085, "regnamespaceout"}, {4087, "regnamespacerecv"}, {4088, "regnamespacesend"}, 'i', 'p', 0, {0, ""}},
    {4090, "_regnamespace", -1, false, 'b', 'A', false, 4089, 0, {750, "array_in"}, {751, "array_out"}, {2400, "array_recv"}, {2401, "array_send"}, 'i', 'x', 0, {6179, "array_subscript_handler"}},
};
// clang-format on

constexpr std::string_view kVersion =
    "PostgreSQL 15.0 (Freshet 0.1.0) on "
#if defined(__aarch64__)
    "aarch64-unknown-linux-gnu"
#else
    "x86_64-pc-linux-gnu"
#endif
    ", compiled by "
#if defined(__clang__)
    "clang "
#else
    "gcc "
#endif
    __VERSION__ ", 64-bit";

int64_t SteadyMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

bool IsIntegerType(TypeId type) {
  return type == TypeId::kSmallint || type == TypeId::kInteger || type == TypeId::kBigint;
}

bool IsObjectIdType(TypeId type) {
  return DataType(type).IsObjectId();
}

bool IsStringType(TypeId type) {
  return type == TypeId::kText || type == TypeId::kVarchar || type == TypeId::kUnknown;
}

int64_t IntegerAt(const Column& column, size_t row) {
  switch (column.Type().Physical()) {
    case PhysicalType::kInt16:
      return column.Data<int16_t>()[row];
    case PhysicalType::kInt32:
      return column.Data<int32_t>()[row];
    default:
      return column.Data<int64_t>()[row];
  }
}

uint32_t OidAt(const Column& column, size_t row) {
  return static_cast<uint32_t>(column.Data<int64_t>()[row]);
}

// Runs `produce(row)` for each row whose arguments are all not NULL, appending its text; NULL
// otherwise. `produce` returns nothing for a NULL result.
template <typename Produce>
void TextPerRow(std::span<const Column* const> arguments,
                size_t rows,
                Column& out,
                Produce produce) {
  out.Reserve(rows);
  for (size_t row = 0; row < rows; ++row) {
    bool is_null = false;
    for (const Column* argument : arguments) {
      is_null = is_null || argument->IsNull(row);
    }
    std::optional<std::string> text;
    if (!is_null) {
      text = produce(row);
    }
    if (text) {
      out.AppendString(*text);
    } else {
      out.AppendNull();
    }
  }
}

// A function without arguments returning one text value per row.
template <typename Produce>
void ConstantText(size_t rows, Column& out, Produce produce) {
  const std::string text(produce());
  out.Reserve(rows);
  for (size_t row = 0; row < rows; ++row) {
    out.AppendString(text);
  }
}

void Version(const EvaluationContext& context,
             std::span<const Column* const> arguments,
             size_t rows,
             Column& out) {
  ConstantText(rows, out, [] { return kVersion; });
}

void CurrentDatabase(const EvaluationContext& context,
                     std::span<const Column* const> arguments,
                     size_t rows,
                     Column& out) {
  ConstantText(rows, out, [&] { return context.database; });
}

void CurrentUser(const EvaluationContext& context,
                 std::span<const Column* const> arguments,
                 size_t rows,
                 Column& out) {
  ConstantText(rows, out, [&] { return context.user; });
}

// The schemas of the session's search_path.
std::vector<std::string> SearchPath(const EvaluationContext& context) {
  std::string path = "\"$user\", public";
  if (context.settings != nullptr) {
    path = context.settings->CurrentSetting("search_path", true).value_or(path);
  }
  return ParseSearchPath(path, context.user);
}

bool SchemaExists(const EvaluationContext& context, const std::string& schema) {
  if (context.catalog == nullptr) {
    return schema == "public" || schema == "pg_catalog" || schema == "information_schema";
  }
  try {
    std::string quoted = "\"";
    for (char c : schema) {
      quoted += c;
      if (c == '"') {
        quoted += c;
      }
    }
    quoted += '"';
    context.catalog->ParseObjectName(TypeId::kRegnamespace, quoted);
    return true;
  } catch (const Error&) {
    return false;
  }
}

// current_schema(): the first schema of search_path that exists, or NULL.
void CurrentSchema(const EvaluationContext& context,
                   std::span<const Column* const> arguments,
                   size_t rows,
                   Column& out) {
  std::optional<std::string> current;
  for (const std::string& schema : SearchPath(context)) {
    if (SchemaExists(context, schema)) {
      current = schema;
      break;
    }
  }
  out.Reserve(rows);
  for (size_t row = 0; row < rows; ++row) {
    if (current) {
      out.AppendString(*current);
    } else {
      out.AppendNull();
    }
  }
}

// current_schemas(include_implicit): the schemas of search_path that exist, pg_catalog first when
// asked for, as a name[] prints (Freshet has no arrays, so the result is that text).
void CurrentSchemas(const EvaluationContext& context,
                    std::span<const Column* const> arguments,
                    size_t rows,
                    Column& out) {
  TextPerRow(arguments, rows, out, [&](size_t row) -> std::optional<std::string> {
    std::vector<std::optional<std::string>> schemas;
    const std::vector<std::string> path = SearchPath(context);
    if (arguments[0]->Data<uint8_t>()[row] != 0 &&
        std::find(path.begin(), path.end(), "pg_catalog") == path.end()) {
      schemas.emplace_back("pg_catalog");
    }
    for (const std::string& schema : path) {
      if (SchemaExists(context, schema)) {
        schemas.emplace_back(schema);
      }
    }
    std::string text;
    AppendTextArray(text, schemas);
    return text;
  });
}

SettingsAccess& Settings(const EvaluationContext& context) {
  if (context.settings == nullptr) {
    throw Error(SqlState::kFeatureNotSupported, "run-time parameters need a session");
  }
  return *context.settings;
}

// current_setting(name [, missing_ok]).
void CurrentSetting(const EvaluationContext& context,
                    std::span<const Column* const> arguments,
                    size_t rows,
                    Column& out) {
  TextPerRow(arguments, rows, out, [&](size_t row) {
    const bool missing_ok = arguments.size() > 1 && arguments[1]->Data<uint8_t>()[row] != 0;
    return Settings(context).CurrentSetting(arguments[0]->GetString(row), missing_ok);
  });
}

// set_config(name, value, is_local): a NULL value resets the parameter, a NULL is_local is false.
void SetConfig(const EvaluationContext& context,
               std::span<const Column* const> arguments,
               size_t rows,
               Column& out) {
  out.Reserve(rows);
  for (size_t row = 0; row < rows; ++row) {
    if (arguments[0]->IsNull(row)) {
      throw Error(SqlState::kInvalidParameterValue, "SET requires parameter name");
    }
    const bool is_local = !arguments[2]->IsNull(row) && arguments[2]->Data<uint8_t>()[row] != 0;
    const std::optional<std::string_view> value =
        arguments[1]->IsNull(row) ? std::nullopt
                                  : std::optional<std::string_view>(arguments[1]->GetString(row));
    out.AppendString(Settings(context).SetConfig(arguments[0]->GetString(row), value, is_local));
  }
}

// pg_sleep(seconds): sleeps in short slices so that a cancel or statement_timeout stops it.
void Sleep(const EvaluationContext& context,
           std::span<const Column* const> arguments,
           size_t rows,
           Column& out) {
  out.Reserve(rows);
  for (size_t row = 0; row < rows; ++row) {
    if (!arguments[0]->IsNull(row)) {
      const double seconds = arguments[0]->Data<double>()[row];
      const int64_t end =
          SteadyMicros() + static_cast<int64_t>(std::clamp(seconds, 0.0, 1e9) * 1e6);
      for (int64_t now = SteadyMicros(); now < end; now = SteadyMicros()) {
        CheckInterrupts(context);
        std::this_thread::sleep_for(std::chrono::microseconds(std::min<int64_t>(end - now, 10000)));
      }
      CheckInterrupts(context);
    }
    // pg_sleep returns void, which prints as an empty string.
    out.AppendString("");
  }
}

void TableIsVisible(const EvaluationContext& context,
                    std::span<const Column* const> arguments,
                    size_t rows,
                    Column& out) {
  internal::UnaryFixed<int64_t, uint8_t>(arguments, rows, out, [&](int64_t oid) {
    return static_cast<uint8_t>(context.catalog != nullptr &&
                                context.catalog->IsRelationVisible(static_cast<uint32_t>(oid)));
  });
}

void TypeIsVisible(const EvaluationContext& context,
                   std::span<const Column* const> arguments,
                   size_t rows,
                   Column& out) {
  // Every type lives in pg_catalog, which is always searched.
  internal::UnaryFixed<int64_t, uint8_t>(arguments, rows, out, [&](int64_t oid) {
    return static_cast<uint8_t>(FindPgType(static_cast<uint32_t>(oid)) != nullptr);
  });
}

void UserById(const EvaluationContext& context,
              std::span<const Column* const> arguments,
              size_t rows,
              Column& out) {
  TextPerRow(arguments, rows, out, [&](size_t row) -> std::optional<std::string> {
    const uint32_t oid = OidAt(*arguments[0], row);
    if (context.catalog != nullptr) {
      return context.catalog->RoleName(oid);
    }
    return oid == 10 ? std::string(context.user) : fmt::format("unknown (OID={})", oid);
  });
}

// format_type(type, typmod): not strict, a NULL typmod means none.
void FormatTypeKernel(const EvaluationContext& context,
                      std::span<const Column* const> arguments,
                      size_t rows,
                      Column& out) {
  out.Reserve(rows);
  for (size_t row = 0; row < rows; ++row) {
    if (arguments[0]->IsNull(row)) {
      out.AppendNull();
      continue;
    }
    const int32_t typmod =
        arguments[1]->IsNull(row) ? -1 : static_cast<int32_t>(IntegerAt(*arguments[1], row));
    out.AppendString(FormatType(OidAt(*arguments[0], row), typmod));
  }
}

void IndexDefinition(const EvaluationContext& context,
                     std::span<const Column* const> arguments,
                     size_t rows,
                     Column& out) {
  TextPerRow(arguments, rows, out, [&](size_t row) -> std::optional<std::string> {
    if (context.catalog == nullptr) {
      return std::nullopt;
    }
    const int32_t column =
        arguments.size() > 1 ? static_cast<int32_t>(IntegerAt(*arguments[1], row)) : 0;
    const bool pretty = arguments.size() > 2 && arguments[2]->Data<uint8_t>()[row] != 0;
    return context.catalog->IndexDefinition(OidAt(*arguments[0], row), column, pretty);
  });
}

void ConstraintDefinition(const EvaluationContext& context,
                          std::span<const Column* const> arguments,
                          size_t rows,
                          Column& out) {
  TextPerRow(arguments, rows, out, [&](size_t row) -> std::optional<std::string> {
    if (context.catalog == nullptr) {
      return std::nullopt;
    }
    return context.catalog->ConstraintDefinition(OidAt(*arguments[0], row));
  });
}

void EncodingToChar(const EvaluationContext& context,
                    std::span<const Column* const> arguments,
                    size_t rows,
                    Column& out) {
  TextPerRow(arguments, rows, out, [&](size_t row) -> std::optional<std::string> {
    switch (IntegerAt(*arguments[0], row)) {
      case 0:
        return "SQL_ASCII";
      case 6:
        return "UTF8";
      default:
        return "";
    }
  });
}

// Functions over stored expressions, comments and statistics Freshet never has: always NULL.
void AlwaysNull(const EvaluationContext& context,
                std::span<const Column* const> arguments,
                size_t rows,
                Column& out) {
  for (size_t row = 0; row < rows; ++row) {
    out.AppendNull();
  }
}

// Privilege checks: the one role is a superuser, so every privilege is held.
void AlwaysTrue(const EvaluationContext& context,
                std::span<const Column* const> arguments,
                size_t rows,
                Column& out) {
  out.ResizeFixed(rows);
  for (size_t row = 0; row < rows; ++row) {
    bool is_null = false;
    for (const Column* argument : arguments) {
      is_null = is_null || argument->IsNull(row);
    }
    out.MutableNulls()[row] = is_null ? 1 : 0;
    out.MutableData<uint8_t>()[row] = 1;
  }
}

void AlwaysFalse(const EvaluationContext& context,
                 std::span<const Column* const> arguments,
                 size_t rows,
                 Column& out) {
  out.ResizeFixed(rows);
  for (size_t row = 0; row < rows; ++row) {
    out.MutableNulls()[row] = 0;
    out.MutableData<uint8_t>()[row] = 0;
  }
}

// array_to_string(array, delimiter [, null_string]) over a text array in literal form.
void ArrayToString(const EvaluationContext& context,
                   std::span<const Column* const> arguments,
                   size_t rows,
                   Column& out) {
  out.Reserve(rows);
  std::string text;
  for (size_t row = 0; row < rows; ++row) {
    if (arguments[0]->IsNull(row) || arguments[1]->IsNull(row)) {
      out.AppendNull();
      continue;
    }
    const std::string_view delimiter = arguments[1]->GetString(row);
    const bool has_null_string = arguments.size() > 2 && !arguments[2]->IsNull(row);
    text.clear();
    bool first = true;
    for (const auto& element : ParseTextArray(arguments[0]->GetString(row))) {
      if (!element && !has_null_string) {
        continue;
      }
      if (!first) {
        text += delimiter;
      }
      first = false;
      text += element ? std::string_view(*element) : arguments[2]->GetString(row);
    }
    out.AppendString(text);
  }
}

// pg_size_pretty(bigint), with PostgreSQL 15's units and half-up rounding.
void SizePretty(const EvaluationContext& context,
                std::span<const Column* const> arguments,
                size_t rows,
                Column& out) {
  struct Unit {
    std::string_view name;
    int64_t limit;
    bool round;
    int bits;
  };
  static constexpr Unit kUnits[] = {
      {"bytes", 10 * 1024, false, 0},  {"kB", 20 * 1024 - 1, true, 10},
      {"MB", 20 * 1024 - 1, true, 20}, {"GB", 20 * 1024 - 1, true, 30},
      {"TB", 20 * 1024 - 1, true, 40}, {"PB", 20 * 1024 - 1, true, 50}};
  TextPerRow(arguments, rows, out, [&](size_t row) -> std::optional<std::string> {
    int64_t size = IntegerAt(*arguments[0], row);
    for (size_t i = 0; i < std::size(kUnits); ++i) {
      const Unit& unit = kUnits[i];
      const bool last = i + 1 == std::size(kUnits);
      if (last || (size < 0 ? -size : size) < unit.limit) {
        if (unit.round) {
          size = (size + (size < 0 ? -1 : 1)) / 2;
        }
        return fmt::format("{} {}", size, unit.name);
      }
      const Unit& next = kUnits[i + 1];
      const int bits = next.bits - unit.bits - (next.round ? 1 : 0) + (unit.round ? 1 : 0);
      size /= int64_t{1} << bits;
    }
    return std::nullopt;
  });
}

template <typename Compare>
void CompareOids(const EvaluationContext& context,
                 std::span<const Column* const> arguments,
                 size_t rows,
                 Column& out) {
  BinaryFixed<int64_t, uint8_t>(arguments, rows, out, [](int64_t a, int64_t b) {
    return static_cast<uint8_t>(Compare()(a, b));
  });
}

}  // namespace

std::vector<std::string> ParseSearchPath(std::string_view path, std::string_view user) {
  std::vector<std::string> schemas;
  size_t pos = 0;
  while (pos < path.size()) {
    while (pos < path.size() && (path[pos] == ' ' || path[pos] == ',')) {
      ++pos;
    }
    if (pos >= path.size()) {
      break;
    }
    std::string schema;
    if (path[pos] == '"') {
      for (++pos; pos < path.size(); ++pos) {
        if (path[pos] == '"') {
          if (pos + 1 < path.size() && path[pos + 1] == '"') {
            schema += '"';
            ++pos;
            continue;
          }
          ++pos;
          break;
        }
        schema += path[pos];
      }
    } else {
      while (pos < path.size() && path[pos] != ',' && path[pos] != ' ') {
        schema += path[pos++];
      }
    }
    schemas.push_back(schema == "$user" ? std::string(user) : schema);
  }
  return schemas;
}

std::span<const PgType> PgTypes() {
  return kPgTypes;
}

const PgType* FindPgType(uint32_t oid) {
  for (const PgType& type : kPgTypes) {
    if (type.oid == oid) {
      return &type;
    }
  }
  return nullptr;
}

std::optional<uint32_t> FindPgProcedure(std::string_view name) {
  for (const PgType& type : kPgTypes) {
    for (const PgProcedure& procedure :
         {type.input, type.output, type.receive, type.send, type.subscript}) {
      if (procedure.oid != 0 && procedure.name == name) {
        return procedure.oid;
      }
    }
  }
  return std::nullopt;
}

std::optional<std::string_view> PgProcedureName(uint32_t oid) {
  for (const PgType& type : kPgTypes) {
    for (const PgProcedure& procedure :
         {type.input, type.output, type.receive, type.send, type.subscript}) {
      if (oid != 0 && procedure.oid == oid) {
        return procedure.name;
      }
    }
  }
  return std::nullopt;
}

std::optional<TypeId> TypeIdFromOid(uint32_t oid) {
  switch (oid) {
    case 16:
      return TypeId::kBoolean;
    case 17:
      return TypeId::kBytea;
    case 20:
      return TypeId::kBigint;
    case 21:
      return TypeId::kSmallint;
    case 23:
      return TypeId::kInteger;
    case 24:
      return TypeId::kRegproc;
    case 25:
      return TypeId::kText;
    case 26:
      return TypeId::kOid;
    case 700:
      return TypeId::kReal;
    case 701:
      return TypeId::kDouble;
    case 705:
      return TypeId::kUnknown;
    case 1043:
      return TypeId::kVarchar;
    case 1082:
      return TypeId::kDate;
    case 1083:
      return TypeId::kTime;
    case 1114:
      return TypeId::kTimestamp;
    case 1184:
      return TypeId::kTimestamptz;
    case 1186:
      return TypeId::kInterval;
    case 1700:
      return TypeId::kNumeric;
    case 2205:
      return TypeId::kRegclass;
    case 2206:
      return TypeId::kRegtype;
    case 3802:
      return TypeId::kJsonb;
    case 4089:
      return TypeId::kRegnamespace;
    default:
      return std::nullopt;
  }
}

std::string FormatType(uint32_t type_oid, int32_t typmod) {
  if (const std::optional<TypeId> id = TypeIdFromOid(type_oid)) {
    int32_t modifier = typmod;
    if (*id == TypeId::kVarchar && typmod >= 4) {
      modifier = typmod - 4;
    } else if (*id == TypeId::kVarchar || (*id == TypeId::kNumeric && typmod < 4)) {
      modifier = -1;
    }
    return DataType(*id, modifier).Name();
  }
  const PgType* type = FindPgType(type_oid);
  if (type == nullptr) {
    return "???";
  }
  if (type->category == 'A' && type->element != 0 &&
      type->subscript.name == "array_subscript_handler") {
    return FormatType(type->element, typmod) + "[]";
  }
  if (type->oid == 1042) {
    return typmod >= 4 ? fmt::format("character({})", typmod - 4) : "bpchar";
  }
  // "char" is a keyword, so format_type quotes the type of that name.
  return type->oid == 18 ? "\"char\"" : std::string(type->name);
}

std::string_view VersionString() {
  return kVersion;
}

void CheckInterrupts(const EvaluationContext& context) {
  if (context.cancel_requested != nullptr &&
      context.cancel_requested->load(std::memory_order_relaxed)) {
    throw Error(SqlState::kQueryCanceled, "canceling statement due to user request");
  }
  if (context.statement_deadline != 0 && SteadyMicros() >= context.statement_deadline) {
    throw Error(SqlState::kQueryCanceled, "canceling statement due to statement timeout");
  }
}

std::optional<bool> CanCastObjectId(TypeId from, TypeId to, CastContext context) {
  const bool from_oid = IsObjectIdType(from);
  const bool to_oid = IsObjectIdType(to);
  if (!from_oid && !to_oid) {
    return std::nullopt;
  }
  if (from == to) {
    return true;
  }
  if (to_oid) {
    if (IsIntegerType(from)) {
      return true;
    }
    if (from_oid) {
      // oid and each reg* type convert both ways; two reg* types only through oid.
      return from == TypeId::kOid || to == TypeId::kOid;
    }
    if (IsStringType(from)) {
      return to == TypeId::kRegclass || context == CastContext::kExplicit;
    }
    return false;
  }
  if (to == TypeId::kInteger || to == TypeId::kBigint) {
    return context != CastContext::kImplicit;
  }
  if (IsStringType(to)) {
    return context != CastContext::kImplicit;
  }
  return false;
}

bool CastObjectIdColumn(const Column& in,
                        const DataType& target,
                        Column& out,
                        const EvaluationContext& evaluation) {
  const TypeId from = in.Type().id;
  if (!IsObjectIdType(from) && !IsObjectIdType(target.id)) {
    return false;
  }
  const size_t rows = in.Size();
  out.Reserve(rows);
  std::string text;
  for (size_t row = 0; row < rows; ++row) {
    if (in.IsNull(row)) {
      out.AppendNull();
      continue;
    }
    if (IsObjectIdType(target.id)) {
      uint32_t oid = 0;
      if (in.Type().Physical() == PhysicalType::kString) {
        const std::string_view name = in.GetString(row);
        oid = target.id != TypeId::kOid && evaluation.catalog != nullptr
                  ? evaluation.catalog->ParseObjectName(target.id, name)
                  : ParseOid(name, target.Name());
      } else if (IsObjectIdType(from)) {
        oid = OidAt(in, row);
      } else if (from == TypeId::kBigint) {
        const int64_t value = in.Data<int64_t>()[row];
        if (value < 0 || value > std::numeric_limits<uint32_t>::max()) {
          throw Error(SqlState::kNumericValueOutOfRange, "OID out of range");
        }
        oid = static_cast<uint32_t>(value);
      } else {
        // smallint and integer convert bit for bit: -1 is 4294967295.
        oid = static_cast<uint32_t>(static_cast<int32_t>(IntegerAt(in, row)));
      }
      out.Append<int64_t>(oid);
      continue;
    }
    const uint32_t oid = OidAt(in, row);
    if (target.id == TypeId::kInteger) {
      out.Append<int32_t>(static_cast<int32_t>(oid));
    } else if (target.id == TypeId::kBigint) {
      out.Append<int64_t>(oid);
    } else {
      text.clear();
      if (from != TypeId::kOid && evaluation.catalog != nullptr) {
        evaluation.catalog->AppendObjectName(from, oid, text);
      } else {
        fmt::format_to(std::back_inserter(text), "{}", oid);
      }
      out.AppendString(text);
    }
  }
  return true;
}

void RegisterSystemFunctions(std::vector<ScalarFunction>& functions) {
  const DataType text = DataType::Text();
  const DataType boolean = DataType::Boolean();
  const TypeId kText = TypeId::kText;
  const TypeId kOid = TypeId::kOid;
  const TypeId kInt = TypeId::kInteger;
  const TypeId kBool = TypeId::kBoolean;
  constexpr auto kStable = Volatility::kStable;
  constexpr auto kVolatile = Volatility::kVolatile;
  functions.push_back({"version", {}, text, Version, kStable});
  functions.push_back({"current_database", {}, text, CurrentDatabase, kStable});
  functions.push_back({"current_catalog", {}, text, CurrentDatabase, kStable});
  functions.push_back({"current_user", {}, text, CurrentUser, kStable});
  functions.push_back({"current_role", {}, text, CurrentUser, kStable});
  functions.push_back({"session_user", {}, text, CurrentUser, kStable});
  functions.push_back({"current_schema", {}, text, CurrentSchema, kStable});
  // Stable in Postgres, but volatile here so that binding never folds it: set_config() earlier
  // in the same statement must be seen, as Postgres (which folds only immutable calls) sees it.
  functions.push_back({"current_schemas", {kBool}, text, CurrentSchemas, kStable});
  functions.push_back({"current_setting", {kText}, text, CurrentSetting, kVolatile});
  functions.push_back({"current_setting", {kText, kBool}, text, CurrentSetting, kVolatile});
  functions.push_back({"set_config", {kText, kText, kBool}, text, SetConfig, kVolatile});
  functions.push_back({"pg_sleep", {TypeId::kDouble}, text, Sleep, kVolatile});
  functions.push_back({"pg_is_in_recovery", {}, boolean, AlwaysFalse, kVolatile});
  functions.push_back({"pg_table_is_visible", {kOid}, boolean, TableIsVisible, kStable});
  functions.push_back({"pg_type_is_visible", {kOid}, boolean, TypeIsVisible, kStable});
  functions.push_back({"pg_get_userbyid", {kOid}, text, UserById, kStable});
  functions.push_back({"format_type", {kOid, kInt}, text, FormatTypeKernel, kStable});
  functions.push_back({"pg_get_indexdef", {kOid}, text, IndexDefinition, kStable});
  functions.push_back({"pg_get_indexdef", {kOid, kInt, kBool}, text, IndexDefinition, kStable});
  functions.push_back({"pg_get_constraintdef", {kOid}, text, ConstraintDefinition, kStable});
  functions.push_back({"pg_get_constraintdef", {kOid, kBool}, text, ConstraintDefinition, kStable});
  functions.push_back({"pg_encoding_to_char", {kInt}, text, EncodingToChar});
  functions.push_back({"pg_get_expr", {kText, kOid}, text, AlwaysNull, kStable});
  functions.push_back({"pg_get_expr", {kText, kOid, kBool}, text, AlwaysNull, kStable});
  functions.push_back({"obj_description", {kOid}, text, AlwaysNull, kStable});
  functions.push_back({"obj_description", {kOid, kText}, text, AlwaysNull, kStable});
  functions.push_back({"col_description", {kOid, kInt}, text, AlwaysNull, kStable});
  functions.push_back({"shobj_description", {kOid, kText}, text, AlwaysNull, kStable});
  for (std::string_view name : {"has_table_privilege", "has_schema_privilege",
                                "has_database_privilege", "has_any_column_privilege"}) {
    functions.push_back({name, {kText, kText}, boolean, AlwaysTrue, kStable});
    functions.push_back({name, {kText, kText, kText}, boolean, AlwaysTrue, kStable});
    functions.push_back({name, {kOid, kText}, boolean, AlwaysTrue, kStable});
  }
  // Functions live in pg_catalog only, which is always searched.
  functions.push_back({"pg_function_is_visible", {kOid}, boolean, AlwaysTrue, kStable});
  functions.push_back({"pg_get_function_result", {kOid}, text, AlwaysNull, kStable});
  functions.push_back({"pg_get_function_arguments", {kOid}, text, AlwaysNull, kStable});
  functions.push_back({"pg_get_function_identity_arguments", {kOid}, text, AlwaysNull, kStable});
  functions.push_back({"pg_get_viewdef", {kOid}, text, AlwaysNull, kStable});
  functions.push_back({"pg_get_viewdef", {kOid, kBool}, text, AlwaysNull, kStable});
  // Sizes are unknown (NULL) until the storage layer reports them per relation.
  for (std::string_view name :
       {"pg_table_size", "pg_relation_size", "pg_total_relation_size", "pg_indexes_size"}) {
    functions.push_back({name, {kOid}, DataType::Bigint(), AlwaysNull, kVolatile});
  }
  functions.push_back({"pg_get_serial_sequence", {kText, kText}, text, AlwaysNull, kStable});
  functions.push_back({"pg_size_pretty", {TypeId::kBigint}, text, SizePretty});
  functions.push_back({"array_to_string", {kText, kText}, text, ArrayToString});
  functions.push_back({"array_to_string", {kText, kText, kText}, text, ArrayToString});
  functions.push_back({"=", {kOid, kOid}, boolean, CompareOids<std::equal_to<>>});
  functions.push_back({"<>", {kOid, kOid}, boolean, CompareOids<std::not_equal_to<>>});
  functions.push_back({"<", {kOid, kOid}, boolean, CompareOids<std::less<>>});
  functions.push_back({"<=", {kOid, kOid}, boolean, CompareOids<std::less_equal<>>});
  functions.push_back({">", {kOid, kOid}, boolean, CompareOids<std::greater<>>});
  functions.push_back({">=", {kOid, kOid}, boolean, CompareOids<std::greater_equal<>>});
}

}  // namespace freshet::function
