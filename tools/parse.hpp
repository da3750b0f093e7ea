// The one parser of the values that options take: whole numbers, counts,
// sizes, decimal rates and seconds, chunk ranges. Every function names the
// option in the UsageError it throws (exit 2); none wraps, none accepts a sign
// where the value cannot be negative. The syntax is described in llbitmap(8),
// SIZES AND NUMBERS.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>

#include "format/kernel_series.hpp"

namespace CLI {
class App;
}

namespace llbitmap::cli {

// A whole number, decimal or hex after 0x (a leading zero is not octal),
// within [min, max].
std::uint64_t parse_number(const std::string& text, const char* option, std::uint64_t min = 0,
                           std::uint64_t max = std::numeric_limits<std::uint64_t>::max());

// The same, checked against the range of T (an unsigned integer type).
template <typename T>
T parse_number_as(const std::string& text, const char* option, T min = 0, T max = std::numeric_limits<T>::max()) {
  return static_cast<T>(parse_number(text, option, min, max));
}

// A whole number that may be negative ("-8"), decimal only, within [min, max].
std::int64_t parse_signed(const std::string& text, const char* option, std::int64_t min, std::int64_t max);

// What a size without a unit means.
enum class PlainNumber {
  bytes,    // "4096" is 4096 bytes
  refused,  // a unit is required (chunk sizes: a sector count and a byte count look alike)
};

// A size: NUMBER[UNIT]. NUMBER is whole or has a decimal fraction ("1.5G");
// UNIT is B (bytes), s (512-byte sectors) or a binary multiple K, M, G, T, P,
// E (also KiB ... EiB, and k). A fraction is accepted when the size is a whole
// number of bytes. At most 2^64-1 bytes.
std::uint64_t parse_size_bytes(const std::string& text, const char* option, PlainNumber plain = PlainNumber::bytes);

// A size in whole sectors (512 bytes), at least one sector.
std::uint64_t parse_size_sectors(const std::string& text, const char* option, PlainNumber plain = PlainNumber::bytes);

// A finite decimal number ("10000", "2.5") within [min, max]; above_min
// excludes min itself (a rate of 0 is refused, a time of 0 is not).
struct DecimalRange {
  double min;
  double max;
  bool above_min;
};
double parse_decimal(const std::string& text, const char* option, DecimalRange range);

// "FIRST-LAST" or "N": chunk numbers, FIRST <= LAST.
struct ChunkSpan {
  std::uint64_t first;
  std::uint64_t last;
};
ChunkSpan parse_chunk_span(const std::string& text, const char* option);

// --kernel 6.18|7.2|7.3: the md code a command models; not given, the
// running kernel's series when it is a modelled one, else 7.2.
llbmp::KernelSeries parse_kernel(const std::optional<std::string>& text, const char* option);
// The --kernel option of every command that models the kernel, read back with
// parse_kernel(text, "--kernel").
void add_kernel_option(CLI::App* command, std::optional<std::string>& text);

}  // namespace llbitmap::cli
