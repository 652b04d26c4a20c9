// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <string>
#include <vector>

// Two things librdkafka 2.0.2's mock cluster cannot be asked for: a fixed listener port (its
// brokers always bind 127.0.0.1:0) and the partition count of auto-created topics (always 4). The
// dev broker gets both by defining bind() and recv()/recvmsg() in its executable, which takes
// precedence over libc's for librdkafka's calls: bind() substitutes the requested port, and the
// receive calls peek at every Kafka request the mock is about to read and hold it back (EAGAIN,
// nothing consumed) until the topics it names exist, so that the main thread can create them first
// with rd_kafka_mock_topic_create. Only this binary links it.
namespace freshet::tools {

/// Makes the next `count` loopback binds to port 0 bind `first_port`, `first_port + 1`, ...
void RequestListenerPorts(uint16_t first_port, int count);

/// Starts holding back requests that name topics not yet marked created. Call once the mock's
/// listeners exist.
void EnableTopicInterception();

/// Returns (and forgets) the topic names requests are waiting for; blocks up to `timeout_ms` for
/// one to appear.
std::vector<std::string> TakeWantedTopics(int timeout_ms);

/// Marks `topic` as existing, releasing the requests that wait for it.
void MarkTopicCreated(const std::string& topic);

/// Wakes TakeWantedTopics, e.g. from a signal handler's flag watcher.
void WakeTopicWaiter();

}  // namespace freshet::tools
