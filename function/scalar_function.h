// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <atomic>
#include <span>
#include <string_view>
#include <vector>

#include "common/column.h"
#include "common/data_type.h"

namespace freshet {
class TimeZone;
}  // namespace freshet

namespace freshet::function {

class SettingsAccess;
class CatalogAccess;

/// What a kernel may read besides its arguments: the statement's clock and the session's settings.
/// Kernels of immutable functions ignore it.
struct EvaluationContext {
  /// now() of the statement: microseconds since 1970-01-01 UTC.
  int64_t statement_timestamp = 0;
  /// The session's TimeZone setting; nullptr means UTC.
  const TimeZone* time_zone = nullptr;
  std::string_view user = "freshet";
  std::string_view database = "dev";
  /// The session's extra_float_digits, for the text of REAL and DOUBLE PRECISION values.
  int32_t extra_float_digits = 1;
  /// Set by another thread to cancel the statement; checked by CheckInterrupts()
  /// (function/system_functions.h) between chunks and by long-running kernels such as pg_sleep.
  const std::atomic<bool>* cancel_requested = nullptr;
  /// When the statement_timeout of the statement expires, in microseconds of
  /// std::chrono::steady_clock; 0 means never.
  int64_t statement_deadline = 0;
  /// The session's run-time parameters, for current_setting() and set_config(); nullptr outside a
  /// session.
  SettingsAccess* settings = nullptr;
  /// The catalog of the statement, for the reg* types and the pg_catalog functions; nullptr when
  /// there is none (then reg* values read and print as numbers).
  const CatalogAccess* catalog = nullptr;
};

/// Whether a function's result depends only on its arguments (Postgres's provolatile): immutable
/// calls with constant arguments are folded when the statement is planned; stable ones (now(),
/// anything that reads the session's time zone) are the same within one statement; volatile ones
/// (random()) change per row.
enum class Volatility : uint8_t { kImmutable, kStable, kVolatile };

/// Computes a whole result column from argument columns of `rows` rows each. `out` is an empty
/// column of the function's result type. Kernels set NULLs themselves (strict functions: any NULL
/// argument gives NULL) and throw Error for data errors (22003 overflow, 22012 division by zero,
/// ...).
using ScalarKernel = void (*)(const EvaluationContext& context,
                              std::span<const Column* const> arguments,
                              size_t rows,
                              Column& out);

/// One overload of a built-in scalar function or operator: its SQL name ("+", "lower"), argument
/// types and result type, and the kernel that evaluates it a column at a time.
struct ScalarFunction {
  std::string_view name;
  /// TypeId::kUnknown stands for Postgres's "any": such arguments reach the kernel unconverted.
  std::vector<TypeId> arguments;
  DataType result;
  ScalarKernel kernel;
  Volatility volatility = Volatility::kImmutable;
  /// The last argument type repeats any number of times (concat(text, ...)).
  bool variadic = false;
};

/// The catalog of built-in scalar functions and operators. Immutable after construction, so any
/// thread may read it without locking.
class FunctionRegistry {
 public:
  /// The built-in functions, built once on first use.
  static const FunctionRegistry& Builtins();

  /// Every overload named `name` (lower case) that can take `arity` arguments (variadic ones
  /// included).
  std::vector<const ScalarFunction*> Overloads(std::string_view name, size_t arity) const;
  /// True if some function or operator is named `name`.
  bool HasFunction(std::string_view name) const;

 private:
  FunctionRegistry();
  std::vector<ScalarFunction> functions_;
};

/// Registers the arithmetic operators; each Register* adds one family of functions.
void RegisterArithmetic(std::vector<ScalarFunction>& functions);
void RegisterComparison(std::vector<ScalarFunction>& functions);
void RegisterStringFunctions(std::vector<ScalarFunction>& functions);
void RegisterNumericFunctions(std::vector<ScalarFunction>& functions);
void RegisterMathFunctions(std::vector<ScalarFunction>& functions);
void RegisterJsonbFunctions(std::vector<ScalarFunction>& functions);
void RegisterSystemFunctions(std::vector<ScalarFunction>& functions);
void RegisterPatternMatching(std::vector<ScalarFunction>& functions);
void RegisterDatetimeFunctions(std::vector<ScalarFunction>& functions);
void RegisterDatetimeFormatting(std::vector<ScalarFunction>& functions);
void RegisterConditionalFunctions(std::vector<ScalarFunction>& functions);

}  // namespace freshet::function
