// SPDX-License-Identifier: GPL-2.0
/* test_smaps.c - unit tests for the /proc/<pid>/smaps parser and reader (user/proc/smaps.c).
 *
 * Records in the kernel's own format (copied from a 6.18 kernel, plus the
 * ProtectionKey line pkeys machines print and keys no kernel has yet), every
 * VmFlags mnemonic, every way a text can be cut short, and the recorded
 * snapshots in tests/unit/data/ checked against their maps twins. The last
 * tests read live processes: this one, a zombie, a kernel thread, a pid that
 * does not exist, and (as root) one we may not read.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc/smaps.h"

/* A full record as 6.18 prints it (a thread stack), then a file one with
 * ProtectionKey (x86 with pkeys) and an unknown future key. */
static const char two_records[] =
	"7f4473100000-7f4473900000 rw-p 00000000 00:00 0 \n"
	"Size:               8192 kB\n"
	"KernelPageSize:        4 kB\n"
	"MMUPageSize:           4 kB\n"
	"Rss:                  12 kB\n"
	"Pss:                  10 kB\n"
	"Pss_Dirty:             9 kB\n"
	"Shared_Clean:          1 kB\n"
	"Shared_Dirty:          2 kB\n"
	"Private_Clean:         3 kB\n"
	"Private_Dirty:         6 kB\n"
	"Referenced:           11 kB\n"
	"Anonymous:             8 kB\n"
	"KSM:                   0 kB\n"
	"LazyFree:              0 kB\n"
	"AnonHugePages:         0 kB\n"
	"ShmemPmdMapped:        0 kB\n"
	"FilePmdMapped:         0 kB\n"
	"Shared_Hugetlb:        0 kB\n"
	"Private_Hugetlb:       0 kB\n"
	"Swap:                 20 kB\n"
	"SwapPss:              16 kB\n"
	"Locked:                4 kB\n"
	"THPeligible:           1\n"
	"VmFlags: rd wr mr mw me ac nh \n"
	"7f4474905000-7f447492b000 r--p 00000000 fe:00 332835                     /usr/lib/x86_64-linux-gnu/libc.so.6\n"
	"Size:                152 kB\n"
	"KernelPageSize:        4 kB\n"
	"MMUPageSize:           4 kB\n"
	"Rss:                 152 kB\n"
	"Pss:                  10 kB\n"
	"Future_Key:           77 kB\n"
	"Odd_Key:     not a number\n"
	"Swap:                  0 kB\n"
	"THPeligible:           0\n"
	"ProtectionKey:         0\n"
	"VmFlags: rd mr mw me sd \n";

