// SPDX-License-Identifier: Apache-2.0
#include "engine/system_catalog.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <climits>

#include <fmt/format.h>

#include "common/ascii.h"
#include "common/error.h"
#include "common/text_format.h"
#include "engine/session_settings.h"
#include "engine/stream_system_tables.h"

namespace freshet::engine {

/// A column of a relation as pg_attribute shows it.
struct AttributeEntry {
  std::string name;
  DataType type;
  bool not_null = false;
};

struct SystemCatalog::RelationEntry {
  uint32_t oid = 0;
  uint32_t namespace_oid = 0;
  std::string name;
  /// pg_class.relkind: 'r' table, 'v' view, 'm' materialized view, 'f' source, 'i' index.
  char kind = 'r';
  std::vector<AttributeEntry> attributes;
  /// The user relation, or for a primary-key index the table it belongs to.
  const catalog::Relation* relation = nullptr;
  /// For a system relation, its index in kSystemRelations.
  std::optional<size_t> system_index;
};

namespace {

using RelationEntry = SystemCatalog::RelationEntry;

/// What a builder of a system relation's rows reads.
struct BuildContext {
  const catalog::CatalogSnapshot& snapshot;
  std::string_view database;
  std::string_view user;
  const SessionSettings* settings;
  const std::vector<RelationEntry>& relations;
  const SystemCatalog& catalog;
  /// The running database behind the freshet_catalog relations; null when there is none.
  Database* instance;
};

using Row = std::vector<Value>;
using Builder = void (*)(const BuildContext& context, std::vector<Row>& rows);

/// A system relation: where it lives, its PostgreSQL 15 OID and columns ("name:type, ...", as
/// format_type prints the types), and the function that computes its rows.
struct SystemRelation {
  std::string_view schema;
  std::string_view name;
  uint32_t oid;
  char kind;
  std::string_view columns;
  Builder build;
};

Value Oid(uint32_t oid) {
  return Value::Int(DataType(TypeId::kOid), oid);
}
Value Reg(TypeId type, uint32_t oid) {
  return Value::Int(DataType(type), oid);
}
Value Text(std::string_view text) {
  return Value::Text(std::string(text));
}
Value Bool(bool value) {
  return Value::Boolean(value);
}
Value Int(int64_t value) {
  return Value::Int(DataType::Integer(), value);
}
Value Small(int64_t value) {
  return Value::Int(DataType(TypeId::kSmallint), value);
}
Value Real(double value) {
  return Value::Float(DataType(TypeId::kReal), value);
}
Value Null() {
  return Value();
}

constexpr std::string_view kReservedWords[] = {
    "all",       "analyse",  "analyze", "and",     "any",     "array",      "as",     "asc",
    "both",      "case",     "cast",    "check",   "collate", "column",     "create", "default",
    "desc",      "distinct", "do",      "else",    "end",     "except",     "false",  "fetch",
    "for",       "foreign",  "from",    "grant",   "group",   "having",     "in",     "into",
    "intersect", "is",       "join",    "leading", "limit",   "not",        "null",   "offset",
    "on",        "only",     "or",      "order",   "primary", "references", "select", "table",
    "then",      "to",       "true",    "union",   "unique",  "user",       "using",  "when",
    "where",     "window",   "with"};

// quote_identifier: bare when lower-case letters, digits and underscores, not starting with a
// digit and not a reserved word.
std::string QuoteIdentifier(std::string_view name) {
  bool bare = !name.empty() && !std::isdigit(static_cast<unsigned char>(name.front()));
  for (char c : name) {
    bare = bare && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_');
  }
  bare = bare && std::find(std::begin(kReservedWords), std::end(kReservedWords), name) ==
                     std::end(kReservedWords);
  if (bare) {
    return std::string(name);
  }
  std::string quoted = "\"";
  for (char c : name) {
    quoted += c;
    if (c == '"') {
      quoted += '"';
    }
  }
  quoted += '"';
  return quoted;
}

// The type of a system relation column, from its PostgreSQL type name. Freshet has no name,
// "char" or array types: names and "char" are text, arrays and vectors their text form.
DataType ColumnType(std::string_view type) {
  if (type.ends_with("[]") || type == "int2vector" || type == "oidvector" ||
      type == "pg_node_tree" || type == "anyarray" || type == "name" || type == "\"char\"" ||
      type == "text" || type.starts_with("information_schema.") || type == "character varying") {
    if (type == "information_schema.cardinal_number") {
      return DataType::Integer();
    }
    return DataType::Text();
  }
  if (type == "oid" || type == "xid") {
    return DataType(TypeId::kOid);
  }
  if (type == "regproc") {
    return DataType(TypeId::kRegproc);
  }
  const std::optional<TypeId> id = TypeIdFromName(type);
  return DataType(id.value_or(TypeId::kText));
}

std::vector<AttributeEntry> ParseColumns(std::string_view spec) {
  std::vector<AttributeEntry> columns;
  size_t pos = 0;
  while (pos < spec.size()) {
    const size_t end = std::min(spec.find(", ", pos), spec.size());
    const std::string_view item = spec.substr(pos, end - pos);
    const size_t colon = item.find(':');
    columns.push_back({std::string(item.substr(0, colon)), ColumnType(item.substr(colon + 1))});
    pos = end + 2;
  }
  return columns;
}

uint32_t NamespaceOfRelation(const catalog::Relation& relation) {
  return relation.schema == "freshet_catalog" ? system_oid::kFreshetCatalog : system_oid::kPublic;
}

char RelationKindOf(const catalog::Relation& relation) {
  switch (relation.kind) {
    case catalog::RelationKind::kTable:
      return 'r';
    case catalog::RelationKind::kMaterializedView:
      return 'm';
    case catalog::RelationKind::kSource:
      return 'f';
    case catalog::RelationKind::kSink:
      return '\0';
  }
  return '\0';
}

std::string IndexKey(const catalog::Relation& relation) {
  std::string key;
  for (uint32_t column : relation.primary_key) {
    key += (key.empty() ? "" : ", ") + QuoteIdentifier(relation.columns[column].name);
  }
  return key;
}

const function::PgType* PgTypeOf(const DataType& type) {
  return function::FindPgType(type.Oid());
}

// ---------------------------------------------------------------------------------------------
// pg_catalog

void BuildNamespace(const BuildContext& context, std::vector<Row>& rows) {
  const std::string owner_acl = fmt::format("{{{0}=UC/{0},=U/{0}}}", context.user);
  rows.push_back({Oid(system_oid::kPgCatalog), Text("pg_catalog"), Oid(system_oid::kSuperuser),
                  Text(owner_acl)});
  rows.push_back({Oid(system_oid::kPublic), Text("public"), Oid(system_oid::kDatabaseOwner),
                  Text("{pg_database_owner=UC/pg_database_owner,=U/pg_database_owner}")});
  rows.push_back({Oid(system_oid::kInformationSchema), Text("information_schema"),
                  Oid(system_oid::kSuperuser), Text(owner_acl)});
  rows.push_back({Oid(system_oid::kFreshetCatalog), Text("freshet_catalog"),
                  Oid(system_oid::kSuperuser), Text(owner_acl)});
}

void BuildClass(const BuildContext& context, std::vector<Row>& rows) {
  for (const RelationEntry& entry : context.relations) {
    const bool stored = entry.kind == 'r' || entry.kind == 'm' || entry.kind == 'i';
    const bool has_index =
        entry.kind != 'i' && entry.relation != nullptr && !entry.relation->primary_key.empty();
    rows.push_back({
        Oid(entry.oid),
        Text(entry.name),
        Oid(entry.namespace_oid),
        Oid(0),
        Oid(0),
        Oid(system_oid::kSuperuser),
        Oid(entry.kind == 'i' ? 403 : (entry.kind == 'r' || entry.kind == 'm' ? 2 : 0)),
        Oid(stored ? entry.oid : 0),
        Oid(0),
        Int(0),
        Real(-1),
        Int(0),
        Oid(0),
        Bool(has_index),
        Bool(false),
        Text("p"),
        Text(std::string(1, entry.kind)),
        Small(static_cast<int64_t>(entry.attributes.size())),
        Small(0),
        Bool(false),
        Bool(false),
        Bool(false),
        Bool(false),
        Bool(false),
        Bool(true),
        Text(entry.kind == 'r' || entry.kind == 'm' ? "d" : "n"),
        Bool(false),
        Oid(0),
        Oid(0),
        Oid(0),
        Null(),
        Null(),
        Null(),
    });
  }
}

void BuildAttribute(const BuildContext& context, std::vector<Row>& rows) {
  for (const RelationEntry& entry : context.relations) {
    for (size_t i = 0; i < entry.attributes.size(); ++i) {
      const AttributeEntry& attribute = entry.attributes[i];
      const function::PgType* type = PgTypeOf(attribute.type);
      rows.push_back({
          Oid(entry.oid),
          Text(attribute.name),
          Oid(attribute.type.Oid()),
          Int(-1),
          Small(type != nullptr ? type->length : -1),
          Small(static_cast<int64_t>(i + 1)),
          Int(0),
          Int(-1),
          Int(attribute.type.PgTypmod()),
          Bool(type != nullptr && type->by_value),
          Text(std::string(1, type != nullptr ? type->align : 'i')),
          Text(std::string(1, type != nullptr ? type->storage : 'p')),
          Text(""),
          Bool(attribute.not_null),
          Bool(false),
          Bool(false),
          Text(""),
          Text(""),
          Bool(false),
          Bool(true),
          Int(0),
          Oid(type != nullptr ? type->collation : 0),
          Null(),
          Null(),
          Null(),
          Null(),
      });
    }
  }
}

void BuildType(const BuildContext& context, std::vector<Row>& rows) {
  const auto proc = [](const function::PgProcedure& procedure) {
    return Reg(TypeId::kRegproc, procedure.oid);
  };
  for (const function::PgType& type : function::PgTypes()) {
    rows.push_back({
        Oid(type.oid),
        Text(type.name),
        Oid(system_oid::kPgCatalog),
        Oid(system_oid::kSuperuser),
        Small(type.length),
        Bool(type.by_value),
        Text(std::string(1, type.type)),
        Text(std::string(1, type.category)),
        Bool(type.preferred),
        Bool(true),
        Text(","),
        Oid(0),
        proc(type.subscript),
        Oid(type.element),
        Oid(type.array),
        proc(type.input),
        proc(type.output),
        proc(type.receive),
        proc(type.send),
        Reg(TypeId::kRegproc, 0),
        Reg(TypeId::kRegproc, 0),
        Reg(TypeId::kRegproc, 0),
        Text(std::string(1, type.align)),
        Text(std::string(1, type.storage)),
        Bool(false),
        Oid(0),
        Int(-1),
        Int(0),
        Oid(type.collation),
        Null(),
        Null(),
        Null(),
    });
  }
}

void BuildDatabase(const BuildContext& context, std::vector<Row>& rows) {
  rows.push_back({
      Oid(system_oid::kDatabase),
      Text(context.database),
      Oid(system_oid::kSuperuser),
      Int(6),
      Text("c"),
      Bool(false),
      Bool(true),
      Int(-1),
      Oid(716),
      Oid(1),
      Oid(1663),
      Text("C"),
      Text("C"),
      Null(),
      Null(),
      Null(),
  });
}

void BuildAccessMethod(const BuildContext& context, std::vector<Row>& rows) {
  rows.push_back({Oid(2), Text("heap"), Reg(TypeId::kRegproc, 3), Text("t")});
  rows.push_back({Oid(403), Text("btree"), Reg(TypeId::kRegproc, 330), Text("i")});
}

void BuildIndex(const BuildContext& context, std::vector<Row>& rows) {
  for (const RelationEntry& entry : context.relations) {
    if (entry.kind != 'i') {
      continue;
    }
    const catalog::Relation& table = *entry.relation;
    std::string key;
    std::string collations;
    std::string zeros;
    for (uint32_t column : table.primary_key) {
      const char* separator = key.empty() ? "" : " ";
      key += fmt::format("{}{}", separator, column + 1);
      const function::PgType* type = PgTypeOf(table.columns[column].type);
      collations += fmt::format("{}{}", separator, type != nullptr ? type->collation : 0);
      zeros += fmt::format("{}0", separator);
    }
    const auto count = static_cast<int64_t>(table.primary_key.size());
    rows.push_back({
        Oid(entry.oid), Oid(table.id), Small(count), Small(count), Bool(true),       Bool(false),
        Bool(true),     Bool(false),   Bool(true),   Bool(false),  Bool(true),       Bool(false),
        Bool(true),     Bool(true),    Bool(false),  Text(key),    Text(collations), Text(zeros),
        Text(zeros),    Null(),        Null(),
    });
  }
}

void BuildConstraint(const BuildContext& context, std::vector<Row>& rows) {
  for (const RelationEntry& entry : context.relations) {
    if (entry.kind != 'i') {
      continue;
    }
    const catalog::Relation& table = *entry.relation;
    std::string key;
    for (uint32_t column : table.primary_key) {
      key += fmt::format("{}{}", key.empty() ? "" : ",", column + 1);
    }
    rows.push_back({
        Oid(system_oid::kConstraintBase + table.id),
        Text(entry.name),
        Oid(entry.namespace_oid),
        Text("p"),
        Bool(false),
        Bool(false),
        Bool(true),
        Oid(table.id),
        Oid(0),
        Oid(entry.oid),
        Oid(0),
        Oid(0),
        Text(" "),
        Text(" "),
        Text(" "),
        Bool(true),
        Int(0),
        Bool(true),
        Text("{" + key + "}"),
        Null(),
        Null(),
        Null(),
        Null(),
        Null(),
        Null(),
        Null(),
    });
  }
}

void BuildCollation(const BuildContext& context, std::vector<Row>& rows) {
  const auto row = [&](uint32_t oid, std::string_view name, std::string_view provider,
                       std::optional<std::string_view> locale) {
    rows.push_back({Oid(oid), Text(name), Oid(system_oid::kPgCatalog), Oid(system_oid::kSuperuser),
                    Text(provider), Bool(true), Int(-1), locale ? Text(*locale) : Null(),
                    locale ? Text(*locale) : Null(), Null(), Null()});
  };
  row(100, "default", "d", std::nullopt);
  row(950, "C", "c", "C");
  row(951, "POSIX", "c", "POSIX");
}

void BuildRoles(const BuildContext& context, std::vector<Row>& rows) {
  rows.push_back({Text(context.user), Bool(true), Bool(true), Bool(true), Bool(true), Bool(true),
                  Bool(true), Int(-1), Text("********"), Null(), Bool(true), Null(),
                  Oid(system_oid::kSuperuser)});
  rows.push_back({Text("pg_database_owner"), Bool(false), Bool(true), Bool(false), Bool(false),
                  Bool(false), Bool(false), Int(-1), Text("********"), Null(), Bool(false), Null(),
                  Oid(system_oid::kDatabaseOwner)});
}

void BuildUser(const BuildContext& context, std::vector<Row>& rows) {
  rows.push_back({Text(context.user), Oid(system_oid::kSuperuser), Bool(true), Bool(true),
                  Bool(true), Bool(true), Text("********"), Null(), Null()});
}

void BuildTablespace(const BuildContext& context, std::vector<Row>& rows) {
  rows.push_back({Oid(1663), Text("pg_default"), Oid(system_oid::kSuperuser), Null(), Null()});
  rows.push_back({Oid(1664), Text("pg_global"), Oid(system_oid::kSuperuser), Null(), Null()});
}

void BuildSettings(const BuildContext& context, std::vector<Row>& rows) {
  if (context.settings == nullptr) {
    return;
  }
  for (const SettingRow& setting : context.settings->ShowAll()) {
    rows.push_back({Text(setting.name), Text(setting.setting), Null(), Null(),
                    Text(setting.description), Null(), Text("user"), Null(), Text("default"),
                    Null(), Null(), Null(), Null(), Null(), Null(), Null(), Bool(false)});
  }
}

void BuildNothing(const BuildContext& context, std::vector<Row>& rows) {}

// ---------------------------------------------------------------------------------------------
// information_schema

std::string_view SchemaName(uint32_t oid) {
  switch (oid) {
    case system_oid::kPgCatalog:
      return "pg_catalog";
    case system_oid::kInformationSchema:
      return "information_schema";
    case system_oid::kFreshetCatalog:
      return "freshet_catalog";
    default:
      return "public";
  }
}

void BuildTables(const BuildContext& context, std::vector<Row>& rows) {
  for (const RelationEntry& entry : context.relations) {
    // Like PostgreSQL: tables, views and foreign tables; not indexes or materialized views.
    std::string_view type;
    switch (entry.kind) {
      case 'r':
        type = "BASE TABLE";
        break;
      case 'v':
        type = "VIEW";
        break;
      case 'f':
        type = "FOREIGN";
        break;
      default:
        continue;
    }
    rows.push_back({Text(context.database), Text(SchemaName(entry.namespace_oid)), Text(entry.name),
                    Text(type), Null(), Null(), Null(), Null(), Null(),
                    Text(entry.kind == 'r' ? "YES" : "NO"), Text("NO"), Null()});
  }
}

// information_schema's spelling of a type: format_type without modifiers.
std::string InformationSchemaType(const DataType& type) {
  return DataType(type.id).Name();
}

void BuildColumns(const BuildContext& context, std::vector<Row>& rows) {
  for (const RelationEntry& entry : context.relations) {
    if (entry.kind == 'i') {
      continue;
    }
    for (size_t i = 0; i < entry.attributes.size(); ++i) {
      const AttributeEntry& attribute = entry.attributes[i];
      const DataType& type = attribute.type;
      const function::PgType* pg_type = PgTypeOf(type);
      Value max_length = Null();
      Value octet_length = Null();
      if (type.id == TypeId::kVarchar || type.id == TypeId::kText) {
        const std::optional<int32_t> length = type.MaxLength();
        max_length = length ? Int(*length) : Null();
        octet_length = Int(length ? *length * 4 : 1073741824);
      }
      Value precision = Null();
      Value radix = Null();
      Value scale = Null();
      switch (type.id) {
        case TypeId::kSmallint:
          precision = Int(16);
          radix = Int(2);
          scale = Int(0);
          break;
        case TypeId::kInteger:
          precision = Int(32);
          radix = Int(2);
          scale = Int(0);
          break;
        case TypeId::kBigint:
          precision = Int(64);
          radix = Int(2);
          scale = Int(0);
          break;
        case TypeId::kReal:
          precision = Int(24);
          radix = Int(2);
          break;
        case TypeId::kDouble:
          precision = Int(53);
          radix = Int(2);
          break;
        case TypeId::kNumeric:
          radix = Int(10);
          if (type.modifier >= 4) {
            precision = Int(type.NumericPrecision());
            scale = Int(type.NumericScale());
          }
          break;
        default:
          break;
      }
      Value datetime_precision = Null();
      if (type.id == TypeId::kDate) {
        datetime_precision = Int(0);
      } else if (type.id == TypeId::kTime || type.id == TypeId::kTimestamp ||
                 type.id == TypeId::kTimestamptz || type.id == TypeId::kInterval) {
        datetime_precision = Int(6);
      }
      const std::string position = std::to_string(i + 1);
      rows.push_back({
          Text(context.database),
          Text(SchemaName(entry.namespace_oid)),
          Text(entry.name),
          Text(attribute.name),
          Int(static_cast<int64_t>(i + 1)),
          Null(),
          Text(attribute.not_null ? "NO" : "YES"),
          Text(InformationSchemaType(type)),
          max_length,
          octet_length,
          precision,
          radix,
          scale,
          datetime_precision,
          Null(),
          Null(),
          Null(),
          Null(),
          Null(),
          Null(),
          Null(),
          Null(),
          Null(),
          Null(),
          Null(),
          Text(context.database),
          Text("pg_catalog"),
          Text(pg_type != nullptr ? pg_type->name : type.Name()),
          Null(),
          Null(),
          Null(),
          Null(),
          Text(position),
          Text("NO"),
          Text("NO"),
          Null(),
          Null(),
          Null(),
          Null(),
          Null(),
          Text("NO"),
          Text("NEVER"),
          Null(),
          Text(entry.kind == 'r' ? "YES" : "NO"),
      });
    }
  }
}

void BuildSchemata(const BuildContext& context, std::vector<Row>& rows) {
  const auto row = [&](std::string_view schema, std::string_view owner) {
    rows.push_back(
        {Text(context.database), Text(schema), Text(owner), Null(), Null(), Null(), Null()});
  };
  row("pg_catalog", context.user);
  row("public", "pg_database_owner");
  row("information_schema", context.user);
  row("freshet_catalog", context.user);
}

void BuildTableConstraints(const BuildContext& context, std::vector<Row>& rows) {
  for (const RelationEntry& entry : context.relations) {
    if (entry.kind != 'i') {
      continue;
    }
    const std::string_view schema = SchemaName(entry.namespace_oid);
    rows.push_back({Text(context.database), Text(schema), Text(entry.name), Text(context.database),
                    Text(schema), Text(entry.relation->name), Text("PRIMARY KEY"), Text("NO"),
                    Text("NO"), Text("YES"), Null()});
  }
}

void BuildKeyColumnUsage(const BuildContext& context, std::vector<Row>& rows) {
  for (const RelationEntry& entry : context.relations) {
    if (entry.kind != 'i') {
      continue;
    }
    const std::string_view schema = SchemaName(entry.namespace_oid);
    const catalog::Relation& table = *entry.relation;
    for (size_t i = 0; i < table.primary_key.size(); ++i) {
      rows.push_back({Text(context.database), Text(schema), Text(entry.name),
                      Text(context.database), Text(schema), Text(table.name),
                      Text(table.columns[table.primary_key[i]].name),
                      Int(static_cast<int64_t>(i + 1)), Null()});
    }
  }
}

// ---------------------------------------------------------------------------------------------
// freshet_catalog

void BuildMaterializedViews(const BuildContext& context, std::vector<Row>& rows) {
  if (context.instance == nullptr) {
    return;
  }
  const int64_t now = std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  rows = MaterializedViewRows(context.snapshot, *context.instance, now);
}

void BuildSources(const BuildContext& context, std::vector<Row>& rows) {
  if (context.instance == nullptr) {
    return;
  }
  rows = SourceRows(context.snapshot, *context.instance);
}

void BuildSinks(const BuildContext& context, std::vector<Row>& rows) {
  if (context.instance == nullptr) {
    return;
  }
  rows = SinkRows(*context.instance);
}

void BuildSourceErrors(const BuildContext& context, std::vector<Row>& rows) {
  if (context.instance == nullptr) {
    return;
  }
  rows = SourceErrorRows(context.snapshot, *context.instance);
}

// The system relations, with PostgreSQL 15's OIDs and columns (from its catalogs), then Freshet's
// own, with OIDs between the schema's and the first user object's.
const SystemRelation kSystemRelations[] = {
    {"pg_catalog", "pg_tablespace", 1213, 'r',
     "oid:oid, spcname:name, spcowner:oid, spcacl:aclitem[], spcoptions:text[]", BuildTablespace},
    {"pg_catalog", "pg_type", 1247, 'r',
     "oid:oid, typname:name, typnamespace:oid, typowner:oid, typlen:smallint, typbyval:boolean, "
     "typtype:\"char\", typcategory:\"char\", typispreferred:boolean, typisdefined:boolean, "
     "typdelim:\"char\", typrelid:oid, typsubscript:regproc, typelem:oid, typarray:oid, "
     "typinput:regproc, typoutput:regproc, typreceive:regproc, typsend:regproc, "
     "typmodin:regproc, typmodout:regproc, typanalyze:regproc, typalign:\"char\", "
     "typstorage:\"char\", typnotnull:boolean, typbasetype:oid, typtypmod:integer, "
     "typndims:integer, typcollation:oid, typdefaultbin:pg_node_tree, typdefault:text, "
     "typacl:aclitem[]",
     BuildType},
    {"pg_catalog", "pg_attribute", 1249, 'r',
     "attrelid:oid, attname:name, atttypid:oid, attstattarget:integer, attlen:smallint, "
     "attnum:smallint, attndims:integer, attcacheoff:integer, atttypmod:integer, "
     "attbyval:boolean, attalign:\"char\", attstorage:\"char\", attcompression:\"char\", "
     "attnotnull:boolean, atthasdef:boolean, atthasmissing:boolean, attidentity:\"char\", "
     "attgenerated:\"char\", attisdropped:boolean, attislocal:boolean, attinhcount:integer, "
     "attcollation:oid, attacl:aclitem[], attoptions:text[], attfdwoptions:text[], "
     "attmissingval:anyarray",
     BuildAttribute},
    {"pg_catalog", "pg_proc", 1255, 'r',
     "oid:oid, proname:name, pronamespace:oid, proowner:oid, prolang:oid, procost:real, "
     "prorows:real, provariadic:oid, prosupport:regproc, prokind:\"char\", prosecdef:boolean, "
     "proleakproof:boolean, proisstrict:boolean, proretset:boolean, provolatile:\"char\", "
     "proparallel:\"char\", pronargs:smallint, pronargdefaults:smallint, prorettype:oid, "
     "proargtypes:oidvector, proallargtypes:oid[], proargmodes:\"char\"[], proargnames:text[], "
     "proargdefaults:pg_node_tree, protrftypes:oid[], prosrc:text, probin:text, "
     "prosqlbody:pg_node_tree, proconfig:text[], proacl:aclitem[]",
     BuildNothing},
    {"pg_catalog", "pg_class", 1259, 'r',
     "oid:oid, relname:name, relnamespace:oid, reltype:oid, reloftype:oid, relowner:oid, "
     "relam:oid, relfilenode:oid, reltablespace:oid, relpages:integer, reltuples:real, "
     "relallvisible:integer, reltoastrelid:oid, relhasindex:boolean, relisshared:boolean, "
     "relpersistence:\"char\", relkind:\"char\", relnatts:smallint, relchecks:smallint, "
     "relhasrules:boolean, relhastriggers:boolean, relhassubclass:boolean, "
     "relrowsecurity:boolean, relforcerowsecurity:boolean, relispopulated:boolean, "
     "relreplident:\"char\", relispartition:boolean, relrewrite:oid, relfrozenxid:xid, "
     "relminmxid:xid, relacl:aclitem[], reloptions:text[], relpartbound:pg_node_tree",
     BuildClass},
    {"pg_catalog", "pg_auth_members", 1261, 'r',
     "roleid:oid, member:oid, grantor:oid, admin_option:boolean", BuildNothing},
    {"pg_catalog", "pg_database", 1262, 'r',
     "oid:oid, datname:name, datdba:oid, encoding:integer, datlocprovider:\"char\", "
     "datistemplate:boolean, datallowconn:boolean, datconnlimit:integer, datfrozenxid:xid, "
     "datminmxid:xid, dattablespace:oid, datcollate:text, datctype:text, daticulocale:text, "
     "datcollversion:text, datacl:aclitem[]",
     BuildDatabase},
    {"pg_catalog", "pg_am", 2601, 'r', "oid:oid, amname:name, amhandler:regproc, amtype:\"char\"",
     BuildAccessMethod},
    {"pg_catalog", "pg_attrdef", 2604, 'r',
     "oid:oid, adrelid:oid, adnum:smallint, adbin:pg_node_tree", BuildNothing},
    {"pg_catalog", "pg_constraint", 2606, 'r',
     "oid:oid, conname:name, connamespace:oid, contype:\"char\", condeferrable:boolean, "
     "condeferred:boolean, convalidated:boolean, conrelid:oid, contypid:oid, conindid:oid, "
     "conparentid:oid, confrelid:oid, confupdtype:\"char\", confdeltype:\"char\", "
     "confmatchtype:\"char\", conislocal:boolean, coninhcount:integer, connoinherit:boolean, "
     "conkey:smallint[], confkey:smallint[], conpfeqop:oid[], conppeqop:oid[], conffeqop:oid[], "
     "confdelsetcols:smallint[], conexclop:oid[], conbin:pg_node_tree",
     BuildConstraint},
    {"pg_catalog", "pg_description", 2609, 'r',
     "objoid:oid, classoid:oid, objsubid:integer, description:text", BuildNothing},
    {"pg_catalog", "pg_index", 2610, 'r',
     "indexrelid:oid, indrelid:oid, indnatts:smallint, indnkeyatts:smallint, "
     "indisunique:boolean, indnullsnotdistinct:boolean, indisprimary:boolean, "
     "indisexclusion:boolean, indimmediate:boolean, indisclustered:boolean, indisvalid:boolean, "
     "indcheckxmin:boolean, indisready:boolean, indislive:boolean, indisreplident:boolean, "
     "indkey:int2vector, indcollation:oidvector, indclass:oidvector, indoption:int2vector, "
     "indexprs:pg_node_tree, indpred:pg_node_tree",
     BuildIndex},
    {"pg_catalog", "pg_inherits", 2611, 'r',
     "inhrelid:oid, inhparent:oid, inhseqno:integer, inhdetachpending:boolean", BuildNothing},
    {"pg_catalog", "pg_namespace", 2615, 'r',
     "oid:oid, nspname:name, nspowner:oid, nspacl:aclitem[]", BuildNamespace},
    {"pg_catalog", "pg_extension", 3079, 'r',
     "oid:oid, extname:name, extowner:oid, extnamespace:oid, extrelocatable:boolean, "
     "extversion:text, extconfig:oid[], extcondition:text[]",
     BuildNothing},
    {"pg_catalog", "pg_policy", 3256, 'r',
     "oid:oid, polname:name, polrelid:oid, polcmd:\"char\", polpermissive:boolean, "
     "polroles:oid[], polqual:pg_node_tree, polwithcheck:pg_node_tree",
     BuildNothing},
    {"pg_catalog", "pg_statistic_ext", 3381, 'r',
     "oid:oid, stxrelid:oid, stxname:name, stxnamespace:oid, stxowner:oid, "
     "stxstattarget:integer, stxkeys:int2vector, stxkind:\"char\"[], stxexprs:pg_node_tree",
     BuildNothing},
    {"pg_catalog", "pg_collation", 3456, 'r',
     "oid:oid, collname:name, collnamespace:oid, collowner:oid, collprovider:\"char\", "
     "collisdeterministic:boolean, collencoding:integer, collcollate:text, collctype:text, "
     "colliculocale:text, collversion:text",
     BuildCollation},
    {"pg_catalog", "pg_enum", 3501, 'r',
     "oid:oid, enumtypid:oid, enumsortorder:real, enumlabel:name", BuildNothing},
    {"pg_catalog", "pg_publication", 6104, 'r',
     "oid:oid, pubname:name, pubowner:oid, puballtables:boolean, pubinsert:boolean, "
     "pubupdate:boolean, pubdelete:boolean, pubtruncate:boolean, pubviaroot:boolean",
     BuildNothing},
    {"pg_catalog", "pg_publication_rel", 6106, 'r',
     "oid:oid, prpubid:oid, prrelid:oid, prqual:pg_node_tree, prattrs:int2vector", BuildNothing},
    {"pg_catalog", "pg_publication_namespace", 6237, 'r', "oid:oid, pnpubid:oid, pnnspid:oid",
     BuildNothing},
    {"pg_catalog", "pg_sequence", 2224, 'r',
     "seqrelid:oid, seqtypid:oid, seqstart:bigint, seqincrement:bigint, seqmax:bigint, "
     "seqmin:bigint, seqcache:bigint, seqcycle:boolean",
     BuildNothing},
    {"pg_catalog", "pg_roles", 12000, 'v',
     "rolname:name, rolsuper:boolean, rolinherit:boolean, rolcreaterole:boolean, "
     "rolcreatedb:boolean, rolcanlogin:boolean, rolreplication:boolean, rolconnlimit:integer, "
     "rolpassword:text, rolvaliduntil:timestamp with time zone, rolbypassrls:boolean, "
     "rolconfig:text[], oid:oid",
     BuildRoles},
    {"pg_catalog", "pg_user", 12014, 'v',
     "usename:name, usesysid:oid, usecreatedb:boolean, usesuper:boolean, userepl:boolean, "
     "usebypassrls:boolean, passwd:text, valuntil:timestamp with time zone, useconfig:text[]",
     BuildUser},
    {"pg_catalog", "pg_settings", 12104, 'v',
     "name:text, setting:text, unit:text, category:text, short_desc:text, extra_desc:text, "
     "context:text, vartype:text, source:text, min_val:text, max_val:text, enumvals:text[], "
     "boot_val:text, reset_val:text, sourcefile:text, sourceline:integer, "
     "pending_restart:boolean",
     BuildSettings},
    {"information_schema", "columns", 13295, 'v',
     "table_catalog:information_schema.sql_identifier, "
     "table_schema:information_schema.sql_identifier, "
     "table_name:information_schema.sql_identifier, "
     "column_name:information_schema.sql_identifier, "
     "ordinal_position:information_schema.cardinal_number, "
     "column_default:information_schema.character_data, "
     "is_nullable:information_schema.yes_or_no, data_type:information_schema.character_data, "
     "character_maximum_length:information_schema.cardinal_number, "
     "character_octet_length:information_schema.cardinal_number, "
     "numeric_precision:information_schema.cardinal_number, "
     "numeric_precision_radix:information_schema.cardinal_number, "
     "numeric_scale:information_schema.cardinal_number, "
     "datetime_precision:information_schema.cardinal_number, "
     "interval_type:information_schema.character_data, "
     "interval_precision:information_schema.cardinal_number, "
     "character_set_catalog:information_schema.sql_identifier, "
     "character_set_schema:information_schema.sql_identifier, "
     "character_set_name:information_schema.sql_identifier, "
     "collation_catalog:information_schema.sql_identifier, "
     "collation_schema:information_schema.sql_identifier, "
     "collation_name:information_schema.sql_identifier, "
     "domain_catalog:information_schema.sql_identifier, "
     "domain_schema:information_schema.sql_identifier, "
     "domain_name:information_schema.sql_identifier, "
     "udt_catalog:information_schema.sql_identifier, "
     "udt_schema:information_schema.sql_identifier, "
     "udt_name:information_schema.sql_identifier, "
     "scope_catalog:information_schema.sql_identifier, "
     "scope_schema:information_schema.sql_identifier, "
     "scope_name:information_schema.sql_identifier, "
     "maximum_cardinality:information_schema.cardinal_number, "
     "dtd_identifier:information_schema.sql_identifier, "
     "is_self_referencing:information_schema.yes_or_no, "
     "is_identity:information_schema.yes_or_no, "
     "identity_generation:information_schema.character_data, "
     "identity_start:information_schema.character_data, "
     "identity_increment:information_schema.character_data, "
     "identity_maximum:information_schema.character_data, "
     "identity_minimum:information_schema.character_data, "
     "identity_cycle:information_schema.yes_or_no, "
     "is_generated:information_schema.character_data, "
     "generation_expression:information_schema.character_data, "
     "is_updatable:information_schema.yes_or_no",
     BuildColumns},
    {"information_schema", "key_column_usage", 13329, 'v',
     "constraint_catalog:information_schema.sql_identifier, "
     "constraint_schema:information_schema.sql_identifier, "
     "constraint_name:information_schema.sql_identifier, "
     "table_catalog:information_schema.sql_identifier, "
     "table_schema:information_schema.sql_identifier, "
     "table_name:information_schema.sql_identifier, "
     "column_name:information_schema.sql_identifier, "
     "ordinal_position:information_schema.cardinal_number, "
     "position_in_unique_constraint:information_schema.cardinal_number",
     BuildKeyColumnUsage},
    {"information_schema", "schemata", 13382, 'v',
     "catalog_name:information_schema.sql_identifier, "
     "schema_name:information_schema.sql_identifier, "
     "schema_owner:information_schema.sql_identifier, "
     "default_character_set_catalog:information_schema.sql_identifier, "
     "default_character_set_schema:information_schema.sql_identifier, "
     "default_character_set_name:information_schema.sql_identifier, "
     "sql_path:information_schema.character_data",
     BuildSchemata},
    {"information_schema", "table_constraints", 13411, 'v',
     "constraint_catalog:information_schema.sql_identifier, "
     "constraint_schema:information_schema.sql_identifier, "
     "constraint_name:information_schema.sql_identifier, "
     "table_catalog:information_schema.sql_identifier, "
     "table_schema:information_schema.sql_identifier, "
     "table_name:information_schema.sql_identifier, "
     "constraint_type:information_schema.character_data, "
     "is_deferrable:information_schema.yes_or_no, "
     "initially_deferred:information_schema.yes_or_no, enforced:information_schema.yes_or_no, "
     "nulls_distinct:information_schema.yes_or_no",
     BuildTableConstraints},
    {"information_schema", "tables", 13425, 'v',
     "table_catalog:information_schema.sql_identifier, "
     "table_schema:information_schema.sql_identifier, "
     "table_name:information_schema.sql_identifier, "
     "table_type:information_schema.character_data, "
     "self_referencing_column_name:information_schema.sql_identifier, "
     "reference_generation:information_schema.character_data, "
     "user_defined_type_catalog:information_schema.sql_identifier, "
     "user_defined_type_schema:information_schema.sql_identifier, "
     "user_defined_type_name:information_schema.sql_identifier, "
     "is_insertable_into:information_schema.yes_or_no, is_typed:information_schema.yes_or_no, "
     "commit_action:information_schema.character_data",
     BuildTables},
    {"information_schema", "views", 13483, 'v',
     "table_catalog:information_schema.sql_identifier, "
     "table_schema:information_schema.sql_identifier, "
     "table_name:information_schema.sql_identifier, "
     "view_definition:information_schema.character_data, "
     "check_option:information_schema.character_data, "
     "is_updatable:information_schema.yes_or_no, is_insertable_into:information_schema.yes_or_no, "
     "is_trigger_updatable:information_schema.yes_or_no, "
     "is_trigger_deletable:information_schema.yes_or_no, "
     "is_trigger_insertable_into:information_schema.yes_or_no",
     BuildNothing},
    {"freshet_catalog", "materialized_views", 16001, 'v', kMaterializedViewsColumns,
     BuildMaterializedViews},
    {"freshet_catalog", "sources", 16002, 'v', kSourcesColumns, BuildSources},
    {"freshet_catalog", "source_errors", 16003, 'v', kSourceErrorsColumns, BuildSourceErrors},
    {"freshet_catalog", "sinks", 16004, 'v', kSinksColumns, BuildSinks},
};

// The functions pg_am names, besides those of pg_type.
constexpr function::PgProcedure kAccessMethodHandlers[] = {{3, "heap_tableam_handler"},
                                                           {330, "bthandler"}};

// Splits a possibly qualified name as the reg* input functions read it: dots separate parts,
// double quotes keep case and dots, other letters are folded to lower case.
std::vector<std::string> SplitQualifiedName(std::string_view text) {
  std::vector<std::string> parts;
  std::string part;
  bool quoted = false;
  bool any = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          part += '"';
          ++i;
        } else {
          quoted = false;
        }
      } else {
        part += c;
      }
      continue;
    }
    if (c == '"') {
      quoted = true;
      any = true;
    } else if (c == '.') {
      parts.push_back(std::move(part));
      part.clear();
      any = false;
    } else if (!std::isspace(static_cast<unsigned char>(c))) {
      part += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      any = true;
    }
  }
  if (quoted || !any) {
    throw Error(SqlState::kInvalidName, fmt::format("invalid name syntax"));
  }
  parts.push_back(std::move(part));
  return parts;
}

