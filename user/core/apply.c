// SPDX-License-Identifier: GPL-2.0
/* apply.c - what one mapping call changes in an address space's shadow
 * (apply.h): its syscall's semantics, from the kernel's mm/ code, turned
 * into shadow operations; failed calls; calls whose event cannot say what
 * they changed ask for the address space to be read again. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/array.h"
#include "core/apply.h"
#include "core/event.h"
#include "core/maps.h"

#define PROT_GROWSDOWN  0x01000000
#define PROT_GROWSUP    0x02000000

static uint32_t prot_perms(uint64_t prot)
{
	return (prot & 1 ? MT_PERM_READ : 0) | (prot & 2 ? MT_PERM_WRITE : 0) |
	       (prot & 4 ? MT_PERM_EXEC : 0);
}

static struct mt_origin origin_of(const struct mt_aspace *as, const struct mt_event *e)
{
	return (struct mt_origin){ .ts_ns = e->ts_ns, .seq = e->seq, .kind = e->kind, .tid = e->tid,
				   .stack = as->applying_stack };
}

/* The vma the kernel reported (MT_EVF_VMA_INFO) as a region named name. */
static int map_vma_info(struct mt_aspace *as, const struct mt_event *e, uint32_t perms,
			const char *name)
{
	struct mt_region r = {
		.start = e->aux[0], .end = e->aux[1], .perms = perms | MT_PERM_SHARED,
		.dev = e->dev, .inode = e->ino, .offset = e->aux[2] * MT_PAGE_SIZE,
		.name = name, .origin = origin_of(as, e),
	};
	if (e->flags & MT_EVF_FILE)
		r.flags |= mt_described_file_flags(e->flags);
	if (e->flags & MT_EVF_VMA_DONTCOPY)
		r.flags |= MT_RF_DONTCOPY;
	return mt_shadow_map(as->shadow, &r);
}

/* r/w/x as the kernel grants them: READ_IMPLIES_EXEC adds exec to read
 * (mm/mmap.c do_mmap, mm/mprotect.c do_mprotect_pkey) */
static uint32_t granted_perms(const struct mt_event *e, uint64_t prot)
{
	uint32_t perms = prot_perms(prot);

	if ((e->flags & MT_EVF_READ_IMPLIES_EXEC) && (perms & MT_PERM_READ))
		perms |= MT_PERM_EXEC;
	return perms;
}

static int apply_mmap(struct mt_aspace *as, const struct mt_event *e, const char *name)
{
	uint64_t flags = e->args[3], type = flags & MT_MAP_SHARED_VALIDATE;
	struct mt_region r = {
		.start = (uint64_t)e->ret, .end = (uint64_t)e->ret + MT_PAGE_ALIGN(e->args[1]),
		.perms = granted_perms(e, e->args[2]), .origin = origin_of(as, e), .name = name,
	};

	if (type == MT_MAP_SHARED || type == MT_MAP_SHARED_VALIDATE)
		r.perms |= MT_PERM_SHARED;
	if (flags & MT_MAP_GROWSDOWN)
		r.flags |= MT_RF_GROWSDOWN;
	if (e->flags & MT_EVF_VMA_INFO) {
		/* the vma the kernel made: a device may have swapped the file
		 * (shared /dev/zero is shmem) or dropped it (private /dev/zero
		 * is anonymous); shared anonymous memory is a shmem file */
		if (e->flags & MT_EVF_FILE) {
			r.dev = e->dev;
			r.inode = e->ino;
			r.offset = e->aux[2] * MT_PAGE_SIZE;
		} else {
			r.name = NULL;
		}
	} else if (!(flags & MT_MAP_ANONYMOUS)) {
		r.dev = e->dev;
		r.inode = e->ino;
		r.offset = e->args[5];
		if (!(e->flags & MT_EVF_FILE))
			r.flags |= MT_RF_IDENT_UNKNOWN;
	} else if (r.perms & MT_PERM_SHARED) {
		r.flags |= MT_RF_IDENT_UNKNOWN; /* its shmem inode could not be read */
	}
	if (e->flags & MT_EVF_FILE)
		r.flags |= mt_described_file_flags(e->flags);
	return mt_shadow_map(as->shadow, &r);
}

/* A fragment of a SysV segment attached at addr: a file of the kernel's
 * internal shm mount, which names it /SYSV<key> (ipc/shm.c newseg()),
 * whose file offset is its distance from addr (fragments come from
 * mprotect and munmap). ksys_shmdt() goes by vma->vm_ops, so a file of
 * a real file system named like one is never a fragment; where the kernel
 * did not describe the file (a /proc snapshot, legacy object) the name
 * decides. */
