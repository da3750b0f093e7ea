// Test fixture writer: makes member images with the library's builder, then
// plants chunk states, classic bits or raw bytes, so the CLI tests start from
// generated images rather than committed binary blobs.
//
//   mkfixture OUT --level 1 --raid-disks 2 --role 0 --metadata 1.2
//             --bitmap lockless|first-use|classic|none --size-mib 256
//             --state 0-99=2 --state 500=3 --raw-area OFFSET=BYTE --md-field OFFSET=u32
#include <filesystem>
#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include "write/builder.hpp"
#include "io/device.hpp"
#include "format/endian.hpp"
#include "format/md_super.hpp"

namespace {

std::pair<std::uint64_t, std::uint64_t> parse_range(const std::string& s) {
  const auto dash = s.find('-');
  if (dash == std::string::npos) return {std::stoull(s), std::stoull(s)};
  return {std::stoull(s.substr(0, dash)), std::stoull(s.substr(dash + 1))};
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"mkfixture"};
  std::string out, bitmap = "lockless", uuid = "0123456789abcdef0123456789abcdef";
  std::int32_t level = 1;
  std::uint32_t raid_disks = 2, role = 0, chunk = 0, reserved = 256, daemon = 0;
  std::string metadata = "1.2";
  std::uint64_t size_mib = 256, events = 10, bitmap_events = 0, data_offset = 2048;
  std::int32_t bitmap_offset = 8;
  std::vector<std::string> states, bits, raw_area, md_u32;
  bool assume_clean = false;
  std::uint64_t bblog_offset = 0;
  std::uint16_t bblog_size = 0;
  std::vector<std::uint32_t> missing;
  app.add_option("out", out)->required();
  app.add_option("--level", level);
  app.add_option("--raid-disks", raid_disks);
  app.add_option("--role", role);
  app.add_option("--metadata", metadata);
  app.add_option("--bitmap", bitmap);
  app.add_option("--uuid", uuid);
  app.add_option("--size-mib", size_mib);
  app.add_option("--events", events);
  app.add_option("--bitmap-events", bitmap_events);
  app.add_option("--data-offset", data_offset);
  app.add_option("--bitmap-offset", bitmap_offset);
  app.add_option("--chunk", chunk);
  app.add_option("--reserved", reserved);
  app.add_option("--daemon-sleep", daemon);
  app.add_option("--bblog", bblog_offset);
  app.add_option("--bblog-size", bblog_size);
  app.add_option("--missing", missing);
  app.add_flag("--assume-clean", assume_clean);
  app.add_option("--state", states, "RANGE=BYTE: llbitmap state bytes");
  app.add_option("--bit", bits, "RANGE: set classic bits (others cleared)");
  app.add_option("--raw-area", raw_area, "OFFSET=BYTE inside the bitmap area");
  app.add_option("--md-u32", md_u32, "OFFSET=VALUE in the md superblock, checksum recomputed");
  CLI11_PARSE(app, argc, argv);

  llbmp::ArraySpec spec;
  spec.level = level;
  spec.raid_disks = raid_disks;
  spec.member_bytes = size_mib << 20;
  spec.minor_version = metadata == "1.0" ? 0 : metadata == "1.1" ? 1 : 2;
  spec.uuid = *llbmp::parse_uuid(uuid);
  spec.events = events;
  spec.bitmap_events = bitmap_events;
  spec.data_offset = data_offset;
  spec.bitmap_offset = bitmap_offset;
  spec.bitmap_chunk = chunk;
  spec.sectors_reserved = reserved;
  spec.daemon_sleep = daemon;
  spec.assume_clean = assume_clean;
  spec.bblog_offset = bblog_offset;
  spec.bblog_size = bblog_size;
  spec.missing.assign(raid_disks, false);
  for (const auto m : missing) spec.missing.at(m) = true;
  spec.bitmap = bitmap == "none" ? llbmp::BitmapKind::none
              : bitmap == "first-use" ? llbmp::BitmapKind::lockless_first_use
              : bitmap == "classic" ? llbmp::BitmapKind::classic
                                    : llbmp::BitmapKind::lockless;
  auto meta = llbmp::build_member(spec, role);
  for (const auto& s : states) {
    const auto eq = s.find('=');
    const auto [first, last] = parse_range(s.substr(0, eq));
    const auto value = static_cast<std::uint8_t>(std::stoul(s.substr(eq + 1), nullptr, 0));
    for (auto i = first; i <= last; ++i) meta.bitmap_area.at(llbmp::kStateOffset + i) = value;
  }
  if (!bits.empty()) {
    for (std::uint64_t i = 0; i < meta.chunks; ++i) meta.bitmap_area.at(256 + i / 8) &= static_cast<std::uint8_t>(~(1u << (i % 8)));
    for (const auto& s : bits) {
      const auto [first, last] = parse_range(s);
      for (auto i = first; i <= last; ++i) meta.bitmap_area.at(256 + i / 8) |= static_cast<std::uint8_t>(1u << (i % 8));
    }
  }
  for (const auto& s : raw_area) {
    const auto eq = s.find('=');
    meta.bitmap_area.at(std::stoull(s.substr(0, eq), nullptr, 0)) = static_cast<std::uint8_t>(std::stoul(s.substr(eq + 1), nullptr, 0));
  }
  std::filesystem::remove(out);  // a fixture replaces the file; the library only creates new ones
  llbmp::write_member_image(out, meta, spec.member_bytes);
  if (!md_u32.empty()) {
    // Raw edits of the md superblock after the fact, checksum recomputed.
    auto dev = llbmp::Device::open_for_write(out);
    auto raw = dev.read(meta.md_offset, 4096);
    for (const auto& s : md_u32) {
      const auto eq = s.find('=');
      llbmp::store_le<std::uint32_t>(raw, std::stoul(s.substr(0, eq), nullptr, 0),
                                     static_cast<std::uint32_t>(std::stoul(s.substr(eq + 1), nullptr, 0)));
    }
    const auto max_dev = llbmp::load_le<std::uint32_t>(raw, 220);
    if (max_dev <= 1920) llbmp::store_le<std::uint32_t>(raw, 216, llbmp::md_superblock_checksum(raw, max_dev));
    dev.allow_writes({meta.md_offset, 4096});
    dev.write(meta.md_offset, raw);
    dev.flush();
  }
  return 0;
}
