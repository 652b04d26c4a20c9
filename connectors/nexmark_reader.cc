// SPDX-License-Identifier: Apache-2.0
#include "connectors/nexmark_reader.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "common/column.h"
#include "common/error.h"
#include "common/serializer.h"
#include "connectors/internal/counter_random.h"
#include "connectors/internal/emission_pacer.h"
#include "connectors/internal/option_reader.h"

namespace freshet::connectors {
namespace {

// The generator's constants, named as in the Java reference (NexmarkConfiguration,
// GeneratorConfig).
constexpr uint64_t kTotalProportion = 50;  // per 50 events: 1 person, 3 auctions, 46 bids
constexpr uint64_t kPersonProportion = 1;
constexpr uint64_t kAuctionProportion = 3;
constexpr int64_t kFirstPersonId = 1000;
constexpr int64_t kFirstAuctionId = 1000;
constexpr int64_t kFirstCategoryId = 10;
constexpr uint64_t kNumCategories = 5;
constexpr uint64_t kHotAuctionRatio = 2;  // 1 - 1/2 of bids go to a hot auction
constexpr uint64_t kHotSellerRatio = 4;   // 1 - 1/4 of auctions have a hot seller
constexpr uint64_t kHotBidderRatio = 4;   // 1 - 1/4 of bids come from a hot bidder
constexpr uint64_t kHotChannelRatio = 2;  // 1 - 1/2 of bids come through a hot channel
constexpr int64_t kHotBatch = 100;        // hot ids are the multiples of 100 (HOT_*_RATIO)
constexpr int64_t kInFlightAuctions = 100;
constexpr int64_t kActivePeople = 1000;
constexpr int64_t kIdLead = 10;  // random ids may run this far ahead of the last one created
constexpr uint32_t kColdChannels = 10000;
constexpr uint32_t kHotChannels = 4;
constexpr int32_t kAveragePersonBytes = 200;
constexpr int32_t kAverageAuctionBytes = 500;
constexpr int32_t kAverageBidBytes = 100;

constexpr int64_t kDefaultBaseTimeMillis = 1'436'918'400'000;  // 2015-07-15, as RisingWave
constexpr int64_t kDefaultEventGapNanos = 100'000;             // 10,000 events per second
constexpr int64_t kMaxEventGapNanos = 86'400'000'000'000;      // one day
constexpr int64_t kDefaultMaxChunkSize = 1024;
constexpr int64_t kMaxChunkSizeLimit = 1 << 20;
constexpr uint64_t kNoEvent = std::numeric_limits<uint64_t>::max();
// Small enough to stay in the L1 cache, since every row copies a slice from a random offset.
constexpr size_t kExtraPoolSize = 1 << 13;
constexpr uint8_t kPositionTag = 'N';
constexpr uint8_t kPositionVersion = 1;

constexpr std::string_view kHotChannelNames[kHotChannels] = {"Google", "Facebook", "Baidu",
                                                             "Apple"};
constexpr std::string_view kFirstNames[] = {"Peter", "Paul",  "Luke",  "John",   "Saul",  "Vicky",
                                            "Kate",  "Julie", "Sarah", "Deiter", "Walter"};
constexpr std::string_view kLastNames[] = {"Shultz", "Abrams", "Spencer", "White", "Bartels",
                                           "Walton", "Smith",  "Jones",   "Noris"};
constexpr std::string_view kCities[] = {"Phoenix",  "Los Angeles", "San Francisco", "Boise",
                                        "Portland", "Bend",        "Redmond",       "Seattle",
                                        "Kent",     "Cheyenne"};
constexpr std::string_view kStates[] = {"AZ", "CA", "ID", "OR", "WA", "WY"};

/// The three tables of the Nexmark event stream.
enum class NexmarkTable : uint8_t { kPerson, kAuction, kBid };

/// Every column of every table; also the label of the column's random stream.
enum class NexmarkField : uint8_t {
  kPersonId,
  kPersonName,
  kPersonEmail,
  kPersonCreditCard,
  kPersonCity,
  kPersonState,
  kPersonDateTime,
  kPersonExtra,
  kAuctionId,
  kAuctionItemName,
  kAuctionDescription,
  kAuctionInitialBid,
  kAuctionReserve,
  kAuctionDateTime,
  kAuctionExpires,
  kAuctionSeller,
  kAuctionCategory,
  kAuctionExtra,
  kBidAuction,
  kBidBidder,
  kBidPrice,
  kBidChannel,
  kBidUrl,
  kBidDateTime,
  kBidExtra,
  // Streams that are not columns.
  kHotChannelUrl,
  kColdChannelUrl,
  kCount,
};

/// The SQL types a field may be declared with.
enum class FieldType : uint8_t { kBigint, kString, kTimestamp };

/// A column of a Nexmark table (RisingWave's names).
struct FieldInfo {
  NexmarkTable table;
  std::string_view name;
  NexmarkField field;
  FieldType type;
  /// The longest value of a string field, for VARCHAR(n) declarations.
  int32_t max_length;
};

constexpr FieldInfo kFieldInfos[] = {
    {NexmarkTable::kPerson, "id", NexmarkField::kPersonId, FieldType::kBigint, 0},
    {NexmarkTable::kPerson, "name", NexmarkField::kPersonName, FieldType::kString, 14},
    {NexmarkTable::kPerson, "email_address", NexmarkField::kPersonEmail, FieldType::kString, 15},
    {NexmarkTable::kPerson, "credit_card", NexmarkField::kPersonCreditCard, FieldType::kString, 19},
    {NexmarkTable::kPerson, "city", NexmarkField::kPersonCity, FieldType::kString, 13},
    {NexmarkTable::kPerson, "state", NexmarkField::kPersonState, FieldType::kString, 2},
    {NexmarkTable::kPerson, "date_time", NexmarkField::kPersonDateTime, FieldType::kTimestamp, 0},
    {NexmarkTable::kPerson, "extra", NexmarkField::kPersonExtra, FieldType::kString, 200},
    {NexmarkTable::kAuction, "id", NexmarkField::kAuctionId, FieldType::kBigint, 0},
    {NexmarkTable::kAuction, "item_name", NexmarkField::kAuctionItemName, FieldType::kString, 19},
    {NexmarkTable::kAuction, "description", NexmarkField::kAuctionDescription, FieldType::kString,
     99},
    {NexmarkTable::kAuction, "initial_bid", NexmarkField::kAuctionInitialBid, FieldType::kBigint,
     0},
    {NexmarkTable::kAuction, "reserve", NexmarkField::kAuctionReserve, FieldType::kBigint, 0},
    {NexmarkTable::kAuction, "date_time", NexmarkField::kAuctionDateTime, FieldType::kTimestamp, 0},
    {NexmarkTable::kAuction, "expires", NexmarkField::kAuctionExpires, FieldType::kTimestamp, 0},
    {NexmarkTable::kAuction, "seller", NexmarkField::kAuctionSeller, FieldType::kBigint, 0},
    {NexmarkTable::kAuction, "category", NexmarkField::kAuctionCategory, FieldType::kBigint, 0},
    {NexmarkTable::kAuction, "extra", NexmarkField::kAuctionExtra, FieldType::kString, 550},
    {NexmarkTable::kBid, "auction", NexmarkField::kBidAuction, FieldType::kBigint, 0},
    {NexmarkTable::kBid, "bidder", NexmarkField::kBidBidder, FieldType::kBigint, 0},
    {NexmarkTable::kBid, "price", NexmarkField::kBidPrice, FieldType::kBigint, 0},
    {NexmarkTable::kBid, "channel", NexmarkField::kBidChannel, FieldType::kString, 12},
    {NexmarkTable::kBid, "url", NexmarkField::kBidUrl, FieldType::kString, 100},
    {NexmarkTable::kBid, "date_time", NexmarkField::kBidDateTime, FieldType::kTimestamp, 0},
    {NexmarkTable::kBid, "extra", NexmarkField::kBidExtra, FieldType::kString, 100},
};

std::string_view TableName(NexmarkTable table) {
  switch (table) {
    case NexmarkTable::kPerson:
      return "Person";
    case NexmarkTable::kAuction:
      return "Auction";
    case NexmarkTable::kBid:
      return "Bid";
  }
  return "";
}

std::string_view FieldTypeName(FieldType type) {
  switch (type) {
    case FieldType::kBigint:
      return "bigint";
    case FieldType::kString:
      return "character varying";
    case FieldType::kTimestamp:
      return "timestamp without time zone";
  }
  return "";
}

/// True when an event whose index is `residue` modulo 50 belongs to `table` (rule 2).
bool EventBelongsTo(NexmarkTable table, uint64_t residue) {
  switch (table) {
    case NexmarkTable::kPerson:
      return residue < kPersonProportion;
    case NexmarkTable::kAuction:
      return residue >= kPersonProportion && residue < kPersonProportion + kAuctionProportion;
    case NexmarkTable::kBid:
      return residue >= kPersonProportion + kAuctionProportion;
  }
  return false;
}

/// A validated nexmark source.
struct NexmarkConfig {
  NexmarkTable table = NexmarkTable::kBid;
  /// Events of the whole stream (all kinds, all shards): nexmark.event.num.
  uint64_t event_limit = kNoEvent;
  size_t max_chunk_size = kDefaultMaxChunkSize;
  int64_t event_gap_nanos = kDefaultEventGapNanos;
  int64_t base_time_millis = kDefaultBaseTimeMillis;
  uint64_t seed = 0;
  /// Events of the whole stream per second of wall-clock time; 0: unthrottled.
  double event_rate = 0;
  bool lower_case_dictionary = false;
  /// The field of each declared column, in order.
  std::vector<NexmarkField> fields;
};

NexmarkConfig ParseNexmarkSpec(const SourceSpec& spec) {
  OptionReader options(spec.options, "nexmark");
  options.Ignore("connector");
  options.Ignore("nexmark.split.num");
  NexmarkConfig config;

  const std::optional<std::string_view> table_type = options.Find("nexmark.table.type");
  if (!table_type) {
    throw Error(SqlState::kInvalidParameterValue, "option \"nexmark.table.type\" is required")
        .WithHint("Set it to 'Person', 'Auction' or 'Bid'.");
  }
  const std::string table_lower = AsciiLower(*table_type);
  if (table_lower == "person") {
    config.table = NexmarkTable::kPerson;
  } else if (table_lower == "auction") {
    config.table = NexmarkTable::kAuction;
  } else if (table_lower == "bid") {
    config.table = NexmarkTable::kBid;
  } else {
    throw OptionReader::InvalidValue("nexmark.table.type", *table_type,
                                     "The table type must be 'Person', 'Auction' or 'Bid'.");
  }

  if (const std::optional<int64_t> event_num =
          options.FindInteger("nexmark.event.num", 0, std::numeric_limits<int64_t>::max())) {
    config.event_limit = static_cast<uint64_t>(*event_num);
  }
  config.max_chunk_size =
      static_cast<size_t>(options.FindInteger("nexmark.max.chunk.size", 1, kMaxChunkSizeLimit)
                              .value_or(kDefaultMaxChunkSize));
  config.seed = options.FindSeed("nexmark.seed").value_or(0);
  config.base_time_millis = options.FindInteger("nexmark.base.time", 0, int64_t{1} << 50)
                                .value_or(kDefaultBaseTimeMillis);

  const std::optional<double> rate_per_second = options.FindNumber("nexmark.rate.per.second", 0);
  const std::optional<double> event_rate = options.FindNumber("nexmark.event.rate", 0);
  if (rate_per_second && event_rate && *rate_per_second != *event_rate) {
    throw Error(SqlState::kInvalidParameterValue,
                "options \"nexmark.rate.per.second\" and \"nexmark.event.rate\" conflict")
        .WithDetail("Both set the rate of events per second; give one of them.");
  }
  config.event_rate = rate_per_second.value_or(event_rate.value_or(0));

  if (const std::optional<int64_t> gap =
          options.FindInteger("nexmark.min.event.gap.in.ns", 0, kMaxEventGapNanos)) {
    config.event_gap_nanos = *gap;
  } else if (config.event_rate > 0) {
    // Event time then advances as fast as the wall clock paces the events.
    config.event_gap_nanos =
        std::min<int64_t>(kMaxEventGapNanos, std::llround(1e9 / config.event_rate));
  }

  if (const std::optional<std::string_view> dictionary = options.Find("nexmark.dictionary")) {
    const std::string lower = AsciiLower(*dictionary);
    if (lower != "flink" && lower != "risingwave") {
      throw OptionReader::InvalidValue("nexmark.dictionary", *dictionary,
                                       "The dictionary must be 'flink' or 'risingwave'.");
    }
    config.lower_case_dictionary = lower == "risingwave";
  }
  options.RejectUnread();

  for (size_t i = 0; i < spec.column_names.size(); ++i) {
    const std::string name = AsciiLower(spec.column_names[i]);
    const DataType& type = spec.column_types[i];
    const FieldInfo* info = nullptr;
    for (const FieldInfo& candidate : kFieldInfos) {
      if (candidate.table == config.table && candidate.name == name) {
        info = &candidate;
      }
    }
    if (info == nullptr) {
      std::string columns;
      for (const FieldInfo& candidate : kFieldInfos) {
        if (candidate.table == config.table) {
          columns += columns.empty() ? "" : ", ";
          columns += candidate.name;
        }
      }
      throw Error(SqlState::kUndefinedColumn,
                  fmt::format("column \"{}\" does not exist", spec.column_names[i]))
          .WithDetail(fmt::format("Nexmark table type {} has the columns {}.",
                                  TableName(config.table), columns));
    }
    bool compatible = false;
    switch (info->type) {
      case FieldType::kBigint:
        compatible = type.id == TypeId::kBigint;
        break;
      case FieldType::kTimestamp:
        compatible = type.id == TypeId::kTimestamp || type.id == TypeId::kTimestamptz;
        break;
      case FieldType::kString:
        compatible =
            type.IsString() && type.MaxLength().value_or(info->max_length) >= info->max_length;
        break;
    }
    if (!compatible) {
      Error error(SqlState::kDatatypeMismatch,
                  fmt::format("column \"{}\" is of type {} but nexmark table {} produces {}",
                              spec.column_names[i], type.Name(), TableName(config.table),
                              FieldTypeName(info->type)));
      if (info->type == FieldType::kString && type.IsString()) {
        error.WithDetail(
            fmt::format("Its values may be up to {} characters long.", info->max_length));
      } else if (info->type == FieldType::kTimestamp) {
        error.WithHint("Declare it as timestamp or timestamp with time zone.");
      }
      throw error;
    }
    config.fields.push_back(info->field);
  }
  return config;
}

// The id rules of the reference generator (rules 5 to 8), for an event index `e`.

/// The base-0 id of the last person created at or before event `e`.
int64_t LastBase0PersonId(uint64_t e) {
  return static_cast<int64_t>(e / kTotalProportion);
}

/// The base-0 id of the last auction created at or before event `e`.
int64_t LastBase0AuctionId(uint64_t e) {
  int64_t epoch = static_cast<int64_t>(e / kTotalProportion);
  int64_t offset = static_cast<int64_t>(e % kTotalProportion);
  if (offset < static_cast<int64_t>(kPersonProportion)) {
    --epoch;
    offset = kAuctionProportion - 1;
  } else if (offset >= static_cast<int64_t>(kPersonProportion + kAuctionProportion)) {
    offset = kAuctionProportion - 1;
  } else {
    offset -= kPersonProportion;
  }
  return epoch * static_cast<int64_t>(kAuctionProportion) + offset;
}

/// A random person among the active ones, possibly a few that do not exist yet.
int64_t NextBase0PersonId(uint64_t e, CounterRandom& random) {
  const int64_t num_people = LastBase0PersonId(e) + 1;
  const int64_t active = std::min(num_people, kActivePeople);
  return num_people - active + static_cast<int64_t>(random.Below(active + kIdLead));
}

/// A random auction among the in-flight ones, possibly a few that do not exist yet.
int64_t NextBase0AuctionId(uint64_t e, CounterRandom& random) {
  const int64_t max_auction = LastBase0AuctionId(e);
  const int64_t min_auction = std::max<int64_t>(max_auction - kInFlightAuctions, 0);
  return min_auction + static_cast<int64_t>(random.Below(max_auction - min_auction + 1 + kIdLead));
}

/// A price in cents, log-uniform in [100, 100,000,000): round(10^(6u) * 100), with 10^x computed
/// as 2^(x log2 10), which is several times faster than pow.
int64_t NextPrice(CounterRandom& random) {
  constexpr double kSixLog2Of10 = 19.931568569324174;  // 6 * log2(10)
  return static_cast<int64_t>(std::exp2(random.NextDouble() * kSixLog2Of10) * 100.0 + 0.5);
}

/// Writes nextString(max): 3 to max - 1 characters, each `special` with probability 1/13 and a
/// lower-case letter otherwise, trimmed of spaces as Java's String.trim(); returns the length.
size_t NextString(CounterRandom& random, size_t max_length, char special, char* out) {
  const size_t length = 3 + random.Below(max_length - 3);
  size_t written = 0;
  while (written < length) {
    uint64_t bits = random.Next();
    for (int part = 0; part < 4 && written < length; ++part, bits >>= 16) {
      const uint64_t draw = bits & 0xffff;
      out[written++] = draw % 13 == 0 ? special : static_cast<char>('a' + (draw / 13) % 26);
    }
  }
  size_t begin = 0;
  size_t end = length;
  while (begin < end && out[begin] == ' ') {
    ++begin;
  }
  while (end > begin && out[end - 1] == ' ') {
    --end;
  }
  if (begin > 0) {
    std::memmove(out, out + begin, end - begin);
  }
  return end - begin;
}

/// The pool that nextExtra slices its padding from: letters with a space every 13 characters on
/// average, the same for every reader.
const std::string& ExtraPool() {
  static const std::string pool = [] {
    std::string text(kExtraPoolSize, ' ');
    CounterRandom random(LabelKey(0, "nexmark extra pool"), 0);
    for (char& c : text) {
      const uint64_t draw = random.Below(26 * 13);
      c = draw % 13 == 0 ? ' ' : static_cast<char>('a' + draw / 13);
    }
    return text;
  }();
  return pool;
}

/// Returns nextExtra(current, average): padding that brings a record of `current` bytes to
/// `average` bytes on average (plus or minus 20%).
std::string_view NextExtra(CounterRandom& random, int32_t current, int32_t average) {
  if (current > average) {
    return {};
  }
  const int64_t wanted = average - current;
  const int64_t delta =
      static_cast<int64_t>(static_cast<double>(wanted) * 0.2 + 0.5);  // Math.round
  const int64_t length =
      wanted - delta + (delta == 0 ? 0 : static_cast<int64_t>(random.Below(2 * delta)));
  const std::string& pool = ExtraPool();
  const size_t offset = random.Below(pool.size() - static_cast<size_t>(length) + 1);
  return std::string_view(pool).substr(offset, static_cast<size_t>(length));
}

/// Makes room for `rows` more fixed-width values and returns where they go.
template <typename T>
T* AppendUninitialized(Column& column, size_t rows) {
  const size_t old_size = column.Size();
  column.ResizeFixed(old_size + rows);
  return column.MutableData<T>() + old_size;
}

/// Strings packed in one buffer with offsets, so a lookup touches no per-string allocation.
class PackedStrings {
 public:
  void Add(std::string_view text) {
    bytes_.append(text);
    offsets_.push_back(static_cast<uint32_t>(bytes_.size()));
  }
  std::string_view Get(uint32_t index) const {
    return std::string_view(bytes_.data() + offsets_[index], offsets_[index + 1] - offsets_[index]);
  }
  /// Asks the CPU to load the offsets of string `index` into the cache.
  void PrefetchOffsets(uint32_t index) const { __builtin_prefetch(offsets_.data() + index); }
  /// Asks the CPU to load the first bytes of string `index` into the cache.
  void PrefetchBytes(uint32_t index) const { __builtin_prefetch(bytes_.data() + offsets_[index]); }

