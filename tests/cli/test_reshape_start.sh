# llbitmap check: whether Linux 7.3 lets a reshape start now (ONDISK.md 9.2),
# per level, read from the copy the kernel loads: raid10 refused with EBUSY
# while a chunk is NeedSync or Syncing after the assembly's Reload (the
# chunks listed), raid4/5/6 while a resync is pending (md resync_offset),
# raid1 leaves the bitmap alone, a member mid-reshape starts no other; text,
# JSON and export. The verdict is no finding: check's result stays as it was.
source "$TESTLIB"

# raid10, 4 members of 64 MiB (1024 chunks): Reload makes the Dirty chunks
# NeedSync and coalesces their 512-byte block, chunks 0-511.
"$LLBITMAP" create --level 10 --raid-disks 4 --size 64M --assume-clean --states 0-9:dirty,700:need_sync a0.img a1.img a2.img a3.img >/dev/null
run "$LLBITMAP" check a0.img a1.img a2.img a3.img
expect_rc 0
expect_out "Reshape Start: refused now with EBUSY (Linux 7.3, raid10)"
expect_out "  Read From         : a0.img"
expect_out "  Refused (EBUSY)   : raid10 asks the bitmap, and chunks 0-511, 700 (513 chunks) are NeedSync or Syncing: let the resync finish first"
expect_out "  mdadm 4.6         : its \"Bitmap must be removed before shape/size/level can be changed\""
expect_out "let the resync finish, then grow"
expect_out "  Rule              : a smaller md chunk (mdadm --grow --chunk) is refused with EOPNOTSUPP"
expect_out "Result       : consistent"
run "$LLBITMAP" check --format json a0.img a1.img a2.img a3.img
[ "$(json_get "$OUT" 'j["reshape_start"]["verdict"]')" = refused ] || fail "json verdict"
[ "$(json_get "$OUT" 'j["reshape_start"]["errno"]')" = EBUSY ] || fail "json errno"
[ "$(json_get "$OUT" 'j["reshape_start"]["busy_chunks"]')" = 513 ] || fail "json busy chunks"
[ "$(json_get "$OUT" 'j["reshape_start"]["refusals"][0]["chunks"][1]["first_chunk"]')" = 700 ] || fail "json chunk ranges"
run "$LLBITMAP" check --format export a0.img a1.img a2.img a3.img
expect_out "LLBITMAP_CHECK_RESHAPE_START=refused"
expect_out "LLBITMAP_CHECK_RESHAPE_START_ERRNO=EBUSY"
expect_out "LLBITMAP_CHECK_RESHAPE_START_BUSY_CHUNKS=513"
expect_out "LLBITMAP_CHECK_RESHAPE_START_REFUSALS=bitmap-needs-sync"

# Many ranges are capped, with the count of the rest. Every other chunk of
# the second page NeedSync: the blocks there hold only NeedSync and Clean.
states=$(for c in $(seq 3072 8 3400); do printf '%s:need_sync,' "$c"; done)
"$LLBITMAP" create --level 10 --raid-disks 4 --size 512M --assume-clean --states "${states%,}" c0.img c1.img c2.img c3.img >/dev/null
run "$LLBITMAP" check c0.img c1.img c2.img c3.img
expect_out "3192 and 26 more ranges (42 chunks) are NeedSync or Syncing"

# The same raid10 clean: allowed.
"$LLBITMAP" create --level 10 --raid-disks 4 --size 64M --assume-clean b0.img b1.img b2.img b3.img >/dev/null
run "$LLBITMAP" check b0.img b1.img b2.img b3.img
expect_rc 0
expect_out "Reshape Start: allowed now (Linux 7.3, raid10)"
expect_out "  Why               : raid10 asks the bitmap, and no chunk is NeedSync or Syncing after the assembly's load"
grep -q "mdadm 4.6" <<<"$OUT" && fail "mdadm's message without an EBUSY: $OUT"
run "$LLBITMAP" check --format export b0.img
expect_out "LLBITMAP_CHECK_RESHAPE_START=allowed"
expect_out "LLBITMAP_CHECK_RESHAPE_START_ERRNO="
# A stale bitmap: the assembly runs Stale, the Clean chunks become NeedSync.
"$LLBITMAP" edit --events 0 b0.img b1.img b2.img b3.img >/dev/null 2>&1 || true
for i in 0 1 2 3; do md_set_u64 b$i.img 200 7; done
run "$LLBITMAP" check b0.img b1.img b2.img b3.img
expect_out "Reshape Start: refused now with EBUSY (Linux 7.3, raid10)"
expect_out "  Load              : the bitmap is stale"

# raid10 far layout: EINVAL, whatever the bitmap holds.
"$LLBITMAP" create --level 10 --raid-disks 4 --size 64M --assume-clean f0.img f1.img f2.img f3.img >/dev/null
md_set_s32 f0.img 76 $(( 0x201 ))  # layout f2: far 2, near 1
run "$LLBITMAP" check f0.img
expect_out "Reshape Start: refused now with EINVAL (Linux 7.3, raid10)"
expect_out "raid10's far layout cannot be reshaped"

# raid5: the bitmap is not asked, its Dirty chunks do not refuse; a pending
# resync (resync_offset below the end) does.
"$LLBITMAP" create --level 5 --raid-disks 3 --size 64M --assume-clean --states 0-9:dirty p0.img p1.img p2.img >/dev/null
run "$LLBITMAP" check p0.img p1.img p2.img
expect_out "Reshape Start: allowed now (Linux 7.3, raid5)"
expect_out "  Why               : raid4/5/6 do not ask the bitmap, and no resync is pending"
for i in 0 1 2; do md_set_u64 p$i.img 208 4096; done
run "$LLBITMAP" check p0.img p1.img p2.img
expect_out "Reshape Start: refused now with EBUSY (Linux 7.3, raid5)"
expect_out "  Refused (EBUSY)   : the array's resync is pending (md resync_offset below the end): let the resync finish first"
expect_out "  mdadm 4.6         : its \"Bitmap must be removed"
run "$LLBITMAP" check --format json p0.img p1.img p2.img
[ "$(json_get "$OUT" 'j["reshape_start"]["resync_offset"]')" = 4096 ] || fail "json resync_offset"
[ "$(json_get "$OUT" 'j["reshape_start"]["refusals"][0]["reason"]')" = resync-pending ] || fail "json reason"

# raid1: a raid_disks change leaves the bitmap alone.
"$LLBITMAP" create --level 1 --raid-disks 2 --size 64M --states 0-9:dirty m0.img m1.img >/dev/null
run "$LLBITMAP" check m0.img m1.img
expect_out "Reshape Start: not refused for the bitmap (Linux 7.3, raid1): a raid_disks change leaves the bitmap alone"
run "$LLBITMAP" check --format json m0.img m1.img
[ "$(json_get "$OUT" 'j["reshape_start"]["verdict"]')" = bitmap-untouched ] || fail "json raid1 verdict"

# A classic bitmap: n/a.
"$LLBITMAP" convert --to classic m0.img m1.img >/dev/null
run "$LLBITMAP" check m0.img m1.img
expect_out "Reshape Start: n/a (raid1): no llbitmap on this member"

# A member mid-reshape: md starts no other reshape.
md_reshape b0.img 0 1
run "$LLBITMAP" check b0.img
expect_out "Reshape Start: refused now with EBUSY (Linux 7.3, raid10)"
expect_out "  Why               : a reshape is already in progress: md starts no other until it ends"
run "$LLBITMAP" check --format export b0.img
expect_out "LLBITMAP_CHECK_RESHAPE_START_REFUSALS=reshape-running"
