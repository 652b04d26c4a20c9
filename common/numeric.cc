// SPDX-License-Identifier: Apache-2.0
#include "common/numeric.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <optional>

#include <fmt/format.h>

#include "common/error.h"
#include "common/internal/numeric_internal.h"
#include "common/internal/wide_unsigned.h"

namespace freshet::numeric {

namespace internal {

[[noreturn]] void ThrowOverflow() {
  throw Error(SqlState::kNumericValueOutOfRange, "value overflows numeric format");
}

[[noreturn]] void ThrowDivisionByZero() {
  throw Error(SqlState::kDivisionByZero, "division by zero");
}

int DigitCount(Unsigned value) {
  int count = 0;
  while (count <= kMaxPowerOfTen && value >= kPowersOfTen128[count]) {
    ++count;
  }
  return count;
}

__int128 PackSigned(bool negative, Unsigned magnitude, int32_t scale) {
  if (magnitude >= kPowersOfTen128[kMaxDigits]) {
    ThrowOverflow();
  }
  const auto unscaled = static_cast<__int128>(magnitude);
  return Pack(negative ? -unscaled : unscaled, scale);
}

NbaseDigits ToNbase(Unsigned magnitude, int32_t scale) {
  NbaseDigits result;
  if (magnitude == 0) {
    return result;
  }
  // Align the decimal point on a base-10000 digit boundary, as Postgres stores values.
  const int32_t pad = (4 - scale % 4) % 4;
  Unsigned aligned = magnitude * kPowersOfTen128[pad];
  const int32_t fraction_groups = (scale + pad) / 4;
  std::array<int32_t, 12> groups{};  // least significant first
  int count = 0;
  while (aligned != 0) {
    groups[count++] = static_cast<int32_t>(aligned % 10000);
    aligned /= 10000;
  }
  int lowest = 0;
  while (groups[lowest] == 0) {
    ++lowest;
  }
  result.weight = count - 1 - fraction_groups;
  result.ndigits = count - lowest;
  for (int i = 0; i < result.ndigits; ++i) {
    result.digits[i] = groups[count - 1 - i];
  }
  return result;
}

}  // namespace internal

namespace {

using internal::DigitCount;
using internal::kPowersOfTen128;
using internal::Magnitude;
using internal::PackSigned;
using internal::ThrowDivisionByZero;
using internal::ThrowOverflow;
using internal::Unsigned;
using Wide = internal::WideUnsigned<8>;

// Postgres's NUMERIC_MAX_RESULT_SCALE: round() and trunc() clamp their scale argument to it.
constexpr int32_t kMaxResultScale = 2000;

// value * 10^exponent, false when it leaves the range of __int128.
bool ScaleUp(__int128 value, int32_t exponent, __int128& out) {
  if (value == 0) {
    out = 0;
    return true;
  }
  if (exponent > internal::kMaxPowerOfTen) {
    return false;
  }
  return !__builtin_mul_overflow(value, static_cast<__int128>(kPowersOfTen128[exponent]), &out);
}

// Postgres's rules for NaN and the infinities in + and -: Infinity - Infinity is NaN.
__int128 AddSpecial(__int128 a, __int128 b) {
  if (IsNaN(a) || IsNaN(b)) {
    return kNaN;
  }
  if (IsInfinite(a) && IsInfinite(b) && a != b) {
    return kNaN;
  }
  return IsInfinite(a) ? a : b;
}

__int128 AddOrSubtract(__int128 a, __int128 b, bool subtract) {
  if (IsSpecial(a) || IsSpecial(b)) {
    return AddSpecial(a, subtract ? Negate(b) : b);
  }
  const Decimal x = Unpack(a);
  Decimal y = Unpack(b);
  if (subtract) {
    y.unscaled = -y.unscaled;
  }
  const int32_t scale = std::max(x.scale, y.scale);
  __int128 x_aligned = 0;
  __int128 y_aligned = 0;
  __int128 sum = 0;
  // When aligning overflows, the aligned operand alone exceeds the range by far, so the sum does.
  if (!ScaleUp(x.unscaled, scale - x.scale, x_aligned) ||
      !ScaleUp(y.unscaled, scale - y.scale, y_aligned) ||
      __builtin_add_overflow(x_aligned, y_aligned, &sum)) {
    ThrowOverflow();
  }
  return Pack(sum, scale);
}

// Postgres's select_div_scale: enough decimals for NUMERIC_MIN_SIG_DIGITS (16) significant
// digits, judged from the base-10000 weights and first digits of the operands, and no fewer than
// either operand's.
int32_t SelectDivScale(const Decimal& x, const Decimal& y) {
  const internal::NbaseDigits a = internal::ToNbase(Magnitude(x.unscaled), x.scale);
  const internal::NbaseDigits b = internal::ToNbase(Magnitude(y.unscaled), y.scale);
  const int32_t first_a = a.ndigits > 0 ? a.digits[0] : 0;
  const int32_t first_b = b.ndigits > 0 ? b.digits[0] : 0;
  int32_t quotient_weight = a.weight - b.weight;
  if (first_a <= first_b) {
    --quotient_weight;
  }
  int32_t scale = internal::kMinSignificantDigits - quotient_weight * 4;
  scale = std::max({scale, x.scale, y.scale, 0});
  return std::min(scale, internal::kMaxDisplayScale);
}

// r >= d - r, i.e. the remainder r of a division by d is at least half of d.
bool RoundsUp(Unsigned remainder, Unsigned divisor) {
  return remainder >= divisor - remainder;
}

bool RoundsUp(const Wide& remainder, const Wide& divisor) {
  Wide rest = divisor;
  internal::SubtractInPlace(rest, remainder);
  return internal::Compare(remainder, rest) >= 0;
}

// floor(numerator * 10^exponent / divisor), rounded half up when `round`; the quotient must stay
// below 10^kMaxDigits, which the callers have checked within one digit.
Unsigned ScaledQuotient(Unsigned numerator, int32_t exponent, Unsigned divisor, bool round) {
  if (exponent <= internal::kMaxPowerOfTen &&
      numerator <= std::numeric_limits<Unsigned>::max() / kPowersOfTen128[exponent]) {
    const Unsigned scaled = numerator * kPowersOfTen128[exponent];
    Unsigned quotient = scaled / divisor;
    if (round && RoundsUp(scaled % divisor, divisor)) {
      ++quotient;
    }
    return quotient;
  }
  Wide wide_numerator = Wide::FromU128(numerator);
  if (!internal::MultiplyPow10InPlace(wide_numerator, exponent)) {
    ThrowOverflow();
  }
  const Wide wide_divisor = Wide::FromU128(divisor);
  Wide quotient;
  Wide remainder;
  internal::DivideModulo(wide_numerator, wide_divisor, quotient, remainder);
  if (!quotient.FitsU128()) {
    ThrowOverflow();
  }
  Unsigned result = quotient.Low128();
  if (round && RoundsUp(remainder, wide_divisor)) {
    ++result;
  }
  return result;
}

// The exact decimal of a parsed text: `digits` (only '0'-'9', maybe with a '.' inside) times
// 10^exponent, with the sign apart.
struct ParsedText {
  bool negative = false;
  std::string_view digits;
  int64_t integer_digits = 0;
  int64_t fraction_digits = 0;
  int64_t exponent = 0;
};

[[noreturn]] void ThrowInvalidSyntax(std::string_view text) {
  throw Error(SqlState::kInvalidTextRepresentation,
              fmt::format("invalid input syntax for type numeric: \"{}\"", text));
}

bool IsSpace(char c) {
  return std::isspace(static_cast<unsigned char>(c)) != 0;
}

bool StartsWithIgnoringCase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) {
    return false;
  }
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) != prefix[i]) {
      return false;
    }
  }
  return true;
}

