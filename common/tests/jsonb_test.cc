// SPDX-License-Identifier: Apache-2.0
#include "common/jsonb.h"

#include <gtest/gtest.h>

#include "common/error.h"

namespace freshet {
namespace {

// The detail of the error parsing `text` raises, or "" when it parses.
std::string Detail(std::string_view text,
                   SqlState expected = SqlState::kInvalidTextRepresentation) {
  try {
    ParseJsonb(text);
  } catch (const Error& error) {
    EXPECT_EQ(error.State(), expected) << text;
    return error.Detail();
  }
  return "";
}

TEST(JsonbTest, PrintsObjectsSortedByKeyLengthThenBytesKeepingTheLastDuplicate) {
  EXPECT_EQ(ParseJsonb(R"({"b":1, "a": [1,2,{"c":"x\ny"}], "aa":1.50, "a":2})"),
            R"({"a": 2, "b": 1, "aa": 1.50})");
  EXPECT_EQ(ParseJsonb(R"( {"bb": {"z": null, "y": true}, "a": []} )"),
            R"({"a": [], "bb": {"y": true, "z": null}})");
  EXPECT_EQ(ParseJsonb("{}"), "{}");
  EXPECT_EQ(ParseJsonb(" [ ] "), "[]");
  EXPECT_EQ(ParseJsonb("[[1,[2]],{}]"), "[[1, [2]], {}]");
}

TEST(JsonbTest, PrintsNumbersAsNumericDoes) {
  EXPECT_EQ(ParseJsonb("-0.0"), "0.0");
  EXPECT_EQ(ParseJsonb("1.0e-1"), "0.10");
  EXPECT_EQ(ParseJsonb("1E+2"), "100");
  EXPECT_EQ(ParseJsonb("-0"), "0");
  EXPECT_EQ(ParseJsonb("0.000"), "0.000");
  EXPECT_EQ(ParseJsonb("12.340e-2"), "0.12340");
  EXPECT_EQ(ParseJsonb("1e-5"), "0.00001");
  EXPECT_EQ(ParseJsonb("-12.5e1"), "-125");
  EXPECT_EQ(ParseJsonb("0e99999"), "0");
  EXPECT_EQ(ParseJsonb("123456789012345678901234567890"), "123456789012345678901234567890");
  EXPECT_EQ(ParseJsonb("1e131071").size(), 131072u);
  EXPECT_EQ(Detail("1e131072", SqlState::kNumericValueOutOfRange), "");
  EXPECT_EQ(Detail("1e-16384", SqlState::kNumericValueOutOfRange), "");
  EXPECT_EQ(ParseJsonb("1e-16383").size(), 16385u);
}

TEST(JsonbTest, ReescapesStringsAsEscapeJsonDoes) {
  EXPECT_EQ(ParseJsonb(R"("\ud83d\ude00 \u00e9\t\/ \u001f \"\\")"),
            "\"\xf0\x9f\x98\x80 \xc3\xa9\\t/ \\u001f \\\"\\\\\"");
  EXPECT_EQ(ParseJsonb(R"("\b\f\r")"), R"("\b\f\r")");
}

TEST(JsonbTest, ReportsPostgresErrorDetails) {
  EXPECT_EQ(Detail(R"({"a" 1})"), "Expected \":\", but found \"1\".");
  EXPECT_EQ(Detail("01"), "Token \"01\" is invalid.");
  EXPECT_EQ(Detail("[1,2"), "The input string ended unexpectedly.");
  EXPECT_EQ(Detail("[1,]"), "Expected JSON value, but found \"]\".");
  EXPECT_EQ(Detail("[}"), "Expected JSON value, but found \"}\".");
  EXPECT_EQ(Detail(R"({"a":1,})"), "Expected string, but found \"}\".");
  EXPECT_EQ(Detail("{1:1}"), "Expected string or \"}\", but found \"1\".");
  EXPECT_EQ(Detail(R"("abc)"), "Token \"\"abc\" is invalid.");
  EXPECT_EQ(Detail(R"("\x")"), "Escape sequence \"\\x\" is invalid.");
  EXPECT_EQ(Detail(R"("\u12")"), "\"\\u\" must be followed by four hexadecimal digits.");
  EXPECT_EQ(Detail(R"("\ud83d")"), "Unicode low surrogate must follow a high surrogate.");
  EXPECT_EQ(Detail(R"("\ude00")"), "Unicode low surrogate must follow a high surrogate.");
  EXPECT_EQ(Detail(R"("\ud83d\u0041")"), "Unicode low surrogate must follow a high surrogate.");
  EXPECT_EQ(Detail(""), "The input string ended unexpectedly.");
  EXPECT_EQ(Detail("1 2"), "Expected end of input, but found \"2\".");
  EXPECT_EQ(Detail("tru"), "Token \"tru\" is invalid.");
  EXPECT_EQ(Detail("-"), "Token \"-\" is invalid.");
  EXPECT_EQ(Detail("1."), "Token \"1.\" is invalid.");
  EXPECT_EQ(Detail("1.e5x"), "Token \"1.e5x\" is invalid.");
  EXPECT_EQ(Detail("@"), "Token \"@\" is invalid.");
  EXPECT_EQ(Detail("\"a\nb\""), "Character with value 0x0a must be escaped.");
  EXPECT_EQ(Detail(R"({"a":1 "b"})"), "Expected \",\" or \"}\", but found \"\"b\"\".");
  EXPECT_EQ(Detail("[1 2]"), "Expected \",\" or \"]\", but found \"2\".");
  EXPECT_EQ(Detail(R"({"a"})"), "Expected \":\", but found \"}\".");
  EXPECT_EQ(Detail("\xc3\xa9"), "Token \"\xc3\xa9\" is invalid.");
  EXPECT_EQ(Detail(R"("\u0000")", SqlState::kUntranslatableCharacter),
            "\\u0000 cannot be converted to text.");
  EXPECT_EQ(Detail("\"\xc3\x28\"", SqlState::kCharacterNotInRepertoire), "");
}

TEST(JsonbTest, ParsesDeepNestingWithoutRecursion) {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  EXPECT_EQ(ParseJsonb(deep), deep);
}

TEST(JsonbTest, ParserReusesBuffersAndLeavesOutputUntouchedOnError) {
  JsonbParser parser;
  std::string out = "x";
  parser.Parse(R"({"b": 1, "a": 2})", out);
  EXPECT_EQ(out, R"(x{"a": 2, "b": 1})");
  EXPECT_THROW(parser.Parse("[1, {", out), Error);
  EXPECT_EQ(out, R"(x{"a": 2, "b": 1})");
  parser.Parse("[true]", out);
  EXPECT_EQ(out, R"(x{"a": 2, "b": 1}[true])");
}

TEST(JsonbTest, ReadsFieldsElementsAndPaths) {
  const std::string doc = ParseJsonb(R"({"a": [1, {"b": "x\"y"}, null], "c\n": 5})");
  EXPECT_EQ(JsonbObjectField(doc, "c\n"), "5");
  EXPECT_EQ(JsonbObjectField(doc, "zz"), std::nullopt);
  EXPECT_EQ(JsonbArrayElement(*JsonbObjectField(doc, "a"), -1), "null");
  EXPECT_EQ(JsonbArrayElement(*JsonbObjectField(doc, "a"), -4), std::nullopt);
  EXPECT_EQ(JsonbArrayElement(doc, 0), std::nullopt);
  EXPECT_EQ(JsonbExtractPath(doc, {"a", "1", "b"}), R"("x\"y")");
  EXPECT_EQ(JsonbExtractPath(doc, {"a", " +1", "b"}), R"("x\"y")");
  EXPECT_EQ(JsonbExtractPath(doc, {"a", "x"}), std::nullopt);
  EXPECT_EQ(JsonbExtractPath(doc, {}), doc);
  std::string text;
  AppendJsonbAsText(text, *JsonbExtractPath(doc, {"a", "1", "b"}));
  EXPECT_EQ(text, "x\"y");
  EXPECT_EQ(JsonbContainerSize(doc), 2);
  EXPECT_EQ(JsonbKindName(JsonbKindOf(doc)), "object");
  EXPECT_EQ(JsonbKindName(JsonbKindOf("-1.5")), "number");
}

