// SPDX-License-Identifier: GPL-2.0
/* failed_calls - calls that fail after the kernel changed part of their range,
 * each followed at once by the exit of the process that made it, so that no
 * periodic checkpoint (no resync) comes between the call and the exit check.
 *
 *   failed_calls [DIR [STEP]]   temporary file in DIR (default /tmp);
 *                               STEP: run only the step of that name
 *
 * Steps (each in a fork child that _exit()s right after the call, except
 * the last, made by the process itself just before it returns from main):
 *  gap        mprotect(PROT_READ) over rw- | gap | rw-: ENOMEM, the pages
 *             before the gap are r-- (mm/mprotect.c do_mprotect_pkey)
 *  past_end   mprotect over a mapping and the unmapped pages after it:
 *             ENOMEM, the mapping is changed
 *  gap_first  mprotect starting in a gap: ENOMEM, nothing changed
 *  pkey       pkey_mprotect(pkey -1) over a gap (a plain mprotect)
 *  eacces     mprotect(PROT_READ|PROT_WRITE) over anonymous r-- then a
 *             MAP_SHARED mapping of a file opened read-only: the anonymous
 *             page is rw-, then EACCES (no VM_MAYWRITE) at the file
 *  mseal      (6.10+) mprotect(PROT_READ) over rw- then a sealed rw- page:
 *             EPERM; since 6.12 (can_modify_vma() in mprotect_fixup) the
 *             first page is r--, on 6.10-6.11 nothing changed (ENOSYS:
 *             skipped)
 *  dontfork   madvise(MADV_DONTFORK) over a gap applies to both sides, then
 *             ENOMEM (madvise_walk_vmas); a fork grandchild inherits neither
 *  fork_after mprotect over a gap, then fork: the child's copy (exiting at
 *             once) has the pages before the gap r--
 *  self       the gap mprotect of the process itself, then exit
 * Each call is made once per run: the counts are fixed.
 */
#include "wl.h"

#ifndef SYS_mseal
#define SYS_mseal 462
#endif

#define RW (PROT_READ | PROT_WRITE)

static const char *dir = "/tmp";

/* n pages rw- with page k (0-based) unmapped */
static char *with_gap(size_t n, size_t k)
{
	char *p = xanon(NULL, n * PG, RW, 0);

	touch(p, n * PG);
	xmunmap(p + k * PG, PG);
	return p;
}

static void gap(void)
{
	char *p = with_gap(4, 2);

	expect_err("mprotect over a gap", raw_mprotect(p, 4 * PG, PROT_READ), ENOMEM);
}

static void past_end(void)
{
	char *p = xanon(NULL, 4 * PG, RW, 0);

	touch(p, 4 * PG);
	xmunmap(p + 2 * PG, 2 * PG);
	expect_err("mprotect past the end", raw_mprotect(p, 4 * PG, PROT_READ), ENOMEM);
}

static void gap_first(void)
{
	char *p = with_gap(4, 0);

	expect_err("mprotect from a gap", raw_mprotect(p, 4 * PG, PROT_READ), ENOMEM);
}

static void pkey(void)
{
	char *p = with_gap(4, 1);

	expect_err("pkey_mprotect over a gap",
		   syscall(SYS_pkey_mprotect, p, 4 * PG, PROT_READ | PROT_EXEC, -1), ENOMEM);
}

static void eacces(void)
{
	char path[4096];
	int fd = tmpfile_in(dir, "ro", PG, path), ro;
	char *p = xanon(NULL, 2 * PG, PROT_READ, 0);

	ro = open(path, O_RDONLY | O_CLOEXEC);
	if (ro < 0)
		die("open %s: %s", path, strerror(errno));
	unlink(path);
	close(fd);
	xmmap(p + PG, PG, PROT_READ, MAP_SHARED | MAP_FIXED, ro, 0);
	close(ro);
	expect_err("mprotect(PROT_WRITE) reaching a read-only shared file",
		   raw_mprotect(p, 2 * PG, RW), EACCES);
}

static void sealed(void)
{
	char *p = xanon(NULL, 2 * PG, RW, 0);

	touch(p, 2 * PG);
	if (syscall(SYS_mseal, p + PG, PG, 0)) {
		if (errno == ENOSYS)
			return;
		die("mseal: %s", strerror(errno));
	}
	expect_err("mprotect reaching a sealed page", raw_mprotect(p, 2 * PG, PROT_READ), EPERM);
}

static void dontfork(void)
{
	char *p = with_gap(3, 1);

	expect_err("madvise(MADV_DONTFORK) over a gap", raw_madvise(p, 3 * PG, MADV_DONTFORK),
		   ENOMEM);
	fork_and_reap();
}

static void fork_after(void)
{
	char *p = with_gap(4, 3);

	expect_err("mprotect over a gap", raw_mprotect(p, 4 * PG, PROT_READ), ENOMEM);
	fork_and_reap();
}

static const struct wl_step steps[] = {
	{ "gap", gap },
	{ "past_end", past_end },
	{ "gap_first", gap_first },
	{ "pkey", pkey },
	{ "eacces", eacces },
	{ "mseal", sealed },
	{ "dontfork", dontfork },
	{ "fork_after", fork_after },
};

int main(int argc, char **argv)
{
	const char *only = argc > 2 ? argv[2] : NULL;
	bool found;

	if (argc > 1)
		dir = argv[1];
	found = wl_run_steps(steps, sizeof(steps) / sizeof(steps[0]), only, true);
	if (!only || !strcmp(only, "self")) {
		found = true;
		gap();
	}
	if (!found)
		die("no step named '%s'", only);
	return 0;
}
