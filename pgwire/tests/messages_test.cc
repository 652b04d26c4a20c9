// SPDX-License-Identifier: Apache-2.0
#include "pgwire/messages.h"

#include <string>

#include <gtest/gtest.h>

namespace freshet::pgwire {
namespace {

using namespace std::string_literals;

/// Splits an encoded typed message into its type and body, checking the length word on the way.
std::pair<char, std::string> SplitTyped(const MessageBuffer& buffer) {
  const std::string& data = buffer.Data();
  EXPECT_GE(data.size(), 5u);
  MessageReader reader(std::string_view(data).substr(1, 4));
  EXPECT_EQ(static_cast<size_t>(reader.ReadInt32()), data.size() - 1);
  return {data[0], data.substr(5)};
}

/// Returns the body of an encoded untyped (startup-phase) packet, checking its length word.
std::string UntypedBody(const MessageBuffer& buffer) {
  const std::string& data = buffer.Data();
  MessageReader reader(std::string_view(data).substr(0, 4));
  EXPECT_EQ(static_cast<size_t>(reader.ReadInt32()), data.size());
  return data.substr(4);
}

template <typename Message>
Message RoundTrip(const Message& message, char expected_type) {
  MessageBuffer buffer;
  message.Encode(buffer);
  auto [type, body] = SplitTyped(buffer);
  EXPECT_EQ(type, expected_type);
  MessageReader reader(body);
  return Message::Decode(reader);
}

TEST(MessageBufferTest, PatchesLengthAndUsesNetworkByteOrder) {
  MessageBuffer buffer;
  buffer.BeginMessage('Z');
  buffer.AppendByte('I');
  buffer.EndMessage();
  buffer.BeginMessage('X');
  buffer.AppendInt16(0x0102);
  buffer.AppendInt32(-2);
  buffer.EndMessage();
  EXPECT_EQ(buffer.Data(), "Z\0\0\0\x05IX\0\0\0\x0a\x01\x02\xff\xff\xff\xfe"s);
}

TEST(MessageBufferTest, CStringIsCutAtEmbeddedNul) {
  MessageBuffer buffer;
  buffer.AppendCString("ab\0cd"s);
  EXPECT_EQ(buffer.Data(), "ab\0"s);
}

TEST(MessageReaderTest, ReadsFieldsAndRefusesToReadPastTheEnd) {
  const std::string body = "\x01\x00\x02\x00\x00\x00\x03hi\0rest"s;
  MessageReader reader(body);
  EXPECT_EQ(reader.ReadByte(), 1);
  EXPECT_EQ(reader.ReadInt16(), 2);
  EXPECT_EQ(reader.ReadInt32(), 3);
  EXPECT_EQ(reader.ReadCString(), "hi");
  EXPECT_THROW(reader.ExpectEnd(), Error);
  EXPECT_EQ(reader.ReadBytes(4), "rest");
  reader.ExpectEnd();
  try {
    reader.ReadInt32();
    FAIL() << "read past the end";
  } catch (const Error& error) {
    EXPECT_EQ(error.State(), SqlState::kProtocolViolation);
    EXPECT_EQ(error.Message(), "no data left in message");
  }
}

TEST(MessageReaderTest, StringWithoutNulIsAProtocolViolation) {
  MessageReader reader("abc");
  try {
    reader.ReadCString();
    FAIL() << "accepted an unterminated string";
  } catch (const Error& error) {
    EXPECT_EQ(error.Code(), "08P01");
    EXPECT_EQ(error.Message(), "invalid string in message");
  }
}

TEST(StartupPacketTest, StartupMessageRoundTrips) {
  StartupMessage message;
  message.parameters = {{"user", "alice"}, {"database", "db"}, {"application_name", "psql"}};
  MessageBuffer buffer;
  message.Encode(buffer);
  const StartupPacket packet = DecodeStartupPacket(UntypedBody(buffer));
  const auto& decoded = std::get<StartupMessage>(packet);
  EXPECT_EQ(decoded.protocol_version, kProtocolVersion3);
  EXPECT_EQ(decoded.parameters, message.parameters);
}

TEST(StartupPacketTest, RecognizesRequestCodes) {
  MessageBuffer ssl;
  SslRequest{}.Encode(ssl);
  EXPECT_EQ(ssl.Data(), "\0\0\0\x08\x04\xd2\x16\x2f"s);  // 80877103
  EXPECT_TRUE(std::holds_alternative<SslRequest>(DecodeStartupPacket(UntypedBody(ssl))));

  MessageBuffer gss;
  GssEncRequest{}.Encode(gss);
  EXPECT_TRUE(std::holds_alternative<GssEncRequest>(DecodeStartupPacket(UntypedBody(gss))));

  MessageBuffer cancel;
  CancelRequest{42, -7}.Encode(cancel);
  EXPECT_EQ(cancel.Size(), 16u);
  const auto decoded = std::get<CancelRequest>(DecodeStartupPacket(UntypedBody(cancel)));
  EXPECT_EQ(decoded.process_id, 42);
  EXPECT_EQ(decoded.secret_key, -7);
}

TEST(StartupPacketTest, OtherProtocolVersionsComeBackWithoutParameters) {
  MessageBuffer buffer;
  StartupMessage{2 << 16, {{"garbage", "x"}}}.Encode(buffer);
  const auto decoded = std::get<StartupMessage>(DecodeStartupPacket(UntypedBody(buffer)));
  EXPECT_EQ(decoded.protocol_version, 2 << 16);
  EXPECT_TRUE(decoded.parameters.empty());
}

TEST(StartupPacketTest, LayoutErrorsAreProtocolViolations) {
  const std::string version = "\0\x03\0\0"s;
  for (const std::string& parameters :
       {"user\0alice\0"s, "user\0alice"s, "user"s, ""s, "user\0alice\0\0extra"s, "\0\0"s}) {
    try {
      DecodeStartupPacket(version + parameters);
      FAIL() << "accepted parameters " << ::testing::PrintToString(parameters);
    } catch (const Error& error) {
      EXPECT_EQ(error.State(), SqlState::kProtocolViolation);
      EXPECT_EQ(error.Message(), "invalid startup packet layout: expected terminator as last byte");
    }
  }
  EXPECT_THROW(DecodeStartupPacket("\x04\xd2\x16\x2f"
                                   "extra"s),
               Error);
  EXPECT_THROW(DecodeStartupPacket("\x04\xd2\x16\x2e"
                                   "short"s),
               Error);
  EXPECT_THROW(DecodeStartupPacket("\x01"s), Error);
}

TEST(FrontendMessageTest, QueryRoundTrips) {
  EXPECT_EQ(RoundTrip(Query{"select 1; select 2"}, 'Q').sql, "select 1; select 2");
}

TEST(FrontendMessageTest, EmptyMessagesHaveLengthFour) {
  MessageBuffer buffer;
  Sync{}.Encode(buffer);
  Flush{}.Encode(buffer);
  Terminate{}.Encode(buffer);
  EXPECT_EQ(buffer.Data(), "S\0\0\0\x04H\0\0\0\x04X\0\0\0\x04"s);
}

TEST(FrontendMessageTest, SaslResponsesRoundTrip) {
  const SaslInitialResponse initial =
      RoundTrip(SaslInitialResponse{"SCRAM-SHA-256", "n,,n=,r=abc"}, 'p');
  EXPECT_EQ(initial.mechanism, "SCRAM-SHA-256");
  EXPECT_EQ(initial.data, "n,,n=,r=abc");
  EXPECT_FALSE(RoundTrip(SaslInitialResponse{"SCRAM-SHA-256", std::nullopt}, 'p').data.has_value());
  EXPECT_EQ(RoundTrip(SaslResponse{"c=biws,r=x,p=y"}, 'p').data, "c=biws,r=x,p=y");

  const std::string lying_body = "SCRAM-SHA-256\0\0\0\0\x10short"s;
  MessageReader lying(lying_body);
  EXPECT_THROW(SaslInitialResponse::Decode(lying), Error);
}

TEST(FrontendMessageTest, KnownTypesAndTheirLimits) {
  for (char type : std::string("QXSHPBDECFdcf")) {
    EXPECT_TRUE(IsFrontendMessageType(type)) << type;
  }
  for (char type : std::string("zpRTZ\0"s)) {
    EXPECT_FALSE(IsFrontendMessageType(type)) << static_cast<int>(type);
  }
  EXPECT_EQ(MaxFrontendMessageLength('S'), kMaxSmallMessageLength);
  EXPECT_EQ(MaxFrontendMessageLength('Q'), kMaxLargeMessageLength);
}

TEST(BackendMessageTest, AuthenticationMessagesRoundTrip) {
  MessageBuffer ok;
  AuthenticationOk{}.Encode(ok);
  EXPECT_EQ(ok.Data(), "R\0\0\0\x08\0\0\0\0"s);

  const AuthenticationSasl sasl = RoundTrip(AuthenticationSasl{{"SCRAM-SHA-256"}}, 'R');
  EXPECT_EQ(sasl.mechanisms, std::vector<std::string>{"SCRAM-SHA-256"});
  EXPECT_EQ(RoundTrip(AuthenticationSaslContinue{"r=abc,s=c2FsdA==,i=4096"}, 'R').data,
            "r=abc,s=c2FsdA==,i=4096");
  EXPECT_EQ(RoundTrip(AuthenticationSaslFinal{"v=sig"}, 'R').data, "v=sig");

  // A decoder refuses another request code.
  MessageBuffer buffer;
  AuthenticationOk{}.Encode(buffer);
  const std::string body = SplitTyped(buffer).second;
  MessageReader reader(body);
  EXPECT_THROW(AuthenticationSasl::Decode(reader), Error);
}

TEST(BackendMessageTest, SessionMessagesRoundTrip) {
  const ParameterStatus status = RoundTrip(ParameterStatus{"server_version", "15.0"}, 'S');
  EXPECT_EQ(status.name, "server_version");
  EXPECT_EQ(status.value, "15.0");

  const BackendKeyData key = RoundTrip(BackendKeyData{7, -123456}, 'K');
  EXPECT_EQ(key.process_id, 7);
  EXPECT_EQ(key.secret_key, -123456);

  EXPECT_EQ(RoundTrip(ReadyForQuery{TransactionStatus::kFailed}, 'Z').status,
            TransactionStatus::kFailed);

  const NegotiateProtocolVersion negotiation =
      RoundTrip(NegotiateProtocolVersion{0, {"_pq_.x"}}, 'v');
  EXPECT_EQ(negotiation.newest_minor_version, 0);
  EXPECT_EQ(negotiation.unrecognized_options, std::vector<std::string>{"_pq_.x"});
}

TEST(BackendMessageTest, RowDescriptionRoundTrips) {
  FieldDescription field;
  field.name = "price";
  field.table_oid = 16384;
  field.column_attnum = 3;
  field.type_oid = 20;
  field.type_size = 8;
  field.type_modifier = -1;
  const RowDescription decoded =
      RoundTrip(RowDescription{{field, FieldDescription{"?column?"}}}, 'T');
  ASSERT_EQ(decoded.fields.size(), 2u);
  EXPECT_EQ(decoded.fields[0].name, "price");
  EXPECT_EQ(decoded.fields[0].table_oid, 16384u);
  EXPECT_EQ(decoded.fields[0].column_attnum, 3);
  EXPECT_EQ(decoded.fields[0].type_oid, 20u);
  EXPECT_EQ(decoded.fields[0].type_size, 8);
  EXPECT_EQ(decoded.fields[0].type_modifier, -1);
  EXPECT_EQ(decoded.fields[1].name, "?column?");
}

TEST(BackendMessageTest, DataRowEncodesNullAsMinusOne) {
  MessageBuffer buffer;
  DataRow::EncodeValues({std::string_view("ab"), std::nullopt, std::string_view("")}, buffer);
  EXPECT_EQ(buffer.Data(),
            "D\0\0\0\x14\0\x03\0\0\0\x02"
            "ab\xff\xff\xff\xff\0\0\0\0"s);
  const DataRow decoded = RoundTrip(DataRow{{"x", std::nullopt, ""}}, 'D');
  ASSERT_EQ(decoded.values.size(), 3u);
  EXPECT_EQ(decoded.values[0], "x");
  EXPECT_FALSE(decoded.values[1].has_value());
  EXPECT_EQ(decoded.values[2], "");
}

TEST(BackendMessageTest, CommandCompleteAndEmptyQuery) {
  EXPECT_EQ(RoundTrip(CommandComplete{"INSERT 0 3"}, 'C').tag, "INSERT 0 3");
  MessageBuffer buffer;
  EmptyQueryResponse{}.Encode(buffer);
  EXPECT_EQ(buffer.Data(), "I\0\0\0\x04"s);
}

}  // namespace
}  // namespace freshet::pgwire
