// SPDX-License-Identifier: Apache-2.0
#include "function/scalar_function.h"

namespace freshet::function {

FunctionRegistry::FunctionRegistry() {
  RegisterArithmetic(functions_);
  RegisterComparison(functions_);
  RegisterStringFunctions(functions_);
  RegisterNumericFunctions(functions_);
  RegisterMathFunctions(functions_);
  RegisterJsonbFunctions(functions_);
  RegisterSystemFunctions(functions_);
  RegisterPatternMatching(functions_);
  RegisterDatetimeFunctions(functions_);
  RegisterDatetimeFormatting(functions_);
  RegisterConditionalFunctions(functions_);
}

const FunctionRegistry& FunctionRegistry::Builtins() {
  static const FunctionRegistry registry;
  return registry;
}

std::vector<const ScalarFunction*> FunctionRegistry::Overloads(std::string_view name,
                                                               size_t arity) const {
  std::vector<const ScalarFunction*> result;
  for (const ScalarFunction& function : functions_) {
    if (function.name != name) {
      continue;
    }
    if (function.arguments.size() == arity ||
        (function.variadic && arity + 1 >= function.arguments.size())) {
      result.push_back(&function);
    }
  }
  return result;
}

bool FunctionRegistry::HasFunction(std::string_view name) const {
  for (const ScalarFunction& function : functions_) {
    if (function.name == name) {
      return true;
    }
  }
  return false;
}

}  // namespace freshet::function
