// SPDX-License-Identifier: Apache-2.0
// What a client can do to the server that libpq never would: malformed packets, lying lengths,
// unknown messages, random bytes. Each costs the offender its connection and nobody else anything.
#include <memory>
#include <random>
#include <string>

#include <gtest/gtest.h>
#include <libpq-fe.h>

#include "common/logging.h"
#include "pgwire/error_response.h"
#include "pgwire/messages.h"
#include "pgwire/scram.h"
#include "pgwire/server.h"
#include "pgwire/tests/fake_query_handler.h"
#include "pgwire/tests/raw_client.h"

namespace freshet::pgwire {
namespace {

using namespace std::string_literals;
using testing::BackendMessage;
using testing::FakeQueryHandlerFactory;
using testing::FirstError;
using testing::RawClient;

std::string Int32Bytes(int32_t value) {
  MessageBuffer buffer;
  buffer.AppendInt32(value);
  return buffer.Data();
}

/// Starts a Server on a free port; tests talk to it with RawClient.
class RobustnessTest : public ::testing::Test {
 protected:
  void SetUp() override { StartServer({}); }

  void StartServer(ServerOptions options) {
    options.port = 0;
    server_ = std::make_unique<Server>(std::move(options), factory_);
    const Status status = server_->Start();
    ASSERT_TRUE(status.ok()) << status.error().Message();
  }

  /// A raw client that has completed startup and seen ReadyForQuery.
  std::unique_ptr<RawClient> ReadyClient() {
    auto client = std::make_unique<RawClient>(server_->Port());
    client->SendStartup();
    const std::vector<BackendMessage> messages = client->ReadUntilReady();
    EXPECT_FALSE(messages.empty());
    EXPECT_EQ(messages.empty() ? 0 : messages.back().type, 'Z');
    return client;
  }

  /// Sends `bytes` after startup; expects a FATAL 08P01 with `message`, then the connection closed.
  void ExpectFatalProtocolViolation(const std::string& bytes, std::string_view message) {
    std::unique_ptr<RawClient> client = ReadyClient();
    client->Send(bytes);
    ExpectFatalThenClose(*client, message);
  }

  static void ExpectFatalThenClose(RawClient& client, std::string_view message) {
    const std::vector<BackendMessage> messages = client.ReadUntilClosed();
    EXPECT_FALSE(client.TimedOut()) << "the server did not close the connection";
    const std::optional<ErrorFields> error = FirstError(messages);
    ASSERT_TRUE(error.has_value()) << "no ErrorResponse for: " << message;
    EXPECT_EQ(error->Find('S'), "FATAL");
    EXPECT_EQ(error->Find('C'), "08P01");
    EXPECT_EQ(error->Find('M'), message);
  }

  /// Checks that a well-behaved libpq client is still served.
  void ExpectServerStillWorks() {
    const std::string conninfo =
        "host=127.0.0.1 port=" + std::to_string(server_->Port()) + " user=alice dbname=db";
    PGconn* connection = PQconnectdb(conninfo.c_str());
    EXPECT_EQ(PQstatus(connection), CONNECTION_OK) << PQerrorMessage(connection);
    PGresult* result = PQexec(connection, "select 1");
    EXPECT_EQ(PQresultStatus(result), PGRES_TUPLES_OK);
    PQclear(result);
    PQfinish(connection);
  }

