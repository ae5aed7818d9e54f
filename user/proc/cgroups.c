// SPDX-License-Identifier: GPL-2.0
/* cgroups.c - cgroup ids as paths (see proc/cgroups.h).
 *
 * A cgroup v2 id is its kernfs node id, which is the inode number of its
 * directory in any cgroup2 mount on 64-bit (kernfs, since 5.5; on older
 * kernels ids and inodes still agree for a directory's lifetime). The
 * walk keeps every directory of the tree; a tree of a few thousand
 * cgroups takes milliseconds. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/clock.h"
#include "proc/cgroups.h"

#define WALK_EVERY_NS (100 * 1000 * 1000ull)
#define WALK_DEPTH    32

/* The mount point of the first cgroup2 filesystem, malloc'd, or NULL. */
static char *cgroup2_mount(void)
{
	char line[4096], *found = NULL;
	FILE *f = fopen("/proc/self/mountinfo", "re");

	if (!f)
		return NULL;
	/* "36 25 0:31 / /sys/fs/cgroup/unified rw,... shared:9 - cgroup2 cgroup2 rw" */
	while (!found && fgets(line, sizeof(line), f)) {
		char *sep = strstr(line, " - "), mnt[1024];

		if (sep && !strncmp(sep + 3, "cgroup2 ", 8) &&
		    sscanf(line, "%*s %*s %*s %*s %1023s", mnt) == 1)
			found = strdup(mnt);
	}
	fclose(f);
	return found;
}

static int remember(struct mt_cgroup_names *c, uint64_t id, const char *rel)
{
	char *old = mt_u64map_get(&c->by_id, id), *path;

	if (!(path = strdup(rel)))
		return -ENOMEM;
	if (mt_u64map_put(&c->by_id, id, path)) {
		free(path);
		return -ENOMEM;
	}
	free(old);   /* (two mounts of one tree are walked once: never) */
	return 0;
}

/* Every directory under dir (its path below the root: rel) */
static int walk(struct mt_cgroup_names *c, int dirfd, char *rel, size_t len, int depth)
{
	DIR *d = fdopendir(dirfd);
	struct dirent *de;
	int err = 0;

	if (!d) {
		close(dirfd);
		return 0;
	}
	while (!err && (de = readdir(d))) {
		struct stat sb;
		int fd;
		size_t nl = strlen(de->d_name);

		if (de->d_type != DT_DIR || de->d_name[0] == '.' || depth >= WALK_DEPTH ||
		    len + 1 + nl >= PATH_MAX)
			continue;
		fd = openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			continue;   /* removed meanwhile */
		snprintf(rel + len, PATH_MAX - len, "%s%s", len == 1 ? "" : "/", de->d_name);
		if (fstat(fd, &sb) == 0)
			err = remember(c, sb.st_ino, rel);
		if (!err)
			err = walk(c, fd, rel, strlen(rel), depth + 1);
		else
			close(fd);
		rel[len] = '\0';
	}
	closedir(d);
	return err;
}

/* The tree as it is now: cgroups removed since the last walk are
 * forgotten, so memory follows the cgroups that exist. */
static int walk_all(struct mt_cgroup_names *c)
{
	char rel[PATH_MAX] = "/";
	struct mt_cgroup_names now = { .root = c->root };
	struct stat sb;
	int fd = open(c->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC), err = 0;

	c->walked_ns = mt_now_ns();
	c->walks++;
	if (fd < 0)
		return 0;
	if (fstat(fd, &sb) == 0)
		err = remember(&now, sb.st_ino, "/");
	if (!err)
		err = walk(&now, fd, rel, 1, 0);
	else
		close(fd);
	if (err) {
		mt_u64map_free_values(&now.by_id);
		return err;
	}
	mt_u64map_free_values(&c->by_id);
	c->by_id = now.by_id;
	return 0;
}

int mt_cgroup_names_init(struct mt_cgroup_names *c)
{
	*c = (struct mt_cgroup_names){ 0 };
	if (!(c->root = cgroup2_mount()))
		return -ENOENT;
	return walk_all(c);
}

const char *mt_cgroup_name(struct mt_cgroup_names *c, uint64_t id)
{
	const char *path;

	if (!c->root || !id)
		return NULL;
	if ((path = mt_u64map_get(&c->by_id, id)))
		return path;
	if (mt_now_ns() - c->walked_ns < WALK_EVERY_NS || walk_all(c))
		return NULL;
	return mt_u64map_get(&c->by_id, id);
}

void mt_cgroup_names_free(struct mt_cgroup_names *c)
{
	mt_u64map_free_values(&c->by_id);
	free(c->root);
	*c = (struct mt_cgroup_names){ 0 };
}

char *mt_cgroup_of_pid(pid_t pid)
{
	char path[64], line[512], *found = NULL;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	if (!(f = fopen(path, "re")))
		return NULL;
	while (fgets(line, sizeof(line), f)) {
		char *p = strchr(line, ':');
		bool v2 = !strncmp(line, "0::", 3);

		if (!p || !(p = strchr(p + 1, ':')))
			continue;
		p[1 + strcspn(p + 1, "\n")] = '\0';
		if (!found || v2) {
			free(found);
			found = strdup(p + 1);
		}
		if (v2)
			break;
	}
	fclose(f);
	return found;
}
