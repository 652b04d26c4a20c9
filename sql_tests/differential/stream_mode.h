// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <vector>

#include "sql_tests/differential/query_generator.h"
#include "sql_tests/differential/tester.h"

// The streaming mode of freshet_difftest (--stream-views N --rounds R): generated materialized
// views over the fixture must equal PostgreSQL's answer to their query after every round of a
// random DML workload.
namespace freshet::sql_tests::differential {

/// One generated materialized view of the streaming mode.
struct StreamView {
  /// dv1, dv2, ... for views on tables; dw1, dw2, ... for views on views.
  std::string name;
  /// "view #3 (seed 42)" or "view on view #2, on dv7 (seed 42)".
  std::string origin;
  /// The query of CREATE MATERIALIZED VIEW.
  std::string freshet_sql;
  /// The same query with the views it reads inlined as derived tables, for PostgreSQL (and for
  /// Freshet's batch run).
  std::string postgres_sql;
  GeneratedView generated;
  /// The view this view reads, as an index into the plan, or -1 for a view on tables.
  int base = -1;
};

/// Returns the views of the streaming mode for a seed: `count` views on tables, then
/// max(1, count / 5) views on views (each on an earlier view whose rows are determined).
std::vector<StreamView> PlanStreamViews(int count, uint64_t seed);

/// Prints the views and the DML of every round, for --print-queries.
void PrintStreamWorkload(const Options& options);

/// Runs the streaming mode and returns the exit status (0: no failure, 1: failures, 2: setup
/// failed, 77: no PostgreSQL).
int RunStreamViews(const Options& options);

}  // namespace freshet::sql_tests::differential
