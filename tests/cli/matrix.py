#!/usr/bin/env python3
"""The input matrix: every command over metadata 1.0/1.1/1.2, raid1/5/6/10,
llbitmap and classic, image files and loop devices, one member and all.

Each cell runs one command once and asserts
  - the exit status;
  - stderr: empty on success, one line per problem naming a device otherwise;
  - every member's bytes (its backing file, holes read as zeros):
      unchanged after a read-only command, a dry run or a refusal,
      equal to what examine/dump/replay then report after a success,
      each member old, new or STALE after an interrupted run
      (LLBITMAP_FAULT_AT=k, every k until the run completes).
Between cells the first and last 2 MiB of every file (where md superblocks
and bitmaps lie) are written back. Every backup (dump --save, --backup-file) is restored onto the original
members in a shuffled order and compared byte for byte with the original.

Usage: matrix.py WORKDIR [--loop] [--quick] [--only PREFIX]
--quick keeps one level per metadata version (1.0 raid1, 1.1 raid5, 1.2 raid6
and raid10): every value of every axis still appears, for slow builds.
Prints one line per failing cell and a summary with the cell count.
"""
import hashlib
import os
import random
import shlex
import subprocess
import sys
from collections import Counter

LLBITMAP = os.environ.get("LLBITMAP", "llbitmap")
METADATA = ("1.0", "1.1", "1.2")
LEVELS = {"raid1": 2, "raid5": 3, "raid6": 4, "raid10": 4}
KINDS = ("llbitmap", "classic")
SIZE = "32M"
REGION = 2 << 20  # md superblocks and bitmaps lie in the first and the last 2 MiB
PIECE = 64 << 10
STATES = "0-9:dirty,100:need_sync"

failures = []
cells = Counter()
rng = random.Random(13)


def run(args, env=None):
    full_env = dict(os.environ)
    full_env.pop("LLBITMAP_FAULT_AT", None)
    if env:
        full_env.update(env)
    p = subprocess.run([LLBITMAP] + args, capture_output=True, text=True, env=full_env, errors="replace")
    return p.returncode, p.stdout, p.stderr


def export_of(path):
    rc, out, _ = run(["examine", "--format", "export", path])
    values = {}
    for line in out.splitlines():
        if "=" in line:
            key, _, raw = line.partition("=")
            try:
                parts = shlex.split(raw)
                values[key] = parts[0] if parts else ""
            except ValueError:
                values[key] = raw
    return rc, values


class Group:
    """The members of one array as image files, optionally behind loop devices."""

    def __init__(self, work, metadata, level, kind, loop, tag):
        self.metadata, self.level, self.kind, self.loop = metadata, level, kind, loop
        self.dir = os.path.join(work, tag)
        os.makedirs(self.dir, exist_ok=True)
        self.files = [os.path.join(self.dir, f"m{i}.img") for i in range(LEVELS[level])]
        for f in self.files:
            if os.path.exists(f):
                os.unlink(f)
        args = ["create", "--level", level.replace("raid", ""), "--raid-disks", str(len(self.files)), "--size", SIZE,
                "--metadata", metadata]
        args += ["--classic"] if kind == "classic" else ["--states", STATES]
        rc, _, err = run(args + self.files)
        if rc != 0:
            raise RuntimeError(f"create {tag}: {err.strip()}")
        self.loops = []
        if loop:
            for f in self.files:
                self.loops.append(subprocess.check_output(["losetup", "-f", "--show", f], text=True).strip())
        self.members = self.loops if loop else self.files
        self.pristine = [self.snapshot(i) for i in range(len(self.files))]
        self.pristine_digest = [self.digest(i) for i in range(len(self.files))]

    def close(self):
        for dev in self.loops:
            subprocess.run(["losetup", "-d", dev], check=False)
        self.loops = []

    def snapshot(self, i):
        with open(self.files[i], "rb") as f:
            head = f.read(REGION)
            f.seek(-REGION, os.SEEK_END)
            return head, f.read(REGION)

    def digest(self, i):
        """Every non-zero 64 KiB piece of the file with its offset: the whole
        member, read through SEEK_DATA so that the holes of a sparse image
        cost nothing."""
        h = hashlib.sha1()
        with open(self.files[i], "rb") as f:
            fd, size, pos, next_piece = f.fileno(), os.fstat(f.fileno()).st_size, 0, 0
            while pos < size:
                try:
                    start = os.lseek(fd, pos, os.SEEK_DATA)
                except OSError:
                    break
                end = os.lseek(fd, start, os.SEEK_HOLE)
                # Pieces on absolute 64 KiB boundaries: the same bytes hash the
                # same whatever extents the file system gave them.
                for offset in range(max(next_piece, start - start % PIECE), end, PIECE):
                    f.seek(offset)
                    piece = f.read(min(PIECE, size - offset))
                    if piece.count(0) != len(piece):
                        h.update(offset.to_bytes(8, "little") + piece)
                    next_piece = offset + PIECE
                pos = max(end, next_piece)
        return h.hexdigest()

    def digests(self):
        return [self.digest(i) for i in range(len(self.files))]

    def reset(self):
        for i, (head, tail) in enumerate(self.pristine):
            with open(self.files[i], "r+b") as f:
                f.write(head)
                f.seek(-REGION, os.SEEK_END)
                f.write(tail)
        for dev in self.loops:
            subprocess.run(["blockdev", "--flushbufs", dev], check=False)

    def stale(self, i):
        _, values = export_of(self.members[i])
        return "stale" in values.get("LLBITMAP_STATE_FLAGS", "").split(",")


