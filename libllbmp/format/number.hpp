#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace llbmp {

// A number given on the command line: decimal, or hex after "0x"; no sign,
// no spaces, and a leading zero is not octal. Empty when it is none.
std::optional<std::uint64_t> parse_unsigned(std::string_view text) noexcept;

}  // namespace llbmp
