// SPDX-License-Identifier: GPL-2.0
/* unwind.c - unwind and symbolize user stacks with elfutils' libdwfl.
 *
 * Modules: every file mapped at offset 0 in the shadow that also has an
 * executable mapping is reported to a Dwfl at that address (ET_DYN: the
 * load base; ET_EXEC: libdwfl ignores it). Opening ELF files dominates the
 * cost, so the last few Dwfls are kept, keyed by a signature of their
 * modules' (start, dev, inode): processes that share libraries, and a
 * process going back to a module set it had, reuse one.
 * DWARF samples: dwfl_attach_state() with callbacks that hand libdwfl the
 * captured registers and serve memory reads from the captured stack copy,
 * as perf's util/unwind-libdw.c does with its samples.
 *
 * The memo. A program maps memory again and again from the same few call
 * sites, and unwinding a sample with libdwfl costs tens of microseconds,
 * so unwound samples are remembered. Unwinding is a deterministic function
 * of the module set, the registers it reads and the stack words it reads,
 * so a remembered result may be reused for a new sample exactly when all
 * of those are equal:
 *  - the module set: its signature;
 *  - memory: every read is logged (address, whether it was inside the
 *    copy, the word); a new sample must give the same answer to each
 *    logged read, in order. Given equal inputs up to a read, libdwfl makes
 *    the same next read, so an equal log means an equal unwinding. The
 *    word itself only has to be equal where it mattered: a saved register
 *    that no outer frame's rules name (a caller's loop counter pushed by a
 *    callee) is read by libdwfl but changes nothing;
 *  - registers: the pc and sp always, and whichever other initial
 *    registers the unwinding could have used. Those are found from the CFI of each
 *    frame, following libdwfl's own rules (frame_unwind.c): a frame with
 *    CFI evaluates the CFA and every register rule, reading the registers
 *    their expressions name; a register with a same-value rule carries its
 *    value to the caller; a frame without CFI (no module, or no FDE in
 *    .eh_frame nor .debug_frame) is unwound by the frame-pointer fallback
 *    (ebl_unwind), which reads rbp and rsp (x29 and x30 on arm64) and
 *    leaves the caller nothing else. So an initial register, or a word
 *    read, matters only if some later frame's rules name the register
 *    while it still holds that value, or if it is a return address: a
 *    word on x86, often the initial link register x30 on arm64. Frames whose rules read
 *    memory in other ways are not followed: everything still live there,
 *    and every later read, counts.
 * Samples involving a signal frame (where libdwfl looks up the caller's
 * CFI at its exact pc, which we cannot observe) are not remembered.
 */
#include <elfutils/libdwfl.h>
#include <dwarf.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/array.h"
#include "base/parse.h"
#include "analyze/cfi_deps.h"
#include "analyze/demangle.h"
#include "analyze/unwind.h"
#include "maptrace/events.h"
#include "base/u64map.h"

#define NDWFL        8     /* module sets kept */
#define MEMO_BUCKETS 1024  /* by (modules, rip, rsp) */
#define MEMO_WAYS    4     /* samples kept per bucket, most recent first */
#define MAX_READS    256   /* an unwinding that reads more is not remembered */
#define REG_SP       MT_REG_SP  /* DWARF register numbers (events.h) */
#define REG_IP       MT_REG_PC

/* The sample being unwound. */
struct sample {
	pid_t tid;
	const struct mt_user_regs *regs;
	const uint8_t *stack;
	size_t stack_len;
	uint64_t sp;
};


/* A remembered DWARF unwinding (see the memo above). */
struct memo {
	uint64_t sig;
	uint64_t regs[MT_NREGS];    /* compared where regmask has their bit */
	uint64_t regmask;           /* always pc and sp, and the registers it read (33 on arm64) */
	uint32_t nreads;
	uint32_t id;                /* mt_unwind's id for this stack, 0 until kept */
	int nframes;
	struct mt_read_rec *reads;     /* in the same allocation, after frames */
	const struct mt_frame *frames[];
};

/* A symbolized pc of one module set. */
struct symnode {
	struct symnode *next;
	uint64_t sig, pc;
	struct mt_frame f;
};

struct dwfl_slot {
	Dwfl *dwfl;
	uint64_t sig, used;
};