bool IsAllDigits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c));
  });
}

std::string JoinNames(const std::vector<std::string>& parts) {
  std::string joined;
  for (const std::string& part : parts) {
    joined += (joined.empty() ? "" : ".") + part;
  }
  return joined;
}

}  // namespace

SystemCatalog::SystemCatalog(std::shared_ptr<const catalog::CatalogSnapshot> snapshot,
                             std::string database_name,
                             std::string user,
                             const SessionSettings* settings,
                             Database* database)
    : snapshot_(std::move(snapshot)),
      database_name_(std::move(database_name)),
      user_(std::move(user)),
      settings_(settings),
      database_(database) {}

SystemCatalog::~SystemCatalog() = default;

const std::vector<SystemCatalog::RelationEntry>& SystemCatalog::Relations() const {
  if (!relations_.empty()) {
    return relations_;
  }
  for (const auto& relation : snapshot_->Relations()) {
    const char kind = RelationKindOf(*relation);
    if (kind == '\0') {
      continue;
    }
    RelationEntry entry;
    entry.oid = relation->id;
    entry.namespace_oid = NamespaceOfRelation(*relation);
    entry.name = relation->name;
    entry.kind = kind;
    entry.relation = relation.get();
    for (const catalog::ColumnSchema& column : relation->columns) {
      entry.attributes.push_back({column.name, column.type, column.not_null});
    }
    relations_.push_back(std::move(entry));
    if (!relation->primary_key.empty()) {
      RelationEntry index;
      index.oid = system_oid::kIndexBase + relation->id;
      index.namespace_oid = NamespaceOfRelation(*relation);
      index.name = relation->PrimaryKeyName();
      index.kind = 'i';
      index.relation = relation.get();
      for (uint32_t column : relation->primary_key) {
        const catalog::ColumnSchema& schema = relation->columns[column];
        index.attributes.push_back({schema.name, schema.type, schema.not_null});
      }
      relations_.push_back(std::move(index));
    }
  }
  for (size_t i = 0; i < std::size(kSystemRelations); ++i) {
    const SystemRelation& system = kSystemRelations[i];
    RelationEntry entry;
    entry.oid = system.oid;
    entry.namespace_oid = *NamespaceOid(system.schema);
    entry.name = std::string(system.name);
    entry.kind = system.kind;
    entry.attributes = ParseColumns(system.columns);
    entry.system_index = i;
    relations_.push_back(std::move(entry));
  }
  std::sort(relations_.begin(), relations_.end(),
            [](const RelationEntry& a, const RelationEntry& b) { return a.oid < b.oid; });
  return relations_;
}

