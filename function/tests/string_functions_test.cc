// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include "common/error.h"
#include "function/scalar_function.h"

namespace freshet::function {
namespace {

const ScalarFunction& Find(std::string_view name, const std::vector<TypeId>& arguments) {
  for (const ScalarFunction* function :
       FunctionRegistry::Builtins().Overloads(name, arguments.size())) {
    if (function->arguments == arguments) {
      return *function;
    }
  }
  throw Error::Internal("no such overload");
}

Column Text(std::initializer_list<std::optional<std::string_view>> values) {
  Column column(DataType::Text());
  for (const auto& value : values) {
    if (value) {
      column.AppendString(*value);
    } else {
      column.AppendNull();
    }
  }
  return column;
}

Column Integers(std::initializer_list<int32_t> values) {
  Column column(DataType::Integer());
  for (int32_t value : values) {
    column.Append<int32_t>(value);
  }
  return column;
}

Column Call(const ScalarFunction& function, std::vector<const Column*> arguments) {
  Column out(function.result);
  function.kernel(EvaluationContext{}, arguments, arguments[0]->Size(), out);
  return out;
}

TEST(StringFunctionsTest, SubstringClipsNegativeStartsLikePostgres) {
  const ScalarFunction& substring =
      Find("substring", {TypeId::kText, TypeId::kInteger, TypeId::kInteger});
  Column text = Text({"hello", "hello", "hello", "h\xc3\xa9llo"});
  Column start = Integers({-1, 2, 10, 2});
  Column count = Integers({3, 3, 1, 2});
  Column out = Call(substring, {&text, &start, &count});
  EXPECT_EQ(out.GetString(0), "h");
  EXPECT_EQ(out.GetString(1), "ell");
  EXPECT_EQ(out.GetString(2), "");
  EXPECT_EQ(out.GetString(3), "\xc3\xa9l");
}

TEST(StringFunctionsTest, NegativeSubstringLengthIs22011) {
  const ScalarFunction& substring =
      Find("substring", {TypeId::kText, TypeId::kInteger, TypeId::kInteger});
  Column text = Text({"hello"});
  Column start = Integers({1});
  Column count = Integers({-1});
  try {
    Call(substring, {&text, &start, &count});
    FAIL();
  } catch (const Error& error) {
    EXPECT_EQ(error.State(), SqlState::kSubstringError);
  }
}

TEST(StringFunctionsTest, SplitPartCountsNegativeFieldsFromTheEnd) {
  const ScalarFunction& split =
      Find("split_part", {TypeId::kText, TypeId::kText, TypeId::kInteger});
  Column text = Text({"a,b,c", "a,b,c", "a,b,c", "a,b,c", ""});
  Column delimiter = Text({",", ",", ",", ",", ","});
  Column field = Integers({2, -1, -3, 4, 1});
  Column out = Call(split, {&text, &delimiter, &field});
  EXPECT_EQ(out.GetString(0), "b");
  EXPECT_EQ(out.GetString(1), "c");
  EXPECT_EQ(out.GetString(2), "a");
  EXPECT_EQ(out.GetString(3), "");
  EXPECT_EQ(out.GetString(4), "");
}

TEST(StringFunctionsTest, PadsAndTruncatesByCharacters) {
  const ScalarFunction& lpad = Find("lpad", {TypeId::kText, TypeId::kInteger, TypeId::kText});
  Column text = Text({"hi", "hello", "\xc3\xa9"});
  Column length = Integers({5, 2, 3});
  Column fill = Text({"xy", "xy", "\xc3\xa0"});
  Column out = Call(lpad, {&text, &length, &fill});
  EXPECT_EQ(out.GetString(0), "xyxhi");
  EXPECT_EQ(out.GetString(1), "he");
  EXPECT_EQ(out.GetString(2), "\xc3\xa0\xc3\xa0\xc3\xa9");
}

TEST(StringFunctionsTest, NullArgumentsGiveNull) {
  const ScalarFunction& replace = Find("replace", {TypeId::kText, TypeId::kText, TypeId::kText});
  Column text = Text({"abc", std::nullopt});
  Column from = Text({std::nullopt, "a"});
  Column to = Text({"x", "y"});
  Column out = Call(replace, {&text, &from, &to});
  EXPECT_TRUE(out.IsNull(0));
  EXPECT_TRUE(out.IsNull(1));
}

TEST(StringFunctionsTest, Md5IsLowerCaseHex) {
  const ScalarFunction& md5 = Find("md5", {TypeId::kText});
  Column text = Text({"", "abc"});
  Column out = Call(md5, {&text});
  EXPECT_EQ(out.GetString(0), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(out.GetString(1), "900150983cd24fb0d6963f7d28e17f72");
}

}  // namespace
}  // namespace freshet::function
