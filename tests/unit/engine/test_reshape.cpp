// The 7.3 reshape model against hand-worked cases (ONDISK.md section 9).
#include <gtest/gtest.h>

#include "engine/reshape.hpp"
#include "llbmp/error.hpp"

using namespace llbmp;

namespace {

constexpr std::uint8_t U = 0, C = 1, D = 2, N = 3, S = 4, NU = 5, SU = 6, CU = 7, X = 0xff;

// 256 MiB-class members: 508 md chunks of 512 KiB, 64 KiB bitmap chunks, 128 KiB room.
ReshapeRequest raid5(std::uint32_t from, std::uint32_t to, std::uint64_t member = 520192) {
  ReshapeRequest r;
  r.level = 5;
  r.old_shape = {from, 1024, 2};
  r.new_shape = {to, 1024, 2};
  r.member_sectors = member;
  r.bitmap_chunk_sectors = 128;
  r.sectors_reserved = 256;
  return r;
}

ReshapeRequest raid10(std::uint32_t from, std::uint32_t to, std::uint64_t member = 520192) {
  ReshapeRequest r = raid5(from, to, member);
  r.level = 10;
  r.old_shape.layout = r.new_shape.layout = 0x102;  // near=2
  return r;
}

std::vector<std::uint8_t> filled(std::size_t n, std::uint8_t b) { return std::vector<std::uint8_t>(n, b); }

void set(std::vector<std::uint8_t>& bytes, std::size_t first, std::size_t last, std::uint8_t b) {
  for (std::size_t i = first; i <= last; ++i) bytes[i] = b;
}

ReshapePreview preview(const ReshapeRequest& r, std::vector<std::uint8_t> bytes, bool reload = true) {
  ReshapePreviewRequest rq;
  rq.reshape = r;
  rq.bytes = std::move(bytes);
  rq.reload = reload;
  return preview_reshape(rq);
}

// The chunks of [0, end) holding byte b, as ranges.
std::vector<std::pair<std::uint64_t, std::uint64_t>> where(std::span<const std::uint8_t> bytes, std::uint64_t end,
                                                           std::uint8_t b) {
  std::vector<std::pair<std::uint64_t, std::uint64_t>> out;
  for (const auto& run : state_runs(bytes.first(end)))
    if (run.byte == b) out.emplace_back(run.first, run.last);
  return out;
}

using Ranges = std::vector<std::pair<std::uint64_t, std::uint64_t>>;

std::string field_of(const ReshapeRequest& r) {
  try {
    reshape_geometry(r);
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::bad_value);
    return e.field();
  }
  return "";
}

}  // namespace

// raid5 3->4: the old side counts 2 data disks, the new 3; the sync size is the
// member size on both, so the bitmap chunk and count stay (section 9.4.1).
TEST(ReshapeGeometry, Raid5ThreeToFour) {
  const auto g = reshape_geometry(raid5(3, 4));
  EXPECT_FALSE(g.backwards);
  EXPECT_TRUE(g.remapped);
  EXPECT_EQ(g.old_side.data_disks, 2u);
  EXPECT_EQ(g.old_side.row_sectors, 2048u);
  EXPECT_EQ(g.old_side.sync_sectors, 520192u);
  EXPECT_EQ(g.old_side.array_sectors, 1040384u);
  EXPECT_EQ(g.old_side.chunks, 4064u);
  EXPECT_EQ(g.new_side.data_disks, 3u);
  EXPECT_EQ(g.new_side.row_sectors, 3072u);
  EXPECT_EQ(g.new_side.sync_sectors, 520192u);
  EXPECT_EQ(g.new_side.array_sectors, 1560576u);
  EXPECT_EQ(g.new_side.chunk_sectors, 128u);
  EXPECT_EQ(g.new_side.chunks, 4064u);
  EXPECT_EQ(g.header_sync_sectors, 520192u);
  EXPECT_EQ(g.memory_chunks, 4064u);
  EXPECT_EQ(g.span_sectors, 1560576u);  // forward: to the new array's end
}

// raid10 near=2 4->6: the sync size is the array's, the new one counts 6 members.
TEST(ReshapeGeometry, Raid10NearTwoFourToSix) {
  const auto g = reshape_geometry(raid10(4, 6));
  EXPECT_EQ(g.old_side.sync_sectors, 1040384u);  // 508 chunks * 4 / 2
  EXPECT_EQ(g.old_side.array_sectors, 1040384u);
  EXPECT_EQ(g.old_side.row_sectors, 0u);  // identity
  EXPECT_EQ(g.old_side.chunks, 8128u);
  EXPECT_EQ(g.new_side.sync_sectors, 1560576u);  // 508 * 6 / 2
  EXPECT_EQ(g.new_side.chunk_sectors, 128u);
  EXPECT_EQ(g.new_side.chunks, 12192u);
  EXPECT_EQ(g.header_chunks, 8128u);
  EXPECT_EQ(g.memory_chunks, 12192u);
  EXPECT_EQ(g.span_sectors, 1040384u);  // raid10 walks the old array only
}

