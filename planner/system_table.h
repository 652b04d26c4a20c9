// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "common/column.h"
#include "planner/plan/batch_plan.h"

namespace freshet::planner {

/// A relation whose rows are computed when a statement is bound rather than stored: the pg_catalog,
/// information_schema and freshet_catalog relations. Immutable once built.
struct SystemTable {
  /// The relation's OID (pg_class.oid), used as the table OID of its columns in RowDescription.
  uint32_t oid = 0;
  /// The schema that holds it ("pg_catalog", "information_schema", "freshet_catalog").
  std::string_view schema;
  std::vector<plan::OutputColumn> columns;
  /// All rows, in the column types above.
  std::shared_ptr<const Chunk> rows;
};

/// Gives the binder the system relations as of the statement's catalog snapshot. Implemented by the
/// engine; used by one statement on one thread.
class SystemTableProvider {
 public:
  SystemTableProvider() = default;
  virtual ~SystemTableProvider() = default;
  SystemTableProvider(const SystemTableProvider&) = delete;
  SystemTableProvider& operator=(const SystemTableProvider&) = delete;

  /// Returns the system relation `schema`.`name`, or nullptr when there is none. An empty `schema`
  /// means an unqualified name, which finds pg_catalog relations first, as Postgres's search path
  /// does.
  virtual std::shared_ptr<const SystemTable> Find(std::string_view schema,
                                                  std::string_view name) = 0;
};

}  // namespace freshet::planner
