// SharedLibrary: a library loaded by soname when first needed; a missing
// library or function is an Error naming it and what needs it.
#include <gtest/gtest.h>
#include <zlib.h>

#include <string>

#include "llbmp/error.hpp"
#include "format/shared_library.hpp"

using namespace llbmp;

namespace {

TEST(SharedLibrary, CallsAFunctionOfTheLoadedLibrary) {
  const SharedLibrary zlib("libz.so.1", "the test");
  const auto crc = zlib.function<decltype(&::crc32)>("crc32");
  const unsigned char text[] = {'1', '2', '3', '4', '5', '6', '7', '8', '9'};
  EXPECT_EQ(crc(0, text, sizeof text), 0xcbf43926u);  // the CRC-32 check value
}

TEST(SharedLibrary, AMissingLibraryIsAnErrorNamingItAndItsUse) {
  try {
    const SharedLibrary missing("libllbitmap-no-such-library.so.0", "the test's feature");
    FAIL() << "loaded a library that does not exist";
  } catch (const Error& e) {
    EXPECT_EQ(e.device(), "libllbitmap-no-such-library.so.0");
    EXPECT_NE(e.message().find("the test's feature needs it"), std::string::npos) << e.what();
  }
}

TEST(SharedLibrary, AMissingFunctionIsAnErrorNamingIt) {
  const SharedLibrary zlib("libz.so.1", "the test");
  try {
    (void)zlib.function<void (*)()>("llbitmap_no_such_function");
    FAIL() << "found a function that does not exist";
  } catch (const Error& e) {
    EXPECT_EQ(e.device(), "libz.so.1");
    EXPECT_EQ(e.field(), "symbol");
    EXPECT_EQ(e.value(), "llbitmap_no_such_function");
  }
}

}  // namespace
