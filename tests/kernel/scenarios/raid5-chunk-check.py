"""raid5-chunk's host checks: the previews and llbitmap's reading against the kernel's facts."""
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kernel_facts import KEYS, bits, check, read_facts, words  # noqa: E402

directory = sys.argv[1]
facts = read_facts(f"{directory}/console-2.log")


def load(name):
    try:
        r = json.load(open(f"{directory}/{name}"))
        return r[0] if isinstance(r, list) else r
    except Exception as e:
        print(f"@@CHECK FAIL {name} ours=unreadable kernel=- ({e})")
        return None


small, large = load("preview-256K.json"), load("preview-1M.json")
if small:
    rs = small["reshape"]
    kernel_refused = facts.get("smaller_grow_status") != "0" and "Operation not supported" in facts.get("smaller_grow", "")
    check("smaller-preview-refused", rs["refused"], kernel_refused)
    check("smaller-preview-errno", sorted({r.get("errno") for r in rs["refusals"]}), ["EOPNOTSUPP"] if kernel_refused else [])
    check("smaller-chunk-kept", rs["old"]["chunk_sectors"] * 512, int(facts.get("smaller_chunk_size", -1)))
if large:
    rs = large["reshape"]
    check("larger-preview-refused", rs["refused"], facts.get("larger_grow_status") != "0")
    check("larger-preview-array-chunk", rs["new"]["chunk_sectors"] * 512, int(facts.get("daemon_chunk_size", -1)))
    meta = words(facts, "daemon_metadata")
    check("larger-preview-header-chunks", rs["header"]["new"]["chunks"], int(meta.get("chunks", -1)))
    check("larger-preview-header-chunksize", rs["header"]["new"]["chunk_sectors"], int(meta.get("chunksize", -1)))
    check("larger-bitmap-chunk-stays", int(words(facts, "assembled_metadata").get("chunksize", -2)), int(meta.get("chunksize", -1)))
    for key in KEYS:
        check(f"larger-preview-load-{key}", rs["counts"]["after_load"][key], bits(facts, "assembled_bits").get(key))
    fin = bits(facts, "larger_bits")
    check("larger-preview-follow-up-synced", rs["follow_up"]["need_sync_chunks"],
          fin.get("dirty", 0) + fin.get("need_sync", 0) + fin.get("syncing", 0))
    d = bits(facts, "daemon_bits")
    after = rs["counts"]["after"]
    print(f"@@FACT larger_preview_after=clean {after['clean']} unwritten {after['unwritten']} need_sync {after['need_sync']};"
          f" kernel after the daemon: clean {d.get('clean')} unwritten {d.get('unwritten')}")
    try:
        svg = open(f"{directory}/preview-1M.svg").read()
        ours = {int(c): s for c, s in re.findall(r"<title>chunk (\d+): (\w+)</title>", svg)}
    except OSError as e:
        print(f"@@CHECK FAIL larger-preview-picture ours=none kernel=- ({e})")
        ours = {}
    dump = load("dump-2.json")
    if dump and ours:
        theirs = {c: r["state"] for r in dump["runs"] for c in range(r["first"], r["last"] + 1)}
        differ = [c for c in sorted(set(ours) | set(theirs)) if ours.get(c) != theirs.get(c)]
        check("larger-preview-per-chunk", f"{len(differ)}-differ", "0-differ")
        print(f"@@FACT larger_preview_chunks_differing=({len(differ)}) "
              + (",".join(f"{c}:{ours.get(c)}/{theirs.get(c)}" for c in differ[:40]) or "none"))
ex = load("examine-2.json")
if ex:
    meta = words(facts, "daemon_metadata")
    check("larger-examine-no-reshape", ex.get("reshape"), None)
    check("larger-header-chunks", ex["bitmap"]["chunks"], int(meta.get("chunks", -1)))
    check("larger-header-chunksize", ex["bitmap"]["chunksize_sectors"], int(meta.get("chunksize", -1)))
    for key in KEYS:
        check(f"larger-examine-{key}", ex["bitmap"]["states"][key], bits(facts, "daemon_bits").get(key))
