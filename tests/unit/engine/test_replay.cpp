// replay_bytes against hand-worked cases (ONDISK.md section 5 and the kernel
// observation of tests/kernel/scenarios/raid1-crash).
#include <gtest/gtest.h>

#include "inspect/replay_members.hpp"
#include "write/replay_commit.hpp"

using namespace llbmp;

namespace {

constexpr std::uint8_t U = 0, C = 1, D = 2, N = 3, S = 4, NU = 5, SU = 6, CU = 7;

ReplayGeometry geometry(std::uint64_t chunks) {
  ReplayGeometry g;
  g.chunk_sectors = 128;
  g.chunks = chunks;
  g.sync_sectors = chunks * 128;
  g.data_offset = 2048;
  return g;
}

ReplayResult replay(std::vector<std::uint8_t> bytes, ReplaySetup s = {}) {
  const auto chunks = bytes.size();
  return replay_bytes(std::move(bytes), geometry(chunks), s);
}

std::vector<std::uint64_t> synced(const ReplayResult& r) {
  std::vector<std::uint64_t> out;
  for (const auto& p : r.plan)
    for (auto c = p.first_chunk; c <= p.last_chunk; ++c) out.push_back(c);
  return out;
}

}  // namespace

// The real kernel: 514 chunks synced, then 1025 Dirty: chunk 3500's block
// (page 1) was still pending from Reload and coalesces at Endsync; page 0's
// blocks were written by the superblock update.
TEST(Replay, KernelRaid1Crash) {
  std::vector<std::uint8_t> b(4080, C);
  b[0] = D;
  for (int i = 512; i < 1024; ++i) b[i] = D;
  b[3500] = D;
  const auto r = replay(b);
  EXPECT_EQ(r.synced_chunks, 514u);
  EXPECT_EQ(r.after_load.of(State::NeedSync), 514u);
  EXPECT_EQ(r.after_sync.of(State::Dirty), 1025u);
  EXPECT_EQ(r.after_sync.of(State::Clean), 3055u);
  EXPECT_EQ(r.end.of(State::Clean), 4080u);
  ASSERT_EQ(r.plan.size(), 3u);
  EXPECT_EQ(r.plan[1].first_sector, 512u * 128);
  EXPECT_EQ(r.plan[1].end_sector, 1024u * 128);
  EXPECT_EQ(*r.plan[1].member_first_byte, (2048u + 512u * 128) * 512);
}

// A flush every daemon_sleep seconds of syncing (llbitmap_cond_end_sync)
// clears the pending blocks: no coalescing at the end then.
TEST(Replay, PeriodicFlushClearsPending) {
  std::vector<std::uint8_t> b(4080, C);
  b[0] = D;
  b[3500] = D;
  ReplaySetup s;
  s.speed_kib = 1;  // 64 s per chunk, above daemon_sleep
  s.kernel = KernelSeries::linux_7_3;
  const auto r = replay(b, s);
  EXPECT_EQ(r.synced_chunks, 2u);
  EXPECT_GE(r.periodic_flushes, 1u);
  EXPECT_EQ(r.after_sync.of(State::Dirty), 2u);
  // 7.2 ends the chunk being synced at that flush, before the flush: raid1
  // does not copy it, and its block, still pending from Reload, coalesces.
  s.kernel = KernelSeries::linux_7_2;
  const auto old = replay(b, s);
  EXPECT_EQ(old.synced_chunks, 2u);
  EXPECT_EQ(old.uncopied, std::vector<std::uint64_t>{3500});
  EXPECT_EQ(old.after_sync.of(State::Dirty), 2u + 511u);
  const auto fast = replay(b);
  EXPECT_EQ(fast.after_sync.of(State::Dirty), 2u + 511u);
}

// One chunk of interest per 512-byte block, all in page 0: no coalescing.
std::vector<std::uint8_t> spread(const std::vector<std::uint8_t>& states) {
  std::vector<std::uint8_t> b(states.size() * 512, U);
  for (std::size_t i = 0; i < states.size(); ++i) b[i * 512] = states[i];
  return b;
}

TEST(Replay, ResyncSkipsCleanDirtyAndUnwritten) {
  const auto r = replay(spread({U, C, N, S, CU, D}));
  EXPECT_EQ(synced(r), (std::vector<std::uint64_t>{2 * 512, 3 * 512, 5 * 512}));
  EXPECT_EQ(r.after_sync.of(State::Dirty), 3u);
}

