// One member device decoded: the md superblock, the bitmap it points to
// (classic or lockless), the state counts and every finding. This is the one
// model that examine, dump and check render, and that the writers start from.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "format/bitmap_super.hpp"
#include "io/device.hpp"
#include "format/error.hpp"
#include "format/md_super.hpp"
#include "engine/state_engine.hpp"

namespace llbmp {

struct ByteSpan {
  std::uint64_t first = 0;  // bytes from the device start
  std::uint64_t end = 0;    // exclusive
  bool overlaps(const ByteSpan& o) const noexcept { return first < o.end && o.first < end; }
};

struct ClassicNode {
  std::uint32_t node = 0;
  BitmapSuper sb;
  std::uint64_t dirty = 0;  // set bits among the chunks
};

struct LocklessView {
  std::uint64_t chunk_sectors = 0;
  std::uint64_t sync_sectors = 0;     // the array's resync size: 7.2.13 and 6.18-era kernels ignore the header's
  std::uint64_t chunks = 0;           // ceil(sync_sectors / chunk_sectors)
  std::uint64_t chunks_7_3 = 0;       // what a 7.3 kernel tracks: from the header's sync_size (0: the array's)
  std::vector<std::uint8_t> states;   // one byte per chunk (what the device holds)
  StateCounts counts;
  bool kernel_fit = true;             // the kernel's own load check
  bool true_fit = true;               // 1024 + chunks <= sectors_reserved * 512
};

struct ClassicView {
  std::uint64_t chunk_bytes = 0;
  std::uint64_t chunks = 0;
  std::vector<ClassicNode> nodes;  // one per cluster node (one for versions 3 and 4)
  std::vector<std::uint8_t> bits;  // node 0's bit area, ceil(chunks / 8) bytes
  std::uint64_t dirty = 0;         // node 0's set bits, as mdadm -X counts them
};

struct MemberBitmap {
  BitmapSuper sb;
  std::uint64_t area_offset = 0;      // bytes from the device start
  std::uint64_t room_bytes = 0;       // bytes the area may use before data, superblock or device end
  std::vector<std::uint8_t> area;     // the raw area as read (lockless: sectors_reserved * 512 when it fits)
  std::optional<LocklessView> lockless;  // set for an initialised version 6 bitmap
  std::optional<ClassicView> classic;    // set for versions 3, 4 and 5
  std::optional<ByteSpan> bblog_overlap; // bad-block log bytes over the state bytes or the area
  // The header field whose error keeps the bitmap from being decoded (no
  // lockless or classic view, not FIRST_USE), e.g. "bitmap.sync_size".
  std::string unusable_field;
};

struct Member {
  std::string device;
  std::uint64_t device_bytes = 0;
  std::uint32_t logical_block_size = 512;
  MdSuperblock md;
  std::vector<std::uint8_t> md_raw;  // kMdSuperblockRead bytes at the superblock
  std::optional<MemberBitmap> bitmap;
  Findings findings;

  bool ok() const noexcept { return !has_errors(findings); }
  // Dirty count of examine's "Bitmap :" line: not-in-sync chunks (version 6) or set bits.
  std::optional<std::uint64_t> dirty() const noexcept;
  std::optional<std::uint64_t> chunks() const noexcept;
};

// Sectors of bitmap room the kernel assumes (super_1_validate and
// llbitmap_read_sb): 1.1/1.2 take sectors_reserved from the bitmap header; 1.0
// derives the room from bitmap_offset alone (-offset before the superblock,
// 8 - offset after it) and ignores sectors_reserved.
std::uint64_t kernel_room_sectors(const MdSuperblock& md, const BitmapSuper& sb) noexcept;

// Reads and decodes one member. Throws Error only when there is nothing to
// decode (no md superblock, truncated device); everything else is a Finding.
Member load_member(const Device& device);
Member load_member(const std::string& path);

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
