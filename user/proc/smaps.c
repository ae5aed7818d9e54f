// SPDX-License-Identifier: GPL-2.0
/* smaps.c - parse /proc/<pid>/smaps, and read it for a pid (see proc/smaps.h).
 *
 * Design: one pass over the text. A line is a record header when it starts
 * with hex digits followed by '-' (no key does: "Anonymous:" has hex 'A'
 * then 'n'); its fields are parsed by procmaps.c's line parser, so maps and
 * smaps agree on every odd name. Every other line is "Key: value [kB]".
 * show_smap() (fs/proc/task_mmu.c) prints Size first and VmFlags last, so a
 * record is complete exactly when its VmFlags line has been seen; a text
 * whose last record is incomplete, or whose Size disagrees with the header,
 * was cut short or is not smaps, and is refused rather than half-used.
 *
 * Reading (the one function below the "reading" line that touches /proc)
 * slurps the file with a read() loop and parses afterwards, so the target's
 * mmap lock is taken only for the kernel's own walk. Like maps, smaps is
 * produced a buffer at a time with the lock dropped in between; the walk
 * resumes at the last printed address, so a concurrent change can make a
 * region start before the previous one ended: such a torn text is re-read.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/array.h"
#include "proc/smaps.h"

#define READ_ATTEMPTS 5

static const struct {
	char mn[3];
	uint64_t bit;
} vmflag_names[] = {
	{ "rd", MT_VMF_RD }, { "wr", MT_VMF_WR }, { "ex", MT_VMF_EX }, { "sh", MT_VMF_SH },
	{ "mr", MT_VMF_MR }, { "mw", MT_VMF_MW }, { "me", MT_VMF_ME }, { "ms", MT_VMF_MS },
	{ "gd", MT_VMF_GD }, { "pf", MT_VMF_PF }, { "dw", MT_VMF_DW }, { "lo", MT_VMF_LO },
	{ "io", MT_VMF_IO }, { "sr", MT_VMF_SR }, { "rr", MT_VMF_RR }, { "dc", MT_VMF_DC },
	{ "de", MT_VMF_DE }, { "ac", MT_VMF_AC }, { "nr", MT_VMF_NR }, { "ht", MT_VMF_HT },
	{ "sf", MT_VMF_SF }, { "nl", MT_VMF_NL }, { "ar", MT_VMF_AR }, { "wf", MT_VMF_WF },
	{ "dd", MT_VMF_DD }, { "sd", MT_VMF_SD }, { "mm", MT_VMF_MM }, { "hg", MT_VMF_HG },
	{ "nh", MT_VMF_NH }, { "mg", MT_VMF_MG }, { "um", MT_VMF_UM }, { "uw", MT_VMF_UW },
	{ "ss", MT_VMF_SS }, { "sl", MT_VMF_SL }, { "lf", MT_VMF_LF }, { "bt", MT_VMF_BT },
	{ "mt", MT_VMF_MT }, { "ui", MT_VMF_UI }, { "dp", MT_VMF_DP }, { "gu", MT_VMF_GU },
};

uint64_t mt_vmflag_bit(const char *mn, size_t len)
{
	if (len == 2)
		for (size_t i = 0; i < sizeof(vmflag_names) / sizeof(vmflag_names[0]); i++)
			if (mn[0] == vmflag_names[i].mn[0] && mn[1] == vmflag_names[i].mn[1])
				return vmflag_names[i].bit;
	return MT_VMF_OTHER;
}

const char *mt_vmflag_name(uint64_t bit)
{
	for (size_t i = 0; i < sizeof(vmflag_names) / sizeof(vmflag_names[0]); i++)
		if (vmflag_names[i].bit == bit)
			return vmflag_names[i].mn;
	return NULL;
}

/* The keys kept: how smaps spells them, how output names them, where they
 * go. The byte figures (rss..locked) are what output lists per region;
 * Size is the region's size, THPeligible a flag. */
