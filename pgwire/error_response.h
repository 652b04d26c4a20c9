// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/error.h"
#include "pgwire/messages.h"

// The only place where an Error becomes an ErrorResponse or NoticeResponse. Fields written: S and V
// (severity), C (SQLSTATE), M (message), D (detail), H (hint), P (position, when > 0).
namespace freshet::pgwire {

/// Appends `error` as an ErrorResponse ('E'). A severity below ERROR is sent as ERROR, since an
/// ErrorResponse always ends the statement.
void EncodeErrorResponse(const Error& error, MessageBuffer& out);

/// Appends `notice` as a NoticeResponse ('N'). An ERROR, FATAL or PANIC severity (Error's default
/// is ERROR) is sent as NOTICE, since a notice never ends anything.
void EncodeNoticeResponse(const Error& notice, MessageBuffer& out);

/// The fields of a received ErrorResponse or NoticeResponse by one-byte code, in the order sent.
struct ErrorFields {
  std::vector<std::pair<char, std::string>> fields;

  /// Returns the value of the field `code`, if present.
  std::optional<std::string_view> Find(char code) const;
  /// Decodes the body of an ErrorResponse or NoticeResponse.
  static ErrorFields Decode(MessageReader& reader);
};

}  // namespace freshet::pgwire
