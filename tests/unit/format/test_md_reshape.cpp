// The reshape fields of the md superblock (MD_FEATURE_RESHAPE_ACTIVE,
// ONDISK.md 9.4): decoded at their offsets, encoded back, and checked.
#include <gtest/gtest.h>

#include <algorithm>

#include "format/endian.hpp"
#include "format/md_super.hpp"
#include "format/md_super_layout.hpp"
#include "write/builder.hpp"

using namespace llbmp;

namespace {

std::vector<std::uint8_t> raid5_bytes() {
  ArraySpec spec;
  spec.level = 5;
  spec.raid_disks = 4;
  spec.layout = 2;
  return build_member(spec, 0).md_bytes;
}

// The reshape fields set in raw bytes, at the kernel's offsets, checksum fixed.
std::vector<std::uint8_t> mid_reshape(std::int32_t delta, std::uint32_t new_chunk, std::uint32_t extra_features = 0) {
  auto b = raid5_bytes();
  std::span<std::uint8_t> s(b);
  store_le<std::uint32_t>(s, 8, load_le<std::uint32_t>(s, 8) | kMdFeatureReshapeActive | extra_features);
  store_le<std::uint32_t>(s, 100, 6);
  store_le<std::uint64_t>(s, 104, 294912);
  store_le<std::uint32_t>(s, 112, static_cast<std::uint32_t>(delta));
  store_le<std::uint32_t>(s, 116, 0x12);
  store_le<std::uint32_t>(s, 120, new_chunk);
  store_le<std::uint32_t>(s, 124, static_cast<std::uint32_t>(-16));
  store_le<std::uint32_t>(s, 216, md_superblock_checksum(s, load_le<std::uint32_t>(s, 220)));
  return b;
}

bool has_field(const Findings& findings, const std::string& field) {
  return std::any_of(findings.begin(), findings.end(), [&](const Finding& f) { return f.field == field; });
}

}  // namespace

TEST(MdReshape, DecodesEveryReshapeFieldAtItsOffset) {
  const auto raw = mid_reshape(1, 256);
  const auto sb = decode_md_superblock(raw, "mem");
  EXPECT_TRUE(sb.reshape_active());
  EXPECT_FALSE(sb.reshape_backwards());
  EXPECT_EQ(sb.new_level, 6);
  EXPECT_EQ(sb.reshape_position, 294912u);
  EXPECT_EQ(sb.delta_disks, 1);
  EXPECT_EQ(sb.old_raid_disks(), 3);
  EXPECT_EQ(sb.new_layout, 0x12u);
  EXPECT_EQ(sb.new_chunk, 256u);
  EXPECT_EQ(sb.new_offset, -16);
  EXPECT_TRUE(validate_md_superblock(sb, raw, 256ull << 20).empty());
}

TEST(MdReshape, NotActiveWithoutTheFeatureBit) {
  const auto sb = decode_md_superblock(raid5_bytes(), "mem");
  EXPECT_FALSE(sb.reshape_active());
  EXPECT_EQ(sb.reshape_position, 0u);
}

TEST(MdReshape, BackwardsByFlagOrByFewerDevices) {
  EXPECT_TRUE(decode_md_superblock(mid_reshape(1, 1024, kMdFeatureReshapeBackwards), "m").reshape_backwards());
  EXPECT_TRUE(decode_md_superblock(mid_reshape(-1, 1024), "m").reshape_backwards());
}

TEST(MdReshape, EncodeKeepsTheFieldsItDecoded) {
  const auto raw = mid_reshape(-1, 512);
  auto sb = decode_md_superblock(raw, "mem");
  sb.reshape_position = 4096;
  sb.delta_disks = 2;
  const auto again = decode_md_superblock(encode_md_superblock(sb, raw), "mem");
  EXPECT_EQ(again.reshape_position, 4096u);
  EXPECT_EQ(again.delta_disks, 2);
  EXPECT_EQ(again.new_chunk, 512u);
  EXPECT_EQ(again.new_offset, -16);
}

TEST(MdReshape, ValidatorNamesTheOldDeviceCountAndTheNewChunk) {
  auto raw = mid_reshape(4, 100);  // 4 - 4 = no device before; a chunk of 100 sectors
  const auto sb = decode_md_superblock(raw, "mem");
  const auto findings = validate_md_superblock(sb, raw, 256ull << 20);
  EXPECT_TRUE(has_field(findings, "md.delta_disks"));
  EXPECT_TRUE(has_field(findings, "md.new_chunk"));
  // The same values without the feature bit are not read by the kernel: no finding.
  auto idle = sb;
  idle.feature_map &= ~kMdFeatureReshapeActive;
  const auto quiet = validate_md_superblock(idle, encode_md_superblock(idle, raw), 256ull << 20);
  EXPECT_FALSE(has_field(quiet, "md.delta_disks"));
  EXPECT_FALSE(has_field(quiet, "md.new_chunk"));
}
