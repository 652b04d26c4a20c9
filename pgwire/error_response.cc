// SPDX-License-Identifier: Apache-2.0
#include "pgwire/error_response.h"

#include <string>

namespace freshet::pgwire {
namespace {

bool IsErrorSeverity(Severity severity) {
  return severity == Severity::kError || severity == Severity::kFatal ||
         severity == Severity::kPanic;
}

void AppendField(char code, std::string_view value, MessageBuffer& out) {
  out.AppendByte(static_cast<uint8_t>(code));
  out.AppendCString(value);
}

void EncodeFields(char type, const Error& error, Severity severity, MessageBuffer& out) {
  out.BeginMessage(type);
  const std::string_view severity_name = SeverityName(severity);
  AppendField('S', severity_name, out);
  // V is the never-localized severity (PostgreSQL 9.6+); Freshet does not localize, so it equals S.
  AppendField('V', severity_name, out);
  AppendField('C', error.Code(), out);
  AppendField('M', error.Message(), out);
  if (!error.Detail().empty()) {
    AppendField('D', error.Detail(), out);
  }
  if (!error.Hint().empty()) {
    AppendField('H', error.Hint(), out);
  }
  if (error.Position() > 0) {
    AppendField('P', std::to_string(error.Position()), out);
  }
  out.AppendByte(0);
  out.EndMessage();
}

}  // namespace

void EncodeErrorResponse(const Error& error, MessageBuffer& out) {
  const Severity severity =
      IsErrorSeverity(error.GetSeverity()) ? error.GetSeverity() : Severity::kError;
  EncodeFields('E', error, severity, out);
}

void EncodeNoticeResponse(const Error& notice, MessageBuffer& out) {
  const Severity severity =
      IsErrorSeverity(notice.GetSeverity()) ? Severity::kNotice : notice.GetSeverity();
  EncodeFields('N', notice, severity, out);
}

std::optional<std::string_view> ErrorFields::Find(char code) const {
  for (const auto& [field_code, value] : fields) {
    if (field_code == code) {
      return value;
    }
  }
  return std::nullopt;
}

ErrorFields ErrorFields::Decode(MessageReader& reader) {
  ErrorFields result;
  for (;;) {
    const auto code = static_cast<char>(reader.ReadByte());
    if (code == '\0') {
      break;
    }
    result.fields.emplace_back(code, std::string(reader.ReadCString()));
  }
  reader.ExpectEnd();
  return result;
}

}  // namespace freshet::pgwire