def fail(cell, why):
    failures.append(f"{cell}: {why}")


def check_stderr(cell, rc, err, devices):
    lines = [l for l in err.splitlines() if l.strip()]
    if rc == 0:
        if lines:
            fail(cell, f"stderr on success: {lines[0]}")
        return
    if len(lines) != 1:
        fail(cell, f"expected one stderr line, got {len(lines)}: {lines[:3]}")
    elif devices and not any(d in lines[0] or os.path.basename(d) in lines[0] for d in devices):
        fail(cell, f"stderr names no device: {lines[0]}")


def writing_commands(g):
    """(name, argument builder(targets, backup), success check, applies, has --backup-file, has --dry-run)."""
    ll = g.kind == "llbitmap"

    def edit(t, backup):
        change = ["--set-state", "5:need_sync"] if ll else ["--set", "daemon_sleep=7"]
        return ["edit"] + change + (["--backup-file", backup] if backup else []) + t

    def edit_ok(t):
        for d in t:
            if ll:
                _, out, _ = run(["dump", "--chunks", "5", d])
                if out.strip() != "5 need_sync":
                    return f"{d}: dump --chunks 5 says {out.strip()!r}"
            elif export_of(d)[1].get("LLBITMAP_DAEMON_SLEEP") != "7":
                return f"{d}: daemon_sleep not 7"
        return None

    def convert(t, backup):
        return ["convert", "--quiet"] + (["--to", "classic"] if ll else []) + (["--backup-file", backup] if backup else []) + t

    def convert_ok(t):
        want = "4" if ll else "6"
        for d in t:
            if export_of(d)[1].get("LLBITMAP_VERSION") != want:
                return f"{d}: version is not {want} after convert"
        return None

    def create(t, backup):
        return ["create", "--force", "--assume-clean"] + t

    def create_ok(t):
        for d in t:
            v = export_of(d)[1]
            if v.get("LLBITMAP_VERSION") != "6" or v.get("LLBITMAP_STATE_CLEAN") != v.get("LLBITMAP_CHUNKS"):
                return f"{d}: not a fresh all-Clean llbitmap after create"
        return None

    def commit(t, backup):
        return ["replay-resync", "--commit", "--force"] + t

    def commit_ok(t):
        rc, out, err = run(["replay-resync", "--format", "json"] + t)
        if rc != 0 or '"synced_chunks": 0' not in out:
            return f"a second replay still syncs: rc={rc} {err.strip()[:80]}"
        return None

    return [
        ("edit", edit, edit_ok, True, True, True),
        ("convert", convert, convert_ok, True, True, True),
        ("create", create, create_ok, not (g.kind == "classic" and g.metadata == "1.0"), False, True),
        ("replay-commit", commit, commit_ok, ll, False, False),
    ]


def expect_unchanged(cell, g, before):
    after = g.digests()
    for i, (a, b) in enumerate(zip(before, after)):
        if a != b:
            fail(cell, f"{g.members[i]} changed")