 private:
  std::string bytes_;
  std::vector<uint32_t> offsets_ = {0};
};

/// The values of every field as pure functions of the event index; holds the per-seed state (the
/// keys of the random streams, the channel table). Read-only after construction.
class NexmarkModel {
 public:
  explicit NexmarkModel(const NexmarkConfig& config)
      : base_time_millis_(config.base_time_millis),
        event_gap_nanos_(config.event_gap_nanos),
        fast_time_limit_(config.event_gap_nanos == 0
                             ? kNoEvent
                             : kNoEvent / static_cast<uint64_t>(config.event_gap_nanos)),
        lower_case_(config.lower_case_dictionary) {
    for (size_t i = 0; i < keys_.size(); ++i) {
      keys_[i] = LabelKey(config.seed, fmt::format("nexmark field {}", i));
    }
    if (config.table == NexmarkTable::kBid) {
      BuildChannels();
    }
  }

  uint64_t Key(NexmarkField field) const { return keys_[static_cast<size_t>(field)]; }

  /// The event time of event `e` in milliseconds (rule 3, in integer arithmetic).
  int64_t EventTimeMillis(uint64_t e) const {
    const uint64_t gap = static_cast<uint64_t>(event_gap_nanos_);
    const uint64_t offset =
        e <= fast_time_limit_
            ? e * gap / 1'000'000
            : static_cast<uint64_t>(static_cast<unsigned __int128>(e) * gap / 1'000'000);
    return base_time_millis_ + static_cast<int64_t>(offset);
  }
  int64_t EventTimeMicros(uint64_t e) const { return EventTimeMillis(e) * 1000; }

