// The personality table: each level's facts against what md and mdadm do.
#include <gtest/gtest.h>

#include <set>

#include "format/personality.hpp"

namespace {

using llbmp::personality_of;

const llbmp::Personality& of(std::int32_t level) {
  const auto* p = personality_of(level);
  if (!p) throw std::runtime_error("no personality for level " + std::to_string(level));
  return *p;
}

TEST(Personality, KnowsTheLevelsMdHasAPersonalityFor) {
  std::set<std::int32_t> levels;
  for (const auto& p : llbmp::kPersonalities) levels.insert(p.level);
  EXPECT_EQ(levels, (std::set<std::int32_t>{-5, -4, -1, 0, 1, 4, 5, 6, 10}));
  for (const std::int32_t unknown : {-6, -3, -2, 2, 3, 7, 9, 11, 100})
    EXPECT_EQ(personality_of(unknown), nullptr) << unknown;
  for (const auto& p : llbmp::kPersonalities) EXPECT_EQ(personality_of(p.level), &p);
}

TEST(Personality, Names) {
  EXPECT_EQ(llbmp::level_name(-4), "multipath");
  EXPECT_EQ(llbmp::level_name(-1), "linear");
  EXPECT_EQ(llbmp::level_name(0), "raid0");
  EXPECT_EQ(llbmp::level_name(1), "raid1");
  EXPECT_EQ(llbmp::level_name(4), "raid4");
  EXPECT_EQ(llbmp::level_name(5), "raid5");
  EXPECT_EQ(llbmp::level_name(6), "raid6");
  EXPECT_EQ(llbmp::level_name(10), "raid10");
  EXPECT_EQ(llbmp::level_name(-5), "level-5");  // faulty, as examine has always printed it
  EXPECT_EQ(llbmp::level_name(7), "level7");
}

TEST(Personality, ParsesTheCreatableLevels) {
  EXPECT_EQ(llbmp::parse_level("raid5"), 5);
  EXPECT_EQ(llbmp::parse_level("RAID10"), 10);
  EXPECT_EQ(llbmp::parse_level("6"), 6);
  EXPECT_EQ(llbmp::parse_level("0"), 0);
  EXPECT_EQ(llbmp::parse_level("linear"), -1);
  EXPECT_EQ(llbmp::parse_level("raidlinear"), -1);
  for (const char* refused : {"-1", "raid-1", "multipath", "faulty", "raid", "", "01", "raid2", "level5"})
    EXPECT_EQ(llbmp::parse_level(refused), std::nullopt) << refused;
}

TEST(Personality, BitmapOnEveryLevelButRaid0AndLinear) {
  for (const auto& p : llbmp::kPersonalities)
    EXPECT_EQ(p.bitmap, p.level != 0 && p.level != -1) << p.level;
  EXPECT_EQ(of(0).bitmap_span, llbmp::BitmapSpan::none);
  EXPECT_EQ(of(1).bitmap_span, llbmp::BitmapSpan::member);
  EXPECT_EQ(of(5).bitmap_span, llbmp::BitmapSpan::stripe_rows);
  EXPECT_EQ(of(10).bitmap_span, llbmp::BitmapSpan::array);
  EXPECT_TRUE(llbmp::counts_array_sectors(10));
  EXPECT_FALSE(llbmp::counts_array_sectors(1));
  EXPECT_TRUE(llbmp::maps_stripe_rows(4));
  EXPECT_FALSE(llbmp::maps_stripe_rows(10));
  EXPECT_FALSE(llbmp::maps_stripe_rows(7));
}

TEST(Personality, ChunksAndMinimumDevices) {
  std::set<std::int32_t> chunked, power_of_two;
  for (const auto& p : llbmp::kPersonalities) {
    if (p.chunked) chunked.insert(p.level);
    if (p.chunk_power_of_two) power_of_two.insert(p.level);
  }
  EXPECT_EQ(chunked, (std::set<std::int32_t>{0, 4, 5, 6, 10}));
  EXPECT_EQ(power_of_two, (std::set<std::int32_t>{4, 5, 6, 10}));
  EXPECT_EQ(of(6).min_devices, 4u);
  EXPECT_EQ(of(5).min_devices, 2u);
  EXPECT_EQ(of(4).min_devices, 2u);
  EXPECT_EQ(of(1).min_devices, 1u);
}

TEST(Personality, DataDisks) {
  EXPECT_EQ(llbmp::data_disks(of(6), 6, 2), 4u);
  EXPECT_EQ(llbmp::data_disks(of(5), 4, 2), 3u);
  EXPECT_EQ(llbmp::data_disks(of(4), 3, 0), 2u);
  EXPECT_EQ(llbmp::data_disks(of(6), 2, 2), 1u);  // fewer members than parity: never below 1
  EXPECT_EQ(llbmp::data_disks(of(1), 3, 0), 1u);
  EXPECT_EQ(llbmp::data_disks(of(10), 4, 0x102), 2u);  // near 2
  EXPECT_EQ(llbmp::data_disks(of(10), 6, 0x103), 2u);  // near 3
  EXPECT_EQ(llbmp::data_disks(of(10), 4, 0x201), 2u);  // far 2
  EXPECT_EQ(llbmp::data_disks(of(0), 3, 0), 3u);
  EXPECT_EQ(llbmp::data_disks(of(-1), 2, 0), 2u);
}

TEST(Personality, ParityAndMaxDegraded) {
  EXPECT_EQ(of(4).parity, 1u);
  EXPECT_EQ(of(5).parity, 1u);
  EXPECT_EQ(of(6).parity, 2u);
  EXPECT_EQ(of(1).parity, 0u);
  EXPECT_EQ(of(10).parity, 0u);
  EXPECT_EQ(llbmp::max_degraded(of(5), 4, 2), 1u);
  EXPECT_EQ(llbmp::max_degraded(of(6), 6, 2), 2u);
  EXPECT_EQ(llbmp::max_degraded(of(1), 3, 0), 2u);
  EXPECT_EQ(llbmp::max_degraded(of(10), 4, 0x102), 1u);
  EXPECT_EQ(llbmp::max_degraded(of(0), 4, 0), 0u);
  EXPECT_TRUE(llbmp::has_parity(6));
  EXPECT_FALSE(llbmp::has_parity(10));
}

TEST(Personality, DefaultLayoutsAreMdadms) {
  EXPECT_EQ(of(5).default_layout, 2u);   // left-symmetric
  EXPECT_EQ(of(6).default_layout, 2u);
  EXPECT_EQ(of(10).default_layout, 0x102u);  // near 2
  EXPECT_EQ(of(4).default_layout, 0u);
  EXPECT_EQ(of(1).default_layout, 0u);
}

TEST(Personality, LazyRecoveryOnTheParityLevels) {
  std::set<std::int32_t> lazy;
  for (const auto& p : llbmp::kPersonalities)
    if (p.lazy_recovery) lazy.insert(p.level);
  EXPECT_EQ(lazy, (std::set<std::int32_t>{4, 5, 6}));
  EXPECT_FALSE(llbmp::has_lazy_recovery(7));
}

TEST(Personality, ReplayAndSimulateModelRaid1456And10) {
  std::set<std::int32_t> modelled;
  for (const auto& p : llbmp::kPersonalities)
    if (p.modelled) modelled.insert(p.level);
  EXPECT_EQ(modelled, (std::set<std::int32_t>{1, 4, 5, 6, 10}));
  EXPECT_FALSE(llbmp::is_modelled(0));
  EXPECT_FALSE(llbmp::is_modelled(3));
}

TEST(Personality, Raid10Copies) {
  EXPECT_EQ(llbmp::raid10_layout_copies(0x102), 2u);
  EXPECT_EQ(llbmp::raid10_layout_copies(0x201), 2u);
  EXPECT_EQ(llbmp::raid10_layout_copies(0x202), 4u);
  EXPECT_EQ(llbmp::raid10_layout_copies(0), 1u);
  EXPECT_EQ(llbmp::raid10_layout_copies(0x10000), 1u);  // the offset bit is no copy
}

}  // namespace
