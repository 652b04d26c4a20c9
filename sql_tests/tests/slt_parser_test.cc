// SPDX-License-Identifier: Apache-2.0
#include "sql_tests/runner/slt_parser.h"

#include <gtest/gtest.h>

namespace freshet::sql_tests {
namespace {

TEST(SltParserTest, CommentsAndBlankLinesYieldNoRecords) {
  EXPECT_TRUE(ParseSlt("# name: empty\n\n# description: nothing\n   \n").empty());
  EXPECT_TRUE(ParseSlt("").empty());
}

TEST(SltParserTest, StatementOkTakesSqlUpToTheBlankLine) {
  std::vector<Record> records = ParseSlt(
      "# leading comment\n"
      "statement ok\n"
      "CREATE TABLE t (a INT,\n"
      "  b TEXT)\n"
      "\n"
      "statement ok\n"
      "INSERT INTO t VALUES (1, 'x')\n");
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].kind, RecordKind::kStatement);
  EXPECT_EQ(records[0].line, 2);
  EXPECT_FALSE(records[0].expect_error);
  EXPECT_EQ(records[0].sql, "CREATE TABLE t (a INT,\n  b TEXT)");
  EXPECT_EQ(records[1].line, 6);
  EXPECT_EQ(records[1].sql, "INSERT INTO t VALUES (1, 'x')");
}

TEST(SltParserTest, StatementErrorWithSqlStateInParentheses) {
  std::vector<Record> records = ParseSlt("statement error (ZZ123)\nSELECT * FROM nope\n");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_TRUE(records[0].expect_error);
  ASSERT_TRUE(records[0].error.sqlstate.has_value());
  EXPECT_EQ(*records[0].error.sqlstate, "ZZ123");
  EXPECT_EQ(records[0].error.pattern, "(ZZ123)");
}

TEST(SltParserTest, StatementErrorWithRegexKeepsTheRestOfTheLine) {
  std::vector<Record> records =
      ParseSlt("statement error   relation \"nope\" does not exist\nSELECT * FROM nope\n");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_FALSE(records[0].error.sqlstate.has_value());
  EXPECT_EQ(records[0].error.pattern, "relation \"nope\" does not exist");
}

TEST(SltParserTest, BareStatementErrorAcceptsAnyError) {
  std::vector<Record> records = ParseSlt("statement error\nSELEC 1\n");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_TRUE(records[0].expect_error);
  EXPECT_TRUE(records[0].error.pattern.empty());
}

TEST(SltParserTest, ParenthesesThatAreNotACodeAreARegex) {
  std::vector<Record> records = ParseSlt("statement error (foo|bar)\nSELECT 1\n");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_FALSE(records[0].error.sqlstate.has_value());
  EXPECT_EQ(records[0].error.pattern, "(foo|bar)");
}

TEST(SltParserTest, StatementErrorMayGiveTheMessageBelowDashes) {
  std::vector<Record> records =
      ParseSlt("statement error\nSELECT 1/0\n----\ndivision by zero\n\nstatement ok\nSELECT 1\n");
  ASSERT_EQ(records.size(), 2u);
  ASSERT_TRUE(records[0].error.message.has_value());
  EXPECT_EQ(*records[0].error.message, "division by zero");
  EXPECT_EQ(records[1].sql, "SELECT 1");
}

TEST(SltParserTest, StatementCount) {
  std::vector<Record> records = ParseSlt("statement count 3\nINSERT INTO t VALUES (1), (2), (3)\n");
  ASSERT_EQ(records.size(), 1u);
  ASSERT_TRUE(records[0].expected_count.has_value());
  EXPECT_EQ(*records[0].expected_count, 3);
}

TEST(SltParserTest, QueryWithTypesSortModeAndResultBlock) {
  std::vector<Record> records = ParseSlt(
      "query IT rowsort\n"
      "SELECT a, b\n"
      "FROM t\n"
      "----\n"
      "1 x  \n"
      "2 (empty)\n"
      "\n"
      "query I\n"
      "SELECT 1\n"
      "----\n"
      "1\n");
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].kind, RecordKind::kQuery);
  EXPECT_EQ(records[0].column_types, "IT");
  EXPECT_EQ(records[0].sort_mode, SortMode::kRowSort);
  EXPECT_EQ(records[0].sql, "SELECT a, b\nFROM t");
  EXPECT_EQ(records[0].expected_lines, (std::vector<std::string>{"1 x", "2 (empty)"}));
  EXPECT_EQ(records[1].sort_mode, SortMode::kNoSort);
  EXPECT_EQ(records[1].expected_lines, (std::vector<std::string>{"1"}));
}

