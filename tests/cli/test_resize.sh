# Resize (ONDISK.md 9.1, 9.7, 9.9): examine and check read the sizes per
# kernel (--kernel), check prints the grow limit, replay-resync --size
# previews a resize; refusals and usage errors. Figures of 9.9: raid1 on
# 256 MiB members, 128-sector chunks, 256 reserved sectors.
source "$TESTLIB"

"$LLBITMAP" create --level 1 --raid-disks 2 --size 256M --assume-clean --states 0-9:dirty a.img b.img >/dev/null

# The grow limit: 256 * 512 = 131072 chunks of 128 sectors = 8 GiB per member.
run "$LLBITMAP" examine --kernel 7.3 a.img; expect_rc 0
expect_out "             Kernel : Linux 7.3 (md's llbitmap code modelled)"
expect_out "      Kernel covers : 522240 sectors (255.0 MiB) in 4080 chunks (the header's sync_size)"
expect_out "         Grow limit : 131072 chunks of 128 sectors: --size up to 16777216 sectors (8.0 GiB) per member; beyond it Linux 7.3 refuses the resize (EOPNOTSUPP)"
grep -q "Sync sizes" <<<"$OUT" && fail "a Sync sizes line with equal sizes: $OUT"
run "$LLBITMAP" examine --kernel 7.2 a.img; expect_rc 0
expect_out "      Kernel covers : 522240 sectors (255.0 MiB) in 4080 chunks (the array's resync size; the header's sync_size is ignored)"
run "$LLBITMAP" examine --brief --kernel 7.3 a.img; expect_rc 0
grep -q "Kernel" <<<"$OUT" && fail "--brief prints the Kernel line: $OUT"
run "$LLBITMAP" examine --kernel 7.3 --format json a.img; expect_rc 0
[ "$(json_get "$OUT" "j[0]['kernel']")" = 7.3 ] || fail "examine json kernel"
[ "$(json_get "$OUT" "j[0]['resize']['max_size_sectors']")" = 16777216 ] || fail "examine json max_size_sectors"
[ "$(json_get "$OUT" "j[0]['resize']['chunks']")" = 4080 ] || fail "examine json chunks"
[ "$(json_get "$OUT" "j[0]['resize']['match']")" = equal ] || fail "examine json match"
run "$LLBITMAP" examine --kernel 7.3 --format export a.img; expect_rc 0
expect_out "LLBITMAP_KERNEL=7.3"
expect_out "LLBITMAP_RESIZE_MAX_SIZE_SECTORS=16777216"
run "$LLBITMAP" check --kernel 7.3 a.img b.img; expect_rc 0
expect_out "Kernel       : Linux 7.3 (md's llbitmap code modelled)"
expect_out "  Grow limit     : 131072 chunks of 128 sectors: --size up to 16777216 sectors (8.0 GiB) per member"
expect_out "Result       : consistent"
run "$LLBITMAP" check --kernel 7.2 --format json a.img b.img; expect_rc 0
[ "$(json_get "$OUT" "j['kernel']")" = 7.2 ] || fail "check json kernel"
[ "$(json_get "$OUT" "j['resize']['max_chunks']")" = 131072 ] || fail "check json max_chunks"
[ "$(json_get "$OUT" "j['resize']['device']")" = a.img ] || fail "check json resize device"
run "$LLBITMAP" check --kernel 7.3 --format export a.img b.img; expect_rc 0
expect_out "LLBITMAP_CHECK_KERNEL=7.3"
expect_out "LLBITMAP_CHECK_RESIZE_MAX_SIZE_SECTORS=16777216"
for cmd in examine check replay-resync; do
  run "$LLBITMAP" $cmd --kernel 8.0 a.img; expect_rc 2; expect_err "--kernel '8.0': not a modelled kernel"
done

# raid10 (4 near=2 members of 64M): the limit is the array size.
"$LLBITMAP" create --level 10 --raid-disks 4 --size 64M --assume-clean t0.img t1.img t2.img t3.img >/dev/null
run "$LLBITMAP" check --kernel 7.3 t0.img t1.img t2.img t3.img; expect_rc 0
expect_out "--size up to 16777216 sectors (8.0 GiB) (the array size)"

