// SPDX-License-Identifier: Apache-2.0
#include "tools/nexmark_producer/nexmark_json.h"

#include <charconv>
#include <cstdio>

#include <fmt/format.h>

#include "common/calendar.h"
#include "common/error.h"

namespace freshet::tools {
namespace {

const std::vector<std::string> kPersonColumns = {"id",   "name",  "email_address", "credit_card",
                                                 "city", "state", "date_time",     "extra"};
const std::vector<std::string> kAuctionColumns = {
    "id",        "item_name", "description", "initial_bid", "reserve",
    "date_time", "expires",   "seller",      "category",    "extra"};
const std::vector<std::string> kBidColumns = {"auction", "bidder",    "price", "channel",
                                              "url",     "date_time", "extra"};

DataType TypeOf(std::string_view column) {
  if (column == "date_time" || column == "expires") {
    return DataType::Timestamp();
  }
  if (column == "id" || column == "initial_bid" || column == "reserve" || column == "seller" ||
      column == "category" || column == "auction" || column == "bidder" || column == "price") {
    return DataType::Bigint();
  }
  return DataType::Text();
}

/// Appends `value` as `digits` decimal digits, zero-padded.
void AppendPadded(int64_t value, int digits, std::string& out) {
  char buffer[24];
  const auto [end, error] = std::to_chars(buffer, buffer + sizeof(buffer), value);
  for (int length = static_cast<int>(end - buffer); length < digits; ++length) {
    out.push_back('0');
  }
  out.append(buffer, end);
}

}  // namespace

std::optional<NexmarkTopicTable> ParseNexmarkTable(std::string_view name) {
  std::string lower(name);
  for (char& c : lower) {
    c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  }
  if (lower == "person") {
    return NexmarkTopicTable::kPerson;
  }
  if (lower == "auction") {
    return NexmarkTopicTable::kAuction;
  }
  if (lower == "bid") {
    return NexmarkTopicTable::kBid;
  }
  return std::nullopt;
}

std::string_view NexmarkTableName(NexmarkTopicTable table) {
  switch (table) {
    case NexmarkTopicTable::kPerson:
      return "person";
    case NexmarkTopicTable::kAuction:
      return "auction";
    case NexmarkTopicTable::kBid:
      return "bid";
  }
  return "";
}

const std::vector<std::string>& NexmarkColumnNames(NexmarkTopicTable table) {
  switch (table) {
    case NexmarkTopicTable::kPerson:
      return kPersonColumns;
    case NexmarkTopicTable::kAuction:
      return kAuctionColumns;
    case NexmarkTopicTable::kBid:
      break;
  }
  return kBidColumns;
}

std::vector<DataType> NexmarkColumnTypes(NexmarkTopicTable table) {
  std::vector<DataType> types;
  for (const std::string& column : NexmarkColumnNames(table)) {
    types.push_back(TypeOf(column));
  }
  return types;
}

connectors::SourceSpec NexmarkSourceSpec(NexmarkTopicTable table,
                                         const NexmarkStreamOptions& options) {
  connectors::SourceSpec spec;
  spec.source_name = std::string(NexmarkTableName(table));
  spec.column_names = NexmarkColumnNames(table);
  spec.column_types = NexmarkColumnTypes(table);
  spec.options = {{"connector", "nexmark"},
                  {"nexmark.table.type", std::string(NexmarkTableName(table))},
                  {"nexmark.seed", std::to_string(options.seed)},
                  {"nexmark.max.chunk.size", std::to_string(options.max_chunk_size)}};
  if (options.events > 0) {
    spec.options.emplace_back("nexmark.event.num", std::to_string(options.events));
  }
  if (options.rate > 0) {
    spec.options.emplace_back("nexmark.event.rate", fmt::format("{}", options.rate));
  }
  if (options.base_time_millis) {
    spec.options.emplace_back("nexmark.base.time", std::to_string(*options.base_time_millis));
  }
  if (options.event_gap_nanos) {
    spec.options.emplace_back("nexmark.min.event.gap.in.ns",
                              std::to_string(*options.event_gap_nanos));
  }
  return spec;
}

void AppendIsoTimestampMillis(int64_t micros, std::string& out) {
  const int64_t millis = calendar::FloorDiv(micros, 1000);
  const int64_t days = calendar::FloorDiv(millis, 86'400'000);
  int64_t rest = millis - days * 86'400'000;
  const calendar::CivilDate date = calendar::CivilFromDays(days);
  AppendPadded(date.year, 4, out);
  out.push_back('-');
  AppendPadded(date.month, 2, out);
  out.push_back('-');
  AppendPadded(date.day, 2, out);
  out.push_back('T');
  AppendPadded(rest / 3'600'000, 2, out);
  rest %= 3'600'000;
  out.push_back(':');
  AppendPadded(rest / 60'000, 2, out);
  rest %= 60'000;
  out.push_back(':');
  AppendPadded(rest / 1000, 2, out);
  out.push_back('.');
  AppendPadded(rest % 1000, 3, out);
  out.push_back('Z');
}

void AppendJsonString(std::string_view text, std::string& out) {
  out.push_back('"');
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (byte < 0x20) {
      char escape[8];
      std::snprintf(escape, sizeof(escape), "\\u%04x", byte);
      out.append(escape);
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
}

NexmarkJsonEncoder::NexmarkJsonEncoder(NexmarkTopicTable table)
    : types_(NexmarkColumnTypes(table)) {
  for (const std::string& column : NexmarkColumnNames(table)) {
    std::string prefix;
    AppendJsonString(column, prefix);
    prefix.push_back(':');
    prefixes_.push_back(std::move(prefix));
  }
}

void NexmarkJsonEncoder::Encode(const Chunk& chunk, size_t row, std::string& out) const {
  out.clear();
  out.push_back('{');
  for (size_t c = 0; c < prefixes_.size(); ++c) {
    if (c > 0) {
      out.push_back(',');
    }
    out.append(prefixes_[c]);
    const Column& column = chunk.GetColumn(c);
    if (column.IsNull(row)) {
      out.append("null");
      continue;
    }
    switch (types_[c].id) {
      case TypeId::kBigint: {
        char buffer[24];
        const auto [end, error] =
            std::to_chars(buffer, buffer + sizeof(buffer), column.Data<int64_t>()[row]);
        out.append(buffer, end);
        break;
      }
      case TypeId::kTimestamp:
        out.push_back('"');
        AppendIsoTimestampMillis(column.Data<int64_t>()[row], out);
        out.push_back('"');
        break;
      default:
        AppendJsonString(column.GetString(row), out);
        break;
    }
  }
  out.push_back('}');
}

}  // namespace freshet::tools
