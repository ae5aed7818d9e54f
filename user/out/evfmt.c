// SPDX-License-Identifier: GPL-2.0
/* evfmt.c - events in words: strace-like text lines and JSON Lines.
 *
 * One table describes each syscall kind (name and argument names/types), so
 * the text and JSON outputs cannot disagree about what an argument is.
 */
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <sys/wait.h>

#include "out/evfmt.h"

enum arg_type { A_NONE, A_HEX, A_OFF, A_ADVICE, A_DEC, A_INT, A_PROT, A_MAPFLAGS, A_FD, A_MREMAPFLAGS, A_STR };

/* The arguments of each call kind (its name: mt_event_kind_name()). */
struct kind_desc {
	const char *arg_names[6];
	enum arg_type arg_types[6];
	bool ret_addr; /* success value is an address */
};

static const struct kind_desc kinds[MT_EV__COUNT] = {
	[MT_EV_MMAP] = { { "addr", "length", "prot", "flags", "fd", "offset" },
			 { A_HEX, A_DEC, A_PROT, A_MAPFLAGS, A_FD, A_OFF }, true },
	[MT_EV_MUNMAP] = { { "addr", "length" }, { A_HEX, A_DEC } },
	[MT_EV_MPROTECT] = { { "addr", "length", "prot" }, { A_HEX, A_DEC, A_PROT } },
	[MT_EV_PKEY_MPROTECT] = { { "addr", "length", "prot", "pkey" },
				  { A_HEX, A_DEC, A_PROT, A_INT } },
	[MT_EV_BRK] = { { "addr" }, { A_HEX }, true },
	[MT_EV_MREMAP] = { { "old_addr", "old_length", "new_length", "flags", "new_addr" },
			   { A_HEX, A_DEC, A_DEC, A_MREMAPFLAGS, A_HEX }, true },
	[MT_EV_SHMAT] = { { "shmid", "addr", "shmflg" }, { A_INT, A_HEX, A_HEX }, true },
	[MT_EV_SHMDT] = { { "addr" }, { A_HEX } },
	[MT_EV_REMAP_FILE_PAGES] = { { "addr", "size", "prot", "pgoff", "flags" },
				     { A_HEX, A_DEC, A_INT, A_DEC, A_INT } },
	[MT_EV_IO_SETUP] = { { "nr_events", "ctxp" }, { A_DEC, A_HEX } },
	[MT_EV_IO_DESTROY] = { { "ctx" }, { A_HEX } },
	[MT_EV_MADVISE] = { { "addr", "length", "advice" }, { A_HEX, A_DEC, A_ADVICE } },
	[MT_EV_PRCTL_VMA_NAME] = { { "option", "arg2", "addr", "size", "name" },
				   { A_HEX, A_INT, A_HEX, A_DEC, A_STR } },
	[MT_EV_MAP_VDSO] = { { "option", "addr" }, { A_HEX, A_HEX } },
};

/* A line built in memory and written with one fwrite(): vfprintf was most
 * of trace's time (perf, trace --stacks: 29% of the loader). Text past the
 * capacity is dropped. */
struct text {
	char *buf;
	size_t cap, len;
};

static void t_mem(struct text *t, const char *s, size_t n)
{
	if (n > t->cap - t->len)
		n = t->cap - t->len;
	memcpy(t->buf + t->len, s, n);
	t->len += n;
}

static void t_str(struct text *t, const char *s)
{
	t_mem(t, s, strlen(s));
}

static void t_chr(struct text *t, char c)
{
	if (t->len < t->cap)
		t->buf[t->len++] = c;
}

/* v in base, right-aligned in width with fill (printf "%*llu", "%0*llx") */
static void t_unum(struct text *t, unsigned long long v, unsigned base, int width, char fill)
{
	char d[24];
	int i = sizeof(d);

	/* constant divisors: a 64-bit division by a variable was most of
	 * trace's time */
	if (base == 16) {
		do {
			d[--i] = "0123456789abcdef"[v & 15];
			v >>= 4;
		} while (v);
	} else if (base == 8) {
		do {
			d[--i] = (char)('0' + (v & 7));
			v >>= 3;
		} while (v);
	} else {
		do {
			d[--i] = (char)('0' + v % 10);
			v /= 10;
		} while (v);
	}
	for (int pad = width - ((int)sizeof(d) - i); pad > 0; pad--)
		t_chr(t, fill);
	t_mem(t, d + i, sizeof(d) - i);
}

