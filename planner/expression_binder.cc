// SPDX-License-Identifier: Apache-2.0
#include "planner/expression_binder.h"

#include <charconv>
#include <limits>

#include <fmt/format.h>

#include "common/error.h"
#include "common/text_format.h"
#include "function/aggregate_function.h"
#include "planner/binder.h"
#include "planner/special_form_binder.h"

namespace freshet::planner::internal {
namespace {

using function::CastContext;
using plan::Expression;
using plan::ExpressionKind;
using plan::ExpressionPtr;

// The category of a type, as Postgres's typcategory groups them for overload resolution.
enum class Category : uint8_t {
  kBoolean,
  kNumeric,
  kString,
  kDateTime,
  kTimespan,
  kOther,
  kUnknown
};

Category CategoryOf(TypeId type) {
  switch (type) {
    case TypeId::kBoolean:
      return Category::kBoolean;
    case TypeId::kSmallint:
    case TypeId::kInteger:
    case TypeId::kBigint:
    case TypeId::kReal:
    case TypeId::kDouble:
    case TypeId::kNumeric:
      return Category::kNumeric;
    case TypeId::kVarchar:
    case TypeId::kText:
      return Category::kString;
    case TypeId::kDate:
    case TypeId::kTime:
    case TypeId::kTimestamp:
    case TypeId::kTimestamptz:
      return Category::kDateTime;
    case TypeId::kInterval:
      return Category::kTimespan;
    case TypeId::kUnknown:
      return Category::kUnknown;
    default:
      return Category::kOther;
  }
}

// VARCHAR is binary-compatible with TEXT, so functions declared on TEXT take it as an exact match.
TypeId MatchingType(TypeId type) {
  return type == TypeId::kVarchar ? TypeId::kText : type;
}

std::string ArgumentTypeList(const std::vector<ExpressionPtr>& arguments) {
  std::string text;
  for (size_t i = 0; i < arguments.size(); ++i) {
    text += (i > 0 ? ", " : "") + arguments[i]->type.Name();
  }
  return text;
}

bool IsUnknownConstant(const Expression& expression) {
  return expression.type.id == TypeId::kUnknown;
}

Value ParseLiteralAs(const Value& value,
                     const DataType& target,
                     int32_t position,
                     CastContext context = CastContext::kAssignment,
                     const TimeZone* time_zone = nullptr) {
  if (value.IsNull()) {
    return Value::Null(target);
  }
  try {
    if (target.MaxLength() && context == CastContext::kExplicit) {
      // An explicit cast to VARCHAR(n) truncates instead of failing.
      Column text(DataType::Text());
      text.AppendString(value.GetString());
      Column cut(target);
      function::CastColumn(text, target, context, cut);
      return cut.GetValue(0);
    }
    return Value::FromText(value.GetString(), target, time_zone);
  } catch (Error& error) {
    throw std::move(error).WithPosition(position);
  }
}

// Evaluates a call or cast whose inputs are all constants once, at bind time, as Postgres's planner
// does: `LIMIT 2 + 1` becomes 3, and `1 / 0` fails when the statement is planned.
// How many conditionally evaluated expressions enclose the one being bound on this thread.
thread_local int g_conditional_depth = 0;

ExpressionPtr FoldConstant(ExpressionPtr expression,
                           const function::EvaluationContext& evaluation) {
  if (expression->kind == ExpressionKind::kCall &&
      expression->function->volatility == function::Volatility::kVolatile) {
    return expression;
  }
  for (const ExpressionPtr& child : expression->children) {
    if (child->kind != ExpressionKind::kConstant) {
      return expression;
    }
  }
  std::vector<Column> inputs;
  inputs.reserve(expression->children.size());
  for (const ExpressionPtr& child : expression->children) {
    inputs.emplace_back(child->type);
    inputs.back().AppendValue(child->constant);
  }
  Column result(expression->type);
  try {
    if (expression->kind == ExpressionKind::kCast) {
      function::CastColumn(inputs[0], expression->type, expression->cast_context, result,
                           evaluation);
    } else if (expression->kind == ExpressionKind::kCall) {
      std::vector<const Column*> arguments;
      for (const Column& input : inputs) {
        arguments.push_back(&input);
      }
      expression->function->kernel(evaluation, arguments, 1, result);
    } else {
      return expression;
    }
  } catch (const Error&) {
    if (g_conditional_depth > 0) {
      // A branch that may never run: leave the error to execution, as Postgres does for CASE
      // branches it proves dead.
      return expression;
    }
    throw;
  }
  return Expression::Constant(result.GetValue(0));
}

/// Marks the binding of an expression that runs only for some rows (CASE branches, later COALESCE
/// arguments, later AND / OR terms): errors from folding its constants are deferred to execution.
class ConditionalBinding {
 public:
  ConditionalBinding() { ++g_conditional_depth; }
  ~ConditionalBinding() { --g_conditional_depth; }
  ConditionalBinding(const ConditionalBinding&) = delete;
  ConditionalBinding& operator=(const ConditionalBinding&) = delete;
};

}  // namespace

ExpressionPtr Coerce(ExpressionPtr expression,
                     const DataType& target,
                     CastContext context,
                     int32_t position,
                     const function::EvaluationContext& evaluation) {
  if (expression->type == target) {
    return expression;
  }
  if (expression->kind == ExpressionKind::kConstant && IsUnknownConstant(*expression) &&
      target.IsObjectId() && !expression->constant.IsNull()) {
    // 'public.t'::regclass names a catalog object: only the cast, with the catalog, can read it.
    Column text(DataType::Text());
    text.AppendString(expression->constant.GetString());
    Column oid(target);
    try {
      function::CastColumn(text, target, context, oid, evaluation);
    } catch (Error& error) {
      throw std::move(error).WithPosition(position);
    }
    return Expression::Constant(oid.GetValue(0));
  }
  if (expression->kind == ExpressionKind::kConstant && IsUnknownConstant(*expression)) {
    return Expression::Constant(
        ParseLiteralAs(expression->constant, target, position, context, evaluation.time_zone));
  }
  if (expression->kind == ExpressionKind::kConstant && expression->constant.IsNull()) {
    return Expression::Constant(Value::Null(target));
  }
  if (!function::CanCast(expression->type.id, target.id, context)) {
    if (context == CastContext::kExplicit) {
      throw Error(SqlState::kCannotCoerce,
                  fmt::format("cannot cast type {} to {}", expression->type.Name(), target.Name()))
          .WithPosition(position);
    }
    throw Error(SqlState::kDatatypeMismatch,
                fmt::format("cannot convert type {} to {}", expression->type.Name(), target.Name()))
        .WithPosition(position);
  }
  // VARCHAR to TEXT needs no work; everything else is a run-time cast.
  if (expression->type.IsString() && target.id == TypeId::kText) {
    expression->type = target;
    return expression;
  }
  ExpressionPtr cast = Expression::Cast(std::move(expression), target, context);
  try {
    return FoldConstant(std::move(cast), evaluation);
  } catch (Error& error) {
    throw std::move(error).WithPosition(position);
  }
}

DataType CommonType(const std::vector<DataType>& types,
                    std::string_view context,
                    int32_t position) {
  std::optional<DataType> result;
  for (const DataType& type : types) {
    if (type.id == TypeId::kUnknown) {
      continue;
    }
    if (!result) {
      result = type;
      continue;
    }
    if (*result == type) {
      continue;
    }
    if (CategoryOf(result->id) != CategoryOf(type.id)) {
      throw Error(SqlState::kDatatypeMismatch, fmt::format("{} types {} and {} cannot be matched",
                                                           context, result->Name(), type.Name()))
          .WithPosition(position);
    }
    if (CategoryOf(type.id) == CategoryOf(TypeId::kInteger)) {
      if (function::NumericRank(type.id) > function::NumericRank(result->id)) {
        result = type;
      }
    } else if (function::CanCast(result->id, type.id, CastContext::kImplicit) &&
               !function::CanCast(type.id, result->id, CastContext::kImplicit)) {
      result = type;
    } else if (result->IsString() && type.IsString()) {
      result = DataType::Text();
    }
  }
  // Postgres keeps a type modifier (NUMERIC(10,2), VARCHAR(5)) only when every input has exactly
  // that type and modifier; otherwise values keep their own form (select_common_typmod).
  for (const DataType& type : types) {
    if (result && type != *result) {
      return DataType(result->id);
    }
  }
  return result.value_or(DataType::Text());
}

std::optional<size_t> ChooseOverload(const std::vector<ExpressionPtr>& arguments,
                                     const std::vector<const std::vector<TypeId>*>& signatures,
                                     bool& ambiguous) {
  // Untyped literals take the type of a typed argument beside them, as Postgres assumes for
  // operators.
  std::optional<TypeId> known_type;
  for (const ExpressionPtr& argument : arguments) {
    if (!IsUnknownConstant(*argument)) {
      known_type = MatchingType(argument->type.id);
      break;
    }
  }
  std::optional<size_t> best;
  int best_score = -1;
  ambiguous = false;
  for (size_t candidate = 0; candidate < signatures.size(); ++candidate) {
    const std::vector<TypeId>& wanted = *signatures[candidate];
    // A variadic signature repeats its last type.
    auto want_at = [&](size_t i) { return i < wanted.size() ? wanted[i] : wanted.back(); };
    int score = 0;
    bool viable = !wanted.empty() || arguments.empty();
    for (size_t i = 0; i < arguments.size() && viable; ++i) {
      const TypeId have = MatchingType(arguments[i]->type.id);
      const TypeId want = want_at(i);
      if (have == want) {
        score += 4;
      } else if (want == TypeId::kUnknown) {
        // An "any" parameter (json_build_object) takes its argument as it is.
        score += 1;
      } else if (have == TypeId::kUnknown) {
        // Prefer reading the literal as the other argument's type, then as text.
        score += known_type == want ? 3 : (want == TypeId::kText ? 1 : 0);
      } else if (function::CanCast(have, want, CastContext::kImplicit)) {
        // Prefer the nearest promotion: integer + bigint is bigint, not double precision.
        score += 2 - (function::NumericRank(want) > 0 ? function::NumericRank(want) : 0) / 8;
      } else {
        viable = false;
      }
    }
    if (!viable) {
      continue;
    }
    // Where a conversion is needed, Postgres prefers the preferred type of the category: double
    // precision among numbers, so sqrt(2) and round(5) are the double precision overloads. Then
    // the lowest-ranked numeric target wins among promotions.
    int preferred = 0;
    for (size_t i = 0; i < arguments.size(); ++i) {
      const TypeId have = MatchingType(arguments[i]->type.id);
      if (have != want_at(i) && want_at(i) == TypeId::kDouble &&
          (have == TypeId::kUnknown || function::NumericRank(have) >= 0)) {
        ++preferred;
      }
      // Among date/time types it is timestamptz: date_trunc('day', date) and age(date, date) take
      // the timestamptz overloads.
      if (have != want_at(i) && want_at(i) == TypeId::kTimestamptz &&
          (have == TypeId::kUnknown || have == TypeId::kDate || have == TypeId::kTimestamp)) {
        ++preferred;
      }
    }
    int tie_break = 0;
    for (TypeId want : wanted) {
      tie_break -= function::NumericRank(want) > 0 ? function::NumericRank(want) : 0;
    }
    const int total = score * 1000 + preferred * 100 + tie_break;
    if (total > best_score) {
      best = candidate;
      best_score = total;
      ambiguous = false;
    } else if (total == best_score) {
      ambiguous = true;
    }
  }
  return ambiguous ? std::nullopt : best;
}

ExpressionPtr ResolveCall(std::string_view name,
                          std::vector<ExpressionPtr> arguments,
                          bool is_operator,
                          int32_t position,
                          const function::EvaluationContext& evaluation) {
  const auto overloads = function::FunctionRegistry::Builtins().Overloads(name, arguments.size());
  std::vector<const std::vector<TypeId>*> signatures;
  for (const function::ScalarFunction* candidate : overloads) {
    signatures.push_back(&candidate->arguments);
  }
  bool ambiguous = false;
  const std::optional<size_t> chosen = ChooseOverload(arguments, signatures, ambiguous);
  const function::ScalarFunction* best = chosen ? overloads[*chosen] : nullptr;
  if (best == nullptr || ambiguous) {
    if (is_operator) {
      const std::string signature =
          arguments.size() == 1
              ? fmt::format("{} {}", name, arguments[0]->type.Name())
              : fmt::format("{} {} {}", arguments[0]->type.Name(), name, arguments[1]->type.Name());
      throw Error(
          ambiguous ? SqlState::kAmbiguousFunction : SqlState::kUndefinedFunction,
          fmt::format("operator {}: {}", ambiguous ? "is not unique" : "does not exist", signature))
          .WithHint(ambiguous ? "Could not choose a best candidate operator. You might need to add "
                                "explicit type casts."
                              : "No operator matches the given name and argument types. You might "
                                "need to add explicit type casts.")
          .WithPosition(position);
    }
    throw Error(ambiguous ? SqlState::kAmbiguousFunction : SqlState::kUndefinedFunction,
                fmt::format("function {}({}) {}", name, ArgumentTypeList(arguments),
                            ambiguous ? "is not unique" : "does not exist"))
        .WithHint(ambiguous ? "Could not choose a best candidate function. You might need to add "
                              "explicit type casts."
                            : "No function matches the given name and argument types. You might "
                              "need to add explicit type casts.")
        .WithPosition(position);
  }
  for (size_t i = 0; i < arguments.size(); ++i) {
    const TypeId want = i < best->arguments.size() ? best->arguments[i] : best->arguments.back();
    DataType target(want);
    if (MatchingType(arguments[i]->type.id) == want || want == TypeId::kUnknown) {
      continue;
    }
    arguments[i] =
        Coerce(std::move(arguments[i]), target, CastContext::kImplicit, position, evaluation);
  }
  try {
    return FoldConstant(Expression::Call(*best, std::move(arguments)), evaluation);
  } catch (Error& error) {
    throw std::move(error).WithPosition(position);
  }
}

ExpressionPtr ExpressionBinder::BindCondition(const ast::Expression& expression,
                                              std::string_view clause) {
  return BindBoolean(expression, clause);
}

ExpressionPtr ExpressionBinder::BindBoolean(const ast::Expression& expression,
                                            std::string_view context) {
  ExpressionPtr bound = Bind(expression);
  if (bound->type.id == TypeId::kBoolean) {
    return bound;
  }
  if (IsUnknownConstant(*bound)) {
    return Coerce(std::move(bound), DataType::Boolean(), CastContext::kImplicit,
                  expression.position, context_);
  }
  throw Error(
      SqlState::kDatatypeMismatch,
      fmt::format("argument of {} must be type boolean, not type {}", context, bound->type.Name()))
      .WithPosition(expression.position);
}

ExpressionPtr ExpressionBinder::Bind(const ast::Expression& expression) {
  if (options_.grouping != nullptr) {
    if (ExpressionPtr grouped = MatchGrouped(expression)) {
      return grouped;
    }
  }
  switch (expression.kind) {
    case ast::ExpressionKind::kLiteral:
      return BindLiteral(static_cast<const ast::Literal&>(expression));
    case ast::ExpressionKind::kColumnRef:
      return BindColumnRef(static_cast<const ast::ColumnRef&>(expression));
    case ast::ExpressionKind::kUnary:
      return BindUnary(static_cast<const ast::Unary&>(expression));
    case ast::ExpressionKind::kBinary:
      return BindBinary(static_cast<const ast::Binary&>(expression));
    case ast::ExpressionKind::kFunctionCall:
      return BindFunctionCall(static_cast<const ast::FunctionCall&>(expression));
    case ast::ExpressionKind::kCast: {
      const auto& cast = static_cast<const ast::Cast&>(expression);
      const DataType target = ResolveType(cast.type);
      // 1.5e300::float8: Postgres converts the exact NUMERIC literal with strtod, which equals
      // reading the literal as a double, and that also works beyond NUMERIC's 35 digits here.
      if (cast.operand->kind == ast::ExpressionKind::kLiteral &&
          (target.id == TypeId::kDouble || target.id == TypeId::kReal)) {
        const auto& literal = static_cast<const ast::Literal&>(*cast.operand);
        if (literal.type == ast::Literal::Type::kDecimal ||
            literal.type == ast::Literal::Type::kInteger) {
          try {
            return Expression::Constant(Value::Float(target, ParseDouble(literal.text, target.id)));
          } catch (Error& error) {
            throw std::move(error).WithPosition(literal.position);
          }
        }
      }
      return Coerce(Bind(*cast.operand), target, CastContext::kExplicit, cast.position, context_);
    }
    case ast::ExpressionKind::kIsNull: {
      const auto& is_null = static_cast<const ast::IsNull&>(expression);
      std::vector<ExpressionPtr> children;
      children.push_back(Bind(*is_null.operand));
      return Expression::Make(ExpressionKind::kIsNull, DataType::Boolean(), std::move(children),
                              is_null.negated);
    }
    case ast::ExpressionKind::kIsBoolean: {
      const auto& test = static_cast<const ast::IsBoolean&>(expression);
      std::vector<ExpressionPtr> children;
      if (test.test == ast::IsBoolean::Test::kUnknown) {
        children.push_back(BindBoolean(*test.operand, "IS UNKNOWN"));
        return Expression::Make(ExpressionKind::kIsNull, DataType::Boolean(), std::move(children),
                                test.negated);
      }
      const bool is_true = test.test == ast::IsBoolean::Test::kTrue;
      children.push_back(BindBoolean(*test.operand, is_true ? "IS TRUE" : "IS FALSE"));
      return Expression::Make(is_true ? ExpressionKind::kIsTrue : ExpressionKind::kIsFalse,
                              DataType::Boolean(), std::move(children), test.negated);
    }
    case ast::ExpressionKind::kBetween:
      return BindBetween(static_cast<const ast::Between&>(expression));
    case ast::ExpressionKind::kInList:
      return BindInList(static_cast<const ast::InList&>(expression));
    case ast::ExpressionKind::kCase:
      return BindCase(static_cast<const ast::Case&>(expression));
    case ast::ExpressionKind::kStar:
      throw Error(SqlState::kSyntaxError, "\"*\" is not allowed here")
          .WithPosition(expression.position);
    case ast::ExpressionKind::kParameter:
      throw Error(SqlState::kUndefinedParameter,
                  fmt::format("there is no parameter ${}",
                              static_cast<const ast::Parameter&>(expression).index))
          .WithPosition(expression.position);
    case ast::ExpressionKind::kSubquery:
      return BindSubquery(static_cast<const ast::Subquery&>(expression));
    case ast::ExpressionKind::kLike: {
      const auto& like = static_cast<const ast::Like&>(expression);
      return BindLike(Bind(*like.operand), Bind(*like.pattern),
                      like.escape ? Bind(*like.escape) : nullptr, like.case_insensitive,
                      like.negated, like.position, context_);
    }
    case ast::ExpressionKind::kArray:
    case ast::ExpressionKind::kSubscript:
      break;
  }
  throw Error(SqlState::kFeatureNotSupported, "this kind of expression is not supported yet")
      .WithPosition(expression.position);
}

ExpressionPtr ExpressionBinder::BindLiteral(const ast::Literal& literal) {
  switch (literal.type) {
    case ast::Literal::Type::kNull:
      return Expression::Constant(Value::Null(DataType(TypeId::kUnknown)));
    case ast::Literal::Type::kBoolean:
      return Expression::Constant(Value::Boolean(literal.boolean));
    case ast::Literal::Type::kInteger: {
      int64_t value = 0;
      auto [end, error] =
          std::from_chars(literal.text.data(), literal.text.data() + literal.text.size(), value);
      if (error == std::errc() && end == literal.text.data() + literal.text.size()) {
        if (value >= std::numeric_limits<int32_t>::min() &&
            value <= std::numeric_limits<int32_t>::max()) {
          return Expression::Constant(Value::Integer(static_cast<int32_t>(value)));
        }
        return Expression::Constant(Value::Bigint(value));
      }
      [[fallthrough]];
    }
    case ast::Literal::Type::kDecimal: {
      // Postgres reads 1.50, 1e5 and integers beyond bigint as unconstrained NUMERIC; the value
      // keeps the literal's display scale (1.50 prints 1.50, 1.5e3 prints 1500).
      try {
        return Expression::Constant(
            Value::Numeric(DataType::Numeric(), ParseNumeric(literal.text, -1, 0)));
      } catch (Error& error) {
        throw std::move(error).WithPosition(literal.position);
      }
    }
    case ast::Literal::Type::kString:
      return Expression::Constant(Value::String(DataType(TypeId::kUnknown), literal.text));
    case ast::Literal::Type::kTyped:
      return Expression::Constant(ParseLiteralAs(
          Value::String(DataType(TypeId::kUnknown), literal.text), ResolveType(literal.typed),
          literal.position, CastContext::kAssignment, context_.time_zone));
    case ast::Literal::Type::kInterval: {
      std::string text = literal.text;
      // `INTERVAL '5' SECOND`: a bare number takes the unit of the qualifier.
      if (!literal.interval_unit.empty() &&
          text.find_first_not_of("0123456789.+- ") == std::string::npos) {
        const size_t space = literal.interval_unit.find(' ');
        text += " " + literal.interval_unit.substr(0, space);
      }
      return Expression::Constant(ParseLiteralAs(Value::String(DataType(TypeId::kUnknown), text),
                                                 DataType(TypeId::kInterval), literal.position));
    }
  }
  throw Error::Internal("unknown literal type");
}

namespace {

// Finds `name` (qualified by `qualifier` unless empty) in `scope`: the column index, or nullopt
// when absent; throws 42702 when ambiguous. Sets `qualifier_known` when the qualifier names a
// relation of the scope.
std::optional<uint32_t> LookUpColumn(const Scope& scope,
                                     const std::string& qualifier,
                                     const std::string& name,
                                     int32_t position,
                                     bool& qualifier_known) {
  std::optional<uint32_t> found;
  for (uint32_t i = 0; i < scope.columns.size(); ++i) {
    const ScopeColumn& candidate = scope.columns[i];
    if (!qualifier.empty()) {
      if (candidate.relation != qualifier) {
        continue;
      }
      qualifier_known = true;
    } else if (candidate.hidden) {
      continue;
    }
    if (candidate.name != name) {
      continue;
    }
    if (found) {
      throw Error(SqlState::kAmbiguousColumn,
                  fmt::format("column reference \"{}\" is ambiguous", name))
          .WithPosition(position);
    }
    found = i;
  }
  return found;
}

}  // namespace

ExpressionPtr ExpressionBinder::BindColumnRef(const ast::ColumnRef& column) {
  const std::string& name = column.names.back();
  const std::string qualifier =
      column.names.size() >= 2 ? column.names[column.names.size() - 2] : "";
  bool qualifier_known = qualifier.empty();
  std::optional<uint32_t> found =
      LookUpColumn(scope_, qualifier, name, column.position, qualifier_known);
  if (found) {
    return Expression::Column(*found, scope_.columns[*found].type);
  }
  if (options_.outer != nullptr) {
    bool outer_qualifier_known = qualifier.empty();
    std::optional<uint32_t> outer =
        LookUpColumn(*options_.outer, qualifier, name, column.position, outer_qualifier_known);
    if (outer) {
      if (options_.correlated != nullptr) {
        *options_.correlated = true;
      }
      ExpressionPtr reference = Expression::Column(*outer, options_.outer->columns[*outer].type);
      reference->kind = ExpressionKind::kOuterColumn;
      return reference;
    }
    qualifier_known = qualifier_known || outer_qualifier_known;
  }
  if (!qualifier_known) {
    throw Error(SqlState::kUndefinedTable,
                fmt::format("missing FROM-clause entry for table \"{}\"", qualifier))
        .WithPosition(column.position);
  }
  const std::string shown = qualifier.empty() ? name : qualifier + "." + name;
  throw Error::UndefinedColumn(shown).WithPosition(column.position);
}

ExpressionPtr ExpressionBinder::BindUnary(const ast::Unary& unary) {
  if (unary.op == "not") {
    std::vector<ExpressionPtr> children;
    children.push_back(BindBoolean(*unary.operand, "NOT"));
    return Expression::Make(ExpressionKind::kNot, DataType::Boolean(), std::move(children));
  }
  // Fold a minus into a numeric literal so that -2147483648 is an integer, as Postgres reads it.
  if (unary.op == "-" && unary.operand->kind == ast::ExpressionKind::kLiteral) {
    const auto& literal = static_cast<const ast::Literal&>(*unary.operand);
    if (literal.type == ast::Literal::Type::kInteger ||
        literal.type == ast::Literal::Type::kDecimal) {
      ast::Literal negative;
      negative.type = literal.type;
      negative.text = "-" + literal.text;
      negative.position = unary.position;
      return BindLiteral(negative);
    }
  }
  std::vector<ExpressionPtr> arguments;
  arguments.push_back(Bind(*unary.operand));
  return ResolveCall(unary.op, std::move(arguments), true, unary.position, context_);
}

ExpressionPtr ExpressionBinder::BindBinary(const ast::Binary& binary) {
  if (binary.op == "and" || binary.op == "or") {
    std::vector<ExpressionPtr> children;
    const std::string_view context = binary.op == "and" ? "AND" : "OR";
    children.push_back(BindBoolean(*binary.left, context));
    ConditionalBinding conditional;
    children.push_back(BindBoolean(*binary.right, context));
    return Expression::Make(binary.op == "and" ? ExpressionKind::kAnd : ExpressionKind::kOr,
                            DataType::Boolean(), std::move(children));
  }
  ExpressionPtr left = Bind(*binary.left);
  ExpressionPtr right = Bind(*binary.right);
  if (binary.op == "is distinct from" || binary.op == "is not distinct from") {
    // Compare with the `=` that would be chosen, then treat NULLs as ordinary values.
    const auto is_null_constant = [](const Expression& side) {
      return side.kind == ExpressionKind::kConstant && side.constant.IsNull();
    };
    const bool both_null = is_null_constant(*left) && is_null_constant(*right);
    std::vector<ExpressionPtr> arguments;
    arguments.push_back(std::move(left));
    arguments.push_back(std::move(right));
    ExpressionPtr equal = ResolveCall("=", std::move(arguments), true, binary.position, context_);
    if (equal->kind == ExpressionKind::kConstant) {
      // Both sides were constants and `=` was folded away with its arguments: fold this too.
      const bool distinct = equal->constant.IsNull() ? !both_null : !equal->constant.GetBool();
      return Expression::Constant(
          Value::Boolean(distinct != (binary.op == "is not distinct from")));
    }
    ExpressionPtr distinct =
        Expression::Make(ExpressionKind::kIsDistinct, DataType::Boolean(),
                         std::move(equal->children), binary.op == "is not distinct from");
    distinct->function = equal->function;
    return distinct;
  }
  std::string op = binary.op == "!=" ? "<>" : binary.op;
  if (op == "||") {
    // anynonarray || text: a non-string side is converted to text.
    auto to_text = [&](ExpressionPtr side) {
      if (side->type.IsString() || side->type.id == TypeId::kUnknown) {
        return side;
      }
      return Coerce(std::move(side), DataType::Text(), CastContext::kAssignment, binary.position,
                    context_);
    };
    // jsonb || jsonb, where an untyped literal beside a jsonb is read as jsonb.
    const auto jsonb_or_literal = [](const ExpressionPtr& side) {
      return side->type.id == TypeId::kJsonb || side->type.id == TypeId::kUnknown;
    };
    const bool jsonb = (left->type.id == TypeId::kJsonb || right->type.id == TypeId::kJsonb) &&
                       jsonb_or_literal(left) && jsonb_or_literal(right);
    if (!jsonb && (left->type.IsString() || right->type.IsString() ||
                   left->type.id == TypeId::kUnknown || right->type.id == TypeId::kUnknown)) {
      left = to_text(std::move(left));
      right = to_text(std::move(right));
    }
  }
  std::vector<ExpressionPtr> arguments;
  arguments.push_back(std::move(left));
  arguments.push_back(std::move(right));
  return ResolveCall(op, std::move(arguments), true, binary.position, context_);
}

ExpressionPtr ExpressionBinder::BindFunctionCall(const ast::FunctionCall& call) {
  if (call.over) {
    throw Error(SqlState::kFeatureNotSupported, "window functions are not supported yet")
        .WithPosition(call.position);
  }
  if (IsAggregateCall(call)) {
    // Aggregates are bound by the query block; reaching one here means it is misplaced.
    if (options_.clause.empty()) {
      throw Error(SqlState::kGroupingError, "aggregate function calls cannot be nested")
          .WithPosition(call.position);
    }
    throw Error(SqlState::kGroupingError,
                fmt::format("aggregate functions are not allowed in {}", options_.clause))
        .WithPosition(call.position);
  }
  if (call.distinct || call.star || call.filter || !call.order_by.empty()) {
    throw Error(SqlState::kWrongObjectType,
                fmt::format("{} specified, but {} is not an aggregate function",
                            call.distinct ? "DISTINCT"
                            : call.star   ? "*"
                            : call.filter ? "FILTER"
                                          : "ORDER BY",
                            call.name))
        .WithPosition(call.position);
  }
  std::vector<ExpressionPtr> arguments;
  for (size_t i = 0; i < call.arguments.size(); ++i) {
    // COALESCE evaluates an argument only when the ones before it are NULL.
    std::optional<ConditionalBinding> conditional;
    if (call.name == "coalesce" && i > 0) {
      conditional.emplace();
    }
    arguments.push_back(Bind(*call.arguments[i]));
  }
  if (call.name == "coalesce") {
    std::vector<DataType> types;
    for (const ExpressionPtr& argument : arguments) {
      types.push_back(argument->type);
    }
    const DataType common = CommonType(types, "COALESCE", call.position);
    for (ExpressionPtr& argument : arguments) {
      argument =
          Coerce(std::move(argument), common, CastContext::kImplicit, call.position, context_);
    }
    return Expression::Make(ExpressionKind::kCoalesce, common, std::move(arguments));
  }
  if (IsSpecialCall(call.name)) {
    return BindSpecialCall(call.name, std::move(arguments), call.position, context_);
  }
  return ResolveCall(call.name, std::move(arguments), false, call.position, context_);
}

ExpressionPtr ExpressionBinder::BindCase(const ast::Case& case_expression) {
  std::vector<ExpressionPtr> conditions;
  std::vector<ExpressionPtr> results;
  std::vector<DataType> result_types;
  for (const auto& [when, then] : case_expression.when_then) {
    if (case_expression.operand) {
      // CASE x WHEN v is CASE WHEN x = v.
      std::vector<ExpressionPtr> arguments;
      arguments.push_back(Bind(*case_expression.operand));
      arguments.push_back(Bind(*when));
      conditions.push_back(ResolveCall("=", std::move(arguments), true, when->position, context_));
    } else {
      conditions.push_back(BindBoolean(*when, "CASE/WHEN"));
    }
    ConditionalBinding conditional;
    results.push_back(Bind(*then));
    result_types.push_back(results.back()->type);
  }
  ConditionalBinding conditional;
  ExpressionPtr else_result = case_expression.else_result
                                  ? Bind(*case_expression.else_result)
                                  : Expression::Constant(Value::Null(DataType(TypeId::kUnknown)));
  result_types.push_back(else_result->type);
  const DataType common = CommonType(result_types, "CASE", case_expression.position);
  std::vector<ExpressionPtr> children;
  for (size_t i = 0; i < conditions.size(); ++i) {
    children.push_back(std::move(conditions[i]));
    children.push_back(Coerce(std::move(results[i]), common, CastContext::kImplicit,
                              case_expression.position, context_));
  }
  children.push_back(Coerce(std::move(else_result), common, CastContext::kImplicit,
                            case_expression.position, context_));
  return Expression::Make(ExpressionKind::kCase, common, std::move(children));
}

ExpressionPtr ExpressionBinder::BindInList(const ast::InList& in_list) {
  // x IN (a, b) is (x = a) OR (x = b), which gives Postgres's NULL semantics.
  std::vector<ExpressionPtr> comparisons;
  for (const ast::ExpressionPtr& item : in_list.list) {
    std::vector<ExpressionPtr> arguments;
    arguments.push_back(Bind(*in_list.operand));
    arguments.push_back(Bind(*item));
    comparisons.push_back(ResolveCall("=", std::move(arguments), true, in_list.position, context_));
  }
  ExpressionPtr any =
      comparisons.size() == 1
          ? std::move(comparisons[0])
          : Expression::Make(ExpressionKind::kOr, DataType::Boolean(), std::move(comparisons));
  if (!in_list.negated) {
    return any;
  }
  std::vector<ExpressionPtr> children;
  children.push_back(std::move(any));
  return Expression::Make(ExpressionKind::kNot, DataType::Boolean(), std::move(children));
}

ExpressionPtr ExpressionBinder::BindBetween(const ast::Between& between) {
  auto compare = [&](std::string_view op, const ast::Expression& left,
                     const ast::Expression& right) {
    std::vector<ExpressionPtr> arguments;
    arguments.push_back(Bind(left));
    arguments.push_back(Bind(right));
    return ResolveCall(op, std::move(arguments), true, between.position, context_);
  };
  auto range = [&](const ast::Expression& low, const ast::Expression& high) {
    std::vector<ExpressionPtr> both;
    both.push_back(compare(">=", *between.operand, low));
    both.push_back(compare("<=", *between.operand, high));
    return Expression::Make(ExpressionKind::kAnd, DataType::Boolean(), std::move(both));
  };
  ExpressionPtr result = range(*between.low, *between.high);
  if (between.symmetric) {
    std::vector<ExpressionPtr> either;
    either.push_back(std::move(result));
    either.push_back(range(*between.high, *between.low));
    result = Expression::Make(ExpressionKind::kOr, DataType::Boolean(), std::move(either));
  }
  if (!between.negated) {
    return result;
  }
  std::vector<ExpressionPtr> children;
  children.push_back(std::move(result));
  return Expression::Make(ExpressionKind::kNot, DataType::Boolean(), std::move(children));
}

namespace {

// Calls `visit` for each direct child expression of `expression` (not descending into subqueries).
void ForEachChild(const ast::Expression& expression,
                  const std::function<void(const ast::Expression&)>& visit) {
  auto visit_pointer = [&](const ast::ExpressionPtr& child) {
    if (child) {
      visit(*child);
    }
  };
  switch (expression.kind) {
    case ast::ExpressionKind::kUnary:
      visit_pointer(static_cast<const ast::Unary&>(expression).operand);
      return;
    case ast::ExpressionKind::kBinary: {
      const auto& binary = static_cast<const ast::Binary&>(expression);
      visit_pointer(binary.left);
      visit_pointer(binary.right);
      return;
    }
    case ast::ExpressionKind::kFunctionCall: {
      const auto& call = static_cast<const ast::FunctionCall&>(expression);
      for (const auto& argument : call.arguments) {
        visit_pointer(argument);
      }
      visit_pointer(call.filter);
      for (const auto& item : call.order_by) {
        visit_pointer(item.expression);
      }
      return;
    }
    case ast::ExpressionKind::kCast:
      visit_pointer(static_cast<const ast::Cast&>(expression).operand);
      return;
    case ast::ExpressionKind::kIsNull:
      visit_pointer(static_cast<const ast::IsNull&>(expression).operand);
      return;
    case ast::ExpressionKind::kIsBoolean:
      visit_pointer(static_cast<const ast::IsBoolean&>(expression).operand);
      return;
    case ast::ExpressionKind::kBetween: {
      const auto& between = static_cast<const ast::Between&>(expression);
      visit_pointer(between.operand);
      visit_pointer(between.low);
      visit_pointer(between.high);
      return;
    }
    case ast::ExpressionKind::kInList: {
      const auto& in_list = static_cast<const ast::InList&>(expression);
      visit_pointer(in_list.operand);
      for (const auto& item : in_list.list) {
        visit_pointer(item);
      }
      return;
    }
    case ast::ExpressionKind::kLike: {
      const auto& like = static_cast<const ast::Like&>(expression);
      visit_pointer(like.operand);
      visit_pointer(like.pattern);
      visit_pointer(like.escape);
      return;
    }
    case ast::ExpressionKind::kCase: {
      const auto& case_expression = static_cast<const ast::Case&>(expression);
      visit_pointer(case_expression.operand);
      for (const auto& [when, then] : case_expression.when_then) {
        visit_pointer(when);
        visit_pointer(then);
      }
      visit_pointer(case_expression.else_result);
      return;
    }
    case ast::ExpressionKind::kSubquery:
      visit_pointer(static_cast<const ast::Subquery&>(expression).operand);
      return;
    case ast::ExpressionKind::kArray:
      for (const auto& element : static_cast<const ast::Array&>(expression).elements) {
        visit_pointer(element);
      }
      return;
    case ast::ExpressionKind::kSubscript: {
      const auto& subscript = static_cast<const ast::Subscript&>(expression);
      visit_pointer(subscript.operand);
      visit_pointer(subscript.index);
      return;
    }
    case ast::ExpressionKind::kLiteral:
    case ast::ExpressionKind::kColumnRef:
    case ast::ExpressionKind::kStar:
    case ast::ExpressionKind::kParameter:
      return;
  }
}

bool ContainsAggregate(const ast::Expression& expression) {
  bool found = false;
  ForEachAggregateCall(expression, [&](const ast::FunctionCall&) { found = true; });
  return found;
}

}  // namespace

bool IsAggregateCall(const ast::Expression& expression) {
  if (expression.kind != ast::ExpressionKind::kFunctionCall) {
    return false;
  }
  const auto& call = static_cast<const ast::FunctionCall&>(expression);
  return !call.over && (call.schema.empty() || call.schema == "pg_catalog") &&
         function::IsAggregateName(call.name);
}

void ForEachAggregateCall(const ast::Expression& expression,
                          const std::function<void(const ast::FunctionCall&)>& visit) {
  if (IsAggregateCall(expression)) {
    visit(static_cast<const ast::FunctionCall&>(expression));
    return;
  }
  ForEachChild(expression,
               [&](const ast::Expression& child) { ForEachAggregateCall(child, visit); });
}

ExpressionPtr ExpressionBinder::MatchGrouped(const ast::Expression& expression) {
  const GroupingContext& grouping = *options_.grouping;
  if (IsAggregateCall(expression)) {
    for (size_t i = 0; i < grouping.aggregates.size(); ++i) {
      if (grouping.aggregates[i] == &expression) {
        return Expression::Column(static_cast<uint32_t>(grouping.keys.size() + i),
                                  grouping.aggregate_types[i]);
      }
    }
    throw Error::Internal("aggregate call was not collected");
  }
  if (expression.kind == ast::ExpressionKind::kLiteral ||
      expression.kind == ast::ExpressionKind::kSubquery || ContainsAggregate(expression)) {
    return nullptr;
  }
  // Bind the expression over the ungrouped input and compare it with the group keys.
  BindingOptions input_options = options_;
  input_options.grouping = nullptr;
  ExpressionPtr bound;
  try {
    ExpressionBinder input_binder(*grouping.input, context_, input_options);
    bound = input_binder.Bind(expression);
  } catch (const Error&) {
    if (expression.kind == ast::ExpressionKind::kColumnRef) {
      throw;
    }
    return nullptr;
  }
  const std::string signature = bound->ToString();
  for (size_t i = 0; i < grouping.keys.size(); ++i) {
    if (grouping.keys[i] == signature) {
      return Expression::Column(static_cast<uint32_t>(i), grouping.key_types[i]);
    }
  }
  if (expression.kind == ast::ExpressionKind::kColumnRef &&
      bound->kind == ExpressionKind::kColumn) {
    const ScopeColumn& column = grouping.input->columns[bound->column_index];
    const std::string shown =
        column.relation.empty() ? column.name : column.relation + "." + column.name;
    throw Error(SqlState::kGroupingError,
                fmt::format("column \"{}\" must appear in the GROUP BY clause or be used in an "
                            "aggregate function",
                            shown))
        .WithPosition(expression.position);
  }
  if (bound->kind == ExpressionKind::kOuterColumn || bound->kind == ExpressionKind::kConstant) {
    return bound;
  }
  return nullptr;
}

ExpressionPtr ExpressionBinder::BindSubquery(const ast::Subquery& subquery) {
  if (options_.subqueries == nullptr) {
    throw Error(SqlState::kFeatureNotSupported, "subqueries are not supported here")
        .WithPosition(subquery.position);
  }
  bool correlated = false;
  plan::BatchNodePtr plan = options_.subqueries->BindSubquery(*subquery.select, scope_, correlated);
  auto make = [&](ExpressionKind kind, DataType type) {
    ExpressionPtr expression = Expression::Make(kind, type, {});
    expression->correlated = correlated;
    return expression;
  };
  switch (subquery.type) {
    case ast::Subquery::Type::kExists: {
      ExpressionPtr exists = make(ExpressionKind::kExists, DataType::Boolean());
      exists->subquery = std::move(plan);
      return exists;
    }
    case ast::Subquery::Type::kScalar: {
      if (plan->outputs.size() != 1) {
        throw Error(SqlState::kSyntaxError, "subquery must return only one column")
            .WithPosition(subquery.position);
      }
      ExpressionPtr scalar = make(ExpressionKind::kScalarSubquery, plan->outputs[0].type);
      scalar->subquery = std::move(plan);
      return scalar;
    }
    case ast::Subquery::Type::kIn:
    case ast::Subquery::Type::kAny:
    case ast::Subquery::Type::kAll: {
      if (plan->outputs.size() != 1) {
        throw Error(SqlState::kSyntaxError, "subquery has too many columns")
            .WithPosition(subquery.position);
      }
      const std::string op = subquery.type == ast::Subquery::Type::kIn
                                 ? "="
                                 : (subquery.op == "!=" ? "<>" : subquery.op);
      // Resolve the comparison as `x op (one value of the subquery)`.
      std::vector<ExpressionPtr> arguments;
      arguments.push_back(Bind(*subquery.operand));
      arguments.push_back(Expression::Column(0, plan->outputs[0].type));
      ExpressionPtr comparison =
          ResolveCall(op, std::move(arguments), true, subquery.position, context_);
      if (comparison->kind != ExpressionKind::kCall || comparison->type.id != TypeId::kBoolean) {
        throw Error(SqlState::kDatatypeMismatch,
                    fmt::format("operator {} must return type boolean", op))
            .WithPosition(subquery.position);
      }
      // Convert the subquery's column to the comparison's argument type.
      const ExpressionPtr& right = comparison->children[1];
      if (right->kind != ExpressionKind::kColumn || right->type != plan->outputs[0].type) {
        auto project = std::make_unique<plan::ProjectNode>();
        project->expressions.push_back(right->Clone());
        project->outputs.push_back({plan->outputs[0].name, right->type, 0, 0});
        project->input = std::move(plan);
        plan = std::move(project);
      }
      ExpressionPtr quantified = make(ExpressionKind::kQuantifiedSubquery, DataType::Boolean());
      quantified->function = comparison->function;
      quantified->all = subquery.type == ast::Subquery::Type::kAll;
      quantified->children.push_back(std::move(comparison->children[0]));
      quantified->subquery = std::move(plan);
      if (!subquery.negated) {
        return quantified;
      }
      std::vector<ExpressionPtr> children;
      children.push_back(std::move(quantified));
      return Expression::Make(ExpressionKind::kNot, DataType::Boolean(), std::move(children));
    }
  }
  throw Error::Internal("unknown subquery type");
}

}  // namespace freshet::planner::internal
