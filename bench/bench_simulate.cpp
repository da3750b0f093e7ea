// simulate throughput: 10 million synthetic 4 KiB writes through the
// Simulator (daemon timer, barrier_idle, unplug write-back, coalescing), in
// events per second, with the process's peak memory. Random writes over
// 256 GiB at 64 KiB chunks (4 Mi chunks) and sequential ones.
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include "inspect/replay_members.hpp"
#include "write/replay_commit.hpp"
#include "engine/simulate.hpp"

namespace {

constexpr std::uint64_t kEvents = 10'000'000;
constexpr std::uint64_t kSize = std::uint64_t{256} << 21;  // 256 GiB in sectors

double peak_rss_mib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

void BM_Simulate(benchmark::State& state) {
  const bool random = state.range(0) != 0;
  std::uint64_t events = 0;
  for (auto _ : state) {
    llbmp::SimulateConfig c;
    c.size_sectors = kSize;
    c.chunk_sectors = 128;
    llbmp::Simulator sim(c);
    llbmp::SyntheticWorkload w(random, 1, kEvents, kSize, 8, 100000);
    while (auto e = w.next()) sim.feed(*e);
    benchmark::DoNotOptimize(sim.finish());
    events += kEvents;
  }
  state.counters["events/s"] = benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
  state.counters["peak_MiB"] = peak_rss_mib();
}

}  // namespace

BENCHMARK(BM_Simulate)->ArgName("random")->Arg(0)->Arg(1)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();

namespace {

// replay-resync's walk over a full 128 KiB state area (130048 chunks):
// mostly Clean with a Dirty chunk every 97 chunks (every block coalesces).
void BM_ReplayWalk(benchmark::State& state) {
  const std::uint64_t chunks = 128 * 1024 - 1024;
  std::vector<std::uint8_t> bytes(chunks, static_cast<std::uint8_t>(llbmp::State::Clean));
  for (std::uint64_t i = 0; i < chunks; i += 97) bytes[i] = static_cast<std::uint8_t>(llbmp::State::Dirty);
  llbmp::ReplayGeometry g;
  g.chunk_sectors = 128;
  g.chunks = chunks;
  g.sync_sectors = chunks * 128;
  for (auto _ : state) benchmark::DoNotOptimize(llbmp::replay_bytes(bytes, g, llbmp::ReplaySetup{}));
}

}  // namespace

BENCHMARK(BM_ReplayWalk)->Unit(benchmark::kMillisecond);
