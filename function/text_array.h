// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

// Freshet has no array types yet. Where PostgreSQL takes a text[] (the path of `#>`, the keys of
// `?|`) Freshet takes text in array literal syntax, '{a,0,"b c"}', and reads it as array_in would.
namespace freshet::function {

/// The elements of a text-array literal, in order; nested braces are flattened as
/// deconstruct_array flattens a multidimensional array; NULL elements are nullopt. Throws 22P02
/// `malformed array literal: "..."` with PostgreSQL's detail.
std::vector<std::optional<std::string>> ParseTextArray(std::string_view literal);

/// Appends `elements` as array_out prints a text[] ('{a,"b c",NULL}').
void AppendTextArray(std::string& out, const std::vector<std::optional<std::string>>& elements);

}  // namespace freshet::function
