// The md facts mdadm --examine prints beside the bitmap: role, array state, degraded.
#include <gtest/gtest.h>

#include "format/md_super.hpp"

namespace {

llbmp::MdSuperblock roles(std::uint32_t raid_disks, std::vector<std::uint16_t> dev_roles, std::uint32_t dev_number = 0) {
  llbmp::MdSuperblock sb;
  sb.level = 1;
  sb.raid_disks = raid_disks;
  sb.dev_roles = std::move(dev_roles);
  sb.max_dev = static_cast<std::uint32_t>(sb.dev_roles.size());
  sb.dev_number = dev_number;
  return sb;
}

TEST(MdRoles, ArrayStateCountsTheHoldersOfEachSlot) {
  EXPECT_EQ(roles(3, {0, 1, llbmp::kRoleFaulty}).array_state(), "AA.");
  EXPECT_EQ(roles(2, {0, 0, 1}).array_state(), "RA");  // a replacement of role 0
  EXPECT_EQ(roles(2, {1, 1, 1}).array_state(), ".?");
  EXPECT_EQ(roles(2, {0, 5, llbmp::kRoleSpare}).array_state(), "A.");  // a role past raid_disks holds no slot
  auto raid0 = roles(2, {0, 0, 1});
  raid0.level = 0;
  EXPECT_EQ(raid0.array_state(), "?A");  // no replacements in raid0
}

TEST(MdRoles, DegradedWhenASlotHasNoDevice) {
  EXPECT_FALSE(roles(2, {0, 1}).degraded());
  EXPECT_TRUE(roles(2, {0, llbmp::kRoleSpare}).degraded());
  EXPECT_FALSE(roles(2, {0, 0, 1}).degraded());
  EXPECT_TRUE(roles(0xffffffff, {0, 1}).degraded());  // a hostile raid_disks
  EXPECT_EQ(roles(0xffffffff, {0, 1}).array_state().size(), llbmp::kMdMaxDevices);
}

TEST(MdRoles, RoleInMdadmsWords) {
  EXPECT_EQ(roles(2, {0, 1}, 1).role_description(), "Active device 1");
  EXPECT_EQ(roles(2, {0, llbmp::kRoleSpare}, 1).role_description(), "spare");
  EXPECT_EQ(roles(2, {0, llbmp::kRoleFaulty}, 1).role_description(), "faulty");
  EXPECT_EQ(roles(2, {0, llbmp::kRoleJournal}, 1).role_description(), "Journal");
  auto replacing = roles(2, {0, 0}, 1);
  replacing.feature_map = 16;  // MD_FEATURE_REPLACEMENT
  EXPECT_EQ(replacing.role_description(), "Replacement device 0");
  EXPECT_EQ(roles(2, {0, 1}, 7).role_description(), "unknown (dev_number 7 is past max_dev 2)");
}

}  // namespace
