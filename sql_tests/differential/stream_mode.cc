// SPDX-License-Identifier: Apache-2.0
#include "sql_tests/differential/stream_mode.h"

#include <algorithm>
#include <chrono>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <unistd.h>

#include "sql_tests/differential/answer.h"
#include "sql_tests/differential/fixture.h"
#include "sql_tests/differential/postgres_oracle.h"
#include "sql_tests/differential/random.h"
#include "sql_tests/differential/sql_client.h"
#include "sql_tests/differential/stream_workload.h"

namespace freshet::sql_tests::differential {
namespace {

using Clock = std::chrono::steady_clock;

/// Mixed into the seed to pick the bases of views on views.
constexpr uint64_t kBasePickSalt = 0xba5e0f7e3e5ULL;
/// SQLSTATE feature_not_supported: a view Freshet cannot maintain yet is skipped, not failed.
constexpr std::string_view kFeatureNotSupported = "0A000";
constexpr size_t kTopMessages = 30;
/// Restarts of Freshet after which the run gives up (each one reloads every table and view).
constexpr int kMaxRecoveries = 5;

/// Replaces every occurrence of `from` in `text`.
std::string ReplaceAll(std::string text, std::string_view from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

/// True when `answer` is a set of rows (not an error, not a lost connection).
bool IsRows(const Answer& answer) {
  return answer.kind == Answer::Kind::kRows;
}

/// The answer with every row replaced by an empty one: comparing two of them compares the
/// columns and the number of rows only.
Answer CountsOnly(const Answer& answer) {
  Answer counted = answer;
  for (Row& row : counted.rows) {
    row.clear();
  }
  return counted;
}

/// Describes a DML statement's outcome for a report.
std::string Outcome(const Answer& answer) {
  switch (answer.kind) {
    case Answer::Kind::kRows:
      return fmt::format("{} row(s) affected", answer.affected_rows);
    case Answer::Kind::kError:
      return fmt::format("ERROR [{}] {}", answer.sqlstate, answer.message);
    case Answer::Kind::kConnectionLost:
      return "connection lost: " + answer.message;
    case Answer::Kind::kTimeout:
      return "timed out: " + answer.message;
  }
  return "?";
}

/// What became of a view.
enum class ViewState {
  kPlanned,
  kLive,
  /// Freshet raised 0A000 on CREATE (any error, with --ignore-freshet-errors): skipped.
  kNotSupported,
  /// Freshet raised another error, or crashed, on CREATE: one failure, then no more checks.
  kCreateFailed,
  /// PostgreSQL rejected the query: the generator's fault, skipped.
  kOracleRejected,
  /// A view on a view whose base is not live: skipped.
  kNoBase,
};

/// Checks of one category.
struct StreamTally {
  int passed = 0;
  int failed = 0;
  int skipped = 0;
  std::map<std::string, int> kinds;
};

/// One run of the streaming mode over started servers.
class StreamRun {
 public:
  StreamRun(const Options& options,
            FreshetServer& freshet,
            SqlClient& postgres,
            int postgres_port,
            std::vector<StreamView> views)
      : options_(options),
        freshet_(freshet),
        postgres_(postgres),
        postgres_port_(postgres_port),
        views_(std::move(views)),
        states_(views_.size(), ViewState::kPlanned),
        reported_(views_.size(), false),
        failed_in_round_(views_.size(), -1) {}

  /// Creates the views, runs the rounds and prints the summary; returns the exit status.
  int Execute();

 private:
  /// Runs a statement on PostgreSQL, reconnecting if its session died.
  Answer Postgres(const std::string& sql);
  /// Runs a statement on Freshet; after a restart, reloads the tables and views first.
  Answer Freshet(const std::string& sql);
  /// After Freshet restarted on a fresh directory: copies PostgreSQL's tables into it and
  /// creates the live views again. Returns false when the run should give up.
  bool Recover();
  /// Replaces the contents of a Freshet table by PostgreSQL's.
  void CopyTable(const TableSpec& table);
  /// CREATE MATERIALIZED VIEW for one planned view.
  void CreateView(size_t index);
  /// FLUSH on Freshet; a failure is reported and counted.
  void Flush(const std::string& round);
  /// Runs one DML statement on both servers and compares the outcomes.
  void RunDml(const DmlStatement& statement, const std::string& round);
  /// Compares every fixture table; copies PostgreSQL's contents over a table that differs.
  void CheckTables(const std::string& round);
  /// Compares one live view with PostgreSQL and with Freshet's batch answer.
  void CheckView(size_t index, const std::string& round);
  /// Prints the round's DML once, before its first failure.
  void PrintRoundDml();
  /// Counts a failure of a check that is not a view's (DML, tables, FLUSH, CREATE).
  void CountOtherFailure(const std::string& category, const std::string& kind);
  /// True when the deadline has passed or a signal asked to stop.
  bool OutOfTime();
  void PrintSummary(int not_run);

  const Options& options_;
  FreshetServer& freshet_;
  SqlClient& postgres_;
  int postgres_port_;
  std::vector<StreamView> views_;
  std::vector<ViewState> states_;
  /// A view whose difference was printed in full; later ones get one line.
  std::vector<bool> reported_;
  /// Per view: the last round whose check found the view's rows wrong, or -1.
  std::vector<int> failed_in_round_;
  std::map<std::string, StreamTally> tallies_;
  std::map<std::string, int> not_supported_messages_;
  int passed_ = 0;
  int failed_ = 0;
  int restarts_seen_ = 0;
  int recoveries_ = 0;
  bool gave_up_ = false;
  Clock::time_point started_ = Clock::now();
  std::vector<DmlStatement> round_dml_;
  /// The round running (0: the views' creation), and how reports name it.
  int round_number_ = 0;
  std::string round_;
  bool round_dml_printed_ = false;
};

Answer StreamRun::Postgres(const std::string& sql) {
  Answer answer = postgres_.Run(sql, options_.timeout);
  if (!postgres_.Connected()) {
    if (std::optional<std::string> error =
            ConnectToPostgres(postgres_, postgres_port_, options_, {})) {
      std::cout << "WARNING: lost the PostgreSQL session and could not reconnect: " << *error
                << "\n";
    }
  }
  return answer;
}

Answer StreamRun::Freshet(const std::string& sql) {
  if (options_.verbose) {
    std::cout << "freshet> " << sql << "\n" << std::flush;
  }
  Answer answer = freshet_.Run(sql);
  if (freshet_.Restarts() != restarts_seen_) {
    restarts_seen_ = freshet_.Restarts();
    if (!Recover()) {
      gave_up_ = true;
    }
  }
  return answer;
}

bool StreamRun::Recover() {
  if (++recoveries_ > kMaxRecoveries || g_stop_signal.load() != 0) {
    std::cout << fmt::format("Freshet had to be restarted {} times: giving up\n", recoveries_);
    return false;
  }
  std::cout << fmt::format(
      "NOTE: Freshet was restarted on a fresh directory (round {}); copying the tables from "
      "PostgreSQL and creating the live views again\n",
      round_);
  int restarts = freshet_.Restarts();
  for (const TableSpec& table : FixtureTables()) {
    CopyTable(table);
  }
  for (size_t i = 0; i < views_.size(); ++i) {
    if (states_[i] != ViewState::kLive) {
      continue;
    }
    Answer answer = freshet_.Run(
        fmt::format("CREATE MATERIALIZED VIEW {} AS {}", views_[i].name, views_[i].freshet_sql));
    if (!IsRows(answer)) {
      std::cout << fmt::format("WARNING: {} could not be created again: {}\n", views_[i].name,
                               Outcome(answer));
      states_[i] = ViewState::kCreateFailed;
    }
  }
  freshet_.Run("FLUSH");
  restarts_seen_ = freshet_.Restarts();
  return restarts_seen_ == restarts;
}

void StreamRun::CopyTable(const TableSpec& table) {
  Answer rows = Postgres("SELECT * FROM " + table.name);
  if (!IsRows(rows)) {
    std::cout << fmt::format("WARNING: cannot read {} from PostgreSQL: {}\n", table.name,
                             Outcome(rows));
    return;
  }
  for (const std::string& statement : CopyTableStatements(table, rows.rows)) {
    Answer answer = freshet_.Run(statement, kSetupTimeout);
    if (!IsRows(answer)) {
      std::cout << fmt::format("WARNING: copying {} into Freshet failed: {}\n{}", table.name,
                               Outcome(answer), Indent(statement.substr(0, 300)));
      return;
    }
  }
}

void StreamRun::CountOtherFailure(const std::string& category, const std::string& kind) {
  ++failed_;
  StreamTally& tally = tallies_[category];
  ++tally.failed;
  ++tally.kinds[kind];
}

bool StreamRun::OutOfTime() {
  if (g_stop_signal.load() != 0 || gave_up_) {
    return true;
  }
  return options_.deadline && Clock::now() - started_ > *options_.deadline;
}

void StreamRun::PrintRoundDml() {
  if (round_dml_printed_ || round_dml_.empty() || options_.quiet) {
    return;
  }
  round_dml_printed_ = true;
  std::string text;
  for (const DmlStatement& statement : round_dml_) {
    text += statement.sql + ";\n";
  }
  std::cout << fmt::format("-- the DML of round {}:\n{}\n", round_, Indent(text, "  | "));
}

void StreamRun::CreateView(size_t index) {
  StreamView& view = views_[index];
  StreamTally& tally = tallies_[view.generated.category];
  if (view.base >= 0 && states_[static_cast<size_t>(view.base)] != ViewState::kLive) {
    states_[index] = ViewState::kNoBase;
    ++tally.skipped;
    ++not_supported_messages_["(view on view) its base view was not created"];
    return;
  }
  Answer expected = Postgres(view.postgres_sql);
  if (!IsRows(expected)) {
    states_[index] = ViewState::kOracleRejected;
    ++tally.skipped;
    std::cout << fmt::format(
        "WARNING: PostgreSQL rejected the query of {} ({}), a generator bug: {}\n{}", view.name,
        view.origin, Outcome(expected), Indent(view.postgres_sql, "  | "));
    return;
  }
  std::string create =
      fmt::format("CREATE MATERIALIZED VIEW {} AS {}", view.name, view.freshet_sql);
  int restarts = freshet_.Restarts();
  Answer answer = Freshet(create);
  if (IsRows(answer)) {
    states_[index] = ViewState::kLive;
    return;
  }
  bool ignored = options_.ignore_freshet_errors && answer.kind == Answer::Kind::kError;
  if (answer.kind == Answer::Kind::kError && (answer.sqlstate == kFeatureNotSupported || ignored)) {
    states_[index] = ViewState::kNotSupported;
    ++tally.skipped;
    ++not_supported_messages_[fmt::format("[{}] {}", answer.sqlstate, answer.message)];
    if (options_.verbose) {
      std::cout << fmt::format("skipped {}: [{}] {}\n", view.name, answer.sqlstate, answer.message);
    }
    return;
  }
  // A crash while creating: Recover() already ran without this view.
  states_[index] = ViewState::kCreateFailed;
  std::string kind = answer.kind == Answer::Kind::kError ? "create error" : "no answer";
  CountOtherFailure(view.generated.category, kind);
  if (!options_.quiet) {
    std::cout << fmt::format("FAIL {} ({}) [{}]: CREATE MATERIALIZED VIEW failed{}\n{}{}\n",
                             view.name, view.origin, kind,
                             freshet_.Restarts() != restarts ? " (Freshet restarted)" : "",
                             Indent(create, "  | "), FormatAnswer(answer, 0));
  }
}

void StreamRun::Flush(const std::string& round) {
  Answer answer = Freshet("FLUSH");
  if (IsRows(answer)) {
    return;
  }
  CountOtherFailure("flush", answer.kind == Answer::Kind::kError ? "error" : "no answer");
  if (!options_.quiet) {
    PrintRoundDml();
    std::cout << fmt::format("FAIL FLUSH after round {}: {}\n\n", round, Outcome(answer));
  }
}

void StreamRun::RunDml(const DmlStatement& statement, const std::string& round) {
  Answer expected = Postgres(statement.sql);
  Answer actual = Freshet(statement.sql);
  StreamTally& tally = tallies_["dml:" + statement.table];
  if (options_.verbose) {
    std::cout << fmt::format("  PostgreSQL: {}; Freshet: {}\n", Outcome(expected), Outcome(actual));
  }
  std::string kind;
  if (IsRows(expected) && IsRows(actual)) {
    if (expected.affected_rows == actual.affected_rows) {
      ++tally.passed;
      return;
    }
    kind = "wrong row count";
  } else if (expected.kind == Answer::Kind::kError && actual.kind == Answer::Kind::kError) {
    if (expected.sqlstate == actual.sqlstate) {
      ++tally.passed;
      return;
    }
    kind = "wrong sqlstate";
  } else if (expected.kind == Answer::Kind::kError && IsRows(actual)) {
    kind = "missing error";
  } else if (IsRows(expected) && actual.kind == Answer::Kind::kError) {
    kind = "freshet error";
  } else if (!IsRows(expected) && expected.kind != Answer::Kind::kError) {
    kind = "oracle failure";
  } else {
    kind = "no answer";
  }
  ++failed_;
  ++tally.failed;
  ++tally.kinds[kind];
  if (!options_.quiet) {
    std::cout << fmt::format("FAIL DML in round {} [{}]\n{}  PostgreSQL: {}\n  Freshet:    {}\n\n",
                             round, kind, Indent(statement.sql, "  | "), Outcome(expected),
                             Outcome(actual));
  }
}

void StreamRun::CheckTables(const std::string& round) {
  bool copied = false;
  for (const TableSpec& table : FixtureTables()) {
    std::string sql = "SELECT * FROM " + table.name;
    Answer expected = Postgres(sql);
    Answer actual = Freshet(sql);
    Comparison comparison = CompareAnswers(expected, actual, false, false);
    StreamTally& tally = tallies_["table:" + table.name];
    if (comparison.kind == DifferenceKind::kNone) {
      ++tally.passed;
      continue;
    }
    CountOtherFailure("table:" + table.name, DifferenceKindName(comparison.kind));
    if (!options_.quiet) {
      PrintRoundDml();
      std::cout << fmt::format(
          "FAIL table {} after round {} [{}]: the tables differ; Freshet gets PostgreSQL's rows\n"
          "  difference: {}\n\n",
          table.name, round, DifferenceKindName(comparison.kind),
          Indent(comparison.explanation, "    ").substr(4));
    }
    if (IsRows(expected)) {
      CopyTable(table);
      copied = true;
    }
  }
  if (copied) {
    Flush(round);
  }
}

void StreamRun::CheckView(size_t index, const std::string& round) {
  const StreamView& view = views_[index];
  StreamTally& tally = tallies_[view.generated.category];
  Answer expected = Postgres(view.postgres_sql);
  if (!IsRows(expected)) {
    ++tally.skipped;
    std::cout << fmt::format("WARNING: PostgreSQL failed on the query of {} in round {}: {}\n",
                             view.name, round, Outcome(expected));
    return;
  }
  Answer stream = Freshet("SELECT * FROM " + view.name);
  Answer batch = Freshet(view.postgres_sql);
  bool counts_only = view.generated.top_n && !view.generated.rows_determined;
  auto compare = [&](const Answer& actual) {
    if (counts_only && IsRows(actual)) {
      return CompareAnswers(CountsOnly(expected), CountsOnly(actual), false,
                            options_.compare_types);
    }
    return CompareAnswers(expected, actual, false, options_.compare_types);
  };
  Comparison stream_comparison = compare(stream);
  Comparison batch_comparison = compare(batch);
  bool stream_ok = stream_comparison.kind == DifferenceKind::kNone;
  bool batch_ok = batch_comparison.kind == DifferenceKind::kNone;
  if (options_.verbose) {
    std::cout << fmt::format("  {} round {}: PostgreSQL {} row(s), view {}, batch {}\n", view.name,
                             round, expected.rows.size(), stream_ok ? "ok" : "differs",
                             batch_ok ? "ok" : "differs");
  }
  if (stream_ok && batch_ok) {
    ++passed_;
    ++tally.passed;
    return;
  }
  std::string kind;
  if (stream_ok) {
    kind = "batch only: " + DifferenceKindName(batch_comparison.kind);
  } else if (view.base >= 0 && failed_in_round_[static_cast<size_t>(view.base)] >= 0) {
    // The base view was wrong in this or an earlier round: this view read wrong changes.
    kind = "base view differed: " + DifferenceKindName(stream_comparison.kind);
  } else if (batch_ok) {
    kind = "view only: " + DifferenceKindName(stream_comparison.kind);
  } else {
    bool alike = IsRows(stream) && IsRows(batch) &&
                 CompareAnswers(batch, stream, false, false).kind == DifferenceKind::kNone;
    kind = (alike ? "view and batch alike: " : "view and batch: ") +
           DifferenceKindName(stream_comparison.kind);
  }
  ++failed_;
  ++tally.failed;
  ++tally.kinds[kind];
  if (!stream_ok) {
    failed_in_round_[index] = round_number_;
  }
  if (options_.quiet) {
    return;
  }
  const Comparison& shown = stream_ok ? batch_comparison : stream_comparison;
  if (reported_[index]) {
    std::string first_line = shown.explanation.substr(0, shown.explanation.find('\n'));
    std::cout << fmt::format("FAIL {} round {} [{}]: {}\n", view.name, round, kind, first_line);
    return;
  }
  reported_[index] = true;
  PrintRoundDml();
  std::string text = fmt::format("FAIL {} round {} [{}] {}, {}{}\n", view.name, round, kind,
                                 view.origin, view.generated.category,
                                 counts_only ? " (ties at the LIMIT: row counts compared)" : "");
  text +=
      Indent(fmt::format("CREATE MATERIALIZED VIEW {} AS {}", view.name, view.freshet_sql), "  | ");
  if (view.postgres_sql != view.freshet_sql) {
    text += "  PostgreSQL runs:\n" + Indent(view.postgres_sql, "  | ");
  }
  text += "  PostgreSQL:\n" + FormatAnswer(expected, options_.max_rows);
  text += fmt::format("  Freshet, SELECT * FROM {}:\n", view.name);
  text += stream_ok ? "    the same\n" : FormatAnswer(stream, options_.max_rows);
  text += "  Freshet, the query in batch:\n";
  text += batch_ok ? "    the same\n" : FormatAnswer(batch, options_.max_rows);
  text += fmt::format("  difference{}: {}\n", stream_ok ? " (batch)" : "",
                      Indent(shown.explanation, "    ").substr(4));
  if (!stream_ok && !batch_ok && &shown == &stream_comparison) {
    text += fmt::format("  batch difference: {}\n",
                        Indent(batch_comparison.explanation, "    ").substr(4));
  }
  std::cout << text << "\n";
}

void StreamRun::PrintSummary(int not_run) {
  std::cout << fmt::format("\n{:<34} {:>7} {:>7} {:>7}   failures by kind\n", "category", "passed",
                           "failed", "skipped");
  for (const auto& [category, tally] : tallies_) {
    std::string kinds;
    for (const auto& [kind, count] : tally.kinds) {
      kinds += fmt::format("{}{} {}", kinds.empty() ? "" : ", ", count, kind);
    }
    std::cout << fmt::format("{:<34} {:>7} {:>7} {:>7}   {}\n", category, tally.passed,
                             tally.failed, tally.skipped, kinds);
  }
  std::map<ViewState, int> states;
  for (ViewState state : states_) {
    ++states[state];
  }
  std::cout << fmt::format(
      "\nviews: {} planned, {} created, {} not supported (skipped), {} failed to create, {} "
      "rejected by PostgreSQL, {} without their base view, {} not reached\n",
      views_.size(), states[ViewState::kLive], states[ViewState::kNotSupported],
      states[ViewState::kCreateFailed], states[ViewState::kOracleRejected],
      states[ViewState::kNoBase], states[ViewState::kPlanned]);
  if (!not_supported_messages_.empty()) {
    std::vector<std::pair<int, std::string>> by_count;
    for (const auto& [message, count] : not_supported_messages_) {
      by_count.emplace_back(-count, message);
    }
    std::sort(by_count.begin(), by_count.end());
    std::cout << "\nviews skipped, by Freshet's message (most frequent first):\n";
    for (size_t i = 0; i < by_count.size() && i < kTopMessages; ++i) {
      std::cout << fmt::format("  {:>5}  {}\n", -by_count[i].first, by_count[i].second);
    }
  }
  std::cout << fmt::format("\nview checks not run: {}; {} Freshet restart(s); {:.1f} s\n", not_run,
                           recoveries_,
                           std::chrono::duration<double>(Clock::now() - started_).count());
}

int StreamRun::Execute() {
  const size_t base_count = static_cast<size_t>(
      std::count_if(views_.begin(), views_.end(), [](const StreamView& v) { return v.base < 0; }));
  const int middle = options_.rounds / 2;
  WorkloadGenerator workload(options_.seed);
  auto live_views = [&](size_t first, size_t last) {
    std::vector<size_t> live;
    for (size_t i = first; i < last; ++i) {
      if (states_[i] == ViewState::kLive) {
        live.push_back(i);
      }
    }
    return live;
  };
  auto create_and_check = [&](size_t first, size_t last, int number, const std::string& round) {
    round_number_ = number;
    round_ = round;
    for (size_t i = first; i < last && !OutOfTime(); ++i) {
      CreateView(i);
    }
    Flush(round);
    for (size_t i : live_views(first, last)) {
      if (OutOfTime()) {
        break;
      }
      CheckView(i, round);
    }
  };

  int not_run = 0;
  create_and_check(0, base_count, 0, "0");
  if (options_.rounds == 0 && base_count < views_.size() && !OutOfTime()) {
    create_and_check(base_count, views_.size(), 0, "0 (new views on views)");
  }
  int round = 1;
  for (; round <= options_.rounds; ++round) {
    if (round - 1 == middle && base_count < views_.size()) {
      create_and_check(base_count, views_.size(), middle,
                       fmt::format("{} (new views on views)", middle));
    }
    if (OutOfTime()) {
      break;
    }
    round_number_ = round;
    round_ = std::to_string(round);
    round_dml_ = workload.NextRound();
    round_dml_printed_ = false;
    if (options_.verbose) {
      std::cout << fmt::format("-- round {}\n", round);
    }
    for (const DmlStatement& statement : round_dml_) {
      RunDml(statement, round_);
    }
    Flush(round_);
    CheckTables(round_);
    std::vector<size_t> live = live_views(0, views_.size());
    size_t checked = 0;
    for (; checked < live.size() && !OutOfTime(); ++checked) {
      CheckView(live[checked], round_);
    }
    not_run += static_cast<int>(live.size() - checked);
  }
  if (round <= options_.rounds) {
    int remaining = options_.rounds - round + 1;
    int live = static_cast<int>(live_views(0, views_.size()).size());
    not_run += remaining * live;
    if (g_stop_signal.load() == 0) {
      std::cout << fmt::format(
          "{}: stopped before round {}; {} view checks not run count as failed\n",
          gave_up_ ? "GAVE UP" : "DEADLINE", round, not_run);
    }
  }
  failed_ += not_run;

  PrintSummary(not_run);
  std::cout << fmt::format("{} passed, {} failed\n", passed_, failed_);
  std::cout.flush();
  return failed_ == 0 ? 0 : kExitDifferences;
}

}  // namespace

std::vector<StreamView> PlanStreamViews(int count, uint64_t seed) {
  std::vector<StreamView> views;
  QueryGenerator generator(StreamTables(), seed);
  for (int i = 1; i <= count; ++i) {
    StreamView view;
    view.generated = generator.NextView();
    view.name = fmt::format("dv{}", i);
    view.origin = fmt::format("view #{} (seed {})", i, seed);
    view.freshet_sql = view.generated.sql;
    view.postgres_sql = view.generated.sql;
    views.push_back(std::move(view));
  }
  int on_views = count > 0 ? std::max(1, count / 5) : 0;
  Random picker(seed ^ kBasePickSalt);
  for (int i = 1; i <= on_views; ++i) {
    std::vector<size_t> candidates;
    for (size_t b = 0; b < views.size(); ++b) {
      // Rows a LIMIT picks among ties differ between engines: no view can build on them.
      if (views[b].generated.rows_determined) {
        candidates.push_back(b);
      }
    }
    if (candidates.empty()) {
      break;
    }
    size_t base = picker.Pick(candidates);
    StreamView view;
    view.generated = generator.ViewOnView(views[base].generated);
    view.base = static_cast<int>(base);
    view.name = fmt::format("dw{}", i);
    view.origin = fmt::format("view on view #{}, on {} (seed {})", i, views[base].name, seed);
    view.freshet_sql = ReplaceAll(view.generated.sql, kBaseViewPlaceholder, views[base].name);
    view.postgres_sql =
        ReplaceAll(view.generated.sql, kBaseViewPlaceholder, "(" + views[base].postgres_sql + ")");
    views.push_back(std::move(view));
  }
  return views;
}

void PrintStreamWorkload(const Options& options) {
  for (const StreamView& view : PlanStreamViews(options.stream_views, options.seed)) {
    std::cout << fmt::format("-- {} [{}]{}\nCREATE MATERIALIZED VIEW {} AS {};\n", view.origin,
                             view.generated.category,
                             view.generated.top_n && !view.generated.rows_determined
                                 ? " (ties at the LIMIT: row counts compared)"
                                 : "",
                             view.name, view.freshet_sql);
    if (view.postgres_sql != view.freshet_sql) {
      std::cout << fmt::format("-- PostgreSQL runs: {};\n", view.postgres_sql);
    }
  }
  WorkloadGenerator workload(options.seed);
  for (int round = 1; round <= options.rounds; ++round) {
    std::cout << fmt::format("-- round {}\n", round);
    for (const DmlStatement& statement : workload.NextRound()) {
      std::cout << statement.sql << ";\n";
    }
    std::cout << "FLUSH;\n";
  }
}

int RunStreamViews(const Options& options) {
  std::vector<StreamView> views = PlanStreamViews(options.stream_views, options.seed);
  uint64_t data_seed = options.data_seed.value_or(options.seed);
  std::vector<std::string> fixture = FixtureStatements(data_seed, false);

  std::unique_ptr<PostgresOracle> oracle;
  int postgres_port = options.postgres_port;
  if (postgres_port == 0) {
    if (access((options.postgres_bin + "/postgres").c_str(), X_OK) != 0) {
      std::cout << fmt::format(
          "SKIP: no PostgreSQL at {} (install the postgresql package or set --postgres-bin)\n",
          options.postgres_bin);
      return kExitSkipped;
    }
    oracle = std::make_unique<PostgresOracle>(options.postgres_bin, options.keep_data);
    if (std::optional<std::string> error = oracle->Start(kServerReadyTimeout)) {
      std::cerr << "freshet_difftest: cannot start PostgreSQL: " << *error << "\n";
      return kExitSetup;
    }
    postgres_port = oracle->Port();
    if (options.keep_data) {
      std::cout << fmt::format("PostgreSQL directory: {}\n", oracle->Directory());
    }
  }
  int status = kExitSetup;
  {
    SqlClient postgres;
    std::optional<std::string> error = ConnectToPostgres(postgres, postgres_port, options, {});
    if (!error) {
      if (options.postgres_port != 0) {
        FreshetServer::DropFixtureTables(postgres);
      }
      error = LoadIntoPostgres(postgres, fixture);
    }
    FreshetServer freshet(options, fixture);
    if (!error) {
      error = freshet.Start();
    }
    for (size_t i = 0; !error && i < FixtureTables().size(); ++i) {
      // Every check reads the tables: without one of them the run would only fail.
      const std::string& name = FixtureTables()[i].name;
      Answer answer = freshet.Run("SELECT count(*) FROM " + name);
      if (!IsRows(answer)) {
        error = fmt::format("the fixture did not load into Freshet (table {}: {})", name,
                            Outcome(answer));
      }
    }
    if (error) {
      std::cerr << "freshet_difftest: " << *error << "\n";
    } else {
      std::cout << fmt::format("streaming mode: {} views, {} rounds of DML, seed {}\n",
                               views.size(), options.rounds, options.seed);
      StreamRun run(options, freshet, postgres, postgres_port, std::move(views));
      status = run.Execute();
    }
  }
  if (oracle) {
    oracle->Stop(kStopGrace);
  }
  if (int signal_number = g_stop_signal.load(); signal_number != 0) {
    std::cerr << fmt::format("freshet_difftest: stopped by signal {}\n", signal_number);
    return 128 + signal_number;
  }
  return status;
}

}  // namespace freshet::sql_tests::differential
