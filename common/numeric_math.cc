// SPDX-License-Identifier: Apache-2.0
// sqrt, exp, ln, log and power of NUMERIC values. Result scales follow Postgres 15's numeric.c
// rule for rule (they decide how many digits print); the digits themselves are the exactly rounded
// values: square roots and integer powers are computed exactly, and exp/ln/non-integer powers in
// binary fixed point with 224 fraction bits (about 67 decimal digits), far beyond the 35 digits a
// result can hold, so the last printed digit is right except when the true value lies within 1e-60
// of a rounding tie.
#include <algorithm>
#include <charconv>
#include <cmath>

#include "common/error.h"
#include "common/internal/numeric_internal.h"
#include "common/internal/wide_unsigned.h"
#include "common/numeric.h"

namespace freshet::numeric {
namespace {

using internal::DigitCount;
using internal::kMaxDisplayScale;
using internal::kMinSignificantDigits;
using internal::kPowersOfTen128;
using internal::Magnitude;
using internal::PackSigned;
using internal::ThrowOverflow;
using internal::Unsigned;
using Big = internal::WideUnsigned<16>;

constexpr int kFractionBits = 224;

/// A signed binary fixed-point number: magnitude / 2^kFractionBits.
struct Fixed {
  Big magnitude;
  bool negative = false;
};

Fixed FixedFromInteger(int64_t value) {
  Fixed result;
  result.negative = value < 0;
  result.magnitude = Big::FromU128(Magnitude(value));
  internal::ShiftLeftInPlace(result.magnitude, kFractionBits);
  return result;
}

// magnitude / 10^scale, truncated to the fixed-point grid.
Fixed FixedFromDecimal(Unsigned magnitude, int32_t scale, bool negative) {
  Fixed result;
  result.negative = negative;
  result.magnitude = Big::FromU128(magnitude);
  if (!internal::ShiftLeftInPlace(result.magnitude, kFractionBits)) {
    ThrowOverflow();
  }
  internal::DividePow10InPlace(result.magnitude, scale);
  return result;
}

bool IsZero(const Fixed& value) {
  return value.magnitude.IsZero();
}

Fixed Add(const Fixed& a, const Fixed& b) {
  Fixed result;
  if (a.negative == b.negative) {
    result = a;
    if (!internal::AddInPlace(result.magnitude, b.magnitude)) {
      ThrowOverflow();
    }
    return result;
  }
  if (internal::Compare(a.magnitude, b.magnitude) >= 0) {
    result = a;
    internal::SubtractInPlace(result.magnitude, b.magnitude);
  } else {
    result = b;
    internal::SubtractInPlace(result.magnitude, a.magnitude);
  }
  if (IsZero(result)) {
    result.negative = false;
  }
  return result;
}

Fixed Negate(Fixed value) {
  value.negative = !value.negative && !IsZero(value);
  return value;
}

Fixed Subtract(const Fixed& a, const Fixed& b) {
  return Add(a, Negate(b));
}

Fixed Multiply(const Fixed& a, const Fixed& b) {
  Fixed result;
  if (!internal::Multiply(a.magnitude, b.magnitude, result.magnitude)) {
    ThrowOverflow();
  }
  internal::ShiftRightInPlace(result.magnitude, kFractionBits);
  result.negative = (a.negative != b.negative) && !IsZero(result);
  return result;
}

Fixed MultiplySmall(Fixed value, uint32_t factor) {
  if (!internal::MultiplySmallInPlace(value.magnitude, factor)) {
    ThrowOverflow();
  }
  return value;
}

Fixed DivideSmall(Fixed value, uint32_t divisor) {
  internal::DivideSmallInPlace(value.magnitude, divisor);
  if (IsZero(value)) {
    value.negative = false;
  }
  return value;
}

Fixed Divide(const Fixed& a, const Fixed& b) {
  Big numerator = a.magnitude;
  if (!internal::ShiftLeftInPlace(numerator, kFractionBits)) {
    ThrowOverflow();
  }
  Fixed result;
  Big remainder;
  internal::DivideModulo(numerator, b.magnitude, result.magnitude, remainder);
  result.negative = (a.negative != b.negative) && !IsZero(result);
  return result;
}

double ToDouble(const Fixed& value) {
  double result = 0;
  for (size_t i = 0; i < value.magnitude.limbs.size(); ++i) {
    result += std::ldexp(static_cast<double>(value.magnitude.limbs[i]),
                         static_cast<int>(i) * 32 - kFractionBits);
  }
  return value.negative ? -result : result;
}

// sum of z^(2i+1) / (2i+1): atanh(z) for |z| < 1.
Fixed AtanhSeries(const Fixed& z) {
  const Fixed z_squared = Multiply(z, z);
  Fixed sum = z;
  Fixed power = z;
  for (uint32_t denominator = 3;; denominator += 2) {
    power = Multiply(power, z_squared);
    const Fixed term = DivideSmall(power, denominator);
    if (IsZero(term)) {
      break;
    }
    sum = Add(sum, term);
  }
  return sum;
}

struct Constants {
  Fixed ln2;
  Fixed ln10;
};

const Constants& GetConstants() {
  static const Constants constants = [] {
    Constants result;
    // ln 2 = 2 atanh(1/3); ln 10 = 3 ln 2 + ln 1.25 = 3 ln 2 + 2 atanh(1/9).
    const Fixed one = FixedFromInteger(1);
    result.ln2 = MultiplySmall(AtanhSeries(DivideSmall(one, 3)), 2);
    result.ln10 =
        Add(MultiplySmall(result.ln2, 3), MultiplySmall(AtanhSeries(DivideSmall(one, 9)), 2));
    return result;
  }();
  return constants;
}

// ln(magnitude / 10^scale) for a positive magnitude.
Fixed LnFixed(Unsigned magnitude, int32_t scale) {
  const Constants& constants = GetConstants();
  // magnitude = m * 2^exponent with m in [0.75, 1.5).
  Big m = Big::FromU128(magnitude);
  int32_t exponent = m.BitLength() - 1;
  internal::ShiftLeftInPlace(m, kFractionBits - exponent);
  Fixed mantissa{m, false};
  Big three_halves = Big::FromU128(3);
  internal::ShiftLeftInPlace(three_halves, kFractionBits - 1);
  if (internal::Compare(m, three_halves) >= 0) {
    internal::ShiftRightInPlace(mantissa.magnitude, 1);
    ++exponent;
  }
  // ln m = 2 atanh((m - 1) / (m + 1)).
  const Fixed one = FixedFromInteger(1);
  const Fixed z = Divide(Subtract(mantissa, one), Add(mantissa, one));
  Fixed result = MultiplySmall(AtanhSeries(z), 2);
  Fixed powers_of_two = MultiplySmall(constants.ln2, static_cast<uint32_t>(std::abs(exponent)));
  if (exponent < 0) {
    powers_of_two = Negate(powers_of_two);
  }
  result = Add(result, powers_of_two);
  return Subtract(result, MultiplySmall(constants.ln10, static_cast<uint32_t>(scale)));
}

// exp(value) as mantissa * 10^exponent with the mantissa in [1, 10).
struct Scientific {
  Fixed mantissa;
  int32_t exponent = 0;
};

Scientific ExpFixed(const Fixed& value) {
  const Constants& constants = GetConstants();
  auto exponent = static_cast<int32_t>(std::floor(ToDouble(value) / 2.302585092994046));
  Fixed shift = MultiplySmall(constants.ln10, static_cast<uint32_t>(std::abs(exponent)));
  if (exponent < 0) {
    shift = Negate(shift);
  }
  Fixed rest = Subtract(value, shift);
  while (rest.negative) {
    rest = Add(rest, constants.ln10);
    --exponent;
  }
  while (!Subtract(rest, constants.ln10).negative) {
    rest = Subtract(rest, constants.ln10);
    ++exponent;
  }
  // exp(rest) = exp(rest / 256)^256; the Taylor series of the small argument converges fast.
  constexpr int kHalvings = 8;
  Fixed reduced = rest;
  internal::ShiftRightInPlace(reduced.magnitude, kHalvings);
  Fixed sum = FixedFromInteger(1);
  Fixed term = sum;
  for (uint32_t n = 1;; ++n) {
    term = DivideSmall(Multiply(term, reduced), n);
    if (IsZero(term)) {
      break;
    }
    sum = Add(sum, term);
  }
  for (int i = 0; i < kHalvings; ++i) {
    sum = Multiply(sum, sum);
  }
  return Scientific{sum, exponent};
}

// Rounds value * 10^decimal_exponent half away from zero to `scale` decimals and packs it.
__int128 RoundFixed(const Fixed& value, int32_t decimal_exponent, int32_t scale) {
  if (scale > kMaxScale) {
    ThrowOverflow();
  }
  Big magnitude = value.magnitude;
  const int32_t exponent = decimal_exponent + scale;
  if (exponent >= 0) {
    if (!internal::MultiplyPow10InPlace(magnitude, exponent)) {
      ThrowOverflow();
    }
  } else {
    internal::DividePow10InPlace(magnitude, -exponent);
  }
  Big half = Big::FromU128(1);
  internal::ShiftLeftInPlace(half, kFractionBits - 1);
  if (!internal::AddInPlace(magnitude, half)) {
    ThrowOverflow();
  }
  internal::ShiftRightInPlace(magnitude, kFractionBits);
  if (!magnitude.FitsU128()) {
    ThrowOverflow();
  }
  return PackSigned(value.negative, magnitude.Low128(), scale);
}

int32_t ClampScale(int32_t scale) {
  return std::min(std::max(scale, 0), kMaxDisplayScale);
}

// Postgres's estimate_ln_dweight: the decimal weight of ln(x), which sets the scale of ln and log.
int32_t EstimateLnWeight(__int128 value) {
  if (Sign(value) <= 0) {
    return 0;
  }
  // 0.9 <= x <= 1.1: ln(x) ~ x - 1.
  const __int128 low = Pack(9, 1);
  const __int128 high = Pack(11, 1);
  if (Compare(value, low) >= 0 && Compare(value, high) <= 0) {
    const Decimal difference = Unpack(numeric::Subtract(value, Pack(1, 0)));
    if (difference.unscaled == 0) {
      return 0;
    }
    const internal::NbaseDigits digits =
        internal::ToNbase(Magnitude(difference.unscaled), difference.scale);
    return digits.weight * 4 + static_cast<int32_t>(std::log10(digits.digits[0]));
  }
  const Decimal x = Unpack(value);
  const internal::NbaseDigits digits = internal::ToNbase(Magnitude(x.unscaled), x.scale);
  int32_t leading = digits.digits[0];
  int32_t decimal_weight = digits.weight * 4;
  if (digits.ndigits > 1) {
    leading = leading * 10000 + digits.digits[1];
    decimal_weight -= 4;
  }
  const double ln_estimate =
      std::log(static_cast<double>(leading)) + decimal_weight * 2.302585092994046;
  return static_cast<int32_t>(std::log10(std::fabs(ln_estimate)));
}

void CheckLogArgument(__int128 value) {
  const int sign = Sign(value);
  if (sign == 0) {
    throw Error(SqlState::kInvalidArgumentForLogarithm, "cannot take logarithm of zero");
  }
  if (sign < 0) {
    throw Error(SqlState::kInvalidArgumentForLogarithm,
                "cannot take logarithm of a negative number");
  }
}

Fixed LnOf(__int128 value) {
  const Decimal x = Unpack(value);
  return LnFixed(Magnitude(x.unscaled), x.scale);
}

bool IsInteger(const Decimal& x) {
  if (x.scale == 0 || x.unscaled == 0) {
    return true;
  }
  return x.scale <= internal::kMaxPowerOfTen &&
         x.unscaled % static_cast<__int128>(kPowersOfTen128[x.scale]) == 0;
}

// The text of magnitude / 10^scale read as a double, as numericvar_to_double_no_overflow does.
double WideToDouble(Big magnitude, int32_t scale, bool negative) {
  char digits[200];
  int count = 0;
  do {
    digits[count++] = static_cast<char>('0' + internal::DivideSmallInPlace(magnitude, 10));
  } while (!magnitude.IsZero() && count < 190);
  while (count <= scale && count < 190) {
    digits[count++] = '0';
  }
  char text[200];
  size_t length = 0;
  if (negative) {
    text[length++] = '-';
  }
  for (int i = count - 1; i >= 0; --i) {
    text[length++] = digits[i];
    if (i == scale && scale > 0) {
      text[length++] = '.';
    }
  }
  double result = 0;
  std::from_chars(text, text + length, result);
  return result;
}

// base^exponent for an integer exponent, as Postgres 15's power_var_int: the exact power rounded to
// `scale` decimals (computed in fixed point when the exact power is too large to hold).
__int128 PowerInteger(const Decimal& base, int64_t exponent, int32_t scale) {
  if (scale > kMaxScale) {
    ThrowOverflow();
  }
  if (exponent == 0) {
    // 0 ^ 0 is 1, as SQL:2003 says.
    if (scale > internal::kMaxPowerOfTen) {
      ThrowOverflow();
    }
    return PackSigned(false, kPowersOfTen128[scale], scale);
  }
  if (base.unscaled == 0) {
    return Pack(0, scale);
  }
  const Unsigned magnitude = Magnitude(base.unscaled);
  const bool negative = base.unscaled < 0 && (exponent % 2 != 0);
  const uint64_t count = exponent < 0 ? static_cast<uint64_t>(-exponent) : exponent;
  // Postgres's estimate of log10 |result| from the leading base-10000 digits.
  const internal::NbaseDigits digits = internal::ToNbase(magnitude, base.scale);
  double leading = digits.digits[0];
  int32_t power = digits.weight * 4;
  for (int i = 1; i < digits.ndigits && i * 4 < 16; ++i) {
    leading = leading * 10000 + digits.digits[i];
    power -= 4;
  }
  const double weight = static_cast<double>(exponent) * (std::log10(leading) + power);
  if (weight >= kMaxDigits + 1) {
    ThrowOverflow();
  }
  if (weight + 1 < -scale || weight + 1 < -kMaxDisplayScale) {
    return Pack(0, scale);
  }
  const int bits = Big::FromU128(magnitude).BitLength();
  const uint64_t product_scale = count * static_cast<uint64_t>(base.scale);
  const bool exact_fits =
      static_cast<uint64_t>(bits) * count <= 480 && (exponent > 0 || scale + product_scale <= 150);
  if (!exact_fits) {
    Fixed logarithm = LnFixed(magnitude, base.scale);
    Fixed product = logarithm;
    if (!internal::MultiplySmallInPlace(product.magnitude, static_cast<uint32_t>(count))) {
      ThrowOverflow();
    }
    if (exponent < 0) {
      product = Negate(product);
    }
    Scientific result = ExpFixed(product);
    result.mantissa.negative = negative;
    return RoundFixed(result.mantissa, result.exponent, scale);
  }
  Big product = Big::FromU128(1);
  const Big factor = Big::FromU128(magnitude);
  for (uint64_t i = 0; i < count; ++i) {
    Big next;
    internal::Multiply(product, factor, next);
    product = next;
  }
  Big result;
  if (exponent > 0) {
    if (product_scale <= static_cast<uint64_t>(scale)) {
      if (!internal::MultiplyPow10InPlace(product, scale - static_cast<int32_t>(product_scale))) {
        ThrowOverflow();
      }
      result = product;
    } else {
      // Round half away from zero: add half of 10^dropped, then divide.
      const auto dropped = static_cast<int32_t>(product_scale - scale);
      Big half = Big::FromU128(5);
      internal::MultiplyPow10InPlace(half, dropped - 1);
      internal::AddInPlace(product, half);
      internal::DividePow10InPlace(product, dropped);
      result = product;
    }
  } else {
    // 1 / product at `scale` decimals: 10^(scale + product_scale) / product, rounded.
    Big numerator = Big::FromU128(1);
    internal::MultiplyPow10InPlace(numerator, scale + static_cast<int32_t>(product_scale));
    Big remainder;
    internal::DivideModulo(numerator, product, result, remainder);
    Big rest = product;
    internal::SubtractInPlace(rest, remainder);
    if (internal::Compare(remainder, rest) >= 0) {
      internal::AddInPlace(result, Big::FromU128(1));
    }
  }
  if (!result.FitsU128()) {
    ThrowOverflow();
  }
  return PackSigned(negative, result.Low128(), scale);
}

// power() with an infinite argument (and no NaN), following POSIX pow().
__int128 PowerSpecial(__int128 base, __int128 exponent) {
  const __int128 one = Pack(1, 0);
  if (IsInfinite(exponent)) {
    // |x| = 1 gives 1; otherwise it depends on whether |x| > 1 and the sign of the exponent.
    const int magnitude = IsInfinite(base) ? 1 : Compare(Abs(base), one);
    if (magnitude == 0) {
      return one;
    }
    return (magnitude > 0) == (exponent == kPositiveInfinity) ? kPositiveInfinity : 0;
  }
  // The base is infinite and the exponent finite.
  const int exponent_sign = Sign(exponent);
  const Decimal y = Unpack(exponent);
  if (base == kNegativeInfinity && !IsInteger(y)) {
    throw Error(SqlState::kInvalidArgumentForPowerFunction,
                "a negative number raised to a non-integer power yields a complex result");
  }
  if (exponent_sign == 0) {
    return one;
  }
  if (exponent_sign < 0) {
    return 0;
  }
  if (base == kPositiveInfinity) {
    return kPositiveInfinity;
  }
  // -Infinity to an odd integer power is -Infinity.
  const __int128 integer = y.unscaled / static_cast<__int128>(kPowersOfTen128[y.scale]);
  return integer % 2 != 0 ? kNegativeInfinity : kPositiveInfinity;
}

}  // namespace

__int128 Sqrt(__int128 value) {
  if (IsNaN(value) || value == kPositiveInfinity) {
    return value;
  }
  const Decimal x = Unpack(value);
  if (x.unscaled < 0) {
    throw Error(SqlState::kInvalidArgumentForPowerFunction,
                "cannot take square root of a negative number");
  }
  const Unsigned magnitude = Magnitude(x.unscaled);
  const internal::NbaseDigits digits = internal::ToNbase(magnitude, x.scale);
  const int32_t sqrt_weight = (digits.weight + 1) * 4 / 2 - 1;
  const int32_t scale =
      ClampScale(std::max(kMinSignificantDigits - sqrt_weight, static_cast<int32_t>(x.scale)));
  return SqrtAtScale(value, scale);
}

__int128 SqrtAtScale(__int128 value, int32_t scale) {
  if (IsNaN(value) || value == kPositiveInfinity) {
    return value;
  }
  const Decimal x = Unpack(value);
  if (x.unscaled < 0) {
    throw Error(SqlState::kInvalidArgumentForPowerFunction,
                "cannot take square root of a negative number");
  }
  const Unsigned magnitude = Magnitude(x.unscaled);
  if (scale > kMaxScale) {
    ThrowOverflow();
  }
  if (magnitude == 0) {
    return Pack(0, scale);
  }
  // The root has about (digits - x.scale) / 2 integer digits plus `scale` decimals.
  const int32_t integer_digits = (DigitCount(magnitude) - x.scale + 1) / 2;
  if (integer_digits + scale > kMaxDigits + 1) {
    ThrowOverflow();
  }
  // isqrt(magnitude * 10^(2 (scale + 1) - x.scale)) is the root truncated to scale + 1 decimals;
  // rounding its last digit rounds the root correctly, as no root can end exactly in that 5.
  Big radicand = Big::FromU128(magnitude);
  if (!internal::MultiplyPow10InPlace(radicand, 2 * (scale + 1) - x.scale)) {
    ThrowOverflow();
  }
  Big root = Big::FromU128(1);
  internal::ShiftLeftInPlace(root, (radicand.BitLength() + 1) / 2);
  for (;;) {
    Big quotient;
    Big remainder;
    internal::DivideModulo(radicand, root, quotient, remainder);
    Big next = root;
    internal::AddInPlace(next, quotient);
    internal::ShiftRightInPlace(next, 1);
    if (internal::Compare(next, root) >= 0) {
      break;
    }
    root = next;
  }
  const uint32_t last_digit = internal::DivideSmallInPlace(root, 10);
  if (last_digit >= 5) {
    internal::AddInPlace(root, Big::FromU128(1));
  }
  if (!root.FitsU128()) {
    ThrowOverflow();
  }
  return PackSigned(false, root.Low128(), scale);
}

__int128 Exp(__int128 value) {
  if (IsSpecial(value)) {
    // exp(-Infinity) is 0.
    return value == kNegativeInfinity ? 0 : value;
  }
  const Decimal x = Unpack(value);
  // log10(result) = x * log10(e) is about the decimal weight of the result.
  double weight = numeric::ToDouble(value) * 0.434294481903252;
  weight = std::clamp(weight, -2000.0, 2000.0);
  const int32_t scale = ClampScale(std::max(kMinSignificantDigits - static_cast<int32_t>(weight),
                                            static_cast<int32_t>(x.scale)));
  if (weight >= kMaxDigits + 1 || scale > kMaxScale) {
    ThrowOverflow();
  }
  const Scientific result =
      ExpFixed(FixedFromDecimal(Magnitude(x.unscaled), x.scale, x.unscaled < 0));
  return RoundFixed(result.mantissa, result.exponent, scale);
}

__int128 Ln(__int128 value) {
  if (IsNaN(value)) {
    return value;
  }
  CheckLogArgument(value);
  if (value == kPositiveInfinity) {
    return value;
  }
  const int32_t scale =
      ClampScale(std::max(kMinSignificantDigits - EstimateLnWeight(value), Scale(value)));
  if (scale > kMaxScale) {
    ThrowOverflow();
  }
  return RoundFixed(LnOf(value), 0, scale);
}

__int128 Log(__int128 base, __int128 value) {
  if (IsNaN(base) || IsNaN(value)) {
    return kNaN;
  }
  if (IsSpecial(base) || IsSpecial(value)) {
    // Negative arguments fail before zero ones, as numeric_log checks them.
    if (Sign(base) < 0 || Sign(value) < 0) {
      CheckLogArgument(kNegativeInfinity);
    }
    if (Sign(base) == 0 || Sign(value) == 0) {
      CheckLogArgument(0);
    }
    // log(Infinity, Infinity) is Infinity / Infinity; log(Infinity, x) is 0; log(x, Infinity) is
    // Infinity.
    if (base == kPositiveInfinity) {
      return value == kPositiveInfinity ? kNaN : 0;
    }
    return kPositiveInfinity;
  }
  CheckLogArgument(base);
  CheckLogArgument(value);
  const int32_t result_weight = EstimateLnWeight(value) - EstimateLnWeight(base);
  const int32_t scale =
      ClampScale(std::max({kMinSignificantDigits - result_weight, Scale(base), Scale(value)}));
  // ln(1) is exactly zero: Postgres divides by it.
  if (Compare(base, Pack(1, 0)) == 0) {
    internal::ThrowDivisionByZero();
  }
  if (scale > kMaxScale) {
    ThrowOverflow();
  }
  return RoundFixed(Divide(LnOf(value), LnOf(base)), 0, scale);
}

__int128 Power(__int128 base, __int128 exponent) {
  // POSIX pow(): NaN ^ 0 = 1 and 1 ^ NaN = 1; every other NaN input gives NaN.
  if (IsNaN(base)) {
    return !IsSpecial(exponent) && Sign(exponent) == 0 ? Pack(1, 0) : kNaN;
  }
  if (IsNaN(exponent)) {
    return !IsSpecial(base) && Compare(base, Pack(1, 0)) == 0 ? Pack(1, 0) : kNaN;
  }
  if (Sign(base) == 0 && Sign(exponent) < 0) {
    throw Error(SqlState::kInvalidArgumentForPowerFunction,
                "zero raised to a negative power is undefined");
  }
  if (IsSpecial(base) || IsSpecial(exponent)) {
    return PowerSpecial(base, exponent);
  }
  const Decimal x = Unpack(base);
  const Decimal y = Unpack(exponent);
  const bool integral = IsInteger(y);
  if (integral) {
    const __int128 integer = y.unscaled / static_cast<__int128>(kPowersOfTen128[y.scale]);
    if (integer >= INT32_MIN && integer <= INT32_MAX) {
      const int32_t scale = ClampScale(std::max(kMinSignificantDigits, x.scale));
      return PowerInteger(x, static_cast<int64_t>(integer), scale);
    }
  }
  if (x.unscaled == 0) {
    return Pack(0, kMinSignificantDigits);
  }
  bool negative = false;
  if (x.unscaled < 0) {
    if (!integral) {
      throw Error(SqlState::kInvalidArgumentForPowerFunction,
                  "a negative number raised to a non-integer power yields a complex result");
    }
    const __int128 integer = y.unscaled / static_cast<__int128>(kPowersOfTen128[y.scale]);
    negative = integer % 2 != 0;
  }
  const Unsigned magnitude = Magnitude(x.unscaled);
  const __int128 absolute_base = Pack(static_cast<__int128>(magnitude), x.scale);
  // Postgres first estimates exponent * ln(base) to about 8 significant digits to pick the scale:
  // ln(base) rounded to local_scale decimals, times the exponent, rounded again.
  const int32_t ln_weight = EstimateLnWeight(absolute_base);
  const int32_t local_scale = ClampScale(8 - ln_weight);
  const Fixed logarithm = LnFixed(magnitude, x.scale);
  double estimate = 0;
  {
    Fixed ln_rounded = logarithm;
    ln_rounded.negative = false;
    Big ln_digits = ln_rounded.magnitude;
    if (!internal::MultiplyPow10InPlace(ln_digits, local_scale)) {
      ThrowOverflow();
    }
    Big half = Big::FromU128(1);
    internal::ShiftLeftInPlace(half, kFractionBits - 1);
    internal::AddInPlace(ln_digits, half);
    internal::ShiftRightInPlace(ln_digits, kFractionBits);
    // times the exponent, rounded to local_scale decimals
    Big product;
    if (!internal::Multiply(ln_digits, Big::FromU128(Magnitude(y.unscaled)), product)) {
      ThrowOverflow();
    }
    if (y.scale > 0) {
      Big half_unit = Big::FromU128(5);
      internal::MultiplyPow10InPlace(half_unit, y.scale - 1);
      internal::AddInPlace(product, half_unit);
      internal::DividePow10InPlace(product, y.scale);
    }
    estimate = WideToDouble(product, local_scale,
                            logarithm.negative != (y.unscaled < 0) && !product.IsZero());
  }
  if (std::fabs(estimate) > 2000 * 3.01) {
    // Postgres overflows, or returns zero with 1000 decimals, which no value here can show.
    ThrowOverflow();
  }
  const double weight = estimate * 0.434294481903252;
  const int32_t scale =
      ClampScale(std::max({kMinSignificantDigits - static_cast<int32_t>(weight),
                           static_cast<int32_t>(x.scale), static_cast<int32_t>(y.scale)}));
  if (weight >= kMaxDigits + 1 || scale > kMaxScale) {
    ThrowOverflow();
  }
  Scientific result = ExpFixed(
      Multiply(logarithm, FixedFromDecimal(Magnitude(y.unscaled), y.scale, y.unscaled < 0)));
  result.mantissa.negative = negative;
  return RoundFixed(result.mantissa, result.exponent, scale);
}

}  // namespace freshet::numeric
