// SPDX-License-Identifier: Apache-2.0
// WatermarkTracker: one split advancing row by row, several splits (Kafka partitions) held back by
// the slowest active one, idle splits let go, and the saved state restored.
#include <gtest/gtest.h>

#include "common/serializer.h"
#include "executor/stream/basic_operators.h"

namespace freshet::executor::stream {
namespace {

constexpr int64_t kSecond = 1'000'000;

/// A chunk of insert rows with one TIMESTAMP column.
Chunk Times(std::initializer_list<int64_t> times) {
  Chunk chunk({DataType::Timestamp()});
  for (int64_t time : times) {
    chunk.AppendRow({Value::Int(DataType::Timestamp(), time)}, Op::kInsert);
  }
  return chunk;
}

TEST(WatermarkTrackerTest, OneSplitAdvancesRowByRow) {
  WatermarkTracker tracker(0, /*delay=*/2 * kSecond, /*lateness=*/0);
  std::vector<uint8_t> late;
  // 10 s makes the watermark 8 s, so the 7 s row after it in the same chunk is late.
  EXPECT_EQ(tracker.Classify(Times({10 * kSecond, 7 * kSecond, 9 * kSecond}), late), 1u);
  EXPECT_EQ(late, (std::vector<uint8_t>{0, 1, 0}));
  EXPECT_EQ(tracker.Watermark(), 8 * kSecond);
}

TEST(WatermarkTrackerTest, TheSlowestActiveSplitHoldsTheWatermarkUntilItIsIdle) {
  WatermarkTracker tracker(0, /*delay=*/0, /*lateness=*/0, /*idle_timeout=*/5 * kSecond);
  std::vector<uint8_t> late;
  std::vector<int32_t> splits = {0, 1, 0};
  EXPECT_EQ(tracker.Classify(Times({10 * kSecond, 3 * kSecond, 12 * kSecond}), late, &splits,
                             /*now=*/100 * kSecond),
            0u);
  EXPECT_EQ(tracker.Watermark(), 3 * kSecond);
  // Partition 0 goes on, partition 1 stays quiet: until it has been idle for 5 s it holds the
  // watermark, and a row of partition 1 at 4 s is not late.
  splits = {0, 0};
  tracker.Classify(Times({20 * kSecond, 21 * kSecond}), late, &splits, 103 * kSecond);
  EXPECT_EQ(tracker.Watermark(), 3 * kSecond);
  splits = {1};
  EXPECT_EQ(tracker.Classify(Times({4 * kSecond}), late, &splits, 104 * kSecond), 0u);
  EXPECT_EQ(tracker.Watermark(), 4 * kSecond);
  splits = {0};
  tracker.Classify(Times({22 * kSecond}), late, &splits, 107 * kSecond);
  EXPECT_EQ(tracker.Watermark(), 4 * kSecond);
  // Idle from 104 s: at 109 s partition 1 no longer counts, without any new row (partition 0,
  // active at 107 s, does).
  tracker.Refresh(108 * kSecond);
  EXPECT_EQ(tracker.Watermark(), 4 * kSecond);
  tracker.Refresh(109 * kSecond);
  EXPECT_EQ(tracker.Watermark(), 22 * kSecond);
  // It never goes back, even when partition 1 speaks again with an older (late) time.
  splits = {1, 1};
  EXPECT_EQ(tracker.Classify(Times({5 * kSecond, 30 * kSecond}), late, &splits, 110 * kSecond), 1u);
  EXPECT_EQ(tracker.Watermark(), 22 * kSecond);

  Serializer out;
  tracker.Save(out);
  const std::string saved = std::move(out).Finish();
  WatermarkTracker restored(0, 0, 0, 5 * kSecond);
  Deserializer in(saved);
  restored.Restore(in);
  EXPECT_TRUE(restored.HasWatermark());
  EXPECT_EQ(restored.Watermark(), 22 * kSecond);
  splits = {0};
  restored.Classify(Times({40 * kSecond}), late, &splits, 200 * kSecond);
  // Partition 1's largest time (30 s) was restored and it counts as active again.
  EXPECT_EQ(restored.Watermark(), 30 * kSecond);
}

TEST(WatermarkTrackerTest, AnAssignedSplitHoldsTheWatermarkUntilItDeliversOrIsIdle) {
  WatermarkTracker tracker(0, /*delay=*/0, /*lateness=*/0, /*idle_timeout=*/5 * kSecond);
  std::vector<uint8_t> late;
  tracker.AddSplits({0, 1}, 100 * kSecond);
  std::vector<int32_t> splits = {0};
  tracker.Classify(Times({50 * kSecond}), late, &splits, 101 * kSecond);
  // Split 1 has not delivered: its first rows may be older (a backlog being caught up).
  EXPECT_FALSE(tracker.HasWatermark());
  splits = {1};
  EXPECT_EQ(tracker.Classify(Times({10 * kSecond}), late, &splits, 102 * kSecond), 0u);
  EXPECT_EQ(tracker.Watermark(), 10 * kSecond);
  // A third split assigned later holds it again, until its idle timeout passes.
  tracker.AddSplits({0, 1, 2}, 103 * kSecond);
  splits = {1};
  tracker.Classify(Times({60 * kSecond}), late, &splits, 104 * kSecond);
  EXPECT_EQ(tracker.Watermark(), 10 * kSecond);
  splits = {0, 1};
  tracker.Classify(Times({70 * kSecond, 80 * kSecond}), late, &splits, 108 * kSecond);
  EXPECT_EQ(tracker.Watermark(), 70 * kSecond);
}

TEST(WatermarkTrackerTest, RestoresTheStateOlderVersionsSaved) {
  Serializer out;
  out.WriteBool(true);
  out.WriteI64(10 * kSecond);  // the largest time seen
  const std::string saved = std::move(out).Finish();
  WatermarkTracker tracker(0, /*delay=*/2 * kSecond, /*lateness=*/0);
  Deserializer in(saved);
  tracker.Restore(in);
  EXPECT_EQ(tracker.Watermark(), 8 * kSecond);
  std::vector<uint8_t> late;
  EXPECT_EQ(tracker.Classify(Times({7 * kSecond}), late), 1u);
}

TEST(ScanCountersTest, IdleReadersFollowTheActiveOnesOrTheFurthestWhenAllAreIdle) {
  ScanCounters counters;
  EXPECT_EQ(counters.ActiveShardsWatermark(), std::nullopt);
  counters.PublishShard(0, 10, /*idle=*/false);
  counters.PublishShard(1, std::nullopt, /*idle=*/false);
  // An active reader without a watermark yet holds everything back.
  EXPECT_EQ(counters.ActiveShardsWatermark(), std::nullopt);
  counters.PublishShard(1, 30, /*idle=*/false);
  counters.PublishShard(2, 50, /*idle=*/true);
  EXPECT_EQ(counters.ActiveShardsWatermark(), 10);
  counters.PublishShard(0, 10, /*idle=*/true);
  EXPECT_EQ(counters.ActiveShardsWatermark(), 30);
  counters.PublishShard(1, 30, /*idle=*/true);
  EXPECT_EQ(counters.ActiveShardsWatermark(), 50);
}

}  // namespace
}  // namespace freshet::executor::stream
