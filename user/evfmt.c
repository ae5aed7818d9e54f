/* evfmt.c - events in words: strace-like text lines and JSON Lines.
 *
 * One table describes each syscall kind (name and argument names/types), so
 * the text and JSON outputs cannot disagree about what an argument is.
 */
#include <stdio.h>
#include <string.h>
#include <errno.h>

#include "maptrace/evfmt.h"

enum arg_type { A_NONE, A_HEX, A_OFF, A_ADVICE, A_DEC, A_INT, A_PROT, A_MAPFLAGS, A_FD, A_MREMAPFLAGS, A_STR };

struct kind_desc {
	const char *name;
	const char *arg_names[6];
	enum arg_type arg_types[6];
	bool ret_addr; /* success value is an address */
};

static const struct kind_desc kinds[MT_EV__COUNT] = {
	[MT_EV_MMAP] = { "mmap", { "addr", "length", "prot", "flags", "fd", "offset" },
			 { A_HEX, A_DEC, A_PROT, A_MAPFLAGS, A_FD, A_OFF }, true },
	[MT_EV_MUNMAP] = { "munmap", { "addr", "length" }, { A_HEX, A_DEC } },
	[MT_EV_MPROTECT] = { "mprotect", { "addr", "length", "prot" }, { A_HEX, A_DEC, A_PROT } },
	[MT_EV_PKEY_MPROTECT] = { "pkey_mprotect", { "addr", "length", "prot", "pkey" },
				  { A_HEX, A_DEC, A_PROT, A_INT } },
	[MT_EV_BRK] = { "brk", { "addr" }, { A_HEX }, true },
	[MT_EV_MREMAP] = { "mremap", { "old_addr", "old_length", "new_length", "flags", "new_addr" },
			   { A_HEX, A_DEC, A_DEC, A_MREMAPFLAGS, A_HEX }, true },
	[MT_EV_SHMAT] = { "shmat", { "shmid", "addr", "shmflg" }, { A_INT, A_HEX, A_HEX }, true },
	[MT_EV_SHMDT] = { "shmdt", { "addr" }, { A_HEX } },
	[MT_EV_REMAP_FILE_PAGES] = { "remap_file_pages", { "addr", "size", "prot", "pgoff", "flags" },
				     { A_HEX, A_DEC, A_INT, A_DEC, A_INT } },
	[MT_EV_IO_SETUP] = { "io_setup", { "nr_events", "ctxp" }, { A_DEC, A_HEX } },
	[MT_EV_IO_DESTROY] = { "io_destroy", { "ctx" }, { A_HEX } },
	[MT_EV_MADVISE] = { "madvise", { "addr", "length", "advice" }, { A_HEX, A_DEC, A_ADVICE } },
	[MT_EV_PRCTL_VMA_NAME] = { "prctl", { "option", "arg2", "addr", "size", "name" },
				   { A_HEX, A_INT, A_HEX, A_DEC, A_STR } },
	[MT_EV_FORK] = { "fork" },
	[MT_EV_EXEC] = { "exec" },
	[MT_EV_EXIT] = { "exit" },
	[MT_EV_VMA] = { "vma" },
	[MT_EV_DUMP_END] = { "dump_end" },
	[MT_EV_SEQ_VOID] = { "seq_void" },
};

const char *mt_event_kind_name(__u32 kind)
{
	return kind < MT_EV__COUNT ? kinds[kind].name : NULL;
}

int mt_event_failed(const struct mt_event *e)
{
	return e->kind < MT_EV_FORK && e->kind != MT_EV_BRK && e->ret < 0 && e->ret >= -4095;
}

