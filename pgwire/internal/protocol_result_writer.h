// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "pgwire/internal/protocol_stream.h"
#include "pgwire/query_handler.h"

namespace freshet::pgwire {

/// Writes a QueryHandler's results to a ProtocolStream as protocol messages, flushing whenever the
/// output grows past kOutputFlushThreshold. Checks the handler keeps the protocol's order (no
/// DataRow without a RowDescription, as many columns as described), since clients fail obscurely
/// otherwise; a violation is a Freshet bug and throws Error XX000. Throws Error 08006 once the
/// client is gone. Borrows the stream; used by the connection thread only.
class ProtocolResultWriter final : public ResultWriter {
 public:
  explicit ProtocolResultWriter(ProtocolStream& stream) : stream_(stream) {}

  /// Forgets the state of the previous query string.
  void Reset() { columns_.reset(); }

  void WriteRowDescription(const std::vector<FieldDescription>& fields) override;
  void WriteDataRow(const std::vector<std::optional<std::string_view>>& values) override;
  void WriteCommandComplete(std::string_view tag) override;
  void WriteEmptyQuery() override;
  void WriteNotice(const Error& notice) override;
  void WriteParameterStatus(std::string_view name, std::string_view value) override;

 private:
  ProtocolStream& stream_;
  /// The column count of the current statement's RowDescription, if one was sent.
  std::optional<size_t> columns_;
};

}  // namespace freshet::pgwire
