// Seed corpora for the fuzz targets, made from members the library's builder
// lays out (no committed blobs): make_seeds OUTDIR writes OUTDIR/md_super,
// OUTDIR/bitmap_super, OUTDIR/member, OUTDIR/state_spec and OUTDIR/metadata_image.
#include <fmt/core.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "fuzz_input.hpp"
#include "write/builder.hpp"
#include "io/device.hpp"
#include "llbmp/error.hpp"
#include "inspect/member.hpp"
#include "write/metadata_backup.hpp"

namespace fs = std::filesystem;

namespace {

void write_file(const fs::path& path, std::span<const std::uint8_t> bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

struct Variant {
  std::string name;
  llbmp::ArraySpec spec;
  std::vector<std::pair<std::uint64_t, std::uint8_t>> states;  // chunk, byte planted every 97 chunks from there
};

std::vector<Variant> variants() {
  std::vector<Variant> out;
  const std::pair<const char*, llbmp::BitmapKind> kinds[] = {{"lockless", llbmp::BitmapKind::lockless},
                                                             {"firstuse", llbmp::BitmapKind::lockless_first_use},
                                                             {"classic", llbmp::BitmapKind::classic},
                                                             {"none", llbmp::BitmapKind::none}};
  const std::pair<std::int32_t, std::uint32_t> levels[] = {{1, 2}, {5, 3}, {6, 4}, {10, 4}};
  for (const int minor : {0, 1, 2})
    for (const auto& [kind_name, kind] : kinds)
      for (const auto& [level, disks] : levels) {
        Variant v;
        v.name = fmt::format("1.{}-{}-raid{}", minor, kind_name, level);
        v.spec.minor_version = minor;
        v.spec.bitmap = kind;
        v.spec.level = level;
        v.spec.raid_disks = disks;
        v.spec.layout = level == 10 ? 0x102 : level >= 5 ? 2 : 0;
        v.spec.member_bytes = (minor == 2 ? 16ull : 8ull) << 20;
        v.spec.chunk_sectors = 128;
        if (kind == llbmp::BitmapKind::lockless) v.states = {{0, 2}, {5, 3}, {11, 4}, {13, 7}, {29, 0x41}};
        out.push_back(std::move(v));
      }
  Variant small_chunk;
  small_chunk.name = "1.2-lockless-smallchunk-degraded";
  small_chunk.spec.member_bytes = 16ull << 20;
  small_chunk.spec.bitmap_chunk = 8;
  small_chunk.spec.missing = {false, true};
  small_chunk.states = {{1, 5}, {2, 6}, {3, 1}};
  out.push_back(std::move(small_chunk));
  Variant bblog;
  bblog.name = "1.2-lockless-bblog";
  bblog.spec.member_bytes = 16ull << 20;
  bblog.spec.bblog_offset = 72;
  bblog.spec.bblog_size = 8;
  out.push_back(std::move(bblog));
  return out;
}

void write_seeds(const Variant& v, const fs::path& dir) {
  auto meta = llbmp::build_member(v.spec, 0);
  for (const auto& [first, byte] : v.states)
    for (std::uint64_t c = first; c < meta.chunks && llbmp::kStateOffset + c < meta.bitmap_area.size(); c += 97)
      meta.bitmap_area[llbmp::kStateOffset + c] = byte;
  const fs::path image = dir / "image.tmp";
  fs::remove(image);  // the library creates images only as new files
  llbmp::write_member_image(image.string(), meta, v.spec.member_bytes);
  const auto device = llbmp::Device::open_for_read(image.string());
  const auto md_raw = device.read(meta.md_offset, 4096);
  write_file(dir / "md_super" / v.name, md_raw);
  if (!meta.bitmap_area.empty())
    write_file(dir / "bitmap_super" / v.name, std::span(meta.bitmap_area).first(llbmp::kBitmapSuperBytes));
  std::uint64_t first = meta.md_offset;
  std::uint64_t end = meta.md_offset + 4096;
  if (!meta.bitmap_area.empty()) {
    first = std::min(first, meta.bitmap_area_offset);
    end = std::max<std::uint64_t>(end, meta.bitmap_area_offset + meta.bitmap_area.size());
  }
  const auto payload = device.read(first, static_cast<std::size_t>(end - first));
  write_file(dir / "member" / v.name, llbitmap::fuzz::make_member_input(v.spec.member_bytes, first, payload));
  try {
    const llbmp::MetadataImage saved{{llbmp::capture_member(llbmp::load_member(image.string()))}};
    write_file(dir / "metadata_image" / v.name, llbmp::encode_metadata_image(saved));
  } catch (const llbmp::Error&) {
    // No md superblock to save (the variant is malformed on purpose).
  }
  fs::remove(image);
}

// State specs as the documentation and the tests write them.
void write_spec_seeds(const fs::path& dir) {
  const char* specs[] = {"0-99:dirty", "5:3", "0-9:need sync,10-19:syncing,20:clean_unwritten",
                         "100-4095:clean, 7:need_sync_unwritten", "0-0:0,1-1:7", "# comment\n1-2:dirty\n3:unwritten"};
  int n = 0;
  for (const char* spec : specs) {
    const std::string text(spec);
    write_file(dir / fmt::format("spec{}", n++), std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
  }
}

// fuzz_trace: the first byte picks the format (even: blkparse, odd: fio).
void write_trace_seeds(const fs::path& dir) {
  const char* traces[] = {
      "\x00  8,0    3        1     0.000000000   697  Q  WS 1234 + 8 [dd]\n  8,0 3 2 0.5 697 Q DS 0 + 2048 [f]\nCPU3 (8,0):\n",
      "\x01" "fio version 2 iolog\n/dev/sdb add\n/dev/sdb write 0 4096\n/dev/sdb trim 0 1048576\n",
      "\x03" "fio version 3 iolog\n0 /dev/sdb add\n1000 /dev/sdb write 65536 8192\n"};
  int n = 0;
  for (const char* trace : traces) {
    const std::string text(trace, std::char_traits<char>::length(trace + 1) + 1);
    write_file(dir / fmt::format("trace{}", n++), std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    fmt::print(stderr, "usage: make_seeds OUTDIR\n");
    return 2;
  }
  const fs::path dir = argv[1];
  for (const char* sub : {"md_super", "bitmap_super", "member", "state_spec", "metadata_image", "trace"}) fs::create_directories(dir / sub);
  write_spec_seeds(dir / "state_spec");
  write_trace_seeds(dir / "trace");
  int written = 0;
  for (const auto& v : variants()) {
    try {
      write_seeds(v, dir);
      ++written;
    } catch (const std::exception& e) {
      fmt::print(stderr, "make_seeds: {}: skipped: {}\n", v.name, e.what());
    }
  }
  fmt::print("make_seeds: {} members\n", written);
  return written > 0 ? 0 : 1;
}
