# llbitmap check and edit, and the harness helpers: consistent arrays pass,
# torn, stale, invalid and overlapping ones are reported with the member and
# the block; check never writes; edit writes only what it is told, refuses
# values the kernel refuses, and a crash at any step leaves old, new or STALE.
source "$TESTLIB"
source "$LLBITMAP_SOURCE_DIR/tests/harness/llbitmap.sh"
mk() { rm -f "$@"; "$LLBITMAP" create --level 1 --raid-disks $# --size 256M --assume-clean --states 0-9:dirty "$@" >/dev/null; }

mk a.img b.img
sums=$(sha a.img; sha b.img)
run "$LLBITMAP" check a.img b.img; expect_rc 0; expect_no_err
expect_out "Kernel loads : a.img"; expect_out "Result       : consistent"
run "$LLBITMAP" check --quiet a.img b.img; expect_rc 0; [ -z "$OUT" ] || fail "--quiet printed: $OUT"
llbitmap_expect_consistent a.img b.img || fail "harness: consistent array reported"

# A torn block: only b.img changed, check names the block, its chunks and both copies.
llbitmap_tear 600:need_sync b.img
run "$LLBITMAP" check a.img b.img; expect_rc 1
expect_out "warning bitmap.block=3 (chunks 512-1023): the members disagree"
expect_out "a.img: 512-1023 clean; b.img: 512-599 clean, 600 need_sync, 601-1023 clean"
expect_out "Blocks differ: 1"
run "$LLBITMAP" check --block-size 4096 a.img b.img; expect_rc 1; expect_out "bitmap.block=0 (chunks 0-3071)"
run "$LLBITMAP" check --format json a.img b.img; expect_rc 1
[ "$(json_get "$OUT" 'j["differing_blocks"]')" = 1 ] || fail "json differing_blocks"
[ "$(json_get "$OUT" 'j["worst_merge"]["need_sync"]')" = 1 ] || fail "worst merge keeps the NeedSync copy"
[ "$(json_get "$OUT" 'j["worst_merge"]["dirty"]')" = 10 ] || fail "worst merge dirty"
# Each finding's stable id (llbitmap-check(8) FINDINGS) is its first key.
[ "$(json_get "$OUT" 'list(j["findings"][0].items())[0]')" = "('id', 'bitmap-block-differs')" ] ||
  fail "json finding id: $OUT"
if llbitmap_expect_consistent a.img b.img 2>/dev/null; then fail "harness: torn array passed"; fi
run "$LLBITMAP" check --format export a.img b.img; expect_rc 1
expect_out "LLBITMAP_CHECK_CONSISTENT=0"; expect_out "LLBITMAP_CHECK_DIFFERING_BLOCKS=1"
expect_out "LLBITMAP_CHECK_KERNEL_SOURCE=a.img"; expect_out "LLBITMAP_CHECK_FINDING_0='warning - bitmap.block'"
expect_out "LLBITMAP_CHECK_MERGED_NOT_IN_SYNC=11"
[ "$(llbitmap_count b.img need_sync)" = 1 ] || fail "harness count"
[ "$(llbitmap_dirty b.img)" = 11 ] || fail "harness dirty"
# Ten Dirty chunks in one block: Reload coalesces the block, 512 chunks are resynced.
[ "$(llbitmap_resync_chunks a.img b.img)" = 512 ] || fail "harness resync chunks: $(llbitmap_resync_chunks a.img b.img)"

# Stale bitmap events and md events behind: warnings with the numbers.
mk c.img d.img
"$LLBITMAP" edit --events 0 d.img >/dev/null
run "$LLBITMAP" check c.img d.img; expect_rc 1
expect_out "d.img: bitmap.events=0: behind the freshest md events 1 (c.img)"
# Invalid bytes: 0xFF from page 1 to the end, as mdadm --add leaves them.
mk e.img
python3 - e.img <<'PY'
import sys
with open(sys.argv[1], "r+b") as f:
    f.seek(8192 + 4096); f.write(b"\xff" * (4080 - 3072))
PY
run "$LLBITMAP" check e.img; expect_rc 1
expect_out "e.img: bitmap.states=3072-4079=0xff: not states: 0xFF from page 1 on, what mdadm --add leaves"
expect_out "warning e.img: bitmap.states=3072-4079=0xff"
# examine names it too: a warning (a resync of those chunks at worst), exit 0.
run "$LLBITMAP" examine e.img; expect_rc 0
expect_out "warning: bitmap.states=0xff: 1008 state bytes are 0xFF from chunk 3072 on, what mdadm --add leaves on a new member"
# Blocks the kernel has written back in between (a member mid-reshape): still the fill.
python3 - e.img <<'PY'
import sys
with open(sys.argv[1], "r+b") as f:
    f.seek(8192 + 4096); f.write(b"\x00" * 512)
PY
run "$LLBITMAP" examine --format json e.img; expect_rc 0
expect_out '"bitmap-mdadm-add-leftover"'
run "$LLBITMAP" check e.img; expect_rc 1
expect_out "e.img: bitmap.states=3584-4079=0xff: not states: 0xFF from page 1 on, what mdadm --add leaves"
# One 0xFF in page 0 is not mdadm's fill: every invalid byte is an error then.
"$LLBITMAP" edit --raw-byte 100=0xff e.img >/dev/null
run "$LLBITMAP" examine e.img; expect_rc 1
expect_err "bitmap.states=0xff: 497 state bytes are not states (first at chunk 100)"
run "$LLBITMAP" check e.img; expect_rc 1
expect_out "e.img: bitmap.states=100-100=0xff: not states: the kernel reads them as NeedSync"
expect_out "e.img: bitmap.states=3584-4079=0xff: not states: the kernel reads them as NeedSync"
# The bad-block log under the state bytes, as mdadm 4.6 lays lockless members out.
rm -f f.img; "$LLBITMAP" create --level 1 --raid-disks 1 --size 256M --bad-block-log --offset 8 f.img >/dev/null
# No bad block recorded (every array mdadm 4.6 creates): information, exit 0.
run "$LLBITMAP" check f.img; expect_rc 0
expect_out "info    f.img: md.bblog_offset=12288..16383: the bad-block log (bytes 12288..16383) overlaps the state bytes (9216..13295, chunks 3072..4079)"
expect_out "harmless while no bad block is recorded (none is)"
expect_out "Result       : consistent"
# The same layout once a bad block is recorded (MD_FEATURE_BAD_BLOCKS, feature_map bit 3): an error.
rm -f f.img; "$LLBITMAP" create --level 1 --raid-disks 1 --size 256M --bad-block-log --offset 8 f.img >/dev/null
python3 - f.img <<'PY'
import struct, sys
# Set MD_FEATURE_BAD_BLOCKS in the 1.2 superblock at 4096 and fix its checksum.
with open(sys.argv[1], "r+b") as f:
    f.seek(4096); sb = bytearray(f.read(1024))
    struct.pack_into("<I", sb, 8, struct.unpack_from("<I", sb, 8)[0] | 8)
    max_dev = struct.unpack_from("<I", sb, 220)[0]
    struct.pack_into("<I", sb, 216, 0)
    n = 256 + 2 * max_dev
    total = sum(struct.unpack_from("<%dI" % (n // 4), sb, 0))
    if n % 4: total += struct.unpack_from("<H", sb, n - 2)[0]
    struct.pack_into("<I", sb, 216, ((total & 0xffffffff) + (total >> 32)) & 0xffffffff)
    f.seek(4096); f.write(sb)
PY
run "$LLBITMAP" check f.img; expect_rc 1
expect_out "error   f.img: md.bblog_offset=12288..16383"
expect_out "bad blocks are recorded: they overwrite each other"
# Members that differ in chunk size (edited on one member) or in size (same uuid).
mk cs0.img cs1.img
"$LLBITMAP" edit --set chunksize=256 --member cs1.img cs0.img cs1.img >/dev/null
run "$LLBITMAP" check cs0.img cs1.img; expect_rc 1; expect_out "error   cs1.img: bitmap.chunksize=256: differs from 128 on cs0.img"
u=11111111:22222222:33333333:44444444
rm -f sz*.img
"$LLBITMAP" create --level 1 --raid-disks 2 --size 256M --uuid $u --assume-clean sz0.img sz0b.img >/dev/null
"$LLBITMAP" create --level 1 --raid-disks 2 --size 128M --uuid $u --assume-clean sz1a.img sz1.img >/dev/null
run "$LLBITMAP" check sz0.img sz1.img; expect_rc 1; expect_out "sz1.img: md.size="
# The kernel's fit test passes while the true fit (with the 1 KiB header) fails.
"$MKFIXTURE" fit.img --size-mib 65 --chunk 1 --assume-clean
run "$LLBITMAP" check fit.img; expect_rc 1
expect_out "warning fit.img: bitmap.chunksize=1: 131072 chunks pass the kernel's check but their state bytes end at area byte 132096, past the reserved 131072 bytes"
# FIRST_USE is information (the kernel initialises it); WRITE_ERROR an error.
"$MKFIXTURE" fu.img --bitmap first-use
run "$LLBITMAP" check fu.img; expect_rc 0; expect_out "info    fu.img: bitmap.state=first_use: not initialised yet"
"$MKFIXTURE" we.img --raw-area 48=4
run "$LLBITMAP" check we.img; expect_rc 1; expect_out "error   we.img: bitmap.state=write_error: WRITE_ERROR flag set"
# Members of different arrays and unreadable devices are findings, not a stop.
head -c 4096 /dev/zero >z.img
run "$LLBITMAP" check a.img c.img z.img; expect_rc 1
expect_out "c.img: md.set_uuid="; expect_out "z.img:"
[ "$(sha a.img; sha b.img)" != "$sums" ] || fail "fixture"
s_after=$(sha a.img)
run "$LLBITMAP" check a.img b.img; [ "$(sha a.img)" = "$s_after" ] || fail "check wrote"
run "$LLBITMAP" check; expect_rc 2
run "$LLBITMAP" check --block-size 1000 a.img; expect_rc 2
run "$LLBITMAP" check --format xml a.img; expect_rc 2

# edit: header fields and flags; refusals write nothing.
mk g.img h.img
run "$LLBITMAP" edit --events 7 --set-flag stale g.img h.img; expect_rc 0; expect_no_err
[ "$(llbitmap_field g.img EVENTS)" = 7 ] || fail "events"
[ "$(llbitmap_field h.img STATE_FLAGS)" = stale ] || fail "flag"
run "$LLBITMAP" edit --clear-flag stale g.img h.img; expect_rc 0
[ "$(llbitmap_field g.img STATE_FLAGS)" = "" ] || fail "flag cleared"
s0=$(sha g.img)
run "$LLBITMAP" edit --daemon-sleep 0 g.img; expect_rc 1; expect_one_err_line
expect_err "llbitmap edit: g.img: bitmap.daemon_sleep=0: must be at least 1 second: the kernel refuses it (--force writes it anyway)"
run "$LLBITMAP" edit --set-flag write_error g.img; expect_rc 1
# A value the device shows to be wrong is the user's mistake: exit 2, naming the option.
run "$LLBITMAP" edit --set-state 0-99999:dirty g.img; expect_rc 2; expect_one_err_line; expect_err "llbitmap edit: g.img: --set-state 0-99999: range ends past"
run "$LLBITMAP" edit --set-state 5:bogus g.img; expect_rc 2; expect_err "--set-state 5:bogus: unknown state"
run "$LLBITMAP" edit --set-flag nonsense g.img; expect_rc 2
run "$LLBITMAP" edit g.img; expect_rc 2
run "$LLBITMAP" edit --set-state 0:dirty --dry-run g.img; expect_rc 0; expect_out "dry run: nothing written"
[ "$(sha g.img)" = "$s0" ] || fail "a refused or dry-run edit wrote"
run "$LLBITMAP" edit --daemon-sleep 0 --force g.img; expect_rc 0
run "$LLBITMAP" edit --raw-byte 3100=0xff --raw-byte 5=9 h.img; expect_rc 0
[ "$(llbitmap_field h.img STATE_INVALID)" = 2 ] || fail "raw bytes: $(llbitmap_field h.img STATE_INVALID) invalid"
run "$LLBITMAP" check h.img; expect_rc 1; expect_out "bitmap.states=5-5=0x09"
run "$LLBITMAP" edit --raw-byte 99999=1 h.img; expect_rc 2; expect_err "h.img: --raw-byte 99999: past the last chunk"
run "$LLBITMAP" edit --raw-byte 5=300 h.img; expect_rc 2
rm -f cl.img; "$LLBITMAP" create --level 1 --raid-disks 1 --size 64M --classic cl.img >/dev/null
run "$LLBITMAP" edit --set-state 0:dirty cl.img; expect_rc 1; expect_err "chunk states are an llbitmap's"

# Fault injection: states edited on two members, stopped at every step.
k=1
while :; do
  mk p.img q.img
  run env LLBITMAP_FAULT_AT=$k "$LLBITMAP" edit --set-state 100-199:need_sync p.img q.img
  for m in p.img q.img; do
    flags=$(llbitmap_field $m STATE_FLAGS); ns=$(llbitmap_count $m need_sync)
    case "$flags:$ns" in *stale*) ;; ":0") ;; ":100") ;; *) fail "fault at $k: $m flags '$flags' need_sync '$ns'" ;; esac
  done
  [ "$RC" = 0 ] && break
  k=$((k + 1)); [ $k -lt 50 ] || fail "edit never completed"
done
echo "edit fault injection: $k steps"
echo ok
