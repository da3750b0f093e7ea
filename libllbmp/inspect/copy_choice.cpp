#include "inspect/copy_choice.hpp"

#include <fmt/core.h>

#include <algorithm>

#include "inspect/check.hpp"
#include "format/geometry.hpp"
#include "llbmp/error.hpp"

namespace llbmp {

namespace {

bool readable_copy(const Member& m) { return m.bitmap && (m.bitmap->lockless || m.bitmap->classic); }

// One value per chunk: the state byte, or 0/1 for a classic bit.
std::vector<std::uint8_t> chunk_values(const Member& m) {
  if (m.bitmap->lockless) return m.bitmap->lockless->states;
  const ClassicView& c = *m.bitmap->classic;
  std::vector<std::uint8_t> out(c.chunks);
  for (std::uint64_t i = 0; i < c.chunks; ++i) out[i] = (i / 8 < c.bits.size() && (c.bits[i / 8] >> (i % 8) & 1) != 0) ? 1 : 0;
  return out;
}

std::size_t kernel_copy(const std::vector<Member>& members) {
  const std::size_t loaded = kernel_source_member(members);
  if (readable_copy(members[loaded])) return loaded;
  // The kernel moves on to the next member when a read fails; take the freshest readable one.
  std::optional<std::size_t> best;
  for (std::size_t i = 0; i < members.size(); ++i)
    if (readable_copy(members[i]) && (!best || members[i].md.events > members[*best].md.events)) best = i;
  if (!best) {
    const Member& m = members[loaded];
    throw Error(m.device, "bitmap", m.bitmap ? fmt::format("version {}", m.bitmap->sb.version) : "none",
                "no member has a readable bitmap (an initialised llbitmap or a classic bitmap)");
  }
  return *best;
}

std::size_t named_copy(const std::vector<Member>& members, const std::string& device) {
  const auto it = std::find_if(members.begin(), members.end(), [&](const Member& m) { return m.device == device; });
  if (it == members.end()) throw Error(device, "member", device, "not among the devices given", ErrorKind::bad_value);
  if (!readable_copy(*it))
    throw Error(device, "bitmap", it->bitmap ? fmt::format("version {}", it->bitmap->sb.version) : "none",
                "this member has no readable bitmap to take");
  return static_cast<std::size_t>(it - members.begin());
}

}  // namespace

std::string ChosenCopy::describe(const std::vector<Member>& members) const {
  switch (choice) {
    case CopyChoice::kernel: return fmt::format("{}, the copy the kernel loads", members[member].device);
    case CopyChoice::member: return fmt::format("{}, the copy asked for", members[member].device);
    case CopyChoice::merge_worst: return fmt::format("the worst state of each chunk over {} members", copies);
  }
  return {};
}

ChosenCopy choose_copy(const std::vector<Member>& members, const CopySource& source) {
  if (members.empty()) throw Error("", "device", "", "no member given");
  ChosenCopy out;
  out.choice = source.choice;
  out.member = source.choice == CopyChoice::member ? named_copy(members, source.member) : kernel_copy(members);
  const Member& chosen = members[out.member];
  const bool lockless = chosen.bitmap->lockless.has_value();
  std::vector<std::vector<std::uint8_t>> copies;
  for (const auto& m : members)
    if (readable_copy(m) && m.bitmap->lockless.has_value() == lockless) copies.push_back(chunk_values(m));
  out.copies = copies.size();
  std::vector<std::uint8_t> values = chunk_values(chosen);
  for (const auto& c : copies)
    if (c.size() != values.size() && source.choice == CopyChoice::merge_worst)
      throw Error(chosen.device, "bitmap.chunks", std::to_string(values.size()),
                  fmt::format("another member has {} chunks: copies of different geometry cannot be merged (choose one member's copy)", c.size()));
  std::vector<std::uint8_t> column(copies.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    std::size_t k = 0;
    bool differ = false;
    for (const auto& c : copies) {
      column[k++] = i < c.size() ? c[i] : values[i];
      differ = differ || column[k - 1] != values[i];
    }
    out.disagreeing_chunks += differ ? 1 : 0;
    if (differ && source.choice == CopyChoice::merge_worst)
      values[i] = lockless ? worst_state(column)
                           : static_cast<std::uint8_t>(std::any_of(column.begin(), column.end(), [](std::uint8_t v) { return v != 0; }));
  }
  if (lockless) {
    out.states = std::move(values);
  } else {
    out.out_of_sync.assign(values.size(), false);
    for (std::size_t i = 0; i < values.size(); ++i) out.out_of_sync[i] = values[i] != 0;
  }
  return out;
}

std::vector<std::uint8_t> copy_area_states(const Member& m, const ChosenCopy& copy) {
  std::vector<std::uint8_t> bytes;
  if (m.bitmap && m.bitmap->area.size() > kStateOffset)
    bytes.assign(m.bitmap->area.begin() + static_cast<std::ptrdiff_t>(kStateOffset), m.bitmap->area.end());
  if (bytes.size() < copy.states.size()) bytes.resize(copy.states.size(), 0);
  std::copy(copy.states.begin(), copy.states.end(), bytes.begin());
  return bytes;
}

}  // namespace llbmp
