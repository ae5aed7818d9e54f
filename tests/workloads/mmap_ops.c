// SPDX-License-Identifier: GPL-2.0
/* mmap_ops - the everyday shapes of mmap, munmap, mprotect and madvise.
 *
 *   mmap_ops [DIR]     (temporary file in DIR, default /tmp)
 *
 * Exercises: anonymous and file-backed mmap; munmap of the left end, the
 * right end, the middle of a region and across several regions and a hole;
 * mprotect splitting a region in three and spanning several regions; a
 * mprotect over a hole that fails with ENOMEM after the kernel has already
 * changed the regions before the hole (the shadow applies it up to the hole), and
 * one that fails at once; MAP_FIXED overlays of anonymous memory over a
 * file mapping and of a file over anonymous memory; a PROT_NONE reservation
 * made read-write piece by piece (how malloc grows an arena), then part of
 * it named with prctl(PR_SET_VMA_ANON_NAME, "wl:arena") (on a kernel without
 * CONFIG_ANON_VMA_NAME the call fails with EINVAL: accepted, and the name
 * is not cleared again); pkey_mprotect with pkey -1 (a plain mprotect, no
 * PKU needed; ENOSYS on a kernel without protection keys: accepted);
 * MAP_SHARED anonymous and file mappings, and remap_file_pages
 * on the shared file mapping (the kernel emulates it: the page now maps
 * another file offset); MAP_FIXED_NOREPLACE onto a mapping (EEXIST);
 * MADV_DONTFORK / MADV_DOFORK then fork (the child only checks which pages
 * it inherited) and MADV_DONTNEED (not an event: it changes no mapping);
 * zero-length mmap, munmap and mprotect. Every call is made once per run:
 * the counts are fixed. Events expected in the trace beyond the loader's:
 * madvise 2, prctl 1 or 2, failures: mmap EINVAL and EEXIST, munmap EINVAL,
 * mprotect ENOMEM twice (and prctl EINVAL without CONFIG_ANON_VMA_NAME).
 */
#include <sys/prctl.h>

#include "wl.h"

#ifndef PR_SET_VMA
#define PR_SET_VMA 0x53564d41
#define PR_SET_VMA_ANON_NAME 0
#endif

#define RW (PROT_READ | PROT_WRITE)

static unsigned long page_tag(const char *p)
{
	return *(const volatile unsigned long *)p;
}

static void everyday(int fd)
{
	char *a, *f;

	a = xanon(NULL, 8 * PG, RW, 0);
	touch(a, 8 * PG);
	f = xmmap(NULL, 8 * PG, PROT_READ, MAP_PRIVATE, fd, 4 * PG);
	if (page_tag(f) != 4 || page_tag(f + 7 * PG) != 11)
		die("file mapping at offset 4 pages reads tags %lu..%lu", page_tag(f),
		    page_tag(f + 7 * PG));
	xmunmap(a, 8 * PG);
	xmunmap(f, 8 * PG);
}

static void partial_munmap(void)
{
	char *u = xanon(NULL, 16 * PG, RW, 0), *s;

	touch(u, 16 * PG);
	xmunmap(u, 2 * PG);             /* left end */
	xmunmap(u + 14 * PG, 2 * PG);   /* right end */
	xmunmap(u + 7 * PG, 2 * PG);    /* middle: two regions remain */
	xmunmap(u + 5 * PG, 6 * PG);    /* across the hole just made */

	/* R | RW | R, then one munmap over all three */
	s = xanon(NULL, 12 * PG, PROT_READ, 0);
	xmprotect(s + 4 * PG, 4 * PG, RW);
	touch(s + 4 * PG, 4 * PG);
	xmunmap(s + 2 * PG, 8 * PG);
	xmunmap(u, 16 * PG);            /* what is left of u, and its holes */
	xmunmap(s, 12 * PG);
}

static void mprotect_splits(void)
{
	char *m = xanon(NULL, 9 * PG, RW, 0);

	touch(m, 9 * PG);
	xmprotect(m + 3 * PG, 3 * PG, PROT_READ);                 /* RW | R | RW */
	xmprotect(m + 1 * PG, 7 * PG, PROT_READ | PROT_EXEC);     /* over all three */
	/* ENOSYS where the kernel has no protection keys at all: arm64
	 * before 6.12 (CONFIG_ARM64_POE) makes it sys_ni_syscall. The call is
	 * made either way, and counted by strace and maptrace alike. */
	if (syscall(SYS_pkey_mprotect, m + 6 * PG, PG, PROT_READ, -1) && errno != ENOSYS)
		die("pkey_mprotect(pkey -1): %s", strerror(errno));
	xmprotect(m, 9 * PG, RW);                                 /* merge back */
	xmunmap(m, 9 * PG);
}

static void mprotect_hole(void)
{
	char *h = xanon(NULL, 6 * PG, RW, 0);

	touch(h, 6 * PG);
	xmunmap(h + 2 * PG, 2 * PG);
	/* mprotect_fixup() runs on [h, h+2p) before the walk finds the hole:
	 * the call fails, yet the first region is read-only afterwards */
	expect_err("mprotect over a hole", raw_mprotect(h, 6 * PG, PROT_READ), ENOMEM);
	/* starts inside the hole: nothing changes */
	expect_err("mprotect from a hole", raw_mprotect(h + 2 * PG, 4 * PG, PROT_READ), ENOMEM);
	xmprotect(h, 2 * PG, RW);
	touch(h, 2 * PG);
	touch(h + 4 * PG, 2 * PG);
	xmunmap(h, 6 * PG);
}

