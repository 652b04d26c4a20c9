// SPDX-License-Identifier: Apache-2.0
#include "common/column.h"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "common/error.h"
#include "common/text_format.h"

namespace freshet {
namespace {

/// Copies the `kWidth`-byte values at `rows` of `input` to consecutive places of `out`.
template <size_t kWidth>
void GatherFixed(const uint8_t* input, const std::vector<uint32_t>& rows, uint8_t* out) {
  for (size_t i = 0; i < rows.size(); ++i) {
    std::memcpy(out + i * kWidth, input + size_t{rows[i]} * kWidth, kWidth);
  }
}

}  // namespace

Column::Column(DataType type) : type_(type) {
  if (type_.Physical() == PhysicalType::kString) {
    offsets_.push_back(0);
  }
}

size_t Column::FixedWidth() const {
  return PhysicalWidth(type_.Physical());
}

bool Column::HasNulls() const {
  return std::find(nulls_.begin(), nulls_.end(), 1) != nulls_.end();
}

void Column::Reserve(size_t rows) {
  nulls_.reserve(size_ + rows);
  if (type_.Physical() == PhysicalType::kString) {
    offsets_.reserve(size_ + rows + 1);
  } else {
    fixed_.reserve((size_ + rows) * FixedWidth());
  }
}

void Column::ResizeFixed(size_t rows) {
  FRESHET_CHECK(type_.Physical() != PhysicalType::kString, "ResizeFixed on a string column");
  fixed_.resize(rows * FixedWidth());
  nulls_.resize(rows, 0);
  size_ = rows;
}

void Column::AppendNull() {
  if (type_.Physical() == PhysicalType::kString) {
    offsets_.push_back(static_cast<uint32_t>(bytes_.size()));
  } else {
    fixed_.resize((size_ + 1) * FixedWidth(), 0);
  }
  nulls_.push_back(1);
  ++size_;
}

void Column::AppendString(std::string_view value) {
  bytes_.append(value);
  offsets_.push_back(static_cast<uint32_t>(bytes_.size()));
  nulls_.push_back(0);
  ++size_;
}

void Column::AppendValue(const Value& value) {
  if (value.IsNull()) {
    AppendNull();
    return;
  }
  switch (type_.Physical()) {
    case PhysicalType::kBool:
      Append<uint8_t>(value.GetBool() ? 1 : 0);
      return;
    case PhysicalType::kInt16:
      Append<int16_t>(static_cast<int16_t>(value.GetInt()));
      return;
    case PhysicalType::kInt32:
      Append<int32_t>(static_cast<int32_t>(value.GetInt()));
      return;
    case PhysicalType::kInt64:
      Append<int64_t>(value.GetInt());
      return;
    case PhysicalType::kFloat32:
      Append<float>(static_cast<float>(value.GetDouble()));
      return;
    case PhysicalType::kFloat64:
      Append<double>(value.GetDouble());
      return;
    case PhysicalType::kInt128:
      Append<__int128>(value.GetInt128());
      return;
    case PhysicalType::kInterval:
      Append<Interval>(value.GetInterval());
      return;
    case PhysicalType::kString:
      AppendString(value.GetString());
      return;
  }
}

void Column::AppendFrom(const Column& other, size_t row) {
  if (other.IsNull(row)) {
    AppendNull();
    return;
  }
  if (type_.Physical() == PhysicalType::kString) {
    AppendString(other.GetString(row));
    return;
  }
  const size_t width = FixedWidth();
  fixed_.resize((size_ + 1) * width);
  std::memcpy(fixed_.data() + size_ * width, other.fixed_.data() + row * width, width);
  nulls_.push_back(0);
  ++size_;
}

Value Column::GetValue(size_t row) const {
  if (IsNull(row)) {
    return Value::Null(type_);
  }
  switch (type_.Physical()) {
    case PhysicalType::kBool:
      return Value::Boolean(Data<uint8_t>()[row] != 0);
    case PhysicalType::kInt16:
      return Value::Int(type_, Data<int16_t>()[row]);
    case PhysicalType::kInt32:
      return Value::Int(type_, Data<int32_t>()[row]);
    case PhysicalType::kInt64:
      return Value::Int(type_, Data<int64_t>()[row]);
    case PhysicalType::kFloat32:
      return Value::Float(type_, Data<float>()[row]);
    case PhysicalType::kFloat64:
      return Value::Float(type_, Data<double>()[row]);
    case PhysicalType::kInt128:
      return Value::Numeric(type_, Data<__int128>()[row]);
    case PhysicalType::kInterval:
      return Value::FromInterval(Data<Interval>()[row]);
    case PhysicalType::kString:
      return Value::String(type_, std::string(GetString(row)));
  }
  return Value::Null(type_);
}

void Column::AppendText(size_t row,
                        std::string& out,
                        const TimeZone* time_zone,
                        int32_t extra_float_digits) const {
  switch (type_.id) {
    case TypeId::kBoolean:
      out += Data<uint8_t>()[row] != 0 ? 't' : 'f';
      return;
    case TypeId::kSmallint:
      fmt::format_to(std::back_inserter(out), "{}", Data<int16_t>()[row]);
      return;
    case TypeId::kInteger:
      fmt::format_to(std::back_inserter(out), "{}", Data<int32_t>()[row]);
      return;
    case TypeId::kBigint:
      fmt::format_to(std::back_inserter(out), "{}", Data<int64_t>()[row]);
      return;
    case TypeId::kReal:
      AppendFloat(out, Data<float>()[row], true, extra_float_digits);
      return;
    case TypeId::kDouble:
      AppendFloat(out, Data<double>()[row], false, extra_float_digits);
      return;
    case TypeId::kNumeric:
      AppendNumeric(out, Data<__int128>()[row]);
      return;
    case TypeId::kDate:
      AppendDate(out, Data<int32_t>()[row]);
      return;
    case TypeId::kTime:
      AppendTime(out, Data<int64_t>()[row]);
      return;
    case TypeId::kTimestamp:
      AppendTimestamp(out, Data<int64_t>()[row]);
      return;
    case TypeId::kTimestamptz:
      AppendTimestamptz(out, Data<int64_t>()[row], time_zone);
      return;
    case TypeId::kInterval:
      AppendInterval(out, Data<Interval>()[row]);
      return;
    case TypeId::kBytea:
      AppendBytea(out, GetString(row));
      return;
    case TypeId::kUnknown:
    case TypeId::kVarchar:
    case TypeId::kText:
    case TypeId::kJsonb:
      out += GetString(row);
      return;
    case TypeId::kOid:
    case TypeId::kRegclass:
    case TypeId::kRegtype:
    case TypeId::kRegproc:
    case TypeId::kRegnamespace:
      fmt::format_to(std::back_inserter(out), "{}", static_cast<uint32_t>(Data<int64_t>()[row]));
      return;
  }
}

void Column::Clear() {
  size_ = 0;
  nulls_.clear();
  fixed_.clear();
  bytes_.clear();
  offsets_.clear();
  if (type_.Physical() == PhysicalType::kString) {
    offsets_.push_back(0);
  }
}

Chunk::Chunk(const std::vector<DataType>& types) {
  columns_.reserve(types.size());
  for (const DataType& type : types) {
    columns_.emplace_back(type);
  }
}

void Chunk::AddColumn(Column column) {
  columns_.push_back(std::move(column));
}

void Chunk::AppendRow(const std::vector<Value>& row, Op op) {
  FRESHET_CHECK(row.size() == columns_.size(), "row width differs from chunk width");
  for (size_t i = 0; i < row.size(); ++i) {
    columns_[i].AppendValue(row[i]);
  }
  ops_.push_back(op);
}

void Chunk::AppendRowFrom(const Chunk& other, size_t row) {
  for (size_t i = 0; i < columns_.size(); ++i) {
    columns_[i].AppendFrom(other.columns_[i], row);
  }
  ops_.push_back(other.ops_[row]);
}

void Chunk::SetNumRows(size_t rows, Op op) {
  ops_.assign(rows, op);
}

Chunk Chunk::Select(const std::vector<uint8_t>& selected) const {
  // The selected row numbers first, then each column gathered by them in one pass.
  std::vector<uint32_t> rows;
  rows.reserve(NumRows());
  for (size_t row = 0; row < NumRows(); ++row) {
    if (selected[row] != 0) {
      rows.push_back(static_cast<uint32_t>(row));
    }
  }
  Chunk result;
  result.columns_.reserve(columns_.size());
  for (const Column& column : columns_) {
    Column& out = result.columns_.emplace_back(column.Type());
    const PhysicalType physical = column.Type().Physical();
    if (physical == PhysicalType::kString) {
      out.Reserve(rows.size());
      for (uint32_t row : rows) {
        out.AppendFrom(column, row);
      }
      continue;
    }
    const size_t width = PhysicalWidth(physical);
    out.ResizeFixed(rows.size());
    const uint8_t* in_nulls = column.Nulls();
    uint8_t* out_nulls = out.MutableNulls();
    const auto* in_data = column.Data<uint8_t>();
    auto* out_data = out.MutableData<uint8_t>();
    for (size_t i = 0; i < rows.size(); ++i) {
      out_nulls[i] = in_nulls[rows[i]];
    }
    switch (width) {
      case 1:
        GatherFixed<1>(in_data, rows, out_data);
        break;
      case 2:
        GatherFixed<2>(in_data, rows, out_data);
        break;
      case 4:
        GatherFixed<4>(in_data, rows, out_data);
        break;
      case 8:
        GatherFixed<8>(in_data, rows, out_data);
        break;
      case 16:
        GatherFixed<16>(in_data, rows, out_data);
        break;
      default:
        for (size_t i = 0; i < rows.size(); ++i) {
          std::memcpy(out_data + i * width, in_data + size_t{rows[i]} * width, width);
        }
        break;
    }
  }
  result.ops_.reserve(rows.size());
  for (uint32_t row : rows) {
    result.ops_.push_back(ops_[row]);
  }
  return result;
}

size_t Chunk::MemoryUsage() const {
  size_t bytes = ops_.capacity();
  for (const Column& column : columns_) {
    bytes += column.MemoryUsage();
  }
  return bytes;
}

}  // namespace freshet
