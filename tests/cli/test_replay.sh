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

# Degraded, md's superblock clean: the bitmap asks for no sync while the
# array is degraded (llbitmap_state_machine), so nothing is synced and the
# reloaded states stay (no coalescing, no daemon).
run "$LLBITMAP" replay-resync --degraded a.img b.img
expect_rc 0
expect_out "Plan     : 0 ranges"
expect_out "Total    : 0 chunks, 0 bytes"
expect_out "End      : 3979 unwritten, 101 need_sync (after the daemon)"
expect_out "2 of 2 roles working, treated as degraded"
expect_out "Note     : raid1 with one mirror left: md does not resync it"
[ "$(field 'j["synced_bytes"]' --degraded a.img b.img)" = 0 ] || fail "degraded json synced_bytes"
[ "$(field 'j["sync_wanted"]' --degraded a.img b.img)" = False ] || fail "degraded json sync_wanted"
[ "$(field 'j["counts"]["end"]["need_sync"]' --degraded a.img b.img)" = 101 ] || fail "degraded json end"

# Degraded after an unclean shutdown (md resync_offset 0): md resyncs, but
# what it can sync depends on the copies left (raid1/raid5/raid10_sync_request).
# raid1 with one of two mirrors: raid1_run forgets the unclean shutdown, no
# sync at all; the reloaded states stay.
"$LLBITMAP" create --level 1 --raid-disks 2 --degraded --size 256M --states 0-99:dirty,500:need_sync u1.img >/dev/null
md_set_u64 u1.img 208 0
run "$LLBITMAP" replay-resync u1.img
expect_rc 0
expect_out "1 of 2 roles working, degraded"
expect_out "Total    : 0 chunks, 0 bytes"
expect_out "End      : 3979 unwritten, 101 need_sync (after the daemon)"
expect_out "raid1 with one mirror left: md does not resync it"
[ "$(field 'j["single_mirror"]' u1.img)" = True ] || fail "raid1 1 of 2: single_mirror"
[ "$(field 'j["started_chunks"]' u1.img)" = 0 ] || fail "raid1 1 of 2: started_chunks"
# A check asked for starts one chunk and finds no mirror to write.
[ "$(field 'j["degraded_resync"]' --requested u1.img)" = no-write-target ] || fail "raid1 1 of 2 check: degraded_resync"
[ "$(field 'j["synced_bytes"]' --requested u1.img)" = 0 ] || fail "raid1 1 of 2 check: synced_bytes"
# raid1 with two of three mirrors: the degraded rules (no coalescing, no daemon).
"$LLBITMAP" create --level 1 --raid-disks 3 --degraded --size 256M --states 0-99:dirty,500:need_sync u3a.img u3b.img >/dev/null
run "$LLBITMAP" replay-resync u3a.img u3b.img   # shut down cleanly: nothing asks for a sync
expect_out "Note     : degraded: the bitmap asks for no sync while the array is degraded"
expect_out "Total    : 0 chunks, 0 bytes"
md_set_u64 u3a.img 208 0; md_set_u64 u3b.img 208 0
run "$LLBITMAP" replay-resync u3a.img u3b.img
expect_out "chunks 0-99: sectors 0-12799"
expect_out "chunks 500-500: sectors 64000-64127"
expect_out "End      : 3979 unwritten, 101 dirty (after the daemon)"
[ "$(field 'j["degraded_resync"]' u3a.img u3b.img)" = degraded-rules ] || fail "raid1 2 of 3: degraded_resync"
# raid5 with a member missing: a dirty degraded array does not start
# (raid5_run); clean, md's resync would give up before the bitmap anyway.
"$LLBITMAP" create --level 5 --raid-disks 3 --degraded --size 64M --assume-clean --states 0-9:dirty u5a.img u5b.img >/dev/null
md_set_u64 u5a.img 208 0; md_set_u64 u5b.img 208 0
run "$LLBITMAP" replay-resync u5a.img u5b.img
expect_out "Total    : 0 chunks, 0 bytes"
expect_out "unclean and degraded: the kernel does not start a dirty degraded raid5"
[ "$(field 'j["dirty_degraded"]' u5a.img u5b.img)" = True ] || fail "raid5 dirty degraded"
[ "$(field 'j["counts"]["end"]["need_sync"]' u5a.img u5b.img)" = 10 ] || fail "raid5 degraded: the reloaded states stay"
# raid6 missing two (clean) and a check asked for: md gives up before the bitmap.
"$LLBITMAP" create --level 6 --raid-disks 4 --missing 2 --missing 3 --size 64M --assume-clean --states 0-9:dirty u6a.img u6b.img >/dev/null
[ "$(field 'j["degraded_resync"]' --requested u6a.img u6b.img)" = not-started ] || fail "raid6 missing 2: not started"
[ "$(field 'j["synced_bytes"]' --requested u6a.img u6b.img)" = 0 ] || fail "raid6 missing 2: nothing synced"
# raid10 near=2 on 4 members missing role 3, unclean: md chunk c lives on
# members 2c%4 and 2c%4+1, so the odd md chunks (512 KiB, bitmap chunks 8-15,
# 24-31, ...) have one copy left and are skipped; every chunk is started
# (degraded: Clean ones too, llbitmap_skip_sync_blocks skips none of them).
"$LLBITMAP" create --level 10 --raid-disks 4 --degraded --size 64M --assume-clean --states 0-15:dirty t0.img t1.img t2.img >/dev/null
for i in 0 1 2; do md_set_u64 t$i.img 208 0; done
[ "$(field 'j["degraded_resync"]' t0.img t1.img t2.img)" = two-copies-only ] || fail "raid10: degraded_resync"
[ "$(field 'j["synced_chunks"]' t0.img t1.img t2.img)" = 8 ] || fail "raid10: only md chunk 0 synced"
[ "$(field 'j["started_chunks"]' t0.img t1.img t2.img)" = 2016 ] || fail "raid10: every chunk started (degraded: Clean ones too)"
[ "$(field 'j["counts"]["end"]["dirty"]' t0.img t1.img t2.img)" = 16 ] || fail "raid10: all 16 Dirty after Endsync"

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

