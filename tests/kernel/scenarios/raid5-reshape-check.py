"""raid5-reshape's host checks after PHASE: llbitmap's JSON against the kernel's facts."""
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kernel_facts import bits, check, read_facts, words as metadata  # noqa: E402

KEYS = ("unwritten", "clean", "dirty", "need_sync", "syncing")
directory, phase = sys.argv[1], int(sys.argv[2])


def facts(n):
    return read_facts(f"{directory}/console-{n}.log")


def load(name):
    try:
        return json.load(open(f"{directory}/{name}"))
    except Exception as e:  # a missing or broken file is a failed check
        print(f"@@CHECK FAIL read-{name} ours=none kernel=- ({e})")
        return None


def examine(name):
    r = load(name)
    return r[0] if isinstance(r, list) else r


def states_vs_bits(label, ex, b):
    for key in KEYS:
        check(f"{label}-{key}", ex["bitmap"]["states"][key], b.get(key))


def header_vs_metadata(label, ex, m):
    check(f"{label}-chunks", ex["bitmap"]["chunks"], int(m.get("chunks", -1)))
    check(f"{label}-chunksize", ex["bitmap"]["chunksize_sectors"], int(m.get("chunksize", -1)))


def state_at(dump, chunk):
    for run in dump["runs"]:
        if run["first"] <= chunk <= run["last"]:
            return run["state"]
    return None


def preview_per_chunk(rs, dump, label="md1-preview", picture="preview.svg", checked=True, exact=False):
    """The preview's state of every new chunk (the picture's titles) against the
    stopped member. A new chunk whose stripe row (array chunk / bitmap chunk
    chunks) holds a change of the preview's state is left out: where the
    kernel's checkpoints fall moves the proportional slices of the remap there
    (FINDINGS.md, raid5 3 -> 4)."""
    try:
        svg = open(f"{directory}/{picture}").read()
    except OSError as e:
        print(f"@@CHECK FAIL {label}-picture ours=none kernel=- ({e})")
        return
    ours = {int(c): s for c, s in re.findall(r"<title>chunk (\d+): (\w+)</title>", svg)}
    theirs = {c: r["state"] for r in dump["runs"] for c in range(r["first"], r["last"] + 1)}
    row = rs["new"]["chunk_sectors"] // rs["header"]["new"]["chunk_sectors"]
    edges = {c for c in ours if c > 0 and ours.get(c - 1) != ours[c]}
    near = set() if exact else {c for e in edges for c in range(e - row, e + row)}
    differ = [c for c in sorted(set(ours) | set(theirs)) if ours.get(c) != theirs.get(c)]
    check(f"{label}-chunks", len(ours), len(theirs))
    off_edges = len([c for c in differ if c not in near])
    if checked:
        check(f"{label}-per-chunk-off-edges", f"{off_edges}-differ", "0-differ")
    else:
        print(f"@@FACT {label.replace('-', '_')}_chunks_differing_off_edges={off_edges}")
    at = ",".join(f"{c}:{ours.get(c)}/{theirs.get(c)}" for c in differ if c in near)
    print(f"@@FACT {label.replace('-', '_')}_edge_chunks_differing=({len(differ)}) {at or 'none'} (chunk:preview/kernel)")


if phase == 1:
    f = facts(1)
    for md, disk in (("md0", 0), ("md1", 4)):
        ex = examine(f"examine-1-{disk}.json")
        if ex:
            states_vs_bits(f"{md}-stopped-examine", ex, bits(f, f"{md}_stopped_bits"))
            header_vs_metadata(f"{md}-stopped-header", ex, metadata(f, f"{md}_stopped_metadata"))
