// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <chrono>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>

namespace freshet::connectors {

/// Paces a reader at `rate` stream indexes (rows or events of the whole stream, all shards) per
/// second of wall-clock time: index i is due at start + (i - first_index) / rate, where start is
/// the steady_clock time of the first DueEnd() after construction or Restart(). A rate of 0 means
/// unthrottled. Not thread-safe.
class EmissionPacer {
 public:
  EmissionPacer(double rate, uint64_t first_index) : rate_(rate), first_index_(first_index) {}

  bool Throttled() const { return rate_ > 0; }

  /// Forgets the clock and counts from `first_index` again at the next DueEnd(), as after a
  /// restore: a restored reader does not burst to catch up.
  void Restart(uint64_t first_index) {
    first_index_ = first_index;
    start_.reset();
  }

  /// Returns the end (exclusive) of the indexes due now; starts the clock on its first call.
  uint64_t DueEnd() {
    if (!Throttled()) {
      return std::numeric_limits<uint64_t>::max();
    }
    const Clock::time_point now = Clock::now();
    if (!start_) {
      start_ = now;
    }
    const double elapsed_seconds = std::chrono::duration<double>(now - *start_).count();
    const double due = std::floor(elapsed_seconds * rate_) + 1;
    const double headroom =
        static_cast<double>(std::numeric_limits<uint64_t>::max() - first_index_);
    if (due >= headroom) {
      return std::numeric_limits<uint64_t>::max();
    }
    return first_index_ + static_cast<uint64_t>(due);
  }

  /// Returns the microseconds until `index` is due: 0 when it is due, when unthrottled, or before
  /// the clock started; at least 1 otherwise.
  int64_t MicrosUntilDue(uint64_t index) const {
    if (!Throttled() || !start_ || index < first_index_) {
      return 0;
    }
    const double due_micros = static_cast<double>(index - first_index_) * 1e6 / rate_;
    const double elapsed_micros =
        std::chrono::duration<double, std::micro>(Clock::now() - *start_).count();
    // Index i is due once floor(elapsed * rate) >= i - first, the test DueEnd() makes.
    if (std::floor(elapsed_micros * rate_ / 1e6) >= static_cast<double>(index - first_index_)) {
      return 0;
    }
    const double wait = std::ceil(due_micros - elapsed_micros);
    if (wait >= static_cast<double>(std::numeric_limits<int64_t>::max())) {
      return std::numeric_limits<int64_t>::max();
    }
    return wait < 1 ? 1 : static_cast<int64_t>(wait);
  }

 private:
  using Clock = std::chrono::steady_clock;

  double rate_;
  uint64_t first_index_;
  std::optional<Clock::time_point> start_;
};

}  // namespace freshet::connectors
