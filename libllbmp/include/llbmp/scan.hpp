// Finding md members on this machine through libblkid (TYPE linux_raid_member)
// and grouping decoded members by the array they belong to.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "llbmp/md_super.hpp"
#include "llbmp/member.hpp"

namespace llbmp {

// Every block device libblkid identifies as an md member (superblock 0.90 or
// 1.x; the caller decodes them), probed fresh (no blkid cache file), sorted
// by path ("sdb2" before "sdb10"). Throws Error when libblkid cannot be used at all.
std::vector<std::string> scan_md_member_paths();

// Called after each device: done, total, the device just read.
using ScanProgress = std::function<void(std::size_t done, std::size_t total, const std::string& device)>;

struct ScanFailure {
  std::string device;
  std::string message;  // why it could not be read (gone, not v1.x, ...)
};

struct ArrayGroup {
  Uuid set_uuid{};
  std::vector<Member> members;  // in path order
};

struct ScanResult {
  std::vector<ArrayGroup> arrays;     // ordered by array uuid
  std::vector<ScanFailure> failures;  // found by libblkid but not decodable here
};

// Loads each path (failures are collected, not thrown) and groups by array uuid.
ScanResult load_and_group(const std::vector<std::string>& paths, const ScanProgress& progress = {});

// Groups members by md set_uuid (stable: member order kept inside a group).
std::vector<ArrayGroup> group_by_array(std::vector<Member> members);

}  // namespace llbmp
