#include "inspect/member.hpp"
#include "inspect/reshape_view.hpp"

#include "inspect/md_locate.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <fmt/format.h>

#include "format/geometry.hpp"

namespace llbmp {

namespace {

constexpr std::uint32_t kMaxClusterNodes = 64;

struct FindingSink {
  Findings& out;
  void add(FindingId id, std::string field, std::string value, std::string message) {
    out.push_back({id, std::move(field), std::move(value), std::move(message)});
  }
};

// Where the bitmap area may end: the data area on 1.1/1.2, the superblock on 1.0.
std::uint64_t room_end(const MdSuperblock& md, std::uint64_t area_offset, std::uint64_t device_bytes) {
  const std::uint64_t super_bytes = md.super_offset * 512;
  const std::uint64_t data_bytes = md.data_offset * 512;
  if (area_offset < super_bytes) return super_bytes;
  if (area_offset < data_bytes) return std::min(data_bytes, device_bytes);
  return device_bytes;
}

std::optional<ByteSpan> bad_block_log(const MdSuperblock& md) {
  if (md.bblog_offset == 0 || md.bblog_size == 0) return std::nullopt;
  const std::int64_t start = md.bblog_offset_bytes();
  if (start < 0) return std::nullopt;
  return ByteSpan{static_cast<std::uint64_t>(start), static_cast<std::uint64_t>(start) + md.bblog_size * 512ULL};
}

void check_bad_block_log(const Member& m, MemberBitmap& bm, std::uint64_t state_bytes, FindingSink& sink) {
  const auto log = bad_block_log(m.md);
  if (!log) return;
  const ByteSpan states{bm.area_offset + kStateOffset, bm.area_offset + kStateOffset + state_bytes};
  const ByteSpan area{bm.area_offset, bm.area_offset + std::uint64_t{bm.sb.sectors_reserved} * 512};
  const bool over_states = state_bytes > 0 && log->overlaps(states);
  if (!over_states && !(bm.sb.lockless() && log->overlaps(area))) return;
  bm.bblog_overlap = *log;
  const std::string value = fmt::format("{}..{}", log->first, log->end - 1);
  const std::string where =
      over_states
          ? fmt::format("the state bytes ({}..{}, chunks {}..{})", states.first, states.end - 1,
                        (std::max(log->first, states.first) - states.first),
                        (std::min(log->end, states.end) - 1 - states.first))
          : fmt::format("the reserved bitmap area ({}..{})", area.first, area.end - 1);
  // MD_FEATURE_BAD_BLOCKS clear: the kernel neither reads nor writes the log
  // (super_1_load loads it only with the feature bit), so the layout mdadm 4.6
  // gives every lockless array is harmless until a bad block is recorded.
  if (!m.md.has_bad_blocks())
    sink.add(FindingId::bblog_overlaps_bitmap, "md.bblog_offset", value,
              fmt::format("the bad-block log (bytes {}) overlaps {}, as mdadm 4.6 lays it out; harmless while no bad block "
                          "is recorded (none is)",
                          value, where));
  else if (over_states)
    sink.add(FindingId::bblog_overlaps_states, "md.bblog_offset", value,
               fmt::format("the bad-block log (bytes {}) overlaps {} and bad blocks are recorded: they overwrite each other",
                           value, where));
  else
    // Linux 7.3 writes every reserved page on a full flush (unused ones as zeros).
    sink.add(FindingId::bblog_overlaps_reserved, "md.bblog_offset", value,
                 fmt::format("the bad-block log (bytes {}) overlaps {} and bad blocks are recorded: Linux 7.3 zeroes the "
                             "unused reserved pages at a full flush",
                             value, where));
}

struct LocklessHeaderCheck {
  std::optional<LocklessView> view;
  std::string unusable_field;  // the field that keeps the header from being used (empty for FIRST_USE)
};

// A header sync_size other than the array's. 7.2.13 and 6.18-era kernels
// ignore it (llbitmap_read_sb uses resync_max_sectors); 7.3 keeps a smaller
// one and tracks only ceil(sync_size / chunksize) chunks (ONDISK.md section 7).
void report_sync_size(const BitmapSuper& sb, const LocklessView& view, FindingSink& sink) {
  if (sb.sync_size == 0)
    sink.add(FindingId::bitmap_sync_size_zero, "bitmap.sync_size", "0",
              fmt::format("0 stands for the array's resync size ({} sectors): every kernel covers the whole array ({} chunks)",
                          view.sync_sectors, view.chunks));
  else if (sb.sync_size < view.sync_sectors)
    sink.add(FindingId::bitmap_sync_size_smaller, "bitmap.sync_size", std::to_string(sb.sync_size),
                 fmt::format("smaller than the array's resync size ({} sectors): 7.2.13 and 6.18-era kernels ignore it and "
                             "cover the whole array ({} chunks); 7.3 covers only the first {} chunks (writes from sector {} "
                             "on set no bit)",
                             view.sync_sectors, view.chunks, view.chunks_7_3, view.chunks_7_3 * view.chunk_sectors));
}

// The header checks the kernel makes before it uses a version 6 bitmap
// (llbitmap_read_sb). Gives the chunk geometry when the header is usable
// and initialised; a FIRST_USE header has none yet.
LocklessHeaderCheck check_lockless_header(const MdSuperblock& md, const BitmapSuper& sb, std::uint64_t room_bytes,
                                          FindingSink& sink) {
  LocklessHeaderCheck out;
  const std::uint64_t reserved_bytes = std::uint64_t{sb.sectors_reserved} * 512;
  if (sb.sectors_reserved == 0) {
    sink.add(FindingId::bitmap_no_reserved_area, "bitmap.sectors_reserved", "0", "a version 6 bitmap needs a reserved area");
    out.unusable_field = "bitmap.sectors_reserved";
    return out;
  }
  if (reserved_bytes > room_bytes)
    sink.add(FindingId::bitmap_reserved_past_room, "bitmap.sectors_reserved", std::to_string(sb.sectors_reserved),
               fmt::format("the reserved area ({} bytes) runs past the room before the data or superblock ({} bytes)",
                           reserved_bytes, room_bytes));
  if (sb.awaiting_kernel_init()) return out;
  if (!is_power_of_two(sb.chunksize)) {
    sink.add(FindingId::bitmap_chunksize_not_power_of_two, "bitmap.chunksize", std::to_string(sb.chunksize), "chunk size (sectors) must be a power of two");
    out.unusable_field = "bitmap.chunksize";
  }
  if (sb.daemon_sleep < 1) sink.add(FindingId::bitmap_daemon_sleep_zero, "bitmap.daemon_sleep", std::to_string(sb.daemon_sleep), "must be at least 1 second: the kernel refuses it");
  const std::uint64_t array_sync = md.resync_sectors();
  if (sb.sync_size > array_sync) {
    // Chunk counts derived from a refused sync_size would only add noise.
    sink.add(FindingId::bitmap_sync_size_larger, "bitmap.sync_size", std::to_string(sb.sync_size),
               fmt::format("larger than the array's resync size ({} sectors): 7.3 refuses to load the bitmap (7.2.13 and "
                           "6.18-era kernels ignore the header's sync_size)",
                           array_sync));
    out.unusable_field = "bitmap.sync_size";
    return out;
  }
  if (!out.unusable_field.empty()) return out;
  LocklessView view;
  view.chunk_sectors = sb.chunksize;
  view.sync_sectors = array_sync;
  view.chunks = chunk_count(view.sync_sectors, view.chunk_sectors);
  view.chunks_7_3 = chunk_count(sb.sync_size == 0 ? array_sync : sb.sync_size, view.chunk_sectors);
  report_sync_size(sb, view, sink);
  const std::uint64_t kernel_room = kernel_room_sectors(md, sb);
  view.kernel_fit = kernel_room <= 0xffffffffu &&
                    kernel_fit(view.chunk_sectors, view.sync_sectors, static_cast<std::uint32_t>(kernel_room));
  view.true_fit = true_fit(view.chunks, sb.sectors_reserved);
  if (!view.kernel_fit) {
    sink.add(FindingId::bitmap_chunks_exceed_kernel_room, "bitmap.chunksize", std::to_string(sb.chunksize),
               fmt::format("{} chunks do not fit the kernel's bitmap room of {} bytes: the kernel refuses it", view.chunks,
                           kernel_room * 512));
    out.unusable_field = "bitmap.chunksize";
    return out;
  }
  out.view = std::move(view);
  return out;
}

// md_bitmap_read_sb's chunk size test for classic bitmaps.
bool check_classic_header(const BitmapSuper& sb, FindingSink& sink) {
  if (sb.chunksize >= 512 && is_power_of_two(sb.chunksize)) return true;
  sink.add(FindingId::bitmap_classic_chunksize, "bitmap.chunksize", std::to_string(sb.chunksize), "classic chunk size (bytes) must be a power of two of at least 512");
  return false;
}

// Magic, version and uuid: the checks of every bitmap version. False when
// nothing more can be decoded.
bool check_header_identity(const MdSuperblock& md, const BitmapSuper& sb, FindingSink& sink) {
  if (sb.magic != kBitmapMagic) {
    sink.add(FindingId::bitmap_bad_magic, "bitmap.magic", fmt::format("{:#x}", sb.magic), "no bitmap superblock where the md superblock points (expected 0x6d746962)");
    return false;
  }
  if (sb.version < 3 || sb.version > 6) {
    sink.add(FindingId::bitmap_unknown_version, "bitmap.version", std::to_string(sb.version), "unknown bitmap version (3, 4, 5 classic, 6 llbitmap)");
    return false;
  }
  if (sb.uuid != md.set_uuid)
    sink.add(FindingId::bitmap_uuid_mismatch, "bitmap.uuid", format_uuid(sb.uuid), fmt::format("differs from the array uuid {}: the kernel refuses it", format_uuid(md.set_uuid)));
  return true;
}

void decode_lockless(const Device& dev, Member& m, MemberBitmap& bm, FindingSink& sink) {
  const BitmapSuper& sb = bm.sb;
  const std::uint64_t reserved_bytes = std::uint64_t{sb.sectors_reserved} * 512;
  auto checked = check_lockless_header(m.md, sb, bm.room_bytes, sink);
  bm.unusable_field = checked.unusable_field;
  if (sb.sectors_reserved == 0) return;
  if (sb.awaiting_kernel_init()) {
    sink.add(FindingId::bitmap_first_use, "bitmap.state", "first_use",
              "not initialised yet: the kernel chooses the chunk size and initialises every chunk at the next assembly");
    bm.area = dev.read(bm.area_offset, static_cast<std::size_t>(std::min(reserved_bytes, bm.room_bytes)));
    check_bad_block_log(m, bm, 0, sink);
    return;
  }
  if (!checked.view) return;
  LocklessView view = std::move(*checked.view);
  if (!view.true_fit)
    sink.add(FindingId::bitmap_states_past_reserved, "bitmap.chunksize", std::to_string(sb.chunksize),
                 fmt::format("{} chunks pass the kernel's check but their state bytes end at area byte {}, past the "
                             "reserved {} bytes: the kernel uses a page past the reserved area",
                             view.chunks, kStateOffset + view.chunks, reserved_bytes));
  // A sectors_reserved past the room (reported above) is not read: only the
  // state bytes themselves, which the kernel would read too.
  const std::uint64_t want = std::max(std::min(reserved_bytes, bm.room_bytes), kStateOffset + view.chunks);
  const std::uint64_t readable = std::min(want, dev.size_bytes() - bm.area_offset);
  if (readable < kStateOffset + view.chunks) {
    sink.add(FindingId::bitmap_states_past_device, "bitmap.sync_size", std::to_string(view.sync_sectors),
               fmt::format("the state bytes of {} chunks run past the end of the device", view.chunks));
    bm.unusable_field = "bitmap.sync_size";
    return;
  }
  bm.area = dev.read(bm.area_offset, static_cast<std::size_t>(readable));
  view.states.assign(bm.area.begin() + kStateOffset, bm.area.begin() + static_cast<std::ptrdiff_t>(kStateOffset + view.chunks));
  view.counts = count_states(view.states);
  if (view.counts.invalid != 0) {
    const auto first_bad = std::find_if(view.states.begin(), view.states.end(), [](std::uint8_t b) { return !is_valid_state(b); });
    if (mdadm_add_leftover(view.states))
      sink.add(FindingId::bitmap_mdadm_add_leftover, "bitmap.states", fmt::format("{:#04x}", *first_bad),
               fmt::format("{} state bytes are 0xFF from chunk {} on, what mdadm --add leaves on a new member: the "
                           "kernel rewrites them at its next write-back; if it loads this member, they are need_sync",
                           view.counts.invalid, first_bad - view.states.begin()));
    else
      sink.add(FindingId::bitmap_invalid_states, "bitmap.states", fmt::format("{:#04x}", *first_bad),
               fmt::format("{} state bytes are not states (first at chunk {}): the kernel forces them to need_sync",
                           view.counts.invalid, first_bad - view.states.begin()));
  }
  check_bad_block_log(m, bm, view.chunks, sink);
  bm.lockless = std::move(view);
}

// The set bits of a run of bytes, eight bytes at a time: without the popcnt
// instruction (x86-64's baseline), std::popcount is a libgcc call per value.
std::uint64_t count_set_bits(std::span<const std::uint8_t> bytes) {
  constexpr std::uint64_t kPairs = 0x5555555555555555;
  constexpr std::uint64_t kNibbles = 0x3333333333333333;
  constexpr std::uint64_t kBytes = 0x0f0f0f0f0f0f0f0f;
  constexpr std::uint64_t kOnes = 0x0101010101010101;
  std::uint64_t total = 0;
  std::size_t i = 0;
  for (; i + 8 <= bytes.size(); i += 8) {
    std::uint64_t word = 0;
    std::memcpy(&word, bytes.data() + i, sizeof word);
    word -= (word >> 1) & kPairs;
    word = (word & kNibbles) + ((word >> 2) & kNibbles);
    word = (word + (word >> 4)) & kBytes;
    total += (word * kOnes) >> 56;
  }
  for (; i < bytes.size(); ++i) total += static_cast<std::uint64_t>(std::popcount(bytes[i]));
  return total;
}

std::uint64_t count_bits(std::span<const std::uint8_t> bits, std::uint64_t chunks) {
  const std::uint64_t whole = chunks / 8;
  std::uint64_t dirty = count_set_bits(bits.first(static_cast<std::size_t>(std::min<std::uint64_t>(whole, bits.size()))));
  if (chunks % 8 != 0 && whole < bits.size())
    dirty += static_cast<std::uint64_t>(std::popcount(static_cast<std::uint8_t>(bits[whole] & ((1u << (chunks % 8)) - 1))));
  return dirty;
}

struct ClassicLayout {
  std::uint64_t chunks = 0;
  std::uint64_t bit_bytes = 0;  // per node
  std::uint32_t nodes = 1;
  std::uint64_t stride = 0;     // bytes from one node's bitmap to the next
  std::uint64_t length = 0;     // bytes of the whole area
};

struct ClassicLayoutCheck {
  std::optional<ClassicLayout> layout;
  std::string unusable_field;  // set when there is no layout
};

// Where a classic bitmap's nodes and bits lie (ONDISK.md section 3), or the
// reason, reported, why the header gives none.
ClassicLayoutCheck classic_layout(const BitmapSuper& sb, std::uint64_t room_bytes, FindingSink& sink) {
  if (sb.sync_size > (~std::uint64_t{0} >> 9)) {
    sink.add(FindingId::bitmap_sync_size_overflow, "bitmap.sync_size", std::to_string(sb.sync_size), "too large: the chunk count overflows");
    return {std::nullopt, "bitmap.sync_size"};
  }
  ClassicLayout l;
  l.chunks = div_round_up(sb.sync_size * 512, sb.chunksize);
  l.bit_bytes = div_round_up(l.chunks, 8);
  l.nodes = sb.version == 5 ? std::max<std::uint32_t>(1, sb.nodes) : 1;
  if (l.nodes > kMaxClusterNodes) {
    sink.add(FindingId::bitmap_too_many_nodes, "bitmap.nodes", std::to_string(sb.nodes), "more cluster nodes than md supports");
    return {std::nullopt, "bitmap.nodes"};
  }
  l.stride = sb.version == 5 ? div_round_up(kBitmapSuperBytes + l.bit_bytes, 4096) * 4096 : kBitmapSuperBytes + l.bit_bytes;
  l.length = l.stride * (l.nodes - 1) + kBitmapSuperBytes + l.bit_bytes;
  if (l.length > room_bytes) {
    sink.add(FindingId::bitmap_classic_past_room, "bitmap.sync_size", std::to_string(sb.sync_size),
               fmt::format("{} chunks need {} bytes of bitmap, more than the {} bytes of room", l.chunks, l.length, room_bytes));
    return {std::nullopt, "bitmap.sync_size"};
  }
  return {l, ""};
}

void decode_classic(const Device& dev, MemberBitmap& bm, FindingSink& sink) {
  const BitmapSuper& sb = bm.sb;
  if (!check_classic_header(sb, sink)) {
    bm.unusable_field = "bitmap.chunksize";
    return;
  }
  const auto checked = classic_layout(sb, bm.room_bytes, sink);
  if (!checked.layout) {
    bm.unusable_field = checked.unusable_field;
    return;
  }
  const auto& layout = checked.layout;
  ClassicView view;
  view.chunk_bytes = sb.chunksize;
  view.chunks = layout->chunks;
  bm.area = dev.read(bm.area_offset, static_cast<std::size_t>(layout->length));
  for (std::uint32_t n = 0; n < layout->nodes; ++n) {
    const std::span<const std::uint8_t> node_bytes(bm.area.data() + n * layout->stride, kBitmapSuperBytes + layout->bit_bytes);
    ClassicNode node;
    node.node = n;
    node.sb = n == 0 ? sb : decode_bitmap_super(node_bytes, dev.path());
    node.dirty = count_bits(node_bytes.subspan(kBitmapSuperBytes), view.chunks);
    if (n != 0 && node.sb.magic != kBitmapMagic)
      sink.add(FindingId::bitmap_node_bad_magic, fmt::format("bitmap.node{}.magic", n), fmt::format("{:#x}", node.sb.magic), "cluster node bitmap has a bad magic");
    view.nodes.push_back(std::move(node));
  }
  view.bits.assign(bm.area.begin() + kBitmapSuperBytes,
                   bm.area.begin() + static_cast<std::ptrdiff_t>(kBitmapSuperBytes + layout->bit_bytes));
  view.dirty = view.nodes.front().dirty;
  bm.classic = std::move(view);
}

// The bytes of a bitmap area: `reserved` as its header reserves them (the
// bits of a classic bitmap), `used` up to the last state byte the kernel
// uses, past `reserved` when the geometry does not fit it.
struct AreaExtent {
  ByteSpan reserved;
  ByteSpan used;
};

AreaExtent area_extent(std::uint64_t area_offset, std::uint64_t reserved_bytes, std::uint64_t used_bytes) {
  reserved_bytes = std::max(reserved_bytes, kBitmapSuperBytes);
  return {{area_offset, area_offset + reserved_bytes}, {area_offset, area_offset + std::max(reserved_bytes, used_bytes)}};
}

AreaExtent area_extent(const MemberBitmap& bm) {
  if (bm.sb.magic != kBitmapMagic) return area_extent(bm.area_offset, 0, 0);
  if (bm.sb.lockless())
    return area_extent(bm.area_offset, std::uint64_t{bm.sb.sectors_reserved} * 512,
                       bm.lockless ? kStateOffset + bm.lockless->chunks : 0);
  return area_extent(bm.area_offset, bm.classic ? bm.area.size() : 0, 0);
}

// Where the array's data lies on this member: on 1.1/1.2 from data_offset to
// the end of the device (the room data_size grows into); on 1.0 from
// data_offset for data_size sectors, before the bitmap and the superblock.
ByteSpan data_area(const MdSuperblock& md, std::uint64_t device_bytes) {
  const std::uint64_t device_sectors = device_bytes / 512;
  const std::uint64_t first = std::min(md.data_offset, device_sectors);
  if (md.minor_version != 0) return {first * 512, device_bytes};
  const std::uint64_t sectors = std::min(std::max(md.data_size, md.size), device_sectors - first);
  return {first * 512, (first + sectors) * 512};
}

// The bytes the kernel writes for the md superblock (super_1_sync): 256 +
// 2 * max_dev, rounded up to the logical block size.
ByteSpan md_superblock_area(const MdSuperblock& md, std::uint32_t logical_block_size) {
  const std::uint64_t block = std::max<std::uint32_t>(512, logical_block_size);
  const std::uint64_t bytes = div_round_up(256 + 2 * std::uint64_t{std::min(md.max_dev, kMdMaxDevices)}, block) * block;
  return {md.super_offset * 512, md.super_offset * 512 + bytes};
}

std::string span_text(const ByteSpan& span) { return fmt::format("bytes {}..{}", span.first, span.end - 1); }

// The bitmap area over another structure (`what` describes it). A reserved
// area that starts below it and runs into it is check_lockless_header's
// "runs past the room"; this reports an area that starts inside it and state
// bytes that leave the reserved area into it.
void check_area_over(const MdSuperblock& md, const BitmapSuper& sb, const AreaExtent& area, const ByteSpan& other,
                     const std::string& what, const std::string& consequence, FindingId starts_inside,
                     FindingId runs_into, FindingSink& sink) {
  if (other.first >= other.end) return;
  if (area.reserved.first >= other.first && area.reserved.first < other.end)
    sink.add(starts_inside, "md.bitmap_offset", std::to_string(md.bitmap_offset),
               fmt::format("the bitmap area ({}) starts inside {}: {}", span_text(area.reserved), what, consequence));
  else if (!area.reserved.overlaps(other) && area.used.overlaps(other))
    sink.add(runs_into, "bitmap.chunksize", std::to_string(sb.chunksize),
               fmt::format("the state bytes ({}) run past the reserved area into {}: {}", span_text(area.used), what,
                           consequence));
}

// llbitmap_write_page writes wherever the area lies; the classic
// __write_sb_page refuses a page that runs into data and sets WRITE_ERROR.
void check_area_over_data(const MdSuperblock& md, const BitmapSuper& sb, const AreaExtent& area, std::uint64_t device_bytes,
                          FindingSink& sink) {
  const ByteSpan data = data_area(md, device_bytes);
  check_area_over(md, sb, area, data, fmt::format("the data area ({}, data_offset {})", span_text(data), md.data_offset),
                  sb.lockless() ? "the kernel writes the bitmap over array data"
                                : "the kernel refuses to write the bitmap there (WRITE_ERROR): writes are not tracked",
                  FindingId::bitmap_area_in_data, FindingId::bitmap_states_into_data, sink);
}

void check_area_over_md_superblock(const MdSuperblock& md, const BitmapSuper& sb, const AreaExtent& area,
                                   std::uint32_t logical_block_size, FindingSink& sink) {
  const ByteSpan super = md_superblock_area(md, logical_block_size);
  check_area_over(md, sb, area, super, fmt::format("the md superblock ({})", span_text(super)),
                  "the bitmap and the md superblock overwrite each other", FindingId::bitmap_area_in_md_superblock,
                  FindingId::bitmap_states_into_md_superblock, sink);
}

void check_area_placement(const MdSuperblock& md, const BitmapSuper& sb, const AreaExtent& area, std::uint64_t device_bytes,
                          std::uint32_t logical_block_size, FindingSink& sink) {
  check_area_over_md_superblock(md, sb, area, logical_block_size, sink);
  check_area_over_data(md, sb, area, device_bytes, sink);
}

// md superblock findings after which the bitmap cannot be located.
bool bitmap_unreachable(const Findings& md_findings) {
  return std::any_of(md_findings.begin(), md_findings.end(),
                     [](const Finding& f) { return f.field == "md.bitmap_offset" || f.field == "md.max_dev"; });
}

// The states after the Stale action at load (llbitmap_load), through the
// state engine: write coalescing included, as replay-resync models it.
StateCounts counts_after_stale(const MdSuperblock& md, const MemberBitmap& bm) {
  const auto& view = *bm.lockless;
  std::vector<std::uint8_t> bytes(bm.area.begin() + static_cast<std::ptrdiff_t>(std::min<std::uint64_t>(kStateOffset, bm.area.size())),
                                  bm.area.end());
  const std::uint32_t lbs = md.logical_block_size;
  StateArea area(std::move(bytes), view.chunks, lbs >= 512 && lbs <= 4096 && is_power_of_two(lbs) ? lbs : 512);
  area.apply_all(Action::Stale, ArrayMode{md.level, md.working_roles() < md.raid_disks, false});
  return count_states(area.chunk_bytes());
}

void report_staleness(const Member& m, const MemberBitmap& bm, FindingSink& sink) {
  const BitmapSuper& sb = bm.sb;
  if (!sb.awaiting_kernel_init() && sb.events < m.md.events)
    sink.add(FindingId::bitmap_events_stale, "bitmap.events", std::to_string(sb.events),
               fmt::format("older than the md superblock's events ({}): the bitmap is stale; {}", m.md.events,
                           stale_bitmap_effect(m.md, bm)));
  if (sb.has(BitmapFlag::stale)) sink.add(FindingId::bitmap_stale_flag, "bitmap.state", "stale", "STALE flag set: " + stale_bitmap_effect(m.md, bm));
}

void decode_bitmap(const Device& dev, Member& m, FindingSink& sink) {
  MemberBitmap bm;
  bm.area_offset = static_cast<std::uint64_t>(m.md.bitmap_area_offset_bytes());
  bm.room_bytes = room_end(m.md, bm.area_offset, m.device_bytes) - bm.area_offset;
  const auto header = dev.read(bm.area_offset, kBitmapSuperBytes);
  bm.sb = decode_bitmap_super(header, dev.path());
  const BitmapSuper& sb = bm.sb;
  if (!check_header_identity(m.md, sb, sink)) {
    bm.unusable_field = sb.magic != kBitmapMagic ? "bitmap.magic" : "bitmap.version";
    check_area_placement(m.md, sb, area_extent(bm), m.device_bytes, m.logical_block_size, sink);
    m.bitmap = std::move(bm);
    return;
  }
  if (sb.has(BitmapFlag::write_error))
    sink.add(FindingId::bitmap_write_error, "bitmap.state", "write_error", "WRITE_ERROR flag set: the kernel ignores this bitmap (writes are not tracked)");
  for (const auto flag : {BitmapFlag::daemon_busy, BitmapFlag::shutdown})
    if (sb.has(flag))
      sink.add(FindingId::bitmap_runtime_flag, "bitmap.state", bitmap_flag_names(flag_mask(flag)).front(), "runtime flag persisted by the kernel");
  if (sb.lockless())
    decode_lockless(dev, m, bm, sink);
  else
    decode_classic(dev, bm, sink);
  report_staleness(m, bm, sink);
  check_area_placement(m.md, sb, area_extent(bm), m.device_bytes, m.logical_block_size, sink);
  m.bitmap = std::move(bm);
}

}  // namespace

std::uint64_t kernel_room_sectors(const MdSuperblock& md, const BitmapSuper& sb) noexcept {
  if (md.minor_version == 0)
    return md.bitmap_offset < 0 ? static_cast<std::uint64_t>(-static_cast<std::int64_t>(md.bitmap_offset))
                                : static_cast<std::uint64_t>(std::max<std::int64_t>(0, 8 - md.bitmap_offset));
  return sb.sectors_reserved;
}

std::optional<std::uint64_t> Member::dirty() const noexcept {
  if (!bitmap) return std::nullopt;
  if (bitmap->lockless) return bitmap->lockless->counts.not_in_sync();
  if (bitmap->classic) return bitmap->classic->dirty;
  return std::nullopt;
}

std::optional<std::uint64_t> Member::chunks() const noexcept {
  if (!bitmap) return std::nullopt;
  if (bitmap->lockless) return bitmap->lockless->chunks;
  if (bitmap->classic) return bitmap->classic->chunks;
  return std::nullopt;
}

Member load_member(const Device& device) {
  Member m;
  m.device = device.path();
  m.device_bytes = device.size_bytes();
  m.logical_block_size = device.logical_block_size();
  auto located = find_md_superblock(device);
  m.md = std::move(located.sb);
  m.md_raw = std::move(located.raw);
  FindingSink sink{m.findings};
  for (auto& f : validate_md_superblock(m.md, m.md_raw, m.device_bytes)) m.findings.push_back(std::move(f));
  if (!m.md.has_bitmap())
    sink.add(FindingId::md_no_bitmap, "md.feature_map", fmt::format("{:#x}", m.md.feature_map), "no bitmap on this member");
  else if (!bitmap_unreachable(m.findings))
    decode_bitmap(device, m, sink);
  for (auto& f : reshape_findings(m)) m.findings.push_back(std::move(f));
  return m;
}

Member load_member(const std::string& path) { return load_member(Device::open_for_read(path)); }

Findings layout_findings(const MdSuperblock& md, std::span<const std::uint8_t> md_raw, const BitmapSuper& sb,
                         std::uint64_t device_bytes, std::uint32_t logical_block_size) {
  Findings out = validate_md_superblock(md, md_raw, device_bytes);
  if (!md.has_bitmap() || bitmap_unreachable(out)) return out;
  FindingSink sink{out};
  const auto area_offset = static_cast<std::uint64_t>(md.bitmap_area_offset_bytes());
  const std::uint64_t room = room_end(md, area_offset, device_bytes) - area_offset;
  std::uint64_t reserved = 0, used = 0;
  if (check_header_identity(md, sb, sink)) {
    if (sb.lockless()) {
      reserved = std::uint64_t{sb.sectors_reserved} * 512;
      const auto checked = check_lockless_header(md, sb, room, sink);
      if (checked.view) used = kStateOffset + checked.view->chunks;
    } else if (check_classic_header(sb, sink)) {
      if (const auto checked = classic_layout(sb, room, sink); checked.layout) reserved = checked.layout->length;
    }
  }
  check_area_placement(md, sb, area_extent(area_offset, reserved, used), device_bytes, logical_block_size, sink);
  return out;
}

std::string stale_bitmap_effect(const MdSuperblock& md, const MemberBitmap& bm) {
  if (!bm.sb.lockless()) return "the kernel recovers the whole array at the next assembly (every bit set)";
  static constexpr const char* kStaleAction =
      "the next assembly runs the kernel's Stale action: written chunks (Clean, Dirty, Syncing) become NeedSync and are "
      "resynced{}, the Unwritten kinds become or stay Unwritten and are skipped{}{}";
  if (!bm.lockless) return fmt::format(fmt::runtime(kStaleAction), "", "", "");
  const StateCounts after = counts_after_stale(md, bm);
  const std::uint64_t need = after.of(State::NeedSync), unwritten = after.of(State::Unwritten);
  const std::uint64_t coalesced = after.total() - need - unwritten;
  return fmt::format(fmt::runtime(kStaleAction), fmt::format(" ({} chunks)", need), fmt::format(" ({} chunks)", unwritten),
                     coalesced == 0 ? std::string()
                                    : fmt::format("; write coalescing leaves {} chunks Dirty", coalesced));
}

Findings kernel_load_refusals(const Member& member, const BitmapSuper& header) {
  Findings out;
  FindingSink sink{out};
  if (!member.bitmap || !check_header_identity(member.md, header, sink)) return out;
  if (header.lockless())
    check_lockless_header(member.md, header, member.bitmap->room_bytes, sink);
  else
    check_classic_header(header, sink);
  std::erase_if(out, [](const Finding& f) { return f.severity != Severity::error; });
  return out;
}

}  // namespace llbmp

