// SPDX-License-Identifier: Apache-2.0
#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <limits>
#include <optional>
#include <string>

#include <fmt/format.h>
#include <openssl/evp.h>

#include "common/error.h"
#include "function/internal/kernel_loops.h"
#include "function/internal/utf8.h"
#include "function/scalar_function.h"

// The string functions of Postgres with the C collation of Freshet's databases: case mapping and
// initcap touch ASCII letters only, positions and lengths count UTF-8 characters.
namespace freshet::function {
namespace {

using internal::CharacterBytes;
using internal::CharacterOffset;
using internal::CountCharacters;

// Postgres's MaxAllocSize: no text value may be longer.
constexpr int64_t kMaxTextBytes = 0x3fffffff - 4;

bool AnyNull(std::span<const Column* const> arguments, size_t row) {
  for (const Column* argument : arguments) {
    if (argument->IsNull(row)) {
      return true;
    }
  }
  return false;
}

// Builds a text column row by row: `op(row, buffer)` returns the row's value, which may point into
// an input or into `buffer` (reused across rows, so steady-state rows do not allocate). A row with
// a NULL argument is NULL, as for every strict function.
template <typename Op>
void TextResult(std::span<const Column* const> arguments, size_t rows, Column& out, Op op) {
  out.Reserve(rows);
  std::string buffer;
  for (size_t row = 0; row < rows; ++row) {
    if (AnyNull(arguments, row)) {
      out.AppendNull();
      continue;
    }
    buffer.clear();
    out.AppendString(op(row, buffer));
  }
}

// Builds a fixed-width column of `T` row by row from `op(row)`; NULL in, NULL out.
template <typename T, typename Op>
void FixedResult(std::span<const Column* const> arguments, size_t rows, Column& out, Op op) {
  out.ResizeFixed(rows);
  T* result = out.MutableData<T>();
  uint8_t* nulls = out.MutableNulls();
  for (size_t row = 0; row < rows; ++row) {
    const bool is_null = AnyNull(arguments, row);
    nulls[row] = is_null ? 1 : 0;
    if (!is_null) {
      result[row] = op(row);
    }
  }
}

std::string_view TextAt(std::span<const Column* const> arguments, size_t index, size_t row) {
  return arguments[index]->GetString(row);
}

int32_t IntAt(std::span<const Column* const> arguments, size_t index, size_t row) {
  return arguments[index]->Data<int32_t>()[row];
}

[[noreturn]] void ThrowLengthTooLarge() {
  throw Error(SqlState::kProgramLimitExceeded, "requested length too large");
}

// The characters from 1-based character position `start` for `count` characters (to the end when
// `count` is empty), clipped to the string as Postgres's text_substring clips them.
std::string_view Substring(std::string_view text, int64_t start, std::optional<int64_t> count) {
  const int64_t first = std::max<int64_t>(start, 1);
  const size_t begin = CharacterOffset(text, first - 1);
  if (!count) {
    return text.substr(begin);
  }
  int64_t end = 0;
  if (__builtin_add_overflow(start, *count, &end)) {
    return text.substr(begin);
  }
  if (end <= first) {
    return {};
  }
  const std::string_view rest = text.substr(begin);
  return rest.substr(0, CharacterOffset(rest, end - first));
}

// The 1-based character position of `needle` in `haystack`, 0 when absent, 1 when empty.
int32_t Position(std::string_view haystack, std::string_view needle) {
  const size_t found = haystack.find(needle);
  if (found == std::string_view::npos) {
    return 0;
  }
  return static_cast<int32_t>(CountCharacters(haystack.substr(0, found)) + 1);
}

void Concat(const EvaluationContext& context,
            std::span<const Column* const> arguments,
            size_t rows,
            Column& out) {
  TextResult(arguments, rows, out, [&](size_t row, std::string& buffer) {
    buffer.assign(TextAt(arguments, 0, row));
    buffer.append(TextAt(arguments, 1, row));
    return std::string_view(buffer);
  });
}

// concat("any", ...): every non-NULL argument in its text output form; never NULL.
void ConcatAny(const EvaluationContext& context,
               std::span<const Column* const> arguments,
               size_t rows,
               Column& out) {
  out.Reserve(rows);
  std::string buffer;
  for (size_t row = 0; row < rows; ++row) {
    buffer.clear();
    for (const Column* argument : arguments) {
      if (!argument->IsNull(row)) {
        argument->AppendText(row, buffer, context.time_zone);
      }
    }
    out.AppendString(buffer);
  }
}

// concat_ws(separator, "any", ...): the non-NULL arguments joined by the separator; NULL only when
// the separator is.
void ConcatWithSeparator(const EvaluationContext& context,
                         std::span<const Column* const> arguments,
                         size_t rows,
                         Column& out) {
  out.Reserve(rows);
  std::string buffer;
  for (size_t row = 0; row < rows; ++row) {
    if (arguments[0]->IsNull(row)) {
      out.AppendNull();
      continue;
    }
    const std::string_view separator = arguments[0]->GetString(row);
    buffer.clear();
    bool first = true;
    for (size_t i = 1; i < arguments.size(); ++i) {
      if (arguments[i]->IsNull(row)) {
        continue;
      }
      if (!first) {
        buffer.append(separator);
      }
      first = false;
      arguments[i]->AppendText(row, buffer, context.time_zone);
    }
    out.AppendString(buffer);
  }
}

void CharacterLength(const EvaluationContext& context,
                     std::span<const Column* const> arguments,
                     size_t rows,
                     Column& out) {
  FixedResult<int32_t>(arguments, rows, out, [&](size_t row) {
    return static_cast<int32_t>(CountCharacters(TextAt(arguments, 0, row)));
  });
}

void OctetLength(const EvaluationContext& context,
                 std::span<const Column* const> arguments,
                 size_t rows,
                 Column& out) {
  FixedResult<int32_t>(arguments, rows, out, [&](size_t row) {
    return static_cast<int32_t>(TextAt(arguments, 0, row).size());
  });
}

void BitLength(const EvaluationContext& context,
               std::span<const Column* const> arguments,
               size_t rows,
               Column& out) {
  FixedResult<int32_t>(arguments, rows, out, [&](size_t row) {
    return static_cast<int32_t>(TextAt(arguments, 0, row).size() * 8);
  });
}

// Case mapping of ASCII letters only, as Postgres does under the C collation.
template <int (*Map)(int)>
void MapCase(const EvaluationContext& context,
             std::span<const Column* const> arguments,
             size_t rows,
             Column& out) {
  TextResult(arguments, rows, out, [&](size_t row, std::string& buffer) {
    buffer.assign(TextAt(arguments, 0, row));
    for (char& c : buffer) {
      if (static_cast<unsigned char>(c) < 0x80) {
        c = static_cast<char>(Map(static_cast<unsigned char>(c)));
      }
    }
    return std::string_view(buffer);
  });
}

// Upper-cases the first letter of each run of letters and digits and lower-cases the rest; bytes
// of non-ASCII characters are not alphanumeric in the C locale and so end a word.
void Initcap(const EvaluationContext& context,
             std::span<const Column* const> arguments,
             size_t rows,
             Column& out) {
  TextResult(arguments, rows, out, [&](size_t row, std::string& buffer) {
    buffer.assign(TextAt(arguments, 0, row));
    bool after_alphanumeric = false;
    for (char& c : buffer) {
      const auto byte = static_cast<unsigned char>(c);
      if (byte >= 0x80) {
        after_alphanumeric = false;
        continue;
      }
      c = static_cast<char>(after_alphanumeric ? std::tolower(byte) : std::toupper(byte));
      after_alphanumeric = std::isalnum(byte) != 0;
    }
    return std::string_view(buffer);
  });
}

void SubstringFrom(const EvaluationContext& context,
                   std::span<const Column* const> arguments,
                   size_t rows,
                   Column& out) {
  TextResult(arguments, rows, out, [&](size_t row, std::string&) {
    return Substring(TextAt(arguments, 0, row), IntAt(arguments, 1, row), std::nullopt);
  });
}

void SubstringFromFor(const EvaluationContext& context,
                      std::span<const Column* const> arguments,
                      size_t rows,
                      Column& out) {
  TextResult(arguments, rows, out, [&](size_t row, std::string&) {
    const int32_t count = IntAt(arguments, 2, row);
    if (count < 0) {
      throw Error(SqlState::kSubstringError, "negative substring length not allowed");
    }
    return Substring(TextAt(arguments, 0, row), IntAt(arguments, 1, row), count);
  });
}

// position(substring, string): the parser passes POSITION(a IN b) as position(a, b).
void PositionOf(const EvaluationContext& context,
                std::span<const Column* const> arguments,
                size_t rows,
                Column& out) {
  FixedResult<int32_t>(arguments, rows, out, [&](size_t row) {
    return Position(TextAt(arguments, 1, row), TextAt(arguments, 0, row));
  });
}

// strpos(string, substring).
void Strpos(const EvaluationContext& context,
            std::span<const Column* const> arguments,
            size_t rows,
            Column& out) {
  FixedResult<int32_t>(arguments, rows, out, [&](size_t row) {
    return Position(TextAt(arguments, 0, row), TextAt(arguments, 1, row));
  });
}

void StartsWith(const EvaluationContext& context,
                std::span<const Column* const> arguments,
                size_t rows,
                Column& out) {
  FixedResult<uint8_t>(arguments, rows, out, [&](size_t row) {
    return static_cast<uint8_t>(TextAt(arguments, 0, row).starts_with(TextAt(arguments, 1, row)));
  });
}

enum class TrimSide : uint8_t { kBoth, kLeading, kTrailing };

// Removes the characters of `characters` (space when there is no second argument) from one or both
// ends, character by character so that multibyte characters are never split.
template <TrimSide Side>
void Trim(const EvaluationContext& context,
          std::span<const Column* const> arguments,
          size_t rows,
          Column& out) {
  const bool has_set = arguments.size() > 1;
  TextResult(arguments, rows, out, [&](size_t row, std::string&) {
    std::string_view text = TextAt(arguments, 0, row);
    const std::string_view set = has_set ? TextAt(arguments, 1, row) : std::string_view(" ");
    auto in_set = [&](std::string_view character) {
      for (size_t i = 0; i < set.size();) {
        const size_t length = CharacterBytes(set, i);
        if (set.substr(i, length) == character) {
          return true;
        }
        i += length;
      }
      return false;
    };
    if (Side != TrimSide::kTrailing) {
      while (!text.empty()) {
        const size_t length = CharacterBytes(text, 0);
        if (!in_set(text.substr(0, length))) {
          break;
        }
        text.remove_prefix(length);
      }
    }
    if (Side != TrimSide::kLeading) {
      while (!text.empty()) {
        size_t start = text.size() - 1;
        while (start > 0 && internal::IsContinuationByte(text[start])) {
          --start;
        }
        if (!in_set(text.substr(start))) {
          break;
        }
        text.remove_suffix(text.size() - start);
      }
    }
    return text;
  });
}

void Replace(const EvaluationContext& context,
             std::span<const Column* const> arguments,
             size_t rows,
             Column& out) {
  TextResult(arguments, rows, out, [&](size_t row, std::string& buffer) {
    const std::string_view text = TextAt(arguments, 0, row);
    const std::string_view from = TextAt(arguments, 1, row);
    const std::string_view to = TextAt(arguments, 2, row);
    if (from.empty()) {
      return text;
    }
    size_t start = 0;
    while (true) {
      const size_t found = text.find(from, start);
      if (found == std::string_view::npos) {
        break;
      }
      buffer.append(text.substr(start, found - start));
      buffer.append(to);
      start = found + from.size();
    }
    if (start == 0) {
      return text;
    }
    buffer.append(text.substr(start));
    return std::string_view(buffer);
  });
}

// split_part(string, delimiter, n): the n-th field, counted from the end when n is negative
// (Postgres 14 and later).
void SplitPart(const EvaluationContext& context,
               std::span<const Column* const> arguments,
               size_t rows,
               Column& out) {
  TextResult(arguments, rows, out, [&](size_t row, std::string&) -> std::string_view {
    const std::string_view text = TextAt(arguments, 0, row);
    const std::string_view delimiter = TextAt(arguments, 1, row);
    int64_t field = IntAt(arguments, 2, row);
    if (field == 0) {
      throw Error(SqlState::kInvalidParameterValue, "field position must not be zero");
    }
    if (text.empty()) {
      return {};
    }
    if (delimiter.empty()) {
      return field == 1 || field == -1 ? text : std::string_view();
    }
    if (field < 0) {
      int64_t fields = 1;
      for (size_t at = text.find(delimiter); at != std::string_view::npos;
           at = text.find(delimiter, at + delimiter.size())) {
        ++fields;
      }
      field = fields + field + 1;
      if (field <= 0) {
        return {};
      }
    }
    size_t start = 0;
    for (int64_t i = 1; i < field; ++i) {
      const size_t at = text.find(delimiter, start);
      if (at == std::string_view::npos) {
        return {};
      }
      start = at + delimiter.size();
    }
    const size_t end = text.find(delimiter, start);
    return text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
  });
}

// left(string, n) and right(string, n); a negative n drops |n| characters from the other end.
template <bool FromLeft>
void Side(const EvaluationContext& context,
          std::span<const Column* const> arguments,
          size_t rows,
          Column& out) {
  TextResult(arguments, rows, out, [&](size_t row, std::string&) {
    const std::string_view text = TextAt(arguments, 0, row);
    const int64_t n = IntAt(arguments, 1, row);
    const int64_t length = static_cast<int64_t>(CountCharacters(text));
    const int64_t keep = std::clamp<int64_t>(n >= 0 ? n : length + n, 0, length);
    if (FromLeft) {
      return text.substr(0, CharacterOffset(text, keep));
    }
    return text.substr(CharacterOffset(text, length - keep));
  });
}

// lpad / rpad(string, length[, fill]): pads with `fill` (a space by default) or truncates to
// `length` characters.
template <bool Left>
void Pad(const EvaluationContext& context,
         std::span<const Column* const> arguments,
         size_t rows,
         Column& out) {
  const bool has_fill = arguments.size() > 2;
  TextResult(arguments, rows, out, [&](size_t row, std::string& buffer) {
    const std::string_view text = TextAt(arguments, 0, row);
    const std::string_view fill = has_fill ? TextAt(arguments, 2, row) : std::string_view(" ");
    const int64_t length = std::max<int32_t>(IntAt(arguments, 1, row), 0);
    // Postgres sizes the result for four-byte characters before it looks at the input.
    if (length * 4 > kMaxTextBytes) {
      ThrowLengthTooLarge();
    }
    const int64_t have = static_cast<int64_t>(CountCharacters(text));
    if (have >= length || fill.empty()) {
      return text.substr(0, CharacterOffset(text, std::min(have, length)));
    }
    int64_t missing = length - have;
    if (!Left) {
      buffer.append(text);
    }
    size_t at = 0;
    while (missing-- > 0) {
      const size_t bytes = CharacterBytes(fill, at);
      buffer.append(fill.substr(at, bytes));
      at += bytes;
      if (at >= fill.size()) {
        at = 0;
      }
    }
    if (Left) {
      buffer.append(text);
    }
    return std::string_view(buffer);
  });
}

void Repeat(const EvaluationContext& context,
            std::span<const Column* const> arguments,
            size_t rows,
            Column& out) {
  TextResult(arguments, rows, out, [&](size_t row, std::string& buffer) {
    const std::string_view text = TextAt(arguments, 0, row);
    const int64_t count = std::max<int32_t>(IntAt(arguments, 1, row), 0);
    if (count * static_cast<int64_t>(text.size()) > kMaxTextBytes) {
      ThrowLengthTooLarge();
    }
    for (int64_t i = 0; i < count; ++i) {
      buffer.append(text);
    }
    return std::string_view(buffer);
  });
}

void Reverse(const EvaluationContext& context,
             std::span<const Column* const> arguments,
             size_t rows,
             Column& out) {
  TextResult(arguments, rows, out, [&](size_t row, std::string& buffer) {
    const std::string_view text = TextAt(arguments, 0, row);
    size_t end = text.size();
    while (end > 0) {
      size_t start = end - 1;
      while (start > 0 && internal::IsContinuationByte(text[start])) {
        --start;
      }
      buffer.append(text.substr(start, end - start));
      end = start;
    }
    return std::string_view(buffer);
  });
}

// translate(string, from, to): each character of `from` becomes the character at the same place in
// `to`, or is deleted when `to` is shorter.
void Translate(const EvaluationContext& context,
               std::span<const Column* const> arguments,
               size_t rows,
               Column& out) {
  TextResult(arguments, rows, out, [&](size_t row, std::string& buffer) {
    const std::string_view text = TextAt(arguments, 0, row);
    const std::string_view from = TextAt(arguments, 1, row);
    const std::string_view to = TextAt(arguments, 2, row);
    for (size_t i = 0; i < text.size();) {
      const size_t length = CharacterBytes(text, i);
      const std::string_view character = text.substr(i, length);
      i += length;
      // The first occurrence in `from` decides, and its index picks the replacement.
      size_t index = 0;
      bool found = false;
      for (size_t j = 0; j < from.size(); ++index) {
        const size_t from_length = CharacterBytes(from, j);
        if (from.substr(j, from_length) == character) {
          found = true;
          break;
        }
        j += from_length;
      }
      if (!found) {
        buffer.append(character);
        continue;
      }
      const size_t replacement = CharacterOffset(to, static_cast<int64_t>(index));
      if (replacement < to.size()) {
        buffer.append(to.substr(replacement, CharacterBytes(to, replacement)));
      }
    }
    return std::string_view(buffer);
  });
}

void Ascii(const EvaluationContext& context,
           std::span<const Column* const> arguments,
           size_t rows,
           Column& out) {
  FixedResult<int32_t>(arguments, rows, out, [&](size_t row) {
    const std::string_view text = TextAt(arguments, 0, row);
    return text.empty() ? 0 : static_cast<int32_t>(internal::DecodeCharacter(text, 0));
  });
}

void Chr(const EvaluationContext& context,
         std::span<const Column* const> arguments,
         size_t rows,
         Column& out) {
  TextResult(arguments, rows, out, [&](size_t row, std::string& buffer) {
    const int32_t code = IntAt(arguments, 0, row);
    if (code == 0) {
      throw Error(SqlState::kProgramLimitExceeded, "null character not permitted");
    }
    if (code < 0) {
      throw Error(SqlState::kInvalidParameterValue, "character number must be positive");
    }
    if (code > 0x10FFFF) {
      throw Error(SqlState::kProgramLimitExceeded,
                  fmt::format("requested character too large for encoding: {}", code));
    }
    if (code >= 0xD800 && code <= 0xDFFF) {
      throw Error(SqlState::kProgramLimitExceeded,
                  fmt::format("requested character not valid for encoding: {}", code));
    }
    internal::EncodeCharacter(static_cast<uint32_t>(code), buffer);
    return std::string_view(buffer);
  });
}

void Md5(const EvaluationContext& context,
         std::span<const Column* const> arguments,
         size_t rows,
         Column& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  TextResult(arguments, rows, out, [&](size_t row, std::string& buffer) {
    const std::string_view text = TextAt(arguments, 0, row);
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (EVP_Digest(text.data(), text.size(), digest, &length, EVP_md5(), nullptr) != 1) {
      throw Error(SqlState::kInternalError, "could not compute MD5 hash");
    }
    for (unsigned int i = 0; i < length; ++i) {
      buffer += kHex[digest[i] >> 4];
      buffer += kHex[digest[i] & 0xf];
    }
    return std::string_view(buffer);
  });
}

// to_hex of the two's complement bits, as Postgres prints negative numbers.
template <typename T>
void ToHex(const EvaluationContext& context,
           std::span<const Column* const> arguments,
           size_t rows,
           Column& out) {
  TextResult(arguments, rows, out, [&](size_t row, std::string& buffer) {
    using Unsigned = std::make_unsigned_t<T>;
    fmt::format_to(std::back_inserter(buffer), "{:x}",
                   static_cast<Unsigned>(arguments[0]->Data<T>()[row]));
    return std::string_view(buffer);
  });
}

// Postgres's keywords other than the unreserved ones (pg_get_keywords() with catcode <> 'U'),
// sorted: an identifier spelled like one of them must be quoted.
constexpr std::string_view kQuotedKeywords[] = {"all",
                                                "analyse",
                                                "analyze",
                                                "and",
                                                "any",
                                                "array",
                                                "as",
                                                "asc",
                                                "asymmetric",
                                                "authorization",
                                                "between",
                                                "bigint",
                                                "binary",
                                                "bit",
                                                "boolean",
                                                "both",
                                                "case",
                                                "cast",
                                                "char",
                                                "character",
                                                "check",
                                                "coalesce",
                                                "collate",
                                                "collation",
                                                "column",
                                                "concurrently",
                                                "constraint",
                                                "create",
                                                "cross",
                                                "current_catalog",
                                                "current_date",
                                                "current_role",
                                                "current_schema",
                                                "current_time",
                                                "current_timestamp",
                                                "current_user",
                                                "dec",
                                                "decimal",
                                                "default",
                                                "deferrable",
                                                "desc",
                                                "distinct",
                                                "do",
                                                "else",
                                                "end",
                                                "except",
                                                "exists",
                                                "extract",
                                                "false",
                                                "fetch",
                                                "float",
                                                "for",
                                                "foreign",
                                                "freeze",
                                                "from",
                                                "full",
                                                "grant",
                                                "greatest",
                                                "group",
                                                "grouping",
                                                "having",
                                                "ilike",
                                                "in",
                                                "initially",
                                                "inner",
                                                "inout",
                                                "int",
                                                "integer",
                                                "intersect",
                                                "interval",
                                                "into",
                                                "is",
                                                "isnull",
                                                "join",
                                                "lateral",
                                                "leading",
                                                "least",
                                                "left",
                                                "like",
                                                "limit",
                                                "localtime",
                                                "localtimestamp",
                                                "national",
                                                "natural",
                                                "nchar",
                                                "none",
                                                "normalize",
                                                "not",
                                                "notnull",
                                                "null",
                                                "nullif",
                                                "numeric",
                                                "offset",
                                                "on",
                                                "only",
                                                "or",
                                                "order",
                                                "out",
                                                "outer",
                                                "overlaps",
                                                "overlay",
                                                "placing",
                                                "position",
                                                "precision",
                                                "primary",
                                                "real",
                                                "references",
                                                "returning",
                                                "right",
                                                "row",
                                                "select",
                                                "session_user",
                                                "setof",
                                                "similar",
                                                "smallint",
                                                "some",
                                                "substring",
                                                "symmetric",
                                                "table",
                                                "tablesample",
                                                "then",
                                                "time",
                                                "timestamp",
                                                "to",
                                                "trailing",
                                                "treat",
                                                "trim",
                                                "true",
                                                "union",
                                                "unique",
                                                "user",
                                                "using",
                                                "values",
                                                "varchar",
                                                "variadic",
                                                "verbose",
                                                "when",
                                                "where",
                                                "window",
                                                "with",
                                                "xmlattributes",
                                                "xmlconcat",
                                                "xmlelement",
                                                "xmlexists",
                                                "xmlforest",
                                                "xmlnamespaces",
                                                "xmlparse",
                                                "xmlpi",
                                                "xmlroot",
                                                "xmlserialize",
                                                "xmltable"};

// Appends `identifier` as Postgres's quote_identifier does: bare when it is lower case letters,
// digits and underscores not starting with a digit and not a keyword, else double-quoted.
void AppendQuotedIdentifier(std::string_view identifier, std::string& out) {
  bool safe = !identifier.empty() &&
              ((identifier[0] >= 'a' && identifier[0] <= 'z') || identifier[0] == '_');
  for (char c : identifier) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
      safe = false;
    }
  }
  if (safe &&
      std::binary_search(std::begin(kQuotedKeywords), std::end(kQuotedKeywords), identifier)) {
    safe = false;
  }
  if (safe) {
    out.append(identifier);
    return;
  }
  out += '"';
  for (char c : identifier) {
    if (c == '"') {
      out += '"';
    }
    out += c;
  }
  out += '"';
}

