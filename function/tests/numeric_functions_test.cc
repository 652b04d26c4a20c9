// SPDX-License-Identifier: Apache-2.0
#include <cmath>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/error.h"
#include "common/numeric.h"
#include "function/cast.h"
#include "function/scalar_function.h"

namespace freshet::function {
namespace {

Column NumericColumn(DataType type, std::initializer_list<const char*> values) {
  Column column(type);
  for (const char* value : values) {
    if (value == nullptr) {
      column.AppendNull();
    } else {
      column.Append<__int128>(numeric::Parse(value));
    }
  }
  return column;
}

Column NumericColumn(std::initializer_list<const char*> values) {
  return NumericColumn(DataType::Numeric(), values);
}

// Calls the overload of `name` whose argument types are exactly those of `arguments`.
Column Call(std::string_view name, std::vector<const Column*> arguments) {
  for (const ScalarFunction* function :
       FunctionRegistry::Builtins().Overloads(name, arguments.size())) {
    bool match = true;
    for (size_t i = 0; i < arguments.size(); ++i) {
      match = match && function->arguments[i] == arguments[i]->Type().id;
    }
    if (match) {
      Column out(function->result);
      function->kernel(EvaluationContext{}, arguments, arguments[0]->Size(), out);
      return out;
    }
  }
  throw Error::Internal("no overload");
}

std::vector<std::string> Texts(const Column& column) {
  std::vector<std::string> texts;
  for (size_t row = 0; row < column.Size(); ++row) {
    std::string text = "NULL";
    if (!column.IsNull(row)) {
      text.clear();
      column.AppendText(row, text);
    }
    texts.push_back(text);
  }
  return texts;
}

using Strings = std::vector<std::string>;

TEST(NumericFunctionsTest, OperatorsKeepPerValueScales) {
  // A NUMERIC(10,2) column and an unconstrained one mix freely: every value carries its scale.
  const Column a = NumericColumn(DataType::Numeric(10, 2), {"1.50", "-2.00", nullptr, "10.00"});
  const Column b = NumericColumn({"2.5", "0.001", "1", "3"});
  EXPECT_EQ(Texts(Call("+", {&a, &b})), (Strings{"4.00", "-1.999", "NULL", "13.00"}));
  EXPECT_EQ(Texts(Call("*", {&a, &b})), (Strings{"3.750", "-0.00200", "NULL", "30.00"}));
  EXPECT_EQ(Texts(Call("/", {&a, &b})), (Strings{"0.60000000000000000000", "-2000.0000000000000000",
                                                 "NULL", "3.3333333333333333"}));
  EXPECT_EQ(Texts(Call("%", {&a, &b})), (Strings{"1.50", "0.000", "NULL", "1.00"}));
  EXPECT_EQ(Texts(Call("-", {&a})), (Strings{"-1.50", "2.00", "NULL", "-10.00"}));
}

TEST(NumericFunctionsTest, ComparisonsAreByValue) {
  const Column a = NumericColumn({"1.0", "2", "0.5", "NaN", "-Infinity"});
  const Column b = NumericColumn({"1.00", "0.5", "0.50", "Infinity", "-99"});
  EXPECT_EQ(Texts(Call("=", {&a, &b})), (Strings{"t", "f", "t", "f", "f"}));
  EXPECT_EQ(Texts(Call(">", {&a, &b})), (Strings{"f", "t", "f", "t", "f"}));
}

TEST(NumericFunctionsTest, MathFunctions) {
  const Column x = NumericColumn({"2", "1234.5678", "-2.5", "Infinity"});
  Column scales(DataType::Integer());
  for (int32_t scale : {1, -2, 0, 3}) {
    scales.Append<int32_t>(scale);
  }
  EXPECT_EQ(Texts(Call("round", {&x, &scales})), (Strings{"2.0", "1200", "-3", "Infinity"}));
  EXPECT_EQ(Texts(Call("trunc", {&x, &scales})), (Strings{"2.0", "1200", "-2", "Infinity"}));
  EXPECT_EQ(Texts(Call("sign", {&x})), (Strings{"1", "1", "-1", "1"}));
  EXPECT_EQ(Texts(Call("scale", {&x})), (Strings{"0", "4", "1", "NULL"}));
  const Column two = NumericColumn({"2"});
  EXPECT_EQ(Texts(Call("sqrt", {&two})), (Strings{"1.414213562373095"}));
  EXPECT_EQ(Texts(Call("ln", {&two})), (Strings{"0.6931471805599453"}));
  EXPECT_EQ(Texts(Call("log", {&two})), (Strings{"0.3010299956639812"}));
  const Column ten = NumericColumn({"10"});
  EXPECT_EQ(Texts(Call("power", {&two, &ten})), (Strings{"1024.0000000000000000"}));
}

TEST(NumericFunctionsTest, DoubleMathChecksLikeFloatC) {
  Column values(DataType::Double());
  values.Append<double>(-1);
  try {
    Call("sqrt", {&values});
    FAIL() << "no error";
  } catch (const Error& error) {
    EXPECT_EQ(error.Code(), "2201F");
    EXPECT_EQ(error.Message(), "cannot take square root of a negative number");
  }
  try {
    Call("ln", {&values});
    FAIL() << "no error";
  } catch (const Error& error) {
    EXPECT_EQ(error.Code(), "2201E");
  }
  Column zero(DataType::Double());
  zero.Append<double>(0);
  Column minus_one(DataType::Double());
  minus_one.Append<double>(-1);
  try {
    Call("power", {&zero, &minus_one});
    FAIL() << "no error";
  } catch (const Error& error) {
    EXPECT_EQ(error.Code(), "2201F");
    EXPECT_EQ(error.Message(), "zero raised to a negative power is undefined");
  }
}

TEST(NumericCastTest, RoundsHalfAwayAndAppliesTypmods) {
  const Column values = NumericColumn({"2.5", "-2.5", "0.49"});
  Column integers(DataType::Integer());
  CastColumn(values, DataType::Integer(), CastContext::kAssignment, integers);
  EXPECT_EQ(Texts(integers), (Strings{"3", "-3", "0"}));
  Column typed(DataType::Numeric(3, 1));
  CastColumn(values, DataType::Numeric(3, 1), CastContext::kAssignment, typed);
  EXPECT_EQ(Texts(typed), (Strings{"2.5", "-2.5", "0.5"}));
  Column doubles(DataType::Double());
  doubles.Append<double>(0.1 + 0.2);
  doubles.Append<double>(std::nan(""));
  Column from_double(DataType::Numeric());
  CastColumn(doubles, DataType::Numeric(), CastContext::kAssignment, from_double);
  EXPECT_EQ(Texts(from_double), (Strings{"0.3", "NaN"}));
  const Column nan = NumericColumn({"NaN"});
  Column out(DataType::Bigint());
  try {
    CastColumn(nan, DataType::Bigint(), CastContext::kAssignment, out);
    FAIL() << "no error";
  } catch (const Error& error) {
    EXPECT_EQ(error.Code(), "0A000");
    EXPECT_EQ(error.Message(), "cannot convert NaN to bigint");
  }
  const Column big = NumericColumn({"12345.678"});
  Column small(DataType::Numeric(5, 2));
  try {
    CastColumn(big, DataType::Numeric(5, 2), CastContext::kAssignment, small);
    FAIL() << "no error";
  } catch (const Error& error) {
    EXPECT_EQ(error.Code(), "22003");
    EXPECT_EQ(error.Message(), "numeric field overflow");
  }
}

}  // namespace
}  // namespace freshet::function
