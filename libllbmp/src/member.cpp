#include "llbmp/member.hpp"

#include <algorithm>
#include <bit>
#include <fmt/format.h>

#include "llbmp/geometry.hpp"

namespace llbmp {

namespace {

constexpr std::uint32_t kMaxClusterNodes = 64;

struct FindingSink {
  Findings& out;
  void error(std::string field, std::string value, std::string message) {
    out.push_back({Severity::error, std::move(field), std::move(value), std::move(message)});
  }
  void warning(std::string field, std::string value, std::string message) {
    out.push_back({Severity::warning, std::move(field), std::move(value), std::move(message)});
  }
  void info(std::string field, std::string value, std::string message) {
    out.push_back({Severity::info, std::move(field), std::move(value), std::move(message)});
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
    sink.info("md.bblog_offset", value,
              fmt::format("the bad-block log (bytes {}) overlaps {}, as mdadm 4.6 lays it out; harmless while no bad block "
                          "is recorded (none is)",
                          value, where));
  else if (over_states)
    sink.error("md.bblog_offset", value,
               fmt::format("the bad-block log (bytes {}) overlaps {} and bad blocks are recorded: they overwrite each other",
                           value, where));
  else
    // Linux 7.3 writes every reserved page on a full flush (unused ones as zeros).
    sink.warning("md.bblog_offset", value,
                 fmt::format("the bad-block log (bytes {}) overlaps {} and bad blocks are recorded: Linux 7.3 zeroes the "
                             "unused reserved pages at a full flush",
                             value, where));
}

// The header checks the kernel makes before it uses a version 6 bitmap
// (llbitmap_read_sb). Returns the chunk geometry when the header is usable
// and initialised; a FIRST_USE header has none yet.
std::optional<LocklessView> check_lockless_header(const MdSuperblock& md, const BitmapSuper& sb, std::uint64_t room_bytes,
                                                  FindingSink& sink) {
  const std::uint64_t reserved_bytes = std::uint64_t{sb.sectors_reserved} * 512;
  if (sb.sectors_reserved == 0) {
    sink.error("bitmap.sectors_reserved", "0", "a version 6 bitmap needs a reserved area");
    return std::nullopt;
  }
  if (reserved_bytes > room_bytes)
    sink.error("bitmap.sectors_reserved", std::to_string(sb.sectors_reserved),
               fmt::format("the reserved area ({} bytes) runs past the room before the data or superblock ({} bytes)",
                           reserved_bytes, room_bytes));
  if (sb.awaiting_kernel_init()) return std::nullopt;
  bool usable = true;
  if (!is_power_of_two(sb.chunksize)) {
    sink.error("bitmap.chunksize", std::to_string(sb.chunksize), "chunk size (sectors) must be a power of two");
    usable = false;
  }
  if (sb.daemon_sleep < 1) sink.error("bitmap.daemon_sleep", std::to_string(sb.daemon_sleep), "must be at least 1 second: the kernel refuses it");
  const std::uint64_t array_sync = md.resync_sectors();
  if (sb.sync_size > array_sync) {
    // Chunk counts derived from a refused sync_size would only add noise.
    sink.error("bitmap.sync_size", std::to_string(sb.sync_size),
               fmt::format("larger than the array's resync size ({} sectors): the kernel refuses it", array_sync));
    return std::nullopt;
  }
  if (!usable) return std::nullopt;
  LocklessView view;
  view.chunk_sectors = sb.chunksize;
  view.sync_sectors = sb.sync_size == 0 ? array_sync : sb.sync_size;
  view.chunks = chunk_count(view.sync_sectors, view.chunk_sectors);
  const std::uint64_t kernel_room = kernel_room_sectors(md, sb);
  view.kernel_fit = kernel_room <= 0xffffffffu &&
                    kernel_fit(view.chunk_sectors, view.sync_sectors, static_cast<std::uint32_t>(kernel_room));
  view.true_fit = true_fit(view.chunks, sb.sectors_reserved);
  if (!view.kernel_fit) {
    sink.error("bitmap.chunksize", std::to_string(sb.chunksize),
               fmt::format("{} chunks do not fit the kernel's bitmap room of {} bytes: the kernel refuses it", view.chunks,
                           kernel_room * 512));
    return std::nullopt;
  }
  return view;
}

// md_bitmap_read_sb's chunk size test for classic bitmaps.
bool check_classic_header(const BitmapSuper& sb, FindingSink& sink) {
  if (sb.chunksize >= 512 && is_power_of_two(sb.chunksize)) return true;
  sink.error("bitmap.chunksize", std::to_string(sb.chunksize), "classic chunk size (bytes) must be a power of two of at least 512");
  return false;
}

// Magic, version and uuid: the checks of every bitmap version. False when
// nothing more can be decoded.
bool check_header_identity(const MdSuperblock& md, const BitmapSuper& sb, FindingSink& sink) {
  if (sb.magic != kBitmapMagic) {
    sink.error("bitmap.magic", fmt::format("{:#x}", sb.magic), "no bitmap superblock where the md superblock points (expected 0x6d746962)");
    return false;
  }
  if (sb.version < 3 || sb.version > 6) {
    sink.error("bitmap.version", std::to_string(sb.version), "unknown bitmap version (3, 4, 5 classic, 6 llbitmap)");
    return false;
  }
  if (sb.uuid != md.set_uuid)
    sink.error("bitmap.uuid", format_uuid(sb.uuid), fmt::format("differs from the array uuid {}: the kernel refuses it", format_uuid(md.set_uuid)));
  return true;
}

void decode_lockless(const Device& dev, Member& m, MemberBitmap& bm, FindingSink& sink) {
  const BitmapSuper& sb = bm.sb;
  const std::uint64_t reserved_bytes = std::uint64_t{sb.sectors_reserved} * 512;
  auto checked = check_lockless_header(m.md, sb, bm.room_bytes, sink);
  if (sb.sectors_reserved == 0) return;
  if (sb.awaiting_kernel_init()) {
    sink.info("bitmap.state", "first_use",
              "not initialised yet: the kernel chooses the chunk size and initialises every chunk at the next assembly");
    bm.area = dev.read(bm.area_offset, static_cast<std::size_t>(std::min(reserved_bytes, bm.room_bytes)));
    check_bad_block_log(m, bm, 0, sink);
    return;
  }
  if (!checked) return;
  LocklessView view = std::move(*checked);
  if (!view.true_fit)
    sink.warning("bitmap.chunksize", std::to_string(sb.chunksize),
                 fmt::format("{} chunks pass the kernel's check but their state bytes end at area byte {}, past the "
                             "reserved {} bytes: the kernel uses a page past the reserved area",
                             view.chunks, kStateOffset + view.chunks, reserved_bytes));
  const std::uint64_t want = std::max(reserved_bytes, kStateOffset + view.chunks);
  const std::uint64_t readable = std::min(want, dev.size_bytes() - bm.area_offset);
  if (readable < kStateOffset + view.chunks) {
    sink.error("bitmap.sync_size", std::to_string(view.sync_sectors),
               fmt::format("the state bytes of {} chunks run past the end of the device", view.chunks));
    return;
  }
  bm.area = dev.read(bm.area_offset, static_cast<std::size_t>(readable));
  view.states.assign(bm.area.begin() + kStateOffset, bm.area.begin() + static_cast<std::ptrdiff_t>(kStateOffset + view.chunks));
  view.counts = count_states(view.states);
  if (view.counts.invalid != 0) {
    const auto first_bad = std::find_if(view.states.begin(), view.states.end(), [](std::uint8_t b) { return !is_valid_state(b); });
    sink.error("bitmap.states", fmt::format("{:#04x}", *first_bad),
               fmt::format("{} state bytes are not states (first at chunk {}): the kernel forces them to need_sync",
                           view.counts.invalid, first_bad - view.states.begin()));
  }
  check_bad_block_log(m, bm, view.chunks, sink);
  bm.lockless = std::move(view);
}

std::uint64_t count_bits(std::span<const std::uint8_t> bits, std::uint64_t chunks) {
  std::uint64_t dirty = 0;
  const std::uint64_t whole = chunks / 8;
  for (std::uint64_t i = 0; i < whole && i < bits.size(); ++i) dirty += static_cast<std::uint64_t>(std::popcount(bits[i]));
  if (chunks % 8 != 0 && whole < bits.size())
    dirty += static_cast<std::uint64_t>(std::popcount(static_cast<std::uint8_t>(bits[whole] & ((1u << (chunks % 8)) - 1))));
  return dirty;
}

void decode_classic(const Device& dev, const Member& m, MemberBitmap& bm, FindingSink& sink) {
  const BitmapSuper& sb = bm.sb;
  if (!check_classic_header(sb, sink)) return;
  if (sb.sync_size > (~std::uint64_t{0} >> 9)) {
    sink.error("bitmap.sync_size", std::to_string(sb.sync_size), "too large: the chunk count overflows");
    return;
  }
  ClassicView view;
  view.chunk_bytes = sb.chunksize;
  view.chunks = div_round_up(sb.sync_size * 512, view.chunk_bytes);
  const std::uint64_t bit_bytes = div_round_up(view.chunks, 8);
  const std::uint32_t nodes = sb.version == 5 ? std::max<std::uint32_t>(1, sb.nodes) : 1;
  if (nodes > kMaxClusterNodes) {
    sink.error("bitmap.nodes", std::to_string(sb.nodes), "more cluster nodes than md supports");
    return;
  }
  const std::uint64_t stride = sb.version == 5 ? div_round_up(kBitmapSuperBytes + bit_bytes, 4096) * 4096 : kBitmapSuperBytes + bit_bytes;
  const std::uint64_t length = stride * (nodes - 1) + kBitmapSuperBytes + bit_bytes;
  if (length > bm.room_bytes) {
    sink.error("bitmap.sync_size", std::to_string(sb.sync_size),
               fmt::format("{} chunks need {} bytes of bitmap, more than the {} bytes of room", view.chunks, length, bm.room_bytes));
    return;
  }
  bm.area = dev.read(bm.area_offset, static_cast<std::size_t>(length));
  for (std::uint32_t n = 0; n < nodes; ++n) {
    const std::span<const std::uint8_t> node_bytes(bm.area.data() + n * stride, kBitmapSuperBytes + bit_bytes);
    ClassicNode node;
    node.node = n;
    node.sb = n == 0 ? sb : decode_bitmap_super(node_bytes, dev.path());
    node.dirty = count_bits(node_bytes.subspan(kBitmapSuperBytes), view.chunks);
    if (n != 0 && node.sb.magic != kBitmapMagic)
      sink.error(fmt::format("bitmap.node{}.magic", n), fmt::format("{:#x}", node.sb.magic), "cluster node bitmap has a bad magic");
    view.nodes.push_back(std::move(node));
  }
  view.bits.assign(bm.area.begin() + kBitmapSuperBytes, bm.area.begin() + static_cast<std::ptrdiff_t>(kBitmapSuperBytes + bit_bytes));
  view.dirty = view.nodes.front().dirty;
  (void)m;
  bm.classic = std::move(view);
}

void decode_bitmap(const Device& dev, Member& m, FindingSink& sink) {
  MemberBitmap bm;
  bm.area_offset = static_cast<std::uint64_t>(m.md.bitmap_area_offset_bytes());
  bm.room_bytes = room_end(m.md, bm.area_offset, m.device_bytes) - bm.area_offset;
  if (m.md.minor_version != 0 && bm.area_offset < m.md.super_offset * 512 + 512 &&
      bm.area_offset + kBitmapSuperBytes > m.md.super_offset * 512)
    sink.error("md.bitmap_offset", std::to_string(m.md.bitmap_offset), "the bitmap area starts inside the md superblock");
  const auto header = dev.read(bm.area_offset, kBitmapSuperBytes);
  bm.sb = decode_bitmap_super(header, dev.path());
  const BitmapSuper& sb = bm.sb;
  if (!check_header_identity(m.md, sb, sink)) {
    m.bitmap = std::move(bm);
    return;
  }
  const bool first_use = sb.awaiting_kernel_init();
  if (!first_use && sb.events < m.md.events)
    sink.error("bitmap.events", std::to_string(sb.events),
               fmt::format("older than the md superblock's events ({}): the bitmap is stale and the next assembly resyncs everything", m.md.events));
  if (sb.has(BitmapFlag::stale))
    sink.error("bitmap.state", "stale", "STALE flag set: the next assembly resyncs everything");
  if (sb.has(BitmapFlag::write_error))
    sink.error("bitmap.state", "write_error", "WRITE_ERROR flag set: the kernel ignores this bitmap (writes are not tracked)");
  for (const auto flag : {BitmapFlag::daemon_busy, BitmapFlag::shutdown})
    if (sb.has(flag))
      sink.info("bitmap.state", bitmap_flag_names(flag_mask(flag)).front(), "runtime flag persisted by the kernel");
  if (sb.lockless())
    decode_lockless(dev, m, bm, sink);
  else
    decode_classic(dev, m, bm, sink);
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
  const bool bitmap_reachable = std::none_of(m.findings.begin(), m.findings.end(), [](const Finding& f) {
    return f.field == "md.bitmap_offset" || f.field == "md.max_dev";
  });
  if (!m.md.has_bitmap())
    sink.info("md.feature_map", fmt::format("{:#x}", m.md.feature_map), "no bitmap on this member");
  else if (bitmap_reachable)
    decode_bitmap(device, m, sink);
  return m;
}

Member load_member(const std::string& path) { return load_member(Device::open_for_read(path)); }

Findings kernel_load_refusals(const Member& member, const BitmapSuper& header) {
  Findings out;
  FindingSink sink{out};
  if (!member.bitmap || !check_header_identity(member.md, header, sink)) return out;
  if (header.lockless())
    check_lockless_header(member.md, header, member.bitmap->room_bytes, sink);
  else
    check_classic_header(header, sink);
  return out;
}

}  // namespace llbmp

namespace llbmp {

Findings compare_members(const std::vector<Member>& members) {
  Findings out;
  if (members.size() < 2) return out;
  const Member& ref = members.front();
  auto differ = [&](const Member& m, const char* field, const std::string& mine, const std::string& theirs) {
    if (mine != theirs)
      out.push_back({Severity::error, field, mine, fmt::format("{} has {}, {} has {}", m.device, mine, ref.device, theirs)});
  };
  for (std::size_t i = 1; i < members.size(); ++i) {
    const Member& m = members[i];
    differ(m, "md.set_uuid", format_uuid(m.md.set_uuid), format_uuid(ref.md.set_uuid));
    if (!m.bitmap || !ref.bitmap) {
      if (m.bitmap.has_value() != ref.bitmap.has_value())
        out.push_back({Severity::error, "bitmap", m.bitmap ? "present" : "absent",
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
      out.push_back({Severity::error, "bitmap.states", std::to_string(differing),
                     fmt::format("{} and {} differ in {} chunk states (first at chunk {})", m.device, ref.device, differing, first)});
    }
    if (m.bitmap->classic && ref.bitmap->classic && m.bitmap->classic->bits != ref.bitmap->classic->bits)
      out.push_back({Severity::error, "bitmap.bits", "", fmt::format("{} and {} differ in their bitmap bits", m.device, ref.device)});
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
