// SPDX-License-Identifier: Apache-2.0
#include "executor/stream/basic_operators.h"

#include <algorithm>
#include <chrono>
#include <cstring>

#include "common/error.h"
#include "common/logging.h"
#include "common/numeric.h"
#include "common/serializer.h"
#include "executor/internal/gather.h"
#include "storage/key_codec.h"
#include "storage/row_codec.h"

namespace freshet::executor::stream {
namespace {

/// Floor division, for window alignment of times before 1970.
int64_t FloorDivide(int64_t value, int64_t divisor) {
  int64_t quotient = value / divisor;
  if ((value % divisor != 0) && ((value < 0) != (divisor < 0))) {
    --quotient;
  }
  return quotient;
}

uint64_t Mix(uint64_t hash, uint64_t value) {
  // splitmix64 finalizer over the running hash combined with the value.
  uint64_t z = hash ^ (value + 0x9E3779B97F4A7C15ULL + (hash << 6) + (hash >> 2));
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

uint64_t HashBytes(std::string_view bytes) {
  uint64_t hash = 0xCBF29CE484222325ULL;
  for (unsigned char c : bytes) {
    hash = (hash ^ c) * 0x100000001B3ULL;
  }
  return hash;
}

}  // namespace

void HashRows(const Chunk& chunk,
              const std::vector<uint32_t>& columns,
              std::vector<uint64_t>& out) {
  const size_t rows = chunk.NumRows();
  out.assign(rows, 0x2545F4914F6CDD1DULL);
  for (uint32_t index : columns) {
    const Column& column = chunk.GetColumn(index);
    if (column.Type().Physical() == PhysicalType::kInt64) {
      // The common case (BIGINT, TIMESTAMP) without a type switch per row; the same hashes.
      const int64_t* data = column.Data<int64_t>();
      const uint8_t* nulls = column.Nulls();
      for (size_t row = 0; row < rows; ++row) {
        const uint64_t value = nulls[row] != 0 ? 0x6E756C6CULL : static_cast<uint64_t>(data[row]);
        out[row] = Mix(out[row], value);
      }
      continue;
    }
    for (size_t row = 0; row < rows; ++row) {
      uint64_t value = 0;
      if (column.IsNull(row)) {
        value = 0x6E756C6CULL;
      } else {
        switch (column.Type().Physical()) {
          case PhysicalType::kBool:
            value = column.Data<uint8_t>()[row];
            break;
          case PhysicalType::kInt16:
            value = static_cast<uint64_t>(static_cast<int64_t>(column.Data<int16_t>()[row]));
            break;
          case PhysicalType::kInt32:
            value = static_cast<uint64_t>(static_cast<int64_t>(column.Data<int32_t>()[row]));
            break;
          case PhysicalType::kInt64:
            value = static_cast<uint64_t>(column.Data<int64_t>()[row]);
            break;
          case PhysicalType::kFloat32:
          case PhysicalType::kFloat64: {
            double number = column.Type().Physical() == PhysicalType::kFloat32
                                ? static_cast<double>(column.Data<float>()[row])
                                : column.Data<double>()[row];
            if (number == 0) {
              number = 0;  // -0 and 0 are equal
            }
            std::memcpy(&value, &number, sizeof(value));
            break;
          }
          case PhysicalType::kInt128: {
            const __int128 normalized = numeric::Normalize(column.Data<__int128>()[row]);
            value = Mix(static_cast<uint64_t>(normalized),
                        static_cast<uint64_t>(static_cast<unsigned __int128>(normalized) >> 64));
            break;
          }
          case PhysicalType::kInterval: {
            const Interval interval = column.Data<Interval>()[row];
            value = Mix(
                Mix(static_cast<uint64_t>(interval.months), static_cast<uint64_t>(interval.days)),
                static_cast<uint64_t>(interval.micros));
            break;
          }
          case PhysicalType::kString:
            value = HashBytes(column.GetString(row));
            break;
        }
      }
      out[row] = Mix(out[row], value);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// WatermarkTracker

namespace {

/// Monotonic microseconds, for split idleness.
int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

void ScanCounters::AddErrors(std::vector<connectors::SourceError>& errors) {
  std::lock_guard lock(mutex_);
  for (connectors::SourceError& error : errors) {
    recent_errors_.push_back(std::move(error));
  }
  while (recent_errors_.size() > kKeptSourceErrors) {
    recent_errors_.pop_front();
  }
}

std::vector<connectors::SourceError> ScanCounters::RecentErrors() const {
  std::lock_guard lock(mutex_);
  return std::vector<connectors::SourceError>(recent_errors_.begin(), recent_errors_.end());
}

void ScanCounters::SetHealth(connectors::SourceHealth health) {
  std::lock_guard lock(mutex_);
  health_ = std::move(health);
}

void ScanCounters::PublishShard(uint32_t shard_key, std::optional<int64_t> watermark, bool idle) {
  std::lock_guard lock(mutex_);
  shards_[shard_key] = {watermark, idle};
}

std::optional<int64_t> ScanCounters::ActiveShardsWatermark() const {
  std::lock_guard lock(mutex_);
  std::optional<int64_t> least;
  std::optional<int64_t> largest;
  bool any_active = false;
  for (const auto& [key, shard] : shards_) {
    if (shard.watermark) {
      largest = largest ? std::max(*largest, *shard.watermark) : *shard.watermark;
    }
    if (shard.idle) {
      continue;
    }
    if (!shard.watermark) {
      return std::nullopt;
    }
    any_active = true;
    least = least ? std::min(*least, *shard.watermark) : *shard.watermark;
  }
  // With every reader idle the source is quiet: nothing holds the watermark below the furthest
  // reader's (as a Flink operator does when all its inputs are idle).
  return any_active ? least : largest;
}

connectors::SourceHealth ScanCounters::Health() const {
  std::lock_guard lock(mutex_);
  return health_;
}

size_t WatermarkTracker::Classify(const Chunk& chunk,
                                  std::vector<uint8_t>& late,
                                  const std::vector<int32_t>* row_splits,
                                  int64_t now_micros) {
  const size_t rows = chunk.NumRows();
  late.assign(rows, 0);
  const Column& times = chunk.GetColumn(column_);
  const int64_t* values = times.Data<int64_t>();
  const bool one_split = row_splits == nullptr;
  Split* split = one_split ? &FindSplit(0, now_micros) : nullptr;
  size_t late_count = 0;
  for (size_t row = 0; row < rows; ++row) {
    if (times.IsNull(row)) {
      continue;
    }
    const int64_t time = values[row];
    const Op op = chunk.Ops()[row];
    if (has_watermark_ && (op == Op::kInsert || op == Op::kUpdateInsert) &&
        time < watermark_ - lateness_micros_) {
      late[row] = 1;
      ++late_count;
      continue;
    }
    if (!one_split && (split == nullptr || split->id != (*row_splits)[row])) {
      split = &FindSplit((*row_splits)[row], now_micros);
    }
    split->last_row_micros = now_micros;
    if (time > split->max_time) {
      split->max_time = time;
      if (one_split && (!has_watermark_ || time - delay_micros_ > watermark_)) {
        watermark_ = time - delay_micros_;
        has_watermark_ = true;
      }
    }
  }
  if (!one_split) {
    Advance(now_micros);
  }
  return late_count;
}

WatermarkTracker::Split& WatermarkTracker::FindSplit(int32_t id, int64_t now_micros) {
  for (Split& split : splits_) {
    if (split.id == id) {
      return split;
    }
  }
  splits_.push_back({id, INT64_MIN, now_micros});
  return splits_.back();
}

bool WatermarkTracker::Idle(int64_t now_micros) {
  if (idle_timeout_micros_ <= 0) {
    return false;
  }
  if (started_micros_ == kNotTimed) {
    started_micros_ = now_micros;
  }
  if (now_micros - started_micros_ < idle_timeout_micros_) {
    return false;
  }
  for (const Split& split : splits_) {
    if (split.last_row_micros == kNotTimed ||
        now_micros - split.last_row_micros < idle_timeout_micros_) {
      return false;
    }
  }
  return true;
}

void WatermarkTracker::Adopt(int64_t value) {
  if (!has_watermark_ || value > watermark_) {
    watermark_ = value;
    has_watermark_ = true;
  }
}

void WatermarkTracker::AddSplits(const std::vector<int32_t>& ids, int64_t now_micros) {
  for (const int32_t id : ids) {
    FindSplit(id, now_micros);
  }
}

void WatermarkTracker::Refresh(int64_t now_micros) {
  if (splits_.size() > 1) {
    Advance(now_micros);
  }
}

void WatermarkTracker::Advance(int64_t now_micros) {
  bool any = false;
  int64_t least = INT64_MAX;
  for (Split& split : splits_) {
    if (split.last_row_micros == kNotTimed) {
      split.last_row_micros = now_micros;  // restored: its idle time starts now
    }
    const bool idle =
        idle_timeout_micros_ > 0 && now_micros - split.last_row_micros >= idle_timeout_micros_;
    if (idle) {
      continue;
    }
    if (split.max_time == INT64_MIN) {
      return;  // assigned, not heard from yet: its first rows may be older than the others'
    }
    least = std::min(least, split.max_time);
    any = true;
  }
  if (any && (!has_watermark_ || least - delay_micros_ > watermark_)) {
    watermark_ = least - delay_micros_;
    has_watermark_ = true;
  }
}

void WatermarkTracker::Save(Serializer& out) const {
  out.WriteBool(has_watermark_);
  // The watermark plus the delay: what older versions wrote as the largest time seen.
  out.WriteI64(watermark_ + delay_micros_);
  out.WriteU32(static_cast<uint32_t>(splits_.size()));
  for (const Split& split : splits_) {
    out.WriteI32(split.id);
    out.WriteI64(split.max_time);
  }
}

void WatermarkTracker::Restore(Deserializer& in) {
  has_watermark_ = in.ReadBool();
  watermark_ = in.ReadI64() - delay_micros_;
  splits_.clear();
  if (in.AtEnd()) {
    if (has_watermark_) {
      splits_.push_back({0, watermark_ + delay_micros_, 0});
    }
    return;
  }
  const uint32_t count = in.ReadU32();
  for (uint32_t i = 0; i < count; ++i) {
    Split split;
    split.id = in.ReadI32();
    split.max_time = in.ReadI64();
    // Restored splits count as active from the restart on, until the idle timeout says otherwise.
    split.last_row_micros = kNotTimed;
    splits_.push_back(split);
  }
}

// ---------------------------------------------------------------------------------------------
// ScanOperator

void ScanOperator::EmitClassified(Chunk chunk, const std::vector<int32_t>* row_splits) {
  counters_->rows.fetch_add(chunk.NumRows(), std::memory_order_relaxed);
  if (!watermark_) {
    Emit(chunk);
    return;
  }
  const int64_t previous = watermark_->HasWatermark() ? watermark_->Watermark() : INT64_MIN;
  const size_t late_count = watermark_->Classify(chunk, late_, row_splits, NowMicros());
  counters_->late_rows.fetch_add(late_count, std::memory_order_relaxed);
  if (late_events_) {
    if (late_count > 0) {
      Chunk late = chunk.Select(late_);
      Column watermarks(chunk.GetColumn(watermark_->TimeColumn()).Type());
      for (size_t row = 0; row < late.NumRows(); ++row) {
        watermarks.Append<int64_t>(watermark_->Watermark());
      }
      std::vector<Column>& columns = late.Columns();
      columns.insert(columns.begin() + static_cast<std::ptrdiff_t>(stored_columns_),
                     std::move(watermarks));
      Emit(late);
    }
  } else if (late_count == 0) {
    Emit(chunk);
  } else {
    for (uint8_t& flag : late_) {
      flag = flag == 0 ? 1 : 0;
    }
    Emit(chunk.Select(late_));
  }
  EmitWatermarkAbove(previous);
}

void ScanOperator::EmitWatermarkAbove(int64_t previous) {
  if (watermark_->HasWatermark() && watermark_->Watermark() > previous) {
    counters_->watermark.store(
        std::max(counters_->watermark.load(std::memory_order_relaxed), watermark_->Watermark()),
        std::memory_order_relaxed);
    if (!late_events_) {
      EmitWatermark(watermark_->TimeColumn(), watermark_->Watermark());
    }
  }
}

// ---------------------------------------------------------------------------------------------
// SourceOperator

connectors::SourceSpec MakeSourceSpec(const plan::StreamSourceNode& node) {
  connectors::SourceSpec spec;
  spec.source_name = node.relation_name;
  spec.options = node.options;
  spec.column_names = node.column_names;
  spec.column_types = node.column_types;
  spec.format = node.format;
  spec.encode = node.encode;
  spec.encode_options = node.encode_options;
  spec.SetIncludedColumns(node.included_columns);
  spec.key_columns.assign(node.key_columns.begin(), node.key_columns.end());
  return spec;
}

SourceOperator::SourceOperator(const plan::StreamSourceNode& node,
                               const OperatorContext& context,
                               std::shared_ptr<ScanCounters> counters)
    : ScanOperator(node, std::move(counters)),
      node_(node),
      state_key_(context.StatePrefix(node.operator_id)),
      shard_(context.shard),
      shard_key_(static_cast<uint32_t>(node.operator_id) << 16 | context.shard) {
  reader_ =
      connectors::CreateSourceReader(MakeSourceSpec(node), context.shard, context.shard_count);
  if (watermark_) {
    watermark_.emplace(*node.watermark_column, node.watermark_delay_micros, node.lateness_micros,
                       reader_->SplitIdleTimeoutMicros());
  }
  std::optional<std::string> saved;
  context.LoadState(node.operator_id, [&](std::string_view key, std::string_view value) {
    if (key.empty()) {
      saved = std::string(value);
    }
  });
  if (saved) {
    Deserializer in(*saved);
    next_sequence_ = in.ReadU64();
    const std::string position = in.ReadString();
    reader_->RestorePosition(position);
    if (watermark_) {
      watermark_->Restore(in);
    }
  }
}

void SourceOperator::OnChunk(size_t input, const Chunk& chunk) {
  throw Error::Internal("a source has no input");
}

bool SourceOperator::Produce() {
  Chunk read(node_.column_types);
  const size_t rows = reader_->Read(read, Chunk::kChunkSize);
  if (watermark_) {
    watermark_->AddSplits(reader_->AssignedSplits(), NowMicros());
  }
  if (const uint64_t errors = reader_->ErrorCount(); errors != reported_errors_) {
    counters_->errors.fetch_add(errors - reported_errors_, std::memory_order_relaxed);
    reported_errors_ = errors;
    std::vector<connectors::SourceError> taken;
    reader_->TakeErrors(taken);
    counters_->AddErrors(taken);
  }
  if (rows == 0) {
    if (watermark_) {
      // Splits that went idle may let the watermark advance without new rows; a reader with
      // nothing but idle splits follows the other readers of the source, so that it does not hold
      // back what they feed downstream.
      const int64_t now = NowMicros();
      const int64_t previous = watermark_->HasWatermark() ? watermark_->Watermark() : INT64_MIN;
      watermark_->Refresh(now);
      const bool idle = watermark_->Idle(now);
      PublishProgress(idle);
      if (idle) {
        if (const std::optional<int64_t> others = counters_->ActiveShardsWatermark()) {
          watermark_->Adopt(*others);
        }
      }
      EmitWatermarkAbove(previous);
    }
    return false;
  }
  Column row_ids(DataType::Bigint());
  row_ids.ResizeFixed(rows);
  int64_t* ids = row_ids.MutableData<int64_t>();
  for (size_t row = 0; row < rows; ++row) {
    ids[row] = static_cast<int64_t>((shard_ << 48) | next_sequence_++);
  }
  read.AddColumn(std::move(row_ids));
  EmitClassified(std::move(read), reader_->RowSplits());
  if (watermark_) {
    PublishProgress(/*idle=*/false);
  }
  return true;
}

void SourceOperator::PublishProgress(bool idle) {
  counters_->PublishShard(
      shard_key_,
      watermark_->HasWatermark() ? std::optional<int64_t>(watermark_->Watermark()) : std::nullopt,
      idle);
}

int64_t SourceOperator::MicrosUntilReady() const {
  return reader_->Exhausted() ? -1 : reader_->MicrosUntilReady();
}

void SourceOperator::OnBarrier(const EpochContext& epoch) {
  // Once an epoch is often enough for a system relation.
  counters_->SetHealth(reader_->Health());
  Serializer out;
  out.WriteU64(next_sequence_);
  out.WriteString(reader_->SavePosition());
  if (watermark_) {
    watermark_->Save(out);
  }
  epoch.batch->Put(state_key_, std::move(out).Finish());
}

// ---------------------------------------------------------------------------------------------
// TableScanOperator

TableScanOperator::TableScanOperator(const plan::StreamTableScanNode& node,
                                     const OperatorContext& context,
                                     std::shared_ptr<ScanCounters> counters)
    : ScanOperator(node, std::move(counters)),
      node_(node),
      state_key_(context.StatePrefix(node.operator_id)) {
  if (watermark_) {
    context.LoadState(node.operator_id, [&](std::string_view key, std::string_view value) {
      if (key.empty()) {
        Deserializer in(value);
        watermark_->Restore(in);
      }
    });
  }
}

void TableScanOperator::StartBackfill(storage::StateStore& store,
                                      std::shared_ptr<const storage::Snapshot> snapshot) {
  backfill_snapshot_ = std::move(snapshot);
  backfill_prefix_ = storage::TablePrefix(node_.relation_id);
  backfill_ = store.Scan(backfill_prefix_, storage::PrefixUpperBound(backfill_prefix_),
                         backfill_snapshot_.get());
}

bool TableScanOperator::BackfillStep() {
  if (!backfill_) {
    return false;
  }
  // Stored columns come from the value; key columns that are not stored come from the key.
  const size_t stored = node_.column_types.size();
  const std::vector<DataType> types = node_.OutputTypes();
  Chunk chunk(types);
  std::vector<Column>& columns = chunk.Columns();
  for (; backfill_->Valid() && chunk.NumRows() < Chunk::kChunkSize; backfill_->Next()) {
    std::string_view key = backfill_->Key().substr(backfill_prefix_.size());
    storage::DecodeRowIntoColumns(backfill_->Value(), node_.column_types, columns).ThrowIfError();
    if (node_.row_id_key) {
      const uint64_t row_id = storage::ReadUint64(key).ValueOrThrow();
      columns[stored].Append<int64_t>(static_cast<int64_t>(row_id));
    } else {
      for (uint32_t key_column : node_.storage_key) {
        if (key_column >= stored) {
          storage::DecodeKeyValueInto(key, false, columns[key_column]).ThrowIfError();
        } else {
          // Skips a key value that the row also stores.
          storage::DecodeKeyValue(key, types[key_column], false).ValueOrThrow();
        }
      }
    }
    chunk.MutableOps().push_back(Op::kInsert);
  }
  const bool more = backfill_->Valid();
  const Status status = backfill_->GetStatus();
  if (!more) {
    backfill_.reset();
    backfill_snapshot_.reset();
  }
  status.ThrowIfError();
  if (chunk.NumRows() > 0) {
    EmitClassified(chunk);
  }
  return more;
}

void TableScanOperator::OnChunk(size_t input, const Chunk& chunk) {
  EmitClassified(chunk);
}

void TableScanOperator::OnBarrier(const EpochContext& epoch) {
  // The watermark changes only with rows: save it when rows arrived in the epoch.
  const uint64_t rows = counters_->rows.load(std::memory_order_relaxed);
  if (watermark_ && rows != saved_rows_) {
    Serializer out;
    watermark_->Save(out);
    epoch.batch->Put(state_key_, std::move(out).Finish());
    saved_rows_ = rows;
  }
}

// ---------------------------------------------------------------------------------------------
// Filter, project, windows, union

Chunk ComputeSkippingFailedRows(const Chunk& chunk,
                                const std::function<Chunk(const Chunk&)>& compute,
                                const std::function<void(const Error&)>& report) {
  try {
    return compute(chunk);
  } catch (const Error& error) {
    if (chunk.NumRows() <= 1) {
      if (report) {
        report(error);
      }
      return Chunk();
    }
  }
  Chunk result;
  std::vector<uint8_t> one(chunk.NumRows(), 0);
  for (size_t row = 0; row < chunk.NumRows(); ++row) {
    one[row] = 1;
    Chunk single = chunk.Select(one);
    one[row] = 0;
    try {
      Chunk computed = compute(single);
      if (result.NumColumns() == 0) {
        result = std::move(computed);
        continue;
      }
      for (size_t i = 0; i < computed.NumRows(); ++i) {
        result.AppendRowFrom(computed, i);
      }
    } catch (const Error& error) {
      if (report) {
        report(error);
      }
    }
  }
  return result;
}

FilterOperator::FilterOperator(const plan::StreamFilterNode& node, const OperatorContext& context)
    : batch_(context.batch),
      predicate_(*node.predicate, batch_),
      report_row_error_(context.report_row_error) {}

void FilterOperator::OnChunk(size_t input, const Chunk& chunk) {
  Emit(ComputeSkippingFailedRows(
      chunk, [this](const Chunk& rows) { return Filter(rows); }, report_row_error_));
}

Chunk FilterOperator::Filter(const Chunk& chunk) {
  std::vector<uint8_t> selected = predicate_.EvaluatePredicate(chunk);
  Chunk out = chunk.Select(selected);
  if (out.NumRows() == chunk.NumRows()) {
    return out;
  }
  // An update whose old or new version was filtered out is a plain insert or delete now.
  for (Op& op : out.MutableOps()) {
    if (op == Op::kUpdateDelete) {
      op = Op::kDelete;
    } else if (op == Op::kUpdateInsert) {
      op = Op::kInsert;
    }
  }
  return out;
}

ProjectOperator::ProjectOperator(const plan::StreamProjectNode& node,
                                 const OperatorContext& context)
    : node_(node), batch_(context.batch), report_row_error_(context.report_row_error) {
  expressions_.reserve(node.expressions.size());
  for (const plan::ExpressionPtr& expression : node.expressions) {
    expressions_.emplace_back(*expression, batch_);
  }
}

void ProjectOperator::OnChunk(size_t input, const Chunk& chunk) {
  Emit(ComputeSkippingFailedRows(
      chunk, [this](const Chunk& rows) { return Project(rows); }, report_row_error_));
}

Chunk ProjectOperator::Project(const Chunk& chunk) {
  Chunk out;
  for (ExpressionEvaluator& expression : expressions_) {
    // The evaluator's result is reused by its next call, so the chunk takes a copy (one buffer
    // copy per column, not per row).
    out.AddColumn(expression.Evaluate(chunk));
  }
  out.MutableOps() = chunk.Ops();
  return out;
}

void ProjectOperator::OnWatermark(size_t input, uint32_t column, int64_t value) {
  for (size_t output = 0; output < node_.passthrough.size(); ++output) {
    if (node_.passthrough[output] == column) {
      EmitWatermark(static_cast<uint32_t>(output), value);
    }
  }
}

int64_t HopWindowOperator::AlignedStart(int64_t time) const {
  return FloorDivide(time - node_.offset_micros, node_.slide_micros) * node_.slide_micros +
         node_.offset_micros;
}

void HopWindowOperator::OnChunk(size_t input, const Chunk& chunk) {
  const auto windows_per_row = static_cast<size_t>(node_.size_micros / node_.slide_micros);
  const Column& times = chunk.GetColumn(node_.time_column);
  const int64_t* time_data = times.Data<int64_t>();
  const uint8_t* time_nulls = times.Nulls();
  sources_.clear();
  starts_.clear();
  for (size_t row = 0; row < chunk.NumRows(); ++row) {
    if (time_nulls[row] != 0) {
      continue;
    }
    if (sources_.size() + windows_per_row > Chunk::kChunkSize && !sources_.empty()) {
      EmitWindows(chunk);
    }
    const int64_t last_start = AlignedStart(time_data[row]);
    for (size_t w = windows_per_row; w-- > 0;) {
      sources_.push_back(static_cast<uint32_t>(row));
      starts_.push_back(last_start - static_cast<int64_t>(w) * node_.slide_micros);
    }
  }
  EmitWindows(chunk);
}

void HopWindowOperator::EmitWindows(const Chunk& chunk) {
  const size_t rows = sources_.size();
  if (rows == 0) {
    return;
  }
  if (out_.NumColumns() != chunk.NumColumns() + 2) {
    out_ = Chunk();
    for (size_t column = 0; column < chunk.NumColumns(); ++column) {
      out_.AddColumn(Column(chunk.GetColumn(column).Type()));
    }
    const DataType time_type = chunk.GetColumn(node_.time_column).Type();
    out_.AddColumn(Column(time_type));
    out_.AddColumn(Column(time_type));
  }
  for (Column& column : out_.Columns()) {
    column.Clear();
  }
  for (size_t column = 0; column < chunk.NumColumns(); ++column) {
    internal::GatherColumn(chunk.GetColumn(column), sources_.data(), rows,
                           out_.MutableColumn(column));
  }
  Column& starts = out_.MutableColumn(chunk.NumColumns());
  Column& ends = out_.MutableColumn(chunk.NumColumns() + 1);
  starts.ResizeFixed(rows);
  ends.ResizeFixed(rows);
  int64_t* start_data = starts.MutableData<int64_t>();
  int64_t* end_data = ends.MutableData<int64_t>();
  for (size_t i = 0; i < rows; ++i) {
    start_data[i] = starts_[i];
    end_data[i] = starts_[i] + node_.size_micros;
  }
  std::vector<Op>& ops = out_.MutableOps();
  ops.resize(rows);
  const Op* input_ops = chunk.Ops().data();
  for (size_t i = 0; i < rows; ++i) {
    ops[i] = input_ops[sources_[i]];
  }
  Emit(out_);
  sources_.clear();
  starts_.clear();
}

void HopWindowOperator::OnWatermark(size_t input, uint32_t column, int64_t value) {
  EmitWatermark(column, value);
  if (column != node_.time_column) {
    return;
  }
  // Every later row has time >= value, so its earliest window starts at AlignedStart(value) -
  // size + slide and ends a slide after AlignedStart(value).
  const uint32_t width = static_cast<uint32_t>(node_.outputs.size() - 2);
  const int64_t aligned = AlignedStart(value);
  EmitWatermark(width, aligned - node_.size_micros + node_.slide_micros);
  EmitWatermark(width + 1, aligned + node_.slide_micros);
}

void UnionOperator::OnWatermark(size_t input, uint32_t column, int64_t value) {
  auto& per_input = watermarks_[input];
  if (per_input.size() <= column) {
    per_input.resize(column + 1);
  }
  per_input[column] = value;
  std::optional<int64_t> minimum;
  for (const auto& other : watermarks_) {
    if (other.size() <= column || !other[column]) {
      return;
    }
    minimum = minimum ? std::min(*minimum, *other[column]) : *other[column];
  }
  if (emitted_.size() <= column) {
    emitted_.resize(column + 1);
  }
  if (!emitted_[column] || *minimum > *emitted_[column]) {
    emitted_[column] = minimum;
    EmitWatermark(column, *minimum);
  }
}

// ---------------------------------------------------------------------------------------------
// MaterializeOperator

MaterializeOperator::MaterializeOperator(const plan::StreamMaterializeNode& node,
                                         const OperatorContext& context,
                                         storage::WriteBatch* epoch_batch,
                                         std::shared_ptr<std::atomic<int64_t>> view_rows)
    : node_(node),
      epoch_batch_(epoch_batch),
      state_key_(context.StatePrefix(node.operator_id)),
      view_rows_(std::move(view_rows)),
      report_row_error_(context.report_row_error) {
  context.LoadState(node.operator_id, [&](std::string_view key, std::string_view value) {
    if (key.empty()) {
      Deserializer in(value);
      rows_ = in.ReadI64();
    }
  });
  saved_rows_ = rows_;
  view_rows_->fetch_add(rows_, std::memory_order_relaxed);
  for (size_t i = 0; i < node.visible_count; ++i) {
    visible_.push_back(i);
  }
  pending_rows_ = Chunk(node.OutputTypes());
  if (node.upsert) {
    LoadUpsertRows(context);
  }
}

void MaterializeOperator::LoadUpsertRows(const OperatorContext& context) {
  // The table's rows are split among the instances as the exchange above splits its input: by a
  // hash of the primary key. Each keeps its own.
  const std::vector<DataType> types = node_.OutputTypes();
  Chunk rows(types);
  std::vector<std::pair<std::string, std::string>> entries;
  std::vector<uint64_t> hashes;
  const auto keep_own = [&] {
    if (context.shard_count > 1) {
      HashRows(rows, node_.stream_key, hashes);
    }
    for (size_t i = 0; i < entries.size(); ++i) {
      if (context.shard_count <= 1 || hashes[i] % context.shard_count == context.shard) {
        upsert_rows_.emplace(std::move(entries[i].first), std::move(entries[i].second));
      }
    }
    rows = Chunk(types);
    entries.clear();
  };
  const std::string prefix = storage::TablePrefix(node_.relation_id);
  std::unique_ptr<storage::Iterator> stored =
      context.store->Scan(prefix, storage::PrefixUpperBound(prefix), context.snapshot.get());
  for (; stored->Valid(); stored->Next()) {
    if (context.shard_count > 1) {
      storage::DecodeRowIntoColumns(stored->Value(), types, rows.Columns()).ThrowIfError();
      rows.MutableOps().push_back(Op::kInsert);
    }
    entries.emplace_back(stored->Key(), stored->Value());
    if (entries.size() == Chunk::kChunkSize) {
      keep_own();
    }
  }
  stored->GetStatus().ThrowIfError();
  keep_own();
}

Chunk MaterializeOperator::UpsertsToChanges(const Chunk& upserts) {
  const std::vector<DataType> types = node_.OutputTypes();
  Chunk changes(types);
  const auto append_stored = [&](const std::string& stored) {
    storage::DecodeRowIntoColumns(stored, types, changes.Columns()).ThrowIfError();
    changes.MutableOps().push_back(Op::kDelete);
  };
  const auto append_new = [&](size_t row) {
    changes.AppendRowFrom(upserts, row);
    changes.MutableOps().back() = Op::kInsert;
  };
  for (size_t row = 0; row < upserts.NumRows(); ++row) {
    // A key column without a value (a FORMAT PLAIN message that lacks it) cannot be stored.
    const auto null_key =
        std::find_if(node_.stream_key.begin(), node_.stream_key.end(),
                     [&](uint32_t column) { return upserts.GetColumn(column).IsNull(row); });
    if (null_key != node_.stream_key.end()) {
      if (report_row_error_) {
        report_row_error_(Error(SqlState::kNotNullViolation,
                                fmt::format("null value in column \"{}\" violates not-null "
                                            "constraint",
                                            node_.outputs[*null_key].name)));
      }
      continue;
    }
    EncodeStorageKey(upserts, row);
    auto stored = upsert_rows_.find(key_);
    const Op op = upserts.Ops()[row];
    if (op == Op::kDelete || op == Op::kUpdateDelete) {
      if (stored != upsert_rows_.end()) {
        append_stored(stored->second);
        upsert_rows_.erase(stored);
      }
      continue;
    }
    value_.clear();
    storage::EncodeRow(upserts, row, visible_, value_);
    if (stored == upsert_rows_.end()) {
      upsert_rows_.emplace(key_, value_);
      append_new(row);
    } else if (stored->second != value_) {
      append_stored(stored->second);
      append_new(row);
      stored->second = value_;
    }
  }
  return changes;
}

void MaterializeOperator::EncodeStorageKey(const Chunk& chunk, size_t row) {
  key_.clear();
  storage::AppendTablePrefix(node_.relation_id, key_);
  for (uint32_t column : node_.stream_key) {
    storage::EncodeKeyValue(chunk.GetColumn(column), row, false, key_);
  }
}

void MaterializeOperator::Apply(const Chunk& chunk, size_t row, Op op, Chunk& forwarded) {
  if (op == Op::kInsert || op == Op::kUpdateInsert) {
    value_.clear();
    storage::EncodeRow(chunk, row, visible_, value_);
    epoch_batch_->Put(key_, value_);
    rows_ += op == Op::kInsert ? 1 : 0;
  } else {
    epoch_batch_->Delete(key_);
    rows_ -= op == Op::kDelete ? 1 : 0;
  }
  forwarded.AppendRowFrom(chunk, row);
  forwarded.MutableOps().back() = op;
}

void MaterializeOperator::OnChunk(size_t input, const Chunk& chunk) {
  if (node_.upsert) {
    AddPending(UpsertsToChanges(chunk));
    return;
  }
  const int64_t before = rows_;
  if (node_.append_only) {
    for (size_t row = 0; row < chunk.NumRows(); ++row) {
      EncodeStorageKey(chunk, row);
      value_.clear();
      storage::EncodeRow(chunk, row, visible_, value_);
      epoch_batch_->Put(key_, value_);
    }
    rows_ += static_cast<int64_t>(chunk.NumRows());
    view_rows_->fetch_add(rows_ - before, std::memory_order_relaxed);
    Emit(chunk);
    return;
  }
  AddPending(chunk);
}

void MaterializeOperator::AddPending(const Chunk& chunk) {
  std::vector<size_t> all(chunk.NumColumns());
  for (size_t i = 0; i < all.size(); ++i) {
    all[i] = i;
  }
  for (size_t row = 0; row < chunk.NumRows(); ++row) {
    EncodeStorageKey(chunk, row);
    const Op op = chunk.Ops()[row];
    PendingChange change;
    change.sign = op == Op::kInsert || op == Op::kUpdateInsert ? 1 : -1;
    storage::EncodeRow(chunk, row, all, change.encoded);
    std::vector<PendingChange>& changes = pending_[key_];
    // A delete cancels an earlier insert of the same row, and an insert an earlier delete.
    auto opposite = std::find_if(changes.begin(), changes.end(), [&](const PendingChange& other) {
      return other.sign == -change.sign && other.encoded == change.encoded;
    });
    if (opposite != changes.end()) {
      changes.erase(opposite);
      continue;
    }
    change.row = pending_rows_.NumRows();
    pending_rows_.AppendRowFrom(chunk, row);
    changes.push_back(std::move(change));
  }
}

void MaterializeOperator::OnBarrier(const EpochContext& epoch) {
  if (!pending_.empty()) {
    const int64_t before = rows_;
    Chunk forwarded(node_.OutputTypes());
    for (const auto& [key, changes] : pending_) {
      key_ = key;
      const PendingChange* inserted = nullptr;
      const PendingChange* deleted = nullptr;
      for (const PendingChange& change : changes) {
        (change.sign > 0 ? inserted : deleted) = &change;
      }
      if (inserted && deleted) {
        Apply(pending_rows_, deleted->row, Op::kUpdateDelete, forwarded);
        Apply(pending_rows_, inserted->row, Op::kUpdateInsert, forwarded);
      } else if (inserted) {
        Apply(pending_rows_, inserted->row, Op::kInsert, forwarded);
      } else if (deleted) {
        Apply(pending_rows_, deleted->row, Op::kDelete, forwarded);
      }
      if (forwarded.NumRows() >= Chunk::kChunkSize) {
        Emit(forwarded);
        forwarded = Chunk(node_.OutputTypes());
      }
    }
    Emit(forwarded);
    pending_.clear();
    pending_rows_ = Chunk(node_.OutputTypes());
    view_rows_->fetch_add(rows_ - before, std::memory_order_relaxed);
  }
  if (rows_ != saved_rows_) {
    Serializer out;
    out.WriteI64(rows_);
    epoch.batch->Put(state_key_, std::move(out).Finish());
    saved_rows_ = rows_;
  }
}

}  // namespace freshet::executor::stream
