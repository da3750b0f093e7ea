#include "write/write_plan.hpp"

#include <algorithm>
#include <filesystem>
#include <optional>
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
    // 1.0: the bitmap lies between the end of the data and the superblock. The
    // array uses md.size sectors of the data area whatever data_size says
    // (a data_size of 0, or one below size, must not hand data to the bitmap).
    const std::uint64_t data_end = (m.md.data_offset + std::max(m.md.data_size, m.md.size)) * 512;
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

const char* member_state_name(MemberState state) noexcept {
  switch (state) {
    case MemberState::old_metadata: return "old";
    case MemberState::stale: return "STALE";
    case MemberState::new_metadata: return "new";
  }
  return "?";
}

WriteStopped::WriteStopped(const Error& cause, std::vector<MemberOutcome> outcomes, int signal)
    : Error(cause.device(), cause.field(), cause.value(), cause.message()), outcomes_(std::move(outcomes)), signal_(signal) {}

namespace {

std::size_t write_count(const MemberPlan& m) {
  std::size_t n = 0;
  for (const auto& phase : m.phases) n += phase.size();
  return n;
}

// Removes the image files this opening created when a later one fails.
class CreatedFiles {
public:
  void add(const std::string& path) { paths_.push_back(path); }
  void keep() noexcept { paths_.clear(); }
  ~CreatedFiles() {
    std::error_code ec;
    for (const auto& p : paths_) std::filesystem::remove(p, ec);
  }

private:
  std::vector<std::string> paths_;
};

}  // namespace

OpenedPlan::OpenedPlan(const WritePlan& plan, std::shared_ptr<FaultInjector> faults) : plan_(plan) {
  check_plan(plan);
  for (const auto& m : plan.members)
    if (m.create_bytes != 0 && std::filesystem::exists(m.device))
      throw Error(m.device, "device", m.device, "exists already: nothing written");
  std::vector<std::optional<Device>> opened(plan.members.size());
  for (std::size_t i = 0; i < plan.members.size(); ++i) {
    const auto& m = plan.members[i];
    if (m.create_bytes != 0) continue;
    opened[i] = Device::open_for_write(m.device, faults);
    if (m.device_bytes != 0 && opened[i]->size_bytes() != m.device_bytes)
      throw Error(m.device, "size", std::to_string(opened[i]->size_bytes()),
                  fmt::format("differs from the {} bytes it had when the writes were planned: nothing written", m.device_bytes));
  }
  CreatedFiles created;
  for (std::size_t i = 0; i < plan.members.size(); ++i) {
    const auto& m = plan.members[i];
    if (m.create_bytes == 0) continue;
    created.add(m.device);
    opened[i] = Device::create_image(m.device, m.create_bytes, faults);
  }
  created.keep();
  devices_.reserve(opened.size());
  for (std::size_t i = 0; i < opened.size(); ++i) {
    devices_.push_back(std::move(*opened[i]));
    for (const auto& r : plan.members[i].room) devices_.back().allow_writes(r);
  }
}

const Device& OpenedPlan::device(const std::string& path) const {
  for (std::size_t i = 0; i < plan_.members.size(); ++i)
    if (plan_.members[i].device == path) return devices_[i];
  throw Error(path, "device", path, "not a member of this write");
}

std::vector<MemberOutcome> OpenedPlan::outcomes(const std::vector<std::size_t>& writes_done,
                                                 const std::vector<std::size_t>& writes_flushed) const {
  std::vector<MemberOutcome> out;
  for (std::size_t i = 0; i < plan_.members.size(); ++i) {
    const auto& m = plan_.members[i];
    MemberState state = m.partial_state;
    if (writes_done[i] == 0) state = MemberState::old_metadata;
    else if (writes_flushed[i] == write_count(m)) state = MemberState::new_metadata;
    out.push_back({m.device, state});
  }
  return out;
}

void OpenedPlan::execute() {
  std::vector<std::size_t> writes_done(plan_.members.size(), 0), writes_flushed(plan_.members.size(), 0);
  if (signals_.pending() != 0)
    throw WriteStopped(Error("", "signal", signal_name(signals_.pending()), "interrupted before the first write: nothing written"),
                       outcomes(writes_done, writes_flushed), signals_.pending());
  for (std::size_t p = 0; p < plan_.phase_count(); ++p) {
    std::optional<std::size_t> writing;  // the member a write is under way to
    try {
      for (std::size_t i = 0; i < plan_.members.size(); ++i) {
        const auto& m = plan_.members[i];
        if (p >= m.phases.size()) continue;
        for (const auto& w : m.phases[p]) {
          writing = i;
          devices_[i].write(w.offset, w.bytes);
          writing.reset();
          ++writes_done[i];
        }
      }
      for (std::size_t i = 0; i < devices_.size(); ++i) {
        devices_[i].flush();
        writes_flushed[i] = writes_done[i];
      }
    } catch (const InjectedFault& e) {
      throw WriteStopped(e, outcomes(writes_done, writes_flushed), 0);
    } catch (const Error& e) {
      if (writing) ++writes_done[*writing];  // a failed write may have reached the device in part
      throw WriteStopped(e, outcomes(writes_done, writes_flushed), 0);
    }
    // A signal during the phase lets it finish and be flushed: stop here.
    if (signals_.pending() != 0 && p + 1 < plan_.phase_count())
      throw WriteStopped(Error("", "signal", signal_name(signals_.pending()),
                               fmt::format("interrupted: stopped after phase {} of {} ({}), flushed", p + 1,
                                           plan_.phase_count(), plan_.phase_names[p])),
                         outcomes(writes_done, writes_flushed), signals_.pending());
  }
}

void execute_plan(const WritePlan& plan, std::shared_ptr<FaultInjector> faults) {
  OpenedPlan opened(plan, std::move(faults));
  opened.execute();
}

}  // namespace llbmp
