#include "inspect/check.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <array>
#include <functional>

#include "format/geometry.hpp"
#include "engine/state_engine.hpp"

namespace llbmp {

namespace {

// worst_state depends only on which values are among the copies: a set of
// bits, bit s for state s and bit kStateCount for any invalid byte.
constexpr unsigned kInvalidBit = 1u << kStateCount;

constexpr unsigned present_bit(std::uint8_t byte) noexcept { return is_valid_state(byte) ? 1u << byte : kInvalidBit; }

constexpr std::uint8_t worst_of_present(unsigned present) noexcept {
  const auto any = [present](std::initializer_list<State> states) {
    return std::any_of(states.begin(), states.end(), [present](State s) { return (present & (1u << static_cast<unsigned>(s))) != 0; });
  };
  if ((present & kInvalidBit) != 0 || any({State::NeedSync, State::Syncing})) return static_cast<std::uint8_t>(State::NeedSync);
  if (any({State::NeedSyncUnwritten, State::SyncingUnwritten}))
    return static_cast<std::uint8_t>(any({State::Clean, State::Dirty}) ? State::NeedSync : State::NeedSyncUnwritten);
  if (any({State::Dirty})) return static_cast<std::uint8_t>(State::Dirty);
  if (any({State::Clean})) return static_cast<std::uint8_t>(State::Clean);
  if (any({State::Unwritten})) return static_cast<std::uint8_t>(State::Unwritten);
  return static_cast<std::uint8_t>(State::CleanUnwritten);
}

// The merge of every set of values, worked out at compile time: a lookup per
// chunk rather than scans of the copies.
constexpr auto kWorstOfPresent = [] {
  std::array<std::uint8_t, 2 * kInvalidBit> table{};
  for (unsigned present = 0; present < table.size(); ++present) table[present] = worst_of_present(present);
  return table;
}();

// The merge of one value, which every copy holds.
constexpr auto kWorstOfOne = [] {
  std::array<std::uint8_t, 256> table{};
  for (unsigned byte = 0; byte < table.size(); ++byte) table[byte] = kWorstOfPresent[present_bit(static_cast<std::uint8_t>(byte))];
  return table;
}();

class Sink {
public:
  explicit Sink(CheckReport& report) : report_(report) {}
  void add(const std::string& device, Finding finding) {
    report_.findings.push_back({finding.severity, device, std::move(finding)});
  }
  void add(FindingId id, const std::string& device, std::string field, std::string value, std::string message) {
    add(device, {id, std::move(field), std::move(value), std::move(message)});
  }

private:
  CheckReport& report_;
};

std::string runs_text(std::span<const std::uint8_t> bytes, std::uint64_t base) {
  std::string out;
  for (const auto& run : state_runs(bytes, base)) {
    const std::string name = is_valid_state(run.byte) ? std::string(state_key(static_cast<State>(run.byte))) : fmt::format("{:#04x}", run.byte);
    out += fmt::format("{}{} {}", out.empty() ? "" : ", ", run.first == run.last ? fmt::format("{}", run.first) : fmt::format("{}-{}", run.first, run.last), name);
  }
  return out;
}

void each_member_alone(const std::vector<Member>& members, Sink& sink) {
  for (const auto& m : members)
    for (const auto& f : m.findings)
      if (f.id != FindingId::bitmap_invalid_states) sink.add(m.device, f);  // invalid_bytes says more
}

// Members: a vector of Member or of references to them.
template <typename Members, typename Get>
void agree(const Members& members, Sink& sink, FindingId id, const char* field, Get get) {
  const Member& first = members.front();
  const auto ref = get(first);
  for (std::size_t i = 1; i < members.size(); ++i) {
    const Member& m = members[i];
    const auto mine = get(m);
    if (mine != ref)
      sink.add(id, m.device, field, mine,
               fmt::format("differs from {} on {}: not members of one array as md sees it", ref, first.device));
  }
}

void md_superblocks(const std::vector<Member>& members, CheckReport& report, Sink& sink) {
  agree(members, sink, FindingId::md_fields_differ, "md.set_uuid", [](const Member& m) { return format_uuid(m.md.set_uuid); });
  agree(members, sink, FindingId::md_fields_differ, "md.level", [](const Member& m) { return level_name(m.md.level); });
  agree(members, sink, FindingId::md_fields_differ, "md.layout", [](const Member& m) { return fmt::format("{:#x}", m.md.layout); });
  agree(members, sink, FindingId::md_fields_differ, "md.raid_disks", [](const Member& m) { return std::to_string(m.md.raid_disks); });
  agree(members, sink, FindingId::md_fields_differ, "md.size", [](const Member& m) { return std::to_string(m.md.size); });
  for (const auto& d : duplicate_members(members))
    sink.add(members[d.member].device, d.finding);
  const auto fresh = std::max_element(members.begin(), members.end(), [](const Member& a, const Member& b) { return a.md.events < b.md.events; });
  report.freshest = fresh->device;
  report.freshest_events = fresh->md.events;
  for (const auto& m : members)
    if (m.md.events < fresh->md.events)
      sink.add(FindingId::md_events_behind, m.device, "md.events", std::to_string(m.md.events),
               fmt::format("behind {} ({}): md will not trust this member; it is re-added or recovered", fresh->device, fresh->md.events));
}

void bitmap_headers(const std::vector<Member>& members, const CheckReport& report, Sink& sink) {
  const bool any = std::any_of(members.begin(), members.end(), [](const Member& m) { return m.bitmap.has_value(); });
  if (!any) return;
  for (const auto& m : members)
    if (!m.bitmap) sink.add(FindingId::bitmap_presence_differs, m.device, "bitmap", "absent", "the other members have a bitmap");
  std::vector<std::reference_wrapper<const Member>> with;  // not copies: each holds its bitmap area
  for (const auto& m : members)
    if (m.bitmap) with.emplace_back(m);
  if (with.size() < 2) return;
  agree(with, sink, FindingId::bitmap_fields_differ, "bitmap.version", [](const Member& m) { return std::to_string(m.bitmap->sb.version); });
  agree(with, sink, FindingId::bitmap_fields_differ, "bitmap.chunksize", [](const Member& m) { return std::to_string(m.bitmap->sb.chunksize); });
  agree(with, sink, FindingId::bitmap_fields_differ, "bitmap.sync_size", [](const Member& m) { return std::to_string(m.bitmap->sb.sync_size); });
  agree(with, sink, FindingId::bitmap_fields_differ, "bitmap.sectors_reserved", [](const Member& m) { return std::to_string(m.bitmap->sb.sectors_reserved); });
  agree(with, sink, FindingId::bitmap_fields_differ, "bitmap.daemon_sleep", [](const Member& m) { return std::to_string(m.bitmap->sb.daemon_sleep); });
  for (const Member& m : with)
    if (m.bitmap->sb.events < report.freshest_events && !m.bitmap->sb.awaiting_kernel_init())
      sink.add(FindingId::bitmap_events_behind, m.device, "bitmap.events", std::to_string(m.bitmap->sb.events),
               fmt::format("behind the freshest md events {} ({}): the bitmap is stale; {}", report.freshest_events,
                           report.freshest, stale_bitmap_effect(m.md, *m.bitmap)));
}

void invalid_bytes(const Member& m, Sink& sink) {
  // The counts made at load say whether there is any run to name.
  if (!m.bitmap || !m.bitmap->lockless || m.bitmap->lockless->counts.invalid == 0) return;
  const auto& states = m.bitmap->lockless->states;
  const bool mdadm_add = mdadm_add_leftover(states);
  for (const auto& run : state_runs(states)) {
    if (is_valid_state(run.byte)) continue;
    const FindingId id = mdadm_add ? FindingId::bitmap_mdadm_add_leftover : FindingId::bitmap_invalid_states;
    sink.add(id, m.device, "bitmap.states", fmt::format("{}-{}={:#04x}", run.first, run.last, run.byte),
             mdadm_add ? "not states: 0xFF from page 1 on, what mdadm --add leaves on a new member (it writes 256 KiB of "
                         "0xFF, reading the chunk size in sectors as bytes) until the kernel writes those blocks; if the kernel "
                         "loads this member, it reads them as NeedSync"
                       : "not states: the kernel reads them as NeedSync");
  }
}

void compare_blocks(const std::vector<Member>& members, const CheckOptions& o, CheckReport& report, Sink& sink) {
  std::vector<const Member*> ll;
  for (const auto& m : members)
    if (m.bitmap && m.bitmap->lockless) ll.push_back(&m);
  if (ll.size() < 2) return;
  const std::uint64_t chunks = ll.front()->bitmap->lockless->chunks;
  for (const auto* m : ll)
    if (m->bitmap->lockless->chunks != chunks) return;  // the headers already disagree
  // Block b of the area holds state bytes [b * size - 1024, (b + 1) * size - 1024).
  const std::uint64_t first_block = kStateOffset / o.block_size;
  for (std::uint64_t b = first_block;; ++b) {
    const std::uint64_t begin = b * o.block_size > kStateOffset ? b * o.block_size - kStateOffset : 0;
    if (begin >= chunks) break;
    const std::uint64_t end = std::min(chunks, (b + 1) * o.block_size - kStateOffset);
    const auto ref = std::span(ll.front()->bitmap->lockless->states).subspan(begin, end - begin);
    bool differ = false;
    for (std::size_t i = 1; i < ll.size() && !differ; ++i)
      differ = !std::ranges::equal(ref, std::span(ll[i]->bitmap->lockless->states).subspan(begin, end - begin));
    if (!differ) continue;
    ++report.differing_blocks;
    std::string detail;
    for (const auto* m : ll)
      detail += fmt::format("; {}: {}", m->device, runs_text(std::span(m->bitmap->lockless->states).subspan(begin, end - begin), begin));
    sink.add(FindingId::bitmap_block_differs, "", "bitmap.block", fmt::format("{} (chunks {}-{})", b, begin, end - 1),
             "the members disagree (a torn write-back: the kernel loads one copy)" + detail);
  }
}

void merge(const std::vector<Member>& members, CheckReport& report) {
  std::vector<const std::vector<std::uint8_t>*> copies;
  for (const auto& m : members)
    if (m.bitmap && m.bitmap->lockless) copies.push_back(&m.bitmap->lockless->states);
  if (copies.empty()) return;
  const std::size_t n = copies.front()->size();
  for (const auto* c : copies)
    if (c->size() != n) return;
  report.merged.resize(n);
  const auto& first = *copies.front();
  if (std::all_of(copies.begin() + 1, copies.end(), [&first](const auto* c) { return *c == first; })) {
    // The common case, members that agree: a lookup per byte of one copy.
    std::transform(first.begin(), first.end(), report.merged.begin(), [](std::uint8_t b) { return kWorstOfOne[b]; });
    return;
  }
  for (std::size_t i = 0; i < n; ++i) {
    unsigned present = 0;
    for (const auto* c : copies) present |= present_bit((*c)[i]);
    report.merged[i] = kWorstOfPresent[present];
  }
}

}  // namespace

bool CheckReport::consistent() const noexcept {
  return std::none_of(findings.begin(), findings.end(), [](const CheckFinding& f) { return f.severity != Severity::info; });
}

std::uint8_t worst_state(std::span<const std::uint8_t> copies) noexcept {
  unsigned present = 0;
  for (const std::uint8_t b : copies) present |= present_bit(b);
  return kWorstOfPresent[present];
}

CheckReport check_members(const std::vector<Member>& members, const CheckOptions& o) {
  CheckReport report;
  if (members.empty()) return report;
  Sink sink(report);
  each_member_alone(members, sink);
  md_superblocks(members, report, sink);
  bitmap_headers(members, report, sink);
  for (const auto& m : members) invalid_bytes(m, sink);
  compare_blocks(members, o, report, sink);
  merge(members, report);
  report.kernel_source = members[kernel_source_member(members)].device;
  return report;
}

}  // namespace llbmp
