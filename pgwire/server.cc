// SPDX-License-Identifier: Apache-2.0
#include "pgwire/server.h"

#include <limits>
#include <system_error>

#include <poll.h>
#include <sys/socket.h>

#include "common/logging.h"
#include "pgwire/error_response.h"
#include "pgwire/internal/connection.h"
#include "pgwire/internal/socket.h"
#include "pgwire/scram.h"

namespace freshet::pgwire {
namespace {

constexpr char kLogModule[] = "pgwire";
constexpr int kListenBacklog = 1024;
/// The accept thread wakes at least this often to join the threads of finished connections.
constexpr int kReapIntervalMs = 1000;
/// Clients beyond max_connections are refused by a thread of their own, which reads their startup
/// packet first (libpq cannot read an error sent before it); this many such threads at most, then
/// the accept thread refuses outright.
constexpr size_t kMaxRefusingConnections = 64;

/// Refuses a client from the accept thread without blocking it: one FATAL message, then close.
void Refuse(const Socket& socket, const Error& error) {
  MessageBuffer out;
  EncodeErrorResponse(Error(error).WithSeverity(Severity::kFatal), out);
  socket.SendWithoutBlocking(out.Data());
  // Reading what the client already sent (its startup packet) avoids a close with unread data,
  // which resets the connection and can destroy the message before the client reads it.
  char discard[1024];
  while (recv(socket.Fd(), discard, sizeof(discard), MSG_DONTWAIT) > 0) {
  }
  shutdown(socket.Fd(), SHUT_WR);
}

}  // namespace

Server::Server(ServerOptions options, QueryHandlerFactory& factory)
    : options_(std::move(options)), factory_(factory) {}

Server::~Server() {
  Shutdown();
}

Status Server::Start() {
  FRESHET_CHECK(!started_, "Server::Start called twice");
  if (options_.password) {
    scram_secret_ = std::make_unique<ScramSecret>(ScramSecret::FromPassword(*options_.password));
  }
  context_ = std::make_unique<ConnectionContext>(ConnectionContext{
      options_, factory_, scram_secret_.get(),
      [this](int32_t process_id, int32_t secret_key) { CancelBackend(process_id, secret_key); }});

  Result<Socket> listener = Socket::Listen(options_.listen_address, options_.port, kListenBacklog);
  if (!listener.ok()) {
    return listener.error();
  }
  Result<uint16_t> port = listener.value().LocalPort();
  if (!port.ok()) {
    return port.error();
  }
  int wake_fds[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, wake_fds) != 0) {
    return Error::Io("could not create the accept thread's wake-up socket pair");
  }
  wake_read_ = std::make_unique<Socket>(wake_fds[0]);
  wake_write_ = std::make_unique<Socket>(wake_fds[1]);
  listener_ = std::make_unique<Socket>(std::move(listener).value());
  port_ = port.value();
  started_ = true;
  accept_thread_ = std::thread([this] { AcceptLoop(); });
  FRESHET_LOG_INFO(kLogModule, "listening on {}:{} ({} authentication)", options_.listen_address,
                   port_, options_.password ? "scram-sha-256" : "trust");
  return Status::Ok();
}

size_t Server::ConnectionCount() const {
  std::lock_guard lock(mutex_);
  return connections_.size() - refusing_count_;
}

void Server::AcceptLoop() noexcept {
  while (!stopping_.load()) {
    try {
      pollfd fds[2] = {{listener_->Fd(), POLLIN, 0}, {wake_read_->Fd(), POLLIN, 0}};
      const int ready = poll(fds, 2, kReapIntervalMs);
      ReapFinished();
      if (stopping_.load() || fds[1].revents != 0) {
        break;
      }
      if (ready <= 0 || (fds[0].revents & POLLIN) == 0) {
        continue;
      }
      Result<Socket> accepted = listener_->Accept();
      if (!accepted.ok()) {
        FRESHET_LOG_WARNING(kLogModule, "{}", accepted.error().Message());
        // Typically out of descriptors: back off instead of spinning on the pending connection.
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        continue;
      }
      StartConnection(std::move(accepted).value());
    } catch (const std::exception& exception) {
      FRESHET_LOG_ERROR(kLogModule, "accept loop: {}", exception.what());
    }
  }
}

