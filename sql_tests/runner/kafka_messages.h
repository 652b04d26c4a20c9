// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sql_tests/runner/slt_parser.h"

// The `kafka produce` and `kafka consume` directives as kcat command lines, and kcat's consumer
// output turned into the lines an .slt file expects. No I/O: the runner runs kcat.
namespace freshet::sql_tests {

/// One message read back from a topic; std::nullopt for a NULL key or value.
struct KafkaMessage {
  std::optional<std::string> key;
  std::optional<std::string> value;
};

/// The kcat command line that produces `directive`'s messages (given on stdin, see
/// KcatProduceInput) to the broker at `bootstrap`.
std::vector<std::string> KcatProduceArguments(const std::string& bootstrap,
                                              const KafkaDirective& directive);

/// What kcat reads on stdin for `directive`: each message line followed by a newline.
std::string KcatProduceInput(const KafkaDirective& directive);

/// The kcat command line that prints every message of `topic` from the beginning and exits at the
/// end of every partition, in the format ParseKcatOutput reads.
std::vector<std::string> KcatConsumeArguments(const std::string& bootstrap,
                                              const std::string& topic);

/// Parses what the KcatConsumeArguments command printed: per message `KEYLEN VALUELEN KEYVALUE\n`
/// with -1 for NULL (kcat's %K and %S), so any bytes survive. std::nullopt when malformed.
std::optional<std::vector<KafkaMessage>> ParseKcatOutput(std::string_view output);

/// Renders a message as an .slt line: key, a tab, value; `NULL` for NULL, `(empty)` for the empty
/// string, newlines and carriage returns inside written as `\n` and `\r`; trailing whitespace
/// removed.
std::string FormatKafkaMessage(const KafkaMessage& message);

/// Compares the messages read back with a `kafka consume` record's expected lines (sorted first
/// for rowsort); returns a description of the difference, or std::nullopt when they match.
std::optional<std::string> CompareKafkaMessages(const Record& record,
                                                const std::vector<KafkaMessage>& messages);

}  // namespace freshet::sql_tests