// In one block, chunk 3's Reload to NeedSync finds chunk 2 NeedSync and
// coalesces the block: chunks 0, 1 become Dirty (Reload has passed them),
// chunk 4 Dirty and then NeedSync.
TEST(Replay, ResyncWithReloadCoalescing) {
  const auto r = replay({U, C, N, S, CU});
  EXPECT_EQ(synced(r), (std::vector<std::uint64_t>{2, 3, 4}));
  EXPECT_EQ(r.kind, SyncKind::resync);
  EXPECT_TRUE(r.sync_wanted);
}

TEST(Replay, NothingWantedOnCleanMembers) {
  const auto r = replay({C, C, U});
  EXPECT_TRUE(r.plan.empty());
  EXPECT_FALSE(r.sync_wanted);
  EXPECT_EQ(r.end.of(State::Clean), 2u);
}

TEST(Replay, RequestedProcessesCleanChunks) {
  ReplaySetup s;
  s.kind = SyncKind::requested;
  const auto r = replay({C, U, N, CU}, s);
  EXPECT_EQ(synced(r), (std::vector<std::uint64_t>{0, 2}));
}

TEST(Replay, StaleSyncsEverythingWritten) {
  ReplaySetup s;
  s.stale = true;
  const auto r = replay({C, C, U, D}, s);
  // Chunk 0's NeedSync sees chunk 3 Dirty: the Unwritten chunk 2 is coalesced too.
  EXPECT_EQ(synced(r), (std::vector<std::uint64_t>{0, 1, 2, 3}));
  EXPECT_EQ(r.end.of(State::Clean), 4u);
  const auto apart = replay(spread({C, U, D}), s);
  EXPECT_EQ(synced(apart), (std::vector<std::uint64_t>{0, 2 * 512}));
}

// A degraded raid1 of three mirrors with two left, after an unclean shutdown
// (md's resync_offset below the end): md resyncs under the degraded rules.
ReplaySetup degraded_unclean(std::int32_t level, std::vector<bool> roles) {
  ReplaySetup s;
  s.level = level;
  s.degraded = true;
  s.unclean = true;
  s.roles_working = std::move(roles);
  return s;
}

TEST(Replay, DegradedSyncsDirtyAndKeepsIt) {
  const auto r = replay({C, N, U, C}, degraded_unclean(1, {true, true, false}));
  EXPECT_EQ(r.degraded_resync, DegradedResync::degraded_rules);
  // Reload leaves Clean alone; NeedSync syncs; Dirty would too (none here after Reload).
  EXPECT_EQ(synced(r), (std::vector<std::uint64_t>{1}));
  EXPECT_EQ(r.end.of(State::Dirty), 1u);  // no daemon while degraded
}

TEST(Replay, DegradedStartsyncOnDirty) {
  // A Dirty chunk survives Reload only as NeedSync; check the degraded
  // Startsync rule through a stale-free walk of a Syncing chunk instead.
  const auto r = replay({S, D}, degraded_unclean(1, {true, true, false}));
  EXPECT_EQ(r.after_load.of(State::NeedSync), 2u);
  EXPECT_EQ(r.synced_chunks, 2u);
}

// llbitmap_state_machine asks for a sync only while the array is not
// degraded: with md's superblock clean no sync thread starts at all.
TEST(Replay, DegradedCleanArrayStartsNoSync) {
  ReplaySetup s;
  s.degraded = true;
  s.roles_working = {true, false};
  const auto r = replay({C, N, U, D}, s);
  EXPECT_FALSE(r.sync_wanted);
  EXPECT_EQ(r.synced_chunks, 0u);
  EXPECT_EQ(r.started_chunks, 0u);
  EXPECT_EQ(r.end.of(State::NeedSync), 2u);  // the Reload result stays
  EXPECT_EQ(r.end.of(State::Clean), 1u);
}

// raid1_run forgets an unclean shutdown when one mirror is left: no sync. A
// check asked for does start: raid1_sync_request runs the bitmap's
// start_sync first, then finds no mirror to write and skips the rest.
TEST(Replay, OneMirrorLeftSyncsNothing) {
  const auto unclean = replay({C, N, U, N}, degraded_unclean(1, {true, false}));
  EXPECT_TRUE(unclean.single_mirror);
  EXPECT_FALSE(unclean.sync_wanted);
  EXPECT_EQ(unclean.started_chunks, 0u);
  EXPECT_EQ(unclean.end.of(State::NeedSync), 2u);
  ReplaySetup check;
  check.degraded = true;
  check.kind = SyncKind::requested;
  check.roles_working = {true, false};
  const auto r = replay({C, N, U, N}, check);
  EXPECT_TRUE(r.sync_wanted);
  EXPECT_EQ(r.degraded_resync, DegradedResync::no_write_target);
  EXPECT_EQ(r.synced_chunks, 0u);
  EXPECT_EQ(r.synced_bytes(), 0u);
  EXPECT_EQ(r.started_chunks, 1u);           // chunk 0: processed whatever Startsync gives, then nothing to write
  EXPECT_EQ(r.end.of(State::NeedSync), 2u);  // never reached
  EXPECT_EQ(r.end.of(State::Clean), 1u);
}

