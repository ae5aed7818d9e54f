// SPDX-License-Identifier: GPL-2.0
/* hostile_names - mapped files whose names break naive parsers.
 *
 *   hostile_names [DIR [MANIFEST]]
 *
 * In DIR (default: a new directory under /tmp), creates and maps files named
 * with: spaces; a newline; a literal backslash-0-1-2 (what /proc/<pid>/maps
 * prints for a newline); a tab; control bytes; invalid UTF-8; valid non-ASCII
 * UTF-8; a trailing space; literally "x (deleted)"; a whole maps line, alone
 * and after a newline; a path about 4000 bytes long through nested
 * directories; a file unlinked while mapped; and a memfd named "wl:memfd".
 * Everything stays mapped for a while (so periodic checkpoints see the live
 * names), then every file is unlinked while still mapped (so the exit check
 * sees " (deleted)" after each hostile name) and the process exits.
 *
 * With MANIFEST, writes there the full path of every file it mapped, each
 * followed by a NUL byte, in the order mapped (the memfd is not listed).
 * Counts are fixed: one mmap per file.
 */
#include <sys/stat.h>
#include <time.h>

#include "wl.h"

#define DEEP_TOTAL 4000   /* bytes of the deep file's full path */
#define DEEP_COMPONENT 200

static const char *const names[] = {
	"with space",
	"new\nline",
	"back\\012slash",
	"tab\there",
	"ctl\001\002\033[0m\177",
	"bad-utf8-\xff\xfe-\xc3\x28-\xed\xa0\x80",
	"utf8-" "\xc3\xbc" "n" "\xc3\xaf" "c" "\xc3\xb8" "d" "\xc3\xa9" "-\xe5\x90\x8d\xe5\x89\x8d",
	"trailing space ",
	"x (deleted)",
	"7f0000000000-7f0000001000 rw-p 00000000 00:00 0                          [heap]",
	"a\n7f0000000000-7f0000001000 r-xp 00000000 08:01 42 [stack]",
};

static char paths[16][4200];
static int npaths;
static int manifest = -1;

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static void record(const char *path)
{
	size_t len = strlen(path) + 1;

	if (manifest >= 0 && write(manifest, path, len) != (ssize_t)len)
		die("writing the manifest: %s", strerror(errno));
}

/* Create path with two pages and map it read-only; it stays mapped. */
static void map_file(int dirfd, const char *name, const char *fullpath)
{
	int fd = openat(dirfd, name, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	char *p;

	if (fd < 0)
		die("creating %s: %s", fullpath, strerror(errno));
	if (ftruncate(fd, 2 * PG))
		die("ftruncate %s: %s", fullpath, strerror(errno));
	p = xmmap(NULL, 2 * PG, PROT_READ, MAP_PRIVATE, fd, 0);
	(void)*(volatile char *)p;
	close(fd);
	record(fullpath);
}

int main(int argc, char **argv)
{
	char base[4096], deep[4200], tmpl[] = "/tmp/wl-hostile-XXXXXX";
	int dirfd, dfd, levels, memfd;
	bool own_dir = argc < 2;
	size_t len;
	char *m;

	if (own_dir) {
		if (!mkdtemp(tmpl))
			die("mkdtemp: %s", strerror(errno));
		snprintf(base, sizeof(base), "%s", tmpl);
	} else {
		snprintf(base, sizeof(base), "%s", argv[1]);
	}
	if (argc > 2) {
		manifest = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (manifest < 0)
			die("%s: %s", argv[2], strerror(errno));
	}
	dirfd = open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		die("%s: %s", base, strerror(errno));

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(paths[npaths], sizeof(paths[0]), "%s/%s", base, names[i]);
		map_file(dirfd, names[i], paths[npaths++]);
	}

	/* nested directories, then a file name that brings the path to DEEP_TOTAL bytes */
	len = (size_t)snprintf(deep, sizeof(deep), "%s", base);
	dfd = dup(dirfd);
	levels = 0;
	while (len + 1 + DEEP_COMPONENT + 1 + 40 < DEEP_TOTAL) {
		char comp[DEEP_COMPONENT + 1];
		int next;

		snprintf(comp, sizeof(comp), "deep%02d-", levels);
		memset(comp + strlen(comp), 'd', DEEP_COMPONENT - strlen(comp));
		comp[DEEP_COMPONENT] = '\0';
		if (mkdirat(dfd, comp, 0700) && errno != EEXIST)
			die("mkdir %s/%s: %s", deep, comp, strerror(errno));
		next = openat(dfd, comp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (next < 0)
			die("open %s/%s: %s", deep, comp, strerror(errno));
		close(dfd);
		dfd = next;
		len += (size_t)snprintf(deep + len, sizeof(deep) - len, "/%s", comp);
		levels++;
	}
	{
		char leaf[256];
		size_t n = DEEP_TOTAL - len - 1;

		memset(leaf, 'f', n);
		memcpy(leaf, "leaf-", 5);
		leaf[n] = '\0';
		snprintf(deep + len, sizeof(deep) - len, "/%s", leaf);
		if (strlen(deep) != DEEP_TOTAL)
			die("deep path is %zu bytes, not %d", strlen(deep), DEEP_TOTAL);
		snprintf(paths[npaths++], sizeof(paths[0]), "%s", deep);
		map_file(dfd, leaf, deep);
		if (unlinkat(dfd, leaf, 0))
			die("unlink %s: %s", deep, strerror(errno));
		close(dfd);
	}

	/* unlinked at once, while mapped */
	snprintf(paths[npaths], sizeof(paths[0]), "%s/deleted-while-mapped", base);
	map_file(dirfd, "deleted-while-mapped", paths[npaths++]);
	if (unlinkat(dirfd, "deleted-while-mapped", 0))
		die("unlink: %s", strerror(errno));

	memfd = memfd_create("wl:memfd", MFD_CLOEXEC);
	if (memfd < 0)
		die("memfd_create: %s", strerror(errno));
	if (ftruncate(memfd, 2 * PG))
		die("ftruncate memfd: %s", strerror(errno));
	m = xmmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	touch(m, 2 * PG);
	close(memfd);
	if (manifest >= 0 && close(manifest))
		die("closing the manifest: %s", strerror(errno));

	sleep_ms(150);       /* live names for the periodic checkpoints */

	/* every name now shows with " (deleted)" */
	for (int i = 0; i < npaths - 2; i++)
		if (unlinkat(dirfd, names[i], 0))
			die("unlink %s: %s", paths[i], strerror(errno));
	for (int i = levels - 1; i >= 0; i--) {
		char *slash = strrchr(deep, '/');

		*slash = '\0';   /* drop the leaf first, then each directory */
		if (rmdir(deep))
			die("rmdir %s: %s", deep, strerror(errno));
	}
	close(dirfd);
	if (own_dir && rmdir(base))
		die("rmdir %s: %s", base, strerror(errno));
	sleep_ms(100);
	return 0;
}
