#include "render/prometheus.hpp"

#include <fmt/format.h>

#include <optional>
#include <utility>

#include "engine/state_engine.hpp"

namespace llbitmap::cli {

namespace {

struct Sample {
  std::string labels;  // already rendered: device="...",array_uuid="..."
  std::uint64_t value;
};

struct Family {
  const char* name;
  const char* help;
  std::vector<Sample> samples;
};

// Label values escape backslash, double quote and newline.
std::string escape_label(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string member_labels(const llbmp::Member& m) {
  return fmt::format("device=\"{}\",array_uuid=\"{}\"", escape_label(m.device),
                     escape_label(llbmp::format_uuid(m.md.set_uuid)));
}

std::optional<std::uint64_t> chunk_bytes(const llbmp::Member& m) {
  if (!m.bitmap) return std::nullopt;
  if (m.bitmap->lockless) return m.bitmap->lockless->chunk_sectors * 512;
  if (m.bitmap->classic) return m.bitmap->classic->chunk_bytes;
  return std::nullopt;
}

void add_state_samples(Family& family, const llbmp::Member& m, const std::string& labels) {
  if (!m.bitmap || !m.bitmap->lockless) return;
  const auto& counts = m.bitmap->lockless->counts;
  for (std::size_t s = 0; s < llbmp::kStateCount; ++s) {
    const auto state = static_cast<llbmp::State>(s);
    family.samples.push_back({fmt::format("{},state=\"{}\"", labels, llbmp::state_key(state)), counts.of(state)});
  }
  family.samples.push_back({labels + ",state=\"invalid\"", counts.invalid});
}

std::string render(const std::vector<Family>& families) {
  std::string out;
  for (const auto& f : families) {
    if (f.samples.empty()) continue;
    out += fmt::format("# HELP {} {}\n# TYPE {} gauge\n", f.name, f.help, f.name);
    for (const auto& s : f.samples) out += fmt::format("{}{{{}}} {}\n", f.name, s.labels, s.value);
  }
  return out;
}

}  // namespace

std::string members_prometheus(const std::vector<llbmp::Member>& members) {
  std::vector<Family> families{
      {"llbitmap_problem", "1 when llbitmap found a problem on the member (see llbitmap examine), else 0.", {}},
      {"llbitmap_md_events", "Events counter of the md superblock.", {}},
      {"llbitmap_bitmap_events", "Events counter of the bitmap superblock.", {}},
      {"llbitmap_bitmap_version", "Bitmap superblock version (6 is llbitmap, 3-5 classic).", {}},
      {"llbitmap_chunks", "Chunks the bitmap tracks.", {}},
      {"llbitmap_chunk_size_bytes", "Bytes of array data per bitmap chunk.", {}},
      {"llbitmap_dirty_chunks", "Chunks not known to be in sync (what a resync would copy).", {}},
      {"llbitmap_state_chunks", "Chunks in each llbitmap state (invalid: bytes that are no state).", {}},
  };
  enum { kProblem, kMdEvents, kBitmapEvents, kVersion, kChunks, kChunkSize, kDirty, kStates };
  for (const auto& m : members) {
    const std::string labels = member_labels(m);
    families[kProblem].samples.push_back({labels, m.ok() ? 0u : 1u});
    families[kMdEvents].samples.push_back({labels, m.md.events});
    if (m.bitmap) {
      families[kBitmapEvents].samples.push_back({labels, m.bitmap->sb.events});
      families[kVersion].samples.push_back({labels, m.bitmap->sb.version});
    }
    if (const auto n = m.chunks()) families[kChunks].samples.push_back({labels, *n});
    if (const auto b = chunk_bytes(m)) families[kChunkSize].samples.push_back({labels, *b});
    if (const auto d = m.dirty()) families[kDirty].samples.push_back({labels, *d});
    add_state_samples(families[kStates], m, labels);
  }
  return render(families);
}

}  // namespace llbitmap::cli
