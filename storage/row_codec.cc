// SPDX-License-Identifier: Apache-2.0
#include "storage/row_codec.h"

#include <bit>
#include <cstring>
#include <limits>

#include <fmt/format.h>

namespace freshet::storage {
namespace {

using Uint128 = unsigned __int128;

template <typename Unsigned>
void AppendVarint(Unsigned value, std::string& out) {
  while (value >= 0x80) {
    out.push_back(static_cast<char>(static_cast<uint8_t>(value) | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
}

// Zigzag keeps small negative numbers short: 0, -1, 1, -2 ... become 0, 1, 2, 3 ...
void AppendSigned(int64_t value, std::string& out) {
  AppendVarint<uint64_t>((static_cast<uint64_t>(value) << 1) ^ static_cast<uint64_t>(value >> 63),
                         out);
}

void AppendSigned128(__int128 value, std::string& out) {
  AppendVarint<Uint128>((static_cast<Uint128>(value) << 1) ^ static_cast<Uint128>(value >> 127),
                        out);
}

template <typename T>
void AppendLittleEndian(T value, std::string& out) {
  using Unsigned = std::conditional_t<sizeof(T) == 4, uint32_t, uint64_t>;
  Unsigned bits = std::bit_cast<Unsigned>(value);
  for (size_t i = 0; i < sizeof(T); ++i) {
    out.push_back(static_cast<char>(static_cast<uint8_t>(bits)));
    bits >>= 8;
  }
}

size_t BitmapBytes(size_t columns) {
  return (columns + 7) / 8;
}

// Writes the header and a zeroed bitmap; returns the offset of the bitmap in `out`.
size_t AppendHeader(size_t columns, std::string& out) {
  out.push_back(static_cast<char>(kRowFormatV1));
  AppendVarint<uint64_t>(columns, out);
  const size_t bitmap = out.size();
  out.append(BitmapBytes(columns), '\0');
  return bitmap;
}

void SetNullBit(size_t bitmap, size_t column, std::string& out) {
  out[bitmap + column / 8] = static_cast<char>(static_cast<uint8_t>(out[bitmap + column / 8]) |
                                               static_cast<uint8_t>(1u << (column % 8)));
}

void AppendColumnValue(const Column& column, size_t row, std::string& out) {
  switch (column.Type().Physical()) {
    case PhysicalType::kBool:
      out.push_back(column.Data<uint8_t>()[row] != 0 ? 1 : 0);
      return;
    case PhysicalType::kInt16:
      AppendSigned(column.Data<int16_t>()[row], out);
      return;
    case PhysicalType::kInt32:
      AppendSigned(column.Data<int32_t>()[row], out);
      return;
    case PhysicalType::kInt64:
      AppendSigned(column.Data<int64_t>()[row], out);
      return;
    case PhysicalType::kFloat32:
      AppendLittleEndian<float>(column.Data<float>()[row], out);
      return;
    case PhysicalType::kFloat64:
      AppendLittleEndian<double>(column.Data<double>()[row], out);
      return;
    case PhysicalType::kInt128:
      AppendSigned128(column.Data<__int128>()[row], out);
      return;
    case PhysicalType::kInterval: {
      const Interval& interval = column.Data<Interval>()[row];
      AppendSigned(interval.months, out);
      AppendSigned(interval.days, out);
      AppendSigned(interval.micros, out);
      return;
    }
    case PhysicalType::kString: {
      const std::string_view bytes = column.GetString(row);
      AppendVarint<uint64_t>(bytes.size(), out);
      out.append(bytes);
      return;
    }
  }
}

void AppendValue(const Value& value, std::string& out) {
  switch (value.Type().Physical()) {
    case PhysicalType::kBool:
      out.push_back(value.GetBool() ? 1 : 0);
      return;
    case PhysicalType::kInt16:
      AppendSigned(static_cast<int16_t>(value.GetInt()), out);
      return;
    case PhysicalType::kInt32:
      AppendSigned(static_cast<int32_t>(value.GetInt()), out);
      return;
    case PhysicalType::kInt64:
      AppendSigned(value.GetInt(), out);
      return;
    case PhysicalType::kFloat32:
      AppendLittleEndian<float>(static_cast<float>(value.GetDouble()), out);
      return;
    case PhysicalType::kFloat64:
      AppendLittleEndian<double>(value.GetDouble(), out);
      return;
    case PhysicalType::kInt128:
      AppendSigned128(value.GetInt128(), out);
      return;
    case PhysicalType::kInterval: {
      const Interval& interval = value.GetInterval();
      AppendSigned(interval.months, out);
      AppendSigned(interval.days, out);
      AppendSigned(interval.micros, out);
      return;
    }
    case PhysicalType::kString: {
      const std::string_view bytes = value.GetString();
      AppendVarint<uint64_t>(bytes.size(), out);
      out.append(bytes);
      return;
    }
  }
}

Error Corrupted(std::string_view what) {
  return Error(SqlState::kDataCorrupted, fmt::format("corrupted row: {}", what));
}

/// Reads the encoding front to back; every read checks the remaining length, so no input can
/// over-read.
class RowReader {
 public:
  explicit RowReader(std::string_view bytes) : bytes_(bytes) {}

  bool AtEnd() const { return position_ == bytes_.size(); }

  Status ReadByte(uint8_t& value) {
    if (position_ >= bytes_.size()) {
      return Corrupted("truncated");
    }
    value = static_cast<uint8_t>(bytes_[position_++]);
    return Status::Ok();
  }

  template <typename Unsigned>
  Status ReadVarint(Unsigned& value) {
    constexpr int kBits = sizeof(Unsigned) * 8;
    value = 0;
    for (int shift = 0;; shift += 7) {
      uint8_t byte = 0;
      FRESHET_RETURN_IF_ERROR(ReadByte(byte));
      const Unsigned payload = byte & 0x7F;
      // The last byte of a maximal varint may only carry the bits that are left.
      if (shift >= kBits || (shift > 0 && kBits - shift < 7 && (payload >> (kBits - shift)) != 0)) {
        return Corrupted("varint overflow");
      }
      value |= payload << shift;
      if ((byte & 0x80) == 0) {
        return Status::Ok();
      }
    }
  }

  Status ReadSigned(int64_t& value) {
    uint64_t zigzag = 0;
    FRESHET_RETURN_IF_ERROR(ReadVarint(zigzag));
    value = static_cast<int64_t>(zigzag >> 1) ^ -static_cast<int64_t>(zigzag & 1);
    return Status::Ok();
  }

  template <typename Signed>
  Status ReadSignedAs(Signed& value) {
    int64_t wide = 0;
    FRESHET_RETURN_IF_ERROR(ReadSigned(wide));
    if (wide < std::numeric_limits<Signed>::min() || wide > std::numeric_limits<Signed>::max()) {
      return Corrupted(
          fmt::format("value {} out of range for a {}-byte integer", wide, sizeof(Signed)));
    }
    value = static_cast<Signed>(wide);
    return Status::Ok();
  }

  Status ReadSigned128(__int128& value) {
    Uint128 zigzag = 0;
    FRESHET_RETURN_IF_ERROR(ReadVarint(zigzag));
    value = static_cast<__int128>(zigzag >> 1) ^ -static_cast<__int128>(zigzag & 1);
    return Status::Ok();
  }

  template <typename T>
  Status ReadLittleEndian(T& value) {
    using Unsigned = std::conditional_t<sizeof(T) == 4, uint32_t, uint64_t>;
    if (bytes_.size() - position_ < sizeof(T)) {
      return Corrupted("truncated");
    }
    Unsigned bits = 0;
    for (size_t i = 0; i < sizeof(T); ++i) {
      bits |= static_cast<Unsigned>(static_cast<uint8_t>(bytes_[position_ + i])) << (8 * i);
    }
    position_ += sizeof(T);
    value = std::bit_cast<T>(bits);
    return Status::Ok();
  }

  Status ReadBytes(size_t length, std::string_view& value) {
    if (bytes_.size() - position_ < length) {
      return Corrupted(fmt::format("string of {} bytes exceeds the row", length));
    }
    value = bytes_.substr(position_, length);
    position_ += length;
    return Status::Ok();
  }

 private:
  std::string_view bytes_;
  size_t position_ = 0;
};

// Walks one encoded row and hands each value to `sink` (OnNull / On<T>(column, value)). The same
// walk validates (with a sink that drops values) and appends, so what is checked is exactly what is
// read.
template <typename Sink>
Status WalkRow(std::string_view bytes, const std::vector<DataType>& types, Sink& sink) {
  RowReader reader(bytes);
  uint8_t format = 0;
  FRESHET_RETURN_IF_ERROR(reader.ReadByte(format));
  if (format != kRowFormatV1) {
    return Corrupted(fmt::format("unknown row format {}", format));
  }
  uint64_t columns = 0;
  FRESHET_RETURN_IF_ERROR(reader.ReadVarint(columns));
  if (columns != types.size()) {
    return Corrupted(fmt::format("row has {} columns, expected {}", columns, types.size()));
  }
  std::string_view bitmap;
  FRESHET_RETURN_IF_ERROR(reader.ReadBytes(BitmapBytes(types.size()), bitmap));
  if (types.size() % 8 != 0 && (static_cast<uint8_t>(bitmap.back()) >> (types.size() % 8)) != 0) {
    return Corrupted("null bitmap has bits beyond the last column");
  }
  for (size_t i = 0; i < types.size(); ++i) {
    if ((static_cast<uint8_t>(bitmap[i / 8]) >> (i % 8) & 1) != 0) {
      sink.OnNull(i);
      continue;
    }
    switch (types[i].Physical()) {
      case PhysicalType::kBool: {
        uint8_t value = 0;
        FRESHET_RETURN_IF_ERROR(reader.ReadByte(value));
        if (value > 1) {
          return Corrupted(fmt::format("invalid boolean {}", value));
        }
        sink.template On<uint8_t>(i, value);
        break;
      }
      case PhysicalType::kInt16: {
        int16_t value = 0;
        FRESHET_RETURN_IF_ERROR(reader.ReadSignedAs(value));
        sink.template On<int16_t>(i, value);
        break;
      }
      case PhysicalType::kInt32: {
        int32_t value = 0;
        FRESHET_RETURN_IF_ERROR(reader.ReadSignedAs(value));
        sink.template On<int32_t>(i, value);
        break;
      }
      case PhysicalType::kInt64: {
        int64_t value = 0;
        FRESHET_RETURN_IF_ERROR(reader.ReadSigned(value));
        sink.template On<int64_t>(i, value);
        break;
      }
      case PhysicalType::kFloat32: {
        float value = 0;
        FRESHET_RETURN_IF_ERROR(reader.ReadLittleEndian(value));
        sink.template On<float>(i, value);
        break;
      }
      case PhysicalType::kFloat64: {
        double value = 0;
        FRESHET_RETURN_IF_ERROR(reader.ReadLittleEndian(value));
        sink.template On<double>(i, value);
        break;
      }
      case PhysicalType::kInt128: {
        __int128 value = 0;
        FRESHET_RETURN_IF_ERROR(reader.ReadSigned128(value));
        sink.template On<__int128>(i, value);
        break;
      }
      case PhysicalType::kInterval: {
        Interval value;
        FRESHET_RETURN_IF_ERROR(reader.ReadSignedAs(value.months));
        FRESHET_RETURN_IF_ERROR(reader.ReadSignedAs(value.days));
        FRESHET_RETURN_IF_ERROR(reader.ReadSigned(value.micros));
        sink.template On<Interval>(i, value);
        break;
      }
      case PhysicalType::kString: {
        uint64_t length = 0;
        FRESHET_RETURN_IF_ERROR(reader.ReadVarint(length));
        // Column offsets are 32-bit; a longer string cannot have been written by EncodeRow from a
        // Column.
        if (length > std::numeric_limits<uint32_t>::max()) {
          return Corrupted(fmt::format("string length {} too large", length));
        }
        std::string_view value;
        FRESHET_RETURN_IF_ERROR(reader.ReadBytes(static_cast<size_t>(length), value));
        sink.OnString(i, value);
        break;
      }
    }
  }
  if (!reader.AtEnd()) {
    return Corrupted("trailing bytes after the last column");
  }
  return Status::Ok();
}

/// Drops every value: WalkRow with it only validates.
struct ValidatingSink {
  void OnNull(size_t) {}
  template <typename T>
  void On(size_t, T) {}
  void OnString(size_t, std::string_view) {}
};

/// Appends each value to its column.
struct ColumnSink {
  std::vector<Column>& columns;
  size_t first_column;

  void OnNull(size_t i) { columns[first_column + i].AppendNull(); }
  template <typename T>
  void On(size_t i, T value) {
    columns[first_column + i].Append<T>(value);
  }
  void OnString(size_t i, std::string_view value) { columns[first_column + i].AppendString(value); }
};

/// Builds a Value of each column's type.
struct ValueSink {
  const std::vector<DataType>& types;
  std::vector<Value>& values;

  void OnNull(size_t i) { values.push_back(Value::Null(types[i])); }
  template <typename T>
  void On(size_t i, T value) {
    if constexpr (std::is_same_v<T, uint8_t>) {
      values.push_back(Value::Boolean(value != 0));
    } else if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) {
      values.push_back(Value::Float(types[i], value));
    } else if constexpr (std::is_same_v<T, __int128>) {
      values.push_back(Value::Numeric(types[i], value));
    } else if constexpr (std::is_same_v<T, Interval>) {
      values.push_back(Value::FromInterval(value));
    } else {
      values.push_back(Value::Int(types[i], value));
    }
  }
  void OnString(size_t i, std::string_view value) {
    values.push_back(Value::String(types[i], std::string(value)));
  }
};

}  // namespace

void EncodeRow(const Chunk& chunk, size_t row, std::string& out) {
  const size_t columns = chunk.NumColumns();
  const size_t bitmap = AppendHeader(columns, out);
  for (size_t i = 0; i < columns; ++i) {
    const Column& column = chunk.GetColumn(i);
    if (column.IsNull(row)) {
      SetNullBit(bitmap, i, out);
    } else {
      AppendColumnValue(column, row, out);
    }
  }
}

void EncodeRow(const Chunk& chunk,
               size_t row,
               const std::vector<size_t>& columns,
               std::string& out) {
  const size_t bitmap = AppendHeader(columns.size(), out);
  for (size_t i = 0; i < columns.size(); ++i) {
    const Column& column = chunk.GetColumn(columns[i]);
    if (column.IsNull(row)) {
      SetNullBit(bitmap, i, out);
    } else {
      AppendColumnValue(column, row, out);
    }
  }
}

void EncodeRow(const std::vector<Value>& row, std::string& out) {
  const size_t bitmap = AppendHeader(row.size(), out);
  for (size_t i = 0; i < row.size(); ++i) {
    if (row[i].IsNull()) {
      SetNullBit(bitmap, i, out);
    } else {
      AppendValue(row[i], out);
    }
  }
}

Status DecodeRowInto(std::string_view bytes,
                     const std::vector<DataType>& types,
                     Chunk& out,
                     Op op) {
  if (out.NumColumns() != types.size()) {
    return Error::Internal(fmt::format("DecodeRowInto: chunk has {} columns, row has {} types",
                                       out.NumColumns(), types.size()));
  }
  FRESHET_RETURN_IF_ERROR(DecodeRowIntoColumns(bytes, types, out.Columns(), 0));
  out.MutableOps().push_back(op);
  return Status::Ok();
}

Status DecodeRowIntoColumns(std::string_view bytes,
                            const std::vector<DataType>& types,
                            std::vector<Column>& columns,
                            size_t first_column) {
  if (first_column > columns.size() || columns.size() - first_column < types.size()) {
    return Error::Internal(fmt::format("DecodeRowIntoColumns: {} types from column {} of {}",
                                       types.size(), first_column, columns.size()));
  }
  for (size_t i = 0; i < types.size(); ++i) {
    if (columns[first_column + i].Type().Physical() != types[i].Physical()) {
      return Error::Internal(fmt::format("DecodeRowIntoColumns: column {} is {}, row has {}",
                                         first_column + i, columns[first_column + i].Type().Name(),
                                         types[i].Name()));
    }
  }
  // Validate first so a corrupt row leaves every column as it was, instead of some one value
  // longer.
  ValidatingSink validating;
  FRESHET_RETURN_IF_ERROR(WalkRow(bytes, types, validating));
  ColumnSink sink{columns, first_column};
  return WalkRow(bytes, types, sink);
}

Result<std::vector<Value>> DecodeRow(std::string_view bytes, const std::vector<DataType>& types) {
  std::vector<Value> values;
  values.reserve(types.size());
  ValueSink sink{types, values};
  FRESHET_RETURN_IF_ERROR(WalkRow(bytes, types, sink));
  return values;
}

}  // namespace freshet::storage
