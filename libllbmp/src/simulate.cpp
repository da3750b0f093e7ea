#include "llbmp/simulate.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fmt/format.h>
#include <limits>

#include "llbmp/error.hpp"
#include "llbmp/geometry.hpp"
#include "llbmp/replay.hpp"

namespace llbmp {

namespace {

constexpr std::uint64_t kPage = 4096;
constexpr double kNever = std::numeric_limits<double>::infinity();

// Whitespace-separated fields of one line, without allocation.
std::size_t split(std::string_view line, std::string_view* out, std::size_t max) {
  std::size_t n = 0, i = 0;
  while (i < line.size() && n < max) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
    if (i >= line.size()) break;
    const std::size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t' && line[i] != '\r') ++i;
    out[n++] = line.substr(start, i - start);
  }
  return n;
}

template <typename T>
bool number(std::string_view text, T& value) {
  const auto* end = text.data() + text.size();
  const auto res = std::from_chars(text.data(), end, value);
  return res.ec == std::errc() && res.ptr == end;
}

bool is_device_field(std::string_view f) {
  const auto comma = f.find(',');
  if (comma == std::string_view::npos || comma == 0) return false;
  std::uint32_t a = 0, b = 0;
  return number(f.substr(0, comma), a) && number(f.substr(comma + 1), b);
}

std::uint32_t data_disks(std::int32_t level, std::uint32_t raid_disks) {
  const std::uint32_t parity = level == 6 ? 2 : 1;
  return raid_disks > parity ? raid_disks - parity : 1;
}

}  // namespace

TraceReader::TraceReader(std::istream& in, TraceFormat format, std::string source)
    : in_(in), format_(format), source_(std::move(source)) {}

void TraceReader::bad(const std::string& why) const {
  throw Error(source_, "line", std::to_string(line_), why, ErrorKind::format);
}

// The first line that is not blank, shortened and without control characters,
// to name it when no line of the trace is a trace line.
void TraceReader::note_first_line(const std::string& text) {
  if (first_line_ != 0 || text.find_first_not_of(" \t\r") == std::string::npos) return;
  first_line_ = line_;
  constexpr std::size_t kShown = 60;
  for (const char c : text.substr(0, kShown)) first_text_ += static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? '?' : c;
  if (text.size() > kShown) first_text_ += "...";
}

std::optional<IoEvent> TraceReader::next() {
  while (std::getline(in_, buffer_)) {
    ++line_;
    note_first_line(buffer_);
    auto ev = format_ == TraceFormat::blkparse ? parse_blkparse(buffer_) : parse_fio(buffer_);
    if (ev) return ev;
  }
  if (format_ == TraceFormat::fio && fio_version_ == 0 && line_ == 0) bad("empty fio iolog: no 'fio version 2|3 iolog' header");
  if (format_ == TraceFormat::blkparse && !recognised_) {
    if (first_line_ == 0) throw Error(source_, "trace", "empty", "no blkparse event line and no fio iolog header", ErrorKind::format);
    throw Error(source_, "line", std::to_string(first_line_),
                fmt::format("'{}': no line of the trace is a blkparse event line (MAJ,MIN CPU SEQ TIME PID ACTION RWBS ...) "
                            "or a fio iolog header",
                            first_text_),
                ErrorKind::format);
  }
  return std::nullopt;
}

// "8,0  3  1  0.000000000  697  Q  WS 1234 + 8 [proc]"
std::optional<IoEvent> TraceReader::parse_blkparse(const std::string& text) {
  std::string_view f[12];
  const std::size_t n = split(text, f, 12);
  if (n == 0 || !is_device_field(f[0])) return std::nullopt;  // blank or summary line
  if (n < 7) bad("a blkparse event line has at least 7 fields");
  recognised_ = true;
  IoEvent e;
  if (!number(f[3], e.time) || !std::isfinite(e.time) || e.time < 0) bad(fmt::format("time '{}' is not a number of seconds", f[3]));
  if (f[5] != "Q") return std::nullopt;
  const std::string_view rwbs = f[6];
  const bool write = rwbs.find('W') != std::string_view::npos;
  e.discard = rwbs.find('D') != std::string_view::npos;
  if (!write && !e.discard) return std::nullopt;
  if (n < 10 || f[8] != "+") bad("a queued write needs 'SECTOR + COUNT'");
  if (!number(f[7], e.sector)) bad(fmt::format("sector '{}' is not a number", f[7]));
  if (!number(f[9], e.sectors)) bad(fmt::format("sector count '{}' is not a number", f[9]));
  if (e.sectors == 0) return std::nullopt;  // a flush
  return e;
}

