// The state engine: the transition table and its rules, as ONDISK.md section 5
// states them (kernel: md-llbitmap.c, state_machine[][] and
// llbitmap_state_machine()).
#include "llbmp/state_engine.hpp"

#include <algorithm>
#include <cstring>
#if defined(__SSE2__)
#include <emmintrin.h>
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

constexpr bool marks_with_infect(State s) noexcept { return s == State::Dirty || s == State::NeedSync; }
constexpr bool wants_sync(State s) noexcept { return s == State::NeedSync || s == State::NeedSyncUnwritten; }

// next_state for all 256 byte values of one (action, mode).
struct Lut {
  std::array<std::uint16_t, 256> next{};
  Lut(Action action, const ArrayMode& mode) {
    for (unsigned b = 0; b < 256; ++b) {
      const auto s = next_state(static_cast<std::uint8_t>(b), action, mode);
      next[b] = s ? static_cast<std::uint16_t>(*s) : kNoChange;
    }
  }
};

bool uniform(const std::uint8_t* p, std::size_t n) noexcept {
  return n == 0 || std::all_of(p + 1, p + n, [first = p[0]](std::uint8_t b) { return b == first; });
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

StateCounts count_states(std::span<const std::uint8_t> bytes) noexcept {
  StateCounts counts;
  std::size_t i = 0;
#if defined(__SSE2__)
  // Per state, byte-wide equality counters in 16 lanes, folded into 64-bit
  // totals with psadbw before they can overflow (every 255 vectors).
  const std::size_t vectors = bytes.size() / 16;
  std::size_t v = 0;
  while (v < vectors) {
    const std::size_t batch = std::min<std::size_t>(255, vectors - v);
    __m128i acc[kStateCount];
    for (auto& a : acc) a = _mm_setzero_si128();
    const auto* p = reinterpret_cast<const __m128i*>(bytes.data()) + v;
    for (std::size_t k = 0; k < batch; ++k) {
      const __m128i data = _mm_loadu_si128(p + k);
      for (std::size_t s = 0; s < kStateCount; ++s)
        acc[s] = _mm_sub_epi8(acc[s], _mm_cmpeq_epi8(data, _mm_set1_epi8(static_cast<char>(s))));
    }
    for (std::size_t s = 0; s < kStateCount; ++s) {
      const __m128i sums = _mm_sad_epu8(acc[s], _mm_setzero_si128());
      counts.by_state[s] += static_cast<std::uint64_t>(_mm_cvtsi128_si64(sums)) +
                            static_cast<std::uint64_t>(_mm_cvtsi128_si64(_mm_unpackhi_epi64(sums, sums)));
    }
    v += batch;
  }
  i = vectors * 16;
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

// llbitmap_infect_dirty_bits: the kernel walks the raw bytes of the whole
// block; bytes before area offset 1024 (the header, only reachable with a
// 4 KiB io_size) are left out here.
void StateArea::infect_block(std::uint64_t block, const ArrayMode& mode, ActionOutcome& outcome) {
  const std::uint64_t begin = std::max<std::uint64_t>(block * io_size_, kStateOffset) - kStateOffset;
  const std::uint64_t end = std::min<std::uint64_t>((block + 1) * io_size_ - kStateOffset, bytes_.size());
  const auto unwritten_to = static_cast<std::uint8_t>(mode.raid456() ? State::NeedSync : State::Dirty);
  for (std::uint64_t i = begin; i < end; ++i) {
    switch (bytes_[i]) {
      case static_cast<std::uint8_t>(State::Unwritten):
        bytes_[i] = unwritten_to;
        ++outcome.coalesced;
        break;
      case static_cast<std::uint8_t>(State::Clean):
      case static_cast<std::uint8_t>(State::CleanUnwritten):
        bytes_[i] = static_cast<std::uint8_t>(State::Dirty);
        ++outcome.coalesced;
        break;
      default: break;
    }
  }
}

// llbitmap_set_page_dirty: the block is written back before the data write;
// a second Dirty/NeedSync chunk in it coalesces the whole block.
void StateArea::mark_pending(std::uint64_t chunk, bool infect, const ArrayMode& mode, ActionOutcome& outcome) {
  const std::uint64_t block = block_of(chunk);
  if (mode.degraded || !infect) {
    test_and_set_pending(block);
    return;
  }
  if (test_and_set_pending(block)) {
    infect_block(block, mode, outcome);
    return;
  }
  const std::uint64_t begin = std::max<std::uint64_t>(block * io_size_, kStateOffset) - kStateOffset;
  const std::uint64_t end = std::min<std::uint64_t>((block + 1) * io_size_ - kStateOffset, bytes_.size());
  for (std::uint64_t i = begin; i < end; ++i) {
    if (i == chunk) continue;
    if (bytes_[i] == static_cast<std::uint8_t>(State::Dirty) || bytes_[i] == static_cast<std::uint8_t>(State::NeedSync)) {
      infect_block(block, mode, outcome);
      return;
    }
  }
}

void StateArea::apply_block(Action action, std::uint64_t first, std::uint64_t last, const ArrayMode& mode,
                            ActionOutcome& outcome) {
  for (std::uint64_t i = first; i <= last; ++i) {
    const std::uint8_t c = bytes_[i];
    if (c == static_cast<std::uint8_t>(State::NeedSync) || c == static_cast<std::uint8_t>(State::NeedSyncUnwritten))
      outcome.wants_resync = true;
    const auto to = next_state(c, action, mode);
    outcome.last = to;
    if (!to) continue;
    bytes_[i] = static_cast<std::uint8_t>(*to);
    ++outcome.changed;
    if (marks_with_infect(*to))
      mark_pending(i, true, mode, outcome);
    else if (*to == State::NeedSyncUnwritten)
      mark_pending(i, false, mode, outcome);
    if (wants_sync(*to)) outcome.wants_resync = true;
    if (*to == State::Dirty) outcome.armed_daemon = true;
  }
}

ActionOutcome StateArea::apply(Action action, std::uint64_t first, std::uint64_t last, const ArrayMode& mode) {
  ActionOutcome outcome;
  if (chunks_ == 0 || first >= chunks_) return outcome;
  last = std::min(last, chunks_ - 1);
  const Lut lut(action, mode);
  std::uint64_t i = first;
  while (i <= last) {
    // One io_size block at a time: a block whose chunks only take states that
    // are not written back at once is a plain table look-up; any other block is
    // walked chunk by chunk, because coalescing depends on the order.
    const std::uint64_t block_end = std::min(last, (block_of(i) + 1) * io_size_ - kStateOffset - 1);
    const std::uint8_t* p = bytes_.data() + i;
    const std::size_t n = static_cast<std::size_t>(block_end - i + 1);
    if (uniform(p, n)) {
      const std::uint16_t to = lut.next[p[0]];
      const bool cheap = to == kNoChange || (!marks_with_infect(static_cast<State>(to)) &&
                                             static_cast<State>(to) != State::NeedSyncUnwritten);
      if (cheap) {
        const std::uint8_t c = p[0];
        if (c == static_cast<std::uint8_t>(State::NeedSync) || c == static_cast<std::uint8_t>(State::NeedSyncUnwritten))
          outcome.wants_resync = true;
        if (to != kNoChange) {
          std::memset(bytes_.data() + i, static_cast<int>(to), n);
          outcome.changed += n;
          outcome.last = static_cast<State>(to);
        } else {
          outcome.last = std::nullopt;
        }
        i = block_end + 1;
        continue;
      }
    }
    apply_block(action, i, block_end, mode, outcome);
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
