// Fault injection through the one write path: a three-phase plan over two
// members (mark the bitmaps stale, write the new states, write the new
// headers) is stopped at every write and every flush in turn. Whatever step
// fails, each member must read back as the old bitmap, the new one, or one
// marked STALE: never a bitmap the kernel would trust that holds neither.
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "format/bitmap_super.hpp"
#include "write/builder.hpp"
#include "io/device.hpp"
#include "llbmp/error.hpp"
#include "inspect/member.hpp"
#include "write/write_plan.hpp"
#include "member_images.hpp"

using namespace llbmp;
namespace fs = std::filesystem;

namespace {

constexpr std::uint32_t kMembers = 2;
constexpr std::uint64_t kNewDirty = 100;

class FaultInjection : public test_support::MemberImages {
protected:

  std::string path(std::uint32_t role) const { return MemberImages::path("m" + std::to_string(role) + ".img"); }

  void make_members() {
    for (std::uint32_t role = 0; role < kMembers; ++role) {
      std::filesystem::remove(path(role));  // images are only ever created as new files
      write_member_image(path(role), build_member(spec_, role), spec_.member_bytes);
    }
  }

  // Old -> new: 100 chunks dirty, bitmap events + 1, in three flushed phases.
  WritePlan plan() const {
    WritePlan p;
    p.phase_names = {"mark the bitmap stale", "write the new states", "write the new header"};
    for (std::uint32_t role = 0; role < kMembers; ++role) {
      const Member m = load_member(path(role));
      const auto& bm = *m.bitmap;
      BitmapSuper stale = bm.sb;
      stale.set(BitmapFlag::stale, true);
      BitmapSuper fresh = bm.sb;
      fresh.events += 1;
      const auto s = encode_bitmap_super(stale);
      const auto f = encode_bitmap_super(fresh);
      p.member(m.device).room = metadata_room(m);
      p.add(m.device, 0, bm.area_offset, {s.begin(), s.end()});
      p.add(m.device, 1, bm.area_offset + kStateOffset, std::vector<std::uint8_t>(kNewDirty, 2));
      p.add(m.device, 2, bm.area_offset, {f.begin(), f.end()});
    }
    return p;
  }

};

enum class Outcome { old_bitmap, new_bitmap, stale };

Outcome classify(const Member& m, std::uint64_t old_events) {
  const auto& bm = *m.bitmap;
  if (bm.sb.has(BitmapFlag::stale)) return Outcome::stale;
  EXPECT_TRUE(bm.lockless.has_value()) << m.device;
  const auto dirty = bm.lockless ? bm.lockless->counts.of(State::Dirty) : 0;
  if (bm.sb.events == old_events && dirty == 0) return Outcome::old_bitmap;
  if (bm.sb.events == old_events + 1 && dirty == kNewDirty) return Outcome::new_bitmap;
  ADD_FAILURE() << m.device << ": trusted bitmap that is neither old nor new: events " << bm.sb.events << ", "
                << dirty << " dirty";
  return Outcome::stale;
}

}  // namespace

TEST_F(FaultInjection, EveryStepCountsAndTheLastOneCompletesThePlan) {
  make_members();
  const auto faults = std::make_shared<FaultInjector>(0);
  execute_plan(plan(), faults);
  EXPECT_EQ(faults->steps(), 3u * kMembers * 2u);  // per phase: one write and one flush per member
  for (std::uint32_t role = 0; role < kMembers; ++role)
    EXPECT_EQ(classify(load_member(path(role)), spec_.events), Outcome::new_bitmap);
}

TEST_F(FaultInjection, AFailureAtAnyStepLeavesOldNewOrStale) {
  const std::uint64_t steps = 3u * kMembers * 2u;
  for (std::uint64_t k = 1; k <= steps; ++k) {
    make_members();
    const auto faults = std::make_shared<FaultInjector>(k);
    EXPECT_THROW(execute_plan(plan(), faults), Error) << "step " << k;
    EXPECT_EQ(faults->steps(), k);
    int stale = 0;
    for (std::uint32_t role = 0; role < kMembers; ++role) {
      const Member m = load_member(path(role));
      stale += classify(m, spec_.events) == Outcome::stale;
    }
    // Step 1 is the first write: it fails before anything reaches a member.
    if (k == 1) {
      EXPECT_EQ(stale, 0);
    }
  }
}

TEST_F(FaultInjection, APlanWriteOutsideTheRoomIsRefusedBeforeAnyWrite) {
  make_members();
  WritePlan p = plan();
  p.add(path(1), 1, spec_.data_offset * 512, std::vector<std::uint8_t>(512, 0xee));  // into the data area
  const auto faults = std::make_shared<FaultInjector>(0);
  EXPECT_THROW(execute_plan(p, faults), Error);
  EXPECT_EQ(faults->steps(), 0u);
  for (std::uint32_t role = 0; role < kMembers; ++role)
    EXPECT_EQ(classify(load_member(path(role)), spec_.events), Outcome::old_bitmap);
}
