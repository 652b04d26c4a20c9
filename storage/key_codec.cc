// SPDX-License-Identifier: Apache-2.0
#include "storage/key_codec.h"

#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

#include <fmt/format.h>

#include "common/numeric.h"

namespace freshet::storage {
namespace {

// Non-NULL sorts before NULL; inverted for descending columns, which puts NULLs first there.
constexpr uint8_t kNotNullMarker = 0x01;
constexpr uint8_t kNullMarker = 0x02;
// Strings: an embedded 0x00 becomes 0x00 kEscapedZero and the value ends with 0x00 kTerminator.
// kTerminator is below kEscapedZero, so a string sorts before every longer string it is a prefix
// of.
constexpr uint8_t kTerminator = 0x01;
constexpr uint8_t kEscapedZero = 0xFF;

constexpr int64_t kMicrosPerDay = int64_t{86400} * 1000 * 1000;
// Postgres compares intervals as if a month were 30 days (interval_cmp_value).
constexpr int64_t kDaysPerMonth = 30;

// std::make_unsigned does not know __int128 in strict ISO mode.
template <typename Signed>
struct UnsignedOf {
  using Type = std::make_unsigned_t<Signed>;
};
template <>
struct UnsignedOf<__int128> {
  using Type = unsigned __int128;
};

template <typename Unsigned>
void AppendBigEndian(Unsigned value, std::string& out) {
  char bytes[sizeof(Unsigned)];
  for (size_t i = 0; i < sizeof(Unsigned); ++i) {
    bytes[sizeof(Unsigned) - 1 - i] = static_cast<char>(static_cast<uint8_t>(value));
    value = static_cast<Unsigned>(value >> 8);
  }
  out.append(bytes, sizeof(Unsigned));
}

template <typename Unsigned>
Unsigned LoadBigEndian(const char* bytes) {
  Unsigned value = 0;
  for (size_t i = 0; i < sizeof(Unsigned); ++i) {
    value = static_cast<Unsigned>(value << 8) | static_cast<uint8_t>(bytes[i]);
  }
  return value;
}

template <typename Signed>
void AppendSigned(Signed value, std::string& out) {
  using Unsigned = typename UnsignedOf<Signed>::Type;
  // Flipping the sign bit maps two's complement order onto unsigned order.
  constexpr Unsigned kSignBit = Unsigned{1} << (sizeof(Unsigned) * 8 - 1);
  AppendBigEndian<Unsigned>(static_cast<Unsigned>(value) ^ kSignBit, out);
}

template <typename Signed>
Signed LoadSigned(const char* bytes) {
  using Unsigned = typename UnsignedOf<Signed>::Type;
  constexpr Unsigned kSignBit = Unsigned{1} << (sizeof(Unsigned) * 8 - 1);
  return static_cast<Signed>(LoadBigEndian<Unsigned>(bytes) ^ kSignBit);
}

template <typename Float, typename Unsigned>
void AppendFloat(Float value, std::string& out) {
  constexpr Unsigned kSignBit = Unsigned{1} << (sizeof(Unsigned) * 8 - 1);
  if (std::isnan(value)) {
    // One positive NaN for all NaNs: Postgres treats NaNs as equal and greater than +Infinity.
    value = std::numeric_limits<Float>::quiet_NaN();
  } else if (value == 0) {
    value = 0;  // -0 == 0 in SQL, so both must produce one key.
  }
  Unsigned bits = std::bit_cast<Unsigned>(value);
  bits = (bits & kSignBit) != 0 ? ~bits : bits ^ kSignBit;
  AppendBigEndian<Unsigned>(bits, out);
}

template <typename Float, typename Unsigned>
Float LoadFloat(const char* bytes) {
  constexpr Unsigned kSignBit = Unsigned{1} << (sizeof(Unsigned) * 8 - 1);
  Unsigned bits = LoadBigEndian<Unsigned>(bytes);
  bits = (bits & kSignBit) != 0 ? bits ^ kSignBit : ~bits;
  return std::bit_cast<Float>(bits);
}

void AppendInterval(const Interval& value, std::string& out) {
  const __int128 span = static_cast<__int128>(value.months) * kDaysPerMonth * kMicrosPerDay +
                        static_cast<__int128>(value.days) * kMicrosPerDay + value.micros;
  AppendSigned<__int128>(span, out);
  // Intervals of equal span ('1 mon' and '30 days') stay distinct keys, so the stored value decodes
  // exactly.
  AppendSigned<int32_t>(value.months, out);
  AppendSigned<int32_t>(value.days, out);
}

// NUMERIC: the packed value carries its display scale (1.0 and 1.00 differ), so it is encoded as a
// decimal float that orders by value, then the scale byte, which keeps equal values adjacent and
// lets the key decode exactly. 20 bytes: a class (0 -Infinity, 1 negative, 2 zero, 3 positive,
// 4 Infinity, 5 NaN, which Postgres sorts above everything), the decimal exponent E (value =
// 0.d1d2... * 10^E) plus kNumericExponentBias as 2 bytes, the digits left-aligned to
// kNumericMantissaDigits as 16 bytes, and the scale; exponent and digits are inverted for negatives
// so that larger magnitudes sort first.
constexpr size_t kNumericKeyWidth = 20;
constexpr int32_t kNumericExponentBias = 512;
constexpr int32_t kNumericMantissaDigits = numeric::kMaxDigits;
constexpr uint8_t kNumericNegativeInfinity = 0;
constexpr uint8_t kNumericNegative = 1;
constexpr uint8_t kNumericZero = 2;
constexpr uint8_t kNumericPositive = 3;
constexpr uint8_t kNumericPositiveInfinity = 4;
constexpr uint8_t kNumericNaN = 5;

unsigned __int128 PowerOfTen(int32_t exponent) {
  unsigned __int128 power = 1;
  for (int32_t i = 0; i < exponent; ++i) {
    power *= 10;
  }
  return power;
}

int32_t DecimalDigits(unsigned __int128 value) {
  int32_t digits = 0;
  for (; value != 0; value /= 10) {
    ++digits;
  }
  return digits;
}

void AppendNumeric(__int128 packed, std::string& out) {
  if (numeric::IsSpecial(packed)) {
    out.push_back(static_cast<char>(numeric::IsNaN(packed) ? kNumericNaN
                                    : packed == numeric::kNegativeInfinity
                                        ? kNumericNegativeInfinity
                                        : kNumericPositiveInfinity));
    out.append(19, '\0');
    return;
  }
  const numeric::Decimal value = numeric::Unpack(packed);
  if (value.unscaled == 0) {
    out.push_back(static_cast<char>(kNumericZero));
    out.append(18, '\0');
    out.push_back(static_cast<char>(value.scale));
    return;
  }
  const bool negative = value.unscaled < 0;
  unsigned __int128 digits = negative ? static_cast<unsigned __int128>(-value.unscaled)
                                      : static_cast<unsigned __int128>(value.unscaled);
  const int32_t exponent = DecimalDigits(digits) - value.scale;
  digits *= PowerOfTen(kNumericMantissaDigits - DecimalDigits(digits));
  auto biased = static_cast<uint16_t>(exponent + kNumericExponentBias);
  if (negative) {
    biased = static_cast<uint16_t>(~biased);
    digits = ~digits;
  }
  out.push_back(static_cast<char>(negative ? kNumericNegative : kNumericPositive));
  AppendBigEndian<uint16_t>(biased, out);
  AppendBigEndian<unsigned __int128>(digits, out);
  out.push_back(static_cast<char>(value.scale));
}

Result<__int128> LoadNumeric(const char* bytes) {
  const auto sign_class = static_cast<uint8_t>(bytes[0]);
  const auto scale = static_cast<uint8_t>(bytes[19]);
  if (sign_class == kNumericZero) {
    return numeric::Pack(0, scale);
  }
  if (sign_class == kNumericNegativeInfinity) {
    return numeric::kNegativeInfinity;
  }
  if (sign_class == kNumericPositiveInfinity) {
    return numeric::kPositiveInfinity;
  }
  if (sign_class == kNumericNaN) {
    return numeric::kNaN;
  }
  if (sign_class != kNumericNegative && sign_class != kNumericPositive) {
    return Error(SqlState::kDataCorrupted,
                 fmt::format("corrupted key: invalid numeric sign 0x{:02x}", sign_class));
  }
  const bool negative = sign_class == kNumericNegative;
  auto biased = LoadBigEndian<uint16_t>(bytes + 1);
  auto digits = LoadBigEndian<unsigned __int128>(bytes + 3);
  if (negative) {
    biased = static_cast<uint16_t>(~biased);
    digits = ~digits;
  }
  // unscaled = digits * 10^(exponent - kNumericMantissaDigits + scale), exactly.
  const int32_t shift = static_cast<int32_t>(biased) - kNumericExponentBias -
                        kNumericMantissaDigits + static_cast<int32_t>(scale);
  if (shift > 0 || shift < -kNumericMantissaDigits ||
      digits >= PowerOfTen(kNumericMantissaDigits) || digits % PowerOfTen(-shift) != 0) {
    return Error(SqlState::kDataCorrupted, "corrupted key: invalid numeric");
  }
  const auto unscaled = static_cast<__int128>(digits / PowerOfTen(-shift));
  return numeric::Pack(negative ? -unscaled : unscaled, scale);
}

void AppendEscapedString(std::string_view value, std::string& out) {
  size_t start = 0;
  for (size_t i = 0; i < value.size(); ++i) {
    if (value[i] == '\0') {
      out.append(value.data() + start, i - start + 1);
      out.push_back(static_cast<char>(kEscapedZero));
      start = i + 1;
    }
  }
  out.append(value.data() + start, value.size() - start);
  out.push_back('\0');
  out.push_back(static_cast<char>(kTerminator));
}

void InvertFrom(size_t start, std::string& out) {
  for (size_t i = start; i < out.size(); ++i) {
    out[i] = static_cast<char>(~static_cast<uint8_t>(out[i]));
  }
}

Error Corrupted(std::string_view what) {
  return Error(SqlState::kDataCorrupted, fmt::format("corrupted key: {}", what));
}

// The payload of a fixed-width value, read off the front of `in` with descending inversion undone.
struct FixedBytes {
  char bytes[24];
};

Status TakeFixed(std::string_view& in, size_t width, bool descending, FixedBytes& fixed) {
  if (in.size() < width) {
    return Corrupted(
        fmt::format("{} bytes left where a {}-byte value was expected", in.size(), width));
  }
  std::memcpy(fixed.bytes, in.data(), width);
  if (descending) {
    for (size_t i = 0; i < width; ++i) {
      fixed.bytes[i] = static_cast<char>(~static_cast<uint8_t>(fixed.bytes[i]));
    }
  }
  in.remove_prefix(width);
  return Status::Ok();
}

// Reads the NULL marker; sets `is_null`.
Status TakeMarker(std::string_view& in, bool descending, bool& is_null) {
  if (in.empty()) {
    return Corrupted("missing value");
  }
  uint8_t marker = static_cast<uint8_t>(in.front());
  if (descending) {
    marker = static_cast<uint8_t>(~marker);
  }
  if (marker != kNotNullMarker && marker != kNullMarker) {
    return Corrupted(fmt::format("invalid null marker 0x{:02x}", marker));
  }
  is_null = marker == kNullMarker;
  in.remove_prefix(1);
  return Status::Ok();
}

// Unescapes a string payload from the front of `in` into `scratch` (or points `value` straight into
// `in` when no byte needs changing) and advances `in` past the terminator.
Status TakeString(std::string_view& in,
                  bool descending,
                  std::string& scratch,
                  std::string_view& value) {
  const uint8_t flip = descending ? 0xFF : 0x00;
  size_t i = 0;
  bool copied = descending;
  scratch.clear();
  for (;;) {
    if (i >= in.size()) {
      return Corrupted("unterminated string");
    }
    const uint8_t byte = static_cast<uint8_t>(in[i]) ^ flip;
    if (byte != 0) {
      if (copied) {
        scratch.push_back(static_cast<char>(byte));
      }
      ++i;
      continue;
    }
    if (i + 1 >= in.size()) {
      return Corrupted("unterminated string");
    }
    const uint8_t next = static_cast<uint8_t>(in[i + 1]) ^ flip;
    if (next == kTerminator) {
      value = copied ? std::string_view(scratch) : in.substr(0, i);
      in.remove_prefix(i + 2);
      return Status::Ok();
    }
    if (next != kEscapedZero) {
      return Corrupted(fmt::format("invalid escape 0x00 0x{:02x} in string", next));
    }
    if (!copied) {
      scratch.assign(in.data(), i);
      copied = true;
    }
    scratch.push_back('\0');
    i += 2;
  }
}

size_t FixedKeyWidth(PhysicalType type) {
  switch (type) {
    case PhysicalType::kBool:
      return 1;
    case PhysicalType::kInt16:
      return 2;
    case PhysicalType::kInt32:
    case PhysicalType::kFloat32:
      return 4;
    case PhysicalType::kInt64:
    case PhysicalType::kFloat64:
      return 8;
    case PhysicalType::kInt128:
      return kNumericKeyWidth;
    case PhysicalType::kInterval:
      return 24;
    case PhysicalType::kString:
      return 0;
  }
  return 0;
}

Result<Interval> LoadInterval(const char* bytes) {
  const __int128 span = LoadSigned<__int128>(bytes);
  Interval value;
  value.months = LoadSigned<int32_t>(bytes + 16);
  value.days = LoadSigned<int32_t>(bytes + 20);
  const __int128 micros = span -
                          static_cast<__int128>(value.months) * kDaysPerMonth * kMicrosPerDay -
                          static_cast<__int128>(value.days) * kMicrosPerDay;
  if (micros < std::numeric_limits<int64_t>::min() ||
      micros > std::numeric_limits<int64_t>::max()) {
    return Corrupted("interval microseconds out of range");
  }
  value.micros = static_cast<int64_t>(micros);
  return value;
}

// Appends the payload of one non-NULL fixed-width value, read from `bytes`, to `out`.
Status AppendFixedTo(PhysicalType type, const char* bytes, Column& out) {
  switch (type) {
    case PhysicalType::kBool: {
      const uint8_t byte = static_cast<uint8_t>(bytes[0]);
      if (byte > 1) {
        return Corrupted(fmt::format("invalid boolean 0x{:02x}", byte));
      }
      out.Append<uint8_t>(byte);
      return Status::Ok();
    }
    case PhysicalType::kInt16:
      out.Append<int16_t>(LoadSigned<int16_t>(bytes));
      return Status::Ok();
    case PhysicalType::kInt32:
      out.Append<int32_t>(LoadSigned<int32_t>(bytes));
      return Status::Ok();
    case PhysicalType::kInt64:
      out.Append<int64_t>(LoadSigned<int64_t>(bytes));
      return Status::Ok();
    case PhysicalType::kFloat32:
      out.Append<float>(LoadFloat<float, uint32_t>(bytes));
      return Status::Ok();
    case PhysicalType::kFloat64:
      out.Append<double>(LoadFloat<double, uint64_t>(bytes));
      return Status::Ok();
    case PhysicalType::kInt128: {
      Result<__int128> value = LoadNumeric(bytes);
      if (!value.ok()) {
        return value.error();
      }
      out.Append<__int128>(value.value());
      return Status::Ok();
    }
    case PhysicalType::kInterval: {
      Result<Interval> interval = LoadInterval(bytes);
      if (!interval.ok()) {
        return interval.error();
      }
      out.Append<Interval>(interval.value());
      return Status::Ok();
    }
    case PhysicalType::kString:
      break;
  }
  return Error::Internal("AppendFixedTo on a string type");
}

// The scratch buffer for unescaping strings; reused so decoding a key allocates nothing in steady
// state.
std::string& StringScratch() {
  thread_local std::string scratch;
  return scratch;
}

}  // namespace

std::string TablePrefix(uint32_t table_id) {
  std::string prefix;
  prefix.reserve(kTablePrefixSize);
  AppendTablePrefix(table_id, prefix);
  return prefix;
}

void AppendTablePrefix(uint32_t table_id, std::string& out) {
  out.push_back(static_cast<char>(Keyspace::kTable));
  AppendBigEndian<uint32_t>(table_id, out);
}

std::string OperatorStatePrefix(uint32_t view_id, uint16_t operator_id, uint16_t shard) {
  std::string prefix = ViewStatePrefix(view_id);
  prefix.push_back(static_cast<char>(operator_id >> 8));
  prefix.push_back(static_cast<char>(operator_id & 0xFF));
  prefix.push_back(static_cast<char>(shard >> 8));
  prefix.push_back(static_cast<char>(shard & 0xFF));
  return prefix;
}

std::string ViewStatePrefix(uint32_t view_id) {
  std::string prefix(1, static_cast<char>(Keyspace::kOperatorState));
  AppendUint32(view_id, prefix);
  return prefix;
}

std::string SystemKey(std::string_view name) {
  std::string key;
  key.reserve(1 + name.size());
  key.push_back(static_cast<char>(Keyspace::kSystem));
  key.append(name);
  return key;
}

std::string PrefixUpperBound(std::string_view prefix) {
  std::string bound(prefix);
  while (!bound.empty()) {
    const uint8_t last = static_cast<uint8_t>(bound.back());
    if (last != 0xFF) {
      bound.back() = static_cast<char>(last + 1);
      return bound;
    }
    // Every key starting with ...0xFF is below the successor of the shorter prefix.
    bound.pop_back();
  }
  return bound;
}

void AppendUint64(uint64_t value, std::string& out) {
  AppendBigEndian<uint64_t>(value, out);
}

void AppendUint32(uint32_t value, std::string& out) {
  AppendBigEndian<uint32_t>(value, out);
}

Result<uint64_t> ReadUint64(std::string_view& in) {
  if (in.size() < 8) {
    return Corrupted("truncated 8-byte integer");
  }
  const uint64_t value = LoadBigEndian<uint64_t>(in.data());
  in.remove_prefix(8);
  return value;
}

Result<uint32_t> ReadUint32(std::string_view& in) {
  if (in.size() < 4) {
    return Corrupted("truncated 4-byte integer");
  }
  const uint32_t value = LoadBigEndian<uint32_t>(in.data());
  in.remove_prefix(4);
  return value;
}

void EncodeKeyValue(const Column& column, size_t row, bool descending, std::string& out) {
  const size_t start = out.size();
  if (column.IsNull(row)) {
    out.push_back(static_cast<char>(kNullMarker));
  } else {
    out.push_back(static_cast<char>(kNotNullMarker));
    switch (column.Type().Physical()) {
      case PhysicalType::kBool:
        out.push_back(column.Data<uint8_t>()[row] != 0 ? 1 : 0);
        break;
      case PhysicalType::kInt16:
        AppendSigned<int16_t>(column.Data<int16_t>()[row], out);
        break;
      case PhysicalType::kInt32:
        AppendSigned<int32_t>(column.Data<int32_t>()[row], out);
        break;
      case PhysicalType::kInt64:
        AppendSigned<int64_t>(column.Data<int64_t>()[row], out);
        break;
      case PhysicalType::kFloat32:
        AppendFloat<float, uint32_t>(column.Data<float>()[row], out);
        break;
      case PhysicalType::kFloat64:
        AppendFloat<double, uint64_t>(column.Data<double>()[row], out);
        break;
      case PhysicalType::kInt128:
        AppendNumeric(column.Data<__int128>()[row], out);
        break;
      case PhysicalType::kInterval:
        AppendInterval(column.Data<Interval>()[row], out);
        break;
      case PhysicalType::kString:
        AppendEscapedString(column.GetString(row), out);
        break;
    }
  }
  if (descending) {
    InvertFrom(start, out);
  }
}

void EncodeKeyValue(const Value& value, bool descending, std::string& out) {
  const size_t start = out.size();
  if (value.IsNull()) {
    out.push_back(static_cast<char>(kNullMarker));
  } else {
    out.push_back(static_cast<char>(kNotNullMarker));
    switch (value.Type().Physical()) {
      case PhysicalType::kBool:
        out.push_back(value.GetBool() ? 1 : 0);
        break;
      case PhysicalType::kInt16:
        AppendSigned<int16_t>(static_cast<int16_t>(value.GetInt()), out);
        break;
      case PhysicalType::kInt32:
        AppendSigned<int32_t>(static_cast<int32_t>(value.GetInt()), out);
        break;
      case PhysicalType::kInt64:
        AppendSigned<int64_t>(value.GetInt(), out);
        break;
      case PhysicalType::kFloat32:
        AppendFloat<float, uint32_t>(static_cast<float>(value.GetDouble()), out);
        break;
      case PhysicalType::kFloat64:
        AppendFloat<double, uint64_t>(value.GetDouble(), out);
        break;
      case PhysicalType::kInt128:
        AppendNumeric(value.GetInt128(), out);
        break;
      case PhysicalType::kInterval:
        AppendInterval(value.GetInterval(), out);
        break;
      case PhysicalType::kString:
        AppendEscapedString(value.GetString(), out);
        break;
    }
  }
  if (descending) {
    InvertFrom(start, out);
  }
}

void EncodeKeyColumn(const Column& column, bool descending, std::vector<std::string>& keys) {
  const size_t rows = column.Size();
  for (size_t row = 0; row < rows; ++row) {
    EncodeKeyValue(column, row, descending, keys[row]);
  }
}

void EncodeKey(const Chunk& chunk,
               size_t row,
               const std::vector<KeyColumn>& key_columns,
               std::string& out) {
  for (const KeyColumn& key_column : key_columns) {
    EncodeKeyValue(chunk.GetColumn(key_column.column_index), row, key_column.descending, out);
  }
}

Result<Value> DecodeKeyValue(std::string_view& in, DataType type, bool descending) {
  bool is_null = false;
  FRESHET_RETURN_IF_ERROR(TakeMarker(in, descending, is_null));
  if (is_null) {
    return Value::Null(type);
  }
  const PhysicalType physical = type.Physical();
  if (physical == PhysicalType::kString) {
    std::string_view bytes;
    FRESHET_RETURN_IF_ERROR(TakeString(in, descending, StringScratch(), bytes));
    return Value::String(type, std::string(bytes));
  }
  FixedBytes fixed;
  FRESHET_RETURN_IF_ERROR(TakeFixed(in, FixedKeyWidth(physical), descending, fixed));
  switch (physical) {
    case PhysicalType::kBool: {
      const uint8_t byte = static_cast<uint8_t>(fixed.bytes[0]);
      if (byte > 1) {
        return Corrupted(fmt::format("invalid boolean 0x{:02x}", byte));
      }
      return Value::Boolean(byte != 0);
    }
    case PhysicalType::kInt16:
      return Value::Int(type, LoadSigned<int16_t>(fixed.bytes));
    case PhysicalType::kInt32:
      return Value::Int(type, LoadSigned<int32_t>(fixed.bytes));
    case PhysicalType::kInt64:
      return Value::Int(type, LoadSigned<int64_t>(fixed.bytes));
    case PhysicalType::kFloat32:
      return Value::Float(type, LoadFloat<float, uint32_t>(fixed.bytes));
    case PhysicalType::kFloat64:
      return Value::Float(type, LoadFloat<double, uint64_t>(fixed.bytes));
    case PhysicalType::kInt128: {
      Result<__int128> value = LoadNumeric(fixed.bytes);
      if (!value.ok()) {
        return value.error();
      }
      return Value::Numeric(type, value.value());
    }
    case PhysicalType::kInterval: {
      Result<Interval> interval = LoadInterval(fixed.bytes);
      if (!interval.ok()) {
        return interval.error();
      }
      return Value::FromInterval(interval.value());
    }
    case PhysicalType::kString:
      break;
  }
  return Error::Internal("unreachable physical type in DecodeKeyValue");
}

Status DecodeKeyValueInto(std::string_view& in, bool descending, Column& out) {
  bool is_null = false;
  FRESHET_RETURN_IF_ERROR(TakeMarker(in, descending, is_null));
  if (is_null) {
    out.AppendNull();
    return Status::Ok();
  }
  const PhysicalType physical = out.Type().Physical();
  if (physical == PhysicalType::kString) {
    std::string_view bytes;
    FRESHET_RETURN_IF_ERROR(TakeString(in, descending, StringScratch(), bytes));
    out.AppendString(bytes);
    return Status::Ok();
  }
  FixedBytes fixed;
  FRESHET_RETURN_IF_ERROR(TakeFixed(in, FixedKeyWidth(physical), descending, fixed));
  return AppendFixedTo(physical, fixed.bytes, out);
}

}  // namespace freshet::storage
