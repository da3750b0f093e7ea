// Pictures of a member's chunk states for reports: one cell per chunk (or per
// group of chunks, worst state shown), a colour per state, a legend, axis
// labels in sectors and bytes, the device and the time in the title.
// One layout (a scene of rectangles and text lines) drawn two ways: SVG text
// and a PNG written through libpng.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace llbitmap::cli {

struct PictureInput {
  std::string device;
  std::vector<std::uint8_t> states;  // one byte per chunk (classic: 1 clean / 2 dirty)
  bool classic = false;
  std::uint64_t first_chunk = 0;     // chunk number of states[0]
  std::uint64_t chunk_sectors = 0;   // array sectors per chunk
  std::string when;                  // shown in the title, e.g. "2026-11-25 10:00:00 UTC"
};

struct Rgb {
  std::uint8_t r, g, b;
};

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

Scene picture_scene(const PictureInput& in);
std::string scene_svg(const Scene& scene);
// Throws llbmp::Error naming the file when it cannot be written.
void write_svg(const std::string& path, const Scene& scene);
void write_png(const std::string& path, const Scene& scene);

// "2026-11-25 10:00:00 UTC" for now.
std::string utc_now();

}  // namespace llbitmap::cli
