#include "render.hpp"

#include <fmt/format.h>

#include <cstdio>

#include "command.hpp"

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

void line(std::string& out, const char* name, const std::string& value) {
  out += fmt::format("{:>19} : {}\n", name, value);
}

}  // namespace

std::string human_chunksize(std::uint64_t bytes) {
  static constexpr const char* kUnits[] = {"B", "KB", "MB", "GB", "TB"};
  std::size_t unit = 0;
  while (unit + 1 < std::size(kUnits) && bytes >= 1024 && bytes % 1024 == 0) {
    bytes /= 1024;
    ++unit;
  }
  return fmt::format("{} {}", bytes, kUnits[unit]);
}

std::string human_size(std::uint64_t bytes) {
  const double b = static_cast<double>(bytes);
  if (bytes < (1ULL << 20)) return "";
  if (bytes < (1ULL << 30)) return fmt::format(" ({:.2f} MiB {:.2f} MB)", b / (1 << 20), b / 1e6);
  if (bytes < (1ULL << 40)) return fmt::format(" ({:.2f} GiB {:.2f} GB)", b / (1 << 30), b / 1e9);
  return fmt::format(" ({:.2f} TiB {:.2f} TB)", b / (1ULL << 40), b / 1e12);
}

// Bytes read from a device (names) or given by the user (paths) may be
// anything: bytes outside printable ASCII are shown as \xNN, so JSON stays
// valid UTF-8 and a terminal never receives control sequences.
std::string printable(const std::string& raw) {
  std::string out;
  for (const unsigned char c : raw) {
    if (c >= 0x20 && c < 0x7f && c != '\\')
      out += static_cast<char>(c);
    else
      out += fmt::format("\\x{:02x}", c);
  }
  return out;
}

nlohmann::json member_json(const Member& m) {
  nlohmann::json j;
  j["device"] = printable(m.device);
  j["device_bytes"] = m.device_bytes;
  j["metadata"] = m.md.metadata_name();
  j["super_offset_sectors"] = m.md.super_offset;
  j["md_uuid"] = llbmp::format_uuid(m.md.set_uuid);
  j["md_name"] = printable(m.md.set_name);
  j["md_events"] = m.md.events;
  j["level"] = llbmp::level_name(m.md.level);
  j["raid_disks"] = m.md.raid_disks;
  j["layout"] = m.md.layout;
  j["size_sectors"] = m.md.size;
  j["data_offset_sectors"] = m.md.data_offset;
  j["data_size_sectors"] = m.md.data_size;
  j["dev_number"] = m.md.dev_number;
  if (const auto role = m.md.role()) j["role"] = *role;
  j["resync_offset_sectors"] = m.md.resync_offset;
  if (m.md.logical_block_size != 0) j["md_logical_block_size"] = m.md.logical_block_size;
  if (m.md.bblog_size != 0) {
    j["bblog_offset_sectors"] = m.md.bblog_offset;
    j["bblog_size_sectors"] = m.md.bblog_size;
  }
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
    b["cluster_name"] = printable(sb.cluster_name);
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
      nlohmann::json states;
      for (std::size_t s = 0; s < llbmp::kStateCount; ++s)
        states[std::string(llbmp::state_key(static_cast<State>(s)))] = v.counts.by_state[s];
      states["invalid"] = v.counts.invalid;
      b["states"] = states;
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
    findings.push_back({{"severity", llbmp::severity_name(f.severity)}, {"field", f.field}, {"value", f.value}, {"message", f.message}});
  }
  j["problems"] = problems;
  j["findings"] = findings;
  return j;
}

