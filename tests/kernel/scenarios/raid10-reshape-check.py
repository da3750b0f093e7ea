"""raid10-reshape's host checks: llbitmap's JSON against the kernel's facts."""
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kernel_facts import KEYS, bits, check, read_facts, words  # noqa: E402

directory = sys.argv[1]
facts = read_facts(f"{directory}/console-2.log")


def load(text, name):
    try:
        r = json.loads(text)
        return r[0] if isinstance(r, list) else r
    except Exception as e:
        print(f"@@CHECK FAIL {name} ours=unreadable kernel=- ({e})")
        return None


def load_file(name):
    try:
        return load(open(f"{directory}/{name}").read(), name)
    except OSError as e:
        print(f"@@CHECK FAIL {name} ours=none kernel=- ({e})")
        return None


preview = load_file("preview.json")
ex = load(facts.get("refused_examine", ""), "refused_examine")
chk = load(facts.get("refused_check", ""), "refused_check")
refused = facts.get("refused_grow_status") != "0"
if preview:
    rs = preview["reshape"]
    # The Reload at the read-only assembly turns the crash's Dirty chunks NeedSync.
    check("preview-load-need-sync", rs["counts"]["after_load"]["need_sync"], bits(facts, "ro_bits").get("need_sync"))
    check("preview-refused", rs["refused"], refused and "busy" in facts.get("refused_grow", "").lower())
    print(f"@@FACT preview_refusals={json.dumps(rs['refusals'])}")
    check("preview-header-new-sync-size", rs["header"]["new"]["sync_sectors"], int(facts.get("daemon_array_sectors", -1)))
    check("preview-header-new-chunks", rs["header"]["new"]["chunks"], int(words(facts, "daemon_metadata").get("chunks", -1)))
    check("preview-header-new-chunksize", rs["header"]["new"]["chunk_sectors"], int(words(facts, "daemon_metadata").get("chunksize", -1)))
if ex:
    # On disk only page 0 was written since the Reload (md's superblock update):
    # a chunk of page 1 still reads Dirty while the kernel holds it NeedSync.
    # Out of sync either way (the next Reload makes it NeedSync).
    st, kb = ex["bitmap"]["states"], bits(facts, "refused_bits")
    check("refused-examine-out-of-sync", st["dirty"] + st["need_sync"] + st["syncing"], kb.get("need_sync", 0) + kb.get("syncing", 0))
    check("refused-examine-unwritten", st["unwritten"], kb.get("unwritten"))
    print(f"@@FACT refused_disk_vs_memory=disk dirty {st['dirty']} need_sync {st['need_sync']}; memory need_sync {kb.get('need_sync')}")
    if preview:
        listed = sum(c["last_chunk"] - c["first_chunk"] + 1 for ref in preview["reshape"]["refusals"] for c in ref.get("chunks", []))
        check("preview-refusal-chunks", listed, kb.get("need_sync", 0) + kb.get("syncing", 0))
    check("refused-header-chunks", ex["bitmap"]["chunks"], int(words(facts, "refused_metadata").get("chunks", -1)))
if chk:
    print(f"@@FACT refused_check_findings={json.dumps([f.get('id') for f in chk.get('findings', [])])}")
ex = load_file("examine-2.json")
dump = load_file("dump-2.json")
if ex and dump:
    meta = words(facts, "daemon_metadata")
    check("grown-accepted", facts.get("accepted_grow_status"), "0" if facts.get("daemon_raid_disks") == "6" else "refused")
    check("grown-raid-disks", ex["raid_disks"], int(facts.get("daemon_raid_disks", -1)))
    check("grown-no-reshape", ex.get("reshape"), None)
    check("grown-header-sync-size", ex["bitmap"]["sync_size_sectors"], int(facts.get("daemon_array_sectors", -1)))
    check("grown-header-chunks", ex["bitmap"]["chunks"], int(meta.get("chunks", -1)))
    check("grown-header-chunksize", ex["bitmap"]["chunksize_sectors"], int(meta.get("chunksize", -1)))
    for key in KEYS:
        check(f"grown-examine-{key}", ex["bitmap"]["states"][key], bits(facts, "daemon_bits").get(key))
    old = int(facts.get("grown_old_chunks", -1))
    past = sorted({r["state"] for r in dump["runs"] if r["last"] >= old})
    zero = facts.get("grown_new_nonzero") == "0"
    check("grown-past-old-count-states", ",".join(past), "unwritten" if zero else "not-all-zero-bytes")
