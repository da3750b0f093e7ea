# Output that scripts trust: export lines are safe for eval whatever the file
# name, JSON keeps names exact (valid UTF-8 as is, invalid bytes as \udcXX,
# see llbitmap(8) OUTPUT FORMATS) and every number exact for jq, and no
# command writes JSON or export lines by hand.
source "$TESTLIB"

hostile="a'b;touch PWNED;\$(touch PWNED2)\`touch PWNED3\` x"
invalid=$'bad\xff\xc3(-caf\xc3\xa9-\\x5c.img'
control=$'ctl\n\x1b[1m\t.img'
names=("$hostile" "$invalid" "$control")

nothing_ran() {
  ! ls PWNED* >/dev/null 2>&1 || fail "$1: a command in a file name ran"
}

# eval_lines SHELL FILE: evals each line of FILE in SHELL, then prints the
# variables NAMES... given after it (one per line, as od -c for exactness).
eval_lines() {
  local shell=$1 file=$2
  shift 2
  "$shell" -c 'while IFS= read -r line; do eval "$line" || exit 9; done <"$1"; shift
               for v in "$@"; do eval "printf %s \"\${$v}\"" | od -An -c | tr -s " \n" " "; echo; done' \
    eval-lines "$file" "$@"
}
od_of() { printf %s "$1" | od -An -c | tr -s " \n" " "; echo; }

# json_name_is JSON EXPR NAME: EXPR (python on j) decodes back to NAME's bytes
# by the surrogateescape rule.
json_name_is() {
  python3 -c 'import json, os, sys
j = json.loads(sys.stdin.read())
got = eval(sys.argv[1]).encode("utf-8", "surrogateescape")
want = os.fsencode(sys.argv[2])
sys.exit(0 if got == want else "got %r want %r" % (got, want))' "$2" "$3" <<<"$1"
}

for name in "${names[@]}"; do
  "$MKFIXTURE" "$name" --level 1 --raid-disks 2 --role 0 --state 0-9=2
  "$MKFIXTURE" "$name.b" --level 1 --raid-disks 2 --role 1 --state 0-11=2
  label=$(od_of "$name")

  # examine --format export: every line evals to the name, nothing runs.
  run "$LLBITMAP" examine --format export "$name"
  expect_rc 0
  printf '%s\n' "$OUT" >export.txt
  [ "$(wc -l <export.txt)" = "$(grep -c '^LLBITMAP_[A-Z0-9_]*=' export.txt)" ] || fail "$label: not one KEY=value per line: $OUT"
  [ "$(eval_lines bash export.txt LLBITMAP_DEVICE LLBITMAP_DIRTY)" = "$label"$'\n'"$(od_of 10)" ] ||
    fail "$label: bash eval gives $(eval_lines bash export.txt LLBITMAP_DEVICE)"
  nothing_ran "examine export $label"
  if [ "$name" != "$control" ]; then  # dash has no $'...': the control-character form is for bash and POSIX.1-2024 shells
    [ "$(eval_lines dash export.txt LLBITMAP_DEVICE)" = "$label" ] || fail "$label: dash eval differs"
    nothing_ran "examine export in dash $label"
  fi

  # check --format export: the device names in the findings and sources.
  run "$LLBITMAP" check --format export "$name" "$name.b"
  expect_rc 1
  printf '%s\n' "$OUT" >check.txt
  [ "$(eval_lines bash check.txt LLBITMAP_CHECK_KERNEL_SOURCE)" = "$label" ] || fail "$label: check KERNEL_SOURCE"
  grep -q '^LLBITMAP_CHECK_FINDING_0=' check.txt || fail "$label: check export has no finding: $OUT"
  [ "$(wc -l <check.txt)" = "$(grep -c '^LLBITMAP_CHECK_[A-Z0-9_]*=' check.txt)" ] || fail "$label: check export lines: $OUT"
  nothing_ran "check export $label"

  # JSON of every command that writes it: parses, and the name comes back exactly.
  run "$LLBITMAP" examine --format json "$name"
  expect_rc 0
  json_name_is "$OUT" "j[0]['device']" "$name" || fail "$label: examine json device"
  run "$LLBITMAP" check --format json "$name" "$name.b"
  json_name_is "$OUT" "j['kernel_source']" "$name" || fail "$label: check json kernel_source"
  json_name_is "$OUT" "j['findings'][0]['message'].split('; ')[1].split(': ')[0]" "$name" || fail "$label: check json finding message: $OUT"
  run "$LLBITMAP" dump --format json "$name"
  expect_rc 0
  json_name_is "$OUT" "j['device']" "$name" || fail "$label: dump json device"
  run "$LLBITMAP" replay-resync --format json "$name" "$name.b"
  expect_rc 0
  json_name_is "$OUT" "j['device']" "$name" || json_name_is "$OUT" "j['device']" "$name.b" || fail "$label: replay json device: $OUT"
  printf 'fio version 2 iolog\n/dev/sdb add\n/dev/sdb open\n/dev/sdb write 0 4096\n' >"$name.trace"
  run "$LLBITMAP" simulate --size 64M --format json "$name.trace"
  expect_rc 0
  json_get "$OUT" "j[0]['events']" >/dev/null || fail "$label: simulate json"
  nothing_ran "json $label"
  if command -v jq >/dev/null; then
    "$LLBITMAP" examine --format json "$name" | jq -e '.[0].device | type == "string"' >/dev/null || fail "$label: jq cannot read examine json"
  fi
  # text: control characters and invalid bytes never reach the terminal raw.
  run "$LLBITMAP" examine "$name"
  ! grep -q $'\x1b\|\xff' <<<"$OUT" || fail "$label: raw bytes in text output"
