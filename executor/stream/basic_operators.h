// SPDX-License-Identifier: Apache-2.0
// The stateless and scan operators of a dataflow, and the dispatcher that ends every actor.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/serializer.h"
#include "connectors/source_reader.h"
#include "executor/expression_evaluator.h"
#include "executor/stream/stream_operator.h"

namespace freshet::executor::stream {

/// Counters a scan updates and the system relations read; shared between threads.
struct ScanCounters {
  std::atomic<uint64_t> rows{0};
  std::atomic<uint64_t> late_rows{0};
  std::atomic<int64_t> watermark{INT64_MIN};
  /// Messages the source's readers skipped as undecodable.
  std::atomic<uint64_t> errors{0};

  /// Keeps `errors`, dropping the oldest beyond kKeptSourceErrors. Thread-safe.
  void AddErrors(std::vector<connectors::SourceError>& errors);
  /// The kept errors, oldest first. Thread-safe.
  std::vector<connectors::SourceError> RecentErrors() const;
  /// Records the watermark of one reader shard (`shard_key`: the scan's operator id and shard) and
  /// whether it is idle, so that an idle shard can follow the others. Thread-safe.
  void PublishShard(uint32_t shard_key, std::optional<int64_t> watermark, bool idle);
  /// The least watermark of the shards that are not idle, or the largest of all when every one is
  /// idle; nullopt when an active one has no watermark yet, or none has any. Thread-safe.
  std::optional<int64_t> ActiveShardsWatermark() const;
  /// The readers' connection state and lag, as last reported. Thread-safe.
  void SetHealth(connectors::SourceHealth health);
  connectors::SourceHealth Health() const;
  static constexpr size_t kKeptSourceErrors = 1000;

 private:
  mutable std::mutex mutex_;
  std::deque<connectors::SourceError> recent_errors_;
  connectors::SourceHealth health_;
  struct ShardProgress {
    std::optional<int64_t> watermark;
    bool idle = false;
  };
  std::map<uint32_t, ShardProgress> shards_;
};

/// Tracks the watermark of one time column (largest time seen minus a delay) and splits rows that
/// arrive too late (older than the watermark minus the allowed lateness) from the others. A source
/// that reads several splits (Kafka partitions) has a largest time per split: the watermark is the
/// least of them over the splits that produced a row within the idle timeout, so a partition that
/// lags holds it back and one that went quiet does not. The watermark never goes back.
class WatermarkTracker {
 public:
  WatermarkTracker(uint32_t column,
                   int64_t delay_micros,
                   int64_t lateness_micros,
                   int64_t idle_timeout_micros = 0)
      : column_(column),
        delay_micros_(delay_micros),
        lateness_micros_(lateness_micros),
        idle_timeout_micros_(idle_timeout_micros) {}

  /// Sets `late[row]` for the late rows of `chunk` and returns their number; only inserts can be
  /// late. `row_splits` names each row's split (null: all rows of one split, and the watermark
  /// advances row by row; with several splits it advances after the chunk). `now_micros` is the
  /// wall-clock time, for idleness.
  size_t Classify(const Chunk& chunk,
                  std::vector<uint8_t>& late,
                  const std::vector<int32_t>* row_splits = nullptr,
                  int64_t now_micros = 0);
  /// Lets the splits idle at `now_micros` stop holding the watermark back.
  void Refresh(int64_t now_micros);
  /// Registers splits assigned to the reader: one that has not delivered a row yet holds the
  /// watermark back (its first rows may be old) until it does or its idle timeout passes.
  void AddSplits(const std::vector<int32_t>& ids, int64_t now_micros);
  /// True when an idle timeout is set and no split had a row within it (nor was the tracker
  /// created within it): the reader holds nothing back and may follow the other readers.
  bool Idle(int64_t now_micros);
  /// Raises the watermark to `value`, the other readers' while this one is idle: its rows older
  /// than that would be late downstream anyway.
  void Adopt(int64_t value);
  bool HasWatermark() const { return has_watermark_; }
  int64_t Watermark() const { return watermark_; }
  uint32_t TimeColumn() const { return column_; }

  /// Writes the tracker's progress (the watermark and each split's largest time).
  void Save(Serializer& out) const;
  /// Reads what Save wrote (also the older form without splits).
  void Restore(Deserializer& in);

 private:
  /// A split restored from saved state whose idle time has not started yet.
  static constexpr int64_t kNotTimed = INT64_MIN;
  struct Split {
    int32_t id = 0;
    int64_t max_time = 0;
    int64_t last_row_micros = kNotTimed;
  };
  Split& FindSplit(int32_t id, int64_t now_micros);
  /// Raises the watermark to the least largest time of the active splits, minus the delay.
  void Advance(int64_t now_micros);

