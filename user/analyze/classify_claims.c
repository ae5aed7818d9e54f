// SPDX-License-Identifier: GPL-2.0
/* classify_claims.c - the classifier's last pass: what runtimes publish
 * about their ranges (HotSpot's NMT report, its VM.info) and what the
 * stacks that created regions say, as claims "[start, end) is KIND".
 *
 * A region takes the kind whose claims cover most of its bytes, when they
 * cover at least half of them: the kernel merges neighbouring anonymous
 * mappings of equal permissions into one region, so one region may hold
 * two of a runtime's ranges (metaspace next to the class space), and it is
 * said to be what most of it is. Only regions whose kind no name or ELF
 * file decided take claims: an anonymous region, a reservation, a file
 * that is not an ELF object (HotSpot's CDS archive), and the shape
 * passes' answers. A thread stack keeps its thread, and when it becomes a
 * JVM's, the guard page(s) the passes found right below it (HotSpot's
 * guard zones) become that stack's too.
 */
#include <errno.h>
#include <stdlib.h>

#include "analyze/classify_ctx.h"
#include "base/array.h"

int mt_claims_add(struct mt_claims *c, uint64_t start, uint64_t end, enum mt_kind kind,
		  enum mt_evidence evidence, const char *source)
{
	if (start >= end)
		return 0;
	if (mt_array_grow((void **)&c->v, &c->cap, c->n + 1, sizeof(*c->v)))
		return -ENOMEM;
	c->v[c->n++] = (struct mt_claim){
		.start = start, .end = end, .kind = kind, .evidence = evidence, .source = source,
	};
	return 0;
}

void mt_claims_free(struct mt_claims *c)
{
	free(c->v);
	*c = (struct mt_claims){ 0 };
}

static int cmp_claim(const void *a, const void *b)
{
	const struct mt_claim *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* Whether a claim may relabel region i. */
static bool claimable(const struct ctx *x, size_t i)
{
	const struct mt_class *c = &x->out[i];

	if (c->evidence == MT_EVIDENCE_HEURISTIC)
		return true;
	switch (c->kind) {
	case MT_KIND_ANON:
	case MT_KIND_RESERVATION:
	case MT_KIND_THREAD_STACK:
	case MT_KIND_GUARD_PAGE:
	case MT_KIND_JIT_CODE:
		return true;
	case MT_KIND_FILE:
		return x->sc[i].elf_kind == UNSET;
	default:
		return false;
	}
}

/* The kind whose claims cover most of [start, end) among v[from..n)
 * (sorted by start), as the claim of that kind covering most, and how many
 * bytes that kind's claims cover together: a region the kernel merged from
 * many of a runtime's ranges (CPython's 1 MiB arenas side by side) is
 * covered by all of them. Claims of one kind do not overlap (a HotSpot
 * committed range inside its reservation is no claim: runtimes.c). */
static const struct mt_claim *best_claim(const struct mt_claim *v, size_t n, size_t from,
					 uint64_t start, uint64_t end, uint64_t *covered)
{
	const struct mt_claim *best[MT_KIND_COUNT] = { 0 };
	uint64_t by_kind[MT_KIND_COUNT] = { 0 }, most[MT_KIND_COUNT] = { 0 };
	size_t top = MT_KIND_COUNT;

	for (size_t k = from; k < n && v[k].start < end; k++) {
		uint64_t lo = v[k].start > start ? v[k].start : start;
		uint64_t hi = v[k].end < end ? v[k].end : end;
		uint32_t kind = v[k].kind;

		if (hi <= lo || kind >= MT_KIND_COUNT)
			continue;
		by_kind[kind] += hi - lo;
		if (hi - lo > most[kind]) {
			most[kind] = hi - lo;
			best[kind] = &v[k];
		}
		if (top == MT_KIND_COUNT || by_kind[kind] > by_kind[top])
			top = kind;
	}
	*covered = top == MT_KIND_COUNT ? 0 : by_kind[top];
	return top == MT_KIND_COUNT ? NULL : best[top];
}

/* What a claim's description names: where it was read, or who mapped a
 * traced region no signature names. */
static const char *claim_source(const struct mt_claim *cl, char *buf, size_t len)
{
	if (!cl->by_func)
		return cl->source;
	if (cl->by_file)
		snprintf(buf, len, "traced: %s %s at %s:%d", cl->source, cl->by_func, cl->by_file,
			 cl->by_line);
	else
		snprintf(buf, len, "traced: %s %s", cl->source, cl->by_func);
	return buf;
}

/* The claim agrees with the passes: keep their finer description (arena
 * number, thread), say what else shows it. */
static void confirm(struct mt_class *c, const struct mt_claim *cl)
{
	char sb[200];
	size_t l;

	/* a shape's "likely a large malloc chunk" is one now */
	if (c->evidence == MT_EVIDENCE_HEURISTIC && !strncmp(c->desc, "likely ", 7))
		memmove(c->desc, c->desc + 7, strlen(c->desc + 7) + 1);
	l = strlen(c->desc);
	c->evidence = cl->evidence;
	snprintf(c->desc + l, sizeof(c->desc) - l, " (%s)", claim_source(cl, sb, sizeof(sb)));
}

static void relabel(struct ctx *x, size_t i, const struct mt_claim *cl)
{
	struct mt_class *c = &x->out[i];
	int32_t tid = c->kind == MT_KIND_THREAD_STACK || c->kind == MT_KIND_GUARD_PAGE ? c->tid : 0;
	char sb[200];
	const char *source = claim_source(cl, sb, sizeof(sb));

	if (c->kind == cl->kind) {
		confirm(c, cl);
		return;
	}
	c->kind = cl->kind;
	c->evidence = cl->evidence;
	c->index = 0;
	c->tid = cl->kind == MT_KIND_JAVA_THREAD_STACK ? tid : 0;
	if (c->tid)
		setd(c, "%s: thread %d (%s)", mt_kind_about((enum mt_kind)cl->kind), (int)c->tid,
		     source);
	else
		setd(c, "%s (%s)", mt_kind_about((enum mt_kind)cl->kind), source);
}

int mt_cls_claims(struct ctx *x)
{
	struct mt_claim *v;
	size_t n, from = 0;

	if (!x->claims || !x->claims->n)
		return 0;
	n = x->claims->n;
	v = malloc(n * sizeof(*v));
	if (!v)
		return -ENOMEM;
	memcpy(v, x->claims->v, n * sizeof(*v));
	qsort(v, n, sizeof(*v), cmp_claim);
	for (size_t i = 0; i < x->n; i++) {
		const struct mt_region *r = &x->r[i];
		const struct mt_claim *best;
		uint64_t covered;

		/* a claim that ended below this region ends below every later one */
		while (from < n && v[from].end <= r->start)
			from++;
		if (!claimable(x, i))
			continue;
		best = best_claim(v, n, from, r->start, r->end, &covered);
		if (!best || covered * 2 < size_of(r))
			continue;
		relabel(x, i, best);
		if (best->kind == MT_KIND_JAVA_THREAD_STACK && x->out[i].tid && i > 0 &&
		    x->out[i - 1].kind == MT_KIND_GUARD_PAGE && x->out[i - 1].tid == x->out[i].tid)
			relabel(x, i - 1, best);
	}
	free(v);
	return 0;
}