const SystemCatalog::RelationEntry* SystemCatalog::FindRelation(uint32_t oid) const {
  const std::vector<RelationEntry>& relations = Relations();
  auto it =
      std::lower_bound(relations.begin(), relations.end(), oid,
                       [](const RelationEntry& entry, uint32_t key) { return entry.oid < key; });
  return it != relations.end() && it->oid == oid ? &*it : nullptr;
}

std::optional<uint32_t> SystemCatalog::NamespaceOid(std::string_view name) const {
  if (name == "pg_catalog") {
    return system_oid::kPgCatalog;
  }
  if (name == "public") {
    return system_oid::kPublic;
  }
  if (name == "information_schema") {
    return system_oid::kInformationSchema;
  }
  if (name == "freshet_catalog") {
    return system_oid::kFreshetCatalog;
  }
  return std::nullopt;
}

std::string SystemCatalog::NamespaceName(uint32_t oid) const {
  switch (oid) {
    case system_oid::kPgCatalog:
    case system_oid::kPublic:
    case system_oid::kInformationSchema:
    case system_oid::kFreshetCatalog:
      return std::string(SchemaName(oid));
    default:
      return std::to_string(oid);
  }
}

const std::vector<uint32_t>& SystemCatalog::SearchPath() const {
  if (!search_path_) {
    search_path_.emplace();
    search_path_->push_back(system_oid::kPgCatalog);
    const std::string path =
        settings_ != nullptr ? settings_->Show("search_path") : "\"$user\", public";
    for (const std::string& schema : function::ParseSearchPath(path, user_)) {
      const std::optional<uint32_t> oid = NamespaceOid(schema);
      if (oid &&
          std::find(search_path_->begin(), search_path_->end(), *oid) == search_path_->end()) {
        search_path_->push_back(*oid);
      }
    }
  }
  return *search_path_;
}

