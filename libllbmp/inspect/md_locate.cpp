#include "inspect/md_locate.hpp"

#include "format/endian.hpp"
#include "llbmp/error.hpp"

namespace llbmp {

namespace {

bool looks_like_090(const Device& device) {
  const std::uint64_t bytes = device.size_bytes();
  if (bytes < 128 * 1024) return false;
  const std::uint64_t at = (bytes & ~std::uint64_t{65535}) - 65536;
  const auto b = device.read(at, 8);
  return load_le<std::uint32_t>(b, 0) == kMdMagic && load_le<std::uint32_t>(b, 4) == 0;
}

}  // namespace

LocatedMdSuperblock find_md_superblock(const Device& device) {
  for (const int minor : {2, 1, 0}) {
    const auto sector = md_superblock_sector(minor, device.size_bytes());
    if (!sector || *sector * 512 + kMdSuperblockRead > device.size_bytes()) continue;
    auto raw = device.read(*sector * 512, kMdSuperblockRead);
    auto sb = md_superblock_at(raw, minor, device.size_bytes(), device.path());
    if (!sb) continue;
    return {std::move(*sb), std::move(raw)};
  }
  if (looks_like_090(device))
    throw Error(device.path(), "md.major_version", "0",
                "md 0.90 superblock: it has no bitmap_offset, llbitmap needs v1.x metadata");
  if (device.size_bytes() < 8192 + kMdSuperblockRead)
    throw Error(device.path(), "size", std::to_string(device.size_bytes()),
                "too small to hold an md superblock (truncated?)");
  throw Error(device.path(), "md.magic", "", "no md v1.0/1.1/1.2 superblock found");
}

}  // namespace llbmp