static void fixed_overlays(int fd)
{
	char *o = xmmap(NULL, 8 * PG, PROT_READ, MAP_PRIVATE, fd, 0), *o2;

	xanon(o + 2 * PG, 2 * PG, RW, MAP_FIXED);   /* anonymous over the file */
	expect_err("MAP_FIXED_NOREPLACE onto a mapping",
		   (long)raw_mmap(o + PG, 2 * PG, RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0),
		   EEXIST);
	touch(o + 2 * PG, 2 * PG);
	if (page_tag(o + 4 * PG) != 4)
		die("file page 4 after the overlay reads %lu", page_tag(o + 4 * PG));

	o2 = xanon(NULL, 8 * PG, RW, 0);
	touch(o2, 8 * PG);
	xmmap(o2 + 3 * PG, 3 * PG, PROT_READ, MAP_PRIVATE | MAP_FIXED, fd, 5 * PG); /* file over anon */
	if (page_tag(o2 + 3 * PG) != 5 || page_tag(o2 + 5 * PG) != 7)
		die("file overlay reads tags %lu, %lu", page_tag(o2 + 3 * PG), page_tag(o2 + 5 * PG));
	/* the overlays stay mapped: the exit check sees them */
}

static void arena(void)
{
	char *r = xanon(NULL, 64 * PG, PROT_NONE, MAP_NORESERVE);

	for (int i = 0; i < 8; i++) {
		xmprotect(r + i * 4 * PG, 4 * PG, RW);   /* grows the RW part, merging */
		touch(r + i * 4 * PG, 4 * PG);
	}
	xmprotect(r + 24 * PG, 8 * PG, PROT_NONE);   /* trim the top back */
	/* name the middle of the RW part: a split in three, "[anon:wl:arena]" */
	if (prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, r + 8 * PG, 8 * PG, "wl:arena") == 0) {
		if (prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, r + 12 * PG, 4 * PG, NULL))
			die("prctl(PR_SET_VMA_ANON_NAME, NULL): %s", strerror(errno));
	} else if (errno != EINVAL) {   /* EINVAL: no CONFIG_ANON_VMA_NAME */
		die("prctl(PR_SET_VMA_ANON_NAME): %s", strerror(errno));
	}
	/* left mapped */
}

static void shared(int fd)
{
	char *sa = xmmap(NULL, 6 * PG, RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0), *sf;
	unsigned long v = 0;

	touch(sa, 6 * PG);
	xmunmap(sa, PG);                              /* the rest keeps pgoff 1.. */
	xmprotect(sa + 3 * PG, PG, PROT_READ);

	sf = xmmap(NULL, 4 * PG, RW, MAP_SHARED, fd, 8 * PG);
	*(volatile unsigned long *)(sf + PG) = 0xfeed;
	if (pread(fd, &v, sizeof(v), 9 * PG) != (ssize_t)sizeof(v) || v != 0xfeed)
		die("MAP_SHARED write did not reach the file (read %#lx)", v);
	*(volatile unsigned long *)(sf + PG) = 9;
	/* page 1 of the mapping now shows file page 12 (it was page 9) */
	if (syscall(SYS_remap_file_pages, sf + PG, PG, 0, 12, 0))
		die("remap_file_pages: %s", strerror(errno));
	if (page_tag(sf + PG) != 12 || page_tag(sf + 2 * PG) != 10)
		die("after remap_file_pages the pages read tags %lu, %lu", page_tag(sf + PG),
		    page_tag(sf + 2 * PG));
	/* both left mapped */
}

/* In the child: 0 when [p, p+len) is entirely mapped, 1 when entirely not. */
static int mapped_state(char *p, size_t len)
{
	unsigned char vec[16];

	if (syscall(SYS_mincore, p, len, vec) == 0)
		return 0;
	return errno == ENOMEM ? 1 : 2;
}

static void dontfork(void)
{
	char *d = xanon(NULL, 4 * PG, RW, 0);
	pid_t pid;

	touch(d, 4 * PG);
	if (raw_madvise(d, 4 * PG, MADV_DONTNEED))     /* no event: no mapping changes */
		die("madvise(MADV_DONTNEED): %s", strerror(errno));
	touch(d, 4 * PG);
	if (raw_madvise(d, 4 * PG, MADV_DONTFORK))
		die("madvise(MADV_DONTFORK): %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0)
		_exit(mapped_state(d, 4 * PG) == 1 ? 0 : 3);
	reap(pid);

	/* the first half inherited again, the second still not */
	if (raw_madvise(d, 2 * PG, MADV_DOFORK))
		die("madvise(MADV_DOFORK): %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0)
		_exit(mapped_state(d, 2 * PG) == 0 && mapped_state(d + 2 * PG, 2 * PG) == 1 ? 0 : 4);
	reap(pid);
	/* left mapped, half DONTFORK */
}

static void zero_length(void)
{
	char *z = xanon(NULL, PG, RW, 0);

	expect_err("mmap of length 0", (long)raw_mmap(NULL, 0, RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
		   EINVAL);
	expect_err("munmap of length 0", raw_munmap(z, 0), EINVAL);
	if (raw_mprotect(z, 0, PROT_READ))
		die("mprotect of length 0: %s", strerror(errno));
	xmunmap(z, PG);
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "/tmp";
	char path[4096];
	int fd = tmpfile_in(dir, "mmap_ops", 16 * PG, path);

	everyday(fd);
	partial_munmap();
	mprotect_splits();
	mprotect_hole();
	fixed_overlays(fd);
	arena();
	shared(fd);
	dontfork();
	zero_length();
	if (unlink(path))
		die("unlink(%s): %s", path, strerror(errno));
	close(fd);
	return 0;
}
