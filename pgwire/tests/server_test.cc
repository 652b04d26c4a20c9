// SPDX-License-Identifier: Apache-2.0
// End-to-end tests: a real Server on a free port, a fake QueryHandler behind it, libpq in front.
#include "pgwire/server.h"

#include <atomic>
#include <chrono>
#include <latch>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <libpq-fe.h>

#include "pgwire/tests/fake_query_handler.h"
#include "pgwire/tests/raw_client.h"

namespace freshet::pgwire {
namespace {

using testing::FakeQueryHandlerFactory;
using testing::RawClient;

/// Deletes a PGconn.
struct ConnectionCloser {
  void operator()(PGconn* connection) const { PQfinish(connection); }
};
using PgConnection = std::unique_ptr<PGconn, ConnectionCloser>;

/// Deletes a PGresult.
struct ResultClearer {
  void operator()(PGresult* result) const { PQclear(result); }
};
using PgResult = std::unique_ptr<PGresult, ResultClearer>;

std::string ErrorField(const PGresult* result, int field) {
  const char* value = PQresultErrorField(result, field);
  return value == nullptr ? "" : value;
}

/// Waits until `condition` holds, for at most ten seconds.
template <typename Condition>
bool Eventually(Condition condition) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return condition();
}

/// Starts a Server on a free port in front of a FakeQueryHandlerFactory; libpq connects to it.
class ServerTest : public ::testing::Test {
 protected:
  void StartServer(ServerOptions options = {}) {
    options.port = 0;
    server_ = std::make_unique<Server>(std::move(options), factory_);
    const Status status = server_->Start();
    ASSERT_TRUE(status.ok()) << status.error().Message();
  }

  std::string ConnectionString(const std::string& extra = "") const {
    return "host=127.0.0.1 port=" + std::to_string(server_->Port()) +
           " user=alice dbname=db application_name=pgwire_test connect_timeout=10 " + extra;
  }

  PgConnection Connect(const std::string& extra = "") const {
    return PgConnection(PQconnectdb(ConnectionString(extra).c_str()));
  }

  /// Connects and fails the test unless the connection is made.
  PgConnection ConnectOk(const std::string& extra = "") const {
    PgConnection connection = Connect(extra);
    EXPECT_EQ(PQstatus(connection.get()), CONNECTION_OK) << PQerrorMessage(connection.get());
    return connection;
  }

  static PgResult Execute(PGconn* connection, const char* sql) {
    return PgResult(PQexec(connection, sql));
  }

  /// Sends `sql` and collects every result of it.
  static std::vector<PgResult> ExecuteAll(PGconn* connection, const char* sql) {
    std::vector<PgResult> results;
    if (PQsendQuery(connection, sql) != 1) {
      ADD_FAILURE() << PQerrorMessage(connection);
      return results;
    }
    while (PGresult* result = PQgetResult(connection)) {
      results.emplace_back(result);
    }
    return results;
  }

