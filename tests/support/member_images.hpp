// A GoogleTest fixture for unit tests on member images: a folder of its own
// per test, an ArraySpec to build members from (64 MiB, 1.2, raid1,
// llbitmap, every chunk Clean unless a test says otherwise), and members
// written sparse through the library's builder and loaded back.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "write/builder.hpp"
#include "inspect/member.hpp"

namespace llbmp::test_support {

class MemberImages : public ::testing::Test {
protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::temp_directory_path() /
           ("llbitmap-" + std::string(info->test_suite_name()) + "-" + info->name() + "-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    spec_.member_bytes = 64ull << 20;
    spec_.assume_clean = true;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  // Writes the metadata as a sparse image of spec_.member_bytes and loads it.
  Member write_and_load(const std::string& name, const MemberMetadata& meta) const {
    write_member_image(path(name), meta, spec_.member_bytes);
    return load_member(path(name));
  }

  std::filesystem::path dir_;
  ArraySpec spec_;
};

}  // namespace llbmp::test_support