std::string member_text(const Member& m, bool brief) {
  std::string out;
  line(out, "Filename", m.device);
  if (!brief) {
    line(out, "Metadata", fmt::format("{} (superblock at sector {})", m.md.metadata_name(), m.md.super_offset));
    line(out, "Array UUID", llbmp::format_uuid(m.md.set_uuid) + (m.md.set_name.empty() ? "" : "  name " + printable(m.md.set_name)));
    line(out, "Raid Level", fmt::format("{}, {} devices", llbmp::level_name(m.md.level), m.md.raid_disks));
    line(out, "Array Events", std::to_string(m.md.events));
    if (m.md.has_bitmap())
      line(out, "Bitmap Offset", fmt::format("{} sectors (byte {})", m.md.bitmap_offset, m.md.bitmap_area_offset_bytes()));
    else
      line(out, "Bitmap Offset", "none (no bitmap)");
  }
  if (m.bitmap) {
    const auto& bm = *m.bitmap;
    const auto& sb = bm.sb;
    line(out, "Magic", fmt::format("{:08x}", sb.magic));
    line(out, "Version", sb.lockless() ? "6 (llbitmap)" : std::to_string(sb.version));
    line(out, "UUID", llbmp::format_uuid(sb.uuid));
    line(out, "Events", std::to_string(sb.events));
    line(out, "Events Cleared", std::to_string(sb.events_cleared));
    line(out, "State", bitmap_state_text(sb));
    if (!brief) {
      const auto flags = llbmp::bitmap_flag_names(sb.state);
      line(out, "Flags", flags.empty() ? "none" : join(flags, ", "));
    }
    if (bm.lockless) {
      const auto& v = *bm.lockless;
      line(out, "Chunksize", fmt::format("{} ({} sectors)", human_chunksize(v.chunk_sectors * 512), v.chunk_sectors));
    } else if (bm.classic) {
      line(out, "Chunksize", human_chunksize(bm.classic->chunk_bytes));
    } else if (sb.awaiting_kernel_init()) {
      line(out, "Chunksize", fmt::format("not chosen yet (header holds {})", sb.chunksize));
    } else if (bm.unusable_field == "bitmap.chunksize" || bm.unusable_field.empty()) {
      line(out, "Chunksize", fmt::format("invalid ({})", sb.chunksize));
    } else {
      line(out, "Chunksize", fmt::format("{} in the header, not used: {} is invalid", sb.chunksize, bm.unusable_field));
    }
    line(out, "Daemon", fmt::format("{}s flush period", sb.daemon_sleep));
    line(out, "Write Mode", sb.write_behind == 0 ? std::string("Normal") : fmt::format("Allow write behind, max {}", sb.write_behind));
    line(out, "Sync Size", fmt::format("{}{}", sb.sync_size / 2, human_size(sb.sync_size * 512)));
    if (sb.lockless() || !brief)
      line(out, "Sectors Reserved", fmt::format("{} ({} bytes)", sb.sectors_reserved, std::uint64_t{sb.sectors_reserved} * 512));
    if (const auto chunks = m.chunks(); chunks && m.dirty()) {
      line(out, "Bitmap", fmt::format("{} bits (chunks), {} dirty ({})", *chunks, *m.dirty(), percent(*m.dirty(), *chunks)));
      if (bm.lockless && bm.lockless->chunks_7_3 != *chunks)
        line(out, "Chunks on 7.3", fmt::format("{} (from the header's sync_size; 7.2.13 covers all {})", bm.lockless->chunks_7_3, *chunks));
    } else if (sb.awaiting_kernel_init()) {
      line(out, "Bitmap", "not initialised yet: no chunk states until the kernel assembles the array");
    }
    if (bm.lockless && !brief) {
      const auto& c = bm.lockless->counts;
      for (std::size_t s = 0; s < llbmp::kStateCount; ++s) {
        const auto name = std::string(llbmp::state_sysfs_name(static_cast<State>(s)));
        out += fmt::format("{:>19} : {}\n", name, c.by_state[s]);
      }
      out += fmt::format("{:>19} : {}\n", "invalid", c.invalid);
    }
    if (bm.classic && bm.classic->nodes.size() > 1 && !brief)
      for (const auto& n : bm.classic->nodes)
        line(out, fmt::format("Node {}", n.node).c_str(), fmt::format("events {}, {} dirty", n.sb.events, n.dirty));
  }
  if (m.findings.empty()) {
    line(out, "Problems", "none");
  } else {
    bool first = true;
    for (const auto& f : m.findings) {
      if (brief && f.severity == llbmp::Severity::info) continue;
      line(out, first ? "Findings" : "", fmt::format("{}: {}", llbmp::severity_name(f.severity), f.to_string()));
      first = false;
    }
  }
  return out;
}

