// A member mid-reshape (llbmp::MemberReshape, inspect/reshape_view.hpp) in
// each format: text lines (name, value) that examine and check align their
// own way, JSON, export lines.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "inspect/reshape_view.hpp"
#include "render/escape.hpp"

namespace llbitmap::cli {

using ReshapeLine = std::pair<std::string, std::string>;
std::vector<ReshapeLine> reshape_lines(const llbmp::MemberReshape& r);
nlohmann::json reshape_json(const llbmp::MemberReshape& r);
// RESHAPE_* lines (e.g. LLBITMAP_RESHAPE_POSITION_SECTORS).
void put_reshape(ExportLines& lines, const llbmp::MemberReshape& r);

}  // namespace llbitmap::cli
