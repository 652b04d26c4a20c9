// SPDX-License-Identifier: Apache-2.0
#include "sql_tests/differential/fixture.h"

#include <algorithm>
#include <cstdlib>

#include <fmt/format.h>

#include "sql_tests/differential/random.h"

namespace freshet::sql_tests::differential {
namespace {

constexpr size_t kRowsPerInsert = 50;

/// Describes a plain column.
ColumnSpec Column(std::string name,
                  SqlType type,
                  std::string declared_type,
                  int null_percent,
                  int64_t min = 0,
                  int64_t max = 0,
                  std::vector<std::string> words = {}) {
  ColumnSpec column;
  column.name = std::move(name);
  column.type = type;
  column.declared_type = std::move(declared_type);
  column.null_percent = null_percent;
  column.min = min;
  column.max = max;
  column.words = std::move(words);
  return column;
}

/// Describes a primary key column counting up from `first`.
ColumnSpec Key(std::string name, SqlType type, std::string declared_type, int64_t first) {
  ColumnSpec column = Column(std::move(name), type, std::move(declared_type), 0, first, first);
  column.primary_key = true;
  return column;
}

/// Returns the seconds from 1970-01-01 to midnight of a civil date.
int64_t Seconds(int64_t year, int64_t month, int64_t day) {
  return DaysFromCivil(year, month, day) * 86400;
}

/// Builds the fixture's tables once; FixtureTables keeps them.
std::vector<TableSpec> MakeTables() {
  std::vector<TableSpec> tables;

  TableSpec people;
  people.name = "people";
  people.row_count = 200;
  people.columns = {
      Key("id", SqlType::kInt32, "INTEGER", 1),
      Column("name", SqlType::kText, "VARCHAR(20)", 10, 0, 0,
             {"Ann",    "Bob",   "Chloé", "Dmitri",  "Eve",     "Frank", "Grace",  "heidi",
              "Ivan",   "Judy",  "Zoë",   "O'Brien", "Mallory", "Niaj",  "Olivia", "Peggy",
              "Rupert", "Sybil", "bob",   "  Ann  ", "ann",     "Åsa",   "Victor", "Walter"}),
      Column("city", SqlType::kText, "TEXT", 20, 0, 0,
             {"Berlin", "Paris", "São Paulo", "Tokyo", "new york", "New York", "", "Zürich", "Lima",
              "Oslo"}),
      Column("age", SqlType::kInt16, "SMALLINT", 15, 0, 99),
      Column("active", SqlType::kBool, "BOOLEAN", 20),
      Column("score", SqlType::kDouble, "DOUBLE PRECISION", 25, -4000, 4000),
      Column("balance", SqlType::kNumeric, "NUMERIC(12,2)", 20, -10000000, 10000000),
      Column("born", SqlType::kDate, "DATE", 20, DaysFromCivil(1940, 1, 1),
             DaysFromCivil(2010, 12, 31)),
      Column("joined", SqlType::kTimestamp, "TIMESTAMP", 20, Seconds(2015, 1, 1),
             Seconds(2024, 12, 31)),
      Column("visits", SqlType::kInt64, "BIGINT", 30, 0, 10000000000),
  };
  tables.push_back(std::move(people));

  TableSpec orders;
  orders.name = "orders";
  orders.row_count = 400;
  orders.columns = {
      Key("id", SqlType::kInt64, "BIGINT", 1001),
      Column("person_id", SqlType::kInt32, "INTEGER", 10, 1, 230),
      Column("amount", SqlType::kNumeric, "NUMERIC(12,2)", 15, 0, 500000),
      Column("quantity", SqlType::kInt16, "SMALLINT", 10, 1, 20),
      Column("price", SqlType::kDouble, "DOUBLE PRECISION", 15, 1, 8000),
      Column("status", SqlType::kText, "VARCHAR(10)", 10, 0, 0,
             {"new", "paid", "shipped", "cancelled", "PAID"}),
      Column("note", SqlType::kText, "TEXT", 50, 0, 0,
             {"fragile", "gift wrap", "leave at door", "call first", "100% cotton", "a_b",
              "back order", "urgent!", "", "two  spaces", "Fragile"}),
      Column("ordered_on", SqlType::kDate, "DATE", 10, DaysFromCivil(2023, 1, 1),
             DaysFromCivil(2024, 12, 31)),
      Column("shipped_at", SqlType::kTimestamp, "TIMESTAMP", 40, Seconds(2023, 1, 1),
             Seconds(2025, 1, 31)),
      Column("express", SqlType::kBool, "BOOLEAN", 30),
  };
  tables.push_back(std::move(orders));

  TableSpec events;
  events.name = "events";
  events.row_count = 260;
  events.duplicate_count = 40;
  events.columns = {
      Column("category", SqlType::kText, "TEXT", 25, 0, 0, {"a", "b", "c", "A", "B", ""}),
      Column("code", SqlType::kInt16, "SMALLINT", 30, -5, 5),
      Column("n", SqlType::kInt32, "INTEGER", 30, -1000, 1000),
      Column("big", SqlType::kInt64, "BIGINT", 30, -1099511627776, 1099511627776),
      Column("x", SqlType::kDouble, "DOUBLE PRECISION", 35, -800, 800),
      Column("amount", SqlType::kNumeric, "NUMERIC(12,2)", 35, -100000, 100000),
      Column("flag", SqlType::kBool, "BOOLEAN", 40),
      Column("label", SqlType::kText, "VARCHAR(12)", 30, 0, 0,
             {"alpha", "beta", "gamma", "delta", "50%", "under_score", "x", "Alpha", "trailing ",
              "  lead", "ÅÄÖ", "mixed Case"}),
      Column("day", SqlType::kDate, "DATE", 35, DaysFromCivil(2024, 1, 1),
             DaysFromCivil(2024, 3, 31)),
      Column("at", SqlType::kTimestamp, "TIMESTAMP", 35, Seconds(2024, 1, 1), Seconds(2024, 1, 8)),
  };
  tables.push_back(std::move(events));

  TableSpec tiny;
  tiny.name = "tiny";
  tiny.columns = {
      Column("a", SqlType::kInt32, "INTEGER", 0, 1, 3),
      Column("b", SqlType::kText, "TEXT", 0, 0, 0, {"a", "b", "c"}),
  };
  tiny.fixed_rows = {{"1", "'a'"},    {"2", "'b'"},  {"2", "'b'"},
                     {"NULL", "'c'"}, {"3", "NULL"}, {"NULL", "NULL"}};
  tables.push_back(std::move(tiny));

  TableSpec nothing;
  nothing.name = "nothing";
  nothing.columns = {
      Key("id", SqlType::kInt32, "INTEGER", 1),
      Column("v", SqlType::kInt32, "INTEGER", 0, 0, 0),
      Column("s", SqlType::kText, "TEXT", 0, 0, 0, {"s"}),
      Column("x", SqlType::kDouble, "DOUBLE PRECISION", 0, 0, 0),
      Column("d", SqlType::kDate, "DATE", 0, 0, 0),
      Column("b", SqlType::kBool, "BOOLEAN", 0),
  };
  tables.push_back(std::move(nothing));
  return tables;
}

/// Fractions of a second for timestamps: mostly whole seconds, some halves, some microseconds.
int64_t RandomMicros(Random& random) {
  switch (random.Between(0, 9)) {
    case 0:
      return 500000;
    case 1:
      return 250000;
    case 2:
      return random.Between(1, 999999);
    default:
      return 0;
  }
}

/// Returns one random value of the column as a SQL literal (or NULL).
std::string RandomValue(const ColumnSpec& column, Random& random) {
  if (column.null_percent > 0 && random.Percent(column.null_percent)) {
    return "NULL";
  }
  switch (column.type) {
    case SqlType::kBool:
      return random.Percent(50) ? "true" : "false";
    case SqlType::kInt16:
    case SqlType::kInt32:
    case SqlType::kInt64:
      return std::to_string(random.Between(column.min, column.max));
    case SqlType::kDouble:
      return FormatEighths(random.Between(column.min, column.max));
    case SqlType::kNumeric:
      return FormatCents(random.Between(column.min, column.max));
    case SqlType::kText:
      return QuoteLiteral(random.Pick(column.words));
    case SqlType::kDate:
      return QuoteLiteral(FormatDate(random.Between(column.min, column.max)));
    case SqlType::kTimestamp: {
      int64_t seconds = random.Between(column.min, column.max);
      return QuoteLiteral(FormatTimestamp(seconds, RandomMicros(random)));
    }
  }
  return "NULL";
}

}  // namespace

const std::vector<TableSpec>& FixtureTables() {
  static const std::vector<TableSpec> tables = MakeTables();
  return tables;
}

std::vector<std::string> FixtureStatements(uint64_t seed, bool reverse_rows) {
  std::vector<std::string> statements;
  Random random(seed);
  for (const TableSpec& table : FixtureTables()) {
    std::string create = fmt::format("CREATE TABLE {} (", table.name);
    for (size_t i = 0; i < table.columns.size(); ++i) {
      const ColumnSpec& column = table.columns[i];
      create += fmt::format("{}{} {}{}", i == 0 ? "" : ", ", column.name, column.declared_type,
                            column.primary_key ? " PRIMARY KEY" : "");
    }
    statements.push_back(create + ")");

    std::vector<std::string> rows;
    if (!table.fixed_rows.empty()) {
      for (const std::vector<std::string>& values : table.fixed_rows) {
        rows.push_back(fmt::format("({})", fmt::join(values, ", ")));
      }
    } else {
      for (int row = 0; row < table.row_count; ++row) {
        std::vector<std::string> values;
        for (const ColumnSpec& column : table.columns) {
          values.push_back(column.primary_key ? std::to_string(column.min + row)
                                              : RandomValue(column, random));
        }
        rows.push_back(fmt::format("({})", fmt::join(values, ", ")));
      }
      for (int copy = 0; copy < table.duplicate_count && !rows.empty(); ++copy) {
        rows.push_back(rows[static_cast<size_t>(random.Between(0, table.row_count - 1))]);
      }
    }
    if (reverse_rows) {
      std::reverse(rows.begin(), rows.end());
    }
    for (size_t first = 0; first < rows.size(); first += kRowsPerInsert) {
      size_t last = std::min(rows.size(), first + kRowsPerInsert);
      std::vector<std::string> batch(rows.begin() + static_cast<std::ptrdiff_t>(first),
                                     rows.begin() + static_cast<std::ptrdiff_t>(last));
      statements.push_back(
          fmt::format("INSERT INTO {} VALUES {}", table.name, fmt::join(batch, ", ")));
    }
  }
  return statements;
}

std::string RandomLiteral(const ColumnSpec& column, Random& random) {
  return RandomValue(column, random);
}

std::string QuoteLiteral(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) {
    quoted += c;
    if (c == '\'') {
      quoted += '\'';
    }
  }
  return quoted + "'";
}

