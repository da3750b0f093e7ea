"""raid1-page0-resize's host checks: CONSOLE SERIES LABEL:SIZE... (the resizes in order).

Per resize: the preview made before it (replay-resync --size for the running
series) against the kernel: accepted or not, the chunk count, the chunks the
resync after a grow synced (7.2.13 forces mdadm's 0xFF to NeedSync, 7.3 grows
Unwritten chunks it skips), the states after that resync and the daemon; and
llbitmap's reading of vda then (the header's sync_size, the counts)."""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kernel_facts import KEYS, bits, check, read_facts, words  # noqa: E402

console, series, stages = sys.argv[1], sys.argv[2], [s.split(":", 1) for s in sys.argv[3:]]
facts = read_facts(console)


def parsed(name):
    try:
        r = json.loads(facts[name])
        return r[0] if isinstance(r, list) else r
    except Exception as e:
        print(f"@@CHECK FAIL {name} ours=unreadable kernel=- ({e})")
        return None


for label, size in stages:
    preview, ex = parsed(f"{label}_preview"), parsed(f"{label}_daemon_examine")
    meta = words(facts, f"{label}_metadata")
    after = bits(facts, f"{label}_daemon_bits")
    accepted = facts.get(f"{label}_grow_status") == "0"
    print(f"@@FACT {label}_kernel=accepted {accepted}, chunks {meta.get('chunks')}, forced to NeedSync"
          f" {facts.get(label + '_forced')}, after the daemon {after}; {facts.get(label + '_dmesg')}")
    if preview:
        rz = preview.get("resize") or {}
        check(f"{label}-preview-accepted", not rz.get("refused", True), accepted)
        check(f"{label}-preview-chunks", rz.get("new_chunks"), int(meta.get("chunks", -1)))
        check(f"{label}-preview-header-sync-size", rz.get("header_sync_sectors"),
              int(facts.get(f"{label}_component_size", -1)) * 2)
        resync = rz.get("resync")
        forced = int(facts.get(f"{label}_forced", -1))
        # The kernel logs every byte it forces to NeedSync (7.2.13: the grown chunks over mdadm's 0xFF).
        check(f"{label}-preview-resync-forced", (resync or {}).get("forced_chunks", 0), forced)
        end = (resync or {}).get("end") or rz.get("counts") or {}
        for key in KEYS:
            check(f"{label}-preview-end-{key}", end.get(key), after.get(key))
    if ex:
        b = ex["bitmap"]
        check(f"{label}-examine-chunks", b["chunks"], int(words(facts, f"{label}_daemon_metadata").get("chunks", -1)))
        check(f"{label}-examine-header-sync-size", b["sync_size_sectors"], int(facts.get(f"{label}_daemon_component_size", -1)) * 2)
        for key in KEYS:
            check(f"{label}-examine-{key}", b["states"][key], after.get(key))
