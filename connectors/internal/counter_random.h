// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <string_view>

// Counter-based randomness for the generator connectors: every random value is a pure function of
// (seed, a label such as a column or field, the global row or event index), so a row does not
// depend on which shard produced it, on how many rows were read before, or on a restart.
namespace freshet::connectors {

/// The increment of SplitMix64 (2^64 / golden ratio, odd).
inline constexpr uint64_t kGoldenGamma = 0x9e3779b97f4a7c15ULL;

/// Scrambles 64 bits with SplitMix64's finalizer (a bijection with good avalanche).
inline uint64_t Mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/// Derives the key of a label (a column name, a field) under `seed`: FNV-1a of the bytes, then
/// mixed with the seed.
inline uint64_t LabelKey(uint64_t seed, std::string_view label) {
  uint64_t hash = 0xcbf29ce484222325ULL;
  for (const char c : label) {
    hash = (hash ^ static_cast<uint8_t>(c)) * 0x100000001b3ULL;
  }
  return Mix64(Mix64(seed + kGoldenGamma) ^ hash);
}

/// A short stream of random numbers that is a pure function of (key, index): SplitMix64 started
/// at a scrambled point. Cheap to construct, so the generators build one per value.
class CounterRandom {
 public:
  CounterRandom(uint64_t key, uint64_t index) : state_(Mix64(key ^ (index * kGoldenGamma))) {}

  /// Returns the next 64 random bits.
  uint64_t Next() {
    state_ += kGoldenGamma;
    return Mix64(state_);
  }
  /// Returns a number in [0, bound) for bound > 0 (Lemire's multiply-shift; the bias is below
  /// bound / 2^64).
  uint64_t Below(uint64_t bound) {
    return static_cast<uint64_t>((static_cast<unsigned __int128>(Next()) * bound) >> 64);
  }
  /// Returns a double in [0, 1) with 53 random bits.
  double NextDouble() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

 private:
  uint64_t state_;
};

}  // namespace freshet::connectors
