// The project's md superblock struct against the host's <linux/raid/md_p.h>:
// every field the host header has lies at the same offset with the same size.
// The only file of the project that includes md_p.h.
#include <gtest/gtest.h>

#include <linux/raid/md_p.h>

#include <cstddef>

#include "format/md_super.hpp"
#include "format/md_super_layout.hpp"

namespace {

using llbmp::MdSuperblockDisk;

#define EXPECT_SAME_FIELD(ours, theirs)                                                        \
  do {                                                                                         \
    EXPECT_EQ(offsetof(MdSuperblockDisk, ours), offsetof(mdp_superblock_1, theirs)) << #ours;  \
    EXPECT_EQ(sizeof(MdSuperblockDisk::ours), sizeof(mdp_superblock_1::theirs)) << #ours;      \
  } while (0)

TEST(MdLayout, EveryFieldWhereTheKernelHeaderHasIt) {
  EXPECT_SAME_FIELD(magic, magic);
  EXPECT_SAME_FIELD(major_version, major_version);
  EXPECT_SAME_FIELD(feature_map, feature_map);
  EXPECT_SAME_FIELD(pad0, pad0);
  EXPECT_SAME_FIELD(set_uuid, set_uuid);
  EXPECT_SAME_FIELD(set_name, set_name);
  EXPECT_SAME_FIELD(ctime, ctime);
  EXPECT_SAME_FIELD(level, level);
  EXPECT_SAME_FIELD(layout, layout);
  EXPECT_SAME_FIELD(size, size);
  EXPECT_SAME_FIELD(chunksize, chunksize);
  EXPECT_SAME_FIELD(raid_disks, raid_disks);
  EXPECT_SAME_FIELD(bitmap_offset, bitmap_offset);
  EXPECT_SAME_FIELD(bitmap_offset, ppl);  // the kernel's union
  EXPECT_SAME_FIELD(new_level, new_level);
  EXPECT_SAME_FIELD(reshape_position, reshape_position);
  EXPECT_SAME_FIELD(delta_disks, delta_disks);
  EXPECT_SAME_FIELD(new_layout, new_layout);
  EXPECT_SAME_FIELD(new_chunk, new_chunk);
  EXPECT_SAME_FIELD(new_offset, new_offset);
  EXPECT_SAME_FIELD(data_offset, data_offset);
  EXPECT_SAME_FIELD(data_size, data_size);
  EXPECT_SAME_FIELD(super_offset, super_offset);
  EXPECT_SAME_FIELD(recovery_offset, recovery_offset);
  EXPECT_SAME_FIELD(recovery_offset, journal_tail);  // the kernel's union
  EXPECT_SAME_FIELD(dev_number, dev_number);
  EXPECT_SAME_FIELD(cnt_corrected_read, cnt_corrected_read);
  EXPECT_SAME_FIELD(device_uuid, device_uuid);
  EXPECT_SAME_FIELD(devflags, devflags);
  EXPECT_SAME_FIELD(bblog_shift, bblog_shift);
  EXPECT_SAME_FIELD(bblog_size, bblog_size);
  EXPECT_SAME_FIELD(bblog_offset, bblog_offset);
  EXPECT_SAME_FIELD(utime, utime);
  EXPECT_SAME_FIELD(events, events);
  EXPECT_SAME_FIELD(resync_offset, resync_offset);
  EXPECT_SAME_FIELD(sb_csum, sb_csum);
  EXPECT_SAME_FIELD(max_dev, max_dev);
  EXPECT_EQ(offsetof(mdp_superblock_1, dev_roles), sizeof(MdSuperblockDisk));
  EXPECT_EQ(offsetof(mdp_superblock_1, dev_roles), llbmp::kMdDevRolesOffset);
  EXPECT_EQ(sizeof(mdp_superblock_1::dev_roles[0]), 2u);
}

// Headers from 7.x name the first word of the old pad3 logical_block_size;
// an older host header still calls the whole tail pad3.
template <typename Host>
constexpr bool kNamesLogicalBlockSize = requires(Host h) { h.logical_block_size; };

template <typename Host>
void expect_logical_block_size_where_the_host_has_it() {
  if constexpr (kNamesLogicalBlockSize<Host>) {
    EXPECT_EQ(offsetof(MdSuperblockDisk, logical_block_size), offsetof(Host, logical_block_size));
    EXPECT_EQ(offsetof(MdSuperblockDisk, pad3), offsetof(Host, pad3));
  } else {
    EXPECT_EQ(offsetof(MdSuperblockDisk, logical_block_size), offsetof(Host, pad3));
    EXPECT_EQ(offsetof(Host, pad3) + sizeof(Host::pad3), offsetof(Host, dev_roles));
  }
}

TEST(MdLayout, LogicalBlockSizeIsTheFirstWordOfTheOldPad3) {
  expect_logical_block_size_where_the_host_has_it<mdp_superblock_1>();
  EXPECT_EQ(offsetof(MdSuperblockDisk, pad3) + sizeof(MdSuperblockDisk::pad3), offsetof(mdp_superblock_1, dev_roles));
  EXPECT_EQ(sizeof(MdSuperblockDisk::logical_block_size), 4u);
}

TEST(MdLayout, ConstantsAreTheKernels) {
  EXPECT_EQ(llbmp::kMdMagic, MD_SB_MAGIC);
  EXPECT_EQ(llbmp::kMdFeatureBitmapOffset, MD_FEATURE_BITMAP_OFFSET);
  EXPECT_EQ(llbmp::kMdFeatureRecoveryOffset, MD_FEATURE_RECOVERY_OFFSET);
  EXPECT_EQ(llbmp::kMdFeatureReshapeActive, MD_FEATURE_RESHAPE_ACTIVE);
  EXPECT_EQ(llbmp::kMdFeatureBadBlocks, MD_FEATURE_BAD_BLOCKS);
  EXPECT_EQ(llbmp::kMdFeatureReplacement, MD_FEATURE_REPLACEMENT);
  EXPECT_EQ(llbmp::kMdFeatureReshapeBackwards, MD_FEATURE_RESHAPE_BACKWARDS);
  EXPECT_EQ(llbmp::kMdFeatureNewOffset, MD_FEATURE_NEW_OFFSET);
  EXPECT_EQ(llbmp::kMdFeatureRecoveryBitmap, MD_FEATURE_RECOVERY_BITMAP);
  EXPECT_EQ(llbmp::kMdFeatureClustered, MD_FEATURE_CLUSTERED);
  EXPECT_EQ(llbmp::kMdFeatureJournal, MD_FEATURE_JOURNAL);
  EXPECT_EQ(llbmp::kMdFeaturePpl, MD_FEATURE_PPL);
  EXPECT_EQ(llbmp::kMdFeatureMultiplePpls, MD_FEATURE_MULTIPLE_PPLS);
  EXPECT_EQ(llbmp::kMdFeatureRaid0Layout, MD_FEATURE_RAID0_LAYOUT);
  EXPECT_EQ(llbmp::kMdFeatureAll, static_cast<std::uint32_t>(MD_FEATURE_ALL));
  EXPECT_EQ(llbmp::kMdDiskRoleMax, MD_DISK_ROLE_MAX);
  EXPECT_EQ(llbmp::kRoleSpare, MD_DISK_ROLE_SPARE);
  EXPECT_EQ(llbmp::kRoleFaulty, MD_DISK_ROLE_FAULTY);
  EXPECT_EQ(llbmp::kRoleJournal, MD_DISK_ROLE_JOURNAL);
}

// The decoder reads what the kernel's field offsets say: a superblock made
// through the host struct (on this little-endian host) reads back field by field.
TEST(MdLayout, DecodesBytesLaidOutByTheHostStruct) {
  std::vector<std::uint8_t> raw(4096, 0);
  auto* host = reinterpret_cast<mdp_superblock_1*>(raw.data());
  host->magic = MD_SB_MAGIC;
  host->major_version = 1;
  host->level = static_cast<__u32>(-1);
  host->raid_disks = 3;
  host->bitmap_offset = static_cast<__u32>(-16);
  host->super_offset = 8;
  host->dev_number = 2;
  host->bblog_size = 0x1234;
  host->events = 0x0102030405060708ULL;
  host->max_dev = 3;
  raw[offsetof(mdp_superblock_1, pad3)] = 0x00;
  raw[offsetof(mdp_superblock_1, pad3) + 1] = 0x10;  // logical block size 4096
  host->dev_roles[2] = 7;
  const auto sb = llbmp::decode_md_superblock(raw, "test");
  EXPECT_EQ(sb.level, -1);
  EXPECT_EQ(sb.raid_disks, 3u);
  EXPECT_EQ(sb.bitmap_offset, -16);
  EXPECT_EQ(sb.super_offset, 8u);
  EXPECT_EQ(sb.dev_number, 2u);
  EXPECT_EQ(sb.bblog_size, 0x1234u);
  EXPECT_EQ(sb.events, 0x0102030405060708ULL);
  EXPECT_EQ(sb.logical_block_size, 4096u);
  ASSERT_EQ(sb.dev_roles.size(), 3u);
  EXPECT_EQ(sb.dev_roles[2], 7u);
}

}  // namespace
