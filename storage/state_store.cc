// SPDX-License-Identifier: Apache-2.0
#include "storage/state_store.h"

namespace freshet::storage {
namespace {

// Entries are laid out as: kind byte, varint key length, key, varint value length, value. The batch
// writes and reads its own buffer only, so reading needs no bounds checks beyond the loop in
// ForEach.
void AppendLength(size_t length, std::string& out) {
  while (length >= 0x80) {
    out.push_back(static_cast<char>((length & 0x7F) | 0x80));
    length >>= 7;
  }
  out.push_back(static_cast<char>(length));
}

size_t ReadLength(const std::string& buffer, size_t& offset) {
  size_t length = 0;
  for (int shift = 0;; shift += 7) {
    const uint8_t byte = static_cast<uint8_t>(buffer[offset++]);
    length |= static_cast<size_t>(byte & 0x7F) << shift;
    if ((byte & 0x80) == 0) {
      return length;
    }
  }
}

}  // namespace

void WriteBatch::Put(std::string_view key, std::string_view value) {
  Append(Kind::kPut, key, value);
}

void WriteBatch::Delete(std::string_view key) {
  Append(Kind::kDelete, key, {});
}

void WriteBatch::DeleteRange(std::string_view begin, std::string_view end) {
  Append(Kind::kDeleteRange, begin, end);
}

WriteBatch::~WriteBatch() = default;

void WriteBatch::Clear() {
  buffer_.clear();
  count_ = 0;
  prepared_.reset();
}

void WriteBatch::Append(Kind kind, std::string_view key, std::string_view value) {
  prepared_.reset();
  buffer_.push_back(static_cast<char>(kind));
  AppendLength(key.size(), buffer_);
  buffer_.append(key);
  AppendLength(value.size(), buffer_);
  buffer_.append(value);
  ++count_;
}

size_t WriteBatch::ReadEntry(size_t offset, Entry& entry) const {
  entry.kind = static_cast<Kind>(buffer_[offset++]);
  const size_t key_length = ReadLength(buffer_, offset);
  entry.key = std::string_view(buffer_).substr(offset, key_length);
  offset += key_length;
  const size_t value_length = ReadLength(buffer_, offset);
  entry.value = std::string_view(buffer_).substr(offset, value_length);
  return offset + value_length;
}

}  // namespace freshet::storage
