// Whole-process timings in one run: `llbitmap examine` and `llbitmap dump` of
// a member whose llbitmap fills its 128 KiB room (130048 chunks of a random
// state mix), and, on a classic version-4 bitmap of the same room size
// (1040384 bits), `llbitmap examine` next to Debian's `mdadm -X`. Each kind
// has two members of one raid1 array, so that `check` of both runs next to
// `mdadm -X` of each. The members are attached to loop devices when the
// machine allows it (root), so that the two tools read the same kind of
// device; otherwise the image files are used and the mdadm cases are skipped.
//
// The BM_Pair* benchmarks run the two sides in turn (A B A B ...) and report
// the medians of each side's wall time and of the pair-by-pair ratio A/B, so
// that a machine whose speed drifts during the run (other jobs) moves both.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
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

// The CLI under test: the one built with the benchmarks, or LLBITMAP_BENCH_BIN
// (another build, for a before/after comparison in one run).
std::string llbitmap_bin() {
  const char* other = std::getenv("LLBITMAP_BENCH_BIN");
  return other != nullptr && *other != '\0' ? other : LLBITMAP_BIN;
}

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

// Two members of each kind, on loop devices when possible; detached at exit.
class Fixtures {
 public:
  Fixtures() {
    dir_ = std::filesystem::temp_directory_path() / ("llbitmap-bench-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir_);
    for (std::uint32_t role = 0; role < 2; ++role) {
      lockless_[role] = make(llbmp::BitmapKind::lockless, role);
      classic_[role] = make(llbmp::BitmapKind::classic, role);
    }
  }
  ~Fixtures() {
    for (const auto& loop : loops_) run_quietly({"losetup", "-d", loop});
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  Fixtures(const Fixtures&) = delete;
  Fixtures& operator=(const Fixtures&) = delete;

  const std::string& lockless(std::size_t role = 0) const { return lockless_.at(role); }
  const std::string& classic(std::size_t role = 0) const { return classic_.at(role); }
  bool on_loop_devices() const { return loops_.size() == 4; }

 private:
  std::string make(llbmp::BitmapKind kind, std::uint32_t role) {
    llbmp::ArraySpec spec;
    spec.member_bytes = kStateBytes * kChunkBytes + (1u << 20) * 2;
    spec.bitmap = kind;
    spec.bitmap_chunk = kind == llbmp::BitmapKind::classic ? 8192 : 0;  // 1040384 bits
    auto meta = llbmp::build_member(spec, role);
    std::mt19937 rng(1);  // the same bits on both members: check finds them consistent
    if (kind == llbmp::BitmapKind::lockless) {
      for (std::uint64_t i = 0; i < meta.chunks; ++i) meta.bitmap_area[1024 + i] = static_cast<std::uint8_t>(rng() % 8);
    } else {
      for (std::size_t i = 256; i < meta.bitmap_area.size(); ++i) meta.bitmap_area[i] = static_cast<std::uint8_t>(rng());
    }
    const char* kind_name = kind == llbmp::BitmapKind::classic ? "classic" : "lockless";
    const std::string path = (dir_ / (std::string(kind_name) + std::to_string(role) + ".img")).string();
    std::filesystem::remove(path);  // the library creates images only as new files
    llbmp::write_member_image(path, meta, spec.member_bytes);
    if (geteuid() != 0) return path;
    const std::string loop = command_output("losetup -f --show " + path + " 2>/dev/null");
    if (loop.empty()) return path;
    loops_.push_back(loop);
    return loop;
  }

  std::filesystem::path dir_;
  std::array<std::string, 2> lockless_, classic_;
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

void BM_ExamineLockless(benchmark::State& s) { time_command(s, {llbitmap_bin(), "examine", fixtures().lockless()}); }
void BM_DumpLockless(benchmark::State& s) { time_command(s, {llbitmap_bin(), "dump", fixtures().lockless()}); }
void BM_ExamineClassic(benchmark::State& s) { time_command(s, {llbitmap_bin(), "examine", fixtures().classic()}); }
void BM_MdadmXClassic(benchmark::State& s) {
  if (!fixtures().on_loop_devices()) {
    s.SkipWithError("mdadm -X needs the member on a loop device (run as root)");
    return;
  }
  time_command(s, {"mdadm", "-X", fixtures().classic()});
}

using Command = std::vector<std::string>;

double median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const std::size_t mid = values.size() / 2;
  return values.size() % 2 != 0 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
}

// The wall seconds of the commands run one after the other; 0 when one fails.
double wall_seconds(const std::vector<Command>& commands) {
  const auto start = std::chrono::steady_clock::now();
  for (const auto& c : commands)
    if (run_quietly(c) > 1) return 0;
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// A (one command) and B (commands run in sequence) in turn; the counters are
// the medians: A_ms, B_ms and ratio, the median of A/B pair by pair.
void time_pair(benchmark::State& state, const Command& a, const std::vector<Command>& b) {
  if (!fixtures().on_loop_devices()) {
    state.SkipWithError("mdadm -X needs the members on loop devices (run as root)");
    return;
  }
  std::vector<double> a_s, b_s, ratios;
  for (auto _ : state) {
    const double ta = wall_seconds({a});
    const double tb = wall_seconds(b);
    if (ta == 0 || tb == 0) {
      state.SkipWithError(("a command failed: " + (ta == 0 ? a : b.front()).front()).c_str());
      return;
    }
    a_s.push_back(ta);
    b_s.push_back(tb);
    ratios.push_back(ta / tb);
  }
  state.counters["A_ms"] = median(a_s) * 1e3;
  state.counters["B_ms"] = median(b_s) * 1e3;
  state.counters["ratio"] = median(ratios);
}

Command mdadm_x(const std::string& member) { return {"mdadm", "-X", member}; }

void BM_PairExamineClassic_vs_MdadmX(benchmark::State& s) {
  time_pair(s, {llbitmap_bin(), "examine", fixtures().classic()}, {mdadm_x(fixtures().classic())});
}
// mdadm 4.2 cannot read an llbitmap (version 6): its yardstick is mdadm -X of
// the classic member of the same room.
void BM_PairExamineLockless_vs_MdadmX(benchmark::State& s) {
  time_pair(s, {llbitmap_bin(), "examine", fixtures().lockless()}, {mdadm_x(fixtures().classic())});
}
void BM_PairCheckClassic_vs_TwoMdadmX(benchmark::State& s) {
  const auto& f = fixtures();
  time_pair(s, {llbitmap_bin(), "check", f.classic(0), f.classic(1)}, {mdadm_x(f.classic(0)), mdadm_x(f.classic(1))});
}
void BM_PairCheckLockless_vs_TwoMdadmX(benchmark::State& s) {
  const auto& f = fixtures();
  time_pair(s, {llbitmap_bin(), "check", f.lockless(0), f.lockless(1)}, {mdadm_x(f.classic(0)), mdadm_x(f.classic(1))});
}
// Start-up alone.
void BM_PairVersion_vs_MdadmVersion(benchmark::State& s) {
  time_pair(s, {llbitmap_bin(), "--version"}, {{"mdadm", "--version"}});
}

}  // namespace

BENCHMARK(BM_ExamineLockless)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);
BENCHMARK(BM_DumpLockless)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);
BENCHMARK(BM_ExamineClassic)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);
BENCHMARK(BM_MdadmXClassic)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);
BENCHMARK(BM_PairExamineClassic_vs_MdadmX)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(3.0);
BENCHMARK(BM_PairExamineLockless_vs_MdadmX)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(3.0);
BENCHMARK(BM_PairCheckClassic_vs_TwoMdadmX)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(3.0);
BENCHMARK(BM_PairCheckLockless_vs_TwoMdadmX)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(3.0);
BENCHMARK(BM_PairVersion_vs_MdadmVersion)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(3.0);