namespace llbmp {

namespace {

// Why `b` cannot be another member next to `a` (empty when it can): the same
// device twice says it all; a clone has the device uuid and the role of its
// original.
Findings duplicate_of(const Member& a, const Member& b) {
  if (a.device == b.device) return {{FindingId::device_given_twice, "device", b.device, "given twice"}};
  Findings out;
  if (a.md.set_uuid != b.md.set_uuid) return out;
  if (a.md.device_uuid == b.md.device_uuid)
    out.push_back({FindingId::member_duplicate_uuid, "md.device_uuid", format_uuid(b.md.device_uuid),
                   fmt::format("{} and {} have the same device uuid: one is a copy of the other (dd, a snapshot) or the same "
                               "device under two names; md takes only one of them",
                               b.device, a.device)});
  const auto role_a = a.md.role(), role_b = b.md.role();
  if (role_a && role_b && *role_a == *role_b && *role_b < b.md.raid_disks)
    out.push_back({FindingId::member_duplicate_role, "md.role", std::to_string(*role_b),
                   fmt::format("{} and {} claim the same role", b.device, a.device)});
  return out;
}

}  // namespace

std::vector<MemberFinding> duplicate_members(const std::vector<Member>& members) {
  std::vector<MemberFinding> out;
  for (std::size_t i = 1; i < members.size(); ++i)
    for (std::size_t j = 0; j < i; ++j) {
      auto findings = duplicate_of(members[j], members[i]);
      for (auto& f : findings) out.push_back({i, std::move(f)});
      if (!findings.empty()) break;
    }
  return out;
}

Findings compare_members(const std::vector<Member>& members) {
  Findings out;
  if (members.size() < 2) return out;
  for (auto& duplicate : duplicate_members(members)) out.push_back(std::move(duplicate.finding));
  const Member& ref = members.front();
  auto differ = [&](const Member& m, const char* field, const std::string& mine, const std::string& theirs) {
    if (mine != theirs)
      out.push_back({std::string_view(field).starts_with("md.") ? FindingId::md_fields_differ : FindingId::bitmap_fields_differ,
                     field, mine, fmt::format("{} has {}, {} has {}", m.device, mine, ref.device, theirs)});
  };
  for (std::size_t i = 1; i < members.size(); ++i) {
    const Member& m = members[i];
    differ(m, "md.set_uuid", format_uuid(m.md.set_uuid), format_uuid(ref.md.set_uuid));
    if (!m.bitmap || !ref.bitmap) {
      if (m.bitmap.has_value() != ref.bitmap.has_value())
        out.push_back({FindingId::bitmap_presence_differs, "bitmap", m.bitmap ? "present" : "absent",
                       fmt::format("{} and {} differ in having a bitmap", m.device, ref.device)});
      continue;
    }
    const auto& a = m.bitmap->sb;
    const auto& b = ref.bitmap->sb;
    differ(m, "bitmap.version", std::to_string(a.version), std::to_string(b.version));
    differ(m, "bitmap.chunksize", std::to_string(a.chunksize), std::to_string(b.chunksize));
    differ(m, "bitmap.sync_size", std::to_string(a.sync_size), std::to_string(b.sync_size));
    differ(m, "bitmap.sectors_reserved", std::to_string(a.sectors_reserved), std::to_string(b.sectors_reserved));
    differ(m, "bitmap.events", std::to_string(a.events), std::to_string(b.events));
    differ(m, "bitmap.state", fmt::format("{:#x}", a.state), fmt::format("{:#x}", b.state));
    if (m.bitmap->lockless && ref.bitmap->lockless && m.bitmap->lockless->states != ref.bitmap->lockless->states) {
      const auto& x = m.bitmap->lockless->states;
      const auto& y = ref.bitmap->lockless->states;
      const auto n = std::min(x.size(), y.size());
      std::uint64_t differing = 0, first = n;
      for (std::size_t c = 0; c < n; ++c)
        if (x[c] != y[c]) {
          ++differing;
          first = std::min<std::uint64_t>(first, c);
        }
      out.push_back({FindingId::bitmap_states_differ, "bitmap.states", std::to_string(differing),
                     fmt::format("{} and {} differ in {} chunk states (first at chunk {})", m.device, ref.device, differing, first)});
    }
    if (m.bitmap->classic && ref.bitmap->classic && m.bitmap->classic->bits != ref.bitmap->classic->bits)
      out.push_back({FindingId::bitmap_bits_differ, "bitmap.bits", "", fmt::format("{} and {} differ in their bitmap bits", m.device, ref.device)});
  }
  return out;
}

std::uint64_t freshest_md_events(const std::vector<Member>& members) noexcept {
  std::uint64_t events = 0;
  for (const auto& m : members) events = std::max(events, m.md.events);
  return events;
}

std::size_t kernel_source_member(const std::vector<Member>& members) {
  const std::uint64_t events = freshest_md_events(members);
  std::optional<std::size_t> best;
  for (std::size_t i = 0; i < members.size(); ++i) {
    const Member& m = members[i];
    const auto role = m.md.role();
    if (!role || *role >= m.md.raid_disks || m.md.events != events || !m.bitmap) continue;
    if (!best || *role < *members[*best].md.role()) best = i;
  }
  return best.value_or(0);
}

}  // namespace llbmp
