// SPDX-License-Identifier: Apache-2.0
// Names, string constants and numbers: the token-level pieces every other transform_*.cc builds on.
#include <charconv>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "common/ascii.h"
#include "common/error.h"
#include "parser/transformer.h"

namespace freshet::parser {
namespace {

// PostgreSQL folds only ASCII letters: identifiers in other scripts keep their case.

// Removes the outer quote characters and undoubles the inner ones: 'it''s' -> it's, "a""b" -> a"b.
std::string Unquote(std::string_view text, char quote) {
  std::string result;
  result.reserve(text.size());
  for (size_t i = 1; i + 1 < text.size(); ++i) {
    result.push_back(text[i]);
    if (text[i] == quote) {
      ++i;  // the second quote of a doubled pair
    }
  }
  return result;
}

void AppendUtf8(std::string& out, uint32_t code_point) {
  if (code_point < 0x80) {
    out.push_back(static_cast<char>(code_point));
  } else if (code_point < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (code_point >> 6)));
    out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  } else if (code_point < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (code_point >> 12)));
    out.push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (code_point >> 18)));
    out.push_back(static_cast<char>(0x80 | ((code_point >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  }
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

bool IsHighSurrogate(uint32_t c) {
  return c >= 0xD800 && c <= 0xDBFF;
}
bool IsLowSurrogate(uint32_t c) {
  return c >= 0xDC00 && c <= 0xDFFF;
}

// Reads `digits` hex digits of a \u or \U escape starting at text[*i]; advances *i past them.
uint32_t ReadUnicodeEscape(std::string_view text, size_t* i, int digits, int32_t position) {
  uint32_t value = 0;
  for (int d = 0; d < digits; ++d) {
    int digit = *i < text.size() ? HexDigit(text[*i]) : -1;
    if (digit < 0) {
      throw Error(SqlState::kInvalidEscapeSequence, "invalid Unicode escape")
          .WithHint("Unicode escapes must be \\uXXXX or \\UXXXXXXXX.")
          .WithPosition(position);
    }
    value = value * 16 + static_cast<uint32_t>(digit);
    ++*i;
  }
  return value;
}

// Resolves the backslash escapes of E'...' as PostgreSQL's scanner does: \b \f \n \r \t, octal
// \ooo, hex \xhh, \uXXXX and \UXXXXXXXX (with surrogate pairs), and a backslash before any other
// character stands for it.
std::string DecodeEscapeString(std::string_view token, int32_t position) {
  std::string_view body = token.substr(2, token.size() - 3);  // drop E' and '
  std::string out;
  out.reserve(body.size());
  uint32_t pending_high_surrogate = 0;
  for (size_t i = 0; i < body.size();) {
    char c = body[i];
    if (c == '\'') {
      out.push_back('\'');  // the first of a doubled quote
      i += 2;
      continue;
    }
    if (c != '\\') {
      out.push_back(c);
      ++i;
      continue;
    }
    char e = body[i + 1];  // the lexer guarantees a character after every backslash
    i += 2;
    if (e == 'u' || e == 'U') {
      uint32_t code_point = ReadUnicodeEscape(body, &i, e == 'u' ? 4 : 8, position);
      if (pending_high_surrogate != 0) {
        if (!IsLowSurrogate(code_point)) {
          throw Error(SqlState::kSyntaxError, "invalid Unicode surrogate pair")
              .WithPosition(position);
        }
        code_point = 0x10000 + ((pending_high_surrogate - 0xD800) << 10) + (code_point - 0xDC00);
        pending_high_surrogate = 0;
      } else if (IsHighSurrogate(code_point)) {
        pending_high_surrogate = code_point;
        continue;
      } else if (IsLowSurrogate(code_point)) {
        throw Error(SqlState::kSyntaxError, "invalid Unicode surrogate pair")
            .WithPosition(position);
      }
      if (code_point == 0 || code_point > 0x10FFFF) {
        throw Error(SqlState::kSyntaxError, "invalid Unicode escape value").WithPosition(position);
      }
      AppendUtf8(out, code_point);
      continue;
    }
    if (pending_high_surrogate != 0) {
      throw Error(SqlState::kSyntaxError, "invalid Unicode surrogate pair").WithPosition(position);
    }
    switch (e) {
      case 'b':
        out.push_back('\b');
        break;
      case 'f':
        out.push_back('\f');
        break;
      case 'n':
        out.push_back('\n');
        break;
      case 'r':
        out.push_back('\r');
        break;
      case 't':
        out.push_back('\t');
        break;
      case 'x': {
        int value = 0;
        int digits = 0;
        while (digits < 2 && i < body.size() && HexDigit(body[i]) >= 0) {
          value = value * 16 + HexDigit(body[i]);
          ++i;
          ++digits;
        }
        if (digits == 0) {
          out.push_back('x');  // `\x` without digits is just x, as in PostgreSQL
        } else {
          out.push_back(static_cast<char>(value));
        }
        break;
      }
      default:
        if (e >= '0' && e <= '7') {
          int value = e - '0';
          for (int digits = 1; digits < 3 && i < body.size() && body[i] >= '0' && body[i] <= '7';
               ++digits) {
            value = value * 8 + (body[i] - '0');
            ++i;
          }
          out.push_back(static_cast<char>(value & 0xFF));
        } else {
          out.push_back(e);
        }
        break;
    }
  }
  if (pending_high_surrogate != 0) {
    throw Error(SqlState::kSyntaxError, "invalid Unicode surrogate pair").WithPosition(position);
  }
  // Octal and hex escapes can spell bytes that are not UTF-8, or a NUL; PostgreSQL rejects both.
  ValidateUtf8(out, position);
  return out;
}

}  // namespace

void ValidateUtf8(std::string_view text, int32_t position) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  size_t size = text.size();
  for (size_t i = 0; i < size;) {
    unsigned char lead = bytes[i];
    size_t length = 0;
    uint32_t minimum = 0;
    uint32_t code_point = 0;
    if (lead >= 0x01 && lead < 0x80) {
      ++i;
      continue;
    }
    if (lead >= 0xC2 && lead <= 0xDF) {
      length = 2;
      minimum = 0x80;
      code_point = lead & 0x1F;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      length = 3;
      minimum = 0x800;
      code_point = lead & 0x0F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      length = 4;
      minimum = 0x10000;
      code_point = lead & 0x07;
    }
    bool valid = length != 0 && i + length <= size;
    for (size_t k = 1; valid && k < length; ++k) {
      if ((bytes[i + k] & 0xC0) != 0x80) {
        valid = false;
      } else {
        code_point = (code_point << 6) | (bytes[i + k] & 0x3F);
      }
    }
    valid = valid && code_point >= minimum && code_point <= 0x10FFFF &&
            !(code_point >= 0xD800 && code_point <= 0xDFFF);
    if (!valid) {
      // PostgreSQL names the bytes of the broken sequence, as far as the lead byte says it reaches.
      std::string shown;
      size_t shown_length = std::max<size_t>(length, 1);
      for (size_t k = 0; k < shown_length && i + k < size; ++k) {
        shown += fmt::format("{}0x{:02x}", k == 0 ? "" : " ", bytes[i + k]);
      }
      throw Error(SqlState::kCharacterNotInRepertoire,
                  fmt::format("invalid byte sequence for encoding \"UTF8\": {}", shown))
          .WithPosition(position);
    }
    i += length;
  }
}

int32_t PositionOf(antlr4::Token* token) {
  return static_cast<int32_t>(token->getStartIndex()) + 1;
}

int32_t PositionOf(antlr4::ParserRuleContext* ctx) {
  return PositionOf(ctx->getStart());
}

std::string NameOf(antlr4::ParserRuleContext* ctx) {
  antlr4::Token* token = ctx->getStart();
  std::string text = token->getText();
  if (token->getType() == FreshetParser::QUOTED_IDENTIFIER) {
    return Unquote(text, '"');
  }
  return AsciiLower(text);
}

std::vector<std::string> NamesOf(FreshetParser::QualifiedNameContext* ctx) {
  std::vector<std::string> names;
  names.push_back(NameOf(ctx->colId()));
  for (auto* label : ctx->colLabel()) {
    names.push_back(NameOf(label));
  }
  return names;
}

std::vector<std::string> NamesOf(FreshetParser::ColumnListContext* ctx) {
  std::vector<std::string> names;
  if (ctx == nullptr) {
    return names;
  }
  for (auto* column : ctx->colId()) {
    names.push_back(NameOf(column));
  }
  return names;
}

std::string JoinNames(const std::vector<std::string>& names) {
  return fmt::format("{}", fmt::join(names, "."));
}

std::string StringValue(FreshetParser::StringLiteralContext* ctx) {
  antlr4::Token* token = ctx->getStart();
  std::string text = token->getText();
  switch (token->getType()) {
    case FreshetParser::ESCAPE_STRING:
      return DecodeEscapeString(text, PositionOf(token));
    case FreshetParser::DOLLAR_STRING:
      return text.substr(2, text.size() - 4);
    default:
      return Unquote(text, '\'');
  }
}

int32_t SmallInteger(antlr4::tree::TerminalNode* node) {
  std::string text = node->getText();
  int32_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) {
    throw Error::Syntax(text, PositionOf(node->getSymbol()));
  }
  return value;
}

