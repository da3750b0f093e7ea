#include "write/write_common.hpp"

#include <algorithm>
#include <fmt/format.h>

#include "llbmp/error.hpp"

namespace llbmp {

std::vector<std::string> describe_plan(const WritePlan& plan) {
  std::vector<std::string> lines;
  for (std::size_t p = 0; p < plan.phase_count(); ++p)
    for (const auto& m : plan.members) {
      if (p >= m.phases.size() || m.phases[p].empty()) continue;
      std::uint64_t bytes = 0;
      for (const auto& w : m.phases[p]) bytes += w.bytes.size();
      const auto& first = m.phases[p].front();
      lines.push_back(fmt::format("phase {} ({}): {}: {} bytes in {} write{} from byte {}", p + 1, plan.phase_names[p],
                                  m.device, bytes, m.phases[p].size(), m.phases[p].size() == 1 ? "" : "s", first.offset));
    }
  return lines;
}

bool fits_room(const std::vector<ByteRange>& room, std::uint64_t offset, std::uint64_t length) noexcept {
  return std::any_of(room.begin(), room.end(), [&](const ByteRange& r) { return r.contains(offset, length); });
}

std::string describe_room(const Member& member, const std::vector<ByteRange>& room) {
  const auto super = static_cast<std::int64_t>(member.md.super_offset);
  std::string out;
  for (const auto& r : room) {
    const auto first = static_cast<std::int64_t>(r.offset / 512) - super;
    const auto last = static_cast<std::int64_t>(r.end() / 512) - 1 - super;
    out += fmt::format("{}{:+}..{:+}", out.empty() ? "" : ", ", first, last);
  }
  return out.empty() ? "none" : out;
}

}  // namespace llbmp

namespace llbmp {

void refuse_mid_reshape(const Member& m) {
  if (!m.md.reshape_active()) return;
  throw Error(m.device, "md.reshape_position", std::to_string(m.md.reshape_position),
              "the array is mid-reshape: the kernel remaps the bitmap from reshape_position at its next checkpoint; let "
              "the reshape finish first",
              ErrorKind::refused);
}

std::string mid_reshape_risk(const Member& m) {
  if (!m.md.reshape_active()) return {};
  return fmt::format(
      "mid-reshape at reshape_position {}: the kernel remaps the bitmap from there at its next checkpoint, so the "
      "bytes written may be overwritten, or read in the other side's geometry",
      m.md.reshape_position);
}

void drop_empty_phases(WritePlan& plan) {
  std::vector<std::size_t> kept;
  for (std::size_t p = 0; p < plan.phase_count(); ++p) {
    const bool used = std::any_of(plan.members.begin(), plan.members.end(),
                                  [&](const MemberPlan& m) { return p < m.phases.size() && !m.phases[p].empty(); });
    if (used) kept.push_back(p);
  }
  std::vector<std::string> names;
  for (const auto p : kept) names.push_back(plan.phase_names[p]);
  for (auto& m : plan.members) {
    std::vector<std::vector<PlannedWrite>> phases;
    for (const auto p : kept) phases.push_back(p < m.phases.size() ? std::move(m.phases[p]) : std::vector<PlannedWrite>{});
    m.phases = std::move(phases);
  }
  plan.phase_names = std::move(names);
}

std::vector<std::uint8_t> stale_header_bytes(const BitmapSuper& sb) {
  BitmapSuper stale = sb;
  stale.set(BitmapFlag::stale, true);
  const auto bytes = encode_bitmap_super(stale);
  return {bytes.begin(), bytes.end()};
}

void add_changed_blocks(WritePlan& plan, const std::string& device, std::size_t phase, std::uint64_t offset,
                        std::span<const std::uint8_t> before, std::span<const std::uint8_t> after) {
  constexpr std::uint64_t kBlock = 512;
  const std::uint64_t n = std::min(before.size(), after.size());
  std::vector<std::uint64_t> blocks;  // device blocks with a changed byte, ascending
  for (std::uint64_t i = 0; i < n; ++i)
    if (before[i] != after[i] && (blocks.empty() || blocks.back() != (offset + i) / kBlock)) blocks.push_back((offset + i) / kBlock);
  for (std::size_t r = 0; r < blocks.size();) {
    std::size_t last = r;
    while (last + 1 < blocks.size() && blocks[last + 1] == blocks[last] + 1) ++last;
    const std::uint64_t first_byte = std::max(blocks[r] * kBlock, offset) - offset;
    const std::uint64_t end_byte = std::min((blocks[last] + 1) * kBlock, offset + n) - offset;
    plan.add(device, phase, offset + first_byte,
             std::vector<std::uint8_t>(after.begin() + static_cast<std::ptrdiff_t>(first_byte), after.begin() + static_cast<std::ptrdiff_t>(end_byte)));
    r = last + 1;
  }
}

namespace {
enum RewritePhase : std::size_t { kRewriteMarkStale, kRewriteBody, kRewriteHeader };
}  // namespace

WritePlan bitmap_rewrite_plan() {
  WritePlan plan;
  plan.phase_names = {"mark the bitmap stale", "write the new states or bits", "write the new bitmap header"};
  return plan;
}

void add_bitmap_rewrite(WritePlan& plan, const Member& m, const BitmapBody& body, const BitmapSuper& new_header) {
  auto& mp = plan.member(m.device);
  if (mp.room.empty()) mp.room = metadata_room(m);
  mp.device_bytes = m.device_bytes;
  const std::size_t phase_writes = mp.phases.size() > kRewriteBody ? mp.phases[kRewriteBody].size() : 0;
  if (body.after.empty()) {
    // a header-only rewrite: one 256-byte write, nothing to mark stale
  } else if (body.before.empty())
    plan.add(m.device, kRewriteBody, body.offset, {body.after.begin(), body.after.end()});
  else
    add_changed_blocks(plan, m.device, kRewriteBody, body.offset, body.before, body.after);
  const bool body_written = mp.phases.size() > kRewriteBody && mp.phases[kRewriteBody].size() > phase_writes;
  if (body_written) plan.add(m.device, kRewriteMarkStale, m.bitmap->area_offset, stale_header_bytes(m.bitmap->sb));
  // Without a STALE mark the only write is the one header sector: once it is
  // issued the member holds the new header (flushed or not), never STALE.
  else mp.partial_state = MemberState::new_metadata;
  const auto header = encode_bitmap_super(new_header);
  plan.add(m.device, kRewriteHeader, m.bitmap->area_offset, {header.begin(), header.end()});
}

}  // namespace llbmp
