// SPDX-License-Identifier: Apache-2.0
#include "sql_tests/runner/kafka_messages.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include <fmt/format.h>

#include "sql_tests/runner/result_comparison.h"

namespace freshet::sql_tests {
namespace {

/// kcat's consumer format: key length, value length (-1 for NULL), then the raw bytes of both, so
/// that NULL, the empty string and the text "NULL" stay apart and tabs or newlines inside do no
/// harm.
constexpr std::string_view kConsumeFormat = "%K %S %k%s\\n";

std::string TrimRight(std::string text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.pop_back();
  }
  return text;
}

/// Reads a decimal number (possibly -1) followed by a space at `at`; advances past the space.
std::optional<int64_t> ReadLength(std::string_view output, size_t& at) {
  int64_t length = 0;
  const char* begin = output.data() + at;
  const char* limit = output.data() + output.size();
  auto [end, error] = std::from_chars(begin, limit, length);
  if (error != std::errc() || end == begin || end == limit || *end != ' ' || length < -1) {
    return std::nullopt;
  }
  at = static_cast<size_t>(end - output.data()) + 1;
  return length;
}

std::string Escaped(std::string_view text) {
  std::string escaped;
  escaped.reserve(text.size());
  for (char c : text) {
    if (c == '\n') {
      escaped += "\\n";
    } else if (c == '\r') {
      escaped += "\\r";
    } else {
      escaped += c;
    }
  }
  return escaped;
}

/// The lines of a failure report, indented; tabs shown as `\t` so a tab and spaces differ.
std::string Shown(const std::vector<std::string>& lines) {
  std::string shown;
  for (const std::string& line : lines) {
    shown += "    ";
    for (char c : line) {
      if (c == '\t') {
        shown += "\\t";
      } else {
        shown += c;
      }
    }
    shown += '\n';
  }
  return shown;
}

}  // namespace

std::vector<std::string> KcatProduceArguments(const std::string& bootstrap,
                                              const KafkaDirective& directive) {
  // -F none: no ~/.config/kcat.conf. Without a partition or key librdkafka's default partitioner
  // sticks to one partition for sticky.partitioning.linger.ms; 0 spreads the messages randomly.
  std::vector<std::string> arguments = {"kcat", "-P",
                                        "-F",   "none",
                                        "-b",   bootstrap,
                                        "-t",   directive.topic,
                                        "-X",   "sticky.partitioning.linger.ms=0"};
  if (directive.partition) {
    arguments.insert(arguments.end(), {"-p", std::to_string(*directive.partition)});
  }
  if (directive.key_separator) {
    arguments.insert(arguments.end(), {"-K", *directive.key_separator});
  }
  if (directive.tombstones) {
    arguments.emplace_back("-Z");
  }
  return arguments;
}

std::string KcatProduceInput(const KafkaDirective& directive) {
  std::string input;
  for (const std::string& message : directive.messages) {
    input += message;
    input += '\n';
  }
  return input;
}

std::vector<std::string> KcatConsumeArguments(const std::string& bootstrap,
                                              const std::string& topic) {
  return {"kcat",    "-C", "-F",  "none", "-q",        "-e", "-b",
          bootstrap, "-t", topic, "-o",   "beginning", "-f", std::string(kConsumeFormat)};
}

std::optional<std::vector<KafkaMessage>> ParseKcatOutput(std::string_view output) {
  std::vector<KafkaMessage> messages;
  size_t at = 0;
  while (at < output.size()) {
    std::optional<int64_t> key_length = ReadLength(output, at);
    if (!key_length) {
      return std::nullopt;
    }
    std::optional<int64_t> value_length = ReadLength(output, at);
    if (!value_length) {
      return std::nullopt;
    }
    size_t bytes = static_cast<size_t>(std::max<int64_t>(*key_length, 0) +
                                       std::max<int64_t>(*value_length, 0));
    if (output.size() - at < bytes + 1 || output[at + bytes] != '\n') {
      return std::nullopt;
    }
    KafkaMessage message;
    if (*key_length >= 0) {
      message.key = std::string(output.substr(at, static_cast<size_t>(*key_length)));
      at += static_cast<size_t>(*key_length);
    }
    if (*value_length >= 0) {
      message.value = std::string(output.substr(at, static_cast<size_t>(*value_length)));
      at += static_cast<size_t>(*value_length);
    }
    ++at;  // The newline.
    messages.push_back(std::move(message));
  }
  return messages;
}

std::string FormatKafkaMessage(const KafkaMessage& message) {
  return TrimRight(Escaped(FormatValue(message.key)) + '\t' + Escaped(FormatValue(message.value)));
}

std::optional<std::string> CompareKafkaMessages(const Record& record,
                                                const std::vector<KafkaMessage>& messages) {
  std::vector<std::string> actual;
  actual.reserve(messages.size());
  for (const KafkaMessage& message : messages) {
    actual.push_back(FormatKafkaMessage(message));
  }
  if (record.sort_mode == SortMode::kRowSort) {
    std::sort(actual.begin(), actual.end());
  }
  std::vector<std::string> expected = ExpectedLines(record.expected_lines, record.sort_mode);
  if (actual == expected) {
    return std::nullopt;
  }
  return fmt::format("messages differ{}; tabs shown as \\t\n  expected:\n{}  actual:\n{}",
                     FirstDifference(expected, actual, "message", "message"), Shown(expected),
                     Shown(actual));
}

}  // namespace freshet::sql_tests
