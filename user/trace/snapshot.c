// SPDX-License-Identifier: GPL-2.0
/* snapshot.c - read a process's whole address space, exact at a known
 * ticket (tracer.h: mt_tracer_snapshot): the task_vma iterator where the
 * kernel has it, else /proc/PID/smaps, stamped by the legacy object's
 * fexit programs or read while the process is stopped (no-BTF object). */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "base/array.h"
#include "core/event.h"
#include "core/maps.h"
#include "proc/procmaps.h"
#include "proc/smaps.h"
#include "trace/tracer_obj.h"

/* Read all of an iterator fd: a read() returns at most one seq_file batch. */
static int read_all(int fd, char **buf, size_t *len)
{
	size_t cap = 1 << 16;
	char *b = malloc(cap);

	*len = 0;
	if (!b)
		return -ENOMEM;
	for (;;) {
		ssize_t n;

		if (mt_array_grow((void **)&b, &cap, *len + 8192, 1)) {
			free(b);
			return -ENOMEM;
		}
		n = read(fd, b + *len, cap - *len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			free(b);
			return -errno;
		}
		if (n == 0)
			break;
		*len += n;
	}
	*buf = b;
	return 0;
}

/* A snapshot is read in batches, and one cut short by the process's exit
 * looks complete: the task_vma iterator moves on to the next task, and
 * /proc's m_start() stops, when the task has no mm any more (kernel/bpf/
 * task_iter.c, fs/proc/task_mmu.c). The stamp cannot tell (an exit draws
 * no ticket), so ask afterwards: exit_mm() is final, and an mm still there
 * after the read was there throughout it. */
static int still_has_mm(pid_t tgid)
{
	char *buf = NULL;
	size_t cap = 0;
	int err = mt_proc_has_mm(tgid, &buf, &cap); /* (a vanished pid: -ESRCH) */

	free(buf);
	return err;
}

/* /proc/PID/smaps as regions. smaps rather than maps: its VmFlags say what
 * maps does not and the shadow needs, "dc" (MADV_DONTFORK: what the next
 * fork leaves out) and "gd" (grows down). */
static int smaps_regions(const char *buf, size_t len, struct mt_maps *out)
{
	struct mt_smaps sm = { 0 };
	int err = mt_smaps_parse(buf, len, &sm, NULL);

	for (size_t i = 0; !err && i < sm.maps.count; i++) {
		struct mt_region r = sm.maps.regions[i];

		if (sm.stats[i].vmflags & MT_VMF_DC)
			r.flags |= MT_RF_DONTCOPY;
		if (sm.stats[i].vmflags & MT_VMF_GD)
			r.flags |= MT_RF_GROWSDOWN;
		err = mt_maps_append(out, &r, r.name, r.name ? strlen(r.name) : 0);
	}
	mt_smaps_free(&sm);
	return err;
}

/* The regions of smaps text buf (freed here) read for tgid, unless err:
 * none means the process has no address space (any more), and one it
 * lost during the read is no snapshot (still_has_mm). */
static int proc_snapshot_regions(pid_t tgid, char *buf, size_t len, int err, struct mt_maps *out)
{
	if (!err)
		err = smaps_regions(buf, len, out);
	free(buf);
	if (!err && !out->count)
		err = kill(tgid, 0) == 0 ? -EINVAL : -ESRCH;
	return err ? err : still_has_mm(tgid);
}

static int read_smaps(pid_t tgid, char **buf, size_t *len)
{
	char path[40];
	size_t cap = 0;

	snprintf(path, sizeof(path), "/proc/%d/smaps", (int)tgid);
	*len = 0;
	return mt_proc_read_whole(path, buf, &cap, len);
}

/* The legacy object's snapshot: /proc/PID/smaps, whose mm and ticket count
 * at each read-locked batch the BPF side noted (proc_snap in
 * bpf/maptrace.bpf.c). The same count at the first and the last batch: an
 * exact image after that ticket, as the iterator's. */