static void test_all_keys(void **state)
{
	struct mt_smaps s;
	const struct mt_smaps_stat *st;
	size_t bad = 0;

	(void)state;
	assert_int_equal(mt_smaps_parse(two_records, sizeof(two_records) - 1, &s, &bad), 0);
	assert_int_equal(s.maps.count, 2);
	assert_int_equal(s.maps.regions[0].start, 0x7f4473100000ull);
	assert_null(s.maps.regions[0].name);
	st = &s.stats[0];
	assert_int_equal(st->size, 8192 * 1024ull);
	assert_int_equal(st->rss, 12 * 1024);
	assert_int_equal(st->pss, 10 * 1024);
	assert_int_equal(st->pss_dirty, 9 * 1024);
	assert_int_equal(st->shared_clean, 1 * 1024);
	assert_int_equal(st->shared_dirty, 2 * 1024);
	assert_int_equal(st->private_clean, 3 * 1024);
	assert_int_equal(st->private_dirty, 6 * 1024);
	assert_int_equal(st->referenced, 11 * 1024);
	assert_int_equal(st->anonymous, 8 * 1024);
	assert_int_equal(st->swap, 20 * 1024);
	assert_int_equal(st->swap_pss, 16 * 1024);
	assert_int_equal(st->locked, 4 * 1024);
	assert_int_equal(st->thp_eligible, 1);
	assert_int_equal(st->vmflags, MT_VMF_RD | MT_VMF_WR | MT_VMF_MR | MT_VMF_MW | MT_VMF_ME |
				      MT_VMF_AC | MT_VMF_NH);
	assert_int_equal(st->keys, MT_SK_SIZE | MT_SK_RSS | MT_SK_PSS | MT_SK_PSS_DIRTY |
				   MT_SK_SHARED_CLEAN | MT_SK_SHARED_DIRTY | MT_SK_PRIVATE_CLEAN |
				   MT_SK_PRIVATE_DIRTY | MT_SK_REFERENCED | MT_SK_ANONYMOUS | MT_SK_SWAP |
				   MT_SK_SWAP_PSS | MT_SK_LOCKED | MT_SK_THP_ELIGIBLE | MT_SK_VMFLAGS);

	/* second record: unknown keys skipped, missing keys absent */
	assert_string_equal(s.maps.regions[1].name, "/usr/lib/x86_64-linux-gnu/libc.so.6");
	assert_int_equal(s.maps.regions[1].inode, 332835);
	st = &s.stats[1];
	assert_int_equal(st->size, 152 * 1024);
	assert_int_equal(st->rss, 152 * 1024);
	assert_int_equal(st->thp_eligible, 0);
	assert_int_equal(st->vmflags, MT_VMF_RD | MT_VMF_MR | MT_VMF_MW | MT_VMF_ME | MT_VMF_SD);
	assert_false(st->keys & MT_SK_LOCKED);
	assert_false(st->keys & MT_SK_ANONYMOUS);
	assert_true(st->keys & MT_SK_SWAP);
	mt_smaps_free(&s);
	assert_null(s.stats);
	assert_int_equal(s.maps.count, 0);
}

static void test_vmflags_every_mnemonic(void **state)
{
	static const char *const all[] = {
		"rd", "wr", "ex", "sh", "mr", "mw", "me", "ms", "gd", "pf", "dw", "lo", "io", "sr",
		"rr", "dc", "de", "ac", "nr", "ht", "sf", "nl", "ar", "wf", "dd", "sd", "mm", "hg",
		"nh", "mg", "um", "uw", "ss", "sl", "lf", "bt", "mt", "ui", "dp", "gu",
	};
	char text[512];
	uint64_t seen = 0;
	struct mt_smaps s;
	int n;

	(void)state;
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		uint64_t bit = mt_vmflag_bit(all[i], 2);

		assert_int_not_equal(bit, MT_VMF_OTHER);
		assert_int_equal(bit & (bit - 1), 0);      /* one bit */
		assert_false(seen & bit);                  /* its own */
		seen |= bit;
		assert_string_equal(mt_vmflag_name(bit), all[i]);
	}
	assert_int_equal(mt_vmflag_bit("zz", 2), MT_VMF_OTHER);
	assert_int_equal(mt_vmflag_bit("rdx", 3), MT_VMF_OTHER);
	assert_null(mt_vmflag_name(MT_VMF_OTHER));
	assert_null(mt_vmflag_name(0));

	/* all at once, plus an unknown one, odd spacing, no trailing space */
	n = snprintf(text, sizeof(text), "1000-2000 rw-p 00000000 00:00 0\nSize: 4 kB\nVmFlags:");
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		n += snprintf(text + n, sizeof(text) - (size_t)n, "%s%s", i % 2 ? "  " : " ", all[i]);
	n += snprintf(text + n, sizeof(text) - (size_t)n, " zz\n");
	assert_int_equal(mt_smaps_parse(text, (size_t)n, &s, NULL), 0);
	assert_int_equal(s.stats[0].vmflags, seen | MT_VMF_OTHER);
	mt_smaps_free(&s);

	/* an empty VmFlags line (a vma with no flags printed) is complete */
	n = snprintf(text, sizeof(text), "1000-2000 ---p 00000000 00:00 0\nSize: 4 kB\nVmFlags: \n");
	assert_int_equal(mt_smaps_parse(text, (size_t)n, &s, NULL), 0);
	assert_int_equal(s.stats[0].vmflags, 0);
	assert_true(s.stats[0].keys & MT_SK_VMFLAGS);
	mt_smaps_free(&s);
}

