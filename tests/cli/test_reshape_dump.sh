# llbitmap dump on a member mid-reshape (ONDISK.md 9.6) marks the sides: the
# ranges in a "#" header and on each run, JSON "reshape" and a side per run,
# the side of each --map row, a bar per cell in the pictures; a member not
# mid-reshape dumps as before.
source "$TESTLIB"

# raid5 3 -> 4 (1008 chunks), R = 196608: new 0-511, leftovers 512-767, old 768-1007.
"$LLBITMAP" create --level 5 --raid-disks 4 --size 64M --assume-clean --states 0-9:dirty,600:dirty,900:dirty r0.img r1.img r2.img r3.img >/dev/null
run "$LLBITMAP" dump r0.img
expect_rc 0
grep -q "^#\|side" <<<"$OUT" && fail "side marks on a member not mid-reshape: $OUT"
before=$OUT
md_reshape r0.img 196608 1
run "$LLBITMAP" dump r0.img
expect_rc 0
[ "$(head -1 <<<"$OUT")" = "# mid-reshape at reshape_position 196608 (forwards): new side 0-511 (512 chunks), leftovers 512-767 (256 chunks, ignored by the kernel), old side 768-1007 (240 chunks)" ] ||
  fail "dump header: $OUT"
expect_out "0-9 dirty (new side)"
expect_out "10-511 clean (new side)"
expect_out "512-599 clean (leftover, ignored by the kernel)"
expect_out "600 dirty (leftover, ignored by the kernel)"
expect_out "768-899 clean (old side)"
expect_out "900 dirty (old side)"
# The same bytes as before the mark, runs split at the sides' ends.
[ "$(tail -n +2 <<<"$OUT" | sed 's/ (.*//' | awk '{print $2}' | uniq | tr '\n' ' ')" = "$(awk '{print $2}' <<<"$before" | tr '\n' ' ')" ] ||
  fail "the states differ from the member's: $OUT"
run "$LLBITMAP" dump --chunks 500-520 r0.img
expect_out "500-511 clean (new side)"; expect_out "512-520 clean (leftover, ignored by the kernel)"
run "$LLBITMAP" dump --format json r0.img
[ "$(json_get "$OUT" 'j["reshape"]["position_sectors"]')" = 196608 ] || fail "json position"
[ "$(json_get "$OUT" '[(s["side"], s["first"], s["end"]) for s in j["reshape"]["sides"]]')" = \
  "[('new', 0, 512), ('leftover', 512, 768), ('old', 768, 1008)]" ] || fail "json sides"
[ "$(json_get "$OUT" '[r["side"] for r in j["runs"] if r["first"] == 900]')" = "['old']" ] || fail "json run side"
run "$LLBITMAP" dump --map --rows 8 r0.img
expect_out "mid-reshape at reshape_position 196608: new side 0-511"
[ "$(grep -c '  new$' <<<"$OUT")" = 4 ] || fail "map rows of the new side: $OUT"
[ "$(grep -c '  leftover$' <<<"$OUT")" = 2 ] || fail "map rows of the leftovers: $OUT"
[ "$(grep -c '  old$' <<<"$OUT")" = 2 ] || fail "map rows of the old side: $OUT"
run "$LLBITMAP" dump --map --rows 4 --width 100 r0.img
expect_out "  new|leftover"
run "$LLBITMAP" dump --svg d.svg r0.img
expect_rc 0
grep -q "mid-reshape at reshape_position 196608" d.svg || fail "svg key"
grep -q "bar: new side" d.svg || fail "svg bar key"
