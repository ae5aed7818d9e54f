// SPDX-License-Identifier: GPL-2.0
/* fuzz_events.c - the event decoder: what user space does with each record
 * it takes from the ring buffer (user/core/aspace.c, shadow.c, evfmt.c, json.c,
 * stats.c, mapdiff.c).
 *
 * Input: a sequence of records as the ring buffer holds them: a struct
 * mt_event (sizeof bytes, host byte order) followed by path_len bytes of
 * path. path_len is clamped to the bytes that remain; a trailing piece
 * shorter than a header is ignored. Each record's path is copied to a
 * buffer of exactly path_len bytes, so a read past it is caught.
 *
 * Before the first record, one registry is seeded like an attach does:
 * address space MM_A (tgid 100) and MM_B (tgid 200) from small maps
 * snapshots at ticket 0, plus the gate area ([vsyscall]). Then every record
 * goes, in order, to mt_stats_event, mt_aspaces_feed, mt_event_print_text
 * (to /dev/null) and mt_event_json. The registry's callbacks are those of
 * `stat` and `verify`: mt_stats_apply on every change, mt_stats_final at exit
 * dumps and releases, mt_diff_learn + mt_diff against every dump that
 * reaches its turn, a stack id for every stack sample.
 *
 * Checked, besides "no crash, leak or hang":
 *  - every shadow passes mt_shadow_check after each applied change, after
 *    each dump comparison and at the end (every address space still
 *    registered, seeded or not);
 *  - every event's JSON object, and the final figures' object, is valid JSON
 *    (fuzz_util.h's strict validator) and never hits the writer's oom;
 *  - mt_event_path never writes past the capacity it is given.
 *
 * Seeds (corpus/events/) come from tests/fuzz/gen_corpus.py: realistic
 * streams against MM_A/MM_B (mmap of files and anonymous memory, munmap,
 * mprotect, brk, mremap forms, fork with a child that execs and dumps,
 * out-of-order tickets, exit dumps, stack samples, hostile paths).
 */
#include <string.h>

#include "core/aspace.h"
#include "out/evfmt.h"
#include "base/json.h"
#include "analyze/mapdiff.h"
#include "analyze/stats.h"
#include "fuzz_util.h"

/* keep in sync with gen_corpus.py */
#define MM_A 0xffff888100001000ull
#define MM_B 0xffff888100002000ull
#define TGID_A 100
#define TGID_B 200

static const char snap_a[] =
	"00400000-00401000 r--p 00000000 08:01 1001                               /usr/bin/prog\n"
	"00401000-00403000 r-xp 00001000 08:01 1001                               /usr/bin/prog\n"
	"00403000-00404000 rw-p 00003000 08:01 1001                               /usr/bin/prog\n"
	"01000000-01021000 rw-p 00000000 00:00 0                                  [heap]\n"
	"7f0000000000-7f0000001000 ---p 00000000 00:00 0 \n"
	"7f0000001000-7f0000801000 rw-p 00000000 00:00 0 \n"
	"7f1000000000-7f1000028000 r--p 00000000 08:01 2002                       /usr/lib/libc.so.6\n"
	"7f1000028000-7f100019d000 r-xp 00028000 08:01 2002                       /usr/lib/libc.so.6\n"
	"7f100019d000-7f10001f5000 r--p 0019d000 08:01 2002                       /usr/lib/libc.so.6\n"
	"7f10001f5000-7f10001f9000 rw-p 001f5000 08:01 2002                       /usr/lib/libc.so.6\n"
	"7f2000000000-7f2000001000 rw-s 00000000 00:01 3003                       /memfd:buf (deleted)\n"
	"7ffc00000000-7ffc00021000 rw-p 00000000 00:00 0                          [stack]\n"
	"7ffc00100000-7ffc00102000 r-xp 00000000 00:00 0                          [vdso]\n";

static const char snap_b[] =
	"00400000-00402000 r-xp 00000000 08:01 4004                               /bin/sh\n"
	"7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0                          [stack]\n";

struct ctx {
	struct mt_stats st;
	struct mt_json j;
	uint64_t dumps, stacks;
};

static void on_apply(struct mt_aspace *as, const struct mt_event *e, bool after, void *arg)
{
	struct ctx *c = arg;

	mt_stats_apply(&c->st, as, e, after);
	if (after && as->shadow)
		FUZZ_CHECK(mt_shadow_check(as->shadow), "shadow of mm %#llx broken after %s",
			   (unsigned long long)as->mm,
			   e ? mt_event_kind_name(e->kind) ? mt_event_kind_name(e->kind) : "?" : "seed");
}

static void on_divergence(const struct mt_divergence *d, void *arg)
{
	(void)arg;
	FUZZ_CHECK(d->start < d->end, "empty divergence");
	FUZZ_CHECK(mt_diff_kind_name(d->kind) != NULL, "divergence kind %d", d->kind);
}

