// SPDX-License-Identifier: Apache-2.0
#include "planner/plan/expression.h"

#include <fmt/format.h>

namespace freshet::plan {

ExpressionPtr Expression::Column(uint32_t index, DataType column_type) {
  auto expression = std::make_unique<Expression>();
  expression->kind = ExpressionKind::kColumn;
  expression->type = column_type;
  expression->column_index = index;
  return expression;
}

ExpressionPtr Expression::Constant(Value value) {
  auto expression = std::make_unique<Expression>();
  expression->kind = ExpressionKind::kConstant;
  expression->type = value.Type();
  expression->constant = std::move(value);
  return expression;
}

ExpressionPtr Expression::Call(const function::ScalarFunction& function,
                               std::vector<ExpressionPtr> arguments) {
  auto expression = std::make_unique<Expression>();
  expression->kind = ExpressionKind::kCall;
  expression->type = function.result;
  expression->function = &function;
  expression->children = std::move(arguments);
  return expression;
}

ExpressionPtr Expression::Cast(ExpressionPtr input,
                               DataType target,
                               function::CastContext context) {
  auto expression = std::make_unique<Expression>();
  expression->kind = ExpressionKind::kCast;
  expression->type = target;
  expression->cast_context = context;
  expression->children.push_back(std::move(input));
  return expression;
}

ExpressionPtr Expression::Make(ExpressionKind kind,
                               DataType type,
                               std::vector<ExpressionPtr> children,
                               bool negated) {
  auto expression = std::make_unique<Expression>();
  expression->kind = kind;
  expression->type = type;
  expression->children = std::move(children);
  expression->negated = negated;
  return expression;
}

ExpressionPtr Expression::Clone() const {
  auto copy = std::make_unique<Expression>();
  copy->kind = kind;
  copy->type = type;
  copy->column_index = column_index;
  copy->constant = constant;
  copy->function = function;
  copy->cast_context = cast_context;
  copy->negated = negated;
  copy->all = all;
  copy->subquery = subquery;
  copy->correlated = correlated;
  for (const ExpressionPtr& child : children) {
    copy->children.push_back(child->Clone());
  }
  return copy;
}

std::string Expression::ToString() const {
  auto child = [this](size_t i) { return children[i]->ToString(); };
  switch (kind) {
    case ExpressionKind::kColumn:
      return fmt::format("${}", column_index);
    case ExpressionKind::kConstant:
      if (constant.IsNull()) {
        return "NULL";
      }
      return constant.Type().IsNumeric() || constant.Type().id == TypeId::kBoolean
                 ? constant.ToText()
                 : fmt::format("'{}'", constant.ToText());
    case ExpressionKind::kCall: {
      if (children.size() == 2 && !std::isalpha(static_cast<unsigned char>(function->name[0]))) {
        return fmt::format("({} {} {})", child(0), function->name, child(1));
      }
      std::string text = fmt::format("{}(", function->name);
      for (size_t i = 0; i < children.size(); ++i) {
        text += (i > 0 ? ", " : "") + child(i);
      }
      return text + ")";
    }
    case ExpressionKind::kCast:
      return fmt::format("{}::{}", child(0), type.Name());
    case ExpressionKind::kAnd:
    case ExpressionKind::kOr: {
      std::string text = "(";
      for (size_t i = 0; i < children.size(); ++i) {
        text += (i > 0 ? (kind == ExpressionKind::kAnd ? " AND " : " OR ") : "") + child(i);
      }
      return text + ")";
    }
    case ExpressionKind::kNot:
      return fmt::format("NOT {}", child(0));
    case ExpressionKind::kIsNull:
      return fmt::format("{} IS {}NULL", child(0), negated ? "NOT " : "");
    case ExpressionKind::kIsDistinct:
      return fmt::format("{} IS {}DISTINCT FROM {}", child(0), negated ? "NOT " : "", child(1));
    case ExpressionKind::kIsTrue:
      return fmt::format("{} IS {}TRUE", child(0), negated ? "NOT " : "");
    case ExpressionKind::kIsFalse:
      return fmt::format("{} IS {}FALSE", child(0), negated ? "NOT " : "");
    case ExpressionKind::kCase: {
      std::string text = "CASE";
      for (size_t i = 0; i + 1 < children.size(); i += 2) {
        text += fmt::format(" WHEN {} THEN {}", child(i), child(i + 1));
      }
      return text + fmt::format(" ELSE {} END", child(children.size() - 1));
    }
    case ExpressionKind::kOuterColumn:
      return fmt::format("outer.${}", column_index);
    case ExpressionKind::kScalarSubquery:
      return "(subquery)";
    case ExpressionKind::kExists:
      return fmt::format("{}EXISTS (subquery)", negated ? "NOT " : "");
    case ExpressionKind::kQuantifiedSubquery:
      return fmt::format("{} {} {} (subquery)", child(0), function->name, all ? "ALL" : "ANY");
    case ExpressionKind::kCoalesce: {
      std::string text = "COALESCE(";
      for (size_t i = 0; i < children.size(); ++i) {
        text += (i > 0 ? ", " : "") + child(i);
      }
      return text + ")";
    }
  }
  return "?";
}

}  // namespace freshet::plan
