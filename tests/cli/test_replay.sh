# llbitmap replay-resync: the plan, the totals, the trace and the JSON on
# generated members; stale, degraded, requested, recovery and interrupted
# syncs; --commit writes the settled states only with --force; wrong input.
source "$TESTLIB"
mk() {  # STATES FILES... : a clean raid1 with the given states
  local states=$1; shift
  rm -f "$@"
  "$LLBITMAP" create --level 1 --raid-disks 2 --size 256M --assume-clean --states "$states" "$@" >/dev/null
}
rj() { json_get "$OUT" "$1"; }

# Resync after a crash: Dirty chunks are reloaded as NeedSync and synced.
mk 0:dirty,512-1023:dirty,3500:dirty a.img b.img
run "$LLBITMAP" replay-resync a.img b.img; expect_rc 0; expect_no_err
expect_out "Plan       : 3 range(s), 514 chunks, 33685504 bytes (12.6% of a full resync)"
expect_out "chunks 512-1023      sectors 65536-131071  member bytes 34603008-68157439"
expect_out "Time       : 32.9 s at 1000 KiB/s"
expect_out "Time       : 0.2 s at 200000 KiB/s"
run "$LLBITMAP" replay-resync --format json a.img b.img; expect_rc 0; expect_no_err
[ "$(rj 'j["synced_chunks"]')" = 514 ] || fail "synced_chunks: $OUT"
[ "$(rj 'j["assembly_action"]')" = reload ] || fail "assembly action"
# Endsync coalesces the block of chunk 3500 (page 1 is still waiting to be
# written back), not the one of chunk 0 (page 0 was written with the superblock).
[ "$(rj 'j["states"]["ended"]["dirty"]')" = 1025 ] || fail "ended dirty: $(rj 'j["states"]["ended"]')"
[ "$(rj 'j["states"]["settled"]["clean"]')" = 4080 ] || fail "settled"
run "$LLBITMAP" replay-resync --trace a.img b.img; expect_rc 0
expect_out "chunks 0             dirty -reload-> need_sync -startsync-> syncing -endsync-> dirty -daemon-> clean"
expect_out "chunks 3072-3499     clean -endsync-> dirty -daemon-> clean"
run "$LLBITMAP" replay-resync --speed 64 a.img b.img; expect_out "Time       : 8.6 min at 64 KiB/s (--speed)"

# Interrupted: chunks from the stop point are not synced and stay NeedSync.
run "$LLBITMAP" replay-resync --format json --interrupt-at 100000 a.img b.img; expect_rc 0
[ "$(rj 'j["synced_chunks"]')" = 270 ] || fail "interrupted at chunk 781: $(rj 'j["synced_chunks"]')"
[ "$(rj 'j["states"]["ended"]["need_sync"]')" = 244 ] || fail "interrupted need_sync: $(rj 'j["states"]["ended"]')"
run "$LLBITMAP" replay-resync --interrupt-at 1T a.img b.img; expect_rc 1; expect_one_err_line
expect_err "llbitmap replay-resync: a.img: interrupt-at=2147483648: past the end of the sync"

# Nothing to do on a clean array; a requested check syncs every written chunk.
mk 0-99:clean c.img d.img
run "$LLBITMAP" replay-resync c.img d.img; expect_rc 0; expect_out "Sync       : none: no chunk needs a sync"
run "$LLBITMAP" replay-resync --format json --requested c.img d.img
[ "$(rj 'j["synced_chunks"]')" = 4080 ] || fail "requested: $(rj 'j["synced_chunks"]')"

# Stale: bitmap events behind the array: every written chunk is resynced.
run "$LLBITMAP" replay-resync --format json --stale c.img d.img
[ "$(rj 'j["assembly_action"]')" = stale ] || fail "stale action"
[ "$(rj 'j["synced_chunks"]')" = 4080 ] || fail "stale: $(rj 'j["synced_chunks"]')"