// Appends `text` as a string literal, as Postgres's quote_literal: quotes and backslashes doubled,
// and an E prefix when there is a backslash.
void AppendQuotedLiteral(std::string_view text, std::string& out) {
  if (text.find('\\') != std::string_view::npos) {
    out += 'E';
  }
  out += '\'';
  for (char c : text) {
    if (c == '\'' || c == '\\') {
      out += c;
    }
    out += c;
  }
  out += '\'';
}

void QuoteIdent(const EvaluationContext& context,
                std::span<const Column* const> arguments,
                size_t rows,
                Column& out) {
  TextResult(arguments, rows, out, [&](size_t row, std::string& buffer) {
    AppendQuotedIdentifier(TextAt(arguments, 0, row), buffer);
    return std::string_view(buffer);
  });
}

void QuoteLiteral(const EvaluationContext& context,
                  std::span<const Column* const> arguments,
                  size_t rows,
                  Column& out) {
  TextResult(arguments, rows, out, [&](size_t row, std::string& buffer) {
    AppendQuotedLiteral(TextAt(arguments, 0, row), buffer);
    return std::string_view(buffer);
  });
}

// quote_nullable: like quote_literal, but NULL becomes the word NULL.
void QuoteNullable(const EvaluationContext& context,
                   std::span<const Column* const> arguments,
                   size_t rows,
                   Column& out) {
  out.Reserve(rows);
  std::string buffer;
  for (size_t row = 0; row < rows; ++row) {
    buffer.clear();
    if (arguments[0]->IsNull(row)) {
      buffer = "NULL";
    } else {
      AppendQuotedLiteral(arguments[0]->GetString(row), buffer);
    }
    out.AppendString(buffer);
  }
}

