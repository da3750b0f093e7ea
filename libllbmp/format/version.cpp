#include "llbmp/version.hpp"

namespace llbmp {

const char* library_version() noexcept { return kVersion; }

}  // namespace llbmp
