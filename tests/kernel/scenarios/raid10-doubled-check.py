"""raid10-doubled's host checks after PHASE: the preview and llbitmap's reading
against the kernel's facts, and the bytes the grow left past its new count."""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kernel_facts import KEYS, bits, check, json_file, read_facts, states_vs_bits, words  # noqa: E402

directory, phase = sys.argv[1], int(sys.argv[2])
facts = read_facts(f"{directory}/console-{phase}.log")


def load(name):
    return json_file(directory, name)


if phase == 1:
    ex = load("examine-1.json")
    if ex:
        m = words(facts, "stopped_metadata")
        check("stopped-chunks", ex["bitmap"]["chunks"], int(m.get("chunks", -1)))
        check("stopped-chunksize", ex["bitmap"]["chunksize_sectors"], int(m.get("chunksize", -1)))
        check("stopped-sectors-reserved", ex["bitmap"]["sectors_reserved"], 16)
        states_vs_bits("stopped-examine", ex, bits(facts, "stopped_bits"))
        # disk0's bitmap room (sectors_reserved) as boot 1 left it, for after the grow.
        with open(f"{directory}/disk0.img", "rb") as f:
            f.seek(ex["bitmap"]["area_offset_bytes"])
            open(f"{directory}/room-1.bin", "wb").write(f.read(16 * 512))
    p = load("preview.json")
    if p:
        rs = p["reshape"]
        print(f"@@FACT preview_header={json.dumps(rs['header'])} refused={rs['refused']}")
        check("preview-doubles-the-chunk", rs["header"]["new"]["chunk_sectors"], 2 * rs["header"]["old"]["chunk_sectors"])
else:
    p = load("preview.json")
    ex = load("examine-2.json")
    dump = load("dump-2.json")
    m = words(facts, "grown_metadata")
    check("grow-accepted", facts.get("grow_status"), "0")
    check("grown-raid-disks", facts.get("grown_raid_disks"), "6")
    if p:
        rs = p["reshape"]
        check("preview-refused", rs["refused"], facts.get("grow_status") != "0")
        check("preview-header-new-chunksize", rs["header"]["new"]["chunk_sectors"], int(m.get("chunksize", -1)))
        check("preview-header-new-chunks", rs["header"]["new"]["chunks"], int(m.get("chunks", -1)))
        check("preview-header-new-sync-size", rs["header"]["new"]["sync_sectors"], int(facts.get("grown_array_sectors", -1)))
        a = bits(facts, "assembled_bits")
        for key in KEYS:
            check(f"preview-load-{key}", rs["counts"]["after_load"][key], a.get(key))
        g = bits(facts, "grown_bits")
        for key in KEYS:
            check(f"preview-after-{key}", rs["counts"]["after"][key], g.get(key))
        print(f"@@FACT preview_follow_up={json.dumps({k: rs['follow_up'][k] for k in ('resync', 'from_sector', 'need_sync_chunks', 'skipped_unwritten')})}")
    if ex:
        check("grown-no-reshape", ex.get("reshape"), None)
        check("grown-header-chunksize", ex["bitmap"]["chunksize_sectors"], int(m.get("chunksize", -1)))
        check("grown-header-chunks", ex["bitmap"]["chunks"], int(m.get("chunks", -1)))
        check("grown-header-sync-size", ex["bitmap"]["sync_size_sectors"], int(facts.get("grown_array_sectors", -1)))
        states_vs_bits("grown-examine", ex, bits(facts, "grown_bits"))
    if p and dump:
        ours = {c: r["state"] for r in p["reshape"]["runs"] for c in range(r["first"], r["last"] + 1)}
        theirs = {c: r["state"] for r in dump["runs"] for c in range(r["first"], r["last"] + 1)}
        differ = [c for c in sorted(set(ours) | set(theirs)) if ours.get(c) != theirs.get(c)]
        check("preview-per-chunk", f"{len(differ)}-differ", "0-differ")
        if differ:
            print(f"@@FACT preview_differing={','.join(f'{c}:{ours.get(c)}/{theirs.get(c)}' for c in differ[:40])}")
    # ONDISK 9.4.5: the doubled chunk leaves the old bytes past the new last chunk.
    try:
        before = open(f"{directory}/room-1.bin", "rb").read()
        with open(f"{directory}/disk0.img", "rb") as f:
            f.seek(ex["bitmap"]["area_offset_bytes"] if ex else 0)
            after = f.read(16 * 512)
        old_chunks = int(words(read_facts(f"{directory}/console-1.log"), "stopped_metadata").get("chunks", -1))
        new_chunks = int(m.get("chunks", -1))
        past_before, past_after = before[1024 + new_chunks:1024 + old_chunks], after[1024 + new_chunks:1024 + old_chunks]
        kept = sum(1 for x, y in zip(past_before, past_after) if x == y)
        print(f"@@FACT past_new_count=bytes {new_chunks}..{old_chunks - 1}: {kept} of {len(past_after)} as before the grow;"
              f" not Unwritten before: {sum(1 for x in past_before if x)}")
        check("past-new-count-old-bytes-kept", kept, len(past_after))
    except (OSError, ValueError) as e:
        print(f"@@CHECK FAIL past-new-count ours=none kernel=- ({e})")
