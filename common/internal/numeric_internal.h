// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <array>
#include <cstdint>

#include "common/numeric.h"

// Pieces shared by numeric.cc and numeric_math.cc.
namespace freshet::numeric::internal {

using Unsigned = unsigned __int128;

/// Postgres's NUMERIC_MIN_SIG_DIGITS: results of division and of the math functions carry at least
/// this many significant digits.
inline constexpr int32_t kMinSignificantDigits = 16;
/// Postgres's NUMERIC_MAX_DISPLAY_SCALE, the cap of every computed result scale.
inline constexpr int32_t kMaxDisplayScale = 1000;
/// The largest power of ten below 2^127.
inline constexpr int kMaxPowerOfTen = 38;

constexpr std::array<Unsigned, kMaxPowerOfTen + 1> MakePowersOfTen() {
  std::array<Unsigned, kMaxPowerOfTen + 1> powers{};
  Unsigned power = 1;
  for (auto& entry : powers) {
    entry = power;
    power *= 10;
  }
  return powers;
}

/// 10^0 .. 10^38.
inline constexpr std::array<Unsigned, kMaxPowerOfTen + 1> kPowersOfTen128 = MakePowersOfTen();

/// |value|, also for the most negative value.
inline Unsigned Magnitude(__int128 value) {
  return value < 0 ? Unsigned{0} - static_cast<Unsigned>(value) : static_cast<Unsigned>(value);
}

/// Decimal digits of `value`; 0 for 0.
int DigitCount(Unsigned value);
/// Packs a sign and magnitude; throws 22003 when it does not fit.
__int128 PackSigned(bool negative, Unsigned magnitude, int32_t scale);
/// Throws 22003 "value overflows numeric format".
[[noreturn]] void ThrowOverflow();
/// Throws 22012 "division by zero".
[[noreturn]] void ThrowDivisionByZero();

/// A magnitude as Postgres's NumericVar holds it: base-10000 digits, most significant first, the
/// first weighing 10000^weight, without leading or trailing zero digits. Zero has no digits and
/// weight 0. Postgres derives result scales from these weights, so we must too.
struct NbaseDigits {
  int32_t weight = 0;
  int32_t ndigits = 0;
  std::array<int32_t, 12> digits{};
};

/// The base-10000 digits of magnitude / 10^scale (magnitude below 10^35).
NbaseDigits ToNbase(Unsigned magnitude, int32_t scale);

}  // namespace freshet::numeric::internal
