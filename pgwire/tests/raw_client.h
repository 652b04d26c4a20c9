// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pgwire/error_response.h"
#include "pgwire/messages.h"

namespace freshet::pgwire::testing {

/// One message received from the server.
struct BackendMessage {
  char type = 0;
  std::string body;

  /// Decodes the body as an ErrorResponse or NoticeResponse.
  ErrorFields Fields() const;
};

/// A blocking TCP client that sends whatever bytes a test wants, including what libpq never would.
/// Every read gives up after a timeout, so that a server that fails to answer fails the test
/// instead of hanging it. Setup failures throw std::runtime_error. Not thread-safe.
class RawClient {
 public:
  explicit RawClient(uint16_t port, std::chrono::milliseconds timeout = std::chrono::seconds(10));
  ~RawClient();
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  /// Sends `bytes`; returns false if the server has closed the connection.
  bool Send(std::string_view bytes);
  bool Send(const MessageBuffer& buffer) { return Send(buffer.Data()); }
  /// Sends a 3.0 StartupMessage for `user` and database "db".
  bool SendStartup(std::string_view user = "raw");
  /// Closes the sending side, so the server reads end-of-stream.
  void ShutdownWrite();

  /// Reads one byte (the answer to SSLRequest); std::nullopt on end-of-stream or timeout.
  std::optional<char> ReadByte();
  /// Reads one message; std::nullopt on end-of-stream or timeout.
  std::optional<BackendMessage> Read();
  /// Reads messages up to and including ReadyForQuery, or until the stream ends.
  std::vector<BackendMessage> ReadUntilReady();
  /// Reads messages until the server closes the connection (or the timeout passes: see TimedOut).
  std::vector<BackendMessage> ReadUntilClosed();
  /// Reads and drops raw bytes until the server closes; false if the timeout passed first.
  bool DrainUntilClosed();
  /// True if a read gave up because of the timeout rather than because the server closed.
  bool TimedOut() const { return timed_out_; }

 private:
  bool ReadExact(char* destination, size_t count);

  int fd_ = -1;
  bool timed_out_ = false;
};

/// Returns the first ErrorResponse among `messages`, if any.
std::optional<ErrorFields> FirstError(const std::vector<BackendMessage>& messages);

}  // namespace freshet::pgwire::testing
