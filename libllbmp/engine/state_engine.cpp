// The state engine: the transition table and its rules, as ONDISK.md section 5
// states them (kernel: md-llbitmap.c, state_machine[][] and
// llbitmap_state_machine()).
#include "engine/state_engine.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace llbmp {

namespace {

using S = State;
constexpr std::optional<State> x = std::nullopt;

// Rows: from-state; columns: Startwrite, Startsync, Endsync, Abortsync, Reload,
// Daemon, Discard, Stale, ProactiveSync, ClearUnwritten.
constexpr std::optional<State> kTable[kStateCount][kActionCount] = {
    /* Unwritten */ {S::Dirty, x, x, x, x, x, x, x, S::NeedSyncUnwritten, x},
    /* Clean */ {S::Dirty, x, x, x, x, x, S::Unwritten, S::NeedSync, x, x},
    /* Dirty */ {x, x, x, x, S::NeedSync, S::Clean, S::Unwritten, S::NeedSync, x, x},
    /* NeedSync */ {x, S::Syncing, x, x, x, x, S::Unwritten, x, x, x},
    /* Syncing */ {x, S::Syncing, S::Dirty, S::NeedSync, S::NeedSync, x, S::Unwritten, S::NeedSync, x, x},
    /* NeedSyncUnwritten */
    {S::NeedSync, S::SyncingUnwritten, x, S::Unwritten, S::Unwritten, x, S::Unwritten, S::Unwritten, x, S::Unwritten},
    /* SyncingUnwritten */
    {S::Syncing, S::SyncingUnwritten, S::CleanUnwritten, S::Unwritten, S::Unwritten, x, S::Unwritten, S::Unwritten, x,
     S::Unwritten},
    /* CleanUnwritten */ {S::Dirty, x, x, x, x, x, S::Unwritten, S::Unwritten, x, S::Unwritten},
};

constexpr std::string_view kStateKeys[kStateCount] = {
    "unwritten", "clean", "dirty", "need_sync", "syncing", "need_sync_unwritten", "syncing_unwritten", "clean_unwritten"};
constexpr std::string_view kStateSysfs[kStateCount] = {
    "unwritten", "clean", "dirty", "need sync", "syncing", "need sync unwritten", "syncing unwritten", "clean unwritten"};
constexpr std::string_view kActionNames[kActionCount] = {"startwrite", "startsync", "endsync", "abortsync", "reload",
                                                         "daemon", "discard", "stale", "proactivesync", "clearunwritten"};

constexpr std::uint16_t kNoChange = 0x100;
using Transitions = std::array<std::uint16_t, 256>;

constexpr bool marks_with_infect(State s) noexcept { return s == State::Dirty || s == State::NeedSync; }
constexpr bool wants_sync(State s) noexcept { return s == State::NeedSync || s == State::NeedSyncUnwritten; }
constexpr bool wants_sync_byte(std::uint8_t b) noexcept { return b == 3 || b == 5; }
// Bytes a coalescing pass (llbitmap_infect_dirty_bits) rewrites.
constexpr bool infectable(std::uint16_t b) noexcept { return b == 0 || b == 1 || b == 7; }
// A transition that marks no block: chunks taking it are independent of each other.
constexpr bool cheap(std::uint16_t to) noexcept { return to == kNoChange || (to != 2 && to != 3 && to != 5); }

// next_state depends on the mode only through these three bits.
constexpr std::size_t kModeVariants = 8;
std::size_t mode_index(const ArrayMode& mode) noexcept {
  return (mode.degraded ? 4u : 0u) | (mode.kernel_618 ? 2u : 0u) | (mode.raid456() ? 1u : 0u);
}

// next_state for all 256 byte values of every (action, mode), built once.
const Transitions& transitions(Action action, const ArrayMode& mode) {
  static const auto tables = [] {
    std::array<Transitions, kActionCount * kModeVariants> t{};
    for (std::size_t a = 0; a < kActionCount; ++a)
      for (std::size_t m = 0; m < kModeVariants; ++m) {
        const ArrayMode variant{(m & 1) != 0 ? 5 : 1, (m & 4) != 0, (m & 2) != 0};
        for (unsigned b = 0; b < 256; ++b) {
          const auto to = next_state(static_cast<std::uint8_t>(b), static_cast<Action>(a), variant);
          t[a * kModeVariants + m][b] = to ? static_cast<std::uint16_t>(*to) : kNoChange;
        }
      }
    return t;
  }();
  return tables[static_cast<std::size_t>(action) * kModeVariants + mode_index(mode)];
}

// Length of the run of byte c at the start of p[0, n).
std::size_t run_length(const std::uint8_t* p, std::size_t n, std::uint8_t c) noexcept {
  std::size_t i = 0;
#if defined(__SSE2__)
  const __m128i v = _mm_set1_epi8(static_cast<char>(c));
  const auto* q = reinterpret_cast<const __m128i*>(p);
  for (; i + 64 <= n; i += 64, q += 4) {
    const __m128i eq = _mm_and_si128(_mm_and_si128(_mm_cmpeq_epi8(_mm_loadu_si128(q), v), _mm_cmpeq_epi8(_mm_loadu_si128(q + 1), v)),
                                     _mm_and_si128(_mm_cmpeq_epi8(_mm_loadu_si128(q + 2), v), _mm_cmpeq_epi8(_mm_loadu_si128(q + 3), v)));
    if (_mm_movemask_epi8(eq) != 0xffff) break;
  }
  for (; i + 16 <= n; i += 16) {
    const int mask = _mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i)), v));
    if (mask != 0xffff) return i + static_cast<std::size_t>(__builtin_ctz(~static_cast<unsigned>(mask)));
  }