  // Person (rule 11).
  int64_t PersonId(uint64_t e) const { return LastBase0PersonId(e) + kFirstPersonId; }
  size_t PersonName(uint64_t e, char* out) const {
    CounterRandom random(Key(NexmarkField::kPersonName), e);
    const std::string_view first = kFirstNames[random.Below(std::size(kFirstNames))];
    const std::string_view last = kLastNames[random.Below(std::size(kLastNames))];
    std::memcpy(out, first.data(), first.size());
    out[first.size()] = ' ';
    std::memcpy(out + first.size() + 1, last.data(), last.size());
    LowerIfWanted(out, first.size() + 1 + last.size());
    return first.size() + 1 + last.size();
  }
  size_t PersonEmail(uint64_t e, char* out) const {
    CounterRandom random(Key(NexmarkField::kPersonEmail), e);
    size_t length = NextString(random, 7, ' ', out);
    out[length++] = '@';
    length += NextString(random, 5, ' ', out + length);
    std::memcpy(out + length, ".com", 4);
    return length + 4;
  }
  size_t PersonCreditCard(uint64_t e, char* out) const {
    CounterRandom random(Key(NexmarkField::kPersonCreditCard), e);
    for (int group = 0; group < 4; ++group) {
      uint64_t number = random.Below(10000);
      char* digits = out + group * 5;
      for (int d = 3; d >= 0; --d) {
        digits[d] = static_cast<char>('0' + number % 10);
        number /= 10;
      }
      if (group < 3) {
        digits[4] = ' ';
      }
    }
    return 19;
  }
  std::string_view PersonCity(uint64_t e) const {
    return Dictionary(kCities, lower_cities_,
                      CounterRandom(Key(NexmarkField::kPersonCity), e).Below(std::size(kCities)));
  }
  std::string_view PersonState(uint64_t e) const {
    return Dictionary(kStates, lower_states_,
                      CounterRandom(Key(NexmarkField::kPersonState), e).Below(std::size(kStates)));
  }
  std::string_view PersonExtra(uint64_t e) const {
    char scratch[64];
    const int32_t current =
        static_cast<int32_t>(8 + PersonName(e, scratch) + PersonEmail(e, scratch) + 19 +
                             PersonCity(e).size() + PersonState(e).size());
    CounterRandom random(Key(NexmarkField::kPersonExtra), e);
    return NextExtra(random, current, kAveragePersonBytes);
  }

