// A picture scene (render/picture.hpp) written as a PNG file through libpng;
// only what links llbitmap_render_png draws PNGs.
#pragma once

#include <string>

#include "render/picture.hpp"

namespace llbitmap::cli {

// Throws llbmp::Error naming the file when it cannot be written.
void write_png(const std::string& path, const Scene& scene);

}  // namespace llbitmap::cli