# A grown array whose header was not updated: 7.3 covers the header's 2048
# chunks, 7.2 the array's 4080; the bytes past 2048 hold states.
cp a.img g.img
"$LLBITMAP" edit --force --sync-size 262144 g.img >/dev/null 2>&1
run "$LLBITMAP" check --kernel 7.3 --format json g.img; expect_rc 1
[ "$(json_get "$OUT" "[f['id'] for f in j['findings']]")" = "['bitmap-sync-size-smaller', 'bitmap-states-past-count']" ] \
  || fail "7.3 findings of a grown header: $OUT"
[ "$(json_get "$OUT" "j['resize']['chunks']")" = 2048 ] || fail "7.3 covers 2048 chunks"
[ "$(json_get "$OUT" "j['resize']['states_past_count']")" = 2032 ] || fail "states past the count"
run "$LLBITMAP" check --kernel 7.3 g.img; expect_rc 1
expect_out "bitmap.sync_size=262144: smaller than the array's resync size (522240 sectors): Linux 7.3 covers only the first 2048 chunks (a grown array whose header was not updated, or a bitmap covering less): writes from sector 262144 on set no bit"
expect_out "  Sync sizes     : header 262144, array 522240: a grown array whose header was not updated"
run "$LLBITMAP" check --kernel 7.2 --format json g.img; expect_rc 1
[ "$(json_get "$OUT" "[f['id'] for f in j['findings']]")" = "['bitmap-sync-size-smaller']" ] || fail "7.2 findings: $OUT"
[ "$(json_get "$OUT" "j['resize']['chunks']")" = 4080 ] || fail "7.2 covers 4080 chunks"
expect_out "Linux 7.2 ignores it, covers the whole array (4080 chunks) and writes the array's sync_size at its first superblock update"
run "$LLBITMAP" replay-resync --kernel 7.3 g.img; expect_rc 0; expect_out "2048 chunks of 128 sectors"
run "$LLBITMAP" replay-resync --kernel 7.2 g.img; expect_rc 0; expect_out "4080 chunks of 128 sectors"

# A header above the array's: 7.3 refuses to load it (error); 7.2 ignores it.
cp a.img l.img
"$LLBITMAP" edit --force --sync-size 600000 l.img >/dev/null 2>&1
run "$LLBITMAP" check --kernel 7.3 l.img; expect_rc 1
expect_out "error   l.img: bitmap.sync_size=600000: larger than the array's resync size (522240 sectors): Linux 7.3 refuses to load the bitmap"
expect_out "  Kernel covers  : nothing: Linux 7.3 refuses to load the bitmap"
run "$LLBITMAP" check --kernel 7.2 l.img; expect_rc 1
expect_out "Linux 7.2 ignores it, covers the array's 4080 chunks and writes the array's sync_size at its first superblock update; 7.3 refuses to load the bitmap"

# 9.9: --size=128M then --grow --size=max: 2048 -> 4080 chunks, the new ones Unwritten.
cp a.img s0.img; cp b.img s1.img
for f in s0.img s1.img; do
  md_set_u64 $f 80 262144  # md size: 128 MiB per member
  "$LLBITMAP" edit --force --sync-size 262144 $f >/dev/null 2>&1
done
run "$LLBITMAP" replay-resync --kernel 7.3 --size max s0.img s1.img; expect_rc 0
expect_out "Resize   : --grow --size 522240 sectors (255.0 MiB) per member, after this assembly (Linux 7.3, s0.img)"
expect_out "  Result      : accepted"
expect_out "  Chunks      : 2048 -> 4080 (chunk 128 sectors)"
expect_out "  Grown       : chunks 2048-4079 set to Unwritten"
expect_out "  Header      : sync_size 522240 written at once, then a full flush"
expect_out "  States      : 2032 unwritten, 2048 clean"
run "$LLBITMAP" replay-resync --kernel 7.3 --size max --format json s0.img s1.img; expect_rc 0
[ "$(json_get "$OUT" "(j['resize']['old_chunks'], j['resize']['new_chunks'], j['resize']['set_unwritten']['first'], j['resize']['zeroed'])")" = "(2048, 4080, 2048, None)" ] \
  || fail "grow json: $OUT"
