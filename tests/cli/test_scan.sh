# examine --scan: members on loop devices found through libblkid, grouped by
# array uuid, in every format; the progress line only on a terminal.
source "$TESTLIB"

# A uuid of our own: other tests may have members attached at the same time.
hex=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
uuid_a=${hex:0:8}:${hex:8:8}:${hex:16:8}:${hex:24:8}
uuid_b=${hex:8:8}:${hex:0:8}:${hex:24:8}:${hex:16:8}

"$MKFIXTURE" a0.img --size-mib 64 --uuid "$uuid_a" --level 1 --raid-disks 2 --role 0 --state 0-9=2
"$MKFIXTURE" a1.img --size-mib 64 --uuid "$uuid_a" --level 1 --raid-disks 2 --role 1 --state 0-9=2
"$MKFIXTURE" b0.img --size-mib 64 --uuid "$uuid_b" --level 1 --raid-disks 2 --role 0 --state 0-4=3
a0=$(loop_attach a0.img); a1=$(loop_attach a1.img); b0=$(loop_attach b0.img)
udevadm settle 2>/dev/null || true

# json: one object per array, our two arrays with the right members.
run "$LLBITMAP" examine --scan --quiet --format json
[ "$RC" = 0 ] || [ "$RC" = 1 ] || fail "examine --scan exit $RC: $ERR"
members_of() {  # UUID -> sorted device list
  python3 -c 'import json,sys
g=[x for x in json.load(sys.stdin) if x["array_uuid"]==sys.argv[1]]
print(" ".join(sorted(m["device"] for x in g for m in x["members"])), len(g))' "$1" <<<"$OUT"
}
[ "$(members_of "$uuid_a")" = "$(printf '%s\n' "$a0" "$a1" | sort | tr '\n' ' ' | sed 's/ $//') 1" ] ||
  fail "array a: $(members_of "$uuid_a"), want $a0 $a1"
[ "$(members_of "$uuid_b")" = "$b0 1" ] || fail "array b: $(members_of "$uuid_b"), want $b0"
agree=$(python3 -c 'import json,sys; print([x["members_agree"] for x in json.load(sys.stdin) if x["array_uuid"]==sys.argv[1]][0])' "$uuid_a" <<<"$OUT")
[ "$agree" = True ] || fail "the members of array a should agree"

# text: one heading per array.
run "$LLBITMAP" examine --scan --brief
expect_out "Array $uuid_a (2 members)"
expect_out "Array $uuid_b (1 member)"
expect_out "Filename : $b0"

# prometheus: our members with their labels.
run "$LLBITMAP" examine --scan --format prometheus
expect_out "llbitmap_state_chunks{device=\"$b0\",array_uuid=\"$uuid_b\",state=\"need_sync\"} 5"
expect_out "llbitmap_dirty_chunks{device=\"$a1\",array_uuid=\"$uuid_a\"} 10"

# export: every line evals in bash (blank lines between members and arrays),
# one KEY=value per line; our member is among them.
run "$LLBITMAP" examine --scan --quiet --format export
[ "$RC" = 0 ] || [ "$RC" = 1 ] || fail "examine --scan --format export exit $RC: $ERR"
printf '%s\n' "$OUT" >scan-export.txt
! grep -v '^$' scan-export.txt | grep -qv '^LLBITMAP_[A-Z0-9_]*=' || fail "scan export: a line that is no KEY=value: $OUT"
devices=$(bash -c 'while IFS= read -r line; do [ -z "$line" ] && continue; eval "$line" || exit 9
                   case "$line" in LLBITMAP_DEVICE=*) echo "$LLBITMAP_DEVICE" ;; esac; done <scan-export.txt') ||
  fail "scan export does not eval: $OUT"
grep -qx "$b0" <<<"$devices" || fail "scan export lacks $b0: $devices"

# Usage: --scan with devices, or neither.
run "$LLBITMAP" examine --scan a0.img
expect_rc 2
expect_err "llbitmap examine: --scan"
run "$LLBITMAP" examine
expect_rc 2
expect_err "llbitmap examine: "

# Not a terminal: no progress line on stderr (only findings, which all start with the prefix).
run "$LLBITMAP" examine --scan --format json
if grep -v '^llbitmap examine: ' <<<"$ERR" | grep -q .; then fail "unexpected stderr: $ERR"; fi
! grep -q $'\r' <<<"$ERR" || fail "progress line written to a pipe"

# On a terminal (script(1) gives one): the progress line, unless --quiet.
if command -v script >/dev/null; then
  script -qec "\"$LLBITMAP\" examine --scan --format json >/dev/null" /dev/null >tty.txt || true
  grep -q "llbitmap examine: [0-9]*/[0-9]* (" tty.txt || fail "no progress line on a terminal: $(cat -v tty.txt)"
  script -qec "\"$LLBITMAP\" examine --scan --quiet --format json >/dev/null" /dev/null >quiet.txt || true
  ! grep -q "([0-9]*%)" quiet.txt || fail "progress line despite --quiet"
fi
# A cloned member (dd of a0) joins array a: three members, two of them with
# one device uuid and one role; the members do not agree and examine says why.
cp a0.img a0clone.img
clone=$(loop_attach a0clone.img)
udevadm settle 2>/dev/null || true
run "$LLBITMAP" examine --scan --quiet --format json
[ "$RC" = 1 ] || fail "examine --scan with a clone: exit $RC"
read -r -a devs <<<"$(members_of "$uuid_a")"
[ "${#devs[@]}" = 4 ] || fail "array a with the clone: ${devs[*]} (want three devices and one group)"
agree=$(python3 -c 'import json,sys; print([x["members_agree"] for x in json.load(sys.stdin) if x["array_uuid"]==sys.argv[1]][0])' "$uuid_a" <<<"$OUT")
[ "$agree" = False ] || fail "a clone in array a: the members should not agree"
grep -q "have the same device uuid" <<<"$ERR" || fail "no duplicate device uuid on stderr: $ERR"
grep -q "claim the same role" <<<"$ERR" || fail "no duplicate role on stderr: $ERR"
run "$LLBITMAP" examine --scan --quiet
expect_out "Array $uuid_a (3 members)"; expect_out "Members agree : no"; expect_out "md.role=0: "
losetup -d "$clone"
echo "scan ok"