// The new side needs more chunks than the room holds: the header chunk doubles
// (llbitmap_calculate_chunks). 8 sectors reserved: 4096 chunks at most.
TEST(ReshapeGeometry, Raid10DoublesTheChunk) {
  auto r = raid10(4, 6, 262144);
  r.sectors_reserved = 8;
  const auto g = reshape_geometry(r);
  EXPECT_EQ(g.old_side.chunks, 4096u);
  EXPECT_EQ(g.new_side.sync_sectors, 786432u);
  EXPECT_EQ(g.new_side.chunk_sectors, 256u);
  EXPECT_EQ(g.new_side.chunks, 3072u);
  EXPECT_EQ(g.memory_chunks, 4096u);  // max(old, new)
}

// A shrink runs backwards; the old side counts the fewer members on raid10.
TEST(ReshapeGeometry, ShrinkRunsBackwards) {
  const auto g5 = reshape_geometry(raid5(4, 3));
  EXPECT_TRUE(g5.backwards);
  EXPECT_EQ(g5.span_sectors, 1040384u);  // the smaller array
  auto r = raid10(6, 4);
  const auto g10 = reshape_geometry(r);
  EXPECT_TRUE(g10.backwards);
  EXPECT_EQ(g10.old_side.sync_sectors, 1040384u);  // min(6, 4) members
  EXPECT_EQ(g10.header_sync_sectors, 1560576u);    // the header still has the 6-member size
  EXPECT_EQ(g10.header_chunks, 12192u);
  EXPECT_EQ(g10.memory_chunks, 12192u);
  auto fwd = raid5(3, 3);
  fwd.new_shape.chunk_sectors = 2048;
  fwd.backwards = true;  // MD_FEATURE_RESHAPE_BACKWARDS
  EXPECT_TRUE(reshape_geometry(fwd).backwards);
}

TEST(ReshapeGeometry, Raid1IsLeftAlone) {
  ReshapeRequest r;
  r.level = 1;
  r.old_shape = {2, 0, 0};
  r.new_shape = {3, 0, 0};
  r.member_sectors = 520192;
  r.bitmap_chunk_sectors = 128;
  r.sectors_reserved = 256;
  const auto g = reshape_geometry(r);
  EXPECT_FALSE(g.remapped);
  EXPECT_FALSE(on_old_side(g, 1000, 2000));
  auto bytes = filled(4064, C);
  bytes[7] = N;
  const auto p = preview(r, bytes);
  EXPECT_EQ(p.bytes, bytes);
  EXPECT_TRUE(p.refusals.empty());
  EXPECT_EQ(p.chunks, 4064u);
  EXPECT_EQ(p.checkpoints, 0u);
}

TEST(ReshapeRequest, ImpossibleInputsNameTheField) {
  auto r = raid5(3, 4);
  r.level = 0;
  EXPECT_EQ(field_of(r), "level");
  r.level = 42;
  EXPECT_EQ(field_of(r), "level");
  EXPECT_EQ(field_of(raid5(3, 3)), "new_shape.raid_disks");
  EXPECT_EQ(field_of(raid5(1, 4)), "old_shape.raid_disks");
  r = raid5(3, 4);
  r.new_shape.chunk_sectors = 1000;
  EXPECT_EQ(field_of(r), "new_shape.chunk_sectors");
  r = raid5(3, 4);
  r.io_size = 1000;
  EXPECT_EQ(field_of(r), "io_size");
  r = raid5(3, 4);
  r.bitmap_chunk_sectors = 96;
  EXPECT_EQ(field_of(r), "bitmap_chunk_sectors");
  r = raid5(3, 4);
  r.header_sync_sectors = 520193;
  EXPECT_EQ(field_of(r), "header_sync_sectors");
  r = raid5(3, 4);
  r.sectors_reserved = 1;  // 512 chunks for 4064: the kernel refuses to load it
  EXPECT_EQ(field_of(r), "bitmap_chunk_sectors");
  r = raid5(3, 4);
  r.member_sectors = 0;
  EXPECT_EQ(field_of(r), "member_sectors");
  ReshapePreviewRequest rq;
  rq.reshape = raid5(3, 4);
  rq.resume_from = 1560577;
  try {
    preview_reshape(rq);
    ADD_FAILURE() << "a resume past the end was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.field(), "resume_from");
    EXPECT_EQ(e.kind(), ErrorKind::bad_value);
  }
}

// ONDISK 9.9: 3->4 members, 512K array chunk, 64K bitmap chunk, stopped at
// reshape_position 294912: indices 0..767 new, 768..1151 leftovers, old from 1152.
TEST(ReshapeSides, Raid5AtReshapePosition294912) {
  const auto g = reshape_geometry(raid5(3, 4));
  const auto s = reshape_sides(g, 294912);
  EXPECT_EQ(s.new_indices, (IndexRange{0, 768}));
  EXPECT_EQ(s.leftovers, (IndexRange{768, 1152}));
  EXPECT_EQ(s.old_indices, (IndexRange{1152, 4064}));
  EXPECT_FALSE(s.overlap);
  // A write just below R marks new-side indices, one at R old-side ones.
  EXPECT_FALSE(on_old_side(g, 294912, 294911));
  EXPECT_TRUE(on_old_side(g, 294912, 294912));
  const auto below = side_chunks(g, false, {294911, 294912});  // new row 95: device [97280, 98304)
  ASSERT_TRUE(below);
  EXPECT_EQ(below->first, 760u);
  EXPECT_EQ(below->last, 767u);
  const auto above = side_chunks(g, true, {294912, 294913});  // old row 144: device [147456, 148480)
  ASSERT_TRUE(above);
  EXPECT_EQ(above->first, 1152u);
  EXPECT_EQ(above->last, 1159u);
  // Clipped to the side's array: past the old array nothing is marked on the old side.
  EXPECT_FALSE(side_chunks(g, true, {1040384, 1040400}));
  EXPECT_TRUE(side_chunks(g, false, {1040384, 1040400}));
}

