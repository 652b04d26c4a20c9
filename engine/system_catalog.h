// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/catalog.h"
#include "function/system_functions.h"
#include "planner/system_table.h"

namespace freshet::engine {

class Database;
class SessionSettings;

/// Stable OIDs of the objects Freshet shows in pg_catalog; user relations use their catalog ids.
namespace system_oid {
constexpr uint32_t kPgCatalog = 11;
constexpr uint32_t kPublic = 2200;
constexpr uint32_t kInformationSchema = 13207;
constexpr uint32_t kFreshetCatalog = 16000;
/// The one login role (the session's user), a superuser, as in a fresh PostgreSQL cluster.
constexpr uint32_t kSuperuser = 10;
/// PostgreSQL 15's owner of schema public.
constexpr uint32_t kDatabaseOwner = 6171;
constexpr uint32_t kDatabase = 5;
/// The primary-key index and constraint of table t get these plus the table's OID.
constexpr uint32_t kIndexBase = 1u << 30;
constexpr uint32_t kConstraintBase = 2u << 30;
}  // namespace system_oid

/// The system relations of one statement, computed from its catalog snapshot: pg_catalog
/// (pg_namespace, pg_class, pg_attribute, pg_type, pg_database, pg_index, pg_constraint, pg_roles,
/// ... and empty ones such as pg_policy where Freshet has nothing) and information_schema (tables,
/// columns, schemata, views, table_constraints, key_column_usage), with the OIDs and values
/// PostgreSQL 15 would show, and freshet_catalog (materialized_views, sources: the streaming
/// engine's progress, as of the first use of each relation in the statement). Also answers the
/// catalog questions of the reg* types and the pg_catalog functions. A relation's rows are built on
/// first use and kept for the statement. Used by one statement on one thread; the CatalogAccess
/// half is read-only.
class SystemCatalog final : public planner::SystemTableProvider, public function::CatalogAccess {
 public:
  /// `settings` (may be null) supplies search_path and pg_settings; `database` (may be null) the
  /// streaming engine and store behind freshet_catalog's rows, which are empty without it. Both
  /// must outlive this object.
  SystemCatalog(std::shared_ptr<const catalog::CatalogSnapshot> snapshot,
                std::string database_name,
                std::string user,
                const SessionSettings* settings,
                Database* database = nullptr);
  ~SystemCatalog() override;

  std::shared_ptr<const planner::SystemTable> Find(std::string_view schema,
                                                   std::string_view name) override;

  uint32_t ParseObjectName(TypeId reg_type, std::string_view text) const override;
  void AppendObjectName(TypeId reg_type, uint32_t oid, std::string& out) const override;
  bool IsRelationVisible(uint32_t oid) const override;
  std::string RoleName(uint32_t oid) const override;
  std::optional<std::string> IndexDefinition(uint32_t oid,
                                             int32_t column,
                                             bool pretty) const override;
  std::optional<std::string> ConstraintDefinition(uint32_t oid) const override;

  /// One relation of pg_class: a user relation, a primary-key index or a system relation.
  struct RelationEntry;

 private:
  /// Every relation pg_class shows, system ones included, in OID order.
  const std::vector<RelationEntry>& Relations() const;
  const RelationEntry* FindRelation(uint32_t oid) const;
  std::optional<uint32_t> NamespaceOid(std::string_view name) const;
  std::string NamespaceName(uint32_t oid) const;
  /// The schemas of search_path that exist, after pg_catalog, which is always searched first.
  const std::vector<uint32_t>& SearchPath() const;
  std::shared_ptr<const planner::SystemTable> Build(size_t index);

  std::shared_ptr<const catalog::CatalogSnapshot> snapshot_;
  std::string database_name_;
  std::string user_;
  const SessionSettings* settings_;
  Database* database_;
  mutable std::vector<RelationEntry> relations_;
  mutable std::optional<std::vector<uint32_t>> search_path_;
  std::map<size_t, std::shared_ptr<const planner::SystemTable>> built_;
};

}  // namespace freshet::engine