// NaN and the infinities as numeric_in spells them, in any case, with spaces around; nothing else.
std::optional<__int128> ScanSpecial(std::string_view text) {
  size_t start = 0;
  while (start < text.size() && IsSpace(text[start])) {
    ++start;
  }
  struct Spelling {
    std::string_view text;
    __int128 value;
  };
  for (const Spelling& spelling :
       {Spelling{"nan", kNaN}, Spelling{"infinity", kPositiveInfinity},
        Spelling{"+infinity", kPositiveInfinity}, Spelling{"-infinity", kNegativeInfinity},
        Spelling{"inf", kPositiveInfinity}, Spelling{"+inf", kPositiveInfinity},
        Spelling{"-inf", kNegativeInfinity}}) {
    if (StartsWithIgnoringCase(text.substr(start), spelling.text)) {
      size_t end = start + spelling.text.size();
      while (end < text.size() && IsSpace(text[end])) {
        ++end;
      }
      if (end == text.size()) {
        return spelling.value;
      }
    }
  }
  return std::nullopt;
}

// Splits the text as numeric_in's set_var_from_str reads it.
ParsedText Scan(std::string_view text) {
  size_t i = 0;
  while (i < text.size() && IsSpace(text[i])) {
    ++i;
  }
  ParsedText parsed;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
    parsed.negative = text[i] == '-';
    ++i;
  }
  const size_t start = i;
  bool have_point = false;
  if (i < text.size() && text[i] == '.') {
    have_point = true;
    ++i;
  }
  if (i >= text.size() || !std::isdigit(static_cast<unsigned char>(text[i]))) {
    ThrowInvalidSyntax(text);
  }
  while (i < text.size()) {
    const char c = text[i];
    if (std::isdigit(static_cast<unsigned char>(c))) {
      (have_point ? parsed.fraction_digits : parsed.integer_digits) += 1;
    } else if (c == '.') {
      if (have_point) {
        ThrowInvalidSyntax(text);
      }
      have_point = true;
    } else {
      break;
    }
    ++i;
  }
  parsed.digits = text.substr(start, i - start);
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    // strtol: optional spaces and sign, then at least one digit.
    ++i;
    while (i < text.size() && IsSpace(text[i])) {
      ++i;
    }
    bool negative_exponent = false;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
      negative_exponent = text[i] == '-';
      ++i;
    }
    if (i >= text.size() || !std::isdigit(static_cast<unsigned char>(text[i]))) {
      ThrowInvalidSyntax(text);
    }
    int64_t exponent = 0;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
      exponent = std::min<int64_t>(exponent * 10 + (text[i] - '0'), 1'000'000'000);
      ++i;
    }
    if (exponent >= std::numeric_limits<int32_t>::max() / 2) {
      ThrowOverflow();
    }
    parsed.exponent = negative_exponent ? -exponent : exponent;
  }
  while (i < text.size()) {
    if (!IsSpace(text[i])) {
      ThrowInvalidSyntax(text);
    }
    ++i;
  }
  return parsed;
}

