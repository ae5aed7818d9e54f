// SPDX-License-Identifier: GPL-2.0
/* timeline.c - a timeline as JSON (see out/timeline.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "base/u64map.h"
#include "core/event.h"
#include "out/evfmt.h"
#include "out/timeline.h"

static void point_json(struct mt_json *j, const struct mt_timeline_point *p)
{
	/* kind 0: no call changed it, an address space was read or copied (a
	 * fork's child, a resync) */
	const char *call = p->kind ? mt_event_kind_name(p->kind) : "snapshot";

	mt_json_obj_begin(j);
	mt_json_key(j, "t_ns");
	mt_json_u64(j, p->t_ns);
	mt_json_key(j, "call");
	mt_json_str(j, call, strlen(call));
	mt_json_key(j, "pid");
	mt_json_u64(j, p->pid);
	mt_json_key(j, "tid");
	mt_json_u64(j, p->tid);
	mt_json_key(j, "addr");
	mt_json_hex(j, p->addr);
	mt_json_key(j, "len");
	mt_json_u64(j, p->len);
	mt_json_key(j, "vm");
	mt_json_u64(j, p->vm);
	mt_json_key(j, "anon");
	mt_json_u64(j, p->anon);
	mt_json_key(j, "stack");
	mt_json_u64(j, p->stack);
	mt_json_obj_end(j);
}

/* Each stack the points name, once: "stacks": {"ID": [frames]}. */
static int stacks_json(struct mt_json *j, const struct mt_timeline *tl, const struct mt_unwinder *uw)
{
	struct mt_u64map seen = { 0 };
	char id[24];
	int err = 0;

	mt_json_key(j, "stacks");
	mt_json_obj_begin(j);
	for (size_t i = 0; uw && i <= tl->npoints && !err; i++) {
		const struct mt_timeline_point *p = i < tl->npoints ? &tl->points[i] : &tl->peak;
		const struct mt_stack *st;

		if (!p->stack || mt_u64map_get(&seen, p->stack) || !(st = mt_stack_get(uw, p->stack)))
			continue;
		if ((err = mt_u64map_put(&seen, p->stack, (void *)1)))
			break;
		snprintf(id, sizeof(id), "%u", p->stack);
		mt_json_key(j, id);
		mt_frames_json(j, st->frames, st->nframes);
	}
	mt_json_obj_end(j);
	mt_u64map_free(&seen);
	return err ? -ENOMEM : 0;
}

int mt_timeline_json(struct mt_json *j, const struct mt_timeline *tl, const struct mt_unwinder *uw)
{
	bool peak_kept = false;

	mt_json_key(j, "timeline");
	mt_json_obj_begin(j);
	mt_json_key(j, "calls");
	mt_json_u64(j, tl->calls);
	mt_json_key(j, "kept_every");
	mt_json_u64(j, tl->keep_every);
	mt_json_key(j, "peak");
	if (tl->calls)
		point_json(j, &tl->peak);
	else
		mt_json_null(j);
	/* the peak among the points, where it falls, if they dropped it */
	mt_json_key(j, "points");
	mt_json_arr_begin(j);
	for (size_t i = 0; i < tl->npoints; i++)
		peak_kept |= !memcmp(&tl->points[i], &tl->peak, sizeof(tl->peak));
	for (size_t i = 0; i <= tl->npoints; i++) {
		if (tl->calls && !peak_kept && (i == tl->npoints || tl->points[i].t_ns > tl->peak.t_ns)) {
			point_json(j, &tl->peak);
			peak_kept = true;
		}
		if (i < tl->npoints)
			point_json(j, &tl->points[i]);
	}
	mt_json_arr_end(j);
	mt_json_key(j, "rss");
	mt_json_arr_begin(j);
	for (size_t i = 0; i < tl->nrss; i++) {
		mt_json_arr_begin(j);
		mt_json_u64(j, tl->rss[i].t_ns);
		mt_json_u64(j, tl->rss[i].rss);
		mt_json_arr_end(j);
	}
	mt_json_arr_end(j);
	if (stacks_json(j, tl, uw))
		return -ENOMEM;
	mt_json_obj_end(j);
	return 0;
}
