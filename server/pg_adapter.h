// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "engine/database.h"
#include "pgwire/query_handler.h"

namespace freshet::server {

/// Makes an engine Session for every pgwire connection: the one place where the engine meets the
/// wire protocol. Thread-safe, as pgwire requires.
class SessionHandlerFactory final : public pgwire::QueryHandlerFactory {
 public:
  explicit SessionHandlerFactory(engine::Database& database) : database_(database) {}

  std::unique_ptr<pgwire::QueryHandler> Create(const pgwire::StartupInfo& startup) override;
  std::vector<std::pair<std::string, std::string>> InitialParameters(
      const pgwire::StartupInfo& startup) override;

 private:
  engine::Database& database_;
};

}  // namespace freshet::server
