#include "render/reshape.hpp"

#include <fmt/format.h>

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
