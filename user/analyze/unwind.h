/* SPDX-License-Identifier: GPL-2.0 */
/* unwind.h - user call stacks from BPF samples, symbolized with elfutils.
 *
 * DWARF samples (registers + a copy of the stack) are unwound with the CFI
 * of the mapped files, as `perf --call-graph dwarf` does; frame-pointer
 * samples are already return addresses. The module map is the shadow of the
 * address space at the moment of the call, so stacks resolve after the
 * process exited and across dlopen/dlclose.
 *
 * Everything costly is cached for the unwinder's life: a Dwfl per set of
 * mapped modules, each symbolized pc, and each unwound DWARF sample keyed
 * by exactly what the unwinding read (see unwind.c), so a call made again
 * from the same place costs a hash lookup. Frames are owned by the unwinder
 * and stay valid until mt_unwinder_free(). Also: the --stacks/--stack-size
 * options that `trace` and `explain` share. User-only.
 */
#ifndef MAPTRACE_UNWIND_H
#define MAPTRACE_UNWIND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "core/shadow.h"

struct mt_unwinder;

#define MT_UNWIND_MAX_FRAMES 64

/* One symbolized frame. */
struct mt_frame {
	uint64_t pc;       /* the call instruction (return address - 1) or, innermost, the pc */
	uint64_t offset;   /* pc - start of the symbol, when symbol */
	char *func;        /* "malloc", "v8::internal::Heap::SetUp(...)" (demangled),
	                      or "0x7f..." when no symbol covers pc */
	char *raw;         /* the symbol as the ELF file spells it ("_ZN2v8..."),
	                      when demangling changed it; else NULL */
	char *file;        /* source file (NULL without debug info) */
	int line;          /* 0 without debug info */
	bool symbol;       /* func is a symbol name (offset is meaningful) */
	char *module;      /* path of the mapped file, NULL for anonymous code */
};

struct mt_stack {
	const struct mt_frame **frames;  /* innermost first */
	int nframes;
};

/* Cache figures, for tests and -v. */
struct mt_unwind_stats {
	uint64_t samples;     /* samples unwound */
	uint64_t memo_hits;   /* DWARF samples answered from the cache */
	uint64_t dwfl_builds; /* module sets reported to libdwfl */
};

struct mt_unwinder *mt_unwinder_new(void);
void mt_unwinder_free(struct mt_unwinder *u);

/* Unwind and symbolize a STACK record's payload (flags: MT_EVF_STACK_*)
 * against the modules mapped in s. Returns the number of frames and points
 * *frames at them (valid until the next call); 0 when nothing unwound. */
int mt_unwind_frames(struct mt_unwinder *u, const struct mt_shadow *s, pid_t tid, uint32_t flags,
		     const void *payload, size_t len, const struct mt_frame *const **frames);

/* The same, kept: returns the stack's id (>= 1) for mt_stack_get, or 0
 * when nothing could be unwound. */
uint32_t mt_unwind(struct mt_unwinder *u, const struct mt_shadow *s, pid_t tid, uint32_t flags,
		   const void *payload, size_t len);

/* The stack with this id, or NULL. */
const struct mt_stack *mt_stack_get(const struct mt_unwinder *u, uint32_t id);

void mt_unwind_get_stats(const struct mt_unwinder *u, struct mt_unwind_stats *out);


#endif /* MAPTRACE_UNWIND_H */
