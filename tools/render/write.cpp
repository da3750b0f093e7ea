#include "render/write.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "render/counts.hpp"
#include "render/escape.hpp"

namespace llbitmap::cli {

std::string copy_source_line(const std::string& source, std::size_t copies, std::uint64_t disagreeing_chunks, bool chosen) {
  if (copies < 2) return source;
  if (disagreeing_chunks == 0) return fmt::format("{} (the {} members agree)", source, copies);
  return fmt::format("{} (the {} members disagree in {} chunk{}{})", source, copies, disagreeing_chunks,
                     disagreeing_chunks == 1 ? "" : "s", chosen ? "" : ": --member DEV or --merge worst choose another copy");
}

std::string plan_text(const llbmp::WritePlan& plan) {
  std::string out;
  for (const auto& line : llbmp::describe_plan(plan)) out += fmt::format("  {}\n", line);
  return out + fmt::format("  {} bytes in {} phases, each followed by a flush of every member\n", plan.bytes_written(), plan.phase_count());
}

std::string dry_run_end_text(const std::string& backup_file) {
  return fmt::format("dry run: nothing written{}\n", backup_file.empty() ? "" : ", no backup saved");
}

std::string restore_command(const std::string& file, const std::vector<std::string>& targets) {
  std::string out = "llbitmap restore " + file;
  for (const auto& t : targets) out += " " + t;
  return out;
}

std::string backup_text(const std::string& file, const std::string& undo) {
  return fmt::format("backup: {} (read back and verified; undo with: {})\n", file, undo);
}

std::string stopped_text(const std::vector<llbmp::MemberOutcome>& outcomes, const std::string& recovery) {
  std::string err;
  for (const auto& o : outcomes)
    err += fmt::format("{}: left {}{}\n", o.device, llbmp::member_state_name(o.state),
                       o.state == llbmp::MemberState::stale ? " (md resyncs every chunk unless it is restored)" : "");
  const bool changed = std::any_of(outcomes.begin(), outcomes.end(),
                                   [](const llbmp::MemberOutcome& o) { return o.state != llbmp::MemberState::old_metadata; });
  if (!changed) err += "nothing was written\n";
  else if (!recovery.empty()) err += recovery + "\n";
  else err += "no backup was saved (--backup-file): nothing to restore from\n";
  return err;
}

std::string new_bitmap_text(const llbmp::NewBitmap& nb, bool dry_run) {
  const char* verb = dry_run ? "would write" : "wrote";
  if (nb.sb.awaiting_kernel_init())
    return fmt::format("{}: {} a FIRST_USE llbitmap at offset {:+} sectors ({} sectors reserved{}): the kernel initialises it\n",
                       nb.device, verb, nb.bitmap_offset, nb.sb.sectors_reserved, nb.sb.has(llbmp::BitmapFlag::clean) ? ", CLEAN" : "");
  return fmt::format("{}: {} an llbitmap at offset {:+} sectors: {} chunks of {} sectors, {} sectors reserved, events {}: {}\n", nb.device,
                     verb, nb.bitmap_offset, nb.chunks, nb.sb.chunksize, nb.sb.sectors_reserved, nb.sb.events, counts_text(nb.counts, ""));
}

std::string image_lines_text(const std::vector<ImageLine>& images, const llbmp::ArraySpec& array, const std::string& metadata,
                             bool dry_run) {
  std::string out;
  for (const auto& i : images)
    out += dry_run ? fmt::format("{}: would make member {} of a {} array ({} bytes, metadata {})\n", i.path, i.dev_number,
                                 llbmp::level_name(array.level), array.member_bytes, metadata)
                   : fmt::format("{}: member {} of {} array {}\n", i.path, i.dev_number, llbmp::level_name(array.level),
                                 llbmp::format_uuid(array.uuid));
  return out;
}

std::string convert_text(const llbmp::ConvertPlan& plan, llbmp::BitmapFormat to, bool dry_run, bool copy_chosen) {
  const char* verb = dry_run ? "would become" : "is now";
  std::string out;
  for (const auto& nb : plan.bitmaps) {
    if (to == llbmp::BitmapFormat::lockless)
      out += fmt::format("{}: {} an llbitmap: {} chunks of {} sectors, {} need_sync, {} clean (events {})\n", nb.device, verb,
                         nb.chunks, nb.sb.chunksize, nb.counts.of(llbmp::State::NeedSync), nb.counts.of(llbmp::State::Clean),
                         nb.sb.events);
    else
      out += fmt::format("{}: {} a classic bitmap (version 4): {} bits of {} bytes, {} set (events {})\n", nb.device, verb, nb.chunks,
                         nb.sb.chunksize, nb.out_of_sync, nb.sb.events);
  }
  return out + fmt::format("source: {}\nsource: {} chunks of {} sectors, {} out of sync\n",
                           copy_source_line(plan.source, plan.source_copies, plan.disagreeing_chunks, copy_chosen),
                           plan.source_chunks, plan.source_chunk_sectors, plan.source_out_of_sync);
}

namespace {

std::string flags_text(std::uint32_t state) {
  std::string out;
  for (const auto& n : llbmp::bitmap_flag_names(state)) out += (out.empty() ? "" : ",") + n;
  return out.empty() ? "none" : out;
}

}  // namespace

std::string edit_text(const llbmp::EditPlan& plan, const llbmp::EditSpec& spec, bool dry_run) {
  std::string out;
  for (const auto& e : plan.members) {
    out += fmt::format("{}: {}", e.device, dry_run ? "would edit" : "edited");
    if (spec.changes_states())
      out += fmt::format(" {} chunk states ({} not in sync before, {} after)", e.chunks_changed, e.counts_before.not_in_sync(),
                         e.counts_after.not_in_sync());
    out += "\n";
    if (!e.reshape_risk.empty()) out += fmt::format("  risk (--force): {}\n", e.reshape_risk);
    for (const auto& c : e.changes) {
      if (c.field == "state")
        out += fmt::format("  flags: {} -> {}\n", flags_text(e.before.state), flags_text(e.after.state));
      else
        out += fmt::format("  {}: {} -> {}\n", c.field, printable(c.before), printable(c.after));
    }
  }
  return out;
}

std::string restore_text(const llbmp::MetadataImage& image, const llbmp::RestorePlan& plan, bool dry_run) {
  std::string out;
  for (const auto& as : plan.assignments) {
    const auto& saved = image.members[as.saved];
    out += fmt::format("{}: {} the metadata of {} ({} bytes{}){}\n", as.target.path, dry_run ? "would get" : "got", saved.device,
                       saved.device_bytes, as.target.create ? ", a new sparse image" : "",
                       as.across_devices ? fmt::format(" (--force: restored across devices; saved member: {})",
                                                       llbmp::saved_identity(saved).describe())
                                         : "");
  }
  return out;
}

}  // namespace llbitmap::cli
