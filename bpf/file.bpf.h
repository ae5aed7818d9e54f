/* SPDX-License-Identifier: GPL-2.0 */
/* file.bpf.h - describe a mapped file from BPF: identity (dev, inode) and path.
 *
 * Tracepoints may not call bpf_d_path(), so the path is walked by hand:
 * dentry -> d_parent up to the mount root, then across mount points
 * (mount->mnt_mountpoint, mnt_parent) up to the root of the namespace. The
 * components are written leaf first, each followed by '/', so the verifier
 * only ever sees bounded forward writes; user space reverses them
 * (MT_EVF_PATH_REVERSED). Files of internal mounts (memfd, SysV shm, shared
 * anonymous memory, anon inodes) have no path: their dentry is its own parent
 * and d_op->d_dname prints them; we send the one name and MT_EVF_PSEUDO.
 */
#ifndef MAPTRACE_FILE_BPF_H
#define MAPTRACE_FILE_BPF_H

#define MT_PATH_BUF   (2 * MT_PATH_MAX)    /* room for one more NAME_MAX component past MT_PATH_MAX */
#define MT_NAME_LEN   256                  /* NAME_MAX + NUL */
#define MT_PATH_DEPTH 64                   /* components walked before giving up */
#define ANON_INODE_FS_MAGIC 0x09041934

struct path_walk {
	struct dentry *dentry;
	struct mount *mnt;
	char *buf;
	__u32 len;
	__u32 truncated;
};

static __always_inline struct mount *real_mount_of(struct vfsmount *vfsmnt)
{
	/* container_of(vfsmnt, struct mount, mnt), with a relocatable offset */
	return (struct mount *)((void *)vfsmnt - bpf_core_field_offset(struct mount, mnt));
}

static long path_walk_step(__u64 index, void *data)
{
	struct path_walk *w = data;
	struct dentry *d = w->dentry;
	struct mount *mnt = w->mnt; /* a plain local: CO-RE relocates only kernel types */
	struct dentry *parent = BPF_CORE_READ(d, d_parent);
	struct dentry *mnt_root = BPF_CORE_READ(mnt, mnt.mnt_root);

	if (d == mnt_root || d == parent) {
		/* top of this mount: continue from where it is mounted */
		struct mount *up = BPF_CORE_READ(mnt, mnt_parent);

		if (up == mnt || !up)
			return 1; /* root of the namespace */
		w->dentry = BPF_CORE_READ(mnt, mnt_mountpoint);
		w->mnt = up;
		return 0;
	}
	if (w->len > MT_PATH_MAX - 1) {
		w->truncated = 1;
		return 1;
	}
	long n = bpf_probe_read_kernel_str(w->buf + (w->len & (MT_PATH_MAX - 1)), MT_NAME_LEN,
					   BPF_CORE_READ(d, d_name.name));
	if (n <= 0)
		return 1;
	w->len += n;
	/* replace the NUL by the separator */
	w->buf[(w->len - 1) & (MT_PATH_BUF - 1)] = '/';
	w->dentry = parent;
	return 0;
}

/* Fill e->dev, e->ino, the path after e and the MT_EVF_* file flags. */
static __always_inline void describe_file(struct file *f, struct mt_event *e, char *path)
{
	struct dentry *d = BPF_CORE_READ(f, f_path.dentry);
	struct inode *inode = BPF_CORE_READ(f, f_inode);
	struct super_block *sb = BPF_CORE_READ(inode, i_sb);

	e->flags |= MT_EVF_FILE;
	e->dev = BPF_CORE_READ(sb, s_dev);
	e->ino = BPF_CORE_READ(inode, i_ino);
	e->path_len = 0;

	/* d_unhashed() && !IS_ROOT(): the name prints with " (deleted)" (fs/d_path.c) */
	if (!BPF_CORE_READ(d, d_hash.pprev) && BPF_CORE_READ(d, d_parent) != d)
		e->flags |= MT_EVF_DELETED;

	if (BPF_CORE_READ(d, d_parent) == d && BPF_CORE_READ(d, d_op, d_dname)) {
		long n = bpf_probe_read_kernel_str(path, MT_NAME_LEN, BPF_CORE_READ(d, d_name.name));

		e->flags |= MT_EVF_PSEUDO;
		if (BPF_CORE_READ(sb, s_magic) == ANON_INODE_FS_MAGIC)
			e->flags |= MT_EVF_ANON_INODE;
		e->path_len = n > 0 ? n - 1 : 0;
		return;
	}

	struct path_walk w = {
		.dentry = d,
		.mnt = real_mount_of(BPF_CORE_READ(f, f_path.mnt)),
		.buf = path,
	};
#ifdef MT_LEGACY
	/* no bpf_loop() before 5.17: a bounded loop the verifier walks
	 * iteration by iteration (callers keep it in one global function,
	 * checked once). Left to itself it follows every range the path's
	 * length can have after each number of components, and gives up
	 * after a million instructions (seen on 5.10); passed through map
	 * memory (the last bytes of path, never written by the walk), the
	 * length is just "some u32" at each step, bounded by the step's own
	 * checks, and one state per iteration remains. */
	volatile __u64 *len_cell = (volatile __u64 *)(path + MT_PATH_BUF - 8);
	int i;

	for (i = 0; i < MT_PATH_DEPTH; i++) {
		*len_cell = w.len;
		w.len = *len_cell;
		if (path_walk_step(i, &w))
			break;
	}
	if (i >= MT_PATH_DEPTH)
		w.truncated = 1;
#else
	/* bpf_loop() returns the iterations run: all of them means we gave up */
	if (bpf_loop(MT_PATH_DEPTH, path_walk_step, &w, 0) >= MT_PATH_DEPTH)
		w.truncated = 1;
#endif
	e->flags |= MT_EVF_PATH_REVERSED;
	if (w.truncated)
		e->flags |= MT_EVF_PATH_TRUNC;
	e->path_len = w.len > MT_PATH_MAX ? MT_PATH_MAX : w.len;
}

#endif /* MAPTRACE_FILE_BPF_H */
