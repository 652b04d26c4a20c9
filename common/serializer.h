// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "common/data_type.h"
#include "common/error.h"

namespace freshet {

/// Appends little-endian fixed-width integers and length-prefixed strings to a byte string; used
/// for catalog entries and other metadata (not for rows on the data path).
class Serializer {
 public:
  void WriteU8(uint8_t value) { out_.push_back(static_cast<char>(value)); }
  void WriteBool(bool value) { WriteU8(value ? 1 : 0); }
  void WriteU32(uint32_t value) { WriteRaw(&value, sizeof(value)); }
  void WriteI32(int32_t value) { WriteRaw(&value, sizeof(value)); }
  void WriteU64(uint64_t value) { WriteRaw(&value, sizeof(value)); }
  void WriteI64(int64_t value) { WriteRaw(&value, sizeof(value)); }
  void WriteString(std::string_view value) {
    WriteU32(static_cast<uint32_t>(value.size()));
    out_.append(value);
  }
  void WriteType(const DataType& type) {
    WriteU8(static_cast<uint8_t>(type.id));
    WriteI32(type.modifier);
  }
  std::string Finish() && { return std::move(out_); }

 private:
  void WriteRaw(const void* data, size_t size) {
    out_.append(static_cast<const char*>(data), size);
  }
  std::string out_;
};

/// Reads what Serializer wrote; throws Error kDataCorrupted on truncated or malformed input.
class Deserializer {
 public:
  explicit Deserializer(std::string_view in) : in_(in) {}
  uint8_t ReadU8() { return ReadFixed<uint8_t>(); }
  bool ReadBool() { return ReadU8() != 0; }
  uint32_t ReadU32() { return ReadFixed<uint32_t>(); }
  int32_t ReadI32() { return ReadFixed<int32_t>(); }
  uint64_t ReadU64() { return ReadFixed<uint64_t>(); }
  int64_t ReadI64() { return ReadFixed<int64_t>(); }
  std::string ReadString() {
    const uint32_t size = ReadU32();
    Require(size);
    std::string value(in_.substr(0, size));
    in_.remove_prefix(size);
    return value;
  }
  DataType ReadType() {
    const uint8_t id = ReadU8();
    if (id > static_cast<uint8_t>(TypeId::kJsonb)) {
      throw Error(SqlState::kDataCorrupted, "corrupt type id in stored metadata");
    }
    const int32_t modifier = ReadI32();
    return DataType(static_cast<TypeId>(id), modifier);
  }
  bool AtEnd() const { return in_.empty(); }

 private:
  template <typename T>
  T ReadFixed() {
    Require(sizeof(T));
    T value;
    std::memcpy(&value, in_.data(), sizeof(T));
    in_.remove_prefix(sizeof(T));
    return value;
  }
  void Require(size_t size) const {
    if (in_.size() < size) {
      throw Error(SqlState::kDataCorrupted, "truncated stored metadata");
    }
  }
  std::string_view in_;
};

}  // namespace freshet
