// The members a scan found, loaded and grouped by array.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "format/md_super.hpp"
#include "inspect/member.hpp"

namespace llbmp {

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
