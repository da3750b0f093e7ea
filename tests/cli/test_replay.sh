# llbitmap replay-resync: plans on members made by create --states, checked
# against ranges worked out by hand (raid1, 4080 chunks of 128 sectors,
# data_offset 2048 sectors), every sync kind, interrupt, degraded, stale,
# --commit and the refusals.
source "$TESTLIB"

jr() { json_get "$("$LLBITMAP" replay-resync --format json "$@")" "$JEXPR"; }
field() { JEXPR=$1; shift; jr "$@"; }

"$LLBITMAP" create --level 1 --raid-disks 2 --size 256M --states 0-99:dirty,500:need_sync a.img b.img >/dev/null
before=$(sha a.img)

# Resync: chunk 0's Reload to NeedSync finds chunk 1 Dirty in its 512-byte
# block and coalesces it (llbitmap_set_page_dirty): all of chunks 0-511 sync.
run "$LLBITMAP" replay-resync a.img b.img
expect_rc 0
expect_out "chunks 0-511: sectors 0-65535, member bytes 1048576-34603007"
expect_out "Total    : 512 chunks, 33554432 bytes"
expect_out "Time     : 32.8 s at 1000 KiB/s"
expect_out "Time     : 0.2 s at 200000 KiB/s"
expect_out "After    : 3568 unwritten, 512 dirty (when the sync ends)"
expect_out "End      : 3568 unwritten, 512 clean (after the daemon)"
[ "$(field 'j["synced_chunks"]' a.img b.img)" = 512 ] || fail "json synced_chunks"
[ "$(field 'j["plan"][0]["member_end_byte"]' a.img b.img)" = 34603008 ] || fail "json member_end_byte"
[ "$(field 'j["sync"]' a.img b.img)" = resync ] || fail "json sync kind"

# --trace: one path per range.
run "$LLBITMAP" replay-resync --trace a.img b.img
expect_out "0-99: dirty -reload-> need_sync -startsync-> syncing -endsync-> dirty -daemon-> clean"
expect_out "100-499: unwritten -reload-> need_sync -startsync-> syncing -endsync-> dirty -daemon-> clean"
expect_out "512-4079: unwritten"

# Interrupted at sector 6400 (chunk 50): 0-49 synced, the rest of the block
# stays NeedSync after Abortsync and Endsync.
run "$LLBITMAP" replay-resync --interrupt-at 6400 a.img b.img
expect_rc 0
expect_out "chunks 0-49: sectors 0-6399"
expect_out "After    : 3568 unwritten, 50 dirty, 462 need_sync"
expect_out "End      : 3568 unwritten, 50 clean, 462 need_sync"

# Degraded: no coalescing, no daemon.
run "$LLBITMAP" replay-resync --degraded a.img b.img
expect_out "chunks 0-99: sectors 0-12799"
expect_out "chunks 500-500: sectors 64000-64127"
expect_out "End      : 3979 unwritten, 101 dirty (after the daemon)"

# Requested check and re-add recovery: the same chunks as the resync here.
[ "$(field 'j["synced_chunks"]' --requested a.img b.img)" = 512 ] || fail "requested"
[ "$(field 'j["synced_chunks"]' --re-add a.img b.img)" = 101 ] || fail "re-add (degraded rules, no coalescing)"

# Clean members: a resync syncs nothing, a stale bitmap or a new disk everything.
"$LLBITMAP" create --level 1 --raid-disks 2 --size 256M --assume-clean c.img d.img >/dev/null
[ "$(field 'j["synced_chunks"]' c.img d.img)" = 0 ] || fail "clean resync"
[ "$(field 'j["synced_chunks"]' --stale c.img d.img)" = 4080 ] || fail "stale"
[ "$(field 'j["synced_chunks"]' --recover c.img d.img)" = 4080 ] || fail "recover"
[ "$(field 'j["synced_chunks"]' --requested c.img d.img)" = 4080 ] || fail "requested on clean"
[ "$(field 'j["stale"]' --stale c.img d.img)" = True ] || fail "stale flag"

