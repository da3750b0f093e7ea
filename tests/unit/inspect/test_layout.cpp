// Where the bitmap area lies (over the data area, over the md superblock), a
// header sync_size other than the array's, the Stale action's wording,
// duplicate members, the field that keeps a header from being used, and the
// image form of create refusing what examine would call an error.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "write/builder.hpp"
#include "inspect/check.hpp"
#include "write/create.hpp"
#include "llbmp/error.hpp"
#include "inspect/member.hpp"
#include "member_images.hpp"

using namespace llbmp;

namespace {

struct LevelCase {
  std::int32_t level;
  std::uint32_t raid_disks;
};
constexpr LevelCase kLevels[] = {{1, 2}, {5, 3}, {6, 4}, {10, 4}};

const Finding* find(const Findings& findings, const std::string& field, Severity severity = Severity::error) {
  for (const auto& f : findings)
    if (f.field == field && f.severity == severity) return &f;
  return nullptr;
}

bool mentions(const Finding* f, const std::string& text) { return f && f->message.find(text) != std::string::npos; }

class Layout : public test_support::MemberImages {
protected:
  ArraySpec spec(int minor, const LevelCase& lc) const {
    ArraySpec s = spec_;
    s.minor_version = minor;
    s.level = lc.level;
    s.raid_disks = lc.raid_disks;
    return s;
  }
  Member load(const std::string& name, MemberMetadata meta) {
    meta.md_bytes = encode_md_superblock(meta.md, {});
    return write_and_load(name, meta);
  }
  std::string name(const char* what, int minor, const LevelCase& lc) const {
    return fmt::format("{}-1{}-raid{}", what, minor, lc.level);
  }
};

TEST_F(Layout, DefaultLayoutsHaveNoPlacementFinding) {
  for (const int minor : {0, 1, 2})
    for (const auto& lc : kLevels) {
      const auto m = write_and_load(name("default", minor, lc), build_member(spec(minor, lc), 0));
      EXPECT_FALSE(has_errors(m.findings)) << name("default", minor, lc) << ": " << m.findings.front().to_string();
    }
}

// mdadm 4.6's own layout: the bad-block log at +16 inside the 256 reserved
// sectors at +8. No bad block recorded: no error (ONDISK.md section 1).
TEST_F(Layout, MdadmBadBlockLogInsideTheAreaIsNoError) {
  for (const auto& lc : kLevels) {
    ArraySpec s = spec(2, lc);
    s.bblog_offset = 16;
    s.bblog_size = 8;
    const auto m = write_and_load(name("bblog", 2, lc), build_member(s, 0));
    EXPECT_FALSE(has_errors(m.findings));
    EXPECT_FALSE(find(m.findings, "md.bitmap_offset"));
  }
}

TEST_F(Layout, AnAreaInsideTheDataAreaIsAnError) {
  for (const int minor : {1, 2})
    for (const auto& lc : kLevels) {
      ArraySpec s = spec(minor, lc);
      s.data_offset = 64;
      // The bitmap right at data_offset, then one sector past it.
      for (const std::int32_t past : {0, 1}) {
        s.bitmap_offset = static_cast<std::int32_t>(s.data_offset) + past - (minor == 2 ? 8 : 0);
        const auto m = load(name("data", minor, lc) + std::to_string(past), build_member(s, 0));
        const auto* f = find(m.findings, "md.bitmap_offset");
        EXPECT_TRUE(mentions(f, "starts inside the data area")) << name("data", minor, lc);
        EXPECT_TRUE(mentions(f, "the kernel writes the bitmap over array data"));
        EXPECT_TRUE(has_errors(layout_findings(m.md, m.md_raw, m.bitmap->sb, m.device_bytes, 512)));
      }
    }
  // 1.0: data before the bitmap; a data_size that reaches into the area.
  for (const auto& lc : kLevels) {
    auto meta = build_member(spec(0, lc), 0);
    meta.md.data_size = meta.bitmap_area_offset / 512 + 8;
    meta.md.size = meta.md.data_size;
    const auto m = load(name("data", 0, lc), meta);
    EXPECT_TRUE(mentions(find(m.findings, "md.bitmap_offset"), "starts inside the data area")) << name("data", 0, lc);
  }
}

TEST_F(Layout, StateBytesPastTheReservedAreaIntoDataAreAnError) {
  for (const auto& lc : kLevels) {
    ArraySpec s = spec(2, lc);
    s.sectors_reserved = 8;  // 4 KiB at +8: bytes 8192..12287; data from 12288
    s.data_offset = 24;
    s.bitmap_chunk = 32;     // about 4000 chunks: they pass the kernel's check, not the true fit
    if (lc.level == 10) s.bitmap_chunk = 64;
    const auto m = load(name("states", 2, lc), build_member(s, 0));
    const auto* f = find(m.findings, "bitmap.chunksize");
    EXPECT_TRUE(mentions(f, "run past the reserved area into the data area")) << name("states", 2, lc);
  }
}

TEST_F(Layout, AnAreaOverTheMdSuperblockIsAnError) {
  for (const int minor : {1, 2})
    for (const auto& lc : kLevels) {
      ArraySpec s = spec(minor, lc);
      s.bitmap_offset = 1;  // the superblock is 256 + 2 * 384 bytes: 2 sectors
      const auto m = load(name("super", minor, lc), build_member(s, 0));
      EXPECT_TRUE(mentions(find(m.findings, "md.bitmap_offset"), "starts inside the md superblock")) << name("super", minor, lc);
    }
  // 1.0: an 8-sector area before the superblock whose state bytes run into it.
  for (const auto& lc : kLevels) {
    ArraySpec s = spec(0, lc);
    s.sectors_reserved = 8;
    s.bitmap_offset = -8;
    s.bitmap_chunk = lc.level == 10 ? 64 : 32;
    const auto m = load(name("super", 0, lc), build_member(s, 0));
    EXPECT_TRUE(mentions(find(m.findings, "bitmap.chunksize"), "run past the reserved area into the md superblock"))
        << name("super", 0, lc);
  }
}

TEST_F(Layout, ASmallerSyncSizeFollows72AndSays73) {
  for (const int minor : {0, 1, 2})
    for (const auto& lc : kLevels) {
      auto meta = build_member(spec(minor, lc), 0);
      const std::uint64_t array_sync = meta.md.resync_sectors();
      meta.bitmap.sync_size = array_sync / 2;
      const auto header = encode_bitmap_super(meta.bitmap);
      std::copy(header.begin(), header.end(), meta.bitmap_area.begin());
      const auto m = load(name("sync", minor, lc), meta);
      ASSERT_TRUE(m.bitmap && m.bitmap->lockless) << name("sync", minor, lc);
      const auto& v = *m.bitmap->lockless;
      EXPECT_EQ(v.chunks, div_round_up(array_sync, v.chunk_sectors));
      EXPECT_EQ(v.chunks_7_3, div_round_up(array_sync / 2, v.chunk_sectors));
      const auto* f = find(m.findings, "bitmap.sync_size", Severity::warning);
      EXPECT_TRUE(mentions(f, fmt::format("7.2.13 and 6.18-era kernels ignore it and cover the whole array ({} chunks); 7.3 "
                                          "covers only the first {} chunks",
                                          v.chunks, v.chunks_7_3)));
      EXPECT_FALSE(has_errors(m.findings));
    }
}

TEST_F(Layout, ASyncSizeOfZeroMeansTheArraysAndSaysSo) {
  auto meta = build_member(spec_, 0);
  meta.bitmap.sync_size = 0;
  const auto header = encode_bitmap_super(meta.bitmap);
  std::copy(header.begin(), header.end(), meta.bitmap_area.begin());
  const auto m = load("zero", meta);
  ASSERT_TRUE(m.bitmap && m.bitmap->lockless);
  EXPECT_EQ(m.bitmap->lockless->chunks, meta.chunks);
  EXPECT_EQ(m.bitmap->lockless->chunks_7_3, meta.chunks);
  EXPECT_TRUE(mentions(find(m.findings, "bitmap.sync_size", Severity::info), "0 stands for the array's resync size"));
}

TEST_F(Layout, StaleIsTheKernelsStaleActionOnAnLlbitmap) {
  ArraySpec s = spec_;
  s.assume_clean = false;
  auto meta = build_member(s, 0);
  meta.bitmap.state |= flag_mask(BitmapFlag::stale);
  for (std::uint64_t c = 0; c < 10; ++c) meta.bitmap_area[kStateOffset + c] = static_cast<std::uint8_t>(State::Dirty);
  meta.bitmap_area[kStateOffset + 10] = static_cast<std::uint8_t>(State::CleanUnwritten);
  const auto header = encode_bitmap_super(meta.bitmap);
  std::copy(header.begin(), header.end(), meta.bitmap_area.begin());
  const auto m = load("stale", meta);
  const auto* f = find(m.findings, "bitmap.state");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->message.find("everything"), std::string::npos) << f->message;
  // Two written chunks share the first 512-byte block: at the first NeedSync
  // the block is coalesced, so all 512 of its chunks end NeedSync (raid1).
  EXPECT_TRUE(mentions(f, "Stale action: written chunks (Clean, Dirty, Syncing) become NeedSync and are resynced (512 chunks)"));
  EXPECT_TRUE(mentions(f, fmt::format("become or stay Unwritten and are skipped ({} chunks)", meta.chunks - 512)));
  ArraySpec c = spec_;
  c.bitmap = BitmapKind::classic;
  const auto classic = write_and_load("classic", build_member(c, 0));
  ASSERT_TRUE(classic.bitmap);
  EXPECT_NE(stale_bitmap_effect(classic.md, *classic.bitmap).find("recovers the whole array"), std::string::npos);
}

