// StateArea::apply against a plain model of the kernel's state machine
// (llbitmap_state_machine + llbitmap_set_page_dirty/llbitmap_infect_dirty_bits),
// one chunk at a time, with no fast paths. Every action, every mode, both
// io sizes, whole-range and bio-sized calls, on realistic and random inputs:
// bytes, outcomes and pending blocks must be identical.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "engine/state_engine.hpp"

using namespace llbmp;

namespace {

class ModelArea {
public:
  ModelArea(std::vector<std::uint8_t> bytes, std::uint64_t chunks, std::uint32_t io)
      : bytes_(std::move(bytes)), chunks_(chunks), io_(io),
        pending_((kStateOffset + bytes_.size() + io - 1) / io, false) {}

  ActionOutcome apply(Action action, std::uint64_t first, std::uint64_t last, const ArrayMode& mode) {
    ActionOutcome out;
    if (chunks_ == 0 || first >= chunks_) return out;
    last = std::min(last, chunks_ - 1);
    for (std::uint64_t i = first; i <= last; ++i) {
      const std::uint8_t c = bytes_[i];
      if (c == 3 || c == 5) out.wants_resync = true;
      const auto to = next_state(c, action, mode);
      out.last = to;
      if (!to) continue;
      const auto t = static_cast<std::uint8_t>(*to);
      bytes_[i] = t;
      ++out.changed;
      if (t == 2 || t == 3) mark(i, true, mode, out);
      else if (t == 5) mark(i, false, mode, out);
      if (t == 3 || t == 5) out.wants_resync = true;
      if (t == 2) out.armed_daemon = true;
    }
    if (mode.degraded) out.wants_resync = false;
    out.lazy_recovery = out.wants_resync && mode.raid456();
    return out;
  }

  std::vector<std::uint64_t> take_pending() {
    std::vector<std::uint64_t> blocks;
    for (std::size_t b = 0; b < pending_.size(); ++b)
      if (pending_[b]) blocks.push_back(b), pending_[b] = false;
    return blocks;
  }
  const std::vector<std::uint8_t>& bytes() const { return bytes_; }

private:
  std::uint64_t begin_of(std::uint64_t block) const { return std::max<std::uint64_t>(block * io_, kStateOffset) - kStateOffset; }
  std::uint64_t end_of(std::uint64_t block) const {
    return std::min<std::uint64_t>((block + 1) * io_ - kStateOffset, bytes_.size());
  }

  void infect(std::uint64_t block, const ArrayMode& mode, ActionOutcome& out) {
    for (std::uint64_t i = begin_of(block); i < end_of(block); ++i) {
      if (bytes_[i] == 0) bytes_[i] = mode.raid456() ? 3 : 2, ++out.coalesced;
      else if (bytes_[i] == 1 || bytes_[i] == 7) bytes_[i] = 2, ++out.coalesced;
    }
  }

  void mark(std::uint64_t chunk, bool infect_block, const ArrayMode& mode, ActionOutcome& out) {
    const std::uint64_t block = (kStateOffset + chunk) / io_;
    const bool was = pending_[block];
    pending_[block] = true;
    if (mode.degraded || !infect_block) return;
    if (was) return infect(block, mode, out);
    for (std::uint64_t i = begin_of(block); i < end_of(block); ++i)
      if (i != chunk && (bytes_[i] == 2 || bytes_[i] == 3)) return infect(block, mode, out);
  }

