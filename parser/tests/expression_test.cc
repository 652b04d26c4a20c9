// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include "parser/tests/parse_helpers.h"

namespace freshet::parser {
namespace {

using testing::PrintExpression;

TEST(PrecedenceTest, MultiplicationBindsTighterThanAddition) {
  EXPECT_EQ(PrintExpression("1 + 2 * 3"), "(+ 1 (* 2 3))");
  EXPECT_EQ(PrintExpression("1 * 2 + 3"), "(+ (* 1 2) 3)");
  EXPECT_EQ(PrintExpression("1 - 2 - 3"), "(- (- 1 2) 3)");
  EXPECT_EQ(PrintExpression("8 / 4 % 3"), "(% (/ 8 4) 3)");
}

TEST(PrecedenceTest, AndBindsTighterThanOr) {
  EXPECT_EQ(PrintExpression("a OR b AND c"), "(or a (and b c))");
  EXPECT_EQ(PrintExpression("a AND b OR c"), "(or (and a b) c)");
}

TEST(PrecedenceTest, NotBindsLooserThanComparison) {
  EXPECT_EQ(PrintExpression("NOT a = b"), "(not (= a b))");
  EXPECT_EQ(PrintExpression("NOT a AND b"), "(and (not a) b)");
  EXPECT_EQ(PrintExpression("NOT NOT a"), "(not (not a))");
  EXPECT_EQ(PrintExpression("a = NOT b"), "(= a (not b))");
}

TEST(PrecedenceTest, IsBindsLooserThanComparison) {
  EXPECT_EQ(PrintExpression("a = b IS NULL"), "(is_null (= a b))");
  EXPECT_EQ(PrintExpression("NOT a IS NULL"), "(not (is_null a))");
}

TEST(PrecedenceTest, PatternOperatorsBindTighterThanComparison) {
  EXPECT_EQ(PrintExpression("a LIKE b = c"), "(= (like a b) c)");
  EXPECT_EQ(PrintExpression("a BETWEEN 1 AND 2 AND b"), "(and (between a 1 2) b)");
  EXPECT_EQ(PrintExpression("a BETWEEN 1 + 1 AND 2 * 3"), "(between a (+ 1 1) (* 2 3))");
  EXPECT_EQ(PrintExpression("a IN (1) = true"), "(= (in a (1)) true)");
}

TEST(PrecedenceTest, OtherOperatorsSitBetweenPatternsAndArithmetic) {
  EXPECT_EQ(PrintExpression("a || b LIKE c || d"), "(like (|| a b) (|| c d))");
  EXPECT_EQ(PrintExpression("a || b + c"), "(|| a (+ b c))");
  EXPECT_EQ(PrintExpression("x->'a'->>'b'"), "(->> (-> x 'a') 'b')");
  EXPECT_EQ(PrintExpression("a ~ b = true"), "(= (~ a b) true)");
}

TEST(PrecedenceTest, ExponentIsLeftAssociativeAndBelowUnaryMinus) {
  EXPECT_EQ(PrintExpression("2 ^ 3 ^ 2"), "(^ (^ 2 3) 2)");
  EXPECT_EQ(PrintExpression("- 2 ^ 2"), "(^ -2 2)");
  EXPECT_EQ(PrintExpression("-a ^ 2"), "(^ (- a) 2)");
  EXPECT_EQ(PrintExpression("2 * 3 ^ 2"), "(* 2 (^ 3 2))");
}

TEST(PrecedenceTest, CastAndSubscriptBindTightest) {
  EXPECT_EQ(PrintExpression("-a::int"), "(- (cast a integer))");
  EXPECT_EQ(PrintExpression("a[1]::text"), "(cast (subscript a 1) text)");
  EXPECT_EQ(PrintExpression("1 + a::int"), "(+ 1 (cast a integer))");
}

TEST(PrecedenceTest, AtTimeZoneBindsTighterThanArithmetic) {
  EXPECT_EQ(PrintExpression("ts AT TIME ZONE 'UTC' + i"), "(+ (timezone 'UTC' ts) i)");
  EXPECT_EQ(PrintExpression("a COLLATE \"C\" || b"), "(|| a b)");
}

TEST(LiteralTest, NumbersKeepTheirText) {
  EXPECT_EQ(PrintExpression("42"), "42");
  EXPECT_EQ(PrintExpression("1.5"), "1.5");
  EXPECT_EQ(PrintExpression(".5"), ".5");
  EXPECT_EQ(PrintExpression("1e10"), "1e10");
  EXPECT_EQ(PrintExpression("2.5E-3"), "2.5E-3");
  EXPECT_EQ(PrintExpression("99999999999999999999999"), "99999999999999999999999");
  auto statement = testing::ParseOne<ast::SelectStatement>("SELECT 7, 7.0");
  const auto& integer = static_cast<const ast::Literal&>(*statement->select->items[0].expression);
  const auto& decimal = static_cast<const ast::Literal&>(*statement->select->items[1].expression);
  EXPECT_EQ(integer.type, ast::Literal::Type::kInteger);
  EXPECT_EQ(decimal.type, ast::Literal::Type::kDecimal);
}

TEST(LiteralTest, MinusFoldsIntoNumericConstants) {
  EXPECT_EQ(PrintExpression("-2147483648"), "-2147483648");
  EXPECT_EQ(PrintExpression("- 1.5"), "-1.5");
  EXPECT_EQ(PrintExpression("- -1"), "1");
  EXPECT_EQ(PrintExpression("-(1)"), "-1");
  EXPECT_EQ(PrintExpression("+1"), "(+ 1)");
  EXPECT_EQ(PrintExpression("-'1'"), "(- '1')");
  EXPECT_EQ(PrintExpression("1 - -1"), "(- 1 -1)");
  EXPECT_EQ(PrintExpression("a<-1"), "(< a -1)");
}

TEST(LiteralTest, StringsResolveTheirEscapes) {
  EXPECT_EQ(PrintExpression("'it''s'"), "'it's'");
  EXPECT_EQ(PrintExpression("'back\\slash'"), "'back\\slash'");
  EXPECT_EQ(PrintExpression("E'a\\tb'"), "'a\tb'");
  EXPECT_EQ(PrintExpression("e'\\n\\r\\b\\f\\\\\\''"), "'\n\r\b\f\\''");
  EXPECT_EQ(PrintExpression("E'\\x41\\101\\u00e9\\U0001F600'"), "'AAé😀'");
  EXPECT_EQ(PrintExpression("E'\\ud83d\\ude00'"), "'😀'");
  EXPECT_EQ(PrintExpression("E'it''s \\q'"), "'it's q'");
  EXPECT_EQ(PrintExpression("$$dollar 'quoted'$$"), "'dollar 'quoted''");
  EXPECT_EQ(PrintExpression("''"), "''");
  EXPECT_EQ(PrintExpression("'ünïcödé'"), "'ünïcödé'");
}

TEST(LiteralTest, BadEscapesAreErrors) {
  EXPECT_EQ(testing::ParseError("SELECT E'\\u12'").State(), SqlState::kInvalidEscapeSequence);
  EXPECT_EQ(testing::ParseError("SELECT E'\\xff'").State(), SqlState::kCharacterNotInRepertoire);
  EXPECT_EQ(testing::ParseError("SELECT E'\\0'").Message(),
            "invalid byte sequence for encoding \"UTF8\": 0x00");
  EXPECT_EQ(testing::ParseError("SELECT E'\\ud83d'").State(), SqlState::kSyntaxError);
}

TEST(LiteralTest, BooleansAndNull) {
  EXPECT_EQ(PrintExpression("TRUE AND false"), "(and true false)");
  EXPECT_EQ(PrintExpression("NULL"), "null");
}

TEST(LiteralTest, TypedLiterals) {
  EXPECT_EQ(PrintExpression("DATE '2024-01-01'"), "(date '2024-01-01')");
  EXPECT_EQ(PrintExpression("TIMESTAMP '2024-01-01 10:00'"), "(timestamp '2024-01-01 10:00')");
  EXPECT_EQ(PrintExpression("TIMESTAMPTZ '2024-01-01'"), "(timestamp with time zone '2024-01-01')");
  EXPECT_EQ(PrintExpression("timestamp with time zone 'x'"), "(timestamp with time zone 'x')");
  EXPECT_EQ(PrintExpression("TIMESTAMP(3) 'x'"), "(timestamp(3) 'x')");
  EXPECT_EQ(PrintExpression("TIME 'x'"), "(time 'x')");
  EXPECT_EQ(PrintExpression("int '1'"), "(integer '1')");
  EXPECT_EQ(PrintExpression("DOUBLE PRECISION '1.5'"), "(double precision '1.5')");
  EXPECT_EQ(PrintExpression("jsonb '{}'"), "(jsonb '{}')");
  EXPECT_EQ(PrintExpression("pg_catalog.int8 '5'"), "(bigint '5')");
  auto statement = testing::ParseOne<ast::SelectStatement>("SELECT DATE '2024-01-01'");
  const auto& literal = static_cast<const ast::Literal&>(*statement->select->items[0].expression);
  EXPECT_EQ(literal.type, ast::Literal::Type::kTyped);
  EXPECT_EQ(literal.typed.name, "date");
  EXPECT_EQ(literal.text, "2024-01-01");
}

TEST(LiteralTest, IntervalLiterals) {
  EXPECT_EQ(PrintExpression("INTERVAL '5' SECOND"), "(interval '5' second)");
  EXPECT_EQ(PrintExpression("INTERVAL '1 day'"), "(interval '1 day')");
  EXPECT_EQ(PrintExpression("INTERVAL '1' DAY TO SECOND"), "(interval '1' day to second)");
  EXPECT_EQ(PrintExpression("interval '1-2' year to month"), "(interval '1-2' year to month)");
  EXPECT_EQ(PrintExpression("INTERVAL '1.5' SECOND(3)"), "(interval '1.5' second)");
  EXPECT_EQ(PrintExpression("INTERVAL '10' MINUTE"), "(interval '10' minute)");
  EXPECT_EQ(PrintExpression("ts - INTERVAL '5' SECOND"), "(- ts (interval '5' second))");
  auto statement = testing::ParseOne<ast::SelectStatement>("SELECT INTERVAL(2) '1.234 seconds'");
  const auto& literal = static_cast<const ast::Literal&>(*statement->select->items[0].expression);
  EXPECT_EQ(literal.type, ast::Literal::Type::kInterval);
  EXPECT_EQ(literal.typed.modifiers, std::vector<int32_t>{2});
  EXPECT_EQ(literal.interval_unit, "");
}

TEST(TypeNameTest, CanonicalNames) {
  struct Case {
    const char* written;
    const char* canonical;
  };
  const Case cases[] = {
      {"INT", "integer"},
      {"int4", "integer"},
      {"INTEGER", "integer"},
      {"int8", "bigint"},
      {"BIGINT", "bigint"},
      {"int2", "smallint"},
      {"smallint", "smallint"},
      {"bool", "boolean"},
      {"BOOLEAN", "boolean"},
      {"real", "real"},
      {"float4", "real"},
      {"float(24)", "real"},
      {"FLOAT", "double precision"},
      {"float8", "double precision"},
      {"DOUBLE PRECISION", "double precision"},
      {"numeric(10,2)", "numeric(10,2)"},
      {"DECIMAL", "numeric"},
      {"VARCHAR(10)", "character varying(10)"},
      {"character varying", "character varying"},
      {"char varying(3)", "character varying(3)"},
      {"char(2)", "character(2)"},
      {"\"char\"", "char"},
      {"text", "text"},
      {"bytea", "bytea"},
      {"date", "date"},
      {"time", "time"},
      {"time with time zone", "time with time zone"},
      {"timestamp", "timestamp"},
      {"TIMESTAMP WITHOUT TIME ZONE", "timestamp"},
      {"timestamptz", "timestamp with time zone"},
      {"TIMESTAMP WITH TIME ZONE", "timestamp with time zone"},
      {"interval", "interval"},
      {"interval day to second", "interval"},
      {"jsonb", "jsonb"},
      {"REGCLASS", "regclass"},
      {"name", "name"},
      {"oid", "oid"},
      {"pg_catalog.int4", "integer"},
      {"myschema.mytype", "myschema.mytype"},
      {"int[]", "integer[]"},
      {"integer[3][]", "integer[]"},
      {"text ARRAY", "text[]"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(PrintExpression(std::string("x::") + c.written),
              std::string("(cast x ") + c.canonical + ")")
        << c.written;
  }
  EXPECT_EQ(PrintExpression("CAST(x AS VARCHAR(5))"), "(cast x character varying(5))");
  EXPECT_EQ(testing::ParseError("SELECT x::float(54)").State(), SqlState::kInvalidParameterValue);
}

TEST(ExpressionTest, ColumnReferencesAndParameters) {
  EXPECT_EQ(PrintExpression("a.b.c"), "a.b.c");
  EXPECT_EQ(PrintExpression("t.\"Mixed Case\""), "t.Mixed Case");
  EXPECT_EQ(PrintExpression("\"a\"\"b\""), "a\"b");
  EXPECT_EQ(PrintExpression("MyColumn"), "mycolumn");
  EXPECT_EQ(PrintExpression("t.from"), "t.from");  // any keyword after a dot, as in PostgreSQL
  EXPECT_EQ(PrintExpression("$1 + $12"), "(+ $1 $12)");
}

TEST(ExpressionTest, NullAndBooleanTests) {
  EXPECT_EQ(PrintExpression("a IS NULL"), "(is_null a)");
  EXPECT_EQ(PrintExpression("a IS NOT NULL"), "(is_not_null a)");
  EXPECT_EQ(PrintExpression("a ISNULL"), "(is_null a)");
  EXPECT_EQ(PrintExpression("a NOTNULL"), "(is_not_null a)");
  EXPECT_EQ(PrintExpression("a IS TRUE"), "(is_true a)");
  EXPECT_EQ(PrintExpression("a IS NOT FALSE"), "(is_not_false a)");
  EXPECT_EQ(PrintExpression("a IS UNKNOWN"), "(is_unknown a)");
  EXPECT_EQ(PrintExpression("a IS DISTINCT FROM b"), "(is distinct from a b)");
  EXPECT_EQ(PrintExpression("a IS NOT DISTINCT FROM b"), "(is not distinct from a b)");
}

TEST(ExpressionTest, ComparisonOperators) {
  EXPECT_EQ(PrintExpression("a != b"), "(<> a b)");
  EXPECT_EQ(PrintExpression("a <> b"), "(<> a b)");
  EXPECT_EQ(PrintExpression("a <= b"), "(<= a b)");
  EXPECT_EQ(PrintExpression("a >= b"), "(>= a b)");
  EXPECT_EQ(PrintExpression("a OPERATOR(pg_catalog.~) 'x'"), "(~ a 'x')");
  EXPECT_EQ(PrintExpression("a !~* 'x'"), "(!~* a 'x')");
  EXPECT_EQ(PrintExpression("j #>> '{a}'"), "(#>> j '{a}')");
  EXPECT_EQ(PrintExpression("j @> k"), "(@> j k)");
  EXPECT_EQ(PrintExpression("|/ 4"), "(|/ 4)");
}

TEST(ExpressionTest, BetweenInLike) {
  EXPECT_EQ(PrintExpression("a NOT BETWEEN SYMMETRIC 2 AND 1"), "(not_between_symmetric a 2 1)");
  EXPECT_EQ(PrintExpression("a BETWEEN ASYMMETRIC 1 AND 2"), "(between a 1 2)");
  EXPECT_EQ(PrintExpression("a IN (1, 2, 3)"), "(in a (1 2 3))");
  EXPECT_EQ(PrintExpression("a NOT IN ('x')"), "(not_in a ('x'))");
  EXPECT_EQ(PrintExpression("a LIKE 'x%'"), "(like a 'x%')");
  EXPECT_EQ(PrintExpression("a NOT ILIKE 'x%'"), "(not_ilike a 'x%')");
  EXPECT_EQ(PrintExpression("a LIKE 'x!%' ESCAPE '!'"), "(like a 'x!%' (escape '!'))");
  EXPECT_EQ(PrintExpression("a SIMILAR TO 'x'"), "(~ a (similar_to_escape 'x'))");
  EXPECT_EQ(PrintExpression("a NOT SIMILAR TO 'x' ESCAPE '#'"),
            "(!~ a (similar_to_escape 'x' '#'))");
  EXPECT_EQ(testing::ParseError("SELECT a || b ESCAPE c").Message(),
            "syntax error at or near \"ESCAPE\"");
}

TEST(ExpressionTest, Subqueries) {
  EXPECT_EQ(PrintExpression("(SELECT 1)"), "(scalar (select 1))");
  EXPECT_EQ(PrintExpression("((SELECT 1))"), "(scalar (select 1))");
  EXPECT_EQ(PrintExpression("EXISTS (SELECT 1 FROM t)"), "(exists (select 1 (from t)))");
  EXPECT_EQ(PrintExpression("NOT EXISTS (SELECT 1)"), "(not (exists (select 1)))");
  EXPECT_EQ(PrintExpression("a IN (SELECT b FROM t)"), "(in a (select b (from t)))");
  EXPECT_EQ(PrintExpression("a NOT IN (SELECT b FROM t)"), "(not_in a (select b (from t)))");
  EXPECT_EQ(PrintExpression("a > ANY (SELECT b FROM t)"), "(any > a (select b (from t)))");
  EXPECT_EQ(PrintExpression("a = SOME (SELECT 1)"), "(any = a (select 1))");
  EXPECT_EQ(PrintExpression("a <> ALL (SELECT 1)"), "(all <> a (select 1))");
  EXPECT_EQ(PrintExpression("a = ANY (ARRAY[1, 2])"), "(= any a [1 2])");
  EXPECT_EQ(PrintExpression("a != ALL (arr)"), "(<> all a arr)");
}

TEST(ExpressionTest, ArraysAndSubscripts) {
  EXPECT_EQ(PrintExpression("ARRAY[1, 2, 3]"), "[1 2 3]");
  EXPECT_EQ(PrintExpression("ARRAY[]"), "[]");
  EXPECT_EQ(PrintExpression("ARRAY[[1, 2], [3, 4]]"), "[[1 2] [3 4]]");
  EXPECT_EQ(PrintExpression("a[1][2]"), "(subscript (subscript a 1) 2)");
  EXPECT_EQ(PrintExpression("(ARRAY[1])[1]"), "(subscript [1] 1)");
}

TEST(ExpressionTest, Case) {
  EXPECT_EQ(PrintExpression("CASE WHEN a THEN 1 ELSE 2 END"), "(case (when a 1) (else 2))");
  EXPECT_EQ(PrintExpression("CASE x WHEN 1 THEN 'a' WHEN 2 THEN 'b' END"),
            "(case x (when 1 'a') (when 2 'b'))");
}

TEST(ExpressionTest, FunctionCalls) {
  EXPECT_EQ(PrintExpression("count(*)"), "(count *)");
  EXPECT_EQ(PrintExpression("COUNT(DISTINCT a)"), "(count distinct a)");
  EXPECT_EQ(PrintExpression("sum(ALL a)"), "(sum a)");
  EXPECT_EQ(PrintExpression("now()"), "(now)");
  EXPECT_EQ(PrintExpression("pg_catalog.format_type(a, b)"), "(pg_catalog.format_type a b)");
  EXPECT_EQ(PrintExpression("count(*) FILTER (WHERE x > 1)"), "(count * (filter (> x 1)))");
  EXPECT_EQ(PrintExpression("string_agg(x, ',' ORDER BY y DESC)"),
            "(string_agg x ',' (order y desc))");
  EXPECT_EQ(PrintExpression("row_number() OVER (PARTITION BY a, b ORDER BY c NULLS FIRST)"),
            "(row_number (over (partition a b) (order c nulls_first)))");
  EXPECT_EQ(PrintExpression("rank() OVER ()"), "(rank (over))");
  EXPECT_EQ(PrintExpression("left('abc', 2)"), "(left 'abc' 2)");
  EXPECT_EQ(testing::ParseError("SELECT sum(x) OVER (ROWS UNBOUNDED PRECEDING)").State(),
            SqlState::kFeatureNotSupported);
  EXPECT_EQ(testing::ParseError("SELECT sum(x) OVER w").State(), SqlState::kFeatureNotSupported);
  EXPECT_EQ(testing::ParseError("SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY x)").State(),
            SqlState::kFeatureNotSupported);
}

TEST(ExpressionTest, SpecialFunctionSyntax) {
  EXPECT_EQ(PrintExpression("EXTRACT(YEAR FROM ts)"), "(extract 'year' ts)");
  EXPECT_EQ(PrintExpression("extract(epoch from ts)"), "(extract 'epoch' ts)");
  EXPECT_EQ(PrintExpression("EXTRACT('dow' FROM ts)"), "(extract 'dow' ts)");
  EXPECT_EQ(PrintExpression("SUBSTRING(s FROM 2 FOR 3)"), "(substring s 2 3)");
  EXPECT_EQ(PrintExpression("SUBSTRING(s FROM 2)"), "(substring s 2)");
  EXPECT_EQ(PrintExpression("SUBSTRING(s FOR 3)"), "(substring s 1 3)");
  EXPECT_EQ(PrintExpression("substring(s, 2, 3)"), "(substring s 2 3)");
  EXPECT_EQ(PrintExpression("POSITION('b' IN s)"), "(position 'b' s)");
  EXPECT_EQ(PrintExpression("TRIM(s)"), "(btrim s)");
  EXPECT_EQ(PrintExpression("TRIM(BOTH 'x' FROM s)"), "(btrim s 'x')");
  EXPECT_EQ(PrintExpression("TRIM(LEADING FROM s)"), "(ltrim s)");
  EXPECT_EQ(PrintExpression("TRIM(TRAILING 'x' FROM s)"), "(rtrim s 'x')");
  EXPECT_EQ(PrintExpression("COALESCE(a, b, c)"), "(coalesce a b c)");
  EXPECT_EQ(PrintExpression("NULLIF(a, b)"), "(nullif a b)");
  EXPECT_EQ(PrintExpression("GREATEST(1, 2)"), "(greatest 1 2)");
  EXPECT_EQ(PrintExpression("LEAST(1, 2)"), "(least 1 2)");
  EXPECT_EQ(PrintExpression("CURRENT_TIMESTAMP"), "(current_timestamp)");
  EXPECT_EQ(PrintExpression("current_timestamp(3)"), "(current_timestamp 3)");
  EXPECT_EQ(PrintExpression("CURRENT_DATE"), "(current_date)");
  EXPECT_EQ(PrintExpression("CURRENT_USER"), "(current_user)");
  EXPECT_EQ(PrintExpression("USER"), "(current_user)");
  EXPECT_EQ(PrintExpression("SESSION_USER"), "(session_user)");
  EXPECT_EQ(PrintExpression("CURRENT_SCHEMA"), "(current_schema)");
  EXPECT_EQ(PrintExpression("current_schema()"), "(current_schema)");
  EXPECT_EQ(PrintExpression("LOCALTIMESTAMP"), "(localtimestamp)");
}

TEST(ExpressionTest, OperatorsRecordTheirOwnPosition) {
  auto statement = testing::ParseOne<ast::SelectStatement>("SELECT a + b, f(x), x::int");
  const auto& items = statement->select->items;
  EXPECT_EQ(items[0].expression->position, 10);  // the +, as PostgreSQL reports operator errors
  const auto& binary = static_cast<const ast::Binary&>(*items[0].expression);
  EXPECT_EQ(binary.left->position, 8);
  EXPECT_EQ(binary.right->position, 12);
  EXPECT_EQ(items[1].expression->position, 15);
  EXPECT_EQ(items[2].expression->position, 22);
  EXPECT_EQ(static_cast<const ast::Cast&>(*items[2].expression).type.position, 24);
}

TEST(ExpressionTest, PositionsCountCharactersNotBytes) {
  auto statement = testing::ParseOne<ast::SelectStatement>("SELECT 'ééé', x");
  EXPECT_EQ(statement->select->items[1].expression->position, 15);
}

}  // namespace
}  // namespace freshet::parser