  // Auction (rule 9).
  int64_t AuctionId(uint64_t e) const { return LastBase0AuctionId(e) + kFirstAuctionId; }
  size_t AuctionItemName(uint64_t e, char* out) const {
    CounterRandom random(Key(NexmarkField::kAuctionItemName), e);
    return NextString(random, 20, ' ', out);
  }
  size_t AuctionDescription(uint64_t e, char* out) const {
    CounterRandom random(Key(NexmarkField::kAuctionDescription), e);
    return NextString(random, 100, ' ', out);
  }
  int64_t AuctionInitialBid(uint64_t e) const {
    CounterRandom random(Key(NexmarkField::kAuctionInitialBid), e);
    return NextPrice(random);
  }
  int64_t AuctionReserve(uint64_t e) const {
    CounterRandom random(Key(NexmarkField::kAuctionReserve), e);
    return AuctionInitialBid(e) + NextPrice(random);
  }
  int64_t AuctionExpiresMicros(uint64_t e) const {
    // The auction lasts up to twice the event time until the 100th in-flight auction from now.
    constexpr uint64_t kEventsForAuctions =
        kInFlightAuctions * kTotalProportion / kAuctionProportion;
    const int64_t now = EventTimeMillis(e);
    const int64_t horizon = EventTimeMillis(e + kEventsForAuctions) - now;
    CounterRandom random(Key(NexmarkField::kAuctionExpires), e);
    const int64_t length = 1 + static_cast<int64_t>(random.Below(
                                   static_cast<uint64_t>(std::max<int64_t>(horizon * 2, 1))));
    return (now + length) * 1000;
  }
  int64_t AuctionSeller(uint64_t e) const {
    CounterRandom random(Key(NexmarkField::kAuctionSeller), e);
    const int64_t base0 = random.Below(kHotSellerRatio) > 0
                              ? (LastBase0PersonId(e) / kHotBatch) * kHotBatch
                              : NextBase0PersonId(e, random);
    return base0 + kFirstPersonId;
  }
  int64_t AuctionCategory(uint64_t e) const {
    return kFirstCategoryId +
           static_cast<int64_t>(
               CounterRandom(Key(NexmarkField::kAuctionCategory), e).Below(kNumCategories));
  }
  std::string_view AuctionExtra(uint64_t e) const {
    char scratch[128];
    const int32_t current =
        static_cast<int32_t>(8 + AuctionItemName(e, scratch) + AuctionDescription(e, scratch) + 40);
    CounterRandom random(Key(NexmarkField::kAuctionExtra), e);
    return NextExtra(random, current, kAverageAuctionBytes);
  }