# --kernel: the first chunk to sync is past chunk 0, so llbitmap_cond_end_sync
# flushes at once (issue 17's crash): no block is pending at the end, exactly
# the 514 synced chunks are Dirty, then Clean. 6.18 and 7.2 end the chunk being
# synced at that flush (raid1 does not copy chunk 1536); 7.3 does not.
"$LLBITMAP" create --level 1 --raid-disks 2 --size 256M --states 1536-2047:dirty,3200:dirty,4079:dirty k1.img k2.img >/dev/null
for k in 6.18 7.2; do
  run "$LLBITMAP" replay-resync --kernel "$k" k1.img k2.img
  expect_rc 0; expect_no_err
  expect_out "Kernel   : Linux $k"
  expect_out "Uncopied : 1 chunk (1536) marked in sync but not fully copied"
  expect_out "Total    : 514 chunks"
  expect_out "After    : 3566 unwritten, 514 dirty (when the sync ends)"
  expect_out "End      : 3566 unwritten, 514 clean (after the daemon)"
done
run "$LLBITMAP" replay-resync --kernel 7.3 k1.img k2.img
expect_rc 0
expect_out "Kernel   : Linux 7.3"
expect_out "Total    : 514 chunks"
expect_out "After    : 3566 unwritten, 514 dirty (when the sync ends)"
grep -q "^Uncopied" <<<"$OUT" && fail "7.3 leaves no chunk uncopied: $OUT"
[ "$(field 'j["kernel"]' --kernel 7.3 k1.img k2.img)" = 7.3 ] || fail "json kernel"
[ "$(field 'j["uncopied_chunks"]' --kernel 7.2 k1.img k2.img)" = "[1536]" ] || fail "json uncopied_chunks"
[ "$(field 'j["uncopied_chunks"]' --kernel 7.3 k1.img k2.img)" = "[]" ] || fail "json uncopied_chunks on 7.3"
# The default: the running kernel's series when modelled, else 7.2.
running=$(uname -r)
case $running in 6.18|6.18[.-]*) want=6.18 ;; 7.2|7.2[.-]*) want=7.2 ;; 7.3|7.3[.-]*) want=7.3 ;; *) want=7.2 ;; esac
[ "$(field 'j["kernel"]' k1.img k2.img)" = "$want" ] || fail "default kernel for $running is not $want"
for bad in 7.4 7 "" 7.2.13 latest; do
  run "$LLBITMAP" replay-resync --kernel "$bad" k1.img k2.img
  expect_rc 2; expect_one_err_line
done
run "$LLBITMAP" replay-resync --kernel 7.4 k1.img k2.img
expect_err "--kernel '7.4': not a modelled kernel (6.18, 7.2 or 7.3)"

# Loop devices: the same plan as on the files.
la=$(loop_attach c.img); lb=$(loop_attach d.img)
[ "$(field 'j["synced_chunks"]' --stale "$la" "$lb")" = 4080 ] || fail "loop devices"
echo "replay ok"
