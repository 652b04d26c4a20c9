// SPDX-License-Identifier: Apache-2.0
// End-to-end tests of the real `freshet` binary: start-up, locking, signals, authentication, many
// clients and garbage on the wire. Each test starts its own server on a free loopback port with a
// fresh data directory.
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef FRESHET_BINARY
#error "FRESHET_BINARY must name the freshet executable"
#endif

namespace {

uint16_t FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  socklen_t length = sizeof(address);
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  close(fd);
  return ntohs(address.sin_port);
}

/// A freshet process on a loopback port; stopped with SIGKILL when destroyed if still running.
class ServerProcess {
 public:
  ServerProcess(std::string data_dir, std::vector<std::string> extra_env = {})
      : data_dir_(std::move(data_dir)), port_(FreePort()), log_(data_dir_ + ".log") {
    pid_ = fork();
    if (pid_ == 0) {
      int log = open(log_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      dup2(log, STDERR_FILENO);
      dup2(log, STDOUT_FILENO);
      for (const std::string& assignment : extra_env) {
        putenv(const_cast<char*>(assignment.c_str()));
      }
      const std::string port = std::to_string(port_);
      execl(FRESHET_BINARY, FRESHET_BINARY, "--listen", "127.0.0.1", "--port", port.c_str(),
            "--data-dir", data_dir_.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
  }
  ~ServerProcess() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  /// Waits until the port accepts connections; false if the process exited first.
  bool WaitReady() {
    for (int attempt = 0; attempt < 300; ++attempt) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        exit_status_ = status;
        pid_ = -1;
        return false;
      }
      int fd = socket(AF_INET, SOCK_STREAM, 0);
      sockaddr_in address{};
      address.sin_family = AF_INET;
      address.sin_port = htons(port_);
      address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      const bool connected =
          connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
      close(fd);
      if (connected) {
        return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }
  /// Sends `signal_number` and returns the exit status.
  int Stop(int signal_number) {
    kill(pid_, signal_number);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return status;
  }
  /// Waits for the process to exit by itself and returns its status.
  int WaitExit() {
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return status;
  }
  std::string Log() const {
    std::ifstream in(log_);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }
  std::string ConnectionString(const std::string& password = "") const {
    std::string text = "host=127.0.0.1 port=" + std::to_string(port_) +
                       " user=freshet dbname=dev connect_timeout=10";
    if (!password.empty()) {
      text += " password=" + password;
    }
    return text;
  }
  uint16_t port() const { return port_; }

 private:
  std::string data_dir_;
  uint16_t port_;
  std::string log_;
  pid_t pid_ = -1;
  int exit_status_ = 0;
};

/// A libpq connection closed on destruction.
struct Connection {
  explicit Connection(const std::string& info) : handle(PQconnectdb(info.c_str())) {}
  ~Connection() { PQfinish(handle); }
  bool ok() const { return PQstatus(handle) == CONNECTION_OK; }
  /// Runs `sql` and returns the first value of the last result, or "ERROR <sqlstate>".
  std::string Query(const std::string& sql) {
    PGresult* result = PQexec(handle, sql.c_str());
    std::string answer;
    if (PQresultStatus(result) == PGRES_FATAL_ERROR) {
      answer = std::string("ERROR ") + PQresultErrorField(result, PG_DIAG_SQLSTATE);
    } else if (PQresultStatus(result) == PGRES_TUPLES_OK && PQntuples(result) > 0) {
      answer = PQgetvalue(result, 0, 0);
    } else {
      answer = PQcmdStatus(result);
    }
    PQclear(result);
    return answer;
  }
  PGconn* handle;
};

class ServerBinaryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char directory[] = "/tmp/freshet-server-test-XXXXXX";
    ASSERT_NE(mkdtemp(directory), nullptr);
    root_ = directory;
    data_dir_ = root_ + "/data";
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  std::string root_;
  std::string data_dir_;
};

TEST_F(ServerBinaryTest, RowsSurviveCleanStopAndKill9) {
  {
    ServerProcess server(data_dir_);
    ASSERT_TRUE(server.WaitReady()) << server.Log();
    Connection connection(server.ConnectionString());
    ASSERT_TRUE(connection.ok());
    EXPECT_EQ(connection.Query("CREATE TABLE t (id INT PRIMARY KEY, v TEXT)"), "CREATE TABLE");
    EXPECT_EQ(connection.Query("INSERT INTO t VALUES (1, 'a'), (2, 'b')"), "INSERT 0 2");
    const int status = server.Stop(SIGTERM);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << server.Log();
    EXPECT_NE(server.Log().find("stopped"), std::string::npos);
  }
  {
    ServerProcess server(data_dir_);
    ASSERT_TRUE(server.WaitReady()) << server.Log();
    Connection connection(server.ConnectionString());
    EXPECT_EQ(connection.Query("SELECT v FROM t WHERE id = 2"), "b");
    EXPECT_EQ(connection.Query("INSERT INTO t VALUES (3, 'c')"), "INSERT 0 1");
    server.Stop(SIGKILL);
  }
  ServerProcess server(data_dir_);
  ASSERT_TRUE(server.WaitReady()) << server.Log();
  Connection connection(server.ConnectionString());
  EXPECT_EQ(connection.Query("SELECT v FROM t WHERE id = 3"), "c");
}

TEST_F(ServerBinaryTest, SecondServerOnTheSameDataDirectoryRefusesToStart) {
  ServerProcess first(data_dir_);
  ASSERT_TRUE(first.WaitReady()) << first.Log();
  ServerProcess second(data_dir_);
  const int status = second.WaitExit();
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_NE(WEXITSTATUS(status), 0);
  EXPECT_NE(second.Log().find("in use"), std::string::npos) << second.Log();
  Connection connection(first.ConnectionString());
  EXPECT_EQ(connection.Query("SELECT 1"), "1");
}

TEST_F(ServerBinaryTest, PasswordFromTheEnvironmentRequiresScram) {
  ServerProcess server(data_dir_, {"FRESHET_PASSWORD=s3cret"});
  ASSERT_TRUE(server.WaitReady()) << server.Log();
  Connection wrong(server.ConnectionString("nope"));
  EXPECT_FALSE(wrong.ok());
  EXPECT_NE(std::string(PQerrorMessage(wrong.handle)).find("password authentication failed"),
            std::string::npos);
  Connection right(server.ConnectionString("s3cret"));
  ASSERT_TRUE(right.ok()) << PQerrorMessage(right.handle);
  EXPECT_EQ(right.Query("SELECT 40 + 2"), "42");
}

TEST_F(ServerBinaryTest, HundredConcurrentClients) {
  ServerProcess server(data_dir_);
  ASSERT_TRUE(server.WaitReady()) << server.Log();
  {
    Connection setup(server.ConnectionString());
    ASSERT_EQ(setup.Query("CREATE TABLE hits (client INT, n INT)"), "CREATE TABLE");
  }
  constexpr int kClients = 120;
  std::vector<std::unique_ptr<Connection>> connections;
  for (int i = 0; i < kClients; ++i) {
    connections.push_back(std::make_unique<Connection>(server.ConnectionString()));
    ASSERT_TRUE(connections.back()->ok())
        << i << ": " << PQerrorMessage(connections.back()->handle);
  }
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int i = 0; i < kClients; ++i) {
    threads.emplace_back([&, i] {
      for (int n = 0; n < 5; ++n) {
        if (connections[i]->Query("INSERT INTO hits VALUES (" + std::to_string(i) + ", " +
                                  std::to_string(n) + ")") != "INSERT 0 1") {
          ++failures;
        }
      }
    });
  }
  for (std::thread& thread : threads) {
    thread.join();
  }
  EXPECT_EQ(failures.load(), 0);
  PGresult* result = PQexec(connections[0]->handle, "SELECT client FROM hits");
  EXPECT_EQ(PQntuples(result), kClients * 5);
  PQclear(result);
}

TEST_F(ServerBinaryTest, RandomBytesOnThousandConnectionsLeaveTheServerServing) {
  ServerProcess server(data_dir_);
  ASSERT_TRUE(server.WaitReady()) << server.Log();
  std::mt19937 random(20261125);
  for (int i = 0; i < 1000; ++i) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(server.port());
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
    // Half the strings follow a valid startup message, so they reach the message loop.
    std::string bytes;
    if (i % 2 == 1) {
      const std::string startup_body =
          std::string("\x00\x03\x00\x00", 4) + "user" + '\0' + "fuzz" + '\0' + '\0';
      const uint32_t length = htonl(static_cast<uint32_t>(startup_body.size() + 4));
      bytes.append(reinterpret_cast<const char*>(&length), 4);
      bytes += startup_body;
    }
    const size_t size = random() % 64;
    for (size_t k = 0; k < size; ++k) {
      bytes += static_cast<char>(random() & 0xff);
    }
    send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    shutdown(fd, SHUT_WR);
    char sink[256];
    timeval timeout{2, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    while (recv(fd, sink, sizeof(sink), 0) > 0) {
    }
    close(fd);
  }
  Connection connection(server.ConnectionString());
  ASSERT_TRUE(connection.ok()) << PQerrorMessage(connection.handle);
  EXPECT_EQ(connection.Query("SELECT 'still serving'"), "still serving");
}

}  // namespace