size_t mt_event_path(const struct mt_event *e, const char *raw, char *out, size_t cap)
{
	size_t len = e->path_len, n = 0;

	if (!cap)
		return 0;
	if (!(e->flags & MT_EVF_PATH_REVERSED)) {
		const char *prefix = "";
		size_t pl;

		if (e->flags & MT_EVF_ANON_INODE)
			prefix = "anon_inode:";
		else if (e->flags & MT_EVF_PSEUDO)
			prefix = "/";
		pl = strlen(prefix);
		/* a cap shorter than the prefix would make cap - 1 - pl below
		 * wrap and the prefix overrun out (evfmt.h promises cap - 1) */
		if (pl >= cap)
			pl = cap - 1;
		if (!len && !(e->flags & MT_EVF_PSEUDO)) {
			out[0] = '\0';
			return 0;
		}
		if (pl + len >= cap)
			len = cap - 1 - pl;
		memcpy(out, prefix, pl);
		memcpy(out + pl, raw, len);
		out[pl + len] = '\0';
		return pl + len;
	}
	/* "leaf/dir/" -> "/dir/leaf": take components from the end */
	if (!len) {
		out[0] = '/';
		out[cap > 1 ? 1 : 0] = '\0';
		return cap > 1;
	}
	while (len && n + 1 < cap) {
		size_t end = len - 1, start = end; /* raw[end] is the '/' after a component */

		while (start && raw[start - 1] != '/')
			start--;
		if (n + 1 + (end - start) >= cap)
			break;
		out[n++] = '/';
		memcpy(out + n, raw + start, end - start);
		n += end - start;
		len = start;
	}
	out[n] = '\0';
	return n;
}

static void flags_str(__u64 v, const char *const *names, const __u64 *bits, size_t nbits,
		      char *buf, size_t cap)
{
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < nbits; i++) {
		if ((v & bits[i]) != bits[i] || !bits[i])
			continue;
		n += snprintf(buf + n, n < cap ? cap - n : 0, "%s%s", n ? "|" : "", names[i]);
		v &= ~bits[i];
	}
	if (v || !n)
		snprintf(buf + n, n < cap ? cap - n : 0, "%s%#llx", n ? "|" : "", (unsigned long long)v);
}

void mt_prot_str(__u64 prot, char *buf, size_t cap)
{
	static const char *const names[] = { "PROT_READ", "PROT_WRITE", "PROT_EXEC", "PROT_SEM",
					     "PROT_GROWSDOWN", "PROT_GROWSUP" };
	static const __u64 bits[] = { 1, 2, 4, 8, 0x01000000, 0x02000000 };

	if (!prot) {
		snprintf(buf, cap, "PROT_NONE");
		return;
	}
	flags_str(prot, names, bits, 6, buf, cap);
}

void mt_map_flags_str(__u64 flags, char *buf, size_t cap)
{
	static const char *const names[] = {
		"MAP_SHARED_VALIDATE", "MAP_SHARED", "MAP_PRIVATE", "MAP_FIXED", "MAP_ANONYMOUS",
		"MAP_GROWSDOWN", "MAP_DENYWRITE", "MAP_EXECUTABLE", "MAP_LOCKED", "MAP_NORESERVE",
		"MAP_POPULATE", "MAP_NONBLOCK", "MAP_STACK", "MAP_HUGETLB", "MAP_SYNC",
		"MAP_FIXED_NOREPLACE", "MAP_UNINITIALIZED", "MAP_32BIT" };
	static const __u64 bits[] = { 0x03, 0x01, 0x02, 0x10, 0x20, 0x0100, 0x0800, 0x1000,
				      0x2000, 0x4000, 0x8000, 0x10000, 0x20000, 0x40000,
				      0x80000, 0x100000, 0x4000000, 0x40 };

	flags_str(flags, names, bits, sizeof(bits) / sizeof(bits[0]), buf, cap);
}

void mt_mremap_flags_str(__u64 flags, char *buf, size_t cap)
{
	static const char *const names[] = { "MREMAP_MAYMOVE", "MREMAP_FIXED", "MREMAP_DONTUNMAP" };
	static const __u64 bits[] = { 1, 2, 4 };

	if (!flags) {
		snprintf(buf, cap, "0");
		return;
	}
	flags_str(flags, names, bits, 3, buf, cap);
}

