#include "engine/simulate.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <cmath>
#include <fmt/format.h>
#include <limits>
#include <type_traits>

#include "llbmp/error.hpp"
#include "format/geometry.hpp"
#include "format/md_super.hpp"
#include "format/personality.hpp"
#include "engine/replay.hpp"

namespace llbmp {

namespace {

constexpr std::uint64_t kPage = 4096;
constexpr double kNever = std::numeric_limits<double>::infinity();

constexpr std::size_t kReadBytes = 64 * 1024;

// split() reads up to kScanPad bytes past the '\n' that ends a line.
constexpr std::size_t kScanPad = 64;

#if defined(__SSE2__)
// Bit i: byte w[i] is a blank (space, tab, CR); stop: a blank or '\n'.
struct WindowMasks {
  std::uint64_t blank = 0;
  std::uint64_t stop = 0;
};

WindowMasks masks_at(const char* w) noexcept {
  WindowMasks m;
  for (int k = 0; k < 4; ++k) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(w + 16 * k));
    const __m128i blank = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(' ')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\t'))),
                                       _mm_cmpeq_epi8(v, _mm_set1_epi8('\r')));
    const __m128i stop = _mm_or_si128(blank, _mm_cmpeq_epi8(v, _mm_set1_epi8('\n')));
    m.blank |= static_cast<std::uint64_t>(static_cast<unsigned>(_mm_movemask_epi8(blank))) << (16 * k);
    m.stop |= static_cast<std::uint64_t>(static_cast<unsigned>(_mm_movemask_epi8(stop))) << (16 * k);
  }
  return m;
}

// The first `max` fields of a line separated by blanks, without allocation,
// 64 bytes at a time. The line holds no '\n', the byte after it is one and
// kScanPad bytes after that are readable (TraceReader::next_line): a window
// moves on only when the '\n' is not in it, so no read goes further.
std::size_t split(std::string_view line, std::string_view* out, std::size_t max) {
  const char* w = line.data();
  WindowMasks m = masks_at(w);
  unsigned pos = 0;  // in the window; always below 64
  std::size_t n = 0;
  while (n < max) {
    std::uint64_t starts = ~m.blank & (~std::uint64_t{0} << pos);
    while (starts == 0) {
      w += 64;
      m = masks_at(w);
      starts = ~m.blank;
    }
    pos = static_cast<unsigned>(__builtin_ctzll(starts));
    if (w[pos] == '\n') break;
    const char* start = w + pos;
    std::uint64_t ends = m.stop & (~std::uint64_t{0} << pos);
    while (ends == 0) {
      w += 64;
      m = masks_at(w);
      ends = m.stop;
    }
    pos = static_cast<unsigned>(__builtin_ctzll(ends));
    out[n++] = std::string_view(start, static_cast<std::size_t>(w + pos - start));
  }
  return n;
}
#else
enum CharClass : std::uint8_t { kFieldChar, kBlank, kLineEnd };
constexpr std::array<std::uint8_t, 256> kCharClass = [] {
  std::array<std::uint8_t, 256> table{};
  table[' '] = table['\t'] = table['\r'] = kBlank;
  table['\n'] = kLineEnd;
  return table;
}();

std::uint8_t char_class(const char* p) noexcept { return kCharClass[static_cast<unsigned char>(*p)]; }

// The first `max` fields of a line separated by blanks (space, tab, CR),
// without allocation. The line holds no '\n' and the byte after it is one
// (TraceReader::next_line): the scans stop there without bounds checks.
std::size_t split(std::string_view line, std::string_view* out, std::size_t max) {
  const char* p = line.data();
  std::size_t n = 0;
  while (n < max) {
    while (char_class(p) == kBlank) ++p;
    if (char_class(p) == kLineEnd) break;
    const char* start = p;
    while (char_class(p) == kFieldChar) ++p;
    out[n++] = std::string_view(start, static_cast<std::size_t>(p - start));
  }
  return n;
}
#endif

template <typename T>
bool number(std::string_view text, T& value) {
  if constexpr (std::is_unsigned_v<T>) {
    // Digits that cannot overflow T: the same value as from_chars, sooner.
    constexpr std::size_t kSafeDigits = std::numeric_limits<T>::digits10;
    if (!text.empty() && text.size() <= kSafeDigits) {
      T v = 0;
      for (const char c : text) {
        if (c < '0' || c > '9') return false;
        v = static_cast<T>(v * 10 + static_cast<T>(c - '0'));
      }
      value = v;
      return true;
    }
  }
  const auto* end = text.data() + text.size();
  const auto res = std::from_chars(text.data(), end, value);
  return res.ec == std::errc() && res.ptr == end;
}

// A number of seconds. "DIGITS.DIGITS" of at most 15 digits (blkparse's
// form) is an exact integer over an exact power of ten, so one division
// rounds it as from_chars does (Clinger's fast path); anything else goes to
// from_chars.
bool seconds(std::string_view text, double& value) {
  constexpr double kPowersOfTen[] = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
  std::uint64_t mantissa = 0;
  std::size_t digits = 0, fraction = 0, i = 0;
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i, ++digits) mantissa = mantissa * 10 + static_cast<std::uint64_t>(text[i] - '0');
  const std::size_t whole = digits;
  if (i < text.size() && text[i] == '.') {
    for (++i; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i, ++digits, ++fraction)
      if (digits < 15) mantissa = mantissa * 10 + static_cast<std::uint64_t>(text[i] - '0');
  }
  if (i != text.size() || whole == 0 || (fraction == 0 && text.back() == '.') || digits > 15) return number(text, value);
  value = static_cast<double>(mantissa) / kPowersOfTen[fraction];
  return true;
}

