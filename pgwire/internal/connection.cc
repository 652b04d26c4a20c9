// SPDX-License-Identifier: Apache-2.0
#include "pgwire/internal/connection.h"

#include <cstring>
#include <new>
#include <utility>
#include <variant>

#include <fmt/format.h>

#include "common/logging.h"
#include "pgwire/error_response.h"

namespace freshet::pgwire {
namespace {

constexpr char kLogModule[] = "pgwire";

int32_t RandomSecretKey() {
  const std::string bytes = RandomBytes(sizeof(int32_t));
  int32_t key = 0;
  std::memcpy(&key, bytes.data(), sizeof(key));
  return key;
}

Error UnsupportedProtocol(int32_t version) {
  const auto bits = static_cast<uint32_t>(version);
  return Error::Protocol(
      fmt::format("unsupported frontend protocol {}.{}: server supports 3.0 to 3.0", bits >> 16,
                  bits & 0xffff));
}

Error Fatal(Error error) {
  return std::move(error).WithSeverity(Severity::kFatal);
}

}  // namespace

Connection::Connection(Socket socket,
                       int32_t process_id,
                       const ConnectionContext& context,
                       std::optional<Error> refusal)
    : process_id_(process_id),
      secret_key_(RandomSecretKey()),
      context_(context),
      refusal_(std::move(refusal)),
      stream_(std::move(socket)),
      writer_(stream_) {}

void Connection::Run() noexcept {
  const auto started_at = std::chrono::steady_clock::now();
  try {
    peer_ = stream_.GetSocket().PeerAddress();
    // Until authentication is done, a silent client must not hold its slot forever.
    stream_.GetSocket().SetReceiveTimeout(context_.options.authentication_timeout).ThrowIfError();
    std::optional<StartupMessage> startup = ReadStartupMessage();
    if (!startup) {
      if (StopRequested()) {
        SendAdminShutdown();
      }
    } else {
      startup_ = MakeStartupInfo(*startup);
      if (refusal_) {
        HandleFatal(*refusal_);
      } else if (!EnterPhase(Phase::kAuthentication)) {
        SendAdminShutdown();
      } else if (Authenticate()) {
        MessageLoop();
      }
    }
  } catch (const Error& error) {
    HandleFatal(error);
  } catch (const std::bad_alloc&) {
    HandleFatal(Error(SqlState::kOutOfMemory, "out of memory"));
  } catch (const std::exception& exception) {
    FRESHET_LOG_ERROR(kLogModule, "internal error pid={} peer={}: {}", process_id_, peer_,
                      exception.what());
    HandleFatal(Error::Internal(exception.what()));
  } catch (...) {
    HandleFatal(Error::Internal("unknown exception"));
  }

  std::unique_ptr<QueryHandler> handler;
  {
    std::lock_guard lock(mutex_);
    phase_ = Phase::kClosed;
    // Closed under the lock: RequestStop must never shut down a reused descriptor number.
    stream_.Close();
    handler = std::move(handler_);
  }
  try {
    handler.reset();
  } catch (...) {  // NOLINT(bugprone-empty-catch)
    // A handler destructor that throws must not end the process.
  }
  if (log_disconnect_) {
    const std::chrono::duration<double> session = std::chrono::steady_clock::now() - started_at;
    FRESHET_LOG_INFO(kLogModule, "disconnect pid={} peer={} user={} session={:.3f}s: {}",
                     process_id_, peer_, startup_ ? startup_->user : "", session.count(),
                     end_reason_);
  }
}

void Connection::RequestStop() {
  std::lock_guard lock(mutex_);
  stop_requested_ = true;
  // A connection blocked reading (idle or still starting) is woken: the read returns end-of-stream,
  // and the thread, seeing the stop, says goodbye. A busy one notices the stop after its statement.
  if (phase_ == Phase::kStartup || phase_ == Phase::kAuthentication || phase_ == Phase::kIdle) {
    stream_.GetSocket().ShutdownRead();
  }
}

void Connection::ForceStop() {
  std::lock_guard lock(mutex_);
  stop_requested_ = true;
  if (phase_ == Phase::kClosed) {
    return;
  }
  if (handler_) {
    handler_->Cancel();
  }
  stream_.GetSocket().ShutdownBoth();
}

bool Connection::Cancel(int32_t secret_key) {
  std::lock_guard lock(mutex_);
  if (secret_key != secret_key_) {
    return false;
  }
  // Only a running statement is cancelled: a cancel that arrives while idle must spare the next.
  if (phase_ == Phase::kBusy && handler_) {
    handler_->Cancel();
  }
  return true;
}

bool Connection::EnterPhase(Phase phase) {
  std::lock_guard lock(mutex_);
  phase_ = phase;
  return !stop_requested_;
}

bool Connection::StopRequested() const {
  std::lock_guard lock(mutex_);
  return stop_requested_;
}

std::optional<StartupMessage> Connection::ReadStartupMessage() {
  bool ssl_answered = false;
  bool gss_answered = false;
  for (;;) {
    std::optional<std::string> body = stream_.ReadStartupPacket();
    if (!body) {
      end_reason_ = "client closed the connection before startup";
      return std::nullopt;
    }
    StartupPacket packet = DecodeStartupPacket(*body);
    if (const auto* cancel = std::get_if<CancelRequest>(&packet)) {
      // PostgreSQL answers a CancelRequest with nothing: it must reveal nothing about others.
      log_disconnect_ = false;
      end_reason_ = "cancel request";
      FRESHET_LOG_INFO(kLogModule, "cancel request from {} for pid={}", peer_, cancel->process_id);
      context_.cancel_backend(cancel->process_id, cancel->secret_key);
      return std::nullopt;
    }
    // Encryption is not offered: 'N' tells the client to go on in plain text on this connection.
    // Each request is answered once; a second one is treated as the unknown protocol version it
    // then is.
    if (std::holds_alternative<SslRequest>(packet) && !ssl_answered) {
      ssl_answered = true;
      stream_.Output().AppendByte('N');
      stream_.Flush();
      continue;
    }
    if (std::holds_alternative<GssEncRequest>(packet) && !gss_answered) {
      gss_answered = true;
      stream_.Output().AppendByte('N');
      stream_.Flush();
      continue;
    }
    if (std::holds_alternative<SslRequest>(packet)) {
      throw UnsupportedProtocol(kSslRequestCode);
    }
    if (std::holds_alternative<GssEncRequest>(packet)) {
      throw UnsupportedProtocol(kGssEncRequestCode);
    }
    StartupMessage startup = std::get<StartupMessage>(std::move(packet));
    if ((startup.protocol_version >> 16) != 3) {
      throw UnsupportedProtocol(startup.protocol_version);
    }
    NegotiateProtocol(startup);
    return startup;
  }
}

void Connection::NegotiateProtocol(StartupMessage& startup) {
  NegotiateProtocolVersion negotiation;
  std::erase_if(startup.parameters, [&](const std::pair<std::string, std::string>& parameter) {
    if (parameter.first.starts_with("_pq_.")) {
      negotiation.unrecognized_options.push_back(parameter.first);
      return true;
    }
    return false;
  });
  if ((startup.protocol_version & 0xffff) != 0 || !negotiation.unrecognized_options.empty()) {
    negotiation.Encode(stream_.Output());
  }
}

StartupInfo Connection::MakeStartupInfo(const StartupMessage& startup) const {
  StartupInfo info;
  info.parameters = startup.parameters;
  info.peer = peer_;
  for (const auto& [name, value] : startup.parameters) {
    if (name == "user") {
      info.user = value;
    } else if (name == "database") {
      info.database = value;
    } else if (name == "application_name") {
      info.application_name = value;
    }
  }
  if (info.user.empty()) {
    throw Error(SqlState::kInvalidAuthorizationSpecification,
                "no PostgreSQL user name specified in startup packet");
  }
  if (info.database.empty()) {
    info.database = info.user;
  }
  return info;
}

std::string Connection::ReadAuthenticationMessage() {
  std::optional<char> type = stream_.ReadMessageType();
  if (!type) {
    // libpq does this when it needs a password it lacks: it asks the user, then reconnects.
    throw Error(SqlState::kConnectionFailure, "client closed the connection during authentication");
  }
  if (*type != 'p') {
    throw Error::Protocol(fmt::format("expected SASL response, got message type {}",
                                      static_cast<int>(static_cast<uint8_t>(*type))));
  }
  return stream_.ReadMessageBody(kMaxAuthMessageLength);
}

bool Connection::Authenticate() {
  if (context_.scram_secret != nullptr) {
    AuthenticationSasl{{std::string(kScramSha256)}}.Encode(stream_.Output());
    stream_.Flush();

    ScramServer scram(*context_.scram_secret, ScramServer::RandomNonce());
    const std::string initial_body = ReadAuthenticationMessage();
    MessageReader initial_reader(initial_body);
    const SaslInitialResponse initial = SaslInitialResponse::Decode(initial_reader);
    if (initial.mechanism != kScramSha256) {
      throw Error::Protocol("client selected an invalid SASL authentication mechanism");
    }
    if (!initial.data) {
      throw Error::Protocol("malformed SCRAM message")
          .WithDetail("The client sent no client-first-message.");
    }
    AuthenticationSaslContinue{scram.HandleClientFirst(*initial.data)}.Encode(stream_.Output());
    stream_.Flush();

    const std::string final_body = ReadAuthenticationMessage();
    MessageReader final_reader(final_body);
    const std::optional<std::string> server_final =
        scram.HandleClientFinal(SaslResponse::Decode(final_reader).data);
    if (!server_final) {
      HandleFatal(
          Error(SqlState::kInvalidPassword,
                fmt::format("password authentication failed for user \"{}\"", startup_->user)));
      end_reason_ = "authentication failed";
      return false;
    }
    AuthenticationSaslFinal{*server_final}.Encode(stream_.Output());
  }
  authenticated_ = true;
  AuthenticationOk{}.Encode(stream_.Output());
  // From here on reads block without a deadline: an idle session may legitimately stay idle.
  stream_.GetSocket().SetReceiveTimeout(std::chrono::milliseconds(0)).ThrowIfError();

  std::unique_ptr<QueryHandler> handler = context_.factory.Create(*startup_);
  FRESHET_CHECK(handler != nullptr, "QueryHandlerFactory::Create returned no handler");
  for (const auto& [name, value] : context_.factory.InitialParameters(*startup_)) {
    ParameterStatus{name, value}.Encode(stream_.Output());
  }
  BackendKeyData{process_id_, secret_key_}.Encode(stream_.Output());
  {
    std::lock_guard lock(mutex_);
    handler_ = std::move(handler);
  }
  FRESHET_LOG_INFO(kLogModule, "connection pid={} peer={} user={} database={} application_name={}",
                   process_id_, peer_, startup_->user, startup_->database,
                   startup_->application_name);
  SendReadyForQuery();
  return true;
}

void Connection::MessageLoop() {
  for (;;) {
    if (!EnterPhase(Phase::kIdle)) {
      SendAdminShutdown();
      return;
    }
    const std::optional<char> type = stream_.ReadMessageType();
    if (!type) {
      if (StopRequested()) {
        SendAdminShutdown();
      }
      return;
    }
    if (!IsFrontendMessageType(*type)) {
      throw Error::Protocol(fmt::format("invalid frontend message type {}",
                                        static_cast<int>(static_cast<uint8_t>(*type))));
    }
    const std::string body = stream_.ReadMessageBody(MaxFrontendMessageLength(*type));
    if (!EnterPhase(Phase::kBusy)) {
      SendAdminShutdown();
      return;
    }
    if (!HandleMessage(*type, body)) {
      end_reason_ = "client terminated the session";
      return;
    }
  }
}

bool Connection::HandleMessage(char type, std::string_view body) {
  if (ignore_till_sync_ && type != 'S' && type != 'X') {
    return true;
  }
  MessageReader reader(body);
  switch (type) {
    case 'Q':
      HandleQuery(Query::Decode(reader).sql);
      return true;
    case 'X':
      return false;
    case 'S':
      reader.ExpectEnd();
      ignore_till_sync_ = false;
      SendReadyForQuery();
      return true;
    case 'H':
      reader.ExpectEnd();
      stream_.Flush();
      return true;
    case 'P':
    case 'B':
    case 'D':
    case 'E':
    case 'C':
      // The extended protocol (statement and portal caches) will go here. Until then a cycle fails
      // once and is skipped up to its Sync, as after any error in an extended-protocol message.
      EncodeErrorResponse(
          Error(SqlState::kFeatureNotSupported, "extended query protocol is not supported yet"),
          stream_.Output());
      stream_.Flush();
      ignore_till_sync_ = true;
      return true;
    case 'F':
      EncodeErrorResponse(
          Error(SqlState::kFeatureNotSupported, "fastpath function calls are not supported"),
          stream_.Output());
      SendReadyForQuery();
      return true;
    case 'd':
    case 'c':
    case 'f':
      // Copy messages outside a COPY follow a COPY that failed; PostgreSQL ignores them too.
      return true;
    default:
      throw Error::Protocol(fmt::format("invalid frontend message type {}",
                                        static_cast<int>(static_cast<uint8_t>(type))));
  }
}

void Connection::HandleQuery(std::string_view sql) {
  writer_.Reset();
  try {
    handler_->ExecuteSimpleQuery(sql, writer_);
  } catch (const Error& error) {
    const bool fatal =
        error.GetSeverity() == Severity::kFatal || error.GetSeverity() == Severity::kPanic;
    if (stream_.Broken() || fatal) {
      throw;
    }
    EncodeErrorResponse(error, stream_.Output());
  } catch (const std::bad_alloc&) {
    if (stream_.Broken()) {
      throw;
    }
    EncodeErrorResponse(Error(SqlState::kOutOfMemory, "out of memory"), stream_.Output());
  } catch (const std::exception& exception) {
    if (stream_.Broken()) {
      throw;
    }
    // A handler that throws something other than Error has a bug; the session survives it.
    FRESHET_LOG_ERROR(kLogModule, "internal error pid={} peer={}: {}", process_id_, peer_,
                      exception.what());
    EncodeErrorResponse(Error::Internal(exception.what()), stream_.Output());
  }
  SendReadyForQuery();
}

void Connection::SendReadyForQuery() {
  ReadyForQuery{handler_->GetTransactionStatus()}.Encode(stream_.Output());
  stream_.Flush();
}

void Connection::SendAdminShutdown() {
  end_reason_ = "server shutdown";
  EncodeErrorResponse(
      Fatal(Error(SqlState::kAdminShutdown, "terminating connection due to administrator command")),
      stream_.Output());
  stream_.TryFlush();
}

void Connection::HandleFatal(const Error& error) {
  if (StopRequested()) {
    // Shutdown woke the thread mid-read or closed its socket: a consequence, not a cause.
    SendAdminShutdown();
    return;
  }
  end_reason_ = error.Message();
  if (error.State() == SqlState::kConnectionFailure) {
    // The socket failed or the peer left; there is no one to tell.
    return;
  }
  const std::string user = startup_ ? startup_->user : "";
  std::string_view event = "session terminated";
  if (phase_ == Phase::kAuthentication && !authenticated_) {
    event = "authentication failed";
  } else if (error.State() == SqlState::kProtocolViolation) {
    event = "protocol error";
  } else if (handler_ == nullptr) {
    event = "connection refused";
  }
  FRESHET_LOG_INFO(kLogModule, "{} pid={} peer={} user={}: {} ({})", event, process_id_, peer_,
                   user, error.Message(), error.Code());
  if (!stream_.Broken()) {
    EncodeErrorResponse(Fatal(error), stream_.Output());
    stream_.TryFlush();
  }
}

}  // namespace freshet::pgwire
