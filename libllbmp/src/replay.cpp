#include "llbmp/replay.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <limits>

#include "llbmp/bitmap_super.hpp"
#include "llbmp/error.hpp"
#include "llbmp/geometry.hpp"
#include "llbmp/write_common.hpp"

namespace llbmp {

const char* sync_kind_name(SyncKind kind) noexcept {
  switch (kind) {
    case SyncKind::resync: return "resync";
    case SyncKind::requested: return "requested";
    case SyncKind::recover: return "recover";
    case SyncKind::new_disk: return "new_disk";
  }
  return "?";
}

namespace {

constexpr std::uint16_t kRoleLimit = 0xfffd;  // 0xfffe faulty, 0xffff spare

std::uint64_t freshest_events(const std::vector<Member>& members) noexcept {
  std::uint64_t events = 0;
  for (const auto& m : members) events = std::max(events, m.md.events);
  return events;
}

const Member& freshest_member(const std::vector<Member>& members) {
  const auto it = std::max_element(members.begin(), members.end(),
                                   [](const Member& a, const Member& b) { return a.md.events < b.md.events; });
  return *it;
}

bool is_working_role(const Member& m) noexcept {
  const auto role = m.md.role();
  return role && *role < kRoleLimit && *role < m.md.raid_disks;
}

// The bitmap as the kernel has it after assembly, before Reload: the state
// bytes from area byte 1024 to the end of the room, or a FIRST_USE bitmap
// initialised as llbitmap_init_state does.
struct LoadedBitmap {
  std::vector<std::uint8_t> bytes;
  std::uint64_t chunks = 0;
  std::uint64_t chunk_sectors = 0;
  std::uint64_t sync_sectors = 0;
  bool first_use = false;
};

LoadedBitmap load_source_bitmap(const Member& m) {
  if (!m.bitmap || m.bitmap->sb.version != kBitmapVersionLockless)
    throw Error(m.device, "bitmap.version", m.bitmap ? std::to_string(m.bitmap->sb.version) : std::string("none"),
                "replay-resync needs an llbitmap (version 6)");
  refuse_errors(m, {"md.", "bitmap."});
  const BitmapSuper& sb = m.bitmap->sb;
  const std::uint64_t room = std::uint64_t{sb.sectors_reserved} * 512;
  LoadedBitmap out;
  if (sb.awaiting_kernel_init()) {
    out.first_use = true;
    out.sync_sectors = m.md.resync_sectors();
    out.chunk_sectors = kernel_chunksize(out.sync_sectors, sb.sectors_reserved);
    out.chunks = chunk_count(out.sync_sectors, out.chunk_sectors);
    out.bytes.assign(std::max<std::uint64_t>(room, kStateOffset + out.chunks) - kStateOffset, 0);
    const auto fill = static_cast<std::uint8_t>(sb.has(BitmapFlag::clean) ? State::Clean : State::Unwritten);
    std::fill_n(out.bytes.begin(), out.chunks, fill);
    return out;
  }
  if (!m.bitmap->lockless)
    throw Error(m.device, "bitmap", "version 6", "the state area could not be read");
  const LocklessView& view = *m.bitmap->lockless;
  out.chunks = view.chunks;
  out.chunk_sectors = view.chunk_sectors;
  out.sync_sectors = view.sync_sectors;
  const auto& area = m.bitmap->area;
  if (area.size() > kStateOffset) out.bytes.assign(area.begin() + kStateOffset, area.end());
  if (out.bytes.size() < out.chunks) out.bytes.resize(out.chunks, 0);
  std::copy(view.states.begin(), view.states.end(), out.bytes.begin());
  return out;
}

bool unclean_shutdown(const MdSuperblock& md) noexcept {
  return md.resync_offset != std::numeric_limits<std::uint64_t>::max() && md.resync_offset < md.size;
}

std::vector<std::uint8_t> chunk_copy(const StateArea& area) {
  const auto bytes = area.chunk_bytes();
  return {bytes.begin(), bytes.end()};
}

bool needs_sync(std::uint8_t byte) noexcept {
  return byte == static_cast<std::uint8_t>(State::NeedSync) || byte == static_cast<std::uint8_t>(State::NeedSyncUnwritten);
}

// Decides whether a sync starts and of which kind (md_check_recovery and
// llbitmap's "resync wanted" rule 4).
void decide_sync(ReplayResult& r, const MdSuperblock& md, const ReplayOptions& o) {
  const auto& loaded = r.states[static_cast<std::size_t>(Stage::loaded)];
  const bool wanted = std::any_of(loaded.begin(), loaded.end(), needs_sync);
  const bool raid456 = level_is_raid456(r.level);
  switch (o.kind) {
    case SyncKind::requested:
    case SyncKind::recover:
    case SyncKind::new_disk:
      r.sync_runs = true;
      return;
    case SyncKind::resync:
      break;
  }
  if (r.degraded) {
    r.why_no_sync = "the array is degraded: nothing is resynced until a member is added (see --recover)";
    return;
  }
  if (!wanted && !unclean_shutdown(md)) {
    r.why_no_sync = "no chunk needs a sync";
    return;
  }
  r.sync_runs = true;
  r.lazy_recovery = raid456 && wanted;
}

bool skipped(std::uint8_t byte, const ReplayResult& r, bool walk_degraded) noexcept {
  const auto s = static_cast<State>(byte);
  if (s == State::Unwritten || s == State::CleanUnwritten) return true;
  if (walk_degraded) return false;
  const bool plain_resync = r.kind == SyncKind::resync && !r.lazy_recovery;
  return plain_resync && (s == State::Clean || s == State::Dirty);
}

// The sync thread (md_do_sync with llbitmap_skip_sync_blocks and
// llbitmap_start_sync), chunk by chunk up to the interrupt point.
std::vector<bool> walk(StateArea& area, ReplayResult& r, const ArrayMode& mode) {
  std::vector<bool> synced(r.chunks, false);
  const bool recovery = r.kind == SyncKind::recover || r.kind == SyncKind::new_disk;
  const std::uint64_t stop = r.interrupted ? std::min(r.interrupt_chunk, r.chunks) : r.chunks;
  for (std::uint64_t c = 0; c < stop; ++c) {
    if (skipped(area.at(c), r, mode.degraded)) continue;
    if (c == 0 && recovery && !r.lazy_recovery) area.apply_all(Action::ClearUnwritten, mode);
    area.apply(Action::Startsync, c, c, mode);
    const auto now = static_cast<State>(area.at(c));
    synced[c] = now == State::Syncing || now == State::SyncingUnwritten || r.kind == SyncKind::requested ||
                r.kind == SyncKind::new_disk;
  }
  return synced;
}

void collect_ranges(ReplayResult& r, const std::vector<bool>& synced) {
  for (std::uint64_t c = 0; c < synced.size();) {
    if (!synced[c]) {
      ++c;
      continue;
    }
    std::uint64_t last = c;
    while (last + 1 < synced.size() && synced[last + 1]) ++last;
    SyncedRange range{c, last, c * r.chunk_sectors, std::min((last + 1) * r.chunk_sectors, r.sync_sectors)};
    r.synced_chunks += last - c + 1;
    r.synced_sectors += range.sectors();
    r.synced.push_back(range);
    c = last + 1;
  }
}

void record(ReplayResult& r, Stage stage, const StateArea& area) {
  const auto i = static_cast<std::size_t>(stage);
  r.states[i] = chunk_copy(area);
  r.counts[i] = count_states(r.states[i]);
}

}  // namespace

std::size_t kernel_source_member(const std::vector<Member>& members) {
  const std::uint64_t events = freshest_events(members);
  std::size_t best = 0;
  bool found = false;
  for (std::size_t i = 0; i < members.size(); ++i) {
    const Member& m = members[i];
    if (!is_working_role(m) || m.md.events != events || !m.bitmap) continue;
    if (!found || *m.md.role() < *members[best].md.role()) best = i;
    found = true;
  }
  return best;
}

ReplayResult replay_resync(const std::vector<Member>& members, const ReplayOptions& o) {
  if (members.empty()) throw Error("", "devices", "none", "no member given");
  const Member& src = members[kernel_source_member(members)];
  LoadedBitmap loaded = load_source_bitmap(src);
  const MdSuperblock& fresh = freshest_member(members).md;

  ReplayResult r;
  r.source = src.device;
  r.level = o.level.value_or(src.md.level);
  r.degraded = o.degraded.value_or(fresh.working_roles() < fresh.raid_disks);
  r.first_use = loaded.first_use;
  r.stale = !loaded.first_use && o.stale.value_or(src.bitmap->sb.events < freshest_events(members));
  r.kind = o.kind;
  r.chunk_sectors = loaded.chunk_sectors;
  r.sync_sectors = loaded.sync_sectors;
  r.chunks = loaded.chunks;
  r.data_offset = src.md.data_offset;
  r.member_offsets = r.level != 10;
  if (r.chunk_sectors == 0) throw Error(src.device, "bitmap.chunksize", "0", "no chunk size");
  if (o.interrupt_at) {
    if (*o.interrupt_at >= r.sync_sectors)
      throw Error(src.device, "interrupt-at", std::to_string(*o.interrupt_at),
                  fmt::format("past the end of the sync ({} sectors)", r.sync_sectors));
    r.interrupted = true;
    r.interrupt_chunk = *o.interrupt_at / r.chunk_sectors;
  }

  const std::uint32_t io_size = src.md.logical_block_size != 0 ? src.md.logical_block_size : 512;
  StateArea area(std::move(loaded.bytes), r.chunks, io_size);
  ArrayMode mode{r.level, r.degraded, false};
  record(r, Stage::before, area);
  if (!r.first_use) area.apply_all(r.stale ? Action::Stale : Action::Reload, mode);
  // The superblock update at assembly (llbitmap_update_sb -> llbitmap_write_sb)
  // writes page 0 with its pending blocks; blocks of later pages stay pending,
  // so a chunk there that becomes Dirty at Endsync coalesces its block.
  area.write_back_page(0);
  record(r, Stage::loaded, area);

  decide_sync(r, fresh, o);
  const bool recovery = r.kind == SyncKind::recover || r.kind == SyncKind::new_disk;
  // A member being rebuilt counts as missing: the recovery runs degraded.
  ArrayMode walk_mode{r.level, r.degraded || recovery, false};
  if (r.sync_runs) {
    collect_ranges(r, walk(area, r, walk_mode));
    record(r, Stage::walked, area);
    if (r.interrupted) area.apply(Action::Abortsync, r.interrupt_chunk, r.chunks - 1, walk_mode);
    area.apply_all(Action::Endsync, walk_mode);
    record(r, Stage::ended, area);
  } else {
    r.interrupted = false;
    record(r, Stage::walked, area);
    record(r, Stage::ended, area);
  }
  // After a finished recovery the rebuilt member is in sync again.
  const ArrayMode settle_mode{r.level, recovery && !r.interrupted && !o.degraded.value_or(false) ? false : walk_mode.degraded, false};
  area.apply_all(Action::Daemon, settle_mode);
  record(r, Stage::settled, area);
  return r;
}

std::vector<TraceRun> trace_runs(const ReplayResult& r) {
  std::vector<TraceRun> runs;
  for (std::uint64_t c = 0; c < r.chunks; ++c) {
    std::array<std::uint8_t, kStageCount> states{};
    for (std::size_t s = 0; s < kStageCount; ++s) states[s] = r.states[s][c];
    if (!runs.empty() && runs.back().last + 1 == c && runs.back().states == states) {
      runs.back().last = c;
    } else {
      runs.push_back({c, c, states});
    }
  }
  return runs;
}

WritePlan plan_replay_commit(const std::vector<Member>& members, const ReplayResult& r) {
  enum Phase : std::size_t { kMarkStale, kStates, kHeader };
  WritePlan plan;
  plan.phase_names = {"mark the bitmap stale", "write the end states", "write the bitmap header"};
  const auto& end = r.states[static_cast<std::size_t>(Stage::settled)];
  const std::uint64_t events = freshest_events(members);
  for (const Member& m : members) {
    if (!m.bitmap || !m.bitmap->lockless)
      throw Error(m.device, "bitmap", m.bitmap && m.bitmap->sb.awaiting_kernel_init() ? "first_use" : "not an llbitmap",
                  "--commit writes initialised llbitmaps only");
    if (m.bitmap->lockless->chunks != r.chunks || m.bitmap->lockless->chunk_sectors != r.chunk_sectors)
      throw Error(m.device, "bitmap.chunks", std::to_string(m.bitmap->lockless->chunks),
                  fmt::format("differs from the loaded copy's {} chunks of {} sectors", r.chunks, r.chunk_sectors));
    MemberPlan& mp = plan.member(m.device);
    mp.room = metadata_room(m);
    plan.add(m.device, kMarkStale, m.bitmap->area_offset, stale_header_bytes(m.bitmap->sb));
    add_changed_blocks(plan, m.device, kStates, m.bitmap->area_offset + kStateOffset, m.bitmap->lockless->states, end);
    BitmapSuper sb = m.bitmap->sb;
    sb.set(BitmapFlag::stale, false);
    sb.events = std::max(sb.events, events);
    const auto header = encode_bitmap_super(sb);
    plan.add(m.device, kHeader, m.bitmap->area_offset, {header.begin(), header.end()});
  }
  check_plan(plan);
  return plan;
}

}  // namespace llbmp