std::shared_ptr<const planner::SystemTable> SystemCatalog::Find(std::string_view schema,
                                                                std::string_view name) {
  const std::string_view wanted_schema = schema.empty() ? "pg_catalog" : schema;
  for (size_t i = 0; i < std::size(kSystemRelations); ++i) {
    if (kSystemRelations[i].schema == wanted_schema && kSystemRelations[i].name == name) {
      return Build(i);
    }
  }
  return nullptr;
}

std::shared_ptr<const planner::SystemTable> SystemCatalog::Build(size_t index) {
  if (auto it = built_.find(index); it != built_.end()) {
    return it->second;
  }
  const SystemRelation& system = kSystemRelations[index];
  auto table = std::make_shared<planner::SystemTable>();
  table->oid = system.oid;
  table->schema = system.schema;
  std::vector<DataType> types;
  const std::vector<AttributeEntry> attributes = ParseColumns(system.columns);
  for (size_t i = 0; i < attributes.size(); ++i) {
    table->columns.push_back(
        {attributes[i].name, attributes[i].type, system.oid, static_cast<int16_t>(i + 1)});
    types.push_back(attributes[i].type);
  }
  std::vector<Row> rows;
  const BuildContext context{*snapshot_,  database_name_, user_,    settings_,
                             Relations(), *this,          database_};
  system.build(context, rows);
  auto chunk = std::make_shared<Chunk>(types);
  for (const Row& row : rows) {
    FRESHET_CHECK(row.size() == types.size(), fmt::format("{} row has {} values for {} columns",
                                                          system.name, row.size(), types.size()));
    chunk->AppendRow(row);
  }
  table->rows = std::move(chunk);
  built_[index] = table;
  return table;
}

