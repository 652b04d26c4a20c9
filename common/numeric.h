// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

// NUMERIC values, computed as PostgreSQL 15's numeric.c computes them.
//
// A value is one __int128 (PhysicalType::kInt128) that packs an exact decimal: `unscaled * 256 +
// scale`, so the value is unscaled / 10^scale and `scale` (0..255, the low byte) is Postgres's
// display scale (dscale). Every value carries its own scale, which is how an unconstrained NUMERIC
// prints `1.50` and `3.3333333333333333` exactly as Postgres does; a NUMERIC(p,s) column simply
// holds values whose scale is s (ApplyTypmod). The unscaled integer has at most kMaxDigits digits;
// a result beyond that fails with 22003 "value overflows numeric format" (Postgres itself allows
// 131072 digits before the point and 16383 after).
//
// NaN, Infinity and -Infinity exist as in Postgres 15 (kNaN, kPositiveInfinity,
// kNegativeInfinity): packed with unscaled values beyond kMaxDigits digits, which no finite value
// uses, and handled by every function here as Postgres handles them.
//
// The packed integers do NOT order or compare like the values they stand for (1.0 and 1.00 differ,
// 2 packs below 0.5): compare with Compare(), hash Normalize()d values, and key-encode with the
// storage key codec.
//
// Functions throw Error with Postgres's SQLSTATE and message: 22003 on overflow, 22012 on division
// by zero, 22P02 on bad text, 2201E / 2201F for logarithm and power arguments.
namespace freshet::numeric {

/// Most decimal digits of the unscaled integer: every 35-digit integer fits the 120 value bits.
inline constexpr int32_t kMaxDigits = 35;
/// Largest display scale (the low byte).
inline constexpr int32_t kMaxScale = 255;

/// 10^kMaxDigits: the unscaled integer of every finite value is below it in magnitude.
inline constexpr __int128 kUnscaledLimit =
    static_cast<__int128>(10'000'000'000'000'000LL) * 10'000'000'000'000'000LL * 1'000;
/// 'Infinity'::numeric.
inline constexpr __int128 kPositiveInfinity = (kUnscaledLimit + 1) * 256;
/// '-Infinity'::numeric.
inline constexpr __int128 kNegativeInfinity = -(kUnscaledLimit + 1) * 256;
/// 'NaN'::numeric: equal to itself and above +Infinity, as Postgres orders it.
inline constexpr __int128 kNaN = (kUnscaledLimit + 2) * 256;

/// True for NaN and the infinities.
inline bool IsSpecial(__int128 packed) {
  const __int128 unscaled = packed >> 8;
  return unscaled >= kUnscaledLimit || unscaled <= -kUnscaledLimit;
}
/// True for NaN.
inline bool IsNaN(__int128 packed) {
  return packed == kNaN;
}
/// True for Infinity and -Infinity.
inline bool IsInfinite(__int128 packed) {
  return packed == kPositiveInfinity || packed == kNegativeInfinity;
}

/// The parts of a packed finite value.
struct Decimal {
  __int128 unscaled = 0;
  int32_t scale = 0;
};

/// Packs `unscaled` / 10^`scale`; throws 22003 when it does not fit (too many digits or scale).
__int128 Pack(__int128 unscaled, int32_t scale);
/// The unscaled integer of a packed value.
inline __int128 Unscaled(__int128 packed) {
  return packed >> 8;
}
/// The display scale of a packed value.
inline int32_t Scale(__int128 packed) {
  return static_cast<int32_t>(packed & 0xff);
}
/// The parts of a packed value.
inline Decimal Unpack(__int128 packed) {
  return Decimal{Unscaled(packed), Scale(packed)};
}

/// Three-way comparison by value across scales (1.0 equals 1.00; -Infinity < finite < Infinity <
/// NaN): -1, 0 or 1.
int Compare(__int128 a, __int128 b);
/// The same value at the smallest scale that shows it exactly (trim_scale): equal values
/// normalize to identical packed integers, for hashing and grouping.
__int128 Normalize(__int128 value);

/// a + b at the larger of the two scales.
__int128 Add(__int128 a, __int128 b);
/// a - b at the larger of the two scales.
__int128 Subtract(__int128 a, __int128 b);
/// a * b at the sum of the scales (exact).
__int128 Multiply(__int128 a, __int128 b);
/// a / b rounded half away from zero at Postgres's select_div_scale: at least 16 significant
/// digits and no fewer decimals than either input; 22012 when b is zero.
__int128 Divide(__int128 a, __int128 b);
/// The truncated integer quotient, scale 0 (div(numeric, numeric)); 22012 when b is zero.
__int128 DivideTruncate(__int128 a, __int128 b);
/// a - trunc(a / b) * b at the larger scale, with the sign of a (% and mod); 22012 when b is zero.
__int128 Modulo(__int128 a, __int128 b);
/// -a, keeping the scale.
__int128 Negate(__int128 a);
/// |a|, keeping the scale.
__int128 Abs(__int128 a);
/// -1, 0 or 1 of the value's sign (of an infinity too); 0 for NaN.
int Sign(__int128 a);

/// Rounds half away from zero to `scale` decimals (negative: to tens, hundreds, ...) as
/// round(numeric, int); the result has display scale max(scale, 0).
__int128 Round(__int128 value, int32_t scale);
/// Truncates toward zero to `scale` decimals as trunc(numeric, int).
__int128 Truncate(__int128 value, int32_t scale);
/// The smallest integer not below the value, scale 0.
__int128 Ceil(__int128 value);
/// The largest integer not above the value, scale 0.
__int128 Floor(__int128 value);
/// Coerces a value to NUMERIC(precision, scale) as Postgres's apply_typmod does: rounds to `scale`
/// and throws 22003 "numeric field overflow" (with Postgres's DETAIL) when the integer part needs
/// more than precision - scale digits. A negative `precision` means unconstrained: no change.
__int128 ApplyTypmod(__int128 value, int32_t precision, int32_t scale);

/// Parses text as numeric_in does (spaces, sign, digits, point, exponent), then applies the typmod
/// NUMERIC(precision, scale) unless `precision` is negative; throws 22P02 on bad syntax, 22003 when
/// the value does not fit. Accepts NaN, Infinity, -Infinity, inf and -inf in any case.
__int128 Parse(std::string_view text, int32_t precision = -1, int32_t scale = 0);
/// Appends the value as numeric_out prints it: all `scale` decimals, no exponent; NaN, Infinity.
void Format(__int128 value, std::string& out);
/// The value as numeric_out prints it.
std::string ToString(__int128 value);

/// An integer as a numeric of scale 0.
__int128 FromInteger(__int128 value);
/// Rounds half away from zero to an integer (numeric to integer casts); false when the result is
/// outside [min, max]. `value` must be finite: the casts reject NaN and infinity themselves.
bool ToInteger(__int128 value, int64_t min, int64_t max, int64_t& out);
/// A double as float8_numeric converts it: through its text with 15 significant digits (6 for a
/// REAL when `is_float4`); NaN and the infinities map to theirs; 22003 when it does not fit.
__int128 FromDouble(double value, bool is_float4 = false);
/// The nearest double, as numeric_float8 reads the value's text.
double ToDouble(__int128 value);
/// The nearest float, as numeric_float4 reads the value's text; 22003 when it underflows to zero.
float ToFloat(__int128 value);

/// sqrt(numeric): at least 16 significant digits; 2201F for a negative value.
__int128 Sqrt(__int128 value);
/// The square root rounded to `scale` decimals (sqrt_var), as the numeric stddev aggregates use it.
__int128 SqrtAtScale(__int128 value, int32_t scale);
/// exp(numeric): at least 16 significant digits.
__int128 Exp(__int128 value);
/// ln(numeric); 2201E for zero or a negative value.
__int128 Ln(__int128 value);
/// log(base, value) as Postgres's log_var; 2201E for arguments that are zero or negative, 22012
/// when the base is 1.
__int128 Log(__int128 base, __int128 value);
/// power(numeric, numeric) as Postgres's power_var; 2201F for zero to a negative power and a
/// negative number to a non-integer power.
__int128 Power(__int128 base, __int128 exponent);

}  // namespace freshet::numeric