/* Every cut of a text is either refused, or a success that ends exactly
 * at a record boundary (the one cut a parser cannot see; the reader
 * catches it by checking the process afterwards). */
static void test_truncated(void **state)
{
	const size_t len = sizeof(two_records) - 1;
	const char *second = strstr(two_records, "7f4474905000-");
	size_t boundary = (size_t)(second - two_records);

	(void)state;
	for (size_t cut = 1; cut < len; cut++) {
		struct mt_smaps s;
		size_t bad = 0;
		int err = mt_smaps_parse(two_records, cut, &s, &bad);

		if (cut == boundary) {
			assert_int_equal(err, 0);
			assert_int_equal(s.maps.count, 1);
			mt_smaps_free(&s);
			continue;
		}
		if (err != -EINVAL)
			fail_msg("cut at %zu of %zu: got %d, want -EINVAL", cut, len, err);
		assert_true(bad >= 1);
		assert_null(s.stats);
		assert_int_equal(s.maps.count, 0);
	}
}

static void expect_bad(const char *text, size_t want_line)
{
	struct mt_smaps s;
	size_t bad = 0;

	assert_int_equal(mt_smaps_parse(text, strlen(text), &s, &bad), -EINVAL);
	assert_int_equal(bad, want_line);
	assert_null(s.stats);
}

static void test_malformed(void **state)
{
	(void)state;
	/* a key before any header */
	expect_bad("Size: 4 kB\n", 1);
	/* a record without VmFlags followed by another: blamed on its last line */
	expect_bad("1000-2000 rw-p 00000000 00:00 0\nSize: 4 kB\n"
		   "2000-3000 rw-p 00000000 00:00 0\nSize: 4 kB\nVmFlags: rd\n", 2);
	/* Size disagreeing with the header */
	expect_bad("1000-3000 rw-p 00000000 00:00 0\nSize: 4 kB\nVmFlags: rd\n", 3);
	/* no Size at all */
	expect_bad("1000-2000 rw-p 00000000 00:00 0\nRss: 4 kB\nVmFlags: rd\n", 3);
	/* bad values of known keys */
	expect_bad("1000-2000 rw-p 00000000 00:00 0\nSize: 4 kB\nRss: x kB\nVmFlags: rd\n", 3);
	expect_bad("1000-2000 rw-p 00000000 00:00 0\nSize: 4 kB\nRss: 4 MB\nVmFlags: rd\n", 3);
	expect_bad("1000-2000 rw-p 00000000 00:00 0\nSize: 4 kB\nRss:\nVmFlags: rd\n", 3);
	expect_bad("1000-2000 rw-p 00000000 00:00 0\nSize: 4 kB\n"
		   "Rss: 99999999999999999999 kB\nVmFlags: rd\n", 3);
	expect_bad("1000-2000 rw-p 00000000 00:00 0\nSize: 4 kB\n"
		   "Rss: 18014398509481984 kB\nVmFlags: rd\n", 3);   /* 2^54 kB overflows bytes */
	/* a line that is neither */
	expect_bad("1000-2000 rw-p 00000000 00:00 0\nSize: 4 kB\nnonsense\nVmFlags: rd\n", 3);
	/* a malformed header */
	expect_bad("1000-2000 rwzp 00000000 00:00 0\nSize: 4 kB\nVmFlags: rd\n", 1);
	/* regions out of order: a torn read */
	expect_bad("2000-3000 rw-p 00000000 00:00 0\nSize: 4 kB\nVmFlags: rd\n"
		   "1000-2000 rw-p 00000000 00:00 0\nSize: 4 kB\nVmFlags: rd\n", 4);
	/* cut inside the last line: no '\n' */
	expect_bad("1000-2000 rw-p 00000000 00:00 0\nSize: 4 kB\nVmFlags: rd", 3);
}