[[noreturn]] void ThrowFieldOverflow(int32_t precision, int32_t scale) {
  const int32_t max_digits = precision - scale;
  throw Error(SqlState::kNumericValueOutOfRange, "numeric field overflow")
      .WithDetail(fmt::format(
          "A field with precision {}, scale {} must round to an absolute value less than {}{}.",
          precision, scale, max_digits != 0 ? "10^" : "", max_digits != 0 ? max_digits : 1));
}

// apply_typmod's overflow test on a value already rounded to the typmod's scale.
void CheckTypmodDigits(__int128 value, int32_t precision, int32_t scale) {
  const Decimal x = Unpack(value);
  if (x.unscaled == 0) {
    return;
  }
  const int32_t integer_digits = DigitCount(Magnitude(x.unscaled)) - x.scale;
  if (integer_digits > precision - scale) {
    ThrowFieldOverflow(precision, scale);
  }
}

// Writes the text of a value into `buffer` (at least kMaxTextSize bytes); returns its length.
constexpr size_t kMaxTextSize = kMaxScale + 48;

size_t FormatTo(__int128 value, char* buffer) {
  if (IsSpecial(value)) {
    const std::string_view text = IsNaN(value)                 ? "NaN"
                                  : value == kPositiveInfinity ? "Infinity"
                                                               : "-Infinity";
    std::memcpy(buffer, text.data(), text.size());
    return text.size();
  }
  const Decimal x = Unpack(value);
  Unsigned magnitude = Magnitude(x.unscaled);
  char reversed[kMaxTextSize];
  int count = 0;
  do {
    reversed[count++] = static_cast<char>('0' + static_cast<int>(magnitude % 10));
    magnitude /= 10;
  } while (magnitude != 0);
  while (count <= x.scale) {
    reversed[count++] = '0';
  }
  size_t length = 0;
  if (x.unscaled < 0) {
    buffer[length++] = '-';
  }
  for (int i = count - 1; i >= 0; --i) {
    buffer[length++] = reversed[i];
    if (i == x.scale && x.scale > 0) {
      buffer[length++] = '.';
    }
  }
  return length;
}

}  // namespace