  FakeQueryHandlerFactory factory_;
  std::unique_ptr<Server> server_;
};

TEST_F(RobustnessTest, OversizedMessageLengthIsRefusedBeforeAllocating) {
  ExpectFatalProtocolViolation("Q" + Int32Bytes(0x7fffffff), "invalid message length");
  ExpectServerStillWorks();
}

TEST_F(RobustnessTest, MessageLengthBelowFourIsRefused) {
  ExpectFatalProtocolViolation("Q" + Int32Bytes(3), "invalid message length");
  ExpectFatalProtocolViolation("Q" + Int32Bytes(-1), "invalid message length");
}

TEST_F(RobustnessTest, SmallMessagesHaveASmallLimit) {
  ExpectFatalProtocolViolation("S" + Int32Bytes(1 << 20), "invalid message length");
}

TEST_F(RobustnessTest, UnknownMessageTypeIsRefused) {
  ExpectFatalProtocolViolation("z" + Int32Bytes(4), "invalid frontend message type 122");
  // An authentication message is unknown once the session is established.
  ExpectFatalProtocolViolation("p" + Int32Bytes(4), "invalid frontend message type 112");
}

TEST_F(RobustnessTest, QueryWithoutNulTerminatorIsRefused) {
  ExpectFatalProtocolViolation("Q" + Int32Bytes(7) + "abc", "invalid string in message");
  ExpectFatalProtocolViolation("Q" + Int32Bytes(9) + "a\0bcd"s, "invalid message format");
}

TEST_F(RobustnessTest, TruncatedMessageClosesOnlyThatConnection) {
  std::unique_ptr<RawClient> client = ReadyClient();
  client->Send("Q" + Int32Bytes(100) + "select");
  client->ShutdownWrite();
  ExpectFatalThenClose(*client, "incomplete message from client");
  ExpectServerStillWorks();
}

TEST_F(RobustnessTest, StartupPacketWithBadLengthIsRefused) {
  for (int32_t length : {0x7fffffff, 10001, 7, 0, -5}) {
    RawClient client(server_->Port());
    client.Send(Int32Bytes(length) + Int32Bytes(kProtocolVersion3));
    ExpectFatalThenClose(client, "invalid length of startup packet");
  }
  ExpectServerStillWorks();
}

TEST_F(RobustnessTest, StartupPacketWithoutTerminatorIsRefused) {
  RawClient client(server_->Port());
  const std::string body = Int32Bytes(kProtocolVersion3) + "user\0alice\0"s;
  client.Send(Int32Bytes(static_cast<int32_t>(body.size() + 4)) + body);
  ExpectFatalThenClose(client, "invalid startup packet layout: expected terminator as last byte");
}

TEST_F(RobustnessTest, UnsupportedProtocolVersionIsRefused) {
  RawClient client(server_->Port());
  MessageBuffer buffer;
  StartupMessage{2 << 16, {{"user", "alice"}}}.Encode(buffer);
  client.Send(buffer);
  ExpectFatalThenClose(client, "unsupported frontend protocol 2.0: server supports 3.0 to 3.0");
}

TEST_F(RobustnessTest, StartupWithoutUserIsRefused) {
  RawClient client(server_->Port());
  MessageBuffer buffer;
  StartupMessage{kProtocolVersion3, {{"database", "db"}}}.Encode(buffer);
  client.Send(buffer);
  const std::vector<BackendMessage> messages = client.ReadUntilClosed();
  const std::optional<ErrorFields> error = FirstError(messages);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->Find('C'), "28000");
  EXPECT_EQ(error->Find('M'), "no PostgreSQL user name specified in startup packet");
}

TEST_F(RobustnessTest, SslAndGssEncryptionRequestsAreDeclined) {
  RawClient client(server_->Port());
  MessageBuffer ssl;
  SslRequest{}.Encode(ssl);
  client.Send(ssl);
  EXPECT_EQ(client.ReadByte(), 'N');
  MessageBuffer gss;
  GssEncRequest{}.Encode(gss);
  client.Send(gss);
  EXPECT_EQ(client.ReadByte(), 'N');
  client.SendStartup();
  const std::vector<BackendMessage> messages = client.ReadUntilReady();
  ASSERT_FALSE(messages.empty());
  EXPECT_EQ(messages.front().type, 'R');
  EXPECT_EQ(messages.back().type, 'Z');

  // Asking twice is answered as the unknown protocol version it then is.
  RawClient twice(server_->Port());
  twice.Send(ssl);
  EXPECT_EQ(twice.ReadByte(), 'N');
  twice.Send(ssl);
  ExpectFatalThenClose(twice,
                       "unsupported frontend protocol 1234.5679: server supports 3.0 to 3.0");
}

TEST_F(RobustnessTest, NewerMinorVersionIsNegotiatedDown) {
  RawClient client(server_->Port());
  MessageBuffer buffer;
  StartupMessage{kProtocolVersion3 | 2, {{"user", "alice"}, {"_pq_.fancy", "on"}}}.Encode(buffer);
  client.Send(buffer);
  const std::vector<BackendMessage> messages = client.ReadUntilReady();
  ASSERT_FALSE(messages.empty());
  ASSERT_EQ(messages.front().type, 'v');
  MessageReader reader(messages.front().body);
  const NegotiateProtocolVersion negotiation = NegotiateProtocolVersion::Decode(reader);
  EXPECT_EQ(negotiation.newest_minor_version, 0);
  EXPECT_EQ(negotiation.unrecognized_options, std::vector<std::string>{"_pq_.fancy"});
  EXPECT_EQ(messages.back().type, 'Z');
}

TEST_F(RobustnessTest, ExtendedProtocolMessagesAreSkippedUntilSync) {
  std::unique_ptr<RawClient> client = ReadyClient();
  MessageBuffer buffer;
  for (char type : {'P', 'B', 'D', 'E'}) {
    buffer.BeginMessage(type);
    buffer.AppendCString("");
    buffer.EndMessage();
  }
  Query{"select 1"}.Encode(buffer);  // skipped as well: it comes before the Sync
  Sync{}.Encode(buffer);
  client->Send(buffer);
  const std::vector<BackendMessage> messages = client->ReadUntilReady();
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[0].type, 'E');
  EXPECT_EQ(messages[0].Fields().Find('C'), "0A000");
  EXPECT_EQ(messages[1].type, 'Z');