static void test_header_like_keys(void **state)
{
	/* "Anonymous:" starts with the hex digit 'A', "AnonHugePages:" too,
	 * a future "ABC-Key:" even has a '-' after non-hex: still keys */
	static const char text[] =
		"a000-b000 rw-p 00000000 00:00 0 \n"
		"Size:                  4 kB\n"
		"Anonymous:             4 kB\n"
		"AnonHugePages:         0 kB\n"
		"ADDx-Key:              1 kB\n"
		"VmFlags: rd wr \n";
	struct mt_smaps s;

	(void)state;
	assert_int_equal(mt_smaps_parse(text, sizeof(text) - 1, &s, NULL), 0);
	assert_int_equal(s.maps.count, 1);
	assert_int_equal(s.stats[0].anonymous, 4096);
	mt_smaps_free(&s);
}

static void test_empty_and_odd_names(void **state)
{
	static const char text[] =
		"1000-2000 rw-s 00000000 00:01 7                          /dev/zero (deleted)\n"
		"Size:                  4 kB\n"
		"VmFlags: rd wr sh mr mw me ms \n"
		"3000-4000 rw-p 00000000 00:00 0                          [anon:my pool]\n"
		"Size:                  4 kB\n"
		"VmFlags: rd wr \n"
		"5000-6000 r--p 00000000 fe:00 9                          /tmp/a\\012b\n"
		"Size:                  4 kB\n"
		"VmFlags: rd \n";
	struct mt_smaps s;

	(void)state;
	assert_int_equal(mt_smaps_parse("", 0, &s, NULL), 0);
	assert_int_equal(s.maps.count, 0);
	mt_smaps_free(&s);
	assert_int_equal(mt_smaps_parse(text, sizeof(text) - 1, &s, NULL), 0);
	assert_int_equal(s.maps.count, 3);
	assert_string_equal(s.maps.regions[0].name, "/dev/zero");
	assert_true(s.maps.regions[0].flags & MT_RF_DELETED);
	assert_true(s.stats[0].vmflags & MT_VMF_SH);
	assert_string_equal(s.maps.regions[1].name, "[anon:my pool]");
	assert_string_equal(s.maps.regions[2].name, "/tmp/a\nb");
	mt_smaps_free(&s);
}

static char *slurp_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		fail_msg("cannot open %s (run from the repository root): %s", path, strerror(errno));
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	buf[n] = '\0';
	*len = (size_t)n;
	return buf;
}

/* Each recorded smaps parses and agrees with the maps read next to it. */
static void test_recorded_snapshots(void **state)
{
	static const char *const names[] = { "threads3", "sleep", "python3" };

	(void)state;
	for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
		char path[128];
		size_t slen, mlen, nh = 0;
		char *stext, *mtext;
		struct mt_smaps s;
		struct mt_maps m;

		snprintf(path, sizeof(path), "tests/unit/data/%s.smaps", names[k]);
		stext = slurp_file(path, &slen);
		snprintf(path, sizeof(path), "tests/unit/data/%s.maps", names[k]);
		mtext = slurp_file(path, &mlen);
		assert_int_equal(mt_smaps_parse(stext, slen, &s, NULL), 0);
		assert_int_equal(mt_maps_parse(mtext, mlen, &m, NULL), 0);
		assert_int_equal(s.maps.count, m.count);
		for (size_t i = 0; i < m.count; i++) {
			const struct mt_region *a = &s.maps.regions[i], *b = &m.regions[i];

			assert_int_equal(a->start, b->start);
			assert_int_equal(a->end, b->end);
			assert_int_equal(a->perms, b->perms);
			assert_int_equal(a->offset, b->offset);
			assert_int_equal(a->inode, b->inode);
			assert_int_equal(a->dev, b->dev);
			assert_int_equal(a->flags, b->flags);
			if (a->name || b->name)
				assert_string_equal(a->name, b->name);
			assert_int_equal(s.stats[i].size, a->end - a->start);
			assert_true(s.stats[i].rss <= s.stats[i].size);
			assert_true(s.stats[i].pss <= s.stats[i].rss);
			assert_true(s.stats[i].keys & MT_SK_VMFLAGS);
			/* VmFlags agree with the perms */
			assert_int_equal(!!(s.stats[i].vmflags & MT_VMF_RD), !!(a->perms & MT_PERM_READ));
			assert_int_equal(!!(s.stats[i].vmflags & MT_VMF_WR), !!(a->perms & MT_PERM_WRITE));
			if (!a->name || strcmp(a->name, "[vsyscall]"))
				assert_int_equal(!!(s.stats[i].vmflags & MT_VMF_EX), !!(a->perms & MT_PERM_EXEC));
			nh += !!(s.stats[i].vmflags & MT_VMF_NH);
		}
		/* MAP_STACK sets VM_NOHUGEPAGE (6.7+): the thread stacks and
		 * their guards in threads3 */
		if (k == 0)
			assert_int_equal(nh, 6);
		mt_smaps_free(&s);
		mt_maps_free(&m);
		free(stext);
		free(mtext);
	}
}

