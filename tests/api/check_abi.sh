#!/usr/bin/env bash
# The ABI of libllbmp.so against the previous build's, with libabigail:
#   check_abi.sh LIBRARY BASELINE_XML HEADER_DIR...
# BASELINE_XML is the ABI (abidw) of the library when this test last passed
# in this build tree. A change that can break a program built against that
# library (a symbol removed, a public type's layout or an enum changed) fails,
# unless the SONAME changed with it (the SOVERSION rule of ARCHITECTURE.md)
# or it is accepted with LLBITMAP_ACCEPT_ABI=1. Added symbols pass. Each pass
# makes this build the baseline. Exit 77 (skipped): abidiff is not installed,
# or there is no previous build to compare with yet.
set -euo pipefail
[ $# -ge 3 ] || { echo "usage: $0 LIBRARY BASELINE_XML HEADER_DIR..." >&2; exit 2; }
lib=$1 baseline=$2; shift 2
headers=() new_headers=()  # abidw's options, and abidiff's for the new library
for dir in "$@"; do headers+=(--headers-dir "$dir"); new_headers+=(--headers-dir2 "$dir"); done
if ! command -v abidiff >/dev/null || ! command -v abidw >/dev/null; then
  echo "SKIP: abidiff and abidw not installed (Debian package abigail-tools)"
  exit 77
fi
save() {
  mkdir -p "$(dirname "$baseline")"
  abidw "${headers[@]}" --drop-private-types --no-show-locs --out-file "$baseline.new" "$lib"
  mv "$baseline.new" "$baseline"
}
if [ ! -f "$baseline" ]; then
  save
  echo "SKIP: no previous build's ABI to compare with; this build's is saved as $baseline"
  exit 77
fi

soname() { objdump -p "$1" | awk '/SONAME/ {print $2}'; }
now=$(soname "$lib")
before=$(sed -n "s/.*<abi-corpus [^>]*soname='\([^']*\)'.*/\1/p" "$baseline" | head -1)
tmp=$(mktemp); trap 'rm -f "$tmp"' EXIT
rc=0
abidiff --no-added-syms "${new_headers[@]}" "$baseline" "$lib" >"$tmp" 2>&1 || rc=$?
if (( rc & 3 )); then
  echo "FAIL: abidiff could not compare (status $rc):"; cat "$tmp"; exit 1
fi
if (( rc == 0 )); then
  save
  echo "ABI unchanged since the previous build, or symbols added only ($now)"
  exit 0
fi
cat "$tmp"
if [ "$now" != "$before" ]; then
  save
  echo "ABI changed with the SONAME ($before -> $now): accepted, saved as the new baseline"
  exit 0
fi
if [ "${LLBITMAP_ACCEPT_ABI:-0}" = 1 ]; then
  save
  echo "ABI change accepted (LLBITMAP_ACCEPT_ABI=1), saved as the new baseline"
  exit 0
fi
cat <<MSG
FAIL: the change above can break a program built against the previous build of
$now (SONAME unchanged). The SOVERSION rule (ARCHITECTURE.md, "The public API"):
from 1.0 on, bump the major version; at 0.x a release may change the API, so
accept the change in this build tree with
  LLBITMAP_ACCEPT_ABI=1 ctest -R api.abi
MSG
exit 1
