# Shared by the crash scenarios' host checks (sourced).
# simulate_check DIR SIMULATE-OPTIONS...: what simulate leaves on disk at the
# crash equals the out-of-sync chunks the kernel had before the reset.
simulate_check() {
  local dir=$1 size ours kernel
  shift
  size=$(sed -n 's/^LLBITMAP_SYNC_SIZE_SECTORS=//p' "$dir/crash-examine.txt")
  ours=$("$LLBITMAP" simulate --size "${size}s" --crash-at 1 --format json "$@" "$dir/writes.iolog" 2>&1 |
    python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["dirty_on_disk"])' 2>/dev/null || echo none)
  kernel=$(sed -n 's/^@@FACT crash_bits=//p' "$dir/console-1.log" | tr ' ' '\n' |
    awk -F= '$1 == "dirty" || $1 == "need_sync" || $1 == "syncing" {n += $2} END {print n + 0}')
  if [ "$ours" = "$kernel" ]; then r=ok; else r=FAIL; fi
  echo "@@CHECK $r simulate-dirty-at-crash ours=$ours kernel=$kernel"
}
