// The members of one array, loaded together.
#pragma once

#include <string>
#include <vector>

#include <llbmp/export.hpp>
#include <llbmp/member.hpp>

namespace llbmp {

// Loads every member (read only). Throws Error when a path is given twice or
// the members do not belong to one array (uuid, level, raid_disks, size).
LLBMP_API std::vector<Member> load_array_members(const std::vector<std::string>& paths);

}  // namespace llbmp