elif phase == 2:
    f = facts(2)
    # md1: the preview of its grow (from boot 1's images) against the kernel's run.
    p = load("preview.json")
    ex = examine("examine-2-4.json")
    if p and ex:
        rs = p["reshape"]
        check("md1-preview-refused", rs["refused"], f.get("md1_finished_raid_disks") != "4")
        a = bits(f, "md1_assembled_bits")
        for key in KEYS:
            check(f"md1-preview-load-{key}", rs["counts"]["after_load"][key], a.get(key))
        d = bits(f, "md1_daemon_bits")
        after = rs["counts"]["after"]
        print(f"@@FACT md1_preview_after_reshape=clean {after['clean']} unwritten {after['unwritten']}"
              f" need_sync {after['need_sync']}; kernel after the daemon: clean {d.get('clean')} unwritten {d.get('unwritten')}")
        # After the reshape md resyncs (resync_offset 0); the chunks it syncs are
        # Dirty until the daemon, and none is left to sync.
        check("md1-preview-follow-up-resync", rs["follow_up"]["resync"], "md1: resync done" in f.get("md1_dmesg", ""))
        fin = bits(f, "md1_finished_bits")
        check("md1-preview-follow-up-synced", rs["follow_up"]["need_sync_chunks"],
              fin.get("dirty", 0) + fin.get("need_sync", 0) + fin.get("syncing", 0))
        preview_per_chunk(rs, load("dump-2-4.json"))
        # The same grow replayed at the checkpoints the kernel took: every chunk, edges included.
        kc = load("preview-kernel-checkpoints.json")
        if kc:
            print(f"@@FACT md1_kernel_checkpoints={f.get('md1_checkpoints')} ({kc['reshape']['checkpoints']} marks)")
            check("md1-kernel-checkpoints-used", kc["reshape"]["kernel_checkpoints"], True)
            preview_per_chunk(kc["reshape"], load("dump-2-4.json"), "md1-at-kernel-checkpoints",
                              "preview-kernel-checkpoints.svg", exact=True)
        m = metadata(f, "md1_daemon_metadata")
        check("md1-preview-header-chunks", rs["header"]["new"]["chunks"], int(m.get("chunks", -1)))
        check("md1-preview-header-chunksize", rs["header"]["new"]["chunk_sectors"], int(m.get("chunksize", -1)))
        check("md1-finished-examine-no-reshape", ex.get("reshape"), None)
        check("md1-finished-raid-disks", ex["raid_disks"], int(f.get("md1_daemon_raid_disks", -1)))
        check("md1-finished-sync-size", ex["bitmap"]["sync_size_sectors"], rs["header"]["new"]["sync_sectors"])
        states_vs_bits("md1-finished-examine", ex, d)
    # The member added to md0 still holds mdadm's 0xFF fill in page 1 (ONDISK 9.9): a warning, examine succeeds.
    added = examine("examine-2-3.json")
    if added:
        ids = [x.get("id") for x in added.get("findings", [])]
        check("md0-added-member-mdadm-fill-named", "bitmap-mdadm-add-leftover" in ids and "bitmap-invalid-states" not in ids, True)
        print(f"@@FACT md0_added_member_fill_bytes={added['bitmap']['states'].get('invalid')}")
    # md0 mid-reshape, as the reset left it.
    ex = examine("examine-2-0.json")
    dump = load("dump-2-0.json")
    if ex and dump:
        rs = ex.get("reshape") or {}
        pos = int(f.get("md0_written_reshape_position", -1))
        check("md0-mid-reshape-position", rs.get("position_sectors"), pos)
        m = re.search(r"Reshape pos'n : (\d+)", f.get("md0_paused_mdadm_examine", ""))
        check("md0-mid-reshape-position-mdadm", rs.get("position_sectors"), int(m.group(1)) * 2 if m else None)
        disks = re.match(r"(\d+) \((\d+)\)", f.get("md0_written_raid_disks", ""))
        check("md0-mid-reshape-new-raid-disks", rs["new"]["raid_disks"], int(disks.group(1)) if disks else None)
        check("md0-mid-reshape-old-raid-disks", rs["old"]["raid_disks"], int(disks.group(2)) if disks else None)
        m = re.search(r"Chunk Size : (\d+)K", f.get("md0_paused_mdadm_examine", ""))
        check("md0-mid-reshape-array-chunk", rs["new"]["chunk_sectors"], int(m.group(1)) * 2 if m else None)
        # The reshape's progress in device sectors of the new geometry (sync_completed)
        # ends the new side; the old side starts at R's old device offset (2 data disks).
        done = int(f.get("md0_written_sync_completed", "-1 /").split()[0])
        cs = ex["bitmap"]["chunksize_sectors"]
        check("md0-mid-reshape-new-side-end", rs["new_side"]["end"], -(-done // cs))
        check("md0-mid-reshape-old-side-first", rs["old_side"]["first"], pos // 2 // cs)
        # The header keeps the old geometry during the reshape.
        header_vs_metadata("md0-mid-reshape-header", ex, metadata(f, "md0_written_metadata"))
        # Memory and disk: every state (Dirty and NeedSync are written before the I/O).
        states_vs_bits("md0-mid-reshape-examine", ex, bits(f, "md0_written_bits"))
        sides = sum(rs[s]["counts"]["dirty"] for s in ("new_side", "leftovers", "old_side"))
        check("md0-mid-reshape-dirty-per-side-sum", sides, bits(f, "md0_written_bits").get("dirty"))
        # The writes: array 1 MiB is new row 0 (index 0, new side); array 304 MiB
        # is old device 152 MiB (index 2432, old side); both Dirty on disk.
        check("md0-mid-reshape-new-side-write", (state_at(dump, 0), 0 < rs["new_side"]["end"]), ("dirty", True))
        check("md0-mid-reshape-old-side-write", (state_at(dump, 2432), 2432 >= rs["old_side"]["first"]), ("dirty", True))
        c = load("check-2-0.json")
        if c:
            check("md0-mid-reshape-check-position", (c.get("reshape") or {}).get("position_sectors"), pos)
elif phase == 3:
    f = facts(3)
    ex = examine("examine-3-0.json")
    if ex:
        check("md0-resumed-examine-no-reshape", ex.get("reshape"), None)
        check("md0-resumed-raid-disks", ex["raid_disks"], int(f.get("md0_daemon_raid_disks", -1)))
        states_vs_bits("md0-resumed-examine", ex, bits(f, "md0_daemon_bits"))
        header_vs_metadata("md0-resumed-header", ex, metadata(f, "md0_daemon_metadata"))
    # The resume preview made from the reset images (phase 2) against this boot.
    p = load("resume.json")
    dump = load("dump-3-0.json")
    if p and dump:
        rs = p["reshape"]
        check("md0-resume-mid-reshape", p.get("mid_reshape"), True)
        check("md0-resume-from", rs.get("resumed_from"), int(facts(2).get("md0_written_reshape_position", -1)))
        a = bits(f, "md0_resumed_bits")
        for key in KEYS:
            check(f"md0-resume-load-{key}", rs["counts"]["after_load"][key], a.get(key))
        m = metadata(f, "md0_daemon_metadata")
        check("md0-resume-header-chunks", rs["header"]["new"]["chunks"], int(m.get("chunks", -1)))
        check("md0-resume-follow-up-resync", rs["follow_up"]["resync"], "md0: resync done" in f.get("md0_dmesg", ""))
        after = rs["counts"]["after"]
        d = bits(f, "md0_daemon_bits")
        print(f"@@FACT md0_resume_after_reshape=clean {after['clean']} unwritten {after['unwritten']} need_sync"
              f" {after['need_sync']} dirty {after['dirty']}; kernel after the daemon: clean {d.get('clean')}"
              f" unwritten {d.get('unwritten')}")
        # The resync after the reshape, replayed: its Endsync writes coalesce
        # the blocks' Unwritten chunks into NeedSync (raid4/5/6), which a later
        # sync takes once the array is idle (FINDINGS.md): Clean in the end.
        end = rs["follow_up"].get("end") or {}
        print(f"@@FACT md0_resume_follow_up=synced {rs['follow_up'].get('after_sync')} end {end}")
        check("md0-resume-end-unwritten", end.get("unwritten"), d.get("unwritten"))
        check("md0-resume-end-clean-after-the-later-sync", end.get("clean", 0) + end.get("need_sync", 0), d.get("clean"))
        # Not a check (FINDINGS.md, the resumed reshape): the kernel ends with whole
        # 512-chunk blocks Clean where the preview syncs only the remapped NeedSync chunks.
        preview_per_chunk(rs, dump, "md0-resume", "resume.svg", checked=False)