/* One argument as text (type-directed), for both outputs. */
static void arg_str(enum arg_type t, __u64 v, char *buf, size_t cap)
{
	switch (t) {
	case A_HEX:
		if (v)
			snprintf(buf, cap, "%#llx", (unsigned long long)v);
		else
			snprintf(buf, cap, "NULL");
		break;
	case A_OFF:
		snprintf(buf, cap, "%#llx", (unsigned long long)v);
		break;
	case A_ADVICE:
		/* only the advice that changes what fork copies is traced */
		if (v == 10 || v == 11)
			snprintf(buf, cap, "%s", v == 10 ? "MADV_DONTFORK" : "MADV_DOFORK");
		else
			snprintf(buf, cap, "%d", (int)v);
		break;
	case A_PROT:
		mt_prot_str(v, buf, cap);
		break;
	case A_MAPFLAGS:
		mt_map_flags_str(v, buf, cap);
		break;
	case A_MREMAPFLAGS:
		mt_mremap_flags_str(v, buf, cap);
		break;
	case A_FD:
	case A_INT:
		snprintf(buf, cap, "%d", (int)v);
		break;
	default:
		snprintf(buf, cap, "%llu", (unsigned long long)v);
		break;
	}
}

/* A name as strace prints one: control bytes, backslash and quote escaped
 * (\n \t \\ \" and octal), so every event stays one line and a newline
 * in a name cannot pass for a literal backslash sequence. */
static void put_escaped(FILE *f, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '\n': fputs("\\n", f); break;
		case '\t': fputs("\\t", f); break;
		case '\\': fputs("\\\\", f); break;
		case '"': fputs("\\\"", f); break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				fprintf(f, "\\%o", *p);
			else
				fputc(*p, f);
		}
	}
}

static const char *errno_name(__s64 ret)
{
	const char *n = strerrorname_np((int)-ret);

	return n ? n : "E?";
}

bool mt_event_file_deleted(const struct mt_event *e)
{
	return (e->flags & MT_EVF_DELETED) ||
	       ((e->flags & MT_EVF_PSEUDO) && !(e->flags & MT_EVF_ANON_INODE));
}

void mt_event_print_text(FILE *f, const struct mt_event *e, const char *raw, __u64 t0_ns)
{
	const struct kind_desc *d = e->kind < MT_EV__COUNT ? &kinds[e->kind] : NULL;
	char path[MT_PATH_MAX + 32], a[160];
	__u64 t = e->ts_ns >= t0_ns ? e->ts_ns - t0_ns : 0;

	if (!d || !d->name)
		return;
	mt_event_path(e, raw, path, sizeof(path));
	fprintf(f, "%6llu.%06llu %7u/%-7u %-15.16s ", (unsigned long long)(t / 1000000000),
		(unsigned long long)(t % 1000000000 / 1000), e->pid, e->tid, e->comm);
	switch (e->kind) {
	case MT_EV_FORK:
		fprintf(f, "fork() child %llu/%llu%s%s\n", (unsigned long long)e->aux[1],
			(unsigned long long)e->aux[2], e->flags & MT_EVF_THREAD ? " (thread)" : "",
			(e->flags & (MT_EVF_VM | MT_EVF_THREAD)) == MT_EVF_VM ? " (shares mm)" : "");
		return;
	case MT_EV_EXEC:
		fputs("exec(\"", f);
		put_escaped(f, path);
		fprintf(f, "\")%s\n", e->aux[0] != e->pid ? " from a non-leader thread" : "");
		return;
	case MT_EV_EXIT:
		/* task->exit_code is a wait status */
		if (e->ret & 0x7f)
			fprintf(f, "exit() killed by signal %lld\n", (long long)(e->ret & 0x7f));
		else
			fprintf(f, "exit() status %lld\n", (long long)((e->ret >> 8) & 0xff));
		return;
	case MT_EV_VMA:
	case MT_EV_DUMP_END:
	case MT_EV_SEQ_VOID:
		return; /* bookkeeping, not calls */
	}
	fprintf(f, "%s(", d->name);
	for (int i = 0; i < 6 && d->arg_names[i]; i++) {
		if (d->arg_types[i] == A_STR) {
			fputs(i ? ", " : "", f);
			if (!e->args[i]) {
				fputs("NULL", f);
				continue;
			}
			fputc('"', f);
			put_escaped(f, path);
			fputc('"', f);
			continue;
		}
		arg_str(d->arg_types[i], e->args[i], a, sizeof(a));
		fprintf(f, "%s%s", i ? ", " : "", a);
		if (d->arg_types[i] == A_FD && (e->flags & MT_EVF_FILE) && e->kind == MT_EV_MMAP) {
			fputc('<', f);
			put_escaped(f, path);
			fprintf(f, "%s>", mt_event_file_deleted(e) ? " (deleted)" : "");
		}
	}
	if (mt_event_failed(e))
		fprintf(f, ") = -1 %s (%s)\n", errno_name(e->ret), strerror((int)-e->ret));
	else if (d->ret_addr)
		fprintf(f, ") = %#llx\n", (unsigned long long)e->ret);
	else
		fprintf(f, ") = %lld\n", (long long)e->ret);
}