#endif
  while (i < n && p[i] == c) ++i;
  return i;
}

// Whether p[0, n) holds a Dirty or NeedSync byte.
bool has_dirty(const std::uint8_t* p, std::size_t n) noexcept {
  std::size_t i = 0;
#if defined(__SSE2__)
  const __m128i dirty = _mm_set1_epi8(static_cast<char>(State::Dirty));
  const __m128i need_sync = _mm_set1_epi8(static_cast<char>(State::NeedSync));
  for (; i + 16 <= n; i += 16) {
    const __m128i data = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
    if (_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(data, dirty), _mm_cmpeq_epi8(data, need_sync))) != 0) return true;
  }
#endif
  for (; i < n; ++i)
    if (p[i] == static_cast<std::uint8_t>(State::Dirty) || p[i] == static_cast<std::uint8_t>(State::NeedSync)) return true;
  return false;
}

#if defined(__SSE2__)
// infect_bytes over 16 bytes at once: Unwritten becomes unwritten_to, Clean
// and CleanUnwritten become Dirty.
class Infect16 {
public:
  explicit Infect16(std::uint8_t unwritten_to) noexcept : to_unwritten_(_mm_set1_epi8(static_cast<char>(unwritten_to))) {}

  // Returns the bytes changed among p[0, 16).
  std::uint64_t apply(std::uint8_t* p) const noexcept {
    auto* q = reinterpret_cast<__m128i*>(p);
    const __m128i data = _mm_loadu_si128(q);
    const __m128i m0 = _mm_cmpeq_epi8(data, unwritten_);
    const __m128i m1 = _mm_or_si128(_mm_cmpeq_epi8(data, clean_), _mm_cmpeq_epi8(data, clean_unwritten_));
    const __m128i any = _mm_or_si128(m0, m1);
    const int mask = _mm_movemask_epi8(any);
    if (mask == 0) return 0;
    const __m128i kept = _mm_andnot_si128(any, data);
    _mm_storeu_si128(q, _mm_or_si128(kept, _mm_or_si128(_mm_and_si128(m0, to_unwritten_), _mm_and_si128(m1, to_dirty_))));
    return static_cast<std::uint64_t>(std::popcount(static_cast<unsigned>(mask)));
  }

private:
  __m128i unwritten_ = _mm_set1_epi8(static_cast<char>(State::Unwritten));
  __m128i clean_ = _mm_set1_epi8(static_cast<char>(State::Clean));
  __m128i clean_unwritten_ = _mm_set1_epi8(static_cast<char>(State::CleanUnwritten));
  __m128i to_unwritten_;
  __m128i to_dirty_ = _mm_set1_epi8(static_cast<char>(State::Dirty));
};
#endif

