// SPDX-License-Identifier: Apache-2.0
// freshet_difftest: loads the same seeded fixture into a fresh `freshet` server and a throwaway
// PostgreSQL 15 (the oracle), runs every query of the given .sql files and/or N generated queries
// on both, and reports each query whose answers differ. Ends with the line "N passed, N failed"
// counting queries; exits 0 only if none failed (2: setup failed, 77: no PostgreSQL to run).
#include <algorithm>
#include <atomic>
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include "sql_tests/differential/answer.h"
#include "sql_tests/differential/fixture.h"
#include "sql_tests/differential/postgres_oracle.h"
#include "sql_tests/differential/query_file.h"
#include "sql_tests/differential/query_generator.h"
#include "sql_tests/differential/sql_client.h"
#include "sql_tests/differential/stream_mode.h"
#include "sql_tests/differential/tester.h"
#include "sql_tests/runner/server_process.h"

namespace freshet::sql_tests::differential {
namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kTopErrorMessages = 30;

constexpr std::string_view kUsage =
    "usage: freshet_difftest --freshet PATH [options] [--queries FILE_OR_DIR...] [--generate N]\n"
    "       freshet_difftest --freshet PATH [options] --stream-views N [--rounds R]\n"
    "options:\n"
    "  --freshet PATH          the freshet binary; started on a free port with a fresh data "
    "directory\n"
    "  --freshet-port P        use a freshet already listening on 127.0.0.1:P instead\n"
    "  --postgres-bin DIR      PostgreSQL 15 binaries (default $PG_BIN or "
    "/usr/lib/postgresql/15/bin)\n"
    "  --postgres-port P       use a PostgreSQL already listening on 127.0.0.1:P (database "
    "postgres)\n"
    "  --queries PATH...       .sql files, or directories searched for them (one query per "
    "statement)\n"
    "  --generate N            also run N generated queries\n"
    "  --stream-views N        streaming mode: N generated materialized views (and N/5 views on\n"
    "                          views) checked after every round of random DML (see README.md)\n"
    "  --rounds R              rounds of DML in the streaming mode (default 8)\n"
    "  --seed S                seed of the data and of the generator (default 42)\n"
    "  --data-seed S           seed of the data only (default: --seed)\n"
    "  --timeout SECONDS       per query and server (default 20)\n"
    "  --deadline SECONDS      stop starting queries after this long; the rest count as failed\n"
    "  --only-freshet-errors   print only the differences where Freshet raised an error\n"
    "  --ignore-freshet-errors count queries Freshet rejects with an error as skipped, not "
    "failed\n"
    "  --compare-types         columns must also have the same type OIDs\n"
    "  --check-oracle          PostgreSQL only: run each query on rows stored in reverse order\n"
    "                          and under other plans; report queries whose answer changes\n"
    "  --print-queries         print the queries (with --generate: the generated ones) and exit\n"
    "  --quiet                 print the summary only\n"
    "  --max-rows N            rows shown per answer in a difference (default 20)\n"
    "  --keep-data             keep the temporary directories (data, server logs)\n"
    "  --verbose               print every query as it runs\n";

/// Records the signal and unblocks the queries in flight; the main loop then stops the servers.
void OnStopSignal(int signal_number) {
  g_stop_signal.store(signal_number);
  ShutdownAllConnections();  // blocked queries return at once
}

/// One query to run on both engines.
struct Query {
  std::string sql;
  /// Where it comes from: "queries/joins.sql:12" or "generated #17".
  std::string origin;
  /// The summary groups queries by this: the file's name, or the generator's shape.
  std::string category;
  bool ordered = false;
};

/// Passed and failed queries of one category.
struct Tally {
  int passed = 0;
  int failed = 0;
  int skipped = 0;
  std::map<DifferenceKind, int> kinds;
};

/// Parses a whole string as a number.
template <typename T>
std::optional<T> ParseNumber(std::string_view text) {
  T value{};
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return value;
}

/// Reads the query files and generates the random queries, in that order.
std::optional<std::string> CollectQueries(const Options& options, std::vector<Query>& queries) {
  std::vector<std::string> files;
  if (std::optional<std::string> error = CollectQueryFiles(options.query_paths, files)) {
    return error;
  }
  for (const std::string& file : files) {
    std::optional<std::string> text = ReadFile(file);
    if (!text) {
      return "cannot read " + file;
    }
    std::string category = std::filesystem::path(file).stem().string();
    for (const QueryText& statement : SplitStatements(*text)) {
      queries.push_back(Query{statement.sql, fmt::format("{}:{}", file, statement.line), category,
                              HasTopLevelOrderBy(statement.sql)});
    }
  }
  if (options.check_oracle) {
    // The views' queries (views on views inlined) on the fixture as loaded, before any DML.
    for (const StreamView& view : PlanStreamViews(options.stream_views, options.seed)) {
      if (view.generated.rows_determined) {
        queries.push_back(Query{view.postgres_sql, view.origin, view.generated.category,
                                HasTopLevelOrderBy(view.postgres_sql)});
      }
    }
  }
  QueryGenerator generator(FixtureTables(), options.seed);
  for (int i = 1; i <= options.generate; ++i) {
    GeneratedQuery generated = generator.Next();
    queries.push_back(Query{generated.sql, fmt::format("generated #{} (seed {})", i, options.seed),
                            generated.category, HasTopLevelOrderBy(generated.sql)});
  }
  return std::nullopt;
}

/// Prints one failed query with both answers.
void PrintDifference(const Query& query,
                     const Comparison& comparison,
                     const Answer& expected,
                     const Answer& actual,
                     const Options& options,
                     std::string_view actual_name) {
  std::cout << fmt::format("FAIL {} [{}]\n{}  {}:\n{}  {}:\n{}  difference: {}\n\n", query.origin,
                           DifferenceKindName(comparison.kind), Indent(query.sql, "  | "),
                           "PostgreSQL", FormatAnswer(expected, options.max_rows), actual_name,
                           FormatAnswer(actual, options.max_rows),
                           Indent(comparison.explanation, "    ").substr(4));
}

/// Prints the per-category table and the most frequent Freshet errors.
void PrintSummary(const std::map<std::string, Tally>& tallies,
                  const std::map<std::string, int>& freshet_errors,
                  bool check_oracle) {
  std::cout << fmt::format("\n{:<28} {:>7} {:>7} {:>7}   failures by kind\n", "category", "passed",
                           "failed", "skipped");
  for (const auto& [category, tally] : tallies) {
    std::string kinds;
    for (const auto& [kind, count] : tally.kinds) {
      kinds += fmt::format("{}{} {}", kinds.empty() ? "" : ", ", count, DifferenceKindName(kind));
    }
    std::cout << fmt::format("{:<28} {:>7} {:>7} {:>7}   {}\n", category, tally.passed,
                             tally.failed, tally.skipped, kinds);
  }
  if (!freshet_errors.empty()) {
    std::vector<std::pair<int, std::string>> by_count;
    for (const auto& [message, count] : freshet_errors) {
      by_count.emplace_back(-count, message);
    }
    std::sort(by_count.begin(), by_count.end());
    std::cout
        << (check_oracle
                ? "\nerrors PostgreSQL raised (most frequent first):\n"
                : "\nerrors Freshet raised where PostgreSQL answered (most frequent first):\n");
    for (size_t i = 0; i < by_count.size() && i < kTopErrorMessages; ++i) {
      std::cout << fmt::format("  {:>5}  {}\n", -by_count[i].first, by_count[i].second);
    }
    if (by_count.size() > kTopErrorMessages) {
      std::cout << fmt::format("  ... and {} other messages\n",
                               by_count.size() - kTopErrorMessages);
    }
  }
}

/// The planner settings and storage orders --check-oracle compares, by name.
struct OracleVariant {
  std::string name;
  std::vector<std::string> settings;
};

/// Starts both servers, runs every query on both and reports; returns the exit status.
int Run(const Options& options) {
  std::vector<Query> queries;
  if (std::optional<std::string> error = CollectQueries(options, queries)) {
    std::cerr << "freshet_difftest: " << *error << "\n";
    return kExitSetup;
  }
  if (options.print_queries) {
    for (const Query& query : queries) {
      std::cout << fmt::format("-- {} [{}]\n{};\n", query.origin, query.category, query.sql);
    }
    return 0;
  }
  if (queries.empty()) {
    std::cerr << "freshet_difftest: no queries (give --queries or --generate)\n";
    return kExitSetup;
  }
  uint64_t data_seed = options.data_seed.value_or(options.seed);
  std::vector<std::string> fixture = FixtureStatements(data_seed, false);

  // The oracle.
  std::unique_ptr<PostgresOracle> oracle;
  int postgres_port = options.postgres_port;
  if (postgres_port == 0) {
    oracle = std::make_unique<PostgresOracle>(options.postgres_bin, options.keep_data);
    if (access((options.postgres_bin + "/postgres").c_str(), X_OK) != 0) {
      std::cout << fmt::format(
          "SKIP: no PostgreSQL at {} (install the postgresql package or set --postgres-bin)\n",
          options.postgres_bin);
      return kExitSkipped;
    }
    if (std::optional<std::string> error = oracle->Start(kServerReadyTimeout)) {
      std::cerr << "freshet_difftest: cannot start PostgreSQL: " << *error << "\n";
      return kExitSetup;
    }
    postgres_port = oracle->Port();
    if (options.keep_data) {
      std::cout << fmt::format("PostgreSQL directory: {}\n", oracle->Directory());
    }
  }
  std::vector<OracleVariant> variants = {{"postgres", {}}};
  if (options.check_oracle) {
    variants.push_back({"reversed storage order", {"SET search_path = reversed"}});
    variants.push_back({"reversed, nested loops and sorts",
                        {"SET search_path = reversed", "SET enable_hashagg = off",
                         "SET enable_hashjoin = off", "SET enable_mergejoin = off"}});
    variants.push_back({"parallel plans",
                        {"SET parallel_setup_cost = 0", "SET parallel_tuple_cost = 0",
                         "SET min_parallel_table_scan_size = 0",
                         "SET max_parallel_workers_per_gather = 4", "SET enable_nestloop = off"}});
  }
  std::vector<std::unique_ptr<SqlClient>> postgres;
  for (const OracleVariant& variant : variants) {
    postgres.push_back(std::make_unique<SqlClient>());
    if (std::optional<std::string> error =
            ConnectToPostgres(*postgres.back(), postgres_port, options, variant.settings)) {
      std::cerr << "freshet_difftest: PostgreSQL: " << *error << "\n";
      return kExitSetup;
    }
  }
  if (options.postgres_port != 0) {
    FreshetServer::DropFixtureTables(*postgres[0]);
  }
  std::optional<std::string> load_error = LoadIntoPostgres(*postgres[0], fixture);
  if (!load_error && options.check_oracle) {
    std::vector<std::string> reversed = {"DROP SCHEMA IF EXISTS reversed CASCADE",
                                         "CREATE SCHEMA reversed", "SET search_path = reversed"};
    std::vector<std::string> rows = FixtureStatements(data_seed, true);
    reversed.insert(reversed.end(), rows.begin(), rows.end());
    reversed.emplace_back("SET search_path = public");
    load_error = LoadIntoPostgres(*postgres[0], reversed);
  }
  if (load_error) {
    std::cerr << "freshet_difftest: " << *load_error << "\n";
    return kExitSetup;
  }

  // Freshet.
  std::unique_ptr<FreshetServer> freshet;
  if (!options.check_oracle) {
    freshet = std::make_unique<FreshetServer>(options, fixture);
    if (std::optional<std::string> error = freshet->Start()) {
      std::cerr << "freshet_difftest: " << *error << "\n";
      return kExitSetup;
    }
  }

  std::map<std::string, Tally> tallies;
  std::map<std::string, int> error_messages;
  int passed = 0;
  int failed = 0;
  int skipped = 0;
  int oracle_errors = 0;
  auto started = Clock::now();
  size_t index = 0;
  for (; index < queries.size(); ++index) {
    const Query& query = queries[index];
    if (g_stop_signal.load() != 0) {
      break;
    }
    if (options.deadline && Clock::now() - started > *options.deadline) {
      std::cout << fmt::format("DEADLINE: {} s passed; {} queries not run count as failed\n",
                               options.deadline->count(), queries.size() - index);
      break;
    }
    if (options.verbose) {
      std::cout << fmt::format("-- {}\n{}\n", query.origin, query.sql) << std::flush;
    }
    Tally& tally = tallies[query.category];
    Answer expected = postgres[0]->Run(query.sql, options.timeout);
    if (!postgres[0]->Connected()) {
      // The oracle's session died (it should not): reconnect for the next query.
      if (std::optional<std::string> error =
              ConnectToPostgres(*postgres[0], postgres_port, options, variants[0].settings)) {
        std::cout << "WARNING: lost the PostgreSQL session and could not reconnect: " << *error
                  << "\n";
      }
    }
    Comparison comparison;
    Answer actual;
    std::string actual_name = "Freshet";
    if (options.check_oracle) {
      if (expected.kind == Answer::Kind::kError) {
        ++oracle_errors;
        ++error_messages[fmt::format("[{}] {}", expected.sqlstate, expected.message)];
        if (!options.quiet) {
          std::cout << fmt::format("PostgreSQL error in {}: [{}] {}\n{}\n", query.origin,
                                   expected.sqlstate, expected.message, Indent(query.sql, "  | "));
        }
      }
      for (size_t v = 1; v < variants.size() && comparison.kind == DifferenceKind::kNone; ++v) {
        actual = postgres[v]->Run(query.sql, options.timeout);
        comparison = CompareAnswers(expected, actual, query.ordered, true);
        actual_name = "PostgreSQL, " + variants[v].name;
      }
    } else {
      actual = freshet->Run(query.sql);
      comparison = CompareAnswers(expected, actual, query.ordered, options.compare_types);
      if (comparison.kind == DifferenceKind::kFreshetError) {
        ++error_messages[fmt::format("[{}] {}", actual.sqlstate, actual.message)];
      }
    }
    if (comparison.kind == DifferenceKind::kNone) {
      ++passed;
      ++tally.passed;
      continue;
    }
    if (comparison.kind == DifferenceKind::kFreshetError && options.ignore_freshet_errors) {
      ++skipped;
      ++tally.skipped;
      continue;
    }
    ++failed;
    ++tally.failed;
    ++tally.kinds[comparison.kind];
    bool show = !options.quiet &&
                (!options.only_freshet_errors || comparison.kind == DifferenceKind::kFreshetError);
    if (show) {
      PrintDifference(query, comparison, expected, actual, options, actual_name);
    }
  }
  int not_run = static_cast<int>(queries.size() - index);
  failed += not_run;

  PrintSummary(tallies, error_messages, options.check_oracle);
  std::cout << fmt::format(
      "\nqueries: {} run, {} not run, {} skipped (Freshet error, --ignore-freshet-errors); "
      "{} Freshet restart(s); {:.1f} s\n",
      index, not_run, skipped, freshet ? freshet->Restarts() : 0,
      std::chrono::duration<double>(Clock::now() - started).count());
  if (options.check_oracle) {
    std::cout << fmt::format("PostgreSQL raised an error on {} queries\n", oracle_errors);
  }
  std::cout << fmt::format("{} passed, {} failed\n", passed, failed);
  std::cout.flush();

  freshet.reset();
  postgres.clear();
  if (oracle) {
    oracle->Stop(kStopGrace);
  }
  if (int signal_number = g_stop_signal.load(); signal_number != 0) {
    std::cerr << fmt::format("freshet_difftest: stopped by signal {}\n", signal_number);
    return 128 + signal_number;
  }
  return failed == 0 ? 0 : kExitDifferences;
}

/// Parses the command line and runs.
int Main(int argc, char** argv) {
  Options options;
  const char* pg_bin = std::getenv("PG_BIN");
  options.postgres_bin = pg_bin != nullptr ? pg_bin : "/usr/lib/postgresql/15/bin";
  std::vector<std::string_view> arguments(argv + 1, argv + argc);
  for (size_t i = 0; i < arguments.size(); ++i) {
    std::string_view argument = arguments[i];
    auto value = [&]() -> std::optional<std::string_view> {
      if (i + 1 >= arguments.size()) {
        std::cerr << fmt::format("freshet_difftest: {} needs a value\n{}", argument, kUsage);
        return std::nullopt;
      }
      return arguments[++i];
    };
    auto number = [&]() -> std::optional<int64_t> {
      std::optional<std::string_view> text = value();
      if (!text) {
        return std::nullopt;
      }
      std::optional<int64_t> parsed = ParseNumber<int64_t>(*text);
      if (!parsed || *parsed < 0) {
        std::cerr << fmt::format("freshet_difftest: {} needs a number, not '{}'\n", argument,
                                 *text);
        return std::nullopt;
      }
      return parsed;
    };
    if (argument == "--help" || argument == "-h") {
      std::cout << kUsage;
      return 0;
    }
    if (argument == "--freshet" || argument == "--postgres-bin") {
      std::optional<std::string_view> text = value();
      if (!text) {
        return kExitSetup;
      }
      if (argument == "--freshet") {
        options.freshet_binary = std::string(*text);
      } else {
        options.postgres_bin = std::string(*text);
      }
    } else if (argument == "--queries") {
      while (i + 1 < arguments.size() && arguments[i + 1].substr(0, 2) != "--") {
        options.query_paths.emplace_back(arguments[++i]);
      }
    } else if (argument == "--freshet-port" || argument == "--postgres-port" ||
               argument == "--generate" || argument == "--stream-views" || argument == "--rounds" ||
               argument == "--seed" || argument == "--data-seed" || argument == "--timeout" ||
               argument == "--deadline" || argument == "--max-rows") {
      std::optional<int64_t> parsed = number();
      if (!parsed) {
        return kExitSetup;
      }
      if (argument == "--freshet-port") {
        options.freshet_port = static_cast<int>(*parsed);
      } else if (argument == "--postgres-port") {
        options.postgres_port = static_cast<int>(*parsed);
      } else if (argument == "--generate") {
        options.generate = static_cast<int>(*parsed);
      } else if (argument == "--stream-views") {
        options.stream_views = static_cast<int>(*parsed);
      } else if (argument == "--rounds") {
        options.rounds = static_cast<int>(*parsed);
      } else if (argument == "--seed") {
        options.seed = static_cast<uint64_t>(*parsed);
      } else if (argument == "--data-seed") {
        options.data_seed = static_cast<uint64_t>(*parsed);
      } else if (argument == "--timeout") {
        options.timeout = std::chrono::seconds(std::max<int64_t>(1, *parsed));
      } else if (argument == "--deadline") {
        options.deadline = std::chrono::seconds(*parsed);
      } else {
        options.max_rows = static_cast<size_t>(*parsed);
      }
    } else if (argument == "--only-freshet-errors") {
      options.only_freshet_errors = true;
    } else if (argument == "--ignore-freshet-errors") {
      options.ignore_freshet_errors = true;
    } else if (argument == "--compare-types") {
      options.compare_types = true;
    } else if (argument == "--check-oracle") {
      options.check_oracle = true;
    } else if (argument == "--print-queries") {
      options.print_queries = true;
    } else if (argument == "--quiet") {
      options.quiet = true;
    } else if (argument == "--keep-data") {
      options.keep_data = true;
    } else if (argument == "--verbose" || argument == "-v") {
      options.verbose = true;
    } else {
      std::cerr << fmt::format("freshet_difftest: unknown argument {}\n{}", argument, kUsage);
      return kExitSetup;
    }
  }
  bool has_freshet = options.freshet_binary.has_value() || options.freshet_port != 0;
  if (!options.check_oracle && !options.print_queries && !has_freshet) {
    std::cerr << fmt::format("freshet_difftest: give --freshet PATH or --freshet-port\n{}", kUsage);
    return kExitSetup;
  }
  if (options.stream_views > 0 && !options.check_oracle &&
      (options.generate > 0 || !options.query_paths.empty())) {
    std::cerr << "freshet_difftest: --stream-views runs alone (or with --check-oracle)\n";
    return kExitSetup;
  }
  if (options.stream_views > 0 && options.print_queries) {
    PrintStreamWorkload(options);
    return 0;
  }
  if (options.freshet_binary && access(options.freshet_binary->c_str(), X_OK) != 0) {
    std::cerr << fmt::format("freshet_difftest: {} is missing or not executable\n",
                             *options.freshet_binary);
    return kExitSetup;
  }
  if (options.stream_views > 0 && !options.check_oracle) {
    return RunStreamViews(options);
  }
  return Run(options);
}

}  // namespace
}  // namespace freshet::sql_tests::differential

int main(int argc, char** argv) {
  // A server that closes its socket must fail a query, not kill the tester.
  signal(SIGPIPE, SIG_IGN);
  struct sigaction action {};
  action.sa_handler = freshet::sql_tests::differential::OnStopSignal;
  sigemptyset(&action.sa_mask);
  for (int signal_number : {SIGINT, SIGTERM, SIGHUP}) {
    sigaction(signal_number, &action, nullptr);
  }
  return freshet::sql_tests::differential::Main(argc, argv);
}
