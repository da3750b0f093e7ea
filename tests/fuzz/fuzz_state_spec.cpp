// Fuzz target: the chunk-state spec of `create --states` and `edit
// --set-state`, parsed and applied to a small state array.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "llbmp/error.hpp"
#include "engine/state_spec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string spec(reinterpret_cast<const char*>(data), size);
  if (!spec.empty() && spec[0] == '@') return 0;  // a file name: not the parser's input
  try {
    const auto assignments = llbmp::parse_state_spec(spec);
    for (const auto& a : assignments)
      if (a.first > a.last || !llbmp::is_valid_state(static_cast<std::uint8_t>(a.state))) __builtin_trap();
    std::vector<std::uint8_t> states(4096, 1);
    llbmp::apply_state_spec(assignments, states, "fuzz");
    for (const auto b : states)
      if (!llbmp::is_valid_state(b)) __builtin_trap();
  } catch (const llbmp::Error&) {
  }
  return 0;
}
