#include "render/resize.hpp"

#include <fmt/format.h>

#include "render/counts.hpp"
#include "render/size.hpp"

namespace llbitmap::cli {

namespace {

using llbmp::KernelSeries;
using llbmp::SyncSizeMatch;

std::string_view match_name(SyncSizeMatch m) {
  switch (m) {
    case SyncSizeMatch::equal: return "equal";
    case SyncSizeMatch::header_zero: return "header_zero";
    case SyncSizeMatch::header_smaller: return "header_smaller";
    case SyncSizeMatch::header_larger: return "header_larger";
  }
  return "equal";
}

std::string sectors_text(std::uint64_t sectors) {
  return fmt::format("{} sectors ({})", sectors, binary_size(sectors * 512, kSizeToGiB));
}

std::string coverage_source(const llbmp::MemberResize& r) {
  if (!llbmp::header_sync_size_used(r.kernel)) return "the array's resync size; the header's sync_size is ignored";
  return r.match == SyncSizeMatch::header_zero ? "the header's sync_size 0: the array's" : "the header's sync_size";
}

std::string covers_text(const llbmp::MemberResize& r) {
  if (r.load_refused)
    return fmt::format("nothing: Linux {} refuses to load the bitmap (header sync_size above the array's)",
                       llbmp::kernel_series_name(r.kernel));
  return fmt::format("{} in {} chunks ({})", sectors_text(r.coverage.sync_sectors), r.coverage.chunks, coverage_source(r));
}

// What this kernel does with a header sync_size other than the array's (ONDISK.md 9.1, 9.3).
std::string mismatch_text(const llbmp::MemberResize& r) {
  const bool used = llbmp::header_sync_size_used(r.kernel);
  const auto k = llbmp::kernel_series_name(r.kernel);
  const std::string sizes = fmt::format("header {}, array {}", r.header_sync_sectors, r.array_sync_sectors);
  if (r.match == SyncSizeMatch::header_smaller)
    return used ? fmt::format("{}: a grown array whose header was not updated, or a bitmap covering less: on Linux {} "
                              "writes from sector {} on set no bit",
                              sizes, k, r.coverage.chunks * r.chunk_sectors)
                : fmt::format("{}: Linux {} ignores the header's and writes the array's at its first superblock update",
                              sizes, k);
  return used ? fmt::format("{}: Linux {} refuses to load the bitmap", sizes, k)
              : fmt::format("{}: Linux {} ignores the header's and writes the array's at its first superblock update; "
                            "7.3 would refuse to load it",
                            sizes, k);
}

std::string limit_text(const llbmp::MemberResize& r) {
  return fmt::format(
      "{} chunks of {} sectors: --size up to {} {}; beyond it Linux 7.3 refuses the resize (EOPNOTSUPP), 7.2.13 "
      "accepts it with a doubled chunk in memory (the bytes reinterpreted)",
      r.limit.max_chunks, r.chunk_sectors, sectors_text(r.max_size_sectors),
      r.limit_is_array_size ? "(the array size)" : "per member");
}

std::string refusal_text(const llbmp::ResizeMembersPreview& p) {
  if (p.enospc)
    return fmt::format("refused: ENOSPC, {} sectors per member is more than the {} available (md's update_size)",
                       p.member_sectors, p.available_sectors);
  switch (p.outcome.refusal) {
    case llbmp::ResizeRefusal::eopnotsupp:
      return fmt::format("refused: EOPNOTSUPP, the size needs a bigger bitmap chunk ({} chunks of {} sectors at most, "
                         "{} sectors)",
                         p.outcome.limit.max_chunks, p.outcome.chunk_sectors, p.outcome.limit.max_sync_sectors);
    case llbmp::ResizeRefusal::ebusy: return "refused: EBUSY, raid10 does not resize while a reshape runs";
    case llbmp::ResizeRefusal::none: break;
  }
  return p.outcome.changed ? "accepted" : "accepted: the same size and chunk count, nothing changes";
}

bool refused(const llbmp::ResizeMembersPreview& p) { return p.enospc || p.outcome.refusal != llbmp::ResizeRefusal::none; }

nlohmann::json range_json(const std::optional<llbmp::ChunkRange>& r) {
  if (!r) return nullptr;
  return {{"first", r->first}, {"last", r->last}, {"count", r->count()}};
}

void preview_body(std::string& out, const llbmp::ResizeOutcome& o) {
  out += fmt::format("  Chunks      : {} -> {} (chunk {} sectors{})\n", o.old_chunks, o.new_chunks, o.chunk_sectors,
                     o.chunk_doubled
                         ? ", doubled in memory: state byte i now stands for twice the sectors it was written for"
                         : "");
  if (o.set_unwritten)
    out += fmt::format("  Grown       : chunks {}-{} set to Unwritten (never synced; raid4/5/6 build their parity at the "
                       "first write)\n",
                       o.set_unwritten->first, o.set_unwritten->last);
  if (o.zeroed) out += fmt::format("  Cut         : chunks {}-{} set to 0 and flushed\n", o.zeroed->first, o.zeroed->last);
  if (o.in_memory_only) {
    out += fmt::format("  Header      : not written by the resize (in memory only); sync_size {} at the next superblock "
                       "update\n",
                       o.header_sync_sectors);
    if (o.new_chunks > o.old_chunks)
      out += fmt::format("  New chunks  : {}-{} keep what the area holds there (mdadm's 0xff fill: forced to NeedSync "
                         "by the resync below, or at the next Reload)\n",
                         o.old_chunks, o.new_chunks - 1);
    else if (o.new_chunks < o.old_chunks)
      out += fmt::format("  Cut chunks  : {}-{} keep their bytes (nothing is cleared)\n", o.new_chunks, o.old_chunks - 1);
    if (o.chunks_past_pages != 0)
      out += fmt::format("  No page     : {} chunks lie past the pages held for the old count (no page is added): the "
                         "resync md starts after the grow faults in md*_resync at the first of them, chunk {}; Linux "
                         "7.2.13 does not survive this resize (tests/kernel/FINDINGS.md)\n",
                         o.chunks_past_pages, o.new_chunks - o.chunks_past_pages);
  } else {
    out += fmt::format("  Header      : sync_size {} written at once, then a full flush\n", o.header_sync_sectors);
    out += fmt::format("  Daemon pass : {} Dirty chunk{} left Clean before the resize\n", o.daemon_cleaned,
                       o.daemon_cleaned == 1 ? "" : "s");
  }
  out += fmt::format("  States      : {}\n", counts_text(o.counts));
  const auto& g = o.resync;
  if (!g.runs) return;
  if (g.synced_chunks == 0)
    out += fmt::format("  Then        : md resyncs the array from chunk {}: no NeedSync chunk to sync\n", g.from_chunk);
  else
    out += fmt::format("  Then        : md resyncs the array from chunk {}: syncs {} NeedSync chunk{} ({})\n", g.from_chunk,
                       g.synced_chunks, g.synced_chunks == 1 ? "" : "s", ranges_text(g.synced));
  if (g.forced_chunks != 0)
    out += fmt::format("  Forced      : {} chunk{} ({}) hold bytes that are not states (mdadm's 0xff fill): that resync "
                       "forces them to NeedSync without syncing them; a later resync (the next assembly's) syncs them\n",
                       g.forced_chunks, g.forced_chunks == 1 ? "" : "s", ranges_text(g.forced));
  out += fmt::format("  End         : {} (after that resync and the daemon)\n", counts_text(g.end));
}

}  // namespace

std::string kernel_line_value(KernelSeries kernel) {
  return fmt::format("Linux {} (md's llbitmap code modelled)", llbmp::kernel_series_name(kernel));
}

std::vector<std::pair<std::string, std::string>> member_resize_lines(const llbmp::MemberResize& r) {
  std::vector<std::pair<std::string, std::string>> out;
  out.emplace_back("Kernel covers", covers_text(r));
  if (r.match == SyncSizeMatch::header_smaller || r.match == SyncSizeMatch::header_larger)
    out.emplace_back("Sync sizes", mismatch_text(r));
  out.emplace_back("Grow limit", limit_text(r));
  if (r.states_past_count != 0)
    out.emplace_back("Past the count", fmt::format("{} state bytes (first at chunk {}): a 7.2.13 resize or damage",
                                                   r.states_past_count, r.first_state_past_count));
  return out;
}

nlohmann::json member_resize_json(const llbmp::MemberResize& r) {
  return {{"kernel", llbmp::kernel_series_name(r.kernel)},
          {"header_sync_sectors", r.header_sync_sectors},
          {"array_sync_sectors", r.array_sync_sectors},
          {"match", match_name(r.match)},
          {"load_refused", r.load_refused},
          {"covered_sync_sectors", r.coverage.sync_sectors},
          {"chunks", r.coverage.chunks},
          {"max_chunks", r.limit.max_chunks},
          {"max_sync_sectors", r.limit.max_sync_sectors},
          {"max_size_sectors", r.max_size_sectors},
          {"max_size_is_array_size", r.limit_is_array_size},
          {"available_sectors", r.available_sectors},
          {"states_past_count", r.states_past_count}};
}

void put_member_resize(ExportLines& e, const llbmp::MemberResize& r) {
  e.put("KERNEL", llbmp::kernel_series_name(r.kernel));
  e.put("RESIZE_SYNC_SIZE_MATCH", match_name(r.match));
  e.put("RESIZE_LOAD_REFUSED", r.load_refused);
  e.put("RESIZE_COVERED_SECTORS", r.coverage.sync_sectors);
  e.put("RESIZE_CHUNKS", r.coverage.chunks);
  e.put("RESIZE_MAX_CHUNKS", r.limit.max_chunks);
  e.put("RESIZE_MAX_SIZE_SECTORS", r.max_size_sectors);
  e.put("RESIZE_MAX_SIZE_IS_ARRAY", r.limit_is_array_size);
  e.put("RESIZE_STATES_PAST_COUNT", r.states_past_count);
}

std::string resize_preview_text(const llbmp::ResizeMembersPreview& p) {
  const auto& o = p.outcome;
  std::string out = fmt::format("Resize   : --grow --size {} per member, after this assembly (Linux {}, {})\n",
                                sectors_text(p.member_sectors), llbmp::kernel_series_name(o.kernel), printable(p.device));
  out += fmt::format("  Result      : {}\n", refusal_text(p));
  if (refused(p)) return out;
  preview_body(out, o);
  return out;
}

nlohmann::json resize_outcome_json(const llbmp::ResizeOutcome& o) {
  const std::string_view errno_name = o.refusal == llbmp::ResizeRefusal::eopnotsupp ? "EOPNOTSUPP"
                                      : o.refusal == llbmp::ResizeRefusal::ebusy    ? "EBUSY"
                                                                                    : "";
  nlohmann::json j{{"kernel", llbmp::kernel_series_name(o.kernel)},
                   {"refused", o.refusal != llbmp::ResizeRefusal::none},
                   {"errno", errno_name},
                   {"max_chunks", o.limit.max_chunks},
                   {"max_sync_sectors", o.limit.max_sync_sectors}};
  if (o.refusal != llbmp::ResizeRefusal::none) return j;
  j.update({{"changed", o.changed},
            {"in_memory_only", o.in_memory_only},
            {"old_chunks", o.old_chunks},
            {"new_chunks", o.new_chunks},
            {"chunk_sectors", o.chunk_sectors},
            {"chunk_doubled", o.chunk_doubled},
            {"set_unwritten", range_json(o.set_unwritten)},
            {"zeroed", range_json(o.zeroed)},
            {"header_sync_sectors", o.header_sync_sectors},
            {"daemon_cleaned", o.daemon_cleaned},
            {"chunks_past_pages", o.chunks_past_pages},
            {"counts", counts_json(o.counts)},
            {"resync", o.resync.runs ? nlohmann::json{{"from_chunk", o.resync.from_chunk},
                                                      {"synced", ranges_json(o.resync.synced)},
                                                      {"synced_chunks", o.resync.synced_chunks},
                                                      {"forced", ranges_json(o.resync.forced)},
                                                      {"forced_chunks", o.resync.forced_chunks},
                                                      {"end", counts_json(o.resync.end)}}
                                     : nlohmann::json(nullptr)}});
  return j;
}

nlohmann::json resize_preview_json(const llbmp::ResizeMembersPreview& p) {
  if (p.enospc)
    return {{"device", p.device},
            {"kernel", llbmp::kernel_series_name(p.outcome.kernel)},
            {"member_sectors", p.member_sectors},
            {"available_sectors", p.available_sectors},
            {"refused", true},
            {"errno", "ENOSPC"}};
  auto j = resize_outcome_json(p.outcome);
  j.update({{"device", p.device}, {"member_sectors", p.member_sectors}, {"available_sectors", p.available_sectors}});
  return j;
}

}  // namespace llbitmap::cli
