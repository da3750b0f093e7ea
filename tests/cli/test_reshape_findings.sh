# The findings on a member mid-reshape (ONDISK.md 9.4-9.6), shown by examine
# and check with their ids and severities: a 7.2 kernel misreads it; new-side
# chunks reading Clean or Unwritten may still hold pre-reshape bytes (the
# ranges); a header that already has the new sync_size (a crash inside the
# finish); max(old, new) chunk bytes past the reserved room.
source "$TESTLIB"

# raid5 3 -> 4 (1008 chunks), R = 196608: new side 0-511, leftovers 512-767.
"$LLBITMAP" create --level 5 --raid-disks 4 --size 64M --assume-clean --states 0-9:dirty,100:need_sync,600:dirty r0.img r1.img r2.img r3.img >/dev/null
for i in 0 1 2 3; do md_reshape r$i.img 196608 1; done
run "$LLBITMAP" examine r0.img
expect_rc 0  # warnings: examine fails on errors only
expect_out "warning: md.feature_map=reshape_active: an llbitmap mid-reshape: Linux 7.2 and 6.18 have no remap"
expect_out "warning: bitmap.states=10-99, 101-511: 501 new-side chunks read Clean or Unwritten"
grep -q "bitmap.sync_size=\|bitmap.sectors_reserved=" <<<"$OUT" && fail "findings that do not apply: $OUT"
run "$LLBITMAP" examine --format json r0.img
[ "$(json_get "$OUT" '[f["severity"] for f in j[0]["findings"] if f["field"] == "bitmap.states"]')" = "['warning']" ] ||
  fail "examine json finding"
run "$LLBITMAP" check r0.img r1.img r2.img r3.img
expect_rc 1
expect_out "warning r0.img: bitmap.states=10-99, 101-511: 501 new-side chunks"
expect_out "warning r3.img: md.feature_map=reshape_active"
run "$LLBITMAP" check --format json r0.img r1.img r2.img
[ "$(json_get "$OUT" 'sorted({(f["id"], f["severity"]) for f in j["findings"] if f["id"].startswith("reshape-")})')" = \
  "[('reshape-merge-maybe-not-on-disk', 'warning'), ('reshape-misread-before-7-3', 'warning')]" ] || fail "check json ids and severities"

# Not mid-reshape, or raid1 mid-reshape (no remap): none of them.
"$LLBITMAP" create --level 5 --raid-disks 3 --size 64M --assume-clean --states 0-9:dirty p0.img p1.img p2.img >/dev/null
run "$LLBITMAP" examine p0.img; expect_rc 0
grep -q "reshape_active\|new-side" <<<"$OUT" && fail "reshape findings on a member not mid-reshape: $OUT"
"$LLBITMAP" create --level 1 --raid-disks 2 --size 64M --assume-clean m0.img m1.img >/dev/null
md_reshape m0.img 0 1
run "$LLBITMAP" examine m0.img; expect_rc 0
grep -q "reshape_active\|new-side" <<<"$OUT" && fail "reshape findings on raid1: $OUT"

# raid10 near 2, 4 -> 6: the header (made for 6 members) already has the new
# sync_size, the old one by half again: the finish wrote it and the md
# superblock did not follow.
"$LLBITMAP" create --level 10 --raid-disks 6 --size 64M --assume-clean t0.img t1.img t2.img t3.img t4.img t5.img >/dev/null
new=$(json_get "$("$LLBITMAP" examine --format json t0.img)" 'j[0]["bitmap"]["sync_size_sectors"]')
for i in 0 1 2 3 4 5; do md_reshape t$i.img 65536 2; done
run "$LLBITMAP" examine t0.img
expect_out "warning: bitmap.sync_size=$new: the new geometry's sync_size (chunk 128 sectors), not the old one's $(( new / 3 * 2 ))"
grep -q "new-side chunk" <<<"$OUT" && fail "unwritten merges reported on sides the header does not describe: $OUT"
run "$LLBITMAP" check --format json t0.img t1.img t2.img t3.img t4.img t5.img
json_get "$OUT" '[f["id"] for f in j["findings"]]' | grep -q "reshape-header-already-new" || fail "check json header id"

# raid10 4 -> 8 with 8 reserved sectors: the 2016 -> 4032 chunks pass the
# kernel's test (4096 chunks) but 1024 + 4032 bytes do not fit 4096.
"$LLBITMAP" create --level 10 --raid-disks 8 --size 64M --assume-clean s0.img s1.img s2.img s3.img s4.img s5.img s6.img s7.img >/dev/null
new=$(json_get "$("$LLBITMAP" examine --format json s0.img)" 'j[0]["bitmap"]["sync_size_sectors"]')
"$LLBITMAP" edit --force --sync-size $(( new / 2 )) --set sectors_reserved=8 s0.img s1.img s2.img s3.img s4.img s5.img s6.img s7.img >/dev/null 2>&1
md_reshape s0.img 0 4
run "$LLBITMAP" examine s0.img
expect_rc 1
expect_out "error: bitmap.sectors_reserved=8: during the reshape the kernel holds max(2016, 4032) = 4032 chunk bytes, which end at byte 5056 of the area, past the reserved room of 4096 bytes"
