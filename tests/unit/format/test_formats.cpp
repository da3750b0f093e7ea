// md v1 superblock, bitmap superblock, geometry and the member model.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <vector>

#include "format/bitmap_super.hpp"
#include "write/builder.hpp"
#include "format/geometry.hpp"
#include "format/md_super.hpp"
#include "inspect/member.hpp"

using namespace llbmp;

namespace {

// Independent checksum: 32-bit little-endian words, sb_csum (byte 216) as 0.
std::uint32_t reference_checksum(const std::vector<std::uint8_t>& b, std::uint32_t max_dev) {
  const std::size_t size = 256 + 2 * max_dev;
  std::uint64_t sum = 0;
  std::size_t i = 0;
  for (; i + 4 <= size; i += 4) {
    if (i == 216) continue;
    sum += std::uint64_t{b[i]} | std::uint64_t{b[i + 1]} << 8 | std::uint64_t{b[i + 2]} << 16 | std::uint64_t{b[i + 3]} << 24;
  }
  if (size - i == 2) sum += std::uint64_t{b[i]} | std::uint64_t{b[i + 1]} << 8;
  return static_cast<std::uint32_t>((sum & 0xffffffff) + (sum >> 32));
}

ArraySpec raid1_spec() {
  ArraySpec spec;
  spec.uuid = *parse_uuid("01234567-89ab-cdef-0123-456789abcdef");
  spec.events = 42;
  return spec;
}

struct TempFile {
  std::string path = std::filesystem::temp_directory_path() / ("llbmp-unit-" + std::to_string(::getpid()) + ".img");
  ~TempFile() { std::remove(path.c_str()); }
};

}  // namespace

TEST(MdSuperblock, EncodeDecodeRoundTripAndChecksum) {
  const auto meta = build_member(raid1_spec(), 1);
  const auto sb = decode_md_superblock(meta.md_bytes, "mem");
  EXPECT_EQ(sb.magic, kMdMagic);
  EXPECT_EQ(sb.events, 42u);
  EXPECT_EQ(sb.dev_number, 1u);
  EXPECT_EQ(sb.role(), 1);
  EXPECT_EQ(sb.super_offset, 8u);
  EXPECT_EQ(sb.bitmap_offset, 8);
  EXPECT_EQ(sb.size, 522240u);
  EXPECT_EQ(sb.sb_csum, reference_checksum(meta.md_bytes, sb.max_dev));
  EXPECT_EQ(sb.sb_csum, md_superblock_checksum(meta.md_bytes, sb.max_dev));
  EXPECT_TRUE(validate_md_superblock(sb, meta.md_bytes, 256ull << 20).empty());
}

TEST(MdSuperblock, OddMaxDevAddsTheTrailingHalfWord) {
  std::vector<std::uint8_t> bytes(4096, 0);
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::uint8_t>(i * 7 + 3);
  EXPECT_EQ(md_superblock_checksum(bytes, 3), reference_checksum(bytes, 3));
  EXPECT_EQ(md_superblock_checksum(bytes, 384), reference_checksum(bytes, 384));
}

TEST(MdSuperblock, ValidatorReportsEveryProblemWithFieldAndValue) {
  auto meta = build_member(raid1_spec(), 0);
  auto sb = decode_md_superblock(meta.md_bytes, "mem");
  sb.feature_map |= 1u << 20;
  sb.data_offset = 4;
  auto raw = meta.md_bytes;
  raw[300] ^= 1;  // a dev_roles byte: the stored checksum no longer matches
  const auto findings = validate_md_superblock(sb, raw, 256ull << 20);
  std::vector<std::string> fields;
  for (const auto& f : findings) fields.push_back(f.field);
  EXPECT_NE(std::find(fields.begin(), fields.end(), "md.sb_csum"), fields.end());
  EXPECT_NE(std::find(fields.begin(), fields.end(), "md.feature_map"), fields.end());
  EXPECT_NE(std::find(fields.begin(), fields.end(), "md.data_offset"), fields.end());
}

TEST(MdSuperblock, LocationsOfTheThreeMinors) {
  EXPECT_EQ(md_superblock_sector(1, 1 << 20), 0u);
  EXPECT_EQ(md_superblock_sector(2, 1 << 20), 8u);
  EXPECT_EQ(md_superblock_sector(0, 1 << 20), (2048u - 16) & ~7u);
  EXPECT_EQ(md_superblock_sector(0, (1 << 20) + 1536), (2051u - 16) & ~7u);
}

TEST(MdSuperblock, Raid10ResyncSizeIsTheArraySize) {
  auto spec = raid1_spec();
  spec.level = 10;
  spec.raid_disks = 4;
  const auto meta = build_member(spec, 0);
  EXPECT_EQ(meta.md.layout, 0x102u);
  EXPECT_EQ(meta.md.resync_sectors(), meta.md.size * 2);
}

TEST(Uuid, FormatsLikeMdadmAndParsesSeparators) {
  const auto uuid = parse_uuid("01234567:89abcdef:01234567:89abcdef");
  ASSERT_TRUE(uuid);
  EXPECT_EQ(format_uuid(*uuid), "01234567:89abcdef:01234567:89abcdef");
  EXPECT_EQ(parse_uuid("0123"), std::nullopt);
  EXPECT_EQ(parse_uuid("0123456789abcdef0123456789abcdeg"), std::nullopt);
}

