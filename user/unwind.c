/* unwind.c - unwind and symbolize user stacks with elfutils' libdwfl.
 *
 * Modules: every file mapped at offset 0 in the shadow is reported to a
 * Dwfl at that address (ET_DYN: the load base; ET_EXEC: libdwfl ignores it).
 * The Dwfl is rebuilt only when the set of such files changes (a signature
 * of their (start, dev, inode)), since opening ELF files dominates the cost.
 * DWARF samples: dwfl_attach_state() with callbacks that hand libdwfl the
 * captured registers and serve memory reads from the captured stack copy,
 * as perf's util/unwind-libdw.c does with its samples.
 */
#include <elfutils/libdwfl.h>
#include <dwarf.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "maptrace/unwind.h"
#include "maptrace/events.h"

#define MAX_FRAMES 64

/* The sample being unwound (dwfl_arg of the thread callbacks). */
struct sample {
	pid_t tid;
	const struct mt_user_regs *regs;
	const uint8_t *stack;
	size_t stack_len;
	uint64_t sp;
};

struct mt_unwinder {
	Dwfl *dwfl;
	uint64_t signature;     /* of the modules reported to dwfl */
	struct sample cur;
	struct mt_stack *stacks; /* id - 1 */
	size_t nstacks, cap;
};

static char *debuginfo_path;
static const Dwfl_Callbacks dwfl_callbacks = {
	.find_elf = dwfl_build_id_find_elf,
	.find_debuginfo = dwfl_standard_find_debuginfo,
	.debuginfo_path = &debuginfo_path,
};

static pid_t next_thread(Dwfl *dwfl, void *arg, void **thread_argp)
{
	struct sample *s = arg;

	if (*thread_argp)
		return 0;
	*thread_argp = arg;
	return s->tid;
}

static bool get_thread(Dwfl *dwfl, pid_t tid, void *arg, void **thread_argp)
{
	*thread_argp = arg;
	return true;
}

/* Only the stack copy is memory we have; CFI rarely needs anything else. */
static bool memory_read(Dwfl *dwfl, Dwarf_Addr addr, Dwarf_Word *result, void *arg)
{
	struct sample *s = arg;

	if (addr < s->sp || addr + sizeof(*result) > s->sp + s->stack_len)
		return false;
	memcpy(result, s->stack + (addr - s->sp), sizeof(*result));
	return true;
}

static bool set_initial_registers(Dwfl_Thread *thread, void *arg)
{
	struct sample *s = arg;
	Dwarf_Word regs[MT_NREGS];

	for (int i = 0; i < MT_NREGS; i++)
		regs[i] = s->regs->regs[i];
	return dwfl_thread_state_registers(thread, 0, MT_NREGS, regs);
}

static const Dwfl_Thread_Callbacks thread_callbacks = {
	.next_thread = next_thread,
	.get_thread = get_thread,
	.memory_read = memory_read,
	.set_initial_registers = set_initial_registers,
};

struct mt_unwinder *mt_unwinder_new(void)
{
	return calloc(1, sizeof(struct mt_unwinder));
}

static void frame_free(struct mt_frame *f)
{
	free(f->func);
	free(f->file);
	free(f->module);
}

void mt_unwinder_free(struct mt_unwinder *u)
{
	if (!u)
		return;
	if (u->dwfl)
		dwfl_end(u->dwfl);
	for (size_t i = 0; i < u->nstacks; i++) {
		for (int j = 0; j < u->stacks[i].nframes; j++)
			frame_free(&u->stacks[i].frames[j]);
		free(u->stacks[i].frames);
	}
	free(u->stacks);
	free(u);
}

static bool is_module(const struct mt_region *r)
{
	return r->inode && r->offset == 0 && r->name && r->name[0] == '/';
}

static uint64_t modules_signature(const struct mt_shadow *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (const struct mt_region *r = mt_shadow_lower_bound(s, 0); r; r = mt_shadow_next(s, r)) {
		if (!is_module(r))
			continue;
		h = (h ^ r->start) * 1099511628211ULL;
		h = (h ^ r->inode) * 1099511628211ULL;
		h = (h ^ r->dev) * 1099511628211ULL;
	}
	return h;
}

