// SPDX-License-Identifier: Apache-2.0
#include "tools/kafka_dev/interposer.h"

#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <arpa/inet.h>
#include <dlfcn.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/uio.h>

namespace freshet::tools {
namespace {

constexpr int16_t kMetadataApiKey = 3;
/// Metadata requests use the flexible (compact, tagged) encoding from this version on.
constexpr int16_t kMetadataFirstFlexibleVersion = 9;
/// Metadata requests carry a topic id before each name from this version on.
constexpr int16_t kMetadataFirstTopicIdVersion = 10;
/// Enough for any Metadata request a client sends naming a few hundred topics.
constexpr size_t kPeekBytes = 64 * 1024;
constexpr int kMaxTrackedFd = 65536;

std::atomic<int> pending_ports{0};
std::atomic<int> next_port{0};
std::atomic<bool> intercepting{false};

/// Where each accepted connection's byte stream stands: inside the 4-byte size of the next request
/// (`header_bytes` of them seen) or inside a request body (`body_left` bytes to go). Only the mock
/// thread reads connections, so the state needs no lock.
struct StreamState {
  uint8_t header[4] = {};
  uint32_t header_bytes = 0;
  uint32_t body_left = 0;
  bool tracked = false;
};
std::array<StreamState, kMaxTrackedFd> streams;

std::mutex topics_mutex;
std::condition_variable topics_changed;
std::set<std::string, std::less<>> created_topics;
std::set<std::string, std::less<>> wanted_topics;
std::set<std::string, std::less<>> announced_topics;

template <typename Function>
Function Real(const char* name) {
  return reinterpret_cast<Function>(dlsym(RTLD_NEXT, name));
}

/// Reads the Kafka protocol's primitive types from a peeked request; every read fails softly past
/// the end (the request is then let through unparsed).
class RequestCursor {
 public:
  explicit RequestCursor(std::string_view bytes) : bytes_(bytes) {}

  bool ReadI16(int16_t& value) {
    uint8_t raw[2];
    if (!ReadRaw(raw, 2)) {
      return false;
    }
    value = static_cast<int16_t>((raw[0] << 8) | raw[1]);
    return true;
  }
  bool ReadI32(int32_t& value) {
    uint8_t raw[4];
    if (!ReadRaw(raw, 4)) {
      return false;
    }
    value = static_cast<int32_t>((uint32_t{raw[0]} << 24) | (uint32_t{raw[1]} << 16) |
                                 (uint32_t{raw[2]} << 8) | raw[3]);
    return true;
  }
  bool ReadUnsignedVarint(uint32_t& value) {
    value = 0;
    for (int shift = 0; shift < 35; shift += 7) {
      uint8_t byte;
      if (!ReadRaw(&byte, 1)) {
        return false;
      }
      value |= uint32_t{byte & 0x7fu} << shift;
      if ((byte & 0x80) == 0) {
        return true;
      }
    }
    return false;
  }
  bool Skip(size_t count) {
    if (count > bytes_.size() - position_) {
      return false;
    }
    position_ += count;
    return true;
  }
  bool ReadBytes(size_t count, std::string_view& out) {
    if (count > bytes_.size() - position_) {
      return false;
    }
    out = bytes_.substr(position_, count);
    position_ += count;
    return true;
  }
  /// Skips a tagged-field section of the flexible encoding.
  bool SkipTaggedFields() {
    uint32_t count;
    if (!ReadUnsignedVarint(count)) {
      return false;
    }
    for (uint32_t i = 0; i < count; ++i) {
      uint32_t tag;
      uint32_t size;
      if (!ReadUnsignedVarint(tag) || !ReadUnsignedVarint(size) || !Skip(size)) {
        return false;
      }
    }
    return true;
  }

 private:
  bool ReadRaw(uint8_t* out, size_t count) {
    if (count > bytes_.size() - position_) {
      return false;
    }
    std::memcpy(out, bytes_.data() + position_, count);
    position_ += count;
    return true;
  }

