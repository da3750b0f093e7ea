#include "render/states.hpp"

#include <algorithm>

#include "engine/state_engine.hpp"

namespace llbitmap::cli {

std::uint8_t shown_state(const std::vector<std::uint8_t>& states, std::size_t first, std::size_t last) {
  const auto b = states.begin();
  return *std::max_element(b + static_cast<std::ptrdiff_t>(first), b + static_cast<std::ptrdiff_t>(last),
                           [](std::uint8_t x, std::uint8_t y) { return llbmp::resync_rank(x) < llbmp::resync_rank(y); });
}

const std::vector<std::uint8_t>& legend_states(bool classic) {
  static const std::vector<std::uint8_t> kClassic{1, 2};
  static const std::vector<std::uint8_t> kLockless{0, 1, 2, 3, 4, 5, 6, 7, 0xff};
  return classic ? kClassic : kLockless;
}

}  // namespace llbitmap::cli
