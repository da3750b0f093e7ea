// Linux 7.3 reshape of an array with an llbitmap (ONDISK.md section 9): the
// geometry of both sides, the side of an array sector at reshape_position,
// the remap at each checkpoint (llbitmap_reshape_mark), and a preview of a
// whole reshape with the kernel's refusals. Pure computation over state bytes.
//
// Names follow section 9: the "old" side is the kernel's `previous` geometry,
// R is reshape_position in array sectors, a "seed" is a new chunk's starting
// state, "leftovers" are the bytes between the two sides of a mid-reshape image.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "engine/state_engine.hpp"
#include "format/geometry.hpp"

namespace llbmp {

// One side's md geometry.
struct ReshapeShape {
  std::uint32_t raid_disks = 0;
  std::uint32_t chunk_sectors = 0;  // md chunk (raid10 and raid4/5/6)
  std::uint32_t layout = 0;         // md layout (raid10: near, far, offset copies)
  bool operator==(const ReshapeShape&) const = default;
};

struct ReshapeRequest {
  std::int32_t level = 0;  // md level; one with a bitmap
  ReshapeShape old_shape;
  ReshapeShape new_shape;
  std::uint64_t member_sectors = 0;        // md dev_sectors (the md superblock's size)
  std::uint64_t bitmap_chunk_sectors = 0;  // the bitmap header's chunksize
  std::uint64_t header_sync_sectors = 0;   // the bitmap header's sync_size; 0: the array's before the reshape
  std::uint32_t sectors_reserved = 0;      // the bitmap header's sectors_reserved
  // MD_FEATURE_RESHAPE_BACKWARDS; a reshape to fewer raid_disks runs backwards whatever this says.
  bool backwards = false;
  std::uint32_t io_size = 512;  // the array's logical block size: the unit of write-back and coalescing
  bool degraded = false;        // no coalescing, no daemon pass
};

// What one side counts (section 9.3).
struct ReshapeSideGeometry {
  ReshapeShape shape;
  std::uint32_t data_disks = 0;
  std::uint64_t row_sectors = 0;     // array sectors of one stripe row (raid4/5/6); 0: identity map (raid10)
  std::uint64_t sync_sectors = 0;    // bitmap_sync_size: the end of the bitmap's sector space
  std::uint64_t array_sectors = 0;   // bitmap_array_sectors: the array range this side maps
  std::uint64_t chunk_sectors = 0;   // the side's bitmap chunk
  std::uint64_t chunks = 0;          // ceil(sync_sectors / chunk_sectors)
};

struct ReshapeGeometry {
  std::int32_t level = 0;
  bool backwards = false;
  // raid1 (no sync size hook): a raid_disks change leaves the bitmap bytes alone; nothing below is remapped.
  bool remapped = true;
  ReshapeSideGeometry old_side;  // `previous`
  ReshapeSideGeometry new_side;
  std::uint64_t header_sync_sectors = 0;  // sync_size before the reshape (the request's, or the array's)
  std::uint64_t header_chunks = 0;        // ceil(header_sync_sectors / header chunk): the bytes at load
  std::uint64_t memory_chunks = 0;        // max(header_chunks, new chunks): what the kernel holds and a reader scans
  // The array range the reshape walks: raid4/5/6 forward to the new array's
  // end; backwards, and raid10 either way, over the smaller array.
  std::uint64_t span_sectors = 0;
  std::uint32_t sectors_reserved = 0;
  std::uint32_t io_size = 512;
  bool degraded = false;

