#include "render/dump.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "engine/state_engine.hpp"
#include "render/counts.hpp"
#include "render/escape.hpp"
#include "render/states.hpp"

namespace llbitmap::cli {

namespace {

struct CellStyle {
  char glyph;
  const char* color;  // ANSI background
  const char* name;
};
const CellStyle& style_of(std::uint8_t b) {
  static const CellStyle kStyles[] = {
      {'.', "\x1b[48;5;236m", "unwritten"},       {'-', "\x1b[42m", "clean"},
      {'D', "\x1b[43m", "dirty"},                  {'N', "\x1b[41m", "need_sync"},
      {'S', "\x1b[45m", "syncing"},                {'n', "\x1b[48;5;209m", "need_sync_unwritten"},
      {'s', "\x1b[48;5;177m", "syncing_unwritten"}, {'c', "\x1b[48;5;30m", "clean_unwritten"},
      {'!', "\x1b[41;1m", "invalid"},
  };
  return llbmp::is_valid_state(b) ? kStyles[b] : kStyles[8];
}

// The runs of equal bytes, split where a side of a reshape begins or ends.
std::vector<llbmp::StateRun> marked_runs(const ChunkStates& c) {
  auto runs = llbmp::state_runs(c.states, c.first_chunk);
  if (!c.reshape) return runs;
  std::vector<std::uint64_t> cuts;
  for (const auto& side : c.reshape->sides) cuts.insert(cuts.end(), {side.first, side.end});
  std::sort(cuts.begin(), cuts.end());
  std::vector<llbmp::StateRun> out;
  for (auto run : runs) {
    for (const std::uint64_t cut : cuts) {
      if (cut <= run.first || cut > run.last) continue;
      out.push_back({run.first, cut - 1, run.byte});
      run.first = cut;
    }
    out.push_back(run);
  }
  return out;
}

std::string side_label(const ChunkStates& c, std::uint64_t chunk) {
  if (!c.reshape) return {};
  const auto side = c.reshape->side_of(chunk);
  if (side.empty()) return " (past the sides)";
  return side == "leftover" ? std::string(" (leftover, ignored by the kernel)") : fmt::format(" ({} side)", side);
}

std::string range_text(std::uint64_t first, std::uint64_t end) {
  return end - first == 1 ? fmt::format("{}", first) : fmt::format("{}-{}", first, end - 1);
}

}  // namespace

std::string_view ReshapeMarks::side_of(std::uint64_t chunk) const noexcept {
  for (const auto& side : sides)
    if (chunk >= side.first && chunk < side.end) return side.name;
  return {};
}

std::string ReshapeMarks::summary() const {
  std::string out;
  for (const auto& side : sides) {
    const std::uint64_t n = side.end - side.first;
    out += fmt::format("{}{} {} ({} chunk{}{})", out.empty() ? "" : ", ", side.name == "leftover" ? "leftovers" : fmt::format("{} side", side.name),
                       range_text(side.first, side.end), n, n == 1 ? "" : "s", side.name == "leftover" ? ", ignored by the kernel" : "");
  }
  if (overlap) out += "; the new and old sides share bytes near the walk's start";
  return out;
}

std::string dump_ranges(const ChunkStates& c) {
  std::string out;
  if (c.reshape)
    out += fmt::format("# mid-reshape at reshape_position {} ({}): {}\n", c.reshape->position,
                       c.reshape->backwards ? "backwards" : "forwards", c.reshape->summary());
  for (const auto& r : marked_runs(c)) {
    if (r.first == r.last)
      out += fmt::format("{} {}{}\n", r.first, byte_name(r.byte), side_label(c, r.first));
    else
      out += fmt::format("{}-{} {}{}\n", r.first, r.last, byte_name(r.byte), side_label(c, r.first));
  }
  return out;
}

std::string dump_csv(const ChunkStates& c) {
  std::string out = "first,last,count,state,value\n";
  for (const auto& r : llbmp::state_runs(c.states, c.first_chunk))
    out += fmt::format("{},{},{},{},{}\n", r.first, r.last, r.last - r.first + 1, byte_name(r.byte), r.byte);
  return out;
}

namespace {

nlohmann::json reshape_marks_json(const ReshapeMarks& m) {
  nlohmann::json sides = nlohmann::json::array();
  for (const auto& side : m.sides)
    sides.push_back({{"side", side.name}, {"first", side.first}, {"end", side.end}, {"chunks", side.end - side.first}});
  return {{"position_sectors", m.position}, {"direction", m.backwards ? "backwards" : "forwards"}, {"overlap", m.overlap}, {"sides", sides}};
}

}  // namespace

std::string dump_json(const ChunkStates& c) {
  nlohmann::json runs = nlohmann::json::array();
  for (const auto& r : marked_runs(c)) {
    nlohmann::json run{{"first", r.first}, {"last", r.last}, {"count", r.last - r.first + 1}, {"state", byte_name(r.byte)}, {"value", r.byte}};
    if (c.reshape) {
      const auto side = c.reshape->side_of(r.first);
      run["side"] = side.empty() ? nlohmann::json(nullptr) : nlohmann::json(side);
    }
    runs.push_back(std::move(run));
  }
  nlohmann::json j{{"device", c.device}, {"version", c.version}, {"chunks", c.states.size()}, {"first_chunk", c.first_chunk}, {"runs", runs}};
  if (c.reshape) j["reshape"] = reshape_marks_json(*c.reshape);
  return json_text(j) + "\n";
}

namespace {

// After a map row mid-reshape: the sides its chunks [first, end) (from the start of states) lie on, "  new|leftover".
std::string row_sides(const ChunkStates& c, std::uint64_t first, std::uint64_t end) {
  if (!c.reshape || end <= first) return {};
  std::string out;
  std::string_view last = "-";
  const auto add = [&](std::string_view side) {
    if (side == last) return;
    out += fmt::format("{}{}", out.empty() ? "  " : "|", side.empty() ? "past" : side);
    last = side;
  };
  add(c.reshape->side_of(c.first_chunk + first));
  for (const auto& side : c.reshape->sides)
    for (const std::uint64_t at : {side.first, side.end})
      if (at >= c.first_chunk + first + 1 && at < c.first_chunk + end) add(c.reshape->side_of(at));
  return out;
}

}  // namespace

std::string state_map(const ChunkStates& c, const MapShape& shape) {
  std::string out;
  const auto& bytes = c.states;
  const std::uint64_t base = c.first_chunk;
  const std::uint64_t n = bytes.size();
  const std::uint64_t cells_max = shape.width * shape.rows;
  const std::uint64_t group = std::max<std::uint64_t>(1, (n + cells_max - 1) / cells_max);
  const std::uint64_t cells = (n + group - 1) / group;
  out += fmt::format("{}: {} chunks ({}..{}), {} chunk(s) per cell, worst state shown\n", printable(c.device), n, base,
                     n ? base + n - 1 : base, group);
  if (c.reshape) out += fmt::format("mid-reshape at reshape_position {}: {}\n", c.reshape->position, c.reshape->summary());
  for (std::uint64_t cell = 0; cell < cells; ++cell) {
    if (cell % shape.width == 0) out += fmt::format("{:>10} ", base + cell * group);
    const auto& st = style_of(shown_state(bytes, cell * group, std::min(n, (cell + 1) * group)));
    if (shape.color)
      out += fmt::format("{}{}\x1b[0m", st.color, st.glyph);
    else
      out += st.glyph;
    if (cell % shape.width == shape.width - 1 || cell + 1 == cells) out += row_sides(c, cell / shape.width * shape.width * group, std::min(n, (cell + 1) * group)) + "\n";
  }
  out += "legend:";
  for (const auto b : legend_states(c.classic)) {
    const auto& st = style_of(b);
    const char* name = c.classic ? (b == 1 ? "clear bit" : "set bit") : st.name;
    if (shape.color)
      out += fmt::format(" {}{}\x1b[0m {}", st.color, st.glyph, name);
    else
      out += fmt::format(" {} {}", st.glyph, name);
  }
  return out + "\n";
}

std::string saved_text(const std::string& device, std::uint64_t bytes, std::size_t ranges, const std::string& file) {
  return fmt::format("{}: saved {} bytes of metadata in {} range(s) to {}\n", device, bytes, ranges, file);
}

std::string verified_text(const std::string& file, const std::string& device) {
  return fmt::format("{}: read back and verified: llbitmap restore {} {} puts it back\n", file, file, device);
}

}  // namespace llbitmap::cli
