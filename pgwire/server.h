// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/error.h"
#include "pgwire/query_handler.h"

namespace freshet::pgwire {

class Connection;
class Socket;
struct ScramSecret;
struct ConnectionContext;

/// How a Server listens and whom it lets in.
struct ServerOptions {
  /// A numeric address or host name; "0.0.0.0" or "::" to listen on every interface.
  std::string listen_address = "127.0.0.1";
  /// 0 picks a free port; Server::Port() tells which.
  uint16_t port = 5488;
  /// When set, clients authenticate with SCRAM-SHA-256 and this password (any user name is
  /// accepted: the server has a single user). When unset, every client is trusted.
  std::optional<std::string> password;
  /// Connections beyond this many are refused with 53300 "sorry, too many clients already".
  size_t max_connections = 1000;
  /// A client that has not finished startup and authentication by then is disconnected, so that
  /// silent clients cannot hold connection slots.
  std::chrono::milliseconds authentication_timeout{60000};
  /// How long Shutdown() lets running statements finish before cancelling them and closing their
  /// sockets.
  std::chrono::milliseconds shutdown_grace{30000};
};

/// A PostgreSQL protocol v3 server: accepts TCP clients, authenticates them, and serves each on its
/// own thread with a QueryHandler made by the factory, which must outlive the server. Start,
/// Shutdown and the destructor are called by the owning thread; Port and ConnectionCount may be
/// called from any thread.
class Server {
 public:
  Server(ServerOptions options, QueryHandlerFactory& factory);
  /// Calls Shutdown().
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Binds and listens, then starts the accept thread. Returns an Error (58030) if the address
  /// cannot be bound, e.g. because the port is in use. Call at most once.
  Status Start();
  /// The bound port: options.port, or the one picked when it was 0. Valid after a successful
  /// Start().
  uint16_t Port() const { return port_; }
  /// Stops accepting, lets running statements finish (up to options.shutdown_grace, then cancels
  /// them), tells every client 57P01 and closes its connection, and joins all threads. Idempotent.
  void Shutdown();
  /// The open client connections, including the ones still authenticating, but not the ones being
  /// refused for exceeding max_connections.
  size_t ConnectionCount() const;

 private:
  /// One connection and the thread serving it.
  struct ConnectionSlot {
    std::unique_ptr<Connection> connection;
    std::thread thread;
    /// Over the limit: the connection only reads the startup packet and answers 53300.
    bool refusing = false;
  };

  void AcceptLoop() noexcept;
  void StartConnection(Socket socket);
  /// Called by a connection thread as its last act: hands its slot over to be joined.
  void OnConnectionFinished(int32_t process_id);
  /// Joins the threads of finished connections and destroys them.
  void ReapFinished();
  /// Cancels the running statement of connection `process_id` if `secret_key` matches (a
  /// CancelRequest).
  void CancelBackend(int32_t process_id, int32_t secret_key);

  const ServerOptions options_;
  QueryHandlerFactory& factory_;
  std::unique_ptr<ScramSecret> scram_secret_;
  std::unique_ptr<ConnectionContext> context_;
  std::unique_ptr<Socket> listener_;
  /// The accept thread polls the read end; Shutdown writes to the other to wake it.
  std::unique_ptr<Socket> wake_read_;
  std::unique_ptr<Socket> wake_write_;
  std::thread accept_thread_;
  uint16_t port_ = 0;
  bool started_ = false;
  std::atomic<bool> stopping_{false};

  mutable std::mutex mutex_;
  /// Signalled when a connection finishes.
  std::condition_variable finished_changed_;
  /// Live connections by process id (the key of BackendKeyData). Guarded by mutex_.
  std::map<int32_t, ConnectionSlot> connections_;
  /// Connections whose threads have returned (or are returning) and wait to be joined. Guarded by
  /// mutex_.
  std::vector<ConnectionSlot> finished_;
  /// How many of connections_ are refusing. Guarded by mutex_.
  size_t refusing_count_ = 0;
  int32_t next_process_id_ = 1;
};

}  // namespace freshet::pgwire
