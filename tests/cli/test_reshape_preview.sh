# llbitmap replay-resync --reshape: Linux 7.3's reshape previewed on members
# made by create --states (64 MiB members, 512K md chunk, 128-sector bitmap
# chunks), counts worked out by hand from ONDISK 9.3-9.5; the refusals of 9.2;
# bad keys and values (exit 2, one line); a preview never writes.
source "$TESTLIB"

reshape() { JEXPR=$1; shift; json_get "$("$LLBITMAP" replay-resync --format json "$@")" "$JEXPR"; }

# raid5 3 -> 4: 1008 chunks of device offsets on both sides (member size 129024).
# Reload makes chunks 0-9 and 100 NeedSync and coalesces their 512-byte block:
# NeedSync 0-511. New chunk j covers array [384j, 384j+384), old device
# [192j, 192j+192): old chunks floor(1.5j) to ceil(1.5j+1.5)-1, so new 0-341
# are NeedSync (341 still reads old 511); new chunks from 672 on lie past the old
# array (2 x 129024 sectors) and are Unwritten: 336; Clean 1008-342-336 = 330.
"$LLBITMAP" create --level 5 --raid-disks 3 --size 64M --assume-clean --states 0-9:dirty,100:need_sync r0.img r1.img r2.img >/dev/null
before=$(sha r0.img)
run "$LLBITMAP" replay-resync --reshape raid-disks=4 r0.img r1.img r2.img
expect_rc 0
expect_no_err
expect_out "Kernel   : Linux 7.3"
expect_out "Reshape  : raid5 3 disks, chunk 512.0 KiB, layout 0x2 -> 4 disks, chunk 512.0 KiB, layout 0x2"
expect_out "  Header : chunksize 128 -> 128 sectors, sync_size 129024 -> 129024 sectors, chunks 1008 -> 1008"
expect_out "  Start  : accepted"
expect_out "  Load   : reload -> 496 clean, 512 need_sync"
expect_out "  After  : 336 unwritten, 330 clean, 342 need_sync (the 1008 new chunks)"
expect_out "  Then   : a resync from sector 0: syncs 342 NeedSync chunks (0-341), skips 336 Unwritten"
[ "$(reshape 'j["reshape"]["counts"]["after"]["need_sync"]' --reshape raid-disks=4 r0.img r1.img r2.img)" = 342 ] || fail "json need_sync after"
[ "$(reshape 'j["reshape"]["refused"]' --reshape raid-disks=4 r0.img r1.img r2.img)" = False ] || fail "json refused"
# Every new chunk in the JSON runs, as dump gives a member's: NeedSync 0-341 first.
[ "$(reshape 'sum(r["count"] for r in j["reshape"]["runs"])' --reshape raid-disks=4 r0.img r1.img r2.img)" = 1008 ] ||
  fail "json runs do not cover the new chunks"
[ "$(reshape '(j["reshape"]["runs"][0]["first"], j["reshape"]["runs"][0]["last"], j["reshape"]["runs"][0]["state"])' \
  --reshape raid-disks=4 r0.img r1.img r2.img)" = "(0, 341, 'need_sync')" ] || fail "json first run"
[ "$(reshape 'j["reshape"]["new"]["layout"]' --reshape raid-disks=4,layout=left-asymmetric r0.img r1.img r2.img)" = 0 ] || fail "layout name"
[ "$(sha r0.img)" = "$before" ] || fail "a preview wrote"

# A smaller md chunk: EOPNOTSUPP (the remap is still shown).
run "$LLBITMAP" replay-resync --reshape raid-disks=3,chunk=256K r0.img r1.img r2.img
expect_rc 0
expect_out "  Start  : refused with EOPNOTSUPP: a smaller md chunk"
[ "$(reshape 'j["reshape"]["refusals"][0]["reason"]' --reshape raid-disks=3,chunk=256K r0.img r1.img r2.img)" = smaller-chunk ] ||
  fail "json smaller-chunk"

# raid10 near=2 4 -> 6: the bitmap counts array sectors (identity map): 2016
# chunks (2 x 129024 / 128) become 3024; Unwritten 0-99 stay, the 1008 new
# ones past the old array's end are Unwritten; the resync that follows starts
# at the old end (258048) and skips them.
"$LLBITMAP" create --level 10 --raid-disks 4 --size 64M --assume-clean --states 0-99:unwritten t0.img t1.img t2.img t3.img >/dev/null
run "$LLBITMAP" replay-resync --reshape raid-disks=6 t0.img t1.img t2.img t3.img
expect_rc 0
expect_out "  Header : chunksize 128 -> 128 sectors, sync_size 258048 -> 387072 sectors, chunks 2016 -> 3024"
expect_out "  Start  : accepted"
expect_out "  After  : 1108 unwritten, 1916 clean (the 3024 new chunks)"
expect_out "  Then   : a resync from sector 0: syncs 0 NeedSync chunks, skips 1108 Unwritten"
# raid10's far layout cannot reshape: EINVAL.
run "$LLBITMAP" replay-resync --reshape raid-disks=6,layout=f2 t0.img t1.img t2.img t3.img
expect_out "  Start  : refused with EINVAL"