TEST(ReshapeSides, NearTheStartTheSidesShareBytes) {
  const auto g = reshape_geometry(raid5(3, 4));
  const auto s = reshape_sides(g, 1);
  EXPECT_EQ(s.new_indices, (IndexRange{0, 8}));
  EXPECT_EQ(s.old_indices, (IndexRange{0, 4064}));
  EXPECT_EQ(s.leftovers.count(), 0u);
  EXPECT_TRUE(s.overlap);
  const auto none = reshape_sides(g, 0);
  EXPECT_EQ(none.new_indices.count(), 0u);
  EXPECT_EQ(none.old_indices, (IndexRange{0, 4064}));
}

// Backwards is the mirror image: 4->3 at the same R.
TEST(ReshapeSides, BackwardsMirror) {
  const auto g = reshape_geometry(raid5(4, 3));
  EXPECT_TRUE(on_old_side(g, 294912, 294911));
  EXPECT_FALSE(on_old_side(g, 294912, 294912));
  const auto s = reshape_sides(g, 294912);
  EXPECT_EQ(s.old_indices, (IndexRange{0, 768}));
  EXPECT_EQ(s.leftovers, (IndexRange{768, 1152}));
  EXPECT_EQ(s.new_indices, (IndexRange{1152, 4064}));
}

TEST(ReshapeSides, Raid10IsIdentity) {
  const auto g = reshape_geometry(raid10(4, 6));
  const auto s = reshape_sides(g, 294912 + 64);
  EXPECT_EQ(s.new_indices, (IndexRange{0, 2305}));
  EXPECT_EQ(s.old_indices, (IndexRange{2304, 8128}));
  EXPECT_TRUE(s.overlap);  // R inside chunk 2304
}

// Section 9.5, cell by cell: rows are the seed, columns the old byte.
TEST(ReshapeMerge, TableCellByCell) {
  const std::uint8_t values[] = {U, C, D, N, S, NU, SU, CU, X};
  const std::uint8_t expected[9][9] = {
      /* U  */ {U, C, D, N, N, U, U, U, U},
      /* C  */ {C, C, D, N, N, C, C, C, C},
      /* D  */ {D, D, D, N, N, D, D, D, D},
      /* N  */ {N, N, N, N, N, N, N, N, N},
      /* S  */ {N, N, N, N, N, N, N, N, N},
      /* NU */ {U, C, D, N, N, U, U, U, U},
      /* SU */ {U, C, D, N, N, U, U, U, U},
      /* CU */ {U, C, D, N, N, U, U, U, U},
      /* X  */ {U, C, D, N, N, U, U, U, U},
  };
  for (int a = 0; a < 9; ++a)
    for (int b = 0; b < 9; ++b)
      EXPECT_EQ(static_cast<std::uint8_t>(reshape_merge(values[a], values[b])), expected[a][b])
          << "seed " << int(values[a]) << " old " << int(values[b]);
}

// One checkpoint of 3->4 over array [6144, 12288): new rows 2-3 (chunks
// 16..31) from old rows 3-5 (chunks 24..47), walked forward; a NeedSync result
// is written with its block (block 2 of the area), a Clean one is not.
TEST(ReshapeRemap, OneCheckpointForward) {
  const auto g = reshape_geometry(raid5(3, 4));
  auto bytes = filled(4064, C);
  set(bytes, 24, 25, N);
  ReshapeRemap remap(g, bytes, g.header_chunks);
  const auto first = remap.mark(0, 6144);
  ASSERT_TRUE(first.remapped);
  EXPECT_EQ(first.remapped->first, 0u);
  EXPECT_EQ(first.remapped->last, 15u);
  EXPECT_TRUE(first.written_blocks.empty());
  const auto out = remap.mark(6144, 12288);
  ASSERT_TRUE(out.remapped);
  EXPECT_EQ(out.remapped->first, 16u);
  EXPECT_EQ(out.remapped->last, 31u);
  EXPECT_FALSE(out.walked_backwards);
  EXPECT_EQ(out.written_blocks, (std::vector<std::uint64_t>{2}));
  // dst 16 takes old [3072, 3264) = chunks 24..25, dst 17 chunks 25..26.
  EXPECT_EQ(remap.memory()[16], N);
  EXPECT_EQ(remap.memory()[17], N);
  EXPECT_EQ(remap.memory()[18], D);  // Clean coalesced to Dirty by the second NeedSync in the block
  EXPECT_EQ(remap.disk()[18], D);
  EXPECT_TRUE(remap.mark(5, 5).written_blocks.empty());
}

