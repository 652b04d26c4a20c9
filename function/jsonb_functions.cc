// SPDX-License-Identifier: Apache-2.0
// The jsonb operators and functions of PostgreSQL 15 (functions-json.html): field and element
// access, paths, equality, containment, key existence, jsonb_typeof, jsonb_array_length, to_jsonb
// and the casts from jsonb. Values are canonical jsonb text (common/jsonb.h), so every accessor
// returns a view into its input and no kernel builds a tree.
#include "function/jsonb_functions.h"

#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "common/error.h"
#include "common/jsonb.h"
#include "common/text_format.h"
#include "common/value.h"
#include "function/internal/kernel_loops.h"
#include "function/scalar_function.h"
#include "function/text_array.h"

namespace freshet::function {
namespace {

using internal::BinaryStringToFixed;

// out[i] = the jsonb sub-value `access` finds in row i, or NULL. `as_text` gives `->>`: strings
// unescaped and the JSON null as SQL NULL.
template <typename Access>
void AccessJsonb(std::span<const Column* const> arguments,
                 size_t rows,
                 bool as_text,
                 Column& out,
                 Access access) {
  const Column& document = *arguments[0];
  const Column& key = *arguments[1];
  out.Reserve(rows);
  std::string buffer;
  for (size_t i = 0; i < rows; ++i) {
    if (document.IsNull(i) || key.IsNull(i)) {
      out.AppendNull();
      continue;
    }
    const std::optional<std::string_view> found = access(document.GetString(i), key, i);
    if (!found || (as_text && JsonbKindOf(*found) == JsonbKind::kNull)) {
      out.AppendNull();
      continue;
    }
    if (!as_text) {
      out.AppendString(*found);
      continue;
    }
    buffer.clear();
    AppendJsonbAsText(buffer, *found);
    out.AppendString(buffer);
  }
}

template <bool kAsText>
void FieldByKey(const EvaluationContext& context,
                std::span<const Column* const> arguments,
                size_t rows,
                Column& out) {
  AccessJsonb(arguments, rows, kAsText, out,
              [](std::string_view jsonb, const Column& key, size_t i) {
                return JsonbObjectField(jsonb, key.GetString(i));
              });
}

template <bool kAsText>
void ElementByIndex(const EvaluationContext& context,
                    std::span<const Column* const> arguments,
                    size_t rows,
                    Column& out) {
  AccessJsonb(
      arguments, rows, kAsText, out, [](std::string_view jsonb, const Column& index, size_t i) {
        const int32_t position = index.Data<int32_t>()[i];
        // A top-level scalar is stored as a one-element array in Postgres, and `->` sees it as one.
        if (JsonbKindOf(jsonb) != JsonbKind::kArray && JsonbKindOf(jsonb) != JsonbKind::kObject) {
          return position == 0 || position == -1 ? std::optional<std::string_view>(jsonb)
                                                 : std::nullopt;
        }
        return JsonbArrayElement(jsonb, position);
      });
}

// A text-array argument read once per distinct literal: paths are nearly always constants, so the
// common case parses once per chunk.
class CachedTextArray {
 public:
  /// The elements of `literal`, or nothing if one of them is NULL.
  const std::optional<std::vector<std::string_view>>& Get(std::string_view literal) {
    if (!parsed_ || literal != literal_) {
      literal_.assign(literal);
      elements_ = ParseTextArray(literal);
      views_.emplace();
      for (const auto& element : elements_) {
        if (!element) {
          views_.reset();
          break;
        }
        views_->push_back(*element);
      }
      parsed_ = true;
    }
    return views_;
  }

