// A member's sizes per kernel (inspect/resize_view): what 7.3 and 7.2 cover
// of a header sync_size below the array's, the findings in each kernel's
// terms, the grow limit, and what each personality passes llbitmap_resize.
#include <gtest/gtest.h>

#include <string>

#include "inspect/resize_view.hpp"
#include "member_images.hpp"

using namespace llbmp;

namespace {

class ResizeView : public test_support::MemberImages {
protected:
  Member load(const std::string& name, MemberMetadata meta) {
    meta.md_bytes = encode_md_superblock(meta.md, {});
    const auto header = encode_bitmap_super(meta.bitmap);
    std::copy(header.begin(), header.end(), meta.bitmap_area.begin());
    return write_and_load(name, meta);
  }
};

const Finding* find(const Findings& findings, FindingId id) {
  for (const auto& f : findings)
    if (f.id == id) return &f;
  return nullptr;
}

}  // namespace

// raid1, 64 MiB members: 129024 sectors (data_offset 2048), 128-sector chunks: 1008 chunks.
TEST_F(ResizeView, SmallerHeaderPerKernel) {
  auto meta = build_member(spec_, 0);
  const std::uint64_t array = meta.md.resync_sectors();
  ASSERT_EQ(array, 129024u);
  meta.bitmap.sync_size = 65536;  // 512 chunks
  const Member m = load("small", meta);
  const auto r73 = member_resize(m, KernelSeries::linux_7_3);
  const auto r72 = member_resize(m, KernelSeries::linux_7_2);
  ASSERT_TRUE(r73 && r72);
  EXPECT_EQ(r73->match, SyncSizeMatch::header_smaller);
  EXPECT_EQ(r73->coverage.sync_sectors, 65536u);
  EXPECT_EQ(r73->coverage.chunks, 512u);
  EXPECT_EQ(r72->coverage.sync_sectors, array);
  EXPECT_EQ(r72->coverage.chunks, 1008u);
  // Every chunk Clean over the array's 1008: 496 states past 7.3's 512, none past 7.2's count.
  EXPECT_EQ(r73->states_past_count, 496u);
  EXPECT_EQ(r73->first_state_past_count, 512u);
  EXPECT_EQ(r72->states_past_count, 0u);
  // 256 reserved sectors: 131072 chunks of 128 sectors.
  EXPECT_EQ(r73->limit.max_chunks, 131072u);
  EXPECT_EQ(r73->max_size_sectors, 16777216u);
  EXPECT_FALSE(r73->limit_is_array_size);

  Member seen73 = m, seen72 = m;
  model_kernel_findings(seen73, KernelSeries::linux_7_3);
  model_kernel_findings(seen72, KernelSeries::linux_7_2);
  const auto* f73 = find(seen73.findings, FindingId::bitmap_sync_size_smaller);
  const auto* f72 = find(seen72.findings, FindingId::bitmap_sync_size_smaller);
  ASSERT_TRUE(f73 && f72);
  EXPECT_NE(f73->message.find("Linux 7.3 covers only the first 512 chunks"), std::string::npos) << f73->message;
  EXPECT_NE(f72->message.find("Linux 7.2 ignores it, covers the whole array (1008 chunks)"), std::string::npos) << f72->message;
  EXPECT_TRUE(find(seen73.findings, FindingId::bitmap_states_past_count));
  EXPECT_FALSE(find(seen72.findings, FindingId::bitmap_states_past_count));
}

TEST_F(ResizeView, EqualHeaderAddsNothing) {
  const Member m = load("equal", build_member(spec_, 0));
  Member seen = m;
  model_kernel_findings(seen, KernelSeries::linux_7_3);
  EXPECT_EQ(seen.findings.size(), m.findings.size());
  const auto r = member_resize(m, KernelSeries::linux_7_3);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->match, SyncSizeMatch::equal);
  EXPECT_EQ(r->coverage.chunks, 1008u);
}

// What each personality passes for a member size (9.7.1).
TEST_F(ResizeView, ResizeSyncSectorsPerLevel) {
  ArraySpec s = spec_;
  s.level = 5;
  s.raid_disks = 3;
  const auto raid5 = build_member(s, 0).md;
  ASSERT_EQ(raid5.chunksize, 1024u);
  EXPECT_EQ(resize_sync_sectors(raid5, 100000), 99328u);  // rounded down to the md chunk
  s.level = 10;
  s.raid_disks = 4;
  const auto raid10 = build_member(s, 0).md;
  EXPECT_EQ(resize_sync_sectors(raid10, 65536), 131072u);  // the array: 4 members, 2 copies
  const auto raid1 = build_member(spec_, 0).md;
  EXPECT_EQ(resize_sync_sectors(raid1, 100001), 100001u);
}