void Server::StartConnection(Socket socket) {
  std::lock_guard lock(mutex_);
  std::optional<Error> refusal;
  if (connections_.size() - refusing_count_ >= options_.max_connections) {
    Error too_many(SqlState::kTooManyConnections, "sorry, too many clients already");
    if (refusing_count_ >= kMaxRefusingConnections) {
      FRESHET_LOG_INFO(kLogModule, "connection from {} refused: too many clients",
                       socket.PeerAddress());
      Refuse(socket, too_many);
      return;
    }
    refusal = std::move(too_many);
  }
  // Process ids are the keys of BackendKeyData; skip ids still in use after the counter wraps.
  while (connections_.contains(next_process_id_)) {
    next_process_id_ =
        next_process_id_ == std::numeric_limits<int32_t>::max() ? 1 : next_process_id_ + 1;
  }
  const int32_t process_id = next_process_id_;
  next_process_id_ =
      next_process_id_ == std::numeric_limits<int32_t>::max() ? 1 : next_process_id_ + 1;

  ConnectionSlot& slot = connections_[process_id];
  slot.refusing = refusal.has_value();
  slot.connection =
      std::make_unique<Connection>(std::move(socket), process_id, *context_, std::move(refusal));
  Connection* connection = slot.connection.get();
  try {
    // The thread cannot finish before the slot holds it: OnConnectionFinished waits for mutex_.
    slot.thread = std::thread([this, connection] {
      connection->Run();
      OnConnectionFinished(connection->ProcessId());
    });
  } catch (const std::system_error& error) {
    FRESHET_LOG_ERROR(kLogModule, "could not start a connection thread: {}", error.what());
    connections_.erase(process_id);
    return;
  }
  if (slot.refusing) {
    ++refusing_count_;
  }
}

void Server::OnConnectionFinished(int32_t process_id) {
  std::lock_guard lock(mutex_);
  auto node = connections_.extract(process_id);
  if (!node.empty()) {
    if (node.mapped().refusing) {
      --refusing_count_;
    }
    finished_.push_back(std::move(node.mapped()));
  }
  finished_changed_.notify_all();
}

void Server::ReapFinished() {
  std::vector<ConnectionSlot> finished;
  {
    std::lock_guard lock(mutex_);
    finished.swap(finished_);
  }
  for (ConnectionSlot& slot : finished) {
    if (slot.thread.joinable()) {
      slot.thread.join();
    }
  }
}

void Server::CancelBackend(int32_t process_id, int32_t secret_key) {
  std::lock_guard lock(mutex_);
  auto it = connections_.find(process_id);
  if (it == connections_.end() || !it->second.connection->Cancel(secret_key)) {
    FRESHET_LOG_INFO(kLogModule,
                     "cancel request for pid={} ignored: no such connection or wrong key",
                     process_id);
  }
}

void Server::Shutdown() {
  if (!started_ || stopping_.exchange(true)) {
    return;
  }
  wake_write_->SendWithoutBlocking("x");
  if (accept_thread_.joinable()) {
    accept_thread_.join();
  }
  listener_->Close();
  {
    std::lock_guard lock(mutex_);
    FRESHET_LOG_INFO(kLogModule, "shutting down: closing {} connections", connections_.size());
    for (auto& [process_id, slot] : connections_) {
      slot.connection->RequestStop();
    }
  }
  const auto deadline = std::chrono::steady_clock::now() + options_.shutdown_grace;
  bool forced = false;
  for (;;) {
    ReapFinished();
    std::unique_lock lock(mutex_);
    if (connections_.empty() && finished_.empty()) {
      break;
    }
    if (!forced && std::chrono::steady_clock::now() >= deadline) {
      FRESHET_LOG_WARNING(kLogModule, "cancelling {} statements still running after {}ms",
                          connections_.size(), options_.shutdown_grace.count());
      for (auto& [process_id, slot] : connections_) {
        slot.connection->ForceStop();
      }
      forced = true;
    }
    if (forced) {
      finished_changed_.wait(lock, [this] { return !finished_.empty() || connections_.empty(); });
    } else {
      finished_changed_.wait_until(lock, deadline, [this] { return !finished_.empty(); });
    }
  }
  ReapFinished();
}

}  // namespace freshet::pgwire
