// The model of a member (llbmp/member.hpp) as the library builds it: the
// load from an open device and the checks that need the member's layout.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "format/bitmap_super.hpp"
#include "io/device.hpp"
#include "llbmp/error.hpp"
#include "format/md_super.hpp"
#include "engine/state_engine.hpp"
#include "llbmp/member.hpp"

namespace llbmp {

// Sectors of bitmap room the kernel assumes (super_1_validate and
// llbitmap_read_sb): 1.1/1.2 take sectors_reserved from the bitmap header; 1.0
// derives the room from bitmap_offset alone (-offset before the superblock,
// 8 - offset after it) and ignores sectors_reserved.
std::uint64_t kernel_room_sectors(const MdSuperblock& md, const BitmapSuper& sb) noexcept;

// load_member of a device already open (load_member(path): llbmp/member.hpp).
Member load_member(const Device& device);

// Examine's checks of a member that need only its md superblock and bitmap
// header, no state byte: validate_md_superblock, the bitmap identity and the
// header checks the kernel makes at load, and where the bitmap area lies
// (the room, the data area, the md superblock). Writers of member images run
// them on what they are about to write.
Findings layout_findings(const MdSuperblock& md, std::span<const std::uint8_t> md_raw, const BitmapSuper& sb,
                         std::uint64_t device_bytes, std::uint32_t logical_block_size);

// What the next assembly does with a stale bitmap (stale events or the STALE
// flag), in the kernel's terms: a classic bitmap is recovered whole; an
// llbitmap gets the Stale action, whose effect on these states (write
// coalescing included, as replay-resync models it) is counted.
std::string stale_bitmap_effect(const MdSuperblock& md, const MemberBitmap& bitmap);

// The checks the kernel makes when it loads `header` from this member
// (magic, version, uuid; for version 6 the room, chunk size, daemon_sleep,
// sync_size and fit): one error per refusal, empty when the kernel loads it.
// Editors call it on the header they are about to write.
Findings kernel_load_refusals(const Member& member, const BitmapSuper& header);

}  // namespace llbmp

namespace llbmp {

// Two members that cannot both be members of one array: the same device
// given twice, a clone (same device uuid) or the same role claimed twice.
// `member` indexes the second of each pair.
struct MemberFinding {
  std::size_t member = 0;
  Finding finding;
};
std::vector<MemberFinding> duplicate_members(const std::vector<Member>& members);

// Whether the bitmaps of several members of one array agree: distinct
// members (duplicate_members), same array, same header fields that matter to
// the kernel, same state bytes. Returns one finding per disagreement (empty
// when they agree).
Findings compare_members(const std::vector<Member>& members);

// The member the kernel reads the bitmap from: the first member with a working
// role and the freshest md events, lowest role first (ONDISK.md section 4).
std::size_t kernel_source_member(const std::vector<Member>& members);

// The highest md events among the members: the array's events once assembled,
// which the kernel compares each bitmap's events with.
std::uint64_t freshest_md_events(const std::vector<Member>& members) noexcept;

}  // namespace llbmp