  MessageBuffer query;
  Query{"select 1"}.Encode(query);
  client->Send(query);
  const std::vector<BackendMessage> result = client->ReadUntilReady();
  ASSERT_EQ(result.size(), 4u);
  EXPECT_EQ(result[0].type, 'T');
  EXPECT_EQ(result[1].type, 'D');
  EXPECT_EQ(result[2].type, 'C');
}

TEST_F(RobustnessTest, SyncAndFlushOutsideExtendedProtocol) {
  std::unique_ptr<RawClient> client = ReadyClient();
  MessageBuffer buffer;
  Flush{}.Encode(buffer);
  Sync{}.Encode(buffer);
  client->Send(buffer);
  const std::vector<BackendMessage> messages = client->ReadUntilReady();
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].type, 'Z');
  MessageBuffer terminate;
  Terminate{}.Encode(terminate);
  client->Send(terminate);
  EXPECT_TRUE(client->ReadUntilClosed().empty());
  EXPECT_FALSE(client->TimedOut());
}

TEST_F(RobustnessTest, ScramExchangeOverTheWire) {
  server_.reset();
  ServerOptions options;
  options.password = "pencil";
  StartServer(options);

  for (const bool right_password : {true, false}) {
    RawClient client(server_->Port());
    client.SendStartup("user");
    std::optional<BackendMessage> request = client.Read();
    ASSERT_TRUE(request.has_value());
    MessageReader request_reader(request->body);
    EXPECT_EQ(AuthenticationSasl::Decode(request_reader).mechanisms,
              std::vector<std::string>{"SCRAM-SHA-256"});

    const std::string client_first_bare = "n=,r=" + ScramServer::RandomNonce();
    MessageBuffer initial;
    SaslInitialResponse{"SCRAM-SHA-256", "n,," + client_first_bare}.Encode(initial);
    client.Send(initial);
    std::optional<BackendMessage> challenge = client.Read();
    ASSERT_TRUE(challenge.has_value());
    MessageReader challenge_reader(challenge->body);
    const std::string server_first = AuthenticationSaslContinue::Decode(challenge_reader).data;

    // The client side of RFC 5802, from the server-first-message:
    // r=<nonce>,s=<salt>,i=<iterations>.
    const size_t salt_at = server_first.find(",s=");
    const size_t iterations_at = server_first.find(",i=");
    const std::string salt =
        *Base64Decode(server_first.substr(salt_at + 3, iterations_at - salt_at - 3));
    const std::string salted =
        ScramSaltedPassword(right_password ? "pencil" : "wrong", salt,
                            std::stoi(server_first.substr(iterations_at + 3)));
    const std::string client_key = HmacSha256(salted, "Client Key");
    const std::string without_proof = "c=biws," + server_first.substr(0, salt_at);
    const std::string signature = HmacSha256(
        Sha256(client_key), client_first_bare + "," + server_first + "," + without_proof);
    std::string proof = client_key;
    for (size_t i = 0; i < proof.size(); ++i) {
      proof[i] = static_cast<char>(proof[i] ^ signature[i]);
    }
    MessageBuffer final_message;
    SaslResponse{without_proof + ",p=" + Base64Encode(proof)}.Encode(final_message);
    client.Send(final_message);

    if (right_password) {
      const std::vector<BackendMessage> messages = client.ReadUntilReady();
      ASSERT_GE(messages.size(), 3u);
      MessageReader final_reader(messages[0].body);
      const std::string server_final = AuthenticationSaslFinal::Decode(final_reader).data;
      const std::string expected_signature =
          HmacSha256(HmacSha256(salted, "Server Key"),
                     client_first_bare + "," + server_first + "," + without_proof);
      EXPECT_EQ(server_final, "v=" + Base64Encode(expected_signature));
      MessageReader ok_reader(messages[1].body);
      AuthenticationOk::Decode(ok_reader);
      EXPECT_EQ(messages.back().type, 'Z');
    } else {
      const std::vector<BackendMessage> messages = client.ReadUntilClosed();
      const std::optional<ErrorFields> error = FirstError(messages);
      ASSERT_TRUE(error.has_value());
      EXPECT_EQ(error->Find('S'), "FATAL");
      EXPECT_EQ(error->Find('C'), "28P01");
      EXPECT_EQ(error->Find('M'), "password authentication failed for user \"user\"");
    }
  }
}

