/* SPDX-License-Identifier: GPL-2.0 */
/* shadow.h - the shadow of one address space: an ordered set of regions.
 *
 * Applies mapping changes with the kernel's semantics (MAP_FIXED replacement,
 * partial munmap/mprotect splits, every mremap form, fork copies) in
 * O(log n + k) per operation, k = regions touched. Pure logic: no /proc,
 * no BPF, so it is unit-tested without root. User-only.
 *
 * Names are copied (interned) by the shadow; regions returned by lookups
 * stay valid until the next modifying call.
 */
#ifndef MAPTRACE_SHADOW_H
#define MAPTRACE_SHADOW_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include "core/region.h"
/* MT_PAGE_SIZE: the granule the shadow checks alignment against. Larger
 * kernel pages (16K, 64K) are multiples of it, so their addresses pass. */
#include "maptrace/events.h"

struct mt_shadow;

struct mt_shadow *mt_shadow_new(void);
void mt_shadow_free(struct mt_shadow *s);
void mt_shadow_clear(struct mt_shadow *s);
size_t mt_shadow_count(const struct mt_shadow *s);
/* total mapped bytes */
uint64_t mt_shadow_bytes(const struct mt_shadow *s);
/* Regions as the kernel would count its vmas: adjacent regions alike in
 * perms, identity (continuous file offsets) and name count once, since the
 * kernel merges such neighbours (the shadow never does). */
uint64_t mt_shadow_count_merged(const struct mt_shadow *s);
/* mapped bytes of anonymous regions (mt_region_is_anon) */
uint64_t mt_shadow_anon_bytes(const struct mt_shadow *s);

/* Whether a region is the process's anonymous memory: no file behind it
 * (heap, stacks, [anon:NAME] and unnamed), not a kernel special mapping
 * ([vdso], [vvar], [vsyscall]...). */
bool mt_region_is_anon(const struct mt_region *r);

/* fork(): a copy of s; regions flagged MT_RF_DONTCOPY are left out when
 * honour_dontcopy (dup_mmap skips VM_DONTCOPY vmas). NULL on ENOMEM. */
struct mt_shadow *mt_shadow_clone(const struct mt_shadow *s, bool honour_dontcopy);

/* mmap/shmat: [r->start, r->end) becomes r; whatever was there is removed
 * first (MAP_FIXED semantics). 0 or -ENOMEM/-EINVAL (empty/unaligned). */
int mt_shadow_map(struct mt_shadow *s, const struct mt_region *r);

/* munmap: remove [start, end); regions overlapping partly are split, the
 * file offset of a right-hand remainder advanced. Returns 0 or -ENOMEM. */
int mt_shadow_unmap(struct mt_shadow *s, uint64_t start, uint64_t end);

/* mprotect: set the r/w/x bits (MT_PERM_SHARED is kept as it was) of every
 * mapped page in [start, end), splitting at the edges. *hole_bytes (if not
 * NULL) receives how many bytes of the range were not mapped. */
int mt_shadow_protect(struct mt_shadow *s, uint64_t start, uint64_t end,
		      uint32_t rwx, uint64_t *hole_bytes);

/* Set and clear MT_RF_* flags on mapped pages of [start, end), splitting
 * (madvise MADV_DONTFORK/MADV_DOFORK). */
int mt_shadow_set_flags(struct mt_shadow *s, uint64_t start, uint64_t end,
			uint32_t set, uint32_t clear);

/* mremap result, all lengths page aligned by the caller:
 * - in place (new_addr == old_addr): grow extends the region holding the
 *   last old page (same attributes, file offset continuing) over
 *   [old+old_len, old+new_len); shrink unmaps [old+new_len, old+old_len).
 * - moved (new_addr != old_addr): [new_addr, new_addr+new_len) takes the
 *   attributes of the old range page by page (extended like a grow when
 *   new_len > old_len), replacing what was there (MREMAP_FIXED); the old
 *   range is then unmapped unless keep_old (MREMAP_DONTUNMAP, or old_len==0
 *   which duplicates a shared mapping: then old_len is treated as new_len
 *   for the source).
 * The destination pages' origin is set to *origin. 0, -ENOENT if the
 * source is not mapped, -ENOMEM. */
int mt_shadow_remap(struct mt_shadow *s, uint64_t old_addr, uint64_t old_len,
		    uint64_t new_addr, uint64_t new_len, bool keep_old,
		    const struct mt_origin *origin);

/* Region containing addr, or NULL. */
const struct mt_region *mt_shadow_find(const struct mt_shadow *s, uint64_t addr);
/* First region with end > addr (address order), or NULL. */
const struct mt_region *mt_shadow_lower_bound(const struct mt_shadow *s, uint64_t addr);
/* Region after r in address order, or NULL. */
const struct mt_region *mt_shadow_next(const struct mt_shadow *s, const struct mt_region *r);

/* Check internal invariants (ordering, no overlap, balance); for tests.
 * Returns true when consistent. */
bool mt_shadow_check(const struct mt_shadow *s);

#endif /* MAPTRACE_SHADOW_H */