// raid5_run refuses a dirty degraded raid5; a clean one with a check asked
// for gives up in raid5_sync_request before the bitmap is asked.
TEST(Replay, Raid5MissingAMemberSyncsNothing) {
  const auto dirty = replay({N, D, C}, degraded_unclean(5, {true, true, false}));
  EXPECT_TRUE(dirty.dirty_degraded);
  EXPECT_FALSE(dirty.sync_wanted);
  EXPECT_EQ(dirty.synced_chunks, 0u);
  EXPECT_EQ(dirty.end.of(State::NeedSync), 2u);
  ReplaySetup check;
  check.level = 5;
  check.degraded = true;
  check.kind = SyncKind::requested;
  check.roles_working = {true, false, true};
  const auto r = replay({N, D, C}, check);
  EXPECT_EQ(r.degraded_resync, DegradedResync::not_started);
  EXPECT_EQ(r.started_chunks, 0u);
  EXPECT_EQ(r.synced_bytes(), 0u);
  // raid6 missing one keeps a parity: the degraded rules.
  EXPECT_EQ(replay({N}, degraded_unclean(6, {true, true, true, false})).degraded_resync, DegradedResync::degraded_rules);
  EXPECT_EQ(replay({N}, degraded_unclean(6, {true, true, false, false})).degraded_resync, DegradedResync::not_started);
}

// raid10 near=2 on four members, member 3 missing: md chunk c is on members
// 2c % 4 and 2c % 4 + 1, so odd md chunks have one copy left.
TEST(Replay, Raid10SyncsOnlyTheRegionsWithTwoCopies) {
  auto s = degraded_unclean(10, {true, true, true, false});
  s.layout = 0x102;
  s.md_chunk_sectors = 256;  // two bitmap chunks per md chunk
  const auto r = replay({N, N, N, N, N, N}, s);
  EXPECT_EQ(r.degraded_resync, DegradedResync::two_copies_only);
  EXPECT_EQ(synced(r), (std::vector<std::uint64_t>{0, 1, 4, 5}));
  EXPECT_EQ(r.started_chunks, 6u);
  EXPECT_EQ(r.end.of(State::Dirty), 6u);  // every started chunk ends Dirty
  s.md_chunk_sectors = 64;                // two md chunks per bitmap chunk: half of each synced
  const auto half = replay({N, N}, s);
  EXPECT_EQ(half.synced_chunks, 2u);
  EXPECT_EQ(half.synced_sectors, 128u);
}

TEST(Replay, InterruptAbortsFromTheStopChunk) {
  ReplaySetup s;
  s.interrupt_at = 2 * 128 + 5;  // inside chunk 2
  const auto r = replay({N, N, N, N}, s);
  EXPECT_EQ(synced(r), (std::vector<std::uint64_t>{0, 1}));
  ASSERT_TRUE(r.interrupt_chunk);
  EXPECT_EQ(*r.interrupt_chunk, 2u);
  EXPECT_EQ(r.after_sync.of(State::NeedSync), 2u);
  EXPECT_EQ(r.end.of(State::Clean), 2u);
  EXPECT_EQ(r.end.of(State::NeedSync), 2u);
}

TEST(Replay, Raid5LazyRecovery) {
  ReplaySetup s;
  s.level = 5;
  s.kind = SyncKind::automatic;
  const auto r = replay({C, N, D, U}, s);
  EXPECT_EQ(r.kind, SyncKind::lazy);
  // Reload: Dirty -> NeedSync coalesces the block (Unwritten -> NeedSync on
  // raid5, Clean -> Dirty); the Dirty chunk 0 is visited but Startsync leaves it.
  EXPECT_EQ(synced(r), (std::vector<std::uint64_t>{1, 2, 3}));
  const auto apart = replay(spread({C, N, D, U}), s);
  EXPECT_EQ(synced(apart), (std::vector<std::uint64_t>{512, 2 * 512}));
}