__int128 Pack(__int128 unscaled, int32_t scale) {
  const auto limit = static_cast<__int128>(kPowersOfTen128[kMaxDigits]);
  if (scale < 0 || scale > kMaxScale || unscaled >= limit || unscaled <= -limit) {
    ThrowOverflow();
  }
  return unscaled * 256 + scale;
}

namespace {

// -Infinity < finite < Infinity < NaN, as cmp_numerics orders them.
int SpecialRank(__int128 value) {
  return value == kNegativeInfinity ? -1
                                    : (value == kPositiveInfinity ? 1 : (IsNaN(value) ? 2 : 0));
}

}  // namespace

int Compare(__int128 a, __int128 b) {
  if (IsSpecial(a) || IsSpecial(b)) {
    const int rank_a = SpecialRank(a);
    const int rank_b = SpecialRank(b);
    return rank_a < rank_b ? -1 : (rank_a > rank_b ? 1 : 0);
  }
  const Decimal x = Unpack(a);
  const Decimal y = Unpack(b);
  if (x.scale == y.scale) {
    return x.unscaled < y.unscaled ? -1 : (x.unscaled > y.unscaled ? 1 : 0);
  }
  const int x_sign = x.unscaled > 0 ? 1 : (x.unscaled < 0 ? -1 : 0);
  const int y_sign = y.unscaled > 0 ? 1 : (y.unscaled < 0 ? -1 : 0);
  if (x_sign != y_sign) {
    return x_sign < y_sign ? -1 : 1;
  }
  if (x_sign == 0) {
    return 0;
  }
  // Same sign: bring the smaller scale up. If that overflows, its magnitude is the larger one.
  __int128 x_aligned = x.unscaled;
  __int128 y_aligned = y.unscaled;
  if (x.scale < y.scale) {
    if (!ScaleUp(x.unscaled, y.scale - x.scale, x_aligned)) {
      return x_sign;
    }
  } else if (!ScaleUp(y.unscaled, x.scale - y.scale, y_aligned)) {
    return -x_sign;
  }
  return x_aligned < y_aligned ? -1 : (x_aligned > y_aligned ? 1 : 0);
}

__int128 Normalize(__int128 value) {
  if (IsSpecial(value)) {
    return value;
  }
  Decimal x = Unpack(value);
  if (x.unscaled == 0) {
    return 0;
  }
  while (x.scale > 0 && x.unscaled % 10 == 0) {
    x.unscaled /= 10;
    --x.scale;
  }
  return Pack(x.unscaled, x.scale);
}

__int128 Add(__int128 a, __int128 b) {
  return AddOrSubtract(a, b, false);
}

__int128 Subtract(__int128 a, __int128 b) {
  return AddOrSubtract(a, b, true);
}

__int128 Multiply(__int128 a, __int128 b) {
  if (IsSpecial(a) || IsSpecial(b)) {
    // Infinity * 0 is NaN; otherwise the signs decide.
    if (IsNaN(a) || IsNaN(b)) {
      return kNaN;
    }
    const int sign = Sign(a) * Sign(b);
    return sign == 0 ? kNaN : (sign > 0 ? kPositiveInfinity : kNegativeInfinity);
  }
  const Decimal x = Unpack(a);
  const Decimal y = Unpack(b);
  __int128 product = 0;
  if (__builtin_mul_overflow(x.unscaled, y.unscaled, &product)) {
    ThrowOverflow();
  }
  return Pack(product, x.scale + y.scale);
}

namespace {

// numeric_div and numeric_div_trunc with NaN or an infinity: Infinity / Infinity is NaN, a finite
// value divided by an infinity is 0.
__int128 DivideSpecial(__int128 a, __int128 b) {
  if (IsNaN(a) || IsNaN(b)) {
    return kNaN;
  }
  if (IsInfinite(a)) {
    if (IsInfinite(b)) {
      return kNaN;
    }
    const int sign = Sign(b);
    if (sign == 0) {
      ThrowDivisionByZero();
    }
    return sign * Sign(a) > 0 ? kPositiveInfinity : kNegativeInfinity;
  }
  return 0;
}

}  // namespace

