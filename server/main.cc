// SPDX-License-Identifier: Apache-2.0
// The freshet server: opens the data directory and serves the Postgres wire protocol until SIGINT
// or SIGTERM.
#include <charconv>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>

#include <fmt/format.h>
#include <signal.h>

#include "common/command_line.h"
#include "common/error.h"
#include "common/logging.h"
#include "engine/database.h"
#include "pgwire/server.h"
#include "server/pg_adapter.h"

namespace freshet::server {
namespace {

struct Flags {
  std::string listen = "127.0.0.1";
  uint16_t port = 5488;
  std::string data_dir = "./freshet-data";
  std::optional<std::string> password;
  size_t query_memory_limit_mb = 2048;
  uint32_t workers = 0;
  uint32_t checkpoint_interval_ms = 1000;
};

constexpr std::string_view kUsage = R"(usage: freshet [options]
  --listen ADDRESS        address to listen on (default 127.0.0.1)
  --port PORT             TCP port (default 5488)
  --data-dir DIR          data directory (default ./freshet-data)
  --password PASSWORD     require SCRAM-SHA-256 authentication with this password
                          (also FRESHET_PASSWORD; default: trust every local client)
  --query-memory-mb N     memory budget of one query's blocking operators (default 2048)
  --workers N             streaming worker threads and view parallelism (default: one per core)
  --checkpoint-interval-ms N
                          time between streaming checkpoints (default 1000)
  --log-level LEVEL       error, warning, info or debug (default info)
  --help                  show this text
)";

[[noreturn]] void Usage(std::string_view problem) {
  if (!problem.empty()) {
    std::cerr << "freshet: " << problem << "\n";
  }
  std::cerr << kUsage;
  std::exit(problem.empty() ? 0 : 2);
}

Flags ParseFlags(int argc, char** argv) {
  Flags flags;
  if (const char* password = std::getenv("FRESHET_PASSWORD"); password != nullptr && *password) {
    flags.password = password;
  }
  FlagReader reader(argc, argv, Usage);
  while (reader.Next()) {
    const std::string_view arg = reader.Flag();
    if (arg == "--listen") {
      flags.listen = reader.Value();
    } else if (arg == "--port") {
      flags.port = static_cast<uint16_t>(reader.Unsigned(0, 65535));
    } else if (arg == "--data-dir") {
      flags.data_dir = reader.Value();
    } else if (arg == "--password") {
      flags.password = std::string(reader.Value());
    } else if (arg == "--query-memory-mb") {
      flags.query_memory_limit_mb = reader.Unsigned();
    } else if (arg == "--workers") {
      flags.workers = static_cast<uint32_t>(reader.Unsigned(0, UINT32_MAX));
    } else if (arg == "--checkpoint-interval-ms") {
      flags.checkpoint_interval_ms = static_cast<uint32_t>(reader.Unsigned(0, UINT32_MAX));
      if (flags.checkpoint_interval_ms == 0) {
        Usage("--checkpoint-interval-ms must be positive");
      }
    } else if (arg == "--log-level") {
      const std::string_view value = reader.Value();
      if (value == "error") {
        SetLogLevel(LogLevel::kError);
      } else if (value == "warning") {
        SetLogLevel(LogLevel::kWarning);
      } else if (value == "info") {
        SetLogLevel(LogLevel::kInfo);
      } else if (value == "debug") {
        SetLogLevel(LogLevel::kDebug);
      } else {
        Usage(fmt::format("unknown log level \"{}\"", value));
      }
    } else {
      reader.Unknown();
    }
  }
  return flags;
}

int Run(int argc, char** argv) {
  const Flags flags = ParseFlags(argc, argv);

  // Block the stop signals in every thread; the main thread waits for them with sigwait.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  engine::DatabaseOptions database_options;
  database_options.data_dir = flags.data_dir;
  database_options.query_memory_limit_bytes = flags.query_memory_limit_mb << 20;
  database_options.workers = flags.workers;
  database_options.checkpoint_interval_micros = int64_t{flags.checkpoint_interval_ms} * 1000;
  std::unique_ptr<engine::Database> database;
  try {
    database = engine::Database::Open(database_options);
  } catch (const Error& error) {
    std::cerr << "freshet: cannot open data directory: " << error.Message() << "\n";
    return 1;
  }

  SessionHandlerFactory factory(*database);
  pgwire::ServerOptions server_options;
  server_options.listen_address = flags.listen;
  server_options.port = flags.port;
  server_options.password = flags.password;
  pgwire::Server server(server_options, factory);
  if (Status status = server.Start(); !status.ok()) {
    std::cerr << "freshet: cannot listen on " << flags.listen << ":" << flags.port << ": "
              << status.error().Message() << "\n";
    return 1;
  }
  FRESHET_LOG_INFO("server",
                   "serving data directory {}; connect with psql -h {} -p {} -U freshet -d dev",
                   flags.data_dir, flags.listen, server.Port());

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  FRESHET_LOG_INFO("server", "received {}; finishing running statements",
                   signal_number == SIGINT ? "SIGINT" : "SIGTERM");
  server.Shutdown();
  database->Close();
  FRESHET_LOG_INFO("server", "stopped");
  return 0;
}

}  // namespace
}  // namespace freshet::server

int main(int argc, char** argv) {
  try {
    return freshet::server::Run(argc, argv);
  } catch (const std::exception& error) {
    std::cerr << "freshet: fatal: " << error.what() << "\n";
    return 1;
  }
}
