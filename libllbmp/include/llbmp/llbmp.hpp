// The whole public API of libllbmp: a program includes this header (or the
// ones it needs) and links with `pkg-config --libs libllbmp`. Reading only:
// load a member or the members of one array, check them, read the model.
#pragma once

#include <llbmp/array.hpp>
#include <llbmp/bitmap_super.hpp>
#include <llbmp/check.hpp>
#include <llbmp/error.hpp>
#include <llbmp/finding_table.hpp>
#include <llbmp/level.hpp>
#include <llbmp/md_super.hpp>
#include <llbmp/member.hpp>
#include <llbmp/state.hpp>
#include <llbmp/version.hpp>
