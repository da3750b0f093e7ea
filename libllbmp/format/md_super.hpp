// The md v1.x superblock (the kernel's struct mdp_superblock_1; its bytes: format/md_super_layout.hpp).
//
// Grammar (all integers little-endian, offsets in bytes from the superblock):
//   superblock := fixed[256] dev_roles[max_dev] (u16 each)
//   fixed      := magic:u32 @0 major_version:u32 @4 feature_map:u32 @8 pad0:u32 @12
//                 set_uuid:16 @16 set_name:32 @32 ctime:u64 @64 level:s32 @72
//                 layout:u32 @76 size:u64 @80 chunksize:u32 @88 raid_disks:u32 @92
//                 bitmap_offset:s32 @96 ... data_offset:u64 @128 data_size:u64 @136
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

#include "format/error.hpp"
#include "format/personality.hpp"

namespace llbmp {

inline constexpr std::uint32_t kMdMagic = 0xa92b4efc;
inline constexpr std::uint32_t kMdMaxDevices = 1920;  // the kernel refuses more
inline constexpr std::size_t kMdSuperblockRead = 4096;  // 256 + 2 * 1920
inline constexpr std::uint16_t kRoleSpare = 0xffff;
inline constexpr std::uint16_t kRoleFaulty = 0xfffe;
inline constexpr std::uint16_t kRoleJournal = 0xfffd;
// resync_offset (and recovery_offset) of md's MaxSector: no resync pending.
inline constexpr std::uint64_t kMaxSector = ~std::uint64_t{0};

using Uuid = std::array<std::uint8_t, 16>;
std::string format_uuid(const Uuid& uuid);                   // mdadm style: 8:8:8:8 hex
std::optional<Uuid> parse_uuid(const std::string& text);     // accepts ':' '-' separators

struct MdSuperblock {
  int minor_version = 2;  // 0 (1.0), 1 (1.1), 2 (1.2): from where it was found
  std::uint32_t magic = kMdMagic;
  std::uint32_t major_version = 1;
  std::uint32_t feature_map = 0;
  Uuid set_uuid{};
  std::string set_name;
  std::uint64_t ctime = 0;
  std::int32_t level = 1;
  std::uint32_t layout = 0;
  std::uint64_t size = 0;  // sectors used per member
  std::uint32_t chunksize = 0;
  std::uint32_t raid_disks = 0;
  std::int32_t bitmap_offset = 0;  // sectors, signed, from the superblock
  std::uint64_t data_offset = 0;
  std::uint64_t data_size = 0;
  std::uint64_t super_offset = 0;
  std::uint64_t recovery_offset = 0;
  std::uint32_t dev_number = 0;
  Uuid device_uuid{};
  std::uint8_t devflags = 0;
  std::uint8_t bblog_shift = 0;
  std::uint16_t bblog_size = 0;
  std::int32_t bblog_offset = 0;
  std::uint64_t utime = 0;
  std::uint64_t events = 0;
  std::uint64_t resync_offset = 0;
  std::uint32_t sb_csum = 0;
  std::uint32_t max_dev = 0;
  std::uint32_t logical_block_size = 0;
  std::vector<std::uint16_t> dev_roles;

  std::string metadata_name() const;  // "1.0", "1.1", "1.2"
  bool has_bitmap() const noexcept;
  bool has_bad_blocks() const noexcept;
  bool has_ppl() const noexcept;  // a raid5 partial parity log, which a bitmap excludes
  // Signed byte offset of the bitmap area from the device start (may be negative
  // on a corrupt superblock: validate first).
  std::int64_t bitmap_area_offset_bytes() const noexcept;
  std::int64_t bblog_offset_bytes() const noexcept;
  // This member's role, or nullopt when dev_number is past max_dev.
  std::optional<std::uint16_t> role() const noexcept;
  // Sectors a resync covers: per-member size, or the array size for raid10.
  std::uint64_t resync_sectors() const noexcept;
  // raid10 copies (near * far), 1 for other levels.
  std::uint32_t raid10_copies() const noexcept;
  // Working roles among dev_roles (role < raid_disks).
  std::uint32_t working_roles() const noexcept;
  // This member's role in mdadm --examine's words: "Active device N",
  // "Replacement device N", "spare", "faulty", "Journal" (mdadm says "spare"
  // for a faulty member too), or "unknown (...)" when dev_number is past max_dev.
  std::string role_description() const;
  // One character per role slot 0..raid_disks-1 as mdadm --examine shows it:
  // 'A' one device holds the slot, 'R' two (a replacement; raid levels above
  // 0), '.' none, '?' more (inconsistent). A reshape's extra slots are not shown.
  std::string array_state() const;
  // Some slot 0..raid_disks-1 is held by no device ('.' in array_state).
  bool degraded() const;
};

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