  // Bid (rule 10).
  int64_t BidAuction(uint64_t e) const {
    CounterRandom random(Key(NexmarkField::kBidAuction), e);
    const int64_t base0 = random.Below(kHotAuctionRatio) > 0
                              ? (LastBase0AuctionId(e) / kHotBatch) * kHotBatch
                              : NextBase0AuctionId(e, random);
    return base0 + kFirstAuctionId;
  }
  int64_t BidBidder(uint64_t e) const {
    CounterRandom random(Key(NexmarkField::kBidBidder), e);
    // The second person of a hot batch, so that hot bidders are not hot sellers.
    const int64_t base0 = random.Below(kHotBidderRatio) > 0
                              ? (LastBase0PersonId(e) / kHotBatch) * kHotBatch + 1
                              : NextBase0PersonId(e, random);
    return base0 + kFirstPersonId;
  }
  int64_t BidPrice(uint64_t e) const {
    CounterRandom random(Key(NexmarkField::kBidPrice), e);
    return NextPrice(random);
  }
  /// The bid's channel: 0..3 a hot channel, 4.. channel-(i - 4).
  uint32_t BidChannelIndex(uint64_t e) const {
    CounterRandom random(Key(NexmarkField::kBidChannel), e);
    return random.Below(kHotChannelRatio) > 0
               ? static_cast<uint32_t>(random.Below(kHotChannels))
               : kHotChannels + static_cast<uint32_t>(random.Below(kColdChannels));
  }
  /// The channel names and URLs by BidChannelIndex().
  const PackedStrings& ChannelNames() const { return channel_names_; }
  const PackedStrings& ChannelUrls() const { return channel_urls_; }
  std::string_view BidExtra(uint64_t e) const {
    CounterRandom random(Key(NexmarkField::kBidExtra), e);
    return NextExtra(random, 32, kAverageBidBytes);
  }