static void test_read_self(void **state)
{
	struct mt_smaps s;
	size_t len = 4 << 20;
	char *big = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	bool found_big = false;

	(void)state;
	assert_true(big != MAP_FAILED);
	memset(big, 1, 1 << 20);                 /* 1 MiB resident, 3 MiB not */
	assert_int_equal(mt_smaps_read_pid(getpid(), &s), 0);
	assert_true(s.maps.count > 5);
	for (size_t i = 0; i < s.maps.count; i++) {
		const struct mt_region *r = &s.maps.regions[i];

		if (r->start <= (uint64_t)(uintptr_t)big && (uint64_t)(uintptr_t)big < r->end) {
			found_big = true;
			assert_true(s.stats[i].rss >= (1 << 20));
			assert_true(s.stats[i].private_dirty >= (1 << 20));
		}
	}
	assert_true(found_big);
	mt_smaps_free(&s);
	munmap(big, len);
}

static pid_t gone_pid(void)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0)
		_exit(0);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	return pid;
}

static void wait_zombie(pid_t pid)
{
	for (int i = 0; i < 2000; i++) {
		char path[64], buf[256], *p;
		FILE *f;
		size_t n;

		snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
		f = fopen(path, "r");
		assert_non_null(f);
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[n] = '\0';
		p = strrchr(buf, ')');
		if (p && p[2] == 'Z')
			return;
		usleep(1000);
	}
	fail_msg("child %d never became a zombie", (int)pid);
}

static void test_read_gone_and_zombie(void **state)
{
	struct mt_smaps s;
	pid_t pid;

	(void)state;
	assert_int_equal(mt_smaps_read_pid(gone_pid(), &s), -ESRCH);
	assert_int_equal(s.maps.count, 0);
	assert_int_equal(mt_smaps_read_pid(0, &s), -ESRCH);
	assert_int_equal(mt_smaps_read_pid(-1, &s), -ESRCH);

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(0);
	wait_zombie(pid);
	assert_int_equal(mt_smaps_read_pid(pid, &s), -ESRCH);
	assert_null(s.stats);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
}

/* kthreadd (pid 2) has no mm: its smaps is empty, never a success */
static void test_read_kernel_thread(void **state)
{
	struct mt_smaps s;
	FILE *f = fopen("/proc/2/comm", "r");
	char comm[32] = "";

	(void)state;
	if (!f)
		skip();   /* in a pid namespace without kthreadd */
	if (!fgets(comm, sizeof(comm), f) || strcmp(comm, "kthreadd\n")) {
		fclose(f);
		skip();
	}
	fclose(f);
	assert_int_equal(mt_smaps_read_pid(2, &s), -ESRCH);
}

