// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <string_view>

namespace freshet {

/// `text` with its ASCII letters lower-cased and every other byte kept (so UTF-8 passes through):
/// how SQL folds keywords, identifiers and option values.
std::string AsciiLower(std::string_view text);

}  // namespace freshet
