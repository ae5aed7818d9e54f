/* SPDX-License-Identifier: GPL-2.0 */
/* signatures.h - what a region is, from the call stack that created it:
 * a table of rules "KIND[/RESERVED-KIND] PATTERN" (signatures.rules, built
 * in; users add theirs with `explain --rules FILE`), matched against the
 * frames of traced regions' origins. User-only. */
#ifndef MAPTRACE_SIGNATURES_H
#define MAPTRACE_SIGNATURES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyze/classify.h"
#include "analyze/unwind.h"

struct mt_sig_rule {
	char *pattern;          /* a function name, or a prefix when prefix */
	size_t len;
	bool prefix;
	bool module;            /* pattern names the frame's file ("@libjemalloc.so*") */
	uint32_t kind;          /* enum mt_kind */
	uint32_t reserved_kind; /* of its PROT_NONE parts */
};

struct mt_signatures {
	struct mt_sig_rule *v;
	size_t n, cap;
};

/* Append the rules of text (from origin: "signatures.rules", a file
 * name). Returns 0, -ENOMEM, or -EINVAL with "ORIGIN:LINE: what is wrong"
 * in err. */
int mt_signatures_parse(struct mt_signatures *s, const char *text, const char *origin,
			char *err, size_t errcap);
/* Append the built-in rules (user/analyze/signatures.rules). */
int mt_signatures_builtin(struct mt_signatures *s);
void mt_signatures_free(struct mt_signatures *s);

/* The first rule matching a frame of the stack, or NULL; *at (if not
 * NULL) gets the index of the frame it matched. */
const struct mt_sig_rule *mt_signatures_match(const struct mt_signatures *s,
					       const struct mt_frame *const *frames, int nframes, int *at);

/* Claims from the origins of traced regions: each region of origins
 * whose creating stack (in uw) a rule matches is the rule's kind (its
 * reserved kind where PROT_NONE), as traced evidence. 0 or -ENOMEM. */
int mt_signatures_claims(const struct mt_signatures *s, const struct mt_shadow *origins,
			 const struct mt_unwinder *uw, struct mt_claims *out);

#endif /* MAPTRACE_SIGNATURES_H */
