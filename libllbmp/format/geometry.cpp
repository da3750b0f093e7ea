#include "format/geometry.hpp"

#include <algorithm>

#include "llbmp/state.hpp"

namespace llbmp {

std::uint64_t chunk_count(std::uint64_t sync_sectors, std::uint64_t chunk_sectors) noexcept {
  return chunk_sectors == 0 ? 0 : div_round_up(sync_sectors, chunk_sectors);
}

std::uint64_t calculate_chunksize(std::uint64_t resync_sectors, std::uint64_t chunk_sectors,
                                  std::uint32_t sectors_reserved) noexcept {
  const std::uint64_t room = std::uint64_t{sectors_reserved} * 512;
  std::uint64_t chunksize = std::max<std::uint64_t>(chunk_sectors, 1);
  while (room != 0 && chunk_count(resync_sectors, chunksize) > room && chunksize < (std::uint64_t{1} << 62))
    chunksize <<= 1;
  return chunksize;
}

std::uint64_t kernel_chunksize(std::uint64_t resync_sectors, std::uint32_t sectors_reserved) noexcept {
  return calculate_chunksize(resync_sectors, kKernelFirstChunkSectors, sectors_reserved);
}

std::uint64_t fitting_chunksize(std::uint64_t resync_sectors, std::uint32_t sectors_reserved) noexcept {
  std::uint64_t chunksize = kernel_chunksize(resync_sectors, sectors_reserved);
  while (!true_fit(chunk_count(resync_sectors, chunksize), sectors_reserved) && chunksize < (std::uint64_t{1} << 62))
    chunksize <<= 1;
  return chunksize;
}

bool kernel_fit(std::uint64_t chunk_sectors, std::uint64_t sync_sectors, std::uint32_t sectors_reserved) noexcept {
  const std::uint64_t room = std::uint64_t{sectors_reserved} * 512;
  return room != 0 && chunk_sectors >= div_round_up(sync_sectors, room);
}

bool true_fit(std::uint64_t chunks, std::uint32_t sectors_reserved) noexcept {
  const std::uint64_t room = std::uint64_t{sectors_reserved} * 512;
  return room >= kStateOffset && chunks <= room - kStateOffset;
}

std::uint64_t pages_used(std::uint64_t chunks) noexcept { return div_round_up(chunks + kStateOffset, kPageBytes); }

StateByteLocation locate_chunk(std::uint64_t chunk, std::uint32_t io_size) noexcept {
  const std::uint64_t at = kStateOffset + chunk;
  return {at, at / kPageBytes, (at % kPageBytes) / io_size, at / io_size};
}

std::optional<ChunkRange> write_chunks(std::uint64_t sector, std::uint64_t sectors, std::uint64_t chunk_sectors,
                                       std::uint64_t chunks) noexcept {
  if (sectors == 0 || chunk_sectors == 0 || chunks == 0) return std::nullopt;
  const std::uint64_t first = sector / chunk_sectors;
  if (first >= chunks) return std::nullopt;
  const std::uint64_t last = std::min(chunks - 1, (sector + sectors - 1) / chunk_sectors);
  return ChunkRange{first, last};
}

std::optional<ChunkRange> discard_chunks(std::uint64_t sector, std::uint64_t sectors, std::uint64_t chunk_sectors,
                                         std::uint64_t chunks, bool partial_last) noexcept {
  if (sectors == 0 || chunk_sectors == 0 || chunks == 0) return std::nullopt;
  const std::uint64_t first = div_round_up(sector, chunk_sectors);
  const std::uint64_t end = partial_last ? div_round_up(sector + sectors, chunk_sectors) : (sector + sectors) / chunk_sectors;
  if (first >= end || first >= chunks) return std::nullopt;
  return ChunkRange{first, std::min(chunks, end) - 1};
}

bool mdadm_add_leftover(std::span<const std::uint8_t> states) noexcept {
  constexpr std::uint8_t kMdadmFill = 0xff;
  bool any = false;
  for (std::size_t i = 0; i < states.size(); ++i) {
    if (is_valid_state(states[i])) continue;
    if (states[i] != kMdadmFill || i < kFirstChunkOfPage1) return false;
    any = true;
  }
  return any;
}

}  // namespace llbmp