struct mt_unwinder {
	struct dwfl_slot slots[NDWFL];
	uint64_t clock;
	struct sample cur;
	struct mt_read_rec log[MAX_READS];
	uint32_t nlog;
	bool log_full;
	struct symnode **sym;        /* chained hash of symbolized pcs */
	size_t symcap, nsym;
	struct memo *memo[MEMO_BUCKETS][MEMO_WAYS];
	const struct mt_frame *out[MT_UNWIND_MAX_FRAMES];
	struct mt_stack *stacks;     /* kept stacks: id - 1 */
	size_t nstacks, cap;
	struct mt_unwind_stats st;
};

static char *debuginfo_path;
static const Dwfl_Callbacks dwfl_callbacks = {
	.find_elf = dwfl_build_id_find_elf,
	.find_debuginfo = dwfl_standard_find_debuginfo,
	.debuginfo_path = &debuginfo_path,
};

/* ---- libdwfl callbacks: the sample is the thread ------------------------ */

static pid_t next_thread(Dwfl *dwfl, void *arg, void **thread_argp)
{
	struct mt_unwinder *u = arg;

	if (*thread_argp)
		return 0;
	*thread_argp = arg;
	return u->cur.tid;
}

static bool get_thread(Dwfl *dwfl, pid_t tid, void *arg, void **thread_argp)
{
	*thread_argp = arg;
	return true;
}

static bool sample_word(const struct sample *s, uint64_t addr, uint64_t *out)
{
	if (s->stack_len < 8 || addr < s->sp || addr - s->sp > s->stack_len - 8)
		return false;
	memcpy(out, s->stack + (addr - s->sp), sizeof(*out));
	return true;
}

/* Only the stack copy is memory we have; CFI rarely needs anything else.
 * Every read is logged for the memo. */
static bool memory_read(Dwfl *dwfl, Dwarf_Addr addr, Dwarf_Word *result, void *arg)
{
	struct mt_unwinder *u = arg;
	uint64_t v = 0;
	bool ok = sample_word(&u->cur, addr, &v);

	if (u->nlog < MAX_READS)
		u->log[u->nlog++] = (struct mt_read_rec){ .addr = addr, .val = v, .ok = ok };
	else
		u->log_full = true;
	if (ok)
		*result = v;
	return ok;
}

static bool set_initial_registers(Dwfl_Thread *thread, void *arg)
{
	struct mt_unwinder *u = arg;
	Dwarf_Word regs[MT_NREGS];

	for (int i = 0; i < MT_NREGS; i++)
		regs[i] = u->cur.regs->regs[i];
	if (!dwfl_thread_state_registers(thread, 0, MT_NREGS, regs))
		return false;
#if defined(__aarch64__)
	/* libdwfl takes an unset pc from the return-address register, which
	 * is rip on x86_64 but x30 (lr) on arm64: the caller's, not ours */
	dwfl_thread_state_register_pc(thread, regs[REG_IP]);
#endif
	return true;
}

static const Dwfl_Thread_Callbacks thread_callbacks = {
	.next_thread = next_thread,
	.get_thread = get_thread,
	.memory_read = memory_read,
	.set_initial_registers = set_initial_registers,
};

/* ---- the unwinder --------------------------------------------------------- */

struct mt_unwinder *mt_unwinder_new(void)
{
	return calloc(1, sizeof(struct mt_unwinder));
}

static void frame_free(struct mt_frame *f)
{
	free(f->func);
	free(f->raw);
	free(f->file);
	free(f->module);
}

void mt_unwinder_free(struct mt_unwinder *u)
{
	if (!u)
		return;
	for (int i = 0; i < NDWFL; i++)
		if (u->slots[i].dwfl)
			dwfl_end(u->slots[i].dwfl);
	for (size_t i = 0; i < u->symcap; i++) {
		for (struct symnode *n = u->sym[i], *next; n; n = next) {
			next = n->next;
			frame_free(&n->f);
			free(n);
		}
	}
	free(u->sym);
	for (int b = 0; b < MEMO_BUCKETS; b++)
		for (int w = 0; w < MEMO_WAYS; w++)
			free(u->memo[b][w]);
	for (size_t i = 0; i < u->nstacks; i++)
		free(u->stacks[i].frames);
	free(u->stacks);
	free(u);
}

void mt_unwind_get_stats(const struct mt_unwinder *u, struct mt_unwind_stats *out)
{
	*out = u->st;
}

/* ---- modules ---------------------------------------------------------------- */

