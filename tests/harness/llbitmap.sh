# Shell helpers for mdadm-style test harnesses (source this file). They wrap
# the llbitmap CLI: no byte offsets, dd or od in the harness.
#   LLBITMAP   the llbitmap binary (default: llbitmap on PATH)
#
#   llbitmap_dirty DEV               chunks not known to be in sync (examine's "dirty")
#   llbitmap_count DEV STATE         chunks in STATE (unwritten, clean, dirty, need_sync, ...)
#   llbitmap_field DEV KEY           an examine export value, e.g. EVENTS, CHUNKS, STATE_FLAGS
#   llbitmap_set_state SPEC DEV...   e.g. llbitmap_set_state 0-99:dirty /dev/sdb1 /dev/sdc1
#   llbitmap_tear SPEC DEV           change one member only: the array's members disagree
#   llbitmap_expect_consistent DEV...  fails (status 1, a message) unless check finds nothing
#   llbitmap_resync_chunks [OPT] DEV...  chunks the next assembly resyncs (replay-resync; --member DEV, --merge worst)
#   llbitmap_check_field KEY DEV...  a check export value, e.g. DIFFERING_BLOCKS, KERNEL_SOURCE, ERRORS
: "${LLBITMAP:=llbitmap}"

llbitmap_field() {
  { "$LLBITMAP" examine --format export "$1" 2>/dev/null || true; } | sed -n "s/^LLBITMAP_$2=//p"
}
llbitmap_dirty() { llbitmap_field "$1" DIRTY; }
llbitmap_count() { llbitmap_field "$1" "STATE_$(echo "$2" | tr a-z A-Z)"; }
llbitmap_set_state() {
  local spec=$1; shift
  "$LLBITMAP" edit --set-state "$spec" "$@" >/dev/null
}
llbitmap_tear() { llbitmap_set_state "$1" "$2"; }
llbitmap_expect_consistent() {
  local out
  if ! out=$("$LLBITMAP" check "$@" 2>&1); then
    echo "llbitmap_expect_consistent: $*:" >&2
    echo "$out" >&2
    return 1
  fi
}
llbitmap_resync_chunks() {
  "$LLBITMAP" replay-resync --format json "$@" | sed -n 's/^ *"synced_chunks": \([0-9]*\),\{0,1\}$/\1/p'
}
llbitmap_check_field() {
  local key=$1; shift
  { "$LLBITMAP" check --format export "$@" 2>/dev/null || true; } | sed -n "s/^LLBITMAP_CHECK_$key=//p"
}