TEST_F(Layout, DuplicateMembersAreReportedByCompareAndCheck) {
  const auto a = write_and_load("a", build_member(spec_, 0));
  const auto twice = compare_members({a, a});
  ASSERT_FALSE(twice.empty());
  EXPECT_EQ(twice.front().field, "device");
  std::filesystem::copy_file(path("a"), path("clone"));
  const auto clone = load_member(path("clone"));
  const auto cloned = compare_members({a, clone});
  EXPECT_TRUE(find(cloned, "md.device_uuid"));
  EXPECT_TRUE(find(cloned, "md.role"));
  const auto report = check_members({a, clone}, {});
  EXPECT_FALSE(report.consistent());
  bool named = false;
  for (const auto& f : report.findings) named = named || (f.finding.field == "md.device_uuid" && f.device == clone.device);
  EXPECT_TRUE(named);
  const auto b = write_and_load("b", build_member(spec_, 1));
  EXPECT_TRUE(compare_members({a, b}).empty());
}

TEST_F(Layout, TheUnusableFieldIsTheOneThatIsWrong) {
  const auto with = [&](const char* name, auto change) {
    auto meta = build_member(spec_, 0);
    change(meta.bitmap);
    const auto header = encode_bitmap_super(meta.bitmap);
    std::copy(header.begin(), header.end(), meta.bitmap_area.begin());
    const auto m = load(name, meta);
    return m.bitmap ? m.bitmap->unusable_field : std::string("no bitmap");
  };
  EXPECT_EQ(with("sync", [](BitmapSuper& sb) { sb.sync_size *= 4; }), "bitmap.sync_size");
  EXPECT_EQ(with("reserved", [](BitmapSuper& sb) { sb.sectors_reserved = 0; }), "bitmap.sectors_reserved");
  EXPECT_EQ(with("version", [](BitmapSuper& sb) { sb.version = 7; }), "bitmap.version");
  EXPECT_EQ(with("chunk", [](BitmapSuper& sb) { sb.chunksize = 3; }), "bitmap.chunksize");
  EXPECT_EQ(with("good", [](BitmapSuper&) {}), "");
}

