// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>

// A fixed-width unsigned integer of N 32-bit limbs, for the few NUMERIC computations whose
// intermediates outgrow 128 bits (a scaled dividend, a square root's radicand, the fixed-point
// series of exp and ln). It lives on the stack: no heap allocation per value.
namespace freshet::numeric::internal {

/// An unsigned integer of N 32-bit limbs, least significant first. Operations that could overflow
/// report it instead of wrapping.
template <size_t N>
struct WideUnsigned {
  std::array<uint32_t, N> limbs{};

  /// The value of a 128-bit integer.
  static WideUnsigned FromU128(unsigned __int128 value) {
    WideUnsigned result;
    for (size_t i = 0; i < N && value != 0; ++i) {
      result.limbs[i] = static_cast<uint32_t>(value);
      value >>= 32;
    }
    return result;
  }

  bool IsZero() const {
    for (uint32_t limb : limbs) {
      if (limb != 0) {
        return false;
      }
    }
    return true;
  }

  /// Limbs up to and including the most significant non-zero one.
  size_t Size() const {
    size_t size = N;
    while (size > 0 && limbs[size - 1] == 0) {
      --size;
    }
    return size;
  }

  /// Bits up to and including the most significant one.
  int BitLength() const {
    const size_t size = Size();
    return size == 0 ? 0 : static_cast<int>(size * 32) - std::countl_zero(limbs[size - 1]);
  }

  bool FitsU128() const { return Size() <= 4; }

