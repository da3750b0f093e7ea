#include <gtest/gtest.h>
#include "llbmp/state_engine.hpp"
TEST(Placeholder, Builds) { EXPECT_EQ(llbmp::kStateCount, 8u); }
