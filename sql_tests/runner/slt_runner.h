// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <chrono>
#include <optional>
#include <ostream>
#include <string>

// Plays one .slt file against a Freshet (or PostgreSQL) server over libpqxx and reports what
// failed.
namespace freshet::sql_tests {

/// How the runner reaches a server and how patient it is.
struct RunnerOptions {
  /// When set, each file gets its own server started from this binary on a fresh data directory.
  std::optional<std::string> binary;
  /// Without `binary`: the already running server to use.
  std::string host = "127.0.0.1";
  int port = 0;
  std::string user = "freshet";
  std::string dbname = "dev";
  /// The name `skipif` / `onlyif` compare with.
  std::string engine = "freshet";
  /// Keep each file's temporary directory (data directory and server log) instead of removing it.
  bool keep_data = false;
  /// A statement running longer fails the file (its connection is shut down).
  std::chrono::milliseconds statement_timeout{60'000};
  /// How long a started server may take to accept connections.
  std::chrono::milliseconds ready_timeout{30'000};
  /// How long a server may take to exit after SIGTERM before it gets SIGKILL.
  std::chrono::milliseconds stop_grace{10'000};
  /// Print every record as it runs.
  bool verbose = false;
};

/// What happened to one file.
struct FileReport {
  bool passed = false;
  int records_passed = 0;
  int records_failed = 0;
  int records_skipped = 0;
};

/// Plays the file at `path`, writing failures and a one-line verdict to `out`.
FileReport RunSltFile(const std::string& path, const RunnerOptions& options, std::ostream& out);

}  // namespace freshet::sql_tests
