// A member read for a reshape (ONDISK.md 9.2, 9.4-9.6): whether 7.3 lets a
// reshape start now (reshape_start_check) and the findings on a member
// mid-reshape (reshape_findings), on members built by the library's builder
// and changed in memory.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "inspect/reshape_start.hpp"
#include "inspect/replay_members.hpp"
#include "inspect/reshape_view.hpp"
#include "member_images.hpp"
#include "write/builder.hpp"

using namespace llbmp;

namespace {

std::uint8_t b(State s) { return static_cast<std::uint8_t>(s); }

class ReshapeMembers : public test_support::MemberImages {
protected:
  Member member(std::int32_t level, std::uint32_t disks, std::initializer_list<std::pair<std::uint64_t, State>> states = {}) {
    ArraySpec s = spec_;
    s.level = level;
    s.raid_disks = disks;
    s.layout = level == 10 ? 0x102 : level == 1 ? 0 : 2;
    auto meta = build_member(s, 0);
    for (const auto& [chunk, state] : states) meta.bitmap_area[kStateOffset + chunk] = b(state);
    return write_and_load("m" + std::to_string(n_++), meta);
  }
  // Mid-reshape at `position`, grown by `delta` members, same level, layout and chunk.
  static void mid_reshape(Member& m, std::uint64_t position, std::int32_t delta) {
    m.md.feature_map |= 4u;
    m.md.new_level = m.md.level;
    m.md.reshape_position = position;
    m.md.delta_disks = delta;
    m.md.raid_disks = static_cast<std::uint32_t>(static_cast<std::int32_t>(m.md.raid_disks) + delta);
    m.md.new_layout = m.md.layout;
    m.md.new_chunk = m.md.chunksize;
  }
  static const Finding* find(const Findings& f, FindingId id) {
    const auto it = std::find_if(f.begin(), f.end(), [id](const Finding& x) { return x.id == id; });
    return it == f.end() ? nullptr : &*it;
  }
  int n_ = 0;
};

TEST_F(ReshapeMembers, Raid10IsRefusedWhileAChunkNeedsSync) {
  const auto start = reshape_start_check({member(10, 4, {{700, State::NeedSync}})});
  ASSERT_TRUE(start);
  EXPECT_EQ(start->verdict, ReshapeStartVerdict::refused);
  ASSERT_EQ(start->refusals.size(), 1u);
  EXPECT_EQ(start->refusals[0].reason, ReshapeRefusalReason::bitmap_needs_sync);
  EXPECT_EQ(start->refusals[0].errno_name, "EBUSY");
  EXPECT_EQ(start->busy_chunks, 1u);  // NeedSync already: Reload leaves its block alone
  EXPECT_EQ(start->refusals[0].chunks.front().first, 700u);
}

TEST_F(ReshapeMembers, Raid10CleanIsAllowedAndAStaleOneIsNot) {
  EXPECT_EQ(reshape_start_check({member(10, 4)})->verdict, ReshapeStartVerdict::allowed);
  Member stale = member(10, 4);
  stale.bitmap->sb.events = 0;
  stale.md.events = 5;
  const auto start = reshape_start_check({stale});
  EXPECT_TRUE(start->stale);
  EXPECT_EQ(start->verdict, ReshapeStartVerdict::refused);
  EXPECT_GT(start->busy_chunks, 0u);
}

TEST_F(ReshapeMembers, Raid5AsksMdNotTheBitmap) {
  Member m = member(5, 3, {{0, State::NeedSync}});
  EXPECT_EQ(reshape_start_check({m})->verdict, ReshapeStartVerdict::allowed);
  m.md.resync_offset = 4096;
  const auto start = reshape_start_check({m});
  EXPECT_EQ(start->verdict, ReshapeStartVerdict::refused);
  ASSERT_EQ(start->refusals.size(), 1u);
  EXPECT_EQ(start->refusals[0].reason, ReshapeRefusalReason::resync_pending);
  EXPECT_EQ(start->resync_offset, 4096u);
  EXPECT_EQ(start->busy_chunks, 0u);
}

TEST_F(ReshapeMembers, Raid1LeavesTheBitmapAloneAndAReshapeRunningRefusesAnother) {
  EXPECT_EQ(reshape_start_check({member(1, 2, {{3, State::NeedSync}})})->verdict, ReshapeStartVerdict::bitmap_untouched);
  Member m = member(10, 4);
  mid_reshape(m, 8192, 1);
  const auto start = reshape_start_check({m});
  EXPECT_EQ(start->verdict, ReshapeStartVerdict::refused);
  EXPECT_TRUE(start->reshape_running);
  EXPECT_FALSE(reshape_start_check({}).has_value());
}

TEST_F(ReshapeMembers, NoFindingsOnAMemberNotMidReshapeOrOnRaid1) {
  EXPECT_TRUE(reshape_findings(member(5, 3)).empty());
  Member m = member(1, 2);
  mid_reshape(m, 0, 1);
  EXPECT_TRUE(reshape_findings(m).empty());
}

TEST_F(ReshapeMembers, MidReshapeRaid5WarnsOfOlderKernelsAndUnwrittenMerges) {
  // raid5 3 -> 4 of 64 MiB members (1008 chunks); R = 196608: new side 0-511.
  Member m = member(5, 3, {{0, State::Dirty}, {1, State::NeedSync}, {600, State::Dirty}});
  mid_reshape(m, 196608, 1);
  const Findings f = reshape_findings(m);
  const Finding* misread = find(f, FindingId::reshape_misread_before_7_3);
  ASSERT_NE(misread, nullptr);
  EXPECT_EQ(misread->severity, Severity::warning);
  const Finding* merge = find(f, FindingId::reshape_merge_maybe_not_on_disk);
  ASSERT_NE(merge, nullptr);
  EXPECT_EQ(merge->value, "2-511");  // 0 and 1 were written; 600 is on the leftovers, not the new side
  EXPECT_NE(merge->message.find("510 new-side chunks"), std::string::npos) << merge->message;
  EXPECT_EQ(find(f, FindingId::reshape_header_already_new), nullptr);
  EXPECT_EQ(find(f, FindingId::reshape_memory_past_reserved), nullptr);
}

TEST_F(ReshapeMembers, AHeaderWithTheNewSyncSizeMidReshapeIsACrashInTheFinish) {
  // raid10 near 2, 4 -> 6 members: the sync size grows by half.
  Member m = member(10, 4);
  const std::uint64_t old_sync = m.bitmap->sb.sync_size;
  mid_reshape(m, 1 << 20, 2);
  EXPECT_EQ(find(reshape_findings(m), FindingId::reshape_header_already_new), nullptr);
  m.bitmap->sb.sync_size = old_sync / 2 * 3;
  const Findings f = reshape_findings(m);
  const Finding* header = find(f, FindingId::reshape_header_already_new);
  ASSERT_NE(header, nullptr);
  EXPECT_EQ(header->value, std::to_string(old_sync / 2 * 3));
  EXPECT_EQ(find(f, FindingId::reshape_merge_maybe_not_on_disk), nullptr);  // the sides are not the header's
}

TEST_F(ReshapeMembers, MemoryOfBothSidesPastTheReservedRoomIsAnError) {
  // raid10 4 -> 8: 2016 -> 4032 chunks; 8 reserved sectors hold 4096 chunks
  // (the kernel's test, no doubling) but not 1024 + 4032 bytes.
  Member m = member(10, 4);
  mid_reshape(m, 0, 4);
  EXPECT_EQ(find(reshape_findings(m), FindingId::reshape_memory_past_reserved), nullptr);
  m.bitmap->sb.sectors_reserved = 8;
  const Findings findings = reshape_findings(m);  // find() points into it: keep it alive
  const Finding* room = find(findings, FindingId::reshape_memory_past_reserved);
  ASSERT_NE(room, nullptr);
  EXPECT_EQ(room->severity, Severity::error);
  EXPECT_NE(room->message.find("max(2016, 4032) = 4032"), std::string::npos) << room->message;
}

}  // namespace

