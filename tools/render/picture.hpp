// Pictures of a member's chunk states for reports: one cell per chunk (or per
// group of chunks, worst state shown), a colour per state, a legend, axis
// labels in sectors and bytes, the device and the time in the title.
// One layout (a scene of rectangles and text lines) drawn two ways: SVG text
// here and a PNG through libpng (render/png.hpp).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "render/dump.hpp"

namespace llbitmap::cli {

struct Rgb {
  std::uint8_t r, g, b;
};

inline constexpr int kGlyphW = 6;  // advance of one character at scale 1
inline constexpr Rgb kWhite{255, 255, 255};
inline constexpr Rgb kInk{32, 32, 32};

struct SceneRect {
  int x, y, w, h;
  Rgb fill;
  std::string tip;  // SVG tooltip (empty: none)
};

struct SceneText {
  int x, y;   // top left
  int scale;  // 1: 6x8 pixel cells per character, 2: 12x16, ...
  std::string text;
};

struct Scene {
  int width = 0;
  int height = 0;
  std::vector<SceneRect> rects;
  std::vector<SceneText> texts;
};

// when: shown in the title, e.g. "2026-11-25 10:00:00 UTC".
Scene picture_scene(const ChunkStates& states, const std::string& when);
std::string scene_svg(const Scene& scene);
// Throws llbmp::Error naming the file when it cannot be written.
void write_svg(const std::string& path, const Scene& scene);

// "2026-11-25 10:00:00 UTC" for now.
std::string utc_now();

}  // namespace llbitmap::cli
