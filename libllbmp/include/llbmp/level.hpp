// The name of an md RAID level, as examine prints it.
#pragma once

#include <cstdint>
#include <string>

#include <llbmp/export.hpp>

namespace llbmp {

LLBMP_API std::string level_name(std::int32_t level);  // "raid1", "linear", ... ("level<N>" for a level md has no name for)

}  // namespace llbmp
