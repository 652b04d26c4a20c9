// SPDX-License-Identifier: Apache-2.0
#include "parser/stack_depth_checker.h"

#include <algorithm>

#include <pthread.h>

#include "common/error.h"

namespace freshet::parser {
namespace {

// What must stay free below the last check: ANTLR's adaptive prediction recurses a few dozen frames
// per token without passing through a rule entry, and sanitizer builds make every frame several
// times larger. Threads with small stacks keep a quarter of theirs instead.
constexpr uintptr_t kMaxReserveBytes = 512 * 1024;
constexpr uintptr_t kMinReserveBytes = 64 * 1024;
// Used when the thread's stack bounds are unknown.
constexpr uintptr_t kFallbackBudgetBytes = 1024 * 1024;

uintptr_t CurrentFrame() {
  // The frame address rather than a local's address: under AddressSanitizer locals may live on a
  // fake stack.
  return reinterpret_cast<uintptr_t>(__builtin_frame_address(0));
}

struct StackBounds {
  uintptr_t low = 0;  // 0 when unknown
  uintptr_t size = 0;
};

// Returns this thread's stack bounds. pthread_getattr_np reads /proc/self/maps for the main thread,
// so the answer is kept per thread.
StackBounds ThreadStackBounds() {
  thread_local StackBounds bounds = [] {
    StackBounds result;
    pthread_attr_t attributes;
    if (pthread_getattr_np(pthread_self(), &attributes) != 0) {
      return result;
    }
    void* address = nullptr;
    size_t size = 0;
    if (pthread_attr_getstack(&attributes, &address, &size) == 0) {
      result.low = reinterpret_cast<uintptr_t>(address);
      result.size = size;
    }
    pthread_attr_destroy(&attributes);
    return result;
  }();
  return bounds;
}

}  // namespace

StackDepthChecker::StackDepthChecker() {
  uintptr_t here = CurrentFrame();
  StackBounds bounds = ThreadStackBounds();
  if (bounds.low != 0) {
    uintptr_t reserve = std::clamp(bounds.size / 4, kMinReserveBytes, kMaxReserveBytes);
    // Already within the reserve (a nearly exhausted caller) means the first Check() throws, as it
    // should.
    limit_ = bounds.low + reserve;
  } else {
    limit_ = here > kFallbackBudgetBytes ? here - kFallbackBudgetBytes : 0;
  }
}

void StackDepthChecker::Check() const {
  if (CurrentFrame() < limit_) {
    throw Error(SqlState::kStatementTooComplex, "stack depth limit exceeded")
        .WithHint("Simplify the statement: it nests expressions or subqueries too deeply.");
  }
}

}  // namespace freshet::parser