  /// The low 128 bits.
  unsigned __int128 Low128() const {
    unsigned __int128 value = 0;
    for (size_t i = (N < 4 ? N : 4); i > 0; --i) {
      value = (value << 32) | limbs[i - 1];
    }
    return value;
  }
};

template <size_t N>
int Compare(const WideUnsigned<N>& a, const WideUnsigned<N>& b) {
  for (size_t i = N; i > 0; --i) {
    if (a.limbs[i - 1] != b.limbs[i - 1]) {
      return a.limbs[i - 1] < b.limbs[i - 1] ? -1 : 1;
    }
  }
  return 0;
}

/// a += b; false on overflow.
template <size_t N>
bool AddInPlace(WideUnsigned<N>& a, const WideUnsigned<N>& b) {
  uint64_t carry = 0;
  for (size_t i = 0; i < N; ++i) {
    const uint64_t sum = uint64_t{a.limbs[i]} + b.limbs[i] + carry;
    a.limbs[i] = static_cast<uint32_t>(sum);
    carry = sum >> 32;
  }
  return carry == 0;
}

/// a -= b; requires a >= b.
template <size_t N>
void SubtractInPlace(WideUnsigned<N>& a, const WideUnsigned<N>& b) {
  int64_t borrow = 0;
  for (size_t i = 0; i < N; ++i) {
    const int64_t difference = int64_t{a.limbs[i]} - b.limbs[i] - borrow;
    a.limbs[i] = static_cast<uint32_t>(difference);
    borrow = difference < 0 ? 1 : 0;
  }
}

/// a *= factor; false on overflow.
template <size_t N>
bool MultiplySmallInPlace(WideUnsigned<N>& a, uint32_t factor) {
  uint64_t carry = 0;
  for (size_t i = 0; i < N; ++i) {
    const uint64_t product = uint64_t{a.limbs[i]} * factor + carry;
    a.limbs[i] = static_cast<uint32_t>(product);
    carry = product >> 32;
  }
  return carry == 0;
}

/// a /= divisor; returns the remainder.
template <size_t N>
uint32_t DivideSmallInPlace(WideUnsigned<N>& a, uint32_t divisor) {
  uint64_t remainder = 0;
  for (size_t i = N; i > 0; --i) {
    const uint64_t current = (remainder << 32) | a.limbs[i - 1];
    a.limbs[i - 1] = static_cast<uint32_t>(current / divisor);
    remainder = current % divisor;
  }
  return static_cast<uint32_t>(remainder);
}

inline constexpr uint32_t kPowersOfTen[10] = {1,      10,      100,      1000,      10000,
                                              100000, 1000000, 10000000, 100000000, 1000000000};

/// a *= 10^exponent; false on overflow.
template <size_t N>
bool MultiplyPow10InPlace(WideUnsigned<N>& a, int exponent) {
  for (; exponent >= 9; exponent -= 9) {
    if (!MultiplySmallInPlace(a, kPowersOfTen[9])) {
      return false;
    }
  }
  return exponent == 0 || MultiplySmallInPlace(a, kPowersOfTen[exponent]);
}

/// a = floor(a / 10^exponent); returns true when a non-zero remainder was dropped.
template <size_t N>
bool DividePow10InPlace(WideUnsigned<N>& a, int exponent) {
  bool inexact = false;
  for (; exponent >= 9; exponent -= 9) {
    inexact |= DivideSmallInPlace(a, kPowersOfTen[9]) != 0;
  }
  if (exponent > 0) {
    inexact |= DivideSmallInPlace(a, kPowersOfTen[exponent]) != 0;
  }
  return inexact;
}

/// a <<= bits; false when set bits are shifted out.
template <size_t N>
bool ShiftLeftInPlace(WideUnsigned<N>& a, int bits) {
  if (bits == 0) {
    return true;
  }
  if (a.BitLength() + bits > static_cast<int>(N * 32)) {
    return false;
  }
  const size_t limb_shift = static_cast<size_t>(bits) / 32;
  const int bit_shift = bits % 32;
  for (size_t i = N; i > 0; --i) {
    const size_t target = i - 1;
    uint64_t value = 0;
    if (target >= limb_shift) {
      value = uint64_t{a.limbs[target - limb_shift]} << bit_shift;
      if (bit_shift != 0 && target >= limb_shift + 1) {
        value |= uint64_t{a.limbs[target - limb_shift - 1]} >> (32 - bit_shift);
      }
    }
    a.limbs[target] = static_cast<uint32_t>(value);
  }
  return true;
}

/// a >>= bits (floor).
template <size_t N>
void ShiftRightInPlace(WideUnsigned<N>& a, int bits) {
  const size_t limb_shift = static_cast<size_t>(bits) / 32;
  const int bit_shift = bits % 32;
  for (size_t i = 0; i < N; ++i) {
    uint64_t value = 0;
    if (i + limb_shift < N) {
      value = a.limbs[i + limb_shift] >> bit_shift;
      if (bit_shift != 0 && i + limb_shift + 1 < N) {
        value |= (uint64_t{a.limbs[i + limb_shift + 1]} << (32 - bit_shift)) & 0xFFFFFFFFu;
      }
    }
    a.limbs[i] = static_cast<uint32_t>(value);
  }
}

/// The full product a * b; false when it does not fit N limbs.
template <size_t N>
bool Multiply(const WideUnsigned<N>& a, const WideUnsigned<N>& b, WideUnsigned<N>& product) {
  const size_t a_size = a.Size();
  const size_t b_size = b.Size();
  product = WideUnsigned<N>();
  if (a_size == 0 || b_size == 0) {
    return true;
  }
  if (a_size + b_size > N + 1) {
    return false;
  }
  std::array<uint32_t, 2 * N> wide{};
  for (size_t i = 0; i < a_size; ++i) {
    uint64_t carry = 0;
    for (size_t j = 0; j < b_size; ++j) {
      const uint64_t current = uint64_t{a.limbs[i]} * b.limbs[j] + wide[i + j] + carry;
      wide[i + j] = static_cast<uint32_t>(current);
      carry = current >> 32;
    }
    wide[i + b_size] = static_cast<uint32_t>(carry);
  }
  for (size_t i = N; i < 2 * N; ++i) {
    if (wide[i] != 0) {
      return false;
    }
  }
  for (size_t i = 0; i < N; ++i) {
    product.limbs[i] = wide[i];
  }
  return true;
}

/// quotient = floor(u / v), remainder = u mod v; v must not be zero. Knuth's algorithm D (TAOCP
/// 4.3.1) on 32-bit digits, as in Hacker's Delight's divmnu.
template <size_t N>
void DivideModulo(const WideUnsigned<N>& u,
                  const WideUnsigned<N>& v,
                  WideUnsigned<N>& quotient,
                  WideUnsigned<N>& remainder) {
  constexpr uint64_t kBase = uint64_t{1} << 32;
  quotient = WideUnsigned<N>();
  remainder = WideUnsigned<N>();
  const size_t m = u.Size();
  const size_t n = v.Size();
  if (m < n) {
    remainder = u;
    return;
  }
  if (n == 1) {
    quotient = u;
    remainder.limbs[0] = DivideSmallInPlace(quotient, v.limbs[0]);
    return;
  }
  // Normalize so that the divisor's top digit has its high bit set.
  const int shift = std::countl_zero(v.limbs[n - 1]);
  std::array<uint32_t, N> vn{};
  std::array<uint32_t, N + 1> un{};
  for (size_t i = n - 1; i > 0; --i) {
    vn[i] = static_cast<uint32_t>((uint64_t{v.limbs[i]} << shift) |
                                  (uint64_t{v.limbs[i - 1]} >> (32 - shift)));
  }
  vn[0] = v.limbs[0] << shift;
  un[m] = static_cast<uint32_t>(uint64_t{u.limbs[m - 1]} >> (32 - shift));
  for (size_t i = m - 1; i > 0; --i) {
    un[i] = static_cast<uint32_t>((uint64_t{u.limbs[i]} << shift) |
                                  (uint64_t{u.limbs[i - 1]} >> (32 - shift)));
  }
  un[0] = u.limbs[0] << shift;
  for (size_t j = m - n + 1; j > 0; --j) {
    const size_t k = j - 1;
    const uint64_t numerator = (uint64_t{un[k + n]} << 32) | un[k + n - 1];
    uint64_t estimate = numerator / vn[n - 1];
    uint64_t rest = numerator % vn[n - 1];
    while (estimate >= kBase || estimate * vn[n - 2] > ((rest << 32) | un[k + n - 2])) {
      --estimate;
      rest += vn[n - 1];
      if (rest >= kBase) {
        break;
      }
    }
    // Multiply and subtract.
    int64_t borrow = 0;
    int64_t difference = 0;
    for (size_t i = 0; i < n; ++i) {
      const uint64_t product = estimate * vn[i];
      difference = int64_t{un[i + k]} - borrow - static_cast<int64_t>(product & 0xFFFFFFFFu);
      un[i + k] = static_cast<uint32_t>(difference);
      borrow = static_cast<int64_t>(product >> 32) - (difference >> 32);
    }
    difference = int64_t{un[k + n]} - borrow;
    un[k + n] = static_cast<uint32_t>(difference);
    quotient.limbs[k] = static_cast<uint32_t>(estimate);
    if (difference < 0) {
      // The estimate was one too large: add the divisor back.
      quotient.limbs[k] -= 1;
      uint64_t carry = 0;
      for (size_t i = 0; i < n; ++i) {
        const uint64_t sum = uint64_t{un[i + k]} + vn[i] + carry;
        un[i + k] = static_cast<uint32_t>(sum);
        carry = sum >> 32;
      }
      un[k + n] = static_cast<uint32_t>(uint64_t{un[k + n]} + carry);
    }
  }
  for (size_t i = 0; i + 1 < n; ++i) {
    remainder.limbs[i] =
        static_cast<uint32_t>((uint64_t{un[i]} >> shift) | (uint64_t{un[i + 1]} << (32 - shift)));
  }
  remainder.limbs[n - 1] = static_cast<uint32_t>(uint64_t{un[n - 1]} >> shift);
}

}  // namespace freshet::numeric::internal
