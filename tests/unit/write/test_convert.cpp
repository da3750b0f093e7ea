// plan_convert: the kernel's copy (or one member's, or every copy merged at
// the worst state) converted conservatively, chunk sizes mapped so
// that any out-of-sync part makes the whole chunk out of sync, identical
// results on every member, and the three phases; metadata images round-trip.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "write/builder.hpp"
#include "write/convert.hpp"
#include "llbmp/error.hpp"
#include "inspect/member.hpp"
#include "write/metadata_backup.hpp"
#include "member_images.hpp"

using namespace llbmp;
namespace fs = std::filesystem;

namespace {

class Convert : public test_support::MemberImages {
protected:
  void SetUp() override {
    MemberImages::SetUp();
    spec_.member_bytes = 256ull << 20;
    spec_.bitmap = BitmapKind::classic;
    spec_.bitmap_chunk = 1 << 20;  // 1 MiB bits
  }

  // A classic member with the given bits set.
  Member classic_member(std::uint32_t role, const std::vector<std::uint64_t>& bits) {
    auto meta = build_member(spec_, role);
    for (const auto b : bits) meta.bitmap_area[kBitmapSuperBytes + b / 8] |= static_cast<std::uint8_t>(1u << (b % 8));
    return write_and_load("m" + std::to_string(role), meta);
  }
};

TEST_F(Convert, BitsOfAnyMemberBecomeNeedSyncOnAllWhenMerged) {
  const std::vector<Member> members = {classic_member(0, {0}), classic_member(1, {100})};
  ConvertOptions o;
  o.source.choice = CopyChoice::merge_worst;
  const auto plan = plan_convert(members, o);
  ASSERT_EQ(plan.bitmaps.size(), 2u);
  EXPECT_EQ(plan.source_out_of_sync, 2u);
  EXPECT_EQ(plan.disagreeing_chunks, 2u);
  for (const auto& nb : plan.bitmaps) {
    EXPECT_EQ(nb.sb.version, 6u);
    EXPECT_EQ(nb.counts.of(State::NeedSync), 2u * 16u);  // 1 MiB bit = 16 chunks of 64 KiB
    EXPECT_EQ(nb.counts.of(State::Unwritten), 0u);
    EXPECT_EQ(nb.area, plan.bitmaps.front().area);
  }
  EXPECT_EQ(plan.writes.phase_count(), 3u);
}

// By default the copy the kernel loads (role 0 here) is converted, on every member.
TEST_F(Convert, TheKernelsCopyOrOneMembersIsConverted) {
  const std::vector<Member> members = {classic_member(0, {0}), classic_member(1, {100})};
  const auto kernel = plan_convert(members, {});
  EXPECT_EQ(kernel.source_out_of_sync, 1u);
  for (const auto& nb : kernel.bitmaps) {
    EXPECT_EQ(nb.area[kStateOffset + 0], static_cast<std::uint8_t>(State::NeedSync));
    EXPECT_EQ(nb.area[kStateOffset + 100 * 16], static_cast<std::uint8_t>(State::Clean));
  }
  ConvertOptions o;
  o.source = {CopyChoice::member, members[1].device};
  const auto named = plan_convert(members, o);
  EXPECT_EQ(named.bitmaps.front().area[kStateOffset + 0], static_cast<std::uint8_t>(State::Clean));
  EXPECT_EQ(named.bitmaps.front().area[kStateOffset + 100 * 16], static_cast<std::uint8_t>(State::NeedSync));
}

TEST_F(Convert, LargerTargetChunksAreOutOfSyncWhenAnyPartIs) {
  const std::vector<Member> members = {classic_member(0, {3})};
  ConvertOptions o;
  o.chunk_bytes = 4u << 20;  // 4 MiB llbitmap chunks: bit 3 lies in chunk 0
  const auto plan = plan_convert(members, o);
  EXPECT_EQ(plan.bitmaps.front().counts.of(State::NeedSync), 1u);
  EXPECT_EQ(plan.bitmaps.front().area[kStateOffset], static_cast<std::uint8_t>(State::NeedSync));
}

TEST_F(Convert, AnLlbitmapIsRefusedAsSource) {
  spec_.bitmap = BitmapKind::lockless;
  const std::vector<Member> members = {classic_member(0, {})};
  EXPECT_THROW(plan_convert(members, {}), Error);
}

TEST_F(Convert, MetadataImageRoundTripsAndRejectsDamage) {
  const Member m = classic_member(0, {7});
  const MetadataImage image{{capture_member(m)}};
  auto bytes = encode_metadata_image(image);
  const auto back = decode_metadata_image(bytes, "test");
  ASSERT_EQ(back.members.size(), 1u);
  EXPECT_EQ(back.members[0].ranges.size(), image.members[0].ranges.size());
  EXPECT_EQ(back.members[0].ranges[0].bytes, image.members[0].ranges[0].bytes);
  bytes[bytes.size() / 2] ^= 0xff;
  EXPECT_THROW(decode_metadata_image(bytes, "test"), Error);
  EXPECT_THROW(decode_metadata_image(std::span(bytes).first(12), "test"), Error);
}

}  // namespace