  const ReshapeSideGeometry& side(bool previous) const noexcept { return previous ? old_side : new_side; }
  std::int64_t delta_disks() const noexcept {
    return static_cast<std::int64_t>(new_side.shape.raid_disks) - static_cast<std::int64_t>(old_side.shape.raid_disks);
  }
};

// Both sides of a reshape. Throws Error(bad_value) naming the request field
// for an impossible input (no such level, a level without a bitmap, a chunk
// that is not a power of two, no change at all, ...).
ReshapeGeometry reshape_geometry(const ReshapeRequest& request);

// llbitmap_map_previous: whether array sector `sector` is on the old side at
// reshape_position R (forward: at or above R; backwards: below R).
bool on_old_side(const ReshapeGeometry& geometry, std::uint64_t reshape_position, std::uint64_t sector) noexcept;

// A range of sectors [start, end).
struct SectorRange {
  std::uint64_t start = 0;
  std::uint64_t end = 0;
  std::uint64_t sectors() const noexcept { return end - start; }
  bool operator==(const SectorRange&) const = default;
};

// llbitmap_map_layout: array range [start, end) in the bitmap's sector space
// of one side: clipped to its array sectors, widened to whole stripe rows and
// mapped to device offsets (raid4/5/6) or left as is (raid10), clipped to its
// sync size. nullopt when nothing is left.
std::optional<SectorRange> map_to_side(const ReshapeGeometry& geometry, bool previous, SectorRange array) noexcept;

// The chunk indices a write of array range [start, end) marks on one side.
std::optional<ChunkRange> side_chunks(const ReshapeGeometry& geometry, bool previous, SectorRange array) noexcept;

// Half-open index range [first, end).
struct IndexRange {
  std::uint64_t first = 0;
  std::uint64_t end = 0;
  std::uint64_t count() const noexcept { return end > first ? end - first : 0; }
  bool operator==(const IndexRange&) const = default;
};

// A member image taken at reshape_position R (section 9.6): the indices that
// hold the new geometry, those that still hold the old one, and the leftovers
// between them, which the kernel ignores. Near the start of the walk (R near 0;
// backwards: near the end) the two sides can share bytes: then leftovers is
// empty and overlap is true. Empty for a geometry that is not remapped.
struct ReshapeSides {
  IndexRange new_indices;
  IndexRange old_indices;
  IndexRange leftovers;
  bool overlap = false;
};
ReshapeSides reshape_sides(const ReshapeGeometry& geometry, std::uint64_t reshape_position) noexcept;

// llbitmap_rmerge_state, the merge of section 9.5: NeedSync or Syncing on
// either side gives NeedSync; else Dirty gives Dirty; else Clean gives Clean
// (Clean + Unwritten too, every level); everything else, invalid bytes
// included, gives Unwritten.
State reshape_merge(std::uint8_t seed, std::uint8_t old_byte) noexcept;

// What one checkpoint did.
struct CheckpointOutcome {
  std::optional<ChunkRange> remapped;        // the new chunks the merge wrote
  bool walked_backwards = false;             // src_start < dst_start <= src_end: the kernel walks from the last chunk
  std::vector<std::uint64_t> written_blocks; // io_size blocks the unplug wrote (from the area start)
  std::uint64_t coalesced = 0;               // bytes changed by write coalescing
  // Remapped chunks whose byte on disk differs from memory after the unplug:
  // Clean and Unwritten results in a block that no Dirty/NeedSync result wrote.
  std::vector<ChunkRange> memory_only;
};

// The kernel's bitmap during a reshape: the bytes in memory and those on the
// members. Both are the state bytes from area offset 1024 to the end of the
// room (at least memory_chunks of them).
class ReshapeRemap {
public:
  // `disk`: the state bytes on the member. Memory starts as the same bytes in
  // the pages that hold `loaded_chunks` (7.3 reads only those; the other pages
  // are zero): header_chunks before a start, memory_chunks when a reshape resumes.
  ReshapeRemap(const ReshapeGeometry& geometry, std::vector<std::uint8_t> disk, std::uint64_t loaded_chunks);

  // llbitmap_reshape_mark(old_pos, new_pos) and the unplug that follows it:
  // the finished range [min, max) is remapped, Dirty and NeedSync results
  // (and the blocks they coalesce) are written, Clean and Unwritten stay in memory.
  CheckpointOutcome mark(std::uint64_t old_pos, std::uint64_t new_pos);

  // An action over chunks [0, chunks) (Reload at assembly, the daemon pass of a flush), then its write-back.
  ActionOutcome apply(Action action, std::uint64_t chunks);
  // __llbitmap_flush: every byte of memory reaches the disk.
  void flush_all();
  // Bytes [first, end) set to Unwritten without marking a block (llbitmap_mark_range).
  void clear(std::uint64_t first, std::uint64_t end) noexcept;

  std::span<const std::uint8_t> memory() const noexcept { return area_.bytes(); }
  std::span<const std::uint8_t> disk() const noexcept { return disk_; }

private:
  std::vector<std::uint64_t> unplug();

