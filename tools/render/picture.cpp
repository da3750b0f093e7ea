#include "render/picture.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>

#include "llbmp/error.hpp"
#include "engine/state_engine.hpp"
#include "render/size.hpp"
#include "render/states.hpp"

namespace llbitmap::cli {

namespace {

constexpr int kColumns = 64;        // cells per row
constexpr int kMaxRows = 64;
constexpr int kCell = 10;           // pixels per cell side
constexpr int kMargin = 16;
constexpr int kGlyphH = 8;          // line height at scale 1
constexpr Rgb kGrid{200, 200, 200};

struct StateStyle {
  Rgb colour;
  const char* name;
};

StateStyle style(std::uint8_t b, bool classic) {
  static constexpr std::array<Rgb, llbmp::kStateCount> kColours{{
      {208, 208, 208},  // unwritten
      {46, 158, 68},    // clean
      {232, 194, 28},   // dirty
      {214, 40, 40},    // need_sync
      {176, 58, 176},   // syncing
      {240, 128, 64},   // need_sync_unwritten
      {200, 155, 232},  // syncing_unwritten
      {42, 140, 140},   // clean_unwritten
  }};
  if (!llbmp::is_valid_state(b)) return {{0, 0, 0}, "invalid"};
  if (classic) return {kColours[b], b == 1 ? "bit clear" : "bit set"};
  return {kColours[b], std::string_view(llbmp::state_key(static_cast<llbmp::State>(b))).data()};
}

int text_width(const std::string& text, int scale) { return static_cast<int>(text.size()) * kGlyphW * scale; }

void add_text(Scene& s, int x, int y, int scale, std::string text) {
  s.width = std::max(s.width, x + text_width(text, scale) + kMargin);
  s.texts.push_back({x, y, scale, std::move(text)});
}

struct Grid {
  std::size_t chunks = 0;
  std::size_t group = 1;   // chunks per cell
  std::size_t cells = 0;
  int columns = 0;
  int rows = 0;
};

Grid grid_of(std::size_t chunks) {
  Grid g;
  g.chunks = chunks;
  const std::size_t max_cells = std::size_t{kColumns} * kMaxRows;
  g.group = std::max<std::size_t>(1, (chunks + max_cells - 1) / max_cells);
  g.cells = (chunks + g.group - 1) / g.group;
  g.columns = static_cast<int>(std::min<std::size_t>(kColumns, std::max<std::size_t>(1, g.cells)));
  g.rows = static_cast<int>((g.cells + static_cast<std::size_t>(g.columns) - 1) / static_cast<std::size_t>(g.columns));
  return g;
}

int add_cells(Scene& s, const ChunkStates& in, const Grid& g, int left, int top) {
  s.rects.push_back({left - 1, top - 1, g.columns * kCell + 1, g.rows * kCell + 1, kGrid, ""});
  for (std::size_t c = 0; c < g.cells; ++c) {
    const std::size_t first = c * g.group;
    const std::size_t last = std::min(g.chunks, first + g.group);
    const std::uint8_t w = shown_state(in.states, first, last);
    const int x = left + static_cast<int>(c % static_cast<std::size_t>(g.columns)) * kCell;
    const int y = top + static_cast<int>(c / static_cast<std::size_t>(g.columns)) * kCell;
    const std::uint64_t c0 = in.first_chunk + first;
    std::string tip = g.group == 1 ? fmt::format("chunk {}: {}", c0, style(w, in.classic).name)
                                   : fmt::format("chunks {}-{}: worst {}", c0, in.first_chunk + last - 1, style(w, in.classic).name);
    s.rects.push_back({x, y, kCell - 1, kCell - 1, style(w, in.classic).colour, std::move(tip)});
  }
  return top + g.rows * kCell;
}

// Mid-reshape: a bar along the bottom of each cell in its side's colour, and a key.
Rgb side_colour(std::string_view side) {
  if (side == "new") return {40, 90, 220};
  if (side == "old") return {250, 150, 0};
  return {110, 110, 110};  // leftovers, and past the sides
}

void add_side_bars(Scene& s, const ChunkStates& in, const Grid& g, int left, int top) {
  if (!in.reshape) return;
  for (std::size_t c = 0; c < g.cells; ++c) {
    const std::uint64_t chunk = in.first_chunk + c * g.group;
    const auto side = in.reshape->side_of(chunk);
    const int x = left + static_cast<int>(c % static_cast<std::size_t>(g.columns)) * kCell;
    const int y = top + static_cast<int>(c / static_cast<std::size_t>(g.columns)) * kCell;
    s.rects.push_back({x, y + kCell - 4, kCell - 1, 3, side_colour(side), ""});
  }
}

int add_side_key(Scene& s, const ChunkStates& in, int left, int top) {
  if (!in.reshape) return top;
  add_text(s, left, top, 1, fmt::format("mid-reshape at reshape_position {}: {}", in.reshape->position, in.reshape->summary()));
  int y = top + kGlyphH + 6;
  int x = left;
  for (const std::string_view side : {"new", "leftover", "old"}) {
    const std::string name = side == "leftover" ? "bar: leftover (ignored)" : fmt::format("bar: {} side", side);
    s.rects.push_back({x, y, 12, 4, side_colour(side), name});
    add_text(s, x + 18, y - 2, 1, name);
    x += 230;
  }
  return y + 14;
}

// Row labels every other row: the row's first sector on the left, its byte offset on the right.
void add_axes(Scene& s, const ChunkStates& in, const Grid& g, int left, int top) {
  const int right = left + g.columns * kCell + 8;
  const std::uint64_t chunks_per_row = g.group * static_cast<std::uint64_t>(g.columns);
  for (int r = 0; r < g.rows; r += 2) {
    const std::uint64_t sector = (in.first_chunk + static_cast<std::uint64_t>(r) * chunks_per_row) * in.chunk_sectors;
    const std::string l = fmt::format("{}", sector);
    add_text(s, left - 8 - text_width(l, 1), top + r * kCell + 1, 1, l);
    add_text(s, right, top + r * kCell + 1, 1, fmt::format("{} B{}", sector * 512, human_size(sector * 512)));
  }
}

int add_legend(Scene& s, const ChunkStates& in, int left, int top) {
  const auto counts = llbmp::count_states(in.states);
  const auto& shown = legend_states(in.classic);
  int y = top;
  for (std::size_t i = 0; i < shown.size(); ++i) {
    const int x = left + static_cast<int>(i % 3) * 230;
    const auto st = style(shown[i], in.classic);
    s.rects.push_back({x, y, 12, 12, st.colour, st.name});
    add_text(s, x + 18, y + 2, 1, fmt::format("{} ({})", st.name, llbmp::is_valid_state(shown[i]) ? counts.by_state[shown[i]] : counts.invalid));
    if (i % 3 == 2 || i + 1 == shown.size()) y += 18;
  }
  return y;
}

}  // namespace

std::string utc_now() {
  return fmt::format("{:%Y-%m-%d %H:%M:%S} UTC", std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()));
}

