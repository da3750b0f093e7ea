#include "inspect/scan_groups.hpp"

#include <algorithm>
#include <map>
#include <utility>

#include "llbmp/error.hpp"

namespace llbmp {

std::vector<ArrayGroup> group_by_array(std::vector<Member> members) {
  std::map<Uuid, std::vector<Member>> by_uuid;
  for (auto& m : members) by_uuid[m.md.set_uuid].push_back(std::move(m));
  std::vector<ArrayGroup> groups;
  groups.reserve(by_uuid.size());
  for (auto& [uuid, group] : by_uuid) groups.push_back({uuid, std::move(group)});
  return groups;
}

ScanResult load_and_group(const std::vector<std::string>& paths, const ScanProgress& progress) {
  std::vector<Member> members;
  ScanResult result;
  for (std::size_t i = 0; i < paths.size(); ++i) {
    try {
      members.push_back(load_member(paths[i]));
    } catch (const std::exception& e) {
      result.failures.push_back({paths[i], e.what()});
    }
    if (progress) progress(i + 1, paths.size(), paths[i]);
  }
  result.arrays = group_by_array(std::move(members));
  return result;
}

}  // namespace llbmp