// v2: "FILE ACTION [OFFSET LENGTH]"; v3: "TIMESTAMP FILE ACTION [OFFSET LENGTH]".
std::optional<IoEvent> TraceReader::parse_fio(const std::string& text) {
  std::string_view f[8];
  const std::size_t n = split(text, f, 8);
  if (fio_version_ == 0) {
    if (n == 4 && f[0] == "fio" && f[1] == "version" && f[3] == "iolog" && (f[2] == "2" || f[2] == "3")) {
      fio_version_ = f[2][0] - '0';
      return std::nullopt;
    }
    bad("not a fio iolog: the first line must be 'fio version 2 iolog' or 'fio version 3 iolog'");
  }
  if (n == 0) return std::nullopt;
  IoEvent e;
  std::size_t i = 0;
  if (fio_version_ == 3) {
    std::uint64_t ns = 0;
    if (!number(f[0], ns)) bad(fmt::format("timestamp '{}' is not a number (nanoseconds)", f[0]));
    e.time = static_cast<double>(ns) / 1e9;
    i = 1;
  }
  if (n < i + 2) bad("expected FILE ACTION [OFFSET LENGTH]");
  const std::string_view action = f[i + 1];
  if (action == "add" || action == "open" || action == "close" || action == "read" || action == "sync" ||
      action == "datasync" || action == "wait")
    return std::nullopt;
  if (action != "write" && action != "trim") bad(fmt::format("unknown action '{}'", action));
  if (n < i + 4) bad(fmt::format("{} needs OFFSET and LENGTH (bytes)", action));
  std::uint64_t offset = 0, length = 0;
  if (!number(f[i + 2], offset)) bad(fmt::format("offset '{}' is not a number", f[i + 2]));
  if (!number(f[i + 3], length)) bad(fmt::format("length '{}' is not a number", f[i + 3]));
  if (length == 0) return std::nullopt;
  e.sector = offset / 512;
  e.sectors = div_round_up(offset % 512 + length, 512);
  e.discard = action == "trim";
  return e;
}

namespace {

// Checked before anything is allocated for the chunks.
std::uint64_t simulated_chunks(const SimulateConfig& c) {
  if (c.chunk_sectors == 0 || (c.chunk_sectors & (c.chunk_sectors - 1)) != 0)
    throw Error("", "chunk_sectors", std::to_string(c.chunk_sectors), "a power of two number of sectors", ErrorKind::bad_value);
  if (c.size_sectors == 0) throw Error("", "size_sectors", "0", "the array needs a size", ErrorKind::bad_value);
  std::uint64_t product = 0;
  if (level_is_raid456(c.level)) {
    const std::uint64_t data = data_disks(c.level, c.raid_disks);
    if (__builtin_mul_overflow(c.size_sectors, data, &product))
      throw Error("", "size_sectors", "",
                  fmt::format("{} members of {} sectors would hold more than 2^64 sectors", c.raid_disks, c.size_sectors),
                  ErrorKind::bad_value);
    if (c.raid_chunk_sectors == 0 || __builtin_mul_overflow(c.raid_chunk_sectors, data, &product))
      throw Error("", "raid_chunk_sectors", "",
                  fmt::format("a stripe row of {} data members of {} sectors each must hold 1 to 2^64-1 sectors", data,
                              c.raid_chunk_sectors),
                  ErrorKind::bad_value);
  }
  const std::uint64_t chunks = div_round_up(c.size_sectors, c.chunk_sectors);
  if (chunks > kMaxSimulatedChunks)
    throw Error("", "size_sectors", "",
                fmt::format("{} sectors make {} chunks of {} sectors: the simulator holds at most {} (a larger chunk size needs fewer)",
                            c.size_sectors, chunks, c.chunk_sectors, kMaxSimulatedChunks),
                ErrorKind::bad_value);
  return chunks;
}

}  // namespace

const char* room_fit_name(RoomFit fit) noexcept {
  switch (fit) {
    case RoomFit::fits: return "fits";
    case RoomFit::kernel_only: return "kernel_only";
    case RoomFit::impossible: return "impossible";
  }
  return "impossible";
}