static void t_dec(struct text *t, long long v)
{
	if (v < 0)
		t_chr(t, '-');
	t_unum(t, v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v, 10, 0, ' ');
}

/* printf's "%#llx": 0 stays "0" */
static void t_hex(struct text *t, unsigned long long v)
{
	if (v)
		t_mem(t, "0x", 2);
	t_unum(t, v, 16, 0, ' ');
}

/* spaces up to column `width` counted from `from` (printf "%-*s") */
static void t_pad_to(struct text *t, size_t from, size_t width)
{
	while (t->len - from < width && t->len < t->cap)
		t_chr(t, ' ');
}

/* NUL-terminate into a caller's fixed buffer (cap >= 1) */
static void t_end_cstr(struct text *t)
{
	t->buf[t->len < t->cap ? t->len : t->cap - 1] = '\0';
}

static void flags_text(struct text *t, __u64 v, const char *const *names, const __u64 *bits,
		       size_t nbits)
{
	size_t start = t->len;

	for (size_t i = 0; i < nbits; i++) {
		if ((v & bits[i]) != bits[i] || !bits[i])
			continue;
		if (t->len != start)
			t_chr(t, '|');
		t_str(t, names[i]);
		v &= ~bits[i];
	}
	if (v || t->len == start) {
		if (t->len != start)
			t_chr(t, '|');
		t_hex(t, v);
	}
}

static void prot_text(struct text *t, __u64 prot)
{
	static const char *const names[] = { "PROT_READ", "PROT_WRITE", "PROT_EXEC", "PROT_SEM",
					     "PROT_GROWSDOWN", "PROT_GROWSUP" };
	static const __u64 bits[] = { 1, 2, 4, 8, 0x01000000, 0x02000000 };

	if (!prot)
		t_str(t, "PROT_NONE");
	else
		flags_text(t, prot, names, bits, 6);
}

static void map_flags_text(struct text *t, __u64 flags)
{
	static const char *const names[] = {
		"MAP_SHARED_VALIDATE", "MAP_SHARED", "MAP_PRIVATE", "MAP_FIXED", "MAP_ANONYMOUS",
		"MAP_GROWSDOWN", "MAP_DENYWRITE", "MAP_EXECUTABLE", "MAP_LOCKED", "MAP_NORESERVE",
		"MAP_POPULATE", "MAP_NONBLOCK", "MAP_STACK", "MAP_HUGETLB", "MAP_SYNC",
		"MAP_FIXED_NOREPLACE", "MAP_UNINITIALIZED", "MAP_32BIT" };
	static const __u64 bits[] = { 0x03, 0x01, 0x02, 0x10, 0x20, 0x0100, 0x0800, 0x1000,
				      0x2000, 0x4000, 0x8000, 0x10000, 0x20000, 0x40000,
				      0x80000, 0x100000, 0x4000000, 0x40 };

	flags_text(t, flags, names, bits, sizeof(bits) / sizeof(bits[0]));
}

static void mremap_flags_text(struct text *t, __u64 flags)
{
	static const char *const names[] = { "MREMAP_MAYMOVE", "MREMAP_FIXED", "MREMAP_DONTUNMAP" };
	static const __u64 bits[] = { 1, 2, 4 };

	if (!flags)
		t_chr(t, '0');
	else
		flags_text(t, flags, names, bits, 3);
}

void mt_prot_str(__u64 prot, char *buf, size_t cap)
{
	struct text t = { buf, cap, 0 };

	prot_text(&t, prot);
	t_end_cstr(&t);
}

void mt_map_flags_str(__u64 flags, char *buf, size_t cap)
{
	struct text t = { buf, cap, 0 };

	map_flags_text(&t, flags);
	t_end_cstr(&t);
}

void mt_mremap_flags_str(__u64 flags, char *buf, size_t cap)
{
	struct text t = { buf, cap, 0 };

	mremap_flags_text(&t, flags);
	t_end_cstr(&t);
}

/* One argument as text (type-directed), for both outputs. */
static void arg_text(struct text *t, enum arg_type type, __u64 v)
{
	switch (type) {
	case A_HEX:
		if (v)
			t_hex(t, v);
		else
			t_str(t, "NULL");
		break;
	case A_OFF:
		t_hex(t, v);
		break;
	case A_ADVICE:
		/* only the advice that changes what fork copies is traced */
		if (v == 10 || v == 11)
			t_str(t, v == 10 ? "MADV_DONTFORK" : "MADV_DOFORK");
		else
			t_dec(t, (int)v);
		break;
	case A_PROT:
		prot_text(t, v);
		break;
	case A_MAPFLAGS:
		map_flags_text(t, v);
		break;
	case A_MREMAPFLAGS:
		mremap_flags_text(t, v);
		break;
	case A_FD:
	case A_INT:
		t_dec(t, (int)v);
		break;
	default:
		t_unum(t, v, 10, 0, ' ');
		break;
	}
}