// llbitmap_infect_dirty_bits over p[0, n): Unwritten becomes unwritten_to,
// Clean and CleanUnwritten become Dirty. Returns the bytes changed.
std::uint64_t infect_bytes(std::uint8_t* p, std::size_t n, std::uint8_t unwritten_to) noexcept {
  std::uint64_t changed = 0;
  std::size_t i = 0;
#if defined(__SSE2__)
  const Infect16 infect(unwritten_to);
  for (; i + 64 <= n; i += 64) {
    // A group of one byte value (most of a block) is one memset or nothing.
    const std::uint8_t first = p[i];
    if (run_length(p + i, 64, first) == 64) {
      if (first == static_cast<std::uint8_t>(State::Unwritten) || first == static_cast<std::uint8_t>(State::Clean) ||
          first == static_cast<std::uint8_t>(State::CleanUnwritten)) {
        std::memset(p + i, first == static_cast<std::uint8_t>(State::Unwritten) ? unwritten_to : 2, 64);
        changed += 64;
      }
      continue;
    }
    for (std::size_t k = i; k < i + 64; k += 16) changed += infect.apply(p + k);
  }
  for (; i + 16 <= n; i += 16) changed += infect.apply(p + i);
#endif
  for (; i < n; ++i) {
    if (p[i] == static_cast<std::uint8_t>(State::Unwritten)) {
      p[i] = unwritten_to;
      ++changed;
    } else if (p[i] == static_cast<std::uint8_t>(State::Clean) || p[i] == static_cast<std::uint8_t>(State::CleanUnwritten)) {
      p[i] = static_cast<std::uint8_t>(State::Dirty);
      ++changed;
    }
  }
  return changed;
}

}  // namespace

std::string_view state_key(State state) noexcept { return kStateKeys[static_cast<std::size_t>(state)]; }
std::string_view state_sysfs_name(State state) noexcept { return kStateSysfs[static_cast<std::size_t>(state)]; }
std::string_view action_name(Action action) noexcept { return kActionNames[static_cast<std::size_t>(action)]; }

std::optional<State> parse_state(std::string_view text) noexcept {
  for (std::size_t i = 0; i < kStateCount; ++i)
    if (text == kStateKeys[i] || text == kStateSysfs[i]) return static_cast<State>(i);
  if (text.size() == 1 && text[0] >= '0' && text[0] <= '7') return static_cast<State>(text[0] - '0');
  return std::nullopt;
}

std::optional<Action> parse_action(std::string_view text) noexcept {
  for (std::size_t i = 0; i < kActionCount; ++i)
    if (text == kActionNames[i]) return static_cast<Action>(i);
  return std::nullopt;
}

std::optional<State> table_transition(State from, Action action) noexcept {
  return kTable[static_cast<std::size_t>(from)][static_cast<std::size_t>(action)];
}

std::optional<State> next_state(std::uint8_t byte, Action action, const ArrayMode& mode) noexcept {
  // Rule 1: an invalid byte becomes NeedSync whatever the action.
  if (!is_valid_state(byte) || (mode.kernel_618 && byte >= static_cast<std::uint8_t>(State::NeedSyncUnwritten)))
    return State::NeedSync;
  const State from = static_cast<State>(byte);
  std::optional<State> to = table_transition(from, action);
  if (mode.degraded) {
    // Rule 2: new data on a degraded array needs a sync; Dirty is synced too.
    if (to == State::Dirty && action == Action::Startwrite) return State::NeedSync;
    if (from == State::Dirty && action == Action::Startsync) return State::Syncing;
    if (action == Action::Daemon) return std::nullopt;  // the daemon does nothing while degraded
  } else if (mode.raid456() && from == State::Unwritten && to == State::Dirty && action == Action::Startwrite) {
    return State::NeedSync;  // Rule 3: the parity of a first write is built lazily.
  }
  return to;
}

std::uint64_t StateCounts::total() const noexcept {
  std::uint64_t sum = invalid;
  for (const auto n : by_state) sum += n;
  return sum;
}

std::uint64_t StateCounts::not_in_sync() const noexcept {
  return invalid + of(State::Dirty) + of(State::NeedSync) + of(State::Syncing) + of(State::NeedSyncUnwritten) +
         of(State::SyncingUnwritten);
}

StateCounts& StateCounts::operator+=(const StateCounts& other) noexcept {
  for (std::size_t i = 0; i < kStateCount; ++i) by_state[i] += other.by_state[i];
  invalid += other.invalid;
  return *this;
}

