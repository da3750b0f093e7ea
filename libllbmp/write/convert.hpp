// Converting the bitmaps of a stopped array's members between the classic
// format (version 3/4) and the lockless one (version 6), both ways.
//
// The source is the copy the kernel would load (or one member's, or every
// member's merged at the worst state: ConvertOptions::source). The mapping is
// conservative: a chunk of the new bitmap is out of sync when any part of it
// was out of sync in the source (a set classic bit, or an llbitmap state
// other than Clean and the Unwritten kinds). Classic to
// lockless gives NeedSync or Clean, never Unwritten: Unwritten regions would
// be skipped when a disk is replaced. Lockless to classic sets the bit of
// every chunk not known to be in sync; Unwritten and CleanUnwritten chunks
// are in sync (nothing was written there) and give a clear bit.
//
// The writes (one WritePlan, phases flushed on every member): the old header
// marked STALE, the new state bytes or bits, the new header last. A crash at
// any point leaves the old bitmap, the new one, or a STALE one, which makes
// the kernel resync everything.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "format/bitmap_super.hpp"
#include "inspect/copy_choice.hpp"
#include "inspect/member.hpp"
#include "engine/state_engine.hpp"
#include "write/write_plan.hpp"

namespace llbmp {

enum class BitmapFormat { lockless, classic };

struct ConvertOptions {
  BitmapFormat to = BitmapFormat::lockless;
  CopySource source;  // the copy to convert: the kernel's by default
  std::optional<std::uint64_t> chunk_bytes;  // the new chunk size; default: the kernel's (lockless) or the smallest that fits (classic)
};

struct ConvertedBitmap {
  std::string device;
  std::uint64_t area_offset = 0;      // bytes from the device start (unchanged)
  BitmapSuper sb;                     // the new header
  std::vector<std::uint8_t> area;     // header + the rest, as written
  std::uint64_t chunks = 0;
  std::uint64_t out_of_sync = 0;      // NeedSync chunks / set bits
  StateCounts counts;                 // lockless target only
};

struct ConvertPlan {
  WritePlan writes;
  std::vector<ConvertedBitmap> bitmaps;  // one per member, in the order given
  std::uint64_t source_chunks = 0;
  std::uint64_t source_chunk_sectors = 0;
  std::uint64_t source_out_of_sync = 0;  // in the chosen copy
  std::string source;                    // the copy converted, in words
  std::size_t source_copies = 0;         // members whose copies were compared
  std::uint64_t disagreeing_chunks = 0;  // chunks whose copies differ among them
};

// Checks every member (all must hold the source format, fit the new geometry
// in their room) and plans the writes; throws Error (nothing written) otherwise.
ConvertPlan plan_convert(const std::vector<Member>& members, const ConvertOptions& options);


}  // namespace llbmp
