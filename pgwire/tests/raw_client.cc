// SPDX-License-Identifier: Apache-2.0
#include "pgwire/tests/raw_client.h"

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

namespace freshet::pgwire::testing {

ErrorFields BackendMessage::Fields() const {
  MessageReader reader(body);
  return ErrorFields::Decode(reader);
}

RawClient::RawClient(uint16_t port, std::chrono::milliseconds timeout) {
  fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) {
    throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
  }
  timeval value{};
  value.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  value.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
  setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &value, sizeof(value));
  const int one = 1;
  setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    const int error = errno;
    close(fd_);
    throw std::runtime_error(std::string("connect: ") + std::strerror(error));
  }
}

RawClient::~RawClient() {
  if (fd_ >= 0) {
    close(fd_);
  }
}

bool RawClient::Send(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t sent = send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (sent < 0) {
      if (errno == EINTR) {
        continue;
      }
      return false;
    }
    bytes.remove_prefix(static_cast<size_t>(sent));
  }
  return true;
}

bool RawClient::SendStartup(std::string_view user) {
  MessageBuffer buffer;
  StartupMessage{kProtocolVersion3, {{"user", std::string(user)}, {"database", "db"}}}.Encode(
      buffer);
  return Send(buffer);
}

void RawClient::ShutdownWrite() {
  shutdown(fd_, SHUT_WR);
}

bool RawClient::ReadExact(char* destination, size_t count) {
  while (count > 0) {
    const ssize_t received = recv(fd_, destination, count, 0);
    if (received == 0) {
      return false;
    }
    if (received < 0) {
      if (errno == EINTR) {
        continue;
      }
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        timed_out_ = true;
      }
      return false;
    }
    destination += received;
    count -= static_cast<size_t>(received);
  }
  return true;
}

std::optional<char> RawClient::ReadByte() {
  char byte = 0;
  if (!ReadExact(&byte, 1)) {
    return std::nullopt;
  }
  return byte;
}

std::optional<BackendMessage> RawClient::Read() {
  char header[5];
  if (!ReadExact(header, sizeof(header))) {
    return std::nullopt;
  }
  MessageReader reader(std::string_view(header + 1, 4));
  const int32_t length = reader.ReadInt32();
  if (length < 4) {
    throw std::runtime_error("server sent a message length below 4");
  }
  BackendMessage message;
  message.type = header[0];
  message.body.resize(static_cast<size_t>(length) - 4);
  if (!ReadExact(message.body.data(), message.body.size())) {
    return std::nullopt;
  }
  return message;
}

std::vector<BackendMessage> RawClient::ReadUntilReady() {
  std::vector<BackendMessage> messages;
  while (std::optional<BackendMessage> message = Read()) {
    messages.push_back(std::move(*message));
    if (messages.back().type == 'Z') {
      break;
    }
  }
  return messages;
}

std::vector<BackendMessage> RawClient::ReadUntilClosed() {
  std::vector<BackendMessage> messages;
  while (std::optional<BackendMessage> message = Read()) {
    messages.push_back(std::move(*message));
  }
  return messages;
}

bool RawClient::DrainUntilClosed() {
  char buffer[4096];
  for (;;) {
    const ssize_t received = recv(fd_, buffer, sizeof(buffer), 0);
    if (received == 0) {
      return true;
    }
    if (received < 0) {
      if (errno == EINTR) {
        continue;
      }
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        timed_out_ = true;
        return false;
      }
      return true;  // reset by the server: closed as well
    }
  }
}

std::optional<ErrorFields> FirstError(const std::vector<BackendMessage>& messages) {
  for (const BackendMessage& message : messages) {
    if (message.type == 'E') {
      return message.Fields();
    }
  }
  return std::nullopt;
}

}  // namespace freshet::pgwire::testing
