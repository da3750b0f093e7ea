# Edges of the writing commands found by review: a 1.0 member whose data_size
# is 0 (the array still uses md.size sectors: no write may land there), the
# report of an interrupted header-only edit (old or new, never STALE), a new
# image named twice through two spellings, and the target's bad-block log
# kept by a restore.
source "$TESTLIB"

# 1.0, data_size 0: the room before the superblock ends at data_offset + size.
"$LLBITMAP" create --level 1 --raid-disks 2 --size 32M --metadata 1.0 --no-bitmap a0.img a1.img >/dev/null
size=$(stat -c %s a0.img)
sb=$(( ((size / 512 - 16) & ~7) * 512 ))
md_set_u64_at a0.img $sb 136 0
before=$(sha a0.img)
run "$LLBITMAP" create --offset -60000 --reserved 60000 a0.img
expect_rc 1; expect_one_err_line
[ "$(sha a0.img)" = "$before" ] || fail "create wrote over the data of a 1.0 member with data_size 0"

# An interrupted header-only edit: each member holds the old or the new header.
"$LLBITMAP" create --level 1 --raid-disks 2 --size 32M e1.img e2.img >/dev/null
LLBITMAP_FAULT_AT=2 run "$LLBITMAP" edit --set daemon_sleep=7 e1.img e2.img
expect_rc 1
grep -q "STALE" <<<"$ERR" && fail "a header-only edit reported a STALE member: $ERR"
for m in e1.img e2.img; do
  d=$("$LLBITMAP" examine --format export $m | sed -n 's/^LLBITMAP_DAEMON_SLEEP=//p')
  [ "$d" = 7 ] || [ "$d" = 30 ] || fail "$m: daemon_sleep $d is neither old nor new"
done

# A new image named twice (x.img and ./x.img): refused, nothing left behind.
"$LLBITMAP" create --level 1 --raid-disks 2 --size 32M r0.img r1.img >/dev/null
"$LLBITMAP" edit --backup-file bk.llbmp --set daemon_sleep=9 r0.img r1.img >/dev/null
run "$LLBITMAP" restore bk.llbmp x.img ./x.img
expect_rc 1; expect_one_err_line
[ ! -e x.img ] || fail "a refused restore left x.img"

# restore keeps the target's bad-block log as it is now.
"$LLBITMAP" create --level 1 --raid-disks 2 --size 256M --bad-block-log --offset 8 b0.img b1.img >/dev/null
"$LLBITMAP" dump --save b0.llbmp b0.img >/dev/null
python3 -c 'import sys; f = open(sys.argv[1], "r+b"); f.seek(4096 + 16 * 512); f.write(b"\x11" * 8)' b0.img
"$LLBITMAP" edit --set-state 0:dirty b0.img b1.img >/dev/null
run "$LLBITMAP" restore b0.llbmp b0.img; expect_rc 0
[ "$(python3 -c 'import sys; f = open(sys.argv[1], "rb"); f.seek(4096 + 16 * 512); print(f.read(8).hex())' b0.img)" = 1111111111111111 ] \
  || fail "restore overwrote the target's bad-block log"
[ "$("$LLBITMAP" dump --chunks 0 b0.img)" = "0 unwritten" ] || fail "restore did not bring back the saved states"
echo "test_write_edges: ok"
