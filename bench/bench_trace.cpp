// Trace parsing: `llbitmap simulate` of a generated trace of 3 million random
// 4 KiB writes over 1 TiB (at the kernel's chunk size for it, 8 MiB: one
// row) next to awk reading the same fields of the same file, in one run, for
// a blkparse text trace (about 205 MB) and a fio version 3 iolog. A trace of
// a tenth of the length shows that simulate's memory does not grow with it.
// The traces are written into a temporary directory and removed at exit.
// Times are the child's CPU time (user + system), so that another job on
// the machine shows less; wall_s is the wall time.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "child_process.hpp"

namespace {

constexpr std::uint64_t kWrites = 3'000'000;
constexpr std::uint64_t kSizeSectors = std::uint64_t{1} << 31;  // 1 TiB

enum Format { kBlkparse = 0, kFio = 1 };

// The same fields simulate reads: blkparse's device, action, RWBS, time,
// sector and count; fio's time, action, offset and length.
const char* awk_program(int format) {
  return format == kBlkparse ? "$1 ~ /,/ && $6 == \"Q\" && $7 ~ /[WD]/ { n++; t = $4 + 0; s += $8; c += $10 } END { print n, t, s, c }"
                             : "NR > 1 && ($3 == \"write\" || $3 == \"trim\") { n++; t = $1 + 0; s += $4; c += $5 } END { print n, t, s, c }";
}

class Traces {
 public:
  Traces() : dir_(std::filesystem::temp_directory_path() / ("llbitmap-bench-trace-" + std::to_string(getpid()))) {
    std::filesystem::create_directories(dir_);
  }
  ~Traces() {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  Traces(const Traces&) = delete;
  Traces& operator=(const Traces&) = delete;

  // Written on first use: `writes` random 8-sector writes, 10000 per second.
  std::string path(int format, std::uint64_t writes) const {
    const std::string name = (format == kBlkparse ? "trace-" : "iolog-") + std::to_string(writes);
    const auto path = (dir_ / name).string();
    if (!std::filesystem::exists(path)) write(format, writes, path);
    return path;
  }

 private:
  static void write(int format, std::uint64_t writes, const std::string& path) {
    FILE* out = std::fopen(path.c_str(), "w");
    if (out == nullptr) return;
    if (format == kFio) std::fputs("fio version 3 iolog\n0 /dev/sdb add\n0 /dev/sdb open\n", out);
    std::uint64_t state = 1;
    for (std::uint64_t i = 0; i < writes; ++i) {
      state ^= state >> 12;  // xorshift64*
      state ^= state << 25;
      state ^= state >> 27;
      const std::uint64_t sector = (state * 0x2545F4914F6CDD1DULL) % (kSizeSectors / 8) * 8;
      const std::uint64_t tenth_ms = i;  // 10000 writes per second
      if (format == kBlkparse)
        std::fprintf(out, "  8,16   %llu %8llu %4llu.%09llu  %4llu  Q  WS %llu + 8 [fio]\n", static_cast<unsigned long long>(i % 2),
                     static_cast<unsigned long long>(i + 1), static_cast<unsigned long long>(tenth_ms / 10000),
                     static_cast<unsigned long long>(tenth_ms % 10000 * 100000), static_cast<unsigned long long>(4000 + i % 7),
                     static_cast<unsigned long long>(sector));
      else
        std::fprintf(out, "%llu /dev/sdb write %llu 4096\n", static_cast<unsigned long long>(tenth_ms * 100000),
                     static_cast<unsigned long long>(sector * 512));
    }
    std::fclose(out);
  }

  std::filesystem::path dir_;
};

const Traces& traces() {
  static const Traces instance;  // removed at exit
  return instance;
}

void time_child(benchmark::State& state, const std::vector<std::string>& args, const std::string& trace) {
  double peak = 0;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    const auto run = bench::run_quietly(args);
    const std::chrono::duration<double> wall = std::chrono::steady_clock::now() - start;
    if (run.status != 0) {
      state.SkipWithError(("exit status " + std::to_string(run.status) + " from " + args[0]).c_str());
      return;
    }
    state.SetIterationTime(run.cpu_seconds);
    state.counters["wall_s"] = wall.count();
    peak = std::max(peak, run.peak_mib);
  }
  state.counters["peak_MiB"] = peak;
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(std::filesystem::file_size(trace)));
}

void BM_TraceSimulate(benchmark::State& state, int format) {
  const auto trace = traces().path(format, static_cast<std::uint64_t>(state.range(0)));
  time_child(state, {LLBITMAP_BIN, "simulate", "--size", "1T", "--quiet", trace}, trace);
}

void BM_TraceAwk(benchmark::State& state, int format) {
  const auto trace = traces().path(format, static_cast<std::uint64_t>(state.range(0)));
  time_child(state, {"awk", awk_program(format), trace}, trace);
}

}  // namespace

BENCHMARK_CAPTURE(BM_TraceSimulate, blkparse, kBlkparse)->ArgName("writes")->Arg(kWrites)->Arg(kWrites / 10)
    ->UseManualTime()->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK_CAPTURE(BM_TraceAwk, blkparse, kBlkparse)->ArgName("writes")->Arg(kWrites)
    ->UseManualTime()->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK_CAPTURE(BM_TraceSimulate, fio, kFio)->ArgName("writes")->Arg(kWrites)->Arg(kWrites / 10)
    ->UseManualTime()->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK_CAPTURE(BM_TraceAwk, fio, kFio)->ArgName("writes")->Arg(kWrites)
    ->UseManualTime()->Unit(benchmark::kMillisecond)->Iterations(3);
