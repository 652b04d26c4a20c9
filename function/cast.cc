// SPDX-License-Identifier: Apache-2.0
#include "function/cast.h"

#include <cmath>
#include <limits>
#include <string>

#include <fmt/format.h>

#include "common/calendar.h"
#include "common/error.h"
#include "common/numeric.h"
#include "common/text_format.h"
#include "common/time_zone.h"
#include "common/value.h"
#include "function/jsonb_functions.h"
#include "function/system_functions.h"

namespace freshet::function {
namespace {

constexpr int64_t kMicrosPerDay = 86'400'000'000LL;

bool IsStringType(TypeId type) {
  return type == TypeId::kText || type == TypeId::kVarchar || type == TypeId::kUnknown;
}

[[noreturn]] void ThrowOutOfRange(TypeId target) {
  switch (target) {
    case TypeId::kSmallint:
      throw Error(SqlState::kNumericValueOutOfRange, "smallint out of range");
    case TypeId::kInteger:
      throw Error(SqlState::kNumericValueOutOfRange, "integer out of range");
    case TypeId::kBigint:
      throw Error(SqlState::kNumericValueOutOfRange, "bigint out of range");
    default:
      throw Error(SqlState::kNumericValueOutOfRange, "value out of range: overflow");
  }
}

int64_t IntegerMin(TypeId type) {
  return type == TypeId::kSmallint  ? std::numeric_limits<int16_t>::min()
         : type == TypeId::kInteger ? std::numeric_limits<int32_t>::min()
                                    : std::numeric_limits<int64_t>::min();
}

int64_t IntegerMax(TypeId type) {
  return type == TypeId::kSmallint  ? std::numeric_limits<int16_t>::max()
         : type == TypeId::kInteger ? std::numeric_limits<int32_t>::max()
                                    : std::numeric_limits<int64_t>::max();
}

// A number read from any numeric column, exactly for integers and numerics.
struct Number {
  bool is_float = false;
  bool is_float4 = false;
  bool is_numeric = false;
  double float_value = 0;
  __int128 integer = 0;  // integers and booleans
  __int128 numeric = 0;  // packed, common/numeric.h
};

Number ReadNumber(const Column& in, size_t row) {
  Number number;
  switch (in.Type().Physical()) {
    case PhysicalType::kBool:
      number.integer = in.Data<uint8_t>()[row];
      break;
    case PhysicalType::kInt16:
      number.integer = in.Data<int16_t>()[row];
      break;
    case PhysicalType::kInt32:
      number.integer = in.Data<int32_t>()[row];
      break;
    case PhysicalType::kInt64:
      number.integer = in.Data<int64_t>()[row];
      break;
    case PhysicalType::kInt128:
      number.is_numeric = true;
      number.numeric = in.Data<__int128>()[row];
      break;
    case PhysicalType::kFloat32:
      number.is_float = true;
      number.is_float4 = true;
      number.float_value = in.Data<float>()[row];
      break;
    case PhysicalType::kFloat64:
      number.is_float = true;
      number.float_value = in.Data<double>()[row];
      break;
    default:
      throw Error::Internal("ReadNumber on a non-numeric column");
  }
  return number;
}

void AppendInteger(Column& out, int64_t value) {
  switch (out.Type().Physical()) {
    case PhysicalType::kInt16:
      out.Append<int16_t>(static_cast<int16_t>(value));
      return;
    case PhysicalType::kInt32:
      out.Append<int32_t>(static_cast<int32_t>(value));
      return;
    default:
      out.Append<int64_t>(value);
      return;
  }
}

void CastNumber(const Number& number, const DataType& target, Column& out) {
  switch (target.id) {
    case TypeId::kSmallint:
    case TypeId::kInteger:
    case TypeId::kBigint: {
      if (number.is_float) {
        // Postgres rounds half to even (rint) before the range check.
        const double rounded = std::nearbyint(number.float_value);
        if (!std::isfinite(rounded) || rounded < static_cast<double>(IntegerMin(target.id)) ||
            rounded >= -static_cast<double>(IntegerMin(target.id))) {
          ThrowOutOfRange(target.id);
        }
        AppendInteger(out, static_cast<int64_t>(rounded));
        return;
      }
      if (number.is_numeric) {
        if (numeric::IsSpecial(number.numeric)) {
          throw Error(SqlState::kFeatureNotSupported,
                      fmt::format("cannot convert {} to {}",
                                  numeric::IsNaN(number.numeric) ? "NaN" : "infinity",
                                  DataType(target.id).Name()));
        }
        // Postgres rounds a numeric half away from zero before the range check.
        int64_t value = 0;
        if (!numeric::ToInteger(number.numeric, IntegerMin(target.id), IntegerMax(target.id),
                                value)) {
          ThrowOutOfRange(target.id);
        }
        AppendInteger(out, value);
        return;
      }
      if (number.integer < IntegerMin(target.id) || number.integer > IntegerMax(target.id)) {
        ThrowOutOfRange(target.id);
      }
      AppendInteger(out, static_cast<int64_t>(number.integer));
      return;
    }
    case TypeId::kReal:
    case TypeId::kDouble: {
      if (number.is_numeric) {
        // numeric_float8 / numeric_float4 read the numeric's text: correctly rounded.
        if (target.id == TypeId::kReal) {
          out.Append<float>(numeric::ToFloat(number.numeric));
        } else {
          out.Append<double>(numeric::ToDouble(number.numeric));
        }
        return;
      }
      double value = number.is_float ? number.float_value : static_cast<double>(number.integer);
      if (target.id == TypeId::kReal) {
        if (std::isfinite(value) && std::fabs(value) > std::numeric_limits<float>::max()) {
          throw Error(SqlState::kNumericValueOutOfRange, "value out of range: overflow");
        }
        out.Append<float>(static_cast<float>(value));
      } else {
        out.Append<double>(value);
      }
      return;
    }
    case TypeId::kNumeric: {
      const __int128 value = number.is_float
                                 ? numeric::FromDouble(number.float_value, number.is_float4)
                             : number.is_numeric ? number.numeric
                                                 : numeric::FromInteger(number.integer);
      out.Append<__int128>(
          numeric::ApplyTypmod(value, target.NumericPrecision(), target.NumericScale()));
      return;
    }
    case TypeId::kBoolean:
      out.Append<uint8_t>(number.integer != 0 ? 1 : 0);
      return;
    default:
      throw Error::Internal("CastNumber to a non-numeric type");
  }
}

void AppendChecked(Column& out, std::string_view text, CastContext context) {
  const auto max_length = out.Type().MaxLength();
  if (!max_length) {
    out.AppendString(text);
    return;
  }
  // Find the byte length of the first max_length characters.
  size_t characters = 0;
  size_t cut = text.size();
  for (size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      if (characters == static_cast<size_t>(*max_length)) {
        cut = i;
        break;
      }
      ++characters;
    }
  }
  if (cut < text.size()) {
    // Postgres forgives trailing spaces beyond the limit even on assignment.
    const bool only_spaces = text.find_first_not_of(' ', cut) == std::string_view::npos;
    if (context != CastContext::kExplicit && !only_spaces) {
      throw Error(SqlState::kStringDataRightTruncation,
                  fmt::format("value too long for type character varying({})", *max_length));
    }
    text = text.substr(0, cut);
  }
  out.AppendString(text);
}

}  // namespace

