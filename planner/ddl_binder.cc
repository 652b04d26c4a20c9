// SPDX-License-Identifier: Apache-2.0
#include "planner/ddl_binder.h"

#include <fmt/format.h>

#include "common/calendar.h"
#include "common/error.h"
#include "planner/expression_binder.h"

namespace freshet::planner {

int64_t BindConstantInterval(const ast::Expression& expression,
                             const function::EvaluationContext& context,
                             std::string_view what,
                             std::string_view clause) {
  internal::Scope empty;
  internal::BindingOptions options;
  options.clause = clause;
  internal::ExpressionBinder binder(empty, context, options);
  plan::ExpressionPtr bound = binder.Bind(expression);
  if (bound->type.id == TypeId::kUnknown) {
    bound = internal::Coerce(std::move(bound), DataType(TypeId::kInterval),
                             function::CastContext::kImplicit, expression.position, context);
  }
  if (bound->type.id != TypeId::kInterval) {
    throw Error(SqlState::kDatatypeMismatch,
                fmt::format("{} must be type interval, not type {}", what, bound->type.Name()))
        .WithPosition(expression.position);
  }
  if (bound->kind != plan::ExpressionKind::kConstant) {
    throw Error(SqlState::kFeatureNotSupported, fmt::format("{} must be a constant", what))
        .WithPosition(expression.position);
  }
  if (bound->constant.IsNull()) {
    throw Error(SqlState::kNullValueNotAllowed, fmt::format("{} must not be null", what))
        .WithPosition(expression.position);
  }
  const Interval span = bound->constant.GetInterval();
  if (span.months != 0) {
    // A month has no fixed length, so windows of months would not tile time (as date_bin refuses).
    throw Error(SqlState::kFeatureNotSupported,
                fmt::format("{} cannot contain months or years", what))
        .WithHint("Use days instead: a month has no fixed length.")
        .WithPosition(expression.position);
  }
  int64_t micros = 0;
  if (__builtin_mul_overflow(static_cast<int64_t>(span.days), calendar::kMicrosPerDay, &micros) ||
      __builtin_add_overflow(micros, span.micros, &micros)) {
    throw Error(SqlState::kDatetimeFieldOverflow, "interval out of range")
        .WithPosition(expression.position);
  }
  return micros;
}

catalog::WatermarkSpec BindWatermark(const ast::WatermarkDefinition& watermark,
                                     const std::vector<catalog::ColumnSchema>& columns,
                                     const function::EvaluationContext& context) {
  catalog::WatermarkSpec spec;
  std::optional<size_t> index;
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].name == watermark.column) {
      index = i;
    }
  }
  if (!index) {
    throw Error(SqlState::kUndefinedColumn,
                fmt::format("column \"{}\" does not exist", watermark.column))
        .WithPosition(watermark.position);
  }
  const TypeId type = columns[*index].type.id;
  if (type != TypeId::kTimestamp && type != TypeId::kTimestamptz) {
    throw Error(SqlState::kDatatypeMismatch,
                fmt::format("watermark column \"{}\" must be type timestamp or timestamp with time "
                            "zone, not type {}",
                            watermark.column, columns[*index].type.Name()))
        .WithPosition(watermark.position);
  }
  spec.column = static_cast<uint32_t>(*index);
  auto is_the_column = [&](const ast::Expression& expression) {
    if (expression.kind != ast::ExpressionKind::kColumnRef) {
      return false;
    }
    const auto& names = static_cast<const ast::ColumnRef&>(expression).names;
    return !names.empty() && names.back() == watermark.column;
  };
  const ast::Expression& expression = *watermark.expression;
  if (is_the_column(expression)) {
    spec.delay_micros = 0;
  } else if (expression.kind == ast::ExpressionKind::kBinary &&
             static_cast<const ast::Binary&>(expression).op == "-" &&
             is_the_column(*static_cast<const ast::Binary&>(expression).left)) {
    spec.delay_micros = BindConstantInterval(*static_cast<const ast::Binary&>(expression).right,
                                             context, "watermark delay", "watermark delay");
  } else {
    throw Error(
        SqlState::kFeatureNotSupported,
        fmt::format("a watermark must be \"{0}\" or \"{0} - INTERVAL ...\"", watermark.column))
        .WithPosition(expression.position);
  }
  if (watermark.lateness) {
    spec.lateness_micros =
        BindConstantInterval(*watermark.lateness, context, "allowed lateness", "allowed lateness");
  }
  if (spec.delay_micros < 0 || spec.lateness_micros < 0) {
    throw Error(SqlState::kInvalidParameterValue,
                "watermark delay and lateness must not be negative")
        .WithPosition(watermark.position);
  }
  return spec;
}

}  // namespace freshet::planner