namespace {

TEST_F(ReshapeMembers, TheNextAssemblyOfAMemberMidReshapeResumesFromItsPosition) {
  Member m = member(5, 3, {{0, State::Dirty}, {800, State::Dirty}});  // 3 -> 4 below
  ReplayOptions o;
  o.kernel = KernelSeries::linux_7_3;
  EXPECT_FALSE(resume_reshape_members({m}, o).has_value());  // not mid-reshape: replay_resync's
  mid_reshape(m, 196608, 1);
  const auto resumed = resume_reshape_members({m}, o);
  ASSERT_TRUE(resumed);
  EXPECT_EQ(resumed->resumed_from, 196608u);
  EXPECT_TRUE(resumed->preview.refusals.empty());  // nothing is asked again
  // The walk from R to the new array's end in steps of the rows' least
  // common multiple (2 and 3 data disks of one md chunk each).
  const auto& g = resumed->preview.geometry;
  const std::uint64_t step = 6 * std::uint64_t{m.md.chunksize};
  EXPECT_EQ(resumed->preview.checkpoint_sectors, step);
  EXPECT_EQ(resumed->preview.checkpoints, (g.span_sectors - 196608 + step - 1) / step);
  EXPECT_GT(resumed->preview.checkpoints, 0u);
  EXPECT_TRUE(resumed->preview.follow_up.resync);
  o.kernel = KernelSeries::linux_7_2;
  EXPECT_THROW(resume_reshape_members({m}, o), Error);
}

TEST_F(ReshapeMembers, Raid1MidReshapeIsReplayedAsAlways) {
  Member m = member(1, 2);
  mid_reshape(m, 0, 1);
  ReplayOptions o;
  o.kernel = KernelSeries::linux_7_2;
  EXPECT_FALSE(resume_reshape_members({m}, o).has_value());
}

}  // namespace
