// preview_resize and resize_limit against hand-worked numbers from ONDISK.md
// 9.7 and the raid1 resize seen under qemu (9.9): 256 MiB members, 128-sector
// chunks, 256 reserved sectors.
#include <gtest/gtest.h>

#include "engine/resize.hpp"
#include "llbmp/error.hpp"

using namespace llbmp;

namespace {

constexpr std::uint8_t U = 0, C = 1, D = 2, N = 3;
constexpr std::uint64_t k128M = 262144;      // sectors
constexpr std::uint64_t kMax256M = 522240;   // data_size of a 256 MiB member (data_offset 2048)
constexpr std::uint64_t k96M = 196608;

ResizeRequest request(KernelSeries k, std::uint64_t old_sync, std::uint64_t new_sync, const std::vector<std::uint8_t>& area) {
  ResizeRequest r;
  r.kernel = k;
  r.chunk_sectors = 128;
  r.room_sectors = 256;
  r.old_sync_sectors = old_sync;
  r.new_sync_sectors = new_sync;
  r.area_states = area;
  return r;
}

}  // namespace

TEST(Resize, LimitIsRoomTimes512ChunksOfTheChunk) {
  const auto l = resize_limit(128, 256);
  EXPECT_EQ(l.max_chunks, 131072u);
  EXPECT_EQ(l.max_sync_sectors, 16777216u);  // 8 GiB
  EXPECT_EQ(resize_limit(256, 256).max_sync_sectors, 33554432u);
  EXPECT_EQ(resize_limit(128, 8).max_chunks, 4096u);
}

// 9.9: --size=128M then --grow --size=max: 2048 -> 4080 chunks, the new ones
// Unwritten, the Dirty ones Clean (the daemon pass before the resize).
TEST(Resize, Raid1GrowToMax73) {
  std::vector<std::uint8_t> area(2048, C);
  area[5] = D;
  area[6] = D;
  area[7] = N;
  area.resize(4096, 0xff);  // what lies past the old count does not matter to 7.3
  const auto out = preview_resize(request(KernelSeries::linux_7_3, k128M, kMax256M, area));
  EXPECT_EQ(out.refusal, ResizeRefusal::none);
  EXPECT_EQ(out.old_chunks, 2048u);
  EXPECT_EQ(out.new_chunks, 4080u);
  EXPECT_EQ(out.header_sync_sectors, kMax256M);
  ASSERT_TRUE(out.set_unwritten);
  EXPECT_EQ(out.set_unwritten->first, 2048u);
  EXPECT_EQ(out.set_unwritten->last, 4079u);
  EXPECT_FALSE(out.zeroed);
  EXPECT_EQ(out.daemon_cleaned, 2u);
  EXPECT_EQ(out.counts.of(State::Unwritten), 2032u);
  EXPECT_EQ(out.counts.of(State::Clean), 2047u);
  EXPECT_EQ(out.counts.of(State::NeedSync), 1u);
  EXPECT_FALSE(out.in_memory_only);
}

// 9.9: shrunk to 96M: 1536 chunks, header sync_size 196608, [1536, 4080) zeroed.
TEST(Resize, Raid1Shrink73) {
  const std::vector<std::uint8_t> area(4080, C);
  const auto out = preview_resize(request(KernelSeries::linux_7_3, kMax256M, k96M, area));
  EXPECT_EQ(out.new_chunks, 1536u);
  EXPECT_EQ(out.header_sync_sectors, k96M);
  ASSERT_TRUE(out.zeroed);
  EXPECT_EQ(out.zeroed->first, 1536u);
  EXPECT_EQ(out.zeroed->last, 4079u);
  EXPECT_EQ(out.states.size(), 1536u);
}

// A shrink within the last chunk keeps the count: nothing is cleared, the header follows.
TEST(Resize, ShrinkWithinTheLastChunkClearsNothing) {
  const std::vector<std::uint8_t> area(2048, D);
  const auto out = preview_resize(request(KernelSeries::linux_7_3, k128M, k128M - 64, area));
  EXPECT_TRUE(out.changed);
  EXPECT_EQ(out.new_chunks, 2048u);
  EXPECT_FALSE(out.zeroed);
  EXPECT_FALSE(out.set_unwritten);
  EXPECT_EQ(out.header_sync_sectors, k128M - 64);
}

