// SPDX-License-Identifier: Apache-2.0
#include <atomic>
#include <random>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <pthread.h>

#include "parser/tests/parse_helpers.h"

namespace freshet::parser {
namespace {

using testing::ParseError;

void ExpectSyntaxError(std::string_view sql, std::string_view message, int32_t position) {
  Error error = ParseError(sql);
  EXPECT_EQ(error.State(), SqlState::kSyntaxError) << sql;
  EXPECT_EQ(error.Code(), "42601") << sql;
  EXPECT_EQ(error.Message(), message) << sql;
  EXPECT_EQ(error.Position(), position) << sql;
}

TEST(SyntaxErrorTest, WordedAsPostgresWordsThem) {
  ExpectSyntaxError("SELEC 1", "syntax error at or near \"SELEC\"", 1);
  ExpectSyntaxError("SELECT * FROM", "syntax error at end of input", 14);
  ExpectSyntaxError("SELECT 1 +", "syntax error at end of input", 11);
  ExpectSyntaxError("SELECT 1 2", "syntax error at or near \"2\"", 10);
  ExpectSyntaxError("SELECT * FROM t WHERE", "syntax error at end of input", 22);
  ExpectSyntaxError("SELECT * FROM t WHERE (a = )", "syntax error at or near \")\"", 28);
  ExpectSyntaxError("SELECT * FROM t ORDER x", "syntax error at or near \"x\"", 23);
  ExpectSyntaxError("SELECT 'a' 'b'", "syntax error at or near \"'b'\"", 12);
  ExpectSyntaxError("CREATE TABLE t (a int,)", "syntax error at or near \")\"", 23);
  ExpectSyntaxError("INSERT INTO t VALUES", "syntax error at end of input", 21);
  ExpectSyntaxError("SELECT a = b = c FROM", "syntax error at end of input", 22);
  ExpectSyntaxError("SELECT 1 ! 2", "syntax error at or near \"!\"", 10);
  ExpectSyntaxError("SELECT * FROM a JOIN b JOIN c ON x", "syntax error at end of input", 35);
}

TEST(SyntaxErrorTest, PositionIsInCharactersOfTheWholeString) {
  ExpectSyntaxError("SELECT 1; SELECT * FROM", "syntax error at end of input", 24);
  ExpectSyntaxError("SELECT * FROM; SELECT 1", "syntax error at or near \";\"", 14);
  ExpectSyntaxError("SELECT 'éé' FROM FROM", "syntax error at or near \"FROM\"", 18);
  ExpectSyntaxError("SELECT 1 -- comment\n  garbage here", "syntax error at or near \"here\"", 31);
}

TEST(SyntaxErrorTest, LexicalErrors) {
  ExpectSyntaxError("SELECT 'abc", "unterminated quoted string at or near \"'abc\"", 8);
  ExpectSyntaxError("SELECT 'it''s", "unterminated quoted string at or near \"'it''s\"", 8);
  ExpectSyntaxError("SELECT E'abc\\'", "unterminated quoted string at or near \"E'abc\\'\"", 8);
  ExpectSyntaxError("SELECT \"abc", "unterminated quoted identifier at or near \"\"abc\"", 8);
  ExpectSyntaxError("SELECT $$abc", "unterminated dollar-quoted string at or near \"$$abc\"", 8);
  ExpectSyntaxError("SELECT 1 /* abc", "unterminated /* comment at or near \"/* abc\"", 10);
  ExpectSyntaxError("SELECT 1 /* a */ + /* b", "unterminated /* comment at or near \"/* b\"", 20);
  ExpectSyntaxError("SELECT \"\" FROM t", "zero-length delimited identifier at or near \"\"\"\"",
                    8);
  // The grammar reaches an earlier syntax error before the scanner's error, as in PostgreSQL.
  ExpectSyntaxError("SELECT FROM FROM 'abc", "syntax error at or near \"FROM\"", 13);
}

TEST(SyntaxErrorTest, InvalidUtf8IsRejected) {
  Error error = ParseError(std::string("SELECT '\xff'"));
  EXPECT_EQ(error.State(), SqlState::kCharacterNotInRepertoire);
  EXPECT_EQ(error.Message(), "invalid byte sequence for encoding \"UTF8\": 0xff");
  EXPECT_EQ(ParseError(std::string("SELECT '\xe2\x82'")).Message(),
            "invalid byte sequence for encoding \"UTF8\": 0xe2 0x82 0x27");
  EXPECT_EQ(ParseError(std::string("SELECT 1\0", 9)).State(), SqlState::kCharacterNotInRepertoire);
  EXPECT_EQ(ParseError("SELECT '\xed\xa0\x80'").State(), SqlState::kCharacterNotInRepertoire);
}

TEST(NestingTest, DeepParenthesesAreRefusedWithStatementTooComplex) {
  std::string ok = "SELECT " + std::string(200, '(') + "1" + std::string(200, ')');
  EXPECT_EQ(Parse(ok).size(), 1u);

  std::string deep = "SELECT " + std::string(1001, '(') + "1" + std::string(1001, ')');
  Error error = ParseError(deep);
  EXPECT_EQ(error.State(), SqlState::kStatementTooComplex);
  EXPECT_EQ(error.Message(), "stack depth limit exceeded");

  std::string brackets = "SELECT a" + std::string(2000, '[');
  EXPECT_EQ(ParseError(brackets).State(), SqlState::kStatementTooComplex);
}

TEST(NestingTest, LongChainsFailCleanlyInsteadOfOverflowingTheStack) {
  std::string minus = "SELECT ";
  std::string not_chain = "SELECT ";
  std::string plus = "SELECT 1";
  for (int i = 0; i < 100000; ++i) {
    minus += "- ";
    not_chain += "NOT ";
    plus += "+1";
  }
  minus += "1";
  not_chain += "true";
  EXPECT_EQ(ParseError(minus).State(), SqlState::kStatementTooComplex);
  EXPECT_EQ(ParseError(not_chain).State(), SqlState::kStatementTooComplex);
  EXPECT_EQ(ParseError(plus).State(), SqlState::kStatementTooComplex);
  std::string subqueries = "SELECT 1";
  for (int i = 0; i < 900; ++i) {
    subqueries = "SELECT * FROM (" + subqueries + ") s";
  }
  // Either it fits or it is refused; it never crashes.
  try {
    EXPECT_EQ(Parse(subqueries).size(), 1u);
  } catch (const Error& refused) {
    EXPECT_EQ(refused.State(), SqlState::kStatementTooComplex);
  }
}

// Connection threads may run with small stacks; the reserve shrinks with the stack, so ordinary
// statements still parse and deep ones still fail cleanly.
TEST(NestingTest, SmallThreadStacksStillParse) {
  struct Outcome {
    size_t ordinary_statements = 0;
    bool deep_refused = false;
  } outcome;
  pthread_attr_t attributes;
  pthread_attr_init(&attributes);
  pthread_attr_setstacksize(&attributes, 256 * 1024);
  pthread_t thread;
  auto body = [](void* argument) -> void* {
    auto* result = static_cast<Outcome*>(argument);
    try {
      result->ordinary_statements =
          Parse("SELECT a, count(*) FROM t WHERE (a + 1) * 2 > 3 GROUP BY a; SELECT 1").size();
      Parse("SELECT " + std::string(900, '(') + "1" + std::string(900, ')'));
    } catch (const Error& error) {
      result->deep_refused = error.State() == SqlState::kStatementTooComplex;
    }
    return nullptr;
  };
  ASSERT_EQ(pthread_create(&thread, &attributes, body, &outcome), 0);
  pthread_join(thread, nullptr);
  pthread_attr_destroy(&attributes);
  EXPECT_EQ(outcome.ordinary_statements, 2u);
  EXPECT_TRUE(outcome.deep_refused);
}

// Random input must end in statements or in an Error; anything else (a crash, a hang, another
// exception) fails.
void ParseAnything(const std::string& input) {
  try {
    Parse(input);
  } catch (const Error& error) {
    EXPECT_FALSE(error.Message().empty());
  }
}

TEST(RobustnessTest, RandomBytesNeverCrash) {
  std::mt19937 random(20240601);
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_int_distribution<int> length(0, 200);
  for (int i = 0; i < 2000; ++i) {
    std::string input;
    int size = length(random);
    for (int k = 0; k < size; ++k) {
      input.push_back(static_cast<char>(byte(random)));
    }
    ParseAnything(input);
  }
}

TEST(RobustnessTest, RandomTokenSoupNeverCrashes) {
  const char* pieces[] = {"SELECT", "FROM",  "WHERE", "(",     ")",        ",",       "1",
                          "'x'",    "a",     "+",     "*",     "AND",      "OR",      "NOT",
                          "IN",     "IS",    "NULL",  "JOIN",  "ON",       "GROUP",   "BY",
                          "ORDER",  "CASE",  "WHEN",  "THEN",  "END",      "::",      "int",
                          "[",      "]",     ";",     "UNION", "VALUES",   "INSERT",  "INTO",
                          "CREATE", "TABLE", "WITH",  "AS",    "INTERVAL", "SECOND",  "TUMBLE",
                          "$1",     "E'\\n", "\"",    "/*",    "--",       "BETWEEN", "ESCAPE"};
  std::mt19937 random(7);
  std::uniform_int_distribution<size_t> piece(0, std::size(pieces) - 1);
  std::uniform_int_distribution<int> length(0, 40);
  for (int i = 0; i < 3000; ++i) {
    std::string input;
    int size = length(random);
    for (int k = 0; k < size; ++k) {
      input += pieces[piece(random)];
      input += ' ';
    }
    ParseAnything(input);
  }
}

TEST(RobustnessTest, ConcurrentParsesAgree) {
  const std::string sql =
      "SELECT a, count(*) FROM TUMBLE(t, ts, INTERVAL '1' SECOND) WHERE a > $1 GROUP BY a";
  const std::string expected = testing::PrintQuery(sql);
  std::vector<std::thread> threads;
  std::atomic<int> mismatches{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        std::vector<ast::StatementPtr> statements = Parse(sql);
        if (testing::Print(*static_cast<ast::SelectStatement&>(*statements[0]).select) !=
            expected) {
          ++mismatches;
        }
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  EXPECT_EQ(mismatches.load(), 0);
}

}  // namespace
}  // namespace freshet::parser
