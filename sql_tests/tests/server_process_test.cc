// SPDX-License-Identifier: Apache-2.0
#include "sql_tests/runner/server_process.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace freshet::sql_tests {
namespace {

/// A temporary directory removed at the end of the test.
class TemporaryDirectory {
 public:
  TemporaryDirectory() {
    std::string pattern = "/tmp/freshet-slt-test-XXXXXX";
    path_ = mkdtemp(pattern.data()) != nullptr ? pattern : "";
  }
  ~TemporaryDirectory() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::string& Path() const { return path_; }

 private:
  std::string path_;
};

std::string WriteScript(const std::string& directory, const std::string& body) {
  std::string path = directory + "/fake_server.sh";
  std::ofstream script(path);
  script << "#!/bin/sh\n" << body << '\n';
  script.close();
  std::filesystem::permissions(path, std::filesystem::perms::owner_all);
  return path;
}

TEST(ServerProcessTest, FreePortCanBeListenedOn) {
  int port = FindFreePort();
  ASSERT_GT(port, 0);
  EXPECT_FALSE(AcceptsConnections("127.0.0.1", port));

  int fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port));
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  ASSERT_EQ(listen(fd, 1), 0);
  EXPECT_TRUE(AcceptsConnections("127.0.0.1", port));
  close(fd);
}

TEST(ServerProcessTest, TailOfFileKeepsTheLastLines) {
  TemporaryDirectory directory;
  std::string path = directory.Path() + "/log";
  std::ofstream(path) << "one\ntwo\nthree\nfour\n";
  EXPECT_EQ(TailOfFile(path, 2), "three\nfour\n");
  EXPECT_EQ(TailOfFile(path, 10), "one\ntwo\nthree\nfour\n");
  EXPECT_EQ(TailOfFile(directory.Path() + "/missing", 3), "");
}

TEST(ServerProcessTest, ServerThatExitsAtOnceIsReportedWithItsLog) {
  TemporaryDirectory directory;
  std::string binary =
      WriteScript(directory.Path(), "echo \"cannot open data dir $6\" >&2\nexit 3");
  ServerProcess server(binary, directory.Path() + "/data", directory.Path() + "/server.log");
  std::optional<std::string> error = server.Start(std::chrono::milliseconds(5000));
  ASSERT_TRUE(error.has_value());
  EXPECT_NE(error->find("exited with status 3"), std::string::npos) << *error;
  EXPECT_NE(error->find("cannot open data dir " + directory.Path() + "/data"), std::string::npos)
      << *error;
  EXPECT_FALSE(server.Running());
}

TEST(ServerProcessTest, ServerThatNeverListensTimesOut) {
  TemporaryDirectory directory;
  std::string binary = WriteScript(directory.Path(), "exec sleep 30");
  ServerProcess server(binary, directory.Path() + "/data", directory.Path() + "/server.log");
  std::optional<std::string> error = server.Start(std::chrono::milliseconds(300));
  ASSERT_TRUE(error.has_value());
  EXPECT_NE(error->find("did not accept connections"), std::string::npos) << *error;
  EXPECT_FALSE(server.Running());
}

/// A fake server in Python that listens on the --port it is given; `prologue` runs in the shell
/// first.
std::string ListeningScript(const std::string& directory, const std::string& prologue) {
  return WriteScript(directory, prologue +
                                    "\nexec python3 -c 'import socket,sys,time\n"
                                    "s=socket.socket()\n"
                                    "s.bind((sys.argv[1], int(sys.argv[2])))\n"
                                    "s.listen()\n"
                                    "print(\"listening\", flush=True)\n"
                                    "time.sleep(60)' \"$2\" \"$4\"");
}

bool HavePython() {
  return std::system("python3 -c pass >/dev/null 2>&1") == 0;
}

TEST(ServerProcessTest, ListeningServerStartsAndStopsCleanlyOnSigterm) {
  if (!HavePython()) {
    GTEST_SKIP() << "python3 is needed for the fake server";
  }
  TemporaryDirectory directory;
  ServerProcess server(ListeningScript(directory.Path(), ""), directory.Path() + "/data",
                       directory.Path() + "/server.log");
  ASSERT_EQ(server.Start(std::chrono::milliseconds(10000)), std::nullopt);
  EXPECT_TRUE(server.Running());
  EXPECT_TRUE(AcceptsConnections("127.0.0.1", server.Port()));
  EXPECT_FALSE(server.PollExit().has_value());
  ExitReport report = server.Stop(std::chrono::milliseconds(5000));
  EXPECT_TRUE(report.clean) << report.description;
  EXPECT_FALSE(server.Running());
  EXPECT_NE(server.LogTail().find("listening"), std::string::npos) << server.LogTail();
}

TEST(ServerProcessTest, ServerIgnoringSigtermIsKilledAndReportedUnclean) {
  if (!HavePython()) {
    GTEST_SKIP() << "python3 is needed for the fake server";
  }
  TemporaryDirectory directory;
  ServerProcess server(ListeningScript(directory.Path(), "trap '' TERM"),
                       directory.Path() + "/data", directory.Path() + "/server.log");
  ASSERT_EQ(server.Start(std::chrono::milliseconds(10000)), std::nullopt);
  ExitReport report = server.Stop(std::chrono::milliseconds(200));
  EXPECT_FALSE(report.clean);
  EXPECT_NE(report.description.find("SIGKILL"), std::string::npos) << report.description;
  EXPECT_FALSE(server.Running());
}

TEST(ServerProcessTest, KillIsClean) {
  if (!HavePython()) {
    GTEST_SKIP() << "python3 is needed for the fake server";
  }
  TemporaryDirectory directory;
  ServerProcess server(ListeningScript(directory.Path(), ""), directory.Path() + "/data",
                       directory.Path() + "/server.log");
  ASSERT_EQ(server.Start(std::chrono::milliseconds(10000)), std::nullopt);
  ExitReport report = server.Kill();
  EXPECT_TRUE(report.clean) << report.description;
  EXPECT_FALSE(server.Running());
}

}  // namespace
}  // namespace freshet::sql_tests
