// SPDX-License-Identifier: Apache-2.0
#include "function/pattern_matching.h"

#include <gtest/gtest.h>

#include "common/error.h"

namespace freshet::function {
namespace {

bool Like(std::string_view text, std::string_view pattern, bool case_insensitive = false) {
  LikePattern matcher;
  matcher.Compile(pattern, case_insensitive);
  return matcher.Matches(text);
}

TEST(LikePatternTest, PercentMatchesAnyRunAndUnderscoreOneCharacter) {
  EXPECT_TRUE(Like("abc", "abc"));
  EXPECT_FALSE(Like("abc", "ab"));
  EXPECT_TRUE(Like("abc", "a%"));
  EXPECT_TRUE(Like("abc", "%c"));
  EXPECT_TRUE(Like("abc", "%b%"));
  EXPECT_TRUE(Like("abc", "a_c"));
  EXPECT_FALSE(Like("abc", "a_"));
  EXPECT_TRUE(Like("", "%"));
  EXPECT_TRUE(Like("", ""));
  EXPECT_FALSE(Like("", "_"));
  EXPECT_TRUE(Like("abcabc", "%b_a%c"));
  EXPECT_FALSE(Like("abcabd", "%b_a%c"));
  EXPECT_TRUE(Like("aXbXc", "a%b%c"));
}

TEST(LikePatternTest, UnderscoreMatchesOneMultibyteCharacter) {
  EXPECT_TRUE(Like("h\xc3\xa9llo", "h_llo"));
  EXPECT_FALSE(Like("h\xc3\xa9llo", "h__llo"));
  EXPECT_TRUE(Like("\xe2\x82\xac", "_"));
}

TEST(LikePatternTest, BackslashEscapesWildcards) {
  EXPECT_TRUE(Like("a%", "a\\%"));
  EXPECT_FALSE(Like("ab", "a\\%"));
  EXPECT_TRUE(Like("a_c", "a\\_c"));
  EXPECT_FALSE(Like("abc", "a\\_c"));
  EXPECT_TRUE(Like("a\\", "a\\\\"));
}

TEST(LikePatternTest, TrailingEscapeFailsOnlyWhenTheMatcherReachesIt) {
  // Postgres returns false without an error when the text runs out first or a character differs.
  EXPECT_FALSE(Like("abc", "abc\\"));
  EXPECT_FALSE(Like("abc", "x\\"));
  try {
    Like("abc", "ab\\");
    FAIL();
  } catch (const Error& error) {
    EXPECT_EQ(error.State(), SqlState::kInvalidEscapeSequence);
    EXPECT_EQ(error.Message(), "LIKE pattern must not end with escape character");
  }
  EXPECT_THROW(Like("abc", "a%\\"), Error);
}

TEST(LikePatternTest, CaseInsensitiveFoldsAsciiLettersOnly) {
  EXPECT_TRUE(Like("ABC", "a_c", true));
  EXPECT_TRUE(Like("abc", "%B%", true));
  EXPECT_FALSE(
      Like("\xc3\x84"
           "BC",
           "\xc3\xa4"
           "bc",
           true));
}

TEST(LikePatternTest, ConvertsOtherEscapeCharactersToBackslashes) {
  std::string out;
  ConvertLikeEscape("a#%b", "#", out);
  EXPECT_EQ(out, "a\\%b");
  ConvertLikeEscape("a\\b", "#", out);
  EXPECT_EQ(out, "a\\\\b");
  ConvertLikeEscape("a\\b%", "", out);
  EXPECT_EQ(out, "a\\\\b%");
  ConvertLikeEscape("a\\%", "\\", out);
  EXPECT_EQ(out, "a\\%");
  try {
    ConvertLikeEscape("a", "xy", out);
    FAIL();
  } catch (const Error& error) {
    EXPECT_EQ(error.State(), SqlState::kInvalidEscapeSequence);
    EXPECT_EQ(error.Message(), "invalid escape string");
  }
}

TEST(SimilarToTest, TranslatesAsPostgresSimilarToEscape) {
  std::string out;
  TranslateSimilarPattern("a%b_c", "\\", out);
  EXPECT_EQ(out, "^(?:a.*b.c)$");
  TranslateSimilarPattern("a%b#_c", "#", out);
  EXPECT_EQ(out, "^(?:a.*b\\_c)$");
  TranslateSimilarPattern("[a-z]|(x)", "\\", out);
  EXPECT_EQ(out, "^(?:[a-z]|(?:x))$");
  TranslateSimilarPattern("a.b$", "", out);
  EXPECT_EQ(out, "^(?:a\\.b\\$)$");
  TranslateSimilarPattern("a#\"b#\"c", "#", out);
  EXPECT_EQ(out, "^(?:a){1,1}?(b){1,1}(?:c)$");
  EXPECT_THROW(TranslateSimilarPattern("#\"a#\"b#\"", "#", out), Error);
}

}  // namespace
}  // namespace freshet::function
