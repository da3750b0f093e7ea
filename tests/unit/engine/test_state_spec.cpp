#include <gtest/gtest.h>

#include "llbmp/error.hpp"
#include "engine/state_spec.hpp"

using llbmp::State;
using llbmp::StateAssignment;

TEST(StateSpec, ParsesRangesAndSingleChunks) {
  const auto spec = llbmp::parse_state_spec("0-99:dirty,500:need_sync, 7-7 : clean_unwritten");
  ASSERT_EQ(spec.size(), 3u);
  EXPECT_EQ(spec[0], (StateAssignment{0, 99, State::Dirty}));
  EXPECT_EQ(spec[1], (StateAssignment{500, 500, State::NeedSync}));
  EXPECT_EQ(spec[2], (StateAssignment{7, 7, State::CleanUnwritten}));
}

TEST(StateSpec, AcceptsSysfsNamesAndNumbers) {
  const auto spec = llbmp::parse_state_spec("1:need sync,2:3");
  EXPECT_EQ(spec[0].state, State::NeedSync);
  EXPECT_EQ(spec[1].state, State::NeedSync);
}

TEST(StateSpec, RefusesBadInput) {
  for (const char* bad : {"", "5", "a-b:dirty", "9-3:dirty", "1:filthy", "1-:dirty", "-1:dirty", "1:8", "1x:dirty"})
    EXPECT_THROW(llbmp::parse_state_spec(bad), llbmp::Error) << bad;
}

TEST(StateSpec, AppliesInOrderAndChecksBounds) {
  std::vector<std::uint8_t> states(10, 0);
  llbmp::apply_state_spec(llbmp::parse_state_spec("0-9:clean,3-4:dirty"), states);
  EXPECT_EQ(states, (std::vector<std::uint8_t>{1, 1, 1, 2, 2, 1, 1, 1, 1, 1}));
  EXPECT_THROW(llbmp::apply_state_spec(llbmp::parse_state_spec("9-10:dirty"), states), llbmp::Error);
}