TEST(SltParserTest, QueryWithoutDashesExpectsNoRows) {
  std::vector<Record> records =
      ParseSlt("query I\nSELECT 1 WHERE false\n\nquery I\nSELECT 2\n----\n\n");
  ASSERT_EQ(records.size(), 2u);
  EXPECT_TRUE(records[0].expected_lines.empty());
  EXPECT_TRUE(records[1].expected_lines.empty());
}

TEST(SltParserTest, QueryLabelIsIgnored) {
  std::vector<Record> records = ParseSlt("query I nosort my_label\nSELECT 1\n----\n1\n");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].sort_mode, SortMode::kNoSort);
  records = ParseSlt("query I label_only\nSELECT 1\n----\n1\n");
  EXPECT_EQ(records[0].sort_mode, SortMode::kNoSort);
}

TEST(SltParserTest, QueryError) {
  std::vector<Record> records = ParseSlt("query error (ZZ001)\nSELECT x FROM t\n");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].kind, RecordKind::kQuery);
  EXPECT_TRUE(records[0].expect_error);
  EXPECT_EQ(*records[0].error.sqlstate, "ZZ001");
}

TEST(SltParserTest, ConditionsAttachToTheNextRecordOnly) {
  std::vector<Record> records = ParseSlt(
      "onlyif freshet\n"
      "skipif postgres\n"
      "query T rowsort\n"
      "SHOW TABLES\n"
      "----\n"
      "t\n"
      "\n"
      "statement ok\n"
      "SELECT 1\n");
  ASSERT_EQ(records.size(), 2u);
  ASSERT_EQ(records[0].conditions.size(), 2u);
  EXPECT_TRUE(records[0].conditions[0].only_if);
  EXPECT_EQ(records[0].conditions[0].engine, "freshet");
  EXPECT_FALSE(records[0].conditions[1].only_if);
  EXPECT_TRUE(ShouldRun(records[0], "freshet"));
  EXPECT_FALSE(ShouldRun(records[0], "postgres"));
  EXPECT_FALSE(ShouldRun(records[0], "duckdb"));
  EXPECT_TRUE(records[1].conditions.empty());
  EXPECT_TRUE(ShouldRun(records[1], "postgres"));
}

TEST(SltParserTest, SkipIfSkipsOnlyTheNamedEngine) {
  std::vector<Record> records = ParseSlt("skipif freshet\nstatement ok\nSELECT 1\n");
  EXPECT_FALSE(ShouldRun(records[0], "freshet"));
  EXPECT_TRUE(ShouldRun(records[0], "postgres"));
}

TEST(SltParserTest, RunnerDirectives) {
  std::vector<Record> records = ParseSlt(
      "restart\n"
      "restart kill\n"
      "control restart kill\n"
      "sleep 250\n"
      "sleep 2s\n"
      "sleep 10ms\n"
      "halt\n");
  ASSERT_EQ(records.size(), 7u);
  EXPECT_EQ(records[0].kind, RecordKind::kRestart);
  EXPECT_FALSE(records[0].kill);
  EXPECT_TRUE(records[1].kill);
  EXPECT_EQ(records[2].kind, RecordKind::kRestart);
  EXPECT_TRUE(records[2].kill);
  EXPECT_EQ(records[3].kind, RecordKind::kSleep);
  EXPECT_EQ(records[3].duration, std::chrono::milliseconds(250));
  EXPECT_EQ(records[4].duration, std::chrono::milliseconds(2000));
  EXPECT_EQ(records[5].duration, std::chrono::milliseconds(10));
  EXPECT_EQ(records[6].kind, RecordKind::kHalt);
}

TEST(SltParserTest, ControlSortModeSetsTheDefault) {
  std::vector<Record> records = ParseSlt(
      "query I\nSELECT 1\n----\n1\n\n"
      "control sortmode rowsort\n"
      "control something_else\n"
      "hash-threshold 8\n"
      "query I\nSELECT 1\n----\n1\n\n"
      "query I nosort\nSELECT 1\n----\n1\n");
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0].sort_mode, SortMode::kNoSort);
  EXPECT_EQ(records[1].sort_mode, SortMode::kRowSort);
  EXPECT_EQ(records[2].sort_mode, SortMode::kNoSort);
}

TEST(SltParserTest, WindowsLineEndings) {
  std::vector<Record> records = ParseSlt("query I\r\nSELECT 1\r\n----\r\n1\r\n\r\nhalt\r\n");
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].sql, "SELECT 1");
  EXPECT_EQ(records[0].expected_lines, (std::vector<std::string>{"1"}));
}