# raid5: a lazy recovery by default; NeedSync chunks sync, Dirty ones only via Reload.
"$LLBITMAP" create --level 5 --raid-disks 3 --size 64M --assume-clean --states 7:need_sync r0.img r1.img r2.img >/dev/null
[ "$(field 'j["sync"]' r0.img r1.img r2.img)" = lazy-recovery ] || fail "raid5 sync kind"
[ "$(field 'j["synced_chunks"]' r0.img r1.img r2.img)" = 1 ] || fail "raid5 synced"

# Nothing written without --commit; --commit needs --force.
[ "$(sha a.img)" = "$before" ] || fail "replay without --commit changed a.img"
run "$LLBITMAP" replay-resync --commit a.img b.img
expect_rc 2; expect_one_err_line; expect_err "llbitmap replay-resync:"
[ "$(sha a.img)" = "$before" ] || fail "refused --commit changed a.img"
run "$LLBITMAP" replay-resync --commit --force a.img b.img
expect_rc 0; expect_out "Committed"
for m in a.img b.img; do
  [ "$(json_get "$("$LLBITMAP" examine --format json $m)" 'j[0]["bitmap"]["dirty"]')" = 0 ] || fail "$m not clean after --commit"
done
[ "$(field 'j["synced_chunks"]' a.img b.img)" = 0 ] || fail "a second replay after --commit still syncs"

# Bad input: one line, exit 1 or 2, nothing written.
before=$(sha c.img)
run "$LLBITMAP" replay-resync --interrupt-at 999999999 c.img d.img
expect_rc 2; expect_one_err_line; expect_err "llbitmap replay-resync: c.img: --interrupt-at 999999999: past the end of the sync"
run "$LLBITMAP" replay-resync --level 0 c.img d.img
expect_rc 2; expect_one_err_line; expect_err "llbitmap replay-resync: --level 0"
run "$LLBITMAP" replay-resync --degraded --not-degraded c.img d.img
expect_rc 2; expect_one_err_line
run "$LLBITMAP" replay-resync missing.img
expect_rc 1; expect_one_err_line; expect_err "llbitmap replay-resync:"
run "$LLBITMAP" replay-resync
expect_rc 2; expect_one_err_line
[ "$(sha c.img)" = "$before" ] || fail "bad input changed c.img"

# A stale bitmap (header events 3 < md events 9, patched at area byte 24):
# detected, everything written syncs; --commit writes md's events back.
"$LLBITMAP" create --level 1 --raid-disks 2 --size 64M --events 9 --assume-clean s0.img s1.img >/dev/null
for f in s0.img s1.img; do printf '\x03' | dd of=$f bs=1 seek=$((8192 + 24)) conv=notrunc 2>/dev/null; done
[ "$(field 'j["detected_stale"]' s0.img s1.img)" = True ] || fail "stale not detected"
[ "$(field 'j["synced_chunks"] == j["chunks"]' s0.img s1.img)" = True ] || fail "stale: not everything synced"
run "$LLBITMAP" replay-resync --commit --force s0.img s1.img
expect_rc 0
"$LLBITMAP" examine --format export s1.img | grep -qx "LLBITMAP_EVENTS=9" || fail "--commit did not write md's events"
[ "$(field 'j["detected_stale"]' s0.img s1.img)" = False ] || fail "still stale after --commit"

# FIRST_USE (mdadm's own bitmap before the kernel saw it): said plainly, exit 0.
"$LLBITMAP" create --level 1 --raid-disks 2 --size 64M --first-use fa.img fb.img >/dev/null
run "$LLBITMAP" replay-resync fa.img fb.img
expect_rc 0; expect_out "FIRST_USE: the kernel initialises"
# A classic bitmap: nothing to replay, exit 1 with one line.
"$LLBITMAP" create --level 1 --raid-disks 2 --size 64M --classic ca.img cb.img >/dev/null
run "$LLBITMAP" replay-resync ca.img cb.img
expect_rc 1; expect_one_err_line; expect_err "bitmap.version=4"

# Loop devices: the same plan as on the files.
la=$(loop_attach c.img); lb=$(loop_attach d.img)
[ "$(field 'j["synced_chunks"]' --stale "$la" "$lb")" = 4080 ] || fail "loop devices"
echo "replay ok"
