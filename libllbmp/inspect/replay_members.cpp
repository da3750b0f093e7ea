#include "inspect/replay_members.hpp"

#include <algorithm>
#include <fmt/format.h>

#include "llbmp/error.hpp"
#include "format/personality.hpp"
#include "format/md_super_layout.hpp"
#include "inspect/array.hpp"
#include "inspect/resize_view.hpp"
#include "inspect/reshape_view.hpp"

namespace llbmp {

namespace {

void check_level(const Member& m, std::int32_t level) {
  if (is_modelled(level)) return;
  throw Error(m.device, "md.level", level_name(level), "replay-resync models raid1, raid10, raid4, raid5 and raid6");
}

// Which roles work, by the member's dev_roles; an array treated as degraded
// that its metadata calls whole is given its last role missing, one treated
// as whole has every role.
std::vector<bool> roles_working(const MdSuperblock& md, bool degraded) {
  std::vector<bool> roles(md.raid_disks, !degraded);
  if (!degraded) return roles;
  for (const auto role : md.dev_roles)
    if (role < md.raid_disks) roles[role] = true;
  if (!roles.empty() && static_cast<std::size_t>(std::count(roles.begin(), roles.end(), true)) == roles.size()) roles.back() = false;
  return roles;
}

std::uint32_t io_size_of(const Member& m) {
  const std::uint32_t lbs = m.md.logical_block_size;
  return lbs >= 512 && lbs <= 4096 && (lbs & (lbs - 1)) == 0 ? lbs : 512;
}

// The chosen member carries an initialised llbitmap of a modelled level: its level.
std::int32_t checked_copy(const Member& m, const ReplayOptions& options) {
  if (!m.bitmap || !m.bitmap->lockless)
    throw Error(m.device, "bitmap.version", m.bitmap ? std::to_string(m.bitmap->sb.version) : "none",
                "no initialised llbitmap (version 6) on this member: nothing to replay");
  const std::int32_t level = options.level.value_or(m.md.level);
  check_level(m, level);
  if (m.bitmap->lockless->chunk_sectors == 0) throw Error(m.device, "bitmap.chunksize", "0", "chunk size of 0 sectors");
  return level;
}

bool detected_degraded(const Member& m) { return m.md.working_roles() < m.md.raid_disks; }

// The bitmap's events behind the array's, or the STALE flag: the assembly runs Stale, not Reload.
bool stale_bitmap(const Member& m, const std::vector<Member>& members) {
  return m.bitmap->sb.events < freshest_md_events(members) || m.bitmap->sb.has(BitmapFlag::stale);
}

}  // namespace

ReplayResult replay_resync(const std::vector<Member>& members, const ReplayOptions& options) {
  if (members.empty()) throw Error("", "device", "", "no member given");
  // A superblock the kernel refuses (raid_disks out of range, say) is not replayed.
  for (const auto& m : members) refuse_errors(m, {"md."});
  const auto first_use = std::find_if(members.begin(), members.end(), [](const Member& m) {
    return m.bitmap && !m.bitmap->lockless && m.bitmap->sb.awaiting_kernel_init();
  });
  if (first_use != members.end() && std::none_of(members.begin(), members.end(), [](const Member& m) {
        return m.bitmap && m.bitmap->lockless;
      })) {
    ReplayResult r;
    r.device = first_use->device;
    r.first_use = true;
    r.level = first_use->md.level;
    r.raid_disks = first_use->md.raid_disks;
    r.kernel = options.kernel;
    return r;
  }
  const ChosenCopy copy = choose_copy(members, options.source);
  const Member& m = members[copy.member];
  const std::int32_t level = checked_copy(m, options);
  const auto& view = *m.bitmap->lockless;
  // 7.3 covers the header's sync_size, 6.18 and 7.2 the array's (ONDISK.md 9.1).
  const KernelCoverage cover = kernel_coverage(*m.bitmap, m.md, options.kernel);
  if (options.interrupt_at && *options.interrupt_at >= cover.sync_sectors)
    throw Error(m.device, "interrupt_at", std::to_string(*options.interrupt_at),
                fmt::format("past the end of the sync ({} sectors)", cover.sync_sectors), ErrorKind::bad_value);

  ReplayGeometry g;
  g.chunk_sectors = view.chunk_sectors;
  g.chunks = cover.chunks;
  g.sync_sectors = cover.sync_sectors;
  g.data_offset = m.md.data_offset;
  g.daemon_sleep = m.bitmap->sb.daemon_sleep == 0 ? 30 : m.bitmap->sb.daemon_sleep;
  g.io_size = io_size_of(m);

  const std::uint32_t working = m.md.working_roles();
  const bool degraded = detected_degraded(m);
  // A STALE flag found on disk triggers the Stale action exactly like stale events (llbitmap_read_sb);
  // the events are the array's, the freshest member's, even when another member's copy is replayed.
  const bool detected_stale = stale_bitmap(m, members);
  ReplaySetup s;
  s.level = level;
  s.degraded = options.degraded.value_or(degraded);
  s.roles_working = roles_working(m.md, s.degraded);
  s.layout = m.md.layout;
  s.md_chunk_sectors = m.md.chunksize;
  s.stale = options.stale || detected_stale;
  s.unclean = m.md.resync_offset < m.md.resync_sectors();
  s.kind = options.kind;
  s.interrupt_at = options.interrupt_at;
  s.speed_kib = options.speed_kib;
  s.trace = options.trace;
  s.kernel = options.kernel;

  auto r = replay_bytes(copy_area_states(m, copy), g, s);
  r.device = m.device;
  r.source = copy.describe(members);
  r.copies = copy.copies;
  r.disagreeing_chunks = copy.disagreeing_chunks;
  r.raid_disks = m.md.raid_disks;
  r.working_roles = working;
  r.detected_degraded = degraded;
  r.detected_stale = detected_stale;
  return r;
}

ReshapeMembersPreview preview_reshape_members(const std::vector<Member>& members, const ReplayOptions& options,
                                              const ReshapeTarget& target) {
  if (members.empty()) throw Error("", "device", "", "no member given");
  for (const auto& m : members) refuse_errors(m, {"md."});
  const ChosenCopy copy = choose_copy(members, options.source);
  const Member& m = members[copy.member];
  const std::int32_t level = checked_copy(m, options);
  if ((m.md.feature_map & kMdFeatureReshapeActive) != 0)
    throw Error(m.device, "md.feature_map", fmt::format("{:#x}", m.md.feature_map),
                "a reshape is already in progress: a preview starts from a finished geometry");
  if (target.level && *target.level != level)
    throw Error(m.device, "reshape.level", level_name(*target.level),
                fmt::format("the array is {}: a level change (takeover) is not previewed", level_name(level)), ErrorKind::bad_value);
  ReshapePreviewRequest rq;
  ReshapeRequest& r = rq.reshape;
  r.level = level;
  r.old_shape = {m.md.raid_disks, m.md.chunksize, m.md.layout};
  r.new_shape = {target.raid_disks, target.chunk_sectors.value_or(m.md.chunksize), target.layout.value_or(m.md.layout)};
  r.member_sectors = m.md.size;
  r.bitmap_chunk_sectors = m.bitmap->sb.chunksize;
  r.header_sync_sectors = m.bitmap->sb.sync_size;
  r.sectors_reserved = m.bitmap->sb.sectors_reserved;
  r.io_size = io_size_of(m);
  r.degraded = options.degraded.value_or(detected_degraded(m));
  rq.bytes = copy_area_states(m, copy);
  rq.stale = options.stale || stale_bitmap(m, members);
  rq.checkpoints = target.checkpoints;
  // An unclean array's resync_offset stays below the end until its resync has run.
  if (m.md.resync_offset < m.md.resync_sectors()) rq.start.resync_offset = m.md.resync_offset;
  return {m.device, copy.describe(members), preview_reshape(rq), std::nullopt};
}

std::optional<ReshapeMembersPreview> resume_reshape_members(const std::vector<Member>& members, const ReplayOptions& options) {
  if (members.empty()) throw Error("", "device", "", "no member given");
  const bool mid_reshape = std::any_of(members.begin(), members.end(), [](const Member& m) {
    return m.md.reshape_active() && m.bitmap && m.bitmap->lockless;
  });
  if (!mid_reshape) return std::nullopt;
  for (const auto& m : members) refuse_errors(m, {"md."});
  const ChosenCopy copy = choose_copy(members, options.source);
  const Member& m = members[copy.member];
  if (!m.md.reshape_active() || !m.bitmap || !m.bitmap->lockless) return std::nullopt;
  checked_copy(m, options);
  ReshapePreviewRequest rq;
  rq.reshape = reshape_request_of(m);
  rq.reshape.io_size = io_size_of(m);
  rq.reshape.degraded = options.degraded.value_or(detected_degraded(m));
  bool remapped = false;
  try {
    remapped = reshape_geometry(rq.reshape).remapped;
  } catch (const Error& e) {  // e.g. a reshape_position with no change of shape: nothing a kernel resumes
    throw Error(m.device, "md.reshape_position", std::to_string(m.md.reshape_position),
                fmt::format("mid-reshape, but its old and new geometry cannot be resumed: {} = {}: {}", e.field(), e.value(),
                            e.message()));
  }
  if (!remapped) return std::nullopt;
  if (options.kernel != KernelSeries::linux_7_3)
    throw Error(m.device, "md.feature_map", "reshape_active",
                fmt::format("the array is mid-reshape at reshape_position {}: Linux {} has no remap of an llbitmap and "
                            "misreads it (finding reshape-misread-before-7-3); its next assembly is modelled for Linux "
                            "7.3 only",
                            m.md.reshape_position, kernel_series_name(options.kernel)));
  rq.bytes = copy_area_states(m, copy);
  rq.stale = options.stale || stale_bitmap(m, members);
  rq.resume_from = m.md.reshape_position;
  return ReshapeMembersPreview{m.device, copy.describe(members), preview_reshape(rq), m.md.reshape_position};
}

}  // namespace llbmp
