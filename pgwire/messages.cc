// SPDX-License-Identifier: Apache-2.0
#include "pgwire/messages.h"

#include <limits>

#include <fmt/format.h>

namespace freshet::pgwire {
namespace {

Error InvalidStartupLayout() {
  return Error::Protocol("invalid startup packet layout: expected terminator as last byte");
}

/// Reads an Authentication message's request code and checks that it is `expected`.
void ExpectAuthenticationCode(MessageReader& reader, AuthenticationCode expected) {
  const int32_t code = reader.ReadInt32();
  if (code != static_cast<int32_t>(expected)) {
    throw Error::Protocol(fmt::format("unexpected authentication request code {}", code));
  }
}

void EncodeEmpty(char type, MessageBuffer& out) {
  out.BeginMessage(type);
  out.EndMessage();
}

}  // namespace

bool IsFrontendMessageType(char type) {
  switch (type) {
    case 'Q':  // Query
    case 'X':  // Terminate
    case 'S':  // Sync
    case 'H':  // Flush
    case 'P':  // Parse
    case 'B':  // Bind
    case 'D':  // Describe
    case 'E':  // Execute
    case 'C':  // Close
    case 'F':  // FunctionCall
    case 'd':  // CopyData
    case 'c':  // CopyDone
    case 'f':  // CopyFail
      return true;
    default:
      return false;
  }
}

size_t MaxFrontendMessageLength(char type) {
  // Messages that carry no user data are held to a small limit, as PostgreSQL does, so that a
  // client cannot make the server buffer a gigabyte to learn that a Sync was malformed.
  switch (type) {
    case 'X':
    case 'S':
    case 'H':
    case 'C':
    case 'D':
    case 'c':
    case 'f':
      return kMaxSmallMessageLength;
    default:
      return kMaxLargeMessageLength;
  }
}

// -------------------------------------------------------------------------------------------------
// MessageBuffer

void MessageBuffer::BeginMessage(char type) {
  const size_t begin = data_.size();
  data_.push_back(type);
  BeginUntypedMessage();
  message_begin_ = begin;
}

void MessageBuffer::BeginUntypedMessage() {
  message_begin_ = data_.size();
  message_start_ = data_.size();
  AppendInt32(0);
}

void MessageBuffer::EndMessage() {
  FRESHET_CHECK(message_start_ != std::string::npos, "EndMessage without BeginMessage");
  const size_t length = data_.size() - message_start_;
  if (length > static_cast<size_t>(std::numeric_limits<int32_t>::max())) {
    data_.resize(message_begin_);
    message_start_ = std::string::npos;
    throw Error::Internal("protocol message too long");
  }
  const auto value = static_cast<uint32_t>(length);
  data_[message_start_] = static_cast<char>(value >> 24);
  data_[message_start_ + 1] = static_cast<char>(value >> 16);
  data_[message_start_ + 2] = static_cast<char>(value >> 8);
  data_[message_start_ + 3] = static_cast<char>(value);
  message_start_ = std::string::npos;
}

void MessageBuffer::AppendInt16(int16_t value) {
  const auto bits = static_cast<uint16_t>(value);
  data_.push_back(static_cast<char>(bits >> 8));
  data_.push_back(static_cast<char>(bits));
}

void MessageBuffer::AppendInt32(int32_t value) {
  const auto bits = static_cast<uint32_t>(value);
  const char bytes[4] = {static_cast<char>(bits >> 24), static_cast<char>(bits >> 16),
                         static_cast<char>(bits >> 8), static_cast<char>(bits)};
  data_.append(bytes, sizeof(bytes));
}

void MessageBuffer::AppendCString(std::string_view text) {
  data_.append(text.substr(0, text.find('\0')));
  data_.push_back('\0');
}

// -------------------------------------------------------------------------------------------------
// MessageReader

uint8_t MessageReader::ReadByte() {
  if (Remaining() < 1) {
    throw Error::Protocol("no data left in message");
  }
  return static_cast<uint8_t>(body_[position_++]);
}

int16_t MessageReader::ReadInt16() {
  if (Remaining() < 2) {
    throw Error::Protocol("no data left in message");
  }
  const auto* bytes = reinterpret_cast<const uint8_t*>(body_.data() + position_);
  position_ += 2;
  return static_cast<int16_t>((uint16_t{bytes[0]} << 8) | bytes[1]);
}

int32_t MessageReader::ReadInt32() {
  if (Remaining() < 4) {
    throw Error::Protocol("no data left in message");
  }
  const auto* bytes = reinterpret_cast<const uint8_t*>(body_.data() + position_);
  position_ += 4;
  return static_cast<int32_t>((uint32_t{bytes[0]} << 24) | (uint32_t{bytes[1]} << 16) |
                              (uint32_t{bytes[2]} << 8) | uint32_t{bytes[3]});
}

std::string_view MessageReader::ReadBytes(size_t count) {
  if (Remaining() < count) {
    throw Error::Protocol("insufficient data left in message");
  }
  std::string_view bytes = body_.substr(position_, count);
  position_ += count;
  return bytes;
}

std::string_view MessageReader::ReadCString() {
  const size_t end = body_.find('\0', position_);
  if (end == std::string_view::npos) {
    throw Error::Protocol("invalid string in message");
  }
  std::string_view text = body_.substr(position_, end - position_);
  position_ = end + 1;
  return text;
}

std::string_view MessageReader::ReadRemaining() {
  return ReadBytes(Remaining());
}

void MessageReader::ExpectEnd() const {
  if (Remaining() != 0) {
    throw Error::Protocol("invalid message format");
  }
}

// -------------------------------------------------------------------------------------------------
// Startup-phase packets

void StartupMessage::Encode(MessageBuffer& out) const {
  out.BeginUntypedMessage();
  out.AppendInt32(protocol_version);
  for (const auto& [name, value] : parameters) {
    out.AppendCString(name);
    out.AppendCString(value);
  }
  out.AppendByte(0);
  out.EndMessage();
}

StartupMessage StartupMessage::Decode(MessageReader& reader) {
  // Name/value pairs of NUL-terminated strings, then one more NUL that must be the last byte.
  StartupMessage message;
  std::string_view rest = reader.ReadRemaining();
  for (;;) {
    if (rest.empty()) {
      throw InvalidStartupLayout();
    }
    if (rest.front() == '\0') {
      if (rest.size() != 1) {
        throw InvalidStartupLayout();
      }
      return message;
    }
    const size_t name_end = rest.find('\0');
    if (name_end == std::string_view::npos) {
      throw InvalidStartupLayout();
    }
    const size_t value_end = rest.find('\0', name_end + 1);
    if (value_end == std::string_view::npos) {
      throw InvalidStartupLayout();
    }
    message.parameters.emplace_back(
        std::string(rest.substr(0, name_end)),
        std::string(rest.substr(name_end + 1, value_end - name_end - 1)));
    rest.remove_prefix(value_end + 1);
  }
}

void SslRequest::Encode(MessageBuffer& out) const {
  out.BeginUntypedMessage();
  out.AppendInt32(kSslRequestCode);
  out.EndMessage();
}

void GssEncRequest::Encode(MessageBuffer& out) const {
  out.BeginUntypedMessage();
  out.AppendInt32(kGssEncRequestCode);
  out.EndMessage();
}

void CancelRequest::Encode(MessageBuffer& out) const {
  out.BeginUntypedMessage();
  out.AppendInt32(kCancelRequestCode);
  out.AppendInt32(process_id);
  out.AppendInt32(secret_key);
  out.EndMessage();
}

CancelRequest CancelRequest::Decode(MessageReader& reader) {
  CancelRequest request;
  request.process_id = reader.ReadInt32();
  request.secret_key = reader.ReadInt32();
  reader.ExpectEnd();
  return request;
}

StartupPacket DecodeStartupPacket(std::string_view body) {
  MessageReader reader(body);
  const int32_t code = reader.ReadInt32();
  switch (code) {
    case kSslRequestCode:
      reader.ExpectEnd();
      return SslRequest{};
    case kGssEncRequestCode:
      reader.ExpectEnd();
      return GssEncRequest{};
    case kCancelRequestCode:
      return CancelRequest::Decode(reader);
    default:
      break;
  }
  if ((code >> 16) != 3) {
    StartupMessage message;
    message.protocol_version = code;
    return message;
  }
  StartupMessage message = StartupMessage::Decode(reader);
  message.protocol_version = code;
  return message;
}

// -------------------------------------------------------------------------------------------------
// Frontend messages

void Query::Encode(MessageBuffer& out) const {
  out.BeginMessage('Q');
  out.AppendCString(sql);
  out.EndMessage();
}

Query Query::Decode(MessageReader& reader) {
  Query query{std::string(reader.ReadCString())};
  reader.ExpectEnd();
  return query;
}

void Terminate::Encode(MessageBuffer& out) const {
  EncodeEmpty('X', out);
}

void Sync::Encode(MessageBuffer& out) const {
  EncodeEmpty('S', out);
}

void Flush::Encode(MessageBuffer& out) const {
  EncodeEmpty('H', out);
}

void SaslInitialResponse::Encode(MessageBuffer& out) const {
  out.BeginMessage('p');
  out.AppendCString(mechanism);
  if (data) {
    out.AppendInt32(static_cast<int32_t>(data->size()));
    out.AppendBytes(*data);
  } else {
    out.AppendInt32(-1);
  }
  out.EndMessage();
}

SaslInitialResponse SaslInitialResponse::Decode(MessageReader& reader) {
  SaslInitialResponse response;
  response.mechanism = std::string(reader.ReadCString());
  const int32_t length = reader.ReadInt32();
  if (length >= 0) {
    response.data = std::string(reader.ReadBytes(static_cast<size_t>(length)));
  } else if (length != -1) {
    throw Error::Protocol("invalid SASL initial response length");
  }
  reader.ExpectEnd();
  return response;
}

void SaslResponse::Encode(MessageBuffer& out) const {
  out.BeginMessage('p');
  out.AppendBytes(data);
  out.EndMessage();
}

SaslResponse SaslResponse::Decode(MessageReader& reader) {
  return SaslResponse{std::string(reader.ReadRemaining())};
}

// -------------------------------------------------------------------------------------------------
// Backend messages

void AuthenticationOk::Encode(MessageBuffer& out) const {
  out.BeginMessage('R');
  out.AppendInt32(static_cast<int32_t>(AuthenticationCode::kOk));
  out.EndMessage();
}

AuthenticationOk AuthenticationOk::Decode(MessageReader& reader) {
  ExpectAuthenticationCode(reader, AuthenticationCode::kOk);
  reader.ExpectEnd();
  return {};
}

void AuthenticationSasl::Encode(MessageBuffer& out) const {
  out.BeginMessage('R');
  out.AppendInt32(static_cast<int32_t>(AuthenticationCode::kSasl));
  for (const std::string& mechanism : mechanisms) {
    out.AppendCString(mechanism);
  }
  out.AppendByte(0);
  out.EndMessage();
}

AuthenticationSasl AuthenticationSasl::Decode(MessageReader& reader) {
  ExpectAuthenticationCode(reader, AuthenticationCode::kSasl);
  AuthenticationSasl message;
  for (;;) {
    std::string_view mechanism = reader.ReadCString();
    if (mechanism.empty()) {
      break;
    }
    message.mechanisms.emplace_back(mechanism);
  }
  reader.ExpectEnd();
  return message;
}

void AuthenticationSaslContinue::Encode(MessageBuffer& out) const {
  out.BeginMessage('R');
  out.AppendInt32(static_cast<int32_t>(AuthenticationCode::kSaslContinue));
  out.AppendBytes(data);
  out.EndMessage();
}

AuthenticationSaslContinue AuthenticationSaslContinue::Decode(MessageReader& reader) {
  ExpectAuthenticationCode(reader, AuthenticationCode::kSaslContinue);
  return AuthenticationSaslContinue{std::string(reader.ReadRemaining())};
}

void AuthenticationSaslFinal::Encode(MessageBuffer& out) const {
  out.BeginMessage('R');
  out.AppendInt32(static_cast<int32_t>(AuthenticationCode::kSaslFinal));
  out.AppendBytes(data);
  out.EndMessage();
}

AuthenticationSaslFinal AuthenticationSaslFinal::Decode(MessageReader& reader) {
  ExpectAuthenticationCode(reader, AuthenticationCode::kSaslFinal);
  return AuthenticationSaslFinal{std::string(reader.ReadRemaining())};
}

void NegotiateProtocolVersion::Encode(MessageBuffer& out) const {
  out.BeginMessage('v');
  out.AppendInt32(newest_minor_version);
  out.AppendInt32(static_cast<int32_t>(unrecognized_options.size()));
  for (const std::string& option : unrecognized_options) {
    out.AppendCString(option);
  }
  out.EndMessage();
}

NegotiateProtocolVersion NegotiateProtocolVersion::Decode(MessageReader& reader) {
  NegotiateProtocolVersion message;
  message.newest_minor_version = reader.ReadInt32();
  const int32_t count = reader.ReadInt32();
  for (int32_t i = 0; i < count; ++i) {
    message.unrecognized_options.emplace_back(reader.ReadCString());
  }
  reader.ExpectEnd();
  return message;
}

void ParameterStatus::Encode(MessageBuffer& out) const {
  out.BeginMessage('S');
  out.AppendCString(name);
  out.AppendCString(value);
  out.EndMessage();
}

ParameterStatus ParameterStatus::Decode(MessageReader& reader) {
  ParameterStatus message;
  message.name = std::string(reader.ReadCString());
  message.value = std::string(reader.ReadCString());
  reader.ExpectEnd();
  return message;
}

void BackendKeyData::Encode(MessageBuffer& out) const {
  out.BeginMessage('K');
  out.AppendInt32(process_id);
  out.AppendInt32(secret_key);
  out.EndMessage();
}

BackendKeyData BackendKeyData::Decode(MessageReader& reader) {
  BackendKeyData message;
  message.process_id = reader.ReadInt32();
  message.secret_key = reader.ReadInt32();
  reader.ExpectEnd();
  return message;
}

void ReadyForQuery::Encode(MessageBuffer& out) const {
  out.BeginMessage('Z');
  out.AppendByte(static_cast<uint8_t>(status));
  out.EndMessage();
}

ReadyForQuery ReadyForQuery::Decode(MessageReader& reader) {
  const auto status = static_cast<char>(reader.ReadByte());
  reader.ExpectEnd();
  switch (status) {
    case 'I':
    case 'T':
    case 'E':
      return ReadyForQuery{static_cast<TransactionStatus>(status)};
    default:
      throw Error::Protocol(fmt::format("invalid transaction status {}", static_cast<int>(status)));
  }
}

void RowDescription::EncodeFields(const std::vector<FieldDescription>& fields, MessageBuffer& out) {
  FRESHET_CHECK(fields.size() <= static_cast<size_t>(std::numeric_limits<int16_t>::max()),
                "too many fields for a RowDescription");
  out.BeginMessage('T');
  out.AppendInt16(static_cast<int16_t>(fields.size()));
  for (const FieldDescription& field : fields) {
    out.AppendCString(field.name);
    out.AppendInt32(static_cast<int32_t>(field.table_oid));
    out.AppendInt16(field.column_attnum);
    out.AppendInt32(static_cast<int32_t>(field.type_oid));
    out.AppendInt16(field.type_size);
    out.AppendInt32(field.type_modifier);
    out.AppendInt16(0);  // text format
  }
  out.EndMessage();
}

RowDescription RowDescription::Decode(MessageReader& reader) {
  RowDescription message;
  const int16_t count = reader.ReadInt16();
  for (int16_t i = 0; i < count; ++i) {
    FieldDescription field;
    field.name = std::string(reader.ReadCString());
    field.table_oid = static_cast<uint32_t>(reader.ReadInt32());
    field.column_attnum = reader.ReadInt16();
    field.type_oid = static_cast<uint32_t>(reader.ReadInt32());
    field.type_size = reader.ReadInt16();
    field.type_modifier = reader.ReadInt32();
    reader.ReadInt16();  // format code
    message.fields.push_back(std::move(field));
  }
  reader.ExpectEnd();
  return message;
}

void DataRow::Encode(MessageBuffer& out) const {
  std::vector<std::optional<std::string_view>> borrowed(values.begin(), values.end());
  EncodeValues(borrowed, out);
}

void DataRow::EncodeValues(const std::vector<std::optional<std::string_view>>& values,
                           MessageBuffer& out) {
  FRESHET_CHECK(values.size() <= static_cast<size_t>(std::numeric_limits<int16_t>::max()),
                "too many values for a DataRow");
  out.BeginMessage('D');
  out.AppendInt16(static_cast<int16_t>(values.size()));
  for (const std::optional<std::string_view>& value : values) {
    if (value) {
      out.AppendInt32(static_cast<int32_t>(value->size()));
      out.AppendBytes(*value);
    } else {
      out.AppendInt32(-1);
    }
  }
  out.EndMessage();
}

DataRow DataRow::Decode(MessageReader& reader) {
  DataRow message;
  const int16_t count = reader.ReadInt16();
  for (int16_t i = 0; i < count; ++i) {
    const int32_t length = reader.ReadInt32();
    if (length < 0) {
      message.values.emplace_back(std::nullopt);
    } else {
      message.values.emplace_back(std::string(reader.ReadBytes(static_cast<size_t>(length))));
    }
  }
  reader.ExpectEnd();
  return message;
}

void CommandComplete::Encode(MessageBuffer& out) const {
  out.BeginMessage('C');
  out.AppendCString(tag);
  out.EndMessage();
}

CommandComplete CommandComplete::Decode(MessageReader& reader) {
  CommandComplete message{std::string(reader.ReadCString())};
  reader.ExpectEnd();
  return message;
}

void EmptyQueryResponse::Encode(MessageBuffer& out) const {
  EncodeEmpty('I', out);
}

}  // namespace freshet::pgwire