using Checkpoint = std::pair<std::uint64_t, std::uint64_t>;  // reshape_position before, after

// New chunk 1 of a 2048-sector bitmap chunk (two md rows), remapped in two
// checkpoints, old chunk 1 NeedSync and the rest Clean: its bytes after each.
static std::pair<std::uint8_t, std::uint8_t> two_part_chunk(std::uint32_t from, std::uint32_t to, Checkpoint first,
                                                            Checkpoint second) {
  auto r = raid5(from, to);
  r.bitmap_chunk_sectors = 2048;
  const auto g = reshape_geometry(r);
  auto bytes = filled(254, C);
  bytes[1] = N;
  ReshapeRemap remap(g, bytes, g.header_chunks);
  remap.mark(first.first, first.second);
  const std::uint8_t after_first = remap.memory()[1];
  remap.mark(second.first, second.second);
  return {after_first, remap.memory()[1]};
}

// A new chunk remapped in two checkpoints keeps what the first gave it (its
// seed is its own byte). 3->4: new chunk 1 is new rows 2-3; row 2 takes old
// chunks 1..2, row 3 old chunk 2 alone (seeded Unwritten it would be Clean).
// Backwards (4->3) the seed is the own byte of a chunk that ends after the
// range: row 3 first (old chunk 1), then row 2 (old chunk 0).
TEST(ReshapeRemap, SeedKeepsTheFirstPart) {
  EXPECT_EQ(two_part_chunk(3, 4, {6144, 9216}, {9216, 12288}), std::make_pair(N, N));
  EXPECT_EQ(two_part_chunk(4, 3, {8192, 6144}, {6144, 4096}), std::make_pair(N, N));
}

// Backwards, new offsets above the old ones (src_start < dst_start <= src_end):
// the kernel walks from the last new chunk down.
TEST(ReshapeRemap, OverlapWalksBackwards) {
  const auto g = reshape_geometry(raid5(4, 3));
  ReshapeRemap remap(g, filled(4064, C), g.header_chunks);
  const auto out = remap.mark(12288, 6144);
  ASSERT_TRUE(out.remapped);
  EXPECT_EQ(out.remapped->first, 24u);
  EXPECT_EQ(out.remapped->last, 47u);
  EXPECT_TRUE(out.walked_backwards);
}

// Clean and Unwritten results stay in memory: the disk keeps the old byte
// until a later write of its block. Old chunks 600..607 Dirty: dst 400..405
// become Dirty (block 2 written, and coalesced at the second one, so its Clean
// bytes read Dirty on disk); later Clean results in block 2 (416..511) and in
// block 3 over the old Dirty bytes (600..607) are in memory only.
TEST(ReshapeRemap, CleanResultsStayInMemory) {
  const auto g = reshape_geometry(raid5(3, 4));
  auto bytes = filled(4064, C);
  set(bytes, 600, 607, D);
  ReshapeRemap remap(g, bytes, g.header_chunks);
  Ranges memory_only;
  for (std::uint64_t k = 0; k < 41; ++k) {
    const auto out = remap.mark(k * 6144, (k + 1) * 6144);
    if (k == 25) {
      EXPECT_EQ(out.written_blocks, (std::vector<std::uint64_t>{2}));
    }
    for (const auto& r : out.memory_only) {
      if (!memory_only.empty() && memory_only.back().second + 1 == r.first)
        memory_only.back().second = r.last;
      else
        memory_only.emplace_back(r.first, r.last);
    }
  }
  EXPECT_EQ(memory_only, (Ranges{{416, 511}, {600, 607}}));
  EXPECT_EQ(remap.memory()[400], D);
  EXPECT_EQ(remap.memory()[406], C);
  EXPECT_EQ(remap.disk()[406], C);  // written with the block in the same unplug
  EXPECT_EQ(remap.disk()[416], D);
  EXPECT_EQ(remap.memory()[416], C);
  remap.flush_all();
  EXPECT_TRUE(std::equal(remap.memory().begin(), remap.memory().end(), remap.disk().begin()));
}

// A whole 3->4 reshape. Old chunks 24..31 (old row 3, array [6144, 8192))
// NeedSync, everything else Clean. The merge slices proportionally (3 old
// sectors for 2 new): new chunk d takes old 24 + floor(1.5 (d - 16)) on, so
// 16..21 take a NeedSync old chunk and 22 (old 33..34) does not. Past the old array's end
// (array 1040384) the new chunks are Unwritten; the step straddling it
// ([1038336, 1044480)) compresses old chunks 4056..4063 over new 2704..2719.
TEST(ReshapePreview, Raid5ThreeToFour) {
  auto bytes = filled(4064, C);
  set(bytes, 24, 31, N);
  const auto p = preview(raid5(3, 4), bytes);
  EXPECT_TRUE(p.refusals.empty());  // raid4/5/6 do not ask the bitmap
  EXPECT_EQ(p.alignment_sectors, 6144u);
  EXPECT_EQ(p.checkpoint_sectors, 6144u);
  EXPECT_EQ(p.checkpoints, 254u);  // ceil(1560576 / 6144)
  EXPECT_EQ(where(p.bytes, p.chunks, N), (Ranges{{16, 21}}));
  EXPECT_EQ(where(p.bytes, p.chunks, C), (Ranges{{0, 15}, {22, 2719}}));
  EXPECT_EQ(where(p.bytes, p.chunks, U), (Ranges{{2720, 4063}}));
  EXPECT_EQ(p.chunk_sectors, 128u);  // the header stays on raid4/5/6
  EXPECT_EQ(p.sync_sectors, 520192u);
  EXPECT_TRUE(p.follow_up.resync);
  EXPECT_EQ(p.follow_up.from_sector, 0u);
  EXPECT_EQ(p.follow_up.need_sync_chunks, 6u);
  EXPECT_GT(p.coalesced, 0u);
}

