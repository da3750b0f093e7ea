// Fuzz target: md v1.x superblock decode, validate and re-encode.
#include <cstddef>
#include <cstdint>
#include <span>

#include "format/endian.hpp"
#include "llbmp/error.hpp"
#include "format/md_super.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> bytes(data, size);
  try {
    const auto sb = llbmp::decode_md_superblock(bytes, "fuzz");
    // The device size comes from the input's last 8 bytes: every relation with it is exercised.
    const std::uint64_t device_bytes = size < 264 ? 16ull << 20 : llbmp::load_le<std::uint64_t>(bytes, size - 8) >> (bytes[size - 1] % 48);
    const auto findings = llbmp::validate_md_superblock(sb, bytes, device_bytes);
    for (const auto& f : findings) (void)f.to_string();
    (void)sb.metadata_name();
    (void)sb.role();
    (void)sb.resync_sectors();
    (void)sb.working_roles();
    (void)llbmp::level_name(sb.level);
    (void)llbmp::format_uuid(sb.set_uuid);
    if (sb.max_dev <= llbmp::kMdMaxDevices) {
      const auto encoded = llbmp::encode_md_superblock(sb, bytes);
      const auto again = llbmp::decode_md_superblock(encoded, "fuzz");
      if (again.max_dev != sb.max_dev || again.size != sb.size || again.bitmap_offset != sb.bitmap_offset) __builtin_trap();
    }
  } catch (const llbmp::Error&) {
  }
  return 0;
}
