// SPDX-License-Identifier: Apache-2.0
#include "sql_tests/differential/query_generator.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <iterator>
#include <optional>

#include <fmt/format.h>

namespace freshet::sql_tests::differential {
namespace {

using Expr = QueryGenerator::Expr;
using Family = QueryGenerator::Family;

/// Doubles below this many units of their finest fraction are exact (2^50, with margin to 2^53).
constexpr double kExactLimit = 1125899906842624.0;
/// More rows than any generated query aggregates; bounds sums.
constexpr double kMaxAggregatedRows = 200000;
/// Numerics wider than this are left alone (no further multiplication, no casts to integers).
constexpr double kNumericLimit = 1e15;
constexpr double kUnbounded = 1e300;

/// True for SMALLINT, INTEGER and BIGINT.
bool IsInt(SqlType type) {
  return type == SqlType::kInt16 || type == SqlType::kInt32 || type == SqlType::kInt64;
}

/// The family a type belongs to.
Family FamilyOf(SqlType type) {
  switch (type) {
    case SqlType::kBool:
      return Family::kBool;
    case SqlType::kInt16:
    case SqlType::kInt32:
    case SqlType::kInt64:
      return Family::kInt;
    case SqlType::kDouble:
      return Family::kDouble;
    case SqlType::kNumeric:
      return Family::kNumeric;
    case SqlType::kText:
      return Family::kText;
    case SqlType::kDate:
      return Family::kDate;
    case SqlType::kTimestamp:
      return Family::kTimestamp;
  }
  return Family::kInt;
}

/// The largest value of an integer type.
double IntLimit(SqlType type) {
  switch (type) {
    case SqlType::kInt16:
      return 32767;
    case SqlType::kInt32:
      return 2147483647.0;
    default:
      return 9.2e18;
  }
}

/// Orders integer types by width.
int IntRank(SqlType type) {
  return type == SqlType::kInt16 ? 0 : type == SqlType::kInt32 ? 1 : 2;
}

/// The type PostgreSQL gives a binary integer operation or CASE over two integer types.
SqlType Wider(SqlType a, SqlType b) {
  return IntRank(a) >= IntRank(b) ? a : b;
}

/// True when equal values of the expression always print the same, so that which of several
/// equal values a GROUP BY, DISTINCT, set operation, min or max keeps does not show.
bool IsCanonical(const Expr& expr) {
  return !(expr.type == SqlType::kDouble && expr.negative_zero) &&
         !(expr.type == SqlType::kNumeric && expr.scale < 0);
}

/// The type a NULL of the family is cast to.
std::string CastName(Family family) {
  switch (family) {
    case Family::kBool:
      return "BOOLEAN";
    case Family::kInt:
      return "INTEGER";
    case Family::kDouble:
      return "DOUBLE PRECISION";
    case Family::kNumeric:
      return "NUMERIC";
    case Family::kText:
      return "TEXT";
    case Family::kDate:
      return "DATE";
    case Family::kTimestamp:
      return "TIMESTAMP";
  }
  return "TEXT";
}

/// The type of the family's literals.
SqlType DefaultType(Family family) {
  switch (family) {
    case Family::kBool:
      return SqlType::kBool;
    case Family::kInt:
      return SqlType::kInt32;
    case Family::kDouble:
      return SqlType::kDouble;
    case Family::kNumeric:
      return SqlType::kNumeric;
    case Family::kText:
      return SqlType::kText;
    case Family::kDate:
      return SqlType::kDate;
    case Family::kTimestamp:
      return SqlType::kTimestamp;
  }
  return SqlType::kText;
}

/// Builds an expression description with default properties.
Expr Make(std::string sql, SqlType type, double max_abs = 0) {
  Expr expr;
  expr.sql = std::move(sql);
  expr.type = type;
  expr.max_abs = max_abs;
  return expr;
}

/// Splits UTF-8 text into code points, so LIKE patterns never cut a character in half.
std::vector<std::string> CodePoints(const std::string& text) {
  std::vector<std::string> points;
  for (char c : text) {
    if ((static_cast<unsigned char>(c) & 0xC0) == 0x80 && !points.empty()) {
      points.back() += c;
    } else {
      points.emplace_back(1, c);
    }
  }
  return points;
}

/// True when the expression reads a column of the scope (and is not a constant).
bool MentionsColumn(const Expr& expr, const std::vector<Expr>& scope) {
  return std::any_of(scope.begin(), scope.end(), [&](const Expr& column) {
    return expr.sql.find(column.sql) != std::string::npos;
  });
}

}  // namespace

QueryGenerator::QueryGenerator(const std::vector<TableSpec>& tables, uint64_t seed)
    : tables_(tables), random_(seed) {
  for (const TableSpec& table : tables_) {
    for (const ColumnSpec& column : table.columns) {
      words_.insert(words_.end(), column.words.begin(), column.words.end());
    }
  }
  words_.insert(words_.end(), {"zzz", "", "a%", "Ann", "new"});
  std::sort(words_.begin(), words_.end());
  words_.erase(std::unique(words_.begin(), words_.end()), words_.end());
  edges_ = {
      {"people", "id", "orders", "person_id"},
      {"people", "id", "events", "n"},
      {"people", "age", "events", "code"},
      {"orders", "quantity", "events", "code"},
      {"tiny", "a", "people", "id"},
      {"tiny", "a", "events", "code"},
      {"tiny", "b", "events", "category"},
      {"nothing", "id", "people", "id"},
      {"orders", "ordered_on", "events", "day"},
  };
}

// ---------------------------------------------------------------------------------------------
// Expressions

QueryGenerator::Family QueryGenerator::RandomFamily() {
  static const std::vector<Family> kFamilies = {
      Family::kInt,  Family::kInt,  Family::kInt,     Family::kDouble,    Family::kNumeric,
      Family::kText, Family::kText, Family::kBool,    Family::kDate,      Family::kTimestamp,
      Family::kBool, Family::kInt,  Family::kNumeric, Family::kTimestamp,
  };
  return random_.Pick(kFamilies);
}

QueryGenerator::Family QueryGenerator::RandomOrderableFamily() {
  static const std::vector<Family> kFamilies = {
      Family::kInt,  Family::kInt,  Family::kDouble, Family::kNumeric,
      Family::kText, Family::kText, Family::kDate,   Family::kTimestamp};
  return random_.Pick(kFamilies);
}

Expr QueryGenerator::Generate(Family family, int depth, const Scope& scope) {
  switch (family) {
    case Family::kBool:
      return GenerateBool(depth, scope);
    case Family::kInt:
      return GenerateInt(depth, scope);
    case Family::kDouble:
      return GenerateDouble(depth, scope);
    case Family::kNumeric:
      return GenerateNumeric(depth, scope);
    case Family::kText:
      return GenerateText(depth, scope);
    case Family::kDate:
      return GenerateDate(depth, scope);
    case Family::kTimestamp:
      return GenerateTimestamp(depth, scope);
  }
  return Leaf(family, scope);
}

Expr QueryGenerator::GenerateCanonical(Family family, int depth, const Scope& scope) {
  for (int attempt = 0; attempt < 5; ++attempt) {
    Expr expr = Generate(family, depth, scope);
    if (IsCanonical(expr)) {
      return expr;
    }
  }
  return Literal(family);
}

Expr QueryGenerator::Leaf(Family family, const Scope& scope) {
  std::vector<const Expr*> columns;
  for (const Expr& column : scope) {
    if (FamilyOf(column.type) == family) {
      columns.push_back(&column);
    }
  }
  if (!columns.empty() && random_.Percent(75)) {
    return *random_.Pick(columns);
  }
  return Literal(family);
}

Expr QueryGenerator::Literal(Family family) {
  if (random_.Percent(3)) {
    Expr null_value = Make(fmt::format("CAST(NULL AS {})", CastName(family)), DefaultType(family));
    null_value.scale = family == Family::kNumeric ? -1 : 0;
    return null_value;
  }
  switch (family) {
    case Family::kBool:
      return Make(random_.Percent(50) ? "TRUE" : "FALSE", SqlType::kBool);
    case Family::kInt: {
      int64_t value = random_.Percent(70) ? random_.Between(0, 10) : random_.Between(-20, 120);
      return Make(value < 0 ? fmt::format("({})", value) : std::to_string(value), SqlType::kInt32,
                  static_cast<double>(std::llabs(value)));
    }
    case Family::kDouble: {
      int64_t k = random_.Between(-80, 80);
      Expr expr = Make(fmt::format("CAST({} AS DOUBLE PRECISION)", FormatEighths(k)),
                       SqlType::kDouble, static_cast<double>(std::llabs(k)) / 8);
      expr.frac_bits = 3;
      return expr;
    }
    case Family::kNumeric: {
      int64_t cents = random_.Between(-99999, 99999);
      Expr expr = Make("", SqlType::kNumeric, static_cast<double>(std::llabs(cents)) / 100 + 1);
      switch (random_.Between(0, 2)) {
        case 0:
          expr.sql = fmt::format("CAST({} AS NUMERIC)", cents / 100);
          expr.scale = 0;
          break;
        case 1:
          expr.sql = FormatCents(cents / 10 * 10);
          expr.sql.pop_back();  // one digit after the point
          expr.scale = 1;
          break;
        default:
          expr.sql = FormatCents(cents);
          expr.scale = 2;
          break;
      }
      if (cents < 0) {
        expr.sql = "(" + expr.sql + ")";
      }
      return expr;
    }
    case Family::kText:
      return Make(QuoteLiteral(random_.Pick(words_)), SqlType::kText);
    case Family::kDate: {
      int64_t low = random_.Percent(70) ? DaysFromCivil(2023, 6, 1) : DaysFromCivil(1950, 1, 1);
      int64_t day = random_.Between(low, low + 700);
      return Make(fmt::format("DATE '{}'", FormatDate(day)), SqlType::kDate);
    }
    case Family::kTimestamp: {
      int64_t low = DaysFromCivil(2023, 12, 28) * 86400;
      int64_t seconds = random_.Between(low, low + 15 * 86400);
      seconds -= random_.Percent(50) ? seconds % 3600 : 0;
      int64_t micros = random_.Percent(20) ? 500000 : 0;
      return Make(fmt::format("TIMESTAMP '{}'", FormatTimestamp(seconds, micros)),
                  SqlType::kTimestamp);
    }
  }
  return Make("NULL", SqlType::kText);
}

Expr QueryGenerator::GenerateInt(int depth, const Scope& scope) {
  if (depth <= 0 || random_.Percent(25)) {
    return Leaf(Family::kInt, scope);
  }
  switch (random_.Between(0, 12)) {
    case 0:
    case 1: {
      Expr a = GenerateInt(depth - 1, scope);
      Expr b = GenerateInt(depth - 1, scope);
      SqlType type = Wider(a.type, b.type);
      double bound = a.max_abs + b.max_abs;
      if (bound > IntLimit(type) / 2) {
        return a;
      }
      const char* op = random_.Percent(50) ? " + " : " - ";
      return Make("(" + a.sql + op + b.sql + ")", type, bound);
    }
    case 2: {
      Expr a = GenerateInt(depth - 1, scope);
      int64_t factor = random_.Between(1, 10);
      Expr b = random_.Percent(50)
                   ? Make(std::to_string(factor), SqlType::kInt32, static_cast<double>(factor))
                   : GenerateInt(depth - 1, scope);
      SqlType type = Wider(a.type, b.type);
      double bound = a.max_abs * b.max_abs;
      if (bound > IntLimit(type) / 2) {
        return a;
      }
      return Make("(" + a.sql + " * " + b.sql + ")", type, bound);
    }
    case 3: {
      Expr a = GenerateInt(depth - 1, scope);
      Expr b = GenerateInt(depth - 1, scope);
      return Make("(" + a.sql + " / NULLIF(" + b.sql + ", 0))", Wider(a.type, b.type), a.max_abs);
    }
    case 4: {
      Expr a = GenerateInt(depth - 1, scope);
      Expr b = GenerateInt(depth - 1, scope);
      return Make("(" + a.sql + " % NULLIF(" + b.sql + ", 0))", Wider(a.type, b.type),
                  std::min(a.max_abs, b.max_abs));
    }
    case 5: {
      Expr a = GenerateInt(depth - 1, scope);
      return Make(random_.Percent(50) ? "(- " + a.sql + ")" : "abs(" + a.sql + ")", a.type,
                  a.max_abs);
    }
    case 6: {
      Expr condition = GenerateBool(depth - 1, scope);
      Expr a = GenerateInt(depth - 1, scope);
      if (random_.Percent(20)) {
        return Make("CASE WHEN " + condition.sql + " THEN " + a.sql + " END", a.type, a.max_abs);
      }
      Expr b = GenerateInt(depth - 1, scope);
      return Make("CASE WHEN " + condition.sql + " THEN " + a.sql + " ELSE " + b.sql + " END",
                  Wider(a.type, b.type), std::max(a.max_abs, b.max_abs));
    }
    case 7: {
      Expr a = GenerateInt(depth - 1, scope);
      Expr b = GenerateInt(depth - 1, scope);
      if (random_.Percent(30)) {
        return Make("NULLIF(" + a.sql + ", " + b.sql + ")", a.type, a.max_abs);
      }
      return Make("COALESCE(" + a.sql + ", " + b.sql + ")", Wider(a.type, b.type),
                  std::max(a.max_abs, b.max_abs));
    }
    case 8: {
      Expr text = GenerateText(depth - 1, scope);
      if (random_.Percent(70)) {
        return Make("length(" + text.sql + ")", SqlType::kInt32, 10000);
      }
      return Make("position(" +
                      QuoteLiteral(random_.Pick(std::vector<std::string>{"a", "e", " ", "n"})) +
                      " IN " + text.sql + ")",
                  SqlType::kInt32, 10000);
    }
    case 9: {
      Expr source = random_.Percent(50) ? GenerateDouble(depth - 1, scope)
                                        : GenerateNumeric(depth - 1, scope);
      if (source.max_abs >= 1e6) {
        return Leaf(Family::kInt, scope);
      }
      if (source.max_abs < 30000 && random_.Percent(20)) {
        return Make("CAST(" + source.sql + " AS SMALLINT)", SqlType::kInt16, source.max_abs + 1);
      }
      bool big = random_.Percent(30);
      return Make("CAST(" + source.sql + (big ? " AS BIGINT)" : " AS INTEGER)"),
                  big ? SqlType::kInt64 : SqlType::kInt32, source.max_abs + 1);
    }
    case 10: {
      Expr a = GenerateDate(depth - 1, scope);
      Expr b = GenerateDate(depth - 1, scope);
      return Make("(" + a.sql + " - " + b.sql + ")", SqlType::kInt32, 1e6);
    }
    default: {
      Expr a = GenerateInt(depth - 1, scope);
      Expr b = GenerateInt(depth - 1, scope);
      const char* function = random_.Percent(50) ? "GREATEST(" : "LEAST(";
      return Make(function + a.sql + ", " + b.sql + ")", Wider(a.type, b.type),
                  std::max(a.max_abs, b.max_abs));
    }
  }
}

Expr QueryGenerator::GenerateDouble(int depth, const Scope& scope) {
  if (depth <= 0 || random_.Percent(25)) {
    return Leaf(Family::kDouble, scope);
  }
  auto operand = [&]() {
    if (random_.Percent(25)) {
      // An integer operand: PostgreSQL converts it to double.
      Expr value = Leaf(Family::kInt, scope);
      Expr converted = Make(value.sql, SqlType::kDouble, value.max_abs);
      converted.exact = value.max_abs < kExactLimit;
      return converted;
    }
    return GenerateDouble(depth - 1, scope);
  };
  auto exact = [](const Expr& result) {
    return result.max_abs * std::ldexp(1.0, result.frac_bits) < kExactLimit;
  };
  switch (random_.Between(0, 11)) {
    case 0:
    case 1: {
      Expr a = GenerateDouble(depth - 1, scope);
      Expr b = operand();
      bool plus = random_.Percent(50);
      Expr result = Make("(" + a.sql + (plus ? " + " : " - ") + b.sql + ")", SqlType::kDouble,
                         a.max_abs + b.max_abs);
      result.frac_bits = std::max(a.frac_bits, b.frac_bits);
      result.exact = a.exact && b.exact && exact(result);
      // x - x is +0; only -0 - (+0) and -0 + -0 give -0.
      result.negative_zero = plus ? a.negative_zero && b.negative_zero : a.negative_zero;
      return result;
    }
    case 2: {
      Expr a = GenerateDouble(depth - 1, scope);
      Expr b = operand();
      if (a.max_abs * b.max_abs > 1e12) {
        return a;
      }
      Expr result =
          Make("(" + a.sql + " * " + b.sql + ")", SqlType::kDouble, a.max_abs * b.max_abs);
      result.frac_bits = a.frac_bits + b.frac_bits;
      result.exact = a.exact && b.exact && exact(result);
      result.negative_zero = true;
      return result;
    }
    case 3: {
      Expr a = GenerateDouble(depth - 1, scope);
      Expr b = operand();
      double bound = a.max_abs * std::ldexp(1.0, b.frac_bits);
      if (!b.exact || bound > 1e12) {
        return a;
      }
      Expr result = Make("(" + a.sql + " / NULLIF(" + b.sql + ", 0))", SqlType::kDouble, bound);
      result.exact = false;
      result.negative_zero = true;
      return result;
    }
    case 4: {
      Expr a = GenerateDouble(depth - 1, scope);
      bool negate = random_.Percent(50);
      a.sql = negate ? "(- " + a.sql + ")" : "abs(" + a.sql + ")";
      a.negative_zero = negate;
      return a;
    }
    case 5:
    case 6: {
      Expr a = GenerateDouble(depth - 1, scope);
      Expr b = GenerateDouble(depth - 1, scope);
      Expr result = Make("", SqlType::kDouble, std::max(a.max_abs, b.max_abs));
      if (random_.Percent(50)) {
        result.sql = "CASE WHEN " + GenerateBool(depth - 1, scope).sql + " THEN " + a.sql +
                     " ELSE " + b.sql + " END";
      } else {
        const char* function =
            random_.Pick(std::vector<const char*>{"COALESCE(", "GREATEST(", "LEAST("});
        result.sql = function + a.sql + ", " + b.sql + ")";
      }
      result.frac_bits = std::max(a.frac_bits, b.frac_bits);
      result.exact = a.exact && b.exact;
      result.negative_zero = a.negative_zero || b.negative_zero;
      return result;
    }
    case 7: {
      Expr value = GenerateInt(depth - 1, scope);
      Expr result =
          Make("CAST(" + value.sql + " AS DOUBLE PRECISION)", SqlType::kDouble, value.max_abs);
      result.exact = value.max_abs < kExactLimit;
      return result;
    }
    case 8: {
      Expr value = GenerateNumeric(depth - 1, scope);
      Expr result =
          Make("CAST(" + value.sql + " AS DOUBLE PRECISION)", SqlType::kDouble, value.max_abs);
      result.exact = value.scale == 0 && value.max_abs < kExactLimit;
      return result;
    }
    case 9: {
      Expr a = GenerateDouble(depth - 1, scope);
      const char* function =
          random_.Pick(std::vector<const char*>{"round(", "floor(", "ceil(", "trunc("});
      Expr result = Make(function + a.sql + ")", SqlType::kDouble, a.max_abs + 1);
      result.exact = a.exact;
      result.negative_zero = true;  // round(-0.25) is -0
      return result;
    }
    case 10: {
      Expr a = GenerateDouble(depth - 1, scope);
      Expr result = Make("sqrt(abs(" + a.sql + "))", SqlType::kDouble, std::sqrt(a.max_abs) + 1);
      result.exact = false;
      return result;
    }
    default:
      return Leaf(Family::kDouble, scope);
  }
}

Expr QueryGenerator::GenerateNumeric(int depth, const Scope& scope) {
  if (depth <= 0 || random_.Percent(25)) {
    return Leaf(Family::kNumeric, scope);
  }
  auto operand = [&]() {
    if (random_.Percent(25)) {
      Expr value = Leaf(Family::kInt, scope);  // integer operands become numeric, scale 0
      Expr converted = Make(value.sql, SqlType::kNumeric, value.max_abs);
      converted.scale = 0;
      return converted;
    }
    return GenerateNumeric(depth - 1, scope);
  };
  auto combined_scale = [](const Expr& a, const Expr& b) {
    return a.scale < 0 || b.scale < 0 ? -1 : std::max(a.scale, b.scale);
  };
  switch (random_.Between(0, 11)) {
    case 0:
    case 1: {
      Expr a = GenerateNumeric(depth - 1, scope);
      Expr b = operand();
      Expr result = Make("(" + a.sql + (random_.Percent(50) ? " + " : " - ") + b.sql + ")",
                         SqlType::kNumeric, a.max_abs + b.max_abs);
      result.scale = combined_scale(a, b);
      return result;
    }
    case 2: {
      Expr a = GenerateNumeric(depth - 1, scope);
      Expr b = operand();
      int scale = a.scale < 0 || b.scale < 0 ? -1 : a.scale + b.scale;
      if (scale > 6 || a.max_abs * b.max_abs > kNumericLimit) {
        return a;
      }
      Expr result =
          Make("(" + a.sql + " * " + b.sql + ")", SqlType::kNumeric, a.max_abs * b.max_abs);
      result.scale = scale;
      return result;
    }
    case 3: {
      Expr a = GenerateNumeric(depth - 1, scope);
      Expr b = operand();
      Expr result =
          Make("(" + a.sql + " / NULLIF(" + b.sql + ", 0))", SqlType::kNumeric, kUnbounded);
      result.scale = -1;
      return result;
    }
    case 4: {
      Expr a = GenerateNumeric(depth - 1, scope);
      int digits = static_cast<int>(random_.Between(0, 3));
      const char* function = random_.Percent(70) ? "round(" : "trunc(";
      Expr result =
          Make(fmt::format("{}{}, {})", function, a.sql, digits), SqlType::kNumeric, a.max_abs + 1);
      result.scale = digits;
      return result;
    }
    case 5: {
      Expr a = GenerateNumeric(depth - 1, scope);
      a.sql = random_.Percent(50) ? "(- " + a.sql + ")" : "abs(" + a.sql + ")";
      return a;
    }
    case 6:
    case 7: {
      Expr a = GenerateNumeric(depth - 1, scope);
      Expr b = GenerateNumeric(depth - 1, scope);
      Expr result = Make("", SqlType::kNumeric, std::max(a.max_abs, b.max_abs));
      if (random_.Percent(50)) {
        result.sql = "CASE WHEN " + GenerateBool(depth - 1, scope).sql + " THEN " + a.sql +
                     " ELSE " + b.sql + " END";
      } else {
        const char* function =
            random_.Pick(std::vector<const char*>{"COALESCE(", "GREATEST(", "LEAST("});
        result.sql = function + a.sql + ", " + b.sql + ")";
      }
      result.scale = a.scale == b.scale ? a.scale : -1;
      return result;
    }
    case 8: {
      Expr value = GenerateInt(depth - 1, scope);
      Expr result = Make("CAST(" + value.sql + " AS NUMERIC)", SqlType::kNumeric, value.max_abs);
      result.scale = 0;
      return result;
    }
    case 9: {
      Expr value = GenerateDouble(depth - 1, scope);
      Expr result = Make("CAST(" + value.sql + " AS NUMERIC)", SqlType::kNumeric, value.max_abs);
      result.scale = -1;
      return result;
    }
    case 10: {
      bool from_timestamp = random_.Percent(50);
      Expr source =
          from_timestamp ? GenerateTimestamp(depth - 1, scope) : GenerateDate(depth - 1, scope);
      std::vector<const char*> fields = {"YEAR", "MONTH", "DAY", "DOW", "DOY", "QUARTER"};
      if (from_timestamp) {
        fields.insert(fields.end(), {"HOUR", "MINUTE"});
      }
      Expr result = Make(fmt::format("EXTRACT({} FROM {})", random_.Pick(fields), source.sql),
                         SqlType::kNumeric, 1e5);
      result.scale = 0;
      return result;
    }
    default:
      return Leaf(Family::kNumeric, scope);
  }
}

Expr QueryGenerator::GenerateText(int depth, const Scope& scope) {
  if (depth <= 0 || random_.Percent(25)) {
    return Leaf(Family::kText, scope);
  }
  auto text = [&]() { return GenerateText(depth - 1, scope).sql; };
  switch (random_.Between(0, 12)) {
    case 0:
      return Make((random_.Percent(50) ? "upper(" : "lower(") + text() + ")", SqlType::kText);
    case 1:
      return Make("(" + text() + " || " + text() + ")", SqlType::kText);
    case 2:
      return Make("concat(" + text() + ", " + text() + ")", SqlType::kText);
    case 3: {
      int64_t start = random_.Between(0, 4);
      int64_t length = random_.Between(0, 5);
      if (random_.Percent(50)) {
        return Make(fmt::format("substr({}, {}, {})", text(), start, length), SqlType::kText);
      }
      return Make(fmt::format("substring({} FROM {} FOR {})", text(), start, length),
                  SqlType::kText);
    }
    case 4: {
      const char* function = random_.Pick(std::vector<const char*>{"trim(", "ltrim(", "rtrim("});
      return Make(function + text() + ")", SqlType::kText);
    }
    case 5: {
      std::string from = random_.Pick(std::vector<std::string>{"a", "e", " ", "A", "%"});
      return Make(fmt::format("replace({}, {}, 'X')", text(), QuoteLiteral(from)), SqlType::kText);
    }
    case 6:
      return Make(fmt::format("{}{}, {})", random_.Percent(50) ? "left(" : "right(", text(),
                              random_.Between(-3, 5)),
                  SqlType::kText);
    case 7:
      return Make(fmt::format("{}{}, {}, '*')", random_.Percent(50) ? "lpad(" : "rpad(", text(),
                              random_.Between(0, 10)),
                  SqlType::kText);
    case 8:
      if (random_.Percent(50)) {
        return Make("reverse(" + text() + ")", SqlType::kText);
      }
      return Make(fmt::format("repeat({}, {})", text(), random_.Between(0, 2)), SqlType::kText);
    case 9: {
      std::string condition = GenerateBool(depth - 1, scope).sql;
      return Make("CASE WHEN " + condition + " THEN " + text() + " ELSE " + text() + " END",
                  SqlType::kText);
    }
    case 10:
      if (random_.Percent(30)) {
        return Make("NULLIF(" + text() + ", " + text() + ")", SqlType::kText);
      }
      return Make("COALESCE(" + text() + ", " + text() + ")", SqlType::kText);
    default: {
      static const std::vector<Family> kSources = {Family::kInt,    Family::kDate,
                                                   Family::kBool,   Family::kNumeric,
                                                   Family::kDouble, Family::kTimestamp};
      Expr source = Generate(random_.Pick(kSources), depth - 1, scope);
      if (!IsCanonical(source)) {
        source = Leaf(FamilyOf(source.type), scope);
      }
      return Make("CAST(" + source.sql + " AS TEXT)", SqlType::kText);
    }
  }
}

std::string QueryGenerator::LikePattern() {
  std::vector<std::string> points = CodePoints(random_.Pick(words_));
  if (points.empty()) {
    return "'%'";
  }
  std::string pattern;
  switch (random_.Between(0, 4)) {
    case 0:  // prefix
      for (size_t i = 0; i < std::min<size_t>(2, points.size()); ++i) {
        pattern += points[i];
      }
      pattern += "%";
      break;
    case 1:  // suffix
      pattern = "%";
      for (size_t i = points.size() > 2 ? points.size() - 2 : 0; i < points.size(); ++i) {
        pattern += points[i];
      }
      break;
    case 2:  // infix
      pattern = "%" + points[points.size() / 2] + "%";
      break;
    case 3: {  // one character replaced by _
      size_t replaced =
          static_cast<size_t>(random_.Between(0, static_cast<int64_t>(points.size()) - 1));
      for (size_t i = 0; i < points.size(); ++i) {
        pattern += i == replaced ? "_" : points[i];
      }
      break;
    }
    default:
      for (const std::string& point : points) {
        pattern += point;
      }
      break;
  }
  return QuoteLiteral(pattern);
}

Expr QueryGenerator::GenerateBool(int depth, const Scope& scope) {
  if (depth <= 0 || random_.Percent(15)) {
    return Leaf(Family::kBool, scope);
  }
  switch (random_.Between(0, 13)) {
    case 0:
    case 1:
    case 2:
    case 3: {
      Family family = RandomOrderableFamily();
      Expr a = Generate(family, depth - 1, scope);
      Expr b = random_.Percent(50) ? Literal(family) : Generate(family, depth - 1, scope);
      const char* op = random_.Pick(
          std::vector<const char*>{" = ", " <> ", " < ", " <= ", " > ", " >= ", " != "});
      return Make("(" + a.sql + op + b.sql + ")", SqlType::kBool);
    }
    case 4:
    case 5: {
      Expr a = GenerateBool(depth - 1, scope);
      Expr b = GenerateBool(depth - 1, scope);
      return Make("(" + a.sql + (random_.Percent(50) ? " AND " : " OR ") + b.sql + ")",
                  SqlType::kBool);
    }
    case 6:
      return Make("(NOT " + GenerateBool(depth - 1, scope).sql + ")", SqlType::kBool);
    case 7: {
      Expr a = Generate(RandomFamily(), depth - 1, scope);
      return Make("(" + a.sql + (random_.Percent(50) ? " IS NULL)" : " IS NOT NULL)"),
                  SqlType::kBool);
    }
    case 8: {
      Family family = random_.Pick(
          std::vector<Family>{Family::kInt, Family::kDate, Family::kText, Family::kNumeric});
      Expr a = Generate(family, depth - 1, scope);
      Expr low = Literal(family);
      Expr high = Literal(family);
      return Make("(" + a.sql + (random_.Percent(70) ? " BETWEEN " : " NOT BETWEEN ") + low.sql +
                      " AND " + high.sql + ")",
                  SqlType::kBool);
    }
    case 9: {
      Family family = random_.Pick(std::vector<Family>{Family::kInt, Family::kText, Family::kDate});
      Expr a = Generate(family, depth - 1, scope);
      std::vector<std::string> items;
      int64_t count = random_.Between(1, 4);
      for (int64_t i = 0; i < count; ++i) {
        items.push_back(random_.Percent(10) ? "NULL" : Literal(family).sql);
      }
      return Make(fmt::format("({}{}({}))", a.sql, random_.Percent(70) ? " IN " : " NOT IN ",
                              fmt::join(items, ", ")),
                  SqlType::kBool);
    }
    case 10: {
      Expr a = GenerateText(depth - 1, scope);
      const char* op =
          random_.Pick(std::vector<const char*>{" LIKE ", " LIKE ", " NOT LIKE ", " ILIKE "});
      return Make("(" + a.sql + op + LikePattern() + ")", SqlType::kBool);
    }
    case 11: {
      Family family = RandomFamily();
      Expr a = Generate(family, depth - 1, scope);
      Expr b = random_.Percent(50) ? Literal(family) : Generate(family, depth - 1, scope);
      return Make("(" + a.sql +
                      (random_.Percent(50) ? " IS DISTINCT FROM " : " IS NOT DISTINCT FROM ") +
                      b.sql + ")",
                  SqlType::kBool);
    }
    case 12: {
      Expr a = GenerateBool(depth - 1, scope);
      const char* test = random_.Pick(std::vector<const char*>{
          " IS TRUE)", " IS NOT TRUE)", " IS FALSE)", " IS NOT FALSE)", " IS UNKNOWN)"});
      return Make("(" + a.sql + test, SqlType::kBool);
    }
    default: {
      Expr condition = GenerateBool(depth - 1, scope);
      Expr a = GenerateBool(depth - 1, scope);
      Expr b = GenerateBool(depth - 1, scope);
      return Make("CASE WHEN " + condition.sql + " THEN " + a.sql + " ELSE " + b.sql + " END",
                  SqlType::kBool);
    }
  }
}

Expr QueryGenerator::GenerateDate(int depth, const Scope& scope) {
  if (depth <= 0 || random_.Percent(35)) {
    return Leaf(Family::kDate, scope);
  }
  switch (random_.Between(0, 4)) {
    case 0:
    case 1: {
      Expr date = GenerateDate(depth - 1, scope);
      // date + integer exists for INTEGER only (SMALLINT converts); keep the offset small.
      Expr days = GenerateInt(depth - 1, scope);
      if (days.max_abs > 10000 || days.type == SqlType::kInt64) {
        days = Make(std::to_string(random_.Between(0, 400)), SqlType::kInt32);
      }
      return Make("(" + date.sql + (random_.Percent(50) ? " + " : " - ") + days.sql + ")",
                  SqlType::kDate);
    }
    case 2:
      return Make("CAST(" + GenerateTimestamp(depth - 1, scope).sql + " AS DATE)", SqlType::kDate);
    case 3: {
      std::string condition = GenerateBool(depth - 1, scope).sql;
      return Make("CASE WHEN " + condition + " THEN " + GenerateDate(depth - 1, scope).sql +
                      " ELSE " + GenerateDate(depth - 1, scope).sql + " END",
                  SqlType::kDate);
    }
    default: {
      const char* function =
          random_.Pick(std::vector<const char*>{"COALESCE(", "GREATEST(", "LEAST("});
      return Make(function + GenerateDate(depth - 1, scope).sql + ", " +
                      GenerateDate(depth - 1, scope).sql + ")",
                  SqlType::kDate);
    }
  }
}

Expr QueryGenerator::GenerateTimestamp(int depth, const Scope& scope) {
  if (depth <= 0 || random_.Percent(35)) {
    return Leaf(Family::kTimestamp, scope);
  }
  switch (random_.Between(0, 5)) {
    case 0:
    case 1: {
      const char* unit =
          random_.Pick(std::vector<const char*>{"year", "month", "day", "hour", "minute"});
      return Make(
          fmt::format("date_trunc('{}', {})", unit, GenerateTimestamp(depth - 1, scope).sql),
          SqlType::kTimestamp);
    }
    case 2: {
      const char* interval = random_.Pick(std::vector<const char*>{
          "INTERVAL '1 day'", "INTERVAL '2 hours'", "INTERVAL '90 minutes'", "INTERVAL '1 month'",
          "INTERVAL '30 seconds'"});
      return Make("(" + GenerateTimestamp(depth - 1, scope).sql +
                      (random_.Percent(50) ? " + " : " - ") + interval + ")",
                  SqlType::kTimestamp);
    }
    case 3:
      return Make("CAST(" + GenerateDate(depth - 1, scope).sql + " AS TIMESTAMP)",
                  SqlType::kTimestamp);
    case 4: {
      std::string condition = GenerateBool(depth - 1, scope).sql;
      return Make("CASE WHEN " + condition + " THEN " + GenerateTimestamp(depth - 1, scope).sql +
                      " ELSE " + GenerateTimestamp(depth - 1, scope).sql + " END",
                  SqlType::kTimestamp);
    }
    default:
      return Make("COALESCE(" + GenerateTimestamp(depth - 1, scope).sql + ", " +
                      GenerateTimestamp(depth - 1, scope).sql + ")",
                  SqlType::kTimestamp);
  }
}

Expr QueryGenerator::Aggregate(const Scope& scope) {
  auto filter = [&]() -> std::string {
    if (!random_.Percent(20)) {
      return "";
    }
    return " FILTER (WHERE " + GenerateBool(static_cast<int>(random_.Between(1, 2)), scope).sql +
           ")";
  };
  // Sums and averages of doubles must add exact values only, or the order of the rows shows.
  auto summable = [&]() {
    for (int attempt = 0; attempt < 4; ++attempt) {
      Family family = random_.Pick(
          std::vector<Family>{Family::kInt, Family::kInt, Family::kNumeric, Family::kDouble});
      Expr value = Generate(family, static_cast<int>(random_.Between(0, 2)), scope);
      if (value.type != SqlType::kDouble ||
          (value.exact &&
           value.max_abs * std::ldexp(1.0, value.frac_bits) * kMaxAggregatedRows < kExactLimit)) {
        return value;
      }
    }
    return Leaf(Family::kInt, scope);
  };
  switch (random_.Between(0, 10)) {
    case 0:
      return Make("count(*)" + filter(), SqlType::kInt64, kMaxAggregatedRows);
    case 1: {
      Expr value = Generate(RandomFamily(), static_cast<int>(random_.Between(0, 2)), scope);
      bool distinct = random_.Percent(40);
      return Make(fmt::format("count({}{}){}", distinct ? "DISTINCT " : "", value.sql, filter()),
                  SqlType::kInt64, kMaxAggregatedRows);
    }
    case 2:
    case 3: {
      Expr value = summable();
      Expr result = value;
      result.sql = "sum(" + value.sql + ")" + filter();
      result.max_abs = value.max_abs * kMaxAggregatedRows;
      if (value.type == SqlType::kInt64) {
        result.type = SqlType::kNumeric;
        result.scale = 0;
      } else if (IsInt(value.type)) {
        result.type = SqlType::kInt64;
      }
      return result;
    }
    case 4: {
      Expr value = summable();
      Expr result = Make("avg(" + value.sql + ")" + filter(),
                         value.type == SqlType::kDouble ? SqlType::kDouble : SqlType::kNumeric,
                         value.max_abs);
      result.scale = -1;
      result.exact = false;
      return result;
    }
    case 5:
    case 6: {
      Expr value = GenerateCanonical(RandomOrderableFamily(),
                                     static_cast<int>(random_.Between(0, 2)), scope);
      value.sql = (random_.Percent(50) ? "min(" : "max(") + value.sql + ")" + filter();
      return value;
    }
    case 7: {
      // Plain columns and constants only: the variance of a computed NUMERIC (a quotient has 20
      // decimals) needs 40 decimals, beyond Freshet's 35-digit NUMERIC (a documented limit).
      Family family = random_.Percent(60) ? Family::kInt : Family::kNumeric;
      Expr value = Generate(family, 0, scope);
      // Over a view, a column may itself be computed (an average, a large sum): keep to narrow
      // values of a fixed small scale.
      if (view_mode_ && (value.max_abs > 1e9 || (value.type == SqlType::kNumeric &&
                                                 (value.scale < 0 || value.scale > 2)))) {
        value = Literal(Family::kInt);
      }
      const char* function = random_.Pick(
          std::vector<const char*>{"stddev_samp(", "stddev_pop(", "var_samp(", "var_pop("});
      Expr result = Make(function + value.sql + ")" + filter(), SqlType::kNumeric, kUnbounded);
      result.scale = -1;
      return result;
    }
    case 8: {
      Expr value = GenerateBool(static_cast<int>(random_.Between(0, 2)), scope);
      return Make((random_.Percent(50) ? "bool_and(" : "bool_or(") + value.sql + ")" + filter(),
                  SqlType::kBool);
    }
    default: {
      if (view_mode_) {
        // Views do without string_agg (an ordered aggregate): count distinct values instead.
        Expr value = Generate(RandomFamily(), static_cast<int>(random_.Between(0, 1)), scope);
        return Make("count(DISTINCT " + value.sql + ")" + filter(), SqlType::kInt64,
                    kMaxAggregatedRows);
      }
      Expr value = GenerateText(static_cast<int>(random_.Between(0, 1)), scope);
      if (!MentionsColumn(value, scope)) {
        // A constant string_agg argument is no test, and with DISTINCT PostgreSQL rejects it.
        std::vector<Expr> columns;
        std::copy_if(scope.begin(), scope.end(), std::back_inserter(columns),
                     [](const Expr& column) { return column.type == SqlType::kText; });
        if (columns.empty()) {
          return Make("count(*)", SqlType::kInt64, kMaxAggregatedRows);
        }
        value = random_.Pick(columns);
      }
      std::string separator = random_.Pick(std::vector<std::string>{"','", "'|'", "', '"});
      bool distinct = random_.Percent(20);
      return Make(fmt::format("string_agg({}{}, {} ORDER BY {}){}", distinct ? "DISTINCT " : "",
                              value.sql, separator, value.sql, filter()),
                  SqlType::kText);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Queries

const TableSpec& QueryGenerator::Table(const std::string& name) const {
  for (const TableSpec& table : tables_) {
    if (table.name == name) {
      return table;
    }
  }
  return tables_.front();
}

const TableSpec& QueryGenerator::RandomTable(bool allow_small) {
  int64_t roll = random_.Between(0, 99);
  if (allow_small && roll < 5) {
    return Table("tiny");
  }
  if (allow_small && roll < 10) {
    return Table("nothing");
  }
  return Table(random_.Pick(std::vector<std::string>{"people", "orders", "events"}));
}

QueryGenerator::TableRef QueryGenerator::Ref(const TableSpec& table) {
  return TableRef{&table, fmt::format("{}{}", table.name[0], ++alias_counter_)};
}

QueryGenerator::Scope QueryGenerator::ScopeOf(const TableRef& ref) {
  Scope scope;
  for (const ColumnSpec& column : ref.table->columns) {
    Expr expr = Make(ref.alias + "." + column.name, column.type);
    double bound = static_cast<double>(std::max(std::llabs(column.min), std::llabs(column.max)));
    if (column.primary_key) {
      bound = static_cast<double>(column.min + ref.table->row_count);
    }
    switch (column.type) {
      case SqlType::kDouble:
        expr.max_abs = bound / 8;
        expr.frac_bits = 3;
        break;
      case SqlType::kNumeric:
        expr.max_abs = bound / 100;
        expr.scale = 2;
        break;
      default:
        expr.max_abs = bound;
        break;
    }
    scope.push_back(std::move(expr));
  }
  return scope;
}

std::string QueryGenerator::SelectList(const std::vector<Expr>& items, size_t first_alias) const {
  std::string list;
  for (size_t i = 0; i < items.size(); ++i) {
    list += fmt::format("{}{} AS c{}", i == 0 ? "" : ", ", items[i].sql, first_alias + i);
  }
  return list;
}

std::string QueryGenerator::OrderByAll(size_t columns, bool allow_limit) {
  std::string order = " ORDER BY ";
  bool by_name = random_.Percent(30);
  for (size_t i = 1; i <= columns; ++i) {
    order += fmt::format("{}{}{}{}", i == 1 ? "" : ", ", by_name ? "c" : "", i,
                         random_.Pick(std::vector<const char*>{
                             "", "", "", " DESC", " ASC", " NULLS FIRST", " DESC NULLS LAST"}));
  }
  if (allow_limit && random_.Percent(50)) {
    order += fmt::format(" LIMIT {}", random_.Between(0, 25));
    if (random_.Percent(30)) {
      order += fmt::format(" OFFSET {}", random_.Between(0, 10));
    }
  }
  return order;
}

std::string QueryGenerator::MaybeWhere(const Scope& scope, int percent) {
  if (!random_.Percent(percent)) {
    return "";
  }
  return " WHERE " + GenerateBool(static_cast<int>(random_.Between(1, 3)), scope).sql;
}

GeneratedQuery QueryGenerator::Projection() {
  TableRef ref = Ref(RandomTable(true));
  Scope scope = ScopeOf(ref);
  std::vector<Expr> items;
  int64_t count = random_.Between(1, 4);
  for (int64_t i = 0; i < count; ++i) {
    items.push_back(Generate(RandomFamily(), static_cast<int>(random_.Between(0, 3)), scope));
  }
  std::string sql = fmt::format("SELECT {} FROM {} {}{}", SelectList(items), ref.table->name,
                                ref.alias, MaybeWhere(scope, 30));
  if (random_.Percent(40)) {
    sql += OrderByAll(items.size(), true);
  }
  return {sql, "random:scalar"};
}

GeneratedQuery QueryGenerator::Filter() {
  TableRef ref = Ref(RandomTable(true));
  Scope scope = ScopeOf(ref);
  std::vector<Expr> items;
  int64_t count = random_.Between(1, 3);
  for (int64_t i = 0; i < count; ++i) {
    items.push_back(random_.Pick(scope));
  }
  std::string sql =
      fmt::format("SELECT {} FROM {} {} WHERE {}", SelectList(items), ref.table->name, ref.alias,
                  GenerateBool(static_cast<int>(random_.Between(2, 3)), scope).sql);
  if (random_.Percent(30)) {
    sql += OrderByAll(items.size(), true);
  }
  return {sql, "random:where"};
}

GeneratedQuery QueryGenerator::PlainAggregate() {
  TableRef ref = Ref(RandomTable(true));
  Scope scope = ScopeOf(ref);
  std::vector<Expr> items;
  int64_t count = random_.Between(1, 4);
  for (int64_t i = 0; i < count; ++i) {
    items.push_back(Aggregate(scope));
  }
  return {fmt::format("SELECT {} FROM {} {}{}", SelectList(items), ref.table->name, ref.alias,
                      MaybeWhere(scope, 35)),
          "random:aggregate"};
}

std::string QueryGenerator::GroupedSelect(const std::string& from,
                                          const Scope& scope,
                                          bool allow_order,
                                          std::vector<Expr>* items_out) {
  static const std::vector<Family> kKeyFamilies = {
      Family::kInt,  Family::kInt,    Family::kText,    Family::kText,     Family::kBool,
      Family::kDate, Family::kDouble, Family::kNumeric, Family::kTimestamp};
  std::vector<Expr> keys;
  int64_t key_count = random_.Between(1, 2);
  for (int64_t i = 0; i < key_count; ++i) {
    Expr key = GenerateCanonical(random_.Pick(kKeyFamilies),
                                 static_cast<int>(random_.Between(0, 1)), scope);
    // A bare constant in GROUP BY is a position (or an error), not a key.
    if (!MentionsColumn(key, scope)) {
      if (!view_mode_) {
        key = random_.Pick(scope);
      } else if (std::optional<Expr> column = CanonicalColumn(scope)) {
        key = *column;  // a view's columns may print equal values differently
      } else {
        key = Make("(" + scope.front().sql + " IS NULL)", SqlType::kBool);
      }
    }
    keys.push_back(key);
  }
  std::vector<Expr> items = keys;
  int64_t aggregate_count = random_.Between(1, 3);
  for (int64_t i = 0; i < aggregate_count; ++i) {
    items.push_back(Aggregate(scope));
  }
  std::string group_by;
  bool by_position = random_.Percent(50);
  for (size_t i = 0; i < keys.size(); ++i) {
    group_by += (i == 0 ? "" : ", ") + (by_position ? std::to_string(i + 1) : keys[i].sql);
  }
  std::string sql = fmt::format("SELECT {} FROM {}{} GROUP BY {}", SelectList(items), from,
                                MaybeWhere(scope, 30), group_by);
  if (random_.Percent(30)) {
    switch (random_.Between(0, 3)) {
      case 0:
        sql += fmt::format(" HAVING count(*) > {}", random_.Between(0, 3));
        break;
      case 1:
        sql += " HAVING " + Aggregate(scope).sql + " IS NOT NULL";
        break;
      case 2: {
        Expr value = GenerateInt(1, scope);
        sql += fmt::format(" HAVING sum({}) > {}", value.sql, random_.Between(-100, 1000));
        break;
      }
      default:
        sql += " HAVING bool_or(" + GenerateBool(2, scope).sql + ")";
        break;
    }
  }
  if (allow_order && random_.Percent(40)) {
    sql += OrderByAll(items.size(), true);
  }
  if (items_out != nullptr) {
    *items_out = std::move(items);
  }
  return sql;
}

GeneratedQuery QueryGenerator::GroupBy() {
  TableRef ref = Ref(RandomTable(true));
  return {GroupedSelect(ref.table->name + " " + ref.alias, ScopeOf(ref), true), "random:group_by"};
}

GeneratedQuery QueryGenerator::Join() {
  std::string from;
  Scope scope;
  if (random_.Percent(10)) {
    TableRef left = Ref(RandomTable(false));
    TableRef right = Ref(Table(random_.Percent(70) ? "tiny" : "nothing"));
    from = fmt::format("{} {} CROSS JOIN {} {}", left.table->name, left.alias, right.table->name,
                       right.alias);
    scope = ScopeOf(left);
    Scope right_scope = ScopeOf(right);
    scope.insert(scope.end(), right_scope.begin(), right_scope.end());
  } else {
    const JoinEdge& edge = random_.Pick(edges_);
    bool swap = random_.Percent(50);
    TableRef left = Ref(Table(swap ? edge.right_table : edge.left_table));
    TableRef right = Ref(Table(swap ? edge.left_table : edge.right_table));
    const std::string& left_column = swap ? edge.right_column : edge.left_column;
    const std::string& right_column = swap ? edge.left_column : edge.right_column;
    scope = ScopeOf(left);
    Scope right_scope = ScopeOf(right);
    std::string condition =
        fmt::format("{}.{} = {}.{}", left.alias, left_column, right.alias, right_column);
    int64_t roll = random_.Between(0, 99);
    const char* join = roll < 35   ? (roll < 15 ? " JOIN " : " INNER JOIN ")
                       : roll < 65 ? " LEFT JOIN "
                       : roll < 80 ? " RIGHT JOIN "
                                   : " FULL JOIN ";
    bool full = roll >= 80;
    // PostgreSQL runs FULL JOIN only on conditions it can hash or merge: no extra predicates.
    if (!full && random_.Percent(25)) {
      condition += " AND " + GenerateBool(1, right_scope).sql;
    }
    if (random_.Percent(10) && !full) {
      from =
          fmt::format("{} {}, {} {}", left.table->name, left.alias, right.table->name, right.alias);
      scope.insert(scope.end(), right_scope.begin(), right_scope.end());
      std::string extra = MaybeWhere(scope, 40);
      std::vector<Expr> items;
      int64_t count = random_.Between(1, 4);
      for (int64_t i = 0; i < count; ++i) {
        items.push_back(Generate(RandomFamily(), static_cast<int>(random_.Between(0, 2)), scope));
      }
      std::string sql = fmt::format("SELECT {} FROM {} WHERE {}{}", SelectList(items), from,
                                    condition, extra.empty() ? "" : " AND" + extra.substr(6));
      if (random_.Percent(40)) {
        sql += OrderByAll(items.size(), true);
      }
      return {sql, "random:join"};
    }
    from = fmt::format("{} {}{}{} {} ON {}", left.table->name, left.alias, join, right.table->name,
                       right.alias, condition);
    scope.insert(scope.end(), right_scope.begin(), right_scope.end());
    if (random_.Percent(20)) {
      // A third table, joined to one of the first two along another edge.
      std::vector<const JoinEdge*> candidates;
      for (const JoinEdge& next : edges_) {
        bool touches = next.left_table == left.table->name || next.left_table == right.table->name;
        if (touches && next.right_table != left.table->name &&
            next.right_table != right.table->name) {
          candidates.push_back(&next);
        }
      }
      if (!candidates.empty()) {
        const JoinEdge* next = random_.Pick(candidates);
        const TableRef& used = next->left_table == left.table->name ? left : right;
        TableRef third = Ref(Table(next->right_table));
        from += fmt::format(" LEFT JOIN {} {} ON {}.{} = {}.{}", third.table->name, third.alias,
                            used.alias, next->left_column, third.alias, next->right_column);
        Scope third_scope = ScopeOf(third);
        scope.insert(scope.end(), third_scope.begin(), third_scope.end());
      }
    }
  }
  if (random_.Percent(35)) {
    return {GroupedSelect(from, scope, true), "random:join_aggregate"};
  }
  std::vector<Expr> items;
  int64_t count = random_.Between(1, 4);
  for (int64_t i = 0; i < count; ++i) {
    items.push_back(Generate(RandomFamily(), static_cast<int>(random_.Between(0, 2)), scope));
  }
  std::string sql =
      fmt::format("SELECT {} FROM {}{}", SelectList(items), from, MaybeWhere(scope, 30));
  if (random_.Percent(40)) {
    sql += OrderByAll(items.size(), true);
  }
  return {sql, "random:join"};
}

GeneratedQuery QueryGenerator::Subquery() {
  const JoinEdge& edge = random_.Pick(edges_);
  bool swap = random_.Percent(50);
  TableRef outer = Ref(Table(swap ? edge.right_table : edge.left_table));
  TableRef inner = Ref(Table(swap ? edge.left_table : edge.right_table));
  std::string outer_column = outer.alias + "." + (swap ? edge.right_column : edge.left_column);
  std::string inner_column = inner.alias + "." + (swap ? edge.left_column : edge.right_column);
  Scope outer_scope = ScopeOf(outer);
  Scope inner_scope = ScopeOf(inner);
  std::string inner_from = inner.table->name + " " + inner.alias;

  std::vector<Expr> items;
  int64_t count = random_.Between(1, 3);
  for (int64_t i = 0; i < count; ++i) {
    items.push_back(Generate(RandomFamily(), static_cast<int>(random_.Between(0, 2)), outer_scope));
  }
  std::string where;
  switch (random_.Between(0, 4)) {
    case 0:
      where = fmt::format(" WHERE {}{}(SELECT {} FROM {}{})", outer_column,
                          random_.Percent(60) ? " IN " : " NOT IN ", inner_column, inner_from,
                          MaybeWhere(inner_scope, 50));
      break;
    case 1: {
      std::string extra = MaybeWhere(inner_scope, 50);
      where = fmt::format(" WHERE {}EXISTS (SELECT 1 FROM {} WHERE {} = {}{})",
                          random_.Percent(60) ? "" : "NOT ", inner_from, inner_column, outer_column,
                          extra.empty() ? "" : " AND" + extra.substr(6));
      break;
    }
    case 2:
    case 3: {
      Expr aggregate = Aggregate(inner_scope);
      items.push_back(Make(fmt::format("(SELECT {} FROM {} WHERE {} = {})", aggregate.sql,
                                       inner_from, inner_column, outer_column),
                           aggregate.type));
      where = MaybeWhere(outer_scope, 30);
      break;
    }
    default: {
      Family family = random_.Pick(
          std::vector<Family>{Family::kInt, Family::kNumeric, Family::kDate, Family::kText});
      Expr value = Leaf(family, outer_scope);
      Expr bound = Leaf(family, inner_scope);
      where = fmt::format(" WHERE {} {} (SELECT {}({}) FROM {}{})", value.sql,
                          random_.Pick(std::vector<const char*>{"<", ">=", "=", "<>"}),
                          random_.Percent(50) ? "max" : "min", bound.sql, inner_from,
                          MaybeWhere(inner_scope, 40));
      break;
    }
  }
  std::string sql = fmt::format("SELECT {} FROM {} {}{}", SelectList(items), outer.table->name,
                                outer.alias, where);
  if (random_.Percent(40)) {
    sql += OrderByAll(items.size(), true);
  }
  return {sql, "random:subquery"};
}

GeneratedQuery QueryGenerator::DerivedTable() {
  TableRef ref = Ref(RandomTable(true));
  Scope scope = ScopeOf(ref);
  std::vector<Expr> inner_items;
  int64_t count = random_.Between(2, 4);
  for (int64_t i = 0; i < count; ++i) {
    inner_items.push_back(Generate(RandomFamily(), static_cast<int>(random_.Between(0, 2)), scope));
  }
  std::string inner = fmt::format("SELECT {} FROM {} {}{}", SelectList(inner_items),
                                  ref.table->name, ref.alias, MaybeWhere(scope, 30));
  std::string alias = fmt::format("s{}", ++alias_counter_);
  Scope derived;
  for (size_t i = 0; i < inner_items.size(); ++i) {
    Expr column = inner_items[i];
    column.sql = fmt::format("{}.c{}", alias, i + 1);
    derived.push_back(std::move(column));
  }
  bool with = random_.Percent(50);
  std::string from = with ? alias : fmt::format("({}) AS {}", inner, alias);
  std::string prefix = with ? fmt::format("WITH {} AS ({}) ", alias, inner) : "";
  if (random_.Percent(50)) {
    return {prefix + GroupedSelect(from, derived, true), "random:derived"};
  }
  std::vector<Expr> items;
  int64_t outer_count = random_.Between(1, 3);
  for (int64_t i = 0; i < outer_count; ++i) {
    items.push_back(Generate(RandomFamily(), static_cast<int>(random_.Between(0, 2)), derived));
  }
  std::string sql = fmt::format("{}SELECT {} FROM {}{}", prefix, SelectList(items, 1), from,
                                MaybeWhere(derived, 40));
  if (random_.Percent(40)) {
    sql += OrderByAll(items.size(), true);
  }
  return {sql, "random:derived"};
}

GeneratedQuery QueryGenerator::SetOperation() {
  const char* op = random_.Pick(std::vector<const char*>{" UNION ALL ", " UNION ALL ", " UNION ",
                                                         " UNION ", " INTERSECT ", " EXCEPT ",
                                                         " INTERSECT ALL ", " EXCEPT ALL "});
  bool keeps_all = std::string(op) == " UNION ALL ";
  std::vector<Family> families;
  int64_t count = random_.Between(1, 3);
  for (int64_t i = 0; i < count; ++i) {
    families.push_back(RandomFamily());
  }
  auto side = [&]() {
    TableRef ref = Ref(RandomTable(true));
    Scope scope = ScopeOf(ref);
    std::vector<Expr> items;
    for (Family family : families) {
      int depth = static_cast<int>(random_.Between(0, 2));
      // Set operations other than UNION ALL compare rows: equal values must print the same.
      items.push_back(keeps_all ? Generate(family, depth, scope)
                                : GenerateCanonical(family, depth, scope));
    }
    return fmt::format("SELECT {} FROM {} {}{}", SelectList(items), ref.table->name, ref.alias,
                       MaybeWhere(scope, 40));
  };
  std::string sql = side() + op + side();
  if (random_.Percent(40)) {
    sql += OrderByAll(families.size(), true);
  }
  return {sql, "random:set_operation"};
}

GeneratedQuery QueryGenerator::Distinct() {
  TableRef ref = Ref(RandomTable(true));
  Scope scope = ScopeOf(ref);
  std::vector<Expr> items;
  int64_t count = random_.Between(1, 3);
  for (int64_t i = 0; i < count; ++i) {
    items.push_back(
        GenerateCanonical(RandomFamily(), static_cast<int>(random_.Between(0, 2)), scope));
  }
  std::string sql = fmt::format("SELECT DISTINCT {} FROM {} {}{}", SelectList(items),
                                ref.table->name, ref.alias, MaybeWhere(scope, 30));
  if (random_.Percent(40)) {
    sql += OrderByAll(items.size(), true);
  }
  return {sql, "random:distinct"};
}

GeneratedQuery QueryGenerator::Next() {
  alias_counter_ = 0;
  int64_t roll = random_.Between(0, 99);
  if (roll < 14) {
    return Projection();
  }
  if (roll < 26) {
    return Filter();
  }
  if (roll < 36) {
    return PlainAggregate();
  }
  if (roll < 52) {
    return GroupBy();
  }
  if (roll < 70) {
    return Join();
  }
  if (roll < 82) {
    return Subquery();
  }
  if (roll < 89) {
    return DerivedTable();
  }
  if (roll < 95) {
    return SetOperation();
  }
  return Distinct();
}

// ---------------------------------------------------------------------------------------------
// Materialized views

namespace {

/// Describes a column of a UNION from its descriptions in the two branches.
Expr MergeBranches(const Expr& a, const Expr& b) {
  Expr merged = a;
  if (IsInt(a.type) && IsInt(b.type)) {
    merged.type = Wider(a.type, b.type);
  }
  merged.max_abs = std::max(a.max_abs, b.max_abs);
  merged.frac_bits = std::max(a.frac_bits, b.frac_bits);
  merged.exact = a.exact && b.exact;
  merged.negative_zero = a.negative_zero || b.negative_zero;
  merged.scale = a.scale == b.scale ? a.scale : -1;
  return merged;
}

}  // namespace

std::optional<Expr> QueryGenerator::CanonicalColumn(const Scope& scope) {
  std::vector<Expr> columns;
  std::copy_if(scope.begin(), scope.end(), std::back_inserter(columns), IsCanonical);
  if (columns.empty()) {
    return std::nullopt;
  }
  return random_.Pick(columns);
}

std::string QueryGenerator::ViewJoinFrom(Scope& scope, std::string& required_where) {
  if (random_.Percent(8)) {
    TableRef left = Ref(RandomTable(false));
    TableRef right = Ref(Table(random_.Percent(70) ? "tiny" : "nothing"));
    scope = ScopeOf(left);
    Scope right_scope = ScopeOf(right);
    scope.insert(scope.end(), right_scope.begin(), right_scope.end());
    return fmt::format("{} {} CROSS JOIN {} {}", left.table->name, left.alias, right.table->name,
                       right.alias);
  }
  const JoinEdge& edge = random_.Pick(edges_);
  bool swap = random_.Percent(50);
  TableRef left = Ref(Table(swap ? edge.right_table : edge.left_table));
  TableRef right = Ref(Table(swap ? edge.left_table : edge.right_table));
  const std::string& left_column = swap ? edge.right_column : edge.left_column;
  const std::string& right_column = swap ? edge.left_column : edge.right_column;
  scope = ScopeOf(left);
  Scope right_scope = ScopeOf(right);
  std::string condition =
      fmt::format("{}.{} = {}.{}", left.alias, left_column, right.alias, right_column);
  int64_t roll = random_.Between(0, 99);
  const char* join = roll < 35   ? (roll < 15 ? " JOIN " : " INNER JOIN ")
                     : roll < 65 ? " LEFT JOIN "
                     : roll < 80 ? " RIGHT JOIN "
                                 : " FULL JOIN ";
  bool full = roll >= 80;
  // PostgreSQL runs FULL JOIN only on conditions it can hash or merge: no extra predicates.
  if (!full && random_.Percent(25)) {
    condition += " AND " + GenerateBool(1, right_scope).sql;
  }
  std::string from;
  if (!full && random_.Percent(10)) {
    from =
        fmt::format("{} {}, {} {}", left.table->name, left.alias, right.table->name, right.alias);
    required_where = condition;
  } else {
    from = fmt::format("{} {}{}{} {} ON {}", left.table->name, left.alias, join, right.table->name,
                       right.alias, condition);
  }
  scope.insert(scope.end(), right_scope.begin(), right_scope.end());
  if (required_where.empty() && random_.Percent(20)) {
    // A third table, joined to one of the first two along another edge.
    std::vector<const JoinEdge*> candidates;
    for (const JoinEdge& next : edges_) {
      bool touches = next.left_table == left.table->name || next.left_table == right.table->name;
      if (touches && next.right_table != left.table->name &&
          next.right_table != right.table->name) {
        candidates.push_back(&next);
      }
    }
    if (!candidates.empty()) {
      const JoinEdge* next = random_.Pick(candidates);
      const TableRef& used = next->left_table == left.table->name ? left : right;
      TableRef third = Ref(Table(next->right_table));
      const char* third_join = random_.Percent(60) ? " LEFT JOIN " : " JOIN ";
      from += fmt::format("{}{} {} ON {}.{} = {}.{}", third_join, third.table->name, third.alias,
                          used.alias, next->left_column, third.alias, next->right_column);
      Scope third_scope = ScopeOf(third);
      scope.insert(scope.end(), third_scope.begin(), third_scope.end());
    }
  }
  return from;
}

GeneratedView QueryGenerator::ViewBody(const std::string& from,
                                       const Scope& scope,
                                       int shape,
                                       const std::string& required_where) {
  GeneratedView view;
  auto where = [&](int percent) {
    std::string extra = MaybeWhere(scope, percent);
    if (required_where.empty()) {
      return extra;
    }
    return " WHERE " + required_where + (extra.empty() ? "" : " AND" + extra.substr(6));
  };
  std::vector<Expr> items;
  switch (shape) {
    case 0: {
      int64_t count = random_.Between(1, 4);
      for (int64_t i = 0; i < count; ++i) {
        items.push_back(Generate(RandomFamily(), static_cast<int>(random_.Between(0, 3)), scope));
      }
      view.sql = fmt::format("SELECT {} FROM {}{}", SelectList(items), from, where(30));
      view.category = "projection";
      break;
    }
    case 1: {
      int64_t count = random_.Between(1, 3);
      for (int64_t i = 0; i < count; ++i) {
        items.push_back(random_.Pick(scope));
      }
      std::string predicate = GenerateBool(static_cast<int>(random_.Between(2, 3)), scope).sql;
      view.sql = fmt::format("SELECT {} FROM {} WHERE {}{}", SelectList(items), from,
                             required_where.empty() ? "" : required_where + " AND ", predicate);
      view.category = "where";
      break;
    }
    case 2: {
      int64_t count = random_.Between(1, 4);
      for (int64_t i = 0; i < count; ++i) {
        items.push_back(Aggregate(scope));
      }
      view.sql = fmt::format("SELECT {} FROM {}{}", SelectList(items), from, where(35));
      view.category = "aggregate";
      break;
    }
    case 3:
      // GroupedSelect writes its own WHERE; implicit joins do not come here.
      view.sql = GroupedSelect(from, scope, false, &items);
      view.category = "group_by";
      break;
    default: {
      int64_t count = random_.Between(1, 3);
      for (int64_t i = 0; i < count; ++i) {
        items.push_back(
            GenerateCanonical(RandomFamily(), static_cast<int>(random_.Between(0, 2)), scope));
      }
      view.sql = fmt::format("SELECT DISTINCT {} FROM {}{}", SelectList(items), from, where(30));
      view.category = "distinct";
      break;
    }
  }
  view.columns = std::move(items);
  return view;
}

void QueryGenerator::AddTopN(GeneratedView& view) {
  size_t columns = view.columns.size();
  size_t keys = columns;
  if (columns > 1 && random_.Percent(25)) {
    keys = static_cast<size_t>(random_.Between(1, static_cast<int64_t>(columns) - 1));
  }
  bool by_name = random_.Percent(30);
  std::string order = " ORDER BY ";
  for (size_t i = 1; i <= keys; ++i) {
    order += fmt::format("{}{}{}{}", i == 1 ? "" : ", ", by_name ? "c" : "", i,
                         random_.Pick(std::vector<const char*>{
                             "", "", "", " DESC", " ASC", " NULLS FIRST", " DESC NULLS LAST"}));
  }
  order += fmt::format(" LIMIT {}", random_.Between(1, 20));
  if (random_.Percent(25)) {
    order += fmt::format(" OFFSET {}", random_.Between(1, 5));
  }
  view.sql += order;
  view.top_n = true;
  // Rows that tie on every key are interchangeable only when they are the same text, which
  // needs every column as a key and equal values that print alike.
  view.rows_determined =
      keys == columns && std::all_of(view.columns.begin(), view.columns.end(), IsCanonical);
}

GeneratedView QueryGenerator::NextView() {
  view_mode_ = true;
  alias_counter_ = 0;
  int64_t roll = random_.Between(0, 99);
  auto single_table = [&](int shape) {
    TableRef ref = Ref(RandomTable(true));
    return ViewBody(ref.table->name + " " + ref.alias, ScopeOf(ref), shape, "");
  };
  auto join = [&]() {
    Scope scope;
    std::string required_where;
    std::string from = ViewJoinFrom(scope, required_where);
    int64_t pick = random_.Between(0, 99);
    int shape = pick < 55 ? 0 : pick < 65 || !required_where.empty() ? 1 : 3;
    GeneratedView view = ViewBody(from, scope, shape, required_where);
    view.category = shape == 3 ? "join_aggregate" : "join";
    return view;
  };
  GeneratedView view;
  if (roll < 13) {
    view = single_table(0);
  } else if (roll < 24) {
    view = single_table(1);
  } else if (roll < 34) {
    view = single_table(2);
  } else if (roll < 51) {
    view = single_table(3);
  } else if (roll < 69) {
    view = join();
  } else if (roll < 79) {
    bool all = random_.Percent(70);
    std::vector<Family> families;
    int64_t count = random_.Between(1, 3);
    for (int64_t i = 0; i < count; ++i) {
      families.push_back(RandomFamily());
    }
    std::vector<Expr> merged;
    auto side = [&]() {
      TableRef ref = Ref(RandomTable(true));
      Scope scope = ScopeOf(ref);
      std::vector<Expr> items;
      for (Family family : families) {
        int depth = static_cast<int>(random_.Between(0, 2));
        // UNION without ALL compares rows: equal values must print the same.
        items.push_back(all ? Generate(family, depth, scope)
                            : GenerateCanonical(family, depth, scope));
      }
      if (merged.empty()) {
        merged = items;
      } else {
        for (size_t i = 0; i < items.size(); ++i) {
          merged[i] = MergeBranches(merged[i], items[i]);
        }
      }
      return fmt::format("SELECT {} FROM {} {}{}", SelectList(items), ref.table->name, ref.alias,
                         MaybeWhere(scope, 40));
    };
    std::string left = side();
    std::string right = side();
    view.sql = left + (all ? " UNION ALL " : " UNION ") + right;
    view.columns = std::move(merged);
    view.category = all ? "union_all" : "union";
  } else if (roll < 87) {
    view = single_table(4);
  } else {
    int64_t pick = random_.Between(0, 5);
    view = pick < 2 ? single_table(static_cast<int>(pick)) : pick < 4 ? join() : single_table(3);
    AddTopN(view);
    view.category = "top_n";
  }
  view.category = "view:" + view.category;
  return view;
}

GeneratedView QueryGenerator::ViewOnView(const GeneratedView& base) {
  view_mode_ = true;
  alias_counter_ = 0;
  std::string alias = fmt::format("w{}", ++alias_counter_);
  Scope scope;
  for (size_t i = 0; i < base.columns.size(); ++i) {
    Expr column = base.columns[i];
    column.sql = fmt::format("{}.c{}", alias, i + 1);
    scope.push_back(std::move(column));
  }
  std::string from = fmt::format("{} {}", kBaseViewPlaceholder, alias);
  int64_t roll = random_.Between(0, 99);
  GeneratedView view;
  if (roll < 20) {
    view = ViewBody(from, scope, 1, "");
  } else if (roll < 38) {
    view = ViewBody(from, scope, 0, "");
  } else if (roll < 52) {
    view = ViewBody(from, scope, 2, "");
  } else if (roll < 78) {
    view = ViewBody(from, scope, 3, "");
  } else if (roll < 88) {
    view = ViewBody(from, scope, 4, "");
  } else {
    view = ViewBody(from, scope, static_cast<int>(random_.Pick(std::vector<int>{0, 1, 3})), "");
    AddTopN(view);
    view.category = "top_n";
  }
  view.category = "view_on_view:" + view.category;
  return view;
}

std::string QueryGenerator::Predicate(const TableSpec& table, int depth) {
  return GenerateBool(depth, ScopeOf(TableRef{&table, table.name})).sql;
}

}  // namespace freshet::sql_tests::differential
