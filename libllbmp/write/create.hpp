// Writing a fresh llbitmap onto existing members (`llbitmap create DEV...`)
// and making whole member images for tests (`create --level ... FILE...`).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "format/bitmap_super.hpp"
#include "write/builder.hpp"
#include "inspect/member.hpp"
#include "engine/state_engine.hpp"
#include "engine/state_spec.hpp"
#include "write/write_plan.hpp"

namespace llbmp {

struct CreateOptions {
  bool first_use = false;      // what mdadm 4.6 writes: the kernel initialises it
  bool assume_clean = false;   // Clean instead of Unwritten (FIRST_USE: the CLEAN flag)
  bool force = false;          // replace an existing bitmap
  std::optional<std::int32_t> offset;         // bitmap_offset, sectors from the superblock
  std::optional<std::uint32_t> reserved;      // sectors_reserved
  std::optional<std::uint32_t> daemon_sleep;  // seconds
  std::optional<std::uint32_t> chunk_sectors; // llbitmap chunk size
  std::vector<StateAssignment> states;        // seeded after the initial fill
};

struct NewBitmap {
  std::string device;
  std::int32_t bitmap_offset = 0;
  std::uint64_t area_offset = 0;  // bytes from the device start
  BitmapSuper sb;
  std::vector<std::uint8_t> area;  // sectors_reserved * 512 bytes, header first
  std::uint64_t chunks = 0;        // 0 for FIRST_USE
  StateCounts counts;
  bool md_changes = false;         // feature_map or bitmap_offset must be rewritten
};

struct CreatePlan {
  WritePlan writes;
  std::vector<NewBitmap> bitmaps;  // one per member, in the order given
};

// Checks every member and plans the writes; throws Error (nothing written)
// when any member cannot take the bitmap.
CreatePlan plan_create(const std::vector<Member>& members, const CreateOptions& options);

// Where a bitmap of `reserved` sectors goes on this member: --offset, the
// existing bitmap's offset, 8 sectors after a 1.1/1.2 superblock, or after the
// bad-block log; the area ending at the superblock on 1.0. Throws Error with
// the numbers when nothing fits.
std::int32_t choose_bitmap_offset(const Member& member, std::optional<std::int32_t> wanted, std::uint32_t reserved);

// The lockless bitmap area (header, 0xFF up to byte 1024, states) for a member.
NewBitmap build_lockless_bitmap(const Member& member, std::int32_t bitmap_offset, const CreateOptions& options);

// Test members: one image per non-missing role, written to files that must
// not exist yet. States seed lockless chunks or set classic bits.
struct ImageSpec {
  ArraySpec array;
  std::vector<StateAssignment> states;
};
// The members for `paths` (one new file each, none named twice). Throws
// Error, naming the file, at the first error examine would report on an
// image (layout_findings: a bitmap on raid0 or linear, too few devices for
// the level, a chunk size, sync size or reserved area the kernel refuses, a
// bitmap area over the data or the md superblock).
std::vector<MemberMetadata> build_member_images(const ImageSpec& spec, const std::vector<std::string>& paths);
void write_member_images(const ImageSpec& spec, const std::vector<std::string>& paths);

}  // namespace llbmp
