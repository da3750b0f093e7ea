# edit --set on every header field and --set-flag/--clear-flag on every flag,
# read back by examine and by an independent decoder of the raw bytes here;
# Debian's mdadm --examine still accepts the member. --member tears one
# member; replay-resync and convert then read the kernel's copy, one member's
# or the worst merge, with plans computed by hand. --backup-file undoes an
# edit through restore. Every refusal: exit 1, one line, nothing written.
source "$TESTLIB"
have_mdadm() { command -v mdadm >/dev/null; }
mk() { rm -f "$@"; "$LLBITMAP" create --level 1 --raid-disks $# --size 256M --assume-clean "$@" >/dev/null; }
# raw FILE FIELD: the header field decoded here with struct, not by llbitmap.
raw() {
  python3 - "$1" "$2" <<'PY'
import struct, sys
with open(sys.argv[1], "rb") as f:
    f.seek(8192)  # 1.2 superblock at 4096, bitmap 8 sectors after it
    h = f.read(256)
fields = dict(zip(
    ["magic", "version", "uuid", "events", "events_cleared", "sync_size", "state", "chunksize",
     "daemon_sleep", "write_behind", "sectors_reserved", "nodes", "cluster_name"],
    struct.unpack("<II16sQQQIIIIII64s", h[:136])))
v = fields[sys.argv[2]]
if sys.argv[2] == "uuid":
    v = ":".join(v.hex()[i:i + 8] for i in range(0, 32, 8))
elif sys.argv[2] == "cluster_name":
    v = v.rstrip(b"\0").decode()
print(v)
PY
}
jb() { json_get "$("$LLBITMAP" examine --format json "$1")" "j[0]['bitmap']['$2']"; }

mk a.img b.img
uuid=$(jb a.img uuid)
run "$LLBITMAP" edit --set events=41 --set events_cleared=0x20 --set sync_size=131072 --set chunksize=256 \
  --set daemon_sleep=11 --set write_behind=7 --set sectors_reserved=200 --set nodes=0 --set cluster_name=lab \
  --set uuid="$uuid" --force a.img b.img
expect_rc 0; expect_no_err
expect_out "  chunksize: 128 -> 256"; expect_out "  sync_size: 522240 -> 131072"
for m in a.img b.img; do
  for kv in events=41 events_cleared=32 sync_size=131072 chunksize=256 daemon_sleep=11 write_behind=7 \
            sectors_reserved=200 nodes=0 cluster_name=lab magic=1836345698 version=6 "uuid=$uuid"; do
    [ "$(raw $m "${kv%%=*}")" = "${kv#*=}" ] || fail "raw $m ${kv%%=*}: $(raw $m "${kv%%=*}") != ${kv#*=}"
  done
  [ "$(jb $m events)" = 41 ] && [ "$(jb $m events_cleared)" = 32 ] && [ "$(jb $m sync_size_sectors)" = 131072 ] \
    && [ "$(jb $m chunksize_sectors)" = 256 ] && [ "$(jb $m daemon_sleep)" = 11 ] && [ "$(jb $m write_behind)" = 7 ] \
    && [ "$(jb $m sectors_reserved)" = 200 ] && [ "$(jb $m cluster_name)" = lab ] && [ "$(jb $m chunks)" = 2040 ] && [ "$(jb $m chunks_7_3)" = 512 ] \
    || fail "examine does not read back the edited fields of $m"
done
# Bitmap events ahead of the md events: not stale. The smaller sync_size is
# what 7.3 tracks, a warning; 7.2.13 covers all 2040 chunks.
run "$LLBITMAP" check --kernel 7.2 a.img b.img; expect_rc 1
expect_out "bitmap.sync_size=131072: smaller than the array's resync size (522240 sectors): Linux 7.2 ignores it, covers the whole array (2040 chunks) and writes the array's sync_size at its first superblock update; 7.3 would cover only the first 512 chunks"
run "$LLBITMAP" check --kernel 7.3 a.img b.img; expect_rc 1
expect_out "bitmap.sync_size=131072: smaller than the array's resync size (522240 sectors): Linux 7.3 covers only the first 512 chunks"
! grep -q "bitmap.events" <<<"$OUT" || fail "events ahead of the md events reported: $OUT"
# Every flag, set then cleared, on the raw word and in examine.
bits="stale:1 write_error:2 first_use:3 clean:4 daemon_busy:5 shutdown:6 hostendian:15"
for fb in $bits; do
  flag=${fb%%:*}; bit=${fb#*:}
  run "$LLBITMAP" edit --force --set-flag "$flag" a.img; expect_rc 0
  [ $(( $(raw a.img state) >> bit & 1 )) = 1 ] || fail "raw flag $flag not set"
  json_get "$("$LLBITMAP" examine --format json a.img 2>/dev/null || true)" "j[0]['bitmap']['state_flags']" | grep -q "'$flag'" \
    || fail "examine does not show $flag"
  run "$LLBITMAP" edit --force --clear-flag "$flag" a.img; expect_rc 0
  [ "$(raw a.img state)" = 0 ] || fail "flag $flag not cleared"
done
run "$LLBITMAP" edit --set state=0x50 a.img; expect_rc 0; [ "$(raw a.img state)" = 80 ] || fail "raw state word"
run "$LLBITMAP" edit --set state=0 a.img; expect_rc 0
if have_mdadm; then
  run mdadm --examine a.img; expect_rc 0; expect_out "Internal Bitmap : 8 sectors"
fi

# Refusals: exit 1, one line naming device and field, nothing written.
mk c.img d.img
sums=$(sha c.img; sha d.img)
refuse() {  # EXPECTED-STDERR ARGS...
  local want=$1; shift
  run "$LLBITMAP" edit "$@"; expect_rc 1; expect_one_err_line; expect_err "$want"
}
refuse "c.img: bitmap.chunksize=3: chunk size (sectors) must be a power of two (--force" --set chunksize=3 c.img d.img
refuse "c.img: bitmap.uuid=00000000:00000000:00000000:00000001: differs from the array uuid" \
  --set uuid=00000000:00000000:00000000:00000001 c.img d.img
refuse "c.img: bitmap.sectors_reserved=0: a version 6 bitmap needs a reserved area" --set sectors_reserved=0 c.img d.img
refuse "bitmap.sectors_reserved=99999: the reserved area" --set sectors_reserved=99999 c.img
refuse "bitmap.sync_size=999999999: larger than the array's resync size" --set sync_size=999999999 c.img
refuse "c.img: bitmap.sync_size=261120: smaller than the array's resync size (522240 sectors): a 7.3 kernel would track only" \
  --set sync_size=261120 c.img d.img
refuse "bitmap.magic=0x1234: no bitmap superblock" --set magic=0x1234 c.img
refuse "bitmap.version=9: unknown bitmap version" --set version=9 c.img
run "$LLBITMAP" edit --set chunksize=4294967296 c.img; expect_rc 2; expect_one_err_line
expect_err "c.img: bitmap.chunksize=4294967296: not a number from 0 to 4294967295"
refuse "bitmap.state=first_use" --set-flag first_use c.img
run "$LLBITMAP" edit --raw-byte 99999=1 c.img d.img; expect_rc 2; expect_one_err_line; expect_err "c.img: --raw-byte 99999: past the last chunk (4079)"
run "$LLBITMAP" edit --set bogus=1 c.img; expect_rc 2; expect_one_err_line
run "$LLBITMAP" edit --set chunksize c.img; expect_rc 2
run "$LLBITMAP" edit --set-state 1:dirty --member x.img c.img d.img; expect_rc 2
# Corrupted input: a broken md superblock checksum is refused on every member.
cp c.img e.img
# Flip a bit of sb_csum: writing a fixed byte would change nothing when the checksum already held it.
python3 -c 'import sys; f = open(sys.argv[1], "r+b"); f.seek(4096 + 216); b = f.read(1)[0]; f.seek(4096 + 216); f.write(bytes([b ^ 1]))' e.img
run "$LLBITMAP" edit --set-state 1:dirty e.img d.img; expect_rc 1; expect_one_err_line; expect_err "e.img: md.sb_csum="
[ "$(sha c.img; sha d.img)" = "$sums" ] || fail "a refused edit wrote"
# --force writes what the kernel refuses, and examine then says so.
run "$LLBITMAP" edit --force --set chunksize=3 c.img; expect_rc 0
run "$LLBITMAP" examine c.img; expect_rc 1; expect_out "bitmap.chunksize=3"

# --backup-file, then restore: the member is as before, byte for byte.
mk f.img g.img
s_before=$(sha f.img; sha g.img)
run "$LLBITMAP" edit --set-state 0-99:need_sync --set events=9 --backup-file fg.llbmp f.img g.img; expect_rc 0
expect_out "backup: fg.llbmp (read back and verified; undo with: llbitmap restore fg.llbmp f.img g.img)"
[ "$(sha f.img; sha g.img)" != "$s_before" ] || fail "edit wrote nothing"
run "$LLBITMAP" edit --set events=10 --backup-file fg.llbmp f.img; expect_rc 1; expect_err "exists"
run "$LLBITMAP" restore fg.llbmp f.img g.img; expect_rc 0
[ "$(sha f.img; sha g.img)" = "$s_before" ] || fail "restore of the edit backup differs"

# A torn array made with --member, computed by hand: x.img (role 0, the
# kernel's copy) has chunk 10 Dirty, y.img chunk 600 Dirty, in another
# 512-byte block of page 0. Reload turns each into NeedSync alone (one chunk
# of interest per block, page 0 is written at assembly): the kernel's copy
# resyncs chunk 10, y.img's chunk 600, the worst merge both.
mk x.img y.img
run "$LLBITMAP" edit --set-state 10:dirty --member x.img x.img y.img; expect_rc 0
run "$LLBITMAP" edit --set-state 600:dirty --member y.img x.img y.img; expect_rc 0
[ "$(jb x.img dirty)" = 1 ] && [ "$(jb y.img dirty)" = 1 ] || fail "torn members' dirty counts"
plan() { json_get "$("$LLBITMAP" replay-resync --format json "$@" x.img y.img)" '" ".join("%d-%d" % (p["first_chunk"], p["last_chunk"]) for p in j["plan"])'; }
[ "$(plan)" = "10-10" ] || fail "kernel copy plan: $(plan)"
[ "$(plan --member y.img)" = "600-600" ] || fail "--member plan: $(plan --member y.img)"
[ "$(plan --merge worst)" = "10-10 600-600" ] || fail "--merge worst plan: $(plan --merge worst)"
run "$LLBITMAP" replay-resync x.img y.img; expect_rc 0
expect_out "Copy     : x.img, the copy the kernel loads (the 2 members disagree in 2 chunks: --member DEV or --merge worst"
run "$LLBITMAP" replay-resync --member y.img --merge worst x.img y.img; expect_rc 2
run "$LLBITMAP" replay-resync --member z.img x.img y.img; expect_rc 2
# convert takes the same choice: the classic bit of chunk 10 (1 bit per 64 KiB chunk) or both.
cp x.img x2.img; cp y.img y2.img
for how in "" "--member y.img" "--merge worst"; do
  cp x2.img x.img; cp y2.img y.img
  run "$LLBITMAP" convert --to classic $how x.img y.img; expect_rc 0
  # The chunks whose classic bit is set, on both members.
  for img in x.img y.img; do
    set_bits=$(json_get "$("$LLBITMAP" dump --format json $img)" '" ".join(str(c) for r in j["runs"] if r["state"] == "dirty" for c in range(r["first"], r["last"] + 1))')
    case "$how" in
      "") [ "$set_bits" = 10 ] || fail "convert kernel copy: $img bits set at '$set_bits', not 10" ;;
      --member*) [ "$set_bits" = 600 ] || fail "convert --member y.img: $img bits set at '$set_bits', not 600" ;;
      *) [ "$set_bits" = "10 600" ] || fail "convert --merge worst: $img bits set at '$set_bits', not 10 and 600" ;;
    esac
  done
  expect_out "disagree in 2 chunks"
