#include "render/member.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "render/counts.hpp"
#include "render/escape.hpp"
#include "render/reshape.hpp"
#include "render/size.hpp"

namespace llbitmap::cli {

using llbmp::BitmapFlag;
using llbmp::Member;
using llbmp::State;

namespace {

std::string bitmap_state_text(const llbmp::BitmapSuper& sb) {
  std::string text;
  if (sb.has(BitmapFlag::stale)) text += "Out of date";
  if (sb.has(BitmapFlag::write_error)) text += text.empty() ? "Write error" : ", Write error";
  if (sb.awaiting_kernel_init()) text += text.empty() ? "Not initialised (first use)" : ", Not initialised (first use)";
  return text.empty() ? "OK" : text;
}

std::string percent(std::uint64_t part, std::uint64_t whole) {
  return fmt::format("{:2.1f}%", whole == 0 ? 0.0 : 100.0 * static_cast<double>(part) / static_cast<double>(whole));
}

std::string join(const std::vector<std::string>& items, const char* sep) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : sep) + s;
  return out;
}

void line(std::string& out, const std::string& name, const std::string& value) {
  out += fmt::format("{:>19} : {}\n", name, value);
}

}  // namespace

nlohmann::json member_json(const Member& m) {
  nlohmann::json j;
  j["device"] = m.device;
  j["device_bytes"] = m.device_bytes;
  j["metadata"] = m.md.metadata_name();
  j["super_offset_sectors"] = m.md.super_offset;
  j["md_uuid"] = llbmp::format_uuid(m.md.set_uuid);
  j["md_name"] = m.md.set_name;
  j["md_events"] = m.md.events;
  j["level"] = llbmp::level_name(m.md.level);
  j["raid_disks"] = m.md.raid_disks;
  j["layout"] = m.md.layout;
  j["size_sectors"] = m.md.size;
  j["data_offset_sectors"] = m.md.data_offset;
  j["data_size_sectors"] = m.md.data_size;
  j["dev_number"] = m.md.dev_number;
  if (const auto role = m.md.role()) j["role"] = *role;
  j["device_role"] = m.md.role_description();
  j["array_state"] = m.md.array_state();
  j["degraded"] = m.md.degraded();
  // md's MaxSector ("no resync pending") is no sector: null, not 2^64 - 1.
  j["resync_offset_sectors"] = m.md.resync_offset == llbmp::kMaxSector ? nlohmann::json(nullptr) : nlohmann::json(m.md.resync_offset);
  if (m.md.logical_block_size != 0) j["md_logical_block_size"] = m.md.logical_block_size;
  if (m.md.bblog_size != 0) {
    j["bblog_offset_sectors"] = m.md.bblog_offset;
    j["bblog_size_sectors"] = m.md.bblog_size;
  }
  // Only mid-reshape: the output of every other member stays as it was.
  if (const auto r = llbmp::member_reshape(m)) j["reshape"] = reshape_json(*r);
  j["bitmap_offset_sectors"] = m.md.has_bitmap() ? nlohmann::json(m.md.bitmap_offset) : nlohmann::json(nullptr);
  if (m.bitmap) {
    const auto& bm = *m.bitmap;
    const auto& sb = bm.sb;
    nlohmann::json b;
    b["magic"] = fmt::format("{:08x}", sb.magic);
    b["version"] = sb.version;
    b["uuid"] = llbmp::format_uuid(sb.uuid);
    b["events"] = sb.events;
    b["events_cleared"] = sb.events_cleared;
    b["state_flags"] = llbmp::bitmap_flag_names(sb.state);
    b["first_use"] = sb.awaiting_kernel_init();
    b["sync_size_sectors"] = sb.sync_size;
    b["daemon_sleep"] = sb.daemon_sleep;
    b["write_behind"] = sb.write_behind;
    b["sectors_reserved"] = sb.sectors_reserved;
    b["area_offset_bytes"] = bm.area_offset;
    b["nodes"] = sb.nodes;
    b["cluster_name"] = sb.cluster_name;
    b["chunksize_sectors"] = nullptr;
    b["chunksize_bytes"] = nullptr;
    b["chunks"] = nullptr;
    b["dirty"] = nullptr;
    b["unusable_field"] = bm.unusable_field.empty() ? nlohmann::json(nullptr) : nlohmann::json(bm.unusable_field);
    if (bm.lockless) {
      const auto& v = *bm.lockless;
      b["chunksize_sectors"] = v.chunk_sectors;
      b["chunksize_bytes"] = v.chunk_sectors * 512;
      b["chunks"] = v.chunks;
      b["chunks_7_3"] = v.chunks_7_3;
      b["dirty"] = v.counts.not_in_sync();
      b["states"] = counts_json(v.counts);
      b["kernel_fit"] = v.kernel_fit;
      b["true_fit"] = v.true_fit;
    } else if (bm.classic) {
      const auto& c = *bm.classic;
      b["chunksize_bytes"] = c.chunk_bytes;
      b["chunksize_sectors"] = c.chunk_bytes / 512;
      b["chunks"] = c.chunks;
      b["dirty"] = c.dirty;
      if (c.nodes.size() > 1) {
        nlohmann::json nodes = nlohmann::json::array();
        for (const auto& n : c.nodes) nodes.push_back({{"node", n.node}, {"events", n.sb.events}, {"dirty", n.dirty}});
        b["cluster_nodes"] = nodes;
      }
    }
    j["bitmap"] = b;
  } else {
    j["bitmap"] = nullptr;
  }
  nlohmann::json problems = nlohmann::json::array();
  nlohmann::json findings = nlohmann::json::array();
  for (const auto& f : m.findings) {
    if (f.severity == llbmp::Severity::error) problems.push_back(f.to_string());
    findings.push_back({{"id", f.name()}, {"severity", llbmp::severity_name(f.severity)}, {"field", f.field}, {"value", f.value}, {"message", f.message}});
  }
  j["problems"] = problems;
  j["findings"] = findings;
  return j;
}

