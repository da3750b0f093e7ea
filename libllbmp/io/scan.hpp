// Finding md members on this machine through libblkid (TYPE linux_raid_member)
// and grouping decoded members by the array they belong to.
#pragma once

#include <string>
#include <vector>


namespace llbmp {

// Every block device libblkid identifies as an md member (superblock 0.90 or
// 1.x; the caller decodes them), probed fresh (no blkid cache file), sorted
// by path ("sdb2" before "sdb10"). Throws Error when libblkid cannot be used at all.
std::vector<std::string> scan_md_member_paths();

}  // namespace llbmp
