#include "llbmp/write_plan.hpp"

#include <algorithm>
#include <fmt/format.h>

#include "llbmp/error.hpp"

namespace llbmp {

MemberPlan& WritePlan::member(const std::string& device) {
  const auto it = std::find_if(members.begin(), members.end(), [&](const MemberPlan& m) { return m.device == device; });
  if (it != members.end()) return *it;
  members.push_back({device, {}, {}});
  return members.back();
}

std::vector<ByteRange> WritePlan::ranges_of(const std::string& device) const {
  std::vector<ByteRange> out;
  for (const auto& mp : members) {
    if (mp.device != device) continue;
    for (const auto& phase : mp.phases)
      for (const auto& w : phase) out.push_back({w.offset, w.bytes.size()});
  }
  return out;
}

void WritePlan::add(const std::string& device, std::size_t phase, std::uint64_t offset, std::vector<std::uint8_t> bytes) {
  MemberPlan& m = member(device);
  if (m.phases.size() <= phase) m.phases.resize(phase + 1);
  if (phase_names.size() <= phase) phase_names.resize(phase + 1);
  m.phases[phase].push_back({offset, std::move(bytes)});
}

std::uint64_t WritePlan::bytes_written() const noexcept {
  std::uint64_t total = 0;
  for (const auto& m : members)
    for (const auto& phase : m.phases)
      for (const auto& w : phase) total += w.bytes.size();
  return total;
}

namespace {

// Removes [cut.offset, cut.end()) from every range.
std::vector<ByteRange> subtract(const std::vector<ByteRange>& ranges, const ByteRange& cut) {
  std::vector<ByteRange> out;
  for (const auto& r : ranges) {
    if (cut.end() <= r.offset || cut.offset >= r.end()) {
      out.push_back(r);
      continue;
    }
    if (cut.offset > r.offset) out.push_back({r.offset, cut.offset - r.offset});
    if (cut.end() < r.end()) out.push_back({cut.end(), r.end() - cut.end()});
  }
  return out;
}

}  // namespace

std::vector<ByteRange> metadata_room(const Member& m) {
  std::vector<ByteRange> room;
  const std::uint64_t super = m.md.super_offset * 512;
  room.push_back({super, kMdSuperblockRead});
  if (m.md.minor_version == 0) {
    // 1.0: the bitmap lies between the end of the data and the superblock.
    const std::uint64_t data_end = (m.md.data_offset + m.md.data_size) * 512;
    if (data_end < super) room.push_back({data_end, super - data_end});
  } else {
    const std::uint64_t after_super = super + kMdSuperblockRead;
    const std::uint64_t data = m.md.data_offset * 512;
    if (data > after_super) room.push_back({after_super, data - after_super});
  }
  if (m.md.bblog_offset != 0 && m.md.bblog_size != 0 && m.md.bblog_offset_bytes() >= 0)
    room = subtract(room, {static_cast<std::uint64_t>(m.md.bblog_offset_bytes()), std::uint64_t{m.md.bblog_size} * 512});
  return room;
}

void check_plan(const WritePlan& plan) {
  for (const auto& m : plan.members)
    for (std::size_t p = 0; p < m.phases.size(); ++p)
      for (const auto& w : m.phases[p]) {
        const bool inside = std::any_of(m.room.begin(), m.room.end(),
                                        [&](const ByteRange& r) { return r.contains(w.offset, w.bytes.size()); });
        if (!inside)
          throw Error(m.device, "offset", std::to_string(w.offset),
                      fmt::format("refusing to write {} bytes outside the metadata room (phase {})", w.bytes.size(),
                                  p < plan.phase_names.size() ? plan.phase_names[p] : std::to_string(p)));
      }
}

void execute_plan(const WritePlan& plan, std::shared_ptr<FaultInjector> faults) {
  check_plan(plan);
  std::vector<Device> devices;
  devices.reserve(plan.members.size());
  for (const auto& m : plan.members) {
    devices.push_back(Device::open_for_write(m.device, faults));
    for (const auto& r : m.room) devices.back().allow_writes(r);
  }
  for (std::size_t p = 0; p < plan.phase_count(); ++p) {
    for (std::size_t i = 0; i < plan.members.size(); ++i) {
      const auto& m = plan.members[i];
      if (p >= m.phases.size()) continue;
      for (const auto& w : m.phases[p]) devices[i].write(w.offset, w.bytes);
    }
    for (auto& d : devices) d.flush();
  }
}

}  // namespace llbmp