namespace {

// mdadm -X's lines (bitmap.c ExamineBitmap): 16-character labels.
void brief_line(std::string& out, const std::string& name, const std::string& value) {
  out += fmt::format("{:>16} : {}\n", name, value);
}

// mdadm -X names the whole state word: 0 "OK", exactly STALE "Out of date",
// anything else "Unknown".
std::string mdadm_bitmap_state(std::uint32_t state) {
  if (state == 0) return "OK";
  if (state == (1u << 1)) return "Out of date";
  return "Unknown";
}

std::string bitmap_line(std::uint64_t chunks, std::uint64_t dirty) {
  return fmt::format("{} bits (chunks), {} dirty ({})", chunks, dirty, percent(dirty, chunks));
}

std::string chunksize_text(const llbmp::MemberBitmap& bm, bool brief) {
  const auto& sb = bm.sb;
  if (bm.lockless) {
    const auto bytes = bm.lockless->chunk_sectors * 512;
    return brief ? human_chunksize(bytes) : fmt::format("{} ({} sectors)", human_chunksize(bytes), bm.lockless->chunk_sectors);
  }
  if (bm.classic) return human_chunksize(bm.classic->chunk_bytes);
  if (sb.awaiting_kernel_init()) return fmt::format("not chosen yet (header holds {})", sb.chunksize);
  if (bm.unusable_field == "bitmap.chunksize" || bm.unusable_field.empty()) return fmt::format("invalid ({})", sb.chunksize);
  return fmt::format("{} in the header, not used: {} is invalid", sb.chunksize, bm.unusable_field);
}

// The error and warning findings under one label, then (full text only) the
// informational ones under "Notes".
void problem_lines(std::string& out, const Member& m, bool brief) {
  const auto put = brief ? brief_line : line;
  bool first = true;
  for (const auto& f : m.findings) {
    if (f.severity == llbmp::Severity::info) continue;
    put(out, first ? "Problems" : "", fmt::format("{}: {}", llbmp::severity_name(f.severity), printable(f.to_string())));
    first = false;
  }
  if (brief) return;
  if (first) line(out, "Problems", "none");
  first = true;
  for (const auto& f : m.findings) {
    if (f.severity != llbmp::Severity::info) continue;
    line(out, first ? "Notes" : "", printable(f.to_string()));
    first = false;
  }
}

// The bits mdadm -X counts for one cluster node: from that node's own header
// (0 when its sync_size or chunksize is 0), the chunk taken as at least a sector.
std::uint64_t node_bits(const llbmp::BitmapSuper& sb) {
  if (sb.sync_size == 0 || sb.chunksize == 0) return 0;
  const std::uint64_t chunk_sectors = std::max<std::uint64_t>(1, sb.chunksize >> 9);
  return sb.sync_size / chunk_sectors + (sb.sync_size % chunk_sectors != 0);
}

// Exactly mdadm -X's lines for a classic bitmap, the same lines with the
// llbitmap's own facts for version 6; problems (if any) after them.
std::string member_brief(const Member& m) {
  std::string out;
  brief_line(out, "Filename", printable(m.device));
  if (m.bitmap) {
    const auto& bm = *m.bitmap;
    const auto& sb = bm.sb;
    const bool cluster = sb.nodes != 0 && !sb.lockless();
    brief_line(out, "Magic", fmt::format("{:08x}", sb.magic));
    brief_line(out, "Version", std::to_string(sb.version));
    brief_line(out, "UUID", llbmp::format_uuid(sb.uuid));
    if (!cluster) {
      brief_line(out, "Events", std::to_string(sb.events));
      brief_line(out, "Events Cleared", std::to_string(sb.events_cleared));
      brief_line(out, "State", sb.lockless() ? bitmap_state_text(sb) : mdadm_bitmap_state(sb.state));
    }
    brief_line(out, "Chunksize", chunksize_text(bm, true));
    brief_line(out, "Daemon", fmt::format("{}s flush period", sb.daemon_sleep));
    brief_line(out, "Write Mode", sb.write_behind == 0 ? std::string("Normal") : fmt::format("Allow write behind, max {}", sb.write_behind));
    brief_line(out, "Sync Size", fmt::format("{}{}", sb.sync_size / 2, human_size(sb.sync_size * 512)));
    if (cluster) {
      brief_line(out, "Cluster nodes", std::to_string(sb.nodes));
      brief_line(out, "Cluster name", fmt::format("{:<64}", printable(sb.cluster_name)));
      if (bm.classic)
        for (const auto& n : bm.classic->nodes) {
          brief_line(out, "Node Slot", std::to_string(n.node));
          brief_line(out, "Events", std::to_string(n.sb.events));
          brief_line(out, "Events Cleared", std::to_string(n.sb.events_cleared));
          brief_line(out, "State", mdadm_bitmap_state(n.sb.state));
          brief_line(out, "Bitmap", bitmap_line(node_bits(n.sb), n.dirty));
        }
    } else if (const auto chunks = m.chunks(); chunks && m.dirty()) {
      brief_line(out, "Bitmap", bitmap_line(*chunks, *m.dirty()));
    } else if (sb.awaiting_kernel_init()) {
      brief_line(out, "Bitmap", "not initialised yet: no chunk states until the kernel assembles the array");
    }
  }
  problem_lines(out, m, true);
  return out;
}

}  // namespace

