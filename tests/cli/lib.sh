# Shared helpers for the CLI tests (sourced). The tests run the built binary
# ($LLBITMAP) on fixtures made by $MKFIXTURE in a temporary folder.
set -euo pipefail

: "${LLBITMAP:?LLBITMAP must point to the built llbitmap binary}"
: "${MKFIXTURE:?MKFIXTURE must point to the built mkfixture binary}"

TMP=$(mktemp -d /tmp/llbitmap-test.XXXXXX)
# Loop devices are found by their backing file at exit: loop_attach runs in a
# command substitution, so it cannot record them in a variable of this shell.
cleanup() {
  local dev file
  while read -r dev file; do
    case "$file" in "$TMP"/*) losetup -d "$dev" 2>/dev/null || true ;; esac
  done < <(losetup --list --noheadings --output NAME,BACK-FILE 2>/dev/null || true)
  rm -rf "$TMP"
}
trap cleanup EXIT
cd "$TMP"

fail() { echo "FAIL: $*" >&2; exit 1; }

# run CMD...: runs a command capturing $OUT, $ERR and $RC (never aborts).
run() {
  set +e
  "$@" >"$TMP/.out" 2>"$TMP/.err"
  RC=$?
  set -e
  OUT=$(cat "$TMP/.out")
  ERR=$(cat "$TMP/.err")
}

expect_rc() {
  [ "$RC" = "$1" ] || fail "expected exit $1, got $RC; stdout: $OUT; stderr: $ERR"
}
expect_out() { grep -qF -- "$1" <<<"$OUT" || fail "stdout lacks '$1': $OUT"; }
expect_err() { grep -qF -- "$1" <<<"$ERR" || fail "stderr lacks '$1': $ERR"; }
expect_no_err() { [ -z "$ERR" ] || fail "expected empty stderr, got: $ERR"; }
expect_one_err_line() {
  [ "$(grep -c . <<<"$ERR")" = 1 ] || fail "expected exactly one stderr line, got: $ERR"
}

# json_get FILE-OR-STRING EXPR: evaluates a python expression on the parsed JSON `j`.
# The JSON goes through stdin: a scan's output can pass the argument size limit.
json_get() { python3 -c 'import json,sys; j=json.loads(sys.stdin.read()); print(eval(sys.argv[1]))' "$2" <<<"$1"; }

# loop_attach FILE: attaches a loop device, prints it; exits 77 (skip) when
# loop devices are unavailable. Detached automatically at exit.
loop_attach() {
  local dev
  if ! dev=$(losetup -f --show "$1" 2>/dev/null); then
    echo "SKIP: loop devices unavailable" >&2
    exit 77
  fi
  echo "$dev"
}

sha() { sha256sum "$1" | cut -d' ' -f1; }

# md_set_at IMAGE SB_BYTE FORMAT FIELD_OFFSET VALUE: set a field of the md
# superblock at SB_BYTE (FORMAT a python struct code: <Q, <I, <i) and fix its checksum.
md_set_at() {
  python3 - "$@" <<'PY'
import struct, sys
path, at, fmt, offset, value = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4], 0), int(sys.argv[5], 0)
with open(path, "r+b") as f:
    f.seek(at); sb = bytearray(f.read(4096))
    struct.pack_into(fmt, sb, offset, value)
    struct.pack_into("<I", sb, 216, 0)
    n = 256 + 2 * struct.unpack_from("<I", sb, 220)[0]
    total = sum(struct.unpack_from("<%dI" % (n // 4), sb, 0))
    if n % 4: total += struct.unpack_from("<H", sb, n - 2)[0]
    struct.pack_into("<I", sb, 216, ((total & 0xffffffff) + (total >> 32)) & 0xffffffff)
    f.seek(at); f.write(sb)
PY
}

# md_set_u64_at IMAGE SB_BYTE FIELD_OFFSET VALUE: set a 64-bit field.
md_set_u64_at() { md_set_at "$1" "$2" "<Q" "$3" "$4"; }

# md_get_u32 IMAGE OFFSET: a 32-bit field of a 1.2 member's md superblock.
md_get_u32() { od -An -tu4 -j $((4096 + $2)) -N4 "$1" | tr -d ' '; }
# md_set_s32 IMAGE OFFSET VALUE: set a (signed) 32-bit field of a 1.2 member.
md_set_s32() { md_set_at "$1" 4096 "<i" "$2" "$3"; }

# md_set_u64 IMAGE OFFSET VALUE: the same on a 1.2 member (superblock at 4096),
# e.g. resync_offset (208) to 0 for a member not shut down cleanly.
md_set_u64() { md_set_u64_at "$1" 4096 "$2" "$3"; }

# md_reshape IMAGE POSITION DELTA_DISKS [EXTRA_FEATURES]: marks the 1.2
# member mid-reshape at POSITION (array sectors), the old geometry having
# raid_disks - DELTA_DISKS devices, the same level, layout and chunk
# (EXTRA_FEATURES: 32 for MD_FEATURE_RESHAPE_BACKWARDS).
md_reshape() {
  md_set_s32 "$1" 8 $(( $(md_get_u32 "$1" 8) | 4 | ${4:-0} ))  # feature_map: RESHAPE_ACTIVE
  md_set_s32 "$1" 100 "$(md_get_u32 "$1" 72)"                   # new_level = level
  md_set_u64 "$1" 104 "$2"                                       # reshape_position
  md_set_s32 "$1" 112 "$3"                                       # delta_disks
  md_set_s32 "$1" 116 "$(md_get_u32 "$1" 76)"                   # new_layout = layout
  md_set_s32 "$1" 120 "$(md_get_u32 "$1" 88)"                   # new_chunk = chunksize
}
