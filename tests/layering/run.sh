#!/usr/bin/env bash
# Proves the layers' direction is enforced by the build: for every layer of
# libllbmp, a source that includes a header of each layer it may use
# compiles against that layer's include root, and one that includes a header
# of any other layer does not ("No such file").
#   run.sh CXX LAYER_ROOTS INCLUDE_DIR... -- LAYER:USED,USED ...
set -euo pipefail
cxx=$1 roots=$2; shift 2
includes=()
while [ "$1" != -- ]; do includes+=(-I "$1"); shift; done
shift
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
all=()
for spec in "$@"; do all+=("${spec%%:*}"); done
fails=0 checks=0
for spec in "$@"; do
  layer=${spec%%:*}
  IFS=, read -r -a uses <<<"${spec#*:}"
  for other in "${all[@]}"; do
    header=$(cd "$roots/write/$other" && ls *.hpp | head -1)
    printf '#include "%s/%s"\nint main() {}\n' "$other" "$header" >"$tmp/probe.cpp"
    allowed=0
    for u in "${uses[@]}"; do [ "$u" = "$other" ] && allowed=1; done
    checks=$((checks + 1))
    if "$cxx" -std=c++20 -fsyntax-only -I "$roots/$layer" "${includes[@]}" "$tmp/probe.cpp" 2>"$tmp/err"; then
      if [ $allowed = 0 ]; then echo "FAIL: $layer includes $other/$header and it compiled"; fails=$((fails + 1)); fi
    else
      if [ $allowed = 1 ]; then echo "FAIL: $layer may use $other but $other/$header did not compile:"; head -3 "$tmp/err"; fails=$((fails + 1))
      elif ! grep -q "No such file" "$tmp/err"; then echo "FAIL: $layer including $other/$header failed for another reason:"; head -3 "$tmp/err"; fails=$((fails + 1)); fi
    fi
  done
done
echo "$checks include checks, $fails failed"
[ $fails = 0 ]
