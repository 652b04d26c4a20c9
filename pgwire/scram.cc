// SPDX-License-Identifier: Apache-2.0
#include "pgwire/scram.h"

#include <array>
#include <cstdint>
#include <vector>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "common/error.h"

namespace freshet::pgwire {
namespace {

constexpr std::string_view kBase64Alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

Error MalformedScram(std::string detail) {
  return Error::Protocol("malformed SCRAM message").WithDetail(std::move(detail));
}

/// Returns true for the characters RFC 5802 allows in a nonce: printable ASCII except ','.
bool IsValidNonce(std::string_view nonce) {
  if (nonce.empty()) {
    return false;
  }
  for (char c : nonce) {
    if (c < 0x21 || c > 0x7e || c == ',') {
      return false;
    }
  }
  return true;
}

/// Splits `text` at commas.
std::vector<std::string_view> SplitAttributes(std::string_view text) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (;;) {
    const size_t comma = text.find(',', start);
    if (comma == std::string_view::npos) {
      parts.push_back(text.substr(start));
      return parts;
    }
    parts.push_back(text.substr(start, comma - start));
    start = comma + 1;
  }
}

/// Returns the value of `attribute` ("r=..." for 'r'), or throws naming what was expected.
std::string_view AttributeValue(std::string_view attribute,
                                char name,
                                std::string_view message_name) {
  if (attribute.size() < 2 || attribute[0] != name || attribute[1] != '=') {
    throw MalformedScram(std::string("Expected attribute \"") + name + "\" in " +
                         std::string(message_name) + ".");
  }
  return attribute.substr(2);
}

std::string Xor(std::string_view left, std::string_view right) {
  std::string result(left.size(), '\0');
  for (size_t i = 0; i < left.size(); ++i) {
    result[i] = static_cast<char>(left[i] ^ right[i]);
  }
  return result;
}

}  // namespace

std::string Base64Encode(std::string_view bytes) {
  std::string text;
  text.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const uint32_t group = (uint32_t{static_cast<uint8_t>(bytes[i])} << 16) |
                           (uint32_t{static_cast<uint8_t>(bytes[i + 1])} << 8) |
                           uint32_t{static_cast<uint8_t>(bytes[i + 2])};
    text.push_back(kBase64Alphabet[(group >> 18) & 63]);
    text.push_back(kBase64Alphabet[(group >> 12) & 63]);
    text.push_back(kBase64Alphabet[(group >> 6) & 63]);
    text.push_back(kBase64Alphabet[group & 63]);
  }
  const size_t rest = bytes.size() - i;
  if (rest > 0) {
    uint32_t group = uint32_t{static_cast<uint8_t>(bytes[i])} << 16;
    if (rest == 2) {
      group |= uint32_t{static_cast<uint8_t>(bytes[i + 1])} << 8;
    }
    text.push_back(kBase64Alphabet[(group >> 18) & 63]);
    text.push_back(kBase64Alphabet[(group >> 12) & 63]);
    text.push_back(rest == 2 ? kBase64Alphabet[(group >> 6) & 63] : '=');
    text.push_back('=');
  }
  return text;
}

std::optional<std::string> Base64Decode(std::string_view text) {
  if (text.size() % 4 != 0) {
    return std::nullopt;
  }
  std::string bytes;
  bytes.reserve(text.size() / 4 * 3);
  for (size_t i = 0; i < text.size(); i += 4) {
    uint32_t group = 0;
    int padding = 0;
    for (size_t j = 0; j < 4; ++j) {
      const char c = text[i + j];
      uint32_t value = 0;
      if (c == '=') {
        // Padding only in the last one or two positions of the last group.
        if (i + 4 != text.size() || j < 2) {
          return std::nullopt;
        }
        ++padding;
      } else {
        if (padding > 0) {
          return std::nullopt;
        }
        const size_t index = kBase64Alphabet.find(c);
        if (index == std::string_view::npos) {
          return std::nullopt;
        }
        value = static_cast<uint32_t>(index);
      }
      group = (group << 6) | value;
    }
    bytes.push_back(static_cast<char>(group >> 16));
    if (padding < 2) {
      bytes.push_back(static_cast<char>(group >> 8));
    }
    if (padding < 1) {
      bytes.push_back(static_cast<char>(group));
    }
  }
  return bytes;
}

std::string Sha256(std::string_view bytes) {
  std::string digest(SHA256_DIGEST_LENGTH, '\0');
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
         reinterpret_cast<unsigned char*>(digest.data()));
  return digest;
}

std::string HmacSha256(std::string_view key, std::string_view message) {
  std::string digest(SHA256_DIGEST_LENGTH, '\0');
  unsigned int length = 0;
  const unsigned char* result =
      HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(message.data()), message.size(),
           reinterpret_cast<unsigned char*>(digest.data()), &length);
  if (result == nullptr || length != SHA256_DIGEST_LENGTH) {
    throw Error::Internal("HMAC-SHA-256 failed");
  }
  return digest;
}

std::string ScramSaltedPassword(std::string_view password, std::string_view salt, int iterations) {
  std::string salted(SHA256_DIGEST_LENGTH, '\0');
  if (PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                        reinterpret_cast<const unsigned char*>(salt.data()),
                        static_cast<int>(salt.size()), iterations, EVP_sha256(),
                        static_cast<int>(salted.size()),
                        reinterpret_cast<unsigned char*>(salted.data())) != 1) {
    throw Error::Internal("PBKDF2-HMAC-SHA-256 failed");
  }
  return salted;
}

std::string RandomBytes(size_t count) {
  std::string bytes(count, '\0');
  if (count > 0 &&
      RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(count)) != 1) {
    throw Error::Internal("could not generate random bytes");
  }
  return bytes;
}

