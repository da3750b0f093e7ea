// What one cell of the map and the pictures shows (tools/render/states.cpp),
// by the engine's llbmp::resync_rank.
#include <gtest/gtest.h>

#include "engine/state_engine.hpp"
#include "render/states.hpp"

namespace {

using llbitmap::cli::legend_states;
using llbitmap::cli::shown_state;

TEST(ResyncRank, MostToResyncFirstInvalidAboveAll) {
  using S = llbmp::State;
  const S order[] = {S::NeedSync, S::Syncing, S::Dirty, S::NeedSyncUnwritten, S::SyncingUnwritten, S::Clean, S::CleanUnwritten,
                     S::Unwritten};
  EXPECT_GT(llbmp::resync_rank(0x80), llbmp::resync_rank(static_cast<std::uint8_t>(S::NeedSync)));
  for (std::size_t i = 1; i < std::size(order); ++i)
    EXPECT_GT(llbmp::resync_rank(static_cast<std::uint8_t>(order[i - 1])), llbmp::resync_rank(static_cast<std::uint8_t>(order[i])))
        << i;
}

TEST(ShownState, WorstOfTheCellFirstOfEqualRank) {
  const std::vector<std::uint8_t> states{1, 7, 2, 5, 0, 0xfe, 0xff, 3};
  EXPECT_EQ(shown_state(states, 0, 2), 1);     // clean over clean_unwritten
  EXPECT_EQ(shown_state(states, 0, 4), 2);     // dirty over need_sync_unwritten
  EXPECT_EQ(shown_state(states, 4, 8), 0xfe);  // the first invalid byte
  EXPECT_EQ(shown_state(states, 7, 8), 3);
}

TEST(LegendStates, ClassicBitsOrEveryStateAndInvalid) {
  EXPECT_EQ(legend_states(true), (std::vector<std::uint8_t>{1, 2}));
  EXPECT_EQ(legend_states(false).size(), llbmp::kStateCount + 1);
  EXPECT_EQ(legend_states(false).back(), 0xff);
}

}  // namespace
