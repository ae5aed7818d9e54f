/* unwind.h - user call stacks from BPF samples, symbolized with elfutils.
 *
 * DWARF samples (registers + a copy of the stack) are unwound with the CFI
 * of the mapped files, as `perf --call-graph dwarf` does; frame-pointer
 * samples are already return addresses. The module map is the shadow of the
 * address space at the moment of the call, so stacks resolve after the
 * process exited and across dlopen/dlclose. Stacks are kept symbolized in a
 * table; regions refer to them by id (mt_origin.stack). User-only.
 */
#ifndef MAPTRACE_UNWIND_H
#define MAPTRACE_UNWIND_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "maptrace/shadow.h"

struct mt_unwinder;

/* One symbolized frame. */
struct mt_frame {
	uint64_t pc;
	char *func;     /* "malloc" or "0x7f..." when unknown */
	char *file;     /* source file (NULL without debug info) */
	int line;       /* 0 without debug info */
	char *module;   /* path of the mapped file, NULL for anonymous code */
};

struct mt_stack {
	struct mt_frame *frames;  /* innermost first */
	int nframes;
};

struct mt_unwinder *mt_unwinder_new(void);
void mt_unwinder_free(struct mt_unwinder *u);

/* Unwind and symbolize a STACK record's payload (flags: MT_EVF_STACK_*)
 * against the modules mapped in s. Returns the new stack's id (>= 1), or 0
 * when nothing could be unwound. */
uint32_t mt_unwind(struct mt_unwinder *u, const struct mt_shadow *s, pid_t tid, uint32_t flags,
		   const void *payload, size_t len);

/* The stack with this id, or NULL. */
const struct mt_stack *mt_stack_get(const struct mt_unwinder *u, uint32_t id);

#endif /* MAPTRACE_UNWIND_H */