ScramSecret ScramSecret::FromPassword(std::string_view password, std::string salt, int iterations) {
  const std::string salted_password = ScramSaltedPassword(password, salt, iterations);
  ScramSecret secret;
  secret.salt = std::move(salt);
  secret.iterations = iterations;
  secret.stored_key = Sha256(HmacSha256(salted_password, "Client Key"));
  secret.server_key = HmacSha256(salted_password, "Server Key");
  return secret;
}

ScramSecret ScramSecret::FromPassword(std::string_view password) {
  return FromPassword(password, RandomBytes(kScramSaltLength), kScramIterations);
}

ScramServer::ScramServer(const ScramSecret& secret, std::string server_nonce)
    : secret_(secret), server_nonce_(std::move(server_nonce)) {
  FRESHET_CHECK(IsValidNonce(server_nonce_), "invalid SCRAM server nonce");
  FRESHET_CHECK(secret_.stored_key.size() == SHA256_DIGEST_LENGTH &&
                    secret_.server_key.size() == SHA256_DIGEST_LENGTH,
                "SCRAM secret without keys");
}

std::string ScramServer::RandomNonce() {
  return Base64Encode(RandomBytes(18));
}

std::string ScramServer::HandleClientFirst(std::string_view client_first) {
  FRESHET_CHECK(stage_ == Stage::kExpectClientFirst, "SCRAM client-first-message out of order");
  // gs2-header: cbind-flag "," [authzid] ","
  if (client_first.size() < 3) {
    throw MalformedScram("Unexpected end of client-first-message.");
  }
  const char cbind_flag = client_first[0];
  if (cbind_flag == 'p') {
    throw MalformedScram(
        "The client selected channel binding, but this server does not support it over this "
        "connection.");
  }
  if ((cbind_flag != 'n' && cbind_flag != 'y') || client_first[1] != ',') {
    throw MalformedScram("Unexpected channel-binding flag in client-first-message.");
  }
  if (client_first[2] == 'a') {
    throw Error(SqlState::kFeatureNotSupported,
                "client uses authorization identity, but it is not supported");
  }
  if (client_first[2] != ',') {
    throw MalformedScram("Unexpected attribute in client-first-message.");
  }
  gs2_header_ = std::string(client_first.substr(0, 3));
  client_first_bare_ = std::string(client_first.substr(3));

  // client-first-message-bare: [reserved-mext ","] username "," nonce ["," extensions]
  const std::vector<std::string_view> attributes = SplitAttributes(client_first_bare_);
  if (!attributes.empty() && attributes[0].starts_with("m=")) {
    throw Error(SqlState::kFeatureNotSupported, "client requires an unsupported SCRAM extension");
  }
  if (attributes.size() < 2) {
    throw MalformedScram("Unexpected end of client-first-message.");
  }
  // The user name is ignored, as in PostgreSQL: the startup message's user is authenticated.
  AttributeValue(attributes[0], 'n', "client-first-message");
  const std::string_view client_nonce = AttributeValue(attributes[1], 'r', "client-first-message");
  if (!IsValidNonce(client_nonce)) {
    throw MalformedScram("The client nonce contains invalid characters.");
  }

  combined_nonce_ = std::string(client_nonce) + server_nonce_;
  server_first_ = "r=" + combined_nonce_ + ",s=" + Base64Encode(secret_.salt) +
                  ",i=" + std::to_string(secret_.iterations);
  stage_ = Stage::kExpectClientFinal;
  return server_first_;
}

std::optional<std::string> ScramServer::HandleClientFinal(std::string_view client_final) {
  FRESHET_CHECK(stage_ == Stage::kExpectClientFinal, "SCRAM client-final-message out of order");
  stage_ = Stage::kDone;
  // client-final-message: channel-binding "," nonce ["," extensions] "," proof
  const size_t proof_start = client_final.rfind(",p=");
  if (proof_start == std::string_view::npos) {
    throw MalformedScram("Could not find proof in client-final-message.");
  }
  const std::string_view without_proof = client_final.substr(0, proof_start);
  const std::optional<std::string> proof = Base64Decode(client_final.substr(proof_start + 3));
  if (!proof || proof->size() != SHA256_DIGEST_LENGTH) {
    throw MalformedScram("Malformed proof in client-final-message.");
  }
  const std::vector<std::string_view> attributes = SplitAttributes(without_proof);
  if (attributes.size() < 2) {
    throw MalformedScram("Unexpected end of client-final-message.");
  }
  const std::optional<std::string> channel_binding =
      Base64Decode(AttributeValue(attributes[0], 'c', "client-final-message"));
  if (!channel_binding || *channel_binding != gs2_header_) {
    throw MalformedScram("SCRAM channel binding check failed.");
  }
  const std::string_view nonce = AttributeValue(attributes[1], 'r', "client-final-message");

  const std::string auth_message =
      client_first_bare_ + "," + server_first_ + "," + std::string(without_proof);
  const std::string client_signature = HmacSha256(secret_.stored_key, auth_message);
  const std::string client_key = Xor(*proof, client_signature);
  const std::string computed_stored_key = Sha256(client_key);
  const bool nonce_matches = nonce == combined_nonce_;
  const bool proof_matches = CRYPTO_memcmp(computed_stored_key.data(), secret_.stored_key.data(),
                                           SHA256_DIGEST_LENGTH) == 0;
  if (!nonce_matches || !proof_matches) {
    return std::nullopt;
  }
  return "v=" + Base64Encode(HmacSha256(secret_.server_key, auth_message));
}

}  // namespace freshet::pgwire
