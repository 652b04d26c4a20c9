// SPDX-License-Identifier: Apache-2.0
#include "function/pattern_matching.h"

#include <cctype>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <re2/re2.h>

#include "common/error.h"
#include "function/internal/utf8.h"
#include "function/scalar_function.h"

namespace freshet::function {

// ------------------------------------------------------------------------------------------------
// LIKE

namespace {

[[noreturn]] void ThrowTrailingEscape() {
  throw Error(SqlState::kInvalidEscapeSequence, "LIKE pattern must not end with escape character");
}

void LowerAscii(std::string_view text, std::string& out) {
  out.assign(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
  }
}

enum class Match : uint8_t { kFalse, kTrue, kAbort };

// Postgres's MatchText for UTF-8: `%` and `_` are wildcards, a backslash takes the next byte
// literally. Recursion happens only at a `%`, and a failed attempt there aborts the whole match, so
// the work is bounded by the product of the lengths. Errors for a trailing escape are raised only
// when the matcher reaches it, as Postgres raises them.
Match MatchText(std::string_view text, std::string_view pattern) {
  size_t t = 0;
  size_t p = 0;
  if (pattern == "%") {
    return Match::kTrue;
  }
  while (t < text.size() && p < pattern.size()) {
    if (pattern[p] == '\\') {
      ++p;
      if (p >= pattern.size()) {
        ThrowTrailingEscape();
      }
      if (pattern[p] != text[t]) {
        return Match::kFalse;
      }
    } else if (pattern[p] == '%') {
      ++p;
      // Runs of % and _ collapse: each _ consumes one character now.
      while (p < pattern.size()) {
        if (pattern[p] == '%') {
          ++p;
        } else if (pattern[p] == '_') {
          if (t >= text.size()) {
            return Match::kAbort;
          }
          t += internal::CharacterBytes(text, t);
          ++p;
        } else {
          break;
        }
      }
      if (p >= pattern.size()) {
        return Match::kTrue;
      }
      char first = pattern[p];
      if (first == '\\') {
        if (p + 1 >= pattern.size()) {
          ThrowTrailingEscape();
        }
        first = pattern[p + 1];
      }
      const std::string_view rest = pattern.substr(p);
      while (t < text.size()) {
        if (text[t] == first) {
          const Match matched = MatchText(text.substr(t), rest);
          if (matched != Match::kFalse) {
            return matched;
          }
        }
        t += internal::CharacterBytes(text, t);
      }
      return Match::kAbort;
    } else if (pattern[p] == '_') {
      t += internal::CharacterBytes(text, t);
      ++p;
      continue;
    } else if (pattern[p] != text[t]) {
      return Match::kFalse;
    }
    ++t;
    ++p;
  }
  if (t < text.size()) {
    return Match::kFalse;
  }
  while (p < pattern.size() && pattern[p] == '%') {
    ++p;
  }
  return p >= pattern.size() ? Match::kTrue : Match::kAbort;
}

}  // namespace

void LikePattern::Compile(std::string_view pattern, bool case_insensitive) {
  case_insensitive_ = case_insensitive;
  if (case_insensitive) {
    LowerAscii(pattern, pattern_);
  } else {
    pattern_.assign(pattern);
  }
  // Recognize the shapes that need no matcher: "abc", "abc%", "%abc" and "%abc%" without `_` or
  // escapes.
  kind_ = Kind::kGeneral;
  std::string_view body = pattern_;
  const bool leading = body.starts_with('%');
  if (leading) {
    body.remove_prefix(1);
  }
  const bool trailing = body.ends_with('%');
  if (trailing) {
    body.remove_suffix(1);
  }
  if (body.find_first_of("%_\\") != std::string_view::npos) {
    return;
  }
  literal_ = body;
  kind_ = leading && trailing ? Kind::kContains
          : leading           ? Kind::kSuffix
          : trailing          ? Kind::kPrefix
                              : Kind::kEquals;
}

bool LikePattern::Matches(std::string_view text) {
  if (case_insensitive_) {
    LowerAscii(text, lowered_);
    text = lowered_;
  }
  switch (kind_) {
    case Kind::kEquals:
      return text == literal_;
    case Kind::kPrefix:
      return text.starts_with(literal_);
    case Kind::kSuffix:
      return text.ends_with(literal_);
    case Kind::kContains:
      return text.find(literal_) != std::string_view::npos;
    case Kind::kGeneral:
      return MatchText(text, pattern_) == Match::kTrue;
  }
  return false;
}

void ConvertLikeEscape(std::string_view pattern, std::string_view escape, std::string& out) {
  out.clear();
  if (escape.empty()) {
    // No escape character: backslashes become ordinary characters.
    for (char c : pattern) {
      if (c == '\\') {
        out += '\\';
      }
      out += c;
    }
    return;
  }
  if (internal::CharacterBytes(escape, 0) != escape.size()) {
    throw Error(SqlState::kInvalidEscapeSequence, "invalid escape string")
        .WithHint("Escape string must be empty or one character.");
  }
  if (escape == "\\") {
    out.assign(pattern);
    return;
  }
  bool after_escape = false;
  for (size_t i = 0; i < pattern.size();) {
    const size_t length = internal::CharacterBytes(pattern, i);
    const std::string_view character = pattern.substr(i, length);
    i += length;
    if (character == escape && !after_escape) {
      out += '\\';
      after_escape = true;
    } else if (character == "\\") {
      out += '\\';
      if (!after_escape) {
        out += '\\';
      }
      after_escape = false;
    } else {
      out.append(character);
      after_escape = false;
    }
  }
}

namespace {

// x ~~ p, x !~~ p, x ~~* p, x !~~* p. The pattern is compiled again only when it differs from the
// previous row's, so a constant pattern is compiled once per chunk.
template <bool CaseInsensitive, bool Negated>
void Like(const EvaluationContext& context,
          std::span<const Column* const> arguments,
          size_t rows,
          Column& out) {
  const Column& text = *arguments[0];
  const Column& pattern = *arguments[1];
  out.ResizeFixed(rows);
  uint8_t* result = out.MutableData<uint8_t>();
  uint8_t* nulls = out.MutableNulls();
  LikePattern matcher;
  std::string compiled;
  bool have_compiled = false;
  for (size_t row = 0; row < rows; ++row) {
    const bool is_null = text.IsNull(row) || pattern.IsNull(row);
    nulls[row] = is_null ? 1 : 0;
    if (is_null) {
      continue;
    }
    const std::string_view current = pattern.GetString(row);
    if (!have_compiled || current != compiled) {
      compiled.assign(current);
      matcher.Compile(current, CaseInsensitive);
      have_compiled = true;
    }
    result[row] = matcher.Matches(text.GetString(row)) != Negated ? 1 : 0;
  }
}

void LikeEscape(const EvaluationContext& context,
                std::span<const Column* const> arguments,
                size_t rows,
                Column& out) {
  const Column& pattern = *arguments[0];
  const Column& escape = *arguments[1];
  out.Reserve(rows);
  std::string buffer;
  for (size_t row = 0; row < rows; ++row) {
    if (pattern.IsNull(row) || escape.IsNull(row)) {
      out.AppendNull();
      continue;
    }
    ConvertLikeEscape(pattern.GetString(row), escape.GetString(row), buffer);
    out.AppendString(buffer);
  }
}

// ------------------------------------------------------------------------------------------------
// Regular expressions

// Flags of a compiled regular expression (Postgres's regexp flag letters).
constexpr uint32_t kCaseInsensitive = 1;
constexpr uint32_t kNewlineSensitive = 2;  // 'n' / 'm': ^ $ at lines, . not matching newline
constexpr uint32_t kPartialNewline = 4;    // 'p': . not matching newline
constexpr uint32_t kInversePartial = 8;    // 'w': ^ $ at lines
constexpr uint32_t kLiteral = 16;          // 'q': the pattern is a literal string

struct RegexFlags {
  uint32_t compile = 0;
  bool global = false;
};

RegexFlags ParseFlags(std::string_view letters, bool allow_global, std::string_view function) {
  RegexFlags flags;
  for (char letter : letters) {
    switch (letter) {
      case 'g':
        if (!allow_global) {
          throw Error(SqlState::kInvalidParameterValue,
                      fmt::format("invalid regular expression option: \"{}\"", letter))
              .WithHint(fmt::format("If you meant to use {}(), simply omit the \"g\" flag.",
                                    function == "regexp_like" ? "regexp_replace" : function));
        }
        flags.global = true;
        break;
      case 'i':
        flags.compile |= kCaseInsensitive;
        break;
      case 'c':
        flags.compile &= ~kCaseInsensitive;
        break;
      case 'n':
      case 'm':
        flags.compile |= kNewlineSensitive;
        break;
      case 'p':
        flags.compile = (flags.compile & ~(kNewlineSensitive | kInversePartial)) | kPartialNewline;
        break;
      case 'w':
        flags.compile = (flags.compile & ~(kNewlineSensitive | kPartialNewline)) | kInversePartial;
        break;
      case 's':
        flags.compile &= ~(kNewlineSensitive | kPartialNewline | kInversePartial);
        break;
      case 'q':
        flags.compile |= kLiteral;
        break;
      case 't':
        break;
      default:
        throw Error(
            SqlState::kInvalidParameterValue,
            fmt::format("invalid regular expression option: \"{}\"", std::string_view(&letter, 1)));
    }
  }
  return flags;
}

[[noreturn]] void ThrowInvalidRegex(std::string_view reason) {
  throw Error(SqlState::kInvalidRegularExpression,
              fmt::format("invalid regular expression: {}", reason));
}

// Rewrites the parts of Postgres's ARE syntax that RE2 spells differently: \y \Y \m \M \Z and
// [[:<:]] [[:>:]]; rejects repetition counts above Postgres's 255.
std::string TranslateRegex(std::string_view pattern) {
  std::string out;
  out.reserve(pattern.size() + 8);
  size_t i = 0;
  if (pattern.starts_with("***=")) {
    return RE2::QuoteMeta(re2::StringPiece(pattern.data() + 4, pattern.size() - 4));
  }
  if (pattern.starts_with("***:")) {
    i = 4;
  }
  bool in_bracket = false;
  while (i < pattern.size()) {
    const char c = pattern[i];
    if (!in_bracket &&
        (pattern.substr(i).starts_with("[[:<:]]") || pattern.substr(i).starts_with("[[:>:]]"))) {
      out += "\\b";
      i += 7;
      continue;
    }
    if (c == '\\' && i + 1 < pattern.size()) {
      const char next = pattern[i + 1];
      if (!in_bracket && (next == 'y' || next == 'm' || next == 'M')) {
        out += "\\b";
      } else if (!in_bracket && next == 'Y') {
        out += "\\B";
      } else if (!in_bracket && next == 'Z') {
        out += "\\z";
      } else {
        out += c;
        out += next;
      }
      i += 2;
      continue;
    }
    if (in_bracket) {
      out += c;
      if (c == '[' && i + 1 < pattern.size() &&
          (pattern[i + 1] == ':' || pattern[i + 1] == '.' || pattern[i + 1] == '=')) {
        // A [:class:] inside brackets: copy through to its closing ":]".
        const char kind = pattern[i + 1];
        const size_t close = pattern.find(std::string{kind, ']'}, i + 2);
        if (close != std::string_view::npos) {
          out.append(pattern.substr(i + 1, close + 2 - (i + 1)));
          i = close + 2;
          continue;
        }
      }
      if (c == ']') {
        in_bracket = false;
      }
      ++i;
      continue;
    }
    if (c == '[') {
      in_bracket = true;
      out += c;
      ++i;
      // A ']' right after '[' or '[^' is a literal member.
      if (i < pattern.size() && pattern[i] == '^') {
        out += pattern[i++];
      }
      if (i < pattern.size() && pattern[i] == ']') {
        out += pattern[i++];
      }
      continue;
    }
    if (c == '{') {
      // {m}, {m,}, {m,n}: Postgres allows counts up to 255 (RE_DUP_MAX).
      size_t j = i + 1;
      bool valid = j < pattern.size() && std::isdigit(static_cast<unsigned char>(pattern[j]));
      if (valid) {
        int64_t low = 0;
        int64_t high = -1;
        while (j < pattern.size() && std::isdigit(static_cast<unsigned char>(pattern[j]))) {
          low = std::min<int64_t>(low * 10 + (pattern[j++] - '0'), 100000);
        }
        if (j < pattern.size() && pattern[j] == ',') {
          ++j;
          if (j < pattern.size() && std::isdigit(static_cast<unsigned char>(pattern[j]))) {
            high = 0;
            while (j < pattern.size() && std::isdigit(static_cast<unsigned char>(pattern[j]))) {
              high = std::min<int64_t>(high * 10 + (pattern[j++] - '0'), 100000);
            }
          }
        } else {
          high = low;
        }
        if (j < pattern.size() && pattern[j] == '}' &&
            (low > 255 || high > 255 || (high >= 0 && high < low))) {
          ThrowInvalidRegex("invalid repetition count(s)");
        }
      }
    }
    out += c;
    ++i;
  }
  return out;
}

std::string_view ReasonFor(RE2::ErrorCode code, const std::string& fallback) {
  switch (code) {
    case RE2::ErrorMissingParen:
    case RE2::ErrorUnexpectedParen:
      return "parentheses () not balanced";
    case RE2::ErrorMissingBracket:
      return "brackets [] not balanced";
    case RE2::ErrorRepeatArgument:
    case RE2::ErrorRepeatOp:
      return "quantifier operand invalid";
    case RE2::ErrorBadEscape:
    case RE2::ErrorTrailingBackslash:
      return "invalid escape \\ sequence";
    case RE2::ErrorRepeatSize:
      return "invalid repetition count(s)";
    case RE2::ErrorBadCharRange:
      return "invalid character range";
    case RE2::ErrorBadCharClass:
      return "invalid character class";
    case RE2::ErrorPatternTooLarge:
      return "regular expression is too complex";
    default:
      return fallback;
  }
}

// Whether the pattern has a non-greedy quantifier; without one Postgres prefers the longest match
// (POSIX), with one the leftmost-first match is closer to its rules.
bool HasNonGreedyQuantifier(std::string_view pattern) {
  for (size_t i = 1; i < pattern.size(); ++i) {
    if (pattern[i] == '?' && pattern[i - 1] != '\\' &&
        (pattern[i - 1] == '*' || pattern[i - 1] == '+' || pattern[i - 1] == '?' ||
         pattern[i - 1] == '}')) {
      return true;
    }
  }
  return false;
}

std::unique_ptr<RE2> CompileRegex(std::string_view pattern, uint32_t flags) {
  std::string translated;
  if ((flags & kLiteral) != 0) {
    translated = RE2::QuoteMeta(re2::StringPiece(pattern.data(), pattern.size()));
  } else {
    translated = TranslateRegex(pattern);
  }
  const bool line_anchors = (flags & (kNewlineSensitive | kInversePartial)) != 0;
  if (line_anchors) {
    translated = "(?m:" + translated + ")";
  }
  RE2::Options options;
  options.set_log_errors(false);
  options.set_encoding(RE2::Options::EncodingUTF8);
  options.set_case_sensitive((flags & kCaseInsensitive) == 0);
  options.set_dot_nl((flags & (kNewlineSensitive | kPartialNewline)) == 0);
  options.set_longest_match(!HasNonGreedyQuantifier(pattern));
  auto regex =
      std::make_unique<RE2>(re2::StringPiece(translated.data(), translated.size()), options);
  if (!regex->ok()) {
    // RE2 reports an unknown [:name:] as a bad range; Postgres calls it a bad class.
    if (regex->error_code() == RE2::ErrorBadCharRange && regex->error_arg().starts_with("[:")) {
      ThrowInvalidRegex("invalid character class");
    }
    ThrowInvalidRegex(ReasonFor(regex->error_code(), regex->error()));
  }
  return regex;
}

// A per-thread cache of compiled regular expressions, like Postgres's cache of 32: kernels are
// plain functions, so a constant pattern would otherwise be compiled once per chunk.
class RegexCache {
 public:
  const RE2& Get(std::string_view pattern, uint32_t flags) {
    for (size_t i = 0; i < entries_.size(); ++i) {
      if (entries_[i].flags == flags && entries_[i].pattern == pattern) {
        if (i != 0) {
          std::swap(entries_[i], entries_[0]);
        }
        return *entries_[0].regex;
      }
    }
    Entry entry{std::string(pattern), flags, CompileRegex(pattern, flags)};
    if (entries_.size() >= kCapacity) {
      entries_.pop_back();
    }
    entries_.insert(entries_.begin(), std::move(entry));
    return *entries_[0].regex;
  }

