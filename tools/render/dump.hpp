// dump's output: the chunk states of one member as ranges, CSV, JSON or a
// map for the terminal (the pictures: render/picture.hpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace llbitmap::cli {

// The sides of a member mid-reshape (ONDISK.md 9.6) by chunk index: which
// bytes hold the new geometry, which are leftovers the kernel ignores, which
// still hold the old one.
struct ReshapeMarks {
  struct Side {
    std::string_view name;  // "new", "leftover", "old"
    std::uint64_t first = 0, end = 0;
  };
  std::uint64_t position = 0;  // md reshape_position, array sectors
  bool backwards = false;
  bool overlap = false;        // the new and old sides share bytes near the walk's start
  std::vector<Side> sides;     // the non-empty ones, by first index
  // The side chunk `chunk` lies on ("" past every side); where the sides share bytes, the first listed.
  std::string_view side_of(std::uint64_t chunk) const noexcept;
  // "new side 0-511 (512 chunks), leftovers 512-767 (256 chunks, ignored by the kernel), old side 768-1007 (240 chunks)"
  std::string summary() const;
};

struct ChunkStates {
  std::string device;
  std::uint32_t version = 0;          // of the bitmap superblock
  std::vector<std::uint8_t> states;   // one byte per chunk (classic: 1 clean / 2 dirty)
  bool classic = false;
  std::uint64_t first_chunk = 0;      // chunk number of states[0]
  std::uint64_t chunk_sectors = 0;    // array sectors per chunk
  std::optional<ReshapeMarks> reshape;  // a member mid-reshape whose bitmap is remapped
};

// "0-99 dirty" lines, one per run of equal bytes; mid-reshape, a "# ..." line
// with the sides first, runs split where a side ends and marked "(new side)", ...
std::string dump_ranges(const ChunkStates& c);
std::string dump_csv(const ChunkStates& c);
std::string dump_json(const ChunkStates& c);

struct MapShape {
  std::uint64_t width;  // cells per row
  std::uint64_t rows;   // at most
  bool color;           // ANSI backgrounds
};
// One character per cell (a group of chunks, worst state shown), row starts, a legend.
std::string state_map(const ChunkStates& c, const MapShape& shape);

// dump --save: what was saved, then that it reads back.
std::string saved_text(const std::string& device, std::uint64_t bytes, std::size_t ranges, const std::string& file);
std::string verified_text(const std::string& file, const std::string& device);

}  // namespace llbitmap::cli
