// The table of findings: stable kebab-case ids, one row per FindingId, and
// llbitmap-check(8) lists exactly the table (id, severity and sentence, in
// the table's order).
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "llbmp/error.hpp"
#include "llbmp/finding_table.hpp"

namespace {

using namespace llbmp;

struct Row {
  std::string name, severity, sentence;
  bool operator==(const Row&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Row& r) { return os << r.name << " (" << r.severity << ") " << r.sentence; }

std::string unescape(std::string text) {
  for (std::size_t at = 0; (at = text.find("\\-", at)) != std::string::npos;) text.replace(at, 2, "-");
  return text;
}

// The FINDINGS section's entries: ".TP", ".BR id " (severity)"", one line of sentence.
std::vector<Row> man_rows(const std::string& page) {
  std::ifstream in(page);
  EXPECT_TRUE(in) << page;
  std::vector<std::string> lines;
  bool on = false;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(".SH", 0) == 0) on = line == ".SH FINDINGS";
    else if (on) lines.push_back(line);
  }
  const std::regex head(R"re(^\.BR (\S+) " \((info|warning|error)\)"$)re");
  std::vector<Row> rows;
  for (std::size_t i = 0; i + 2 < lines.size(); ++i) {
    std::smatch m;
    if (lines[i] != ".TP" || !std::regex_match(lines[i + 1], m, head)) continue;
    rows.push_back({unescape(m[1]), m[2], unescape(lines[i + 2])});
  }
  return rows;
}

TEST(FindingTable, OneRowPerIdWithAStableKebabCaseName) {
  const auto table = finding_table();
  ASSERT_GT(table.size(), 50u);
  std::set<std::string_view> names;
  const std::regex kebab("[a-z0-9]+(-[a-z0-9]+)+");
  for (std::size_t i = 0; i < table.size(); ++i) {
    EXPECT_EQ(static_cast<std::size_t>(table[i].id), i);
    EXPECT_EQ(&finding_kind(table[i].id), &table[i]);
    EXPECT_TRUE(std::regex_match(std::string(table[i].name), kebab)) << table[i].name;
    EXPECT_TRUE(names.insert(table[i].name).second) << "twice: " << table[i].name;
    const auto& d = table[i].description;
    EXPECT_TRUE(!d.empty() && d.back() == '.' && d.find('\n') == std::string_view::npos) << table[i].name << ": " << d;
    EXPECT_NE(d.front(), '.') << table[i].name;  // a roff request in the man page
  }
}

TEST(FindingTable, AFindingTakesItsSeverityFromTheTable) {
  const Finding info{FindingId::bblog_overlaps_bitmap, "md.bblog_offset", "8192..16383", "m"};
  const Finding warning{FindingId::bblog_overlaps_reserved, "md.bblog_offset", "8192..16383", "m"};
  const Finding error{FindingId::bblog_overlaps_states, "md.bblog_offset", "8192..16383", "m"};
  EXPECT_EQ(info.severity, Severity::info);
  EXPECT_EQ(warning.severity, Severity::warning);
  EXPECT_EQ(error.severity, Severity::error);
  EXPECT_EQ(error.name(), "bblog-overlaps-states");
  EXPECT_EQ(error.to_string(), "md.bblog_offset=8192..16383: m");
}

TEST(FindingTable, TheCheckManPageListsExactlyTheTable) {
  std::vector<Row> table;
  for (const auto& k : finding_table())
    table.push_back({std::string(k.name), severity_name(k.severity), std::string(k.description)});
  const auto man = man_rows(LLBITMAP_MAN_DIR "/llbitmap-check.8");
  EXPECT_EQ(man, table) << "man/llbitmap-check.8 FINDINGS and libllbmp/format/finding_table.cpp differ";
  std::set<std::string> in_man;
  for (const auto& r : man) in_man.insert(r.name);
  for (const auto& r : table) EXPECT_TRUE(in_man.count(r.name)) << "not in the man page: " << r.name;
}

}  // namespace
