# llbitmap convert (both ways), dump --save and restore: the mapping is
# conservative, mdadm accepts the results and counts the same bits, the
# backup undoes a conversion, a save restores to an image that examines the
# same, a crash at any step leaves old, new or STALE; wrong input writes nothing.
source "$TESTLIB"
UUID=0badc0de:12345678:9abcdef0:0f1e2d3c
have_mdadm() { command -v mdadm >/dev/null; }
ex() { { "$LLBITMAP" examine --format export "$1" 2>/dev/null || true; } | sed -n "s/^$2=//p"; }
classic_pair() {  # STATES: a raid1 pair with a classic bitmap of 1 MiB chunks
  rm -f c0.img c1.img
  "$LLBITMAP" create --level 1 --raid-disks 2 --size 256M --uuid $UUID --classic --assume-clean --chunk-size 1M \
    --states "$1" c0.img c1.img >/dev/null
}

# Classic -> lockless: a set bit (1 MiB = 16 llbitmap chunks of 64 KiB) becomes 16 NeedSync chunks.
classic_pair 0:dirty,10-11:dirty,254:dirty
[ "$(ex c0.img LLBITMAP_DIRTY)" = 4 ] || fail "fixture: 4 set bits expected, got $(ex c0.img LLBITMAP_DIRTY)"
run "$LLBITMAP" convert --dry-run c0.img c1.img; expect_rc 0
expect_out "c0.img: would become an llbitmap: 4080 chunks of 128 sectors, 64 need_sync, 4016 clean"
expect_out "dry run: nothing written"
[ "$(ex c0.img LLBITMAP_VERSION)" = 4 ] || fail "--dry-run wrote"
run "$LLBITMAP" convert --backup-file undo.llbmp c0.img c1.img; expect_rc 0; expect_no_err
for m in c0.img c1.img; do
  [ "$(ex $m LLBITMAP_VERSION)" = 6 ] || fail "$m is not an llbitmap"
  [ "$(ex $m LLBITMAP_STATE_NEED_SYNC)" = 64 ] || fail "$m: need_sync $(ex $m LLBITMAP_STATE_NEED_SYNC)"
  [ "$(ex $m LLBITMAP_STATE_UNWRITTEN)" = 0 ] || fail "$m: convert must never give Unwritten"
done
[ "$("$LLBITMAP" dump c0.img | head -2 | tr '\n' ' ')" = "0-15 need_sync 16-159 clean " ] || fail "runs: $("$LLBITMAP" dump c0.img | head -3)"
run "$LLBITMAP" examine c0.img c1.img; expect_rc 0; expect_out "Members agree : yes"
if have_mdadm; then
  run mdadm --examine c0.img; expect_rc 0; expect_out "Internal Bitmap"; expect_out "Array UUID : $UUID"
fi

# Lockless -> classic: every out-of-sync chunk sets its bit; mdadm -X agrees.
# With the llbitmap's own chunk size (the default): 64 bits of 64 KiB.
cp c0.img k0.img; cp c1.img k1.img
run "$LLBITMAP" convert --to classic k0.img k1.img; expect_rc 0
[ "$(ex k0.img LLBITMAP_DIRTY)" = 64 ] || fail "classic bits of 64 KiB: $(ex k0.img LLBITMAP_DIRTY)"
# Back to 1 MiB chunks: the bits that were set, no others.
run "$LLBITMAP" convert --to classic --chunk-size 1M c0.img c1.img; expect_rc 0
[ "$(ex c0.img LLBITMAP_VERSION)" = 4 ] || fail "not classic again"
[ "$(ex c0.img LLBITMAP_DIRTY)" = 4 ] || fail "classic bits after the round trip: $(ex c0.img LLBITMAP_DIRTY)"
if have_mdadm && loop=$(losetup -f --show c0.img 2>/dev/null); then
  mdx=$(mdadm -X "$loop"); losetup -d "$loop"
  ours_line=$("$LLBITMAP" examine c0.img | grep 'Bitmap :' | sed 's/^ *//')
  grep -qF "$ours_line" <<<"$mdx" || fail "mdadm -X says $(grep Bitmap <<<"$mdx"), we say $ours_line"
fi

# The backup undoes the first conversion: the classic bitmap as it was.
classic_pair 0:dirty,10-11:dirty,254:dirty
sha_before=$(sha c0.img)
run "$LLBITMAP" convert --backup-file undo2.llbmp c0.img c1.img; expect_rc 0
run "$LLBITMAP" restore undo2.llbmp c0.img c1.img; expect_rc 0
[ "$(sha c0.img)" = "$sha_before" ] || fail "restore of the backup did not give the classic member back"
run "$LLBITMAP" convert --backup-file undo2.llbmp c0.img c1.img; expect_rc 1; expect_err "undo2.llbmp: file=exists"