done

# In use: a loop device another opener holds O_EXCL (as a running array does) is refused.
mk l0.img l1.img
dev0=$(loop_attach l0.img); dev1=$(loop_attach l1.img)
python3 -c 'import os,sys,time; fd=os.open(sys.argv[1], os.O_RDONLY|os.O_EXCL); print("held", flush=True); time.sleep(30)' "$dev1" >held.txt &
holder=$!
for _ in $(seq 50); do grep -q held held.txt 2>/dev/null && break; sleep 0.1; done
s_loop=$(sha l0.img; sha l1.img)
run "$LLBITMAP" edit --set-state 0-9:dirty "$dev0" "$dev1"; expect_rc 1; expect_one_err_line; expect_err "$dev1"
kill "$holder"; wait "$holder" 2>/dev/null || true
sync; [ "$(sha l0.img; sha l1.img)" = "$s_loop" ] || fail "edit wrote while a member was held"
run "$LLBITMAP" edit --set-state 0-9:dirty --set daemon_sleep=7 "$dev0" "$dev1"; expect_rc 0; expect_no_err
[ "$(jb "$dev1" dirty)" = 10 ] && [ "$(jb "$dev0" daemon_sleep)" = 7 ] || fail "edit through loop devices"
if have_mdadm; then run mdadm --examine "$dev0"; expect_rc 0; fi
echo ok
