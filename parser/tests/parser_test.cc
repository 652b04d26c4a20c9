// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include "parser/tests/parse_helpers.h"

namespace freshet::parser {
namespace {

using testing::ParseOne;
using testing::PrintQuery;

TEST(ParseTest, EmptyInputsYieldNoStatements) {
  EXPECT_TRUE(Parse("").empty());
  EXPECT_TRUE(Parse("   \n\t").empty());
  EXPECT_TRUE(Parse(";").empty());
  EXPECT_TRUE(Parse(";;").empty());
  EXPECT_TRUE(Parse("-- only a comment").empty());
  EXPECT_TRUE(Parse("/* a /* nested */ comment */ ; -- and more").empty());
}

TEST(ParseTest, MultipleStatementsKeepTheirTextAndPosition) {
  std::vector<ast::StatementPtr> statements =
      Parse("SELECT 1;  INSERT INTO t VALUES (1) ;\n-- note\nFLUSH;;SHOW tables");
  ASSERT_EQ(statements.size(), 4u);
  EXPECT_EQ(statements[0]->kind, ast::StatementKind::kSelect);
  EXPECT_EQ(statements[0]->text, "SELECT 1");
  EXPECT_EQ(statements[0]->position, 1);
  EXPECT_EQ(statements[1]->kind, ast::StatementKind::kInsert);
  EXPECT_EQ(statements[1]->text, "INSERT INTO t VALUES (1)");
  EXPECT_EQ(statements[1]->position, 12);
  EXPECT_EQ(statements[2]->kind, ast::StatementKind::kFlush);
  EXPECT_EQ(statements[2]->text, "FLUSH");
  EXPECT_EQ(statements[2]->position, 47);
  EXPECT_EQ(statements[3]->kind, ast::StatementKind::kShow);
  EXPECT_EQ(statements[3]->text, "SHOW tables");
}

TEST(ParseTest, StatementTextKeepsInnerCommentsAndUnicode) {
  auto statement = ParseOne<ast::SelectStatement>("  SELECT 'ü' /* why */ AS \"Ä\"  ;  ");
  EXPECT_EQ(statement->text, "SELECT 'ü' /* why */ AS \"Ä\"");
  EXPECT_EQ(statement->position, 3);
}

TEST(ParseTest, KeywordsAreCaseInsensitive) {
  EXPECT_EQ(PrintQuery("select 1 FrOm t wHeRe x"), "(select 1 (from t) (where x))");
}

TEST(ParseTest, UnreservedKeywordsAreIdentifiers) {
  EXPECT_EQ(
      PrintQuery("SELECT name, type, key, value, source, timestamp, date, time, window_start, "
                 "partition, format, session, tumble, hop, flush, show, tables, sources, views, "
                 "text, data, interval, zone, level, sink, watermark, emit FROM t"),
      "(select name type key value source timestamp date time window_start partition format "
      "session tumble hop flush show tables sources views text data interval zone level sink "
      "watermark emit (from t))");
  EXPECT_EQ(PrintQuery("SELECT t.key FROM source AS t"), "(select t.key (from source as t))");
  EXPECT_EQ(PrintQuery("SELECT 1 AS select, 2 AS from, 3 name, 4 value"),
            "(select 1 as select 2 as from 3 as name 4 as value)");
  auto create = ParseOne<ast::CreateTable>("CREATE TABLE format (name text, type int, key bigint)");
  EXPECT_EQ(create->name, "format");
  EXPECT_EQ(create->columns[1].name, "type");
}

TEST(ParseTest, ReservedKeywordsAreNotIdentifiers) {
  EXPECT_EQ(PrintQuery("SELECT user FROM t"), "(select (current_user) (from t))");
  EXPECT_EQ(testing::ParseError("SELECT * FROM select").Message(),
            "syntax error at or near \"select\"");
  EXPECT_EQ(testing::ParseError("CREATE TABLE t (order int)").Message(),
            "syntax error at or near \"order\"");
  EXPECT_EQ(testing::ParseError("SELECT * FROM t AS left").Message(),
            "syntax error at or near \"left\"");
}

TEST(ParseTest, QuotedIdentifiersKeepCase) {
  EXPECT_EQ(PrintQuery("SELECT \"Mixed Case\" FROM \"Table\" AS \"T\""),
            "(select Mixed Case (from Table as T))");
  EXPECT_EQ(PrintQuery("SELECT \"select\" FROM \"from\""), "(select select (from from))");
  EXPECT_EQ(PrintQuery("SELECT Ünïcode FROM T"), "(select Ünïcode (from t))");
}

TEST(SelectTest, Clauses) {
  EXPECT_EQ(PrintQuery("SELECT a, b AS c, d e FROM t WHERE a > 1 GROUP BY a, b HAVING count(*) > 1 "
                       "ORDER BY a DESC, b NULLS LAST LIMIT 10 OFFSET 5"),
            "(select a b as c d as e (from t) (where (> a 1)) (group a b) (having (> (count *) 1)) "
            "(order a desc b nulls_last) (limit 10) (offset 5))");
  EXPECT_EQ(PrintQuery("SELECT * FROM t OFFSET 5 LIMIT ALL"), "(select * (from t) (offset 5))");
  EXPECT_EQ(PrintQuery("SELECT * FROM t FETCH FIRST 3 ROWS ONLY"), "(select * (from t) (limit 3))");
  EXPECT_EQ(PrintQuery("SELECT * FROM t OFFSET 1 ROW FETCH NEXT ROW ONLY"),
            "(select * (from t) (limit 1) (offset 1))");
}

TEST(SelectTest, EmptySelectListIsValid) {
  EXPECT_EQ(PrintQuery("SELECT FROM t"), "(select (from t))");
  EXPECT_EQ(PrintQuery("SELECT"), "(select)");
}

TEST(SelectTest, StarsAndDistinct) {
  EXPECT_EQ(PrintQuery("SELECT *, t.*, s.t.* FROM t"), "(select * t.* s.t.* (from t))");
  EXPECT_EQ(PrintQuery("SELECT DISTINCT a FROM t"), "(select distinct a (from t))");
  EXPECT_EQ(PrintQuery("SELECT DISTINCT ON (a, b) a, c FROM t"),
            "(select distinct (on a b) a c (from t))");
  EXPECT_EQ(PrintQuery("SELECT ALL a FROM t"), "(select a (from t))");
}

TEST(SelectTest, SetOperations) {
  EXPECT_EQ(PrintQuery("SELECT 1 UNION SELECT 2 UNION ALL SELECT 3"),
            "(union_all (union (select 1) (select 2)) (select 3))");
  EXPECT_EQ(PrintQuery("SELECT 1 UNION SELECT 2 INTERSECT SELECT 3"),
            "(union (select 1) (intersect (select 2) (select 3)))");
  EXPECT_EQ(PrintQuery("SELECT 1 EXCEPT DISTINCT SELECT 2 ORDER BY 1 LIMIT 1"),
            "(except (select 1) (select 2) (order 1) (limit 1))");
  EXPECT_EQ(PrintQuery("(SELECT 1 ORDER BY 1 LIMIT 1) UNION (SELECT 2)"),
            "(union (select 1 (order 1) (limit 1)) (select 2))");
  EXPECT_EQ(testing::ParseError("(SELECT 1 ORDER BY 1) ORDER BY 1").Message(),
            "multiple ORDER BY clauses not allowed");
  EXPECT_EQ(testing::ParseError("(SELECT 1 LIMIT 1) LIMIT 2").Message(),
            "multiple LIMIT clauses not allowed");
}

TEST(SelectTest, ValuesAndTable) {
  EXPECT_EQ(PrintQuery("VALUES (1, 'a'), (2, 'b') ORDER BY 1"),
            "(values (1 'a') (2 'b') (order 1))");
  EXPECT_EQ(PrintQuery("TABLE s.t"), "(select * (from s.t))");
}

TEST(SelectTest, CommonTableExpressions) {
  EXPECT_EQ(PrintQuery("WITH a AS (SELECT 1), b(x, y) AS MATERIALIZED (SELECT 1, 2) "
                       "SELECT * FROM a, b"),
            "(with (a (select 1)) (b(x,y) (select 1 2))) (select * (from a b))");
  EXPECT_EQ(PrintQuery("WITH a AS (SELECT 1) SELECT 1 UNION SELECT 2"),
            "(with (a (select 1))) (union (select 1) (select 2))");
  EXPECT_EQ(testing::ParseError("WITH RECURSIVE a AS (SELECT 1) SELECT 1").State(),
            SqlState::kFeatureNotSupported);
}

TEST(FromTest, Joins) {
  EXPECT_EQ(PrintQuery("SELECT * FROM a JOIN b ON a.x = b.x"),
            "(select * (from (inner_join a b (on (= a.x b.x)))))");
  EXPECT_EQ(PrintQuery("SELECT * FROM a INNER JOIN b USING (x, y)"),
            "(select * (from (inner_join a b (using x y))))");
  EXPECT_EQ(PrintQuery("SELECT * FROM a LEFT OUTER JOIN b ON true RIGHT JOIN c ON true "
                       "FULL JOIN d ON true"),
            "(select * (from (full_join (right_join (left_join a b (on true)) c (on true)) d (on "
            "true))))");
  EXPECT_EQ(PrintQuery("SELECT * FROM a CROSS JOIN b NATURAL LEFT JOIN c"),
            "(select * (from (natural_left_join (cross_join a b) c)))");
  EXPECT_EQ(PrintQuery("SELECT * FROM a JOIN b JOIN c ON p ON q"),
            "(select * (from (inner_join a (inner_join b c (on p)) (on q))))");
  EXPECT_EQ(PrintQuery("SELECT * FROM (a JOIN b ON p) AS j, c"),
            "(select * (from (inner_join a b (on p)) as j c))");
}

TEST(FromTest, AliasesSubqueriesValuesAndFunctions) {
  EXPECT_EQ(PrintQuery("SELECT * FROM s.t AS x(a, b), t y"),
            "(select * (from s.t as x(a,b) t as y))");
  EXPECT_EQ(PrintQuery("SELECT * FROM (SELECT 1) AS s"), "(select * (from (select 1) as s))");
  EXPECT_EQ(PrintQuery("SELECT * FROM (VALUES (1, 'a'), (2, 'b')) AS t(x, y)"),
            "(select * (from (values (1 'a') (2 'b')) as t(x,y)))");
  EXPECT_EQ(PrintQuery("SELECT * FROM generate_series(1, 3) AS g(i)"),
            "(select * (from (generate_series 1 3) as g(i)))");
  EXPECT_EQ(testing::ParseError("SELECT * FROM a.b.c").State(), SqlState::kFeatureNotSupported);
  EXPECT_EQ(testing::ParseError("SELECT * FROM t, LATERAL (SELECT 1) s").State(),
            SqlState::kFeatureNotSupported);
}

TEST(FromTest, WindowTableFunctions) {
  EXPECT_EQ(PrintQuery("SELECT * FROM TUMBLE(bids, date_time, INTERVAL '10' SECOND)"),
            "(select * (from (tumble bids date_time (interval '10' second))))");
  EXPECT_EQ(PrintQuery("SELECT * FROM HOP(bids, date_time, INTERVAL '2' SECOND, INTERVAL '10' "
                       "SECOND) h"),
            "(select * (from (hop bids date_time (interval '2' second) (interval '10' second)) as "
            "h))");
  EXPECT_EQ(PrintQuery("SELECT * FROM SESSION(bids, date_time, INTERVAL '30' SECOND, bidder)"),
            "(select * (from (session bids date_time (interval '30' second) bidder)))");
  EXPECT_EQ(PrintQuery("SELECT * FROM LATE_EVENTS(bids)"), "(select * (from (late_events bids)))");

  auto flink = ParseOne<ast::SelectStatement>(
      "SELECT * FROM TUMBLE(TABLE bids, DESCRIPTOR(date_time), INTERVAL '10' SECOND)");
  const auto& function = static_cast<const ast::TableFunction&>(*flink->select->from[0]);
  EXPECT_TRUE(function.flink_spelling);
  EXPECT_EQ(function.name, "tumble");
  ASSERT_EQ(function.arguments.size(), 3u);
  EXPECT_EQ(function.arguments[0]->kind, ast::ExpressionKind::kColumnRef);
  EXPECT_EQ(testing::Print(*function.arguments[0]), "bids");
  EXPECT_EQ(function.arguments[1]->kind, ast::ExpressionKind::kColumnRef);
  EXPECT_EQ(testing::Print(*function.arguments[1]), "date_time");
  EXPECT_EQ(testing::Print(*function.arguments[2]), "(interval '10' second)");

  auto postgres = ParseOne<ast::SelectStatement>("SELECT * FROM tumble(bids, date_time, '1s')");
  EXPECT_FALSE(static_cast<const ast::TableFunction&>(*postgres->select->from[0]).flink_spelling);
}

TEST(DmlTest, Insert) {
  auto insert = ParseOne<ast::Insert>("INSERT INTO s.t (a, \"B\") VALUES (1, 'x'), (2, NULL)");
  EXPECT_EQ(insert->schema, "s");
  EXPECT_EQ(insert->table, "t");
  EXPECT_EQ(insert->table_position, 13);
  EXPECT_EQ(insert->columns, (std::vector<std::string>{"a", "B"}));
  ASSERT_EQ(insert->source->values.size(), 2u);
  EXPECT_EQ(testing::Print(*insert->source), "(values (1 'x') (2 null))");

  auto from_select = ParseOne<ast::Insert>("INSERT INTO t SELECT * FROM u WHERE x");
  EXPECT_TRUE(from_select->columns.empty());
  EXPECT_EQ(testing::Print(*from_select->source), "(select * (from u) (where x))");
}

TEST(DmlTest, UpdateAndDelete) {
  auto update = ParseOne<ast::Update>("UPDATE t SET a = a + 1, \"B\" = 'x' WHERE c > 0");
  EXPECT_EQ(update->table, "t");
  ASSERT_EQ(update->assignments.size(), 2u);
  EXPECT_EQ(update->assignments[0].first, "a");
  EXPECT_EQ(testing::Print(*update->assignments[0].second), "(+ a 1)");
  EXPECT_EQ(update->assignments[1].first, "B");
  EXPECT_EQ(testing::Print(*update->where), "(> c 0)");

  auto remove = ParseOne<ast::Delete>("DELETE FROM s.t WHERE a = 1");
  EXPECT_EQ(remove->schema, "s");
  EXPECT_EQ(remove->table, "t");
  EXPECT_EQ(remove->table_position, 13);
  EXPECT_EQ(testing::Print(*remove->where), "(= a 1)");
  EXPECT_EQ(ParseOne<ast::Delete>("DELETE FROM t")->where, nullptr);
}

TEST(SessionTest, Show) {
  EXPECT_EQ(ParseOne<ast::Show>("SHOW TABLES")->object, ast::ObjectKind::kTable);
  EXPECT_EQ(ParseOne<ast::Show>("SHOW sources")->object, ast::ObjectKind::kSource);
  EXPECT_EQ(ParseOne<ast::Show>("SHOW MATERIALIZED VIEWS")->object,
            ast::ObjectKind::kMaterializedView);
  EXPECT_EQ(ParseOne<ast::Show>("SHOW VIEWS")->object, ast::ObjectKind::kView);
  EXPECT_EQ(ParseOne<ast::Show>("SHOW SINKS")->object, ast::ObjectKind::kSink);
  EXPECT_EQ(ParseOne<ast::Show>("SHOW ALL")->variable, "all");
  EXPECT_EQ(ParseOne<ast::Show>("SHOW TRANSACTION ISOLATION LEVEL")->variable,
            "transaction isolation level");
  EXPECT_EQ(ParseOne<ast::Show>("SHOW TIME ZONE")->variable, "timezone");
  auto show = ParseOne<ast::Show>("SHOW Server_Version");
  EXPECT_FALSE(show->object.has_value());
  EXPECT_EQ(show->variable, "server_version");
  EXPECT_EQ(ParseOne<ast::Show>("SHOW a.b")->variable, "a.b");
}

TEST(SessionTest, SetAndReset) {
  auto set = ParseOne<ast::Set>("SET search_path TO public, \"$user\", 'x'");
  EXPECT_EQ(set->variable, "search_path");
  EXPECT_EQ(set->values, (std::vector<std::string>{"public", "$user", "x"}));
  EXPECT_FALSE(set->reset);
  EXPECT_FALSE(set->local);

  EXPECT_EQ(ParseOne<ast::Set>("SET extra_float_digits = -3")->values,
            std::vector<std::string>{"-3"});
  EXPECT_EQ(ParseOne<ast::Set>("SET x = ON")->values, std::vector<std::string>{"on"});
  EXPECT_EQ(ParseOne<ast::Set>("SET x = off")->values, std::vector<std::string>{"off"});
  EXPECT_EQ(ParseOne<ast::Set>("SET x = true")->values, std::vector<std::string>{"true"});
  EXPECT_EQ(ParseOne<ast::Set>("SET x = 1.5")->values, std::vector<std::string>{"1.5"});
  EXPECT_TRUE(ParseOne<ast::Set>("SET LOCAL x = 1")->local);
  EXPECT_FALSE(ParseOne<ast::Set>("SET SESSION x = 1")->local);
  EXPECT_EQ(ParseOne<ast::Set>("SET session = 1")->variable, "session");

  auto to_default = ParseOne<ast::Set>("SET x TO DEFAULT");
  EXPECT_TRUE(to_default->reset);
  EXPECT_TRUE(to_default->values.empty());

  auto time_zone = ParseOne<ast::Set>("SET TIME ZONE 'UTC'");
  EXPECT_EQ(time_zone->variable, "timezone");
  EXPECT_EQ(time_zone->values, std::vector<std::string>{"UTC"});
  EXPECT_TRUE(ParseOne<ast::Set>("SET TIME ZONE LOCAL")->reset);
  EXPECT_EQ(ParseOne<ast::Set>("SET NAMES 'UTF8'")->variable, "client_encoding");
  EXPECT_EQ(ParseOne<ast::Set>("SET SCHEMA 'app'")->variable, "search_path");

  auto characteristics = ParseOne<ast::Set>(
      "SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL READ COMMITTED, READ ONLY");
  EXPECT_EQ(characteristics->variable, "session characteristics");
  EXPECT_EQ(characteristics->values,
            (std::vector<std::string>{"isolation level read committed", "read only"}));
  EXPECT_EQ(ParseOne<ast::Set>("SET TRANSACTION READ WRITE")->variable, "transaction");

  auto reset = ParseOne<ast::Set>("RESET statement_timeout");
  EXPECT_TRUE(reset->reset);
  EXPECT_EQ(reset->variable, "statement_timeout");
  EXPECT_EQ(ParseOne<ast::Set>("RESET ALL")->variable, "all");
  EXPECT_EQ(ParseOne<ast::Set>("RESET TIME ZONE")->variable, "timezone");
}

TEST(SessionTest, Transactions) {
  using Type = ast::Transaction::Type;
  const std::pair<const char*, Type> cases[] = {
      {"BEGIN", Type::kBegin},
      {"BEGIN WORK", Type::kBegin},
      {"BEGIN TRANSACTION ISOLATION LEVEL SERIALIZABLE, READ ONLY", Type::kBegin},
      {"BEGIN ISOLATION LEVEL REPEATABLE READ READ WRITE NOT DEFERRABLE", Type::kBegin},
      {"START TRANSACTION", Type::kBegin},
      {"START TRANSACTION READ ONLY", Type::kBegin},
      {"COMMIT", Type::kCommit},
      {"COMMIT WORK", Type::kCommit},
      {"END", Type::kCommit},
      {"END TRANSACTION", Type::kCommit},
      {"ROLLBACK", Type::kRollback},
      {"ROLLBACK WORK", Type::kRollback},
      {"ABORT", Type::kRollback},
  };
  for (const auto& [sql, type] : cases) {
    auto transaction = ParseOne<ast::Transaction>(sql);
    ASSERT_NE(transaction, nullptr) << sql;
    EXPECT_EQ(transaction->type, type) << sql;
  }
}

TEST(UtilityTest, FlushExplainDescribe) {
  EXPECT_NE(ParseOne<ast::Flush>("FLUSH"), nullptr);

  auto explain = ParseOne<ast::Explain>("EXPLAIN  SELECT * FROM t");
  ASSERT_NE(explain->statement, nullptr);
  EXPECT_EQ(explain->statement->kind, ast::StatementKind::kSelect);
  EXPECT_EQ(explain->statement->text, "SELECT * FROM t");
  EXPECT_EQ(explain->statement->position, 10);
  EXPECT_EQ(explain->text, "EXPLAIN  SELECT * FROM t");
  EXPECT_EQ(
      ParseOne<ast::Explain>("EXPLAIN CREATE MATERIALIZED VIEW v AS SELECT 1")->statement->kind,
      ast::StatementKind::kCreateMaterializedView);

  auto describe = ParseOne<ast::Describe>("DESCRIBE public.Bids");
  EXPECT_EQ(describe->name, "public.bids");
  EXPECT_EQ(describe->name_position, 10);
}

}  // namespace
}  // namespace freshet::parser
