// SPDX-License-Identifier: Apache-2.0
#include "sql_tests/differential/stream_workload.h"

#include <algorithm>
#include <cstdlib>

#include <fmt/format.h>

namespace freshet::sql_tests::differential {
namespace {

constexpr size_t kRowsPerCopyInsert = 50;
/// Mixed into the seed so that the workload's draws are independent of the views'.
constexpr uint64_t kWorkloadSeedSalt = 0x5eed0f0d4e1e7eULL;

/// The primary key column of the table, or nullptr.
const ColumnSpec* KeyColumn(const TableSpec& table) {
  for (const ColumnSpec& column : table.columns) {
    if (column.primary_key) {
      return &column;
    }
  }
  return nullptr;
}

/// The table of that name in StreamTables() (for predicates with the workload's bounds).
const TableSpec& StreamTable(const std::string& name) {
  for (const TableSpec& table : StreamTables()) {
    if (table.name == name) {
      return table;
    }
  }
  return StreamTables().front();
}

/// Returns a value as PostgreSQL printed it as a literal for a column of the type.
std::string Literal(const Value& value, SqlType type) {
  if (!value) {
    return "NULL";
  }
  switch (type) {
    case SqlType::kBool:
      return *value == "t" ? "true" : "false";
    case SqlType::kInt16:
    case SqlType::kInt32:
    case SqlType::kInt64:
    case SqlType::kDouble:
    case SqlType::kNumeric:
      return *value;
    case SqlType::kText:
    case SqlType::kDate:
    case SqlType::kTimestamp:
      return QuoteLiteral(*value);
  }
  return QuoteLiteral(*value);
}

}  // namespace

const std::vector<TableSpec>& StreamTables() {
  static const std::vector<TableSpec> tables = [] {
    std::vector<TableSpec> result = FixtureTables();
    for (TableSpec& table : result) {
      table.row_count += static_cast<int>(kWorkloadKeySpace);
    }
    return result;
  }();
  return tables;
}

WorkloadGenerator::WorkloadGenerator(uint64_t seed)
    : random_(seed ^ kWorkloadSeedSalt),
      predicates_(StreamTables(), (seed ^ kWorkloadSeedSalt) + 1) {
  for (const TableSpec& table : FixtureTables()) {
    if (const ColumnSpec* key = KeyColumn(table)) {
      next_key_[table.name] = key->min + table.row_count;
    }
  }
}

const TableSpec& WorkloadGenerator::PickTable() {
  static const std::vector<std::string> kWeighted = {"people", "people", "people", "orders",
                                                     "orders", "orders", "events", "events",
                                                     "events", "tiny",   "nothing"};
  const std::string& name = random_.Pick(kWeighted);
  for (const TableSpec& table : FixtureTables()) {
    if (table.name == name) {
      return table;
    }
  }
  return FixtureTables().front();
}

int64_t WorkloadGenerator::FreshKey(const TableSpec& table) {
  const ColumnSpec* key = KeyColumn(table);
  int64_t& next = next_key_[table.name];
  if (next >= key->min + table.row_count + kWorkloadKeySpace) {
    return SomeKey(table);
  }
  return next++;
}

int64_t WorkloadGenerator::SomeKey(const TableSpec& table) {
  const ColumnSpec* key = KeyColumn(table);
  int64_t last = std::max(key->min, next_key_[table.name] - 1);
  int64_t value = random_.Between(key->min, last);
  return random_.Percent(15) ? -value : value;
}

std::vector<DmlStatement> WorkloadGenerator::NextRound() {
  std::vector<DmlStatement> statements;
  int64_t count = random_.Between(8, 16);
  for (int64_t i = 0; i < count; ++i) {
    const TableSpec& table = PickTable();
    int64_t roll = random_.Between(0, 99);
    statements.push_back(roll < 40 ? Insert(table) : roll < 70 ? Update(table) : Delete(table));
  }
  return statements;
}

DmlStatement WorkloadGenerator::Insert(const TableSpec& table) {
  if (table.name != "nothing" && random_.Percent(12)) {
    return InsertSelect(table);
  }
  int64_t count = random_.Between(1, table.name == "tiny" ? 3 : 8);
  // Sometimes name a subset of the columns; the others are NULL.
  std::vector<const ColumnSpec*> columns;
  bool listed = random_.Percent(15);
  for (const ColumnSpec& column : table.columns) {
    if (!listed || column.primary_key || random_.Percent(60)) {
      columns.push_back(&column);
    }
  }
  std::vector<std::string> rows;
  int64_t first_key = 0;
  for (int64_t row = 0; row < count; ++row) {
    std::vector<std::string> values;
    for (const ColumnSpec* column : columns) {
      if (column->primary_key) {
        int64_t value = random_.Percent(88) ? FreshKey(table) : SomeKey(table);
        if (row == 0) {
          first_key = value;
        } else if (row == count - 1 && random_.Percent(5)) {
          value = first_key;  // the same key twice in one statement
        }
        values.push_back(std::to_string(value));
      } else if (table.name == "tiny" && random_.Percent(20)) {
        values.emplace_back("NULL");  // tiny's columns have no NULL rate of their own
      } else {
        values.push_back(RandomLiteral(*column, random_));
      }
    }
    rows.push_back(fmt::format("({})", fmt::join(values, ", ")));
  }
  std::string column_list;
  if (listed) {
    std::vector<std::string> names;
    for (const ColumnSpec* column : columns) {
      names.push_back(column->name);
    }
    column_list = fmt::format(" ({})", fmt::join(names, ", "));
  }
  return {table.name, fmt::format("INSERT INTO {}{} VALUES {}", table.name, column_list,
                                  fmt::join(rows, ", "))};
}

DmlStatement WorkloadGenerator::InsertSelect(const TableSpec& table) {
  const ColumnSpec* key = KeyColumn(table);
  if (key == nullptr) {
    // Copies of existing rows: duplicates in a table without a key.
    std::string where =
        table.name == "events"
            ? fmt::format("events.n BETWEEN {0} AND {0} + 40", random_.Between(-1000, 1000))
            : fmt::format("{}.a = {}", table.name, random_.Between(1, 3));
    return {table.name,
            fmt::format("INSERT INTO {0} SELECT * FROM {0} WHERE {1}", table.name, where)};
  }
  // Rows of a key range copied under fresh keys: the range shifted past every key used so far.
  int64_t& next = next_key_[table.name];
  int64_t low = random_.Between(key->min, std::max(key->min, next - 1));
  int64_t width = random_.Between(0, 15);
  int64_t shift = next - low;
  if (next + width >= key->min + table.row_count + kWorkloadKeySpace) {
    return Delete(table);  // the key space is used up
  }
  next += width + 1;
  std::vector<std::string> values;
  for (const ColumnSpec& column : table.columns) {
    values.push_back(column.primary_key ? fmt::format("{} + {}", column.name, shift) : column.name);
  }
  return {table.name,
          fmt::format("INSERT INTO {0} SELECT {1} FROM {0} WHERE {0}.{2} BETWEEN {3} AND {4}",
                      table.name, fmt::join(values, ", "), key->name, low, low + width)};
}

DmlStatement WorkloadGenerator::Update(const TableSpec& table) {
  const ColumnSpec* key = KeyColumn(table);
  std::vector<const ColumnSpec*> others;
  for (const ColumnSpec& column : table.columns) {
    if (!column.primary_key) {
      others.push_back(&column);
    }
  }
  std::vector<std::string> assignments;
  std::string where;
  if (key != nullptr && random_.Percent(25)) {
    if (random_.Percent(50)) {
      // One row moves to a fresh key or to one that may be taken (then both servers refuse).
      int64_t target = random_.Percent(50) ? FreshKey(table) : SomeKey(table);
      assignments.push_back(fmt::format("{} = {}", key->name, target));
      where = fmt::format("{}.{} = {}", table.name, key->name, SomeKey(table));
    } else {
      // Rows change the sign of their key: the new keys never meet the old keys of the rows
      // the statement updates, only keys of other rows, so the outcome is deterministic.
      assignments.push_back(fmt::format("{} = -{}", key->name, key->name));
      int64_t low = std::abs(SomeKey(table));
      int64_t high = low + random_.Between(0, 30);
      std::string column = table.name + "." + key->name;
      where = random_.Percent(70) ? fmt::format("{} BETWEEN {} AND {}", column, low, high)
                                  : fmt::format("{} BETWEEN {} AND {}", column, -high, -low);
      if (random_.Percent(40)) {
        where += " AND (" + predicates_.Predicate(StreamTable(table.name), 1) + ")";
      }
    }
    if (random_.Percent(30)) {
      const ColumnSpec* column = random_.Pick(others);
      assignments.push_back(fmt::format("{} = {}", column->name, RandomLiteral(*column, random_)));
    }
  } else {
    int64_t count = random_.Between(1, std::min<int64_t>(3, static_cast<int64_t>(others.size())));
    std::vector<const ColumnSpec*> chosen;
    while (static_cast<int64_t>(chosen.size()) < count) {
      const ColumnSpec* column = random_.Pick(others);
      if (std::find(chosen.begin(), chosen.end(), column) == chosen.end()) {
        chosen.push_back(column);
      }
    }
    for (const ColumnSpec* column : chosen) {
      int64_t roll = random_.Between(0, 99);
      std::string value;
      std::vector<const ColumnSpec*> sources;
      for (const ColumnSpec* other : others) {
        // Another column whose values all fit (text of any length: too long is an error both
        // servers must raise).
        bool fits = other->type == SqlType::kText ||
                    (other->min >= column->min && other->max <= column->max);
        if (other != column && other->type == column->type && fits) {
          sources.push_back(other);
        }
      }
      if (roll < 10) {
        value = "NULL";
      } else if (roll < 14) {
        value = column->name;  // no change: the rows are retracted and inserted as they were
      } else if (roll < 20 && !sources.empty()) {
        value = random_.Pick(sources)->name;
      } else if (roll < 30) {
        // Depends on the row: some rows keep their value.
        value = fmt::format("CASE WHEN {} THEN {} ELSE {} END",
                            predicates_.Predicate(StreamTable(table.name), 1),
                            RandomLiteral(*column, random_), column->name);
      } else {
        value = RandomLiteral(*column, random_);
      }
      assignments.push_back(fmt::format("{} = {}", column->name, value));
    }
    where = Selective(table);
  }
  return {table.name, fmt::format("UPDATE {} SET {} WHERE {}", table.name,
                                  fmt::join(assignments, ", "), where)};
}

DmlStatement WorkloadGenerator::Delete(const TableSpec& table) {
  return {table.name, fmt::format("DELETE FROM {} WHERE {}", table.name, Selective(table))};
}

std::string WorkloadGenerator::Selective(const TableSpec& table) {
  const TableSpec& stream_table = StreamTable(table.name);
  auto predicate = [&]() {
    return predicates_.Predicate(stream_table, static_cast<int>(random_.Between(1, 3)));
  };
  int64_t roll = random_.Between(0, 99);
  if (const ColumnSpec* key = KeyColumn(table)) {
    std::string column = table.name + "." + key->name;
    int64_t low = SomeKey(table);
    if (roll < 30) {
      return fmt::format("{} = {}", column, low);
    }
    if (roll < 60) {
      return fmt::format("{} BETWEEN {} AND {}", column, low, low + random_.Between(0, 20));
    }
    if (roll < 93) {
      return fmt::format("({}) AND {} BETWEEN {} AND {}", predicate(), column, low, low + 60);
    }
    return predicate();
  }
  if (table.name == "events") {
    if (roll < 30) {
      int64_t low = random_.Between(-1000, 1000);
      return fmt::format("events.n BETWEEN {} AND {}", low, low + 40);
    }
    if (roll < 50) {
      const ColumnSpec& category = table.columns[0];
      return fmt::format("events.category = {} AND events.code = {}",
                         QuoteLiteral(random_.Pick(category.words)), random_.Between(-5, 5));
    }
    if (roll < 93) {
      int64_t low = random_.Between(-1000, 1000);
      return fmt::format("({}) AND events.n BETWEEN {} AND {}", predicate(), low, low + 150);
    }
    return predicate();
  }
  // tiny: a handful of rows.
  if (roll < 35) {
    return fmt::format("{}.a = {}", table.name, random_.Between(1, 3));
  }
  if (roll < 60) {
    return random_.Percent(20) ? table.name + ".b IS NULL"
                               : fmt::format("{}.b = {}", table.name,
                                             QuoteLiteral(random_.Pick(table.columns[1].words)));
  }
  return predicate();
}

std::vector<std::string> CopyTableStatements(const TableSpec& table, const std::vector<Row>& rows) {
  std::vector<std::string> statements = {"DELETE FROM " + table.name};
  for (size_t first = 0; first < rows.size(); first += kRowsPerCopyInsert) {
    std::vector<std::string> values;
    for (size_t i = first; i < rows.size() && i < first + kRowsPerCopyInsert; ++i) {
      std::vector<std::string> literals;
      for (size_t c = 0; c < table.columns.size() && c < rows[i].size(); ++c) {
        literals.push_back(Literal(rows[i][c], table.columns[c].type));
      }
      values.push_back(fmt::format("({})", fmt::join(literals, ", ")));
    }
    statements.push_back(
        fmt::format("INSERT INTO {} VALUES {}", table.name, fmt::join(values, ", ")));
  }
  return statements;
}

}  // namespace freshet::sql_tests::differential
