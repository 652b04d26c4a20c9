// SPDX-License-Identifier: Apache-2.0
#include "pgwire/error_response.h"

#include <string>

#include <gtest/gtest.h>

namespace freshet::pgwire {
namespace {

using namespace std::string_literals;

std::string Body(const MessageBuffer& buffer, char expected_type) {
  EXPECT_EQ(buffer.Data().at(0), expected_type);
  return buffer.Data().substr(5);
}

TEST(ErrorResponseTest, WritesFieldsInOrder) {
  MessageBuffer buffer;
  EncodeErrorResponse(
      Error::UndefinedTable("t").WithDetail("Detail.").WithHint("Hint.").WithPosition(15), buffer);
  EXPECT_EQ(Body(buffer, 'E'),
            "SERROR\0VERROR\0C42P01\0Mrelation \"t\" does not exist\0DDetail.\0HHint.\0P15\0\0"s);
  MessageReader reader(std::string_view(buffer.Data()).substr(1, 4));
  EXPECT_EQ(static_cast<size_t>(reader.ReadInt32()), buffer.Size() - 1);
}

TEST(ErrorResponseTest, OmitsEmptyFieldsAndZeroPosition) {
  MessageBuffer buffer;
  EncodeErrorResponse(Error::Protocol("invalid message length").WithSeverity(Severity::kFatal),
                      buffer);
  EXPECT_EQ(Body(buffer, 'E'), "SFATAL\0VFATAL\0C08P01\0Minvalid message length\0\0"s);
}

TEST(ErrorResponseTest, SeverityBelowErrorIsSentAsError) {
  MessageBuffer buffer;
  EncodeErrorResponse(Error(SqlState::kWarning, "odd").WithSeverity(Severity::kWarning), buffer);
  const std::string body = Body(buffer, 'E');
  MessageReader reader(body);
  const ErrorFields fields = ErrorFields::Decode(reader);
  EXPECT_EQ(fields.Find('S'), "ERROR");
  EXPECT_EQ(fields.Find('V'), "ERROR");
}

TEST(NoticeResponseTest, KeepsNoticeSeveritiesAndDowngradesErrors) {
  MessageBuffer warning;
  EncodeNoticeResponse(Error(SqlState::kWarning, "careful").WithSeverity(Severity::kWarning),
                       warning);
  const std::string warning_body = Body(warning, 'N');
  MessageReader warning_reader(warning_body);
  const ErrorFields warning_fields = ErrorFields::Decode(warning_reader);
  EXPECT_EQ(warning_fields.Find('S'), "WARNING");
  EXPECT_EQ(warning_fields.Find('C'), "01000");
  EXPECT_EQ(warning_fields.Find('M'), "careful");

  MessageBuffer defaulted;
  EncodeNoticeResponse(Error(SqlState::kSuccessfulCompletion, "fyi"), defaulted);
  const std::string defaulted_body = Body(defaulted, 'N');
  MessageReader defaulted_reader(defaulted_body);
  EXPECT_EQ(ErrorFields::Decode(defaulted_reader).Find('S'), "NOTICE");
}

TEST(ErrorFieldsTest, DecodeFindsFieldsAndRefusesTruncation) {
  const std::string body = "SERROR\0C42601\0Mbad\0\0"s;
  MessageReader reader(body);
  const ErrorFields fields = ErrorFields::Decode(reader);
  EXPECT_EQ(fields.fields.size(), 3u);
  EXPECT_EQ(fields.Find('C'), "42601");
  EXPECT_FALSE(fields.Find('P').has_value());

  const std::string truncated_body = "SERROR\0C426"s;
  MessageReader truncated(truncated_body);
  EXPECT_THROW(ErrorFields::Decode(truncated), Error);
}

}  // namespace
}  // namespace freshet::pgwire
