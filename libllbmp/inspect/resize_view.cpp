#include "inspect/resize_view.hpp"

#include <algorithm>
#include <fmt/format.h>

#include "format/geometry.hpp"
#include "format/md_super_layout.hpp"
#include "format/personality.hpp"
#include "inspect/array.hpp"
#include "inspect/member.hpp"
#include "llbmp/error.hpp"

namespace llbmp {

namespace {

constexpr std::uint8_t kMdadmFill = 0xff;

bool usable_llbitmap(const Member& m) {
  return m.bitmap && m.bitmap->sb.magic == kBitmapMagic && m.bitmap->sb.lockless() &&
         !m.bitmap->sb.awaiting_kernel_init() && is_power_of_two(m.bitmap->sb.chunksize) &&
         m.bitmap->sb.sectors_reserved != 0;
}

SyncSizeMatch match_of(std::uint64_t header, std::uint64_t array) noexcept {
  if (header == 0) return SyncSizeMatch::header_zero;
  if (header < array) return SyncSizeMatch::header_smaller;
  if (header > array) return SyncSizeMatch::header_larger;
  return SyncSizeMatch::equal;
}

std::uint32_t io_size(const Member& m) noexcept {
  const std::uint32_t lbs = m.md.logical_block_size;
  return lbs >= 512 && lbs <= 4096 && is_power_of_two(lbs) ? lbs : 512;
}

// Bytes past `chunks` that hold a state: not 0 (what 7.3 leaves and zero-fills),
// not mdadm's 0xff fill, and not in the logical block of the last chunk
// (write coalescing changes those).
void count_states_past(const Member& m, std::uint64_t chunks, MemberResize& out) {
  const auto& area = m.bitmap->area;
  if (chunks == 0 || area.size() <= kStateOffset + chunks) return;
  const std::uint64_t block = io_size(m);
  const std::uint64_t from = std::max(kStateOffset + chunks, (kStateOffset + chunks - 1) / block * block + block);
  for (std::uint64_t at = from; at < area.size(); ++at) {
    const std::uint8_t b = area[at];
    if (b == 0 || b == kMdadmFill || !is_valid_state(b)) continue;
    if (out.states_past_count == 0) out.first_state_past_count = at - kStateOffset;
    ++out.states_past_count;
  }
}

std::string smaller_message(const MemberResize& r) {
  if (header_sync_size_used(r.kernel))
    return fmt::format(
        "smaller than the array's resync size ({} sectors): Linux {} covers only the first {} chunks (a grown array "
        "whose header was not updated, or a bitmap covering less): writes from sector {} on set no bit",
        r.array_sync_sectors, kernel_series_name(r.kernel), r.coverage.chunks, r.coverage.chunks * r.chunk_sectors);
  return fmt::format(
      "smaller than the array's resync size ({} sectors): Linux {} ignores it, covers the whole array ({} chunks) and "
      "writes the array's sync_size at its first superblock update; 7.3 would cover only the first {} chunks",
      r.array_sync_sectors, kernel_series_name(r.kernel), r.coverage.chunks,
      chunk_count(r.header_sync_sectors, r.chunk_sectors));
}

std::string larger_message(const MemberResize& r) {
  if (header_sync_size_used(r.kernel))
    return fmt::format(
        "larger than the array's resync size ({} sectors): Linux {} refuses to load the bitmap (a shrink by a kernel "
        "that did not rewrite the header, or damage)",
        r.array_sync_sectors, kernel_series_name(r.kernel));
  return fmt::format(
      "larger than the array's resync size ({} sectors): Linux {} ignores it, covers the array's {} chunks and writes "
      "the array's sync_size at its first superblock update; 7.3 refuses to load the bitmap",
      r.array_sync_sectors, kernel_series_name(r.kernel), r.coverage.chunks);
}

}  // namespace

KernelCoverage kernel_coverage(const MemberBitmap& bitmap, const MdSuperblock& md, KernelSeries kernel) noexcept {
  const std::uint64_t array = md.resync_sectors();
  const std::uint64_t header = bitmap.sb.sync_size == 0 ? array : bitmap.sb.sync_size;
  const std::uint64_t sync = header_sync_size_used(kernel) ? header : array;
  return {sync, chunk_count(sync, bitmap.sb.chunksize)};
}

std::optional<MemberResize> member_resize(const Member& m, KernelSeries kernel) {
  if (!usable_llbitmap(m)) return std::nullopt;
  const auto& sb = m.bitmap->sb;
  MemberResize r;
  r.kernel = kernel;
  r.chunk_sectors = sb.chunksize;
  r.header_sync_sectors = sb.sync_size;
  r.array_sync_sectors = m.md.resync_sectors();
  r.match = match_of(sb.sync_size, r.array_sync_sectors);
  r.load_refused = header_sync_size_used(kernel) && r.match == SyncSizeMatch::header_larger;
  if (!r.load_refused) r.coverage = kernel_coverage(*m.bitmap, m.md, kernel);
  r.limit = resize_limit(sb.chunksize, kernel_room_sectors(m.md, sb));
  r.limit_is_array_size = counts_array_sectors(m.md.level);
  r.max_size_sectors = personality_resize_sectors(m.md.level, r.limit.max_sync_sectors, m.md.chunksize);
  r.available_sectors = m.md.data_size;
  if (!r.load_refused && m.bitmap->lockless) count_states_past(m, r.coverage.chunks, r);
  return r;
}

void model_kernel_findings(Member& m, KernelSeries kernel) {
  const auto r = member_resize(m, kernel);
  if (!r) return;
  for (auto& f : m.findings) {
    if (f.id == FindingId::bitmap_sync_size_smaller) f.message = smaller_message(*r);
    if (f.id == FindingId::bitmap_sync_size_larger) f.message = larger_message(*r);
  }
  if (r->states_past_count != 0)
    m.findings.emplace_back(
        FindingId::bitmap_states_past_count, "bitmap.states", std::to_string(r->states_past_count),
        fmt::format("{} bytes past the last of the {} chunks Linux {} covers hold states (first at chunk {}): a resize "
                    "by 7.2.13, which clears nothing, or damage; 7.3 sets the chunks a shrink cuts to 0",
                    r->states_past_count, r->coverage.chunks, kernel_series_name(kernel), r->first_state_past_count));
}

std::uint64_t resize_sync_sectors(const MdSuperblock& md, std::uint64_t member_sectors) noexcept {
  if (counts_array_sectors(md.level)) {
    MdSuperblock resized = md;
    resized.size = member_sectors;
    return resized.resync_sectors();
  }
  return personality_resize_sectors(md.level, member_sectors, md.chunksize);
}

ResizeMembersPreview preview_resize_members(const std::vector<Member>& members, const ReplayResult& replay,
                                            std::optional<std::uint64_t> member_sectors, KernelSeries kernel) {
  const auto chosen = std::find_if(members.begin(), members.end(), [&](const Member& m) { return m.device == replay.device; });
  if (chosen == members.end() || !chosen->bitmap || !chosen->bitmap->lockless)
    throw Error(replay.device, "bitmap.version", "none", "no initialised llbitmap (version 6) replayed: no resize to preview");
  const Member& m = *chosen;
  ResizeMembersPreview out;
  out.device = m.device;
  out.available_sectors = m.md.data_size;
  for (const auto& other : members) out.available_sectors = std::min(out.available_sectors, other.md.data_size);
  out.member_sectors = member_sectors.value_or(out.available_sectors);
  out.enospc = out.member_sectors > out.available_sectors;
  ResizeRequest rq;
  rq.kernel = kernel;
  rq.level = replay.level;
  rq.degraded = replay.degraded;
  rq.chunk_sectors = replay.chunk_sectors;
  rq.old_sync_sectors = replay.sync_sectors;
  rq.new_sync_sectors = resize_sync_sectors(m.md, out.member_sectors);
  if (rq.new_sync_sectors == 0)
    throw Error(m.device, "size", std::to_string(out.member_sectors), "less than one md chunk: a resize to no sectors",
                ErrorKind::bad_value);
  rq.room_sectors = kernel_room_sectors(m.md, m.bitmap->sb);
  rq.reshape_running = (m.md.feature_map & kMdFeatureReshapeActive) != 0;
  rq.refused_during_reshape = resize_refused_during_reshape(m.md.level);
  rq.area_states = replay.end_bytes;
  out.outcome = preview_resize(rq);
  return out;
}

}  // namespace llbmp
