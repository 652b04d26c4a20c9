// SPDX-License-Identifier: Apache-2.0
#include "planner/special_form_binder.h"

#include <fmt/format.h>

#include "common/error.h"
#include "planner/expression_binder.h"

namespace freshet::planner::internal {
namespace {

using function::CastContext;
using plan::Expression;
using plan::ExpressionKind;
using plan::ExpressionPtr;

[[noreturn]] void ThrowNoSuchFunction(std::string_view name,
                                      const std::vector<ExpressionPtr>& arguments,
                                      int32_t position) {
  std::string types;
  for (size_t i = 0; i < arguments.size(); ++i) {
    types += (i > 0 ? ", " : "") + arguments[i]->type.Name();
  }
  throw Error(SqlState::kUndefinedFunction,
              fmt::format("function {}({}) does not exist", name, types))
      .WithHint(
          "No function matches the given name and argument types. You might need to add explicit "
          "type casts.")
      .WithPosition(position);
}

// The registered kernel of a call whose arguments the binder types itself.
const function::ScalarFunction& Builtin(std::string_view name, size_t arity) {
  const auto overloads = function::FunctionRegistry::Builtins().Overloads(name, arity);
  FRESHET_CHECK(!overloads.empty(), fmt::format("no built-in function {}", name));
  return *overloads.front();
}

ExpressionPtr BindConcat(std::string_view name,
                         std::vector<ExpressionPtr> arguments,
                         int32_t position,
                         const function::EvaluationContext& evaluation) {
  // concat_ws's separator and format's template are text; the rest are "any".
  const bool with_separator = name == "concat_ws" || name == "format";
  if (arguments.size() < (name == "concat_ws" ? 2u : 1u)) {
    ThrowNoSuchFunction(name, arguments, position);
  }
  if (with_separator) {
    const DataType& separator = arguments[0]->type;
    if (!separator.IsString() && separator.id != TypeId::kUnknown) {
      ThrowNoSuchFunction(name, arguments, position);
    }
    arguments[0] = Coerce(std::move(arguments[0]), DataType::Text(), CastContext::kImplicit,
                          position, evaluation);
  }
  const function::ScalarFunction& function = Builtin(name, arguments.size());
  return Expression::Call(function, std::move(arguments));
}

// NULLIF(a, b) is CASE WHEN a = b THEN NULL ELSE a END, whose type is that of the first argument of
// the chosen `=`: NULLIF(1, 2.5) is numeric.
ExpressionPtr BindNullIf(std::vector<ExpressionPtr> arguments,
                         int32_t position,
                         const function::EvaluationContext& evaluation) {
  if (arguments.size() != 2) {
    ThrowNoSuchFunction("nullif", arguments, position);
  }
  // Resolve `=` once against a stand-in column, so that the call is not folded away and its first
  // argument shows the converted value, then once for real.
  std::vector<ExpressionPtr> probe_arguments;
  probe_arguments.push_back(arguments[0]->Clone());
  probe_arguments.push_back(Expression::Column(0, arguments[1]->type));
  ExpressionPtr probe = ResolveCall("=", std::move(probe_arguments), true, position, evaluation);
  FRESHET_CHECK(probe->kind == ExpressionKind::kCall, "NULLIF comparison was folded");
  ExpressionPtr value = std::move(probe->children[0]);
  const DataType type = value->type.id == TypeId::kUnknown ? DataType::Text() : value->type;
  if (value->type.id == TypeId::kUnknown) {
    value = Coerce(std::move(value), type, CastContext::kImplicit, position, evaluation);
  }
  ExpressionPtr equal = ResolveCall("=", std::move(arguments), true, position, evaluation);
  std::vector<ExpressionPtr> children;
  children.push_back(std::move(equal));
  children.push_back(Expression::Constant(Value::Null(type)));
  children.push_back(std::move(value));
  return Expression::Make(ExpressionKind::kCase, type, std::move(children));
}

ExpressionPtr BindGreatestLeast(std::string_view name,
                                std::vector<ExpressionPtr> arguments,
                                int32_t position,
                                const function::EvaluationContext& evaluation) {
  if (arguments.empty()) {
    throw Error(SqlState::kSyntaxError, "syntax error at or near \")\"").WithPosition(position);
  }
  std::vector<DataType> types;
  for (const ExpressionPtr& argument : arguments) {
    types.push_back(argument->type);
  }
  const DataType common = CommonType(types, name == "greatest" ? "GREATEST" : "LEAST", position);
  for (ExpressionPtr& argument : arguments) {
    argument = Coerce(std::move(argument), common, CastContext::kImplicit, position, evaluation);
  }
  const function::ScalarFunction& function = Builtin(name, arguments.size());
  ExpressionPtr call = Expression::Call(function, std::move(arguments));
  call->type = common;
  return call;
}

}  // namespace

ExpressionPtr BindLike(ExpressionPtr operand,
                       ExpressionPtr pattern,
                       ExpressionPtr escape,
                       bool case_insensitive,
                       bool negated,
                       int32_t position,
                       const function::EvaluationContext& evaluation) {
  if (escape != nullptr) {
    std::vector<ExpressionPtr> arguments;
    arguments.push_back(std::move(pattern));
    arguments.push_back(std::move(escape));
    pattern = ResolveCall("like_escape", std::move(arguments), false, position, evaluation);
  }
  std::string op = case_insensitive ? "~~*" : "~~";
  if (negated) {
    op = "!" + op;
  }
  std::vector<ExpressionPtr> arguments;
  arguments.push_back(std::move(operand));
  arguments.push_back(std::move(pattern));
  return ResolveCall(op, std::move(arguments), true, position, evaluation);
}

bool IsSpecialCall(std::string_view name) {
  return name == "concat" || name == "concat_ws" || name == "format" || name == "nullif" ||
         name == "greatest" || name == "least";
}

ExpressionPtr BindSpecialCall(std::string_view name,
                              std::vector<ExpressionPtr> arguments,
                              int32_t position,
                              const function::EvaluationContext& evaluation) {
  if (name == "concat" || name == "concat_ws" || name == "format") {
    return BindConcat(name, std::move(arguments), position, evaluation);
  }
  if (name == "nullif") {
    return BindNullIf(std::move(arguments), position, evaluation);
  }
  return BindGreatestLeast(name, std::move(arguments), position, evaluation);
}

}  // namespace freshet::planner::internal