__int128 Divide(__int128 a, __int128 b) {
  if (IsSpecial(a) || IsSpecial(b)) {
    return DivideSpecial(a, b);
  }
  const Decimal x = Unpack(a);
  const Decimal y = Unpack(b);
  if (y.unscaled == 0) {
    ThrowDivisionByZero();
  }
  const int32_t scale = SelectDivScale(x, y);
  if (scale > kMaxScale) {
    ThrowOverflow();
  }
  if (x.unscaled == 0) {
    return Pack(0, scale);
  }
  const Unsigned numerator = Magnitude(x.unscaled);
  const Unsigned divisor = Magnitude(y.unscaled);
  // quotient = numerator * 10^exponent / divisor, at least 10^(digits - 1).
  const int32_t exponent = scale + y.scale - x.scale;
  if (DigitCount(numerator) - 1 + exponent - DigitCount(divisor) >= kMaxDigits) {
    ThrowOverflow();
  }
  const Unsigned quotient = ScaledQuotient(numerator, exponent, divisor, true);
  return PackSigned((x.unscaled < 0) != (y.unscaled < 0), quotient, scale);
}

__int128 DivideTruncate(__int128 a, __int128 b) {
  if (IsSpecial(a) || IsSpecial(b)) {
    return DivideSpecial(a, b);
  }
  const Decimal x = Unpack(a);
  const Decimal y = Unpack(b);
  if (y.unscaled == 0) {
    ThrowDivisionByZero();
  }
  const Unsigned numerator = Magnitude(x.unscaled);
  const Unsigned divisor = Magnitude(y.unscaled);
  const bool negative = (x.unscaled < 0) != (y.unscaled < 0);
  if (y.scale >= x.scale) {
    const int32_t exponent = y.scale - x.scale;
    if (numerator != 0 &&
        DigitCount(numerator) - 1 + exponent - DigitCount(divisor) >= kMaxDigits) {
      ThrowOverflow();
    }
    return PackSigned(negative, ScaledQuotient(numerator, exponent, divisor, false), 0);
  }
  // The divisor gains the zeros; once it has more digits than the numerator the quotient is 0.
  const int32_t exponent = x.scale - y.scale;
  if (DigitCount(divisor) + exponent > DigitCount(numerator)) {
    return 0;
  }
  return PackSigned(negative, numerator / (divisor * kPowersOfTen128[exponent]), 0);
}

__int128 Modulo(__int128 a, __int128 b) {
  if (IsSpecial(a) || IsSpecial(b)) {
    // Infinity % x is NaN (x nonzero); x % Infinity is x.
    if (IsNaN(a) || IsNaN(b)) {
      return kNaN;
    }
    if (IsInfinite(a)) {
      if (Sign(b) == 0) {
        ThrowDivisionByZero();
      }
      return kNaN;
    }
    return a;
  }
  const Decimal x = Unpack(a);
  const Decimal y = Unpack(b);
  if (y.unscaled == 0) {
    ThrowDivisionByZero();
  }
  const int32_t scale = std::max(x.scale, y.scale);
  Unsigned divisor = Magnitude(y.unscaled);
  Unsigned remainder = Magnitude(x.unscaled);
  if (y.scale < scale) {
    // The divisor gains zeros: below the numerator's digits it is larger than the numerator.
    const int32_t exponent = scale - y.scale;
    if (DigitCount(divisor) + exponent > DigitCount(remainder)) {
      return Pack(x.unscaled, scale);
    }
    divisor *= kPowersOfTen128[exponent];
    remainder %= divisor;
  } else {
    // The numerator gains zeros: reduce modulo the divisor a few digits at a time.
    remainder %= divisor;
    for (int32_t exponent = scale - x.scale; exponent > 0;) {
      const int32_t step = std::min(exponent, 9);
      Wide wide = Wide::FromU128(remainder);
      internal::MultiplySmallInPlace(wide, internal::kPowersOfTen[step]);
      Wide quotient;
      Wide rest;
      internal::DivideModulo(wide, Wide::FromU128(divisor), quotient, rest);
      remainder = rest.Low128();
      exponent -= step;
    }
  }
  return PackSigned(x.unscaled < 0, remainder, scale);
}

__int128 Negate(__int128 a) {
  if (IsSpecial(a)) {
    return IsNaN(a) ? a : -a;
  }
  const Decimal x = Unpack(a);
  return Pack(-x.unscaled, x.scale);
}

__int128 Abs(__int128 a) {
  if (IsSpecial(a)) {
    return IsNaN(a) ? a : kPositiveInfinity;
  }
  const Decimal x = Unpack(a);
  return Pack(x.unscaled < 0 ? -x.unscaled : x.unscaled, x.scale);
}