# The resync md starts after the grow: 7.3 grew Unwritten chunks, nothing to sync.
run "$LLBITMAP" replay-resync --kernel 7.3 --size max s0.img s1.img; expect_rc 0
expect_out "  Then        : md resyncs the array from chunk 0: no NeedSync chunk to sync"
expect_out "  End         : 2032 unwritten, 2048 clean (after that resync and the daemon)"
# 7.2.13 keeps the bytes: over mdadm's 0xFF fill (to the end of page 0) the
# resync forces 832 chunks to NeedSync without syncing them; a NeedSync
# chunk among them is synced (the raid1 grow seen under qemu, FINDINGS.md).
python3 - s0.img s1.img <<'PY'
import sys
for name in sys.argv[1:]:
    with open(name, "r+b") as f:
        f.seek(9216 + 2048); f.write(b"\xff" * 1024)
        f.seek(9216 + 2100); f.write(b"\x03")
PY
run "$LLBITMAP" replay-resync --kernel 7.2 --size 180M s0.img s1.img; expect_rc 0
expect_out "  New chunks  : 2048-2879 keep what the area holds there (mdadm's 0xff fill: forced to NeedSync by the resync below"
expect_out "  Then        : md resyncs the array from chunk 0: syncs 1 NeedSync chunk (2100)"
expect_out "  Forced      : 831 chunks (2048-2099, 2101-2879) hold bytes that are not states (mdadm's 0xff fill)"
expect_out "  End         : 2049 clean, 831 need_sync (after that resync and the daemon)"
run "$LLBITMAP" replay-resync --kernel 7.2 --size 180M --format json s0.img s1.img; expect_rc 0
[ "$(json_get "$OUT" "(j['resize']['resync']['from_chunk'], j['resize']['resync']['synced_chunks'], j['resize']['resync']['forced_chunks'])")" = "(0, 1, 831)" ] \
  || fail "7.2 grow resync json: $OUT"
# Shrunk to 96M: 1536 chunks, header sync_size 196608, [1536, 4080) zeroed.
run "$LLBITMAP" replay-resync --kernel 7.3 --size 96M a.img b.img; expect_rc 0
expect_out "  Chunks      : 4080 -> 1536 (chunk 128 sectors)"
expect_out "  Cut         : chunks 1536-4079 set to 0 and flushed"
expect_out "  Header      : sync_size 196608 written at once"
run "$LLBITMAP" replay-resync --kernel 7.2 --size 96M --format json a.img b.img; expect_rc 0
[ "$(json_get "$OUT" "(j['resize']['in_memory_only'], j['resize']['new_chunks'], j['resize']['zeroed'], j['resize']['kernel'])")" = "(True, 1536, None, '7.2')" ] \
  || fail "7.2 shrink json: $OUT"
run "$LLBITMAP" replay-resync --kernel 7.2 --size 96M a.img b.img; expect_rc 0
expect_out "  Header      : not written by the resize (in memory only); sync_size 196608 at the next superblock update"
expect_out "  Cut chunks  : 1536-4079 keep their bytes (nothing is cleared)"
# Above the members' data size: md refuses (ENOSPC).
run "$LLBITMAP" replay-resync --kernel 7.3 --size 300M a.img b.img; expect_rc 0
expect_out "  Result      : refused: ENOSPC, 614400 sectors per member is more than the 522240 available"

