// plan_edit, set_bitmap_field and kernel_load_refusals: every header field
// set and read back through an independent decoder of the raw bytes, one
// member written alone, refusals of what the kernel would not load.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "write/builder.hpp"
#include "write/edit.hpp"
#include "llbmp/error.hpp"
#include "inspect/member.hpp"
#include "member_images.hpp"

using namespace llbmp;
namespace fs = std::filesystem;

namespace {

// Reads bytes straight from the image file: no library decoding involved.
std::vector<std::uint8_t> raw_bytes(const std::string& path, std::uint64_t offset, std::size_t length) {
  std::ifstream in(path, std::ios::binary);
  in.seekg(static_cast<std::streamoff>(offset));
  std::vector<std::uint8_t> out(length);
  in.read(reinterpret_cast<char*>(out.data()), static_cast<std::streamsize>(length));
  return out;
}
std::uint64_t le(const std::vector<std::uint8_t>& b, std::size_t at, std::size_t width) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < width; ++i) v |= std::uint64_t{b[at + i]} << (8 * i);
  return v;
}

class Edit : public test_support::MemberImages {
protected:
  std::string image(std::uint32_t role) {
    return write_and_load("m" + std::to_string(role), build_member(spec_, role)).device;
  }
};

constexpr std::uint64_t kArea = 8 * 512 + 4096;  // 1.2: superblock at 4096, bitmap 8 sectors after it

TEST_F(Edit, EveryHeaderFieldRoundTripsThroughTheRawBytes) {
  const auto path = image(0);
  const auto m = load_member(path);
  EditSpec s;
  s.fields = {{"events", "77"}, {"events_cleared", "0x20"}, {"sync_size", "65536"}, {"chunksize", "256"},
              {"daemon_sleep", "9"}, {"write_behind", "5"}, {"sectors_reserved", "128"}, {"nodes", "0"},
              {"cluster_name", "lab"}, {"uuid", format_uuid(m.md.set_uuid)}};
  s.set_flags = {BitmapFlag::clean, BitmapFlag::shutdown};
  s.force = true;  // sync_size below the array's: what a 7.3 kernel tracks changes
  execute_plan(plan_edit({m}, s).writes);
  const auto b = raw_bytes(path, kArea, 256);
  EXPECT_EQ(le(b, 0, 4), 0x6d746962u);
  EXPECT_EQ(le(b, 4, 4), 6u);
  EXPECT_EQ(0, std::memcmp(b.data() + 8, m.md.set_uuid.data(), 16));
  EXPECT_EQ(le(b, 24, 8), 77u);
  EXPECT_EQ(le(b, 32, 8), 0x20u);
  EXPECT_EQ(le(b, 40, 8), 65536u);
  EXPECT_EQ(le(b, 48, 4), (1u << 4) | (1u << 6));
  EXPECT_EQ(le(b, 52, 4), 256u);
  EXPECT_EQ(le(b, 56, 4), 9u);
  EXPECT_EQ(le(b, 60, 4), 5u);
  EXPECT_EQ(le(b, 64, 4), 128u);
  EXPECT_EQ(le(b, 68, 4), 0u);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(b.data() + 72)), "lab");
  const auto after = load_member(path);
  ASSERT_TRUE(after.bitmap && after.bitmap->lockless);
  // 7.2.13 covers the array whatever the header says; 7.3 its sync_size.
  EXPECT_EQ(after.bitmap->lockless->chunks, div_round_up(after.md.resync_sectors(), 256));
  EXPECT_EQ(after.bitmap->lockless->chunks_7_3, 65536u / 256);
  EXPECT_FALSE(has_errors(after.findings));
}

TEST_F(Edit, FieldValuesAreCheckedByWidthAndName) {
  BitmapSuper sb;
  EXPECT_THROW(set_bitmap_field(sb, "chunksize", "4294967296"), Error);
  EXPECT_THROW(set_bitmap_field(sb, "chunksize", "-1"), Error);
  EXPECT_THROW(set_bitmap_field(sb, "chunksize", "12x"), Error);
  EXPECT_THROW(set_bitmap_field(sb, "uuid", "abc"), Error);
  EXPECT_THROW(set_bitmap_field(sb, "colour", "1"), Error);
  EXPECT_THROW(set_bitmap_field(sb, "cluster_name", std::string(64, 'a')), Error);
  set_bitmap_field(sb, "events", "18446744073709551615");
  EXPECT_EQ(sb.events, ~0ull);
  EXPECT_EQ(bitmap_field_text(sb, "events"), "18446744073709551615");
  set_bitmap_field(sb, "state", "0x12");
  EXPECT_EQ(bitmap_field_text(sb, "state"), "0x12");
  // A leading zero is decimal, not octal; hex needs its 0x.
  set_bitmap_field(sb, "events", "010");
  EXPECT_EQ(sb.events, 10u);
  set_bitmap_field(sb, "daemon_sleep", "0X1f");
  EXPECT_EQ(sb.daemon_sleep, 31u);
  for (const char* bad : {" 5", "+5", "5 ", "0x", "0x-1", "1e3", ""}) EXPECT_THROW(set_bitmap_field(sb, "events", bad), Error) << bad;
}

TEST_F(Edit, WhatTheKernelWouldNotLoadIsRefusedWithoutForce) {
  const auto path = image(0);
  const auto m = load_member(path);
  const auto before = raw_bytes(path, kArea, 4096);
  const std::vector<std::pair<std::string, std::string>> refused = {
      {"chunksize", "3"},           {"daemon_sleep", "0"},  {"uuid", "00000000:00000000:00000000:00000001"},
      {"sync_size", "999999999"},   {"sectors_reserved", "0"}, {"sectors_reserved", "99999"},
      {"magic", "0x1234"},          {"version", "7"},
      {"state", "0x8"},             {"state", "0x4"}};  // FIRST_USE, WRITE_ERROR through the state word
  for (const auto& [field, value] : refused) {
    EditSpec s;
    s.fields = {{field, value}};
    try {
      plan_edit({m}, s);
      ADD_FAILURE() << field << "=" << value << " was not refused";
    } catch (const Error& e) {
      EXPECT_EQ(e.device(), path);
      EXPECT_EQ(e.kind(), ErrorKind::refused) << e.what();  // force overrides it
      EXPECT_EQ(std::string(e.what()).find("--"), std::string::npos) << "the library names no CLI flag: " << e.what();
    }
    s.force = true;
    EXPECT_NO_THROW(plan_edit({m}, s)) << field;
  }
  EXPECT_EQ(raw_bytes(path, kArea, 4096), before);
  EXPECT_TRUE(kernel_load_refusals(m, m.bitmap->sb).empty());
}

TEST_F(Edit, OnlyTheNamedMemberIsWrittenAfterEveryMemberIsChecked) {
  const auto p0 = image(0), p1 = image(1);
  const std::vector<Member> members = {load_member(p0), load_member(p1)};
  EditSpec s;
  s.states = load_state_spec("600:need_sync");
  s.only_member = p1;
  const auto plan = plan_edit(members, s);
  ASSERT_EQ(plan.writes.members.size(), 1u);
  EXPECT_EQ(plan.writes.members.front().device, p1);
  EXPECT_TRUE(plan.writes.ranges_of(p0).empty());
  s.only_member = "/nonexistent";
  EXPECT_THROW(plan_edit(members, s), Error);
  // A refusal on a member not written still stops the edit.
  EditSpec past;
  past.raw_bytes = {{999999, 1}};
  past.only_member = p1;
  EXPECT_THROW(plan_edit(members, past), Error);
}

}  // namespace
