// SPDX-License-Identifier: Apache-2.0
#include "pgwire/scram.h"

#include <string>

#include <gtest/gtest.h>

#include "common/error.h"

namespace freshet::pgwire {
namespace {

// RFC 7677 section 3: user "user", password "pencil".
constexpr std::string_view kRfcClientFirst = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO";
constexpr std::string_view kRfcServerNonce = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
constexpr std::string_view kRfcSalt = "W22ZaJ0SNY7soEsUEjb6gQ==";
constexpr std::string_view kRfcServerFirst =
    "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
constexpr std::string_view kRfcClientFinal =
    "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
    "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
constexpr std::string_view kRfcServerFinal = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

ScramSecret RfcSecret() {
  return ScramSecret::FromPassword("pencil", *Base64Decode(kRfcSalt), 4096);
}

/// Computes client-final-message as a client does (RFC 5802 section 3), given the exchange so far.
std::string ClientFinal(std::string_view password,
                        std::string_view gs2_header,
                        std::string_view client_first_bare,
                        std::string_view server_first) {
  // server-first-message: r=<nonce>,s=<salt>,i=<iterations>
  const size_t salt_at = server_first.find(",s=");
  const size_t iterations_at = server_first.find(",i=");
  const std::string nonce(server_first.substr(2, salt_at - 2));
  const std::string salt =
      *Base64Decode(server_first.substr(salt_at + 3, iterations_at - salt_at - 3));
  const int iterations = std::stoi(std::string(server_first.substr(iterations_at + 3)));
  const std::string salted = ScramSaltedPassword(password, salt, iterations);
  const std::string client_key = HmacSha256(salted, "Client Key");
  const std::string without_proof = "c=" + Base64Encode(gs2_header) + ",r=" + nonce;
  const std::string auth_message =
      std::string(client_first_bare) + "," + std::string(server_first) + "," + without_proof;
  const std::string signature = HmacSha256(Sha256(client_key), auth_message);
  std::string proof = client_key;
  for (size_t i = 0; i < proof.size(); ++i) {
    proof[i] = static_cast<char>(proof[i] ^ signature[i]);
  }
  return without_proof + ",p=" + Base64Encode(proof);
}

TEST(Base64Test, RoundTripsEveryLength) {
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foo"), "Zm9v");
  EXPECT_EQ(Base64Encode("foob"), "Zm9vYg==");
  std::string bytes;
  for (int i = 0; i < 256; ++i) {
    bytes.push_back(static_cast<char>(i));
    EXPECT_EQ(Base64Decode(Base64Encode(bytes)), bytes);
  }
}

TEST(Base64Test, RejectsWhatIsNotBase64) {
  EXPECT_FALSE(Base64Decode("Zg=").has_value());
  EXPECT_FALSE(Base64Decode("Z===").has_value());
  EXPECT_FALSE(Base64Decode("Zg=a").has_value());
  EXPECT_FALSE(Base64Decode("Zm9v Zg==").has_value());
  EXPECT_FALSE(Base64Decode("Zg==Zm9v").has_value());
  EXPECT_FALSE(Base64Decode("Zm,v").has_value());
}

TEST(ScramTest, MatchesRfc7677TestVector) {
  const ScramSecret secret = RfcSecret();
  ScramServer server(secret, std::string(kRfcServerNonce));
  EXPECT_EQ(server.HandleClientFirst(kRfcClientFirst), kRfcServerFirst);
  EXPECT_EQ(server.HandleClientFinal(kRfcClientFinal), std::string(kRfcServerFinal));
}

TEST(ScramTest, WrongPasswordFailsWithoutThrowing) {
  const ScramSecret secret = ScramSecret::FromPassword("other", *Base64Decode(kRfcSalt), 4096);
  ScramServer server(secret, std::string(kRfcServerNonce));
  server.HandleClientFirst(kRfcClientFirst);
  EXPECT_FALSE(server.HandleClientFinal(kRfcClientFinal).has_value());
}

TEST(ScramTest, ForeignNonceFails) {
  const ScramSecret secret = RfcSecret();
  ScramServer server(secret, "differentServerNonce");
  server.HandleClientFirst(kRfcClientFirst);
  EXPECT_FALSE(server.HandleClientFinal(kRfcClientFinal).has_value());
}

TEST(ScramTest, FullExchangeWithRandomSaltAndNonces) {
  const ScramSecret secret = ScramSecret::FromPassword("s3cret");
  EXPECT_EQ(secret.salt.size(), kScramSaltLength);
  EXPECT_EQ(secret.iterations, kScramIterations);
  for (std::string_view gs2_header : {"n,,", "y,,"}) {
    const std::string client_first_bare = "n=,r=" + Base64Encode(RandomBytes(18));
    ScramServer server(secret, ScramServer::RandomNonce());
    const std::string server_first =
        server.HandleClientFirst(std::string(gs2_header) + client_first_bare);
    const std::optional<std::string> server_final = server.HandleClientFinal(
        ClientFinal("s3cret", gs2_header, client_first_bare, server_first));
    ASSERT_TRUE(server_final.has_value()) << gs2_header;
    EXPECT_TRUE(server_final->starts_with("v="));

    ScramServer wrong(secret, ScramServer::RandomNonce());
    const std::string wrong_first =
        wrong.HandleClientFirst(std::string(gs2_header) + client_first_bare);
    EXPECT_FALSE(
        wrong.HandleClientFinal(ClientFinal("guess", gs2_header, client_first_bare, wrong_first))
            .has_value());
  }
}

TEST(ScramTest, ChannelBindingMustEchoTheGs2Header) {
  const ScramSecret secret = ScramSecret::FromPassword("s3cret");
  ScramServer server(secret, ScramServer::RandomNonce());
  const std::string client_first_bare = "n=,r=clientnonce";
  const std::string server_first = server.HandleClientFirst("y,," + client_first_bare);
  // Computed for "n,," while the exchange began with "y,,".
  EXPECT_THROW(
      server.HandleClientFinal(ClientFinal("s3cret", "n,,", client_first_bare, server_first)),
      Error);
}

TEST(ScramTest, MalformedClientFirstMessagesAreRefused) {
  const ScramSecret secret = RfcSecret();
  const struct {
    std::string_view message;
    SqlState state;
  } cases[] = {
      {"", SqlState::kProtocolViolation},
      {"p=tls-server-end-point,,n=,r=abc", SqlState::kProtocolViolation},
      {"x,,n=,r=abc", SqlState::kProtocolViolation},
      {"n,a=admin,n=,r=abc", SqlState::kFeatureNotSupported},
      {"n,,m=ext,n=,r=abc", SqlState::kFeatureNotSupported},
      {"n,,n=user", SqlState::kProtocolViolation},
      {"n,,r=abc,n=user", SqlState::kProtocolViolation},
      {"n,,n=user,r=", SqlState::kProtocolViolation},
      {"n,,n=user,r=a\x01"
       "b",
       SqlState::kProtocolViolation},
  };
  for (const auto& test_case : cases) {
    ScramServer server(secret, std::string(kRfcServerNonce));
    try {
      server.HandleClientFirst(test_case.message);
      ADD_FAILURE() << "accepted " << test_case.message;
    } catch (const Error& error) {
      EXPECT_EQ(error.State(), test_case.state) << test_case.message << ": " << error.Message();
    }
  }
}

TEST(ScramTest, MalformedClientFinalMessagesAreRefused) {
  const ScramSecret secret = RfcSecret();
  for (std::string_view message :
       {std::string_view("c=biws,r=x"), std::string_view("c=biws,r=x,p=notbase64!"),
        std::string_view("c=biws,r=x,p=Zm9v"),
        std::string_view("r=x,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="),
        std::string_view("c=eSws,r=x,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=")}) {
    ScramServer server(secret, std::string(kRfcServerNonce));
    server.HandleClientFirst(kRfcClientFirst);
    try {
      server.HandleClientFinal(message);
      ADD_FAILURE() << "accepted " << message;
    } catch (const Error& error) {
      EXPECT_EQ(error.State(), SqlState::kProtocolViolation) << message;
      EXPECT_EQ(error.Message(), "malformed SCRAM message");
    }
  }
}

}  // namespace
}  // namespace freshet::pgwire
