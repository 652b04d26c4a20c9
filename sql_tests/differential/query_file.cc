// SPDX-License-Identifier: Apache-2.0
#include "sql_tests/differential/query_file.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace freshet::sql_tests::differential {
namespace {

/// True for characters of identifiers and keywords (UTF-8 bytes included).
bool IsWordChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '$' ||
         (static_cast<unsigned char>(c) & 0x80) != 0;
}

/// Walks SQL text token by token, skipping literals, quoted identifiers and comments, so callers
/// only see the characters that carry structure.
class Scanner {
 public:
  /// Scans `text`, which must outlive the scanner.
  explicit Scanner(std::string_view text) : text_(text) {}

  /// True at the end of the text.
  bool Done() const { return position_ >= text_.size(); }
  /// The offset of the current character.
  size_t Position() const { return position_; }

  /// Skips one literal, quoted identifier or comment at the position, if there is one, and
  /// reports whether it did.
  bool SkipQuoted() {
    char c = text_[position_];
    char next = position_ + 1 < text_.size() ? text_[position_ + 1] : '\0';
    if (c == '-' && next == '-') {
      size_t end = text_.find('\n', position_);
      position_ = end == std::string_view::npos ? text_.size() : end;
      return true;
    }
    if (c == '/' && next == '*') {
      // Block comments nest in PostgreSQL.
      int depth = 0;
      while (position_ < text_.size()) {
        if (text_.compare(position_, 2, "/*") == 0) {
          ++depth;
          position_ += 2;
        } else if (text_.compare(position_, 2, "*/") == 0) {
          position_ += 2;
          if (--depth == 0) {
            break;
          }
        } else {
          ++position_;
        }
      }
      return true;
    }
    if (c == '\'' || c == '"') {
      // E'...' strings take backslash escapes; the E must be a word of its own.
      bool backslash_escapes = c == '\'' && position_ > 0 &&
                               (text_[position_ - 1] == 'E' || text_[position_ - 1] == 'e') &&
                               (position_ == 1 || !IsWordChar(text_[position_ - 2]));
      ++position_;
      while (position_ < text_.size()) {
        char inside = text_[position_];
        if (backslash_escapes && inside == '\\') {
          position_ += 2;
          continue;
        }
        ++position_;
        if (inside == c) {
          if (position_ < text_.size() && text_[position_] == c) {
            ++position_;  // a doubled quote stands for itself
            continue;
          }
          break;
        }
      }
      return true;
    }
    if (c == '$' && (position_ == 0 || !IsWordChar(text_[position_ - 1]))) {
      size_t close = text_.find('$', position_ + 1);
      if (close != std::string_view::npos) {
        std::string_view tag = text_.substr(position_, close - position_ + 1);
        bool valid_tag = std::all_of(tag.begin() + 1, tag.end() - 1, [](char t) {
          return IsWordChar(t) && std::isdigit(static_cast<unsigned char>(t)) == 0;
        });
        if (valid_tag) {
          size_t end = text_.find(tag, close + 1);
          position_ = end == std::string_view::npos ? text_.size() : end + tag.size();
          return true;
        }
      }
    }
    return false;
  }

  /// The current character; not at the end.
  char Current() const { return text_[position_]; }
  /// Moves past the current character.
  void Advance() { ++position_; }

 private:
  std::string_view text_;
  size_t position_ = 0;
};

/// Drops leading and trailing white space.
std::string_view Trim(std::string_view text) {
  size_t begin = 0;
  while (begin < text.size() && std::isspace(static_cast<unsigned char>(text[begin])) != 0) {
    ++begin;
  }
  size_t end = text.size();
  while (end > begin && std::isspace(static_cast<unsigned char>(text[end - 1])) != 0) {
    --end;
  }
  return text.substr(begin, end - begin);
}

/// Returns the offset of the first character that is neither blank nor part of a comment, or
/// npos when there is none.
size_t FirstToken(std::string_view text) {
  Scanner scanner(text);
  while (!scanner.Done()) {
    char c = scanner.Current();
    if (std::isspace(static_cast<unsigned char>(c)) != 0) {
      scanner.Advance();
      continue;
    }
    size_t before = scanner.Position();
    if ((c == '-' || c == '/') && scanner.SkipQuoted()) {
      continue;
    }
    return before;
  }
  return std::string_view::npos;
}

}  // namespace

std::vector<QueryText> SplitStatements(std::string_view text) {
  std::vector<QueryText> statements;
  auto emit = [&](size_t begin, size_t end) {
    std::string_view piece = text.substr(begin, end - begin);
    size_t first = FirstToken(piece);
    if (first == std::string_view::npos) {
      return;
    }
    int line =
        1 + static_cast<int>(std::count(
                text.begin(), text.begin() + static_cast<std::ptrdiff_t>(begin + first), '\n'));
    statements.push_back(QueryText{std::string(Trim(piece.substr(first))), line});
  };
  Scanner scanner(text);
  size_t start = 0;
  while (!scanner.Done()) {
    if (scanner.SkipQuoted()) {
      continue;
    }
    if (scanner.Current() == ';') {
      emit(start, scanner.Position());
      scanner.Advance();
      start = scanner.Position();
      continue;
    }
    scanner.Advance();
  }
  emit(start, text.size());
  return statements;
}

bool HasTopLevelOrderBy(std::string_view sql) {
  Scanner scanner(sql);
  int depth = 0;
  std::string previous_word;
  while (!scanner.Done()) {
    if (scanner.SkipQuoted()) {
      previous_word.clear();
      continue;
    }
    char c = scanner.Current();
    if (c == '(') {
      ++depth;
    } else if (c == ')') {
      --depth;
    }
    if (!IsWordChar(c)) {
      if (std::isspace(static_cast<unsigned char>(c)) == 0) {
        previous_word.clear();
      }
      scanner.Advance();
      continue;
    }
    std::string word;
    while (!scanner.Done() && IsWordChar(scanner.Current())) {
      word += static_cast<char>(std::toupper(static_cast<unsigned char>(scanner.Current())));
      scanner.Advance();
    }
    if (depth == 0 && previous_word == "ORDER" && word == "BY") {
      return true;
    }
    previous_word = word;
  }
  return false;
}

std::optional<std::string> ReadFile(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    return std::nullopt;
  }
  std::ostringstream contents;
  contents << file.rdbuf();
  return contents.str();
}

std::optional<std::string> CollectQueryFiles(const std::vector<std::string>& paths,
                                             std::vector<std::string>& files) {
  for (const std::string& path : paths) {
    std::error_code error;
    if (std::filesystem::is_directory(path, error)) {
      std::vector<std::string> found;
      for (const auto& entry : std::filesystem::recursive_directory_iterator(path, error)) {
        if (entry.is_regular_file() && entry.path().extension() == ".sql") {
          found.push_back(entry.path().string());
        }
      }
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else if (std::filesystem::is_regular_file(path, error)) {
      files.push_back(path);
    } else {
      return "no such file or directory: " + path;
    }
  }
  return std::nullopt;
}

}  // namespace freshet::sql_tests::differential
