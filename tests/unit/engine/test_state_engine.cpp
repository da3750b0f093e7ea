// Every cell of ONDISK.md's table, every rule, coalescing, counting and runs.
#include <gtest/gtest.h>

#include <random>
#include <sstream>

#include "engine/state_engine.hpp"

using namespace llbmp;

namespace {

// ONDISK.md section 5, transcribed as text: rows are from-states, columns
// Startwrite Startsync Endsync Abortsync Reload Daemon Discard Stale
// ProactiveSync ClearUnwritten; "x" is no change. Abbreviations: U C D NS S
// NSU SU CU.
constexpr const char* kDocTable = R"(
U   D  x  x  x  x  x  x  x  NSU x
C   D  x  x  x  x  x  U  NS x   x
D   x  x  x  x  NS C  U  NS x   x
NS  x  S  x  x  x  x  U  x  x   x
S   x  S  D  NS NS x  U  NS x   x
NSU NS SU x  U  U  x  U  U  x   U
SU  S  SU CU U  U  x  U  U  x   U
CU  D  x  x  x  x  x  U  U  x   U
)";

std::optional<State> abbrev(const std::string& s) {
  static const std::pair<const char*, State> kNames[] = {
      {"U", State::Unwritten}, {"C", State::Clean},  {"D", State::Dirty},  {"NS", State::NeedSync},
      {"S", State::Syncing},   {"NSU", State::NeedSyncUnwritten}, {"SU", State::SyncingUnwritten}, {"CU", State::CleanUnwritten}};
  for (const auto& [name, state] : kNames)
    if (s == name) return state;
  return std::nullopt;
}

struct Cell {
  State from;
  Action action;
  std::optional<State> to;
};

std::vector<Cell> doc_cells() {
  std::vector<Cell> cells;
  std::istringstream in(kDocTable);
  std::string row;
  while (in >> row) {
    const State from = *abbrev(row);
    for (std::size_t a = 0; a < kActionCount; ++a) {
      std::string to;
      in >> to;
      cells.push_back({from, static_cast<Action>(a), to == "x" ? std::nullopt : abbrev(to)});
    }
  }
  return cells;
}

std::string name(std::optional<State> s) { return s ? std::string(state_key(*s)) : "x"; }

}  // namespace

TEST(StateTable, EveryCellMatchesTheSpecification) {
  const auto cells = doc_cells();
  ASSERT_EQ(cells.size(), kStateCount * kActionCount);
  for (const auto& c : cells)
    EXPECT_EQ(name(table_transition(c.from, c.action)), name(c.to))
        << state_key(c.from) << " + " << action_name(c.action);
}

TEST(StateTable, NextStateEqualsTheTableOnAHealthyRaid1) {
  const ArrayMode raid1{1, false};
  for (const auto& c : doc_cells())
    EXPECT_EQ(name(next_state(static_cast<std::uint8_t>(c.from), c.action, raid1)), name(c.to))
        << state_key(c.from) << " + " << action_name(c.action);
}

TEST(StateRules, InvalidBytesBecomeNeedSyncWhateverTheAction) {
  for (const unsigned byte : {8u, 9u, 0x7fu, 0xffu})
    for (std::size_t a = 0; a < kActionCount; ++a)
      for (const bool degraded : {false, true})
        EXPECT_EQ(next_state(static_cast<std::uint8_t>(byte), static_cast<Action>(a), {5, degraded}), State::NeedSync);
}

TEST(StateRules, DegradedStartwriteGivesNeedSyncAndDirtyStartsyncGivesSyncing) {
  const ArrayMode degraded{1, true};
  for (const State s : {State::Unwritten, State::Clean, State::CleanUnwritten})
    EXPECT_EQ(next_state(static_cast<std::uint8_t>(s), Action::Startwrite, degraded), State::NeedSync);
  EXPECT_EQ(next_state(static_cast<std::uint8_t>(State::Dirty), Action::Startsync, degraded), State::Syncing);
  // Unchanged elsewhere: NeedSyncUnwritten + Startwrite is NeedSync anyway.
  EXPECT_EQ(next_state(static_cast<std::uint8_t>(State::NeedSyncUnwritten), Action::Startwrite, degraded), State::NeedSync);
  EXPECT_EQ(next_state(static_cast<std::uint8_t>(State::Clean), Action::Startsync, degraded), std::nullopt);
}

TEST(StateRules, DaemonDoesNothingOnADegradedArray) {
  EXPECT_EQ(next_state(static_cast<std::uint8_t>(State::Dirty), Action::Daemon, {1, true}), std::nullopt);
  EXPECT_EQ(next_state(static_cast<std::uint8_t>(State::Dirty), Action::Daemon, {1, false}), State::Clean);
}

