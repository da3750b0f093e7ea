#include "inspect/reshape_start.hpp"

#include <algorithm>

#include "format/geometry.hpp"
#include "format/personality.hpp"
#include "inspect/member.hpp"

namespace llbmp {

namespace {

std::uint64_t chunks_in(const std::vector<ChunkRange>& ranges) noexcept {
  std::uint64_t n = 0;
  for (const auto& r : ranges) n += r.count();
  return n;
}

// Any reshape: the array grown by one member, same chunk and layout.
ReshapeRequest probe_request(const Member& m) {
  ReshapeRequest r;
  r.level = m.md.level;
  r.old_shape = {m.md.raid_disks, m.md.chunksize, m.md.layout};
  r.new_shape = {m.md.raid_disks + 1, m.md.chunksize, m.md.layout};
  r.member_sectors = m.md.size;
  r.bitmap_chunk_sectors = m.bitmap->sb.chunksize;
  r.header_sync_sectors = m.bitmap->sb.sync_size;
  r.sectors_reserved = m.bitmap->sb.sectors_reserved;
  const std::uint32_t lbs = m.logical_block_size;
  r.io_size = lbs >= 512 && lbs <= kPageBytes && is_power_of_two(lbs) ? lbs : 512;
  r.degraded = m.md.working_roles() < m.md.raid_disks;
  return r;
}

std::string not_applicable_reason(const Member& m) {
  const auto* p = personality_of(m.md.level);
  if (p == nullptr) return "a level md has no personality for";
  if (!p->bitmap) return level_name(m.md.level) + " keeps no bitmap";
  if (!m.bitmap || !m.bitmap->sb.lockless()) return "no llbitmap on this member";
  if (m.bitmap->sb.awaiting_kernel_init()) return "FIRST_USE: the kernel initialises the bitmap at the next assembly";
  return {};
}

// The kernel's bytes once the array is assembled: Reload, or Stale for a stale bitmap.
std::vector<std::uint8_t> loaded_bytes(const Member& m, const ReshapeGeometry& g, bool stale) {
  const auto& area = m.bitmap->area;
  std::vector<std::uint8_t> bytes;
  if (area.size() > kStateOffset) bytes.assign(area.begin() + static_cast<std::ptrdiff_t>(kStateOffset), area.end());
  ReshapeRemap remap(g, std::move(bytes), g.header_chunks);
  remap.apply(stale ? Action::Stale : Action::Reload, g.header_chunks);
  const auto memory = remap.memory();
  return {memory.begin(), memory.begin() + static_cast<std::ptrdiff_t>(std::min<std::size_t>(memory.size(), g.header_chunks))};
}

}  // namespace

std::string_view reshape_start_verdict_name(ReshapeStartVerdict verdict) noexcept {
  switch (verdict) {
    case ReshapeStartVerdict::allowed: return "allowed";
    case ReshapeStartVerdict::refused: return "refused";
    case ReshapeStartVerdict::bitmap_untouched: return "bitmap-untouched";
    case ReshapeStartVerdict::not_applicable: return "not-applicable";
  }
  return "not-applicable";
}

std::optional<ReshapeStartCheck> reshape_start_check(const std::vector<Member>& members) {
  if (members.empty()) return std::nullopt;
  const Member& m = members[kernel_source_member(members)];
  ReshapeStartCheck out;
  out.device = m.device;
  out.level = m.md.level;
  if (m.md.reshape_active()) {  // md update_raid_disks: one reshape at a time
    out.verdict = ReshapeStartVerdict::refused;
    out.reshape_running = true;
    return out;
  }
  if (out.why = not_applicable_reason(m); !out.why.empty()) return out;
  ReshapeGeometry g;
  try {
    g = reshape_geometry(probe_request(m));
  } catch (const Error& e) {
    out.why = e.field() + " " + e.value() + ": " + e.message();
    return out;
  }
  if (!g.remapped) {
    out.verdict = ReshapeStartVerdict::bitmap_untouched;
    return out;
  }
  out.stale = m.bitmap->sb.events < freshest_md_events(members) || m.bitmap->sb.has(BitmapFlag::stale);
  ReshapeStartState start;
  if (m.md.resync_offset < m.md.resync_sectors()) start.resync_offset = out.resync_offset = m.md.resync_offset;
  out.refusals = reshape_refusals(g, loaded_bytes(m, g, out.stale), start);
  for (const auto& r : out.refusals)
    if (r.reason == ReshapeRefusalReason::bitmap_needs_sync) out.busy_chunks = chunks_in(r.chunks);
  if (!maps_stripe_rows(m.md.level)) out.resync_offset.reset();  // raid10 asks the bitmap, not resync_offset
  out.verdict = out.refusals.empty() ? ReshapeStartVerdict::allowed : ReshapeStartVerdict::refused;
  return out;
}

}  // namespace llbmp
