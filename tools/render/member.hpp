// Emitters for the decoded member model: text (mdadm -X line names), JSON and
// export (KEY=value). Every format is rendered from the same llbmp::Member.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "inspect/member.hpp"

namespace llbitmap::cli {

nlohmann::json member_json(const llbmp::Member& m);
std::string member_text(const llbmp::Member& m, bool brief);
std::string member_export(const llbmp::Member& m);

// Error findings as "llbitmap COMMAND: DEVICE: field=value: message" lines (for stderr).
std::string error_findings_text(const std::string& command, const llbmp::Member& m);

}  // namespace llbitmap::cli
