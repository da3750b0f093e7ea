#include "render/dump.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "engine/state_engine.hpp"
#include "render/escape.hpp"
#include "render/states.hpp"

namespace llbitmap::cli {

namespace {

std::string byte_name(std::uint8_t b) {
  return llbmp::is_valid_state(b) ? std::string(llbmp::state_key(static_cast<llbmp::State>(b))) : fmt::format("invalid({:#04x})", b);
}

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

}  // namespace

std::string dump_ranges(const ChunkStates& c) {
  std::string out;
  for (const auto& r : llbmp::state_runs(c.states, c.first_chunk)) {
    if (r.first == r.last)
      out += fmt::format("{} {}\n", r.first, byte_name(r.byte));
    else
      out += fmt::format("{}-{} {}\n", r.first, r.last, byte_name(r.byte));
  }
  return out;
}

std::string dump_csv(const ChunkStates& c) {
  std::string out = "first,last,count,state,value\n";
  for (const auto& r : llbmp::state_runs(c.states, c.first_chunk))
    out += fmt::format("{},{},{},{},{}\n", r.first, r.last, r.last - r.first + 1, byte_name(r.byte), r.byte);
  return out;
}

std::string dump_json(const ChunkStates& c) {
  nlohmann::json runs = nlohmann::json::array();
  for (const auto& r : llbmp::state_runs(c.states, c.first_chunk))
    runs.push_back({{"first", r.first}, {"last", r.last}, {"count", r.last - r.first + 1}, {"state", byte_name(r.byte)}, {"value", r.byte}});
  const nlohmann::json j{{"device", c.device}, {"version", c.version}, {"chunks", c.states.size()}, {"first_chunk", c.first_chunk}, {"runs", runs}};
  return json_text(j) + "\n";
}

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
  for (std::uint64_t cell = 0; cell < cells; ++cell) {
    if (cell % shape.width == 0) out += fmt::format("{:>10} ", base + cell * group);
    const auto& st = style_of(shown_state(bytes, cell * group, std::min(n, (cell + 1) * group)));
    if (shape.color)
      out += fmt::format("{}{}\x1b[0m", st.color, st.glyph);
    else
      out += st.glyph;
    if (cell % shape.width == shape.width - 1 || cell + 1 == cells) out += "\n";
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