 private:
  static constexpr size_t kCapacity = 32;
  struct Entry {
    std::string pattern;
    uint32_t flags;
    std::unique_ptr<RE2> regex;
  };
  std::vector<Entry> entries_;
};

const RE2& CachedRegex(std::string_view pattern, uint32_t flags) {
  thread_local RegexCache cache;
  return cache.Get(pattern, flags);
}

re2::StringPiece Piece(std::string_view text) {
  return re2::StringPiece(text.data(), text.size());
}

// Finds the first match of `regex` in `text` at or after byte `start`; fills `groups` (whole match
// first) and returns false when there is none.
bool FindMatch(const RE2& regex,
               std::string_view text,
               size_t start,
               std::vector<re2::StringPiece>& groups) {
  groups.resize(static_cast<size_t>(regex.NumberOfCapturingGroups()) + 1);
  return regex.Match(Piece(text), start, text.size(), RE2::UNANCHORED, groups.data(),
                     static_cast<int>(groups.size()));
}

// x ~ p, x !~ p, x ~* p, x !~* p.
template <bool CaseInsensitive, bool Negated>
void RegexMatch(const EvaluationContext& context,
                std::span<const Column* const> arguments,
                size_t rows,
                Column& out) {
  const Column& text = *arguments[0];
  const Column& pattern = *arguments[1];
  out.ResizeFixed(rows);
  uint8_t* result = out.MutableData<uint8_t>();
  uint8_t* nulls = out.MutableNulls();
  const RE2* regex = nullptr;
  std::string_view previous;
  for (size_t row = 0; row < rows; ++row) {
    const bool is_null = text.IsNull(row) || pattern.IsNull(row);
    nulls[row] = is_null ? 1 : 0;
    if (is_null) {
      continue;
    }
    const std::string_view current = pattern.GetString(row);
    if (regex == nullptr || current != previous) {
      regex = &CachedRegex(current, CaseInsensitive ? kCaseInsensitive : 0);
      previous = current;
    }
    const bool found = RE2::PartialMatch(Piece(text.GetString(row)), *regex);
    result[row] = found != Negated ? 1 : 0;
  }
}

// Appends `replacement` for one match: \1 .. \9 are groups, \& the whole match, \\ a backslash.
void AppendReplacement(std::string_view replacement,
                       const std::vector<re2::StringPiece>& groups,
                       std::string& out) {
  for (size_t i = 0; i < replacement.size(); ++i) {
    const char c = replacement[i];
    if (c != '\\' || i + 1 >= replacement.size()) {
      out += c;
      continue;
    }
    const char next = replacement[i + 1];
    if (next >= '1' && next <= '9') {
      const auto group = static_cast<size_t>(next - '0');
      if (group < groups.size() && groups[group].data() != nullptr) {
        out.append(groups[group].data(), groups[group].size());
      }
      ++i;
    } else if (next == '&') {
      out.append(groups[0].data(), groups[0].size());
      ++i;
    } else if (next == '\\') {
      out += '\\';
      ++i;
    } else {
      out += c;
    }
  }
}

// regexp_replace(source, pattern, replacement[, flags]).
void RegexReplace(const EvaluationContext& context,
                  std::span<const Column* const> arguments,
                  size_t rows,
                  Column& out) {
  out.Reserve(rows);
  std::string buffer;
  std::vector<re2::StringPiece> groups;
  for (size_t row = 0; row < rows; ++row) {
    bool any_null = false;
    for (const Column* argument : arguments) {
      any_null = any_null || argument->IsNull(row);
    }
    if (any_null) {
      out.AppendNull();
      continue;
    }
    const std::string_view text = arguments[0]->GetString(row);
    const std::string_view replacement = arguments[2]->GetString(row);
    const RegexFlags flags = arguments.size() > 3
                                 ? ParseFlags(arguments[3]->GetString(row), true, "regexp_replace")
                                 : RegexFlags{};
    const RE2& regex = CachedRegex(arguments[1]->GetString(row), flags.compile);
    buffer.clear();
    size_t start = 0;
    size_t copied = 0;
    while (start <= text.size() && FindMatch(regex, text, start, groups)) {
      const size_t match_start = static_cast<size_t>(groups[0].data() - text.data());
      const size_t match_end = match_start + groups[0].size();
      buffer.append(text.substr(copied, match_start - copied));
      AppendReplacement(replacement, groups, buffer);
      copied = match_end;
      if (!flags.global) {
        break;
      }
      // After an empty match, step over one character so the search moves on.
      start = match_end > match_start   ? match_end
              : match_end < text.size() ? match_end + internal::CharacterBytes(text, match_end)
                                        : text.size() + 1;
      if (match_end == match_start && match_end < text.size()) {
        buffer.append(text.substr(match_end, start - match_end));
        copied = start;
      }
    }
    buffer.append(text.substr(std::min(copied, text.size())));
    out.AppendString(buffer);
  }
}

// regexp_like(string, pattern[, flags]).
void RegexLike(const EvaluationContext& context,
               std::span<const Column* const> arguments,
               size_t rows,
               Column& out) {
  out.ResizeFixed(rows);
  uint8_t* result = out.MutableData<uint8_t>();
  uint8_t* nulls = out.MutableNulls();
  for (size_t row = 0; row < rows; ++row) {
    bool any_null = false;
    for (const Column* argument : arguments) {
      any_null = any_null || argument->IsNull(row);
    }
    nulls[row] = any_null ? 1 : 0;
    if (any_null) {
      continue;
    }
    const RegexFlags flags = arguments.size() > 2
                                 ? ParseFlags(arguments[2]->GetString(row), false, "regexp_like")
                                 : RegexFlags{};
    const RE2& regex = CachedRegex(arguments[1]->GetString(row), flags.compile);
    result[row] = RE2::PartialMatch(Piece(arguments[0]->GetString(row)), regex) ? 1 : 0;
  }
}

// regexp_count(string, pattern[, start[, flags]]): non-overlapping matches from character `start`.
void RegexCount(const EvaluationContext& context,
                std::span<const Column* const> arguments,
                size_t rows,
                Column& out) {
  out.ResizeFixed(rows);
  int32_t* result = out.MutableData<int32_t>();
  uint8_t* nulls = out.MutableNulls();
  std::vector<re2::StringPiece> groups;
  for (size_t row = 0; row < rows; ++row) {
    bool any_null = false;
    for (const Column* argument : arguments) {
      any_null = any_null || argument->IsNull(row);
    }
    nulls[row] = any_null ? 1 : 0;
    if (any_null) {
      continue;
    }
    const std::string_view text = arguments[0]->GetString(row);
    int32_t start_character = 1;
    if (arguments.size() > 2) {
      start_character = arguments[2]->Data<int32_t>()[row];
      if (start_character <= 0) {
        throw Error(
            SqlState::kInvalidParameterValue,
            fmt::format("invalid value for parameter \"{}\": {}", "start", start_character));
      }
    }
    const RegexFlags flags = arguments.size() > 3
                                 ? ParseFlags(arguments[3]->GetString(row), false, "regexp_count")
                                 : RegexFlags{};
    const RE2& regex = CachedRegex(arguments[1]->GetString(row), flags.compile);
    size_t start = internal::CharacterOffset(text, start_character - 1);
    int32_t count = 0;
    if (static_cast<int64_t>(internal::CountCharacters(text)) >= start_character - 1) {
      while (start <= text.size() && FindMatch(regex, text, start, groups)) {
        ++count;
        const size_t match_start = static_cast<size_t>(groups[0].data() - text.data());
        const size_t match_end = match_start + groups[0].size();
        start = match_end > match_start   ? match_end
                : match_end < text.size() ? match_end + internal::CharacterBytes(text, match_end)
                                          : text.size() + 1;
      }
    }
    result[row] = count;
  }
}

// substring(string, pattern) and regexp_substr(string, pattern): the part that matches, or for
// substring the first parenthesized group when there is one; NULL when nothing matches.
template <bool FirstGroup>
void RegexSubstring(const EvaluationContext& context,
                    std::span<const Column* const> arguments,
                    size_t rows,
                    Column& out) {
  out.Reserve(rows);
  std::vector<re2::StringPiece> groups;
  for (size_t row = 0; row < rows; ++row) {
    if (arguments[0]->IsNull(row) || arguments[1]->IsNull(row)) {
      out.AppendNull();
      continue;
    }
    const std::string_view text = arguments[0]->GetString(row);
    const RE2& regex = CachedRegex(arguments[1]->GetString(row), 0);
    if (!FindMatch(regex, text, 0, groups)) {
      out.AppendNull();
      continue;
    }
    const re2::StringPiece& part = FirstGroup && groups.size() > 1 ? groups[1] : groups[0];
    if (part.data() == nullptr) {
      out.AppendNull();
      continue;
    }
    out.AppendString(std::string_view(part.data(), part.size()));
  }
}

// similar_to_escape(pattern[, escape]): the POSIX regular expression that SIMILAR TO matches with,
// as Postgres's similar_escape_internal builds it.
void SimilarToEscape(const EvaluationContext& context,
                     std::span<const Column* const> arguments,
                     size_t rows,
                     Column& out) {
  out.Reserve(rows);
  std::string buffer;
  for (size_t row = 0; row < rows; ++row) {
    bool any_null = false;
    for (const Column* argument : arguments) {
      any_null = any_null || argument->IsNull(row);
    }
    if (any_null) {
      out.AppendNull();
      continue;
    }
    std::string_view escape = arguments.size() > 1 ? arguments[1]->GetString(row) : "\\";
    if (!escape.empty() && internal::CharacterBytes(escape, 0) != escape.size()) {
      throw Error(SqlState::kInvalidEscapeSequence, "invalid escape string")
          .WithHint("Escape string must be empty or one character.");
    }
    TranslateSimilarPattern(arguments[0]->GetString(row), escape, buffer);
    out.AppendString(buffer);
  }
}

}  // namespace

void TranslateSimilarPattern(std::string_view pattern, std::string_view escape, std::string& out) {
  out.assign("^(?:");
  bool after_escape = false;
  int quotes = 0;
  int bracket_depth = 0;
  // 1 right after '[', 2 after "[^", 3 further in: a ']' at 1 or 2 is a literal member.
  int bracket_start = 0;
  for (size_t i = 0; i < pattern.size();) {
    const size_t length = internal::CharacterBytes(pattern, i);
    const std::string_view character = pattern.substr(i, length);
    i += length;
    const char c = character.size() == 1 ? character[0] : '\0';
    if (after_escape) {
      if (c == '"' && bracket_depth < 1) {
        if (quotes == 0) {
          out += "){1,1}?(";
        } else if (quotes == 1) {
          out += "){1,1}(?:";
        } else {
          throw Error(SqlState::kInvalidUseOfEscapeCharacter,
                      "SQL regular expression may not contain more than two escape-double-quote "
                      "separators");
        }
        ++quotes;
      } else {
        out += '\\';
        out.append(character);
      }
      after_escape = false;
    } else if (!escape.empty() && character == escape) {
      after_escape = true;
    } else if (bracket_depth > 0) {
      if (c == '\\') {
        out += '\\';
      }
      out.append(character);
      if (c == ']' && bracket_start > 2) {
        --bracket_depth;
      } else if (c == '[') {
        ++bracket_depth;
      }
      if (c == '^') {
        ++bracket_start;
      } else {
        bracket_start = 3;
      }
    } else if (c == '[') {
      out += c;
      ++bracket_depth;
      bracket_start = 1;
    } else if (c == '%') {
      out += ".*";
    } else if (c == '_') {
      out += '.';
    } else if (c == '(') {
      out += "(?:";
    } else if (c == '\\' || c == '.' || c == '^' || c == '$') {
      out += '\\';
      out += c;
    } else {
      out.append(character);
    }
  }
  out += ")$";
}

void RegisterPatternMatching(std::vector<ScalarFunction>& functions) {
  const DataType boolean = DataType::Boolean();
  const DataType text = DataType::Text();
  const DataType integer = DataType::Integer();
  constexpr TypeId kText = TypeId::kText;
  constexpr TypeId kInt = TypeId::kInteger;
  functions.push_back({"~~", {kText, kText}, boolean, Like<false, false>});
  functions.push_back({"!~~", {kText, kText}, boolean, Like<false, true>});
  functions.push_back({"~~*", {kText, kText}, boolean, Like<true, false>});
  functions.push_back({"!~~*", {kText, kText}, boolean, Like<true, true>});
  functions.push_back({"like", {kText, kText}, boolean, Like<false, false>});
  functions.push_back({"like_escape", {kText, kText}, text, LikeEscape});
  functions.push_back({"~", {kText, kText}, boolean, RegexMatch<false, false>});
  functions.push_back({"!~", {kText, kText}, boolean, RegexMatch<false, true>});
  functions.push_back({"~*", {kText, kText}, boolean, RegexMatch<true, false>});
  functions.push_back({"!~*", {kText, kText}, boolean, RegexMatch<true, true>});
  functions.push_back({"similar_to_escape", {kText}, text, SimilarToEscape});
  functions.push_back({"similar_to_escape", {kText, kText}, text, SimilarToEscape});
  functions.push_back({"regexp_replace", {kText, kText, kText}, text, RegexReplace});
  functions.push_back({"regexp_replace", {kText, kText, kText, kText}, text, RegexReplace});
  functions.push_back({"regexp_like", {kText, kText}, boolean, RegexLike});
  functions.push_back({"regexp_like", {kText, kText, kText}, boolean, RegexLike});
  functions.push_back({"regexp_count", {kText, kText}, integer, RegexCount});
  functions.push_back({"regexp_count", {kText, kText, kInt}, integer, RegexCount});
  functions.push_back({"regexp_count", {kText, kText, kInt, kText}, integer, RegexCount});
  functions.push_back({"regexp_substr", {kText, kText}, text, RegexSubstring<false>});
  functions.push_back({"substring", {kText, kText}, text, RegexSubstring<true>});
}

}  // namespace freshet::function
