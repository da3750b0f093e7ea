// One member device decoded: the md superblock, the bitmap it points to
// (classic or lockless), the state counts and every finding. This is the one
// model that examine, dump and check render, and that the writers start from.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <llbmp/bitmap_super.hpp>
#include <llbmp/error.hpp>
#include <llbmp/export.hpp>
#include <llbmp/md_super.hpp>
#include <llbmp/state.hpp>

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
  std::vector<std::uint8_t> md_raw;  // the 4096 bytes read at the superblock
  std::optional<MemberBitmap> bitmap;
  Findings findings;

  bool ok() const noexcept { return !has_errors(findings); }
  // Dirty count of examine's "Bitmap :" line: not-in-sync chunks (version 6) or set bits.
  LLBMP_API std::optional<std::uint64_t> dirty() const noexcept;
  LLBMP_API std::optional<std::uint64_t> chunks() const noexcept;
};

// Reads and decodes one member, read only. Throws Error only when there is
// nothing to decode (no md superblock, truncated device); everything else is
// a Finding.
LLBMP_API Member load_member(const std::string& path);

}  // namespace llbmp
