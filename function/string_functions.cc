// SPDX-License-Identifier: Apache-2.0
#include <cctype>
#include <string>

#include "function/internal/kernel_loops.h"
#include "function/scalar_function.h"

namespace freshet::function {
namespace {

using internal::UnaryFixed;

void Concat(const EvaluationContext& context,
            std::span<const Column* const> arguments,
            size_t rows,
            Column& out) {
  const Column& left = *arguments[0];
  const Column& right = *arguments[1];
  out.Reserve(rows);
  std::string buffer;
  for (size_t i = 0; i < rows; ++i) {
    if (left.IsNull(i) || right.IsNull(i)) {
      out.AppendNull();
      continue;
    }
    buffer.assign(left.GetString(i));
    buffer.append(right.GetString(i));
    out.AppendString(buffer);
  }
}

size_t CountCharacters(std::string_view text) {
  size_t characters = 0;
  for (unsigned char c : text) {
    characters += (c & 0xC0) != 0x80 ? 1 : 0;
  }
  return characters;
}

void CharacterLength(const EvaluationContext& context,
                     std::span<const Column* const> arguments,
                     size_t rows,
                     Column& out) {
  const Column& input = *arguments[0];
  out.ResizeFixed(rows);
  int32_t* result = out.MutableData<int32_t>();
  uint8_t* nulls = out.MutableNulls();
  for (size_t i = 0; i < rows; ++i) {
    nulls[i] = input.IsNull(i) ? 1 : 0;
    if (!input.IsNull(i)) {
      result[i] = static_cast<int32_t>(CountCharacters(input.GetString(i)));
    }
  }
}

void OctetLength(const EvaluationContext& context,
                 std::span<const Column* const> arguments,
                 size_t rows,
                 Column& out) {
  const Column& input = *arguments[0];
  out.ResizeFixed(rows);
  int32_t* result = out.MutableData<int32_t>();
  uint8_t* nulls = out.MutableNulls();
  for (size_t i = 0; i < rows; ++i) {
    nulls[i] = input.IsNull(i) ? 1 : 0;
    if (!input.IsNull(i)) {
      result[i] = static_cast<int32_t>(input.GetString(i).size());
    }
  }
}

// Case mapping of ASCII letters only, as Postgres does under the C collation.
template <int (*Map)(int)>
void MapCase(const EvaluationContext& context,
             std::span<const Column* const> arguments,
             size_t rows,
             Column& out) {
  const Column& input = *arguments[0];
  out.Reserve(rows);
  std::string buffer;
  for (size_t i = 0; i < rows; ++i) {
    if (input.IsNull(i)) {
      out.AppendNull();
      continue;
    }
    buffer.assign(input.GetString(i));
    for (char& c : buffer) {
      if (static_cast<unsigned char>(c) < 0x80) {
        c = static_cast<char>(Map(static_cast<unsigned char>(c)));
      }
    }
    out.AppendString(buffer);
  }
}

}  // namespace

void RegisterStringFunctions(std::vector<ScalarFunction>& functions) {
  const DataType text = DataType::Text();
  const DataType integer = DataType::Integer();
  functions.push_back({"||", {TypeId::kText, TypeId::kText}, text, Concat});
  functions.push_back({"length", {TypeId::kText}, integer, CharacterLength});
  functions.push_back({"char_length", {TypeId::kText}, integer, CharacterLength});
  functions.push_back({"character_length", {TypeId::kText}, integer, CharacterLength});
  functions.push_back({"octet_length", {TypeId::kText}, integer, OctetLength});
  functions.push_back({"lower", {TypeId::kText}, text, MapCase<std::tolower>});
  functions.push_back({"upper", {TypeId::kText}, text, MapCase<std::toupper>});
}

}  // namespace freshet::function