 private:
  bool parsed_ = false;
  std::string literal_;
  std::vector<std::optional<std::string>> elements_;
  std::optional<std::vector<std::string_view>> views_;
};

template <bool kAsText>
void ExtractPath(const EvaluationContext& context,
                 std::span<const Column* const> arguments,
                 size_t rows,
                 Column& out) {
  CachedTextArray path;
  AccessJsonb(arguments, rows, kAsText, out,
              [&](std::string_view jsonb, const Column& paths,
                  size_t i) -> std::optional<std::string_view> {
                // A NULL element in the path gives NULL, as a NULL operand of `->` would.
                const auto& steps = path.Get(paths.GetString(i));
                if (!steps) {
                  return std::nullopt;
                }
                return JsonbExtractPath(jsonb, *steps);
              });
}

// jsonb_extract_path(from_json, VARIADIC path_elems): the path as separate arguments.
template <bool kAsText>
void ExtractPathVariadic(const EvaluationContext& context,
                         std::span<const Column* const> arguments,
                         size_t rows,
                         Column& out) {
  out.Reserve(rows);
  std::vector<std::string_view> steps;
  std::string buffer;
  for (size_t i = 0; i < rows; ++i) {
    bool is_null = arguments[0]->IsNull(i);
    steps.clear();
    for (size_t a = 1; a < arguments.size() && !is_null; ++a) {
      is_null = arguments[a]->IsNull(i);
      if (!is_null) {
        steps.push_back(arguments[a]->GetString(i));
      }
    }
    const std::optional<std::string_view> found =
        is_null ? std::nullopt : JsonbExtractPath(arguments[0]->GetString(i), steps);
    if (!found || (kAsText && JsonbKindOf(*found) == JsonbKind::kNull)) {
      out.AppendNull();
      continue;
    }
    if (!kAsText) {
      out.AppendString(*found);
      continue;
    }
    buffer.clear();
    AppendJsonbAsText(buffer, *found);
    out.AppendString(buffer);
  }
}

template <bool kEqual>
void Equal(const EvaluationContext& context,
           std::span<const Column* const> arguments,
           size_t rows,
           Column& out) {
  BinaryStringToFixed<uint8_t>(arguments, rows, out, [](std::string_view a, std::string_view b) {
    return static_cast<uint8_t>(JsonbEqual(a, b) == kEqual);
  });
}

void Contains(const EvaluationContext& context,
              std::span<const Column* const> arguments,
              size_t rows,
              Column& out) {
  BinaryStringToFixed<uint8_t>(arguments, rows, out, [](std::string_view a, std::string_view b) {
    return static_cast<uint8_t>(JsonbContains(a, b));
  });
}

void ContainedBy(const EvaluationContext& context,
                 std::span<const Column* const> arguments,
                 size_t rows,
                 Column& out) {
  BinaryStringToFixed<uint8_t>(arguments, rows, out, [](std::string_view a, std::string_view b) {
    return static_cast<uint8_t>(JsonbContains(b, a));
  });
}

void KeyExists(const EvaluationContext& context,
               std::span<const Column* const> arguments,
               size_t rows,
               Column& out) {
  BinaryStringToFixed<uint8_t>(arguments, rows, out, [](std::string_view a, std::string_view b) {
    return static_cast<uint8_t>(JsonbKeyExists(a, b));
  });
}

// `?|` (any of the keys) and `?&` (all of them); NULL keys in the array are ignored.
template <bool kAll>
void KeysExist(const EvaluationContext& context,
               std::span<const Column* const> arguments,
               size_t rows,
               Column& out) {
  std::string last_literal;
  std::vector<std::optional<std::string>> keys;
  bool parsed = false;
  BinaryStringToFixed<uint8_t>(arguments, rows, out, [&](std::string_view a, std::string_view b) {
    if (!parsed || b != last_literal) {
      keys = ParseTextArray(b);
      last_literal.assign(b);
      parsed = true;
    }
    for (const auto& key : keys) {
      if (!key) {
        continue;
      }
      if (JsonbKeyExists(a, *key) != kAll) {
        return static_cast<uint8_t>(!kAll);
      }
    }
    return static_cast<uint8_t>(kAll);
  });
}

// A jsonb result per row from `produce(row, out)`, NULL when any argument is NULL.
template <typename Produce>
void JsonbPerRow(std::span<const Column* const> arguments,
                 size_t rows,
                 Column& out,
                 Produce produce) {
  out.Reserve(rows);
  std::string buffer;
  for (size_t i = 0; i < rows; ++i) {
    bool is_null = false;
    for (const Column* argument : arguments) {
      is_null = is_null || argument->IsNull(i);
    }
    if (is_null) {
      out.AppendNull();
      continue;
    }
    buffer.clear();
    produce(i, buffer);
    out.AppendString(buffer);
  }
}

void Concatenate(const EvaluationContext& context,
                 std::span<const Column* const> arguments,
                 size_t rows,
                 Column& out) {
  JsonbPerRow(arguments, rows, out, [&](size_t i, std::string& buffer) {
    AppendJsonbConcat(buffer, arguments[0]->GetString(i), arguments[1]->GetString(i));
  });
}

void DeleteKey(const EvaluationContext& context,
               std::span<const Column* const> arguments,
               size_t rows,
               Column& out) {
  JsonbPerRow(arguments, rows, out, [&](size_t i, std::string& buffer) {
    AppendJsonbWithoutKey(buffer, arguments[0]->GetString(i), arguments[1]->GetString(i));
  });
}

void DeleteElement(const EvaluationContext& context,
                   std::span<const Column* const> arguments,
                   size_t rows,
                   Column& out) {
  JsonbPerRow(arguments, rows, out, [&](size_t i, std::string& buffer) {
    AppendJsonbWithoutElement(buffer, arguments[0]->GetString(i), arguments[1]->Data<int32_t>()[i]);
  });
}

void Pretty(const EvaluationContext& context,
            std::span<const Column* const> arguments,
            size_t rows,
            Column& out) {
  JsonbPerRow(arguments, rows, out, [&](size_t i, std::string& buffer) {
    AppendJsonbPretty(buffer, arguments[0]->GetString(i));
  });
}

void StripNulls(const EvaluationContext& context,
                std::span<const Column* const> arguments,
                size_t rows,
                Column& out) {
  JsonbParser parser;
  JsonbPerRow(arguments, rows, out, [&](size_t i, std::string& buffer) {
    parser.ParseStrippingNulls(arguments[0]->GetString(i), buffer);
  });
}

void TypeOf(const EvaluationContext& context,
            std::span<const Column* const> arguments,
            size_t rows,
            Column& out) {
  const Column& input = *arguments[0];
  out.Reserve(rows);
  for (size_t i = 0; i < rows; ++i) {
    if (input.IsNull(i)) {
      out.AppendNull();
    } else {
      out.AppendString(JsonbKindName(JsonbKindOf(input.GetString(i))));
    }
  }
}

void ArrayLength(const EvaluationContext& context,
                 std::span<const Column* const> arguments,
                 size_t rows,
                 Column& out) {
  const Column& input = *arguments[0];
  out.Reserve(rows);
  for (size_t i = 0; i < rows; ++i) {
    if (input.IsNull(i)) {
      out.AppendNull();
      continue;
    }
    const std::string_view jsonb = input.GetString(i);
    const JsonbKind kind = JsonbKindOf(jsonb);
    if (kind == JsonbKind::kObject) {
      throw Error(SqlState::kInvalidParameterValue, "cannot get array length of a non-array");
    }
    if (kind != JsonbKind::kArray) {
      throw Error(SqlState::kInvalidParameterValue, "cannot get array length of a scalar");
    }
    out.Append<int32_t>(static_cast<int32_t>(JsonbContainerSize(jsonb)));
  }
}

// Appends row `row` of `input` (not NULL) as a JSON value, as to_jsonb and the json builders
// convert it: numbers stay numbers (NaN and the infinities, which JSON lacks, become strings),
// booleans true or false, jsonb as is, timestamps in ISO 8601 with a 'T', anything else its text
// as a string. `text` is scratch space.
void AppendJsonValue(const Column& input,
                     size_t row,
                     const EvaluationContext& context,
                     JsonbParser& parser,
                     std::string& text,
                     std::string& out) {
  const TypeId type = input.Type().id;
  if (type == TypeId::kJsonb) {
    out += input.GetString(row);
    return;
  }
  if (type == TypeId::kBoolean) {
    out += input.Data<uint8_t>()[row] != 0 ? "true" : "false";
    return;
  }
  text.clear();
  if (input.Type().Physical() == PhysicalType::kString) {
    text.assign(input.GetString(row));
  } else {
    input.AppendText(row, text, context.time_zone);
  }
  if (input.Type().IsNumeric()) {
    if (text == "NaN" || text == "Infinity" || text == "-Infinity") {
      AppendJsonString(out, text);
    } else {
      parser.Parse(text, out);
    }
    return;
  }
  if (type == TypeId::kTimestamp || type == TypeId::kTimestamptz) {
    if (const size_t space = text.find(' '); space != std::string::npos) {
      text[space] = 'T';
    }
    // A TIMESTAMPTZ offset is written in full: "+05" is "+05:00".
    const size_t sign = text.find_last_of("+-");
    if (type == TypeId::kTimestamptz && sign != std::string::npos && sign > 10 &&
        text.size() - sign == 3) {
      text += ":00";
    }
  }
  AppendJsonString(out, text);
}

// to_jsonb(x).
void ToJsonb(const EvaluationContext& context,
             std::span<const Column* const> arguments,
             size_t rows,
             Column& out) {
  const Column& input = *arguments[0];
  out.Reserve(rows);
  JsonbParser parser;
  std::string text;
  std::string buffer;
  for (size_t i = 0; i < rows; ++i) {
    if (input.IsNull(i)) {
      out.AppendNull();
      continue;
    }
    buffer.clear();
    AppendJsonValue(input, i, context, parser, text, buffer);
    out.AppendString(buffer);
  }
}

// json_build_object / jsonb_build_object (kObject) and json_build_array / jsonb_build_array over
// "any" arguments. The json flavours keep their arguments' order and print `"k" : v`, as json
// does; the jsonb ones are canonicalized like any jsonb.
template <bool kObject, bool kJsonb>
void Build(const EvaluationContext& context,
           std::span<const Column* const> arguments,
           size_t rows,
           Column& out) {
  constexpr std::string_view kFunction = kObject
                                             ? (kJsonb ? "jsonb_build_object" : "json_build_object")
                                             : (kJsonb ? "jsonb_build_array" : "json_build_array");
  if (kObject && arguments.size() % 2 != 0) {
    throw Error(SqlState::kInvalidParameterValue, "argument list must have even number of elements")
        .WithHint(fmt::format("The arguments of {}() must consist of alternating keys and values.",
                              kFunction));
  }
  out.Reserve(rows);
  JsonbParser parser;
  std::string text;
  std::string json;
  std::string canonical;
  for (size_t i = 0; i < rows; ++i) {
    json.clear();
    json += kObject ? '{' : '[';
    for (size_t a = 0; a < arguments.size(); ++a) {
      const Column& argument = *arguments[a];
      if (a > 0) {
        json += kObject && a % 2 == 1 ? " : " : ", ";
      }
      if (argument.IsNull(i)) {
        if (kObject && a % 2 == 0) {
          if (kJsonb) {
            throw Error(SqlState::kInvalidParameterValue,
                        fmt::format("argument {}: key must not be null", a + 1));
          }
          throw Error(SqlState::kInvalidParameterValue,
                      fmt::format("argument {} cannot be null", a + 1))
              .WithHint("Object keys should be text.");
        }
        json += "null";
        continue;
      }
      if (kObject && a % 2 == 0) {
        // A key is the text of its value, whatever its type.
        text.clear();
        if (argument.Type().Physical() == PhysicalType::kString) {
          text.assign(argument.GetString(i));
        } else if (argument.Type().id == TypeId::kBoolean) {
          text = argument.Data<uint8_t>()[i] != 0 ? "true" : "false";
        } else {
          argument.AppendText(i, text, context.time_zone);
        }
        AppendJsonString(json, text);
        continue;
      }
      AppendJsonValue(argument, i, context, parser, text, json);
    }
    json += kObject ? '}' : ']';
    if (kJsonb) {
      canonical.clear();
      parser.Parse(json, canonical);
      out.AppendString(canonical);
    } else {
      out.AppendString(json);
    }
  }
}

[[noreturn]] void ThrowCannotCast(std::string_view jsonb, const DataType& target) {
  const JsonbKind kind = JsonbKindOf(jsonb);
  // The cast error names a number "numeric", unlike jsonb_typeof.
  const std::string_view kind_name = kind == JsonbKind::kNumber ? "numeric" : JsonbKindName(kind);
  throw Error(SqlState::kInvalidParameterValue, fmt::format("cannot cast jsonb {} to type {}",
                                                            kind_name, DataType(target.id).Name()));
}

// Rounds a number in numeric_out form to an integer, half away from zero as numeric_int4 does;
// nothing when it does not fit in 64 bits.
std::optional<int64_t> RoundNumber(std::string_view number) {
  const bool negative = number.front() == '-';
  if (negative) {
    number.remove_prefix(1);
  }
  const size_t point = number.find('.');
  const std::string_view integer = number.substr(0, point);
  __int128 value = 0;
  for (char c : integer) {
    value = value * 10 + (c - '0');
    if (value > static_cast<__int128>(std::numeric_limits<int64_t>::max()) + 1) {
      return std::nullopt;
    }
  }
  if (point != std::string_view::npos && number[point + 1] >= '5') {
    ++value;
  }
  value = negative ? -value : value;
  if (value < std::numeric_limits<int64_t>::min() || value > std::numeric_limits<int64_t>::max()) {
    return std::nullopt;
  }
  return static_cast<int64_t>(value);
}

}  // namespace

bool CanCastJsonbTo(TypeId target) {
  switch (target) {
    case TypeId::kBoolean:
    case TypeId::kSmallint:
    case TypeId::kInteger:
    case TypeId::kBigint:
    case TypeId::kNumeric:
    case TypeId::kReal:
    case TypeId::kDouble:
      return true;
    default:
      return false;
  }
}

void CastJsonbColumn(const Column& in, const DataType& target, Column& out) {
  const size_t rows = in.Size();
  out.Reserve(rows);
  for (size_t i = 0; i < rows; ++i) {
    if (in.IsNull(i)) {
      out.AppendNull();
      continue;
    }
    const std::string_view jsonb = in.GetString(i);
    const JsonbKind kind = JsonbKindOf(jsonb);
    if (target.id == TypeId::kBoolean) {
      if (kind != JsonbKind::kBoolean) {
        ThrowCannotCast(jsonb, target);
      }
      out.Append<uint8_t>(jsonb.front() == 't' ? 1 : 0);
      continue;
    }
    if (kind != JsonbKind::kNumber) {
      ThrowCannotCast(jsonb, target);
    }
    switch (target.id) {
      case TypeId::kSmallint:
      case TypeId::kInteger:
      case TypeId::kBigint: {
        const std::optional<int64_t> value = RoundNumber(jsonb);
        const int64_t min = target.id == TypeId::kSmallint  ? std::numeric_limits<int16_t>::min()
                            : target.id == TypeId::kInteger ? std::numeric_limits<int32_t>::min()
                                                            : std::numeric_limits<int64_t>::min();
        const int64_t max = target.id == TypeId::kSmallint  ? std::numeric_limits<int16_t>::max()
                            : target.id == TypeId::kInteger ? std::numeric_limits<int32_t>::max()
                                                            : std::numeric_limits<int64_t>::max();
        if (!value || *value < min || *value > max) {
          throw Error(SqlState::kNumericValueOutOfRange,
                      fmt::format("{} out of range", DataType(target.id).Name()));
        }
        out.AppendValue(Value::Int(DataType(target.id), *value));
        break;
      }
      case TypeId::kReal:
      case TypeId::kDouble:
        // numeric_float8 goes through the number's text too.
        out.AppendValue(Value::Float(target, ParseDouble(jsonb, target.id)));
        break;
      default:
        out.AppendValue(Value::FromText(jsonb, target));
        break;
    }
  }
}

void RegisterJsonbFunctions(std::vector<ScalarFunction>& functions) {
  const DataType jsonb(TypeId::kJsonb);
  const DataType text = DataType::Text();
  const DataType boolean = DataType::Boolean();
  const TypeId kJsonb = TypeId::kJsonb;
  const TypeId kText = TypeId::kText;
  functions.push_back({"->", {kJsonb, kText}, jsonb, FieldByKey<false>});
  functions.push_back({"->", {kJsonb, TypeId::kInteger}, jsonb, ElementByIndex<false>});
  functions.push_back({"->>", {kJsonb, kText}, text, FieldByKey<true>});
  functions.push_back({"->>", {kJsonb, TypeId::kInteger}, text, ElementByIndex<true>});
  functions.push_back({"#>", {kJsonb, kText}, jsonb, ExtractPath<false>});
  functions.push_back({"#>>", {kJsonb, kText}, text, ExtractPath<true>});
  functions.push_back({"=", {kJsonb, kJsonb}, boolean, Equal<true>});
  functions.push_back({"<>", {kJsonb, kJsonb}, boolean, Equal<false>});
  functions.push_back({"@>", {kJsonb, kJsonb}, boolean, Contains});
  functions.push_back({"<@", {kJsonb, kJsonb}, boolean, ContainedBy});
  functions.push_back({"?", {kJsonb, kText}, boolean, KeyExists});
  functions.push_back({"?|", {kJsonb, kText}, boolean, KeysExist<false>});
  functions.push_back({"?&", {kJsonb, kText}, boolean, KeysExist<true>});
  functions.push_back({"||", {kJsonb, kJsonb}, jsonb, Concatenate});
  functions.push_back({"-", {kJsonb, kText}, jsonb, DeleteKey});
  functions.push_back({"-", {kJsonb, TypeId::kInteger}, jsonb, DeleteElement});
  functions.push_back({"jsonb_pretty", {kJsonb}, text, Pretty});
  functions.push_back({"jsonb_strip_nulls", {kJsonb}, jsonb, StripNulls});
  functions.push_back({"jsonb_typeof", {kJsonb}, text, TypeOf});
  functions.push_back({"jsonb_array_length", {kJsonb}, DataType::Integer(), ArrayLength});
  functions.push_back({"jsonb_extract_path",
                       {kJsonb, kText},
                       jsonb,
                       ExtractPathVariadic<false>,
                       Volatility::kImmutable,
                       true});
  functions.push_back({"jsonb_extract_path_text",
                       {kJsonb, kText},
                       text,
                       ExtractPathVariadic<true>,
                       Volatility::kImmutable,
                       true});
  for (TypeId type : {TypeId::kJsonb, TypeId::kText, TypeId::kBoolean, TypeId::kSmallint,
                      TypeId::kInteger, TypeId::kBigint, TypeId::kNumeric, TypeId::kReal,
                      TypeId::kDouble, TypeId::kDate, TypeId::kTimestamp, TypeId::kTimestamptz}) {
    functions.push_back({"to_jsonb", {type}, jsonb, ToJsonb, Volatility::kStable});
  }
  // "any" arguments (TypeId::kUnknown) reach the kernels with their own types. Freshet has no
  // json type: the json builders return its text.
  const TypeId kAny = TypeId::kUnknown;
  functions.push_back(
      {"jsonb_build_object", {kAny}, jsonb, Build<true, true>, Volatility::kStable, true});
  functions.push_back(
      {"jsonb_build_array", {kAny}, jsonb, Build<false, true>, Volatility::kStable, true});
  functions.push_back(
      {"json_build_object", {kAny}, text, Build<true, false>, Volatility::kStable, true});
  functions.push_back(
      {"json_build_array", {kAny}, text, Build<false, false>, Volatility::kStable, true});
}

}  // namespace freshet::function