ast::ExpressionPtr IntegerLiteral(std::string_view digits, int32_t position) {
  auto literal = std::make_unique<ast::Literal>();
  literal->position = position;
  literal->type = ast::Literal::Type::kInteger;
  literal->text = std::string(digits);
  return literal;
}

std::string SignedNumberText(FreshetParser::SignedNumberContext* ctx) {
  std::string number = ctx->INTEGER_LITERAL() != nullptr ? ctx->INTEGER_LITERAL()->getText()
                                                         : ctx->DECIMAL_LITERAL()->getText();
  if (ctx->sign != nullptr && ctx->sign->getType() == FreshetParser::MINUS) {
    return "-" + number;
  }
  return number;
}

void ThrowNotSupported(std::string_view what, antlr4::ParserRuleContext* ctx) {
  throw Error(SqlState::kFeatureNotSupported, fmt::format("{} is not supported", what))
      .WithPosition(PositionOf(ctx));
}

// Switches on the one token of the constant instead of asking each accessor in turn: every
// generated accessor scans the children with a dynamic_cast, and constants are most of a large
// VALUES list.
ast::ExpressionPtr Transformer::TransformConstant(FreshetParser::ConstantContext* ctx) {
  auto literal = std::make_unique<ast::Literal>();
  antlr4::Token* token = ctx->getStart();
  literal->position = PositionOf(token);
  switch (token->getType()) {
    case FreshetParser::INTEGER_LITERAL:
      literal->type = ast::Literal::Type::kInteger;
      literal->text = token->getText();
      break;
    case FreshetParser::DECIMAL_LITERAL:
      literal->type = ast::Literal::Type::kDecimal;
      literal->text = token->getText();
      break;
    case FreshetParser::TRUE_P:
    case FreshetParser::FALSE_P:
      literal->type = ast::Literal::Type::kBoolean;
      literal->boolean = token->getType() == FreshetParser::TRUE_P;
      break;
    case FreshetParser::NULL_P:
      literal->type = ast::Literal::Type::kNull;
      break;
    default:
      literal->type = ast::Literal::Type::kString;
      literal->text = StringValue(ctx->stringLiteral());
      break;
  }
  return literal;
}

ast::ExpressionPtr Transformer::TransformTypedLiteral(ast::TypeName type,
                                                      FreshetParser::StringLiteralContext* value,
                                                      int32_t position) {
  auto literal = std::make_unique<ast::Literal>();
  literal->position = position;
  literal->type = ast::Literal::Type::kTyped;
  literal->text = StringValue(value);
  literal->typed = std::move(type);
  return literal;
}

}  // namespace freshet::parser
