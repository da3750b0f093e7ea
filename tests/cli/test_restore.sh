# llbitmap restore and the backups of the writing commands, over metadata
# 1.0/1.1/1.2 x raid1/raid5: a save restores byte for byte, targets given in
# any order each get their own member back, another device is refused unless
# --force, a read-only member among the targets stops every writing command
# before its first write, and an interrupted write says what each member holds.
source "$TESTLIB"

# same_as SUFFIX FILE...: every FILE is byte-identical to FILE.SUFFIX.
same_as() {
  local suffix=$1 f
  shift
  for f in "$@"; do cmp -s "$f" "$f.$suffix" || fail "$f differs from $f.$suffix"; done
}
keep() { local suffix=$1 f; shift; for f in "$@"; do cp "$f" "$f.$suffix"; done; }
reversed() { local out=() i; for ((i = $#; i >= 1; i--)); do out+=("${!i}"); done; echo "${out[@]}"; }
ro_attach() {
  local dev
  dev=$(losetup -r -f --show "$1" 2>/dev/null) || { echo "SKIP: loop devices unavailable" >&2; exit 77; }
  echo "$dev"
}

for md in 1.0 1.1 1.2; do
  for level in 1 5; do
    n=$((level == 1 ? 2 : 3))
    members=()
    for ((i = 0; i < n; i++)); do members+=("m$i.img"); done
    rm -f m*.img* *.llbmp
    "$LLBITMAP" create --level $level --raid-disks $n --size 64M --metadata $md --states 0-9:dirty "${members[@]}" >/dev/null
    keep orig "${members[@]}"
    ctx="metadata $md raid$level"

    # dump --save, change the bitmap, restore: the member byte for byte as saved.
    run "$LLBITMAP" dump --save m0.llbmp m0.img; expect_rc 0; expect_out "m0.llbmp: read back and verified"
    run "$LLBITMAP" edit --set-state 0-99:need_sync "${members[@]}"; expect_rc 0
    run "$LLBITMAP" restore m0.llbmp m0.img; expect_rc 0; expect_out "m0.img: got the metadata of m0.img"
    cmp -s m0.img m0.img.orig || fail "$ctx: dump --save did not restore m0.img"

    # Another device: refused, naming the target and the saved member, nothing written.
    keep before m1.img
    run "$LLBITMAP" restore m0.llbmp m1.img; expect_rc 1; expect_one_err_line
    expect_err "m1.img: md.device_uuid="; expect_err "matches no saved member"; expect_err "the saved m0.img"
    expect_err "(--force restores anyway, across devices)"
    same_as before m1.img
    run "$LLBITMAP" restore --force m0.llbmp m1.img; expect_rc 0; expect_out "--force: restored across devices"
    cmp -s m1.img m0.img.orig || fail "$ctx: --force did not restore m0's metadata onto m1.img"

    # edit --backup-file of every member, restored with the targets reversed.
    for f in "${members[@]}"; do cp "$f.orig" "$f"; done
    run "$LLBITMAP" edit --backup-file all.llbmp --set-state 0-50:dirty,77:need_sync "${members[@]}"; expect_rc 0
    expect_out "read back and verified"
    # shellcheck disable=SC2046
    run "$LLBITMAP" restore all.llbmp $(reversed "${members[@]}"); expect_rc 0
    for f in "${members[@]}"; do expect_out "$f: got the metadata of $f"; done
    same_as orig "${members[@]}"

    # convert --backup-file: the verified backup undoes the conversion.
    run "$LLBITMAP" convert --to classic --backup-file conv.llbmp "${members[@]}"; expect_rc 0
    expect_out "read back and verified"
    [ "$("$LLBITMAP" examine --format export m0.img | sed -n 's/^LLBITMAP_VERSION=//p')" = 4 ] || fail "$ctx: not converted"
    # shellcheck disable=SC2046
    run "$LLBITMAP" restore conv.llbmp $(reversed "${members[@]}"); expect_rc 0
    same_as orig "${members[@]}"
  done
done

# A read-only loop device among the targets: every writing command refuses
# before its first byte, leaves no backup and prints no success line.
rm -f m*.img* *.llbmp
"$LLBITMAP" create --level 1 --raid-disks 2 --size 64M m0.img m1.img >/dev/null
"$LLBITMAP" dump --save m0.llbmp m0.img >/dev/null
"$LLBITMAP" dump --save m1.llbmp m1.img >/dev/null
"$LLBITMAP" edit --backup-file pair.llbmp --set-state 0:dirty m0.img m1.img >/dev/null
"$LLBITMAP" restore pair.llbmp m1.img m0.img >/dev/null
keep orig m0.img m1.img
rw=$(loop_attach m0.img)
ro=$(ro_attach m1.img)
for cmd in "edit --backup-file busy.llbmp --set-state 0:dirty" "convert --to classic --backup-file busy.llbmp" \
  "create --force" "replay-resync --commit --force" "restore pair.llbmp"; do
  # shellcheck disable=SC2086
  run "$LLBITMAP" $cmd "$rw" "$ro"; expect_rc 1; expect_one_err_line
  expect_err "$ro: read-only block device"
  ! grep -E "wrote|edited|is now|got the|Committed|backup:" <<<"$OUT" || fail "$cmd: a success line before the refusal: $OUT"
  [ ! -e busy.llbmp ] || fail "$cmd: left a backup of a refused write"
  same_as orig m0.img m1.img
done
losetup -d "$rw" "$ro"
# Through loop devices, given in the other order: each gets its own member back.
"$LLBITMAP" edit --set-state 0-99:dirty m0.img m1.img >/dev/null
l0=$(loop_attach m0.img); l1=$(loop_attach m1.img)
run "$LLBITMAP" restore pair.llbmp "$l1" "$l0"; expect_rc 0
expect_out "$l1: got the metadata of m1.img"; expect_out "$l0: got the metadata of m0.img"
run "$LLBITMAP" dump --save l0.llbmp "$l0"; expect_rc 0; expect_out "read back and verified"
run "$LLBITMAP" restore l0.llbmp "$l1"; expect_rc 1; expect_err "matches no saved member"
losetup -d "$l0" "$l1"
same_as orig m0.img m1.img

# A signal half-way: the phase it came in is finished and flushed, stderr says
# what each member holds and how to undo; the undo gives the members back.
# An edit of two members: per phase one write and one flush each, so step 5
# opens phase 2 (the new states) and step 1 phase 1 (the STALE mark).
for at in 5 1:INT; do
  rm -f bk.llbmp
  run env LLBITMAP_SIGNAL_AT=$at "$LLBITMAP" edit --backup-file bk.llbmp --set-state 0-99:dirty m0.img m1.img; expect_rc 1
  expect_err "m0.img: left STALE"; expect_err "m1.img: left STALE"
  expect_err "undo with: llbitmap restore bk.llbmp m0.img m1.img"
  expect_err "signal=SIG"; expect_err "interrupted: stopped after phase"
  grep -c . <<<"$ERR" | grep -qx 4 || fail "stderr: two members, the undo line and the error: $ERR"
  [ -z "$(grep edited <<<"$OUT")" ] || fail "an interrupted edit printed success: $OUT"
  for f in m0.img m1.img; do
    flags=$({ "$LLBITMAP" examine --format export $f 2>/dev/null || true; } | sed -n 's/^LLBITMAP_STATE_FLAGS=//p')
    [[ ",$flags," == *,stale,* ]] || fail "$f is not STALE after the interrupted edit: $flags"
  done
  run "$LLBITMAP" restore bk.llbmp m1.img m0.img; expect_rc 0
  same_as orig m0.img m1.img
done
# A signal in the last phase: the write completes.
run env LLBITMAP_SIGNAL_AT=11 "$LLBITMAP" edit --set-state 0-99:dirty m0.img m1.img; expect_rc 0
expect_out "m0.img: edited 100 chunk states"
cp m0.img.orig m0.img; cp m1.img.orig m1.img
# A failed write reports the same way; without a backup it says so.
run env LLBITMAP_FAULT_AT=6 "$LLBITMAP" edit --set-state 0-99:dirty m0.img m1.img; expect_rc 1
expect_err "m0.img: left STALE"; expect_err "m1.img: left STALE"; expect_err "no backup was saved"
expect_err "injected fault at write 6"
# An interrupted restore says how to finish it; that command finishes it.
run env LLBITMAP_SIGNAL_AT=1 "$LLBITMAP" restore pair.llbmp m1.img m0.img; expect_rc 1
expect_err "finish with: llbitmap restore pair.llbmp m1.img m0.img"
run "$LLBITMAP" restore pair.llbmp m1.img m0.img; expect_rc 0
same_as orig m0.img m1.img
# Into a new image: the command it gives finishes it too (the image has no md superblock yet).
rm -f half.img
run env LLBITMAP_SIGNAL_AT=1 "$LLBITMAP" restore pair.llbmp half.img m0.img; expect_rc 1
expect_err "finish with: llbitmap restore pair.llbmp half.img m0.img --force"
run "$LLBITMAP" restore pair.llbmp half.img m0.img --force; expect_rc 0
cmp -s half.img m1.img.orig || fail "the finished restore did not give half.img m1's metadata"
same_as orig m0.img
# A failure at the first write changes nothing and says so.
run env LLBITMAP_FAULT_AT=1 "$LLBITMAP" create --force m0.img m1.img; expect_rc 1
expect_err "m0.img: left old"; expect_err "m1.img: left old"; expect_err "nothing was written"
[ -z "$OUT" ] || fail "create printed success before failing: $OUT"
same_as orig m0.img m1.img

# Restore refusals: two targets that are one member; a new image file takes
# the saved member left; fewer targets than saved members.
cp m0.img m0copy.img
run "$LLBITMAP" restore pair.llbmp m0.img m0copy.img; expect_rc 1; expect_one_err_line; expect_err "same member as another target"
run "$LLBITMAP" restore pair.llbmp m0.img new.img; expect_rc 0; expect_out "new.img: got the metadata of m1.img"
cmp -s new.img m1.img.orig || fail "the new image is not m1's metadata"
run "$LLBITMAP" restore pair.llbmp m0.img; expect_rc 2; expect_err "give one target for each (m0.img m1.img), in any order"
echo "PASS"