static void arg_str(enum arg_type type, __u64 v, char *buf, size_t cap)
{
	struct text t = { buf, cap, 0 };

	arg_text(&t, type, v);
	t_end_cstr(&t);
}

/* A name as strace prints one: control bytes, backslash and quote escaped
 * (\n \t \\ \" and octal), so every event stays one line and a newline
 * in a name cannot pass for a literal backslash sequence. */
static void t_escaped(struct text *t, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '\n': t_mem(t, "\\n", 2); break;
		case '\t': t_mem(t, "\\t", 2); break;
		case '\\': t_mem(t, "\\\\", 2); break;
		case '"': t_mem(t, "\\\"", 2); break;
		default:
			if (*p < 0x20 || *p == 0x7f) {
				t_chr(t, '\\');
				t_unum(t, *p, 8, 0, ' ');
			} else {
				t_chr(t, (char)*p);
			}
		}
	}
}

static const char *errno_name(__s64 ret)
{
	const char *n = strerrorname_np((int)-ret);

	return n ? n : "E?";
}

/* A mapping call as strace shows one: name(args) = result, the file an
 * mmap maps after its descriptor. */
static void text_call(struct text *t, const struct mt_event *e, const struct kind_desc *d,
		      const char *path)
{
	t_str(t, mt_event_kind_name(e->kind));
	t_chr(t, '(');
	for (int i = 0; i < 6 && d->arg_names[i]; i++) {
		if (i)
			t_mem(t, ", ", 2);
		if (d->arg_types[i] == A_STR) {
			if (!e->args[i]) {
				t_str(t, "NULL");
			} else {
				t_chr(t, '"');
				t_escaped(t, path);
				t_chr(t, '"');
			}
			continue;
		}
		arg_text(t, d->arg_types[i], e->args[i]);
		if (d->arg_types[i] == A_FD && (e->flags & MT_EVF_FILE) && e->kind == MT_EV_MMAP) {
			t_chr(t, '<');
			t_escaped(t, path);
			if (mt_event_file_deleted(e))
				t_str(t, " (deleted)");
			t_chr(t, '>');
		}
	}
	if (mt_event_failed(e)) {
		t_str(t, ") = -1 ");
		t_str(t, errno_name(e->ret));
		t_str(t, " (");
		t_str(t, strerror((int)-e->ret));
		t_chr(t, ')');
	} else if (d->ret_addr) {
		t_str(t, ") = ");
		t_hex(t, (unsigned long long)e->ret);
	} else {
		t_str(t, ") = ");
		t_dec(t, e->ret);
	}
}

