# SPDX-License-Identifier: GPL-2.0
# demo.py - the README demo: a large malloc, a thread (stack + guard page,
# a glibc arena), a file mapping. Traced by tests/demo.sh (make demo).
import mmap, threading
buf = bytearray(1 << 20)                 # a large malloc: its own mapping
t = threading.Thread(target=lambda: None) # a thread stack and its guard page
t.start(); t.join()
with open("/etc/hostname", "rb") as f:
    m = mmap.mmap(f.fileno(), 0, prot=mmap.PROT_READ)
    m.close()