TEST(StateRules, Raid456FirstWriteIsALazyParityBuild) {
  for (const std::int32_t level : {4, 5, 6}) {
    EXPECT_EQ(next_state(0, Action::Startwrite, {level, false}), State::NeedSync);
    // Only Unwritten: Clean and CleanUnwritten become Dirty.
    EXPECT_EQ(next_state(1, Action::Startwrite, {level, false}), State::Dirty);
    EXPECT_EQ(next_state(7, Action::Startwrite, {level, false}), State::Dirty);
  }
  EXPECT_EQ(next_state(0, Action::Startwrite, {1, false}), State::Dirty);
  EXPECT_EQ(next_state(0, Action::Startwrite, {10, false}), State::Dirty);
}

TEST(StateNames, KeysSysfsNamesAndNumbersParse) {
  for (std::size_t s = 0; s < kStateCount; ++s) {
    EXPECT_EQ(parse_state(state_key(static_cast<State>(s))), static_cast<State>(s));
    EXPECT_EQ(parse_state(state_sysfs_name(static_cast<State>(s))), static_cast<State>(s));
  }
  EXPECT_EQ(parse_state("need sync"), State::NeedSync);
  EXPECT_EQ(parse_state("bogus"), std::nullopt);
  for (std::size_t a = 0; a < kActionCount; ++a) EXPECT_EQ(parse_action(action_name(static_cast<Action>(a))), static_cast<Action>(a));
}

namespace {
StateArea area_of(std::uint64_t chunks, std::uint8_t fill, std::uint64_t room = 131072 - 1024) {
  std::vector<std::uint8_t> bytes(room, 0);
  std::fill_n(bytes.begin(), chunks, fill);
  return StateArea(std::move(bytes), chunks);
}
constexpr auto U = static_cast<std::uint8_t>(State::Unwritten);
constexpr auto C = static_cast<std::uint8_t>(State::Clean);
constexpr auto D = static_cast<std::uint8_t>(State::Dirty);
constexpr auto NS = static_cast<std::uint8_t>(State::NeedSync);
}  // namespace

TEST(Coalescing, OneWriteDirtiesOneChunkAndMarksItsBlock) {
  auto area = area_of(4080, C);
  const auto out = area.apply(Action::Startwrite, 10, 10, {1, false});
  EXPECT_EQ(area.at(10), D);
  EXPECT_EQ(out.changed, 1u);
  EXPECT_EQ(out.coalesced, 0u);
  EXPECT_TRUE(out.armed_daemon);
  EXPECT_FALSE(out.wants_resync);
  EXPECT_EQ(count_states(area.chunk_bytes()).of(State::Dirty), 1u);
  // Chunk 10 is area byte 1034: block 2 of 512 bytes.
  EXPECT_EQ(area.take_pending(), std::vector<std::uint64_t>{2});
  EXPECT_EQ(area.pending_blocks(), 0u);
}

TEST(Coalescing, ASecondDirtyChunkInTheBlockCoalescesTheWholeBlock) {
  auto area = area_of(4080, C);
  area.apply(Action::Startwrite, 10, 10, {1, false});
  area.take_pending();  // written back (unplug)
  const auto out = area.apply(Action::Startwrite, 20, 20, {1, false});
  // Block 2 holds area bytes 1024..1535: chunks 0..511, all Dirty now.
  EXPECT_EQ(count_states(area.chunk_bytes()).of(State::Dirty), 512u);
  EXPECT_EQ(out.coalesced, 510u);
  EXPECT_EQ(area.at(512), C);
}

TEST(Coalescing, AWriteOverTwoChunksOfOneBlockCoalescesAtOnce) {
  auto area = area_of(4080, C);
  area.apply(Action::Startwrite, 600, 601, {1, false});
  // Chunks 600, 601 lie in block 3 (area bytes 1536..2047: chunks 512..1023).
  EXPECT_EQ(count_states(area.chunk_bytes()).of(State::Dirty), 512u);
  EXPECT_EQ(area.at(511), C);
  EXPECT_EQ(area.at(1023), D);
  EXPECT_EQ(area.at(1024), C);
}

TEST(Coalescing, OnRaid5UnwrittenBecomesNeedSyncAndBytesPastTheLastChunkChangeToo) {
  auto area = area_of(600, U);  // chunks 0..599; bytes past them are 0
  const auto out = area.apply(Action::Startwrite, 590, 591, {5, false});
  EXPECT_TRUE(out.wants_resync);
  EXPECT_TRUE(out.lazy_recovery);
  // Block 3 covers chunks 512..1023: 88 chunks plus 424 bytes past the last.
  EXPECT_EQ(count_states(area.chunk_bytes()).of(State::NeedSync), 88u);
  EXPECT_EQ(area.bytes()[700], NS);
  EXPECT_EQ(area.bytes()[1024], U);
}

