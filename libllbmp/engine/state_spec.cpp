#include "engine/state_spec.hpp"

#include <algorithm>
#include <charconv>
#include <fmt/format.h>
#include <fstream>
#include <sstream>

#include "llbmp/error.hpp"

namespace llbmp {

namespace {

std::string trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(first, last - first + 1));
}

std::uint64_t parse_chunk(const std::string& text, const std::string& assignment) {
  std::uint64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc{} || ptr != end)
    throw Error("", "states", assignment, fmt::format("'{}' is not a chunk number (expected RANGE:STATE, e.g. 0-99:dirty)", text),
                ErrorKind::bad_value);
  return value;
}

StateAssignment parse_assignment(const std::string& assignment) {
  const auto colon = assignment.rfind(':');
  if (colon == std::string::npos)
    throw Error("", "states", assignment, "expected RANGE:STATE, e.g. 0-99:dirty or 500:need_sync", ErrorKind::bad_value);
  const std::string range = trim(std::string_view(assignment).substr(0, colon));
  const std::string state_text = trim(std::string_view(assignment).substr(colon + 1));
  StateAssignment out;
  const auto dash = range.find('-');
  out.first = parse_chunk(trim(range.substr(0, dash)), assignment);
  out.last = dash == std::string::npos ? out.first : parse_chunk(trim(range.substr(dash + 1)), assignment);
  if (out.last < out.first)
    throw Error("", "states", assignment, "range ends before it starts", ErrorKind::bad_value);
  const auto state = parse_state(state_text);
  if (!state)
    throw Error("", "states", assignment,
                fmt::format("unknown state '{}' (unwritten, clean, dirty, need_sync, syncing, need_sync_unwritten, "
                            "syncing_unwritten, clean_unwritten or 0-7)",
                            state_text),
                ErrorKind::bad_value);
  out.state = *state;
  return out;
}

std::vector<std::string> split_assignments(const std::string& text, bool file_syntax) {
  std::vector<std::string> parts;
  std::string current;
  bool comment = false;
  for (const char c : text) {
    if (file_syntax && c == '#') comment = true;
    if (c == '\n') comment = false;
    const bool separator = c == ',' || (file_syntax && (c == '\n' || c == ' ' || c == '\t'));
    if (comment) continue;
    if (separator) {
      if (!trim(current).empty()) parts.push_back(trim(current));
      current.clear();
    } else {
      current += c;
    }
  }
  if (!trim(current).empty()) parts.push_back(trim(current));
  return parts;
}

std::vector<StateAssignment> parse_parts(const std::vector<std::string>& parts, const std::string& whole) {
  if (parts.empty())
    throw Error("", "states", whole, "empty state spec (expected RANGE:STATE[,RANGE:STATE...])", ErrorKind::bad_value);
  std::vector<StateAssignment> out;
  out.reserve(parts.size());
  for (const auto& part : parts) out.push_back(parse_assignment(part));
  return out;
}

}  // namespace

std::vector<StateAssignment> parse_state_spec(const std::string& spec) {
  return parse_parts(split_assignments(spec, false), spec);
}

std::vector<StateAssignment> load_state_spec(const std::string& spec_or_file) {
  if (spec_or_file.empty() || spec_or_file.front() != '@') return parse_state_spec(spec_or_file);
  const std::string path = spec_or_file.substr(1);
  std::ifstream in(path);
  if (!in) throw Error(path, "states", spec_or_file, "cannot read the state spec file");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_parts(split_assignments(text.str(), true), spec_or_file);
}

void apply_state_spec(const std::vector<StateAssignment>& assignments, std::vector<std::uint8_t>& states,
                      const std::string& device) {
  for (const auto& a : assignments) {
    if (a.last >= states.size())
      throw Error(device, "states", fmt::format("{}-{}", a.first, a.last),
                  fmt::format("range ends past the last chunk ({} chunks)", states.size()), ErrorKind::bad_value);
    std::fill(states.begin() + static_cast<std::ptrdiff_t>(a.first), states.begin() + static_cast<std::ptrdiff_t>(a.last + 1),
              static_cast<std::uint8_t>(a.state));
  }
}

}  // namespace llbmp
