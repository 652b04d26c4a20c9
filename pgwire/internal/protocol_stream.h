// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "pgwire/internal/socket.h"
#include "pgwire/messages.h"

namespace freshet::pgwire {

/// Pending output beyond which the stream is flushed before a query ends: large results stream.
inline constexpr size_t kOutputFlushThreshold = 64 * 1024;

/// Frames protocol messages on a client socket: buffered reads of length-prefixed messages and a
/// buffered output that is flushed on demand or when it grows past kOutputFlushThreshold. This is
/// where returned socket errors become thrown ones: Error 08P01 for what the client did wrong
/// (worth telling it before closing) and 08006 when the socket itself failed (nothing more can be
/// sent). Owned and used by one connection thread; another thread may only call the Socket's
/// Shutdown* methods to wake it.
class ProtocolStream {
 public:
  explicit ProtocolStream(Socket socket);

  const Socket& GetSocket() const { return socket_; }
  /// Closes the socket; the stream is unusable afterwards.
  void Close() { socket_.Close(); }

  /// Reads one startup-phase packet and returns its body (everything after the length word), or
  /// std::nullopt when the peer closed before sending a byte. The declared length is checked before
  /// anything is allocated.
  std::optional<std::string> ReadStartupPacket();

  /// Reads the next message's type byte; std::nullopt when the peer closed between messages.
  std::optional<char> ReadMessageType();
  /// Reads the length word and the body of the message whose type was just read. A length below 4
  /// or a body above `max_body_length` is refused before anything is allocated, and the body buffer
  /// grows only as bytes arrive, so a lying length word costs nothing.
  std::string ReadMessageBody(size_t max_body_length);

  /// The output buffer; append whole messages with the encoders of messages.h.
  MessageBuffer& Output() { return output_; }
  /// Flushes if more than kOutputFlushThreshold bytes are pending.
  void FlushIfFull() {
    if (output_.Size() > kOutputFlushThreshold) {
      Flush();
    }
  }
  /// Sends all pending output; throws Error 08006 and marks the stream broken if the socket fails.
  void Flush();
  /// Sends pending output if possible and swallows any failure; for the last words before closing.
  void TryFlush() noexcept;
  /// True once a send has failed: nothing more will reach the client.
  bool Broken() const { return broken_; }

 private:
  /// Reads more bytes into the input buffer; false at end of stream.
  bool FillInput();
  /// Copies `count` bytes to `destination`; throws `eof_error` if the stream ends first.
  void ReadExact(char* destination, size_t count, const char* eof_error);

  Socket socket_;
  std::vector<char> input_;
  size_t input_begin_ = 0;
  size_t input_end_ = 0;
  MessageBuffer output_;
  bool broken_ = false;
};

}  // namespace freshet::pgwire
