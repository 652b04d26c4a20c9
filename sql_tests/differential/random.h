// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <vector>

namespace freshet::sql_tests::differential {

/// SplitMix64 with its own range mapping: the standard distributions are implementation-defined,
/// and a seed must give the same data and queries with every compiler and library.
class Random {
 public:
  /// Starts the sequence of `seed`.
  explicit Random(uint64_t seed) : state_(seed) {}

  /// Returns the next 64 random bits.
  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

  /// Returns a number in [low, high], both included.
  int64_t Between(int64_t low, int64_t high) {
    auto span = static_cast<uint64_t>(high - low) + 1;
    if (span == 0) {  // the whole 64-bit range
      return static_cast<int64_t>(Next());
    }
    return low + static_cast<int64_t>(Next() % span);
  }

  /// Returns true with the given probability in percent.
  bool Percent(int percent) { return Between(0, 99) < percent; }

  /// Returns one element of a non-empty vector.
  template <typename T>
  const T& Pick(const std::vector<T>& items) {
    return items[static_cast<size_t>(Between(0, static_cast<int64_t>(items.size()) - 1))];
  }

 private:
  uint64_t state_;
};

}  // namespace freshet::sql_tests::differential
