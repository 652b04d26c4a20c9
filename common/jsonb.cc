// SPDX-License-Identifier: Apache-2.0
#include "common/jsonb.h"

#include <algorithm>
#include <cctype>
#include <climits>
#include <cstring>
#include <numeric>

#include <fmt/format.h>
#include <simdjson.h>

#include "common/error.h"

namespace freshet {
namespace {

// NUMERIC's limits, which a jsonb number must fit: 32768 base-10000 digits before the point and
// a display scale of 16383.
constexpr int64_t kMaxDigitsBeforePoint = 131072;
constexpr int64_t kMaxScale = 16383;

bool IsJsonWhitespace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}

// The characters PostgreSQL's JSON lexer reads as one word, so that an error names the whole word.
bool IsWordCharacter(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return (byte >= 'a' && byte <= 'z') || (byte >= 'A' && byte <= 'Z') || IsDigit(c) ||
         byte == '_' || byte >= 0x80;
}

// The length of the UTF-8 sequence that starts with `byte`, as pg_utf_mblen reads it.
size_t Utf8SequenceLength(unsigned char byte) {
  if (byte < 0x80) {
    return 1;
  }
  if ((byte & 0xe0) == 0xc0) {
    return 2;
  }
  if ((byte & 0xf0) == 0xe0) {
    return 3;
  }
  if ((byte & 0xf8) == 0xf0) {
    return 4;
  }
  return 1;
}

// True if `text` holds a valid UTF-8 sequence at `pos` (no overlong forms, no surrogates).
bool IsValidUtf8At(std::string_view text, size_t pos, size_t length) {
  if (pos + length > text.size()) {
    return false;
  }
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(text[pos + i]); };
  for (size_t i = 1; i < length; ++i) {
    if ((byte(i) & 0xc0) != 0x80) {
      return false;
    }
  }
  switch (length) {
    case 1:
      return byte(0) < 0x80;
    case 2:
      return byte(0) >= 0xc2;
    case 3:
      return !(byte(0) == 0xe0 && byte(1) < 0xa0) && !(byte(0) == 0xed && byte(1) >= 0xa0);
    case 4:
      return !(byte(0) == 0xf0 && byte(1) < 0x90) && !(byte(0) == 0xf4 && byte(1) >= 0x90) &&
             byte(0) <= 0xf4;
    default:
      return false;
  }
}

// Rejects bytes that are not UTF-8 with the error PostgreSQL's input checks raise. simdjson
// validates the common (valid) case at memory speed; the slow scan only finds what to report.
void CheckUtf8(std::string_view text) {
  if (simdjson::validate_utf8(text.data(), text.size())) {
    return;
  }
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t length = Utf8SequenceLength(static_cast<unsigned char>(text[pos]));
    if (!IsValidUtf8At(text, pos, length)) {
      std::string bytes;
      for (size_t i = 0; i < length && pos + i < text.size(); ++i) {
        fmt::format_to(std::back_inserter(bytes), "{}0x{:02x}", i > 0 ? " " : "",
                       static_cast<unsigned char>(text[pos + i]));
      }
      throw Error(SqlState::kCharacterNotInRepertoire,
                  fmt::format("invalid byte sequence for encoding \"UTF8\": {}", bytes));
    }
    pos += length;
  }
}