  uint32_t column_;
  int64_t delay_micros_;
  int64_t lateness_micros_;
  int64_t idle_timeout_micros_;
  std::vector<Split> splits_;
  /// When the tracker first looked at the clock (kNotTimed before).
  int64_t started_micros_ = kNotTimed;
  bool has_watermark_ = false;
  int64_t watermark_ = 0;
};

/// What source and table scans share: counting rows and, for a relation with a watermark,
/// advancing it, diverting late rows (or, for LATE_EVENTS, keeping only them) and emitting the
/// watermark when it advances.
class ScanOperator : public StreamOperator {
 protected:
  /// Set up from a source or table scan node: its watermark declaration, LATE_EVENTS flag and
  /// stored columns (after which LATE_EVENTS puts `_watermark`; hidden key columns follow).
  template <typename ScanNode>
  ScanOperator(const ScanNode& node, std::shared_ptr<ScanCounters> counters)
      : counters_(std::move(counters)),
        late_events_(node.late_events),
        stored_columns_(node.column_types.size()) {
    if (node.watermark_column) {
      watermark_.emplace(*node.watermark_column, node.watermark_delay_micros, node.lateness_micros);
    }
  }

  /// Counts, classifies and emits the rows of `chunk`; `row_splits` as WatermarkTracker::Classify.
  void EmitClassified(Chunk chunk, const std::vector<int32_t>* row_splits = nullptr);
  /// Emits the watermark when it rose above `previous`.
  void EmitWatermarkAbove(int64_t previous);

  std::optional<WatermarkTracker> watermark_;
  std::shared_ptr<ScanCounters> counters_;

 private:
  bool late_events_;
  size_t stored_columns_;
  std::vector<uint8_t> late_;
};

/// Reads one shard of a source through a connector reader, appends `_row_id`, diverts late rows
/// and emits watermarks; saves the reader's position at each barrier.
class SourceOperator final : public ScanOperator, public SourceProducer {
 public:
  SourceOperator(const plan::StreamSourceNode& node,
                 const OperatorContext& context,
                 std::shared_ptr<ScanCounters> counters);

  void OnChunk(size_t input, const Chunk& chunk) override;
  void OnBarrier(const EpochContext& epoch) override;
  bool Produce() override;
  int64_t MicrosUntilReady() const override;

 private:
  /// Tells the other readers of the source this reader's watermark and whether it is idle.
  void PublishProgress(bool idle);

  const plan::StreamSourceNode& node_;
  std::string state_key_;
  uint64_t shard_;
  std::unique_ptr<connectors::SourceReader> reader_;
  uint64_t next_sequence_ = 0;
  /// The reader's ErrorCount() already added to the counters.
  uint64_t reported_errors_ = 0;
  /// This reader among the source's readers in the shared counters.
  uint32_t shard_key_;
};

/// Emits the rows of a table or upstream view: first, when asked, the rows of a committed snapshot
/// (backfill), then every change that reaches it. Diverts late rows of a table with a watermark.
class TableScanOperator final : public ScanOperator {
 public:
  TableScanOperator(const plan::StreamTableScanNode& node,
                    const OperatorContext& context,
                    std::shared_ptr<ScanCounters> counters);

  /// Starts emitting the rows stored in `snapshot` (the backfill of a new view).
  void StartBackfill(storage::StateStore& store, std::shared_ptr<const storage::Snapshot> snapshot);
  /// Emits the next chunk of the backfill; returns false once it is complete.
  bool BackfillStep();
  void OnChunk(size_t input, const Chunk& chunk) override;
  void OnBarrier(const EpochContext& epoch) override;

 private:
  const plan::StreamTableScanNode& node_;
  std::string state_key_;
  std::shared_ptr<const storage::Snapshot> backfill_snapshot_;
  std::unique_ptr<storage::Iterator> backfill_;
  std::string backfill_prefix_;
  uint64_t saved_rows_ = 0;
};

/// Runs `compute` over a chunk; when it raises an Error (a division by zero in one row), runs it
/// again row by row and leaves out only the rows that fail, each reported through `report`.
Chunk ComputeSkippingFailedRows(const Chunk& chunk,
                                const std::function<Chunk(const Chunk&)>& compute,
                                const std::function<void(const Error&)>& report);

/// Emits the rows of its input for which the predicate is true.
class FilterOperator final : public StreamOperator {
 public:
  FilterOperator(const plan::StreamFilterNode& node, const OperatorContext& context);
  void OnChunk(size_t input, const Chunk& chunk) override;

 private:
  Chunk Filter(const Chunk& chunk);

  BatchContext batch_;
  ExpressionEvaluator predicate_;
  std::function<void(const Error&)> report_row_error_;
};

/// Emits one column per expression over its input; watermarks follow pass-through columns.
class ProjectOperator final : public StreamOperator {
 public:
  ProjectOperator(const plan::StreamProjectNode& node, const OperatorContext& context);
  void OnChunk(size_t input, const Chunk& chunk) override;
  void OnWatermark(size_t input, uint32_t column, int64_t value) override;

