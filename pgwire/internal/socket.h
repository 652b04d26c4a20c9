// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/error.h"

namespace freshet::pgwire {

/// An owned TCP socket descriptor, closed on destruction; move-only. Returns Status/Result and
/// never throws. Receive and send are for one thread; ShutdownRead/ShutdownBoth may be called from
/// another thread to wake it, provided the owner orders them before Close (the descriptor number
/// could be reused afterwards).
class Socket {
 public:
  Socket() = default;
  explicit Socket(int fd) : fd_(fd) {}
  ~Socket() { Close(); }
  Socket(Socket&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  Socket& operator=(Socket&& other) noexcept;
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;

  /// Binds a listening socket to `address` (numeric or a host name) and `port` (0 picks a free
  /// one), with SO_REUSEADDR so that a restarted server need not wait for TIME_WAIT to expire.
  static Result<Socket> Listen(const std::string& address, uint16_t port, int backlog);

  /// Accepts one pending connection (close-on-exec, TCP_NODELAY).
  Result<Socket> Accept() const;
  /// The port the socket is bound to.
  Result<uint16_t> LocalPort() const;
  /// The peer as "127.0.0.1:53412" or "[::1]:53412"; "unknown" if it cannot be read.
  std::string PeerAddress() const;

  /// Receives up to `size` bytes; 0 means the peer closed its side. Retries on EINTR.
  Result<size_t> Receive(char* buffer, size_t size) const;
  /// Sends all of `bytes`, without raising SIGPIPE if the peer has gone.
  Status SendAll(std::string_view bytes) const;
  /// Sends what the kernel takes without blocking and drops the rest; for a last message to a
  /// client that is being refused, which must not stall the caller.
  void SendWithoutBlocking(std::string_view bytes) const;
  /// Makes Receive fail after `timeout` without data; zero means wait forever.
  Status SetReceiveTimeout(std::chrono::milliseconds timeout) const;

  /// Makes a blocked Receive return 0; further sends still work.
  void ShutdownRead() const;
  /// Makes blocked Receive and SendAll calls return.
  void ShutdownBoth() const;
  void Close();

  bool Valid() const { return fd_ >= 0; }
  int Fd() const { return fd_; }

 private:
  int fd_ = -1;
};

}  // namespace freshet::pgwire
