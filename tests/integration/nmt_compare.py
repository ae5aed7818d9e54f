#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""nmt_compare.py - how much of what HotSpot's Native Memory Tracking says
each of its categories reserved carries the matching maptrace kind.

    nmt_compare.py NMT_DETAIL_TXT EXPLAIN_JSON MIN_PERCENT CATEGORY...

NMT_DETAIL_TXT is `jcmd PID VM.native_memory detail` (read here on its own,
not with maptrace's parser), EXPLAIN_JSON `maptrace explain -p PID --json`.
For each CATEGORY (NMT's name; "Other" is every category not named below)
prints "CATEGORY: C of T bytes (P%)" and exits 1 when a share is below
MIN_PERCENT or a category has no range at all."""
import json
import re
import sys

KIND = {"Java Heap": "java-heap", "Class": "java-class-space", "Metaspace": "java-metaspace",
        "Shared class space": "java-cds", "Code": "java-code-cache", "GC": "java-gc",
        "Thread Stack": "java-thread-stack"}
RANGE = re.compile(r"^\[0x([0-9a-f]+) - 0x([0-9a-f]+)\] reserved (?:and committed )?\d+KB for (.+?) from")


def nmt_ranges(path):
    out = {}
    for line in open(path):
        m = RANGE.match(line)
        if m:
            cat = m.group(3) if m.group(3) in KIND else "Other"
            out.setdefault(cat, []).append((int(m.group(1), 16), int(m.group(2), 16)))
    return out


def regions_of_kind(doc, kind):
    return [(int(r["start"], 16), int(r["end"], 16)) for r in doc["regions"] if r["kind"] == kind]


def covered(ranges, regions):
    total = 0
    for a, b in ranges:
        for s, e in regions:
            lo, hi = max(a, s), min(b, e)
            if hi > lo:
                total += hi - lo
    return total


def main():
    nmt = nmt_ranges(sys.argv[1])
    doc = json.load(open(sys.argv[2]))
    want = float(sys.argv[3])
    ok = True
    for cat in sys.argv[4:]:
        ranges = nmt.get(cat, [])
        total = sum(b - a for a, b in ranges)
        got = covered(ranges, regions_of_kind(doc, KIND.get(cat, "java-other")))
        pct = 100.0 * got / total if total else 0.0
        print(f"{cat}: {got} of {total} bytes ({pct:.1f}%)")
        ok &= total > 0 and pct >= want
    sys.exit(0 if ok else 1)


main()
