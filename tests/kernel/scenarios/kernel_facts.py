"""Shared by the host-side check scripts: the guest's @@FACT lines and the
@@CHECK line that compares llbitmap's value with the kernel's."""
import json
import re


def read_facts(console):
    """NAME -> VALUE of every "@@FACT NAME=VALUE" line of a console log."""
    return dict(re.findall(r"^@@FACT (\w+)=(.*)$", open(console, errors="replace").read(), re.M))


def check(name, ours, kernel):
    print(f"@@CHECK {'ok' if ours == kernel else 'FAIL'} {name} ours={ours} kernel={kernel}")


def bits(facts, name):
    """A kernel_bits fact ("key=count ...") as a dict of counts."""
    return {k: int(v) for k, v in (kv.split("=", 1) for kv in facts.get(name, "").split() if "=" in kv)}


def words(facts, name):
    """A fact of "key value key value ..." (md/llbitmap/metadata) as a dict."""
    w = facts.get(name, "").split()
    return {w[i]: w[i + 1] for i in range(0, len(w) - 1, 2)}


# The state counts every scenario compares (sysfs bits and llbitmap's JSON keys).
KEYS = ("unwritten", "clean", "dirty", "need_sync", "syncing")


def json_text(text, name):
    """A JSON document (a member list gives its first member), or None after a
    failed check naming it."""
    try:
        r = json.loads(text)
        return r[0] if isinstance(r, list) else r
    except Exception as e:
        print(f"@@CHECK FAIL {name} ours=unreadable kernel=- ({e})")
        return None


def json_file(directory, name):
    """json_text of a file in the scenario's folder; a missing file is a failed check."""
    try:
        text = open(f"{directory}/{name}").read()
    except OSError as e:
        print(f"@@CHECK FAIL read-{name} ours=none kernel=- ({e})")
        return None
    return json_text(text, f"read-{name}")


def states_vs_bits(label, ex, b):
    """examine's state counts against a kernel_bits fact, one check per state."""
    for key in KEYS:
        check(f"{label}-{key}", ex["bitmap"]["states"][key], b.get(key))
