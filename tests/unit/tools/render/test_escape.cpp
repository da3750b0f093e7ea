// The output rules of tools/render/escape.cpp: JSON layout and strings, exact
// integers, shell quoting of export values.
#include <gtest/gtest.h>

#include <stdexcept>

#include "render/escape.hpp"

namespace {

using llbitmap::cli::ExportLines;
using llbitmap::cli::json_string;
using llbitmap::cli::json_text;
using llbitmap::cli::printable;
using llbitmap::cli::shell_quote;

TEST(JsonText, SameLayoutAsNlohmannDumpForPlainDocuments) {
  const nlohmann::json doc = {{"a", 1},          {"b", {1, 2, {{"c", nullptr}}}}, {"d", nlohmann::json::object()},
                              {"e", nlohmann::json::array()}, {"f", true}, {"g", 0.25},
                              {"h", "plain \"text\" \\ tab\t"}, {"i", -5}, {"j", {{"k", {{"l", "m"}}}}}};
  EXPECT_EQ(json_text(doc), doc.dump(2));
}

TEST(JsonText, AnIdComesFirstTheOtherMembersInKeyOrder) {
  const nlohmann::json doc = {{"list", {{{"b", 1}, {"id", "x-y"}, {"a", 2}}}}, {"device", "d"}};
  EXPECT_EQ(json_text(doc), "{\n  \"device\": \"d\",\n  \"list\": [\n    {\n      \"id\": \"x-y\",\n      \"a\": 2,\n"
                            "      \"b\": 1\n    }\n  ]\n}");
}

TEST(JsonText, IntegersAboveTwoToThe53AreStrings) {
  const nlohmann::json doc = {{"exact", (std::uint64_t{1} << 53) - 1}, {"big", std::uint64_t{1} << 53},
                              {"max", ~std::uint64_t{0}}, {"low", -(std::int64_t{1} << 53) + 1}, {"very_low", -(std::int64_t{1} << 53)}};
  const auto text = json_text(doc);
  EXPECT_NE(text.find("\"exact\": 9007199254740991,"), std::string::npos) << text;
  EXPECT_NE(text.find("\"big\": \"9007199254740992\","), std::string::npos) << text;
  EXPECT_NE(text.find("\"max\": \"18446744073709551615\","), std::string::npos) << text;
  EXPECT_NE(text.find("\"low\": -9007199254740991,"), std::string::npos) << text;
  EXPECT_NE(text.find("\"very_low\": \"-9007199254740992\""), std::string::npos) << text;
}

TEST(JsonString, ValidUtf8KeptAsIs) {
  EXPECT_EQ(json_string("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"), "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
  EXPECT_EQ(json_string("a\\b\"c"), "\"a\\\\b\\\"c\"");
  EXPECT_EQ(json_string(std::string("\x01\n\x1f\x7f", 4)), "\"\\u0001\\n\\u001f\x7f\"");
}

TEST(JsonString, EachInvalidByteIsALoneSurrogate) {
  EXPECT_EQ(json_string("a\xff"), "\"a\\udcff\"");
  EXPECT_EQ(json_string("\xc3("), "\"\\udcc3(\"");                  // lead byte without continuation
  EXPECT_EQ(json_string("\xe2\x82"), "\"\\udce2\\udc82\"");          // truncated sequence
  EXPECT_EQ(json_string("\xc0\xaf"), "\"\\udcc0\\udcaf\"");          // overlong '/'
  EXPECT_EQ(json_string("\xed\xa0\x80"), "\"\\udced\\udca0\\udc80\"");  // an encoded surrogate is no UTF-8
  EXPECT_EQ(json_string("\xf4\x90\x80\x80"), "\"\\udcf4\\udc90\\udc80\\udc80\"");  // above U+10FFFF
}

TEST(Printable, TerminalSafe) {
  EXPECT_EQ(printable("/dev/sdb1"), "/dev/sdb1");
  EXPECT_EQ(printable("caf\xc3\xa9"), "caf\xc3\xa9");
  EXPECT_EQ(printable("a\\b\x1b[2J\xff\xc2\x85"), "a\\x5cb\\x1b[2J\\xff\\xc2\\x85");
}

TEST(ShellQuote, BareOnlyWhenSafe) {
  EXPECT_EQ(shell_quote(""), "");
  EXPECT_EQ(shell_quote("/dev/loop0"), "/dev/loop0");
  EXPECT_EQ(shell_quote("01234567:89abcdef"), "01234567:89abcdef");
  EXPECT_EQ(shell_quote("a b"), "'a b'");
  EXPECT_EQ(shell_quote("a'b;touch x;$(y)"), "'a'\\''b;touch x;$(y)'");
  EXPECT_EQ(shell_quote("caf\xc3\xa9\xff"), "'caf\xc3\xa9\xff'");
  EXPECT_EQ(shell_quote("a\nb'c\\"), "$'a\\x0ab\\x27c\\x5c'");
}

TEST(ExportLines, KeysAreShellNames) {
  ExportLines e("LLBITMAP_");
  e.put("A_1", std::uint64_t{18446744073709551615ULL});
  e.put("B", true);
  e.put("C", "x y");
  EXPECT_EQ(e.text(), "LLBITMAP_A_1=18446744073709551615\nLLBITMAP_B=1\nLLBITMAP_C='x y'\n");
  EXPECT_THROW(e.put("lower", "x"), std::logic_error);
  EXPECT_THROW(e.put("A;B", "x"), std::logic_error);
  ExportLines bare("");
  EXPECT_THROW(bare.put("1A", "x"), std::logic_error);
}

}  // namespace
