# SPDX-License-Identifier: GPL-2.0
# hold.py - a CPython program holding 300 lists of 1,000 small tuples
# (about 28 MiB of obmalloc arenas), which prints what its allocator says
# it holds and waits for its stdin to close: explain's runtimes tier
# compares the two.
#
# The line: "arenas N touched B". sys._debugmallocstats() writes obmalloc's
# own figures to the C stderr: N arenas of 1 MiB, of which the pools never
# carved (its "unused pools") and the part before each arena's first pool
# ("bytes lost to arena alignment") were never written, so B, the rest, is
# what can be resident.
import os
import re
import sys
import tempfile

keep = [[(i, j) for j in range(1000)] for i in range(300)]

with tempfile.TemporaryFile() as report:
    sys.stderr.flush()
    saved = os.dup(2)
    os.dup2(report.fileno(), 2)
    sys._debugmallocstats()
    os.dup2(saved, 2)
    os.close(saved)
    report.seek(0)
    text = report.read().decode()


def figure(pattern):
    m = re.search(pattern + r"\s*=\s*([\d,]+)", text)
    return int(m.group(1).replace(",", "")) if m else 0


arenas = figure(r"# arenas allocated current")
total = figure(r"\d+ arenas \* \d+ bytes/arena")
unused = figure(r"\d+ unused pools \* \d+ bytes")
alignment = figure(r"# bytes lost to arena alignment")
print(f"arenas {arenas} touched {total - unused - alignment}", flush=True)
sys.stdin.read()
sys.exit(0 if len(keep) == 300 else 1)
