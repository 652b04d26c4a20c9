// SPDX-License-Identifier: Apache-2.0
#include "parser/parser.h"

#include <mutex>
#include <optional>

#include <fmt/format.h>

#include "antlr4-runtime.h"
#include "common/error.h"
#include "generated/FreshetLexer.h"
#include "generated/FreshetParser.h"
#include "parser/stack_depth_checker.h"
#include "parser/transformer.h"

namespace freshet::parser {
namespace {

using generated::FreshetLexer;

// Parentheses and brackets nest at most this deep. The stack check would stop deeper input anyway,
// but only after ANTLR's prediction has scanned the whole nest once per level; the fixed limit
// makes that cost bounded.
constexpr int32_t kMaxNestingDepth = 1000;

// The generated lexer and parser share their DFA caches between all instances, and the locking of
// the ANTLR 4.9 C++ runtime around those caches has a history of races (antlr/antlr4 issues #1826,
// #2199, #2210). Parsing is a small part of running a statement, so lexing and parsing run one at a
// time; building the AST does not need it.
std::mutex& AntlrMutex() {
  static std::mutex mutex;
  return mutex;
}

[[noreturn]] void ThrowStatementTooComplex(int32_t position) {
  throw Error(SqlState::kStatementTooComplex, "stack depth limit exceeded")
      .WithHint(fmt::format("Statements may nest parentheses and brackets at most {} deep.",
                            kMaxNestingDepth))
      .WithPosition(position);
}

// An input error the scanner of PostgreSQL would report rather than its grammar: an unterminated
// string, quoted identifier or comment, or an empty quoted identifier.
struct LexicalError {
  size_t token_index;
  Error error;
};

std::optional<LexicalError> FindLexicalError(antlr4::CommonTokenStream& tokens,
                                             antlr4::CharStream& input) {
  const std::vector<antlr4::Token*>& all = tokens.getTokens();
  for (size_t i = 0; i < all.size(); ++i) {
    antlr4::Token* token = all[i];
    std::string_view what;
    switch (token->getType()) {
      case FreshetLexer::UNTERMINATED_STRING:
      case FreshetLexer::UNTERMINATED_ESCAPE_STRING:
        what = "unterminated quoted string";
        break;
      case FreshetLexer::UNTERMINATED_DOLLAR_STRING:
        what = "unterminated dollar-quoted string";
        break;
      case FreshetLexer::UNTERMINATED_QUOTED_IDENTIFIER:
        what = "unterminated quoted identifier";
        break;
      case FreshetLexer::QUOTED_IDENTIFIER:
        if (token->getStopIndex() == token->getStartIndex() + 1) {
          return LexicalError{i, Error(SqlState::kSyntaxError,
                                       "zero-length delimited identifier at or near \"\"\"\"")
                                     .WithPosition(PositionOf(token))};
        }
        break;
      case FreshetLexer::SLASH:
        // A terminated /* comment is skipped by the lexer, so `/` directly followed by `*` is an
        // unterminated one.
        if (i + 1 < all.size() && all[i + 1]->getType() == FreshetLexer::STAR &&
            all[i + 1]->getStartIndex() == token->getStartIndex() + 1) {
          what = "unterminated /* comment";
        }
        break;
      default:
        break;
    }
    if (!what.empty()) {
      // Like PostgreSQL, quote everything from the opening delimiter to the end of the input.
      std::string rest =
          input.getText(antlr4::misc::Interval(token->getStartIndex(), input.size() - 1));
      return LexicalError{
          i, Error(SqlState::kSyntaxError, fmt::format("{} at or near \"{}\"", what, rest))
                 .WithPosition(PositionOf(token))};
    }
  }
  return std::nullopt;
}

void CheckNesting(antlr4::CommonTokenStream& tokens) {
  int32_t depth = 0;
  for (antlr4::Token* token : tokens.getTokens()) {
    size_t type = token->getType();
    if (type == FreshetLexer::LPAREN || type == FreshetLexer::LBRACKET) {
      if (++depth > kMaxNestingDepth) {
        ThrowStatementTooComplex(PositionOf(token));
      }
    } else if ((type == FreshetLexer::RPAREN || type == FreshetLexer::RBRACKET) && depth > 0) {
      --depth;
    }
  }
}

/// Turns the first syntax error into an Error worded as PostgreSQL words it, and stops the parse
/// there: Freshet never recovers from a syntax error, so the first one is the only one.
class SyntaxErrorListener final : public antlr4::BaseErrorListener {
 public:
  SyntaxErrorListener(const std::optional<LexicalError>& lexical_error, size_t input_size)
      : lexical_error_(lexical_error), input_size_(input_size) {}