 private:
  template <size_t N>
  std::string_view Dictionary(const std::string_view (&words)[N],
                              const std::vector<std::string>& lower,
                              uint64_t index) const {
    return lower_case_ ? std::string_view(lower[index]) : words[index];
  }

  void LowerIfWanted(char* text, size_t length) const {
    if (!lower_case_) {
      return;
    }
    for (size_t i = 0; i < length; ++i) {
      if (text[i] >= 'A' && text[i] <= 'Z') {
        text[i] = static_cast<char>(text[i] - 'A' + 'a');
      }
    }
  }

  /// getBaseUrl: https://www.nexmark.com/<s>/<s>/<s>/item.htm?query=1 with nextString(5, '_').
  static std::string BaseUrl(CounterRandom& random) {
    std::string url = "https://www.nexmark.com/";
    char part[8];
    for (int i = 0; i < 3; ++i) {
      url.append(part, NextString(random, 5, '_', part));
      url += '/';
    }
    url += "item.htm?query=1";
    return url;
  }

  /// Builds the 4 hot and 10,000 cold channels with their fixed URLs (the Java generator's
  /// CHANNEL_URL_CACHE), once per reader.
  void BuildChannels() {
    for (uint32_t i = 0; i < kHotChannels; ++i) {
      CounterRandom random(Key(NexmarkField::kHotChannelUrl), i);
      channel_names_.Add(kHotChannelNames[i]);
      channel_urls_.Add(BaseUrl(random));
    }
    for (uint32_t i = 0; i < kColdChannels; ++i) {
      CounterRandom random(Key(NexmarkField::kColdChannelUrl), i);
      channel_names_.Add(fmt::format("channel-{}", i));
      std::string url = BaseUrl(random);
      if (random.Below(10) > 0) {
        // abs(Integer.reverse(i)), computed in 64 bits.
        const int32_t reversed = static_cast<int32_t>(ReverseBits(i));
        url += fmt::format("&channel_id={}", std::abs(static_cast<int64_t>(reversed)));
      }
      channel_urls_.Add(url);
    }
  }

  static uint32_t ReverseBits(uint32_t value) {
    uint32_t reversed = 0;
    for (int bit = 0; bit < 32; ++bit) {
      reversed = (reversed << 1) | ((value >> bit) & 1);
    }
    return reversed;
  }

  template <size_t N>
  static std::vector<std::string> Lowered(const std::string_view (&words)[N]) {
    std::vector<std::string> lowered;
    for (const std::string_view word : words) {
      lowered.push_back(AsciiLower(word));
    }
    return lowered;
  }

  int64_t base_time_millis_;
  int64_t event_gap_nanos_;
  /// Up to this event index, e * gap fits 64 bits.
  uint64_t fast_time_limit_;
  bool lower_case_;
  std::array<uint64_t, static_cast<size_t>(NexmarkField::kCount)> keys_{};
  PackedStrings channel_names_;
  PackedStrings channel_urls_;
  std::vector<std::string> lower_cities_ = Lowered(kCities);
  std::vector<std::string> lower_states_ = Lowered(kStates);
};

/// Reads the events of one table type from one shard of the Nexmark event stream. Not
/// thread-safe.
class NexmarkReader final : public SourceReader {
 public:
  NexmarkReader(NexmarkConfig config, uint32_t shard, uint32_t shard_count)
      : config_(std::move(config)),
        model_(config_),
        shard_(shard),
        shard_count_(shard_count),
        pacer_(config_.event_rate, shard) {
    events_.reserve(config_.max_chunk_size);
    if (config_.table == NexmarkTable::kBid) {
      channels_.reserve(config_.max_chunk_size);
    }
    SeekFrom(shard);
  }

