// llbitmap geometry: where chunk i's state byte lives, how the kernel chooses a
// chunk size, and whether a geometry fits the reserved room.
//
//   area + 0    .. 1023                      header (256 bytes) and unused bytes
//   area + 1024 + i                          state byte of chunk i
//   area + sectors_reserved * 512            end of the area
// The kernel keeps the area in 4 KiB pages and writes it back in blocks of the
// array's logical block size (io_size): byte b lives in page b / 4096, block
// (b % 4096) / io_size.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

namespace llbmp {

inline constexpr std::uint64_t kStateOffset = 1024;  // BITMAP_DATA_OFFSET
inline constexpr std::uint64_t kPageBytes = 4096;
inline constexpr std::uint64_t kKernelFirstChunkSectors = 128;  // 64 KiB
inline constexpr std::uint32_t kMdadmReservedSectors = 256;     // 128 KiB
inline constexpr std::uint32_t kKernelDefaultDaemonSleep = 30;
inline constexpr std::uint32_t kKernelDefaultBarrierIdle = 5;
// What mdadm writes into a classic (and a FIRST_USE lockless) header.
inline constexpr std::uint32_t kMdadmClassicChunkBytes = 64u << 20;
inline constexpr std::uint32_t kMdadmDaemonSleep = 5;

// ceil(a / b) without overflow; b > 0.
constexpr std::uint64_t div_round_up(std::uint64_t a, std::uint64_t b) noexcept { return a / b + (a % b != 0); }
constexpr bool is_power_of_two(std::uint64_t v) noexcept { return v != 0 && (v & (v - 1)) == 0; }

std::uint64_t chunk_count(std::uint64_t sync_sectors, std::uint64_t chunk_sectors) noexcept;

// llbitmap_calculate_chunks: chunk_sectors doubled while
// ceil(size / chunksize) > sectors_reserved * 512 (a resize asks it with the
// bitmap's chunk: a result above it is 7.3's EOPNOTSUPP).
std::uint64_t calculate_chunksize(std::uint64_t resync_sectors, std::uint64_t chunk_sectors,
                                  std::uint32_t sectors_reserved) noexcept;
// The chunk size the kernel picks at first use (llbitmap_init): 128 sectors,
// doubled while ceil(size / chunksize) > sectors_reserved * 512. Ignores the
// 1 KiB header, so the result may not fit (see fitting_chunksize).
std::uint64_t kernel_chunksize(std::uint64_t resync_sectors, std::uint32_t sectors_reserved) noexcept;
// The smallest kernel-style chunk size whose state bytes fit after the header.
std::uint64_t fitting_chunksize(std::uint64_t resync_sectors, std::uint32_t sectors_reserved) noexcept;

// The kernel's load check: chunksize >= ceil(sync_size / (sectors_reserved * 512)).
bool kernel_fit(std::uint64_t chunk_sectors, std::uint64_t sync_sectors, std::uint32_t sectors_reserved) noexcept;
// The true fit: 1024 + chunks <= sectors_reserved * 512.
bool true_fit(std::uint64_t chunks, std::uint32_t sectors_reserved) noexcept;
// Pages the kernel uses for this many chunks (llbitmap_used_pages).
std::uint64_t pages_used(std::uint64_t chunks) noexcept;

// The first chunk whose state byte is in page 1 of the area.
inline constexpr std::uint64_t kFirstChunkOfPage1 = kPageBytes - kStateOffset;
// What `mdadm --add` leaves on a new member of a lockless array: it writes
// 256 KiB of 0xFF from the bitmap start (ONDISK.md section 8) and the kernel
// rewrites only the blocks it writes back, so 0xFF stays in blocks of page 1
// and on that it has not written yet. True when `states` holds bytes that are
// not states and every one of them is 0xFF at chunk 3072 or later.
bool mdadm_add_leftover(std::span<const std::uint8_t> states) noexcept;

struct StateByteLocation {
  std::uint64_t area_offset;  // byte offset from the area start
  std::uint64_t page;         // 4 KiB page of the area
  std::uint64_t block_in_page;
  std::uint64_t block;        // io_size block counted from the area start
};
StateByteLocation locate_chunk(std::uint64_t chunk, std::uint32_t io_size) noexcept;

struct ChunkRange {
  std::uint64_t first = 0;
  std::uint64_t last = 0;  // inclusive
  std::uint64_t count() const noexcept { return last - first + 1; }
};

// Chunks touched by a write of [sector, sector + sectors): every partly covered chunk.
std::optional<ChunkRange> write_chunks(std::uint64_t sector, std::uint64_t sectors, std::uint64_t chunk_sectors,
                                       std::uint64_t chunks) noexcept;
// Chunks a discard affects: whole chunks only (newest kernels); with
// partial_last, a partly covered last chunk too (6.18-era kernels).
std::optional<ChunkRange> discard_chunks(std::uint64_t sector, std::uint64_t sectors, std::uint64_t chunk_sectors,
                                         std::uint64_t chunks, bool partial_last = false) noexcept;

}  // namespace llbmp