int Sign(__int128 a) {
  if (IsNaN(a)) {
    return 0;
  }
  const __int128 unscaled = Unscaled(a);
  return unscaled > 0 ? 1 : (unscaled < 0 ? -1 : 0);
}

namespace {

// Round or truncate to `scale` decimals; a negative scale leaves zeros in the integer part.
__int128 Quantize(__int128 value, int32_t scale, bool round) {
  if (IsSpecial(value)) {
    return value;
  }
  scale = std::clamp(scale, -kMaxResultScale, kMaxResultScale);
  const Decimal x = Unpack(value);
  if (scale >= x.scale) {
    __int128 unscaled = 0;
    if (scale > kMaxScale || !ScaleUp(x.unscaled, scale - x.scale, unscaled)) {
      ThrowOverflow();
    }
    return Pack(unscaled, scale);
  }
  const int32_t dropped = x.scale - scale;
  const Unsigned magnitude = Magnitude(x.unscaled);
  Unsigned quotient = 0;
  if (dropped <= internal::kMaxPowerOfTen) {
    const Unsigned divisor = kPowersOfTen128[dropped];
    quotient = magnitude / divisor;
    if (round && RoundsUp(magnitude % divisor, divisor)) {
      ++quotient;
    }
  }
  if (scale >= 0) {
    return PackSigned(x.unscaled < 0, quotient, scale);
  }
  if (quotient == 0) {
    return 0;
  }
  if (-scale > kMaxDigits) {
    ThrowOverflow();
  }
  if (quotient >= kPowersOfTen128[kMaxDigits + scale]) {
    ThrowOverflow();
  }
  return PackSigned(x.unscaled < 0, quotient * kPowersOfTen128[-scale], 0);
}

// The integer part toward zero and whether a fraction was dropped, for ceil and floor.
__int128 IntegerPart(const Decimal& x, bool& has_fraction) {
  if (x.scale == 0) {
    has_fraction = false;
    return x.unscaled;
  }
  if (x.scale > internal::kMaxPowerOfTen) {
    has_fraction = x.unscaled != 0;
    return 0;
  }
  const auto divisor = static_cast<__int128>(kPowersOfTen128[x.scale]);
  has_fraction = x.unscaled % divisor != 0;
  return x.unscaled / divisor;
}

}  // namespace

__int128 Round(__int128 value, int32_t scale) {
  return Quantize(value, scale, true);
}

__int128 Truncate(__int128 value, int32_t scale) {
  return Quantize(value, scale, false);
}

__int128 Ceil(__int128 value) {
  if (IsSpecial(value)) {
    return value;
  }
  const Decimal x = Unpack(value);
  bool has_fraction = false;
  const __int128 integer = IntegerPart(x, has_fraction);
  return Pack(has_fraction && x.unscaled > 0 ? integer + 1 : integer, 0);
}

__int128 Floor(__int128 value) {
  if (IsSpecial(value)) {
    return value;
  }
  const Decimal x = Unpack(value);
  bool has_fraction = false;
  const __int128 integer = IntegerPart(x, has_fraction);
  return Pack(has_fraction && x.unscaled < 0 ? integer - 1 : integer, 0);
}

__int128 ApplyTypmod(__int128 value, int32_t precision, int32_t scale) {
  if (precision < 0 || IsNaN(value)) {
    return value;
  }
  if (IsInfinite(value)) {
    throw Error(SqlState::kNumericValueOutOfRange, "numeric field overflow")
        .WithDetail(
            fmt::format("A field with precision {}, scale {} cannot hold an infinite value.",
                        precision, scale));
  }
  if (Scale(value) == scale) {
    CheckTypmodDigits(value, precision, scale);
    return value;
  }
  const __int128 rounded = Round(value, scale);
  CheckTypmodDigits(rounded, precision, scale);
  return rounded;
}