# raid10 with NeedSync: EBUSY, the chunks listed. Reload makes 900-902 NeedSync
# and coalesces their block up to 1023 (chunk 700 stays alone: NeedSync already).
"$LLBITMAP" create --level 10 --raid-disks 4 --size 64M --assume-clean --states 700:need_sync,900-902:dirty n0.img n1.img n2.img n3.img >/dev/null
run "$LLBITMAP" replay-resync --reshape raid-disks=6 n0.img n1.img n2.img n3.img
expect_rc 0
expect_out "  Start  : refused with EBUSY: raid10 asks the bitmap, and chunks 700, 900-1023 (125 chunks) are NeedSync or Syncing: let the resync finish"
expect_out "Bitmap must be removed before shape/size/level can be changed"
[ "$(reshape 'j["reshape"]["refusals"][0]["errno"]' --reshape raid-disks=6 n0.img n1.img n2.img n3.img)" = EBUSY ] || fail "json EBUSY"
[ "$(reshape 'j["reshape"]["refusals"][0]["chunks"][1]["last_chunk"]' --reshape raid-disks=6 n0.img n1.img n2.img n3.img)" = 1023 ] ||
  fail "json EBUSY chunks"

# raid1: a raid_disks change leaves the bytes alone.
"$LLBITMAP" create --level 1 --raid-disks 2 --size 64M --assume-clean m0.img m1.img >/dev/null
run "$LLBITMAP" replay-resync --reshape raid-disks=3 m0.img m1.img
expect_rc 0
expect_out "Reshape  : raid1 2 disks -> 3 disks"
expect_out "  Remap  : none"

# Bad keys and values: exit 2, one line naming the key.
bad() {
  run "$LLBITMAP" replay-resync --reshape "$1" r0.img r1.img r2.img
  expect_rc 2
  expect_one_err_line
  expect_err "$2"
}
bad raid-disks=x "--reshape raid-disks x"
bad raid-disks=4,foo=1 "unknown key foo"
bad chunk=1M "raid-disks=N is required"
bad raid-disks=4,chunk=3K "--reshape chunk=3K"
bad raid-disks=4,chunk=512 "--reshape chunk 512: give a unit"
bad raid-disks=4,layout=zz "--reshape layout=zz"
bad raid-disks=4,level=7 "--reshape level 7"
bad raid-disks=4,level=10 "a level change (takeover) is not previewed"
bad raid-disks=3 "nothing to reshape"
bad raid-disks=1 "--reshape raid-disks 1: fewer members than raid5 needs"
bad raid-disks=4,raid-disks=5 "raid-disks given twice"
bad raid-disks=4, "is not KEY=VALUE"

# The pictures of the bitmap after the reshape; without --reshape a usage error.
run "$LLBITMAP" replay-resync --reshape raid-disks=4 --svg after.svg --png after.png r0.img r1.img r2.img
expect_rc 0
grep -q "<svg" after.svg || fail "no SVG written"
[ "$(head -c 4 after.png | od -An -c | tr -d ' ')" = '211PNG' ] || fail "no PNG written"
grep -q "need_sync\|NeedSync\|need sync" after.svg || fail "the SVG shows no NeedSync chunk"
run "$LLBITMAP" replay-resync --svg x.svg r0.img r1.img r2.img
expect_rc 2
expect_err "they go with --reshape"
[ ! -e x.svg ] || fail "--svg without --reshape wrote"

# --checkpoints: the remap at the kernel's checkpoints. One mark over the whole
# grow (array 0..387072) slices the old device [0, 129024) over the new one
# [0, 129024): new chunk i takes old chunk i, so NeedSync stays 0-511.
run "$LLBITMAP" replay-resync --reshape raid-disks=4 --checkpoints 387072 r0.img r1.img r2.img
expect_rc 0
expect_out "  Remap  : 1 checkpoint where the kernel took them (--checkpoints)"
expect_out "  After  : 496 clean, 512 need_sync (the 1008 new chunks)"
printf '6144\n12288, 258048\n' >cps.txt
[ "$(reshape 'j["reshape"]["checkpoints"]' --reshape raid-disks=4 --checkpoints @cps.txt r0.img r1.img r2.img)" = 4 ] ||
  fail "checkpoints from a file"
[ "$(reshape 'j["reshape"]["kernel_checkpoints"]' --reshape raid-disks=4 --checkpoints @cps.txt r0.img r1.img r2.img)" = True ] ||
  fail "json kernel_checkpoints"
for bad in "--checkpoints 100 --size max" "--checkpoints 6144"; do
  run "$LLBITMAP" replay-resync $bad r0.img r1.img r2.img
  expect_rc 2
  expect_one_err_line
done
expect_err "give --reshape too"
for bad in "12288,6144" "x1" "@missing.txt" "387073"; do
  run "$LLBITMAP" replay-resync --reshape raid-disks=4 --checkpoints "$bad" r0.img r1.img r2.img
  [ "$RC" != 0 ] || fail "--checkpoints $bad accepted"
  expect_one_err_line
done
run "$LLBITMAP" replay-resync --reshape raid-disks=4 --checkpoints 12288,6144 r0.img r1.img r2.img
expect_err "checkpoints[1]=6144"

# A preview never writes; before 7.3 md does not remap.
run "$LLBITMAP" replay-resync --reshape raid-disks=4 --commit --force r0.img r1.img r2.img
expect_rc 2
expect_err "never writes"
run "$LLBITMAP" replay-resync --reshape raid-disks=4 --kernel 7.2 r0.img r1.img r2.img
expect_rc 2
expect_one_err_line
expect_err "Linux 7.2 does not remap an llbitmap"
run "$LLBITMAP" replay-resync --reshape raid-disks=4 --kernel 7.3 r0.img r1.img r2.img
expect_rc 0
[ "$(sha r0.img)" = "$before" ] || fail "a refused preview wrote"
echo OK
