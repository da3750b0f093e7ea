// Fuzz target: the simulate trace readers (blkparse text, fio iolog), every
// event fed to a small Simulator. The first byte picks the format.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "llbmp/error.hpp"
#include "engine/simulate.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const auto format = (data[0] & 1) != 0 ? llbmp::TraceFormat::fio : llbmp::TraceFormat::blkparse;
  std::istringstream in(std::string(reinterpret_cast<const char*>(data + 1), size - 1));
  llbmp::SimulateConfig c;
  c.size_sectors = 1 << 16;
  c.chunk_sectors = 128;
  c.level = (data[0] & 2) != 0 ? 5 : 1;
  c.raid_disks = 3;
  llbmp::Simulator sim(c);
  try {
    llbmp::TraceReader reader(in, format, "fuzz");
    while (auto e = reader.next()) {
      if (e->sectors == 0 || !(e->time >= 0)) __builtin_trap();
      sim.feed(*e);
    }
    const auto r = sim.finish();
    if (r.dirty_on_disk > r.chunks || r.resync_chunks > r.chunks) __builtin_trap();
  } catch (const llbmp::Error&) {
  }
  return 0;
}
