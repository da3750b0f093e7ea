// The output of the writing commands (create, convert, edit, restore, the
// commit of replay-resync): what each member got or would get, the plan of a
// dry run, backups, and what a stopped write left.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "write/builder.hpp"
#include "write/convert.hpp"
#include "write/create.hpp"
#include "write/edit.hpp"
#include "write/metadata_backup.hpp"
#include "write/write_common.hpp"
#include "write/write_plan.hpp"

namespace llbitmap::cli {

// One line naming the copy read and how much the members disagree; chosen:
// --member or --merge picked the copy (else the line says they can).
std::string copy_source_line(const std::string& source, std::size_t copies, std::uint64_t disagreeing_chunks, bool chosen);

// "  phase lines" of a dry run and their total.
std::string plan_text(const llbmp::WritePlan& plan);
// The last line of every --dry-run; a --backup-file given with it is not written either.
std::string dry_run_end_text(const std::string& backup_file = {});

// "llbitmap restore FILE TARGET..."
std::string restore_command(const std::string& file, const std::vector<std::string>& targets);
// The line after a backup was saved and verified.
std::string backup_text(const std::string& file, const std::string& undo);
// For stderr when writing stopped half-way: what each member was left
// holding and how to get back (recovery: e.g. "undo with: ..."; empty: no backup).
std::string stopped_text(const std::vector<llbmp::MemberOutcome>& outcomes, const std::string& recovery);

// create on members: one line per new bitmap.
std::string new_bitmap_text(const llbmp::NewBitmap& bitmap, bool dry_run);
// create --level: one line per member image.
struct ImageLine {
  std::string path;
  std::uint32_t dev_number;
};
std::string image_lines_text(const std::vector<ImageLine>& images, const llbmp::ArraySpec& array, const std::string& metadata,
                             bool dry_run);

// convert: each member's new bitmap, then the source.
std::string convert_text(const llbmp::ConvertPlan& plan, llbmp::BitmapFormat to, bool dry_run, bool copy_chosen);

// edit: each member's changes.
std::string edit_text(const llbmp::EditPlan& plan, const llbmp::EditSpec& spec, bool dry_run);

// restore: which saved member each target got.
std::string restore_text(const llbmp::MetadataImage& image, const llbmp::RestorePlan& plan, bool dry_run);

}  // namespace llbitmap::cli