// A stale bitmap's assembly runs Stale, not Reload: every Clean chunk is
// NeedSync before the walk, so every new chunk over the old array is.
TEST(ReshapePreview, AStaleBitmapLoadsWithStale) {
  ReshapePreviewRequest rq;
  rq.reshape = raid5(3, 4);
  rq.bytes = filled(4064, C);
  rq.stale = true;
  const auto p = preview_reshape(rq);
  EXPECT_TRUE(p.stale);
  EXPECT_EQ(p.after_load.of(State::NeedSync), 4064u);
  EXPECT_EQ(where(p.bytes, p.chunks, N), (Ranges{{0, 2719}}));
  EXPECT_EQ(p.follow_up.need_sync_chunks, 2720u);
  EXPECT_FALSE(preview(raid5(3, 4), filled(4064, C)).stale);
}

// ONDISK 9.9: coalescing acts on the remap's NeedSync results. On an Unwritten
// background the first NeedSync result in block 2 turns every Unwritten byte
// there (old chunks up to 511) into NeedSync, and the new chunks that take
// them (up to 341 = floor(511 / 1.5)) become NeedSync too.
TEST(ReshapePreview, CoalescingSpreadsNeedSync) {
  auto bytes = filled(4064, U);
  set(bytes, 24, 31, N);
  const auto p = preview(raid5(3, 4), bytes);
  EXPECT_EQ(where(p.bytes, p.chunks, N), (Ranges{{0, 341}}));
  EXPECT_EQ(where(p.bytes, p.chunks, U), (Ranges{{342, 4063}}));
  EXPECT_EQ(p.follow_up.need_sync_chunks, 342u);
}

// The resync after that reshape (from sector 0, raid5_finish_reshape): the
// 342 NeedSync chunks are synced and Dirty when it ends; the Endsync's Dirty
// writes in block 0 (chunks 0..511) find NeedSync neighbours and coalesce its
// 170 Unwritten chunks 342..511 into NeedSync (raid4/5/6: llbitmap's
// infect turns Unwritten into NeedSync), left for a later sync; the daemon
// cleans the Dirty ones.
TEST(ReshapePreview, TheResyncAfterTheReshapeIsReplayed) {
  auto bytes = filled(4064, U);
  set(bytes, 24, 31, N);
  const auto p = preview(raid5(3, 4), bytes);
  ASSERT_TRUE(p.follow_up.after_sync && p.follow_up.end);
  EXPECT_EQ(p.follow_up.after_sync->of(State::Dirty), 342u);
  EXPECT_EQ(p.follow_up.after_sync->of(State::NeedSync), 170u);
  EXPECT_EQ(p.follow_up.after_sync->of(State::Unwritten), 3552u);
  EXPECT_EQ(p.follow_up.end->of(State::Clean), 342u);
  EXPECT_EQ(p.follow_up.end->of(State::NeedSync), 170u);
  EXPECT_EQ(p.follow_up.end_bytes.size(), 4064u);
}

// The mirror: 4->3 runs backwards. Old chunks 16..23 (old row 2, array
// [6144, 9216)) NeedSync map to new chunks 24..35 (new rows 3-4, proportionally).
TEST(ReshapePreview, Raid5Backwards) {
  auto bytes = filled(4064, C);
  set(bytes, 16, 23, N);
  const auto p = preview(raid5(4, 3), bytes);
  EXPECT_TRUE(p.geometry.backwards);
  EXPECT_EQ(where(p.bytes, p.chunks, N), (Ranges{{24, 35}}));
  EXPECT_EQ(where(p.bytes, p.chunks, C), (Ranges{{0, 23}, {36, 4063}}));
}

// raid10 4->6: the start zeroes the new chunks (here over mdadm's 0xFF) after
// a daemon pass (Dirty -> Clean); the walk covers the old array only; the new
// header has the 6-member sync size; the resync from the old end skips them.
TEST(ReshapePreview, Raid10GrowthZeroesPastTheOldCount) {
  auto bytes = filled(12192, X);
  set(bytes, 0, 8127, C);
  set(bytes, 10, 12, D);
  const auto p = preview(raid10(4, 6), bytes, false);
  EXPECT_TRUE(p.refusals.empty());
  EXPECT_EQ(p.checkpoints, 1016u);
  EXPECT_EQ(where(p.bytes, p.chunks, C), (Ranges{{0, 8127}}));
  EXPECT_EQ(where(p.bytes, p.chunks, U), (Ranges{{8128, 12191}}));
  EXPECT_EQ(p.sync_sectors, 1560576u);
  EXPECT_EQ(p.chunk_sectors, 128u);
  EXPECT_EQ(p.chunks, 12192u);
  EXPECT_TRUE(p.follow_up.resync);
  // raid10_finish_reshape sets resync_offset to the old end, but md starts a
  // resync of an array with a bitmap at 0 (md_sync_position): all of it is walked.
  EXPECT_EQ(p.follow_up.from_sector, 0u);
  EXPECT_EQ(p.follow_up.need_sync_chunks, 0u);
  EXPECT_EQ(p.follow_up.skipped_unwritten, 4064u);
  ASSERT_TRUE(p.follow_up.end);
  EXPECT_EQ(p.follow_up.end->of(State::Clean), 8128u);
  EXPECT_EQ(p.follow_up.end->of(State::Unwritten), 4064u);
}