def expect_refused(cell, g, args, devices, before):
    """A refusal: exit 1, one stderr line naming a device, every member unchanged."""
    rc, _, err = run(args)
    if rc != 1:
        fail(cell, f"exit {rc}, expected 1")
    check_stderr(cell, rc, err, devices)
    expect_unchanged(cell, g, before)


def restore_check(cell, g, image, targets, indexes):
    """Restore IMAGE onto TARGETS shuffled; every member must equal the original."""
    shuffled = list(zip(targets, indexes))
    rng.shuffle(shuffled)
    rc, _, err = run(["restore", image] + [t for t, _ in shuffled])
    cells["restore-backup"] += 1
    if rc != 0:
        fail(cell + " restore-backup", f"exit {rc}: {err.strip()[:160]}")
        return
    now = g.digests()
    for i in indexes:
        if now[i] != g.pristine_digest[i]:
            fail(cell + " restore-backup", f"{g.members[i]} differs from the original after restore")


def read_only_cells(g, scope, targets):
    ll = g.kind == "llbitmap"
    before = g.digests()
    commands = [("examine", ["examine"] + targets, 0), ("check", ["check"] + targets, 0),
                ("replay-resync", ["replay-resync"] + targets, 0 if ll else 1)]
    commands += [(f"dump:{os.path.basename(t)}", ["dump", t], 0) for t in targets]
    for name, args, want in commands:
        cell = f"{g.tag} {scope} {name}"
        cells[name.split(":")[0]] += 1
        rc, _, err = run(args)
        if rc != want:
            fail(cell, f"exit {rc}, expected {want}: {err.strip()[:160]}")
        check_stderr(cell, rc, err, targets)
    expect_unchanged(f"{g.tag} {scope} read-only", g, before)


def writing_cells(g, scope, targets, indexes, work, foreign):
    for name, build, ok, applies, backs_up, dry in writing_commands(g):
        base = f"{g.tag} {scope} {name}"
        before = g.digests()
        if not applies:
            cells[name + ":refused-inapplicable"] += 1
            expect_refused(base + " inapplicable", g, build(targets, None), targets, before)
            g.reset()
            continue
        # Dry run.
        if dry:
            cells[name + ":dry-run"] += 1
            rc, out, err = run(build(targets, None) + ["--dry-run"])
            if rc != 0 or not out.rstrip().endswith(("nothing written", "no backup saved")):
                fail(base + " dry-run", f"exit {rc}, last line {out.strip().splitlines()[-1:]!r}: {err.strip()[:120]}")
            check_stderr(base + " dry-run", rc, err, targets)
            expect_unchanged(base + " dry-run", g, before)
        # Success, with a backup where the command takes one.
        backup = os.path.join(work, f"bk-{g.tag}-{scope}-{name}.llbmp")
        if os.path.exists(backup):
            os.unlink(backup)
        cells[name + ":success"] += 1
        rc, _, err = run(build(targets, backup if backs_up else None))
        check_stderr(base + " success", rc, err, targets)
        if rc != 0:
            fail(base + " success", f"exit {rc}: {err.strip()[:160]}")
            g.reset()
            continue
        why = ok(targets)
        if why:
            fail(base + " success", why)
        new = g.digests()
        for i in range(len(g.files)):
            if i not in indexes and new[i] != before[i]:
                fail(base + " success", f"{g.members[i]} was not a target but changed")
        if backs_up:
            restore_check(base, g, backup, targets, indexes)
        g.reset()
        # Refused: a member of another array among the targets.
        if scope == "all":
            cells[name + ":refused-wrong-array"] += 1
            foreign_before = hashlib.sha1(open(foreign, "rb").read(REGION)).hexdigest()
            expect_refused(base + " wrong-array", g, build(targets + [foreign], None), targets + [foreign], before)
            if hashlib.sha1(open(foreign, "rb").read(REGION)).hexdigest() != foreign_before:
                fail(base + " wrong-array", "the foreign member changed")
            g.reset()
        if g.loop:
            refused_on_loops(g, base, name, build, targets, before)
        interrupted_cells(g, base, name, build, targets, indexes, before, new)


