// SPDX-License-Identifier: Apache-2.0
// The sink operator: hands every change of a sink's input to its connector's writer, and at each
// barrier waits until the external system has the epoch's messages before the epoch may commit.
#include <chrono>
#include <thread>

#include "common/logging.h"
#include "connectors/sink_writer.h"
#include "executor/stream/stream_operator.h"

namespace freshet::executor::stream {
namespace {

/// A sink instance: one writer per shard of the sink's fragment.
class SinkOperator final : public StreamOperator {
 public:
  explicit SinkOperator(const plan::StreamSinkNode& node)
      : name_(node.sink_name), writer_(connectors::CreateSinkWriter(MakeSinkSpec(node))) {}

  void OnChunk(size_t input, const Chunk& chunk) override { writer_->Write(chunk); }

  void OnBarrier(const EpochContext& epoch) override {
    // The epoch commits the positions of the sources it read; it must not commit before the sink
    // has their effects (at least once), so a failed delivery is retried here, holding the
    // dataflow back (backpressure), rather than reported and skipped.
    for (int attempt = 1;; ++attempt) {
      try {
        writer_->CommitEpoch(epoch.epoch);
        return;
      } catch (const Error& error) {
        FRESHET_LOG_WARNING("sink", "sink \"{}\": epoch {} not delivered (attempt {}): {}", name_,
                            epoch.epoch, attempt, error.Message());
        std::this_thread::sleep_for(std::chrono::milliseconds(std::min(attempt, 10) * 500));
      }
    }
  }

 private:
  std::string name_;
  std::unique_ptr<connectors::SinkWriter> writer_;
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
  spec.visible_columns = node.visible_count;
  spec.key_columns.assign(node.stream_key.begin(), node.stream_key.end());
  spec.append_only = node.append_only;
  return spec;
}

std::unique_ptr<StreamOperator> MakeSinkOperator(const plan::StreamSinkNode& node) {
  return std::make_unique<SinkOperator>(node);
}

}  // namespace freshet::executor::stream
