// The md v1.x superblock on disk: the 256-byte fixed part of the kernel's
// struct mdp_superblock_1, in this project's little-endian field types.
// dev_roles (le16 each, max_dev of them) follow at byte 256.
// tests/unit/format/test_md_layout.cpp checks every offset against the host's
// <linux/raid/md_p.h>.
#pragma once

#include <cstddef>
#include <cstdint>

#include "format/endian.hpp"

namespace llbmp {

// feature_map bits.
inline constexpr std::uint32_t kMdFeatureBitmapOffset = 1;
inline constexpr std::uint32_t kMdFeatureRecoveryOffset = 2;
inline constexpr std::uint32_t kMdFeatureReshapeActive = 4;
inline constexpr std::uint32_t kMdFeatureBadBlocks = 8;
inline constexpr std::uint32_t kMdFeatureReplacement = 16;
inline constexpr std::uint32_t kMdFeatureReshapeBackwards = 32;
inline constexpr std::uint32_t kMdFeatureNewOffset = 64;
inline constexpr std::uint32_t kMdFeatureRecoveryBitmap = 128;
inline constexpr std::uint32_t kMdFeatureClustered = 256;
inline constexpr std::uint32_t kMdFeatureJournal = 512;
inline constexpr std::uint32_t kMdFeaturePpl = 1024;
inline constexpr std::uint32_t kMdFeatureMultiplePpls = 2048;
inline constexpr std::uint32_t kMdFeatureRaid0Layout = 4096;
inline constexpr std::uint32_t kMdFeatureAll = 0x1fff;  // every bit above
inline constexpr std::uint16_t kMdDiskRoleMax = 0xff00;  // the largest role of a working device

struct MdSuperblockDisk {
  le32 magic;
  le32 major_version;
  le32 feature_map;
  le32 pad0;
  std::uint8_t set_uuid[16];
  std::uint8_t set_name[32];
  le64 ctime;
  le32 level;  // signed
  le32 layout;
  le64 size;
  le32 chunksize;
  le32 raid_disks;
  // Signed sectors from the superblock. With MD_FEATURE_PPL the kernel's union
  // reads it as ppl.offset (le16, signed sectors) and ppl.size (le16 sectors).
  le32 bitmap_offset;
  le32 new_level;
  le64 reshape_position;
  le32 delta_disks;
  le32 new_layout;
  le32 new_chunk;
  le32 new_offset;
  le64 data_offset;
  le64 data_size;
  le64 super_offset;
  le64 recovery_offset;  // journal_tail in the kernel's union, on a journal device
  le32 dev_number;
  le32 cnt_corrected_read;
  std::uint8_t device_uuid[16];
  std::uint8_t devflags;
  std::uint8_t bblog_shift;
  le16 bblog_size;
  le32 bblog_offset;  // signed sectors from the superblock
  le64 utime;
  le64 events;
  le64 resync_offset;
  le32 sb_csum;
  le32 max_dev;
  le32 logical_block_size;  // kernels from 7.x; older headers have pad3 from here
  std::uint8_t pad3[28];
};

inline constexpr std::size_t kMdDevRolesOffset = 256;
static_assert(sizeof(MdSuperblockDisk) == kMdDevRolesOffset);
static_assert(alignof(MdSuperblockDisk) == 1);
static_assert(offsetof(MdSuperblockDisk, magic) == 0);
static_assert(offsetof(MdSuperblockDisk, major_version) == 4);
static_assert(offsetof(MdSuperblockDisk, feature_map) == 8);
static_assert(offsetof(MdSuperblockDisk, pad0) == 12);
static_assert(offsetof(MdSuperblockDisk, set_uuid) == 16);
static_assert(offsetof(MdSuperblockDisk, set_name) == 32);
static_assert(offsetof(MdSuperblockDisk, ctime) == 64);
static_assert(offsetof(MdSuperblockDisk, level) == 72);
static_assert(offsetof(MdSuperblockDisk, layout) == 76);
static_assert(offsetof(MdSuperblockDisk, size) == 80);
static_assert(offsetof(MdSuperblockDisk, chunksize) == 88);
static_assert(offsetof(MdSuperblockDisk, raid_disks) == 92);
static_assert(offsetof(MdSuperblockDisk, bitmap_offset) == 96);
static_assert(offsetof(MdSuperblockDisk, new_level) == 100);
static_assert(offsetof(MdSuperblockDisk, reshape_position) == 104);
static_assert(offsetof(MdSuperblockDisk, delta_disks) == 112);
static_assert(offsetof(MdSuperblockDisk, new_layout) == 116);
static_assert(offsetof(MdSuperblockDisk, new_chunk) == 120);
static_assert(offsetof(MdSuperblockDisk, new_offset) == 124);
static_assert(offsetof(MdSuperblockDisk, data_offset) == 128);
static_assert(offsetof(MdSuperblockDisk, data_size) == 136);
static_assert(offsetof(MdSuperblockDisk, super_offset) == 144);
static_assert(offsetof(MdSuperblockDisk, recovery_offset) == 152);
static_assert(offsetof(MdSuperblockDisk, dev_number) == 160);
static_assert(offsetof(MdSuperblockDisk, cnt_corrected_read) == 164);
static_assert(offsetof(MdSuperblockDisk, device_uuid) == 168);
static_assert(offsetof(MdSuperblockDisk, devflags) == 184);
static_assert(offsetof(MdSuperblockDisk, bblog_shift) == 185);
static_assert(offsetof(MdSuperblockDisk, bblog_size) == 186);
static_assert(offsetof(MdSuperblockDisk, bblog_offset) == 188);
static_assert(offsetof(MdSuperblockDisk, utime) == 192);
static_assert(offsetof(MdSuperblockDisk, events) == 200);
static_assert(offsetof(MdSuperblockDisk, resync_offset) == 208);
static_assert(offsetof(MdSuperblockDisk, sb_csum) == 216);
static_assert(offsetof(MdSuperblockDisk, max_dev) == 220);
static_assert(offsetof(MdSuperblockDisk, logical_block_size) == 224);
static_assert(offsetof(MdSuperblockDisk, pad3) == 228);

}  // namespace llbmp