def refused_on_loops(g, base, name, build, targets, before):
    last = len(targets) - 1
    # A member attached read-only.
    ro = subprocess.check_output(["losetup", "-r", "-f", "--show", g.files[g.members.index(targets[last])]], text=True).strip()
    try:
        cells[name + ":refused-read-only"] += 1
        expect_refused(base + " read-only", g, build(targets[:last] + [ro], None), targets[:last] + [ro], before)
    finally:
        subprocess.run(["losetup", "-d", ro], check=False)
    g.reset()
    # A member held open exclusively (as by a running array).
    fd = os.open(targets[last], os.O_RDONLY | os.O_EXCL)
    try:
        cells[name + ":refused-busy"] += 1
        expect_refused(base + " busy", g, build(targets, None), targets, before)
    finally:
        os.close(fd)
    g.reset()


def interrupted_cells(g, base, name, build, targets, indexes, before, new):
    for k in range(1, 64):
        rc, _, err = run(build(targets, None), env={"LLBITMAP_FAULT_AT": str(k)})
        now = g.digests()
        if rc == 0:  # the run ended before its k-th write or flush
            if now != new:
                fail(f"{base} fault@{k}", "completed, but the members differ from the successful run")
            g.reset()
            return
        cells[name + ":interrupted"] += 1
        cell = f"{base} fault@{k}"
        if rc != 1:
            fail(cell, f"exit {rc}, expected 1")
        for i in range(len(g.files)):
            if now[i] in (before[i], new[i]):
                continue
            if i in indexes and g.stale(i):
                continue
            fail(cell, f"{g.members[i]} is neither old, new nor STALE")
        g.reset()
    fail(base, "still interrupted after 63 faults")


def main():
    work = sys.argv[1]
    use_loop = "--loop" in sys.argv
    only = sys.argv[sys.argv.index("--only") + 1] if "--only" in sys.argv else ""
    os.makedirs(work, exist_ok=True)
    foreign_dir = os.path.join(work, "foreign")
    os.makedirs(foreign_dir, exist_ok=True)
    media = ("image", "loop") if use_loop else ("image",)
    quick = {"1.0": ("raid1",), "1.1": ("raid5",), "1.2": ("raid6", "raid10")} if "--quick" in sys.argv else None
    for metadata in METADATA:
        for level in (quick[metadata] if quick else LEVELS):
            for kind in KINDS:
                # A member of another array of the same shape, for the wrong-array refusals.
                foreign = [os.path.join(foreign_dir, f"{metadata}-{level}-{kind}-{i}.img") for i in range(LEVELS[level])]
                for f in foreign:
                    if os.path.exists(f):
                        os.unlink(f)
                fargs = ["create", "--level", level.replace("raid", ""), "--raid-disks", str(len(foreign)), "--size", SIZE,
                         "--metadata", metadata] + (["--classic"] if kind == "classic" else [])
                run(fargs + foreign)
                for medium in media:
                    tag = f"{metadata}-{level}-{kind}-{medium}"
                    if only and not tag.startswith(only):
                        continue
                    g = Group(work, metadata, level, kind, medium == "loop", tag)
                    g.tag = tag
                    try:
                        for scope in ("one", "all"):
                            indexes = [0] if scope == "one" else list(range(len(g.members)))
                            targets = [g.members[i] for i in indexes]
                            read_only_cells(g, scope, targets)
                            writing_cells(g, scope, targets, indexes, work, foreign[0])
                            # dump --save of each target, an edit, and the saves restored shuffled.
                            saves = []
                            for i in indexes:
                                save = os.path.join(work, f"save-{tag}-{scope}-{i}.llbmp")
                                if os.path.exists(save):
                                    os.unlink(save)
                                cells["dump-save"] += 1
                                rc, _, err = run(["dump", "--save", save, g.members[i]])
                                if rc != 0:
                                    fail(f"{tag} {scope} dump --save", f"exit {rc}: {err.strip()[:160]}")
                                saves.append(save)
                            change = ["--set-state", "0:clean"] if kind == "llbitmap" else ["--set", "daemon_sleep=9"]
                            run(["edit"] + change + targets)
                            for save, i in zip(saves, indexes):
                                restore_check(f"{tag} {scope} dump-save", g, save, [g.members[i]], [i])
                            g.reset()
                    finally:
                        g.close()
    total = sum(cells.values())
    for line in failures[:200]:
        print("FAIL", line)
    if len(failures) > 200:
        print(f"... and {len(failures) - 200} more failures")
    print(f"matrix: {total} cells ({', '.join(f'{k} {v}' for k, v in sorted(cells.items()))}); {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
