// choose_copy: the kernel's copy by default, one member by name, or the
// worst state of every chunk over the members; disagreements counted.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "write/builder.hpp"
#include "inspect/copy_choice.hpp"
#include "llbmp/error.hpp"
#include "inspect/member.hpp"
#include "inspect/replay_members.hpp"
#include "write/replay_commit.hpp"
#include "member_images.hpp"

using namespace llbmp;
namespace fs = std::filesystem;

namespace {

std::uint8_t b(State s) { return static_cast<std::uint8_t>(s); }

class CopyChoiceTest : public test_support::MemberImages {
protected:
  Member member(std::uint32_t role, const std::vector<std::pair<std::uint64_t, State>>& states) {
    auto meta = build_member(spec_, role);
    for (const auto& [chunk, s] : states) meta.bitmap_area[kStateOffset + chunk] = b(s);
    return write_and_load("m" + std::to_string(role), meta);
  }
};

TEST_F(CopyChoiceTest, KernelMemberAndWorstMergeOfATornArray) {
  const std::vector<Member> members = {member(1, {{600, State::NeedSync}}), member(0, {{10, State::Dirty}})};
  const auto kernel = choose_copy(members, {});
  EXPECT_EQ(kernel.member, 1u);  // role 0 comes first whatever the order given
  EXPECT_EQ(kernel.states[10], b(State::Dirty));
  EXPECT_EQ(kernel.states[600], b(State::Clean));
  EXPECT_EQ(kernel.disagreeing_chunks, 2u);
  EXPECT_EQ(kernel.copies, 2u);
  const auto named = choose_copy(members, {CopyChoice::member, members[0].device});
  EXPECT_EQ(named.member, 0u);
  EXPECT_EQ(named.states[10], b(State::Clean));
  EXPECT_EQ(named.states[600], b(State::NeedSync));
  const auto worst = choose_copy(members, {CopyChoice::merge_worst, {}});
  EXPECT_EQ(worst.states[10], b(State::Dirty));
  EXPECT_EQ(worst.states[600], b(State::NeedSync));
  EXPECT_EQ(worst.states[11], b(State::Clean));
  EXPECT_NE(worst.describe(members).find("2 members"), std::string::npos);
  EXPECT_THROW(choose_copy(members, {CopyChoice::member, "/nonexistent"}), Error);
}

TEST_F(CopyChoiceTest, ClassicBitsMergeAsAnySetBit) {
  spec_.bitmap = BitmapKind::classic;
  spec_.bitmap_chunk = 1 << 20;
  auto with_bit = [&](std::uint32_t role, std::uint64_t bit) {
    auto meta = build_member(spec_, role);
    meta.bitmap_area[kBitmapSuperBytes + bit / 8] |= static_cast<std::uint8_t>(1u << (bit % 8));
    return write_and_load("c" + std::to_string(role), meta);
  };
  const std::vector<Member> members = {with_bit(0, 3), with_bit(1, 40)};
  const auto kernel = choose_copy(members, {});
  EXPECT_TRUE(kernel.out_of_sync[3]);
  EXPECT_FALSE(kernel.out_of_sync[40]);
  const auto worst = choose_copy(members, {CopyChoice::merge_worst, {}});
  EXPECT_TRUE(worst.out_of_sync[3] && worst.out_of_sync[40]);
  EXPECT_EQ(worst.disagreeing_chunks, 2u);
}

}  // namespace

// The kernel compares a bitmap's events with the array's, which are the
// freshest member's md events: replaying an older member's copy is Stale.
TEST_F(CopyChoiceTest, AnOlderMembersCopyIsStaleAgainstTheFreshestEvents) {
  spec_.events = 5;
  const Member fresh = member(0, {{10, State::Dirty}});
  spec_.events = 4;
  const Member older = member(1, {{10, State::Dirty}});
  ASSERT_EQ(older.bitmap->sb.events, 4u);
  const std::vector<Member> members = {fresh, older};
  ReplayOptions options;
  EXPECT_FALSE(replay_resync(members, options).detected_stale);
  options.source = {CopyChoice::member, older.device};
  EXPECT_TRUE(replay_resync(members, options).detected_stale);
  EXPECT_FALSE(replay_resync({older}, options).detected_stale);  // alone, its own events are the array's
}