TEST(SltParserTest, MalformedInputNamesTheLine) {
  auto line_of_error = [](std::string_view text) {
    try {
      ParseSlt(text);
    } catch (const SltParseError& error) {
      return error.Line();
    }
    return 0;
  };
  EXPECT_EQ(line_of_error("statement ok\nSELECT 1\n\nbogus directive\n"), 4);
  EXPECT_EQ(line_of_error("statement maybe\nSELECT 1\n"), 1);
  EXPECT_EQ(line_of_error("statement ok\n\n"), 1);
  EXPECT_EQ(line_of_error("query I\n----\n1\n"), 1);
  EXPECT_EQ(line_of_error("\nquery 1I\nSELECT 1\n"), 2);
  EXPECT_EQ(line_of_error("query I sideways\nSELECT 1\n"), 0);
  EXPECT_EQ(line_of_error("query I sideways label\nSELECT 1\n"), 1);
  EXPECT_EQ(line_of_error("statement ok\nSELECT 1\n----\n1\n"), 1);
  EXPECT_EQ(line_of_error("statement error ([unclosed\nSELECT 1\n"), 1);
  EXPECT_EQ(line_of_error("sleep soon\n"), 1);
  EXPECT_EQ(line_of_error("restart gently\n"), 1);
  EXPECT_EQ(line_of_error("statement ok\nSELECT 1\n\nonlyif freshet\n"), 4);
}

TEST(SltParserTest, KafkaStartTakesAnOptionalPartitionCount) {
  std::vector<Record> records = ParseSlt("kafka start\n\nkafka start partitions 4\n");
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].kind, RecordKind::kKafkaStart);
  EXPECT_EQ(records[0].kafka.partitions, 1);
  EXPECT_EQ(records[1].kafka.partitions, 4);
  EXPECT_EQ(records[1].line, 3);
}

TEST(SltParserTest, KafkaProduceKeepsMessageLinesVerbatim) {
  std::vector<Record> records = ParseSlt(
      "kafka produce events\n"
      "{\"id\": 1}\n"
      "{\"id\": 2  \n"
      "----\n"
      "\n"
      "statement ok\n"
      "SELECT 1\n");
  ASSERT_EQ(records.size(), 2u);
  const KafkaDirective& kafka = records[0].kafka;
  EXPECT_EQ(records[0].kind, RecordKind::kKafkaProduce);
  EXPECT_EQ(kafka.topic, "events");
  EXPECT_FALSE(kafka.partition.has_value());
  EXPECT_FALSE(kafka.key_separator.has_value());
  EXPECT_FALSE(kafka.tombstones);
  // Trailing blanks and a `----` line are message text, not syntax.
  EXPECT_EQ(kafka.messages, (std::vector<std::string>{"{\"id\": 1}", "{\"id\": 2  ", "----"}));
  EXPECT_EQ(records[1].kind, RecordKind::kStatement);
}

TEST(SltParserTest, KafkaProduceOptionsInAnyOrder) {
  std::vector<Record> records =
      ParseSlt("kafka produce t tombstones key-separator : partition 2\nk:v\nk:\n");
  ASSERT_EQ(records.size(), 1u);
  const KafkaDirective& kafka = records[0].kafka;
  EXPECT_EQ(kafka.partition, 2);
  EXPECT_EQ(kafka.key_separator, ":");
  EXPECT_TRUE(kafka.tombstones);
  EXPECT_EQ(kafka.messages, (std::vector<std::string>{"k:v", "k:"}));
}

TEST(SltParserTest, KafkaConsumeReadsExpectedLines) {
  std::vector<Record> records = ParseSlt(
      "kafka consume out count 2 timeout 30 rowsort\n"
      "----\n"
      "k1\tv1\n"
      "NULL\tv2\n"
      "\n"
      "kafka consume empty timeout 1500ms\n"
      "----\n");
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].kind, RecordKind::kKafkaConsume);
  EXPECT_EQ(records[0].kafka.topic, "out");
  EXPECT_EQ(records[0].kafka.min_count, 2);
  EXPECT_EQ(records[0].kafka.timeout, std::chrono::seconds(30));
  EXPECT_EQ(records[0].sort_mode, SortMode::kRowSort);
  EXPECT_EQ(records[0].expected_lines, (std::vector<std::string>{"k1\tv1", "NULL\tv2"}));
  EXPECT_FALSE(records[1].kafka.min_count.has_value());
  EXPECT_EQ(records[1].kafka.timeout, std::chrono::milliseconds(1500));
  EXPECT_EQ(records[1].sort_mode, SortMode::kNoSort);
  EXPECT_TRUE(records[1].expected_lines.empty());
}

