// Emitters for the decoded member model: text (mdadm -X line names), JSON and
// export (KEY=value). Every format is rendered from the same llbmp::Member.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "inspect/member.hpp"
#include "output.hpp"

namespace llbitmap::cli {

nlohmann::json member_json(const llbmp::Member& m);
std::string member_text(const llbmp::Member& m, bool brief);
std::string member_export(const llbmp::Member& m);

// "64 MB" in mdadm's human_chunksize style (binary units).
std::string human_chunksize(std::uint64_t bytes);
// " (255.00 MiB 267.39 MB)" exactly as mdadm's human_size writes it ("" below 5000 KiB).
std::string human_size(std::uint64_t bytes);

// Error findings as "llbitmap COMMAND: DEVICE: field=value: message" lines on stderr.
void print_error_findings(const std::string& command, const llbmp::Member& m);

}  // namespace llbitmap::cli
