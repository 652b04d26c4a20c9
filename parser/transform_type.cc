// SPDX-License-Identifier: Apache-2.0
// Type names as written -> the canonical lower-case names of ast::TypeName ("integer", "double
// precision", ...).
#include <array>
#include <utility>

#include <fmt/format.h>

#include "common/error.h"
#include "parser/transformer.h"

namespace freshet::parser {
namespace {

// The aliases PostgreSQL accepts for its built-in types, by their pg_type names and SQL spellings.
// Names not listed pass through unchanged, so the binder can decide about regclass, name, oid and
// friends.
constexpr std::array<std::pair<std::string_view, std::string_view>, 20> kTypeAliases = {{
    {"int", "integer"},
    {"int4", "integer"},
    {"integer", "integer"},
    {"int2", "smallint"},
    {"smallint", "smallint"},
    {"int8", "bigint"},
    {"bigint", "bigint"},
    {"bool", "boolean"},
    {"boolean", "boolean"},
    {"float4", "real"},
    {"real", "real"},
    {"float8", "double precision"},
    {"float", "double precision"},
    {"decimal", "numeric"},
    {"numeric", "numeric"},
    {"varchar", "character varying"},
    {"bpchar", "character"},
    {"varbit", "bit varying"},
    {"timestamptz", "timestamp with time zone"},
    {"timetz", "time with time zone"},
}};

std::string_view CanonicalName(std::string_view name) {
  for (const auto& [alias, canonical] : kTypeAliases) {
    if (alias == name) {
      return canonical;
    }
  }
  return name;
}

void TransformModifiers(FreshetParser::TypeModifiersContext* ctx, ast::TypeName& type) {
  if (ctx == nullptr) {
    return;
  }
  for (auto* modifier : ctx->typeModifier()) {
    const int32_t value = SmallInteger(modifier->INTEGER_LITERAL());
    type.modifiers.push_back(modifier->MINUS() != nullptr ? -value : value);
  }
}

}  // namespace

ast::TypeName GenericTypeName(const std::vector<std::string>& names, int32_t position) {
  ast::TypeName type;
  type.position = position;
  // pg_catalog is where every built-in type lives, so `pg_catalog.int4` is just int4.
  if (names.size() == 2 && names[0] == "pg_catalog") {
    type.name = std::string(CanonicalName(names[1]));
  } else if (names.size() == 1) {
    // An identifier "char" can only be quoted (CHAR is a keyword), and then it is PostgreSQL's
    // one-byte type, not character: the alias table leaves it alone.
    type.name = std::string(CanonicalName(names[0]));
  } else {
    type.name = JoinNames(names);
  }
  return type;
}

ast::TypeName TransformConstTypeName(FreshetParser::ConstTypeNameContext* ctx) {
  ast::TypeName type;
  type.position = PositionOf(ctx);
  if (ctx->INT() != nullptr || ctx->INTEGER() != nullptr) {
    type.name = "integer";
  } else if (ctx->SMALLINT() != nullptr) {
    type.name = "smallint";
  } else if (ctx->BIGINT() != nullptr) {
    type.name = "bigint";
  } else if (ctx->REAL() != nullptr) {
    type.name = "real";
  } else if (ctx->BOOLEAN() != nullptr) {
    type.name = "boolean";
  } else if (ctx->FLOAT() != nullptr) {
    // FLOAT(p) is real up to 24 bits of mantissa and double precision up to 53, as in PostgreSQL.
    type.name = "double precision";
    if (ctx->INTEGER_LITERAL() != nullptr) {
      int32_t bits = SmallInteger(ctx->INTEGER_LITERAL());
      if (bits < 1) {
        throw Error(SqlState::kInvalidParameterValue,
                    "precision for type float must be at least 1 bit")
            .WithPosition(type.position);
      }
      if (bits > 53) {
        throw Error(SqlState::kInvalidParameterValue,
                    "precision for type float must be less than 54 bits")
            .WithPosition(type.position);
      }
      if (bits <= 24) {
        type.name = "real";
      }
    }
  } else if (ctx->DOUBLE() != nullptr) {
    type.name = "double precision";
  } else if (ctx->DECIMAL() != nullptr || ctx->DEC() != nullptr || ctx->NUMERIC() != nullptr) {
    type.name = "numeric";
  } else if (ctx->VARCHAR() != nullptr) {
    type.name = "character varying";
  } else if (ctx->CHARACTER() != nullptr || ctx->CHAR() != nullptr || ctx->NCHAR() != nullptr) {
    type.name = ctx->VARYING() != nullptr ? "character varying" : "character";
  } else if (ctx->BIT() != nullptr) {
    type.name = ctx->VARYING() != nullptr ? "bit varying" : "bit";
  } else {
    bool with_time_zone = ctx->zone != nullptr && ctx->zone->getType() == FreshetParser::WITH;
    type.name = ctx->TIMESTAMP() != nullptr ? "timestamp" : "time";
    if (with_time_zone) {
      type.name += " with time zone";
    }
  }
  TransformModifiers(ctx->typeModifiers(), type);
  return type;
}

ast::TypeName TransformTypeName(FreshetParser::TypeNameContext* ctx) {
  FreshetParser::SimpleTypeNameContext* simple = ctx->simpleTypeName();
  ast::TypeName type;
  if (simple->constTypeName() != nullptr) {
    type = TransformConstTypeName(simple->constTypeName());
  } else if (simple->INTERVAL() != nullptr) {
    // The fields of `INTERVAL DAY TO SECOND` restrict input only; the type is interval either way.
    type.name = "interval";
    type.position = PositionOf(simple);
    if (simple->INTEGER_LITERAL() != nullptr) {
      type.modifiers.push_back(SmallInteger(simple->INTEGER_LITERAL()));
    }
  } else {
    std::vector<std::string> names{NameOf(simple->typeFunctionName())};
    for (auto* label : simple->colLabel()) {
      names.push_back(NameOf(label));
    }
    type = GenericTypeName(names, PositionOf(simple));
    TransformModifiers(simple->typeModifiers(), type);
  }
  type.is_array = ctx->arrayBounds() != nullptr;
  return type;
}

std::string IntervalUnit(FreshetParser::IntervalQualifierContext* ctx) {
  std::string unit;
  for (antlr4::tree::ParseTree* child : ctx->children) {
    auto* terminal = dynamic_cast<antlr4::tree::TerminalNode*>(child);
    if (terminal == nullptr) {
      continue;  // the (p) of SECOND(p): a precision, not part of the unit
    }
    if (!unit.empty()) {
      unit += ' ';
    }
    for (char c : terminal->getText()) {
      unit += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    }
  }
  return unit;
}

}  // namespace freshet::parser
