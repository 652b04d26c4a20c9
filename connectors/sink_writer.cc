// SPDX-License-Identifier: Apache-2.0
#include "connectors/sink_writer.h"

#include <optional>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "common/error.h"
#include "connectors/internal/option_reader.h"
#include "connectors/kafka_sink_writer.h"

namespace freshet::connectors {
namespace {

/// Checks that the sink's connector is one Freshet can write to (only kafka so far).
void CheckConnector(const SinkSpec& spec) {
  const std::optional<std::string_view> connector = FindOption(spec.options, "connector");
  if (!connector) {
    throw Error(SqlState::kInvalidParameterValue, "option \"connector\" is required")
        .WithHint("Set it to 'kafka'.");
  }
  if (AsciiLower(*connector) != "kafka") {
    throw Error(SqlState::kFeatureNotSupported,
                fmt::format("sink connector \"{}\" is not supported", *connector))
        .WithHint("The supported sink connector is 'kafka'.");
  }
}

}  // namespace

void ValidateSink(const SinkSpec& spec) {
  CheckConnector(spec);
  ValidateKafkaSink(spec);
}

std::unique_ptr<SinkWriter> CreateSinkWriter(const SinkSpec& spec) {
  CheckConnector(spec);
  return CreateKafkaSinkWriter(spec);
}

}  // namespace freshet::connectors