namespace {

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define LLBMP_HAVE_AVX2_PATH 1
// 64 bytes at a time: a block of one byte value adds 64 to that state at
// once (most of a real array); any other block adds its per-state equality
// masks to byte-wide lane counters, folded into the totals with vpsadbw
// before they can overflow. Returns the bytes counted.
__attribute__((target("avx2"))) std::size_t count_avx2(const std::uint8_t* p, std::size_t n,
                                                       std::array<std::uint64_t, kStateCount>& by_state) noexcept {
  const std::size_t blocks = n / 64;
  std::size_t b = 0;
  while (b < blocks) {
    __m256i acc[kStateCount];
    for (auto& a : acc) a = _mm256_setzero_si256();
    // Each counted block adds at most 2 to a lane: 127 blocks stay below 255.
    for (unsigned counted = 0; b < blocks && counted < 127; ++b) {
      const std::uint8_t* q = p + b * 64;
      const __m256i x0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(q));
      const __m256i x1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(q + 32));
      const __m256i first = _mm256_set1_epi8(static_cast<char>(q[0]));
      const __m256i same = _mm256_and_si256(_mm256_cmpeq_epi8(x0, first), _mm256_cmpeq_epi8(x1, first));
      if (_mm256_movemask_epi8(same) == -1) {
        if (is_valid_state(q[0])) by_state[q[0]] += 64;
        continue;
      }
      ++counted;
      // Unrolled so that the eight accumulators live in registers (-O2 keeps
      // an indexed loop over a local array in memory).
#pragma GCC unroll 8
      for (std::size_t s = 0; s < kStateCount; ++s) {
        const __m256i v = _mm256_set1_epi8(static_cast<char>(s));
        acc[s] = _mm256_sub_epi8(acc[s], _mm256_cmpeq_epi8(x0, v));
        acc[s] = _mm256_sub_epi8(acc[s], _mm256_cmpeq_epi8(x1, v));
      }
    }
    for (std::size_t s = 0; s < kStateCount; ++s) {
      const __m256i sums = _mm256_sad_epu8(acc[s], _mm256_setzero_si256());
      by_state[s] += static_cast<std::uint64_t>(_mm256_extract_epi64(sums, 0)) +
                     static_cast<std::uint64_t>(_mm256_extract_epi64(sums, 1)) +
                     static_cast<std::uint64_t>(_mm256_extract_epi64(sums, 2)) +
                     static_cast<std::uint64_t>(_mm256_extract_epi64(sums, 3));
    }
  }
  return blocks * 64;
}
#endif

#if defined(__SSE2__)
// Per state, byte-wide equality counters in 16 lanes, folded into 64-bit
// totals with psadbw before they can overflow (every 255 vectors).
std::size_t count_sse2(const std::uint8_t* p, std::size_t n, std::array<std::uint64_t, kStateCount>& by_state) noexcept {
  const std::size_t vectors = n / 16;
  std::size_t v = 0;
  while (v < vectors) {
    const std::size_t batch = std::min<std::size_t>(255, vectors - v);
    __m128i acc[kStateCount];
    for (auto& a : acc) a = _mm_setzero_si128();
    const auto* q = reinterpret_cast<const __m128i*>(p) + v;
    for (std::size_t k = 0; k < batch; ++k) {
      const __m128i data = _mm_loadu_si128(q + k);
#pragma GCC unroll 8
      for (std::size_t s = 0; s < kStateCount; ++s)
        acc[s] = _mm_sub_epi8(acc[s], _mm_cmpeq_epi8(data, _mm_set1_epi8(static_cast<char>(s))));
    }
    for (std::size_t s = 0; s < kStateCount; ++s) {
      const __m128i sums = _mm_sad_epu8(acc[s], _mm_setzero_si128());
      by_state[s] += static_cast<std::uint64_t>(_mm_cvtsi128_si64(sums)) +
                     static_cast<std::uint64_t>(_mm_cvtsi128_si64(_mm_unpackhi_epi64(sums, sums)));
    }
    v += batch;
  }
  return vectors * 16;
}
#endif

}  // namespace

