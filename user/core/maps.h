/* SPDX-License-Identifier: GPL-2.0 */
/* maps.h - an address space as a list of regions in address order: what a
 * /proc reader, an in-kernel dump or a snapshot hands over, built from the
 * kernel's own descriptions. User-only. */
#ifndef MAPTRACE_MAPS_H
#define MAPTRACE_MAPS_H

#include <stddef.h>
#include <stdint.h>
#include "core/region.h"

/* A parsed maps file: regions in address order. Every region's name points
 * into memory owned by this struct (freed by mt_maps_free). */
struct mt_maps {
	struct mt_region *regions;
	size_t count;
	size_t capacity;
	char *names;         /* arena holding the unescaped names */
	size_t names_len;
	size_t names_cap;
};

/* Append a copy of r named by len bytes of name (NULL: no name) to m, which
 * must be in address order after it. Names already in m stay valid only
 * through m->regions (the arena may move). Returns 0 or -ENOMEM. */
int mt_maps_append(struct mt_maps *m, const struct mt_region *r, const char *name, size_t len);

void mt_maps_free(struct mt_maps *m);

/* The index of the region holding addr among n regions in address order,
 * or n when none does (binary search). */
size_t mt_regions_find(const struct mt_region *r, size_t n, uint64_t addr);

/* Convert a kernel vma description to a region (perms from vm_flags, offset
 * from pgoff for file-backed vmas). */
void mt_vma_to_region(uint64_t start, uint64_t end, uint64_t pgoff, uint64_t vm_flags,
		      uint32_t dev, uint64_t ino, struct mt_region *r);
/* Append r to m with the name a file-less vma record describes (enum
 * mt_name_kind and, for MT_NAME_ANON, the name's bytes). */
int mt_maps_append_named(struct mt_maps *m, struct mt_region *r, uint32_t name_kind,
			 const char *bytes, size_t len);
/* Append r to m named as a BPF vma record names it: its file (file_flags
 * has MT_EVF_FILE; raw/len is the path as the BPF side wrote it) or else
 * name_kind. The dump's records and the iterator's share this. */
int mt_maps_append_vma(struct mt_maps *m, struct mt_region *r, uint32_t file_flags,
		       uint32_t name_kind, const char *raw, size_t len);
/* The region flags of a file the BPF side described (file_flags: enum
 * mt_event_flag): deleted, and a path of a real file system. */
uint32_t mt_described_file_flags(uint32_t file_flags);

/* Format perms as the 4 characters maps shows ("r-xp"); buf needs 5 bytes. */
const char *mt_perms_str(uint32_t perms, char buf[5]);

#endif /* MAPTRACE_MAPS_H */
