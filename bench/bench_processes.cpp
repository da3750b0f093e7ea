// Whole-process timings in one run: `llbitmap examine` and `llbitmap dump` of
// a member whose llbitmap fills its 128 KiB room (130048 chunks of a random
// state mix), and, on a classic version-4 bitmap of the same room size
// (1040384 bits), `llbitmap examine` next to Debian's `mdadm -X`. Both members
// are attached to loop devices when the machine allows it (root), so that the
// two tools read the same kind of device; otherwise the image files are used
// and the mdadm case is skipped.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "child_process.hpp"
#include "write/builder.hpp"

namespace {

constexpr std::uint64_t kStateBytes = 130048;  // 256 sectors reserved less the 1 KiB header
constexpr std::uint64_t kChunkBytes = 64 * 1024;

int run_quietly(const std::vector<std::string>& args) { return bench::run_quietly(args).status; }

std::string command_output(const std::string& command) {
  std::string out;
  if (FILE* pipe = popen(command.c_str(), "r")) {
    std::array<char, 256> buf{};
    while (fgets(buf.data(), buf.size(), pipe) != nullptr) out += buf.data();
    pclose(pipe);
  }
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

// The two members, on loop devices when possible; detached at exit.
class Fixtures {
 public:
  Fixtures() {
    dir_ = std::filesystem::temp_directory_path() / ("llbitmap-bench-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir_);
    lockless_ = make(llbmp::BitmapKind::lockless, "lockless.img");
    classic_ = make(llbmp::BitmapKind::classic, "classic.img");
  }
  ~Fixtures() {
    for (const auto& loop : loops_) run_quietly({"losetup", "-d", loop});
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  Fixtures(const Fixtures&) = delete;
  Fixtures& operator=(const Fixtures&) = delete;

  const std::string& lockless() const { return lockless_; }
  const std::string& classic() const { return classic_; }
  bool on_loop_devices() const { return loops_.size() == 2; }

 private:
  std::string make(llbmp::BitmapKind kind, const char* name) {
    llbmp::ArraySpec spec;
    spec.member_bytes = kStateBytes * kChunkBytes + (1u << 20) * 2;
    spec.bitmap = kind;
    spec.bitmap_chunk = kind == llbmp::BitmapKind::classic ? 8192 : 0;  // 1040384 bits
    auto meta = llbmp::build_member(spec, 0);
    std::mt19937 rng(1);
    if (kind == llbmp::BitmapKind::lockless) {
      for (std::uint64_t i = 0; i < meta.chunks; ++i) meta.bitmap_area[1024 + i] = static_cast<std::uint8_t>(rng() % 8);
    } else {
      for (std::size_t i = 256; i < meta.bitmap_area.size(); ++i) meta.bitmap_area[i] = static_cast<std::uint8_t>(rng());
    }
    const std::string path = (dir_ / name).string();
    std::filesystem::remove(path);  // the library creates images only as new files
    llbmp::write_member_image(path, meta, spec.member_bytes);
    if (geteuid() != 0) return path;
    const std::string loop = command_output("losetup -f --show " + path + " 2>/dev/null");
    if (loop.empty()) return path;
    loops_.push_back(loop);
    return loop;
  }

  std::filesystem::path dir_;
  std::string lockless_, classic_;
  std::vector<std::string> loops_;
};

const Fixtures& fixtures() {
  static const Fixtures instance;  // built once, detached at exit
  return instance;
}

void time_command(benchmark::State& state, const std::vector<std::string>& args) {
  for (auto _ : state) {
    const int rc = run_quietly(args);
    if (rc > 1) {
      state.SkipWithError(("exit status " + std::to_string(rc) + " from " + args[0]).c_str());
      return;
    }
  }
}

void BM_ExamineLockless(benchmark::State& s) { time_command(s, {LLBITMAP_BIN, "examine", fixtures().lockless()}); }
void BM_DumpLockless(benchmark::State& s) { time_command(s, {LLBITMAP_BIN, "dump", fixtures().lockless()}); }
void BM_ExamineClassic(benchmark::State& s) { time_command(s, {LLBITMAP_BIN, "examine", fixtures().classic()}); }
void BM_MdadmXClassic(benchmark::State& s) {
  if (!fixtures().on_loop_devices()) {
    s.SkipWithError("mdadm -X needs the member on a loop device (run as root)");
    return;
  }
  time_command(s, {"mdadm", "-X", fixtures().classic()});
}

}  // namespace

BENCHMARK(BM_ExamineLockless)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);
BENCHMARK(BM_DumpLockless)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);
BENCHMARK(BM_ExamineClassic)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);
BENCHMARK(BM_MdadmXClassic)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);
