#include "render/size.hpp"

#include <fmt/format.h>

#include <iterator>
#include <utility>

namespace llbitmap::cli {

std::string human_chunksize(std::uint64_t bytes) {
  static constexpr const char* kUnits[] = {"B", "KB", "MB", "GB", "TB"};
  std::size_t unit = 0;
  while (unit + 1 < std::size(kUnits) && bytes >= 1024 && bytes % 1024 == 0) {
    bytes /= 1024;
    ++unit;
  }
  return fmt::format("{} {}", bytes, kUnits[unit]);
}

// mdadm's human_size (util.c): nothing below 5000 KiB, then MiB up to 2 GiB,
// GiB up to 2 TiB, TiB above; hundredths rounded half up from the truncated
// 1/200ths, the binary unit from bytes * 200 and the decimal one from bytes / (unit / 200).
std::string human_size(std::uint64_t bytes) {
  if (bytes < 5000 * 1024) return "";
  const auto hundredths = [bytes](unsigned shift, std::uint64_t decimal) {
    // bytes * 200 >> shift without overflowing 64 bits.
    const std::uint64_t mask = (std::uint64_t{1} << shift) - 1;
    const std::uint64_t binary = ((bytes >> shift) * 200 + ((bytes & mask) * 200 >> shift) + 1) / 2;
    const std::uint64_t dec = (bytes / (decimal / 200) + 1) / 2;
    return std::pair{binary, dec};
  };
  const auto show = [](std::pair<std::uint64_t, std::uint64_t> v, const char* bin, const char* dec) {
    return fmt::format(" ({}.{:02} {} {}.{:02} {})", v.first / 100, v.first % 100, bin, v.second / 100, v.second % 100, dec);
  };
  if (bytes < (std::uint64_t{2} << 30)) return show(hundredths(20, 1000000), "MiB", "MB");
  if (bytes < (std::uint64_t{2} << 40)) return show(hundredths(30, 1000000000), "GiB", "GB");
  return show(hundredths(40, 1000000000000), "TiB", "TB");
}

std::string binary_size(std::uint64_t bytes, const BinarySizeStyle& style) {
  static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int unit = style.largest;
  while (unit > style.smallest && bytes < (std::uint64_t{1} << (10 * unit))) --unit;
  const double value = static_cast<double>(bytes) / static_cast<double>(std::uint64_t{1} << (10 * unit));
  return fmt::format("{:.{}f} {}", value, unit == style.smallest ? style.smallest_decimals : style.decimals, kUnits[unit]);
}

}  // namespace llbitmap::cli