TEST(JsonbTest, ComparesNumbersByValue) {
  EXPECT_TRUE(JsonbEqual(ParseJsonb("1.0"), ParseJsonb("1")));
  EXPECT_TRUE(JsonbEqual(ParseJsonb(R"({"a": 1.0, "b": "1.0"})"),
                         ParseJsonb(R"({"b": "1.0", "a": 1.00})")));
  EXPECT_FALSE(JsonbEqual(ParseJsonb(R"({"b": "1.0"})"), ParseJsonb(R"({"b": "1"})")));
  EXPECT_FALSE(JsonbEqual(ParseJsonb("[1]"), ParseJsonb("1")));
  EXPECT_FALSE(JsonbEqual(ParseJsonb("[1, 2]"), ParseJsonb("[1, 20]")));
}

TEST(JsonbTest, ContainmentFollowsPostgres) {
  const auto contains = [](std::string_view a, std::string_view b) {
    return JsonbContains(ParseJsonb(a), ParseJsonb(b));
  };
  EXPECT_TRUE(contains(R"({"a": 1, "b": [1, 2, {"c": 3}]})", R"({"b": [{"c": 3.0}]})"));
  EXPECT_FALSE(contains(R"({"a": 1})", R"({"a": 1, "b": 2})"));
  EXPECT_TRUE(contains("[1, 2]", "1"));
  EXPECT_FALSE(contains("1", "[1]"));
  EXPECT_TRUE(contains(R"("a")", R"("a")"));
  EXPECT_FALSE(contains("[[1, 2]]", "[1]"));
  EXPECT_TRUE(contains("[[1, 2]]", "[[1]]"));
  EXPECT_FALSE(contains("{}", "[]"));
  EXPECT_TRUE(JsonbKeyExists(ParseJsonb(R"(["a", 1])"), "a"));
  EXPECT_FALSE(JsonbKeyExists(ParseJsonb(R"(["a", 1])"), "1"));
  EXPECT_TRUE(JsonbKeyExists(ParseJsonb(R"({"a\"": 1})"), "a\""));
}