// raid10 with a doubled chunk: new chunk d takes old 2d and 2d+1. The start
// zeroes nothing (the new count 3072 is below the old 4096), so the new chunks
// past the old array's end (2048..3071) keep old bytes: not Unwritten.
TEST(ReshapePreview, Raid10DoubledChunk) {
  auto r = raid10(4, 6, 262144);
  r.sectors_reserved = 8;
  auto bytes = filled(4096, C);
  bytes[2001] = N;
  bytes[2600] = C;
  bytes[2601] = U;
  bytes[3000] = CU;
  bytes[3001] = U;
  const auto p = preview(r, bytes);
  ASSERT_EQ(p.refusals.size(), 1u);  // the NeedSync chunk refuses the start; the remap is shown anyway
  EXPECT_EQ(p.refusals[0].reason, ReshapeRefusalReason::bitmap_needs_sync);
  EXPECT_EQ(p.chunk_sectors, 256u);
  EXPECT_EQ(p.chunks, 3072u);
  EXPECT_EQ(p.bytes[1000], N);
  EXPECT_EQ(p.bytes[1300], C);  // Clean + Unwritten
  EXPECT_EQ(p.bytes[1500], U);  // CleanUnwritten + Unwritten
  EXPECT_EQ(where(p.bytes, p.chunks, N), (Ranges{{1000, 1000}}));
  EXPECT_EQ(p.bytes[2048], C);  // old byte kept past the old array's end
  EXPECT_EQ(p.bytes[2601], U);
  EXPECT_EQ(p.bytes[3000], CU);  // past the new last chunk: old bytes stay
  EXPECT_EQ(p.follow_up.from_sector, 0u);
  EXPECT_EQ(p.follow_up.need_sync_chunks, 1u);    // chunk 1000, below the old end: synced too
  EXPECT_EQ(where(p.bytes, p.chunks, U), (Ranges{{1500, 1500}, {2601, 2601}, {3001, 3001}}));  // skipped by it
  EXPECT_EQ(p.follow_up.skipped_unwritten, 3u);
}

// The merge does not depend on the checkpoint step when every boundary is a
// multiple of both sides' rows and the old array ends on one (here 1044480 =
// 170 * 6144). Degraded: no coalescing, whose reach depends on the blocks
// pending at each unplug.
TEST(ReshapePreview, StepDoesNotChangeTheMerge) {
  auto r = raid5(3, 4, 522240);
  r.degraded = true;
  std::vector<std::uint8_t> bytes(4080);
  std::uint32_t seed = 12345;
  for (auto& b : bytes) {
    seed = seed * 1103515245u + 12345u;
    const std::uint32_t v = (seed >> 16) % 10;
    b = v < 8 ? static_cast<std::uint8_t>(v) : X;
  }
  ReshapePreviewRequest rq;
  rq.reshape = r;
  rq.bytes = bytes;
  rq.reload = false;
  const auto base = preview_reshape(rq);
  for (const std::uint64_t step : {12288u, 30720u, 100000u}) {
    rq.checkpoint_sectors = step;
    const auto other = preview_reshape(rq);
    EXPECT_EQ(other.checkpoint_sectors % 6144, 0u);
    EXPECT_EQ(other.bytes, base.bytes) << "step " << step;
  }
  EXPECT_GT(base.after.of(State::NeedSync), 0u);
}

// A reshape resumed from R continues where the kernel stopped: the same bytes
// as a walk in one go.
TEST(ReshapePreview, ResumeFromReshapePosition) {
  auto r = raid5(3, 4, 522240);
  r.degraded = true;
  auto bytes = filled(4080, C);
  set(bytes, 1500, 1530, D);
  set(bytes, 2000, 2003, N);
  ReshapePreviewRequest rq;
  rq.reshape = r;
  rq.bytes = bytes;
  rq.reload = false;
  const auto whole = preview_reshape(rq);
  const auto g = reshape_geometry(r);
  ReshapeRemap remap(g, bytes, g.header_chunks);
  for (std::uint64_t pos = 0; pos < 294912; pos += 6144) remap.mark(pos, pos + 6144);
  rq.bytes.assign(remap.memory().begin(), remap.memory().end());
  rq.resume_from = 294912;
  const auto resumed = preview_reshape(rq);
  EXPECT_EQ(resumed.bytes, whole.bytes);
  EXPECT_EQ(resumed.checkpoints + 48, whole.checkpoints);
  EXPECT_TRUE(resumed.refusals.empty());
}

