// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "common/data_type.h"
#include "common/value.h"

namespace freshet {

class TimeZone;

/// A typed column vector with a null flag per row. Fixed-width values live in one contiguous
/// buffer; strings in one byte buffer with offsets, so building a column never allocates per row.
/// Not thread-safe.
class Column {
 public:
  explicit Column(DataType type);

  const DataType& Type() const { return type_; }
  size_t Size() const { return size_; }
  bool IsNull(size_t row) const { return nulls_[row] != 0; }
  bool HasNulls() const;
  const uint8_t* Nulls() const { return nulls_.data(); }
  uint8_t* MutableNulls() { return nulls_.data(); }

  /// The fixed-width values; `T` must match Type().Physical().
  template <typename T>
  const T* Data() const {
    return reinterpret_cast<const T*>(fixed_.data());
  }
  template <typename T>
  T* MutableData() {
    return reinterpret_cast<T*>(fixed_.data());
  }
  /// The bytes of row `row` of a string column.
  std::string_view GetString(size_t row) const {
    return std::string_view(bytes_.data() + offsets_[row], offsets_[row + 1] - offsets_[row]);
  }

  /// Makes room for `rows` more rows without reallocating.
  void Reserve(size_t rows);
  /// Sets the size of a fixed-width column to `rows`, values uninitialized and not null; for
  /// kernels that fill MutableData() directly.
  void ResizeFixed(size_t rows);
  void AppendNull();
  template <typename T>
  void Append(T value) {
    const size_t width = sizeof(T);
    fixed_.resize((size_ + 1) * width);
    std::memcpy(fixed_.data() + size_ * width, &value, width);
    nulls_.push_back(0);
    ++size_;
  }
  void AppendString(std::string_view value);
  /// Appends `value`, which must be NULL or of this column's physical type.
  void AppendValue(const Value& value);
  /// Appends row `row` of `other`, which has the same physical type.
  void AppendFrom(const Column& other, size_t row);
  /// Returns row `row` as a Value of this column's type.
  Value GetValue(size_t row) const;
  /// Appends the text output of row `row` (not NULL) to `out`, as Postgres prints it; a
  /// TIMESTAMPTZ is shown in `time_zone` (nullptr: UTC), the session's TimeZone setting, and REAL
  /// and DOUBLE PRECISION follow the session's `extra_float_digits`. An oid or reg* value prints
  /// as its number; naming the object needs the catalog (function::CatalogAccess).
  void AppendText(size_t row,
                  std::string& out,
                  const TimeZone* time_zone = nullptr,
                  int32_t extra_float_digits = 1) const;
  void Clear();
  /// Bytes held by the column's buffers, for memory budgets.
  size_t MemoryUsage() const {
    return nulls_.capacity() + fixed_.capacity() + offsets_.capacity() * sizeof(uint32_t) +
           bytes_.capacity();
  }

 private:
  size_t FixedWidth() const;

  DataType type_;
  size_t size_ = 0;
  std::vector<uint8_t> nulls_;
  std::vector<uint8_t> fixed_;
  std::vector<uint32_t> offsets_;
  std::string bytes_;
};

/// The change a row of a chunk makes: DESIGN.md section 1, "changes, not rows".
enum class Op : uint8_t { kInsert, kDelete, kUpdateDelete, kUpdateInsert };

/// A chunk of up to kChunkSize rows: columns plus one op per row. Batch queries use only kInsert.
class Chunk {
 public:
  static constexpr size_t kChunkSize = 1024;

  Chunk() = default;
  explicit Chunk(const std::vector<DataType>& types);

  size_t NumRows() const { return ops_.size(); }
  size_t NumColumns() const { return columns_.size(); }
  const Column& GetColumn(size_t index) const { return columns_[index]; }
  Column& MutableColumn(size_t index) { return columns_[index]; }
  std::vector<Column>& Columns() { return columns_; }
  const std::vector<Op>& Ops() const { return ops_; }
  std::vector<Op>& MutableOps() { return ops_; }

  /// Appends a column of NumRows() rows.
  void AddColumn(Column column);
  /// Appends one row of values with op `op`.
  void AppendRow(const std::vector<Value>& row, Op op = Op::kInsert);
  /// Appends row `row` of `other`, which has the same column types.
  void AppendRowFrom(const Chunk& other, size_t row);
  /// Sets the number of rows after columns were appended directly, all with op `op`.
  void SetNumRows(size_t rows, Op op = Op::kInsert);
  /// Returns a chunk with the rows whose `selected` flag is set.
  Chunk Select(const std::vector<uint8_t>& selected) const;
  /// Bytes held by the chunk's buffers, for memory budgets.
  size_t MemoryUsage() const;

 private:
  std::vector<Column> columns_;
  std::vector<Op> ops_;
};

}  // namespace freshet
