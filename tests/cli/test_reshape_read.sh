# A member mid-reshape (md MD_FEATURE_RESHAPE_ACTIVE, ONDISK.md 9.4 and 9.6):
# examine and check show the reshape and both sides of the bitmap; every
# writing command refuses it with one line naming md.reshape_position, and
# only edit --force writes, saying what it risks.
source "$TESTLIB"

"$LLBITMAP" create --level 5 --raid-disks 4 --size 64M --assume-clean --states 0-9:dirty,500-509:need_sync r0.img r1.img r2.img r3.img >/dev/null
for i in 0 1 2 3; do cp r$i.img r$i.orig; done

# Not mid-reshape: no reshape lines anywhere.
run "$LLBITMAP" examine r0.img; expect_rc 0
grep -q "Reshape" <<<"$OUT" && fail "reshape lines on a member not mid-reshape: $OUT"
run "$LLBITMAP" examine --format json r0.img
[ "$(json_get "$OUT" '"reshape" in j[0]')" = False ] || fail "json reshape key on a member not mid-reshape"

for i in 0 1 2 3; do md_reshape r$i.img 196608 1; done
# raid5 3->4, 129024 sectors a member: R = 196608 is new device sector 65536
# (chunk 512 of 128 sectors) and old device sector 98304 (chunk 768).
run "$LLBITMAP" examine r0.img; expect_rc 0
expect_out "   Reshape Position : 196608 sectors (50.8% of 387072 sectors)"
expect_out "  Reshape Direction : forwards"
expect_out "       Old Geometry : raid5, 3 devices, layout 0x2, chunk 1024 sectors"
expect_out "       New Geometry : raid5, 4 devices, layout 0x2, chunk 1024 sectors"
expect_out "   Header Describes : chunk 128 sectors, sync_size 129024 sectors (1008 chunks, the old geometry)"
expect_out "           New Side : 0-511 (512 chunks): 492 clean, 10 dirty, 10 need_sync"
expect_out "           Old Side : 768-1007 (240 chunks): 240 clean"
expect_out "          Leftovers : 512-767 (256 chunks): 256 clean, ignored by the kernel"
run "$LLBITMAP" examine --format json r0.img; expect_rc 0
[ "$(json_get "$OUT" 'j[0]["reshape"]["position_sectors"]')" = 196608 ] || fail "json position"
[ "$(json_get "$OUT" 'j[0]["reshape"]["old"]["raid_disks"]')" = 3 ] || fail "json old raid_disks"
[ "$(json_get "$OUT" 'j[0]["reshape"]["new_side"]["end"]')" = 512 ] || fail "json new side"
[ "$(json_get "$OUT" 'j[0]["reshape"]["old_side"]["first"]')" = 768 ] || fail "json old side"
[ "$(json_get "$OUT" 'j[0]["reshape"]["leftovers"]["counts"]["clean"]')" = 256 ] || fail "json leftovers"
run "$LLBITMAP" examine --format export r0.img; expect_rc 0
expect_out "LLBITMAP_RESHAPE_POSITION_SECTORS=196608"; expect_out "LLBITMAP_RESHAPE_OLD_RAID_DISKS=3"
expect_out "LLBITMAP_RESHAPE_LEFTOVERS_FIRST=512"
run "$LLBITMAP" check r0.img r1.img r2.img r3.img
expect_out "Reshape      : mid-reshape (read from r0.img)"
expect_out "  New Side          : 0-511 (512 chunks): 492 clean, 10 dirty, 10 need_sync"
run "$LLBITMAP" check --format json r0.img r1.img r2.img r3.img
[ "$(json_get "$OUT" 'j["reshape"]["device"]')" = r0.img ] || fail "check json reshape device"
[ "$(json_get "$OUT" 'j["reshape"]["old_side"]["chunks"]')" = 240 ] || fail "check json old side"

# Backwards (MD_FEATURE_RESHAPE_BACKWARDS) is the mirror image.
cp r0.orig back.img; md_reshape back.img 196608 1 32
run "$LLBITMAP" examine back.img; expect_rc 0; expect_out "  Reshape Direction : backwards"

# raid1 has no remap: the bytes stay as they are.
"$LLBITMAP" create --level 1 --raid-disks 3 --size 64M m0.img m1.img m2.img >/dev/null
md_reshape m0.img 0 1
run "$LLBITMAP" examine m0.img; expect_rc 0
expect_out "Reshape Sides : none: this level's bitmap is not remapped"

# Every writing command refuses a member mid-reshape, one line naming
# md.reshape_position, before any byte is written on any member.
"$LLBITMAP" dump --save saved.llbmp r0.orig >/dev/null
sums=$(for i in 0 1 2 3; do sha r$i.img; done)
refused() {
  run "$@"
  expect_rc 1; expect_one_err_line; expect_err "md.reshape_position=196608: the array is mid-reshape"
  [ "$(for i in 0 1 2 3; do sha r$i.img; done)" = "$sums" ] || fail "$*: a refused command wrote"
}
refused "$LLBITMAP" create r0.img r1.img r2.img r3.img
refused "$LLBITMAP" convert --to classic r0.img r1.img r2.img r3.img
refused "$LLBITMAP" edit --set-state 0:clean r0.img r1.img r2.img r3.img
refused "$LLBITMAP" edit --events 99 r0.img r1.img r2.img r3.img
refused "$LLBITMAP" restore saved.llbmp r0.img
refused "$LLBITMAP" restore --force saved.llbmp r0.img
refused "$LLBITMAP" replay-resync --commit --force r0.img r1.img r2.img r3.img
# The last member alone mid-reshape: refused before the first is written.
for i in 0 1 2; do cp r$i.orig r$i.img; done
sums=$(for i in 0 1 2 3; do sha r$i.img; done)
refused "$LLBITMAP" edit --set-state 0:clean r0.img r1.img r2.img r3.img

# edit --force writes, and says what it risks.
run "$LLBITMAP" edit --force --set-state 0:clean r3.img; expect_rc 0
expect_out "risk (--force): mid-reshape at reshape_position 196608: the kernel remaps the bitmap from there"
expect_out "may be overwritten, or read in the other side's geometry"
[ "$(json_get "$("$LLBITMAP" examine --format json r3.img)" 'j[0]["bitmap"]["dirty"]')" = 19 ] ||
  fail "edit --force did not write"
