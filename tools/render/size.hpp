// Sizes for people, one formatter a style: mdadm's two (the examine lines
// that copy mdadm -X) and the binary-unit one of the reports.
#pragma once

#include <cstdint>
#include <string>

namespace llbitmap::cli {

// "64 MB" in mdadm's human_chunksize style (binary units).
std::string human_chunksize(std::uint64_t bytes);
// " (255.00 MiB 267.39 MB)" exactly as mdadm's human_size writes it ("" below 5000 KiB).
std::string human_size(std::uint64_t bytes);

// Units 0 (B) to 4 (TiB) of binary_size.
struct BinarySizeStyle {
  int smallest;           // below it the value is a fraction of this unit
  int largest;
  int decimals;
  int smallest_decimals;  // in the smallest unit
};
inline constexpr BinarySizeStyle kSizeToGiB{0, 3, 1, 0};   // "512 B", "1.5 KiB" ... "2.0 GiB" (replay-resync)
inline constexpr BinarySizeStyle kSizeToTiB{1, 4, 2, 1};   // "0.5 KiB", "1.50 MiB" ... "2.00 TiB" (simulate)

// bytes in the largest unit of the style that they reach.
std::string binary_size(std::uint64_t bytes, const BinarySizeStyle& style);

}  // namespace llbitmap::cli