static int snapshot_proc(struct mt_tracer *t, pid_t tgid, struct mt_maps *out,
			 uint64_t *mm, uint64_t *stamp)
{
	volatile struct mt_proc_snap *ps = t->proc_snap;
	struct mt_proc_snap snap;
	char *buf = NULL;
	size_t len;
	int err;

	ps->mm = 0;
	err = read_smaps(tgid, &buf, &len);
	/* written by our own open() and read() calls, which have returned */
	snap.mm = ps->mm;
	snap.first = ps->first;
	snap.last = ps->last;
	snap.batches = ps->batches;
	if (!err && (!snap.mm || !snap.batches))
		err = kill(tgid, 0) == 0 ? -EINVAL : -ESRCH; /* no address space (any more) */
	else if (!err && snap.first != snap.last)
		err = -EAGAIN; /* a mapping call ran between two batches */
	err = proc_snapshot_regions(tgid, buf, len, err, out);
	*mm = snap.mm;
	*stamp = snap.first;
	return err;
}

/* The no-BTF object's snapshot, of a process the caller has stopped (its
 * threads are out of their calls, and nothing else changes an mm's
 * layout): /proc/PID/smaps, of the mm the BPF side last saw the process
 * have (at fork, exec, or the SIGSTOP that stopped it), stamped with that
 * mm's ticket count, all of whose events are in the ring buffer. */
static int snapshot_stopped(struct mt_tracer *t, pid_t tgid, struct mt_maps *out,
			    uint64_t *mm, uint64_t *stamp)
{
	__u32 key = tgid;
	__u64 val = 0;
	char *buf = NULL;
	size_t len;
	int err;

	if (bpf_map__lookup_elem(t->tgid_mm, &key, sizeof(key), &val, sizeof(val), 0))
		return kill(tgid, 0) == 0 ? -ENOKEY : -ESRCH;
	err = read_smaps(tgid, &buf, &len);
	err = proc_snapshot_regions(tgid, buf, len, err, out);
	*mm = val;
	if (mt_tracer_ticket_last(t, val, stamp))
		*stamp = 0; /* no ticket drawn yet */
	return err;
}

bool mt_tracer_snapshots_stop(const struct mt_tracer *t)
{
	return t->nskel != NULL;
}

int mt_tracer_snapshot(struct mt_tracer *t, pid_t tgid, struct mt_maps *out,
		       uint64_t *mm, uint64_t *stamp)
{
	union bpf_iter_link_info info = { .task.pid = tgid };
	LIBBPF_OPTS(bpf_iter_attach_opts, opts, .link_info = &info, .link_info_len = sizeof(info));
	struct bpf_link *link;
	char *buf = NULL;
	size_t len = 0, off = 0;
	bool first = true;
	int fd, err;

	if (t->proc_snap)
		return snapshot_proc(t, tgid, out, mm, stamp);
	if (t->nskel)
		return snapshot_stopped(t, tgid, out, mm, stamp);
	link = bpf_program__attach_iter(t->skel->progs.seed_vmas, &opts);
	if (!link)
		return errno == ESRCH || errno == ENOENT ? -ESRCH : -errno;
	fd = bpf_iter_create(bpf_link__fd(link));
	if (fd < 0) {
		err = -errno;
		bpf_link__destroy(link);
		return err;
	}
	err = read_all(fd, &buf, &len);
	close(fd);
	bpf_link__destroy(link);
	if (err)
		return err;

	*mm = 0;
	*stamp = 0;
	while (!err && off + sizeof(struct mt_iter_vma) <= len) {
		struct mt_iter_vma v;
		struct mt_region r;

		memcpy(&v, buf + off, sizeof(v));
		off += sizeof(v);
		if (off + v.path_len > len) {
			err = -EIO;
			break;
		}
		if (first) {
			*mm = v.mm;
			*stamp = v.seq;
			first = false;
		} else if (v.seq != *stamp || v.mm != *mm) {
			err = -EAGAIN; /* a mapping call ran between two batches */
		}
		mt_vma_to_region(v.start, v.end, v.pgoff, v.vm_flags, v.dev, v.ino, &r);
		if (!err)
			err = mt_maps_append_vma(out, &r, v.file_flags, v.name_kind, buf + off,
						 v.path_len);
		off += v.path_len;
	}
	free(buf);
	if (!err && first) {
		/* no vma at all: the process is gone (or a kernel thread) */
		err = kill(tgid, 0) == 0 ? -EINVAL : -ESRCH;
	}
	return err ? err : still_has_mm(tgid);
}