[[noreturn]] void ThrowFormatSpecifier(std::string message) {
  throw Error(SqlState::kInvalidParameterValue, std::move(message))
      .WithHint("For a single \"%\" use \"%%\".");
}

// Reads decimal digits at `at`; false when there are none.
bool ReadDigits(std::string_view text, size_t& at, int64_t& value) {
  const size_t start = at;
  value = 0;
  while (at < text.size() && std::isdigit(static_cast<unsigned char>(text[at]))) {
    value = std::min<int64_t>(value * 10 + (text[at] - '0'), std::numeric_limits<int32_t>::max());
    ++at;
  }
  return at > start;
}

// format(formatstr, "any", ...): %s, %I and %L with Postgres's positions (%2$s), the - flag and
// widths (%10s, %*s). Arguments print with their type's output function.
void FormatAny(const EvaluationContext& context,
               std::span<const Column* const> arguments,
               size_t rows,
               Column& out) {
  out.Reserve(rows);
  std::string buffer;
  std::string value;
  const size_t argument_count = arguments.size() - 1;
  for (size_t row = 0; row < rows; ++row) {
    if (arguments[0]->IsNull(row)) {
      out.AppendNull();
      continue;
    }
    const std::string_view format = arguments[0]->GetString(row);
    buffer.clear();
    size_t next = 1;  // the argument an unnumbered specifier takes
    for (size_t i = 0; i < format.size(); ++i) {
      if (format[i] != '%') {
        buffer += format[i];
        continue;
      }
      ++i;
      if (i >= format.size()) {
        ThrowFormatSpecifier("unterminated format() type specifier");
      }
      if (format[i] == '%') {
        buffer += '%';
        continue;
      }
      // [position$][-][width | * | *position$]type
      std::optional<size_t> position;
      size_t at = i;
      int64_t number = 0;
      if (ReadDigits(format, at, number) && at < format.size() && format[at] == '$') {
        if (number == 0) {
          throw Error(SqlState::kInvalidParameterValue,
                      "format specifies argument 0, but arguments are numbered from 1");
        }
        position = static_cast<size_t>(number);
        i = at + 1;
      }
      bool left_align = false;
      if (i < format.size() && format[i] == '-') {
        left_align = true;
        ++i;
      }
      int64_t width = 0;
      if (i < format.size() && format[i] == '*') {
        ++i;
        size_t width_argument = next;
        at = i;
        if (ReadDigits(format, at, number) && at < format.size() && format[at] == '$') {
          width_argument = static_cast<size_t>(number);
          i = at + 1;
        }
        if (width_argument > argument_count) {
          throw Error(SqlState::kInvalidParameterValue, "too few arguments for format()");
        }
        next = width_argument + 1;
        const Column& width_column = *arguments[width_argument];
        if (!width_column.IsNull(row)) {
          value.clear();
          width_column.AppendText(row, value, context.time_zone);
          width = std::strtoll(value.c_str(), nullptr, 10);
        }
        if (width < 0) {
          left_align = true;
          width = -width;
        }
      } else {
        ReadDigits(format, i, width);
      }
      if (i >= format.size()) {
        ThrowFormatSpecifier("unterminated format() type specifier");
      }
      const char type = format[i];
      if (type != 's' && type != 'I' && type != 'L') {
        ThrowFormatSpecifier(
            fmt::format("unrecognized format() type specifier \"{}\"", std::string_view(&type, 1)));
      }
      const size_t argument = position ? *position : next;
      if (argument > argument_count) {
        throw Error(SqlState::kInvalidParameterValue, "too few arguments for format()");
      }
      next = argument + 1;
      const Column& column = *arguments[argument];
      value.clear();
      if (column.IsNull(row)) {
        if (type == 'I') {
          throw Error(SqlState::kNullValueNotAllowed,
                      "null values cannot be formatted as an SQL identifier");
        }
        if (type == 'L') {
          value = "NULL";
        }
      } else {
        std::string text;
        column.AppendText(row, text, context.time_zone);
        if (type == 's') {
          value = std::move(text);
        } else if (type == 'I') {
          AppendQuotedIdentifier(text, value);
        } else {
          AppendQuotedLiteral(text, value);
        }
      }
      const auto length = static_cast<int64_t>(CountCharacters(value));
      if (!left_align && length < width) {
        buffer.append(static_cast<size_t>(width - length), ' ');
      }
      buffer.append(value);
      if (left_align && length < width) {
        buffer.append(static_cast<size_t>(width - length), ' ');
      }
    }
    out.AppendString(buffer);
  }
}

}  // namespace