uint32_t SystemCatalog::ParseObjectName(TypeId reg_type, std::string_view text) const {
  std::string_view trimmed = text;
  while (!trimmed.empty() && std::isspace(static_cast<unsigned char>(trimmed.front()))) {
    trimmed.remove_prefix(1);
  }
  while (!trimmed.empty() && std::isspace(static_cast<unsigned char>(trimmed.back()))) {
    trimmed.remove_suffix(1);
  }
  if (IsAllDigits(trimmed) || trimmed == "-") {
    return trimmed == "-" ? 0 : ParseOid(trimmed, DataType(reg_type).Name());
  }
  switch (reg_type) {
    case TypeId::kRegclass: {
      std::vector<std::string> parts = SplitQualifiedName(trimmed);
      if (parts.size() == 3) {
        if (parts[0] != database_name_) {
          throw Error(
              SqlState::kFeatureNotSupported,
              fmt::format("cross-database references are not implemented: {}", JoinNames(parts)));
        }
        parts.erase(parts.begin());
      }
      if (parts.size() > 2) {
        throw Error(
            SqlState::kSyntaxError,
            fmt::format("improper relation name (too many dotted names): {}", JoinNames(parts)));
      }
      const std::string& name = parts.back();
      std::vector<uint32_t> namespaces;
      if (parts.size() == 2) {
        const std::optional<uint32_t> schema = NamespaceOid(parts[0]);
        if (!schema) {
          throw Error(SqlState::kInvalidSchemaName,
                      fmt::format("schema \"{}\" does not exist", parts[0]));
        }
        namespaces.push_back(*schema);
      } else {
        namespaces = SearchPath();
      }
      for (uint32_t schema : namespaces) {
        for (const RelationEntry& entry : Relations()) {
          if (entry.namespace_oid == schema && entry.name == name) {
            return entry.oid;
          }
        }
      }
      throw Error::UndefinedTable(JoinNames(parts));
    }
    case TypeId::kRegtype: {
      std::string name = AsciiLower(trimmed);
      if (name.starts_with("pg_catalog.")) {
        name = name.substr(std::string_view("pg_catalog.").size());
      }
      bool is_array = false;
      if (name.ends_with("[]")) {
        is_array = true;
        name.resize(name.size() - 2);
      }
      if (const size_t paren = name.find('('); paren != std::string::npos) {
        name.resize(paren);
      }
      while (!name.empty() && name.back() == ' ') {
        name.pop_back();
      }
      std::optional<uint32_t> oid;
      if (const std::optional<TypeId> id = TypeIdFromName(name)) {
        oid = DataType(*id).Oid();
      }
      for (const function::PgType& type : function::PgTypes()) {
        if (!oid && type.name == name) {
          oid = type.oid;
        }
      }
      if (oid && is_array) {
        const function::PgType* type = function::FindPgType(*oid);
        oid = type != nullptr && type->array != 0 ? std::optional<uint32_t>(type->array)
                                                  : std::nullopt;
      }
      if (!oid) {
        throw Error(SqlState::kUndefinedObject, fmt::format("type \"{}\" does not exist", trimmed));
      }
      return *oid;
    }
    case TypeId::kRegnamespace: {
      const std::vector<std::string> parts = SplitQualifiedName(trimmed);
      const std::optional<uint32_t> oid = parts.size() == 1 ? NamespaceOid(parts[0]) : std::nullopt;
      if (!oid) {
        throw Error(SqlState::kInvalidSchemaName,
                    fmt::format("schema \"{}\" does not exist", JoinNames(parts)));
      }
      return *oid;
    }
    case TypeId::kRegproc: {
      std::vector<std::string> parts = SplitQualifiedName(trimmed);
      if (parts.size() == 2 && parts[0] == "pg_catalog") {
        parts.erase(parts.begin());
      }
      if (parts.size() == 1) {
        if (const std::optional<uint32_t> oid = function::FindPgProcedure(parts[0])) {
          return *oid;
        }
        for (const function::PgProcedure& handler : kAccessMethodHandlers) {
          if (handler.name == parts[0]) {
            return handler.oid;
          }
        }
      }
      throw Error(SqlState::kUndefinedFunction,
                  fmt::format("function \"{}\" does not exist", trimmed));
    }
    default:
      return ParseOid(trimmed, DataType(reg_type).Name());
  }
}

