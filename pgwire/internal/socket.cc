// SPDX-License-Identifier: Apache-2.0
#include "pgwire/internal/socket.h"

#include <cerrno>
#include <cstring>
#include <memory>

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

namespace freshet::pgwire {
namespace {

std::string ErrnoText(int error) {
  char buffer[256];
  // The GNU strerror_r returns the message, which may not be `buffer`.
  return std::string(strerror_r(error, buffer, sizeof(buffer)));
}

std::string FamilyName(int family) {
  return family == AF_INET6 ? "IPv6" : "IPv4";
}

/// Deletes a getaddrinfo() list.
struct AddressInfoDeleter {
  void operator()(addrinfo* info) const { freeaddrinfo(info); }
};

std::string FormatAddress(const sockaddr_storage& address) {
  char host[INET6_ADDRSTRLEN] = {};
  if (address.ss_family == AF_INET) {
    const auto* ipv4 = reinterpret_cast<const sockaddr_in*>(&address);
    inet_ntop(AF_INET, &ipv4->sin_addr, host, sizeof(host));
    return fmt::format("{}:{}", host, ntohs(ipv4->sin_port));
  }
  if (address.ss_family == AF_INET6) {
    const auto* ipv6 = reinterpret_cast<const sockaddr_in6*>(&address);
    inet_ntop(AF_INET6, &ipv6->sin6_addr, host, sizeof(host));
    return fmt::format("[{}]:{}", host, ntohs(ipv6->sin6_port));
  }
  if (address.ss_family == AF_UNIX) {
    return "local";
  }
  return "unknown";
}

}  // namespace

Socket& Socket::operator=(Socket&& other) noexcept {
  if (this != &other) {
    Close();
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

Result<Socket> Socket::Listen(const std::string& address, uint16_t port, int backlog) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* raw_list = nullptr;
  const std::string service = std::to_string(port);
  const int status = getaddrinfo(address.c_str(), service.c_str(), &hints, &raw_list);
  if (status != 0) {
    return Error::Io(
        fmt::format("could not translate host name \"{}\": {}", address, gai_strerror(status)));
  }
  std::unique_ptr<addrinfo, AddressInfoDeleter> list(raw_list);
  std::string last_error = fmt::format("no usable address for \"{}\"", address);
  for (const addrinfo* info = list.get(); info != nullptr; info = info->ai_next) {
    Socket socket(::socket(info->ai_family, info->ai_socktype | SOCK_CLOEXEC, info->ai_protocol));
    if (!socket.Valid()) {
      last_error = fmt::format("could not create {} socket for address \"{}\": {}",
                               FamilyName(info->ai_family), address, ErrnoText(errno));
      continue;
    }
    const int one = 1;
    if (setsockopt(socket.Fd(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0) {
      last_error = fmt::format("setsockopt(SO_REUSEADDR) failed for address \"{}\": {}", address,
                               ErrnoText(errno));
      continue;
    }
    if (bind(socket.Fd(), info->ai_addr, info->ai_addrlen) != 0) {
      last_error = fmt::format("could not bind {} address \"{}\": {}", FamilyName(info->ai_family),
                               address, ErrnoText(errno));
      continue;
    }
    if (listen(socket.Fd(), backlog) != 0) {
      last_error = fmt::format("could not listen on {} address \"{}\": {}",
                               FamilyName(info->ai_family), address, ErrnoText(errno));
      continue;
    }
    return socket;
  }
  return Error::Io(std::move(last_error));
}

Result<Socket> Socket::Accept() const {
  for (;;) {
    Socket client(accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC));
    if (client.Valid()) {
      // Replies are small and the client waits for each; Nagle's algorithm would add delay to every
      // one.
      const int one = 1;
      setsockopt(client.Fd(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
      return client;
    }
    if (errno != EINTR) {
      return Error::Io(fmt::format("could not accept new connection: {}", ErrnoText(errno)));
    }
  }
}

Result<uint16_t> Socket::LocalPort() const {
  sockaddr_storage address{};
  socklen_t length = sizeof(address);
  if (getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    return Error::Io(fmt::format("getsockname() failed: {}", ErrnoText(errno)));
  }
  if (address.ss_family == AF_INET) {
    return static_cast<uint16_t>(ntohs(reinterpret_cast<const sockaddr_in*>(&address)->sin_port));
  }
  if (address.ss_family == AF_INET6) {
    return static_cast<uint16_t>(ntohs(reinterpret_cast<const sockaddr_in6*>(&address)->sin6_port));
  }
  return Error::Io("listening socket is not an IP socket");
}

std::string Socket::PeerAddress() const {
  sockaddr_storage address{};
  socklen_t length = sizeof(address);
  if (getpeername(fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    return "unknown";
  }
  return FormatAddress(address);
}

Result<size_t> Socket::Receive(char* buffer, size_t size) const {
  for (;;) {
    const ssize_t received = recv(fd_, buffer, size, 0);
    if (received >= 0) {
      return static_cast<size_t>(received);
    }
    if (errno == EINTR) {
      continue;
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      return Error(SqlState::kConnectionFailure, "timed out waiting for data from client");
    }
    return Error(SqlState::kConnectionFailure,
                 fmt::format("could not receive data from client: {}", ErrnoText(errno)));
  }
}

Status Socket::SendAll(std::string_view bytes) const {
  while (!bytes.empty()) {
    const ssize_t sent = send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (sent < 0) {
      if (errno == EINTR) {
        continue;
      }
      return Error(SqlState::kConnectionFailure,
                   fmt::format("could not send data to client: {}", ErrnoText(errno)));
    }
    bytes.remove_prefix(static_cast<size_t>(sent));
  }
  return Status::Ok();
}

void Socket::SendWithoutBlocking(std::string_view bytes) const {
  // Best effort: the connection is closed right after, so a short or failed send changes nothing.
  [[maybe_unused]] const ssize_t sent =
      send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
}

Status Socket::SetReceiveTimeout(std::chrono::milliseconds timeout) const {
  timeval value{};
  value.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  value.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
  if (setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &value, sizeof(value)) != 0) {
    return Error::Io(fmt::format("setsockopt(SO_RCVTIMEO) failed: {}", ErrnoText(errno)));
  }
  return Status::Ok();
}

void Socket::ShutdownRead() const {
  if (fd_ >= 0) {
    shutdown(fd_, SHUT_RD);
  }
}

void Socket::ShutdownBoth() const {
  if (fd_ >= 0) {
    shutdown(fd_, SHUT_RDWR);
  }
}

void Socket::Close() {
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

}  // namespace freshet::pgwire
