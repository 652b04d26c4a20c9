// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/error.h"
#include "function/system_functions.h"

namespace freshet::engine {

/// A row of SHOW ALL: the parameter's name, its value and PostgreSQL's description of it.
struct SettingRow {
  std::string name;
  std::string setting;
  std::string description;
};

/// The run-time parameters of one session (PostgreSQL's GUCs), with PostgreSQL 15's names,
/// defaults, checks, error messages and SHOW spellings: SET, SET LOCAL, RESET, SHOW, SHOW ALL,
/// current_setting() and set_config(). A SET inside a transaction block is undone by ROLLBACK; a
/// SET LOCAL lasts until the block ends. Used by one session's thread only.
class SessionSettings final : public function::SettingsAccess {
 public:
  /// Normalizes a value of a parameter whose check lives elsewhere (TimeZone: the session resolves
  /// zones) and returns what SHOW prints; throws 22023 for a bad value.
  using Check = std::function<std::string(const std::string& value)>;

  /// `user` is the session's role; `application_name` comes from the startup message.
  SessionSettings(std::string user, std::string application_name);

  /// Installs the check of parameter `name` (lower case).
  void SetCheck(std::string_view name, Check check);

  /// SET [LOCAL] name TO values: an empty `values` means DEFAULT. Throws 42704 for an unknown
  /// parameter, 22023 for a bad value, 55P02 for a read-only one. Returns a warning to send, if
  /// any (SET LOCAL outside a transaction block).
  std::optional<Error> Set(std::string_view name,
                           const std::vector<std::string>& values,
                           bool local,
                           bool in_transaction_block);
  /// RESET ALL: every parameter a user can change goes back to its default.
  void ResetAll();
  /// The value SHOW prints; throws 42704 for an unknown parameter.
  std::string Show(std::string_view name) const;
  /// The name SHOW uses as its column title ("DateStyle" for datestyle).
  std::string_view DisplayName(std::string_view name) const;
  /// The rows of SHOW ALL, ordered by name.
  std::vector<SettingRow> ShowAll() const;
  /// The parameters sent as ParameterStatus, with their values, in PostgreSQL's spelling.
  std::vector<std::pair<std::string, std::string>> Reported() const;

  /// Transaction boundaries: BEGIN remembers the values for ROLLBACK; the end of a block (or of a
  /// statement outside one) drops SET LOCAL values.
  void BeginTransaction();
  void EndTransaction(bool commit);
  void EndStatement();
  /// Counts changes, so the session can tell when to re-read the values below.
  uint64_t Version() const { return version_; }

  int32_t ExtraFloatDigits() const;
  /// statement_timeout in milliseconds; 0 means none.
  int64_t StatementTimeoutMs() const;
  /// True if a message of `severity` passes client_min_messages.
  bool SendsToClient(Severity severity) const;

  std::optional<std::string> CurrentSetting(std::string_view name, bool missing_ok) const override;
  std::string SetConfig(std::string_view name,
                        std::optional<std::string_view> value,
                        bool is_local) override;

  /// A parameter's PostgreSQL name, default, description and checks (session_settings.cc).
  struct Definition;

 private:
  const Definition* Find(std::string_view name) const;
  /// The key of `name` in the value maps: the lower-case name, custom ("x.y") names included.
  std::string KeyOf(std::string_view name) const;
  std::string Normalize(const Definition& definition,
                        const std::vector<std::string>& values,
                        bool& is_default) const;
  std::optional<std::string> Lookup(const std::string& key) const;

  std::string user_;
  std::map<std::string, Check> checks_;
  /// Values set for the session, by key; a missing key has its default.
  std::map<std::string, std::string> values_;
  /// SET LOCAL values of the current transaction, overriding values_.
  std::map<std::string, std::string> local_values_;
  /// values_ when the transaction block began, for ROLLBACK.
  std::optional<std::map<std::string, std::string>> saved_values_;
  uint64_t version_ = 0;
};

}  // namespace freshet::engine