void mt_event_print_text(FILE *f, const struct mt_event *e, const char *raw, __u64 t0_ns)
{
	const struct kind_desc *d = e->kind < MT_EV__COUNT ? &kinds[e->kind] : NULL;
	/* the path at most 4x escaped (octal), plus the call */
	char path[MT_PATH_MAX + 32], line[4 * (MT_PATH_MAX + 32) + 1024];
	struct text t = { line, sizeof(line) - 1, 0 }; /* room for the newline */
	__u64 ts = e->ts_ns >= t0_ns ? e->ts_ns - t0_ns : 0;
	size_t col;

	if (!d || !mt_event_kind_name(e->kind) || e->kind == MT_EV_VMA || e->kind == MT_EV_DUMP_END ||
	    e->kind == MT_EV_SEQ_VOID)
		return; /* bookkeeping, not calls */
	mt_event_path(e, raw, path, sizeof(path));
	/* "%6llu.%06llu %7u/%-7u %-15.16s " */
	t_unum(&t, ts / 1000000000, 10, 6, ' ');
	t_chr(&t, '.');
	t_unum(&t, ts % 1000000000 / 1000, 10, 6, '0');
	t_chr(&t, ' ');
	t_unum(&t, e->pid, 10, 7, ' ');
	t_chr(&t, '/');
	col = t.len;
	t_unum(&t, e->tid, 10, 0, ' ');
	t_pad_to(&t, col, 7);
	t_chr(&t, ' ');
	col = t.len;
	t_mem(&t, e->comm, strnlen(e->comm, sizeof(e->comm)));
	t_pad_to(&t, col, 15);
	t_chr(&t, ' ');
	switch (e->kind) {
	case MT_EV_FORK:
		t_str(&t, "fork() child ");
		t_unum(&t, e->aux[1], 10, 0, ' ');
		t_chr(&t, '/');
		t_unum(&t, e->aux[2], 10, 0, ' ');
		if (e->flags & MT_EVF_THREAD)
			t_str(&t, " (thread)");
		if ((e->flags & (MT_EVF_VM | MT_EVF_THREAD)) == MT_EVF_VM)
			t_str(&t, " (shares mm)");
		break;
	case MT_EV_EXEC:
		t_str(&t, "exec(\"");
		t_escaped(&t, path);
		t_str(&t, "\")");
		if (e->aux[0] != e->pid)
			t_str(&t, " from a non-leader thread");
		break;
	case MT_EV_EXIT:
		/* task->exit_code is a wait status */
		if (WIFSIGNALED((int)e->ret)) {
			t_str(&t, "exit() killed by signal ");
			t_dec(&t, WTERMSIG((int)e->ret));
		} else {
			t_str(&t, "exit() status ");
			t_dec(&t, WEXITSTATUS((int)e->ret));
		}
		break;
	default:
		text_call(&t, e, d, path);
	}
	line[t.len++] = '\n';
	fwrite(line, 1, t.len, f);
}

void mt_event_json(struct mt_json *j, const struct mt_event *e, const char *raw, __u64 t0_ns)
{
	mt_event_json_stack(j, e, raw, t0_ns, NULL, 0);
}

/* A mapping call's fields: its decoded arguments, result or error, the file
 * it mapped and the vma the kernel made. */
static void json_call(struct mt_json *j, const struct mt_event *e, const struct kind_desc *d,
		      const char *path, size_t plen)
{
	char a[160];

	mt_json_key(j, "args");
	mt_json_obj_begin(j);
	for (int i = 0; i < 6 && d->arg_names[i]; i++) {
		mt_json_key(j, d->arg_names[i]);
		switch (d->arg_types[i]) {
		case A_DEC:
			mt_json_u64(j, e->args[i]);
			break;
		case A_FD:
		case A_INT:
			mt_json_i64(j, (int)e->args[i]);
			break;
		case A_HEX:
		case A_OFF:
			mt_json_hex(j, e->args[i]);
			break;
		case A_STR:
			if (e->args[i])
				mt_json_str(j, path, plen);
			else
				mt_json_null(j);
			break;
		default:
			arg_str(d->arg_types[i], e->args[i], a, sizeof(a));
			mt_json_str(j, a, strlen(a));
			break;
		}
	}
	mt_json_obj_end(j);
	mt_json_key(j, "ret");
	mt_json_i64(j, e->ret);
	if (mt_event_failed(e)) {
		const char *en = errno_name(e->ret);

		mt_json_key(j, "error");
		mt_json_str(j, en, strlen(en));
	} else if (d->ret_addr) {
		mt_json_key(j, "result");
		mt_json_hex(j, (__u64)e->ret);
	}
	if (e->flags & MT_EVF_FILE) {
		mt_json_kv_bytes(j, "path", path, plen);
		mt_json_key(j, "dev");
		mt_json_u64(j, e->dev);
		mt_json_key(j, "inode");
		mt_json_u64(j, e->ino);
		mt_json_key(j, "deleted");
		mt_json_bool(j, mt_event_file_deleted(e));
	}
	if (e->flags & MT_EVF_VMA_INFO) {
		mt_json_key(j, "vma_start");
		mt_json_hex(j, e->aux[0]);
		mt_json_key(j, "vma_end");
		mt_json_hex(j, e->aux[1]);
	}
}

