// SPDX-License-Identifier: Apache-2.0
#include "sql_tests/runner/slt_parser.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <regex>
#include <utility>

#include <fmt/format.h>

namespace freshet::sql_tests {
namespace {

constexpr std::string_view kResultSeparator = "----";

std::string_view TrimRight(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return text;
}

std::string_view Trim(std::string_view text) {
  text = TrimRight(text);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  return text;
}

std::vector<std::string_view> SplitWords(std::string_view text) {
  std::vector<std::string_view> words;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) {
      ++i;
    }
    size_t start = i;
    while (i < text.size() && !std::isspace(static_cast<unsigned char>(text[i]))) {
      ++i;
    }
    if (i > start) {
      words.push_back(text.substr(start, i - start));
    }
  }
  return words;
}

/// Returns what follows the first `count` words of `line`, trimmed.
std::string_view RestAfterWords(std::string_view line, size_t count) {
  size_t i = 0;
  for (size_t word = 0; word < count; ++word) {
    while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) {
      ++i;
    }
    while (i < line.size() && !std::isspace(static_cast<unsigned char>(line[i]))) {
      ++i;
    }
  }
  return Trim(line.substr(i));
}

bool IsSqlStateCode(std::string_view text) {
  if (text.size() != 5) {
    return false;
  }
  for (char c : text) {
    if (!std::isdigit(static_cast<unsigned char>(c)) &&
        !std::isupper(static_cast<unsigned char>(c))) {
      return false;
    }
  }
  return true;
}

/// Walks the lines of one file; `Next` hands out lines with their 1-based numbers.
class LineCursor {
 public:
  explicit LineCursor(std::string_view text) {
    size_t start = 0;
    while (start < text.size()) {
      size_t end = text.find('\n', start);
      if (end == std::string_view::npos) {
        end = text.size();
      }
      std::string_view line = text.substr(start, end - start);
      if (!line.empty() && line.back() == '\r') {
        line.remove_suffix(1);
      }
      lines_.push_back(line);
      start = end + 1;
    }
  }

  bool Done() const { return next_ >= lines_.size(); }
  std::string_view Peek() const { return lines_[next_]; }
  /// The 1-based number of the line Peek() returns.
  int LineNumber() const { return static_cast<int>(next_) + 1; }
  std::string_view Next() { return lines_[next_++]; }

 private:
  std::vector<std::string_view> lines_;
  size_t next_ = 0;
};

bool IsBlank(std::string_view line) {
  return Trim(line).empty();
}

/// Reads SQL lines up to a blank line, a `----` line or the end; stops before `----` so the caller
/// sees it.
std::string ReadSql(LineCursor& cursor, int directive_line) {
  std::string sql;
  while (!cursor.Done() && !IsBlank(cursor.Peek()) && Trim(cursor.Peek()) != kResultSeparator) {
    if (!sql.empty()) {
      sql += '\n';
    }
    sql += TrimRight(cursor.Next());
  }
  if (sql.empty()) {
    throw SltParseError(directive_line, "the record has no SQL");
  }
  return sql;
}

/// Consumes a `----` line if one comes next; returns whether it did.
bool ConsumeSeparator(LineCursor& cursor) {
  if (!cursor.Done() && Trim(cursor.Peek()) == kResultSeparator) {
    cursor.Next();
    return true;
  }
  return false;
}

/// Reads the lines of a result block up to a blank line or the end, trailing whitespace removed.
std::vector<std::string> ReadBlock(LineCursor& cursor) {
  std::vector<std::string> lines;
  while (!cursor.Done() && !IsBlank(cursor.Peek())) {
    lines.emplace_back(TrimRight(cursor.Next()));
  }
  return lines;
}

std::string JoinLines(const std::vector<std::string>& lines) {
  std::string joined;
  for (const std::string& line : lines) {
    if (!joined.empty()) {
      joined += '\n';
    }
    joined += line;
  }
  return joined;
}

ErrorExpectation ParseErrorPattern(std::string_view pattern, int line) {
  ErrorExpectation expectation;
  expectation.pattern = std::string(pattern);
  if (pattern.size() == 7 && pattern.front() == '(' && pattern.back() == ')' &&
      IsSqlStateCode(pattern.substr(1, 5))) {
    expectation.sqlstate = std::string(pattern.substr(1, 5));
    return expectation;
  }
  if (!pattern.empty()) {
    try {
      std::regex check(expectation.pattern);
    } catch (const std::regex_error& error) {
      throw SltParseError(line,
                          fmt::format("invalid error pattern '{}': {}", pattern, error.what()));
    }
  }
  return expectation;
}

