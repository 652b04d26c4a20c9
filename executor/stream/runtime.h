// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/column.h"
#include "connectors/sink_writer.h"
#include "connectors/source_reader.h"
#include "planner/plan/stream_plan.h"
#include "storage/state_store.h"

namespace freshet::executor::stream {

/// How the streaming runtime runs.
struct RuntimeOptions {
  /// Worker threads, and the parallelism of new views' hash-distributed operators.
  uint32_t workers = 2;
  /// Time between periodic barriers (checkpoints).
  int64_t checkpoint_interval_micros = 1'000'000;
  /// An actor whose state changes of one epoch reach this many bytes writes them to a table file
  /// itself (StateStore::Prepare), in parallel with the other actors, so the commit adds the file
  /// whole instead of inserting row by row on one thread.
  size_t prepare_batch_bytes = size_t{4} << 20;
};

/// What the system relations show of one view's dataflow.
struct ViewProgress {
  uint32_t view_id = 0;
  int64_t rows = 0;
  /// Errors raised by the view's expressions; the offending chunks were skipped.
  uint64_t errors = 0;
  std::string last_error;
};

/// What the system relations show of one source or table read by views.
struct SourceProgress {
  uint32_t relation_id = 0;
  uint64_t rows = 0;
  uint64_t late_rows = 0;
  /// The largest watermark any reader reached (microseconds); INT64_MIN when none.
  int64_t watermark = INT64_MIN;
  /// Messages skipped as undecodable, and the most recent of them (at most 1,000), oldest first.
  uint64_t errors = 0;
  std::vector<connectors::SourceError> recent_errors;
  /// "running", or what keeps a reader from reading; the largest lag of the readers (-1: unknown).
  std::string state = "running";
  int64_t lag = -1;
};

class Runtime;

/// The streaming engine: runs every view's dataflow on a pool of worker threads, injects barriers
/// (every checkpoint interval and on request) and commits each epoch's state changes, source
/// positions and attached catalog changes in one atomic store write. Thread-safe.
class StreamRuntime {
 public:
  /// `committed_epoch` is the last epoch the store holds. Threads start with Start().
  StreamRuntime(storage::StateStore& store, RuntimeOptions options, uint64_t committed_epoch);
  ~StreamRuntime();
  StreamRuntime(const StreamRuntime&) = delete;
  StreamRuntime& operator=(const StreamRuntime&) = delete;

  /// The key under which each commit records its epoch number.
  static std::string EpochKey();

  /// Starts the workers and the barrier clock; views deployed before run from their committed
  /// state.
  void Start();
  /// Stops the threads; in-flight epochs are abandoned (the store keeps the last committed one).
  void Stop();

  /// Deploys the dataflow of view `view_id`. With `backfill` (CREATE MATERIALIZED VIEW) the scans
  /// first emit the rows their relations hold, `catalog_changes` commits with the first epoch that
  /// includes them, and the call returns once it is committed. Without (recovery, before Start())
  /// operators resume from their committed state. Throws Error when an operator cannot be built.
  void Deploy(uint32_t view_id,
              std::shared_ptr<const plan::StreamPlan> plan,
              bool backfill,
              storage::WriteBatch catalog_changes);
  /// Stops the dataflow of view `view_id` at the next barrier and commits `changes` (catalog
  /// removal, state deletion) with that epoch; returns once committed.
  void Drop(uint32_t view_id, storage::WriteBatch changes);
  /// Commits `rows` (a DML statement's table writes) with `changes` (its changelog, in the table's
  /// stream column layout) fed to every view reading table `table_id`, in one epoch; returns once
  /// committed. Without readers the rows are written at once.
  void CommitTableWrite(uint32_t table_id, storage::WriteBatch rows, std::vector<Chunk> changes);
  /// Forces a barrier and returns once everything before it is committed.
  void Flush();

  /// The last committed epoch.
  uint64_t CommittedEpoch() const;
  /// Microseconds since 1970 of the last commit; 0 before the first one.
  int64_t LastCommitMicros() const;
  std::vector<ViewProgress> Views() const;
  std::vector<SourceProgress> Sources() const;
  /// The delivery state of every sink instance (one per shard of each sink).
  std::vector<connectors::SinkHealth> Sinks() const;

 private:
  std::unique_ptr<Runtime> runtime_;
};

}  // namespace freshet::executor::stream
