// SPDX-License-Identifier: Apache-2.0
#include "sql_tests/runner/kafka_messages.h"

#include <gtest/gtest.h>

namespace freshet::sql_tests {
namespace {

Record ConsumeRecord(SortMode sort_mode, std::vector<std::string> expected) {
  Record record;
  record.kind = RecordKind::kKafkaConsume;
  record.sort_mode = sort_mode;
  record.expected_lines = std::move(expected);
  return record;
}

TEST(KafkaMessagesTest, ProduceArgumentsFollowTheOptions) {
  KafkaDirective directive;
  directive.topic = "events";
  EXPECT_EQ(KcatProduceArguments("127.0.0.1:9", directive),
            (std::vector<std::string>{"kcat", "-P", "-F", "none", "-b", "127.0.0.1:9", "-t",
                                      "events", "-X", "sticky.partitioning.linger.ms=0"}));
  directive.partition = 3;
  directive.key_separator = ":";
  directive.tombstones = true;
  std::vector<std::string> arguments = KcatProduceArguments("127.0.0.1:9", directive);
  std::vector<std::string> tail(arguments.end() - 5, arguments.end());
  EXPECT_EQ(tail, (std::vector<std::string>{"-p", "3", "-K", ":", "-Z"}));
}

TEST(KafkaMessagesTest, ProduceInputEndsEveryMessageWithANewline) {
  KafkaDirective directive;
  directive.messages = {"{\"a\": 1}", "not json {", "  spaced  "};
  EXPECT_EQ(KcatProduceInput(directive), "{\"a\": 1}\nnot json {\n  spaced  \n");
}

TEST(KafkaMessagesTest, ParsesLengthPrefixedOutput) {
  std::optional<std::vector<KafkaMessage>> messages =
      ParseKcatOutput("2 2 k1v1\n-1 5 nokey\n2 -1 k2\n-1 -1 \n0 0 \n3 5 a\tbNULL\n\n");
  ASSERT_TRUE(messages.has_value());
  ASSERT_EQ(messages->size(), 6u);
  EXPECT_EQ((*messages)[0].key, "k1");
  EXPECT_EQ((*messages)[0].value, "v1");
  EXPECT_FALSE((*messages)[1].key.has_value());
  EXPECT_EQ((*messages)[1].value, "nokey");
  EXPECT_EQ((*messages)[2].key, "k2");
  EXPECT_FALSE((*messages)[2].value.has_value());
  EXPECT_FALSE((*messages)[3].key.has_value());
  EXPECT_FALSE((*messages)[3].value.has_value());
  EXPECT_EQ((*messages)[4].key, "");
  EXPECT_EQ((*messages)[4].value, "");
  // Tabs and newlines inside a key or value do not confuse the parser.
  EXPECT_EQ((*messages)[5].key, "a\tb");
  EXPECT_EQ((*messages)[5].value, "NULL\n");
  EXPECT_TRUE(ParseKcatOutput("")->empty());
}

TEST(KafkaMessagesTest, RejectsMalformedOutput) {
  EXPECT_FALSE(ParseKcatOutput("x 1 a\n").has_value());
  EXPECT_FALSE(ParseKcatOutput("1 1 ab").has_value());
  EXPECT_FALSE(ParseKcatOutput("1 5 ab\n").has_value());
  EXPECT_FALSE(ParseKcatOutput("-2 0 \n").has_value());
  EXPECT_FALSE(ParseKcatOutput("1").has_value());
}

TEST(KafkaMessagesTest, FormatsKeyTabValue) {
  EXPECT_EQ(FormatKafkaMessage({std::string("k"), std::string("{\"a\": 1}")}), "k\t{\"a\": 1}");
  EXPECT_EQ(FormatKafkaMessage({std::nullopt, std::string("v")}), "NULL\tv");
  EXPECT_EQ(FormatKafkaMessage({std::string("k"), std::nullopt}), "k\tNULL");
  EXPECT_EQ(FormatKafkaMessage({std::string(""), std::string("")}), "(empty)\t(empty)");
  EXPECT_EQ(FormatKafkaMessage({std::nullopt, std::string("a\nb\r")}), "NULL\ta\\nb\\r");
  EXPECT_EQ(FormatKafkaMessage({std::nullopt, std::string("trailing  ")}), "NULL\ttrailing");
}

TEST(KafkaMessagesTest, ComparesInOrderOrSorted) {
  std::vector<KafkaMessage> messages = {{std::nullopt, std::string("b")},
                                        {std::nullopt, std::string("a")}};
  EXPECT_FALSE(
      CompareKafkaMessages(ConsumeRecord(SortMode::kNoSort, {"NULL\tb", "NULL\ta"}), messages));
  EXPECT_FALSE(
      CompareKafkaMessages(ConsumeRecord(SortMode::kRowSort, {"NULL\ta", "NULL\tb"}), messages));
  std::optional<std::string> mismatch =
      CompareKafkaMessages(ConsumeRecord(SortMode::kNoSort, {"NULL\ta", "NULL\tb"}), messages);
  ASSERT_TRUE(mismatch.has_value());
  EXPECT_NE(mismatch->find("first difference at message 1"), std::string::npos);
  EXPECT_NE(mismatch->find("NULL\\tb"), std::string::npos);
  mismatch = CompareKafkaMessages(ConsumeRecord(SortMode::kNoSort, {"NULL\tb"}), messages);
  ASSERT_TRUE(mismatch.has_value());
  EXPECT_NE(mismatch->find("expected 1 message(s), got 2"), std::string::npos);
}

}  // namespace
}  // namespace freshet::sql_tests