void RegisterStringFunctions(std::vector<ScalarFunction>& functions) {
  const DataType text = DataType::Text();
  const DataType integer = DataType::Integer();
  const DataType boolean = DataType::Boolean();
  constexpr TypeId kText = TypeId::kText;
  constexpr TypeId kInt = TypeId::kInteger;
  functions.push_back({"||", {kText, kText}, text, Concat});
  functions.push_back({"length", {kText}, integer, CharacterLength});
  functions.push_back({"char_length", {kText}, integer, CharacterLength});
  functions.push_back({"character_length", {kText}, integer, CharacterLength});
  functions.push_back({"octet_length", {kText}, integer, OctetLength});
  functions.push_back({"bit_length", {kText}, integer, BitLength});
  functions.push_back({"lower", {kText}, text, MapCase<std::tolower>});
  functions.push_back({"upper", {kText}, text, MapCase<std::toupper>});
  functions.push_back({"initcap", {kText}, text, Initcap});
  functions.push_back({"substring", {kText, kInt}, text, SubstringFrom});
  functions.push_back({"substring", {kText, kInt, kInt}, text, SubstringFromFor});
  functions.push_back({"substr", {kText, kInt}, text, SubstringFrom});
  functions.push_back({"substr", {kText, kInt, kInt}, text, SubstringFromFor});
  functions.push_back({"position", {kText, kText}, integer, PositionOf});
  functions.push_back({"strpos", {kText, kText}, integer, Strpos});
  functions.push_back({"starts_with", {kText, kText}, boolean, StartsWith});
  functions.push_back({"btrim", {kText}, text, Trim<TrimSide::kBoth>});
  functions.push_back({"btrim", {kText, kText}, text, Trim<TrimSide::kBoth>});
  functions.push_back({"ltrim", {kText}, text, Trim<TrimSide::kLeading>});
  functions.push_back({"ltrim", {kText, kText}, text, Trim<TrimSide::kLeading>});
  functions.push_back({"rtrim", {kText}, text, Trim<TrimSide::kTrailing>});
  functions.push_back({"rtrim", {kText, kText}, text, Trim<TrimSide::kTrailing>});
  functions.push_back({"replace", {kText, kText, kText}, text, Replace});
  functions.push_back({"split_part", {kText, kText, kInt}, text, SplitPart});
  functions.push_back({"left", {kText, kInt}, text, Side<true>});
  functions.push_back({"right", {kText, kInt}, text, Side<false>});
  functions.push_back({"lpad", {kText, kInt}, text, Pad<true>});
  functions.push_back({"lpad", {kText, kInt, kText}, text, Pad<true>});
  functions.push_back({"rpad", {kText, kInt}, text, Pad<false>});
  functions.push_back({"rpad", {kText, kInt, kText}, text, Pad<false>});
  functions.push_back({"repeat", {kText, kInt}, text, Repeat});
  functions.push_back({"reverse", {kText}, text, Reverse});
  functions.push_back({"translate", {kText, kText, kText}, text, Translate});
  functions.push_back({"ascii", {kText}, integer, Ascii});
  functions.push_back({"chr", {kInt}, text, Chr});
  functions.push_back({"md5", {kText}, text, Md5});
  functions.push_back({"to_hex", {kInt}, text, ToHex<int32_t>});
  functions.push_back({"to_hex", {TypeId::kBigint}, text, ToHex<int64_t>});
  // "any" arguments (TypeId::kUnknown): the binder passes them unconverted and the kernels print
  // them with their type's output function. Stable because a TIMESTAMPTZ prints in the session's
  // zone.
  functions.push_back({"concat", {TypeId::kUnknown}, text, ConcatAny, Volatility::kStable, true});
  functions.push_back(
      {"format", {kText, TypeId::kUnknown}, text, FormatAny, Volatility::kStable, true});
  functions.push_back({"quote_ident", {kText}, text, QuoteIdent});
  functions.push_back({"quote_literal", {kText}, text, QuoteLiteral});
  functions.push_back({"quote_nullable", {kText}, text, QuoteNullable, Volatility::kImmutable});
  functions.push_back({"concat_ws",
                       {kText, TypeId::kUnknown},
                       text,
                       ConcatWithSeparator,
                       Volatility::kStable,
                       true});
}

}  // namespace freshet::function
