// SPDX-License-Identifier: Apache-2.0
// The stateless and scan operators of a dataflow, and the dispatcher that ends every actor.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
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
};

/// Tracks the watermark of one time column (largest time seen minus a delay) and splits rows that
/// arrive too late (older than the watermark minus the allowed lateness) from the others.
class WatermarkTracker {
 public:
  WatermarkTracker(uint32_t column, int64_t delay_micros, int64_t lateness_micros)
      : column_(column), delay_micros_(delay_micros), lateness_micros_(lateness_micros) {}

  /// Sets `late[row]` for the late rows of `chunk`, advancing the watermark row by row; returns
  /// the number of late rows. Only inserts can be late.
  size_t Classify(const Chunk& chunk, std::vector<uint8_t>& late);
  bool HasWatermark() const { return has_max_; }
  int64_t Watermark() const { return max_time_ - delay_micros_; }
  uint32_t TimeColumn() const { return column_; }

  /// Writes the tracker's progress (the largest time seen) for the operator's state.
  void Save(Serializer& out) const;
  /// Reads what Save wrote.
  void Restore(Deserializer& in);

 private:
  uint32_t column_;
  int64_t delay_micros_;
  int64_t lateness_micros_;
  bool has_max_ = false;
  int64_t max_time_ = 0;
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

  /// Counts, classifies and emits the rows of `chunk`.
  void EmitClassified(Chunk chunk);

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
  const plan::StreamSourceNode& node_;
  std::string state_key_;
  uint64_t shard_;
  std::unique_ptr<connectors::SourceReader> reader_;
  uint64_t next_sequence_ = 0;
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

/// TUMBLE / HOP: appends window_start and window_end, one output row per window of a row.
class HopWindowOperator final : public StreamOperator {
 public:
  explicit HopWindowOperator(const plan::StreamHopWindowNode& node) : node_(node) {}
  void OnChunk(size_t input, const Chunk& chunk) override;
  void OnWatermark(size_t input, uint32_t column, int64_t value) override;

 private:
  /// The start of the latest window whose start is at most `time`.
  int64_t AlignedStart(int64_t time) const;

  const plan::StreamHopWindowNode& node_;
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
  int64_t rows_ = 0;
  int64_t saved_rows_ = 0;
  /// Sets key_ to the storage key of row `row` of `chunk`: the view's prefix and its stream key.
  void EncodeStorageKey(const Chunk& chunk, size_t row);
  /// Writes and forwards row `row` of `chunk` under key_ as `op`.
  void Apply(const Chunk& chunk, size_t row, Op op, Chunk& forwarded);

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
};

/// A stable hash of the values of `columns` per row, equal for equal SQL values of the same type
/// whatever the process, so state split by it is found again after a restart.
void HashRows(const Chunk& chunk, const std::vector<uint32_t>& columns, std::vector<uint64_t>& out);

}  // namespace freshet::executor::stream
