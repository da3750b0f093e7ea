// The md v1.x superblock of a member as the library decodes it (the kernel's
// struct mdp_superblock_1). Its byte layout, decoding, encoding and checks
// are the library's own (libllbmp/format/md_super.hpp).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <llbmp/export.hpp>

namespace llbmp {

inline constexpr std::uint32_t kMdMagic = 0xa92b4efc;
inline constexpr std::uint32_t kMdMaxDevices = 1920;  // the kernel refuses more
inline constexpr std::uint16_t kRoleSpare = 0xffff;
inline constexpr std::uint16_t kRoleFaulty = 0xfffe;
inline constexpr std::uint16_t kRoleJournal = 0xfffd;
// resync_offset (and recovery_offset) of md's MaxSector: no resync pending.
inline constexpr std::uint64_t kMaxSector = ~std::uint64_t{0};

using Uuid = std::array<std::uint8_t, 16>;
LLBMP_API std::string format_uuid(const Uuid& uuid);                // mdadm style: 8:8:8:8 hex
LLBMP_API std::optional<Uuid> parse_uuid(const std::string& text);  // accepts ':' '-' separators

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
  // A reshape (MD_FEATURE_RESHAPE_ACTIVE, ONDISK.md 9.4): raid_disks above is
  // the new count and raid_disks - delta_disks the old one; level, layout and
  // chunksize above are the old geometry and new_level, new_layout, new_chunk
  // the new one. reshape_position is in array sectors.
  std::int32_t new_level = 0;
  std::uint64_t reshape_position = 0;
  std::int32_t delta_disks = 0;
  std::uint32_t new_layout = 0;
  std::uint32_t new_chunk = 0;
  std::int32_t new_offset = 0;  // sectors, signed: the data_offset change of the reshape
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

  LLBMP_API std::string metadata_name() const;  // "1.0", "1.1", "1.2"
  LLBMP_API bool has_bitmap() const noexcept;
  LLBMP_API bool has_bad_blocks() const noexcept;
  LLBMP_API bool has_ppl() const noexcept;
  bool reshape_active() const noexcept { return (feature_map & 4u) != 0; }  // MD_FEATURE_RESHAPE_ACTIVE
  // MD_FEATURE_RESHAPE_BACKWARDS, or fewer devices after it (the kernel walks backwards then).
  bool reshape_backwards() const noexcept { return (feature_map & 32u) != 0 || delta_disks < 0; }
  std::int64_t old_raid_disks() const noexcept { return std::int64_t{raid_disks} - delta_disks; }  // a raid5 partial parity log, which a bitmap excludes
  // Signed byte offset of the bitmap area from the device start (may be negative
  // on a corrupt superblock: validate first).
  LLBMP_API std::int64_t bitmap_area_offset_bytes() const noexcept;
  LLBMP_API std::int64_t bblog_offset_bytes() const noexcept;
  // This member's role, or nullopt when dev_number is past max_dev.
  LLBMP_API std::optional<std::uint16_t> role() const noexcept;
  // Sectors a resync covers: per-member size, or the array size for raid10.
  LLBMP_API std::uint64_t resync_sectors() const noexcept;
  // raid10 copies (near * far), 1 for other levels.
  LLBMP_API std::uint32_t raid10_copies() const noexcept;
  // Working roles among dev_roles (role < raid_disks).
  LLBMP_API std::uint32_t working_roles() const noexcept;
  // This member's role in mdadm --examine's words: "Active device N",
  // "Replacement device N", "spare", "faulty", "Journal" (mdadm says "spare"
  // for a faulty member too), or "unknown (...)" when dev_number is past max_dev.
  LLBMP_API std::string role_description() const;
  // One character per role slot 0..raid_disks-1 as mdadm --examine shows it:
  // 'A' one device holds the slot, 'R' two (a replacement; raid levels above
  // 0), '.' none, '?' more (inconsistent). A reshape's extra slots are not shown.
  LLBMP_API std::string array_state() const;
  // Some slot 0..raid_disks-1 is held by no device ('.' in array_state).
  LLBMP_API bool degraded() const;
};

}  // namespace llbmp
