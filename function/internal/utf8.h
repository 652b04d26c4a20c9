// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

// UTF-8 helpers for the string kernels: text values are valid UTF-8 (the only server encoding), so
// a character is found from its lead byte without validation.
namespace freshet::function::internal {

/// True for the bytes that continue a multibyte character (10xxxxxx).
inline bool IsContinuationByte(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

/// The byte length of the character that starts at byte `at` of `text`, clipped to the text.
inline size_t CharacterBytes(std::string_view text, size_t at) {
  const auto lead = static_cast<unsigned char>(text[at]);
  const size_t length = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
  return length < text.size() - at ? length : text.size() - at;
}

/// The number of characters of `text`.
inline size_t CountCharacters(std::string_view text) {
  size_t characters = 0;
  for (char c : text) {
    characters += IsContinuationByte(c) ? 0 : 1;
  }
  return characters;
}

/// The byte offset of 0-based character `index` of `text`: 0 for a negative index, text.size() past
/// the end.
inline size_t CharacterOffset(std::string_view text, int64_t index) {
  size_t at = 0;
  while (index > 0 && at < text.size()) {
    at += CharacterBytes(text, at);
    --index;
  }
  return at;
}

/// The code point of the character at byte `at`.
inline uint32_t DecodeCharacter(std::string_view text, size_t at) {
  const auto lead = static_cast<unsigned char>(text[at]);
  const size_t length = CharacterBytes(text, at);
  if (length == 1) {
    return lead;
  }
  uint32_t code = lead & (0xFF >> (length + 1));
  for (size_t i = 1; i < length; ++i) {
    code = (code << 6) | (static_cast<unsigned char>(text[at + i]) & 0x3F);
  }
  return code;
}

/// Appends code point `code` (at most 0x10FFFF) in UTF-8.
inline void EncodeCharacter(uint32_t code, std::string& out) {
  if (code < 0x80) {
    out += static_cast<char>(code);
  } else if (code < 0x800) {
    out += static_cast<char>(0xC0 | (code >> 6));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else if (code < 0x10000) {
    out += static_cast<char>(0xE0 | (code >> 12));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (code >> 18));
    out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  }
}

}  // namespace freshet::function::internal
