// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "pgwire/internal/protocol_result_writer.h"
#include "pgwire/internal/protocol_stream.h"
#include "pgwire/messages.h"
#include "pgwire/query_handler.h"
#include "pgwire/scram.h"
#include "pgwire/server.h"

namespace freshet::pgwire {

/// What every Connection borrows from its Server, which outlives them all.
struct ConnectionContext {
  const ServerOptions& options;
  QueryHandlerFactory& factory;
  /// The password's secret when clients must authenticate; nullptr to trust every client.
  const ScramSecret* scram_secret = nullptr;
  /// Cancels the running statement of the connection with this key; called for a CancelRequest.
  std::function<void(int32_t process_id, int32_t secret_key)> cancel_backend;
};

/// Serves one client, from its first packet to its disconnection, on the thread that calls Run():
/// startup negotiation, authentication, then the message loop. Owns the socket and the
/// QueryHandler. Run is called by one thread; RequestStop, ForceStop and Cancel may be called from
/// any thread while Run is in progress.
class Connection {
 public:
  /// With a `refusal`, the connection reads the client's startup packet (so that the client can
  /// understand the answer) and then sends the refusal as a FATAL error; used for clients beyond
  /// max_connections.
  Connection(Socket socket,
             int32_t process_id,
             const ConnectionContext& context,
             std::optional<Error> refusal = std::nullopt);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  /// Serves the client until it leaves, breaks the protocol or the server stops; never throws.
  void Run() noexcept;
  /// Asks the connection to end once its running statement, if any, has finished; wakes it if it is
  /// idle.
  void RequestStop();
  /// Cancels the running statement and closes the socket both ways, waking the thread wherever it
  /// blocks.
  void ForceStop();
  /// Cancels the running statement if `secret_key` is this connection's; returns whether it
  /// matched.
  bool Cancel(int32_t secret_key);

  int32_t ProcessId() const { return process_id_; }

 private:
  /// Where the connection is, for Shutdown (who may be woken) and for the log (what failed).
  enum class Phase { kStartup, kAuthentication, kIdle, kBusy, kClosed };

  /// Reads startup packets until a StartupMessage; std::nullopt when there is nothing more to do
  /// (the peer left, or it was a CancelRequest).
  std::optional<StartupMessage> ReadStartupMessage();
  /// Answers a minor version above 3.0 or `_pq_.` options with NegotiateProtocolVersion, as
  /// PostgreSQL does.
  void NegotiateProtocol(StartupMessage& startup);
  StartupInfo MakeStartupInfo(const StartupMessage& startup) const;
  /// Runs SCRAM-SHA-256 when a password is configured; false when the client failed (already told).
  bool Authenticate();
  /// Reads the body of a 'p' message during authentication; throws if the client sends anything
  /// else.
  std::string ReadAuthenticationMessage();
  void MessageLoop();
  /// Handles one message; false when the client asked to terminate.
  bool HandleMessage(char type, std::string_view body);
  void HandleQuery(std::string_view sql);
  void SendReadyForQuery();
  /// Reports an error that ends the connection, logs it, and tells the client if it can still hear.
  void HandleFatal(const Error& error);
  void SendAdminShutdown();

  /// Moves to `phase`; false if a stop was requested, in which case the connection must end now.
  bool EnterPhase(Phase phase);
  bool StopRequested() const;

  const int32_t process_id_;
  const int32_t secret_key_;
  const ConnectionContext& context_;
  const std::optional<Error> refusal_;
  ProtocolStream stream_;
  ProtocolResultWriter writer_;
  std::string peer_;
  std::optional<StartupInfo> startup_;
  /// After an error in an extended-protocol message, everything up to the next Sync is discarded.
  bool ignore_till_sync_ = false;
  /// Why the connection ended, for the disconnect log line.
  std::string end_reason_ = "client closed the connection";
  bool log_disconnect_ = true;
  /// True once the client has proved who it is (or is trusted).
  bool authenticated_ = false;

  mutable std::mutex mutex_;
  /// Guarded by mutex_ (read without it by the connection thread, the only writer).
  Phase phase_ = Phase::kStartup;
  /// Guarded by mutex_.
  bool stop_requested_ = false;
  /// Written under mutex_ by the connection thread only; called by other threads only under mutex_.
  std::unique_ptr<QueryHandler> handler_;
};

}  // namespace freshet::pgwire