std::string member_text(const Member& m, bool brief) {
  if (brief) return member_brief(m);
  std::string out;
  line(out, "Filename", printable(m.device));
  line(out, "Metadata", fmt::format("{} (superblock at sector {})", m.md.metadata_name(), m.md.super_offset));
  line(out, "Array UUID", llbmp::format_uuid(m.md.set_uuid) + (m.md.set_name.empty() ? "" : "  name " + printable(m.md.set_name)));
  line(out, "Raid Level", fmt::format("{}, {} devices", llbmp::level_name(m.md.level), m.md.raid_disks));
  line(out, "Array Events", std::to_string(m.md.events));
  line(out, "Device Role", m.md.role_description());
  line(out, "Array State", m.md.array_state() + " ('A' == active, '.' == missing, 'R' == replacing)");
  line(out, "Degraded", m.md.degraded() ? "yes" : "no");
  line(out, "Data Offset", fmt::format("{} sectors", m.md.data_offset));
  if (const auto r = llbmp::member_reshape(m))
    for (const auto& [name, value] : reshape_lines(*r)) line(out, name, value);
  if (m.md.has_bitmap())
    line(out, "Bitmap Offset", fmt::format("{} sectors (byte {})", m.md.bitmap_offset, m.md.bitmap_area_offset_bytes()));
  else
    line(out, "Bitmap Offset", "none (no bitmap)");
  if (m.bitmap) {
    const auto& bm = *m.bitmap;
    const auto& sb = bm.sb;
    line(out, "Magic", fmt::format("{:08x}", sb.magic));
    line(out, "Version", sb.lockless() ? "6 (llbitmap)" : std::to_string(sb.version));
    line(out, "UUID", llbmp::format_uuid(sb.uuid));
    line(out, "Events", std::to_string(sb.events));
    line(out, "Events Cleared", std::to_string(sb.events_cleared));
    line(out, "State", bitmap_state_text(sb));
    const auto flags = llbmp::bitmap_flag_names(sb.state);
    line(out, "Flags", flags.empty() ? "none" : join(flags, ", "));
    line(out, "Chunksize", chunksize_text(bm, false));
    line(out, "Daemon", fmt::format("{}s flush period", sb.daemon_sleep));
    line(out, "Write Mode", sb.write_behind == 0 ? std::string("Normal") : fmt::format("Allow write behind, max {}", sb.write_behind));
    line(out, "Sync Size", fmt::format("{}{}", sb.sync_size / 2, human_size(sb.sync_size * 512)));
    line(out, "Sectors Reserved", fmt::format("{} ({} bytes)", sb.sectors_reserved, std::uint64_t{sb.sectors_reserved} * 512));
    if (const auto chunks = m.chunks(); chunks && m.dirty()) {
      line(out, "Bitmap", bitmap_line(*chunks, *m.dirty()));
      if (bm.lockless && bm.lockless->chunks_7_3 != *chunks)
        line(out, "Chunks on 7.3", fmt::format("{} (from the header's sync_size; 7.2.13 covers all {})", bm.lockless->chunks_7_3, *chunks));
    } else if (sb.awaiting_kernel_init()) {
      line(out, "Bitmap", "not initialised yet: no chunk states until the kernel assembles the array");
    }
    if (bm.lockless) {
      const auto& c = bm.lockless->counts;
      for (std::size_t s = 0; s < llbmp::kStateCount; ++s) {
        const auto name = std::string(llbmp::state_sysfs_name(static_cast<State>(s)));
        line(out, name, std::to_string(c.by_state[s]));
      }
      line(out, "invalid", std::to_string(c.invalid));
    }
    if (bm.classic && bm.classic->nodes.size() > 1)
      for (const auto& n : bm.classic->nodes)
        line(out, fmt::format("Node {}", n.node), fmt::format("events {}, {} dirty", n.sb.events, n.dirty));
  }
  problem_lines(out, m, false);
  return out;
}