void mt_event_json(struct mt_json *j, const struct mt_event *e, const char *raw, __u64 t0_ns)
{
	mt_event_json_stack(j, e, raw, t0_ns, NULL, 0);
}

void mt_event_json_stack(struct mt_json *j, const struct mt_event *e, const char *raw, __u64 t0_ns,
			 const struct mt_frame *const *frames, int nframes)
{
	const struct kind_desc *d = e->kind < MT_EV__COUNT ? &kinds[e->kind] : NULL;
	char path[MT_PATH_MAX + 32], a[160];
	size_t plen = mt_event_path(e, raw, path, sizeof(path));

	if (!d || !d->name)
		return;
	mt_json_obj_begin(j);
	mt_json_key(j, "kind");
	mt_json_str(j, d->name, strlen(d->name));
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
		mt_json_i64(j, (e->ret >> 8) & 0xff);
		mt_json_key(j, "signal");
		mt_json_i64(j, e->ret & 0x7f);
		break;
	default:
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
		break;
	}
	if (nframes > 0) {
		mt_json_key(j, "stack");
		mt_json_arr_begin(j);
		for (int i = 0; i < nframes; i++)
			mt_frame_json(j, frames[i]);
		mt_json_arr_end(j);
	}
	mt_json_obj_end(j);
}

/* Append s to buf[*len..cap) (truncating). */
static void put_str(char *buf, size_t cap, size_t *len, const char *s)
{
	size_t n = strlen(s);

	if (n > cap - *len)
		n = cap - *len;
	memcpy(buf + *len, s, n);
	*len += n;
}

static void put_num(char *buf, size_t cap, size_t *len, unsigned long long v, unsigned base)
{
	char d[24];
	int i = sizeof(d);

	d[--i] = '\0';
	do {
		d[--i] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	put_str(buf, cap, len, d + i);
}

/* Built by hand and written once: trace prints a few frames per mapping
 * call, and vfprintf was most of its time. */
void mt_frame_print_text(FILE *f, const char *indent, int index, const struct mt_frame *fr,
			 bool with_offset)
{
	const char *mod = fr->module ? strrchr(fr->module, '/') : NULL;
	char buf[1024];
	size_t len = 0;

	put_str(buf, sizeof(buf), &len, indent);
	put_str(buf, sizeof(buf), &len, "#");
	put_num(buf, sizeof(buf), &len, (unsigned)index, 10);
	put_str(buf, sizeof(buf), &len, index < 10 ? "  " : " ");
	put_str(buf, sizeof(buf), &len, fr->func);
	if (with_offset && fr->symbol) {
		put_str(buf, sizeof(buf), &len, "+0x");
		put_num(buf, sizeof(buf), &len, fr->offset, 16);
	}
	if (fr->file) {
		put_str(buf, sizeof(buf), &len, " (");
		put_str(buf, sizeof(buf), &len, fr->file);
		put_str(buf, sizeof(buf), &len, ":");
		put_num(buf, sizeof(buf), &len, (unsigned)fr->line, 10);
		put_str(buf, sizeof(buf), &len, ")");
	}
	if (fr->module) {
		put_str(buf, sizeof(buf), &len, " [");
		put_str(buf, sizeof(buf), &len, mod ? mod + 1 : fr->module);
		put_str(buf, sizeof(buf), &len, "]");
	}
	if (len == sizeof(buf))
		len--;
	buf[len++] = '\n';
	fwrite(buf, 1, len, f);
}

void mt_frame_json(struct mt_json *j, const struct mt_frame *fr)
{
	mt_json_obj_begin(j);
	mt_json_key(j, "pc");
	mt_json_hex(j, fr->pc);
	mt_json_kv_bytes(j, "function", fr->func, strlen(fr->func));
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

