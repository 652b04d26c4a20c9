// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "pgwire/query_handler.h"

// The messages of PostgreSQL protocol v3
// (https://www.postgresql.org/docs/current/protocol-message-formats.html). Each message is a struct
// with `Encode(MessageBuffer&)`, which appends the whole message (type byte and length included),
// and `static Decode(MessageReader&)`, which parses the body that follows the length word. Both
// directions exist for every message so that tests can play the client with the same code.
namespace freshet::pgwire {

/// Startup packets longer than this are refused, as PostgreSQL's MAX_STARTUP_PACKET_LENGTH.
inline constexpr size_t kMaxStartupPacketLength = 10000;
/// The largest message body accepted (PostgreSQL's PQ_LARGE_MESSAGE_LIMIT, 1 GiB - 1).
inline constexpr size_t kMaxLargeMessageLength = (size_t{1} << 30) - 1;
/// The largest body of messages that carry no user data (Sync, Flush, Terminate, ...).
inline constexpr size_t kMaxSmallMessageLength = 10000;
/// The largest authentication message body (PostgreSQL's PG_MAX_AUTH_TOKEN_LENGTH).
inline constexpr size_t kMaxAuthMessageLength = 65535;

/// Protocol 3.0, the only version spoken, as the 32-bit code of a StartupMessage.
inline constexpr int32_t kProtocolVersion3 = 3 << 16;
/// Request codes sent in place of a protocol version.
inline constexpr int32_t kCancelRequestCode = (1234 << 16) | 5678;
inline constexpr int32_t kSslRequestCode = (1234 << 16) | 5679;
inline constexpr int32_t kGssEncRequestCode = (1234 << 16) | 5680;

/// Returns true when `type` is a message type a client may send after startup.
bool IsFrontendMessageType(char type);
/// Returns the largest body accepted for frontend messages of `type`.
size_t MaxFrontendMessageLength(char type);

/// Builds outgoing protocol bytes, one message after another; the length word of each message is
/// patched in by EndMessage, so encoders need not compute it. Integers are written in network byte
/// order. Not thread-safe.
class MessageBuffer {
 public:
  /// Starts a typed message: writes the type byte and room for the length.
  void BeginMessage(char type);
  /// Starts an untyped startup-phase packet: only the length word.
  void BeginUntypedMessage();
  /// Writes the length of the message begun last. A message too long for its length word is removed
  /// again (and Error XX000 thrown), so that the buffer never holds a malformed message.
  void EndMessage();

  void AppendByte(uint8_t value) { data_.push_back(static_cast<char>(value)); }
  void AppendInt16(int16_t value);
  void AppendInt32(int32_t value);
  void AppendBytes(std::string_view bytes) { data_.append(bytes); }
  /// Appends `text` and a NUL terminator; the protocol cannot carry a NUL inside such a string, so
  /// `text` is cut at its first NUL.
  void AppendCString(std::string_view text);

  const std::string& Data() const { return data_; }
  size_t Size() const { return data_.size(); }
  bool Empty() const { return data_.empty(); }
  void Clear() { data_.clear(); }

 private:
  std::string data_;
  /// Where the current message begins (its type byte, if any) and where its length word is.
  size_t message_begin_ = std::string::npos;
  size_t message_start_ = std::string::npos;
};

/// Reads the fields of one received message body. Borrows the bytes, which must outlive it. Every
/// read past the end or malformed field throws Error 08P01 worded as PostgreSQL words it.
class MessageReader {
 public:
  explicit MessageReader(std::string_view body) : body_(body) {}
  /// Reads a NUL-terminated C string (its NUL excluded).
  explicit MessageReader(const char* body) : body_(body) {}
  /// A temporary string would dangle: keep the bytes in a variable first.
  explicit MessageReader(std::string&& body) = delete;

  uint8_t ReadByte();
  int16_t ReadInt16();
  int32_t ReadInt32();
  std::string_view ReadBytes(size_t count);
  /// Reads a NUL-terminated string, without the NUL.
  std::string_view ReadCString();
  std::string_view ReadRemaining();
  size_t Remaining() const { return body_.size() - position_; }
  /// Throws unless every byte has been read.
  void ExpectEnd() const;

 private:
  std::string_view body_;
  size_t position_ = 0;
};

// -------------------------------------------------------------------------------------------------
// Startup-phase packets (untyped: length word, then a 32-bit code).

/// StartupMessage: the protocol version and the session parameters (user, database, options, ...).
struct StartupMessage {
  int32_t protocol_version = kProtocolVersion3;
  std::vector<std::pair<std::string, std::string>> parameters;

  void Encode(MessageBuffer& out) const;
  /// Decodes the body after the version code; `protocol_version` is set by DecodeStartupPacket.
  static StartupMessage Decode(MessageReader& reader);
};

/// SSLRequest: the client asks for TLS before the startup message.
struct SslRequest {
  void Encode(MessageBuffer& out) const;
};

/// GSSENCRequest: the client asks for GSSAPI encryption before the startup message.
struct GssEncRequest {
  void Encode(MessageBuffer& out) const;
};

/// CancelRequest: sent on a new connection to cancel the statement running on another one.
struct CancelRequest {
  int32_t process_id = 0;
  int32_t secret_key = 0;