# dump --save, then restore into a new sparse image: examine says the same.
rm -f l0.img l1.img; "$LLBITMAP" create --level 1 --raid-disks 2 --size 256M --states 0-99:dirty,500:need_sync l0.img l1.img >/dev/null
run "$LLBITMAP" dump --save l0.llbmp l0.img; expect_rc 0; expect_out "saved"
run "$LLBITMAP" restore l0.llbmp copy.img; expect_rc 0
diff <("$LLBITMAP" examine l0.img | grep -v Filename) <("$LLBITMAP" examine copy.img | grep -v Filename) ||
  fail "the restored image examines differently"
[ "$(stat -c %s copy.img)" = "$(stat -c %s l0.img)" ] || fail "restored image size"
[ "$(du -k copy.img | cut -f1)" -lt 1024 ] || fail "the restored image is not sparse"
run "$LLBITMAP" restore l0.llbmp c0.img; expect_rc 1; expect_one_err_line; expect_err "matches no saved member"; expect_err "the saved l0.img"
run "$LLBITMAP" restore l0.llbmp a.img b.img; expect_rc 2
printf 'LLBMPSAV\1\0\0\0\1\0\0\0\377\377\377\377' >bad.llbmp
run "$LLBITMAP" restore bad.llbmp new.img; expect_rc 1; expect_one_err_line; expect_err "member.raw_len"
[ ! -e new.img ] || fail "a bad image created its target"
head -c 40 l0.llbmp >short.llbmp
run "$LLBITMAP" restore short.llbmp new.img; expect_rc 1; expect_err "the image ends early"

# Fault injection: stopped at every write and flush, each member examines as
# the old bitmap, the new one, or STALE.
check_member() {  # FILE STEP: old (version 4), new (version 6) or stale
  local v f
  v=$(ex "$1" LLBITMAP_VERSION); f=$(ex "$1" LLBITMAP_STATE_FLAGS)
  case "$v:$f" in 4:|6:|*stale*) ;; *) fail "fault at $2: $1 is version '$v' with flags '$f'" ;; esac
}
for direction in lockless classic; do
  k=1
  while :; do
    classic_pair 0:dirty,200:dirty
    [ $direction = classic ] && "$LLBITMAP" convert c0.img c1.img >/dev/null
    run env LLBITMAP_FAULT_AT=$k "$LLBITMAP" convert --to $direction c0.img c1.img
    check_member c0.img $k; check_member c1.img $k
    [ "$RC" = 0 ] && break
    k=$((k + 1)); [ $k -lt 60 ] || fail "convert --to $direction never completed"
  done
  echo "convert --to $direction: $k steps, each one safe"
done
cp l0.img r.img
printf '\x02' | dd of=r.img bs=1 seek=$((8192 + 1024 + 3000)) conv=notrunc status=none  # chunk 3000 Dirty: the "old" member
old_dump=$("$LLBITMAP" dump r.img); new_dump=$("$LLBITMAP" dump l0.img)
k=1
while :; do
  cp r.img r0.img
  run env LLBITMAP_FAULT_AT=$k "$LLBITMAP" restore l0.llbmp r0.img
  flags=$(ex r0.img LLBITMAP_STATE_FLAGS)
  now=$("$LLBITMAP" dump r0.img 2>/dev/null || true)
  case "$flags" in *stale*) ;; *) [ "$now" = "$old_dump" ] || [ "$now" = "$new_dump" ] || fail "restore fault at $k: neither old, new nor stale" ;; esac
  [ "$RC" = 0 ] && break
  k=$((k + 1)); [ $k -lt 60 ] || fail "restore never completed"
done
[ "$("$LLBITMAP" dump r0.img)" = "$new_dump" ] || fail "the completed restore is not the saved member"
echo "restore: $k steps"

# Wrong input: nothing written.
classic_pair 0:dirty
rm -f o0.img; "$LLBITMAP" create --level 1 --raid-disks 2 --size 256M --classic o0.img >/dev/null 2>&1 || true
s0=$(sha c0.img)
run "$LLBITMAP" convert c0.img c0.img; expect_rc 1; expect_one_err_line; expect_err "llbitmap convert:"
run "$LLBITMAP" convert c0.img o0.img; expect_rc 1; expect_one_err_line; expect_err "llbitmap convert:"
run "$LLBITMAP" convert --to xml c0.img; expect_rc 2
run "$LLBITMAP" convert --to classic c0.img c1.img; expect_rc 1; expect_err "already a classic bitmap"
rm -f f0.img; "$LLBITMAP" create --level 1 --raid-disks 1 --size 64M --first-use f0.img >/dev/null
run "$LLBITMAP" convert --to classic f0.img; expect_rc 1; expect_err "no chunk states yet"
[ "$(sha c0.img)" = "$s0" ] || fail "a refused convert wrote"
run "$LLBITMAP" convert-from-classic --dry-run c0.img c1.img; expect_rc 0; expect_out "would become an llbitmap"
echo ok
