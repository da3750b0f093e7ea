// The size formatters of tools/render/size.cpp: mdadm's two and the binary-unit styles.
#include <gtest/gtest.h>

#include "render/size.hpp"

namespace {

using llbitmap::cli::binary_size;
using llbitmap::cli::human_chunksize;
using llbitmap::cli::human_size;
using llbitmap::cli::kSizeToGiB;
using llbitmap::cli::kSizeToTiB;

TEST(HumanChunksize, LargestExactUnit) {
  EXPECT_EQ(human_chunksize(64ull << 20), "64 MB");
  EXPECT_EQ(human_chunksize(3072), "3 KB");
  EXPECT_EQ(human_chunksize(1536), "1536 B");
  EXPECT_EQ(human_chunksize(1000), "1000 B");
  EXPECT_EQ(human_chunksize(1ull << 50), "1024 TB");
}

TEST(HumanSize, AsMdadm) {
  EXPECT_EQ(human_size(5000 * 1024 - 1), "");
  EXPECT_EQ(human_size(256ull << 20), " (256.00 MiB 268.44 MB)");
  EXPECT_EQ(human_size(3ull << 30), " (3.00 GiB 3.22 GB)");
  EXPECT_EQ(human_size(5ull << 40), " (5.00 TiB 5.50 TB)");
}

TEST(BinarySize, ToGiBStartsInBytes) {
  EXPECT_EQ(binary_size(0, kSizeToGiB), "0 B");
  EXPECT_EQ(binary_size(1023, kSizeToGiB), "1023 B");
  EXPECT_EQ(binary_size(1536, kSizeToGiB), "1.5 KiB");
  EXPECT_EQ(binary_size(3ull << 20, kSizeToGiB), "3.0 MiB");
  EXPECT_EQ(binary_size(5ull << 40, kSizeToGiB), "5120.0 GiB");
}

TEST(BinarySize, ToTiBStartsInKiB) {
  EXPECT_EQ(binary_size(512, kSizeToTiB), "0.5 KiB");
  EXPECT_EQ(binary_size((1ull << 20) - 1024, kSizeToTiB), "1023.0 KiB");
  EXPECT_EQ(binary_size(3ull << 29, kSizeToTiB), "1.50 GiB");
  EXPECT_EQ(binary_size(2ull << 40, kSizeToTiB), "2.00 TiB");
}

}  // namespace