__int128 Parse(std::string_view text, int32_t precision, int32_t scale) {
  if (const std::optional<__int128> special = ScanSpecial(text)) {
    return ApplyTypmod(*special, precision, scale);
  }
  const ParsedText parsed = Scan(text);
  // The value is D * 10^(exponent - fraction_digits) for the digit string D. Without a typmod it
  // keeps Postgres's dscale; with one it is rounded straight to the typmod's scale, which equals
  // parsing exactly and then rounding.
  const int64_t display_scale = std::max<int64_t>(0, parsed.fraction_digits - parsed.exponent);
  const int64_t target_scale = precision >= 0 ? scale : display_scale;
  const int64_t total_digits = parsed.integer_digits + parsed.fraction_digits;
  const int64_t shift = parsed.exponent - parsed.fraction_digits + target_scale;
  const int64_t keep = total_digits + shift;  // leading digits of D that stay
  auto overflow = [&]() {
    if (precision >= 0) {
      ThrowFieldOverflow(precision, scale);
    }
    ThrowOverflow();
  };
  Unsigned unscaled = 0;
  int64_t index = 0;
  bool round_up = false;
  const Unsigned limit = kPowersOfTen128[kMaxDigits];
  for (char c : parsed.digits) {
    if (c == '.') {
      continue;
    }
    const int digit = c - '0';
    if (index < keep) {
      unscaled = unscaled * 10 + static_cast<Unsigned>(digit);
      if (unscaled >= limit) {
        overflow();
      }
    } else if (index == keep) {
      round_up = digit >= 5;
    }
    ++index;
  }
  if (shift > 0 && unscaled != 0) {
    if (shift > kMaxDigits || unscaled >= limit / kPowersOfTen128[shift]) {
      overflow();
    }
    unscaled *= kPowersOfTen128[shift];
  }
  if (round_up) {
    ++unscaled;
  }
  int64_t result_scale = target_scale;
  if (result_scale < 0) {
    // NUMERIC(p, negative s): rounded to tens, hundreds, ...; shown without decimals.
    if (unscaled != 0) {
      if (-result_scale > kMaxDigits || unscaled >= limit / kPowersOfTen128[-result_scale]) {
        overflow();
      }
      unscaled *= kPowersOfTen128[-result_scale];
    }
    result_scale = 0;
  }
  if (unscaled >= limit) {
    overflow();
  }
  if (result_scale > kMaxScale) {
    ThrowOverflow();
  }
  const __int128 value = PackSigned(parsed.negative, unscaled, static_cast<int32_t>(result_scale));
  if (precision >= 0) {
    CheckTypmodDigits(value, precision, scale);
  }
  return value;
}

void Format(__int128 value, std::string& out) {
  char buffer[kMaxTextSize];
  out.append(buffer, FormatTo(value, buffer));
}

std::string ToString(__int128 value) {
  std::string out;
  Format(value, out);
  return out;
}

__int128 FromInteger(__int128 value) {
  return Pack(value, 0);
}

bool ToInteger(__int128 value, int64_t min, int64_t max, int64_t& out) {
  const __int128 integer = Unscaled(Round(value, 0));
  if (integer < min || integer > max) {
    return false;
  }
  out = static_cast<int64_t>(integer);
  return true;
}

__int128 FromDouble(double value, bool is_float4) {
  if (std::isnan(value)) {
    return kNaN;
  }
  if (std::isinf(value)) {
    return value > 0 ? kPositiveInfinity : kNegativeInfinity;
  }
  // float8_numeric prints DBL_DIG (15) significant digits, float4_numeric FLT_DIG (6).
  char buffer[64];
  const int length = std::snprintf(buffer, sizeof(buffer), "%.*g", is_float4 ? 6 : 15, value);
  return Parse(std::string_view(buffer, static_cast<size_t>(length)));
}

double ToDouble(__int128 value) {
  if (IsSpecial(value)) {
    return IsNaN(value) ? std::numeric_limits<double>::quiet_NaN()
                        : (value > 0 ? std::numeric_limits<double>::infinity()
                                     : -std::numeric_limits<double>::infinity());
  }
  char buffer[kMaxTextSize];
  const size_t length = FormatTo(value, buffer);
  double result = 0;
  std::from_chars(buffer, buffer + length, result);
  return result;
}

float ToFloat(__int128 value) {
  if (IsSpecial(value)) {
    return static_cast<float>(ToDouble(value));
  }
  char buffer[kMaxTextSize];
  const size_t length = FormatTo(value, buffer);
  float result = 0;
  if (std::from_chars(buffer, buffer + length, result).ec == std::errc::result_out_of_range) {
    throw Error(
        SqlState::kNumericValueOutOfRange,
        fmt::format("\"{}\" is out of range for type real", std::string_view(buffer, length)));
  }
  return result;
}

}  // namespace freshet::numeric
