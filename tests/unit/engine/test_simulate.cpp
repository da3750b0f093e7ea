// simulate: the trace readers and the kernel timing, on hand-worked cases.
#include <gtest/gtest.h>

#include <charconv>
#include <random>
#include <sstream>

#include "llbmp/error.hpp"
#include "engine/simulate.hpp"

using namespace llbmp;

namespace {

std::vector<IoEvent> read_all(const std::string& text, TraceFormat format) {
  std::istringstream in(text);
  TraceReader reader(in, format, "t");
  std::vector<IoEvent> out;
  while (auto e = reader.next()) out.push_back(*e);
  return out;
}

SimulateConfig config256M() {
  SimulateConfig c;
  c.size_sectors = 256 * 2048;  // 4096 chunks of 64 KiB
  c.chunk_sectors = 128;
  return c;
}

SimulateReport simulate(const std::vector<IoEvent>& events, SimulateConfig c) {
  Simulator s(c);
  for (const auto& e : events) s.feed(e);
  return s.finish();
}

}  // namespace

TEST(SimulateParse, BlkparseQueuedWritesAndDiscards) {
  const auto ev = read_all(
      "  8,0    3        1     0.000000000   697  Q  WS 1234 + 8 [dd]\n"
      "  8,0    3        2     0.000001000   697  G  WS 1234 + 8 [dd]\n"
      "  8,0    3        3     0.5   697  Q   R 99 + 8 [cat]\n"
      "  8,16   0        4     1.25   697  Q   DS 2048 + 2048 [fstrim]\n"
      "  8,0    3        5     2   697  Q  FN 0 + 0 [kworker]\n"
      "\n"
      "CPU3 (8,0):\n"
      " Reads Queued:           1,        4KiB\n",
      TraceFormat::blkparse);
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ev[0].sector, 1234u);
  EXPECT_EQ(ev[0].sectors, 8u);
  EXPECT_FALSE(ev[0].discard);
  EXPECT_TRUE(ev[1].discard);
  EXPECT_DOUBLE_EQ(ev[1].time, 1.25);
}

TEST(SimulateParse, BlkparseMalformedLineNamesTheLine) {
  try {
    read_all("  8,0 3 1 0.0 1 Q WS 0 + 8 [a]\n  8,0 3 2 zz 1 Q WS 0 + 8 [a]\n", TraceFormat::blkparse);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.field(), "line");
    EXPECT_EQ(e.value(), "2");
  }
  EXPECT_THROW(read_all("  8,0 3 1 0.0 1 Q WS 12x + 8 [a]\n", TraceFormat::blkparse), Error);
  EXPECT_THROW(read_all("  8,0 3 1 0.0 1 Q WS 12\n", TraceFormat::blkparse), Error);
}

TEST(SimulateParse, FioV2AndV3) {
  const auto v2 = read_all("fio version 2 iolog\n/dev/sdb add\n/dev/sdb open\n/dev/sdb write 4096 8192\n/dev/sdb read 0 4096\n"
                           "/dev/sdb trim 1048576 65536\n/dev/sdb close\n",
                           TraceFormat::fio);
  ASSERT_EQ(v2.size(), 2u);
  EXPECT_EQ(v2[0].sector, 8u);
  EXPECT_EQ(v2[0].sectors, 16u);
  EXPECT_TRUE(v2[1].discard);
  const auto v3 = read_all("fio version 3 iolog\n0 /dev/sdb add\n1500000000 /dev/sdb write 512 100\n", TraceFormat::fio);
  ASSERT_EQ(v3.size(), 1u);
  EXPECT_DOUBLE_EQ(v3[0].time, 1.5);
  EXPECT_EQ(v3[0].sectors, 1u);
  EXPECT_THROW(read_all("not an iolog\n", TraceFormat::fio), Error);
  EXPECT_THROW(read_all("fio version 2 iolog\n/dev/sdb frobnicate 0 1\n", TraceFormat::fio), Error);
  EXPECT_THROW(read_all("fio version 3 iolog\nx /dev/sdb write 0 1\n", TraceFormat::fio), Error);
}

// Two writes in different blocks: one block write each; Dirty at the crash.
TEST(SimulateTiming, TwoBlocksBeforeTheDaemon) {
  auto c = config256M();
  c.crash_at = 10;
  const auto r = simulate({{0, 0, 8, false}, {2, 131072, 8, false}}, c);
  EXPECT_EQ(r.metadata_writes, 2u);
  EXPECT_EQ(r.dirty_in_memory, 2u);
  EXPECT_EQ(r.dirty_on_disk, 2u);
  EXPECT_EQ(r.resync_chunks, 2u);
  EXPECT_EQ(r.resync_bytes, 2u * 65536);
}