/// Reads the optional `----` block of an error record: the expected primary message.
void ReadExpectedErrorMessage(LineCursor& cursor, Record& record) {
  if (ConsumeSeparator(cursor)) {
    record.error.message = JoinLines(ReadBlock(cursor));
  }
}

SortMode ParseSortMode(std::string_view word, int line) {
  if (word == "nosort") {
    return SortMode::kNoSort;
  }
  if (word == "rowsort") {
    return SortMode::kRowSort;
  }
  if (word == "valuesort") {
    return SortMode::kValueSort;
  }
  throw SltParseError(line, fmt::format("unknown sort mode '{}'", word));
}

/// Removes a trailing `retry N backoff D` from `words` and stores it in `record`; the
/// sqllogictest-rs spelling. Leaves `words` alone when they do not end so.
void TakeRetry(std::vector<std::string_view>& words, Record& record, int line) {
  auto retry = std::find(words.begin(), words.end(), std::string_view("retry"));
  if (retry == words.end()) {
    return;
  }
  size_t at = static_cast<size_t>(retry - words.begin());
  int attempts = 0;
  std::optional<std::chrono::milliseconds> backoff;
  if (words.size() == at + 4 && words[at + 2] == "backoff") {
    std::string_view count = words[at + 1];
    if (std::from_chars(count.data(), count.data() + count.size(), attempts).ec == std::errc() &&
        attempts >= 0) {
      backoff = ParseDuration(words[at + 3]);
    }
  }
  if (!backoff) {
    throw SltParseError(line, "'retry' needs 'retry N backoff DURATION' at the end of the line");
  }
  record.retry_attempts = attempts;
  record.retry_backoff = *backoff;
  words.resize(at);
}

bool IsSortModeWord(std::string_view word) {
  return word == "nosort" || word == "rowsort" || word == "valuesort";
}

/// Parses a whole word as a number of at least `min`; std::nullopt otherwise.
std::optional<int> ParseCount(std::string_view word, int min) {
  int value = 0;
  auto [end, error] = std::from_chars(word.data(), word.data() + word.size(), value);
  if (error != std::errc() || end != word.data() + word.size() || value < min) {
    return std::nullopt;
  }
  return value;
}

/// Parses a `kafka consume ... timeout` argument: a bare number is seconds; `ms` and `s` suffixes
/// as in `sleep`.
std::optional<std::chrono::milliseconds> ParseTimeout(std::string_view word) {
  if (std::optional<int> seconds = ParseCount(word, 0)) {
    return std::chrono::seconds(*seconds);
  }
  return ParseDuration(word);
}

/// Reads message lines up to a blank line or the end, exactly as written.
std::vector<std::string> ReadVerbatimBlock(LineCursor& cursor) {
  std::vector<std::string> lines;
  while (!cursor.Done() && !IsBlank(cursor.Peek())) {
    lines.emplace_back(cursor.Next());
  }
  return lines;
}

