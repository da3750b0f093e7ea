// State-engine throughput over a 1 GiB state array, next to memcpy of the same
// size in the same run: per-state counting (count_states) and the range
// actions of StateArea::apply. Two inputs: a realistic array (mostly clean,
// scattered runs of the other states) and random bytes (every byte value,
// invalid ones included). LLBITMAP_BENCH_BYTES overrides the size.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "engine/state_engine.hpp"

namespace {

using llbmp::Action;
using llbmp::State;

std::size_t array_bytes() {
  const char* env = std::getenv("LLBITMAP_BENCH_BYTES");
  return env != nullptr ? static_cast<std::size_t>(std::stoull(env)) : std::size_t{1} << 30;
}

// Mostly clean; every 64 KiB on average a run of 1..256 chunks of another
// state (dirty most often), like an array a few minutes after a burst of writes.
std::vector<std::uint8_t> realistic_states(std::size_t n) {
  std::vector<std::uint8_t> bytes(n, static_cast<std::uint8_t>(State::Clean));
  std::mt19937_64 rng(42);
  constexpr std::uint8_t kRunStates[] = {2, 2, 2, 2, 3, 4, 0, 7};
  std::uniform_int_distribution<std::size_t> gap(0, 2 * 65536);
  std::uniform_int_distribution<std::size_t> length(1, 256);
  std::uniform_int_distribution<std::size_t> pick(0, std::size(kRunStates) - 1);
  for (std::size_t at = gap(rng); at < n; at += gap(rng)) {
    const std::size_t len = std::min(length(rng), n - at);
    std::memset(bytes.data() + at, kRunStates[pick(rng)], len);
    at += len;
  }
  return bytes;
}

std::vector<std::uint8_t> random_bytes(std::size_t n) {
  std::vector<std::uint8_t> bytes(n);
  std::mt19937_64 rng(7);
  for (std::size_t i = 0; i + 8 <= n; i += 8) {
    const std::uint64_t v = rng();
    std::memcpy(bytes.data() + i, &v, 8);
  }
  return bytes;
}

std::vector<std::uint8_t> make_input(bool random) {
  const std::size_t n = array_bytes();
  return random ? random_bytes(n) : realistic_states(n);
}

void set_bytes(benchmark::State& state, std::size_t per_iteration) {
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * per_iteration));
}

void BM_Memcpy(benchmark::State& state) {
  const std::vector<std::uint8_t> src = make_input(false);
  std::vector<std::uint8_t> dst(src.size());
  for (auto _ : state) {
    std::memcpy(dst.data(), src.data(), src.size());
    benchmark::ClobberMemory();
  }
  benchmark::DoNotOptimize(dst.data());
  set_bytes(state, src.size());
}

void BM_CountStates(benchmark::State& state) {
  const std::vector<std::uint8_t> bytes = make_input(state.range(0) != 0);
  for (auto _ : state) {
    auto counts = llbmp::count_states(bytes);
    benchmark::DoNotOptimize(counts);
  }
  set_bytes(state, bytes.size());
}

// One action over every chunk, in ranges of `range` chunks (one call per
// range, as the kernel calls the state machine per bio); the area is
// restored from the input, untimed, before each iteration.
void run_action(benchmark::State& state, Action action, std::int32_t level, std::uint64_t range) {
  const std::vector<std::uint8_t> input = make_input(state.range(0) != 0);
  const std::uint64_t chunks = input.size();
  const llbmp::ArrayMode mode{.level = level};
  for (auto _ : state) {
    state.PauseTiming();
    llbmp::StateArea area(input, chunks);
    state.ResumeTiming();
    for (std::uint64_t first = 0; first < chunks; first += range) {
      auto outcome = area.apply(action, first, first + range - 1, mode);
      benchmark::DoNotOptimize(outcome);
    }
    state.PauseTiming();
    benchmark::DoNotOptimize(area.at(0));
    { [[maybe_unused]] const llbmp::StateArea release = std::move(area); }
    state.ResumeTiming();
  }
  set_bytes(state, input.size());
}

constexpr std::uint64_t kWhole = ~std::uint64_t{0} >> 1;

void BM_Reload(benchmark::State& s) { run_action(s, Action::Reload, 1, kWhole); }
void BM_Daemon(benchmark::State& s) { run_action(s, Action::Daemon, 1, kWhole); }
void BM_Endsync(benchmark::State& s) { run_action(s, Action::Endsync, 1, kWhole); }
void BM_Startwrite_raid1(benchmark::State& s) { run_action(s, Action::Startwrite, 1, kWhole); }
void BM_Startwrite_raid5(benchmark::State& s) { run_action(s, Action::Startwrite, 5, kWhole); }
// One call per 16 chunks (a 1 MiB write on 64 KiB chunks): call overhead.
void BM_Startwrite_bio16_raid1(benchmark::State& s) { run_action(s, Action::Startwrite, 1, 16); }

// Arg 0: realistic array; 1: random bytes.
constexpr int kIterations = 3;
BENCHMARK(BM_Memcpy)->Iterations(kIterations)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_CountStates)->ArgName("random")->Arg(0)->Arg(1)->Iterations(kIterations)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Reload)->ArgName("random")->Arg(0)->Arg(1)->Iterations(kIterations)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Daemon)->ArgName("random")->Arg(0)->Arg(1)->Iterations(kIterations)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Endsync)->ArgName("random")->Arg(0)->Arg(1)->Iterations(kIterations)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Startwrite_raid1)->ArgName("random")->Arg(0)->Arg(1)->Iterations(kIterations)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Startwrite_raid5)->ArgName("random")->Arg(0)->Arg(1)->Iterations(kIterations)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Startwrite_bio16_raid1)->ArgName("random")->Arg(0)->Arg(1)->Iterations(kIterations)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