#define MAX_EXEC_FILES 256

static bool is_module_start(const struct mt_region *r)
{
	return r->inode && r->offset == 0 && r->name && r->name[0] == '/';
}

/* Call fn (if any) for each module of s; returns the set's signature.
 * Modules are files with an executable mapping somewhere (not necessarily
 * next to the one at offset 0): a data file mapped and unmapped in a loop
 * must not make every call rebuild the Dwfl. */
static uint64_t for_each_module(const struct mt_shadow *s, void (*fn)(const struct mt_region *, void *),
				void *arg)
{
	struct { uint64_t inode; uint32_t dev; } exec[MAX_EXEC_FILES];
	size_t nexec = 0;
	bool all = false;   /* too many to list: every file counts */
	uint64_t h = 1469598103934665603ULL;

	for (const struct mt_region *r = mt_shadow_lower_bound(s, 0); r; r = mt_shadow_next(s, r)) {
		if (!(r->perms & MT_PERM_EXEC) || !r->inode)
			continue;
		if (nexec == MAX_EXEC_FILES) {
			all = true;
			break;
		}
		exec[nexec].inode = r->inode;
		exec[nexec++].dev = r->dev;
	}
	for (const struct mt_region *r = mt_shadow_lower_bound(s, 0); r; r = mt_shadow_next(s, r)) {
		bool code = all;

		if (!is_module_start(r))
			continue;
		for (size_t i = 0; i < nexec && !code; i++)
			code = exec[i].inode == r->inode && exec[i].dev == r->dev;
		if (!code)
			continue;
		h = (h ^ r->start) * 1099511628211ULL;
		h = (h ^ r->inode) * 1099511628211ULL;
		h = (h ^ r->dev) * 1099511628211ULL;
		if (fn)
			fn(r, arg);
	}
	return h;
}

static void report_module(const struct mt_region *r, void *arg)
{
	dwfl_report_elf(arg, r->name, r->name, -1, r->start, false);
}

/* The Dwfl of the modules mapped in s (NULL if none can be made), and the
 * module set's signature in *sig. */
static Dwfl *modules_for(struct mt_unwinder *u, const struct mt_shadow *s, uint64_t *sig)
{
	struct dwfl_slot *slot = &u->slots[0];

	*sig = 0;
	if (!s)
		return NULL;
	*sig = for_each_module(s, NULL, NULL);
	for (int i = 0; i < NDWFL; i++) {
		if (u->slots[i].dwfl && u->slots[i].sig == *sig) {
			u->slots[i].used = ++u->clock;
			return u->slots[i].dwfl;
		}
		if (u->slots[i].used < slot->used)
			slot = &u->slots[i];  /* least recently used (or empty) */
	}
	if (slot->dwfl)
		dwfl_end(slot->dwfl);
	slot->sig = *sig;
	slot->used = ++u->clock;
	slot->dwfl = dwfl_begin(&dwfl_callbacks);
	if (!slot->dwfl)
		return NULL;
	u->st.dwfl_builds++;
	dwfl_report_begin(slot->dwfl);
	for_each_module(s, report_module, slot->dwfl);
	dwfl_report_end(slot->dwfl, NULL, NULL);
	/* the pid only names the process; every callback reads u->cur */
	if (!dwfl_attach_state(slot->dwfl, NULL, 1, &thread_callbacks, u)) {
		dwfl_end(slot->dwfl);
		slot->dwfl = NULL;
		slot->used = 0;
	}
	return slot->dwfl;
}

/* ---- symbols ------------------------------------------------------------------ */

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
		f->func = mt_demangle(name);
		if (f->func)
			f->raw = strdup(name);
		else
			f->func = strdup(name);
		f->offset = off;
		f->symbol = true;
	} else {
		snprintf(buf, sizeof(buf), "0x%" PRIx64, pc);
		f->func = strdup(buf);
	}
	f->module = modname ? strdup(modname) : NULL;
}

static size_t sym_slot(uint64_t sig, uint64_t pc, size_t cap)
{
	return mt_mix64(sig ^ mt_mix64(pc)) & (cap - 1);
}