static bool shm_fragment_of(const struct mt_region *r, uint64_t addr)
{
	return r->start >= addr && r->offset == r->start - addr && r->name &&
	       !strncmp(r->name, "/SYSV", 5) && !(r->flags & MT_RF_FS_PATH);
}

/* shmdt(addr) (ipc/shm.c ksys_shmdt): the first shm fragment at or above
 * addr names the segment (even when the page at addr was unmapped
 * earlier); every fragment of that segment attached at addr goes. */
static int apply_shmdt(struct mt_aspace *as, uint64_t addr)
{
	const struct mt_region *r = mt_shadow_lower_bound(as->shadow, addr);
	uint64_t dev, ino, *ranges = NULL;
	size_t n = 0, cap = 0;
	int err = 0;

	while (r && !shm_fragment_of(r, addr))
		r = mt_shadow_next(as->shadow, r);
	if (!r)
		return -ENOENT;
	dev = r->dev;
	ino = r->inode;
	/* collect first: unmapping invalidates the walk */
	for (; r; r = mt_shadow_next(as->shadow, r)) {
		if (r->dev != dev || r->inode != ino || !shm_fragment_of(r, addr))
			continue;
		if (mt_array_grow((void **)&ranges, &cap, n + 2, sizeof(*ranges))) {
			free(ranges);
			return -ENOMEM;
		}
		ranges[n++] = r->start;
		ranges[n++] = r->end;
	}
	for (size_t i = 0; i < n && !err; i += 2)
		err = mt_shadow_unmap(as->shadow, ranges[i], ranges[i + 1]);
	free(ranges);
	return err;
}

static int apply_remap_file_pages(struct mt_aspace *as, const struct mt_event *e)
{
	/* emulated as a MAP_FIXED|MAP_SHARED mmap of the same file at the new
	 * offset (mm/mmap.c remap_file_pages) */
	const struct mt_region *cur = mt_shadow_find(as->shadow, e->args[0]);
	struct mt_region r;

	if (!cur)
		return -ENOENT;
	r = *cur;
	r.start = e->args[0] & ~(MT_PAGE_SIZE - 1);
	r.end = r.start + MT_PAGE_ALIGN(e->args[1]);
	r.offset = e->args[3] * MT_PAGE_SIZE;
	r.origin = origin_of(as, e);
	return mt_shadow_map(as->shadow, &r);
}

/* PROT_GROWSDOWN extends an mprotect down to the start of the growsdown
 * vma holding start (mm/mprotect.c do_mprotect_pkey); the shadow may hold
 * that vma as several alike regions. */
static uint64_t protect_start(struct mt_aspace *as, uint64_t start, uint64_t prot)
{
	const struct mt_region *r = mt_shadow_find(as->shadow, start), *below;

	if (!(prot & PROT_GROWSDOWN) || !r || !(r->flags & MT_RF_GROWSDOWN))
		return start;
	while (r->start && (below = mt_shadow_find(as->shadow, r->start - 1)) &&
	       below->end == r->start && (below->flags & MT_RF_GROWSDOWN) && below->perms == r->perms)
		r = below;
	return r->start;
}

/* A call that failed after taking the mmap write lock (it has a ticket)
 * may have changed part of its range. Where it may have, the BPF side
 * sends the address space whole right after it (needs_reseed() in
 * bpf/maptrace.bpf.c), or, on kernels that cannot dump one, asks for a
 * resync (MT_DUMP_NOT_TAKEN); where it cannot have, there is nothing to do.
 * Until then mprotect's ENOMEM at a gap is applied, as it is deterministic:
 * do_mprotect_pkey() (mm/mprotect.c, the same from 5.10 to 6.18) changes
 * nothing when start is unmapped, else changes vma after vma from start
 * and stops with ENOMEM at the first gap. */
static int apply_failed(struct mt_aspace *as, const struct mt_event *e)
{
	uint64_t start = e->args[0], end = start + MT_PAGE_ALIGN(e->args[1]), gap;
	const struct mt_region *r;

	if ((e->kind != MT_EV_MPROTECT && e->kind != MT_EV_PKEY_MPROTECT) || e->ret != -ENOMEM ||
	    (e->args[2] & (PROT_GROWSDOWN | PROT_GROWSUP)) || end <= start)
		return 0;
	r = mt_shadow_find(as->shadow, start);
	if (!r)
		return 0;
	for (gap = r->end; gap < end && (r = mt_shadow_find(as->shadow, gap)); gap = r->end)
		;
	if (gap >= end)
		return 0; /* it failed in mprotect_fixup() at a vma we cannot tell */
	return mt_shadow_protect(as->shadow, start, gap, granted_perms(e, e->args[2]), NULL);
}

