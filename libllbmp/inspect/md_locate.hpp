// Finding the md v1.x superblock on a device: where each minor version lies.
#pragma once

#include <cstdint>
#include <vector>

#include "format/md_super.hpp"
#include "io/device.hpp"

namespace llbmp {

struct LocatedMdSuperblock {
  MdSuperblock sb;
  std::vector<std::uint8_t> raw;  // kMdSuperblockRead bytes read at the location
};

// Finds the v1.x superblock (1.2, then 1.1, then 1.0). Throws Error naming the
// device when none carries the md magic with a matching super_offset; a 0.90
// superblock is recognised and refused with a clear message.
LocatedMdSuperblock find_md_superblock(const Device& device);

}  // namespace llbmp
