// How many chunks are in each state (llbmp::StateCounts), one writer per
// format; the states in the engine's order, by their keys.
#pragma once

#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>
#include <string_view>

#include "engine/state_engine.hpp"
#include "render/escape.hpp"

namespace llbitmap::cli {

// {"clean": N, ..., "invalid": N}; without "invalid" where no byte can be invalid.
nlohmann::json counts_json(const llbmp::StateCounts& counts, bool with_invalid = true);
// "3 dirty, 5 clean": the states that have chunks, invalid bytes last; `none` when there is none.
std::string counts_text(const llbmp::StateCounts& counts, std::string_view none = "none");
// STATE_CLEAN=N ... STATE_INVALID=N.
void put_counts(ExportLines& lines, const llbmp::StateCounts& counts);

// "5, 1000-1002": chunk ranges, the first `most` of them, then "and N more ranges".
std::string ranges_text(const std::vector<llbmp::ChunkRange>& ranges, std::size_t most = 16);
// [{"first_chunk": F, "last_chunk": L}, ...]
nlohmann::json ranges_json(const std::vector<llbmp::ChunkRange>& ranges);
// The chunks in the ranges.
std::uint64_t ranges_chunks(const std::vector<llbmp::ChunkRange>& ranges) noexcept;

// A state byte's key ("clean"), or "invalid(0xff)" for a byte that is not a state.
std::string byte_name(std::uint8_t byte);
// [{"first": F, "last": L, "count": N, "state": KEY, "value": BYTE}, ...]: the runs of equal bytes.
nlohmann::json runs_json(std::span<const std::uint8_t> bytes);

}  // namespace llbitmap::cli
