// The members of one array, loaded together.
#pragma once

#include <string>
#include <vector>

#include "inspect/member.hpp"

namespace llbmp {

// Loads every member (read only). Throws Error when a path is given twice or
// the members do not belong to one array (uuid, level, raid_disks, size).
std::vector<Member> load_array_members(const std::vector<std::string>& paths);

// Throws the first error finding whose field starts with one of the prefixes.
void refuse_errors(const Member& member, const std::vector<std::string>& field_prefixes);

}  // namespace llbmp