  std::string_view bytes_;
  size_t position_ = 0;
};

/// Appends the topic names of a Metadata request (`request` starts at the api key) to `topics`;
/// false when the request is not a Metadata request or cannot be parsed.
bool MetadataTopics(std::string_view request, std::vector<std::string_view>& topics) {
  RequestCursor cursor(request);
  int16_t api_key;
  int16_t api_version;
  int32_t correlation_id;
  int16_t client_id_length;
  if (!cursor.ReadI16(api_key) || api_key != kMetadataApiKey || !cursor.ReadI16(api_version) ||
      !cursor.ReadI32(correlation_id) || !cursor.ReadI16(client_id_length)) {
    return false;
  }
  if (client_id_length > 0 && !cursor.Skip(static_cast<size_t>(client_id_length))) {
    return false;
  }
  const bool flexible = api_version >= kMetadataFirstFlexibleVersion;
  if (flexible && !cursor.SkipTaggedFields()) {
    return false;
  }
  if (!flexible) {
    int32_t count;
    if (!cursor.ReadI32(count)) {
      return false;
    }
    for (int32_t i = 0; i < count; ++i) {
      int16_t length;
      std::string_view name;
      if (!cursor.ReadI16(length) || length < 0 ||
          !cursor.ReadBytes(static_cast<size_t>(length), name)) {
        return false;
      }
      topics.push_back(name);
    }
    return true;
  }
  uint32_t count_plus_one;
  if (!cursor.ReadUnsignedVarint(count_plus_one)) {
    return false;
  }
  for (uint32_t i = 1; i < count_plus_one; ++i) {
    if (api_version >= kMetadataFirstTopicIdVersion && !cursor.Skip(16)) {
      return false;
    }
    uint32_t length_plus_one;
    std::string_view name;
    if (!cursor.ReadUnsignedVarint(length_plus_one)) {
      return false;
    }
    if (length_plus_one > 0) {
      if (!cursor.ReadBytes(length_plus_one - 1, name)) {
        return false;
      }
      topics.push_back(name);
    }
    if (!cursor.SkipTaggedFields()) {
      return false;
    }
  }
  return true;
}

/// Kafka's rule for topic names; others are left to the mock to refuse.
bool IsValidTopicName(std::string_view name) {
  if (name.empty() || name.size() > 249 || name == "." || name == "..") {
    return false;
  }
  for (const char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok) {
      return false;
    }
  }
  return true;
}

/// True when the request at the head of `fd`'s stream names topics that do not exist yet; they
/// are then announced to the main thread.
bool MustHoldBack(int fd) {
  static const auto real_recv = Real<ssize_t (*)(int, void*, size_t, int)>("recv");
  thread_local std::vector<char> peek(kPeekBytes);
  const ssize_t peeked = real_recv(fd, peek.data(), peek.size(), MSG_PEEK | MSG_DONTWAIT);
  if (peeked < 8) {
    return false;
  }
  std::vector<std::string_view> topics;
  if (!MetadataTopics(std::string_view(peek.data() + 4, static_cast<size_t>(peeked) - 4), topics)) {
    return false;
  }
  bool hold = false;
  std::lock_guard lock(topics_mutex);
  for (const std::string_view topic : topics) {
    if (!IsValidTopicName(topic) || created_topics.contains(topic)) {
      continue;
    }
    hold = true;
    if (!announced_topics.contains(topic)) {
      announced_topics.emplace(topic);
      wanted_topics.emplace(topic);
      topics_changed.notify_all();
    }
  }
  return hold;
}

/// Advances `fd`'s framing state over `count` bytes the mock just read.
void Consume(StreamState& state, const uint8_t* data, size_t count) {
  while (count > 0) {
    if (state.body_left > 0) {
      const size_t step = std::min<size_t>(count, state.body_left);
      state.body_left -= static_cast<uint32_t>(step);
      data += step;
      count -= step;
      continue;
    }
    state.header[state.header_bytes++] = *data++;
    --count;
    if (state.header_bytes == 4) {
      state.body_left = (uint32_t{state.header[0]} << 24) | (uint32_t{state.header[1]} << 16) |
                        (uint32_t{state.header[2]} << 8) | state.header[3];
      state.header_bytes = 0;
    }
  }
}

/// The check before a read of the mock: true when the read must fail with EAGAIN.
bool HoldRead(int fd, int flags) {
  if (!intercepting.load(std::memory_order_relaxed) || fd < 0 || fd >= kMaxTrackedFd ||
      (flags & MSG_PEEK) != 0) {
    return false;
  }
  const StreamState& state = streams[fd];
  return state.tracked && state.header_bytes == 0 && state.body_left == 0 && MustHoldBack(fd);
}

void Track(int fd) {
  if (fd >= 0 && fd < kMaxTrackedFd) {
    streams[fd] = StreamState{};
    streams[fd].tracked = true;
  }
}

}  // namespace

