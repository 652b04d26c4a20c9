// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <optional>
#include <string>
#include <string_view>

// SCRAM-SHA-256 (RFC 5802, RFC 7677) as PostgreSQL speaks it: no channel binding (gs2 header "n,,"
// or "y,,"), no authorization identity, and the user name inside the SCRAM messages ignored in
// favour of the startup message's. Binary values (digests, salts, keys) are held in std::string.
namespace freshet::pgwire {

/// The mechanism name offered in AuthenticationSASL.
inline constexpr std::string_view kScramSha256 = "SCRAM-SHA-256";
/// PBKDF2 iterations of a generated secret, PostgreSQL's default.
inline constexpr int kScramIterations = 4096;
/// Length in bytes of a generated salt, as PostgreSQL's.
inline constexpr size_t kScramSaltLength = 16;

/// Encodes `bytes` as base64 with padding.
std::string Base64Encode(std::string_view bytes);
/// Decodes padded base64; std::nullopt on any character or length that is not base64.
std::optional<std::string> Base64Decode(std::string_view text);
/// Returns SHA-256(`bytes`) (32 bytes).
std::string Sha256(std::string_view bytes);
/// Returns HMAC-SHA-256(`key`, `message`) (32 bytes).
std::string HmacSha256(std::string_view key, std::string_view message);
/// Returns Hi(password, salt, iterations) of RFC 5802, i.e. PBKDF2-HMAC-SHA-256 (32 bytes).
std::string ScramSaltedPassword(std::string_view password, std::string_view salt, int iterations);
/// Returns `count` cryptographically random bytes; throws Error XX000 if the generator fails.
std::string RandomBytes(size_t count);

/// What a SCRAM server keeps instead of the password: the salt, the iteration count and the two
/// keys derived from the salted password. Immutable once built; safe to share between threads.
struct ScramSecret {
  std::string salt;
  int iterations = kScramIterations;
  /// H(ClientKey): checks the client's proof.
  std::string stored_key;
  /// Signs the server's final message: proves to the client that the server knows the password.
  std::string server_key;

  /// Derives the secret of `password` with the given salt and iteration count.
  static ScramSecret FromPassword(std::string_view password, std::string salt, int iterations);
  /// Derives the secret of `password` with a random salt and PostgreSQL's iteration count.
  static ScramSecret FromPassword(std::string_view password);
};

/// Runs the server side of one SCRAM-SHA-256 exchange: client-first-message → server-first-message,
/// then client-final-message → server-final-message. One object per authentication attempt; not
/// thread-safe.
class ScramServer {
 public:
  /// `server_nonce`: printable ASCII without commas; RandomNonce() in production, RFC 7677's in
  /// tests. `secret` is borrowed and must outlive the exchange.
  ScramServer(const ScramSecret& secret, std::string server_nonce);

  /// Returns a fresh server nonce: 18 random bytes in base64, as PostgreSQL makes it.
  static std::string RandomNonce();

  /// Parses client-first-message and returns server-first-message. Throws Error 08P01 (malformed)
  /// or 0A000 (an authorization identity or mandatory extension, which are not supported).
  std::string HandleClientFirst(std::string_view client_first);

  /// Checks client-final-message. Returns server-final-message ("v=...") when the proof is right
  /// and std::nullopt when it is not (wrong password, or a nonce that is not this exchange's).
  /// Throws Error 08P01 when the message is malformed.
  std::optional<std::string> HandleClientFinal(std::string_view client_final);

 private:
  enum class Stage { kExpectClientFirst, kExpectClientFinal, kDone };

  const ScramSecret& secret_;
  std::string server_nonce_;
  Stage stage_ = Stage::kExpectClientFirst;
  /// "n,," or "y,,", which client-final-message must echo back in base64 as c=.
  std::string gs2_header_;
  std::string client_first_bare_;
  std::string server_first_;
  /// client nonce + server nonce.
  std::string combined_nonce_;
};

}  // namespace freshet::pgwire