void SystemCatalog::AppendObjectName(TypeId reg_type, uint32_t oid, std::string& out) const {
  if (oid == 0) {
    out += '-';
    return;
  }
  switch (reg_type) {
    case TypeId::kRegclass:
      if (const RelationEntry* entry = FindRelation(oid)) {
        if (!IsRelationVisible(oid)) {
          out += QuoteIdentifier(NamespaceName(entry->namespace_oid));
          out += '.';
        }
        out += QuoteIdentifier(entry->name);
        return;
      }
      break;
    case TypeId::kRegtype:
      if (function::TypeIdFromOid(oid) || function::FindPgType(oid) != nullptr) {
        out += function::FormatType(oid, -1);
        return;
      }
      break;
    case TypeId::kRegnamespace:
      if (oid == system_oid::kPgCatalog || oid == system_oid::kPublic ||
          oid == system_oid::kInformationSchema || oid == system_oid::kFreshetCatalog) {
        out += QuoteIdentifier(NamespaceName(oid));
        return;
      }
      break;
    case TypeId::kRegproc:
      if (const std::optional<std::string_view> name = function::PgProcedureName(oid)) {
        out += *name;
        return;
      }
      for (const function::PgProcedure& handler : kAccessMethodHandlers) {
        if (handler.oid == oid) {
          out += handler.name;
          return;
        }
      }
      break;
    default:
      break;
  }
  fmt::format_to(std::back_inserter(out), "{}", oid);
}