bool is_device_field(std::string_view f) {
  const auto comma = f.find(',');
  if (comma == std::string_view::npos || comma == 0) return false;
  std::uint32_t a = 0, b = 0;
  return number(f.substr(0, comma), a) && number(f.substr(comma + 1), b);
}

// Only asked for a level whose bitmap maps stripe rows (a known personality).
std::uint32_t row_data_disks(std::int32_t level, std::uint32_t raid_disks) {
  return data_disks(*personality_of(level), raid_disks, 0);
}

}  // namespace

TraceReader::TraceReader(std::istream& in, TraceFormat format, std::string source)
    : in_(in), format_(format), source_(std::move(source)), buffer_(kReadBytes + kScanPad) {}

// The next line without its '\n', as std::getline splits them, from a buffer
// of kReadBytes that grows only for a longer line; the '\n' (for the last line
// without one, a '\n' put there) stays after the line for split().
bool TraceReader::next_line(std::string_view& line) {
  for (;;) {
    const auto* from = buffer_.data() + begin_;
    if (const auto* nl = static_cast<const char*>(std::memchr(from, '\n', end_ - begin_))) {
      line = std::string_view(from, static_cast<std::size_t>(nl - from));
      begin_ += line.size() + 1;
      return true;
    }
    if (at_end_) {
      if (begin_ == end_) return false;
      buffer_[end_] = '\n';  // refill always leaves this byte and kScanPad more
      line = std::string_view(from, end_ - begin_);
      begin_ = end_;
      return true;
    }
    refill();
  }
}

void TraceReader::refill() {
  std::copy(buffer_.begin() + static_cast<std::ptrdiff_t>(begin_), buffer_.begin() + static_cast<std::ptrdiff_t>(end_),
            buffer_.begin());
  end_ -= begin_;
  begin_ = 0;
  const std::size_t room = buffer_.size() - 1 - kScanPad;
  if (end_ >= room) buffer_.resize(buffer_.size() * 2);  // a line longer than the buffer
  in_.read(buffer_.data() + end_, static_cast<std::streamsize>(buffer_.size() - 1 - kScanPad - end_));
  const auto got = static_cast<std::size_t>(in_.gcount());
  end_ += got;
  if (got == 0 || !in_) at_end_ = true;
}

void TraceReader::bad(const std::string& why) const {
  throw Error(source_, "line", std::to_string(line_), why, ErrorKind::format);
}

// The first line that is not blank, shortened and without control characters,
// to name it when no line of the trace is a trace line.
void TraceReader::note_first_line(std::string_view text) {
  if (first_line_ != 0 || text.find_first_not_of(" \t\r") == std::string::npos) return;
  first_line_ = line_;
  constexpr std::size_t kShown = 60;
  for (const char c : text.substr(0, kShown)) first_text_ += static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? '?' : c;
  if (text.size() > kShown) first_text_ += "...";
}

std::optional<IoEvent> TraceReader::next() {
  std::string_view text;
  while (next_line(text)) {
    ++line_;
    if (first_line_ == 0) note_first_line(text);
    auto ev = format_ == TraceFormat::blkparse ? parse_blkparse(text) : parse_fio(text);
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
std::optional<IoEvent> TraceReader::parse_blkparse(std::string_view text) {
  std::string_view f[10];  // the fields read; more would change nothing
  const std::size_t n = split(text, f, 10);
  if (n == 0 || !is_device_field(f[0])) return std::nullopt;  // blank or summary line
  if (n < 7) bad("a blkparse event line has at least 7 fields");
  recognised_ = true;
  IoEvent e;
  if (!seconds(f[3], e.time) || !std::isfinite(e.time) || e.time < 0) bad(fmt::format("time '{}' is not a number of seconds", f[3]));
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
std::optional<IoEvent> TraceReader::parse_fio(std::string_view text) {
  std::string_view f[6];  // the fields read, and one to tell a header of exactly 4 fields
  const std::size_t n = split(text, f, 6);
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
  if (maps_stripe_rows(c.level)) {
    const std::uint64_t data = row_data_disks(c.level, c.raid_disks);
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
  raid456_ = maps_stripe_rows(c_.level);
  array_sectors_ = raid456_ ? c_.size_sectors * row_data_disks(c_.level, c_.raid_disks) : c_.size_sectors;
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
  if (raid456_) {
    const std::uint64_t row = c_.raid_chunk_sectors * row_data_disks(c_.level, c_.raid_disks);
    start = start / row * c_.raid_chunk_sectors;
    end = div_round_up(end, row) * c_.raid_chunk_sectors;
  }
  end = std::min(end, c_.size_sectors);
  any = start < end;
  if (!any) return;
  if (e.discard) {  // whole chunks, and on older kernels the partly covered last one
    first = div_round_up(start, c_.chunk_sectors);
    const std::uint64_t stop =
        discard_covers_partial_last_chunk(c_.kernel) ? div_round_up(end, c_.chunk_sectors) : end / c_.chunk_sectors;
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
  if (e.sector >= array_sectors_ || e.sectors > array_sectors_ - e.sector)
    throw Error("", "sector", std::to_string(e.sector), fmt::format("past the end of the array ({} sectors)", array_sectors_));
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
  s.kernel = c_.kernel;
  const auto replay = replay_bytes(disk_, g, s);
  r_.resync_chunks = replay.synced_chunks;
  r_.resync_bytes = replay.synced_bytes();
  r_.memory.assign(area_.bytes().begin(), area_.bytes().end());
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