int NumericRank(TypeId type) {
  switch (type) {
    case TypeId::kSmallint:
      return 0;
    case TypeId::kInteger:
      return 1;
    case TypeId::kBigint:
      return 2;
    case TypeId::kNumeric:
      return 3;
    case TypeId::kReal:
      return 4;
    case TypeId::kDouble:
      return 5;
    default:
      return -1;
  }
}

bool CanCast(TypeId from, TypeId to, CastContext context) {
  if (from == to || from == TypeId::kUnknown) {
    return true;
  }
  if (const std::optional<bool> allowed = CanCastObjectId(from, to, context)) {
    return *allowed;
  }
  const int from_rank = NumericRank(from);
  const int to_rank = NumericRank(to);
  if (from_rank >= 0 && to_rank >= 0) {
    // Widening is implicit; narrowing (and float to numeric) needs an assignment.
    return to_rank > from_rank || context != CastContext::kImplicit;
  }
  if (from == TypeId::kJsonb && CanCastJsonbTo(to)) {
    return context == CastContext::kExplicit;
  }
  if ((from == TypeId::kInteger && to == TypeId::kBoolean) ||
      (from == TypeId::kBoolean && to == TypeId::kInteger)) {
    return context == CastContext::kExplicit;
  }
  if (IsStringType(from) && IsStringType(to)) {
    return true;
  }
  if (IsStringType(to)) {
    // Every type has an I/O conversion to text, allowed on assignment.
    return context != CastContext::kImplicit;
  }
  if (IsStringType(from)) {
    return context == CastContext::kExplicit;
  }
  switch (from) {
    case TypeId::kDate:
      return to == TypeId::kTimestamp || to == TypeId::kTimestamptz;
    case TypeId::kTimestamp:
      return to == TypeId::kTimestamptz ||
             ((to == TypeId::kDate || to == TypeId::kTime) && context != CastContext::kImplicit);
    case TypeId::kTimestamptz:
      return (to == TypeId::kTimestamp || to == TypeId::kDate || to == TypeId::kTime) &&
             context != CastContext::kImplicit;
    case TypeId::kTime:
      return to == TypeId::kInterval;
    case TypeId::kInterval:
      return to == TypeId::kTime && context != CastContext::kImplicit;
    default:
      return false;
  }
}

