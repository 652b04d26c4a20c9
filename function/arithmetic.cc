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
void AddFloat(const EvaluationContext& context,
              std::span<const Column* const> arguments,
              size_t rows,
              Column& out) {
  BinaryFixed<T, T>(arguments, rows, out, [](T a, T b) {
    return CheckFloat<T>(a + b, std::isfinite(a) && std::isfinite(b), true);
  });
}

template <typename T>
void SubtractFloat(const EvaluationContext& context,
                   std::span<const Column* const> arguments,
                   size_t rows,
                   Column& out) {
  BinaryFixed<T, T>(arguments, rows, out, [](T a, T b) {
    return CheckFloat<T>(a - b, std::isfinite(a) && std::isfinite(b), true);
  });
}

template <typename T>
void MultiplyFloat(const EvaluationContext& context,
                   std::span<const Column* const> arguments,
                   size_t rows,
                   Column& out) {
  BinaryFixed<T, T>(arguments, rows, out, [](T a, T b) {
    return CheckFloat<T>(a * b, std::isfinite(a) && std::isfinite(b), a == 0 || b == 0);
  });
}

template <typename T>
void DivideFloat(const EvaluationContext& context,
                 std::span<const Column* const> arguments,
                 size_t rows,
                 Column& out) {
  BinaryFixed<T, T>(arguments, rows, out, [](T a, T b) {
    if (b == 0) {
      ThrowDivisionByZero();
    }
    return CheckFloat<T>(a / b, std::isfinite(a) && std::isfinite(b), a == 0 || std::isinf(b));
  });
}

template <typename T>
void AddInteger(const EvaluationContext& context,
                std::span<const Column* const> arguments,
                size_t rows,
                Column& out) {
  BinaryFixed<T, T>(arguments, rows, out, CheckedAdd<T>);
}

template <typename T>
void SubtractInteger(const EvaluationContext& context,
                     std::span<const Column* const> arguments,
                     size_t rows,
                     Column& out) {
  BinaryFixed<T, T>(arguments, rows, out, CheckedSubtract<T>);
}

template <typename T>
void MultiplyInteger(const EvaluationContext& context,
                     std::span<const Column* const> arguments,
                     size_t rows,
                     Column& out) {
  BinaryFixed<T, T>(arguments, rows, out, CheckedMultiply<T>);
}

template <typename T>
void DivideInteger(const EvaluationContext& context,
                   std::span<const Column* const> arguments,
                   size_t rows,
                   Column& out) {
  BinaryFixed<T, T>(arguments, rows, out, CheckedDivide<T>);
}

template <typename T>
void ModuloInteger(const EvaluationContext& context,
                   std::span<const Column* const> arguments,
                   size_t rows,
                   Column& out) {
  BinaryFixed<T, T>(arguments, rows, out, CheckedModulo<T>);
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
  functions.push_back({"+", {type, type}, result, AddInteger<T>});
  functions.push_back({"-", {type, type}, result, SubtractInteger<T>});
  functions.push_back({"*", {type, type}, result, MultiplyInteger<T>});
  functions.push_back({"/", {type, type}, result, DivideInteger<T>});
  functions.push_back({"%", {type, type}, result, ModuloInteger<T>});
  functions.push_back({"mod", {type, type}, result, ModuloInteger<T>});
  functions.push_back({"-", {type}, result, NegateInteger<T>});
  functions.push_back({"+", {type}, result, Identity<T>});
  functions.push_back({"abs", {type}, result, AbsInteger<T>});
  functions.push_back({"@", {type}, result, AbsInteger<T>});
}

template <typename T>
void RegisterFloat(std::vector<ScalarFunction>& functions, TypeId type) {
  const DataType result(type);
  functions.push_back({"+", {type, type}, result, AddFloat<T>});
  functions.push_back({"-", {type, type}, result, SubtractFloat<T>});
  functions.push_back({"*", {type, type}, result, MultiplyFloat<T>});
  functions.push_back({"/", {type, type}, result, DivideFloat<T>});
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