TEST(Coalescing, NeverOnADegradedArray) {
  auto area = area_of(4080, C);
  const auto out = area.apply(Action::Startwrite, 10, 11, {1, true});
  EXPECT_EQ(area.at(10), NS);
  EXPECT_EQ(area.at(11), NS);
  EXPECT_EQ(out.coalesced, 0u);
  EXPECT_FALSE(out.wants_resync);  // a degraded array does not start a resync
  EXPECT_EQ(area.take_pending(), std::vector<std::uint64_t>{2});
}

TEST(Coalescing, ReloadOfTwoDirtyChunksInABlockTakesTheBlock) {
  auto area = area_of(4080, C);
  area.set(3, D);
  area.set(7, D);
  const auto out = area.apply_all(Action::Reload, {1, false});
  // Dirty -> NeedSync marks the block; another NeedSync/Dirty there coalesces:
  // Clean chunks of block 2 become Dirty, then Reload makes them NeedSync.
  EXPECT_TRUE(out.wants_resync);
  EXPECT_EQ(count_states(area.chunk_bytes()).of(State::NeedSync), 512u - 3u);
  EXPECT_EQ(count_states(area.chunk_bytes()).of(State::Dirty), 3u);  // chunks 0..2 were passed before the coalescing
}

TEST(Coalescing, NeedSyncUnwrittenMarksItsBlockWithoutCoalescing) {
  auto area = area_of(4080, U);
  area.set(100, D);
  const auto out = area.apply(Action::ProactiveSync, 0, 4079, {5, false});
  EXPECT_EQ(count_states(area.chunk_bytes()).of(State::NeedSyncUnwritten), 4079u);
  EXPECT_EQ(area.at(100), D);
  EXPECT_EQ(out.coalesced, 0u);
  EXPECT_TRUE(out.wants_resync);
  EXPECT_EQ(area.take_pending().size(), 8u);  // blocks 2..9 hold chunks 0..4079
}

TEST(RangeActions, UniformBlocksAndChunkByChunkWalksAgree) {
  std::mt19937 rng(7);
  std::vector<std::uint8_t> bytes(20000);
  for (auto& b : bytes) b = static_cast<std::uint8_t>(rng() % 12 < 8 ? (rng() % 100 < 90 ? 1 : rng() % 8) : 1);
  for (std::size_t a = 0; a < kActionCount; ++a) {
    for (const ArrayMode mode : {ArrayMode{1, false}, ArrayMode{5, true}}) {
      StateArea fast(bytes, bytes.size());
      fast.apply_all(static_cast<Action>(a), mode);
      // Reference: one chunk at a time (no block fast path can apply).
      StateArea slow(bytes, bytes.size());
      for (std::uint64_t c = 0; c < bytes.size(); ++c) slow.apply(static_cast<Action>(a), c, c, mode);
      EXPECT_TRUE(std::equal(fast.bytes().begin(), fast.bytes().end(), slow.bytes().begin()))
          << action_name(static_cast<Action>(a)) << " level " << mode.level;
    }
  }
}

TEST(Counting, MatchesANaiveCount) {
  std::mt19937 rng(1);
  for (const std::size_t n : {0u, 1u, 15u, 16u, 17u, 4095u, 70001u}) {
    std::vector<std::uint8_t> bytes(n);
    for (auto& b : bytes) b = static_cast<std::uint8_t>(rng() % 11);
    StateCounts naive;
    for (const auto b : bytes) is_valid_state(b) ? ++naive.by_state[b] : ++naive.invalid;
    EXPECT_EQ(count_states(bytes), naive) << n;
    EXPECT_EQ(count_states(bytes).total(), n);
  }
}

TEST(Counting, NotInSyncCountsEverythingButCleanAndUnwrittenKinds) {
  std::vector<std::uint8_t> bytes{0, 1, 2, 3, 4, 5, 6, 7, 200};
  EXPECT_EQ(count_states(bytes).not_in_sync(), 6u);
  for (const auto b : bytes) EXPECT_EQ(counts_as_dirty(b), b >= 2 && b != 7) << int(b);
}

TEST(Runs, RunLengthRangesWithBase) {
  const std::vector<std::uint8_t> bytes{1, 1, 2, 3, 3, 3};
  const auto runs = state_runs(bytes, 100);
  ASSERT_EQ(runs.size(), 3u);
  EXPECT_EQ(runs[0].first, 100u);
  EXPECT_EQ(runs[0].last, 101u);
  EXPECT_EQ(runs[1].first, 102u);
  EXPECT_EQ(runs[2].last, 105u);
  EXPECT_EQ(runs[2].byte, 3);
}

TEST(StateRules, KernelsOf618TreatTheUnwrittenSyncStatesAsInvalid) {
  ArrayMode old{5, false, true};
  for (const int b : {5, 6, 7}) EXPECT_EQ(next_state(b, Action::Daemon, old), State::NeedSync);
  EXPECT_EQ(next_state(2, Action::Daemon, old), State::Clean);
}