/* A Dwfl whose modules are the files mapped in s, attached to the sample. */
static Dwfl *modules_for(struct mt_unwinder *u, const struct mt_shadow *s)
{
	uint64_t sig = modules_signature(s);

	if (u->dwfl && sig == u->signature)
		return u->dwfl;
	if (u->dwfl)
		dwfl_end(u->dwfl);
	u->dwfl = dwfl_begin(&dwfl_callbacks);
	if (!u->dwfl)
		return NULL;
	dwfl_report_begin(u->dwfl);
	for (const struct mt_region *r = mt_shadow_lower_bound(s, 0); r; r = mt_shadow_next(s, r))
		if (is_module(r))
			dwfl_report_elf(u->dwfl, r->name, r->name, -1, r->start, false);
	dwfl_report_end(u->dwfl, NULL, NULL);
	/* the pid only names the process; every callback reads our sample */
	if (!dwfl_attach_state(u->dwfl, NULL, 1, &thread_callbacks, &u->cur)) {
		dwfl_end(u->dwfl);
		u->dwfl = NULL;
		return NULL;
	}
	u->signature = sig;
	return u->dwfl;
}

struct collect {
	uint64_t pcs[MAX_FRAMES];
	int n;
};

static int collect_frame(Dwfl_Frame *state, void *arg)
{
	struct collect *c = arg;
	Dwarf_Addr pc;
	bool activation;

	if (!dwfl_frame_pc(state, &pc, &activation))
		return DWARF_CB_ABORT;
	/* a return address points after the call: look up the call itself */
	c->pcs[c->n++] = activation ? pc : pc - 1;
	return c->n < MAX_FRAMES ? DWARF_CB_OK : DWARF_CB_ABORT;
}

static void symbolize(Dwfl *dwfl, uint64_t pc, struct mt_frame *f)
{
	Dwfl_Module *m = dwfl ? dwfl_addrmodule(dwfl, pc) : NULL;
	const char *name = NULL, *modname = NULL, *file;
	GElf_Off off = 0;
	GElf_Sym sym;
	char buf[64];

	f->pc = pc;
	if (m) {
		name = dwfl_module_addrinfo(m, pc, &off, &sym, NULL, NULL, NULL);
		modname = dwfl_module_info(m, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
		Dwfl_Line *line = dwfl_module_getsrc(m, pc);
		int lineno = 0;

		if (line && (file = dwfl_lineinfo(line, NULL, &lineno, NULL, NULL, NULL))) {
			const char *slash = strrchr(file, '/');

			f->file = strdup(slash ? slash + 1 : file);
			f->line = lineno;
		}
	}
	if (name) {
		f->func = strdup(name);
	} else {
		snprintf(buf, sizeof(buf), "0x%" PRIx64, pc);
		f->func = strdup(buf);
	}
	f->module = modname ? strdup(modname) : NULL;
}

uint32_t mt_unwind(struct mt_unwinder *u, const struct mt_shadow *s, pid_t tid, uint32_t flags,
		   const void *payload, size_t len)
{
	struct collect c = { .n = 0 };
	Dwfl *dwfl = modules_for(u, s);
	struct mt_stack st = { 0 };

	if (flags & MT_EVF_STACK_DWARF) {
		if (len < sizeof(struct mt_user_regs) || !dwfl)
			return 0;
		u->cur.tid = tid;
		u->cur.regs = payload;
		u->cur.stack = (const uint8_t *)payload + sizeof(struct mt_user_regs);
		u->cur.stack_len = len - sizeof(struct mt_user_regs);
		u->cur.sp = u->cur.regs->regs[7];
		/* stops at the end of the copied stack: that is not an error */
		dwfl_getthread_frames(dwfl, tid, collect_frame, &c);
	} else if (flags & MT_EVF_STACK_FP) {
		const uint64_t *ips = payload;

		for (size_t i = 0; i < len / 8 && c.n < MAX_FRAMES; i++) {
			if (!ips[i])
				break;
			c.pcs[c.n++] = i ? ips[i] - 1 : ips[i];
		}
	}
	if (!c.n)
		return 0;
	st.frames = calloc((size_t)c.n, sizeof(*st.frames));
	if (!st.frames)
		return 0;
	for (int i = 0; i < c.n; i++)
		symbolize(dwfl, c.pcs[i], &st.frames[i]);
	st.nframes = c.n;
	if (u->nstacks == u->cap) {
		size_t cap = u->cap ? u->cap * 2 : 64;
		struct mt_stack *n = realloc(u->stacks, cap * sizeof(*n));

		if (!n) {
			for (int i = 0; i < st.nframes; i++)
				frame_free(&st.frames[i]);
			free(st.frames);
			return 0;
		}
		u->stacks = n;
		u->cap = cap;
	}
	u->stacks[u->nstacks++] = st;
	return (uint32_t)u->nstacks;
}

const struct mt_stack *mt_stack_get(const struct mt_unwinder *u, uint32_t id)
{
	if (!u || !id || id > u->nstacks)
		return NULL;
	return &u->stacks[id - 1];
}