std::string member_export(const Member& m) {
  std::string out;
  auto put = [&](const std::string& key, const auto& value) { out += fmt::format("LLBITMAP_{}={}\n", key, value); };
  auto quote = [](const std::string& s) {
    std::string q = "'";
    for (const char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
  };
  put("DEVICE", quote(m.device));
  put("METADATA", m.md.metadata_name());
  put("MD_UUID", llbmp::format_uuid(m.md.set_uuid));
  put("MD_EVENTS", m.md.events);
  put("LEVEL", llbmp::level_name(m.md.level));
  put("RAID_DISKS", m.md.raid_disks);
  put("BITMAP_OFFSET_SECTORS", m.md.has_bitmap() ? std::to_string(m.md.bitmap_offset) : std::string());
  if (m.bitmap) {
    const auto& sb = m.bitmap->sb;
    put("VERSION", sb.version);
    put("UUID", llbmp::format_uuid(sb.uuid));
    put("EVENTS", sb.events);
    put("EVENTS_CLEARED", sb.events_cleared);
    put("STATE_FLAGS", join(llbmp::bitmap_flag_names(sb.state), ","));
    put("SYNC_SIZE_SECTORS", sb.sync_size);
    put("DAEMON_SLEEP", sb.daemon_sleep);
    put("WRITE_BEHIND", sb.write_behind);
    put("SECTORS_RESERVED", sb.sectors_reserved);
    put("NODES", sb.nodes);
    if (const auto& v = m.bitmap->lockless) {
      put("CHUNKSIZE_SECTORS", v->chunk_sectors);
      put("CHUNKSIZE_BYTES", v->chunk_sectors * 512);
    } else if (const auto& c = m.bitmap->classic) {
      put("CHUNKSIZE_SECTORS", c->chunk_bytes / 512);
      put("CHUNKSIZE_BYTES", c->chunk_bytes);
    }
    if (m.chunks()) put("CHUNKS", *m.chunks());
    if (m.dirty()) put("DIRTY", *m.dirty());
    if (const auto& v = m.bitmap->lockless) {
      for (std::size_t s = 0; s < llbmp::kStateCount; ++s) {
        std::string key(llbmp::state_key(static_cast<State>(s)));
        for (auto& ch : key) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
        put("STATE_" + key, v->counts.by_state[s]);
      }
      put("STATE_INVALID", v->counts.invalid);
    }
  }
  std::size_t problems = 0;
  for (const auto& f : m.findings) problems += f.severity == llbmp::Severity::error;
  put("PROBLEMS", problems);
  return out;
}

void print_error_findings(const std::string& command, const Member& m) {
  for (const auto& f : m.findings)
    if (f.severity == llbmp::Severity::error)
      fmt::print(stderr, "llbitmap {}: {}: {}\n", command, m.device, f.to_string());
}

ChunkSpan parse_chunk_span(const std::string& text) {
  auto number = [&](const std::string& s) {
    if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos)
      throw UsageError(fmt::format("--chunks {}: expected FIRST-LAST or N (chunk numbers)", text));
    return std::stoull(s);
  };
  const auto dash = text.find('-');
  if (dash == std::string::npos) {
    const auto n = number(text);
    return {n, n};
  }
  const ChunkSpan span{number(text.substr(0, dash)), number(text.substr(dash + 1))};
  if (span.last < span.first) throw UsageError(fmt::format("--chunks {}: LAST is before FIRST", text));
  return span;
}

}  // namespace llbitmap::cli
