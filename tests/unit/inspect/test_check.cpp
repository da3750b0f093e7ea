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

TEST_F(Check, StaleBitmapEventsAndDuplicateRoles) {
  spec_.events = 5;
  const auto r = check_members({member(0, ~0ull, 3), member(0)}, {});
  EXPECT_TRUE(has(r, "bitmap.events"));
  EXPECT_TRUE(has(r, "md.role"));
}

}  // namespace
