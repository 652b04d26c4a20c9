// SPDX-License-Identifier: Apache-2.0
// What the crash tests ask of the server they kill: statements and one-row queries, each over a
// connection of its own (the server may have been restarted since the last one).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <pqxx/pqxx>

namespace freshet::sql_tests {

/// Runs `sql` on the server at 127.0.0.1:`port` (user freshet, database dev).
inline void Execute(int port, const std::string& sql) {
  pqxx::connection connection(
      fmt::format("host=127.0.0.1 port={} user=freshet dbname=dev connect_timeout=10", port));
  pqxx::nontransaction transaction(connection);
  transaction.exec(sql);
}

/// The first row of `query` as integers (NULL as 0); empty when it returns no row.
inline std::vector<int64_t> QueryRow(int port, const std::string& query) {
  pqxx::connection connection(
      fmt::format("host=127.0.0.1 port={} user=freshet dbname=dev connect_timeout=10", port));
  pqxx::nontransaction transaction(connection);
  const pqxx::result result = transaction.exec(query);
  std::vector<int64_t> row;
  if (!result.empty()) {
    for (const pqxx::field& field : result[0]) {
      row.push_back(field.is_null() ? 0 : field.as<int64_t>());
    }
  }
  return row;
}

}  // namespace freshet::sql_tests
