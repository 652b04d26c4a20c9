// SPDX-License-Identifier: Apache-2.0
// Decodes Nexmark-bid-shaped JSON (or CSV) messages into chunks and prints messages/s: the ceiling
// of a Kafka source's decoding. Usage: kafka_decode_bench [messages (default 1000000)] [json|csv]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "common/column.h"
#include "common/data_type.h"
#include "connectors/message_decoder.h"

namespace {

using freshet::Chunk;
using freshet::DataType;
using freshet::TypeId;
using freshet::connectors::DecodeStatus;
using freshet::connectors::MessageDecoder;
using freshet::connectors::MessageEncoding;
using freshet::connectors::MessageFormat;

/// Distinct messages cycled through, so the payloads are not all alike but fit in the cache as a
/// Kafka batch would.
constexpr size_t kDistinctMessages = 4096;

std::vector<std::string> MakeMessages(bool csv) {
  std::vector<std::string> messages;
  for (size_t i = 0; i < kDistinctMessages; ++i) {
    const int64_t auction = 1000 + static_cast<int64_t>(i % 97);
    const int64_t bidder = 2000 + static_cast<int64_t>((i * 31) % 1009);
    const int64_t price = static_cast<int64_t>((i * 7919) % 100000);
    const std::string url =
        fmt::format("https://www.nexmark.com/item.htm?query=1&channel_id={}", i);
    const std::string date_time =
        fmt::format("2026-11-26T00:{:02}:{:02}.{:03}Z", (i / 60) % 60, i % 60, i % 1000);
    if (csv) {
      messages.push_back(
          fmt::format("{},{},{},Google,{},{},extra{}", auction, bidder, price, url, date_time, i));
    } else {
      messages.push_back(
          fmt::format(R"({{"auction":{},"bidder":{},"price":{},"channel":"Google","url":"{}",)"
                      R"("date_time":"{}","extra":"extra{}"}})",
                      auction, bidder, price, url, date_time, i));
    }
  }
  return messages;
}

}  // namespace

int main(int argc, char** argv) {
  const size_t total = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1'000'000;
  const bool csv = argc > 2 && std::string_view(argv[2]) == "csv";
  const std::vector<std::string> names = {"auction", "bidder",    "price", "channel",
                                          "url",     "date_time", "extra"};
  const std::vector<DataType> types = {
      DataType::Bigint(),     DataType::Bigint(),    DataType::Bigint(),    DataType::Varchar(12),
      DataType::Varchar(100), DataType::Timestamp(), DataType::Varchar(100)};
  MessageFormat format;
  format.encoding = csv ? MessageEncoding::kCsv : MessageEncoding::kJson;
  MessageDecoder decoder(names, types, {0, 1, 2, 3, 4, 5, 6}, format);
  const std::vector<std::string> messages = MakeMessages(csv);
  size_t bytes = 0;
  size_t rows = 0;
  int64_t checksum = 0;
  const auto start = std::chrono::steady_clock::now();
  Chunk chunk(types);
  for (size_t i = 0; i < total; ++i) {
    const std::string& message = messages[i % kDistinctMessages];
    bytes += message.size();
    if (decoder.Decode(message, chunk) != DecodeStatus::kRow) {
      std::fprintf(stderr, "decode failed: %s\n", decoder.LastError().c_str());
      return 1;
    }
    if (chunk.GetColumn(0).Size() == Chunk::kChunkSize) {
      checksum += chunk.GetColumn(2).Data<int64_t>()[0];
      rows += Chunk::kChunkSize;
      chunk = Chunk(types);
    }
  }
  rows += chunk.GetColumn(0).Size();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf(
      "%s: %zu messages (%zu bytes, %zu rows) in %.3f s: %.0f messages/s, %.1f MB/s "
      "(checksum %lld)\n",
      csv ? "csv" : "json", total, bytes, rows, seconds, total / seconds, bytes / seconds / 1e6,
      static_cast<long long>(checksum));
  return 0;
}
