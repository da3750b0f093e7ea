#include "parse.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <optional>
#include <string_view>
#include <system_error>

#include "command.hpp"
#include "io/host.hpp"

namespace llbitmap::cli {

namespace {

__extension__ using Wide = unsigned __int128;  // a size's digits times its unit, before the division by 10^decimals

constexpr std::uint64_t kMax64 = std::numeric_limits<std::uint64_t>::max();

[[noreturn]] void refuse(const char* option, const std::string& text, const std::string& why) {
  throw UsageError(fmt::format("{} {}: {}", option, text, why));
}

std::string range_text(std::uint64_t min, std::uint64_t max) {
  if (max == kMax64) return min == 0 ? std::string() : fmt::format(" of at least {}", min);
  return fmt::format(" from {} to {}", min, max);
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

struct Unit {
  std::string_view suffix;
  std::uint64_t bytes;
};

constexpr std::array<Unit, 15> kUnits{{
    {"B", 1},
    {"s", 512},
    {"K", 1ULL << 10}, {"k", 1ULL << 10}, {"KiB", 1ULL << 10},
    {"M", 1ULL << 20}, {"MiB", 1ULL << 20},
    {"G", 1ULL << 30}, {"GiB", 1ULL << 30},
    {"T", 1ULL << 40}, {"TiB", 1ULL << 40},
    {"P", 1ULL << 50}, {"PiB", 1ULL << 50},
    {"E", 1ULL << 60}, {"EiB", 1ULL << 60},
}};

std::optional<std::uint64_t> unit_bytes(std::string_view suffix) {
  for (const auto& u : kUnits)
    if (u.suffix == suffix) return u.bytes;
  return std::nullopt;
}

}  // namespace

std::uint64_t parse_number(const std::string& text, const char* option, std::uint64_t min, std::uint64_t max) {
  const std::string expected = fmt::format("a whole number{} (decimal, or hex after 0x)", range_text(min, max));
  if (!text.empty() && text.front() == '-') refuse(option, text, "negative: " + expected);
  const bool hex = text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X');
  const std::string_view digits = std::string_view(text).substr(hex ? 2 : 0);
  std::uint64_t value = 0;
  const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value, hex ? 16 : 10);
  if (ec == std::errc::result_out_of_range) refuse(option, text, "too large: " + expected);
  if (digits.empty() || ec != std::errc{} || ptr != digits.data() + digits.size()) refuse(option, text, "not " + expected);
  if (value < min || value > max) refuse(option, text, "out of range: " + expected);
  return value;
}

std::int64_t parse_signed(const std::string& text, const char* option, std::int64_t min, std::int64_t max) {
  const std::string expected = fmt::format("a whole number from {} to {}", min, max);
  std::int64_t value = 0;
  const char* end = text.data() + text.size();
  const bool plus = !text.empty() && text.front() == '+';
  const auto [ptr, ec] = std::from_chars(text.data() + (plus ? 1 : 0), end, value);
  if (ec == std::errc::result_out_of_range) refuse(option, text, "out of range: " + expected);
  const bool sign_after_plus = plus && text.size() > 1 && (text[1] == '-' || text[1] == '+');
  if (text.size() == (plus ? 1u : 0u) || sign_after_plus || ec != std::errc{} || ptr != end)
    refuse(option, text, "not " + expected);
  if (value < min || value > max) refuse(option, text, "out of range: " + expected);
  return value;
}

std::uint64_t parse_size_bytes(const std::string& text, const char* option, PlainNumber plain) {
  const char* expected = "a size such as 4096, 64K, 1.5G or 2048s (units B, s, K, M, G, T, P, E)";
  if (!text.empty() && text.front() == '-') refuse(option, text, "negative: a size is at least 0");
  std::size_t i = 0;
  Wide mantissa = 0;
  unsigned decimals = 0, digits = 0;
  bool point = false;
  for (; i < text.size() && (is_digit(text[i]) || (text[i] == '.' && !point)); ++i) {
    if (text[i] == '.') {
      point = true;
      continue;
    }
    if (++digits > 30) refuse(option, text, "too large: at most 2^64-1 bytes");
    mantissa = mantissa * 10 + static_cast<unsigned>(text[i] - '0');
    decimals += point ? 1 : 0;
  }
  if (digits == 0 || (point && decimals == 0) || text.front() == '.') refuse(option, text, std::string("not ") + expected);
  if (decimals > 18) refuse(option, text, "more than 18 decimals");
  const std::string_view suffix = std::string_view(text).substr(i);
  if (suffix.empty() && plain == PlainNumber::refused)
    refuse(option, text, "give a unit: B for bytes, s for sectors, or K, M, G ... (e.g. 64K)");
  const auto unit = suffix.empty() ? std::optional<std::uint64_t>(1) : unit_bytes(suffix);
  if (!unit) refuse(option, text, fmt::format("unknown unit '{}' (B, s for sectors, K, M, G, T, P or E)", suffix));
  Wide scale = 1;
  for (unsigned d = 0; d < decimals; ++d) scale *= 10;
  const Wide limit = static_cast<Wide>(kMax64) * scale;
  if (mantissa > limit / *unit) refuse(option, text, "too large: at most 2^64-1 bytes");
  const Wide scaled = mantissa * *unit;
  if (scaled % scale != 0) refuse(option, text, "not a whole number of bytes");
  return static_cast<std::uint64_t>(scaled / scale);
}

std::uint64_t parse_size_sectors(const std::string& text, const char* option, PlainNumber plain) {
  const std::uint64_t bytes = parse_size_bytes(text, option, plain);
  if (bytes == 0 || bytes % 512 != 0) refuse(option, text, "not a positive whole number of sectors (512 bytes)");
  return bytes / 512;
}

double parse_decimal(const std::string& text, const char* option, DecimalRange range) {
  const std::string expected = range.above_min ? fmt::format("a number above {} and at most {}", range.min, range.max)
                                                : fmt::format("a number from {} to {}", range.min, range.max);
  const bool plain = !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return is_digit(c) || c == '.'; });
  double value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value, std::chars_format::fixed);
  if (!plain || ec != std::errc{} || ptr != end || !std::isfinite(value))
    refuse(option, text, (!text.empty() && text.front() == '-' ? "negative: " : "not ") + expected);
  if (value < range.min || value > range.max || (range.above_min && value == range.min)) refuse(option, text, "out of range: " + expected);
  return value;
}

ChunkSpan parse_chunk_span(const std::string& text, const char* option) {
  const auto dash = text.find('-');
  const auto number = [&](const std::string& part) {
    if (part.empty()) refuse(option, text, "expected FIRST-LAST or N (chunk numbers)");
    return parse_number(part, option);
  };
  if (dash == std::string::npos) {
    const auto n = number(text);
    return {n, n};
  }
  const ChunkSpan span{number(text.substr(0, dash)), number(text.substr(dash + 1))};
  if (span.last < span.first) refuse(option, text, "LAST is before FIRST");
  return span;
}

llbmp::KernelSeries parse_kernel(const std::optional<std::string>& text, const char* option) {
  if (!text) return llbmp::running_kernel_series();
  if (const auto k = llbmp::parse_kernel_series(*text)) return *k;
  throw UsageError(fmt::format("{} '{}': not a modelled kernel (6.18, 7.2 or 7.3)", option, *text));
}

void add_kernel_option(CLI::App* command, std::optional<std::string>& text) {
  command->add_option("--kernel", text, "The Linux series to model: 6.18, 7.2 or 7.3 (default: the running kernel's, else 7.2)")
      ->type_name("SERIES");
}

}  // namespace llbitmap::cli