/* the heap vma spans [start_brk, brk) page aligned (mm/mmap.c brk) */
static int apply_brk(struct mt_aspace *as, const struct mt_event *e)
{
	uint64_t old_end = MT_PAGE_ALIGN(e->aux[1]), new_end = MT_PAGE_ALIGN((uint64_t)e->ret);
	struct mt_region r = {
		.start = old_end, .end = new_end, .perms = granted_perms(e, 3 /* rw */),
		.name = "[heap]", .origin = origin_of(as, e),
	};

	if (new_end > old_end)
		return mt_shadow_map(as->shadow, &r);
	if (new_end < old_end)
		return mt_shadow_unmap(as->shadow, new_end, old_end);
	return 0;
}

int mt_apply_event(struct mt_aspace *as, const struct mt_event *e, const char *name)
{
	uint64_t a0 = e->args[0];

	if (mt_event_failed(e))
		return apply_failed(as, e);
	switch (e->kind) {
	case MT_EV_MMAP:
		return apply_mmap(as, e, name);
	case MT_EV_MUNMAP:
		if (!e->args[1])
			return 0;
		return mt_shadow_unmap(as->shadow, a0, a0 + MT_PAGE_ALIGN(e->args[1]));
	case MT_EV_MPROTECT:
	case MT_EV_PKEY_MPROTECT:
		if (!e->args[1])
			return 0; /* a zero-length mprotect succeeds and changes nothing */
		return mt_shadow_protect(as->shadow, protect_start(as, a0, e->args[2]),
					 a0 + MT_PAGE_ALIGN(e->args[1]), granted_perms(e, e->args[2]),
					 NULL);
	case MT_EV_BRK:
		return apply_brk(as, e);
	case MT_EV_MREMAP: {
		struct mt_origin o = origin_of(as, e);
		uint64_t old_len = MT_PAGE_ALIGN(e->args[1]);

		return mt_shadow_remap(as->shadow, a0, old_len, (uint64_t)e->ret,
				       MT_PAGE_ALIGN(e->args[2]),
				       (e->args[3] & MT_MREMAP_DONTUNMAP) || old_len == 0, &o);
	}
	case MT_EV_SHMAT:
		if (!(e->flags & MT_EVF_VMA_INFO)) {
			as->resync = true;
			return 0;
		}
		return map_vma_info(as, e,
				    MT_PERM_READ | (e->args[2] & MT_SHM_RDONLY ? 0 : MT_PERM_WRITE) |
				    (e->args[2] & MT_SHM_EXEC ? MT_PERM_EXEC : 0), name);
	case MT_EV_SHMDT:
		return apply_shmdt(as, a0);
	case MT_EV_REMAP_FILE_PAGES:
		return apply_remap_file_pages(as, e);
	case MT_EV_IO_SETUP:
		if (!(e->flags & MT_EVF_VMA_INFO)) {
			as->resync = true;
			return 0;
		}
		return map_vma_info(as, e, MT_PERM_READ | MT_PERM_WRITE, name);
	case MT_EV_IO_DESTROY: {
		/* kill_ioctx() unmaps the whole ring; the context id is its address */
		const struct mt_region *r = mt_shadow_find(as->shadow, a0);

		return r ? mt_shadow_unmap(as->shadow, r->start, r->end) : 0;
	}
	case MT_EV_MAP_VDSO:
		/* [vvar] and [vdso] where map_vdso() chose, sized by the
		 * kernel's image: learnt from the reseed dump that follows
		 * (which clears this), or by a resync */
		as->resync = true;
		return 0;
	case MT_EV_MADVISE:
		if (!e->args[1])
			return 0;
		return mt_shadow_set_flags(as->shadow, a0, a0 + MT_PAGE_ALIGN(e->args[1]),
					   e->args[2] == MT_MADV_DONTFORK ? MT_RF_DONTCOPY : 0,
					   e->args[2] == MT_MADV_DONTFORK ? 0 : MT_RF_DONTCOPY);
	default:
		return 0;
	}
}
