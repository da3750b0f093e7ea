// The md v1.x superblock (the kernel's struct mdp_superblock_1; its bytes: format/md_super_layout.hpp).
//
// Grammar (all integers little-endian, offsets in bytes from the superblock):
//   superblock := fixed[256] dev_roles[max_dev] (u16 each)
//   fixed      := magic:u32 @0 major_version:u32 @4 feature_map:u32 @8 pad0:u32 @12
//                 set_uuid:16 @16 set_name:32 @32 ctime:u64 @64 level:s32 @72
//                 layout:u32 @76 size:u64 @80 chunksize:u32 @88 raid_disks:u32 @92
//                 bitmap_offset:s32 @96 new_level:s32 @100
//                 reshape_position:u64 @104 delta_disks:s32 @112 new_layout:u32 @116
//                 new_chunk:u32 @120 new_offset:s32 @124 data_offset:u64 @128 data_size:u64 @136
//                 super_offset:u64 @144 recovery_offset:u64 @152 dev_number:u32 @160
//                 ... device_uuid:16 @168 devflags:u8 @184 bblog_shift:u8 @185
//                 bblog_size:u16 @186 bblog_offset:s32 @188 utime:u64 @192
//                 events:u64 @200 resync_offset:u64 @208 sb_csum:u32 @216
//                 max_dev:u32 @220 logical_block_size:u32 @224 (kernels >= 7.x; pad3
//                 in older headers) pad3 @228..255
// Location (sectors from the device start): 1.1 at 0, 1.2 at 8, 1.0 at
// (device_sectors - 16) & ~7.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "llbmp/error.hpp"
#include "llbmp/md_super.hpp"
#include "format/personality.hpp"

namespace llbmp {

inline constexpr std::size_t kMdSuperblockRead = 4096;  // 256 + 2 * 1920

// The checksum the kernel computes (calc_sb_1_csum) over the first
// 256 + 2 * max_dev bytes with sb_csum taken as 0.
std::uint32_t md_superblock_checksum(std::span<const std::uint8_t> bytes, std::uint32_t max_dev);

// Decodes the 4 KiB read at the superblock location. Throws Error when the
// buffer is too short for the fixed part; every value is left for validate.
// minor_version follows super_offset (0: 1.1, 8: 1.2, else 1.0).
MdSuperblock decode_md_superblock(std::span<const std::uint8_t> bytes, const std::string& device);

// The v1.<minor_version> superblock in `bytes`, read where that version lies
// on a device of device_bytes: nullopt unless it carries the md magic, major
// version 1 and a super_offset naming that very sector.
std::optional<MdSuperblock> md_superblock_at(std::span<const std::uint8_t> bytes, int minor_version,
                                             std::uint64_t device_bytes, const std::string& device);

// Every problem of a decoded superblock: field, value and meaning.
Findings validate_md_superblock(const MdSuperblock& sb, std::span<const std::uint8_t> raw,
                                std::uint64_t device_bytes);

// Encodes sb over a copy of the original raw bytes (unknown bytes kept) and
// recomputes sb_csum. Returns 256 + 2 * max_dev bytes rounded up to 512.
std::vector<std::uint8_t> encode_md_superblock(const MdSuperblock& sb, std::span<const std::uint8_t> raw);

// Sector where a v1.<minor> superblock lives on a device of the given size.
std::optional<std::uint64_t> md_superblock_sector(int minor_version, std::uint64_t device_bytes);

}  // namespace llbmp
