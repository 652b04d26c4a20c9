// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

// LIKE, SIMILAR TO and POSIX regular expressions. The kernels are registered by
// RegisterPatternMatching (scalar_function.h); the pieces below are exposed for unit tests.
namespace freshet::function {

/// A LIKE / ILIKE pattern prepared for matching many strings with Postgres's semantics (`%`, `_`,
/// backslash escapes; ILIKE folds ASCII letters, as under the C collation). Patterns shaped
/// 'abc', 'abc%', '%abc' and '%abc%' are matched without the general matcher. Keeps a scratch
/// buffer, so one instance serves one thread.
class LikePattern {
 public:
  LikePattern() = default;
  LikePattern(const LikePattern&) = delete;
  LikePattern& operator=(const LikePattern&) = delete;

  /// Prepares `pattern`, whose escapes are in backslash form (see ConvertLikeEscape).
  void Compile(std::string_view pattern, bool case_insensitive);
  /// Whether `text` matches; throws 22025 when matching reaches an escape that ends the pattern,
  /// as Postgres does (and only then).
  bool Matches(std::string_view text);

 private:
  enum class Kind : uint8_t { kEquals, kPrefix, kSuffix, kContains, kGeneral };
  Kind kind_ = Kind::kGeneral;
  bool case_insensitive_ = false;
  std::string pattern_;
  std::string_view literal_;  // the fixed part of a simple pattern, inside pattern_
  std::string lowered_;
};

/// Rewrites a LIKE pattern with escape character `escape` (empty: none) to backslash escapes, as
/// Postgres's like_escape; throws 22025 when `escape` is longer than one character.
void ConvertLikeEscape(std::string_view pattern, std::string_view escape, std::string& out);

/// Translates a SQL regular expression (SIMILAR TO) with escape character `escape` (empty: none)
/// into the POSIX regular expression Postgres's similar_to_escape returns.
void TranslateSimilarPattern(std::string_view pattern, std::string_view escape, std::string& out);

}  // namespace freshet::function
