// Fuzz target: the metadata image of dump --save / convert --backup-file, as
// restore reads it. A decoded image must encode and decode to the same members.
#include <cstddef>
#include <cstdint>
#include <span>

#include "llbmp/error.hpp"
#include "format/metadata_image.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const auto image = llbmp::decode_metadata_image(std::span(data, size), "fuzz");
    const auto again = llbmp::decode_metadata_image(llbmp::encode_metadata_image(image), "fuzz");
    if (again.members.size() != image.members.size()) __builtin_trap();
    for (std::size_t i = 0; i < image.members.size(); ++i) {
      const auto& a = image.members[i];
      const auto& b = again.members[i];
      if (a.device != b.device || a.device_bytes != b.device_bytes || a.ranges.size() != b.ranges.size()) __builtin_trap();
      for (std::size_t r = 0; r < a.ranges.size(); ++r)
        if (a.ranges[r].offset != b.ranges[r].offset || a.ranges[r].bytes != b.ranges[r].bytes) __builtin_trap();
    }
  } catch (const llbmp::Error&) {
  }
  return 0;
}