TEST(Resize, SameSizeChangesNothing) {
  const std::vector<std::uint8_t> area(2048, D);
  const auto out = preview_resize(request(KernelSeries::linux_7_3, k128M, k128M, area));
  EXPECT_FALSE(out.changed);
  EXPECT_EQ(out.daemon_cleaned, 0u);
  EXPECT_EQ(out.counts.of(State::Dirty), 2048u);
}

TEST(Resize, DegradedDaemonPassLeavesDirty) {
  const std::vector<std::uint8_t> area(2048, D);
  auto r = request(KernelSeries::linux_7_3, k128M, kMax256M, area);
  r.degraded = true;
  const auto out = preview_resize(r);
  EXPECT_EQ(out.daemon_cleaned, 0u);
  EXPECT_EQ(out.counts.of(State::Dirty), 2048u);
}

// 9.7.2: one sector past 8 GiB needs a 256-sector chunk: EOPNOTSUPP on 7.3;
// exactly 8 GiB is accepted with 131072 chunks.
TEST(Resize, PastTheLimitRefused73) {
  const std::vector<std::uint8_t> area(2048, C);
  const auto past = preview_resize(request(KernelSeries::linux_7_3, k128M, 16777217, area));
  EXPECT_EQ(past.refusal, ResizeRefusal::eopnotsupp);
  EXPECT_EQ(past.new_chunks, 0u);
  const auto at = preview_resize(request(KernelSeries::linux_7_3, k128M, 16777216, area));
  EXPECT_EQ(at.refusal, ResizeRefusal::none);
  EXPECT_EQ(at.new_chunks, 131072u);
}

TEST(Resize, Raid10DuringReshapeBusy) {
  const std::vector<std::uint8_t> area(2048, C);
  auto r = request(KernelSeries::linux_7_3, k128M, kMax256M, area);
  r.reshape_running = true;
  r.refused_during_reshape = true;
  EXPECT_EQ(preview_resize(r).refusal, ResizeRefusal::ebusy);
  r.refused_during_reshape = false;  // raid1/4/5/6 do not ask
  EXPECT_EQ(preview_resize(r).refusal, ResizeRefusal::none);
}

// 9.7.5: 7.2.13 past the limit doubles the chunk in memory (256 sectors,
// 65537 chunks) and writes nothing; the bytes stay and are reinterpreted.
TEST(Resize, PastTheLimit72DoublesInMemory) {
  std::vector<std::uint8_t> area(2048, C);
  area.resize(4096 - 1024, 0xff);
  const auto out = preview_resize(request(KernelSeries::linux_7_2, k128M, 16777217, area));
  EXPECT_EQ(out.refusal, ResizeRefusal::none);
  EXPECT_TRUE(out.in_memory_only);
  EXPECT_EQ(out.chunk_sectors, 256u);
  EXPECT_TRUE(out.chunk_doubled);
  EXPECT_EQ(out.new_chunks, 65537u);
  EXPECT_FALSE(out.set_unwritten);
  // 2048 chunks use page 0 alone (1024 + 2048 bytes <= 4096): 3072 state bytes held.
  EXPECT_EQ(out.chunks_past_pages, 65537u - 3072u);
  EXPECT_EQ(out.states.size(), 3072u);
  EXPECT_EQ(out.counts.of(State::Clean), 2048u);
  EXPECT_EQ(out.counts.invalid, 1024u);  // 0xff: NeedSync at the next Reload
}

// 7.2.13 grow within the limit: the chunk stays, new chunks keep the bytes of
// the pages held; the chunks past them have no byte in memory.
TEST(Resize, Grow72KeepsTheBytes) {
  std::vector<std::uint8_t> area(2048, C);
  area.resize(4080, U);
  area[3000] = 0xff;
  const auto out = preview_resize(request(KernelSeries::linux_7_2, k128M, kMax256M, area));
  EXPECT_EQ(out.chunk_sectors, 128u);
  EXPECT_FALSE(out.chunk_doubled);
  EXPECT_EQ(out.new_chunks, 4080u);
  EXPECT_EQ(out.chunks_past_pages, 4080u - 3072u);  // page 1 is not added
  EXPECT_EQ(out.states.size(), 3072u);
  EXPECT_EQ(out.counts.of(State::Unwritten), 1023u);
  EXPECT_EQ(out.counts.invalid, 1u);
  EXPECT_EQ(out.daemon_cleaned, 0u);
}

