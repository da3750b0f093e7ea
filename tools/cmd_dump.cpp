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
#include "picture.hpp"
#include "inspect/member.hpp"
#include "parse.hpp"
#include "render.hpp"

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

struct MapShape {
  std::uint64_t width;
  std::uint64_t rows;
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
struct DumpView {
  std::vector<std::uint8_t> bytes;
  bool classic = false;
};

DumpView view_of(const llbmp::Member& m) {
  if (!m.bitmap) throw llbmp::Error(m.device, "md.feature_map", "", "no bitmap on this member");
  if (m.bitmap->lockless) return {m.bitmap->lockless->states, false};
  if (const auto& c = m.bitmap->classic) {
    DumpView v{std::vector<std::uint8_t>(c->chunks), true};
    for (std::uint64_t i = 0; i < c->chunks; ++i)
      v.bytes[i] = (c->bits[i / 8] >> (i % 8)) & 1 ? static_cast<std::uint8_t>(llbmp::State::Dirty)
                                                    : static_cast<std::uint8_t>(llbmp::State::Clean);
    return v;
  }
  if (m.bitmap->sb.awaiting_kernel_init())
    throw llbmp::Error(m.device, "bitmap.state", "first_use", "not initialised yet: there are no chunk states to dump");
  throw llbmp::Error(m.device, "bitmap", "", "the bitmap could not be decoded (see llbitmap examine)");
}

std::string byte_name(std::uint8_t b) {
  return llbmp::is_valid_state(b) ? std::string(llbmp::state_key(static_cast<llbmp::State>(b))) : fmt::format("invalid({:#04x})", b);
}

// Worst first: what leaves the most to resync.
int severity_rank(std::uint8_t b) {
  using S = llbmp::State;
  if (!llbmp::is_valid_state(b)) return 9;
  switch (static_cast<S>(b)) {
    case S::NeedSync: return 8;
    case S::Syncing: return 7;
    case S::Dirty: return 6;
    case S::NeedSyncUnwritten: return 5;
    case S::SyncingUnwritten: return 4;
    case S::Clean: return 3;
    case S::CleanUnwritten: return 2;
    case S::Unwritten: return 1;
  }
  return 0;
}

struct CellStyle {
  char glyph;
  const char* color;  // ANSI background
  const char* name;
};
const CellStyle& style_of(std::uint8_t b) {
  static const CellStyle kStyles[] = {
      {'.', "\x1b[48;5;236m", "unwritten"},       {'-', "\x1b[42m", "clean"},
      {'D', "\x1b[43m", "dirty"},                  {'N', "\x1b[41m", "need_sync"},
      {'S', "\x1b[45m", "syncing"},                {'n', "\x1b[48;5;209m", "need_sync_unwritten"},
      {'s', "\x1b[48;5;177m", "syncing_unwritten"}, {'c', "\x1b[48;5;30m", "clean_unwritten"},
      {'!', "\x1b[41;1m", "invalid"},
  };
  return llbmp::is_valid_state(b) ? kStyles[b] : kStyles[8];
}

void print_map(const llbmp::Member& m, const DumpView& v, std::uint64_t base, const DumpOptions& opt, const MapShape& shape) {
  const bool color = !opt.no_color && ::isatty(STDOUT_FILENO) && std::getenv("NO_COLOR") == nullptr;
  const std::uint64_t n = v.bytes.size();
  const std::uint64_t cells_max = shape.width * shape.rows;
  const std::uint64_t group = std::max<std::uint64_t>(1, (n + cells_max - 1) / cells_max);
  const std::uint64_t cells = (n + group - 1) / group;
  fmt::print("{}: {} chunks ({}..{}), {} chunk(s) per cell, worst state shown\n", printable(m.device), n, base,
             n ? base + n - 1 : base, group);
  for (std::uint64_t c = 0; c < cells; ++c) {
    if (c % shape.width == 0) fmt::print("{:>10} ", base + c * group);
    const auto first = v.bytes.begin() + static_cast<std::ptrdiff_t>(c * group);
    const auto last = v.bytes.begin() + static_cast<std::ptrdiff_t>(std::min(n, (c + 1) * group));
    const std::uint8_t worst = *std::max_element(first, last, [](auto a, auto b) { return severity_rank(a) < severity_rank(b); });
    const auto& st = style_of(worst);
    if (color)
      fmt::print("{}{}\x1b[0m", st.color, st.glyph);
    else
      fmt::print("{}", st.glyph);
    if (c % shape.width == shape.width - 1 || c + 1 == cells) fmt::print("\n");
  }
  fmt::print("legend:");
  const std::vector<std::uint8_t> shown = v.classic ? std::vector<std::uint8_t>{1, 2} : std::vector<std::uint8_t>{0, 1, 2, 3, 4, 5, 6, 7, 0xff};
  for (const auto b : shown) {
    const auto& st = style_of(b);
    if (color)
      fmt::print(" {}{}\x1b[0m {}", st.color, st.glyph, v.classic ? (b == 1 ? "clear bit" : "set bit") : st.name);
    else
      fmt::print(" {} {}", st.glyph, v.classic ? (b == 1 ? "clear bit" : "set bit") : st.name);
  }
  fmt::print("\n");
}

std::uint64_t chunk_sectors_of(const llbmp::Member& m) {
  if (m.bitmap && m.bitmap->lockless) return m.bitmap->lockless->chunk_sectors;
  if (m.bitmap && m.bitmap->classic) return m.bitmap->classic->chunk_bytes / 512;
  return 0;
}

void write_pictures(const llbmp::Member& m, const DumpView& v, std::uint64_t base, const DumpOptions& opt) {
  const PictureInput in{m.device, v.bytes, v.classic, base, chunk_sectors_of(m), utc_now()};
  const Scene scene = picture_scene(in);
  if (!opt.svg.empty()) write_svg(opt.svg, scene);
  if (!opt.png.empty()) write_png(opt.png, scene);
}

int run_dump(const DumpOptions& opt) {
  refuse_conflicts(opt);
  const MapShape shape{parse_number(opt.width, "--width", 8, 512), parse_number(opt.rows, "--rows", 1, 4096)};
  const ChunkSpan span = opt.chunks.empty() ? ChunkSpan{0, std::numeric_limits<std::uint64_t>::max()} : parse_chunk_span(opt.chunks, "--chunks");
  const auto m = llbmp::load_member(opt.device);
  if (!opt.save.empty()) {
    // The raw metadata, decodable or not: that is what a bug report needs.
    const llbmp::MetadataImage image{{llbmp::capture_member(m)}};
    llbmp::save_metadata_image(opt.save, image);
    std::uint64_t bytes = 0;
    for (const auto& r : image.members.front().ranges) bytes += r.bytes.size();
    fmt::print("{}: saved {} bytes of metadata in {} range(s) to {}\n", m.device, bytes, image.members.front().ranges.size(), opt.save);
    // Kept either way (a bug report needs it), but a save that would not restore says so.
    try {
      llbmp::verify_saved_file(opt.save, image, {m});
    } catch (const llbmp::Error& e) {
      throw llbmp::Error(e.device(), e.field(), e.value(), fmt::format("{}: {} is kept for a bug report but cannot be restored", e.message(), opt.save));
    }
    fmt::print("{}: read back and verified: llbitmap restore {} {} puts it back\n", opt.save, opt.save, m.device);
    return kExitOk;
  }
  const bool decoded = m.bitmap && (m.bitmap->lockless || m.bitmap->classic);
  if (!decoded && !m.ok()) {
    print_error_findings("dump", m);  // the reasons there is nothing to dump
    return kExitProblems;
  }
  DumpView v = view_of(m);
  std::uint64_t base = 0;
  if (!opt.chunks.empty()) {
    if (span.first >= v.bytes.size())
      throw UsageError(fmt::format("--chunks {}: the bitmap has {} chunks", opt.chunks, v.bytes.size()));
    const auto last = std::min<std::uint64_t>(span.last, v.bytes.size() - 1);
    v.bytes = std::vector<std::uint8_t>(v.bytes.begin() + static_cast<std::ptrdiff_t>(span.first),
                                        v.bytes.begin() + static_cast<std::ptrdiff_t>(last + 1));
    base = span.first;
  }
  if (!opt.svg.empty() || !opt.png.empty()) {
    write_pictures(m, v, base, opt);
  } else if (opt.map) {
    print_map(m, v, base, opt, shape);
  } else if (opt.format == "raw") {
    if (std::fwrite(v.bytes.data(), 1, v.bytes.size(), stdout) != v.bytes.size())
      throw llbmp::Error("stdout", "", "", "write failed", llbmp::ErrorKind::io);
  } else if (opt.format == "csv") {
    std::string out = "first,last,count,state,value\n";
    for (const auto& r : llbmp::state_runs(v.bytes, base))
      out += fmt::format("{},{},{},{},{}\n", r.first, r.last, r.last - r.first + 1, byte_name(r.byte), r.byte);
    fmt::print("{}", out);
  } else if (opt.format == "json") {
    nlohmann::json runs = nlohmann::json::array();
    for (const auto& r : llbmp::state_runs(v.bytes, base))
      runs.push_back({{"first", r.first}, {"last", r.last}, {"count", r.last - r.first + 1}, {"state", byte_name(r.byte)}, {"value", r.byte}});
    nlohmann::json j{{"device", m.device}, {"version", m.bitmap->sb.version}, {"chunks", v.bytes.size()}, {"first_chunk", base}, {"runs", runs}};
    fmt::print("{}\n", json_text(j));
  } else {
    std::string out;
    for (const auto& r : llbmp::state_runs(v.bytes, base)) {
      if (r.first == r.last)
        out += fmt::format("{} {}\n", r.first, byte_name(r.byte));
      else
        out += fmt::format("{}-{} {}\n", r.first, r.last, byte_name(r.byte));
    }
    fmt::print("{}", out);
  }
  print_error_findings("dump", m);
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
