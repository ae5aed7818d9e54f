// SPDX-License-Identifier: GPL-2.0
/* maps.c - the region list (see core/maps.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/array.h"
#include "core/event.h"
#include "core/maps.h"

int mt_maps_append(struct mt_maps *m, const struct mt_region *r, const char *name, size_t len)
{
	char *old_names = m->names;
	struct mt_region *nr;

	if (mt_array_grow((void **)&m->regions, &m->capacity, m->count + 1, sizeof(*m->regions)))
		return -ENOMEM;
	if (name && mt_array_grow((void **)&m->names, &m->names_cap, m->names_len + len + 1, 1))
		return -ENOMEM;
	if (m->names != old_names && old_names) {
		/* the arena moved: rebase every name that pointed into it */
		for (size_t i = 0; i < m->count; i++)
			if (m->regions[i].name)
				m->regions[i].name = m->names +
					((uintptr_t)m->regions[i].name - (uintptr_t)old_names);
	}
	nr = &m->regions[m->count++];
	*nr = *r;
	nr->name = NULL;
	if (name) {
		memcpy(m->names + m->names_len, name, len);
		m->names[m->names_len + len] = '\0';
		nr->name = m->names + m->names_len;
		m->names_len += len + 1;
	}
	return 0;
}

void mt_maps_free(struct mt_maps *m)
{
	free(m->regions);
	free(m->names);
	memset(m, 0, sizeof(*m));
}

const char *mt_perms_str(uint32_t perms, char buf[5])
{
	buf[0] = perms & MT_PERM_READ ? 'r' : '-';
	buf[1] = perms & MT_PERM_WRITE ? 'w' : '-';
	buf[2] = perms & MT_PERM_EXEC ? 'x' : '-';
	buf[3] = perms & MT_PERM_SHARED ? 's' : 'p';
	buf[4] = '\0';
	return buf;
}

void mt_vma_to_region(uint64_t start, uint64_t end, uint64_t pgoff, uint64_t vm_flags,
		      uint32_t dev, uint64_t ino, struct mt_region *r)
{
	memset(r, 0, sizeof(*r));
	r->start = start;
	r->end = end;
	r->dev = dev;
	r->inode = ino;
	/* show_map_vma(): offset only for file-backed vmas, 's' from VM_MAYSHARE */
	r->offset = ino || dev ? pgoff * MT_PAGE_SIZE : 0;
	if (vm_flags & MT_VM_READ)
		r->perms |= MT_PERM_READ;
	if (vm_flags & MT_VM_WRITE)
		r->perms |= MT_PERM_WRITE;
	if (vm_flags & MT_VM_EXEC)
		r->perms |= MT_PERM_EXEC;
	if (vm_flags & MT_VM_MAYSHARE)
		r->perms |= MT_PERM_SHARED;
	if (vm_flags & MT_VM_GROWSDOWN)
		r->flags |= MT_RF_GROWSDOWN;
	if (vm_flags & MT_VM_DONTCOPY)
		r->flags |= MT_RF_DONTCOPY;
}

int mt_maps_append_named(struct mt_maps *m, struct mt_region *r, uint32_t name_kind,
			 const char *bytes, size_t len)
{
	char buf[MT_PATH_MAX + 16];

	switch (name_kind) {
	case MT_NAME_HEAP:
		return mt_maps_append(m, r, "[heap]", 6);
	case MT_NAME_STACK:
		r->flags |= MT_RF_GROWSDOWN;
		return mt_maps_append(m, r, "[stack]", 7);
	case MT_NAME_ANON:
		if (len > MT_PATH_MAX)
			len = MT_PATH_MAX;
		memcpy(buf, "[anon:", 6);
		/* on_vma passes no bytes (NULL, 0), and memcpy's pointers
		 * must be valid even for 0 bytes (C11 7.24.1) */
		if (len)
			memcpy(buf + 6, bytes, len);
		buf[6 + len] = ']';
		return mt_maps_append(m, r, buf, len + 7);
	default:
		return mt_maps_append(m, r, NULL, 0);
	}
}

uint32_t mt_described_file_flags(uint32_t file_flags)
{
	const struct mt_event e = { .flags = file_flags };
	uint32_t f = mt_event_file_deleted(&e) ? MT_RF_DELETED : 0;

	if ((file_flags & MT_EVF_FILE) && !(file_flags & MT_EVF_PSEUDO))
		f |= MT_RF_FS_PATH;
	return f;
}

int mt_maps_append_vma(struct mt_maps *m, struct mt_region *r, uint32_t file_flags,
		       uint32_t name_kind, const char *raw, size_t len)
{
	/* mt_event_path() reads only these two */
	const struct mt_event e = { .flags = file_flags, .path_len = (__u32)len };
	char name[MT_PATH_MAX + 64];

	if (!(file_flags & MT_EVF_FILE))
		return mt_maps_append_named(m, r, name_kind, NULL, 0);
	len = mt_event_path(&e, raw, name, sizeof(name));
	r->flags |= mt_described_file_flags(file_flags);
	return mt_maps_append(m, r, len ? name : NULL, len);
}

size_t mt_regions_find(const struct mt_region *r, size_t n, uint64_t addr)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (r[mid].end <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && r[lo].start <= addr ? lo : n;
}