TEST(Replay, UnwrittenVariantsAtReload) {
  ReplaySetup s;
  s.level = 5;
  const auto r = replay({NU, SU, CU, C}, s);
  EXPECT_EQ(r.after_load.of(State::Unwritten), 2u);
  EXPECT_EQ(r.after_load.of(State::CleanUnwritten), 1u);
  EXPECT_TRUE(r.plan.empty());
}

TEST(Replay, RecoverClearsUnwrittenWhenChunkZeroIsVisited) {
  ReplaySetup s;
  s.level = 5;
  s.kind = SyncKind::recover;
  const auto r = replay({C, CU, D, U}, s);
  EXPECT_EQ(synced(r), (std::vector<std::uint64_t>{0, 2}));
  EXPECT_EQ(r.end.of(State::CleanUnwritten), 0u);
  EXPECT_EQ(r.end.of(State::Unwritten), 2u);
}

TEST(Replay, RecoverKeepsCleanUnwrittenWhenChunkZeroIsSkipped) {
  ReplaySetup s;
  s.level = 5;
  s.kind = SyncKind::recover;
  const auto r = replay({CU, C, CU}, s);
  EXPECT_EQ(synced(r), (std::vector<std::uint64_t>{1}));
  EXPECT_EQ(r.end.of(State::CleanUnwritten), 2u);
}

TEST(Replay, ReaddSyncsOnlyWhatStartsyncMarks) {
  ReplaySetup s;
  s.kind = SyncKind::readd;
  const auto r = replay({C, N, D, U}, s);
  // Degraded during the recovery: Reload makes Dirty NeedSync, Clean is not synced.
  EXPECT_EQ(synced(r), (std::vector<std::uint64_t>{1, 2}));
  EXPECT_EQ(r.end.of(State::Clean), 3u);  // whole again afterwards: the daemon runs
}

TEST(Replay, InvalidByteForcedToNeedSync) {
  const auto r = replay({C, 0x20, C});
  EXPECT_EQ(synced(r), (std::vector<std::uint64_t>{1}));
}

TEST(Replay, TracePaths) {
  ReplaySetup s;
  s.trace = true;
  const auto r = replay({D, U}, s);
  ASSERT_EQ(r.trace.size(), 2u);
  EXPECT_EQ(r.trace[0].path, "dirty -reload-> need_sync -startsync-> syncing -endsync-> dirty -daemon-> clean");
  EXPECT_EQ(r.trace[1].path, "unwritten");
}

TEST(Replay, ShareAndTime) {
  const auto r = replay({N, C, C, C});
  EXPECT_DOUBLE_EQ(r.share(), 0.25);
  EXPECT_DOUBLE_EQ(r.seconds_at(64), 1.0);
  EXPECT_EQ(r.synced_bytes(), 65536u);
}

namespace {

// Issue 17's crash on the real kernel (7.2.13 and 7.3): raid1, 514 Dirty
// chunks at the reset: block 3 (chunks 1536-2047) full, chunks 3200 and 4079
// each alone in a block of Unwritten ones.
std::vector<std::uint8_t> late_crash_bytes() {
  std::vector<std::uint8_t> b(4080, U);
  for (int i = 1536; i < 2048; ++i) b[i] = D;
  b[3200] = D;
  b[4079] = D;
  return b;
}

ReplaySetup on_kernel(KernelSeries k) {
  ReplaySetup s;
  s.kernel = k;
  return s;
}

}  // namespace

// The first chunk synced is not chunk 0, so the first llbitmap_cond_end_sync
// already flushes: no block is pending at llbitmap_close_sync, the Endsync
// coalesces nothing, and exactly the 514 synced chunks are Dirty, then Clean.
TEST(Replay, FirstFlushAtTheFirstSyncedChunkPastZero) {
  for (const auto k : kKernelSeries) {
    const auto r = replay(late_crash_bytes(), on_kernel(k));
    SCOPED_TRACE(std::string(kernel_series_name(k)));
    EXPECT_EQ(r.kernel, k);
    EXPECT_EQ(r.after_load.of(State::NeedSync), 514u);
    EXPECT_EQ(r.started_chunks, 514u);
    EXPECT_EQ(r.after_sync.of(State::Dirty), 514u);
    EXPECT_EQ(r.after_sync.of(State::Unwritten), 4080u - 514u);
    EXPECT_EQ(r.end.of(State::Clean), 514u);
    EXPECT_EQ(r.end.of(State::Unwritten), 4080u - 514u);
    EXPECT_EQ(r.periodic_flushes, 1u);
  }
}