Simulator::Simulator(const SimulateConfig& config)
    : c_(config),
      chunks_(simulated_chunks(config)),
      mode_{config.level, config.degraded, false},
      area_(std::vector<std::uint8_t>(static_cast<std::size_t>(div_round_up(kStateOffset + chunks_, kPage) * kPage - kStateOffset), 0),
            chunks_, config.io_size) {
  if (c_.crash_at && (!std::isfinite(*c_.crash_at) || *c_.crash_at < 0))
    throw Error("", "crash_at", std::to_string(*c_.crash_at), "a finite number of seconds", ErrorKind::bad_value);
  if (c_.sectors_reserved == 0) throw Error("", "sectors_reserved", "0", "at least 1 sector", ErrorKind::bad_value);
  if (c_.io_size < 512 || c_.io_size > 4096 || (c_.io_size & (c_.io_size - 1)) != 0)
    throw Error("", "io_size", std::to_string(c_.io_size), "512, 1024, 2048 or 4096", ErrorKind::bad_value);
  if (!c_.start_unwritten)
    for (std::uint64_t i = 0; i < chunks_; ++i) area_.set(i, static_cast<std::uint8_t>(State::Clean));
  disk_.assign(area_.bytes().begin(), area_.bytes().end());
  expire_.assign(static_cast<std::size_t>(div_round_up(kStateOffset + chunks_, kPage)), 0.0);
  for (std::size_t b = 0; b < 256; ++b)
    write_changes_[b] = next_state(static_cast<std::uint8_t>(b), Action::Startwrite, mode_).has_value();
  r_.chunk_sectors = c_.chunk_sectors;
  r_.chunks = chunks_;
  r_.full_bytes = c_.size_sectors * 512;
  r_.fit = true_fit(chunks_, c_.sectors_reserved) ? RoomFit::fits
           : kernel_fit(c_.chunk_sectors, c_.size_sectors, c_.sectors_reserved) ? RoomFit::kernel_only
                                                                                 : RoomFit::impossible;
  r_.sectors_needed = div_round_up(kStateOffset + chunks_, 512);
  r_.kernel_choice = kernel_chunksize(c_.size_sectors, c_.sectors_reserved) == c_.chunk_sectors;
}

std::uint64_t Simulator::page_first_chunk(std::size_t page) const noexcept {
  return page == 0 ? 0 : page * kPage - kStateOffset;
}

std::uint64_t Simulator::page_last_chunk(std::size_t page) const noexcept {
  return std::min<std::uint64_t>((page + 1) * kPage - kStateOffset, chunks_) - 1;
}

// llbitmap_prepare_range: raid4/5/6 widen to whole stripe rows and map to
// member sectors; raid1/10 use the array sectors as they are.
void Simulator::chunk_range(const IoEvent& e, std::uint64_t& first, std::uint64_t& last, bool& any) const {
  std::uint64_t start = e.sector, end = e.sector + e.sectors;
  if (level_is_raid456(c_.level)) {
    const std::uint64_t row = c_.raid_chunk_sectors * data_disks(c_.level, c_.raid_disks);
    start = start / row * c_.raid_chunk_sectors;
    end = div_round_up(end, row) * c_.raid_chunk_sectors;
  }
  end = std::min(end, c_.size_sectors);
  any = start < end;
  if (!any) return;
  if (e.discard) {  // whole chunks only
    first = div_round_up(start, c_.chunk_sectors);
    const std::uint64_t stop = end / c_.chunk_sectors;
    any = first < stop;
    last = any ? stop - 1 : 0;
    return;
  }
  first = start / c_.chunk_sectors;
  last = (end - 1) / c_.chunk_sectors;
}

bool Simulator::feed(const IoEvent& e) {
  if (!std::isfinite(e.time)) throw Error("", "time", std::to_string(e.time), "not a finite time");
  if (c_.crash_at && e.time > *c_.crash_at) return false;
  const std::uint64_t array_sectors =
      level_is_raid456(c_.level) ? c_.size_sectors * data_disks(c_.level, c_.raid_disks) : c_.size_sectors;
  if (e.sector >= array_sectors || e.sectors > array_sectors - e.sector)
    throw Error("", "sector", std::to_string(e.sector), fmt::format("past the end of the array ({} sectors)", array_sectors));
  now_ = std::max(now_, e.time);
  run_timers(now_);
  ++r_.events;
  std::uint64_t first = 0, last = 0;
  bool any = false;
  chunk_range(e, first, last, any);
  if (!any) return true;
  // llbitmap_raise_barrier: each page touched expires barrier_idle seconds later.
  const std::size_t p0 = static_cast<std::size_t>((kStateOffset + first) / kPage);
  const std::size_t p1 = static_cast<std::size_t>((kStateOffset + last) / kPage);
  for (std::size_t p = p0; p <= p1; ++p) expire_[p] = now_ + c_.barrier_idle;
  if (e.discard) {
    area_.apply(Action::Discard, first, last, mode_);
    return true;
  }
  bool changes = false;
  for (std::uint64_t i = first; i <= last && !changes; ++i) changes = write_changes_[area_.at(i)];
  if (!changes) return true;
  const auto outcome = area_.apply(Action::Startwrite, first, last, mode_);
  if (outcome.armed_daemon && !timer_at_) timer_at_ = now_ + c_.daemon_sleep;
  unplug();
  return true;
}

