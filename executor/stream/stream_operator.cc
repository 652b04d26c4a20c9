// SPDX-License-Identifier: Apache-2.0
#include "executor/stream/stream_operator.h"

#include "storage/key_codec.h"

namespace freshet::executor::stream {

std::string OperatorContext::StatePrefix(uint16_t operator_id) const {
  return storage::OperatorStatePrefix(view_id, operator_id, static_cast<uint16_t>(shard));
}

void OperatorContext::LoadState(
    uint16_t operator_id,
    const std::function<void(std::string_view, std::string_view)>& visit) const {
  const std::string prefix = StatePrefix(operator_id);
  std::unique_ptr<storage::Iterator> it =
      store->Scan(prefix, storage::PrefixUpperBound(prefix), snapshot.get());
  for (; it->Valid(); it->Next()) {
    visit(it->Key().substr(prefix.size()), it->Value());
  }
  it->GetStatus().ThrowIfError();
}

void StreamOperator::OnWatermark(size_t input, uint32_t column, int64_t value) {
  EmitWatermark(column, value);
}

void StreamOperator::OnBarrier(const EpochContext& epoch) {}

}  // namespace freshet::executor::stream
