// A member's sizes as a given kernel reads them (ONDISK.md 7, 9.1, 9.7): what
// the bitmap covers (7.3: the header's sync_size, 0 the array's; 6.18 and 7.2:
// the array's resync size), the chunk count that follows, the largest size a
// resize reaches without a bigger bitmap chunk, and a preview of a resize
// (`mdadm --grow --size`) on the copy the kernel reads. engine/resize computes;
// this reads a member into it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/resize.hpp"
#include "format/kernel_series.hpp"
#include "engine/replay.hpp"
#include "llbmp/member.hpp"

namespace llbmp {

// What the kernel's bitmap covers at load.
struct KernelCoverage {
  std::uint64_t sync_sectors = 0;
  std::uint64_t chunks = 0;
};

enum class SyncSizeMatch : std::uint8_t {
  equal,           // the header's sync_size is the array's
  header_zero,     // 0: the array's
  header_smaller,  // a grown array whose header was not updated, or a bitmap covering less
  header_larger,   // 7.3 refuses to load it
};

struct MemberResize {
  KernelSeries kernel = kDefaultKernelSeries;
  std::uint64_t chunk_sectors = 0;
  std::uint64_t header_sync_sectors = 0;  // as stored
  std::uint64_t array_sync_sectors = 0;   // the md superblock's resync size
  SyncSizeMatch match = SyncSizeMatch::equal;
  bool load_refused = false;              // this kernel refuses the bitmap for its sync_size
  KernelCoverage coverage;                // what this kernel covers (none when load_refused)
  ResizeLimit limit;                      // at the bitmap's chunk and the kernel's room
  // The resize argument that reaches the limit: member sectors (raid1/4/5/6,
  // raid4/5/6 rounded down to the md chunk), the array size for raid10.
  std::uint64_t max_size_sectors = 0;
  bool limit_is_array_size = false;       // raid10
  std::uint64_t available_sectors = 0;    // the md superblock's data_size: `--size max`
  // State bytes past the count holding a state (not 0, not mdadm's 0xff),
  // outside the logical block of the last chunk (write coalescing).
  std::uint64_t states_past_count = 0;
  std::uint64_t first_state_past_count = 0;  // its chunk index
};

// What `kernel` covers of this bitmap: 7.3 the header's sync_size (0: the
// array's), 6.18 and 7.2 the array's resync size. Needs an initialised llbitmap.
KernelCoverage kernel_coverage(const MemberBitmap& bitmap, const MdSuperblock& md, KernelSeries kernel) noexcept;

// The sizes of an initialised llbitmap with a usable chunk; nullopt otherwise.
std::optional<MemberResize> member_resize(const Member& member, KernelSeries kernel);

// The sync_size findings in this kernel's terms: the messages of
// bitmap-sync-size-smaller/-larger say what `kernel` does, and
// bitmap-states-past-count is added for states left past the count.
void model_kernel_findings(Member& member, KernelSeries kernel);

// What llbitmap_resize passes for a `--grow --size` of member_sectors per
// member: raid1 the member size, raid4/5/6 rounded down to the md chunk,
// raid10 the array size raid10_size gives.
std::uint64_t resize_sync_sectors(const MdSuperblock& md, std::uint64_t member_sectors) noexcept;

// A resize previewed on one array after the assembly replay-resync replayed.
struct ResizeMembersPreview {
  std::string device;  // whose md superblock and header were used (the replayed copy's)
  std::uint64_t member_sectors = 0;      // the size asked for (per member)
  std::uint64_t available_sectors = 0;   // the smallest data_size of the members
  bool enospc = false;                   // above available_sectors: md's update_size refuses (ENOSPC)
  ResizeOutcome outcome;                 // what llbitmap_resize would do (md refuses first when enospc)
};

// `--grow --size member_sectors` (nullopt: `max`, the members' smallest
// data_size) on the array of `members` once the replayed assembly is over
// (its end state, after the daemon), as `kernel` does it. Throws Error naming
// the field for no llbitmap or a size of no sectors.
ResizeMembersPreview preview_resize_members(const std::vector<Member>& members, const ReplayResult& replay,
                                            std::optional<std::uint64_t> member_sectors, KernelSeries kernel);

}  // namespace llbmp