bool SystemCatalog::IsRelationVisible(uint32_t oid) const {
  const RelationEntry* entry = FindRelation(oid);
  if (entry == nullptr) {
    return false;
  }
  // Visible when the search path reaches the relation's schema before any other schema holding
  // a relation of the same name.
  for (uint32_t schema : SearchPath()) {
    if (schema == entry->namespace_oid) {
      return true;
    }
    for (const RelationEntry& other : Relations()) {
      if (other.namespace_oid == schema && other.name == entry->name) {
        return false;
      }
    }
  }
  return false;
}

std::string SystemCatalog::RoleName(uint32_t oid) const {
  if (oid == system_oid::kSuperuser) {
    return user_;
  }
  if (oid == system_oid::kDatabaseOwner) {
    return "pg_database_owner";
  }
  return fmt::format("unknown (OID={})", oid);
}

std::optional<std::string> SystemCatalog::IndexDefinition(uint32_t oid,
                                                          int32_t column,
                                                          bool pretty) const {
  const RelationEntry* entry = FindRelation(oid);
  if (entry == nullptr || entry->kind != 'i') {
    return std::nullopt;
  }
  const catalog::Relation& table = *entry->relation;
  if (column > 0) {
    if (static_cast<size_t>(column) > table.primary_key.size()) {
      return std::nullopt;
    }
    return QuoteIdentifier(table.columns[table.primary_key[column - 1]].name);
  }
  // Pretty printing leaves out the schema of a table the search path finds.
  std::string qualified_table = QuoteIdentifier(table.name);
  if (!pretty || !IsRelationVisible(table.id)) {
    qualified_table = QuoteIdentifier(NamespaceName(entry->namespace_oid)) + "." + qualified_table;
  }
  return fmt::format("CREATE UNIQUE INDEX {} ON {} USING btree ({})", QuoteIdentifier(entry->name),
                     qualified_table, IndexKey(table));
}

std::optional<std::string> SystemCatalog::ConstraintDefinition(uint32_t oid) const {
  if (oid < system_oid::kConstraintBase) {
    return std::nullopt;
  }
  const RelationEntry* index =
      FindRelation(oid - system_oid::kConstraintBase + system_oid::kIndexBase);
  if (index == nullptr || index->kind != 'i') {
    return std::nullopt;
  }
  return fmt::format("PRIMARY KEY ({})", IndexKey(*index->relation));
}

}  // namespace freshet::engine