void mt_event_json_stack(struct mt_json *j, const struct mt_event *e, const char *raw, __u64 t0_ns,
			 const struct mt_frame *const *frames, int nframes)
{
	const struct kind_desc *d = e->kind < MT_EV__COUNT ? &kinds[e->kind] : NULL;
	char path[MT_PATH_MAX + 32];
	size_t plen = mt_event_path(e, raw, path, sizeof(path));

	if (!d || !mt_event_kind_name(e->kind))
		return;
	mt_json_obj_begin(j);
	mt_json_key(j, "kind");
	mt_json_str(j, mt_event_kind_name(e->kind), strlen(mt_event_kind_name(e->kind)));
	mt_json_key(j, "time_ns");
	mt_json_u64(j, e->ts_ns >= t0_ns ? e->ts_ns - t0_ns : 0);
	mt_json_key(j, "pid");
	mt_json_u64(j, e->pid);
	mt_json_key(j, "tid");
	mt_json_u64(j, e->tid);
	mt_json_kv_bytes(j, "comm", e->comm, strnlen(e->comm, sizeof(e->comm)));
	mt_json_key(j, "mm");
	mt_json_hex(j, e->mm);
	mt_json_key(j, "seq");
	mt_json_u64(j, e->seq);

	switch (e->kind) {
	case MT_EV_FORK:
		mt_json_key(j, "child_pid");
		mt_json_u64(j, e->aux[1]);
		mt_json_key(j, "child_tid");
		mt_json_u64(j, e->aux[2]);
		mt_json_key(j, "child_mm");
		mt_json_hex(j, e->aux[0]);
		mt_json_key(j, "thread");
		mt_json_bool(j, e->flags & MT_EVF_THREAD);
		mt_json_key(j, "shares_mm");
		mt_json_bool(j, e->flags & MT_EVF_VM);
		break;
	case MT_EV_EXEC:
		mt_json_kv_bytes(j, "path", path, plen);
		mt_json_key(j, "old_tid");
		mt_json_u64(j, e->aux[0]);
		break;
	case MT_EV_EXIT:
		mt_json_key(j, "status");
		mt_json_i64(j, WEXITSTATUS((int)e->ret));
		mt_json_key(j, "signal");
		mt_json_i64(j, WIFSIGNALED((int)e->ret) ? WTERMSIG((int)e->ret) : 0);
		break;
	default:
		json_call(j, e, d, path, plen);
		break;
	}
	if (nframes > 0) {
		mt_json_key(j, "stack");
		mt_frames_json(j, frames, nframes);
	}
	mt_json_obj_end(j);
}

void mt_frames_json(struct mt_json *j, const struct mt_frame *const *frames, int nframes)
{
	mt_json_arr_begin(j);
	for (int i = 0; i < nframes; i++)
		mt_frame_json(j, frames[i]);
	mt_json_arr_end(j);
}

void mt_frame_print_text(FILE *f, const char *indent, int index, const struct mt_frame *fr,
			 bool with_offset)
{
	const char *mod = fr->module ? strrchr(fr->module, '/') : NULL;
	char line[3 * 4096 + 64]; /* C++ names run long: whole function, file and module */
	struct text t = { line, sizeof(line) - 1, 0 };

	t_str(&t, indent);
	t_chr(&t, '#');
	t_unum(&t, (unsigned)index, 10, 0, ' ');
	t_str(&t, index < 10 ? "  " : " ");
	t_str(&t, fr->func);
	if (with_offset && fr->symbol) {
		t_str(&t, "+0x");
		t_unum(&t, fr->offset, 16, 0, ' ');
	}
	if (fr->file) {
		t_str(&t, " (");
		t_str(&t, fr->file);
		t_chr(&t, ':');
		t_unum(&t, (unsigned)fr->line, 10, 0, ' ');
		t_chr(&t, ')');
	}
	if (fr->module) {
		t_str(&t, " [");
		t_str(&t, mod ? mod + 1 : fr->module);
		t_chr(&t, ']');
	}
	line[t.len++] = '\n';
	fwrite(line, 1, t.len, f);
}

void mt_frame_json(struct mt_json *j, const struct mt_frame *fr)
{
	mt_json_obj_begin(j);
	mt_json_key(j, "pc");
	mt_json_hex(j, fr->pc);
	mt_json_kv_bytes(j, "function", fr->func, strlen(fr->func));
	if (fr->raw)
		mt_json_kv_bytes(j, "symbol", fr->raw, strlen(fr->raw));
	if (fr->symbol) {
		mt_json_key(j, "offset");
		mt_json_u64(j, fr->offset);
	}
	if (fr->file) {
		mt_json_kv_bytes(j, "file", fr->file, strlen(fr->file));
		mt_json_key(j, "line");
		mt_json_u64(j, (uint64_t)fr->line);
	}
	if (fr->module)
		mt_json_kv_bytes(j, "module", fr->module, strlen(fr->module));
	mt_json_obj_end(j);
}

