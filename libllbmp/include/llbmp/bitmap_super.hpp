// The md bitmap superblock (bitmap_super_t) of a member as the library
// decodes it: classic bitmaps (versions 3, 4, 5) and llbitmap (6). Its byte
// layout and the field editing are the library's own
// (libllbmp/format/bitmap_super.hpp).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <llbmp/export.hpp>
#include <llbmp/md_super.hpp>

namespace llbmp {

inline constexpr std::uint32_t kBitmapMagic = 0x6d746962;
inline constexpr std::uint32_t kBitmapVersionLockless = 6;

// Bit numbers of bitmap_super_t.state.
enum class BitmapFlag : unsigned {
  stale = 1,
  write_error = 2,
  first_use = 3,
  clean = 4,
  daemon_busy = 5,
  shutdown = 6,
  hostendian = 15,
};

constexpr std::uint32_t flag_mask(BitmapFlag flag) noexcept { return 1u << static_cast<unsigned>(flag); }
// Names of the set bits, unknown ones as "bitN".
LLBMP_API std::vector<std::string> bitmap_flag_names(std::uint32_t state);

struct BitmapSuper {
  std::uint32_t magic = kBitmapMagic;
  std::uint32_t version = kBitmapVersionLockless;
  Uuid uuid{};
  std::uint64_t events = 0;
  std::uint64_t events_cleared = 0;
  std::uint64_t sync_size = 0;  // sectors
  std::uint32_t state = 0;
  std::uint32_t chunksize = 0;  // classic: bytes; llbitmap: sectors
  std::uint32_t daemon_sleep = 0;
  std::uint32_t write_behind = 0;
  std::uint32_t sectors_reserved = 0;
  std::uint32_t nodes = 0;
  std::string cluster_name;

  bool lockless() const noexcept { return version == kBitmapVersionLockless; }
  bool has(BitmapFlag flag) const noexcept { return (state & flag_mask(flag)) != 0; }
  void set(BitmapFlag flag, bool on) noexcept {
    state = on ? (state | flag_mask(flag)) : (state & ~flag_mask(flag));
  }
  // A lockless header mdadm wrote and the kernel has not initialised yet.
  bool awaiting_kernel_init() const noexcept { return lockless() && has(BitmapFlag::first_use); }
};

}  // namespace llbmp
