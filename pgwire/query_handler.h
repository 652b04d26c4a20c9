// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/error.h"

// The seam between the wire protocol and whatever answers queries. pgwire implements ResultWriter
// and calls a QueryHandler; the server binary adapts the engine to QueryHandler. Nothing here knows
// about the engine.
namespace freshet::pgwire {

/// One field of a RowDescription message.
struct FieldDescription {
  std::string name;
  uint32_t table_oid = 0;
  int16_t column_attnum = 0;
  uint32_t type_oid = 0;
  int16_t type_size = -1;
  int32_t type_modifier = -1;
};

/// The transaction state reported in ReadyForQuery: idle, in a transaction block, or in a failed
/// one.
enum class TransactionStatus : char { kIdle = 'I', kInTransaction = 'T', kFailed = 'E' };

/// Receives the results of one query string and writes them to the client as protocol messages.
/// Calls must follow the protocol's order per statement: RowDescription, DataRows, CommandComplete
/// (or EmptyQuery). Single-threaded: used only by the connection's thread during
/// ExecuteSimpleQuery.
class ResultWriter {
 public:
  virtual ~ResultWriter() = default;
  /// Sends RowDescription.
  virtual void WriteRowDescription(const std::vector<FieldDescription>& fields) = 0;
  /// Sends one DataRow in text format; std::nullopt is SQL NULL.
  virtual void WriteDataRow(const std::vector<std::optional<std::string_view>>& values) = 0;
  /// Sends CommandComplete with `tag` ("SELECT 3", "INSERT 0 3", "CREATE TABLE").
  virtual void WriteCommandComplete(std::string_view tag) = 0;
  /// Sends EmptyQueryResponse, for a query string with no statements.
  virtual void WriteEmptyQuery() = 0;
  /// Sends a NoticeResponse (severity taken from the error: NOTICE, WARNING, ...).
  virtual void WriteNotice(const Error& notice) = 0;
  /// Sends ParameterStatus, e.g. after `SET TimeZone`.
  virtual void WriteParameterStatus(std::string_view name, std::string_view value) = 0;
};

/// Answers the queries of one client connection. Created after the startup message and
/// authentication, used by that connection's thread only, except Cancel(), which another thread may
/// call at any time.
class QueryHandler {
 public:
  virtual ~QueryHandler() = default;
  /// Runs every statement of a simple-protocol Query message, writing results to `writer`. Throws
  /// Error for the first failing statement; pgwire turns it into an ErrorResponse and skips the
  /// rest of the string.
  virtual void ExecuteSimpleQuery(std::string_view sql, ResultWriter& writer) = 0;
  /// The status to report in the next ReadyForQuery.
  virtual TransactionStatus GetTransactionStatus() const = 0;
  /// Asks the statement running now, if any, to stop with 57014; thread-safe.
  virtual void Cancel() = 0;
};

/// What the client sent in its StartupMessage.
struct StartupInfo {
  std::string user;
  std::string database;
  std::string application_name;
  /// Every parameter as sent, including the ones above.
  std::vector<std::pair<std::string, std::string>> parameters;
  /// "127.0.0.1:53412".
  std::string peer;
};

/// Creates a QueryHandler per connection; shared by all connection threads, so it must be
/// thread-safe.
class QueryHandlerFactory {
 public:
  virtual ~QueryHandlerFactory() = default;
  /// Creates the handler of a new connection; throws Error (e.g. 3D000 for an unknown database) to
  /// refuse it.
  virtual std::unique_ptr<QueryHandler> Create(const StartupInfo& startup) = 0;
  /// The ParameterStatus messages to send after authentication, given the startup parameters.
  virtual std::vector<std::pair<std::string, std::string>> InitialParameters(
      const StartupInfo& startup) = 0;
};

}  // namespace freshet::pgwire
