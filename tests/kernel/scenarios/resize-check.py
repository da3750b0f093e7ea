"""Resize scenarios' host checks: CONSOLE LABEL:SIZE... (the stages in order).

Per stage, from the guest's facts: examine's header sync_size and chunk count
against the kernel's component_size and metadata, examine's state counts
against the kernel's bits, the chunks a grow added (0 bytes, Unwritten) or a
shrink cut (0 bytes), and a grow the kernel refused against the chunk limit
(sectors_reserved * 512 chunks) examine reads."""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kernel_facts import bits as kernel_bits, check, read_facts, words as kernel_words  # noqa: E402

KEYS = ("unwritten", "clean", "dirty", "need_sync", "syncing")
console, stages = sys.argv[1], [s.split(":", 1) for s in sys.argv[2:]]
facts = read_facts(console)


def parsed(name):
    try:
        r = json.loads(facts[name])
        return r[0] if isinstance(r, list) else r
    except Exception as e:
        print(f"@@CHECK FAIL {name} ours=unreadable kernel=- ({e})")
        return None


def words(name):
    return kernel_words(facts, name)


def bits(name):
    return kernel_bits(facts, name)


def sectors(size):
    return int(size[:-1]) * 2048 if size.endswith("M") else None


previous = None
for label, size in stages:
    ex, dump = parsed(f"{label}_examine"), parsed(f"{label}_dump")
    if not ex or not dump:
        continue
    meta = words(f"{label}_metadata")
    chunks, cs = int(meta.get("chunks", -1)), int(meta.get("chunksize", -1))
    component = int(facts.get(f"{label}_component_size", -1)) * 2  # KiB -> sectors
    b = ex["bitmap"]
    check(f"{label}-header-sync-size", b["sync_size_sectors"], component)
    check(f"{label}-chunks", b["chunks"], chunks)
    check(f"{label}-chunksize", b["chunksize_sectors"], cs)
    check(f"{label}-dump-chunks", dump["chunks"], chunks)
    for key in KEYS:
        check(f"{label}-{key}", b["states"][key], bits(f"{label}_bits").get(key))
    if previous is not None:
        status = facts.get(f"{label}_grow_status")
        wanted = sectors(size)
        limit = b["sectors_reserved"] * 512 * b["chunksize_sectors"]
        if size == "max":
            # The grow to the members' size: past the limit, so refused; the size stays.
            check(f"{label}-refused-past-limit", ex["data_size_sectors"] > limit,
                  status != "0" and "Operation not supported" in facts.get(f"{label}_grow", ""))
            check(f"{label}-refused-size-kept", b["chunks"], previous)
        else:
            check(f"{label}-accepted-below-limit", wanted <= limit, status == "0")
            check(f"{label}-size-as-asked", wanted, component)
        if chunks > previous:
            check(f"{label}-new-bytes-zero", 0, int(facts.get(f"{label}_new_nonzero", -1)))
            new = sorted({r["state"] for r in dump["runs"] if r["last"] >= previous})
            zero = int(facts.get(f"{label}_new_nonzero", -1)) == 0
            check(f"{label}-new-chunks-states", ",".join(new), "unwritten" if zero else "not-all-zero-bytes")
        elif chunks < previous:
            check(f"{label}-cut-bytes-zero", 0, int(facts.get(f"{label}_cut_nonzero", -1)))
    previous = b["chunks"]