static void test_read_not_permitted(void **state)
{
	int status;
	pid_t pid;

	(void)state;
	if (geteuid() != 0)
		skip();
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct mt_smaps s;

		if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
			_exit(2);
		_exit(mt_smaps_read_pid(getppid(), &s) == -EACCES ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* A child that maps and unmaps in a loop while we read: every read is a
 * consistent success (torn texts are re-read), never a parse error. */
static void test_read_changing_process(void **state)
{
	int ready[2];
	pid_t pid;
	char c;

	(void)state;
	assert_int_equal(pipe(ready), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		void *keep[64] = { 0 };

		close(ready[0]);
		if (write(ready[1], "x", 1) != 1)
			_exit(1);
		for (unsigned i = 0;; i++) {
			unsigned k = i % 64;

			if (keep[k])
				munmap(keep[k], 4096 * (k + 1));
			keep[k] = mmap(NULL, 4096 * (k + 1), k % 2 ? PROT_READ : PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		}
	}
	close(ready[1]);
	assert_int_equal(read(ready[0], &c, 1), 1);
	close(ready[0]);
	for (int i = 0; i < 50; i++) {
		struct mt_smaps s;
		int err = mt_smaps_read_pid(pid, &s);

		assert_true(err == 0 || err == -EAGAIN);
		if (!err)
			assert_true(s.maps.count > 0);
		mt_smaps_free(&s);
	}
	kill(pid, SIGKILL);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
}

struct killer {
	pid_t pid;
	useconds_t delay;
};

static void *kill_later(void *arg)
{
	struct killer *k = arg;

	usleep(k->delay);
	kill(k->pid, SIGKILL);
	return NULL;
}

/* A process killed while its smaps is being read: the read is either a
 * full success (every one of its regions) or -ESRCH, never a short text
 * taken for the whole (smaps just ends early once the mm is gone). */
static void test_read_exit_mid_read(void **state)
{
	enum { MAPS = 6000 };
	int short_or_gone = 0;

	(void)state;
	for (int round = 0; round < 12; round++) {
		struct killer k;
		pthread_t t;
		struct mt_smaps s;
		int ready[2], err;
		char c;

		assert_int_equal(pipe(ready), 0);
		k.pid = fork();
		assert_true(k.pid >= 0);
		if (k.pid == 0) {
			close(ready[0]);
			/* alternate perms so no two neighbours merge */
			for (int i = 0; i < MAPS; i++)
				if (mmap(NULL, 4096, i % 2 ? PROT_READ : PROT_NONE,
					 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED)
					_exit(1);
			if (write(ready[1], "x", 1) != 1)
				_exit(1);
			pause();
			_exit(0);
		}
		close(ready[1]);
		assert_int_equal(read(ready[0], &c, 1), 1);
		close(ready[0]);
		k.delay = (useconds_t)(round * 1500);
		assert_int_equal(pthread_create(&t, NULL, kill_later, &k), 0);
		err = mt_smaps_read_pid(k.pid, &s);
		assert_int_equal(pthread_join(t, NULL), 0);
		if (err == 0) {
			/* alternating perms never merge: all MAPS are there */
			assert_true(s.maps.count >= MAPS);
		} else {
			assert_int_equal(err, -ESRCH);
			short_or_gone++;
		}
		mt_smaps_free(&s);
		assert_int_equal(waitpid(k.pid, NULL, 0), k.pid);
	}
	/* the late rounds kill before or during the read */
	assert_true(short_or_gone > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_keys),
		cmocka_unit_test(test_vmflags_every_mnemonic),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_header_like_keys),
		cmocka_unit_test(test_empty_and_odd_names),
		cmocka_unit_test(test_recorded_snapshots),
		cmocka_unit_test(test_read_self),
		cmocka_unit_test(test_read_gone_and_zombie),
		cmocka_unit_test(test_read_kernel_thread),
		cmocka_unit_test(test_read_not_permitted),
		cmocka_unit_test(test_read_changing_process),
		cmocka_unit_test(test_read_exit_mid_read),
	};

	/* under qemu-user (make ARCH=arm64 unit) /proc shows the emulator, not
	 * this program: the tests that read a live process do not apply */
	if (getenv("MT_UNIT_EMULATED"))
		cmocka_set_skip_filter("test_read_*");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
