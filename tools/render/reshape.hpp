// A member mid-reshape (llbmp::MemberReshape, inspect/reshape_view.hpp) in
// each format: text lines (name, value) that examine and check align their
// own way, JSON, export lines.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "inspect/reshape_start.hpp"
#include "inspect/reshape_view.hpp"
#include "render/escape.hpp"

namespace llbitmap::cli {

using ReshapeLine = std::pair<std::string, std::string>;
std::vector<ReshapeLine> reshape_lines(const llbmp::MemberReshape& r);
nlohmann::json reshape_json(const llbmp::MemberReshape& r);
// Why the kernel refuses a reshape's start, in words (ONDISK 9.2).
std::string reshape_refusal_text(const llbmp::ReshapeRefusal& refusal);
// What mdadm 4.6's message on a bitmap or resync EBUSY means; empty for other refusals.
std::string mdadm_busy_note(const std::vector<llbmp::ReshapeRefusal>& refusals);

// Whether 7.3 lets a reshape start now (check): a headline, then (name, value) lines.
std::string reshape_start_headline(const llbmp::ReshapeStartCheck& start);
std::vector<ReshapeLine> reshape_start_lines(const llbmp::ReshapeStartCheck& start);
nlohmann::json reshape_start_json(const llbmp::ReshapeStartCheck& start);
// RESHAPE_START_* lines.
void put_reshape_start(ExportLines& lines, const llbmp::ReshapeStartCheck& start);

// RESHAPE_* lines (e.g. LLBITMAP_RESHAPE_POSITION_SECTORS).
void put_reshape(ExportLines& lines, const llbmp::MemberReshape& r);

}  // namespace llbitmap::cli
