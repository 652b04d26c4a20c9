// SPDX-License-Identifier: Apache-2.0
// The sink operator: hands every change of a sink's input to its connector's writer, and at each
// barrier waits until the external system has the epoch's messages before the epoch may commit.
#include <chrono>
#include <thread>
#include <vector>

#include "common/logging.h"
#include "connectors/sink_writer.h"
#include "executor/stream/stream_operator.h"

namespace freshet::executor::stream {
namespace {

/// A sink instance: one writer per shard of the sink's fragment.
class SinkOperator final : public StreamOperator {
 public:
  explicit SinkOperator(const plan::StreamSinkNode& node)
      : spec_(MakeSinkSpec(node)), writer_(connectors::CreateSinkWriter(spec_)) {}

  void OnChunk(size_t input, const Chunk& chunk) override {
    // Kept until the epoch is delivered, to write it again through a new writer if delivery fails.
    epoch_chunks_.push_back(chunk);
    writer_->Write(chunk);
  }

  void OnBarrier(const EpochContext& epoch) override {
    // The epoch commits the positions of the sources it read, so it must not commit before the sink
    // has delivered its changes. A writer that failed to deliver (or lost its transaction) cannot
    // be retried; a new one writes the epoch's changes again (at least once; a transactional
    // writer aborted the failed transaction, so exactly once) until it succeeds. Meanwhile the
    // dataflow waits: backpressure, not loss.
    for (int attempt = 1;; ++attempt) {
      try {
        if (attempt > 1) {
          writer_.reset();
          writer_ = connectors::CreateSinkWriter(spec_);
          for (const Chunk& chunk : epoch_chunks_) {
            writer_->Write(chunk);
          }
        }
        writer_->CommitEpoch(epoch.epoch);
        epoch_chunks_.clear();
        return;
      } catch (const Error& error) {
        FRESHET_LOG_WARNING("sink", "sink \"{}\": epoch {} not delivered (attempt {}): {}",
                            spec_.sink_name, epoch.epoch, attempt, error.Message());
        std::this_thread::sleep_for(std::chrono::milliseconds(std::min(attempt, 10) * 500));
      }
    }
  }

 private:
  connectors::SinkSpec spec_;
  std::unique_ptr<connectors::SinkWriter> writer_;
  std::vector<Chunk> epoch_chunks_;
};

}  // namespace

connectors::SinkSpec MakeSinkSpec(const plan::StreamSinkNode& node) {
  connectors::SinkSpec spec;
  spec.sink_name = node.sink_name;
  spec.options = node.options;
  spec.format = node.format;
  spec.encode = node.encode;
  spec.encode_options = node.encode_options;
  for (const plan::OutputColumn& output : node.outputs) {
    spec.column_names.push_back(output.name);
    spec.column_types.push_back(output.type);
  }
  if (node.visible_count > 0) {
    spec.visible_columns = node.visible_count;
  }
  spec.key_columns.assign(node.stream_key.begin(), node.stream_key.end());
  spec.append_only = node.append_only;
  return spec;
}

std::unique_ptr<StreamOperator> MakeSinkOperator(const plan::StreamSinkNode& node) {
  return std::make_unique<SinkOperator>(node);
}

}  // namespace freshet::executor::stream