// The daemon at 30 s cleans memory; the disk keeps Dirty until a later write
// of the same block (chunk 1 at 35 s writes chunk 0's Clean back).
TEST(SimulateTiming, CleanReachesDiskOnlyWithALaterWrite) {
  auto c = config256M();
  c.crash_at = 40;
  const auto r = simulate({{0, 0, 8, false}, {2, 131072, 8, false}, {35, 128, 8, false}}, c);
  EXPECT_EQ(r.daemon_runs, 1u);
  EXPECT_EQ(r.metadata_writes, 3u);
  EXPECT_EQ(r.dirty_in_memory, 1u);
  EXPECT_EQ(r.dirty_on_disk, 2u);  // chunk 1 and chunk 1024
  EXPECT_EQ(r.resync_chunks, 2u);
}

// A busy page (written within barrier_idle) is left for the next run.
TEST(SimulateTiming, BusyPageWaits) {
  auto c = config256M();
  c.crash_at = 31;
  const auto r = simulate({{0, 0, 8, false}, {28, 0, 8, false}}, c);
  EXPECT_EQ(r.daemon_runs, 1u);
  EXPECT_EQ(r.dirty_in_memory, 1u);
  c.crash_at = 61;
  EXPECT_EQ(simulate({{0, 0, 8, false}, {28, 0, 8, false}}, c).dirty_in_memory, 0u);
}

TEST(SimulateTiming, SecondChunkOfABlockCoalesces) {
  const auto r = simulate({{0, 0, 8, false}, {0.5, 128, 8, false}}, config256M());
  EXPECT_EQ(r.metadata_writes, 2u);
  EXPECT_EQ(r.dirty_in_memory, 512u);
  EXPECT_EQ(r.resync_chunks, 512u);
}

TEST(SimulateTiming, DegradedNeedSyncNoDaemon) {
  auto c = config256M();
  c.degraded = true;
  c.crash_at = 100;
  const auto r = simulate({{0, 0, 8, false}, {0.5, 128, 8, false}}, c);
  EXPECT_EQ(r.dirty_in_memory, 2u);
  EXPECT_EQ(r.daemon_runs, 0u);
}

TEST(SimulateTiming, Raid5FirstWriteWidensToTheStripeRow) {
  auto c = config256M();
  c.level = 5;
  c.raid_disks = 3;
  c.start_unwritten = true;
  const auto r = simulate({{0, 0, 8, false}}, c);
  // One 512 KiB member chunk of the row: 8 bitmap chunks NeedSync; the
  // second of them finds its block pending and coalesces all 512 of it.
  EXPECT_EQ(r.dirty_in_memory, 512u);
  EXPECT_EQ(r.resync_chunks, 512u);
  EXPECT_EQ(r.metadata_writes, 1u);
}

TEST(SimulateTiming, DiscardWholeChunksOnly) {
  auto c = config256M();
  c.crash_at = 1;
  c.kernel = KernelSeries::linux_7_3;
  const auto r = simulate({{0, 0, 1024, false}, {0.5, 64, 256, true}}, c);
  // The write dirties chunks 0-7 and coalesces their block (512 chunks);
  // the discard of sectors 64..319 covers only chunk 1 whole.
  EXPECT_EQ(r.dirty_in_memory, 511u);
}

// 6.18 and 7.2 round the discard's first chunk up and its end up too: the
// partly covered chunk 2 is discarded as well.
TEST(SimulateTiming, OlderKernelsDiscardAPartlyCoveredLastChunk) {
  auto c = config256M();
  c.crash_at = 1;
  for (const auto k : {KernelSeries::linux_6_18, KernelSeries::linux_7_2}) {
    c.kernel = k;
    const auto r = simulate({{0, 0, 1024, false}, {0.5, 64, 256, true}}, c);
    EXPECT_EQ(r.dirty_in_memory, 510u) << kernel_series_name(k);
  }
}

TEST(SimulateTiming, PastTheEndIsAnError) {
  Simulator s(config256M());
  EXPECT_THROW(s.feed({0, 256 * 2048, 8, false}), Error);
}

