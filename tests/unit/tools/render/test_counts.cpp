// The one writer of state counts (tools/render/counts.cpp) in each format.
#include <gtest/gtest.h>

#include "render/counts.hpp"

namespace {

using llbitmap::cli::counts_json;
using llbitmap::cli::counts_text;
using llbitmap::cli::ExportLines;
using llbitmap::cli::put_counts;

llbmp::StateCounts sample() {
  const std::uint8_t bytes[] = {2, 2, 1, 3, 0xee, 7};
  return llbmp::count_states(bytes);
}

TEST(Counts, TextListsTheStatesWithChunksInvalidLast) {
  EXPECT_EQ(counts_text(sample()), "1 clean, 2 dirty, 1 need_sync, 1 clean_unwritten, 1 invalid");
  EXPECT_EQ(counts_text({}), "none");
  EXPECT_EQ(counts_text({}, ""), "");
}

TEST(Counts, JsonHasEveryStateAndInvalidUnlessLeftOut) {
  const auto j = counts_json(sample());
  EXPECT_EQ(j.size(), llbmp::kStateCount + 1);
  EXPECT_EQ(j["dirty"], 2);
  EXPECT_EQ(j["unwritten"], 0);
  EXPECT_EQ(j["invalid"], 1);
  const auto without = counts_json(sample(), false);
  EXPECT_EQ(without.size(), llbmp::kStateCount);
  EXPECT_FALSE(without.contains("invalid"));
}

TEST(Counts, ExportKeysAreUpperCaseStateKeys) {
  ExportLines e("LLBITMAP_");
  put_counts(e, sample());
  EXPECT_NE(e.text().find("LLBITMAP_STATE_NEED_SYNC=1\n"), std::string::npos) << e.text();
  EXPECT_NE(e.text().find("LLBITMAP_STATE_SYNCING_UNWRITTEN=0\n"), std::string::npos) << e.text();
  EXPECT_NE(e.text().find("LLBITMAP_STATE_INVALID=1\n"), std::string::npos) << e.text();
}

}  // namespace
