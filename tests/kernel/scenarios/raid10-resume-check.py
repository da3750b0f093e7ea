"""raid10-resume's host checks after PHASE: llbitmap mid-reshape and the
resume preview against the kernel."""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kernel_facts import KEYS, bits, check, json_file, read_facts, words  # noqa: E402

directory, phase = sys.argv[1], int(sys.argv[2])


def facts(n):
    return read_facts(f"{directory}/console-{n}.log")


def load(name):
    return json_file(directory, name)


def per_chunk(label, runs_a, runs_b):
    a = {c: r["state"] for r in runs_a for c in range(r["first"], r["last"] + 1)}
    b = {c: r["state"] for r in runs_b for c in range(r["first"], r["last"] + 1)}
    differ = [c for c in sorted(set(a) | set(b)) if a.get(c) != b.get(c)]
    check(f"{label}-per-chunk", f"{len(differ)}-differ", "0-differ")
    if differ:
        print(f"@@FACT {label.replace('-', '_')}_differing={','.join(f'{c}:{a.get(c)}/{b.get(c)}' for c in differ[:40])}"
              " (chunk:ours/kernel)")


if phase == 2:
    f = facts(2)
    ex = load("examine-2.json")
    if ex:
        rs = ex.get("reshape") or {}
        check("mid-reshape-position", rs.get("position_sectors"), int(f.get("written_reshape_position", -1)))
        check("mid-reshape-header-chunks", ex["bitmap"]["chunks"], int(words(f, "written_metadata").get("chunks", -1)))
        print(f"@@FACT mid_reshape_sides=new {rs.get('new_side')} leftovers {rs.get('leftovers')} old {rs.get('old_side')}")
    p = load("resume.json")
    if p:
        check("resume-mid-reshape", p.get("mid_reshape"), True)
elif phase == 3:
    f = facts(3)
    p, ex, dump = load("resume.json"), load("examine-3.json"), load("dump-3.json")
    m = words(f, "daemon_metadata")
    print(f"@@FACT kernel_dmesg={f.get('dmesg')}")
    if p:
        rs = p["reshape"]
        check("resume-from", rs.get("resumed_from"), int(facts(2).get("written_reshape_position", -1)))
        a = bits(f, "resumed_bits")
        for key in KEYS:
            check(f"resume-load-{key}", rs["counts"]["after_load"][key], a.get(key))
        check("resume-header-chunks", rs["header"]["new"]["chunks"], int(m.get("chunks", -1)))
        check("resume-header-chunksize", rs["header"]["new"]["chunk_sectors"], int(m.get("chunksize", -1)))
        check("resume-header-sync-size", rs["header"]["new"]["sync_sectors"], int(f.get("daemon_array_sectors", -1)))
        print(f"@@FACT resume_preview=after {rs['counts']['after']} follow_up {json.dumps({k: rs['follow_up'][k] for k in ('resync', 'from_sector', 'need_sync_chunks', 'skipped_unwritten')})}")
        print(f"@@FACT kernel_finished={bits(f, 'finished_bits')} daemon={bits(f, 'daemon_bits')}")
        end = rs["follow_up"].get("end") or {}
        for key in KEYS:
            check(f"resume-end-{key}", end.get(key), bits(f, "daemon_bits").get(key))
        if dump:
            # The states after the reshape, the resync after it (from sector 0) and the daemon, chunk by chunk.
            per_chunk("resume-end", rs["follow_up"].get("end_runs") or [], dump["runs"])
    if ex:
        check("resumed-no-reshape", ex.get("reshape"), None)
        check("resumed-raid-disks", ex["raid_disks"], int(f.get("daemon_raid_disks", -1)))
        for key in KEYS:
            check(f"resumed-examine-{key}", ex["bitmap"]["states"][key], bits(f, "daemon_bits").get(key))
