// SPDX-License-Identifier: Apache-2.0
#include "pgwire/internal/protocol_result_writer.h"

#include <string>

#include <fmt/format.h>

#include "pgwire/error_response.h"

namespace freshet::pgwire {

void ProtocolResultWriter::WriteRowDescription(const std::vector<FieldDescription>& fields) {
  FRESHET_CHECK(!columns_.has_value(), "RowDescription sent twice for one statement");
  RowDescription::EncodeFields(fields, stream_.Output());
  columns_ = fields.size();
  stream_.FlushIfFull();
}

void ProtocolResultWriter::WriteDataRow(
    const std::vector<std::optional<std::string_view>>& values) {
  FRESHET_CHECK(columns_.has_value(), "DataRow sent without a RowDescription");
  FRESHET_CHECK(values.size() == *columns_,
                fmt::format("DataRow has {} values for {} columns", values.size(), *columns_));
  DataRow::EncodeValues(values, stream_.Output());
  stream_.FlushIfFull();
}

void ProtocolResultWriter::WriteCommandComplete(std::string_view tag) {
  CommandComplete{std::string(tag)}.Encode(stream_.Output());
  columns_.reset();
  stream_.FlushIfFull();
}

void ProtocolResultWriter::WriteEmptyQuery() {
  EmptyQueryResponse{}.Encode(stream_.Output());
  columns_.reset();
  stream_.FlushIfFull();
}

void ProtocolResultWriter::WriteNotice(const Error& notice) {
  EncodeNoticeResponse(notice, stream_.Output());
  // Sent at once, as PostgreSQL does, so that clients see the notices of a long statement.
  stream_.Flush();
}

void ProtocolResultWriter::WriteParameterStatus(std::string_view name, std::string_view value) {
  ParameterStatus{std::string(name), std::string(value)}.Encode(stream_.Output());
  stream_.FlushIfFull();
}

}  // namespace freshet::pgwire
