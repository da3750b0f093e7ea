// simulate's output: one row per chunk size (llbmp::SimulateReport) as a
// table or JSON, with the kernel's own choice for the configuration.
#pragma once

#include <string>
#include <vector>

#include "engine/simulate.hpp"

namespace llbitmap::cli {

std::string simulate_text(const std::vector<llbmp::SimulateReport>& reports, const llbmp::SimulateConfig& base);
std::string simulate_json(const std::vector<llbmp::SimulateReport>& reports, const llbmp::SimulateConfig& base);

}  // namespace llbitmap::cli