std::string member_export(const Member& m) {
  ExportLines e("LLBITMAP_");
  e.put("DEVICE", m.device);
  e.put("METADATA", m.md.metadata_name());
  e.put("MD_UUID", llbmp::format_uuid(m.md.set_uuid));
  e.put("MD_NAME", m.md.set_name);
  e.put("MD_EVENTS", m.md.events);
  e.put("LEVEL", llbmp::level_name(m.md.level));
  e.put("RAID_DISKS", m.md.raid_disks);
  e.put("DEV_NUMBER", m.md.dev_number);
  e.put("ROLE", m.md.role() ? std::to_string(*m.md.role()) : std::string());
  e.put("DEVICE_ROLE", m.md.role_description());
  e.put("ARRAY_STATE", m.md.array_state());
  e.put("DEGRADED", m.md.degraded());
  e.put("DATA_OFFSET_SECTORS", m.md.data_offset);
  e.put("RESYNC_OFFSET_SECTORS", m.md.resync_offset == llbmp::kMaxSector ? std::string("none") : std::to_string(m.md.resync_offset));
  if (const auto r = llbmp::member_reshape(m)) put_reshape(e, *r);
  e.put("BITMAP_OFFSET_SECTORS", m.md.has_bitmap() ? std::to_string(m.md.bitmap_offset) : std::string());
  if (m.bitmap) {
    const auto& sb = m.bitmap->sb;
    e.put("VERSION", sb.version);
    e.put("UUID", llbmp::format_uuid(sb.uuid));
    e.put("EVENTS", sb.events);
    e.put("EVENTS_CLEARED", sb.events_cleared);
    e.put("STATE_FLAGS", join(llbmp::bitmap_flag_names(sb.state), ","));
    e.put("SYNC_SIZE_SECTORS", sb.sync_size);
    e.put("DAEMON_SLEEP", sb.daemon_sleep);
    e.put("WRITE_BEHIND", sb.write_behind);
    e.put("SECTORS_RESERVED", sb.sectors_reserved);
    e.put("NODES", sb.nodes);
    e.put("CLUSTER_NAME", sb.cluster_name);
    if (const auto& v = m.bitmap->lockless) {
      e.put("CHUNKSIZE_SECTORS", v->chunk_sectors);
      e.put("CHUNKSIZE_BYTES", v->chunk_sectors * 512);
    } else if (const auto& c = m.bitmap->classic) {
      e.put("CHUNKSIZE_SECTORS", c->chunk_bytes / 512);
      e.put("CHUNKSIZE_BYTES", c->chunk_bytes);
    }
    if (m.chunks()) e.put("CHUNKS", *m.chunks());
    if (m.dirty()) e.put("DIRTY", *m.dirty());
    if (const auto& v = m.bitmap->lockless) put_counts(e, v->counts);
  }
  std::size_t problems = 0;
  for (const auto& f : m.findings) problems += f.severity == llbmp::Severity::error;
  e.put("PROBLEMS", problems);
  return e.text();
}

std::string error_findings_text(const std::string& command, const Member& m) {
  std::string out;
  for (const auto& f : m.findings)
    if (f.severity == llbmp::Severity::error)
      out += fmt::format("llbitmap {}: {}: {}\n", command, printable(m.device), printable(f.to_string()));
  return out;
}

}  // namespace llbitmap::cli
