// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>

namespace freshet::parser {

/// Tells recursive code that the thread's stack is nearly used up, so that deeply nested input
/// fails with SQLSTATE 54001 (as PostgreSQL's check_stack_depth() does) instead of overflowing the
/// stack. A fixed depth limit cannot do this alone: how much stack a level costs differs between
/// debug, release and sanitizer builds. Create one per Parse() call on the thread that parses;
/// Check() is cheap enough for every recursion.
class StackDepthChecker {
 public:
  StackDepthChecker();

  /// Throws Error 54001 when less than the reserve is left below the caller's frame.
  void Check() const;

 private:
  /// The lowest stack address recursion may reach: the stack's end plus a reserve for the
  /// non-checking code (ANTLR's prediction, destructors) that runs between two checks.
  uintptr_t limit_ = 0;
};

}  // namespace freshet::parser
