// Grouping scanned members by array uuid, and loading paths that fail.
#include <gtest/gtest.h>

#include "inspect/scan_groups.hpp"
#include "io/scan.hpp"

namespace {

llbmp::Member member(const std::string& device, std::uint8_t uuid_byte) {
  llbmp::Member m;
  m.device = device;
  m.md.set_uuid.fill(uuid_byte);
  return m;
}

TEST(Scan, GroupsByArrayUuidKeepingMemberOrder) {
  const auto groups = llbmp::group_by_array(
      {member("/dev/sdc1", 2), member("/dev/sdb1", 1), member("/dev/sdd1", 2), member("/dev/sde1", 1)});
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0].set_uuid[0], 1);
  ASSERT_EQ(groups[0].members.size(), 2u);
  EXPECT_EQ(groups[0].members[0].device, "/dev/sdb1");
  EXPECT_EQ(groups[0].members[1].device, "/dev/sde1");
  EXPECT_EQ(groups[1].members[0].device, "/dev/sdc1");
  EXPECT_EQ(groups[1].members[1].device, "/dev/sdd1");
}

TEST(Scan, NoMembersNoGroups) { EXPECT_TRUE(llbmp::group_by_array({}).empty()); }

TEST(Scan, UnreadablePathsAreCollectedWithProgress) {
  std::vector<std::string> seen;
  const auto result = llbmp::load_and_group({"/nonexistent/a", "/nonexistent/b"},
                                            [&seen](std::size_t done, std::size_t total, const std::string& dev) {
                                              EXPECT_EQ(total, 2u);
                                              EXPECT_EQ(done, seen.size() + 1);
                                              seen.push_back(dev);
                                            });
  EXPECT_TRUE(result.arrays.empty());
  ASSERT_EQ(result.failures.size(), 2u);
  EXPECT_EQ(result.failures[1].device, "/nonexistent/b");
  EXPECT_NE(result.failures[1].message.find("/nonexistent/b"), std::string::npos);
  EXPECT_EQ(seen.size(), 2u);
}

}  // namespace