/// Parses `kafka start|produce|consume ...` (the words of the directive line) and the lines that
/// belong to it into `record`.
void ParseKafka(const std::vector<std::string_view>& words,
                LineCursor& cursor,
                int line,
                Record& record) {
  constexpr std::string_view kUsage =
      "'kafka' needs 'start [partitions N]', 'produce TOPIC [partition P] [key-separator C] "
      "[tombstones]' or 'consume TOPIC [count N] [timeout S] [rowsort]'";
  if (words.size() < 2) {
    throw SltParseError(line, std::string(kUsage));
  }
  std::string_view verb = words[1];
  KafkaDirective& kafka = record.kafka;
  // The options after the verb (and the topic): `name value` pairs or single flags, any order.
  size_t first_option = verb == "start" ? 2 : 3;
  if (verb != "start" && verb != "produce" && verb != "consume") {
    throw SltParseError(line, fmt::format("unknown kafka directive '{}'; {}", verb, kUsage));
  }
  if (verb != "start") {
    if (words.size() < 3) {
      throw SltParseError(line, fmt::format("'kafka {}' needs a topic", verb));
    }
    kafka.topic = std::string(words[2]);
  }
  std::vector<std::string_view> seen;
  for (size_t i = first_option; i < words.size(); ++i) {
    std::string_view option = words[i];
    if (std::find(seen.begin(), seen.end(), option) != seen.end()) {
      throw SltParseError(line, fmt::format("'{}' is given twice", option));
    }
    seen.push_back(option);
    auto value = [&]() -> std::string_view {
      if (i + 1 >= words.size()) {
        throw SltParseError(line, fmt::format("'{}' needs a value", option));
      }
      return words[++i];
    };
    if (verb == "start" && option == "partitions") {
      std::optional<int> partitions = ParseCount(value(), 1);
      if (!partitions) {
        throw SltParseError(line, "'partitions' needs a number of at least 1");
      }
      kafka.partitions = *partitions;
    } else if (verb == "produce" && option == "partition") {
      kafka.partition = ParseCount(value(), 0);
      if (!kafka.partition) {
        throw SltParseError(line, "'partition' needs a partition number (0, 1, ...)");
      }
    } else if (verb == "produce" && option == "key-separator") {
      kafka.key_separator = std::string(value());
    } else if (verb == "produce" && option == "tombstones") {
      kafka.tombstones = true;
    } else if (verb == "consume" && option == "count") {
      kafka.min_count = ParseCount(value(), 0);
      if (!kafka.min_count) {
        throw SltParseError(line, "'count' needs a number");
      }
    } else if (verb == "consume" && option == "timeout") {
      std::optional<std::chrono::milliseconds> timeout = ParseTimeout(value());
      if (!timeout) {
        throw SltParseError(line, "'timeout' needs a duration such as 10 (seconds), 10s or 500ms");
      }
      kafka.timeout = *timeout;
    } else if (verb == "consume" && (option == "rowsort" || option == "nosort")) {
      record.sort_mode = ParseSortMode(option, line);
    } else {
      throw SltParseError(
          line, fmt::format("unknown option '{}' of 'kafka {}'; {}", option, verb, kUsage));
    }
  }

  if (verb == "start") {
    record.kind = RecordKind::kKafkaStart;
  } else if (verb == "produce") {
    record.kind = RecordKind::kKafkaProduce;
    // kcat -Z only turns the empty parts around a key separator into NULLs.
    if (kafka.tombstones && !kafka.key_separator) {
      throw SltParseError(line, "'tombstones' needs 'key-separator C'");
    }
    kafka.messages = ReadVerbatimBlock(cursor);
    if (kafka.messages.empty()) {
      throw SltParseError(line, "'kafka produce' needs message lines after it");
    }
  } else {
    record.kind = RecordKind::kKafkaConsume;
    if (!ConsumeSeparator(cursor)) {
      throw SltParseError(line, "'kafka consume' needs '----' and the expected messages after it");
    }
    record.expected_lines = ReadBlock(cursor);
  }
}

void ReplaceAll(std::string& text, std::string_view placeholder, std::string_view value) {
  if (placeholder.empty()) {
    return;
  }
  size_t at = 0;
  while ((at = text.find(placeholder, at)) != std::string::npos) {
    text.replace(at, placeholder.size(), value);
    at += value.size();
  }
}

}  // namespace

SltParseError::SltParseError(int line, const std::string& message)
    : std::runtime_error(fmt::format("line {}: {}", line, message)), line_(line) {}

std::optional<std::chrono::milliseconds> ParseDuration(std::string_view text) {
  int64_t amount = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), amount);
  if (error != std::errc() || end == text.data() || amount < 0) {
    return std::nullopt;
  }
  std::string_view unit(end, text.data() + text.size() - end);
  if (unit.empty() || unit == "ms") {
    return std::chrono::milliseconds(amount);
  }
  if (unit == "s") {
    return std::chrono::milliseconds(amount * 1000);
  }
  return std::nullopt;
}

