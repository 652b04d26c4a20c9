// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sql_tests/differential/random.h"

// The fixed schema and the seeded data both engines load before the differential queries run.
namespace freshet::sql_tests::differential {

/// The column types of the fixture, as the generator reasons about them.
enum class SqlType { kBool, kInt16, kInt32, kInt64, kDouble, kNumeric, kText, kDate, kTimestamp };

/// One column: its SQL declaration and the shape of its generated values.
struct ColumnSpec {
  std::string name;
  SqlType type = SqlType::kInt32;
  /// The type as written in CREATE TABLE ("VARCHAR(20)", "NUMERIC(12,2)").
  std::string declared_type;
  bool primary_key = false;
  /// Share of NULLs in percent.
  int null_percent = 0;
  /// Integers: the value range. Doubles: the range of k for the value k/8 (exact in binary, so
  /// sums do not depend on the order of the rows). Numerics: the range in cents. Dates: days since
  /// 1970-01-01. Timestamps: seconds since 1970-01-01. Primary keys count up from `min`.
  int64_t min = 0;
  int64_t max = 0;
  /// Text values are drawn from these.
  std::vector<std::string> words;
};

/// One table of the fixture.
struct TableSpec {
  std::string name;
  std::vector<ColumnSpec> columns;
  /// Rows generated from the seed.
  int row_count = 0;
  /// Extra copies of randomly chosen rows, so unkeyed tables hold duplicates.
  int duplicate_count = 0;
  /// Rows written out as SQL literals, used instead of generated ones when not empty.
  std::vector<std::vector<std::string>> fixed_rows;
};

/// Returns the fixture's tables: people (keyed), orders (keyed), events (unkeyed, duplicates),
/// tiny (unkeyed, six fixed rows) and nothing (keyed, empty).
const std::vector<TableSpec>& FixtureTables();

/// Returns the statements that create and fill the fixture: CREATE TABLE, then multi-row INSERTs
/// of rows generated from `seed`. With `reverse_rows` the same rows are inserted in the opposite
/// order, which exposes queries whose answer depends on the storage order.
std::vector<std::string> FixtureStatements(uint64_t seed, bool reverse_rows);

/// Returns a random value of the column as the fixture draws them (NULL at the column's rate,
/// values within its range), as a SQL literal. Primary keys are not counted up here.
std::string RandomLiteral(const ColumnSpec& column, Random& random);

/// Returns `text` as a SQL string literal ('it''s').
std::string QuoteLiteral(const std::string& text);

/// Returns the date `days` after 1970-01-01 as YYYY-MM-DD.
std::string FormatDate(int64_t days);

/// Returns the days from 1970-01-01 to the given civil date.
int64_t DaysFromCivil(int64_t year, int64_t month, int64_t day);

/// Returns a timestamp `seconds` after 1970-01-01 00:00:00 as YYYY-MM-DD HH:MM:SS, with the
/// fractional `micros` when not zero (trailing zeros dropped, as PostgreSQL prints it).
std::string FormatTimestamp(int64_t seconds, int64_t micros);

/// Returns k/8 as the shortest decimal that reads back as the same double.
std::string FormatEighths(int64_t k);

/// Returns a number of cents as a decimal with two digits after the point.
std::string FormatCents(int64_t cents);

}  // namespace freshet::sql_tests::differential
