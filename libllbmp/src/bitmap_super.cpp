#include "llbmp/bitmap_super.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace llbmp {

std::optional<BitmapFlag> parse_bitmap_flag(const std::string& name) {
  for (const auto& entry : kBitmapFlagNames)
    if (name == entry.name) return entry.flag;
  return std::nullopt;
}

std::vector<std::string> bitmap_flag_names(std::uint32_t state) {
  std::vector<std::string> names;
  for (unsigned bit = 0; bit < 32; ++bit) {
    if ((state & (1u << bit)) == 0) continue;
    const auto* known = std::find_if(std::begin(kBitmapFlagNames), std::end(kBitmapFlagNames),
                                     [bit](const FlagName& f) { return static_cast<unsigned>(f.flag) == bit; });
    names.push_back(known != std::end(kBitmapFlagNames) ? std::string(known->name) : fmt::format("bit{}", bit));
  }
  return names;
}

BitmapSuper decode_bitmap_super(std::span<const std::uint8_t> bytes, const std::string& device) {
  if (bytes.size() < kBitmapSuperBytes)
    throw Error(device, "bitmap.superblock", std::to_string(bytes.size()),
                "too short for a bitmap superblock (256 bytes)");
  const auto disk = read_struct<BitmapSuperDisk>(bytes);
  BitmapSuper sb;
  sb.magic = disk.magic.get();
  sb.version = disk.version.get();
  std::copy(std::begin(disk.uuid), std::end(disk.uuid), sb.uuid.begin());
  sb.events = disk.events.get();
  sb.events_cleared = disk.events_cleared.get();
  sb.sync_size = disk.sync_size.get();
  sb.state = disk.state.get();
  sb.chunksize = disk.chunksize.get();
  sb.daemon_sleep = disk.daemon_sleep.get();
  sb.write_behind = disk.write_behind.get();
  sb.sectors_reserved = disk.sectors_reserved.get();
  sb.nodes = disk.nodes.get();
  const auto* name = disk.cluster_name;
  sb.cluster_name.assign(reinterpret_cast<const char*>(name), std::find(name, name + 64, std::uint8_t{0}) - name);
  return sb;
}

std::array<std::uint8_t, kBitmapSuperBytes> encode_bitmap_super(const BitmapSuper& sb) {
  BitmapSuperDisk disk{};
  disk.magic.set(sb.magic);
  disk.version.set(sb.version);
  std::copy(sb.uuid.begin(), sb.uuid.end(), std::begin(disk.uuid));
  disk.events.set(sb.events);
  disk.events_cleared.set(sb.events_cleared);
  disk.sync_size.set(sb.sync_size);
  disk.state.set(sb.state);
  disk.chunksize.set(sb.chunksize);
  disk.daemon_sleep.set(sb.daemon_sleep);
  disk.write_behind.set(sb.write_behind);
  disk.sectors_reserved.set(sb.sectors_reserved);
  disk.nodes.set(sb.nodes);
  std::copy_n(sb.cluster_name.begin(), std::min<std::size_t>(sb.cluster_name.size(), 63), std::begin(disk.cluster_name));
  std::array<std::uint8_t, kBitmapSuperBytes> out{};
  write_struct(std::span<std::uint8_t>(out), disk);
  return out;
}

}  // namespace llbmp