#define STAT_FIELD(f) offsetof(struct mt_smaps_stat, f)
const struct mt_smaps_field mt_smaps_fields[] = {
	{ "Size",          4, "size",          STAT_FIELD(size),          MT_SK_SIZE,          false },
	{ "Rss",           3, "rss",           STAT_FIELD(rss),           MT_SK_RSS,           true },
	{ "Pss",           3, "pss",           STAT_FIELD(pss),           MT_SK_PSS,           true },
	{ "Pss_Dirty",     9, "pss_dirty",     STAT_FIELD(pss_dirty),     MT_SK_PSS_DIRTY,     true },
	{ "Shared_Clean", 12, "shared_clean",  STAT_FIELD(shared_clean),  MT_SK_SHARED_CLEAN,  true },
	{ "Shared_Dirty", 12, "shared_dirty",  STAT_FIELD(shared_dirty),  MT_SK_SHARED_DIRTY,  true },
	{ "Private_Clean", 13, "private_clean", STAT_FIELD(private_clean), MT_SK_PRIVATE_CLEAN, true },
	{ "Private_Dirty", 13, "private_dirty", STAT_FIELD(private_dirty), MT_SK_PRIVATE_DIRTY, true },
	{ "Referenced",   10, "referenced",    STAT_FIELD(referenced),    MT_SK_REFERENCED,    true },
	{ "Anonymous",     9, "anonymous",     STAT_FIELD(anonymous),     MT_SK_ANONYMOUS,     true },
	{ "Swap",          4, "swap",          STAT_FIELD(swap),          MT_SK_SWAP,          true },
	{ "SwapPss",       7, "swap_pss",      STAT_FIELD(swap_pss),      MT_SK_SWAP_PSS,      true },
	{ "Locked",        6, "locked",        STAT_FIELD(locked),        MT_SK_LOCKED,        true },
	{ "THPeligible",  11, "thp_eligible",  SIZE_MAX,                  MT_SK_THP_ELIGIBLE,  false },
};
const size_t mt_smaps_nfields = sizeof(mt_smaps_fields) / sizeof(mt_smaps_fields[0]);

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool is_header(const char *p, const char *end)
{
	const char *q = p;

	while (q < end && is_hex(*q))
		q++;
	return q > p && q < end && *q == '-';
}

/* "   123 kB" or "    1": decimal, optional " kB" (x1024). */
static bool parse_value(const char *p, const char *end, uint64_t *out)
{
	uint64_t v = 0;
	const char *d;

	while (p < end && *p == ' ')
		p++;
	d = p;
	for (; p < end && *p >= '0' && *p <= '9'; p++) {
		uint64_t digit = (uint64_t)(*p - '0');

		if (v > (UINT64_MAX - digit) / 10)
			return false;
		v = v * 10 + digit;
	}
	if (p == d)
		return false;
	while (p < end && *p == ' ')
		p++;
	if (end - p == 2 && p[0] == 'k' && p[1] == 'B') {
		if (v > UINT64_MAX / 1024)
			return false;
		v *= 1024;
		p += 2;
	}
	if (p != end)
		return false;
	*out = v;
	return true;
}

static uint64_t parse_vmflags(const char *p, const char *end)
{
	uint64_t flags = 0;

	while (p < end) {
		const char *w;

		while (p < end && *p == ' ')
			p++;
		w = p;
		while (p < end && *p != ' ')
			p++;
		if (p > w)
			flags |= mt_vmflag_bit(w, (size_t)(p - w));
	}
	return flags;
}

/* One "Key: value" line into st. Unknown keys are skipped. */
static int parse_key_line(const char *p, const char *end, struct mt_smaps_stat *st)
{
	const char *colon = memchr(p, ':', (size_t)(end - p));
	size_t klen;

	if (!colon || colon == p)
		return -EINVAL;
	klen = (size_t)(colon - p);
	if (klen == 7 && !memcmp(p, "VmFlags", 7)) {
		st->vmflags = parse_vmflags(colon + 1, end);
		st->keys |= MT_SK_VMFLAGS;
		return 0;
	}
	for (size_t i = 0; i < mt_smaps_nfields; i++) {
		const struct mt_smaps_field *k = &mt_smaps_fields[i];
		uint64_t v;

		if (k->len != klen || memcmp(k->key, p, klen))
			continue;
		if (!parse_value(colon + 1, end, &v))
			return -EINVAL;
		if (k->off == SIZE_MAX)
			st->thp_eligible = v != 0;
		else
			*(uint64_t *)((char *)st + k->off) = v;
		st->keys |= k->bit;
		return 0;
	}
	return 0;
}


