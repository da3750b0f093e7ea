// Little-endian fields as distinct types: a disk value cannot be used as a
// host integer without an explicit get(), and a host value cannot be stored
// without an explicit set().
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <type_traits>

namespace llbmp {

template <typename T>
class le_field {
  static_assert(std::is_unsigned_v<T>, "le_field holds unsigned integers");

public:
  constexpr T get() const noexcept {
    T value = 0;
    for (std::size_t i = 0; i < sizeof(T); ++i)
      value |= static_cast<T>(static_cast<T>(bytes_[i]) << (8 * i));
    return value;
  }
  constexpr void set(T value) noexcept {
    for (std::size_t i = 0; i < sizeof(T); ++i)
      bytes_[i] = static_cast<std::uint8_t>(value >> (8 * i));
  }

private:
  std::array<std::uint8_t, sizeof(T)> bytes_{};
};

using le16 = le_field<std::uint16_t>;
using le32 = le_field<std::uint32_t>;
using le64 = le_field<std::uint64_t>;
static_assert(sizeof(le16) == 2 && alignof(le16) == 1);
static_assert(sizeof(le32) == 4 && alignof(le32) == 1);
static_assert(sizeof(le64) == 8 && alignof(le64) == 1);

// One integer field between a host model and its disk word of the same width,
// both ways (a signed host field goes through the unsigned word).
template <typename Host, typename T>
constexpr void decode_field(Host& host, const le_field<T>& disk) noexcept {
  static_assert(std::is_integral_v<Host> && sizeof(Host) == sizeof(T), "a host field of the disk word's width");
  host = static_cast<Host>(disk.get());
}
template <typename Host, typename T>
constexpr void encode_field(const Host& host, le_field<T>& disk) noexcept {
  static_assert(std::is_integral_v<Host> && sizeof(Host) == sizeof(T), "a host field of the disk word's width");
  disk.set(static_cast<T>(host));
}

// Explicit decoding of a little-endian value at a byte offset of a buffer.
// The caller has checked the bounds (every decoder checks the buffer size first).
template <typename T>
constexpr T load_le(std::span<const std::uint8_t> bytes, std::size_t offset) noexcept {
  T value = 0;
  for (std::size_t i = 0; i < sizeof(T); ++i)
    value |= static_cast<T>(static_cast<T>(bytes[offset + i]) << (8 * i));
  return value;
}

template <typename T>
constexpr void store_le(std::span<std::uint8_t> bytes, std::size_t offset, T value) noexcept {
  for (std::size_t i = 0; i < sizeof(T); ++i)
    bytes[offset + i] = static_cast<std::uint8_t>(value >> (8 * i));
}

// Copies a packed disk struct out of / into a byte buffer of at least sizeof(T).
template <typename T>
T read_struct(std::span<const std::uint8_t> bytes) noexcept {
  static_assert(std::is_trivially_copyable_v<T>);
  T value;
  std::memcpy(&value, bytes.data(), sizeof(T));
  return value;
}

template <typename T>
void write_struct(std::span<std::uint8_t> bytes, const T& value) noexcept {
  static_assert(std::is_trivially_copyable_v<T>);
  std::memcpy(bytes.data(), &value, sizeof(T));
}

}  // namespace llbmp