/* pc symbolized in the module set sig, once per (sig, pc). */
static const struct mt_frame *symbol_for(struct mt_unwinder *u, Dwfl *dwfl, uint64_t sig, uint64_t pc)
{
	struct symnode *n;

	if (u->symcap)
		for (n = u->sym[sym_slot(sig, pc, u->symcap)]; n; n = n->next)
			if (n->pc == pc && n->sig == sig)
				return &n->f;
	if (u->nsym >= u->symcap) {
		size_t cap = u->symcap ? u->symcap * 2 : 1024;
		struct symnode **t = calloc(cap, sizeof(*t));

		if (!t)
			return NULL;
		for (size_t i = 0; i < u->symcap; i++) {
			for (struct symnode *m = u->sym[i], *next; m; m = next) {
				size_t k = sym_slot(m->sig, m->pc, cap);

				next = m->next;
				m->next = t[k];
				t[k] = m;
			}
		}
		free(u->sym);
		u->sym = t;
		u->symcap = cap;
	}
	n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	symbolize(dwfl, pc, &n->f);
	if (!n->f.func) {
		frame_free(&n->f);
		free(n);
		return NULL;
	}
	n->sig = sig;
	n->pc = pc;
	size_t k = sym_slot(sig, pc, u->symcap);

	n->next = u->sym[k];
	u->sym[k] = n;
	u->nsym++;
	return &n->f;
}

/* ---- DWARF unwinding and its memo ----------------------------------------------- */

struct collect {
	uint64_t pcs[MT_UNWIND_MAX_FRAMES];
	int n;
	bool signal;     /* a frame above the first was an activation */
};

static int collect_frame(Dwfl_Frame *state, void *arg)
{
	struct collect *c = arg;
	Dwarf_Addr pc;
	bool activation;

	if (!dwfl_frame_pc(state, &pc, &activation))
		return DWARF_CB_ABORT;
	c->signal |= activation && c->n > 0;
	/* a return address points after the call: look up the call itself */
	c->pcs[c->n++] = activation ? pc : pc - 1;
	return c->n < MT_UNWIND_MAX_FRAMES ? DWARF_CB_OK : DWARF_CB_ABORT;
}

static size_t memo_bucket(uint64_t sig, uint64_t rip, uint64_t rsp)
{
	return mt_mix64(sig ^ mt_mix64(rip ^ mt_mix64(rsp))) % MEMO_BUCKETS;
}

static bool memo_matches(const struct memo *m, uint64_t sig, const struct sample *s)
{
	const __u64 *r = s->regs->regs;

	if (m->sig != sig)
		return false;
	for (int i = 0; i < MT_NREGS; i++)
		if ((m->regmask >> i & 1) && m->regs[i] != r[i])
			return false;
	for (uint32_t i = 0; i < m->nreads; i++) {
		uint64_t v = 0;
		bool ok = sample_word(s, m->reads[i].addr, &v);

		if (ok != m->reads[i].ok || (ok && m->reads[i].relevant && v != m->reads[i].val))
			return false;
	}
	return true;
}

static struct memo *memo_find(struct mt_unwinder *u, uint64_t sig)
{
	struct memo **ways = u->memo[memo_bucket(sig, u->cur.regs->regs[REG_IP], u->cur.sp)];

	for (int w = 0; w < MEMO_WAYS && ways[w]; w++) {
		struct memo *m = ways[w];

		if (!memo_matches(m, sig, &u->cur))
			continue;
		memmove(&ways[1], &ways[0], (size_t)w * sizeof(ways[0])); /* most recent first */
		ways[0] = m;
		return m;
	}
	return NULL;
}

static struct memo *memo_add(struct mt_unwinder *u, uint64_t sig, uint64_t regmask,
			     const struct mt_frame *const *frames, int n)
{
	struct memo **ways = u->memo[memo_bucket(sig, u->cur.regs->regs[REG_IP], u->cur.sp)];
	size_t fsz = (size_t)n * sizeof(frames[0]);
	struct memo *m = malloc(sizeof(*m) + fsz + u->nlog * sizeof(struct mt_read_rec));

	if (!m)
		return NULL;
	m->sig = sig;
	memcpy(m->regs, u->cur.regs->regs, sizeof(m->regs));
	m->regmask = regmask | 1ull << REG_IP | 1ull << REG_SP;
	m->nreads = u->nlog;
	m->id = 0;
	m->nframes = n;
	memcpy(m->frames, frames, fsz);
	m->reads = (struct mt_read_rec *)((char *)m->frames + fsz);
	memcpy(m->reads, u->log, u->nlog * sizeof(struct mt_read_rec));
	free(ways[MEMO_WAYS - 1]);
	memmove(&ways[1], &ways[0], (MEMO_WAYS - 1) * sizeof(ways[0]));
	ways[0] = m;
	return m;
}

