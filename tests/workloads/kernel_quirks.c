// SPDX-License-Identifier: GPL-2.0
/* kernel_quirks - calls whose effect on the address space is not what their
 * arguments alone say, and changes no mapping call reports.
 *
 *   kernel_quirks [DIR [STEP]]   temporary file in DIR (default /tmp);
 *                                STEP: run only the step of that name
 *
 * Steps:
 *  dev_zero           MAP_PRIVATE of /dev/zero is plain anonymous memory
 *                     (drivers/char/mem.c mmap_zero: vma_set_anonymous);
 *                     MAP_SHARED of /dev/zero gets a new shmem file
 *                     (shmem_zero_setup): the region is "/dev/zero (deleted)"
 *                     of the shmem mount, not the device inode the fd names
 *  growsdown          mprotect(PROT_GROWSDOWN) inside a MAP_GROWSDOWN region
 *                     changes it from the region's start, not from addr
 *                     (mm/mprotect.c do_mprotect_pkey)
 *  read_implies_exec  with the READ_IMPLIES_EXEC personality (in a fork
 *                     child), PROT_READ in mmap and mprotect also grants
 *                     PROT_EXEC (do_mmap, do_mprotect_pkey)
 *  rename             a mapped file is renamed: /proc/<pid>/maps shows the
 *                     new name, though no mapping call happened
 *  mseal              (6.10+) munmap and mprotect of a sealed region fail
 *                     with EPERM and change nothing (ENOSYS: step skipped)
 *  vfork              a vfork child maps into its parent's address space
 *                     before execve
 *  vdso               mremap of the [vdso] (in a fork child that never calls
 *                     into the vDSO again): the special mapping moves, with
 *                     its name
 *  map_vdso           (x86_64) as checkpoint/restore tools do: [vvar],
 *                     [vvar_vclock] and [vdso] unmapped, then
 *                     arch_prctl(ARCH_MAP_VDSO_64, addr) maps them anew
 *                     (arch/x86/entry/vdso/vma.c map_vdso_once), in a fork
 *                     child that exits at once (no checkpoint in between)
 *  spawn              posix_spawn() and vfork() of /bin/true (CLONE_VM
 *                     children that exec), then a mprotect that fails with
 *                     EACCES after changing its first page (re-read: the
 *                     address space must be the parent's again), and a
 *                     checkpoint
 *  untraced           clone(CLONE_UNTRACED): a child that no ptrace tracer
 *                     follows (kernel/fork.c), which exits at once;
 *                     where the exit check needs ptrace (no vma iterator
 *                     kfuncs) its address space cannot be compared, and
 *                     verify must fail saying so
 * Each call is made once per run: the counts are fixed.
 */
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <sys/personality.h>
#include <sys/stat.h>
#include <time.h>

#include "wl.h"

#ifndef SYS_mseal
#define SYS_mseal 462
#endif

#define RW (PROT_READ | PROT_WRITE)

extern char **environ;

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static void dev_zero(void)
{
	int fd = open("/dev/zero", O_RDWR | O_CLOEXEC);
	char *priv, *shared;

	if (fd < 0)
		die("/dev/zero: %s", strerror(errno));
	priv = xmmap(NULL, 4 * PG, RW, MAP_PRIVATE, fd, 0);
	shared = xmmap(NULL, 4 * PG, RW, MAP_SHARED, fd, 0);
	touch(priv, 4 * PG);
	touch(shared, 4 * PG);
	close(fd);
	/* both stay mapped */
}

static void growsdown(void)
{
	char *g = xanon(NULL, 8 * PG, RW, MAP_GROWSDOWN);

	touch(g + 4 * PG, 4 * PG);
	/* [g, g + 5 pages) becomes read-only: from the region's start */
	xmprotect(g + 4 * PG, PG, PROT_READ | PROT_GROWSDOWN);
}

static void read_implies_exec(void)
{
	pid_t pid = fork();

	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		char *r, *w;

		if (personality(READ_IMPLIES_EXEC) < 0)
			die("personality: %s", strerror(errno));
		r = xanon(NULL, 4 * PG, PROT_READ, 0);          /* r-x */
		w = xanon(NULL, 4 * PG, RW, 0);                 /* rwx */
		xmprotect(w, PG, PROT_READ);                     /* r-x */
		(void)r;
		sleep_ms(60);
		_exit(0);
	}
	reap(pid);
}

