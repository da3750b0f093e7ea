# The harness driver's helpers (sourced by tests/harness/run into every
# scenario, in the scenario's own temporary folder).
#
#   setup_array LEVEL N [CREATE-OPTION...]
#       fresh member images of one array (llbitmap create --level LEVEL
#       --raid-disks N, 64 MiB each unless --size is given) on loop devices:
#       sets $dev0 ... $dev(N-1) and $devlist; detaches those of an earlier call.
#   expect_fail CMD...      CMD must exit with status 1 and print one line on stderr (a refusal)
#   expect_status N CMD...  CMD must exit with status N (check: 1 problems found)
#   expect_usage CMD...     CMD must exit with status 2
#   expect_unchanged CMD... CMD must not change any member ($devlist)
#   harness_cleanup         detaches the loop devices (run at exit)

harness_loops=()

harness_detach() {
  local d
  for d in "${harness_loops[@]}"; do losetup -d "$d" 2>/dev/null || true; done
  harness_loops=()
}
harness_cleanup() { harness_detach; }

setup_array() {
  local level=$1 n=$2 i
  shift 2
  harness_detach
  local images=()
  for ((i = 0; i < n; i++)); do rm -f "member$i.img"; images+=("member$i.img"); done
  local size=(--size 64M)
  case " $* " in *" --size "*) size=() ;; esac
  "$LLBITMAP" create --level "$level" --raid-disks "$n" "${size[@]}" "$@" "${images[@]}" >/dev/null
  devlist=""
  for ((i = 0; i < n; i++)); do
    local dev
    dev=$(losetup -f --show "member$i.img")
    harness_loops+=("$dev")
    eval "dev$i=$dev"
    devlist="$devlist $dev"
  done
  devlist=${devlist# }
}

expect_fail() {
  local rc=0
  "$@" >expect.out 2>expect.err || rc=$?
  if [ "$rc" != 1 ] || [ "$(grep -c . expect.err)" != 1 ]; then
    echo "expect_fail: $* exited $rc with stderr:" >&2
    cat expect.err >&2
    return 1
  fi
}

expect_status() {
  local want=$1 rc=0
  shift
  "$@" >expect.out 2>expect.err || rc=$?
  [ "$rc" = "$want" ] || { echo "expect_status: $* exited $rc, not $want" >&2; cat expect.err >&2; return 1; }
}

expect_usage() {
  local rc=0
  "$@" >expect.out 2>expect.err || rc=$?
  [ "$rc" = 2 ] || { echo "expect_usage: $* exited $rc" >&2; return 1; }
}

member_sums() { local d; for d in $devlist; do head -c 1048576 "$d" | sha256sum; done; }  # the metadata before the data
expect_unchanged() {  # CMD...: CMD leaves every member's metadata as it was; returns CMD's status
  local before after rc=0
  before=$(member_sums)
  "$@" || rc=$?
  after=$(member_sums)
  [ "$before" = "$after" ] || { echo "expect_unchanged: $* changed a member" >&2; return 1; }
  return $rc
}
