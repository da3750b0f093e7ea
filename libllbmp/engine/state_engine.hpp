// The llbitmap state engine (ONDISK.md section 5): eight states, ten actions,
// one transition table, and the rules the kernel applies on top of it
// (llbitmap_state_machine and llbitmap_set_page_dirty in md-llbitmap.c). The
// states and their counts are public: llbmp/state.hpp.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "format/geometry.hpp"
#include "format/personality.hpp"
#include "llbmp/state.hpp"

namespace llbmp {

enum class Action : std::uint8_t {
  Startwrite,
  Startsync,
  Endsync,
  Abortsync,
  Reload,
  Daemon,
  Discard,
  Stale,
  ProactiveSync,
  ClearUnwritten,
};
inline constexpr std::size_t kActionCount = 10;

std::optional<State> parse_state(std::string_view text) noexcept;  // key, sysfs name or number
std::string_view action_name(Action action) noexcept;              // "startwrite", ...
std::optional<Action> parse_action(std::string_view text) noexcept;

// "Needs a resync": not known to be in sync. Counted as dirty in examine's Bitmap line.
constexpr bool counts_as_dirty(std::uint8_t byte) noexcept {
  return !is_valid_state(byte) || byte == 2 || byte == 3 || byte == 4 || byte == 5 || byte == 6;
}

// The order in which one state stands for many chunks (dump --map and the
// pictures show it for a cell): what leaves the most to resync ranks highest,
// an invalid byte above every state. worst_state (inspect/check.hpp) is the
// merge of disagreeing copies, a different rule.
constexpr int resync_rank(std::uint8_t byte) noexcept {
  constexpr std::array<int, kStateCount> kRank{1, 3, 6, 8, 7, 5, 4, 2};  // by State value
  return is_valid_state(byte) ? kRank[byte] : 9;
}

// The table of ONDISK.md section 5; nullopt is "x" (no change).
std::optional<State> table_transition(State from, Action action) noexcept;

struct ArrayMode {
  std::int32_t level = 1;
  bool degraded = false;
  // 6.18-era kernels know only states 0-4: bytes 5-7 are invalid there (ONDISK.md section 7).
  bool kernel_618 = false;
  // Rule 3 (a first write leaves NeedSync): the levels that build parity lazily.
  bool raid456() const noexcept { return has_lazy_recovery(level); }
};

// One chunk: the table plus rules 1-3 (invalid bytes, degraded, raid4/5/6 first
// write). nullopt means the chunk is left as it is.
std::optional<State> next_state(std::uint8_t byte, Action action, const ArrayMode& mode) noexcept;

StateCounts count_states(std::span<const std::uint8_t> bytes) noexcept;

struct StateRun {
  std::uint64_t first;
  std::uint64_t last;  // inclusive
  std::uint8_t byte;
};
// Run-length ranges of equal bytes, chunk numbers offset by `base`.
std::vector<StateRun> state_runs(std::span<const std::uint8_t> bytes, std::uint64_t base = 0);

struct ActionOutcome {
  bool wants_resync = false;            // rule 4: NeedSync/NeedSyncUnwritten seen, not degraded
  bool lazy_recovery = false;           // the wanted resync runs as a raid4/5/6 lazy recovery
  std::optional<State> last;            // new state of the last chunk, nullopt if unchanged
  std::uint64_t changed = 0;            // chunks given a new state by the action
  std::uint64_t coalesced = 0;          // bytes changed by write coalescing
  bool armed_daemon = false;            // some chunk became Dirty: the daemon timer is armed
};

// The kernel's in-memory bitmap: the state bytes from area offset 1024 to the
// end of the reserved room (bytes past the last chunk included, because write
// coalescing acts on whole blocks) and the blocks waiting to be written back.
class StateArea {
public:
  StateArea(std::vector<std::uint8_t> bytes, std::uint64_t chunks, std::uint32_t io_size = 512);

  std::uint64_t chunks() const noexcept { return chunks_; }
  std::uint32_t io_size() const noexcept { return io_size_; }
  std::span<const std::uint8_t> bytes() const noexcept { return bytes_; }
  std::span<const std::uint8_t> chunk_bytes() const noexcept { return {bytes_.data(), chunks_}; }
  std::uint8_t at(std::uint64_t chunk) const noexcept { return bytes_[chunk]; }
  void set(std::uint64_t chunk, std::uint8_t byte) noexcept { bytes_[chunk] = byte; }
  // llbitmap_write: the byte is stored; Dirty and NeedSync mark its block for
  // write-back with coalescing, NeedSyncUnwritten without. Returns the bytes
  // coalescing changed.
  std::uint64_t write(std::uint64_t chunk, State state, const ArrayMode& mode);

  // llbitmap_state_machine over chunks [first, last], clamped to the chunk count.
  ActionOutcome apply(Action action, std::uint64_t first, std::uint64_t last, const ArrayMode& mode);
  ActionOutcome apply_all(Action action, const ArrayMode& mode);

  // Blocks (io_size, counted from the area start) waiting to be written back.
  std::uint64_t pending_blocks() const noexcept { return pending_count_; }
  // The unplug: returns the pending blocks in order and clears them.
  std::vector<std::uint64_t> take_pending();
  // Blocks [first, end) written back (llbitmap_write_page of one page): no longer pending.
  void clear_pending(std::uint64_t first, std::uint64_t end) noexcept;

private:
  // Next byte for each byte value under one (action, mode); 0x100: no change.
  using Transitions = std::array<std::uint16_t, 256>;
  // Within one apply over one block: after a coalescing pass, only bytes
  // written since (in [since_first, since_end)) can be coalesced again.
  struct InfectTracker {
    bool swept = false;
    std::uint64_t since_first = 0;
    std::uint64_t since_end = 0;
  };
  // The state bytes [begin, end) of one io block, worked out once per block.
  struct BlockBytes {
    std::uint64_t block = 0;
    std::uint64_t begin = 0;
    std::uint64_t end = 0;
  };

  std::uint64_t block_of(std::uint64_t chunk) const noexcept {
    return io_shift_ != 0 ? (kStateOffset + chunk) >> io_shift_ : (kStateOffset + chunk) / io_size_;
  }
  std::uint64_t block_first_byte(std::uint64_t block) const noexcept {
    return std::max<std::uint64_t>(block * io_size_, kStateOffset) - kStateOffset;
  }
  std::uint64_t block_end_byte(std::uint64_t block) const noexcept { return (block + 1) * io_size_ - kStateOffset; }
  BlockBytes block_bytes(std::uint64_t block) const noexcept {
    return {block, block_first_byte(block), std::min<std::uint64_t>(block_end_byte(block), bytes_.size())};
  }
  void infect_block(const BlockBytes& blk, const ArrayMode& mode, ActionOutcome& outcome, InfectTracker& tracker);
  void mark_pending(std::uint64_t chunk, const BlockBytes& blk, bool infect, const ArrayMode& mode, ActionOutcome& outcome,
                    InfectTracker& tracker);
  bool test_and_set_pending(std::uint64_t block);
  void apply_block(const Transitions& next, std::uint64_t first, std::uint64_t last, const ArrayMode& mode,
                   ActionOutcome& outcome);

  std::vector<std::uint8_t> bytes_;
  std::uint64_t chunks_;
  std::uint32_t io_size_;
  unsigned io_shift_ = 0;  // log2(io_size_) when a power of two, else 0 (divide)
  std::vector<bool> pending_;
  std::uint64_t pending_count_ = 0;
};

}  // namespace llbmp
