#include "render/counts.hpp"

#include <fmt/format.h>

#include <cctype>

namespace llbitmap::cli {

namespace {

std::string key_of(std::size_t state) { return std::string(llbmp::state_key(static_cast<llbmp::State>(state))); }

}  // namespace

nlohmann::json counts_json(const llbmp::StateCounts& counts, bool with_invalid) {
  nlohmann::json j = nlohmann::json::object();
  for (std::size_t s = 0; s < llbmp::kStateCount; ++s) j[key_of(s)] = counts.by_state[s];
  if (with_invalid) j["invalid"] = counts.invalid;
  return j;
}

std::string counts_text(const llbmp::StateCounts& counts, std::string_view none) {
  std::string out;
  const auto add = [&out](std::uint64_t n, const std::string& name) {
    if (n != 0) out += fmt::format("{}{} {}", out.empty() ? "" : ", ", n, name);
  };
  for (std::size_t s = 0; s < llbmp::kStateCount; ++s) add(counts.by_state[s], key_of(s));
  add(counts.invalid, "invalid");
  return out.empty() ? std::string(none) : out;
}

void put_counts(ExportLines& lines, const llbmp::StateCounts& counts) {
  for (std::size_t s = 0; s < llbmp::kStateCount; ++s) {
    std::string key = key_of(s);
    for (auto& ch : key) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    lines.put("STATE_" + key, counts.by_state[s]);
  }
  lines.put("STATE_INVALID", counts.invalid);
}

}  // namespace llbitmap::cli