TEST(SltParserTest, KafkaConsumeDefaultsToTenSeconds) {
  std::vector<Record> records = ParseSlt("kafka consume t\n----\nNULL\tx\n");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].kafka.timeout, std::chrono::seconds(10));
}

TEST(SltParserTest, MalformedKafkaDirectivesNameTheLine) {
  auto line_of_error = [](std::string_view text) {
    try {
      ParseSlt(text);
    } catch (const SltParseError& error) {
      return error.Line();
    }
    return 0;
  };
  EXPECT_EQ(line_of_error("kafka\n"), 1);
  EXPECT_EQ(line_of_error("kafka stop\n"), 1);
  EXPECT_EQ(line_of_error("kafka start partitions 0\n"), 1);
  EXPECT_EQ(line_of_error("kafka start partitions\n"), 1);
  EXPECT_EQ(line_of_error("kafka start brokers 3\n"), 1);
  EXPECT_EQ(line_of_error("kafka produce\nx\n"), 1);
  EXPECT_EQ(line_of_error("\nkafka produce t\n\n"), 2);
  EXPECT_EQ(line_of_error("kafka produce t partition -1\nx\n"), 1);
  EXPECT_EQ(line_of_error("kafka produce t tombstones\nx\n"), 1);
  EXPECT_EQ(line_of_error("kafka produce t rowsort\nx\n"), 1);
  EXPECT_EQ(line_of_error("kafka produce t partition 1 partition 2\nx\n"), 1);
  EXPECT_EQ(line_of_error("kafka consume t\nx\n"), 1);
  EXPECT_EQ(line_of_error("kafka consume t count x\n----\n"), 1);
  EXPECT_EQ(line_of_error("kafka consume t timeout soon\n----\n"), 1);
  EXPECT_EQ(line_of_error("kafka consume t valuesort\n----\n"), 1);
  EXPECT_EQ(line_of_error("kafka consume t partition 1\n----\n"), 1);
}

TEST(SltParserTest, SubstitutePlaceholderReplacesEveryOccurrence) {
  std::vector<Record> records = ParseSlt(
      "statement error x\n"
      "CREATE SOURCE s WITH (a = '${KAFKA_BOOTSTRAP}', b = '${KAFKA_BOOTSTRAP}')\n"
      "----\n"
      "cannot reach ${KAFKA_BOOTSTRAP}\n"
      "\n"
      "query T\n"
      "SELECT '${KAFKA_BOOTSTRAP}'\n"
      "----\n"
      "${KAFKA_BOOTSTRAP}\n"
      "\n"
      "kafka produce t-${KAFKA_BOOTSTRAP}\n"
      "${KAFKA_BOOTSTRAP}\n");
  ASSERT_EQ(records.size(), 3u);
  for (Record& record : records) {
    SubstitutePlaceholder(record, kKafkaBootstrapPlaceholder, "127.0.0.1:9");
  }
  EXPECT_EQ(records[0].sql, "CREATE SOURCE s WITH (a = '127.0.0.1:9', b = '127.0.0.1:9')");
  EXPECT_EQ(records[0].error.message, "cannot reach 127.0.0.1:9");
  EXPECT_EQ(records[1].sql, "SELECT '127.0.0.1:9'");
  EXPECT_EQ(records[1].expected_lines, (std::vector<std::string>{"127.0.0.1:9"}));
  EXPECT_EQ(records[2].kafka.topic, "t-127.0.0.1:9");
  // Messages are data: they stay as written.
  EXPECT_EQ(records[2].kafka.messages, (std::vector<std::string>{"${KAFKA_BOOTSTRAP}"}));
}

TEST(SltParserTest, ParseDuration) {
  EXPECT_EQ(ParseDuration("0"), std::chrono::milliseconds(0));
  EXPECT_EQ(ParseDuration("1500ms"), std::chrono::milliseconds(1500));
  EXPECT_EQ(ParseDuration("3s"), std::chrono::milliseconds(3000));
  EXPECT_FALSE(ParseDuration("").has_value());
  EXPECT_FALSE(ParseDuration("-5").has_value());
  EXPECT_FALSE(ParseDuration("5m").has_value());
  EXPECT_FALSE(ParseDuration("ms").has_value());
}

}  // namespace
}  // namespace freshet::sql_tests