  size_t Read(Chunk& out, size_t max_rows) override {
    const uint64_t end = std::min(config_.event_limit, pacer_.DueEnd());
    const size_t capacity = std::min(max_rows, config_.max_chunk_size);
    events_.clear();
    channels_.clear();
    while (events_.size() < capacity && next_event_ < end) {
      events_.push_back(next_event_);
      Advance();
    }
    if (events_.empty()) {
      return 0;
    }
    const size_t old_rows = out.NumRows();
    for (size_t c = 0; c < config_.fields.size(); ++c) {
      Fill(out.MutableColumn(c), config_.fields[c]);
    }
    out.SetNumRows(old_rows + events_.size());
    return events_.size();
  }

  bool Exhausted() const override { return next_event_ >= config_.event_limit; }

  int64_t MicrosUntilReady() const override {
    return Exhausted() ? 0 : pacer_.MicrosUntilDue(next_event_);
  }

  std::string SavePosition() const override {
    Serializer out;
    out.WriteU8(kPositionTag);
    out.WriteU8(kPositionVersion);
    out.WriteU8(static_cast<uint8_t>(config_.table));
    out.WriteU32(shard_);
    out.WriteU32(shard_count_);
    out.WriteU64(next_event_);
    return std::move(out).Finish();
  }

  void RestorePosition(std::string_view position) override {
    Deserializer in(position);
    const uint8_t tag = in.ReadU8();
    const uint8_t version = in.ReadU8();
    const uint8_t table = in.ReadU8();
    const uint32_t shard = in.ReadU32();
    const uint32_t shard_count = in.ReadU32();
    const uint64_t next_event = in.ReadU64();
    if (tag != kPositionTag || version != kPositionVersion || !in.AtEnd() ||
        table != static_cast<uint8_t>(config_.table)) {
      throw Error(SqlState::kDataCorrupted, "invalid nexmark source position");
    }
    if (shard != shard_ || shard_count != shard_count_ ||
        (next_event != kNoEvent && next_event % shard_count_ != shard_)) {
      throw Error(SqlState::kDataCorrupted, "invalid nexmark source position")
          .WithDetail(fmt::format("The position belongs to shard {} of {}, not shard {} of {}.",
                                  shard, shard_count, shard_, shard_count_));
    }
    if (next_event == kNoEvent) {
      next_event_ = kNoEvent;
    } else {
      SeekFrom(next_event);
    }
    pacer_.Restart(next_event_ == kNoEvent ? 0 : next_event_);
  }

 private:
  /// Sets next_event_ to the first event of this shard and table at or after `event`, which is
  /// congruent to the shard; kNoEvent when the shard holds no event of the table at all (its
  /// events fall on residues modulo 50 that belong to other tables).
  void SeekFrom(uint64_t event) {
    next_event_ = event;
    residue_ = event % kTotalProportion;
    residue_step_ = shard_count_ % kTotalProportion;
    // The residues visited repeat within 50 steps: no match there means none ever.
    for (uint64_t step = 0; step < kTotalProportion; ++step) {
      if (EventBelongsTo(config_.table, residue_)) {
        return;
      }
      StepOnce();
    }
    next_event_ = kNoEvent;
  }

  void StepOnce() {
    if (next_event_ > kNoEvent - shard_count_) {
      next_event_ = kNoEvent;
      return;
    }
    next_event_ += shard_count_;
    residue_ += residue_step_;
    if (residue_ >= kTotalProportion) {
      residue_ -= kTotalProportion;
    }
  }

  /// Moves next_event_ to the next event of this shard and table.
  void Advance() {
    do {
      StepOnce();
    } while (next_event_ != kNoEvent && !EventBelongsTo(config_.table, residue_));
  }

  template <typename Value>
  void FillInt64(Column& out, Value value) {
    int64_t* data = AppendUninitialized<int64_t>(out, events_.size());
    for (size_t k = 0; k < events_.size(); ++k) {
      data[k] = value(events_[k]);
    }
  }

  template <typename Value>
  void FillString(Column& out, Value value) {
    out.Reserve(events_.size());
    for (const uint64_t e : events_) {
      out.AppendString(value(e));
    }
  }

  template <typename Write>
  void FillWrittenString(Column& out, Write write) {
    out.Reserve(events_.size());
    char buffer[128];
    for (const uint64_t e : events_) {
      out.AppendString(std::string_view(buffer, write(e, buffer)));
    }
  }

