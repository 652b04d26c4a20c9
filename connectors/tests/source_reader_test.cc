// SPDX-License-Identifier: Apache-2.0
#include "connectors/source_reader.h"

#include <memory>

#include <gtest/gtest.h>

#include "common/column.h"
#include "common/data_type.h"
#include "connectors/tests/read_rows.h"

namespace freshet::connectors {
namespace {

using testing::ErrorOf;
using testing::MakeSpec;

TEST(SourceReaderTest, DispatchesOnTheConnectorOption) {
  const SourceSpec datagen = MakeSpec({{"connector", "datagen"}, {"datagen.rows.per.second", "0"}},
                                      {{"id", DataType::Bigint()}});
  const SourceSpec nexmark = MakeSpec({{"connector", "Nexmark"}, {"nexmark.table.type", "Bid"}},
                                      {{"price", DataType::Bigint()}});
  for (const SourceSpec* spec : {&datagen, &nexmark}) {
    EXPECT_NO_THROW(ValidateSource(*spec));
    std::unique_ptr<SourceReader> reader = CreateSourceReader(*spec, 0, 1);
    Chunk chunk(spec->column_types);
    EXPECT_EQ(reader->Read(chunk, 10), 10u);
    EXPECT_FALSE(reader->Exhausted());
    EXPECT_EQ(reader->MicrosUntilReady(), 0);
  }
}

TEST(SourceReaderTest, UnknownConnectorsAreNotSupported) {
  const std::vector<std::pair<std::string, DataType>> columns = {{"id", DataType::Bigint()}};
  EXPECT_EQ(ErrorOf([&] {
              ValidateSource(MakeSpec({{"connector", "pulsar"}, {"topic", "t"}}, columns));
            }),
            "0A000: connector \"pulsar\" is not supported");
  EXPECT_EQ(ErrorOf([&] {
              ValidateSource(MakeSpec({{"connector", "x"}}, columns));
            }),
            "0A000: connector \"x\" is not supported");
  EXPECT_EQ(ErrorOf([&] {
              CreateSourceReader(MakeSpec({{"connector", "x"}}, columns), 0, 1);
            }),
            "0A000: connector \"x\" is not supported");
  EXPECT_EQ(ErrorOf([&] { ValidateSource(MakeSpec({}, columns)); }),
            "22023: option \"connector\" is required");
}

TEST(SourceReaderTest, ShardOutsideTheShardCountIsAnInternalError) {
  const SourceSpec spec = MakeSpec({{"connector", "datagen"}}, {{"id", DataType::Bigint()}});
  EXPECT_EQ(ErrorOf([&] { CreateSourceReader(spec, 2, 2); }).substr(0, 5), "XX000");
  EXPECT_EQ(ErrorOf([&] { CreateSourceReader(spec, 0, 0); }).substr(0, 5), "XX000");
}

}  // namespace
}  // namespace freshet::connectors
