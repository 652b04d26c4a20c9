// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

// The sqllogictest file format, in the sqllogictest-rs dialect (including its `retry N backoff D`
// suffix of `statement ok|count` and `query` records) plus Freshet's runner directives
// (`restart`, `restart kill`, `kafka start|produce|consume`). Parsing is pure: no I/O beyond the
// text handed in, so it is unit-tested on strings.
namespace freshet::sql_tests {

/// How the rows of a query are ordered before comparison.
enum class SortMode : uint8_t { kNoSort, kRowSort, kValueSort };

/// What a record asks the runner to do.
enum class RecordKind : uint8_t {
  kStatement,
  kQuery,
  kRestart,
  kSleep,
  kHalt,
  kKafkaStart,
  kKafkaProduce,
  kKafkaConsume,
};

/// The placeholder replaced by the broker's bootstrap address once `kafka start` ran.
inline constexpr std::string_view kKafkaBootstrapPlaceholder = "${KAFKA_BOOTSTRAP}";

/// The arguments of the `kafka ...` directives.
struct KafkaDirective {
  /// `kafka start partitions N`: partitions of each topic the broker creates on first use.
  int partitions = 1;
  /// `kafka produce` and `kafka consume`: the topic.
  std::string topic;
  /// `kafka produce ... partition P`: every message goes to partition P (kcat -p).
  std::optional<int> partition;
  /// `kafka produce ... key-separator C`: a line is split into key and value at the first C
  /// (kcat -K); a line without C has a NULL key.
  std::optional<std::string> key_separator;
  /// `kafka produce ... tombstones`: an empty key or value around the separator is NULL (kcat -Z).
  bool tombstones = false;
  /// `kafka produce`: the message lines, exactly as written (one message each).
  std::vector<std::string> messages;
  /// `kafka consume ... count N`: at least N messages must be there before comparing.
  std::optional<int> min_count;
  /// `kafka consume ... timeout S`: how long to keep reading until the messages match.
  std::chrono::milliseconds timeout{10'000};
};

/// A `skipif <engine>` or `onlyif <engine>` line in front of a record.
struct Condition {
  bool only_if = false;
  std::string engine;
};

/// What a `statement error` / `query error` record accepts as the error.
struct ErrorExpectation {
  /// The pattern as written after `error`; empty accepts any error.
  std::string pattern;
  /// Set when the pattern is `(XXXXX)`: the SQLSTATE must equal it.
  std::optional<std::string> sqlstate;
  /// The text of a `----` block after the SQL: the primary error message must equal it.
  std::optional<std::string> message;
};

/// One record of an .slt file.
struct Record {
  RecordKind kind = RecordKind::kStatement;
  /// 1-based line of the directive (`statement ok`, `query II`, ...).
  int line = 0;
  std::vector<Condition> conditions;
  /// The SQL sent as one simple Query message; lines joined with '\n'.
  std::string sql;
  /// Statements and queries: an error is expected instead of success.
  bool expect_error = false;
  ErrorExpectation error;
  /// `statement count N`: the number of rows the command reports.
  std::optional<int64_t> expected_count;
  /// Queries: the type letters (`ITR`); their number is the number of columns.
  std::string column_types;
  SortMode sort_mode = SortMode::kNoSort;
  /// Queries: the expected lines below `----`, exactly as written but for trailing whitespace.
  std::vector<std::string> expected_lines;
  /// Restarts: stop with SIGKILL rather than SIGTERM.
  bool kill = false;
  /// Sleeps: how long.
  std::chrono::milliseconds duration{0};
  /// `retry N backoff D` after `statement ok`, `statement count N` or `query <types> ...`: when the
  /// record fails, it is run again up to N more times, D apart (for views that catch up
  /// asynchronously, e.g. fed by a generator). Only the last attempt's failure is reported.
  int retry_attempts = 0;
  std::chrono::milliseconds retry_backoff{0};
  /// `kafka start|produce|consume`; a consume record's expected lines are in `expected_lines`
  /// and `rowsort` in `sort_mode`.
  KafkaDirective kafka;
};

/// A malformed .slt file; the message names the line.
class SltParseError : public std::runtime_error {
 public:
  SltParseError(int line, const std::string& message);
  int Line() const { return line_; }

 private:
  int line_;
};

/// Parses the text of an .slt file into its records; throws SltParseError on malformed input.
std::vector<Record> ParseSlt(std::string_view text);

/// Returns true when `record` runs on the engine named `engine` given its skipif/onlyif conditions.
bool ShouldRun(const Record& record, std::string_view engine);

/// Replaces every `placeholder` in the texts of `record` with `value`: its SQL, expected lines and
/// error message, and the arguments of a `kafka` directive. Produced messages stay verbatim.
void SubstitutePlaceholder(Record& record, std::string_view placeholder, std::string_view value);

/// Parses a `sleep` argument: `250` (milliseconds), `250ms`, `2s`; std::nullopt when malformed.
std::optional<std::chrono::milliseconds> ParseDuration(std::string_view text);

}  // namespace freshet::sql_tests