  FakeQueryHandlerFactory factory_;
  std::unique_ptr<Server> server_;
};

TEST_F(ServerTest, TrustedClientGetsParametersKeyAndReadyForQuery) {
  StartServer();
  PgConnection connection = ConnectOk();
  EXPECT_STREQ(PQparameterStatus(connection.get(), "server_version"), "15.0");
  EXPECT_STREQ(PQparameterStatus(connection.get(), "client_encoding"), "UTF8");
  EXPECT_STREQ(PQparameterStatus(connection.get(), "application_name"), "pgwire_test");
  EXPECT_GT(PQbackendPID(connection.get()), 0);
  EXPECT_EQ(PQtransactionStatus(connection.get()), PQTRANS_IDLE);
  const StartupInfo startup = factory_.LastStartup();
  EXPECT_EQ(startup.user, "alice");
  EXPECT_EQ(startup.database, "db");
  EXPECT_EQ(startup.application_name, "pgwire_test");
  EXPECT_TRUE(startup.peer.starts_with("127.0.0.1:")) << startup.peer;
}

TEST_F(ServerTest, SimpleQueryReturnsRowsAndTypes) {
  StartServer();
  PgConnection connection = ConnectOk();
  PgResult result = Execute(connection.get(), "select 1");
  ASSERT_EQ(PQresultStatus(result.get()), PGRES_TUPLES_OK) << PQresultErrorMessage(result.get());
  ASSERT_EQ(PQntuples(result.get()), 1);
  ASSERT_EQ(PQnfields(result.get()), 1);
  EXPECT_STREQ(PQfname(result.get(), 0), "?column?");
  EXPECT_EQ(PQftype(result.get(), 0), 23u);
  EXPECT_STREQ(PQgetvalue(result.get(), 0, 0), "1");
  EXPECT_STREQ(PQcmdTuples(result.get()), "1");

  PgResult null_result = Execute(connection.get(), "select null");
  ASSERT_EQ(PQresultStatus(null_result.get()), PGRES_TUPLES_OK);
  EXPECT_TRUE(PQgetisnull(null_result.get(), 0, 0));
}

TEST_F(ServerTest, MultiStatementQueryReturnsEveryResult) {
  StartServer();
  PgConnection connection = ConnectOk();
  std::vector<PgResult> results = ExecuteAll(connection.get(), "select 1; rows 3; begin");
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(PQntuples(results[0].get()), 1);
  EXPECT_EQ(PQntuples(results[1].get()), 3);
  EXPECT_STREQ(PQgetvalue(results[1].get(), 2, 1), "row 2");
  EXPECT_EQ(PQresultStatus(results[2].get()), PGRES_COMMAND_OK);
  EXPECT_STREQ(PQcmdStatus(results[2].get()), "BEGIN");
  EXPECT_EQ(PQtransactionStatus(connection.get()), PQTRANS_INTRANS);
  Execute(connection.get(), "commit");
  EXPECT_EQ(PQtransactionStatus(connection.get()), PQTRANS_IDLE);
}

TEST_F(ServerTest, ErrorCarriesSqlStateDetailHintAndPosition) {
  StartServer();
  PgConnection connection = ConnectOk();
  // The error ends the query string: the statement after it never runs.
  std::vector<PgResult> results = ExecuteAll(connection.get(), "select 1; fail at 11; select 1");
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(PQresultStatus(results[0].get()), PGRES_TUPLES_OK);
  const PGresult* error = results[1].get();
  ASSERT_EQ(PQresultStatus(error), PGRES_FATAL_ERROR);
  EXPECT_EQ(ErrorField(error, PG_DIAG_SEVERITY), "ERROR");
  EXPECT_EQ(ErrorField(error, PG_DIAG_SEVERITY_NONLOCALIZED), "ERROR");
  EXPECT_EQ(ErrorField(error, PG_DIAG_SQLSTATE), "42P01");
  EXPECT_EQ(ErrorField(error, PG_DIAG_MESSAGE_PRIMARY), "relation \"nope\" does not exist");
  EXPECT_EQ(ErrorField(error, PG_DIAG_MESSAGE_DETAIL), "The table was never created.");
  EXPECT_EQ(ErrorField(error, PG_DIAG_MESSAGE_HINT), "Create it first.");
  EXPECT_EQ(ErrorField(error, PG_DIAG_STATEMENT_POSITION), "11");
  // The session goes on.
  PgResult after = Execute(connection.get(), "select 1");
  EXPECT_EQ(PQresultStatus(after.get()), PGRES_TUPLES_OK);
}

TEST_F(ServerTest, NoticeReachesTheClient) {
  StartServer();
  PgConnection connection = ConnectOk();
  std::vector<std::string> notices;
  PQsetNoticeReceiver(
      connection.get(),
      [](void* argument, const PGresult* notice) {
        auto* collected = static_cast<std::vector<std::string>*>(argument);
        collected->push_back(ErrorField(notice, PG_DIAG_SEVERITY) + ": " +
                             ErrorField(notice, PG_DIAG_MESSAGE_PRIMARY) + " / " +
                             ErrorField(notice, PG_DIAG_MESSAGE_DETAIL));
      },
      &notices);
  PgResult result = Execute(connection.get(), "notice");
  EXPECT_EQ(PQresultStatus(result.get()), PGRES_COMMAND_OK);
  ASSERT_EQ(notices.size(), 1u);
  EXPECT_EQ(notices[0], "NOTICE: this is a notice / Notice detail.");
}

TEST_F(ServerTest, EmptyQueryGetsEmptyQueryResponse) {
  StartServer();
  PgConnection connection = ConnectOk();
  EXPECT_EQ(PQresultStatus(Execute(connection.get(), "").get()), PGRES_EMPTY_QUERY);
  EXPECT_EQ(PQresultStatus(Execute(connection.get(), " ; ").get()), PGRES_EMPTY_QUERY);
}

TEST_F(ServerTest, ParameterStatusChangesAreSeen) {
  StartServer();
  PgConnection connection = ConnectOk();
  EXPECT_STREQ(PQparameterStatus(connection.get(), "TimeZone"), "UTC");
  Execute(connection.get(), "set timezone");
  EXPECT_STREQ(PQparameterStatus(connection.get(), "TimeZone"), "Europe/Paris");
}

TEST_F(ServerTest, ForeignExceptionBecomesInternalErrorAndSessionSurvives) {
  StartServer();
  PgConnection connection = ConnectOk();
  PgResult crash = Execute(connection.get(), "crash");
  ASSERT_EQ(PQresultStatus(crash.get()), PGRES_FATAL_ERROR);
  EXPECT_EQ(ErrorField(crash.get(), PG_DIAG_SQLSTATE), "XX000");
  EXPECT_EQ(ErrorField(crash.get(), PG_DIAG_MESSAGE_PRIMARY), "boom");
  // A handler that breaks the protocol order is caught as well.
  PgResult orphan = Execute(connection.get(), "bad datarow");
  EXPECT_EQ(ErrorField(orphan.get(), PG_DIAG_SQLSTATE), "XX000");
  EXPECT_EQ(PQresultStatus(Execute(connection.get(), "select 1").get()), PGRES_TUPLES_OK);
}

TEST_F(ServerTest, FatalErrorEndsTheSession) {
  StartServer();
  PgConnection connection = ConnectOk();
  // libpq reports the FATAL error, then the closed connection as a second result.
  std::vector<PgResult> results = ExecuteAll(connection.get(), "fatal");
  ASSERT_FALSE(results.empty());
  EXPECT_EQ(ErrorField(results[0].get(), PG_DIAG_SEVERITY), "FATAL");
  EXPECT_EQ(ErrorField(results[0].get(), PG_DIAG_MESSAGE_PRIMARY), "fatal for testing");
  EXPECT_NE(PQresultStatus(Execute(connection.get(), "select 1").get()), PGRES_TUPLES_OK);
  EXPECT_EQ(PQstatus(connection.get()), CONNECTION_BAD);
}

TEST_F(ServerTest, LargeResultIsStreamed) {
  StartServer();
  PgConnection connection = ConnectOk();
  // About 400 KiB: several flushes at the 64 KiB threshold before CommandComplete.
  PgResult result = Execute(connection.get(), "rows 20000");
  ASSERT_EQ(PQresultStatus(result.get()), PGRES_TUPLES_OK);
  ASSERT_EQ(PQntuples(result.get()), 20000);
  EXPECT_STREQ(PQgetvalue(result.get(), 19999, 0), "19999");
  EXPECT_STREQ(PQgetvalue(result.get(), 12345, 1), "row 12345");
}

TEST_F(ServerTest, ExtendedProtocolIsRefusedAndSessionSurvives) {
  StartServer();
  PgConnection connection = ConnectOk();
  // libpq sends Parse, Bind, Describe, Execute and Sync: one error, then ReadyForQuery at the Sync.
  PgResult result(
      PQexecParams(connection.get(), "select 1", 0, nullptr, nullptr, nullptr, nullptr, 0));
  ASSERT_EQ(PQresultStatus(result.get()), PGRES_FATAL_ERROR);
  EXPECT_EQ(ErrorField(result.get(), PG_DIAG_SQLSTATE), "0A000");
  EXPECT_EQ(ErrorField(result.get(), PG_DIAG_MESSAGE_PRIMARY),
            "extended query protocol is not supported yet");
  EXPECT_EQ(PQresultStatus(Execute(connection.get(), "select 1").get()), PGRES_TUPLES_OK);
}

TEST_F(ServerTest, PasswordAuthenticationWithScram) {
  ServerOptions options;
  options.password = "s3cret";
  StartServer(options);

  PgConnection good = Connect("password=s3cret");
  ASSERT_EQ(PQstatus(good.get()), CONNECTION_OK) << PQerrorMessage(good.get());
  EXPECT_EQ(PQresultStatus(Execute(good.get(), "select 1").get()), PGRES_TUPLES_OK);

  PgConnection wrong = Connect("password=guess");
  EXPECT_EQ(PQstatus(wrong.get()), CONNECTION_BAD);
  EXPECT_NE(std::string(PQerrorMessage(wrong.get()))
                .find("password authentication failed for user \"alice\""),
            std::string::npos)
      << PQerrorMessage(wrong.get());

  PgConnection none = Connect("password=");
  EXPECT_EQ(PQstatus(none.get()), CONNECTION_BAD);
}

TEST_F(ServerTest, FactoryErrorRefusesTheConnection) {
  StartServer();
  PgConnection connection = PgConnection(PQconnectdb(
      ("host=127.0.0.1 port=" + std::to_string(server_->Port()) + " user=alice dbname=nodb")
          .c_str()));
  EXPECT_EQ(PQstatus(connection.get()), CONNECTION_BAD);
  EXPECT_NE(std::string(PQerrorMessage(connection.get())).find("database \"nodb\" does not exist"),
            std::string::npos)
      << PQerrorMessage(connection.get());
}

TEST_F(ServerTest, CancelRequestStopsTheRunningStatement) {
  StartServer();
  PgConnection connection = ConnectOk();
  PgResult result;
  std::thread runner([&] { result = Execute(connection.get(), "sleep"); });
  ASSERT_TRUE(factory_.State().WaitForSleepers(1));

  PGcancel* cancel = PQgetCancel(connection.get());
  char error_buffer[256];
  EXPECT_EQ(PQcancel(cancel, error_buffer, sizeof(error_buffer)), 1) << error_buffer;
  PQfreeCancel(cancel);
  runner.join();

  ASSERT_EQ(PQresultStatus(result.get()), PGRES_FATAL_ERROR);
  EXPECT_EQ(ErrorField(result.get(), PG_DIAG_SQLSTATE), "57014");
  EXPECT_EQ(factory_.State().CancelCalls(), 1);
  EXPECT_EQ(PQresultStatus(Execute(connection.get(), "select 1").get()), PGRES_TUPLES_OK);
}

TEST_F(ServerTest, CancelRequestWithWrongKeyIsIgnored) {
  StartServer();
  PgConnection connection = ConnectOk();
  PgResult result;
  std::thread runner([&] { result = Execute(connection.get(), "sleep"); });
  ASSERT_TRUE(factory_.State().WaitForSleepers(1));

  {
    RawClient raw(server_->Port());
    MessageBuffer buffer;
    CancelRequest{PQbackendPID(connection.get()), 12345}.Encode(buffer);
    raw.Send(buffer);
    // The server closes a cancel connection without a word, whether or not the key matched.
    EXPECT_TRUE(raw.DrainUntilClosed());
  }
  EXPECT_EQ(factory_.State().CancelCalls(), 0);

  PGcancel* cancel = PQgetCancel(connection.get());
  char error_buffer[256];
  EXPECT_EQ(PQcancel(cancel, error_buffer, sizeof(error_buffer)), 1) << error_buffer;
  PQfreeCancel(cancel);
  runner.join();
  EXPECT_EQ(ErrorField(result.get(), PG_DIAG_SQLSTATE), "57014");
}

TEST_F(ServerTest, ServesManyConcurrentConnections) {
  StartServer();
  constexpr int kClients = 150;
  std::latch all_connected(kClients + 1);
  std::latch may_leave(1);
  std::atomic<int> successes{0};
  std::vector<std::thread> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.emplace_back([&] {
      PgConnection connection = Connect();
      bool ok = PQstatus(connection.get()) == CONNECTION_OK;
      if (ok) {
        PgResult result = Execute(connection.get(), "rows 10");
        ok = PQresultStatus(result.get()) == PGRES_TUPLES_OK && PQntuples(result.get()) == 10;
      }
      all_connected.count_down();
      may_leave.wait();
      if (ok) {
        PgResult result = Execute(connection.get(), "select 1");
        ok = PQresultStatus(result.get()) == PGRES_TUPLES_OK;
      }
      if (ok) {
        successes.fetch_add(1);
      }
    });
  }
  all_connected.arrive_and_wait();
  EXPECT_EQ(server_->ConnectionCount(), static_cast<size_t>(kClients));
  may_leave.count_down();
  for (std::thread& client : clients) {
    client.join();
  }
  EXPECT_EQ(successes.load(), kClients);
  EXPECT_TRUE(Eventually([&] { return server_->ConnectionCount() == 0; }));
}

