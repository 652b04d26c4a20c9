// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "common/column.h"
#include "common/error.h"
#include "connectors/sink_writer.h"
#include "connectors/source_reader.h"
#include "executor/batch/batch_operator.h"
#include "planner/plan/stream_plan.h"
#include "storage/state_store.h"

namespace freshet::executor::stream {

/// Where an operator instance lives and what it may read: the store as of the last committed epoch
/// (to load its state on start), its state prefix, and the context its expressions run in.
struct OperatorContext {
  storage::StateStore* store = nullptr;
  /// The committed state this instance starts from.
  std::shared_ptr<const storage::Snapshot> snapshot;
  uint32_t view_id = 0;
  /// This instance's shard of its fragment and the number of shards.
  uint32_t shard = 0;
  uint32_t shard_count = 1;
  /// The context of expressions: constant settings (UTC, no subqueries), no cancellation.
  BatchContext batch;
  /// Reports an error raised by one row (a division by zero in a view's expression): the row is
  /// skipped, the view keeps running, and the system relations count it.
  std::function<void(const Error& error)> report_row_error;
  /// The last epoch the store committed, advanced by the runtime after each commit (null outside
  /// a runtime). For operators with effects outside the store, such as sinks: what they stage at
  /// a barrier is durable only once this reaches the barrier's epoch.
  std::shared_ptr<const std::atomic<uint64_t>> committed_epoch;

  /// The key prefix of this instance's state for operator `operator_id`.
  std::string StatePrefix(uint16_t operator_id) const;
  /// Calls `visit(key_suffix, value)` for every stored state entry of operator `operator_id` of
  /// this instance, in key order; the suffix excludes StatePrefix().
  void LoadState(uint16_t operator_id,
                 const std::function<void(std::string_view, std::string_view)>& visit) const;
};

/// The epoch a barrier closes: operators add their state changes of the epoch to `batch`, which is
/// committed atomically with every other operator's.
struct EpochContext {
  uint64_t epoch = 0;
  storage::WriteBatch* batch = nullptr;
};

/// A streaming operator: consumes the changelog of its inputs and emits its own to one downstream
/// operator. Operators are single-threaded by contract: one actor drives all calls.
///
/// Watermark contract: after OnWatermark(column, value), no later row of that input has
/// `column < value` except late rows the source has already diverted. Barrier contract:
/// OnBarrier is called once every input has delivered everything before the barrier; the operator
/// writes its epoch's state changes then.
class StreamOperator {
 public:
  StreamOperator() = default;
  virtual ~StreamOperator() = default;
  StreamOperator(const StreamOperator&) = delete;
  StreamOperator& operator=(const StreamOperator&) = delete;

  /// Processes a chunk of input `input` (0 for single-input operators; 0 left, 1 right for joins).
  virtual void OnChunk(size_t input, const Chunk& chunk) = 0;
  /// Processes a watermark of input `input`; by default forwards it unchanged.
  virtual void OnWatermark(size_t input, uint32_t column, int64_t value);
  /// Writes the state changes of the epoch; by default does nothing.
  virtual void OnBarrier(const EpochContext& epoch);

  /// Sets where this operator's output goes.
  void SetDownstream(StreamOperator* downstream, size_t input) {
    downstream_ = downstream;
    downstream_input_ = input;
  }

 protected:
  void Emit(const Chunk& chunk) {
    if (chunk.NumRows() > 0) {
      downstream_->OnChunk(downstream_input_, chunk);
    }
  }
  void EmitWatermark(uint32_t column, int64_t value) {
    downstream_->OnWatermark(downstream_input_, column, value);
  }

 private:
  StreamOperator* downstream_ = nullptr;
  size_t downstream_input_ = 0;
};

/// An operator that produces rows without an input (a source reader): the actor calls Produce()
/// whenever it has nothing else to do.
class SourceProducer {
 public:
  virtual ~SourceProducer() = default;
  /// Emits at most one chunk; returns false when nothing was ready.
  virtual bool Produce() = 0;
  /// Microseconds until Produce() may have rows again; negative when never (exhausted).
  virtual int64_t MicrosUntilReady() const = 0;
};

/// The operators implemented elsewhere in this module, built from their plan nodes.
std::unique_ptr<StreamOperator> MakeAggregateOperator(const plan::StreamAggregateNode& node,
                                                      const OperatorContext& context);
std::unique_ptr<StreamOperator> MakeJoinOperator(const plan::StreamJoinNode& node,
                                                 const OperatorContext& context);
std::unique_ptr<StreamOperator> MakeTopNOperator(const plan::StreamTopNNode& node,
                                                 const OperatorContext& context);
std::unique_ptr<StreamOperator> MakeSessionWindowOperator(const plan::StreamSessionWindowNode& node,
                                                          const OperatorContext& context);
/// Makes the writers of a sink's connector (connectors::CreateSinkWriter unless a test says).
using SinkWriterFactory =
    std::function<std::unique_ptr<connectors::SinkWriter>(const connectors::SinkSpec& spec)>;
/// The sink operator: logs each epoch's changes in its state and delivers the committed epochs to
/// the sink's connector from a thread of its own (sink_operator.cc). Creates the first writer
/// (throws Error when the connector refuses the sink); `health`, if given, receives the delivery
/// state.
std::unique_ptr<StreamOperator> MakeSinkOperator(
    const plan::StreamSinkNode& node,
    const OperatorContext& context,
    std::shared_ptr<connectors::SinkHealthReport> health = nullptr,
    SinkWriterFactory make_writer = nullptr);
/// What the sink's connector is told of sink `node`: options, format and the input's columns.
connectors::SinkSpec MakeSinkSpec(const plan::StreamSinkNode& node);
/// What the source's connector is told of source `node`: options, format and columns.
connectors::SourceSpec MakeSourceSpec(const plan::StreamSourceNode& node);

}  // namespace freshet::executor::stream
