// Fuzz target: bitmap superblock decode (every version), flag names, the
// geometry derived from it, and re-encoding.
#include <cstddef>
#include <cstdint>
#include <span>

#include "format/bitmap_super.hpp"
#include "llbmp/error.hpp"
#include "format/geometry.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const auto sb = llbmp::decode_bitmap_super({data, size}, "fuzz");
    (void)llbmp::bitmap_flag_names(sb.state);
    const auto encoded = llbmp::encode_bitmap_super(sb);
    const auto again = llbmp::decode_bitmap_super(encoded, "fuzz");
    if (again.sync_size != sb.sync_size || again.chunksize != sb.chunksize || again.state != sb.state) __builtin_trap();
    if (sb.chunksize != 0) {
      const auto chunks = llbmp::chunk_count(sb.sync_size, sb.chunksize);
      (void)llbmp::true_fit(chunks, sb.sectors_reserved);
      (void)llbmp::kernel_fit(sb.chunksize, sb.sync_size, sb.sectors_reserved);
      (void)llbmp::pages_used(chunks);
      (void)llbmp::write_chunks(sb.events, sb.events_cleared, sb.chunksize, chunks);
      (void)llbmp::discard_chunks(sb.events, sb.events_cleared, sb.chunksize, chunks, sb.nodes % 2 == 1);
    }
    if (sb.sectors_reserved != 0) {
      (void)llbmp::kernel_chunksize(sb.sync_size, sb.sectors_reserved);
      (void)llbmp::fitting_chunksize(sb.sync_size, sb.sectors_reserved);
    }
  } catch (const llbmp::Error&) {
  }
  return 0;
}
