// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// JSONB values. A jsonb column holds the canonical text that PostgreSQL's jsonb_out prints: object
// keys de-duplicated (the last one wins) and sorted by length, then bytes; `{"a": 1, "b": [1, 2]}`
// spacing; numbers as numeric_out prints them; strings escaped as escape_json does. Keeping that
// text makes output a copy, and because every sub-value of canonical text is itself canonical, the
// readers below return views into the document instead of building a tree.
namespace freshet {

/// The kind of a jsonb value, as jsonb_typeof names it.
enum class JsonbKind : uint8_t { kObject, kArray, kString, kNumber, kBoolean, kNull };

/// Parses JSON text as jsonb_in does. Reusable: it keeps its buffers between calls, so parsing a
/// column allocates only while the buffers grow. Not thread-safe.
class JsonbParser {
 public:
  JsonbParser();
  ~JsonbParser();
  JsonbParser(const JsonbParser&) = delete;
  JsonbParser& operator=(const JsonbParser&) = delete;

  /// Appends the canonical text of `text` to `out`. Throws 22P02 `invalid input syntax for type
  /// json` with PostgreSQL's detail, 22P05 for \u0000, 22021 for bytes that are not UTF-8 and
  /// 22003 for a number numeric cannot hold.
  void Parse(std::string_view text, std::string& out);
  /// Like Parse, but leaves out object members whose value is null, at every depth
  /// (jsonb_strip_nulls).
  void ParseStrippingNulls(std::string_view text, std::string& out);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

/// Returns the canonical jsonb text of JSON `text`; see JsonbParser::Parse.
std::string ParseJsonb(std::string_view text);

/// The kind of canonical jsonb text `jsonb`.
JsonbKind JsonbKindOf(std::string_view jsonb);
/// The name jsonb_typeof returns ("object", "array", "string", "number", "boolean", "null").
std::string_view JsonbKindName(JsonbKind kind);

/// The value of field `key` of an object, or nothing when `jsonb` is not an object or has no such
/// key (the `->` operator).
std::optional<std::string_view> JsonbObjectField(std::string_view jsonb, std::string_view key);
/// Element `index` of an array, counting from the end when negative, or nothing when `jsonb` is
/// not an array or the index is out of range.
std::optional<std::string_view> JsonbArrayElement(std::string_view jsonb, int64_t index);
/// The number of elements of array `jsonb`, or of members of object `jsonb`; 0 for a scalar.
int64_t JsonbContainerSize(std::string_view jsonb);
/// Follows `path` as the `#>` operator does: object keys, array indexes (negative from the end);
/// nothing when a step does not exist.
std::optional<std::string_view> JsonbExtractPath(std::string_view jsonb,
                                                 const std::vector<std::string_view>& path);

/// Appends `jsonb` as `->>` returns it: a string unescaped, anything else as its jsonb text. The
/// caller maps the JSON null to SQL NULL.
void AppendJsonbAsText(std::string& out, std::string_view jsonb);
/// True if two jsonb values are equal as jsonb `=` decides: numbers by value (1.0 = 1).
bool JsonbEqual(std::string_view left, std::string_view right);
/// True if `left` contains `right` (the `@>` operator).
bool JsonbContains(std::string_view left, std::string_view right);
/// True if `key` is a top-level key of an object, a string element of an array, or the string
/// itself (the `?` operator).
bool JsonbKeyExists(std::string_view jsonb, std::string_view key);

/// Appends `left || right`: objects merge (the right value wins), anything else concatenates as
/// arrays, a non-array counting as a one-element array.
void AppendJsonbConcat(std::string& out, std::string_view left, std::string_view right);
/// Appends `jsonb - key`: an object without member `key`, or an array without its string elements
/// equal to `key`; throws 22023 for a scalar.
void AppendJsonbWithoutKey(std::string& out, std::string_view jsonb, std::string_view key);
/// Appends `jsonb - index`: an array without element `index` (negative from the end); throws 22023
/// for an object or a scalar.
void AppendJsonbWithoutElement(std::string& out, std::string_view jsonb, int64_t index);
/// Appends jsonb_pretty(jsonb): one member or element per line, indented by four spaces.
void AppendJsonbPretty(std::string& out, std::string_view jsonb);

/// Appends `text` as a JSON string literal, quoted and escaped as PostgreSQL's escape_json does.
void AppendJsonString(std::string& out, std::string_view text);

}  // namespace freshet
