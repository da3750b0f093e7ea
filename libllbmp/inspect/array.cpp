#include "inspect/array.hpp"

#include <algorithm>
#include <fmt/format.h>

#include "llbmp/error.hpp"

namespace llbmp {

namespace {

void require_same(const Member& ref, const Member& m, const char* field, const std::string& mine, const std::string& theirs) {
  if (mine != theirs)
    throw Error(m.device, field, mine,
                fmt::format("not a member of the same array as {} ({}): refusing to write any member", ref.device, theirs));
}

}  // namespace

std::vector<Member> load_array_members(const std::vector<std::string>& paths) {
  if (paths.empty()) throw Error("", "device", "", "no member given");
  for (std::size_t i = 0; i < paths.size(); ++i)
    for (std::size_t j = i + 1; j < paths.size(); ++j)
      if (paths[i] == paths[j]) throw Error(paths[i], "device", paths[i], "given twice");
  std::vector<Member> members;
  members.reserve(paths.size());
  for (const auto& path : paths) members.push_back(load_member(path));
  const Member& ref = members.front();
  for (const auto& m : members) {
    require_same(ref, m, "md.set_uuid", format_uuid(m.md.set_uuid), format_uuid(ref.md.set_uuid));
    require_same(ref, m, "md.level", level_name(m.md.level), level_name(ref.md.level));
    require_same(ref, m, "md.raid_disks", std::to_string(m.md.raid_disks), std::to_string(ref.md.raid_disks));
    require_same(ref, m, "md.size", std::to_string(m.md.size), std::to_string(ref.md.size));
    if (&m != &ref && m.md.dev_number == ref.md.dev_number)
      throw Error(m.device, "md.dev_number", std::to_string(m.md.dev_number),
                  fmt::format("the same member as {} (or a copy of it): refusing to write any member", ref.device));
  }
  return members;
}

void refuse_errors(const Member& member, const std::vector<std::string>& field_prefixes) {
  for (const auto& f : member.findings) {
    if (f.severity != Severity::error) continue;
    const bool matches = std::any_of(field_prefixes.begin(), field_prefixes.end(),
                                     [&](const std::string& p) { return f.field.rfind(p, 0) == 0; });
    if (matches) throw Error(member.device, f.field, f.value, f.message + " (nothing written)");
  }
}

}  // namespace llbmp