TEST(SimulateSynthetic, SeededAndBounded) {
  SyntheticWorkload a(true, 7, 1000, 1 << 20, 8, 100), b(true, 7, 1000, 1 << 20, 8, 100);
  std::uint64_t n = 0;
  while (auto e = a.next()) {
    const auto f = b.next();
    ASSERT_TRUE(f);
    EXPECT_EQ(e->sector, f->sector);
    EXPECT_LT(e->sector + e->sectors, (1u << 20) + 1);
    ++n;
  }
  EXPECT_EQ(n, 1000u);
}

TEST(SimulateParse, TextWithNoTraceLineIsAnErrorNamingTheFirstLine) {
  try {
    read_all("\nhello world\nsecond line\n", TraceFormat::blkparse);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::format);
    EXPECT_EQ(e.field(), "line");
    EXPECT_EQ(e.value(), "2");  // the first line that is not blank
    EXPECT_NE(e.message().find("'hello world'"), std::string::npos) << e.message();
  }
  EXPECT_THROW(read_all("", TraceFormat::blkparse), Error);
  // Only summary lines and events other than Q: a trace, with no write in it.
  EXPECT_TRUE(read_all("  8,0 3 1 0.0 1 C WS 0 + 8 [0]\nCPU3 (8,0):\n", TraceFormat::blkparse).empty());
}

TEST(SimulateConfigCheck, CallerValuesAreBadValuesNamingTheField) {
  const auto field_of = [](const SimulateConfig& c) {
    try {
      Simulator s(c);
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::bad_value) << e.what();
      EXPECT_EQ(std::string(e.what()).find("--"), std::string::npos) << "the library names no CLI flag: " << e.what();
      return e.field();
    }
    return std::string("none");
  };
  auto c = config256M();
  c.chunk_sectors = 96;
  EXPECT_EQ(field_of(c), "chunk_sectors");
  c = config256M();
  c.size_sectors = 0;
  EXPECT_EQ(field_of(c), "size_sectors");
  c = config256M();
  c.crash_at = -1;
  EXPECT_EQ(field_of(c), "crash_at");
  c = config256M();
  c.io_size = 100;
  EXPECT_EQ(field_of(c), "io_size");
  // More chunks than the simulator holds: refused before anything is allocated.
  c = config256M();
  c.size_sectors = (kMaxSimulatedChunks + 1) * c.chunk_sectors;
  EXPECT_EQ(field_of(c), "size_sectors");
  EXPECT_EQ(field_of(config256M()), "none");
}

TEST(SimulateSynthetic, CountAndRateAreChecked) {
  EXPECT_THROW(SyntheticWorkload(false, 1, 0, 2048, 8, 100), Error);
  EXPECT_THROW(SyntheticWorkload(false, 1, 10, 2048, 8, 0), Error);
  EXPECT_THROW(SyntheticWorkload(false, 1, 10, 2048, 8, -5), Error);
  EXPECT_THROW(SyntheticWorkload(false, 1, 10, 2048, 4096, 100), Error);
  EXPECT_NO_THROW(SyntheticWorkload(false, 1, 10, 2048, 8, 0.5));
}

// ONDISK section 4 over 1 TiB in mdadm's 256 sectors: 64 KiB chunks are
// impossible, the kernel's 8 MiB passes its own test only, 16 MiB fits;
// a room of 32770 sectors holds the 64 KiB chunks and is the kernel's choice.
TEST(SimulateRoom, RowsAreJudgedAgainstTheRoom) {
  SimulateConfig c;
  c.size_sectors = std::uint64_t{1} << 31;
  const auto row = [&](std::uint64_t chunk_sectors, std::uint32_t reserved) {
    c.chunk_sectors = chunk_sectors;
    c.sectors_reserved = reserved;
    return Simulator(c).finish();
  };
  const auto small = row(128, 256);
  EXPECT_EQ(small.fit, RoomFit::impossible);
  EXPECT_EQ(small.sectors_needed, 32770u);
  EXPECT_FALSE(small.kernel_choice);
  const auto kernel = row(16384, 256);
  EXPECT_EQ(kernel.fit, RoomFit::kernel_only);
  EXPECT_EQ(kernel.sectors_needed, 258u);
  EXPECT_TRUE(kernel.kernel_choice);
  const auto fitting = row(32768, 256);
  EXPECT_EQ(fitting.fit, RoomFit::fits);
  EXPECT_FALSE(fitting.kernel_choice);
  const auto big_room = row(128, 32770);
  EXPECT_EQ(big_room.fit, RoomFit::fits);
  EXPECT_TRUE(big_room.kernel_choice);
  EXPECT_EQ(row(128, 32769).fit, RoomFit::kernel_only);
  EXPECT_STREQ(room_fit_name(RoomFit::kernel_only), "kernel_only");
  EXPECT_THROW(row(128, 0), Error);
}

