/* SPDX-License-Identifier: GPL-2.0 */
/* cgroups.h - cgroup v2 ids (what bpf_get_current_cgroup_id() gives: the
 * inode of the cgroup's directory) as the paths services and containers
 * are known by ("/system.slice/nginx.service"), from a walk of the cgroup2
 * mount; and a process's cgroup from /proc where no id is known.
 * User-only. */
#ifndef MAPTRACE_CGROUPS_H
#define MAPTRACE_CGROUPS_H

#include <stdint.h>
#include <sys/types.h>

#include "base/u64map.h"

struct mt_cgroup_names {
	char *root;                 /* the cgroup2 mount point; NULL: none */
	struct mt_u64map by_id;     /* id -> path below the root (malloc'd) */
	uint64_t walked_ns;         /* when the tree was last walked */
	uint64_t walks;
};

/* Find the cgroup2 mount (/proc/self/mountinfo) and walk it once: 0, or
 * -ENOENT when there is none (cgroup v1 only), -ENOMEM. */
int mt_cgroup_names_init(struct mt_cgroup_names *c);
/* The path of cgroup id ("/" for the root); a cgroup made since the last
 * walk makes a new walk (at most one per 100 ms); NULL when it is not
 * found (removed already) or c has no mount. */
const char *mt_cgroup_name(struct mt_cgroup_names *c, uint64_t id);
void mt_cgroup_names_free(struct mt_cgroup_names *c);

/* Process pid's cgroup path from /proc/PID/cgroup: cgroup v2's "0::PATH"
 * line, else the first hierarchy's path; NULL when the process is gone or
 * out of memory (malloc'd). */
char *mt_cgroup_of_pid(pid_t pid);

#endif /* MAPTRACE_CGROUPS_H */
