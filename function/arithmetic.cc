// SPDX-License-Identifier: Apache-2.0
#include <cmath>
#include <limits>

#include "common/error.h"
#include "function/internal/kernel_loops.h"
#include "function/scalar_function.h"

namespace freshet::function {
namespace {

using internal::BinaryFixed;
using internal::UnaryFixed;

template <typename T>
constexpr const char* OutOfRangeMessage() {
  if constexpr (sizeof(T) == 2) {
    return "smallint out of range";
  } else if constexpr (sizeof(T) == 4) {
    return "integer out of range";
  } else {
    return "bigint out of range";
  }
}

template <typename T>
[[noreturn]] void ThrowIntegerOutOfRange() {
  throw Error(SqlState::kNumericValueOutOfRange, OutOfRangeMessage<T>());
}

[[noreturn]] void ThrowDivisionByZero() {
  throw Error(SqlState::kDivisionByZero, "division by zero");
}

template <typename T>
T CheckedAdd(T a, T b) {
  T result;
  if (__builtin_add_overflow(a, b, &result)) {
    ThrowIntegerOutOfRange<T>();
  }
  return result;
}

template <typename T>
T CheckedSubtract(T a, T b) {
  T result;
  if (__builtin_sub_overflow(a, b, &result)) {
    ThrowIntegerOutOfRange<T>();
  }
  return result;
}

template <typename T>
T CheckedMultiply(T a, T b) {
  T result;
  if (__builtin_mul_overflow(a, b, &result)) {
    ThrowIntegerOutOfRange<T>();
  }
  return result;
}

template <typename T>
T CheckedDivide(T a, T b) {
  if (b == 0) {
    ThrowDivisionByZero();
  }
  if (b == -1) {
    // The one quotient that overflows: the minimum value divided by -1.
    if (a == std::numeric_limits<T>::min()) {
      ThrowIntegerOutOfRange<T>();
    }
    return static_cast<T>(-a);
  }
  return static_cast<T>(a / b);
}

template <typename T>
T CheckedModulo(T a, T b) {
  if (b == 0) {
    ThrowDivisionByZero();
  }
  if (b == -1) {
    return 0;
  }
  return static_cast<T>(a % b);
}

template <typename T>
T CheckFloat(T result, bool inputs_finite, bool zero_allowed) {
  if (std::isinf(result) && inputs_finite) {
    throw Error(SqlState::kNumericValueOutOfRange, "value out of range: overflow");
  }
  if (result == 0 && !zero_allowed) {
    throw Error(SqlState::kNumericValueOutOfRange, "value out of range: underflow");
  }
  return result;
}

template <typename T>
T AddFloats(T a, T b) {
  return CheckFloat<T>(a + b, std::isfinite(a) && std::isfinite(b), true);
}

template <typename T>
T SubtractFloats(T a, T b) {
  return CheckFloat<T>(a - b, std::isfinite(a) && std::isfinite(b), true);
}

template <typename T>
T MultiplyFloats(T a, T b) {
  return CheckFloat<T>(a * b, std::isfinite(a) && std::isfinite(b), a == 0 || b == 0);
}

template <typename T>
T DivideFloats(T a, T b) {
  if (b == 0) {
    ThrowDivisionByZero();
  }
  return CheckFloat<T>(a / b, std::isfinite(a) && std::isfinite(b), a == 0 || std::isinf(b));
}

// The kernel that applies the per-value operation `Operation` to two columns of T.
template <typename T, T (*Operation)(T, T)>
void BinaryKernel(const EvaluationContext& context,
                  std::span<const Column* const> arguments,
                  size_t rows,
                  Column& out) {
  BinaryFixed<T, T>(arguments, rows, out, Operation);
}

template <typename T>
void NegateInteger(const EvaluationContext& context,
                   std::span<const Column* const> arguments,
                   size_t rows,
                   Column& out) {
  UnaryFixed<T, T>(arguments, rows, out, [](T a) {
    if (a == std::numeric_limits<T>::min()) {
      ThrowIntegerOutOfRange<T>();
    }
    return static_cast<T>(-a);
  });
}

template <typename T>
void NegateFloat(const EvaluationContext& context,
                 std::span<const Column* const> arguments,
                 size_t rows,
                 Column& out) {
  UnaryFixed<T, T>(arguments, rows, out, [](T a) { return -a; });
}

template <typename T>
void Identity(const EvaluationContext& context,
              std::span<const Column* const> arguments,
              size_t rows,
              Column& out) {
  UnaryFixed<T, T>(arguments, rows, out, [](T a) { return a; });
}

template <typename T>
void AbsInteger(const EvaluationContext& context,
                std::span<const Column* const> arguments,
                size_t rows,
                Column& out) {
  UnaryFixed<T, T>(arguments, rows, out, [](T a) {
    if (a == std::numeric_limits<T>::min()) {
      ThrowIntegerOutOfRange<T>();
    }
    return static_cast<T>(a < 0 ? -a : a);
  });
}

template <typename T>
void AbsFloat(const EvaluationContext& context,
              std::span<const Column* const> arguments,
              size_t rows,
              Column& out) {
  UnaryFixed<T, T>(arguments, rows, out, [](T a) { return std::fabs(a); });
}

template <typename T>
void RegisterInteger(std::vector<ScalarFunction>& functions, TypeId type) {
  const DataType result(type);
  functions.push_back({"+", {type, type}, result, BinaryKernel<T, CheckedAdd<T>>});
  functions.push_back({"-", {type, type}, result, BinaryKernel<T, CheckedSubtract<T>>});
  functions.push_back({"*", {type, type}, result, BinaryKernel<T, CheckedMultiply<T>>});
  functions.push_back({"/", {type, type}, result, BinaryKernel<T, CheckedDivide<T>>});
  functions.push_back({"%", {type, type}, result, BinaryKernel<T, CheckedModulo<T>>});
  functions.push_back({"mod", {type, type}, result, BinaryKernel<T, CheckedModulo<T>>});
  functions.push_back({"-", {type}, result, NegateInteger<T>});
  functions.push_back({"+", {type}, result, Identity<T>});
  functions.push_back({"abs", {type}, result, AbsInteger<T>});
  functions.push_back({"@", {type}, result, AbsInteger<T>});
}

template <typename T>
void RegisterFloat(std::vector<ScalarFunction>& functions, TypeId type) {
  const DataType result(type);
  functions.push_back({"+", {type, type}, result, BinaryKernel<T, AddFloats<T>>});
  functions.push_back({"-", {type, type}, result, BinaryKernel<T, SubtractFloats<T>>});
  functions.push_back({"*", {type, type}, result, BinaryKernel<T, MultiplyFloats<T>>});
  functions.push_back({"/", {type, type}, result, BinaryKernel<T, DivideFloats<T>>});
  functions.push_back({"-", {type}, result, NegateFloat<T>});
  functions.push_back({"+", {type}, result, Identity<T>});
  functions.push_back({"abs", {type}, result, AbsFloat<T>});
  functions.push_back({"@", {type}, result, AbsFloat<T>});
}

}  // namespace

void RegisterArithmetic(std::vector<ScalarFunction>& functions) {
  RegisterInteger<int16_t>(functions, TypeId::kSmallint);
  RegisterInteger<int32_t>(functions, TypeId::kInteger);
  RegisterInteger<int64_t>(functions, TypeId::kBigint);
  RegisterFloat<float>(functions, TypeId::kReal);
  RegisterFloat<double>(functions, TypeId::kDouble);
}

}  // namespace freshet::function
