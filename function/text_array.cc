// SPDX-License-Identifier: Apache-2.0
#include "function/text_array.h"

#include <fmt/format.h>

#include "common/error.h"

namespace freshet::function {
namespace {

// array_isspace: the whitespace array_in skips around elements.
bool IsArraySpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

bool EqualsIgnoringCase(std::string_view text, std::string_view upper) {
  if (text.size() != upper.size()) {
    return false;
  }
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c >= 'a' && c <= 'z') {
      c = static_cast<char>(c - 'a' + 'A');
    }
    if (c != upper[i]) {
      return false;
    }
  }
  return true;
}

// The states of PostgreSQL's ArrayCount, which decide which character may come next.
enum class ParseState : uint8_t {
  kNoLevel,
  kLevelStarted,
  kElementStarted,
  kQuotedElementStarted,
  kQuotedElementCompleted,
  kElementDelimited,
  kLevelCompleted,
  kLevelDelimited,
};

}  // namespace

std::vector<std::optional<std::string>> ParseTextArray(std::string_view literal) {
  const auto malformed = [&](std::string_view detail) {
    return Error(SqlState::kInvalidTextRepresentation,
                 fmt::format("malformed array literal: \"{}\"", literal))
        .WithDetail(std::string(detail));
  };
  size_t pos = 0;
  while (pos < literal.size() && IsArraySpace(literal[pos])) {
    ++pos;
  }
  if (pos >= literal.size() || literal[pos] != '{') {
    if (pos < literal.size() && literal[pos] == '[') {
      throw Error(SqlState::kFeatureNotSupported,
                  "array literals with dimension information are not supported yet");
    }
    throw malformed("Array value must start with \"{\" or dimension information.");
  }
  std::vector<std::optional<std::string>> elements;
  ParseState state = ParseState::kNoLevel;
  int depth = 0;
  // Elements per level, to check that sub-arrays match as PostgreSQL requires.
  std::vector<int> counts;
  std::vector<int> last_counts;
  std::string element;
  bool element_open = false;
  bool quoted_or_escaped = false;
  // Length of `element` up to its last character that is not unquoted trailing space.
  size_t kept = 0;
  bool in_quotes = false;
  const auto finish_element = [&]() {
    if (!element_open) {
      return;
    }
    element.resize(kept);
    if (!quoted_or_escaped && EqualsIgnoringCase(element, "NULL")) {
      elements.emplace_back(std::nullopt);
    } else {
      elements.emplace_back(element);
    }
    element.clear();
    element_open = false;
    quoted_or_escaped = false;
    kept = 0;
  };
  for (; depth > 0 || state == ParseState::kNoLevel; ++pos) {
    if (pos >= literal.size()) {
      throw malformed("Unexpected end of input.");
    }
    const char c = literal[pos];
    if (c == '\\') {
      if (state != ParseState::kLevelStarted && state != ParseState::kElementStarted &&
          state != ParseState::kQuotedElementStarted && state != ParseState::kElementDelimited) {
        throw malformed("Unexpected \"\\\" character.");
      }
      if (state != ParseState::kQuotedElementStarted) {
        state = ParseState::kElementStarted;
      }
      if (pos + 1 >= literal.size()) {
        throw malformed("Unexpected end of input.");
      }
      element_open = true;
      quoted_or_escaped = true;
      element += literal[++pos];
      kept = element.size();
      continue;
    }
    if (c == '"') {
      if (state != ParseState::kLevelStarted && state != ParseState::kQuotedElementStarted &&
          state != ParseState::kElementDelimited) {
        throw malformed("Unexpected array element.");
      }
      in_quotes = !in_quotes;
      state = in_quotes ? ParseState::kQuotedElementStarted : ParseState::kQuotedElementCompleted;
      element_open = true;
      quoted_or_escaped = true;
      kept = element.size();
      continue;
    }
    if (in_quotes) {
      element += c;
      kept = element.size();
      continue;
    }
    if (c == '{') {
      if (state != ParseState::kNoLevel && state != ParseState::kLevelStarted &&
          state != ParseState::kLevelDelimited) {
        throw malformed("Unexpected \"{\" character.");
      }
      state = ParseState::kLevelStarted;
      ++depth;
      if (counts.size() < static_cast<size_t>(depth)) {
        counts.resize(depth, 1);
        last_counts.resize(depth, 0);
      }
      continue;
    }
    if (c == '}') {
      if (state != ParseState::kElementStarted && state != ParseState::kQuotedElementCompleted &&
          state != ParseState::kLevelCompleted &&
          !(depth == 1 && state == ParseState::kLevelStarted)) {
        throw malformed("Unexpected \"}\" character.");
      }
      finish_element();
      state = ParseState::kLevelCompleted;
      --depth;
      if (last_counts[depth] != 0 && counts[depth] != last_counts[depth]) {
        throw malformed("Multidimensional arrays must have sub-arrays with matching dimensions.");
      }
      last_counts[depth] = counts[depth];
      counts[depth] = 1;
      continue;
    }
    if (c == ',') {
      if (state != ParseState::kElementStarted && state != ParseState::kQuotedElementCompleted &&
          state != ParseState::kLevelCompleted) {
        throw malformed("Unexpected \",\" character.");
      }
      finish_element();
      state = state == ParseState::kLevelCompleted ? ParseState::kLevelDelimited
                                                   : ParseState::kElementDelimited;
      ++counts[depth - 1];
      continue;
    }
    if (IsArraySpace(c)) {
      if (element_open) {
        element += c;
      }
      continue;
    }
    if (state != ParseState::kLevelStarted && state != ParseState::kElementStarted &&
        state != ParseState::kElementDelimited) {
      throw malformed("Unexpected array element.");
    }
    state = ParseState::kElementStarted;
    element_open = true;
    element += c;
    kept = element.size();
  }
  for (; pos < literal.size(); ++pos) {
    if (!IsArraySpace(literal[pos])) {
      throw malformed("Junk after closing right brace.");
    }
  }
  return elements;
}

void AppendTextArray(std::string& out, const std::vector<std::optional<std::string>>& elements) {
  out += '{';
  for (size_t i = 0; i < elements.size(); ++i) {
    if (i > 0) {
      out += ',';
    }
    if (!elements[i]) {
      out += "NULL";
      continue;
    }
    const std::string& element = *elements[i];
    bool quote = element.empty() || EqualsIgnoringCase(element, "NULL");
    for (char c : element) {
      quote = quote || c == '{' || c == '}' || c == ',' || c == '"' || c == '\\' || IsArraySpace(c);
    }
    if (!quote) {
      out += element;
      continue;
    }
    out += '"';
    for (char c : element) {
      if (c == '"' || c == '\\') {
        out += '\\';
      }
      out += c;
    }
    out += '"';
  }
  out += '}';
}

}  // namespace freshet::function
