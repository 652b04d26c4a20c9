// SPDX-License-Identifier: Apache-2.0
// freshet_slt: plays sqllogictest files against a freshet server it starts per file (--binary), or
// against a server already running (--host/--port, e.g. PostgreSQL as the oracle). Ends with the
// line "N passed, N failed" counting files; exits 0 only if nothing failed.
#include <algorithm>
#include <charconv>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include "sql_tests/runner/slt_runner.h"

namespace freshet::sql_tests {
namespace {

constexpr std::string_view kUsage =
    "usage: freshet_slt --binary PATH [--keep-data] FILE_OR_DIR...\n"
    "       freshet_slt --host HOST --port PORT [--user U] [--dbname D] FILE_OR_DIR...\n"
    "options:\n"
    "  --binary PATH     start PATH --listen 127.0.0.1 --port N --data-dir DIR for each file\n"
    "                    (`kafka start` runs freshet-kafka-dev from PATH's directory)\n"
    "  --keep-data       keep each file's temporary directory (data and freshet.log)\n"
    "  --host H --port P use a running server; `restart` records then fail\n"
    "  --user U          user to connect as (default freshet)\n"
    "  --dbname D        database to connect to (default dev)\n"
    "  --engine NAME     name for skipif/onlyif (default freshet with --binary, postgres with "
    "--host)\n"
    "  --timeout SECONDS per-statement timeout (default 60)\n"
    "  --verbose         print each record as it runs\n"
    "Directories are searched recursively for *.slt files, which run in sorted order.\n";

std::optional<int> ParsePositive(std::string_view text) {
  int value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value <= 0) {
    return std::nullopt;
  }
  return value;
}

/// Expands the arguments into .slt files: a directory yields its *.slt files recursively, sorted.
std::optional<std::vector<std::string>> CollectFiles(const std::vector<std::string>& arguments) {
  std::vector<std::string> files;
  for (const std::string& argument : arguments) {
    std::error_code error;
    if (std::filesystem::is_directory(argument, error)) {
      std::vector<std::string> found;
      for (const auto& entry : std::filesystem::recursive_directory_iterator(argument, error)) {
        if (entry.is_regular_file() && entry.path().extension() == ".slt") {
          found.push_back(entry.path().string());
        }
      }
      if (error) {
        std::cerr << fmt::format("freshet_slt: cannot list {}: {}\n", argument, error.message());
        return std::nullopt;
      }
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else if (std::filesystem::is_regular_file(argument, error)) {
      files.push_back(argument);
    } else {
      std::cerr << fmt::format("freshet_slt: no such file or directory: {}\n", argument);
      return std::nullopt;
    }
  }
  return files;
}

int Main(int argc, char** argv) {
  RunnerOptions options;
  std::optional<std::string> engine;
  bool host_given = false;
  std::vector<std::string> paths;
  std::vector<std::string_view> arguments(argv + 1, argv + argc);
  for (size_t i = 0; i < arguments.size(); ++i) {
    std::string_view argument = arguments[i];
    auto value = [&]() -> std::optional<std::string> {
      if (i + 1 >= arguments.size()) {
        std::cerr << fmt::format("freshet_slt: {} needs a value\n{}", argument, kUsage);
        return std::nullopt;
      }
      return std::string(arguments[++i]);
    };
    if (argument == "--help" || argument == "-h") {
      std::cout << kUsage;
      return 0;
    }
    if (argument == "--keep-data") {
      options.keep_data = true;
    } else if (argument == "--verbose" || argument == "-v") {
      options.verbose = true;
    } else if (argument == "--binary" || argument == "--host" || argument == "--port" ||
               argument == "--user" || argument == "--dbname" || argument == "--engine" ||
               argument == "--timeout") {
      std::optional<std::string> text = value();
      if (!text) {
        return 2;
      }
      if (argument == "--binary") {
        options.binary = *text;
      } else if (argument == "--host") {
        options.host = *text;
        host_given = true;
      } else if (argument == "--user") {
        options.user = *text;
      } else if (argument == "--dbname") {
        options.dbname = *text;
      } else if (argument == "--engine") {
        engine = *text;
      } else {
        std::optional<int> number = ParsePositive(*text);
        if (!number) {
          std::cerr << fmt::format("freshet_slt: {} needs a positive number, not '{}'\n", argument,
                                   *text);
          return 2;
        }
        if (argument == "--port") {
          options.port = *number;
          host_given = true;
        } else {
          options.statement_timeout = std::chrono::seconds(*number);
        }
      }
    } else if (argument.substr(0, 2) == "--") {
      std::cerr << fmt::format("freshet_slt: unknown option {}\n{}", argument, kUsage);
      return 2;
    } else {
      paths.emplace_back(argument);
    }
  }

  if (options.binary.has_value() == host_given) {
    std::cerr << fmt::format("freshet_slt: give either --binary or --host and --port\n{}", kUsage);
    return 2;
  }
  if (host_given && options.port == 0) {
    std::cerr << "freshet_slt: --host needs --port\n";
    return 2;
  }
  if (options.binary && access(options.binary->c_str(), X_OK) != 0) {
    std::cerr << fmt::format("freshet_slt: server binary {} is missing or not executable\n",
                             *options.binary);
    return 2;
  }
  if (paths.empty()) {
    std::cerr << fmt::format("freshet_slt: no files given\n{}", kUsage);
    return 2;
  }
  options.engine = engine.value_or(options.binary ? "freshet" : "postgres");

  std::optional<std::vector<std::string>> files = CollectFiles(paths);
  if (!files) {
    return 2;
  }
  if (files->empty()) {
    std::cerr << "freshet_slt: no .slt files found\n";
    return 2;
  }

  int files_passed = 0;
  int files_failed = 0;
  int records_passed = 0;
  int records_failed = 0;
  int records_skipped = 0;
  std::vector<std::string> failed_files;
  for (const std::string& file : *files) {
    FileReport report = RunSltFile(file, options, std::cout);
    records_passed += report.records_passed;
    records_failed += report.records_failed;
    records_skipped += report.records_skipped;
    if (report.passed) {
      ++files_passed;
    } else {
      ++files_failed;
      failed_files.push_back(file);
    }
  }
  if (!failed_files.empty()) {
    std::cout << "failed files:\n";
    for (const std::string& file : failed_files) {
      std::cout << "  " << file << '\n';
    }
  }
  std::cout << fmt::format("records: {} passed, {} failed, {} skipped\n", records_passed,
                           records_failed, records_skipped);
  std::cout << fmt::format("{} passed, {} failed\n", files_passed, files_failed);
  std::cout.flush();
  return files_failed == 0 ? 0 : 1;
}

}  // namespace
}  // namespace freshet::sql_tests

int main(int argc, char** argv) {
  // A server that closes its socket must fail a file, not kill the runner.
  signal(SIGPIPE, SIG_IGN);
  return freshet::sql_tests::Main(argc, argv);
}
