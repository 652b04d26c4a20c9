// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/column.h"
#include "common/data_type.h"
#include "connectors/source_reader.h"

// Decoders of message payloads (Kafka record values) into rows: `ENCODE JSON` and `ENCODE CSV`.
namespace freshet::connectors {

/// The encodings a message payload may have.
enum class MessageEncoding : uint8_t { kJson, kCsv };

/// How a source's messages are encoded: the `FORMAT ... ENCODE ... (options)` clause.
struct MessageFormat {
  MessageEncoding encoding = MessageEncoding::kJson;
  /// CSV: the field delimiter (`delimiter`, one byte).
  char csv_delimiter = ',';
  /// CSV: the first message is a header naming the fields (`without_header = 'false'` or
  /// `header = 'true'`); fields are then matched to columns by name. Without a header, field i is
  /// column i.
  bool csv_header = false;
  /// A payload longer than this is a decode error; 0: no limit.
  size_t max_message_bytes = 0;
  /// `FORMAT UPSERT`: each message's key holds the primary key, a message without a value
  /// (tombstone) deletes that key.
  bool upsert = false;
  /// JSON: a payload that is not an object is the value of the decoder's single column, as a
  /// Kafka message key often is (`42`, `"abc"` or bare text).
  bool scalar_payload = false;
  /// Every column must have a value: a missing field or NULL is an error (primary-key columns).
  bool values_required = false;
};

/// Parses `FORMAT <format> ENCODE <encode> (<options>)`: format PLAIN (or empty) or UPSERT, encode
/// JSON or CSV (any case; UPSERT only with JSON); CSV takes `delimiter`, `without_header` and
/// `header`. Throws Error 22023 for anything else.
MessageFormat ParseMessageFormat(std::string_view format,
                                 std::string_view encode,
                                 const ConnectorOptions& encode_options);

/// Checks that every column type can be decoded; throws Error 42804 naming the first one that
/// cannot (bytea, oid and reg* types).
void ValidateDecodedColumns(const std::vector<std::string>& column_names,
                            const std::vector<DataType>& column_types);

/// What Decode did with a message.
enum class DecodeStatus : uint8_t {
  /// One row was appended.
  kRow,
  /// The message carried no row (a CSV header); nothing was appended.
  kSkipped,
  /// The message could not be decoded; nothing was appended and Error() says why.
  kError,
};

/// Decodes message payloads into rows of a chunk. A row is all or nothing: a payload that fails
/// leaves the chunk unchanged, so the caller can skip it and go on. Errors are returned, never
/// thrown, because bad messages are frequent and must be cheap.
///
/// JSON: the payload is one object; its fields map to columns by name, ignoring ASCII case (the
/// last of duplicate fields wins, unknown fields are ignored, a missing field or JSON null is
/// NULL). CSV: one record per payload; an empty unquoted field is NULL, `""` escapes a quote inside
/// a quoted field.
///
/// Reusable and not thread-safe: it keeps its parser and buffers between messages, so decoding
/// allocates only while those grow.
class MessageDecoder {
 public:
  /// Decodes into columns `output_columns[i]` of the chunk for the source columns `column_names[i]`
  /// of types `column_types[i]`; the chunk may have further columns the caller fills.
  MessageDecoder(std::vector<std::string> column_names,
                 std::vector<DataType> column_types,
                 std::vector<size_t> output_columns,
                 MessageFormat format);
  ~MessageDecoder();
  MessageDecoder(const MessageDecoder&) = delete;
  MessageDecoder& operator=(const MessageDecoder&) = delete;

  /// Decodes `payload` and appends its row to the output columns of `out` (the caller sets the
  /// chunk's row count).
  DecodeStatus Decode(std::string_view payload, Chunk& out);
  /// Decodes `payload` without appending it: Append appends the row until the next Parse, so a
  /// row decoded from two payloads (a message's key and value) is appended only when both decode.
  DecodeStatus Parse(std::string_view payload);
  /// Appends the row the last Parse that returned kRow decoded.
  void Append(Chunk& out);
  /// Appends NULL to every output column (the non-key columns of a deleted row).
  void AppendNulls(Chunk& out);
  /// Why the last Decode returned kError: a short message such as `field "price": expected an
  /// integer`.
  const std::string& LastError() const { return error_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string error_;
};

}  // namespace freshet::connectors