StateCounts count_states(std::span<const std::uint8_t> bytes) noexcept {
  StateCounts counts;
  std::size_t i = 0;
#if defined(LLBMP_HAVE_AVX2_PATH)
  if (__builtin_cpu_supports("avx2")) i = count_avx2(bytes.data(), bytes.size(), counts.by_state);
#endif
#if defined(__SSE2__)
  if (i == 0) i = count_sse2(bytes.data(), bytes.size(), counts.by_state);
#endif
  for (; i < bytes.size(); ++i)
    if (is_valid_state(bytes[i])) ++counts.by_state[bytes[i]];
  std::uint64_t valid = 0;
  for (const auto n : counts.by_state) valid += n;
  counts.invalid = bytes.size() - valid;
  return counts;
}

std::vector<StateRun> state_runs(std::span<const std::uint8_t> bytes, std::uint64_t base) {
  std::vector<StateRun> runs;
  std::size_t i = 0;
  while (i < bytes.size()) {
    const std::uint8_t b = bytes[i];
    const auto* end = std::find_if(bytes.data() + i + 1, bytes.data() + bytes.size(),
                                   [b](std::uint8_t c) { return c != b; });
    const std::size_t j = static_cast<std::size_t>(end - bytes.data());
    runs.push_back({base + i, base + j - 1, b});
    i = j;
  }
  return runs;
}

StateArea::StateArea(std::vector<std::uint8_t> bytes, std::uint64_t chunks, std::uint32_t io_size)
    : bytes_(std::move(bytes)), chunks_(chunks), io_size_(io_size == 0 ? 512 : io_size) {
  if (bytes_.size() < chunks_) bytes_.resize(chunks_, 0);
  if (is_power_of_two(io_size_)) io_shift_ = static_cast<unsigned>(std::countr_zero(io_size_));
  pending_.assign(static_cast<std::size_t>(div_round_up(kStateOffset + bytes_.size(), io_size_)), false);
}

bool StateArea::test_and_set_pending(std::uint64_t block) {
  const bool was = pending_[block];
  if (!was) {
    pending_[block] = true;
    ++pending_count_;
  }
  return was;
}

std::vector<std::uint64_t> StateArea::take_pending() {
  std::vector<std::uint64_t> blocks;
  blocks.reserve(pending_count_);
  for (std::size_t b = 0; b < pending_.size() && blocks.size() < pending_count_; ++b)
    if (pending_[b]) {
      blocks.push_back(b);
      pending_[b] = false;
    }
  pending_count_ = 0;
  return blocks;
}

void StateArea::clear_pending(std::uint64_t first, std::uint64_t end) noexcept {
  for (std::uint64_t b = first; b < end && b < pending_.size(); ++b)
    if (pending_[b]) {
      pending_[b] = false;
      --pending_count_;
    }
}

// llbitmap_infect_dirty_bits: the kernel walks the raw bytes of the whole
// block; bytes before area offset 1024 (the header, only reachable with a
// 4 KiB io_size) are left out here. After one pass over the block, only the
// bytes written since can need it again: the tracker limits the walk to them.
void StateArea::infect_block(const BlockBytes& blk, const ArrayMode& mode, ActionOutcome& outcome,
                             InfectTracker& tracker) {
  std::uint64_t begin = blk.begin;
  std::uint64_t end = blk.end;
  if (tracker.swept) {
    begin = std::max(begin, tracker.since_first);
    end = std::min(end, tracker.since_end);
  }
  const auto unwritten_to = static_cast<std::uint8_t>(mode.raid456() ? State::NeedSync : State::Dirty);
  if (begin < end) outcome.coalesced += infect_bytes(bytes_.data() + begin, static_cast<std::size_t>(end - begin), unwritten_to);
  tracker = {true, 0, 0};
}

// llbitmap_set_page_dirty: the block is written back before the data write;
// a second Dirty/NeedSync chunk in it coalesces the whole block.
void StateArea::mark_pending(std::uint64_t chunk, const BlockBytes& blk, bool infect, const ArrayMode& mode,
                             ActionOutcome& outcome, InfectTracker& tracker) {
  if (mode.degraded || !infect) {
    test_and_set_pending(blk.block);
    return;
  }
  if (test_and_set_pending(blk.block)) {
    infect_block(blk, mode, outcome, tracker);
    return;
  }
  const std::uint64_t begin = blk.begin;
  const std::uint64_t end = blk.end;
  const std::uint8_t* p = bytes_.data();
  if (has_dirty(p + begin, static_cast<std::size_t>(chunk - begin)) ||
      (chunk + 1 < end && has_dirty(p + chunk + 1, static_cast<std::size_t>(end - chunk - 1))))
    infect_block(blk, mode, outcome, tracker);
}