int64_t DaysFromCivil(int64_t year, int64_t month, int64_t day) {
  // Howard Hinnant's days_from_civil: exact for the proleptic Gregorian calendar.
  year -= month <= 2 ? 1 : 0;
  int64_t era = (year >= 0 ? year : year - 399) / 400;
  int64_t year_of_era = year - era * 400;
  int64_t day_of_year = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + day_of_era - 719468;
}

std::string FormatDate(int64_t days) {
  days += 719468;
  int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  int64_t day_of_era = days - era * 146097;
  int64_t year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  int64_t year = year_of_era + era * 400;
  int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  int64_t month_index = (5 * day_of_year + 2) / 153;
  int64_t day = day_of_year - (153 * month_index + 2) / 5 + 1;
  int64_t month = month_index < 10 ? month_index + 3 : month_index - 9;
  year += month <= 2 ? 1 : 0;
  return fmt::format("{:04}-{:02}-{:02}", year, month, day);
}

std::string FormatTimestamp(int64_t seconds, int64_t micros) {
  int64_t days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400;
  int64_t in_day = seconds - days * 86400;
  std::string text = fmt::format("{} {:02}:{:02}:{:02}", FormatDate(days), in_day / 3600,
                                 in_day / 60 % 60, in_day % 60);
  if (micros != 0) {
    std::string fraction = fmt::format("{:06}", micros);
    while (!fraction.empty() && fraction.back() == '0') {
      fraction.pop_back();
    }
    text += "." + fraction;
  }
  return text;
}

std::string FormatEighths(int64_t k) {
  static const char* const kFractions[] = {"", ".125", ".25", ".375", ".5", ".625", ".75", ".875"};
  uint64_t magnitude = k < 0 ? 0 - static_cast<uint64_t>(k) : static_cast<uint64_t>(k);
  return fmt::format("{}{}{}", k < 0 ? "-" : "", magnitude / 8, kFractions[magnitude % 8]);
}

std::string FormatCents(int64_t cents) {
  uint64_t magnitude = cents < 0 ? 0 - static_cast<uint64_t>(cents) : static_cast<uint64_t>(cents);
  return fmt::format("{}{}.{:02}", cents < 0 ? "-" : "", magnitude / 100, magnitude % 100);
}

}  // namespace freshet::sql_tests::differential
