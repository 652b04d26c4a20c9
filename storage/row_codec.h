// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/column.h"
#include "common/data_type.h"
#include "common/error.h"
#include "common/value.h"

namespace freshet::storage {

// The value encoding of a stored row: compact, not order-preserving, and self-checking enough that
// a corrupt or mistyped value is reported instead of misread.
//
//   format byte (kRowFormatV1)
//   varint   number of columns
//   bitmap   ceil(columns / 8) bytes, bit i (LSB first) set when column i is NULL
//   values   the non-NULL columns in order:
//              BOOLEAN                      1 byte
//              integers, DATE, TIME,        zigzag varint
//              TIMESTAMP[TZ], NUMERIC
//              REAL / DOUBLE PRECISION      4 / 8 bytes little-endian IEEE
//              INTERVAL                     zigzag varints: months, days, micros
//              strings                      varint length, then the bytes
//
// The types are not stored: the reader supplies them from the catalog, as the writer did.

/// The first byte of every row encoded by this version; a reader rejects formats it does not know.
inline constexpr uint8_t kRowFormatV1 = 1;

/// Appends the encoding of row `row` of `chunk` (all columns) to `out`.
void EncodeRow(const Chunk& chunk, size_t row, std::string& out);
/// Appends the encoding of columns `columns` of row `row` of `chunk`, in that order, to `out` (the
/// value part of a state-table row whose key columns are stored in the key).
void EncodeRow(const Chunk& chunk,
               size_t row,
               const std::vector<size_t>& columns,
               std::string& out);
/// Appends the encoding of `row` to `out`; each value is laid out as its Type() says.
void EncodeRow(const std::vector<Value>& row, std::string& out);

/// Decodes one row of `types` from `bytes` and appends it to `out` (whose columns must have these
/// types) with op `op`. Corrupt input returns kDataCorrupted and appends nothing.
Status DecodeRowInto(std::string_view bytes,
                     const std::vector<DataType>& types,
                     Chunk& out,
                     Op op = Op::kInsert);
/// Decodes one row of `types` from `bytes` and appends value i to columns[first_column + i],
/// leaving any op column to the caller (the key columns of the row come from elsewhere). Corrupt
/// input returns kDataCorrupted and appends nothing.
Status DecodeRowIntoColumns(std::string_view bytes,
                            const std::vector<DataType>& types,
                            std::vector<Column>& columns,
                            size_t first_column = 0);
/// Decodes one row of `types` from `bytes` into Values; for metadata and tests, not for the data
/// path.
Result<std::vector<Value>> DecodeRow(std::string_view bytes, const std::vector<DataType>& types);

}  // namespace freshet::storage
