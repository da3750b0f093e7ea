// simulate's output: one row per chunk size (llbmp::SimulateReport) as a
// table or JSON, with the kernel's own choice for the configuration.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "engine/resize.hpp"
#include "engine/simulate.hpp"

namespace llbitmap::cli {

// --resize: the size asked for and one outcome per row, in the rows' order.
struct SimulateResize {
  std::uint64_t sectors = 0;
  std::vector<llbmp::ResizeOutcome> rows;
};

std::string simulate_text(const std::vector<llbmp::SimulateReport>& reports, const llbmp::SimulateConfig& base,
                          const std::optional<SimulateResize>& resize);
std::string simulate_json(const std::vector<llbmp::SimulateReport>& reports, const llbmp::SimulateConfig& base,
                          const std::optional<SimulateResize>& resize);

}  // namespace llbitmap::cli