// A walk of raid5 3->4 over `bytes` as the kernel's memory, degraded (no
// coalescing: the merge alone).
ReshapePreviewRequest merge_only(std::vector<std::uint8_t> bytes) {
  ReshapePreviewRequest rq;
  rq.reshape = raid5(3, 4);
  rq.reshape.degraded = true;
  rq.bytes = std::move(bytes);
  rq.reload = false;
  return rq;
}

// The kernel's checkpoints on the common stripe row give the default walk's
// bytes when the one across the old array's end (1040384) is the same:
// that mark slices the clipped old range over all of its new range.
TEST(ReshapePreview, KernelCheckpointsOnTheCommonRowAsTheDefaultWalk) {
  auto bytes = filled(4064, C);
  set(bytes, 24, 31, N);
  set(bytes, 900, 1200, U);
  auto rq = merge_only(bytes);
  const auto base = preview_reshape(rq);
  rq.checkpoints = {6144, 61440, 614400, 169 * 6144, 170 * 6144};
  const auto at = preview_reshape(rq);
  EXPECT_TRUE(at.kernel_checkpoints);
  EXPECT_EQ(at.checkpoint_sectors, 0u);
  EXPECT_EQ(at.checkpoints, 6u);  // five, then the rest to the end (end_reshape)
  EXPECT_EQ(at.bytes, base.bytes);
  rq.checkpoints = {6144, 61440, 614400};  // the last mark crosses the old end from 614400: old bytes spread further
  EXPECT_NE(preview_reshape(rq).bytes, base.bytes);
}

// One mark over the whole raid5 3->4 grow (a reshape that never checkpoints):
// the old range is clipped at the old array's end, [0, 520192) of the old
// device, and sliced over the new device's [0, 520192): new chunk i merges old
// chunk i only, not the old chunks of its array range.
TEST(ReshapePreview, OneKernelCheckpointSlicesTheClippedOldRangeOverTheNew) {
  auto bytes = filled(4064, U);
  set(bytes, 24, 31, N);
  set(bytes, 100, 199, C);
  auto rq = merge_only(bytes);
  rq.checkpoints = {1560576};
  const auto p = preview_reshape(rq);
  EXPECT_EQ(p.checkpoints, 1u);
  EXPECT_EQ(where(p.bytes, p.chunks, N), (Ranges{{24, 31}}));
  EXPECT_EQ(where(p.bytes, p.chunks, C), (Ranges{{100, 199}}));
  rq.checkpoints.clear();  // at every common row: chunk i of the new side covers old chunks 1.5 i ..
  EXPECT_EQ(where(preview_reshape(rq).bytes, p.chunks, N), (Ranges{{16, 21}}));
}

TEST(ReshapePreview, KernelCheckpointsMustAdvance) {
  ReshapePreviewRequest rq;
  rq.reshape = raid5(3, 4);
  rq.bytes = filled(4064, C);
  rq.checkpoints = {6144, 6144};
  try {
    preview_reshape(rq);
    ADD_FAILURE() << "a checkpoint that does not advance was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.field(), "checkpoints[1]");
    EXPECT_EQ(e.kind(), ErrorKind::bad_value);
  }
  rq.checkpoints = {1560577};  // past the end of the walk
  EXPECT_THROW(preview_reshape(rq), Error);
}

TEST(ReshapeRefusal, SmallerChunkIsNotSupported) {
  auto r = raid5(3, 3);
  r.new_shape.chunk_sectors = 512;
  const auto refusals = reshape_refusals(reshape_geometry(r), filled(4064, C), {});
  ASSERT_EQ(refusals.size(), 1u);
  EXPECT_EQ(refusals[0].reason, ReshapeRefusalReason::smaller_chunk);
  EXPECT_EQ(refusals[0].errno_name, "EOPNOTSUPP");
  auto r10 = raid10(4, 4);
  r10.new_shape.chunk_sectors = 512;
  EXPECT_EQ(reshape_refusals(reshape_geometry(r10), filled(8128, C), {}).at(0).reason,
            ReshapeRefusalReason::smaller_chunk);
}

