/* SPDX-License-Identifier: GPL-2.0 */
/* classify_ctx.h - what the classifier's passes share (classify.c, and the
 * file and ELF pass in classify_files.c): the context of one run, what it
 * learns about each region, and small predicates. Private to them. */
#ifndef MAPTRACE_CLASSIFY_CTX_H
#define MAPTRACE_CLASSIFY_CTX_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "analyze/classify.h"
#include "core/maps.h"

#define KiB 1024ull
#define MiB (1024ull * 1024)
#define ARENA_BLOCK     (64 * MiB)   /* glibc HEAP_MAX_SIZE on 64-bit */
#define MMAP_THRESHOLD  (128 * KiB)  /* glibc DEFAULT_MMAP_THRESHOLD_MIN */
#define DEFAULT_STACK   (8 * MiB)    /* glibc's default when RLIMIT_STACK is unlimited */
#define STACK_SLACK     (64 * KiB)   /* "about the default stack size" */
#define GUARD_MAX       (1 * MiB)    /* a larger PROT_NONE neighbour is no guard */
#define NAME_CLIP       48           /* bytes of a name quoted in a description */
#define ALLOCATOR_MIN   (64 * KiB)   /* less is left "origin unknown" with another malloc */

#define UNSET MT_KIND_COUNT

struct ctx {
	const struct mt_region *r;
	const struct mt_smaps_stat *st;
	size_t n;
	const struct mt_proc_facts *f;
	struct mt_class *out;
	uint64_t page;
	struct scratch *sc;                 /* per region */
	const struct mt_elf_file **elves;   /* f->elves sorted by inode, dev */
	const struct mt_claims *claims;     /* NULL: none */
};

/* What the passes learn about each region besides its answer. Everything
 * that depends on a region's neighbours is computed once, so a process
 * with 65,000 regions costs O(n log n). */
struct scratch {
	const struct mt_elf_seg *seg;  /* its PT_LOAD (pass 1), NULL unknown */
	size_t zero;        /* the same file's offset-0 mapping at or before it
			       among consecutive mappings of that file; SIZE_MAX none */
	uint32_t nstack;    /* threads whose stack pointer lies in it */
	uint32_t thread;    /* index in f->threads of the lowest such tid */
	uint8_t elf_kind;   /* the ELF kind even when deleted-file, else UNSET */
	bool run_x;         /* consecutive mappings of its file include an executable one */
};

__attribute__((format(printf, 2, 3)))
static inline void setd(struct mt_class *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->desc, sizeof(c->desc), fmt, ap);
	va_end(ap);
}

/* A kind the kernel's facts decide (name, file, ELF headers, stack pointer). */
static inline void set(struct mt_class *c, enum mt_kind k)
{
	c->kind = k;
	c->evidence = MT_EVIDENCE_KERNEL;
}

/* A kind a runtime fact decides (the malloc library a process maps). */
static inline void attest(struct mt_class *c, enum mt_kind k)
{
	c->kind = k;
	c->evidence = MT_EVIDENCE_RUNTIME;
}

/* A kind the region's shape suggests. */
static inline void guess(struct mt_class *c, enum mt_kind k)
{
	c->kind = k;
	c->evidence = MT_EVIDENCE_HEURISTIC;
}

static inline bool has_prefix(const char *s, const char *pfx)
{
	return strncmp(s, pfx, strlen(pfx)) == 0;
}

static inline const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash && slash[1] ? slash + 1 : path;
}

/* At most NAME_CLIP bytes of s[0..len), cut before a UTF-8 continuation
 * byte so a clipped name stays valid UTF-8 when it was; "..." if cut. */
static inline const char *clip(const char *s, size_t len, char buf[NAME_CLIP + 4])
{
	size_t n = len;

	if (n > NAME_CLIP) {
		n = NAME_CLIP;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(buf, s, n);
	if (n < len)
		memcpy(buf + n, "...", 3), n += 3;
	buf[n] = '\0';
	return buf;
}

static inline uint64_t size_of(const struct mt_region *r)
{
	return r->end - r->start;
}

static inline uint32_t prot(const struct mt_region *r)
{
	return r->perms & (MT_PERM_READ | MT_PERM_WRITE | MT_PERM_EXEC);
}

/* private anonymous: no file, no name */
static inline bool plain_anon(const struct mt_region *r)
{
	return !r->name && !mt_region_has_file(r) && !(r->perms & MT_PERM_SHARED);
}

static inline bool anon_rw(const struct mt_region *r)
{
	return plain_anon(r) && prot(r) == (MT_PERM_READ | MT_PERM_WRITE);
}

static inline bool anon_none(const struct mt_region *r)
{
	return plain_anon(r) && mt_region_prot_none(r);
}

static inline bool unset(const struct ctx *x, size_t i)
{
	return x->out[i].kind == UNSET;
}

/* i and i-1 touch */
static inline bool adjacent_below(const struct ctx *x, size_t i)
{
	return i > 0 && x->r[i - 1].end == x->r[i].start;
}

static inline bool near(uint64_t v, uint64_t want)
{
	return want && v + STACK_SLACK >= want && v <= want + STACK_SLACK;
}

static inline uint64_t page_up(uint64_t v, uint64_t page)
{
	return (v + page - 1) & ~(page - 1);
}

/* Region holding addr, or n. */
static inline size_t find_region(const struct ctx *x, uint64_t addr)
{
	return mt_regions_find(x->r, x->n, addr);
}

/* Pass 1 for files (classify_files.c): note each region's consecutive
 * mappings of its file, then label file region i. */
void mt_cls_scan_file_runs(struct ctx *x);
void mt_cls_file(struct ctx *x, size_t i);
/* "the program", "the dynamic loader", "library libc.so.6" */
const char *mt_cls_object_phrase(const struct mt_region *r, enum mt_role role, char *buf,
				  size_t cap);
/* qsort order of ELF files by (inode, dev), as find_elf() searches them */
int mt_cls_cmp_elves(const void *a, const void *b);
/* Pass 7 (classify_claims.c): what runtimes and creating stacks said.
 * 0 or -ENOMEM. */
int mt_cls_claims(struct ctx *x);

#endif /* MAPTRACE_CLASSIFY_CTX_H */
