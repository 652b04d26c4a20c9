// SPDX-License-Identifier: Apache-2.0
#include "executor/expression_evaluator.h"

#include <gtest/gtest.h>

#include "common/error.h"

namespace freshet::executor {
namespace {

using plan::Expression;
using plan::ExpressionKind;
using plan::ExpressionPtr;

const BatchContext kContext;

const function::ScalarFunction& Overload(std::string_view name, TypeId type) {
  for (const auto* function : function::FunctionRegistry::Builtins().Overloads(name, 2)) {
    if (function->arguments[0] == type) {
      return *function;
    }
  }
  throw Error::Internal("missing overload");
}

Chunk IntegerChunk(std::initializer_list<std::optional<int32_t>> values) {
  Chunk chunk({DataType::Integer()});
  for (const auto& value : values) {
    chunk.AppendRow({value ? Value::Integer(*value) : Value::Null(DataType::Integer())});
  }
  return chunk;
}

ExpressionPtr Binary(std::string_view name, ExpressionPtr left, ExpressionPtr right) {
  std::vector<ExpressionPtr> arguments;
  arguments.push_back(std::move(left));
  arguments.push_back(std::move(right));
  return Expression::Call(Overload(name, TypeId::kInteger), std::move(arguments));
}

TEST(ExpressionEvaluatorTest, EvaluatesArithmeticOverColumnsAndConstants) {
  ExpressionPtr expression = Binary("*", Expression::Column(0, DataType::Integer()),
                                    Expression::Constant(Value::Integer(10)));
  ExpressionEvaluator evaluator(*expression, kContext);
  const Column& result = evaluator.Evaluate(IntegerChunk({1, std::nullopt, 3}));
  EXPECT_EQ(result.Data<int32_t>()[0], 10);
  EXPECT_TRUE(result.IsNull(1));
  EXPECT_EQ(result.Data<int32_t>()[2], 30);
}

TEST(ExpressionEvaluatorTest, AndSkipsTheRightSideWhereTheLeftIsFalse) {
  // x <> 0 AND 10 / x > 1 must not divide by zero.
  std::vector<ExpressionPtr> children;
  children.push_back(Binary("<>", Expression::Column(0, DataType::Integer()),
                            Expression::Constant(Value::Integer(0))));
  children.push_back(Binary(">",
                            Binary("/", Expression::Constant(Value::Integer(10)),
                                   Expression::Column(0, DataType::Integer())),
                            Expression::Constant(Value::Integer(1))));
  ExpressionPtr expression =
      Expression::Make(ExpressionKind::kAnd, DataType::Boolean(), std::move(children));
  ExpressionEvaluator evaluator(*expression, kContext);
  std::vector<uint8_t> selected =
      evaluator.EvaluatePredicate(IntegerChunk({0, 2, 20, std::nullopt}));
  EXPECT_EQ(selected, (std::vector<uint8_t>{0, 1, 0, 0}));
}

TEST(ExpressionEvaluatorTest, OrFollowsThreeValuedLogic) {
  std::vector<ExpressionPtr> children;
  children.push_back(Binary("=", Expression::Column(0, DataType::Integer()),
                            Expression::Constant(Value::Integer(1))));
  children.push_back(Expression::Constant(Value::Null(DataType::Boolean())));
  ExpressionPtr expression =
      Expression::Make(ExpressionKind::kOr, DataType::Boolean(), std::move(children));
  ExpressionEvaluator evaluator(*expression, kContext);
  const Column& result = evaluator.Evaluate(IntegerChunk({1, 2}));
  EXPECT_EQ(result.Data<uint8_t>()[0], 1);
  EXPECT_TRUE(result.IsNull(1));
}

TEST(ExpressionEvaluatorTest, CaseEvaluatesEachBranchOnItsOwnRows) {
  // CASE WHEN x = 0 THEN 0 ELSE 100 / x END
  std::vector<ExpressionPtr> children;
  children.push_back(Binary("=", Expression::Column(0, DataType::Integer()),
                            Expression::Constant(Value::Integer(0))));
  children.push_back(Expression::Constant(Value::Integer(0)));
  children.push_back(Binary("/", Expression::Constant(Value::Integer(100)),
                            Expression::Column(0, DataType::Integer())));
  ExpressionPtr expression =
      Expression::Make(ExpressionKind::kCase, DataType::Integer(), std::move(children));
  ExpressionEvaluator evaluator(*expression, kContext);
  const Column& result = evaluator.Evaluate(IntegerChunk({0, 4, std::nullopt, 50}));
  EXPECT_EQ(result.Data<int32_t>()[0], 0);
  EXPECT_EQ(result.Data<int32_t>()[1], 25);
  EXPECT_TRUE(result.IsNull(2));
  EXPECT_EQ(result.Data<int32_t>()[3], 2);
}

TEST(ExpressionEvaluatorTest, CoalesceTakesTheFirstNonNull) {
  std::vector<ExpressionPtr> children;
  children.push_back(Expression::Column(0, DataType::Integer()));
  children.push_back(Expression::Constant(Value::Integer(-1)));
  ExpressionPtr expression =
      Expression::Make(ExpressionKind::kCoalesce, DataType::Integer(), std::move(children));
  ExpressionEvaluator evaluator(*expression, kContext);
  const Column& result = evaluator.Evaluate(IntegerChunk({std::nullopt, 7, std::nullopt}));
  EXPECT_EQ(result.Data<int32_t>()[0], -1);
  EXPECT_EQ(result.Data<int32_t>()[1], 7);
  EXPECT_EQ(result.Data<int32_t>()[2], -1);
}

}  // namespace
}  // namespace freshet::executor
