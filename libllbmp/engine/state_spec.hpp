// Chunk state assignments from text, shared by `create --states` and
// `edit --set-state`:
//   spec       := assignment ("," assignment)*
//   assignment := range ":" state
//   range      := N | A "-" B          (chunk numbers, inclusive, A <= B)
//   state      := a state key ("dirty", "need_sync", "clean_unwritten", ...),
//                 a sysfs name ("need sync") or a number 0..7
// A spec may also be read from a file ("@FILE"): assignments separated by
// commas, spaces or newlines, "#" starts a comment.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/state_engine.hpp"
#include "format/number.hpp"

namespace llbmp {

struct StateAssignment {
  std::uint64_t first = 0;
  std::uint64_t last = 0;  // inclusive
  State state = State::Unwritten;
  bool operator==(const StateAssignment&) const = default;
};

// Throws Error (field "states") naming the offending assignment.
std::vector<StateAssignment> parse_state_spec(const std::string& spec);
// "@FILE" reads the file, anything else is parsed as a spec.
std::vector<StateAssignment> load_state_spec(const std::string& spec_or_file);

// Applies the assignments in order to one byte per chunk; throws Error when a
// range ends past the last chunk.
void apply_state_spec(const std::vector<StateAssignment>& assignments, std::vector<std::uint8_t>& states,
                      const std::string& device = "");

}  // namespace llbmp
