// What the terminal map and the pictures show of chunk states: one state per
// cell, and the states their legends list.
#pragma once

#include <cstdint>
#include <vector>

namespace llbitmap::cli {

// The state shown for chunks [first, last) of `states`: the first of the
// highest llbmp::resync_rank.
std::uint8_t shown_state(const std::vector<std::uint8_t>& states, std::size_t first, std::size_t last);

// Classic: bit clear (1) and bit set (2); llbitmap: every state, then 0xff for invalid bytes.
const std::vector<std::uint8_t>& legend_states(bool classic);

}  // namespace llbitmap::cli
