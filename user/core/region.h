/* SPDX-License-Identifier: GPL-2.0 */
/* region.h - one mapped region as /proc/<pid>/maps shows it, plus its origin.
 *
 * The common vocabulary of the user side: the maps parser produces regions,
 * the shadow table stores them, the page diff compares them. User-only.
 */
#ifndef MAPTRACE_REGION_H
#define MAPTRACE_REGION_H

#if defined(__KERNEL__) || defined(__bpf__)
#error "region.h is a user-space header"
#endif

#include <stdint.h>
#include <stdbool.h>

/* perms bits, as the four perms characters of a maps line show them */
enum mt_perm {
	MT_PERM_READ   = 1u << 0, /* 'r' */
	MT_PERM_WRITE  = 1u << 1, /* 'w' */
	MT_PERM_EXEC   = 1u << 2, /* 'x' */
	MT_PERM_SHARED = 1u << 3, /* 's' (VM_MAYSHARE); 'p' when clear */
};

/* region flags: facts about a region that maps does not print as perms */
enum mt_region_flag {
	MT_RF_DELETED       = 1u << 0, /* name ended in " (deleted)" (stripped from name) */
	MT_RF_DONTCOPY      = 1u << 1, /* VM_DONTCOPY: not inherited by fork (MADV_DONTFORK) */
	MT_RF_IDENT_UNKNOWN = 1u << 2, /* dev/inode not known yet (learned at next snapshot) */
	MT_RF_GROWSDOWN     = 1u << 3, /* VM_GROWSDOWN: may grow below start on fault */
	MT_RF_FS_PATH       = 1u << 4, /* the kernel described its file by a path in a file
				      system: not a file of an internal mount (SysV shm,
				      memfd, shared anonymous memory), whatever its name */
};

/* How a region came to be: the event that created it (see events.h kinds;
 * 0 = learned from a snapshot), the thread, time and per-address-space order. */
struct mt_origin {
	uint64_t ts_ns;   /* CLOCK_MONOTONIC time of the event, 0 if unknown */
	uint64_t seq;     /* per-address-space sequence number, 0 if unknown */
	uint32_t kind;    /* enum mt_event_kind, 0 = seeded from snapshot */
	uint32_t tid;     /* creating thread, 0 if unknown */
	uint32_t stack;   /* id of the creating call stack (unwind.h), 0 if none */
	uint32_t _pad;
};

struct mt_region {
	uint64_t start;      /* first byte */
	uint64_t end;        /* one past the last byte; page aligned */
	uint64_t offset;     /* file offset in bytes (0 for anonymous) */
	uint64_t inode;      /* 0 when no file backs the region */
	uint32_t dev;        /* kernel dev_t encoding: major << 20 | minor */
	uint32_t perms;      /* enum mt_perm bits */
	uint32_t flags;      /* enum mt_region_flag bits */
	uint32_t _pad;
	const char *name;    /* path or special name ("[heap]"), NULL when none.
	                        Raw bytes (kernel escapes undone); owner depends
	                        on the container (see procmaps.h, shadow.h). */
	struct mt_origin origin;
};

/* Whether a file backs r (the kernel's vma->vm_file), as /proc/<pid>/maps
 * tells it: by a device, since every superblock has one (anonymous devices
 * start at minor 1, fs/super.c get_anon_bdev), and not by the inode, which
 * may be 0: SysV segment 0 shows as "00:01 0 /SYSV00000000 (deleted)". */
static inline bool mt_region_has_file(const struct mt_region *r)
{
	return r->dev || r->inode;
}

/* Whether r is PROT_NONE: reserved address space, nothing committed to it. */
static inline bool mt_region_prot_none(const struct mt_region *r)
{
	return !(r->perms & (MT_PERM_READ | MT_PERM_WRITE | MT_PERM_EXEC));
}

/* kernel dev_t encoding (include/linux/kdev_t.h): 12-bit major, 20-bit minor */
#define MT_DEV_MAJOR(d) ((uint32_t)(d) >> 20)
#define MT_DEV_MINOR(d) ((uint32_t)(d) & 0xfffffu)
#define MT_MKDEV(ma, mi) (((uint32_t)(ma) << 20) | ((uint32_t)(mi) & 0xfffffu))

#endif /* MAPTRACE_REGION_H */