  /// Fills the channel or URL column from the channel table. The channel of each event is computed
  /// once per chunk for both columns, and table entries are prefetched a few rows ahead: the table
  /// (~650 KiB of URLs) does not fit the L1 cache, and random lookups would stall otherwise.
  void FillChannelStrings(Column& out, const PackedStrings& table) {
    if (channels_.size() != events_.size()) {
      channels_.clear();
      for (const uint64_t e : events_) {
        channels_.push_back(model_.BidChannelIndex(e));
      }
    }
    // The offsets of row k + 16 are fetched first, so that they are cached when row k + 8 uses
    // them to fetch its bytes.
    constexpr size_t kOffsetsDistance = 16;
    constexpr size_t kBytesDistance = 8;
    const size_t rows = channels_.size();
    out.Reserve(rows);
    for (size_t k = 0; k < rows; ++k) {
      if (k + kOffsetsDistance < rows) {
        table.PrefetchOffsets(channels_[k + kOffsetsDistance]);
      }
      if (k + kBytesDistance < rows) {
        table.PrefetchBytes(channels_[k + kBytesDistance]);
      }
      out.AppendString(table.Get(channels_[k]));
    }
  }

  void Fill(Column& out, NexmarkField field) {
    const NexmarkModel& m = model_;
    switch (field) {
      case NexmarkField::kPersonId:
        return FillInt64(out, [&](uint64_t e) { return m.PersonId(e); });
      case NexmarkField::kPersonName:
        return FillWrittenString(out, [&](uint64_t e, char* b) { return m.PersonName(e, b); });
      case NexmarkField::kPersonEmail:
        return FillWrittenString(out, [&](uint64_t e, char* b) { return m.PersonEmail(e, b); });
      case NexmarkField::kPersonCreditCard:
        return FillWrittenString(out,
                                 [&](uint64_t e, char* b) { return m.PersonCreditCard(e, b); });
      case NexmarkField::kPersonCity:
        return FillString(out, [&](uint64_t e) { return m.PersonCity(e); });
      case NexmarkField::kPersonState:
        return FillString(out, [&](uint64_t e) { return m.PersonState(e); });
      case NexmarkField::kPersonDateTime:
      case NexmarkField::kAuctionDateTime:
      case NexmarkField::kBidDateTime:
        return FillInt64(out, [&](uint64_t e) { return m.EventTimeMicros(e); });
      case NexmarkField::kPersonExtra:
        return FillString(out, [&](uint64_t e) { return m.PersonExtra(e); });
      case NexmarkField::kAuctionId:
        return FillInt64(out, [&](uint64_t e) { return m.AuctionId(e); });
      case NexmarkField::kAuctionItemName:
        return FillWrittenString(out, [&](uint64_t e, char* b) { return m.AuctionItemName(e, b); });
      case NexmarkField::kAuctionDescription:
        return FillWrittenString(out,
                                 [&](uint64_t e, char* b) { return m.AuctionDescription(e, b); });
      case NexmarkField::kAuctionInitialBid:
        return FillInt64(out, [&](uint64_t e) { return m.AuctionInitialBid(e); });
      case NexmarkField::kAuctionReserve:
        return FillInt64(out, [&](uint64_t e) { return m.AuctionReserve(e); });
      case NexmarkField::kAuctionExpires:
        return FillInt64(out, [&](uint64_t e) { return m.AuctionExpiresMicros(e); });
      case NexmarkField::kAuctionSeller:
        return FillInt64(out, [&](uint64_t e) { return m.AuctionSeller(e); });
      case NexmarkField::kAuctionCategory:
        return FillInt64(out, [&](uint64_t e) { return m.AuctionCategory(e); });
      case NexmarkField::kAuctionExtra:
        return FillString(out, [&](uint64_t e) { return m.AuctionExtra(e); });
      case NexmarkField::kBidAuction:
        return FillInt64(out, [&](uint64_t e) { return m.BidAuction(e); });
      case NexmarkField::kBidBidder:
        return FillInt64(out, [&](uint64_t e) { return m.BidBidder(e); });
      case NexmarkField::kBidPrice:
        return FillInt64(out, [&](uint64_t e) { return m.BidPrice(e); });
      case NexmarkField::kBidChannel:
        return FillChannelStrings(out, m.ChannelNames());
      case NexmarkField::kBidUrl:
        return FillChannelStrings(out, m.ChannelUrls());
      case NexmarkField::kBidExtra:
        return FillString(out, [&](uint64_t e) { return m.BidExtra(e); });
      case NexmarkField::kHotChannelUrl:
      case NexmarkField::kColdChannelUrl:
      case NexmarkField::kCount:
        break;
    }
    throw Error::Internal("nexmark column without a generator");
  }

  NexmarkConfig config_;
  NexmarkModel model_;
  uint32_t shard_;
  uint32_t shard_count_;
  /// The next event of this shard and table, kNoEvent when there is none.
  uint64_t next_event_ = 0;
  /// next_event_ modulo 50, and shard_count_ modulo 50, to classify events without dividing.
  uint64_t residue_ = 0;
  uint64_t residue_step_ = 0;
  EmissionPacer pacer_;
  /// The event indexes of the chunk being read; reused, so reading allocates nothing per row.
  std::vector<uint64_t> events_;
  /// The channel of each of events_ (bids only), shared by the channel and URL columns.
  std::vector<uint32_t> channels_;
};

}  // namespace

void ValidateNexmarkSource(const SourceSpec& spec) {
  ParseNexmarkSpec(spec);
}

std::unique_ptr<SourceReader> CreateNexmarkReader(const SourceSpec& spec,
                                                  uint32_t shard,
                                                  uint32_t shard_count) {
  return std::make_unique<NexmarkReader>(ParseNexmarkSpec(spec), shard, shard_count);
}

}  // namespace freshet::connectors