static void rename_mapped(const char *dir)
{
	char path[4096], to[4200];
	int fd = tmpfile_in(dir, "quirk", 2 * PG, path);

	xmmap(NULL, 2 * PG, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	sleep_ms(60);
	snprintf(to, sizeof(to), "%s renamed", path);
	if (rename(path, to))
		die("rename %s: %s", path, strerror(errno));
	sleep_ms(60);
	if (unlink(to))
		die("unlink %s: %s", to, strerror(errno));
}

static void sealed(void)
{
	char *s = xanon(NULL, 4 * PG, RW, 0);

	touch(s, 4 * PG);
	if (syscall(SYS_mseal, s, 4 * PG, 0)) {
		if (errno == ENOSYS)
			return;
		die("mseal: %s", strerror(errno));
	}
	expect_err("munmap of a sealed region", raw_munmap(s, PG), EPERM);
	expect_err("mprotect of a sealed region", raw_mprotect(s, PG, PROT_READ), EPERM);
}

static void vfork_maps(void)
{
	char *const argv[] = { "true", NULL };
	pid_t pid = vfork();

	if (pid < 0)
		die("vfork: %s", strerror(errno));
	if (pid == 0) {
		/* the parent's mm: raw syscalls only, nothing else touched */
		char *p = raw_mmap(NULL, 3 * PG, RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED || raw_munmap(p + PG, PG))
			_exit(2);
		execve("/bin/true", argv, environ);
		_exit(127);
	}
	reap(pid);
}

/* Bounds of the mapping named name ("[vdso]") from our own maps, read
 * without stdio (no malloc); false if there is none. */
static bool find_special(const char *name, unsigned long *start, unsigned long *end)
{
	static char buf[1 << 16];
	ssize_t n, len = 0;
	int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	char *line;

	if (fd < 0)
		die("/proc/self/maps: %s", strerror(errno));
	while ((n = read(fd, buf + len, sizeof(buf) - 1 - (size_t)len)) > 0)
		len += n;
	close(fd);
	buf[len] = '\0';
	for (line = buf; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		char *nl = strchr(line, '\n');
		char *v = strstr(line, name);

		if (v && (!nl || v < nl) && (v[strlen(name)] == '\n' || !v[strlen(name)])) {
			*start = strtoul(line, &line, 16);
			*end = strtoul(line + 1, NULL, 16);
			return true;
		}
	}
	return false;
}

static void find_vdso(unsigned long *start, unsigned long *end)
{
	if (!find_special("[vdso]", start, end))
		die("no [vdso] in /proc/self/maps");
}

static void move_vdso(void)
{
	pid_t pid = fork();

	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		unsigned long a = 0, b = 0;
		char *room, *moved;

		find_vdso(&a, &b);
		room = xanon(NULL, (b - a) + 2 * PG, PROT_NONE, 0);
		moved = xmremap((void *)a, b - a, b - a, MREMAP_MAYMOVE | MREMAP_FIXED, room + PG);
		if (moved != room + PG)
			_exit(2);
		sleep_ms(60);   /* nanosleep is a real syscall: no vDSO call from here on */
		_exit(0);
	}
	reap(pid);
}

static const char *dir = "/tmp";

#ifndef ARCH_MAP_VDSO_64
#define ARCH_MAP_VDSO_64 0x2003
#endif

static void map_vdso(void)
{
#if defined(__x86_64__)
	pid_t pid = fork();

	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		static const char *const names[] = { "[vvar]", "[vvar_vclock]", "[vdso]" };
		unsigned long a, b, room;

		/* somewhere free, away from where the vdso was */
		room = (unsigned long)xanon(NULL, 64 * PG, PROT_NONE, 0);
		xmunmap((void *)room, 64 * PG);
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (find_special(names[i], &a, &b))
				xmunmap((void *)a, b - a);
		/* nothing may call into the vDSO from here on: raw syscalls */
		if (syscall(SYS_arch_prctl, ARCH_MAP_VDSO_64, room + 16 * PG) < 0)
			_exit(errno == EINVAL ? 0 : 3); /* no CONFIG_CHECKPOINT_RESTORE */
		_exit(0);
	}
	reap(pid);
#endif
}

static void spawn(void)
{
	char *const argv[] = { "true", NULL };
	char path[4096];
	char *p;
	pid_t pid;
	int fd, ro, err;

	err = posix_spawn(&pid, "/bin/true", NULL, NULL, argv, environ);
	if (err)
		die("posix_spawn: %s", strerror(err));
	reap(pid);
	vfork_maps();
	/* rw- then a read-only shared file: EACCES after the first page */
	fd = tmpfile_in(dir, "spawn", PG, path);
	ro = open(path, O_RDONLY | O_CLOEXEC);
	if (ro < 0)
		die("open %s: %s", path, strerror(errno));
	unlink(path);
	close(fd);
	p = xanon(NULL, 2 * PG, PROT_READ, 0);
	xmmap(p + PG, PG, PROT_READ, MAP_SHARED | MAP_FIXED, ro, 0);
	close(ro);
	expect_err("mprotect(PROT_WRITE) reaching a read-only shared file",
		   raw_mprotect(p, 2 * PG, PROT_READ | PROT_WRITE), EACCES);
	sleep_ms(60);
}

static void untraced(void)
{
	/* raw clone() with fork's semantics; (flags, stack, parent_tid, ...) */
	pid_t pid = (pid_t)syscall(SYS_clone, CLONE_UNTRACED | SIGCHLD, NULL, NULL, NULL, NULL);

	if (pid < 0)
		die("clone(CLONE_UNTRACED): %s", strerror(errno));
	if (pid == 0)
		_exit(0); /* (no mapping call: strace -f cannot follow it either) */
	reap(pid);
}

static void rename_step(void)
{
	rename_mapped(dir);
}

static const struct wl_step steps[] = {
	{ "dev_zero", dev_zero },
	{ "growsdown", growsdown },
	{ "read_implies_exec", read_implies_exec },
	{ "rename", rename_step },
	{ "mseal", sealed },
	{ "vfork", vfork_maps },
	{ "vdso", move_vdso },
	{ "map_vdso", map_vdso },
	{ "spawn", spawn },
	{ "untraced", untraced },
};

int main(int argc, char **argv)
{
	const char *only = argc > 2 ? argv[2] : NULL;
	bool found;

	if (argc > 1)
		dir = argv[1];
	found = wl_run_steps(steps, sizeof(steps) / sizeof(steps[0]), only, false);
	if (!found)
		die("no step named '%s'", only);
	sleep_ms(60);   /* a periodic checkpoint with everything in place */
	return 0;
}
