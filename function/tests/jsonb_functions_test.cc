// SPDX-License-Identifier: Apache-2.0
#include "function/jsonb_functions.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "common/error.h"
#include "common/jsonb.h"
#include "function/scalar_function.h"
#include "function/text_array.h"

namespace freshet::function {
namespace {

Column JsonbColumn(std::initializer_list<std::optional<std::string_view>> values) {
  Column column(DataType(TypeId::kJsonb));
  for (const auto& value : values) {
    if (value) {
      column.AppendString(ParseJsonb(*value));
    } else {
      column.AppendNull();
    }
  }
  return column;
}

Column TextColumn(std::initializer_list<std::string_view> values) {
  Column column(DataType::Text());
  for (std::string_view value : values) {
    column.AppendString(value);
  }
  return column;
}

Column CallBinary(std::string_view name, const Column& a, const Column& b) {
  for (const ScalarFunction* function : FunctionRegistry::Builtins().Overloads(name, 2)) {
    if (function->arguments[0] == a.Type().id && function->arguments[1] == b.Type().id) {
      Column out(function->result);
      const Column* arguments[] = {&a, &b};
      function->kernel(EvaluationContext{}, std::span<const Column* const>(arguments), a.Size(),
                       out);
      return out;
    }
  }
  throw Error::Internal("no overload");
}

TEST(JsonbFunctionsTest, ArrowOperatorsReturnJsonbAndText) {
  const Column docs = JsonbColumn({R"({"a": {"b": "x"}, "n": null})", "[1]", std::nullopt});
  Column field = CallBinary("->", docs, TextColumn({"a", "a", "a"}));
  EXPECT_EQ(field.GetString(0), R"({"b": "x"})");
  EXPECT_TRUE(field.IsNull(1));
  EXPECT_TRUE(field.IsNull(2));
  Column text = CallBinary("#>>", docs, TextColumn({"{a,b}", "{0}", "{}"}));
  EXPECT_EQ(text.GetString(0), "x");
  EXPECT_EQ(text.GetString(1), "1");
  EXPECT_TRUE(text.IsNull(2));
  Column null_as_text = CallBinary("->>", docs, TextColumn({"n", "n", "n"}));
  EXPECT_TRUE(null_as_text.IsNull(0));
}

TEST(JsonbFunctionsTest, CastsNumbersRoundingHalfAwayFromZero) {
  Column out(DataType::Integer());
  CastJsonbColumn(JsonbColumn({"1.5", "2.5", "-2.5", "1e2"}), DataType::Integer(), out);
  EXPECT_EQ(out.Data<int32_t>()[0], 2);
  EXPECT_EQ(out.Data<int32_t>()[1], 3);
  EXPECT_EQ(out.Data<int32_t>()[2], -3);
  EXPECT_EQ(out.Data<int32_t>()[3], 100);
}

TEST(JsonbFunctionsTest, CastOfAStringIs22023) {
  Column out(DataType::Integer());
  try {
    CastJsonbColumn(JsonbColumn({R"("a")"}), DataType::Integer(), out);
    FAIL();
  } catch (const Error& error) {
    EXPECT_EQ(error.State(), SqlState::kInvalidParameterValue);
    EXPECT_EQ(error.Message(), "cannot cast jsonb string to type integer");
  }
  Column small(DataType(TypeId::kSmallint));
  EXPECT_THROW(CastJsonbColumn(JsonbColumn({"70000"}), DataType(TypeId::kSmallint), small), Error);
}

TEST(TextArrayTest, ParsesLiteralsAsArrayInDoes) {
  const auto elements = ParseTextArray(R"( { "a\"b" , NULL, null, "NULL", \x , a b } )");
  ASSERT_EQ(elements.size(), 6u);
  EXPECT_EQ(*elements[0], "a\"b");
  EXPECT_FALSE(elements[1]);
  EXPECT_FALSE(elements[2]);
  EXPECT_EQ(*elements[3], "NULL");
  EXPECT_EQ(*elements[4], "x");
  EXPECT_EQ(*elements[5], "a b");
  EXPECT_EQ(ParseTextArray("{{a,b},{c,d}}").size(), 4u);
  EXPECT_TRUE(ParseTextArray("{}").empty());
  std::string out;
  AppendTextArray(out, elements);
  EXPECT_EQ(out, R"({"a\"b",NULL,NULL,"NULL",x,"a b"})");
}

TEST(TextArrayTest, ReportsMalformedLiterals) {
  const auto detail = [](std::string_view literal) {
    try {
      ParseTextArray(literal);
    } catch (const Error& error) {
      EXPECT_EQ(error.Message(), fmt::format("malformed array literal: \"{}\"", literal));
      return error.Detail();
    }
    return std::string();
  };
  EXPECT_EQ(detail("a"), "Array value must start with \"{\" or dimension information.");
  EXPECT_EQ(detail("{a}x"), "Junk after closing right brace.");
  EXPECT_EQ(detail("{a"), "Unexpected end of input.");
  EXPECT_EQ(detail("{a,}"), "Unexpected \"}\" character.");
  EXPECT_EQ(detail("{,a}"), "Unexpected \",\" character.");
  EXPECT_EQ(detail(R"({"a"b})"), "Unexpected array element.");
  EXPECT_EQ(detail("{{a},b}"), "Unexpected array element.");
  EXPECT_EQ(detail("{a{}"), "Unexpected \"{\" character.");
  EXPECT_EQ(detail("{{a,b},{c}}"),
            "Multidimensional arrays must have sub-arrays with matching dimensions.");
}

}  // namespace
}  // namespace freshet::function
