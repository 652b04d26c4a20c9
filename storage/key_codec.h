// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/column.h"
#include "common/data_type.h"
#include "common/error.h"
#include "common/value.h"

namespace freshet::storage {

// Memcomparable keys: comparing two encoded keys with memcmp (shorter-is-smaller on a common
// prefix, as RocksDB's default comparator does) gives the SQL order of the tuples they encode.
// Every value starts with a marker byte (non-NULL before NULL, so NULLs sort last ascending and
// first descending, as in Postgres), followed by a payload whose encodings form a prefix-free set,
// so a composite key is simply the concatenation of its columns.
//
//   BOOLEAN                        1 byte, 0 or 1
//   SMALLINT/INTEGER/BIGINT/DATE,  big-endian two's complement with the sign bit flipped, at the
//   column's width TIME/TIMESTAMP[TZ] REAL/DOUBLE PRECISION          IEEE bits, sign bit flipped
//   (all bits flipped for negatives); -0 is encoded as
//                                  0 and every NaN as one NaN above +Infinity, as Postgres orders
//                                  them
//   NUMERIC                        a decimal float ordered by value, then the display scale
//                                  (1.0 before 1.00), 20 bytes; see AppendNumeric in the .cc
//   INTERVAL                       the span in microseconds with a month as 30 days (Postgres's
//   interval_cmp
//                                  order) as 128 bits, then months and days so the value decodes
//                                  exactly
//   VARCHAR/TEXT/BYTEA/JSONB       bytes with 0x00 escaped as 0x00 0xFF, terminated by 0x00 0x01;
//   byte order,
//                                  i.e. the C collation
//
// A descending column has every byte of its encoding (marker included) inverted.

/// The first byte of every key in the store: which keyspace the key belongs to.
enum class Keyspace : uint8_t {
  /// Store-wide metadata: committed epoch, catalog, source offsets.
  kSystem = 0x01,
  /// Rows of state tables, followed by the 4-byte table id.
  kTable = 0x02,
  /// The internal state of streaming operators: view id, operator id, shard.
  kOperatorState = 0x03,
};

/// Bytes of TablePrefix(): the keyspace byte plus the big-endian table id.
inline constexpr size_t kTablePrefixSize = 5;

/// Returns the prefix of every key of state table `table_id`: Keyspace::kTable, then the id
/// big-endian, so the rows of one table are contiguous and tables sort by id.
std::string TablePrefix(uint32_t table_id);
/// Appends TablePrefix(table_id) to `out`.
void AppendTablePrefix(uint32_t table_id, std::string& out);
/// Returns the prefix of the state of instance `shard` of operator `operator_id` of view `view_id`:
/// Keyspace::kOperatorState, the view id (4 bytes), the operator id and the shard (2 bytes each),
/// all big-endian, so one view's state is contiguous and can be dropped with one range delete.
std::string OperatorStatePrefix(uint32_t view_id, uint16_t operator_id, uint16_t shard);
/// Returns the prefix of all operator state of view `view_id`.
std::string ViewStatePrefix(uint32_t view_id);
/// Returns the key of the store-wide metadata entry `name` (Keyspace::kSystem followed by `name`).
std::string SystemKey(std::string_view name);

/// Returns the smallest key greater than every key that starts with `prefix`, for use as the
/// exclusive upper bound of a prefix scan; returns "" (no upper bound) when `prefix` is empty or
/// all 0xFF bytes.
std::string PrefixUpperBound(std::string_view prefix);

/// Appends `value` as 8 big-endian bytes (hidden row ids, epochs): byte order equals numeric order.
void AppendUint64(uint64_t value, std::string& out);
/// Appends `value` as 4 big-endian bytes.
void AppendUint32(uint32_t value, std::string& out);
/// Reads 8 big-endian bytes from the front of `in` and advances it; kDataCorrupted when `in` is too
/// short.
Result<uint64_t> ReadUint64(std::string_view& in);
/// Reads 4 big-endian bytes from the front of `in` and advances it; kDataCorrupted when `in` is too
/// short.
Result<uint32_t> ReadUint32(std::string_view& in);

/// Appends the key encoding of row `row` of `column` to `out`.
void EncodeKeyValue(const Column& column, size_t row, bool descending, std::string& out);
/// Appends the key encoding of `value`, laid out as value.Type() says (a BIGINT takes 8 bytes, an
/// INTEGER 4), to `out`. A NULL of any type encodes as the NULL marker alone.
void EncodeKeyValue(const Value& value, bool descending, std::string& out);
/// Appends the key encoding of every row of `column` to the matching string of `keys` (keys.size()
/// must be at least column.Size()): builds the keys of a whole chunk one column at a time.
void EncodeKeyColumn(const Column& column, bool descending, std::vector<std::string>& keys);

/// One column of a composite key: its index in the row and its direction.
struct KeyColumn {
  size_t column_index = 0;
  bool descending = false;
};

/// Appends the composite key of row `row` of `chunk` over `key_columns` to `out`.
void EncodeKey(const Chunk& chunk,
               size_t row,
               const std::vector<KeyColumn>& key_columns,
               std::string& out);

/// Decodes one value of type `type` from the front of `in` and advances `in` past it. A truncated
/// or malformed encoding returns kDataCorrupted and leaves `in` unspecified.
Result<Value> DecodeKeyValue(std::string_view& in, DataType type, bool descending);
/// Decodes one value of the column's type from the front of `in`, appends it to `out` and advances
/// `in`; on error nothing is appended.
Status DecodeKeyValueInto(std::string_view& in, bool descending, Column& out);

}  // namespace freshet::storage
