// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string_view>

#include <fmt/format.h>

namespace freshet {

/// Log levels, most severe first.
enum class LogLevel : uint8_t { kError, kWarning, kInfo, kDebug };

/// Writes one line "<time> <LEVEL> <module>: <message>" to stderr; thread-safe, never per row.
void WriteLogLine(LogLevel level, std::string_view module, std::string_view message);
/// Sets the most verbose level that is written (kInfo by default).
void SetLogLevel(LogLevel level);
/// Returns true when lines of `level` are written.
bool LogEnabled(LogLevel level);

}  // namespace freshet

#define FRESHET_LOG(level, module, ...)                                   \
  do {                                                                    \
    if (::freshet::LogEnabled(level)) {                                   \
      ::freshet::WriteLogLine(level, module, ::fmt::format(__VA_ARGS__)); \
    }                                                                     \
  } while (false)
#define FRESHET_LOG_ERROR(module, ...) FRESHET_LOG(::freshet::LogLevel::kError, module, __VA_ARGS__)
#define FRESHET_LOG_WARNING(module, ...) \
  FRESHET_LOG(::freshet::LogLevel::kWarning, module, __VA_ARGS__)
#define FRESHET_LOG_INFO(module, ...) FRESHET_LOG(::freshet::LogLevel::kInfo, module, __VA_ARGS__)
#define FRESHET_LOG_DEBUG(module, ...) FRESHET_LOG(::freshet::LogLevel::kDebug, module, __VA_ARGS__)
