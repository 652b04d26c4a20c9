// SPDX-License-Identifier: Apache-2.0
#include "common/error.h"

#include <array>

#include <fmt/format.h>

namespace freshet {
namespace {

struct SqlStateEntry {
  std::string_view code;
  std::string_view name;
};

constexpr std::array kSqlStates = {
#define FRESHET_SQLSTATE(name, code, text) SqlStateEntry{code, text},
#include "common/sqlstate.def"
#undef FRESHET_SQLSTATE
};

}  // namespace

std::string_view SqlStateCode(SqlState state) {
  return kSqlStates[static_cast<size_t>(state)].code;
}

std::string_view SqlStateName(SqlState state) {
  return kSqlStates[static_cast<size_t>(state)].name;
}

std::string_view SeverityName(Severity severity) {
  switch (severity) {
    case Severity::kError:
      return "ERROR";
    case Severity::kFatal:
      return "FATAL";
    case Severity::kPanic:
      return "PANIC";
    case Severity::kWarning:
      return "WARNING";
    case Severity::kNotice:
      return "NOTICE";
    case Severity::kDebug:
      return "DEBUG";
    case Severity::kInfo:
      return "INFO";
    case Severity::kLog:
      return "LOG";
  }
  return "ERROR";
}

Error::Error(SqlState state, std::string message) : state_(state), message_(std::move(message)) {}

Error Error::Syntax(std::string_view token, int32_t position) {
  std::string message = token.empty() ? std::string("syntax error at end of input")
                                      : fmt::format("syntax error at or near \"{}\"", token);
  return Error(SqlState::kSyntaxError, std::move(message)).WithPosition(position);
}

Error Error::UndefinedTable(std::string_view name) {
  return Error(SqlState::kUndefinedTable, fmt::format("relation \"{}\" does not exist", name));
}

Error Error::UndefinedColumn(std::string_view name) {
  return Error(SqlState::kUndefinedColumn, fmt::format("column \"{}\" does not exist", name));
}

Error Error::Internal(std::string message) {
  return Error(SqlState::kInternalError, std::move(message));
}

Error Error::Protocol(std::string message) {
  return Error(SqlState::kProtocolViolation, std::move(message));
}

Error Error::Io(std::string message) {
  return Error(SqlState::kIoError, std::move(message));
}

Error& Error::WithDetail(std::string detail) & {
  detail_ = std::move(detail);
  return *this;
}
Error&& Error::WithDetail(std::string detail) && {
  detail_ = std::move(detail);
  return std::move(*this);
}
Error& Error::WithHint(std::string hint) & {
  hint_ = std::move(hint);
  return *this;
}
Error&& Error::WithHint(std::string hint) && {
  hint_ = std::move(hint);
  return std::move(*this);
}
Error& Error::WithPosition(int32_t position) & {
  position_ = position;
  return *this;
}
Error&& Error::WithPosition(int32_t position) && {
  position_ = position;
  return std::move(*this);
}
Error& Error::WithSeverity(Severity severity) & {
  severity_ = severity;
  return *this;
}
Error&& Error::WithSeverity(Severity severity) && {
  severity_ = severity;
  return std::move(*this);
}

}  // namespace freshet