  std::vector<std::uint8_t> bytes_;
  std::uint64_t chunks_;
  std::uint32_t io_;
  std::vector<bool> pending_;
};

std::vector<std::uint8_t> realistic(std::size_t n, std::mt19937_64& rng) {
  std::vector<std::uint8_t> b(n, 1);
  for (std::size_t at = rng() % 3000; at < n; at += 1 + rng() % 3000) {
    const std::size_t len = std::min<std::size_t>(1 + rng() % 700, n - at);
    std::fill_n(b.begin() + static_cast<std::ptrdiff_t>(at), len, static_cast<std::uint8_t>(rng() % 9 == 8 ? 200 : rng() % 8));
    at += len;
  }
  return b;
}

std::vector<std::uint8_t> random_bytes(std::size_t n, std::mt19937_64& rng, unsigned modulo) {
  std::vector<std::uint8_t> b(n);
  for (auto& x : b) x = static_cast<std::uint8_t>(rng() % modulo);
  return b;
}

void expect_same(const ActionOutcome& a, const ActionOutcome& b, const std::string& where) {
  EXPECT_EQ(a.wants_resync, b.wants_resync) << where;
  EXPECT_EQ(a.lazy_recovery, b.lazy_recovery) << where;
  EXPECT_EQ(a.last, b.last) << where;
  EXPECT_EQ(a.changed, b.changed) << where;
  EXPECT_EQ(a.coalesced, b.coalesced) << where;
  EXPECT_EQ(a.armed_daemon, b.armed_daemon) << where;
}

void compare(const std::vector<std::uint8_t>& input, std::uint64_t chunks, std::uint32_t io, const ArrayMode& mode,
             std::uint64_t range, const std::string& label) {
  for (std::size_t a = 0; a < kActionCount; ++a) {
    const auto action = static_cast<Action>(a);
    StateArea area(input, chunks, io);
    ModelArea model(input, chunks, io);
    // Two passes, so that blocks are already pending in the second.
    for (int pass = 0; pass < 2; ++pass) {
      for (std::uint64_t first = 0; first < chunks; first += range) {
        const std::string where = label + " " + std::string(action_name(action)) + " pass " + std::to_string(pass) +
                                  " at " + std::to_string(first);
        expect_same(area.apply(action, first, first + range - 1, mode), model.apply(action, first, first + range - 1, mode),
                    where);
        if (::testing::Test::HasFailure()) return;
      }
    }
    ASSERT_TRUE(std::equal(area.bytes().begin(), area.bytes().end(), model.bytes().begin())) << label << " " << action_name(action);
    ASSERT_EQ(area.take_pending(), model.take_pending()) << label << " " << action_name(action);
  }
}

}  // namespace

TEST(StateAreaModel, EveryActionModeAndIoSizeAgreesWithTheModel) {
  std::mt19937_64 rng(2026);
  const std::size_t room = 12 * 1024;
  const std::vector<std::pair<std::string, std::vector<std::uint8_t>>> inputs = {
      {"realistic", realistic(room, rng)},
      {"random8", random_bytes(room, rng, 8)},
      {"random256", random_bytes(room, rng, 256)},
      {"clean", std::vector<std::uint8_t>(room, 1)},
      {"unwritten", std::vector<std::uint8_t>(room, 0)},
  };
  const ArrayMode modes[] = {{1, false, false}, {5, false, false}, {1, true, false}, {6, true, false}, {5, false, true}};
  for (const auto& [name, input] : inputs)
    for (const auto& mode : modes)
      for (const std::uint32_t io : {512u, 4096u})
        for (const std::uint64_t range : {std::uint64_t{1} << 40, std::uint64_t{16}, std::uint64_t{777}}) {
          const std::uint64_t chunks = room - 700;  // bytes past the last chunk too
          compare(input, chunks, io, mode, range,
                  name + " level " + std::to_string(mode.level) + (mode.degraded ? " degraded" : "") +
                      (mode.kernel_618 ? " 6.18" : "") + " io " + std::to_string(io) + " range " + std::to_string(range));
          if (::testing::Test::HasFailure()) return;
        }
}

TEST(StateAreaModel, CountingRunsAndRandomBytesMatchesANaiveCount) {
  std::mt19937_64 rng(99);
  for (const std::size_t n : {63u, 64u, 65u, 100000u, 300001u}) {
    for (const auto& bytes : {realistic(n, rng), random_bytes(n, rng, 256), std::vector<std::uint8_t>(n, 200)}) {
      StateCounts naive;
      for (const auto b : bytes) is_valid_state(b) ? ++naive.by_state[b] : ++naive.invalid;
      EXPECT_EQ(count_states(bytes), naive) << n;
    }
  }
}
