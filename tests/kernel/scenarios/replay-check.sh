# Shared by the crash scenarios' host checks (sourced): replay-resync's
# prediction for the kernel under test, and its comparison with what that
# kernel did at the next assembly, when the sync ended and after the daemon.
replay_kernel=${KERNEL_SERIES:-7.2}

# replay_predict DIR IMAGE... [OPTION...]: the prediction from the crash
# images, with the per-chunk trace, into DIR/replay.json.
replay_predict() {
  local dir=$1
  shift
  "$LLBITMAP" replay-resync --kernel "$replay_kernel" --format json --trace "$@" >"$dir/replay.json" 2>"$dir/replay.err" ||
    echo "@@FAIL replay-resync: $(cat "$dir/replay.err")"
}

# replay_compare DIR PHASE [STOPPED_IMAGE]: with the facts assembled_bits,
# resynced_bits (when the sync ended) and, when given, daemon_bits (a daemon
# period later) of console-PHASE.log:
#  - the chunks the sync runs on (md counts them synced, copied or not) =
#    NeedSync + Syncing + Dirty at assembly;
#  - the predicted counts when the sync ends = the kernel's;
#  - the predicted counts after the daemon = the kernel's;
#  - every chunk's predicted end state = the stopped member's byte (llbitmap dump).
replay_compare() {
  local dir=$1 phase=$2 image=${3:-}
  local dump=
  if [ -n "$image" ]; then
    dump=$dir/stopped-dump.txt
    "$LLBITMAP" dump "$image" >"$dump" 2>&1 || echo "@@FAIL dump of the stopped member: $(tail -1 "$dump")"
  fi
  python3 - "$dir/replay.json" "$dir/console-$phase.log" "$dump" <<'PY'
import json, re, sys
path, console, dump = sys.argv[1:4]
facts = {}
for line in open(console, errors="replace"):
    m = re.match(r"@@FACT (\w+)=(.*)", line.strip())
    if m:
        facts[m.group(1)] = m.group(2)
def bits(name):
    return {k: int(v) for k, v in (kv.split("=", 1) for kv in facts.get(name, "").split() if "=" in kv)}
def check(name, ours, kernel):
    print(f"@@CHECK {'ok' if ours == kernel else 'FAIL'} {name} ours={ours} kernel={kernel}")
try:
    r = json.load(open(path))
except Exception as e:
    print(f"@@CHECK FAIL replay-json ours=none kernel=- ({e})")
    sys.exit(0)
keys = ("unwritten", "clean", "dirty", "need_sync", "syncing")
a = bits("assembled_bits")
# Reload leaves no chunk Dirty, so a Dirty one in the snapshot was synced
# already (7.2.13 ends the first chunk at the sync's first flush).
check("replay-synced-chunks", r["synced_chunks"], a.get("need_sync", 0) + a.get("syncing", 0) + a.get("dirty", 0))
z = bits("resynced_bits")
for key in keys:
    check(f"replay-after-sync-{key}", r["counts"]["after_sync"][key], z.get(key))
d = bits("daemon_bits")
if d:
    for key in keys:
        check(f"replay-after-daemon-{key}", r["counts"]["end"][key], d.get(key))
if dump:
    # Every chunk: the last state of its trace path against the stopped member.
    ours = {}
    for t in r["trace"]:
        state = t["path"].split()[-1]
        for c in range(t["first_chunk"], t["last_chunk"] + 1):
            ours[c] = state
    theirs = {}
    for line in open(dump):
        m = re.match(r"(\d+)(?:-(\d+))? (\S+)", line.strip())
        if m:
            first = int(m.group(1)); last = int(m.group(2) or first)
            for c in range(first, last + 1):
                theirs[c] = m.group(3)
    differ = [c for c in sorted(set(ours) | set(theirs)) if ours.get(c) != theirs.get(c)]
    example = f" (first: chunk {differ[0]} ours={ours.get(differ[0])} disk={theirs.get(differ[0])})" if differ else ""
    check("replay-end-per-chunk", f"{len(differ)}-differ", "0-differ")
    if differ:
        print(f"@@FACT replay_end_differs{example}")
PY
}