/* Unwind the DWARF sample in u->cur: frames into u->out, or from the memo. */
static int unwind_dwarf(struct mt_unwinder *u, Dwfl *dwfl, uint64_t sig, struct memo **memo,
			const struct mt_frame *const **frames)
{
	struct collect c = { .n = 0 };
	struct memo *m = memo_find(u, sig);
	int n = 0;
	int64_t deps;

	if (m) {
		u->st.memo_hits++;
		*memo = m;
		*frames = m->frames;
		return m->nframes;
	}
	u->nlog = 0;
	u->log_full = false;
	/* stops at the end of the copied stack: that is not an error */
	dwfl_getthread_frames(dwfl, u->cur.tid, collect_frame, &c);
	for (int i = 0; i < c.n; i++) {
		const struct mt_frame *f = symbol_for(u, dwfl, sig, c.pcs[i]);

		if (!f)
			return 0;
		u->out[n++] = f;
	}
	*frames = u->out;
	if (n && !u->log_full && !c.signal && (deps = mt_cfi_register_deps(dwfl, c.pcs, c.n, u->log, u->nlog)) >= 0)
		*memo = memo_add(u, sig, (uint64_t)deps, u->out, n);
	return n;
}

static int unwind_any(struct mt_unwinder *u, const struct mt_shadow *s, pid_t tid, uint32_t flags,
		      const void *payload, size_t len, const struct mt_frame *const **frames,
		      struct memo **memo)
{
	uint64_t sig;
	Dwfl *dwfl = modules_for(u, s, &sig);
	int n = 0;

	*memo = NULL;
	u->st.samples++;
	if (flags & MT_EVF_STACK_DWARF) {
		if (len < sizeof(struct mt_user_regs) || !dwfl)
			return 0;
		u->cur.tid = tid;
		u->cur.regs = payload;
		u->cur.stack = (const uint8_t *)payload + sizeof(struct mt_user_regs);
		u->cur.stack_len = len - sizeof(struct mt_user_regs);
		u->cur.sp = u->cur.regs->regs[REG_SP];
		return unwind_dwarf(u, dwfl, sig, memo, frames);
	}
	if (flags & MT_EVF_STACK_FP) {
		const uint64_t *ips = payload;

		for (size_t i = 0; i < len / 8 && n < MT_UNWIND_MAX_FRAMES && ips[i]; i++) {
			const struct mt_frame *f = symbol_for(u, dwfl, sig, i ? ips[i] - 1 : ips[i]);

			if (!f)
				return 0;
			u->out[n++] = f;
		}
		*frames = u->out;
	}
	return n;
}

int mt_unwind_frames(struct mt_unwinder *u, const struct mt_shadow *s, pid_t tid, uint32_t flags,
		     const void *payload, size_t len, const struct mt_frame *const **frames)
{
	struct memo *m;

	return unwind_any(u, s, tid, flags, payload, len, frames, &m);
}

uint32_t mt_unwind(struct mt_unwinder *u, const struct mt_shadow *s, pid_t tid, uint32_t flags,
		   const void *payload, size_t len)
{
	const struct mt_frame *const *frames;
	struct memo *m;
	int n = unwind_any(u, s, tid, flags, payload, len, &frames, &m);
	struct mt_stack st;

	if (n <= 0)
		return 0;
	if (m && m->id)
		return m->id; /* the same stack again: one copy */
	if (mt_array_grow((void **)&u->stacks, &u->cap, u->nstacks + 1, sizeof(*u->stacks)))
		return 0;
	st.frames = malloc((size_t)n * sizeof(st.frames[0]));
	if (!st.frames)
		return 0;
	memcpy(st.frames, frames, (size_t)n * sizeof(st.frames[0]));
	st.nframes = n;
	u->stacks[u->nstacks++] = st;
	if (m)
		m->id = (uint32_t)u->nstacks;
	return (uint32_t)u->nstacks;
}

const struct mt_stack *mt_stack_get(const struct mt_unwinder *u, uint32_t id)
{
	if (!u || !id || id > u->nstacks)
		return NULL;
	return &u->stacks[id - 1];
}