std::uint64_t StateArea::write(std::uint64_t chunk, State state, const ArrayMode& mode) {
  bytes_[chunk] = static_cast<std::uint8_t>(state);
  ActionOutcome outcome;
  InfectTracker tracker;
  if (marks_with_infect(state) || state == State::NeedSyncUnwritten)
    mark_pending(chunk, block_bytes(block_of(chunk)), state != State::NeedSyncUnwritten, mode, outcome, tracker);
  return outcome.coalesced;
}

// Chunks [first, last] of one block, in order: coalescing depends on it.
void StateArea::apply_block(const Transitions& next, std::uint64_t first, std::uint64_t last, const ArrayMode& mode,
                            ActionOutcome& outcome) {
  InfectTracker tracker;
  const BlockBytes blk = block_bytes(block_of(first));
  for (std::uint64_t i = first; i <= last; ++i) {
    const std::uint8_t c = bytes_[i];
    if (wants_sync_byte(c)) outcome.wants_resync = true;
    const std::uint16_t t = next[c];
    if (t == kNoChange) {
      // A run of bytes the action leaves alone: skipped at once.
      outcome.last = std::nullopt;
      i += run_length(bytes_.data() + i, static_cast<std::size_t>(last + 1 - i), c) - 1;
      continue;
    }
    const auto to = static_cast<State>(t);
    outcome.last = to;
    bytes_[i] = static_cast<std::uint8_t>(t);
    ++outcome.changed;
    if (infectable(t)) {
      tracker.since_first = tracker.since_first == tracker.since_end ? i : tracker.since_first;
      tracker.since_end = i + 1;
    }
    if (marks_with_infect(to))
      mark_pending(i, blk, true, mode, outcome, tracker);
    else if (to == State::NeedSyncUnwritten)
      mark_pending(i, blk, false, mode, outcome, tracker);
    if (wants_sync(to)) outcome.wants_resync = true;
    if (to == State::Dirty) outcome.armed_daemon = true;
  }
}

ActionOutcome StateArea::apply(Action action, std::uint64_t first, std::uint64_t last, const ArrayMode& mode) {
  ActionOutcome outcome;
  if (chunks_ == 0 || first >= chunks_) return outcome;
  last = std::min(last, chunks_ - 1);
  const Transitions& next = transitions(action, mode);
  std::uint64_t i = first;
  while (i <= last) {
    // Chunks whose transition marks no block are independent of each other:
    // a run of one such byte over whole blocks is one table look-up and a
    // memset. Any other block is walked chunk by chunk, because coalescing
    // depends on the order.
    const std::uint64_t block_end = std::min(last, block_end_byte(block_of(i)) - 1);
    const std::uint8_t c = bytes_[i];
    const std::uint16_t to = next[c];
    if (cheap(to)) {
      const std::uint64_t run = i + run_length(bytes_.data() + i, static_cast<std::size_t>(last + 1 - i), c);
      if (run > block_end) {
        const std::uint64_t stop = run == last + 1 ? run : std::max(block_end + 1, block_first_byte(block_of(run)));
        if (wants_sync_byte(c)) outcome.wants_resync = true;
        if (to != kNoChange) {
          std::memset(bytes_.data() + i, static_cast<int>(to), static_cast<std::size_t>(stop - i));
          outcome.changed += stop - i;
          outcome.last = static_cast<State>(to);
        } else {
          outcome.last = std::nullopt;
        }
        i = stop;
        continue;
      }
    }
    apply_block(next, i, block_end, mode, outcome);
    i = block_end + 1;
  }
  if (mode.degraded) outcome.wants_resync = false;
  outcome.lazy_recovery = outcome.wants_resync && mode.raid456();
  return outcome;
}

ActionOutcome StateArea::apply_all(Action action, const ArrayMode& mode) {
  return chunks_ == 0 ? ActionOutcome{} : apply(action, 0, chunks_ - 1, mode);
}

}  // namespace llbmp
