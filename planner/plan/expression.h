// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/data_type.h"
#include "common/value.h"
#include "function/cast.h"
#include "function/scalar_function.h"

namespace freshet::plan {

/// What a bound expression computes.
enum class ExpressionKind : uint8_t {
  kColumn,          // the input column `column_index`
  kConstant,        // `constant`
  kCall,            // `function` applied to the children
  kCast,            // the child converted to `type` in `cast_context`
  kAnd,             // three-valued AND of the children
  kOr,              // three-valued OR of the children
  kNot,             // three-valued NOT of the child
  kIsNull,          // child IS NULL (IS NOT NULL when `negated`)
  kIsDistinct,      // children[0] IS DISTINCT FROM children[1] by `function` (`=`); IS NOT when
                    // `negated`
  kIsTrue,          // child IS TRUE (IS NOT TRUE when `negated`)
  kIsFalse,         // child IS FALSE (IS NOT FALSE when `negated`)
  kCase,            // children: when0, then0, when1, then1, ..., else
  kCoalesce,        // the first non-NULL child
  kOuterColumn,     // column `column_index` of the current row of the enclosing query (correlation)
  kScalarSubquery,  // the single value of `subquery` (NULL when empty; 21000 for more rows)
  kExists,          // whether `subquery` returns a row (NOT EXISTS when `negated`)
  kQuantifiedSubquery,  // children[0] `function` ANY (ALL when `all`) of `subquery`'s column
};

struct Expression;
struct BatchNode;
using ExpressionPtr = std::unique_ptr<Expression>;

/// A bound, typed expression over the columns of an input chunk: plain data that the executor
/// compiles into a vectorized evaluator.
struct Expression {
  ExpressionKind kind = ExpressionKind::kConstant;
  DataType type;
  uint32_t column_index = 0;
  Value constant;
  const function::ScalarFunction* function = nullptr;
  function::CastContext cast_context = function::CastContext::kImplicit;
  bool negated = false;
  bool all = false;
  /// The plan of a subquery expression; shared by clones.
  std::shared_ptr<const BatchNode> subquery;
  /// Whether the subquery refers to columns of the enclosing query, so it is re-run per row.
  bool correlated = false;
  std::vector<ExpressionPtr> children;

  static ExpressionPtr Column(uint32_t index, DataType column_type);
  static ExpressionPtr Constant(Value value);
  static ExpressionPtr Call(const function::ScalarFunction& function,
                            std::vector<ExpressionPtr> arguments);
  static ExpressionPtr Cast(ExpressionPtr input, DataType target, function::CastContext context);
  static ExpressionPtr Make(ExpressionKind kind,
                            DataType type,
                            std::vector<ExpressionPtr> children,
                            bool negated = false);

  /// Returns a deep copy.
  ExpressionPtr Clone() const;
  /// Renders the expression for EXPLAIN, with input columns as `$index`.
  std::string ToString() const;
};

}  // namespace freshet::plan
