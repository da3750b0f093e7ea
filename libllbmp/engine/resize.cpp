// llbitmap_resize (md-llbitmap.c, Linux 7.3: llbitmap_calculate_chunks,
// llbitmap_prepare_resize; raid10_resize for the EBUSY) and what 7.2.13 did
// instead (ONDISK.md 9.7.5: the count and chunk recomputed in memory only).
#include "engine/resize.hpp"

#include <algorithm>
#include <limits>
#include <string>

#include "format/personality.hpp"
#include "llbmp/error.hpp"

namespace llbmp {

namespace {

constexpr auto kUnwritten = static_cast<std::uint8_t>(State::Unwritten);

[[noreturn]] void bad_value(const std::string& field, std::uint64_t value, const std::string& message) {
  throw Error("", field, std::to_string(value), message, ErrorKind::bad_value);
}

std::uint32_t room_of(std::uint64_t room_sectors) noexcept {
  return static_cast<std::uint32_t>(std::min<std::uint64_t>(room_sectors, std::numeric_limits<std::uint32_t>::max()));
}

void check_request(const ResizeRequest& r, std::uint64_t old_chunks) {
  if (r.chunk_sectors == 0) bad_value("chunk_sectors", 0, "no bitmap chunk");
  if (r.room_sectors == 0) bad_value("room_sectors", 0, "no bitmap room");
  if (r.new_sync_sectors == 0) bad_value("new_sync_sectors", 0, "a resize to no sectors");
  if (r.area_states.size() < old_chunks)
    bad_value("area_states", r.area_states.size(), "fewer state bytes than the chunks the bitmap covers now");
}

// The daemon pass and flush of llbitmap_prepare_resize (llbitmap_flush with
// every page expired): Dirty becomes Clean unless the array is degraded.
std::uint64_t daemon_pass(std::vector<std::uint8_t>& states, const ArrayMode& mode) {
  std::uint64_t cleaned = 0;
  for (auto& byte : states) {
    if (byte != static_cast<std::uint8_t>(State::Dirty)) continue;
    if (const auto next = next_state(byte, Action::Daemon, mode)) {
      byte = static_cast<std::uint8_t>(*next);
      cleaned += *next == State::Clean;
    }
  }
  return cleaned;
}

// Linux 7.3: the chunk never changes; [old, new) become Unwritten on a grow,
// [new, old) are zeroed on a shrink of both the size and the count.
void resize_7_3(const ResizeRequest& r, ResizeOutcome& out) {
  if (r.reshape_running && r.refused_during_reshape) {
    out.refusal = ResizeRefusal::ebusy;
    return;
  }
  const std::uint64_t chunk = calculate_chunksize(r.new_sync_sectors, r.chunk_sectors, room_of(r.room_sectors));
  if (chunk != r.chunk_sectors) {
    out.refusal = ResizeRefusal::eopnotsupp;
    return;
  }
  out.new_chunks = chunk_count(r.new_sync_sectors, chunk);
  out.header_sync_sectors = r.new_sync_sectors;
  out.states.assign(r.area_states.begin(), r.area_states.begin() + static_cast<std::ptrdiff_t>(out.old_chunks));
  if (r.new_sync_sectors == r.old_sync_sectors && out.new_chunks == out.old_chunks) {
    out.changed = false;
    return;
  }
  out.daemon_cleaned = daemon_pass(out.states, ArrayMode{r.level, r.degraded, false});
  if (out.new_chunks > out.old_chunks) {
    out.set_unwritten = ChunkRange{out.old_chunks, out.new_chunks - 1};
    out.states.resize(out.new_chunks, kUnwritten);
  } else if (r.new_sync_sectors < r.old_sync_sectors && out.new_chunks < out.old_chunks) {
    out.zeroed = ChunkRange{out.new_chunks, out.old_chunks - 1};
    out.states.resize(out.new_chunks);
  } else {
    out.states.resize(out.new_chunks);
  }
}

// 7.2.13: the count and the chunk (doubled while the count exceeds the room)
// change in memory; the bytes stay: a doubled chunk reinterprets them, new
// chunks take whatever the area holds there, and no page is added.
void resize_7_2(const ResizeRequest& r, ResizeOutcome& out) {
  out.in_memory_only = true;
  out.chunk_sectors = calculate_chunksize(r.new_sync_sectors, r.chunk_sectors, room_of(r.room_sectors));
  out.chunk_doubled = out.chunk_sectors != r.chunk_sectors;
  out.new_chunks = chunk_count(r.new_sync_sectors, out.chunk_sectors);
  out.header_sync_sectors = r.new_sync_sectors;
  out.changed = r.new_sync_sectors != r.old_sync_sectors || out.new_chunks != out.old_chunks;
  const std::uint64_t held = pages_used(out.old_chunks) * kPageBytes - kStateOffset;
  const std::uint64_t readable = std::min<std::uint64_t>({out.new_chunks, r.area_states.size(), held});
  out.states.assign(r.area_states.begin(), r.area_states.begin() + static_cast<std::ptrdiff_t>(readable));
  out.chunks_past_pages = out.new_chunks > held ? out.new_chunks - held : 0;
}

bool synced_after_grow(std::uint8_t byte) noexcept {
  return byte == static_cast<std::uint8_t>(State::NeedSync) || byte == static_cast<std::uint8_t>(State::Syncing);
}

// The runs of [from, end) whose byte `pick` chooses, each set to `to`.
std::uint64_t take_runs(std::vector<std::uint8_t>& bytes, std::uint64_t from, auto&& pick, State to,
                        std::vector<ChunkRange>& runs) {
  std::uint64_t taken = 0;
  for (std::uint64_t i = from; i < bytes.size();) {
    if (!pick(bytes[i])) {
      ++i;
      continue;
    }
    const std::uint64_t first = i;
    while (i < bytes.size() && pick(bytes[i])) bytes[i++] = static_cast<std::uint8_t>(to);
    runs.push_back({first, i - 1});
    taken += i - first;
  }
  return taken;
}

GrowResync grow_resync(const ResizeRequest& r, const ResizeOutcome& out) {
  GrowResync g;
  g.runs = !r.degraded && r.new_sync_sectors > r.old_sync_sectors && out.changed;
  if (!g.runs) return g;
  std::vector<std::uint8_t> end = out.states;
  g.synced_chunks = take_runs(end, g.from_chunk, synced_after_grow, State::Clean, g.synced);
  g.forced_chunks = take_runs(end, g.from_chunk, [](std::uint8_t b) { return !is_valid_state(b); }, State::NeedSync, g.forced);
  std::replace(end.begin(), end.end(), static_cast<std::uint8_t>(State::Dirty), static_cast<std::uint8_t>(State::Clean));
  g.end = count_states(end);
  return g;
}

}  // namespace

std::uint64_t personality_resize_sectors(std::int32_t level, std::uint64_t sectors, std::uint64_t md_chunk_sectors) noexcept {
  const auto* p = personality_of(level);
  if (p == nullptr || !p->chunked || counts_array_sectors(level) || md_chunk_sectors == 0) return sectors;
  return sectors / md_chunk_sectors * md_chunk_sectors;
}

ResizeLimit resize_limit(std::uint64_t chunk_sectors, std::uint64_t room_sectors) noexcept {
  ResizeLimit l;
  l.max_chunks = std::uint64_t{room_of(room_sectors)} * 512;
  l.max_sync_sectors = l.max_chunks * chunk_sectors;
  if (chunk_sectors != 0 && l.max_sync_sectors / chunk_sectors != l.max_chunks)
    l.max_sync_sectors = std::numeric_limits<std::uint64_t>::max();
  return l;
}

ResizeOutcome preview_resize(const ResizeRequest& r) {
  ResizeOutcome out;
  out.kernel = r.kernel;
  out.old_chunks = chunk_count(r.old_sync_sectors, r.chunk_sectors);
  check_request(r, out.old_chunks);
  out.chunk_sectors = r.chunk_sectors;
  out.limit = resize_limit(r.chunk_sectors, r.room_sectors);
  if (resize_writes_bitmap(r.kernel))
    resize_7_3(r, out);
  else
    resize_7_2(r, out);
  out.counts = count_states(out.states);
  if (out.refusal == ResizeRefusal::none) out.resync = grow_resync(r, out);
  return out;
}

}  // namespace llbmp
