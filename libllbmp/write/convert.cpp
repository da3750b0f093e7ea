#include "write/convert.hpp"

#include <fmt/core.h>

#include <algorithm>

#include "inspect/copy_choice.hpp"
#include "write/create.hpp"
#include "llbmp/error.hpp"
#include "format/geometry.hpp"
#include "write/write_common.hpp"

namespace llbmp {

namespace {

constexpr std::uint32_t kClassicVersion = 4;
constexpr std::uint32_t kDefaultReservedSectors = 256;
constexpr std::uint32_t kClassicDefaultDaemonSleep = 5;

// The source bitmap of one member: its geometry and which chunks are out of sync.
struct Source {
  std::uint64_t chunk_sectors = 0;
  std::uint64_t chunks = 0;
  std::vector<bool> out_of_sync;
};

bool classic_bit(const std::vector<std::uint8_t>& bits, std::uint64_t i) noexcept {
  return i / 8 < bits.size() && (bits[i / 8] >> (i % 8) & 1) != 0;
}

Source read_source(const Member& m, BitmapFormat to) {
  refuse_errors(m, {"md."});
  if (!m.bitmap) throw Error(m.device, "md.feature_map", fmt::format("{:#x}", m.md.feature_map), "this member has no bitmap");
  const BitmapSuper& sb = m.bitmap->sb;
  Source s;
  if (to == BitmapFormat::lockless) {
    if (sb.lockless()) throw Error(m.device, "bitmap.version", "6", "already an llbitmap (a conversion to classic goes back)");
    if (sb.version == 5 || !m.bitmap->classic)
      throw Error(m.device, "bitmap.version", std::to_string(sb.version),
                  sb.version == 5 ? "a clustered bitmap (version 5): md-cluster has no lockless bitmap" : "the classic bitmap could not be read");
    const ClassicView& c = *m.bitmap->classic;
    if (c.chunk_bytes % 512 != 0) throw Error(m.device, "bitmap.chunksize", std::to_string(c.chunk_bytes), "not a whole number of sectors");
    s.chunk_sectors = c.chunk_bytes / 512;
    s.chunks = c.chunks;
    s.out_of_sync.resize(s.chunks);
    for (std::uint64_t i = 0; i < s.chunks; ++i) s.out_of_sync[i] = classic_bit(c.bits, i);
  } else {
    if (!sb.lockless()) throw Error(m.device, "bitmap.version", std::to_string(sb.version), "already a classic bitmap");
    if (!m.bitmap->lockless)
      throw Error(m.device, "bitmap.state", sb.awaiting_kernel_init() ? "first_use" : "unreadable",
                  "the llbitmap has no chunk states yet: assemble the array once, or create a classic bitmap with mdadm");
    const LocklessView& v = *m.bitmap->lockless;
    s.chunk_sectors = v.chunk_sectors;
    s.chunks = v.chunks;
    s.out_of_sync.resize(s.chunks);
    for (std::uint64_t i = 0; i < s.chunks; ++i) s.out_of_sync[i] = counts_as_dirty(v.states[i]);
  }
  if (s.chunk_sectors == 0) throw Error(m.device, "bitmap.chunksize", "0", "no chunk size");
  return s;
}

// Every member checked as a source of one geometry, then the copy chosen
// (the kernel's, one member's, or every copy merged at the worst state).
Source chosen_source(const std::vector<Member>& members, const ConvertOptions& o, ConvertPlan& plan) {
  Source chosen = read_source(members.front(), o.to);
  for (std::size_t i = 1; i < members.size(); ++i) {
    const Source s = read_source(members[i], o.to);
    if (s.chunk_sectors != chosen.chunk_sectors || s.chunks != chosen.chunks)
      throw Error(members[i].device, "bitmap.chunksize", std::to_string(s.chunk_sectors),
                  fmt::format("differs from {}'s {} chunks of {} sectors: the members are not one array's", members.front().device,
                              chosen.chunks, chosen.chunk_sectors));
  }
  const ChosenCopy copy = choose_copy(members, o.source);
  plan.source = copy.describe(members);
  plan.source_copies = copy.copies;
  plan.disagreeing_chunks = copy.disagreeing_chunks;
  for (std::uint64_t c = 0; c < chosen.chunks; ++c)
    chosen.out_of_sync[c] = o.to == BitmapFormat::lockless ? copy.out_of_sync[c] : counts_as_dirty(copy.states[c]);
  return chosen;
}

// Target chunks touched by an out-of-sync source chunk.
std::vector<bool> map_chunks(const Source& s, std::uint64_t target_chunk_sectors, std::uint64_t target_chunks) {
  std::vector<bool> out(target_chunks, false);
  for (std::uint64_t j = 0; j < s.chunks; ++j) {
    if (!s.out_of_sync[j]) continue;
    const std::uint64_t first = j * s.chunk_sectors / target_chunk_sectors;
    const std::uint64_t last = std::min(((j + 1) * s.chunk_sectors - 1) / target_chunk_sectors, target_chunks - 1);
    for (std::uint64_t k = first; k <= last && k < target_chunks; ++k) out[k] = true;
  }
  return out;
}

// Bytes from the area start to the end of the room range holding it.
std::uint64_t room_after_area(const Member& m) {
  const std::uint64_t start = m.bitmap->area_offset;
  for (const auto& r : metadata_room(m))
    if (r.offset <= start && start < r.offset + r.length) return r.offset + r.length - start;
  throw Error(m.device, "bitmap_offset", std::to_string(m.md.bitmap_offset), "the bitmap area is outside the metadata room");
}

void carry_over(BitmapSuper& to, const BitmapSuper& from) {
  to.events = from.events;
  to.events_cleared = from.events_cleared;
  to.set(BitmapFlag::stale, from.has(BitmapFlag::stale));
}

ConvertedBitmap to_lockless(const Member& m, const Source& s, const ConvertOptions& o) {
  const std::uint64_t room_sectors = room_after_area(m) / 512;
  CreateOptions co;
  co.assume_clean = true;
  co.reserved = static_cast<std::uint32_t>(std::min<std::uint64_t>(kDefaultReservedSectors, room_sectors));
  if (o.chunk_bytes) co.chunk_sectors = static_cast<std::uint32_t>(*o.chunk_bytes / 512);
  if (m.bitmap->sb.daemon_sleep >= 1) co.daemon_sleep = m.bitmap->sb.daemon_sleep;
  NewBitmap nb = build_lockless_bitmap(m, m.md.bitmap_offset, co);
  const auto dirty = map_chunks(s, nb.sb.chunksize, nb.chunks);
  for (std::uint64_t k = 0; k < nb.chunks; ++k)
    if (dirty[k]) nb.area[kStateOffset + k] = static_cast<std::uint8_t>(State::NeedSync);
  ConvertedBitmap out;
  out.device = m.device;
  out.area_offset = nb.area_offset;
  out.sb = nb.sb;
  carry_over(out.sb, m.bitmap->sb);
  const auto header = encode_bitmap_super(out.sb);
  std::copy(header.begin(), header.end(), nb.area.begin());
  out.area = std::move(nb.area);
  out.chunks = nb.chunks;
  out.counts = count_states(std::span(out.area).subspan(kStateOffset, out.chunks));
  out.out_of_sync = out.counts.of(State::NeedSync);
  return out;
}

std::uint64_t classic_area_bytes(std::uint64_t chunks) { return div_round_up(kBitmapSuperBytes + div_round_up(chunks, 8), 512) * 512; }

ConvertedBitmap to_classic(const Member& m, const Source& s, const ConvertOptions& o) {
  const BitmapSuper& old = m.bitmap->sb;
  const std::uint64_t sync_sectors = m.bitmap->lockless->sync_sectors;
  const std::uint64_t room = room_after_area(m);
  std::uint64_t chunk_bytes = o.chunk_bytes.value_or(s.chunk_sectors * 512);
  if (!is_power_of_two(chunk_bytes) || chunk_bytes < 512)
    throw Error(m.device, o.chunk_bytes ? "chunk_bytes" : "bitmap.chunksize", std::to_string(chunk_bytes),
                "a classic chunk size is a power of two of at least 512 bytes", o.chunk_bytes ? ErrorKind::bad_value : ErrorKind::device);
  while (!o.chunk_bytes && classic_area_bytes(chunk_count(sync_sectors, chunk_bytes / 512)) > room) chunk_bytes *= 2;
  const std::uint64_t chunks = chunk_count(sync_sectors, chunk_bytes / 512);
  const std::uint64_t area_bytes = classic_area_bytes(chunks);
  if (area_bytes > room || chunk_bytes > 0xffffffffu)
    throw Error(m.device, o.chunk_bytes ? "chunk_bytes" : "bitmap.chunksize", std::to_string(chunk_bytes),
                fmt::format("{} bits need {} bytes of bitmap area; the room holds {}", chunks, area_bytes, room),
                o.chunk_bytes ? ErrorKind::bad_value : ErrorKind::device);
  ConvertedBitmap out;
  out.device = m.device;
  out.area_offset = m.bitmap->area_offset;
  out.chunks = chunks;
  BitmapSuper& sb = out.sb;
  sb.version = kClassicVersion;
  sb.uuid = m.md.set_uuid;
  sb.sync_size = sync_sectors;
  sb.chunksize = static_cast<std::uint32_t>(chunk_bytes);
  sb.daemon_sleep = old.daemon_sleep >= 1 ? old.daemon_sleep : kClassicDefaultDaemonSleep;
  sb.sectors_reserved = static_cast<std::uint32_t>(area_bytes / 512);
  carry_over(sb, old);
  out.area.assign(area_bytes, 0);
  const auto dirty = map_chunks(s, chunk_bytes / 512, chunks);
  for (std::uint64_t k = 0; k < chunks; ++k)
    if (dirty[k]) {
      out.area[kBitmapSuperBytes + k / 8] |= static_cast<std::uint8_t>(1u << (k % 8));
      ++out.out_of_sync;
    }
  const auto header = encode_bitmap_super(sb);
  std::copy(header.begin(), header.end(), out.area.begin());
  return out;
}

// The new area after its header is written whole: the old bytes there are another format's.
void add_writes(WritePlan& plan, const Member& m, const ConvertedBitmap& nb) {
  add_bitmap_rewrite(plan, m, {nb.area_offset + kBitmapSuperBytes, std::span(nb.area).subspan(kBitmapSuperBytes), {}}, nb.sb);
}

}  // namespace

ConvertPlan plan_convert(const std::vector<Member>& members, const ConvertOptions& o) {
  if (members.empty()) throw Error("", "devices", "none", "no member given");
  if (o.chunk_bytes && (*o.chunk_bytes % 512 != 0 || *o.chunk_bytes == 0))
    throw Error(members.front().device, "chunk_bytes", std::to_string(*o.chunk_bytes), "not a whole number of sectors",
                ErrorKind::bad_value);
  for (const Member& m : members) refuse_mid_reshape(m);
  ConvertPlan plan;
  plan.writes = bitmap_rewrite_plan();
  const Source merged = chosen_source(members, o, plan);
  plan.source_chunks = merged.chunks;
  plan.source_chunk_sectors = merged.chunk_sectors;
  plan.source_out_of_sync = static_cast<std::uint64_t>(std::count(merged.out_of_sync.begin(), merged.out_of_sync.end(), true));
  for (const Member& m : members) {
    ConvertedBitmap nb = o.to == BitmapFormat::lockless ? to_lockless(m, merged, o) : to_classic(m, merged, o);
    add_writes(plan.writes, m, nb);
    plan.bitmaps.push_back(std::move(nb));
  }
  for (const auto& nb : plan.bitmaps)
    if (nb.chunks != plan.bitmaps.front().chunks || nb.sb.chunksize != plan.bitmaps.front().sb.chunksize)
      throw Error(nb.device, "chunksize", std::to_string(nb.sb.chunksize),
                  fmt::format("the room on this member gives another geometry than on {}: a chunk size given for all members makes them agree",
                              plan.bitmaps.front().device));
  check_plan(plan.writes);
  return plan;
}

}  // namespace llbmp
