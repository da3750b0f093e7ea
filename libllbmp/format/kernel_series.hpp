// The Linux series whose md llbitmap code the tool models. They differ in
// what they do with the bitmap (the periodic Endsync of a sync, reshape and
// resize), so every command that predicts the kernel names the one it modelled.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace llbmp {

enum class KernelSeries : std::uint8_t {
  linux_6_18,  // the first llbitmap (md-llbitmap.c as merged)
  linux_7_2,   // Debian sid's 7.2.13, the first CI peer
  linux_7_3,   // the first that reshapes and resizes an array with an llbitmap
};

inline constexpr std::array<KernelSeries, 3> kKernelSeries{KernelSeries::linux_6_18, KernelSeries::linux_7_2,
                                                           KernelSeries::linux_7_3};
// When the running kernel is none of the modelled ones.
inline constexpr KernelSeries kDefaultKernelSeries = KernelSeries::linux_7_2;

// "6.18", "7.2", "7.3".
std::string_view kernel_series_name(KernelSeries k) noexcept;
// Exactly one of the names above; nullopt otherwise.
std::optional<KernelSeries> parse_kernel_series(std::string_view text) noexcept;
// The series of a kernel release string as uname(2) gives it ("7.2.13-amd64",
// "7.3.0-rc7"); nullopt when it is none of the modelled ones.
std::optional<KernelSeries> kernel_series_of_release(std::string_view release) noexcept;

// llbitmap_cond_end_sync: the periodic Endsync of a running sync covers the
// chunk the sync thread is in (6.18, 7.2: `sector >> chunkshift`), or only
// the chunks it has passed (7.3: `round_down(sector, chunksize)`).
bool periodic_endsync_covers_current_chunk(KernelSeries k) noexcept;

// llbitmap_start_discard: a discard turns the chunks it covers wholly into
// Unwritten, and on 6.18 and 7.2 also the partly covered last one (7.3:
// llbitmap_encode_discard_range, whole chunks only).
bool discard_covers_partial_last_chunk(KernelSeries k) noexcept;

// llbitmap_read_sb: the header's sync_size sets what the bitmap covers (7.3:
// 0 is the array's, above the array's the load is refused), or it is ignored
// and the array's resync size is used (6.18, 7.2).
bool header_sync_size_used(KernelSeries k) noexcept;

// llbitmap_resize keeps the chunk, clears the chunks that come or go and
// writes the header at once (7.3); or it recomputes the count and the chunk
// in memory only (6.18, 7.2; ONDISK.md 9.7.5).
bool resize_writes_bitmap(KernelSeries k) noexcept;

}  // namespace llbmp
