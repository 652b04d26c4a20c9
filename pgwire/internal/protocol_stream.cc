// SPDX-License-Identifier: Apache-2.0
#include "pgwire/internal/protocol_stream.h"

#include <algorithm>
#include <cstring>

namespace freshet::pgwire {
namespace {

constexpr size_t kInputBufferSize = 16 * 1024;

int32_t DecodeInt32(const char* bytes) {
  const auto* data = reinterpret_cast<const uint8_t*>(bytes);
  return static_cast<int32_t>((uint32_t{data[0]} << 24) | (uint32_t{data[1]} << 16) |
                              (uint32_t{data[2]} << 8) | uint32_t{data[3]});
}

}  // namespace

ProtocolStream::ProtocolStream(Socket socket)
    : socket_(std::move(socket)), input_(kInputBufferSize) {}

bool ProtocolStream::FillInput() {
  input_begin_ = 0;
  input_end_ = std::move(socket_.Receive(input_.data(), input_.size())).ValueOrThrow();
  return input_end_ > 0;
}

void ProtocolStream::ReadExact(char* destination, size_t count, const char* eof_error) {
  while (count > 0) {
    if (input_begin_ == input_end_ && !FillInput()) {
      throw Error::Protocol(eof_error);
    }
    const size_t chunk = std::min(count, input_end_ - input_begin_);
    std::memcpy(destination, input_.data() + input_begin_, chunk);
    input_begin_ += chunk;
    destination += chunk;
    count -= chunk;
  }
}

std::optional<std::string> ProtocolStream::ReadStartupPacket() {
  if (input_begin_ == input_end_ && !FillInput()) {
    return std::nullopt;
  }
  char length_bytes[4];
  ReadExact(length_bytes, sizeof(length_bytes), "incomplete startup packet");
  const int32_t length = DecodeInt32(length_bytes);
  // At least the length word and a 32-bit code.
  if (length < 8 || static_cast<size_t>(length) > kMaxStartupPacketLength) {
    throw Error::Protocol("invalid length of startup packet");
  }
  std::string body(static_cast<size_t>(length) - 4, '\0');
  ReadExact(body.data(), body.size(), "incomplete startup packet");
  return body;
}

std::optional<char> ProtocolStream::ReadMessageType() {
  if (input_begin_ == input_end_ && !FillInput()) {
    return std::nullopt;
  }
  return input_[input_begin_++];
}

std::string ProtocolStream::ReadMessageBody(size_t max_body_length) {
  char length_bytes[4];
  ReadExact(length_bytes, sizeof(length_bytes), "unexpected EOF within message length word");
  const int32_t length = DecodeInt32(length_bytes);
  if (length < 4 || static_cast<size_t>(length) - 4 > max_body_length) {
    throw Error::Protocol("invalid message length");
  }
  const size_t body_length = static_cast<size_t>(length) - 4;
  std::string body;
  body.reserve(std::min(body_length, kInputBufferSize));
  while (body.size() < body_length) {
    if (input_begin_ == input_end_ && !FillInput()) {
      throw Error::Protocol("incomplete message from client");
    }
    const size_t chunk = std::min(body_length - body.size(), input_end_ - input_begin_);
    body.append(input_.data() + input_begin_, chunk);
    input_begin_ += chunk;
  }
  return body;
}

void ProtocolStream::Flush() {
  if (broken_) {
    output_.Clear();
    throw Error(SqlState::kConnectionFailure, "connection to client lost");
  }
  if (output_.Empty()) {
    return;
  }
  Status status = socket_.SendAll(output_.Data());
  output_.Clear();
  if (!status.ok()) {
    broken_ = true;
    status.ThrowIfError();
  }
}

void ProtocolStream::TryFlush() noexcept {
  try {
    Flush();
  } catch (...) {  // NOLINT(bugprone-empty-catch)
    // The connection is closing; a failure changes nothing.
  }
}

}  // namespace freshet::pgwire
