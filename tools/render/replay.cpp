#include "render/replay.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "render/counts.hpp"
#include "render/escape.hpp"
#include "render/resize.hpp"
#include "render/reshape.hpp"
#include "render/size.hpp"
#include "render/write.hpp"

namespace llbitmap::cli {

namespace {

nlohmann::json result_json(const ReplayView& v) {
  const auto& r = v.result;
  nlohmann::json plan = nlohmann::json::array();
  for (const auto& p : r.plan) {
    nlohmann::json e = {{"first_chunk", p.first_chunk}, {"last_chunk", p.last_chunk}, {"first_sector", p.first_sector}, {"end_sector", p.end_sector}};
    if (p.member_first_byte) {
      e["member_first_byte"] = *p.member_first_byte;
      e["member_end_byte"] = *p.member_end_byte;
    }
    plan.push_back(e);
  }
  nlohmann::json times = nlohmann::json::array();
  for (const auto s : v.speeds) times.push_back({{"speed_kib", s}, {"seconds", r.seconds_at(s)}});
  nlohmann::json j = {
      {"device", r.device}, {"source", r.source}, {"copies", r.copies}, {"disagreeing_chunks", r.disagreeing_chunks},
      {"level", llbmp::level_name(r.level)}, {"raid_disks", r.raid_disks}, {"working_roles", r.working_roles},
      {"degraded", r.degraded}, {"detected_degraded", r.detected_degraded}, {"stale", r.stale}, {"detected_stale", r.detected_stale},
      {"unclean", r.unclean}, {"sync", llbmp::sync_kind_name(r.kind)}, {"sync_wanted", r.sync_wanted},
      {"degraded_resync", llbmp::degraded_resync_name(r.degraded_resync)}, {"dirty_degraded", r.dirty_degraded},
      {"single_mirror", r.single_mirror},
      {"started_chunks", r.started_chunks},
      {"chunk_sectors", r.chunk_sectors}, {"chunks", r.chunks}, {"sync_sectors", r.sync_sectors}, {"data_offset", r.data_offset},
      {"plan", plan}, {"synced_chunks", r.synced_chunks}, {"synced_bytes", r.synced_bytes()}, {"full_bytes", r.sync_sectors * 512},
      {"share", r.share()}, {"time", times}, {"periodic_flushes", r.periodic_flushes},
      {"kernel", llbmp::kernel_series_name(r.kernel)}, {"uncopied_chunks", r.uncopied},
      {"counts", {{"before", counts_json(r.before)}, {"after_load", counts_json(r.after_load)},
                  {"after_sync", counts_json(r.after_sync)}, {"end", counts_json(r.end)}}}};
  j["interrupt_chunk"] = r.interrupt_chunk ? nlohmann::json(*r.interrupt_chunk) : nlohmann::json(nullptr);
  if (v.trace) {
    nlohmann::json trace = nlohmann::json::array();
    for (const auto& t : r.trace) trace.push_back({{"first_chunk", t.first_chunk}, {"last_chunk", t.last_chunk}, {"path", t.path}});
    j["trace"] = trace;
  }
  return j;
}

// What md does with the sync on a degraded array, in words.
std::string degraded_note(const llbmp::ReplayResult& r) {
  using llbmp::DegradedResync;
  const std::string recover = "a re-added or new member is recovered instead (--re-add, --recover)";
  if (r.dirty_degraded)
    return fmt::format("unclean and degraded: the kernel does not start a dirty degraded {} (mdadm --assemble --force marks it "
                       "clean first): no resync; the reloaded states stay; {}",
                       llbmp::level_name(r.level), recover);
  if (r.single_mirror && !r.sync_wanted)
    return "raid1 with one mirror left: md does not resync it, not even after an unclean shutdown (raid1_run forgets it): "
           "nothing is synced; the reloaded states stay; " + recover;
  if (!r.degraded || !r.sync_wanted) {
    if (r.degraded && r.kind != llbmp::SyncKind::recover && r.kind != llbmp::SyncKind::readd)
      return "degraded: the bitmap asks for no sync while the array is degraded, and md's superblock is clean: nothing is "
             "synced; the reloaded states stay (the daemon does nothing while degraded); " + recover;
    return {};
  }
  switch (r.degraded_resync) {
    case DegradedResync::no_write_target:
      return "raid1 with one mirror left: the check starts one chunk, finds no mirror to write and ends: nothing is "
             "synced; " + recover;
    case DegradedResync::not_started:
      return fmt::format("degraded {} missing {} member(s): md's resync gives up before it asks the bitmap: nothing is synced; {}",
                         llbmp::level_name(r.level), r.raid_disks - r.working_roles, recover);
    case DegradedResync::two_copies_only:
      return "degraded raid10: every chunk to sync is started, but only the regions with two working copies are synced; " + recover;
    case DegradedResync::degraded_rules:
      return "degraded: two copies remain, so md resyncs under the degraded rules (Clean and Dirty chunks too); " + recover;
    case DegradedResync::none: break;
  }
  return {};
}

// Chunks the sync will report done without having copied them (Linux 6.18
// and 7.2): the administrator's cue for a repair afterwards.
std::string uncopied_line(const llbmp::ReplayResult& r) {
  std::string chunks;
  for (const auto c : r.uncopied) chunks += fmt::format("{}{}", chunks.empty() ? "" : ", ", c);
  return fmt::format("Uncopied : {} chunk{} ({}) marked in sync but not fully copied: Linux {}'s periodic Endsync makes "
                     "the chunk being synced Dirty first (raid1 copies none of it, raid4/5/6 one stripe); run a repair "
                     "afterwards (echo repair > /sys/block/mdX/md/sync_action)\n",
                     r.uncopied.size(), r.uncopied.size() == 1 ? "" : "s", chunks, llbmp::kernel_series_name(r.kernel));
}

std::string shape_text(const llbmp::ReshapeShape& s) {
  if (s.chunk_sectors == 0) return fmt::format("{} disks", s.raid_disks);  // raid1: no chunk, no layout
  return fmt::format("{} disks, chunk {}, layout {:#x}", s.raid_disks, binary_size(std::uint64_t{s.chunk_sectors} * 512, kSizeToGiB),
                     s.layout);
}

std::string reshape_text(const llbmp::ReshapeMembersPreview& rp) {
  const auto& p = rp.preview;
  const auto& g = p.geometry;
  std::string out = fmt::format("Reshape  : {} {} -> {} (Linux 7.3, copy of {})\n", llbmp::level_name(g.level),
                                shape_text(g.old_side.shape), shape_text(g.new_side.shape), printable(rp.device));
  if (!g.remapped)
    return out + "  Remap  : none: md leaves the bitmap bytes of a raid1 alone when raid_disks changes\n";
  out += fmt::format("  Header : chunksize {} -> {} sectors, sync_size {} -> {} sectors, chunks {} -> {}\n",
                     g.old_side.chunk_sectors, p.chunk_sectors, g.header_sync_sectors, p.sync_sectors, g.header_chunks, p.chunks);
  if (rp.resumed_from) {
    out += fmt::format("  Start  : resumed from reshape_position {} ({:.1f}% of {} sectors): the walk goes on from there, "
                       "nothing is asked again\n",
                       *rp.resumed_from, g.span_sectors ? 100.0 * static_cast<double>(*rp.resumed_from) / static_cast<double>(g.span_sectors) : 0.0,
                       g.span_sectors);
  } else if (p.refusals.empty()) {
    out += "  Start  : accepted: the kernel starts this reshape\n";
  } else {
    out += fmt::format("  Start  : refused with {}: {}\n", p.refusals.front().errno_name, reshape_refusal_text(p.refusals.front()));
    for (std::size_t i = 1; i < p.refusals.size(); ++i)
      out += fmt::format("           also {}: {}\n", p.refusals[i].errno_name, reshape_refusal_text(p.refusals[i]));
    if (const auto note = mdadm_busy_note(p.refusals); !note.empty()) out += fmt::format("           mdadm 4.6: {}\n", note);
    out += "           the remap below is what the reshape does once it is accepted\n";
  }
  out += fmt::format("  Before : {}\n", counts_text(p.before));
  out += fmt::format("  Load   : {} -> {}{}\n", p.stale ? "stale" : "reload", counts_text(p.after_load),
                     rp.resumed_from ? fmt::format(" (the {} chunks of both sides the kernel holds)", g.memory_chunks) : "");
  if (p.kernel_checkpoints)
    out += fmt::format("  Remap  : {} checkpoint{} where the kernel took them (--checkpoints), {} byte{} coalesced\n", p.checkpoints,
                       p.checkpoints == 1 ? "" : "s", p.coalesced, p.coalesced == 1 ? "" : "s");
  else
    out += fmt::format("  Remap  : {} checkpoint{} of {} sectors, {} byte{} coalesced\n", p.checkpoints, p.checkpoints == 1 ? "" : "s",
                       p.checkpoint_sectors, p.coalesced, p.coalesced == 1 ? "" : "s");
  out += fmt::format("  After  : {} (the {} new chunks)\n", counts_text(p.after), p.chunks);
  const auto& f = p.follow_up;
  if (!f.resync)
    out += "  Then   : no resync follows the reshape\n";
  else
    out += fmt::format("  Then   : a resync from sector {}: syncs {} NeedSync chunk{}{}{}, skips {} Unwritten\n", f.from_sector,
                       f.need_sync_chunks, f.need_sync_chunks == 1 ? "" : "s", f.need_sync.empty() ? "" : " (",
                       f.need_sync.empty() ? "" : ranges_text(f.need_sync) + ")", f.skipped_unwritten);
  if (f.after_sync) out += fmt::format("  Synced : {} (when that resync ends)\n", counts_text(*f.after_sync));
  if (f.end) out += fmt::format("  End    : {} (after the daemon)\n", counts_text(*f.end));
  return out;
}

nlohmann::json shape_json(const llbmp::ReshapeShape& s) {
  return {{"raid_disks", s.raid_disks}, {"chunk_sectors", s.chunk_sectors}, {"layout", s.layout}};
}

nlohmann::json reshape_json(const llbmp::ReshapeMembersPreview& rp) {
  const auto& p = rp.preview;
  const auto& g = p.geometry;
  nlohmann::json refusals = nlohmann::json::array();
  for (const auto& r : p.refusals)
    refusals.push_back({{"reason", llbmp::reshape_refusal_name(r.reason)}, {"errno", r.errno_name}, {"chunks", ranges_json(r.chunks)}});
  const auto& f = p.follow_up;
  return {{"device", rp.device}, {"source", rp.source}, {"kernel", llbmp::kernel_series_name(llbmp::KernelSeries::linux_7_3)}, {"level", llbmp::level_name(g.level)},
          {"old", shape_json(g.old_side.shape)}, {"new", shape_json(g.new_side.shape)}, {"remapped", g.remapped},
          {"backwards", g.backwards}, {"refused", !p.refusals.empty()}, {"refusals", refusals},
          {"resumed_from", rp.resumed_from ? nlohmann::json(*rp.resumed_from) : nlohmann::json(nullptr)},
          {"memory_chunks", g.memory_chunks}, {"stale", p.stale},
          {"header", {{"old", {{"chunk_sectors", g.old_side.chunk_sectors}, {"sync_sectors", g.header_sync_sectors}, {"chunks", g.header_chunks}}},
                      {"new", {{"chunk_sectors", p.chunk_sectors}, {"sync_sectors", p.sync_sectors}, {"chunks", p.chunks}}}}},
          {"checkpoints", p.checkpoints}, {"checkpoint_sectors", p.checkpoint_sectors},
          {"kernel_checkpoints", p.kernel_checkpoints}, {"coalesced", p.coalesced},
          {"counts", {{"before", counts_json(p.before)}, {"after_load", counts_json(p.after_load)}, {"after", counts_json(p.after)}}},
          {"runs", runs_json(std::span<const std::uint8_t>(p.bytes).first(std::min<std::size_t>(p.bytes.size(), p.chunks)))},
          {"follow_up", {{"resync", f.resync}, {"from_sector", f.from_sector}, {"need_sync_chunks", f.need_sync_chunks},
                         {"need_sync", ranges_json(f.need_sync)}, {"skipped_unwritten", f.skipped_unwritten},
                         {"after_sync", f.after_sync ? counts_json(*f.after_sync) : nlohmann::json(nullptr)},
                         {"end", f.end ? counts_json(*f.end) : nlohmann::json(nullptr)},
                         {"end_runs", f.end ? runs_json(f.end_bytes) : nlohmann::json(nullptr)}}}};
}

}  // namespace

std::string replay_text(const ReplayView& v) {
  const auto& r = v.result;
  if (r.first_use)
    return fmt::format("{}: FIRST_USE: the kernel initialises this llbitmap at the next assembly (every chunk Unwritten, "
                       "or Clean with the CLEAN flag): nothing is resynced{}\n", r.device, v.commit ? ", nothing written" : "");
  std::string out;
  out += fmt::format("Replaying {} ({}, {} of {} roles working{}{}, {} chunks of {} sectors)\n", printable(r.device), llbmp::level_name(r.level),
             r.working_roles, r.raid_disks, !r.degraded ? "" : r.detected_degraded ? ", degraded" : ", treated as degraded",
             r.stale ? ", stale bitmap" : "", r.chunks, r.chunk_sectors);
  out += fmt::format("Copy     : {}\n", copy_source_line(r.source, r.copies, r.disagreeing_chunks, v.copy_chosen));
  out += fmt::format("Kernel   : {}\n", kernel_line_value(r.kernel));
  out += fmt::format("Load     : {} -> {}\n", r.stale ? "stale" : "reload", counts_text(r.after_load));
  out += fmt::format("Sync     : {}{}{}\n", llbmp::sync_kind_name(r.kind), r.sync_wanted ? "" : " (not wanted: nothing asks for a sync)",
             r.interrupt_chunk ? fmt::format(", interrupted in chunk {}", *r.interrupt_chunk) : "");
  if (const auto note = degraded_note(r); !note.empty()) out += fmt::format("Note     : {}\n", note);
  out += fmt::format("Plan     : {} range{}\n", r.plan.size(), r.plan.size() == 1 ? "" : "s");
  for (const auto& p : r.plan) {
    out += fmt::format("  chunks {}-{}: sectors {}-{}", p.first_chunk, p.last_chunk, p.first_sector, p.end_sector - 1);
    if (p.member_first_byte) out += fmt::format(", member bytes {}-{}", *p.member_first_byte, *p.member_end_byte - 1);
    out += fmt::format("\n");
  }
  out += fmt::format("Total    : {} chunks, {} bytes ({}), {:.2f}% of a full resync ({})\n", r.synced_chunks, r.synced_bytes(),
             binary_size(r.synced_bytes(), kSizeToGiB), r.share() * 100.0, binary_size(r.sync_sectors * 512, kSizeToGiB));
  if (!r.uncopied.empty()) out += uncopied_line(r);
  for (const auto s : v.speeds) out += fmt::format("Time     : {:.1f} s at {} KiB/s\n", r.seconds_at(s), s);
  out += fmt::format("Before   : {}\n", counts_text(r.before));
  out += fmt::format("After    : {} (when the sync ends)\n", counts_text(r.after_sync));
  out += fmt::format("End      : {} (after the daemon)\n", counts_text(r.end));
  if (v.trace) {
    out += fmt::format("Trace    :\n");
    for (const auto& t : r.trace) out += fmt::format("  {}-{}: {}\n", t.first_chunk, t.last_chunk, t.path);
  }
  if (v.reshape) out += reshape_text(*v.reshape);
  if (v.resize) out += resize_preview_text(*v.resize);
  return out;
}

std::string replay_json(const ReplayView& v) {
  if (v.result.first_use)
    return json_text(nlohmann::json{{"device", v.result.device}, {"first_use", true}, {"synced_chunks", 0},
                                     {"kernel", llbmp::kernel_series_name(v.result.kernel)}}) + "\n";
  auto j = result_json(v);
  if (v.reshape) j["reshape"] = reshape_json(*v.reshape);
  if (v.resize) j["resize"] = resize_preview_json(*v.resize);
  return json_text(j) + "\n";
}

std::string resume_text(const llbmp::ReshapeMembersPreview& rp) {
  std::string out = fmt::format("Resuming {} (mid-reshape: the next assembly resumes the reshape, then syncs)\n", printable(rp.device));
  out += fmt::format("Copy     : {}\n", printable(rp.source));
  out += fmt::format("Kernel   : Linux {} (md's llbitmap code modelled)\n", llbmp::kernel_series_name(llbmp::KernelSeries::linux_7_3));
  return out + reshape_text(rp);
}

std::string resume_json(const llbmp::ReshapeMembersPreview& rp) {
  const nlohmann::json j{{"device", rp.device}, {"source", rp.source},
                         {"kernel", llbmp::kernel_series_name(llbmp::KernelSeries::linux_7_3)}, {"mid_reshape", true},
                         {"reshape", reshape_json(rp)}};
  return json_text(j) + "\n";
}

std::string committed_text(std::size_t members) {
  return fmt::format("Committed: the end state written to {} member{}\n", members, members == 1 ? "" : "s");
}

}  // namespace llbitmap::cli
