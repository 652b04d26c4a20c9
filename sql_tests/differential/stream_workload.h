// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "sql_tests/differential/answer.h"
#include "sql_tests/differential/fixture.h"
#include "sql_tests/differential/query_generator.h"
#include "sql_tests/differential/random.h"

// The random DML of the streaming mode: the same INSERT, UPDATE and DELETE statements go to both
// servers, round after round, while materialized views over the fixture must keep up.
namespace freshet::sql_tests::differential {

/// Primary keys the workload may use past the fixture's last one (fresh keys count up from it;
/// some rows get the negative of their key).
inline constexpr int64_t kWorkloadKeySpace = 1000;

/// The fixture's tables as the view generator must see them under the workload: the same
/// columns, with primary keys bounded by the workload's key space, so that the generator's
/// bounds (no overflow, exact sums) still hold for every row the workload can write.
const std::vector<TableSpec>& StreamTables();

/// One DML statement of the workload.
struct DmlStatement {
  std::string table;
  std::string sql;
};

/// Generates the workload from a seed. Values stay within the fixture's ranges; primary keys
/// stay unique or collide on purpose in ways that make PostgreSQL's answer deterministic (a
/// statement never moves a key onto the old key of another row it updates, since PostgreSQL
/// checks uniqueness row by row). Not thread-safe.
class WorkloadGenerator {
 public:
  explicit WorkloadGenerator(uint64_t seed);

  /// The statements of the next round: 8 to 16 INSERTs, UPDATEs and DELETEs on random tables.
  std::vector<DmlStatement> NextRound();

 private:
  /// A multi-row INSERT, mostly with fresh keys; sometimes one that exists (or a key twice).
  DmlStatement Insert(const TableSpec& table);
  /// INSERT ... SELECT from the same table: copies of some rows (under fresh keys if keyed).
  DmlStatement InsertSelect(const TableSpec& table);
  /// An UPDATE of random columns, of the key on keyed tables now and then.
  DmlStatement Update(const TableSpec& table);
  /// A DELETE with a random predicate.
  DmlStatement Delete(const TableSpec& table);
  /// A WHERE predicate that usually selects a few rows only.
  std::string Selective(const TableSpec& table);
  /// A key no row has had yet (or, once the key space is used up, an old one).
  int64_t FreshKey(const TableSpec& table);
  /// A key the table has or had, sometimes negated.
  int64_t SomeKey(const TableSpec& table);
  /// A table, weighted towards the three big ones.
  const TableSpec& PickTable();

  Random random_;
  /// Draws predicates over StreamTables(); seeded apart from the views' generator.
  QueryGenerator predicates_;
  /// Per keyed table: the next fresh key.
  std::map<std::string, int64_t> next_key_;
};

/// Returns the statements that make a table hold exactly `rows` (PostgreSQL's text answer to
/// `SELECT * FROM table`): a DELETE of everything, then multi-row INSERTs of typed literals.
std::vector<std::string> CopyTableStatements(const TableSpec& table, const std::vector<Row>& rows);

}  // namespace freshet::sql_tests::differential
