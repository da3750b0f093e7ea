// A resize of an array with an llbitmap (`mdadm --grow --size`, ONDISK.md
// section 9.7): what llbitmap_resize does with the chunk count, the state
// bytes and the header on Linux 7.3, and what 7.2.13 does in memory only.
// Pure computation over state bytes; the caller gives what the personality
// passes (raid1 and raid4/5/6: member sectors, raid5 rounded to its chunk;
// raid10: the array size).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "engine/state_engine.hpp"
#include "format/geometry.hpp"
#include "format/kernel_series.hpp"

namespace llbmp {

// The largest size a bitmap covers without a bigger chunk (9.7.2):
// room * 512 chunks of chunk_sectors each.
struct ResizeLimit {
  std::uint64_t max_chunks = 0;
  std::uint64_t max_sync_sectors = 0;
};
ResizeLimit resize_limit(std::uint64_t chunk_sectors, std::uint64_t room_sectors) noexcept;

// What the personality passes llbitmap_resize for `sectors` (ONDISK.md 9.7.1):
// raid4/5/6 round the member size down to the md chunk; raid1 passes it on;
// raid10's argument is already the array size (raid10_size), passed on too.
std::uint64_t personality_resize_sectors(std::int32_t level, std::uint64_t sectors, std::uint64_t md_chunk_sectors) noexcept;

enum class ResizeRefusal : std::uint8_t {
  none,
  eopnotsupp,  // the new size needs a bigger bitmap chunk (7.3)
  ebusy,       // raid10 while a reshape runs (raid10_resize)
};

struct ResizeRequest {
  KernelSeries kernel = KernelSeries::linux_7_3;
  std::int32_t level = 1;
  bool degraded = false;                  // the daemon pass before the resize does nothing
  std::uint64_t chunk_sectors = 0;        // the bitmap chunk
  std::uint64_t old_sync_sectors = 0;     // what the bitmap covers now, as this kernel counts it
  std::uint64_t new_sync_sectors = 0;     // what the personality passes llbitmap_resize
  std::uint64_t room_sectors = 0;         // the kernel's bitmap room (bitmap_info.space)
  bool reshape_running = false;           // md reshape_position is not max
  bool refused_during_reshape = false;    // the personality's resize refuses then (raid10)
  // The state bytes from chunk 0: at least the old chunks; the bytes past them
  // (what the area holds there) are what a 7.2.13 grow finds.
  std::span<const std::uint8_t> area_states;
};

// The resync md starts after a grow (raid1_resize, raid5_resize and
// raid10_resize set resync_offset to the old size, but md_sync_position
// starts every resync of an array with a bitmap at sector 0): it walks every
// chunk, skips Unwritten ones (7.3's grown area), Clean and Dirty ones, and
// syncs NeedSync and Syncing ones. A byte that is not a state (7.2.13's new
// chunks over mdadm's 0xFF fill) is forced to NeedSync at its Startsync
// ("invalid bit ..., forcing resync") and not synced then: md starts no
// second resync by itself, so it stays NeedSync until a later one (the next
// assembly's), as 7.2.13 showed under qemu.
struct GrowResync {
  bool runs = false;                  // a grow of an array that is not degraded
  std::uint64_t from_chunk = 0;       // 0: where md starts it (resync_offset, the old size, is not used)
  std::vector<ChunkRange> synced;
  std::uint64_t synced_chunks = 0;
  std::vector<ChunkRange> forced;     // bytes that are not states: NeedSync, left for a later sync
  std::uint64_t forced_chunks = 0;
  // After it and the daemon: the synced and the Dirty chunks Clean, the forced
  // ones NeedSync. (raid4/5/6 Endsync coalescing of Unwritten neighbours into
  // NeedSync is not modelled.)
  StateCounts end;
};

struct ResizeOutcome {
  KernelSeries kernel = KernelSeries::linux_7_3;
  ResizeRefusal refusal = ResizeRefusal::none;
  ResizeLimit limit;                     // at the bitmap's chunk
  std::uint64_t old_chunks = 0;
  std::uint64_t new_chunks = 0;          // 0 when refused
  std::uint64_t chunk_sectors = 0;       // the chunk after the resize (7.2.13: may double, in memory)
  bool chunk_doubled = false;            // 7.2.13: a byte now stands for more sectors than it was written for
  bool changed = true;                   // false: same size and count, llbitmap_resize returns at once
  bool in_memory_only = false;           // 7.2.13: nothing is written by the resize
  std::optional<ChunkRange> set_unwritten;  // 7.3 grow: [old, new) set to 0
  std::optional<ChunkRange> zeroed;         // 7.3 shrink: [new, old) set to 0 and flushed
  // 7.3: the header sync_size written at once; 7.2.13: what its next update writes (the array's).
  std::uint64_t header_sync_sectors = 0;
  std::uint64_t daemon_cleaned = 0;      // 7.3: Dirty chunks the daemon pass before the resize leaves Clean
  // 7.2.13 grow: chunks whose byte lies past the pages it holds for the old count (no page is added).
  std::uint64_t chunks_past_pages = 0;
  std::vector<std::uint8_t> states;      // the new chunks as the kernel holds them after the resize
  StateCounts counts;
  GrowResync resync;
};

// llbitmap_resize for this request. Throws Error(bad_value) naming the field
// for a request that cannot be (no chunk, no room, fewer bytes than the old chunks).
ResizeOutcome preview_resize(const ResizeRequest& request);

}  // namespace llbmp
