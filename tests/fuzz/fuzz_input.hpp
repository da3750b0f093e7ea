// The fuzz input of a whole member: a small header saying where the payload
// goes on a zeroed, sparse in-memory device, then the payload (the md
// superblock and the bitmap area, as the seed generator cuts them out of a
// built member image).
//
//   input   := device_mib:u8 @0 (1 + v % 16 MiB) placement:le32 @1 (sectors,
//              modulo the device) payload @5..
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace llbitmap::fuzz {

inline constexpr std::size_t kHeaderBytes = 5;

struct MemberInput {
  std::uint64_t device_bytes = 0;
  std::uint64_t placement = 0;  // bytes
  std::span<const std::uint8_t> payload;
};

inline std::optional<MemberInput> parse_member_input(std::span<const std::uint8_t> data) {
  if (data.size() < kHeaderBytes) return std::nullopt;
  MemberInput in;
  in.device_bytes = (1 + std::uint64_t{data[0]} % 16) << 20;
  std::uint32_t sector = 0;
  for (int i = 0; i < 4; ++i) sector |= std::uint32_t{data[1 + i]} << (8 * i);
  in.placement = (std::uint64_t{sector} * 512) % in.device_bytes;
  in.payload = data.subspan(kHeaderBytes);
  if (in.payload.size() > in.device_bytes - in.placement) in.payload = in.payload.first(in.device_bytes - in.placement);
  return in;
}

inline std::vector<std::uint8_t> make_member_input(std::uint64_t device_bytes, std::uint64_t placement,
                                                   std::span<const std::uint8_t> payload) {
  std::vector<std::uint8_t> out(kHeaderBytes);
  out[0] = static_cast<std::uint8_t>((device_bytes >> 20) - 1);
  const auto sector = static_cast<std::uint32_t>(placement / 512);
  for (int i = 0; i < 4; ++i) out[1 + i] = static_cast<std::uint8_t>(sector >> (8 * i));
  out.insert(out.end(), payload.begin(), payload.end());
  return out;
}

}  // namespace llbitmap::fuzz
