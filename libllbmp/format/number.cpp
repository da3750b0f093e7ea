#include "format/number.hpp"

#include <charconv>

namespace llbmp {

std::optional<std::uint64_t> parse_unsigned(std::string_view text) noexcept {
  const bool hex = text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X');
  const std::string_view digits = hex ? text.substr(2) : text;
  std::uint64_t value = 0;
  const char* end = digits.data() + digits.size();
  const auto [ptr, ec] = std::from_chars(digits.data(), end, value, hex ? 16 : 10);
  if (digits.empty() || ec != std::errc{} || ptr != end) return std::nullopt;
  return value;
}

}  // namespace llbmp