  ReshapeGeometry geometry_;
  StateArea area_;
  std::vector<std::uint8_t> disk_;
  ArrayMode mode_;
};

// Why the kernel would not start the reshape (section 9.2).
enum class ReshapeRefusalReason : std::uint8_t {
  smaller_chunk,      // a smaller md chunk with an llbitmap: EOPNOTSUPP (raid10 and raid4/5/6)
  bitmap_needs_sync,  // raid10: a chunk is NeedSync or Syncing: EBUSY (llbitmap_reshape_can_start)
  resync_pending,     // raid4/5/6: md resync_offset below the end: EBUSY
  sync_running,       // a sync thread runs: EBUSY
  far_layout,         // raid10 'far' layout (not offset), before or after: EINVAL
  copies_change,      // raid10 copies differ: EINVAL
};
std::string_view reshape_refusal_name(ReshapeRefusalReason reason) noexcept;  // "smaller-chunk", ...

struct ReshapeRefusal {
  ReshapeRefusalReason reason;
  std::string_view errno_name;   // "EBUSY", "EOPNOTSUPP", "EINVAL"
  std::vector<ChunkRange> chunks;  // bitmap_needs_sync: the NeedSync and Syncing chunks
};

// What the running array tells besides its bytes.
struct ReshapeStartState {
  std::optional<std::uint64_t> resync_offset;  // md resync_offset; nullopt: MaxSector (any value refuses raid4/5/6)
  bool sync_running = false;                   // a resync or recovery is running (not frozen)
};

// The refusals of a start, in the kernel's order (the first is the error it
// returns). `memory`: the kernel's bytes of its chunks (header_chunks before
// a start) after the assembly's Reload.
std::vector<ReshapeRefusal> reshape_refusals(const ReshapeGeometry& geometry, std::span<const std::uint8_t> memory,
                                             const ReshapeStartState& start);

struct ReshapePreviewRequest {
  ReshapeRequest reshape;
  std::vector<std::uint8_t> bytes;  // the state bytes on the member, from area offset 1024
  bool reload = true;               // run the assembly's Reload first (false: the bytes are already the kernel's memory)
  bool stale = false;               // with reload: a stale bitmap, whose assembly runs Stale instead of Reload
  ReshapeStartState start;
  // Resume a reshape already in progress from this reshape_position (section
  // 9.6: Reload, then the walk continues from R; no start step, no refusal).
  std::optional<std::uint64_t> resume_from;
  // Array sectors between checkpoints, rounded up to a multiple of the
  // alignment (the least common multiple of the two sides' stripe rows; raid10:
  // of the two md chunks); 0: one alignment unit. The kernel's own checkpoints
  // (every 10 s, or when the data about to be overwritten must be safe) are
  // not known offline. On aligned boundaries both sides' ranges are whole rows
  // and the proportional slices of section 9.5 are the same for every step, so
  // the merge does not depend on it, except in the step straddling the old
  // array's end (the kernel compresses the clipped old range over the new one)
  // and for coalescing, whose reach depends on the blocks pending at each
  // unplug. No daemon pass is modelled during the walk (the finish runs one).
  std::uint64_t checkpoint_sectors = 0;
  // The kernel's own checkpoints, when they are known (the values md's
  // reshape_position took while the reshape ran, in the walk's direction):
  // the walk marks [from, c1), [c1, c2), ... and the rest to the end, as
  // raid5's reshape_request and end_reshape do; checkpoint_sectors is unused.
  std::vector<std::uint64_t> checkpoints;
};

// What follows the reshape (section 9.4.5): a plain resync that syncs the
// NeedSync chunks and skips Clean, Dirty and Unwritten ones. Its walk (and a
// degraded array's rules) is replay_bytes' work.
struct ReshapeFollowUp {
  bool resync = false;                   // md starts a resync after the reshape
  std::uint64_t from_sector = 0;         // where md's resync starts: 0, as for every array with a bitmap (md_sync_position)
  std::vector<ChunkRange> need_sync;     // the NeedSync chunks: what that resync syncs
  std::uint64_t need_sync_chunks = 0;
  std::uint64_t skipped_unwritten = 0;   // Unwritten chunks (skipped by it)
  // A resync from sector 0 (raid4/5/6) replayed on the new geometry by
  // replay_bytes: the states when it ends and after the daemon (its Endsync
  // writes coalesce a block's Unwritten chunks when others in it are Dirty or
  // NeedSync).
  std::optional<StateCounts> after_sync;
  std::optional<StateCounts> end;
  std::vector<std::uint8_t> end_bytes;   // the new chunks after the daemon
};

struct ReshapePreview {
  ReshapeGeometry geometry;
  std::vector<ReshapeRefusal> refusals;  // empty: the kernel starts it; the remap below is computed either way
  std::uint64_t alignment_sectors = 0;
  std::uint64_t checkpoint_sectors = 0;  // 0 with the kernel's checkpoints given
  std::uint64_t checkpoints = 0;
  bool kernel_checkpoints = false;       // the walk used the request's checkpoints
  std::uint64_t coalesced = 0;           // bytes changed by coalescing on the way
  StateCounts before;                    // the header's chunks as given
  bool stale = false;                    // the load was the Stale action (a stale bitmap), not Reload
  StateCounts after_load;                // after Reload (or Stale), the chunks the kernel loaded
  // The state area after llbitmap_reshape_finish (memory and disk agree after
  // its full flush). A raid10 growth that doubles the chunk zeroes nothing: old
  // bytes stay from the old array's end on, not only past the new last chunk.
  std::vector<std::uint8_t> bytes;
  StateCounts after;                     // the new chunks
  std::uint64_t chunk_sectors = 0;       // the new header chunksize
  std::uint64_t sync_sectors = 0;        // the new header sync_size
  std::uint64_t chunks = 0;
  ReshapeFollowUp follow_up;
};

// The whole reshape, offline. raid1 (geometry.remapped false): the bytes as given.
ReshapePreview preview_reshape(const ReshapePreviewRequest& request);

}  // namespace llbmp
