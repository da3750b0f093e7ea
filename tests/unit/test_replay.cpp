// replay_resync on generated members: hand-worked cases for every sync kind,
// an interrupted sync, a stale bitmap, a degraded array, raid5's lazy
// recovery, and the kernel's coalescing at Endsync (the case the real kernel
// showed in tests/kernel/scenarios/raid1-crash).
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "llbmp/builder.hpp"
#include "llbmp/member.hpp"
#include "llbmp/replay.hpp"

using namespace llbmp;
namespace fs = std::filesystem;

namespace {

class Replay : public ::testing::Test {
protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("llbitmap-replay-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    spec_.member_bytes = 256ull << 20;
    spec_.assume_clean = true;
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Members of spec_ with the given chunk states set on every one of them.
  std::vector<Member> members(const std::vector<std::pair<std::uint64_t, State>>& states) {
    std::vector<Member> out;
    for (std::uint32_t role = 0; role < spec_.raid_disks; ++role) {
      if (role < spec_.missing.size() && spec_.missing[role]) continue;
      auto meta = build_member(spec_, role);
      for (const auto& [chunk, state] : states) meta.bitmap_area[kStateOffset + chunk] = static_cast<std::uint8_t>(state);
      const std::string path = (dir_ / ("m" + std::to_string(role))).string();
      write_member_image(path, meta, spec_.member_bytes);
      out.push_back(load_member(path));
    }
    return out;
  }
  static std::uint64_t count(const ReplayResult& r, Stage stage, State s) {
    return r.counts[static_cast<std::size_t>(stage)].of(s);
  }

  fs::path dir_;
  ArraySpec spec_;
};

TEST_F(Replay, DirtyChunksAreReloadedAndResynced) {
  // Chunks 0 and 600 lie in different 512-byte blocks: no coalescing.
  const auto m = members({{0, State::Dirty}, {600, State::Dirty}});
  const auto r = replay_resync(m, {});
  EXPECT_TRUE(r.sync_runs);
  EXPECT_EQ(r.synced_chunks, 2u);
  ASSERT_EQ(r.synced.size(), 2u);
  EXPECT_EQ(r.synced[1].first_sector, 600 * r.chunk_sectors);
  EXPECT_EQ(count(r, Stage::loaded, State::NeedSync), 2u);
  EXPECT_EQ(count(r, Stage::walked, State::Syncing), 2u);
  EXPECT_EQ(count(r, Stage::settled, State::Dirty), 0u);
}

TEST_F(Replay, EndsyncCoalescesOnlyBlocksStillPendingAfterTheSuperblockWrite) {
  // Chunk 0 is in page 0 (written with the superblock at assembly); chunk 3500
  // in page 1, whose block is still pending when Endsync makes it Dirty.
  const auto r = replay_resync(members({{0, State::Dirty}, {3500, State::Dirty}}), {});
  EXPECT_EQ(count(r, Stage::ended, State::Dirty), 1u + 512u);
}

TEST_F(Replay, ReloadOfTwoDirtyChunksInOneBlockCoalescesTheBlock) {
  // Chunk 0 becomes NeedSync while chunk 20 of its block is still Dirty: the
  // block's Clean chunks become Dirty, and Reload turns them into NeedSync.
  const auto r = replay_resync(members({{0, State::Dirty}, {20, State::Dirty}}), {});
  EXPECT_EQ(count(r, Stage::loaded, State::NeedSync), 512u);
}

TEST_F(Replay, InterruptedSyncLeavesTheRestNeedSync) {
  const auto m = members({{600, State::Dirty}, {1200, State::Dirty}, {1700, State::Dirty}});
  ReplayOptions o;
  o.interrupt_at = 1200 * 128 + 5;  // inside chunk 1200
  const auto r = replay_resync(m, o);
  EXPECT_EQ(r.synced_chunks, 1u);
  EXPECT_EQ(count(r, Stage::ended, State::NeedSync), 2u);
  EXPECT_EQ(count(r, Stage::settled, State::NeedSync), 2u);
}

TEST_F(Replay, RequestedCheckSyncsCleanChunksButNotUnwritten) {
  spec_.assume_clean = false;
  const auto r = replay_resync(members({{0, State::Clean}, {1, State::Dirty}}), {.kind = SyncKind::requested});
  EXPECT_EQ(r.synced_chunks, 2u);
}

TEST_F(Replay, StaleBitmapResyncsEveryWrittenChunk) {
  ReplayOptions o;
  o.stale = true;
  const auto r = replay_resync(members({}), o);
  EXPECT_TRUE(r.stale);
  EXPECT_EQ(r.synced_chunks, r.chunks);
}

TEST_F(Replay, DegradedArrayDoesNotResyncButARecoverySyncsDirtyAndNeedSync) {
  spec_.missing = {false, true};
  const auto m = members({{4, State::Dirty}, {8, State::NeedSync}});
  const auto none = replay_resync(m, {});
  EXPECT_TRUE(none.degraded);
  EXPECT_FALSE(none.sync_runs);
  const auto rec = replay_resync(m, {.kind = SyncKind::recover});
  EXPECT_EQ(rec.synced_chunks, 2u);
  EXPECT_EQ(count(rec, Stage::ended, State::Dirty), 2u);
  EXPECT_EQ(count(rec, Stage::settled, State::Dirty), 0u);
  const auto fresh = replay_resync(m, {.kind = SyncKind::new_disk});
  EXPECT_EQ(fresh.synced_chunks, fresh.chunks);
}

TEST_F(Replay, Raid5NeedSyncRunsALazyRecovery) {
  spec_.level = 5;
  spec_.raid_disks = 3;
  spec_.layout = 2;
  spec_.member_bytes = 128ull << 20;
  spec_.assume_clean = false;
  const auto r = replay_resync(members({{7, State::NeedSync}}), {});
  EXPECT_TRUE(r.lazy_recovery);
  EXPECT_EQ(r.synced_chunks, 1u);
}

TEST_F(Replay, TraceRunsGroupChunksWithTheSameHistory) {
  const auto r = replay_resync(members({{0, State::Dirty}, {1, State::Dirty}}), {});
  const auto runs = trace_runs(r);
  ASSERT_FALSE(runs.empty());
  EXPECT_EQ(runs[0].first, 0u);
  EXPECT_EQ(runs[0].last, 1u);
  EXPECT_EQ(runs[0].states[static_cast<std::size_t>(Stage::walked)], static_cast<std::uint8_t>(State::Syncing));
}

TEST_F(Replay, KernelLoadsTheFreshestLowestRole) {
  const auto m = members({});
  EXPECT_EQ(kernel_source_member(m), 0u);
}

}  // namespace