static void on_dump(struct mt_aspace *as, const struct mt_maps *kernel, uint32_t reason, void *arg)
{
	struct ctx *c = arg;
	struct mt_diff_stats ds = { 0 };

	c->dumps++;
	if (reason == MT_DUMP_EXIT)
		mt_stats_final(&c->st, as, kernel);
	if (!as->shadow)
		return;
	/* what verify does with an exit dump */
	mt_diff_learn(as->shadow, kernel);
	FUZZ_CHECK(mt_shadow_check(as->shadow), "shadow broken by mt_diff_learn");
	mt_diff(as->shadow, kernel, 4096, on_divergence, c, &ds);
}

static void on_release(struct mt_aspace *as, void *arg)
{
	struct ctx *c = arg;

	if (as->shadow)
		FUZZ_CHECK(mt_shadow_check(as->shadow), "shadow broken at release");
	if (!as->final_taken)
		mt_stats_final(&c->st, as, NULL);
}

static uint32_t on_stack(struct mt_aspace *as, const struct mt_event *e, uint32_t flags,
			 const void *sample, size_t len, void *arg)
{
	struct ctx *c = arg;
	const unsigned char *b = sample;
	uint32_t h = flags;

	(void)as;
	(void)e;
	for (size_t i = 0; i < len; i++)   /* touches every byte of the sample */
		h = h * 31 + b[i];
	c->stacks++;
	return h | 1;
}

static void seed(struct mt_aspaces *reg, pid_t tgid, uint64_t mm, const char *text)
{
	struct mt_maps m = { 0 };

	FUZZ_CHECK(mt_maps_parse(text, strlen(text), &m, NULL) == 0, "seed snapshot");
	FUZZ_CHECK(mt_aspaces_seed(reg, tgid, mm, 0, &m) == 0, "seeding");
	mt_maps_free(&m);
}

/* mt_event_path into buffers of a few exact sizes: never past cap. */
static void check_path(const struct mt_event *e, const char *raw)
{
	static const size_t caps[] = { 1, 2, 3, 8 };

	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		char *out = malloc(caps[i]);
		size_t n;

		FUZZ_CHECK(out, "out of memory");
		n = mt_event_path(e, raw, out, caps[i]);
		FUZZ_CHECK(n < caps[i], "path of %zu bytes in a buffer of %zu", n, caps[i]);
		FUZZ_CHECK(out[n] == '\0', "path not terminated");
		free(out);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mt_aspaces reg;
	struct ctx c;
	struct mt_figures total;
	const uint8_t *p = data, *end = data + size;
	uint64_t t0 = 0;
	bool first = true;
	size_t pos = 0;
	uint64_t key;
	void *v;

	memset(&c, 0, sizeof(c));
	mt_json_init(&c.j);
	mt_aspaces_init(&reg);
	reg.on_apply = on_apply;
	reg.on_dump = on_dump;
	reg.on_release = on_release;
	reg.on_stack = on_stack;
	reg.ctx = &c;
	reg.gate = (struct mt_region){ .start = 0xffffffffff600000ull, .end = 0xffffffffff601000ull,
				       .perms = MT_PERM_EXEC, .name = "[vsyscall]" };
	reg.has_gate = true;
	mt_stats_init(&c.st, reg.gate.end - reg.gate.start);
	seed(&reg, TGID_A, MM_A, snap_a);
	seed(&reg, TGID_B, MM_B, snap_b);

	while ((size_t)(end - p) >= sizeof(struct mt_event)) {
		struct mt_event e;
		char *path;

		memcpy(&e, p, sizeof(e));
		p += sizeof(e);
		if (e.path_len > (size_t)(end - p))
			e.path_len = (__u32)(end - p);
		path = malloc(e.path_len ? e.path_len : 1);
		FUZZ_CHECK(path, "out of memory");
		memcpy(path, p, e.path_len);
		p += e.path_len;
		if (first) {
			t0 = e.ts_ns;
			first = false;
		}

		mt_stats_event(&c.st, &e);
		mt_aspaces_feed(&reg, &e, path);
		mt_event_print_text(fuzz_devnull(), &e, path, t0);
		mt_json_reset(&c.j);
		mt_event_json(&c.j, &e, path, t0);
		FUZZ_CHECK(!c.j.oom, "JSON writer out of memory");
		FUZZ_CHECK(c.j.len == 0 || json_valid(c.j.buf, c.j.len), "invalid JSON: %.*s",
			   (int)c.j.len, c.j.buf);
		check_path(&e, path);
		free(path);
	}

	while (mt_u64map_next(&reg.by_mm, &pos, &key, &v)) {
		struct mt_aspace *as = v;

		FUZZ_CHECK(as->mm == key, "aspace registered under the wrong mm");
		if (as->shadow)
			FUZZ_CHECK(mt_shadow_check(as->shadow), "shadow of mm %#llx broken at the end",
				   (unsigned long long)key);
		if (!as->final_taken)
			mt_stats_final(&c.st, as, NULL);
	}
	mt_stats_total(&c.st, &total);
	mt_stats_print(fuzz_devnull(), &c.st, 1.0);
	mt_json_reset(&c.j);
	mt_figures_json(&c.j, &total);
	FUZZ_CHECK(!c.j.oom && json_valid(c.j.buf, c.j.len), "figures: invalid JSON");

	mt_aspaces_free(&reg);
	mt_stats_free(&c.st);
	mt_json_free(&c.j);
	return 0;
}