# Degraded: no resync; a recovery syncs Dirty and NeedSync chunks, not Clean.
rm -f e.img; "$LLBITMAP" create --level 1 --raid-disks 2 --size 256M --assume-clean --degraded --states 5:dirty,9:need_sync e.img >/dev/null
run "$LLBITMAP" replay-resync e.img; expect_rc 0; expect_out "Array      : raid1, degraded"
expect_out "Sync       : none: the array is degraded"
run "$LLBITMAP" replay-resync --format json --recover e.img
[ "$(rj 'j["synced_chunks"]')" = 2 ] || fail "recover: $(rj 'j["synced_chunks"]')"
run "$LLBITMAP" replay-resync --format json --new-disk e.img
[ "$(rj 'j["synced_chunks"]')" = 4080 ] || fail "new disk: $(rj 'j["synced_chunks"]')"

# raid5: an Unwritten array's first writes give NeedSync; a lazy recovery.
rm -f f?.img; "$LLBITMAP" create --level 5 --raid-disks 3 --size 128M --states 7:need_sync f0.img f1.img f2.img >/dev/null
run "$LLBITMAP" replay-resync --format json f0.img f1.img f2.img
[ "$(rj 'j["lazy_recovery"]')" = True ] || fail "raid5 lazy recovery"
[ "$(rj 'j["synced_chunks"]')" = 1 ] || fail "raid5: $(rj 'j["synced_chunks"]')"

# --commit: refused without --force (nothing written), then written.
before=$(sha a.img)
run "$LLBITMAP" replay-resync --commit a.img b.img; expect_rc 1
expect_err "add --force"; [ "$(sha a.img)" = "$before" ] || fail "--commit without --force wrote"
run "$LLBITMAP" replay-resync --commit --dry-run a.img b.img; expect_rc 0
[ "$(sha a.img)" = "$before" ] || fail "--dry-run wrote"
run "$LLBITMAP" replay-resync --commit --force a.img b.img; expect_rc 0
run "$LLBITMAP" examine --format export a.img b.img
expect_out "LLBITMAP_STATE_CLEAN=4080"
[ "$("$LLBITMAP" dump a.img)" = "0-4079 clean" ] || fail "after --commit: $("$LLBITMAP" dump a.img)"

# Fault injection: stopped at every write or flush, each member is the old
# bitmap, the committed one, or marked STALE.
mk 0:dirty,3500:dirty g.img h.img
k=1
while :; do
  cp g.img g0.img; cp h.img h0.img
  run env LLBITMAP_FAULT_AT=$k "$LLBITMAP" replay-resync --commit --force g0.img h0.img
  for m in g0.img h0.img; do
    export_out=$("$LLBITMAP" examine --format export $m 2>/dev/null || true)
    flags=$(sed -n 's/^LLBITMAP_STATE_FLAGS=//p' <<<"$export_out")
    dirty=$(sed -n 's/^LLBITMAP_DIRTY=//p' <<<"$export_out")
    case "$flags:$dirty" in
      stale*) ;; ":2") ;; ":0") ;;
      *) fail "fault at $k: $m has flags '$flags' and $dirty dirty" ;;
    esac
  done
  [ "$RC" = 0 ] && break
  k=$((k + 1)); [ $k -lt 50 ] || fail "the commit never completed"
done
echo "fault injection: $k steps"

# Wrong input.
run "$LLBITMAP" replay-resync; expect_rc 2
run "$LLBITMAP" replay-resync --degraded --not-degraded a.img; expect_rc 2
run "$LLBITMAP" replay-resync --level raid0 a.img; expect_rc 2
run "$LLBITMAP" replay-resync --format xml a.img; expect_rc 2
run "$LLBITMAP" replay-resync a.img c.img; expect_rc 1; expect_one_err_line; expect_err "llbitmap replay-resync:"
rm -f k.img; "$LLBITMAP" create --level 1 --raid-disks 1 --size 64M --classic k.img >/dev/null
run "$LLBITMAP" replay-resync k.img; expect_rc 1
expect_err "llbitmap replay-resync: k.img: bitmap.version=4: replay-resync needs an llbitmap (version 6)"
echo ok