class ImageRefusals : public Layout {
protected:
  // Refused with Error naming the field, nothing written.
  void expect_refused(const ImageSpec& image, const std::string& field, const std::vector<std::string>& names) {
    std::vector<std::string> paths;
    for (const auto& n : names) paths.push_back(path(n));
    try {
      write_member_images(image, paths);
      ADD_FAILURE() << "not refused: " << field;
    } catch (const Error& e) {
      EXPECT_EQ(e.field(), field) << e.what();
    }
    for (const auto& p : paths) EXPECT_FALSE(std::filesystem::exists(p)) << p;
  }
  std::vector<std::string> names(std::uint32_t n) const {
    std::vector<std::string> out;
    for (std::uint32_t i = 0; i < n; ++i) out.push_back("m" + std::to_string(i));
    return out;
  }
};

TEST_F(ImageRefusals, WhatTheKernelRefusesOrExamineCallsAnError) {
  for (const int minor : {0, 1, 2})
    for (const auto& lc : kLevels) {
      const auto refused = [&](auto change, const std::string& field) {
        ImageSpec image{spec(minor, lc), {}};
        change(image.array);
        expect_refused(image, field, names(image.array.raid_disks));
      };
      refused([](ArraySpec& s) { s.bitmap_chunk = 3; }, "bitmap.chunksize");
      refused([](ArraySpec& s) { s.bitmap_chunk = 1; s.member_bytes = 1ull << 30; }, "bitmap.chunksize");
      refused([](ArraySpec& s) { s.sectors_reserved = 0; }, "bitmap.sectors_reserved");
      refused([](ArraySpec& s) { s.sectors_reserved = 0; s.bitmap = BitmapKind::lockless_first_use; }, "bitmap.sectors_reserved");
      refused([](ArraySpec& s) { s.bitmap = BitmapKind::classic; s.bitmap_chunk = 256; }, "bitmap.chunksize");
      if (minor != 0) {
        refused([](ArraySpec& s) { s.sectors_reserved = 99999; }, "bitmap.sectors_reserved");
        refused([](ArraySpec& s) { s.bitmap_offset = 4000; }, "md.bitmap_offset");
        refused([&](ArraySpec& s) { s.data_offset = minor == 2 ? 16 : 8; }, "md.bitmap_offset");
        refused([](ArraySpec& s) { s.bitmap_offset = 1; }, "md.bitmap_offset");
      }
    }
}

