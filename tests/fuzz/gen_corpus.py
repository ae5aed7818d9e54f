#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""gen_corpus.py - write the synthetic seeds of tests/fuzz/corpus/.

    tests/fuzz/gen_corpus.py          (from anywhere; rewrites corpus/*/gen-*)

Every file this writes is named gen-*; the other seeds are real captures
(see tests/fuzz/README.md) and are left alone.

events/: records as the ring buffer holds them (struct mt_event of
include/maptrace/events.h, 168 bytes, little endian, then path_len bytes of
path), in streams against the two address spaces fuzz_events.c seeds
(MM_A = tgid 100, MM_B = tgid 200, both exact up to ticket 0): each stream
is one seed. The others are hostile names, malformed lines and edge cases
for the text parsers, entries for budgets, byte strings for the JSON
writer, JSON texts for the reader and argument lists for the options.
"""
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")

# ---- events (keep in sync with include/maptrace/events.h, fuzz_events.c) ----

MM_A, MM_B = 0xffff888100001000, 0xffff888100002000
MM_C, MM_D = 0xffff888100003000, 0xffff888100004000
(EV_NONE, EV_MMAP, EV_MUNMAP, EV_MPROTECT, EV_PKEY_MPROTECT, EV_BRK, EV_MREMAP,
 EV_SHMAT, EV_SHMDT, EV_REMAP_FILE_PAGES, EV_IO_SETUP, EV_IO_DESTROY, EV_MADVISE,
 EV_PRCTL_VMA_NAME, EV_FORK, EV_EXEC, EV_EXIT, EV_VMA, EV_DUMP_END, EV_SEQ_VOID,
 EV_STACK) = range(21)
F_FILE, F_PATH_TRUNC, F_PSEUDO, F_DELETED, F_VMA_INFO = 1, 2, 4, 8, 16
F_THREAD, F_VM, F_GROUP_DEAD, F_VMA_LOCKED, F_ANON_INODE = 32, 64, 128, 256, 512
F_PATH_REVERSED, F_STACK_FP, F_STACK_DWARF, F_RIE = 1024, 2048, 4096, 8192
DUMP_EXEC, DUMP_EXIT = 1, 2
NAME_PATH, NAME_HEAP, NAME_STACK, NAME_ANON = 1, 2, 3, 4
VM_READ, VM_WRITE, VM_EXEC, VM_MAYSHARE, VM_GROWSDOWN = 1, 2, 4, 0x80, 0x100
PAGE = 4096

_ts = [1_000_000]


def ev(kind, mm=MM_A, seq=0, args=(), ret=0, ino=0, aux=(), dev=0, pid=100, tid=None,
       flags=0, path=b"", comm=b"prog", path_len=None, cgroup=0):
    _ts[0] += 1000
    a = list(args) + [0] * (6 - len(args))
    x = list(aux) + [0] * (3 - len(aux))
    ret = ret - 2**64 if ret >= 2**63 else ret      # addresses above 2^63 as the s64 ret
    hdr = struct.pack("<4Q6Qq5Q6I16s", _ts[0], _ts[0] - 500, mm, seq, *a, ret, ino, *x, cgroup,
                      dev, pid, pid if tid is None else tid, kind, flags,
                      len(path) if path_len is None else path_len, comm)
    assert len(hdr) == 168
    return hdr + path


def mmap_anon(seq, addr, length, prot=3, mm=MM_A, pid=100, flags=0x22):
    return ev(EV_MMAP, mm, seq, (0, length, prot, flags, 2**64 - 1, 0), ret=addr, pid=pid)


def mmap_file(seq, addr, length, path, off=0, prot=1, ino=777, dev=0x800001, flags=0,
              mm=MM_A, mflags=0x02):
    return ev(EV_MMAP, mm, seq, (0, length, prot, mflags, 3, off), ret=addr, ino=ino, dev=dev,
              flags=F_FILE | flags, path=path)


def vma(mm, dump_id, reason, start, end, vm_flags, pgoff=0, path=b"", name_kind=0, ino=0, dev=0,
        flags=0, seq=0):
    if path:
        flags |= F_FILE
    return ev(EV_VMA, mm, seq, (start, end, pgoff, vm_flags, dump_id), ret=name_kind,
              aux=(reason,), ino=ino, dev=dev, flags=flags, path=path)


def dump_end(mm, dump_id, count, reason, seq=0, incomplete=0):
    return ev(EV_DUMP_END, mm, seq, (dump_id, count, incomplete), aux=(reason,))


A = 0x7f3000000000


def stream_basic():
    return b"".join([
        mmap_anon(1, A, 0x21000),
        mmap_file(2, A + 0x100000, 0x3000, b"/usr/lib/x86_64-linux-gnu/libz.so.1", prot=5),
        ev(EV_MPROTECT, MM_A, 3, (A + 0x1000, 0x1000, 0)),
        ev(EV_MUNMAP, MM_A, 4, (A + 0x20000, 0x1000)),
        ev(EV_BRK, MM_A, 5, (0x1042000,), ret=0x1042000, aux=(0x1000000, 0x1021000)),
        ev(EV_MREMAP, MM_A, 6, (A, 0x2000, 0x4000, 1, 0), ret=A),          # grow in place... over a split
        ev(EV_MREMAP, MM_A, 7, (A + 0x100000, 0x3000, 0x5000, 3, A + 0x400000), ret=A + 0x400000),
        ev(EV_MADVISE, MM_A, 8, (A + 0x400000, 0x2000, 10)),
        ev(EV_PRCTL_VMA_NAME, MM_A, 9, (0x53564d41, 0, A + 0x5000, 0x1000, 1), path=b"buffer"),
        ev(EV_MMAP, MM_A, 10, (0, 1 << 40, 3, 0x22, 2**64 - 1, 0), ret=-12),   # ENOMEM: resync
        ev(EV_SEQ_VOID, MM_A, 11),
        ev(EV_MUNMAP, MM_A, 12, (0x1000000, 0x21000)),                          # the heap
        ev(EV_BRK, MM_A, 13, (0,), ret=0x1010000, aux=(0x1000000, 0x1000000)),
    ])


def stream_reordered():
    # tickets arrive 3, 1, 2, 5, 4; a stale 0 and a duplicate 1
    return b"".join([
        ev(EV_MUNMAP, MM_A, 3, (A, 0x1000)),
        mmap_anon(1, A, 0x4000),
        ev(EV_MPROTECT, MM_A, 2, (A, 0x4000, 1)),
        ev(EV_SEQ_VOID, MM_A, 5),
        mmap_anon(4, A + 0x10000, 0x1000),
        mmap_anon(0, A + 0x20000, 0x1000),
        mmap_anon(1, A + 0x30000, 0x1000),
        ev(EV_MUNMAP, MM_B, 2, (0x400000, 0x1000), pid=200),
        mmap_anon(1, 0x7f5000000000, 0x1000, mm=MM_B, pid=200),
    ])


def stream_fork_exec_exit():
    recs = [
        mmap_anon(1, A, 0x8000),
        ev(EV_MADVISE, MM_A, 2, (A, 0x1000, 10)),                 # DONTFORK: not copied
        # the child's own events reach us before the parent's fork ticket
        ev(EV_FORK, MM_A, 3, (0x1200011,), aux=(MM_C, 300, 300)),
        mmap_anon(1, A + 0x100000, 0x1000, mm=MM_C, pid=300),
        ev(EV_EXEC, MM_D, 0, aux=(300,), pid=300, path=b"/bin/true", comm=b"true"),
    ]
    regions = [
        (0x400000, 0x401000, VM_READ, b"/usr/bin/true", NAME_PATH, 11),
        (0x401000, 0x405000, VM_READ | VM_EXEC, b"/usr/bin/true", NAME_PATH, 11),
        (0x600000, 0x621000, VM_READ | VM_WRITE, b"", NAME_HEAP, 0),
        (0x7ffe00000000, 0x7ffe00021000, VM_READ | VM_WRITE | VM_GROWSDOWN, b"", NAME_STACK, 0),
    ]
    for i, (s, e, f, p, nk, ino) in enumerate(regions):
        recs.append(vma(MM_D, 7, DUMP_EXEC, s, e, f, pgoff=i, path=p, name_kind=nk, ino=ino,
                        dev=0x800001 if ino else 0))
    recs += [
        dump_end(MM_D, 7, len(regions), DUMP_EXEC, seq=0),
        mmap_anon(1, 0x7f6000000000, 0x2000, mm=MM_D, pid=300),
        ev(EV_EXIT, MM_D, 0, ret=0, pid=300, flags=F_GROUP_DEAD),
        # no dup_mmap for threads and CLONE_VM children: no ticket
        ev(EV_FORK, MM_A, 0, (0x3d0f00,), aux=(MM_A, 100, 101), flags=F_THREAD | F_VM),
        ev(EV_FORK, MM_A, 0, (0x100,), aux=(MM_A, 400, 400), flags=F_VM),   # CLONE_VM child
        ev(EV_EXIT, MM_A, 0, ret=0x0900, pid=400, flags=F_GROUP_DEAD),
        ev(EV_MUNMAP, MM_A, 5, (A + 0x4000, 0x4000)),
        mmap_anon(4, A + 0x4000, 0x1000),                        # reaches us after 5
    ]
    # MM_A's exit dump at ticket 5, compared with the shadow (verify)
    exit_regions = [
        (0x400000, 0x401000, VM_READ, b"/usr/bin/prog", 1001, 0),
        (0x1000000, 0x1021000, VM_READ | VM_WRITE, b"", 0, 0),
        (A, A + 0x4000, VM_READ | VM_WRITE, b"", 0, 0),
        (0x7ffc00000000 - 0x3000, 0x7ffc00021000, VM_READ | VM_WRITE | VM_GROWSDOWN, b"", 0, 0),
    ]
    for s, e, f, p, ino, pg in exit_regions:
        recs.append(vma(MM_A, 9, DUMP_EXIT, s, e, f, pgoff=pg, path=p, ino=ino,
                        dev=0x800001 if ino else 0,
                        name_kind=NAME_STACK if f & VM_GROWSDOWN else 0))
    recs += [
        dump_end(MM_A, 9, len(exit_regions), DUMP_EXIT, seq=5),
        ev(EV_EXIT, MM_A, 0, ret=9, pid=100, flags=F_GROUP_DEAD),
    ]
    return b"".join(recs)


def stream_stacks_and_ipc():
    fp = struct.pack("<4Q", 0x401234, 0x7f1000028abc, 0x7f1000028def, 0)
    regs = struct.pack("<17Q", *range(17)) + bytes(range(64))
    return b"".join([
        ev(EV_STACK, MM_A, 0, tid=101, flags=F_STACK_FP, path=fp),
        ev(EV_MMAP, MM_A, 1, (0, 0x1000, 3, 0x22, 2**64 - 1, 0), ret=A, tid=101),
        ev(EV_STACK, MM_A, 0, tid=100, flags=F_STACK_DWARF, path=regs),
        ev(EV_STACK, MM_A, 0, tid=100, flags=F_STACK_FP, path=fp[:8]),   # replaces the first
        ev(EV_SHMAT, MM_A, 2, (5, 0, 0o10000), ret=A + 0x10000, ino=32768, dev=1,
           aux=(A + 0x10000, A + 0x14000, 0), flags=F_VMA_INFO | F_FILE | F_PSEUDO,
           path=b"SYSV00000000"),
        ev(EV_SHMDT, MM_A, 3, (A + 0x10000,)),
        ev(EV_IO_SETUP, MM_A, 4, (128, 0x7ffc00010000), aux=(A + 0x20000, A + 0x22000, 0),
           ino=99, dev=2, flags=F_VMA_INFO | F_FILE | F_PSEUDO | F_ANON_INODE, path=b"[aio]"),
        ev(EV_IO_DESTROY, MM_A, 5, (A + 0x20000,)),
        mmap_file(6, A + 0x30000, 0x4000, b"/dev/shm/data", prot=3, mflags=0x01),
        ev(EV_REMAP_FILE_PAGES, MM_A, 7, (A + 0x31000, 0x1000, 0, 3, 0)),
        ev(EV_PKEY_MPROTECT, MM_A, 8, (0x7ffc00010000, 0x1000, 0x01000003, 1)),
        ev(EV_MPROTECT, MM_A, 9, (0x400000, 0x1000, 1), flags=F_RIE),
        ev(EV_MMAP, MM_A, 10, (0, 0x2000, 3, 0x01, 4, 0), ret=A + 0x40000, ino=5, dev=6,
           aux=(A + 0x40000, A + 0x42000, 0), flags=F_VMA_INFO | F_FILE, path=b"/dev/zero"),
        ev(EV_MMAP, MM_A, 11, (0, 0x21000, 3, 0x20122, 2**64 - 1, 0), ret=A + 0x80000),  # GROWSDOWN|STACK
        ev(EV_MREMAP, MM_A, 12, (A + 0x30000, 0, 0x2000, 1, 0), ret=A + 0x90000),    # old_len 0: dup
        ev(EV_MREMAP, MM_A, 13, (A + 0x80000, 0x21000, 0x1000, 0, 0), ret=A + 0x80000),  # shrink
        ev(EV_MREMAP, MM_A, 14, (A + 0x40000, 0x2000, 0x2000, 7, A + 0x41000), ret=A + 0x41000),
    ])


def stream_hostile_paths():
    deep = b"/" + b"/".join([b"d" * 200] * 20) + b"/leaf"
    return b"".join([
        mmap_file(1, A, 0x1000, b"/tmp/new\nline"),
        mmap_file(2, A + 0x1000, 0x1000, b"/tmp/bad-\xff\xfe-\xc3\x28-\xed\xa0\x80"),
        mmap_file(3, A + 0x2000, 0x1000, b"/tmp/ctl\x01\x1b[0m\x7f\"\\", flags=F_DELETED),
        mmap_file(4, A + 0x3000, 0x1000, b"leaf/dir/tmp/", flags=F_PATH_REVERSED),
        mmap_file(5, A + 0x4000, 0x1000, b"memfd:x", flags=F_PSEUDO, mflags=0x01, prot=3),
        mmap_file(6, A + 0x5000, 0x1000, b"[io_uring]", flags=F_PSEUDO | F_ANON_INODE),
        mmap_file(7, A + 0x6000, 0x1000, b"7f0000000000-7f0000001000 rw-p 00000000 00:00 0 [heap]"),
        mmap_file(8, A + 0x7000, 0x1000, b"x (deleted)"),
        mmap_file(9, A + 0x8000, 0x1000, deep[:4096], flags=F_PATH_TRUNC),
        ev(EV_EXEC, MM_B, 0, pid=200, path=b"/bin/\xe5\x90\x8d\n", comm=b"\xff\xfe\n\t123456789abcd"),
        # last: a path_len past the end of the input (clamped to 4 bytes)
        ev(EV_MMAP, MM_A, 10, (0, 0x1000, 1, 2, 3, 0), ret=A + 0x9000, ino=1, dev=1,
           flags=F_FILE, path=b"/sho", path_len=64),
    ])


def stream_hostile_numbers():
    big = 2**64 - 1
    return b"".join([
        mmap_anon(1, big - 0xfff, 0x2000),                  # wraps: refused
        mmap_anon(2, A + 1, 0x1000),                        # unaligned
        ev(EV_MUNMAP, MM_A, 3, (A, big)),
        ev(EV_MPROTECT, MM_A, 4, (0, big - 4096, 7)),
        ev(EV_MREMAP, MM_A, 5, (A, big, 0x1000, 1, 0), ret=A),
        ev(EV_BRK, MM_A, 6, (big,), ret=-1 & big, aux=(0, big)),
        ev(EV_MADVISE, MM_A, 7, (0, big, 11)),
        ev(EV_SEQ_VOID, MM_A, 2**63),
        ev(EV_SEQ_VOID, MM_A, big),
        ev(42, MM_A, 8),                                    # unknown kind
        ev(EV_FORK, MM_A, 9, aux=(MM_A, 100, 100)),         # child mm = parent mm
        ev(EV_FORK, MM_B, 1, aux=(MM_C, 200, 200), pid=200),   # child tgid = parent tgid
        ev(EV_DUMP_END, MM_A, 10, (0, 0, 0), aux=(DUMP_EXIT,)),
        ev(EV_EXIT, MM_B, 0, ret=-1, pid=200, flags=F_GROUP_DEAD),
    ])


def events():
    return {
        "gen-basic": stream_basic(),
        "gen-reordered": stream_reordered(),
        "gen-fork-exec-exit": stream_fork_exec_exit(),
        "gen-stacks-ipc": stream_stacks_and_ipc(),
        "gen-hostile-paths": stream_hostile_paths(),
        "gen-hostile-numbers": stream_hostile_numbers(),
        "gen-empty": b"",
        "gen-short": ev(EV_MMAP)[:100],
    }


# ---- maps and smaps -------------------------------------------------------


def line(start, end, perms=b"r--p", off=0, dev=b"08:01", ino=0, name=b"", pad=73):
    head = b"%08x-%08x %s %08x %s %d " % (start, end, perms, off, dev, ino)
    if not name:
        return head + b"\n"
    return head + b" " * max(0, pad - len(head)) + name + b"\n"


def maps_seeds():
    L = line
    deep = b"/" + b"/".join([b"d" * 200] * 20)
    s = {
        "gen-specials": b"".join([
            L(0x400000, 0x401000, b"r--p", 0, b"08:01", 42, b"/usr/bin/prog"),
            L(0x401000, 0x402000, b"r-xp", 0x1000, b"08:01", 42, b"/usr/bin/prog"),
            L(0x1000000, 0x1021000, b"rw-p", name=b"[heap]", dev=b"00:00"),
            L(0x7f0000000000, 0x7f0000001000, b"rw-s", 0, b"00:01", 7, b"/memfd:x (deleted)"),
            L(0x7f0000001000, 0x7f0000002000, b"rw-s", 0, b"00:01", 32768, b"/SYSV00000000 (deleted)"),
            L(0x7f0000002000, 0x7f0000003000, b"rw-s", 0, b"00:01", 9, b"/dev/zero (deleted)"),
            L(0x7f0000003000, 0x7f0000004000, b"rw-p", name=b"[anon:buffer]", dev=b"00:00"),
            L(0x7f0000004000, 0x7f0000005000, b"rw-s", 0, b"00:0f", 1, b"anon_inode:[io_uring]"),
            L(0x7f0000005000, 0x7f0000006000, b"---p", dev=b"00:00"),
            L(0x7ffc00000000, 0x7ffc00021000, b"rw-p", name=b"[stack]", dev=b"00:00"),
            L(0x7ffc00100000, 0x7ffc00104000, b"r--p", name=b"[vvar]", dev=b"00:00"),
            L(0x7ffc00104000, 0x7ffc00106000, b"r-xp", name=b"[vdso]", dev=b"00:00"),
            L(0xffffffffff600000, 0xffffffffff601000, b"--xp", name=b"[vsyscall]", dev=b"00:00"),
        ]),
        "gen-hostile-names": b"".join([
            L(0x1000, 0x2000, name=b"/tmp/with space", ino=1),
            L(0x2000, 0x3000, name=b"/tmp/new\\012line", ino=2),
            L(0x3000, 0x4000, name=b"/tmp/back\\slash\\01", ino=3),
            L(0x4000, 0x5000, name=b"/tmp/tab\there", ino=4),
            L(0x5000, 0x6000, name=b"/tmp/ctl\x01\x02\x1b[0m\x7f", ino=5),
            L(0x6000, 0x7000, name=b"/tmp/bad-\xff\xfe-\xc3\x28-\xed\xa0\x80", ino=6),
            L(0x7000, 0x8000, name=b"/tmp/utf8-\xc3\xbcn\xc3\xafc\xc3\xb8d\xc3\xa9", ino=7),
            L(0x8000, 0x9000, name=b"/tmp/trailing space  (deleted)", ino=8),
            L(0x9000, 0xa000, name=b"/tmp/x (deleted) (deleted)", ino=9),
            L(0xa000, 0xb000, name=b"/tmp/7f0000000000-7f0000001000 rw-p 00000000 00:00 0      [heap]", ino=10),
            L(0xb000, 0xc000, name=b"/tmp/a\\0127f0000000000-7f0000001000 r-xp 00000000 08:01 42 [stack]", ino=11),
            L(0xc000, 0xd000, name=b"\\012\\012\\\\012", ino=12),
            L(0xd000, 0xe000, name=b" (deleted)", ino=13),
        ]),
        "gen-long-path": L(0x10000, 0x11000, name=deep[:4095] + b"/f", ino=99),
        # 32-bit layout: 8 digits, pad to column 49
        "gen-32bit": b"".join([
            L(0x08048000, 0x08049000, b"r-xp", 0, b"08:01", 5, b"/bin/prog32", pad=49),
            L(0xf7f00000, 0xf7f01000, b"rw-p", name=b"[stack]", dev=b"00:00", pad=49),
        ]),
        "gen-wide-header": b"7fffffffffff0000-7fffffffffff1000 rw-p 123456789abcdef0 fff:fffff 18446744073709551615  /wide\n",
        "gen-no-final-newline": L(0x1000, 0x2000, name=b"/x", ino=1)[:-1],
        "gen-crlf": L(0x1000, 0x2000, name=b"/x", ino=1)[:-1] + b"\r\n",
        "gen-uppercase": b"0000ABCD0000-0000ABCE0000 R--P 00000000 08:01 1 /u\n",
        "gen-bad-missing-inode": b"00001000-00002000 r--p 00000000 08:01\n",
        "gen-bad-glued": b"00001000-00002000 r--p 00000000 08:01 12x /x\n",
        "gen-bad-perms": b"00001000-00002000 rwzp 00000000 08:01 1 /x\n",
        "gen-bad-empty-range": b"00002000-00002000 r--p 00000000 08:01 1 /x\n",
        "gen-bad-overflow": b"10000000000000000-20000000000000000 r--p 00000000 08:01 1 /x\n",
        "gen-bad-inode-overflow": b"00001000-00002000 r--p 00000000 08:01 18446744073709551616 /x\n",
        "gen-bad-major": b"00001000-00002000 r--p 00000000 1000:01 1 /x\n",
        "gen-bad-minor": b"00001000-00002000 r--p 00000000 08:100000 1 /x\n",
        "gen-bad-nul": b"00001000-00002000 r--p 00000000 08:01 1 /x\x00y\n",
        "gen-bad-order": L(0x3000, 0x4000) + L(0x1000, 0x2000),
        "gen-bad-overlap": L(0x1000, 0x3000) + L(0x2000, 0x4000),
        "gen-bad-empty-line": L(0x1000, 0x2000) + b"\n" + L(0x3000, 0x4000),
        "gen-bad-tabs": b"00001000-00002000\tr--p\t00000000\t08:01\t1\t/x\n",
        "gen-newline-only": b"\n",
    }
    return s


def smaps_record(start, end, perms=b"rw-p", name=b"", ino=0, extra=b"", size_kb=None,
                 vmflags=b"rd wr mr mw me ac"):
    size = (end - start) // 1024 if size_kb is None else size_kb
    head = line(start, end, perms, 0, b"08:01" if ino else b"00:00", ino, name)
    body = (b"Size:           %8d kB\nKernelPageSize:        4 kB\nMMUPageSize:           4 kB\n"
            b"Rss:                   4 kB\nPss:                   4 kB\nPss_Dirty:             4 kB\n"
            b"Shared_Clean:          0 kB\nShared_Dirty:          0 kB\nPrivate_Clean:         0 kB\n"
            b"Private_Dirty:         4 kB\nReferenced:            4 kB\nAnonymous:             4 kB\n"
            b"KSM:                   0 kB\nLazyFree:              0 kB\nAnonHugePages:         0 kB\n"
            b"ShmemPmdMapped:        0 kB\nFilePmdMapped:         0 kB\nShared_Hugetlb:        0 kB\n"
            b"Private_Hugetlb:       0 kB\nSwap:                  0 kB\nSwapPss:               0 kB\n"
            b"Locked:                0 kB\nTHPeligible:           0\n" % size)
    return head + body + extra + (b"VmFlags: " + vmflags + b" \n" if vmflags is not None else b"")


def smaps_seeds():
    R = smaps_record
    ok = R(0x1000, 0x2000)
    return {
        "gen-minimal": ok,
        "gen-specials": b"".join([
            R(0x400000, 0x401000, b"r-xp", b"/usr/bin/prog", 42, vmflags=b"rd ex mr mw me sd"),
            R(0x1000000, 0x1021000, name=b"[heap]"),
            R(0x7f0000000000, 0x7f0000001000, b"---p", vmflags=b"mr mw me nr"),
            R(0x7f0000001000, 0x7f0000801000, vmflags=b"rd wr mr mw me ac nh"),
            R(0x7f0000900000, 0x7f0000901000, b"rw-s", b"/memfd:x (deleted)", 7,
              vmflags=b"rd wr sh mr mw me ms sd"),
            R(0x7f0000a00000, 0x7f0000a01000, name=b"[anon:buf]"),
            R(0x7ffc00000000, 0x7ffc00021000, name=b"[stack]", vmflags=b"rd wr mr mw me gd ac"),
            R(0xffffffffff600000, 0xffffffffff601000, b"--xp", name=b"[vsyscall]", vmflags=b"ex"),
        ]),
        "gen-hostile-names": b"".join([
            R(0x1000, 0x2000, b"r--p", b"/tmp/new\\012line (deleted)", 1),
            R(0x2000, 0x3000, b"r--p", b"/tmp/a\\0127f0000000000-7f0000001000 r-xp 00000000 08:01 42 [stack]", 2),
            R(0x3000, 0x4000, b"r--p", b"/tmp/Size: 4 kB", 3),
            R(0x4000, 0x5000, b"r--p", b"/tmp/bad-\xff\xfe\t\x01", 4),
        ]),
        "gen-unknown-keys": R(0x1000, 0x2000, extra=b"NewKey2030:     12 kB\nOddKey: x y z\n",
                              vmflags=b"rd zz abc  wr sl ss bt mt ui dp gu"),
        "gen-thp": R(0x1000, 0x2000).replace(b"THPeligible:           0", b"THPeligible:    1"),
        "gen-bad-no-vmflags": R(0x1000, 0x2000, vmflags=None),
        "gen-bad-size": R(0x1000, 0x2000, size_kb=8),
        "gen-bad-cut": ok[:-30],
        "gen-bad-no-final-newline": ok[:-1],
        "gen-bad-key-first": b"Size: 4 kB\n" + ok,
        "gen-bad-no-colon": ok.replace(b"Rss:", b"Rss "),
        "gen-bad-empty-key": ok.replace(b"Rss:", b":"),
        "gen-bad-value": ok.replace(b"Pss:                   4 kB", b"Pss: 4 MB"),
        "gen-bad-overflow": ok.replace(b"Pss:                   4 kB", b"Pss: 18014398509481984 kB"),
        "gen-bad-order": R(0x3000, 0x4000) + R(0x1000, 0x2000),
        "gen-bad-header": ok.replace(b"00001000-00002000 rw-p", b"00001000-00002000 rw-x"),
    }


# ---- JSON, budgets, options -----------------------------------------------

STAT = (b'{"schema":"maptrace-stat","version":1,"command":["./my-test","--flag"],"exit_status":0,'
        b'"duration_ns":31234567,"lost_events":0,"total":{"calls":{"mmap":36,"munmap":7,'
        b'"mprotect":9,"brk":9},"failed":{"mmap":0},"bytes_mapped":153616384,'
        b'"bytes_unmapped":68345856,"churn_bytes":68345856,"peak_vm_bytes":158052352,'
        b'"final_vm_bytes":89763840,"peak_anon_bytes":147324928,"final_anon_bytes":79212544,'
        b'"final_mappings":51},"processes":[{"pid":1234,"comm":"my-test","exited":true,'
        b'"figures":{"calls":{"mmap":36},"final_mappings":51}}]}')
EVENT = (b'{"kind":"mmap","time_ns":14263011,"pid":9417,"tid":9417,"comm":"python3.11",'
         b'"mm":"0xffff88810006be80","seq":58,"args":{"addr":"0x0","length":3,"prot":"PROT_READ",'
         b'"flags":"MAP_SHARED","fd":3,"offset":"0x0"},"ret":140244526927872,'
         b'"result":"0x7f8d39359000","path":"/etc/hostname","dev":266338304,"inode":733,'
         b'"deleted":false}')


def json_seeds():
    return {
        "gen-stat": STAT,
        "gen-event": EVENT,
        "gen-lossy": b'{"path":"/tmp/bad-\\ufffd","path_hex":"2f746d702f6261642dff","comm":"a\\u0001\\"\\\\\\/"}',
        "gen-unicode": b'["\\u00fc\\u540d\\ud83d\\ude00","\xc3\xbc\xe5\x90\x8d\xf0\x9f\x98\x80","\\ud800","\\udc00x"]',
        "gen-numbers": b'[0,-0,1,18446744073709551615,18446744073709551616,1e2,1.5,-2.5e-3,1E+400,123456789012345678901234567890]',
        "gen-literals": b' \t\r\n[true,false,null,{},[],""]\n',
        "gen-dup-keys": b'{"a":1,"a":2,"":3,"b":{"a":[1,{"a":null}]}}',
        "gen-deep-64": b"[" * 64 + b"]" * 64,
        "gen-deep-65": b"[" * 65 + b"]" * 65,
        "gen-bad-trailing": b'{"a":1} x',
        "gen-bad-comma": b'[1,]',
        "gen-bad-string": b'"abc',
        "gen-bad-escape": b'"\\x41"',
        "gen-bad-control": b'"a\nb"',
        "gen-bad-number": b'[+1, 0x10, .5, 1., 01, -, inf, nan]',
        "gen-bad-key": b'{1:2}',
        "gen-empty": b"",
    }


def jsonwrite_seeds():
    return {
        "gen-ascii": b"/usr/lib/x86_64-linux-gnu/libc.so.6",
        "gen-escapes": bytes(range(0, 0x20)) + b'"\\/\x7f',
        "gen-utf8": "üñï名前😀".encode() + b"\xef\xbf\xbd",
        "gen-invalid": b"\xff\xfe\xc3\x28\xed\xa0\x80\xe0\x80\x80\xf0\x80\x80\x80\xf4\x90\x80\x80\xc0\xaf\x80",
        "gen-truncated": b"ok\xe5\x90",
        "gen-nul": b"a\x00b\x00",
        "gen-empty": b"",
    }


def budget_seeds():
    return {
        "gen-le": b"calls.mmap <= 40",
        "gen-eq": b"churn_bytes=32M",
        "gen-units": b"  peak_vm_bytes <= 256MiB  ",
        "gen-tb": b"final_vm_bytes<=1TB",
        "gen-kb": b"bytes_mapped = 64k",
        "gen-failed": b"failed.munmap <= 0",
        "gen-max": b"final_mappings <= 18446744073709551615",
        "gen-overflow": b"final_mappings <= 16777216T",
        "gen-unknown": b"calls.open <= 1",
        "gen-no-op": b"calls.mmap 40",
        "gen-no-name": b" <= 40",
        "gen-long-name": b"x" * 60 + b" <= 1",
        "gen-file": b"# budget\ncalls.mmap <= 40   # comment\n\n  churn_bytes <= 32M\r\npeak_anon_bytes=1G\n",
    }


def options_seeds():
    def args(*a):
        return b"\0".join(a)
    return {
        "gen-pid": args(b"-p", b"1234"),
        "gen-pids": args(b"-p1,2,3", b"-v"),
        "gen-pid-long": args(b"--pid=4194304", b"--verbose", b"-b", b"64M"),
        "gen-all": args(b"-a", b"--buffer", b"1GiB"),
        "gen-command": args(b"-b", b"16k", b"--", b"/bin/ls", b"-l", b"/"),
        "gen-bad-pid": args(b"-p", b"0,-1,4194305,x"),
        "gen-bad-buffer": args(b"-b", b"0"),
        "gen-nothing": args(b"--"),
        "gen-two": args(b"-a", b"-p", b"1"),
    }


def write(sub, seeds):
    d = os.path.join(CORPUS, sub)
    os.makedirs(d, exist_ok=True)
    for name, data in seeds.items():
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)


def main():
    write("events", events())
    write("maps", maps_seeds())
    write("smaps", smaps_seeds())
    write("jsonread", json_seeds())
    write("jsonwrite", jsonwrite_seeds())
    write("budget", budget_seeds())
    write("options", options_seeds())
    return 0


if __name__ == "__main__":
    sys.exit(main())
