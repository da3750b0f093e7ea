#include "render/reshape.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "format/personality.hpp"
#include "llbmp/level.hpp"
#include "render/counts.hpp"

namespace llbitmap::cli {

namespace {

using llbmp::MemberReshape;
using llbmp::ReshapeSideView;

std::string shape_text(std::int32_t level, const llbmp::ReshapeShape& s) {
  return fmt::format("{}, {} devices, layout {:#x}, chunk {} sectors", llbmp::level_name(level), s.raid_disks, s.layout,
                     s.chunk_sectors);
}

std::string range_text(const llbmp::IndexRange& r) {
  if (r.count() == 0) return "none";
  return fmt::format("{}-{} ({} chunks)", r.first, r.end - 1, r.count());
}

std::string side_text(const std::optional<ReshapeSideView>& side) {
  if (!side) return "none";
  if (side->indices.count() == 0) return "none";
  return fmt::format("{}: {}", range_text(side->indices), counts_text(side->counts));
}

nlohmann::json shape_json(std::int32_t level, const llbmp::ReshapeShape& s) {
  return {{"level", llbmp::level_name(level)}, {"raid_disks", s.raid_disks}, {"layout", s.layout}, {"chunk_sectors", s.chunk_sectors}};
}

nlohmann::json side_json(const std::optional<ReshapeSideView>& side) {
  if (!side) return nullptr;
  nlohmann::json j{{"first", side->indices.first}, {"end", side->indices.end}, {"chunks", side->indices.count()}};
  j["counts"] = counts_json(side->counts);
  return j;
}

void put_side(ExportLines& e, const std::string& name, const std::optional<ReshapeSideView>& side) {
  if (!side) return;
  e.put(fmt::format("RESHAPE_{}_FIRST", name), side->indices.first);
  e.put(fmt::format("RESHAPE_{}_END", name), side->indices.end);
  e.put(fmt::format("RESHAPE_{}_NOT_IN_SYNC", name), side->counts.not_in_sync());
}

}  // namespace

std::string reshape_refusal_text(const llbmp::ReshapeRefusal& r) {
  using llbmp::ReshapeRefusalReason;
  switch (r.reason) {
    case ReshapeRefusalReason::smaller_chunk: return "a smaller md chunk with an llbitmap is not supported";
    case ReshapeRefusalReason::bitmap_needs_sync: {
      const std::uint64_t n = ranges_chunks(r.chunks);
      return fmt::format("raid10 asks the bitmap, and chunk{} {} ({} chunk{}) {} NeedSync or Syncing: let the resync finish first",
                         n == 1 ? "" : "s", ranges_text(r.chunks), n, n == 1 ? "" : "s", n == 1 ? "is" : "are");
    }
    case ReshapeRefusalReason::resync_pending:
      return "the array's resync is pending (md resync_offset below the end): let the resync finish first";
    case ReshapeRefusalReason::sync_running: return "a sync is running";
    case ReshapeRefusalReason::far_layout: return "raid10's far layout cannot be reshaped";
    case ReshapeRefusalReason::copies_change: return "raid10 cannot change its number of copies";
  }
  return {};
}

std::string mdadm_busy_note(const std::vector<llbmp::ReshapeRefusal>& refusals) {
  const bool busy = std::any_of(refusals.begin(), refusals.end(), [](const llbmp::ReshapeRefusal& r) {
    return r.reason == llbmp::ReshapeRefusalReason::bitmap_needs_sync || r.reason == llbmp::ReshapeRefusalReason::resync_pending;
  });
  if (!busy) return {};
  return "its \"Bitmap must be removed before shape/size/level can be changed\" (what it prints on this EBUSY) means "
         "here: let the resync finish, then grow; the bitmap need not be removed";
}

namespace {

using llbmp::ReshapeStartVerdict;

// The errno the kernel returns first: a reshape running, else the first refusal.
std::string_view first_errno(const llbmp::ReshapeStartCheck& s) {
  if (s.reshape_running) return "EBUSY";
  return s.refusals.empty() ? std::string_view() : s.refusals.front().errno_name;
}

bool remapped_level(const llbmp::ReshapeStartCheck& s) {
  return s.verdict == ReshapeStartVerdict::allowed || (s.verdict == ReshapeStartVerdict::refused && !s.reshape_running);
}

}  // namespace

std::string reshape_start_headline(const llbmp::ReshapeStartCheck& s) {
  const std::string level = llbmp::level_name(s.level);
  switch (s.verdict) {
    case ReshapeStartVerdict::allowed: return fmt::format("allowed now (Linux 7.3, {})", level);
    case ReshapeStartVerdict::refused: return fmt::format("refused now with {} (Linux 7.3, {})", first_errno(s), level);
    case ReshapeStartVerdict::bitmap_untouched:
      return fmt::format("not refused for the bitmap (Linux 7.3, {}): a raid_disks change leaves the bitmap alone", level);
    case ReshapeStartVerdict::not_applicable: return fmt::format("n/a ({}): {}", level, s.why);
  }
  return {};
}

std::vector<ReshapeLine> reshape_start_lines(const llbmp::ReshapeStartCheck& s) {
  std::vector<ReshapeLine> out;
  out.emplace_back("Read From", s.device);
  if (s.reshape_running) {
    out.emplace_back("Why", "a reshape is already in progress: md starts no other until it ends");
    return out;
  }
  if (!remapped_level(s)) return out;
  if (s.stale) out.emplace_back("Load", "the bitmap is stale: the assembly runs Stale (written chunks become NeedSync)");
  for (const auto& r : s.refusals) out.emplace_back(fmt::format("Refused ({})", r.errno_name), reshape_refusal_text(r));
  if (s.verdict == ReshapeStartVerdict::allowed)
    out.emplace_back("Why", llbmp::maps_stripe_rows(s.level)
                                ? "raid4/5/6 do not ask the bitmap, and no resync is pending (md resync_offset at the end)"
                                : "raid10 asks the bitmap, and no chunk is NeedSync or Syncing after the assembly's load");
  if (const auto note = mdadm_busy_note(s.refusals); !note.empty()) out.emplace_back("mdadm 4.6", note);
  out.emplace_back("Rule", "a smaller md chunk (mdadm --grow --chunk) is refused with EOPNOTSUPP whatever the bitmap holds; "
                           "replay-resync --reshape previews a given target");
  return out;
}

nlohmann::json reshape_start_json(const llbmp::ReshapeStartCheck& s) {
  nlohmann::json refusals = nlohmann::json::array();
  for (const auto& r : s.refusals)
    refusals.push_back({{"reason", llbmp::reshape_refusal_name(r.reason)}, {"errno", r.errno_name}, {"chunks", ranges_json(r.chunks)},
                        {"chunk_count", ranges_chunks(r.chunks)}});
  return {{"kernel", "7.3"},
          {"device", s.device},
          {"level", llbmp::level_name(s.level)},
          {"verdict", llbmp::reshape_start_verdict_name(s.verdict)},
          {"errno", first_errno(s).empty() ? nlohmann::json(nullptr) : nlohmann::json(first_errno(s))},
          {"why", s.why.empty() ? nlohmann::json(nullptr) : nlohmann::json(s.why)},
          {"reshape_running", s.reshape_running},
          {"stale", s.stale},
          {"busy_chunks", s.busy_chunks},
          {"resync_offset", s.resync_offset ? nlohmann::json(*s.resync_offset) : nlohmann::json(nullptr)},
          {"refusals", refusals}};
}

void put_reshape_start(ExportLines& e, const llbmp::ReshapeStartCheck& s) {
  e.put("RESHAPE_START", llbmp::reshape_start_verdict_name(s.verdict));
  e.put("RESHAPE_START_ERRNO", first_errno(s));
  e.put("RESHAPE_START_BUSY_CHUNKS", s.busy_chunks);
  std::string reasons;
  for (const auto& r : s.refusals) reasons += (reasons.empty() ? "" : ",") + std::string(llbmp::reshape_refusal_name(r.reason));
  if (s.reshape_running) reasons = "reshape-running";
  e.put("RESHAPE_START_REFUSALS", reasons);
}

std::vector<ReshapeLine> reshape_lines(const MemberReshape& r) {
  std::vector<ReshapeLine> out;
  out.emplace_back("Reshape Position", r.span_sectors ? fmt::format("{} sectors ({:.1f}% of {} sectors)", r.position, r.percent(), r.span_sectors)
                                                      : fmt::format("{} sectors", r.position));
  out.emplace_back("Reshape Direction", r.backwards ? "backwards" : "forwards");
  out.emplace_back("Old Geometry", shape_text(r.old_level, r.old_shape));
  out.emplace_back("New Geometry", shape_text(r.new_level, r.new_shape));
  if (!r.unmodelled.empty()) {
    out.emplace_back("Reshape Sides", "not computed: " + r.unmodelled);
    return out;
  }
  out.emplace_back("Header Describes", fmt::format("chunk {} sectors, sync_size {} sectors ({} chunks, the old geometry)",
                                                   r.header_chunk_sectors, r.header_sync_sectors, r.header_chunks));
  if (!r.remapped) {
    out.emplace_back("Reshape Sides", "none: this level's bitmap is not remapped (raid1: the bytes stay as they are)");
    return out;
  }
  out.emplace_back("Chunks In Memory", fmt::format("{} (max of both sides; new chunk {} sectors)", r.memory_chunks, r.new_chunk_sectors));
  out.emplace_back("New Side", side_text(r.new_side));
  out.emplace_back("Old Side", side_text(r.old_side));
  out.emplace_back("Leftovers", r.overlap ? std::string("none (the sides share bytes near the walk's start)")
                                          : side_text(r.leftovers) + (r.leftovers && r.leftovers->indices.count() ? ", ignored by the kernel" : ""));
  return out;
}

nlohmann::json reshape_json(const MemberReshape& r) {
  nlohmann::json j;
  j["position_sectors"] = r.position;
  j["span_sectors"] = r.span_sectors;
  j["percent"] = r.span_sectors ? nlohmann::json(r.percent()) : nlohmann::json(nullptr);
  j["direction"] = r.backwards ? "backwards" : "forwards";
  j["old"] = shape_json(r.old_level, r.old_shape);
  j["new"] = shape_json(r.new_level, r.new_shape);
  j["unmodelled"] = r.unmodelled.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.unmodelled);
  j["header"] = {{"chunk_sectors", r.header_chunk_sectors}, {"sync_size_sectors", r.header_sync_sectors}, {"chunks", r.header_chunks}};
  j["remapped"] = r.remapped;
  j["memory_chunks"] = r.memory_chunks;
  j["new_chunk_sectors"] = r.new_chunk_sectors;
  j["overlap"] = r.overlap;
  j["new_side"] = side_json(r.new_side);
  j["old_side"] = side_json(r.old_side);
  j["leftovers"] = side_json(r.leftovers);
  return j;
}

