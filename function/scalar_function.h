// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "common/column.h"
#include "common/data_type.h"

namespace freshet::function {

/// Computes a whole result column from argument columns of `rows` rows each. `out` is an empty
/// column of the function's result type. Kernels set NULLs themselves (strict functions: any NULL
/// argument gives NULL) and throw Error for data errors (22003 overflow, 22012 division by zero,
/// ...).
using ScalarKernel = void (*)(std::span<const Column* const> arguments, size_t rows, Column& out);

/// One overload of a built-in scalar function or operator: its SQL name ("+", "lower"), argument
/// types and result type, and the kernel that evaluates it a column at a time.
struct ScalarFunction {
  std::string_view name;
  std::vector<TypeId> arguments;
  DataType result;
  ScalarKernel kernel;
};

/// The catalog of built-in scalar functions and operators. Immutable after construction, so any
/// thread may read it without locking.
class FunctionRegistry {
 public:
  /// The built-in functions, built once on first use.
  static const FunctionRegistry& Builtins();

  /// Every overload named `name` (lower case) taking `arity` arguments.
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

}  // namespace freshet::function