/* A record is complete when VmFlags was seen and Size matches the header. */
static bool record_complete(const struct mt_region *r, const struct mt_smaps_stat *st)
{
	return (st->keys & (MT_SK_SIZE | MT_SK_VMFLAGS)) == (MT_SK_SIZE | MT_SK_VMFLAGS) &&
	       st->size == r->end - r->start;
}

static size_t count_lines(const char *text, size_t len)
{
	size_t n = 0;

	for (const char *p = text, *end = text + len, *nl;
	     p < end && (nl = memchr(p, '\n', (size_t)(end - p))) != NULL; p = nl + 1)
		n++;
	return n;
}

static int parse_text(const char *text, size_t len, struct mt_smaps *out,
		      size_t *bad_line, bool *torn)
{
	const char *p = text, *end = text + len;
	size_t stats_cap = 0, line_no = 0, name_cap = 0;
	char *name_buf = NULL;
	int err = 0;

	memset(out, 0, sizeof(*out));
	*torn = false;
	if (len == 0)
		return 0;
	if (text[len - 1] != '\n') {
		/* the kernel ends every line with '\n': this text was cut */
		line_no = count_lines(text, len) + 1;
		err = -EINVAL;
		goto fail;
	}
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t line_len = (size_t)(nl - p);
		struct mt_smaps *s = out;

		line_no++;
		if (is_header(p, nl)) {
			struct mt_region r;
			size_t n = s->maps.count;

			if (n > 0 && !record_complete(&s->maps.regions[n - 1], &s->stats[n - 1])) {
				line_no--;   /* blame the record's last line */
				err = -EINVAL;
				goto fail;
			}
			if ((err = mt_array_grow((void **)&name_buf, &name_cap, line_len + 1, 1)))
				goto fail;
			if ((err = mt_maps_parse_line(p, line_len, &r, name_buf, name_cap)))
				goto fail;
			if (n > 0 && r.start < s->maps.regions[n - 1].end) {
				*torn = true;
				err = -EINVAL;
				goto fail;
			}
			if ((err = mt_array_grow((void **)&s->stats, &stats_cap, n + 1, sizeof(*s->stats))) ||
			    (err = mt_maps_append(&s->maps, &r, r.name, r.name ? strlen(r.name) : 0)))
				goto fail;
			memset(&s->stats[n], 0, sizeof(s->stats[n]));
		} else {
			if (s->maps.count == 0) {
				err = -EINVAL;
				goto fail;
			}
			if ((err = parse_key_line(p, nl, &s->stats[s->maps.count - 1])))
				goto fail;
		}
		p = nl + 1;
	}
	if (out->maps.count > 0 &&
	    !record_complete(&out->maps.regions[out->maps.count - 1], &out->stats[out->maps.count - 1])) {
		err = -EINVAL;
		goto fail;
	}
	free(name_buf);
	return 0;
fail:
	if (err == -EINVAL && bad_line)
		*bad_line = line_no;
	free(name_buf);
	mt_smaps_free(out);
	return err;
}

int mt_smaps_parse(const char *text, size_t len, struct mt_smaps *out, size_t *bad_line)
{
	bool torn;

	return parse_text(text, len, out, bad_line, &torn);
}

void mt_smaps_free(struct mt_smaps *s)
{
	mt_maps_free(&s->maps);
	free(s->stats);
	s->stats = NULL;
}

/* ---- reading: the only part that touches /proc ---------------------- */


int mt_smaps_read_pid(pid_t pid, struct mt_smaps *out)
{
	char *buf = NULL, *sbuf = NULL, path[64];
	size_t cap = 0, scap = 0, len;
	int err = -ESRCH;

	memset(out, 0, sizeof(*out));
	if (pid <= 0)
		return -ESRCH;
	snprintf(path, sizeof(path), "/proc/%d/smaps", (int)pid);
	for (int i = 0; i < READ_ATTEMPTS; i++) {
		bool torn;

		err = mt_proc_read_whole(path, &buf, &cap, &len);
		if (!err)
			err = mt_proc_has_mm(pid, &sbuf, &scap);
		if (err)
			break;
		if (len == 0) {          /* a live mm always has a vma: retry */
			err = -EAGAIN;
			continue;
		}
		err = parse_text(buf, len, out, NULL, &torn);
		if (!torn)
			break;
		err = -EAGAIN;
	}
	free(buf);
	free(sbuf);
	return err;
}
