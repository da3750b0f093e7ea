// Inputs the fuzz targets (tests/fuzz) found, rebuilt by code, kept as
// regression tests. The sanitizer build (LLBITMAP_SANITIZE) turns any
// undefined behaviour here into a failure.
#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "format/endian.hpp"
#include "format/md_super.hpp"

using namespace llbmp;

namespace {

std::vector<std::uint8_t> superblock_with_super_offset(std::uint64_t super_offset) {
  MdSuperblock sb;
  sb.feature_map = 1;  // bitmap offset present
  sb.raid_disks = 2;
  sb.max_dev = 2;
  sb.bitmap_offset = 8;
  sb.super_offset = super_offset;
  sb.dev_roles = {0, 1};
  auto bytes = encode_md_superblock(sb, std::vector<std::uint8_t>(4096, 0));
  bytes.resize(4096, 0);
  return bytes;
}

}  // namespace

// fuzz_md_super: (super_offset + bitmap_offset) * 512 overflowed a signed
// 64-bit integer for a super_offset no device can have.
TEST(FuzzRegressions, HugeSuperOffsetDoesNotOverflowTheBitmapOffset) {
  for (const std::uint64_t super_offset : {0x2f00000000000000ull, ~0ull, (~0ull >> 1) / 512}) {
    const auto raw = superblock_with_super_offset(super_offset);
    const auto sb = decode_md_superblock(raw, "regression");
    EXPECT_EQ(sb.super_offset, super_offset);
    EXPECT_GT(sb.bitmap_area_offset_bytes(), 0);
    const auto findings = validate_md_superblock(sb, raw, 16ull << 20);
    EXPECT_TRUE(std::any_of(findings.begin(), findings.end(), [](const Finding& f) { return f.field == "md.bitmap_offset"; }))
        << super_offset;
  }
}

TEST(FuzzRegressions, NegativeBitmapOffsetStaysNegative) {
  MdSuperblock sb;
  sb.super_offset = 8;
  sb.bitmap_offset = -100;
  EXPECT_EQ(sb.bitmap_area_offset_bytes(), -92 * 512);
}