done

# Error lines on stderr follow the text rule too.
run "$LLBITMAP" examine $'missing\x1b[2J\xff.img'
expect_rc 1
expect_err 'missing\x1b[2J\xff.img'
! grep -q $'\x1b' <<<"$ERR" || fail "an escape byte reached the terminal: $(cat -v <<<"$ERR")"

# Valid UTF-8 stays as is in JSON (not \xc3\xa9 or \u00e9), a backslash is \\.
"$MKFIXTURE" $'caf\xc3\xa9\\.img'
run "$LLBITMAP" examine --format json $'caf\xc3\xa9\\.img'
expect_out $'"device": "caf\xc3\xa9\\\\.img"'
run "$LLBITMAP" dump --format json $'caf\xc3\xa9\\.img'
expect_out $'"device": "caf\xc3\xa9\\\\.img"'

# Numbers stay exact for jq and JavaScript: MaxSector is null, a value above
# 2^53 - 1 (here md events from a hostile superblock) a string of digits.
"$MKFIXTURE" big.img --events 18446744073709551615 --bitmap-events 9007199254740993
run "$LLBITMAP" examine --format json big.img
[ "$(json_get "$OUT" "j[0]['resync_offset_sectors']")" = None ] || fail "MaxSector resync_offset should be null: $OUT"
[ "$(json_get "$OUT" "repr(j[0]['md_events'])")" = "'18446744073709551615'" ] || fail "md events not an exact string"
[ "$(json_get "$OUT" "repr(j[0]['bitmap']['events'])")" = "'9007199254740993'" ] || fail "bitmap events not an exact string"
[ "$(json_get "$OUT" "repr(j[0]['data_offset_sectors'])")" = 2048 ] || fail "small numbers stay numbers"
if command -v jq >/dev/null; then
  [ "$(jq -r '.[0].md_events' <<<"$OUT")" = 18446744073709551615 ] || fail "jq reads md_events inexactly"
  [ "$(jq -r '.[0].resync_offset_sectors' <<<"$OUT")" = null ] || fail "jq resync_offset"
fi
run "$LLBITMAP" examine --format export big.img
expect_out "LLBITMAP_MD_EVENTS=18446744073709551615"
expect_out "LLBITMAP_RESYNC_OFFSET_SECTORS=none"
# A resync offset that is a sector stays a number (offset 208, low word first).
"$MKFIXTURE" resync.img --md-u32 208=4096 --md-u32 212=0
run "$LLBITMAP" examine --format json resync.img
[ "$(json_get "$OUT" "j[0]['resync_offset_sectors']")" = 4096 ] || fail "resync_offset 4096"

# Problems keep one label whatever their count, in full text and --brief.
"$MKFIXTURE" two.img --bitmap classic --raw-area 48=6
for mode in "" --brief; do
  run "$LLBITMAP" examine $mode two.img
  expect_rc 1
  [ "$(grep -c '^ *Problems : error: ' <<<"$OUT")" = 1 ] || fail "examine $mode: one Problems label: $OUT"
  [ "$(grep -c '^ *: error: ' <<<"$OUT")" = 1 ] || fail "examine $mode: the second problem under the same label: $OUT"
  ! grep -q 'Findings' <<<"$OUT" || fail "examine $mode: a second label for problems: $OUT"
done

# One implementation of each: no command dumps JSON or prints KEY=value itself.
tools="${LLBITMAP_SOURCE_DIR:?}/tools"
! grep -rn --include='*.cpp' '\.dump(' "$tools" | grep -v '^[^:]*/render/escape\.cpp:' || fail "JSON dumped outside tools/render/escape.cpp"
! grep -rn --include='*.cpp' 'print([^)]*"[A-Z_]*LLBITMAP_[A-Z_]*=' "$tools" || fail "export lines printed outside ExportLines"
echo "test_output_trust: ok"
