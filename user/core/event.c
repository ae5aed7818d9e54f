// SPDX-License-Identifier: GPL-2.0
/* event.c - what an event means (see core/event.h): one table of kind
 * names, and the rules every reader of events shares. */
#include <string.h>

#include "core/event.h"
#include "core/shadow.h"

static const char *const kind_names[MT_EV__COUNT] = {
	[MT_EV_MMAP] = "mmap",
	[MT_EV_MUNMAP] = "munmap",
	[MT_EV_MPROTECT] = "mprotect",
	[MT_EV_PKEY_MPROTECT] = "pkey_mprotect",
	[MT_EV_BRK] = "brk",
	[MT_EV_MREMAP] = "mremap",
	[MT_EV_SHMAT] = "shmat",
	[MT_EV_SHMDT] = "shmdt",
	[MT_EV_REMAP_FILE_PAGES] = "remap_file_pages",
	[MT_EV_IO_SETUP] = "io_setup",
	[MT_EV_IO_DESTROY] = "io_destroy",
	[MT_EV_MADVISE] = "madvise",
	[MT_EV_PRCTL_VMA_NAME] = "prctl",
	[MT_EV_FORK] = "fork",
	[MT_EV_EXEC] = "exec",
	[MT_EV_EXIT] = "exit",
	[MT_EV_VMA] = "vma",
	[MT_EV_DUMP_END] = "dump_end",
	[MT_EV_SEQ_VOID] = "seq_void",
	[MT_EV_MAP_VDSO] = "arch_prctl",
};

const char *mt_event_kind_name(__u32 kind)
{
	return kind < MT_EV__COUNT ? kind_names[kind] : NULL;
}

bool mt_event_is_call(__u32 kind)
{
	return (kind > MT_EV_NONE && kind < MT_EV_FORK) || kind == MT_EV_MAP_VDSO;
}

bool mt_event_failed(const struct mt_event *e)
{
	return mt_event_is_call(e->kind) && e->kind != MT_EV_BRK && e->ret < 0 && e->ret >= -4095;
}

bool mt_event_file_deleted(const struct mt_event *e)
{
	return (e->flags & MT_EVF_DELETED) ||
	       ((e->flags & MT_EVF_PSEUDO) && !(e->flags & MT_EVF_ANON_INODE));
}

size_t mt_event_path(const struct mt_event *e, const char *raw, char *out, size_t cap)
{
	size_t len = e->path_len, n = 0;

	if (!cap)
		return 0;
	if (!(e->flags & MT_EVF_PATH_REVERSED)) {
		const char *prefix = "";
		size_t pl;

		if (e->flags & MT_EVF_ANON_INODE)
			prefix = "anon_inode:";
		else if (e->flags & MT_EVF_PSEUDO)
			prefix = "/";
		pl = strlen(prefix);
		/* a cap shorter than the prefix would make cap - 1 - pl below
		 * wrap and the prefix overrun out (evfmt.h promises cap - 1) */
		if (pl >= cap)
			pl = cap - 1;
		if (!len && !(e->flags & MT_EVF_PSEUDO)) {
			out[0] = '\0';
			return 0;
		}
		if (pl + len >= cap)
			len = cap - 1 - pl;
		memcpy(out, prefix, pl);
		memcpy(out + pl, raw, len);
		out[pl + len] = '\0';
		return pl + len;
	}
	/* "leaf/dir/" -> "/dir/leaf": take components from the end */
	if (!len) {
		out[0] = '/';
		out[cap > 1 ? 1 : 0] = '\0';
		return cap > 1;
	}
	while (len && n + 1 < cap) {
		size_t end = len - 1, start = end; /* raw[end] is the '/' after a component */

		while (start && raw[start - 1] != '/')
			start--;
		if (n + 1 + (end - start) >= cap)
			break;
		out[n++] = '/';
		memcpy(out + n, raw + start, end - start);
		n += end - start;
		len = start;
	}
	out[n] = '\0';
	return n;
}

/* The mapping calls' effects on the address space's size, by their
 * arguments: mmap maps its length; munmap unmaps it; brk moves the heap's
 * end from the break it had (aux[1]) to the one it returned; mremap grows,
 * shrinks or (DONTUNMAP, or a shared mapping's zero old length) maps a
 * new copy; shmat and io_setup map the vma the kernel reported; shmdt and
 * io_destroy unmap the region at their address. Failed calls move none. */
struct mt_event_bytes mt_event_bytes(const struct mt_event *e, const struct mt_shadow *shadow)
{
	struct mt_event_bytes b = { 0 };
	uint64_t a0 = e->args[0];
	const struct mt_region *r;

	if (mt_event_failed(e))
		return b;
	switch (e->kind) {
	case MT_EV_MMAP:
		b.mapped = MT_PAGE_ALIGN(e->args[1]);
		break;
	case MT_EV_MUNMAP:
		b.unmapped = MT_PAGE_ALIGN(e->args[1]);
		b.removed_start = a0;
		b.removed_end = a0 + b.unmapped;
		break;
	case MT_EV_BRK: {
		uint64_t old_end = MT_PAGE_ALIGN(e->aux[1]), new_end = MT_PAGE_ALIGN((uint64_t)e->ret);

		if (new_end > old_end) {
			b.mapped = new_end - old_end;
		} else {
			b.unmapped = old_end - new_end;
			b.removed_start = new_end;
			b.removed_end = old_end;
		}
		break;
	}
	case MT_EV_MREMAP: {
		uint64_t old_len = MT_PAGE_ALIGN(e->args[1]), new_len = MT_PAGE_ALIGN(e->args[2]);

		if ((e->args[3] & MT_MREMAP_DONTUNMAP) || old_len == 0) {
			b.mapped = new_len;
		} else if (new_len >= old_len) {
			b.mapped = new_len - old_len;
		} else {
			b.unmapped = old_len - new_len;
			b.removed_start = a0 + new_len;
			b.removed_end = a0 + old_len;
		}
		break;
	}
	case MT_EV_SHMAT:
	case MT_EV_IO_SETUP:
		if (e->flags & MT_EVF_VMA_INFO)
			b.mapped = e->aux[1] - e->aux[0];
		break;
	case MT_EV_SHMDT:
	case MT_EV_IO_DESTROY:
		r = shadow ? mt_shadow_find(shadow, a0) : NULL;
		if (r) {
			b.unmapped = r->end - r->start;
			b.removed_start = r->start;
			b.removed_end = r->end;
		}
		break;
	}
	return b;
}
