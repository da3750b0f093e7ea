#!/usr/bin/env python3
"""Hashes the data extents of the files one golden case wrote.

Images are sparse: only their data extents (SEEK_DATA/SEEK_HOLE) are read,
with their offsets, so a 256 MiB member costs its few written blocks.
Writes `hashes` in the case folder: one "sha256 size path" line per file.
"""
import hashlib
import os
import sys

case = sys.argv[1]
paths = []
for name in ("written", "new"):
    try:
        with open(os.path.join(case, name)) as f:
            paths += [line.strip() for line in f if line.strip()]
    except FileNotFoundError:
        pass
cwd = open(os.path.join(case, "cwd")).read().strip()
lines = []
for path in sorted(set(os.path.normpath(os.path.join(cwd, p)) for p in paths)):
    if path.startswith(os.path.abspath(case)) or not os.path.isfile(path):
        continue
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        offset = 0
        while offset < size:
            try:
                start = os.lseek(f.fileno(), offset, os.SEEK_DATA)
            except OSError:
                break
            end = os.lseek(f.fileno(), start, os.SEEK_HOLE)
            f.seek(start)
            remaining = end - start
            while remaining:
                block = f.read(min(remaining, 1 << 20))
                if not block:
                    break
                # Zero blocks inside a data extent hash as holes do.
                if block.count(0) != len(block):
                    digest.update(start.to_bytes(8, "little"))
                    digest.update(block)
                start += len(block)
                remaining -= len(block)
            offset = end
    lines.append(f"{digest.hexdigest()} {size} {path}")
with open(os.path.join(case, "hashes"), "w") as f:
    f.write("".join(line + "\n" for line in lines))