std::vector<Record> ParseSlt(std::string_view text) {
  std::vector<Record> records;
  std::vector<Condition> pending_conditions;
  SortMode default_sort_mode = SortMode::kNoSort;
  LineCursor cursor(text);

  while (!cursor.Done()) {
    int line_number = cursor.LineNumber();
    std::string_view line = cursor.Next();
    std::string_view trimmed = Trim(line);
    if (trimmed.empty() || trimmed.front() == '#') {
      continue;
    }
    std::vector<std::string_view> words = SplitWords(trimmed);
    std::string_view directive = words[0];

    if (directive == "skipif" || directive == "onlyif") {
      if (words.size() != 2) {
        throw SltParseError(line_number, fmt::format("'{}' takes one engine name", directive));
      }
      pending_conditions.push_back({directive == "onlyif", std::string(words[1])});
      continue;
    }
    if (directive == "hash-threshold") {
      continue;
    }
    if (directive == "control") {
      // `control sortmode` changes the default of later queries; `control restart` is the STYLE.md
      // spelling of `restart`; any other control line is ignored.
      if (words.size() >= 3 && words[1] == "sortmode") {
        default_sort_mode = ParseSortMode(words[2], line_number);
        continue;
      }
      if (words.size() < 2 || words[1] != "restart") {
        continue;
      }
      words.erase(words.begin());
      directive = words[0];
    }

    Record record;
    record.line = line_number;
    record.conditions = std::move(pending_conditions);
    pending_conditions.clear();

    if (directive == "statement" || directive == "query") {
      // `statement error` and `query error` take a free pattern, which may contain "retry".
      if (words.size() >= 2 && words[1] != "error") {
        TakeRetry(words, record, line_number);
      }
    }
    if (directive == "statement") {
      if (words.size() < 2) {
        throw SltParseError(line_number, "'statement' needs 'ok', 'error' or 'count N'");
      }
      record.kind = RecordKind::kStatement;
      if (words[1] == "ok") {
        if (words.size() != 2) {
          throw SltParseError(line_number, "'statement ok' takes no arguments");
        }
        record.sql = ReadSql(cursor, line_number);
        if (ConsumeSeparator(cursor)) {
          throw SltParseError(line_number, "'statement ok' has no result block");
        }
      } else if (words[1] == "error") {
        record.expect_error = true;
        record.error = ParseErrorPattern(RestAfterWords(trimmed, 2), line_number);
        record.sql = ReadSql(cursor, line_number);
        ReadExpectedErrorMessage(cursor, record);
      } else if (words[1] == "count") {
        int64_t count = 0;
        if (words.size() != 3 ||
            std::from_chars(words[2].data(), words[2].data() + words[2].size(), count).ec !=
                std::errc()) {
          throw SltParseError(line_number, "'statement count' needs a number");
        }
        record.expected_count = count;
        record.sql = ReadSql(cursor, line_number);
      } else {
        throw SltParseError(line_number, fmt::format("unknown statement mode '{}'", words[1]));
      }
    } else if (directive == "query") {
      if (words.size() < 2) {
        throw SltParseError(line_number, "'query' needs column types or 'error'");
      }
      record.kind = RecordKind::kQuery;
      if (words[1] == "error") {
        record.expect_error = true;
        record.error = ParseErrorPattern(RestAfterWords(trimmed, 2), line_number);
        record.sql = ReadSql(cursor, line_number);
        ReadExpectedErrorMessage(cursor, record);
      } else {
        for (char c : words[1]) {
          if (!std::isalpha(static_cast<unsigned char>(c))) {
            throw SltParseError(line_number, fmt::format("bad column types '{}'", words[1]));
          }
        }
        record.column_types = std::string(words[1]);
        record.sort_mode = default_sort_mode;
        // After the types: an optional sort mode, then an optional label, which is ignored.
        if (words.size() >= 3) {
          if (IsSortModeWord(words[2])) {
            record.sort_mode = ParseSortMode(words[2], line_number);
          } else if (words.size() > 3) {
            throw SltParseError(line_number, fmt::format("unknown sort mode '{}'", words[2]));
          }
        }
        if (words.size() > 4) {
          throw SltParseError(line_number, "too many words after 'query'");
        }
        record.sql = ReadSql(cursor, line_number);
        if (ConsumeSeparator(cursor)) {
          record.expected_lines = ReadBlock(cursor);
        }
      }
    } else if (directive == "restart") {
      record.kind = RecordKind::kRestart;
      if (words.size() == 2 && words[1] == "kill") {
        record.kill = true;
      } else if (words.size() != 1) {
        throw SltParseError(line_number, "'restart' takes nothing or 'kill'");
      }
    } else if (directive == "sleep") {
      record.kind = RecordKind::kSleep;
      std::optional<std::chrono::milliseconds> duration;
      if (words.size() == 2) {
        duration = ParseDuration(words[1]);
      }
      if (!duration) {
        throw SltParseError(line_number, "'sleep' needs a duration such as 500, 500ms or 2s");
      }
      record.duration = *duration;
    } else if (directive == "halt") {
      record.kind = RecordKind::kHalt;
    } else if (directive == "kafka") {
      ParseKafka(words, cursor, line_number, record);
    } else {
      throw SltParseError(line_number, fmt::format("unknown directive '{}'", directive));
    }
    records.push_back(std::move(record));
  }
  if (!pending_conditions.empty()) {
    throw SltParseError(cursor.LineNumber() - 1, "skipif/onlyif at the end of the file");
  }
  return records;
}

void SubstitutePlaceholder(Record& record, std::string_view placeholder, std::string_view value) {
  ReplaceAll(record.sql, placeholder, value);
  for (std::string& line : record.expected_lines) {
    ReplaceAll(line, placeholder, value);
  }
  if (record.error.message) {
    ReplaceAll(*record.error.message, placeholder, value);
  }
  ReplaceAll(record.kafka.topic, placeholder, value);
  if (record.kafka.key_separator) {
    ReplaceAll(*record.kafka.key_separator, placeholder, value);
  }
}

bool ShouldRun(const Record& record, std::string_view engine) {
  for (const Condition& condition : record.conditions) {
    bool matches = condition.engine == engine;
    if (condition.only_if != matches) {
      return false;
    }
  }
  return true;
}

}  // namespace freshet::sql_tests