void RequestListenerPorts(uint16_t first_port, int count) {
  next_port.store(first_port);
  pending_ports.store(count);
}

void EnableTopicInterception() {
  intercepting.store(true);
}

std::vector<std::string> TakeWantedTopics(int timeout_ms) {
  std::unique_lock lock(topics_mutex);
  topics_changed.wait_for(lock, std::chrono::milliseconds(timeout_ms),
                          [] { return !wanted_topics.empty(); });
  std::vector<std::string> topics(wanted_topics.begin(), wanted_topics.end());
  wanted_topics.clear();
  return topics;
}

void MarkTopicCreated(const std::string& topic) {
  std::lock_guard lock(topics_mutex);
  created_topics.insert(topic);
}

void WakeTopicWaiter() {
  topics_changed.notify_all();
}

}  // namespace freshet::tools

// The interposed libc functions. They are found before libc's for every call librdkafka makes.
extern "C" {

int bind(int fd, const struct sockaddr* address, socklen_t length) {
  using freshet::tools::next_port;
  using freshet::tools::pending_ports;
  static const auto real_bind =
      freshet::tools::Real<int (*)(int, const struct sockaddr*, socklen_t)>("bind");
  if (pending_ports.load() > 0 && address != nullptr && address->sa_family == AF_INET &&
      length >= sizeof(sockaddr_in)) {
    sockaddr_in requested;
    std::memcpy(&requested, address, sizeof(requested));
    if (requested.sin_port == 0 && requested.sin_addr.s_addr == htonl(INADDR_LOOPBACK)) {
      pending_ports.fetch_sub(1);
      requested.sin_port = htons(static_cast<uint16_t>(next_port.fetch_add(1)));
      return real_bind(fd, reinterpret_cast<const sockaddr*>(&requested), sizeof(requested));
    }
  }
  return real_bind(fd, address, length);
}

int accept(int fd, struct sockaddr* address, socklen_t* length) {
  static const auto real_accept =
      freshet::tools::Real<int (*)(int, struct sockaddr*, socklen_t*)>("accept");
  const int connection = real_accept(fd, address, length);
  freshet::tools::Track(connection);
  return connection;
}

int accept4(int fd, struct sockaddr* address, socklen_t* length, int flags) {
  static const auto real_accept4 =
      freshet::tools::Real<int (*)(int, struct sockaddr*, socklen_t*, int)>("accept4");
  const int connection = real_accept4(fd, address, length, flags);
  freshet::tools::Track(connection);
  return connection;
}

ssize_t recv(int fd, void* buffer, size_t length, int flags) {
  static const auto real_recv = freshet::tools::Real<ssize_t (*)(int, void*, size_t, int)>("recv");
  if (freshet::tools::HoldRead(fd, flags)) {
    errno = EAGAIN;
    return -1;
  }
  const ssize_t read = real_recv(fd, buffer, length, flags);
  if (read > 0 && fd >= 0 && fd < freshet::tools::kMaxTrackedFd && (flags & MSG_PEEK) == 0 &&
      freshet::tools::streams[fd].tracked) {
    freshet::tools::Consume(freshet::tools::streams[fd], static_cast<const uint8_t*>(buffer),
                            static_cast<size_t>(read));
  }
  return read;
}

ssize_t recvmsg(int fd, struct msghdr* message, int flags) {
  static const auto real_recvmsg =
      freshet::tools::Real<ssize_t (*)(int, struct msghdr*, int)>("recvmsg");
  if (freshet::tools::HoldRead(fd, flags)) {
    errno = EAGAIN;
    return -1;
  }
  const ssize_t read = real_recvmsg(fd, message, flags);
  if (read > 0 && fd >= 0 && fd < freshet::tools::kMaxTrackedFd && (flags & MSG_PEEK) == 0 &&
      freshet::tools::streams[fd].tracked) {
    size_t left = static_cast<size_t>(read);
    for (size_t i = 0; i < message->msg_iovlen && left > 0; ++i) {
      const size_t step = std::min(left, message->msg_iov[i].iov_len);
      freshet::tools::Consume(freshet::tools::streams[fd],
                              static_cast<const uint8_t*>(message->msg_iov[i].iov_base), step);
      left -= step;
    }
  }
  return read;
}

}  // extern "C"
