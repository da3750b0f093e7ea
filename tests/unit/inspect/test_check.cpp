// check_members and worst_state: consistent members, a torn block, a stale
// bitmap, duplicate roles, and the merge order by resync consequence.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "write/builder.hpp"
#include "inspect/check.hpp"
#include "inspect/member.hpp"
#include "member_images.hpp"

using namespace llbmp;
namespace fs = std::filesystem;

namespace {

std::uint8_t b(State s) { return static_cast<std::uint8_t>(s); }

TEST(WorstState, OrderByWhatTheNextSyncDoes) {
  const auto worst = [](std::initializer_list<std::uint8_t> v) { return worst_state(std::vector<std::uint8_t>(v)); };
  EXPECT_EQ(worst({b(State::Clean), b(State::NeedSync)}), b(State::NeedSync));
  EXPECT_EQ(worst({b(State::Clean), 0x41}), b(State::NeedSync));
  EXPECT_EQ(worst({b(State::Syncing), b(State::Unwritten)}), b(State::NeedSync));
  EXPECT_EQ(worst({b(State::NeedSyncUnwritten), b(State::Unwritten)}), b(State::NeedSyncUnwritten));
  EXPECT_EQ(worst({b(State::NeedSyncUnwritten), b(State::Clean)}), b(State::NeedSync));
  EXPECT_EQ(worst({b(State::Clean), b(State::Dirty)}), b(State::Dirty));
  EXPECT_EQ(worst({b(State::Clean), b(State::Unwritten)}), b(State::Clean));
  EXPECT_EQ(worst({b(State::CleanUnwritten), b(State::Unwritten)}), b(State::Unwritten));
  EXPECT_EQ(worst({b(State::CleanUnwritten)}), b(State::CleanUnwritten));
}

TEST(WorstState, DependsOnlyOnTheValuesPresent) {
  const auto worst = [](std::initializer_list<std::uint8_t> v) { return worst_state(std::vector<std::uint8_t>(v)); };
  for (unsigned x = 0; x < 256; ++x) {
    const auto a = static_cast<std::uint8_t>(x);
    EXPECT_EQ(worst({a, 0x41}), b(State::NeedSync)) << x;
    for (unsigned y = 0; y < 256; ++y) {
      const auto c = static_cast<std::uint8_t>(y);
      const std::uint8_t pair = worst({a, c});
      ASSERT_EQ(worst({c, a}), pair) << x << " " << y;
      ASSERT_EQ(worst({a, c, a, c}), pair) << x << " " << y;
    }
  }
  EXPECT_EQ(worst({}), b(State::CleanUnwritten));
  EXPECT_EQ(worst({b(State::Syncing)}), b(State::NeedSync));
  EXPECT_EQ(worst({b(State::SyncingUnwritten), b(State::CleanUnwritten)}), b(State::NeedSyncUnwritten));
  EXPECT_EQ(worst({b(State::Unwritten), b(State::CleanUnwritten), b(State::Dirty)}), b(State::Dirty));
}

class Check : public test_support::MemberImages {
protected:
  Member member(std::uint32_t role, std::uint64_t dirty_chunk = ~0ull, std::uint64_t bitmap_events = 0) {
    ArraySpec s = spec_;
    s.bitmap_events = bitmap_events;
    auto meta = build_member(s, role);
    if (dirty_chunk != ~0ull) meta.bitmap_area[kStateOffset + dirty_chunk] = b(State::Dirty);
    return write_and_load("m" + std::to_string(role) + "-" + std::to_string(n_++), meta);
  }
  static bool has(const CheckReport& r, const std::string& field) {
    for (const auto& f : r.findings)
      if (f.finding.field == field) return true;
    return false;
  }
  int n_ = 0;
};

TEST_F(Check, IdenticalMembersAreConsistent) {
  const auto r = check_members({member(0), member(1)}, {});
  EXPECT_TRUE(r.consistent());
  EXPECT_EQ(r.differing_blocks, 0u);
  EXPECT_EQ(r.kernel_source, r.freshest);
}

TEST_F(Check, ATornBlockIsNamedAndMergedToTheWorstState) {
  const auto r = check_members({member(0), member(1, 700)}, {});
  EXPECT_FALSE(r.consistent());
  EXPECT_EQ(r.differing_blocks, 1u);
  EXPECT_TRUE(has(r, "bitmap.block"));
  ASSERT_GT(r.merged.size(), 700u);
  EXPECT_EQ(r.merged[700], b(State::Dirty));
}

TEST_F(Check, AgreeingMembersAreMergedStateByState) {
  // Every byte value on both members, at chunk = value: the merge of one value
  // is worst_state of that value alone (Syncing gives NeedSync, 0x41 NeedSync).
  std::vector<Member> members;
  for (std::uint32_t role = 0; role < 2; ++role) {
    auto meta = build_member(spec_, role);
    for (unsigned v = 0; v < 256; ++v) meta.bitmap_area[kStateOffset + v] = static_cast<std::uint8_t>(v);
    members.push_back(write_and_load("all-values-" + std::to_string(role), meta));
  }
  const auto r = check_members(members, {});
  EXPECT_EQ(r.differing_blocks, 0u);
  ASSERT_GE(r.merged.size(), 256u);
  for (unsigned v = 0; v < 256; ++v) {
    const std::uint8_t value = static_cast<std::uint8_t>(v);
    EXPECT_EQ(r.merged[v], worst_state(std::span(&value, 1))) << v;
  }
  EXPECT_EQ(r.merged[b(State::Syncing)], b(State::NeedSync));
  EXPECT_EQ(r.merged[b(State::Dirty)], b(State::Dirty));
}

TEST_F(Check, StaleBitmapEventsAndDuplicateRoles) {
  spec_.events = 5;
  const auto r = check_members({member(0, ~0ull, 3), member(0)}, {});
  EXPECT_TRUE(has(r, "bitmap.events"));
  EXPECT_TRUE(has(r, "md.role"));
}

}  // namespace
