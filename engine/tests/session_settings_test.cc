// SPDX-License-Identifier: Apache-2.0
#include "engine/session_settings.h"

#include <gtest/gtest.h>

namespace freshet::engine {
namespace {

// The error SET raises, as "SQLSTATE message".
std::string SetError(SessionSettings& settings,
                     std::string_view name,
                     std::vector<std::string> values) {
  try {
    settings.Set(name, values, false, false);
  } catch (const Error& error) {
    return std::string(error.Code()) + " " + error.Message();
  }
  return "";
}

TEST(SessionSettingsTest, ShowsPostgresDefaults) {
  SessionSettings settings("alice", "psql");
  EXPECT_EQ(settings.Show("search_path"), "\"$user\", public");
  EXPECT_EQ(settings.Show("DateStyle"), "ISO, MDY");
  EXPECT_EQ(settings.Show("application_name"), "psql");
  EXPECT_EQ(settings.Show("session_authorization"), "alice");
  EXPECT_EQ(settings.Show("transaction_isolation"), "read committed");
  EXPECT_EQ(settings.DisplayName("timezone"), "TimeZone");
  EXPECT_EQ(settings.ExtraFloatDigits(), 1);
  EXPECT_EQ(settings.StatementTimeoutMs(), 0);
}

TEST(SessionSettingsTest, NormalizesValuesAsShowPrintsThem) {
  SessionSettings settings("alice", "");
  settings.Set("statement_timeout", {"5 s"}, false, false);
  EXPECT_EQ(settings.Show("statement_timeout"), "5s");
  EXPECT_EQ(settings.StatementTimeoutMs(), 5000);
  settings.Set("statement_timeout", {"1500"}, false, false);
  EXPECT_EQ(settings.Show("statement_timeout"), "1500ms");
  settings.Set("statement_timeout", {"90min"}, false, false);
  EXPECT_EQ(settings.Show("statement_timeout"), "90min");
  settings.Set("extra_float_digits", {"2.5"}, false, false);
  EXPECT_EQ(settings.ExtraFloatDigits(), 2);
  settings.Set("standard_conforming_strings", {"true"}, false, false);
  EXPECT_EQ(settings.Show("standard_conforming_strings"), "on");
  settings.Set("search_path", {"a b", "public", "$user"}, false, false);
  EXPECT_EQ(settings.Show("search_path"), "\"a b\", public, \"$user\"");
  settings.Set("datestyle", {"iso", "ymd"}, false, false);
  EXPECT_EQ(settings.Show("datestyle"), "ISO, YMD");
  settings.Set("datestyle", {"DMY"}, false, false);
  EXPECT_EQ(settings.Show("datestyle"), "ISO, DMY");
  settings.Set("application_name", {"\xc3\xa9-app"}, false, false);
  EXPECT_EQ(settings.Show("application_name"), "??-app");
}

TEST(SessionSettingsTest, RejectsBadValuesWithPostgresErrors) {
  SessionSettings settings("alice", "");
  EXPECT_EQ(SetError(settings, "nosuch", {"1"}),
            "42704 unrecognized configuration parameter \"nosuch\"");
  EXPECT_EQ(SetError(settings, "extra_float_digits", {"9"}),
            "22023 9 is outside the valid range for parameter \"extra_float_digits\" (-15 .. 3)");
  EXPECT_EQ(SetError(settings, "extra_float_digits", {"abc"}),
            "22023 invalid value for parameter \"extra_float_digits\": \"abc\"");
  EXPECT_EQ(SetError(settings, "statement_timeout", {"-1"}),
            "22023 -1 ms is outside the valid range for parameter \"statement_timeout\" (0 .. "
            "2147483647)");
  EXPECT_EQ(SetError(settings, "server_version", {"1"}),
            "55P02 parameter \"server_version\" cannot be changed");
  EXPECT_EQ(SetError(settings, "application_name", {"a", "b"}),
            "22023 SET application_name takes only one argument");
  EXPECT_EQ(SetError(settings, "standard_conforming_strings", {"maybe"}),
            "22023 parameter \"standard_conforming_strings\" requires a Boolean value");
  EXPECT_EQ(SetError(settings, "datestyle", {"ISO, MDY, YMD"}),
            "22023 invalid value for parameter \"DateStyle\": \"ISO, MDY, YMD\"");
  try {
    settings.Set("client_min_messages", {"foo"}, false, false);
    FAIL();
  } catch (const Error& error) {
    EXPECT_EQ(error.Hint(),
              "Available values: debug5, debug4, debug3, debug2, debug1, log, notice, warning, "
              "error.");
  }
}

TEST(SessionSettingsTest, RollbackUndoesSetAndLocalValuesEndWithTheBlock) {
  SessionSettings settings("alice", "");
  settings.BeginTransaction();
  settings.Set("extra_float_digits", {"3"}, false, true);
  settings.Set("statement_timeout", {"7s"}, true, true);
  EXPECT_EQ(settings.Show("statement_timeout"), "7s");
  settings.EndTransaction(false);
  EXPECT_EQ(settings.Show("extra_float_digits"), "1");
  EXPECT_EQ(settings.Show("statement_timeout"), "0");
  settings.BeginTransaction();
  settings.Set("extra_float_digits", {"3"}, false, true);
  settings.Set("statement_timeout", {"7s"}, true, true);
  settings.EndTransaction(true);
  EXPECT_EQ(settings.Show("extra_float_digits"), "3");
  EXPECT_EQ(settings.Show("statement_timeout"), "0");
  // SET LOCAL outside a block warns and changes nothing.
  const std::optional<Error> warning = settings.Set("statement_timeout", {"1s"}, true, false);
  ASSERT_TRUE(warning.has_value());
  EXPECT_EQ(warning->Message(), "SET LOCAL can only be used in transaction blocks");
  EXPECT_EQ(settings.Show("statement_timeout"), "0");
}

TEST(SessionSettingsTest, CurrentSettingAndSetConfig) {
  SessionSettings settings("alice", "");
  EXPECT_EQ(settings.CurrentSetting("nosuch", true), std::nullopt);
  EXPECT_THROW(settings.CurrentSetting("nosuch", false), Error);
  EXPECT_EQ(settings.SetConfig("my.key", "v", false), "v");
  EXPECT_EQ(settings.CurrentSetting("my.key", false), "v");
  EXPECT_EQ(settings.SetConfig("search_path", "", false), "\"\"");
  EXPECT_EQ(settings.SetConfig("search_path", std::nullopt, false), "\"$user\", public");
}

TEST(SessionSettingsTest, ClientMinMessagesFiltersNotices) {
  SessionSettings settings("alice", "");
  EXPECT_TRUE(settings.SendsToClient(Severity::kNotice));
  settings.Set("client_min_messages", {"warning"}, false, false);
  EXPECT_FALSE(settings.SendsToClient(Severity::kNotice));
  EXPECT_TRUE(settings.SendsToClient(Severity::kWarning));
  EXPECT_TRUE(settings.SendsToClient(Severity::kInfo));
}

TEST(SessionSettingsTest, ReportsParameterStatusNames) {
  SessionSettings settings("alice", "app");
  std::vector<std::string> names;
  for (const auto& [name, value] : settings.Reported()) {
    names.push_back(name);
  }
  EXPECT_EQ(names, (std::vector<std::string>{
                       "application_name", "client_encoding", "DateStyle",
                       "default_transaction_read_only", "in_hot_standby", "integer_datetimes",
                       "IntervalStyle", "is_superuser", "server_encoding", "server_version",
                       "session_authorization", "standard_conforming_strings", "TimeZone"}));
}

}  // namespace
}  // namespace freshet::engine