void put_reshape(ExportLines& e, const MemberReshape& r) {
  e.put("RESHAPE_ACTIVE", true);
  e.put("RESHAPE_POSITION_SECTORS", r.position);
  e.put("RESHAPE_SPAN_SECTORS", r.span_sectors);
  e.put("RESHAPE_DIRECTION", r.backwards ? "backwards" : "forwards");
  e.put("RESHAPE_OLD_RAID_DISKS", r.old_shape.raid_disks);
  e.put("RESHAPE_NEW_RAID_DISKS", r.new_shape.raid_disks);
  e.put("RESHAPE_OLD_LEVEL", llbmp::level_name(r.old_level));
  e.put("RESHAPE_NEW_LEVEL", llbmp::level_name(r.new_level));
  e.put("RESHAPE_OLD_LAYOUT", r.old_shape.layout);
  e.put("RESHAPE_NEW_LAYOUT", r.new_shape.layout);
  e.put("RESHAPE_OLD_CHUNK_SECTORS", r.old_shape.chunk_sectors);
  e.put("RESHAPE_NEW_CHUNK_SECTORS", r.new_shape.chunk_sectors);
  e.put("RESHAPE_REMAPPED", r.remapped);
  put_side(e, "NEW", r.new_side);
  put_side(e, "OLD", r.old_side);
  put_side(e, "LEFTOVERS", r.leftovers);
}

}  // namespace llbitmap::cli
