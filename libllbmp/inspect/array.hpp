// The members of one array, loaded together (load_array_members:
// llbmp/array.hpp), and the refusal of members with errors.
#pragma once

#include <string>
#include <vector>

#include "inspect/member.hpp"
#include "llbmp/array.hpp"

namespace llbmp {

// Throws the first error finding whose field starts with one of the prefixes.
void refuse_errors(const Member& member, const std::vector<std::string>& field_prefixes);

}  // namespace llbmp
