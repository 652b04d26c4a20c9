// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pgwire/query_handler.h"

namespace freshet::pgwire::testing {

/// What the fake handlers of one factory share, so that tests can watch them; thread-safe.
class FakeState {
 public:
  /// Blocks until `count` statements sleep or the timeout passes; returns whether they sleep.
  bool WaitForSleepers(int count, std::chrono::milliseconds timeout = std::chrono::seconds(10));
  int CancelCalls() const;

 private:
  friend class FakeQueryHandler;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  int sleepers_ = 0;
  int cancel_calls_ = 0;
};

/// A QueryHandler with scripted answers, so that pgwire is tested without an engine. A query string
/// is split at ';' and each statement answered by its text:
///   select 1 | select null | rows N (N rows of an int and a text) | notice | begin | commit | set
///   timezone fail at P (42P01 with detail, hint and position P) | fatal (a FATAL error) | crash
///   (std::runtime_error) sleep (waits until Cancel, then 57014) | sleep_ms N | bad datarow
///   (DataRow without RowDescription)
/// Anything else is a syntax error; a string with no statements is an empty query.
class FakeQueryHandler final : public QueryHandler {
 public:
  explicit FakeQueryHandler(std::shared_ptr<FakeState> state) : state_(std::move(state)) {}

  void ExecuteSimpleQuery(std::string_view sql, ResultWriter& writer) override;
  TransactionStatus GetTransactionStatus() const override;
  void Cancel() override;

 private:
  void ExecuteStatement(std::string_view statement, ResultWriter& writer);

  std::shared_ptr<FakeState> state_;
  bool in_transaction_ = false;
  /// Guarded by state_->mutex_: set by Cancel, consumed by `sleep`.
  bool cancelled_ = false;
};

/// Makes FakeQueryHandlers; refuses the database "nodb" with 3D000, as an engine would.
class FakeQueryHandlerFactory final : public QueryHandlerFactory {
 public:
  std::unique_ptr<QueryHandler> Create(const StartupInfo& startup) override;
  std::vector<std::pair<std::string, std::string>> InitialParameters(
      const StartupInfo& startup) override;

  FakeState& State() { return *state_; }
  /// The StartupInfo of the last connection created.
  StartupInfo LastStartup() const;

 private:
  std::shared_ptr<FakeState> state_ = std::make_shared<FakeState>();
  mutable std::mutex mutex_;
  StartupInfo last_startup_;
};

}  // namespace freshet::pgwire::testing
