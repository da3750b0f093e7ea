"""raid1-page0-resize's host checks: DIR PHASE SERIES.

Phase 1: the grow's preview (replay-resync --size for the running series)
against the kernel: accepted, the chunk count, the header's sync_size, the
chunks the resync after the grow forced to NeedSync (7.2.13: the grown
chunks over mdadm's 0xFF; 7.3: none, its grown chunks are Unwritten), the
states after that resync and the daemon; llbitmap's reading of vda then.
Phase 2: the replay of the next assembly, made from boot 1's stopped
members, against the kernel's resync and daemon."""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kernel_facts import KEYS, bits, check, json_file, json_text as parsed, read_facts, words  # noqa: E402

directory, phase, series = sys.argv[1], int(sys.argv[2]), sys.argv[3]
facts = read_facts(f"{directory}/console-{phase}.log")


if phase == 1:
    preview, ex = parsed(facts.get("grown_preview", ""), "grown_preview"), parsed(facts.get("grown_daemon_examine", ""), "examine")
    meta = words(facts, "grown_metadata")
    after = bits(facts, "grown_daemon_bits")
    forced = int(facts.get("grown_forced", -1))
    accepted = facts.get("grown_grow_status") == "0"
    print(f"@@FACT kernel_grow=accepted {accepted}, chunks {meta.get('chunks')}, forced to NeedSync {forced},"
          f" after the resync and the daemon {after}; {facts.get('grown_dmesg')}")
    if preview:
        rz = preview.get("resize") or {}
        check("grow-preview-accepted", not rz.get("refused", True), accepted)
        check("grow-preview-chunks", rz.get("new_chunks"), int(meta.get("chunks", -1)))
        check("grow-preview-header-sync-size", rz.get("header_sync_sectors"), int(facts.get("grown_component_size", -1)) * 2)
        resync = rz.get("resync") or {}
        check("grow-preview-resync-forced", resync.get("forced_chunks"), forced)
        check("grow-preview-resync-synced", resync.get("synced_chunks"), 0)
        for key in KEYS:
            check(f"grow-preview-end-{key}", (resync.get("end") or {}).get(key), after.get(key))
    if ex:
        b = ex["bitmap"]
        check("grown-examine-chunks", b["chunks"], int(words(facts, "grown_daemon_metadata").get("chunks", -1)))
        check("grown-examine-header-sync-size", b["sync_size_sectors"], int(facts.get("grown_daemon_component_size", -1)) * 2)
        # The forced NeedSync bytes are written back with their block (7.2.13).
        for key in KEYS:
            check(f"grown-examine-{key}", b["states"][key], after.get(key))
else:
    replay = json_file(directory, "replay.json")
    print(f"@@FACT kernel_assembly=loaded {bits(facts, 'assembled_bits')} end {bits(facts, 'daemon_bits')}; {facts.get('dmesg')}")
    if replay:
        a, d = bits(facts, "assembled_bits"), bits(facts, "daemon_bits")
        load = replay["counts"]["after_load"]
        # Read just after the assembly: the resync may have begun (NeedSync -> Syncing -> Dirty).
        for key in ("unwritten", "clean"):
            check(f"replay-load-{key}", load[key], a.get(key))
        check("replay-load-out-of-sync", load["need_sync"] + load["syncing"] + load["dirty"],
              a.get("need_sync", 0) + a.get("syncing", 0) + a.get("dirty", 0))
        check("replay-synced", replay["synced_chunks"], a.get("need_sync", 0) + a.get("syncing", 0) + a.get("dirty", 0))
        for key in KEYS:
            check(f"replay-end-{key}", replay["counts"]["end"][key], d.get(key))
