// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include "parser/tests/parse_helpers.h"

namespace freshet::parser {
namespace {

using testing::ParseOne;
using testing::Print;

TEST(CreateTableTest, ColumnsConstraintsAndKeys) {
  auto create = ParseOne<ast::CreateTable>(
      "CREATE TABLE IF NOT EXISTS app.customers (id BIGINT PRIMARY KEY, name VARCHAR(40) NOT NULL, "
      "note text NULL DEFAULT 'none', score double precision DEFAULT -1.5 NOT NULL, "
      "tags text[], CONSTRAINT pk PRIMARY KEY (id, name))");
  ASSERT_NE(create, nullptr);
  EXPECT_TRUE(create->if_not_exists);
  EXPECT_EQ(create->schema, "app");
  EXPECT_EQ(create->name, "customers");
  EXPECT_EQ(create->name_position, 28);
  ASSERT_EQ(create->columns.size(), 5u);
  EXPECT_EQ(create->columns[0].name, "id");
  EXPECT_EQ(create->columns[0].type.name, "bigint");
  EXPECT_TRUE(create->columns[0].primary_key);
  EXPECT_EQ(create->columns[0].position, 43);
  EXPECT_EQ(Print(create->columns[1].type), "character varying(40)");
  EXPECT_TRUE(create->columns[1].not_null);
  EXPECT_FALSE(create->columns[2].not_null);
  EXPECT_EQ(Print(*create->columns[2].default_value), "'none'");
  EXPECT_EQ(Print(*create->columns[3].default_value), "-1.5");
  EXPECT_TRUE(create->columns[3].not_null);
  EXPECT_TRUE(create->columns[4].type.is_array);
  EXPECT_EQ(create->primary_key, (std::vector<std::string>{"id", "name"}));
  EXPECT_FALSE(create->append_only);
  EXPECT_FALSE(create->watermark.has_value());
  EXPECT_EQ(create->as_select, nullptr);
}

TEST(CreateTableTest, WatermarkAppendOnlyOptionsAndFormat) {
  auto create = ParseOne<ast::CreateTable>(
      "CREATE TABLE t (ts TIMESTAMP, v INT, WATERMARK FOR ts AS ts - INTERVAL '1' SECOND "
      "WITH LATENESS INTERVAL '1' MINUTE) APPEND ONLY WITH (connector = 'kafka', "
      "properties.bootstrap.server = '127.0.0.1:9092', retries = 3) "
      "FORMAT PLAIN ENCODE CSV (delimiter = ',', header = false)");
  ASSERT_NE(create, nullptr);
  EXPECT_TRUE(create->append_only);
  ASSERT_TRUE(create->watermark.has_value());
  EXPECT_EQ(create->watermark->column, "ts");
  EXPECT_EQ(Print(*create->watermark->expression), "(- ts (interval '1' second))");
  EXPECT_EQ(Print(*create->watermark->lateness), "(interval '1' minute)");
  ASSERT_EQ(create->with.size(), 3u);
  EXPECT_EQ(create->with[1].key, "properties.bootstrap.server");
  EXPECT_EQ(create->with[1].value, "127.0.0.1:9092");
  EXPECT_EQ(create->with[2].value, "3");
  ASSERT_TRUE(create->format.has_value());
  EXPECT_EQ(create->format->format, "plain");
  EXPECT_EQ(create->format->encode, "csv");
  ASSERT_EQ(create->format->options.size(), 2u);
  EXPECT_EQ(create->format->options[0].value, ",");
  EXPECT_EQ(create->format->options[1].key, "header");
  EXPECT_EQ(create->format->options[1].value, "false");
}

TEST(CreateTableTest, AsSelectAndEmptyColumnList) {
  auto create = ParseOne<ast::CreateTable>("CREATE TABLE t AS SELECT a FROM u");
  ASSERT_NE(create->as_select, nullptr);
  EXPECT_EQ(Print(*create->as_select), "(select a (from u))");
  EXPECT_TRUE(ParseOne<ast::CreateTable>("CREATE TABLE e ()")->columns.empty());
}

TEST(CreateTableTest, DefinitionErrors) {
  EXPECT_EQ(testing::ParseError("CREATE TABLE t (a int, PRIMARY KEY (a), PRIMARY KEY (a))").State(),
            SqlState::kInvalidTableDefinition);
  EXPECT_EQ(testing::ParseError("CREATE TABLE t (a timestamp, WATERMARK FOR a AS a, "
                                "WATERMARK FOR a AS a)")
                .Message(),
            "multiple WATERMARK clauses are not allowed");
}

TEST(CreateSourceTest, KafkaSourceOfTheDesign) {
  auto source = ParseOne<ast::CreateSource>(
      "CREATE SOURCE IF NOT EXISTS bids (\n"
      "  auction BIGINT, bidder BIGINT, price BIGINT, date_time TIMESTAMP,\n"
      "  WATERMARK FOR date_time AS date_time - INTERVAL '5' SECOND\n"
      ") INCLUDE partition AS _partition INCLUDE offset INCLUDE timestamp AS ts INCLUDE key\n"
      "WITH (\n"
      "  connector = 'kafka', topic = 'bids',\n"
      "  properties.bootstrap.server = '127.0.0.1:9092',\n"
      "  scan.startup.mode = 'earliest'          -- or 'latest'\n"
      ") FORMAT PLAIN ENCODE JSON;");
  ASSERT_NE(source, nullptr);
  EXPECT_EQ(source->name, "bids");
  EXPECT_TRUE(source->if_not_exists);
  ASSERT_EQ(source->columns.size(), 4u);
  EXPECT_EQ(source->columns[3].name, "date_time");
  EXPECT_EQ(source->columns[3].type.name, "timestamp");
  ASSERT_TRUE(source->watermark.has_value());
  EXPECT_EQ(source->watermark->column, "date_time");
  EXPECT_EQ(source->watermark->lateness, nullptr);
  ASSERT_EQ(source->include.size(), 4u);
  EXPECT_EQ(source->include[0].what, "partition");
  EXPECT_EQ(source->include[0].alias, "_partition");
  EXPECT_EQ(source->include[1].what, "offset");
  EXPECT_EQ(source->include[1].alias, "");
  EXPECT_EQ(source->include[2].what, "timestamp");
  EXPECT_EQ(source->include[3].what, "key");
  ASSERT_EQ(source->with.size(), 4u);
  EXPECT_EQ(source->with[0].key, "connector");
  EXPECT_EQ(source->with[0].value, "kafka");
  EXPECT_EQ(source->with[3].key, "scan.startup.mode");
  EXPECT_EQ(source->with[3].value, "earliest");
  EXPECT_GT(source->with[3].position, 0);
  ASSERT_TRUE(source->format.has_value());
  EXPECT_EQ(source->format->format, "plain");
  EXPECT_EQ(source->format->encode, "json");
}

TEST(CreateSourceTest, GeneratorWithoutFormat) {
  auto source = ParseOne<ast::CreateSource>(
      "CREATE SOURCE gen (id int) WITH (connector = 'datagen', rows.per.second = 10, "
      "fields.id.kind = sequence)");
  ASSERT_NE(source, nullptr);
  EXPECT_FALSE(source->format.has_value());
  EXPECT_EQ(source->with[1].key, "rows.per.second");
  EXPECT_EQ(source->with[1].value, "10");
  EXPECT_EQ(source->with[2].value, "sequence");
  auto encoded = ParseOne<ast::CreateSource>(
      "CREATE SOURCE s (a int) WITH (connector = 'kafka') FORMAT UPSERT ENCODE CSV WITH (header = "
      "true)");
  EXPECT_EQ(encoded->format->format, "upsert");
  EXPECT_EQ(encoded->format->options[0].value, "true");
}

TEST(CreateViewTest, MaterializedViewOfTheDesign) {
  auto view = ParseOne<ast::CreateMaterializedView>(
      "CREATE MATERIALIZED VIEW bids_10s AS\n"
      "SELECT auction, window_start, window_end, count(*) AS n, max(price) AS top\n"
      "FROM TUMBLE(bids, date_time, INTERVAL '10' SECOND)\n"
      "GROUP BY auction, window_start, window_end\n"
      "EMIT ON WINDOW CLOSE;");
  ASSERT_NE(view, nullptr);
  EXPECT_EQ(view->name, "bids_10s");
  EXPECT_EQ(view->name_position, 26);
  EXPECT_TRUE(view->materialized);
  EXPECT_FALSE(view->if_not_exists);
  EXPECT_TRUE(view->query->emit_on_window_close);
  EXPECT_EQ(Print(*view->query),
            "(select auction window_start window_end (count *) as n (max price) as top (from "
            "(tumble bids date_time (interval '10' second))) (group auction window_start "
            "window_end) emit_on_window_close)");
  EXPECT_TRUE(view->text.starts_with("CREATE MATERIALIZED VIEW bids_10s AS\nSELECT"));
  EXPECT_TRUE(view->text.ends_with("EMIT ON WINDOW CLOSE"));
}

TEST(CreateViewTest, PlainViewWithColumnsAndOptions) {
  auto view = ParseOne<ast::CreateMaterializedView>(
      "CREATE VIEW IF NOT EXISTS v (x, y) WITH (retention = '1h') AS SELECT 1, 2");
  ASSERT_NE(view, nullptr);
  EXPECT_FALSE(view->materialized);
  EXPECT_TRUE(view->if_not_exists);
  EXPECT_EQ(view->column_aliases, (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(view->with[0].value, "1h");
  EXPECT_FALSE(view->query->emit_on_window_close);
}

TEST(CreateSinkTest, FromViewAndAsQuery) {
  auto sink = ParseOne<ast::CreateSink>(
      "CREATE SINK out FROM bids_10s WITH (connector = 'kafka', topic = 'out', "
      "properties.bootstrap.server = 'localhost:9092') FORMAT UPSERT ENCODE JSON");
  ASSERT_NE(sink, nullptr);
  EXPECT_EQ(sink->name, "out");
  EXPECT_EQ(sink->from, "bids_10s");
  EXPECT_EQ(sink->query, nullptr);
  EXPECT_EQ(sink->with.size(), 3u);
  EXPECT_EQ(sink->format->format, "upsert");

  auto as_query = ParseOne<ast::CreateSink>(
      "CREATE SINK IF NOT EXISTS k AS SELECT * FROM t EMIT ON WINDOW CLOSE WITH (connector = "
      "'blackhole')");
  ASSERT_NE(as_query, nullptr);
  EXPECT_TRUE(as_query->if_not_exists);
  EXPECT_TRUE(as_query->from.empty());
  EXPECT_TRUE(as_query->query->emit_on_window_close);
  EXPECT_FALSE(as_query->format.has_value());
}

TEST(DropTest, EveryObjectKind) {
  const std::pair<const char*, ast::ObjectKind> cases[] = {
      {"DROP TABLE t", ast::ObjectKind::kTable},
      {"DROP SOURCE t", ast::ObjectKind::kSource},
      {"DROP MATERIALIZED VIEW t", ast::ObjectKind::kMaterializedView},
      {"DROP VIEW t", ast::ObjectKind::kView},
      {"DROP SINK t", ast::ObjectKind::kSink},
      {"DROP INDEX t", ast::ObjectKind::kIndex},
      {"DROP SCHEMA t", ast::ObjectKind::kSchema},
  };
  for (const auto& [sql, kind] : cases) {
    auto drop = ParseOne<ast::Drop>(sql);
    ASSERT_NE(drop, nullptr) << sql;
    EXPECT_EQ(drop->object, kind) << sql;
    EXPECT_FALSE(drop->if_exists);
    EXPECT_FALSE(drop->cascade);
  }
  auto drop = ParseOne<ast::Drop>("DROP SOURCE IF EXISTS a, s.\"B\" CASCADE");
  EXPECT_TRUE(drop->if_exists);
  EXPECT_TRUE(drop->cascade);
  EXPECT_EQ(drop->names, (std::vector<std::string>{"a", "s.B"}));
  EXPECT_EQ(drop->name_positions, (std::vector<int32_t>{23, 26}));
  EXPECT_FALSE(ParseOne<ast::Drop>("DROP TABLE t RESTRICT")->cascade);
}

}  // namespace
}  // namespace freshet::parser
