# llbitmap replay-resync on an array mid-reshape (ONDISK.md 9.6): with
# --kernel 7.3 the next assembly is previewed, the reshape resumed from
# reshape_position (the rest remapped), then the resync that follows it;
# 7.2 and 6.18 are refused (they misread the bitmap); --commit and --reshape
# are refused; raid1 mid-reshape is replayed as always; pictures.
source "$TESTLIB"

# raid5 3 -> 4, 64 MiB members (1008 chunks), R = 196608 of 387072.
"$LLBITMAP" create --level 5 --raid-disks 4 --size 64M --assume-clean --states 0-9:dirty,600:dirty r0.img r1.img r2.img r3.img >/dev/null
for i in 0 1 2 3; do md_reshape r$i.img 196608 1; done
sums=$(for i in 0 1 2 3; do sha r$i.img; done)
run "$LLBITMAP" replay-resync --kernel 7.3 r0.img r1.img r2.img r3.img
expect_rc 0
expect_no_err
expect_out "Resuming r0.img (mid-reshape: the next assembly resumes the reshape, then syncs)"
expect_out "Kernel   : Linux 7.3"
expect_out "Reshape  : raid5 3 disks, chunk 512.0 KiB, layout 0x2 -> 4 disks, chunk 512.0 KiB, layout 0x2"
expect_out "  Start  : resumed from reshape_position 196608 (50.8% of 387072 sectors): the walk goes on from there"
expect_out "  Load   : reload -> "
expect_out "(the 1008 chunks of both sides the kernel holds)"
# (387072 - 196608) / lcm(2 x 1024, 3 x 1024) = 31 checkpoints.
expect_out "  Remap  : 31 checkpoints of 6144 sectors"
expect_out "  Then   : a resync from sector 0: syncs"
grep -q "^Plan" <<<"$OUT" && fail "a replay of the old geometry beside the resumed reshape: $OUT"
run "$LLBITMAP" replay-resync --kernel 7.3 --format json r0.img r1.img r2.img r3.img
expect_rc 0
[ "$(json_get "$OUT" 'j["mid_reshape"]')" = True ] || fail "json mid_reshape"
[ "$(json_get "$OUT" 'j["reshape"]["resumed_from"]')" = 196608 ] || fail "json resumed_from"
[ "$(json_get "$OUT" 'j["reshape"]["checkpoints"]')" = 31 ] || fail "json checkpoints"
[ "$(json_get "$OUT" 'j["reshape"]["follow_up"]["resync"]')" = True ] || fail "json follow-up"
[ "$(json_get "$OUT" 'j["reshape"]["memory_chunks"]')" = 1008 ] || fail "json memory chunks"
# Pictures of the bitmap after the resumed reshape.
run "$LLBITMAP" replay-resync --kernel 7.3 --svg after.svg --png after.png r0.img r1.img r2.img r3.img
expect_rc 0
grep -q "after the resumed reshape" after.svg || fail "svg title"
[ "$(head -c 8 after.png | od -An -tx1 | tr -d ' ')" = 89504e470d0a1a0a ] || fail "png signature"

# 7.2 and 6.18 have no remap: refused, naming the finding.
for k in 7.2 6.18; do
  run "$LLBITMAP" replay-resync --kernel "$k" r0.img r1.img r2.img r3.img
  expect_rc 1; expect_one_err_line
  expect_err "md.feature_map=reshape_active: the array is mid-reshape at reshape_position 196608: Linux $k has no remap"
  expect_err "reshape-misread-before-7-3"
done
# --commit stays refused (before anything is printed or written); --reshape goes with a finished geometry.
run "$LLBITMAP" replay-resync --kernel 7.3 --commit --force r0.img r1.img r2.img r3.img
expect_rc 1; expect_one_err_line; expect_err "md.reshape_position=196608: the array is mid-reshape"
[ -z "$OUT" ] || fail "--commit printed a preview before refusing: $OUT"
run "$LLBITMAP" replay-resync --reshape raid-disks=5 r0.img r1.img r2.img r3.img
expect_rc 2; expect_one_err_line; expect_err "is mid-reshape at reshape_position 196608"
[ "$(for i in 0 1 2 3; do sha r$i.img; done)" = "$sums" ] || fail "a preview wrote"

# raid1 mid-reshape: no remap, the replay is the usual one on every kernel.
"$LLBITMAP" create --level 1 --raid-disks 3 --size 64M --assume-clean --states 0-9:dirty m0.img m1.img m2.img >/dev/null
md_reshape m0.img 0 1
run "$LLBITMAP" replay-resync --kernel 7.2 m0.img
expect_rc 0
expect_out "Plan     : 1 range"

# A stale bitmap (md events ahead of the bitmap's): the assembly loads it with Stale.
for i in 0 1 2 3; do md_set_u64 r$i.img 200 9; done
run "$LLBITMAP" replay-resync --kernel 7.3 r0.img r1.img r2.img r3.img
expect_rc 0
expect_out "  Load   : stale -> 1008 need_sync"
run "$LLBITMAP" replay-resync --kernel 7.3 --format json r0.img r1.img r2.img r3.img
[ "$(json_get "$OUT" 'j["reshape"]["stale"]')" = True ] || fail "json stale"