// Linux 6.18 and 7.2 end [0, chunk] at that flush: the chunk being synced is
// made Dirty before raid1 copies it; 7.3 ends only the chunks passed.
TEST(Replay, PeriodicEndsyncOfTheCurrentChunkLosesItsCopyOnRaid1) {
  const auto old = replay(late_crash_bytes(), on_kernel(KernelSeries::linux_7_2));
  EXPECT_EQ(old.uncopied, std::vector<std::uint64_t>{1536});
  EXPECT_EQ(old.synced_chunks, 514u);  // md counts it as synced
  EXPECT_EQ(old.plan.front().first_chunk, 1536u);
  const auto same = replay(late_crash_bytes(), on_kernel(KernelSeries::linux_6_18));
  EXPECT_EQ(same.uncopied, old.uncopied);
  const auto fixed = replay(late_crash_bytes(), on_kernel(KernelSeries::linux_7_3));
  EXPECT_TRUE(fixed.uncopied.empty());
  EXPECT_EQ(fixed.synced_chunks, 514u);
  EXPECT_EQ(fixed.plan.front().first_chunk, 1536u);
  EXPECT_EQ(fixed.synced_sectors, 514u * 128);
}

// raid5_sync_request has one stripe of the chunk queued; the rest is skipped.
TEST(Replay, PeriodicEndsyncOfTheCurrentChunkOnRaid5) {
  auto s = on_kernel(KernelSeries::linux_7_2);
  s.level = 5;
  s.kind = SyncKind::resync;
  auto b = late_crash_bytes();
  for (auto& c : b) c = c == D ? N : c;  // raid5 writes leave NeedSync
  const auto r = replay(b, s);
  EXPECT_EQ(r.uncopied, std::vector<std::uint64_t>{1536});
  EXPECT_EQ(r.synced_chunks, 514u);
  EXPECT_EQ(r.after_sync.of(State::Dirty), 514u);
}

// raid10_sync_request asks for the flush before the chunk is started: the
// Endsync of [0, chunk] finds it NeedSync and nothing is lost.
TEST(Replay, Raid10AsksForTheFlushBeforeStartsync) {
  auto s = on_kernel(KernelSeries::linux_7_2);
  s.level = 10;
  s.layout = 0x102;
  s.md_chunk_sectors = 1024;
  const auto r = replay(late_crash_bytes(), s);
  EXPECT_TRUE(r.uncopied.empty());
  EXPECT_EQ(r.synced_chunks, 514u);
  EXPECT_EQ(r.after_sync.of(State::Dirty), 514u);
}

// A call at sector 0 starts the clock: with chunk 0 out of sync no flush comes
// within daemon_sleep, and Reload's pending blocks coalesce at the Endsync.
TEST(Replay, ChunkZeroStartsTheClockInstead) {
  auto b = late_crash_bytes();
  b[0] = D;
  for (const auto k : kKernelSeries) {
    const auto r = replay(b, on_kernel(k));
    SCOPED_TRACE(std::string(kernel_series_name(k)));
    EXPECT_EQ(r.periodic_flushes, 0u);
    EXPECT_TRUE(r.uncopied.empty());
    EXPECT_EQ(r.synced_chunks, 515u);
    EXPECT_GT(r.after_sync.of(State::Dirty), 515u);  // the blocks of 3200 and 4079 coalesce
  }
}

TEST(KernelSeries, NamesAndReleases) {
  for (const auto k : kKernelSeries) EXPECT_EQ(parse_kernel_series(kernel_series_name(k)), k);
  EXPECT_FALSE(parse_kernel_series("7.4"));
  EXPECT_FALSE(parse_kernel_series(" 7.2"));
  EXPECT_FALSE(parse_kernel_series(""));
  EXPECT_EQ(kernel_series_of_release("7.2.13-amd64"), KernelSeries::linux_7_2);
  EXPECT_EQ(kernel_series_of_release("7.3.0-rc7-amd64"), KernelSeries::linux_7_3);
  EXPECT_EQ(kernel_series_of_release("6.18.44"), KernelSeries::linux_6_18);
  EXPECT_EQ(kernel_series_of_release("7.3"), KernelSeries::linux_7_3);
  EXPECT_FALSE(kernel_series_of_release("7.20.1"));
  EXPECT_FALSE(kernel_series_of_release("6.1.0-28-amd64"));
  EXPECT_FALSE(kernel_series_of_release(""));
}