// llbitmap_unplug: every pending block is written (to every member) before
// the data write; what the disk holds changes only here.
void Simulator::unplug() {
  if (area_.pending_blocks() == 0) return;
  const auto memory = area_.bytes();
  for (const auto block : area_.take_pending()) {
    const std::uint64_t from = std::max<std::uint64_t>(block * c_.io_size, kStateOffset) - kStateOffset;
    const std::uint64_t to = std::min<std::uint64_t>((block + 1) * c_.io_size - kStateOffset, memory.size());
    std::copy(memory.begin() + static_cast<std::ptrdiff_t>(from), memory.begin() + static_cast<std::ptrdiff_t>(to),
              disk_.begin() + static_cast<std::ptrdiff_t>(from));
    ++r_.metadata_writes;
  }
}

void Simulator::run_timers(double now) {
  while (timer_at_ && *timer_at_ <= now) {
    const double t = *timer_at_;
    timer_at_.reset();
    daemon(t);
  }
}

// md_llbitmap_daemon_fn: pages idle for barrier_idle get Daemon (Dirty ->
// Clean in memory only); a busy page re-arms the timer; nothing when degraded.
void Simulator::daemon(double now) {
  if (c_.degraded) return;
  ++r_.daemon_runs;
  bool restart = false;
  for (std::size_t p = 0; p < expire_.size(); ++p) {
    if (now < expire_[p]) {
      restart = true;
      continue;
    }
    area_.apply(Action::Daemon, page_first_chunk(p), page_last_chunk(p), mode_);
    expire_[p] = kNever;
  }
  if (restart) timer_at_ = now + c_.daemon_sleep;
}

SimulateReport Simulator::finish() {
  r_.crash_time = c_.crash_at.value_or(now_);
  run_timers(r_.crash_time);
  r_.dirty_in_memory = count_states(area_.chunk_bytes()).not_in_sync();
  r_.dirty_on_disk = count_states(std::span<const std::uint8_t>(disk_.data(), chunks_)).not_in_sync();
  ReplayGeometry g;
  g.chunk_sectors = c_.chunk_sectors;
  g.chunks = chunks_;
  g.sync_sectors = c_.size_sectors;
  g.daemon_sleep = c_.daemon_sleep;
  g.io_size = c_.io_size;
  ReplaySetup s;
  s.level = c_.level;
  s.degraded = c_.degraded;
  s.unclean = true;
  const auto replay = replay_bytes(disk_, g, s);
  r_.resync_chunks = replay.synced_chunks;
  r_.resync_bytes = replay.synced_bytes();
  return r_;
}

SyntheticWorkload::SyntheticWorkload(bool random, std::uint64_t seed, std::uint64_t count, std::uint64_t size_sectors,
                                     std::uint64_t io_sectors, double rate)
    : random_(random), state_(seed * 0x9E3779B97F4A7C15ULL + 1), count_(count),
      slots_(io_sectors == 0 ? 0 : size_sectors / io_sectors), io_sectors_(io_sectors), rate_(rate) {
  if (slots_ == 0)
    throw Error("", "io_sectors", "", fmt::format("writes of {} sectors: larger than the array ({} sectors) or 0", io_sectors, size_sectors),
                ErrorKind::bad_value);
  if (count_ == 0) throw Error("", "count", "0", "at least 1 write", ErrorKind::bad_value);
  if (!(rate > 0) || !std::isfinite(rate))
    throw Error("", "rate", fmt::format("{}", rate), "writes per second above 0", ErrorKind::bad_value);
}

std::optional<IoEvent> SyntheticWorkload::next() {
  if (done_ >= count_) return std::nullopt;
  std::uint64_t slot = done_ % slots_;
  if (random_) {  // xorshift64*
    state_ ^= state_ >> 12;
    state_ ^= state_ << 25;
    state_ ^= state_ >> 27;
    slot = (state_ * 0x2545F4914F6CDD1DULL) % slots_;
  }
  IoEvent e{static_cast<double>(done_) / rate_, slot * io_sectors_, io_sectors_, false};
  ++done_;
  return e;
}

}  // namespace llbmp
