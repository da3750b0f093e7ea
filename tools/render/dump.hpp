// dump's output: the chunk states of one member as ranges, CSV, JSON or a
// map for the terminal (the pictures: render/picture.hpp).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace llbitmap::cli {

struct ChunkStates {
  std::string device;
  std::uint32_t version = 0;          // of the bitmap superblock
  std::vector<std::uint8_t> states;   // one byte per chunk (classic: 1 clean / 2 dirty)
  bool classic = false;
  std::uint64_t first_chunk = 0;      // chunk number of states[0]
  std::uint64_t chunk_sectors = 0;    // array sectors per chunk
};

// "0-99 dirty" lines, one per run of equal bytes.
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
