// SPDX-License-Identifier: GPL-2.0
/* mremap_forms - every form of mremap(2).
 *
 *   mremap_forms [DIR]     (temporary file in DIR, default /tmp)
 *
 * Exercises: growing in place; shrinking in place; growing when blocked
 * (fails with ENOMEM without MREMAP_MAYMOVE, moves with it); MREMAP_FIXED
 * onto an existing mapping (which it replaces); MREMAP_DONTUNMAP of private
 * anonymous memory (the old range stays mapped, empty); old_len == 0, which
 * duplicates a MAP_SHARED mapping (also from its middle, pgoff > 0); moving
 * and growing a file mapping (the file offset continues), then moving it
 * with MREMAP_FIXED into a reservation, and shrinking a piece of it; and
 * calls that fail: an unmapped old address (EFAULT), MREMAP_FIXED without
 * MREMAP_MAYMOVE (EINVAL). Each call is made once per run.
 */
#include "wl.h"

#define RW (PROT_READ | PROT_WRITE)

static unsigned long tag(const char *p)
{
	return *(const volatile unsigned long *)p;
}

static void settag(char *p, unsigned long v)
{
	*(volatile unsigned long *)p = v;
}

static void in_place_and_move(void)
{
	char *g = xanon(NULL, 8 * PG, RW, 0), *p;

	xmunmap(g + 2 * PG, 6 * PG);                 /* room to grow into */
	settag(g, 0x1111);
	p = xmremap(g, 2 * PG, 5 * PG, 0, NULL);
	if (p != g)
		die("grow in place moved %p to %p", (void *)g, (void *)p);
	touch(g, 5 * PG);
	p = xmremap(g, 5 * PG, PG, 0, NULL);
	if (p != g)
		die("shrink in place moved %p to %p", (void *)g, (void *)p);

	/* a neighbour right after g blocks growth in place */
	xmmap(g + PG, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	expect_err("mremap grow when blocked, no MREMAP_MAYMOVE",
		   (long)raw_mremap(g, PG, 4 * PG, 0, NULL), ENOMEM);
	p = xmremap(g, PG, 4 * PG, MREMAP_MAYMOVE, NULL);
	if (p == g || tag(p) != 0x1111)
		die("MREMAP_MAYMOVE: %p -> %p, tag %#lx", (void *)g, (void *)p, tag(p));
	touch(p, 4 * PG);
	xmunmap(g + PG, PG);
	/* p stays mapped */
}

static void fixed_onto_mapping(void)
{
	char *dst = xanon(NULL, 6 * PG, PROT_READ, 0);
	char *src = xanon(NULL, 2 * PG, RW, 0), *p;

	settag(src + PG, 0x2222);
	p = xmremap(src, 2 * PG, 2 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, dst + 2 * PG);
	if (p != dst + 2 * PG || tag(p + PG) != 0x2222)
		die("MREMAP_FIXED: landed at %p (want %p), tag %#lx", (void *)p, (void *)(dst + 2 * PG),
		    tag(p + PG));
	/* dst is now R | RW (moved) | R, src unmapped */
}

static void dontunmap(void)
{
	char *du = xanon(NULL, 3 * PG, RW, 0), *p;

	settag(du + 2 * PG, 0x3333);
	p = xmremap(du, 3 * PG, 3 * PG, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, NULL);
	if (p == du || tag(p + 2 * PG) != 0x3333)
		die("MREMAP_DONTUNMAP: %p -> %p, tag %#lx", (void *)du, (void *)p, tag(p + 2 * PG));
	if (tag(du + 2 * PG) != 0)
		die("MREMAP_DONTUNMAP: the old range still holds %#lx", tag(du + 2 * PG));
	touch(du, 3 * PG);
}

static void duplicate_shared(void)
{
	char *sh = xmmap(NULL, 4 * PG, RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0), *p, *q;

	settag(sh, 7);
	settag(sh + 2 * PG, 9);
	p = xmremap(sh, 0, 4 * PG, MREMAP_MAYMOVE, NULL);
	if (p == sh || tag(p) != 7)
		die("old_len 0 duplicate: %p -> %p, tag %lu", (void *)sh, (void *)p, tag(p));
	settag(p, 8);
	if (tag(sh) != 8)
		die("old_len 0 duplicate does not share pages");
	q = xmremap(sh + 2 * PG, 0, PG, MREMAP_MAYMOVE, NULL);   /* from the middle */
	if (tag(q) != 9)
		die("old_len 0 duplicate of page 2 reads %lu", tag(q));
}

static void file_mapping(int fd)
{
	char *r = xanon(NULL, 16 * PG, PROT_NONE, MAP_NORESERVE), *fm, *p;

	/* inside the reservation: growing in place is blocked by its rest */
	fm = xmmap(r, 2 * PG, PROT_READ, MAP_PRIVATE | MAP_FIXED, fd, 3 * PG);
	p = xmremap(fm, 2 * PG, 6 * PG, MREMAP_MAYMOVE, NULL);
	if (p == fm || tag(p) != 3 || tag(p + 5 * PG) != 8)
		die("file mremap: %p -> %p, tags %lu..%lu", (void *)fm, (void *)p, tag(p),
		    tag(p + 5 * PG));
	fm = xmremap(p, 6 * PG, 6 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, r + 4 * PG);
	if (fm != r + 4 * PG || tag(fm + PG) != 4)
		die("file MREMAP_FIXED: at %p (want %p), tag %lu", (void *)fm, (void *)(r + 4 * PG),
		    tag(fm + PG));
	p = xmremap(fm + 4 * PG, 2 * PG, PG, 0, NULL);            /* shrink a tail piece */
	if (p != fm + 4 * PG)
		die("file shrink moved");
}

static void failures(void)
{
	char *hole = xanon(NULL, 2 * PG, RW, 0);

	xmunmap(hole, 2 * PG);
	expect_err("mremap of an unmapped address",
		   (long)raw_mremap(hole, PG, 2 * PG, MREMAP_MAYMOVE, NULL), EFAULT);
	expect_err("MREMAP_FIXED without MREMAP_MAYMOVE",
		   (long)raw_mremap(hole, PG, PG, MREMAP_FIXED, hole + 8 * PG), EINVAL);
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "/tmp";
	char path[4096];
	int fd = tmpfile_in(dir, "mremap", 16 * PG, path);

	in_place_and_move();
	fixed_onto_mapping();
	dontunmap();
	duplicate_shared();
	file_mapping(fd);
	failures();
	if (unlink(path))
		die("unlink(%s): %s", path, strerror(errno));
	close(fd);
	return 0;
}
