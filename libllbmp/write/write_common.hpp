// Helpers shared by the writing commands (create, convert, restore): loading
// the members of one array for a write and describing a plan for --dry-run.
#pragma once

#include <string>
#include <vector>

#include "format/bitmap_super.hpp"
#include "inspect/array.hpp"
#include "inspect/member.hpp"
#include "write/write_plan.hpp"

namespace llbmp {

// One line per phase and member: "phase 2 (write the state area): DEV: 130816 bytes at 8448".
std::vector<std::string> describe_plan(const WritePlan& plan);

// The bytes [offset, offset + length) of the first room range holding them,
// or false when no single range holds them.
bool fits_room(const std::vector<ByteRange>& room, std::uint64_t offset, std::uint64_t length) noexcept;

// Room ranges in sectors relative to the superblock, e.g. "+16..+23, +32..+2047".
std::string describe_room(const Member& member, const std::vector<ByteRange>& room);

}  // namespace llbmp

namespace llbmp {

// The header with the STALE flag set: the first write of every rewrite, so
// that a crash before the new bitmap is complete makes the kernel resync all.
std::vector<std::uint8_t> stale_header_bytes(const BitmapSuper& sb);

// Adds to `phase` only the 512-byte blocks whose bytes change from `before`
// to `after` (both starting at device byte `offset`): unchanged bytes are not
// rewritten, so an edit of a few chunks never touches state bytes that sit
// under a bad-block log (mdadm 4.6's layout) unless it changes them.
void add_changed_blocks(WritePlan& plan, const std::string& device, std::size_t phase, std::uint64_t offset,
                        std::span<const std::uint8_t> before, std::span<const std::uint8_t> after);

// The one order of every rewrite of an existing bitmap (edit, convert,
// replay-resync --commit): the old header marked STALE on every member, the
// new body (states or bits), the new header last, each phase flushed on every
// member. A crash leaves the old bitmap, the new one, or a STALE one, which
// makes the kernel resync everything.
WritePlan bitmap_rewrite_plan();
struct BitmapBody {
  std::uint64_t offset = 0;                // device byte of after[0]
  std::span<const std::uint8_t> after;     // the new bytes (empty: the header alone is rewritten)
  std::span<const std::uint8_t> before;    // what is there now, same length: only changed blocks are written; empty: all
};
// Adds one member's rewrite to a plan from bitmap_rewrite_plan(). The STALE
// mark is written only when the body writes something; then call
// drop_empty_phases and check_plan.
void add_bitmap_rewrite(WritePlan& plan, const Member& member, const BitmapBody& body, const BitmapSuper& new_header);

// A member mid-reshape (md MD_FEATURE_RESHAPE_ACTIVE): every writing command
// refuses it, before its plan writes anything on any member, with an
// Error(refused) naming md.reshape_position. Only edit --force writes anyway,
// and says what it risks (mid_reshape_risk).
void refuse_mid_reshape(const Member& member);
// What a write to a member mid-reshape risks, for edit --force; empty when
// the member is not mid-reshape.
std::string mid_reshape_risk(const Member& member);

// Drops the phases no member writes in, so that --dry-run and fault
// injection count only real steps.
void drop_empty_phases(WritePlan& plan);

}  // namespace llbmp