TEST_F(RobustnessTest, MalformedScramMessageIsRefused) {
  server_.reset();
  ServerOptions options;
  options.password = "pencil";
  StartServer(options);
  RawClient client(server_->Port());
  client.SendStartup();
  ASSERT_TRUE(client.Read().has_value());
  MessageBuffer initial;
  SaslInitialResponse{"SCRAM-SHA-256", "garbage"}.Encode(initial);
  client.Send(initial);
  ExpectFatalThenClose(client, "malformed SCRAM message");

  RawClient other_mechanism(server_->Port());
  other_mechanism.SendStartup();
  ASSERT_TRUE(other_mechanism.Read().has_value());
  MessageBuffer plus;
  SaslInitialResponse{"SCRAM-SHA-256-PLUS", "p=x,,n=,r=abc"}.Encode(plus);
  other_mechanism.Send(plus);
  ExpectFatalThenClose(other_mechanism, "client selected an invalid SASL authentication mechanism");
}

TEST_F(RobustnessTest, SilentClientIsDisconnectedAfterTheAuthenticationTimeout) {
  server_.reset();
  ServerOptions options;
  options.authentication_timeout = std::chrono::milliseconds(200);
  StartServer(options);
  RawClient client(server_->Port());
  EXPECT_TRUE(client.DrainUntilClosed());
  // A client that did log in is not subject to it.
  std::unique_ptr<RawClient> ready = ReadyClient();
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  MessageBuffer query;
  Query{"select 1"}.Encode(query);
  ready->Send(query);
  EXPECT_EQ(ready->ReadUntilReady().size(), 4u);
}

TEST_F(RobustnessTest, RandomBytesNeverHurtTheServer) {
  // A thousand connections would log two lines each; the log is not what is tested here.
  SetLogLevel(LogLevel::kWarning);
  std::mt19937 random(20240611);
  MessageBuffer startup;
  StartupMessage{kProtocolVersion3, {{"user", "fuzz"}}}.Encode(startup);
  int not_closed = 0;
  for (int i = 0; i < 1000; ++i) {
    std::string bytes;
    // A third of the inputs are pure noise; a third follow a valid startup packet, so the noise
    // reaches the message loop; a third are startup packets of plausible length with noise inside.
    const int kind = i % 3;
    const size_t length = std::uniform_int_distribution<size_t>(0, 300)(random);
    std::string noise(length, '\0');
    for (char& byte : noise) {
      byte = static_cast<char>(std::uniform_int_distribution<int>(0, 255)(random));
    }
    if (kind == 0) {
      bytes = noise;
    } else if (kind == 1) {
      bytes = startup.Data() + noise;
    } else {
      bytes = Int32Bytes(static_cast<int32_t>(noise.size() + 8)) + Int32Bytes(kProtocolVersion3) +
              noise;
    }
    RawClient client(server_->Port());
    client.Send(bytes);
    client.ShutdownWrite();
    if (!client.DrainUntilClosed()) {
      ++not_closed;
    }
  }
  SetLogLevel(LogLevel::kInfo);
  EXPECT_EQ(not_closed, 0);
  ExpectServerStillWorks();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (server_->ConnectionCount() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(server_->ConnectionCount(), 0u);
}

}  // namespace
}  // namespace freshet::pgwire
