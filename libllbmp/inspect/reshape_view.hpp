// A member read mid-reshape (md MD_FEATURE_RESHAPE_ACTIVE, ONDISK.md 9.4 and
// 9.6): both geometries from its md superblock, the geometry its bitmap
// header still describes, and which state bytes hold the new geometry, which
// the old one and which are leftovers the kernel ignores, with their counts.
// The geometry is engine/reshape's; this only reads a member into it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/reshape.hpp"
#include "llbmp/member.hpp"

namespace llbmp {

struct ReshapeSideView {
  IndexRange indices;
  StateCounts counts;  // of the bytes on the member in `indices` (bytes past the area count as none)
};

struct MemberReshape {
  std::uint64_t position = 0;       // md reshape_position, array sectors
  std::uint64_t span_sectors = 0;   // the array range the reshape walks (0: not modelled)
  bool backwards = false;
  std::int32_t old_level = 0, new_level = 0;
  ReshapeShape old_shape, new_shape;
  // What the bitmap header still describes (its chunksize and sync_size stay
  // the old ones until the reshape ends, 9.4.2); 0 without an llbitmap.
  std::uint64_t header_chunk_sectors = 0;
  std::uint64_t header_sync_sectors = 0;
  std::uint64_t header_chunks = 0;
  std::uint64_t memory_chunks = 0;  // max(old, new): the bytes a reader scans (9.4.4)
  std::uint64_t new_chunk_sectors = 0;  // the new side's bitmap chunk
  bool remapped = false;            // false: raid1 (bytes unchanged), or no sides computed
  bool overlap = false;             // near the walk's start the sides share bytes
  std::optional<ReshapeSideView> new_side, old_side, leftovers;
  // Why no sides are shown: no llbitmap, or a geometry the reshape engine refuses (its message).
  std::string unmodelled;

  // reshape_position in percent of span_sectors (0 when span is 0).
  double percent() const noexcept;
};

// nullopt unless the member's md superblock has MD_FEATURE_RESHAPE_ACTIVE.
std::optional<MemberReshape> member_reshape(const Member& member);

// The reshape request of a member mid-reshape: both shapes from its md
// superblock, the bitmap header's chunk, sync_size and room (ONDISK 9.4).
// The member must have an llbitmap.
ReshapeRequest reshape_request_of(const Member& member);

// The findings on a member mid-reshape (ONDISK 9.4-9.6), empty for any other:
// reshape-misread-before-7-3, reshape-merge-maybe-not-on-disk (the new-side
// chunks reading Clean or an Unwritten kind, as ranges), reshape-header-already-new
// (the header has the new side's sync_size: a crash inside the finish) and
// reshape-memory-past-reserved (max(old, new) chunk bytes past the room).
Findings reshape_findings(const Member& member);

// The reshape of an array as the kernel resumes it: R from the member the
// kernel loads (kernel_source_member, the freshest), or from the first member
// mid-reshape when that one is not. nullopt when no member is mid-reshape.
struct ArrayReshape {
  std::string device;  // the member it was read from
  MemberReshape view;
};
std::optional<ArrayReshape> array_reshape(const std::vector<Member>& members);

}  // namespace llbmp
