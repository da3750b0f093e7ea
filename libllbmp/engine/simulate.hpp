// simulate: a write workload through the llbitmap state engine with the
// kernel's timing (daemon timer, barrier_idle page expiry, block write-back
// on unplug, write coalescing), streaming: memory bounded by the chunks.
#pragma once

#include <cstdint>
#include <istream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "format/geometry.hpp"
#include "engine/state_engine.hpp"
#include "format/kernel_series.hpp"

namespace llbmp {

struct IoEvent {
  double time = 0;           // seconds from the trace start
  std::uint64_t sector = 0;  // array sector
  std::uint64_t sectors = 0;
  bool discard = false;
};

enum class TraceFormat : std::uint8_t { blkparse, fio };

// Reads one event at a time. blkparse default text: the queue ('Q') lines
// of writes (RWBS with W) and discards (D); reads and other actions are
// skipped, and so are the summary lines (first field not MAJ,MIN). fio
// iolog v2/v3 (header "fio version N iolog"): write and trim lines; v3
// timestamps are nanoseconds, v2 has none (every event at time 0).
// The input is read in blocks of 64 KiB (more only for a longer line).
// Throws Error(source, "line", N, why) of kind format for a malformed line,
// and for a trace none of whose lines is a trace line (naming the first).
class TraceReader {
public:
  TraceReader(std::istream& in, TraceFormat format, std::string source);
  std::optional<IoEvent> next();
  std::uint64_t line() const noexcept { return line_; }

private:
  bool next_line(std::string_view& line);
  void refill();
  std::optional<IoEvent> parse_blkparse(std::string_view text);
  std::optional<IoEvent> parse_fio(std::string_view text);
  [[noreturn]] void bad(const std::string& why) const;
  void note_first_line(std::string_view text);

  std::istream& in_;
  TraceFormat format_;
  std::string source_;
  std::uint64_t line_ = 0;
  int fio_version_ = 0;
  bool recognised_ = false;  // a line was a blkparse event line
  std::uint64_t first_line_ = 0;
  std::string first_text_;
  std::vector<char> buffer_;  // unread bytes [begin_, end_); memory independent of the trace length
  std::size_t begin_ = 0;
  std::size_t end_ = 0;
  bool at_end_ = false;
};

// The simulator holds the state bytes twice (memory and disk): 2 x 256 MiB.
inline constexpr std::uint64_t kMaxSimulatedChunks = std::uint64_t{1} << 28;

struct SimulateConfig {
  std::uint64_t size_sectors = 0;    // per-member sectors the bitmap covers (array sectors for raid1/10)
  std::uint64_t chunk_sectors = 128;
  std::uint32_t daemon_sleep = 30;   // seconds
  std::uint32_t barrier_idle = 5;    // seconds
  std::uint32_t io_size = 512;       // the array's logical block size
  std::int32_t level = 1;
  std::uint32_t raid_disks = 2;
  std::uint64_t raid_chunk_sectors = 1024;  // raid4/5/6 stripe chunk (512 KiB)
  bool degraded = false;
  bool start_unwritten = false;      // the array starts all Unwritten instead of Clean
  std::optional<double> crash_at;    // seconds; default after the last event
  std::uint32_t sectors_reserved = kMdadmReservedSectors;  // the bitmap room the row is judged against
  KernelSeries kernel = kDefaultKernelSeries;  // whose discard rounding is modelled
};

// Whether a row's chunks fit the room of sectors_reserved sectors.
enum class RoomFit : std::uint8_t {
  fits,         // 1024 + chunks <= sectors_reserved * 512 (what this project requires)
  kernel_only,  // the kernel's test passes (it ignores the 1 KiB header), the true fit does not
  impossible,   // the kernel refuses it and never chooses it
};
const char* room_fit_name(RoomFit fit) noexcept;

struct SimulateReport {
  std::uint64_t chunk_sectors = 0;
  std::uint64_t chunks = 0;
  std::uint64_t events = 0;            // writes and discards seen before the crash
  std::uint64_t metadata_writes = 0;   // io_size block writes per member
  std::uint64_t daemon_runs = 0;
  double crash_time = 0;
  std::uint64_t dirty_in_memory = 0;   // not in sync in memory at the crash
  std::uint64_t dirty_on_disk = 0;     // not in sync in what the disk holds
  std::uint64_t resync_chunks = 0;     // what the following assembly resyncs
  std::uint64_t resync_bytes = 0;
  std::uint64_t full_bytes = 0;
  RoomFit fit = RoomFit::fits;
  std::uint64_t sectors_needed = 0;    // the smallest room that truly fits the chunks
  bool kernel_choice = false;          // the chunk size the kernel chooses for this size and room
  std::vector<std::uint8_t> memory;    // the state area in memory at the crash (from byte 1024), as a resize finds it
};

class Simulator {
public:
  // Throws Error of kind bad_value naming the SimulateConfig field that is
  // wrong, also for more chunks than kMaxSimulatedChunks.
  explicit Simulator(const SimulateConfig& config);
  // Events must come in time order; an event past the crash point is ignored
  // and returns false. Throws Error for a sector past the end.
  bool feed(const IoEvent& event);
  SimulateReport finish();

private:
  void run_timers(double now);
  void daemon(double now);
  void unplug();
  void chunk_range(const IoEvent& e, std::uint64_t& first, std::uint64_t& last, bool& any) const;
  std::uint64_t page_first_chunk(std::size_t page) const noexcept;
  std::uint64_t page_last_chunk(std::size_t page) const noexcept;

  SimulateConfig c_;
  std::uint64_t chunks_;
  bool raid456_ = false;
  std::uint64_t array_sectors_ = 0;  // what a trace addresses: size_sectors times the data members for raid4/5/6
  ArrayMode mode_;
  StateArea area_;
  std::vector<std::uint8_t> disk_;
  std::vector<double> expire_;  // per page
  std::array<bool, 256> write_changes_{};
  std::optional<double> timer_at_;
  double now_ = 0;
  SimulateReport r_;
};

// Synthetic workloads: `count` writes of `io_sectors` at `rate` per second.
class SyntheticWorkload {
public:
  SyntheticWorkload(bool random, std::uint64_t seed, std::uint64_t count, std::uint64_t size_sectors,
                    std::uint64_t io_sectors, double rate);
  std::optional<IoEvent> next();

private:
  bool random_;
  std::uint64_t state_;
  std::uint64_t count_;
  std::uint64_t done_ = 0;
  std::uint64_t slots_;
  std::uint64_t io_sectors_;
  double rate_;
};

}  // namespace llbmp
