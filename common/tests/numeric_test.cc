// SPDX-License-Identifier: Apache-2.0
#include "common/numeric.h"

#include <gtest/gtest.h>

#include "common/error.h"

namespace freshet::numeric {
namespace {

TEST(NumericTest, Placeholder) {
  EXPECT_EQ(ToString(Parse("1.50")), "1.50");
}

}  // namespace
}  // namespace freshet::numeric