# Past the limit: 4 GiB members with 64K chunks grown into 20 GiB images.
"$LLBITMAP" create --level 1 --raid-disks 2 --size 4G --chunk-size 64K --assume-clean e0.img e1.img >/dev/null
for f in e0.img e1.img; do truncate -s 20G $f; md_set_u64 $f 136 $((20 * 2 * 1024 * 1024 - 2048)); done
run "$LLBITMAP" replay-resync --kernel 7.3 --size 8G e0.img e1.img; expect_rc 0
expect_out "  Chunks      : 65520 -> 131072 (chunk 128 sectors)"
run "$LLBITMAP" replay-resync --kernel 7.3 --size 9G --format json e0.img e1.img; expect_rc 0
[ "$(json_get "$OUT" "(j['resize']['refused'], j['resize']['errno'])")" = "(True, 'EOPNOTSUPP')" ] || fail "EOPNOTSUPP json: $OUT"
run "$LLBITMAP" replay-resync --kernel 7.3 --size 9G e0.img e1.img; expect_rc 0
expect_out "  Result      : refused: EOPNOTSUPP, the size needs a bigger bitmap chunk (131072 chunks of 128 sectors at most, 16777216 sectors)"
run "$LLBITMAP" replay-resync --kernel 7.2 --size 9G e0.img e1.img; expect_rc 0
expect_out "  Chunks      : 65520 -> 73728 (chunk 256 sectors, doubled in memory"
expect_out "  No page     : 5120 chunks lie past the pages held for the old count (no page is added)"

# raid10 mid-reshape (grown 2 -> 4): md's update_size refuses a resize while
# the reshape runs (EBUSY), so --size on such a member is a usage error.
for i in 0 1 2 3; do md_reshape t$i.img 4096 2; done
run "$LLBITMAP" replay-resync --kernel 7.3 --size 32M t0.img t1.img t2.img t3.img; expect_rc 2
expect_err "--size: t0.img is mid-reshape at reshape_position 4096: md refuses a resize while the reshape runs (EBUSY)"
# A reshape_position with no change of shape names the field.
for i in 0 1 2 3; do md_set_s32 t$i.img 112 0; done
run "$LLBITMAP" replay-resync --kernel 7.3 t0.img t1.img t2.img t3.img; expect_rc 1
expect_err "md.reshape_position=4096: mid-reshape, but its old and new geometry cannot be resumed"

# Usage errors: a size without a unit, --commit, --reshape.
run "$LLBITMAP" replay-resync --size 4096 a.img b.img; expect_rc 2; expect_one_err_line; expect_err "--size 4096"
run "$LLBITMAP" replay-resync --size max --commit --force a.img b.img; expect_rc 2
expect_err "--size previews a resize and never writes: no --commit"
run "$LLBITMAP" replay-resync --kernel 7.3 --size max --reshape raid-disks=3 a.img b.img; expect_rc 2
expect_err "--size and --reshape preview one change each"
# simulate --resize: each row's bitmap as the run leaves it, 4 GiB -> 6 GiB
# with 64K chunks (65536 -> 98304 chunks), 9 GiB refused at 64K, accepted at 1M.
sim() { "$LLBITMAP" simulate --synthetic sequential --count 100 --size 4G -q "$@"; }
run sim --kernel 7.3 --resize 6G; expect_rc 0
expect_out "resize to 6.00 GiB at the crash point (12582912 sectors), Linux 7.3:"
expect_out "  64.0 KiB 65536 -> 98304 chunks, 65536-98303 set to Unwritten, header sync_size 12582912"
run sim --kernel 7.3 --resize 9G --compare-chunks 1M; expect_rc 0
expect_out "  64.0 KiB refused (EOPNOTSUPP): past 131072 chunks, 8.00 GiB"
expect_out "  1.00 MiB 4096 -> 9216 chunks, 4096-9215 set to Unwritten"
run sim --kernel 7.2 --resize 9G --format json; expect_rc 0
[ "$(json_get "$OUT" "(j[0]['resize']['chunk_doubled'], j[0]['resize']['new_chunks'], j[0]['resize']['in_memory_only'])")" = "(True, 73728, True)" ] \
  || fail "simulate 7.2 resize json: $OUT"
run sim --resize 9; expect_rc 2; expect_err "--resize 9: give a unit"
run sim; expect_rc 0
grep -q "resize to" <<<"$OUT" && fail "a resize line without --resize: $OUT"
echo PASS