void AppendUtf8(std::string& out, uint32_t code_point) {
  if (code_point < 0x80) {
    out += static_cast<char>(code_point);
  } else if (code_point < 0x800) {
    out += static_cast<char>(0xc0 | (code_point >> 6));
    out += static_cast<char>(0x80 | (code_point & 0x3f));
  } else if (code_point < 0x10000) {
    out += static_cast<char>(0xe0 | (code_point >> 12));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (code_point & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | (code_point >> 18));
    out += static_cast<char>(0x80 | ((code_point >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (code_point & 0x3f));
  }
}

[[noreturn]] void ThrowSyntax(std::string detail) {
  throw Error(SqlState::kInvalidTextRepresentation, "invalid input syntax for type json")
      .WithDetail(std::move(detail));
}

[[noreturn]] void ThrowNumericOverflow() {
  throw Error(SqlState::kNumericValueOutOfRange, "value overflows numeric format");
}

// Appends a JSON number token (valid per the JSON grammar) as numeric_in followed by numeric_out
// prints it: exponent applied, scale kept ("1.50" stays, "1.0e-1" is "0.10"), no negative zero.
void AppendCanonicalNumber(std::string& out, std::string_view token) {
  size_t pos = 0;
  const bool negative = token[pos] == '-';
  if (negative) {
    ++pos;
  }
  const size_t integer_begin = pos;
  while (pos < token.size() && IsDigit(token[pos])) {
    ++pos;
  }
  const std::string_view integer_digits = token.substr(integer_begin, pos - integer_begin);
  std::string_view fraction_digits;
  if (pos < token.size() && token[pos] == '.') {
    const size_t fraction_begin = ++pos;
    while (pos < token.size() && IsDigit(token[pos])) {
      ++pos;
    }
    fraction_digits = token.substr(fraction_begin, pos - fraction_begin);
  }
  int64_t exponent = 0;
  if (pos < token.size() && (token[pos] == 'e' || token[pos] == 'E')) {
    ++pos;
    const bool exponent_negative = token[pos] == '-';
    if (token[pos] == '-' || token[pos] == '+') {
      ++pos;
    }
    for (; pos < token.size(); ++pos) {
      exponent = std::min<int64_t>(exponent * 10 + (token[pos] - '0'), int64_t{1} << 40);
    }
    exponent = exponent_negative ? -exponent : exponent;
  }
  if (exponent >= INT_MAX / 2 || exponent <= -(INT_MAX / 2)) {
    ThrowNumericOverflow();
  }
  // The digits are integer_digits then fraction_digits; the point sits after `point` of them.
  const auto total = static_cast<int64_t>(integer_digits.size() + fraction_digits.size());
  const auto digit = [&](int64_t i) -> char {
    if (i < 0 || i >= total) {
      return '0';
    }
    const auto index = static_cast<size_t>(i);
    return index < integer_digits.size() ? integer_digits[index]
                                         : fraction_digits[index - integer_digits.size()];
  };
  const int64_t point = static_cast<int64_t>(integer_digits.size()) + exponent;
  const int64_t scale =
      std::max<int64_t>(0, static_cast<int64_t>(fraction_digits.size()) - exponent);
  int64_t first_nonzero = 0;
  while (first_nonzero < total && digit(first_nonzero) == '0') {
    ++first_nonzero;
  }
  const bool zero = first_nonzero >= total;
  if (scale > kMaxScale || (!zero && point - first_nonzero > kMaxDigitsBeforePoint)) {
    ThrowNumericOverflow();
  }
  if (negative && !zero) {
    out += '-';
  }
  if (zero || first_nonzero >= point) {
    out += '0';
  } else {
    for (int64_t i = first_nonzero; i < point; ++i) {
      out += digit(i);
    }
  }
  if (scale > 0) {
    out += '.';
    for (int64_t k = 0; k < scale; ++k) {
      out += digit(point + k);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Readers of canonical text. The text is known to be valid, so they skip without checking.

size_t SkipString(std::string_view text, size_t pos) {
  ++pos;
  while (text[pos] != '"') {
    pos += text[pos] == '\\' ? 2 : 1;
  }
  return pos + 1;
}

size_t SkipValue(std::string_view text, size_t pos) {
  const char first = text[pos];
  if (first == '"') {
    return SkipString(text, pos);
  }
  if (first == '{' || first == '[') {
    int depth = 0;
    for (;;) {
      const char c = text[pos];
      if (c == '"') {
        pos = SkipString(text, pos);
        continue;
      }
      if (c == '{' || c == '[') {
        ++depth;
      } else if (c == '}' || c == ']') {
        if (--depth == 0) {
          return pos + 1;
        }
      }
      ++pos;
    }
  }
  while (pos < text.size() && text[pos] != ',' && text[pos] != ']' && text[pos] != '}') {
    ++pos;
  }
  return pos;
}

// Calls visit(element) for each element of an array until it returns false.
template <typename Visit>
void ForEachElement(std::string_view array, Visit visit) {
  size_t pos = 1;
  if (array[pos] == ']') {
    return;
  }
  for (;;) {
    const size_t end = SkipValue(array, pos);
    if (!visit(array.substr(pos, end - pos)) || array[end] == ']') {
      return;
    }
    pos = end + 2;
  }
}

// Calls visit(quoted_key, value) for each member of an object until it returns false.
template <typename Visit>
void ForEachMember(std::string_view object, Visit visit) {
  size_t pos = 1;
  if (object[pos] == '}') {
    return;
  }
  for (;;) {
    const size_t key_end = SkipString(object, pos);
    const size_t value_begin = key_end + 2;
    const size_t value_end = SkipValue(object, value_begin);
    if (!visit(object.substr(pos, key_end - pos),
               object.substr(value_begin, value_end - value_begin)) ||
        object[value_end] == '}') {
      return;
    }
    pos = value_end + 2;
  }
}

int HexValue(char c) {
  if (IsDigit(c)) {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

// Decodes the next character of a canonical string body at `pos` (the escapes escape_json
// writes) and advances past it.
char NextStringByte(std::string_view quoted, size_t& pos) {
  const char c = quoted[pos++];
  if (c != '\\') {
    return c;
  }
  const char escaped = quoted[pos++];
  switch (escaped) {
    case 'b':
      return '\b';
    case 'f':
      return '\f';
    case 'n':
      return '\n';
    case 'r':
      return '\r';
    case 't':
      return '\t';
    case 'u': {
      // escape_json writes \u only for control characters, so two hex digits carry the value.
      const int value = HexValue(quoted[pos + 2]) * 16 + HexValue(quoted[pos + 3]);
      pos += 4;
      return static_cast<char>(value);
    }
    default:
      return escaped;
  }
}

// True if the canonical string `quoted` (with its quotes) holds exactly `text`.
bool StringEquals(std::string_view quoted, std::string_view text) {
  size_t pos = 1;
  const size_t end = quoted.size() - 1;
  size_t i = 0;
  while (pos < end) {
    if (i >= text.size() || NextStringByte(quoted, pos) != text[i]) {
      return false;
    }
    ++i;
  }
  return i == text.size();
}

bool IsScalar(JsonbKind kind) {
  return kind != JsonbKind::kObject && kind != JsonbKind::kArray;
}

// Numbers in numeric_out form are equal when they are equal without trailing fraction zeros.
std::string_view TrimFractionZeros(std::string_view number) {
  if (number.find('.') == std::string_view::npos) {
    return number;
  }
  while (number.back() == '0') {
    number.remove_suffix(1);
  }
  if (number.back() == '.') {
    number.remove_suffix(1);
  }
  return number;
}

bool ScalarEqual(std::string_view left, std::string_view right) {
  const JsonbKind kind = JsonbKindOf(left);
  if (kind != JsonbKindOf(right)) {
    return false;
  }
  if (kind == JsonbKind::kNumber) {
    return TrimFractionZeros(left) == TrimFractionZeros(right);
  }
  return left == right;
}

bool ContainerContains(std::string_view left, std::string_view right);

bool ObjectContains(std::string_view left, std::string_view right) {
  if (JsonbContainerSize(left) < JsonbContainerSize(right)) {
    return false;
  }
  bool contained = true;
  ForEachMember(right, [&](std::string_view key, std::string_view value) {
    std::optional<std::string_view> found;
    ForEachMember(left, [&](std::string_view left_key, std::string_view left_value) {
      if (left_key == key) {
        found = left_value;
        return false;
      }
      return true;
    });
    if (!found) {
      contained = false;
    } else if (IsScalar(JsonbKindOf(value))) {
      contained = ScalarEqual(*found, value);
    } else {
      contained = ContainerContains(*found, value);
    }
    return contained;
  });
  return contained;
}

// `left_array` and `right_array` are arrays, or scalars standing for one-element arrays.
bool ArrayContains(std::string_view left_array, std::string_view right_array) {
  const auto for_each = [](std::string_view value, auto visit) {
    if (IsScalar(JsonbKindOf(value))) {
      visit(value);
    } else {
      ForEachElement(value, visit);
    }
  };
  bool contained = true;
  for_each(right_array, [&](std::string_view element) {
    const bool scalar = IsScalar(JsonbKindOf(element));
    bool found = false;
    for_each(left_array, [&](std::string_view left_element) {
      const bool left_scalar = IsScalar(JsonbKindOf(left_element));
      if (scalar && left_scalar) {
        found = ScalarEqual(left_element, element);
      } else if (!scalar && !left_scalar) {
        found = ContainerContains(left_element, element);
      }
      return !found;
    });
    contained = found;
    return contained;
  });
  return contained;
}

bool ContainerContains(std::string_view left, std::string_view right) {
  const JsonbKind kind = JsonbKindOf(left);
  if (kind != JsonbKindOf(right)) {
    return false;
  }
  return kind == JsonbKind::kObject ? ObjectContains(left, right) : ArrayContains(left, right);
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// The parser: PostgreSQL's JSON lexer and grammar (src/common/jsonapi.c), with the same one-token
// lookahead so that errors name the same token, and an explicit stack of open containers so that
// deep nesting cannot overflow the thread's stack.

namespace {

enum class Token : uint8_t {
  kObjectStart,
  kObjectEnd,
  kArrayStart,
  kArrayEnd,
  kComma,
  kColon,
  kString,
  kNumber,
  kTrue,
  kFalse,
  kNull,
  kEnd,
};

// What the parser expected when it found something else; selects the error detail.
enum class Expectation : uint8_t {
  kValue,
  kString,
  kArrayNext,
  kObjectStart,
  kObjectLabel,
  kObjectNext,
  kEnd,
};

}  // namespace

struct JsonbParser::State {
  // A member of an open object: its unescaped key in `keys` and its canonical `"key": value` text
  // in the output.
  struct Member {
    size_t key_begin;
    size_t key_size;
    size_t text_begin;
    size_t text_end;
  };
  // An open container: where its text starts in the output, and where its members start in
  // `members` and their keys in `keys`. Everything is written straight into the output, so a
  // nested value is never copied; only an object whose keys arrive out of order is rewritten.
  struct Frame {
    bool is_object;
    size_t text_begin;
    size_t members_begin;
    size_t keys_begin;
  };

  std::string_view input;
  size_t pos = 0;
  Token token = Token::kEnd;
  size_t token_start = 0;
  size_t token_end = 0;
  // The unescaped value of the current kString token.
  std::string string_value;
  // The open containers, innermost last, with the members and keys of the open objects.
  std::vector<Frame> frames;
  std::vector<Member> members;
  std::string keys;
  std::vector<size_t> order;
  std::string scratch;
  std::string* out = nullptr;
  // jsonb_strip_nulls: object members whose value is null are left out.
  bool strip_null_members = false;

  std::string_view TokenText() const { return input.substr(token_start, token_end - token_start); }

  [[noreturn]] void ThrowInvalidToken() const {
    ThrowSyntax(fmt::format("Token \"{}\" is invalid.", TokenText()));
  }

  [[noreturn]] void ReportParseError(Expectation expectation) const {
    if (token == Token::kEnd) {
      ThrowSyntax("The input string ended unexpectedly.");
    }
    const std::string_view found = TokenText();
    switch (expectation) {
      case Expectation::kValue:
        ThrowSyntax(fmt::format("Expected JSON value, but found \"{}\".", found));
      case Expectation::kString:
        ThrowSyntax(fmt::format("Expected string, but found \"{}\".", found));
      case Expectation::kArrayNext:
        ThrowSyntax(fmt::format("Expected \",\" or \"]\", but found \"{}\".", found));
      case Expectation::kObjectStart:
        ThrowSyntax(fmt::format("Expected string or \"}}\", but found \"{}\".", found));
      case Expectation::kObjectLabel:
        ThrowSyntax(fmt::format("Expected \":\", but found \"{}\".", found));
      case Expectation::kObjectNext:
        ThrowSyntax(fmt::format("Expected \",\" or \"}}\", but found \"{}\".", found));
      case Expectation::kEnd:
        ThrowSyntax(fmt::format("Expected end of input, but found \"{}\".", found));
    }
    ThrowInvalidToken();
  }

  void Lex() {
    while (pos < input.size() && IsJsonWhitespace(input[pos])) {
      ++pos;
    }
    token_start = pos;
    if (pos >= input.size()) {
      token = Token::kEnd;
      token_end = pos;
      return;
    }
    const char c = input[pos];
    switch (c) {
      case '{':
        SingleCharacter(Token::kObjectStart);
        return;
      case '}':
        SingleCharacter(Token::kObjectEnd);
        return;
      case '[':
        SingleCharacter(Token::kArrayStart);
        return;
      case ']':
        SingleCharacter(Token::kArrayEnd);
        return;
      case ',':
        SingleCharacter(Token::kComma);
        return;
      case ':':
        SingleCharacter(Token::kColon);
        return;
      case '"':
        LexString();
        return;
      default:
        break;
    }
    if (c == '-' || IsDigit(c)) {
      LexNumber();
      return;
    }
    size_t end = pos;
    while (end < input.size() && IsWordCharacter(input[end])) {
      ++end;
    }
    // Not a word either: an unexpected punctuation character, reported alone.
    token_end = end == pos ? pos + 1 : end;
    const std::string_view word = input.substr(pos, end - pos);
    if (word == "true") {
      token = Token::kTrue;
    } else if (word == "false") {
      token = Token::kFalse;
    } else if (word == "null") {
      token = Token::kNull;
    } else {
      ThrowInvalidToken();
    }
    pos = end;
  }

  void SingleCharacter(Token single) {
    token = single;
    token_end = ++pos;
  }

  void LexNumber() {
    size_t s = pos;
    if (input[s] == '-') {
      ++s;
    }
    const size_t n = input.size();
    bool error = false;
    if (s < n && input[s] == '0') {
      ++s;
    } else if (s < n && IsDigit(input[s])) {
      while (s < n && IsDigit(input[s])) {
        ++s;
      }
    } else {
      error = true;
    }
    if (s < n && input[s] == '.') {
      ++s;
      if (s == n || !IsDigit(input[s])) {
        error = true;
      } else {
        while (s < n && IsDigit(input[s])) {
          ++s;
        }
      }
    }
    if (s < n && (input[s] == 'e' || input[s] == 'E')) {
      ++s;
      if (s < n && (input[s] == '+' || input[s] == '-')) {
        ++s;
      }
      if (s == n || !IsDigit(input[s])) {
        error = true;
      } else {
        while (s < n && IsDigit(input[s])) {
          ++s;
        }
      }
    }
    // Trailing letters belong to the token, for the error message.
    while (s < n && IsWordCharacter(input[s])) {
      ++s;
      error = true;
    }
    token_end = s;
    if (error) {
      ThrowInvalidToken();
    }
    token = Token::kNumber;
    pos = s;
  }

  [[noreturn]] static void ThrowLowSurrogate() {
    ThrowSyntax("Unicode low surrogate must follow a high surrogate.");
  }

  void LexString() {
    const size_t n = input.size();
    size_t s = pos + 1;
    string_value.clear();
    int32_t high_surrogate = -1;
    for (;;) {
      // Copy the run of plain characters at once.
      size_t run = s;
      while (run < n && input[run] != '"' && input[run] != '\\' &&
             static_cast<unsigned char>(input[run]) >= 0x20) {
        ++run;
      }
      if (run > s) {
        if (high_surrogate != -1) {
          ThrowLowSurrogate();
        }
        string_value.append(input.substr(s, run - s));
        s = run;
      }
      if (s >= n) {
        token_end = s;
        ThrowInvalidToken();
      }
      const char c = input[s];
      if (c == '"') {
        break;
      }
      if (static_cast<unsigned char>(c) < 0x20) {
        token_end = s;
        ThrowSyntax(fmt::format("Character with value 0x{:02x} must be escaped.",
                                static_cast<unsigned char>(c)));
      }
      // A backslash escape.
      ++s;
      if (s >= n) {
        token_end = s;
        ThrowInvalidToken();
      }
      const char escaped = input[s];
      if (escaped == 'u') {
        uint32_t code_point = 0;
        for (int i = 0; i < 4; ++i) {
          ++s;
          if (s >= n) {
            token_end = s;
            ThrowInvalidToken();
          }
          const int value = HexValue(input[s]);
          if (value < 0) {
            ThrowSyntax("\"\\u\" must be followed by four hexadecimal digits.");
          }
          code_point = code_point * 16 + static_cast<uint32_t>(value);
        }
        ++s;
        if (code_point >= 0xd800 && code_point <= 0xdbff) {
          if (high_surrogate != -1) {
            ThrowSyntax("Unicode high surrogate must not follow a high surrogate.");
          }
          high_surrogate = static_cast<int32_t>(code_point);
          continue;
        }
        if (code_point >= 0xdc00 && code_point <= 0xdfff) {
          if (high_surrogate == -1) {
            ThrowLowSurrogate();
          }
          code_point = 0x10000 + ((static_cast<uint32_t>(high_surrogate) & 0x3ff) << 10) +
                       (code_point & 0x3ff);
          high_surrogate = -1;
        }
        if (high_surrogate != -1) {
          ThrowLowSurrogate();
        }
        if (code_point == 0) {
          throw Error(SqlState::kUntranslatableCharacter, "unsupported Unicode escape sequence")
              .WithDetail("\\u0000 cannot be converted to text.");
        }
        AppendUtf8(string_value, code_point);
        continue;
      }
      if (high_surrogate != -1) {
        ThrowLowSurrogate();
      }
      switch (escaped) {
        case '"':
        case '\\':
        case '/':
          string_value += escaped;
          break;
        case 'b':
          string_value += '\b';
          break;
        case 'f':
          string_value += '\f';
          break;
        case 'n':
          string_value += '\n';
          break;
        case 'r':
          string_value += '\r';
          break;
        case 't':
          string_value += '\t';
          break;
        default: {
          token_start = s;
          token_end = std::min(n, s + Utf8SequenceLength(static_cast<unsigned char>(escaped)));
          ThrowSyntax(fmt::format("Escape sequence \"\\{}\" is invalid.", TokenText()));
        }
      }
      ++s;
    }
    if (high_surrogate != -1) {
      ThrowLowSurrogate();
    }
    token = Token::kString;
    token_end = s + 1;
    pos = s + 1;
  }

  void Open(bool is_object) {
    frames.push_back({is_object, out->size(), members.size(), keys.size()});
    *out += is_object ? '{' : '[';
  }

  // Reads `"key": ` with the current token at the key, leaving the token at the value.
  void BeginMember() {
    const Frame& frame = frames.back();
    if (members.size() > frame.members_begin) {
      *out += ", ";
    }
    Member member{keys.size(), string_value.size(), out->size(), 0};
    keys += string_value;
    AppendJsonString(*out, string_value);
    *out += ": ";
    members.push_back(member);
    Lex();
    if (token != Token::kColon) {
      ReportParseError(Expectation::kObjectLabel);
    }
    Lex();
  }

  void CloseArray() {
    frames.pop_back();
    *out += ']';
  }

  // Sorts the members by key length, then bytes (lengthCompareJsonbStringValue), keeping the last
  // of equal keys. Keys that arrived in order, the common case, need no work.
  void CloseObject() {
    const Frame frame = frames.back();
    frames.pop_back();
    const size_t count = members.size() - frame.members_begin;
    const auto key = [&](size_t i) {
      const Member& member = members[frame.members_begin + i];
      return std::string_view(keys).substr(member.key_begin, member.key_size);
    };
    const auto less = [&](size_t a, size_t b) {
      const std::string_view left = key(a);
      const std::string_view right = key(b);
      return left.size() != right.size() ? left.size() < right.size() : left < right;
    };
    bool sorted = true;
    bool has_null = false;
    for (size_t i = 0; i < count; ++i) {
      sorted = sorted && (i == 0 || less(i - 1, i));
      const Member& member = members[frame.members_begin + i];
      has_null = has_null || (strip_null_members &&
                              std::string_view(*out).substr(member.text_end - 4, 4) == "null" &&
                              (*out)[member.text_end - 5] == ' ');
    }
    if (!sorted || has_null) {
      order.resize(count);
      std::iota(order.begin(), order.end(), 0);
      std::stable_sort(order.begin(), order.end(), less);
      const size_t body = frame.text_begin + 1;
      scratch.assign(*out, body, std::string::npos);
      out->resize(body);
      bool first = true;
      for (size_t i = 0; i < count; ++i) {
        if (i + 1 < count && key(order[i]) == key(order[i + 1])) {
          continue;
        }
        const Member& kept = members[frame.members_begin + order[i]];
        const std::string_view text = std::string_view(scratch).substr(
            kept.text_begin - body, kept.text_end - kept.text_begin);
        if (strip_null_members && text.ends_with(": null")) {
          continue;
        }
        if (!first) {
          *out += ", ";
        }
        first = false;
        const Member& member = members[frame.members_begin + order[i]];
        *out += std::string_view(scratch).substr(member.text_begin - body,
                                                 member.text_end - member.text_begin);
      }
    }
    *out += '}';
    members.resize(frame.members_begin);
    keys.resize(frame.keys_begin);
  }

  void Parse() {
    pos = 0;
    frames.clear();
    members.clear();
    keys.clear();
    Lex();
    bool expect_value = true;
    for (;;) {
      if (expect_value) {
        expect_value = false;
        switch (token) {
          case Token::kObjectStart:
            Open(true);
            Lex();
            if (token == Token::kObjectEnd) {
              Lex();
              CloseObject();
              break;
            }
            if (token != Token::kString) {
              ReportParseError(Expectation::kObjectStart);
            }
            BeginMember();
            expect_value = true;
            continue;
          case Token::kArrayStart:
            Open(false);
            Lex();
            if (token == Token::kArrayEnd) {
              Lex();
              CloseArray();
              break;
            }
            expect_value = true;
            continue;
          case Token::kString:
            AppendJsonString(*out, string_value);
            Lex();
            break;
          case Token::kNumber:
            AppendCanonicalNumber(*out, TokenText());
            Lex();
            break;
          case Token::kTrue:
          case Token::kFalse:
          case Token::kNull:
            *out += TokenText();
            Lex();
            break;
          default:
            ReportParseError(Expectation::kValue);
        }
      }
      // A value just ended.
      if (frames.empty()) {
        if (token != Token::kEnd) {
          ReportParseError(Expectation::kEnd);
        }
        return;
      }
      if (frames.back().is_object) {
        members.back().text_end = out->size();
        if (token == Token::kComma) {
          Lex();
          if (token != Token::kString) {
            ReportParseError(Expectation::kString);
          }
          BeginMember();
          expect_value = true;
          continue;
        }
        if (token != Token::kObjectEnd) {
          ReportParseError(Expectation::kObjectNext);
        }
        Lex();
        CloseObject();
        continue;
      }
      if (token == Token::kComma) {
        *out += ", ";
        Lex();
        expect_value = true;
        continue;
      }
      if (token != Token::kArrayEnd) {
        ReportParseError(Expectation::kArrayNext);
      }
      Lex();
      CloseArray();
    }
  }
};

JsonbParser::JsonbParser() : state_(std::make_unique<State>()) {}

JsonbParser::~JsonbParser() = default;

void JsonbParser::ParseStrippingNulls(std::string_view text, std::string& out) {
  state_->strip_null_members = true;
  try {
    Parse(text, out);
  } catch (...) {
    state_->strip_null_members = false;
    throw;
  }
  state_->strip_null_members = false;
}

void JsonbParser::Parse(std::string_view text, std::string& out) {
  CheckUtf8(text);
  state_->input = text;
  state_->out = &out;
  const size_t start = out.size();
  try {
    state_->Parse();
  } catch (...) {
    out.resize(start);
    throw;
  }
}

std::string ParseJsonb(std::string_view text) {
  JsonbParser parser;
  std::string out;
  parser.Parse(text, out);
  return out;
}

JsonbKind JsonbKindOf(std::string_view jsonb) {
  switch (jsonb.empty() ? 'n' : jsonb.front()) {
    case '{':
      return JsonbKind::kObject;
    case '[':
      return JsonbKind::kArray;
    case '"':
      return JsonbKind::kString;
    case 't':
    case 'f':
      return JsonbKind::kBoolean;
    case 'n':
      return JsonbKind::kNull;
    default:
      return JsonbKind::kNumber;
  }
}

std::string_view JsonbKindName(JsonbKind kind) {
  switch (kind) {
    case JsonbKind::kObject:
      return "object";
    case JsonbKind::kArray:
      return "array";
    case JsonbKind::kString:
      return "string";
    case JsonbKind::kNumber:
      return "number";
    case JsonbKind::kBoolean:
      return "boolean";
    case JsonbKind::kNull:
      return "null";
  }
  return "null";
}

std::optional<std::string_view> JsonbObjectField(std::string_view jsonb, std::string_view key) {
  if (JsonbKindOf(jsonb) != JsonbKind::kObject) {
    return std::nullopt;
  }
  std::optional<std::string_view> found;
  ForEachMember(jsonb, [&](std::string_view quoted_key, std::string_view value) {
    if (StringEquals(quoted_key, key)) {
      found = value;
      return false;
    }
    return true;
  });
  return found;
}

std::optional<std::string_view> JsonbArrayElement(std::string_view jsonb, int64_t index) {
  if (JsonbKindOf(jsonb) != JsonbKind::kArray) {
    return std::nullopt;
  }
  if (index < 0) {
    index += JsonbContainerSize(jsonb);
    if (index < 0) {
      return std::nullopt;
    }
  }
  std::optional<std::string_view> found;
  int64_t position = 0;
  ForEachElement(jsonb, [&](std::string_view element) {
    if (position++ == index) {
      found = element;
      return false;
    }
    return true;
  });
  return found;
}

int64_t JsonbContainerSize(std::string_view jsonb) {
  int64_t size = 0;
  const JsonbKind kind = JsonbKindOf(jsonb);
  if (kind == JsonbKind::kArray) {
    ForEachElement(jsonb, [&](std::string_view) {
      ++size;
      return true;
    });
  } else if (kind == JsonbKind::kObject) {
    ForEachMember(jsonb, [&](std::string_view, std::string_view) {
      ++size;
      return true;
    });
  }
  return size;
}

std::optional<std::string_view> JsonbExtractPath(std::string_view jsonb,
                                                 const std::vector<std::string_view>& path) {
  std::optional<std::string_view> current = jsonb;
  for (std::string_view step : path) {
    const JsonbKind kind = JsonbKindOf(*current);
    if (kind == JsonbKind::kObject) {
      current = JsonbObjectField(*current, step);
    } else if (kind == JsonbKind::kArray) {
      // strtoint: optional leading spaces and sign, then digits only, within int range.
      std::string_view digits = step;
      while (!digits.empty() && std::isspace(static_cast<unsigned char>(digits.front()))) {
        digits.remove_prefix(1);
      }
      bool negative = false;
      if (!digits.empty() && (digits.front() == '-' || digits.front() == '+')) {
        negative = digits.front() == '-';
        digits.remove_prefix(1);
      }
      if (digits.empty()) {
        return std::nullopt;
      }
      int64_t index = 0;
      for (char c : digits) {
        if (!IsDigit(c)) {
          return std::nullopt;
        }
        index = index * 10 + (c - '0');
        if (index > INT_MAX) {
          return std::nullopt;
        }
      }
      current = JsonbArrayElement(*current, negative ? -index : index);
    } else {
      return std::nullopt;
    }
    if (!current) {
      return std::nullopt;
    }
  }
  return current;
}

void AppendJsonbAsText(std::string& out, std::string_view jsonb) {
  if (JsonbKindOf(jsonb) != JsonbKind::kString) {
    out += jsonb;
    return;
  }
  size_t pos = 1;
  const size_t end = jsonb.size() - 1;
  while (pos < end) {
    out += NextStringByte(jsonb, pos);
  }
}

bool JsonbEqual(std::string_view left, std::string_view right) {
  // Canonical texts of equal values differ only in the scale of their numbers.
  size_t i = 0;
  size_t j = 0;
  while (i < left.size() && j < right.size()) {
    const char a = left[i];
    const char b = right[j];
    if (a == '"' && b == '"') {
      const size_t left_end = SkipString(left, i);
      const size_t right_end = SkipString(right, j);
      if (left.substr(i, left_end - i) != right.substr(j, right_end - j)) {
        return false;
      }
      i = left_end;
      j = right_end;
      continue;
    }
    if ((a == '-' || IsDigit(a)) && (b == '-' || IsDigit(b))) {
      const size_t left_end = SkipValue(left, i);
      const size_t right_end = SkipValue(right, j);
      if (TrimFractionZeros(left.substr(i, left_end - i)) !=
          TrimFractionZeros(right.substr(j, right_end - j))) {
        return false;
      }
      i = left_end;
      j = right_end;
      continue;
    }
    if (a != b) {
      return false;
    }
    ++i;
    ++j;
  }
  return i == left.size() && j == right.size();
}

bool JsonbContains(std::string_view left, std::string_view right) {
  const JsonbKind left_kind = JsonbKindOf(left);
  const JsonbKind right_kind = JsonbKindOf(right);
  if ((left_kind == JsonbKind::kObject) != (right_kind == JsonbKind::kObject)) {
    return false;
  }
  if (left_kind == JsonbKind::kObject) {
    return ObjectContains(left, right);
  }
  // A top-level scalar is a one-element array that may contain only a scalar.
  if (IsScalar(left_kind) && !IsScalar(right_kind)) {
    return false;
  }
  return ArrayContains(left, right);
}

bool JsonbKeyExists(std::string_view jsonb, std::string_view key) {
  bool found = false;
  switch (JsonbKindOf(jsonb)) {
    case JsonbKind::kObject:
      ForEachMember(jsonb, [&](std::string_view quoted_key, std::string_view) {
        found = StringEquals(quoted_key, key);
        return !found;
      });
      return found;
    case JsonbKind::kArray:
      ForEachElement(jsonb, [&](std::string_view element) {
        found = JsonbKindOf(element) == JsonbKind::kString && StringEquals(element, key);
        return !found;
      });
      return found;
    case JsonbKind::kString:
      return StringEquals(jsonb, key);
    default:
      return false;
  }
}

void AppendJsonbConcat(std::string& out, std::string_view left, std::string_view right) {
  const JsonbKind left_kind = JsonbKindOf(left);
  const JsonbKind right_kind = JsonbKindOf(right);
  std::string merged;
  if (left_kind == JsonbKind::kObject && right_kind == JsonbKind::kObject) {
    // The members of both, the right ones last, so that parsing keeps the right value of a key.
    const std::string_view left_body = left.substr(1, left.size() - 2);
    const std::string_view right_body = right.substr(1, right.size() - 2);
    merged = "{";
    merged += left_body;
    merged += !left_body.empty() && !right_body.empty() ? ", " : "";
    merged += right_body;
    merged += "}";
    JsonbParser parser;
    parser.Parse(merged, out);
    return;
  }
  const auto body = [](std::string_view value) {
    return JsonbKindOf(value) == JsonbKind::kArray ? value.substr(1, value.size() - 2) : value;
  };
  const std::string_view left_body = body(left);
  const std::string_view right_body = body(right);
  out += '[';
  out += left_body;
  out += !left_body.empty() && !right_body.empty() ? ", " : "";
  out += right_body;
  out += ']';
}

void AppendJsonbWithoutKey(std::string& out, std::string_view jsonb, std::string_view key) {
  const JsonbKind kind = JsonbKindOf(jsonb);
  bool first = true;
  if (kind == JsonbKind::kObject) {
    out += '{';
    ForEachMember(jsonb, [&](std::string_view quoted_key, std::string_view value) {
      if (!StringEquals(quoted_key, key)) {
        out += first ? "" : ", ";
        first = false;
        out += quoted_key;
        out += ": ";
        out += value;
      }
      return true;
    });
    out += '}';
    return;
  }
  if (kind == JsonbKind::kArray) {
    out += '[';
    ForEachElement(jsonb, [&](std::string_view element) {
      if (JsonbKindOf(element) != JsonbKind::kString || !StringEquals(element, key)) {
        out += first ? "" : ", ";
        first = false;
        out += element;
      }
      return true;
    });
    out += ']';
    return;
  }
  throw Error(SqlState::kInvalidParameterValue, "cannot delete from scalar");
}

void AppendJsonbWithoutElement(std::string& out, std::string_view jsonb, int64_t index) {
  const JsonbKind kind = JsonbKindOf(jsonb);
  if (kind == JsonbKind::kObject) {
    throw Error(SqlState::kInvalidParameterValue, "cannot delete from object using integer index");
  }
  if (kind != JsonbKind::kArray) {
    throw Error(SqlState::kInvalidParameterValue, "cannot delete from scalar");
  }
  if (index < 0) {
    index += JsonbContainerSize(jsonb);
  }
  out += '[';
  int64_t position = 0;
  bool first = true;
  ForEachElement(jsonb, [&](std::string_view element) {
    if (position++ != index) {
      out += first ? "" : ", ";
      first = false;
      out += element;
    }
    return true;
  });
  out += ']';
}

void AppendJsonbPretty(std::string& out, std::string_view jsonb) {
  // One pass over the canonical text, whose only whitespace is the space after ',' and ':'.
  int depth = 0;
  const auto newline = [&](int level) {
    out += '\n';
    out.append(static_cast<size_t>(level) * 4, ' ');
  };
  for (size_t i = 0; i < jsonb.size(); ++i) {
    const char c = jsonb[i];
    switch (c) {
      case '"': {
        const size_t end = SkipString(jsonb, i);
        out += jsonb.substr(i, end - i);
        i = end - 1;
        break;
      }
      case '{':
      case '[':
        out += c;
        if (jsonb[i + 1] == '}' || jsonb[i + 1] == ']') {
          // PostgreSQL prints an empty container over two lines too.
          newline(depth);
          out += jsonb[++i];
        } else {
          newline(++depth);
        }
        break;
      case '}':
      case ']':
        newline(--depth);
        out += c;
        break;
      case ',':
        out += ',';
        newline(depth);
        ++i;  // the space after the comma
        break;
      default:
        out += c;
        break;
    }
  }
}

void AppendJsonString(std::string& out, std::string_view text) {
  out += '"';
  size_t run = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x20 && c != '"' && c != '\\') {
      continue;
    }
    out.append(text.substr(run, i - run));
    run = i + 1;
    switch (c) {
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      default:
        fmt::format_to(std::back_inserter(out), "\\u{:04x}", byte);
        break;
    }
  }
  out.append(text.substr(run));
  out += '"';
}

}  // namespace freshet
