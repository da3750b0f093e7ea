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

std::string ranges_text(const std::vector<llbmp::ChunkRange>& ranges, std::size_t most) {
  std::string out;
  for (std::size_t i = 0; i < ranges.size() && i < most; ++i) {
    const auto& r = ranges[i];
    out += fmt::format("{}{}", out.empty() ? "" : ", ", r.first == r.last ? fmt::format("{}", r.first) : fmt::format("{}-{}", r.first, r.last));
  }
  if (ranges.size() > most) out += fmt::format(" and {} more range{}", ranges.size() - most, ranges.size() - most == 1 ? "" : "s");
  return out;
}

nlohmann::json ranges_json(const std::vector<llbmp::ChunkRange>& ranges) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& r : ranges) out.push_back({{"first_chunk", r.first}, {"last_chunk", r.last}});
  return out;
}

std::uint64_t ranges_chunks(const std::vector<llbmp::ChunkRange>& ranges) noexcept {
  std::uint64_t n = 0;
  for (const auto& r : ranges) n += r.count();
  return n;
}

std::string byte_name(std::uint8_t byte) {
  return llbmp::is_valid_state(byte) ? std::string(llbmp::state_key(static_cast<llbmp::State>(byte)))
                                     : fmt::format("invalid({:#04x})", byte);
}

nlohmann::json runs_json(std::span<const std::uint8_t> bytes) {
  nlohmann::json runs = nlohmann::json::array();
  for (const auto& r : llbmp::state_runs(bytes))
    runs.push_back({{"first", r.first}, {"last", r.last}, {"count", r.last - r.first + 1}, {"state", byte_name(r.byte)}, {"value", r.byte}});
  return runs;
}

}  // namespace llbitmap::cli