TEST(BitmapSuper, RoundTripOfEveryField) {
  BitmapSuper sb;
  sb.version = 5;
  sb.uuid = *parse_uuid("ffeeddccbbaa99887766554433221100");
  sb.events = 0x0102030405060708;
  sb.events_cleared = 9;
  sb.sync_size = 0x1122334455;
  sb.state = flag_mask(BitmapFlag::stale) | flag_mask(BitmapFlag::hostendian);
  sb.chunksize = 1 << 26;
  sb.daemon_sleep = 5;
  sb.write_behind = 256;
  sb.sectors_reserved = 77;
  sb.nodes = 4;
  sb.cluster_name = "cluster";
  const auto bytes = encode_bitmap_super(sb);
  EXPECT_EQ(bytes[0], 0x62);  // "bitm" little-endian
  EXPECT_EQ(bytes[52], 0);
  EXPECT_EQ(bytes[55], 4);    // 1 << 26 at offset 52
  const auto back = decode_bitmap_super(bytes, "mem");
  EXPECT_EQ(back.version, 5u);
  EXPECT_EQ(back.uuid, sb.uuid);
  EXPECT_EQ(back.events, sb.events);
  EXPECT_EQ(back.events_cleared, 9u);
  EXPECT_EQ(back.sync_size, sb.sync_size);
  EXPECT_EQ(back.state, sb.state);
  EXPECT_EQ(back.write_behind, 256u);
  EXPECT_EQ(back.sectors_reserved, 77u);
  EXPECT_EQ(back.nodes, 4u);
  EXPECT_EQ(back.cluster_name, "cluster");
  EXPECT_EQ(bitmap_flag_names(back.state), (std::vector<std::string>{"stale", "hostendian"}));
  EXPECT_EQ(bitmap_flag_names(1u << 9), std::vector<std::string>{"bit9"});
}

TEST(Geometry, KernelChoiceAndTheTrueFit) {
  // ONDISK section 8: 256 MiB raid1 members, 522240 sectors: 128-sector chunks, 4080 chunks.
  EXPECT_EQ(kernel_chunksize(522240, 256), 128u);
  EXPECT_EQ(chunk_count(522240, 128), 4080u);
  // 131072 chunks pass the kernel's test but do not fit after the 1 KiB header.
  const std::uint64_t sectors = 131072ull * 128;
  EXPECT_EQ(kernel_chunksize(sectors, 256), 128u);
  EXPECT_TRUE(kernel_fit(128, sectors, 256));
  EXPECT_FALSE(true_fit(131072, 256));
  EXPECT_EQ(fitting_chunksize(sectors, 256), 256u);
  EXPECT_TRUE(true_fit(130048, 256));
  EXPECT_EQ(pages_used(4080), 2u);
  EXPECT_EQ(pages_used(3072), 1u);
}

TEST(Geometry, MdadmAddLeftoverIsOnly0xFFFromPage1) {
  std::vector<std::uint8_t> states(4080, 0x02);  // Clean
  EXPECT_FALSE(mdadm_add_leftover(states));       // nothing invalid
  std::fill(states.begin() + 3072, states.end(), 0xff);
  EXPECT_TRUE(mdadm_add_leftover(states));
  std::fill(states.begin() + 3072, states.begin() + 3584, 0x00);  // a block the kernel wrote back
  EXPECT_TRUE(mdadm_add_leftover(states));
  states[3071] = 0xff;  // page 0: not the fill
  EXPECT_FALSE(mdadm_add_leftover(states));
  states[3071] = 0x02;
  states[4000] = 0x10;  // another invalid byte in page 1
  EXPECT_FALSE(mdadm_add_leftover(states));
}

TEST(Geometry, ChunkLocationsAndRanges) {
  const auto loc = locate_chunk(3072, 512);
  EXPECT_EQ(loc.area_offset, 4096u);
  EXPECT_EQ(loc.page, 1u);
  EXPECT_EQ(loc.block_in_page, 0u);
  EXPECT_EQ(loc.block, 8u);
  const auto w = write_chunks(127, 2, 128, 100);
  ASSERT_TRUE(w);
  EXPECT_EQ(w->first, 0u);
  EXPECT_EQ(w->last, 1u);
  EXPECT_FALSE(write_chunks(128 * 100, 8, 128, 100));
  // Discards: whole chunks only, unless the 6.18-era partial last chunk.
  EXPECT_FALSE(discard_chunks(1, 200, 128, 100));
  const auto d = discard_chunks(1, 300, 128, 100);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->first, 1u);
  EXPECT_EQ(d->last, 1u);
  const auto p = discard_chunks(1, 300, 128, 100, true);
  EXPECT_EQ(p->last, 2u);
}

TEST(Member, LoadsAGeneratedImageAndCountsStates) {
  auto spec = raid1_spec();
  auto meta = build_member(spec, 0);
  meta.bitmap_area[1024 + 5] = 2;
  meta.bitmap_area[1024 + 6] = 0xee;
  TempFile file;
  write_member_image(file.path, meta, spec.member_bytes);
  const auto m = load_member(file.path);
  ASSERT_TRUE(m.bitmap && m.bitmap->lockless);
  EXPECT_EQ(m.bitmap->lockless->chunks, 4080u);
  EXPECT_EQ(m.bitmap->lockless->counts.of(State::Dirty), 1u);
  EXPECT_EQ(m.bitmap->lockless->counts.invalid, 1u);
  EXPECT_EQ(m.dirty(), 2u);
  EXPECT_FALSE(m.ok());
}

TEST(Member, TruncatedImageIsAnErrorNamingTheDevice) {
  TempFile file;
  std::FILE* f = std::fopen(file.path.c_str(), "wb");
  std::fputs("short", f);
  std::fclose(f);
  try {
    load_member(file.path);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.device(), file.path);
    EXPECT_EQ(e.field(), "size");
  }
}
