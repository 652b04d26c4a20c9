// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace freshet {

/// A SQLSTATE condition; the enumerators and their five-character codes come from
/// common/sqlstate.def.
enum class SqlState : uint16_t {
#define FRESHET_SQLSTATE(name, code, text) name,
#include "common/sqlstate.def"
#undef FRESHET_SQLSTATE
};

/// Returns the five-character code of `state`, e.g. "42P01".
std::string_view SqlStateCode(SqlState state);
/// Returns PostgreSQL's condition name of `state`, e.g. "undefined_table".
std::string_view SqlStateName(SqlState state);

/// How bad an error is, as the `S`/`V` fields of an ErrorResponse or NoticeResponse spell it.
enum class Severity : uint8_t { kError, kFatal, kPanic, kWarning, kNotice, kDebug, kInfo, kLog };

/// Returns the PostgreSQL spelling of `severity` ("ERROR", "NOTICE", ...).
std::string_view SeverityName(Severity severity);

/// The one error type of Freshet: a SQLSTATE with a PostgreSQL-style message, optional detail, hint
/// and 1-based position in the statement text. Thrown by the parser, planner and operators; carried
/// in Result by storage and socket code. Never subclassed.
class Error final : public std::exception {
 public:
  Error(SqlState state, std::string message);

  /// A syntax error at or near `token`, worded as PostgreSQL words it.
  static Error Syntax(std::string_view token, int32_t position);
  /// relation "name" does not exist
  static Error UndefinedTable(std::string_view name);
  /// column "name" does not exist
  static Error UndefinedColumn(std::string_view name);
  /// An invariant of Freshet itself was broken; never caused by user input.
  static Error Internal(std::string message);
  /// A wire-protocol violation by the client.
  static Error Protocol(std::string message);
  /// An I/O or storage failure of the operating system or RocksDB.
  static Error Io(std::string message);

  Error& WithDetail(std::string detail) &;
  Error&& WithDetail(std::string detail) &&;
  Error& WithHint(std::string hint) &;
  Error&& WithHint(std::string hint) &&;
  Error& WithPosition(int32_t position) &;
  Error&& WithPosition(int32_t position) &&;
  Error& WithSeverity(Severity severity) &;
  Error&& WithSeverity(Severity severity) &&;

  SqlState State() const { return state_; }
  std::string_view Code() const { return SqlStateCode(state_); }
  Severity GetSeverity() const { return severity_; }
  const std::string& Message() const { return message_; }
  const std::string& Detail() const { return detail_; }
  const std::string& Hint() const { return hint_; }
  /// 1-based character position in the statement, or 0 when it does not apply.
  int32_t Position() const { return position_; }

  const char* what() const noexcept override { return message_.c_str(); }

 private:
  SqlState state_;
  Severity severity_ = Severity::kError;
  std::string message_;
  std::string detail_;
  std::string hint_;
  int32_t position_ = 0;
};

/// Either a value or an Error; returned (not thrown) by storage, file and socket code. Must be
/// checked.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : state_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return state_.index() == 0; }
  const Error& error() const { return std::get<1>(state_); }
  T& value() & { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  /// Returns the value, or throws the error: the seam from returned to thrown errors.
  T ValueOrThrow() && {
    if (!ok()) {
      throw std::get<1>(std::move(state_));
    }
    return std::get<0>(std::move(state_));
  }

 private:
  std::variant<T, Error> state_;
};

/// Success or an Error; see Result.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error)) {}  // NOLINT(google-explicit-constructor)
  static Status Ok() { return Status(); }

  bool ok() const { return !error_.has_value(); }
  const Error& error() const { return *error_; }
  /// Throws the error, if any.
  void ThrowIfError() const {
    if (error_) {
      throw *error_;
    }
  }
  /// Drops a status on purpose; greppable, like RocksDB's PermitUncheckedError.
  void IgnoreError() const {}

 private:
  std::optional<Error> error_;
};

/// Returns from the enclosing function if `expr` (a Status) failed.
#define FRESHET_RETURN_IF_ERROR(expr)           \
  do {                                          \
    ::freshet::Status freshet_status_ = (expr); \
    if (!freshet_status_.ok()) {                \
      return freshet_status_.error();           \
    }                                           \
  } while (false)

/// Throws an internal error when `cond` is false; for Freshet's own invariants, never for user
/// input.
#define FRESHET_CHECK(cond, message)                                                          \
  do {                                                                                        \
    if (!(cond)) {                                                                            \
      throw ::freshet::Error::Internal(std::string("check failed: " #cond ": ") + (message)); \
    }                                                                                         \
  } while (false)

}  // namespace freshet
