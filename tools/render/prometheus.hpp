// Prometheus text exposition (node_exporter textfile collector) of decoded
// members: one gauge family per fact, labelled by device and array uuid.
#pragma once

#include <string>
#include <vector>

#include "inspect/member.hpp"

namespace llbitmap::cli {

// All families for all members, each family's HELP and TYPE once.
std::string members_prometheus(const std::vector<llbmp::Member>& members);

}  // namespace llbitmap::cli
