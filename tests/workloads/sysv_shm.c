// SPDX-License-Identifier: GPL-2.0
/* sysv_shm - System V shared memory: shmat(2) and shmdt(2).
 *
 * Exercises: shmat read-write and SHM_RDONLY at a kernel-chosen address;
 * mprotect(PROT_WRITE) of the read-only attachment (fails with EACCES);
 * shmat at a fixed address over an existing mapping, refused without
 * SHM_REMAP (EINVAL) then replacing it with SHM_REMAP; shmat into a PROT_NONE
 * reservation; an attachment split by mprotect, then removed by one shmdt;
 * an attachment whose first page was munmapped, then shmdt of its original
 * address (the kernel still finds and removes the rest, by vm_pgoff); shmdt
 * of an address with nothing attached (EINVAL); a segment with a key marked
 * IPC_RMID while attached (its name turns "(deleted)"); a fork child that
 * inherits the attachments, detaches one and exits; a file of the root file
 * system named like a segment ("/SYSV<key> (deleted)") mapped where an
 * attachment's first page was, then shmdt of that address: the kernel
 * detaches the segment's rest and leaves the file (ksys_shmdt() goes by the
 * vma's operations, never by names; as root, where / is writable, else the
 * step is left out, saying so). Calls go through
 * syscall(SYS_shmat/SYS_shmdt); every segment is removed before exit. Each
 * call is made once per run.
 */
#include <sys/ipc.h>
#include <sys/shm.h>

#include "wl.h"

#define RW (PROT_READ | PROT_WRITE)
#define SEG (4 * PG)

static char *raw_shmat(int id, const void *addr, int flags)
{
	return (char *)syscall(SYS_shmat, id, addr, flags);
}

static long raw_shmdt(const void *addr)
{
	return syscall(SYS_shmdt, addr);
}

static char *wl_xshmat(int line, int id, const void *addr, int flags)
{
	char *p = raw_shmat(id, addr, flags);

	if (p == (char *)-1)
		wl_die(line, "shmat(%d, %p, %#x): %s", id, addr, flags, strerror(errno));
	if (addr && p != addr)
		wl_die(line, "shmat at %p attached at %p", addr, (void *)p);
	return p;
}
#define xshmat(id, addr, flags) wl_xshmat(__LINE__, (id), (addr), (flags))

static void wl_xshmdt(int line, const void *addr)
{
	if (raw_shmdt(addr))
		wl_die(line, "shmdt(%p): %s", addr, strerror(errno));
}
#define xshmdt(addr) wl_xshmdt(__LINE__, (addr))

static int seg_private, seg_keyed = -1;

static void remove_segments(void)
{
	shmctl(seg_private, IPC_RMID, NULL);
	if (seg_keyed >= 0)
		shmctl(seg_keyed, IPC_RMID, NULL);
}

static void file_named_like_a_segment(int id)
{
	char path[32], *seg, *f;
	int fd;

	snprintf(path, sizeof(path), "/SYSV%08x", 0x4d540000u | ((unsigned)getpid() & 0xffff));
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		fprintf(stderr, "sysv_shm: %s: %s (file step left out)\n", path, strerror(errno));
		return;
	}
	unlink(path); /* "(deleted)" in maps, as a segment's name always is */
	if (ftruncate(fd, PG))
		die("ftruncate: %s", strerror(errno));
	seg = xshmat(id, NULL, 0);
	xmunmap(seg, PG);
	f = raw_mmap(seg, PG, RW, MAP_SHARED | MAP_FIXED, fd, 0);
	if (f != seg)
		die("mmap of %s at %p: %s", path, (void *)seg, strerror(errno));
	close(fd);
	xshmdt(seg);                                     /* the segment's 3 pages, not the file */
	xmunmap(f, PG);
}

int main(void)
{
	char *rw, *ro, *an, *res, *fx, *in_res, *k;
	key_t key = (key_t)(0x4d540000u | ((unsigned)getpid() & 0xffff));
	pid_t pid;

	seg_private = shmget(IPC_PRIVATE, SEG, IPC_CREAT | 0600);
	if (seg_private < 0)
		die("shmget: %s", strerror(errno));
	atexit(remove_segments);
	/* a keyed segment: its name in maps is /SYSV<key> */
	while ((seg_keyed = shmget(key, SEG, IPC_CREAT | IPC_EXCL | 0600)) < 0 && errno == EEXIST)
		key++;
	if (seg_keyed < 0)
		die("shmget(%#x): %s", (unsigned)key, strerror(errno));

	rw = xshmat(seg_private, NULL, 0);
	touch(rw, SEG);
	ro = xshmat(seg_private, NULL, SHM_RDONLY);
	if (((volatile char *)ro)[PG - 1] != 1)
		die("SHM_RDONLY attachment does not see the segment");
	expect_err("mprotect(PROT_WRITE) of a SHM_RDONLY attachment",
		   raw_mprotect(ro, PG, RW), EACCES);

	an = xanon(NULL, 8 * PG, RW, 0);
	touch(an, 8 * PG);
	expect_err("shmat over a mapping without SHM_REMAP",
		   (long)raw_shmat(seg_private, an + 2 * PG, 0), EINVAL);
	fx = xshmat(seg_private, an + 2 * PG, SHM_REMAP);
	if (((volatile char *)fx)[PG - 1] != 1)
		die("SHM_REMAP attachment does not see the segment");

	res = xanon(NULL, 16 * PG, PROT_NONE, MAP_NORESERVE);
	in_res = xshmat(seg_private, res + 4 * PG, SHM_REMAP);
	xmprotect(in_res + PG, PG, PROT_READ);           /* split the attachment in three */
	xshmdt(in_res);                                  /* removes all three pieces */

	xmunmap(fx, PG);
	xshmdt(fx);                                      /* the rest, found by pgoff */
	expect_err("shmdt with nothing attached", raw_shmdt(an), EINVAL);

	k = xshmat(seg_keyed, NULL, 0);
	touch(k, SEG);
	if (shmctl(seg_keyed, IPC_RMID, NULL))
		die("shmctl(IPC_RMID): %s", strerror(errno));
	seg_keyed = -1;
	*(volatile char *)k = 2;                         /* still attached, still usable */

	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		if (raw_shmdt(ro) || *(volatile char *)k != 2)
			_exit(3);
		_exit(0);
	}
	reap(pid);
	xshmdt(ro);
	/* last, so that no later mapping takes its place before exit */
	file_named_like_a_segment(seg_private);
	/* rw and k stay attached until exit */
	return 0;
}