  void syntaxError(antlr4::Recognizer* /*recognizer*/,
                   antlr4::Token* offending,
                   size_t /*line*/,
                   size_t /*column*/,
                   const std::string& /*message*/,
                   std::exception_ptr /*exception*/) override {
    ThrowAt(offending);
  }

  /// PostgreSQL's scanner runs ahead of its grammar only one token, so a lexical error is reported
  /// when the grammar reaches it and a syntax error before it wins.
  [[noreturn]] void ThrowAt(antlr4::Token* offending) const {
    if (lexical_error_.has_value() &&
        (offending == nullptr || lexical_error_->token_index <= offending->getTokenIndex())) {
      throw lexical_error_->error;
    }
    if (offending == nullptr || offending->getType() == antlr4::Token::EOF) {
      throw Error::Syntax("", static_cast<int32_t>(input_size_) + 1);
    }
    throw Error::Syntax(offending->getText(), PositionOf(offending));
  }

 private:
  const std::optional<LexicalError>& lexical_error_;
  size_t input_size_;
};

/// The lexer turns every character into some token (ERROR_CHARACTER at worst), so this fires only
/// if the grammar loses that catch-all rule; it still reports in PostgreSQL's words.
class LexerErrorListener final : public antlr4::BaseErrorListener {
 public:
  explicit LexerErrorListener(antlr4::CharStream& input) : input_(input) {}

  void syntaxError(antlr4::Recognizer* recognizer,
                   antlr4::Token* /*offending*/,
                   size_t /*line*/,
                   size_t /*column*/,
                   const std::string& /*message*/,
                   std::exception_ptr /*exception*/) override {
    size_t start = static_cast<antlr4::Lexer*>(recognizer)->tokenStartCharIndex;
    throw Error::Syntax(input_.getText(antlr4::misc::Interval(start, start)),
                        static_cast<int32_t>(start) + 1);
  }

 private:
  antlr4::CharStream& input_;
};

/// Checks the stack on every rule the parser enters, so that no input recurses the generated code
/// off the stack.
class StackDepthListener final : public antlr4::tree::ParseTreeListener {
 public:
  explicit StackDepthListener(const StackDepthChecker& stack) : stack_(stack) {}

  void visitTerminal(antlr4::tree::TerminalNode* /*node*/) override {}
  void visitErrorNode(antlr4::tree::ErrorNode* /*node*/) override {}
  void enterEveryRule(antlr4::ParserRuleContext* /*ctx*/) override { stack_.Check(); }
  void exitEveryRule(antlr4::ParserRuleContext* /*ctx*/) override {}

 private:
  const StackDepthChecker& stack_;
};

}  // namespace

std::vector<ast::StatementPtr> Parse(std::string_view sql) {
  // The ANTLR runtime converts its input to UTF-32 and cannot take broken UTF-8; PostgreSQL rejects
  // it too.
  ValidateUtf8(sql, 0);
  StackDepthChecker stack;
  antlr4::ANTLRInputStream input(sql.data(), sql.size());

  std::unique_lock lock(AntlrMutex());
  FreshetLexer lexer(&input);
  LexerErrorListener lexer_listener(input);
  lexer.removeErrorListeners();
  lexer.addErrorListener(&lexer_listener);
  antlr4::CommonTokenStream tokens(&lexer);
  tokens.fill();
  std::optional<LexicalError> lexical_error = FindLexicalError(tokens, input);
  CheckNesting(tokens);

  FreshetParser parser(&tokens);
  parser.removeErrorListeners();
  StackDepthListener depth_listener(stack);
  parser.addParseListener(&depth_listener);
  SyntaxErrorListener syntax_listener(lexical_error, input.size());

  // SLL prediction is much cheaper and almost always enough; only when it fails is the input parsed
  // again with full LL, which also finds the exact offending token.
  auto* interpreter = parser.getInterpreter<antlr4::atn::ParserATNSimulator>();
  interpreter->setPredictionMode(antlr4::atn::PredictionMode::SLL);
  parser.setErrorHandler(std::make_shared<antlr4::BailErrorStrategy>());
  FreshetParser::ScriptContext* tree = nullptr;
  try {
    tree = parser.script();
  } catch (const antlr4::ParseCancellationException&) {
    tokens.seek(0);
    parser.reset();
    interpreter->setPredictionMode(antlr4::atn::PredictionMode::LL);
    parser.setErrorHandler(std::make_shared<antlr4::DefaultErrorStrategy>());
    parser.addErrorListener(&syntax_listener);
    tree = parser.script();
  }
  if (lexical_error.has_value()) {
    throw lexical_error
        ->error;  // unreachable in practice: no rule accepts the tokens of a lexical error
  }
  lock.unlock();

  Transformer transformer(input, stack);
  return transformer.TransformScript(tree);
}

}  // namespace freshet::parser