 private:
  Chunk Project(const Chunk& chunk);

  const plan::StreamProjectNode& node_;
  BatchContext batch_;
  std::vector<ExpressionEvaluator> expressions_;
  std::function<void(const Error&)> report_row_error_;
};

/// TUMBLE / HOP: appends window_start and window_end, one output row per window of a row. Builds
/// its output a column at a time: the input rows each output row comes from are listed first, then
/// every input column is gathered by that list; outputs are at most Chunk::kChunkSize rows.
class HopWindowOperator final : public StreamOperator {
 public:
  explicit HopWindowOperator(const plan::StreamHopWindowNode& node) : node_(node) {}
  void OnChunk(size_t input, const Chunk& chunk) override;
  void OnWatermark(size_t input, uint32_t column, int64_t value) override;

 private:
  /// The start of the latest window whose start is at most `time`.
  int64_t AlignedStart(int64_t time) const;
  /// Emits the output rows listed in sources_ and starts_.
  void EmitWindows(const Chunk& chunk);

  const plan::StreamHopWindowNode& node_;
  // Reused from chunk to chunk: per output row, its input row and window start.
  std::vector<uint32_t> sources_;
  std::vector<int64_t> starts_;
  Chunk out_;
};

/// UNION ALL: forwards every input; a watermark is the minimum over the inputs.
class UnionOperator final : public StreamOperator {
 public:
  explicit UnionOperator(size_t inputs) : watermarks_(inputs) {}
  void OnChunk(size_t input, const Chunk& chunk) override { Emit(chunk); }
  void OnWatermark(size_t input, uint32_t column, int64_t value) override;

 private:
  std::vector<std::vector<std::optional<int64_t>>> watermarks_;
  std::vector<std::optional<int64_t>> emitted_;
};

/// Upserts the changelog into the view's stored rows by stream key, as part of the epoch's batch,
/// and forwards it to the views reading this one.
///
/// A retracting input may deliver the changes of one key out of order within an epoch: when an
/// update moves a row between join or group keys, its delete and its insert travel through
/// different upstream instances. So for such an input the operator collects each key's changes
/// until the barrier, cancels each delete against an equal insert, and then writes and forwards
/// only the net change: the row that remains inserted, or the deletion of the row that was there.
class MaterializeOperator final : public StreamOperator {
 public:
  MaterializeOperator(const plan::StreamMaterializeNode& node,
                      const OperatorContext& context,
                      storage::WriteBatch* epoch_batch,
                      std::shared_ptr<std::atomic<int64_t>> view_rows);
  void OnChunk(size_t input, const Chunk& chunk) override;
  void OnBarrier(const EpochContext& epoch) override;

 private:
  const plan::StreamMaterializeNode& node_;
  storage::WriteBatch* epoch_batch_;
  std::string state_key_;
  std::shared_ptr<std::atomic<int64_t>> view_rows_;
  std::function<void(const Error&)> report_row_error_;
  int64_t rows_ = 0;
  int64_t saved_rows_ = 0;
  /// Sets key_ to the storage key of row `row` of `chunk`: the view's prefix and its stream key.
  void EncodeStorageKey(const Chunk& chunk, size_t row);
  /// Writes and forwards row `row` of `chunk` under key_ as `op`.
  void Apply(const Chunk& chunk, size_t row, Op op, Chunk& forwarded);
  /// Upsert mode: loads into upsert_rows_ the stored rows whose key this instance owns.
  void LoadUpsertRows(const OperatorContext& context);
  /// Adds the changes of `chunk` to the epoch's pending changes, which the barrier applies.
  void AddPending(const Chunk& chunk);
  /// Turns upserts (an insert replacing its key's row, a delete of a key) into the changes they
  /// make to the stored rows, and updates upsert_rows_.
  Chunk UpsertsToChanges(const Chunk& upserts);

  /// The changes of one key within the epoch: rows of pending_rows_, each inserted (+1) or deleted
  /// (-1), with their full encoding to cancel a delete against an equal insert.
  struct PendingChange {
    int sign = 0;
    size_t row = 0;
    std::string encoded;
  };

  std::string key_;
  std::string value_;
  std::vector<size_t> visible_;
  std::unordered_map<std::string, std::vector<PendingChange>> pending_;
  Chunk pending_rows_;
  /// Upsert mode: every stored row by storage key, as it is after the changes seen so far.
  std::unordered_map<std::string, std::string> upsert_rows_;
};

/// A stable hash of the values of `columns` per row, equal for equal SQL values of the same type
/// whatever the process, so state split by it is found again after a restart.
void HashRows(const Chunk& chunk, const std::vector<uint32_t>& columns, std::vector<uint64_t>& out);

}  // namespace freshet::executor::stream
