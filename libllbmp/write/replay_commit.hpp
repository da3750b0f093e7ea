#pragma once

#include <vector>

#include "engine/replay.hpp"
#include "inspect/member.hpp"
#include "write/write_plan.hpp"

namespace llbmp {

// Writes the end state (and, for a stale bitmap, the header events) to every member.
WritePlan plan_replay_commit(const std::vector<Member>& members, const ReplayResult& result);

}  // namespace llbmp