TEST_F(ServerTest, ConnectionsBeyondTheLimitAreRefused) {
  ServerOptions options;
  options.max_connections = 2;
  StartServer(options);
  PgConnection first = ConnectOk();
  PgConnection second = ConnectOk();
  PgConnection third = Connect();
  EXPECT_EQ(PQstatus(third.get()), CONNECTION_BAD);
  EXPECT_NE(std::string(PQerrorMessage(third.get())).find("sorry, too many clients already"),
            std::string::npos)
      << PQerrorMessage(third.get());
  first.reset();
  EXPECT_TRUE(Eventually([&] { return server_->ConnectionCount() == 1; }));
  PgConnection fourth = ConnectOk();
}

TEST_F(ServerTest, ShutdownLetsRunningStatementsFinishAndClosesIdleSessions) {
  StartServer();
  PgConnection busy = ConnectOk();
  PgConnection idle = ConnectOk();
  PgResult result;
  std::thread runner([&] { result = Execute(busy.get(), "sleep_ms 300"); });
  ASSERT_TRUE(factory_.State().WaitForSleepers(1));
  server_->Shutdown();
  runner.join();
  EXPECT_EQ(PQresultStatus(result.get()), PGRES_COMMAND_OK) << PQresultErrorMessage(result.get());
  EXPECT_EQ(server_->ConnectionCount(), 0u);
  EXPECT_NE(PQresultStatus(Execute(busy.get(), "select 1").get()), PGRES_TUPLES_OK);
  PgResult idle_result = Execute(idle.get(), "select 1");
  EXPECT_NE(PQresultStatus(idle_result.get()), PGRES_TUPLES_OK);
  // A new client finds nobody listening.
  EXPECT_EQ(PQstatus(Connect().get()), CONNECTION_BAD);
}

TEST_F(ServerTest, ShutdownCancelsStatementsThatOutliveTheGracePeriod) {
  ServerOptions options;
  options.shutdown_grace = std::chrono::milliseconds(200);
  StartServer(options);
  PgConnection connection = ConnectOk();
  PgResult result;
  std::thread runner([&] { result = Execute(connection.get(), "sleep"); });
  ASSERT_TRUE(factory_.State().WaitForSleepers(1));
  const auto started = std::chrono::steady_clock::now();
  server_->Shutdown();
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
  runner.join();
  EXPECT_EQ(factory_.State().CancelCalls(), 1);
  EXPECT_NE(PQresultStatus(result.get()), PGRES_TUPLES_OK);
}

TEST_F(ServerTest, StartFailsWhenThePortIsTaken) {
  StartServer();
  ServerOptions options;
  options.port = server_->Port();
  Server second(options, factory_);
  const Status status = second.Start();
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().State(), SqlState::kIoError);
  EXPECT_NE(status.error().Message().find("could not bind IPv4 address \"127.0.0.1\""),
            std::string::npos)
      << status.error().Message();
}

}  // namespace
}  // namespace freshet::pgwire