// The streaming reader over what a 64 KiB read buffer and 64-byte scans can
// get wrong: blank runs of 1 to 150 spaces, tabs and CRs (fields crossing
// every window edge), lines crossing every read edge, a 100 KiB line that
// makes the buffer grow, and a last line without '\n'.
TEST(SimulateParse, BlkparseFieldsAcrossBufferEdges) {
  std::mt19937 rng(7);
  const auto blanks = [&] {
    std::string b(1 + rng() % 150, ' ');
    for (auto& c : b) c = " \t\r"[rng() % 3];
    return b;
  };
  std::string text;
  constexpr std::uint64_t kLines = 5000;
  for (std::uint64_t i = 0; i < kLines; ++i) {
    text += blanks() + "8,0" + blanks() + "1" + blanks() + std::to_string(i) + blanks() + std::to_string(i) + ".25" + blanks() +
            "77" + blanks() + "Q" + blanks() + "WS" + blanks() + std::to_string(i * 8) + blanks() + "+" + blanks() +
            std::to_string(1 + i % 16) + blanks() + (i == 2500 ? std::string(100000, 'x') : "[p]");
    if (i + 1 < kLines) text += '\n';
  }
  const auto ev = read_all(text, TraceFormat::blkparse);
  ASSERT_EQ(ev.size(), kLines);
  for (std::uint64_t i = 0; i < kLines; ++i) {
    ASSERT_EQ(ev[i].sector, i * 8) << i;
    ASSERT_EQ(ev[i].sectors, 1 + i % 16) << i;
    ASSERT_DOUBLE_EQ(ev[i].time, static_cast<double>(i) + 0.25) << i;
  }
}

// Every time form gives what std::from_chars gives (the short path for
// blkparse's DIGITS.DIGITS included), and the same errors.
TEST(SimulateParse, BlkparseTimesAsFromChars) {
  for (const std::string t : {"0.000000001", "12345.678901234", "1", "3.", "0.1", "0.3", "1e-3", "123456789012.3456789",
                              "9999999999999999.5", "000000000000000000001.5", "4.9406564584124654e-300", "0.000100000", ".5"}) {
    double expected = 0;
    std::from_chars(t.data(), t.data() + t.size(), expected);
    const auto ev = read_all("  8,0 1 1 " + t + " 9 Q W 0 + 8 [p]\n", TraceFormat::blkparse);
    ASSERT_EQ(ev.size(), 1u) << t;
    EXPECT_EQ(ev[0].time, expected) << t;
  }
  for (const std::string t : {"-1", "+1", "1..2", "0x10", "1.2.3", "inf", "nan", "5x"}) {
    EXPECT_THROW(read_all("  8,0 1 1 " + t + " 9 Q W 0 + 8 [p]\n", TraceFormat::blkparse), Error) << t;
  }
}

// Numbers of every length up to the type's limit and one past it.
TEST(SimulateParse, SectorsUpToTheLimit) {
  const auto ev = read_all("  8,0 1 1 0 9 Q W 18446744073709551 + 8 [p]\n  8,0 1 1 0 9 Q W 0 + 00000000000000000008 [p]\n",
                           TraceFormat::blkparse);
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ev[0].sector, 18446744073709551u);
  EXPECT_EQ(ev[1].sectors, 8u);
  EXPECT_THROW(read_all("  8,0 1 1 0 9 Q W 18446744073709551616 + 8 [p]\n", TraceFormat::blkparse), Error);
  EXPECT_THROW(read_all("  8,0 1 1 0 9 Q W 12a + 8 [p]\n", TraceFormat::blkparse), Error);
  EXPECT_EQ(read_all("  4294967295,1 1 1 0 9 Q W 0 + 8 [p]\n", TraceFormat::blkparse).size(), 1u);
  EXPECT_THROW(read_all("  4294967296,1 1 1 0 9 Q W 0 + 8 [p]\nhello\n", TraceFormat::blkparse), Error);  // not a device: no event line
}