void CastColumn(const Column& in,
                const DataType& target,
                CastContext context,
                Column& out,
                const EvaluationContext& evaluation) {
  const TimeZone& zone = evaluation.time_zone != nullptr ? *evaluation.time_zone : TimeZone::Utc();
  const size_t rows = in.Size();
  const TypeId from = in.Type().id;
  if (CastObjectIdColumn(in, target, out, evaluation)) {
    return;
  }
  if (from == TypeId::kJsonb && CanCastJsonbTo(target.id)) {
    CastJsonbColumn(in, target, out);
    return;
  }
  out.Reserve(rows);
  std::string buffer;
  for (size_t row = 0; row < rows; ++row) {
    if (in.IsNull(row)) {
      out.AppendNull();
      continue;
    }
    if (IsStringType(target.id)) {
      if (in.Type().Physical() == PhysicalType::kString) {
        AppendChecked(out, in.GetString(row), context);
        continue;
      }
      buffer.clear();
      if (from == TypeId::kBoolean) {
        buffer = in.Data<uint8_t>()[row] != 0 ? "true" : "false";
      } else {
        in.AppendText(row, buffer, evaluation.time_zone, evaluation.extra_float_digits);
      }
      AppendChecked(out, buffer, context);
      continue;
    }
    if (in.Type().Physical() == PhysicalType::kString) {
      out.AppendValue(Value::FromText(in.GetString(row), target, evaluation.time_zone));
      continue;
    }
    if ((NumericRank(from) >= 0 || from == TypeId::kBoolean) &&
        (NumericRank(target.id) >= 0 || target.id == TypeId::kBoolean)) {
      CastNumber(ReadNumber(in, row), target, out);
      continue;
    }
    if (from == target.id) {
      out.AppendFrom(in, row);
      continue;
    }
    // Date and time conversions; 'infinity' and '-infinity' stay infinite (and have no time of
    // day).
    if (from == TypeId::kDate && !calendar::IsFiniteDate(in.Data<int32_t>()[row])) {
      out.Append<int64_t>(in.Data<int32_t>()[row] > 0 ? calendar::kTimestampInfinity
                                                      : calendar::kTimestampMinusInfinity);
      continue;
    }
    if ((from == TypeId::kTimestamp || from == TypeId::kTimestamptz) &&
        !calendar::IsFiniteTimestamp(in.Data<int64_t>()[row])) {
      const bool positive = in.Data<int64_t>()[row] > 0;
      if (target.id == TypeId::kDate) {
        out.Append<int32_t>(positive ? calendar::kDateInfinity : calendar::kDateMinusInfinity);
      } else if (target.id == TypeId::kTime) {
        out.AppendNull();
      } else {
        out.AppendFrom(in, row);
      }
      continue;
    }
    if (from == TypeId::kDate) {
      const int64_t days = in.Data<int32_t>()[row];
      if (days >= std::numeric_limits<int64_t>::max() / kMicrosPerDay) {
        throw Error(SqlState::kDatetimeFieldOverflow, "date out of range for timestamp");
      }
      const int64_t local = days * kMicrosPerDay;
      out.Append<int64_t>(target.id == TypeId::kTimestamptz ? zone.LocalToUtc(local) : local);
      continue;
    }
    if (from == TypeId::kTimestamp && target.id == TypeId::kTimestamptz) {
      out.Append<int64_t>(zone.LocalToUtc(in.Data<int64_t>()[row]));
      continue;
    }
    if (from == TypeId::kTimestamp || from == TypeId::kTimestamptz) {
      // A TIMESTAMPTZ becomes the wall-clock time of the session's zone.
      const int64_t micros = from == TypeId::kTimestamptz ? zone.UtcToLocal(in.Data<int64_t>()[row])
                                                          : in.Data<int64_t>()[row];
      const int64_t days =
          micros >= 0 ? micros / kMicrosPerDay : (micros - kMicrosPerDay + 1) / kMicrosPerDay;
      if (target.id == TypeId::kDate) {
        out.Append<int32_t>(static_cast<int32_t>(days));
      } else if (target.id == TypeId::kTime) {
        out.Append<int64_t>(micros - days * kMicrosPerDay);
      } else {
        out.Append<int64_t>(micros);
      }
      continue;
    }
    if (from == TypeId::kTime && target.id == TypeId::kInterval) {
      out.Append<Interval>(Interval{0, 0, in.Data<int64_t>()[row]});
      continue;
    }
    if (from == TypeId::kInterval && target.id == TypeId::kTime) {
      const int64_t micros = in.Data<Interval>()[row].micros % kMicrosPerDay;
      out.Append<int64_t>(micros < 0 ? micros + kMicrosPerDay : micros);
      continue;
    }
    throw Error(SqlState::kCannotCoerce,
                fmt::format("cannot cast type {} to {}", in.Type().Name(), target.Name()));
  }
}

}  // namespace freshet::function