TEST(JsonbTest, ConcatenatesDeletesAndPrettyPrints) {
  const auto concat = [](std::string_view a, std::string_view b) {
    std::string out;
    AppendJsonbConcat(out, ParseJsonb(a), ParseJsonb(b));
    return out;
  };
  EXPECT_EQ(concat(R"({"a":1,"b":2})", R"({"b":3,"c":4})"), R"({"a": 1, "b": 3, "c": 4})");
  EXPECT_EQ(concat("[1]", R"({"a":1})"), R"([1, {"a": 1}])");
  EXPECT_EQ(concat("1", "2"), "[1, 2]");
  EXPECT_EQ(concat("[]", "[]"), "[]");
  std::string out;
  AppendJsonbWithoutKey(out, ParseJsonb(R"(["a","b","a"])"), "a");
  EXPECT_EQ(out, R"(["b"])");
  out.clear();
  AppendJsonbWithoutElement(out, ParseJsonb("[1,2,3]"), -1);
  EXPECT_EQ(out, "[1, 2]");
  EXPECT_THROW(AppendJsonbWithoutElement(out, ParseJsonb("{}"), 0), Error);
  out.clear();
  AppendJsonbPretty(out, ParseJsonb(R"({"a":[1,{}],"b":"x, y"})"));
  EXPECT_EQ(out,
            "{\n    \"a\": [\n        1,\n        {\n        }\n    ],\n    \"b\": \"x, y\"\n}");
  JsonbParser parser;
  out.clear();
  parser.ParseStrippingNulls(R"({"a":null,"b":[null,{"c":null}],"d":{"e":null,"f":1}})", out);
  EXPECT_EQ(out, R"({"b": [null, {}], "d": {"f": 1}})");
  out.clear();
  parser.Parse(R"({"a":null})", out);
  EXPECT_EQ(out, R"({"a": null})");
}

}  // namespace
}  // namespace freshet