// raid10 asks the bitmap (llbitmap_reshape_can_start): every NeedSync and
// Syncing chunk after the Reload is listed. Dirty and Syncing become NeedSync
// at Reload; each here is alone in its block (2, 3 and 5), so nothing coalesces.
TEST(ReshapeRefusal, Raid10RefusedWhileNeedSync) {
  auto bytes = filled(8128, C);
  bytes[5] = D;
  set(bytes, 1000, 1002, N);
  bytes[1600] = S;
  const auto p = preview(raid10(4, 6), bytes);
  ASSERT_EQ(p.refusals.size(), 1u);
  const auto& refusal = p.refusals[0];
  EXPECT_EQ(refusal.reason, ReshapeRefusalReason::bitmap_needs_sync);
  EXPECT_EQ(refusal.errno_name, "EBUSY");
  ASSERT_EQ(refusal.chunks.size(), 3u);
  EXPECT_EQ(refusal.chunks[0].first, 5u);
  EXPECT_EQ(refusal.chunks[0].last, 5u);
  EXPECT_EQ(refusal.chunks[1].first, 1000u);
  EXPECT_EQ(refusal.chunks[1].last, 1002u);
  EXPECT_EQ(refusal.chunks[2].first, 1600u);
  // Without the Reload the Dirty chunk does not count.
  const auto raw = reshape_refusals(reshape_geometry(raid10(4, 6)), bytes, {});
  ASSERT_EQ(raw.size(), 1u);
  EXPECT_EQ(raw[0].chunks.size(), 2u);
  EXPECT_TRUE(reshape_refusals(reshape_geometry(raid10(4, 6)), filled(8128, C), {}).empty());
  // A Dirty chunk in the block of a NeedSync one: its Reload coalesces the
  // block (Clean -> Dirty) and the walk goes on turning that Dirty into
  // NeedSync; the chunks before it stay Dirty (coalesced after their turn).
  auto shared = filled(8128, C);
  shared[5] = D;
  shared[100] = N;
  const auto q = preview(raid10(4, 6), shared);
  ASSERT_EQ(q.refusals.size(), 1u);
  ASSERT_EQ(q.refusals[0].chunks.size(), 1u);
  EXPECT_EQ(q.refusals[0].chunks[0].first, 5u);
  EXPECT_EQ(q.refusals[0].chunks[0].last, 511u);
}

// raid4/5/6 never ask the bitmap: NeedSync chunks do not refuse (mdadm freezes
// the sync first, ONDISK 9.9); a pending resync or a running sync does.
TEST(ReshapeRefusal, Raid5RefusedWhileASyncIsPending) {
  const auto g = reshape_geometry(raid5(3, 4));
  auto bytes = filled(4064, N);
  EXPECT_TRUE(reshape_refusals(g, bytes, {}).empty());
  const auto pending = reshape_refusals(g, bytes, {.resync_offset = 1000});
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].reason, ReshapeRefusalReason::resync_pending);
  EXPECT_EQ(pending[0].errno_name, "EBUSY");
  const auto running = reshape_refusals(g, bytes, {.resync_offset = std::nullopt, .sync_running = true});
  ASSERT_EQ(running.size(), 1u);
  EXPECT_EQ(running[0].reason, ReshapeRefusalReason::sync_running);
}

TEST(ReshapeRefusal, Raid10LayoutRules) {
  auto far = raid10(4, 6);
  far.old_shape.layout = far.new_shape.layout = 0x201;  // far=2
  const auto f = reshape_refusals(reshape_geometry(far), filled(8128, C), {});
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].reason, ReshapeRefusalReason::far_layout);
  EXPECT_EQ(f[0].errno_name, "EINVAL");
  auto offset = far;
  offset.old_shape.layout = offset.new_shape.layout = 0x10201;  // offset=2: allowed
  EXPECT_TRUE(reshape_refusals(reshape_geometry(offset), filled(8128, C), {}).empty());
  auto copies = raid10(4, 6);
  copies.new_shape.layout = 0x103;
  EXPECT_EQ(reshape_refusals(reshape_geometry(copies), filled(8128, C), {}).at(0).reason,
            ReshapeRefusalReason::copies_change);
  EXPECT_EQ(reshape_refusal_name(ReshapeRefusalReason::bitmap_needs_sync), "bitmap-needs-sync");
}

// llbitmap_write as the remap uses it: Dirty and NeedSync mark the block and
// coalesce at the second one; NeedSyncUnwritten marks it without coalescing.
TEST(ReshapeStateAreaWrite, MarksLikeTheKernel) {
  const ArrayMode raid5_mode{5, false, false};
  StateArea area(filled(1024, C), 1024);
  EXPECT_EQ(area.write(10, State::Dirty, raid5_mode), 0u);
  EXPECT_EQ(area.pending_blocks(), 1u);
  EXPECT_EQ(area.write(11, State::NeedSync, raid5_mode), 510u);  // the rest of block 2: Clean -> Dirty
  EXPECT_EQ(area.at(12), D);
  EXPECT_EQ(area.write(600, State::NeedSyncUnwritten, raid5_mode), 0u);
  EXPECT_EQ(area.at(601), C);
  EXPECT_EQ(area.take_pending(), (std::vector<std::uint64_t>{2, 3}));
  area.write(700, State::Clean, raid5_mode);
  EXPECT_EQ(area.pending_blocks(), 0u);
}

// Every cause is listed in the kernel's order; the first is the error the start returns.
TEST(ReshapeRefusal, InTheKernelsOrder) {
  auto r = raid10(4, 6);
  r.new_shape.chunk_sectors = 512;
  auto bytes = filled(8128, C);
  bytes[9] = N;
  const auto refusals =
      reshape_refusals(reshape_geometry(r), bytes, {.resync_offset = std::nullopt, .sync_running = true});
  ASSERT_EQ(refusals.size(), 3u);
  EXPECT_EQ(refusals[0].reason, ReshapeRefusalReason::sync_running);
  EXPECT_EQ(refusals[1].reason, ReshapeRefusalReason::smaller_chunk);
  EXPECT_EQ(refusals[2].reason, ReshapeRefusalReason::bitmap_needs_sync);
}
