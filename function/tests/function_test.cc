// SPDX-License-Identifier: Apache-2.0
#include <limits>

#include <gtest/gtest.h>

#include "common/error.h"
#include "function/cast.h"
#include "function/scalar_function.h"

namespace freshet::function {
namespace {

Column IntegerColumn(std::initializer_list<std::optional<int32_t>> values) {
  Column column(DataType::Integer());
  for (const auto& value : values) {
    if (value) {
      column.Append<int32_t>(*value);
    } else {
      column.AppendNull();
    }
  }
  return column;
}

Column Call(std::string_view name, const Column& a, const Column& b) {
  auto overloads = FunctionRegistry::Builtins().Overloads(name, 2);
  for (const ScalarFunction* function : overloads) {
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

TEST(ArithmeticTest, AddsWithNullPropagation) {
  Column out =
      Call("+", IntegerColumn({1, std::nullopt, 3}), IntegerColumn({10, 20, std::nullopt}));
  ASSERT_EQ(out.Size(), 3u);
  EXPECT_EQ(out.Data<int32_t>()[0], 11);
  EXPECT_TRUE(out.IsNull(1));
  EXPECT_TRUE(out.IsNull(2));
}

TEST(ArithmeticTest, IntegerOverflowIs22003) {
  try {
    Call("+", IntegerColumn({std::numeric_limits<int32_t>::max()}), IntegerColumn({1}));
    FAIL();
  } catch (const Error& error) {
    EXPECT_EQ(error.State(), SqlState::kNumericValueOutOfRange);
    EXPECT_EQ(error.Message(), "integer out of range");
  }
}

TEST(ArithmeticTest, DivisionByZeroIs22012AndSkipsNulls) {
  EXPECT_THROW(Call("/", IntegerColumn({1}), IntegerColumn({0})), Error);
  Column out = Call("/", IntegerColumn({std::nullopt}), IntegerColumn({0}));
  EXPECT_TRUE(out.IsNull(0));
  EXPECT_EQ(Call("/", IntegerColumn({-7}), IntegerColumn({2})).Data<int32_t>()[0], -3);
  EXPECT_EQ(Call("%", IntegerColumn({-7}), IntegerColumn({2})).Data<int32_t>()[0], -1);
}

TEST(ComparisonTest, ComparesStrings) {
  Column a(DataType::Text());
  Column b(DataType::Text());
  a.AppendString("abc");
  b.AppendString("abd");
  Column out = Call("<", a, b);
  EXPECT_EQ(out.Data<uint8_t>()[0], 1);
}

TEST(CastTest, FollowsPostgresContexts) {
  EXPECT_TRUE(CanCast(TypeId::kInteger, TypeId::kBigint, CastContext::kImplicit));
  EXPECT_FALSE(CanCast(TypeId::kBigint, TypeId::kInteger, CastContext::kImplicit));
  EXPECT_TRUE(CanCast(TypeId::kBigint, TypeId::kInteger, CastContext::kAssignment));
  EXPECT_FALSE(CanCast(TypeId::kBoolean, TypeId::kInteger, CastContext::kAssignment));
  EXPECT_TRUE(CanCast(TypeId::kBoolean, TypeId::kInteger, CastContext::kExplicit));
  EXPECT_TRUE(CanCast(TypeId::kInteger, TypeId::kText, CastContext::kAssignment));
  EXPECT_FALSE(CanCast(TypeId::kText, TypeId::kInteger, CastContext::kAssignment));
}

TEST(CastTest, ConvertsNumbersAndText) {
  Column doubles(DataType::Double());
  doubles.Append<double>(2.5);
  doubles.Append<double>(3.5);
  Column integers(DataType::Integer());
  CastColumn(doubles, DataType::Integer(), CastContext::kExplicit, integers);
  EXPECT_EQ(integers.Data<int32_t>()[0], 2);  // rint: half to even
  EXPECT_EQ(integers.Data<int32_t>()[1], 4);
  Column text(DataType::Text());
  CastColumn(doubles, DataType::Text(), CastContext::kExplicit, text);
  EXPECT_EQ(text.GetString(0), "2.5");
  Column back(DataType::Bigint());
  Column digits(DataType::Text());
  digits.AppendString(" 42 ");
  CastColumn(digits, DataType::Bigint(), CastContext::kExplicit, back);
  EXPECT_EQ(back.Data<int64_t>()[0], 42);
}

TEST(CastTest, VarcharLengthDependsOnContext) {
  Column text(DataType::Text());
  text.AppendString("abcdef");
  Column explicit_cast(DataType::Varchar(3));
  CastColumn(text, DataType::Varchar(3), CastContext::kExplicit, explicit_cast);
  EXPECT_EQ(explicit_cast.GetString(0), "abc");
  Column assigned(DataType::Varchar(3));
  EXPECT_THROW(CastColumn(text, DataType::Varchar(3), CastContext::kAssignment, assigned), Error);
}

}  // namespace
}  // namespace freshet::function