TEST_F(ImageRefusals, LevelsAndDeviceCounts) {
  const auto refused = [&](std::int32_t level, std::uint32_t disks, BitmapKind kind, const std::string& field) {
    ImageSpec image{spec_, {}};
    image.array.level = level;
    image.array.raid_disks = disks;
    image.array.bitmap = kind;
    expect_refused(image, field, names(disks));
  };
  for (const auto kind : {BitmapKind::lockless, BitmapKind::lockless_first_use, BitmapKind::classic}) {
    refused(0, 2, kind, "md.level");
    refused(-1, 2, kind, "md.level");
  }
  refused(6, 3, BitmapKind::lockless, "md.raid_disks");
  refused(5, 1, BitmapKind::lockless, "md.raid_disks");
  refused(4, 1, BitmapKind::lockless, "md.raid_disks");
  refused(10, 1, BitmapKind::lockless, "md.raid_disks");
  ImageSpec raid0{spec_, {}};
  raid0.array.level = 0;
  raid0.array.bitmap = BitmapKind::none;
  EXPECT_NO_THROW(write_member_images(raid0, {path("r0a"), path("r0b")}));
}

TEST_F(ImageRefusals, TheSameFileTwice) {
  ImageSpec image{spec_, {}};
  const auto dir = std::filesystem::path(path(""));
  for (const auto& second : {path("a"), (dir / "." / "a").string(), (dir / "x" / ".." / "a").string()}) {
    std::filesystem::create_directories(dir / "x");
    try {
      write_member_images(image, {path("a"), second});
      ADD_FAILURE() << "not refused: " << second;
    } catch (const Error& e) {
      EXPECT_EQ(e.device(), second);
      EXPECT_NE(e.message().find("the same file as"), std::string::npos) << e.what();
    }
    EXPECT_FALSE(std::filesystem::exists(path("a")));
  }
}

TEST_F(ImageRefusals, EveryAcceptedImageExaminesWithoutErrors) {
  for (const int minor : {0, 1, 2})
    for (const auto& lc : kLevels)
      for (const auto kind : {BitmapKind::lockless, BitmapKind::lockless_first_use, BitmapKind::classic}) {
        ImageSpec image{spec(minor, lc), {}};
        image.array.bitmap = kind;
        const auto dir = name("ok", minor, lc) + std::to_string(static_cast<int>(kind));
        std::vector<std::string> paths;
        for (const auto& n : names(lc.raid_disks)) paths.push_back(path(dir + n));
        write_member_images(image, paths);
        for (const auto& p : paths) {
          const auto m = load_member(p);
          EXPECT_FALSE(has_errors(m.findings)) << p << ": " << m.findings.front().to_string();
        }
      }
}

}  // namespace