Scene picture_scene(const ChunkStates& in, const std::string& when) {
  Scene s;
  const Grid g = grid_of(in.states.size());
  const std::uint64_t last_chunk = in.first_chunk + (in.states.empty() ? 0 : in.states.size() - 1);
  int y = kMargin;
  add_text(s, kMargin, y, 2, "llbitmap dump: " + in.device);
  y += 2 * kGlyphH + 4;
  add_text(s, kMargin, y, 1,
           fmt::format("{}; chunks {}-{} of {} sectors ({} B) each; {} chunk(s) per cell, worst state shown", when,
                       in.first_chunk, last_chunk, in.chunk_sectors, in.chunk_sectors * 512, g.group));
  y += kGlyphH + 12;
  const std::string left_head = "sector";
  const int left = kMargin + std::max(text_width(fmt::format("{}", (last_chunk + 1) * in.chunk_sectors), 1),
                                      text_width(left_head, 1)) + 8;
  add_text(s, left - 8 - text_width(left_head, 1), y, 1, left_head);
  add_text(s, left + g.columns * kCell + 8, y, 1, "byte offset");
  y += kGlyphH + 4;
  const int grid_top = y;
  y = add_cells(s, in, g, left, grid_top);
  add_side_bars(s, in, g, left, grid_top);
  add_axes(s, in, g, left, grid_top);
  y += 8;
  add_text(s, left, y, 1,
           fmt::format("cells left to right: {} sectors ({} B) each; row starts in array sectors and bytes",
                       g.group * in.chunk_sectors, g.group * in.chunk_sectors * 512));
  y += kGlyphH + 12;
  y = add_side_key(s, in, kMargin, y);
  y = add_legend(s, in, kMargin, y);
  s.width = std::max(s.width, left + g.columns * kCell + kMargin);
  s.width = std::max(s.width, kMargin + 3 * 230);
  s.height = y + kMargin;
  return s;
}

namespace {

std::string xml_escape(const std::string& text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default:
        // Control bytes are not allowed in XML 1.0.
        out += (static_cast<unsigned char>(c) < 0x20) ? '?' : c;
    }
  }
  return out;
}

std::string hex(Rgb c) { return fmt::format("#{:02x}{:02x}{:02x}", c.r, c.g, c.b); }

}  // namespace

std::string scene_svg(const Scene& scene) {
  std::string out = fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\">\n"
      "<rect x=\"0\" y=\"0\" width=\"{0}\" height=\"{1}\" fill=\"#ffffff\"/>\n"
      "<g font-family=\"monospace\" fill=\"{2}\">\n",
      scene.width, scene.height, hex(kInk));
  for (const auto& t : scene.texts)
    out += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"{}\">{}</text>\n", t.x, t.y + 7 * t.scale, 10 * t.scale,
                       xml_escape(t.text));
  out += "</g>\n<g>\n";
  for (const auto& r : scene.rects) {
    if (r.tip.empty())
      out += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"/>\n", r.x, r.y, r.w, r.h, hex(r.fill));
    else
      out += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"><title>{}</title></rect>\n", r.x,
                         r.y, r.w, r.h, hex(r.fill), xml_escape(r.tip));
  }
  out += "</g>\n</svg>\n";
  return out;
}

void write_svg(const std::string& path, const Scene& scene) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  const std::string svg = scene_svg(scene);
  f.write(svg.data(), static_cast<std::streamsize>(svg.size()));
  f.close();
  if (!f) throw llbmp::Error(path, "", "", fmt::format("cannot write the SVG picture: {}", std::strerror(errno)));
}

}  // namespace llbitmap::cli
