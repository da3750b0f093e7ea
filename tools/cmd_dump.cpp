// llbitmap dump DEV: the state area as ranges, JSON, CSV, raw bytes or a map.
#include <fmt/core.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <string>
#include <vector>

#include "command.hpp"
#include "write/metadata_backup.hpp"
#include "inspect/member.hpp"
#include "inspect/reshape_view.hpp"
#include "parse.hpp"
#include "render/dump.hpp"
#include "render/member.hpp"
#include "render/picture.hpp"
#include "render/png.hpp"

namespace llbitmap::cli {

namespace {

struct DumpOptions {
  std::string device;
  std::string format = "ranges";
  std::string chunks;
  bool map = false;
  bool no_color = false;
  std::string width = "64";
  std::string rows = "16";
  std::string svg;
  std::string png;
  std::string save;
  const CLI::App* command = nullptr;  // for options given on the command line, defaults or not
  bool given(const char* option) const { return command->count(option) != 0; }
};

// One output per run: --save, --map, the pictures (--svg and --png together)
// or --format; an option of another output is refused, not ignored.
void refuse_conflicts(const DumpOptions& opt) {
  const bool pictures = !opt.svg.empty() || !opt.png.empty();
  const std::pair<bool, const char*> outputs[] = {
      {!opt.save.empty(), "--save"}, {opt.map, "--map"}, {pictures, !opt.svg.empty() ? "--svg" : "--png"}, {opt.given("--format"), "--format"}};
  const char* chosen = nullptr;
  for (const auto& [on, option] : outputs) {
    if (!on) continue;
    if (chosen) throw UsageError(fmt::format("{} and {} exclude each other: one output per run", chosen, option));
    chosen = option;
  }
  if (!opt.save.empty() && opt.given("--chunks")) throw UsageError("--save keeps the whole metadata: no --chunks");
  for (const char* option : {"--width", "--rows", "--no-color"})
    if (!opt.map && opt.given(option)) throw UsageError(fmt::format("{} shapes --map: give --map too", option));
}

// The chunk states of a member, one byte per chunk: llbitmap states as read,
// classic bits as clean (0) or dirty (1) under the names "clean"/"dirty".
// A member mid-reshape whose bitmap is remapped: its sides, and the bytes
// of max(old, new) chunks the kernel holds (ONDISK 9.4.4).
void mark_reshape(const llbmp::Member& m, ChunkStates& v) {
  const auto r = llbmp::member_reshape(m);
  if (!r || !r->remapped) return;
  ReshapeMarks marks;
  marks.position = r->position;
  marks.backwards = r->backwards;
  marks.overlap = r->overlap;
  for (const auto& [name, side] : {std::pair{"new", r->new_side}, std::pair{"leftover", r->leftovers}, std::pair{"old", r->old_side}})
    if (side && side->indices.count() != 0) marks.sides.push_back({name, side->indices.first, side->indices.end});
  std::sort(marks.sides.begin(), marks.sides.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  v.reshape = std::move(marks);
  const auto& area = m.bitmap->area;
  const std::uint64_t held = std::min<std::uint64_t>(r->memory_chunks, area.size() > llbmp::kStateOffset ? area.size() - llbmp::kStateOffset : 0);
  if (held > v.states.size())
    v.states.insert(v.states.end(), area.begin() + static_cast<std::ptrdiff_t>(llbmp::kStateOffset + v.states.size()),
                    area.begin() + static_cast<std::ptrdiff_t>(llbmp::kStateOffset + held));
}

ChunkStates states_of(const llbmp::Member& m) {
  if (!m.bitmap) throw llbmp::Error(m.device, "md.feature_map", "", "no bitmap on this member");
  ChunkStates v{m.device, m.bitmap->sb.version, {}, false, 0, 0, std::nullopt};
  if (m.bitmap->lockless) {
    v.states = m.bitmap->lockless->states;
    v.chunk_sectors = m.bitmap->lockless->chunk_sectors;
    mark_reshape(m, v);
    return v;
  }
  if (const auto& c = m.bitmap->classic) {
    v.classic = true;
    v.chunk_sectors = c->chunk_bytes / 512;
    v.states.resize(c->chunks);
    for (std::uint64_t i = 0; i < c->chunks; ++i)
      v.states[i] = (c->bits[i / 8] >> (i % 8)) & 1 ? static_cast<std::uint8_t>(llbmp::State::Dirty)
                                                     : static_cast<std::uint8_t>(llbmp::State::Clean);
    return v;
  }
  if (m.bitmap->sb.awaiting_kernel_init())
    throw llbmp::Error(m.device, "bitmap.state", "first_use", "not initialised yet: there are no chunk states to dump");
  throw llbmp::Error(m.device, "bitmap", "", "the bitmap could not be decoded (see llbitmap examine)");
}

void write_pictures(const ChunkStates& v, const DumpOptions& opt) {
  const Scene scene = picture_scene(v, utc_now());
  if (!opt.svg.empty()) write_svg(opt.svg, scene);
  if (!opt.png.empty()) write_png(opt.png, scene);
}

int run_dump(const DumpOptions& opt) {
  refuse_conflicts(opt);
  const MapShape shape{parse_number(opt.width, "--width", 8, 512), parse_number(opt.rows, "--rows", 1, 4096),
                      !opt.no_color && ::isatty(STDOUT_FILENO) && std::getenv("NO_COLOR") == nullptr};
  const ChunkSpan span = opt.chunks.empty() ? ChunkSpan{0, std::numeric_limits<std::uint64_t>::max()} : parse_chunk_span(opt.chunks, "--chunks");
  const auto m = llbmp::load_member(opt.device);
  if (!opt.save.empty()) {
    // The raw metadata, decodable or not: that is what a bug report needs.
    const llbmp::MetadataImage image{{llbmp::capture_member(m)}};
    llbmp::save_metadata_image(opt.save, image);
    std::uint64_t bytes = 0;
    for (const auto& r : image.members.front().ranges) bytes += r.bytes.size();
    fmt::print("{}", saved_text(m.device, bytes, image.members.front().ranges.size(), opt.save));
    // Kept either way (a bug report needs it), but a save that would not restore says so.
    try {
      llbmp::verify_saved_file(opt.save, image, {m});
    } catch (const llbmp::Error& e) {
      throw llbmp::Error(e.device(), e.field(), e.value(), fmt::format("{}: {} is kept for a bug report but cannot be restored", e.message(), opt.save));
    }
    fmt::print("{}", verified_text(opt.save, m.device));
    return kExitOk;
  }
  const bool decoded = m.bitmap && (m.bitmap->lockless || m.bitmap->classic);
  if (!decoded && !m.ok()) {
    fmt::print(stderr, "{}", error_findings_text("dump", m));  // the reasons there is nothing to dump
    return kExitProblems;
  }
  ChunkStates v = states_of(m);
  if (!opt.chunks.empty()) {
    if (span.first >= v.states.size())
      throw UsageError(fmt::format("--chunks {}: the bitmap has {} chunks", opt.chunks, v.states.size()));
    const auto last = std::min<std::uint64_t>(span.last, v.states.size() - 1);
    v.states = std::vector<std::uint8_t>(v.states.begin() + static_cast<std::ptrdiff_t>(span.first),
                                         v.states.begin() + static_cast<std::ptrdiff_t>(last + 1));
    v.first_chunk = span.first;
  }
  if (!opt.svg.empty() || !opt.png.empty()) {
    write_pictures(v, opt);
  } else if (opt.map) {
    fmt::print("{}", state_map(v, shape));
  } else if (opt.format == "raw") {
    if (std::fwrite(v.states.data(), 1, v.states.size(), stdout) != v.states.size())
      throw llbmp::Error("stdout", "", "", "write failed", llbmp::ErrorKind::io);
  } else if (opt.format == "csv") {
    fmt::print("{}", dump_csv(v));
  } else if (opt.format == "json") {
    fmt::print("{}", dump_json(v));
  } else {
    fmt::print("{}", dump_ranges(v));
  }
  fmt::print(stderr, "{}", error_findings_text("dump", m));
  return m.ok() ? kExitOk : kExitProblems;
}

}  // namespace

Runner add_dump(CLI::App& app) {
  auto opt = std::make_shared<DumpOptions>();
  auto* cmd = app.add_subcommand("dump", "Show the chunk states of a member as ranges, JSON, CSV, raw bytes or a map");
  cmd->add_option("device", opt->device, "Member device or image file")->required();
  cmd->add_option("--format,-f", opt->format, "Output format")
      ->check(CLI::IsMember({"ranges", "json", "csv", "raw"}))
      ->capture_default_str();
  cmd->add_option("--chunks", opt->chunks, "Only chunks FIRST-LAST (or one chunk N)")->type_name("RANGE");
  cmd->add_flag("--map", opt->map, "A picture of the whole bitmap in the terminal");
  cmd->add_flag("--no-color", opt->no_color, "Plain characters in --map, even on a terminal");
  cmd->add_option("--width", opt->width, "Cells per --map row (8 to 512)")->type_name("N")->capture_default_str();
  cmd->add_option("--rows", opt->rows, "Maximum --map rows (1 to 4096)")->type_name("N")->capture_default_str();
  cmd->add_option("--svg", opt->svg, "Write a picture of the bitmap to FILE as SVG (instead of the text output)")->type_name("FILE");
  cmd->add_option("--save", opt->save, "Save the metadata (md superblock, bitmap area) to a new zlib image FILE for restore or a bug report")->type_name("FILE");
  cmd->add_option("--png", opt->png, "Write a picture of the bitmap to FILE as PNG (instead of the text output)")->type_name("FILE");
  cmd->footer("Example:\n  llbitmap dump /dev/sdb1\n  llbitmap dump --chunks 0-511 --format csv member.img\n  llbitmap dump --map /dev/sdb1\n"
              "  llbitmap dump --svg sdb1.svg --png sdb1.png /dev/sdb1");
  opt->command = cmd;
  return [opt] { return run_dump(*opt); };
}

}  // namespace llbitmap::cli