  void Encode(MessageBuffer& out) const;
  static CancelRequest Decode(MessageReader& reader);
};

/// Any packet a client may send first.
using StartupPacket = std::variant<StartupMessage, SslRequest, GssEncRequest, CancelRequest>;

/// Decodes a startup-phase packet from its body (everything after the length word). A
/// StartupMessage of a protocol other than 3.x comes back with its version and no parameters, for
/// the caller to refuse.
StartupPacket DecodeStartupPacket(std::string_view body);

// -------------------------------------------------------------------------------------------------
// Frontend messages (typed).

/// Query ('Q'): a simple-protocol query string, possibly with several statements.
struct Query {
  std::string sql;

  void Encode(MessageBuffer& out) const;
  static Query Decode(MessageReader& reader);
};

/// Terminate ('X').
struct Terminate {
  void Encode(MessageBuffer& out) const;
};

/// Sync ('S'): ends an extended-protocol cycle.
struct Sync {
  void Encode(MessageBuffer& out) const;
};

/// Flush ('H'): asks the server to send what it has buffered.
struct Flush {
  void Encode(MessageBuffer& out) const;
};

/// SASLInitialResponse ('p'): the chosen mechanism and the client-first-message.
struct SaslInitialResponse {
  std::string mechanism;
  /// std::nullopt when the client sent no data (length -1).
  std::optional<std::string> data;

  void Encode(MessageBuffer& out) const;
  static SaslInitialResponse Decode(MessageReader& reader);
};

/// SASLResponse ('p'): a later SASL message, e.g. client-final-message.
struct SaslResponse {
  std::string data;

  void Encode(MessageBuffer& out) const;
  static SaslResponse Decode(MessageReader& reader);
};

// -------------------------------------------------------------------------------------------------
// Backend messages.

/// The authentication request codes of an Authentication ('R') message.
enum class AuthenticationCode : int32_t {
  kOk = 0,
  kSasl = 10,
  kSaslContinue = 11,
  kSaslFinal = 12
};

/// AuthenticationOk ('R', 0).
struct AuthenticationOk {
  void Encode(MessageBuffer& out) const;
  static AuthenticationOk Decode(MessageReader& reader);
};

/// AuthenticationSASL ('R', 10): the SASL mechanisms the server offers.
struct AuthenticationSasl {
  std::vector<std::string> mechanisms;

  void Encode(MessageBuffer& out) const;
  static AuthenticationSasl Decode(MessageReader& reader);
};

/// AuthenticationSASLContinue ('R', 11): e.g. server-first-message.
struct AuthenticationSaslContinue {
  std::string data;

  void Encode(MessageBuffer& out) const;
  static AuthenticationSaslContinue Decode(MessageReader& reader);
};

/// AuthenticationSASLFinal ('R', 12): server-final-message.
struct AuthenticationSaslFinal {
  std::string data;

  void Encode(MessageBuffer& out) const;
  static AuthenticationSaslFinal Decode(MessageReader& reader);
};

/// NegotiateProtocolVersion ('v'): the newest minor version supported, the `_pq_.` options refused.
struct NegotiateProtocolVersion {
  int32_t newest_minor_version = 0;
  std::vector<std::string> unrecognized_options;

  void Encode(MessageBuffer& out) const;
  static NegotiateProtocolVersion Decode(MessageReader& reader);
};

/// ParameterStatus ('S'): a run-time parameter the client tracks (server_version, TimeZone, ...).
struct ParameterStatus {
  std::string name;
  std::string value;

  void Encode(MessageBuffer& out) const;
  static ParameterStatus Decode(MessageReader& reader);
};

/// BackendKeyData ('K'): the key a client needs to cancel this connection's statements.
struct BackendKeyData {
  int32_t process_id = 0;
  int32_t secret_key = 0;

  void Encode(MessageBuffer& out) const;
  static BackendKeyData Decode(MessageReader& reader);
};

/// ReadyForQuery ('Z').
struct ReadyForQuery {
  TransactionStatus status = TransactionStatus::kIdle;

  void Encode(MessageBuffer& out) const;
  static ReadyForQuery Decode(MessageReader& reader);
};

/// RowDescription ('T'); every field is announced in text format.
struct RowDescription {
  std::vector<FieldDescription> fields;

  void Encode(MessageBuffer& out) const { EncodeFields(fields, out); }
  /// Encodes without copying the fields into a RowDescription first.
  static void EncodeFields(const std::vector<FieldDescription>& fields, MessageBuffer& out);
  static RowDescription Decode(MessageReader& reader);
};

/// DataRow ('D') in text format; std::nullopt is SQL NULL.
struct DataRow {
  std::vector<std::optional<std::string>> values;

  void Encode(MessageBuffer& out) const;
  /// Encodes borrowed values: the per-row path of query results.
  static void EncodeValues(const std::vector<std::optional<std::string_view>>& values,
                           MessageBuffer& out);
  static DataRow Decode(MessageReader& reader);
};

/// CommandComplete ('C') with its tag, e.g. "SELECT 3".
struct CommandComplete {
  std::string tag;

  void Encode(MessageBuffer& out) const;
  static CommandComplete Decode(MessageReader& reader);
};

/// EmptyQueryResponse ('I').
struct EmptyQueryResponse {
  void Encode(MessageBuffer& out) const;
};

}  // namespace freshet::pgwire