// The resync md starts after a grow, as 7.2.13 ran it under qemu (raid1,
// 128M -> 180M, FINDINGS.md): the grown chunks over mdadm's 0xFF fill are
// forced to NeedSync and not synced; a NeedSync chunk is synced, then Clean
// after the daemon, below the old end too (md starts the resync at 0).
TEST(Resize, GrowResyncForcesTheFillAndSyncsNeedSync72) {
  std::vector<std::uint8_t> area(2048, U);
  area[0] = D;
  area[100] = N;                  // below the old end: synced too
  area.resize(3072, 0xff);        // mdadm's fill to the end of page 0
  area[2100] = N;
  const auto out = preview_resize(request(KernelSeries::linux_7_2, k128M, 368640, area));  // 180M: 2880 chunks
  ASSERT_TRUE(out.resync.runs);
  EXPECT_EQ(out.resync.from_chunk, 0u);
  ASSERT_EQ(out.resync.synced.size(), 2u);
  EXPECT_EQ(out.resync.synced[0].first, 100u);
  EXPECT_EQ(out.resync.synced[1].first, 2100u);
  EXPECT_EQ(out.resync.synced_chunks, 2u);
  ASSERT_EQ(out.resync.forced.size(), 2u);
  EXPECT_EQ(out.resync.forced[0].first, 2048u);
  EXPECT_EQ(out.resync.forced[0].last, 2099u);
  EXPECT_EQ(out.resync.forced[1].first, 2101u);
  EXPECT_EQ(out.resync.forced[1].last, 2879u);
  EXPECT_EQ(out.resync.forced_chunks, 831u);
  EXPECT_EQ(out.resync.end.of(State::NeedSync), 831u);  // the forced ones
  EXPECT_EQ(out.resync.end.of(State::Clean), 3u);       // chunk 0 (daemon), 100 and 2100 (synced)
  EXPECT_EQ(out.resync.end.invalid, 0u);
}

// 7.3 grows Unwritten chunks: the resync after the grow has nothing to sync;
// a shrink or a degraded array starts none.
TEST(Resize, GrowResync73SkipsTheGrownChunks) {
  std::vector<std::uint8_t> area(2048, C);
  area[5] = D;
  area.resize(4080, 0xff);
  const auto grown = preview_resize(request(KernelSeries::linux_7_3, k128M, kMax256M, area));
  ASSERT_TRUE(grown.resync.runs);
  EXPECT_EQ(grown.resync.synced_chunks, 0u);
  EXPECT_EQ(grown.resync.forced_chunks, 0u);
  EXPECT_EQ(grown.resync.end.of(State::Clean), 2048u);
  EXPECT_EQ(grown.resync.end.of(State::Unwritten), 4080u - 2048u);
  EXPECT_FALSE(preview_resize(request(KernelSeries::linux_7_3, k128M, k96M, area)).resync.runs);
  auto degraded = request(KernelSeries::linux_7_3, k128M, kMax256M, area);
  degraded.degraded = true;
  EXPECT_FALSE(preview_resize(degraded).resync.runs);
}

TEST(Resize, BadRequestsNameTheField) {
  const std::vector<std::uint8_t> area(10, C);
  try {
    preview_resize(request(KernelSeries::linux_7_3, k128M, kMax256M, area));
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.field(), "area_states");
    EXPECT_EQ(e.kind(), ErrorKind::bad_value);
  }
  auto r = request(KernelSeries::linux_7_3, 1280, 0, area);
  EXPECT_THROW(preview_resize(r), Error);
}

// 9.7.1: raid5 rounds the member size down to its chunk; raid1 and raid10
// (whose argument is already the array size) pass it on.
TEST(Resize, PersonalityRounding) {
  EXPECT_EQ(personality_resize_sectors(5, 522240 + 100, 1024), 522240u);
  EXPECT_EQ(personality_resize_sectors(6, 1023, 1024), 0u);
  EXPECT_EQ(personality_resize_sectors(1, 522340, 1024), 522340u);
  EXPECT_EQ(personality_resize_sectors(10, 522340, 1024), 522340u);
  EXPECT_EQ(personality_resize_sectors(5, 522340, 0), 522340u);
}
