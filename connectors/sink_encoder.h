// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/column.h"
#include "common/data_type.h"
#include "connectors/sink_writer.h"

// The message side of a sink: how a changelog becomes keyed messages (FORMAT PLAIN | UPSERT |
// DEBEZIUM ENCODE JSON), independent of where the messages go. docs/kafka.md, "Sinks", documents
// the formats and the JSON of each type.
namespace freshet::connectors {

/// The FORMAT of a sink's messages.
enum class SinkFormat : uint8_t {
  /// One message per inserted row; the value is the row.
  kPlain,
  /// Keyed by the key columns: the value is the row's latest version, or a tombstone (no value)
  /// once the row is deleted.
  kUpsert,
  /// Keyed by the key columns: the value is a Debezium change event {before, after, op, ts_ms};
  /// a tombstone follows every delete.
  kDebezium,
};

/// How TIMESTAMPTZ values are written (`timestamptz.handling.mode`).
enum class TimestamptzMode : uint8_t {
  /// "2024-01-31 13:05:00.250000Z" (default).
  kUtcString,
  /// "2024-01-31 13:05:00.250000".
  kUtcWithoutSuffix,
  /// Microseconds since 1970-01-01 00:00:00 UTC, a number.
  kMicro,
  /// Milliseconds since 1970-01-01 00:00:00 UTC, a number.
  kMilli,
};

/// How JSONB values are written (`jsonb.handling.mode`).
enum class JsonbMode : uint8_t {
  /// Embedded as JSON (default).
  kDynamic,
  /// As a string holding the JSON text.
  kString,
};

/// How NUMERIC values are written (`numeric.handling.mode`).
enum class NumericMode : uint8_t {
  /// A JSON number with every digit of the value (default); NaN and infinities as strings.
  kNumber,
  /// A string, for consumers that would read numbers as doubles and lose digits.
  kString,
};

/// A sink's parsed FORMAT ... ENCODE JSON (...) clause and the format options of its WITH clause.
struct SinkEncoding {
  SinkFormat format = SinkFormat::kPlain;
  /// PLAIN: drop deletes and the old rows of updates (`force_append_only = 'true'`).
  bool force_append_only = false;
  /// The columns of the message key, indexes into the spec's columns; empty: messages have no
  /// key (PLAIN without `primary_key`).
  std::vector<size_t> key_columns;
  /// The first `visible_columns` columns make up the message value.
  size_t visible_columns = 0;
  TimestamptzMode timestamptz_mode = TimestamptzMode::kUtcString;
  JsonbMode jsonb_mode = JsonbMode::kDynamic;
  NumericMode numeric_mode = NumericMode::kNumber;
};

/// Parses and checks the format of `spec`: FORMAT and ENCODE (0A000 when not supported), the
/// encode options (22023), `force_append_only` (in WITH or the encode options), `primary_key`
/// (42703 for an unknown column) and `type`; rejects FORMAT PLAIN over a retracting input
/// without force_append_only (0A000), and UPSERT or DEBEZIUM without a key (22023). Reads only
/// the WITH options SinkEncodingOptionKeys() lists; the connector checks the others.
SinkEncoding ParseSinkEncoding(const SinkSpec& spec);

/// The WITH options ParseSinkEncoding reads, which every sink connector accepts.
std::span<const std::string_view> SinkEncodingOptionKeys();

/// One message: an optional key and an optional value (a tombstone has none).
struct SinkMessage {
  bool has_key = false;
  bool has_value = false;
  std::string key;
  std::string value;
};

/// The messages changes were encoded to, in order. Keeps its messages' buffers when cleared, so
/// encoding allocates only while they grow. Not thread-safe.
class SinkMessageBatch {
 public:
  size_t Size() const { return size_; }
  bool Empty() const { return size_ == 0; }
  const SinkMessage& operator[](size_t index) const { return messages_[index]; }
  /// Forgets the messages, keeping their buffers.
  void Clear() { size_ = 0; }
  /// Appends a message without key and value and returns it.
  SinkMessage& Add();

 private:
  std::vector<SinkMessage> messages_;
  size_t size_ = 0;
};

/// Encodes a changelog as JSON messages. A value is an object of the visible columns, in order,
/// fields named after the columns; a key is an object of the key columns. An update arrives as
/// an UpdateDelete row followed by an UpdateInsert row: UPSERT writes the new row, DEBEZIUM one
/// "u" event, and both first delete the old key when the update changed it. The encoder keeps an
/// UpdateDelete until the next row (also across chunks), so Finish must be called at the end of
/// an epoch. Reusable and not thread-safe.
class SinkMessageEncoder {
 public:
  SinkMessageEncoder(const SinkSpec& spec, SinkEncoding encoding);

  /// Appends the messages of row `row` of `chunk` (none, one, or a few) to `out`. `ts_millis`
  /// is the DEBEZIUM events' `ts_ms`.
  void EncodeRow(const Chunk& chunk, size_t row, int64_t ts_millis, SinkMessageBatch& out);
  /// Appends the messages of every row of `chunk`.
  void EncodeChunk(const Chunk& chunk, int64_t ts_millis, SinkMessageBatch& out);
  /// Appends the messages of an UpdateDelete still waiting for its UpdateInsert: it is a delete.
  void Finish(int64_t ts_millis, SinkMessageBatch& out);
  /// Forgets a waiting UpdateDelete (the epoch was aborted).
  void Reset() { has_pending_ = false; }

  const SinkEncoding& Encoding() const { return encoding_; }

 private:
  /// How one column's values are written.
  enum class ValueKind : uint8_t;
  struct Field {
    ValueKind kind;
    /// `"name":`, escaped.
    std::string prefix;
    size_t column = 0;
  };

  void AppendObject(const Chunk& chunk,
                    size_t row,
                    const std::vector<Field>& fields,
                    std::string& out) const;
  void AppendValue(const Column& column, size_t row, ValueKind kind, std::string& out) const;
  void AppendDebezium(std::string_view before,
                      std::string_view after,
                      char op,
                      int64_t ts_millis,
                      std::string& out) const;
  /// Appends the messages that delete the waiting UpdateDelete's row.
  void EmitPendingDelete(int64_t ts_millis, SinkMessageBatch& out);
  /// Appends the messages that insert or update row `row` (UPSERT and DEBEZIUM).
  void EmitUpsert(const Chunk& chunk,
                  size_t row,
                  const std::string* before,
                  int64_t ts_millis,
                  SinkMessageBatch& out);

  SinkEncoding encoding_;
  std::vector<Field> value_fields_;
  std::vector<Field> key_fields_;
  /// The waiting UpdateDelete: its key and, for DEBEZIUM, its row as a JSON object.
  bool has_pending_ = false;
  std::string pending_key_;
  std::string pending_row_;
  /// Scratch buffers, reused.
  std::string key_scratch_;
  std::string row_scratch_;
};

}  // namespace freshet::connectors
